/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stopper.h — freeing a port: choose the right lever, run the helper's stop, say what happened */
#pragma once

#include <gio/gio.h>

#include "ph-protocol-defs.h"
#include "ph-service.h"
#include "ph-supervisor.h"

G_BEGIN_DECLS

/* What can free this port, from the most common to the ones Porthole only explains. */
typedef enum
{
  PH_STOP_LEVER_SIGNAL,         /* a process of this user: ask it to quit */
  PH_STOP_LEVER_SYSTEMD_SERVICE,/* a systemd service: Restart= would bring it back */
  PH_STOP_LEVER_SYSTEMD_SOCKET, /* PID 1 holds it for socket activation */
  PH_STOP_LEVER_CONTAINER,      /* a container's published port */
  PH_STOP_LEVER_OTHER_USER,     /* another user's process: needs authorisation */
  PH_STOP_LEVER_SESSION,        /* a part of the desktop session */
  PH_STOP_LEVER_KERNEL,         /* no process holds it */
  PH_STOP_LEVER_UNSEEN,         /* its holder cannot be seen from where the scanner runs */
} PhStopLever;

typedef struct
{
  PhStopOutcome  outcome;      /* ph-protocol-defs.h; never PH_STOP_OUTCOME_USAGE */
  gint64         pid;
  guint64        inode;
  char          *signal_name;  /* "TERM" or "KILL" */
  GArray        *holders;      /* gint64 PIDs that still hold the socket */
  char          *helper_message;
} PhStopResult;

void          ph_stop_result_free      (PhStopResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhStopResult, ph_stop_result_free)

PhStopLever   ph_stopper_choose_lever  (PhService            *service);
const char   *ph_stopper_lever_action  (PhStopLever           lever,
                                        gboolean              in_menu);
char         *ph_stopper_explain_lever (PhService            *service,
                                        PhStopLever           lever);
char         *ph_stopper_explain_container (PhService        *service);
/* The systemd unit that starts a container's engine program again when the container
 * stops (its conmon runs in a service with Restart=, as Quadlet's do), or NULL. */
PhSupervisor *ph_stopper_container_restarter (PhService      *service);
/* The sentence before Stop Container: "The systemd unit shop-db.service started this
 * container and starts it again when it stops (Restart=always)…" */
char         *ph_stopper_describe_restarter  (const PhSupervisor *unit);
/* After Stop Container on @service's container, when @unit started it again and the
 * port is held again; ends with the command that stops the unit. */
char         *ph_stopper_describe_container_restarted (PhService          *service,
                                                       const PhSupervisor *unit);
char         *ph_stopper_describe      (PhService            *service,
                                        const PhStopResult   *result);
PhStopResult *ph_stopper_parse_result  (const char           *line,
                                        GError              **error);
void          ph_stopper_stop_async    (PhService            *service,
                                        gboolean              force,
                                        guint                 grace_ms,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
void          ph_stopper_stop_supervisor_async (PhService           *service,
                                                gint64               supervisor_pid,
                                                guint64              supervisor_start,
                                                guint                grace_ms,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
void          ph_stopper_stop_elevated_async (PhService      *service,
                                              gboolean        force,
                                              guint           grace_ms,
                                              gboolean        elevated,
                                              GCancellable   *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer        user_data);
const char   *ph_stopper_flatpak_app   (PhService            *service);
char         *ph_stopper_dup_flatpak_app_name (PhService       *service);
void          ph_stopper_stop_flatpak_async (PhService        *service,
                                             const char       *flatpak_app,
                                             guint             grace_ms,
                                             GCancellable     *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer          user_data);
PhStopResult *ph_stopper_stop_finish   (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
