/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-window.c — the main window: service list in the sidebar, details in the content */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-address.h"
#include "ph-port-info.h"
#include "ph-section-model.h"
#include "ph-service-row.h"
#include "ph-window-private.h"

G_DEFINE_FINAL_TYPE (PhWindow, ph_window, ADW_TYPE_APPLICATION_WINDOW)

static const char *
iana_name (guint       port,
           const char *protocol,
           gpointer    user_data)
{
  PhPortProtocol proto;

  if (!ph_port_protocol_from_string (protocol, &proto))
    return NULL;
  return ph_iana_get_name (port, proto);
}

static gboolean
filter_service (gpointer item,
                gpointer user_data)
{
  PhWindow *self = user_data;
  PhService *service = item;

  if (self->query_port != 0)
    return ph_service_get_port (service) == self->query_port;
  if (self->query == NULL)
    return TRUE;
  return ph_service_matches (service, self->query, iana_name, NULL);
}

PhService *
ph_window_get_selected_service (PhWindow *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
update_list_page (PhWindow *self)
{
  GListModel *all = ph_scanner_get_services (self->scanner);
  PhScannerState state = ph_scanner_get_state (self->scanner);
  const char *page;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) > 0)
    page = "list";
  else if (self->query != NULL || self->query_port != 0)
    page = "no-results";
  /* A scanner that failed (or is being retried after a failure) knows nothing: it must
   * not look like "nothing is listening". */
  else if (g_list_model_get_n_items (all) == 0 &&
           (state == PH_SCANNER_STATE_FAILED ||
            (state == PH_SCANNER_STATE_STARTING &&
             ph_scanner_get_error_message (self->scanner) != NULL)))
    page = "failed";
  else if (g_list_model_get_n_items (all) == 0 && state == PH_SCANNER_STATE_STARTING)
    page = "loading";
  else
    page = "empty";
  gtk_stack_set_visible_child_name (self->list_stack, page);
}

static void
on_selection_changed (PhWindow *self)
{
  PhService *service = ph_window_get_selected_service (self);

  if (service != NULL)
    {
      ph_detail_pane_set_service (self->detail_pane, service);
      gtk_stack_set_visible_child_name (self->detail_stack, "detail");
    }
  else if (ph_detail_pane_get_service (self->detail_pane) != NULL)
    {
      /* The selected service went away (or was filtered out). */
      ph_detail_pane_set_service (self->detail_pane, NULL);
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
    }
  ph_window_update_actions (self);
}

static void
select_service (PhWindow  *self,
                PhService *service)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) item = g_list_model_get_item (model, i);

      if (item == service)
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_list_view_scroll_to (self->service_list, i, GTK_LIST_SCROLL_NONE, NULL);
          return;
        }
    }
}

static PhService *
find_listener (PhWindow   *self,
               const char *host,
               guint       port)
{
  return ph_service_list_find_serving (ph_scanner_get_service_list (self->scanner), host, port,
                                       NULL);
}

/* Explain an address nobody (visible) listens on, checking with a bind whether the port
 * is really free. */
static void
explain_unheld_address (PhWindow   *self,
                        const char *host,
                        const char *check_host,
                        guint       port)
{
  g_autoptr(GError) error = NULL;
  const char *status_text = NULL;
  PhPortStatus status = PH_PORT_STATUS_UNKNOWN;

  if (port != 0)
    {
      status = ph_port_check (check_host, port, PH_PORT_PROTOCOL_TCP, &error);
      switch (status)
        {
        case PH_PORT_STATUS_FREE:
          status_text = _("Nothing is listening here; the port is free.");
          break;
        case PH_PORT_STATUS_IN_USE:
          status_text = _("Something holds this port, but Porthole cannot see what: it may "
                          "belong to another user or to a program in another container.");
          break;
        case PH_PORT_STATUS_LINGERING:
          status_text = _("Nothing is listening here; connections that closed a moment ago "
                          "still hold the port for a short while.");
          break;
        case PH_PORT_STATUS_NOT_LOCAL:
          status_text = _("This address does not belong to this computer, so nothing here "
                          "can listen on it.");
          break;
        case PH_PORT_STATUS_UNKNOWN:
        default:
          status_text = error != NULL ? error->message : NULL;
          break;
        }
    }

  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  ph_detail_pane_show_address (self->detail_pane, host, port, status, status_text);
  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
  ph_window_update_actions (self);
}

