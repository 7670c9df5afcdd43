/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-helper.h — what the parts of bench-helper share: the load, the helper's pipes */

#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SOCKETS_PER_PROC   10
#define N_IDLE_PROCS       300
#define FILES_PER_IDLE     50

typedef struct
{
  unsigned long inode;
  pid_t         pid;
} LoadSocket;

/* A running porthole-helper and what it wrote that was not consumed yet. */
typedef struct
{
  pid_t  pid;
  int    in_fd;   /* its stdin, or -1 */
  int    out_fd;  /* its stdout */
  char  *buf;
  size_t len;
  size_t cap;
  size_t scanned; /* lines before this offset hold no END */
} Helper;

/* What one run of the helper printed, next to the load. */
typedef struct
{
  long sockets_total; /* END sockets=, or -1 */
  long n_sock;        /* SOCK records */
  long n_gone;
  long n_proc;
  long found;         /* load sockets present with their owner */
  long wrong_owner;   /* load sockets present without their owner */
  bool has_hello;
} Snapshot;

double now_ms (void);
void   say    (const char *fmt,
               ...) __attribute__ ((format (printf, 1, 2)));

/* bench-helper-load.c: the processes that make a machine busy */
extern int         n_listener_procs;  /* each holds SOCKETS_PER_PROC listeners */
extern pid_t      *listener_pids;
extern LoadSocket *load_sockets;
extern size_t      n_load_sockets;

bool  load_isolate_network (char  *why,
                            size_t size);
bool  load_build          (int n_procs);
void  load_sort_sockets   (void);
bool  load_destroy        (void);
pid_t load_fork_listener  (void);
int   load_compare_inode  (const void *a,
                           const void *b);
bool  load_read_reply     (char  *line,
                           size_t size,
                           int    timeout_ms);

/* bench-helper-floor.c: `bench-helper --dump-floor` */
int floor_main (void);

/* bench-helper-run.c: running programs, and reading what the helper prints */
struct rusage;
extern double last_cpu_ms;  /* CPU time of what the last time_command () or such timed */
double rusage_cpu_ms          (const struct rusage *ru);
double process_cpu_ms         (pid_t pid);
double time_command           (const char *const *argv);
long   count_output_lines     (const char *const *argv);
bool   helper_start           (Helper            *h,
                               const char *const *argv,
                               bool               with_stdin);
int    helper_read            (Helper *h,
                               double  deadline);
size_t helper_read_change_set (Helper *h,
                               double  deadline);
void   helper_consume         (Helper *h,
                               size_t  n);
long   helper_stop            (Helper *h);
bool   helper_send            (Helper     *h,
                               const char *command);
void   inspect                (const char *buf,
                               size_t      len,
                               Snapshot   *s);
bool   change_set_has         (const char   *buf,
                               size_t        len,
                               const char   *record,
                               unsigned long inode,
                               pid_t         pid);
