/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-procnet.c — the /proc/net parser on captured files, malformed lines included */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ph-tap.h"
#include "ph-sock.h"

static char fixtures[4096];

static const PhSock *
find_inode (const PhSockList *list,
            uint64_t          inode)
{
  for (size_t i = 0; i < list->n_socks; i++)
    {
      if (list->socks[i].inode == inode)
        return &list->socks[i];
    }
  return NULL;
}

static bool
sock_is (const PhSock *s,
         const char   *addr,
         uint16_t      port,
         uint32_t      uid)
{
  char text[64];

  if (s == NULL)
    return false;
  ph_sock_format_addr (s, text, sizeof text);
  if (strcmp (text, addr) != 0 || s->port != port || s->uid != uid)
    {
      ph_tap_diag ("got %s port %u uid %u", text, s->port, s->uid);
      return false;
    }
  return true;
}

static void
test_captured (void)
{
  PhSockList list = { 0 };
  PhBuf scratch = PH_BUF_INIT;
  long r;

  r = ph_procnet_read_one (fixtures, PH_PROTO_TCP, 4, &list, &scratch);
  ph_tap_ok (r == 0, "tcp: no malformed line (got %ld)", r);
  r = ph_procnet_read_one (fixtures, PH_PROTO_TCP, 6, &list, &scratch);
  ph_tap_ok (r == 0, "tcp6: no malformed line (got %ld)", r);
  r = ph_procnet_read_one (fixtures, PH_PROTO_UDP, 4, &list, &scratch);
  ph_tap_ok (r == 0, "udp: no malformed line (got %ld)", r);
  r = ph_procnet_read_one (fixtures, PH_PROTO_UDP, 6, &list, &scratch);
  ph_tap_ok (r == 0, "udp6: no malformed line (got %ld)", r);
  ph_sock_list_count_conns (&list);

  ph_tap_ok (list.n_socks == 11, "11 listeners in the captured files (got %zu)", list.n_socks);
  ph_tap_ok (list.n_conns == 10, "10 established TCP sockets kept for counting (got %zu)",
             list.n_conns);

  ph_tap_ok (sock_is (find_inode (&list, 160141), "127.0.0.1", 8080, 0), "tcp 127.0.0.1:8080");
  ph_tap_ok (find_inode (&list, 160141)->conns == 2, "127.0.0.1:8080 has 2 connections");
  ph_tap_ok (sock_is (find_inode (&list, 640), "0.0.0.0", 2024, 0), "tcp 0.0.0.0:2024");
  ph_tap_ok (find_inode (&list, 640)->conns == 0, "0.0.0.0:2024 has no connection");
  ph_tap_ok (sock_is (find_inode (&list, 160142), "0.0.0.0", 5432, 0), "tcp 0.0.0.0:5432");
  ph_tap_ok (sock_is (find_inode (&list, 160144), "::", 8443, 0), "tcp6 [::]:8443");
  ph_tap_ok (find_inode (&list, 160144)->conns == 2,
             "[::]:8443 counts an IPv6 and an IPv4-mapped connection (got %u)",
             find_inode (&list, 160144)->conns);
  ph_tap_ok (find_inode (&list, 160144)->v6only == -1, "v6only is unknown on /proc/net");
  ph_tap_ok (sock_is (find_inode (&list, 160145), "::", 9000, 0), "tcp6 [::]:9000");
  ph_tap_ok (sock_is (find_inode (&list, 160143), "::1", 3000, 0), "tcp6 [::1]:3000");
  ph_tap_ok (find_inode (&list, 159202)->conns == 1, "[::1]:45217 has 1 connection");
  ph_tap_ok (sock_is (find_inode (&list, 160146), "127.0.0.53", 53, 0), "udp 127.0.0.53:53");
  ph_tap_ok (find_inode (&list, 160146)->proto == PH_PROTO_UDP, "127.0.0.53:53 is UDP");
  ph_tap_ok (sock_is (find_inode (&list, 160147), "0.0.0.0", 5353, 0), "udp 0.0.0.0:5353");
  ph_tap_ok (find_inode (&list, 160158) == NULL, "a connected UDP socket is not a listener");
  ph_tap_ok (sock_is (find_inode (&list, 160148), "::", 5353, 0), "udp6 [::]:5353");
  ph_tap_ok (sock_is (find_inode (&list, 160149), "::1", 6000, 0), "udp6 [::1]:6000");
  ph_tap_ok (find_inode (&list, 160149)->family == 6, "[::1]:6000 is IPv6");

  ph_sock_list_free (&list);
  ph_buf_free (&scratch);
}

