/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-netlink.c — real sockets, seen through sock_diag and through /proc/net */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-tap.h"
#include "ph-sock.h"

typedef struct
{
  const char *name;
  int         family;
  int         type;
  const char *addr;
  int         v6only;     /* -1 leave the default */
  int         fd;
  uint16_t    port;
  uint64_t    inode;
  uint32_t    conns;      /* connections the test makes to it */
} Sock;

static Sock socks[] = {
  { "tcp 127.0.0.1", AF_INET, SOCK_STREAM, "127.0.0.1", -1, -1, 0, 0, 3 },
  { "tcp 0.0.0.0", AF_INET, SOCK_STREAM, "0.0.0.0", -1, -1, 0, 0, 1 },
  { "tcp ::1", AF_INET6, SOCK_STREAM, "::1", -1, -1, 0, 0, 0 },
  { "tcp :: dual-stack", AF_INET6, SOCK_STREAM, "::", 0, -1, 0, 0, 2 },
  { "tcp :: v6only", AF_INET6, SOCK_STREAM, "::", 1, -1, 0, 0, 0 },
  { "udp 127.0.0.1", AF_INET, SOCK_DGRAM, "127.0.0.1", -1, -1, 0, 0, 0 },
  { "udp ::1", AF_INET6, SOCK_DGRAM, "::1", -1, -1, 0, 0, 0 },
  { "udp :: v6only", AF_INET6, SOCK_DGRAM, "::", 1, -1, 0, 0, 0 },
};
#define N_SOCKS (sizeof socks / sizeof socks[0])

static int client_fds[16];
static size_t n_clients;

static bool
open_socket (Sock *s)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  struct stat st;

  s->fd = socket (s->family, s->type | SOCK_CLOEXEC, 0);
  if (s->fd < 0)
    return false;
  if (s->family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

      sin->sin_family = AF_INET;
      inet_pton (AF_INET, s->addr, &sin->sin_addr);
      len = sizeof *sin;
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

      sin6->sin6_family = AF_INET6;
      inet_pton (AF_INET6, s->addr, &sin6->sin6_addr);
      len = sizeof *sin6;
      if (s->v6only >= 0)
        setsockopt (s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &s->v6only, sizeof s->v6only);
    }
  if (bind (s->fd, (struct sockaddr *) &ss, len) < 0)
    return false;
  if (s->type == SOCK_STREAM && listen (s->fd, 16) < 0)
    return false;
  getsockname (s->fd, (struct sockaddr *) &ss, &len);
  s->port = ntohs (s->family == AF_INET ? ((struct sockaddr_in *) &ss)->sin_port
                                        : ((struct sockaddr_in6 *) &ss)->sin6_port);
  if (fstat (s->fd, &st) < 0)
    return false;
  s->inode = st.st_ino;
  return true;
}

static void
connect_to (int         family,
            const char *addr,
            uint16_t    port)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;
  int fd = socket (family, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (family == AF_INET)
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

      sin->sin_family = AF_INET;
      sin->sin_port = htons (port);
      inet_pton (AF_INET, addr, &sin->sin_addr);
      len = sizeof *sin;
    }
  else
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons (port);
      inet_pton (AF_INET6, addr, &sin6->sin6_addr);
      len = sizeof *sin6;
    }
  if (fd < 0 || connect (fd, (struct sockaddr *) &ss, len) < 0)
    ph_tap_bail_out ("cannot connect to %s port %u: %s", addr, port, strerror (errno));
  client_fds[n_clients++] = fd;
}

static const PhSock *
find (const PhSockList *list,
      uint64_t          inode)
{
  for (size_t i = 0; i < list->n_socks; i++)
    {
      if (list->socks[i].inode == inode)
        return &list->socks[i];
    }
  return NULL;
}

