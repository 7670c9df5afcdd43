/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-helper-run.c — bench-helper's programs: starting them, timing them, reading the helper */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench-helper.h"

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

double last_cpu_ms;

double
rusage_cpu_ms (const struct rusage *ru)
{
  return ru->ru_utime.tv_sec * 1e3 + ru->ru_utime.tv_usec / 1e3
         + ru->ru_stime.tv_sec * 1e3 + ru->ru_stime.tv_usec / 1e3;
}

/* The CPU time @pid has used so far (its threads' run time, in ns precision), in ms;
 * -1 when unknown. */
double
process_cpu_ms (pid_t pid)
{
  char path[64];
  unsigned long long ns = 0;
  FILE *f;
  bool ok;

  snprintf (path, sizeof path, "/proc/%d/schedstat", (int) pid);
  f = fopen (path, "re");
  if (f == NULL)
    return -1;
  ok = fscanf (f, "%llu", &ns) == 1;
  fclose (f);
  return ok ? ns / 1e6 : -1;
}

/* Runs @argv with stdout to /dev/null; returns the wall time in ms, or -1; its CPU time
 * goes to last_cpu_ms. */
double
time_command (const char *const *argv)
{
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  double t0 = now_ms ();
  pid_t pid = fork ();
  struct rusage ru;
  int status;

  if (pid == 0)
    exec_child (argv, null_fd, null_fd);
  close (null_fd);
  if (pid < 0 || wait4 (pid, &status, 0, &ru) < 0)
    return -1;
  last_cpu_ms = rusage_cpu_ms (&ru);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return -1;

  return now_ms () - t0;
}

/* Runs @argv and returns the number of lines it printed, or -1. */
long
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

bool
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
int
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
size_t
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
void
helper_consume (Helper *h,
                size_t  n)
{
  memmove (h->buf, h->buf + n, h->len - n);
  h->len -= n;
  h->scanned = h->scanned > n ? h->scanned - n : 0;
}

/* Ends the helper: closes its pipes, waits a little, then kills it. Returns its peak
 * RSS in kB from wait4 (), or 0. */
long
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

bool
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

/* Looks at the records in buf[0..len): counts them and checks the load's sockets. */
void
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
          mine = bsearch (&key, load_sockets, n_load_sockets, sizeof key, load_compare_inode);
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
bool
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
