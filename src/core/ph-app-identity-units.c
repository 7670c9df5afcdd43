/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity-units.c: systemd unit descriptions, read from the unit files */

/* No D-Bus: reading the files also works for another user's services, and inside the
 * sandbox, where the host's /usr is under /run/host. */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ph-app-identity-private.h"
#include "ph-protocol-reader.h"

/* The [Unit] Description= of a unit file's @contents, or NULL. */
char *
ph_unit_parse_description (const char *contents)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  g_autofree char *description = NULL;
  gboolean in_unit = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *value;

      if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
        continue;
      if (line[0] == '[')
        {
          in_unit = strcmp (line, "[Unit]") == 0;
          continue;
        }
      if (!in_unit || !g_str_has_prefix (line, "Description"))
        continue;
      value = line + strlen ("Description");
      while (*value == ' ' || *value == '\t')
        value++;
      if (*value != '=')
        continue;
      g_free (description);
      description = g_strdup (g_strstrip (value + 1));
    }

  if (description != NULL && description[0] == '\0')
    g_clear_pointer (&description, g_free);
  /* Anyone can write a user unit: its words are shown, never obeyed (no escapes, no bidi
   * overrides, no line breaks, valid UTF-8). */
  if (description != NULL && !ph_protocol_is_display_safe (description, -1))
    {
      char *safe = ph_protocol_display (description, -1);

      g_free (description);
      description = safe;
    }
  return g_steal_pointer (&description);
}

/* @text with the unit specifiers systemd expands in a Description (%i, %n, %N, %p). */
char *
ph_unit_expand_specifiers (const char *text,
                           const char *unit)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *at = strchr (unit, '@');
  const char *dot = strrchr (unit, '.');
  g_autofree char *prefix = g_strndup (unit, (at ? at : dot ? dot : unit + strlen (unit)) - unit);
  g_autofree char *instance = NULL;
  g_autofree char *name = g_strndup (unit, (dot ? dot : unit + strlen (unit)) - unit);

  if (at != NULL && dot != NULL && dot > at)
    instance = g_strndup (at + 1, dot - at - 1);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p != '%' || p[1] == '\0')
        {
          g_string_append_c (out, *p);
          continue;
        }
      p++;
      switch (*p)
        {
        case 'i':
        case 'I':
          g_string_append (out, instance ? instance : "");
          break;
        case 'n':
          g_string_append (out, unit);
          break;
        case 'N':
          g_string_append (out, name);
          break;
        case 'p':
        case 'P':
          g_string_append (out, prefix);
          break;
        case '%':
          g_string_append_c (out, '%');
          break;
        default:
          g_string_append_c (out, '%');
          g_string_append_c (out, *p);
          break;
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
read_unit_description_uncached (const char *unit,
                                gboolean    system,
                                guint       uid)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *template = NULL;
  const char *at = strchr (unit, '@');
  const char *dot = strrchr (unit, '.');

  /* Inside a Flatpak the host's /etc and /usr are under /run/host (with host-os access);
   * the sandbox's own /usr is the runtime, which has no units of the host. */
  const char *root = g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) ? "/run/host" : "";

  if (system)
    {
      g_ptr_array_add (dirs, g_strconcat (root, "/etc/systemd/system", NULL));
      g_ptr_array_add (dirs, g_strdup ("/run/systemd/system"));
      g_ptr_array_add (dirs, g_strconcat (root, "/usr/local/lib/systemd/system", NULL));
      g_ptr_array_add (dirs, g_strconcat (root, "/usr/lib/systemd/system", NULL));
      g_ptr_array_add (dirs, g_strconcat (root, "/lib/systemd/system", NULL));
    }
  else
    {
      if (uid == getuid ())
        g_ptr_array_add (dirs, g_build_filename (g_get_user_config_dir (), "systemd", "user",
                                                 NULL));
      g_ptr_array_add (dirs, g_strconcat (root, "/etc/systemd/user", NULL));
      if (uid == getuid ())
        g_ptr_array_add (dirs, g_build_filename (g_get_user_data_dir (), "systemd", "user",
                                                 NULL));
      g_ptr_array_add (dirs, g_strconcat (root, "/usr/local/lib/systemd/user", NULL));
      g_ptr_array_add (dirs, g_strconcat (root, "/usr/lib/systemd/user", NULL));
    }

  /* foo@bar.service is described by foo@bar.service or the template foo@.service */
  if (at != NULL && dot != NULL && dot > at + 1)
    template = g_strdup_printf ("%.*s@%s", (int) (at - unit), unit, dot);

  for (guint i = 0; i < dirs->len; i++)
    {
      const char *names[] = { unit, template };

      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        {
          g_autofree char *path = NULL;
          g_autofree char *contents = NULL;
          g_autofree char *description = NULL;

          if (names[j] == NULL)
            continue;
          path = g_build_filename (g_ptr_array_index (dirs, i), names[j], NULL);
          if (!g_file_get_contents (path, &contents, NULL, NULL))
            continue;
          description = ph_unit_parse_description (contents);
          if (description != NULL)
            return ph_unit_expand_specifiers (description, unit);
        }
    }
  return NULL;
}

/* Descriptions hardly change while Porthole runs, and every refresh asks again. */
char *
ph_unit_read_description (const char *unit,
                       gboolean    system,
                       guint       uid)
{
  static GMutex lock;
  static GHashTable *cache;
  g_autofree char *key = g_strdup_printf ("%s:%u:%s", system ? "system" : "user", uid, unit);
  char *description;
  gpointer cached;

  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (g_hash_table_lookup_extended (cache, key, NULL, &cached))
    {
      description = g_strdup (cached);
      g_mutex_unlock (&lock);
      return description;
    }
  g_mutex_unlock (&lock);

  description = read_unit_description_uncached (unit, system, uid);

  g_mutex_lock (&lock);
  g_hash_table_replace (cache, g_steal_pointer (&key), g_strdup (description));
  g_mutex_unlock (&lock);
  return description;
}
