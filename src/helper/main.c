/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c — porthole-helper: placeholder until the scanner lands */
#include "config.h"

#include <stdio.h>
#include <string.h>

int
main (int argc, char **argv)
{
  if (argc > 1 && strcmp (argv[1], "--version") == 0)
    {
      printf ("porthole-helper %s\n", PACKAGE_VERSION);
      return 0;
    }
  fprintf (stderr, "porthole-helper: no scanner yet\n");
  return 2;
}
