/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — porthole-helper: lists listening sockets and their owners, and frees ports */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ph-helper.h"
#include "ph-protocol-defs.h"

int
main (int    argc,
      char **argv)
{
  const char *verb = argc >= 2 ? argv[1] : "";

  /* A closed stdout must show up as EPIPE from write(), not kill us mid-record. */
  signal (SIGPIPE, SIG_IGN);

  if (strcmp (verb, PH_VERB_VERSION) == 0)
    {
      ph_helper_print_version (stdout);
      return 0;
    }
  if (strcmp (verb, "--help") == 0 || strcmp (verb, "-h") == 0)
    {
      ph_helper_usage (stdout);
      return 0;
    }
  if (strcmp (verb, PH_VERB_WATCH) == 0)
    return ph_helper_watch (argc - 1, argv + 1);
  if (strcmp (verb, PH_VERB_STOP) == 0)
    return ph_helper_stop (argc - 1, argv + 1);
  ph_helper_usage (stderr);
  return PH_HELPER_EXIT_USAGE;
}
