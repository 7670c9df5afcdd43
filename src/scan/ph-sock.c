/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock.c — socket lists and counting established connections per listener */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "ph-map.h"
#include "ph-sock.h"

/* The listeners are mapped apart from the heap (56 bytes each: 1.1 MB at 20,000 sockets):
 * grown without a copy, and given back whole when freed, where malloc () would keep the
 * smaller arrays it went through, and the freed one, in the heap. */
static void
socks_resize (PhSockList *list,
              size_t      cap)
{
  void *p = list->socks == NULL
            ? mmap (NULL, cap * sizeof *list->socks, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            : mremap (list->socks, list->cap_socks * sizeof *list->socks,
                      cap * sizeof *list->socks, MREMAP_MAYMOVE);

  if (p == MAP_FAILED)
    abort ();
  list->socks = p;
  list->cap_socks = cap;
}

PhSock *
ph_sock_list_add (PhSockList *list)
{
  PhSock *s;

  if (list->n_socks == list->cap_socks)
    socks_resize (list, list->cap_socks ? list->cap_socks * 2 : 64);
  s = &list->socks[list->n_socks++];
  memset (s, 0, sizeof *s);
  s->v6only = -1;
  return s;
}

void
ph_sock_list_reserve (PhSockList *list,
                      size_t      n)
{
  if (list->cap_socks < n)
    socks_resize (list, n);
}

void
ph_sock_list_add_conn (PhSockList    *list,
                       uint8_t        family,
                       const uint8_t *addr,
                       uint16_t       port)
{
  PhConn *c;

  if (list->n_conns == list->cap_conns)
    {
      list->cap_conns = list->cap_conns ? list->cap_conns * 2 : 64;
      list->conns = ph_xrealloc (list->conns, list->cap_conns * sizeof *list->conns);
    }
  c = &list->conns[list->n_conns++];
  c->family = family;
  c->port = port;
  memcpy (c->addr, addr, family == 4 ? 4 : 16);
  if (family == 4)
    memset (c->addr + 4, 0, 12);
}

void
ph_sock_list_clear (PhSockList *list)
{
  list->n_socks = 0;
  list->n_conns = 0;
}

void
ph_sock_list_free (PhSockList *list)
{
  if (list->socks != NULL)
    munmap (list->socks, list->cap_socks * sizeof *list->socks);
  free (list->conns);
  memset (list, 0, sizeof *list);
}

static bool
addr_is_any (const uint8_t *addr,
             uint8_t        family)
{
  static const uint8_t zero[16] = { 0 };

  return memcmp (addr, zero, family == 4 ? 4 : 16) == 0;
}

void
ph_sock_list_count_conns (PhSockList *list)
{
  PhMap by_port = PH_MAP_INIT;
  size_t *next;

  for (size_t i = 0; i < list->n_socks; i++)
    list->socks[i].conns = 0;
  if (list->n_conns == 0)
    return;

  /* Chains of TCP listeners per (family, port); values are index + 1 so never NULL. */
  next = ph_xmalloc ((list->n_socks + 1) * sizeof *next);
  for (size_t i = 0; i < list->n_socks; i++)
    {
      PhSock *s = &list->socks[i];
      uint64_t key = (uint64_t) s->family << 16 | s->port;

      if (s->proto != PH_PROTO_TCP)
        continue;
      next[i] = (size_t) (uintptr_t) ph_map_get (&by_port, key);
      ph_map_set (&by_port, key, (void *) (uintptr_t) (i + 1));
    }

  for (size_t c = 0; c < list->n_conns; c++)
    {
      const PhConn *conn = &list->conns[c];
      uint64_t key = (uint64_t) conn->family << 16 | conn->port;
      size_t alen = conn->family == 4 ? 4 : 16;
      PhSock *exact = NULL;
      PhSock *any = NULL;

      for (size_t j = (size_t) (uintptr_t) ph_map_get (&by_port, key); j != 0; j = next[j - 1])
        {
          PhSock *s = &list->socks[j - 1];

          if (memcmp (s->addr, conn->addr, alen) == 0)
            exact = s;
          else if (addr_is_any (s->addr, s->family))
            any = s;
        }
      if (exact != NULL)
        exact->conns++;
      else if (any != NULL)
        any->conns++;
    }

  free (next);
  ph_map_clear (&by_port);
}

void
ph_sock_format_addr (const PhSock *sock,
                     char         *out,
                     size_t        size)
{
  /* IPv4 by hand: glibc's inet_ntop () formats it with sprintf (), 1,400 instructions of
   * the ~5,000 a SOCK record of a first snapshot cost. */
  if (sock->family == 4 && size >= 16)
    {
      char *o = out;

      for (int i = 0; i < 4; i++)
        {
          unsigned v = sock->addr[i];

          if (i > 0)
            *o++ = '.';
          if (v >= 100)
            *o++ = (char) ('0' + v / 100);
          if (v >= 10)
            *o++ = (char) ('0' + v / 10 % 10);
          *o++ = (char) ('0' + v % 10);
        }
      *o = '\0';
      return;
    }
  if (inet_ntop (sock->family == 4 ? AF_INET : AF_INET6, sock->addr, out,
                 (socklen_t) size) == NULL && size > 0)
    out[0] = '\0';
}
