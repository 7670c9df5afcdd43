/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-procnet.c: /proc/net/{tcp,tcp6,udp,udp6} contents, as the helper's procfs path reads
 * them (first byte: which of the four files) */
#include "ph-fuzz.h"
#include "ph-sock.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PhSockList list = { 0 };
  PhProto proto;
  int family;
  size_t malformed;

  if (size < 1)
    return 0;
  proto = (data[0] & 1) ? PH_PROTO_UDP : PH_PROTO_TCP;
  family = (data[0] & 2) ? 6 : 4;
  malformed = ph_procnet_parse ((const char *) data + 1, size - 1, proto, family, &list);
  PH_FUZZ_ASSERT (malformed <= size, "at most one malformed line per byte");
  for (size_t i = 0; i < list.n_socks; i++)
    {
      char addr[128];

      PH_FUZZ_ASSERT (list.socks[i].family == family, "the family is the file's");
      PH_FUZZ_ASSERT (list.socks[i].proto == proto, "the protocol is the file's");
      ph_sock_format_addr (&list.socks[i], addr, sizeof addr);
      PH_FUZZ_ASSERT (strlen (addr) < sizeof addr, "the address fits");
    }
  ph_sock_list_count_conns (&list);
  ph_sock_list_free (&list);
  return 0;
}
