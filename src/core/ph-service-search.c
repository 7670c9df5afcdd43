/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-search.c — whether a service matches what the user typed in the search entry */
#include "config.h"

#include <string.h>

#include "ph-service-private.h"

static gboolean
text_contains (const char *haystack,
               const char *folded_needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL || *haystack == '\0')
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, folded_needle) != NULL;
}

static gboolean
term_matches (PhService         *self,
              const char        *term,
              PhServiceNameFunc  service_name,
              gpointer           user_data)
{
  g_autofree char *display_address = NULL;
  gboolean all_digits = TRUE;

  for (const char *p = term; *p; p++)
    all_digits &= g_ascii_isdigit (*p);

  if (all_digits)
    {
      char port[16];

      /* A port is matched from its start, so "300" while typing "3000" keeps 3000. */
      g_snprintf (port, sizeof port, "%u", self->port);
      if (g_str_has_prefix (port, term))
        return TRUE;
    }

  display_address = ph_service_dup_display_address (self);
  if (strstr (display_address, term) != NULL)
    return TRUE;
  if (strcmp (term, self->protocol) == 0)
    return TRUE;
  if (text_contains (ph_service_get_group_name (self), term) ||
      text_contains (ph_service_get_group_subtitle (self), term) ||
      text_contains (self->user, term))
    return TRUE;

  for (guint i = 0; i < self->owners->len; i++)
    {
      PhProcess *owner = g_ptr_array_index (self->owners, i);

      if (all_digits)
        {
          char pid[24];

          g_snprintf (pid, sizeof pid, "%" G_GINT64_FORMAT, ph_process_get_pid (owner));
          if (strcmp (pid, term) == 0)
            return TRUE;
        }
      if (text_contains (ph_process_get_comm (owner), term) ||
          text_contains (ph_process_get_command_line (owner), term) ||
          text_contains (ph_process_get_exe (owner), term) ||
          text_contains (ph_process_get_unit (owner), term) ||
          text_contains (ph_process_get_app_id (owner), term))
        return TRUE;
    }

  if (service_name != NULL &&
      text_contains (service_name (self->port, self->protocol, user_data), term))
    return TRUE;

  return FALSE;
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
  g_autofree char *folded = NULL;
  g_auto(GStrv) terms = NULL;

  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);

  if (query == NULL)
    return TRUE;

  folded = g_utf8_casefold (query, -1);
  terms = g_strsplit_set (g_strstrip (folded), " \t", -1);
  for (guint i = 0; terms[i] != NULL; i++)
    {
      if (*terms[i] == '\0')
        continue;
      if (!term_matches (self, terms[i], service_name, user_data))
        return FALSE;
    }
  return TRUE;
}
