/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-systemd.c — systemd's lever: a unit's facts, the .socket unit behind a port, StopUnit */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-port-info.h"
#include "ph-systemd.h"

/* Each operation is one GTask run in a worker thread with its own bus connection and
 * main context: the D-Bus calls there may wait (a stop job, polkit asking for a
 * password) without ever holding up the main thread, and a cancelled operation only
 * closes its own connection. */

#define SD_NAME "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"
#define SD_SERVICE "org.freedesktop.systemd1.Service"
#define SD_SOCKET "org.freedesktop.systemd1.Socket"
#define DBUS_PROPERTIES "org.freedesktop.DBus.Properties"

/* How long a stop job may take (systemd's own default stop timeout is 90 s; a service
 * that needs that long is reported as still stopping rather than waited for). */
#define STOP_JOB_TIMEOUT_MS 30000
/* How long the port is watched after the units stopped, and how often. */
#define WATCH_MS 1500
#define WATCH_STEP_MS 100

G_DEFINE_QUARK (ph-systemd-error-quark, ph_systemd_error)

PhSystemdUnit *
ph_systemd_unit_copy (const PhSystemdUnit *unit)
{
  PhSystemdUnit *copy = g_new0 (PhSystemdUnit, 1);

  copy->scope = unit->scope;
  copy->name = g_strdup (unit->name);
  copy->description = g_strdup (unit->description);
  copy->active_state = g_strdup (unit->active_state);
  copy->sub_state = g_strdup (unit->sub_state);
  copy->restart = g_strdup (unit->restart);
  copy->refuse_manual_stop = unit->refuse_manual_stop;
  copy->triggers = g_strdupv (unit->triggers);
  copy->triggered_by = g_strdupv (unit->triggered_by);
  return copy;
}

void
ph_systemd_unit_free (PhSystemdUnit *unit)
{
  if (unit == NULL)
    return;
  g_free (unit->name);
  g_free (unit->description);
  g_free (unit->active_state);
  g_free (unit->sub_state);
  g_free (unit->restart);
  g_strfreev (unit->triggers);
  g_strfreev (unit->triggered_by);
  g_free (unit);
}

/* TRUE when systemd would start the service again after its process is killed. */
gboolean
ph_systemd_unit_restarts (const PhSystemdUnit *unit)
{
  return unit->restart != NULL && !g_str_equal (unit->restart, "no")
         && !g_str_equal (unit->restart, "");
}

void
ph_systemd_stop_result_free (PhSystemdStopResult *result)
{
  if (result == NULL)
    return;
  g_free (result->held_by);
  g_free (result);
}

gboolean
ph_systemd_scope_for_manager (const char     *manager,
                              PhSystemdScope *scope)
{
  if (g_strcmp0 (manager, "system-service") == 0)
    *scope = PH_SYSTEMD_SCOPE_SYSTEM;
  else if (g_strcmp0 (manager, "user-service") == 0)
    *scope = PH_SYSTEMD_SCOPE_USER;
  else
    return FALSE;
  return TRUE;
}

gboolean
ph_systemd_is_manager_unit (const char *unit)
{
  return g_strcmp0 (unit, "init.scope") == 0;
}

/* --- the bus --------------------------------------------------------------------------- */

static char *
bus_address (PhSystemdScope   scope,
             GError         **error)
{
  const char *env;

  if (scope == PH_SYSTEMD_SCOPE_SYSTEM)
    {
      env = g_getenv ("DBUS_SYSTEM_BUS_ADDRESS");
      return g_strdup (env != NULL && *env != '\0' ? env
                                                   : "unix:path=/run/dbus/system_bus_socket");
    }

  /* The user manager's bus is $XDG_RUNTIME_DIR/bus (dbus-user-session); a session bus
   * of another kind does not reach systemd --user. */
  env = g_getenv ("XDG_RUNTIME_DIR");
  if (env != NULL && *env != '\0')
    {
      g_autofree char *path = g_build_filename (env, "bus", NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_autofree char *escaped = g_dbus_address_escape_value (path);

          return g_strconcat ("unix:path=", escaped, NULL);
        }
    }
  g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_BUS,
               _("Your user service manager is not reachable: there is no user bus (%s/bus). "
                 "Stop the service from a terminal in your own session: "
                 "systemctl --user stop UNIT"),
               env != NULL && *env != '\0' ? env : "$XDG_RUNTIME_DIR");
  return NULL;
}