/* Whether TEXT reads like an attempt at an address ("1.2.3:80", "99999", "[::1") rather
 * than a word to search for, so a parse error is worth showing. */
static gboolean
looks_like_address (const char *text)
{
  gboolean digits = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits = TRUE;
      else if (*p != '.' && *p != ':' && *p != '[' && *p != ']' && *p != '/' &&
               !g_ascii_isxdigit (*p))
        return FALSE;
    }
  return digits || strchr (text, ':') != NULL || strchr (text, '[') != NULL;
}

static void
on_search_changed (PhWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *query = g_strstrip (g_strdup (text));
  g_autoptr(PhAddressSpec) spec = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->query, g_free);
  self->query_port = 0;

  if (*query != '\0')
    spec = ph_address_spec_parse (query, &error);
  if (spec != NULL && spec->port > 0)
    self->query_port = spec->port;
  else if (*query != '\0')
    self->query = g_strdup (query);

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_list_page (self);

  adw_status_page_set_description (self->no_results_page,
                                   _("Try a port number, an address such as "
                                     "127.0.0.1:8080, or the name of a program."));

  if (spec != NULL && spec->port >= 0)
    {
      PhService *service = spec->port > 0 ? find_listener (self, spec->host, spec->port) : NULL;

      if (service != NULL)
        {
          select_service (self, service);
        }
      else
        {
          g_autofree char *check_host = ph_address_spec_dup_check_host (spec);

          explain_unheld_address (self, spec->host, check_host, spec->port);
        }
    }
  else if (spec != NULL)
    {
      /* An address without a port, such as "::1": explain the address. */
      explain_unheld_address (self, spec->host, NULL, 0);
    }
  else if (error != NULL && looks_like_address (query))
    {
      adw_status_page_set_description (self->no_results_page, error->message);
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      ph_detail_pane_show_error (self->detail_pane, query, error->message);
      gtk_stack_set_visible_child_name (self->detail_stack, "detail");
    }
}

/* GtkListView anchors on the first row, so when a list fills from empty the first
 * section's header ends up just above the view: show it on the next frame. */
static gboolean
scroll_to_top (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (widget));
  guint frames = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (widget), "ph-top-frames"));

  if (vadjustment != NULL)
    gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_lower (vadjustment));
  /* The list settles its layout over a few frames; keep the top in view until then. */
  g_object_set_data (G_OBJECT (widget), "ph-top-frames", GUINT_TO_POINTER (frames + 1));
  if (frames + 1 < 5)
    return G_SOURCE_CONTINUE;
  g_object_set_data (G_OBJECT (widget), "ph-top-frames", NULL);
  return G_SOURCE_REMOVE;
}

static void
on_items_changed (PhWindow   *self,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GListModel *model)
{
  if (added > 0 && g_list_model_get_n_items (model) == added)
    gtk_widget_add_tick_callback (GTK_WIDGET (self->service_list), scroll_to_top, NULL, NULL);
  update_list_page (self);

  /* A search given before the first scan (ph_window_show_search()): now it can select. */
  if (self->search_pending &&
      g_list_model_get_n_items (G_LIST_MODEL (ph_scanner_get_service_list (self->scanner))) > 0)
    {
      self->search_pending = FALSE;
      on_search_changed (self);
    }
}

