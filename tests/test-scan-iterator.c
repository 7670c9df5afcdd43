/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-iterator.c — the task_file iterator's shortcut finds the same holders as the walk */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ph-sock-table.h"
#include "ph-tap.h"

/*
 * A first snapshot asks the kernel's task_file iterator which processes hold a listening
 * socket and walks only those (ph-sock-table-iter.c). Here both ways scan the same
 * processes of ours, and every listener of ours must have the same holders either way:
 *   A  ours, and the children's forked after the bind but the idle ones (four holders);
 *   B  a child's only, opened there;
 *   C  sent by us over SCM_RIGHTS to a child under another fd number, then closed here;
 * and IDLE children with open files and a UDP socket (not in the table) hold nothing. The
 * iterator needs root (CAP_BPF) and a kernel with BTF: without them, that is said and
 * the comparison skipped.
 *
 * The iterator only tells where to look: a holder is taken when its second run, after the
 * holders' facts were read, saw the same fds. Right after its first run (a hook of the
 * table), two children change their fds behind its back: MOVER moves D to fd 45, CLOSER
 * closes its E (we keep ours), and TAKER, which held none of the table's sockets, receives
 * F (we keep ours). Its first answer is stale for all three, so they are walked in full: D
 * is reported on MOVER's fd 45, E not under CLOSER at all, F under TAKER too. EXITER, which
 * holds G (as we do), is killed right after the second run: its pidfd tells, and it is not
 * reported (nor a PROC record for it). A table
 * whose iterator cannot run a second time (as a test may make it) reads each fd the first
 * run named again in /proc instead: the same holders, and MOVER2 and CLOSER2, which change
 * D2 and E2 right after its first run, are found stale the same way.
 */

#define IDLE 12

#define MOVED_FD 45

static pid_t kids[IDLE + 12];
static int n_kids;
static int fd_a = -1;
static int fd_e = -1;

static int
listener (uint64_t *inode)
{
  struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct stat st;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  if (fd < 0 || bind (fd, (struct sockaddr *) &sin, sizeof sin) != 0 || listen (fd, 4) != 0
      || fstat (fd, &st) != 0)
    ph_tap_bail_out ("cannot listen on 127.0.0.1: %s", strerror (errno));
  *inode = (uint64_t) st.st_ino;
  return fd;
}

