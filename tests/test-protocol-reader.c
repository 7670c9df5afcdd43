/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-protocol-reader.c — line parsing, unescaping and display forms of helper records */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

/* Both ends of the pipe, linked into one program: the helper's writer (scan/, helper/)
 * and Porthole's reader (core/). */
#include "ph-helper.h"
#include "ph-helper-client.h"
#include "ph-protocol.h"
#include "ph-protocol-reader.h"
#include "ph-service-list.h"
#include "ph-sock-table.h"
#include "ph-test-utils.h"

/* The contents of tests/fixtures/@name (its length in @length), or the test fails. */
static char *
read_fixture (const char *name,
              gsize      *length)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_unescape (void)
{
  static const struct
  {
    const char *escaped;
    const char *bytes;
    gsize       len;
  } cases[] = {
    { "", "", 0 },
    { "plain", "plain", 5 },
    { "a\\\\b", "a\\b", 3 },
    { "tab\\there", "tab\there", 8 },
    { "new\\nline", "new\nline", 8 },
    { "\\x00", "\0", 1 },
    { "a\\x00b\\x00", "a\0b\0", 4 },
    { "\\xff\\xfe", "\xff\xfe", 2 },
    { "\\x1b[31m", "\x1b[31m", 5 },
    { "\\x7f", "\x7f", 1 },
    { "\\xAB", "\xab", 1 },           /* upper-case hex is tolerated */
    { "caf\xc3\xa9", "caf\xc3\xa9", 5 },
    { "\\\\x41", "\\x41", 4 },        /* an escaped backslash, then plain text */
    { "sp ace", "sp ace", 6 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      gsize len = 0;

      out = ph_protocol_unescape (cases[i].escaped, strlen (cases[i].escaped), &len, &error);
      g_assert_no_error (error);
      g_assert_nonnull (out);
      g_assert_cmpmem (out, len, cases[i].bytes, cases[i].len);
      g_assert_cmpint (out[len], ==, '\0');
    }
}

static void
test_unescape_bad (void)
{
  static const char *cases[] = {
    "\\", "abc\\", "\\q", "\\x", "\\x4", "\\xg0", "\\x0g", "\\r", "\\0", "\\ ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      out = ph_protocol_unescape (cases[i], strlen (cases[i]), NULL, &error);
      g_assert_null (out);
      g_assert_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_ESCAPE);
    }
}

