/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-window-actions.c — the window's actions: search, refresh, copy, open, free a port */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-free-port-flow.h"
#include "ph-stop-lever.h"
#include "ph-stopper.h"
#include "ph-window-private.h"

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

/* Freeing a port: each press of Free Port is a PhFreePortFlow, kept until it finishes;
 * a systemd service's port goes through Stop Service instead. */

static void
show_message (PhWindow   *self,
              const char *heading,
              const char *body)
{
  AdwDialog *dialog = adw_alert_dialog_new (heading, body);

  adw_alert_dialog_add_response (ADW_ALERT_DIALOG (dialog), "close", _("_Close"));
  adw_dialog_present (dialog, GTK_WIDGET (self));
}

static void
on_flow_finished (PhWindow       *self,
                  PhFreePortFlow *flow)
{
  g_ptr_array_remove (self->flows, flow);
}

void
ph_window_cancel_flows (PhWindow *self)
{
  g_autoptr(GPtrArray) flows = NULL;

  if (self->flows == NULL || self->flows->len == 0)
    return;
  /* Taken out first: cancelling closes a flow's question, which must not reach back into
   * the array being walked. */
  flows = g_steal_pointer (&self->flows);
  self->flows = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < flows->len; i++)
    ph_free_port_flow_cancel (g_ptr_array_index (flows, i));
}

/* Stop Service or Stop Container (ph-stop-lever.c) is over: a toast when the port is free,
 * else why not. */
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
  PhFreePortFlow *flow;

  if (service == NULL)
    return;

  /* A systemd unit's port: Stop Service; a published port: Stop Container, through the
   * engine (never its helper process). */
  lever = ph_stopper_choose_lever (service);
  if (ph_stop_lever_run (GTK_WIDGET (self), service, lever, self->scanner, self->cancellable,
                         stop_service_report, NULL))
    return;

  flow = ph_free_port_flow_new (widget, self->scanner, service);
  g_signal_connect_object (flow, "toast", G_CALLBACK (ph_window_toast), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (flow, "finished", G_CALLBACK (on_flow_finished), self,
                           G_CONNECT_SWAPPED);
  g_ptr_array_add (self->flows, flow);
  ph_free_port_flow_start (flow);
}

/* Keyboard Shortcuts: the window is built the first time it is asked for, not with every
 * main window as GTK does for a gtk/help-overlay.ui resource (its 150 widgets cost some
 * 0.4 MB that a window whose shortcuts are never shown does not need). Set up as GTK sets
 * up its help overlay: modal, over this window, hidden when closed and shown again. */
static void
show_help_overlay_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  GtkWindow *overlay = g_object_get_data (G_OBJECT (widget), "ph-help-overlay");

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder =
        gtk_builder_new_from_resource ("/io/github/porthole/Porthole/ph-help-overlay.ui");

      overlay = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      gtk_window_set_modal (overlay, TRUE);
      gtk_window_set_hide_on_close (overlay, TRUE);
      gtk_window_set_transient_for (overlay, GTK_WINDOW (widget));
      gtk_window_set_destroy_with_parent (overlay, TRUE);
      g_object_set_data_full (G_OBJECT (widget), "ph-help-overlay", g_object_ref (overlay),
                              g_object_unref);
    }
  gtk_window_present (overlay);
}

/* Shift+F10 or the Menu key: the row menu, for keyboards, below the focused row. */
static void
row_menu_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  PhWindow *self = PH_WINDOW (widget);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  graphene_rect_t bounds;
  int x = 0;
  int y = 0;

  if (ph_window_get_selected_service (self) == NULL)
    return;
  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->service_list)) &&
      gtk_widget_compute_bounds (focus, GTK_WIDGET (self->service_list), &bounds))
    {
      x = (int) (bounds.origin.x + bounds.size.width / 2);
      y = (int) (bounds.origin.y + bounds.size.height);
    }
  ph_window_popup_row_menu (self, x, y);
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
  gtk_widget_class_install_action (widget_class, "win.show-help-overlay", NULL,
                                   show_help_overlay_action);

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
  /* Shift+F10 and Menu: the list's own shortcut controller, in ph-window.ui. Ctrl+?
   * (win.show-help-overlay): an accelerator of the application, ph-application.c. */
}
