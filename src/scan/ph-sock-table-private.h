/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table-private.h — the table's state, shared by ph-sock-table*.c */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "ph-buf.h"
#include "ph-map.h"
#include "ph-proc.h"
#include "ph-sock.h"
#include "ph-sock-table.h"

/* Packed to 4 bytes (20, not 24): one is kept in every entry. */
typedef struct __attribute__ ((packed, aligned (4)))
{
  int32_t  pid;
  int32_t  fd;
  uint64_t start;
  uint32_t gen;        /* refresh in which a walk last saw it */
} Owner;

/* One per socket, 20,000 on a busy machine: kept small (88 bytes), and made in chunks
 * (ph_sock_table_entry_new ()) rather than one malloc () each. Its holders are
 * entry_owners (e). */
typedef struct
{
  PhSock   sock;
  union __attribute__ ((packed, aligned (4)))
  {
    Owner  one;        /* its holder, while owners_heap is false (n_owners 0 or 1) */
    Owner *many;       /* else its holders: n_owners rounded up to a power of two at least */
    void  *next_free;  /* in the table's list of free entries */
  };
  uint32_t n_owners;
  uint32_t seen_gen;
  bool     owners_heap : 1;  /* many, not one */
  bool     searched : 1;  /* its holders were looked for since it (last) lost them */
  bool     hidden : 1;
  bool     kernel : 1;
  bool     unseen : 1;    /* no holder can be seen from here: the table's unseen says why */
  bool     dirty : 1;     /* to send in the next change set (then in the table's dirty list) */
  bool     emitted : 1;   /* a SOCK was sent, so a GONE is owed when it goes */
  bool     listed : 1;    /* in the table's to_search list */
} SockEntry;

static inline Owner *
entry_owners (SockEntry *e)
{
  return e->owners_heap ? e->many : &e->one;
}

/* Entries are made this many at a time. */
#define ENTRY_CHUNK 256

typedef struct EntryChunk EntryChunk;
struct EntryChunk
{
  EntryChunk *next;
  SockEntry   entries[ENTRY_CHUNK];
};

/* Entries gathered during a refresh, so that what concerns a few of them does not go
 * over all of them. */
typedef struct
{
  SockEntry **v;
  size_t      n, cap;
  bool        overflow;   /* more than ENTRY_LIST_MAX were added: go over every entry */
} EntryList;

#define ENTRY_LIST_MAX 1024

/* One per process (2,300 in the benchmark): its fields in order of size, so that no
 * padding lies between them. */
typedef struct
{
  uint64_t d_ino;
  int64_t  n_fds;      /* open files when last walked (/proc/PID/fd's size), or -1 */
  uint64_t start;
  uint64_t checked_us;     /* when its comm and command line were last confirmed */
  uint64_t fds_checked_us; /* when its fds were last confirmed */
  int64_t  checked_n_fds;  /* its number of open files then, or -1 (as n_fds) */
  uint64_t emitted_start;
  int32_t  pid;
  uint32_t seen_gen;
  uint32_t walked_gen;
  uint32_t sent_gen;
  uint32_t n_refs;     /* owners naming it (recounted when refs_stale) */
  uint32_t uid;
  int      pidfd;      /* readable once it exits (in the table's epoll set), or -1 */
  int      fds_fd;     /* a holder's /proc/PID/fd as its walk opened it (fstat () counts its
                        * open files without a path lookup; fails once it ended), or -1 */
  bool     is_new;
  bool     counted;    /* n_fds was taken before the task_file iterator looked */
  bool     gone;
  bool     fd_unreadable;
  bool     uid_known;
  bool     start_known;
  bool     has_facts;
  bool     facts_dirty;
  bool     emitted;
  PhProcFacts facts;
} Proc;

typedef struct
{
  SockEntry *entry;
  int32_t    fd;
} Found;

/* A socket of the table on a process's fd, as the task_file iterator saw it. */
typedef struct
{
  int32_t  pid;
  int32_t  fd;
  uint64_t ino;
} IterFd;

/* What one run of the iterator saw: every fd holding a socket of the table, grouped by
 * process (in fd order), and where each process's group starts. */
