/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-address.c — reading what a user typed as an address, and what kind of address it is */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ph-address.h"

G_DEFINE_QUARK (ph-address-error-quark, ph_address_error)

void
ph_address_spec_free (PhAddressSpec *spec)
{
  if (spec == NULL)
    return;

  g_free (spec->host);
  g_free (spec->scope);
  g_clear_object (&spec->address);
  g_free (spec);
}

static gboolean
is_all (const char *text,
        const char *allowed)
{
  for (; *text != '\0'; text++)
    if (strchr (allowed, *text) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
parse_port (const char  *text,
            int         *port,
            GError     **error)
{
  guint64 value = 0;

  if (*text == '\0')
    {
      g_set_error_literal (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_MISSING_PORT,
                           _("A port number is missing after “:”."));
      return FALSE;
    }

  if (!is_all (text, "0123456789"))
    {
      g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_PORT,
                   _("“%s” is not a port number: a port is a whole number from 0 to 65535."),
                   text);
      return FALSE;
    }

  /* Digits only, so the only way to fail is a number that is too large. */
  if (strlen (text) > 5 || !g_ascii_string_to_unsigned (text, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_PORT,
                   _("%s is not a port number: ports go from 0 to 65535."), text);
      return FALSE;
    }

  *port = (int) value;
  return TRUE;
}

static gboolean
parse_host (PhAddressSpec  *spec,
            const char     *host,
            gboolean        bracketed,
            gboolean        with_port,
            GError        **error)
{
  g_autoptr(GInetAddress) address = NULL;
  const char *percent = strchr (host, '%');
  g_autofree char *bare = percent != NULL ? g_strndup (host, (gsize) (percent - host))
                                          : g_strdup (host);

  if (*bare == '\0')
    {
      g_set_error_literal (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BRACKETS,
                           _("The square brackets are empty: put an IPv6 address inside, as in "
                             "[::1]:8080."));
      return FALSE;
    }

  if (!bracketed && percent == NULL && g_ascii_strcasecmp (bare, "localhost") == 0)
    {
      spec->host = g_strdup ("localhost");
      return TRUE;
    }

  address = g_inet_address_new_from_string (bare);
  if (address == NULL)
    {
      if (strchr (bare, ':') != NULL)
        g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_HOST,
                     _("“%s” is not a valid IPv6 address. IPv6 addresses are groups of "
                       "hexadecimal digits separated by colons, such as ::1 or fe80::1."), bare);
      else if (is_all (bare, "0123456789."))
        g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_HOST,
                     _("“%s” is not a valid IPv4 address: it needs four numbers from 0 to 255 "
                       "separated by dots, such as 192.168.1.20."), bare);
      else if (with_port)
        g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_HOST,
                     _("“%s” is not an IP address. Type an address such as 127.0.0.1:8080, "
                       "[::1]:8080 or localhost:3000."), bare);
      else
        g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_HOST,
                     _("“%s” is neither an IP address nor a port number. Type an address such "
                       "as 127.0.0.1:8080, [::1]:8080 or localhost:3000, or a port such as "
                       "3000."), bare);
      return FALSE;
    }

  if (bracketed && g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    {
      g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BRACKETS,
                   _("Square brackets are only for IPv6 addresses: write %s without them."),
                   bare);
      return FALSE;
    }

  if (percent != NULL)
    {
      const char *scope = percent + 1;

      if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
        {
          g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_HOST,
                       _("Only IPv6 addresses have a “%%” part naming a network interface; "
                         "write %s without it."), bare);
          return FALSE;
        }
      if (*scope == '\0' || strlen (scope) > 15 ||
          !is_all (scope, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@"))
        {
          g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_HOST,
                       _("After “%%” must come the name of a network interface, such as "
                         "%s%%eth0."), bare);
          return FALSE;
        }
      spec->scope = g_strdup (scope);
    }

  spec->host = g_inet_address_to_string (address);
  spec->address = g_steal_pointer (&address);
  return TRUE;
}

/* Reads "127.0.0.1:62893", "[::1]:8080", "localhost:3000", ":3000", "3000", "::1",
 * "[fe80::1%eth0]:22", each optionally followed by "/tcp" or "/udp". On failure the
 * GError's message tells a person what is wrong and how to write it. */
