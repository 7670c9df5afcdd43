/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table.c — sockets + an inode → (pid, fd) map kept between refreshes + diffs */
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

#include "ph-protocol.h"
#include "ph-sock-table-private.h"

/*
 * How a refresh stays cheap: the socket list comes from one netlink dump per protocol and
 * family; who holds a socket is remembered between refreshes. /proc itself is listed
 * (one getdents) to learn which processes are new or gone, and only when one may have
 * started (the namespace's last PID moved); the holders (and the processes whose fds we
 * may not read) are watched for their exit with a pidfd each, in one epoll set, so a
 * quiet refresh lists nothing. Only new processes get their fds read. Only when a socket remains whose holder is unknown are older processes
 * walked: first those of the socket's uid whose number of open files changed since their
 * last walk (told by one stat of /proc/PID/fd), then the others of that uid, then the
 * rest, stopping as soon as every such socket has a holder. A process is told apart from an earlier one with the same PID by
 * the inode of its /proc entry (a new one is made for every process) and, for owners, by
 * its start time. What a refresh found is written by ph-sock-table-write.c.
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

#ifndef SYS_pidfd_open
# define SYS_pidfd_open 434
#endif

#define DENTS_SIZE (32 * 1024)
/* At most this many new PIDs are looked at one by one instead of listing /proc. */
#define PROBE_MAX  256
#define RECHECK_US     2000000
#define RECHECK_FDS_US 10000000
#define RECHECK_MAX    4

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

/* Exits are told by pidfds only in the helper's own /proc (their PIDs are ours), and
 * only as long as every one could be opened; until then /proc is listed as before. */
static void
open_exit_watch (PhSockTable *table)
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

/* Adds @p's exit to the epoll set. Called before the walk's last check of the start
 * time, so the pidfd is known to be this very process. False when @p is gone. */