typedef struct
{
  PhMap   first;   /* PID → 1 + index of its first IterFd in fds */
  IterFd *fds;     /* mapped apart from the heap (mapped bytes), so that its size, 16 bytes
                    * per socket, leaves no trace in it */
  size_t  n_fds;
  size_t  mapped;
  int     link_fd; /* the program's link, which runs it again, or -1 */
} IterHolders;

#define ITER_HOLDERS_INIT { PH_MAP_INIT, NULL, 0, 0, -1 }

struct PhSockTable
{
  int         proc_fd;
  char       *procnet_dir;
  PhScanFlags flags;
  PhSource    source;
  bool        netlink_ok;
  bool        no_tcp_both;
  bool        own_pidns;
  bool        fds_counted;            /* /proc/PID/fd's size is its number of open files */
  bool        iter_failed;            /* the task_file iterator cannot run here */
  size_t      iter_min_new;           /* new processes from which to run it, or 0 */
  unsigned    iter_runs;              /* refreshes it served */
  unsigned    iter_stale;             /* holders walked in full: an fd it named had changed */
  bool        iter_again_fails;       /* tests: its second run fails (ph_sock_table.h) */
  unsigned    iter_reread;            /* holders taken by reading their fds again in /proc */
  void      (*iter_hook) (void *data);  /* tests: called right after it ran */
  void       *iter_hook_data;
  void      (*iter_again_hook) (void *data);  /* tests: right after its second run */
  void       *iter_again_hook_data;
  const char *unseen;                 /* why some processes cannot be seen (PH_UNSEEN_*) */
  bool        listed_once;
  size_t      probed;                 /* PIDs looked at one by one since the last listing */
  uint64_t    last_pid;
  uint64_t    last_nlink;
  int         exit_ep;                /* epoll set of the watched processes' pidfds, or -1 */
  int         fds_keep_below;         /* holders' fd directories are kept in fds below it */
  bool        exits_watched;          /* every holder and unreadable process is in it */
  bool        once;                   /* no refresh after this one: pidfds not in exit_ep */
  bool        changed;                /* some entry, owner or fact changed this refresh */
  bool        procs_changed;          /* a process was walked or went away this refresh */
  bool        maybe_unfound;          /* a socket may lack a holder not yet looked for */
  bool        refs_stale;             /* owners were dropped since the processes' n_refs were
                                       * counted (an added one counts itself) */
  bool        use_procfs[2][2];      /* [tcp/udp][v4/v6] when netlink cannot answer */
  bool        warned_procnet[2][2];
  PhNetlink   nl;
  PhSockList  list;
  PhMap       socks;                  /* inode → SockEntry */
  EntryChunk *chunks;                 /* where the entries are, newest first */
  size_t      chunk_used;             /* entries of the newest chunk handed out */
  SockEntry  *free_entries;           /* entries freed, to hand out again */
  SockEntry **order;                  /* the entries in the last dump's order (from the
                                       * second refresh on), or NULL */
  size_t      n_order, cap_order;
  PhMap       procs;                  /* pid → Proc */
  uint32_t    gen;
  uint64_t    seq;
  uint32_t    euid;
  PhBuf       scratch;
  PhCgroupCache cgroups;              /* cgroup paths read in this refresh, by v2 id */
  PhBuf       warnings;
  char       *dents;
  char       *fd_dents;
  Found      *found;
  size_t      n_found, cap_found;
  EntryList   dirty;                  /* the entries marked dirty since the last change set */
  EntryList   to_search;              /* entries left without holders (not searched) in this
                                       * refresh: new, or whose holders were dropped */
  uint64_t   *gone_inodes;
  size_t      n_gone, cap_gone;
  long        unfound;
  bool        counting;
  size_t      n_unreadable;
  size_t      classified_unreadable;  /* n_unreadable when classify () last ran */
  size_t      walked;                 /* processes whose fds were read in this refresh */
  uint64_t    elapsed_us;
  PhFlushFunc flush;
  void       *flush_data;
};

/* From this many new processes on, the task_file iterator names those to walk (a first
 * snapshot): below, walking them costs less than reading the kernel's BTF. */
#define ITERATOR_MIN_NEW 64

/* The buffer of one getdents64 () call, for /proc and for /proc/PID/fd. */
#define DENTS_SIZE (32 * 1024)