PhAddressSpec *
ph_address_spec_parse (const char  *text,
                       GError     **error)
{
  g_autoptr(PhAddressSpec) spec = g_new0 (PhAddressSpec, 1);
  g_autofree char *input = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *host = NULL;
  const char *port = NULL;
  gboolean bracketed = FALSE;
  char *slash;

  spec->port = -1;
  spec->protocol = PH_PORT_PROTOCOL_TCP;

  slash = strrchr (input, '/');
  if (slash != NULL)
    {
      if (!ph_port_protocol_from_string (slash + 1, &spec->protocol))
        {
          g_set_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BAD_PROTOCOL,
                       _("“%s” is not a protocol Porthole knows: write /tcp, /udp or nothing "
                         "after the port."), slash);
          return NULL;
        }
      spec->has_protocol = TRUE;
      *slash = '\0';
      g_strchomp (input);
    }

  if (*input == '\0')
    {
      g_set_error_literal (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_EMPTY,
                           _("Type an address such as 127.0.0.1:8080, or a port number such as "
                             "3000."));
      return NULL;
    }

  if (input[0] == '[')
    {
      char *close = strchr (input, ']');

      if (close == NULL)
        {
          g_set_error_literal (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BRACKETS,
                               _("The “]” that closes the IPv6 address is missing, as in "
                                 "[::1]:8080."));
          return NULL;
        }
      if (close[1] != '\0' && close[1] != ':')
        {
          g_set_error_literal (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_BRACKETS,
                               _("Only “:” and a port number may follow the “]”, as in "
                                 "[::1]:8080."));
          return NULL;
        }
      *close = '\0';
      host = input + 1;
      port = close[1] == ':' ? close + 2 : NULL;
      bracketed = TRUE;
    }
  else
    {
      char *colon = strchr (input, ':');

      if (colon == NULL)
        {
          /* A number alone is a port; anything else must be a host. */
          if (is_all (input, "0123456789"))
            port = input;
          else
            host = input;
        }
      else if (strchr (colon + 1, ':') == NULL)
        {
          *colon = '\0';
          host = *input != '\0' ? input : NULL;
          port = colon + 1;
        }
      else
        {
          /* Two or more colons: an IPv6 address, which can only carry a port in brackets. */
          host = input;
        }
    }

  if (port != NULL && !parse_port (port, &spec->port, error))
    return NULL;

  if (host != NULL && !parse_host (spec, host, bracketed, port != NULL, error))
    return NULL;

  return g_steal_pointer (&spec);
}

/* The address as a person would write it again: "127.0.0.1:62893", "[::1]:8080", ":3000". */
char *
ph_address_spec_to_string (const PhAddressSpec *spec)
{
  g_autofree char *host = ph_address_spec_dup_check_host (spec);
  gboolean ipv6 = spec->address != NULL &&
                  g_inet_address_get_family (spec->address) == G_SOCKET_FAMILY_IPV6;

  if (host == NULL)
    return g_strdup_printf (":%d", spec->port);
  if (spec->port < 0)
    return g_steal_pointer (&host);
  if (ipv6)
    return g_strdup_printf ("[%s]:%d", host, spec->port);
  return g_strdup_printf ("%s:%d", host, spec->port);
}

/* The host to hand to ph_port_check(): NULL for "any address", else with its %scope. */
char *
ph_address_spec_dup_check_host (const PhAddressSpec *spec)
{
  if (spec->host == NULL)
    return NULL;
  if (spec->scope != NULL)
    return g_strconcat (spec->host, "%", spec->scope, NULL);
  return g_strdup (spec->host);
}

/* Kinds of addresses */

static gboolean
in_prefix (const guint8 *bytes,
           const guint8 *prefix,
           guint         bits)
{
  guint whole = bits / 8, rest = bits % 8;

  if (memcmp (bytes, prefix, whole) != 0)
    return FALSE;
  if (rest == 0)
    return TRUE;
  return ((bytes[whole] ^ prefix[whole]) & (0xff << (8 - rest))) == 0;
}

static gboolean
is_ipv4_mapped (const guint8 *bytes)
{
  static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  return memcmp (bytes, mapped, sizeof mapped) == 0;
}

