/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-helper.c — how fast porthole-helper sees a busy machine, next to ss -ltnup */

/*
 * Run by `build-aux/dev bench` (PORTHOLE_HELPER names the helper), or by hand:
 *   bench-helper [--procs N] [--runs N] [--helper PATH] [--no-netns] [--callgrind]
 *
 * It moves into a network namespace of its own (unless --no-netns; it says when it
 * cannot), where it builds a load in one process group of its own: N processes (200)
 * holding 10 listening TCP sockets each on 127.0.0.1 (2,000 sockets; --procs 2000 makes
 * 20,000) and 300 idle processes with 50 open files each. Then, in every run, it times:
 *   cold      porthole-helper watch --once, from fork to exit
 *   ss        ss -ltnup, from fork to exit, output to /dev/null
 *   floor     a bare sock_diag dump of the same sockets (bench-helper --dump-floor, a
 *             line on a pipe in, END out, like the helper's refresh)
 *   warm      in one long-lived `watch --interval 0`: "refresh" on stdin until the next
 *             END, with nothing changed
 *   one new   the same after one load process opened one more listening socket
 *   new proc  the same after a new process with one listening socket appeared (shown
 *             for information; no target)
 * and prints the medians, their ratios to ss and to the floor, the helper's peak RSS (the
 * VmHWM of the long-lived watch; --once's ru_maxrss, run from a small process of its own:
 * see maxrss_main ()),
 * PASS or MISS against the targets of issue 12, and whether the helper reported every
 * socket of the load with its owner. With --callgrind (and valgrind installed) it also
 * counts the instructions of one warm refresh (of ph_sock_table_refresh) and of one
 * floor dump, which do not move with the machine's load (BENCH_HELPER_KEEP_CALLGRIND=DIR
 * keeps their profiles in DIR for callgrind_annotate).
 * It asserts nothing: it exits 0 unless the load could not be built. Every process it
 * started is killed and reaped before it exits.
 *
 * The load is in bench-helper-load.c, running and reading programs in bench-helper-run.c,
 * the floor in bench-helper-floor.c. libc only, like the helper it measures.
 */

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-helper.h"

#define DEFAULT_RUNS       7
#define MAX_RUNS           101
#define HELPER_TIMEOUT_MS  60000  /* a full snapshot */
#define REFRESH_TIMEOUT_MS 15000  /* a refresh; a helper without `refresh` fails here */

/* Targets from issue 12, as fractions of ss -ltnup's time (and of the floor's). */
#define TARGET_WARM       (1.0 / 50)
#define TARGET_WARM_FLOOR 1.2
#define TARGET_NEW        (1.0 / 25)
#define TARGET_COLD       0.6
#define TARGET_RSS_KB     (8 * 1024)
#define CALLGRIND_REFRESHES 5

static const char *helper_path;

double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void
say (const char *fmt,
     ...)
{
  va_list ap;

  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  fflush (stdout);
}

/* ---- measuring ------------------------------------------------------------------ */

/* `bench-helper --maxrss PROG ARGS...`: runs PROG, output to /dev/null, and prints its
 * peak RSS in kB. Linux carries a process's ru_maxrss over its exec (), and a child
 * starts with its parent's resident anonymous pages: a helper forked from this benchmark,
 * which holds every snapshot it read (8 MB at 20,000 sockets), would report ours. Forked
 * from this fresh, small process instead, it reports its own. */
static int
maxrss_main (char **argv)
{
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  struct rusage ru;
  int status;
  pid_t pid;

  if (null_fd < 0)
    return 1;
  pid = fork ();
  if (pid == 0)
    {
      if (dup2 (null_fd, STDIN_FILENO) < 0 || dup2 (null_fd, STDOUT_FILENO) < 0)
        _exit (127);
      execvp (argv[0], argv);
      _exit (127);
    }
  if (pid < 0 || wait4 (pid, &status, 0, &ru) != pid || !WIFEXITED (status)
      || WEXITSTATUS (status) != 0)
    return 1;
  printf ("%ld\n", ru.ru_maxrss);
  return 0;
}

