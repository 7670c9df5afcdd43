/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock.h — listening sockets from NETLINK_SOCK_DIAG or /proc/net */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ph-buf.h"

typedef enum
{
  PH_PROTO_TCP = 6,
  PH_PROTO_UDP = 17,
} PhProto;

typedef struct
{
  uint64_t inode;
  uint64_t cgroup_id;     /* 0 when the kernel does not say */
  uint32_t uid;
  uint32_t scope;         /* IPv6 interface index, 0 if none */
  uint32_t conns;         /* ESTABLISHED TCP sockets on the same local address and port */
  uint16_t port;
  uint8_t  proto;         /* PhProto */
  uint8_t  family;        /* 4 or 6 */
  int8_t   v6only;        /* -1 unknown, 0, 1 */
  uint8_t  addr[16];      /* 4 bytes used for IPv4 */
} PhSock;

/* A connected TCP socket, only kept to count connections per listener. */
typedef struct
{
  uint16_t port;
  uint8_t  family;
  uint8_t  addr[16];
} PhConn;

typedef struct
{
  PhSock *socks;
  size_t  n_socks, cap_socks;
  PhConn *conns;
  size_t  n_conns, cap_conns;
} PhSockList;

typedef enum
{
  PH_SCAN_TCP  = 1 << 0,
  PH_SCAN_UDP  = 1 << 1,
  PH_SCAN_IPV4 = 1 << 2,
  PH_SCAN_IPV6 = 1 << 3,
  PH_SCAN_ALL  = 0xf,
} PhScanFlags;

typedef void (*PhWarnFunc) (const char *code, const char *message, void *user_data);

PhSock *ph_sock_list_add      (PhSockList *list);
/* Makes room for @n listeners at once, where growing one by one would leave the heap
 * the smaller arrays it went through. */
void    ph_sock_list_reserve  (PhSockList *list, size_t n);
void    ph_sock_list_add_conn (PhSockList *list, uint8_t family, const uint8_t *addr,
                               uint16_t port);
void    ph_sock_list_clear    (PhSockList *list);
void    ph_sock_list_free     (PhSockList *list);

/* Fills each listener's conns from the list's connected sockets. */
void    ph_sock_list_count_conns (PhSockList *list);

/* Canonical text form of the address (inet_ntop), into @out of at least 46 bytes. */
void    ph_sock_format_addr   (const PhSock *sock, char *out, size_t size);

/* netlink: a persistent NETLINK_SOCK_DIAG socket. */
typedef struct
{
  int    fd;
  uint32_t seq;
  char  *rbuf;
  size_t rbuf_size;
} PhNetlink;

/* Returns 0, or -errno when NETLINK_SOCK_DIAG cannot be used. */
int     ph_netlink_open  (PhNetlink *nl);
void    ph_netlink_close (PhNetlink *nl);
/* Dumps the listeners of one protocol and family (4 or 6), and for TCP the ESTABLISHED
 * sockets used to count connections, appending to @list. Returns 0 or -errno; -ENOENT
 * means the kernel has no sock_diag handler for it (no IPv6, udp_diag not loaded). */
int     ph_netlink_dump_one (PhNetlink *nl, PhProto proto, int family, PhSockList *list);
/* TCP of both families in one dump (see ph-netlink.c); same results and errors. */
int     ph_netlink_dump_tcp_both (PhNetlink *nl, PhSockList *list);
int     ph_netlink_parse_dump (const void *buf, size_t len, uint32_t seq, uint16_t type,
                               int proto, PhSockList *list);

/* /proc/net/{tcp,tcp6,udp,udp6} */
typedef enum
{
  PH_PROCNET_SKIP,       /* a valid line that is not a listener (or the header) */
  PH_PROCNET_LISTENER,
  PH_PROCNET_CONN,       /* an ESTABLISHED TCP socket */
  PH_PROCNET_MALFORMED,
} PhProcnetLine;

PhProcnetLine ph_procnet_parse_line (const char *line, size_t len, PhProto proto,
                                     int family, PhSock *sock, PhConn *conn);
/* Parses one whole file's contents. Returns the number of malformed lines (each skipped). */
size_t  ph_procnet_parse  (const char *text, size_t len, PhProto proto, int family,
                           PhSockList *list);
/* Reads one of the files under @procnet_dir ("/proc/net" normally). Returns the number
 * of malformed lines skipped (>= 0), or -errno when the file cannot be read. */
long    ph_procnet_read_one (const char *procnet_dir, PhProto proto, int family,
                             PhSockList *list, PhBuf *scratch);
