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
  guint8           field_of_bit[64];   /* the only field of a key_bit(), or NO_FIELD */
  PhField          fields[];
};

#define NO_FIELD 0xff

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
  guint bit;
  guint index;

  if (key_len == 0)
    return NULL;
  bit = key_bit (key, key_len);
  if ((self->key_bits >> bit & 1) == 0)
    return NULL;
  /* A bit that only one field has: that field, or none (a record's keys mostly differ in
   * their bits, so most lookups compare one key). */
  index = self->field_of_bit[bit];
  if (index != NO_FIELD)
    {
      const PhField *field = &self->fields[index];

      return field->key_len == key_len && memcmp (field->key, key, key_len) == 0 ? field : NULL;
    }
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

/* Where one field of a line lies, as offsets from the line's start: found in the line's
 * one pass, before the record is made. */
typedef struct
{
  guint32 start;    /* its key's first byte */
  guint32 eq;       /* its first '=', or 0 when it has none */
  guint32 escape;   /* its value's first backslash, or 0 */
  guint32 end;      /* the TAB after it, or the line's end */
} FieldSpan;

#define N_SPANS_ON_STACK 32

/* The bytes a line's pass stops at: TAB and the other control bytes, '=', the backslash,
 * DEL and every byte of a multi-byte UTF-8 sequence. The others (printable ASCII) are
 * most of a line, and cost one look each. */
static const guint8 special_byte[256] = {
  [0x00 ... 0x1f] = 1, ['='] = 1, ['\\'] = 1, [0x7f ... 0xff] = 1,
};

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
  FieldSpan spans_on_stack[N_SPANS_ON_STACK];
  g_autofree FieldSpan *spans_on_heap = NULL;
  FieldSpan *spans = spans_on_stack;
  FieldSpan *span = NULL;   /* the field the pass is in; NULL in the record type */
  guint n_spans = 0;
  guint max_spans = N_SPANS_ON_STACK;
  gsize type_len;
  gboolean ascii = TRUE;
  char *text;

  g_return_val_if_fail (line != NULL, NULL);

  if (len < 0)
    len = strlen (line);
  if (len > 0 && line[len - 1] == '\n')
    len--;

  if (len == 0)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED, "empty line");
      return NULL;
    }
  if ((gsize) len >= G_MAXUINT32)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED, "line too long");
      return NULL;
    }

  /* One pass: the escaping guarantees a clean line (anything else did not come from a sane
   * helper), and on the way each field's bounds, its first '=' and its value's first
   * escape. Nothing is refused before the pass is over but a raw control byte, which is
   * refused first whatever else is wrong. */
  for (gsize i = 0; i < (gsize) len; i++)
    {
      guchar c = (guchar) line[i];

      if (G_LIKELY (!special_byte[c]))
        continue;
      if (c == '\t')
        {
          if (span != NULL)
            span->end = (guint32) i;
          if (n_spans == max_spans)
            {
              max_spans *= 2;
              if (spans_on_heap == NULL)
                {
                  spans_on_heap = g_new (FieldSpan, max_spans);
                  memcpy (spans_on_heap, spans_on_stack, sizeof spans_on_stack);
                }
              else
                spans_on_heap = g_renew (FieldSpan, spans_on_heap, max_spans);
              spans = spans_on_heap;
            }
          span = &spans[n_spans++];
          *span = (FieldSpan) { (guint32) i + 1, 0, 0, 0 };
        }
      else if (c == '=')
        {
          if (span != NULL && span->eq == 0)
            span->eq = (guint32) i;
        }
      else if (c == '\\')
        {
          if (span != NULL && span->eq != 0 && span->escape == 0)
            span->escape = (guint32) i;
        }
      else if (c >= 0x80)
        ascii = FALSE;
      else
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "raw control byte 0x%02x in line", c);
          return NULL;
        }
    }
  if (span != NULL)
    span->end = (guint32) len;
  if (!ascii && !g_utf8_validate_len (line, len, NULL))
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "line is not valid UTF-8");
      return NULL;
    }

  type_len = n_spans > 0 ? spans[0].start - 1 : (gsize) len;
  for (gsize i = 0; i < type_len; i++)
    {
      if (!is_type_char (line[i]))
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "record type is not an upper-case word");
          return NULL;
        }
    }
  if (type_len == 0)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "line has no record type");
      return NULL;
    }

  self = g_malloc (sizeof (PhRecord) + n_spans * sizeof (PhField) + (gsize) len + 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->n_fields = 0;
  self->key_bits = 0;
  memset (self->field_of_bit, NO_FIELD, sizeof self->field_of_bit);
  text = (char *) &self->fields[n_spans];
  memcpy (text, line, len);
  text[len] = '\0';
  text[type_len] = '\0';
  self->type_name = text;
  self->kind = kind_for_name (self->type_name);

  for (guint k = 0; k < n_spans; k++)
    {
      const FieldSpan *f = &spans[k];
      PhField *field = &self->fields[self->n_fields];
      gsize key_len;
      guint bit;
      char *key;
      char *value;

      if (f->eq == 0 || f->eq == f->start)
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "field %u is not key=value", self->n_fields + 1);
          return NULL;
        }

      key = text + f->start;
      key_len = f->eq - f->start;
      key[key_len] = '\0';
      bit = key_bit (key, key_len);
      if ((self->key_bits >> bit & 1) != 0 && find_field_len (self, key, key_len) != NULL)
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "key “%s” appears twice", key);
          return NULL;
        }

      value = text + f->eq + 1;
      if (f->escape == 0)
        field->len = f->end - (f->eq + 1);
      else
        {
          GError *local_error = NULL;

          if (!unescape_into (value, f->end - (f->eq + 1), value, &field->len, &local_error))
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
      /* the only field of its bit, or one of several (then looked for among all) */
      self->field_of_bit[bit] = (self->key_bits >> bit & 1) == 0 && self->n_fields < NO_FIELD
                                ? (guint8) self->n_fields : NO_FIELD;
      self->key_bits |= G_GUINT64_CONSTANT (1) << bit;
      self->n_fields++;
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
