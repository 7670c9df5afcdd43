/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table-write.c — a refresh written as a change set: what went, then what changed */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ph-passwd.h"
#include "ph-protocol.h"
#include "ph-sock-table-private.h"

static int
compare_owner (const void *a,
               const void *b)
{
  const Owner *x = a, *y = b;

  if (x->pid != y->pid)
    return x->pid < y->pid ? -1 : 1;
  return x->fd < y->fd ? -1 : x->fd > y->fd;
}

static int
compare_entry (const void *a,
               const void *b)
{
  const PhSock *x = &(*(SockEntry * const *) a)->sock;
  const PhSock *y = &(*(SockEntry * const *) b)->sock;
  int c;

  if (x->port != y->port)
    return x->port < y->port ? -1 : 1;
  if (x->proto != y->proto)
    return x->proto < y->proto ? -1 : 1;
  if (x->family != y->family)
    return x->family < y->family ? -1 : 1;
  c = memcmp (x->addr, y->addr, sizeof x->addr);
  if (c != 0)
    return c;
  return x->inode < y->inode ? -1 : x->inode > y->inode;
}

static void
write_pgone (PhBuf    *out,
             int32_t   pid,
             uint64_t  start)
{
  ph_rec_start (out, PH_RECORD_PGONE);
  ph_rec_i64 (out, PH_KEY_PID, pid);
  ph_rec_u64 (out, PH_KEY_START, start);
  ph_rec_end (out);
}

static void
write_proc (PhSockTable *table,
            Proc        *p,
            PhBuf       *out)
{
  if (p->emitted && p->emitted_start != p->start)
    write_pgone (out, p->pid, p->emitted_start);
  ph_proc_facts_write (&p->facts, out);
  p->emitted = true;
  p->emitted_start = p->start;
  p->facts_dirty = false;
  p->sent_gen = table->gen;
}

static void
write_sock (SockEntry *e,
            PhBuf     *out)
{
  const PhSock *s = &e->sock;
  char addr[64];

  ph_sock_format_addr (s, addr, sizeof addr);
  ph_rec_start (out, PH_RECORD_SOCK);
  ph_rec_u64 (out, PH_KEY_ID, s->inode);
  ph_rec_str (out, PH_KEY_PROTO, s->proto == PH_PROTO_TCP ? "tcp" : "udp");
  ph_rec_u64 (out, PH_KEY_FAMILY, s->family);
  ph_rec_str (out, PH_KEY_ADDR, addr);
  ph_rec_u64 (out, PH_KEY_PORT, s->port);
  if (s->scope != 0)
    ph_rec_u64 (out, PH_KEY_SCOPE, s->scope);
  if (s->family == 6 && s->v6only >= 0)
    ph_rec_u64 (out, PH_KEY_V6ONLY, (uint64_t) s->v6only);
  ph_rec_u64 (out, PH_KEY_UID, s->uid);
  ph_rec_str (out, PH_KEY_USER, ph_passwd_lookup (s->uid));
  ph_rec_u64 (out, PH_KEY_INODE, s->inode);
  if (s->cgroup_id != 0)
    ph_rec_u64 (out, PH_KEY_CGROUP, s->cgroup_id);
  ph_rec_u64 (out, PH_KEY_CONNS, s->conns);
  ph_buf_append_s (out, "\t" PH_KEY_OWNERS "=");
  if (e->n_owners > 1)
    qsort (e->owners, e->n_owners, sizeof *e->owners, compare_owner);
  for (uint32_t i = 0; i < e->n_owners; i++)
    {
      if (i > 0)
        ph_buf_append_c (out, ',');
      ph_buf_append_i64 (out, e->owners[i].pid);
      ph_buf_append_c (out, ':');
      ph_buf_append_u64 (out, e->owners[i].start);
      ph_buf_append_c (out, ':');
      ph_buf_append_i64 (out, e->owners[i].fd);
    }
  ph_rec_u64 (out, PH_KEY_HIDDEN, e->hidden);
  ph_rec_u64 (out, PH_KEY_KERNEL, e->kernel);
  ph_rec_str (out, PH_KEY_UNSEEN, e->unseen);
  ph_rec_end (out);
  e->dirty = false;
  e->emitted = true;
}

