/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table-owners.c — who holds each socket: processes' fds walked, holders checked again */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-sock-table-private.h"

#define RECHECK_US     2000000
#define RECHECK_FDS_US 10000000
#define RECHECK_MAX    4

static bool
owner_touch (PhSockTable *table,
             SockEntry   *e,
             Proc        *holder,
             int32_t      fd)
{
  int32_t pid = holder->pid;
  uint64_t start = holder->start;

  for (uint32_t i = 0; i < e->n_owners; i++)
    {
      Owner *o = &entry_owners (e)[i];

      if (o->pid == pid && o->fd == fd && o->start == start)
        {
          o->gen = table->gen;
          return false;
        }
    }
  if (e->n_owners == 0 && !e->searched && table->counting)
    table->unfound--;
  /* Most sockets have one holder, kept in the entry itself; an array of them grows to the
   * next power of two when full. */
  if (!e->owners_heap && e->n_owners == 1)
    {
      Owner *v = ph_xmalloc (2 * sizeof *v);

      v[0] = e->one;
      e->many = v;
      e->owners_heap = true;
    }
  else if (e->owners_heap && e->n_owners >= 2 && (e->n_owners & (e->n_owners - 1)) == 0)
    e->many = ph_xrealloc (e->many, 2 * (size_t) e->n_owners * sizeof (Owner));
  entry_owners (e)[e->n_owners++] = (Owner) { pid, fd, start, table->gen };
  holder->n_refs++;   /* kept true between change sets (see refs_stale) */
  mark_dirty (table, e);
  return true;
}

/* Reads @p's facts through @pfd; @st is the stat just read through it, or NULL. Its
 * pidfd, when it has one, was opened before that stat, so it tells at the end that the
 * facts came from a process still there. */
static void
read_facts (PhSockTable  *table,
            Proc         *p,
            int           pfd,
            const PhStat *st)
{
  PhProcFacts f;
  PhStat now;

  p->checked_us = ph_now_us ();
  if (st == NULL && ph_proc_read_stat (pfd, &table->scratch, &now) == 0)
    st = &now;
  if (st == NULL
      || ph_proc_read_facts_cached (pfd, p->pid, st, p->pidfd, &table->cgroups, &table->scratch,
                                    &f) < 0
      || f.start != p->start)
    {
      if (st != NULL && f.comm != NULL)
        ph_proc_facts_clear (&f);
      mark_gone (table, p);
      return;
    }
  if (p->has_facts && ph_proc_facts_equal (&p->facts, &f))
    {
      ph_proc_facts_clear (&f);
      return;
    }
  if (p->has_facts)
    ph_proc_facts_clear (&p->facts);
  p->facts = f;
  p->has_facts = true;
  p->facts_dirty = true;
  table->changed = true;
}

/* Unreadable fds (EACCES, EPERM from opening /proc/PID/fd): looked at again through
 * /proc/PID, whose stat, read after the pidfd was opened, tells that the pidfd is this
 * process. Returns the fd directory when it became readable meanwhile (and its /proc/PID
 * in *pfd), else -1 with @p marked unreadable or gone. */
static int
open_fds_through_pid_dir (PhSockTable *table,
                          Proc        *p,
                          int         *pfd)
{
  char name[16];
  PhStat st;
  int fdd;

  snprintf (name, sizeof name, "%d", (int) p->pid);
  *pfd = openat (table->proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*pfd < 0)
    {
      mark_gone (table, p);
      return -1;
    }
  fdd = openat (*pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fdd >= 0)
    return fdd;
  if ((errno == EACCES || errno == EPERM) && ph_sock_table_watch_exit (table, p)
      && ph_proc_read_stat (*pfd, &table->scratch, &st) == 0)
    p->fd_unreadable = true;
  else
    mark_gone (table, p);
  close (*pfd);
  *pfd = -1;
  return -1;
}

static void take_found (PhSockTable *table, Proc *p, int pfd, int fdd);

