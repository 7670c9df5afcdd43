/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner.c — sockets + an inode → (pid, fd) map kept between refreshes + diffs */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-map.h"
#include "ph-passwd.h"
#include "ph-proc.h"
#include "ph-protocol.h"
#include "ph-scanner.h"

/*
 * How a refresh stays cheap: the socket list comes from one netlink dump per protocol and
 * family; who holds a socket is remembered between refreshes. /proc itself is listed
 * (one getdents) to learn which processes are new or gone; only new processes get their
 * fds read. Only when a socket remains whose holder is unknown are older processes
 * walked: first those of the socket's uid, then the rest, stopping as soon as every such
 * socket has a holder. A process is told apart from an earlier one with the same PID by
 * the inode of its /proc entry (a new one is made for every process) and, for owners, by
 * its start time.
 */

#define DENTS_SIZE (32 * 1024)

typedef struct
{
  int32_t  pid;
  int32_t  fd;
  uint64_t start;
  uint32_t gen;        /* refresh in which a walk last saw it */
} Owner;

typedef struct
{
  PhSock   sock;
  Owner   *owners;
  uint32_t n_owners, cap_owners;
  uint32_t seen_gen;
  bool     searched;   /* its holders were looked for since it (last) lost them */
  bool     hidden;
  bool     kernel;
  bool     dirty;      /* to send in the next change set */
  bool     emitted;    /* a SOCK was sent, so a GONE is owed when it goes */
} SockEntry;

typedef struct
{
  int32_t  pid;
  uint64_t d_ino;
  uint32_t seen_gen;
  uint32_t walked_gen;
  uint32_t sent_gen;
  uint32_t n_refs;
  bool     is_new;
  bool     gone;
  bool     fd_unreadable;
  bool     uid_known;
  uint32_t uid;
  bool     start_known;
  uint64_t start;
  bool     has_facts;
  bool     facts_dirty;
  bool     emitted;
  uint64_t emitted_start;
  PhProcFacts facts;
} Proc;

typedef struct
{
  SockEntry *entry;
  int32_t    fd;
} Found;

struct PhScanner
{
  int         proc_fd;
  char       *procnet_dir;
  PhScanFlags flags;
  PhSource    source;
  bool        netlink_ok;
  bool        no_tcp_both;
  bool        own_pidns;
  bool        listed_once;
  uint64_t    last_pid;
  uint64_t    last_nlink;
  bool        use_procfs[2][2];      /* [tcp/udp][v4/v6] when netlink cannot answer */
  bool        warned_procnet[2][2];
  PhNetlink   nl;
  PhSockList  list;
  PhMap       socks;                  /* inode → SockEntry */
  PhMap       procs;                  /* pid → Proc */
  uint32_t    gen;
  uint64_t    seq;
  uint32_t    euid;
  PhBuf       scratch;
  PhBuf       warnings;
  char       *dents;
  char       *fd_dents;
  Found      *found;
  size_t      n_found, cap_found;
  uint64_t   *gone_inodes;
  size_t      n_gone, cap_gone;
  long        unfound;
  bool        counting;
  size_t      n_unreadable;
  PhScanStats stats;
};

static void
warn (PhScanner  *sc,
      const char *code,
      const char *message)
{
  ph_rec_start (&sc->warnings, "WARN");
  ph_rec_str (&sc->warnings, "code", code);
  ph_rec_str (&sc->warnings, "message", message);
  ph_rec_end (&sc->warnings);
}

