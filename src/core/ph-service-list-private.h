/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-list-private.h: what the pieces of PhServiceList share (ph-service-list*.c) */
#pragma once

#include "ph-service-list.h"

#include <time.h>

/* Time spent on this thread: wall-clock, and this thread's CPU time, which another
 * process taking the core meanwhile does not inflate (both in microseconds). */
typedef struct
{
  gint64 wall_us;
  gint64 cpu_us;
} PhTimeSpent;

static inline PhTimeSpent
ph_time_spent_now (void)
{
  struct timespec ts = { 0, 0 };

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (PhTimeSpent) { g_get_monotonic_time (),
                         (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000 };
}

/* Adds to @total what this thread spent since @since (a ph_time_spent_now()). */
static inline void
ph_time_spent_add_since (PhTimeSpent *total,
                         PhTimeSpent  since)
{
  PhTimeSpent now = ph_time_spent_now ();

  total->wall_us += now.wall_us - since.wall_us;
  total->cpu_us += now.cpu_us - since.cpu_us;
}

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
  /* The last change set's time on this thread, the views' reaction included. */
  PhTimeSpent  last_apply;
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
