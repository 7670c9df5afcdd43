/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity.c: which application a listening process belongs to, and its name */

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gdesktopappinfo.h>
#include <string.h>
#include <unistd.h>

#include "ph-app-identity.h"
#include "ph-dev-servers-resources.h"

#define DEV_SERVERS_RESOURCE "/io/github/porthole/Porthole/dev-servers/dev-servers.ini"
#define SHORT_ID_LENGTH 12

G_DEFINE_QUARK (ph-app-identity-error-quark, ph_app_identity_error)

G_DEFINE_ENUM_TYPE (PhAppKind, ph_app_kind,
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_DESKTOP_APP, "desktop-app"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_FLATPAK, "flatpak"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_SYSTEM_SERVICE, "system-service"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_USER_SERVICE, "user-service"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_CONTAINER, "container"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_DEV_SERVER, "dev-server"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_PROGRAM, "program"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_HIDDEN, "hidden"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_KERNEL, "kernel"))

/* ---------------------------------------------------------------------------------------
 * Dev-server rules (data/dev-servers.ini)
 * ------------------------------------------------------------------------------------- */

typedef enum
{
  TOOL_DEV_SERVER,
  TOOL_WEB_SERVER,
  TOOL_FILE_SERVER,
  TOOL_NOTEBOOK,
  TOOL_MODEL_SERVER,
  TOOL_APP,
  N_TOOL_KINDS
} ToolKind;

static const char * const tool_kind_names[N_TOOL_KINDS] = {
  "dev-server", "web-server", "file-server", "notebook", "model-server", "app",
};

typedef struct
{
  char *id;
  char *tool;
  ToolKind kind;
  gboolean generic;
  GStrv commands;
  GStrv packages;
  GStrv modules;
  GStrv paths;
  GStrv subcommands;
  GStrv options;
} DevRule;

