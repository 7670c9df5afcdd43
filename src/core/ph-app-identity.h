/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-app-identity.h: which application a listening process belongs to, and its name */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Plain facts about one owning process, as the helper reports them (src/scan/PROTOCOL.md,
 * PROC record). Every field may be NULL when unknown. */
typedef struct
{
  const char *comm;
  const char *exe;
  const char *cwd;
  const char * const *argv;
  const char *manager;        /* system-service, user-service, app, flatpak, container,
                                 session, none */
  const char *unit;
  const char *app_id;
  const char *container;
  const char *container_kind; /* docker, libpod, containerd */
  guint uid;
  const char *user;
  const char *app_name;       /* the desktop entry's Name and Icon as the helper read them */
  const char *app_icon;       /* on the host (used when this side has no such entry) */
} PhProcessFacts;

/* What kind of application a group is. The order is the list's order of sections: what
 * the user started first, the system last; ph_app_identity_compare() sorts by it. */
typedef enum
{
  PH_APP_KIND_DEV_SERVER,
  PH_APP_KIND_DESKTOP_APP,
  PH_APP_KIND_FLATPAK,
  PH_APP_KIND_PROGRAM,
  PH_APP_KIND_USER_SERVICE,
  PH_APP_KIND_CONTAINER,
  PH_APP_KIND_SYSTEM_SERVICE,
  PH_APP_KIND_HIDDEN,
  PH_APP_KIND_UNSEEN,
  PH_APP_KIND_KERNEL,
} PhAppKind;

GType ph_app_kind_get_type (void) G_GNUC_CONST;
#define PH_TYPE_APP_KIND (ph_app_kind_get_type ())

const char *ph_app_kind_to_string (PhAppKind kind);

/* How many characters of a container ID people see ("3f2a1b9c0d12"), as docker ps does. */
#define PH_CONTAINER_SHORT_ID_LENGTH 12

/* The first PH_CONTAINER_SHORT_ID_LENGTH characters of a container's ID, as engines show
 * it; always valid UTF-8, cut between characters. */
char *ph_container_short_id (const char *id);

#define PH_APP_IDENTITY_ERROR (ph_app_identity_error_quark ())
typedef enum
{
  PH_APP_IDENTITY_ERROR_INVALID_RULE,
} PhAppIdentityError;
GQuark ph_app_identity_error_quark (void);

#define PH_TYPE_APP_IDENTITY (ph_app_identity_get_type ())
G_DECLARE_FINAL_TYPE (PhAppIdentity, ph_app_identity, PH, APP_IDENTITY, GObject)

PhAppIdentity *ph_app_identity_new_for_process (const PhProcessFacts *facts);
PhAppIdentity *ph_app_identity_new_kernel      (void);
PhAppIdentity *ph_app_identity_new_hidden      (guint                 uid,
                                                const char           *user);
PhAppIdentity *ph_app_identity_new_unseen      (const char           *reason);
/* A container named by its engine (or guessed): key, name, subtitle and description. */
PhAppIdentity *ph_app_identity_new_container   (const char           *key,
                                                const char           *name,
                                                const char           *subtitle,
                                                const char           *description);
/* For a socket with no owner, neither hidden, unseen nor the kernel's (should not happen). */
PhAppIdentity *ph_app_identity_new_unknown     (void);

/* Same kind, key, name, subtitle, description, icon and tool: nothing shown differs. */
gboolean       ph_app_identity_equal           (PhAppIdentity        *a,
                                                PhAppIdentity        *b);
/* The list's order of groups: kind, then name (as people sort it), then key. */
int            ph_app_identity_compare         (PhAppIdentity        *a,
                                                PhAppIdentity        *b);

/* The group key: equal keys are one section in the list. Stable across refreshes. */
const char    *ph_app_identity_get_key         (PhAppIdentity        *self);
const char    *ph_app_identity_get_name        (PhAppIdentity        *self);
const char    *ph_app_identity_get_subtitle    (PhAppIdentity        *self);
/* A longer line, or NULL: the unit's Description, the project folder, the program. */
const char    *ph_app_identity_get_description (PhAppIdentity        *self);
/* A themed icon name (an app's own icon is named after its app ID). */
const char    *ph_app_identity_get_icon_name   (PhAppIdentity        *self);
/* The app's own icon when it has one (also a file icon), else a themed icon. */
GIcon         *ph_app_identity_get_icon        (PhAppIdentity        *self);
PhAppKind      ph_app_identity_get_kind        (PhAppIdentity        *self);
/* For dev servers: the tool ("Vite") and its rule id ("vite"); NULL otherwise. */
const char    *ph_app_identity_get_tool        (PhAppIdentity        *self);
const char    *ph_app_identity_get_tool_id     (PhAppIdentity        *self);

/* Checks dev-server rules in the format of data/dev-servers.ini; returns how many there
 * are, or 0 with @error naming the first bad entry. */
guint          ph_app_identity_check_rules     (const char           *data,
                                                gsize                 length,
                                                GError              **error);

/* Checks daemon names in the format of data/daemons.ini; returns how many there are, or 0
 * with @error naming the first bad entry. */
guint          ph_app_identity_check_daemons   (const char           *data,
                                                gsize                 length,
                                                GError              **error);

G_END_DECLS
