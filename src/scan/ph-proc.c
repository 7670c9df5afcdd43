/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-proc.c — reading /proc/PID: stat, facts, and which fds are sockets */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ph-desktop.h"
#include "ph-passwd.h"
#include "ph-proc.h"
#include "ph-protocol.h"

/* PIDFD_GET_INFO (Linux 6.13; not in every <linux/pidfd.h> yet): the first 64 bytes of
 * struct pidfd_info, which the kernel answers to whatever it grows to. */
struct ph_pidfd_info
{
  uint64_t mask;
  uint64_t cgroupid;
  uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
  int32_t  exit_code;
};
#define PH_PIDFD_GET_INFO      _IOWR (0xFF, 11, struct ph_pidfd_info)
#define PH_PIDFD_INFO_CREDS    (1u << 1)
#define PH_PIDFD_INFO_CGROUPID (1u << 2)

/* Past this, an environment is not read further (XDG_DATA_DIRS is not that far in). */
#define PH_ENVIRON_MAX (256 * 1024)

char *
ph_proc_path (char        out[static 32],
              const char *prefix,
              int32_t     n,
              const char *suffix)
{
  char digits[12];
  size_t nd = 0, len;
  uint32_t v = n < 0 ? (uint32_t) 0 - (uint32_t) n : (uint32_t) n;
  char *o = out;

  len = strnlen (prefix, 8);
  memcpy (o, prefix, len);
  o += len;
  if (n < 0)
    *o++ = '-';
  do
    {
      digits[nd++] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  while (nd > 0)
    *o++ = digits[--nd];
  len = strnlen (suffix, 8);
  memcpy (o, suffix, len);
  o[len] = '\0';
  return out;
}

bool
ph_proc_name_to_pid (const char *name,
                     int32_t    *pid)
{
  uint64_t v;
  const char *end;

  if (!ph_parse_u64 (name, &end, &v) || *end != '\0' || v == 0 || v > INT32_MAX)
    return false;
  *pid = (int32_t) v;
  return true;
}

bool
ph_parse_fd_name (const char *name,
                  int32_t    *fd)
{
  uint64_t v;
  const char *end;

  if (!ph_parse_u64 (name, &end, &v) || *end != '\0' || v > INT32_MAX)
    return false;
  *fd = (int32_t) v;
  return true;
}

bool
ph_parse_socket_link (const char *link,
                      size_t      len,
                      uint64_t   *inode)
{
  const char *end;

  if (len < 10 || memcmp (link, "socket:[", 8) != 0 || link[len - 1] != ']')
    return false;
  if (!ph_parse_u64 (link + 8, &end, inode))
    return false;
  return end == link + len - 1;
}

bool
ph_proc_parse_stat (const char *text,
                    size_t      len,
                    PhStat     *st)
{
  const char *open = memchr (text, '(', len);
  /* comm may itself contain ") ", so the last ')' ends it. */
  const char *close = memrchr (text, ')', len);
  const char *p;
  const char *end = text + len;
  size_t comm_len;
  int field;

  if (open == NULL || close == NULL || close < open)
    return false;
  memset (st, 0, sizeof *st);
  comm_len = (size_t) (close - open - 1);
  if (comm_len >= sizeof st->comm)
    comm_len = sizeof st->comm - 1;
  memcpy (st->comm, open + 1, comm_len);
  st->comm[comm_len] = '\0';

  p = close + 1;
  for (field = 3; p < end && field <= 22; field++)
    {
      const char *tok;
      uint64_t v = 0;

      while (p < end && *p == ' ')
        p++;
      tok = p;
      while (p < end && *p != ' ' && *p != '\n')
        p++;
      if (p == tok)
        return false;
      if (field == 3)
        {
          st->state = tok[0];
          continue;
        }
      if (field != 4 && field != 9 && field != 22)
        continue;
      if (tok[0] == '-')
        {
          v = 0;
        }
      else
        {
          /* within [tok, p) only: @text need not be NUL-terminated */
          for (const char *d = tok; d < p; d++)
            {
              if (*d < '0' || *d > '9' || v > (UINT64_MAX - (uint64_t) (*d - '0')) / 10)
                return false;
              v = v * 10 + (uint64_t) (*d - '0');
            }
        }
      if (field == 4)
        st->ppid = (int32_t) v;
      else if (field == 9)
        st->flags = (uint32_t) v;
      else
        st->start = v;
    }
  return field > 22;
}

/* The effective UID from /proc/<pid>/status, whose line is
 * "Uid:\treal\teffective\tsaved\tfs": the effective one is who the process acts as. */
bool
ph_proc_parse_status_uid (const char *text,
                          size_t      len,
                          uint32_t   *uid)
{
  const char *end = text + len;
  const char *p = text;
  uint64_t value = 0;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (size_t) (end - p));
      const char *line_end = eol != NULL ? eol : end;

      if (line_end - p > 4 && memcmp (p, "Uid:", 4) == 0)
        {
          const char *q = p + 4;

          for (int field = 0; field < 2; field++)
            {
              const char *start;

              while (q < line_end && (*q == '\t' || *q == ' '))
                q++;
              start = q;
              value = 0;
              while (q < line_end && *q >= '0' && *q <= '9')
                {
                  if (value > (UINT32_MAX - (uint64_t) (*q - '0')) / 10)
                    return false;
                  value = value * 10 + (uint64_t) (*q - '0');
                  q++;
                }
              if (q == start || (q < line_end && *q != '\t' && *q != ' '))
                return false;
            }
          *uid = (uint32_t) value;
          return true;
        }
      p = line_end + 1;
    }
  return false;
}