static void
on_scanner_state (PhWindow *self)
{
  PhScannerState state = ph_scanner_get_state (self->scanner);

  if (state == PH_SCANNER_STATE_FAILED)
    {
      const char *message = ph_scanner_get_error_message (self->scanner);

      adw_banner_set_title (self->scanner_banner,
                            message != NULL ? message
                                            : _("The scanner stopped; the list may be out of date"));
      adw_banner_set_revealed (self->scanner_banner, TRUE);
    }
  else if (state == PH_SCANNER_STATE_RUNNING)
    {
      adw_banner_set_revealed (self->scanner_banner, FALSE);
    }
  update_list_page (self);
}

static void
on_hidden_count (PhWindow *self)
{
  guint hidden = ph_scanner_get_hidden_count (self->scanner);
  gboolean can_unlock;

  if (hidden > 0)
    {
      g_autofree char *title = NULL;

      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "The owner of %u socket is hidden: it belongs to another user",
                                            "The owners of %u sockets are hidden: they belong to other users",
                                            hidden),
                               hidden);
      adw_banner_set_title (self->hidden_banner, title);
    }
  adw_banner_set_revealed (self->hidden_banner, hidden > 0);
  /* After Unlock nothing should stay hidden; if something does, asking again is no use.
   * Nor can a sandbox that may not run the helper on the host run it as root. */
  can_unlock = !ph_scanner_get_elevated (self->scanner)
               && ph_scanner_get_limitation (self->scanner) == NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.unlock", can_unlock);
  adw_banner_set_button_label (self->hidden_banner, can_unlock ? _("_Unlock") : NULL);
}

/* The scanner went back to the unprivileged helper: pkexec refused a restart. */
static void
on_scanner_warning (PhWindow   *self,
                    const char *code,
                    const char *message)
{
  if (g_strcmp0 (code, "unlock-refused") == 0 && message != NULL)
    ph_window_toast (self, message);
}

/* Inside a Flatpak that may not run the helper on the host: what is missing, in the
 * banner (whose button copies the command that gives it back), and the whole story on
 * the page shown while no service is selected. */
static void
on_limitation (PhWindow *self)
{
  const char *limitation = ph_scanner_get_limitation (self->scanner);
  g_autofree char *escaped = NULL;

  if (self->none_description == NULL)
    self->none_description = g_strdup (adw_status_page_get_description (self->none_page));
  if (limitation != NULL)
    {
      adw_banner_set_title (self->limitation_banner,
                            ph_scanner_get_limitation_title (self->scanner));
      /* The status page's description is markup. */
      escaped = g_markup_escape_text (limitation, -1);
    }
  adw_banner_set_revealed (self->limitation_banner, limitation != NULL);
  adw_status_page_set_description (self->none_page,
                                   escaped != NULL ? escaped : self->none_description);
  on_hidden_count (self);
}

static void
on_copy_override_command (PhWindow *self)
{
  const char *command = ph_scanner_get_override_command (self->scanner);

  if (command == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), command);
  ph_window_toast (self, _("Command copied"));
}

/* List rows and section headers */

static void
on_row_secondary_click (GtkGestureClick *gesture,
                        int              n_press,
                        double           x,
                        double           y,
                        GtkListItem     *item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  PhWindow *self = PH_WINDOW (gtk_widget_get_root (row));
  guint position = gtk_list_item_get_position (item);
  graphene_point_t point;

  if (position != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->selection, position);
  if (!gtk_widget_compute_point (row, GTK_WIDGET (self->service_list),
                                 &GRAPHENE_POINT_INIT ((float) x, (float) y), &point))
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->row_popover),
                               &(GdkRectangle) { (int) point.x, (int) point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->row_popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           PhWindow                 *self)
{
  PhServiceRow *row = ph_service_row_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_row_secondary_click), item);
  gtk_widget_add_controller (GTK_WIDGET (row), GTK_EVENT_CONTROLLER (click));

  gtk_list_item_set_child (item, GTK_WIDGET (row));
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          PhWindow                 *self)
{
  PhService *service = gtk_list_item_get_item (item);
  g_autofree char *label = ph_service_row_dup_accessible_label (service);

  ph_service_row_set_service (PH_SERVICE_ROW (gtk_list_item_get_child (item)), service);
  gtk_list_item_set_accessible_label (item, label);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            PhWindow                 *self)
{
  ph_service_row_set_service (PH_SERVICE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
setup_header (GtkSignalListItemFactory *factory,
              GtkListHeader            *header,
              PhWindow                 *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);

  gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "group-header-name");
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (labels), name);
  gtk_box_append (GTK_BOX (labels), subtitle);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_widget_set_margin_start (box, 6);
  gtk_list_header_set_child (header, box);
}

