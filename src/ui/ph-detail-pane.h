/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-detail-pane.h — what the selected service's address, port, process and service mean */
#pragma once

#include <adwaita.h>

#include "ph-port-info.h"
#include "ph-service.h"
#include "ph-service-list.h"

G_BEGIN_DECLS

#define PH_TYPE_DETAIL_PANE (ph_detail_pane_get_type ())
G_DECLARE_FINAL_TYPE (PhDetailPane, ph_detail_pane, PH, DETAIL_PANE, AdwBin)

PhService  *ph_detail_pane_get_service  (PhDetailPane *self);
void        ph_detail_pane_set_service  (PhDetailPane *self,
                                         PhService    *service);
void        ph_detail_pane_show_address (PhDetailPane *self,
                                         const char   *host,
                                         guint         port,
                                         PhPortStatus  status,
                                         const char   *status_text);
void        ph_detail_pane_troubleshoot (PhDetailPane *self,
                                         const char   *host,
                                         guint         port);
void        ph_detail_pane_show_error   (PhDetailPane *self,
                                         const char   *typed,
                                         const char   *message);
gboolean    ph_detail_pane_get_can_open (PhDetailPane *self);
const char *ph_detail_pane_get_open_uri (PhDetailPane *self);
char       *ph_detail_pane_dup_uri_host (PhService    *service);
void        ph_detail_pane_set_service_list (PhDetailPane  *self,
                                             PhServiceList *services);

G_END_DECLS
