/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-probe-banner.c: what a local server says first (SSH, SMTP, Redis, MySQL, … banners)
 * or answers inside or instead of TLS. Input: two bytes of port, then the bytes read. */
#include "ph-fuzz.h"
#include "ph-probe-private.h"
#include "ph-protocol-reader.h"

void ph_fuzz_check_probe_result (PhProbeResult *result);

static void
check_text (char       *text,
            gsize       max_chars,
            const char *what)
{
  PH_FUZZ_ASSERT (text != NULL, what);
  PH_FUZZ_ASSERT (ph_protocol_is_display_safe (text, -1), what);
  PH_FUZZ_ASSERT (g_utf8_strlen (text, -1) <= (glong) max_chars + 1, what);
  g_free (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint16 port;
  const guint8 *bytes;
  gsize len;

  if (size < 2 || size - 2 > PH_PROBE_READ_LIMIT)
    return 0;
  port = (guint16) (data[0] << 8 | data[1]);
  bytes = data + 2;
  len = size - 2;

  (void) ph_probe_banner_complete (bytes, len);
  (void) ph_probe_looks_like_tls_record (bytes, len);
  (void) ph_probe_looks_like_text (bytes, len);
  for (int tls = 0; tls < 2; tls++)
    {
      g_autoptr(PhProbeResult) result = ph_probe_classify_banner (bytes, len, port, tls);

      ph_fuzz_check_probe_result (result);
    }
  {
    g_autoptr(PhProbeResult) unknown = ph_probe_result_new_unknown (bytes, len);

    ph_fuzz_check_probe_result (unknown);
  }
  check_text (ph_probe_sanitize_text (bytes, len, PH_PROBE_TEXT_LIMIT), PH_PROBE_TEXT_LIMIT,
              "sanitized text");
  {
    char *line = ph_probe_greeting_line (bytes, len, len > 0 ? bytes[0] % 8 : 0);

    if (line != NULL)
      check_text (line, PH_PROBE_GREETING_LIMIT, "greeting line");
  }
  {
    char *hex = ph_probe_hex_preview (bytes, len);

    if (hex != NULL)
      check_text (hex, PH_PROBE_READ_LIMIT * 4, "hex preview");
  }
  return 0;
}