static GDBusConnection *
bus_open (PhSystemdScope   scope,
          GCancellable    *cancellable,
          GError         **error)
{
  g_autofree char *address = bus_address (scope, error);
  g_autoptr(GError) local = NULL;
  GDBusConnection *bus;

  if (address == NULL)
    return NULL;
  /* A connection of its own: the shared one would end the program when the bus goes. */
  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, cancellable, &local);
  if (bus == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else if (scope == PH_SYSTEMD_SCOPE_SYSTEM)
        g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_BUS,
                     _("The system bus is not reachable, so systemd cannot be asked (%s)."),
                     local->message);
      else
        g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_BUS,
                     _("Your user service manager is not reachable (%s). Stop the service "
                       "from a terminal in your own session: systemctl --user stop UNIT"),
                     local->message);
      return NULL;
    }
  return bus;
}

/* Turns systemd's and the bus's errors into ones a person can act on. */
static void
set_call_error (GError     **error,
                GError      *local,
                const char  *unit)
{
  g_autofree char *remote = NULL;

  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (local));
      return;
    }
  remote = g_dbus_error_get_remote_error (local);
  g_dbus_error_strip_remote_error (local);

  if (g_strcmp0 (remote, "org.freedesktop.systemd1.OnlyByDependency") == 0)
    g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_REFUSED,
                 _("systemd refuses to stop “%s” by hand: the unit says so "
                   "(RefuseManualStop=yes). It stops only with what depends on it."),
                 unit);
  else if (g_strcmp0 (remote, "org.freedesktop.DBus.Error.AccessDenied") == 0 ||
           g_strcmp0 (remote, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired")
           == 0)
    g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_REFUSED,
                 _("You are not allowed to stop “%s”: the system’s policy (polkit) said no. "
                   "An administrator can stop it with: systemctl stop %s"),
                 unit, unit);
  else if (g_strcmp0 (remote, "org.freedesktop.systemd1.NoSuchUnit") == 0 ||
           g_strcmp0 (remote, "org.freedesktop.systemd1.LoadFailed") == 0)
    g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_UNIT,
                 _("systemd knows no unit “%s”."), unit);
  else if (g_strcmp0 (remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
           g_strcmp0 (remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0)
    g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_BUS,
                 _("No systemd answers on this bus, so “%s” cannot be stopped from here."), unit);
  else
    g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_FAILED,
                 /* Translators: the last %s is systemd's own words */
                 _("systemd reported an error about “%s”: %s"), unit, local->message);
}

static GVariant *
call (GDBusConnection  *bus,
      const char       *path,
      const char       *iface,
      const char       *method,
      GVariant         *args,
      const char       *reply_type,
      GDBusCallFlags    flags,
      int               timeout_ms,
      GCancellable     *cancellable,
      GError          **error)
{
  return g_dbus_connection_call_sync (bus, SD_NAME, path, iface, method, args,
                                      reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                                      flags, timeout_ms, cancellable, error);
}

static GVariant *
get_all (GDBusConnection  *bus,
         const char       *path,
         const char       *iface,
         GCancellable     *cancellable,
         GError          **error)
{
  g_autoptr(GVariant) reply = call (bus, path, DBUS_PROPERTIES, "GetAll",
                                    g_variant_new ("(s)", iface), "(a{sv})",
                                    G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
  GVariant *dict;

  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(@a{sv})", &dict);
  return dict;
}

static char *
dict_string (GVariant   *dict,
             const char *key)
{
  const char *value = NULL;

  if (dict != NULL && g_variant_lookup (dict, key, "&s", &value))
    return g_strdup (value);
  return NULL;
}

static char **
dict_strv (GVariant   *dict,
           const char *key)
{
  char **value = NULL;

  if (dict != NULL && g_variant_lookup (dict, key, "^as", &value))
    return value;
  return g_new0 (char *, 1);
}

static char *
unit_path (GDBusConnection  *bus,
           const char       *name,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GVariant) reply = call (bus, SD_PATH, SD_MANAGER, "LoadUnit",
                                    g_variant_new ("(s)", name), "(o)", G_DBUS_CALL_FLAGS_NONE,
                                    -1, cancellable, &local);
  char *path = NULL;

  if (reply == NULL)
    {
      set_call_error (error, local, name);
      return NULL;
    }
  g_variant_get (reply, "(o)", &path);
  return path;
}