/* A refresh, in order (ph_sock_table_refresh () in ph-sock-table.c): each step below is
 * called once per refresh; what they do per socket or per process stays within their
 * file, or is one of the inline functions at the end. */

/* ph-sock-table-sockets.c: the dump of every listening socket, then its merge into the
 * table by inode (new, changed and gone entries). */
void ph_sock_table_dump_sockets     (PhSockTable *table);
void ph_sock_table_merge_sockets    (PhSockTable *table);

/* ph-sock-table-procs.c: which processes started (the namespace's last PID, /proc) and
 * which ended (their pidfds, in one epoll set). */
void ph_sock_table_open_exit_watch  (PhSockTable *table);
bool ph_sock_table_watch_exit       (PhSockTable *table, Proc *p);
void ph_sock_table_list_processes   (PhSockTable *table);

/* ph-sock-table-iter.c: whether the kernel's task_file iterator may be tried here, and the
 * fds that hold a socket of the table, by process, from one run of it (a process not in
 * @holders held none); false (and @holders empty) when it cannot tell, so that every
 * process must be walked. What one run says only tells where to look: a process is named
 * as a holder only when a second run, after its pidfd was opened and its facts read, saw
 * the same fds (or when each fd, read again in /proc, still names that socket). */
bool ph_sock_table_iterator_usable (PhSockTable *table);
bool ph_sock_table_find_holders_by_iterator (PhSockTable *table, IterHolders *holders);
/* Runs it again, through the link of the first run: what holds the sockets now. */
bool ph_sock_table_find_holders_again (PhSockTable *table, const IterHolders *first,
                                       IterHolders *again);
void ph_sock_table_iter_holders_clear (IterHolders *holders);

/* ph-sock-table-owners.c: who holds each socket (new processes' fds, then older ones'
 * while a socket's holder is unknown), and the regular check of the holders. */
void ph_sock_table_find_owners      (PhSockTable *table);

/* ph-sock-table-write.c: BEGIN, GONE, PGONE, PROC and SOCK records for what changed
 * (everything when @full); END closes the change set. */
void ph_sock_table_write_change_set (PhSockTable *table, bool full, PhBuf *out);
void ph_sock_table_write_end        (PhSockTable *table, PhBuf *out);

/* Inline: called per socket or per process in the loops of every step above. */

/* Closes what is kept open on @p's process: its pidfd and its fd directory. */
static inline void
unwatch_exit (Proc *p)
{
  if (p->pidfd >= 0)
    close (p->pidfd);   /* which also takes it out of the epoll set */
  p->pidfd = -1;
  if (p->fds_fd >= 0)
    close (p->fds_fd);
  p->fds_fd = -1;
}

static inline void
entry_list_add (EntryList *list,
                SockEntry *e)
{
  if (list->overflow)
    return;
  if (list->n == ENTRY_LIST_MAX)
    {
      list->overflow = true;
      return;
    }
  if (list->n == list->cap)
    {
      list->cap = list->cap ? list->cap * 2 : 64;
      list->v = ph_xrealloc (list->v, list->cap * sizeof *list->v);
    }
  list->v[list->n++] = e;
}

static inline void
entry_list_reset (EntryList *list)
{
  list->n = 0;
  list->overflow = false;
}

static inline void
mark_dirty (PhSockTable *table,
            SockEntry   *e)
{
  if (!e->dirty)
    entry_list_add (&table->dirty, e);
  e->dirty = true;
  table->changed = true;
}

/* @e has no holder known (it is new, or lost its holders): to look for in this refresh. */
static inline void
mark_unfound (PhSockTable *table,
              SockEntry   *e)
{
  e->searched = false;
  table->maybe_unfound = true;
  if (!e->listed)
    entry_list_add (&table->to_search, e);
  e->listed = true;
}

static inline void
mark_gone (PhSockTable *table,
           Proc        *p)
{
  p->gone = true;
  table->procs_changed = true;
}

/* ph-sock-table.c: a new entry, zeroed, and the end of one (with its owners). */
SockEntry *ph_sock_table_entry_new  (PhSockTable *table);
void       ph_sock_table_entry_free (PhSockTable *table, SockEntry *e);
