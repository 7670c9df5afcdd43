/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-listener.c — ph-test-listener really holds the ports it reports, as documented */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ph-tap.h"

#define MAX_SOCKETS  16
#define MAX_CHILDREN 8

typedef struct
{
  char          proto[8];
  char          addr[64];
  unsigned      port;
  unsigned long inode;
} Sock;

typedef struct
{
  pid_t pid;
  int   out_fd;
  int   err_fd;
  Sock  sockets[MAX_SOCKETS];
  int   n_sockets;
  pid_t children[MAX_CHILDREN];
  int   n_children;
  pid_t ready;
  char  err[1024];
} Listener;

static const char *listener_path;

static long
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads one line within @timeout_ms; false on EOF or timeout. */
static bool
read_line (int    fd,
           char  *line,
           size_t size,
           int    timeout_ms)
{
  size_t n = 0;
  long deadline = now_ms () + timeout_ms;

  while (n + 1 < size)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      long left = deadline - now_ms ();
      char c;
      ssize_t r;

      if (left <= 0 || poll (&pfd, 1, (int) left) <= 0)
        return false;
      r = read (fd, &c, 1);
      if (r <= 0)
        return false;
      if (c == '\n')
        break;
      line[n++] = c;
    }
  line[n] = '\0';

  return true;
}

static void
read_all (int    fd,
          char  *buf,
          size_t size)
{
  size_t n = 0;
  ssize_t r;

  while (n + 1 < size && (r = read (fd, buf + n, size - n - 1)) > 0)
    n += (size_t) r;
  buf[n] = '\0';
}

/* Starts the listener with @args (NULL-terminated, without argv[0]) and reads its report
 * up to READY. Returns false when it did not get that far (l->err then has its stderr). */
static bool
listener_start (Listener          *l,
                const char *const *args)
{
  const char *argv[64];
  int out[2];
  int err[2];
  int n = 0;
  char line[512];

  memset (l, 0, sizeof *l);
  argv[n++] = listener_path;
  for (int i = 0; args[i] != NULL && n < 63; i++)
    argv[n++] = args[i];
  argv[n] = NULL;

  if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (err, O_CLOEXEC) < 0)
    ph_tap_bail_out ("pipe: %s", strerror (errno));
  l->pid = fork ();
  if (l->pid < 0)
    ph_tap_bail_out ("fork: %s", strerror (errno));
  if (l->pid == 0)
    {
      dup2 (out[1], STDOUT_FILENO);
      dup2 (err[1], STDERR_FILENO);
      execv (listener_path, (char **) argv);
      _exit (127);
    }
  close (out[1]);
  close (err[1]);
  l->out_fd = out[0];
  l->err_fd = err[0];

  while (read_line (l->out_fd, line, sizeof line, 10000))
    {
      Sock *s = &l->sockets[l->n_sockets];
      long pid;

      if (strncmp (line, "SOCKET ", 7) == 0 && l->n_sockets < MAX_SOCKETS)
        {
          if (sscanf (line, "SOCKET %7s %63s %u %lu", s->proto, s->addr, &s->port,
                      &s->inode) == 4)
            l->n_sockets++;
          else
            ph_tap_diag ("unparsable line: %s", line);
        }
      else if (sscanf (line, "CHILD %ld", &pid) == 1 && l->n_children < MAX_CHILDREN)
        l->children[l->n_children++] = (pid_t) pid;
      else if (sscanf (line, "READY %ld", &pid) == 1)
        {
          l->ready = (pid_t) pid;
          return true;
        }
      else
        ph_tap_diag ("unexpected line: %s", line);
    }

  return false;
}

/* Waits up to @timeout_ms for @pid (our child) to end; returns its wait status or -1. */
static int
wait_exit (pid_t pid,
           int   timeout_ms)
{
  long deadline = now_ms () + timeout_ms;
  int status;

  do
    {
      pid_t r = waitpid (pid, &status, WNOHANG);

      if (r == pid)
        return status;
      if (r < 0)
        return -1;
      usleep (10000);
    }
  while (now_ms () < deadline);

  return -1;
}

static void
listener_finish (Listener *l)
{
  read_all (l->err_fd, l->err, sizeof l->err);
  close (l->out_fd);
  close (l->err_fd);
}

