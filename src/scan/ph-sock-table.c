/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table.c — sockets + an inode → (pid, fd) map kept between refreshes + diffs */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-protocol.h"
#include "ph-sock-table-private.h"

/* Entries freed wait in a list of the table's: AddressSanitizer is told they are not
 * to be touched until handed out again. */
#if defined(__SANITIZE_ADDRESS__)
#define PH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PH_ASAN 1
#endif
#endif
#ifdef PH_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION (p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION (p, n)
#else
#define POISON(p, n)   ((void) (p), (void) (n))
#define UNPOISON(p, n) ((void) (p), (void) (n))
#endif

/*
 * How a refresh stays cheap: the socket list comes from one netlink dump per protocol and
 * family; who holds a socket is remembered between refreshes. /proc itself is listed
 * (one getdents) to learn which processes are new or gone, and only when one may have
 * started (the namespace's last PID moved); the holders (and the processes whose fds we
 * may not read) are watched for their exit with a pidfd each, in one epoll set, so a
 * quiet refresh lists nothing. Only new processes get their fds read (when they are many,
 * only those the kernel's task_file iterator names as holders: ph-sock-table-iter.c).
 * Only when a socket remains whose holder is unknown are older processes
 * walked: first those of the socket's uid whose number of open files changed since their
 * last walk (told by one stat of /proc/PID/fd; for a holder, one fstat () of that directory,
 * kept open since its walk), then the others of that uid, then the
 * rest, stopping as soon as every such socket has a holder. A process is told apart from an earlier one with the same PID by
 * the inode of its /proc entry (a new one is made for every process) and, for owners, by
 * its start time. The steps of a refresh are ph-sock-table-sockets.c, -procs.c and
 * -owners.c; what it found is written by ph-sock-table-write.c.
 *
 * What no listing shows: a holder that renames itself (comm, or its command line in place
 * as setproctitle () does), exec's into another program keeping the socket, or hands the
 * socket to another process and closes its own. So every two seconds (RECHECK_US) each
 * process holding a socket is checked, at most RECHECK_MAX a refresh in turn: its comm and
 * command line are still what was sent (two reads), and its fds still name the sockets it
 * is listed for (one readlink each) when its number of open files changed (one stat of
 * /proc/PID/fd; on kernels before 6.2, which do not count them, every ten seconds).
 * Anything different is read again.
 */

/* The inode number of the system's first PID namespace (PROC_PID_INIT_INO in the kernel,
 * the same on every Linux since 3.8). */
#define INIT_PID_NS_INODE 0xEFFFFFFCu

/* Why a process holding a socket could be out of sight, or NULL when every process is in
 * sight: /proc lists the processes of one PID namespace, so it shows them all only when it
 * is the helper's own namespace and that is the system's first one. A sandbox (Flatpak),
 * a container or a test harness runs in a namespace of its own; there a socket with no
 * holder in view may well be held by a process outside, and is not "the kernel's". */
static const char *
why_unseen (int  proc_fd,
            bool own_pidns)
{
  char link[64];
  ssize_t n;
  PhBuf status = PH_BUF_INIT;
  const char *nspid;
  bool nested = false;

  if (proc_fd < 0)
    return PH_UNSEEN_NO_PROC;
  if (!own_pidns)
    return PH_UNSEEN_PID_NAMESPACE;

  /* "pid:[4026531836]"; unreadable only on kernels older than 3.8. */
  n = readlinkat (proc_fd, "self/ns/pid", link, sizeof link - 1);
  if (n > 0)
    {
      uint64_t ino;
      const char *end;

      link[n] = '\0';
      if (strncmp (link, "pid:[", 5) == 0 && ph_parse_u64 (link + 5, &end, &ino) && *end == ']'
          && ino != INIT_PID_NS_INODE)
        return PH_UNSEEN_PID_NAMESPACE;
    }

  /* NSpid lists the PID in each namespace from that of this /proc down to ours: more
   * than one means a namespace below the one this /proc shows. */
  if (ph_read_file_at (proc_fd, "self/status", &status, 64 * 1024) == 0 && status.len > 0
      && (nspid = strstr (status.data, "\nNSpid:")) != NULL)
    {
      const char *p = nspid + 7;
      int numbers = 0;

      while (*p != '\0' && *p != '\n')
        {
          while (*p == '\t' || *p == ' ')
            p++;
          if (*p >= '0' && *p <= '9')
            numbers++;
          while (*p >= '0' && *p <= '9')
            p++;
          if (*p != '\t' && *p != ' ' && *p != '\n' && *p != '\0')
            break;
        }
      nested = numbers > 1;
    }
  ph_buf_free (&status);
  return nested ? PH_UNSEEN_PID_NAMESPACE : NULL;
}