/* Every byte value survives escape → line → parse → unescape unchanged. */
static void
test_roundtrip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);

  for (guint round = 0; round < 500; round++)
    {
      guint8 bytes[64];
      gsize n = g_rand_int_range (rand, 0, sizeof bytes);
      g_autofree char *escaped = NULL;
      g_autofree char *line = NULL;
      g_autoptr(PhRecord) record = NULL;
      g_autoptr(GError) error = NULL;
      const char *value;
      gsize len;

      for (gsize i = 0; i < n; i++)
        bytes[i] = (guint8) (round < 256 && i == 0 ? (gint32) round
                                                   : g_rand_int_range (rand, 0, 256));
      /* some well-formed UTF-8 too */
      if (round % 3 == 0 && n >= 4)
        memcpy (bytes + n - 4, "\xe2\x80\xae!", 4);

      escaped = ph_protocol_escape ((const char *) bytes, n);
      g_assert_true (g_utf8_validate (escaped, -1, NULL));
      g_assert_null (strchr (escaped, '\t'));
      g_assert_null (strchr (escaped, '\n'));

      line = g_strdup_printf ("PROC\tpid=1\tstart=2\tcmdline=%s\n", escaped);
      record = ph_record_parse (line, -1, &error);
      g_assert_no_error (error);
      value = ph_record_get (record, "cmdline", &len);
      g_assert_cmpmem (value, len, bytes, n);
    }
}

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PhRecord) record = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *value;
  guint64 number = 0;
  gint64 signed_number = 0;
  gsize len;

  record = ph_record_parse ("SOCK\tid=42\tproto=tcp\taddr=::1\tuser=a\\tb\tempty=\tfuture=x\n", -1,
                            &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_record_get_kind (record), ==, PH_RECORD_SOCK);
  g_assert_cmpstr (ph_record_get_type_name (record), ==, "SOCK");
  g_assert_cmpuint (ph_record_get_n_fields (record), ==, 6);
  g_assert_cmpstr (ph_record_get_key (record, 0), ==, "id");
  g_assert_cmpstr (ph_record_get_key (record, 5), ==, "future");

  g_assert_true (ph_record_get_uint64 (record, "id", &number, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (number, ==, 42);
  g_assert_true (ph_record_get_int64 (record, "id", &signed_number, NULL));
  g_assert_cmpint (signed_number, ==, 42);
  g_assert_cmpstr (ph_record_get (record, "addr", NULL), ==, "::1");
  g_assert_cmpstr (ph_record_get (record, "user", NULL), ==, "a\tb");

  /* An empty value is known to be empty; a missing key is unknown. */
  value = ph_record_get (record, "empty", &len);
  g_assert_cmpstr (value, ==, "");
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (ph_record_has (record, "empty"));
  g_assert_null (ph_record_get (record, "cwd", &len));
  g_assert_false (ph_record_has (record, "cwd"));

  g_assert_false (ph_record_get_uint64 (record, "cwd", &number, &error));
  g_assert_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MISSING_KEY);
  g_clear_error (&error);
  g_assert_false (ph_record_get_uint64 (record, "proto", &number, &error));
  g_assert_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER);
  g_clear_error (&error);
  g_assert_cmpuint (ph_record_get_uint64_or (record, "proto", 7), ==, 7);

  bytes = ph_record_dup_bytes (record, "user");
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "a\tb", 3);

  /* Without a final newline, and with only a type. */
  g_clear_pointer (&record, ph_record_unref);
  record = ph_record_parse ("BEGIN", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_record_get_kind (record), ==, PH_RECORD_BEGIN);
  g_assert_cmpuint (ph_record_get_n_fields (record), ==, 0);

  /* A value may hold '=' */
  g_clear_pointer (&record, ph_record_unref);
  record = ph_record_parse ("WARN\tcode=x\tmessage=a=b", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ph_record_get (record, "message", NULL), ==, "a=b");

  /* Unknown record types are not errors: the reader skips them. */
  g_clear_pointer (&record, ph_record_unref);
  record = ph_record_parse ("SOMETHING_NEW\tx=1", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_record_get_kind (record), ==, PH_RECORD_UNKNOWN);
  g_assert_cmpstr (ph_record_get_type_name (record), ==, "SOMETHING_NEW");

  /* A negative number is not a uint64, nor is "+1" or " 1" */
  g_clear_pointer (&record, ph_record_unref);
  record = ph_record_parse ("GONE\tid=-1\tx=+1\ty= 1\tz=1\\x00", -1, &error);
  g_assert_no_error (error);
  g_assert_false (ph_record_get_uint64 (record, "id", &number, NULL));
  g_assert_false (ph_record_get_uint64 (record, "x", &number, NULL));
  g_assert_false (ph_record_get_uint64 (record, "y", &number, NULL));
  g_assert_false (ph_record_get_uint64 (record, "z", &number, NULL));
}

static void
test_parse_bad (void)
{
  static const char *cases[] = {
    "",
    "\n",
    "\tid=1",
    "sock\tid=1",
    "SOCK id=1",
    "SOCK\tid",
    "SOCK\t=1",
    "SOCK\tid=1\t",
    "SOCK\tid=1\t\tport=2",
    "SOCK\tid=1\tid=2",
    "SOCK\tuser=a\\",
    "SOCK\tuser=\\q",
    "SOCK\tuser=a\rb",
    "SOCK\tuser=a\x01",
    "SOCK\tuser=a\x7f",
    "SOCK\tuser=caf\xe9",
    "SOCK\tuser=a\n\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PhRecord) record = NULL;

      record = ph_record_parse (cases[i], -1, &error);
      if (record != NULL)
        g_error ("line %u (%s) was accepted", i, cases[i]);
      g_assert_nonnull (error);
      g_assert_true (error->domain == PH_PROTOCOL_ERROR);
    }
}

