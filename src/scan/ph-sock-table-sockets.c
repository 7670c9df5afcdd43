/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table-sockets.c — the table's sockets: one dump (netlink, /proc/net) merged by inode */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ph-protocol.h"
#include "ph-sock-table-private.h"

static void
read_procnet (PhSockTable *table,
              PhProto      proto,
              int          family)
{
  int pi = proto == PH_PROTO_TCP ? 0 : 1, fi = family == 4 ? 0 : 1;
  long r = ph_procnet_read_one (table->procnet_dir, proto, family, &table->list, &table->scratch);

  if (r > 0 && !table->warned_procnet[pi][fi])
    {
      char msg[256];

      table->warned_procnet[pi][fi] = true;
      snprintf (msg, sizeof msg, "Skipped %ld malformed line(s) in %s/%s%s.", r,
                table->procnet_dir, pi == 0 ? "tcp" : "udp", fi == 1 ? "6" : "");
      ph_rec_warn (&table->warnings, PH_WARN_PROCNET_MALFORMED, msg);
    }
  /* No IPv6 (or no UDP) in this kernel simply means nothing listens there. */
}

void
ph_sock_table_dump_sockets (PhSockTable *table)
{
  bool tcp_done = false;

  ph_sock_list_clear (&table->list);
  /* As many as last time and some: one allocation (the list is given back after a first
   * snapshot, ph-sock-table.c). */
  ph_sock_list_reserve (&table->list, table->socks.count + table->socks.count / 8 + 64);
  if ((table->flags & PH_SCAN_TCP) && (table->flags & PH_SCAN_IPV4)
      && (table->flags & PH_SCAN_IPV6) && table->netlink_ok && !table->use_procfs[0][0]
      && !table->use_procfs[0][1] && !table->no_tcp_both)
    {
      tcp_done = ph_netlink_dump_tcp_both (&table->nl, &table->list) == 0;
      if (!tcp_done)
        {
          /* Not on this kernel: ask family by family from now on. */
          table->no_tcp_both = true;
          table->list.n_socks = 0;
          table->list.n_conns = 0;
        }
    }
  for (int pi = 0; pi < 2; pi++)
    {
      PhProto proto = pi == 0 ? PH_PROTO_TCP : PH_PROTO_UDP;

      if (!(table->flags & (pi == 0 ? PH_SCAN_TCP : PH_SCAN_UDP)) || (pi == 0 && tcp_done))
        continue;
      for (int fi = 0; fi < 2; fi++)
        {
          int family = fi == 0 ? 4 : 6;
          size_t mark_socks = table->list.n_socks, mark_conns = table->list.n_conns;
          int err;

          if (!(table->flags & (fi == 0 ? PH_SCAN_IPV4 : PH_SCAN_IPV6)))
            continue;
          if (!table->netlink_ok || table->use_procfs[pi][fi])
            {
              read_procnet (table, proto, family);
              continue;
            }
          err = ph_netlink_dump_one (&table->nl, proto, family, &table->list);
          if (err == 0)
            continue;
          /* Drop what a failed dump left half-done, then ask /proc/net from now on. */
          table->list.n_socks = mark_socks;
          table->list.n_conns = mark_conns;
          if (err != -ENOENT || (pi == 0 && fi == 0))
            {
              char msg[256];

              snprintf (msg, sizeof msg,
                        "Socket diagnostics failed (%s); reading /proc/net instead.",
                        strerror (-err));
              ph_rec_warn (&table->warnings, PH_WARN_NETLINK_UNAVAILABLE, msg);
            }
          table->use_procfs[pi][fi] = true;
          read_procnet (table, proto, family);
        }
    }
  ph_sock_list_count_conns (&table->list);
}

static bool
same_identity (const PhSock *a,
               const PhSock *b)
{
  return a->proto == b->proto && a->family == b->family && a->port == b->port
         && memcmp (a->addr, b->addr, sizeof a->addr) == 0;
}

static bool
same_sock (const PhSock *a,
           const PhSock *b)
{
  return same_identity (a, b) && a->inode == b->inode && a->cgroup_id == b->cgroup_id
         && a->uid == b->uid && a->scope == b->scope && a->conns == b->conns
         && a->v6only == b->v6only;
}

/* The kernel dumps its socket tables in the same order every time, so the entry that
 * comes next in the last dump's order is almost always that of the next socket now:
 * looked at first, it spares the lookup by inode (a hash and a random read in a large
 * table) for every socket of a quiet refresh, and the entries (made in dump order) are
 * then read one after the other. One socket more or one fewer somewhere shifts the order
 * by one from there on: the entry after the expected one is looked at too, and one new
 * socket is not matched with the expected one, so that the rest of the dump lines up
 * again. Kept from the second refresh on (a single snapshot, --once, needs none), and
 * updated in place: the last order's entries that a write would overwrite before they are
 * read wait in a few places of their own (Realign). */

#define REALIGN_MAX 16

