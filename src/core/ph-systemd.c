/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-systemd.c — systemd's lever: a unit's facts, the plan for one listed port and its words */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-systemd-private.h"

/* Each operation is one GTask run in a worker thread with its own bus connection and
 * main context: the D-Bus calls there may wait (a stop job, polkit asking for a
 * password) without ever holding up the main thread, and a cancelled operation only
 * closes its own connection.
 *
 * ph-systemd-bus.c opens the bus and reads a unit, ph-systemd-socket.c finds the .socket
 * unit behind a port, ph-systemd-stop.c stops units and watches the port. */

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
  PhSystemdOp *op = task_data;   /* name: the owner's unit; units[0] "manager" when it is one */
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = ph_systemd_bus_open (op->scope, cancellable, &error);
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
      plan->socket = ph_systemd_find_socket_sync (bus, op->scope, op->protocol, op->address,
                                                  op->port, cancellable, &error);
      for (guint i = 0; plan->socket != NULL && plan->socket->triggers[i] != NULL; i++)
        if (g_str_has_suffix (plan->socket->triggers[i], ".service"))
          {
            plan->service = ph_systemd_read_unit (bus, op->scope, plan->socket->triggers[i],
                                                  cancellable, NULL);
            break;
          }
    }
  else
    {
      plan->service = ph_systemd_read_unit (bus, op->scope, op->name, cancellable, &error);
      /* A socket-activated service shares the port with its .socket unit. */
      if (plan->service != NULL && strv_has_suffix (plan->service->triggered_by, ".socket"))
        {
          plan->socket = ph_systemd_find_socket_sync (bus, op->scope, op->protocol, op->address,
                                                      op->port, cancellable, NULL);
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
  PhSystemdOp *op;

  g_task_set_source_tag (task, ph_systemd_plan_async);
  op = g_new0 (PhSystemdOp, 1);
  g_task_set_task_data (task, op, (GDestroyNotify) ph_systemd_op_free);
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
  return ph_systemd_op_finish (result, ph_systemd_plan_async, error);
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

