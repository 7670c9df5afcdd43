/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-supervisor.c: what would start a listening process again (pm2, nodemon, a unit…) */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "ph-supervisor.h"

/* How far up the chain to look: a dev server sits a few levels under its supervisor
 * (npm run → sh -c → nodemon → node); beyond that are terminals and the session. */
#define MAX_ANCESTORS 16
/* A shell restarts what it runs only when the loop is right there: its direct parent, or
 * the shell above an `sh -c` wrapper. A login shell far up is not a supervisor. */
#define MAX_SHELL_DEPTH 2
/* A script larger than this is not read to look for a loop. */
#define MAX_SCRIPT_SIZE (64 * 1024)

void
ph_proc_link_free (PhProcLink *link)
{
  if (link == NULL)
    return;
  g_free (link->comm);
  g_strfreev (link->argv);
  g_free (link->script);
  g_free (link);
}

void
ph_supervisor_free (PhSupervisor *supervisor)
{
  if (supervisor == NULL)
    return;
  g_free (supervisor->name);
  g_free (supervisor->restart);
  g_free (supervisor);
}

/* ---------------------------------------------------------------------------------------
 * Reading the chain from /proc
 * ------------------------------------------------------------------------------------- */

static gboolean
read_stat (gint64   pid,
           gint64  *ppid,
           guint64 *start_time)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  paren = strrchr (contents, ')');
  if (paren == NULL || paren[1] != ' ')
    return FALSE;
  /* after "pid (comm) ": state is field 3, ppid 4, starttime 22 */
  fields = g_strsplit (paren + 2, " ", -1);
  if (g_strv_length (fields) < 20)
    return FALSE;
  *ppid = g_ascii_strtoll (fields[1], NULL, 10);
  *start_time = g_ascii_strtoull (fields[19], NULL, 10);
  return TRUE;
}

/* argv from /proc/PID/cmdline; a retitled process pads its title with NULs, which go. */
static GStrv
read_cmdline (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cmdline", pid);
  g_autofree char *contents = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gsize length;
  gsize start = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL) || length == 0)
    return NULL;
  while (length > 0 && contents[length - 1] == '\0')
    length--;
  for (gsize i = 0; i <= length; i++)
    {
      if (i == length || contents[i] == '\0')
        {
          g_strv_builder_take (builder, g_strndup (contents + start, i - start));
          start = i + 1;
        }
    }
  return g_strv_builder_end (builder);
}

static gboolean
is_shell (const char *name)
{
  static const char * const shells[] = {
    "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox", "fish", NULL
  };

  return name != NULL && g_strv_contains (shells, name);
}

static char *
word_name (const char *word)
{
  g_autofree char *first = NULL;
  char *base;
  gsize len;

  if (word == NULL || word[0] == '\0')
    return NULL;
  first = word[0] == '/' ? g_strdup (word) : g_strndup (word, strcspn (word, " "));
  base = g_path_get_basename (first);
  len = strlen (base);
  while (len > 0 && base[len - 1] == ':')
    base[--len] = '\0';
  return base;
}

GPtrArray *
ph_supervisor_read_ancestors (gint64 pid)
{
  GPtrArray *chain = g_ptr_array_new_with_free_func ((GDestroyNotify) ph_proc_link_free);
  gint64 ppid;
  guint64 start_time;

  if (pid <= 1 || !read_stat (pid, &ppid, &start_time))
    return chain;

  for (guint depth = 0; depth < MAX_ANCESTORS && ppid > 1; depth++)
    {
      g_autofree char *comm_path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/comm", ppid);
      PhProcLink *link = g_new0 (PhProcLink, 1);
      g_autofree char *program = NULL;
      guint64 check_start;
      gint64 check_ppid;

      link->pid = ppid;
      if (!read_stat (ppid, &link->ppid, &link->start_time))
        {
          ph_proc_link_free (link);
          break;
        }
      if (g_file_get_contents (comm_path, &link->comm, NULL, NULL))
        g_strchomp (link->comm);
      link->argv = read_cmdline (ppid);

      /* a shell running a script file: the script says whether it loops */
      program = word_name (link->argv ? link->argv[0] : link->comm);
      if (depth < MAX_SHELL_DEPTH && is_shell (program) && link->argv != NULL
          && link->argv[1] != NULL && link->argv[1][0] != '-')
        {
          g_autofree char *cwd_link = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/cwd", ppid);
          g_autofree char *cwd = g_file_read_link (cwd_link, NULL);
          g_autofree char *path = NULL;
          g_autofree char *contents = NULL;
          gsize length;

          if (link->argv[1][0] == '/')
            path = g_strdup (link->argv[1]);
          else if (cwd != NULL)
            path = g_build_filename (cwd, link->argv[1], NULL);
          if (path != NULL && g_file_get_contents (path, &contents, &length, NULL)
              && length <= MAX_SCRIPT_SIZE)
            link->script = g_steal_pointer (&contents);
        }

      /* the process exited while we read it: what we read may be another's */
      if (!read_stat (ppid, &check_ppid, &check_start) || check_start != link->start_time)
        {
          ph_proc_link_free (link);
          break;
        }
      g_ptr_array_add (chain, link);
      ppid = link->ppid;
    }
  return chain;
}

