/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-netlink.c — listeners from NETLINK_SOCK_DIAG dumps */
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ph-sock.h"

/* Older kernel headers lack these; the kernel simply does not send what it does not know. */
#ifndef INET_DIAG_SKV6ONLY
# define INET_DIAG_SKV6ONLY 11
#endif
#ifndef INET_DIAG_CGROUP_ID
# define INET_DIAG_CGROUP_ID 21
#endif

/* TCP states as the kernel numbers them (include/net/tcp_states.h). */
enum
{
  PH_TCP_ESTABLISHED = 1,
  PH_TCP_CLOSE = 7,
  PH_TCP_LISTEN = 10,
};

#define PH_NETLINK_RBUF (64 * 1024)

/* Opens the sock_diag socket without CAP_NET_ADMIN in its credentials. The kernel checks
 * that capability against the socket's opener (and the caller) for every dump, and with
 * it adds to each socket's message its mark and, for TCP, looks for MD5 keys and
 * upper-layer protocol info: nothing read here, and 8 of a listener's 124 bytes. So the
 * capability is left out of the effective set while the socket is made, then put back
 * (the helper is one thread); without it, or when that cannot be done, nothing changes. */
static int
open_without_net_admin (void)
{
  struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2], lean[2];
  bool dropped = false;
  int fd, err;

  if (syscall (SYS_capget, &hdr, data) == 0 && (data[0].effective & (1u << CAP_NET_ADMIN)))
    {
      memcpy (lean, data, sizeof lean);
      lean[0].effective &= ~(1u << CAP_NET_ADMIN);
      dropped = syscall (SYS_capset, &hdr, lean) == 0;
    }
  fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  err = errno;
  if (dropped)
    syscall (SYS_capset, &hdr, data);
  errno = err;
  return fd;
}

int
ph_netlink_open (PhNetlink *nl)
{
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

  memset (nl, 0, sizeof *nl);
  nl->fd = open_without_net_admin ();
  if (nl->fd < 0)
    return -errno;
  if (bind (nl->fd, (struct sockaddr *) &sa, sizeof sa) < 0)
    {
      int err = -errno;

      close (nl->fd);
      nl->fd = -1;
      return err;
    }
  return 0;
}

void
ph_netlink_close (PhNetlink *nl)
{
  if (nl->fd >= 0)
    close (nl->fd);
  nl->fd = -1;
  free (nl->rbuf);
  nl->rbuf = NULL;
  nl->rbuf_size = 0;
}

static void
parse_message (const struct nlmsghdr *h,
               int                    proto,
               PhSockList            *list)
{
  const struct inet_diag_msg *m = NLMSG_DATA (h);
  uint8_t family;
  PhSock *s;
  const struct rtattr *attr;
  int attr_len;

  if (h->nlmsg_len < NLMSG_LENGTH (sizeof *m))
    return;
  if (m->idiag_family == AF_INET)
    family = 4;
  else if (m->idiag_family == AF_INET6)
    family = 6;
  else
    return;

  if (proto == IPPROTO_TCP && m->idiag_state == PH_TCP_ESTABLISHED)
    {
      ph_sock_list_add_conn (list, family, (const uint8_t *) m->id.idiag_src,
                             ntohs (m->id.idiag_sport));
      return;
    }
  if (proto == IPPROTO_TCP && m->idiag_state != PH_TCP_LISTEN)
    return;
  if (proto == IPPROTO_UDP && m->idiag_state != PH_TCP_CLOSE)
    return;

  s = ph_sock_list_add (list);
  s->proto = proto == IPPROTO_TCP ? PH_PROTO_TCP : PH_PROTO_UDP;
  s->family = family;
  s->port = ntohs (m->id.idiag_sport);
  memcpy (s->addr, m->id.idiag_src, family == 4 ? 4 : 16);
  s->uid = m->idiag_uid;
  s->inode = m->idiag_inode;
  /* The kernel reports the bound interface for every family; only link-local IPv6
   * addresses need it to be meaningful. */
  if (family == 6 && s->addr[0] == 0xfe && (s->addr[1] & 0xc0) == 0x80)
    s->scope = m->id.idiag_if;

  attr = (const struct rtattr *) ((const char *) m + NLMSG_ALIGN (sizeof *m));
  attr_len = (int) h->nlmsg_len - (int) NLMSG_LENGTH (sizeof *m);
  for (; RTA_OK (attr, attr_len); attr = RTA_NEXT (attr, attr_len))
    {
      size_t payload = RTA_PAYLOAD (attr);

      if (attr->rta_type == INET_DIAG_SKV6ONLY && payload >= 1)
        s->v6only = *(const uint8_t *) RTA_DATA (attr) ? 1 : 0;
      else if (attr->rta_type == INET_DIAG_CGROUP_ID && payload >= sizeof (uint64_t))
        memcpy (&s->cgroup_id, RTA_DATA (attr), sizeof (uint64_t));
    }
}

/* One datagram of a dump answering request @seq of @type: its listeners go to @list.
 * Returns 1 when more datagrams follow, 0 at the end of the dump, or -errno. The messages
 * are the kernel's, but nothing here trusts their lengths. */
