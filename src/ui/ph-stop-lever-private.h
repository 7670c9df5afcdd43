/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-lever-private.h — what Stop Service and Stop Container share, and what each adds */
#pragma once

#include "ph-stop-lever.h"

G_BEGIN_DECLS

typedef struct _PhStopRun PhStopRun;

/* A step of the flow; it owns @run: it frees it or passes it on. */
typedef void (*PhStopRunStep) (PhStopRun *run);

/* One lever's part of the flow. begin, act and look own @run. */
typedef struct
{
  gsize       size;            /* of the lever's struct, whose first member is a PhStopRun */
  const char *failed_heading;  /* N_() text, for an error from the lever */
  /* Confirms (ph_stop_run_confirm) or reports. */
  void      (*begin)  (PhStopRun    *run);
  /* The person chose Stop: starts the lever's async call with ph_stop_run_acted and @run. */
  void      (*act)    (PhStopRun    *run);
  /* Finishes that call and reports; TRUE: judge the port once the scanner looked again. */
  gboolean  (*answer) (PhStopRun    *run,
                       GAsyncResult *res);
  /* The scanner has looked again (ph_stop_run_look_again). */
  void      (*look)   (PhStopRun    *run);
  /* Frees the lever's own fields. */
  void      (*clear)  (PhStopRun    *run);
} PhStopRunKind;

/* One Stop, from the confirmation to the answer. Everything is async on @cancellable (the
 * window's), so closing the window ends it without a dialog popping up later. */
struct _PhStopRun
{
  const PhStopRunKind *kind;
  GtkWidget           *parent;
  PhService           *service;
  PhScanner           *scanner;
  GCancellable        *cancellable;
  PhStopReport         report;
  gpointer             user_data;
  char                *protocol;
  char                *address;
  guint                port;
  PhStopRunStep        chosen;   /* what the question ph_stop_run_ask asks leads to */
};

extern const PhStopRunKind ph_stop_service_kind;
extern const PhStopRunKind ph_stop_container_kind;

void       ph_stop_run_free       (PhStopRun   *run);
void       ph_stop_run_report     (PhStopRun   *run,
                                   gboolean     freed,
                                   const char  *heading,
                                   const char  *message);
void       ph_stop_run_fail       (PhStopRun   *run,
                                   const GError *error);
gboolean   ph_stop_run_answered   (PhStopRun   *run,
                                   const GError *error);
void       ph_stop_run_ask        (PhStopRun   *run,
                                   const char  *heading,
                                   const char  *body,
                                   const char  *decline_id,
                                   const char  *decline_label,
                                   const char  *accept_id,
                                   const char  *accept_label,
                                   AdwResponseAppearance accept_appearance,
                                   PhStopRunStep accept);
void       ph_stop_run_confirm    (PhStopRun   *run,
                                   const char  *heading,
                                   const char  *body,
                                   const char  *stop_label);
void       ph_stop_run_look_again (PhStopRun   *run);
void       ph_stop_run_acted      (GObject     *object,
                                   GAsyncResult *res,
                                   gpointer     user_data);
PhService *ph_stop_run_find_again (PhStopRun   *run);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhStopRun, ph_stop_run_free)

G_END_DECLS
