/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-search-query.c — what text typed into a search asks for: words, a port, an address */
#include "config.h"

#include <string.h>

#include "ph-search-query.h"

/**
 * ph_search_text_looks_like_address:
 * @text: what was typed, without spaces around it
 *
 * Whether @text reads like an attempt at an address ("1.2.3:80", "99999", "[::1") rather
 * than a word to search for ("vite", "cafe"), so that the reason it is not a valid
 * address is worth showing.
 */
gboolean
ph_search_text_looks_like_address (const char *text)
{
  gboolean digits = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if (*p != '.' && *p != ':' && *p != '[' && *p != ']' && *p != '/' &&
               !g_ascii_isxdigit (*p))
        return FALSE;
    }
  return digits || strchr (text, ':') != NULL || strchr (text, '[') != NULL;
}

/**
 * ph_search_query_new:
 * @typed: the search text as typed
 *
 * Reads a search: an address with a port ("127.0.0.1:8080", ":3000", "3000") filters the
 * list by that port and names the address to explain; an address alone ("::1") is
 * explained and also searched for as words; anything else is words, and text that meant
 * to be an address but is not one carries the reason.
 *
 * Returns: (transfer full): the query; free with ph_search_query_free()
 */
PhSearchQuery *
ph_search_query_new (const char *typed)
{
  PhSearchQuery *query = g_new0 (PhSearchQuery, 1);
  g_autoptr(GError) error = NULL;

  query->text = g_strstrip (g_strdup (typed != NULL ? typed : ""));
  if (*query->text == '\0')
    {
      query->kind = PH_SEARCH_QUERY_EMPTY;
      return query;
    }

  query->spec = ph_address_spec_parse (query->text, &error);
  if (query->spec != NULL)
    query->kind = PH_SEARCH_QUERY_ADDRESS;
  else if (ph_search_text_looks_like_address (query->text))
    {
      query->kind = PH_SEARCH_QUERY_BAD_ADDRESS;
      query->error = g_steal_pointer (&error);
    }
  else
    query->kind = PH_SEARCH_QUERY_WORDS;

  if (query->spec != NULL && query->spec->port > 0)
    query->port = (guint) query->spec->port;
  else
    query->words = g_strdup (query->text);
  return query;
}

void
ph_search_query_free (PhSearchQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->text);
  g_free (query->words);
  g_clear_pointer (&query->spec, ph_address_spec_free);
  g_clear_error (&query->error);
  g_free (query);
}
