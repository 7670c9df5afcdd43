/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-protocol-reader.c — splits and unescapes one line of porthole-helper's protocol */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-protocol-reader.h"

G_DEFINE_QUARK (ph-protocol-error-quark, ph_protocol_error)

typedef struct
{
  const char *key;     /* NUL-terminated */
  const char *value;   /* unescaped, NUL-terminated, may hold NULs of its own */
  gsize       len;
  gsize       key_len;
} PhField;

/* One allocation: the record, its fields, then the text they point into (the line's copy,
 * its keys and values ended by NULs, the values unescaped in place). */
struct _PhRecord
{
  gatomicrefcount  ref_count;
  PhRecordKind     kind;
  guint            n_fields;
  const char      *type_name;
  guint64          key_bits;   /* key_bit() of every key: a key whose bit is unset is absent */
  PhField          fields[];
};

/* One of 64 bits for a key, from its first byte and length (keys of one record mostly
 * differ in them): most lookups of an absent key, and the check that a parsed key is not
 * there twice, end at that bit. */
static inline guint
key_bit (const char *key,
         gsize       key_len)
{
  return ((guint) (guchar) key[0] * 7u + (guint) key_len) & 63u;
}

/* Unescapes @value into @out, which may be @value itself (the result is never longer).
 * Adds no NUL. */
static gboolean
unescape_into (const char  *value,
               gsize        len,
               char        *out,
               gsize       *out_len,
               GError     **error)
{
  const char *escape = memchr (value, '\\', len);
  gsize o;

  /* Most values have no escape: up to the first one, a copy (none, in place). */
  o = escape != NULL ? (gsize) (escape - value) : len;
  if (out != value)
    memcpy (out, value, o);
  if (escape == NULL)
    {
      *out_len = len;
      return TRUE;
    }

  for (gsize i = o; i < len; i++)
    {
      char c = value[i];

      if (c != '\\')
        {
          out[o++] = c;
          continue;
        }

      if (i + 1 >= len)
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_ESCAPE,
                       "value ends in the middle of an escape");
          return FALSE;
        }

      switch (value[++i])
        {
        case '\\':
          out[o++] = '\\';
          break;

        case 't':
          out[o++] = '\t';
          break;

        case 'n':
          out[o++] = '\n';
          break;

        case 'x':
          {
            int hi = i + 1 < len ? g_ascii_xdigit_value (value[i + 1]) : -1;
            int lo = i + 2 < len ? g_ascii_xdigit_value (value[i + 2]) : -1;

            if (hi < 0 || lo < 0)
              {
                g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_ESCAPE,
                             "\\x is not followed by two hex digits");
                return FALSE;
              }
            out[o++] = (char) ((hi << 4) | lo);
            i += 2;
          }
          break;

        default:
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_ESCAPE,
                       "unknown escape \\%c", g_ascii_isprint (value[i]) ? value[i] : '?');
          return FALSE;
        }
    }

  *out_len = o;
  return TRUE;
}

/**
 * ph_protocol_unescape:
 * @value: an escaped value, exactly as it appears on the line
 * @len: its length in bytes
 * @out_len: (out) (optional): the length of the result, which may contain NUL bytes
 * @error: set when @value holds an escape the protocol does not define
 *
 * Returns: (transfer full): the original bytes, followed by a NUL that is not counted
 */
char *
ph_protocol_unescape (const char  *value,
                      gsize        len,
                      gsize       *out_len,
                      GError     **error)
{
  g_autofree char *out = g_malloc (len + 1);
  gsize o = 0;

  if (!unescape_into (value, len, out, &o, error))
    return NULL;
  out[o] = '\0';
  if (out_len != NULL)
    *out_len = o;
  return g_steal_pointer (&out);
}

