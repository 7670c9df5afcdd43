/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-helper.c — what every verb of porthole-helper shares: output, HELLO, arguments, signals */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "ph-helper.h"
#include "ph-protocol.h"

volatile sig_atomic_t ph_helper_quit;
const sigset_t *ph_helper_wait_mask;
bool ph_helper_privileged;

void
ph_helper_usage (FILE *out)
{
  fputs ("Usage:\n"
         "  porthole-helper --version\n"
         "  porthole-helper watch [--interval MS] [--once] [--no-udp] [--no-ipv6]\n"
         "  porthole-helper stop --pid PID --start-time TICKS --inode INODE\n"
         "                       [--signal TERM|KILL] [--grace MS]\n"
         "                       [--supervisor PID:START]\n"
         "  porthole-helper engine SOCKET list | inspect ID | stop ID SECONDS\n"
         "The output is the line protocol described in src/scan/PROTOCOL.md.\n", out);
}

void
ph_helper_print_version (FILE *out)
{
  fprintf (out, "%s %s %s=%d\n", HELPER_NAME, PACKAGE_VERSION, PH_KEY_PROTOCOL,
           PH_PROTOCOL_VERSION);
}

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
  ph_rec_start (buf, PH_RECORD_HELLO);
  ph_rec_u64 (buf, PH_KEY_PROTOCOL, PH_PROTOCOL_VERSION);
  ph_rec_str (buf, PH_KEY_VERSION, PACKAGE_VERSION);
  ph_rec_i64 (buf, PH_KEY_PID, getpid ());
  ph_rec_u64 (buf, PH_KEY_EUID, geteuid ());
  ph_rec_str (buf, PH_KEY_SOURCE, source);
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
