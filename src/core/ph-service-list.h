/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-list.h — every listening socket as a GListModel of PhService, kept by diff */
#pragma once

#include <gio/gio.h>

#include "ph-process.h"
#include "ph-protocol-reader.h"
#include "ph-service.h"

G_BEGIN_DECLS

#define PH_TYPE_SERVICE_LIST (ph_service_list_get_type ())

G_DECLARE_FINAL_TYPE (PhServiceList, ph_service_list, PH, SERVICE_LIST, GObject)

PhServiceList *ph_service_list_new              (void);
gboolean       ph_service_list_feed             (PhServiceList   *self,
                                                 const PhRecord  *record,
                                                 gboolean        *applied,
                                                 GError         **error);
gboolean       ph_service_list_feed_line        (PhServiceList   *self,
                                                 const char      *line,
                                                 gssize           len,
                                                 gboolean        *applied,
                                                 GError         **error);
void           ph_service_list_abort            (PhServiceList   *self);
gboolean       ph_service_list_in_change_set    (PhServiceList   *self);
void           ph_service_list_remove_all       (PhServiceList   *self);
gboolean       ph_service_list_take             (PhServiceList   *self,
                                                 PhServiceList   *from);
void           ph_service_list_set_eager        (PhServiceList   *self);

PhService     *ph_service_list_lookup           (PhServiceList   *self,
                                                 guint64          id);
PhService     *ph_service_list_find             (PhServiceList   *self,
                                                 const char      *protocol,
                                                 const char      *address,
                                                 guint            port);
PhService     *ph_service_list_find_serving     (PhServiceList   *self,
                                                 const char      *host,
                                                 guint            port,
                                                 const char      *protocol);
void           ph_service_list_get_section      (PhServiceList   *self,
                                                 guint            position,
                                                 guint           *out_start,
                                                 guint           *out_end);
PhProcess     *ph_service_list_lookup_process   (PhServiceList   *self,
                                                 gint64           pid,
                                                 guint64          start_time);

guint          ph_service_list_get_hidden_count (PhServiceList   *self);
guint64        ph_service_list_get_seq          (PhServiceList   *self);
guint          ph_service_list_get_n_processes  (PhServiceList   *self);
gint64         ph_service_list_get_last_apply_us (PhServiceList  *self);
gint64         ph_service_list_get_last_apply_cpu_us (PhServiceList *self);
/* The engines' containers: ports their helpers hold are grouped under the container. */
void           ph_service_list_set_containers   (PhServiceList       *self,
                                                 PhContainerSnapshot *snapshot);
PhContainerSnapshot *ph_service_list_get_containers (PhServiceList   *self);
/* Whether those published ports that no socket holds are rows of the list (under their
 * container, ph_service_get_forwarded()); off by default. */
void           ph_service_list_set_forwarded_rows (PhServiceList     *self,
                                                   gboolean           shown);
/* (element-type PhForwardedPort) published ports no listed socket holds */
GArray        *ph_service_list_dup_forwarded    (PhServiceList       *self);
/* Whether an engine's helper (conmon, pasta, docker-proxy, dockerd…) holds a port, and
 * which: a sorted list of their ids in @ids when not NULL. */
gboolean       ph_service_list_has_container_ports (PhServiceList    *self,
                                                    GString          *ids);

G_END_DECLS