static void
listener_kill (Listener *l)
{
  kill (l->pid, SIGKILL);
  for (int i = 0; i < l->n_children; i++)
    kill (l->children[i], SIGKILL);
  waitpid (l->pid, NULL, 0);
  for (int i = 0; i < l->n_children; i++)
    waitpid (l->children[i], NULL, 0);
  listener_finish (l);
}

static bool
has_ipv6 (void)
{
  struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok;

  if (fd < 0)
    return false;
  ok = bind (fd, (struct sockaddr *) &a, sizeof a) == 0;
  close (fd);

  return ok;
}

/* A socket of @type for @addr (IPv4 or IPv6 text) port @port, its address in @sa; -1 with
 * errno EINVAL when @addr is neither. An IPv6 UDP socket takes IPv4 too (V6ONLY off). */
static int
socket_for (const char              *addr,
            unsigned                 port,
            int                      type,
            struct sockaddr_storage *sa,
            socklen_t               *len)
{
  struct sockaddr_in *v4 = (struct sockaddr_in *) sa;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *) sa;
  int fd;

  memset (sa, 0, sizeof *sa);
  if (inet_pton (AF_INET, addr, &v4->sin_addr) == 1)
    {
      v4->sin_family = AF_INET;
      v4->sin_port = htons (port);
      *len = sizeof *v4;
      return socket (AF_INET, type | SOCK_CLOEXEC, 0);
    }
  if (inet_pton (AF_INET6, addr, &v6->sin6_addr) == 1)
    {
      int zero = 0;

      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons (port);
      *len = sizeof *v6;
      fd = socket (AF_INET6, type | SOCK_CLOEXEC, 0);
      if (type == SOCK_DGRAM)
        setsockopt (fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
      return fd;
    }
  errno = EINVAL;
  return -1;
}

/* Connects a TCP socket to @addr (IPv4 or IPv6 text) port @port (SOCK_STREAM), or binds a
 * UDP one there (SOCK_DGRAM); returns 0 or the errno (EADDRINUSE: the port is held). */
static int
try_socket (const char *addr,
            unsigned    port,
            int         type)
{
  struct sockaddr_storage sa;
  socklen_t len;
  int fd = socket_for (addr, port, type, &sa, &len);
  int rc;

  if (fd < 0)
    return errno;
  if (type == SOCK_STREAM)
    rc = connect (fd, (struct sockaddr *) &sa, len) == 0 ? 0 : errno;
  else
    rc = bind (fd, (struct sockaddr *) &sa, len) == 0 ? 0 : errno;
  close (fd);

  return rc;
}

/* Whether process @pid has socket:[inode] among its open files. */
static bool
holds_inode (pid_t         pid,
             unsigned long inode)
{
  char want[64];
  char path[64];
  char target[128];

  snprintf (want, sizeof want, "socket:[%lu]", inode);
  for (int fd = 0; fd < 64; fd++)
    {
      ssize_t n;

      snprintf (path, sizeof path, "/proc/%ld/fd/%d", (long) pid, fd);
      n = readlink (path, target, sizeof target - 1);
      if (n < 0)
        continue;
      target[n] = '\0';
      if (strcmp (target, want) == 0)
        return true;
    }

  return false;
}

static bool
alive (pid_t pid)
{
  char path[64];
  char buf[512];
  FILE *f;
  char *paren;
  bool running = false;

  snprintf (path, sizeof path, "/proc/%ld/stat", (long) pid);
  f = fopen (path, "re");
  if (f == NULL)
    return false;
  if (fgets (buf, sizeof buf, f) != NULL && (paren = strrchr (buf, ')')) != NULL)
    running = paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
  fclose (f);

  return running;
}

/* Whether no IPv4 TCP socket holds 127.0.0.1:PORT (a bind without SO_REUSEADDR). */
static bool
ipv4_port_is_free (unsigned port)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool free_port;

  if (fd < 0)
    return false;
  inet_pton (AF_INET, "127.0.0.1", &sin.sin_addr);
  free_port = bind (fd, (struct sockaddr *) &sin, sizeof sin) == 0;
  close (fd);
  return free_port;
}

