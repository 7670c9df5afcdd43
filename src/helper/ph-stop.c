/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop.c — `porthole-helper stop`: signal every holder of one socket, never another */
#include "config.h"

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

#include "ph-desktop.h"
#include "ph-helper.h"
#include "ph-proc.h"
#include "ph-protocol.h"
#include "ph-sock.h"

#ifndef SYS_pidfd_open
# define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
# define SYS_pidfd_send_signal 424
#endif

#define DEFAULT_GRACE_MS 3000
/* How long `flatpak kill` may take before the helper gives up on it. */
#define FLATPAK_KILL_TIMEOUT_MS 10000

typedef struct
{
  int32_t  pid;
  uint64_t start;
  int      pidfd;
  bool     verified;
  bool     signalled;
} Target;

typedef struct
{
  int32_t     pid;
  uint64_t    start;
  uint64_t    inode;
  int         sig;
  uint64_t    grace_ms;
  int         proc_fd;
  Target     *targets;
  size_t      n_targets;
  PhHolder   *holders;      /* who holds the socket now */
  size_t      n_holders;
  const char *source;
} Stop;

static int
pidfd_open (int32_t pid)
{
  return (int) syscall (SYS_pidfd_open, pid, 0);
}

static int
pidfd_send_signal (int pidfd,
                   int sig)
{
  return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static int
finish (Stop          *st,
        PhStopOutcome  outcome,
        const char    *message)
{
  PhBuf out = PH_BUF_INIT;
  bool first = true;

  ph_helper_hello (&out, st->source);
  ph_rec_start (&out, PH_RECORD_RESULT);
  ph_rec_str (&out, PH_KEY_OUTCOME, ph_stop_outcome_name (outcome));
  ph_rec_i64 (&out, PH_KEY_PID, st->pid);
  ph_rec_u64 (&out, PH_KEY_INODE, st->inode);
  ph_rec_str (&out, PH_KEY_SIGNAL, st->sig == SIGKILL ? "KILL" : "TERM");
  ph_buf_append_s (&out, "\t" PH_KEY_HOLDERS "=");
  for (size_t i = 0; i < st->n_holders; i++)
    {
      /* One entry per process, even when it holds the socket on several fds. */
      bool seen = false;

      for (size_t j = 0; j < i; j++)
        seen |= st->holders[j].pid == st->holders[i].pid;
      if (seen)
        continue;
      if (!first)
        ph_buf_append_c (&out, ',');
      first = false;
      ph_buf_append_i64 (&out, st->holders[i].pid);
      ph_buf_append_c (&out, ':');
      ph_buf_append_u64 (&out, st->holders[i].start);
    }
  ph_buf_append_s (&out, "\t" PH_KEY_SIGNALLED "=");
  first = true;
  for (size_t i = 0; i < st->n_targets; i++)
    {
      if (!st->targets[i].signalled)
        continue;
      if (!first)
        ph_buf_append_c (&out, ',');
      first = false;
      ph_buf_append_i64 (&out, st->targets[i].pid);
      ph_buf_append_c (&out, ':');
      ph_buf_append_u64 (&out, st->targets[i].start);
    }
  ph_rec_str (&out, PH_KEY_MESSAGE, message);
  ph_rec_end (&out);
  ph_helper_flush (&out);
  ph_buf_free (&out);

  for (size_t i = 0; i < st->n_targets; i++)
    {
      if (st->targets[i].pidfd >= 0)
        close (st->targets[i].pidfd);
    }
  free (st->targets);
  free (st->holders);
  if (st->proc_fd >= 0)
    close (st->proc_fd);
  return (int) outcome;
}

/* Is @inode still a listening socket? Asked of the kernel, not of /proc/PID/fd: a holder
 * we cannot see still keeps the port. */
static bool
socket_exists (uint64_t inode)
{
  PhSockList list = { 0 };
  PhNetlink nl;
  PhBuf scratch = PH_BUF_INIT;
  bool netlink = ph_netlink_open (&nl) == 0;
  bool found = false;

  for (int pi = 0; pi < 2; pi++)
    {
      for (int fam = 4; fam <= 6; fam += 2)
        {
          PhProto proto = pi == 0 ? PH_PROTO_TCP : PH_PROTO_UDP;

          if (!netlink || ph_netlink_dump_one (&nl, proto, fam, &list) < 0)
            ph_procnet_read_one ("/proc/net", proto, fam, &list, &scratch);
        }
    }
  for (size_t i = 0; i < list.n_socks && !found; i++)
    found = list.socks[i].inode == inode;
  if (netlink)
    ph_netlink_close (&nl);
  ph_sock_list_free (&list);
  ph_buf_free (&scratch);
  return found;
}

static void
rescan_holders (Stop *st)
{
  size_t unreadable;

  free (st->holders);
  st->n_holders = ph_proc_find_holders (st->proc_fd, st->inode, &st->holders, &unreadable);
}

/* The process as it is now: -ESRCH gone, 1 the same instance, 0 another one. */
static int
check_instance (Stop     *st,
                int32_t   pid,
                uint64_t  start,
                PhStat   *out_stat,
                int      *out_pfd)
{
  char name[16];
  PhBuf scratch = PH_BUF_INIT;
  int pfd;
  int err;

  snprintf (name, sizeof name, "%d", (int) pid);
  pfd = openat (st->proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (pfd < 0)
    return -ESRCH;
  err = ph_proc_read_stat (pfd, &scratch, out_stat);
  ph_buf_free (&scratch);
  if (err < 0)
    {
      close (pfd);
      return -ESRCH;
    }
  *out_pfd = pfd;
  return out_stat->start == start ? 1 : 0;
}

/* A systemd service manager (PID 1 of any PID namespace, or a user's systemd --user)
 * lives in its own init.scope. It holds sockets for socket activation; signalling it
 * would take every service down with it, so it is never signalled, whatever its PID
 * looks like from here. */
static bool
is_service_manager (int pfd)
{
  PhBuf scratch = PH_BUF_INIT;
  PhCgroupInfo info;
  char *path;
  bool manager = false;

  if (ph_read_file_at (pfd, "cgroup", &scratch, 0) == 0)
    {
      path = ph_cgroup_pick_path (scratch.data ? scratch.data : "", scratch.len);
      ph_cgroup_parse (path, &info);
      manager = info.unit != NULL && strcmp (info.unit, "init.scope") == 0;
      ph_cgroup_info_clear (&info);
      free (path);
    }
  ph_buf_free (&scratch);
  return manager;
}

/* The helpers of container engines hold a container's published ports (conmon, pasta,
 * docker-proxy, dockerd…) or run its processes (containerd-shim). Signalling them breaks
 * the container's networking, or every container, and frees nothing useful: the port is
 * freed by stopping the container through its engine. Never signalled, whatever asks. */
static const char *const engine_helpers[] = {
  "conmon", "pasta", "pasta.avx2", "passt", "passt.avx2", "rootlessport", "rootlessport-child",
  "slirp4netns", "docker-proxy", "dockerd", "rootlesskit", "containerd", "containerd-shim",
  "containerd-shim-runc-v2", "podman", "catatonit", "runc", "crun",
};

static bool
is_engine_helper (const char *comm)
{
  for (size_t i = 0; i < sizeof engine_helpers / sizeof engine_helpers[0]; i++)
    if (strcmp (comm, engine_helpers[i]) == 0)
      return true;
  return false;
}

/* Whether @proc_fd is a /proc of this process's own PID namespace. The checks read
 * /proc/PID while pidfd_open () and kill () take PIDs of the caller's namespace: with
 * another namespace's /proc (a helper started in a PID namespace without a /proc of its
 * own), the process checked and the process signalled would be two different ones. */
static bool
proc_is_own_pidns (int proc_fd)
{
  char self[32], want[32];
  ssize_t n = readlinkat (proc_fd, "self", self, sizeof self - 1);

  snprintf (want, sizeof want, "%d", (int) getpid ());
  return n > 0 && (size_t) n == strlen (want) && memcmp (self, want, (size_t) n) == 0;
}

/* "PID:START" */
static bool
ph_helper_parse_pid_start (const char         *text,
                           unsigned long long *pid,
                           unsigned long long *start)
{
  char pid_text[24];
  const char *colon = strchr (text, ':');

  if (colon == NULL || (size_t) (colon - text) >= sizeof pid_text)
    return false;
  memcpy (pid_text, text, (size_t) (colon - text));
  pid_text[colon - text] = '\0';
  return ph_helper_parse_number (pid_text, 2, INT32_MAX, pid)
         && ph_helper_parse_number (colon + 1, 0, UINT64_MAX, start);
}

/* Is @ancestor above @pid in the process tree, as the kernel says now? */
static bool
is_ancestor (Stop    *st,
             int32_t  pid,
             int32_t  ancestor)
{
  for (int depth = 0; depth < 64 && pid > 1; depth++)
    {
      char name[16];
      PhBuf scratch = PH_BUF_INIT;
      PhStat pstat;
      int pfd;
      int err;

      snprintf (name, sizeof name, "%d", (int) pid);
      pfd = openat (st->proc_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (pfd < 0)
        return false;
      err = ph_proc_read_stat (pfd, &scratch, &pstat);
      ph_buf_free (&scratch);
      close (pfd);
      if (err < 0)
        return false;
      if (pstat.ppid == ancestor)
        return true;
      pid = pstat.ppid;
    }
  return false;
}

/* --supervisor: the process that would start the holder again (nodemon, pm2's daemon,
 * `npm run`). It holds no socket, so the user can name it only as an ancestor of a holder
 * they saw: it must be one now, pinned by a pidfd and its start time. It is signalled
 * first and given the grace period to take its children with it; -1 means go on and
 * signal the holders that remain (nothing will restart them now), any other value is the
 * outcome to finish with. */
static int
stop_supervisor (Stop     *st,
                 int32_t   sup_pid,
                 uint64_t  sup_start,
                 char     *msg,
                 size_t    msg_size)
{
  Target *t;
  PhStat pstat;
  int pfd = -1;
  int r;

  if (sup_pid == 1 || sup_pid == getpid () || sup_pid == getppid ())
    {
      snprintf (msg, msg_size, "PID %d is never signalled as a supervisor.", (int) sup_pid);
      return PH_STOP_OUTCOME_REFUSED;
    }
  st->targets = ph_xrealloc (st->targets, (st->n_targets + 1) * sizeof *st->targets);
  t = &st->targets[st->n_targets++];
  *t = (Target) { sup_pid, sup_start, pidfd_open (sup_pid), false, false };
  if (t->pidfd < 0 && errno == ESRCH)
    {
      snprintf (msg, msg_size, "The supervisor has already exited.");
      return PH_STOP_OUTCOME_GONE;
    }
  r = check_instance (st, sup_pid, sup_start, &pstat, &pfd);
  if (r < 0)
    {
      snprintf (msg, msg_size, "The supervisor has already exited.");
      return PH_STOP_OUTCOME_GONE;
    }
  if (r > 0 && is_service_manager (pfd))
    {
      close (pfd);
      snprintf (msg, msg_size, "PID %d is a systemd service manager, which is never "
                "signalled: stop the unit instead.", (int) sup_pid);
      return PH_STOP_OUTCOME_REFUSED;
    }
  close (pfd);
  if (r == 0)
    {
      snprintf (msg, msg_size, "The supervisor's process ID now belongs to another process "
                "(the start time differs).");
      return PH_STOP_OUTCOME_STALE;
    }
  if (pstat.flags & PH_PF_KTHREAD)
    {
      snprintf (msg, msg_size, "The supervisor is a kernel thread.");
      return PH_STOP_OUTCOME_REFUSED;
    }
  if (is_engine_helper (pstat.comm))
    {
      snprintf (msg, msg_size, "PID %d (%s) is a container engine's process, which is never "
                "signalled: stop the container instead.", (int) sup_pid, pstat.comm);
      return PH_STOP_OUTCOME_REFUSED;
    }
  if (!is_ancestor (st, st->pid, sup_pid))
    {
      snprintf (msg, msg_size, "PID %d is not an ancestor of PID %d.", (int) sup_pid,
                (int) st->pid);
      return PH_STOP_OUTCOME_REFUSED;
    }

  r = t->pidfd >= 0 ? pidfd_send_signal (t->pidfd, st->sig) : kill (sup_pid, st->sig);
  if (r < 0)
    {
      snprintf (msg, msg_size, "The kernel did not allow the signal to the supervisor.");
      return errno == EPERM ? PH_STOP_OUTCOME_PERMISSION : PH_STOP_OUTCOME_GONE;
    }
  t->signalled = true;

  /* wait for it to end, or the port to be freed by it */
  for (uint64_t deadline = ph_now_us () / 1000 + st->grace_ms;;)
    {
      uint64_t now = ph_now_us () / 1000;
      struct pollfd fd = { t->pidfd, POLLIN, 0 };

      if (!socket_exists (st->inode) || now >= deadline)
        break;
      if (t->pidfd >= 0 && poll (&fd, 1, (int) (deadline - now < 50 ? deadline - now : 50)) > 0)
        {
          close (t->pidfd);
          t->pidfd = -1;
          /* it is gone; its children may take a moment to follow */
          deadline = deadline < now + 500 ? deadline : now + 500;
        }
      else if (t->pidfd < 0)
        usleep (50000);
    }
  return -1;
}

/* --flatpak-app: the user chose to quit the whole Flatpak app instead of signalling the
 * holders. Every holder that was checked must run in that app's sandbox, as its
 * /.flatpak-info says now (read through the holder's own /proc entry, after its pidfd
 * pinned it); then `flatpak kill APP` (no shell, flatpak from PATH) ends every instance
 * of the app: flatpak kills each sandbox's first process with SIGKILL, and the sandbox's
 * other processes go with it. Returns -1 when flatpak did that (the caller waits for the
 * holders as after a signal), else the outcome. */
static int
flatpak_kill (Stop       *st,
              const char *app,
              char       *msg,
              size_t      msg_size)
{
  PhBuf scratch = PH_BUF_INIT;
  size_t n_checked = 0;
  pid_t child;
  int status = 0;
  uint64_t deadline;

  for (size_t i = 0; i < st->n_targets; i++)
    {
      Target *t = &st->targets[i];
      PhStat pstat;
      char *in_app = NULL;
      int pfd = -1;
      int r;

      if (!t->verified)
        continue;
      r = check_instance (st, t->pid, t->start, &pstat, &pfd);
      if (r == 1)
        in_app = ph_flatpak_info_read_app (pfd, &scratch);
      if (r >= 0)
        close (pfd);
      if (r == 1 && (in_app == NULL || strcmp (in_app, app) != 0))
        {
          snprintf (msg, msg_size, "PID %d does not run in the Flatpak app %s; nothing was "
                    "stopped.", (int) t->pid, app);
          free (in_app);
          ph_buf_free (&scratch);
          return PH_STOP_OUTCOME_REFUSED;
        }
      free (in_app);
      n_checked += r == 1;
    }
  ph_buf_free (&scratch);
  if (n_checked == 0)
    {
      snprintf (msg, msg_size, "The process has already exited.");
      return PH_STOP_OUTCOME_GONE;
    }

  child = fork ();
  if (child < 0)
    {
      snprintf (msg, msg_size, "flatpak kill %s could not be started.", app);
      return PH_STOP_OUTCOME_STILL_HELD;
    }
  if (child == 0)
    {
      /* stdout carries the protocol: flatpak's words go to stderr. */
      int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);

      if (null_fd >= 0)
        {
          dup2 (null_fd, STDIN_FILENO);
          dup2 (STDERR_FILENO, STDOUT_FILENO);
        }
      execlp ("flatpak", "flatpak", "kill", app, (char *) NULL);
      _exit (127);
    }
  deadline = ph_now_us () / 1000 + FLATPAK_KILL_TIMEOUT_MS;
  for (;;)
    {
      pid_t r = waitpid (child, &status, WNOHANG);

      if (r == child)
        break;
      if (r < 0 && errno != EINTR)
        {
          status = -1;
          break;
        }
      if (ph_now_us () / 1000 >= deadline)
        {
          kill (child, SIGKILL);
          while (waitpid (child, &status, 0) < 0 && errno == EINTR)
            ;
          status = -1;
          break;
        }
      usleep (20000);
    }
  if (status == -1 || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      if (status != -1 && WIFEXITED (status) && WEXITSTATUS (status) == 127)
        snprintf (msg, msg_size, "flatpak could not be run (is it installed?); nothing was "
                  "stopped.");
      else
        snprintf (msg, msg_size, "flatpak kill %s failed; the port is still held.", app);
      return PH_STOP_OUTCOME_STILL_HELD;
    }
  for (size_t i = 0; i < st->n_targets; i++)
    st->targets[i].signalled = st->targets[i].verified;
  return -1;
}

int
ph_helper_stop (int    argc,
                char **argv)
{
  Stop st = { .sig = SIGTERM, .grace_ms = DEFAULT_GRACE_MS, .proc_fd = -1,
              .source = "procfs" };
  bool have_pid = false, have_start = false, have_inode = false, have_sup = false;
  const char *flatpak_app = NULL;
  unsigned long long sup_pid = 0, sup_start = 0;
  PhStat pstat;
  int pfd = -1;
  int r;
  size_t n_perm = 0, n_sent = 0;
  uint64_t deadline;
  char msg[512];

  for (int i = 1; i < argc; i++)
    {
      const char *v = i + 1 < argc ? argv[i + 1] : NULL;
      unsigned long long n;

      if (strcmp (argv[i], "--pid") == 0 && ph_helper_parse_number (v, 1, INT32_MAX, &n))
        {
          st.pid = (int32_t) n;
          have_pid = true;
        }
      else if (strcmp (argv[i], "--start-time") == 0 && ph_helper_parse_number (v, 0, UINT64_MAX, &n))
        {
          st.start = n;
          have_start = true;
        }
      else if (strcmp (argv[i], "--inode") == 0 && ph_helper_parse_number (v, 1, UINT64_MAX, &n))
        {
          st.inode = n;
          have_inode = true;
        }
      else if (strcmp (argv[i], "--grace") == 0 && ph_helper_parse_number (v, 0, 600000, &n))
        {
          st.grace_ms = n;
        }
      else if (strcmp (argv[i], "--supervisor") == 0 && v != NULL && strchr (v, ':') != NULL
               && ph_helper_parse_pid_start (v, &sup_pid, &sup_start))
        {
          have_sup = true;
        }
      else if (strcmp (argv[i], "--flatpak-app") == 0 && ph_desktop_app_id_valid (v))
        {
          flatpak_app = v;
        }
      else if (strcmp (argv[i], "--signal") == 0 && v != NULL
               && (strcmp (v, "TERM") == 0 || strcmp (v, "KILL") == 0))
        {
          st.sig = strcmp (v, "KILL") == 0 ? SIGKILL : SIGTERM;
        }
      else
        {
          snprintf (msg, sizeof msg, "Unknown or bad argument: %s", argv[i]);
          return finish (&st, PH_STOP_OUTCOME_USAGE, msg);
        }
      i++;
    }
  {
    PhNetlink nl;

    if (ph_netlink_open (&nl) == 0)
      {
        st.source = "netlink";
        ph_netlink_close (&nl);
      }
  }
  if (!have_pid || !have_start || !have_inode)
    return finish (&st, PH_STOP_OUTCOME_USAGE, "--pid, --start-time and --inode are required.");
  if (flatpak_app != NULL && have_sup)
    return finish (&st, PH_STOP_OUTCOME_USAGE, "--flatpak-app and --supervisor exclude each other.");
  /* flatpak kill acts on the caller's own instances, in the caller's session. */
  if (flatpak_app != NULL && ph_helper_privileged)
    return finish (&st, PH_STOP_OUTCOME_REFUSED, "As root, the helper does not run flatpak kill.");
  if (flatpak_app != NULL)
    st.sig = SIGKILL;   /* what flatpak kill sends; RESULT says so */
  if (st.pid == 1)
    return finish (&st, PH_STOP_OUTCOME_REFUSED, "PID 1 is the system's init and is never signalled.");
  if (st.pid == getpid ())
    return finish (&st, PH_STOP_OUTCOME_REFUSED, "The helper does not signal itself.");
  if (st.pid == getppid ())
    return finish (&st, PH_STOP_OUTCOME_REFUSED, "The helper does not signal its parent.");
  /* As root for someone else, only a process the list could show may be named: one that
   * holds a socket the helper lists (a listening TCP or a bound UDP socket). Anything else
   * (a connection, a Unix socket, a made-up inode) is refused before /proc is looked at. */
  if (ph_helper_privileged && !socket_exists (st.inode))
    return finish (&st, PH_STOP_OUTCOME_REFUSED,
                   "This socket is not one that the helper lists; nothing was signalled.");

  st.proc_fd = open ("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (st.proc_fd < 0)
    return finish (&st, PH_STOP_OUTCOME_PERMISSION, "/proc cannot be read.");
  if (!proc_is_own_pidns (st.proc_fd))
    return finish (&st, PH_STOP_OUTCOME_REFUSED,
                   "/proc shows another PID namespace than the helper's: the process it "
                   "names cannot be told apart from another with the same number.");

  /* Pin the instance first; everything checked after this is about the process the pidfd
   * names (a later process under the same PID has another start time). */
  st.targets = ph_xcalloc (1, sizeof *st.targets);
  st.targets[0] = (Target) { st.pid, st.start, pidfd_open (st.pid), false, false };
  st.n_targets = 1;
  if (st.targets[0].pidfd < 0 && errno == ESRCH)
    return finish (&st, PH_STOP_OUTCOME_GONE, "The process has already exited.");

  r = check_instance (&st, st.pid, st.start, &pstat, &pfd);
  if (r < 0)
    return finish (&st, PH_STOP_OUTCOME_GONE, "The process has already exited.");
  if (pstat.flags & PH_PF_KTHREAD)
    {
      close (pfd);
      return finish (&st, PH_STOP_OUTCOME_REFUSED, "This is a kernel thread.");
    }
  if (r == 0)
    {
      close (pfd);
      rescan_holders (&st);
      return finish (&st, PH_STOP_OUTCOME_STALE,
                     "The process ID now belongs to another process (the start time differs).");
    }
  r = ph_proc_holds_inode (pfd, st.inode);
  close (pfd);
  if (r == -EACCES || r == -EPERM)
    return finish (&st, PH_STOP_OUTCOME_PERMISSION,
                   "The open files of another user's process cannot be inspected.");
  if (r < 0)
    return finish (&st, PH_STOP_OUTCOME_GONE, "The process has already exited.");
  if (r == 0)
    {
      rescan_holders (&st);
      return finish (&st, PH_STOP_OUTCOME_NOT_HOLDER, "The process does not hold this socket.");
    }

  /* A forked server shares the socket between processes: all of them must go. */
  rescan_holders (&st);
  for (size_t i = 0; i < st.n_holders; i++)
    {
      PhHolder *h = &st.holders[i];
      bool known = false;

      if (h->pid == 1 || h->pid == getpid () || h->pid == getppid ())
        {
          snprintf (msg, sizeof msg, "The socket is also held by PID %d, which is never "
                    "signalled.", (int) h->pid);
          return finish (&st, PH_STOP_OUTCOME_REFUSED, msg);
        }
      for (size_t j = 0; j < st.n_targets; j++)
        known |= st.targets[j].pid == h->pid;
      if (known)
        continue;
      st.targets = ph_xrealloc (st.targets, (st.n_targets + 1) * sizeof *st.targets);
      st.targets[st.n_targets++] = (Target) { h->pid, h->start, pidfd_open (h->pid), false, false };
    }

  /* Check every holder first, then signal them all at once: a parent that exits first
   * could take its children with it before they were checked. */
  for (size_t i = 0; i < st.n_targets; i++)
    {
      Target *t = &st.targets[i];
      int held;

      /* Re-check through /proc after the pidfd exists: same instance, still a holder. */
      t->verified = false;
      r = check_instance (&st, t->pid, t->start, &pstat, &pfd);
      if (r <= 0)
        {
          if (r == 0)
            close (pfd);
          continue;
        }
      if (is_service_manager (pfd))
        {
          close (pfd);
          snprintf (msg, sizeof msg, "PID %d is a systemd service manager, which is never "
                    "signalled: stop the socket unit instead.", (int) t->pid);
          return finish (&st, PH_STOP_OUTCOME_REFUSED, msg);
        }
      if (is_engine_helper (pstat.comm))
        {
          close (pfd);
          snprintf (msg, sizeof msg, "PID %d (%s) is a container engine's process, which is "
                    "never signalled: stop the container instead.", (int) t->pid, pstat.comm);
          return finish (&st, PH_STOP_OUTCOME_REFUSED, msg);
        }
      held = (pstat.flags & PH_PF_KTHREAD) ? 0 : ph_proc_holds_inode (pfd, st.inode);
      close (pfd);
      t->verified = held == 1;
    }
  if (have_sup)
    {
      r = stop_supervisor (&st, (int32_t) sup_pid, sup_start, msg, sizeof msg);
      if (r >= 0)
        {
          rescan_holders (&st);
          return finish (&st, (PhStopOutcome) r, msg);
        }
      if (!socket_exists (st.inode))
        {
          rescan_holders (&st);
          return finish (&st, PH_STOP_OUTCOME_FREED, "The port is free.");
        }
    }
  if (flatpak_app != NULL)
    {
      r = flatpak_kill (&st, flatpak_app, msg, sizeof msg);
      if (r >= 0)
        {
          rescan_holders (&st);
          return finish (&st, (PhStopOutcome) r, msg);
        }
      for (size_t i = 0; i < st.n_targets; i++)
        n_sent += st.targets[i].signalled;
    }
  for (size_t i = 0; i < st.n_targets && flatpak_app == NULL; i++)
    {
      Target *t = &st.targets[i];

      if (!t->verified)
        continue;
      if (t->pidfd >= 0)
        r = pidfd_send_signal (t->pidfd, st.sig);
      else
        r = kill (t->pid, st.sig);   /* a kernel without pidfds (before 5.3) */
      if (r == 0)
        {
          t->signalled = true;
          n_sent++;
        }
      else if (errno == EPERM)
        {
          n_perm++;
        }
    }

  if (n_sent == 0 && n_perm > 0)
    {
      rescan_holders (&st);
      return finish (&st, PH_STOP_OUTCOME_PERMISSION, "The kernel did not allow the signal.");
    }

  /* Wait for every signalled holder to exit, or the grace period to end. */
  deadline = ph_now_us () / 1000 + st.grace_ms;
  for (;;)
    {
      struct pollfd *fds = ph_xcalloc (st.n_targets + 1, sizeof *fds);
      nfds_t nfds = 0;
      uint64_t now = ph_now_us () / 1000;
      int timeout;

      for (size_t i = 0; i < st.n_targets; i++)
        {
          if (st.targets[i].signalled && st.targets[i].pidfd >= 0)
            fds[nfds++] = (struct pollfd) { st.targets[i].pidfd, POLLIN, 0 };
        }
      if (now >= deadline)
        {
          free (fds);
          break;
        }
      if (nfds == 0)
        {
          /* Without pidfds: look again every 50 ms. */
          free (fds);
          if (!socket_exists (st.inode))
            break;
          usleep (50000);
          continue;
        }
      timeout = (int) (deadline - now);
      r = poll (fds, nfds, timeout);
      if (r > 0)
        {
          for (nfds_t k = 0; k < nfds; k++)
            {
              if (fds[k].revents == 0)
                continue;
              for (size_t i = 0; i < st.n_targets; i++)
                {
                  if (st.targets[i].pidfd == fds[k].fd)
                    {
                      close (st.targets[i].pidfd);
                      st.targets[i].pidfd = -1;
                      st.targets[i].signalled = true;
                    }
                }
            }
        }
      free (fds);
      if (r == 0)
        break;
      if (r < 0 && errno != EINTR)
        break;
    }

  rescan_holders (&st);
  if (!socket_exists (st.inode))
    return finish (&st, PH_STOP_OUTCOME_FREED, "The port is free.");
  if (n_perm > 0)
    return finish (&st, PH_STOP_OUTCOME_PERMISSION,
                   "Some holders could not be signalled; the port is still in use.");
  snprintf (msg, sizeof msg, "The socket is still held after %llu ms.",
            (unsigned long long) st.grace_ms);
  return finish (&st, PH_STOP_OUTCOME_STILL_HELD, msg);
}
