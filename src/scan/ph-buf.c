/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-buf.c — growable buffers and small file helpers */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ph-buf.h"

void *
ph_xmalloc (size_t size)
{
  void *p = malloc (size ? size : 1);

  /* The helper is small and short of nothing but memory here; there is no sane way on. */
  if (p == NULL)
    {
      fputs ("porthole-helper: out of memory\n", stderr);
      abort ();
    }
  return p;
}

void *
ph_xcalloc (size_t n,
            size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);

  if (p == NULL)
    {
      fputs ("porthole-helper: out of memory\n", stderr);
      abort ();
    }
  return p;
}

void *
ph_xrealloc (void   *p,
             size_t  size)
{
  p = realloc (p, size ? size : 1);
  if (p == NULL)
    {
      fputs ("porthole-helper: out of memory\n", stderr);
      abort ();
    }
  return p;
}

char *
ph_xstrndup (const char *s,
             size_t      len)
{
  char *p = ph_xmalloc (len + 1);

  memcpy (p, s, len);
  p[len] = '\0';
  return p;
}

char *
ph_xstrdup (const char *s)
{
  return s ? ph_xstrndup (s, strlen (s)) : NULL;
}

void
ph_buf_reserve (PhBuf  *buf,
                size_t  extra)
{
  size_t need = buf->len + extra + 1;

  if (need <= buf->cap)
    return;
  if (buf->cap == 0)
    buf->cap = 64;
  while (buf->cap < need)
    buf->cap *= 2;
  buf->data = ph_xrealloc (buf->data, buf->cap);
  buf->data[buf->len] = '\0';
}

void
ph_buf_append (PhBuf      *buf,
               const void *data,
               size_t      len)
{
  ph_buf_reserve (buf, len);
  if (len > 0)
    memcpy (buf->data + buf->len, data, len);
  buf->len += len;
  buf->data[buf->len] = '\0';
}

void
ph_buf_append_c (PhBuf *buf,
                 char   c)
{
  ph_buf_reserve (buf, 1);
  buf->data[buf->len++] = c;
  buf->data[buf->len] = '\0';
}

void
ph_buf_append_s (PhBuf      *buf,
                 const char *s)
{
  ph_buf_append (buf, s, strlen (s));
}

char *
ph_put_u64 (char     *out,
            uint64_t  v)
{
  static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
  char tmp[24];
  char *o = tmp + sizeof tmp;
  size_t n;

  /* Two digits per division: inodes, start times and ports are most of a snapshot. */
  while (v >= 100)
    {
      unsigned d = (unsigned) (v % 100) * 2;

      v /= 100;
      *--o = pairs[d + 1];
      *--o = pairs[d];
    }
  if (v >= 10)
    {
      *--o = pairs[v * 2 + 1];
      *--o = pairs[v * 2];
    }
  else
    *--o = (char) ('0' + v);
  n = (size_t) (tmp + sizeof tmp - o);
  memcpy (out, o, n);
  return out + n;
}

void
ph_buf_append_u64 (PhBuf    *buf,
                   uint64_t  v)
{
  if (buf->len + 21 > buf->cap)
    ph_buf_reserve (buf, 20);
  buf->len = (size_t) (ph_put_u64 (buf->data + buf->len, v) - buf->data);
  buf->data[buf->len] = '\0';
}

void
ph_buf_append_i64 (PhBuf   *buf,
                   int64_t  v)
{
  if (v < 0)
    {
      ph_buf_append_c (buf, '-');
      ph_buf_append_u64 (buf, (uint64_t) 0 - (uint64_t) v);
    }
  else
    {
      ph_buf_append_u64 (buf, (uint64_t) v);
    }
}

void
ph_buf_clear (PhBuf *buf)
{
  buf->len = 0;
  if (buf->data != NULL)
    buf->data[0] = '\0';
}

void
ph_buf_free (PhBuf *buf)
{
  free (buf->data);
  buf->data = NULL;
  buf->len = buf->cap = 0;
}

static int
read_file_at (int         dirfd,
              const char *path,
              PhBuf      *buf,
              size_t      max,
              bool        one_piece)
{
  int fd;
  int err = 0;

  ph_buf_clear (buf);
  fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return -errno;
  for (;;)
    {
      ssize_t n;
      size_t room;

      ph_buf_reserve (buf, 4096);
      room = buf->cap - buf->len - 1;
      n = read (fd, buf->data + buf->len, room);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          err = -errno;
          break;
        }
      if (n == 0)
        break;
      buf->len += (size_t) n;
      if ((max > 0 && buf->len >= max) || (one_piece && (size_t) n < room))
        break;
    }
  if (buf->data != NULL)
    buf->data[buf->len] = '\0';
  close (fd);
  return err;
}

int
ph_read_file_at (int         dirfd,
                 const char *path,
                 PhBuf      *buf,
                 size_t      max)
{
  return read_file_at (dirfd, path, buf, max, false);
}

int
ph_read_proc_file_at (int         dirfd,
                      const char *path,
                      PhBuf      *buf,
                      size_t      max)
{
  return read_file_at (dirfd, path, buf, max, true);
}

bool
ph_parse_u64 (const char  *s,
              const char **end,
              uint64_t    *out)
{
  uint64_t v = 0;
  const char *p = s;

  if (*p < '0' || *p > '9')
    return false;
  for (; *p >= '0' && *p <= '9'; p++)
    {
      uint64_t d = (uint64_t) (*p - '0');

      if (v > (UINT64_MAX - d) / 10)
        return false;
      v = v * 10 + d;
    }
  *out = v;
  if (end != NULL)
    *end = p;
  return true;
}

uint64_t
ph_now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}