/* @name in a process's directory, as opened through @dirfd: @dir is "" when that is
 * /proc/PID itself, or "PID/" when it is /proc. Returns @name or @out. */
static const char *
in_dir (char        out[static 64],
        const char *dir,
        const char *name)
{
  size_t d = strlen (dir), n = strlen (name);

  if (d == 0 || d + n >= 64)
    return name;
  memcpy (out, dir, d);
  memcpy (out + d, name, n + 1);
  return out;
}

int
ph_proc_read_stat (int     pid_dirfd,
                   PhBuf  *scratch,
                   PhStat *st)
{
  return ph_proc_read_stat_in (pid_dirfd, "", scratch, st);
}

int
ph_proc_read_stat_in (int         dirfd,
                      const char *dir,
                      PhBuf      *scratch,
                      PhStat     *st)
{
  char path[64];
  int err = ph_read_proc_file_at (dirfd, in_dir (path, dir, "stat"), scratch, 0);

  if (err < 0)
    return err;
  /* A read of a dead process's stat gives nothing. */
  if (scratch->len == 0)
    return -ESRCH;
  if (!ph_proc_parse_stat (scratch->data, scratch->len, st))
    return -EINVAL;
  return 0;
}

/* readlinkat() into @buf, NUL-terminated; returns the length or -errno. */
static int
readlink_at (int         dirfd,
             const char *path,
             PhBuf      *buf)
{
  ph_buf_clear (buf);
  ph_buf_reserve (buf, 256);
  for (;;)
    {
      ssize_t n = readlinkat (dirfd, path, buf->data, buf->cap - 1);

      if (n < 0)
        return -errno;
      if ((size_t) n < buf->cap - 1)
        {
          buf->len = (size_t) n;
          buf->data[n] = '\0';
          return (int) n;
        }
      if (buf->cap > 1024 * 1024)
        return -ENAMETOOLONG;
      ph_buf_reserve (buf, buf->cap * 2);
    }
}

static bool
is_gone (int err)
{
  return err == -ENOENT || err == -ESRCH;
}

/* The value of @name in an environment block (NUL-separated NAME=VALUE), or NULL. */
static char *
environ_get (const char *env,
             size_t      len,
             const char *name)
{
  size_t nlen = strlen (name);

  for (size_t i = 0; i < len;)
    {
      const char *var = env + i;
      const char *nul = memchr (var, '\0', len - i);
      size_t n = nul != NULL ? (size_t) (nul - var) : len - i;

      i += n + 1;
      if (nul != NULL && n > nlen && memcmp (var, name, nlen) == 0 && var[nlen] == '=')
        return ph_xstrndup (var + nlen + 1, n - nlen - 1);
    }
  return NULL;
}

