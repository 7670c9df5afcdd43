/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-container.h — Stop Container: confirm, stop it through its engine, say what happened */
#pragma once

#include <adwaita.h>

#include "ph-scanner.h"
#include "ph-service.h"
#include "ph-stop-service.h"

G_BEGIN_DECLS

/* @service's container (ph_service_get_container) is stopped through its engine's API;
 * @report says how it ended (the same as Stop Service's). */
void ph_stop_container_run (GtkWidget           *parent,
                            PhService           *service,
                            PhScanner           *scanner,
                            GCancellable        *cancellable,
                            PhStopServiceReport  report,
                            gpointer             user_data);

G_END_DECLS
