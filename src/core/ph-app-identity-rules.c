/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity-rules.c: dev-server rules (data/dev-servers.ini): parsing and matching */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-app-identity-private.h"
#include "ph-dev-servers-resources.h"

#define DEV_SERVERS_RESOURCE "/io/github/porthole/Porthole/dev-servers/dev-servers.ini"


static const char * const tool_kind_names[PH_N_TOOL_KINDS] = {
  "dev-server", "web-server", "file-server", "notebook", "model-server", "app",
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

static gboolean
read_rule_list (GKeyFile    *keyfile,
                const char  *group,
                const char  *key,
                GStrv       *out,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) list = NULL;

  list = g_key_file_get_string_list (keyfile, group, key, NULL, &local_error);
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
      if (list[i][0] == '\0' || (strchr (list[i], ' ') != NULL && g_strcmp0 (key, "Paths") != 0))
        {
          g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                       "[%s] %s: empty entry or an entry with a space: “%s”",
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

static PhDevRule *
parse_rule (GKeyFile    *keyfile,
            const char  *group,
            GError     **error)
{
  static const char * const known_keys[] = {
    "Tool", "Kind", "Commands", "Packages", "Modules", "Paths", "Subcommands", "Options",
    "Generic", NULL
  };
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) keys = NULL;
  g_autofree char *kind = NULL;
  PhDevRule *rule;
  gboolean found = FALSE;

  keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (known_keys, keys[i]))
        {
          g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                       "[%s]: unknown key “%s”", group, keys[i]);
          return NULL;
        }
    }

  rule = g_new0 (PhDevRule, 1);
  rule->id = g_strdup (group);
  rule->tool = g_key_file_get_string (keyfile, group, "Tool", NULL);
  kind = g_key_file_get_string (keyfile, group, "Kind", NULL);

  if (rule->tool == NULL || g_strstrip (rule->tool)[0] == '\0')
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: Tool is missing", group);
      ph_dev_rule_free (rule);
      return NULL;
    }

  for (guint k = 0; kind != NULL && k < PH_N_TOOL_KINDS; k++)
    {
      if (strcmp (g_strstrip (kind), tool_kind_names[k]) == 0)
        {
          rule->kind = k;
          found = TRUE;
        }
    }
  if (!found)
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: Kind “%s” is not one of dev-server, web-server, file-server, "
                   "notebook, model-server, app", group, kind ? kind : "");
      ph_dev_rule_free (rule);
      return NULL;
    }

  if (!read_rule_list (keyfile, group, "Commands", &rule->commands, error)
      || !read_rule_list (keyfile, group, "Packages", &rule->packages, error)
      || !read_rule_list (keyfile, group, "Modules", &rule->modules, error)
      || !read_rule_list (keyfile, group, "Paths", &rule->paths, error)
      || !read_rule_list (keyfile, group, "Subcommands", &rule->subcommands, error)
      || !read_rule_list (keyfile, group, "Options", &rule->options, error))
    {
      ph_dev_rule_free (rule);
      return NULL;
    }

  if (rule->commands == NULL && rule->packages == NULL && rule->modules == NULL
      && rule->paths == NULL)
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: needs Commands, Packages, Modules or Paths", group);
      ph_dev_rule_free (rule);
      return NULL;
    }

  rule->generic = g_key_file_get_boolean (keyfile, group, "Generic", &local_error);
  if (local_error != NULL
      && !g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s] Generic: %s", group, local_error->message);
      ph_dev_rule_free (rule);
      return NULL;
    }

  return rule;
}

static GPtrArray *
parse_rules (const char  *data,
             gsize        length,
             GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func (ph_dev_rule_free);
  g_auto(GStrv) groups = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_data (keyfile, data, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "%s", local_error->message);
      return NULL;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      PhDevRule *rule = parse_rule (keyfile, groups[i], error);

      if (rule == NULL)
        return NULL;
      g_ptr_array_add (rules, rule);
    }

  if (rules->len == 0)
    {
      g_set_error_literal (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                           "no rules");
      return NULL;
    }
  return g_steal_pointer (&rules);
}

guint
ph_app_identity_check_rules (const char  *data,
                             gsize        length,
                             GError     **error)
{
  g_autoptr(GPtrArray) rules = parse_rules (data, length, error);

  return rules ? rules->len : 0;
}

/* Compiled in and never changes: parsed once, kept for the life of the process. */
GPtrArray *
ph_dev_rules_get (void)
{
  static GPtrArray *rules;

  if (g_once_init_enter_pointer (&rules))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      GPtrArray *parsed = NULL;

      bytes = g_resource_lookup_data (ph_dev_servers_get_resource (), DEV_SERVERS_RESOURCE,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes != NULL)
        parsed = parse_rules (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
      if (parsed == NULL)
        {
          g_warning ("Dev-server rules are broken: %s", error->message);
          parsed = g_ptr_array_new ();
        }
      g_once_init_leave_pointer (&rules, parsed);
    }
  return rules;
}

/* ---------------------------------------------------------------------------------------
 * Matching rules
 * ------------------------------------------------------------------------------------- */

static gboolean
name_matches (const char * const *patterns,
              const char         *name)
{
  if (patterns == NULL || name == NULL)
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

  hit = name_matches (commands, cmd->program)
        || name_matches (commands, cmd->script_name)
        || (ph_interpreter_for (cmd->exe_name) == PH_INTERP_NONE
            && name_matches (commands, cmd->exe_name))
        || (ph_interpreter_for (cmd->comm) == PH_INTERP_NONE && name_matches (commands, cmd->comm))
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
