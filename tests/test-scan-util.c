/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-util.c — the scanner's small parts: hash map, /etc/passwd, /proc/PID/stat */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ph-tap.h"
#include "ph-map.h"
#include "ph-passwd.h"
#include "ph-proc.h"
#include "ph-sock.h"

static void
test_map (void)
{
  PhMap map = PH_MAP_INIT;
  static uint8_t present[20000];
  bool ok = true;
  uint32_t state = 12345;

  /* Random inserts and removals checked against a plain array. */
  for (int step = 0; step < 200000; step++)
    {
      uint64_t key;

      state = state * 1103515245u + 12345u;
      key = (state >> 8) % 20000;
      if ((state & 3) == 0)
        {
          void *v = ph_map_remove (&map, key + 1);

          ok &= (v != NULL) == (present[key] != 0);
          present[key] = 0;
        }
      else
        {
          ph_map_set (&map, key + 1, (void *) (uintptr_t) (key + 7));
          present[key] = 1;
        }
    }
  for (uint64_t k = 0; k < 20000; k++)
    {
      void *v = ph_map_get (&map, k + 1);

      ok &= present[k] ? v == (void *) (uintptr_t) (k + 7) : v == NULL;
    }
  ph_tap_ok (ok, "the map agrees with a reference after 200000 random operations");
  {
    size_t n = 0;

    for (uint64_t k = 0; k < 20000; k++)
      n += present[k];
    ph_tap_ok (n == map.count, "the map counts its entries (%zu)", map.count);
  }
  ph_map_clear (&map);
}

static void
test_passwd (void)
{
  char path[] = "/tmp/ph-test-passwd-XXXXXX";
  int fd = mkstemp (path);
  const char *text =
    "root:x:0:0:root:/root:/bin/bash\n"
    "# a comment\n"
    "broken line without colons\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    "ada:x:1000:1000:Ada,,,:/home/ada:/bin/bash\n"
    "shadow-ada:x:1000:1000::/:/bin/false\n"
    "+nisuser::::::\n"
    "bad:x:notanumber:0::/:\n"
    "odd\tname:x:1001:1001::/:";

  if (fd < 0 || write (fd, text, strlen (text)) != (ssize_t) strlen (text))
    ph_tap_bail_out ("cannot write %s", path);
  close (fd);
  ph_passwd_set_path (path);
  ph_tap_ok (ph_passwd_lookup (0) && strcmp (ph_passwd_lookup (0), "root") == 0, "uid 0 is root");
  ph_tap_ok (ph_passwd_lookup (65534) && strcmp (ph_passwd_lookup (65534), "nobody") == 0,
             "uid 65534 is nobody");
  ph_tap_ok (ph_passwd_lookup (1000) && strcmp (ph_passwd_lookup (1000), "ada") == 0,
             "the first entry for a uid wins");
  ph_tap_ok (ph_passwd_lookup (1001) && strcmp (ph_passwd_lookup (1001), "odd\tname") == 0,
             "the last line without a newline, a name with a TAB");
  ph_tap_ok (ph_passwd_lookup (4242) == NULL, "an unknown uid has no name");
  ph_tap_ok (ph_passwd_lookup_home (0) && strcmp (ph_passwd_lookup_home (0), "/root") == 0,
             "uid 0's home is /root");
  ph_tap_ok (ph_passwd_lookup_home (1000)
             && strcmp (ph_passwd_lookup_home (1000), "/home/ada") == 0,
             "the first entry for a uid gives the home too (/home/ada)");
  ph_tap_ok (ph_passwd_lookup_home (1001) && strcmp (ph_passwd_lookup_home (1001), "/") == 0,
             "the home of the last line, without a newline");
  ph_tap_ok (ph_passwd_lookup_home (4242) == NULL, "an unknown uid has no home");
  unlink (path);
  ph_passwd_set_path (NULL);
  ph_tap_ok (ph_passwd_lookup (0) != NULL && strcmp (ph_passwd_lookup (0), "root") == 0,
             "the real /etc/passwd names root");
  ph_passwd_set_path (NULL);
}

