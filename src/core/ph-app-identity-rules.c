/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity-rules.c: dev-server rules (data/dev-servers.ini): parsing and matching */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-app-identity-private.h"
#include "ph-dev-servers-resources.h"
#include "ph-rule-file.h"

#define DEV_SERVERS_RESOURCE "/io/github/porthole/Porthole/dev-servers/dev-servers.ini"


static const char * const tool_kind_names[PH_N_TOOL_KINDS + 1] = {
  "dev-server", "web-server", "file-server", "notebook", "model-server", "app", NULL
};


void
ph_dev_rule_free (gpointer data)
{
  PhDevRule *rule = data;

  g_free (rule->id);
  g_free (rule->tool);
  g_strfreev (rule->commands);
  g_strfreev (rule->packages);
  g_strfreev (rule->modules);
  g_strfreev (rule->paths);
  g_strfreev (rule->subcommands);
  g_strfreev (rule->options);
  g_free (rule);
}

/* "Vite dev server", "Gunicorn web server": what the rule's tool is, in words */
char *
ph_dev_rule_dup_subtitle (const PhDevRule *rule)
{
  const char *tool = rule->tool;

  switch (rule->kind)
    {
    case PH_TOOL_DEV_SERVER:
      /* Translators: %s is a developer tool, e.g. "Vite dev server" */
      return g_strdup_printf (_("%s dev server"), tool);
    case PH_TOOL_WEB_SERVER:
      /* Translators: %s is a server program, e.g. "Gunicorn web server" */
      return g_strdup_printf (_("%s web server"), tool);
    case PH_TOOL_FILE_SERVER:
      /* Translators: %s is a tool that serves a folder, e.g. "Python file server" */
      return g_strdup_printf (_("%s file server"), tool);
    case PH_TOOL_NOTEBOOK:
      /* Translators: %s is e.g. "Jupyter" */
      return g_strdup_printf (_("%s notebook server"), tool);
    case PH_TOOL_MODEL_SERVER:
      /* Translators: %s is a program that runs AI models, e.g. "Ollama model server" */
      return g_strdup_printf (_("%s model server"), tool);
    case PH_TOOL_APP:
      /* Translators: %s is a language or runtime, e.g. "Node.js app" */
      return g_strdup_printf (_("%s app"), tool);
    case PH_N_TOOL_KINDS:
    default:
      g_assert_not_reached ();
    }
}

const char *
ph_dev_rule_get_icon_name (const PhDevRule *rule)
{
  switch (rule->kind)
    {
    case PH_TOOL_DEV_SERVER:
      return "applications-engineering-symbolic";
    case PH_TOOL_WEB_SERVER:
    case PH_TOOL_FILE_SERVER:
    case PH_TOOL_MODEL_SERVER:
      return "network-server-symbolic";
    case PH_TOOL_NOTEBOOK:
      return "text-editor-symbolic";
    case PH_TOOL_APP:
    case PH_N_TOOL_KINDS:
    default:
      return "application-x-executable-symbolic";
    }
}

static gpointer parse_rule (const PhRuleFormat  *format,
                            GKeyFile            *keyfile,
                            const char          *group,
                            GPtrArray           *rules,
                            GError             **error);

static const PhRuleFormat rules_format = {
  .what = "rules",
  .error_domain = ph_app_identity_error_quark,
  .error_code = PH_APP_IDENTITY_ERROR_INVALID_RULE,
  .parse_group = parse_rule,
  .free_rule = ph_dev_rule_free,
};

