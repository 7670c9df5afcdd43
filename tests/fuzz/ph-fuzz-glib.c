/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-fuzz-glib.c: libFuzzer's set-up, linked into every target that runs GLib code */
#include "ph-fuzz.h"

/* A critical or a warning on hostile input is a bug (a g_return_if_fail hit): abort, so
 * that the fuzzer or the replay test reports it with the input. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  return 0;
}