/* The peak RSS of `porthole-helper watch --once` in kB (through --maxrss), or 0. */
static long
cold_peak_rss (const char *self_exe)
{
  const char *argv[] = { self_exe, "--maxrss", helper_path, "watch", "--once", NULL };
  double deadline = now_ms () + HELPER_TIMEOUT_MS;
  long kb = 0;
  Helper h;

  if (!helper_start (&h, argv, false))
    return 0;
  while (helper_read (&h, deadline) > 0)
    ;
  if (h.len > 0 && h.len < 32 && h.buf[h.len - 1] == '\n')
    {
      char text[32];

      snprintf (text, sizeof text, "%.*s", (int) h.len, h.buf);
      kb = strtol (text, NULL, 10);
    }
  helper_stop (&h);
  return kb;
}

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
  double cpu[MAX_RUNS];  /* the CPU time of the same runs */
  int    n;
} Series;

/* Adds a wall time and last_cpu_ms. */
static void
series_add (Series *s,
            double  ms)
{
  s->cpu[s->n] = last_cpu_ms;
  s->v[s->n++] = ms;
}

static double median_of (const double *v,
                         int           n);

static double
median_cpu (Series *s)
{
  return median_of (s->cpu, s->n);
}

static double
median_of (const double *v,
           int           n)
{
  double sorted[MAX_RUNS];

  if (n == 0)
    return -1;
  memcpy (sorted, v, sizeof (double) * (size_t) n);
  qsort (sorted, (size_t) n, sizeof (double), compare_double);
  if (n % 2 == 1)
    return sorted[n / 2];

  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static double
median (Series *s)
{
  return median_of (s->v, s->n);
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
  last_cpu_ms = rusage_cpu_ms (&ru);
  *maxrss_kb = ru.ru_maxrss;
  close (h.out_fd);
  inspect (h.buf, h.len, snap);
  free (h.buf);

  return elapsed;
}

/* "refresh" and the time until the next END (the helper's CPU time meanwhile in
 * last_cpu_ms); the change set stays in @h for a look. */
static double
timed_refresh (Helper *h,
               size_t *set_len)
{
  double t0, cpu0;

  helper_consume (h, h->len);
  cpu0 = process_cpu_ms (h->pid);
  t0 = now_ms ();
  if (!helper_send (h, "refresh\n"))
    return -1;
  *set_len = helper_read_change_set (h, now_ms () + REFRESH_TIMEOUT_MS);
  if (*set_len == 0)
    return -1;
  t0 = now_ms () - t0;
  last_cpu_ms = process_cpu_ms (h->pid) - cpu0;

  return t0;
}

/* A figure as wall time and as CPU time, each against ss's, with its verdict. */
static void
print_ratio_line (const char *name,
                  Series     *s,
                  Series     *ss,
                  double      target,
                  const char *target_text)
{
  double ms = median (s), ss_ms = median (ss);
  double cpu = median_cpu (s), ss_cpu = median_cpu (ss);
  double ratio = ms / ss_ms, cpu_ratio = cpu / ss_cpu;

  if (ms < 0 || ss_ms <= 0)
    {
      say ("  %-30s %12s\n", name, "not measured");
      return;
    }
  say ("  %-30s %9.3f ms (%7.3f-%8.3f) %6.4f x ss %-4s | cpu %8.3f ms %6.4f x ss %-4s  "
       "target %s\n", name, ms, series_min (s), series_max (s), ratio,
       target <= 0 ? "" : ratio <= target ? "PASS" : "MISS", cpu, cpu_ratio,
       target <= 0 ? "" : cpu_ratio <= target ? "PASS" : "MISS", target_text);
}

static void
usage (void)
{
  fprintf (stderr, "usage: bench-helper [--procs N] [--runs N] [--helper PATH] [--no-netns] "
           "[--callgrind]\n       bench-helper --dump-floor\n");
  exit (2);
}

/* The instructions callgrind counted in @fn over a run of @argv (a `watch --interval 0`
 * or --dump-floor) that answers its first snapshot and then @n refreshes; -1 when it
 * could not. */
static long long
callgrind_count (const char *helper,
                 const char *fn,
                 int         n)
{
  const char *keep = getenv ("BENCH_HELPER_KEEP_CALLGRIND");
  char out_file[4096];
  char toggle[128];
  char out_arg[4200];
  const char *argv[12];
  int argc = 0;
  long long total = -1;
  char line[512];
  Helper h;
  FILE *f;
  int fd;

  snprintf (out_file, sizeof out_file, "%s/bench-helper-callgrind-XXXXXX",
            keep != NULL ? keep : "/tmp");
  fd = mkstemp (out_file);
  if (fd < 0)
    return -1;
  close (fd);
  snprintf (toggle, sizeof toggle, "--toggle-collect=%s", fn);
  snprintf (out_arg, sizeof out_arg, "--callgrind-out-file=%s", out_file);
  argv[argc++] = "valgrind";
  argv[argc++] = "--tool=callgrind";
  argv[argc++] = "-q";
  argv[argc++] = toggle;
  argv[argc++] = out_arg;
  argv[argc++] = helper;
  if (strcmp (fn, "floor_dump") == 0)
    argv[argc++] = "--dump-floor";
  else
    {
      argv[argc++] = "watch";
      argv[argc++] = "--interval";
      argv[argc++] = "0";
    }
  argv[argc] = NULL;

  if (!helper_start (&h, argv, true))
    return -1;
  if (helper_read_change_set (&h, now_ms () + 600000) == 0)
    {
      helper_stop (&h);
      unlink (out_file);
      return -1;
    }
  for (int i = 0; i < n; i++)
    {
      helper_consume (&h, h.len);
      if (!helper_send (&h, "refresh\n") || helper_read_change_set (&h, now_ms () + 120000) == 0)
        {
          helper_stop (&h);
          unlink (out_file);
          return -1;
        }
    }
  /* The helper ends on SIGTERM (and callgrind writes its file); the floor on EOF. */
  kill (h.pid, SIGTERM);
  {
    double deadline = now_ms () + 60000;
    int status;
    pid_t r;

    close (h.in_fd);
    h.in_fd = -1;
    while ((r = waitpid (h.pid, &status, WNOHANG)) == 0 && now_ms () < deadline)
      usleep (10000);
    if (r == 0)
      {
        kill (h.pid, SIGKILL);
        waitpid (h.pid, &status, 0);
      }
    close (h.out_fd);
    free (h.buf);
  }
  f = fopen (out_file, "re");
  while (f != NULL && fgets (line, sizeof line, f) != NULL)
    if (sscanf (line, "totals: %lld", &total) == 1 || sscanf (line, "summary: %lld", &total) == 1)
      break;
  if (f != NULL)
    fclose (f);
  /* BENCH_HELPER_KEEP_CALLGRIND=DIR keeps the profiles there, for callgrind_annotate. */
  if (keep != NULL)
    say ("  (callgrind profile of %s with %d refreshes kept in %s)\n", fn, n, out_file);
  else
    unlink (out_file);
  return total;
}

/* Instructions per refresh: the difference between a run with CALLGRIND_REFRESHES
 * refreshes and one with none, over their number. */
static double
callgrind_per_refresh (const char *helper,
                       const char *fn)
{
  long long none = callgrind_count (helper, fn, 0);
  long long some = none < 0 ? -1 : callgrind_count (helper, fn, CALLGRIND_REFRESHES);

  if (none < 0 || some < 0)
    return -1;
  return (double) (some - none) / CALLGRIND_REFRESHES;
}

static const char *
load_average (void)
{
  static char text[64];
  FILE *f = fopen ("/proc/loadavg", "re");

  snprintf (text, sizeof text, "unknown");
  if (f != NULL)
    {
      if (fgets (text, sizeof text, f) != NULL)
        {
          char *p = text;

          for (int spaces = 0; *p != '\0'; p++)
            if (*p == ' ' && ++spaces == 3)
              break;
          *p = '\0';
        }
      fclose (f);
    }
  return text;
}

static bool
have_program (const char *name)
{
  const char *path = getenv ("PATH");
  char full[4096];

  for (const char *p = path; p != NULL && *p != '\0';)
    {
      size_t n = strcspn (p, ":");

      snprintf (full, sizeof full, "%.*s/%s", (int) n, p, name);
      if (access (full, X_OK) == 0)
        return true;
      p += n;
      if (*p == ':')
        p++;
    }
  return false;
}

int
main (int    argc,
      char **argv)
{
  const char *watch_argv[] = { NULL, "watch", "--interval", "0", NULL };
  const char *floor_argv[] = { "/proc/self/exe", "--dump-floor", NULL };
  const char *ss_argv[] = { "ss", "-ltnup", NULL };
  const char *ss_count_argv[] = { "ss", "-Hltnu", NULL };
  const char *version_argv[] = { NULL, "--version", NULL };
  static Series cold, ss, warm, one_new, warm_quiet, one_new_quiet, new_proc, floor_s;
  Snapshot snap = { 0 };
  Snapshot first_full = { 0 };
  char version[256] = "";
  char line[128];
  char netns_why[256] = "";
  char self_exe[4096];
  long cold_rss_kb = 0;
  long rss_unused = 0;
  long watch_hwm_kb = 0;
  long watch_maxrss_kb = 0;
  long ss_lines = -1;
  int runs = DEFAULT_RUNS;
  int n_procs = 200;
  int new_seen = 0;
  int new_proc_seen = 0;
  int gone_seen = 0;
  int warm_records = 0;
  bool watch_ok = true;
  bool floor_ok = true;
  bool use_netns = true;
  bool netns = false;
  bool count_instructions = false;
  double warm_ir = -1, floor_ir = -1;
  bool load_ok;
  bool clean;
  double t_load;
  Helper h;
  Helper fl;
  Helper probe;
  size_t set_len;
  ssize_t self_len;
  int r;

  if (argc == 2 && strcmp (argv[1], "--dump-floor") == 0)
    return floor_main ();
  if (argc > 2 && strcmp (argv[1], "--maxrss") == 0)
    return maxrss_main (argv + 2);

  helper_path = getenv ("PORTHOLE_HELPER");
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--runs") == 0 && i + 1 < argc)
        runs = atoi (argv[++i]);
      else if (strcmp (argv[i], "--procs") == 0 && i + 1 < argc)
        n_procs = atoi (argv[++i]);
      else if (strcmp (argv[i], "--helper") == 0 && i + 1 < argc)
        helper_path = argv[++i];
      else if (strcmp (argv[i], "--no-netns") == 0)
        use_netns = false;
      else if (strcmp (argv[i], "--callgrind") == 0)
        count_instructions = true;
      else
        usage ();
    }
  if (runs < 1 || runs > MAX_RUNS || n_procs < 1 || n_procs > 100000)
    usage ();
  if (helper_path == NULL)
    {
      say ("bench-helper: PORTHOLE_HELPER is not set and no --helper was given; "
           "run it through build-aux/dev bench\n");
      return 2;
    }
  self_len = readlink ("/proc/self/exe", self_exe, sizeof self_exe - 1);
  if (self_len > 0)
    {
      self_exe[self_len] = '\0';
      floor_argv[0] = self_exe;
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

  if (use_netns)
    netns = load_isolate_network (netns_why, sizeof netns_why);

  t_load = now_ms ();
  load_ok = load_build (n_procs);
  t_load = now_ms () - t_load;
  if (!load_ok)
    {
      say ("bench-helper: could not build the load; nothing measured\n");
      say ("bench-helper: load processes %s\n", load_destroy () ? "all gone" : "NOT ALL GONE");
      return 1;
    }
  load_sort_sockets ();
  say ("load: %d processes x %d TCP listeners on 127.0.0.1 = %zu sockets, %d idle processes "
       "x %d open files; built in %.0f ms; %s%s%s\n", n_listener_procs, SOCKETS_PER_PROC,
       n_load_sockets, N_IDLE_PROCS, FILES_PER_IDLE, t_load,
       netns ? "in a network namespace of its own (only the load listens there)"
             : "in the machine's network namespace",
       netns_why[0] ? ": " : "", netns_why);

  /* Warm up the page cache and check that `watch` works at all before the runs. */
  time_command (ss_argv);
  if (run_cold (&first_full, &rss_unused) < 0 || !first_full.has_hello
      || first_full.sockets_total < 0)
    {
      say ("bench-helper: `porthole-helper watch --once` did not print HELLO ... END; "
           "the helper does not support watch yet; nothing measured\n");
      say ("bench-helper: load processes %s\n", load_destroy () ? "all gone" : "NOT ALL GONE");
      return 0;
    }

  if (!helper_start (&h, watch_argv, true)
      || (set_len = helper_read_change_set (&h, now_ms () + HELPER_TIMEOUT_MS)) == 0)
    {
      say ("bench-helper: `watch --interval 0` sent no first change set\n");
      watch_ok = false;
    }
  if (!helper_start (&fl, floor_argv, true)
      || helper_read_change_set (&fl, now_ms () + HELPER_TIMEOUT_MS) == 0)
    {
      say ("bench-helper: the sock_diag floor (--dump-floor) did not answer\n");
      floor_ok = false;
    }

  for (int run = 0; run < runs; run++)
    {
      double ms;

      ms = run_cold (&snap, &rss_unused);
      if (ms >= 0)
        series_add (&cold, ms);
      ms = time_command (ss_argv);
      if (ms >= 0)
        series_add (&ss, ms);

      if (floor_ok)
        {
          ms = timed_refresh (&fl, &set_len);
          if (ms >= 0)
            series_add (&floor_s, ms);
          else
            floor_ok = false;
        }

      if (!watch_ok)
        continue;

      ms = timed_refresh (&h, &set_len);
      if (ms < 0)
        {
          say ("bench-helper: no END within %d s after `refresh`\n", REFRESH_TIMEOUT_MS / 1000);
          watch_ok = false;
          continue;
        }
      series_add (&warm, ms);
      {
        Snapshot delta;

        inspect (h.buf, set_len, &delta);
        warm_records += (int) (delta.n_sock + delta.n_gone + delta.n_proc);
        /* Sockets of other programs on the machine may come and go meanwhile. */
        if (delta.n_sock + delta.n_gone == 0)
          series_add (&warm_quiet, ms);
      }

      /* One more listener in a load process that already holds ten. */
      {
        pid_t target = listener_pids[(run * 37) % n_listener_procs];
        unsigned long inode = 0;
        int pid;

        kill (target, SIGUSR1);
        if (!load_read_reply (line, sizeof line, 5000)
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
        series_add (&one_new, ms);
        new_seen += change_set_has (h.buf, set_len, "SOCK", inode, target);
        {
          Snapshot delta;

          inspect (h.buf, set_len, &delta);
          if (delta.n_sock == 1 && delta.n_gone == 0)
            series_add (&one_new_quiet, ms);
        }

        /* Close it again and let the helper see that, untimed. */
        kill (target, SIGUSR2);
        load_read_reply (line, sizeof line, 5000);
        if (timed_refresh (&h, &set_len) >= 0)
          gone_seen += change_set_has (h.buf, set_len, "GONE", inode, 0);
      }

      /* A new process with one listener (for information). */
      {
        unsigned long inode = 0;
        pid_t pid = load_fork_listener ();

        if (pid < 0)
          continue;
        kill (pid, SIGUSR1);
        if (load_read_reply (line, sizeof line, 5000) && sscanf (line, "N %*d %lu", &inode) == 1
            && inode != 0)
          {
            ms = timed_refresh (&h, &set_len);
            if (ms >= 0)
              {
                series_add (&new_proc, ms);
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
  if (fl.pid > 0)
    helper_stop (&fl);
  /* Its peak RSS, apart from the timed runs (the highest of a few). */
  for (int run = 0; run < 3; run++)
    {
      long kb = cold_peak_rss (floor_argv[0]);

      if (kb > cold_rss_kb)
        cold_rss_kb = kb;
    }
  /* The helper's count next to ss's, taken one right after the other. */
  run_cold (&snap, &rss_unused);
  ss_lines = count_output_lines (ss_count_argv);

  if (count_instructions && have_program ("valgrind"))
    {
      say ("counting instructions with callgrind (%d refreshes each)...\n", CALLGRIND_REFRESHES);
      warm_ir = callgrind_per_refresh (helper_path, "ph_sock_table_refresh");
      floor_ir = callgrind_per_refresh (floor_argv[0], "floor_dump");
    }
  clean = load_destroy ();

  {
    double ss_ms = median (&ss);
    double floor_ms = median (&floor_s);
    double warm_ms = median (&warm_quiet);
    double floor_cpu = median_cpu (&floor_s);
    double warm_cpu = median_cpu (&warm_quiet);
    long peak = watch_hwm_kb > cold_rss_kb ? watch_hwm_kb : cold_rss_kb;

    say ("runs: %d at %zu load sockets; medians of wall time (from fork to exit, or from "
         "`refresh` to END) and of the CPU time the measured process used meanwhile, which a "
         "busy machine moves less; load average %s\n", runs, n_load_sockets, load_average ());
    say ("  %-30s %9.3f ms (%7.3f-%8.3f)                  | cpu %8.3f ms\n", "ss -ltnup",
         ss_ms, series_min (&ss), series_max (&ss), median_cpu (&ss));
    say ("  %-30s %9.3f ms (%7.3f-%8.3f) %6.4f x ss      | cpu %8.3f ms %6.4f x ss\n",
         "sock_diag floor (bare dump)", floor_ms, series_min (&floor_s), series_max (&floor_s),
         floor_ms / ss_ms, floor_cpu, floor_cpu / median_cpu (&ss));
    print_ratio_line ("cold watch --once", &cold, &ss, TARGET_COLD, "<= 0.6 x ss");
    print_ratio_line ("warm refresh, nothing changed", &warm_quiet, &ss, TARGET_WARM,
                      "<= 1/50 = 0.02 x ss");
    if (floor_ms > 0 && warm_ms > 0)
      say ("  %-30s %9.3f x the floor's wall time %-4s       | cpu %6.3f x the floor's %-4s"
           "         target <= 1.2 x floor\n", "warm refresh vs the floor", warm_ms / floor_ms,
           warm_ms / floor_ms <= TARGET_WARM_FLOOR ? "PASS" : "MISS", warm_cpu / floor_cpu,
           warm_cpu / floor_cpu <= TARGET_WARM_FLOOR ? "PASS" : "MISS");
    print_ratio_line ("refresh, 1 new listener", &one_new_quiet, &ss, TARGET_NEW,
                      "<= 1/25 = 0.04 x ss");
    if (warm_quiet.n < warm.n || one_new_quiet.n < one_new.n)
      {
        say ("  (other sockets on the machine changed during %d of %d warm and %d of %d "
             "one-new refreshes; those are left out above and counted here:)\n",
             warm.n - warm_quiet.n, warm.n, one_new.n - one_new_quiet.n, one_new.n);
        print_ratio_line ("warm refresh, all runs", &warm, &ss, 0, "-");
        print_ratio_line ("1 new listener, all runs", &one_new, &ss, 0, "-");
      }
    print_ratio_line ("refresh, 1 new process (info)", &new_proc, &ss, 0, "-");
    say ("  %-30s %9.3f MB  (VmHWM of watch %.3f, maxrss of watch %.3f, of --once %.3f)  "
         "target <= 8 MB   %s\n", "helper peak RSS", peak / 1024.0,
         watch_hwm_kb / 1024.0, watch_maxrss_kb / 1024.0, cold_rss_kb / 1024.0,
         peak <= 0 ? "not measured" : peak <= TARGET_RSS_KB ? "PASS" : "MISS");
    if (warm_ir > 0 || floor_ir > 0)
      say ("  %-30s %9.0f instructions per warm refresh (ph_sock_table_refresh); the floor's "
           "dump %.0f (%.2f x)\n", "callgrind", warm_ir, floor_ir,
           floor_ir > 0 ? warm_ir / floor_ir : 0);
    else if (count_instructions)
      say ("  %-30s not counted (valgrind is missing or the runs failed)\n", "callgrind");

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
