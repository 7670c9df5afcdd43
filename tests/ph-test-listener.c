/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-test-listener.c — a process that holds the ports a test asks for, until signalled */

/*
 * ph-test-listener [--fork N] [--ignore-term] [--orphan-children] [--cwd DIR]
 *                  [--exec-name NAME] [--rename NAME] [--exec-after NAME]
 *                  [--pass-to-child] SPEC... [-- EXTRA ARGS]
 *
 * SPEC is PROTO:ADDRESS:PORT, PROTO one of tcp, udp, tcp6only, udp6only, ADDRESS an IPv4
 * address or an IPv6 one in brackets, PORT 0 for "the kernel picks":
 *   tcp:127.0.0.1:0  udp:[::1]:0  tcp:0.0.0.0:8080  tcp:[::]:0  tcp6only:[::]:0
 * TCP sockets listen (), UDP sockets are only bound. On an IPv6 address, tcp/udp turn
 * IPV6_V6ONLY off (dual stack) and tcp6only/udp6only turn it on, whatever the system
 * default is.
 *
 * Standard output, flushed once everything is in place:
 *   SOCKET PROTO ADDRESS PORT INODE      one per SPEC, in order (PROTO is tcp or udp,
 *                                        ADDRESS without brackets, the real PORT)
 *   CHILD PID                            one per forked child (--fork N); children
 *                                        inherit every socket
 *   READY PID                            the parent's PID; last line
 * Then it sleeps until SIGTERM or SIGINT and exits 0. --ignore-term ignores SIGTERM in
 * the parent and the children (so only SIGINT or SIGKILL end them). Children exit with
 * the parent (PR_SET_PDEATHSIG) unless --orphan-children is given; exited children are
 * reaped at once so they never linger as zombies.
 *
 * --cwd DIR changes directory first. --exec-name NAME runs this program again with
 * argv[0] set to NAME (and comm set to its base name), so the process looks like another
 * program; arguments after "--" are not used but stay on the command line. With
 * --exec-name they come right after NAME and this program's own arguments follow a
 * "--ph-test-listener" marker, so
 *   ph-test-listener --exec-name node tcp:127.0.0.1:0 -- /home/u/shop/node_modules/.bin/vite
 * runs as "node /home/u/shop/node_modules/.bin/vite --ph-test-listener tcp:127.0.0.1:0".
 *
 * Changes while running (for churn and kill-safety tests), each announced by a line:
 *   --rename NAME      on SIGUSR1, sets comm to NAME and overwrites the command line in
 *                      place (as setproctitle () does) with NAME; prints RENAMED PID
 *   --exec-after NAME  on SIGUSR2, runs this program again as NAME keeping its sockets
 *                      (same PID, same start time, same socket inodes, new comm and
 *                      command line); prints EXECED PID (not with --fork)
 *   --pass-to-child    forks a child that closes the sockets it inherited (prints
 *                      PASS-CHILD PID before READY); on SIGUSR2 the parent sends them to it
 *                      over a Unix socket (SCM_RIGHTS) and closes its own, so that only
 *                      the child holds them; prints PASSED PID. The child ends with the
 *                      parent. (Not with --exec-after.)
 *
 * Errors (bad arguments, a bind that fails) are printed on stderr; the exit status is 2.
 * libc only, like the helper it exercises.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define PH_MAX_SOCKETS  4096
#define PH_MAX_CHILDREN 1024
#define PH_EXIT_ERROR   2
/* Marks where this program's own arguments start when it runs itself again. */
#define PH_OWN_ARGS "--ph-test-listener"

typedef struct
{
  int   fd;
  int   type;       /* SOCK_STREAM or SOCK_DGRAM */
  int   family;
  bool  v6only;
  const char *spec;
  union
  {
    struct sockaddr_in  v4;
    struct sockaddr_in6 v6;
  } addr;
} PhListenSocket;

static PhListenSocket sockets[PH_MAX_SOCKETS];
static size_t n_sockets;
static pid_t children[PH_MAX_CHILDREN];
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t rename_requested;
static volatile sig_atomic_t exec_requested;
/* The command line's memory, for --rename, and the copy of argv used instead (kept here,
 * where LeakSanitizer sees it is still in use at exit). */
static char *cmdline_start;
static size_t cmdline_len;
static char **argv_copy;