/* Numbers as the protocol writes them, and owners= of a SOCK: what is refused. */
static void
test_numbers_and_owners (void)
{
  static const struct
  {
    const char *text;
    guint64     max;
    gboolean    ok;
    guint64     value;
  } numbers[] = {
    { "0", G_MAXUINT64, TRUE, 0 },
    { "007", G_MAXUINT64, TRUE, 7 },
    { "18446744073709551615", G_MAXUINT64, TRUE, G_MAXUINT64 },
    { "18446744073709551616", G_MAXUINT64, FALSE, 0 },
    { "99999999999999999999", G_MAXUINT64, FALSE, 0 },
    { "2147483647", G_MAXINT32, TRUE, G_MAXINT32 },
    { "2147483648", G_MAXINT32, FALSE, 0 },
    { "5", 4, FALSE, 0 },
    { "", G_MAXUINT64, FALSE, 0 },
    { "+1", G_MAXUINT64, FALSE, 0 },
    { "-1", G_MAXUINT64, FALSE, 0 },
    { " 1", G_MAXUINT64, FALSE, 0 },
    { "1 ", G_MAXUINT64, FALSE, 0 },
    { "0x10", G_MAXUINT64, FALSE, 0 },
    { "1e3", G_MAXUINT64, FALSE, 0 },
  };
  static const struct
  {
    const char *owners;
    gboolean    ok;
  } owners[] = {
    { "", TRUE },
    { "10:20:3", TRUE },
    { "10:20:3,11:0:4", TRUE },
    { "10:20:3,10:20:4", TRUE },
    { "10:18446744073709551615:0", TRUE },
    { "0:20:3", FALSE },            /* no PID 0 */
    { "2147483648:20:3", FALSE },
    { "10:20:2147483648", FALSE },
    { "10:20", FALSE },
    { "10:20:3:4", FALSE },
    { "10::3", FALSE },
    { ":20:3", FALSE },
    { "10:20:", FALSE },
    { "10:20:3,", FALSE },
    { ",10:20:3", FALSE },
    { "10:20:3,,11:0:4", FALSE },
    { "10:+20:3", FALSE },
    { "10:20:3 ", FALSE },
    { "a:b:c", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      guint64 value = 12345;
      gboolean ok = ph_protocol_parse_decimal (numbers[i].text, strlen (numbers[i].text),
                                               numbers[i].max, &value);

      if (ok != numbers[i].ok)
        g_error ("“%s”: %s", numbers[i].text, ok ? "accepted" : "refused");
      g_assert_cmpuint (value, ==, ok ? numbers[i].value : 12345);
    }
  /* Only the bytes given are read. */
  {
    guint64 value = 0;

    g_assert_true (ph_protocol_parse_decimal ("12:34", 2, G_MAXUINT64, &value));
    g_assert_cmpuint (value, ==, 12);
  }

  for (guint i = 0; i < G_N_ELEMENTS (owners); i++)
    {
      g_autofree char *line = g_strdup_printf ("SOCK\tid=1\tproto=tcp\tfamily=4\taddr=127.0.0.1"
                                               "\tport=80\towners=%s", owners[i].owners);
      g_autoptr(PhRecord) record = ph_record_parse (line, -1, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(PhService) service = NULL;
      gboolean ok;

      g_assert_nonnull (record);
      ok = ph_service_validate_record (record, &error);
      if (ok != owners[i].ok)
        g_error ("owners=%s: %s", owners[i].owners, ok ? "accepted" : error->message);
      service = ph_service_new_from_record (record, NULL, NULL, NULL);
      g_assert_true ((service != NULL) == owners[i].ok);
      if (!ok)
        g_assert_nonnull (strstr (error->message, "pid:start:fd"));
    }
}

static void
test_display (void)
{
  static const struct
  {
    const char *in;
    gssize      len;
    const char *display;
    gboolean    safe;
  } cases[] = {
    { "node", -1, "node", TRUE },
    { "caf\xc3\xa9", -1, "caf\xc3\xa9", TRUE },
    { "evil\x1b[31m", -1, "evil\xef\xbf\xbd[31m", FALSE },
    { "a\nb", -1, "a\xef\xbf\xbd" "b", FALSE },
    { "bad\xff", -1, "bad\xef\xbf\xbd", FALSE },
    { "x\xe2\x80\xaetxt", -1, "x\xef\xbf\xbdtxt", FALSE },   /* RIGHT-TO-LEFT OVERRIDE */
    { "c1\xc2\x9b", -1, "c1\xef\xbf\xbd", FALSE },           /* C1 CSI */
    { "nul\0in", 6, "nul\xef\xbf\xbdin", FALSE },
    /* issue 11: marks and separators that reorder or break a line */
    { "a\xe2\x80\x8f" "b", -1, "a\xef\xbf\xbd" "b", FALSE },     /* RIGHT-TO-LEFT MARK */
    { "a\xd8\x9c" "b", -1, "a\xef\xbf\xbd" "b", FALSE },       /* ARABIC LETTER MARK */
    { "row\xe2\x80\xa8row", -1, "row\xef\xbf\xbdrow", FALSE }, /* LINE SEPARATOR */
    { "row\xe2\x80\xa9row", -1, "row\xef\xbf\xbdrow", FALSE }, /* PARAGRAPH SEPARATOR */
    { "\xe2\x81\xa6x\xe2\x81\xa9", -1, "\xef\xbf\xbdx\xef\xbf\xbd", FALSE }, /* isolates */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *display = ph_protocol_display (cases[i].in, cases[i].len);

      g_assert_cmpstr (display, ==, cases[i].display);
      g_assert_true (g_utf8_validate (display, -1, NULL));
      g_assert_cmpint (ph_protocol_is_display_safe (cases[i].in, cases[i].len), ==,
                       cases[i].safe);
    }

  {
    g_autofree char *valid = ph_protocol_make_valid ("a\x1b\xff", -1);

    /* make_valid keeps control characters (JSON escapes them) but fixes encoding */
    g_assert_cmpstr (valid, ==, "a\x1b\xef\xbf\xbd");
  }
}

/* The hostile fixture: every bad line is refused on its own, and the good ones around
 * them still make it into the model. */
static void
test_hostile_stream (void)
{
  g_autofree char *contents = NULL;
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(PhService) service = NULL;
  g_autofree char *argv_joined = NULL;
  gsize length;
  guint good = 0, bad = 0, applied_count = 0;
  const char *p;
  const char *end;
  PhProcess *process;
  GBytes *cmdline;
  const char * const *argv;

  contents = read_fixture ("protocol-hostile.txt", &length);

  for (p = contents, end = contents + length; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      g_autoptr(GError) line_error = NULL;
      gboolean applied = FALSE;

      g_assert_nonnull (nl);
      if (ph_service_list_feed_line (list, p, nl - p + 1, &applied, &line_error))
        good++;
      else
        {
          g_assert_nonnull (line_error);
          g_test_message ("refused: %s", line_error->message);
          bad++;
        }
      applied_count += applied;
      p = nl + 1;
    }

  g_assert_cmpuint (bad, ==, 21);
  g_assert_cmpuint (good, ==, 8);
  g_assert_cmpuint (applied_count, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);

  g_assert_nonnull (ph_service_list_lookup (list, 9001));
  g_assert_nonnull (ph_service_list_lookup (list, 9020));
  g_assert_nonnull (ph_service_list_lookup (list, 9021));
  g_assert_null (ph_service_list_lookup (list, 9002));

  process = ph_service_list_lookup_process (list, 77, 12);
  g_assert_nonnull (process);

  /* Shown safely ... */
  g_assert_cmpstr (ph_process_get_comm (process), ==, "evil\xef\xbf\xbd[31mred\xef\xbf\xbd");
  g_assert_cmpstr (ph_process_get_exe (process), ==,
                   "/tmp/\xef\xbf\xbd\xef\xbf\xbd" "bad\xef\xbf\xbdname");
  g_assert_cmpstr (ph_process_get_cwd (process), ==, "/tmp/dir\\with\\backslashes");
  g_assert_cmpstr (ph_process_get_cgroup (process), ==, "");
  g_assert_null (ph_process_get_unit (process));
  argv = ph_process_get_argv (process);
  g_assert_nonnull (argv);
  g_assert_cmpuint (g_strv_length ((char **) argv), ==, 4);
  g_assert_cmpstr (argv[0], ==, "sh");
  g_assert_cmpstr (argv[2], ==, "echo hi;\xef\xbf\xbdrm -rf ~");
  g_assert_cmpstr (argv[3], ==, "\xef\xbf\xbdtxt.exe");
  for (guint i = 0; argv[i] != NULL; i++)
    g_assert_true (g_utf8_validate (argv[i], -1, NULL));
  g_assert_true (g_utf8_validate (ph_process_get_command_line (process), -1, NULL));
  g_assert_null (strchr (ph_process_get_command_line (process), '\n'));

  /* ... but kept exactly. */
  g_assert_cmpstr (ph_process_get_comm_raw (process), ==, "evil\x1b[31mred\n");
  g_assert_cmpstr (ph_process_get_exe_raw (process), ==, "/tmp/\xff\xfe" "bad\tname");
  cmdline = ph_process_get_cmdline_bytes (process);
  g_assert_cmpmem (g_bytes_get_data (cmdline, NULL), g_bytes_get_size (cmdline),
                   "sh\0-c\0echo hi;\nrm -rf ~\0\xe2\x80\xaetxt.exe", 34);
  {
    g_auto(GStrv) raw = ph_process_dup_argv_raw (process);

    g_assert_cmpuint (g_strv_length (raw), ==, 4);
    g_assert_cmpstr (raw[2], ==, "echo hi;\nrm -rf ~");
  }

  service = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_true (PH_IS_SERVICE (service));

  {
    PhService *hidden = ph_service_list_lookup (list, 9021);

    g_assert_true (ph_service_get_hidden (hidden));
    g_assert_cmpstr (ph_service_get_user (hidden), ==, "\xef\xbf\xbd(bad");
    g_assert_true (g_utf8_validate (ph_service_get_group_name (hidden), -1, NULL));
    g_assert_cmpuint (ph_service_list_get_hidden_count (list), ==, 1);
  }
}

/* A stream that stops in the middle of a change set changes nothing. */
static void
test_truncated_stream (void)
{
  g_autofree char *contents = read_fixture ("protocol-truncated.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      gboolean applied = TRUE;

      ph_service_list_feed_line (list, lines[i], -1, &applied, &error);
      g_assert_no_error (error);
      g_assert_false (applied);
    }

  g_assert_true (ph_service_list_in_change_set (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  ph_service_list_abort (list);
  g_assert_false (ph_service_list_in_change_set (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);

  /* A record outside a change set is refused. */
  g_assert_false (ph_service_list_feed_line (list, "GONE\tid=1", -1, NULL, &error));
  g_assert_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_false (ph_service_list_feed_line (list, "END\tseq=1", -1, NULL, &error));
  g_assert_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);

  /* An END that closes another change set drops it. */
  g_assert_true (ph_service_list_feed_line (list, "BEGIN\tseq=5\tkind=full", -1, NULL, &error));
  g_assert_true (ph_service_list_feed_line (list, "SOCK\tid=1\tproto=tcp\tfamily=4\t"
                                            "addr=127.0.0.1\tport=1", -1, NULL, &error));
  g_assert_false (ph_service_list_feed_line (list, "END\tseq=6", -1, NULL, &error));
  g_assert_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_false (ph_service_list_in_change_set (list));
}

/* ---- what the helper really writes ------------------------------------------------------ */

/* Parses every line of @text (a whole run of the helper): each one is a record of a kind
 * this reader knows, and escaping its values again gives back the very same line, so no
 * byte was lost or changed on the way. The records are returned in order. */
static GPtrArray *
parse_exactly (const char *text,
               gsize       length)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) ph_record_unref);
  const char *end = text + length;

  g_assert_cmpuint (length, >, 0);
  g_assert_true (text[length - 1] == '\n');
  for (const char *p = text; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      g_autoptr(GError) error = NULL;
      g_autoptr(PhRecord) record = ph_record_parse (p, nl - p, &error);
      g_autoptr(GString) again = g_string_new (NULL);

      g_assert_no_error (error);
      g_assert_cmpint (ph_record_get_kind (record), !=, PH_RECORD_UNKNOWN);
      g_assert_cmpstr (ph_record_get_type_name (record), ==,
                       ph_record_kind_name (ph_record_get_kind (record)));

      g_string_append (again, ph_record_get_type_name (record));
      for (guint i = 0; i < ph_record_get_n_fields (record); i++)
        {
          const char *key = ph_record_get_key (record, i);
          gsize len = 0;
          const char *value = ph_record_get (record, key, &len);
          g_autofree char *escaped = ph_protocol_escape (value, len);

          g_string_append_printf (again, "\t%s=%s", key, escaped);
        }
      g_assert_cmpmem (again->str, again->len, p, (gsize) (nl - p));

      g_ptr_array_add (records, g_steal_pointer (&record));
      p = nl + 1;
    }
  return g_steal_pointer (&records);
}

static void
assert_hello (const PhRecord *record)
{
  g_autoptr(GError) error = NULL;
  guint64 protocol = 0;

  g_assert_cmpint (ph_record_get_kind (record), ==, PH_RECORD_HELLO);
  g_assert_true (ph_record_get_uint64 (record, PH_KEY_PROTOCOL, &protocol, NULL));
  g_assert_cmpuint (protocol, ==, PH_PROTOCOL_VERSION);
  g_assert_cmpstr (ph_record_get (record, PH_KEY_VERSION, NULL), ==, PACKAGE_VERSION);
  ph_helper_client_check_hello (record, &error);
  g_assert_no_error (error);
}

static GBytes *
run_helper (const char * const *args,
            int                *exit_status)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) helper = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) ph_test_helper_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  helper = g_subprocess_newv ((const char * const *) argv->pdata,
                              G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (helper, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (helper));
  *exit_status = g_subprocess_get_exit_status (helper);
  return g_steal_pointer (&out);
}