/* A process was just walked and still showed @kept of the @had owners it had (its n_refs
 * before the walk: never fewer than it has, see refs_stale): when it had more,
 * prune_owners () must drop the others. A walk that showed every one of them again (most
 * walks: a holder that opened one more socket) changes nothing it would drop. */
static void
lost_owners (PhSockTable *table,
             uint32_t     had,
             uint32_t     kept)
{
  if (kept != had)
    table->procs_changed = true;
}

static void
found_add (PhSockTable *table,
           SockEntry   *e,
           int32_t      fd)
{
  if (table->n_found == table->cap_found)
    {
      table->cap_found = table->cap_found ? table->cap_found * 2 : 64;
      table->found = ph_xrealloc (table->found, table->cap_found * sizeof *table->found);
    }
  table->found[table->n_found++] = (Found) { e, fd };
}

static void
walk_process (PhSockTable *table,
              Proc        *p)
{
  char name[24];
  char link[64];
  int pfd = -1, fdd;

  if (p->walked_gen == table->gen || p->gone)
    return;
  p->walked_gen = table->gen;
  if (p->fd_unreadable)
    return;
  table->walked++;
  p->fds_checked_us = ph_now_us ();
  /* /proc/PID/fd in one step: most processes hold none of our sockets, and only those
   * that do need /proc/PID itself (reached below through this very directory). */
  snprintf (name, sizeof name, "%d/fd", (int) p->pid);
  fdd = openat (table->proc_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fdd < 0 && (errno == EACCES || errno == EPERM))
    fdd = open_fds_through_pid_dir (table, p, &pfd);
  else if (fdd < 0)
    mark_gone (table, p);
  if (fdd < 0)
    return;

  /* Linux 6.2 and later give the number of open files as the size of /proc/PID/fd:
   * taken before the listing, a file opened later changes it, so fd_count_changed ()
   * can tell that this process must be walked again. None open (a kernel thread): there
   * is nothing to list. */
  {
    struct stat fst;
    bool counted = fstat (fdd, &fst) == 0;

    p->n_fds = counted && fst.st_size > 0 ? (int64_t) fst.st_size : -1;
    p->checked_n_fds = p->n_fds;
    if (counted && fst.st_size == 0 && table->fds_counted)
      {
        lost_owners (table, p->n_refs, 0);
        close (fdd);
        if (pfd >= 0)
          close (pfd);
        return;
      }
  }
  table->n_found = 0;
  for (;;)
    {
      ssize_t n = getdents64 (fdd, table->fd_dents, DENTS_SIZE);

      if (n <= 0)
        break;
      for (ssize_t off = 0; off < n;)
        {
          struct dirent64 *d = (struct dirent64 *) (void *) (table->fd_dents + off);
          int32_t fd;
          ssize_t l;
          uint64_t ino;
          SockEntry *e;

          off += d->d_reclen;
          if (!ph_parse_fd_name (d->d_name, &fd))
            continue;
          l = readlinkat (fdd, d->d_name, link, sizeof link - 1);
          /* A file closed meanwhile (ENOENT) is simply not held any more. */
          if (l < 10 || !ph_parse_socket_link (link, (size_t) l, &ino))
            continue;
          e = ph_map_get (&table->socks, ino);
          if (e != NULL)
            found_add (table, e, fd);
        }
    }

  /* /proc/PID as the parent of the directory just listed: the same process, never a
   * later one with the same PID (a lookup by number could name that one). */
  if (table->n_found > 0 && pfd < 0)
    pfd = openat (fdd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (table->n_found == 0)
    {
      lost_owners (table, p->n_refs, 0);
      close (fdd);
      if (pfd >= 0)
        close (pfd);
      return;
    }
  take_found (table, p, pfd, fdd);
}

/* The end of a walk that found @p holding the sockets of table->found, through @pfd (its
 * /proc/PID, the one those fds were read in, or -1): its start time, its holdings, its
 * facts. Closes @pfd; @fdd, the fd directory listed (or -1), is kept or closed. */
static void
take_found (PhSockTable *table,
            Proc        *p,
            int          pfd,
            int          fdd)
{
  PhStat st;
  bool added = false;
  uint32_t had = p->n_refs, kept = 0;

  /* Read after the fds (and the pidfd) and through the same /proc/PID: if the process
   * went away, this fails instead of naming a later process with the same PID. */
  if (pfd < 0 || !ph_sock_table_watch_exit (table, p)
      || ph_proc_read_stat (pfd, &table->scratch, &st) < 0)
    {
      mark_gone (table, p);
      if (fdd >= 0)
        close (fdd);
      if (pfd >= 0)
        close (pfd);
      return;
    }
  /* A holder keeps its fd directory open: fd_count_changed () then costs one fstat (),
   * without the lookup of /proc/PID/fd by name (half of that stat's cost), when a new
   * socket's holder is looked for among the holders. Only this process: the fstat
   * fails once it ended, whatever has its PID by then. */
  if (p->fds_fd >= 0)
    close (p->fds_fd);
  p->fds_fd = -1;
  if (fdd >= 0 && fdd < table->fds_keep_below)
    p->fds_fd = fdd;
  else if (fdd >= 0)
    close (fdd);
  if (!p->start_known || p->start != st.start)
    {
      if (p->has_facts)
        ph_proc_facts_clear (&p->facts);
      p->has_facts = false;
      p->start = st.start;
      p->start_known = true;
      table->procs_changed = true;   /* owners of the earlier instance go */
    }
  for (size_t i = 0; i < table->n_found; i++)
    {
      if (owner_touch (table, table->found[i].entry, p, table->found[i].fd))
        added = true;
      else
        kept++;
    }
  lost_owners (table, had, kept);
  /* Facts are read once per process instance; again only when it shows a new socket
   * (it may have exec'd meanwhile). */
  if (!p->has_facts || added)
    read_facts (table, p, pfd, &st);
  close (pfd);
}

/* Drops owners that are no longer true: their process is gone, is another instance, or
 * was just walked and no longer showed that fd. Sockets left without a known holder are
 * looked for again. */
static void
prune_owners (PhSockTable *table)
{
  for (size_t i = 0; i < table->socks.size; i++)
    {
      SockEntry *e = table->socks.slots[i].value;
      uint32_t keep = 0;
      uint32_t before;

      if (e == NULL)
        continue;
      before = e->n_owners;
      for (uint32_t k = 0; k < e->n_owners; k++)
        {
          Owner *o = &entry_owners (e)[k];
          Proc *p = ph_map_get (&table->procs, (uint64_t) o->pid);

          if (p == NULL || p->gone || (p->start_known && p->start != o->start)
              || (p->walked_gen == table->gen && o->gen != table->gen && !p->fd_unreadable))
            continue;
          entry_owners (e)[keep++] = *o;
        }
      e->n_owners = keep;
      if (keep != before)
        {
          table->refs_stale = true;
          mark_dirty (table, e);
          if (keep == 0)
            mark_unfound (table, e);
        }
    }
}

static long
count_unfound (PhSockTable *table,
               PhMap       *uids)
{
  long n = 0;

  /* Only entries of the to_search list can be unsearched (unless it overflowed): classify ()
   * marks every entry searched at the end of a refresh that may have left one so. */
  bool listed = !table->to_search.overflow;
  size_t n_all = listed ? table->to_search.n : table->socks.size;

  for (size_t i = 0; i < n_all; i++)
    {
      SockEntry *e = listed ? table->to_search.v[i] : table->socks.slots[i].value;

      if (e != NULL && !e->searched && e->n_owners == 0)
        {
          n++;
          if (uids != NULL)
            ph_map_set (uids, (uint64_t) e->sock.uid + 1, (void *) 1);
        }
    }
  return n;
}

static bool
proc_uid (PhSockTable *table,
          Proc        *p,
          uint32_t    *uid)
{
  char name[16];
  struct stat st;

  if (!p->uid_known)
    {
      snprintf (name, sizeof name, "%d", (int) p->pid);
      if (fstatat (table->proc_fd, name, &st, 0) < 0)
        return false;
      p->uid = (uint32_t) st.st_uid;
      p->uid_known = true;
    }
  *uid = p->uid;
  return true;
}

/* Whether @p's number of open files differs from what it was when it was last walked:
 * one stat of /proc/PID/fd, where walking it reads every fd's link. Unknown (never
 * walked, or a kernel before 6.2) counts as unchanged: the later phases walk those. */
static bool
fd_count_changed (PhSockTable *table,
                  Proc        *p)
{
  char name[32];
  struct stat st;

  if (p->n_fds < 0)
    return false;
  if (p->fds_fd >= 0)
    {
      if (fstat (p->fds_fd, &st) < 0)
        return true;   /* ended: the walk finds out */
      return (int64_t) st.st_size != p->n_fds;
    }
  snprintf (name, sizeof name, "%d/fd", (int) p->pid);
  if (fstatat (table->proc_fd, name, &st, 0) < 0)
    return true;   /* gone, or no longer ours to read: the walk tells which */
  return (int64_t) st.st_size != p->n_fds;
}

/* Whether the facts last sent for @p still hold: same comm, same command line. */
static bool
facts_still_true (PhSockTable *table,
                  Proc        *p,
                  int          pfd)
{
  PhStat st;
  size_t len;

  if (ph_proc_read_stat (pfd, &table->scratch, &st) < 0 || st.start != p->start)
    return false;
  if (strcmp (st.comm, p->facts.comm) != 0)
    return false;
  if (ph_read_proc_file_at (pfd, "cmdline", &table->scratch, PH_CMDLINE_MAX) < 0)
    return p->facts.cmdline == NULL;
  len = table->scratch.len;
  /* stored without the final NUL, as ph_proc_read_facts () does */
  if (len > 0 && table->scratch.data[len - 1] == '\0')
    len--;
  return p->facts.cmdline != NULL && len == p->facts.cmdline_len
         && (len == 0 || memcmp (table->scratch.data, p->facts.cmdline, len) == 0);
}

/* The regular check of every holder (see the top of this file): owners whose fd no longer
 * names their socket are dropped (the socket is then looked for again), and a holder whose
 * comm or command line changed has its facts read again. At most RECHECK_MAX holders per
 * refresh, so that no refresh pays for all of them at once. */
static void
recheck_holders (PhSockTable *table)
{
  struct { Proc *p; int pfd; int fdd; bool names; } due[RECHECK_MAX];
  size_t n_due = 0;
  bool any_fds = false;
  uint64_t now = ph_now_us ();
  char name[16];
  char fdname[16];
  char link[64];
  char want[40];

  for (size_t i = 0; i < table->procs.size && n_due < RECHECK_MAX; i++)
    {
      Proc *p = table->procs.slots[i].value;
      bool names, fds;
      int pfd, fdd = -1;

      if (p == NULL || p->n_refs == 0 || !p->has_facts || p->gone || p->fd_unreadable
          || p->walked_gen == table->gen)
        continue;
      names = now - p->checked_us >= RECHECK_US;
      if (!names)
        continue;
      p->checked_us = now;
      snprintf (name, sizeof name, "%d", (int) p->pid);
      pfd = openat (table->proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
      /* Its fds: read when their number changed (or, uncounted, now and then). */
      fds = false;
      if (pfd >= 0)
        {
          struct stat st;

          if (p->checked_n_fds >= 0)
            fds = fstatat (pfd, "fd", &st, 0) < 0 || (int64_t) st.st_size != p->checked_n_fds;
          else
            fds = now - p->fds_checked_us >= RECHECK_FDS_US;
          if (fds)
            {
              fdd = openat (pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
              if (fdd >= 0 && fstat (fdd, &st) == 0 && p->checked_n_fds >= 0)
                p->checked_n_fds = st.st_size > 0 ? (int64_t) st.st_size : -1;
              p->fds_checked_us = now;
            }
        }
      if (pfd < 0 || (fds && fdd < 0))
        {
          /* Gone (a later walk finds out if it only became unreadable). */
          if (pfd >= 0)
            close (pfd);
          if (errno != EACCES && errno != EPERM)
            mark_gone (table, p);
          continue;
        }
      due[n_due].p = p;
      due[n_due].pfd = pfd;
      due[n_due].fdd = fdd;
      due[n_due].names = names;
      n_due++;
      any_fds |= fdd >= 0;
    }
  if (n_due == 0)
    return;

  /* The owners among the due processes whose fds are read: only when one's number of
   * open files changed (or is not counted), which is seldom. */
  for (size_t i = 0; any_fds && i < table->socks.size; i++)
    {
      SockEntry *e = table->socks.slots[i].value;
      uint32_t keep = 0;
      size_t want_len = 0;

      if (e == NULL)
        continue;
      for (uint32_t k = 0; k < e->n_owners; k++)
        {
          Owner *o = &entry_owners (e)[k];
          int fdd = -1;
          ssize_t n;

          for (size_t d = 0; d < n_due; d++)
            if (due[d].p->pid == o->pid && due[d].p->start == o->start)
              fdd = due[d].fdd;
          if (fdd >= 0)
            {
              if (want_len == 0)
                want_len = (size_t) snprintf (want, sizeof want, "socket:[%llu]",
                                              (unsigned long long) e->sock.inode);
              snprintf (fdname, sizeof fdname, "%d", (int) o->fd);
              n = readlinkat (fdd, fdname, link, sizeof link - 1);
              if (n < 0 || (size_t) n != want_len || memcmp (link, want, want_len) != 0)
                continue;
            }
          entry_owners (e)[keep++] = *o;
        }
      if (keep != e->n_owners)
        {
          e->n_owners = keep;
          table->refs_stale = true;
          mark_dirty (table, e);
          if (keep == 0)
            mark_unfound (table, e);
        }
    }

  for (size_t i = 0; i < n_due; i++)
    {
      Proc *p = due[i].p;

      if (due[i].names && !facts_still_true (table, p, due[i].pfd))
        read_facts (table, p, due[i].pfd, NULL);
      if (due[i].fdd >= 0)
        close (due[i].fdd);
      close (due[i].pfd);
    }
}

/* What @p holds is known without a walk (from the task_file iterator, whose fds for it
 * are confirmed, or read again): as if walked; its owners are then touched. */
static void
mark_walked (PhSockTable *table,
             Proc        *p)
{
  p->walked_gen = table->gen;
  table->walked++;
  p->fds_checked_us = ph_now_us ();
  p->checked_n_fds = p->n_fds;
}

/* @p showed no socket of the table to the task_file iterator: as if walked. */
static void
walked_by_iterator (PhSockTable *table,
                    Proc        *p)
{
  if (p->walked_gen == table->gen || p->gone)
    return;
  mark_walked (table, p);
  lost_owners (table, p->n_refs, 0);
}

/* Walks @p through the @n fds the task_file iterator saw holding sockets of the table,
 * each read again in /proc (one readlinkat () through /proc/PID) instead of listing and
 * reading all of @p's fds: a holder is still named by /proc, never by the iterator. The
 * number of open files was taken before the iterator looked, as a walk takes it before it
 * lists. False, with nothing done, when one of them no longer names the socket it named
 * (closed, moved to another fd, or the PID is another process's now): the caller walks @p
 * in full, so nothing the iterator saw earlier is reported. */
static bool
walk_process_fds (PhSockTable  *table,
                  Proc         *p,
                  const IterFd *fds,
                  size_t        n)
{
  char name[32];
  char link[64];
  int pfd;

  if (p->walked_gen == table->gen || p->gone)
    return true;
  pfd = openat (table->proc_fd, ph_proc_path (name, "", p->pid, ""),
                O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0)
    return false;
  table->n_found = 0;
  for (size_t i = 0; i < n; i++)
    {
      ssize_t l;
      uint64_t ino;
      SockEntry *e;

      l = readlinkat (pfd, ph_proc_path (name, "fd/", fds[i].fd, ""), link, sizeof link - 1);
      if (l < 10 || !ph_parse_socket_link (link, (size_t) l, &ino) || ino != fds[i].ino
          || (e = ph_map_get (&table->socks, ino)) == NULL)
        {
          close (pfd);
          table->iter_stale++;
          return false;
        }
      found_add (table, e, fds[i].fd);
    }
  mark_walked (table, p);
  table->iter_reread++;
  take_found (table, p, pfd, -1);
  return true;
}

/* The first half of taking a process the task_file iterator named as a holder (new, and
 * without facts): its pidfd, then from /proc/PID its start time and facts. Whether it
 * held those sockets is told afterwards by the iterator's second run, and that it was
 * still this process then by its pidfd (confirm_holder ()). False, with nothing done, when
 * @p is to be taken the other way (it has no pidfd to tell: walk_process_fds ()); true
 * when read, or when it is gone. */
static bool
read_holder (PhSockTable *table,
             Proc        *p)
{
  char dir[32];
  PhStat st;
  PhProcFacts f;

  if (p->has_facts || p->gone)
    return false;
  if (!ph_sock_table_watch_exit (table, p))
    {
      mark_gone (table, p);
      return true;
    }
  if (p->pidfd < 0)
    return false;
  /* Read by PID under /proc, after the pidfd was opened: while that process lives, its
   * PID names nothing else, and the pidfd is polled once the second run is over (no
   * /proc/PID directory opened and closed for each: two system calls of some 17). */
  ph_proc_path (dir, "", p->pid, "/");
  if (ph_proc_read_stat_in (table->proc_fd, dir, &table->scratch, &st) < 0
      || ph_proc_read_facts_unconfirmed (table->proc_fd, dir, p->pid, &st, p->pidfd,
                                         &table->cgroups, &table->scratch, &f) < 0)
    {
      mark_gone (table, p);
      return true;
    }
  if (!p->start_known || p->start != st.start)
    table->procs_changed = true;   /* owners of the earlier instance go */
  p->start = st.start;
  p->start_known = true;
  p->checked_us = ph_now_us ();
  p->facts = f;
  p->has_facts = true;
  p->facts_dirty = true;
  table->changed = true;
  return true;
}

/* The second half: the iterator's second run, made after read_holder (), saw @p's PID
 * hold @fds (@n), and its pidfd, opened before that run, still named a live process after
 * it (@ended 0; 1: it had ended; -1: unknown, so it is walked): so that PID was this
 * process when it ran, and held them. */
static void
confirm_holder (PhSockTable  *table,
                Proc         *p,
                const IterFd *fds,
                size_t        n,
                int           ended)
{
  uint32_t had = p->n_refs, kept = 0;

  if (ended > 0)
    {
      mark_gone (table, p);
      return;
    }
  if (ended < 0)
    {
      walk_process (table, p);
      return;
    }
  mark_walked (table, p);
  for (size_t i = 0; i < n; i++)
    {
      SockEntry *e = ph_map_get (&table->socks, fds[i].ino);

      if (e != NULL && !owner_touch (table, e, p, fds[i].fd))
        kept++;
    }
  lost_owners (table, had, kept);
}

/* @pid's fds in @h: where they start, and how many (0: none). */
static size_t
iter_fds_of (const IterHolders *h,
             int32_t            pid,
             const IterFd     **fds)
{
  uintptr_t first = (uintptr_t) ph_map_get (&h->first, (uint64_t) pid);
  size_t n = 0;

  *fds = NULL;
  if (first == 0)
    return 0;
  *fds = h->fds + first - 1;
  while (first - 1 + n < h->n_fds && h->fds[first - 1 + n].pid == pid)
    n++;
  return n;
}

static bool
same_fds (const IterFd *a,
          size_t        n_a,
          const IterFd *b,
          size_t        n_b)
{
  if (n_a != n_b)
    return false;
  for (size_t i = 0; i < n_a; i++)
    if (a[i].fd != b[i].fd || a[i].ino != b[i].ino)
      return false;
  return true;
}

/* Phase 1: every new process; a new socket is most likely theirs, and a forked worker of
 * an old server is new too. When they are many (a first snapshot), the kernel's task_file
 * iterator names those that hold a socket of the table and on which fds: only those are
 * read (read_holder ()), and the iterator is run again afterwards; a process is their
 * holder when that second run saw the same fds (confirm_holder ()). One whose fds changed
 * in between, or that held none the first time and some the second, is walked in full,
 * as without the iterator. Without a second run, each fd is read again in /proc instead
 * (walk_process_fds ()). The number of open files of every one is taken before the
 * iterator looks, as a walk takes it before it lists, for fd_count_changed () to tell
 * later. */
static void
walk_new_processes (PhSockTable *table)
{
  IterHolders holders = ITER_HOLDERS_INIT;
  IterHolders again = ITER_HOLDERS_INIT;
  size_t n_new = 0;
  bool by_iterator = false, confirmed = false;
  uint32_t *slot = NULL;
  struct pollfd *alive = NULL;
  size_t n_alive = 0;
  int polled = -1;

  for (size_t i = 0; i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;

      if (p != NULL && p->is_new && !p->gone)
        n_new++;
    }
  if (table->iter_min_new > 0 && n_new >= table->iter_min_new
      && ph_sock_table_iterator_usable (table))
    {
      for (size_t i = 0; i < table->procs.size; i++)
        {
          Proc *p = table->procs.slots[i].value;
          char name[32];
          struct stat st;

          if (p == NULL || !p->is_new || p->gone)
            continue;
          /* Listed before the iterator looked; its count only serves later refreshes. */
          if (table->once)
            {
              p->counted = true;
              p->n_fds = -1;
              continue;
            }
          p->counted = fstatat (table->proc_fd, ph_proc_path (name, "", p->pid, "/fd"), &st,
                                0) == 0;
          p->n_fds = p->counted && st.st_size > 0 ? (int64_t) st.st_size : -1;
        }
      by_iterator = ph_sock_table_find_holders_by_iterator (table, &holders);
    }
  if (by_iterator)
    {
      /* The holders it named are read first (slot[i] != 0: the one whose fds start at
       * fds[i] was; its pidfd is alive[slot[i] - 1], or slot[i] is ~0 once it is gone)... */
      slot = ph_xcalloc (holders.n_fds + 1, sizeof *slot);
      alive = ph_xmalloc ((holders.first.count + 1) * sizeof *alive);   /* one a process */
      for (size_t i = 0; i < holders.n_fds; i++)
        {
          Proc *p;

          if (i > 0 && holders.fds[i - 1].pid == holders.fds[i].pid)
            continue;
          p = ph_map_get (&table->procs, (uint64_t) holders.fds[i].pid);
          if (p == NULL || !p->is_new || !p->counted || !read_holder (table, p))
            continue;
          slot[i] = UINT32_MAX;
          if (p->gone)
            continue;
          alive[n_alive] = (struct pollfd) { .fd = p->pidfd, .events = POLLIN };
          slot[i] = (uint32_t) ++n_alive;
        }
      /* ...then it runs again: what it sees now is what they hold; then one poll () of
       * all their pidfds tells which of them still are the processes read. */
      confirmed = ph_sock_table_find_holders_again (table, &holders, &again);
      if (confirmed)
        polled = poll (alive, n_alive, 0);
    }
  for (size_t i = 0; i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;
      const IterFd *fds, *now;
      size_t n, n_now;

      if (p == NULL || !p->is_new)
        continue;
      if (!by_iterator || !p->counted)
        {
          walk_process (table, p);
          p->counted = false;
          continue;
        }
      p->counted = false;
      n = iter_fds_of (&holders, p->pid, &fds);
      n_now = confirmed ? iter_fds_of (&again, p->pid, &now) : 0;
      if (n == 0 && n_now == 0)
        walked_by_iterator (table, p);
      else if (n == 0)
        walk_process (table, p);   /* took a socket of ours between the two runs */
      else if (p->gone)
        continue;
      else if (confirmed && slot[fds - holders.fds] != 0 && same_fds (fds, n, now, n_now))
        confirm_holder (table, p, fds, n,
                        polled < 0 || slot[fds - holders.fds] == UINT32_MAX ? -1
                        : alive[slot[fds - holders.fds] - 1].revents != 0);
      else if (confirmed && slot[fds - holders.fds] != 0)
        {
          table->iter_stale++;
          walk_process (table, p);
        }
      else if (!walk_process_fds (table, p, fds, n))
        walk_process (table, p);
    }
  free (slot);
  free (alive);
  ph_sock_table_iter_holders_clear (&again);
  ph_sock_table_iter_holders_clear (&holders);
}

void
ph_sock_table_find_owners (PhSockTable *table)
{
  PhMap uids = PH_MAP_INIT;

  walk_new_processes (table);
  recheck_holders (table);
  /* Their parents: a server that forks after binding holds the socket as well. */
  for (size_t i = 0; i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;
      Proc *parent;

      if (p == NULL || !p->is_new || p->walked_gen != table->gen || !p->has_facts
          || p->facts.ppid <= 0)
        continue;
      parent = ph_map_get (&table->procs, (uint64_t) p->facts.ppid);
      if (parent != NULL)
        walk_process (table, parent);
    }

  for (int round = 0; round < 4; round++)
    {
      size_t walked_before = table->walked;

      /* Nothing walked or gone, no socket new or left without holders: nothing to do. */
      if (table->procs_changed)
        prune_owners (table);
      if (!table->maybe_unfound)
        break;
      ph_map_clear (&uids);
      table->unfound = count_unfound (table, &uids);
      if (table->unfound <= 0)
        break;
      table->counting = true;
      /* Phase 2: processes of the sockets' users whose number of open files changed
       * since they were walked (one stat each instead of a walk), holders first (a
       * server that opens one more port), then the holders, then the rest of them.
       * Phase 3: everyone else. */
      for (int phase = 1; phase <= 5 && table->unfound > 0; phase++)
        {
          for (size_t i = 0; i < table->procs.size && table->unfound > 0; i++)
            {
              Proc *p = table->procs.slots[i].value;
              uint32_t uid;

              if (p == NULL || p->walked_gen == table->gen || p->gone)
                continue;
              if ((phase == 1 || phase == 3) && p->n_refs == 0)
                continue;
              if (phase <= 4 && (!proc_uid (table, p, &uid)
                                 || ph_map_get (&uids, (uint64_t) uid + 1) == NULL))
                continue;
              if (phase <= 2 && !fd_count_changed (table, p))
                continue;
              walk_process (table, p);
            }
        }
      table->counting = false;
      if (table->walked == walked_before)
        break;
    }
  ph_map_clear (&uids);
  if (table->procs_changed)
    prune_owners (table);

  table->n_unreadable = 0;
  for (size_t i = 0; i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;

      if (p != NULL && !p->gone && p->fd_unreadable)
        table->n_unreadable++;
      if (p != NULL)
        p->is_new = false;
    }
}
