/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cli-suggest.c — porthole --suggest [NEAR]: the nearest free port no common tool uses */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "ph-cli.h"
#include "ph-port-suggest.h"

int
ph_cli_suggest (const char *near_text)
{
  guint64 near = PH_PORT_SUGGEST_DEFAULT_NEAR;
  guint port;

  if (near_text != NULL &&
      (!g_ascii_string_to_unsigned (near_text, 10, 1, 65535, &near, NULL)))
    {
      /* Translators: %s is what was typed after --suggest */
      g_printerr (_("porthole: “%s” is not a port number; write one from 1 to 65535, such "
                    "as 3000."), near_text);
      g_printerr ("\n");
      return 2;
    }

  port = ph_port_suggest ((guint) near);
  if (port == 0)
    {
      g_printerr ("%s\n", _("porthole: no free port was found."));
      return 1;
    }

  g_print ("%u\n", port);
  if (isatty (STDOUT_FILENO))
    g_printerr (_("Port %u is free, and no commonly used developer tool uses it."), port);
  if (isatty (STDOUT_FILENO))
    g_printerr ("\n");
  return 0;
}
