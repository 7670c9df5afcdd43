/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-address.h — reading what a user typed as an address, and what kind of address it is */
#pragma once

#include <gio/gio.h>

#include "ph-port-info.h"

G_BEGIN_DECLS

#define PH_ADDRESS_ERROR (ph_address_error_quark ())

typedef enum
{
  PH_ADDRESS_ERROR_EMPTY,         /* nothing typed */
  PH_ADDRESS_ERROR_BAD_PORT,      /* not a whole number, or above 65535 */
  PH_ADDRESS_ERROR_MISSING_PORT,  /* "127.0.0.1:" or ":" */
  PH_ADDRESS_ERROR_BAD_HOST,      /* "1.2.3", "abc", "::g" */
  PH_ADDRESS_ERROR_BRACKETS,      /* "[::1", "[::1]x", "[127.0.0.1]" */
  PH_ADDRESS_ERROR_BAD_PROTOCOL,  /* "80/sctp" */
} PhAddressError;

/* What ph_address_spec_parse() read. */
typedef struct
{
  char           *host;          /* IP address as GLib prints it, "localhost", or NULL when only
                                  * a port was given */
  char           *scope;         /* interface of a link-local IPv6 address ("eth0"), or NULL */
  GInetAddress   *address;       /* NULL for "localhost" and for a port alone */
  int             port;          /* 0–65535, or -1 when no port was given */
  gboolean        has_protocol;  /* "/tcp" or "/udp" was typed after it */
  PhPortProtocol  protocol;      /* TCP unless "/udp" was typed */
} PhAddressSpec;

typedef enum
{
  PH_ADDRESS_KIND_LOOPBACK,        /* 127.0.0.1 */
  PH_ADDRESS_KIND_LOOPBACK_OTHER,  /* the rest of 127.0.0.0/8 */
  PH_ADDRESS_KIND_LOOPBACK_IPV6,   /* ::1 */
  PH_ADDRESS_KIND_LOCALHOST,       /* the name "localhost" */
  PH_ADDRESS_KIND_ANY_IPV4,        /* 0.0.0.0 */
  PH_ADDRESS_KIND_ANY_IPV6,        /* :: */
  PH_ADDRESS_KIND_IPV4_MAPPED,     /* ::ffff:a.b.c.d */
  PH_ADDRESS_KIND_LINK_LOCAL,      /* 169.254.0.0/16, fe80::/10 */
  PH_ADDRESS_KIND_PRIVATE,         /* 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 */
  PH_ADDRESS_KIND_UNIQUE_LOCAL,    /* fc00::/7, IPv6's private addresses */
  PH_ADDRESS_KIND_SHARED,          /* 100.64.0.0/10, carrier-grade NAT */
  PH_ADDRESS_KIND_MULTICAST,       /* 224.0.0.0/4, ff00::/8 */
  PH_ADDRESS_KIND_PUBLIC,
  PH_ADDRESS_KIND_RESERVED,        /* documentation, benchmarking, broadcast, future use */
} PhAddressKind;

GQuark          ph_address_error_quark            (void);

PhAddressSpec  *ph_address_spec_parse             (const char          *text,
                                                   GError             **error);
void            ph_address_spec_free              (PhAddressSpec       *spec);
char           *ph_address_spec_to_string         (const PhAddressSpec *spec);
char           *ph_address_spec_dup_check_host    (const PhAddressSpec *spec);

PhAddressKind   ph_address_classify               (GInetAddress        *address);
GInetAddress   *ph_address_dup_unmapped           (GInetAddress        *address);
gboolean        ph_address_kind_is_loopback       (PhAddressKind        kind);
gboolean        ph_address_is_reachable           (GInetAddress        *address);
char           *ph_address_dup_local_target       (const char          *address);
gboolean        ph_address_text_is_any            (const char          *address);

const char     *ph_address_kind_get_label         (PhAddressKind        kind);
const char     *ph_address_kind_get_explanation   (PhAddressKind        kind,
                                                   GSocketFamily        family);
char           *ph_address_dup_note               (GInetAddress        *address);
const char     *ph_address_get_reach_sentence     (GInetAddress        *address);
const char     *ph_address_get_unreachable_sentence (void);
const char     *ph_address_get_dual_stack_sentence (int                  v6only);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhAddressSpec, ph_address_spec_free)

G_END_DECLS
