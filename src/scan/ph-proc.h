/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-proc.h — facts about a process from /proc/PID, and finding who holds a socket */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ph-buf.h"
#include "ph-cgroup.h"
#include "ph-map.h"

#define PH_PF_KTHREAD 0x00200000u

typedef struct
{
  uint64_t start;      /* field 22: start time in clock ticks since boot */
  int32_t  ppid;
  uint32_t flags;      /* field 9 (PF_*) */
  char     state;
  char     comm[64];   /* raw bytes, NUL-terminated (comm is at most 15 bytes) */
} PhStat;

typedef struct
{
  int32_t  pid;
  uint64_t start;
  int32_t  ppid;
  bool     uid_known;
  uint32_t uid;
  char    *comm;
  char    *exe;          /* NULL when unreadable */
  char    *cwd;          /* NULL when unreadable */
  char    *cmdline;      /* raw bytes without the final NUL; NULL when unreadable */
  size_t   cmdline_len;
  char    *cgroup;       /* NULL when unknown */
  PhCgroupInfo cg;
  char    *app_name;     /* a desktop app's Name, from its .desktop file; NULL if unknown */
  char    *app_icon;     /* and its Icon */
  bool     sandboxed;    /* in a Flatpak sandbox (its /.flatpak-info named cg.app_id) */
} PhProcFacts;

/* Past this, a command line is cut: it only has to identify the process. */
#define PH_CMDLINE_MAX (128 * 1024)

/* Parses the contents of /proc/PID/stat. */
bool ph_proc_parse_stat (const char *text, size_t len, PhStat *st);
bool ph_proc_parse_status_uid (const char *text, size_t len, uint32_t *uid);

/* Reads through @pid_dirfd (an open /proc/PID). Returns 0 or -errno; -ENOENT or -ESRCH
 * mean the process is gone. */
int  ph_proc_read_stat  (int pid_dirfd, PhBuf *scratch, PhStat *st);
/* The same through @dirfd and @dir: /proc/PID and "", or /proc and "PID/" (a lookup by
 * PID, which only a pidfd checked afterwards ties to one process instance). */
int  ph_proc_read_stat_in (int dirfd, const char *dir, PhBuf *scratch, PhStat *st);
int  ph_proc_read_facts (int pid_dirfd, int32_t pid, PhBuf *scratch, PhProcFacts *facts);
/* The same when @first is the stat just read through @pid_dirfd (the walk that found the
 * process's sockets read it): it is not read again first, only at the end, to tell that
 * everything came from a process that is still there; or, when @pidfd is the process's
 * pidfd (opened before @first was read) and not -1, that pidfd tells it: one poll () where
 * the stat is three calls, and stricter (an exited process not yet reaped is gone too). */
int  ph_proc_read_facts_after_stat (int pid_dirfd, int32_t pid, const PhStat *first,
                                    int pidfd, PhBuf *scratch, PhProcFacts *facts);
/* What the kernel tells of a process through its pidfd (PIDFD_GET_INFO, Linux 6.13 and
 * later): its effective uid, as /proc/PID/status says it, and its cgroup v2 id. */
typedef struct
{
  uint32_t euid;
  bool     has_cgroup_id;
  uint64_t cgroup_id;
} PhPidfdInfo;
/* 0, or -errno (-ENOTTY and such before 6.13: not asked again; -ESRCH: reaped). */
int  ph_pidfd_info (int pidfd, PhPidfdInfo *info);

/* Cgroup paths by cgroup v2 id (an id is never reused; a path is kept only when the v2
 * path alone decided it), for one refresh: many holders share a few cgroups. */
typedef struct
{
  PhMap by_id;   /* id → path */
} PhCgroupCache;
#define PH_CGROUP_CACHE_INIT { PH_MAP_INIT }
void ph_cgroup_cache_clear (PhCgroupCache *cache);

/* ph_proc_read_facts_after_stat () where the process's pidfd (-1: none) gives its uid
 * and cgroup v2 id when the kernel can: the uid without reading /proc/PID/status, and the
 * cgroup path from @cache (NULL: none) when another process of that cgroup was read in
 * this refresh; else /proc/PID/cgroup, kept in @cache when its id was the same before and
 * after the read. */
int  ph_proc_read_facts_cached (int pid_dirfd, int32_t pid, const PhStat *first, int pidfd,
                                PhCgroupCache *cache, PhBuf *scratch, PhProcFacts *facts);
/* The same through @dirfd and @dir (as ph_proc_read_stat_in () takes them), without the
 * last check that the process is still there: the caller makes it later (polls @pidfd,
 * opened before @first was read), after whatever else it must tell about that process
 * meanwhile. */
int  ph_proc_read_facts_unconfirmed (int dirfd, const char *dir, int32_t pid,
                                     const PhStat *first, int pidfd, PhCgroupCache *cache,
                                     PhBuf *scratch, PhProcFacts *facts);
void ph_proc_facts_clear (PhProcFacts *facts);
bool ph_proc_facts_equal (const PhProcFacts *a, const PhProcFacts *b);
/* Appends a PROC record. */
void ph_proc_facts_write (const PhProcFacts *facts, PhBuf *out);

/* "socket:[12345]" → 12345 */
bool ph_parse_socket_link (const char *link, size_t len, uint64_t *inode);

/* An fd number from a /proc/PID/fd entry name. */
bool ph_parse_fd_name     (const char *name, int32_t *fd);

/* @prefix, @n in decimal, then @suffix, into @out: the name of a /proc entry ("1234",
 * "1234/fd", "fd/7") without snprintf (), which costs some 500 instructions a call.
 * @prefix and @suffix are at most 8 bytes each. Returns @out. */
char *ph_proc_path (char out[static 32], const char *prefix, int32_t n, const char *suffix);

/* True when @name is all digits (a /proc/PID entry) and then stores the PID. */
bool ph_proc_name_to_pid (const char *name, int32_t *pid);

typedef struct
{
  int32_t  pid;
  uint64_t start;
  int32_t  fd;
} PhHolder;

/* Walks every /proc/PID/fd under @proc_fd for socket:[@inode]. Fills a new array (free
 * it) and returns its length; *unreadable counts processes whose fds could not be read. */
size_t ph_proc_find_holders (int proc_fd, uint64_t inode, PhHolder **holders,
                             size_t *unreadable);
/* Whether the process behind @pid_dirfd holds socket:[@inode]; 1 yes, 0 no, -errno. */
int    ph_proc_holds_inode  (int pid_dirfd, uint64_t inode);
