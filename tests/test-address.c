/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-address.c — parsing typed addresses, and the kinds of addresses and their reach */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-address.h"

static void
test_parse_good (void)
{
  static const struct
  {
    const char     *text;
    const char     *host;
    const char     *scope;
    int             port;
    PhPortProtocol  protocol;
    const char     *again;   /* ph_address_spec_to_string() */
  } cases[] = {
    { "127.0.0.1:62893", "127.0.0.1", NULL, 62893, PH_PORT_PROTOCOL_TCP, "127.0.0.1:62893" },
    { "[::1]:8080", "::1", NULL, 8080, PH_PORT_PROTOCOL_TCP, "[::1]:8080" },
    { "localhost:3000", "localhost", NULL, 3000, PH_PORT_PROTOCOL_TCP, "localhost:3000" },
    { "LocalHost:3000", "localhost", NULL, 3000, PH_PORT_PROTOCOL_TCP, "localhost:3000" },
    { ":3000", NULL, NULL, 3000, PH_PORT_PROTOCOL_TCP, ":3000" },
    { "3000", NULL, NULL, 3000, PH_PORT_PROTOCOL_TCP, ":3000" },
    { "  3000\n", NULL, NULL, 3000, PH_PORT_PROTOCOL_TCP, ":3000" },
    { "0", NULL, NULL, 0, PH_PORT_PROTOCOL_TCP, ":0" },
    { "65535", NULL, NULL, 65535, PH_PORT_PROTOCOL_TCP, ":65535" },
    { "08080", NULL, NULL, 8080, PH_PORT_PROTOCOL_TCP, ":8080" },
    { "0.0.0.0:80", "0.0.0.0", NULL, 80, PH_PORT_PROTOCOL_TCP, "0.0.0.0:80" },
    { "[fe80::1%eth0]:22", "fe80::1", "eth0", 22, PH_PORT_PROTOCOL_TCP, "[fe80::1%eth0]:22" },
    { "fe80::1%wlp2s0", "fe80::1", "wlp2s0", -1, PH_PORT_PROTOCOL_TCP, "fe80::1%wlp2s0" },
    { "::1", "::1", NULL, -1, PH_PORT_PROTOCOL_TCP, "::1" },
    { "::", "::", NULL, -1, PH_PORT_PROTOCOL_TCP, "::" },
    { "[::]:443", "::", NULL, 443, PH_PORT_PROTOCOL_TCP, "[::]:443" },
    { "[0:0::1]", "::1", NULL, -1, PH_PORT_PROTOCOL_TCP, "::1" },
    { "127.0.0.1", "127.0.0.1", NULL, -1, PH_PORT_PROTOCOL_TCP, "127.0.0.1" },
    { "192.168.1.20:8080", "192.168.1.20", NULL, 8080, PH_PORT_PROTOCOL_TCP,
      "192.168.1.20:8080" },
    { "::ffff:127.0.0.1", "::ffff:127.0.0.1", NULL, -1, PH_PORT_PROTOCOL_TCP,
      "::ffff:127.0.0.1" },
    { "5353/udp", NULL, NULL, 5353, PH_PORT_PROTOCOL_UDP, ":5353" },
    { "[::1]:8080/TCP", "::1", NULL, 8080, PH_PORT_PROTOCOL_TCP, "[::1]:8080" },
    { "224.0.0.251:5353 /udp", "224.0.0.251", NULL, 5353, PH_PORT_PROTOCOL_UDP,
      "224.0.0.251:5353" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PhAddressSpec) spec = ph_address_spec_parse (cases[i].text, &error);
      g_autofree char *again = NULL;

      if (spec == NULL)
        g_error ("“%s” was refused: %s", cases[i].text, error->message);
      g_assert_cmpstr (spec->host, ==, cases[i].host);
      g_assert_cmpstr (spec->scope, ==, cases[i].scope);
      g_assert_cmpint (spec->port, ==, cases[i].port);
      g_assert_cmpint (spec->protocol, ==, cases[i].protocol);
      g_assert_cmpint (spec->has_protocol, ==, strchr (cases[i].text, '/') != NULL);
      /* An address object exactly when an IP address was typed. */
      g_assert_cmpint (spec->address != NULL, ==,
                       cases[i].host != NULL && !g_str_equal (cases[i].host, "localhost"));
      again = ph_address_spec_to_string (spec);
      g_assert_cmpstr (again, ==, cases[i].again);
    }
}

