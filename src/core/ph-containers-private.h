/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-containers-private.h — what the pieces of ph-containers*.c share */
#pragma once

#include "ph-containers.h"
#include "ph-helper-client.h"

G_BEGIN_DECLS

struct _PhContainer
{
  GObject            parent_instance;
  char              *id;
  char              *name;
  char              *image;
  char              *state;
  char              *socket;
  char              *access_hint;
  PhContainerEngine  engine;
  gboolean           rootless;
  gboolean           guessed;
  GArray            *ports;
};

/* How one engine socket answered, in a snapshot. */
typedef struct
{
  char              *path;
  PhContainerEngine  engine;
  gboolean           rootless;
  GError            *error;     /* NULL: it answered */
} SocketState;

struct _PhContainerSnapshot
{
  GObject    parent_instance;
  GPtrArray *containers;
  GPtrArray *sockets;     /* SocketState */
};

/* ph-containers.c */

void            ph_container_add_port       (PhContainer *self,
                                             const char  *host_ip,
                                             guint        host_port,
                                             guint        container_port,
                                             const char  *protocol);

/* ph-containers-engine.c: inside the Flatpak, the helper on the host that asks the
 * engines for us; natively NULL (unless PORTHOLE_CONTAINERS_RELAY=1). */

PhHelperClient *ph_containers_relay_client  (void);

G_END_DECLS
