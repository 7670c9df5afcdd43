/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-proc-stat.c: /proc/<pid>/stat, whose comm field the process itself chooses */
#include "ph-fuzz.h"
#include "ph-proc.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PhStat st;

  if (ph_proc_parse_stat ((const char *) data, size, &st))
    PH_FUZZ_ASSERT (memchr (st.comm, '\0', sizeof st.comm) != NULL, "comm is terminated");
  return 0;
}