static void
test_sockets (bool ipv6)
{
  const char *v4_args[] = {
    "--fork", "2",
    "tcp:127.0.0.1:0", "udp:127.0.0.1:0", "tcp:0.0.0.0:0", "udp:0.0.0.0:0",
    NULL,
  };
  const char *v6_args[] = {
    "--fork", "2",
    "tcp:127.0.0.1:0", "udp:127.0.0.1:0", "tcp:0.0.0.0:0", "udp:0.0.0.0:0",
    "tcp:[::1]:0", "udp:[::1]:0", "tcp:[::]:0", "tcp6only:[::]:0", "udp6only:[::]:0",
    NULL,
  };
  const char *want_addr[] = { "127.0.0.1", "127.0.0.1", "0.0.0.0", "0.0.0.0",
                              "::1", "::1", "::", "::", "::" };
  const char *want_proto[] = { "tcp", "udp", "tcp", "udp", "tcp", "udp", "tcp", "tcp", "udp" };
  int n_want = ipv6 ? 9 : 4;
  Listener l;
  bool all;
  int status;

  if (!ph_tap_ok (listener_start (&l, ipv6 ? v6_args : v4_args), "listener starts"))
    {
      listener_kill (&l);
      ph_tap_diag ("stderr: %s", l.err);
      return;
    }

  ph_tap_ok (l.ready == l.pid, "READY names the listener's own pid");
  ph_tap_ok (l.n_sockets == n_want, "one SOCKET line per spec (%d)", l.n_sockets);
  ph_tap_ok (l.n_children == 2, "one CHILD line per forked child (%d)", l.n_children);

  all = l.n_sockets == n_want;
  for (int i = 0; all && i < n_want; i++)
    {
      all = strcmp (l.sockets[i].proto, want_proto[i]) == 0
            && strcmp (l.sockets[i].addr, want_addr[i]) == 0
            && l.sockets[i].port > 0 && l.sockets[i].inode > 0;
      if (!all)
        ph_tap_diag ("socket %d: %s %s %u %lu", i, l.sockets[i].proto, l.sockets[i].addr,
                     l.sockets[i].port, l.sockets[i].inode);
    }
  ph_tap_ok (all, "protocols, canonical addresses, kernel-picked ports and inodes");

  for (int i = 0; i < l.n_sockets && i < n_want; i++)
    {
      Sock *s = &l.sockets[i];
      /* Wildcards are reached through the loopback of their family. */
      const char *target = strcmp (s->addr, "0.0.0.0") == 0 ? "127.0.0.1"
                           : strcmp (s->addr, "::") == 0 ? "::1" : s->addr;

      if (strcmp (s->proto, "tcp") == 0)
        ph_tap_ok (try_socket (target, s->port, SOCK_STREAM) == 0,
                   "tcp %s port %u accepts connections", s->addr, s->port);
      else
        ph_tap_ok (try_socket (s->addr, s->port, SOCK_DGRAM) == EADDRINUSE,
                   "udp %s port %u is bound", s->addr, s->port);
    }

  if (ipv6)
    {
      ph_tap_ok (try_socket ("127.0.0.1", l.sockets[6].port, SOCK_STREAM) == 0,
                 "tcp on [::] is dual stack: reachable on 127.0.0.1");
      /* IPV6_V6ONLY leaves the IPv4 side of the port free, so the kernel may give the
       * same number to an IPv4 socket (ours or anyone's on this machine). Only when no
       * IPv4 socket holds it must 127.0.0.1 refuse. */
      if (ipv4_port_is_free (l.sockets[7].port))
        ph_tap_ok (try_socket ("127.0.0.1", l.sockets[7].port, SOCK_STREAM) == ECONNREFUSED,
                   "tcp6only on [::] is not reachable on 127.0.0.1");
      else
        {
          ph_tap_diag ("port %u is also held by an IPv4 socket here", l.sockets[7].port);
          ph_tap_skip (1, "the v6-only port is shared with an IPv4 socket");
        }
      ph_tap_ok (try_socket ("127.0.0.1", l.sockets[8].port, SOCK_DGRAM) == 0,
                 "udp6only on [::] leaves the IPv4 port free");
    }

  all = true;
  for (int i = 0; i < l.n_sockets; i++)
    {
      all = all && holds_inode (l.pid, l.sockets[i].inode);
      for (int c = 0; c < l.n_children; c++)
        all = all && holds_inode (l.children[c], l.sockets[i].inode);
    }
  ph_tap_ok (all, "the parent and every child hold socket:[INODE] of every socket");

  kill (l.pid, SIGTERM);
  status = wait_exit (l.pid, 5000);
  ph_tap_ok (status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0,
             "SIGTERM ends the listener with status 0");
  /* We are the subreaper: the children, killed by PR_SET_PDEATHSIG, come back to us. */
  all = true;
  for (int c = 0; c < l.n_children; c++)
    {
      status = wait_exit (l.children[c], 5000);
      /* Reaped by us (killed by the signal), or already gone from the system. */
      if (status >= 0)
        all = all && WIFSIGNALED (status);
      else
        all = all && kill (l.children[c], 0) < 0 && errno == ESRCH;
      if (!all)
        ph_tap_diag ("child %ld: status %d", (long) l.children[c], status);
    }
  ph_tap_ok (all, "children die with the parent");
  listener_finish (&l);
}

