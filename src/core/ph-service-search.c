/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-search.c — whether a service matches what the user typed in the search entry */
#include "config.h"

#include <string.h>

#include "ph-service-private.h"

static inline guchar
ascii_lower (guchar c)
{
  return c >= 'A' && c <= 'Z' ? (guchar) (c + ('a' - 'A')) : c;
}

/* Whether @haystack, case-folded, contains @folded_needle. Text that is all ASCII (nearly
 * every user name and group name) is compared byte by byte, lowering as it goes, with no
 * copy: its case-folded form is its ASCII lower case. Anything else is folded. */
static gboolean
text_contains (const char *haystack,
               const char *folded_needle)
{
  g_autofree char *folded = NULL;
  const guchar *h = (const guchar *) haystack;
  const guchar *n = (const guchar *) folded_needle;

  if (haystack == NULL || *haystack == '\0')
    return FALSE;
  for (; *h != '\0' && *h < 0x80; h++)
    {
      size_t k = 0;

      if (ascii_lower (*h) != n[0])
        continue;
      while (n[k] != '\0' && h[k] != '\0' && h[k] < 0x80 && ascii_lower (h[k]) == n[k])
        k++;
      if (n[k] == '\0')
        return TRUE;
    }
  if (*h == '\0')
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, folded_needle) != NULL;
}

/* Whether the address as shown ("127.0.0.1:80", "[::1]:80", "[fe80::1%eth0]:80")
 * contains @term, formatting it only when the term could straddle its parts. */
static gboolean
address_contains (PhService  *self,
                  const char *term,
                  const char *port_text)
{
  g_autofree char *display_address = NULL;

  if (self->scope_id == 0 && strpbrk (term, ":[]%") == NULL)
    return (self->address != NULL && strstr (self->address, term) != NULL)
           || strstr (port_text, term) != NULL;
  display_address = ph_service_dup_display_address (self);
  return strstr (display_address, term) != NULL;
}

static gboolean
term_matches (PhService         *self,
              const char        *term,
              PhServiceNameFunc  service_name,
              gpointer           user_data)
{
  gboolean all_digits = TRUE;
  char port[16];

  for (const char *p = term; *p; p++)
    all_digits &= g_ascii_isdigit (*p);

  {
    char digits[16];
    guint n = 0, value = self->port;

    do
      digits[n++] = (char) ('0' + value % 10);
    while ((value /= 10) != 0);
    for (guint k = 0; k < n; k++)
      port[k] = digits[n - 1 - k];
    port[n] = '\0';
  }
  /* A port is matched from its start, so "300" while typing "3000" keeps 3000. */
  if (all_digits && g_str_has_prefix (port, term))
    return TRUE;

  if (address_contains (self, term, port))
    return TRUE;
  if (strcmp (term, self->protocol) == 0)
    return TRUE;
  /* With owners, the group is the main owner's: its search text has the group's name. */
  if (self->n_owners == 0 &&
      (text_contains (ph_service_get_group_name (self), term) ||
       text_contains (ph_service_get_group_subtitle (self), term)))
    return TRUE;
  if (text_contains (self->user, term))
    return TRUE;

  for (guint i = 0; i < self->n_owners; i++)
    {
      PhProcess *owner = self->owners[i].process;

      if (all_digits)
        {
          char pid[24];

          g_snprintf (pid, sizeof pid, "%" G_GINT64_FORMAT, ph_process_get_pid (owner));
          if (strcmp (pid, term) == 0)
            return TRUE;
        }
      /* name, command line, executable, unit, app ID, group: folded once per process */
      if (strstr (ph_process_get_search_text (owner), term) != NULL)
        return TRUE;
    }

  if (service_name != NULL &&
      text_contains (service_name (self->port, self->protocol, user_data), term))
    return TRUE;

  return FALSE;
}

/**
 * ph_service_matches_terms:
 * @terms: the words typed, already case-folded and split (ph_service_search_terms())
 *
 * ph_service_matches() for a query split once, as a list's filter wants it: every
 * service of the list is matched against the same words.
 */
gboolean
ph_service_matches_terms (PhService          *self,
                          const char * const *terms,
                          PhServiceNameFunc   service_name,
                          gpointer            user_data)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);

  if (terms == NULL)
    return TRUE;
  for (guint i = 0; terms[i] != NULL; i++)
    {
      if (!term_matches (self, terms[i], service_name, user_data))
        return FALSE;
    }
  return TRUE;
}

/**
 * ph_service_search_terms:
 * @query: (nullable): what the user typed
 *
 * Returns: (transfer full) (nullable): the words of @query, case-folded, without empty
 * ones; NULL for a NULL @query
 */
GStrv
ph_service_search_terms (const char *query)
{
  g_autofree char *folded = NULL;
  g_auto(GStrv) split = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  if (query == NULL)
    return NULL;
  folded = g_utf8_casefold (query, -1);
  split = g_strsplit_set (g_strstrip (folded), " \t", -1);
  builder = g_strv_builder_new ();
  for (guint i = 0; split[i] != NULL; i++)
    {
      if (*split[i] != '\0')
        g_strv_builder_add (builder, split[i]);
    }
  return g_strv_builder_end (builder);
}

/* Whether every service @term matches is also matched by each part of @term: true when
 * the term matches only by containment. A term of digits alone may match a PID whole, and
 * "tcp" or "udp" a protocol whole; a part of them may not match the same service. */
static gboolean
term_matches_by_containment (const char *term)
{
  gboolean all_digits = TRUE;

  for (const char *p = term; *p; p++)
    all_digits &= g_ascii_isdigit (*p);
  return !all_digits && strcmp (term, "tcp") != 0 && strcmp (term, "udp") != 0;
}

/**
 * ph_service_terms_narrow:
 * @wider: (nullable): search words (ph_service_search_terms()); NULL matches everything
 * @narrower: (nullable): other search words
 *
 * Whether every service that @narrower matches is also matched by @wider: each word of
 * @wider is part of a word of @narrower that matches only where its parts do. A list's
 * filter then needs to look again only at what it shows (typing on) or only at what it
 * hides (erasing), not at every service. FALSE when it cannot tell.
 */
gboolean
ph_service_terms_narrow (const char * const *wider,
                         const char * const *narrower)
{
  if (wider == NULL)
    return TRUE;
  if (narrower == NULL)
    return wider[0] == NULL;
  for (guint i = 0; wider[i] != NULL; i++)
    {
      gboolean implied = FALSE;

      for (guint j = 0; narrower[j] != NULL && !implied; j++)
        implied = strcmp (narrower[j], wider[i]) == 0 ||
                  (strstr (narrower[j], wider[i]) != NULL &&
                   term_matches_by_containment (narrower[j]));
      if (!implied)
        return FALSE;
    }
  return TRUE;
}

/**
 * ph_service_matches:
 * @query: what the user typed; every word must match something
 * @service_name: (scope call) (nullable): gives the port's service name (IANA), if any
 *
 * Matches the port (from its first digit), the address as shown, the protocol, the
 * group's name, the user, each owner's name, PID, command line, executable, unit and app
 * ID, and the service name.
 */
gboolean
ph_service_matches (PhService         *self,
                    const char        *query,
                    PhServiceNameFunc  service_name,
                    gpointer           user_data)
{
  g_auto(GStrv) terms = NULL;

  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);

  if (query == NULL)
    return TRUE;
  terms = ph_service_search_terms (query);
  return ph_service_matches_terms (self, (const char * const *) terms, service_name,
                                   user_data);
}