/* ---------------------------------------------------------------------------------------
 * Recognising supervisors
 * ------------------------------------------------------------------------------------- */

/* A loop that runs something again: `while …; do …; done`, `until …`, `for (( ; ; ))`. */
static gboolean
text_has_loop (const char *text)
{
  static GRegex *loop;

  if (text == NULL)
    return FALSE;
  if (g_once_init_enter_pointer (&loop))
    {
      GRegex *regex = g_regex_new ("(^|[\\s;&|(){}])(while|until)\\s[\\s\\S]*[\\s;]do"
                                   "\\s[\\s\\S]*[\\s;]done\\b"
                                   "|(^|[\\s;&|(){}])for\\s*\\(\\(\\s*;\\s*;\\s*\\)\\)"
                                   "|(^|[\\s;&|(){}])while\\s[\\s\\S]*\\send\\b",
                                   G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave_pointer (&loop, regex);
    }
  return g_regex_match (loop, text, 0, NULL);
}

static const char *
argv_word (const PhProcLink *link,
           guint             i)
{
  if (link->argv == NULL)
    return NULL;
  for (guint k = 0; k <= i; k++)
    {
      if (link->argv[k] == NULL)
        return NULL;
    }
  return link->argv[i];
}

/* node/bun running a tool: the tool's name ("nodemon", "npm-cli", "yarn", "pnpm") */
static char *
script_tool (const PhProcLink *link)
{
  g_autofree char *program = word_name (argv_word (link, 0));

  if (g_strcmp0 (program, "node") != 0 && g_strcmp0 (program, "nodejs") != 0
      && g_strcmp0 (program, "bun") != 0)
    return NULL;
  for (guint i = 1; argv_word (link, i) != NULL; i++)
    {
      const char *word = argv_word (link, i);
      char *name;

      if (word[0] == '-')
        continue;
      name = g_path_get_basename (word);
      for (const char *ext = strrchr (name, '.'); ext != NULL; ext = NULL)
        {
          if (strcmp (ext, ".js") == 0 || strcmp (ext, ".cjs") == 0 || strcmp (ext, ".mjs") == 0)
            name[ext - name] = '\0';
        }
      return name;
    }
  return NULL;
}

/* "npm run dev": the title the package manager gave itself, or its words */
static char *
package_script_name (const PhProcLink *link,
                     const char       *tool)
{
  const char *first = argv_word (link, 0);
  g_autofree char *script = script_tool (link);
  gboolean interpreted = script != NULL;
  GString *name;
  guint i = 1;

  if (first != NULL && strchr (first, ' ') != NULL && first[0] != '/')
    return g_strdup (first);

  name = g_string_new (tool);
  if (interpreted)
    {
      /* node …/npm-cli.js run dev: the words after the script */
      while (argv_word (link, i) != NULL && argv_word (link, i)[0] == '-')
        i++;
      i++;
    }
  for (guint n = 0; n < 2 && argv_word (link, i) != NULL; n++, i++)
    g_string_append_printf (name, " %s", argv_word (link, i));
  return g_string_free (name, FALSE);
}

static PhSupervisor *
supervisor_new (PhSupervisorKind  kind,
                const PhProcLink *link,
                char             *name,
                gboolean          restarts)
{
  PhSupervisor *supervisor = g_new0 (PhSupervisor, 1);

  supervisor->kind = kind;
  supervisor->name = name;
  supervisor->pid = link ? link->pid : 0;
  supervisor->start_time = link ? link->start_time : 0;
  supervisor->restarts = restarts;
  return supervisor;
}

/* What this one process is, as a supervisor, or NULL. */
static PhSupervisor *
link_supervisor (const PhProcLink *link,
                 guint             depth)
{
  static const char * const supervisors[] = {
    "supervisord", "runsv", "s6-supervise", "forever", "monit", NULL
  };
  static const char * const package_managers[] = {
    "npm", "npm-cli", "yarn", "yarnpkg", "pnpm", "bun", NULL
  };
  const char *first = argv_word (link, 0) ? argv_word (link, 0) : link->comm;
  g_autofree char *program = word_name (first);
  g_autofree char *comm = word_name (link->comm);
  g_autofree char *tool = script_tool (link);

  if ((first != NULL && g_str_has_prefix (first, "PM2 v") && strstr (first, "God Daemon"))
      || (link->comm != NULL && g_str_has_prefix (link->comm, "PM2 v")))
    return supervisor_new (PH_SUPERVISOR_PM2, link, g_strdup ("pm2"), TRUE);

  if (g_strcmp0 (tool, "nodemon") == 0 || g_strcmp0 (program, "nodemon") == 0)
    return supervisor_new (PH_SUPERVISOR_NODEMON, link, g_strdup ("nodemon"), TRUE);

  if (g_strcmp0 (program, "watchexec") == 0 || g_strcmp0 (comm, "watchexec") == 0)
    return supervisor_new (PH_SUPERVISOR_WATCHEXEC, link, g_strdup ("watchexec"), TRUE);

  if (g_strcmp0 (program, "cargo-watch") == 0 || g_strcmp0 (comm, "cargo-watch") == 0
      || (g_strcmp0 (program, "cargo") == 0 && g_strcmp0 (argv_word (link, 1), "watch") == 0))
    return supervisor_new (PH_SUPERVISOR_CARGO_WATCH, link, g_strdup ("cargo watch"), TRUE);

  if (program != NULL && g_strv_contains (supervisors, program))
    return supervisor_new (PH_SUPERVISOR_SUPERVISORD, link, g_strdup (program), TRUE);
  if (tool != NULL && g_strv_contains (supervisors, tool))
    return supervisor_new (PH_SUPERVISOR_SUPERVISORD, link, g_strdup (tool), TRUE);
  /* supervisord runs under Python; its comm is its own name */
  if (comm != NULL && g_strv_contains (supervisors, comm))
    return supervisor_new (PH_SUPERVISOR_SUPERVISORD, link, g_strdup (comm), TRUE);

  /* a shell restarts what it runs only in a loop, in its -c text or its script */
  if (depth < MAX_SHELL_DEPTH && (is_shell (program) || is_shell (comm)))
    {
      const char *text = link->script;

      for (guint i = 1; text == NULL && argv_word (link, i) != NULL; i++)
        {
          if (strcmp (argv_word (link, i), "-c") == 0)
            text = argv_word (link, i + 1);
        }
      if (text_has_loop (text))
        return supervisor_new (PH_SUPERVISOR_SHELL_LOOP, link,
                               g_strdup (is_shell (program) ? program : comm), TRUE);
      return NULL;
    }

  /* npm run, yarn, pnpm: they started it and end with it, they do not restart it */
  if ((program != NULL && g_strv_contains (package_managers, program))
      || (tool != NULL && g_strv_contains (package_managers, tool)))
    {
      const char *name = tool && g_strv_contains (package_managers, tool) ? tool : program;

      if (g_strcmp0 (name, "npm-cli") == 0)
        name = "npm";
      return supervisor_new (PH_SUPERVISOR_PACKAGE_SCRIPT, link,
                             package_script_name (link, name), FALSE);
    }
  return NULL;
}

PhSupervisor *
ph_supervisor_find (GPtrArray  *chain,
                    const char *manager,
                    const char *unit,
                    guint       uid)
{
  g_autoptr(PhSupervisor) launcher = NULL;

  for (guint i = 0; chain != NULL && i < chain->len; i++)
    {
      const PhProcLink *link = g_ptr_array_index (chain, i);
      PhSupervisor *found = link_supervisor (link, i);

      if (found == NULL)
        continue;
      if (found->restarts)
        return found;
      if (launcher == NULL)
        launcher = found;
      else
        ph_supervisor_free (found);
    }

  if (unit != NULL && g_str_has_suffix (unit, ".service")
      && (g_strcmp0 (manager, "system-service") == 0 || g_strcmp0 (manager, "user-service") == 0))
    {
      g_autofree char *restart =
        ph_supervisor_read_unit_restart (unit, g_strcmp0 (manager, "system-service") == 0, uid);

      if (restart != NULL)
        {
          PhSupervisor *found = supervisor_new (PH_SUPERVISOR_SYSTEMD, NULL, g_strdup (unit),
                                                TRUE);

          found->restart = g_steal_pointer (&restart);
          return found;
        }
    }
  return g_steal_pointer (&launcher);
}

PhSupervisor *
ph_supervisor_find_for_pid (gint64      pid,
                            const char *manager,
                            const char *unit,
                            guint       uid)
{
  g_autoptr(GPtrArray) chain = ph_supervisor_read_ancestors (pid);

  return ph_supervisor_find (chain, manager, unit, uid);
}

/* ---------------------------------------------------------------------------------------
 * Words
 * ------------------------------------------------------------------------------------- */

char *
ph_supervisor_describe (const PhSupervisor *supervisor)
{
  g_return_val_if_fail (supervisor != NULL, NULL);

  switch (supervisor->kind)
    {
    case PH_SUPERVISOR_SYSTEMD:
      /* Translators: %1$s is a systemd unit ("shop-api.service"), %2$s its Restart= value
       * ("always") */
      return g_strdup_printf (_("The systemd unit %1$s will start it again (Restart=%2$s)."),
                              supervisor->name, supervisor->restart);
    case PH_SUPERVISOR_SHELL_LOOP:
      /* Translators: %1$s is a shell ("bash"), %2$lld its process ID */
      return g_strdup_printf (_("A loop in %1$s, process %2$lld, will start it again."),
                              supervisor->name, (long long) supervisor->pid);
    case PH_SUPERVISOR_PACKAGE_SCRIPT:
      /* Translators: %1$s is a command such as "npm run dev", %2$lld its process ID */
      return g_strdup_printf (_("%1$s, process %2$lld, started it and ends with it."),
                              supervisor->name, (long long) supervisor->pid);
    case PH_SUPERVISOR_PM2:
    case PH_SUPERVISOR_NODEMON:
    case PH_SUPERVISOR_WATCHEXEC:
    case PH_SUPERVISOR_CARGO_WATCH:
    case PH_SUPERVISOR_SUPERVISORD:
    case PH_SUPERVISOR_NONE:
    default:
      /* Translators: %1$s is a program that restarts others ("nodemon"), %2$lld its process
       * ID: "nodemon, process 311, will start it again." */
      return g_strdup_printf (_("%1$s, process %2$lld, will start it again."),
                              supervisor->name, (long long) supervisor->pid);
    }
}

char *
ph_supervisor_dup_label (const PhSupervisor *supervisor)
{
  g_return_val_if_fail (supervisor != NULL, NULL);

  if (supervisor->pid <= 0)
    return g_strdup (supervisor->name);
  /* Translators: %1$s is a program ("nodemon"), %2$lld its process ID */
  return g_strdup_printf (_("%1$s (process %2$lld)"), supervisor->name,
                          (long long) supervisor->pid);
}

char *
ph_supervisor_describe_return (guint               port,
                               const char         *name,
                               gint64              pid,
                               const PhSupervisor *supervisor,
                               const PhProcLink   *parent)
{
  if (name == NULL)
    return g_strdup_printf (_("Port %u was freed, but something is listening on it again."),
                            port);
  if (supervisor != NULL && supervisor->restarts)
    {
      g_autofree char *who = ph_supervisor_dup_label (supervisor);

      /* Translators: %1$u is a port, %2$s what restarted the program ("nodemon
       * (process 311)" or a systemd unit), %3$s the program, %4$lld its process ID */
      return g_strdup_printf (_("Port %1$u was freed, but it was started again by %2$s: "
                                "“%3$s” (process %4$lld) listens on it."),
                              port, who, name, (long long) pid);
    }
  if (parent != NULL && parent->comm != NULL)
    /* Translators: %1$u is a port, %2$s the program that listens on it again, %3$lld its
     * process ID, %4$s its parent program ("python3"), %5$lld the parent's process ID */
    return g_strdup_printf (_("Port %1$u was freed, but “%2$s” (process %3$lld) listens on it "
                              "again. Porthole cannot tell what started it: its parent, "
                              "“%4$s” (process %5$lld), is not a program it knows to restart "
                              "others, and was not stopped."),
                            port, name, (long long) pid, parent->comm, (long long) parent->pid);
  /* Translators: %1$u is a port, %2$s the program that listens on it again, %3$lld its
   * process ID */
  return g_strdup_printf (_("Port %1$u was freed, but “%2$s” (process %3$lld) listens on it "
                            "again, and Porthole cannot tell what started it."),
                          port, name, (long long) pid);
}

/* ---------------------------------------------------------------------------------------
 * Restart= of a unit, from its files
 * ------------------------------------------------------------------------------------- */

/* The last Restart= of the [Service] section; "" resets it. */
static void
parse_restart (const char  *contents,
               char       **restart)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);
  gboolean in_service = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *value;

      if (line[0] == '[')
        {
          in_service = strcmp (line, "[Service]") == 0;
          continue;
        }
      if (!in_service || !g_str_has_prefix (line, "Restart"))
        continue;
      value = line + strlen ("Restart");
      while (*value == ' ' || *value == '\t')
        value++;
      if (*value != '=')
        continue;
      g_free (*restart);
      *restart = g_strdup (g_strstrip (value + 1));
    }
}