static PhAddressKind
classify_ipv4 (const guint8 *b)
{
  static const struct { guint8 prefix[4]; guint bits; PhAddressKind kind; } table[] = {
    { { 0, 0, 0, 0 }, 8, PH_ADDRESS_KIND_RESERVED },            /* "this network" */
    { { 10, 0, 0, 0 }, 8, PH_ADDRESS_KIND_PRIVATE },
    { { 100, 64, 0, 0 }, 10, PH_ADDRESS_KIND_SHARED },
    { { 127, 0, 0, 0 }, 8, PH_ADDRESS_KIND_LOOPBACK_OTHER },
    { { 169, 254, 0, 0 }, 16, PH_ADDRESS_KIND_LINK_LOCAL },
    { { 172, 16, 0, 0 }, 12, PH_ADDRESS_KIND_PRIVATE },
    { { 192, 0, 0, 0 }, 24, PH_ADDRESS_KIND_RESERVED },         /* protocol assignments */
    { { 192, 0, 2, 0 }, 24, PH_ADDRESS_KIND_RESERVED },         /* documentation */
    { { 192, 168, 0, 0 }, 16, PH_ADDRESS_KIND_PRIVATE },
    { { 198, 18, 0, 0 }, 15, PH_ADDRESS_KIND_RESERVED },        /* benchmarking */
    { { 198, 51, 100, 0 }, 24, PH_ADDRESS_KIND_RESERVED },      /* documentation */
    { { 203, 0, 113, 0 }, 24, PH_ADDRESS_KIND_RESERVED },       /* documentation */
    { { 224, 0, 0, 0 }, 4, PH_ADDRESS_KIND_MULTICAST },
    { { 240, 0, 0, 0 }, 4, PH_ADDRESS_KIND_RESERVED },          /* future use, broadcast */
  };

  if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0)
    return PH_ADDRESS_KIND_ANY_IPV4;
  if (b[0] == 127 && b[1] == 0 && b[2] == 0 && b[3] == 1)
    return PH_ADDRESS_KIND_LOOPBACK;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (in_prefix (b, table[i].prefix, table[i].bits))
      return table[i].kind;

  return PH_ADDRESS_KIND_PUBLIC;
}

static PhAddressKind
classify_ipv6 (const guint8 *b)
{
  static const guint8 zero[16] = { 0 };
  static const guint8 loopback[16] = { [15] = 1 };
  static const guint8 link_local[16] = { 0xfe, 0x80 };
  static const guint8 unique_local[16] = { 0xfc };
  static const guint8 multicast[16] = { 0xff };
  static const guint8 documentation[16] = { 0x20, 0x01, 0x0d, 0xb8 };
  static const guint8 global[16] = { 0x20 };

  if (memcmp (b, zero, 16) == 0)
    return PH_ADDRESS_KIND_ANY_IPV6;
  if (memcmp (b, loopback, 16) == 0)
    return PH_ADDRESS_KIND_LOOPBACK_IPV6;
  if (is_ipv4_mapped (b))
    return PH_ADDRESS_KIND_IPV4_MAPPED;
  if (in_prefix (b, link_local, 10))
    return PH_ADDRESS_KIND_LINK_LOCAL;
  if (in_prefix (b, unique_local, 7))
    return PH_ADDRESS_KIND_UNIQUE_LOCAL;
  if (in_prefix (b, multicast, 8))
    return PH_ADDRESS_KIND_MULTICAST;
  if (in_prefix (b, documentation, 32))
    return PH_ADDRESS_KIND_RESERVED;
  /* Only 2000::/3 is handed out on the internet; the rest is reserved or deprecated. */
  if (in_prefix (b, global, 3))
    return PH_ADDRESS_KIND_PUBLIC;
  return PH_ADDRESS_KIND_RESERVED;
}

PhAddressKind
ph_address_classify (GInetAddress *address)
{
  const guint8 *bytes = g_inet_address_to_bytes (address);

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    return classify_ipv4 (bytes);
  return classify_ipv6 (bytes);
}

/* For ::ffff:a.b.c.d returns a.b.c.d; for anything else NULL. */
GInetAddress *
ph_address_dup_unmapped (GInetAddress *address)
{
  const guint8 *bytes = g_inet_address_to_bytes (address);

  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6 || !is_ipv4_mapped (bytes))
    return NULL;

  return g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);
}