PhScanner *
ph_scanner_new (const char  *proc_root,
                PhScanFlags  flags,
                PhSource     source)
{
  PhScanner *sc = ph_xcalloc (1, sizeof *sc);
  char path[4096];

  sc->flags = flags;
  sc->source = source;
  sc->euid = (uint32_t) geteuid ();
  sc->nl.fd = -1;
  sc->proc_fd = open (proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sc->proc_fd < 0)
    warn (sc, "proc-unreadable", "The process list cannot be read; owners are unknown.");
  if (sc->proc_fd >= 0)
    {
      char self[32], want[32];
      ssize_t n = readlinkat (sc->proc_fd, "self", self, sizeof self - 1);

      snprintf (want, sizeof want, "%d", (int) getpid ());
      sc->own_pidns = n > 0 && (size_t) n == strlen (want) && memcmp (self, want, (size_t) n) == 0;
    }
  snprintf (path, sizeof path, "%s/net", proc_root);
  sc->procnet_dir = ph_xstrdup (path);
  sc->dents = ph_xmalloc (DENTS_SIZE);
  sc->fd_dents = ph_xmalloc (DENTS_SIZE);

  if (source != PH_SOURCE_PROCFS)
    {
      int err = ph_netlink_open (&sc->nl);

      sc->netlink_ok = err == 0;
      if (!sc->netlink_ok)
        warn (sc, "netlink-unavailable",
              "The kernel's socket diagnostics are unavailable; reading /proc/net instead.");
    }
  return sc;
}

static void
proc_free (Proc *p)
{
  if (p->has_facts)
    ph_proc_facts_clear (&p->facts);
  free (p);
}

void
ph_scanner_free (PhScanner *sc)
{
  if (sc == NULL)
    return;
  for (size_t i = 0; i < sc->socks.size; i++)
    {
      SockEntry *e = sc->socks.slots[i].value;

      if (e != NULL)
        {
          free (e->owners);
          free (e);
        }
    }
  for (size_t i = 0; i < sc->procs.size; i++)
    {
      if (sc->procs.slots[i].value != NULL)
        proc_free (sc->procs.slots[i].value);
    }
  ph_map_clear (&sc->socks);
  ph_map_clear (&sc->procs);
  ph_netlink_close (&sc->nl);
  ph_sock_list_free (&sc->list);
  ph_buf_free (&sc->scratch);
  ph_buf_free (&sc->warnings);
  free (sc->dents);
  free (sc->fd_dents);
  free (sc->found);
  free (sc->gone_inodes);
  free (sc->procnet_dir);
  if (sc->proc_fd >= 0)
    close (sc->proc_fd);
  free (sc);
}

const char *
ph_scanner_source_name (PhScanner *sc)
{
  return sc->netlink_ok && !sc->use_procfs[0][0] ? "netlink" : "procfs";
}

void
ph_scanner_get_stats (PhScanner   *sc,
                      PhScanStats *stats)
{
  *stats = sc->stats;
}

/* --- sockets -------------------------------------------------------------------------- */

static void
read_procnet (PhScanner *sc,
              PhProto    proto,
              int        family)
{
  int pi = proto == PH_PROTO_TCP ? 0 : 1, fi = family == 4 ? 0 : 1;
  long r = ph_procnet_read_one (sc->procnet_dir, proto, family, &sc->list, &sc->scratch);

  if (r > 0 && !sc->warned_procnet[pi][fi])
    {
      char msg[256];

      sc->warned_procnet[pi][fi] = true;
      snprintf (msg, sizeof msg, "Skipped %ld malformed line(s) in %s/%s%s.", r,
                sc->procnet_dir, pi == 0 ? "tcp" : "udp", fi == 1 ? "6" : "");
      warn (sc, "procnet-malformed", msg);
    }
  /* No IPv6 (or no UDP) in this kernel simply means nothing listens there. */
}

