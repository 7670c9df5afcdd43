/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table-iter.c — which processes hold our sockets, from the kernel's task_file iterator */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ph-sock-table-private.h"

/*
 * Why: a first snapshot reads the link of every open file of every process (one
 * readlinkat () each, as ss -p does), though few processes hold a listening socket. The
 * kernel can list the sockets of every process itself: a BPF program of the task_file
 * iterator (Linux 5.8 and later) is run once per open file and writes (PID, inode) for
 * each socket. Only the processes it names as holding one of the table's sockets are then
 * looked at: their pidfds opened, their start times and facts read through /proc/PID; then
 * the iterator runs again (the same program, through the same link: no second load), and
 * only a process whose PID the second run saw on the same fds, and whose pidfd still
 * names a live process after it, is their holder. One run alone never tells who holds
 * what: what it saw may be stale by then (the fd closed or moved, the PID another
 * process's), and a process whose fds differ between the runs is walked in full, as
 * without it (walk_new_processes () in ph-sock-table-owners.c); each fd is read again in
 * /proc instead (walk_process_fds ()) when the second run fails. Two runs cost less than
 * one readlinkat () per socket: at 20,000 sockets, ~13 ms each against ~100 ms. Anything
 * short of a complete first run (no BPF rights, CONFIG_DEBUG_INFO_BTF off, a verifier that
 * says no, a read that fails) makes the caller walk every process, as before.
 *
 * The program needs the offsets of a few fields of the running kernel's structures, read
 * from its BTF (/sys/kernel/btf/vmlinux, some MB, read in pieces so that the helper stays
 * small). The iterator lists the tasks of the PID namespace of whoever created it (ours,
 * the one our /proc shows: the caller checks) and gives each task's PIDs from the
 * system's first namespace down; a socket we open for the purpose tells which of them is
 * ours (the one /proc shows) and that what it says is true. Threads that have files of
 * their own are not a /proc/PID/fd: left out, as the walk leaves them.
 */

#define BTF_MAGIC        0xeB9F
#define BTF_KIND_STRUCT  4
#define BTF_KIND_FUNC    12
#define BTF_KIND_MAX     19
#define CHUNK            (64 * 1024)

enum
{
  NAME_ITER_FN, NAME_FILE, NAME_F_INODE, NAME_INODE, NAME_I_MODE, NAME_I_INO, NAME_TASK,
  NAME_PID, NAME_TGID, NAME_THREAD_PID, NAME_PID_STRUCT, NAME_LEVEL, NAME_NUMBERS, NAME_UPID,
  NAME_NR, N_NAMES
};

static const char *const names[N_NAMES] = {
  "bpf_iter_task_file", "file", "f_inode", "inode", "i_mode", "i_ino", "task_struct",
  "pid", "tgid", "thread_pid", "pid", "level", "numbers", "upid", "nr",
};

typedef struct
{
  int      fd;
  uint32_t str_base, str_len, types_base, types_len;
  uint32_t name_off[N_NAMES];   /* where each name is in the string section, or ~0 */
  size_t   name_len[N_NAMES];
  uint32_t fn_id;
  uint32_t upid_size;           /* sizeof (struct upid) */
  long     off[N_NAMES];        /* member offsets in bytes, -1 until found */
  bool     bad;                 /* a structure was found twice with another layout */
  const char *map;              /* the whole file mapped (Linux 6.16 and later), or NULL */
  size_t   map_len;
  char    *buf;
  size_t   cap;
  uint64_t buf_start;
  size_t   buf_len;
} Btf;

