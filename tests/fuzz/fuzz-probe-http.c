/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-probe-http.c: whatever a local server answers to the probe's HTTP request (status
 * line, headers, HTML title); every text kept must be short and display-safe */
#include "ph-fuzz.h"
#include "ph-probe-private.h"
#include "ph-protocol-reader.h"

void ph_fuzz_check_probe_result (PhProbeResult *result);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PhProbeResult) result = NULL;
  gboolean tls = size > 0 && (data[0] & 1);

  if (size > PH_PROBE_READ_LIMIT)
    return 0;   /* the probe never reads more */
  (void) ph_probe_http_response_complete (data, size);
  result = ph_probe_parse_http (data, size, tls);
  if (result == NULL)
    return 0;   /* not HTTP */
  ph_fuzz_check_probe_result (result);
  (void) ph_probe_http_says_use_tls (result, data, size);
  return 0;
}