static PhSystemdUnit *
read_unit (GDBusConnection  *bus,
           PhSystemdScope    scope,
           const char       *name,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autofree char *path = unit_path (bus, name, cancellable, error);
  g_autoptr(GVariant) unit_props = NULL;
  g_autoptr(GVariant) kind_props = NULL;
  g_autoptr(PhSystemdUnit) unit = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *load_state = NULL;

  if (path == NULL)
    return NULL;
  unit_props = get_all (bus, path, SD_UNIT, cancellable, &local);
  if (unit_props == NULL)
    {
      set_call_error (error, local, name);
      return NULL;
    }
  load_state = dict_string (unit_props, "LoadState");
  if (g_strcmp0 (load_state, "not-found") == 0)
    {
      g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_UNIT,
                   _("systemd knows no unit “%s”."), name);
      return NULL;
    }

  unit = g_new0 (PhSystemdUnit, 1);
  unit->scope = scope;
  unit->name = g_strdup (name);
  unit->description = dict_string (unit_props, "Description");
  unit->active_state = dict_string (unit_props, "ActiveState");
  unit->sub_state = dict_string (unit_props, "SubState");
  unit->triggers = dict_strv (unit_props, "Triggers");
  unit->triggered_by = dict_strv (unit_props, "TriggeredBy");
  g_variant_lookup (unit_props, "RefuseManualStop", "b", &unit->refuse_manual_stop);

  if (g_str_has_suffix (name, ".service"))
    {
      kind_props = get_all (bus, path, SD_SERVICE, cancellable, NULL);
      unit->restart = dict_string (kind_props, "Restart");
    }
  return g_steal_pointer (&unit);
}

/* --- facts of one unit ------------------------------------------------------------------ */

typedef struct _Op Op;

/* A question about one unit, asked on an open bus. */
typedef PhSystemdUnit *(*UnitQuery) (GDBusConnection  *bus,
                                     Op               *op,
                                     GCancellable     *cancellable,
                                     GError          **error);

struct _Op
{
  PhSystemdScope  scope;
  char           *name;
  char           *protocol;
  char           *address;
  guint           port;
  char          **units;
  UnitQuery       query;
};

static void
op_free (Op *op)
{
  g_free (op->name);
  g_free (op->protocol);
  g_free (op->address);
  g_strfreev (op->units);
  g_free (op);
}

static Op *
op_new (PhSystemdScope  scope,
        const char     *protocol,
        const char     *address,
        guint           port)
{
  Op *op = g_new0 (Op, 1);

  op->scope = scope;
  op->protocol = g_strdup (protocol);
  op->address = g_strdup (address);
  op->port = port;
  return op;
}

/* Runs @thread with @op (which the task then owns) in a worker thread. */
static void
op_run (Op                  *op,
        gpointer             source_tag,
        GTaskThreadFunc      thread,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  g_task_run_in_thread (task, thread);
}

