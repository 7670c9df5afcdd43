/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-lever.c — Stop Service and Stop Container: confirm, pull the lever, say what happened */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-service-list.h"
#include "ph-stop-lever-private.h"

/* After the lever answered, the scanner looks again; the port is judged this much later. */
#define LOOK_AGAIN_MS 700

void
ph_stop_run_free (PhStopRun *run)
{
  if (run->kind->clear != NULL)
    run->kind->clear (run);
  g_clear_object (&run->parent);
  g_clear_object (&run->service);
  g_clear_object (&run->scanner);
  g_clear_object (&run->cancellable);
  g_free (run->protocol);
  g_free (run->address);
  g_free (run);
}

void
ph_stop_run_report (PhStopRun  *run,
                    gboolean    freed,
                    const char *heading,
                    const char *message)
{
  run->report (run->parent, freed, heading, message, run->user_data);
}

/* The lever could not be pulled: say why, unless the window went. */
void
ph_stop_run_fail (PhStopRun    *run,
                  const GError *error)
{
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ph_stop_run_report (run, FALSE, _(run->kind->failed_heading), error->message);
}

/* The lever has answered (@error when it failed): TRUE when there is more to say, FALSE
 * when the window went or the failure has been reported. The scanner looks again. */
gboolean
ph_stop_run_answered (PhStopRun    *run,
                      const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (run->cancellable))
    return FALSE;
  if (run->scanner != NULL)
    ph_scanner_refresh (run->scanner);
  if (error != NULL)
    {
      ph_stop_run_fail (run, error);
      return FALSE;
    }
  return TRUE;
}

static void
accepted_cb (AdwAlertDialog *dialog,
             const char     *response,
             gpointer        user_data)
{
  PhStopRun *run = g_object_steal_data (G_OBJECT (dialog), "ph-stop-run");

  if (run != NULL)
    run->chosen (run);
}

/* Asks @heading, @body: @accept_id leads to @accept with @run; @decline_id (the default and
 * the close response) ends the flow. The dialog owns @run until then. */
void
ph_stop_run_ask (PhStopRun             *run,
                 const char            *heading,
                 const char            *body,
                 const char            *decline_id,
                 const char            *decline_label,
                 const char            *accept_id,
                 const char            *accept_label,
                 AdwResponseAppearance  accept_appearance,
                 PhStopRunStep          accept)
{
  AdwDialog *dialog = adw_alert_dialog_new (heading, body);
  GtkWidget *parent = run->parent;
  g_autofree char *detailed = g_strconcat ("response::", accept_id, NULL);

  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  decline_id, decline_label,
                                  accept_id, accept_label,
                                  NULL);
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), accept_id,
                                            accept_appearance);
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), decline_id);
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), decline_id);
  run->chosen = accept;
  g_object_set_data_full (G_OBJECT (dialog), "ph-stop-run", run,
                          (GDestroyNotify) ph_stop_run_free);
  g_signal_connect (dialog, detailed, G_CALLBACK (accepted_cb), NULL);
  adw_dialog_present (dialog, parent);
}

/* Asks before the lever is pulled. */
void
ph_stop_run_confirm (PhStopRun  *run,
                     const char *heading,
                     const char *body,
                     const char *stop_label)
{
  ph_stop_run_ask (run, heading, body, "cancel", _("_Cancel"), "stop", stop_label,
                   ADW_RESPONSE_DESTRUCTIVE, run->kind->act);
}

static void
look_again_cb (gpointer user_data)
{
  g_autoptr(PhStopRun) run = user_data;

  if (!g_cancellable_is_cancelled (run->cancellable))
    run->kind->look (g_steal_pointer (&run));
}

/* Takes @run: the lever's look, once the scanner has had time to look again. */
void
ph_stop_run_look_again (PhStopRun *run)
{
  g_timeout_add_once (LOOK_AGAIN_MS, look_again_cb, run);
}

/* The end of the lever's async call that act started (@user_data is the run). */
void
ph_stop_run_acted (GObject      *object,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  g_autoptr(PhStopRun) run = user_data;

  if (run->kind->answer (run, res))
    ph_stop_run_look_again (g_steal_pointer (&run));
}

/* The port as the scanner sees it now, or NULL when nothing holds it (or no scanner). */
PhService *
ph_stop_run_find_again (PhStopRun *run)
{
  if (run->scanner == NULL)
    return NULL;
  return ph_service_list_find (ph_scanner_get_service_list (run->scanner), run->protocol,
                               run->address, run->port);
}

/* Stop Service for a systemd unit's port, Stop Container for a container's published one:
 * FALSE, doing nothing, for any other @lever (the Free Port flow's). */
gboolean
ph_stop_lever_run (GtkWidget    *parent,
                   PhService    *service,
                   PhStopLever   lever,
                   PhScanner    *scanner,
                   GCancellable *cancellable,
                   PhStopReport  report,
                   gpointer      user_data)
{
  const PhStopRunKind *kind;
  PhStopRun *run;

  g_return_val_if_fail (GTK_IS_WIDGET (parent), FALSE);
  g_return_val_if_fail (PH_IS_SERVICE (service), FALSE);

  if (lever == PH_STOP_LEVER_SYSTEMD_SERVICE || lever == PH_STOP_LEVER_SYSTEMD_SOCKET)
    kind = &ph_stop_service_kind;
  else if (lever == PH_STOP_LEVER_CONTAINER && ph_service_get_container (service) != NULL)
    kind = &ph_stop_container_kind;
  else
    return FALSE;

  run = g_malloc0 (kind->size);
  run->kind = kind;
  run->parent = g_object_ref (parent);
  run->service = g_object_ref (service);
  run->scanner = scanner != NULL ? g_object_ref (scanner) : NULL;
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : g_cancellable_new ();
  run->report = report;
  run->user_data = user_data;
  run->protocol = g_strdup (ph_service_get_protocol (service));
  run->address = g_strdup (ph_service_get_address (service));
  run->port = ph_service_get_port (service);
  kind->begin (run);
  return TRUE;
}