int
ph_netlink_parse_dump (const void *buf,
                       size_t      len,
                       uint32_t    seq,
                       uint16_t    type,
                       int         proto,
                       PhSockList *list)
{
  const char *p = buf;
  size_t left = len;

  /* Not NLMSG_OK/NLMSG_NEXT: a last message whose length is not a multiple of 4 would make
   * NLMSG_NEXT's size_t count wrap, and the next NLMSG_OK read past the buffer. */
  while (left >= sizeof (struct nlmsghdr))
    {
      const struct nlmsghdr *h = (const struct nlmsghdr *) p;
      size_t step;

      if (h->nlmsg_len < sizeof *h || h->nlmsg_len > left)
        break;
      step = NLMSG_ALIGN (h->nlmsg_len);
      if (step > left)
        step = left;
      p += step;
      left -= step;

      if (h->nlmsg_seq != seq)
        continue;
      if (h->nlmsg_type == NLMSG_DONE)
        {
          int err = 0;

          if (h->nlmsg_len >= NLMSG_LENGTH (sizeof (int)))
            memcpy (&err, NLMSG_DATA (h), sizeof err);
          return err < 0 ? err : 0;
        }
      if (h->nlmsg_type == NLMSG_ERROR)
        {
          const struct nlmsgerr *e = NLMSG_DATA (h);

          if (h->nlmsg_len < NLMSG_LENGTH (sizeof *e))
            return -EIO;
          return e->error < 0 ? e->error : -EIO;
        }
      if (h->nlmsg_type == type)
        parse_message (h, proto, list);
    }
  return 1;
}

/* Sends @req, a zeroed header of @size bytes with its request's fields after it, as a
 * dump request of @type, and parses the dump it starts; -ENOENT means no handler for
 * that request. */
static int
run_dump (PhNetlink             *nl,
          struct nlmsghdr       *req,
          size_t                 size,
          uint16_t               type,
          int                    proto,
          PhSockList            *list)
{
  uint32_t seq = ++nl->seq;

  req->nlmsg_len = (uint32_t) size;
  req->nlmsg_type = type;
  req->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req->nlmsg_seq = seq;
  for (;;)
    {
      /* send (), not sendto () with the kernel's address: a request with an address is
       * trusted as if its socket had the sender's rights, so the capability left out of
       * the socket (see open_without_net_admin ()) would count again. */
      if (send (nl->fd, req, req->nlmsg_len, 0) >= 0)
        break;
      if (errno != EINTR)
        return -errno;
    }

  if (nl->rbuf == NULL)
    {
      nl->rbuf_size = PH_NETLINK_RBUF;
      nl->rbuf = ph_xmalloc (nl->rbuf_size);
    }

  for (;;)
    {
      ssize_t n = recv (nl->fd, nl->rbuf, nl->rbuf_size, 0);
      int err;

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -errno;
        }
      if (n == 0)
        return -EIO;
      err = ph_netlink_parse_dump (nl->rbuf, (size_t) n, seq, req->nlmsg_type, proto, list);
      if (err <= 0)
        return err;
    }
}

/* One SOCK_DIAG_BY_FAMILY dump of one family. */
static int
dump_one (PhNetlink  *nl,
          int         family,
          int         proto,
          uint32_t    states,
          PhSockList *list)
{
  struct
  {
    struct nlmsghdr nlh;
    struct inet_diag_req_v2 r;
  } req;

  memset (&req, 0, sizeof req);
  req.r.sdiag_family = (uint8_t) family;
  req.r.sdiag_protocol = (uint8_t) proto;
  req.r.idiag_states = states;
  return run_dump (nl, &req.nlh, sizeof req, SOCK_DIAG_BY_FAMILY, proto, list);
}

int
ph_netlink_dump_tcp_both (PhNetlink  *nl,
                          PhSockList *list)
{
  /* The older TCPDIAG_GETSOCK request names no family, so the kernel answers for IPv4 and
   * IPv6 in one pass over its tables: the walk over the (mostly empty) hash of connected
   * sockets, the dearest part of a dump, is done once instead of twice. */
  struct
  {
    struct nlmsghdr nlh;
    struct inet_diag_req r;
  } req;

  memset (&req, 0, sizeof req);
  req.r.idiag_states = 1u << PH_TCP_LISTEN | 1u << PH_TCP_ESTABLISHED;
  return run_dump (nl, &req.nlh, sizeof req, TCPDIAG_GETSOCK, IPPROTO_TCP, list);
}

int
ph_netlink_dump_one (PhNetlink  *nl,
                     PhProto     proto,
                     int         family,
                     PhSockList *list)
{
  int af = family == 4 ? AF_INET : AF_INET6;

  if (proto == PH_PROTO_TCP)
    return dump_one (nl, af, IPPROTO_TCP, 1u << PH_TCP_LISTEN | 1u << PH_TCP_ESTABLISHED, list);
  return dump_one (nl, af, IPPROTO_UDP, 1u << PH_TCP_CLOSE, list);
}