static gpointer
op_finish (GAsyncResult  *result,
           gpointer       source_tag,
           GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Opens the op's bus, asks its query, closes the bus. */
static void
unit_query_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = bus_open (op->scope, cancellable, &error);
  PhSystemdUnit *unit;

  if (bus == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  unit = op->query (bus, op, cancellable, &error);
  g_dbus_connection_close_sync (bus, NULL, NULL);
  if (unit == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, unit, (GDestroyNotify) ph_systemd_unit_free);
}

static PhSystemdUnit *
query_unit (GDBusConnection  *bus,
            Op               *op,
            GCancellable     *cancellable,
            GError          **error)
{
  return read_unit (bus, op->scope, op->name, cancellable, error);
}

void
ph_systemd_get_unit_async (PhSystemdScope       scope,
                           const char          *name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Op *op;

  g_return_if_fail (name != NULL);
  op = op_new (scope, NULL, NULL, 0);
  op->name = g_strdup (name);
  op->query = query_unit;
  op_run (op, ph_systemd_get_unit_async, unit_query_thread, cancellable, callback, user_data);
}

PhSystemdUnit *
ph_systemd_get_unit_finish (GAsyncResult  *result,
                            GError       **error)
{
  return op_finish (result, ph_systemd_get_unit_async, error);
}

/* --- the .socket unit behind a port ----------------------------------------------------- */

static gboolean
is_wildcard (const char *host)
{
  return host == NULL || *host == '\0' || g_str_equal (host, "*") ||
         g_str_equal (host, "0.0.0.0") || g_str_equal (host, "::");
}

/* Does a Listen= entry such as ("Stream", "127.0.0.1:18203"), ("Stream", "[::]:80") or
 * ("Datagram", "5353") name this port? A bare port listens on every address. */
static gboolean
listen_matches (const char *type,
                const char *listen,
                const char *protocol,
                const char *address,
                guint       port)
{
  const char *want_type = g_strcmp0 (protocol, "udp") == 0 ? "Datagram" : "Stream";
  g_autofree char *host = NULL;
  const char *colon;
  guint64 listen_port;
  char *end = NULL;

  if (g_strcmp0 (type, want_type) != 0 || listen == NULL || listen[0] == '/' ||
      listen[0] == '@')
    return FALSE;

  colon = strrchr (listen, ':');
  if (colon == NULL)
    {
      host = NULL;
      listen_port = g_ascii_strtoull (listen, &end, 10);
    }
  else
    {
      if (listen[0] == '[' && colon > listen && colon[-1] == ']')
        host = g_strndup (listen + 1, (gsize) (colon - listen - 2));
      else
        host = g_strndup (listen, (gsize) (colon - listen));
      listen_port = g_ascii_strtoull (colon + 1, &end, 10);
    }
  if (end == NULL || *end != '\0' || listen_port != port)
    return FALSE;
  if (host != NULL)
    {
      char *percent = strchr (host, '%');   /* fe80::1%eth0 */

      if (percent != NULL)
        *percent = '\0';
    }
  /* A wildcard listener is reported at the wildcard; a specific one at its address. */
  return is_wildcard (host) ? is_wildcard (address) || address == NULL
                            : g_strcmp0 (host, address) == 0;
}

static PhSystemdUnit *
find_socket_sync (GDBusConnection  *bus,
                  PhSystemdScope    scope,
                  const char       *protocol,
                  const char       *address,
                  guint             port,
                  GCancellable     *cancellable,
                  GError          **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autofree char *found = NULL;
  gboolean found_active = FALSE;
  const char *name, *active, *path;
  const char *states[] = { NULL };
  const char *patterns[] = { "*.socket", NULL };

  reply = call (bus, SD_PATH, SD_MANAGER, "ListUnitsByPatterns",
                g_variant_new ("(^as^as)", states, patterns), "(a(ssssssouso))",
                G_DBUS_CALL_FLAGS_NONE, -1, cancellable, &local);
  if (reply == NULL)
    {
      set_call_error (error, local, "*.socket");
      return NULL;
    }

  g_variant_get (reply, "(a(ssssssouso))", &iter);
  while (g_variant_iter_loop (iter, "(&s&s&s&s&s&s&ou&s&o)", &name, NULL, NULL, &active, NULL,
                              NULL, &path, NULL, NULL, NULL))
    {
      g_autoptr(GVariant) prop = NULL;
      g_autoptr(GVariant) listen = NULL;
      g_autoptr(GVariantIter) entries = NULL;
      const char *type, *where;
      gboolean matches = FALSE;

      prop = call (bus, path, DBUS_PROPERTIES, "Get", g_variant_new ("(ss)", SD_SOCKET, "Listen"),
                   "(v)", G_DBUS_CALL_FLAGS_NONE, -1, cancellable, NULL);
      if (prop == NULL)
        continue;
      g_variant_get (prop, "(v)", &listen);
      if (!g_variant_is_of_type (listen, G_VARIANT_TYPE ("a(ss)")))
        continue;
      g_variant_get (listen, "a(ss)", &entries);
      while (g_variant_iter_next (entries, "(&s&s)", &type, &where))
        if (listen_matches (type, where, protocol, address, port))
          matches = TRUE;
      /* An active one wins over one that merely names the same port. */
      if (matches && (found == NULL || (!found_active && g_str_equal (active, "active"))))
        {
          g_free (found);
          found = g_strdup (name);
          found_active = g_str_equal (active, "active");
        }
    }

  if (found == NULL)
    {
      g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_UNIT,
                   _("No systemd socket unit listens on port %u."), port);
      return NULL;
    }
  return read_unit (bus, scope, found, cancellable, error);
}

