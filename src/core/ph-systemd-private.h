/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-systemd-private.h — what the pieces of ph-systemd*.c share */
#pragma once

#include "ph-systemd.h"

G_BEGIN_DECLS

#define SD_NAME "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"
#define SD_SERVICE "org.freedesktop.systemd1.Service"
#define SD_SOCKET "org.freedesktop.systemd1.Socket"
#define DBUS_PROPERTIES "org.freedesktop.DBus.Properties"

/* One operation's question (its task data): about a unit, a port, or units to stop. */
typedef struct _PhSystemdOp PhSystemdOp;

/* A question about one unit, asked on an open bus. */
typedef PhSystemdUnit *(*PhSystemdUnitQuery) (GDBusConnection  *bus,
                                              PhSystemdOp      *op,
                                              GCancellable     *cancellable,
                                              GError          **error);

struct _PhSystemdOp
{
  PhSystemdScope      scope;
  char               *name;
  char               *protocol;
  char               *address;
  guint               port;
  char              **units;
  PhSystemdUnitQuery  query;
};

/* ph-systemd-bus.c: the bus, and the operations' worker threads */

GDBusConnection *ph_systemd_bus_open           (PhSystemdScope       scope,
                                                GCancellable        *cancellable,
                                                GError             **error);
void             ph_systemd_set_call_error     (GError             **error,
                                                GError              *local,
                                                const char          *unit);
GVariant        *ph_systemd_call               (GDBusConnection     *bus,
                                                const char          *path,
                                                const char          *iface,
                                                const char          *method,
                                                GVariant            *args,
                                                const char          *reply_type,
                                                GDBusCallFlags       flags,
                                                int                  timeout_ms,
                                                GCancellable        *cancellable,
                                                GError             **error);
char            *ph_systemd_unit_path          (GDBusConnection     *bus,
                                                const char          *name,
                                                GCancellable        *cancellable,
                                                GError             **error);
PhSystemdUnit   *ph_systemd_read_unit          (GDBusConnection     *bus,
                                                PhSystemdScope       scope,
                                                const char          *name,
                                                GCancellable        *cancellable,
                                                GError             **error);
void             ph_systemd_op_free            (PhSystemdOp         *op);
PhSystemdOp     *ph_systemd_op_new             (PhSystemdScope       scope,
                                                const char          *protocol,
                                                const char          *address,
                                                guint                port);
void             ph_systemd_op_run             (PhSystemdOp         *op,
                                                gpointer             source_tag,
                                                GTaskThreadFunc      thread,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gpointer         ph_systemd_op_finish          (GAsyncResult        *result,
                                                gpointer             source_tag,
                                                GError             **error);
void             ph_systemd_unit_query_thread  (GTask               *task,
                                                gpointer             source,
                                                gpointer             task_data,
                                                GCancellable        *cancellable);

/* ph-systemd-socket.c: the .socket unit behind a port */

gboolean         ph_systemd_is_wildcard        (const char          *host);
PhSystemdUnit   *ph_systemd_find_socket_sync   (GDBusConnection     *bus,
                                                PhSystemdScope       scope,
                                                const char          *protocol,
                                                const char          *address,
                                                guint                port,
                                                GCancellable        *cancellable,
                                                GError             **error);

G_END_DECLS