static void
dump_sockets (PhScanner *sc)
{
  bool tcp_done = false;

  ph_sock_list_clear (&sc->list);
  if ((sc->flags & PH_SCAN_TCP) && (sc->flags & PH_SCAN_IPV4) && (sc->flags & PH_SCAN_IPV6)
      && sc->netlink_ok && !sc->use_procfs[0][0] && !sc->use_procfs[0][1] && !sc->no_tcp_both)
    {
      tcp_done = ph_netlink_dump_tcp_both (&sc->nl, &sc->list) == 0;
      if (!tcp_done)
        {
          /* Not on this kernel: ask family by family from now on. */
          sc->no_tcp_both = true;
          sc->list.n_socks = 0;
          sc->list.n_conns = 0;
        }
    }
  for (int pi = 0; pi < 2; pi++)
    {
      PhProto proto = pi == 0 ? PH_PROTO_TCP : PH_PROTO_UDP;

      if (!(sc->flags & (pi == 0 ? PH_SCAN_TCP : PH_SCAN_UDP)) || (pi == 0 && tcp_done))
        continue;
      for (int fi = 0; fi < 2; fi++)
        {
          int family = fi == 0 ? 4 : 6;
          size_t mark_socks = sc->list.n_socks, mark_conns = sc->list.n_conns;
          int err;

          if (!(sc->flags & (fi == 0 ? PH_SCAN_IPV4 : PH_SCAN_IPV6)))
            continue;
          if (!sc->netlink_ok || sc->use_procfs[pi][fi])
            {
              read_procnet (sc, proto, family);
              continue;
            }
          err = ph_netlink_dump_one (&sc->nl, proto, family, &sc->list);
          if (err == 0)
            continue;
          /* Drop what a failed dump left half-done, then ask /proc/net from now on. */
          sc->list.n_socks = mark_socks;
          sc->list.n_conns = mark_conns;
          if (err != -ENOENT || (pi == 0 && fi == 0))
            {
              char msg[256];

              snprintf (msg, sizeof msg,
                        "Socket diagnostics failed (%s); reading /proc/net instead.",
                        strerror (-err));
              warn (sc, "netlink-unavailable", msg);
            }
          sc->use_procfs[pi][fi] = true;
          read_procnet (sc, proto, family);
        }
    }
  ph_sock_list_count_conns (&sc->list);
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
merge_sockets (PhScanner *sc)
{
  sc->n_gone = 0;
  for (size_t i = 0; i < sc->list.n_socks; i++)
    {
      const PhSock *s = &sc->list.socks[i];
      SockEntry *e = ph_map_get (&sc->socks, s->inode);

      if (e == NULL)
        {
          e = ph_xcalloc (1, sizeof *e);
          e->sock = *s;
          e->dirty = true;
          ph_map_set (&sc->socks, s->inode, e);
        }
      else if (e->seen_gen == sc->gen)
        {
          continue;   /* listed twice in one dump */
        }
      else if (!same_identity (&e->sock, s))
        {
          /* The inode number was reused by another socket: a new one. */
          e->sock = *s;
          e->n_owners = 0;
          e->searched = false;
          e->dirty = true;
        }
      else if (!same_sock (&e->sock, s))
        {
          e->sock = *s;
          e->dirty = true;
        }
      e->seen_gen = sc->gen;
    }

  for (size_t i = 0; i < sc->socks.size; i++)
    {
      SockEntry *e = sc->socks.slots[i].value;

      if (e == NULL || e->seen_gen == sc->gen)
        continue;
      if (e->emitted)
        {
          if (sc->n_gone == sc->cap_gone)
            {
              sc->cap_gone = sc->cap_gone ? sc->cap_gone * 2 : 32;
              sc->gone_inodes = ph_xrealloc (sc->gone_inodes,
                                             sc->cap_gone * sizeof *sc->gone_inodes);
            }
          sc->gone_inodes[sc->n_gone++] = e->sock.inode;
        }
    }
  for (size_t g = 0; g < sc->socks.size; g++)
    {
      SockEntry *e = sc->socks.slots[g].value;

      /* Removing shifts later slots back, so look at this slot again. */
      while (e != NULL && e->seen_gen != sc->gen)
        {
          ph_map_remove (&sc->socks, e->sock.inode);
          free (e->owners);
          free (e);
          e = sc->socks.slots[g].value;
        }
    }
}

/* --- processes ------------------------------------------------------------------------ */

/* True when no process can have started or ended since the last listing: the last PID
 * handed out in our PID namespace is the same (nothing started) and so is the number of
 * processes, which /proc reports as part of its link count (so nothing ended either).
 * Only trusted when this /proc is our own PID namespace's. Costs a few µs where listing
 * /proc costs ~1 µs per process. */
static bool
processes_unchanged (PhScanner *sc)
{
  char text[32];
  struct stat st;
  uint64_t last_pid;
  ssize_t n;
  int fd;
  bool same;

  if (!sc->own_pidns || fstat (sc->proc_fd, &st) < 0)
    return false;
  fd = openat (sc->proc_fd, "sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  n = read (fd, text, sizeof text - 1);
  close (fd);
  if (n <= 0)
    return false;
  text[n] = '\0';
  if (!ph_parse_u64 (text, NULL, &last_pid))
    return false;
  same = sc->listed_once && last_pid == sc->last_pid && (uint64_t) st.st_nlink == sc->last_nlink;
  sc->last_pid = last_pid;
  sc->last_nlink = (uint64_t) st.st_nlink;
  return same;
}

static void
list_processes (PhScanner *sc)
{
  if (sc->proc_fd < 0 || processes_unchanged (sc))
    return;
  sc->listed_once = true;
  sc->stats.listed = 0;
  lseek (sc->proc_fd, 0, SEEK_SET);
  for (;;)
    {
      ssize_t n = getdents64 (sc->proc_fd, sc->dents, DENTS_SIZE);

      if (n <= 0)
        break;
      for (ssize_t off = 0; off < n;)
        {
          struct dirent64 *d = (struct dirent64 *) (void *) (sc->dents + off);
          int32_t pid;
          Proc *p;

          off += d->d_reclen;
          if (d->d_name[0] < '1' || d->d_name[0] > '9' || !ph_proc_name_to_pid (d->d_name, &pid))
            continue;
          sc->stats.listed++;
          p = ph_map_get (&sc->procs, (uint64_t) pid);
          if (p == NULL)
            {
              p = ph_xcalloc (1, sizeof *p);
              p->pid = pid;
              p->d_ino = d->d_ino;
              p->is_new = true;
              ph_map_set (&sc->procs, (uint64_t) pid, p);
            }
          else if (p->d_ino != d->d_ino)
            {
              /* Perhaps another process under the same PID: read it again. */
              p->d_ino = d->d_ino;
              p->is_new = true;
              p->fd_unreadable = false;
              p->uid_known = false;
            }
          p->seen_gen = sc->gen;
        }
    }
  for (size_t i = 0; i < sc->procs.size; i++)
    {
      Proc *p = sc->procs.slots[i].value;

      if (p != NULL && p->seen_gen != sc->gen)
        p->gone = true;
    }
}

static bool
owner_touch (PhScanner *sc,
             SockEntry *e,
             int32_t    pid,
             int32_t    fd,
             uint64_t   start)
{
  for (uint32_t i = 0; i < e->n_owners; i++)
    {
      Owner *o = &e->owners[i];

      if (o->pid == pid && o->fd == fd && o->start == start)
        {
          o->gen = sc->gen;
          return false;
        }
    }
  if (e->n_owners == 0 && !e->searched && sc->counting)
    sc->unfound--;
  if (e->n_owners == e->cap_owners)
    {
      e->cap_owners = e->cap_owners ? e->cap_owners * 2 : 2;
      e->owners = ph_xrealloc (e->owners, e->cap_owners * sizeof *e->owners);
    }
  e->owners[e->n_owners++] = (Owner) { pid, fd, start, sc->gen };
  e->dirty = true;
  return true;
}

static void
read_facts (PhScanner *sc,
            Proc      *p,
            int        pfd)
{
  PhProcFacts f;

  if (ph_proc_read_facts (pfd, p->pid, &sc->scratch, &f) < 0 || f.start != p->start)
    {
      if (f.comm != NULL)
        ph_proc_facts_clear (&f);
      p->gone = true;
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
}

static void
walk_process (PhScanner *sc,
              Proc      *p)
{
  char name[16];
  char link[64];
  int pfd, fdd;
  PhStat st;
  bool added = false;

  if (p->walked_gen == sc->gen || p->gone)
    return;
  p->walked_gen = sc->gen;
  if (p->fd_unreadable)
    return;
  sc->stats.walked++;
  snprintf (name, sizeof name, "%d", (int) p->pid);
  pfd = openat (sc->proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0)
    {
      p->gone = true;
      return;
    }
  fdd = openat (pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fdd < 0)
    {
      if (errno == EACCES || errno == EPERM)
        p->fd_unreadable = true;
      else
        p->gone = true;
      close (pfd);
      return;
    }

  sc->n_found = 0;
  for (;;)
    {
      ssize_t n = getdents64 (fdd, sc->fd_dents, DENTS_SIZE);

      if (n <= 0)
        break;
      for (ssize_t off = 0; off < n;)
        {
          struct dirent64 *d = (struct dirent64 *) (void *) (sc->fd_dents + off);
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
          e = ph_map_get (&sc->socks, ino);
          if (e == NULL)
            continue;
          if (sc->n_found == sc->cap_found)
            {
              sc->cap_found = sc->cap_found ? sc->cap_found * 2 : 64;
              sc->found = ph_xrealloc (sc->found, sc->cap_found * sizeof *sc->found);
            }
          sc->found[sc->n_found++] = (Found) { e, fd };
        }
    }
  close (fdd);

  if (sc->n_found == 0)
    {
      close (pfd);
      return;
    }
  /* Read after the fds and through the same /proc/PID: if the process went away, this
   * fails instead of naming a later process with the same PID. */
  if (ph_proc_read_stat (pfd, &sc->scratch, &st) < 0)
    {
      p->gone = true;
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
  for (size_t i = 0; i < sc->n_found; i++)
    added |= owner_touch (sc, sc->found[i].entry, p->pid, sc->found[i].fd, p->start);
  /* Facts are read once per process instance; again only when it shows a new socket
   * (it may have exec'd meanwhile). */
  if (!p->has_facts || added)
    read_facts (sc, p, pfd);
  close (pfd);
}

/* Drops owners that are no longer true: their process is gone, is another instance, or
 * was just walked and no longer showed that fd. Sockets left without a known holder are
 * looked for again. */
static void
prune_owners (PhScanner *sc)
{
  for (size_t i = 0; i < sc->socks.size; i++)
    {
      SockEntry *e = sc->socks.slots[i].value;
      uint32_t keep = 0;
      uint32_t before;

      if (e == NULL)
        continue;
      before = e->n_owners;
      for (uint32_t k = 0; k < e->n_owners; k++)
        {
          Owner *o = &e->owners[k];
          Proc *p = ph_map_get (&sc->procs, (uint64_t) o->pid);

          if (p == NULL || p->gone || (p->start_known && p->start != o->start)
              || (p->walked_gen == sc->gen && o->gen != sc->gen && !p->fd_unreadable))
            continue;
          e->owners[keep++] = *o;
        }
      e->n_owners = keep;
      if (keep != before)
        {
          e->dirty = true;
          if (keep == 0)
            e->searched = false;
        }
    }
}

static long
count_unfound (PhScanner *sc,
               PhMap     *uids)
{
  long n = 0;

  for (size_t i = 0; i < sc->socks.size; i++)
    {
      SockEntry *e = sc->socks.slots[i].value;

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
proc_uid (PhScanner *sc,
          Proc      *p,
          uint32_t  *uid)
{
  char name[16];
  struct stat st;

  if (!p->uid_known)
    {
      snprintf (name, sizeof name, "%d", (int) p->pid);
      if (fstatat (sc->proc_fd, name, &st, 0) < 0)
        return false;
      p->uid = (uint32_t) st.st_uid;
      p->uid_known = true;
    }
  *uid = p->uid;
  return true;
}

static void
find_owners (PhScanner *sc)
{
  PhMap uids = PH_MAP_INIT;

  /* Phase 1: every new process; a new socket is most likely theirs, and a forked worker
   * of an old server is new too. */
  for (size_t i = 0; i < sc->procs.size; i++)
    {
      Proc *p = sc->procs.slots[i].value;

      if (p != NULL && p->is_new)
        walk_process (sc, p);
    }
  /* Their parents: a server that forks after binding holds the socket as well. */
  for (size_t i = 0; i < sc->procs.size; i++)
    {
      Proc *p = sc->procs.slots[i].value;
      Proc *parent;

      if (p == NULL || !p->is_new || p->walked_gen != sc->gen || !p->has_facts
          || p->facts.ppid <= 0)
        continue;
      parent = ph_map_get (&sc->procs, (uint64_t) p->facts.ppid);
      if (parent != NULL)
        walk_process (sc, parent);
    }

  for (int round = 0; round < 4; round++)
    {
      size_t walked_before = sc->stats.walked;

      prune_owners (sc);
      ph_map_clear (&uids);
      sc->unfound = count_unfound (sc, &uids);
      if (sc->unfound <= 0)
        break;
      sc->counting = true;
      /* Phase 2: processes of the sockets' users, those that already hold sockets first
       * (a server that opens one more port). Phase 3: everyone else. */
      for (int phase = 2; phase <= 4 && sc->unfound > 0; phase++)
        {
          for (size_t i = 0; i < sc->procs.size && sc->unfound > 0; i++)
            {
              Proc *p = sc->procs.slots[i].value;
              uint32_t uid;

              if (p == NULL || p->walked_gen == sc->gen || p->gone)
                continue;
              if (phase == 2 && p->n_refs == 0)
                continue;
              if (phase <= 3 && (!proc_uid (sc, p, &uid)
                                 || ph_map_get (&uids, (uint64_t) uid + 1) == NULL))
                continue;
              walk_process (sc, p);
            }
        }
      sc->counting = false;
      if (sc->stats.walked == walked_before)
        break;
    }
  ph_map_clear (&uids);
  prune_owners (sc);

  sc->n_unreadable = 0;
  for (size_t i = 0; i < sc->procs.size; i++)
    {
      Proc *p = sc->procs.slots[i].value;

      if (p != NULL && !p->gone && p->fd_unreadable)
        sc->n_unreadable++;
      if (p != NULL)
        p->is_new = false;
    }
}

static void
classify (PhScanner *sc)
{
  for (size_t i = 0; i < sc->socks.size; i++)
    {
      SockEntry *e = sc->socks.slots[i].value;
      bool hidden = false, kernel = false;

      if (e == NULL)
        continue;
      e->searched = true;
      if (e->n_owners == 0)
        {
          /* Nobody we can see holds it: either someone we may not look at, or nobody. */
          hidden = sc->n_unreadable > 0 || (sc->euid != 0 && e->sock.uid != sc->euid);
          kernel = !hidden;
        }
      if (hidden != e->hidden || kernel != e->kernel)
        {
          e->hidden = hidden;
          e->kernel = kernel;
          e->dirty = true;
        }
    }
}

/* --- change sets ---------------------------------------------------------------------- */

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
  ph_rec_start (out, "PGONE");
  ph_rec_i64 (out, "pid", pid);
  ph_rec_u64 (out, "start", start);
  ph_rec_end (out);
}

static void
write_proc (PhScanner *sc,
            Proc      *p,
            PhBuf     *out)
{
  if (p->emitted && p->emitted_start != p->start)
    write_pgone (out, p->pid, p->emitted_start);
  ph_proc_facts_write (&p->facts, out);
  p->emitted = true;
  p->emitted_start = p->start;
  p->facts_dirty = false;
  p->sent_gen = sc->gen;
}

static void
write_sock (SockEntry *e,
            PhBuf     *out)
{
  const PhSock *s = &e->sock;
  char addr[64];

  ph_sock_format_addr (s, addr, sizeof addr);
  ph_rec_start (out, "SOCK");
  ph_rec_u64 (out, "id", s->inode);
  ph_rec_str (out, "proto", s->proto == PH_PROTO_TCP ? "tcp" : "udp");
  ph_rec_u64 (out, "family", s->family);
  ph_rec_str (out, "addr", addr);
  ph_rec_u64 (out, "port", s->port);
  if (s->scope != 0)
    ph_rec_u64 (out, "scope", s->scope);
  if (s->family == 6 && s->v6only >= 0)
    ph_rec_u64 (out, "v6only", (uint64_t) s->v6only);
  ph_rec_u64 (out, "uid", s->uid);
  ph_rec_str (out, "user", ph_passwd_lookup (s->uid));
  ph_rec_u64 (out, "inode", s->inode);
  if (s->cgroup_id != 0)
    ph_rec_u64 (out, "cgroup", s->cgroup_id);
  ph_rec_u64 (out, "conns", s->conns);
  ph_buf_append_s (out, "\towners=");
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
  ph_rec_u64 (out, "hidden", e->hidden);
  ph_rec_u64 (out, "kernel", e->kernel);
  ph_rec_end (out);
  e->dirty = false;
  e->emitted = true;
}

static void
write_change_set (PhScanner *sc,
                  bool       full,
                  PhBuf     *out)
{
  SockEntry **todo;
  size_t n_todo = 0;
  size_t n_procs = 0;

  ph_rec_start (out, "BEGIN");
  ph_rec_u64 (out, "seq", sc->seq);
  ph_rec_str (out, "kind", full ? "full" : "delta");
  ph_rec_end (out);

  for (size_t i = 0; i < sc->n_gone; i++)
    {
      ph_rec_start (out, "GONE");
      ph_rec_u64 (out, "id", sc->gone_inodes[i]);
      ph_rec_end (out);
    }

  for (size_t i = 0; i < sc->procs.size; i++)
    {
      Proc *p = sc->procs.slots[i].value;

      if (p != NULL)
        p->n_refs = 0;
    }
  for (size_t i = 0; i < sc->socks.size; i++)
    {
      SockEntry *e = sc->socks.slots[i].value;

      if (e == NULL)
        continue;
      for (uint32_t k = 0; k < e->n_owners; k++)
        {
          Proc *p = ph_map_get (&sc->procs, (uint64_t) e->owners[k].pid);

          if (p != NULL)
            p->n_refs++;
        }
    }

  /* A process that went away, or holds nothing we report any more. */
  for (size_t i = 0; i < sc->procs.size; i++)
    {
      Proc *p = sc->procs.slots[i].value;

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
      else
        {
          n_procs++;
        }
    }

  todo = ph_xmalloc ((sc->socks.count + 1) * sizeof *todo);
  for (size_t i = 0; i < sc->socks.size; i++)
    {
      SockEntry *e = sc->socks.slots[i].value;

      if (e != NULL && (full || e->dirty))
        todo[n_todo++] = e;
    }
  if (n_todo > 1)
    qsort (todo, n_todo, sizeof *todo, compare_entry);

  /* New facts about a process whose sockets did not change. */
  for (size_t i = 0; i < sc->procs.size; i++)
    {
      Proc *p = sc->procs.slots[i].value;

      if (p != NULL && p->n_refs > 0 && p->has_facts && p->emitted && p->facts_dirty && !full)
        write_proc (sc, p, out);
    }
  for (size_t i = 0; i < n_todo; i++)
    {
      SockEntry *e = todo[i];

      for (uint32_t k = 0; k < e->n_owners; k++)
        {
          Proc *p = ph_map_get (&sc->procs, (uint64_t) e->owners[k].pid);

          if (p == NULL || !p->has_facts || p->sent_gen == sc->gen)
            continue;
          if (full || !p->emitted || p->facts_dirty || p->emitted_start != p->start)
            write_proc (sc, p, out);
        }
      write_sock (e, out);
    }
  free (todo);

  sc->stats.sockets = sc->socks.count;
  sc->stats.processes = n_procs;
}

static void
forget_gone_processes (PhScanner *sc)
{
  for (size_t g = 0; g < sc->procs.size; g++)
    {
      Proc *p = sc->procs.slots[g].value;

      while (p != NULL && p->gone)
        {
          ph_map_remove (&sc->procs, (uint64_t) p->pid);
          proc_free (p);
          p = sc->procs.slots[g].value;
        }
    }
}

void
ph_scanner_refresh (PhScanner *sc,
                    PhBuf     *out)
{
  uint64_t t0 = ph_now_us ();
  bool full = sc->seq == 0;

  sc->gen++;
  sc->seq++;
  sc->stats.walked = 0;

  dump_sockets (sc);
  merge_sockets (sc);
  list_processes (sc);
  find_owners (sc);
  classify (sc);

  if (sc->warnings.len > 0)
    {
      ph_buf_append (out, sc->warnings.data, sc->warnings.len);
      ph_buf_clear (&sc->warnings);
    }
  write_change_set (sc, full, out);
  forget_gone_processes (sc);

  sc->stats.elapsed_us = ph_now_us () - t0;
  ph_rec_start (out, "END");
  ph_rec_u64 (out, "seq", sc->seq);
  ph_rec_u64 (out, "sockets", sc->socks.count);
  ph_rec_u64 (out, "elapsed_us", sc->stats.elapsed_us);
  ph_rec_u64 (out, "walked", sc->stats.walked);
  ph_rec_end (out);
}