/* The inverse of ph_protocol_unescape(), for tests and fixtures. */
char *
ph_protocol_escape (const char *bytes,
                    gsize       len)
{
  GString *out = g_string_sized_new (len + 8);
  const char *p = bytes;
  const char *end = bytes + len;

  while (p < end)
    {
      guchar c = (guchar) *p;
      gunichar uc;

      if (c == '\\')
        g_string_append (out, "\\\\");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else if (c < 0x80)
        g_string_append_c (out, (char) c);
      else if ((uc = g_utf8_get_char_validated (p, end - p)) != (gunichar) -1 &&
               uc != (gunichar) -2)
        {
          const char *next = g_utf8_next_char (p);

          g_string_append_len (out, p, next - p);
          p = next;
          continue;
        }
      else
        g_string_append_printf (out, "\\x%02x", c);
      p++;
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_unsafe_char (gunichar uc)
{
  return uc < 0x20 || (uc >= 0x7f && uc <= 0x9f) ||
         /* Bidirectional overrides and marks can make a name read as something else. */
         (uc >= 0x202a && uc <= 0x202e) || (uc >= 0x2066 && uc <= 0x2069) ||
         uc == 0x061c || uc == 0x200e || uc == 0x200f ||
         /* Line and paragraph separators break a label into lines, like a newline. */
         uc == 0x2028 || uc == 0x2029;
}

/* Valid UTF-8 without control characters or bidi overrides: fine to show as is. */
gboolean
ph_protocol_is_display_safe (const char *bytes,
                             gssize      len)
{
  const char *p = bytes;
  const char *end;

  if (bytes == NULL)
    return TRUE;
  if (len < 0)
    len = strlen (bytes);
  end = bytes + len;

  while (p < end)
    {
      gunichar uc;

      if ((guchar) *p < 0x80)
        {
          if ((guchar) *p < 0x20 || *p == 0x7f)
            return FALSE;
          p++;
          continue;
        }
      uc = g_utf8_get_char_validated (p, end - p);
      if (uc == (gunichar) -1 || uc == (gunichar) -2 || is_unsafe_char (uc))
        return FALSE;
      p = g_utf8_next_char (p);
    }

  return TRUE;
}

/**
 * ph_protocol_make_valid:
 *
 * Returns: (transfer full): @bytes as valid UTF-8, every invalid sequence (and NUL)
 *   replaced by U+FFFD; control characters are kept (JSON escapes them exactly)
 */
char *
ph_protocol_make_valid (const char *bytes,
                        gssize      len)
{
  if (bytes == NULL)
    return NULL;
  return g_utf8_make_valid (bytes, len);
}

/**
 * ph_protocol_display:
 *
 * Returns: (transfer full): a form of @bytes that is safe to put in front of a person:
 *   valid UTF-8, with control characters and bidi overrides replaced by U+FFFD, so that
 *   a hostile process name cannot move a terminal's cursor or reorder a label.
 */
char *
ph_protocol_display (const char *bytes,
                     gssize      len)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (bytes == NULL)
    return NULL;
  if (len < 0)
    len = strlen (bytes);
  if (ph_protocol_is_display_safe (bytes, len))
    return g_strndup (bytes, len);

  valid = g_utf8_make_valid (bytes, len);
  out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar uc = g_utf8_get_char (p);

      if (is_unsafe_char (uc))
        g_string_append_unichar (out, 0xfffd);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  return g_string_free (out, FALSE);
}

static const PhField *
find_field_len (const PhRecord *self,
                const char     *key,
                gsize           key_len)
{
  if (key_len == 0 || (self->key_bits >> key_bit (key, key_len) & 1) == 0)
    return NULL;
  for (guint i = 0; i < self->n_fields; i++)
    {
      const PhField *field = &self->fields[i];

      /* the first byte before a call: keys of one length mostly differ there */
      if (field->key_len == key_len && field->key[0] == key[0] &&
          memcmp (field->key, key, key_len) == 0)
        return field;
    }
  return NULL;
}

static PhRecordKind
kind_for_name (const char *name)
{
  for (PhRecordKind kind = PH_RECORD_UNKNOWN + 1; kind < PH_RECORD_N_KINDS; kind++)
    {
      if (strcmp (ph_record_kind_name (kind), name) == 0)
        return kind;
    }
  return PH_RECORD_UNKNOWN;
}

static gboolean
is_type_char (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/**
 * ph_record_parse:
 * @line: one line of the protocol, with or without its final LF
 * @len: the length of @line, or -1 when it is NUL-terminated
 * @error: why the line is malformed
 *
 * A malformed line gives %NULL and @error; the caller reports it and reads on. An unknown
 * record type is not an error: it gives a record of kind %PH_RECORD_UNKNOWN.
 *
 * Returns: (transfer full) (nullable): the record
 */
PhRecord *
ph_record_parse (const char  *line,
                 gssize       len,
                 GError     **error)
{
  g_autoptr(PhRecord) self = NULL;
  const char *end;
  const char *p;
  const char *field_end;
  guint n_fields;
  gboolean ascii;
  char *text;

  g_return_val_if_fail (line != NULL, NULL);

  if (len < 0)
    len = strlen (line);
  if (len > 0 && line[len - 1] == '\n')
    len--;
  end = line + len;

  if (len == 0)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED, "empty line");
      return NULL;
    }

  /* The escaping guarantees a clean line: anything else did not come from a sane helper.
   * In the same pass: one field after each TAB. */
  n_fields = 0;
  ascii = TRUE;
  for (p = line; p < end; p++)
    {
      guchar c = (guchar) *p;

      if (G_LIKELY (c >= 0x20 && c < 0x7f))
        continue;
      if (c == '\t')
        n_fields++;
      else if (c >= 0x80)
        ascii = FALSE;
      else
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "raw control byte 0x%02x in line", c);
          return NULL;
        }
    }
  if (!ascii && !g_utf8_validate_len (line, len, NULL))
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "line is not valid UTF-8");
      return NULL;
    }

  field_end = memchr (line, '\t', len);
  if (field_end == NULL)
    field_end = end;
  for (p = line; p < field_end; p++)
    {
      if (!is_type_char (*p))
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "record type is not an upper-case word");
          return NULL;
        }
    }
  if (field_end == line)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "line has no record type");
      return NULL;
    }

  self = g_malloc (sizeof (PhRecord) + n_fields * sizeof (PhField) + (gsize) len + 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->n_fields = 0;
  self->key_bits = 0;
  text = (char *) &self->fields[n_fields];
  memcpy (text, line, len);
  text[len] = '\0';
  text[field_end - line] = '\0';
  self->type_name = text;
  self->kind = kind_for_name (self->type_name);

  p = field_end;
  while (p < end)
    {
      const char *start = p + 1;   /* skip the TAB */
      const char *eq = NULL;
      const char *escape = NULL;   /* the value's first backslash */
      const char *q;
      PhField *field = &self->fields[self->n_fields];
      gsize key_len;
      guint bit;
      char *key;
      char *value;

      /* The field's end, its first '=' and its value's first escape, in one pass. */
      for (q = start; q < end && *q != '\t'; q++)
        {
          if (*q == '=')
            {
              if (eq == NULL)
                eq = q;
            }
          else if (*q == '\\' && eq != NULL && escape == NULL)
            escape = q;
        }
      field_end = q;

      if (eq == NULL || eq == start)
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "field %u is not key=value", self->n_fields + 1);
          return NULL;
        }

      key = text + (start - line);
      key_len = (gsize) (eq - start);
      key[key_len] = '\0';
      bit = key_bit (key, key_len);
      if ((self->key_bits >> bit & 1) != 0 && find_field_len (self, key, key_len) != NULL)
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "key “%s” appears twice", key);
          return NULL;
        }

      value = text + (eq + 1 - line);
      if (escape == NULL)
        field->len = (gsize) (field_end - (eq + 1));
      else
        {
          GError *local_error = NULL;

          if (!unescape_into (value, field_end - (eq + 1), value, &field->len, &local_error))
            {
              g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_ESCAPE,
                           "value of “%s”: %s", key, local_error->message);
              g_error_free (local_error);
              return NULL;
            }
        }
      value[field->len] = '\0';
      field->key = key;
      field->key_len = key_len;
      field->value = value;
      self->key_bits |= G_GUINT64_CONSTANT (1) << bit;
      self->n_fields++;
      p = field_end;
    }

  return g_steal_pointer (&self);
}