void
ph_sock_table_write_change_set (PhSockTable *table,
                                bool         full,
                                PhBuf       *out)
{
  SockEntry **todo;
  size_t n_todo = 0;

  ph_rec_start (out, PH_RECORD_BEGIN);
  ph_rec_u64 (out, PH_KEY_SEQ, table->seq);
  ph_rec_str (out, PH_KEY_KIND, full ? "full" : "delta");
  ph_rec_end (out);

  for (size_t i = 0; i < table->n_gone; i++)
    {
      ph_rec_start (out, PH_RECORD_GONE);
      ph_rec_u64 (out, PH_KEY_ID, table->gone_inodes[i]);
      ph_rec_end (out);
    }
  /* A quiet refresh: no socket came, went or changed (nor its owners), no facts changed;
   * the owners' counts below are still true. */
  if (!full && !table->changed && table->n_gone == 0)
    return;

  /* Each process's owners, counted again only when some were dropped: an owner added
   * counted itself (owner_touch ()). */
  for (size_t i = 0; (full || table->refs_stale) && i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;

      if (p != NULL)
        p->n_refs = 0;
    }
  for (size_t i = 0; (full || table->refs_stale) && i < table->socks.size; i++)
    {
      SockEntry *e = table->socks.slots[i].value;

      if (e == NULL)
        continue;
      for (uint32_t k = 0; k < e->n_owners; k++)
        {
          Proc *p = ph_map_get (&table->procs, (uint64_t) e->owners[k].pid);

          if (p != NULL)
            p->n_refs++;
        }
    }
  table->refs_stale = false;

  /* A process that went away, or holds nothing we report any more. */
  for (size_t i = 0; i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;

      if (p == NULL)
        continue;
      if (p->n_refs == 0 || p->gone)
        {
          if (p->emitted)
            write_pgone (out, p->pid, p->emitted_start);
          p->emitted = false;
          if (p->has_facts)
            ph_proc_facts_clear (&p->facts);
          p->has_facts = false;
          p->start_known = false;
        }
    }

  /* The dirty entries: listed, unless they were too many. */
  if (full || table->dirty.overflow)
    {
      todo = ph_xmalloc ((table->socks.count + 1) * sizeof *todo);
      for (size_t i = 0; i < table->socks.size; i++)
        {
          SockEntry *e = table->socks.slots[i].value;

          if (e != NULL && (full || e->dirty))
            todo[n_todo++] = e;
        }
    }
  else
    {
      todo = ph_xmalloc ((table->dirty.n + 1) * sizeof *todo);
      for (size_t i = 0; i < table->dirty.n; i++)
        todo[n_todo++] = table->dirty.v[i];
    }
  entry_list_reset (&table->dirty);
  if (n_todo > 1)
    qsort (todo, n_todo, sizeof *todo, compare_entry);

  /* New facts about a process whose sockets did not change. */
  for (size_t i = 0; i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;

      if (p != NULL && p->n_refs > 0 && p->has_facts && p->emitted && p->facts_dirty && !full)
        write_proc (table, p, out);
    }
  for (size_t i = 0; i < n_todo; i++)
    {
      SockEntry *e = todo[i];

      for (uint32_t k = 0; k < e->n_owners; k++)
        {
          Proc *p = ph_map_get (&table->procs, (uint64_t) e->owners[k].pid);

          if (p == NULL || !p->has_facts || p->sent_gen == table->gen)
            continue;
          if (full || !p->emitted || p->facts_dirty || p->emitted_start != p->start)
            write_proc (table, p, out);
        }
      write_sock (e, out);
      if (out->len >= PH_SOCK_TABLE_FLUSH_SIZE && table->flush != NULL)
        table->flush (out, table->flush_data);
    }
  free (todo);
}

void
ph_sock_table_write_end (PhSockTable *table,
                         PhBuf       *out)
{
  ph_rec_start (out, PH_RECORD_END);
  ph_rec_u64 (out, PH_KEY_SEQ, table->seq);
  ph_rec_u64 (out, PH_KEY_SOCKETS, table->socks.count);
  ph_rec_u64 (out, PH_KEY_ELAPSED_US, table->elapsed_us);
  ph_rec_u64 (out, PH_KEY_WALKED, table->walked);
  ph_rec_end (out);
}

