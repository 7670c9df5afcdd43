/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-bench-callgrind.h — what bench-model and bench-window share: callgrind's counts, medians */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean ph_bench_callgrind       (const char * const *argv,
                                   const char         *function,
                                   gint64             *counts,
                                   guint               n_counts);
gint64   ph_bench_percentile      (GArray             *values,
                                   double              fraction);

G_END_DECLS