static void
test_ignore_term (void)
{
  const char *args[] = { "--fork", "1", "--ignore-term", "tcp:127.0.0.1:0", NULL };
  Listener l;
  int status;

  if (!ph_tap_ok (listener_start (&l, args), "listener with --ignore-term starts"))
    {
      listener_kill (&l);
      return;
    }
  kill (l.pid, SIGTERM);
  kill (l.children[0], SIGTERM);
  ph_tap_ok (wait_exit (l.pid, 300) < 0 && alive (l.children[0]),
             "--ignore-term: parent and child live on after SIGTERM");
  ph_tap_ok (try_socket ("127.0.0.1", l.sockets[0].port, SOCK_STREAM) == 0,
             "and still hold the port");
  kill (l.pid, SIGINT);
  status = wait_exit (l.pid, 5000);
  ph_tap_ok (status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0,
             "SIGINT still ends it with status 0");
  status = wait_exit (l.children[0], 5000);
  ph_tap_ok (status >= 0 && WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL,
             "its child is killed when the parent dies");
  listener_finish (&l);
}

static void
test_orphans (void)
{
  const char *args[] = { "--fork", "1", "--orphan-children", "tcp:127.0.0.1:0", NULL };
  Listener l;
  int status;

  if (!ph_tap_ok (listener_start (&l, args), "listener with --orphan-children starts"))
    {
      listener_kill (&l);
      return;
    }
  kill (l.pid, SIGTERM);
  status = wait_exit (l.pid, 5000);
  ph_tap_ok (status >= 0 && WIFEXITED (status), "parent exits on SIGTERM");
  usleep (100000);
  ph_tap_ok (alive (l.children[0]) && holds_inode (l.children[0], l.sockets[0].inode)
             && try_socket ("127.0.0.1", l.sockets[0].port, SOCK_STREAM) == 0,
             "--orphan-children: the child outlives it and keeps the port");
  kill (l.children[0], SIGTERM);
  status = wait_exit (l.children[0], 5000);
  ph_tap_ok (status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0,
             "the orphan exits 0 on SIGTERM");
  listener_finish (&l);
}

