/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-watch.c — `porthole-helper watch`: one full snapshot, then changes */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ph-helper.h"
#include "ph-protocol.h"
#include "ph-sock-table.h"

static void
on_quit_signal (int sig)
{
  ph_helper_quit = sig;
}

static uint64_t
now_ms (void)
{
  return ph_now_us () / 1000;
}

/* Handles one stdin command; returns true when a refresh is wanted now. */
static bool
handle_command (const char *line,
                uint64_t   *interval,
                PhBuf      *out)
{
  unsigned long long ms;

  static const size_t interval_len = sizeof PH_COMMAND_INTERVAL - 1;

  if (strcmp (line, PH_COMMAND_REFRESH) == 0)
    return true;
  if (strncmp (line, PH_COMMAND_INTERVAL " ", interval_len + 1) == 0
      && ph_helper_parse_number (line + interval_len + 1, 0, 86400000, &ms))
    {
      *interval = ms;
      return false;
    }
  if (line[0] != '\0')
    ph_rec_warn (out, PH_WARN_UNKNOWN_COMMAND, "Unknown command on standard input.");
  return false;
}

/* A part of a large change set: written at once, so that it is never whole in memory.
 * *@data turns false (and stays) when the reader is gone. */
static void
flush_part (PhBuf *out,
            void  *data)
{
  bool *written = data;

  if (*written)
    *written = ph_helper_flush (out);
}

int
ph_helper_watch (int    argc,
                 char **argv)
{
  PhScanFlags flags = PH_SCAN_ALL;
  PhSource source = PH_SOURCE_AUTO;
  uint64_t interval = 2000;
  bool once = false;
  bool stdin_open = true;
  const char *env;
  pid_t parent = getppid ();
  struct sigaction sa;
  sigset_t quit_signals, wait_mask;
  struct stat st;
  PhSockTable *table;
  PhBuf out = PH_BUF_INIT;
  char inbuf[1024];
  size_t inlen = 0;
  uint64_t next_due;
  bool written = true;
  int status = 0;

  for (int i = 1; i < argc; i++)
    {
      unsigned long long ms;

      if (strcmp (argv[i], "--once") == 0)
        once = true;
      else if (strcmp (argv[i], "--no-udp") == 0)
        flags &= ~PH_SCAN_UDP;
      else if (strcmp (argv[i], "--no-ipv6") == 0)
        flags &= ~PH_SCAN_IPV6;
      else if (strcmp (argv[i], "--interval") == 0 && i + 1 < argc
               && ph_helper_parse_number (argv[i + 1], 0, 86400000, &ms))
        {
          interval = ms;
          i++;
        }
      else
        {
          fprintf (stderr, "porthole-helper watch: unknown or bad argument '%s'\n", argv[i]);
          return PH_HELPER_EXIT_USAGE;
        }
    }

  env = ph_helper_privileged ? NULL : getenv ("PORTHOLE_HELPER_SOURCE");
  if (env != NULL && strcmp (env, "procfs") == 0)
    source = PH_SOURCE_PROCFS;
  else if (env != NULL && strcmp (env, "netlink") == 0)
    source = PH_SOURCE_NETLINK;

  /* The quit signals are only let in while waiting (ppoll), so one that comes between
   * checking the flag and going to sleep is never lost. */
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_quit_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGTERM, &sa, NULL);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGHUP, &sa, NULL);
  sigemptyset (&quit_signals);
  sigaddset (&quit_signals, SIGTERM);
  sigaddset (&quit_signals, SIGINT);
  sigaddset (&quit_signals, SIGHUP);
  sigprocmask (SIG_BLOCK, &quit_signals, &wait_mask);
  sigdelset (&wait_mask, SIGTERM);
  sigdelset (&wait_mask, SIGINT);
  sigdelset (&wait_mask, SIGHUP);
  ph_helper_wait_mask = &wait_mask;
  /* Writes to a pipe wait in ppoll too, so a reader that stops reading cannot keep us
   * from a SIGTERM. A terminal is left alone: its flags are shared with the shell. */
  if (fstat (STDOUT_FILENO, &st) == 0 && (S_ISFIFO (st.st_mode) || S_ISSOCK (st.st_mode)))
    fcntl (STDOUT_FILENO, F_SETFL, fcntl (STDOUT_FILENO, F_GETFL) | O_NONBLOCK);
  /* When the GUI dies, so do we; if it died before this line, the parent changed. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != parent)
    return 0;

  table = ph_sock_table_new ("/proc", flags, source);
  ph_sock_table_set_flush (table, flush_part, &written);
  if (once)
    ph_sock_table_set_once (table);
  ph_helper_hello (&out, ph_sock_table_source_name (table));

  next_due = now_ms ();
  while (!ph_helper_quit)
    {
      struct pollfd fds[2];
      nfds_t nfds = 0;
      struct timespec timeout;
      uint64_t now = now_ms ();

      if (now >= next_due)
        {
          ph_sock_table_refresh (table, &out);
          if (!written || !ph_helper_flush (&out))
            break;
          if (once)
            break;
          now = now_ms ();
          next_due = interval > 0 ? now + interval : UINT64_MAX;
        }
      if (out.len > 0 && !ph_helper_flush (&out))
        break;

      fds[nfds++] = (struct pollfd) { STDOUT_FILENO, 0, 0 };
      if (stdin_open)
        fds[nfds++] = (struct pollfd) { STDIN_FILENO, POLLIN, 0 };
      if (next_due != UINT64_MAX)
        {
          uint64_t wait = next_due > now ? next_due - now : 0;

          timeout.tv_sec = (time_t) (wait / 1000);
          timeout.tv_nsec = (long) (wait % 1000) * 1000000L;
        }
      if (ppoll (fds, nfds, next_due == UINT64_MAX ? NULL : &timeout, &wait_mask) < 0)
        {
          if (errno == EINTR)
            continue;
          status = 1;
          break;
        }
      /* A reader that closed its end shows up as an error on our stdout. */
      if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL))
        break;
      if (stdin_open && fds[1].revents != 0)
        {
          ssize_t n = read (STDIN_FILENO, inbuf + inlen, sizeof inbuf - 1 - inlen);

          if (n <= 0)
            {
              if (n < 0 && errno == EINTR)
                continue;
              /* No more commands; keep watching. */
              stdin_open = false;
              continue;
            }
          inlen += (size_t) n;
          for (;;)
            {
              char *nl = memchr (inbuf, '\n', inlen);
              size_t used;
              uint64_t old_interval = interval;

              if (nl == NULL)
                {
                  if (inlen == sizeof inbuf - 1)
                    inlen = 0;   /* an absurdly long line: drop it */
                  break;
                }
              *nl = '\0';
              if (nl > inbuf && nl[-1] == '\r')
                nl[-1] = '\0';
              if (handle_command (inbuf, &interval, &out))
                next_due = now_ms ();
              else if (interval != old_interval)
                next_due = interval > 0 ? now_ms () + interval : UINT64_MAX;
              used = (size_t) (nl + 1 - inbuf);
              memmove (inbuf, inbuf + used, inlen - used);
              inlen -= used;
            }
        }
    }

  ph_sock_table_free (table);
  ph_buf_free (&out);
  return status;
}
