/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-tap.h — a tiny header-only TAP producer for libc-only tests */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Usage:
 *   ph_tap_plan (3);                   (or no plan, then ph_tap_done_testing () at the end)
 *   ph_tap_ok (fd >= 0, "socket opened");
 *   ph_tap_diag ("errno %d", errno);
 *   ph_tap_skip (2, "no IPv6 on this machine");
 *   return ph_tap_done_testing ();     (0 when every test passed and the plan was kept)
 *   ph_tap_bail_out ("cannot start %s", path);   (ends the program)
 *
 * Everything goes to stdout, which is flushed after every line so that a test that
 * forks or dies still leaves a readable stream.
 */

typedef struct
{
  int planned;   /* -1 while no plan was printed */
  int run;
  int failed;
} PhTapState;

static inline PhTapState *
ph_tap_state (void)
{
  /* A function-local static keeps the state private to each test program without an
   * unused-variable warning in files that include this header but use little of it. */
  static PhTapState state = { -1, 0, 0 };

  return &state;
}

static inline void
ph_tap_plan (int n)
{
  PhTapState *s = ph_tap_state ();

  s->planned = n;
  printf ("1..%d\n", n);
  fflush (stdout);
}

static inline void ph_tap_vdiag (const char *fmt, va_list ap)
  __attribute__ ((format (printf, 1, 0)));

static inline void
ph_tap_vdiag (const char *fmt,
              va_list     ap)
{
  char buf[4096];
  char *line;
  char *next;

  vsnprintf (buf, sizeof buf, fmt, ap);
  /* Every line of a diagnostic must start with '#' or the TAP reader sees garbage. */
  for (line = buf; line != NULL; line = next)
    {
      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      if (next != NULL && *next == '\0')
        next = NULL;
      printf ("# %s\n", line);
    }
  fflush (stdout);
}

static inline void ph_tap_diag (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

static inline void
ph_tap_diag (const char *fmt,
             ...)
{
  va_list ap;

  va_start (ap, fmt);
  ph_tap_vdiag (fmt, ap);
  va_end (ap);
}

static inline bool ph_tap_ok (bool passed, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Returns @passed, so a test can go on only when a step worked:
 *   if (!ph_tap_ok (fd >= 0, "open")) return ph_tap_done_testing (); */
static inline bool
ph_tap_ok (bool        passed,
           const char *fmt,
           ...)
{
  PhTapState *s = ph_tap_state ();
  char desc[1024];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (desc, sizeof desc, fmt, ap);
  va_end (ap);
  for (char *p = desc; *p != '\0'; p++)
    {
      /* '#' would start a directive and a newline would end the line early. */
      if (*p == '#' || *p == '\n')
        *p = ' ';
    }

  s->run++;
  if (!passed)
    s->failed++;
  printf ("%s %d - %s\n", passed ? "ok" : "not ok", s->run, desc);
  fflush (stdout);

  return passed;
}

static inline void
ph_tap_skip (int         n,
             const char *reason)
{
  PhTapState *s = ph_tap_state ();

  for (int i = 0; i < n; i++)
    {
      s->run++;
      printf ("ok %d # SKIP %s\n", s->run, reason);
    }
  fflush (stdout);
}

/* Skips the whole program: only valid before any test ran. Returns main's status. */
static inline int
ph_tap_skip_all (const char *reason)
{
  printf ("1..0 # SKIP %s\n", reason);
  fflush (stdout);

  return 0;
}

/* Prints the plan when none was given, and returns the exit status for main (). */
static inline int
ph_tap_done_testing (void)
{
  PhTapState *s = ph_tap_state ();

  if (s->planned < 0)
    {
      printf ("1..%d\n", s->run);
      s->planned = s->run;
    }
  else if (s->planned != s->run)
    {
      printf ("# planned %d tests but ran %d\n", s->planned, s->run);
    }
  if (s->failed > 0)
    printf ("# failed %d of %d\n", s->failed, s->run);
  fflush (stdout);

  return (s->failed > 0 || s->planned != s->run) ? 1 : 0;
}

static inline void ph_tap_bail_out (const char *fmt, ...)
  __attribute__ ((format (printf, 1, 2), noreturn));

static inline void
ph_tap_bail_out (const char *fmt,
                 ...)
{
  char reason[1024];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (reason, sizeof reason, fmt, ap);
  va_end (ap);
  printf ("Bail out! %s\n", reason);
  fflush (stdout);
  exit (1);
}