static bool
watch_exit (PhSockTable *table,
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
  if (epoll_ctl (table->exit_ep, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      close (fd);
      table->exits_watched = false;
      return true;
    }
  p->pidfd = fd;
  return true;
}

static void
unwatch_exit (Proc *p)
{
  if (p->pidfd >= 0)
    close (p->pidfd);   /* which also takes it out of the epoll set */
  p->pidfd = -1;
}

static void
mark_dirty (PhSockTable *table,
            SockEntry   *e)
{
  e->dirty = true;
  table->changed = true;
}

static void
mark_gone (PhSockTable *table,
           Proc        *p)
{
  p->gone = true;
  table->procs_changed = true;
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
    }
  table->unseen = why_unseen (table->proc_fd, table->own_pidns);
  table->classified_unreadable = SIZE_MAX;
  open_exit_watch (table);
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

static void
entry_free (SockEntry *e)
{
  if (e->owners != &e->one)
    free (e->owners);
  free (e);
}

void
ph_sock_table_free (PhSockTable *table)
{
  if (table == NULL)
    return;
  for (size_t i = 0; i < table->socks.size; i++)
    {
      SockEntry *e = table->socks.slots[i].value;

      if (e != NULL)
        entry_free (e);
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
  ph_buf_free (&table->scratch);
  ph_buf_free (&table->warnings);
  free (table->dents);
  free (table->fd_dents);
  free (table->found);
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

/* --- sockets -------------------------------------------------------------------------- */

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

static void
dump_sockets (PhSockTable *table)
{
  bool tcp_done = false;

  ph_sock_list_clear (&table->list);
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

static void
merge_sockets (PhSockTable *table)
{
  size_t n_seen = 0;

  table->n_gone = 0;
  for (size_t i = 0; i < table->list.n_socks; i++)
    {
      const PhSock *s = &table->list.socks[i];
      SockEntry *e = ph_map_get (&table->socks, s->inode);

      if (e == NULL)
        {
          e = ph_xcalloc (1, sizeof *e);
          e->owners = &e->one;
          e->cap_owners = 1;
          e->sock = *s;
          mark_dirty (table, e);
          table->maybe_unfound = true;
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
          e->n_owners = 0;
          e->searched = false;
          mark_dirty (table, e);
          table->maybe_unfound = true;
        }
      else if (!same_sock (&e->sock, s))
        {
          e->sock = *s;
          mark_dirty (table, e);
        }
      e->seen_gen = table->gen;
      n_seen++;
    }
  /* Every socket known was in the dump: none went. */
  if (n_seen == table->socks.count)
    return;

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
          entry_free (e);
          e = table->socks.slots[g].value;
        }
    }
}

/* --- processes ------------------------------------------------------------------------ */

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

static void
list_processes (PhSockTable *table)
{
  uint64_t first_new = 0;
  ProcsChange change;

  collect_exits (table);
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

static bool
owner_touch (PhSockTable *table,
             SockEntry   *e,
             int32_t      pid,
             int32_t      fd,
             uint64_t     start)
{
  for (uint32_t i = 0; i < e->n_owners; i++)
    {
      Owner *o = &e->owners[i];

      if (o->pid == pid && o->fd == fd && o->start == start)
        {
          o->gen = table->gen;
          return false;
        }
    }
  if (e->n_owners == 0 && !e->searched && table->counting)
    table->unfound--;
  if (e->n_owners == e->cap_owners)
    {
      /* Most sockets have one holder, kept in the entry itself. */
      e->cap_owners *= 2;
      if (e->owners == &e->one)
        {
          e->owners = ph_xmalloc (e->cap_owners * sizeof *e->owners);
          e->owners[0] = e->one;
        }
      else
        e->owners = ph_xrealloc (e->owners, e->cap_owners * sizeof *e->owners);
    }
  e->owners[e->n_owners++] = (Owner) { pid, fd, start, table->gen };
  mark_dirty (table, e);
  return true;
}

static void
read_facts (PhSockTable *table,
            Proc        *p,
            int          pfd)
{
  PhProcFacts f;

  p->checked_us = ph_now_us ();
  if (ph_proc_read_facts (pfd, p->pid, &table->scratch, &f) < 0 || f.start != p->start)
    {
      if (f.comm != NULL)
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

static void
walk_process (PhSockTable *table,
              Proc        *p)
{
  char name[16];
  char link[64];
  int pfd, fdd;
  PhStat st;
  bool added = false;

  if (p->walked_gen == table->gen || p->gone)
    return;
  p->walked_gen = table->gen;
  if (p->fd_unreadable)
    return;
  table->walked++;
  table->procs_changed = true;
  p->fds_checked_us = ph_now_us ();
  snprintf (name, sizeof name, "%d", (int) p->pid);
  pfd = openat (table->proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0)
    {
      mark_gone (table, p);
      return;
    }
  fdd = openat (pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fdd < 0)
    {
      /* Unreadable: its exit matters too (it may hold what we cannot see). The stat
       * read through the same /proc/PID tells that the pidfd is this process. */
      if ((errno == EACCES || errno == EPERM) && watch_exit (table, p)
          && ph_proc_read_stat (pfd, &table->scratch, &st) == 0)
        p->fd_unreadable = true;
      else
        mark_gone (table, p);
      close (pfd);
      return;
    }

  /* Linux 6.2 and later give the number of open files as the size of /proc/PID/fd:
   * taken before the listing, a file opened later changes it, so fd_count_changed ()
   * can tell that this process must be walked again. */
  {
    struct stat fst;

    p->n_fds = fstat (fdd, &fst) == 0 && fst.st_size > 0 ? (int64_t) fst.st_size : -1;
    p->checked_n_fds = p->n_fds;
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
          if (e == NULL)
            continue;
          if (table->n_found == table->cap_found)
            {
              table->cap_found = table->cap_found ? table->cap_found * 2 : 64;
              table->found = ph_xrealloc (table->found, table->cap_found * sizeof *table->found);
            }
          table->found[table->n_found++] = (Found) { e, fd };
        }
    }
  close (fdd);

  if (table->n_found == 0)
    {
      close (pfd);
      return;
    }
  /* Read after the fds (and the pidfd) and through the same /proc/PID: if the process
   * went away, this fails instead of naming a later process with the same PID. */
  if (!watch_exit (table, p) || ph_proc_read_stat (pfd, &table->scratch, &st) < 0)
    {
      mark_gone (table, p);
      close (pfd);
      return;
    }
  if (!p->start_known || p->start != st.start)
    {
      if (p->has_facts)
        ph_proc_facts_clear (&p->facts);
      p->has_facts = false;
      p->start = st.start;
      p->start_known = true;
    }
  for (size_t i = 0; i < table->n_found; i++)
    added |= owner_touch (table, table->found[i].entry, p->pid, table->found[i].fd, p->start);
  /* Facts are read once per process instance; again only when it shows a new socket
   * (it may have exec'd meanwhile). */
  if (!p->has_facts || added)
    read_facts (table, p, pfd);
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
          Owner *o = &e->owners[k];
          Proc *p = ph_map_get (&table->procs, (uint64_t) o->pid);

          if (p == NULL || p->gone || (p->start_known && p->start != o->start)
              || (p->walked_gen == table->gen && o->gen != table->gen && !p->fd_unreadable))
            continue;
          e->owners[keep++] = *o;
        }
      e->n_owners = keep;
      if (keep != before)
        {
          mark_dirty (table, e);
          if (keep == 0)
            {
              e->searched = false;
              table->maybe_unfound = true;
            }
        }
    }
}

static long
count_unfound (PhSockTable *table,
               PhMap       *uids)
{
  long n = 0;

  for (size_t i = 0; i < table->socks.size; i++)
    {
      SockEntry *e = table->socks.slots[i].value;

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
  if (ph_read_file_at (pfd, "cmdline", &table->scratch, PH_CMDLINE_MAX) < 0)
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
          Owner *o = &e->owners[k];
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
          e->owners[keep++] = *o;
        }
      if (keep != e->n_owners)
        {
          e->n_owners = keep;
          mark_dirty (table, e);
          if (keep == 0)
            {
              e->searched = false;
              table->maybe_unfound = true;
            }
        }
    }

  for (size_t i = 0; i < n_due; i++)
    {
      Proc *p = due[i].p;

      if (due[i].names && !facts_still_true (table, p, due[i].pfd))
        read_facts (table, p, due[i].pfd);
      if (due[i].fdd >= 0)
        close (due[i].fdd);
      close (due[i].pfd);
    }
}

static void
find_owners (PhSockTable *table)
{
  PhMap uids = PH_MAP_INIT;

  /* Phase 1: every new process; a new socket is most likely theirs, and a forked worker
   * of an old server is new too. */
  for (size_t i = 0; i < table->procs.size; i++)
    {
      Proc *p = table->procs.slots[i].value;

      if (p != NULL && p->is_new)
        walk_process (table, p);
    }
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

static void
classify (PhSockTable *table)
{
  /* What it decides depends on the owners (a change marks the entry dirty) and the
   * number of unreadable processes only. */
  if (!table->changed && !table->maybe_unfound
      && table->n_unreadable == table->classified_unreadable)
    return;
  table->classified_unreadable = table->n_unreadable;
  table->maybe_unfound = false;
  for (size_t i = 0; i < table->socks.size; i++)
    {
      SockEntry *e = table->socks.slots[i].value;
      bool hidden = false, kernel = false;
      const char *unseen = NULL;

      if (e == NULL)
        continue;
      e->searched = true;
      if (e->n_owners == 0)
        {
          /* Nobody in view holds it: someone we may not look into (more rights would
           * show them), someone out of sight (no rights would), or nobody at all. */
          if (table->n_unreadable > 0)
            hidden = true;
          else if (table->unseen != NULL)
            unseen = table->unseen;
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

  dump_sockets (table);
  merge_sockets (table);
  list_processes (table);
  find_owners (table);
  classify (table);

  if (table->warnings.len > 0)
    {
      ph_buf_append (out, table->warnings.data, table->warnings.len);
      ph_buf_clear (&table->warnings);
    }
  ph_sock_table_write_change_set (table, full, out);
  forget_gone_processes (table);

  table->elapsed_us = ph_now_us () - t0;
  ph_sock_table_write_end (table, out);
}
