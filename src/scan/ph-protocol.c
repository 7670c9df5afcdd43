/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-protocol.c — writing protocol records */
#include "config.h"

#include <string.h>

#include "ph-escape.h"
#include "ph-protocol.h"

void
ph_rec_start (PhBuf        *out,
              PhRecordKind  kind)
{
  ph_buf_append_s (out, ph_record_kind_name (kind));
}

static void
key (PhBuf      *out,
     const char *k)
{
  size_t n = strlen (k);

  if (out->len + n + 3 > out->cap)
    ph_buf_reserve (out, n + 2);
  out->data[out->len++] = '\t';
  memcpy (out->data + out->len, k, n);
  out->len += n;
  out->data[out->len++] = '=';
  out->data[out->len] = '\0';
}

void
ph_rec_str (PhBuf      *out,
            const char *k,
            const char *value)
{
  if (value == NULL)
    return;
  key (out, k);
  ph_escape_append (out, value, strlen (value));
}

void
ph_rec_mem (PhBuf      *out,
            const char *k,
            const char *value,
            size_t      len)
{
  if (value == NULL)
    return;
  key (out, k);
  ph_escape_append (out, value, len);
}

void
ph_rec_u64 (PhBuf      *out,
            const char *k,
            uint64_t    value)
{
  key (out, k);
  ph_buf_append_u64 (out, value);
}

void
ph_rec_i64 (PhBuf      *out,
            const char *k,
            int64_t     value)
{
  key (out, k);
  ph_buf_append_i64 (out, value);
}

void
ph_rec_end (PhBuf *out)
{
  ph_buf_append_c (out, '\n');
}

void
ph_rec_warn (PhBuf      *out,
             const char *code,
             const char *message)
{
  ph_rec_start (out, PH_RECORD_WARN);
  ph_rec_str (out, PH_KEY_CODE, code);
  ph_rec_str (out, PH_KEY_MESSAGE, message);
  ph_rec_end (out);
}
