/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-helper.c — how fast porthole-helper sees a busy machine, next to ss -ltnup */

/*
 * Run by `build-aux/dev bench` (PORTHOLE_HELPER names the helper), or by hand:
 *   bench-helper [--runs N] [--helper PATH]
 *
 * It builds a load in one process group of its own: 200 processes holding 10 listening
 * TCP sockets each on 127.0.0.1 (2,000 sockets) and 300 idle processes with 50 open
 * files each. Then, in every run, it times:
 *   cold      porthole-helper watch --once, from fork to exit
 *   ss        ss -ltnup, from fork to exit, output to /dev/null
 *   warm      in one long-lived `watch --interval 0`: "refresh" on stdin until the next
 *             END, with nothing changed
 *   one new   the same after one load process opened one more listening socket
 *   new proc  the same after a new process with one listening socket appeared (shown
 *             for information; no target)
 * and prints the medians, their ratios to ss, the helper's peak RSS, PASS or MISS
 * against the targets of issue 3, and whether the helper reported every socket of the
 * load with its owner. It asserts nothing: it exits 0 unless the load could not be built.
 * Every process it started is killed and reaped before it exits.
 *
 * libc only, like the helper it measures.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_LISTENER_PROCS   200
#define SOCKETS_PER_PROC   10
#define N_LOAD_SOCKETS     (N_LISTENER_PROCS * SOCKETS_PER_PROC)
#define N_IDLE_PROCS       300
#define FILES_PER_IDLE     50
#define DEFAULT_RUNS       7
#define MAX_RUNS           101
#define HELPER_TIMEOUT_MS  60000  /* a full snapshot */
#define REFRESH_TIMEOUT_MS 15000  /* a refresh; a helper without `refresh` fails here */

/* Targets from issue 3, as fractions of ss -ltnup's time. */
#define TARGET_WARM   (1.0 / 20)
#define TARGET_NEW    (1.0 / 2)
#define TARGET_COLD   1.0
#define TARGET_RSS_KB (8 * 1024)

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

static const char *helper_path;
static pid_t bench_pid;
static pid_t load_pgid;
static pid_t listener_pids[N_LISTENER_PROCS];
static pid_t idle_pids[N_IDLE_PROCS];
static LoadSocket load_sockets[N_LOAD_SOCKETS];
static size_t n_load_sockets;
static int reply_read_fd = -1;   /* ours */
static int reply_write_fd = -1;  /* the load processes' */
static char reply_buf[1 << 16];
static size_t reply_len;
static sigset_t child_signals;

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
say (const char *fmt,
     ...) __attribute__ ((format (printf, 1, 2)));

static void
say (const char *fmt,
     ...)
{
  va_list ap;

  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  fflush (stdout);
}

/* ---- the load ------------------------------------------------------------------- */

/* Puts a new load process in the load's process group, makes it die with us, and
 * closes every file it inherited but the reply pipe's write end (when @keep_reply). */
static void
join_load_group (bool keep_reply)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  setpgid (0, load_pgid);
  /* We may have died before the line above. (Not "== 1": we may be PID 1 ourselves, as
   * the first process of a PID namespace.) */
  if (getppid () != bench_pid)
    _exit (0);
  if (keep_reply)
    {
      close_range (3, (unsigned) reply_write_fd - 1, 0);
      close_range ((unsigned) reply_write_fd + 1, ~0U, 0);
    }
  else
    {
      close_range (3, ~0U, 0);
    }
}

static void
record_fork (pid_t pid)
{
  if (load_pgid == 0)
    load_pgid = pid;
  /* Both sides call setpgid, so the group is right whichever runs first. */
  setpgid (pid, load_pgid);
}

/* Opens a TCP socket listening on 127.0.0.1 on a port the kernel picks. */
static int
open_listener (unsigned long *inode)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct stat st;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  if (bind (fd, (struct sockaddr *) &a, sizeof a) < 0 || listen (fd, 16) < 0
      || fstat (fd, &st) < 0)
    {
      close (fd);
      return -1;
    }
  *inode = (unsigned long) st.st_ino;

  return fd;
}

static void
reply (const char *fmt,
       ...) __attribute__ ((format (printf, 1, 2)));

