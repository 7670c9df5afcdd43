/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity-daemons.c: daemons named as people know them (data/daemons.ini) */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-app-identity-private.h"
#include "ph-daemons-resources.h"
#include "ph-rule-file.h"

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

static gpointer parse_daemon (const PhRuleFormat  *format,
                              GKeyFile            *keyfile,
                              const char          *group,
                              GPtrArray           *rules,
                              GError             **error);

static const PhRuleFormat daemons_format = {
  .what = "daemons",
  .error_domain = ph_app_identity_error_quark,
  .error_code = PH_APP_IDENTITY_ERROR_INVALID_RULE,
  .parse_group = parse_daemon,
  .free_rule = daemon_rule_free,
};

static gpointer
parse_daemon (const PhRuleFormat  *format,
              GKeyFile            *keyfile,
              const char          *group,
              GPtrArray           *rules G_GNUC_UNUSED,
              GError             **error)
{
  static const char * const known_keys[] = {
    "Name", "Kind", "Icon", "Commands", "Arguments", NULL
  };
  const PhRuleListFlags names = PH_RULE_LIST_WORDS | PH_RULE_LIST_NO_SLASH;
  PhDaemonRule *rule;
  int kind;

  if (!ph_rule_file_check_keys (format, keyfile, group, known_keys, error))
    return NULL;

  rule = g_new0 (PhDaemonRule, 1);
  rule->id = g_strdup (group);
  if ((rule->name = ph_rule_file_read_word (format, keyfile, group, "Name", error)) == NULL
      || !ph_rule_file_read_choice (format, keyfile, group, "Kind", daemon_kinds, -1, &kind,
                                    error)
      || (rule->icon_name = ph_rule_file_read_word (format, keyfile, group, "Icon",
                                                    error)) == NULL)
    {
      daemon_rule_free (rule);
      return NULL;
    }
  rule->kind = g_strdup (daemon_kinds[kind]);
  if (strchr (rule->icon_name, ' ') != NULL || strchr (rule->icon_name, '/') != NULL)
    {
      ph_rule_file_set_error (format, error, group, "Icon “%s” is not a themed icon name",
                              rule->icon_name);
      daemon_rule_free (rule);
      return NULL;
    }
  if (!ph_rule_file_read_list (format, keyfile, group, "Commands", names, &rule->commands,
                               error)
      || !ph_rule_file_read_list (format, keyfile, group, "Arguments", names, &rule->arguments,
                                  error))
    {
      daemon_rule_free (rule);
      return NULL;
    }
  if (rule->commands == NULL)
    {
      ph_rule_file_set_error (format, error, group, "Commands is missing");
      daemon_rule_free (rule);
      return NULL;
    }
  return rule;
}

guint
ph_app_identity_check_daemons (const char  *data,
                               gsize        length,
                               GError     **error)
{
  return ph_rule_file_count (&daemons_format, data, length, error);
}

GPtrArray *
ph_daemon_rules_get (void)
{
  static GPtrArray *rules;

  return ph_rule_file_get (&daemons_format, &rules, ph_daemons_get_resource (),
                           DAEMONS_RESOURCE);
}

/* ---------------------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------------------- */

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

      if ((ph_rule_name_matches (commands, program)
           || ph_rule_name_matches (commands, cmd->comm)
           || ph_rule_name_matches (commands, cmd->exe_name))
          && arguments_match ((const char * const *) rule->arguments, cmd))
        return rule;
    }
  return NULL;
}
