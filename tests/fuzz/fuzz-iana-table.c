/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-iana-table.c: the compact IANA table's loader and lookup (the table is built from
 * data/iana-ports.tsv by ph-iana-compact.py at build time and compiled in; a corrupt one must
 * be refused, never read out of bounds). Input: two bytes of port, one of protocol, then
 * the table. */
#include "ph-fuzz.h"
#include "ph-port-info.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) services = NULL;
  guint port;

  if (size < 3)
    return 0;
  port = (guint) (data[0] << 8 | data[1]);
  bytes = g_bytes_new (data + 3, size - 3);
  services = ph_iana_lookup_in (bytes, port, (data[2] & 1) ? PH_PORT_PROTOCOL_UDP
                                                            : PH_PORT_PROTOCOL_TCP);
  for (guint i = 0; services != NULL && i < services->len; i++)
    {
      const PhIanaService *s = &g_array_index (services, PhIanaService, i);

      PH_FUZZ_ASSERT (s->name != NULL && s->description != NULL, "strings are in the table");
      (void) strlen (s->name);
      (void) strlen (s->description);
    }
  return 0;
}
