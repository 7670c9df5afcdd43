/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — porthole-helper: lists listening sockets and their owners, and frees ports */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ph-helper.h"
#include "ph-protocol-defs.h"


/* Makes sure @fd is open, on /dev/null if it was closed; false when that fails. */
static bool
ensure_fd (int fd,
           int flags)
{
  int null_fd;

  if (fcntl (fd, F_GETFD) >= 0)
    return true;
  null_fd = open ("/dev/null", flags | O_NOCTTY);
  if (null_fd < 0)
    return false;
  if (null_fd != fd)
    {
      if (dup2 (null_fd, fd) < 0)
        return false;
      close (null_fd);
    }
  return true;
}

/* Closes every file descriptor above 2 that whoever started us left open. */
static void
close_inherited_fds (void)
{
#ifdef SYS_close_range
  if (syscall (SYS_close_range, 3U, ~0U, 0U) == 0)
    return;
#endif
  for (long fd = 3, max = sysconf (_SC_OPEN_MAX); fd < (max > 0 ? max : 65536); fd++)
    close ((int) fd);
}

/* Run as root on behalf of someone else (pkexec, or a set-user-ID copy): trust nothing
 * the caller handed over. See "Running as root" in PROTOCOL.md. Returns false when the
 * helper must not go on. */
static bool
harden (void)
{
  /* A closed stdin reads as empty; with stdout closed there is nowhere to answer. */
  if (fcntl (STDOUT_FILENO, F_GETFD) < 0)
    return false;
  if (!ensure_fd (STDIN_FILENO, O_RDONLY) || !ensure_fd (STDERR_FILENO, O_WRONLY))
    return false;
  close_inherited_fds ();
  /* No PORTHOLE_*, locale, LD_*, PATH or IFS: the helper reads no variable and runs no
   * program, and nothing it calls may read one either. */
  if (clearenv () != 0)
    return false;
  umask (022);
  return true;
}

int
main (int    argc,
      char **argv)
{
  const char *verb = argc >= 2 ? argv[1] : "";

  ph_helper_privileged = geteuid () == 0 && (getuid () != 0 || getenv ("PKEXEC_UID") != NULL);
  if (ph_helper_privileged && !harden ())
    return PH_HELPER_EXIT_USAGE;

  /* A closed stdout must show up as EPIPE from write(), not kill us mid-record. */
  signal (SIGPIPE, SIG_IGN);

  if (strcmp (verb, PH_VERB_VERSION) == 0 && argc == 2)
    {
      ph_helper_print_version (stdout);
      return 0;
    }
  if (!ph_helper_privileged && (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0))
    {
      ph_helper_usage (stdout);
      return 0;
    }
  if (strcmp (verb, PH_VERB_WATCH) == 0)
    return ph_helper_watch (argc - 1, argv + 1);
  if (strcmp (verb, PH_VERB_STOP) == 0)
    return ph_helper_stop (argc - 1, argv + 1);
  if (strcmp (verb, PH_VERB_ENGINE) == 0)
    return ph_helper_engine (argc - 1, argv + 1);
  if (ph_helper_privileged)
    fputs ("porthole-helper: unknown verb\n", stderr);
  else
    ph_helper_usage (stderr);
  return PH_HELPER_EXIT_USAGE;
}
