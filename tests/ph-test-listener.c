/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-test-listener.c — a process that holds the ports a test asks for, until signalled */

/*
 * ph-test-listener [--fork N] [--ignore-term] [--orphan-children] [--cwd DIR]
 *                  [--exec-name NAME] SPEC... [-- EXTRA ARGS]
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
#include <unistd.h>

#define PH_MAX_SOCKETS  4096
#define PH_MAX_CHILDREN 1024
#define PH_EXIT_ERROR   2

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

/* Runs this program again as NAME. The extra arguments come right after NAME, as a real
 * `node /…/node_modules/.bin/vite --port 5173` has them, and this program's own arguments
 * (minus --exec-name NAME) follow a PH_OWN_ARGS marker. */
#define PH_OWN_ARGS "--ph-test-listener"

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
      else if (arg[0] == '-')
        usage ();
      else if (n_specs == PH_MAX_SOCKETS)
        die ("too many sockets (at most %d)", PH_MAX_SOCKETS);
      else
        specs[n_specs++] = arg;
    }
  if (n_specs == 0)
    usage ();

  /* Check every spec before exec so errors come from the program the test started. */
  for (size_t i = 0; i < n_specs; i++)
    parse_spec (specs[i], &sockets[i]);

  if (exec_name != NULL)
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
  set_handler (SIGINT, on_stop_signal, 0);
  set_handler (SIGTERM, ignore_term ? SIG_IGN : on_stop_signal, 0);
  /* Exited children are reaped by the kernel: none lingers as a zombie in /proc. */
  set_handler (SIGCHLD, SIG_DFL, SA_NOCLDWAIT);

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

  for (long i = 0; i < n_children; i++)
    printf ("CHILD %ld\n", (long) children[i]);
  printf ("READY %ld\n", (long) parent);
  fflush (stdout);

  wait_for_stop (&sleep_mask);

  for (size_t i = 0; i < n_sockets; i++)
    close (sockets[i].fd);

  return 0;
}
