/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — porthole-helper: lists listening sockets and their owners, and frees ports */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ph-helper.h"
#include "ph-protocol.h"

static void
usage (FILE *out)
{
  fputs ("Usage:\n"
         "  porthole-helper --version\n"
         "  porthole-helper watch [--interval MS] [--once] [--no-udp] [--no-ipv6]\n"
         "  porthole-helper stop --pid PID --start-time TICKS --inode INODE\n"
         "                       [--signal TERM|KILL] [--grace MS]\n"
         "The output is the line protocol described in src/scan/PROTOCOL.md.\n", out);
}

volatile sig_atomic_t ph_helper_quit;
const sigset_t *ph_helper_wait_mask;

bool
ph_helper_flush (PhBuf *buf)
{
  size_t off = 0;

  while (off < buf->len)
    {
      ssize_t n = write (STDOUT_FILENO, buf->data + off, buf->len - off);

      if (n < 0)
        {
          if (errno == EAGAIN)
            {
              /* A non-blocking pipe that is full: wait for room, or for a signal. */
              struct pollfd pfd = { STDOUT_FILENO, POLLOUT, 0 };

              if (ph_helper_quit)
                return false;
              if (ppoll (&pfd, 1, NULL, ph_helper_wait_mask) < 0 && errno != EINTR)
                return false;
              if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL))
                return false;
              continue;
            }
          if (errno == EINTR && !ph_helper_quit)
            continue;
          return false;
        }
      off += (size_t) n;
    }
  ph_buf_clear (buf);
  return true;
}

void
ph_helper_hello (PhBuf      *buf,
                 const char *source)
{
  ph_rec_start (buf, "HELLO");
  ph_rec_u64 (buf, "protocol", PH_PROTOCOL_VERSION);
  ph_rec_str (buf, "version", PACKAGE_VERSION);
  ph_rec_i64 (buf, "pid", getpid ());
  ph_rec_u64 (buf, "euid", geteuid ());
  ph_rec_str (buf, "source", source);
  ph_rec_end (buf);
}

bool
ph_helper_parse_number (const char         *s,
                        unsigned long long  min,
                        unsigned long long  max,
                        unsigned long long *out)
{
  uint64_t v;
  const char *end;

  if (s == NULL || !ph_parse_u64 (s, &end, &v) || *end != '\0' || v < min || v > max)
    return false;
  *out = v;
  return true;
}

int
main (int    argc,
      char **argv)
{
  /* A closed stdout must show up as EPIPE from write(), not kill us mid-record. */
  signal (SIGPIPE, SIG_IGN);

  if (argc >= 2 && strcmp (argv[1], "--version") == 0)
    {
      printf ("porthole-helper %s protocol=%d\n", PACKAGE_VERSION, PH_PROTOCOL_VERSION);
      return 0;
    }
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      usage (stdout);
      return 0;
    }
  if (argc >= 2 && strcmp (argv[1], "watch") == 0)
    return ph_helper_watch (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "stop") == 0)
    return ph_helper_stop (argc - 1, argv + 1);
  usage (stderr);
  return PH_STOP_USAGE;
}