static void die (const char *fmt, ...) __attribute__ ((format (printf, 1, 2), noreturn));

static void
die (const char *fmt,
     ...)
{
  va_list ap;

  fputs ("ph-test-listener: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  exit (PH_EXIT_ERROR);
}

static void
usage (void)
{
  die ("usage: ph-test-listener [--fork N] [--ignore-term] [--orphan-children] [--cwd DIR] "
       "[--exec-name NAME] PROTO:ADDRESS:PORT... [-- EXTRA ARGS]");
}

static bool
parse_port (const char *s,
            in_port_t  *port)
{
  char *end = NULL;
  unsigned long v;

  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  v = strtoul (s, &end, 10);
  if (errno != 0 || *end != '\0' || v > 65535)
    return false;
  *port = (in_port_t) v;

  return true;
}

static void
parse_spec (const char     *spec,
            PhListenSocket *sock)
{
  char buf[256];
  const char *colon = strchr (spec, ':');
  size_t proto_len;
  char *host;
  char *port_str;
  in_port_t port;

  memset (sock, 0, sizeof *sock);
  sock->fd = -1;
  sock->spec = spec;

  if (colon == NULL || strlen (colon + 1) >= sizeof buf)
    die ("bad socket '%s': expected PROTO:ADDRESS:PORT, e.g. tcp:127.0.0.1:0", spec);
  proto_len = (size_t) (colon - spec);
  if (proto_len == 3 && strncmp (spec, "tcp", 3) == 0)
    sock->type = SOCK_STREAM;
  else if (proto_len == 3 && strncmp (spec, "udp", 3) == 0)
    sock->type = SOCK_DGRAM;
  else if (proto_len == 8 && strncmp (spec, "tcp6only", 8) == 0)
    sock->type = SOCK_STREAM, sock->v6only = true;
  else if (proto_len == 8 && strncmp (spec, "udp6only", 8) == 0)
    sock->type = SOCK_DGRAM, sock->v6only = true;
  else
    die ("bad socket '%s': the protocol must be tcp, udp, tcp6only or udp6only", spec);

  strcpy (buf, colon + 1);
  if (buf[0] == '[')
    {
      char *close = strchr (buf, ']');

      if (close == NULL || close[1] != ':')
        die ("bad socket '%s': an IPv6 address goes in brackets, e.g. tcp:[::1]:0", spec);
      *close = '\0';
      host = buf + 1;
      port_str = close + 2;
    }
  else
    {
      char *last = strrchr (buf, ':');

      if (last == NULL)
        die ("bad socket '%s': the port is missing (use 0 to let the kernel pick)", spec);
      *last = '\0';
      host = buf;
      port_str = last + 1;
    }

  if (!parse_port (port_str, &port))
    die ("bad socket '%s': '%s' is not a port number (0-65535)", spec, port_str);

  if (inet_pton (AF_INET, host, &sock->addr.v4.sin_addr) == 1)
    {
      if (sock->v6only)
        die ("bad socket '%s': %.8s needs an IPv6 address", spec, spec);
      sock->family = AF_INET;
      sock->addr.v4.sin_family = AF_INET;
      sock->addr.v4.sin_port = htons (port);
    }
  else if (inet_pton (AF_INET6, host, &sock->addr.v6.sin6_addr) == 1)
    {
      sock->family = AF_INET6;
      sock->addr.v6.sin6_family = AF_INET6;
      sock->addr.v6.sin6_port = htons (port);
    }
  else
    {
      die ("bad socket '%s': '%s' is not an IPv4 address or a bracketed IPv6 address",
           spec, host);
    }
}

static void
open_socket (PhListenSocket *sock)
{
  const char *proto = sock->type == SOCK_STREAM ? "tcp" : "udp";
  socklen_t len = sock->family == AF_INET ? sizeof sock->addr.v4 : sizeof sock->addr.v6;
  int one = 1;

  sock->fd = socket (sock->family, sock->type | SOCK_CLOEXEC, 0);
  if (sock->fd < 0)
    die ("cannot create a %s socket for '%s': %s", proto, sock->spec, strerror (errno));

  /* A test that binds a fixed port again right after another test must not wait for
   * TIME_WAIT; UDP is left alone, where SO_REUSEADDR would let two sockets share it. */
  if (sock->type == SOCK_STREAM
      && setsockopt (sock->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
    die ("cannot set SO_REUSEADDR for '%s': %s", sock->spec, strerror (errno));

  if (sock->family == AF_INET6)
    {
      int v6only = sock->v6only ? 1 : 0;

      if (setsockopt (sock->fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) < 0)
        die ("cannot set IPV6_V6ONLY for '%s': %s", sock->spec, strerror (errno));
    }

  if (bind (sock->fd, (struct sockaddr *) &sock->addr, len) < 0)
    die ("cannot bind '%s': %s", sock->spec, strerror (errno));
  if (sock->type == SOCK_STREAM && listen (sock->fd, 128) < 0)
    die ("cannot listen on '%s': %s", sock->spec, strerror (errno));

  /* Learn the port the kernel picked for port 0. */
  len = sizeof sock->addr;
  if (getsockname (sock->fd, (struct sockaddr *) &sock->addr, &len) < 0)
    die ("cannot read the address of '%s': %s", sock->spec, strerror (errno));
}

static void
print_socket (const PhListenSocket *sock)
{
  char text[INET6_ADDRSTRLEN];
  struct stat st;
  unsigned port;

  if (fstat (sock->fd, &st) < 0)
    die ("cannot stat the socket of '%s': %s", sock->spec, strerror (errno));

  if (sock->family == AF_INET)
    {
      inet_ntop (AF_INET, &sock->addr.v4.sin_addr, text, sizeof text);
      port = ntohs (sock->addr.v4.sin_port);
    }
  else
    {
      inet_ntop (AF_INET6, &sock->addr.v6.sin6_addr, text, sizeof text);
      port = ntohs (sock->addr.v6.sin6_port);
    }

  printf ("SOCKET %s %s %u %lu\n",
          sock->type == SOCK_STREAM ? "tcp" : "udp", text, port, (unsigned long) st.st_ino);
}

static void
on_stop_signal (int signum)
{
  stop_requested = 1;
}

static void
on_change_signal (int signum)
{
  if (signum == SIGUSR1)
    rename_requested = 1;
  else
    exec_requested = 1;
}

static void
set_handler (int   signum,
             void (*handler) (int),
             int   flags)
{
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset (&sa.sa_mask);
  if (sigaction (signum, &sa, NULL) < 0)
    die ("sigaction: %s", strerror (errno));
}

/* Sleeps until SIGTERM or SIGINT; both are blocked outside sigsuspend () so that a signal
 * arriving between the check and the sleep is not lost. */
static void
wait_for_stop (const sigset_t *sleep_mask)
{
  while (!stop_requested)
    sigsuspend (sleep_mask);
}

/* --rename: comm and the command line become NAME, in place. */
static void
rename_self (const char *name)
{
  char comm[256];

  if (cmdline_start != NULL && cmdline_len > 0)
    {
      memset (cmdline_start, 0, cmdline_len);
      memcpy (cmdline_start, name, strlen (name) < cmdline_len - 1 ? strlen (name)
                                                                    : cmdline_len - 1);
    }
  snprintf (comm, sizeof comm, "%s", name);
  prctl (PR_SET_NAME, basename (comm), 0, 0, 0);
  printf ("RENAMED %ld\n", (long) getpid ());
  fflush (stdout);
}

#define PH_ADOPT_ENV "PH_TEST_LISTENER_ADOPT"

/* --exec-after: this program again as NAME, same process, same sockets (their fds are
 * named in PH_ADOPT_ENV and survive the exec). */
static void
exec_keeping_sockets (const char  *name,
                      int          first,
                      int          argc,
                      char       **argv)
{
  char **args = calloc ((size_t) argc + 3, sizeof *args);
  char fds[PH_MAX_SOCKETS * 12] = "";
  size_t len = 0;
  int n = 0;

  if (args == NULL)
    die ("out of memory");
  for (size_t i = 0; i < n_sockets; i++)
    {
      int flags = fcntl (sockets[i].fd, F_GETFD);

      if (flags < 0 || fcntl (sockets[i].fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
        die ("cannot keep socket %zu open across exec: %s", i, strerror (errno));
      len += (size_t) snprintf (fds + len, sizeof fds - len, "%s%d", i ? "," : "",
                                sockets[i].fd);
    }
  setenv (PH_ADOPT_ENV, fds, 1);
  args[n++] = (char *) name;
  args[n++] = (char *) PH_OWN_ARGS;
  for (int i = first; i < argc; i++)
    args[n++] = argv[i];
  args[n] = NULL;
  execv ("/proc/self/exe", args);
  die ("cannot run /proc/self/exe again as '%s': %s", name, strerror (errno));
}

/* Takes the sockets an earlier image of this process left in PH_ADOPT_ENV. */
static bool
adopt_sockets (size_t n_specs)
{
  const char *text = getenv (PH_ADOPT_ENV);
  char *end;

  if (text == NULL)
    return false;
  for (size_t i = 0; i < n_specs; i++)
    {
      long fd = strtol (text, &end, 10);
      socklen_t len = sizeof sockets[i].addr;

      if (end == text || fd < 0 || fcntl ((int) fd, F_SETFD, FD_CLOEXEC) < 0)
        die ("bad %s '%s'", PH_ADOPT_ENV, getenv (PH_ADOPT_ENV));
      sockets[i].fd = (int) fd;
      if (getsockname (sockets[i].fd, (struct sockaddr *) &sockets[i].addr, &len) < 0)
        die ("cannot read the address of adopted socket %ld: %s", fd, strerror (errno));
      n_sockets++;
      text = *end == ',' ? end + 1 : end;
    }
  unsetenv (PH_ADOPT_ENV);
  return true;
}

/* --pass-to-child: a child that gets the sockets over a Unix socket, not by inheritance.
 * start_pass_child () makes it (it holds nothing yet); pass_sockets () hands them over. */
static int pass_fd = -1;

static pid_t
start_pass_child (void)
{
  int pair[2];
  int fds[PH_MAX_SOCKETS];
  char control[CMSG_SPACE (sizeof fds)];
  char byte;
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;
  pid_t parent = getpid ();
  pid_t pid;
  sigset_t none;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    die ("cannot make a socket pair: %s", strerror (errno));
  pid = fork ();
  if (pid < 0)
    die ("cannot fork: %s", strerror (errno));
  if (pid > 0)
    {
      close (pair[1]);
      pass_fd = pair[0];
      return pid;
    }

  prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid () != parent)
    _exit (0);
  close (pair[0]);
  /* What fork () gave it is not what this child holds: the sockets come by message. */
  for (size_t i = 0; i < n_sockets; i++)
    close (sockets[i].fd);
  signal (SIGTERM, SIG_DFL);
  signal (SIGINT, SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  memset (control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE (n_sockets * sizeof (int));
  if (recvmsg (pair[1], &msg, MSG_CMSG_CLOEXEC) != 1
      || (cmsg = CMSG_FIRSTHDR (&msg)) == NULL || cmsg->cmsg_type != SCM_RIGHTS
      || cmsg->cmsg_len != CMSG_LEN (n_sockets * sizeof (int)))
    _exit (PH_EXIT_ERROR);
  if (write (pair[1], "r", 1) != 1)
    _exit (PH_EXIT_ERROR);
  close (pair[1]);
  for (;;)
    pause ();
}

static void
pass_sockets (pid_t child)
{
  int fds[PH_MAX_SOCKETS];
  char control[CMSG_SPACE (sizeof fds)];
  char byte = 's';
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { 0 };
  struct cmsghdr *cmsg;

  if (pass_fd < 0)
    return;
  for (size_t i = 0; i < n_sockets; i++)
    fds[i] = sockets[i].fd;
  memset (control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE (n_sockets * sizeof (int));
  cmsg = CMSG_FIRSTHDR (&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (n_sockets * sizeof (int));
  memcpy (CMSG_DATA (cmsg), fds, n_sockets * sizeof (int));
  if (sendmsg (pass_fd, &msg, 0) != 1)
    die ("cannot pass the sockets: %s", strerror (errno));
  if (read (pass_fd, &byte, 1) != 1)
    die ("the child did not take the sockets");
  close (pass_fd);
  pass_fd = -1;
  for (size_t i = 0; i < n_sockets; i++)
    {
      close (sockets[i].fd);
      sockets[i].fd = -1;
    }
  printf ("PASSED %ld\n", (long) child);
  fflush (stdout);
}

/* Runs this program again as NAME. The extra arguments come right after NAME, as a real
 * `node /…/node_modules/.bin/vite --port 5173` has them, and this program's own arguments
 * (minus --exec-name NAME) follow a PH_OWN_ARGS marker. */

static void
reexec_as (const char  *name,
           int          argc,
           char       **argv)
{
  char **args = calloc ((size_t) argc + 2, sizeof *args);
  int n = 0;
  int dashdash = argc;

  if (args == NULL)
    die ("out of memory");
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--") == 0)
      {
        dashdash = i;
        break;
      }
  args[n++] = (char *) name;
  for (int i = dashdash + 1; i < argc; i++)
    args[n++] = argv[i];
  args[n++] = (char *) PH_OWN_ARGS;
  for (int i = 1; i < dashdash; i++)
    {
      if (strcmp (argv[i], "--exec-name") == 0)
        {
          i++;
          continue;
        }
      args[n++] = argv[i];
    }
  args[n] = NULL;

  execv ("/proc/self/exe", args);
  die ("cannot run /proc/self/exe again as '%s': %s", name, strerror (errno));
}

int
main (int    argc,
      char **argv)
{
  const char *cwd = NULL;
  const char *exec_name = NULL;
  const char *rename_to = NULL;
  const char *exec_after = NULL;
  bool pass = false;
  bool adopted;
  pid_t passed_to = 0;
  const char *specs[PH_MAX_SOCKETS];
  size_t n_specs = 0;
  long n_children = 0;
  bool ignore_term = false;
  bool orphan_children = false;
  sigset_t blocked;
  sigset_t sleep_mask;
  pid_t parent;
  int child_ready[2];
  char comm[256];
  int first = 1;

  /* --rename overwrites the memory of argv's strings: work on copies from here on. */
  cmdline_start = argv[0];
  cmdline_len = (size_t) (argv[argc - 1] + strlen (argv[argc - 1]) + 1 - argv[0]);
  {
    char **copy = calloc ((size_t) argc + 1, sizeof *copy);

    if (copy == NULL)
      die ("out of memory");
    for (int i = 0; i < argc; i++)
      if ((copy[i] = strdup (argv[i])) == NULL)
        die ("out of memory");
    argv = argv_copy = copy;
  }

  /* Started again by reexec_as (): our own arguments follow the marker. */
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], PH_OWN_ARGS) == 0)
      {
        first = i + 1;
        break;
      }

  for (int i = first; i < argc; i++)
    {
      const char *arg = argv[i];

      if (strcmp (arg, "--") == 0)
        break;
      else if (strcmp (arg, "--fork") == 0 && i + 1 < argc)
        {
          char *end = NULL;

          n_children = strtol (argv[++i], &end, 10);
          if (*argv[i] == '\0' || *end != '\0' || n_children < 0 || n_children > PH_MAX_CHILDREN)
            die ("--fork wants a number of children from 0 to %d, not '%s'",
                 PH_MAX_CHILDREN, argv[i]);
        }
      else if (strcmp (arg, "--ignore-term") == 0)
        ignore_term = true;
      else if (strcmp (arg, "--orphan-children") == 0)
        orphan_children = true;
      else if (strcmp (arg, "--cwd") == 0 && i + 1 < argc)
        cwd = argv[++i];
      else if (strcmp (arg, "--exec-name") == 0 && i + 1 < argc)
        exec_name = argv[++i];
      else if (strcmp (arg, "--rename") == 0 && i + 1 < argc)
        rename_to = argv[++i];
      else if (strcmp (arg, "--exec-after") == 0 && i + 1 < argc)
        exec_after = argv[++i];
      else if (strcmp (arg, "--pass-to-child") == 0)
        pass = true;
      else if (arg[0] == '-')
        usage ();
      else if (n_specs == PH_MAX_SOCKETS)
        die ("too many sockets (at most %d)", PH_MAX_SOCKETS);
      else
        specs[n_specs++] = arg;
    }
  if (n_specs == 0)
    usage ();
  if (exec_after != NULL && (n_children > 0 || pass))
    die ("--exec-after goes with neither --fork nor --pass-to-child");

  /* Check every spec before exec so errors come from the program the test started. */
  for (size_t i = 0; i < n_specs; i++)
    parse_spec (specs[i], &sockets[i]);

  adopted = getenv (PH_ADOPT_ENV) != NULL;
  if (exec_name != NULL && !adopted)
    reexec_as (exec_name, argc, argv);

  /* A real program started as NAME has NAME's base name as comm, too. */
  snprintf (comm, sizeof comm, "%s", argv[0]);
  prctl (PR_SET_NAME, basename (comm), 0, 0, 0);

  if (cwd != NULL && chdir (cwd) < 0)
    die ("cannot change directory to '%s': %s", cwd, strerror (errno));

  sigemptyset (&blocked);
  sigaddset (&blocked, SIGTERM);
  sigaddset (&blocked, SIGINT);
  sigprocmask (SIG_BLOCK, &blocked, &sleep_mask);
  sigdelset (&sleep_mask, SIGTERM);
  sigdelset (&sleep_mask, SIGINT);
  sigdelset (&sleep_mask, SIGUSR1);
  sigdelset (&sleep_mask, SIGUSR2);
  set_handler (SIGINT, on_stop_signal, 0);
  set_handler (SIGTERM, ignore_term ? SIG_IGN : on_stop_signal, 0);
  sigaddset (&blocked, SIGUSR1);
  sigaddset (&blocked, SIGUSR2);
  sigprocmask (SIG_BLOCK, &blocked, NULL);
  set_handler (SIGUSR1, on_change_signal, 0);
  set_handler (SIGUSR2, on_change_signal, 0);
  /* Exited children are reaped by the kernel: none lingers as a zombie in /proc. */
  set_handler (SIGCHLD, SIG_DFL, SA_NOCLDWAIT);

  if (adopt_sockets (n_specs))
    {
      printf ("EXECED %ld\n", (long) getpid ());
      fflush (stdout);
      n_children = 0;
      goto serve;
    }
  for (size_t i = 0; i < n_specs; i++)
    {
      open_socket (&sockets[i]);
      n_sockets++;
    }
  for (size_t i = 0; i < n_sockets; i++)
    print_socket (&sockets[i]);
  fflush (stdout);

  /* Each child writes one byte here once it is in place, so that READY also means that the
   * children die with us: a child still starting when we are ended would find us gone. */
  if (pipe2 (child_ready, O_CLOEXEC) < 0)
    die ("cannot make a pipe: %s", strerror (errno));
  parent = getpid ();
  for (long i = 0; i < n_children; i++)
    {
      pid_t pid = fork ();

      if (pid < 0)
        die ("cannot fork child %ld: %s", i + 1, strerror (errno));
      if (pid == 0)
        {
          if (!orphan_children)
            {
              prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
              /* The parent may have died before the line above. */
              if (getppid () != parent)
                _exit (0);
            }
          if (write (child_ready[1], "c", 1) != 1)
            _exit (PH_EXIT_ERROR);
          close (child_ready[0]);
          close (child_ready[1]);
          wait_for_stop (&sleep_mask);
          _exit (0);
        }
      children[i] = pid;
    }
  close (child_ready[1]);
  for (long i = 0; i < n_children; i++)
    {
      char c;

      if (read (child_ready[0], &c, 1) != 1)
        die ("child %ld did not start", i + 1);
    }
  close (child_ready[0]);

  if (pass)
    {
      passed_to = start_pass_child ();
      printf ("PASS-CHILD %ld\n", (long) passed_to);
    }
  for (long i = 0; i < n_children; i++)
    printf ("CHILD %ld\n", (long) children[i]);
  printf ("READY %ld\n", (long) parent);
  fflush (stdout);

serve:
  /* Stop, or change as asked (--rename, --exec-after), until stopped. */
  while (!stop_requested)
    {
      if (rename_requested && rename_to != NULL)
        rename_self (rename_to);
      rename_requested = 0;
      if (exec_requested && exec_after != NULL)
        exec_keeping_sockets (exec_after, first, argc, argv);
      if (exec_requested && passed_to > 0)
        pass_sockets (passed_to);
      exec_requested = 0;
      sigsuspend (&sleep_mask);
    }

  for (size_t i = 0; i < n_sockets; i++)
    if (sockets[i].fd >= 0)
      close (sockets[i].fd);

  return 0;
}
