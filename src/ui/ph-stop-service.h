/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-service.h — Stop Service: confirm, StopUnit on the right bus, say what happened */
#pragma once

#include <adwaita.h>

#include "ph-scanner.h"
#include "ph-service.h"

G_BEGIN_DECLS

/* How it ended: freed (a toast is enough), or a heading and a message for a dialog. */
typedef void (*PhStopServiceReport) (GtkWidget  *parent,
                                     gboolean    freed,
                                     const char *heading,
                                     const char *message,
                                     gpointer    user_data);

void ph_stop_service_run (GtkWidget           *parent,
                          PhService           *service,
                          PhScanner           *scanner,
                          GCancellable        *cancellable,
                          PhStopServiceReport  report,
                          gpointer             user_data);

G_END_DECLS
