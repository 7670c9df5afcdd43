/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-free-port-flow.h — Free Port from confirmation to outcome, for one service of a window */
#pragma once

#include <adwaita.h>

#include "ph-scanner.h"
#include "ph-service.h"

G_BEGIN_DECLS

#define PH_TYPE_FREE_PORT_FLOW (ph_free_port_flow_get_type ())
G_DECLARE_FINAL_TYPE (PhFreePortFlow, ph_free_port_flow, PH, FREE_PORT_FLOW, GObject)

PhFreePortFlow *ph_free_port_flow_new     (GtkWidget      *parent,
                                           PhScanner      *scanner,
                                           PhService      *service);
void            ph_free_port_flow_start   (PhFreePortFlow *self);
void            ph_free_port_flow_cancel  (PhFreePortFlow *self);
PhService      *ph_free_port_flow_get_service (PhFreePortFlow *self);

G_END_DECLS