gboolean
ph_address_kind_is_loopback (PhAddressKind kind)
{
  return kind == PH_ADDRESS_KIND_LOOPBACK ||
         kind == PH_ADDRESS_KIND_LOOPBACK_OTHER ||
         kind == PH_ADDRESS_KIND_LOOPBACK_IPV6 ||
         kind == PH_ADDRESS_KIND_LOCALHOST;
}

/* Whether another computer could connect to a socket bound to @address, leaving firewalls
 * aside: everything but loopback (::ffff:127.0.0.1 included, which the kernel treats as
 * 127.0.0.1). The one rule behind the list's mark, the command line's "network" and the
 * explanation's sentence. */
gboolean
ph_address_is_reachable (GInetAddress *address)
{
  g_autoptr(GInetAddress) unmapped = ph_address_dup_unmapped (address);

  return !ph_address_kind_is_loopback (ph_address_classify (unmapped != NULL ? unmapped
                                                                             : address));
}

/* Where a client on this computer connects to reach a socket bound to @address: the
 * loopback address of the same family for a wildcard ("0.0.0.0" → "127.0.0.1", "::" →
 * "::1"), else @address itself (also when it is not an address at all). */
char *
ph_address_dup_local_target (const char *address)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GInetAddress) loopback = NULL;

  g_return_val_if_fail (address != NULL, NULL);

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL || !g_inet_address_get_is_any (inet))
    return g_strdup (address);

  loopback = g_inet_address_new_loopback (g_inet_address_get_family (inet));
  return g_inet_address_to_string (loopback);
}

/* Whether @address (text, as a socket or an engine lists it) means every address: NULL, "",
 * "0.0.0.0" or "::". */
gboolean
ph_address_text_is_any (const char *address)
{
  return address == NULL || *address == '\0' || g_str_equal (address, "0.0.0.0") ||
         g_str_equal (address, "::");
}

const char *
ph_address_kind_get_label (PhAddressKind kind)
{
  switch (kind)
    {
    case PH_ADDRESS_KIND_LOOPBACK:
    case PH_ADDRESS_KIND_LOOPBACK_OTHER:
    case PH_ADDRESS_KIND_LOCALHOST:
      return _("Loopback: this computer only");
    case PH_ADDRESS_KIND_LOOPBACK_IPV6:
      return _("IPv6 loopback: this computer only");
    case PH_ADDRESS_KIND_ANY_IPV4:
      return _("Every IPv4 address of this computer");
    case PH_ADDRESS_KIND_ANY_IPV6:
      return _("Every IPv6 address of this computer");
    case PH_ADDRESS_KIND_IPV4_MAPPED:
      return _("IPv4 address in IPv6 form");
    case PH_ADDRESS_KIND_LINK_LOCAL:
      return _("Link-local: this network link only");
    case PH_ADDRESS_KIND_PRIVATE:
      return _("Private local network address");
    case PH_ADDRESS_KIND_UNIQUE_LOCAL:
      return _("Private IPv6 address (unique local)");
    case PH_ADDRESS_KIND_SHARED:
      return _("Shared address (carrier-grade NAT)");
    case PH_ADDRESS_KIND_MULTICAST:
      return _("Multicast group");
    case PH_ADDRESS_KIND_PUBLIC:
      return _("Public internet address");
    case PH_ADDRESS_KIND_RESERVED:
      return _("Reserved address");
    default:
      g_return_val_if_reached ("");
    }
}