PhSockTable *
ph_sock_table_new (const char  *proc_root,
                   PhScanFlags  flags,
                   PhSource     source)
{
  PhSockTable *table = ph_xcalloc (1, sizeof *table);
  char path[4096];

  table->flags = flags;
  table->source = source;
  table->euid = (uint32_t) geteuid ();
  table->nl.fd = -1;
  table->proc_fd = open (proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (table->proc_fd < 0)
    ph_rec_warn (&table->warnings, PH_WARN_PROC_UNREADABLE,
                 "The process list cannot be read; owners are unknown.");
  if (table->proc_fd >= 0)
    {
      char self[32], want[32];
      ssize_t n = readlinkat (table->proc_fd, "self", self, sizeof self - 1);

      snprintf (want, sizeof want, "%d", (int) getpid ());
      table->own_pidns = n > 0 && (size_t) n == strlen (want)
                         && memcmp (self, want, (size_t) n) == 0;
      /* Whether the size of /proc/PID/fd is its number of open files (Linux 6.2 and
       * later; 0 before): ours is not 0, since proc_fd is open. */
      {
        struct stat st;

        table->fds_counted = fstatat (table->proc_fd, "self/fd", &st, 0) == 0 && st.st_size > 0;
      }
    }
  table->unseen = why_unseen (table->proc_fd, table->own_pidns);
  table->classified_unreadable = SIZE_MAX;
  table->iter_min_new = ITERATOR_MIN_NEW;
  ph_sock_table_open_exit_watch (table);
  /* Half the descriptors we may open (after open_exit_watch () raised the limit) for the
   * holders' fd directories, so that keeping them never makes a walk's open fail. */
  {
    struct rlimit rl;

    table->fds_keep_below = getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                            ? (int) (rl.rlim_cur / 2 < INT_MAX ? rl.rlim_cur / 2 : INT_MAX)
                            : 512;
  }
  snprintf (path, sizeof path, "%s/net", proc_root);
  table->procnet_dir = ph_xstrdup (path);
  table->dents = ph_xmalloc (DENTS_SIZE);
  table->fd_dents = ph_xmalloc (DENTS_SIZE);

  if (source != PH_SOURCE_PROCFS)
    {
      int err = ph_netlink_open (&table->nl);

      table->netlink_ok = err == 0;
      if (!table->netlink_ok)
        ph_rec_warn (&table->warnings, PH_WARN_NETLINK_UNAVAILABLE,
                     "The kernel's socket diagnostics are unavailable; reading /proc/net instead.");
    }
  return table;
}

/* Entries are made ENTRY_CHUNK at a time, which spares malloc ()'s header and rounding
 * for each (8 bytes of 88); the chunks are kept until the table is freed, so they follow
 * the largest number of sockets seen at once, as the heap would. */
SockEntry *
ph_sock_table_entry_new (PhSockTable *table)
{
  SockEntry *e;

  if (table->free_entries != NULL)
    {
      e = table->free_entries;
      UNPOISON (e, sizeof *e);
      table->free_entries = e->next_free;
    }
  else
    {
      if (table->chunks == NULL || table->chunk_used == ENTRY_CHUNK)
        {
          EntryChunk *c = ph_xmalloc (sizeof *c);

          c->next = table->chunks;
          table->chunks = c;
          table->chunk_used = 0;
        }
      e = &table->chunks->entries[table->chunk_used++];
    }
  memset (e, 0, sizeof *e);
  return e;
}

void
ph_sock_table_entry_free (PhSockTable *table,
                          SockEntry   *e)
{
  if (e->owners_heap)
    free (e->many);
  e->next_free = table->free_entries;
  table->free_entries = e;
  POISON (e, sizeof *e);
}

static void
proc_free (Proc *p)
{
  unwatch_exit (p);
  if (p->has_facts)
    ph_proc_facts_clear (&p->facts);
  free (p);
}

void
ph_sock_table_set_flush (PhSockTable *table,
                         PhFlushFunc  flush,
                         void        *data)
{
  table->flush = flush;
  table->flush_data = data;
}

void
ph_sock_table_set_iterator_min (PhSockTable *table,
                                size_t       min_new)
{
  table->iter_min_new = min_new;
}

unsigned
ph_sock_table_iterator_runs (PhSockTable *table)
{
  return table->iter_runs;
}

void
ph_sock_table_free (PhSockTable *table)
{
  if (table == NULL)
    return;
  for (size_t i = 0; i < table->socks.size; i++)
    {
      SockEntry *e = table->socks.slots[i].value;

      if (e != NULL && e->owners_heap)
        free (e->many);
    }
  while (table->chunks != NULL)
    {
      EntryChunk *c = table->chunks;

      table->chunks = c->next;
      UNPOISON (c, sizeof *c);
      free (c);
    }
  for (size_t i = 0; i < table->procs.size; i++)
    {
      if (table->procs.slots[i].value != NULL)
        proc_free (table->procs.slots[i].value);
    }
  ph_map_clear (&table->socks);
  ph_map_clear (&table->procs);
  ph_netlink_close (&table->nl);
  ph_sock_list_free (&table->list);
  ph_cgroup_cache_clear (&table->cgroups);
  ph_buf_free (&table->scratch);
  ph_buf_free (&table->warnings);
  free (table->dents);
  free (table->fd_dents);
  free (table->found);
  free (table->dirty.v);
  free (table->to_search.v);
  free (table->order);
  free (table->gone_inodes);
  free (table->procnet_dir);
  if (table->exit_ep >= 0)
    close (table->exit_ep);
  if (table->proc_fd >= 0)
    close (table->proc_fd);
  free (table);
}

const char *
ph_sock_table_source_name (PhSockTable *table)
{
  return table->netlink_ok && !table->use_procfs[0][0] ? "netlink" : "procfs";
}

static void
classify_entry (PhSockTable *table,
                SockEntry   *e)
{
  bool hidden = false, kernel = false, unseen = false;

  e->searched = true;
  e->listed = false;
  if (e->n_owners == 0)
    {
      /* Nobody in view holds it: someone we may not look into (more rights would
       * show them), someone out of sight (no rights would), or nobody at all. */
      if (table->n_unreadable > 0)
        hidden = true;
      else if (table->unseen != NULL)
        unseen = true;
      else if (table->euid != 0 && e->sock.uid != table->euid)
        hidden = true;
      else
        kernel = true;
    }
  if (hidden != e->hidden || kernel != e->kernel || unseen != e->unseen)
    {
      e->hidden = hidden;
      e->kernel = kernel;
      e->unseen = unseen;
      mark_dirty (table, e);
    }
}

static void
classify (PhSockTable *table)
{
  /* What it decides depends on the owners and the uid (a change marks the entry dirty)
   * and the number of unreadable processes only: with the latter unchanged, only the
   * dirty entries and those left to search (which it marks searched) need it, when they
   * were few enough to be listed. */
  bool all = table->n_unreadable != table->classified_unreadable || table->dirty.overflow
             || table->to_search.overflow;

  if (!table->changed && !table->maybe_unfound && !all)
    return;
  table->classified_unreadable = table->n_unreadable;
  table->maybe_unfound = false;
  if (all)
    {
      for (size_t i = 0; i < table->socks.size; i++)
        if (table->socks.slots[i].value != NULL)
          classify_entry (table, table->socks.slots[i].value);
    }
  else
    {
      /* mark_dirty () adds only entries not yet dirty: none of these. */
      for (size_t i = 0; i < table->dirty.n; i++)
        classify_entry (table, table->dirty.v[i]);
      for (size_t i = 0; i < table->to_search.n; i++)
        classify_entry (table, table->to_search.v[i]);
    }
  entry_list_reset (&table->to_search);
}

static void
forget_gone_processes (PhSockTable *table)
{
  for (size_t g = 0; g < table->procs.size; g++)
    {
      Proc *p = table->procs.slots[g].value;

      while (p != NULL && p->gone)
        {
          ph_map_remove (&table->procs, (uint64_t) p->pid);
          proc_free (p);
          p = table->procs.slots[g].value;
        }
    }
}

void
ph_sock_table_refresh (PhSockTable *table,
                       PhBuf       *out)
{
  uint64_t t0 = ph_now_us ();
  bool full = table->seq == 0;

  table->gen++;
  table->seq++;
  table->walked = 0;
  table->changed = false;
  table->procs_changed = false;

  ph_sock_table_dump_sockets (table);
  ph_sock_table_merge_sockets (table);
  /* The dump is merged: a first snapshot gives its storage back before the processes are
   * read, whose memory would add to it (a quarter of the helper's peak at 20,000
   * sockets); from the second refresh on it is kept, to be filled again. */
  if (full)
    ph_sock_list_free (&table->list);
  ph_sock_table_list_processes (table);
  ph_sock_table_find_owners (table);
  classify (table);

  if (table->warnings.len > 0)
    {
      ph_buf_append (out, table->warnings.data, table->warnings.len);
      ph_buf_clear (&table->warnings);
    }
  ph_sock_table_write_change_set (table, full, out);
  forget_gone_processes (table);
#ifdef __GLIBC__
  /* What a first snapshot alone needed (the sorted copy of every entry and qsort ()'s own,
   * the iterator's maps, the arrays of the walk) lies freed between what stays, where
   * malloc () keeps its pages: given back once, before the next dump adds its list. */
  if (full && !table->once)
    malloc_trim (0);
#endif

  table->elapsed_us = ph_now_us () - t0;
  ph_sock_table_write_end (table, out);
}