/* One short line on the shared reply pipe; a write below PIPE_BUF is never mixed. */
static void
reply (const char *fmt,
       ...)
{
  char line[128];
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (line, sizeof line, fmt, ap);
  va_end (ap);
  if (write (reply_write_fd, line, (size_t) n) != n)
    _exit (1);
}

/* A load process with SOCKETS_PER_PROC listeners. SIGUSR1 opens one more, SIGUSR2
 * closes it again; each is answered on the reply pipe. */
static void __attribute__ ((noreturn))
listener_main (int n_sockets)
{
  int extra = -1;

  for (int i = 0; i < n_sockets; i++)
    {
      unsigned long inode;

      if (open_listener (&inode) < 0)
        {
          reply ("E %d %d\n", (int) getpid (), errno);
          _exit (1);
        }
      reply ("S %d %lu\n", (int) getpid (), inode);
    }

  for (;;)
    {
      int sig = sigwaitinfo (&child_signals, NULL);

      if (sig == SIGUSR1 && extra < 0)
        {
          unsigned long inode = 0;

          extra = open_listener (&inode);
          reply ("N %d %lu\n", (int) getpid (), extra < 0 ? 0 : inode);
        }
      else if (sig == SIGUSR2 && extra >= 0)
        {
          close (extra);
          extra = -1;
          reply ("C %d\n", (int) getpid ());
        }
    }
}

static void __attribute__ ((noreturn))
idle_main (void)
{
  for (int i = 0; i < FILES_PER_IDLE; i++)
    {
      if (open ("/dev/null", O_RDONLY) < 0)
        _exit (1);
    }
  for (;;)
    pause ();
}

/* Reads one line from the reply pipe within @timeout_ms into @line. */
static bool
read_reply (char  *line,
            size_t size,
            int    timeout_ms)
{
  double deadline = now_ms () + timeout_ms;

  for (;;)
    {
      char *nl = memchr (reply_buf, '\n', reply_len);
      struct pollfd pfd = { reply_read_fd, POLLIN, 0 };
      double left;
      ssize_t r;

      if (nl != NULL)
        {
          size_t n = (size_t) (nl - reply_buf);

          snprintf (line, size, "%.*s", (int) n, reply_buf);
          memmove (reply_buf, nl + 1, reply_len - n - 1);
          reply_len -= n + 1;
          return true;
        }
      left = deadline - now_ms ();
      if (left <= 0 || poll (&pfd, 1, (int) left + 1) <= 0)
        return false;
      r = read (reply_read_fd, reply_buf + reply_len, sizeof reply_buf - reply_len);
      if (r <= 0)
        return false;
      reply_len += (size_t) r;
    }
}

static bool
build_load (void)
{
  int pipe_fds[2];
  char line[128];
  struct rlimit rl;

  /* Only the load processes hold files, but leave room for anything we add. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }

  /* Blocked before fork, so a signal sent to a new process is never lost. */
  sigemptyset (&child_signals);
  sigaddset (&child_signals, SIGUSR1);
  sigaddset (&child_signals, SIGUSR2);
  sigprocmask (SIG_BLOCK, &child_signals, NULL);

  if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
    {
      say ("cannot make a pipe: %s\n", strerror (errno));
      return false;
    }
  /* The write end stays open here too: a later "new proc" process writes into it. */
  reply_read_fd = pipe_fds[0];
  reply_write_fd = pipe_fds[1];

  for (int i = 0; i < N_LISTENER_PROCS; i++)
    {
      pid_t pid = fork ();

      if (pid < 0)
        {
          say ("cannot fork load process %d: %s\n", i + 1, strerror (errno));
          return false;
        }
      if (pid == 0)
        {
          join_load_group (true);
          listener_main (SOCKETS_PER_PROC);
        }
      record_fork (pid);
      listener_pids[i] = pid;
    }

  for (int i = 0; i < N_IDLE_PROCS; i++)
    {
      pid_t pid = fork ();

      if (pid < 0)
        {
          say ("cannot fork idle process %d: %s\n", i + 1, strerror (errno));
          return false;
        }
      if (pid == 0)
        {
          join_load_group (false);
          idle_main ();
        }
      record_fork (pid);
      idle_pids[i] = pid;
    }
  while (n_load_sockets < N_LOAD_SOCKETS)
    {
      int pid;
      unsigned long inode;

      if (!read_reply (line, sizeof line, 30000))
        {
          say ("the load processes opened only %zu of %d sockets\n", n_load_sockets,
               N_LOAD_SOCKETS);
          return false;
        }
      if (sscanf (line, "S %d %lu", &pid, &inode) == 2)
        {
          load_sockets[n_load_sockets].pid = pid;
          load_sockets[n_load_sockets].inode = inode;
          n_load_sockets++;
        }
      else
        {
          int err = 0;

          sscanf (line, "E %d %d", &pid, &err);
          say ("a load process could not open a listening socket: %s\n", strerror (err));
          return false;
        }
    }

  /* Idle processes report nothing: wait until every one of them has its files open. */
  for (int i = 0; i < N_IDLE_PROCS; i++)
    {
      char path[64];
      double deadline = now_ms () + 10000;

      snprintf (path, sizeof path, "/proc/%d/fd/%d", (int) idle_pids[i], 2 + FILES_PER_IDLE);
      while (access (path, F_OK) < 0)
        {
          if (now_ms () > deadline)
            {
              say ("idle process %d did not open its files\n", (int) idle_pids[i]);
              return false;
            }
          usleep (1000);
        }
    }

  return true;
}

