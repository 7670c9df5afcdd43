/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-window-actions.c — the window's actions: search, refresh, copy, open, free a port */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-stop-service.h"
#include "ph-stopper.h"
#include "ph-supervisor.h"
#include "ph-window-private.h"

/* How long a program gets to quit after SIGTERM before Porthole offers to force it. */
#define FREE_PORT_GRACE_MS 3000

void
ph_window_update_actions (PhWindow *self)
{
  PhService *service = ph_window_get_selected_service (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.copy-address", service != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.free-port", service != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-browser",
                                 service != NULL &&
                                 ph_detail_pane_get_can_open (self->detail_pane));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PhWindow *self = PH_WINDOW (widget);

  adw_navigation_split_view_set_show_content (self->split_view, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ph_scanner_refresh (PH_WINDOW (widget)->scanner);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ph_scanner_retry (PH_WINDOW (widget)->scanner);
}

static void
copy_address_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PhWindow *self = PH_WINDOW (widget);
  PhService *service = ph_window_get_selected_service (self);
  g_autofree char *address = NULL;
  g_autofree char *message = NULL;

  if (service == NULL)
    return;

  address = ph_service_dup_display_address (service);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), address);
  /* Translators: %s is an address such as 127.0.0.1:8080 */
  message = g_strdup_printf (_("Copied %s"), address);
  ph_window_toast (self, message);
}

static void
launch_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PhWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!gtk_uri_launcher_launch_finish (GTK_URI_LAUNCHER (object), result, &error) &&
      !g_error_matches (error, GTK_DIALOG_ERROR, GTK_DIALOG_ERROR_DISMISSED))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open a browser: %s"),
                                                  error->message);
      ph_window_toast (self, message);
    }
}

static void
open_browser_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PhWindow *self = PH_WINDOW (widget);
  const char *uri = ph_detail_pane_get_open_uri (self->detail_pane);
  g_autoptr(GtkUriLauncher) launcher = NULL;

  if (uri == NULL)
    return;

  launcher = gtk_uri_launcher_new (uri);
  gtk_uri_launcher_launch (launcher, GTK_WINDOW (self), self->cancellable, launch_cb,
                           g_object_ref (self));
}

/* Freeing a port */

typedef struct
{
  PhWindow *window;
  PhService *service;
  PhSupervisor *supervisor;   /* what would start it again, or NULL */
  gboolean elevated;   /* through the root helper (after Unlock) */
} FreePort;

static void
free_port_free (FreePort *op)
{
  g_clear_object (&op->window);
  g_clear_object (&op->service);
  g_clear_pointer (&op->supervisor, ph_supervisor_free);
  g_free (op);
}

/* What would start the main owner again. The ancestors are read from this /proc, which
 * inside a Flatpak is the sandbox's own PID namespace, not the host's: there the helper
 * would have to report them, so Porthole does not guess. */
static PhSupervisor *
find_supervisor (PhService *service)
{
  PhProcess *owner = ph_service_get_main_owner (service);

  if (owner == NULL || g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return NULL;
  return ph_supervisor_find_for_pid (ph_process_get_pid (owner),
                                     ph_process_get_manager (owner),
                                     ph_process_get_unit (owner),
                                     (guint) ph_process_get_uid (owner));
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FreePort, free_port_free)

static void start_stop (FreePort *op,
                        gboolean  force);
static void start_stop_supervisor (FreePort *op);

static void
show_message (PhWindow   *self,
              const char *heading,
              const char *body)
{
  AdwDialog *dialog = adw_alert_dialog_new (heading, body);

  adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "close", _("_Close"));
  adw_dialog_present (dialog, GTK_WIDGET (self));
}

/* A supervisor (systemd's Restart=, a process manager, a dev tool's watcher) may start
 * the program again right away: look once more shortly after, and say so if the port is
 * held again. */
typedef struct
{
  PhWindow *window;
  char *protocol;
  char *address;
  guint port;
  gint64 old_pid;
} RestartCheck;

static void
restart_check_free (RestartCheck *check)
{
  g_clear_object (&check->window);
  g_free (check->protocol);
  g_free (check->address);
  g_free (check);
}

