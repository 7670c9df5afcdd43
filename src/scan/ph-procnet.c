/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-procnet.c — the /proc/net/{tcp,tcp6,udp,udp6} fallback, for kernels without sock_diag */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ph-sock.h"
#include "ph-escape.h"

#define MAX_TOKENS 10

typedef struct
{
  const char *p;
  size_t      len;
} Token;

static size_t
tokenize (const char *line,
          size_t      len,
          Token      *tokens)
{
  size_t n = 0;
  size_t i = 0;

  while (i < len && n < MAX_TOKENS)
    {
      size_t start;

      while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
      if (i >= len)
        break;
      start = i;
      while (i < len && line[i] != ' ' && line[i] != '\t')
        i++;
      tokens[n].p = line + start;
      tokens[n].len = i - start;
      n++;
    }
  return n;
}

static bool
parse_hex (const char *p,
           size_t      len,
           size_t      max_digits,
           uint64_t   *out)
{
  uint64_t v = 0;

  if (len == 0 || len > max_digits)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      int d = ph_hex_value (p[i]);

      if (d < 0)
        return false;
      v = v << 4 | (uint64_t) d;
    }
  *out = v;
  return true;
}

static bool
parse_dec (const char *p,
           size_t      len,
           uint64_t   *out)
{
  uint64_t v = 0;

  if (len == 0 || len > 19)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      if (p[i] < '0' || p[i] > '9')
        return false;
      v = v * 10 + (uint64_t) (p[i] - '0');
    }
  *out = v;
  return true;
}

/* "0100007F:1F90": the kernel prints each 32-bit word of the address as the host sees it,
 * so copying the words back in host order gives the address bytes in network order. */
static bool
parse_endpoint (const Token *t,
                int          family,
                uint8_t     *addr,
                uint16_t    *port)
{
  size_t hex_len = family == 4 ? 8 : 32;
  uint64_t v;

  if (t->len != hex_len + 5 || t->p[hex_len] != ':')
    return false;
  for (size_t w = 0; w < hex_len / 8; w++)
    {
      uint32_t word;

      if (!parse_hex (t->p + w * 8, 8, 8, &v))
        return false;
      word = (uint32_t) v;
      memcpy (addr + w * 4, &word, 4);
    }
  if (!parse_hex (t->p + hex_len + 1, 4, 4, &v))
    return false;
  *port = (uint16_t) v;
  return true;
}

PhProcnetLine
ph_procnet_parse_line (const char *line,
                       size_t      len,
                       PhProto     proto,
                       int         family,
                       PhSock     *sock,
                       PhConn     *conn)
{
  Token t[MAX_TOKENS];
  size_t n = tokenize (line, len, t);
  uint8_t addr[16] = { 0 };
  uint16_t port;
  uint64_t state, uid, inode;

  if (n == 0)
    return PH_PROCNET_SKIP;
  if (t[0].len == 2 && memcmp (t[0].p, "sl", 2) == 0)
    return PH_PROCNET_SKIP;
  if (n < MAX_TOKENS)
    return PH_PROCNET_MALFORMED;
  if (t[0].len < 2 || t[0].p[t[0].len - 1] != ':')
    return PH_PROCNET_MALFORMED;
  if (!parse_endpoint (&t[1], family, addr, &port))
    return PH_PROCNET_MALFORMED;
  if (!parse_hex (t[3].p, t[3].len, 2, &state))
    return PH_PROCNET_MALFORMED;
  if (!parse_dec (t[7].p, t[7].len, &uid) || uid > UINT32_MAX)
    return PH_PROCNET_MALFORMED;
  if (!parse_dec (t[9].p, t[9].len, &inode))
    return PH_PROCNET_MALFORMED;

  if (proto == PH_PROTO_TCP && state == 0x01)
    {
      conn->family = (uint8_t) family;
      conn->port = port;
      memcpy (conn->addr, addr, sizeof conn->addr);
      return PH_PROCNET_CONN;
    }
  if (!((proto == PH_PROTO_TCP && state == 0x0a) || (proto == PH_PROTO_UDP && state == 0x07)))
    return PH_PROCNET_SKIP;
  /* A UDP socket that is not bound to a port is not waiting for anything. */
  if (inode == 0 || (proto == PH_PROTO_UDP && port == 0))
    return PH_PROCNET_SKIP;

  memset (sock, 0, sizeof *sock);
  sock->proto = (uint8_t) proto;
  sock->family = (uint8_t) family;
  sock->port = port;
  memcpy (sock->addr, addr, sizeof sock->addr);
  sock->uid = (uint32_t) uid;
  sock->inode = inode;
  sock->v6only = -1;
  return PH_PROCNET_LISTENER;
}

size_t
ph_procnet_parse (const char *text,
                  size_t      len,
                  PhProto     proto,
                  int         family,
                  PhSockList *list)
{
  size_t malformed = 0;
  size_t i = 0;

  while (i < len)
    {
      const char *line = text + i;
      const char *nl = memchr (line, '\n', len - i);
      size_t line_len = nl ? (size_t) (nl - line) : len - i;
      PhSock sock;
      PhConn conn;

      switch (ph_procnet_parse_line (line, line_len, proto, family, &sock, &conn))
        {
        case PH_PROCNET_LISTENER:
          *ph_sock_list_add (list) = sock;
          break;
        case PH_PROCNET_CONN:
          ph_sock_list_add_conn (list, conn.family, conn.addr, conn.port);
          break;
        case PH_PROCNET_MALFORMED:
          malformed++;
          break;
        case PH_PROCNET_SKIP:
        default:
          break;
        }
      i += line_len + (nl ? 1 : 0);
    }
  return malformed;
}

long
ph_procnet_read_one (const char *procnet_dir,
                     PhProto     proto,
                     int         family,
                     PhSockList *list,
                     PhBuf      *scratch)
{
  char path[4096];
  int err;

  snprintf (path, sizeof path, "%s/%s%s", procnet_dir,
            proto == PH_PROTO_TCP ? "tcp" : "udp", family == 6 ? "6" : "");
  err = ph_read_file_at (AT_FDCWD, path, scratch, 0);
  if (err < 0)
    return err;
  return (long) ph_procnet_parse (scratch->data ? scratch->data : "", scratch->len, proto,
                                  family, list);
}
