/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-systemd-stop.c — StopUnit and its job, then a look at the port: freed, started again,
 * or still held */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-port-info.h"
#include "ph-systemd-private.h"

/* How long a stop job may take (systemd's own default stop timeout is 90 s; a service
 * that needs that long is reported as still stopping rather than waited for). */
#define STOP_JOB_TIMEOUT_MS 30000
/* How long the port is watched after the units stopped, and how often. */
#define WATCH_MS 1500
#define WATCH_STEP_MS 100

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
  reply = ph_systemd_call (bus, SD_PATH, SD_MANAGER, "StopUnit",
                           g_variant_new ("(ss)", unit, "replace"), "(o)",
                           G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, G_MAXINT, cancellable,
                           &local);
  if (reply == NULL)
    {
      ph_systemd_set_call_error (error, local, unit);
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
  g_autofree char *path = ph_systemd_unit_path (bus, unit, cancellable, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) value = NULL;

  if (path == NULL)
    return NULL;
  reply = ph_systemd_call (bus, path, DBUS_PROPERTIES, "Get",
                           g_variant_new ("(ss)", SD_UNIT, "ActiveState"), "(v)",
                           G_DBUS_CALL_FLAGS_NONE, -1, cancellable, NULL);
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
port_status (PhSystemdOp *op)
{
  const char *host = ph_systemd_is_wildcard (op->address) ? NULL : op->address;
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
  PhSystemdOp *op = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(PhSystemdStopResult) result = NULL;
  JobWatch watch = { NULL, context };
  guint subscription;
  gboolean ok = TRUE;
  PhPortStatus status = PH_PORT_STATUS_UNKNOWN;

  g_main_context_push_thread_default (context);
  bus = ph_systemd_bus_open (op->scope, cancellable, &error);
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
    g_autoptr(GVariant) ignored = ph_systemd_call (bus, SD_PATH, SD_MANAGER, "Subscribe", NULL,
                                                   NULL, G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                                                   NULL);
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
          socket = ph_systemd_find_socket_sync (bus, op->scope, op->protocol, op->address, op->port,
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
  PhSystemdOp *op;

  g_return_if_fail (units != NULL && units[0] != NULL);
  op = ph_systemd_op_new (scope, protocol, address, port);
  op->units = g_strdupv ((char **) units);
  ph_systemd_op_run (op, ph_systemd_stop_async, stop_thread, cancellable, callback, user_data);
}

PhSystemdStopResult *
ph_systemd_stop_finish (GAsyncResult  *result,
                        GError       **error)
{
  return ph_systemd_op_finish (result, ph_systemd_stop_async, error);
}
