/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-application.c — the Porthole application: actions, command line, windows */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "ph-application.h"
#include "ph-cli.h"
#include "ph-preferences-dialog.h"
#include "ph-search-provider.h"
#include "ph-window.h"

struct _PhApplication
{
  AdwApplication parent_instance;

  PhSearchProvider *search_provider;
  /* Started before the toolkit loads, for the first window: see start_scanner_early(). */
  PhScanner        *scanner;
};

G_DEFINE_FINAL_TYPE (PhApplication, ph_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "list", 'l', 0, G_OPTION_ARG_NONE, NULL,
    N_("Print what is listening on this computer, grouped by application, and exit"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("With --list or --explain, print JSON instead of text"), NULL },
  { "explain", 'e', 0, G_OPTION_ARG_STRING, NULL,
    N_("Explain an address such as 127.0.0.1:62893, [::1]:8080 or 3000, and exit"),
    N_("ADDRESS") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { NULL }
};

/* The command-line face works without a display: it runs before GTK is initialised. */
static int
ph_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  const char *address = NULL;
  gboolean json = FALSE;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "json", "b", &json);

  if (g_variant_dict_lookup (options, "explain", "&s", &address))
    return ph_cli_explain (address, json);

  if (g_variant_dict_contains (options, "list"))
    return ph_cli_list (json);

  if (json)
    {
      g_printerr ("%s\n", _("--json only makes sense together with --list or --explain."));
      return 2;
    }

  return -1;
}

static void
ph_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (ph_window_new (PH_APPLICATION (app)));

  gtk_window_present (window);
}

/* Opens the window (a new one only when there is none) with @search_text in its search:
 * the Shell's search provider, on a result or on "more results". */
static void
ph_application_open_search (GApplication *app,
                            const char   *search_text,
                            guint32       timestamp)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (ph_window_new (PH_APPLICATION (app)));

  ph_window_show_search (PH_WINDOW (window), search_text);
  gtk_window_present (window);
}

static gboolean
ph_application_dbus_register (GApplication     *app,
                              GDBusConnection  *connection,
                              const char       *object_path,
                              GError          **error)
{
  PhApplication *self = PH_APPLICATION (app);
  g_autofree char *path = NULL;

  if (!G_APPLICATION_CLASS (ph_application_parent_class)->dbus_register (app, connection,
                                                                         object_path, error))
    return FALSE;

  path = g_strconcat (object_path, "/SearchProvider", NULL);
  self->search_provider = ph_search_provider_new (app, ph_application_open_search);
  return ph_search_provider_register (self->search_provider, connection, path, error);
}

static void
ph_application_dbus_unregister (GApplication    *app,
                                GDBusConnection *connection,
                                const char      *object_path)
{
  PhApplication *self = PH_APPLICATION (app);

  if (self->search_provider != NULL)
    ph_search_provider_unregister (self->search_provider);
  g_clear_object (&self->search_provider);

  G_APPLICATION_CLASS (ph_application_parent_class)->dbus_unregister (app, connection,
                                                                      object_path);
}

/* PORTHOLE_REPORT_WINDOWS=FILE: append a line to FILE whenever a window is made, so the
 * tests can tell that a search from the Shell made none (a D-Bus-activated Porthole's
 * output goes to the bus daemon). */
static void
ph_application_window_added (GtkApplication *app,
                             GtkWindow      *window)
{
  const char *report = g_getenv ("PORTHOLE_REPORT_WINDOWS");

  GTK_APPLICATION_CLASS (ph_application_parent_class)->window_added (app, window);

  if (report != NULL && *report != '\0')
    {
      FILE *file = fopen (report, "a");

      if (file != NULL)
        {
          fprintf (file, "window added: %s\n", G_OBJECT_TYPE_NAME (window));
          fclose (file);
        }
    }
}

static void
ph_application_dispose (GObject *object)
{
  PhApplication *self = PH_APPLICATION (object);

  g_clear_object (&self->search_provider);
  g_clear_object (&self->scanner);

  G_OBJECT_CLASS (ph_application_parent_class)->dispose (object);
}

