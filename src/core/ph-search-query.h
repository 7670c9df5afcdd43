/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-search-query.h — what text typed into a search asks for: words, a port, an address */
#pragma once

#include <gio/gio.h>

#include "ph-address.h"

G_BEGIN_DECLS

typedef enum
{
  PH_SEARCH_QUERY_EMPTY,        /* nothing but spaces */
  PH_SEARCH_QUERY_WORDS,        /* words to look for in names, command lines, addresses */
  PH_SEARCH_QUERY_ADDRESS,      /* an address, a port or both: see @spec */
  PH_SEARCH_QUERY_BAD_ADDRESS,  /* meant as an address ("1.2.3:80", "99999") but not one */
} PhSearchQueryKind;

typedef struct
{
  PhSearchQueryKind  kind;
  char              *text;   /* what was typed, without the spaces around it */
  char              *words;  /* filter by these words (ph_service_matches()), or NULL */
  guint              port;   /* filter by this port instead, or 0 */
  PhAddressSpec     *spec;   /* PH_SEARCH_QUERY_ADDRESS: what was read */
  GError            *error;  /* PH_SEARCH_QUERY_BAD_ADDRESS: why it is not an address */
} PhSearchQuery;

PhSearchQuery *ph_search_query_new               (const char    *typed);
void           ph_search_query_free              (PhSearchQuery *query);
gboolean       ph_search_text_looks_like_address (const char    *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhSearchQuery, ph_search_query_free)

G_END_DECLS
