/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-owners.c — a socket nobody in view holds is the kernel's only if all are in view */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-protocol-defs.h"
#include "ph-sock-table.h"
#include "ph-tap.h"

/*
 * The table decides between "the kernel holds it" and "its holder is out of sight" from
 * what /proc tells about the PID namespace it shows. A real listener of this test (found
 * through the kernel's sock_diag, as always) is looked up against a made-up /proc whose
 * self link, ns/pid link and NSpid line say in which namespace the scan runs, and whose
 * processes hold nothing — or, in the last case, hold the listener, to show that the made
 * up /proc is read at all. A real helper run in a real child PID namespace is
 * test-helper-unseen.py's.
 */

#define INIT_PID_NS "pid:[4026531836]"
#define CHILD_PID_NS "pid:[4026532999]"

static char base[256];
static int n_roots;

static void
put_file (const char *path,
          const char *text)
{
  FILE *f = fopen (path, "w");

  if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0)
    ph_tap_bail_out ("cannot write %s: %s", path, strerror (errno));
}

static void
put_link (const char *path,
          const char *target)
{
  if (symlink (target, path) != 0)
    ph_tap_bail_out ("cannot link %s: %s", path, strerror (errno));
}

/* A /proc of one process, ours by PID unless @self_pid says otherwise: its self link, its
 * ns/pid link, its status with @nspid, and, when @held_inode is not 0, an fd 7 on that
 * socket and a stat to go with it. Returns the folder (static storage). */
static const char *
make_root (long        self_pid,
           const char *pid_ns,
           const char *nspid,
           uint64_t    held_inode)
{
  static char root[300];
  char path[400], text[600];
  long pid = (long) getpid ();

  snprintf (root, sizeof root, "%s/root%d", base, n_roots++);
  mkdir (root, 0755);
  mkdir (strcat (strcpy (path, root), "/net"), 0755);
  snprintf (text, sizeof text, "%ld", self_pid);
  snprintf (path, sizeof path, "%s/self", root);
  put_link (path, text);

  snprintf (path, sizeof path, "%s/%ld", root, pid);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/%ld/ns", root, pid);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/%ld/ns/pid", root, pid);
  put_link (path, pid_ns);
  snprintf (path, sizeof path, "%s/%ld/status", root, pid);
  snprintf (text, sizeof text, "Name:\ttest\nUid:\t%u\t%u\t%u\t%u\nNSpid:\t%s\n",
            (unsigned) getuid (), (unsigned) geteuid (), (unsigned) geteuid (),
            (unsigned) geteuid (), nspid);
  put_file (path, text);

  if (held_inode != 0)
    {
      snprintf (path, sizeof path, "%s/%ld/fd", root, pid);
      mkdir (path, 0755);
      snprintf (path, sizeof path, "%s/%ld/fd/7", root, pid);
      snprintf (text, sizeof text, "socket:[%llu]", (unsigned long long) held_inode);
      put_link (path, text);
      snprintf (path, sizeof path, "%s/%ld/stat", root, pid);
      snprintf (text, sizeof text,
                "%ld (test-owners) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 4242 0 0\n",
                pid);
      put_file (path, text);
      snprintf (path, sizeof path, "%s/%ld/cmdline", root, pid);
      put_file (path, "test-owners");
      snprintf (path, sizeof path, "%s/%ld/cgroup", root, pid);
      put_file (path, "0::/\n");
    }
  return root;
}

/* The SOCK line of @inode in one full change set scanned through @root, or an empty
 * string (static storage). */
static const char *
scan (const char *root,
      uint64_t    inode)
{
  static char line[1024];
  char want[64];
  PhSockTable *table = ph_sock_table_new (root, PH_SCAN_TCP | PH_SCAN_IPV4, PH_SOURCE_NETLINK);
  PhBuf out = PH_BUF_INIT;
  const char *at;

  line[0] = '\0';
  ph_sock_table_refresh (table, &out);
  snprintf (want, sizeof want, "SOCK\tid=%llu\t", (unsigned long long) inode);
  at = out.data != NULL ? strstr (out.data, want) : NULL;
  if (at != NULL)
    {
      const char *nl = strchr (at, '\n');
      size_t n = nl != NULL ? (size_t) (nl - at) : strlen (at);

      snprintf (line, sizeof line, "%.*s", (int) n, at);
    }
  ph_buf_free (&out);
  ph_sock_table_free (table);
  return line;
}