char *
ph_supervisor_read_unit_restart (const char *unit,
                                 gboolean    system,
                                 guint       uid)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *template = NULL;
  g_autofree char *restart = NULL;
  const char *at = strchr (unit, '@');
  const char *dot = strrchr (unit, '.');
  gboolean found = FALSE;

  /* lowest priority first: later files override */
  if (system)
    {
      g_ptr_array_add (dirs, g_strdup ("/lib/systemd/system"));
      g_ptr_array_add (dirs, g_strdup ("/usr/lib/systemd/system"));
      g_ptr_array_add (dirs, g_strdup ("/usr/local/lib/systemd/system"));
      g_ptr_array_add (dirs, g_strdup ("/run/systemd/system"));
      g_ptr_array_add (dirs, g_strdup ("/run/systemd/transient"));
      g_ptr_array_add (dirs, g_strdup ("/etc/systemd/system"));
    }
  else
    {
      g_ptr_array_add (dirs, g_strdup ("/usr/lib/systemd/user"));
      g_ptr_array_add (dirs, g_strdup ("/usr/local/lib/systemd/user"));
      g_ptr_array_add (dirs, g_strdup ("/etc/systemd/user"));
      g_ptr_array_add (dirs, g_strdup_printf ("/run/user/%u/systemd/transient", uid));
      if (uid == getuid ())
        {
          g_ptr_array_add (dirs, g_build_filename (g_get_user_data_dir (), "systemd", "user",
                                                   NULL));
          g_ptr_array_add (dirs, g_build_filename (g_get_user_config_dir (), "systemd", "user",
                                                   NULL));
        }
    }
  if (at != NULL && dot != NULL && dot > at + 1)
    template = g_strdup_printf ("%.*s@%s", (int) (at - unit), unit, dot);

  /* the unit file: the first found from the highest priority down */
  for (guint i = dirs->len; i > 0 && !found; i--)
    {
      const char *names[] = { unit, template };

      for (guint j = 0; j < G_N_ELEMENTS (names) && !found; j++)
        {
          g_autofree char *path = NULL;
          g_autofree char *contents = NULL;

          if (names[j] == NULL)
            continue;
          path = g_build_filename (g_ptr_array_index (dirs, i - 1), names[j], NULL);
          if (g_file_get_contents (path, &contents, NULL, NULL))
            {
              parse_restart (contents, &restart);
              found = TRUE;
            }
        }
    }
  if (!found)
    return NULL;

  /* then its drop-ins, in every folder, in name order */
  for (guint i = 0; i < dirs->len; i++)
    {
      const char *names[] = { template, unit };

      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        {
          g_autofree char *dropin_dir = NULL;
          g_autoptr(GDir) dir = NULL;
          g_autoptr(GPtrArray) confs = NULL;
          const char *name;

          if (names[j] == NULL)
            continue;
          dropin_dir = g_strdup_printf ("%s/%s.d", (char *) g_ptr_array_index (dirs, i),
                                        names[j]);
          dir = g_dir_open (dropin_dir, 0, NULL);
          if (dir == NULL)
            continue;
          confs = g_ptr_array_new_with_free_func (g_free);
          while ((name = g_dir_read_name (dir)) != NULL)
            {
              if (g_str_has_suffix (name, ".conf"))
                g_ptr_array_add (confs, g_strdup (name));
            }
          g_ptr_array_sort_values (confs, (GCompareFunc) g_strcmp0);
          for (guint k = 0; k < confs->len; k++)
            {
              g_autofree char *path = g_build_filename (dropin_dir,
                                                        g_ptr_array_index (confs, k), NULL);
              g_autofree char *contents = NULL;

              if (g_file_get_contents (path, &contents, NULL, NULL))
                parse_restart (contents, &restart);
            }
        }
    }

  if (restart == NULL || restart[0] == '\0' || strcmp (restart, "no") == 0)
    return NULL;
  return g_steal_pointer (&restart);
}
