/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-reach.c — who can connect, as the reach picture shows it, agrees with the pane's words */
#include "config.h"

#include <string.h>

#include "ph-address.h"
#include "ph-explain.h"
#include "ph-reach.h"
#include "ph-test-utils.h"

static const struct
{
  const char  *host;
  int          port;
  PhReachZone  widest;
  gboolean     every_address;
  const char  *socket_text;
} cases[] = {
  { "127.0.0.1", 62893, PH_REACH_ZONE_THIS_COMPUTER, FALSE, "127.0.0.1:62893" },
  { "127.0.0.53", 53, PH_REACH_ZONE_THIS_COMPUTER, FALSE, "127.0.0.53:53" },
  { "::1", 8080, PH_REACH_ZONE_THIS_COMPUTER, FALSE, "[::1]:8080" },
  { "::ffff:127.0.0.1", 5432, PH_REACH_ZONE_THIS_COMPUTER, FALSE, "[::ffff:127.0.0.1]:5432" },
  { "localhost", 3000, PH_REACH_ZONE_THIS_COMPUTER, FALSE, "localhost:3000" },
  { "0.0.0.0", 3000, PH_REACH_ZONE_LOCAL_NETWORK, TRUE, "0.0.0.0:3000" },
  { "::", 22, PH_REACH_ZONE_LOCAL_NETWORK, TRUE, "[::]:22" },
  { NULL, 3000, PH_REACH_ZONE_LOCAL_NETWORK, TRUE, "port 3000 on every address" },
  { "192.168.1.20", 8080, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "192.168.1.20:8080" },
  { "10.1.2.3", 443, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "10.1.2.3:443" },
  { "::ffff:192.168.1.20", 80, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "[::ffff:192.168.1.20]:80" },
  { "fd12:3456::1", 80, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "[fd12:3456::1]:80" },
  { "fe80::1%eth0", 22, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "[fe80::1%eth0]:22" },
  { "169.254.10.1", 22, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "169.254.10.1:22" },
  { "100.100.1.1", 22, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "100.100.1.1:22" },
  { "224.0.0.251", 5353, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "224.0.0.251:5353" },
  { "8.8.8.8", 53, PH_REACH_ZONE_INTERNET, FALSE, "8.8.8.8:53" },
  { "2a00:1450:4001::1", 443, PH_REACH_ZONE_INTERNET, FALSE, "[2a00:1450:4001::1]:443" },
  { "192.168.1.20", -1, PH_REACH_ZONE_LOCAL_NETWORK, FALSE, "192.168.1.20" },
};

/* Zones, what they say, and the description for each kind of address. */
static void
test_zones (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(PhReach) reach = { 0 };
      g_autofree char *description = NULL;

      g_test_message ("%s", cases[i].host != NULL ? cases[i].host : "(no address)");
      ph_reach_init (&reach, cases[i].host, cases[i].port);
      g_assert_true (reach.known);
      g_assert_cmpint (reach.widest, ==, cases[i].widest);
      g_assert_cmpint (reach.every_address, ==, cases[i].every_address);
      g_assert_cmpstr (reach.socket_text, ==, cases[i].socket_text);

      /* Zones nest: this computer can always connect, and every zone inside a zone that
       * can connect can too. */
      g_assert_true (ph_reach_can_connect (&reach, PH_REACH_ZONE_THIS_COMPUTER));
      for (PhReachZone z = 0; z < PH_REACH_N_ZONES; z++)
        {
          g_assert_cmpint (ph_reach_can_connect (&reach, z), ==, z <= cases[i].widest);
          g_assert_cmpstr (ph_reach_get_verdict (&reach, z), !=, "");
          g_assert_cmpstr (ph_reach_zone_get_title (z), !=, "");
        }

      description = ph_reach_dup_description (&reach);
      ph_test_assert_contains (description, cases[i].socket_text);
      switch (cases[i].widest)
        {
        case PH_REACH_ZONE_THIS_COMPUTER:
          ph_test_assert_contains (description, "only programs on this computer");
          g_assert_cmpstr (ph_reach_get_verdict (&reach, PH_REACH_ZONE_LOCAL_NETWORK), ==,
                           "Cannot connect");
          g_assert_cmpstr (ph_reach_get_verdict (&reach, PH_REACH_ZONE_INTERNET), ==,
                           "Cannot connect");
          break;
        case PH_REACH_ZONE_LOCAL_NETWORK:
          ph_test_assert_contains (description,
                                   "unless a firewall stops them, computers on the local network");
          g_assert_cmpstr (ph_reach_get_verdict (&reach, PH_REACH_ZONE_LOCAL_NETWORK), ==,
                           "Can connect, unless a firewall stops them");
          ph_test_assert_contains (ph_reach_get_verdict (&reach, PH_REACH_ZONE_INTERNET),
                           cases[i].every_address ? "public address" : "Not directly");
          break;
        case PH_REACH_ZONE_INTERNET:
          ph_test_assert_contains (description, "anywhere on the internet");
          ph_test_assert_contains (ph_reach_get_verdict (&reach, PH_REACH_ZONE_INTERNET),
                           "unless a firewall or router stops them");
          break;
        case PH_REACH_N_ZONES:
        default:
          g_assert_not_reached ();
        }
    }
}

/* What is not an address has no picture. */
static void
test_unknown (void)
{
  g_auto(PhReach) reach = { 0 };
  g_autofree char *description = NULL;

  ph_reach_init (&reach, "example.org", 80);
  g_assert_false (reach.known);
  g_assert_false (ph_reach_can_connect (&reach, PH_REACH_ZONE_THIS_COMPUTER));
  description = ph_reach_dup_description (&reach);
  g_assert_cmpstr (description, ==, "");
}

/* The picture and the pane's sentence come from the same verdict: wherever the words say
 * other computers cannot connect, the picture stops at this computer; wherever they speak
 * of the internet, it reaches the internet. */
static void
test_matches_words (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(PhReach) reach = { 0 };
      g_autoptr(PhExplanation) explanation = NULL;
      g_autoptr(GString) words = g_string_new (NULL);
      gboolean cannot, internet;

      if (cases[i].host == NULL)
        continue;  /* "any address" has no reach sentence of its own */

      ph_reach_init (&reach, cases[i].host, cases[i].port);
      explanation = ph_explain (cases[i].host, 80, "tcp", -1, TRUE);
      for (guint k = 0; k < ph_explanation_get_n_items (explanation, PH_EXPLANATION_ADDRESS); k++)
        g_string_append_printf (words, "%s\n",
                                ph_explanation_get_item (explanation, PH_EXPLANATION_ADDRESS,
                                                         k)->text);
      g_test_message ("%s: %s", cases[i].host, words->str);

      cannot = strstr (words->str, "Other computers cannot connect to it.") != NULL;
      internet = strstr (words->str, "anywhere on the internet may be able to connect") != NULL;
      g_assert_cmpint (cannot, ==, reach.widest == PH_REACH_ZONE_THIS_COMPUTER);
      g_assert_cmpint (internet, ==, reach.widest == PH_REACH_ZONE_INTERNET);
      if (reach.widest != PH_REACH_ZONE_THIS_COMPUTER)
        ph_test_assert_contains (words->str, "unless a firewall");
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reach/zones", test_zones);
  g_test_add_func ("/reach/unknown", test_unknown);
  g_test_add_func ("/reach/matches-words", test_matches_words);

  return g_test_run ();
}
