/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe-tool.c — probes one port as the detail pane does (default deadlines, the owner's
 * program as a hint) and prints the result, for tests against real servers:
 *   ph-probe-tool ADDRESS PORT [PROGRAM]
 * prints "kind=KIND", "summary=…", "banner=…", "elapsed_ms=N", one per line */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ph-probe-private.h"

static void
on_probed (GObject      *object,
           GAsyncResult *res,
           gpointer      data)
{
  PhProbeResult **out = data;
  g_autoptr(GError) error = NULL;

  *out = ph_probe_finish (res, &error);
  if (*out == NULL)
    {
      fprintf (stderr, "ph-probe-tool: %s\n", error->message);
      exit (1);
    }
}

int
main (int    argc,
      char **argv)
{
  PhProbeHints hints = { 0 };
  g_autoptr(PhProbeResult) result = NULL;
  g_autofree char *kind = NULL;
  gint64 start;

  if (argc < 3)
    {
      fprintf (stderr, "usage: ph-probe-tool ADDRESS PORT [PROGRAM]\n");
      return 2;
    }
  hints.program = argc > 3 ? argv[3] : NULL;
  start = g_get_monotonic_time ();
  ph_probe_async (argv[1], (guint16) atoi (argv[2]), &hints, NULL, on_probed, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  kind = g_enum_to_string (PH_TYPE_PROBE_KIND, ph_probe_result_get_kind (result));
  printf ("kind=%s\n", kind);
  printf ("summary=%s\n", ph_probe_result_get_summary (result));
  printf ("banner=%s\n", result->banner ? result->banner : "");
  printf ("elapsed_ms=%" G_GINT64_FORMAT "\n", (g_get_monotonic_time () - start) / 1000);
  return 0;
}
