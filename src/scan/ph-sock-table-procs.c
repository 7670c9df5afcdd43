/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table-procs.c — the table's processes: which started (ns_last_pid, /proc), which ended */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ph-sock-table-private.h"

#ifndef SYS_pidfd_open
# define SYS_pidfd_open 434
#endif

/* At most this many new PIDs are looked at one by one instead of listing /proc. */
#define PROBE_MAX  256

/* Exits are told by pidfds only in the helper's own /proc (their PIDs are ours), and
 * only as long as every one could be opened; until then /proc is listed as before. */
void
ph_sock_table_open_exit_watch (PhSockTable *table)
{
  struct rlimit rl;

  table->exit_ep = -1;
  if (!table->own_pidns)
    return;
  /* One descriptor per holder: 20,000 sockets in 2,000 processes need more than the
   * usual soft limit of 1,024 (nothing here uses select ()). */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
  table->exit_ep = epoll_create1 (EPOLL_CLOEXEC);
  table->exits_watched = table->exit_ep >= 0;
}

void
ph_sock_table_set_once (PhSockTable *table)
{
  table->once = true;
}

/* Adds @p's exit to the epoll set (with only one refresh to make, just opens its pidfd).
 * Called before the walk's last check of the start time, so the pidfd is known to be this
 * very process. False when @p is gone. */
