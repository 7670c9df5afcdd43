/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-free-port-flow.c — Free Port from confirmation to outcome, for one service of a window */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-free-port-flow.h"
#include "ph-stopper.h"
#include "ph-supervisor.h"

/* How long a program gets to quit after SIGTERM before Porthole offers to force it. */
#define GRACE_MS 3000

/* A supervisor (systemd's Restart=, a process manager, a dev tool's watcher) may start
 * the program again right away: once the port is freed, the list is refreshed after
 * RESTART_REFRESH_MS and looked at RESTART_LOOK_MS later. */
#define RESTART_REFRESH_MS 1500
#define RESTART_LOOK_MS    500

/*
 * One Free Port, from the question to the answer: the lever (the user's own processes
 * are signalled, another user's through the root helper after Unlock; the rest is
 * explained), the confirmation (which offers to stop what would start the program
 * again), the helper's stop, the offer to force a program that did not quit, the outcome
 * in words, and the look for a restart. Whoever starts it keeps it until "finished";
 * ph_free_port_flow_cancel() (the window does it when it closes) ends it at any step:
 * nothing is shown after that.
 */
struct _PhFreePortFlow
{
  GObject parent_instance;

  GtkWidget *parent;          /* weak: a flow never keeps its window alive */
  PhScanner *scanner;
  PhService *service;
  PhSupervisor *supervisor;   /* what would start it again, or NULL */
  char *flatpak_app;          /* the Flatpak app the holders run in, when quitting it is offered */
  gboolean elevated;          /* through the root helper (after Unlock) */
  GCancellable *cancellable;
  AdwDialog *dialog;          /* weak: the question or message on screen, if any */
  guint restart_source;

  /* The freed socket and its holder, for the restart check. */
  char *protocol;
  char *address;
  guint port;
  gint64 old_pid;

  gboolean cancelled;
  gboolean finished;
};

G_DEFINE_FINAL_TYPE (PhFreePortFlow, ph_free_port_flow, G_TYPE_OBJECT)

