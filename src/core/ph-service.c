/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service.c — one listening socket and its owners: the object, its group and its order */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-address.h"
#include "ph-service-private.h"

GParamSpec *ph_service_properties[N_PROPS];
#define properties ph_service_properties

G_DEFINE_FINAL_TYPE (PhService, ph_service, G_TYPE_OBJECT)

static void
ph_service_finalize (GObject *object)
{
  PhService *self = (PhService *)object;

  ph_service_take_owners (self, NULL, 0);
  g_clear_object (&self->identity);
  g_clear_object (&self->container);

  G_OBJECT_CLASS (ph_service_parent_class)->finalize (object);
}

static void
ph_service_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PhService *self = PH_SERVICE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint64 (value, self->id);
      break;

    case PROP_PROTOCOL:
      g_value_set_static_string (value, self->protocol);
      break;

    case PROP_FAMILY:
      g_value_set_uint (value, self->family);
      break;

    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_V6ONLY:
      g_value_set_int (value, self->v6only);
      break;

    case PROP_SCOPE_ID:
      g_value_set_uint (value, self->scope_id);
      break;

    case PROP_UID:
      g_value_set_int64 (value, self->uid);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_CGROUP_ID:
      g_value_set_uint64 (value, self->cgroup_id);
      break;

    case PROP_CONNECTIONS:
      g_value_set_uint (value, self->connections);
      break;

    case PROP_HIDDEN:
      g_value_set_boolean (value, self->hidden);
      break;

    case PROP_KERNEL:
      g_value_set_boolean (value, self->kernel);
      break;

    case PROP_UNSEEN:
      g_value_set_static_string (value, self->unseen);
      break;

    case PROP_REACHABLE:
      g_value_set_boolean (value, self->reachable);
      break;

    case PROP_OWNERS:
      {
        GPtrArray *owners = g_ptr_array_new_full (self->n_owners, g_object_unref);

        for (guint i = 0; i < self->n_owners; i++)
          g_ptr_array_add (owners, g_object_ref (self->owners[i].process));
        g_value_take_boxed (value, owners);
      }
      break;

    case PROP_MAIN_OWNER:
      g_value_set_object (value, ph_service_get_main_owner (self));
      break;

    case PROP_DISPLAY_ADDRESS:
      g_value_take_string (value, ph_service_dup_display_address (self));
      break;

    case PROP_GROUP_KEY:
      g_value_set_string (value, ph_service_get_group_key (self));
      break;

    case PROP_GROUP_NAME:
      g_value_set_string (value, ph_service_get_group_name (self));
      break;

    case PROP_GROUP_SUBTITLE:
      g_value_set_string (value, ph_service_get_group_subtitle (self));
      break;

    case PROP_GROUP_ICON:
      g_value_set_string (value, ph_service_get_group_icon (self));
      break;

    case PROP_GROUP_KIND:
      g_value_set_enum (value, ph_service_get_group_kind (self));
      break;

    case PROP_IDENTITY:
      g_value_set_object (value, self->identity);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_service_class_init (PhServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ph_service_finalize;
  object_class->get_property = ph_service_get_property;

  properties[PROP_ID] = g_param_spec_uint64 ("id", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_PROTOCOL] = g_param_spec_string ("protocol", NULL, NULL, NULL, flags);
  properties[PROP_FAMILY] = g_param_spec_uint ("family", NULL, NULL, 0, 6, 0, flags);
  properties[PROP_ADDRESS] = g_param_spec_string ("address", NULL, NULL, NULL, flags);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0, flags);
  /* -1: not known (IPv4, or the /proc/net path) */
  properties[PROP_V6ONLY] = g_param_spec_int ("v6only", NULL, NULL, -1, 1, -1, flags);
  properties[PROP_SCOPE_ID] = g_param_spec_uint ("scope-id", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_UID] = g_param_spec_int64 ("uid", NULL, NULL, -1, G_MAXUINT32, -1, flags);
  properties[PROP_USER] = g_param_spec_string ("user", NULL, NULL, NULL, flags);
  properties[PROP_CGROUP_ID] =
    g_param_spec_uint64 ("cgroup-id", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_CONNECTIONS] =
    g_param_spec_uint ("connections", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_HIDDEN] = g_param_spec_boolean ("hidden", NULL, NULL, FALSE, flags);
  properties[PROP_KERNEL] = g_param_spec_boolean ("kernel", NULL, NULL, FALSE, flags);
  /* Why no holder can be seen from where the scanner runs (PH_UNSEEN_*), or NULL */
  properties[PROP_UNSEEN] = g_param_spec_string ("unseen", NULL, NULL, NULL, flags);
  properties[PROP_REACHABLE] = g_param_spec_boolean ("reachable", NULL, NULL, FALSE, flags);
  properties[PROP_OWNERS] = g_param_spec_boxed ("owners", NULL, NULL, G_TYPE_PTR_ARRAY, flags);
  properties[PROP_MAIN_OWNER] =
    g_param_spec_object ("main-owner", NULL, NULL, PH_TYPE_PROCESS, flags);
  properties[PROP_DISPLAY_ADDRESS] =
    g_param_spec_string ("display-address", NULL, NULL, NULL, flags);
  properties[PROP_GROUP_KEY] = g_param_spec_string ("group-key", NULL, NULL, NULL, flags);
  properties[PROP_GROUP_NAME] = g_param_spec_string ("group-name", NULL, NULL, NULL, flags);
  properties[PROP_GROUP_SUBTITLE] =
    g_param_spec_string ("group-subtitle", NULL, NULL, NULL, flags);
  properties[PROP_GROUP_ICON] = g_param_spec_string ("group-icon", NULL, NULL, NULL, flags);
  properties[PROP_GROUP_KIND] =
    g_param_spec_enum ("group-kind", NULL, NULL, PH_TYPE_APP_KIND, PH_APP_KIND_PROGRAM, flags);
  properties[PROP_IDENTITY] =
    g_param_spec_object ("identity", NULL, NULL, PH_TYPE_APP_IDENTITY, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ph_service_init (PhService *self)
{
  self->protocol = g_intern_static_string ("tcp");
  self->v6only = -1;
  self->uid = -1;
}

/* ---- grouping ----------------------------------------------------------------------- */

/* The process that started the others: its parent is not among the holders. */
static int
compare_owners (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  PhProcess *pa = ((const PhServiceOwner *) a)->process;
  PhProcess *pb = ((const PhServiceOwner *) b)->process;
  PhService *self = user_data;
  gboolean a_child = FALSE;
  gboolean b_child = FALSE;

  for (guint i = 0; i < self->n_owners; i++)
    {
      gint64 pid = ph_process_get_pid (self->owners[i].process);

      a_child |= pid == ph_process_get_ppid (pa);
      b_child |= pid == ph_process_get_ppid (pb);
    }

  if (a_child != b_child)
    return a_child ? 1 : -1;
  if (ph_process_get_start_time (pa) != ph_process_get_start_time (pb))
    return ph_process_get_start_time (pa) < ph_process_get_start_time (pb) ? -1 : 1;
  if (ph_process_get_pid (pa) != ph_process_get_pid (pb))
    return ph_process_get_pid (pa) < ph_process_get_pid (pb) ? -1 : 1;
  return 0;
}

/* Returns TRUE when the order changed. */
gboolean
ph_service_sort_owners (PhService *self)
{
  g_autofree PhServiceOwner *sorted = NULL;
  gboolean changed = FALSE;

  if (self->n_owners < 2)
    return FALSE;

  /* Sorted apart: compare_owners() reads the owners as they are. */
  sorted = g_memdup2 (self->owners, self->n_owners * sizeof *sorted);
  g_sort_array (sorted, self->n_owners, sizeof *sorted, compare_owners, self);
  for (guint i = 0; i < self->n_owners; i++)
    changed |= sorted[i].process != self->owners[i].process;
  if (changed)
    memcpy (self->owners, sorted, self->n_owners * sizeof *sorted);
  return changed;
}

void
ph_service_take_owners (PhService      *self,
                        PhServiceOwner *owners,
                        guint           n)
{
  for (guint i = 0; i < self->n_owners; i++)
    g_object_unref (self->owners[i].process);
  if (self->owners != &self->one)
    g_free (self->owners);
  self->owners = NULL;
  self->n_owners = n;
  if (n == 1)
    {
      self->one = owners[0];
      self->owners = &self->one;
      g_free (owners);
    }
  else if (n > 1)
    self->owners = owners;
  else
    g_free (owners);
}

/* The group the service belongs to now: its main owner's, another user's, that of owners
 * out of sight, or the kernel's. Returns (transfer full). */
static PhAppIdentity *
container_identity (PhContainer *container)
{
  const char *image = ph_container_get_image (container);
  g_autofree char *key = g_strdup_printf ("container:%s:%s:%s",
                                          ph_container_get_engine_command (container),
                                          ph_container_get_guessed (container)
                                          ? "guess" : ph_container_get_socket (container),
                                          ph_container_get_guessed (container)
                                          ? ph_container_get_name (container)
                                          : ph_container_get_id (container));
  g_autofree char *subtitle = NULL;

  const char *kind = ph_container_get_kind_label (container);

  if (ph_container_get_guessed (container))
    /* Translators: %s is "Podman container", "Rootless Docker container"…; the engine
     * could not be asked */
    subtitle = g_strdup_printf (_("%s (name guessed)"), kind);
  else if (image != NULL && *image != '\0')
    subtitle = g_strdup_printf ("%s · %s", kind, image);
  else
    subtitle = g_strdup (kind);
  return ph_app_identity_new_container (key, ph_container_get_name (container), subtitle,
                                        ph_container_get_access_hint (container));
}

static PhAppIdentity *
current_identity (PhService *self)
{
  PhProcess *main_owner = ph_service_get_main_owner (self);

  if (self->container != NULL && (main_owner != NULL || self->forwarded))
    return container_identity (self->container);

  if (main_owner != NULL)
    return g_object_ref (ph_process_get_identity (main_owner));

  if (self->hidden)
    {
      guint uid = self->uid >= 0 ? (guint) self->uid : G_MAXUINT;
      g_autofree char *hidden_key = g_strdup_printf ("hidden:%u", uid);

      /* The same other user as before: keep the object (and its name). */
      if (self->identity != NULL &&
          ph_app_identity_get_kind (self->identity) == PH_APP_KIND_HIDDEN &&
          g_strcmp0 (ph_app_identity_get_key (self->identity), hidden_key) == 0)
        return g_object_ref (self->identity);
      return ph_app_identity_new_hidden (uid, self->user);
    }

  if (self->unseen != NULL)
    {
      g_autofree char *unseen_key = g_strconcat ("unseen:", self->unseen, NULL);

      if (self->identity != NULL &&
          ph_app_identity_get_kind (self->identity) == PH_APP_KIND_UNSEEN &&
          g_strcmp0 (ph_app_identity_get_key (self->identity), unseen_key) == 0)
        return g_object_ref (self->identity);
      return ph_app_identity_new_unseen (self->unseen);
    }

  if (self->kernel)
    {
      static PhAppIdentity *kernel_identity;

      if (g_once_init_enter_pointer (&kernel_identity))
        g_once_init_leave_pointer (&kernel_identity, ph_app_identity_new_kernel ());
      return g_object_ref (kernel_identity);
    }

  {
    static PhAppIdentity *unknown_identity;

    if (g_once_init_enter_pointer (&unknown_identity))
      g_once_init_leave_pointer (&unknown_identity, ph_app_identity_new_unknown ());
    return g_object_ref (unknown_identity);
  }
}

static gboolean
notify_if_changed (PhService  *self,
                   const char *before,
                   const char *after,
                   guint       prop)
{
  if (g_strcmp0 (before, after) == 0)
    return FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

/**
 * ph_service_refresh_group:
 *
 * Takes the group from the main owner's identity (or the hidden, kernel or unknown
 * group). Call it when an owner's facts changed. Only a real change of the identity
 * (ph_app_identity_equal()) replaces it; then "identity" and each group-* property whose
 * value differs are notified.
 *
 * Returns: what changed
 */
PhServiceChange
ph_service_refresh_group (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), PH_SERVICE_CHANGED_NONE);

  return ph_service_refresh_group_full (self, TRUE);
}