typedef struct
{
  SockEntry **order;           /* the last order, overwritten from its start */
  size_t      n_old;           /* its length */
  size_t      next;            /* the index of the entry expected next */
  size_t      written;         /* entries of the new order written so far */
  SockEntry  *wait[REALIGN_MAX];  /* order[next, written) as they were, oldest first */
  size_t      first, n_wait;
} Realign;

/* The entry at @next + @ahead of the last order, or NULL. */
static SockEntry *
realign_peek (const Realign *r,
              size_t         ahead)
{
  size_t k = r->next + ahead;

  if (k >= r->n_old)
    return NULL;
  if (k < r->written)
    return ahead < r->n_wait ? r->wait[(r->first + ahead) % REALIGN_MAX] : NULL;
  return r->order[k];
}

/* The next @n entries of the last order were matched, or went. */
static void
realign_consume (Realign *r,
                 size_t   n)
{
  for (size_t i = 0; i < n && r->next < r->n_old; i++)
    {
      if (r->next < r->written)
        {
          r->first = (r->first + 1) % REALIGN_MAX;
          r->n_wait--;
        }
      r->next++;
    }
}

/* Writes @e as the next entry of the new order, keeping the one it overwrites if that was
 * still to be read; with no room left for it, gives up lining up (lookups by inode). */
static void
realign_write (Realign   *r,
               SockEntry *e)
{
  size_t w = r->written;

  if (w < r->n_old && w >= r->next)
    {
      if (r->n_wait == REALIGN_MAX)
        {
          r->next = r->n_old;
          r->n_wait = 0;
        }
      else
        r->wait[(r->first + r->n_wait++) % REALIGN_MAX] = r->order[w];
    }
  r->order[w] = e;
  r->written++;
}

void
ph_sock_table_merge_sockets (PhSockTable *table)
{
  size_t n_seen = 0;
  bool keep_order = table->seq > 1;
  Realign r = { 0 };

  table->n_gone = 0;
  /* A first snapshot marks every entry: not worth listing them. */
  if (table->seq == 1)
    {
      table->dirty.overflow = true;
      table->to_search.overflow = true;
    }
  if (keep_order && table->cap_order < table->list.n_socks)
    {
      table->cap_order = table->list.n_socks + table->list.n_socks / 8 + 16;
      table->order = ph_xrealloc (table->order, table->cap_order * sizeof *table->order);
    }
  r.order = table->order;
  r.n_old = keep_order ? table->n_order : 0;
  for (size_t i = 0; i < table->list.n_socks; i++)
    {
      const PhSock *s = &table->list.socks[i];
      SockEntry *e = realign_peek (&r, 0);

      if (e != NULL && e->sock.inode == s->inode)
        realign_consume (&r, 1);
      else if ((e = realign_peek (&r, 1)) != NULL && e->sock.inode == s->inode)
        realign_consume (&r, 2);   /* the expected one went */
      else
        e = ph_map_get (&table->socks, s->inode);

      if (e == NULL)
        {
          e = ph_sock_table_entry_new (table);
          e->sock = *s;
          mark_dirty (table, e);
          mark_unfound (table, e);
          ph_map_set (&table->socks, s->inode, e);
        }
      else if (e->seen_gen == table->gen)
        {
          continue;   /* listed twice in one dump */
        }
      else if (!same_identity (&e->sock, s))
        {
          /* The inode number was reused by another socket: a new one. */
          e->sock = *s;
          table->refs_stale |= e->n_owners > 0;
          e->n_owners = 0;
          mark_dirty (table, e);
          mark_unfound (table, e);
        }
      else if (!same_sock (&e->sock, s))
        {
          e->sock = *s;
          mark_dirty (table, e);
        }
      e->seen_gen = table->gen;
      n_seen++;
      if (keep_order)
        realign_write (&r, e);
    }
  /* Only entries seen now, none of which the removal below frees. */
  table->n_order = r.written;
  /* Every socket known was in the dump: none went. */
  if (n_seen == table->socks.count)
    return;
  table->refs_stale = true;   /* with their owners */

  for (size_t i = 0; i < table->socks.size; i++)
    {
      SockEntry *e = table->socks.slots[i].value;

      if (e == NULL || e->seen_gen == table->gen)
        continue;
      if (e->emitted)
        {
          if (table->n_gone == table->cap_gone)
            {
              table->cap_gone = table->cap_gone ? table->cap_gone * 2 : 32;
              table->gone_inodes = ph_xrealloc (table->gone_inodes,
                                             table->cap_gone * sizeof *table->gone_inodes);
            }
          table->gone_inodes[table->n_gone++] = e->sock.inode;
        }
    }
  for (size_t g = 0; g < table->socks.size; g++)
    {
      SockEntry *e = table->socks.slots[g].value;

      /* Removing shifts later slots back, so look at this slot again. */
      while (e != NULL && e->seen_gen != table->gen)
        {
          ph_map_remove (&table->socks, e->sock.inode);
          ph_sock_table_entry_free (table, e);
          e = table->socks.slots[g].value;
        }
    }
}
