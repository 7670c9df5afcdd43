/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity-command.c: what a command line says: the program, or the script or module
 * an interpreter runs */

#include "config.h"

#include <string.h>

#include "ph-app-identity-private.h"



void
ph_command_free (PhCommand *cmd)
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

PhInterpreter
ph_interpreter_for (const char *name)
{
  if (name == NULL)
    return PH_INTERP_NONE;
  if (strcmp (name, "node") == 0 || strcmp (name, "nodejs") == 0)
    return PH_INTERP_NODE;
  if (strcmp (name, "bun") == 0)
    return PH_INTERP_BUN;
  if (has_version_suffix (name, "python") || has_version_suffix (name, "pypy"))
    return PH_INTERP_PYTHON;
  if (has_version_suffix (name, "ruby"))
    return PH_INTERP_RUBY;
  if (has_version_suffix (name, "php"))
    return PH_INTERP_PHP;
  if (has_version_suffix (name, "perl"))
    return PH_INTERP_PERL;
  return PH_INTERP_NONE;
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
option_takes_value (PhInterpreter  interp,
                    const char    *option)
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
    case PH_INTERP_NODE:
    case PH_INTERP_BUN:
      return g_strv_contains (node, option);
    case PH_INTERP_PYTHON:
      return g_strv_contains (python, option);
    case PH_INTERP_RUBY:
      return g_strv_contains (ruby, option);
    case PH_INTERP_PHP:
      return g_strv_contains (php, option);
    case PH_INTERP_PERL:
      return g_strv_contains (perl, option);
    case PH_INTERP_NONE:
    default:
      return FALSE;
    }
}

/* An option after which no script follows (code given inline) */
static gboolean
option_ends_command (PhInterpreter  interp,
                     const char    *option)
{
  static const char * const node[] = { "-e", "--eval", "-p", "--print", NULL };
  static const char * const others[] = { "-c", "-e", "-r", "-E", NULL };

  if (interp == PH_INTERP_NODE || interp == PH_INTERP_BUN)
    return g_strv_contains (node, option);
  return g_strv_contains (others, option);
}

static void
command_parse_interpreter (PhCommand *cmd)
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
          if (cmd->interpreter == PH_INTERP_PYTHON && g_str_has_prefix (word, "-m"))
            {
              if (word[2] != '\0')
                cmd->module = g_strdup (word + 2);
              else if (i + 1 < n)
                cmd->module = g_strdup (g_ptr_array_index (cmd->words, ++i));
              cmd->rest = i + 1;
              return;
            }
          if (cmd->interpreter == PH_INTERP_PHP && strcmp (word, "-f") == 0 && i + 1 < n)
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
      if (cmd->interpreter == PH_INTERP_BUN
          && (strcmp (word, "run") == 0 || strcmp (word, "x") == 0))
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

PhCommand *
ph_command_new (const PhProcessFacts *facts)
{
  PhCommand *cmd = g_new0 (PhCommand, 1);

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

  cmd->interpreter = ph_interpreter_for (cmd->program);
  cmd->exe_program = ph_interpreter_for (cmd->exe_name) == PH_INTERP_NONE ? cmd->exe_name : NULL;
  cmd->comm_program = ph_interpreter_for (cmd->comm) == PH_INTERP_NONE ? cmd->comm : NULL;
  cmd->rest = MIN (1, cmd->words->len);
  if (cmd->interpreter != PH_INTERP_NONE)
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
