/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity-daemons.c: daemons named as people know them (data/daemons.ini) */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-app-identity-private.h"
#include "ph-daemons-resources.h"

#define DAEMONS_RESOURCE "/io/github/porthole/Porthole/daemons/daemons.ini"

static const char * const daemon_kinds[] = {
  "database", "web-server", "remote-login", "printing", "network", "containers",
  "model-server", "sync", "phone-link", "app", NULL
};

static void
daemon_rule_free (gpointer data)
{
  PhDaemonRule *rule = data;

  g_free (rule->id);
  g_free (rule->name);
  g_free (rule->kind);
  g_free (rule->icon_name);
  g_strfreev (rule->commands);
  g_strfreev (rule->arguments);
  g_free (rule);
}

/* "Database server", "Web server": what the daemon is, in words */
char *
ph_daemon_rule_dup_subtitle (const PhDaemonRule *rule)
{
  const char *kind = rule->kind;

  if (strcmp (kind, "database") == 0)
    return g_strdup (_("Database server"));
  if (strcmp (kind, "web-server") == 0)
    return g_strdup (_("Web server"));
  if (strcmp (kind, "remote-login") == 0)
    return g_strdup (_("Remote login server"));
  if (strcmp (kind, "printing") == 0)
    return g_strdup (_("Printing service"));
  if (strcmp (kind, "network") == 0)
    return g_strdup (_("Network service"));
  if (strcmp (kind, "containers") == 0)
    return g_strdup (_("Container engine"));
  if (strcmp (kind, "model-server") == 0)
    return g_strdup (_("AI model server"));
  if (strcmp (kind, "sync") == 0)
    return g_strdup (_("File sync"));
  if (strcmp (kind, "phone-link") == 0)
    return g_strdup (_("Phone link"));
  return g_strdup (_("Application"));
}

static gboolean
read_list (GKeyFile    *keyfile,
           const char  *group,
           const char  *key,
           GStrv       *out,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) list = g_key_file_get_string_list (keyfile, group, key, NULL, &local_error);

  if (list == NULL)
    {
      if (g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
        return TRUE;
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s] %s: %s", group, key, local_error->message);
      return FALSE;
    }
  for (guint i = 0; list[i] != NULL; i++)
    {
      g_strstrip (list[i]);
      if (list[i][0] == '\0' || strchr (list[i], ' ') != NULL || strchr (list[i], '/') != NULL)
        {
          g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                       "[%s] %s: empty entry, or an entry with a space or a slash: “%s”",
                       group, key, list[i]);
          return FALSE;
        }
    }
  if (list[0] == NULL)
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s] %s: empty list", group, key);
      return FALSE;
    }
  *out = g_steal_pointer (&list);
  return TRUE;
}

static char *
read_word (GKeyFile    *keyfile,
           const char  *group,
           const char  *key,
           GError     **error)
{
  g_autofree char *value = g_key_file_get_string (keyfile, group, key, NULL);

  if (value == NULL || g_strstrip (value)[0] == '\0')
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: %s is missing", group, key);
      return NULL;
    }
  return g_steal_pointer (&value);
}

static PhDaemonRule *
parse_daemon (GKeyFile    *keyfile,
              const char  *group,
              GError     **error)
{
  static const char * const known_keys[] = {
    "Name", "Kind", "Icon", "Commands", "Arguments", NULL
  };
  g_auto(GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  PhDaemonRule *rule;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (known_keys, keys[i]))
        {
          g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                       "[%s]: unknown key “%s”", group, keys[i]);
          return NULL;
        }
    }

  rule = g_new0 (PhDaemonRule, 1);
  rule->id = g_strdup (group);
  if ((rule->name = read_word (keyfile, group, "Name", error)) == NULL
      || (rule->kind = read_word (keyfile, group, "Kind", error)) == NULL
      || (rule->icon_name = read_word (keyfile, group, "Icon", error)) == NULL)
    {
      daemon_rule_free (rule);
      return NULL;
    }
  if (!g_strv_contains (daemon_kinds, rule->kind))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) daemon_kinds);

      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: Kind “%s” is not one of %s", group, rule->kind, known);
      daemon_rule_free (rule);
      return NULL;
    }
  if (strchr (rule->icon_name, ' ') != NULL || strchr (rule->icon_name, '/') != NULL)
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: Icon “%s” is not a themed icon name", group, rule->icon_name);
      daemon_rule_free (rule);
      return NULL;
    }
  if (!read_list (keyfile, group, "Commands", &rule->commands, error)
      || !read_list (keyfile, group, "Arguments", &rule->arguments, error))
    {
      daemon_rule_free (rule);
      return NULL;
    }
  if (rule->commands == NULL)
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: Commands is missing", group);
      daemon_rule_free (rule);
      return NULL;
    }
  return rule;
}

