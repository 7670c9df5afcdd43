/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-window.c — the main window: service list in the sidebar, details in the content */
#include "config.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "ph-port-info.h"
#include "ph-section-model.h"
#include "ph-service-row.h"
#include "ph-stopper.h"
#include "ph-window-private.h"

G_DEFINE_FINAL_TYPE (PhWindow, ph_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SCANNER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

  if (self->query == NULL)
    return TRUE;
  if (self->query->port != 0)
    return ph_service_get_port (service) == self->query->port;
  if (self->search_terms == NULL)
    return TRUE;
  return ph_service_matches_terms (service, (const char * const *) self->search_terms, iana_name,
                                   NULL);
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
  else if (self->query != NULL && self->query->kind != PH_SEARCH_QUERY_EMPTY)
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

/* A first list that takes longer than this gets a spinner. A shorter wait needs none; and
 * a spinner redraws the window at every frame, which at launch would take a core from the
 * helper's first scan and from reading it. */
#define SPINNER_DELAY_MS 1000

static gboolean
show_spinner_cb (gpointer user_data)
{
  PhWindow *self = user_data;

  self->spinner_source = 0;
  gtk_widget_set_visible (self->loading_spinner, TRUE);
  return G_SOURCE_REMOVE;
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

/* Where @service is in the list as filtered now, or GTK_INVALID_LIST_POSITION. */
static guint
find_position (PhWindow  *self,
               PhService *service)
{
  GListModel *model = G_LIST_MODEL (self->filter_model);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) item = g_list_model_get_item (model, i);

      if (item == service)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
select_service (PhWindow  *self,
                PhService *service)
{
  guint position = find_position (self, service);

  if (position == GTK_INVALID_LIST_POSITION)
    return;
  gtk_single_selection_set_selected (self->selection, position);
  gtk_list_view_scroll_to (self->service_list, position, GTK_LIST_SCROLL_NONE, NULL);
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
  g_autofree char *forwarded_text = NULL;
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

  /* A container's engine may forward the port by the firewall alone: say whose it is. */
  if (port != 0)
    {
      g_autoptr(GArray) forwarded =
        ph_service_list_dup_forwarded (ph_scanner_get_service_list (self->scanner));

      for (guint i = 0; i < forwarded->len; i++)
        {
          const PhForwardedPort *f = &g_array_index (forwarded, PhForwardedPort, i);

          if (f->port->host_port != port || g_strcmp0 (f->port->protocol, "tcp") != 0)
            continue;
          g_free (forwarded_text);
          forwarded_text = ph_container_dup_forwarded_text (f->container,
                                                            f->port->container_port);
          status_text = forwarded_text;
          break;
        }
    }

  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  ph_detail_pane_show_address (self->detail_pane, host, port, status, status_text);
  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
  ph_window_update_actions (self);
}

/* Filters the list again after the search changed from @old_port and @old_terms. With
 * nothing to look for, the list has no filter at all; otherwise the filter is told as
 * much as is known (typing on narrows the search: only the services shown are looked at
 * again; erasing widens it: only the hidden ones), so a keystroke in a long list does
 * not match every service again. */
static void
refilter (PhWindow           *self,
          guint               old_port,
          const char * const *old_terms)
{
  const char * const *terms = (const char * const *) self->search_terms;
  guint port = self->query->port;
  gboolean narrower, wider;

  if (port == 0 && (terms == NULL || terms[0] == NULL))
    {
      gtk_filter_list_model_set_filter (self->filter_model, NULL);
      return;
    }
  if (gtk_filter_list_model_get_filter (self->filter_model) == NULL)
    {
      gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
      return;
    }
  if (port != old_port || port != 0)
    {
      if (port != old_port)
        gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
      return;
    }
  narrower = ph_service_terms_narrow (old_terms, terms);
  wider = ph_service_terms_narrow (terms, old_terms);
  if (narrower && wider)
    return;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      narrower ? GTK_FILTER_CHANGE_MORE_STRICT
                      : wider ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_DIFFERENT);
}

static void
apply_search (PhWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_auto(GStrv) old_terms = g_steal_pointer (&self->search_terms);
  guint old_port = self->query != NULL ? self->query->port : 0;
  const PhAddressSpec *spec;

  g_clear_pointer (&self->query, ph_search_query_free);
  self->query = ph_search_query_new (text);
  self->search_terms = ph_service_search_terms (self->query->words);
  spec = self->query->spec;

  refilter (self, old_port, (const char * const *) old_terms);
  update_list_page (self);

  adw_status_page_set_description (self->no_results_page,
                                   _("Try a port number, an address such as "
                                     "127.0.0.1:8080, or the name of a program."));

  switch (self->query->kind)
    {
    case PH_SEARCH_QUERY_ADDRESS:
      if (spec->port > 0)
        {
          PhService *service = find_listener (self, spec->host, spec->port);

          if (service != NULL)
            {
              g_autofree char *check_host = ph_address_spec_dup_check_host (spec);

              select_service (self, service);
              /* Listed is not yet reachable: try the address as typed (a forwarded port's
               * row says itself that nothing listens). */
              if (ph_detail_pane_get_service (self->detail_pane) == service &&
                  spec->protocol == PH_PORT_PROTOCOL_TCP && !ph_service_get_forwarded (service))
                ph_detail_pane_troubleshoot (self->detail_pane, check_host, spec->port);
              break;
            }
        }
      if (spec->port >= 0)
        {
          g_autofree char *check_host = ph_address_spec_dup_check_host (spec);

          explain_unheld_address (self, spec->host, check_host, spec->port);
          if (spec->port > 0 && spec->protocol == PH_PORT_PROTOCOL_TCP)
            ph_detail_pane_troubleshoot (self->detail_pane, check_host, spec->port);
        }
      else
        {
          /* An address without a port, such as "::1": explain the address. */
          explain_unheld_address (self, spec->host, NULL, 0);
        }
      break;

    case PH_SEARCH_QUERY_BAD_ADDRESS:
      adw_status_page_set_description (self->no_results_page, self->query->error->message);
      gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
      ph_detail_pane_show_error (self->detail_pane, self->query->text,
                                 self->query->error->message);
      gtk_stack_set_visible_child_name (self->detail_stack, "detail");
      break;

    case PH_SEARCH_QUERY_EMPTY:
    case PH_SEARCH_QUERY_WORDS:
    default:
      break;
    }
}

/* With PORTHOLE_BENCH=1, the main thread's time for a change of the search (the filter
 * and everything that reacts to it at once) goes to stderr for tests/bench-app.py. */
static void
on_search_changed (PhWindow *self)
{
  gint64 begin = g_get_monotonic_time ();

  apply_search (self);
  if (g_getenv ("PORTHOLE_BENCH") != NULL)
    g_printerr ("bench: search us=%" G_GINT64_FORMAT " items=%u\n",
                g_get_monotonic_time () - begin,
                g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)));
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