/* A desktop app's name and icon, from the .desktop file its session would find: in the
 * data folders of its environment, of its user's home, and of the system. Only the helper
 * can read them when Porthole runs in a Flatpak. */
static void
read_app_entry (int          pid_dirfd,
                const char  *dir,
                PhBuf       *scratch,
                PhProcFacts *f,
                bool         sandboxed)
{
  char *data_home = NULL, *data_dirs = NULL;
  char path[64];
  PhDesktopEntry entry;

  if (!ph_desktop_app_id_valid (f->cg.app_id))
    return;
  /* Another user's environment cannot be read unprivileged: then the defaults. A
   * sandboxed process's data folders are the sandbox's (/app/share), not the host's: its
   * entry is in the Flatpak exports the defaults include. */
  if (!sandboxed && ph_read_proc_file_at (pid_dirfd, in_dir (path, dir, "environ"), scratch,
                                         PH_ENVIRON_MAX) == 0
      && scratch->len > 0)
    {
      data_home = environ_get (scratch->data, scratch->len, "XDG_DATA_HOME");
      data_dirs = environ_get (scratch->data, scratch->len, "XDG_DATA_DIRS");
    }
  if (ph_desktop_entry_find (f->cg.app_id, f->uid_known ? ph_passwd_lookup_home (f->uid) : NULL,
                             data_home, data_dirs, scratch, &entry))
    {
      f->app_name = entry.name;
      f->app_icon = entry.icon;
    }
  free (data_home);
  free (data_dirs);
}

int
ph_pidfd_info (int          pidfd,
               PhPidfdInfo *info)
{
  static bool unsupported;
  struct ph_pidfd_info k;

  if (unsupported)
    return -ENOTTY;
  memset (&k, 0, sizeof k);
  k.mask = PH_PIDFD_INFO_CREDS | PH_PIDFD_INFO_CGROUPID;
  if (ioctl (pidfd, PH_PIDFD_GET_INFO, &k) < 0)
    {
      int err = errno;

      if (err != ESRCH && err != EINTR && err != EBADF)
        unsupported = true;
      return -err;
    }
  if (!(k.mask & PH_PIDFD_INFO_CREDS))
    return -ENOTTY;
  info->euid = k.euid;
  info->has_cgroup_id = (k.mask & PH_PIDFD_INFO_CGROUPID) != 0 && k.cgroupid != 0;
  info->cgroup_id = k.cgroupid;
  return 0;
}

void
ph_cgroup_cache_clear (PhCgroupCache *cache)
{
  for (size_t i = 0; i < cache->by_id.size; i++)
    free (cache->by_id.slots[i].value);
  ph_map_clear (&cache->by_id);
}

int
ph_proc_read_facts (int          pid_dirfd,
                    int32_t      pid,
                    PhBuf       *scratch,
                    PhProcFacts *f)
{
  PhStat st;
  int err = ph_proc_read_stat (pid_dirfd, scratch, &st);

  if (err < 0)
    {
      memset (f, 0, sizeof *f);
      return err;
    }
  return ph_proc_read_facts_after_stat (pid_dirfd, pid, &st, -1, scratch, f);
}

int
ph_proc_read_facts_after_stat (int           pid_dirfd,
                               int32_t       pid,
                               const PhStat *first,
                               int           pidfd,
                               PhBuf        *scratch,
                               PhProcFacts  *f)
{
  return ph_proc_read_facts_cached (pid_dirfd, pid, first, pidfd, NULL, scratch, f);
}

static int read_facts (int pid_dirfd, const char *dir, int32_t pid, const PhStat *first,
                       int pidfd, PhCgroupCache *cache, bool confirm, PhBuf *scratch,
                       PhProcFacts *f);

int
ph_proc_read_facts_cached (int            pid_dirfd,
                           int32_t        pid,
                           const PhStat  *first,
                           int            pidfd,
                           PhCgroupCache *cache,
                           PhBuf         *scratch,
                           PhProcFacts   *f)
{
  return read_facts (pid_dirfd, "", pid, first, pidfd, cache, true, scratch, f);
}