static void
test_stat (void)
{
  const char *hostile = "4242 (evil) 1 2 (x) S 17 4242 4242 0 -1 4194560 99 0 0 0 1 2 0 0 20 0 1 0 "
                        "123456 1000 200 18446744073709551615\n";
  const char *kthread = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0\n";
  PhStat st;
  PhBuf buf = PH_BUF_INIT;
  int pfd;

  ph_tap_ok (ph_proc_parse_stat (hostile, strlen (hostile), &st) && st.ppid == 17
             && st.start == 123456 && st.state == 'S' && strcmp (st.comm, "evil) 1 2 (x") == 0,
             "a comm with ') ' inside does not shift the fields");
  ph_tap_ok (ph_proc_parse_stat (kthread, strlen (kthread), &st) && (st.flags & PH_PF_KTHREAD),
             "PF_KTHREAD is read from field 9");
  ph_tap_ok (!ph_proc_parse_stat ("1 (x) S 0 0", 11, &st), "a short stat line is rejected");
  ph_tap_ok (!ph_proc_parse_stat ("garbage", 7, &st), "garbage is rejected");

  pfd = open ("/proc/self", O_PATH | O_DIRECTORY);
  ph_tap_ok (pfd >= 0 && ph_proc_read_stat (pfd, &buf, &st) == 0 && st.ppid == getppid ()
             && st.start > 0, "our own stat: ppid and start time");
  {
    PhProcFacts f;
    bool ok = ph_proc_read_facts (pfd, getpid (), &buf, &f) == 0;

    ph_tap_ok (ok && f.start == st.start && f.uid_known && f.uid == (uint32_t) geteuid ()
               && f.cmdline != NULL && strstr (f.cmdline, "test-scan-util") != NULL
               && f.exe != NULL && f.cwd != NULL,
               "our own facts: start, uid, command line, exe, cwd");
    if (ok)
      ph_proc_facts_clear (&f);
  }
  {
    PhProcFacts f;
    bool ok = ph_proc_read_facts_after_stat (pfd, getpid (), &st, -1, &buf, &f) == 0;

    ph_tap_ok (ok && f.start == st.start && f.ppid == st.ppid && strcmp (f.comm, st.comm) == 0
               && f.cmdline != NULL && strstr (f.cmdline, "test-scan-util") != NULL,
               "facts after a stat already read: the same start, parent, name, command line");
    if (ok)
      ph_proc_facts_clear (&f);
  }
  /* Files the kernel makes in one piece: a short read is their end. */
  {
    const char *files[] = { "status", "cmdline", "cgroup", "stat", "environ" };
    PhBuf whole = PH_BUF_INIT;

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
      {
        bool same = false;

        /* status and stat count this process's context switches, faults and CPU time,
         * which may move between the two reads on a busy machine: a difference must
         * hold in 5 tries in a row to count. */
        for (int attempt = 0; attempt < 5 && !same; attempt++)
          same = ph_read_file_at (pfd, files[i], &whole, 0) == 0
                 && ph_read_proc_file_at (pfd, files[i], &buf, 0) == 0
                 && whole.len == buf.len && (whole.len == 0
                                             || memcmp (whole.data, buf.data, buf.len) == 0);

        ph_tap_ok (same, "/proc/self/%s read in one piece equals the read to the end (%zu bytes)",
                   files[i], buf.len);
      }
    ph_buf_free (&whole);
  }
  close (pfd);
  ph_buf_free (&buf);
}

/* The walk reaches /proc/PID as the parent of the /proc/PID/fd it listed: that is the
 * same process while it lives, and never another once it is gone (a lookup by number
 * could name a later process with the PID). */