/* Below this many rows filling the list, their garbage is not worth a walk of the heap
 * (as in ph-service-list-apply.c). */
#define TRIM_AFTER_ROWS 1000

/* How long after that frame the heap is trimmed: the list settles its layout over the
 * frames that follow (scroll_to_top()), and what they free is garbage too. */
#define TRIM_DELAY_MS 500

static gboolean
trim_heap_now (gpointer user_data)
{
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

/* glibc keeps the pages that a frame's garbage freed (the layouts, render nodes and
 * buffers of the window's first frame, or of the frames that fill the list) inside its
 * heap: once those frames are drawn and the list has settled, give them back to the
 * system. */
static gboolean
trim_heap (GtkWidget     *widget,
           GdkFrameClock *clock,
           gpointer       user_data)
{
  guint *ticks = user_data;

  /* The first tick comes before the frame that draws the change. */
  if ((*ticks)++ == 0)
    return G_SOURCE_CONTINUE;
  g_timeout_add_full (G_PRIORITY_LOW, TRIM_DELAY_MS, trim_heap_now, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
trim_heap_after_next_frame (PhWindow *self)
{
  gtk_widget_add_tick_callback (GTK_WIDGET (self), trim_heap, g_new0 (guint, 1), g_free);
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
  /* Filled from empty (the first snapshot, or a search that hid everything erased): the
   * list view makes its rows anew. */
  if (added >= TRIM_AFTER_ROWS && g_list_model_get_n_items (model) == added)
    trim_heap_after_next_frame (self);
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

/* List rows: made by a signal factory in code rather than a GtkBuilderListItemFactory,
 * whose builder costs more than the row itself each time the list makes one. The list
 * item says what the row says to a screen reader (the row sets it:
 * ph_service_row_set_list_item()). */

/* The list view drops a row and makes another whenever a row it keeps alive goes away
 * (every change set that removes a service near the screen): up to this many dropped
 * rows are kept for the next ones it makes, which costs less than building them. */
#define ROW_POOL_MAX 8

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  PhWindow *self = user_data;
  g_autoptr(PhServiceRow) row = NULL;

  if (self->row_pool != NULL && self->row_pool->len > 0)
    row = g_ptr_array_steal_index_fast (self->row_pool, self->row_pool->len - 1);
  else
    row = g_object_ref_sink (ph_service_row_new ());
  gtk_list_item_set_child (item, GTK_WIDGET (row));
  ph_service_row_set_list_item (row, item);
  /* The list item lets go of its child before its teardown: keep a hold on the row. */
  g_object_set_data_full (G_OBJECT (item), "ph-row", g_object_ref (row), g_object_unref);
}

static void
row_teardown (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  PhWindow *self = user_data;
  g_autoptr(GtkWidget) row = g_object_steal_data (G_OBJECT (item), "ph-row");

  if (row == NULL)
    return;
  ph_service_row_set_list_item (PH_SERVICE_ROW (row), NULL);
  if (self->row_pool == NULL || self->row_pool->len >= ROW_POOL_MAX)
    return;
  if (gtk_list_item_get_child (item) == row)
    gtk_list_item_set_child (item, NULL);
  if (gtk_widget_get_parent (row) == NULL)
    g_ptr_array_add (self->row_pool, g_steal_pointer (&row));
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  ph_service_row_set_service (PH_SERVICE_ROW (gtk_list_item_get_child (item)),
                              gtk_list_item_get_item (item));
}

static void
row_unbind (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  ph_service_row_set_service (PH_SERVICE_ROW (gtk_list_item_get_child (item)), NULL);
}

/* Section headers: their factory is in ph-window.ui; these are the closures the section
 * header calls, and the row menu. */

static char *
section_icon_name (GtkListHeader *header,
                   const char    *icon_name)
{
  return g_strdup (icon_name != NULL ? icon_name : "application-x-executable");
}

static gboolean
has_text (gpointer    this,
          const char *text)
{
  return text != NULL && *text != '\0';
}

/* Pops the row menu up at (@x, @y) of the list, for the selected service. */
void
ph_window_popup_row_menu (PhWindow *self,
                          int       x,
                          int       y)
{
  PhService *service = ph_window_get_selected_service (self);
  PhStopLever lever = service != NULL ? ph_stopper_choose_lever (service) : PH_STOP_LEVER_SIGNAL;

  /* "Free Port…" or "Stop Service…", as the pane's button says. */
  g_menu_remove_all (self->lever_section);
  g_menu_append (self->lever_section, ph_stopper_lever_action (lever, TRUE), "win.free-port");
  gtk_popover_set_pointing_to (GTK_POPOVER (self->row_popover), &(GdkRectangle) { x, y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->row_popover));
}

/* A right click on a row selects it and opens the row menu there. */
static void
on_list_secondary_click (PhWindow        *self,
                         int              n_press,
                         double           x,
                         double           y,
                         GtkGestureClick *gesture)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->service_list), x, y, GTK_PICK_DEFAULT);
  GtkWidget *row = picked != NULL ? gtk_widget_get_ancestor (picked, PH_TYPE_SERVICE_ROW) : NULL;
  guint position;

  /* A section header, or below the last row. */
  if (row == NULL)
    return;
  position = find_position (self, ph_service_row_get_service (PH_SERVICE_ROW (row)));
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_single_selection_set_selected (self->selection, position);
  ph_window_popup_row_menu (self, (int) x, (int) y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
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
 * sections, filter and list view together, on the main thread: us in wall-clock time,
 * cpu_us in the thread's CPU time). CLOCK_MONOTONIC microseconds, comparable with the
 * benchmark's own clock. */
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

  g_printerr ("bench: applied seq=%" G_GUINT64_FORMAT " us=%" G_GINT64_FORMAT " items=%u "
              "cpu_us=%" G_GINT64_FORMAT "\n",
              ph_service_list_get_seq (list), ph_service_list_get_last_apply_us (list),
              g_list_model_get_n_items (G_LIST_MODEL (list)),
              ph_service_list_get_last_apply_cpu_us (list));
  /* The first change set is the full snapshot: the list is as full as it gets (and
   * empty on a machine where nothing listens). */
  if (!populated)
    {
      populated = TRUE;
      gtk_widget_add_tick_callback (GTK_WIDGET (self), bench_first_frame, self,
                                    NULL);
    }
}

/* Whether the list can be seen: the window is mapped and its surface neither minimised
 * nor (where the compositor says so: another workspace, fully covered) suspended. */
static gboolean
is_seen (PhWindow *self)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || surface == NULL)
    return FALSE;
  if (!GDK_IS_TOPLEVEL (surface))
    return TRUE;
  return (gdk_toplevel_get_state (GDK_TOPLEVEL (surface))
          & (GDK_TOPLEVEL_STATE_MINIMIZED | GDK_TOPLEVEL_STATE_SUSPENDED)) == 0;
}