int
ph_proc_read_facts_unconfirmed (int            dirfd,
                                const char    *dir,
                                int32_t        pid,
                                const PhStat  *first,
                                int            pidfd,
                                PhCgroupCache *cache,
                                PhBuf         *scratch,
                                PhProcFacts   *f)
{
  return read_facts (dirfd, dir, pid, first, pidfd, cache, false, scratch, f);
}

static int
read_facts (int            pid_dirfd,
            const char    *dir,
            int32_t        pid,
            const PhStat  *first,
            int            pidfd,
            PhCgroupCache *cache,
            bool           confirm,
            PhBuf         *scratch,
            PhProcFacts   *f)
{
  PhStat st = *first;
  PhPidfdInfo info;
  bool has_info;
  char path[64];
  int err;

  memset (f, 0, sizeof *f);
  f->cg.manager = "none";
  f->pid = pid;
  f->start = st.start;
  f->ppid = st.ppid;
  f->comm = ph_xstrdup (st.comm);

  /* The pidfd names this very process: one ioctl () where status is three calls and the
   * kernel's longest file of a process to write. */
  has_info = pidfd >= 0 && ph_pidfd_info (pidfd, &info) == 0;
  if (has_info)
    {
      f->uid = info.euid;
      f->uid_known = true;
    }
  else
    {
      err = ph_read_proc_file_at (pid_dirfd, in_dir (path, dir, "status"), scratch, 0);
      if (is_gone (err))
        goto gone;
      if (err == 0)
        {
          uint32_t uid;

          if (ph_proc_parse_status_uid (scratch->data, scratch->len, &uid))
            {
              f->uid = uid;
              f->uid_known = true;
            }
        }
    }

  err = readlink_at (pid_dirfd, in_dir (path, dir, "exe"), scratch);
  if (err >= 0)
    f->exe = ph_xstrndup (scratch->data, scratch->len);
  err = readlink_at (pid_dirfd, in_dir (path, dir, "cwd"), scratch);
  if (err >= 0)
    f->cwd = ph_xstrndup (scratch->data, scratch->len);

  err = ph_read_proc_file_at (pid_dirfd, in_dir (path, dir, "cmdline"), scratch, PH_CMDLINE_MAX);
  if (is_gone (err))
    goto gone;
  if (err == 0)
    {
      size_t len = scratch->len;

      if (len > 0 && scratch->data[len - 1] == '\0')
        len--;
      f->cmdline = ph_xstrndup (scratch->data ? scratch->data : "", len);
      f->cmdline_len = len;
    }

  {
    const char *known = cache != NULL && has_info && info.has_cgroup_id
                        ? ph_map_get (&cache->by_id, info.cgroup_id) : NULL;

    if (known != NULL)
      f->cgroup = ph_xstrdup (known);
    else
      {
        bool by_v2 = false;
        PhPidfdInfo after;

        err = ph_read_proc_file_at (pid_dirfd, in_dir (path, dir, "cgroup"), scratch, 0);
        if (is_gone (err))
          goto gone;
        if (err == 0)
          f->cgroup = ph_cgroup_pick_path_v2 (scratch->data ? scratch->data : "", scratch->len,
                                              &by_v2);
        /* Kept for the id only if the process was in that cgroup before and after. */
        if (cache != NULL && has_info && info.has_cgroup_id && by_v2 && f->cgroup != NULL
            && ph_pidfd_info (pidfd, &after) == 0 && after.has_cgroup_id
            && after.cgroup_id == info.cgroup_id)
          ph_map_set (&cache->by_id, info.cgroup_id, ph_xstrdup (f->cgroup));
      }
  }
  ph_cgroup_parse (f->cgroup, &f->cg);
  /* A process in a Flatpak sandbox is that app's, whatever its cgroup: only a systemd user
   * session puts it in app-flatpak-<id>-<n>.scope. The sandbox's /.flatpak-info, read from
   * here through its root, names the app. A systemd unit or a container keeps its lever. */
  if (strcmp (f->cg.manager, "none") == 0 || strcmp (f->cg.manager, "app") == 0
      || strcmp (f->cg.manager, "flatpak") == 0)
    {
      char *flatpak_app = ph_flatpak_info_read_app_in (pid_dirfd, dir, scratch);

      if (flatpak_app != NULL)
        {
          free (f->cg.app_id);
          f->cg.app_id = flatpak_app;
          free (f->cg.launcher);
          f->cg.launcher = ph_xstrdup ("flatpak");
          f->cg.manager = "flatpak";
          f->sandboxed = true;
        }
    }
  if (f->cg.app_id != NULL
      && (strcmp (f->cg.manager, "app") == 0 || strcmp (f->cg.manager, "flatpak") == 0))
    read_app_entry (pid_dirfd, dir, scratch, f, f->sandboxed);

  /* Everything was read from one process instance only if it still is that instance
   * (every read went through @pid_dirfd, which never names a later process). */
  if (!confirm)
    return 0;
  if (pidfd >= 0)
    {
      struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
      int n = poll (&pfd, 1, 0);

      if (n == 0)
        return 0;
      if (n > 0)
        goto gone;
    }
  err = ph_proc_read_stat_in (pid_dirfd, dir, scratch, &st);
  if (err < 0)
    goto gone;
  return 0;

gone:
  ph_proc_facts_clear (f);
  return -ESRCH;
}

