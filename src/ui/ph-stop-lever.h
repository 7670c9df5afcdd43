/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-lever.h — Stop Service and Stop Container: confirm, pull the lever, say what happened */
#pragma once

#include <adwaita.h>

#include "ph-scanner.h"
#include "ph-service.h"
#include "ph-stopper.h"

G_BEGIN_DECLS

/* How it ended: freed (a toast is enough), or a heading and a message for a dialog. */
typedef void (*PhStopReport) (GtkWidget  *parent,
                              gboolean    freed,
                              const char *heading,
                              const char *message,
                              gpointer    user_data);

gboolean ph_stop_lever_run (GtkWidget    *parent,
                            PhService    *service,
                            PhStopLever   lever,
                            PhScanner    *scanner,
                            GCancellable *cancellable,
                            PhStopReport  report,
                            gpointer      user_data);

G_END_DECLS
