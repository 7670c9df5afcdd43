/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-rule-file.c — one reader for core's keyfile data files (dev servers, daemons, probe rules) */

#include "config.h"

#include <string.h>

#include "ph-rule-file.h"

/* "[group] message", in the format's error domain. */
void
ph_rule_file_set_error (const PhRuleFormat  *format,
                        GError             **error,
                        const char          *group,
                        const char          *message_format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, message_format);
  message = g_strdup_vprintf (message_format, args);
  va_end (args);
  g_set_error (error, format->error_domain (), format->error_code, "[%s] %s", group, message);
}

gboolean
ph_rule_file_check_keys (const PhRuleFormat  *format,
                         GKeyFile            *keyfile,
                         const char          *group,
                         const char * const  *known_keys,
                         GError             **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (known_keys, keys[i]))
        {
          ph_rule_file_set_error (format, error, group, "unknown key “%s”", keys[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* A value that must be there and not blank, stripped. */
char *
ph_rule_file_read_word (const PhRuleFormat  *format,
                        GKeyFile            *keyfile,
                        const char          *group,
                        const char          *key,
                        GError             **error)
{
  g_autofree char *value = g_key_file_get_string (keyfile, group, key, NULL);

  if (value == NULL || g_strstrip (value)[0] == '\0')
    {
      ph_rule_file_set_error (format, error, group, "%s is missing", key);
      return NULL;
    }
  return g_steal_pointer (&value);
}

/* One of @names, as its index in @names; @fallback when the key is absent (or, when
 * @fallback is negative, an error). */
gboolean
ph_rule_file_read_choice (const PhRuleFormat  *format,
                          GKeyFile            *keyfile,
                          const char          *group,
                          const char          *key,
                          const char * const  *names,
                          int                  fallback,
                          int                 *out,
                          GError             **error)
{
  g_autofree char *value = g_key_file_get_string (keyfile, group, key, NULL);
  g_autofree char *known = NULL;

  if (value == NULL && fallback >= 0)
    {
      *out = fallback;
      return TRUE;
    }
  if (value == NULL)
    {
      ph_rule_file_set_error (format, error, group, "%s is missing", key);
      return FALSE;
    }
  g_strstrip (value);
  for (int i = 0; names[i] != NULL; i++)
    {
      if (strcmp (value, names[i]) == 0)
        {
          *out = i;
          return TRUE;
        }
    }
  known = g_strjoinv (", ", (char **) names);
  ph_rule_file_set_error (format, error, group, "%s “%s” is not one of %s", key, value, known);
  return FALSE;
}

/* A list: left NULL when the key is absent, an error when it is there but empty, or holds an
 * empty entry or one that @flags do not allow. */
gboolean
ph_rule_file_read_list (const PhRuleFormat  *format,
                        GKeyFile            *keyfile,
                        const char          *group,
                        const char          *key,
                        PhRuleListFlags      flags,
                        GStrv               *out,
                        GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) list = NULL;

  if (!g_key_file_has_key (keyfile, group, key, NULL))
    return TRUE;

  list = g_key_file_get_string_list (keyfile, group, key, NULL, &local_error);
  if (list == NULL || list[0] == NULL)
    {
      ph_rule_file_set_error (format, error, group, "%s is empty", key);
      return FALSE;
    }
  for (guint i = 0; list[i] != NULL; i++)
    {
      gboolean space = strchr (g_strstrip (list[i]), ' ') != NULL;
      gboolean slash = strchr (list[i], '/') != NULL;

      if (list[i][0] == '\0'
          || (space && !(flags & PH_RULE_LIST_SPACES))
          || (slash && (flags & PH_RULE_LIST_NO_SLASH)))
        {
          ph_rule_file_set_error (format, error, group,
                                  "%s: empty entry, or an entry with a space%s: “%s”", key,
                                  (flags & PH_RULE_LIST_NO_SLASH) ? " or a slash" : "",
                                  list[i]);
          return FALSE;
        }
    }
  *out = g_steal_pointer (&list);
  return TRUE;
}

/**
 * ph_rule_file_parse:
 *
 * Reads a keyfile whose every [group] is one rule.
 *
 * Returns: (transfer full) (nullable): the rules in the file's order, or %NULL with @error
 *   naming the first bad entry
 */
GPtrArray *
ph_rule_file_parse (const PhRuleFormat  *format,
                    const char          *data,
                    gsize                length, /* or -1: up to a NUL */
                    GError             **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func (format->free_rule);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_data (keyfile, data, length,
                                  G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, format->error_domain (), format->error_code, "%s", local_error->message);
      return NULL;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      gpointer rule = format->parse_group (format, keyfile, groups[i], rules, error);

      if (rule == NULL)
        return NULL;
      g_ptr_array_add (rules, rule);
    }
  if (rules->len == 0)
    {
      g_set_error (error, format->error_domain (), format->error_code, "no %s", format->what);
      return NULL;
    }
  return g_steal_pointer (&rules);
}

/* How many rules @data holds: 0, with @error set, when it does not parse (the data files'
 * tests check each file this way). */
guint
ph_rule_file_count (const PhRuleFormat  *format,
                    const char          *data,
                    gsize                length,
                    GError             **error)
{
  g_autoptr(GPtrArray) rules = ph_rule_file_parse (format, data, length, error);

  return rules != NULL ? rules->len : 0;
}

/* A compiled-in file never changes: parsed once, kept for the life of the process. A broken
 * one (a build that let it through) warns and reads as empty. */
GPtrArray *
ph_rule_file_get (const PhRuleFormat  *format,
                  GPtrArray          **cache,
                  GResource           *resource,
                  const char          *path)
{
  if (g_once_init_enter_pointer (cache))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *parsed = NULL;

      bytes = g_resource_lookup_data (resource, path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes != NULL)
        parsed = ph_rule_file_parse (format, g_bytes_get_data (bytes, NULL),
                                     g_bytes_get_size (bytes), &error);
      if (parsed == NULL)
        {
          g_warning ("The %s in %s are broken: %s", format->what, path, error->message);
          parsed = g_ptr_array_new ();
        }
      g_once_init_leave_pointer (cache, parsed);
    }
  return *cache;
}