static gpointer
parse_rule (const PhRuleFormat  *format,
            GKeyFile            *keyfile,
            const char          *group,
            GPtrArray           *rules G_GNUC_UNUSED,
            GError             **error)
{
  static const char * const known_keys[] = {
    "Tool", "Kind", "Commands", "Packages", "Modules", "Paths", "Subcommands", "Options",
    "Generic", NULL
  };
  static const char * const lists[] = {
    "Commands", "Packages", "Modules", "Paths", "Subcommands", "Options"
  };
  g_autoptr(GError) local_error = NULL;
  PhDevRule *rule;
  GStrv *fields[G_N_ELEMENTS (lists)];
  int kind;

  if (!ph_rule_file_check_keys (format, keyfile, group, known_keys, error))
    return NULL;

  rule = g_new0 (PhDevRule, 1);
  rule->id = g_strdup (group);
  fields[0] = &rule->commands;
  fields[1] = &rule->packages;
  fields[2] = &rule->modules;
  fields[3] = &rule->paths;
  fields[4] = &rule->subcommands;
  fields[5] = &rule->options;
  if ((rule->tool = ph_rule_file_read_word (format, keyfile, group, "Tool", error)) == NULL
      || !ph_rule_file_read_choice (format, keyfile, group, "Kind", tool_kind_names, -1, &kind,
                                    error))
    {
      ph_dev_rule_free (rule);
      return NULL;
    }
  rule->kind = kind;

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      PhRuleListFlags flags = fields[i] == &rule->paths ? PH_RULE_LIST_SPACES
                                                        : PH_RULE_LIST_WORDS;

      if (!ph_rule_file_read_list (format, keyfile, group, lists[i], flags, fields[i], error))
        {
          ph_dev_rule_free (rule);
          return NULL;
        }
    }

  if (rule->commands == NULL && rule->packages == NULL && rule->modules == NULL
      && rule->paths == NULL)
    {
      ph_rule_file_set_error (format, error, group, "needs Commands, Packages, Modules or Paths");
      ph_dev_rule_free (rule);
      return NULL;
    }

  rule->generic = g_key_file_get_boolean (keyfile, group, "Generic", &local_error);
  if (local_error != NULL
      && !g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
    {
      ph_rule_file_set_error (format, error, group, "Generic: %s", local_error->message);
      ph_dev_rule_free (rule);
      return NULL;
    }

  return rule;
}

guint
ph_app_identity_check_rules (const char  *data,
                             gsize        length,
                             GError     **error)
{
  return ph_rule_file_count (&rules_format, data, length, error);
}

GPtrArray *
ph_dev_rules_get (void)
{
  static GPtrArray *rules;

  return ph_rule_file_get (&rules_format, &rules, ph_dev_servers_get_resource (),
                           DEV_SERVERS_RESOURCE);
}

/* ---------------------------------------------------------------------------------------
 * Matching rules
 * ------------------------------------------------------------------------------------- */

static gboolean
module_matches (const char * const *modules,
                const char         *module)
{
  if (modules == NULL || module == NULL)
    return FALSE;

  for (guint i = 0; modules[i] != NULL; i++)
    {
      gsize len = strlen (modules[i]);

      if (strncmp (module, modules[i], len) == 0 && (module[len] == '\0' || module[len] == '.'))
        return TRUE;
    }
  return FALSE;
}

static gboolean
path_matches (const char * const   *paths,
              const PhCommand      *cmd,
              const PhProcessFacts *facts)
{
  const char *candidates[3] = {
    facts->exe,
    cmd->words->len > 0 ? g_ptr_array_index (cmd->words, 0) : NULL,
    cmd->script,
  };

  if (paths == NULL)
    return FALSE;

  for (guint i = 0; paths[i] != NULL; i++)
    {
      for (guint j = 0; j < G_N_ELEMENTS (candidates); j++)
        {
          if (candidates[j] != NULL && strstr (candidates[j], paths[i]) != NULL)
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
rest_has_word (const PhCommand    *cmd,
               const char * const *words)
{
  for (guint i = cmd->rest; i < cmd->words->len; i++)
    {
      const char *word = g_ptr_array_index (cmd->words, i);

      if (word[0] != '-' && g_strv_contains (words, word))
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_option (const PhCommand    *cmd,
            const char * const *options)
{
  for (guint i = 1; i < cmd->words->len; i++)
    {
      const char *word = g_ptr_array_index (cmd->words, i);

      for (guint j = 0; options[j] != NULL; j++)
        {
          gsize len = strlen (options[j]);

          if (strncmp (word, options[j], len) == 0 && (word[len] == '\0' || word[len] == '='))
            return TRUE;
        }
    }
  return FALSE;
}

gboolean
ph_dev_rule_matches (const PhDevRule      *rule,
                     const PhCommand      *cmd,
                     const PhProcessFacts *facts)
{
  const char * const *commands = (const char * const *) rule->commands;
  gboolean hit;

  hit = ph_rule_name_matches (commands, cmd->program)
        || ph_rule_name_matches (commands, cmd->script_name)
        || ph_rule_name_matches (commands, cmd->exe_program)
        || ph_rule_name_matches (commands, cmd->comm_program)
        || (cmd->package != NULL && rule->packages != NULL
            && g_strv_contains ((const char * const *) rule->packages, cmd->package))
        || module_matches ((const char * const *) rule->modules, cmd->module)
        || path_matches ((const char * const *) rule->paths, cmd, facts);
  if (!hit)
    return FALSE;

  if (rule->subcommands != NULL
      && !rest_has_word (cmd, (const char * const *) rule->subcommands))
    return FALSE;
  if (rule->options != NULL && !has_option (cmd, (const char * const *) rule->options))
    return FALSE;
  return TRUE;
}