PhRecord *
ph_record_ref (PhRecord *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ph_record_unref (PhRecord *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

PhRecordKind
ph_record_get_kind (const PhRecord *self)
{
  g_return_val_if_fail (self != NULL, PH_RECORD_UNKNOWN);

  return self->kind;
}

const char *
ph_record_get_type_name (const PhRecord *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->type_name;
}

guint
ph_record_get_n_fields (const PhRecord *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_fields;
}

const char *
ph_record_get_key (const PhRecord *self,
                   guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_fields, NULL);

  return self->fields[index].key;
}

static const PhField *
find_field (const PhRecord *self,
            const char     *key)
{
  return find_field_len (self, key, strlen (key));
}

gboolean
ph_record_has (const PhRecord *self,
               const char     *key)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return find_field (self, key) != NULL;
}

/**
 * ph_record_get:
 * @len: (out) (optional): the length of the value, which may contain NUL bytes
 *
 * Returns: (nullable): the unescaped value (NUL-terminated), or %NULL when the key is
 *   absent, which the protocol reads as "unknown"
 */
const char *
ph_record_get (const PhRecord *self,
               const char     *key,
               gsize          *len)
{
  const PhField *field;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  field = find_field (self, key);
  if (len != NULL)
    *len = field != NULL ? field->len : 0;
  return field != NULL ? field->value : NULL;
}