void
ph_proc_facts_clear (PhProcFacts *f)
{
  free (f->comm);
  free (f->exe);
  free (f->cwd);
  free (f->cmdline);
  free (f->cgroup);
  free (f->app_name);
  free (f->app_icon);
  ph_cgroup_info_clear (&f->cg);
  memset (f, 0, sizeof *f);
  f->cg.manager = "none";
}

static bool
str_equal (const char *a,
           const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp (a, b) == 0;
}

bool
ph_proc_facts_equal (const PhProcFacts *a,
                     const PhProcFacts *b)
{
  return a->pid == b->pid && a->start == b->start && a->ppid == b->ppid
         && a->uid_known == b->uid_known && a->uid == b->uid
         && str_equal (a->comm, b->comm) && str_equal (a->exe, b->exe)
         && str_equal (a->cwd, b->cwd) && str_equal (a->cgroup, b->cgroup)
         && str_equal (a->app_name, b->app_name) && str_equal (a->app_icon, b->app_icon)
         && a->sandboxed == b->sandboxed && str_equal (a->cg.app_id, b->cg.app_id)
         && (a->cmdline == NULL) == (b->cmdline == NULL)
         && a->cmdline_len == b->cmdline_len
         && (a->cmdline == NULL || memcmp (a->cmdline, b->cmdline, a->cmdline_len) == 0);
}

void
ph_proc_facts_write (const PhProcFacts *f,
                     PhBuf             *out)
{
  ph_rec_start (out, PH_RECORD_PROC);
  ph_rec_i64 (out, PH_KEY_PID, f->pid);
  ph_rec_u64 (out, PH_KEY_START, f->start);
  ph_rec_i64 (out, PH_KEY_PPID, f->ppid);
  if (f->uid_known)
    {
      ph_rec_u64 (out, PH_KEY_UID, f->uid);
      ph_rec_str (out, PH_KEY_USER, ph_passwd_lookup (f->uid));
    }
  ph_rec_str (out, PH_KEY_COMM, f->comm);
  ph_rec_str (out, PH_KEY_EXE, f->exe);
  ph_rec_str (out, PH_KEY_CWD, f->cwd);
  ph_rec_mem (out, PH_KEY_CMDLINE, f->cmdline, f->cmdline_len);
  ph_rec_str (out, PH_KEY_CGROUP, f->cgroup);
  ph_rec_str (out, PH_KEY_MANAGER, f->cg.manager);
  ph_rec_str (out, PH_KEY_UNIT, f->cg.unit);
  ph_rec_str (out, PH_KEY_APP_ID, f->cg.app_id);
  ph_rec_str (out, PH_KEY_LAUNCHER, f->cg.launcher);
  ph_rec_str (out, PH_KEY_CONTAINER, f->cg.container);
  ph_rec_str (out, PH_KEY_CONTAINER_KIND, f->cg.container_kind);
  ph_rec_str (out, PH_KEY_SLICE, f->cg.slice);
  ph_rec_str (out, PH_KEY_APP_NAME, f->app_name);
  ph_rec_str (out, PH_KEY_APP_ICON, f->app_icon);
  ph_rec_end (out);
}