/* The built porthole-helper's `watch --once`, with a listener whose name and arguments
 * need every kind of escape, read back byte for byte. */
static void
test_real_watch (void)
{
  static const char name[] = "ph\tlis\x1bten\xff";
  static const char odd_arg[] = "a\nb\\c\xc3\xa9\xfe";
  static const char * const args[] = { PH_VERB_WATCH, "--once", NULL };
  g_autoptr(PhTestListener) listener =
    ph_test_listener_start ("--exec-name", name, "tcp:127.0.0.1:0", "--", odd_arg, NULL);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *expected_cmdline = NULL;
  gsize expected_len;
  gboolean sock_seen = FALSE, proc_seen = FALSE;
  guint n_begin = 0, n_end = 0;
  int status;

  out = run_helper (args, &status);
  g_assert_cmpint (status, ==, 0);
  records = parse_exactly (g_bytes_get_data (out, NULL), g_bytes_get_size (out));

  assert_hello (records->pdata[0]);
  for (guint i = 0; i < records->len; i++)
    {
      const PhRecord *record = records->pdata[i];

      n_begin += ph_record_get_kind (record) == PH_RECORD_BEGIN;
      n_end += ph_record_get_kind (record) == PH_RECORD_END;
      if (ph_record_get_kind (record) == PH_RECORD_SOCK &&
          ph_record_get_uint64_or (record, PH_KEY_ID, 0) == listener->inodes[0])
        {
          g_autofree char *owner = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT ":",
                                                    listener->pid, listener->start);

          g_assert_cmpstr (ph_record_get (record, PH_KEY_PROTO, NULL), ==, "tcp");
          g_assert_cmpstr (ph_record_get (record, PH_KEY_ADDR, NULL), ==, "127.0.0.1");
          g_assert_cmpuint (ph_record_get_uint64_or (record, PH_KEY_PORT, 0), ==,
                            listener->ports[0]);
          g_assert_true (g_str_has_prefix (ph_record_get (record, PH_KEY_OWNERS, NULL), owner));
          sock_seen = TRUE;
        }
      if (ph_record_get_kind (record) == PH_RECORD_PROC &&
          ph_record_get_uint64_or (record, PH_KEY_PID, 0) == (guint64) listener->pid)
        {
          const char *cmdline;
          gsize len;

          /* argv[0] as given, its odd argument, then ph-test-listener's own */
          cmdline = ph_record_get (record, PH_KEY_CMDLINE, &len);
          expected_cmdline = g_strdup_printf ("%s%c%s%c--ph-test-listener", name, 0, odd_arg, 0);
          expected_len = strlen (name) + 1 + strlen (odd_arg) + 1 + strlen ("--ph-test-listener");
          g_assert_cmpuint (len, >, expected_len);
          g_assert_cmpmem (cmdline, expected_len, expected_cmdline, expected_len);
          g_assert_cmpuint (ph_record_get_uint64_or (record, PH_KEY_START, 0), ==,
                            listener->start);
          proc_seen = TRUE;
        }
    }
  g_assert_cmpuint (n_begin, ==, 1);
  g_assert_cmpuint (n_end, ==, 1);
  g_assert_cmpint (ph_record_get_kind (records->pdata[records->len - 1]), ==, PH_RECORD_END);
  g_assert_true (sock_seen);
  g_assert_true (proc_seen);
}

