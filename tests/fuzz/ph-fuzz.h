/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-fuzz.h: what every fuzz target shares (libFuzzer's entry points, input helpers) */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

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