static PhSystemdUnit *
query_socket (GDBusConnection  *bus,
              Op               *op,
              GCancellable     *cancellable,
              GError          **error)
{
  return find_socket_sync (bus, op->scope, op->protocol, op->address, op->port, cancellable,
                           error);
}

void
ph_systemd_find_socket_async (PhSystemdScope       scope,
                              const char          *protocol,
                              const char          *address,
                              guint                port,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Op *op = op_new (scope, protocol, address, port);

  op->query = query_socket;
  op_run (op, ph_systemd_find_socket_async, unit_query_thread, cancellable, callback,
          user_data);
}

PhSystemdUnit *
ph_systemd_find_socket_finish (GAsyncResult  *result,
                               GError       **error)
{
  return op_finish (result, ph_systemd_find_socket_async, error);
}

/* --- stopping --------------------------------------------------------------------------- */

typedef struct
{
  GHashTable *done;      /* job path → result ("done", "failed", …) */
  GMainContext *context;
} JobWatch;

static void
job_removed_cb (GDBusConnection *bus,
                const char      *sender,
                const char      *path,
                const char      *iface,
                const char      *signal,
                GVariant        *params,
                gpointer         user_data)
{
  JobWatch *watch = user_data;
  const char *job, *result;

  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(uoss)")))
    return;
  g_variant_get (params, "(u&o&s&s)", NULL, &job, NULL, &result);
  g_hash_table_insert (watch->done, g_strdup (job), g_strdup (result));
  g_main_context_wakeup (watch->context);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
sleep_in (GMainContext *context,
          guint         ms)
{
  gboolean expired = FALSE;
  g_autoptr(GSource) source = g_timeout_source_new (ms);

  g_source_set_callback (source, timeout_cb, &expired, NULL);
  g_source_attach (source, context);
  while (!expired)
    g_main_context_iteration (context, TRUE);
}

static gboolean
stop_one (GDBusConnection  *bus,
          GMainContext     *context,
          JobWatch         *watch,
          const char       *unit,
          GCancellable     *cancellable,
          GError          **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GSource) timeout = NULL;
  const char *job;
  const char *result;
  gboolean expired = FALSE;

  /* systemd asks polkit itself; interactive, so an agent may ask for a password. */
  reply = call (bus, SD_PATH, SD_MANAGER, "StopUnit", g_variant_new ("(ss)", unit, "replace"),
                "(o)", G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT, cancellable,
                &local);
  if (reply == NULL)
    {
      set_call_error (error, local, unit);
      return FALSE;
    }
  g_variant_get (reply, "(&o)", &job);

  timeout = g_timeout_source_new (STOP_JOB_TIMEOUT_MS);
  g_source_set_callback (timeout, timeout_cb, &expired, NULL);
  g_source_attach (timeout, context);
  while ((result = g_hash_table_lookup (watch->done, job)) == NULL && !expired &&
         !g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (result == NULL)
    {
      g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_FAILED,
                   _("“%s” has not stopped after %u seconds; systemd is still stopping it."),
                   unit, STOP_JOB_TIMEOUT_MS / 1000);
      return FALSE;
    }
  if (!g_str_equal (result, "done") && !g_str_equal (result, "skipped"))
    {
      g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_FAILED,
                   /* Translators: the second %s is systemd's job result, e.g. "failed" */
                   _("systemd could not stop “%s” (the stop job ended as “%s”). "
                     "See: journalctl -u %s"),
                   unit, result, unit);
      return FALSE;
    }
  return TRUE;
}