/* With @notify FALSE, for a service being made, that no one can watch yet: the same, with
 * no notification. */
PhServiceChange
ph_service_refresh_group_full (PhService *self,
                               gboolean   notify)
{
  g_autoptr(PhAppIdentity) identity = NULL;
  g_autoptr(PhAppIdentity) old = NULL;
  PhServiceChange change = PH_SERVICE_CHANGED_NONE;

  if (ph_service_sort_owners (self))
    {
      change |= PH_SERVICE_CHANGED_FIELDS;
      if (notify)
        {
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWNERS]);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAIN_OWNER]);
        }
    }

  if (!notify)
    {
      /* Made just now: no identity yet, so a change of every field and of the order. */
      g_assert (self->identity == NULL);
      self->identity = current_identity (self);
      return change | PH_SERVICE_CHANGED_FIELDS | PH_SERVICE_CHANGED_ORDER;
    }

  identity = current_identity (self);
  if (self->identity != NULL && ph_app_identity_equal (self->identity, identity))
    return change;

  old = g_steal_pointer (&self->identity);
  self->identity = g_steal_pointer (&identity);
  change |= PH_SERVICE_CHANGED_FIELDS;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTITY]);

  if (old == NULL || ph_app_identity_compare (old, self->identity) != 0)
    change |= PH_SERVICE_CHANGED_ORDER;
  if (old == NULL || ph_app_identity_get_kind (old) != ph_app_identity_get_kind (self->identity))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_KIND]);