/* One or two sentences for a beginner on what this kind of address means. */
const char *
ph_address_kind_get_explanation (PhAddressKind  kind,
                                 GSocketFamily  family)
{
  switch (kind)
    {
    case PH_ADDRESS_KIND_LOOPBACK:
      return _("127.0.0.1 is the loopback address: it always means “this computer”. A program "
               "listening here can only be reached by other programs on the same computer.");
    case PH_ADDRESS_KIND_LOOPBACK_OTHER:
      return _("Every address from 127.0.0.0 to 127.255.255.255 is a loopback address like "
               "127.0.0.1: it means “this computer”. Programs use the others to keep services "
               "apart; still only programs on this computer can connect.");
    case PH_ADDRESS_KIND_LOOPBACK_IPV6:
      return _("::1 is the IPv6 loopback address, the IPv6 twin of 127.0.0.1: it always means "
               "“this computer”, and only programs on this computer can connect.");
    case PH_ADDRESS_KIND_LOCALHOST:
      return _("localhost is the name of this computer’s loopback addresses, 127.0.0.1 for IPv4 "
               "and ::1 for IPv6. Only programs on this computer can connect to them.");
    case PH_ADDRESS_KIND_ANY_IPV4:
      return _("0.0.0.0 means “every IPv4 address of this computer”. A program listening here "
               "accepts connections through every network connection, such as Wi-Fi, cable "
               "and VPN, and through 127.0.0.1.");
    case PH_ADDRESS_KIND_ANY_IPV6:
      return _(":: means “every IPv6 address of this computer”. A program listening here "
               "accepts connections through every network connection and through ::1.");
    case PH_ADDRESS_KIND_IPV4_MAPPED:
      return _("This is an IPv4 address written in IPv6 form: ::ffff: followed by the IPv4 "
               "address (an IPv4-mapped address). Programs that listen on :: see IPv4 "
               "connections this way.");
    case PH_ADDRESS_KIND_LINK_LOCAL:
      if (family == G_SOCKET_FAMILY_IPV6)
        return _("Addresses that start with fe80: are IPv6 link-local addresses: each network "
                 "connection makes one up for itself. They only work on that one network link, "
                 "named by an interface such as eth0 after the address, and never pass a "
                 "router.");
      return _("Addresses from 169.254.0.0 to 169.254.255.255 are link-local: a computer gives "
               "itself one when no router hands out an address. They only work on the local "
               "network link and never pass a router.");
    case PH_ADDRESS_KIND_PRIVATE:
      return _("This is a private address (10.x.x.x, 172.16.x.x to 172.31.x.x, or 192.168.x.x), "
               "the kind home and office networks use. Computers on the same local network can "
               "reach it; the internet cannot reach it directly, because a router stands in "
               "between.");
    case PH_ADDRESS_KIND_UNIQUE_LOCAL:
      return _("Addresses that start with fc or fd are unique local addresses, IPv6’s private "
               "addresses: they work inside a home or office network but not on the internet.");
    case PH_ADDRESS_KIND_SHARED:
      return _("Addresses from 100.64.0.0 to 100.127.255.255 are shared addresses: internet "
               "providers use them behind carrier-grade NAT, and Tailscale uses them for its "
               "private network. The internet cannot reach them directly.");
    case PH_ADDRESS_KIND_MULTICAST:
      return _("This is a multicast address: it names a group, not one computer. A program "
               "listening here receives the messages that devices send to the group, usually "
               "on the local network.");
    case PH_ADDRESS_KIND_PUBLIC:
      return _("This is a public internet address. If this computer has it, computers anywhere "
               "on the internet may be able to connect.");
    case PH_ADDRESS_KIND_RESERVED:
      return _("This address is reserved, for documentation, testing, broadcasts or future "
               "use. Ordinary networks do not use it.");
    default:
      g_return_val_if_reached ("");
    }
}

