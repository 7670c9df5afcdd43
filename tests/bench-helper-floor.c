/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-helper-floor.c — the floor for the helper's refresh: a bare sock_diag dump */

/*
 * `bench-helper --dump-floor` runs this instead of the benchmark: for every line on
 * stdin it makes the dumps porthole-helper makes on a refresh (TCP listeners and
 * connections of both families in one TCPDIAG_GETSOCK request, then UDP over IPv4 and
 * IPv6) and prints "END\tsockets=N" for the sockets it saw, parsing nothing else. Timed
 * like the helper's refresh (a line on a pipe in, an END line out), it is what a refresh
 * cannot go below: the kernel's part of the work.
 */

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-helper.h"

#define TCP_ESTABLISHED_STATE 1
#define TCP_LISTEN_STATE      10
#define TCP_CLOSE_STATE       7

static char rbuf[64 * 1024];
static unsigned seq;

static long
run_dump (int              fd,
          struct nlmsghdr *req)
{
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
  long n_socks = 0;

  req->nlmsg_seq = ++seq;
  if (sendto (fd, req, req->nlmsg_len, 0, (struct sockaddr *) &sa, sizeof sa) < 0)
    return -1;
  for (;;)
    {
      ssize_t n = recv (fd, rbuf, sizeof rbuf, 0);
      size_t len;

      if (n <= 0)
        {
          if (n < 0 && errno == EINTR)
            continue;
          return -1;
        }
      len = (size_t) n;
      for (struct nlmsghdr *h = (struct nlmsghdr *) rbuf; NLMSG_OK (h, len);
           h = NLMSG_NEXT (h, len))
        {
          if (h->nlmsg_type == NLMSG_DONE)
            return n_socks;
          if (h->nlmsg_type == NLMSG_ERROR)
            return -1;
          n_socks++;
        }
    }
}

/* The whole of one refresh's kernel work; not inlined, so callgrind can count it. */
static long __attribute__ ((noinline))
floor_dump (int fd)
{
  struct
  {
    struct nlmsghdr      nlh;
    struct inet_diag_req r;
  } tcp;
  struct
  {
    struct nlmsghdr         nlh;
    struct inet_diag_req_v2 r;
  } udp;
  long total, n;

  memset (&tcp, 0, sizeof tcp);
  tcp.nlh.nlmsg_len = sizeof tcp;
  tcp.nlh.nlmsg_type = TCPDIAG_GETSOCK;
  tcp.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  tcp.r.idiag_states = 1u << TCP_LISTEN_STATE | 1u << TCP_ESTABLISHED_STATE;
  total = run_dump (fd, &tcp.nlh);
  for (int family = 0; family < 2 && total >= 0; family++)
    {
      memset (&udp, 0, sizeof udp);
      udp.nlh.nlmsg_len = sizeof udp;
      udp.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
      udp.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
      udp.r.sdiag_family = family == 0 ? AF_INET : AF_INET6;
      udp.r.sdiag_protocol = IPPROTO_UDP;
      udp.r.idiag_states = 1u << TCP_CLOSE_STATE;
      n = run_dump (fd, &udp.nlh);
      total = n < 0 ? -1 : total + n;
    }
  return total;
}

int
floor_main (void)
{
  char line[256];
  int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

  if (fd < 0)
    {
      fprintf (stderr, "bench-helper --dump-floor: no sock_diag: %s\n", strerror (errno));
      return 1;
    }
  setvbuf (stdout, NULL, _IOLBF, 0);
  /* The first dump answers at once, as the helper's first snapshot does. */
  do
    printf ("END\tsockets=%ld\n", floor_dump (fd));
  while (fgets (line, sizeof line, stdin) != NULL);
  close (fd);
  return 0;
}
