/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-application.c — the Porthole application: actions, command line, windows */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-application.h"
#include "ph-cli.h"
#include "ph-preferences-dialog.h"
#include "ph-window.h"

struct _PhApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (PhApplication, ph_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "list", 'l', 0, G_OPTION_ARG_NONE, NULL,
    N_("Print what is listening on this computer, grouped by application, and exit"), NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("With --list, print JSON instead of a table"), NULL },
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
    return ph_cli_explain (address);

  if (g_variant_dict_contains (options, "list"))
    return ph_cli_list (json);

  if (json)
    {
      g_printerr ("%s\n", _("--json only makes sense together with --list."));
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

static void
ph_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (ph_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
}

static void
ph_application_class_init (PhApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = ph_application_activate;
  app_class->startup = ph_application_startup;
  app_class->handle_local_options = ph_application_handle_local_options;
}

static void
ph_application_init (PhApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("See what is listening on this computer."));
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
