/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — entry point of porthole: sets up gettext and runs PhApplication */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ph-application.h"
#include "ph-cli.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(PhApplication) app = NULL;
  const char *localedir = g_getenv ("PORTHOLE_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* porthole free PORT: a command of its own, with its own options; no display needed. */
  if (argc > 1 && g_str_equal (argv[1], "free"))
    return ph_cli_free (argc - 1, argv + 1);

  /* porthole --suggest [NEAR]: its port is an optional argument GOption cannot express. */
  if (argc > 1 && g_str_equal (argv[1], "--suggest"))
    {
      if (argc > 3)
        {
          g_printerr ("%s\n", _("Usage: porthole --suggest [NEAR]"));
          return 2;
        }
      return ph_cli_suggest (argc > 2 ? argv[2] : NULL);
    }

  app = ph_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
