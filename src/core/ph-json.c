/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-json.c — a strict JSON reader into GVariant, for the container engines' API answers */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ph-escape.h"
#include "ph-json.h"

G_DEFINE_QUARK (ph-json-error-quark, ph_json_error)

#define MAX_DEPTH 64

typedef struct
{
  const char *p;
  const char *end;
  GError    **error;
} Reader;

static GVariant *parse_value (Reader *r, guint depth);

static gboolean
fail (Reader     *r,
      const char *what)
{
  if (*r->error == NULL)
    g_set_error (r->error, PH_JSON_ERROR, PH_JSON_ERROR_INVALID, "Invalid JSON: %s", what);
  return FALSE;
}

static void
skip_space (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static gboolean
expect_word (Reader     *r,
             const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (r->end - r->p) < n || memcmp (r->p, word, n) != 0)
    return fail (r, "unknown word");
  r->p += n;
  return TRUE;
}

static gboolean
read_hex4 (Reader   *r,
           gunichar *out)
{
  gunichar v = 0;

  if (r->end - r->p < 4)
    return fail (r, "short \\u escape");
  for (int i = 0; i < 4; i++)
    {
      int h = ph_hex_value (r->p[i]);

      if (h < 0)
        return fail (r, "bad \\u escape");
      v = v * 16 + (gunichar) h;
    }
  r->p += 4;
  *out = v;
  return TRUE;
}

/* After the opening quote; a newly allocated UTF-8 string, or NULL. */
static char *
parse_string (Reader *r)
{
  g_autoptr(GString) s = g_string_new (NULL);

  while (r->p < r->end)
    {
      char c = *r->p++;

      if (c == '"')
        {
          if (!g_utf8_validate_len (s->str, s->len, NULL))
            {
              fail (r, "string is not UTF-8");
              return NULL;
            }
          return g_string_free (g_steal_pointer (&s), FALSE);
        }
      if ((guchar) c < 0x20)
        {
          fail (r, "control character in a string");
          return NULL;
        }
      if (c != '\\')
        {
          g_string_append_c (s, c);
          continue;
        }
      if (r->p >= r->end)
        break;
      c = *r->p++;
      switch (c)
        {
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/': g_string_append_c (s, '/'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          {
            gunichar u;

            if (!read_hex4 (r, &u))
              return NULL;
            if (u >= 0xd800 && u < 0xdc00)
              {
                gunichar low;

                if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u')
                  {
                    fail (r, "lone surrogate");
                    return NULL;
                  }
                r->p += 2;
                if (!read_hex4 (r, &low))
                  return NULL;
                if (low < 0xdc00 || low > 0xdfff)
                  {
                    fail (r, "bad surrogate pair");
                    return NULL;
                  }
                u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
              }
            else if (u >= 0xdc00 && u <= 0xdfff)
              {
                fail (r, "lone surrogate");
                return NULL;
              }
            if (u == 0)
              {
                fail (r, "NUL in a string");
                return NULL;
              }
            g_string_append_unichar (s, u);
          }
          break;
        default:
          fail (r, "bad escape");
          return NULL;
        }
    }
  fail (r, "unterminated string");
  return NULL;
}

static GVariant *
parse_number (Reader *r)
{
  const char *start = r->p;
  g_autofree char *copy = NULL;
  double value;

  if (r->p < r->end && *r->p == '-')
    r->p++;
  if (r->p >= r->end || !g_ascii_isdigit (*r->p))
    {
      fail (r, "bad number");
      return NULL;
    }
  if (*r->p == '0')
    r->p++;
  else
    while (r->p < r->end && g_ascii_isdigit (*r->p))
      r->p++;
  if (r->p < r->end && *r->p == '.')
    {
      r->p++;
      if (r->p >= r->end || !g_ascii_isdigit (*r->p))
        {
          fail (r, "bad fraction");
          return NULL;
        }
      while (r->p < r->end && g_ascii_isdigit (*r->p))
        r->p++;
    }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E'))
    {
      r->p++;
      if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
        r->p++;
      if (r->p >= r->end || !g_ascii_isdigit (*r->p))
        {
          fail (r, "bad exponent");
          return NULL;
        }
      while (r->p < r->end && g_ascii_isdigit (*r->p))
        r->p++;
    }
  copy = g_strndup (start, (gsize) (r->p - start));
  value = g_ascii_strtod (copy, NULL);
  if (!isfinite (value))
    {
      fail (r, "number out of range");
      return NULL;
    }
  return g_variant_new_double (value);
}