static char *
active_state (GDBusConnection *bus,
              const char      *unit,
              GCancellable    *cancellable)
{
  g_autofree char *path = unit_path (bus, unit, cancellable, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  if (path == NULL)
    return NULL;
  reply = call (bus, path, DBUS_PROPERTIES, "Get", g_variant_new ("(ss)", SD_UNIT, "ActiveState"),
                "(v)", G_DBUS_CALL_FLAGS_NONE, -1, cancellable, NULL);
  if (reply == NULL)
    return NULL;
  g_variant_get (reply, "(v)", &value);
  return g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ? g_variant_dup_string (value, NULL)
                                                             : NULL;
}

/* The first of the units that runs again (activating, active, reloading). */
static char *
unit_started_again (GDBusConnection     *bus,
                    const char * const  *units,
                    GCancellable        *cancellable)
{
  for (guint i = 0; units[i] != NULL; i++)
    {
      g_autofree char *state = active_state (bus, units[i], cancellable);

      if (state != NULL && (g_str_equal (state, "active") || g_str_equal (state, "activating") ||
                            g_str_equal (state, "reloading")))
        return g_strdup (units[i]);
    }
  return NULL;
}

static PhPortStatus
port_status (Op *op)
{
  const char *host = is_wildcard (op->address) ? NULL : op->address;
  PhPortProtocol protocol = g_strcmp0 (op->protocol, "udp") == 0 ? PH_PORT_PROTOCOL_UDP
                                                                  : PH_PORT_PROTOCOL_TCP;

  return ph_port_check (host, op->port, protocol, NULL);
}

static void
stop_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Op *op = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(PhSystemdStopResult) result = NULL;
  JobWatch watch = { NULL, context };
  guint subscription;
  gboolean ok = TRUE;
  PhPortStatus status = PH_PORT_STATUS_UNKNOWN;

  g_main_context_push_thread_default (context);
  bus = bus_open (op->scope, cancellable, &error);
  if (bus == NULL)
    {
      g_main_context_pop_thread_default (context);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Subscribe before asking, so no job can end unseen. */
  watch.done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  subscription = g_dbus_connection_signal_subscribe (bus, SD_NAME, SD_MANAGER, "JobRemoved",
                                                     SD_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     job_removed_cb, &watch, NULL);
  g_clear_pointer (&error, g_error_free);
  {
    g_autoptr(GVariant) ignored = call (bus, SD_PATH, SD_MANAGER, "Subscribe", NULL, NULL,
                                        G_DBUS_CALL_FLAGS_NONE, -1, cancellable, NULL);
  }

  for (guint i = 0; ok && op->units[i] != NULL; i++)
    {
      ok = stop_one (bus, context, &watch, op->units[i], cancellable, &error);
      /* A transient service goes away with its stopped socket: it is stopped, then. */
      if (!ok && i > 0 && g_error_matches (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_UNIT))
        {
          g_clear_error (&error);
          ok = TRUE;
        }
    }

  result = g_new0 (PhSystemdStopResult, 1);
  result->outcome = PH_SYSTEMD_STOP_FREED;
  if (ok && op->port != 0)
    {
      /* Watch the port: free at once and still free a moment later, or taken again. */
      for (guint waited = 0; waited < WATCH_MS; waited += WATCH_STEP_MS)
        {
          status = port_status (op);
          if (status == PH_PORT_STATUS_FREE && waited >= WATCH_MS / 2)
            break;
          if (g_cancellable_is_cancelled (cancellable))
            break;
          sleep_in (context, WATCH_STEP_MS);
        }
      result->held_by = unit_started_again (bus, (const char * const *) op->units, cancellable);
      if (result->held_by != NULL)
        result->outcome = PH_SYSTEMD_STOP_STARTED_AGAIN;
      else if (status != PH_PORT_STATUS_FREE && status != PH_PORT_STATUS_LINGERING)
        {
          g_autoptr(PhSystemdUnit) socket = NULL;

          /* Who: a .socket unit of this manager that still listens there, if any. */
          result->outcome = PH_SYSTEMD_STOP_STILL_HELD;
          socket = find_socket_sync (bus, op->scope, op->protocol, op->address, op->port,
                                     cancellable, NULL);
          if (socket != NULL && g_strcmp0 (socket->active_state, "active") == 0)
            result->held_by = g_strdup (socket->name);
        }
    }
  ok = ok && !g_cancellable_set_error_if_cancelled (cancellable, &error);

  g_dbus_connection_signal_unsubscribe (bus, subscription);
  g_dbus_connection_close_sync (bus, NULL, NULL);
  g_hash_table_unref (watch.done);
  g_main_context_pop_thread_default (context);

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&result),
                           (GDestroyNotify) ph_systemd_stop_result_free);
}

