/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-systemd-bus.c — systemd on the system or user bus: a connection of its own, calls,
 * errors a person can act on, one unit's facts, and the worker thread each operation runs in */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-systemd-private.h"

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

GDBusConnection *
ph_systemd_bus_open (PhSystemdScope   scope,
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
void
ph_systemd_set_call_error (GError     **error,
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

GVariant *
ph_systemd_call (GDBusConnection  *bus,
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
  g_autoptr(GVariant) reply = ph_systemd_call (bus, path, DBUS_PROPERTIES, "GetAll",
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

char *
ph_systemd_unit_path (GDBusConnection  *bus,
                      const char       *name,
                      GCancellable     *cancellable,
                      GError          **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GVariant) reply = ph_systemd_call (bus, SD_PATH, SD_MANAGER, "LoadUnit",
                                               g_variant_new ("(s)", name), "(o)",
                                               G_DBUS_CALL_FLAGS_NONE, -1, cancellable, &local);
  char *path = NULL;

  if (reply == NULL)
    {
      ph_systemd_set_call_error (error, local, name);
      return NULL;
    }
  g_variant_get (reply, "(o)", &path);
  return path;
}

PhSystemdUnit *
ph_systemd_read_unit (GDBusConnection  *bus,
                      PhSystemdScope    scope,
                      const char       *name,
                      GCancellable     *cancellable,
                      GError          **error)
{
  g_autofree char *path = ph_systemd_unit_path (bus, name, cancellable, error);
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
      ph_systemd_set_call_error (error, local, name);
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

void
ph_systemd_op_free (PhSystemdOp *op)
{
  g_free (op->name);
  g_free (op->protocol);
  g_free (op->address);
  g_strfreev (op->units);
  g_free (op);
}

PhSystemdOp *
ph_systemd_op_new (PhSystemdScope  scope,
                   const char     *protocol,
                   const char     *address,
                   guint           port)
{
  PhSystemdOp *op = g_new0 (PhSystemdOp, 1);

  op->scope = scope;
  op->protocol = g_strdup (protocol);
  op->address = g_strdup (address);
  op->port = port;
  return op;
}

/* Runs @thread with @op (which the task then owns) in a worker thread. */
void
ph_systemd_op_run (PhSystemdOp         *op,
                   gpointer             source_tag,
                   GTaskThreadFunc      thread,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) ph_systemd_op_free);
  g_task_run_in_thread (task, thread);
}

gpointer
ph_systemd_op_finish (GAsyncResult  *result,
                      gpointer       source_tag,
                      GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Opens the op's bus, asks its query, closes the bus. */
void
ph_systemd_unit_query_thread (GTask        *task,
                              gpointer      source,
                              gpointer      task_data,
                              GCancellable *cancellable)
{
  PhSystemdOp *op = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = ph_systemd_bus_open (op->scope, cancellable, &error);
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
            PhSystemdOp      *op,
            GCancellable     *cancellable,
            GError          **error)
{
  return ph_systemd_read_unit (bus, op->scope, op->name, cancellable, error);
}

void
ph_systemd_get_unit_async (PhSystemdScope       scope,
                           const char          *name,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  PhSystemdOp *op;

  g_return_if_fail (name != NULL);
  op = ph_systemd_op_new (scope, NULL, NULL, 0);
  op->name = g_strdup (name);
  op->query = query_unit;
  ph_systemd_op_run (op, ph_systemd_get_unit_async, ph_systemd_unit_query_thread, cancellable,
                     callback, user_data);
}

PhSystemdUnit *
ph_systemd_get_unit_finish (GAsyncResult  *result,
                            GError       **error)
{
  return ph_systemd_op_finish (result, ph_systemd_get_unit_async, error);
}
