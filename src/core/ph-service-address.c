/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-address.c — a service's address: as people write it, and who can reach it */
#include "config.h"

#include <gio/gio.h>
#include <net/if.h>
#include <string.h>

#include "ph-address.h"
#include "ph-service-private.h"

/**
 * ph_format_socket_address:
 *
 * Returns: (transfer full): "127.0.0.1:62893", "[::1]:8080", "[fe80::1%eth0]:22" — the
 *   form a person copies into a browser or another program
 */
char *
ph_format_socket_address (const char *address,
                          guint       port,
                          guint       scope_id)
{
  g_return_val_if_fail (address != NULL, NULL);

  if (strchr (address, ':') == NULL)
    return g_strdup_printf ("%s:%u", address, port);

  if (scope_id != 0)
    {
      char name[IF_NAMESIZE + 1] = { 0 };

      if (if_indextoname (scope_id, name) != NULL)
        return g_strdup_printf ("[%s%%%s]:%u", address, name, port);
      return g_strdup_printf ("[%s%%%u]:%u", address, scope_id, port);
    }

  return g_strdup_printf ("[%s]:%u", address, port);
}

char *
ph_service_dup_display_address (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);

  return ph_format_socket_address (self->address != NULL ? self->address : "",
                                   self->port, self->scope_id);
}

/* Whether other computers can connect (firewalls aside), by ph_address_is_reachable(): the
 * rule behind the explanation's sentence too. */
gboolean
ph_service_is_reachable_from_network (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);

  return self->reachable;
}

/* Whether this listener answers connections to HOST ("127.0.0.1", "::1", "localhost", a
 * LAN address; NULL for any host): exactly its address, or every address of its family
 * for a wildcard, both families for a dual-stack "::". */
gboolean
ph_service_answers_host (PhService  *self,
                         const char *host)
{
  const char *address;

  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);

  address = ph_service_get_address (self);
  if (host == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return g_str_equal (address, "127.0.0.1") || g_str_equal (address, "::1") ||
           g_str_equal (address, "0.0.0.0") || g_str_equal (address, "::");
  if (g_str_equal (address, host))
    return TRUE;
  if (g_str_equal (address, "0.0.0.0"))
    return strchr (host, ':') == NULL;
  if (g_str_equal (address, "::"))
    return ph_service_get_v6only (self) != 1 || strchr (host, ':') != NULL;
  return FALSE;
}

/* Where a client on this computer connects to reach the service: its address, with
 * loopback standing in for a wildcard (ph_address_dup_local_target()). */
char *
ph_service_dup_local_target (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);

  return ph_address_dup_local_target (self->address != NULL ? self->address : "");
}

/* The host part of a URI that opens the service on this computer: "localhost" where it
 * listens on 127.0.0.1 (itself, or through a wildcard that takes IPv4), "[::1]" for IPv6
 * loopback only, else its own address ("[fe80::1]" in brackets). */
char *
ph_service_dup_uri_host (PhService *self)
{
  g_autofree char *target = NULL;

  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);

  target = ph_service_dup_local_target (self);
  if (g_str_equal (target, "127.0.0.1") ||
      (g_str_equal (self->address, "::") && self->v6only != 1))
    return g_strdup ("localhost");
  if (strchr (target, ':') != NULL)
    return g_strdup_printf ("[%s]", target);
  return g_steal_pointer (&target);
}