/* Kills the whole load group, reaps it and checks that nothing of it is left. */
static bool
destroy_load (void)
{
  bool gone;

  if (load_pgid == 0)
    return true;
  killpg (load_pgid, SIGKILL);
  for (int i = 0; i < N_LISTENER_PROCS; i++)
    if (listener_pids[i] > 0)
      waitpid (listener_pids[i], NULL, 0);
  for (int i = 0; i < N_IDLE_PROCS; i++)
    if (idle_pids[i] > 0)
      waitpid (idle_pids[i], NULL, 0);
  /* Any other child (the "new proc" listener) is in the group too. */
  while (waitpid (-load_pgid, NULL, WNOHANG) > 0)
    ;
  gone = killpg (load_pgid, 0) < 0 && errno == ESRCH;
  load_pgid = 0;

  return gone;
}

/* ---- running programs ----------------------------------------------------------- */

static void
exec_child (const char *const *argv,
            int                 in_fd,
            int                 out_fd)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (in_fd >= 0)
    dup2 (in_fd, STDIN_FILENO);
  if (out_fd >= 0)
    dup2 (out_fd, STDOUT_FILENO);
  execvp (argv[0], (char **) argv);
  fprintf (stderr, "bench-helper: cannot run %s: %s\n", argv[0], strerror (errno));
  _exit (127);
}

/* Runs @argv with stdout to /dev/null; returns the wall time in ms, or -1. */
static double
time_command (const char *const *argv)
{
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  double t0 = now_ms ();
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    exec_child (argv, null_fd, null_fd);
  close (null_fd);
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    return -1;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return -1;

  return now_ms () - t0;
}

/* Runs @argv and returns the number of lines it printed, or -1. */
static long
count_output_lines (const char *const *argv)
{
  int fds[2];
  char buf[65536];
  long lines = 0;
  ssize_t r;
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) < 0)
    return -1;
  pid = fork ();
  if (pid == 0)
    exec_child (argv, -1, fds[1]);
  close (fds[1]);
  while ((r = read (fds[0], buf, sizeof buf)) > 0)
    for (ssize_t i = 0; i < r; i++)
      lines += buf[i] == '\n';
  close (fds[0]);
  if (pid < 0)
    return -1;
  waitpid (pid, NULL, 0);

  return lines;
}

