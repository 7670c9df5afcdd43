/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-escape.c — protocol value escaping: exact round trips of hostile bytes */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "ph-tap.h"
#include "ph-escape.h"
#include "ph-protocol.h"

static bool
escapes_to (const char *in,
            size_t      len,
            const char *expected)
{
  PhBuf out = PH_BUF_INIT;
  bool ok;

  ph_escape_append (&out, in, len);
  ok = out.data != NULL ? strcmp (out.data, expected) == 0 : expected[0] == '\0';
  if (!ok)
    ph_tap_diag ("got '%s', wanted '%s'", out.data ? out.data : "", expected);
  ph_buf_free (&out);
  return ok;
}

/* Valid UTF-8 with no control byte: escaping it again only doubles its backslashes. */
static bool
is_clean (const char *s,
          size_t      len)
{
  PhBuf again = PH_BUF_INIT, doubled = PH_BUF_INIT;
  bool same;

  ph_escape_append (&again, s, len);
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] == '\\')
        ph_buf_append_c (&doubled, '\\');
      ph_buf_append_c (&doubled, s[i]);
    }
  same = again.len == doubled.len && (len == 0 || memcmp (again.data, doubled.data, again.len) == 0);
  ph_buf_free (&again);
  ph_buf_free (&doubled);
  return same;
}

static bool
round_trips (const char *in,
             size_t      len)
{
  PhBuf esc = PH_BUF_INIT, back = PH_BUF_INIT;
  bool ok;

  ph_escape_append (&esc, in, len);
  ok = is_clean (esc.data ? esc.data : "", esc.len)
       && ph_unescape (esc.data ? esc.data : "", esc.len, &back)
       && back.len == len && (len == 0 || memcmp (back.data, in, len) == 0);
  ph_buf_free (&esc);
  ph_buf_free (&back);
  return ok;
}

static uint32_t
next_random (uint32_t *state)
{
  /* xorshift32: a fixed sequence, so a failure is reproducible. */
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

int
main (void)
{
  static const char nul_args[] = "node\0--port=3000\0/srv/app";
  static const char hostile[] = "a\tb\nc\\d\r\x01\x7f\x1b[31m\xff\xfe\xc3\x28\xe2\x82\xa1"
                                "\xf0\x90\x80\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80";

  ph_tap_ok (escapes_to ("plain text", 10, "plain text"), "plain ASCII is copied");
  ph_tap_ok (escapes_to ("a\tb", 3, "a\\tb"), "TAB becomes \\t");
  ph_tap_ok (escapes_to ("a\nb", 3, "a\\nb"), "newline becomes \\n");
  ph_tap_ok (escapes_to ("a\\b", 3, "a\\\\b"), "backslash is doubled");
  ph_tap_ok (escapes_to (nul_args, sizeof nul_args - 1, "node\\x00--port=3000\\x00/srv/app"),
             "NUL between arguments becomes \\x00");
  ph_tap_ok (escapes_to ("\r\x01\x1f\x7f", 4, "\\x0d\\x01\\x1f\\x7f"),
             "control bytes and DEL become \\xHH in lower case");
  ph_tap_ok (escapes_to ("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", 14,
                         "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7"),
             "well-formed UTF-8 (2, 3 and 4 bytes) is copied");
  ph_tap_ok (escapes_to ("\xff\xfe", 2, "\\xff\\xfe"), "bytes that are never UTF-8");
  ph_tap_ok (escapes_to ("\xc3\x28", 2, "\\xc3("), "a lead byte without continuation");
  ph_tap_ok (escapes_to ("\xc0\xaf", 2, "\\xc0\\xaf"), "an overlong form");
  ph_tap_ok (escapes_to ("\xed\xa0\x80", 3, "\\xed\\xa0\\x80"), "an encoded surrogate");
  ph_tap_ok (escapes_to ("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"), "beyond U+10FFFF");
  ph_tap_ok (escapes_to ("\xe2\x82", 2, "\\xe2\\x82"), "a sequence cut at the end");
  ph_tap_ok (escapes_to ("", 0, ""), "the empty value");

  ph_tap_ok (round_trips (hostile, sizeof hostile - 1), "hostile bytes round-trip exactly");
  ph_tap_ok (round_trips (nul_args, sizeof nul_args), "a command line with NULs round-trips");

  {
    char all[256];
    bool ok;

    for (int i = 0; i < 256; i++)
      all[i] = (char) i;
    ok = round_trips (all, sizeof all);
    ph_tap_ok (ok, "every byte value round-trips");
  }

  {
    uint32_t state = 0x9e3779b9u;
    bool ok = true;

    for (int n = 0; n < 2000 && ok; n++)
      {
        char buf[64];
        size_t len = next_random (&state) % sizeof buf;

        for (size_t i = 0; i < len; i++)
          {
            uint32_t r = next_random (&state);

            /* Bias towards the interesting bytes. */
            buf[i] = (char) ((r & 3) == 0 ? "\t\n\\\x00\xc3\xe2\xf0\x80"[r >> 2 & 7]
                                          : (char) (r >> 8));
          }
        ok = round_trips (buf, len);
        if (!ok)
          ph_tap_diag ("failed on random string %d", n);
      }
    ph_tap_ok (ok, "2000 random byte strings round-trip");
  }

  {
    PhBuf out = PH_BUF_INIT;

    ph_tap_ok (!ph_unescape ("a\\", 2, &out), "a lone backslash at the end is rejected");
    ph_buf_clear (&out);
    ph_tap_ok (!ph_unescape ("\\q", 2, &out), "an unknown escape is rejected");
    ph_buf_clear (&out);
    ph_tap_ok (!ph_unescape ("\\x4", 3, &out), "a short \\x escape is rejected");
    ph_buf_clear (&out);
    ph_tap_ok (!ph_unescape ("\\xzz", 4, &out), "a \\x escape with non-hex digits is rejected");
    ph_buf_clear (&out);
    ph_tap_ok (ph_unescape ("\\x41\\t", 6, &out) && strcmp (out.data, "A\t") == 0,
               "\\x41\\t unescapes to 'A' TAB");
    ph_buf_free (&out);
  }

  {
    PhBuf rec = PH_BUF_INIT;

    ph_rec_start (&rec, PH_RECORD_PROC);
    ph_rec_u64 (&rec, "pid", 42);
    ph_rec_str (&rec, "comm", "evil\tname\n");
    ph_rec_str (&rec, "exe", NULL);
    ph_rec_mem (&rec, "cmdline", nul_args, 4 + 1 + 11);
    ph_rec_end (&rec);
    ph_tap_ok (strcmp (rec.data, "PROC\tpid=42\tcomm=evil\\tname\\n\tcmdline=node\\x00--port=3000\n")
               == 0, "a record: fields escaped, unknown value left out, one line");
    ph_buf_free (&rec);
  }

  return ph_tap_done_testing ();
}