enum {
  SIGNAL_TOAST,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_stop            (PhFreePortFlow *self,
                                   gboolean        force);
static void start_stop_supervisor (PhFreePortFlow *self);
static void start_flatpak_kill    (PhFreePortFlow *self);

/* What would start the main owner again, and (@parent, when not NULL) its parent. The
 * ancestors are read from this /proc, which inside a Flatpak is the sandbox's own PID
 * namespace, not the host's: there the helper would have to report them, so Porthole does
 * not guess. */
static PhSupervisor *
find_supervisor (PhService   *service,
                 PhProcLink **parent)
{
  PhProcess *owner = ph_service_get_main_owner (service);
  g_autoptr(GPtrArray) chain = NULL;
  PhSupervisor *supervisor;

  if (owner == NULL || g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return NULL;
  chain = ph_supervisor_read_ancestors (ph_process_get_pid (owner));
  supervisor = ph_supervisor_find (chain, ph_process_get_manager (owner),
                                   ph_process_get_unit (owner),
                                   (guint) ph_process_get_uid (owner));
  if (parent != NULL && chain->len > 0)
    *parent = g_ptr_array_steal_index (chain, 0);
  return supervisor;
}

/* Callers hold a reference: the owner usually drops the flow when it finishes. A message
 * shown last stays on screen. */
static void
finish (PhFreePortFlow *self)
{
  if (self->finished || self->cancelled)
    return;
  self->finished = TRUE;
  g_clear_weak_pointer (&self->dialog);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
toast (PhFreePortFlow *self,
       const char     *text)
{
  if (!self->cancelled)
    g_signal_emit (self, signals[SIGNAL_TOAST], 0, text);
}

/* Shows @dialog (floating) on the window, unless the flow was cancelled or the window is
 * gone; returns whether it did. */
static gboolean
present (PhFreePortFlow *self,
         AdwDialog      *dialog)
{
  g_object_ref_sink (dialog);
  if (self->cancelled || self->parent == NULL)
    {
      g_object_unref (dialog);
      return FALSE;
    }
  g_set_weak_pointer (&self->dialog, dialog);
  adw_dialog_present (dialog, self->parent);
  g_object_unref (dialog);
  return TRUE;
}

static void
show_message (PhFreePortFlow *self,
              const char     *heading,
              const char     *body)
{
  AdwDialog *dialog = adw_alert_dialog_new (heading, body);

  adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "close", _("_Close"));
  present (self, dialog);
}

/* The answers to the questions; each question closes by itself once answered. */

static void
on_declined (PhFreePortFlow *self)
{
  g_autoptr(PhFreePortFlow) hold = g_object_ref (self);

  g_clear_weak_pointer (&self->dialog);
  finish (self);
}

static void
on_free (PhFreePortFlow *self)
{
  g_clear_weak_pointer (&self->dialog);
  if (!self->cancelled)
    start_stop (self, FALSE);
}

static void
on_force (PhFreePortFlow *self)
{
  g_clear_weak_pointer (&self->dialog);
  if (!self->cancelled)
    start_stop (self, TRUE);
}

static void
on_stop_supervisor (PhFreePortFlow *self)
{
  g_clear_weak_pointer (&self->dialog);
  if (!self->cancelled && self->supervisor != NULL)
    start_stop_supervisor (self);
}

static void
on_flatpak_kill (PhFreePortFlow *self)
{
  g_clear_weak_pointer (&self->dialog);
  if (!self->cancelled && self->flatpak_app != NULL)
    start_flatpak_kill (self);
}

/* @callback answers the response @id of @dialog. */
static void
connect_response (PhFreePortFlow *self,
                  AdwDialog      *dialog,
                  const char     *id,
                  GCallback       callback)
{
  g_autofree char *detailed = g_strconcat ("response::", id, NULL);

  g_signal_connect_object (dialog, detailed, callback, self, G_CONNECT_SWAPPED);
}

/* Asks: the response @decline_id, also the default and the close response, finishes the
 * flow; the caller connected the others. */
static void
ask (PhFreePortFlow *self,
     AdwDialog      *dialog,
     const char     *decline_id)
{
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), decline_id);
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), decline_id);
  connect_response (self, dialog, decline_id, G_CALLBACK (on_declined));
  if (!present (self, dialog))
    finish (self);
}

/* The response that stops the supervisor ("_Stop nodemon") instead. */
static void
add_supervisor_response (PhFreePortFlow        *self,
                         AdwDialog             *dialog,
                         AdwResponseAppearance  appearance)
{
  /* Translators: %s is a program that restarts others or started this one, e.g.
   * "Stop nodemon", "Stop npm run dev" */
  g_autofree char *label = g_strdup_printf (_("_Stop %s"), self->supervisor->name);

  adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "supervisor", label);
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "supervisor",
                                            appearance);
  connect_response (self, dialog, "supervisor", G_CALLBACK (on_stop_supervisor));
}

/* The look for a restart */

static void
restart_look (gpointer user_data)
{
  g_autoptr(PhFreePortFlow) self = g_object_ref (user_data);
  PhServiceList *list = ph_scanner_get_service_list (self->scanner);
  PhService *again = ph_service_list_find (list, self->protocol, self->address, self->port);
  PhProcess *owner = again != NULL ? ph_service_get_main_owner (again) : NULL;
  g_autoptr(PhSupervisor) supervisor = NULL;
  g_autofree char *message = NULL;
  AdwDialog *dialog;

  self->restart_source = 0;
  if (again == NULL)
    {
      finish (self);
      return;
    }

  if (owner != NULL && ph_process_get_pid (owner) != self->old_pid)
    {
      g_autofree char *name = ph_process_dup_display_name (owner);
      g_autoptr(PhProcLink) parent = NULL;

      supervisor = find_supervisor (again, &parent);
      message = ph_supervisor_describe_return (self->port, name, ph_process_get_pid (owner),
                                               supervisor, parent);
    }
  else
    message = ph_supervisor_describe_return (self->port, NULL, 0, NULL, NULL);

  dialog = adw_alert_dialog_new (_("The Port Is Held Again"), message);
  adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "close", _("_Close"));
  /* The choice to stop what restarted it, when it is a process Porthole may signal: the
   * flow goes on with the listener that came back. */
  if (supervisor != NULL && supervisor->restarts && supervisor->pid > 1 &&
      ph_stopper_choose_lever (again) == PH_STOP_LEVER_SIGNAL)
    {
      g_set_object (&self->service, again);
      g_clear_pointer (&self->supervisor, ph_supervisor_free);
      self->supervisor = g_steal_pointer (&supervisor);
      self->elevated = FALSE;
      add_supervisor_response (self, dialog, ADW_RESPONSE_DESTRUCTIVE);
    }
  ask (self, dialog, "close");
}

