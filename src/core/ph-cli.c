/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cli.c — the command-line face: porthole --list and --explain, no display needed */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-cli.h"

int
ph_cli_list (gboolean json)
{
  /* Translators: %s is the version number */
  g_print (_("Porthole %s: no scanner yet."), PACKAGE_VERSION);
  g_print ("\n");
  return 0;
}

int
ph_cli_explain (const char *address)
{
  g_printerr (_("Porthole cannot explain addresses yet."));
  g_printerr ("\n");
  return 1;
}
