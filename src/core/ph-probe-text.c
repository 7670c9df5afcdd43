/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe-text.c: what a server sent, as text that is safe to show */

#include "config.h"

#include <string.h>

#include "ph-probe-private.h"

char *
ph_probe_sanitize_text (const guint8 *data,
                        gsize         len,
                        gsize         max_chars)
{
  g_autofree char *copy = NULL;
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean pending_space = FALSE;
  gsize n_chars = 0;

  if (data == NULL || len == 0)
    return g_strdup ("");

  /* NUL bytes are valid UTF-8 but would cut the string short */
  copy = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    copy[i] = data[i] == '\0' ? ' ' : (char) data[i];
  valid = g_utf8_make_valid (copy, len);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          pending_space = out->len > 0;
          continue;
        }
      if (!g_unichar_isprint (c))
        c = 0xFFFD;

      /* the space before this character counts too */
      if (n_chars + (pending_space ? 1 : 0) >= max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (pending_space)
        {
          g_string_append_c (out, ' ');
          n_chars++;
          pending_space = FALSE;
        }
      g_string_append_unichar (out, c);
      n_chars++;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
ph_probe_looks_like_text (const guint8 *data,
                 gsize         len)
{
  gsize odd = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = data[i];

      if (b < 0x20 && b != '\r' && b != '\n' && b != '\t')
        odd++;
      else if (b == 0x7f)
        odd++;
    }
  return len > 0 && odd * 10 <= len;
}

char *
ph_probe_hex_preview (const guint8 *data,
             gsize         len)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < len && i < 16; i++)
    g_string_append_printf (out, i ? " %02x" : "%02x", data[i]);
  if (len > 16)
    g_string_append (out, " …");
  return g_string_free (out, FALSE);
}

/* The first line of a greeting, without the protocol's own prefix. */
char *
ph_probe_greeting_line (const guint8 *data,
               gsize         len,
               gsize         skip)
{
  gsize end = skip;

  while (end < len && data[end] != '\r' && data[end] != '\n')
    end++;
  if (skip > end)
    skip = end;
  return ph_probe_sanitize_text (data + skip, end - skip, PH_PROBE_GREETING_LIMIT);
}

gboolean
ph_probe_has_prefix (const guint8 *data,
                  gsize         len,
                  const char   *prefix)
{
  gsize plen = strlen (prefix);

  return len >= plen && memcmp (data, prefix, plen) == 0;
}

gboolean
ph_probe_contains_nocase (const char *haystack,
                       const char *needle)
{
  g_autofree char *lower = g_ascii_strdown (haystack, -1);
  g_autofree char *lower_needle = g_ascii_strdown (needle, -1);

  return strstr (lower, lower_needle) != NULL;
}