static void
restart_refresh (gpointer user_data)
{
  PhFreePortFlow *self = user_data;

  ph_scanner_refresh (self->scanner);
  self->restart_source = g_timeout_add_once (RESTART_LOOK_MS, restart_look, self);
}

static void
watch_for_restart (PhFreePortFlow *self)
{
  PhProcess *owner = ph_service_get_main_owner (self->service);

  g_free (self->protocol);
  self->protocol = g_strdup (ph_service_get_protocol (self->service));
  g_free (self->address);
  self->address = g_strdup (ph_service_get_address (self->service));
  self->port = ph_service_get_port (self->service);
  self->old_pid = owner != NULL ? ph_process_get_pid (owner) : 0;
  /* No reference: cancelling or disposing the flow removes the source. */
  self->restart_source = g_timeout_add_once (RESTART_REFRESH_MS, restart_refresh, self);
}

/* Stopping */

static void
offer_force (PhFreePortFlow     *self,
             const PhStopResult *result)
{
  g_autofree char *said = ph_stopper_describe (self->service, result);
  g_autofree char *body = NULL;
  AdwDialog *dialog;

  body = g_strdup_printf (_("%s\n\nPorthole can force it to quit right away. Anything it has "
                            "not saved will be lost."), said);
  dialog = adw_alert_dialog_new (_("The Program Did Not Quit"), body);
  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  "cancel", _("_Leave It Running"),
                                  "force", _("_Force Quit"),
                                  NULL);
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "force",
                                            ADW_RESPONSE_DESTRUCTIVE);
  connect_response (self, dialog, "force", G_CALLBACK (on_force));
  ask (self, dialog, "cancel");
}

static void
stop_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(PhFreePortFlow) self = user_data;
  g_autoptr(PhStopResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *said = NULL;

  result = ph_stopper_stop_finish (res, &error);
  if (self->cancelled)
    return;
  if (result == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, _("Could Not Free the Port"), error->message);
      finish (self);
      return;
    }

  /* Whatever happened, the list should show the truth now. */
  ph_scanner_refresh (self->scanner);

  said = ph_stopper_describe (self->service, result);
  switch (result->outcome)
    {
    case PH_STOP_OUTCOME_FREED:
      toast (self, said);
      watch_for_restart (self);
      break;
    case PH_STOP_OUTCOME_GONE:
      toast (self, said);
      finish (self);
      break;
    case PH_STOP_OUTCOME_STILL_HELD:
      if (g_strcmp0 (result->signal_name, "KILL") != 0)
        {
          offer_force (self, result);
          break;
        }
      show_message (self, _("The Port Is Still Held"), said);
      finish (self);
      break;
    case PH_STOP_OUTCOME_NOT_HOLDER:
    case PH_STOP_OUTCOME_STALE:
    case PH_STOP_OUTCOME_REFUSED:
    case PH_STOP_OUTCOME_PERMISSION:
    case PH_STOP_OUTCOME_FAILED:
    default:
      show_message (self, _("Could Not Free the Port"), said);
      finish (self);
      break;
    }
}

static void
start_stop (PhFreePortFlow *self,
            gboolean        force)
{
  ph_stopper_stop_elevated_async (self->service, force, GRACE_MS, self->elevated,
                                  self->cancellable, stop_cb, g_object_ref (self));
}

/* The helper signals the supervisor first (checking it is still the holder's ancestor and
 * the same process), then the holders if the port is still held. */
static void
start_stop_supervisor (PhFreePortFlow *self)
{
  ph_stopper_stop_supervisor_async (self->service, self->supervisor->pid,
                                    self->supervisor->start_time, GRACE_MS, self->cancellable,
                                    stop_cb, g_object_ref (self));
}