/* A child that does @what and then waits to be killed, telling us on @ready when set. */
static pid_t
child (void (*what) (void *),
       void  *data,
       int    ready)
{
  pid_t pid = fork ();

  if (pid < 0)
    ph_tap_bail_out ("fork: %s", strerror (errno));
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      what (data);
      if (ready >= 0 && write (ready, "x", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  kids[n_kids++] = pid;
  return pid;
}

/* What a changer child does: once told on @cmd, move @fd to MOVED_FD (@move) or close it,
 * then say so on @done. */
typedef struct
{
  int  fd;
  bool move;
  int  cmd;
  int  done;
} FdChange;

static void
change_fd (void *data)
{
  const FdChange *c = data;
  char byte;

  if (read (c->cmd, &byte, 1) != 1 || (c->move && dup2 (c->fd, MOVED_FD) != MOVED_FD)
      || close (c->fd) != 0 || write (c->done, "x", 1) != 1)
    _exit (1);
}

/* A child forked holding @fd that, once told on @cmd, moves it to MOVED_FD (@move) or
 * closes it, then says so on @done. */
static pid_t
changer (int  fd,
         bool move,
         int  cmd,
         int  done)
{
  FdChange c = { fd, move, cmd, done };

  return child (change_fd, &c, -1);
}

static void send_fd (int sock, int fd);

typedef struct
{
  int cmd[2];
  int done;
  int n;
  int give_sock;   /* F is sent over it to TAKER, which then says so on take_done, or -1 */
  int give_fd;
  int take_done;
} Change;

/* The table's hook: the changers change their fds after the iterator looked. */
static void
change_now (void *data)
{
  Change *c = data;
  char byte;

  for (int i = 0; i < 2; i++)
    if (write (c->cmd[i], "x", 1) != 1 || read (c->done, &byte, 1) != 1)
      ph_tap_bail_out ("a changer did not change");
  if (c->give_sock >= 0)
    {
      send_fd (c->give_sock, c->give_fd);
      if (read (c->take_done, &byte, 1) != 1)
        ph_tap_bail_out ("the taker did not take F");
    }
  c->n++;
}

/* The table's second hook: EXITER ends right after the second run (left unreaped, as a
 * process may be, until the end of the test). */
static void
end_exiter (void *data)
{
  pid_t *pid = data;
  siginfo_t info;

  if (kill (*pid, SIGKILL) != 0 || waitid (P_PID, (id_t) *pid, &info, WEXITED | WNOWAIT) != 0)
    ph_tap_bail_out ("EXITER did not end");
  *pid = -*pid;
}

/* EXITER: holds G only (inherited; not A nor E), then says so on @data. */
static void
hold_g (void *data)
{
  int ready = *(int *) data;

  close (fd_a);
  close (fd_e);
  if (write (ready, "x", 1) != 1)
    _exit (1);
}

static void
nothing (void *data)
{
  (void) data;
}

static void
open_b (void *data)
{
  listener (data);
}

static void
idle (void *data)
{
  (void) data;
  close (fd_a);
  close (fd_e);
  for (int i = 0; i < 5; i++)
    if (open ("/dev/null", O_RDONLY) < 0)
      _exit (1);
  if (socket (AF_INET, SOCK_DGRAM, 0) < 0)
    _exit (1);
}

/* Receives one fd over @sock and keeps it, moved to fd @to. */
static void
receive_fd (int sock,
            int to)
{
  char byte;
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  struct cmsghdr *c;
  int fd;

  if (recvmsg (sock, &msg, 0) != 1 || (c = CMSG_FIRSTHDR (&msg)) == NULL
      || c->cmsg_type != SCM_RIGHTS)
    _exit (1);
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  if (dup2 (fd, to) != to)
    _exit (1);
  close (fd);
}

/* Receives one fd over the socket @data and keeps it, moved to fd 40. */
static void
receive_c (void *data)
{
  int sock = *(int *) data;

  receive_fd (sock, 40);
}

/* TAKER: holds none of the table's sockets (says so on @data[2]), then receives F over
 * @data[0] (when the hook sends it), keeps it on fd 41, says so on @data[1]. */
static void
take_f (void *data)
{
  const int *fds = data;

  close (fd_a);
  close (fd_e);
  if (write (fds[2], "x", 1) != 1)
    _exit (1);
  receive_fd (fds[0], 41);
  if (write (fds[1], "x", 1) != 1)
    _exit (1);
}

static void
send_fd (int sock,
         int fd)
{
  char byte = 'c';
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { &byte, 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);

  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  if (sendmsg (sock, &msg, 0) != 1)
    ph_tap_bail_out ("sendmsg: %s", strerror (errno));
}

/* The owners= value of @inode's SOCK record in @set, sorted, in @owners. */
static bool
owners_of (const char *set,
           uint64_t    inode,
           char       *owners,
           size_t      size)
{
  char want[64];
  const char *at, *o, *end;
  char *items[64];
  char copy[1024];
  int n = 0;

  snprintf (want, sizeof want, "SOCK\tid=%llu\t", (unsigned long long) inode);
  at = set != NULL ? strstr (set, want) : NULL;
  if (at == NULL)
    return false;
  end = strchr (at, '\n');
  o = strstr (at, "\towners=");
  if (o == NULL || (end != NULL && o > end))
    return false;
  o += 8;
  snprintf (copy, sizeof copy, "%.*s", (int) strcspn (o, "\t\n"), o);
  for (char *save = NULL, *tok = strtok_r (copy, ",", &save); tok != NULL && n < 64;
       tok = strtok_r (NULL, ",", &save))
    items[n++] = tok;
  for (int i = 1; i < n; i++)
    for (int k = i; k > 0 && strcmp (items[k - 1], items[k]) > 0; k--)
      {
        char *t = items[k];

        items[k] = items[k - 1];
        items[k - 1] = t;
      }
  owners[0] = '\0';
  for (int i = 0; i < n; i++)
    {
      strncat (owners, items[i], size - strlen (owners) - 2);
      strcat (owners, ",");
    }
  return true;
}

/* @pid's first entry in @owners (PID:START:FD,...), or NULL. */
static const char *
owner_entry (const char *owners,
             pid_t       pid)
{
  char want[24];

  snprintf (want, sizeof want, "%d:", (int) pid);
  for (const char *p = owners; p != NULL && *p != '\0'; p = strchr (p, ','), p = p ? p + 1 : p)
    if (strncmp (p, want, strlen (want)) == 0)
      return p + strlen (want);
  return NULL;
}

/* The fd of @pid's first entry in @owners, or -1. */
static int
owner_fd (const char *owners,
          pid_t       pid)
{
  const char *entry = owner_entry (owners, pid);
  const char *fd = entry != NULL ? strchr (entry, ':') : NULL;

  return fd != NULL ? atoi (fd + 1) : -1;
}

/* Whether @set has a PROC record for @pid. */
static bool
has_proc (const char *set,
          pid_t       pid)
{
  char want[32];

  snprintf (want, sizeof want, "\nPROC\tpid=%d\t", (int) pid);
  return set != NULL && strstr (set, want) != NULL;
}

/* Whether @a and @b have the same PROC record for @pid. */
static bool
same_proc (const char *a,
           const char *b,
           pid_t       pid)
{
  char key[32];
  const char *x, *y;

  snprintf (key, sizeof key, "\nPROC\tpid=%d\t", (int) pid);
  x = strstr (a, key);
  y = strstr (b, key);
  return x != NULL && y != NULL && strcspn (x + 1, "\n") == strcspn (y + 1, "\n")
         && memcmp (x, y, strcspn (x + 1, "\n")) == 0;
}

static bool
names_pid (const char *owners,
           pid_t       pid)
{
  return owner_entry (owners, pid) != NULL;
}

int
main (void)
{
  uint64_t a, b, c, d, e, f, d2, e2, g;
  int ready[2], pair[2], cmd[2][2], done[2], cmd2[2][2], done2[2], give[2], take[2];
  int fd_c, fd_d, fd_f, fd_d2, fd_e2, fd_g;
  int first_idle;
  char byte;
  pid_t with_a, with_b, with_c, mover, closer, taker, mover2, closer2, exiter, ended;
  Change change = { { -1, -1 }, -1, 0, -1, -1, -1 };
  Change change2 = { { -1, -1 }, -1, 0, -1, -1, -1 };
  PhSockTable *walk, *iter, *once, *fallback;
  PhBuf out_walk = PH_BUF_INIT, out_iter = PH_BUF_INIT, out_once = PH_BUF_INIT;
  PhBuf out_fallback = PH_BUF_INIT;

  if (pipe (ready) != 0 || socketpair (AF_UNIX, SOCK_STREAM, 0, pair) != 0)
    ph_tap_bail_out ("pipe: %s", strerror (errno));
  fd_a = listener (&a);
  with_a = child (nothing, NULL, ready[1]);
  /* B is opened in the child: its inode comes back over the pipe. */
  {
    int inode_pipe[2];
    pid_t pid;

    if (pipe (inode_pipe) != 0)
      ph_tap_bail_out ("pipe: %s", strerror (errno));
    pid = fork ();
    if (pid < 0)
      ph_tap_bail_out ("fork: %s", strerror (errno));
    if (pid == 0)
      {
        uint64_t inode;

        prctl (PR_SET_PDEATHSIG, SIGKILL);
        open_b (&inode);
        if (write (inode_pipe[1], &inode, sizeof inode) != (ssize_t) sizeof inode)
          _exit (1);
        for (;;)
          pause ();
      }
    kids[n_kids++] = with_b = pid;
    close (inode_pipe[1]);
    if (read (inode_pipe[0], &b, sizeof b) != (ssize_t) sizeof b)
      ph_tap_bail_out ("the child with B did not say its inode");
    close (inode_pipe[0]);
  }
  with_c = child (receive_c, &pair[1], ready[1]);
  fd_c = listener (&c);
  send_fd (pair[0], fd_c);
  close (fd_c);
  if (pipe (cmd[0]) != 0 || pipe (cmd[1]) != 0 || pipe (done) != 0)
    ph_tap_bail_out ("pipe: %s", strerror (errno));
  fd_d = listener (&d);
  mover = changer (fd_d, true, cmd[0][0], done[1]);
  close (fd_d);
  fd_e = listener (&e);
  closer = changer (fd_e, false, cmd[1][0], done[1]);
  first_idle = n_kids;
  for (int i = 0; i < IDLE; i++)
    child (idle, NULL, ready[1]);
  for (int i = 0; i < IDLE + 2; i++)
    if (read (ready[0], &byte, 1) != 1)
      ph_tap_bail_out ("a child did not get ready");
  /* TAKER holds none of the table's sockets until the hook sends it F. */
  if (socketpair (AF_UNIX, SOCK_STREAM, 0, give) != 0 || pipe (take) != 0)
    ph_tap_bail_out ("pipe: %s", strerror (errno));
  {
    int taker_fds[3] = { give[1], take[1], ready[1] };

    taker = child (take_f, taker_fds, -1);
    if (read (ready[0], &byte, 1) != 1)
      ph_tap_bail_out ("the taker did not get ready");
  }
  fd_g = listener (&g);
  exiter = child (hold_g, &ready[1], -1);
  if (read (ready[0], &byte, 1) != 1)
    ph_tap_bail_out ("EXITER did not get ready");
  ended = exiter;
  fd_f = listener (&f);
  change = (Change) { { cmd[0][1], cmd[1][1] }, done[0], 0, give[0], fd_f, take[0] };
  /* The second pair of changers, for the table without a second run. */
  if (pipe (cmd2[0]) != 0 || pipe (cmd2[1]) != 0 || pipe (done2) != 0)
    ph_tap_bail_out ("pipe: %s", strerror (errno));
  fd_d2 = listener (&d2);
  mover2 = changer (fd_d2, true, cmd2[0][0], done2[1]);
  close (fd_d2);
  fd_e2 = listener (&e2);
  closer2 = changer (fd_e2, false, cmd2[1][0], done2[1]);
  change2 = (Change) { { cmd2[0][1], cmd2[1][1] }, done2[0], 0, -1, -1, -1 };

  walk = ph_sock_table_new ("/proc", PH_SCAN_TCP | PH_SCAN_IPV4, PH_SOURCE_NETLINK);
  ph_sock_table_set_iterator_min (walk, 0);
  iter = ph_sock_table_new ("/proc", PH_SCAN_TCP | PH_SCAN_IPV4, PH_SOURCE_NETLINK);
  ph_sock_table_set_iterator_min (iter, 1);
  ph_sock_table_set_iterator_hook (iter, change_now, &change);
  ph_sock_table_set_iterator_again_hook (iter, end_exiter, &ended);
  /* As watch --once makes it: the holders' pidfds not watched for exits. */
  once = ph_sock_table_new ("/proc", PH_SCAN_TCP | PH_SCAN_IPV4, PH_SOURCE_NETLINK);
  ph_sock_table_set_iterator_min (once, 1);
  ph_sock_table_set_once (once);
  /* Its second run fails: each fd the first named is read again in /proc. */
  fallback = ph_sock_table_new ("/proc", PH_SCAN_TCP | PH_SCAN_IPV4, PH_SOURCE_NETLINK);
  ph_sock_table_set_iterator_min (fallback, 1);
  ph_sock_table_set_iterator_hook (fallback, change_now, &change2);
  ph_sock_table_set_iterator_again_fails (fallback, true);
  ph_sock_table_refresh (walk, &out_walk);
  ph_sock_table_refresh (once, &out_once);
  ph_sock_table_refresh (iter, &out_iter);
  ph_sock_table_refresh (fallback, &out_fallback);
  ph_buf_append (&out_walk, "", 1);
  ph_buf_append (&out_iter, "", 1);
  ph_buf_append (&out_once, "", 1);
  ph_buf_append (&out_fallback, "", 1);

  ph_tap_ok (ph_sock_table_iterator_runs (walk) == 0, "iterator off: every process walked");
  if (geteuid () != 0 || access ("/sys/kernel/btf/vmlinux", R_OK) != 0)
    {
      ph_tap_skip (23, geteuid () != 0 ? "the task_file iterator needs root (CAP_BPF)"
                                      : "the task_file iterator needs the kernel's BTF");
    }
  else
    {
      struct { const char *name; uint64_t inode; pid_t must; pid_t must_too; } want[] = {
        { "A (ours and a forked child's)", a, getpid (), with_a },
        { "B (a child's own)", b, with_b, 0 },
        { "C (passed over SCM_RIGHTS)", c, with_c, 0 },
      };
      char ow[1024], oi[1024];

      ph_tap_ok (ph_sock_table_iterator_runs (iter) == 1,
                 "as root with the kernel's BTF, the iterator named the holders to walk");
      for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        {
          bool found = owners_of (out_walk.data, want[i].inode, ow, sizeof ow)
                       && owners_of (out_iter.data, want[i].inode, oi, sizeof oi);

          if (!ph_tap_ok (found && strcmp (ow, oi) == 0 && names_pid (oi, want[i].must)
                          && (want[i].must_too == 0 || names_pid (oi, want[i].must_too)),
                          "%s: the same holders both ways", want[i].name))
            ph_tap_diag ("walk: %s  iterator: %s", found ? ow : "-", found ? oi : "-");
        }
      /* A table for one refresh only finds the same, with the same facts. */
      {
        bool same = true;
        char oo[1024];
        pid_t ours[] = { getpid (), with_a, with_b, with_c };

        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
          same &= owners_of (out_walk.data, want[i].inode, ow, sizeof ow)
                  && owners_of (out_once.data, want[i].inode, oo, sizeof oo)
                  && strcmp (ow, oo) == 0;
        for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
          same &= same_proc (out_walk.data, out_once.data, ours[i]);
        ph_tap_ok (same, "for one refresh only (watch --once): the same holders and PROC "
                   "records");
      }

      /* The same PROC records (the holders' facts) both ways, for the processes whose
       * fds did not change (other tests may run beside this one: only ours count). */
      {
        pid_t ours[] = { getpid (), with_a, with_b, with_c };
        bool same = true;

        for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
          same &= has_proc (out_walk.data, ours[i]) && has_proc (out_iter.data, ours[i]);
        for (int i = 0; i < IDLE; i++)
          same &= !has_proc (out_walk.data, kids[first_idle + i])
                  && !has_proc (out_iter.data, kids[first_idle + i]);
        ph_tap_ok (same, "a PROC record for each holder both ways, none for the idle ones");
      }

      /* Changed behind the iterator's back: walked in full, as without it. */
      {
        bool found_d = owners_of (out_iter.data, d, oi, sizeof oi);

        /* At least ours: a test running beside this one may close or move a TCP
         * listener of its own between the iterator and the walk too (seen once in a
         * parallel, sanitized run: 3). That D and E were both walked again shows in the
         * two checks below. */
        ph_tap_ok (change.n == 1 && ph_sock_table_iterator_stale (iter) >= 2,
                   "the hook ran once after the iterator (%d), and both changed holders "
                   "were found stale (%u)", change.n, ph_sock_table_iterator_stale (iter));
        if (!ph_tap_ok (found_d && owner_fd (oi, mover) == MOVED_FD,
                        "D moved to another fd after the iterator looked: reported on the "
                        "new fd"))
          ph_tap_diag ("owners of D: %s", found_d ? oi : "-");
        ph_tap_ok (owners_of (out_walk.data, d, ow, sizeof ow) && owner_fd (ow, mover) == fd_d,
                   "(before the move, the walk saw it on fd %d)", fd_d);
      }
      {
        bool found_e = owners_of (out_iter.data, e, oi, sizeof oi);

        if (!ph_tap_ok (found_e && names_pid (oi, getpid ()) && !names_pid (oi, closer),
                        "E closed by a holder after the iterator looked: not reported under "
                        "it"))
          ph_tap_diag ("owners of E: %s", found_e ? oi : "-");
        ph_tap_ok (owners_of (out_walk.data, e, ow, sizeof ow) && names_pid (ow, closer),
                   "(before it closed E, the walk saw it as a holder)");
      }
      {
        bool found_f = owners_of (out_iter.data, f, oi, sizeof oi);

        if (!ph_tap_ok (found_f && names_pid (oi, getpid ()) && owner_fd (oi, taker) == 41,
                        "F taken by a process that held nothing when the iterator first "
                        "looked: reported under it too"))
          ph_tap_diag ("owners of F: %s", found_f ? oi : "-");
        ph_tap_ok (owners_of (out_walk.data, f, ow, sizeof ow) && !names_pid (ow, taker),
                   "(before, the walk saw TAKER hold none)");
      }

      {
        bool found_g = owners_of (out_iter.data, g, oi, sizeof oi);

        if (!ph_tap_ok (ended == -exiter && found_g && names_pid (oi, getpid ())
                        && !names_pid (oi, exiter) && !has_proc (out_iter.data, exiter),
                        "G's holder EXITER ended right after the second run: its pidfd told, "
                        "not reported under it"))
          ph_tap_diag ("owners of G: %s", found_g ? oi : "-");
        ph_tap_ok (owners_of (out_walk.data, g, ow, sizeof ow) && names_pid (ow, exiter),
                   "(before, the walk saw EXITER hold G)");
      }

      /* Without the second run: the same holders, the same facts, and changes found by
       * reading each fd again. */
      ph_tap_ok (ph_sock_table_iterator_runs (fallback) == 1
                 && ph_sock_table_iterator_reread (fallback) >= 4
                 && ph_sock_table_iterator_reread (iter) == 0,
                 "without its second run, the iterator still named the holders to walk, "
                 "whose fds were read again in /proc (%u; with it: %u)",
                 ph_sock_table_iterator_reread (fallback), ph_sock_table_iterator_reread (iter));
      for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        {
          char of[1024];
          bool found = owners_of (out_walk.data, want[i].inode, ow, sizeof ow)
                       && owners_of (out_fallback.data, want[i].inode, of, sizeof of);

          if (!ph_tap_ok (found && strcmp (ow, of) == 0 && names_pid (of, want[i].must),
                          "%s: the same holders without the second run", want[i].name))
            ph_tap_diag ("walk: %s  fallback: %s", found ? ow : "-", found ? of : "-");
        }
      {
        pid_t ours[] = { getpid (), with_a, with_b, with_c };
        bool same = true;

        for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
          same &= same_proc (out_walk.data, out_fallback.data, ours[i]);
        ph_tap_ok (same, "the same PROC records without the second run");
      }
      {
        char of[1024];
        bool found_d2 = owners_of (out_fallback.data, d2, of, sizeof of);
        bool found_e2;

        ph_tap_ok (change2.n == 1 && ph_sock_table_iterator_stale (fallback) >= 2,
                   "without the second run, both holders changed after the first were found "
                   "stale (%u)", ph_sock_table_iterator_stale (fallback));
        if (!ph_tap_ok (found_d2 && owner_fd (of, mover2) == MOVED_FD,
                        "D2 moved after the first run: reported on the new fd"))
          ph_tap_diag ("owners of D2: %s", found_d2 ? of : "-");
        found_e2 = owners_of (out_fallback.data, e2, of, sizeof of);
        if (!ph_tap_ok (found_e2 && names_pid (of, getpid ()) && !names_pid (of, closer2),
                        "E2 closed by a holder after the first run: not reported under it"))
          ph_tap_diag ("owners of E2: %s", found_e2 ? of : "-");
        ph_tap_ok (owners_of (out_walk.data, d2, ow, sizeof ow) && owner_fd (ow, mover2) == fd_d2
                   && owners_of (out_walk.data, e2, ow, sizeof ow) && names_pid (ow, closer2),
                   "(before, the walk saw D2 on fd %d and CLOSER2 hold E2)", fd_d2);
      }
    }

  ph_buf_free (&out_walk);
  ph_buf_free (&out_iter);
  ph_buf_free (&out_once);
  ph_buf_free (&out_fallback);
  ph_sock_table_free (walk);
  ph_sock_table_free (iter);
  ph_sock_table_free (once);
  ph_sock_table_free (fallback);
  close (fd_a);
  close (fd_e);
  close (fd_f);
  close (fd_e2);
  close (fd_g);
  for (int i = 0; i < n_kids; i++)
    kill (kids[i], SIGKILL);
  for (int i = 0; i < n_kids; i++)
    waitpid (kids[i], NULL, 0);
  return ph_tap_done_testing ();
}