static bool
helper_start (Helper            *h,
              const char *const *argv,
              bool               with_stdin)
{
  int in_fds[2] = { -1, -1 };
  int out_fds[2];

  memset (h, 0, sizeof *h);
  h->in_fd = -1;
  if (pipe2 (out_fds, O_CLOEXEC) < 0)
    return false;
  /* Without commands to send, its stdin is /dev/null rather than our terminal. */
  if (with_stdin ? pipe2 (in_fds, O_CLOEXEC) < 0
                 : (in_fds[0] = open ("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
    return false;
  h->pid = fork ();
  if (h->pid == 0)
    exec_child (argv, in_fds[0], out_fds[1]);
  close (out_fds[1]);
  close (in_fds[0]);
  h->out_fd = out_fds[0];
  h->in_fd = in_fds[1];

  return h->pid > 0;
}

/* Reads more output; 1 data, 0 end of file, -1 timeout or error. */
static int
helper_read (Helper *h,
             double  deadline)
{
  struct pollfd pfd = { h->out_fd, POLLIN, 0 };
  double left = deadline - now_ms ();
  ssize_t r;

  if (left <= 0 || poll (&pfd, 1, (int) left + 1) <= 0)
    return -1;
  if (h->cap - h->len < 65536)
    {
      h->cap = h->cap * 2 + 65536;
      h->buf = realloc (h->buf, h->cap);
      if (h->buf == NULL)
        abort ();
    }
  r = read (h->out_fd, h->buf + h->len, h->cap - h->len);
  if (r < 0)
    return -1;
  h->len += (size_t) r;

  return r > 0 ? 1 : 0;
}

/* Reads until an END line is complete; returns the offset just past it, or 0. */
static size_t
helper_read_change_set (Helper *h,
                        double  deadline)
{
  for (;;)
    {
      while (h->scanned < h->len)
        {
          char *line = h->buf + h->scanned;
          char *nl = memchr (line, '\n', h->len - h->scanned);

          if (nl == NULL)
            break;
          h->scanned = (size_t) (nl - h->buf) + 1;
          if (strncmp (line, "END\t", 4) == 0)
            return h->scanned;
        }
      if (helper_read (h, deadline) <= 0)
        return 0;
    }
}

/* Forgets the first @n bytes of output (a change set already looked at). */
static void
helper_consume (Helper *h,
                size_t  n)
{
  memmove (h->buf, h->buf + n, h->len - n);
  h->len -= n;
  h->scanned = h->scanned > n ? h->scanned - n : 0;
}

/* Ends the helper: closes its pipes, waits a little, then kills it. Returns its peak
 * RSS in kB from wait4 (), or 0. */
static long
helper_stop (Helper *h)
{
  struct rusage ru;
  double deadline = now_ms () + 5000;
  int status;
  pid_t r;

  if (h->in_fd >= 0)
    close (h->in_fd);
  close (h->out_fd);
  while ((r = wait4 (h->pid, &status, WNOHANG, &ru)) == 0 && now_ms () < deadline)
    usleep (1000);
  if (r == 0)
    {
      kill (h->pid, SIGKILL);
      r = wait4 (h->pid, &status, 0, &ru);
    }
  free (h->buf);
  h->buf = NULL;

  return r == h->pid ? ru.ru_maxrss : 0;
}

static bool
helper_send (Helper     *h,
             const char *command)
{
  size_t n = strlen (command);

  return write (h->in_fd, command, n) == (ssize_t) n;
}

/* ---- reading the protocol ------------------------------------------------------- */

/* Copies the value of @key in the record @line (up to its newline) into @out. */
static bool
field (const char *line,
       const char *key,
       char       *out,
       size_t      size)
{
  size_t key_len = strlen (key);
  const char *end = strchr (line, '\n');
  const char *p = line;

  if (end == NULL)
    end = line + strlen (line);
  while (p < end)
    {
      const char *tab = memchr (p, '\t', (size_t) (end - p));
      const char *field_end = tab != NULL ? tab : end;

      if ((size_t) (field_end - p) > key_len && strncmp (p, key, key_len) == 0
          && p[key_len] == '=')
        {
          snprintf (out, size, "%.*s", (int) (field_end - p - key_len - 1), p + key_len + 1);
          return true;
        }
      p = field_end + 1;
    }

  return false;
}

static int
compare_inode (const void *a,
               const void *b)
{
  unsigned long x = ((const LoadSocket *) a)->inode;
  unsigned long y = ((const LoadSocket *) b)->inode;

  return x < y ? -1 : x > y;
}

/* Whether an owners= value (pid:start:fd,...) names @pid. */
static bool
owners_name (const char *owners,
             pid_t       pid)
{
  char want[32];
  int n = snprintf (want, sizeof want, "%d:", (int) pid);

  for (const char *p = owners; p != NULL && *p != '\0'; p = strchr (p, ','), p = p ? p + 1 : p)
    if (strncmp (p, want, (size_t) n) == 0)
      return true;

  return false;
}

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

/* Looks at the records in buf[0..len): counts them and checks the load's sockets. */
static void
inspect (const char *buf,
         size_t      len,
         Snapshot   *s)
{
  const char *p = buf;
  const char *end = buf + len;
  char value[65536];

  memset (s, 0, sizeof *s);
  s->sockets_total = -1;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));

      if (nl == NULL)
        break;
      if (strncmp (p, "HELLO\t", 6) == 0)
        s->has_hello = true;
      else if (strncmp (p, "SOCK\t", 5) == 0)
        {
          LoadSocket key = { 0, 0 };
          LoadSocket *mine;

          s->n_sock++;
          if (field (p, "id", value, sizeof value))
            key.inode = strtoul (value, NULL, 10);
          mine = bsearch (&key, load_sockets, n_load_sockets, sizeof key, compare_inode);
          if (mine != NULL)
            {
              if (field (p, "owners", value, sizeof value) && owners_name (value, mine->pid))
                s->found++;
              else
                s->wrong_owner++;
            }
        }
      else if (strncmp (p, "GONE\t", 5) == 0)
        s->n_gone++;
      else if (strncmp (p, "PROC\t", 5) == 0)
        s->n_proc++;
      else if (strncmp (p, "END\t", 4) == 0 && field (p, "sockets", value, sizeof value))
        s->sockets_total = strtol (value, NULL, 10);
      p = nl + 1;
    }
}