void
ph_systemd_stop_async (PhSystemdScope       scope,
                       const char * const  *units,
                       const char          *protocol,
                       const char          *address,
                       guint                port,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  Op *op;

  g_return_if_fail (units != NULL && units[0] != NULL);
  op = op_new (scope, protocol, address, port);
  op->units = g_strdupv ((char **) units);
  op_run (op, ph_systemd_stop_async, stop_thread, cancellable, callback, user_data);
}

PhSystemdStopResult *
ph_systemd_stop_finish (GAsyncResult  *result,
                        GError       **error)
{
  return op_finish (result, ph_systemd_stop_async, error);
}

/* --- the plan for one listed port ------------------------------------------------------- */

void
ph_systemd_plan_free (PhSystemdPlan *plan)
{
  if (plan == NULL)
    return;
  ph_systemd_unit_free (plan->service);
  ph_systemd_unit_free (plan->socket);
  g_strfreev (plan->units);
  g_free (plan->protocol);
  g_free (plan->address);
  g_free (plan);
}

static gboolean
strv_has_suffix (char       **strv,
                 const char  *suffix)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (g_str_has_suffix (strv[i], suffix))
      return TRUE;
  return FALSE;
}

static void
plan_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Op *op = task_data;   /* name: the owner's unit; units[0] "manager" when it is one */
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = bus_open (op->scope, cancellable, &error);
  g_autoptr(PhSystemdPlan) plan = NULL;
  g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
  gboolean manager = op->units != NULL;

  if (bus == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  plan = g_new0 (PhSystemdPlan, 1);
  plan->scope = op->scope;
  plan->protocol = g_strdup (op->protocol);
  plan->address = g_strdup (op->address);
  plan->port = op->port;

  if (manager)
    {
      /* systemd itself holds the port: the .socket unit listening there, and its service. */
      plan->socket = find_socket_sync (bus, op->scope, op->protocol, op->address, op->port,
                                       cancellable, &error);
      for (guint i = 0; plan->socket != NULL && plan->socket->triggers[i] != NULL; i++)
        if (g_str_has_suffix (plan->socket->triggers[i], ".service"))
          {
            plan->service = read_unit (bus, op->scope, plan->socket->triggers[i], cancellable,
                                       NULL);
            break;
          }
    }
  else
    {
      plan->service = read_unit (bus, op->scope, op->name, cancellable, &error);
      /* A socket-activated service shares the port with its .socket unit. */
      if (plan->service != NULL && strv_has_suffix (plan->service->triggered_by, ".socket"))
        {
          plan->socket = find_socket_sync (bus, op->scope, op->protocol, op->address, op->port,
                                           cancellable, NULL);
          if (plan->socket != NULL &&
              !g_strv_contains ((const char * const *) plan->service->triggered_by,
                                plan->socket->name))
            g_clear_pointer (&plan->socket, ph_systemd_unit_free);
        }
    }
  g_dbus_connection_close_sync (bus, NULL, NULL);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (plan->socket != NULL)
    g_ptr_array_add (units, g_strdup (plan->socket->name));
  if (plan->service != NULL)
    g_ptr_array_add (units, g_strdup (plan->service->name));
  g_ptr_array_add (units, NULL);
  plan->units = (char **) g_ptr_array_free (g_steal_pointer (&units), FALSE);
  g_task_return_pointer (task, g_steal_pointer (&plan), (GDestroyNotify) ph_systemd_plan_free);
}

void
ph_systemd_plan_async (PhService           *service,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (service, cancellable, callback, user_data);
  PhProcess *owner = ph_service_get_main_owner (service);
  const char *unit = owner != NULL ? ph_process_get_unit (owner) : NULL;
  Op *op;

  g_task_set_source_tag (task, ph_systemd_plan_async);
  op = g_new0 (Op, 1);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  if (owner == NULL ||
      !(ph_process_get_pid (owner) == 1 ||
        ph_systemd_scope_for_manager (ph_process_get_manager (owner), &op->scope)))
    {
      g_task_return_new_error (task, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_UNIT,
                               _("Port %u does not belong to a systemd service."),
                               ph_service_get_port (service));
      return;
    }
  op->name = g_strdup (unit);
  op->protocol = g_strdup (ph_service_get_protocol (service));
  op->address = g_strdup (ph_service_get_address (service));
  op->port = ph_service_get_port (service);
  if (ph_process_get_pid (owner) == 1 || ph_systemd_is_manager_unit (unit))
    op->units = g_strsplit ("manager", " ", -1);
  else if (unit == NULL || !g_str_has_suffix (unit, ".service"))
    {
      g_task_return_new_error (task, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_UNIT,
                               _("Port %u does not belong to a systemd service."), op->port);
      return;
    }
  g_task_run_in_thread (task, plan_thread);
}