/* Makes [@at, @at + @len) of the file readable at btf->buf + (@at - buf_start). */
static const char *
btf_at (Btf     *btf,
        uint64_t at,
        size_t   len)
{
  ssize_t n;

  if (btf->map != NULL)
    return at <= btf->map_len && len <= btf->map_len - at ? btf->map + at : NULL;
  if (at >= btf->buf_start && at + len <= btf->buf_start + btf->buf_len)
    return btf->buf + (at - btf->buf_start);
  if (len > btf->cap)
    {
      if (len > 16 * 1024 * 1024)
        return NULL;
      btf->cap = len;
      btf->buf = ph_xrealloc (btf->buf, btf->cap);
    }
  /* sysfs gives at most a page per read. */
  btf->buf_start = at;
  btf->buf_len = 0;
  while (btf->buf_len < btf->cap)
    {
      n = pread (btf->fd, btf->buf + btf->buf_len, btf->cap - btf->buf_len,
                 (off_t) (at + btf->buf_len));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      btf->buf_len += (size_t) n;
    }
  return btf->buf_len >= len ? btf->buf : NULL;
}

/* Whether the string at @off of the string section is names[@i]: compared in place when
 * the file is mapped, else by the offset btf_find_names () found. */
static bool
name_is (const Btf *btf,
         uint32_t   off,
         int        i)
{
  const char *s;

  if (btf->map == NULL)
    return off == btf->name_off[i];
  /* The first byte first: most names differ there (some 70,000 types are looked at). */
  if (off >= btf->str_len || btf->name_len[i] >= btf->str_len - off)
    return false;
  s = btf->map + btf->str_base + off;
  return s[0] == names[i][0] && memcmp (s, names[i], btf->name_len[i] + 1) == 0;
}

/* The offsets in the string section of the names we need: every string there starts
 * after a NUL. Kernel BTF holds each string once; a name found twice makes us give up. */
static bool
btf_find_names (Btf     *btf,
                uint32_t str_len)
{
  uint64_t at = 0;

  for (int i = 0; i < N_NAMES; i++)
    btf->name_off[i] = UINT32_MAX;
  while (at < str_len)
    {
      size_t want = str_len - at < CHUNK ? (size_t) (str_len - at) : CHUNK;
      const char *p = btf_at (btf, btf->str_base + at, want);
      const char *end, *nul;

      if (p == NULL)
        return false;
      end = p + want;
      /* Only whole strings in this piece; the last one, cut, starts the next piece. */
      for (const char *s = p; s < end; s = nul + 1)
        {
          nul = memchr (s, '\0', (size_t) (end - s));
          if (nul == NULL)
            {
              if (s == p)
                return false;   /* a string longer than a piece */
              want = (size_t) (s - p);
              break;
            }
          if (nul - s < 2 || nul - s > 18)   /* "nr" .. "bpf_iter_task_file" */
            continue;
          for (int i = 0; i < N_NAMES; i++)
            if (s[0] == names[i][0] && (size_t) (nul - s) == strlen (names[i])
                && memcmp (s, names[i], (size_t) (nul - s)) == 0)
              {
                if (btf->name_off[i] != UINT32_MAX)
                  return false;
                btf->name_off[i] = (uint32_t) (at + (uint64_t) (s - p));
              }
        }
      at += want;
    }
  for (int i = 0; i < N_NAMES; i++)
    if (btf->name_off[i] == UINT32_MAX)
      return false;
  return true;
}

/* The size of a type's record, 0 for a kind this code does not know. */
static size_t
btf_type_size (uint32_t info)
{
  uint32_t vlen = info & 0xffff;

  if (((info >> 24) & 0x1f) > BTF_KIND_MAX)
    return 0;
  switch ((info >> 24) & 0x1f)
    {
    case 1: case 14: case 17: return 12 + 4;            /* INT, VAR, DECL_TAG */
    case 3: return 12 + 12;                              /* ARRAY */
    case 4: case 5: case 15: case 19: return 12 + 12 * (size_t) vlen;  /* STRUCT, UNION,
                                                            DATASEC, ENUM64 */
    case 6: case 13: return 12 + 8 * (size_t) vlen;      /* ENUM, FUNC_PROTO */
    default: return 12;
    }
}

