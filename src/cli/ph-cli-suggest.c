/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cli-suggest.c — porthole --suggest [NEAR]: the nearest free port no common tool uses */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "ph-cli.h"
#include "ph-port-info.h"

/* Where to start without NEAR: a registered port web dev servers are often moved to. */
#define SUGGEST_DEFAULT_NEAR 8000
/* The first port a user's program may listen on without privileges (by default). */
#define SUGGEST_FIRST_UNPRIVILEGED 1024

/* Whether @port is a good one to suggest: unprivileged, outside the kernel's ephemeral
 * range (unless @near is in it), not in data/ports-common.ini for TCP or UDP, and free on
 * every address by a real bind. */
static gboolean
is_suggestible (guint               port,
                guint               near,
                const PhPortRange  *ephemeral)
{
  if (port < SUGGEST_FIRST_UNPRIVILEGED || port > 65535)
    return FALSE;
  if (ephemeral != NULL && ph_port_range_contains (ephemeral, port) &&
      !ph_port_range_contains (ephemeral, near))
    return FALSE;
  if (ph_common_port_lookup (port, PH_PORT_PROTOCOL_TCP) != NULL ||
      ph_common_port_lookup (port, PH_PORT_PROTOCOL_UDP) != NULL)
    return FALSE;
  return ph_port_check (NULL, port, PH_PORT_PROTOCOL_TCP, NULL) == PH_PORT_STATUS_FREE;
}

/**
 * ph_cli_suggest_port:
 * @near: the port the user wanted
 *
 * Looks outwards from @near (@near, @near + 1, @near - 1, @near + 2, …) for a port
 * is_suggestible() accepts.
 *
 * Returns: the port, or 0 when there is none
 */
guint
ph_cli_suggest_port (guint near)
{
  PhPortRange ephemeral;
  gboolean have_range = ph_port_range_get_ephemeral (&ephemeral);

  for (guint distance = 0; distance <= 65535; distance++)
    {
      if (near + distance <= 65535 &&
          is_suggestible (near + distance, near, have_range ? &ephemeral : NULL))
        return near + distance;
      if (distance > 0 && distance < near &&
          is_suggestible (near - distance, near, have_range ? &ephemeral : NULL))
        return near - distance;
      if (near + distance > 65535 && distance >= near)
        break;
    }
  return 0;
}

int
ph_cli_suggest (const char *near_text)
{
  guint64 near = SUGGEST_DEFAULT_NEAR;
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

  port = ph_cli_suggest_port ((guint) near);
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
