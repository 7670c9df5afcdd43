/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-proc-status.c: /proc/<pid>/status (its Name: line is the process's own choice) */
#include "ph-fuzz.h"
#include "ph-proc.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  uint32_t uid = 0;

  (void) ph_proc_parse_status_uid ((const char *) data, size, &uid);
  return 0;
}
