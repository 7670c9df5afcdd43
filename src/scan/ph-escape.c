/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-escape.c — escaping so any byte can travel in a protocol value */
#include "config.h"

#include <stdint.h>

#include "ph-escape.h"

static const char hex[] = "0123456789abcdef";

/* Length of the well-formed UTF-8 sequence at @p (at most @len bytes), 0 when it is not
 * one. Overlong forms, surrogates and code points above U+10FFFF are not well formed. */
static size_t
utf8_sequence_length (const unsigned char *p,
                      size_t               len)
{
  unsigned char c = p[0];
  size_t n;
  uint32_t cp;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    {
      n = 2;
      cp = c & 0x1f;
    }
  else if (c >= 0xe0 && c <= 0xef)
    {
      n = 3;
      cp = c & 0x0f;
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      n = 4;
      cp = c & 0x07;
    }
  else
    {
      return 0;
    }
  if (len < n)
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((p[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff
      || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

static void
append_hex_escape (PhBuf         *out,
                   unsigned char  c)
{
  char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 0xf] };

  ph_buf_append (out, e, sizeof e);
}

void
ph_escape_append (PhBuf      *out,
                  const char *data,
                  size_t      len)
{
  const unsigned char *p = (const unsigned char *) data;
  size_t i = 0;

  ph_buf_reserve (out, len);
  while (i < len)
    {
      unsigned char c = p[i];
      size_t run = i;
      size_t n;

      /* Copy plain printable ASCII in one go: it is nearly all of what we send. */
      while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '\\')
        run++;
      if (run > i)
        {
          ph_buf_append (out, p + i, run - i);
          i = run;
          continue;
        }
      if (c == '\\')
        {
          ph_buf_append (out, "\\\\", 2);
          i++;
        }
      else if (c == '\t')
        {
          ph_buf_append (out, "\\t", 2);
          i++;
        }
      else if (c == '\n')
        {
          ph_buf_append (out, "\\n", 2);
          i++;
        }
      else if (c < 0x20 || c == 0x7f)
        {
          append_hex_escape (out, c);
          i++;
        }
      else if ((n = utf8_sequence_length (p + i, len - i)) > 0)
        {
          ph_buf_append (out, p + i, n);
          i += n;
        }
      else
        {
          append_hex_escape (out, c);
          i++;
        }
    }
}

bool
ph_unescape (const char *in,
             size_t      len,
             PhBuf      *out)
{
  size_t i = 0;

  ph_buf_reserve (out, len);
  while (i < len)
    {
      int hi, lo;

      if (in[i] != '\\')
        {
          ph_buf_append_c (out, in[i++]);
          continue;
        }
      if (i + 1 >= len)
        return false;
      switch (in[i + 1])
        {
        case '\\':
          ph_buf_append_c (out, '\\');
          i += 2;
          break;
        case 't':
          ph_buf_append_c (out, '\t');
          i += 2;
          break;
        case 'n':
          ph_buf_append_c (out, '\n');
          i += 2;
          break;
        case 'x':
          if (i + 3 >= len)
            return false;
          hi = ph_hex_value (in[i + 2]);
          lo = ph_hex_value (in[i + 3]);
          if (hi < 0 || lo < 0)
            return false;
          ph_buf_append_c (out, (char) (hi << 4 | lo));
          i += 4;
          break;
        default:
          return false;
        }
    }
  return true;
}