static void
test_parse_bad (void)
{
  static const struct
  {
    const char     *text;
    PhAddressError  code;
    const char     *words;   /* what the message must say */
  } cases[] = {
    { "99999", PH_ADDRESS_ERROR_BAD_PORT, "99999 is not a port number: ports go from 0 to 65535" },
    { "65536", PH_ADDRESS_ERROR_BAD_PORT, "0 to 65535" },
    { "127.0.0.1:65536", PH_ADDRESS_ERROR_BAD_PORT, "0 to 65535" },
    { "127.0.0.1:123456789012", PH_ADDRESS_ERROR_BAD_PORT, "0 to 65535" },
    { "abc", PH_ADDRESS_ERROR_BAD_HOST, "“abc” is neither an IP address nor a port number" },
    { "3000abc", PH_ADDRESS_ERROR_BAD_HOST, "neither" },
    { "-1", PH_ADDRESS_ERROR_BAD_HOST, "neither" },
    { "example.com:80", PH_ADDRESS_ERROR_BAD_HOST, "“example.com” is not an IP address" },
    { "1.2.3:80", PH_ADDRESS_ERROR_BAD_HOST,
      "“1.2.3” is not a valid IPv4 address: it needs four numbers" },
    { "1.2.3.4.5", PH_ADDRESS_ERROR_BAD_HOST, "IPv4" },
    { "256.1.1.1:80", PH_ADDRESS_ERROR_BAD_HOST, "0 to 255" },
    { "::g", PH_ADDRESS_ERROR_BAD_HOST, "not a valid IPv6 address" },
    { "1:2:3:4:5:6:7:8:9", PH_ADDRESS_ERROR_BAD_HOST, "IPv6" },
    { "[::1", PH_ADDRESS_ERROR_BRACKETS, "“]”" },
    { "[::1]x", PH_ADDRESS_ERROR_BRACKETS, "as in [::1]:8080" },
    { "[::1]8080", PH_ADDRESS_ERROR_BRACKETS, "“:”" },
    { "[127.0.0.1]:80", PH_ADDRESS_ERROR_BRACKETS, "only for IPv6" },
    { "[]:80", PH_ADDRESS_ERROR_BRACKETS, "empty" },
    { ":", PH_ADDRESS_ERROR_MISSING_PORT, "port number is missing" },
    { "127.0.0.1:", PH_ADDRESS_ERROR_MISSING_PORT, "missing" },
    { "[::1]:", PH_ADDRESS_ERROR_MISSING_PORT, "missing" },
    { "127.0.0.1:http", PH_ADDRESS_ERROR_BAD_PORT, "whole number" },
    { "127.0.0.1:+80", PH_ADDRESS_ERROR_BAD_PORT, "whole number" },
    { "", PH_ADDRESS_ERROR_EMPTY, "Type an address" },
    { "  \t ", PH_ADDRESS_ERROR_EMPTY, "Type an address" },
    { "/udp", PH_ADDRESS_ERROR_EMPTY, "Type an address" },
    { "80/sctp", PH_ADDRESS_ERROR_BAD_PROTOCOL, "/tcp, /udp" },
    { "127.0.0.1%eth0", PH_ADDRESS_ERROR_BAD_HOST, "Only IPv6" },
    { "fe80::1%", PH_ADDRESS_ERROR_BAD_HOST, "network interface" },
    { "[fe80::1%e t h]:22", PH_ADDRESS_ERROR_BAD_HOST, "network interface" },
    { "localhost%lo", PH_ADDRESS_ERROR_BAD_HOST, "“localhost” is neither" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PhAddressSpec) spec = ph_address_spec_parse (cases[i].text, &error);

      if (spec != NULL)
        g_error ("“%s” was accepted", cases[i].text);
      g_assert_error (error, PH_ADDRESS_ERROR, (int) cases[i].code);
      if (strstr (error->message, cases[i].words) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", cases[i].text, error->message, cases[i].words);
      /* Whole sentences for a person. */
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_assert_true (g_unichar_isupper (g_utf8_get_char (error->message)) ||
                     g_str_has_prefix (error->message, "“") ||
                     g_ascii_isdigit (error->message[0]));
    }

  /* NULL is the same as nothing typed. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (ph_address_spec_parse (NULL, &error));
    g_assert_error (error, PH_ADDRESS_ERROR, PH_ADDRESS_ERROR_EMPTY);
  }
}

static void
test_check_host (void)
{
  static const struct { const char *text; const char *check_host; } cases[] = {
    { "3000", NULL },
    { "localhost:3000", "localhost" },
    { "[fe80::1%lo]:22", "fe80::1%lo" },
    { "0.0.0.0:80", "0.0.0.0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhAddressSpec) spec = ph_address_spec_parse (cases[i].text, NULL);
      g_autofree char *host = ph_address_spec_dup_check_host (spec);

      g_assert_cmpstr (host, ==, cases[i].check_host);
    }
}

static void
test_kinds (void)
{
  static const struct
  {
    const char    *address;
    PhAddressKind  kind;
    gboolean       reachable;
    const char    *note;      /* a word the note must contain, or NULL for no note */
  } cases[] = {
    { "127.0.0.1", PH_ADDRESS_KIND_LOOPBACK, FALSE, NULL },
    { "127.0.0.53", PH_ADDRESS_KIND_LOOPBACK_OTHER, FALSE, "systemd-resolved" },
    { "127.0.0.54", PH_ADDRESS_KIND_LOOPBACK_OTHER, FALSE, "systemd-resolved" },
    { "127.0.1.1", PH_ADDRESS_KIND_LOOPBACK_OTHER, FALSE, "Debian" },
    { "127.255.255.255", PH_ADDRESS_KIND_LOOPBACK_OTHER, FALSE, NULL },
    { "::1", PH_ADDRESS_KIND_LOOPBACK_IPV6, FALSE, NULL },
    { "0.0.0.0", PH_ADDRESS_KIND_ANY_IPV4, TRUE, NULL },
    { "::", PH_ADDRESS_KIND_ANY_IPV6, TRUE, NULL },
    { "::ffff:127.0.0.1", PH_ADDRESS_KIND_IPV4_MAPPED, FALSE, "127.0.0.1" },
    { "::ffff:192.168.1.20", PH_ADDRESS_KIND_IPV4_MAPPED, TRUE, "192.168.1.20" },
    { "169.254.10.20", PH_ADDRESS_KIND_LINK_LOCAL, TRUE, NULL },
    { "169.254.169.254", PH_ADDRESS_KIND_LINK_LOCAL, TRUE, "cloud" },
    { "fe80::1", PH_ADDRESS_KIND_LINK_LOCAL, TRUE, NULL },
    { "febf::1", PH_ADDRESS_KIND_LINK_LOCAL, TRUE, NULL },
    { "10.0.0.1", PH_ADDRESS_KIND_PRIVATE, TRUE, NULL },
    { "172.16.0.1", PH_ADDRESS_KIND_PRIVATE, TRUE, NULL },
    { "172.31.255.255", PH_ADDRESS_KIND_PRIVATE, TRUE, NULL },
    { "192.168.1.20", PH_ADDRESS_KIND_PRIVATE, TRUE, NULL },
    { "fd12:3456:789a::1", PH_ADDRESS_KIND_UNIQUE_LOCAL, TRUE, NULL },
    { "fc00::1", PH_ADDRESS_KIND_UNIQUE_LOCAL, TRUE, NULL },
    { "100.64.0.1", PH_ADDRESS_KIND_SHARED, TRUE, NULL },
    { "100.127.255.255", PH_ADDRESS_KIND_SHARED, TRUE, NULL },
    { "224.0.0.251", PH_ADDRESS_KIND_MULTICAST, TRUE, "mDNS" },
    { "ff02::fb", PH_ADDRESS_KIND_MULTICAST, TRUE, "mDNS" },
    { "239.255.255.250", PH_ADDRESS_KIND_MULTICAST, TRUE, "SSDP" },
    { "ff02::1:3", PH_ADDRESS_KIND_MULTICAST, TRUE, "LLMNR" },
    { "8.8.8.8", PH_ADDRESS_KIND_PUBLIC, TRUE, NULL },
    { "172.32.0.1", PH_ADDRESS_KIND_PUBLIC, TRUE, NULL },
    { "172.15.255.255", PH_ADDRESS_KIND_PUBLIC, TRUE, NULL },
    { "100.128.0.1", PH_ADDRESS_KIND_PUBLIC, TRUE, NULL },
    { "11.0.0.1", PH_ADDRESS_KIND_PUBLIC, TRUE, NULL },
    { "2a00:1450:4001::200e", PH_ADDRESS_KIND_PUBLIC, TRUE, NULL },
    { "192.0.2.1", PH_ADDRESS_KIND_RESERVED, TRUE, NULL },
    { "2001:db8::1", PH_ADDRESS_KIND_RESERVED, TRUE, NULL },
    { "255.255.255.255", PH_ADDRESS_KIND_RESERVED, TRUE, "broadcast" },
    { "240.0.0.1", PH_ADDRESS_KIND_RESERVED, TRUE, NULL },
    { "0.1.2.3", PH_ADDRESS_KIND_RESERVED, TRUE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (cases[i].address);
      g_autofree char *note = NULL;
      PhAddressKind kind;

      g_assert_nonnull (address);
      kind = ph_address_classify (address);
      if (kind != cases[i].kind)
        g_error ("%s: kind %d, expected %d", cases[i].address, kind, cases[i].kind);
      g_assert_cmpint (ph_address_is_reachable (address), ==, cases[i].reachable);

      note = ph_address_dup_note (address);
      if (cases[i].note == NULL)
        g_assert_null (note);
      else if (note == NULL || strstr (note, cases[i].note) == NULL)
        g_error ("%s: note “%s” lacks “%s”", cases[i].address, note, cases[i].note);

      /* Every kind has words, and reach is said the same way as it is computed. */
      g_assert_cmpstr (ph_address_kind_get_label (kind), !=, "");
      g_assert_cmpstr (ph_address_kind_get_explanation (kind, g_inet_address_get_family (address)),
                       !=, "");
      if ((strstr (ph_address_get_reach_sentence (address), "cannot") == NULL) !=
          cases[i].reachable)
        g_error ("%s: “%s”", cases[i].address, ph_address_get_reach_sentence (address));
      if (!cases[i].reachable)
        g_assert_cmpstr (ph_address_get_reach_sentence (address), ==,
                         ph_address_get_unreachable_sentence ());
    }
}

/* A client on this computer reaches a wildcard through loopback, anything else as is. */
static void
test_local_target (void)
{
  static const struct { const char *address; const char *target; } cases[] = {
    { "0.0.0.0", "127.0.0.1" },
    { "::", "::1" },
    { "0:0::0", "::1" },
    { "127.0.0.1", "127.0.0.1" },
    { "127.0.0.53", "127.0.0.53" },
    { "::1", "::1" },
    { "192.168.1.20", "192.168.1.20" },
    { "fe80::1", "fe80::1" },
    { "localhost", "localhost" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *target = ph_address_dup_local_target (cases[i].address);

      g_assert_cmpstr (target, ==, cases[i].target);
    }
}

/* The text of every address, as a socket or an engine lists it: nothing, 0.0.0.0 or ::. */
static void
test_text_is_any (void)
{
  g_assert_true (ph_address_text_is_any (NULL));
  g_assert_true (ph_address_text_is_any (""));
  g_assert_true (ph_address_text_is_any ("0.0.0.0"));
  g_assert_true (ph_address_text_is_any ("::"));
  g_assert_false (ph_address_text_is_any ("127.0.0.1"));
  g_assert_false (ph_address_text_is_any ("::1"));
  g_assert_false (ph_address_text_is_any ("192.168.1.20"));
  g_assert_false (ph_address_text_is_any ("localhost"));
}

static void
test_unmapped (void)
{
  g_autoptr(GInetAddress) mapped = g_inet_address_new_from_string ("::ffff:10.1.2.3");
  g_autoptr(GInetAddress) plain = g_inet_address_new_from_string ("::1");
  g_autoptr(GInetAddress) inner = ph_address_dup_unmapped (mapped);
  g_autofree char *text = g_inet_address_to_string (inner);

  g_assert_cmpstr (text, ==, "10.1.2.3");
  g_assert_cmpint (ph_address_classify (inner), ==, PH_ADDRESS_KIND_PRIVATE);
  g_assert_null (ph_address_dup_unmapped (plain));
}

static void
test_words (void)
{
  const char *seen[3];

  /* Loopback kinds say "this computer"; every explanation is a sentence. */
  for (PhAddressKind kind = PH_ADDRESS_KIND_LOOPBACK; kind <= PH_ADDRESS_KIND_RESERVED; kind++)
    {
      const char *label = ph_address_kind_get_label (kind);

      for (int family = G_SOCKET_FAMILY_IPV4; family <= G_SOCKET_FAMILY_IPV6;
           family += G_SOCKET_FAMILY_IPV6 - G_SOCKET_FAMILY_IPV4)
        {
          const char *explanation = ph_address_kind_get_explanation (kind, family);

          g_assert_true (g_str_has_suffix (explanation, "."));
          g_assert_null (strchr (explanation, '%'));
        }
      g_assert_cmpint (ph_address_kind_is_loopback (kind), ==,
                       strstr (label, "this computer only") != NULL);
    }
  g_assert_nonnull (strstr (ph_address_kind_get_explanation (PH_ADDRESS_KIND_LINK_LOCAL,
                                                             G_SOCKET_FAMILY_IPV6), "fe80"));
  g_assert_nonnull (strstr (ph_address_kind_get_explanation (PH_ADDRESS_KIND_LINK_LOCAL,
                                                             G_SOCKET_FAMILY_IPV4), "169.254"));

  /* Dual-stack: three different answers, all about IPv4. */
  for (int v6only = -1; v6only <= 1; v6only++)
    {
      seen[v6only + 1] = ph_address_get_dual_stack_sentence (v6only);
      g_assert_nonnull (strstr (seen[v6only + 1], "IPv4"));
    }
  g_assert_cmpstr (seen[0], !=, seen[1]);
  g_assert_cmpstr (seen[1], !=, seen[2]);
  g_assert_nonnull (strstr (seen[0], "Unless"));
  g_assert_nonnull (strstr (seen[2], "IPv6 connections only"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/address/parse/good", test_parse_good);
  g_test_add_func ("/address/parse/bad", test_parse_bad);
  g_test_add_func ("/address/parse/check-host", test_check_host);
  g_test_add_func ("/address/kinds", test_kinds);
  g_test_add_func ("/address/unmapped", test_unmapped);
  g_test_add_func ("/address/local-target", test_local_target);
  g_test_add_func ("/address/text-is-any", test_text_is_any);
  g_test_add_func ("/address/words", test_words);

  return g_test_run ();
}