static void
dev_rule_free (gpointer data)
{
  DevRule *rule = data;

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

static char *
tool_subtitle (ToolKind    kind,
               const char *tool)
{
  switch (kind)
    {
    case TOOL_DEV_SERVER:
      /* Translators: %s is a developer tool, e.g. "Vite dev server" */
      return g_strdup_printf (_("%s dev server"), tool);
    case TOOL_WEB_SERVER:
      /* Translators: %s is a server program, e.g. "Gunicorn web server" */
      return g_strdup_printf (_("%s web server"), tool);
    case TOOL_FILE_SERVER:
      /* Translators: %s is a tool that serves a folder, e.g. "Python file server" */
      return g_strdup_printf (_("%s file server"), tool);
    case TOOL_NOTEBOOK:
      /* Translators: %s is e.g. "Jupyter" */
      return g_strdup_printf (_("%s notebook server"), tool);
    case TOOL_MODEL_SERVER:
      /* Translators: %s is a program that runs AI models, e.g. "Ollama model server" */
      return g_strdup_printf (_("%s model server"), tool);
    case TOOL_APP:
      /* Translators: %s is a language or runtime, e.g. "Node.js app" */
      return g_strdup_printf (_("%s app"), tool);
    case N_TOOL_KINDS:
    default:
      g_assert_not_reached ();
    }
}

static const char *
tool_icon (ToolKind kind)
{
  switch (kind)
    {
    case TOOL_DEV_SERVER:
      return "applications-engineering-symbolic";
    case TOOL_WEB_SERVER:
    case TOOL_FILE_SERVER:
    case TOOL_MODEL_SERVER:
      return "network-server-symbolic";
    case TOOL_NOTEBOOK:
      return "text-editor-symbolic";
    case TOOL_APP:
    case N_TOOL_KINDS:
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

static DevRule *
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
  DevRule *rule;
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

  rule = g_new0 (DevRule, 1);
  rule->id = g_strdup (group);
  rule->tool = g_key_file_get_string (keyfile, group, "Tool", NULL);
  kind = g_key_file_get_string (keyfile, group, "Kind", NULL);

  if (rule->tool == NULL || g_strstrip (rule->tool)[0] == '\0')
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: Tool is missing", group);
      dev_rule_free (rule);
      return NULL;
    }

  for (guint k = 0; kind != NULL && k < N_TOOL_KINDS; k++)
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
      dev_rule_free (rule);
      return NULL;
    }

  if (!read_rule_list (keyfile, group, "Commands", &rule->commands, error)
      || !read_rule_list (keyfile, group, "Packages", &rule->packages, error)
      || !read_rule_list (keyfile, group, "Modules", &rule->modules, error)
      || !read_rule_list (keyfile, group, "Paths", &rule->paths, error)
      || !read_rule_list (keyfile, group, "Subcommands", &rule->subcommands, error)
      || !read_rule_list (keyfile, group, "Options", &rule->options, error))
    {
      dev_rule_free (rule);
      return NULL;
    }

  if (rule->commands == NULL && rule->packages == NULL && rule->modules == NULL
      && rule->paths == NULL)
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s]: needs Commands, Packages, Modules or Paths", group);
      dev_rule_free (rule);
      return NULL;
    }

  rule->generic = g_key_file_get_boolean (keyfile, group, "Generic", &local_error);
  if (local_error != NULL
      && !g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
    {
      g_set_error (error, PH_APP_IDENTITY_ERROR, PH_APP_IDENTITY_ERROR_INVALID_RULE,
                   "[%s] Generic: %s", group, local_error->message);
      dev_rule_free (rule);
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
  g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func (dev_rule_free);
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
      DevRule *rule = parse_rule (keyfile, groups[i], error);

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
static GPtrArray *
get_rules (void)
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
 * What a command line says: the program, or the script or module an interpreter runs
 * ------------------------------------------------------------------------------------- */

typedef enum
{
  INTERP_NONE,
  INTERP_NODE,
  INTERP_BUN,
  INTERP_PYTHON,
  INTERP_RUBY,
  INTERP_PHP,
  INTERP_PERL,
} Interpreter;

typedef struct
{
  GPtrArray *words;
  char *program;      /* argv[0] without folder */
  char *exe_name;
  char *comm;
  Interpreter interpreter;
  char *script;       /* as given on the command line */
  char *script_name;  /* what Commands match: "vite", "manage.py" */
  char *package;      /* node_modules/PACKAGE or site-packages/PACKAGE of the script */
  char *module;       /* python -m MODULE */
  guint rest;         /* index of the first word after the program, script or module */
} Command;

static void
command_free (Command *cmd)
{
  g_ptr_array_unref (cmd->words);
  g_free (cmd->program);
  g_free (cmd->exe_name);
  g_free (cmd->comm);
  g_free (cmd->script);
  g_free (cmd->script_name);
  g_free (cmd->package);
  g_free (cmd->module);
  g_free (cmd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Command, command_free)

static gboolean
has_version_suffix (const char *name,
                    const char *prefix)
{
  gsize len = strlen (prefix);

  if (strncmp (name, prefix, len) != 0)
    return FALSE;
  for (const char *p = name + len; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) && *p != '.')
        return FALSE;
    }
  return TRUE;
}

static Interpreter
interpreter_for (const char *name)
{
  if (name == NULL)
    return INTERP_NONE;
  if (strcmp (name, "node") == 0 || strcmp (name, "nodejs") == 0)
    return INTERP_NODE;
  if (strcmp (name, "bun") == 0)
    return INTERP_BUN;
  if (has_version_suffix (name, "python") || has_version_suffix (name, "pypy"))
    return INTERP_PYTHON;
  if (has_version_suffix (name, "ruby"))
    return INTERP_RUBY;
  if (has_version_suffix (name, "php"))
    return INTERP_PHP;
  if (has_version_suffix (name, "perl"))
    return INTERP_PERL;
  return INTERP_NONE;
}

/* "nginx:" from "nginx: master process", "gunicorn:" … */
static char *
command_word_name (const char *word)
{
  g_autofree char *base = NULL;
  gsize len;

  if (word == NULL || word[0] == '\0')
    return NULL;
  base = g_path_get_basename (word);
  len = strlen (base);
  while (len > 0 && base[len - 1] == ':')
    base[--len] = '\0';
  return len > 0 ? g_steal_pointer (&base) : NULL;
}

static gboolean
option_takes_value (Interpreter  interp,
                    const char  *option)
{
  static const char * const node[] = {
    "-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions",
    "--env-file", "--inspect-port", "--title", "--input-type", NULL
  };
  static const char * const python[] = { "-W", "-X", "--check-hash-based-pycs", NULL };
  static const char * const ruby[] = { "-I", "-r", "-C", "-E", NULL };
  static const char * const php[] = { "-S", "-t", "-c", "-d", "-z", NULL };
  static const char * const perl[] = { "-I", "-M", "-m", NULL };

  switch (interp)
    {
    case INTERP_NODE:
    case INTERP_BUN:
      return g_strv_contains (node, option);
    case INTERP_PYTHON:
      return g_strv_contains (python, option);
    case INTERP_RUBY:
      return g_strv_contains (ruby, option);
    case INTERP_PHP:
      return g_strv_contains (php, option);
    case INTERP_PERL:
      return g_strv_contains (perl, option);
    case INTERP_NONE:
    default:
      return FALSE;
    }
}

/* An option after which no script follows (code given inline) */
static gboolean
option_ends_command (Interpreter  interp,
                     const char  *option)
{
  static const char * const node[] = { "-e", "--eval", "-p", "--print", NULL };
  static const char * const others[] = { "-c", "-e", "-r", "-E", NULL };

  if (interp == INTERP_NODE || interp == INTERP_BUN)
    return g_strv_contains (node, option);
  return g_strv_contains (others, option);
}

static void
command_parse_interpreter (Command *cmd)
{
  guint n = cmd->words->len;
  guint i;

  for (i = 1; i < n; i++)
    {
      const char *word = g_ptr_array_index (cmd->words, i);

      if (word[0] == '-' && word[1] != '\0')
        {
          if (strcmp (word, "--") == 0)
            {
              i++;
              break;
            }
          if (cmd->interpreter == INTERP_PYTHON && g_str_has_prefix (word, "-m"))
            {
              if (word[2] != '\0')
                cmd->module = g_strdup (word + 2);
              else if (i + 1 < n)
                cmd->module = g_strdup (g_ptr_array_index (cmd->words, ++i));
              cmd->rest = i + 1;
              return;
            }
          if (cmd->interpreter == INTERP_PHP && strcmp (word, "-f") == 0 && i + 1 < n)
            {
              i++;
              break;
            }
          if (option_ends_command (cmd->interpreter, word))
            {
              cmd->rest = n;
              return;
            }
          if (option_takes_value (cmd->interpreter, word))
            i++;
          continue;
        }

      /* bun run FILE, bun x PACKAGE */
      if (cmd->interpreter == INTERP_BUN && (strcmp (word, "run") == 0 || strcmp (word, "x") == 0))
        continue;
      break;
    }

  if (i < n)
    {
      cmd->script = g_strdup (g_ptr_array_index (cmd->words, i));
      cmd->rest = i + 1;
    }
  else
    {
      cmd->rest = n;
    }
}

static gboolean
strip_script_extension (char *name)
{
  static const char * const extensions[] = {
    ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".py", ".rb", ".php", ".pl", ".sh", NULL
  };

  for (guint i = 0; extensions[i] != NULL; i++)
    {
      if (g_str_has_suffix (name, extensions[i]) && strlen (name) > strlen (extensions[i]))
        {
          name[strlen (name) - strlen (extensions[i])] = '\0';
          return TRUE;
        }
    }
  return FALSE;
}

/* The package a script belongs to: node_modules/PACKAGE/… (the innermost, so pnpm's
 * node_modules/.pnpm/vite@5/node_modules/vite/ gives "vite"), site-packages/PACKAGE/… */
static char *
script_package (const char *script)
{
  g_autofree char *path = g_strconcat ("/", script, NULL);
  const char *marker;
  const char *start = NULL;
  const char *end;

  if ((marker = g_strrstr (path, "/node_modules/")) != NULL)
    start = marker + strlen ("/node_modules/");
  else if ((marker = g_strrstr (path, "/site-packages/")) != NULL)
    start = marker + strlen ("/site-packages/");
  else if ((marker = g_strrstr (path, "/dist-packages/")) != NULL)
    start = marker + strlen ("/dist-packages/");
  if (start == NULL)
    return NULL;

  end = strchr (start, '/');
  if (start[0] == '@' && end != NULL)
    end = strchr (end + 1, '/');
  if (end == NULL)
    {
      g_autofree char *name = g_strdup (start);

      strip_script_extension (name);
      return g_steal_pointer (&name);
    }
  if (end == start || g_str_has_prefix (start, ".bin/"))
    return NULL;
  return g_strndup (start, end - start);
}

static gboolean
script_is_installed_tool (const char *script)
{
  static const char * const bin_dirs[] = { "bin", ".bin", "Scripts", "libexec", NULL };
  g_autofree char *dir = g_path_get_dirname (script);
  g_autofree char *dir_name = g_path_get_basename (dir);

  return strstr (script, "node_modules/") != NULL || g_strv_contains (bin_dirs, dir_name);
}

static Command *
command_new (const PhProcessFacts *facts)
{
  Command *cmd = g_new0 (Command, 1);

  cmd->words = g_ptr_array_new_with_free_func (g_free);
  if (facts->argv != NULL && facts->argv[0] != NULL)
    {
      /* A retitled process ("puma 6.4 (tcp://0.0.0.0:3000) [shop]", "gunicorn: master")
       * puts its whole title in argv[0]; a real path with spaces starts with '/'. */
      if (facts->argv[1] == NULL && strchr (facts->argv[0], ' ') != NULL
          && facts->argv[0][0] != '/')
        {
          g_auto(GStrv) split = g_strsplit (facts->argv[0], " ", -1);

          for (guint i = 0; split[i] != NULL; i++)
            {
              if (split[i][0] != '\0')
                g_ptr_array_add (cmd->words, g_strdup (split[i]));
            }
        }
      else
        {
          for (guint i = 0; facts->argv[i] != NULL; i++)
            g_ptr_array_add (cmd->words, g_strdup (facts->argv[i]));
        }
    }

  if (cmd->words->len > 0)
    cmd->program = command_word_name (g_ptr_array_index (cmd->words, 0));

  if (facts->exe != NULL && facts->exe[0] != '\0')
    {
      g_autofree char *exe = g_strdup (facts->exe);

      if (g_str_has_suffix (exe, " (deleted)"))
        exe[strlen (exe) - strlen (" (deleted)")] = '\0';
      cmd->exe_name = command_word_name (exe);
    }

  if (facts->comm != NULL && facts->comm[0] != '\0')
    {
      g_autofree char *first = g_strndup (facts->comm, strcspn (facts->comm, " "));

      cmd->comm = command_word_name (first);
    }

  if (cmd->program == NULL)
    cmd->program = g_strdup (cmd->comm ? cmd->comm : cmd->exe_name);

  cmd->interpreter = interpreter_for (cmd->program);
  cmd->rest = MIN (1, cmd->words->len);
  if (cmd->interpreter != INTERP_NONE)
    command_parse_interpreter (cmd);

  if (cmd->script != NULL)
    {
      cmd->script_name = g_path_get_basename (cmd->script);
      if (script_is_installed_tool (cmd->script))
        strip_script_extension (cmd->script_name);
      cmd->package = script_package (cmd->script);
    }

  return cmd;
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
              const Command        *cmd,
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
rest_has_word (const Command      *cmd,
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
has_option (const Command      *cmd,
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

static gboolean
rule_matches (const DevRule        *rule,
              const Command        *cmd,
              const PhProcessFacts *facts)
{
  const char * const *commands = (const char * const *) rule->commands;
  gboolean hit;

  hit = name_matches (commands, cmd->program)
        || name_matches (commands, cmd->script_name)
        || (interpreter_for (cmd->exe_name) == INTERP_NONE
            && name_matches (commands, cmd->exe_name))
        || (interpreter_for (cmd->comm) == INTERP_NONE && name_matches (commands, cmd->comm))
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

/* ---------------------------------------------------------------------------------------
 * The project folder
 * ------------------------------------------------------------------------------------- */

static char *
path_without_trailing_slash (const char *path)
{
  gsize len = strlen (path);

  while (len > 1 && path[len - 1] == '/')
    len--;
  return g_strndup (path, len);
}

static gboolean
is_home_dir (const char           *path,
             const PhProcessFacts *facts)
{
  g_autofree char *clean = path_without_trailing_slash (path);
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;

  if (strcmp (clean, "/root") == 0)
    return TRUE;
  if (facts->uid == getuid ())
    {
      g_autofree char *home = path_without_trailing_slash (g_get_home_dir ());

      if (strcmp (clean, home) == 0)
        return TRUE;
    }
  if (facts->user == NULL)
    return FALSE;

  parent = g_path_get_dirname (clean);
  base = g_path_get_basename (clean);
  return strcmp (base, facts->user) == 0
         && (strcmp (parent, "/home") == 0 || strcmp (parent, "/var/home") == 0);
}

static gboolean
is_system_path (const char *path)
{
  static const char * const prefixes[] = {
    "/usr/", "/opt/", "/app/", "/snap/", "/nix/", "/gnu/", "/bin/", "/sbin/", "/lib/", "/etc/",
    NULL
  };

  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      if (g_str_has_prefix (path, prefixes[i]))
        return TRUE;
    }
  return FALSE;
}

static gboolean
dir_is_project_root (const char *dir)
{
  static const char * const markers[] = {
    "package.json", "manage.py", "Gemfile", "pyproject.toml", "setup.py", "requirements.txt",
    "Cargo.toml", "go.mod", "deno.json", "deno.jsonc", "composer.json", "mix.exs",
    "hugo.toml", "mkdocs.yml", "_config.yml", ".git", NULL
  };

  for (guint i = 0; markers[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, markers[i], NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

/* The working directory names the project, unless it says nothing ("/", a home folder,
 * or unreadable): then walk up from the script (or program) to a folder that looks like
 * a project root. */
static char *
find_project_dir (const Command        *cmd,
                  const PhProcessFacts *facts)
{
  g_autofree char *start = NULL;
  g_autofree char *dir = NULL;
  const char *from = NULL;
  const char *cut;

  if (facts->cwd != NULL && facts->cwd[0] == '/' && strcmp (facts->cwd, "/") != 0
      && !is_home_dir (facts->cwd, facts))
    return path_without_trailing_slash (facts->cwd);

  if (cmd->script != NULL && cmd->script[0] == '/')
    from = cmd->script;
  else if (facts->exe != NULL && facts->exe[0] == '/')
    from = facts->exe;
  if (from == NULL || is_system_path (from))
    return NULL;

  start = g_strdup (from);
  /* whatever is inside node_modules or site-packages belongs to the project around it */
  if ((cut = strstr (start, "/node_modules/")) != NULL
      || (cut = strstr (start, "/site-packages/")) != NULL
      || (cut = strstr (start, "/dist-packages/")) != NULL)
    dir = g_strndup (start, cut - start);
  else
    dir = g_path_get_dirname (start);

  while (dir[0] == '/' && dir[1] != '\0' && !is_home_dir (dir, facts))
    {
      char *parent;

      if (dir_is_project_root (dir))
        return g_steal_pointer (&dir);
      parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }
  return NULL;
}

/* ---------------------------------------------------------------------------------------
 * systemd unit descriptions, read from the unit files (no D-Bus, so this also works for
 * another user's services and inside the sandbox where /usr/lib is the host's)
 * ------------------------------------------------------------------------------------- */

static char *
parse_unit_description (const char *contents)
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
  return g_steal_pointer (&description);
}

static char *
expand_unit_specifiers (const char *text,
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
          description = parse_unit_description (contents);
          if (description != NULL)
            return expand_unit_specifiers (description, unit);
        }
    }
  return NULL;
}

/* Descriptions hardly change while Porthole runs, and every refresh asks again. */
static char *
read_unit_description (const char *unit,
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

/* ---------------------------------------------------------------------------------------
 * Desktop apps
 * ------------------------------------------------------------------------------------- */

static GDesktopAppInfo *
lookup_desktop_app (const char *app_id)
{
  /* launchers that prefix the scope name: app-gnome-org.gnome.Foo-1234.scope */
  static const char * const launchers[] = { "gnome-", "kde-", "xfce-", "flatpak-", NULL };
  g_autofree char *desktop_id = g_strconcat (app_id, ".desktop", NULL);
  GDesktopAppInfo *info = g_desktop_app_info_new (desktop_id);

  for (guint i = 0; info == NULL && launchers[i] != NULL; i++)
    {
      if (g_str_has_prefix (app_id, launchers[i]) && app_id[strlen (launchers[i])] != '\0')
        {
          g_free (desktop_id);
          desktop_id = g_strconcat (app_id + strlen (launchers[i]), ".desktop", NULL);
          info = g_desktop_app_info_new (desktop_id);
        }
    }
  return info;
}

/* A terminal's children are the user's own programs, not the terminal. */
static gboolean
is_terminal_app (GDesktopAppInfo *info,
                 const char      *app_id)
{
  static const char * const terminals[] = {
    "org.gnome.Terminal", "org.gnome.Console", "org.gnome.Ptyxis", "app.devsuite.Ptyxis",
    "com.raggesilver.BlackBox", "org.kde.konsole", "com.gexperts.Tilix", "kitty",
    "Alacritty", "org.wezfurlong.wezterm", "foot", "xterm", "terminator", "guake",
    "xfce4-terminal", "org.codeberg.dnkl.foot", "com.mitchellh.ghostty", NULL
  };
  const char *categories = info ? g_desktop_app_info_get_categories (info) : NULL;

  if (categories != NULL)
    {
      g_auto(GStrv) list = g_strsplit (categories, ";", -1);

      if (g_strv_contains ((const char * const *) list, "TerminalEmulator"))
        return TRUE;
    }
  return app_id != NULL && g_strv_contains (terminals, app_id);
}

/* ---------------------------------------------------------------------------------------
 * PhAppIdentity
 * ------------------------------------------------------------------------------------- */

struct _PhAppIdentity
{
  GObject parent_instance;

  PhAppKind kind;
  char *key;
  char *name;
  char *subtitle;
  char *description;
  char *icon_name;
  GIcon *icon;
  char *tool;
  char *tool_id;
};

G_DEFINE_FINAL_TYPE (PhAppIdentity, ph_app_identity, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_KEY,
  PROP_NAME,
  PROP_SUBTITLE,
  PROP_DESCRIPTION,
  PROP_ICON_NAME,
  PROP_ICON,
  PROP_TOOL,
  PROP_TOOL_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ph_app_identity_finalize (GObject *object)
{
  PhAppIdentity *self = PH_APP_IDENTITY (object);

  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->subtitle, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->icon_name, g_free);
  g_clear_object (&self->icon);
  g_clear_pointer (&self->tool, g_free);
  g_clear_pointer (&self->tool_id, g_free);

  G_OBJECT_CLASS (ph_app_identity_parent_class)->finalize (object);
}

static void
ph_app_identity_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PhAppIdentity *self = PH_APP_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, self->icon_name);
      break;
    case PROP_ICON:
      g_value_set_object (value, ph_app_identity_get_icon (self));
      break;
    case PROP_TOOL:
      g_value_set_string (value, self->tool);
      break;
    case PROP_TOOL_ID:
      g_value_set_string (value, self->tool_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_app_identity_class_init (PhAppIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ph_app_identity_finalize;
  object_class->get_property = ph_app_identity_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, PH_TYPE_APP_KIND, PH_APP_KIND_PROGRAM, flags);
  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_ICON_NAME] = g_param_spec_string ("icon-name", NULL, NULL, NULL, flags);
  properties[PROP_ICON] = g_param_spec_object ("icon", NULL, NULL, G_TYPE_ICON, flags);
  properties[PROP_TOOL] = g_param_spec_string ("tool", NULL, NULL, NULL, flags);
  properties[PROP_TOOL_ID] = g_param_spec_string ("tool-id", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ph_app_identity_init (PhAppIdentity *self)
{
}

static PhAppIdentity *
identity_new (PhAppKind   kind,
              char       *key,
              char       *name,
              char       *subtitle,
              const char *icon_name)
{
  PhAppIdentity *self = g_object_new (PH_TYPE_APP_IDENTITY, NULL);

  self->kind = kind;
  self->key = key;
  self->name = name;
  self->subtitle = subtitle;
  self->icon_name = g_strdup (icon_name);
  return self;
}

PhAppIdentity *
ph_app_identity_new_kernel (void)
{
  PhAppIdentity *self;

  self = identity_new (PH_APP_KIND_KERNEL, g_strdup ("kernel"), g_strdup (_("Kernel")),
                       g_strdup (_("No process holds these sockets")), "computer-symbolic");
  self->description = g_strdup (_("Sockets the kernel opened itself, or whose last "
                                  "program is gone while the port stays open"));
  return self;
}

PhAppIdentity *
ph_app_identity_new_hidden (guint       uid,
                            const char *user)
{
  char *name;

  if (user != NULL && user[0] != '\0')
    /* Translators: %s is a user name, e.g. "Another user: postgres" */
    name = g_strdup_printf (_("Another user: %s"), user);
  else
    /* Translators: %u is a numeric user ID */
    name = g_strdup_printf (_("Another user (ID %u)"), uid);

  return identity_new (PH_APP_KIND_HIDDEN, g_strdup_printf ("hidden:%u", uid), name,
                       g_strdup (_("Owner hidden")), "system-users-symbolic");
}

static PhAppIdentity *
identity_for_service (const PhProcessFacts *facts,
                      gboolean              system)
{
  PhAppIdentity *self;
  g_autofree char *name = g_strdup (facts->unit);
  char *key;

  if (g_str_has_suffix (name, ".service"))
    name[strlen (name) - strlen (".service")] = '\0';

  if (system)
    key = g_strdup_printf ("system-service:%s", facts->unit);
  else
    key = g_strdup_printf ("user-service:%u:%s", facts->uid, facts->unit);

  self = identity_new (system ? PH_APP_KIND_SYSTEM_SERVICE : PH_APP_KIND_USER_SERVICE, key,
                       g_steal_pointer (&name),
                       g_strdup (system ? _("System service") : _("User service")),
                       "system-run-symbolic");
  self->description = read_unit_description (facts->unit, system, facts->uid);
  return self;
}

static PhAppIdentity *
identity_for_container (const PhProcessFacts *facts,
                        const Command        *cmd)
{
  PhAppIdentity *self;
  g_autofree char *short_id = g_strndup (facts->container, SHORT_ID_LENGTH);
  const char *kind = facts->container_kind ? facts->container_kind : "";
  const char *subtitle;

  if (strcmp (kind, "docker") == 0)
    subtitle = _("Docker container");
  else if (strcmp (kind, "libpod") == 0)
    subtitle = _("Podman container");
  else if (strcmp (kind, "containerd") == 0)
    subtitle = _("containerd container");
  else
    subtitle = _("Container");

  self = identity_new (PH_APP_KIND_CONTAINER,
                       g_strdup_printf ("container:%s", facts->container),
                       /* Translators: %s is a short container ID such as 3f2a1b9c0d12 */
                       g_strdup_printf (_("Container %s"), short_id),
                       g_strdup (subtitle), "package-x-generic-symbolic");
  self->description = g_strdup (cmd->program);
  return self;
}

/* docker-proxy and rootlessport hold a container's published ports on the host. */
static PhAppIdentity *
identity_for_container_proxy (const Command *cmd)
{
  gboolean podman = g_strcmp0 (cmd->program, "rootlessport") == 0
                    || g_strcmp0 (cmd->comm, "rootlessport") == 0;

  return identity_new (PH_APP_KIND_CONTAINER,
                       g_strdup (podman ? "container-proxy:podman" : "container-proxy:docker"),
                       g_strdup (_("Published container ports")),
                       g_strdup (podman ? _("Podman") : _("Docker")),
                       "package-x-generic-symbolic");
}

static gboolean
is_container_proxy (const Command *cmd)
{
  static const char * const proxies[] = { "docker-proxy", "rootlessport", NULL };

  return (cmd->program != NULL && g_strv_contains (proxies, cmd->program))
         || (cmd->comm != NULL && g_strv_contains (proxies, cmd->comm));
}

static PhAppIdentity *
identity_for_app (const PhProcessFacts *facts,
                  GDesktopAppInfo      *info,
                  gboolean              flatpak)
{
  PhAppIdentity *self;
  const char *name = info ? g_app_info_get_name (G_APP_INFO (info)) : NULL;
  GIcon *icon = info ? g_app_info_get_icon (G_APP_INFO (info)) : NULL;
  const char *icon_name = facts->app_id;

  if (icon != NULL && G_IS_THEMED_ICON (icon))
    icon_name = g_themed_icon_get_names (G_THEMED_ICON (icon))[0];

  self = identity_new (flatpak ? PH_APP_KIND_FLATPAK : PH_APP_KIND_DESKTOP_APP,
                       g_strdup_printf ("%s:%s", flatpak ? "flatpak" : "app", facts->app_id),
                       g_strdup (name && name[0] ? name : facts->app_id),
                       g_strdup (flatpak ? _("Flatpak app") : _("Application")),
                       icon_name);
  if (icon != NULL)
    self->icon = g_object_ref (icon);
  if (info != NULL && g_app_info_get_description (G_APP_INFO (info)) != NULL)
    self->description = g_strdup (g_app_info_get_description (G_APP_INFO (info)));
  return self;
}

static PhAppIdentity *
identity_for_dev_server (const DevRule        *rule,
                         const PhProcessFacts *facts,
                         char                 *project_dir)
{
  PhAppIdentity *self;
  char *name = project_dir ? g_path_get_basename (project_dir) : g_strdup (rule->tool);

  self = identity_new (PH_APP_KIND_DEV_SERVER,
                       g_strdup_printf ("dev:%s:%s", rule->id, project_dir ? project_dir : ""),
                       name, tool_subtitle (rule->kind, rule->tool), tool_icon (rule->kind));
  self->description = project_dir;
  self->tool = g_strdup (rule->tool);
  self->tool_id = g_strdup (rule->id);
  return self;
}

static PhAppIdentity *
identity_for_program (const PhProcessFacts *facts,
                      const Command        *cmd,
                      gboolean              in_terminal)
{
  PhAppIdentity *self;
  const char *name = NULL;
  char *subtitle;

  if (cmd->interpreter != INTERP_NONE && cmd->script != NULL)
    name = cmd->script_name;
  else if (cmd->exe_name != NULL)
    name = cmd->exe_name;
  else if (cmd->program != NULL)
    name = cmd->program;
  else if (cmd->comm != NULL)
    name = cmd->comm;
  if (name == NULL)
    name = _("Unknown program");

  if (in_terminal)
    subtitle = g_strdup (_("Started in a terminal"));
  else if (facts->uid != getuid () && facts->user != NULL)
    /* Translators: %s is a user name, e.g. "Program run by root" */
    subtitle = g_strdup_printf (_("Program run by %s"), facts->user);
  else
    subtitle = g_strdup (_("Program"));

  self = identity_new (PH_APP_KIND_PROGRAM, g_strdup_printf ("program:%u:%s", facts->uid, name),
                       g_strdup (name), subtitle,
                       in_terminal ? "utilities-terminal-symbolic"
                                   : "application-x-executable-symbolic");
  self->description = g_strdup (facts->exe);
  return self;
}

static gboolean
is_service_unit (const char *unit)
{
  return unit != NULL && (g_str_has_suffix (unit, ".service") || g_str_has_suffix (unit, ".socket"));
}

PhAppIdentity *
ph_app_identity_new_for_process (const PhProcessFacts *facts)
{
  g_autoptr(Command) cmd = NULL;
  g_autoptr(GDesktopAppInfo) info = NULL;
  const char *manager;
  gboolean is_app = FALSE;
  gboolean in_terminal = FALSE;
  GPtrArray *rules;

  g_return_val_if_fail (facts != NULL, NULL);

  manager = facts->manager ? facts->manager : "none";
  cmd = command_new (facts);

  if (is_container_proxy (cmd))
    return identity_for_container_proxy (cmd);
  if (strcmp (manager, "container") == 0 && facts->container != NULL)
    return identity_for_container (facts, cmd);

  /* a service is what its unit says, even when it runs gunicorn or node */
  if (strcmp (manager, "system-service") == 0 && is_service_unit (facts->unit))
    return identity_for_service (facts, TRUE);
  if (strcmp (manager, "user-service") == 0 && is_service_unit (facts->unit))
    return identity_for_service (facts, FALSE);

  if ((strcmp (manager, "app") == 0 || strcmp (manager, "flatpak") == 0)
      && facts->app_id != NULL && facts->app_id[0] != '\0')
    {
      info = lookup_desktop_app (facts->app_id);
      in_terminal = is_terminal_app (info, facts->app_id);
      is_app = !in_terminal;
    }
  if (facts->unit != NULL && g_str_has_prefix (facts->unit, "vte-spawn-"))
    {
      in_terminal = TRUE;
      is_app = FALSE;
    }

  /* Dev servers before apps: the app a dev server runs in is the terminal or the editor
   * it was started from, which says nothing about the server. */
  rules = get_rules ();
  for (guint i = 0; i < rules->len; i++)
    {
      const DevRule *rule = g_ptr_array_index (rules, i);
      g_autofree char *project_dir = NULL;

      if (!rule_matches (rule, cmd, facts))
        continue;

      project_dir = find_project_dir (cmd, facts);
      if (rule->generic
          && (project_dir == NULL || is_app
              || (cmd->script != NULL && cmd->script[0] == '/' && is_system_path (cmd->script))))
        continue;
      return identity_for_dev_server (rule, facts, g_steal_pointer (&project_dir));
    }

  if (is_app)
    return identity_for_app (facts, info, strcmp (manager, "flatpak") == 0);

  return identity_for_program (facts, cmd, in_terminal);
}

/* ---------------------------------------------------------------------------------------
 * Getters
 * ------------------------------------------------------------------------------------- */

const char *
ph_app_identity_get_key (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), NULL);
  return self->key;
}

const char *
ph_app_identity_get_name (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), NULL);
  return self->name;
}

const char *
ph_app_identity_get_subtitle (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), NULL);
  return self->subtitle;
}

const char *
ph_app_identity_get_description (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), NULL);
  return self->description;
}

const char *
ph_app_identity_get_icon_name (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), NULL);
  return self->icon_name;
}

GIcon *
ph_app_identity_get_icon (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), NULL);

  if (self->icon == NULL && self->icon_name != NULL)
    self->icon = g_themed_icon_new (self->icon_name);
  return self->icon;
}

PhAppKind
ph_app_identity_get_kind (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), PH_APP_KIND_PROGRAM);
  return self->kind;
}

const char *
ph_app_identity_get_tool (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), NULL);
  return self->tool;
}

const char *
ph_app_identity_get_tool_id (PhAppIdentity *self)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (self), NULL);
  return self->tool_id;
}
