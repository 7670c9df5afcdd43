/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service.h — one listening socket and the processes that hold it */
#pragma once

#include <glib-object.h>

#include "ph-containers.h"
#include "ph-process.h"
#include "ph-protocol-reader.h"

G_BEGIN_DECLS

#define PH_TYPE_SERVICE (ph_service_get_type ())

G_DECLARE_FINAL_TYPE (PhService, ph_service, PH, SERVICE, GObject)

typedef enum
{
  PH_SERVICE_CHANGED_NONE   = 0,
  PH_SERVICE_CHANGED_FIELDS = 1 << 0,   /* some property changed */
  PH_SERVICE_CHANGED_ORDER  = 1 << 1,   /* what ph_service_compare() looks at changed */
} PhServiceChange;

/* Finds (or makes) the process a SOCK's owners= names. Returns (transfer none). */
typedef PhProcess  *(*PhProcessLookupFunc) (gint64      pid,
                                            guint64     start_time,
                                            gpointer    user_data);

/* The IANA (or otherwise known) service name of a port, for search; may return NULL. */
typedef const char *(*PhServiceNameFunc)   (guint       port,
                                            const char *protocol,
                                            gpointer    user_data);

PhService       *ph_service_new_from_record          (const PhRecord       *record,
                                                      PhProcessLookupFunc   lookup,
                                                      gpointer              user_data,
                                                      GError              **error);
gboolean         ph_service_update_from_record       (PhService            *self,
                                                      const PhRecord       *record,
                                                      PhProcessLookupFunc   lookup,
                                                      gpointer              user_data,
                                                      PhServiceChange      *change,
                                                      GError              **error);
gboolean         ph_service_validate_record          (const PhRecord       *record,
                                                      GError              **error);
PhServiceChange  ph_service_refresh_group            (PhService            *self);

guint64          ph_service_get_id                   (PhService            *self);
const guint64   *ph_service_get_id_key               (PhService            *self);
const char      *ph_service_get_protocol             (PhService            *self);
guint            ph_service_get_family               (PhService            *self);
const char      *ph_service_get_address              (PhService            *self);
guint            ph_service_get_port                 (PhService            *self);
int              ph_service_get_v6only               (PhService            *self);
guint            ph_service_get_scope_id             (PhService            *self);
gint64           ph_service_get_uid                  (PhService            *self);
const char      *ph_service_get_user                 (PhService            *self);
guint64          ph_service_get_cgroup_id            (PhService            *self);
guint            ph_service_get_connections          (PhService            *self);
gboolean         ph_service_get_hidden               (PhService            *self);
gboolean         ph_service_get_kernel               (PhService            *self);
const char      *ph_service_get_unseen               (PhService            *self);
gboolean         ph_service_get_owner_unknown        (PhService            *self);
guint            ph_service_get_n_owners             (PhService            *self);
PhProcess       *ph_service_get_owner                (PhService            *self,
                                                      guint                 index);
PhProcess       *ph_service_get_main_owner           (PhService            *self);
int              ph_service_get_owner_fd             (PhService            *self,
                                                      PhProcess            *owner);
const char      *ph_service_get_group_key            (PhService            *self);
const char      *ph_service_get_group_name           (PhService            *self);
const char      *ph_service_get_group_subtitle       (PhService            *self);
const char      *ph_service_get_group_icon           (PhService            *self);
PhAppKind        ph_service_get_group_kind           (PhService            *self);
PhAppIdentity   *ph_service_get_identity             (PhService            *self);
/* The container that publishes this port (its engine's helper holds the socket), or NULL. */
PhContainer     *ph_service_get_container            (PhService            *self);
PhServiceChange  ph_service_set_container            (PhService            *self,
                                                      PhContainer          *container);
/* A published port that no host socket holds: the firewall forwards it to @container. */
PhService       *ph_service_new_forwarded            (PhContainer          *container,
                                                      const PhContainerPort *port);
gboolean         ph_service_get_forwarded            (PhService            *self);

char            *ph_service_dup_display_address      (PhService            *self);
gboolean         ph_service_is_reachable_from_network (PhService           *self);
char            *ph_service_dup_local_target         (PhService            *self);
char            *ph_service_dup_uri_host             (PhService            *self);
gboolean         ph_service_answers_host             (PhService            *self,
                                                      const char           *host);
gboolean         ph_service_matches                  (PhService            *self,
                                                      const char           *query,
                                                      PhServiceNameFunc     service_name,
                                                      gpointer              user_data);
gboolean         ph_service_matches_terms            (PhService            *self,
                                                      const char * const   *terms,
                                                      PhServiceNameFunc     service_name,
                                                      gpointer              user_data);
GStrv            ph_service_search_terms             (const char           *query);
gboolean         ph_service_terms_narrow             (const char * const   *wider,
                                                      const char * const   *narrower);

int              ph_service_compare_group            (gconstpointer         a,
                                                      gconstpointer         b);
int              ph_service_compare                  (gconstpointer         a,
                                                      gconstpointer         b,
                                                      gpointer              user_data);

char            *ph_format_socket_address            (const char           *address,
                                                      guint                 port,
                                                      guint                 scope_id);

G_END_DECLS