#define GROUP_PROP(getter, prop) \
  notify_if_changed (self, old != NULL ? getter (old) : NULL, getter (self->identity), prop)
  GROUP_PROP (ph_app_identity_get_key, PROP_GROUP_KEY);
  GROUP_PROP (ph_app_identity_get_name, PROP_GROUP_NAME);
  GROUP_PROP (ph_app_identity_get_subtitle, PROP_GROUP_SUBTITLE);
  GROUP_PROP (ph_app_identity_get_icon_name, PROP_GROUP_ICON);
#undef GROUP_PROP

  return change;
}

/* ---- getters ------------------------------------------------------------------------ */

guint64
ph_service_get_id (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), 0);
  return self->id;
}

/* Where the service keeps its id, which never changes once set: a key for a table of
 * services by id (PhServiceList's) that needs no copy of its own, as long as the
 * service is alive. */
const guint64 *
ph_service_get_id_key (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return &self->id;
}

/* "tcp" or "udp" (interned) */
const char *
ph_service_get_protocol (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->protocol;
}

/* 4 or 6 */
guint
ph_service_get_family (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), 0);
  return self->family;
}

const char *
ph_service_get_address (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->address;
}

guint
ph_service_get_port (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), 0);
  return self->port;
}

/* -1 unknown, 0 dual-stack, 1 IPv6 only */
int
ph_service_get_v6only (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), -1);
  return self->v6only;
}