/* The user chose to quit the whole Flatpak app: the helper checks that the holders still
 * run in its sandbox and runs `flatpak kill` on the host. */
static void
start_flatpak_kill (PhFreePortFlow *self)
{
  ph_stopper_stop_flatpak_async (self->service, self->flatpak_app, GRACE_MS, self->cancellable,
                                 stop_cb, g_object_ref (self));
}

/**
 * ph_free_port_flow_start:
 *
 * Explains why Porthole will not stop what holds the port, or asks whether to free it
 * (or to stop what would start it again) and goes on from the answer.
 */
void
ph_free_port_flow_start (PhFreePortFlow *self)
{
  g_autoptr(PhFreePortFlow) hold = NULL;
  PhService *service;
  PhStopLever lever;
  PhProcess *owner;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *address = NULL;
  g_autofree char *name = NULL;
  guint others;
  AdwDialog *dialog;

  g_return_if_fail (PH_IS_FREE_PORT_FLOW (self));

  hold = g_object_ref (self);
  service = self->service;
  lever = ph_stopper_choose_lever (service);
  /* After Unlock, another user's plain process goes through the root helper. */
  self->elevated = lever == PH_STOP_LEVER_OTHER_USER &&
                   ph_scanner_get_elevated (self->scanner) &&
                   !ph_service_get_hidden (service) &&
                   ph_service_get_main_owner (service) != NULL;
  if (lever != PH_STOP_LEVER_SIGNAL && !self->elevated)
    {
      g_autofree char *why = ph_stopper_explain_lever (service, lever);

      show_message (self, _("Porthole Will Not Stop This"), why);
      finish (self);
      return;
    }

  owner = ph_service_get_main_owner (service);
  address = ph_service_dup_display_address (service);
  /* Translators: %u is a port number */
  heading = g_strdup_printf (_("Free Port %u?"), ph_service_get_port (service));
  name = ph_process_dup_display_name (owner);
  others = ph_service_get_n_owners (service) - 1;
  if (others > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "“%s” (process %d) and %u other "
                                         "process are listening on %s. Porthole will ask all of "
                                         "them to quit. If they do not quit within a few "
                                         "seconds, you can force them.",
                                         "“%s” (process %d) and %u other "
                                         "processes are listening on %s. Porthole will ask all "
                                         "of them to quit. If they do not quit within a few "
                                         "seconds, you can force them.",
                                         others),
                            name, (int) ph_process_get_pid (owner), others, address);
  else
    body = g_strdup_printf (_("“%s” (process %d) is listening on %s. "
                              "Porthole will ask it to quit. If it does not quit within a few "
                              "seconds, you can force it."),
                            name, (int) ph_process_get_pid (owner), address);

  self->supervisor = find_supervisor (service, NULL);
  if (self->supervisor != NULL)
    {
      g_autofree char *sentence = ph_supervisor_describe (self->supervisor);
      char *longer = g_strconcat (body, "\n\n", sentence, NULL);

      g_free (body);
      body = longer;
    }

  /* A Flatpak app: quitting the whole app is a choice, never the default (it closes every
   * window of the app, not only the process that holds the port). */
  if (!self->elevated && ph_stopper_flatpak_app (service) != NULL)
    {
      g_autofree char *app_name = ph_stopper_dup_flatpak_app_name (service);
      g_autofree char *sentence = NULL;
      char *longer;

      self->flatpak_app = g_strdup (ph_stopper_flatpak_app (service));
      /* Translators: %s is a Flatpak app's name */
      sentence = g_strdup_printf (_("It runs in the Flatpak app “%s”. Porthole can quit that "
                                    "whole app instead (flatpak kill): every window of it "
                                    "closes at once, and anything not saved is lost."),
                                  app_name);
      longer = g_strconcat (body, "\n\n", sentence, NULL);
      g_free (body);
      body = longer;
    }

  dialog = adw_alert_dialog_new (heading, body);
  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  "cancel", _("_Cancel"),
                                  "free", _("_Free Port"),
                                  NULL);
  if (self->flatpak_app != NULL)
    {
      g_autofree char *app_name = ph_stopper_dup_flatpak_app_name (service);
      /* Translators: %s is a Flatpak app's name, e.g. "Quit Firefox" */
      g_autofree char *label = g_strdup_printf (_("_Quit %s"), app_name);

      adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "flatpak", label);
      connect_response (self, dialog, "flatpak", G_CALLBACK (on_flatpak_kill));
    }
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "free",
                                            ADW_RESPONSE_DESTRUCTIVE);
  connect_response (self, dialog, "free", G_CALLBACK (on_free));
  /* Stopping the supervisor instead is what frees the port for good. */
  if (self->supervisor != NULL && self->supervisor->pid > 1)
    add_supervisor_response (self, dialog,
                             self->supervisor->restarts ? ADW_RESPONSE_SUGGESTED
                                                        : ADW_RESPONSE_DEFAULT);
  ask (self, dialog, "cancel");
}

