/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-probe-check.c: what every probe result must be, whatever the server sent */
#include "ph-fuzz.h"
#include "ph-probe-private.h"
#include "ph-protocol-reader.h"

static void
check_text (const char *text,
            const char *what)
{
  if (text == NULL)
    return;
  PH_FUZZ_ASSERT (ph_protocol_is_display_safe (text, -1), what);
  PH_FUZZ_ASSERT (g_utf8_strlen (text, -1) <= PH_PROBE_READ_LIMIT, what);
}

void ph_fuzz_check_probe_result (PhProbeResult *result);

void
ph_fuzz_check_probe_result (PhProbeResult *result)
{
  PH_FUZZ_ASSERT (result != NULL, "a probe always has a result");
  check_text (result->summary, "summary");
  check_text (result->protocol, "protocol");
  check_text (result->reason_phrase, "reason phrase");
  check_text (result->server, "server");
  check_text (result->title, "title");
  check_text (result->location, "location");
  check_text (result->banner, "banner");
  PH_FUZZ_ASSERT (result->title == NULL || g_utf8_strlen (result->title, -1)
                  <= PH_PROBE_TEXT_LIMIT + 1, "a title is cut");
  PH_FUZZ_ASSERT (result->server == NULL || g_utf8_strlen (result->server, -1)
                  <= PH_PROBE_TEXT_LIMIT + 1, "a server name is cut");
}