int
ph_proc_holds_inode (int      pid_dirfd,
                     uint64_t inode)
{
  char dents[8192];
  char link[64];
  int fdd = openat (pid_dirfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int found = 0;

  if (fdd < 0)
    return -errno;
  for (;;)
    {
      ssize_t n = getdents64 (fdd, dents, sizeof dents);

      if (n < 0)
        {
          found = -errno;
          break;
        }
      if (n == 0)
        break;
      for (ssize_t off = 0; off < n;)
        {
          struct dirent64 *d = (struct dirent64 *) (void *) (dents + off);
          ssize_t l;
          uint64_t ino;

          off += d->d_reclen;
          if (d->d_name[0] == '.')
            continue;
          l = readlinkat (fdd, d->d_name, link, sizeof link - 1);
          if (l <= 0)
            continue;
          if (ph_parse_socket_link (link, (size_t) l, &ino) && ino == inode)
            found = 1;
        }
      if (found)
        break;
    }
  close (fdd);
  return found;
}

size_t
ph_proc_find_holders (int        proc_fd,
                      uint64_t   inode,
                      PhHolder **holders,
                      size_t    *unreadable)
{
  char dents[8192];
  char fd_dents[8192];
  char link[64];
  size_t n_holders = 0, cap = 0;
  int dirfd = openat (proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  PhBuf scratch = PH_BUF_INIT;

  *holders = NULL;
  *unreadable = 0;
  if (dirfd < 0)
    return 0;
  for (;;)
    {
      ssize_t n = getdents64 (dirfd, dents, sizeof dents);

      if (n <= 0)
        break;
      for (ssize_t off = 0; off < n;)
        {
          struct dirent64 *d = (struct dirent64 *) (void *) (dents + off);
          int32_t pid;
          int pfd, fdd;
          size_t first = n_holders;
          PhStat st;

          off += d->d_reclen;
          if (!ph_proc_name_to_pid (d->d_name, &pid))
            continue;
          pfd = openat (proc_fd, d->d_name, O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (pfd < 0)
            continue;
          fdd = openat (pfd, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          if (fdd < 0)
            {
              if (errno == EACCES || errno == EPERM)
                (*unreadable)++;
              close (pfd);
              continue;
            }
          for (;;)
            {
              ssize_t m = getdents64 (fdd, fd_dents, sizeof fd_dents);

              if (m <= 0)
                break;
              for (ssize_t o = 0; o < m;)
                {
                  struct dirent64 *e = (struct dirent64 *) (void *) (fd_dents + o);
                  ssize_t l;
                  uint64_t ino;
                  int32_t fdnum;

                  o += e->d_reclen;
                  if (!ph_parse_fd_name (e->d_name, &fdnum))
                    continue;
                  l = readlinkat (fdd, e->d_name, link, sizeof link - 1);
                  if (l <= 0 || !ph_parse_socket_link (link, (size_t) l, &ino) || ino != inode)
                    continue;
                  if (n_holders == cap)
                    {
                      cap = cap ? cap * 2 : 8;
                      *holders = ph_xrealloc (*holders, cap * sizeof **holders);
                    }
                  (*holders)[n_holders].pid = pid;
                  (*holders)[n_holders].fd = fdnum;
                  (*holders)[n_holders].start = 0;
                  n_holders++;
                }
            }
          close (fdd);
          if (n_holders > first)
            {
              /* Read after the fds, through the same directory: a process that went
               * away in between is dropped, never reported under a reused PID. */
              if (ph_proc_read_stat (pfd, &scratch, &st) < 0)
                n_holders = first;
              else
                for (size_t i = first; i < n_holders; i++)
                  (*holders)[i].start = st.start;
            }
          close (pfd);
        }
    }
  close (dirfd);
  ph_buf_free (&scratch);
  return n_holders;
}
