/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-cgroup.c: /proc/<pid>/cgroup, and the path in it (unit, app, container names that
 * whoever starts a scope chooses) */
#include "ph-cgroup.h"
#include "ph-fuzz.h"

static void
check_info (const PhCgroupInfo *info)
{
  PH_FUZZ_ASSERT (info->manager != NULL, "a manager is always named");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PhCgroupInfo info = { 0 };
  char *path = ph_cgroup_pick_path ((const char *) data, size);
  char *text;

  ph_cgroup_parse (path, &info);
  check_info (&info);
  ph_cgroup_info_clear (&info);
  free (path);

  /* the path itself, as it would be after "0::" */
  text = ph_fuzz_strndup (data, size);
  memset (&info, 0, sizeof info);
  ph_cgroup_parse (text, &info);
  check_info (&info);
  ph_cgroup_info_clear (&info);
  free (text);
  return 0;
}
