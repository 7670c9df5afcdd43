/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-private.h: what the pieces of PhService share (ph-service*.c only) */
#pragma once

#include "ph-service.h"

G_BEGIN_DECLS

struct _PhService
{
  GObject      parent_instance;

  guint64      id;               /* the list's key for it (ph_service_list's by_id) */
  const char  *protocol;         /* interned */
  guint        family;
  /* Interned, as the user is: thousands of sockets share a few addresses and users. */
  const char  *address;
  guint        port;
  int          v6only;
  guint        scope_id;
  gint64       uid;
  const char  *user;
  guint64      cgroup_id;
  guint        connections;
  const char  *unseen;           /* interned PH_UNSEEN_* reason, or NULL */

  GPtrArray   *owners;           /* PhProcess, main owner first */
  int         *owner_fds;        /* parallel to owners, exactly as many (NULL when none) */

  /* The group: the main owner's, or another user's, the unseen one, the kernel's; the
   * group-* properties are read from it. Never NULL once a record was applied. */
  PhAppIdentity *identity;
  /* The container whose published port this is, when an engine's helper holds it
   * (ph_service_list_set_containers); its identity is the group then. */
  PhContainer   *container;

  guint        hidden : 1;
  guint        kernel : 1;
  guint        reachable : 1;
  /* A published port no host socket holds (ph_service_new_forwarded()): no owners, the
   * container is its group. */
  guint        forwarded : 1;
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

/* ph-service.c: keeps owner_fds parallel to owners; TRUE when the order changed */
gboolean ph_service_sort_owners (PhService *self);
PhServiceChange ph_service_refresh_group_full (PhService *self,
                                               gboolean   notify);

G_END_DECLS