/* No timed refresh while nobody can see the list, unless the user asked for background
 * refresh: neither Porthole nor its helper wakes up. Only a real transition pauses: a
 * window that has not been on screen yet is never paused (under X11 without a window
 * manager, and before the first map, the state says little), so the first list comes as
 * usual. Seen again, the scanner resumes and scans at once. */
static void
update_paused (PhWindow *self)
{
  gboolean seen = is_seen (self);
  gboolean paused;

  if (self->scanner == NULL)
    return;
  if (seen)
    self->been_seen = TRUE;
  paused = self->been_seen && !seen
           && !g_settings_get_boolean (self->settings, "background-refresh");
  if (paused == ph_scanner_get_paused (self->scanner))
    return;
  if (g_getenv ("PORTHOLE_BENCH") != NULL)
    g_printerr ("bench: %s monotonic_us=%" G_GINT64_FORMAT "\n", paused ? "paused" : "resumed",
                g_get_monotonic_time ());
  ph_scanner_set_paused (self->scanner, paused);
}

static void
ph_window_realize (GtkWidget *widget)
{
  PhWindow *self = PH_WINDOW (widget);

  GTK_WIDGET_CLASS (ph_window_parent_class)->realize (widget);
  g_signal_connect_object (gtk_native_get_surface (GTK_NATIVE (self)), "notify::state",
                           G_CALLBACK (update_paused), self, G_CONNECT_SWAPPED);
  /* What building and drawing the window left free in the heap, after its first frame. */
  trim_heap_after_next_frame (self);
}