/* The cgroup v2 ID of a socket is the inode of the creating process's cgroup directory. */
static uint64_t
own_cgroup_id (void)
{
  PhBuf text = PH_BUF_INIT;
  char path[4096] = "";
  const char *mounts[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
  uint64_t id = 0;

  if (ph_read_file_at (AT_FDCWD, "/proc/self/cgroup", &text, 0) == 0)
    {
      const char *v2 = strstr (text.data, "0::");

      if (v2 != NULL && (v2 == text.data || v2[-1] == '\n'))
        sscanf (v2 + 3, "%4095[^\n]", path);
    }
  ph_buf_free (&text);
  for (size_t i = 0; i < 2 && path[0] != '\0'; i++)
    {
      char full[8192];
      struct stat st;

      snprintf (full, sizeof full, "%s%s/cgroup.procs", mounts[i], path);
      if (access (full, F_OK) != 0)
        continue;
      snprintf (full, sizeof full, "%s%s", mounts[i], path);
      if (stat (full, &st) == 0)
        {
          id = st.st_ino;
          break;
        }
    }
  return id;
}

static void
check_list (const char       *source,
            const PhSockList *list,
            bool              netlink)
{
  for (size_t i = 0; i < N_SOCKS; i++)
    {
      const Sock *s = &socks[i];
      const PhSock *got = find (list, s->inode);
      char addr[64] = "";
      bool ok;

      if (got != NULL)
        ph_sock_format_addr (got, addr, sizeof addr);
      ok = got != NULL && strcmp (addr, s->addr) == 0 && got->port == s->port
           && got->proto == (s->type == SOCK_STREAM ? PH_PROTO_TCP : PH_PROTO_UDP)
           && got->family == (s->family == AF_INET ? 4 : 6)
           && got->uid == (uint32_t) geteuid ();
      ph_tap_ok (ok, "%s: %s port %u found with address, protocol and uid", source, s->name,
                 s->port);
      if (got == NULL)
        continue;
      ph_tap_ok (got->conns == s->conns, "%s: %s has %u connections (got %u)", source, s->name,
                 s->conns, got->conns);
      if (s->family == AF_INET6)
        {
          /* A specific IPv6 address is always v6-only; "::" has what was set. */
          int want = netlink ? (strcmp (s->addr, "::") == 0 ? s->v6only : 1) : -1;

          ph_tap_ok (got->v6only == want, "%s: %s v6only=%d (got %d)", source, s->name, want,
                     got->v6only);
        }
    }
}

int
main (void)
{
  PhNetlink nl;
  PhSockList list = { 0 };
  PhBuf scratch = PH_BUF_INIT;
  int err;
  int udp_client;
  struct sockaddr_in sin = { .sin_family = AF_INET };
  struct stat st;
  uint64_t cgid;

  for (size_t i = 0; i < N_SOCKS; i++)
    {
      if (!open_socket (&socks[i]))
        return ph_tap_skip_all ("cannot open the test sockets (no IPv6?)");
    }
  for (int i = 0; i < 3; i++)
    connect_to (AF_INET, "127.0.0.1", socks[0].port);
  connect_to (AF_INET, "127.0.0.1", socks[1].port);
  connect_to (AF_INET6, "::1", socks[3].port);
  connect_to (AF_INET, "127.0.0.1", socks[3].port);
  /* A connected UDP socket is a client, not a listener. */
  udp_client = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sin.sin_port = htons (socks[5].port);
  inet_pton (AF_INET, "127.0.0.1", &sin.sin_addr);
  connect (udp_client, (struct sockaddr *) &sin, sizeof sin);
  fstat (udp_client, &st);

  err = ph_netlink_open (&nl);
  if (ph_tap_ok (err == 0, "NETLINK_SOCK_DIAG opens"))
    {
      for (int f = 4; f <= 6; f += 2)
        {
          ph_tap_ok (ph_netlink_dump_one (&nl, PH_PROTO_TCP, f, &list) == 0, "tcp%d dump", f);
          ph_tap_ok (ph_netlink_dump_one (&nl, PH_PROTO_UDP, f, &list) == 0, "udp%d dump", f);
        }
      ph_sock_list_count_conns (&list);
      check_list ("netlink", &list, true);
      ph_tap_ok (find (&list, st.st_ino) == NULL, "netlink: a connected UDP socket is left out");
      cgid = own_cgroup_id ();
      if (cgid != 0 && find (&list, socks[0].inode) != NULL
          && find (&list, socks[0].inode)->cgroup_id != 0)
        ph_tap_ok (find (&list, socks[0].inode)->cgroup_id == cgid,
                   "netlink: the cgroup ID is our cgroup v2 directory's inode (%llu)",
                   (unsigned long long) cgid);
      else
        ph_tap_skip (1, "no cgroup v2 ID from this kernel");
      ph_netlink_close (&nl);
    }

  ph_sock_list_clear (&list);
  for (int f = 4; f <= 6; f += 2)
    {
      ph_tap_ok (ph_procnet_read_one ("/proc/net", PH_PROTO_TCP, f, &list, &scratch) >= 0,
                 "/proc/net/tcp%s read", f == 6 ? "6" : "");
      ph_tap_ok (ph_procnet_read_one ("/proc/net", PH_PROTO_UDP, f, &list, &scratch) >= 0,
                 "/proc/net/udp%s read", f == 6 ? "6" : "");
    }
  ph_sock_list_count_conns (&list);
  check_list ("procfs", &list, false);
  ph_tap_ok (find (&list, st.st_ino) == NULL, "procfs: a connected UDP socket is left out");

  ph_sock_list_free (&list);
  ph_buf_free (&scratch);
  for (size_t i = 0; i < n_clients; i++)
    close (client_fds[i]);
  close (udp_client);
  for (size_t i = 0; i < N_SOCKS; i++)
    close (socks[i].fd);
  return ph_tap_done_testing ();
}
