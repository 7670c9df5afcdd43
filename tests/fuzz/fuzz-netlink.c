/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-netlink.c: one NETLINK_SOCK_DIAG datagram as the helper parses it (first byte: TCP
 * or UDP; the rest is the datagram, copied to an aligned buffer as recv() fills one) */
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include "ph-fuzz.h"
#include "ph-sock.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PhSockList list = { 0 };
  void *buf;
  int proto;
  int rc;

  if (size < 1)
    return 0;
  proto = (data[0] & 1) ? IPPROTO_UDP : IPPROTO_TCP;
  buf = malloc (size);   /* malloc aligns for any type, as the kernel's buffer is */
  memcpy (buf, data + 1, size - 1);
  rc = ph_netlink_parse_dump (buf, size - 1, 1, SOCK_DIAG_BY_FAMILY, proto, &list);
  PH_FUZZ_ASSERT (rc <= 1, "a dump step is more, done or an error");
  for (size_t i = 0; i < list.n_socks; i++)
    {
      char addr[128];

      PH_FUZZ_ASSERT (list.socks[i].family == 4 || list.socks[i].family == 6,
                      "only IPv4 and IPv6 sockets are kept");
      ph_sock_format_addr (&list.socks[i], addr, sizeof addr);
    }
  ph_sock_list_count_conns (&list);
  ph_sock_list_free (&list);
  free (buf);
  return 0;
}
