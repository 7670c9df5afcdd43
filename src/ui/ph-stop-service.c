/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-service.c — Stop Service's part of the stop flow: systemd's plan and StopUnit */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-stop-lever-private.h"
#include "ph-systemd.h"

/* One Stop Service, from the plan (core's ph_systemd_plan) through the confirmation to
 * the answer. */
typedef struct
{
  PhStopRun      run;
  PhSystemdPlan *plan;
  char          *said;
} StopService;

static void
stop_service_clear (PhStopRun *run)
{
  StopService *op = (StopService *) run;

  g_clear_pointer (&op->plan, ph_systemd_plan_free);
  g_free (op->said);
}

/* The port is still held by another program: the scanner has looked again by now, so
 * name it. */
static void
name_holder (PhStopRun *run)
{
  g_autoptr(PhStopRun) owned = run;
  StopService *op = (StopService *) run;
  PhService *again = ph_stop_run_find_again (run);
  PhProcess *owner = again != NULL ? ph_service_get_main_owner (again) : NULL;
  g_autofree char *message = NULL;

  if (owner != NULL)
    {
      g_autofree char *name = ph_process_dup_display_name (owner);

      /* Translators: the first %s is a sentence that ends in "another program." */
      message = g_strdup_printf (_("%s It is “%s”, process %d."), op->said, name,
                                 (int) ph_process_get_pid (owner));
    }
  ph_stop_run_report (run, FALSE, _("The Port Is Still Held"),
                      message != NULL ? message : op->said);
}

static gboolean
stop_service_answer (PhStopRun    *run,
                     GAsyncResult *res)
{
  StopService *op = (StopService *) run;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhSystemdStopResult) result = ph_systemd_stop_finish (res, &error);

  if (!ph_stop_run_answered (run, error))
    return FALSE;
  op->said = ph_systemd_describe_result (op->plan, result);
  switch (result->outcome)
    {
    case PH_SYSTEMD_STOP_FREED:
      ph_stop_run_report (run, TRUE, NULL, op->said);
      break;
    case PH_SYSTEMD_STOP_STARTED_AGAIN:
      ph_stop_run_report (run, FALSE, _("The Service Started Again"), op->said);
      break;
    case PH_SYSTEMD_STOP_STILL_HELD:
    default:
      if (result->held_by == NULL && run->scanner != NULL)
        return TRUE;
      ph_stop_run_report (run, FALSE, _("The Port Is Still Held"), op->said);
      break;
    }
  return FALSE;
}

static void
stop_service_act (PhStopRun *run)
{
  StopService *op = (StopService *) run;

  ph_systemd_stop_plan_async (op->plan, run->cancellable, ph_stop_run_acted, run);
}

static void
plan_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(PhStopRun) run = user_data;
  StopService *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  op->plan = ph_systemd_plan_finish (res, &error);
  if (op->plan == NULL)
    {
      ph_stop_run_fail (run, error);
      return;
    }

  /* Translators: %s is a systemd unit such as "nginx.service" */
  heading = g_strdup_printf (_("Stop “%s”?"), op->plan->service != NULL
                                               ? op->plan->service->name
                                               : op->plan->socket->name);
  body = ph_systemd_plan_dup_confirmation (op->plan);
  ph_stop_run_confirm (g_steal_pointer (&run), heading, body, _("_Stop Service"));
}

static void
stop_service_begin (PhStopRun *run)
{
  ph_systemd_plan_async (run->service, run->cancellable, plan_cb, run);
}

const PhStopRunKind ph_stop_service_kind = {
  .size = sizeof (StopService),
  .failed_heading = N_("Could Not Stop the Service"),
  .begin = stop_service_begin,
  .act = stop_service_act,
  .answer = stop_service_answer,
  .look = name_holder,
  .clear = stop_service_clear,
};