bool
ph_sock_table_watch_exit (PhSockTable *table,
                          Proc        *p)
{
  struct epoll_event ev = { .events = EPOLLIN };
  int fd;

  if (p->pidfd >= 0 || !table->exits_watched)
    return true;
  fd = (int) syscall (SYS_pidfd_open, p->pid, 0);
  if (fd < 0)
    {
      if (errno == ESRCH)
        return false;
      table->exits_watched = false;   /* EMFILE, ENOSYS (before 5.3): list /proc again */
      return true;
    }
  ev.data.u64 = (uint64_t) (uint32_t) p->pid << 32 | (uint32_t) fd;
  if (!table->once && epoll_ctl (table->exit_ep, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      close (fd);
      table->exits_watched = false;
      return true;
    }
  p->pidfd = fd;
  return true;
}

typedef enum
{
  PROCS_SAME,    /* nothing that matters started or ended */
  PROCS_PROBE,   /* processes started, all of them since the last check (PIDs in a range) */
  PROCS_LIST,    /* /proc must be listed */
} ProcsChange;

/* Whether processes that matter can have started or ended since the last refresh. The
 * last PID handed out in our PID namespace tells whether any started: PIDs are handed out
 * in increasing order until they wrap, so the new ones are those after the last one seen,
 * and looking at each of them (PROCS_PROBE) is cheaper than listing /proc when they are
 * few. Ends: when the exits are watched (every holder and unreadable process has a
 * pidfd: collect_exits () marked those that ended; the end of any other process changes
 * nothing we report, and its entry goes at the next listing), nothing else is needed;
 * otherwise the number of processes, which /proc reports as part of its link count, must
 * be the same too. Costs a few µs where listing /proc costs ~1 µs per process. The link
 * count is only trusted in the system's first PID namespace: it counts the processes of
 * the whole system, but ns_last_pid only those of our namespace, so in a namespace of its
 * own a process of ours that ended while one started elsewhere would go unnoticed (there
 * only the pidfds tell). */
static ProcsChange
processes_changed (PhSockTable *table,
                   uint64_t    *first_new)
{
  char text[32];
  struct stat st;
  uint64_t last_pid, before = table->last_pid;
  ssize_t n;
  int fd;
  bool ends_known;

  if (!table->own_pidns || fstat (table->proc_fd, &st) < 0)
    return PROCS_LIST;
  fd = openat (table->proc_fd, "sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return PROCS_LIST;
  n = read (fd, text, sizeof text - 1);
  close (fd);
  if (n <= 0)
    return PROCS_LIST;
  text[n] = '\0';
  if (!ph_parse_u64 (text, NULL, &last_pid))
    return PROCS_LIST;
  ends_known = table->exits_watched
               || (table->unseen == NULL && (uint64_t) st.st_nlink == table->last_nlink);
  table->last_pid = last_pid;
  table->last_nlink = (uint64_t) st.st_nlink;
  if (!table->listed_once || !ends_known)
    return PROCS_LIST;
  if (last_pid == before)
    return PROCS_SAME;
  /* A few new ones, and not so many since the last listing that the entries of those that
   * ended meanwhile (unwatched, so unnoticed) pile up. */
  if (table->exits_watched && last_pid > before && last_pid - before <= PROBE_MAX
      && table->probed < PROBE_MAX + table->procs.count / 4)
    {
      *first_new = before + 1;
      table->probed += (size_t) (last_pid - before);
      return PROCS_PROBE;
    }
  return PROCS_LIST;
}

/* A process is in /proc under @pid, whose directory has inode @ino: a new entry, or a new
 * instance when the PID was another's (@fresh: it certainly was). */
static void
proc_found (PhSockTable *table,
            int32_t      pid,
            uint64_t     ino,
            bool         fresh)
{
  Proc *p = ph_map_get (&table->procs, (uint64_t) pid);

  if (p == NULL)
    {
      p = ph_xcalloc (1, sizeof *p);
      p->pid = pid;
      p->d_ino = ino;
      p->n_fds = -1;
      p->pidfd = -1;
      p->fds_fd = -1;
      p->is_new = true;
      ph_map_set (&table->procs, (uint64_t) pid, p);
    }
  else if (fresh || p->gone || p->d_ino != ino)
    {
      /* Perhaps another process under the same PID (or the one whose exit its pidfd
       * told, still a zombie): read it again. What the earlier one held is no longer
       * held: a start time no process has makes prune_owners () drop it. */
      p->d_ino = ino;
      p->n_fds = -1;
      p->is_new = true;
      p->gone = false;
      p->fd_unreadable = false;
      p->uid_known = false;
      unwatch_exit (p);
      if (p->has_facts)
        ph_proc_facts_clear (&p->facts);
      p->has_facts = false;
      p->start = 0;
      p->start_known = true;
      table->procs_changed = true;
    }
  p->seen_gen = table->gen;
}

/* The PIDs from @first to the namespace's last one: each that is a process (a thread's
 * ID is not: pidfd_open () refuses it) is new. One that we still know under that PID
 * ended unnoticed, since the kernel hands out only free PIDs: this is another process. */
static bool
probe_new (PhSockTable *table,
           uint64_t     first)
{
  for (uint64_t pid = first; pid <= table->last_pid; pid++)
    {
      char name[24];
      struct stat st;
      int fd = (int) syscall (SYS_pidfd_open, (pid_t) pid, 0);

      if (fd < 0 && (errno == ESRCH || errno == EINVAL))
        continue;   /* ended already, or a thread */
      if (fd < 0)
        return false;   /* EMFILE...: list /proc instead */
      snprintf (name, sizeof name, "%llu", (unsigned long long) pid);
      if (fstatat (table->proc_fd, name, &st, 0) == 0)
        proc_found (table, (int32_t) pid, (uint64_t) st.st_ino, true);
      close (fd);
    }
  return true;
}

/* The watched processes that ended since the last refresh are gone. */
static void
collect_exits (PhSockTable *table)
{
  struct epoll_event evs[64];
  int n;

  if (table->exit_ep < 0)
    return;
  do
    {
      n = epoll_wait (table->exit_ep, evs, (int) (sizeof evs / sizeof evs[0]), 0);
      for (int i = 0; i < n; i++)
        {
          int32_t pid = (int32_t) (evs[i].data.u64 >> 32);
          int fd = (int) (uint32_t) evs[i].data.u64;
          Proc *p = ph_map_get (&table->procs, (uint64_t) pid);

          if (p != NULL && p->pidfd == fd && !p->gone)
            mark_gone (table, p);
        }
    }
  while (n == (int) (sizeof evs / sizeof evs[0]));
}

void
ph_sock_table_list_processes (PhSockTable *table)
{
  uint64_t first_new = 0;
  ProcsChange change;

  collect_exits (table);
  /* A cgroup path is kept for one refresh only (a cgroup may be renamed). */
  ph_cgroup_cache_clear (&table->cgroups);
  if (table->proc_fd < 0)
    return;
  change = processes_changed (table, &first_new);
  if (change == PROCS_SAME)
    return;
  if (change == PROCS_PROBE && probe_new (table, first_new))
    return;
  table->listed_once = true;
  table->probed = 0;
  lseek (table->proc_fd, 0, SEEK_SET);
  for (;;)
    {
      ssize_t n = getdents64 (table->proc_fd, table->dents, DENTS_SIZE);

      if (n <= 0)
        break;
      for (ssize_t off = 0; off < n;)
        {
          struct dirent64 *d = (struct dirent64 *) (void *) (table->dents + off);
          int32_t pid;

          off += d->d_reclen;
          if (d->d_name[0] < '1' || d->d_name[0] > '9' || !ph_proc_name_to_pid (d->d_name, &pid))
            continue;
          proc_found (table, pid, d->d_ino, false);
        }
    }
  for (size_t i = 0; i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;

      if (p != NULL && p->seen_gen != table->gen)
        mark_gone (table, p);
    }
}
