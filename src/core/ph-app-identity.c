/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity.c: which application a listening process belongs to, and its name */

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gdesktopappinfo.h>
#include <string.h>
#include <unistd.h>

#include "ph-app-identity-private.h"
#include "ph-protocol-defs.h"
#include "ph-protocol-reader.h"

G_DEFINE_QUARK (ph-app-identity-error-quark, ph_app_identity_error)

/* In the list's order, as the header declares them. */
G_DEFINE_ENUM_TYPE (PhAppKind, ph_app_kind,
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_DEV_SERVER, "dev-server"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_DESKTOP_APP, "desktop-app"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_FLATPAK, "flatpak"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_PROGRAM, "program"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_USER_SERVICE, "user-service"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_CONTAINER, "container"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_SYSTEM_SERVICE, "system-service"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_HIDDEN, "hidden"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_UNSEEN, "unseen"),
  G_DEFINE_ENUM_VALUE (PH_APP_KIND_KERNEL, "kernel"))

/* "dev-server", "desktop-app", … (the enum's nick): for JSON and the command line */
const char *
ph_app_kind_to_string (PhAppKind kind)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PH_TYPE_APP_KIND);
  GEnumValue *value = g_enum_get_value (klass, kind);

  /* the class stays alive: GLib never unloads a static enum type */
  g_return_val_if_fail (value != NULL, "program");
  return value->value_nick;
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
gboolean
ph_app_identity_is_terminal_app (GDesktopAppInfo *info,
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
  char *sort_key;   /* made on first use by ph_app_identity_compare() */
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
  g_clear_pointer (&self->sort_key, g_free);

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

/* Sockets whose holders cannot be seen from where the scanner runs; @reason is the SOCK's
 * unseen= (PH_UNSEEN_*). */
PhAppIdentity *
ph_app_identity_new_unseen (const char *reason)
{
  PhAppIdentity *self;

  g_return_val_if_fail (reason != NULL, NULL);

  self = identity_new (PH_APP_KIND_UNSEEN, g_strconcat ("unseen:", reason, NULL),
                       g_strdup (_("Owner Unknown")),
                       g_strdup (_("Not visible from here")),
                       "dialog-question-symbolic");
  if (g_str_equal (reason, PH_UNSEEN_PID_NAMESPACE))
    self->description = g_strdup (_("Porthole’s scanner runs in a sandbox or a container of "
                                    "its own, and programs outside it cannot be seen from "
                                    "inside"));
  else if (g_str_equal (reason, PH_UNSEEN_NO_PROC))
    self->description = g_strdup (_("Porthole’s scanner cannot read the list of processes"));
  else
    self->description = g_strdup (_("Porthole’s scanner cannot see the programs that hold "
                                    "these sockets"));
  return self;
}

PhAppIdentity *
ph_app_identity_new_unknown (void)
{
  return identity_new (PH_APP_KIND_PROGRAM, g_strdup ("unknown"), g_strdup (_("Unknown program")),
                       NULL, "application-x-executable-symbolic");
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
  self->description = ph_unit_read_description (facts->unit, system, facts->uid);
  return self;
}

char *
ph_container_short_id (const char *id)
{
  g_autofree char *valid = g_utf8_make_valid (id != NULL ? id : "", -1);
  glong n = g_utf8_strlen (valid, -1);

  return g_utf8_substring (valid, 0, MIN (n, PH_CONTAINER_SHORT_ID_LENGTH));
}

static PhAppIdentity *
identity_for_container (const PhProcessFacts *facts,
                        const PhCommand      *cmd)
{
  PhAppIdentity *self;
  g_autofree char *short_id = ph_container_short_id (facts->container);
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

PhAppIdentity *
ph_app_identity_new_container (const char *key,
                               const char *name,
                               const char *subtitle,
                               const char *description)
{
  PhAppIdentity *self;

  g_return_val_if_fail (key != NULL && name != NULL, NULL);

  self = identity_new (PH_APP_KIND_CONTAINER, g_strdup (key), g_strdup (name),
                       g_strdup (subtitle), "package-x-generic-symbolic");
  self->description = g_strdup (description);
  return self;
}

/* docker-proxy and rootlessport hold a container's published ports on the host. */
static PhAppIdentity *
identity_for_container_proxy (const PhCommand *cmd)
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
is_container_proxy (const PhCommand *cmd)
{
  static const char * const proxies[] = { "docker-proxy", "rootlessport", NULL };

  return (cmd->program != NULL && g_strv_contains (proxies, cmd->program))
         || (cmd->comm != NULL && g_strv_contains (proxies, cmd->comm));
}

/* An app's identity from its desktop entry @info (or its ID alone when NULL). */
PhAppIdentity *
ph_app_identity_new_for_app_info (const PhProcessFacts *facts,
                                  GDesktopAppInfo      *info,
                                  gboolean              flatpak)
{
  PhAppIdentity *self;
  const char *name = info ? g_app_info_get_name (G_APP_INFO (info)) : NULL;
  GIcon *icon = info ? g_app_info_get_icon (G_APP_INFO (info)) : NULL;
  g_autoptr(GIcon) helper_icon = NULL;
  const char *icon_name = facts->app_id;

  /* Inside a Flatpak the host's desktop entries are out of reach: the helper, which runs
   * on the host, read the entry's Name and Icon for us. */
  if (info == NULL)
    {
      name = facts->app_name;
      if (facts->app_icon != NULL && g_path_is_absolute (facts->app_icon))
        {
          g_autoptr(GFile) file = g_file_new_for_path (facts->app_icon);

          icon = helper_icon = g_file_icon_new (file);
        }
      else if (facts->app_icon != NULL && facts->app_icon[0] != '\0')
        icon_name = facts->app_icon;
    }
  if (icon != NULL && G_IS_THEMED_ICON (icon))
    icon_name = g_themed_icon_get_names (G_THEMED_ICON (icon))[0];

  /* A desktop entry's text is anyone's (~/.local/share/applications): shown, never obeyed */
  self = identity_new (flatpak ? PH_APP_KIND_FLATPAK : PH_APP_KIND_DESKTOP_APP,
                       g_strdup_printf ("%s:%s", flatpak ? "flatpak" : "app", facts->app_id),
                       ph_protocol_display (name && name[0] ? name : facts->app_id, -1),
                       g_strdup (flatpak ? _("Flatpak app") : _("Application")),
                       icon_name);
  if (icon != NULL)
    self->icon = g_object_ref (icon);
  if (info != NULL && g_app_info_get_description (G_APP_INFO (info)) != NULL)
    self->description = ph_protocol_display (g_app_info_get_description (G_APP_INFO (info)), -1);
  return self;
}

static PhAppIdentity *
identity_for_dev_server (const PhDevRule      *rule,
                         const PhProcessFacts *facts,
                         char                 *project_dir)
{
  PhAppIdentity *self;
  char *name = project_dir ? g_path_get_basename (project_dir) : g_strdup (rule->tool);

  self = identity_new (PH_APP_KIND_DEV_SERVER,
                       g_strdup_printf ("dev:%s:%s", rule->id, project_dir ? project_dir : ""),
                       name, ph_dev_rule_dup_subtitle (rule), ph_dev_rule_get_icon_name (rule));
  self->description = project_dir;
  self->tool = g_strdup (rule->tool);
  self->tool_id = g_strdup (rule->id);
  return self;
}

static PhAppIdentity *
identity_for_program (const PhProcessFacts *facts,
                      const PhCommand      *cmd,
                      gboolean              in_terminal)
{
  PhAppIdentity *self;
  const char *name = NULL;
  char *subtitle;

  if (cmd->interpreter != PH_INTERP_NONE && cmd->script != NULL)
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

/* A daemon named as people know it: redis-server is Redis, postgres is PostgreSQL. */
static PhAppIdentity *
identity_for_daemon (const PhDaemonRule   *rule,
                     const PhProcessFacts *facts)
{
  PhAppIdentity *self;
  char *subtitle = ph_daemon_rule_dup_subtitle (rule);

  if (facts->uid != getuid () && facts->user != NULL)
    {
      char *what = subtitle;

      /* Translators: %1$s says what a program is ("Database server"), %2$s is a user name:
       * "Database server run by postgres" */
      subtitle = g_strdup_printf (_("%1$s run by %2$s"), what, facts->user);
      g_free (what);
    }
  self = identity_new (PH_APP_KIND_PROGRAM,
                       g_strdup_printf ("daemon:%u:%s", facts->uid, rule->id),
                       g_strdup (rule->name), subtitle, rule->icon_name);
  self->description = g_strdup (facts->exe);
  return self;
}

static gboolean
is_service_unit (const char *unit)
{
  return unit != NULL
         && (g_str_has_suffix (unit, ".service") || g_str_has_suffix (unit, ".socket"));
}

PhAppIdentity *
ph_app_identity_new_for_process (const PhProcessFacts *facts)
{
  g_autoptr(PhCommand) cmd = NULL;
  g_autoptr(GDesktopAppInfo) info = NULL;
  const PhDaemonRule *daemon;
  const char *manager;
  gboolean is_app = FALSE;
  gboolean in_terminal = FALSE;
  GPtrArray *rules;

  g_return_val_if_fail (facts != NULL, NULL);

  manager = facts->manager ? facts->manager : "none";
  cmd = ph_command_new (facts);

  if (is_container_proxy (cmd))
    return identity_for_container_proxy (cmd);
  if (strcmp (manager, "container") == 0 && facts->container != NULL)
    return identity_for_container (facts, cmd);

  /* a service is what its unit says, even when it runs gunicorn or node */
  if (is_service_unit (facts->unit)
      && (strcmp (manager, "system-service") == 0 || strcmp (manager, "user-service") == 0))
    {
      PhAppIdentity *self = identity_for_service (facts, strcmp (manager, "system-service") == 0);

      /* the unit names it; a known daemon gives it its icon */
      if ((daemon = ph_daemon_rule_find (cmd)) != NULL)
        {
          g_free (self->icon_name);
          self->icon_name = g_strdup (daemon->icon_name);
        }
      return self;
    }

  if ((strcmp (manager, "app") == 0 || strcmp (manager, "flatpak") == 0)
      && facts->app_id != NULL && facts->app_id[0] != '\0')
    {
      info = lookup_desktop_app (facts->app_id);
      in_terminal = ph_app_identity_is_terminal_app (info, facts->app_id);
      is_app = !in_terminal;
    }
  if (facts->unit != NULL && g_str_has_prefix (facts->unit, "vte-spawn-"))
    {
      in_terminal = TRUE;
      is_app = FALSE;
    }

  /* Dev servers before apps: the app a dev server runs in is the terminal or the editor
   * it was started from, which says nothing about the server. */
  rules = ph_dev_rules_get ();
  for (guint i = 0; i < rules->len; i++)
    {
      const PhDevRule *rule = g_ptr_array_index (rules, i);
      g_autofree char *project_dir = NULL;

      if (!ph_dev_rule_matches (rule, cmd, facts))
        continue;

      project_dir = ph_project_dir_find (cmd, facts);
      if (rule->generic
          && (project_dir == NULL || is_app
              || (cmd->script != NULL && cmd->script[0] == '/' && ph_path_is_system (cmd->script))))
        continue;
      return identity_for_dev_server (rule, facts, g_steal_pointer (&project_dir));
    }

  /* after apps: Steam started from its launcher is named by its desktop entry, but an app
   * scope with no desktop entry says less than the daemon's own name */
  daemon = ph_daemon_rule_find (cmd);
  if (is_app && (info != NULL || daemon == NULL))
    return ph_app_identity_new_for_app_info (facts, info, strcmp (manager, "flatpak") == 0);
  if (daemon != NULL)
    return identity_for_daemon (daemon, facts);

  return identity_for_program (facts, cmd, in_terminal);
}

/* ---------------------------------------------------------------------------------------
 * Comparing
 * ------------------------------------------------------------------------------------- */

gboolean
ph_app_identity_equal (PhAppIdentity *a,
                       PhAppIdentity *b)
{
  g_return_val_if_fail (PH_IS_APP_IDENTITY (a), FALSE);
  g_return_val_if_fail (PH_IS_APP_IDENTITY (b), FALSE);

  if (a == b)
    return TRUE;
  return a->kind == b->kind
         && g_strcmp0 (a->key, b->key) == 0
         && g_strcmp0 (a->name, b->name) == 0
         && g_strcmp0 (a->subtitle, b->subtitle) == 0
         && g_strcmp0 (a->description, b->description) == 0
         && g_strcmp0 (a->icon_name, b->icon_name) == 0
         && g_strcmp0 (a->tool, b->tool) == 0
         && g_strcmp0 (a->tool_id, b->tool_id) == 0
         && g_icon_equal (ph_app_identity_get_icon (a), ph_app_identity_get_icon (b));
}

/* One string that sorts as the list does: the kind's rank, the name folded and collated,
 * then the key, so that two groups of one name stay apart. */
static const char *
get_sort_key (PhAppIdentity *self)
{
  if (self->sort_key == NULL)
    {
      g_autofree char *folded = g_utf8_casefold (self->name != NULL ? self->name : "", -1);
      g_autofree char *collated = g_utf8_collate_key (folded, -1);

      self->sort_key = g_strdup_printf ("%c%s\x01%s", 'a' + (int) self->kind, collated,
                                        self->key != NULL ? self->key : "");
    }
  return self->sort_key;
}

int
ph_app_identity_compare (PhAppIdentity *a,
                         PhAppIdentity *b)
{
  if (a == b)
    return 0;
  if (a == NULL || b == NULL)
    return a == NULL ? -1 : 1;
  return strcmp (get_sort_key (a), get_sort_key (b));
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
