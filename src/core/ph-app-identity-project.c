/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity-project.c: the project folder a dev server serves */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ph-app-identity-private.h"

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

gboolean
ph_path_is_system (const char *path)
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
char *
ph_project_dir_find (const PhCommand      *cmd,
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
  if (from == NULL || ph_path_is_system (from))
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
