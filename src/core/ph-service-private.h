/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-private.h: what the pieces of PhService share (ph-service*.c only) */
#pragma once

#include "ph-service.h"

G_BEGIN_DECLS

typedef struct
{
  PhProcess *process;            /* a reference */
  int        fd;
} PhServiceOwner;

struct _PhService
{
  GObject      parent_instance;

  guint64      id;               /* the list's key for it (ph_service_list's by_id) */
  const char  *protocol;         /* interned */
  /* Interned, as the user is: thousands of sockets share a few addresses and users. */
  const char  *address;
  gint64       uid;
  const char  *user;
  guint64      cgroup_id;
  const char  *unseen;           /* interned PH_UNSEEN_* reason, or NULL */
  /* The 4-byte fields together, and the bits after them: no padding between them. */
  guint        family;
  guint        port;
  int          v6only;
  guint        scope_id;
  guint        connections;
  guint        hidden : 1;
  guint        kernel : 1;
  guint        reachable : 1;
  /* A published port no host socket holds (ph_service_new_forwarded()): no owners, the
   * container is its group. */
  guint        forwarded : 1;

  /* The processes holding the socket, main owner first, each with the descriptor it
   * holds it under: @n_owners of them at @owners, which is @one when there is one (most
   * sockets have one), an array of its own when there are more, NULL when none. Not a
   * GPtrArray and a parallel array of fds: those cost three allocations, some 110 bytes,
   * per service. */
  PhServiceOwner *owners;
  PhServiceOwner  one;
  guint           n_owners;

  /* The group: the main owner's, or another user's, the unseen one, the kernel's; the
   * group-* properties are read from it. Never NULL once a record was applied. */
  PhAppIdentity *identity;
  /* The container whose published port this is, when an engine's helper holds it
   * (ph_service_list_set_containers); its identity is the group then. */
  PhContainer   *container;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_PROTOCOL,
  PROP_FAMILY,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_V6ONLY,
  PROP_SCOPE_ID,
  PROP_UID,
  PROP_USER,
  PROP_CGROUP_ID,
  PROP_CONNECTIONS,
  PROP_HIDDEN,
  PROP_KERNEL,
  PROP_UNSEEN,
  PROP_REACHABLE,
  PROP_OWNERS,
  PROP_MAIN_OWNER,
  PROP_DISPLAY_ADDRESS,
  PROP_GROUP_KEY,
  PROP_GROUP_NAME,
  PROP_GROUP_SUBTITLE,
  PROP_GROUP_ICON,
  PROP_GROUP_KIND,
  PROP_IDENTITY,
  N_PROPS
};

extern GParamSpec *ph_service_properties[N_PROPS];

/* ph-service.c: puts the main owner first; TRUE when the order changed */
gboolean ph_service_sort_owners (PhService *self);
/* Replaces the owners with the @n of @owners (an array from g_new(); taken, with the
 * references it holds). */
void     ph_service_take_owners (PhService      *self,
                                 PhServiceOwner *owners,
                                 guint           n);
PhServiceChange ph_service_refresh_group_full (PhService *self,
                                               gboolean   notify);

G_END_DECLS