/* Whether the change set in buf[0..len) has a SOCK for @inode owned by @pid. */
static bool
change_set_has (const char   *buf,
                size_t        len,
                const char   *record,
                unsigned long inode,
                pid_t         pid)
{
  const char *p = buf;
  const char *end = buf + len;
  size_t record_len = strlen (record);
  char value[4096];

  while (p < end)
    {
      const char *nl = memchr (p, '\n', (size_t) (end - p));

      if (nl == NULL)
        break;
      if (strncmp (p, record, record_len) == 0 && p[record_len] == '\t'
          && field (p, "id", value, sizeof value) && strtoul (value, NULL, 10) == inode)
        return pid == 0 || (field (p, "owners", value, sizeof value) && owners_name (value, pid));
      p = nl + 1;
    }

  return false;
}

/* ---- measuring ------------------------------------------------------------------ */

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  double v[MAX_RUNS];
  int    n;
} Series;

static double
median (Series *s)
{
  double sorted[MAX_RUNS];

  if (s->n == 0)
    return -1;
  memcpy (sorted, s->v, sizeof (double) * (size_t) s->n);
  qsort (sorted, (size_t) s->n, sizeof (double), compare_double);
  if (s->n % 2 == 1)
    return sorted[s->n / 2];

  return (sorted[s->n / 2 - 1] + sorted[s->n / 2]) / 2;
}

static double
series_min (const Series *s)
{
  double m = s->n > 0 ? s->v[0] : -1;

  for (int i = 1; i < s->n; i++)
    if (s->v[i] < m)
      m = s->v[i];

  return m;
}

static double
series_max (const Series *s)
{
  double m = s->n > 0 ? s->v[0] : -1;

  for (int i = 1; i < s->n; i++)
    if (s->v[i] > m)
      m = s->v[i];

  return m;
}

static long
read_vm_hwm (pid_t pid)
{
  char path[64];
  char line[256];
  long kb = 0;
  FILE *f;

  snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
  f = fopen (path, "re");
  if (f == NULL)
    return 0;
  while (fgets (line, sizeof line, f) != NULL)
    if (sscanf (line, "VmHWM: %ld kB", &kb) == 1)
      break;
  fclose (f);

  return kb;
}

/* One cold `watch --once`: the time from fork to exit, and what it printed in @snap. */
static double
run_cold (Snapshot *snap,
          long     *maxrss_kb)
{
  const char *argv[] = { helper_path, "watch", "--once", NULL };
  double t0 = now_ms ();
  double elapsed;
  struct rusage ru;
  Helper h;
  int r;

  if (!helper_start (&h, argv, false))
    return -1;
  while ((r = helper_read (&h, t0 + HELPER_TIMEOUT_MS)) > 0)
    ;
  if (r < 0)
    {
      helper_stop (&h);
      return -1;
    }
  if (wait4 (h.pid, NULL, 0, &ru) != h.pid)
    ru.ru_maxrss = 0;
  elapsed = now_ms () - t0;
  *maxrss_kb = ru.ru_maxrss;
  close (h.out_fd);
  inspect (h.buf, h.len, snap);
  free (h.buf);

  return elapsed;
}

