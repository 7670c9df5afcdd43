/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-containers.h — Podman's and Docker's containers, asked of their APIs, and the ports they publish */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PH_CONTAINER_ENGINE_DOCKER,
  PH_CONTAINER_ENGINE_PODMAN,
} PhContainerEngine;

/* One published port: host_ip:host_port → container_port/protocol. */
typedef struct
{
  char  *host_ip;        /* "" when published on every address */
  guint  host_port;
  guint  container_port; /* 0 when unknown (a guess) */
  char  *protocol;       /* "tcp", "udp" */
} PhContainerPort;

#define PH_TYPE_CONTAINER (ph_container_get_type ())
G_DECLARE_FINAL_TYPE (PhContainer, ph_container, PH, CONTAINER, GObject)

const char        *ph_container_get_id           (PhContainer *self);
const char        *ph_container_get_name         (PhContainer *self);
const char        *ph_container_get_image        (PhContainer *self);
const char        *ph_container_get_state        (PhContainer *self);
PhContainerEngine  ph_container_get_engine       (PhContainer *self);
gboolean           ph_container_get_rootless     (PhContainer *self);
/* The API socket it was listed by; NULL for a guess. */
const char        *ph_container_get_socket       (PhContainer *self);
/* Named from a helper process's arguments and cgroup, not by the engine's API. */
gboolean           ph_container_get_guessed      (PhContainer *self);
/* Why the API could not be asked, and how to give Porthole access; NULL when it was. */
const char        *ph_container_get_access_hint  (PhContainer *self);
/* (element-type PhContainerPort) */
GArray            *ph_container_get_ports        (PhContainer *self);
/* "Podman", "Rootless Podman", "Docker", "Rootless Docker" */
const char        *ph_container_get_engine_label (PhContainer *self);
/* "Podman container", "Rootless Docker container"… */
const char        *ph_container_get_kind_label  (PhContainer *self);
/* "docker", "podman": what people type */
const char        *ph_container_get_engine_command (PhContainer *self);
/* The port that publishes @port/@protocol on @address, or NULL. */
const PhContainerPort *ph_container_find_port    (PhContainer *self,
                                                  const char  *address,
                                                  guint        port,
                                                  const char  *protocol);

/* What one look at every engine found. */
#define PH_TYPE_CONTAINER_SNAPSHOT (ph_container_snapshot_get_type ())
G_DECLARE_FINAL_TYPE (PhContainerSnapshot, ph_container_snapshot, PH, CONTAINER_SNAPSHOT, GObject)

/* (element-type PhContainer) */
GPtrArray         *ph_container_snapshot_get_containers (PhContainerSnapshot *self);
/* The container that publishes this port (the proxy process's kind picks the engine). */
PhContainer       *ph_container_snapshot_find   (PhContainerSnapshot *self,
                                                 const char          *address,
                                                 guint                port,
                                                 const char          *protocol,
                                                 int                  engine);
/* How an engine's socket answered: NULL when it did, else the error (not found: not running). */
const GError      *ph_container_snapshot_get_socket_error (PhContainerSnapshot *self,
                                                           PhContainerEngine    engine,
                                                           gboolean             rootless);

/* A published port that no host socket holds: traffic reaches the container by the
 * firewall's DNAT alone (older Docker without its proxy, nerdctl/CNI, nspawn --port). */
typedef struct
{
  PhContainer           *container;
  const PhContainerPort *port;      /* one of container's ports */
} PhForwardedPort;

/* (element-type PhForwardedPort) the running containers' published ports for which
 * @is_held (address, port, protocol, @user_data) says no host socket exists. */
typedef gboolean (*PhPortHeldFunc) (const char *address,
                                    guint       port,
                                    const char *protocol,
                                    gpointer    user_data);
GArray            *ph_container_snapshot_dup_forwarded (PhContainerSnapshot *self,
                                                        PhPortHeldFunc       is_held,
                                                        gpointer             user_data);
/* Whether any engine socket exists (then the engines are worth asking even when no
 * engine program holds a port). */
gboolean           ph_containers_any_socket      (void);

/* Which engine's helper this program is (conmon, pasta, docker-proxy, dockerd…): the engine,
 * or -1 for any other program. */
int                ph_containers_proxy_engine    (const char          *comm);
/* A container named from a proxy's arguments (conmon -n NAME, docker-proxy -container-port,
 * pasta -t A:B), marked guessed, with the access hint from @snapshot's socket errors. */
PhContainer       *ph_containers_guess          (const char          *comm,
                                                 const char * const  *argv,
                                                 gint64               uid,
                                                 const char          *container_id,
                                                 const char          *address,
                                                 guint                port,
                                                 const char          *protocol,
                                                 PhContainerSnapshot *snapshot);
/* Same facts (what is shown and what Stop Container uses). */
gboolean           ph_container_equal           (PhContainer         *a,
                                                 PhContainer         *b);
/* `127.0.0.1:18080 → 8000 in "shop-db"` */
char              *ph_container_describe_port   (PhContainer         *self,
                                                 const char          *address,
                                                 guint                port,
                                                 const char          *protocol);

/* "forwarded by the firewall (no program listens on this computer)" */
const char       *ph_containers_forwarded_note  (void);
/* "The container “legacy-db” (Docker) publishes this port to its port 5432: forwarded by
 * the firewall (no program listens on this computer)." */
char             *ph_container_dup_forwarded_text (PhContainer       *self,
                                                   guint              container_port);

/* The sockets Porthole asks, in order: rootful Docker and Podman, then the user's. */
char             **ph_containers_dup_socket_paths (void);

void                 ph_containers_query_async  (GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
PhContainerSnapshot *ph_containers_query_finish (GAsyncResult        *result,
                                                 GError             **error);
/* Blocking, for the command line (runs its own main context). */
PhContainerSnapshot *ph_containers_query_sync   (GCancellable        *cancellable);

/* What POST /containers/{id}/stop left. */
typedef enum
{
  PH_CONTAINER_STOP_STOPPED,    /* the engine stopped it */
  PH_CONTAINER_STOP_RESTARTED,  /* it runs again: a restart policy brought it back */
  PH_CONTAINER_STOP_NOT_FOUND,  /* the engine no longer knows it */
} PhContainerStopOutcome;

typedef struct
{
  PhContainerStopOutcome outcome;
  char                  *restart_policy;  /* "always", "unless-stopped", or NULL */
} PhContainerStopResult;

void ph_container_stop_result_free (PhContainerStopResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhContainerStopResult, ph_container_stop_result_free)

void                   ph_container_stop_async  (PhContainer         *self,
                                                 guint                timeout_s,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
PhContainerStopResult *ph_container_stop_finish (GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
