/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table-write.c — a refresh written as a change set: what went, then what changed */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ph-escape.h"
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

/* A SOCK record is written straight into the buffer (out->data from out->len, with room
 * reserved first) rather than field by field through ph_rec_* (): 20,000 of them are most
 * of a first snapshot's output, and the calls, key lengths and room checks per field cost
 * more than the bytes. The record is the same, byte for byte. */
#define SOCK_FIXED_ROOM 384   /* everything but the owners and the two strings */
#define STR_ROOM        (256 + 16)   /* a string copied as it is (at most 256), its key */
#define OWNER_ROOM      40    /* ",PID:START:FD" at most */

static inline char *
put_i64 (char    *o,
         int64_t  v)
{
  if (v < 0)
    {
      *o++ = '-';
      return ph_put_u64 (o, (uint64_t) 0 - (uint64_t) v);
    }
  return ph_put_u64 (o, (uint64_t) v);
}

#define PUT_LIT(o, lit) (memcpy ((o), (lit), sizeof (lit) - 1), (o) + sizeof (lit) - 1)
#define PUT_KEY(o, k)   PUT_LIT (o, "\t" k "=")

/* @value as ph_rec_str () writes it under @key (a literal "\tKEY="), from @o in @out's
 * room: copied when nothing in it needs escaping (the usual case), else escaped. Returns
 * where the record goes on, with room for @room more bytes. */
static char *
put_str (PhBuf      *out,
         char       *o,
         const char *key,
         size_t      key_len,
         const char *value,
         size_t      room)
{
  size_t len, i;

  if (value == NULL)
    return o;
  memcpy (o, key, key_len);
  o += key_len;
  len = strlen (value);
  for (i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) value[i];

      if (c < 0x20 || c >= 0x7f || c == '\\')
        break;
    }
  if (i == len && len <= 256)
    {
      memcpy (o, value, len);
      return o + len;
    }
  out->len = (size_t) (o - out->data);
  ph_escape_append (out, value, len);
  ph_buf_reserve (out, room);
  return out->data + out->len;
}

#define PUT_STR(out, o, k, value, room) \
  put_str ((out), (o), "\t" k "=", sizeof ("\t" k "=") - 1, (value), (room))

static void
write_sock (PhSockTable *table,
            SockEntry   *e,
            PhBuf       *out)
{
  const PhSock *s = &e->sock;
  size_t room = SOCK_FIXED_ROOM + 2 * STR_ROOM + (size_t) e->n_owners * OWNER_ROOM;
  char *o;

  ph_buf_reserve (out, room);
  o = out->data + out->len;
  o = PUT_LIT (o, "SOCK");
  o = PUT_KEY (o, PH_KEY_ID);
  o = ph_put_u64 (o, s->inode);
  o = s->proto == PH_PROTO_TCP ? PUT_LIT (o, "\t" PH_KEY_PROTO "=tcp")
                               : PUT_LIT (o, "\t" PH_KEY_PROTO "=udp");
  o = PUT_KEY (o, PH_KEY_FAMILY);
  o = ph_put_u64 (o, s->family);
  o = PUT_KEY (o, PH_KEY_ADDR);
  /* Digits, dots, colons and hex letters: nothing to escape. */
  ph_sock_format_addr (s, o, 64);
  o += strlen (o);
  o = PUT_KEY (o, PH_KEY_PORT);
  o = ph_put_u64 (o, s->port);
  if (s->scope != 0)
    {
      o = PUT_KEY (o, PH_KEY_SCOPE);
      o = ph_put_u64 (o, s->scope);
    }
  if (s->family == 6 && s->v6only >= 0)
    {
      o = PUT_KEY (o, PH_KEY_V6ONLY);
      o = ph_put_u64 (o, (uint64_t) s->v6only);
    }
  o = PUT_KEY (o, PH_KEY_UID);
  o = ph_put_u64 (o, s->uid);
  o = PUT_STR (out, o, PH_KEY_USER, ph_passwd_lookup (s->uid), room);
  o = PUT_KEY (o, PH_KEY_INODE);
  o = ph_put_u64 (o, s->inode);
  if (s->cgroup_id != 0)
    {
      o = PUT_KEY (o, PH_KEY_CGROUP);
      o = ph_put_u64 (o, s->cgroup_id);
    }
  o = PUT_KEY (o, PH_KEY_CONNS);
  o = ph_put_u64 (o, s->conns);
  o = PUT_KEY (o, PH_KEY_OWNERS);
  if (e->n_owners > 1)
    qsort (entry_owners (e), e->n_owners, sizeof (Owner), compare_owner);
  for (uint32_t i = 0; i < e->n_owners; i++)
    {
      if (i > 0)
        *o++ = ',';
      o = put_i64 (o, entry_owners (e)[i].pid);
      *o++ = ':';
      o = ph_put_u64 (o, entry_owners (e)[i].start);
      *o++ = ':';
      o = put_i64 (o, entry_owners (e)[i].fd);
    }
  o = PUT_KEY (o, PH_KEY_HIDDEN);
  o = ph_put_u64 (o, e->hidden);
  o = PUT_KEY (o, PH_KEY_KERNEL);
  o = ph_put_u64 (o, e->kernel);
  o = PUT_STR (out, o, PH_KEY_UNSEEN, e->unseen ? table->unseen : NULL, room);
  *o++ = '\n';
  *o = '\0';
  out->len = (size_t) (o - out->data);
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
          Proc *p = ph_map_get (&table->procs, (uint64_t) entry_owners (e)[k].pid);

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
          Proc *p = ph_map_get (&table->procs, (uint64_t) entry_owners (e)[k].pid);

          if (p == NULL || !p->has_facts || p->sent_gen == table->gen)
            continue;
          if (full || !p->emitted || p->facts_dirty || p->emitted_start != p->start)
            write_proc (table, p, out);
        }
      write_sock (table, e, out);
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