/* Offset in bytes of member @member of the structure at @t, or -1. */
static long
btf_member (Btf        *btf,
            const char *t,
            int         member)
{
  uint32_t info, vlen;

  memcpy (&info, t + 4, 4);
  vlen = info & 0xffff;
  for (uint32_t i = 0; i < vlen; i++)
    {
      uint32_t m[3];

      memcpy (m, t + 12 + 12 * (size_t) i, sizeof m);
      if (name_is (btf, m[0], member))
        {
          uint32_t bits = (info >> 31) ? (m[2] & 0xffffff) : m[2];

          return bits % 8 == 0 ? (long) (bits / 8) : -1;
        }
    }
  return -1;
}

static void
btf_set (Btf *btf,
         int  member,
         long off)
{
  if (btf->off[member] >= 0 && btf->off[member] != off)
    btf->bad = true;
  btf->off[member] = off;
}

/* One pass over the type section: the iterator's function and the members we read. */
static bool
btf_find_types (Btf *btf)
{
  uint64_t at = 0;
  uint32_t id = 1;

  for (int i = 0; i < N_NAMES; i++)
    btf->off[i] = -1;
  btf->fn_id = 0;
  for (; at + 12 <= btf->types_len; id++)
    {
      /* Mapped: read in place (bounds checked once, in read_btf ()). */
      const char *t = btf->map != NULL ? btf->map + btf->types_base + at
                                       : btf_at (btf, btf->types_base + at, 12);
      uint32_t name, info, kind;
      size_t size;

      if (t == NULL)
        return false;
      memcpy (&name, t, 4);
      memcpy (&info, t + 4, 4);
      kind = (info >> 24) & 0x1f;
      size = btf_type_size (info);
      if (size == 0)
        return false;
      if (kind == BTF_KIND_FUNC && name_is (btf, name, NAME_ITER_FN))
        {
          if (btf->fn_id != 0)
            btf->bad = true;
          btf->fn_id = id;
        }
      if (kind == BTF_KIND_STRUCT
          && (name_is (btf, name, NAME_FILE) || name_is (btf, name, NAME_INODE)
              || name_is (btf, name, NAME_TASK) || name_is (btf, name, NAME_PID_STRUCT)
              || name_is (btf, name, NAME_UPID)))
        {
          t = btf_at (btf, btf->types_base + at, size);
          if (t == NULL)
            return false;
          if (name_is (btf, name, NAME_FILE))
            btf_set (btf, NAME_F_INODE, btf_member (btf, t, NAME_F_INODE));
          else if (name_is (btf, name, NAME_INODE))
            {
              btf_set (btf, NAME_I_MODE, btf_member (btf, t, NAME_I_MODE));
              btf_set (btf, NAME_I_INO, btf_member (btf, t, NAME_I_INO));
            }
          else if (name_is (btf, name, NAME_TASK))
            {
              btf_set (btf, NAME_PID, btf_member (btf, t, NAME_PID));
              btf_set (btf, NAME_TGID, btf_member (btf, t, NAME_TGID));
              btf_set (btf, NAME_THREAD_PID, btf_member (btf, t, NAME_THREAD_PID));
            }
          else if (name_is (btf, name, NAME_PID_STRUCT))
            {
              btf_set (btf, NAME_LEVEL, btf_member (btf, t, NAME_LEVEL));
              btf_set (btf, NAME_NUMBERS, btf_member (btf, t, NAME_NUMBERS));
            }
          else
            {
              uint32_t struct_size;

              memcpy (&struct_size, t + 8, 4);
              if (btf->upid_size != 0 && btf->upid_size != struct_size)
                btf->bad = true;
              btf->upid_size = struct_size;
              btf_set (btf, NAME_NR, btf_member (btf, t, NAME_NR));
            }
        }
      at += size;
    }
  if (btf->bad || btf->fn_id == 0 || btf->upid_size == 0)
    return false;
  for (int i = NAME_F_INODE; i < N_NAMES; i++)
    if (i != NAME_FILE && i != NAME_INODE && i != NAME_TASK && i != NAME_PID_STRUCT
        && i != NAME_UPID && btf->off[i] < 0)
      return false;
  return true;
}