/* "refresh" and the time until the next END; the change set stays in @h for a look. */
static double
timed_refresh (Helper *h,
               size_t *set_len)
{
  double t0;

  helper_consume (h, h->len);
  t0 = now_ms ();
  if (!helper_send (h, "refresh\n"))
    return -1;
  *set_len = helper_read_change_set (h, now_ms () + REFRESH_TIMEOUT_MS);
  if (*set_len == 0)
    return -1;

  return now_ms () - t0;
}

static void
print_ratio_line (const char *name,
                  double      ms,
                  double      ss_ms,
                  double      target,
                  const char *target_text,
                  Series     *s)
{
  double ratio = ms / ss_ms;
  char as_fraction[32] = "";

  if (ms < 0 || ss_ms <= 0)
    {
      say ("  %-30s %12s\n", name, "not measured");
      return;
    }
  if (ratio < 1)
    snprintf (as_fraction, sizeof as_fraction, "= 1/%.1f", ss_ms / ms);
  say ("  %-30s %9.3f ms  (min %8.3f, max %8.3f)  %6.3f x ss %-9s target %-8s %s\n",
       name, ms, series_min (s), series_max (s), ratio, as_fraction, target_text,
       target <= 0 ? "" : ratio <= target ? "PASS" : "MISS");
}

static void
usage (void)
{
  fprintf (stderr, "usage: bench-helper [--runs N] [--helper PATH]\n");
  exit (2);
}