static void
ph_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  PhApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "The Porthole developers", NULL };
  AdwDialog *about;

  about = g_object_new (ADW_TYPE_ABOUT_DIALOG,
                        "application-name", _("Porthole"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Porthole developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("See what is listening on this computer, what each address "
                                      "and port means, and free a port safely."),
                        "website", "https://github.com/porthole/porthole",
                        "issue-url", "https://github.com/porthole/porthole/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Porthole developers",
                        "developers", developers,
                        /* Translators: put your names here, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  adw_about_dialog_add_legal_section (ADW_ABOUT_DIALOG (about),
                                      _("Port registry"),
                                      _("Port names and descriptions come from IANA's Service "
                                        "Name and Transport Protocol Port Number Registry."),
                                      GTK_LICENSE_CUSTOM, NULL);
  adw_dialog_present (about, GTK_WIDGET (window));
}

static void
ph_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  PhApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_dialog_present (ADW_DIALOG (ph_preferences_dialog_new ()), GTK_WIDGET (window));
}

static void
ph_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  PhApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close windows first so each saves its state. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;
      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_actions[] = {
  { "about", ph_application_about_action },
  { "preferences", ph_application_preferences_action },
  { "quit", ph_application_quit_action },
};

/* Inside a Flatpak the host's icons are under /run/host (Flatpak shares them read-only):
 * host apps that hold ports keep their own icons, which the helper names. */
static void
add_host_icons (void)
{
  static const char * const host_icons[] = {
    "/run/host/share/icons", "/run/host/user-share/icons",
  };
  GdkDisplay *display = gdk_display_get_default ();
  GtkIconTheme *theme;

  if (display == NULL || !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return;
  theme = gtk_icon_theme_get_for_display (display);
  for (guint i = 0; i < G_N_ELEMENTS (host_icons); i++)
    {
      if (g_file_test (host_icons[i], G_FILE_TEST_IS_DIR))
        gtk_icon_theme_add_search_path (theme, host_icons[i]);
    }
}

/* The first window's list comes from the helper's first scan. Started here, before GTK and
 * libadwaita load (a few hundred milliseconds: the display, the style sheets), the helper
 * scans on another core meanwhile, and the first window shows a full list sooner. Not when
 * D-Bus started Porthole as a service (the Shell's search): that may never show a window. */
static void
start_scanner_early (PhApplication *self)
{
  g_autoptr(GSettings) settings = NULL;

  if (g_application_get_flags (G_APPLICATION (self)) & G_APPLICATION_IS_SERVICE)
    return;
  settings = g_settings_new (APP_ID);
  self->scanner = ph_scanner_new ();
  ph_scanner_bind_settings (self->scanner, settings);
  ph_scanner_start (self->scanner);
}

/**
 * ph_application_take_scanner:
 *
 * Returns: (transfer full) (nullable): the scanner started at start-up, for the first
 *   window to show; %NULL once it was taken
 */
PhScanner *
ph_application_take_scanner (PhApplication *self)
{
  g_return_val_if_fail (PH_IS_APPLICATION (self), NULL);

  return g_steal_pointer (&self->scanner);
}

static void
ph_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  /* GTK's own for a gtk/help-overlay.ui resource; the window builds it when asked. */
  static const char *help_accels[] = { "<Control>question", NULL };

  start_scanner_early (PH_APPLICATION (app));
  G_APPLICATION_CLASS (ph_application_parent_class)->startup (app);

  /* An idle worker thread of GLib's pools (where GTasks run) retires after 15 s: a
   * wake-up of a hidden window that has nothing to do. Idle, they wait for work instead
   * (GLib keeps two at most). */
  g_thread_pool_set_max_idle_time (0);

  /* Started by D-Bus (the Shell's search): stay a little after the last answer, so a
   * search while typing does not start Porthole again for every key. */
  if (g_application_get_flags (app) & G_APPLICATION_IS_SERVICE)
    g_application_set_inactivity_timeout (app, 10000);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay",
                                         help_accels);
  add_host_icons ();
}

static void
ph_application_class_init (PhApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_app_class = GTK_APPLICATION_CLASS (klass);

  object_class->dispose = ph_application_dispose;
  app_class->dbus_register = ph_application_dbus_register;
  app_class->dbus_unregister = ph_application_dbus_unregister;
  gtk_app_class->window_added = ph_application_window_added;

  app_class->activate = ph_application_activate;
  app_class->startup = ph_application_startup;
  app_class->handle_local_options = ph_application_handle_local_options;
}

static void
ph_application_init (PhApplication *self)
{
  g_autofree char *description = NULL;

  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("See what is listening on this computer."));
  description = g_strdup_printf ("%s\n  %s\n\n%s",
                                 _("Commands:"),
                                 _("porthole free [--yes] [--force] [--dry-run] [--json] "
                                   "PORT|ADDRESS:PORT\n"
                                   "      name the programs holding a port, ask, and stop "
                                   "them safely\n"
                                   "  porthole --suggest [NEAR]\n"
                                   "      print the free port nearest to NEAR (8000) that no "
                                   "common developer tool uses"),
                                 ph_cli_free_exit_help ());
  g_application_set_option_context_description (G_APPLICATION (self), description);
}

PhApplication *
ph_application_new (void)
{
  return g_object_new (PH_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/porthole/Porthole",
                       NULL);
}