static void
bind_header (GtkSignalListItemFactory *factory,
             GtkListHeader            *header,
             PhWindow                 *self)
{
  PhService *service = gtk_list_header_get_item (header);
  GtkWidget *box = gtk_list_header_get_child (header);
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *labels = gtk_widget_get_next_sibling (icon);
  GtkWidget *name = gtk_widget_get_first_child (labels);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (name);
  const char *icon_name = ph_service_get_group_icon (service);
  const char *sub = ph_service_get_group_subtitle (service);

  gtk_image_set_from_icon_name (GTK_IMAGE (icon),
                                icon_name != NULL ? icon_name : "application-x-executable");
  gtk_label_set_label (GTK_LABEL (name), ph_service_get_group_name (service));
  gtk_label_set_label (GTK_LABEL (subtitle), sub != NULL ? sub : "");
  gtk_widget_set_visible (subtitle, sub != NULL && *sub != '\0');
}

static void
on_row_activated (PhWindow *self,
                  guint     position)
{
  gtk_single_selection_set_selected (self->selection, position);
  adw_navigation_split_view_set_show_content (self->split_view, TRUE);
}

/* PORTHOLE_BENCH=1 makes the window report on stderr, for tests/bench-app.py, when the
 * first populated list is on screen and how long each change set took to apply (model,
 * filter, sort and list view together, on the main thread). CLOCK_MONOTONIC microseconds,
 * comparable with the benchmark's own clock. */
static gboolean
bench_first_frame (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       user_data)
{
  g_printerr ("bench: populated monotonic_us=%" G_GINT64_FORMAT " items=%u\n",
              g_get_monotonic_time (),
              g_list_model_get_n_items (G_LIST_MODEL (PH_WINDOW (user_data)->filter_model)));
  return G_SOURCE_REMOVE;
}

static void
bench_on_seq (PhWindow *self)
{
  static gboolean populated;
  PhServiceList *list = ph_scanner_get_service_list (self->scanner);

  g_printerr ("bench: applied seq=%" G_GUINT64_FORMAT " us=%" G_GINT64_FORMAT " items=%u\n",
              ph_service_list_get_seq (list), ph_service_list_get_last_apply_us (list),
              g_list_model_get_n_items (G_LIST_MODEL (list)));
  if (!populated && g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) > 0)
    {
      populated = TRUE;
      gtk_widget_add_tick_callback (GTK_WIDGET (self->service_list), bench_first_frame, self,
                                    NULL);
    }
}

static void
ph_window_save_size (PhWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

static gboolean
ph_window_close_request (GtkWindow *window)
{
  ph_window_save_size (PH_WINDOW (window));
  return GTK_WINDOW_CLASS (ph_window_parent_class)->close_request (window);
}

void
ph_window_toast (PhWindow   *self,
                 const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
ph_window_dispose (GObject *object)
{
  PhWindow *self = PH_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->row_popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), PH_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->scanner);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->query, g_free);
  g_clear_pointer (&self->none_description, g_free);

  G_OBJECT_CLASS (ph_window_parent_class)->dispose (object);
}

static void
ph_window_class_init (PhWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ph_window_dispose;
  window_class->close_request = ph_window_close_request;

  g_type_ensure (PH_TYPE_DETAIL_PANE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/porthole/Porthole/ph-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PhWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, split_view);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, scanner_banner);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, hidden_banner);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, limitation_banner);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, service_list);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, no_results_page);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, none_page);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, row_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_override_command);

  ph_window_class_init_actions (klass);
}

