/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-buf.h — a growable byte buffer and small file helpers for the libc-only scanner */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct
{
  char   *data;   /* always NUL-terminated when non-NULL */
  size_t  len;
  size_t  cap;
} PhBuf;

#define PH_BUF_INIT { NULL, 0, 0 }

void   ph_buf_reserve   (PhBuf *buf, size_t extra);
void   ph_buf_append    (PhBuf *buf, const void *data, size_t len);
void   ph_buf_append_c  (PhBuf *buf, char c);
void   ph_buf_append_s  (PhBuf *buf, const char *s);
void   ph_buf_append_u64 (PhBuf *buf, uint64_t v);
/* Writes @v in decimal at @out (at most 20 bytes, no NUL); returns where it ended. */
char  *ph_put_u64 (char *out, uint64_t v);
void   ph_buf_append_i64 (PhBuf *buf, int64_t v);
void   ph_buf_clear     (PhBuf *buf);
void   ph_buf_free      (PhBuf *buf);

void  *ph_xmalloc       (size_t size);
void  *ph_xcalloc       (size_t n, size_t size);
void  *ph_xrealloc      (void *p, size_t size);
char  *ph_xstrndup      (const char *s, size_t len);
char  *ph_xstrdup       (const char *s);

/* Reads a whole (small, /proc-like) file relative to @dirfd into @buf, replacing its
 * contents. Returns 0, or -errno (ENOENT and ESRCH mean the process went away). */
int    ph_read_file_at  (int dirfd, const char *path, PhBuf *buf, size_t max);
/* The same for a /proc file the kernel makes in one piece (a single_open seq file such as
 * stat, status or cgroup; cmdline; environ): a read shorter than asked is its end, so the
 * read that would return 0 is not made. Not for files made record by record
 * (/proc/net/tcp), whose reads stop short at a record that does not fit. */
int    ph_read_proc_file_at (int dirfd, const char *path, PhBuf *buf, size_t max);

bool   ph_parse_u64     (const char *s, const char **end, uint64_t *out);
uint64_t ph_now_us      (void);
