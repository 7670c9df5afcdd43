/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-search.c: what is typed in the search entry (words, addresses, ports, URLs) */
#include "ph-fuzz.h"
#include "ph-search-query.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = ph_fuzz_strndup (data, size);
  g_autoptr(PhSearchQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhAddressSpec) spec = NULL;

  /* the entry only ever holds valid UTF-8 */
  if (!g_utf8_validate (text, -1, NULL))
    return 0;

  query = ph_search_query_new (text);
  PH_FUZZ_ASSERT (query != NULL, "every text is a query");
  PH_FUZZ_ASSERT (query->kind != PH_SEARCH_QUERY_ADDRESS || query->spec != NULL,
                  "an address query carries what was read");
  PH_FUZZ_ASSERT (query->kind != PH_SEARCH_QUERY_BAD_ADDRESS || query->error != NULL,
                  "a bad address says why");
  PH_FUZZ_ASSERT (query->port <= 65535, "a port is a port");
  if (query->spec != NULL)
    {
      g_autofree char *again = ph_address_spec_to_string (query->spec);
      g_autofree char *host = ph_address_spec_dup_check_host (query->spec);

      PH_FUZZ_ASSERT (again != NULL, "a spec prints");
    }
  (void) ph_search_text_looks_like_address (text);

  spec = ph_address_spec_parse (text, &error);
  PH_FUZZ_ASSERT ((spec == NULL) == (error != NULL), "parsed or an error, not both");
  if (spec != NULL)
    {
      g_autofree char *printed = ph_address_spec_to_string (spec);
      g_autoptr(GError) error2 = NULL;
      g_autoptr(PhAddressSpec) again = ph_address_spec_parse (printed, &error2);
      g_autofree char *printed2 = NULL;

      PH_FUZZ_ASSERT (again != NULL, "what a spec prints parses again");
      printed2 = ph_address_spec_to_string (again);
      PH_FUZZ_ASSERT (g_strcmp0 (printed, printed2) == 0, "and prints the same");
    }
  return 0;
}