static void
ph_window_init (PhWindow *self)
{
  GtkListItemFactory *factory;
  GtkListItemFactory *header_factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  self->scanner = ph_scanner_new ();
  g_settings_bind (self->settings, "refresh-interval", self->scanner, "refresh-interval",
                   G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "show-udp", self->scanner, "show-udp", G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "show-ipv6", self->scanner, "show-ipv6", G_SETTINGS_BIND_GET);

  /* services (kept in section order by the list itself) → sections (one per
   * application) → filter (search) → selection */
  self->filter = gtk_custom_filter_new (filter_service, self, NULL);
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (ph_section_model_new (
                                                    ph_scanner_get_service_list (self->scanner))),
                                                  GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  header_factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (header_factory, "setup", G_CALLBACK (setup_header), self);
  g_signal_connect (header_factory, "bind", G_CALLBACK (bind_header), self);

  /* One context menu for every row: building a menu per row costs a round trip to the
   * display server for each (its items set tooltips), which made long lists slow. */
  self->row_popover = gtk_popover_menu_new_from_model (self->row_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->row_popover), FALSE);
  gtk_widget_set_halign (self->row_popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->row_popover, GTK_WIDGET (self->service_list));
  {
    /* Shift+F10 and Menu must reach the row menu before a focused row handles them. */
    GtkEventController *keys = gtk_shortcut_controller_new ();
    GtkShortcutTrigger *trigger =
      gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK),
                                   gtk_keyval_trigger_new (GDK_KEY_Menu, 0));

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (keys),
                                          gtk_shortcut_new (trigger,
                                                            gtk_named_action_new ("win.row-menu")));
    gtk_widget_add_controller (GTK_WIDGET (self->service_list), keys);
  }

  gtk_list_view_set_factory (self->service_list, factory);
  gtk_list_view_set_header_factory (self->service_list, header_factory);
  gtk_list_view_set_model (self->service_list, GTK_SELECTION_MODEL (self->selection));
  g_object_unref (factory);
  g_object_unref (header_factory);

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "notify::state",
                           G_CALLBACK (on_scanner_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "notify::error-message",
                           G_CALLBACK (on_scanner_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "notify::hidden-count",
                           G_CALLBACK (on_hidden_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "warning",
                           G_CALLBACK (on_scanner_warning), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "notify::elevated",
                           G_CALLBACK (on_hidden_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "notify::limitation",
                           G_CALLBACK (on_limitation), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->detail_pane, "notify::can-open",
                           G_CALLBACK (ph_window_update_actions), self, G_CONNECT_SWAPPED);

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));

  if (g_getenv ("PORTHOLE_BENCH") != NULL)
    g_printerr ("bench: window monotonic_us=%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  if (g_getenv ("PORTHOLE_BENCH") != NULL)
    g_signal_connect_object (ph_scanner_get_service_list (self->scanner), "notify::seq",
                             G_CALLBACK (bench_on_seq), self, G_CONNECT_SWAPPED);

  ph_scanner_start (self->scanner);
  update_list_page (self);
  ph_window_update_actions (self);
}

/**
 * ph_window_show_search:
 * @text: a listener's address to select ("127.0.0.1:3000") or words to search for
 *
 * Puts @text in the search, as if typed: the Shell's search provider opens the window
 * this way. Before the first scan has arrived, the search is made again when it does.
 */
void
ph_window_show_search (PhWindow   *self,
                       const char *text)
{
  g_return_if_fail (PH_IS_WINDOW (self));

  self->search_pending =
    g_list_model_get_n_items (G_LIST_MODEL (ph_scanner_get_service_list (self->scanner))) == 0;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}

PhWindow *
ph_window_new (PhApplication *application)
{
  return g_object_new (PH_TYPE_WINDOW, "application", application, NULL);
}