GBytes *
ph_record_dup_bytes (const PhRecord *self,
                     const char     *key)
{
  const PhField *field;

  g_return_val_if_fail (self != NULL, NULL);

  field = find_field (self, key);
  if (field == NULL)
    return NULL;
  return g_bytes_new (field->value, field->len);
}

/**
 * ph_protocol_parse_decimal:
 * @text: digits, not necessarily NUL-terminated
 * @len: how many bytes of @text to read
 * @max: the largest value allowed
 * @value: (out): the number
 *
 * Reads a decimal number as the protocol writes them: ASCII digits only (no sign, no
 * space), at least one. The same numbers as g_ascii_string_to_unsigned() in base 10
 * accepts, without its strtoull(): a first list of 20,000 sockets holds some 260,000.
 *
 * Returns: whether @text was such a number, no larger than @max
 */
gboolean
ph_protocol_parse_decimal (const char *text,
                           gsize       len,
                           guint64     max,
                           guint64    *value)
{
  guint64 v = 0;

  if (len == 0)
    return FALSE;
  /* Up to 19 digits cannot overflow: checked against @max once, at the end. */
  if (len <= 19)
    {
      for (gsize i = 0; i < len; i++)
        {
          guint digit = (guchar) text[i] - '0';

          if (digit > 9)
            return FALSE;
          v = v * 10 + digit;
        }
      if (v > max)
        return FALSE;
      *value = v;
      return TRUE;
    }
  for (gsize i = 0; i < len; i++)
    {
      guint digit = (guchar) text[i] - '0';

      if (digit > 9 || digit > max || v > (max - digit) / 10)
        return FALSE;
      v = v * 10 + digit;
    }
  *value = v;
  return TRUE;
}

/* A number field: there, and with no NUL inside (its len is its text's). */
static const PhField *
number_field (const PhRecord  *self,
              const char      *key,
              GError         **error)
{
  const PhField *field = find_field (self, key);

  if (field == NULL)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MISSING_KEY,
                   "%s has no “%s”", self->type_name, key);
      return NULL;
    }
  if (memchr (field->value, '\0', field->len) != NULL)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER,
                   "%s: “%s” is not a number", self->type_name, key);
      return NULL;
    }
  return field;
}

gboolean
ph_record_get_uint64 (const PhRecord  *self,
                      const char      *key,
                      guint64         *value,
                      GError         **error)
{
  const PhField *field;

  g_return_val_if_fail (self != NULL, FALSE);

  if ((field = number_field (self, key, error)) == NULL)
    return FALSE;
  if (!ph_protocol_parse_decimal (field->value, field->len, G_MAXUINT64, value))
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER,
                   "%s: “%s” is not a number", self->type_name, key);
      return FALSE;
    }
  return TRUE;
}

gboolean
ph_record_get_int64 (const PhRecord  *self,
                     const char      *key,
                     gint64          *value,
                     GError         **error)
{
  const PhField *field;

  g_return_val_if_fail (self != NULL, FALSE);

  if ((field = number_field (self, key, error)) == NULL)
    return FALSE;
  if (!g_ascii_string_to_signed (field->value, 10, G_MININT64, G_MAXINT64, value, NULL))
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER,
                   "%s: “%s” is not a number", self->type_name, key);
      return FALSE;
    }
  return TRUE;
}

/* For optional numbers: absent or unreadable gives @fallback. */
guint64
ph_record_get_uint64_or (const PhRecord *self,
                         const char     *key,
                         guint64         fallback)
{
  guint64 value;

  if (!ph_record_get_uint64 (self, key, &value, NULL))
    return fallback;
  return value;
}