/* Reads what the program needs from the kernel's BTF; false when it cannot. */
static bool
read_btf (Btf *btf)
{
  struct
  {
    uint16_t magic;
    uint8_t  version, flags;
    uint32_t hdr_len, type_off, type_len, str_off, str_len;
  } h;
  bool ok;

  struct stat st;
  const char *head;
  void *map;

  memset (btf, 0, sizeof *btf);
  btf->fd = open ("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
  if (btf->fd < 0)
    return false;
  /* Mapped where the kernel lets us (its own pages, not counted as ours), else read in
   * pieces. */
  if (fstat (btf->fd, &st) == 0 && st.st_size > 0
      && (map = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, btf->fd, 0))
         != MAP_FAILED)
    {
      btf->map = map;
      btf->map_len = (size_t) st.st_size;
    }
  else
    {
      btf->cap = CHUNK;
      btf->buf = ph_xmalloc (btf->cap);
    }
  head = btf_at (btf, 0, sizeof h);
  if (head != NULL)
    memcpy (&h, head, sizeof h);
  ok = head != NULL && h.magic == BTF_MAGIC && h.hdr_len >= sizeof h;
  if (ok)
    {
      btf->str_base = h.hdr_len + h.str_off;
      btf->str_len = h.str_len;
      btf->types_base = h.hdr_len + h.type_off;
      btf->types_len = h.type_len;
      for (int i = 0; i < N_NAMES; i++)
        btf->name_len[i] = strlen (names[i]);
      ok = (btf->map != NULL ? btf_at (btf, btf->str_base, btf->str_len) != NULL
                               && btf_at (btf, btf->types_base, btf->types_len) != NULL
                             : btf_find_names (btf, h.str_len))
           && btf_find_types (btf);
    }
  if (btf->map != NULL)
    munmap ((void *) btf->map, btf->map_len);
  free (btf->buf);
  close (btf->fd);
  return ok;
}

static struct bpf_insn
insn (uint8_t code,
      int     dst,
      int     src,
      long    off,
      int32_t imm)
{
  return (struct bpf_insn) { .code = code, .dst_reg = (uint8_t) dst & 0xf,
                             .src_reg = (uint8_t) src & 0xf, .off = (int16_t) off, .imm = imm };
}

#define LDX(size)  (BPF_LDX | BPF_MEM | (size))
#define STX(size)  (BPF_STX | BPF_MEM | (size))

/* A record of the program: a socket and its holder's PIDs, in each namespace from the
 * system's first (level 0) down to the holder's own (level), the first MAX_LEVELS. */
#define MAX_LEVELS 4
typedef struct
{
  uint64_t ino;
  uint32_t level;
  uint32_t nr[MAX_LEVELS];
  uint32_t fd;
} Record;

/* For each open file of each task: when it is a socket and the task is its thread
 * group's leader, write a Record. The context is struct bpf_iter__task_file: meta at 0,
 * task at 8, fd at 16, file at 24. */
static size_t
build_program (const Btf       *btf,
               struct bpf_insn *p)
{
  size_t n = 0, to_exit[8], n_exit = 0, to_done[MAX_LEVELS], n_done = 0;
  long base = -(long) sizeof (Record);