static void
test_malformed (void)
{
  PhSockList list = { 0 };
  PhBuf text = PH_BUF_INIT;
  char path[4200];
  size_t bad;

  snprintf (path, sizeof path, "%s/tcp-malformed", fixtures);
  if (!ph_tap_ok (ph_read_file_at (AT_FDCWD, path, &text, 0) == 0, "read tcp-malformed"))
    return;
  bad = ph_procnet_parse (text.data, text.len, PH_PROTO_TCP, 4, &list);
  ph_tap_ok (bad == 10, "10 malformed lines skipped (got %zu)", bad);
  ph_tap_ok (list.n_socks == 4, "the 4 valid listeners around them are kept (got %zu)",
             list.n_socks);
  ph_tap_ok (sock_is (find_inode (&list, 160141), "127.0.0.1", 8080, 0), "first line");
  ph_tap_ok (sock_is (find_inode (&list, 170010), "127.0.0.1", 8089, 1000), "uid 1000");
  ph_tap_ok (sock_is (find_inode (&list, 170011), "127.0.0.1", 8090, 1001),
             "a tab-separated line");
  ph_tap_ok (sock_is (find_inode (&list, 170012), "127.0.0.1", 8091, 0),
             "the last line without a newline");

  /* Every prefix of the file: a read cut short anywhere must never crash or invent. */
  {
    bool sane = true;

    for (size_t cut = 0; cut <= text.len; cut++)
      {
        PhSockList part = { 0 };

        ph_procnet_parse (text.data, cut, PH_PROTO_TCP, 4, &part);
        for (size_t i = 0; i < part.n_socks; i++)
          sane &= part.socks[i].inode != 0 && part.socks[i].port >= 8080;
        ph_sock_list_free (&part);
      }
    ph_tap_ok (sane, "every truncation of the file parses to sane listeners only");
  }
  /* The IPv4 file read as IPv6 (wrong address length): every line is malformed. */
  ph_sock_list_clear (&list);
  bad = ph_procnet_parse (text.data, text.len, PH_PROTO_TCP, 6, &list);
  ph_tap_ok (list.n_socks == 0 && bad == 14, "IPv4 lines are not taken as IPv6 (%zu bad)", bad);

  ph_sock_list_free (&list);
  ph_buf_free (&text);
}

static void
test_line_kinds (void)
{
  PhSock s;
  PhConn c;
  const char *udp_connected =
    "11987: 0100007F:8B8F 0100007F:14E9 01 00000000:00000000 00:00000000 00000000     0"
    "        0 160158 2 0000000085c21d2d 0";
  const char *udp_unbound =
    "   1: 00000000:0000 00000000:0000 07 00000000:00000000 00:00000000 00000000     0"
    "        0 160159 2 0000000085c21d2d 0";
  const char *header = "  sl  local_address rem_address   st tx_queue rx_queue tr";

  ph_tap_ok (ph_procnet_parse_line (header, strlen (header), PH_PROTO_TCP, 4, &s, &c)
             == PH_PROCNET_SKIP, "the header line is skipped");
  ph_tap_ok (ph_procnet_parse_line (udp_connected, strlen (udp_connected), PH_PROTO_UDP, 4,
                                    &s, &c) == PH_PROCNET_SKIP, "a connected UDP socket");
  ph_tap_ok (ph_procnet_parse_line (udp_unbound, strlen (udp_unbound), PH_PROTO_UDP, 4,
                                    &s, &c) == PH_PROCNET_SKIP, "an unbound UDP socket");
}

/* The running kernel's own files: a socket of ours must be there. */
static void
test_live (void)
{
  int fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  socklen_t len = sizeof sa;
  PhSockList list = { 0 };
  PhBuf scratch = PH_BUF_INIT;
  bool found = false;

  if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 || listen (fd, 1) < 0)
    {
      ph_tap_skip (1, "no IPv6 loopback here");
      if (fd >= 0)
        close (fd);
      return;
    }
  getsockname (fd, (struct sockaddr *) &sa, &len);
  ph_procnet_read_one ("/proc/net", PH_PROTO_TCP, 6, &list, &scratch);
  for (size_t i = 0; i < list.n_socks; i++)
    {
      char text[64];

      ph_sock_format_addr (&list.socks[i], text, sizeof text);
      found |= list.socks[i].port == ntohs (sa.sin6_port) && strcmp (text, "::1") == 0
               && list.socks[i].uid == (uint32_t) geteuid ();
    }
  ph_tap_ok (found, "our listener on [::1]:%u is in /proc/net/tcp6", ntohs (sa.sin6_port));
  close (fd);
  ph_sock_list_free (&list);
  ph_buf_free (&scratch);
}

int
main (void)
{
  const char *tests = getenv ("G_TEST_SRCDIR");

  if (tests == NULL)
    ph_tap_bail_out ("G_TEST_SRCDIR is not set (run the tests with meson test)");
  snprintf (fixtures, sizeof fixtures, "%s/fixtures/procnet", tests);
  test_captured ();
  test_malformed ();
  test_line_kinds ();
  test_live ();
  return ph_tap_done_testing ();
}
