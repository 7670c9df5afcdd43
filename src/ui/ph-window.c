/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-window.c — the main window: service list in the sidebar, details in the content */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-window.h"

struct _PhWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;

  /* Template children */
  AdwToastOverlay *toast_overlay;
  AdwNavigationSplitView *split_view;
  GtkSearchEntry *search_entry;
  GtkStack *list_stack;
  AdwStatusPage *empty_page;
  GtkStack *detail_stack;
};

G_DEFINE_FINAL_TYPE (PhWindow, ph_window, ADW_TYPE_APPLICATION_WINDOW)

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

static void
ph_window_search_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  PhWindow *self = PH_WINDOW (widget);

  adw_navigation_split_view_set_show_content (self->split_view, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
ph_window_dispose (GObject *object)
{
  PhWindow *self = PH_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), PH_TYPE_WINDOW);
  g_clear_object (&self->settings);

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

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/porthole/Porthole/ph-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PhWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, split_view);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PhWindow, detail_stack);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, ph_window_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
}

static void
ph_window_init (PhWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
}

PhWindow *
ph_window_new (PhApplication *application)
{
  return g_object_new (PH_TYPE_WINDOW, "application", application, NULL);
}
