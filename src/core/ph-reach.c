/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-reach.c — who can connect to a listener: this computer, the local network, the internet */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ph-address.h"
#include "ph-reach.h"
#include "ph-service.h"

/* @host as ph_explain_request() takes it: an IP address (IPv6 may carry "%scope"),
 * "localhost", or NULL for every address; @port: -1 (or 0) when there is none. */
void
ph_reach_init (PhReach    *reach,
               const char *host,
               int         port)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GInetAddress) unmapped = NULL;
  PhAddressKind kind;

  g_return_if_fail (reach != NULL);

  memset (reach, 0, sizeof *reach);

  if (host == NULL || *host == '\0' || g_str_equal (host, "*"))
    {
      reach->every_address = TRUE;
      address = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
      reach->socket_text = port > 0 ? g_strdup_printf (_("port %d on every address"), port)
                                    : g_strdup (_("every address"));
    }
  else
    {
      const char *percent = strchr (host, '%');
      g_autofree char *bare = percent != NULL ? g_strndup (host, (gsize) (percent - host))
                                              : g_strdup (host);

      if (g_ascii_strcasecmp (host, "localhost") == 0)
        address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      else
        address = g_inet_address_new_from_string (bare);
      reach->socket_text = port > 0 ? ph_format_socket_address (host, (guint) port, 0)
                                    : g_strdup (host);
    }

  if (address == NULL)
    return;

  /* The verdict itself is ph_address_is_reachable()'s, as in the pane's words; the kind
   * only says how far beyond this computer. */
  unmapped = ph_address_dup_unmapped (address);
  kind = ph_address_classify (unmapped != NULL ? unmapped : address);
  reach->known = TRUE;
  reach->every_address = kind == PH_ADDRESS_KIND_ANY_IPV4 || kind == PH_ADDRESS_KIND_ANY_IPV6;
  if (!ph_address_is_reachable (address))
    reach->widest = PH_REACH_ZONE_THIS_COMPUTER;
  else if (kind == PH_ADDRESS_KIND_PUBLIC)
    reach->widest = PH_REACH_ZONE_INTERNET;
  else
    reach->widest = PH_REACH_ZONE_LOCAL_NETWORK;
}

void
ph_reach_clear (PhReach *reach)
{
  g_clear_pointer (&reach->socket_text, g_free);
  reach->known = FALSE;
}

gboolean
ph_reach_can_connect (const PhReach *reach,
                      PhReachZone    zone)
{
  g_return_val_if_fail (reach != NULL, FALSE);

  return reach->known && zone <= reach->widest;
}

const char *
ph_reach_zone_get_title (PhReachZone zone)
{
  switch (zone)
    {
    case PH_REACH_ZONE_THIS_COMPUTER:
      /* Translators: a zone of the picture of who can connect */
      return _("This computer");
    case PH_REACH_ZONE_LOCAL_NETWORK:
      /* Translators: a zone of the picture of who can connect */
      return _("Local network");
    case PH_REACH_ZONE_INTERNET:
      /* Translators: a zone of the picture of who can connect */
      return _("Internet");
    case PH_REACH_N_ZONES:
    default:
      g_return_val_if_reached ("");
    }
}

/* Whether, and on what condition, the computers of @zone can connect: a short line under
 * the zone's title. */
const char *
ph_reach_get_verdict (const PhReach *reach,
                      PhReachZone    zone)
{
  g_return_val_if_fail (reach != NULL, "");
  g_return_val_if_fail (zone < PH_REACH_N_ZONES, "");

  switch (zone)
    {
    case PH_REACH_ZONE_THIS_COMPUTER:
      return _("Its programs can connect");
    case PH_REACH_ZONE_LOCAL_NETWORK:
      if (ph_reach_can_connect (reach, zone))
        return _("Can connect, unless a firewall stops them");
      return _("Cannot connect");
    case PH_REACH_ZONE_INTERNET:
      if (ph_reach_can_connect (reach, zone))
        return _("May connect, unless a firewall or router stops them");
      if (reach->widest == PH_REACH_ZONE_THIS_COMPUTER)
        return _("Cannot connect");
      if (reach->every_address)
        return _("Only if this computer has a public address or a router forwards the port");
      return _("Not directly: only if a router forwards the port");
    case PH_REACH_N_ZONES:
    default:
      g_return_val_if_reached ("");
    }
}

/* What the reach picture shows, in words, for its accessible description. */
char *
ph_reach_dup_description (const PhReach *reach)
{
  g_return_val_if_fail (reach != NULL, NULL);

  if (!reach->known)
    return g_strdup ("");

  switch (reach->widest)
    {
    case PH_REACH_ZONE_THIS_COMPUTER:
      /* Translators: %s is an address such as 127.0.0.1:62893 */
      return g_strdup_printf (_("Who can connect to %s: only programs on this computer. "
                                "Computers on the local network and on the internet cannot."),
                              reach->socket_text);
    case PH_REACH_ZONE_LOCAL_NETWORK:
      if (reach->every_address)
        /* Translators: %s is an address such as 0.0.0.0:3000 */
        return g_strdup_printf (_("Who can connect to %s: programs on this computer and, unless "
                                  "a firewall stops them, computers on the local network. "
                                  "Computers on the internet can only if this computer has a "
                                  "public address or a router forwards the port."),
                                reach->socket_text);
      /* Translators: %s is an address such as 192.168.1.20:8080 */
      return g_strdup_printf (_("Who can connect to %s: programs on this computer and, unless a "
                                "firewall stops them, computers on the local network. Computers "
                                "on the internet cannot connect directly, only if a router "
                                "forwards the port."),
                              reach->socket_text);
    case PH_REACH_ZONE_INTERNET:
      /* Translators: %s is an address such as 203.0.113.7:443 */
      return g_strdup_printf (_("Who can connect to %s: programs on this computer and, unless a "
                                "firewall or router stops them, computers on the local network "
                                "and anywhere on the internet."),
                              reach->socket_text);
    case PH_REACH_N_ZONES:
    default:
      g_return_val_if_reached (NULL);
    }
}
