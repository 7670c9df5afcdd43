/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-container.c — Stop Container: confirm, stop it through its engine, say what happened */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-service-list.h"
#include "ph-stop-container.h"
#include "ph-stop-service.h"
#include "ph-stopper.h"

/* After the engine answered, the scanner looks again; the port is judged this much later. */
#define LOOK_AGAIN_MS 700
/* Seconds the engine waits after its stop signal before it kills the container. */
#define STOP_TIMEOUT_S 10
/* How long a systemd unit that restarts the container gets to bring it back. */
#define RESTART_WAIT_MS 10000

/*
 * A port published by a container is held by one of its engine's programs (conmon, pasta,
 * docker-proxy, dockerd), which Porthole never signals (neither does the helper). Stop
 * Container asks the engine to stop the container (POST /containers/{id}/stop), then
 * looks whether the port is free, or whether a restart policy started it again. Everything
 * is async on @cancellable (the window's), so closing the window ends it quietly.
 */
typedef struct
{
  GtkWidget           *parent;
  PhService           *service;
  PhContainer         *container;
  PhScanner           *scanner;
  GCancellable        *cancellable;
  PhStopServiceReport  report;
  gpointer             user_data;
  char                *protocol;
  char                *address;
  guint                port;
  char                *restart_policy;
  gboolean             forwarded;
  /* The systemd unit that runs the container again when it stops, or NULL. */
  PhSupervisor        *restarter;
  gint64               deadline;
  /* What holds the port again (for the unit's Stop Service). */
  PhService           *again;
} StopContainer;

static void
stop_container_free (StopContainer *op)
{
  g_clear_object (&op->parent);
  g_clear_object (&op->service);
  g_clear_object (&op->container);
  g_clear_object (&op->scanner);
  g_clear_object (&op->cancellable);
  g_free (op->protocol);
  g_free (op->address);
  g_free (op->restart_policy);
  g_clear_pointer (&op->restarter, ph_supervisor_free);
  g_clear_object (&op->again);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StopContainer, stop_container_free)

static void
restarted_response_cb (AdwAlertDialog *dialog,
                       const char     *response,
                       StopContainer  *op)
{
  g_autoptr(StopContainer) owned = op;

  if (g_strcmp0 (response, "stop-service") != 0 || g_cancellable_is_cancelled (op->cancellable))
    return;
  ph_stop_service_run (op->parent, op->again, op->scanner, op->cancellable, op->report,
                       op->user_data);
}

/* The unit started the container again: say so, and offer the unit's lever. */
static void
report_restarted_by_unit (StopContainer *op,
                          PhService     *again)
{
  g_autofree char *body = ph_stopper_describe_container_restarted (op->service, op->restarter);
  AdwDialog *dialog = adw_alert_dialog_new (_("The Container Started Again"), body);

  g_set_object (&op->again, again);
  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  "close", _("_Close"),
                                  "stop-service", _("_Stop Service…"),
                                  NULL);
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), "close");
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), "close");
  g_signal_connect (dialog, "response", G_CALLBACK (restarted_response_cb), op);
  adw_dialog_present (dialog, op->parent);
}

/* The scanner has looked again by now: is the port free? */
static void
look_again (gpointer user_data)
{
  g_autoptr(StopContainer) op = user_data;
  PhService *again = NULL;
  const char *name = ph_container_get_name (op->container);
  g_autofree char *message = NULL;

  if (g_cancellable_is_cancelled (op->cancellable))
    return;
  if (op->scanner != NULL)
    again = ph_service_list_find (ph_scanner_get_service_list (op->scanner), op->protocol,
                                  op->address, op->port);
  /* A unit that restarts the container takes a second or two (its podman run): until
   * then a free port is not yet the truth. */
  if (again == NULL && op->restarter != NULL && g_get_monotonic_time () < op->deadline)
    {
      if (op->scanner != NULL)
        ph_scanner_refresh (op->scanner);
      g_timeout_add_once (LOOK_AGAIN_MS, look_again, g_steal_pointer (&op));
      return;
    }
  if (again != NULL && op->restarter != NULL)
    {
      report_restarted_by_unit (g_steal_pointer (&op), again);
      return;
    }
  /* A forwarded port holds no socket either way: only the container's state tells. */
  if (again == NULL && (op->restart_policy == NULL || !op->forwarded))
    {
      /* Translators: a toast; %s is a container's name, %u a port */
      message = g_strdup_printf (_("Container “%s” stopped: port %u is free"), name, op->port);
      op->report (op->parent, TRUE, NULL, message, op->user_data);
      return;
    }
  if (op->restart_policy != NULL)
    {
      /* Translators: %1$s is the container, %2$s its restart policy ("always"), %3$u the
       * port, %4$s the engine's command (podman, docker) */
      message = g_strdup_printf (_("The container “%1$s” was stopped, but its restart policy "
                                   "“%2$s” started it again, so port %3$u is still held. Change "
                                   "the policy first, for example: %4$s update --restart=no %1$s"),
                                 name, op->restart_policy, op->port,
                                 ph_container_get_engine_command (op->container));
      op->report (op->parent, FALSE, _("The Container Started Again"), message, op->user_data);
      return;
    }
  message = g_strdup_printf (_("The container “%s” was stopped, but port %u is still held by "
                               "“%s”."), name, op->port, ph_service_get_group_name (again));
  op->report (op->parent, FALSE, _("The Port Is Still Held"), message, op->user_data);
}