static void
again_response_cb (AdwAlertDialog *dialog,
                   const char     *response,
                   FreePort       *op)
{
  g_autoptr(FreePort) owned = op;

  if (g_strcmp0 (response, "supervisor") == 0)
    start_stop_supervisor (g_steal_pointer (&owned));
}

static void
restart_check_look (gpointer user_data)
{
  RestartCheck *check = user_data;
  PhServiceList *list = ph_scanner_get_service_list (check->window->scanner);
  PhService *again = ph_service_list_find (list, check->protocol, check->address, check->port);
  PhProcess *owner = again != NULL ? ph_service_get_main_owner (again) : NULL;

  if (again != NULL)
    {
      g_autoptr(PhSupervisor) supervisor = owner != NULL ? find_supervisor (again) : NULL;
      g_autofree char *message = NULL;
      AdwDialog *dialog;

      if (owner != NULL && ph_process_get_pid (owner) != check->old_pid && supervisor != NULL
          && supervisor->restarts)
        {
          g_autofree char *name = ph_process_dup_display_name (owner);
          g_autofree char *who = ph_supervisor_dup_label (supervisor);

          /* Translators: %1$u is a port, %2$s what restarted the program ("nodemon
           * (process 311)" or a systemd unit), %3$s the program, %4$d its process ID */
          message = g_strdup_printf (_("Port %1$u was freed, but it was started again by %2$s: "
                                       "“%3$s” (process %4$d) listens on it."),
                                     check->port, who, name, (int) ph_process_get_pid (owner));
        }
      else if (owner != NULL && ph_process_get_pid (owner) != check->old_pid)
        {
          g_autofree char *name = ph_process_dup_display_name (owner);

          message = g_strdup_printf (_("Port %u was freed, but “%s” (process %d) "
                                       "started listening on it again: something restarted it."),
                                     check->port, name, (int) ph_process_get_pid (owner));
        }
      else
        message = g_strdup_printf (_("Port %u was freed, but something is listening on it "
                                     "again."), check->port);

      dialog = adw_alert_dialog_new (_("The Port Is Held Again"), message);
      adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "close", _("_Close"));
      /* the choice to stop what restarted it, when it is a process Porthole may signal */
      if (supervisor != NULL && supervisor->restarts && supervisor->pid > 1
          && ph_stopper_choose_lever (again) == PH_STOP_LEVER_SIGNAL)
        {
          FreePort *op = g_new0 (FreePort, 1);
          /* Translators: %s is a program that restarts others, e.g. "Stop nodemon" */
          g_autofree char *label = g_strdup_printf (_("_Stop %s"), supervisor->name);

          op->window = g_object_ref (check->window);
          op->service = g_object_ref (again);
          op->supervisor = g_steal_pointer (&supervisor);
          adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "supervisor", label);
          adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "supervisor",
                                                    ADW_RESPONSE_DESTRUCTIVE);
          g_signal_connect (dialog, "response", G_CALLBACK (again_response_cb), op);
        }
      adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), "close");
      adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), "close");
      adw_dialog_present (dialog, GTK_WIDGET (check->window));
    }
  restart_check_free (check);
}

static void
restart_check_refresh (gpointer user_data)
{
  RestartCheck *check = user_data;

  ph_scanner_refresh (check->window->scanner);
  g_timeout_add_once (500, restart_check_look, check);
}

static void
watch_for_restart (PhWindow  *window,
                   PhService *service)
{
  RestartCheck *check = g_new0 (RestartCheck, 1);
  PhProcess *owner = ph_service_get_main_owner (service);

  check->window = g_object_ref (window);
  check->protocol = g_strdup (ph_service_get_protocol (service));
  check->address = g_strdup (ph_service_get_address (service));
  check->port = ph_service_get_port (service);
  check->old_pid = owner != NULL ? ph_process_get_pid (owner) : 0;
  g_timeout_add_once (1500, restart_check_refresh, check);
}

static void
force_response_cb (AdwAlertDialog *dialog,
                   const char     *response,
                   FreePort       *op)
{
  g_autoptr(FreePort) owned = op;

  if (g_strcmp0 (response, "force") == 0)
    start_stop (g_steal_pointer (&owned), TRUE);
}

