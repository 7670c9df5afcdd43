/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-describe.h — a process's facts in words: what manages it and when it started */
#pragma once

#include <glib.h>

#include "ph-app-identity.h"
#include "ph-process.h"

G_BEGIN_DECLS

char      *ph_describe_manager          (const PhProcessFacts *facts);
char      *ph_describe_process_manager  (PhProcess            *process);

gint64     ph_describe_parse_boot_time  (const char           *proc_stat);
GDateTime *ph_describe_start_date_time  (guint64               start_ticks,
                                         gint64                boot_time,
                                         long                  ticks_per_second);
char      *ph_describe_start_time       (guint64               start_ticks);

G_END_DECLS
