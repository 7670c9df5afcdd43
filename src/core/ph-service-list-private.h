/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-list-private.h: what the pieces of PhServiceList share (ph-service-list*.c) */
#pragma once

#include "ph-service-list.h"

G_BEGIN_DECLS

typedef struct
{
  gint64  pid;
  guint64 start_time;
} PhProcessKey;

typedef struct _PhApplyState PhApplyState;

struct _PhServiceList
{
  GObject      parent_instance;

  /* The model: sorted by ph_service_compare(); holds one reference per item. */
  GPtrArray   *items;
  GHashTable  *by_id;         /* &PhService.id → PhService (both borrowed from items) */
  GHashTable  *processes;     /* PhProcessKey* → PhProcess */
  GHashTable  *old_processes; /* only while a full change set is applied */

  /* The change set being received, applied at END. */
  gboolean     in_change_set;
  gboolean     pending_full;
  guint64      pending_seq;
  GPtrArray   *pending;         /* PhRecord: PROC, SOCK, GONE, PGONE in stream order */
  /* An eager list (ph_service_list_set_eager()) applies each record as it comes; its
   * change set so far. One cut off in the middle spoils the list: it is never taken. */
  gboolean      eager;
  gboolean      spoiled;
  PhApplyState *eager_state;

  /* The engines' last answer (ph_service_list_set_containers), or NULL. */
  PhContainerSnapshot *containers;
  /* Whether the published ports no socket holds are rows too (the window's list). */
  gboolean     forwarded_rows;
  /* Those rows (PhService, borrowed from items), so that a change set need not look for
   * them among every service. */
  GPtrArray   *forwarded;

  /* While a change set is announced run by run the order is not sorted until the last
   * run, and a service whose group changed still stands where it was, under the group it
   * had (kept here, PhService → PhAppIdentity), until the run that moves it: a view that
   * shows groups as sections sees them change only where it is told. */
  gboolean     emitting;
  GHashTable  *shown_groups;

  guint64      seq;
  /* The services in by_id whose owners are hidden, counted as they come, change and go. */
  guint        hidden_count;
  gint64       last_apply_us;
};

enum {
  PROP_0,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  PROP_HIDDEN_COUNT,
  PROP_SEQ,
  N_PROPS
};

extern GParamSpec *ph_service_list_properties[N_PROPS];

/* ph-service-list.c */
GHashTable *ph_service_list_process_table_new (void);
void        ph_service_list_clear_pending     (PhServiceList *self);

/* ph-service-list.c: the group a view sees @service under (mid change set, maybe the old) */
PhAppIdentity *ph_service_list_shown_group    (PhServiceList *self,
                                               PhService     *service);

/* ph-service-list-apply.c: applies the change set collected since BEGIN, by diff */
void        ph_service_list_apply_change_set  (PhServiceList *self);
gboolean    ph_service_list_apply_record_now  (PhServiceList   *self,
                                               const PhRecord  *record,
                                               GError         **error);
void        ph_apply_state_free               (PhApplyState  *st);
/* Sets the container of @service from the cached snapshot; what changed. */
PhServiceChange ph_service_list_attach_container (PhServiceList *self,
                                                  PhService     *service);

G_END_DECLS
