/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-bench-callgrind.c — what bench-model and bench-window share: callgrind's counts, medians */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ph-bench-callgrind.h"

/**
 * ph_bench_callgrind:
 * @argv: the program (a benchmark run again, told to be quiet) and its arguments
 * @function: the only function whose instructions are counted (with what it calls)
 * @counts: (out caller-allocates): the instructions of each of the first @n_counts dumps
 *   (CALLGRIND_DUMP_STATS), or of the whole run when it dumps nothing
 *
 * Runs @argv under callgrind, instrumented only from its CALLGRIND_START_INSTRUMENTATION
 * on: instruction counts do not move with the machine's load.
 *
 * Returns: FALSE when valgrind could not be run or said less than asked
 */
gboolean
ph_bench_callgrind (const char * const *argv,
                    const char         *function,
                    gint64             *counts,
                    guint               n_counts)
{
  g_autofree char *out_file = g_build_filename (g_get_tmp_dir (), "ph-bench-XXXXXX", NULL);
  g_autofree char *out_arg = NULL;
  g_autofree char *toggle_arg = g_strdup_printf ("--toggle-collect=%s", function);
  g_autofree char *text = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full_argv = NULL;
  g_autoptr(GError) error = NULL;
  const char *p;
  gboolean ok;
  int status = 0;
  int fd = g_mkstemp (out_file);

  if (fd < 0)
    return FALSE;
  close (fd);
  out_arg = g_strdup_printf ("--callgrind-out-file=%s", out_file);
  /* One file for every dump, a part each, in order. */
  g_strv_builder_add_many (builder, "valgrind", "--tool=callgrind", "-q", "--instr-atstart=no",
                           "--combine-dumps=yes", toggle_arg, out_arg, NULL);
  g_strv_builder_addv (builder, (const char **) argv);
  full_argv = g_strv_builder_end (builder);
  ok = g_spawn_sync (NULL, full_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error)
       && g_spawn_check_wait_status (status, NULL)
       && g_file_get_contents (out_file, &text, NULL, NULL);
  g_unlink (out_file);
  if (!ok)
    return FALSE;

  p = text;
  for (guint k = 0; k < n_counts; k++)
    {
      const char *totals = strstr (p, "\ntotals: ");
      const char *summary = strstr (p, "\nsummary: ");

      /* a part says "totals:" (or only "summary:" in older valgrinds) */
      if (totals == NULL)
        totals = summary;
      if (totals == NULL)
        return FALSE;
      p = strchr (totals, ':') + 1;
      counts[k] = g_ascii_strtoll (p, NULL, 10);
    }
  return TRUE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The value at @fraction (0.5: the median) of @values, which it sorts. */
gint64
ph_bench_percentile (GArray *values,
                     double  fraction)
{
  g_array_sort (values, compare_gint64);
  return g_array_index (values, gint64, (guint) ((values->len - 1) * fraction));
}
