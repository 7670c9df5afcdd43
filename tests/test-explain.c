/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-explain.c — the explanation's sections and sentences for each kind of input */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-explain.h"
#include "ph-test-utils.h"

static const PhPortRange linux_default = { 32768, 60999 };
static const PhPortRange iana_like = { 49152, 65535 };

/* All texts of @section, one per line, "title: text" where there is a title. */
static char *
section_text (const PhExplanation  *explanation,
              PhExplanationSection  section)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < ph_explanation_get_n_items (explanation, section); i++)
    {
      const PhExplanationItem *item = ph_explanation_get_item (explanation, section, i);

      if (item->title != NULL)
        g_string_append_printf (text, "%s: ", item->title);
      g_string_append_printf (text, "%s\n", item->text);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
assert_lacks (const char *haystack,
              const char *needle)
{
  if (strstr (haystack, needle) != NULL)
    g_error ("“%s” should not be in:\n%s", needle, haystack);
}

/* Items are well-formed: text always, titles only short, sentences end like sentences. */
static void
assert_well_formed (const PhExplanation *explanation)
{
  for (PhExplanationSection s = 0; s < PH_EXPLANATION_N_SECTIONS; s++)
    {
      g_assert_cmpstr (ph_explanation_section_get_title (s), !=, "");
      for (guint i = 0; i < ph_explanation_get_n_items (explanation, s); i++)
        {
          const PhExplanationItem *item = ph_explanation_get_item (explanation, s, i);

          g_assert_nonnull (item->text);
          g_assert_cmpstr (item->text, !=, "");
          g_assert_true (g_utf8_validate (item->text, -1, NULL));
          g_assert_null (strstr (item->text, "%u"));
          g_assert_null (strstr (item->text, "%s"));
          if (item->is_fact)
            g_assert_nonnull (item->title);
          else
            g_assert_true (g_str_has_suffix (item->text, "."));
          if (item->title != NULL)
            g_assert_cmpuint (g_utf8_strlen (item->title, -1), <=, 24);
        }
    }
}

static void
test_loopback_dynamic (void)
{
  g_autoptr(PhExplanation) explanation = ph_explain ("127.0.0.1", 62893, "tcp", -1, FALSE);
  g_autofree char *address = section_text (explanation, PH_EXPLANATION_ADDRESS);
  g_autofree char *port = section_text (explanation, PH_EXPLANATION_PORT);
  const PhExplanationItem *first = ph_explanation_get_item (explanation, PH_EXPLANATION_ADDRESS, 0);

  assert_well_formed (explanation);
  g_assert_true (first->is_fact);
  ph_test_assert_contains (first->text, "Loopback");
  ph_test_assert_contains (address, "127.0.0.1 is the loopback address");
  ph_test_assert_contains (address, "Other computers cannot connect");
  ph_test_assert_contains (port, "dynamic (private) port, 49152–65535");
  ph_test_assert_contains (port,
                           "IANA registration: None: IANA never registers ports in the dynamic");
  assert_lacks (port, "Commonly used for");
  /* Nothing was checked and nobody was named: no status. */
  g_assert_cmpuint (ph_explanation_get_n_items (explanation, PH_EXPLANATION_STATUS), ==, 0);
}

static void
test_classes_and_boundaries (void)
{
  static const struct { int port; const char *words; } cases[] = {
    { 0, "Port 0 is not a real port" },
    { 1023, "well-known (system) port, 0–1023" },
    { 1024, "registered (user) port, 1024–49151" },
    { 49151, "registered (user) port, 1024–49151" },
    { 49152, "dynamic (private) port, 49152–65535" },
    { 65535, "dynamic (private) port, 49152–65535" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PhExplainRequest request = {
        .host = "127.0.0.1", .port = cases[i].port, .v6only = -1, .ephemeral = &linux_default,
      };
      g_autoptr(PhExplanation) explanation = ph_explain_request (&request);
      g_autofree char *port = section_text (explanation, PH_EXPLANATION_PORT);

      assert_well_formed (explanation);
      ph_test_assert_contains (port, cases[i].words);
    }
}

static void
test_ephemeral (void)
{
  static const struct
  {
    int                port;
    gboolean           listening;
    const PhPortRange *range;
    const char        *words;
    gboolean           overlap;
  } cases[] = {
    { 40000, TRUE, &linux_default, "most likely got it that way", TRUE },
    { 40000, FALSE, &linux_default, "may get it without choosing it", TRUE },
    { 8080, TRUE, &linux_default, "most likely chose it", FALSE },
    { 8080, FALSE, &linux_default, "outside this computer’s ephemeral range, 32768–60999", FALSE },
    { 62893, FALSE, &linux_default, "outside", TRUE },
    { 60999, FALSE, &linux_default, "lies in it", TRUE },
    { 61000, FALSE, &linux_default, "outside", TRUE },
    { 50000, TRUE, &iana_like, "49152–65535", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PhExplainRequest request = {
        .host = "0.0.0.0", .port = cases[i].port, .v6only = -1,
        .listening = cases[i].listening, .ephemeral = cases[i].range,
      };
      g_autoptr(PhExplanation) explanation = ph_explain_request (&request);
      g_autofree char *port = section_text (explanation, PH_EXPLANATION_PORT);

      assert_well_formed (explanation);
      ph_test_assert_contains (port, "Ephemeral range: ");
      ph_test_assert_contains (port, cases[i].words);
      if (cases[i].overlap)
        ph_test_assert_contains (port, "overlaps IANA’s registered ports (1024–49151)");
      else
        assert_lacks (port, "overlaps");
    }
}

static void
test_iana_and_common (void)
{
  g_autoptr(PhExplanation) http = ph_explain ("0.0.0.0", 80, "tcp", -1, TRUE);
  g_autoptr(PhExplanation) dev = ph_explain ("::1", 3000, "tcp", -1, TRUE);
  g_autoptr(PhExplanation) mdns = ph_explain ("224.0.0.251", 5353, "udp", -1, TRUE);
  g_autoptr(PhExplanation) mdns_tcp = ph_explain ("127.0.0.1", 5353, "tcp", -1, TRUE);
  g_autoptr(PhExplanation) nothing = ph_explain ("127.0.0.1", 4, "tcp", -1, TRUE);
  g_autofree char *http_port = section_text (http, PH_EXPLANATION_PORT);
  g_autofree char *dev_port = section_text (dev, PH_EXPLANATION_PORT);
  g_autofree char *mdns_port = section_text (mdns, PH_EXPLANATION_PORT);
  g_autofree char *mdns_address = section_text (mdns, PH_EXPLANATION_ADDRESS);
  g_autofree char *mdns_tcp_port = section_text (mdns_tcp, PH_EXPLANATION_PORT);
  g_autofree char *nothing_port = section_text (nothing, PH_EXPLANATION_PORT);

  assert_well_formed (http);
  ph_test_assert_contains (http_port, "IANA registration: World Wide Web HTTP "
                              "(service names http, www, www-http)");
  ph_test_assert_contains (http_port, "Commonly used for: Web server (HTTP)");
  ph_test_assert_contains (http_port, "Typical programs: apache2, nginx");

  assert_well_formed (dev);
  ph_test_assert_contains (dev_port, "RemoteWare Client (service name remoteware-cl)");
  ph_test_assert_contains (dev_port, "Commonly used for: Web dev server");

  assert_well_formed (mdns);
  ph_test_assert_contains (mdns_port, "Multicast DNS (service name mdns)");
  ph_test_assert_contains (mdns_port, "Avahi");
  ph_test_assert_contains (mdns_address, "mDNS group");
  ph_test_assert_contains (mdns_address, "Multicast group");
  /* The curated entry is for UDP only. */
  assert_lacks (mdns_tcp_port, "Commonly used for");

  ph_test_assert_contains (nothing_port, "None: no service has registered this port with IANA.");
}

static void
test_address_kinds (void)
{
  static const struct { const char *host; const char *words[3]; } cases[] = {
    { NULL, { "Kind: Any address", "0.0.0.0 for IPv4 and :: for IPv6", NULL } },
    { "localhost", { "localhost is the name", "cannot connect", NULL } },
    { "127.0.0.53", { "systemd-resolved", "127.0.0.0 to 127.255.255.255", "cannot connect" } },
    { "127.0.1.1", { "Debian", "cannot connect", NULL } },
    { "::1", { "IPv6 loopback", "cannot connect", NULL } },
    { "0.0.0.0", { "every IPv4 address", "unless a firewall stops them", NULL } },
    { "::ffff:127.0.0.1", { "IPv4-mapped", "::ffff:127.0.0.1 is the same as 127.0.0.1",
                            "cannot connect" } },
    { "::ffff:192.168.1.20", { "IPv4 address in IPv6 form", "private address",
                               "same local network can connect" } },
    { "fe80::1%eth0", { "fe80:", "Interface: eth0", "same network link" } },
    { "169.254.3.4", { "169.254.0.0 to 169.254.255.255", "network link", NULL } },
    { "192.168.1.20", { "Private local network address", "same local network", NULL } },
    { "fd00::5", { "unique local", "same local network", NULL } },
    { "100.100.1.1", { "carrier-grade NAT", "Tailscale", NULL } },
    { "8.8.8.8", { "Public internet address", "anywhere on the internet", NULL } },
    { "239.255.255.250", { "SSDP", "Multicast", NULL } },
    { "not-an-address", { "does not know what kind of address", NULL, NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhExplanation) explanation = ph_explain (cases[i].host, 8080, "tcp", -1, TRUE);
      g_autofree char *address = section_text (explanation, PH_EXPLANATION_ADDRESS);

      assert_well_formed (explanation);
      for (guint w = 0; w < G_N_ELEMENTS (cases[i].words) && cases[i].words[w] != NULL; w++)
        ph_test_assert_contains (address, cases[i].words[w]);
    }
}

static void
test_dual_stack (void)
{
  const char *expected[] = { "Unless the program turned it off", "takes IPv4 connections too",
                             "takes IPv6 connections only" };

  for (int v6only = -1; v6only <= 1; v6only++)
    {
      g_autoptr(PhExplanation) explanation = ph_explain ("::", 8080, "tcp", v6only, TRUE);
      g_autofree char *address = section_text (explanation, PH_EXPLANATION_ADDRESS);

      assert_well_formed (explanation);
      ph_test_assert_contains (address, "every IPv6 address");
      ph_test_assert_contains (address, expected[v6only + 1]);
    }

  /* Only "::" gets the dual-stack sentence. */
  {
    g_autoptr(PhExplanation) explanation = ph_explain ("::1", 8080, "tcp", 0, TRUE);
    g_autofree char *address = section_text (explanation, PH_EXPLANATION_ADDRESS);

    assert_lacks (address, "dual-stack");
  }
}

static void
test_status (void)
{
  static const struct { PhPortStatus status; const char *detail; const char *words; } cases[] = {
    { PH_PORT_STATUS_FREE, NULL, "Nothing is listening here; the port is free." },
    { PH_PORT_STATUS_IN_USE, NULL, "holds this port" },
    { PH_PORT_STATUS_LINGERING, NULL, "closed a moment ago" },
    { PH_PORT_STATUS_NOT_LOCAL, NULL, "does not belong to this computer" },
    { PH_PORT_STATUS_UNKNOWN, "Only the administrator may open port 80.", "administrator" },
    { PH_PORT_STATUS_UNKNOWN, NULL, "could not tell" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PhExplainRequest request = {
        .host = "127.0.0.1", .port = 80, .v6only = -1, .checked = TRUE,
        .status = cases[i].status, .status_detail = cases[i].detail,
      };
      g_autoptr(PhExplanation) explanation = ph_explain_request (&request);
      g_autofree char *status = section_text (explanation, PH_EXPLANATION_STATUS);

      assert_well_formed (explanation);
      g_assert_cmpuint (ph_explanation_get_n_items (explanation, PH_EXPLANATION_STATUS), ==, 1);
      ph_test_assert_contains (status, cases[i].words);
    }

  /* A known listener wins over the bind check: that is what the scanner will pass. */
  {
    PhExplainRequest request = {
      .host = "127.0.0.1", .port = 5173, .v6only = -1, .listening = TRUE,
      .listener = "vite, process 4242", .checked = TRUE, .status = PH_PORT_STATUS_IN_USE,
    };
    g_autoptr(PhExplanation) explanation = ph_explain_request (&request);
    g_autofree char *status = section_text (explanation, PH_EXPLANATION_STATUS);

    assert_well_formed (explanation);
    g_assert_cmpstr (status, ==, "vite, process 4242 is listening here.\n");
  }
}

static void
test_no_port (void)
{
  PhExplainRequest request = { .host = "::1", .port = -1, .v6only = -1 };
  g_autoptr(PhExplanation) explanation = ph_explain_request (&request);
  g_autoptr(PhExplanation) short_form = ph_explain ("::1", 0, NULL, -1, FALSE);

  assert_well_formed (explanation);
  g_assert_cmpuint (ph_explanation_get_n_items (explanation, PH_EXPLANATION_ADDRESS), >, 0);
  g_assert_cmpuint (ph_explanation_get_n_items (explanation, PH_EXPLANATION_PORT), ==, 0);
  g_assert_cmpuint (ph_explanation_get_n_items (explanation, PH_EXPLANATION_STATUS), ==, 0);
  /* In the short form, port 0 means "no port". */
  g_assert_cmpuint (ph_explanation_get_n_items (short_form, PH_EXPLANATION_PORT), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/explain/loopback-dynamic", test_loopback_dynamic);
  g_test_add_func ("/explain/classes", test_classes_and_boundaries);
  g_test_add_func ("/explain/ephemeral", test_ephemeral);
  g_test_add_func ("/explain/iana-and-common", test_iana_and_common);
  g_test_add_func ("/explain/address-kinds", test_address_kinds);
  g_test_add_func ("/explain/dual-stack", test_dual_stack);
  g_test_add_func ("/explain/status", test_status);
  g_test_add_func ("/explain/no-port", test_no_port);

  return g_test_run ();
}