static void
test_parent_of_fd_dir (void)
{
  char name[32];
  PhBuf buf = PH_BUF_INIT;
  PhStat st;
  pid_t child = fork ();
  int fdd, pfd;

  if (child < 0)
    ph_tap_bail_out ("fork: %s", strerror (errno));
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  snprintf (name, sizeof name, "/proc/%d/fd", (int) child);
  fdd = open (name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  pfd = fdd >= 0 ? openat (fdd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  ph_tap_ok (pfd >= 0 && ph_proc_read_stat (pfd, &buf, &st) == 0 && st.ppid == getpid (),
             "/proc/PID/fd/.. is that process's /proc/PID (its parent is us)");
  if (pfd >= 0)
    close (pfd);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  /* Where we may (root in a PID namespace of our own, as the tests run), a new process
   * takes the same PID: ns_last_pid names the PID handed out last. */
  {
    int last = open ("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
    pid_t again = -1;

    if (last >= 0)
      {
        snprintf (name, sizeof name, "%d", (int) child - 1);
        if (write (last, name, strlen (name)) > 0 && (again = fork ()) == 0)
          {
            pause ();
            _exit (0);
          }
        close (last);
      }
    pfd = fdd >= 0 ? openat (fdd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    ph_tap_ok (fdd >= 0 && (pfd < 0 || ph_proc_read_stat (pfd, &buf, &st) < 0),
               "once the process is gone, nothing is read through /proc/PID/fd/..%s",
               again == child ? " (though a new process has its PID)" : "");
    if (again != child)
      ph_tap_diag ("no new process with the same PID (%d, then %d)", (int) child, (int) again);
    if (again > 0)
      {
        kill (again, SIGKILL);
        waitpid (again, NULL, 0);
      }
  }
  if (pfd >= 0)
    close (pfd);
  if (fdd >= 0)
    close (fdd);
  ph_buf_free (&buf);
}

/* Facts read with the process's pidfd end with that pidfd's word: a process that exited
 * (not yet reaped, so its /proc files still read) is gone. */
static void
test_facts_pidfd (void)
{
  char name[32];
  PhBuf buf = PH_BUF_INIT;
  PhProcFacts f;
  PhStat st;
  pid_t child = fork ();
  int pfd, pidfd;
  struct pollfd p;

  if (child < 0)
    ph_tap_bail_out ("fork: %s", strerror (errno));
  if (child == 0)
    {
      pause ();
      _exit (0);
    }
  snprintf (name, sizeof name, "/proc/%d", (int) child);
  pfd = open (name, O_PATH | O_DIRECTORY | O_CLOEXEC);
  pidfd = (int) syscall (SYS_pidfd_open, child, 0);
  if (pfd < 0 || pidfd < 0 || ph_proc_read_stat (pfd, &buf, &st) < 0)
    ph_tap_bail_out ("cannot open /proc/%d or its pidfd: %s", (int) child, strerror (errno));
  ph_tap_ok (ph_proc_read_facts_after_stat (pfd, child, &st, pidfd, &buf, &f) == 0
             && f.start == st.start, "a live process's facts, told true by its pidfd");
  if (f.comm != NULL)
    ph_proc_facts_clear (&f);
  kill (child, SIGKILL);
  p = (struct pollfd) { .fd = pidfd, .events = POLLIN };
  ph_tap_ok (poll (&p, 1, 10000) == 1, "its pidfd tells its exit");
  ph_tap_ok (ph_proc_read_facts_after_stat (pfd, child, &st, pidfd, &buf, &f) == -ESRCH,
             "once it exited (not reaped yet), its facts are those of a gone process");
  waitpid (child, NULL, 0);
  close (pidfd);
  close (pfd);
  ph_buf_free (&buf);
}

/* A child that chroots into @root (when not NULL) and waits; -1 when it could not. */
static pid_t
waiting_child (const char *root,
               int         ready)
{
  pid_t child = fork ();

  if (child < 0)
    ph_tap_bail_out ("fork: %s", strerror (errno));
  if (child == 0)
    {
      if (root != NULL && (chroot (root) != 0 || chdir ("/") != 0))
        _exit (1);
      if (write (ready, "x", 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  return child;
}

/* Facts read by PID under /proc ("PID/", as a first snapshot reads its holders, checked
 * by their pidfds afterwards) are those read through /proc/PID: a plain child's, and a
 * child chrooted into a "sandbox" with a /.flatpak-info (as root), whose app it names. */
static void
test_facts_by_pid (void)
{
  char tmpl[] = "/tmp/test-scan-util-XXXXXX";
  char path[256];
  int proc_fd = open ("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  bool as_root = geteuid () == 0;
  const char *root = as_root ? mkdtemp (tmpl) : NULL;
  int ready[2];

  if (proc_fd < 0 || pipe (ready) != 0)
    ph_tap_bail_out ("cannot open /proc: %s", strerror (errno));
  if (root != NULL)
    {
      FILE *f;

      snprintf (path, sizeof path, "%s/.flatpak-info", root);
      f = fopen (path, "w");
      if (f == NULL || fputs ("[Application]\nname=org.example.Sandboxed\n", f) < 0
          || fclose (f) != 0)
        ph_tap_bail_out ("cannot write %s", path);
    }
  for (int sandboxed = 0; sandboxed <= 1; sandboxed++)
    {
      char dir[32];
      PhBuf buf = PH_BUF_INIT;
      PhProcFacts a, b;
      PhStat st, st_b;
      pid_t child;
      int pfd, pidfd;
      char byte;
      bool ok;

      if (sandboxed && root == NULL)
        {
          ph_tap_skip (1, "a chroot needs root");
          continue;
        }
      child = waiting_child (sandboxed ? root : NULL, ready[1]);
      if (read (ready[0], &byte, 1) != 1)
        ph_tap_bail_out ("the child did not get ready");
      snprintf (dir, sizeof dir, "%d/", (int) child);
      snprintf (path, sizeof path, "/proc/%d", (int) child);
      pidfd = (int) syscall (SYS_pidfd_open, child, 0);
      pfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      ok = pfd >= 0 && ph_proc_read_stat (pfd, &buf, &st) == 0
           && ph_proc_read_facts_after_stat (pfd, child, &st, pidfd, &buf, &a) == 0;
      ok = ok && ph_proc_read_stat_in (proc_fd, dir, &buf, &st_b) == 0
           && st_b.start == st.start
           && ph_proc_read_facts_unconfirmed (proc_fd, dir, child, &st_b, pidfd, NULL, &buf,
                                              &b) == 0;
      if (!ph_tap_ok (ok && ph_proc_facts_equal (&a, &b) && b.exe != NULL && b.cwd != NULL
                      && b.cmdline != NULL
                      && (sandboxed ? b.sandboxed && b.cg.app_id != NULL
                                      && strcmp (b.cg.app_id, "org.example.Sandboxed") == 0
                                    : !b.sandboxed),
                      "%s: the same facts read by PID under /proc as through /proc/PID",
                      sandboxed ? "a child in a chroot with a /.flatpak-info (its app named)"
                                : "a child"))
        ph_tap_diag ("by PID: sandboxed %d app %s exe %s", ok && b.sandboxed,
                     ok && b.cg.app_id ? b.cg.app_id : "-", ok && b.exe ? b.exe : "-");
      if (ok)
        {
          ph_proc_facts_clear (&a);
          ph_proc_facts_clear (&b);
        }
      kill (child, SIGKILL);
      waitpid (child, NULL, 0);
      if (pfd >= 0)
        close (pfd);
      if (pidfd >= 0)
        close (pidfd);
      ph_buf_free (&buf);
    }
  if (root != NULL)
    {
      snprintf (path, sizeof path, "%s/.flatpak-info", root);
      unlink (path);
      rmdir (root);
    }
  close (ready[0]);
  close (ready[1]);
  close (proc_fd);
}

static void
test_links (void)
{
  uint64_t ino = 0;

  ph_tap_ok (ph_parse_socket_link ("socket:[12345]", 14, &ino) && ino == 12345, "socket:[12345]");
  ph_tap_ok (!ph_parse_socket_link ("socket:[12a]", 12, &ino), "socket:[12a] is not a socket");
  ph_tap_ok (!ph_parse_socket_link ("pipe:[12345]", 12, &ino), "a pipe is not a socket");
  ph_tap_ok (!ph_parse_socket_link ("socket:[]", 9, &ino), "socket:[] has no inode");
}

/* The pidfd's PIDFD_GET_INFO gives the effective uid /proc/PID/status gives (a child whose
 * effective uid is not its real one, as root), and a cgroup v2 id whose path a cache
 * gives back; a path is cached only when the v2 path alone decided it. */
static void
test_pidfd_info (void)
{
  char name[32];
  PhBuf buf = PH_BUF_INIT;
  PhProcFacts f;
  PhStat st;
  PhPidfdInfo info;
  PhCgroupCache cache = PH_CGROUP_CACHE_INIT;
  int ready[2], pfd, pidfd;
  uint32_t status_uid = 0;
  bool by_v2 = false;
  char *file_path = NULL;
  pid_t child;
  char byte;

  if (pipe (ready) != 0)
    ph_tap_bail_out ("pipe: %s", strerror (errno));
  child = fork ();
  if (child < 0)
    ph_tap_bail_out ("fork: %s", strerror (errno));
  if (child == 0)
    {
      if (geteuid () == 0 && setresuid ((uid_t) -1, 4242, (uid_t) -1) != 0)
        _exit (1);
      if (write (ready[1], "x", 1) != 1)
        _exit (1);
      pause ();
      _exit (0);
    }
  if (read (ready[0], &byte, 1) != 1)
    ph_tap_bail_out ("the child did not start");
  snprintf (name, sizeof name, "/proc/%d", (int) child);
  pfd = open (name, O_PATH | O_DIRECTORY | O_CLOEXEC);
  pidfd = (int) syscall (SYS_pidfd_open, child, 0);
  if (pfd < 0 || pidfd < 0 || ph_proc_read_stat (pfd, &buf, &st) < 0)
    ph_tap_bail_out ("cannot open /proc/%d or its pidfd: %s", (int) child, strerror (errno));
  if (ph_read_proc_file_at (pfd, "status", &buf, 0) != 0
      || !ph_proc_parse_status_uid (buf.data, buf.len, &status_uid))
    ph_tap_bail_out ("cannot read the child's status");
  if (ph_read_proc_file_at (pfd, "cgroup", &buf, 0) == 0)
    file_path = ph_cgroup_pick_path_v2 (buf.data, buf.len, &by_v2);

  if (ph_pidfd_info (pidfd, &info) != 0)
    ph_tap_skip (4, "this kernel has no PIDFD_GET_INFO (Linux 6.13)");
  else
    {
      ph_tap_ok (info.euid == status_uid && (geteuid () != 0 || info.euid == 4242),
                 "the pidfd's effective uid is status's (%u, %u)", info.euid, status_uid);
      ph_tap_ok (ph_proc_read_facts_cached (pfd, child, &st, pidfd, &cache, &buf, &f) == 0
                 && f.uid_known && f.uid == status_uid && file_path != NULL
                 && f.cgroup != NULL && strcmp (f.cgroup, file_path) == 0
                 && (cache.by_id.count == 1) == by_v2,
                 "facts with the pidfd: its uid, the cgroup file's path, cached only when "
                 "the v2 path decided it (%s: %s)", file_path ? file_path : "-",
                 by_v2 ? "cached" : "not cached");
      if (f.comm != NULL)
        ph_proc_facts_clear (&f);
      if (info.has_cgroup_id)
        {
          bool cached = ph_map_get (&cache.by_id, info.cgroup_id) != NULL;

          ph_tap_ok (cached == by_v2, "kept under its cgroup v2 id only then");
          ph_cgroup_cache_clear (&cache);
          ph_map_set (&cache.by_id, info.cgroup_id, ph_xstrdup ("/kept.slice/x.service"));
          ph_tap_ok (ph_proc_read_facts_cached (pfd, child, &st, pidfd, &cache, &buf, &f) == 0
                     && f.cgroup != NULL && strcmp (f.cgroup, "/kept.slice/x.service") == 0
                     && f.cg.unit != NULL && strcmp (f.cg.unit, "x.service") == 0,
                     "a path kept for its cgroup id is taken (and parsed) without the file");
          if (f.comm != NULL)
            ph_proc_facts_clear (&f);
        }
      else
        ph_tap_skip (2, "the kernel gave no cgroup id");
    }
  ph_cgroup_cache_clear (&cache);
  free (file_path);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  close (pidfd);
  close (pfd);
  close (ready[0]);
  close (ready[1]);
  ph_buf_free (&buf);
}

/* IPv4 addresses are formatted by hand (not inet_ntop ()), numbers too: the same text as
 * libc's for every byte value in every position. */
static void
test_format (void)
{
  static const uint64_t numbers[] = { 0, 1, 9, 10, 99, 100, 12345, 4294967295u,
                                      10000000000000000000u, UINT64_MAX };
  PhSock sock;
  char got[64], want[64];
  bool same = true;
  PhBuf buf = PH_BUF_INIT;

  memset (&sock, 0, sizeof sock);
  sock.family = 4;
  for (unsigned v = 0; v < 256; v++)
    for (int at = 0; at < 4; at++)
      {
        uint8_t addr[4] = { 127, 0, 0, 1 };

        addr[at] = (uint8_t) v;
        memcpy (sock.addr, addr, 4);
        ph_sock_format_addr (&sock, got, sizeof got);
        inet_ntop (AF_INET, addr, want, sizeof want);
        if (strcmp (got, want) != 0)
          {
            if (same)
              ph_tap_diag ("%s, not %s", got, want);
            same = false;
          }
      }
  ph_tap_ok (same, "every IPv4 byte value, in every position, as inet_ntop () writes it");
  same = true;
  ph_buf_append (&buf, "x", 1);
  for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
    {
      size_t before = buf.len;

      ph_buf_append_u64 (&buf, numbers[i]);
      snprintf (want, sizeof want, "%llu", (unsigned long long) numbers[i]);
      if (buf.len - before != strlen (want) || memcmp (buf.data + before, want, strlen (want)) != 0
          || buf.data[buf.len] != '\0')
        {
          ph_tap_diag ("%s, not %s", buf.data + before, want);
          same = false;
        }
    }
  ph_tap_ok (same && buf.data[0] == 'x', "numbers appended as printf () writes them");
  {
    char path[32];

    ph_tap_ok (strcmp (ph_proc_path (path, "", 1234, "/fd"), "1234/fd") == 0
               && strcmp (ph_proc_path (path, "fd/", 0, ""), "fd/0") == 0
               && strcmp (ph_proc_path (path, "fd/", INT32_MAX, ""), "fd/2147483647") == 0
               && strcmp (ph_proc_path (path, "", -5, "x"), "-5x") == 0,
               "/proc names made without snprintf ()");
  }
  ph_buf_free (&buf);
}

int
main (void)
{
  test_map ();
  test_passwd ();
  test_stat ();
  test_parent_of_fd_dir ();
  test_facts_pidfd ();
  test_facts_by_pid ();
  test_links ();
  test_format ();
  test_pidfd_info ();
  return ph_tap_done_testing ();
}
