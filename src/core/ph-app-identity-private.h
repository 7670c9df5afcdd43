/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity-private.h: what the pieces of ph-app-identity share (not installed API) */
#pragma once

#include <gio/gdesktopappinfo.h>
#include <string.h>

#include "ph-app-identity.h"

G_BEGIN_DECLS

/* ph-app-identity-command.c: what a command line says */

typedef enum
{
  PH_INTERP_NONE,
  PH_INTERP_NODE,
  PH_INTERP_BUN,
  PH_INTERP_PYTHON,
  PH_INTERP_RUBY,
  PH_INTERP_PHP,
  PH_INTERP_PERL,
} PhInterpreter;

typedef struct
{
  GPtrArray *words;
  char *program;      /* argv[0] without folder */
  char *exe_name;
  char *comm;
  /* exe_name and comm, or NULL for an interpreter's ("node", "python3"), which names no
   * program: asked once here, not by every rule */
  const char *exe_program;
  const char *comm_program;
  PhInterpreter interpreter;
  char *script;       /* as given on the command line */
  char *script_name;  /* what Commands match: "vite", "manage.py" */
  char *package;      /* node_modules/PACKAGE or site-packages/PACKAGE of the script */
  char *module;       /* python -m MODULE */
  guint rest;         /* index of the first word after the program, script or module */
} PhCommand;

PhCommand     *ph_command_new             (const PhProcessFacts *facts);
void           ph_command_free            (PhCommand            *cmd);
PhInterpreter  ph_interpreter_for         (const char           *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhCommand, ph_command_free)

/* ph-app-identity-rules.c: the dev-server rules of data/dev-servers.ini */

typedef enum
{
  PH_TOOL_DEV_SERVER,
  PH_TOOL_WEB_SERVER,
  PH_TOOL_FILE_SERVER,
  PH_TOOL_NOTEBOOK,
  PH_TOOL_MODEL_SERVER,
  PH_TOOL_APP,
  PH_N_TOOL_KINDS
} PhToolKind;

typedef struct
{
  char *id;
  char *tool;
  PhToolKind kind;
  gboolean generic;
  GStrv commands;
  GStrv packages;
  GStrv modules;
  GStrv paths;
  GStrv subcommands;
  GStrv options;
} PhDevRule;

/* (element-type PhDevRule): parsed once, kept for the life of the process */
GPtrArray     *ph_dev_rules_get           (void);
void           ph_dev_rule_free           (gpointer              data);
gboolean       ph_dev_rule_matches        (const PhDevRule      *rule,
                                           const PhCommand      *cmd,
                                           const PhProcessFacts *facts);
char          *ph_dev_rule_dup_subtitle   (const PhDevRule      *rule);
const char    *ph_dev_rule_get_icon_name  (const PhDevRule      *rule);

/* ph-app-identity-project.c: the project folder a dev server serves */

char          *ph_project_dir_find        (const PhCommand      *cmd,
                                           const PhProcessFacts *facts);
gboolean       ph_path_is_system          (const char           *path);

/* ph-app-identity-units.c: systemd unit descriptions, from the unit files */

char          *ph_unit_read_description   (const char           *unit,
                                           gboolean              system,
                                           guint                 uid);
char          *ph_unit_parse_description  (const char           *contents);
char          *ph_unit_expand_specifiers  (const char           *text,
                                           const char           *unit);

/* ph-app-identity.c: desktop apps, from their desktop entries */

gboolean       ph_app_identity_is_terminal_app  (GDesktopAppInfo      *info,
                                                 const char           *app_id);
PhAppIdentity *ph_app_identity_new_for_app_info (const PhProcessFacts *facts,
                                                 GDesktopAppInfo      *info,
                                                 gboolean              flatpak);

/* ph-app-identity-daemons.c: daemons named as people know them (data/daemons.ini) */

typedef struct
{
  char *id;
  char *name;
  char *kind;
  char *icon_name;
  GStrv commands;
  GStrv arguments;
} PhDaemonRule;

/* (element-type PhDaemonRule): parsed once, kept for the life of the process */
GPtrArray          *ph_daemon_rules_get          (void);
const PhDaemonRule *ph_daemon_rule_find          (const PhCommand      *cmd);
char               *ph_daemon_rule_dup_subtitle  (const PhDaemonRule   *rule);

/* Whether @name is one of @patterns ("vite", or a prefix: "php-fpm*"); FALSE for none.
 * Inline: the dev server and daemon rules try it for every name of every new process. */
static inline gboolean
ph_rule_name_matches (const char * const *patterns,
                      const char         *name)
{
  if (patterns == NULL || name == NULL || name[0] == '\0')
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

G_END_DECLS
