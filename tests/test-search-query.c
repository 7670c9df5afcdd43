/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-search-query.c — what typed search text asks for: words, a port, an address */
#include "config.h"

#include "ph-search-query.h"

static void
test_empty (void)
{
  const char *inputs[] = { "", "   ", "\t \n", NULL };

  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autoptr(PhSearchQuery) query = ph_search_query_new (inputs[i]);

      g_assert_cmpint (query->kind, ==, PH_SEARCH_QUERY_EMPTY);
      g_assert_cmpstr (query->text, ==, "");
      g_assert_null (query->words);
      g_assert_cmpuint (query->port, ==, 0);
      g_assert_null (query->spec);
      g_assert_null (query->error);
    }
  {
    g_autoptr(PhSearchQuery) query = ph_search_query_new (NULL);

    g_assert_cmpint (query->kind, ==, PH_SEARCH_QUERY_EMPTY);
  }
}

static void
test_words (void)
{
  /* Names, including ones made of hexadecimal letters, and text with a letter that no
   * address has: searched for, never reported as a bad address. */
  const char *inputs[] = { "vite", "cafe", "postgres", "node 3000", "80/sctp", "vite:3000",
                           "~/src/shop", NULL };

  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autoptr(PhSearchQuery) query = ph_search_query_new (inputs[i]);

      g_test_message ("%s", inputs[i]);
      g_assert_cmpint (query->kind, ==, PH_SEARCH_QUERY_WORDS);
      g_assert_cmpstr (query->words, ==, inputs[i]);
      g_assert_cmpuint (query->port, ==, 0);
      g_assert_null (query->spec);
      g_assert_null (query->error);
    }
  {
    g_autoptr(PhSearchQuery) query = ph_search_query_new ("  vite ");

    g_assert_cmpstr (query->text, ==, "vite");
    g_assert_cmpstr (query->words, ==, "vite");
  }
}

typedef struct
{
  const char *typed;
  const char *host;   /* NULL: no host typed */
  int         port;   /* -1: no port typed */
  PhPortProtocol protocol;
} AddressCase;

static void
test_addresses (void)
{
  static const AddressCase cases[] = {
    { "3000", NULL, 3000, PH_PORT_PROTOCOL_TCP },
    { " 3000 ", NULL, 3000, PH_PORT_PROTOCOL_TCP },
    { ":3000", NULL, 3000, PH_PORT_PROTOCOL_TCP },
    { "127.0.0.1:62893", "127.0.0.1", 62893, PH_PORT_PROTOCOL_TCP },
    { "[::1]:8080", "::1", 8080, PH_PORT_PROTOCOL_TCP },
    { "localhost:3000", "localhost", 3000, PH_PORT_PROTOCOL_TCP },
    { "5353/udp", NULL, 5353, PH_PORT_PROTOCOL_UDP },
    { "65535", NULL, 65535, PH_PORT_PROTOCOL_TCP },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhSearchQuery) query = ph_search_query_new (cases[i].typed);

      g_test_message ("%s", cases[i].typed);
      g_assert_cmpint (query->kind, ==, PH_SEARCH_QUERY_ADDRESS);
      g_assert_nonnull (query->spec);
      g_assert_null (query->error);
      g_assert_cmpstr (query->spec->host, ==, cases[i].host);
      g_assert_cmpint (query->spec->port, ==, cases[i].port);
      g_assert_cmpint (query->spec->protocol, ==, cases[i].protocol);
      /* With a port, the list shows what listens on it, whatever its name. */
      g_assert_cmpuint (query->port, ==, (guint) cases[i].port);
      g_assert_null (query->words);
    }
}

/* An address without a port is explained, and also searched for in the list. */
static void
test_address_without_port (void)
{
  const char *inputs[] = { "::1", "127.0.0.1", "0.0.0.0", "localhost", NULL };

  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autoptr(PhSearchQuery) query = ph_search_query_new (inputs[i]);

      g_test_message ("%s", inputs[i]);
      g_assert_cmpint (query->kind, ==, PH_SEARCH_QUERY_ADDRESS);
      g_assert_nonnull (query->spec);
      g_assert_cmpint (query->spec->port, ==, -1);
      g_assert_cmpuint (query->port, ==, 0);
      g_assert_cmpstr (query->words, ==, inputs[i]);
    }
  {
    /* Port 0 is an address to explain, not a port to filter by. */
    g_autoptr(PhSearchQuery) query = ph_search_query_new ("0");

    g_assert_cmpint (query->kind, ==, PH_SEARCH_QUERY_ADDRESS);
    g_assert_cmpint (query->spec->port, ==, 0);
    g_assert_cmpuint (query->port, ==, 0);
    g_assert_cmpstr (query->words, ==, "0");
  }
}

typedef struct
{
  const char    *typed;
  PhAddressError code;
} BadCase;

static void
test_bad_addresses (void)
{
  static const BadCase cases[] = {
    { "99999", PH_ADDRESS_ERROR_BAD_PORT },
    { "1.2.3:80", PH_ADDRESS_ERROR_BAD_HOST },
    { "[::1", PH_ADDRESS_ERROR_BRACKETS },
    { "127.0.0.1:", PH_ADDRESS_ERROR_MISSING_PORT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhSearchQuery) query = ph_search_query_new (cases[i].typed);

      g_test_message ("%s", cases[i].typed);
      g_assert_cmpint (query->kind, ==, PH_SEARCH_QUERY_BAD_ADDRESS);
      g_assert_error (query->error, PH_ADDRESS_ERROR, (int) cases[i].code);
      g_assert_cmpstr (query->error->message, !=, "");
      g_assert_null (query->spec);
      /* The list is still searched for the text. */
      g_assert_cmpstr (query->words, ==, cases[i].typed);
      g_assert_cmpuint (query->port, ==, 0);
    }
}

static void
test_looks_like_address (void)
{
  const char *yes[] = { "1", "1.2.3", "1.2.3:80", "99999", "::", ":", "[", "[::1", "beef:",
                        "fe80::1", "80/", NULL };
  const char *no[] = { "", "vite", "cafe", "dead", "beef", "node3000", "80/sctp", "a b",
                       "1 2", NULL };

  for (guint i = 0; yes[i] != NULL; i++)
    {
      g_test_message ("yes: %s", yes[i]);
      g_assert_true (ph_search_text_looks_like_address (yes[i]));
    }
  for (guint i = 0; no[i] != NULL; i++)
    {
      g_test_message ("no: %s", no[i]);
      g_assert_false (ph_search_text_looks_like_address (no[i]));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/search-query/empty", test_empty);
  g_test_add_func ("/search-query/words", test_words);
  g_test_add_func ("/search-query/addresses", test_addresses);
  g_test_add_func ("/search-query/address-without-port", test_address_without_port);
  g_test_add_func ("/search-query/bad-addresses", test_bad_addresses);
  g_test_add_func ("/search-query/looks-like-address", test_looks_like_address);

  return g_test_run ();
}