static void
offer_force (FreePort           *op,
             const PhStopResult *result)
{
  g_autofree char *body = NULL;
  g_autofree char *said = ph_stopper_describe (op->service, result);
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
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), "cancel");
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (force_response_cb), op);
  adw_dialog_present (dialog, GTK_WIDGET (op->window));
}

static void
stop_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(FreePort) op = user_data;
  g_autoptr(PhStopResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *said = NULL;

  result = ph_stopper_stop_finish (res, &error);
  if (result == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (op->window, _("Could Not Free the Port"), error->message);
      return;
    }

  /* Whatever happened, the list should show the truth now. */
  ph_scanner_refresh (op->window->scanner);

  said = ph_stopper_describe (op->service, result);
  switch (result->outcome)
    {
    case PH_STOP_OUTCOME_FREED:
      ph_window_toast (op->window, said);
      watch_for_restart (op->window, op->service);
      break;
    case PH_STOP_OUTCOME_GONE:
      ph_window_toast (op->window, said);
      break;
    case PH_STOP_OUTCOME_STILL_HELD:
      if (g_strcmp0 (result->signal_name, "KILL") != 0)
        offer_force (g_steal_pointer (&op), result);
      else
        show_message (op->window, _("The Port Is Still Held"), said);
      break;
    case PH_STOP_OUTCOME_NOT_HOLDER:
    case PH_STOP_OUTCOME_STALE:
    case PH_STOP_OUTCOME_REFUSED:
    case PH_STOP_OUTCOME_PERMISSION:
    case PH_STOP_OUTCOME_FAILED:
    default:
      show_message (op->window, _("Could Not Free the Port"), said);
      break;
    }
}

static void
start_stop (FreePort *op,
            gboolean  force)
{
  ph_stopper_stop_elevated_async (op->service, force, FREE_PORT_GRACE_MS, op->elevated,
                                  op->window->cancellable, stop_cb, op);
}

/* The helper signals the supervisor first (checking it is still the holder's ancestor and
 * the same process), then the holders if the port is still held. */
static void
start_stop_supervisor (FreePort *op)
{
  ph_stopper_stop_supervisor_async (op->service, op->supervisor->pid,
                                    op->supervisor->start_time, FREE_PORT_GRACE_MS,
                                    op->window->cancellable, stop_cb, op);
}

static void
confirm_response_cb (AdwAlertDialog *dialog,
                     const char     *response,
                     FreePort       *op)
{
  g_autoptr(FreePort) owned = op;

  if (g_strcmp0 (response, "free") == 0)
    start_stop (g_steal_pointer (&owned), FALSE);
  else if (g_strcmp0 (response, "supervisor") == 0 && owned->supervisor != NULL)
    start_stop_supervisor (g_steal_pointer (&owned));
}

/* Stop Service (ph-stop-service.c) is over: a toast when the port is free, else why not. */
static void
stop_service_report (GtkWidget  *parent,
                     gboolean    freed,
                     const char *heading,
                     const char *message,
                     gpointer    user_data)
{
  if (freed)
    ph_window_toast (PH_WINDOW (parent), message);
  else
    show_message (PH_WINDOW (parent), heading, message);
}

