/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-fuzz.h: what every fuzz target shares (libFuzzer's entry point, GLib set-up) */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

/* A critical or a warning on hostile input is a bug (a g_return_if_fail hit): abort, so
 * that the fuzzer or the replay test reports it with the input. */
static inline void
ph_fuzz_setup_glib (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
}

/* @data as a NUL-terminated string (the fuzzer's buffer is not). */
static inline char *
ph_fuzz_strndup (const uint8_t *data,
                 size_t         size)
{
  char *s = malloc (size + 1);

  if (s == NULL)
    abort ();
  memcpy (s, data, size);
  s[size] = '\0';
  return s;
}

/* Aborts with @what when @cond is false: the targets check properties, not only crashes. */
#define PH_FUZZ_ASSERT(cond, what)                                        \
  do {                                                                    \
    if (!(cond))                                                          \
      {                                                                   \
        g_printerr ("fuzz property violated: %s (%s)\n", what, #cond);   \
        abort ();                                                         \
      }                                                                   \
  } while (0)