static void
ph_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ph_window_parent_class)->map (widget);
  update_paused (PH_WINDOW (widget));
}

static void
ph_window_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ph_window_parent_class)->unmap (widget);
  update_paused (PH_WINDOW (widget));
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
  /* A restart check or a stop under way must not present a dialog on a closed window. */
  ph_window_cancel_flows (PH_WINDOW (window));
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

  ph_window_cancel_flows (self);
  g_clear_handle_id (&self->spinner_source, g_source_remove);
  g_clear_pointer (&self->flows, g_ptr_array_unref);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->row_popover, gtk_widget_unparent);
  /* The list's rows go with the template: none is kept any more. */
  g_clear_pointer (&self->row_pool, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), PH_TYPE_WINDOW);
  g_clear_object (&self->scanner);
  g_clear_object (&self->filter);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->query, ph_search_query_free);
  g_clear_pointer (&self->none_description, g_free);
  g_clear_pointer (&self->search_terms, g_strfreev);

  G_OBJECT_CLASS (ph_window_parent_class)->dispose (object);
}

static void ph_window_constructed (GObject *object);

static void
ph_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PhWindow *self = PH_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SCANNER:
      self->scanner = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_window_class_init (PhWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ph_window_constructed;
  object_class->dispose = ph_window_dispose;
  object_class->set_property = ph_window_set_property;
  widget_class->realize = ph_window_realize;
  widget_class->map = ph_window_map;
  widget_class->unmap = ph_window_unmap;
  window_class->close_request = ph_window_close_request;

  /* Named in ph-window.ui and in its list item templates. */
  g_type_ensure (PH_TYPE_DETAIL_PANE);
  g_type_ensure (PH_TYPE_SERVICE);
  g_type_ensure (PH_TYPE_SERVICE_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/porthole/Porthole/ph-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PhWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, split_view);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, scanner_banner);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, hidden_banner);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, limitation_banner);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, service_list);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, filter_model);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, selection);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, no_results_page);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, none_page);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, row_popover);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, lever_section);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_items_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_list_secondary_click);
  gtk_widget_class_bind_template_callback (widget_class, section_icon_name);
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_override_command);

  ph_window_class_init_actions (klass);

  /**
   * PhWindow:scanner:
   *
   * The scanner whose list the window shows; when none is given, the window makes and
   * starts its own.
   */
  properties[PROP_SCANNER] =
    g_param_spec_object ("scanner", NULL, NULL, PH_TYPE_SCANNER,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ph_window_init (PhWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->flows = g_ptr_array_new_with_free_func (g_object_unref);
  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
ph_window_constructed (GObject *object)
{
  PhWindow *self = PH_WINDOW (object);
  g_autoptr(PhSectionModel) sections = NULL;
  g_autoptr(GtkListItemFactory) factory = NULL;

  G_OBJECT_CLASS (ph_window_parent_class)->constructed (object);

  /* A scanner given at construction (the application's, started while GTK was loading)
   * is already running; otherwise the window starts its own below. */
  if (self->scanner == NULL)
    self->scanner = ph_scanner_new ();
  ph_scanner_bind_settings (self->scanner, self->settings);
  g_signal_connect_object (self->settings, "changed::background-refresh",
                           G_CALLBACK (update_paused), self, G_CONNECT_SWAPPED);

  /* The rest of the chain is in ph-window.ui: filter (search) → selection → list. */
  sections = ph_section_model_new (ph_scanner_get_service_list (self->scanner));
  self->filter = gtk_custom_filter_new (filter_service, self, NULL);
  factory = gtk_signal_list_item_factory_new ();
  self->row_pool = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (row_unbind), NULL);
  g_signal_connect (factory, "teardown", G_CALLBACK (row_teardown), self);
  gtk_list_view_set_factory (self->service_list, factory);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (sections));

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
  /* A container's published port that no program holds is a row under the container. */
  ph_service_list_set_forwarded_rows (ph_scanner_get_service_list (self->scanner), TRUE);
  ph_detail_pane_set_service_list (self->detail_pane, ph_scanner_get_service_list (self->scanner));

  if (g_getenv ("PORTHOLE_BENCH") != NULL)
    {
      g_printerr ("bench: window monotonic_us=%" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
      g_signal_connect_object (ph_scanner_get_service_list (self->scanner), "notify::seq",
                               G_CALLBACK (bench_on_seq), self, G_CONNECT_SWAPPED);
    }

  ph_scanner_start (self->scanner);
  self->spinner_source = g_timeout_add (SPINNER_DELAY_MS, show_spinner_cb, self);
  /* A scanner started earlier may have failed already, or carry a limitation. */
  on_scanner_state (self);
  on_limitation (self);
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
  g_autoptr(PhScanner) scanner = ph_application_take_scanner (application);

  return g_object_new (PH_TYPE_WINDOW, "application", application, "scanner", scanner, NULL);
}