static GVariant *
parse_object (Reader *r,
              guint   depth)
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);

  skip_space (r);
  if (r->p < r->end && *r->p == '}')
    {
      r->p++;
      return g_variant_builder_end (&b);
    }
  for (;;)
    {
      g_autofree char *key = NULL;
      GVariant *value;

      skip_space (r);
      if (r->p >= r->end || *r->p != '"')
        {
          fail (r, "expected a key");
          return NULL;
        }
      r->p++;
      if ((key = parse_string (r)) == NULL)
        return NULL;
      skip_space (r);
      if (r->p >= r->end || *r->p != ':')
        {
          fail (r, "expected ':'");
          return NULL;
        }
      r->p++;
      if ((value = parse_value (r, depth + 1)) == NULL)
        return NULL;
      g_variant_builder_add (&b, "{sv}", key, value);
      skip_space (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == '}')
        {
          r->p++;
          return g_variant_builder_end (&b);
        }
      fail (r, "expected ',' or '}'");
      return NULL;
    }
}

static GVariant *
parse_array (Reader *r,
             guint   depth)
{
  g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE ("av"));

  skip_space (r);
  if (r->p < r->end && *r->p == ']')
    {
      r->p++;
      return g_variant_builder_end (&b);
    }
  for (;;)
    {
      GVariant *value = parse_value (r, depth + 1);

      if (value == NULL)
        return NULL;
      g_variant_builder_add (&b, "v", value);
      skip_space (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          continue;
        }
      if (r->p < r->end && *r->p == ']')
        {
          r->p++;
          return g_variant_builder_end (&b);
        }
      fail (r, "expected ',' or ']'");
      return NULL;
    }
}

static GVariant *
parse_value (Reader *r,
             guint   depth)
{
  if (depth > MAX_DEPTH)
    {
      fail (r, "nested too deeply");
      return NULL;
    }
  skip_space (r);
  if (r->p >= r->end)
    {
      fail (r, "unexpected end");
      return NULL;
    }
  switch (*r->p)
    {
    case '{':
      r->p++;
      return parse_object (r, depth);
    case '[':
      r->p++;
      return parse_array (r, depth);
    case '"':
      {
        char *s;

        r->p++;
        s = parse_string (r);
        return s != NULL ? g_variant_new_take_string (s) : NULL;
      }
    case 't':
      return expect_word (r, "true") ? g_variant_new_boolean (TRUE) : NULL;
    case 'f':
      return expect_word (r, "false") ? g_variant_new_boolean (FALSE) : NULL;
    case 'n':
      return expect_word (r, "null") ? g_variant_new_tuple (NULL, 0) : NULL;
    default:
      return parse_number (r);
    }
}

/**
 * ph_json_parse:
 * @text: the JSON text (need not be NUL-terminated)
 * @length: its length in bytes
 * @error: where a malformed text is named
 *
 * Returns: (transfer full) (nullable): the value, a floating reference sunk
 */
GVariant *
ph_json_parse (const char  *text,
               gsize        length,
               GError     **error)
{
  Reader r = { text, text + length, error };
  g_autoptr(GVariant) value = NULL;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  {
    GError *local = NULL;

    r.error = &local;
    value = parse_value (&r, 0);
    if (value != NULL)
      {
        g_variant_ref_sink (value);
        skip_space (&r);
        if (r.p != r.end)
          {
            fail (&r, "text after the value");
            g_clear_pointer (&value, g_variant_unref);
          }
      }
    if (value == NULL)
      {
        if (local == NULL)
          g_set_error_literal (&local, PH_JSON_ERROR, PH_JSON_ERROR_INVALID, "Invalid JSON");
        g_propagate_error (error, local);
        return NULL;
      }
  }
  return g_steal_pointer (&value);
}

/* Returns: (transfer full) (nullable): the member @key of an object, or NULL */
GVariant *
ph_json_member (GVariant   *object,
                const char *key)
{
  if (object == NULL || !g_variant_is_of_type (object, G_VARIANT_TYPE_VARDICT))
    return NULL;
  return g_variant_lookup_value (object, key, NULL);
}

/* Returns: (transfer none) (nullable): a string member, or NULL */
const char *
ph_json_get_string (GVariant   *object,
                    const char *key)
{
  const char *s = NULL;

  if (object == NULL || !g_variant_is_of_type (object, G_VARIANT_TYPE_VARDICT))
    return NULL;
  if (!g_variant_lookup (object, key, "&s", &s))
    return NULL;
  return s;
}

gint64
ph_json_get_int (GVariant   *object,
                 const char *key,
                 gint64      fallback)
{
  double d;

  if (object == NULL || !g_variant_is_of_type (object, G_VARIANT_TYPE_VARDICT))
    return fallback;
  if (!g_variant_lookup (object, key, "d", &d) || d < -9e15 || d > 9e15 ||
      d != (double) (gint64) d)
    return fallback;
  return (gint64) d;
}
