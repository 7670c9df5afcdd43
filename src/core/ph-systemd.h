/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-systemd.h — systemd's lever: a unit's facts, the .socket unit behind a port, StopUnit */
#pragma once

#include <gio/gio.h>

#include "ph-service.h"

G_BEGIN_DECLS

/* Which service manager: PID 1 on the system bus, or the user's systemd --user. */
typedef enum
{
  PH_SYSTEMD_SCOPE_SYSTEM,
  PH_SYSTEMD_SCOPE_USER,
} PhSystemdScope;

#define PH_SYSTEMD_ERROR (ph_systemd_error_quark ())

typedef enum
{
  PH_SYSTEMD_ERROR_NO_BUS,        /* the system bus or the user's bus is not there */
  PH_SYSTEMD_ERROR_NO_UNIT,       /* no such unit, or no .socket unit listens there */
  PH_SYSTEMD_ERROR_REFUSED,       /* RefuseManualStop=, or polkit said no */
  PH_SYSTEMD_ERROR_FAILED,        /* the stop job failed, timed out or was cancelled */
} PhSystemdError;

/* What stopping did to the port. */
typedef enum
{
  PH_SYSTEMD_STOP_FREED,          /* nothing listens there any more */
  PH_SYSTEMD_STOP_STILL_HELD,     /* the units stopped, yet the port is still held */
  PH_SYSTEMD_STOP_STARTED_AGAIN,  /* a unit was started again right after it stopped */
} PhSystemdStopOutcome;

typedef struct
{
  PhSystemdScope  scope;
  char           *name;              /* "nginx.service", "cups.socket" */
  char           *description;
  char           *active_state;      /* "active", "inactive", "failed", … */
  char           *sub_state;         /* "running", "listening", … */
  char           *restart;           /* a service's Restart= ("no", "always", …), or NULL */
  gboolean        refuse_manual_stop;
  char          **triggers;          /* Triggers= (a .socket's service) */
  char          **triggered_by;      /* TriggeredBy= (a .service's sockets) */
} PhSystemdUnit;

typedef struct
{
  PhSystemdStopOutcome  outcome;
  char                 *held_by;     /* the unit that came back, or the .socket unit that
                                      * still listens there; NULL: another program */
} PhSystemdStopResult;

/* What Stop Service will do for one port: which manager, which units, in which order. */
typedef struct
{
  PhSystemdScope  scope;
  PhSystemdUnit  *service;           /* the .service, or NULL when only its socket is known */
  PhSystemdUnit  *socket;            /* the .socket unit listening there, or NULL */
  char          **units;             /* what Stop stops, in order: the .socket first */
  char           *protocol;
  char           *address;
  guint           port;
} PhSystemdPlan;

GQuark               ph_systemd_error_quark         (void);

PhSystemdUnit       *ph_systemd_unit_copy           (const PhSystemdUnit *unit);
void                 ph_systemd_unit_free           (PhSystemdUnit       *unit);
gboolean             ph_systemd_unit_restarts       (const PhSystemdUnit *unit);
void                 ph_systemd_stop_result_free    (PhSystemdStopResult *result);

/* The manager that runs a process, from the helper's manager/unit keys: TRUE and *scope
 * for "system-service" and "user-service". */
gboolean             ph_systemd_scope_for_manager   (const char          *manager,
                                                     PhSystemdScope      *scope);
/* TRUE for a service manager itself (PID 1's init.scope, a user@UID.service's
 * init.scope): it must never be signalled. */
gboolean             ph_systemd_is_manager_unit     (const char          *unit);

/* A unit's facts (Description, ActiveState, SubState, Restart, Triggers, …). */
void                 ph_systemd_get_unit_async      (PhSystemdScope       scope,
                                                     const char          *name,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PhSystemdUnit       *ph_systemd_get_unit_finish     (GAsyncResult        *result,
                                                     GError             **error);

/* The .socket unit whose Listen= names this port ("Stream" for tcp, "Datagram" for
 * udp), with its facts; PH_SYSTEMD_ERROR_NO_UNIT when none does. */
void                 ph_systemd_find_socket_async   (PhSystemdScope       scope,
                                                     const char          *protocol,
                                                     const char          *address,
                                                     guint                port,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PhSystemdUnit       *ph_systemd_find_socket_finish  (GAsyncResult        *result,
                                                     GError             **error);

/* StopUnit(unit, "replace") for each unit in order (a .socket before its service),
 * waiting for every job; then watches the port (protocol, address, port; port 0: no
 * check) for a moment and says whether it is free, still held or taken again. */
void                 ph_systemd_stop_async          (PhSystemdScope       scope,
                                                     const char * const  *units,
                                                     const char          *protocol,
                                                     const char          *address,
                                                     guint                port,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PhSystemdStopResult *ph_systemd_stop_finish         (GAsyncResult        *result,
                                                     GError             **error);

/* From a listed service whose owner belongs to a unit or is a service manager itself:
 * reads the unit (Description, state, Restart=) and, for socket activation, finds the
 * .socket unit by its Listen= and its service. */
void                 ph_systemd_plan_async          (PhService           *service,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PhSystemdPlan       *ph_systemd_plan_finish         (GAsyncResult        *result,
                                                     GError             **error);
void                 ph_systemd_plan_free           (PhSystemdPlan       *plan);
/* Stops the plan's units and watches its port (ph_systemd_stop_async). */
void                 ph_systemd_stop_plan_async     (const PhSystemdPlan *plan,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);

/* Words for people: the confirmation's body (why Stop Service and not a kill), and what
 * stopping did. */
char                *ph_systemd_plan_dup_confirmation (const PhSystemdPlan       *plan);
char                *ph_systemd_describe_result       (const PhSystemdPlan       *plan,
                                                       const PhSystemdStopResult *result);
/* "active (running)" */
char                *ph_systemd_unit_dup_state        (const PhSystemdUnit       *unit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhSystemdPlan, ph_systemd_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhSystemdUnit, ph_systemd_unit_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhSystemdStopResult, ph_systemd_stop_result_free)

G_END_DECLS
