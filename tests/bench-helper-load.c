/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-helper-load.c — bench-helper's load: processes holding listeners and open files */

/*
 * The load lives in one process group of its own: n_listener_procs processes holding
 * SOCKETS_PER_PROC listening TCP sockets each on 127.0.0.1, and N_IDLE_PROCS idle
 * processes with FILES_PER_IDLE open files each. Every load process dies with us and
 * answers on one shared reply pipe. libc only, like the helper it loads.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-helper.h"

int n_listener_procs;
pid_t *listener_pids;
LoadSocket *load_sockets;
size_t n_load_sockets;

static pid_t bench_pid;
static pid_t load_pgid;
static pid_t idle_pids[N_IDLE_PROCS];
static int reply_read_fd = -1;   /* ours */
static int reply_write_fd = -1;  /* the load processes' */
static char reply_buf[1 << 16];
static size_t reply_len;
static sigset_t child_signals;

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
bool
load_read_reply (char  *line,
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

bool
load_build (int n_procs)
{
  int pipe_fds[2];
  char line[128];
  struct rlimit rl;
  size_t want = (size_t) n_procs * SOCKETS_PER_PROC;

  bench_pid = getpid ();
  n_listener_procs = n_procs;
  listener_pids = calloc ((size_t) n_procs, sizeof *listener_pids);
  load_sockets = calloc (want, sizeof *load_sockets);
  if (listener_pids == NULL || load_sockets == NULL)
    return false;

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

  for (int i = 0; i < n_listener_procs; i++)
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
  while (n_load_sockets < want)
    {
      int pid;
      unsigned long inode;

      if (!load_read_reply (line, sizeof line, 30000))
        {
          say ("the load processes opened only %zu of %zu sockets\n", n_load_sockets, want);
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
bool
load_destroy (void)
{
  bool gone;

  if (load_pgid == 0)
    return true;
  killpg (load_pgid, SIGKILL);
  for (int i = 0; i < n_listener_procs; i++)
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

/* Moves us (and so the load, the helper and ss) into a network namespace of our own
 * with only a loopback interface: tens of thousands of listeners then take no ports from
 * the machine's other programs, and their sockets stay out of our figures. False (with
 * the reason in @why) when this needs a privilege we lack; we stay where we are then. */
bool
load_isolate_network (char  *why,
                      size_t size)
{
  struct ifreq ifr;
  int fd;

  if (unshare (CLONE_NEWNET) < 0)
    {
      snprintf (why, size, "unshare (CLONE_NEWNET): %s", strerror (errno));
      return false;
    }
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  memset (&ifr, 0, sizeof ifr);
  snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  if (fd < 0 || ioctl (fd, SIOCGIFFLAGS, &ifr) < 0
      || (ifr.ifr_flags |= IFF_UP, ioctl (fd, SIOCSIFFLAGS, &ifr) < 0))
    {
      snprintf (why, size, "bringing up lo: %s", strerror (errno));
      if (fd >= 0)
        close (fd);
      return false;
    }
  close (fd);
  return true;
}

int
load_compare_inode (const void *a,
                    const void *b)
{
  unsigned long x = ((const LoadSocket *) a)->inode;
  unsigned long y = ((const LoadSocket *) b)->inode;

  return x < y ? -1 : x > y;
}

/* Sorts the load's sockets by inode, so inspect () finds them by bisection. */
void
load_sort_sockets (void)
{
  qsort (load_sockets, n_load_sockets, sizeof load_sockets[0], load_compare_inode);
}

/* Forks one more load process with no listener yet (SIGUSR1 opens one): returns its PID
 * in the parent, or -1. */
pid_t
load_fork_listener (void)
{
  pid_t pid = fork ();

  if (pid == 0)
    {
      join_load_group (true);
      listener_main (0);
    }
  if (pid > 0)
    record_fork (pid);

  return pid;
}