  p[n++] = insn (BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
  p[n++] = insn (LDX (BPF_DW), 2, 6, 24, 0);                       /* file */
  to_exit[n_exit++] = n;
  p[n++] = insn (BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 0, 0);
  p[n++] = insn (LDX (BPF_DW), 3, 6, 8, 0);                        /* task */
  to_exit[n_exit++] = n;
  p[n++] = insn (BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 0, 0);
  p[n++] = insn (LDX (BPF_DW), 4, 2, btf->off[NAME_F_INODE], 0);   /* file->f_inode */
  to_exit[n_exit++] = n;
  p[n++] = insn (BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 0, 0);
  p[n++] = insn (LDX (BPF_H), 5, 4, btf->off[NAME_I_MODE], 0);
  p[n++] = insn (BPF_ALU64 | BPF_AND | BPF_K, 5, 0, 0, 0xf000);
  to_exit[n_exit++] = n;
  p[n++] = insn (BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, 0xc000);      /* S_IFSOCK */
  p[n++] = insn (LDX (BPF_W), 8, 3, btf->off[NAME_TGID], 0);
  p[n++] = insn (LDX (BPF_W), 9, 3, btf->off[NAME_PID], 0);
  to_exit[n_exit++] = n;
  p[n++] = insn (BPF_JMP | BPF_JNE | BPF_X, 8, 9, 0, 0);           /* not the leader */
  p[n++] = insn (LDX (BPF_DW), 9, 3, btf->off[NAME_THREAD_PID], 0);
  to_exit[n_exit++] = n;
  p[n++] = insn (BPF_JMP | BPF_JEQ | BPF_K, 9, 0, 0, 0);
  for (long off = 0; off < (long) sizeof (Record); off += 8)       /* all of it written */
    p[n++] = insn (BPF_ST | BPF_MEM | BPF_DW, 10, 0, base + off, 0);
  p[n++] = insn (LDX (BPF_DW), 7, 4, btf->off[NAME_I_INO], 0);
  p[n++] = insn (STX (BPF_DW), 10, 7, base + (long) offsetof (Record, ino), 0);
  p[n++] = insn (LDX (BPF_W), 8, 6, 16, 0);                        /* fd */
  p[n++] = insn (STX (BPF_W), 10, 8, base + (long) offsetof (Record, fd), 0);
  p[n++] = insn (LDX (BPF_W), 5, 9, btf->off[NAME_LEVEL], 0);      /* thread_pid->level */
  p[n++] = insn (STX (BPF_W), 10, 5, base + (long) offsetof (Record, level), 0);
  for (int k = 0; k < MAX_LEVELS; k++)
    {
      /* numbers[k].nr, only where the PID has that level */
      if (k > 0)
        {
          to_done[n_done++] = n;
          p[n++] = insn (BPF_JMP | BPF_JLT | BPF_K, 5, 0, 0, k);
        }
      p[n++] = insn (LDX (BPF_W), 8, 9,
                     btf->off[NAME_NUMBERS] + (long) btf->upid_size * k + btf->off[NAME_NR], 0);
      p[n++] = insn (STX (BPF_W), 10, 8, base + (long) offsetof (Record, nr) + 4L * k, 0);
    }
  for (size_t i = 0; i < n_done; i++)
    p[to_done[i]].off = (int16_t) (n - to_done[i] - 1);
  p[n++] = insn (LDX (BPF_DW), 1, 6, 0, 0);                        /* meta */
  p[n++] = insn (LDX (BPF_DW), 1, 1, 0, 0);                        /* meta->seq */
  p[n++] = insn (BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
  p[n++] = insn (BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, (int32_t) base);
  p[n++] = insn (BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, (int32_t) sizeof (Record));
  p[n++] = insn (BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_seq_write);
  for (size_t i = 0; i < n_exit; i++)
    p[to_exit[i]].off = (int16_t) (n - to_exit[i] - 1);
  p[n++] = insn (BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
  p[n++] = insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
  return n;
}

/* Room for more IterFds: mapped and grown apart from the heap (a 20,000-socket snapshot
 * holds 320 KB of them for a moment, which malloc () would keep). */
static bool
grow_found (IterFd **found,
            size_t  *cap)
{
  size_t want = *cap ? *cap * 2 : 4096;
  void *p = *found == NULL
            ? mmap (NULL, want * sizeof (IterFd), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            : mremap (*found, *cap * sizeof (IterFd), want * sizeof (IterFd), MREMAP_MAYMOVE);

  if (p == MAP_FAILED)
    return false;
  *found = p;
  *cap = want;
  return true;
}

static int
sys_bpf (int              cmd,
         union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

/* Runs the program and fills @holders with every fd that holds a socket of the table. True
 * only when the iterator ran to its end and named us as the holder of a socket we opened
 * for that check: that record tells our namespace's level (which /proc does not: its NSpid
 * starts at its own namespace), whose PIDs are those of /proc, and that the inodes are
 * those of fstat (). As every task it lists is in our namespace or below, our level is the
 * lowest of all; each fd is kept with the PID at the lowest level seen so far (the first
 * tasks, our namespace's first processes, are at ours), and the run counts only if that
 * was ours for every fd kept. */
/* Loads the program and links it to the task_file iterator: the link, or -1. An iterator
 * made from the link runs it once (run_iterator ()); one link serves several runs. */
static int
link_iterator (const Btf *btf)
{
  struct bpf_insn prog[80];
  union bpf_attr attr;
  int prog_fd, link_fd = -1;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_TRACING;
  attr.insn_cnt = (uint32_t) build_program (btf, prog);
  attr.insns = (uint64_t) (uintptr_t) prog;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  attr.expected_attach_type = BPF_TRACE_ITER;
  attr.attach_btf_id = btf->fn_id;
  prog_fd = sys_bpf (BPF_PROG_LOAD, &attr);
  if (prog_fd >= 0)
    {
      memset (&attr, 0, sizeof attr);
      attr.link_create.prog_fd = (uint32_t) prog_fd;
      attr.link_create.attach_type = BPF_TRACE_ITER;
      link_fd = sys_bpf (BPF_LINK_CREATE, &attr);
      close (prog_fd);   /* the link holds it */
    }
  return link_fd;
}

static bool
run_iterator (PhSockTable *table,
              int          link_fd,
              IterHolders *holders)
{
  union bpf_attr attr;
  int iter_fd = -1, probe;
  struct stat probe_st;
  uint32_t self = (uint32_t) getpid (), level = UINT32_MAX, lowest = UINT32_MAX;
  IterFd *found = NULL;
  size_t n_found = 0, cap_found = 0;
  char *buf;
  ssize_t got = -1;
  bool ok = false, bad = false;

  probe = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe < 0 || fstat (probe, &probe_st) < 0)
    {
      if (probe >= 0)
        close (probe);
      return false;
    }
  if (link_fd >= 0)
    {
      memset (&attr, 0, sizeof attr);
      attr.iter_create.link_fd = (uint32_t) link_fd;
      iter_fd = sys_bpf (BPF_ITER_CREATE, &attr);
    }
  if (iter_fd >= 0)
    {
      buf = ph_xmalloc (CHUNK);
      while (!bad)
        {
          got = read (iter_fd, buf, CHUNK);
          /* EAGAIN: a million files went by without a socket; the next read goes on. */
          if (got < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
          if (got <= 0)
            break;
          for (size_t off = 0; !bad && off + sizeof (Record) <= (size_t) got;
               off += sizeof (Record))
            {
              Record r;

              memcpy (&r, buf + off, sizeof r);
              /* A task deeper than MAX_LEVELS has its first PIDs only: not ours. */
              if (r.level < MAX_LEVELS && r.ino == (uint64_t) probe_st.st_ino
                  && r.nr[r.level] == self)
                level = r.level;
              if (r.level < lowest && r.level < MAX_LEVELS)
                {
                  /* The fds kept so far have the PIDs of a level below ours. */
                  bad = n_found > 0;
                  lowest = r.level;
                }
              if (ph_map_get (&table->socks, r.ino) == NULL)
                continue;
              if (lowest == UINT32_MAX || r.nr[lowest] == 0 || r.nr[lowest] > INT32_MAX
                  || r.fd > INT32_MAX
                  || (n_found == cap_found && !grow_found (&found, &cap_found)))
                {
                  bad = true;
                  break;
                }
              found[n_found++] = (IterFd) { (int32_t) r.nr[lowest], (int32_t) r.fd, r.ino };
            }
        }
      free (buf);
      close (iter_fd);
    }
  /* The end (0), not an error: only a complete run tells who holds nothing. */
  ok = !bad && got == 0 && level != UINT32_MAX && level == lowest;
  for (size_t i = 0; ok && i < n_found; i++)
    {
      if (ph_map_get (&holders->first, (uint64_t) found[i].pid) == NULL)
        ph_map_set (&holders->first, (uint64_t) found[i].pid, (void *) (uintptr_t) (i + 1));
      /* A task's files come one after the other; anything else is not understood. */
      else if (found[i - 1].pid != found[i].pid)
        ok = false;
    }
  if (ok && n_found > 0)
    {
      holders->fds = found;
      holders->n_fds = n_found;
      holders->mapped = cap_found * sizeof (IterFd);
    }
  else if (found != NULL)
    munmap (found, cap_found * sizeof (IterFd));
  close (probe);
  return ok;
}

bool
ph_sock_table_iterator_usable (PhSockTable *table)
{
  /* Our /proc must show our own namespace (the one the iterator lists), and BPF needs
   * rights (CAP_BPF and CAP_PERFMON) that only root has here. Tried once: what failed
   * fails again. */
  return !table->iter_failed && table->own_pidns && table->proc_fd >= 0 && geteuid () == 0;
}

bool
ph_sock_table_find_holders_by_iterator (PhSockTable *table,
                                        IterHolders *holders)
{
  Btf btf;

  if (!ph_sock_table_iterator_usable (table))
    return false;
  if (!read_btf (&btf) || (holders->link_fd = link_iterator (&btf)) < 0
      || !run_iterator (table, holders->link_fd, holders))
    {
      table->iter_failed = true;
      ph_sock_table_iter_holders_clear (holders);
      return false;
    }
  table->iter_runs++;
  if (table->iter_hook != NULL)
    table->iter_hook (table->iter_hook_data);
  return true;
}

bool
ph_sock_table_find_holders_again (PhSockTable       *table,
                                  const IterHolders *first,
                                  IterHolders       *again)
{
  if (first->link_fd < 0 || table->iter_again_fails
      || !run_iterator (table, first->link_fd, again))
    {
      ph_sock_table_iter_holders_clear (again);
      return false;
    }
  if (table->iter_again_hook != NULL)
    table->iter_again_hook (table->iter_again_hook_data);
  return true;
}

void
ph_sock_table_iter_holders_clear (IterHolders *holders)
{
  if (holders->link_fd >= 0)
    close (holders->link_fd);
  holders->link_fd = -1;
  ph_map_clear (&holders->first);
  if (holders->fds != NULL)
    munmap (holders->fds, holders->mapped);
  holders->fds = NULL;
  holders->n_fds = 0;
  holders->mapped = 0;
}

void
ph_sock_table_set_iterator_hook (PhSockTable *table,
                                 void       (*hook) (void *data),
                                 void        *data)
{
  table->iter_hook = hook;
  table->iter_hook_data = data;
}

unsigned
ph_sock_table_iterator_stale (PhSockTable *table)
{
  return table->iter_stale;
}

void
ph_sock_table_set_iterator_again_fails (PhSockTable *table,
                                        bool         fails)
{
  table->iter_again_fails = fails;
}

unsigned
ph_sock_table_iterator_reread (PhSockTable *table)
{
  return table->iter_reread;
}

void
ph_sock_table_set_iterator_again_hook (PhSockTable *table,
                                       void       (*hook) (void *data),
                                       void        *data)
{
  table->iter_again_hook = hook;
  table->iter_again_hook_data = data;
}