static void
unlock_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PhWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ph_scanner_unlock_finish (PH_SCANNER (object), result, &error))
    {
      /* Dismissed or refused: the list goes on as it was; say why. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
        ph_window_toast (self, error->message);
      return;
    }
  ph_window_toast (self, _("Unlocked: the owners of every port are shown"));
}

static void
unlock_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PhWindow *self = PH_WINDOW (widget);

  ph_scanner_unlock_async (self->scanner, self->cancellable, unlock_cb, g_object_ref (self));
}

static void
free_port_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PhWindow *self = PH_WINDOW (widget);
  PhService *service = ph_window_get_selected_service (self);
  PhStopLever lever;
  PhProcess *owner;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *address = NULL;
  g_autofree char *name = NULL;
  guint others;
  gboolean elevated;
  FreePort *op;
  AdwDialog *dialog;

  if (service == NULL)
    return;

  lever = ph_stopper_choose_lever (service);
  if (lever == PH_STOP_LEVER_SYSTEMD_SERVICE || lever == PH_STOP_LEVER_SYSTEMD_SOCKET)
    {
      ph_stop_service_run (GTK_WIDGET (self), service, self->scanner, self->cancellable,
                           stop_service_report, NULL);
      return;
    }
  /* After Unlock, another user's plain process goes through the root helper. */
  elevated = lever == PH_STOP_LEVER_OTHER_USER && ph_scanner_get_elevated (self->scanner) &&
             !ph_service_get_hidden (service) && ph_service_get_main_owner (service) != NULL;
  if (lever != PH_STOP_LEVER_SIGNAL && !elevated)
    {
      g_autofree char *why = ph_stopper_explain_lever (service, lever);

      show_message (self, _("Porthole Will Not Stop This"), why);
      return;
    }

  owner = ph_service_get_main_owner (service);
  address = ph_service_dup_display_address (service);
  /* Translators: %u is a port number */
  heading = g_strdup_printf (_("Free Port %u?"), ph_service_get_port (service));
  name = ph_process_dup_display_name (owner);
  others = ph_service_get_owners (service)->len - 1;
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

  op = g_new0 (FreePort, 1);
  op->window = g_object_ref (self);
  op->service = g_object_ref (service);
  op->supervisor = find_supervisor (service);
  op->elevated = elevated;
  if (op->supervisor != NULL)
    {
      g_autofree char *sentence = ph_supervisor_describe (op->supervisor);
      char *longer = g_strconcat (body, "\n\n", sentence, NULL);

      g_free (body);
      body = longer;
    }

  dialog = adw_alert_dialog_new (heading, body);
  adw_alert_dialog_add_responses (ADW_ALERT_DIALOG (dialog),
                                  "cancel", _("_Cancel"),
                                  "free", _("_Free Port"),
                                  NULL);
  adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "free",
                                            ADW_RESPONSE_DESTRUCTIVE);
  /* stopping the supervisor instead is what frees the port for good */
  if (op->supervisor != NULL && op->supervisor->pid > 1)
    {
      /* Translators: %s is a program that restarts others or started this one, e.g.
       * "Stop nodemon", "Stop npm run dev" */
      g_autofree char *label = g_strdup_printf (_("_Stop %s"), op->supervisor->name);

      adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "supervisor", label);
      adw_alert_dialog_set_response_appearance (ADW_ALERT_DIALOG (dialog), "supervisor",
                                                op->supervisor->restarts
                                                ? ADW_RESPONSE_SUGGESTED
                                                : ADW_RESPONSE_DEFAULT);
    }
  adw_alert_dialog_set_default_response (ADW_ALERT_DIALOG (dialog), "cancel");
  adw_alert_dialog_set_close_response (ADW_ALERT_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (confirm_response_cb), op);
  adw_dialog_present (dialog, GTK_WIDGET (self));
}

/* Shift+F10 or the Menu key: the row context menu, for keyboards, at the focused row. */
static void
row_menu_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  PhWindow *self = PH_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GdkRectangle where = { 0, 0, 1, 1 };
  graphene_rect_t bounds;

  if (ph_window_get_selected_service (self) == NULL)
    return;
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->service_list)) &&
      gtk_widget_compute_bounds (focus, GTK_WIDGET (self->service_list), &bounds))
    {
      where.x = (int) (bounds.origin.x + bounds.size.width / 2);
      where.y = (int) (bounds.origin.y + bounds.size.height);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->row_popover), &where);
  gtk_popover_popup (GTK_POPOVER (self->row_popover));
}

void
ph_window_class_init_actions (PhWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "win.copy-address", NULL, copy_address_action);
  gtk_widget_class_install_action (widget_class, "win.open-browser", NULL, open_browser_action);
  gtk_widget_class_install_action (widget_class, "win.free-port", NULL, free_port_action);
  gtk_widget_class_install_action (widget_class, "win.unlock", NULL, unlock_action);
  gtk_widget_class_install_action (widget_class, "win.row-menu", NULL, row_menu_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.copy-address", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.open-browser", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK,
                                       "win.free-port", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "win.row-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.row-menu", NULL);
}