/* `stop` with its arguments missing: HELLO, a RESULT named as the header names it, and
 * the usage exit status; `--version` names the same protocol version. */
static void
test_real_stop_and_version (void)
{
  static const char * const stop_args[] = { PH_VERB_STOP, NULL };
  static const char * const version_args[] = { PH_VERB_VERSION, NULL };
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) version = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *version_line = NULL;
  int status;

  out = run_helper (stop_args, &status);
  g_assert_cmpint (status, ==, PH_HELPER_EXIT_USAGE);
  g_assert_cmpint (status, ==, PH_STOP_OUTCOME_USAGE);
  records = parse_exactly (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_cmpuint (records->len, ==, 2);
  assert_hello (records->pdata[0]);
  g_assert_cmpint (ph_record_get_kind (records->pdata[1]), ==, PH_RECORD_RESULT);
  g_assert_cmpstr (ph_record_get (records->pdata[1], PH_KEY_OUTCOME, NULL), ==,
                   ph_stop_outcome_name (PH_STOP_OUTCOME_USAGE));
  g_assert_nonnull (ph_record_get (records->pdata[1], PH_KEY_MESSAGE, NULL));

  version = run_helper (version_args, &status);
  g_assert_cmpint (status, ==, 0);
  version_line = g_strndup (g_bytes_get_data (version, NULL), g_bytes_get_size (version));
  g_assert_true (g_str_has_prefix (version_line, HELPER_NAME " " PACKAGE_VERSION " "));
  ph_helper_client_check_version_line (version_line, &error);
  g_assert_no_error (error);
}