static void
test_exec_name (void)
{
  char dir[] = "/tmp/ph-test-listener-XXXXXX";
  const char *args[] = {
    "--exec-name", "node", "--cwd", dir, "tcp:127.0.0.1:0",
    "--", "/home/u/src/shop/node_modules/.bin/vite", "--port", "5173", NULL,
  };
  const char want[] = "node\0/home/u/src/shop/node_modules/.bin/vite\0--port\0" "5173\0"
                      "--ph-test-listener\0--cwd\0DIR\0tcp:127.0.0.1:0";
  char expected[512];
  size_t expected_len = 0;
  char cmdline[512];
  char path[64];
  char link[PATH_MAX];
  ssize_t n;
  int fd;
  Listener l;

  if (mkdtemp (dir) == NULL)
    ph_tap_bail_out ("mkdtemp: %s", strerror (errno));

  /* The expected command line, with DIR replaced by the temporary directory. */
  for (size_t i = 0; i < sizeof want - 1; i += strlen (want + i) + 1)
    {
      const char *word = strcmp (want + i, "DIR") == 0 ? dir : want + i;

      memcpy (expected + expected_len, word, strlen (word) + 1);
      expected_len += strlen (word) + 1;
    }

  if (!ph_tap_ok (listener_start (&l, args), "listener with --exec-name and --cwd starts"))
    {
      listener_kill (&l);
      ph_tap_diag ("stderr: %s", l.err);
      rmdir (dir);
      return;
    }

  ph_tap_ok (l.ready == l.pid, "re-exec keeps the pid");
  snprintf (path, sizeof path, "/proc/%ld/cmdline", (long) l.pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  n = fd >= 0 ? read (fd, cmdline, sizeof cmdline) : -1;
  if (fd >= 0)
    close (fd);
  ph_tap_ok (n == (ssize_t) expected_len && memcmp (cmdline, expected, expected_len) == 0,
             "the command line is NAME, the arguments after --, then the listener's own");

  snprintf (path, sizeof path, "/proc/%ld/comm", (long) l.pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  n = fd >= 0 ? read (fd, cmdline, sizeof cmdline - 1) : -1;
  if (fd >= 0)
    close (fd);
  ph_tap_ok (n == 5 && memcmp (cmdline, "node\n", 5) == 0, "comm is NAME");

  snprintf (path, sizeof path, "/proc/%ld/cwd", (long) l.pid);
  n = readlink (path, link, sizeof link - 1);
  if (n >= 0)
    link[n] = '\0';
  ph_tap_ok (n >= 0 && strcmp (link, dir) == 0, "--cwd sets the working directory");
  ph_tap_ok (try_socket ("127.0.0.1", l.sockets[0].port, SOCK_STREAM) == 0, "and the port is held");

  kill (l.pid, SIGTERM);
  wait_exit (l.pid, 5000);
  listener_finish (&l);
  rmdir (dir);
}

static void
expect_error (const char *const *args,
              const char        *why)
{
  Listener l;
  int status;

  ph_tap_ok (!listener_start (&l, args), "%s: no READY", why);
  status = wait_exit (l.pid, 5000);
  if (status < 0)
    listener_kill (&l);
  else
    listener_finish (&l);
  ph_tap_ok (status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == 2,
             "%s: exit status 2", why);
  ph_tap_ok (strstr (l.err, "ph-test-listener: ") != NULL, "%s: a message on stderr", why);
}

static void
test_errors (void)
{
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof a;
  char spec[64];
  const char *bad_proto[] = { "sctp:127.0.0.1:0", NULL };
  const char *bad_addr[] = { "tcp:localhost:0", NULL };
  const char *bad_port[] = { "udp:[::1]:99999", NULL };
  const char *no_spec[] = { "--fork", "1", NULL };
  const char *busy[] = { "tcp:127.0.0.1:0", spec, NULL };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  expect_error (bad_proto, "unknown protocol");
  expect_error (bad_addr, "host name instead of an address");
  expect_error (bad_port, "port out of range");
  expect_error (no_spec, "no socket asked for");

  if (fd < 0 || bind (fd, (struct sockaddr *) &a, sizeof a) < 0 || listen (fd, 1) < 0
      || getsockname (fd, (struct sockaddr *) &a, &len) < 0)
    ph_tap_bail_out ("cannot listen on 127.0.0.1: %s", strerror (errno));
  snprintf (spec, sizeof spec, "tcp:127.0.0.1:%u", ntohs (a.sin_port));
  expect_error (busy, "port already in use");
  close (fd);
}

int
main (int    argc,
      char **argv)
{
  bool ipv6;

  listener_path = getenv ("PH_TEST_LISTENER");
  if (listener_path == NULL)
    ph_tap_bail_out ("PH_TEST_LISTENER is not set (run the tests with meson test)");
  /* Orphaned grandchildren come back to us, so we can check how they ended. */
  prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  signal (SIGPIPE, SIG_IGN);

  ipv6 = has_ipv6 ();
  if (!ipv6)
    ph_tap_diag ("no IPv6 loopback here: IPv6 specs are not tested");

  test_sockets (ipv6);
  test_ignore_term ();
  test_orphans ();
  test_exec_name ();
  test_errors ();

  return ph_tap_done_testing ();
}
