/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-data-files.c: the port data files' loaders (data/ports-common.ini,
 * data/probe-rules.ini, data/dev-servers.ini, data/daemons.ini) and the ephemeral port range
 * file. First byte: which loader; a broken file must give an error, never a crash. */
#include "ph-app-identity.h"
#include "ph-fuzz.h"
#include "ph-port-info.h"
#include "ph-probe-private.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  const char *text;
  gsize len;

  if (size < 1)
    return 0;
  text = (const char *) data + 1;
  len = size - 1;

  switch (data[0] % 5)
    {
    case 0:
      {
        g_autoptr(GBytes) bytes = g_bytes_new (text, len);
        g_autoptr(GPtrArray) ports = ph_common_ports_parse (bytes, &error);

        PH_FUZZ_ASSERT ((ports == NULL) == (error != NULL), "ports or an error");
      }
      break;
    case 1:
      {
        g_autoptr(GPtrArray) rules = ph_probe_rules_parse (text, len, &error);

        PH_FUZZ_ASSERT ((rules == NULL) == (error != NULL), "probe rules or an error");
      }
      break;
    case 2:
      {
        guint n = ph_app_identity_check_rules (text, len, &error);

        PH_FUZZ_ASSERT ((n == 0) == (error != NULL), "dev rules or an error");
      }
      break;
    case 3:
      {
        guint n = ph_app_identity_check_daemons (text, len, &error);

        PH_FUZZ_ASSERT ((n == 0) == (error != NULL), "daemons or an error");
      }
      break;
    default:
      {
        g_autofree char *copy = ph_fuzz_strndup ((const guint8 *) text, len);
        PhPortRange range;

        if (ph_port_range_parse (copy, &range, &error))
          PH_FUZZ_ASSERT (range.first <= range.last && range.last <= 65535, "a range");
      }
      break;
    }
  return 0;
}