PhSystemdPlan *
ph_systemd_plan_finish (GAsyncResult  *result,
                        GError       **error)
{
  return op_finish (result, ph_systemd_plan_async, error);
}

void
ph_systemd_stop_plan_async (const PhSystemdPlan *plan,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ph_systemd_stop_async (plan->scope, (const char * const *) plan->units, plan->protocol,
                         plan->address, plan->port, cancellable, callback, user_data);
}

char *
ph_systemd_unit_dup_state (const PhSystemdUnit *unit)
{
  if (unit->sub_state == NULL || g_strcmp0 (unit->sub_state, unit->active_state) == 0)
    return g_strdup (unit->active_state != NULL ? unit->active_state : "");
  /* Translators: a systemd unit's state, e.g. "active (running)"; systemd's own words */
  return g_strdup_printf (_("%s (%s)"), unit->active_state, unit->sub_state);
}

static const char *
plan_name (const PhSystemdPlan *plan)
{
  return plan->service != NULL ? plan->service->name : plan->socket->name;
}

char *
ph_systemd_plan_dup_confirmation (const PhSystemdPlan *plan)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *name = plan_name (plan);

  if (plan->socket != NULL && plan->service != NULL)
    g_string_append_printf (text, _("systemd listens on port %u for “%s” and starts “%s” when "
                                    "someone connects (socket activation). Stopping the "
                                    "service alone would leave the port held, so Porthole "
                                    "stops both."),
                            plan->port, plan->socket->name, plan->service->name);
  else if (plan->socket != NULL)
    g_string_append_printf (text, _("systemd listens on port %u for “%s”. Porthole stops that "
                                    "socket unit."),
                            plan->port, plan->socket->name);
  else if (plan->scope == PH_SYSTEMD_SCOPE_USER)
    g_string_append_printf (text, _("Port %u belongs to your user service “%s”. Porthole asks "
                                    "systemd to stop it."), plan->port, name);
  else
    g_string_append_printf (text, _("Port %u belongs to the system service “%s”. Porthole asks "
                                    "systemd to stop it; the system may ask for an "
                                    "administrator’s password."), plan->port, name);

  if (plan->service != NULL && ph_systemd_unit_restarts (plan->service))
    {
      g_string_append (text, "\n\n");
      g_string_append_printf (text, _("Ending its process would not help: “%s” has "
                                      "Restart=%s, so systemd would only start it again."),
                              plan->service->name, plan->service->restart);
    }
  g_string_append (text, "\n\n");
  g_string_append (text, _("It stays stopped until it is started again or the computer "
                           "restarts."));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
ph_systemd_describe_result (const PhSystemdPlan       *plan,
                            const PhSystemdStopResult *result)
{
  const char *name = plan_name (plan);

  switch (result->outcome)
    {
    case PH_SYSTEMD_STOP_FREED:
      return g_strdup_printf (_("Port %u is free now: systemd stopped “%s”."), plan->port, name);
    case PH_SYSTEMD_STOP_STARTED_AGAIN:
      return g_strdup_printf (_("“%s” stopped, but it was started again at once, so port %u is "
                                "held again. Something depends on it or starts it: see "
                                "systemctl list-dependencies --reverse %s"),
                              result->held_by, plan->port, result->held_by);
    case PH_SYSTEMD_STOP_STILL_HELD:
    default:
      if (result->held_by != NULL)
        return g_strdup_printf (_("systemd stopped “%s”, but port %u is still held: systemd "
                                  "itself listens there for “%s”."),
                                name, plan->port, result->held_by);
      return g_strdup_printf (_("systemd stopped “%s”, but port %u is still held by another "
                                "program."), name, plan->port);
    }
}