static GPtrArray *
parse_daemons (const char  *data,
               gsize        length,
               GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func (daemon_rule_free);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_data (keyfile, data, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "%s", local_error->message);
      return NULL;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      PhDaemonRule *rule = parse_daemon (keyfile, groups[i], error);

      if (rule == NULL)
        return NULL;
      g_ptr_array_add (rules, rule);
    }
  if (rules->len == 0)
    {
      g_set_error_literal (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                           "no daemons");
      return NULL;
    }
  return g_steal_pointer (&rules);
}

guint
ph_app_identity_check_daemons (const char  *data,
                               gsize        length,
                               GError     **error)
{
  g_autoptr(GPtrArray) rules = parse_daemons (data, length, error);

  return rules ? rules->len : 0;
}

/* Compiled in and never changes: parsed once, kept for the life of the process. */
GPtrArray *
ph_daemon_rules_get (void)
{
  static GPtrArray *rules;

  if (g_once_init_enter_pointer (&rules))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *parsed = NULL;

      bytes = g_resource_lookup_data (ph_daemons_get_resource (), DAEMONS_RESOURCE,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes != NULL)
        parsed = parse_daemons (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                &error);
      if (parsed == NULL)
        {
          g_warning ("Daemon names are broken: %s", error->message);
          parsed = g_ptr_array_new ();
        }
      g_once_init_leave_pointer (&rules, parsed);
    }
  return rules;
}

/* ---------------------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------------------- */

static gboolean
command_matches (const char * const *patterns,
                 const char         *name)
{
  if (name == NULL || name[0] == '\0')
    return FALSE;

  for (guint i = 0; patterns[i] != NULL; i++)
    {
      const char *pattern = patterns[i];
      gsize len = strlen (pattern);

      if (pattern[len - 1] == '*' ? strncmp (pattern, name, len - 1) == 0
                                  : strcmp (pattern, name) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
arguments_match (const char * const *texts,
                 const PhCommand    *cmd)
{
  if (texts == NULL)
    return TRUE;

  for (guint i = 1; i < cmd->words->len; i++)
    {
      const char *word = g_ptr_array_index (cmd->words, i);

      for (guint j = 0; texts[j] != NULL; j++)
        {
          if (strstr (word, texts[j]) != NULL)
            return TRUE;
        }
    }
  return FALSE;
}

/* The rule that names this process, or NULL. The names tried are argv[0] (without folder,
 * trailing ':' or anything after a space: "redis-server 127.0.0.1:6379" is a retitled
 * process), the comm, and the executable's own name, which for a symlinked program
 * (redis-server → redis-check-rdb) is the link's target. */
const PhDaemonRule *
ph_daemon_rule_find (const PhCommand *cmd)
{
  GPtrArray *rules = ph_daemon_rules_get ();
  g_autofree char *program = NULL;

  if (cmd->program != NULL)
    {
      program = g_strndup (cmd->program, strcspn (cmd->program, " "));
      while (program[0] != '\0' && program[strlen (program) - 1] == ':')
        program[strlen (program) - 1] = '\0';
    }

  for (guint i = 0; i < rules->len; i++)
    {
      const PhDaemonRule *rule = g_ptr_array_index (rules, i);
      const char * const *commands = (const char * const *) rule->commands;

      if ((command_matches (commands, program)
           || command_matches (commands, cmd->comm)
           || command_matches (commands, cmd->exe_name))
          && arguments_match ((const char * const *) rule->arguments, cmd))
        return rule;
    }
  return NULL;
}
