/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scan-version.c — placeholder until the scanner lands */
#include "config.h"

const char *ph_scan_version (void);

const char *
ph_scan_version (void)
{
  return PACKAGE_VERSION;
}