int
main (int    argc,
      char **argv)
{
  const char *watch_argv[] = { NULL, "watch", "--interval", "0", NULL };
  const char *ss_argv[] = { "ss", "-ltnup", NULL };
  const char *ss_count_argv[] = { "ss", "-Hltnu", NULL };
  const char *version_argv[] = { NULL, "--version", NULL };
  Series cold = { { 0 }, 0 };
  Series ss = { { 0 }, 0 };
  Series warm = { { 0 }, 0 };
  Series one_new = { { 0 }, 0 };
  Series warm_quiet = { { 0 }, 0 };
  Series one_new_quiet = { { 0 }, 0 };
  Series new_proc = { { 0 }, 0 };
  Snapshot snap = { 0 };
  Snapshot first_full = { 0 };
  char version[256] = "";
  char line[128];
  long cold_rss_kb = 0;
  long rss_unused = 0;
  long watch_hwm_kb = 0;
  long watch_maxrss_kb = 0;
  long ss_lines = -1;
  int runs = DEFAULT_RUNS;
  int new_seen = 0;
  int new_proc_seen = 0;
  int gone_seen = 0;
  int warm_records = 0;
  bool watch_ok = true;
  bool load_ok;
  bool clean;
  double t_load;
  Helper h;
  Helper probe;
  size_t set_len;
  int r;

  bench_pid = getpid ();
  helper_path = getenv ("PORTHOLE_HELPER");
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--runs") == 0 && i + 1 < argc)
        runs = atoi (argv[++i]);
      else if (strcmp (argv[i], "--helper") == 0 && i + 1 < argc)
        helper_path = argv[++i];
      else
        usage ();
    }
  if (runs < 1 || runs > MAX_RUNS)
    usage ();
  if (helper_path == NULL)
    {
      say ("bench-helper: PORTHOLE_HELPER is not set and no --helper was given; "
           "run it through build-aux/dev bench\n");
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  watch_argv[0] = helper_path;
  version_argv[0] = helper_path;

  /* A helper still being written must not leave us waiting or measuring nonsense. */
  if (helper_start (&probe, version_argv, false))
    {
      double deadline = now_ms () + 5000;

      while ((r = helper_read (&probe, deadline)) > 0)
        ;
      if (probe.len > 0)
        snprintf (version, sizeof version, "%.*s", (int) strcspn (probe.buf, "\n"), probe.buf);
      helper_stop (&probe);
    }
  say ("bench-helper: %s (%s)\n", version[0] ? version : "no version", helper_path);
  if (strstr (version, "protocol=") == NULL)
    {
      say ("bench-helper: this porthole-helper does not speak the protocol yet "
           "(`--version` has no protocol=); nothing to measure\n");
      return 0;
    }

  t_load = now_ms ();
  load_ok = build_load ();
  t_load = now_ms () - t_load;
  if (!load_ok)
    {
      say ("bench-helper: could not build the load; nothing measured\n");
      say ("bench-helper: load processes %s\n", destroy_load () ? "all gone" : "NOT ALL GONE");
      return 1;
    }
  qsort (load_sockets, n_load_sockets, sizeof load_sockets[0], compare_inode);
  say ("load: %d processes x %d TCP listeners on 127.0.0.1 = %zu sockets, %d idle processes "
       "x %d open files; built in %.0f ms\n", N_LISTENER_PROCS, SOCKETS_PER_PROC,
       n_load_sockets, N_IDLE_PROCS, FILES_PER_IDLE, t_load);

  /* Warm up the page cache and check that `watch` works at all before the runs. */
  time_command (ss_argv);
  if (run_cold (&first_full, &cold_rss_kb) < 0 || !first_full.has_hello
      || first_full.sockets_total < 0)
    {
      say ("bench-helper: `porthole-helper watch --once` did not print HELLO ... END; "
           "the helper does not support watch yet; nothing measured\n");
      say ("bench-helper: load processes %s\n", destroy_load () ? "all gone" : "NOT ALL GONE");
      return 0;
    }

  if (!helper_start (&h, watch_argv, true)
      || (set_len = helper_read_change_set (&h, now_ms () + HELPER_TIMEOUT_MS)) == 0)
    {
      say ("bench-helper: `watch --interval 0` sent no first change set\n");
      watch_ok = false;
    }

  for (int run = 0; run < runs; run++)
    {
      double ms;
      long rss;

      ms = run_cold (&snap, &rss);
      if (ms >= 0)
        cold.v[cold.n++] = ms;
      if (rss > cold_rss_kb)
        cold_rss_kb = rss;
      ms = time_command (ss_argv);
      if (ms >= 0)
        ss.v[ss.n++] = ms;

      if (!watch_ok)
        continue;

      ms = timed_refresh (&h, &set_len);
      if (ms < 0)
        {
          say ("bench-helper: no END within %d s after `refresh`\n", REFRESH_TIMEOUT_MS / 1000);
          watch_ok = false;
          continue;
        }
      warm.v[warm.n++] = ms;
      {
        Snapshot delta;

        inspect (h.buf, set_len, &delta);
        warm_records += (int) (delta.n_sock + delta.n_gone + delta.n_proc);
        /* Sockets of other programs on the machine may come and go meanwhile. */
        if (delta.n_sock + delta.n_gone == 0)
          warm_quiet.v[warm_quiet.n++] = ms;
      }

      /* One more listener in a load process that already holds ten. */
      {
        pid_t target = listener_pids[(run * 37) % N_LISTENER_PROCS];
        unsigned long inode = 0;
        int pid;

        kill (target, SIGUSR1);
        if (!read_reply (line, sizeof line, 5000)
            || sscanf (line, "N %d %lu", &pid, &inode) != 2 || inode == 0)
          {
            say ("bench-helper: a load process could not open one more listener\n");
            continue;
          }
        ms = timed_refresh (&h, &set_len);
        if (ms < 0)
          {
            watch_ok = false;
            continue;
          }
        one_new.v[one_new.n++] = ms;
        new_seen += change_set_has (h.buf, set_len, "SOCK", inode, target);
        {
          Snapshot delta;

          inspect (h.buf, set_len, &delta);
          if (delta.n_sock == 1 && delta.n_gone == 0)
            one_new_quiet.v[one_new_quiet.n++] = ms;
        }

        /* Close it again and let the helper see that, untimed. */
        kill (target, SIGUSR2);
        read_reply (line, sizeof line, 5000);
        if (timed_refresh (&h, &set_len) >= 0)
          gone_seen += change_set_has (h.buf, set_len, "GONE", inode, 0);
      }

      /* A new process with one listener (for information). */
      {
        unsigned long inode = 0;
        pid_t pid = fork ();

        if (pid == 0)
          {
            join_load_group (true);
            listener_main (0);
          }
        if (pid < 0)
          continue;
        record_fork (pid);
        kill (pid, SIGUSR1);
        if (read_reply (line, sizeof line, 5000) && sscanf (line, "N %*d %lu", &inode) == 1
            && inode != 0)
          {
            ms = timed_refresh (&h, &set_len);
            if (ms >= 0)
              {
                new_proc.v[new_proc.n++] = ms;
                new_proc_seen += change_set_has (h.buf, set_len, "SOCK", inode, pid);
              }
          }
        kill (pid, SIGKILL);
        waitpid (pid, NULL, 0);
        timed_refresh (&h, &set_len);
      }
    }

  if (h.pid > 0)
    {
      watch_hwm_kb = read_vm_hwm (h.pid);
      watch_maxrss_kb = helper_stop (&h);
    }
  /* The helper's count next to ss's, taken one right after the other. */
  run_cold (&snap, &rss_unused);
  ss_lines = count_output_lines (ss_count_argv);
  clean = destroy_load ();

  {
    double ss_ms = median (&ss);
    long peak = watch_hwm_kb > cold_rss_kb ? watch_hwm_kb : cold_rss_kb;

    say ("runs: %d (medians; wall time, from fork to exit or from `refresh` to END)\n", runs);
    say ("  %-30s %9.3f ms  (min %8.3f, max %8.3f)\n", "ss -ltnup", ss_ms, series_min (&ss),
         series_max (&ss));
    print_ratio_line ("cold watch --once", median (&cold), ss_ms, TARGET_COLD, "<= 1", &cold);
    print_ratio_line ("warm refresh, nothing changed", median (&warm_quiet),
                      ss_ms, TARGET_WARM, "<= 1/20", &warm_quiet);
    print_ratio_line ("refresh, 1 new listener", median (&one_new_quiet), ss_ms,
                      TARGET_NEW, "<= 1/2", &one_new_quiet);
    if (warm_quiet.n < warm.n || one_new_quiet.n < one_new.n)
      {
        say ("  (other sockets on the machine changed during %d of %d warm and %d of %d "
             "one-new refreshes; those are left out above and counted here:)\n",
             warm.n - warm_quiet.n, warm.n, one_new.n - one_new_quiet.n, one_new.n);
        print_ratio_line ("warm refresh, all runs", median (&warm), ss_ms, 0, "-", &warm);
        print_ratio_line ("1 new listener, all runs", median (&one_new), ss_ms, 0, "-",
                          &one_new);
      }
    print_ratio_line ("refresh, 1 new process (info)", median (&new_proc),
                      ss_ms, 0, "-", &new_proc);
    say ("  %-30s %9.3f MB  (VmHWM of watch %.3f, maxrss of watch %.3f, of --once %.3f)  "
         "target <= 8 MB   %s\n", "helper peak RSS", peak / 1024.0,
         watch_hwm_kb / 1024.0, watch_maxrss_kb / 1024.0, cold_rss_kb / 1024.0,
         peak <= 0 ? "not measured" : peak <= TARGET_RSS_KB ? "PASS" : "MISS");

    say ("checks:\n");
    say ("  full snapshot: END sockets=%ld, %ld SOCK and %ld PROC records; ss -Hltnu right "
         "after lists %ld sockets  %s\n", snap.sockets_total, snap.n_sock, snap.n_proc,
         ss_lines, snap.sockets_total == ss_lines
                   && snap.n_sock == snap.sockets_total ? "MATCH" : "DIFFER");
    say ("  first snapshot: load sockets with their owner: %ld of %zu (%ld without it)  %s\n",
         first_full.found, n_load_sockets, first_full.wrong_owner,
         first_full.found == (long) n_load_sockets ? "OK" : "MISSING");
    say ("  last snapshot: load sockets with their owner: %ld of %zu\n", snap.found,
         n_load_sockets);
    say ("  warm refreshes: %d records in %d empty-change refreshes (0 expected on a quiet "
         "machine)\n", warm_records, warm.n);
    say ("  new listener seen in the delta with its owner: %d of %d; its GONE seen: %d of %d\n",
         new_seen, one_new.n, gone_seen, one_new.n);
    say ("  new process's listener seen with its owner: %d of %d\n", new_proc_seen, new_proc.n);
    say ("  cleanup: every load process %s\n", clean ? "killed and reaped, none left"
                                                    : "NOT GONE (some are left)");
  }

  return 0;
}