static void
stop_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(StopContainer) op = user_data;
  g_autoptr(PhContainerStopResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = ph_container_stop_finish (res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (op->cancellable))
    return;
  if (op->scanner != NULL)
    ph_scanner_refresh (op->scanner);
  if (result == NULL)
    {
      op->report (op->parent, FALSE, _("Could Not Stop the Container"), error->message,
                  op->user_data);
      return;
    }
  if (result->outcome == PH_CONTAINER_STOP_NOT_FOUND)
    {
      g_autofree char *message = g_strdup_printf (_("The engine no longer knows the container "
                                                    "“%s”."),
                                                  ph_container_get_name (op->container));

      op->report (op->parent, FALSE, _("Could Not Stop the Container"), message, op->user_data);
      return;
    }
  if (result->outcome == PH_CONTAINER_STOP_RESTARTED)
    op->restart_policy = g_strdup (result->restart_policy != NULL ? result->restart_policy : "?");
  op->deadline = g_get_monotonic_time () + RESTART_WAIT_MS * 1000;
  g_timeout_add_once (LOOK_AGAIN_MS, look_again, g_steal_pointer (&op));
}

static void
response_cb (AdwAlertDialog *dialog,
             const char     *response,
             StopContainer  *op)
{
  g_autoptr(StopContainer) owned = op;

  if (g_strcmp0 (response, "stop") != 0)
    return;
  ph_container_stop_async (owned->container, STOP_TIMEOUT_S, owned->cancellable, stop_cb, owned);
  g_steal_pointer (&owned);
}

/* The confirmation names the container, its engine and image, what stops with it, and
 * the program Porthole leaves alone. */
static char *
confirmation (StopContainer *op)
{
  PhProcess *owner = ph_service_get_main_owner (op->service);
  g_autofree char *holder = owner != NULL ? ph_process_dup_display_name (owner) : g_strdup ("?");
  g_autofree char *where = ph_container_describe_port (op->container, op->address, op->port,
                                                       op->protocol);
  const char *image = ph_container_get_image (op->container);
  g_autofree char *text = NULL;

  if (owner == NULL)
    /* Translators: %1$s is the engine (Podman, Docker), %2$s the container's name, %3$s its
     * image, %4$s the published port (127.0.0.1:18080 → 8000 in “shop-db”) */
    text = g_strdup_printf (_("%1$s will stop the container “%2$s” (image %3$s), which publishes "
                              "%4$s. Every program in the container stops with it, and every "
                              "port it publishes closes."),
                            ph_container_get_engine_label (op->container),
                            ph_container_get_name (op->container),
                            image != NULL && *image != '\0' ? image : "?", where);
  else
    /* Translators: %1$s is the engine (Podman, Docker), %2$s the container's name, %3$s its
     * image, %4$s the published port (127.0.0.1:18080 → 8000 in “shop-db”), %5$s the
     * engine's program that holds the port (conmon) */
    text = g_strdup_printf (_("%1$s will stop the container “%2$s” (image %3$s), which publishes "
                              "%4$s. Every program in the container stops with it, and every "
                              "port it publishes closes.\n\nPorthole does not end “%5$s”: it "
                              "only holds the port for the container."),
                            ph_container_get_engine_label (op->container),
                            ph_container_get_name (op->container),
                            image != NULL && *image != '\0' ? image : "?", where, holder);
  if (op->restarter != NULL)
    {
      g_autofree char *unit = ph_stopper_describe_restarter (op->restarter);

      return g_strconcat (text, "\n\n", unit, NULL);
    }
  return g_steal_pointer (&text);
}

void
ph_stop_container_run (GtkWidget           *parent,
                       PhService           *service,
                       PhScanner           *scanner,
                       GCancellable        *cancellable,
                       PhStopServiceReport  report,
                       gpointer             user_data)
{
  g_autoptr(StopContainer) op = g_new0 (StopContainer, 1);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  PhContainer *container;
  AdwDialog *dialog;

  g_return_if_fail (GTK_IS_WIDGET (parent));
  g_return_if_fail (PH_IS_SERVICE (service));

  op->parent = g_object_ref (parent);
  op->service = g_object_ref (service);
  op->scanner = scanner != NULL ? g_object_ref (scanner) : NULL;
  op->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  op->report = report;
  op->user_data = user_data;
  op->protocol = g_strdup (ph_service_get_protocol (service));
  op->address = g_strdup (ph_service_get_address (service));
  op->port = ph_service_get_port (service);
  op->forwarded = ph_service_get_forwarded (service);

  container = ph_service_get_container (service);
  if (container == NULL || ph_container_get_guessed (container))
    {
      g_autofree char *why = ph_stopper_explain_lever (service, PH_STOP_LEVER_CONTAINER);

      report (parent, FALSE, _("Porthole Cannot Stop This Container"), why, user_data);
      return;
    }
  op->container = g_object_ref (container);
  op->restarter = ph_stopper_container_restarter (service);

  /* Translators: %s is a container's name */
  heading = g_strdup_printf (_("Stop Container “%s”?"), ph_container_get_name (container));
  body = confirmation (op);
  dialog = adw_alert_dialog_new (heading, body);
  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  "cancel", _("_Cancel"),
                                  "stop", _("_Stop Container"),
                                  NULL);
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "stop",
                                            ADW_RESPONSE_DESTRUCTIVE);
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), "cancel");
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), op);
  adw_dialog_present (dialog, op->parent);
  g_steal_pointer (&op);
}
