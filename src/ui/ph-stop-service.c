/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-service.c — Stop Service: confirm, StopUnit on the right bus, say what happened */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-service-list.h"
#include "ph-stop-service.h"
#include "ph-systemd.h"

/* One Stop Service, from the plan (core's ph_systemd_plan) through the confirmation to
 * the answer. Everything is async on @cancellable (the window's), so closing the window
 * ends it without a dialog popping up later. */
typedef struct
{
  GtkWidget           *parent;
  PhService           *service;
  PhScanner           *scanner;
  GCancellable        *cancellable;
  PhSystemdPlan       *plan;
  PhStopServiceReport  report;
  gpointer             user_data;
  char                *said;
} StopService;

static void
stop_service_free (StopService *op)
{
  g_clear_object (&op->parent);
  g_clear_object (&op->service);
  g_clear_object (&op->scanner);
  g_clear_object (&op->cancellable);
  g_clear_pointer (&op->plan, ph_systemd_plan_free);
  g_free (op->said);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StopService, stop_service_free)

/* The port is still held by another program: the scanner has looked again by now, so
 * name it. */
static void
name_holder (gpointer user_data)
{
  g_autoptr(StopService) op = user_data;
  PhServiceList *list;
  PhService *again;
  PhProcess *owner;
  g_autofree char *message = NULL;

  if (g_cancellable_is_cancelled (op->cancellable))
    return;
  list = ph_scanner_get_service_list (op->scanner);
  again = ph_service_list_find (list, op->plan->protocol, op->plan->address, op->plan->port);
  owner = again != NULL ? ph_service_get_main_owner (again) : NULL;
  if (owner != NULL)
    {
      g_autofree char *name = ph_process_dup_display_name (owner);

      /* Translators: the first %s is a sentence that ends in "another program." */
      message = g_strdup_printf (_("%s It is “%s”, process %d."), op->said, name,
                                 (int) ph_process_get_pid (owner));
    }
  op->report (op->parent, FALSE, _("The Port Is Still Held"),
              message != NULL ? message : op->said, op->user_data);
}

static void
stop_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(StopService) op = user_data;
  g_autoptr(PhSystemdStopResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = ph_systemd_stop_finish (res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (op->scanner != NULL)
    ph_scanner_refresh (op->scanner);
  if (result == NULL)
    {
      op->report (op->parent, FALSE, _("Could Not Stop the Service"), error->message,
                  op->user_data);
      return;
    }

  op->said = ph_systemd_describe_result (op->plan, result);
  switch (result->outcome)
    {
    case PH_SYSTEMD_STOP_FREED:
      op->report (op->parent, TRUE, NULL, op->said, op->user_data);
      break;
    case PH_SYSTEMD_STOP_STARTED_AGAIN:
      op->report (op->parent, FALSE, _("The Service Started Again"), op->said, op->user_data);
      break;
    case PH_SYSTEMD_STOP_STILL_HELD:
    default:
      if (result->held_by == NULL && op->scanner != NULL)
        g_timeout_add_once (700, name_holder, g_steal_pointer (&op));
      else
        op->report (op->parent, FALSE, _("The Port Is Still Held"), op->said, op->user_data);
      break;
    }
}

static void
response_cb (AdwAlertDialog *dialog,
             const char     *response,
             StopService    *op)
{
  g_autoptr(StopService) owned = op;

  if (g_strcmp0 (response, "stop") != 0)
    return;
  ph_systemd_stop_plan_async (owned->plan, owned->cancellable, stop_cb, owned);
  g_steal_pointer (&owned);
}

static void
plan_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(StopService) op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwDialog *dialog;

  op->plan = ph_systemd_plan_finish (res, &error);
  if (op->plan == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        op->report (op->parent, FALSE, _("Could Not Stop the Service"), error->message,
                    op->user_data);
      return;
    }

  /* Translators: %s is a systemd unit such as "nginx.service" */
  heading = g_strdup_printf (_("Stop “%s”?"), op->plan->service != NULL
                                               ? op->plan->service->name
                                               : op->plan->socket->name);
  body = ph_systemd_plan_dup_confirmation (op->plan);
  dialog = adw_alert_dialog_new (heading, body);
  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  "cancel", _("_Cancel"),
                                  "stop", _("_Stop Service"),
                                  NULL);
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "stop",
                                            ADW_RESPONSE_DESTRUCTIVE);
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), "cancel");
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (response_cb), op);
  adw_dialog_present (dialog, op->parent);
  g_steal_pointer (&op);
}

void
ph_stop_service_run (GtkWidget           *parent,
                     PhService           *service,
                     PhScanner           *scanner,
                     GCancellable        *cancellable,
                     PhStopServiceReport  report,
                     gpointer             user_data)
{
  StopService *op = g_new0 (StopService, 1);

  op->parent = g_object_ref (parent);
  op->service = g_object_ref (service);
  op->scanner = scanner != NULL ? g_object_ref (scanner) : NULL;
  op->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  op->report = report;
  op->user_data = user_data;
  ph_systemd_plan_async (service, op->cancellable, plan_cb, op);
}