/* The writer and the reader in one program: every record kind the helper can start is
 * the kind the reader makes of it, and a real scan reads back exactly. */
static void
test_in_process (void)
{
  PhBuf buf = PH_BUF_INIT;
  PhSockTable *table;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GHashTable) outcomes = g_hash_table_new (g_str_hash, g_str_equal);

  for (PhRecordKind kind = PH_RECORD_UNKNOWN + 1; kind < PH_RECORD_N_KINDS; kind++)
    {
      g_autoptr(PhRecord) record = NULL;

      ph_buf_clear (&buf);
      ph_rec_start (&buf, kind);
      ph_rec_u64 (&buf, PH_KEY_SEQ, kind);
      ph_rec_end (&buf);
      record = ph_record_parse (buf.data, buf.len, NULL);
      g_assert_nonnull (record);
      g_assert_cmpint (ph_record_get_kind (record), ==, kind);
    }
  g_assert_null (ph_record_kind_name (PH_RECORD_UNKNOWN));

  /* Every outcome has its own name, and its exit status is its value. */
  for (PhStopOutcome outcome = PH_STOP_OUTCOME_FREED; outcome < PH_STOP_OUTCOME_FAILED; outcome++)
    {
      g_assert_nonnull (ph_stop_outcome_name (outcome));
      g_assert_true (g_hash_table_add (outcomes, (gpointer) ph_stop_outcome_name (outcome)));
    }
  g_assert_null (ph_stop_outcome_name (PH_STOP_OUTCOME_FAILED));

  ph_buf_clear (&buf);
  table = ph_sock_table_new ("/proc", PH_SCAN_ALL, PH_SOURCE_AUTO);
  ph_helper_hello (&buf, ph_sock_table_source_name (table));
  ph_sock_table_refresh (table, &buf);
  ph_sock_table_refresh (table, &buf);
  ph_sock_table_free (table);
  records = parse_exactly (buf.data, buf.len);
  assert_hello (records->pdata[0]);
  g_assert_cmpint (ph_record_get_kind (records->pdata[records->len - 1]), ==, PH_RECORD_END);
  ph_buf_free (&buf);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ph_test_utils_init ();

  g_test_add_func ("/protocol/unescape", test_unescape);
  g_test_add_func ("/protocol/unescape-bad", test_unescape_bad);
  g_test_add_func ("/protocol/roundtrip", test_roundtrip);
  g_test_add_func ("/protocol/parse", test_parse);
  g_test_add_func ("/protocol/parse-bad", test_parse_bad);
  g_test_add_func ("/protocol/display", test_display);
  g_test_add_func ("/protocol/numbers-and-owners", test_numbers_and_owners);
  g_test_add_func ("/protocol/hostile-stream", test_hostile_stream);
  g_test_add_func ("/protocol/truncated-stream", test_truncated_stream);
  g_test_add_func ("/protocol/real/watch", test_real_watch);
  g_test_add_func ("/protocol/real/stop-and-version", test_real_stop_and_version);
  g_test_add_func ("/protocol/in-process", test_in_process);

  return g_test_run ();
}