static bool
has (const char *line,
     const char *field)
{
  char want[128];
  size_t n;

  snprintf (want, sizeof want, "\t%s", field);
  n = strlen (want);
  for (const char *p = strstr (line, want); p != NULL; p = strstr (p + 1, want))
    {
      if (p[n] == '\t' || p[n] == '\0')
        return true;
    }
  return false;
}

static bool
lacks_key (const char *line,
           const char *key)
{
  char want[64];

  snprintf (want, sizeof want, "\t%s=", key);
  return strstr (line, want) == NULL;
}

static void
check (const char *line,
       bool        ok,
       const char *what)
{
  if (!ph_tap_ok (line[0] != '\0' && ok, "%s", what))
    ph_tap_diag ("SOCK: %s", line[0] != '\0' ? line : "(the listener was not reported)");
}

int
main (void)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  char nspid_one[32], nspid_two[48], owner[64];
  struct stat st;
  const char *line;
  uint64_t inode;
  int fd;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &sin, sizeof sin) != 0 || listen (fd, 4) != 0
      || fstat (fd, &st) != 0)
    ph_tap_bail_out ("cannot listen on 127.0.0.1: %s", strerror (errno));
  inode = (uint64_t) st.st_ino;

  snprintf (base, sizeof base, "/tmp/ph-test-owners-XXXXXX");
  if (mkdtemp (base) == NULL)
    ph_tap_bail_out ("cannot make a temporary folder: %s", strerror (errno));
  snprintf (nspid_one, sizeof nspid_one, "%ld", (long) getpid ());
  snprintf (nspid_two, sizeof nspid_two, "%ld\t7", (long) getpid () + 1000);

  snprintf (owner, sizeof owner, "owners=%ld:4242:7", (long) getpid ());
  line = scan (make_root (getpid (), INIT_PID_NS, nspid_one, inode), inode);
  check (line, has (line, owner) && lacks_key (line, PH_KEY_UNSEEN)
               && has (line, "kernel=0") && has (line, "hidden=0"),
         "the made-up /proc is read: a process in it holding the listener is its owner");

  line = scan (make_root (getpid (), INIT_PID_NS, nspid_one, 0), inode);
  check (line, has (line, "kernel=1") && has (line, "hidden=0") && has (line, "owners=")
               && lacks_key (line, PH_KEY_UNSEEN),
         "the system's first PID namespace, nobody holds it: kernel=1, no unseen=");

  line = scan (make_root (getpid (), CHILD_PID_NS, nspid_one, 0), inode);
  check (line, has (line, "kernel=0") && has (line, "hidden=0") && has (line, "owners=")
               && has (line, PH_KEY_UNSEEN "=" PH_UNSEEN_PID_NAMESPACE),
         "a PID namespace of its own (its own /proc, one NSpid): unseen=pid-namespace, "
         "not the kernel's");

  line = scan (make_root (getpid (), INIT_PID_NS, nspid_two, 0), inode);
  check (line, has (line, "kernel=0") && has (line, PH_KEY_UNSEEN "=" PH_UNSEEN_PID_NAMESPACE),
         "NSpid with two PIDs (a namespace below the one /proc shows): unseen=pid-namespace");

  line = scan (make_root (999999999, INIT_PID_NS, nspid_one, 0), inode);
  check (line, has (line, "kernel=0") && has (line, PH_KEY_UNSEEN "=" PH_UNSEEN_PID_NAMESPACE),
         "a /proc whose self is not us (another namespace's /proc): unseen=pid-namespace");

  {
    char missing[300];

    snprintf (missing, sizeof missing, "%s/no-such-proc", base);
    line = scan (missing, inode);
    check (line, has (line, "kernel=0") && has (line, "hidden=0")
                 && has (line, PH_KEY_UNSEEN "=" PH_UNSEEN_NO_PROC),
           "no /proc at all: unseen=no-proc, never the kernel's");
  }

  close (fd);
  {
    char cmd[400];

    snprintf (cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system (cmd) != 0)
      ph_tap_diag ("could not remove %s", base);
  }
  return ph_tap_done_testing ();
}