/* A sentence about this one address, when it has a well-known job; NULL otherwise. */
char *
ph_address_dup_note (GInetAddress *address)
{
  g_autoptr(GInetAddress) unmapped = ph_address_dup_unmapped (address);
  g_autofree char *text = g_inet_address_to_string (address);
  static const struct { const char *address; const char *note; } notes[] = {
    { "127.0.0.53", N_("127.0.0.53 is where systemd-resolved answers the DNS questions of the "
                       "programs on this computer (its “stub resolver”).") },
    { "127.0.0.54", N_("127.0.0.54 is systemd-resolved’s second DNS address, which passes "
                       "questions on unchanged (its “proxy stub”).") },
    { "127.0.1.1", N_("Debian and Ubuntu point this computer’s own name to 127.0.1.1 in "
                      "/etc/hosts, so a program that listens on its hostname ends up here.") },
    { "169.254.169.254", N_("169.254.169.254 is where virtual machines in the cloud ask for "
                            "their own settings (the metadata service).") },
    { "224.0.0.251", N_("224.0.0.251 is the mDNS group, where devices announce and look up "
                        "names that end in .local.") },
    { "ff02::fb", N_("ff02::fb is the mDNS group, where devices announce and look up names that "
                     "end in .local.") },
    { "224.0.0.252", N_("224.0.0.252 is the LLMNR group, used for Windows-style name lookups on "
                        "the local network.") },
    { "ff02::1:3", N_("ff02::1:3 is the LLMNR group, used for Windows-style name lookups on the "
                      "local network.") },
    { "239.255.255.250", N_("239.255.255.250 is the SSDP group, where smart TVs, routers and "
                            "media servers announce themselves (UPnP).") },
    { "ff02::c", N_("ff02::c is the SSDP group, where smart TVs, routers and media servers "
                    "announce themselves (UPnP).") },
    { "255.255.255.255", N_("255.255.255.255 is the broadcast address: a message sent to it "
                            "reaches every computer on the local network.") },
  };

  if (unmapped != NULL)
    {
      g_autofree char *inner = g_inet_address_to_string (unmapped);

      /* Translators: the first %s is an IPv6 address such as ::ffff:127.0.0.1, the second
       * the IPv4 address inside it, 127.0.0.1 */
      return g_strdup_printf (_("%s is the same as %s."), text, inner);
    }

  for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
    if (g_str_equal (text, notes[i].address))
      return g_strdup (_(notes[i].note));

  return NULL;
}

/* The sentence for an address that other computers cannot reach. */
const char *
ph_address_get_unreachable_sentence (void)
{
  return _("Other computers cannot connect to it.");
}

/* Whether other computers can connect, as a sentence: whether at all is
 * ph_address_is_reachable()'s answer, the sentence then says who. */
const char *
ph_address_get_reach_sentence (GInetAddress *address)
{
  g_autoptr(GInetAddress) unmapped = NULL;

  if (!ph_address_is_reachable (address))
    return ph_address_get_unreachable_sentence ();

  unmapped = ph_address_dup_unmapped (address);
  switch (ph_address_classify (unmapped != NULL ? unmapped : address))
    {
    case PH_ADDRESS_KIND_ANY_IPV4:
    case PH_ADDRESS_KIND_ANY_IPV6:
      return _("Other computers on your networks can connect to it, unless a firewall stops "
               "them.");
    case PH_ADDRESS_KIND_LINK_LOCAL:
      return _("Computers on the same network link can connect to it, unless a firewall stops "
               "them.");
    case PH_ADDRESS_KIND_PRIVATE:
    case PH_ADDRESS_KIND_UNIQUE_LOCAL:
      return _("Computers on the same local network can connect to it, unless a firewall stops "
               "them.");
    case PH_ADDRESS_KIND_SHARED:
      return _("Computers on the same provider or private network can connect to it, unless a "
               "firewall stops them.");
    case PH_ADDRESS_KIND_MULTICAST:
      return _("Devices on the local network can send to this group, unless a firewall stops "
               "them.");
    case PH_ADDRESS_KIND_PUBLIC:
      return _("Computers anywhere on the internet may be able to connect to it, unless a "
               "firewall or router stops them.");
    case PH_ADDRESS_KIND_RESERVED:
      return _("Where a network does use it, other computers on that network can connect, "
               "unless a firewall stops them.");
    case PH_ADDRESS_KIND_LOOPBACK:
    case PH_ADDRESS_KIND_LOOPBACK_OTHER:
    case PH_ADDRESS_KIND_LOOPBACK_IPV6:
    case PH_ADDRESS_KIND_LOCALHOST:
    case PH_ADDRESS_KIND_IPV4_MAPPED:
    default:
      g_return_val_if_reached ("");
    }
}

/* For a socket on ::, whether it takes IPv4 too. @v6only: 1, 0, or -1 when unknown. */
const char *
ph_address_get_dual_stack_sentence (int v6only)
{
  if (v6only > 0)
    return _("This socket takes IPv6 connections only; IPv4 would need a second socket on "
             "0.0.0.0.");
  if (v6only == 0)
    return _("This socket takes IPv4 connections too (“dual-stack”), so it also covers "
             "0.0.0.0.");
  return _("Unless the program turned it off, such a socket takes IPv4 connections too "
           "(“dual-stack”), so it also covers 0.0.0.0.");
}