guint
ph_service_get_scope_id (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), 0);
  return self->scope_id;
}

gint64
ph_service_get_uid (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), -1);
  return self->uid;
}

const char *
ph_service_get_user (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->user;
}

guint64
ph_service_get_cgroup_id (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), 0);
  return self->cgroup_id;
}

guint
ph_service_get_connections (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), 0);
  return self->connections;
}

gboolean
ph_service_get_hidden (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);
  return self->hidden;
}

gboolean
ph_service_get_kernel (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);
  return self->kernel;
}

/**
 * ph_service_get_unseen:
 *
 * Returns: (nullable): why no process can be seen holding the socket from where the
 *   scanner runs (%PH_UNSEEN_PID_NAMESPACE, %PH_UNSEEN_NO_PROC or a reason this Porthole
 *   does not know), or %NULL when its owners are known, hidden, or it is the kernel's
 */
const char *
ph_service_get_unseen (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->unseen;
}

/* The holder is not known: hidden (another user's), out of sight, or nobody (the kernel). */
gboolean
ph_service_get_owner_unknown (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);
  return self->hidden || self->kernel || self->unseen != NULL;
}

/**
 * ph_service_get_n_owners:
 *
 * Returns: how many processes hold the socket
 */
guint
ph_service_get_n_owners (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), 0);
  return self->n_owners;
}

/**
 * ph_service_get_owner:
 * @index: less than ph_service_get_n_owners()
 *
 * Returns: (transfer none): a process holding the socket; the main owner (the one that
 *   started the others) is the first
 */
PhProcess *
ph_service_get_owner (PhService *self,
                      guint      index)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  g_return_val_if_fail (index < self->n_owners, NULL);
  return self->owners[index].process;
}

/**
 * ph_service_get_main_owner:
 *
 * Returns: (transfer none) (nullable): the first owner, or %NULL when none is known
 */
PhProcess *
ph_service_get_main_owner (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->n_owners > 0 ? self->owners[0].process : NULL;
}

/* The descriptor number @owner holds the socket under, or -1. */
int
ph_service_get_owner_fd (PhService *self,
                         PhProcess *owner)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), -1);

  for (guint i = 0; i < self->n_owners; i++)
    if (self->owners[i].process == owner)
      return self->owners[i].fd;
  return -1;
}

/* The group-* getters read the identity: the group is stored once. */

const char *
ph_service_get_group_key (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->identity != NULL ? ph_app_identity_get_key (self->identity) : NULL;
}

