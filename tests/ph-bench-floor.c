/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-bench-floor.c — the window's memory floor: an empty libadwaita window of Porthole's shape */

/*
 * tests/bench-app.py starts this beside porthole, under the same display and renderer, to
 * tell what any libadwaita window of this shape costs on this machine: an application
 * window with a navigation split view, a toolbar view with a header bar and a search
 * entry on each side, and an empty list view in a scrolled window. Nothing of Porthole's
 * own is loaded. Like porthole with PORTHOLE_BENCH=1, it prints
 *   bench: populated monotonic_us=T items=0
 * on stderr at its first frame, and then lives until it is killed.
 */
#include <adwaita.h>

static gboolean
first_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  g_printerr ("bench: populated monotonic_us=%" G_GINT64_FORMAT " items=0\n",
              g_get_monotonic_time ());
  return G_SOURCE_REMOVE;
}

static void
setup_item (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  gtk_list_item_set_child (item, gtk_label_new (NULL));
}

static GtkWidget *
side (const char *title,
      GtkWidget  *content)
{
  GtkWidget *toolbar = adw_toolbar_view_new ();
  GtkWidget *header = adw_header_bar_new ();

  adw_toolbar_view_add_top_bar (ADW_TOOLBAR_VIEW (toolbar), header);
  adw_toolbar_view_set_content (ADW_TOOLBAR_VIEW (toolbar), content);
  return GTK_WIDGET (adw_navigation_page_new (toolbar, title));
}

static void
activate (GtkApplication *app,
          gpointer        user_data)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *split = adw_navigation_split_view_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GListStore *store = g_list_store_new (G_TYPE_OBJECT);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *list;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (store))),
                            factory);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (box), gtk_search_entry_new ());
  gtk_box_append (GTK_BOX (box), scrolled);

  adw_navigation_split_view_set_sidebar (ADW_NAVIGATION_SPLIT_VIEW (split),
                                         ADW_NAVIGATION_PAGE (side ("Floor", box)));
  adw_navigation_split_view_set_content (ADW_NAVIGATION_SPLIT_VIEW (split),
                                         ADW_NAVIGATION_PAGE (side ("Details",
                                                                    adw_status_page_new ())));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), split);
  gtk_window_set_title (GTK_WINDOW (window), "Floor");
  gtk_window_set_default_size (GTK_WINDOW (window), 980, 680);  /* Porthole's default */
  gtk_widget_add_tick_callback (list, first_frame, NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("io.github.porthole.BenchFloor",
                                                       G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