/**
 * ph_free_port_flow_cancel:
 *
 * Ends the flow wherever it is: a stop under way is cancelled (the helper's own
 * safety still applies to a signal already sent), the restart check is dropped, a
 * question on screen is closed, and nothing more is shown or said. "finished" is not
 * emitted.
 */
void
ph_free_port_flow_cancel (PhFreePortFlow *self)
{
  g_return_if_fail (PH_IS_FREE_PORT_FLOW (self));

  if (self->cancelled)
    return;
  self->cancelled = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->restart_source, g_source_remove);
  if (self->dialog != NULL)
    adw_dialog_force_close (self->dialog);
  g_clear_weak_pointer (&self->dialog);
}

PhService *
ph_free_port_flow_get_service (PhFreePortFlow *self)
{
  g_return_val_if_fail (PH_IS_FREE_PORT_FLOW (self), NULL);
  return self->service;
}

static void
ph_free_port_flow_dispose (GObject *object)
{
  PhFreePortFlow *self = PH_FREE_PORT_FLOW (object);

  ph_free_port_flow_cancel (self);
  g_clear_weak_pointer (&self->parent);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->scanner);
  g_clear_object (&self->service);
  g_clear_pointer (&self->supervisor, ph_supervisor_free);

  G_OBJECT_CLASS (ph_free_port_flow_parent_class)->dispose (object);
}

static void
ph_free_port_flow_finalize (GObject *object)
{
  PhFreePortFlow *self = PH_FREE_PORT_FLOW (object);

  g_free (self->protocol);
  g_free (self->address);
  g_free (self->flatpak_app);

  G_OBJECT_CLASS (ph_free_port_flow_parent_class)->finalize (object);
}

static void
ph_free_port_flow_class_init (PhFreePortFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ph_free_port_flow_dispose;
  object_class->finalize = ph_free_port_flow_finalize;

  /* A short outcome for a toast ("Port 3000 is free now"). */
  signals[SIGNAL_TOAST] =
    g_signal_new ("toast", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The flow is over (not emitted after ph_free_port_flow_cancel()). */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
ph_free_port_flow_init (PhFreePortFlow *self)
{
  self->cancellable = g_cancellable_new ();
}

/**
 * ph_free_port_flow_new:
 * @parent: the widget whose window shows the dialogs (not kept alive by the flow)
 * @scanner: the scanner to refresh and to look in for a restart
 * @service: the listening socket to free
 *
 * Returns: (transfer full): a flow; start it with ph_free_port_flow_start()
 */
PhFreePortFlow *
ph_free_port_flow_new (GtkWidget *parent,
                       PhScanner *scanner,
                       PhService *service)
{
  PhFreePortFlow *self;

  g_return_val_if_fail (GTK_IS_WIDGET (parent), NULL);
  g_return_val_if_fail (PH_IS_SCANNER (scanner), NULL);
  g_return_val_if_fail (PH_IS_SERVICE (service), NULL);

  self = g_object_new (PH_TYPE_FREE_PORT_FLOW, NULL);
  g_set_weak_pointer (&self->parent, parent);
  self->scanner = g_object_ref (scanner);
  self->service = g_object_ref (service);
  return self;
}