const char *
ph_service_get_group_name (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->identity != NULL ? ph_app_identity_get_name (self->identity) : NULL;
}

const char *
ph_service_get_group_subtitle (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->identity != NULL ? ph_app_identity_get_subtitle (self->identity) : NULL;
}

const char *
ph_service_get_group_icon (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->identity != NULL ? ph_app_identity_get_icon_name (self->identity) : NULL;
}

PhAppKind
ph_service_get_group_kind (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), PH_APP_KIND_PROGRAM);
  return self->identity != NULL ? ph_app_identity_get_kind (self->identity)
                                : PH_APP_KIND_PROGRAM;
}

/**
 * ph_service_get_container:
 *
 * Returns: (transfer none) (nullable): the container that publishes this port
 */
PhContainer *
ph_service_get_container (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->container;
}

/**
 * ph_service_set_container:
 * @container: (nullable): the container whose engine's helper holds the socket
 *
 * The container becomes the group (ph_service_refresh_group()).
 *
 * Returns: what changed
 */
PhServiceChange
ph_service_set_container (PhService   *self,
                          PhContainer *container)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), PH_SERVICE_CHANGED_NONE);
  g_return_val_if_fail (container == NULL || PH_IS_CONTAINER (container), PH_SERVICE_CHANGED_NONE);

  if (self->container == NULL && container == NULL)
    return PH_SERVICE_CHANGED_NONE;
  g_set_object (&self->container, container);
  return ph_service_refresh_group (self) | PH_SERVICE_CHANGED_FIELDS;
}

/**
 * ph_service_new_forwarded:
 * @container: the running container that publishes @port
 * @port: one of @container's ports, which no host socket holds
 *
 * A row for a port the engine forwards by the firewall alone (DNAT): no process holds
 * it, so it has no owners and no id; its group is the container.
 *
 * Returns: (transfer full): the service
 */
PhService *
ph_service_new_forwarded (PhContainer           *container,
                          const PhContainerPort *port)
{
  PhService *self;
  const char *host = port->host_ip;
  g_autoptr(GInetAddress) inet = NULL;

  g_return_val_if_fail (PH_IS_CONTAINER (container), NULL);

  self = g_object_new (PH_TYPE_SERVICE, NULL);
  /* Published on every address: the engine forwards what reaches any IPv4 address. */
  if (host == NULL || *host == '\0')
    host = "0.0.0.0";
  inet = g_inet_address_new_from_string (host);
  self->forwarded = TRUE;
  self->protocol = g_intern_string (port->protocol != NULL ? port->protocol : "tcp");
  self->family = inet != NULL && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6
                 ? 6 : 4;
  self->address = g_intern_string (host);
  self->port = port->host_port;
  self->reachable = inet != NULL && ph_address_is_reachable (inet);
  ph_service_set_container (self, container);
  return self;
}

/* Whether this is a row for a port no host socket holds (ph_service_new_forwarded()). */
gboolean
ph_service_get_forwarded (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);
  return self->forwarded;
}

/**
 * ph_service_get_identity:
 *
 * Returns: (transfer none): the application the service belongs to: its main
 *   owner's, or the group of another user's or of the kernel's sockets
 */
PhAppIdentity *
ph_service_get_identity (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->identity;
}

/**
 * ph_service_compare:
 *
 * The model's order: by group (applications by name, then other users', then the
 * kernel's), then port, address, protocol and id. Usable as a GtkCustomSorter function;
 * two services of one group are always adjacent.
 */
/* Orders services by their group alone, in the list's order: equal for two services of
 * one section. */
int
ph_service_compare_group (gconstpointer a,
                          gconstpointer b)
{
  return ph_app_identity_compare (((PhService *) a)->identity, ((PhService *) b)->identity);
}

int
ph_service_compare (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  PhService *sa = (PhService *) a;
  PhService *sb = (PhService *) b;
  int cmp;

  cmp = ph_app_identity_compare (sa->identity, sb->identity);
  if (cmp != 0)
    return cmp;
  if (sa->port != sb->port)
    return sa->port < sb->port ? -1 : 1;
  cmp = g_strcmp0 (sa->address, sb->address);
  if (cmp != 0)
    return cmp;
  cmp = strcmp (sa->protocol, sb->protocol);
  if (cmp != 0)
    return cmp;
  if (sa->id != sb->id)
    return sa->id < sb->id ? -1 : 1;
  return 0;
}
