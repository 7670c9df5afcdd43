/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service.c — one listening socket and its owners, updated in place from SOCK records */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <net/if.h>
#include <string.h>

#include "ph-service.h"

struct _PhService
{
  GObject      parent_instance;

  guint64      id;
  const char  *protocol;         /* interned */
  guint        family;
  char        *address;
  guint        port;
  int          v6only;
  guint        scope_id;
  gint64       uid;
  char        *user;
  guint64      cgroup_id;
  guint        connections;

  GPtrArray   *owners;           /* PhProcess, main owner first */
  GArray      *owner_fds;        /* int, parallel to owners */

  char        *group_key;
  char        *group_name;
  char        *group_subtitle;
  char        *group_icon;
  char        *group_kind;
  char        *sort_key;
  PhAppIdentity *identity;

  guint        hidden : 1;
  guint        kernel : 1;
  guint        reachable : 1;
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

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PhService, ph_service, G_TYPE_OBJECT)

/* Sections in this order: what the user started first, the system last. The GUI's own
 * section sorter uses the same order, so sorting this model's order again is cheap. */
static const char * const group_kind_order[] = {
  "dev-server", "desktop-app", "flatpak", "program", "user-service", "container",
  "system-service", "hidden", "kernel",
};

static void
ph_service_finalize (GObject *object)
{
  PhService *self = (PhService *)object;

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->owners, g_ptr_array_unref);
  g_clear_pointer (&self->owner_fds, g_array_unref);
  g_clear_pointer (&self->group_key, g_free);
  g_clear_pointer (&self->group_name, g_free);
  g_clear_pointer (&self->group_subtitle, g_free);
  g_clear_pointer (&self->group_icon, g_free);
  g_clear_pointer (&self->group_kind, g_free);
  g_clear_pointer (&self->sort_key, g_free);
  g_clear_object (&self->identity);

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

    case PROP_REACHABLE:
      g_value_set_boolean (value, self->reachable);
      break;

    case PROP_OWNERS:
      g_value_set_boxed (value, self->owners);
      break;

    case PROP_MAIN_OWNER:
      g_value_set_object (value, ph_service_get_main_owner (self));
      break;

    case PROP_DISPLAY_ADDRESS:
      g_value_take_string (value, ph_service_dup_display_address (self));
      break;

    case PROP_GROUP_KEY:
      g_value_set_string (value, self->group_key);
      break;

    case PROP_GROUP_NAME:
      g_value_set_string (value, self->group_name);
      break;

    case PROP_GROUP_SUBTITLE:
      g_value_set_string (value, self->group_subtitle);
      break;

    case PROP_GROUP_ICON:
      g_value_set_string (value, self->group_icon);
      break;

    case PROP_GROUP_KIND:
      g_value_set_string (value, self->group_kind);
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
  properties[PROP_GROUP_KIND] = g_param_spec_string ("group-kind", NULL, NULL, NULL, flags);
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
  self->owners = g_ptr_array_new_with_free_func (g_object_unref);
  self->owner_fds = g_array_new (FALSE, FALSE, sizeof (int));
}

/* ---- addresses ---------------------------------------------------------------------- */

/**
 * ph_format_socket_address:
 *
 * Returns: (transfer full): "127.0.0.1:62893", "[::1]:8080", "[fe80::1%eth0]:22" — the
 *   form a person copies into a browser or another program
 */
char *
ph_format_socket_address (const char *address,
                          guint       port,
                          guint       scope_id)
{
  g_return_val_if_fail (address != NULL, NULL);

  if (strchr (address, ':') == NULL)
    return g_strdup_printf ("%s:%u", address, port);

  if (scope_id != 0)
    {
      char name[IF_NAMESIZE + 1] = { 0 };

      if (if_indextoname (scope_id, name) != NULL)
        return g_strdup_printf ("[%s%%%s]:%u", address, name, port);
      return g_strdup_printf ("[%s%%%u]:%u", address, scope_id, port);
    }

  return g_strdup_printf ("[%s]:%u", address, port);
}

/* 0.0.0.0, :: and every address that is not loopback can be reached from outside. */
gboolean
ph_address_is_reachable_from_network (const char *address)
{
  g_autoptr(GInetAddress) inet = NULL;

  if (address == NULL)
    return FALSE;

  inet = g_inet_address_new_from_string (address);
  if (inet == NULL)
    return FALSE;

  if (g_inet_address_get_is_loopback (inet))
    return FALSE;

  /* GLib does not call ::ffff:127.0.0.1 loopback, but the kernel treats it as 127.0.0.1. */
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    {
      const guint8 *bytes = g_inet_address_to_bytes (inet);
      static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

      if (memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0 && bytes[12] == 127)
        return FALSE;
    }

  return TRUE;
}

char *
ph_service_dup_display_address (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);

  return ph_format_socket_address (self->address != NULL ? self->address : "",
                                   self->port, self->scope_id);
}

gboolean
ph_service_is_reachable_from_network (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);

  return self->reachable;
}

/* ---- grouping ----------------------------------------------------------------------- */

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* The position of a group kind in the list's order (unknown kinds go with "program"). */
int
ph_service_group_kind_rank (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (group_kind_order); i++)
    {
      if (g_strcmp0 (kind, group_kind_order[i]) == 0)
        return (int) i;
    }
  return 3;
}

static char *
make_sort_key (char        rank,
               const char *name,
               const char *key)
{
  g_autofree char *folded = g_utf8_casefold (name != NULL ? name : "", -1);
  g_autofree char *collated = g_utf8_collate_key (folded, -1);

  return g_strdup_printf ("%c%s\x01%s", rank, collated, key != NULL ? key : "");
}

/* The process that started the others: its parent is not among the holders. */
static int
compare_owners (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  PhProcess *pa = *(PhProcess **) a;
  PhProcess *pb = *(PhProcess **) b;
  GPtrArray *owners = user_data;
  gboolean a_child = FALSE;
  gboolean b_child = FALSE;

  for (guint i = 0; i < owners->len; i++)
    {
      gint64 pid = ph_process_get_pid (g_ptr_array_index (owners, i));

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

/* Keeps owner_fds parallel to owners while sorting. Returns TRUE when the order changed. */
static gboolean
sort_owners (PhService *self)
{
  g_autoptr(GPtrArray) sorted = NULL;
  g_autoptr(GArray) fds = NULL;
  gboolean changed = FALSE;

  if (self->owners->len < 2)
    return FALSE;

  sorted = g_ptr_array_copy (self->owners, (GCopyFunc) g_object_ref, NULL);
  g_ptr_array_sort_with_data (sorted, compare_owners, self->owners);

  fds = g_array_sized_new (FALSE, FALSE, sizeof (int), self->owners->len);
  for (guint i = 0; i < sorted->len; i++)
    {
      guint old_index = 0;

      g_ptr_array_find (self->owners, sorted->pdata[i], &old_index);
      g_array_append_val (fds, g_array_index (self->owner_fds, int, old_index));
      changed |= old_index != i;
    }

  if (!changed)
    return FALSE;

  g_clear_pointer (&self->owners, g_ptr_array_unref);
  self->owners = g_steal_pointer (&sorted);
  g_clear_pointer (&self->owner_fds, g_array_unref);
  self->owner_fds = g_steal_pointer (&fds);
  return TRUE;
}

/**
 * ph_service_refresh_group:
 *
 * Recomputes the group from the main owner's identity (or the hidden or kernel group).
 * Call it when an owner's facts changed.
 *
 * Returns: what changed
 */
PhServiceChange
ph_service_refresh_group (PhService *self)
{
  g_autoptr(PhAppIdentity) identity = NULL;
  g_autofree char *sort_key = NULL;
  PhProcess *main_owner;
  const char *key;
  const char *name;
  const char *subtitle;
  const char *icon;
  const char *kind;
  PhServiceChange change = PH_SERVICE_CHANGED_NONE;

  g_return_val_if_fail (PH_IS_SERVICE (self), PH_SERVICE_CHANGED_NONE);

  if (sort_owners (self))
    {
      change |= PH_SERVICE_CHANGED_FIELDS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWNERS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAIN_OWNER]);
    }

  main_owner = ph_service_get_main_owner (self);
  if (main_owner != NULL)
    {
      identity = g_object_ref (ph_process_get_identity (main_owner));
      kind = ph_process_get_group_kind (main_owner);
    }
  else if (self->hidden)
    {
      guint uid = self->uid >= 0 ? (guint) self->uid : G_MAXUINT;
      g_autofree char *hidden_key = g_strdup_printf ("hidden:%u", uid);

      /* The same other user as before: keep the object (and its name). */
      if (self->identity != NULL &&
          g_strcmp0 (ph_app_identity_get_key (self->identity), hidden_key) == 0 &&
          g_strcmp0 (self->group_kind, "hidden") == 0)
        identity = g_object_ref (self->identity);
      else
        identity = ph_app_identity_new_hidden (uid, self->user);
      kind = "hidden";
    }
  else if (self->kernel)
    {
      static PhAppIdentity *kernel_identity;

      if (g_once_init_enter_pointer (&kernel_identity))
        g_once_init_leave_pointer (&kernel_identity, ph_app_identity_new_kernel ());
      identity = g_object_ref (kernel_identity);
      kind = "kernel";
    }
  else
    kind = "program";

  if (identity != NULL)
    {
      key = ph_app_identity_get_key (identity);
      name = ph_app_identity_get_name (identity);
      subtitle = ph_app_identity_get_subtitle (identity);
      icon = ph_app_identity_get_icon_name (identity);
    }
  else
    {
      /* no owner known, neither hidden nor the kernel's: should not happen */
      key = "unknown";
      name = _("Unknown program");
      subtitle = NULL;
      icon = "application-x-executable-symbolic";
    }

  if (g_set_object (&self->identity, identity))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTITY]);

  if (set_string (&self->group_key, key))
    {
      change |= PH_SERVICE_CHANGED_FIELDS | PH_SERVICE_CHANGED_ORDER;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_KEY]);
    }
  if (set_string (&self->group_name, name))
    {
      change |= PH_SERVICE_CHANGED_FIELDS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_NAME]);
    }
  if (set_string (&self->group_subtitle, subtitle))
    {
      change |= PH_SERVICE_CHANGED_FIELDS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_SUBTITLE]);
    }
  if (set_string (&self->group_icon, icon))
    {
      change |= PH_SERVICE_CHANGED_FIELDS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_ICON]);
    }
  if (set_string (&self->group_kind, kind))
    {
      change |= PH_SERVICE_CHANGED_FIELDS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GROUP_KIND]);
    }

  if (change != PH_SERVICE_CHANGED_NONE || self->sort_key == NULL)
    {
      sort_key = make_sort_key ('a' + ph_service_group_kind_rank (kind), name, key);
      if (set_string (&self->sort_key, sort_key))
        change |= PH_SERVICE_CHANGED_ORDER;
    }

  return change;
}

/* ---- updates from SOCK ------------------------------------------------------------- */

static gboolean
parse_owners (const char           *text,
              PhProcessLookupFunc   lookup,
              gpointer              user_data,
              GPtrArray            *owners,
              GArray               *fds,
              GError              **error)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL || *text == '\0')
    return TRUE;

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (parts[i], ":", -1);
      guint64 pid, start, fd;
      PhProcess *process = NULL;
      int fd_int;

      if (g_strv_length (fields) != 3 ||
          !g_ascii_string_to_unsigned (fields[0], 10, 1, G_MAXINT32, &pid, NULL) ||
          !g_ascii_string_to_unsigned (fields[1], 10, 0, G_MAXUINT64, &start, NULL) ||
          !g_ascii_string_to_unsigned (fields[2], 10, 0, G_MAXINT32, &fd, NULL))
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "SOCK: owner “%s” is not pid:start:fd", parts[i]);
          return FALSE;
        }

      if (owners == NULL)
        continue;

      if (lookup != NULL)
        process = lookup ((gint64) pid, start, user_data);

      /* A process held twice (two fds) is one owner; keep its first fd. */
      for (guint j = 0; j < owners->len; j++)
        {
          PhProcess *other = g_ptr_array_index (owners, j);

          if (ph_process_get_pid (other) == (gint64) pid &&
              ph_process_get_start_time (other) == start)
            goto next;
        }

      if (process == NULL)
        g_ptr_array_add (owners, ph_process_new ((gint64) pid, start));
      else
        g_ptr_array_add (owners, g_object_ref (process));
      fd_int = (int) fd;
      g_array_append_val (fds, fd_int);
    next:
      ;
    }

  return TRUE;
}

static gboolean
owners_equal (PhService *self,
              GPtrArray *owners,
              GArray    *fds)
{
  if (owners->len != self->owners->len)
    return FALSE;

  /* Order-insensitive: the helper may list them in any order; we keep ours. */
  for (guint i = 0; i < owners->len; i++)
    {
      guint j;

      if (!g_ptr_array_find (self->owners, owners->pdata[i], &j))
        return FALSE;
      if (g_array_index (self->owner_fds, int, j) != g_array_index (fds, int, i))
        return FALSE;
    }
  return TRUE;
}

#define SET_FIELD(field, value, prop, order)                                 \
  G_STMT_START {                                                             \
    if (self->field != (value))                                              \
      {                                                                      \
        self->field = (value);                                               \
        change |= PH_SERVICE_CHANGED_FIELDS | (order);                       \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);        \
      }                                                                      \
  } G_STMT_END

/**
 * ph_service_validate_record:
 * @record: a SOCK record
 *
 * Checks everything ph_service_new_from_record() needs, without making anything, so a
 * reader can refuse a bad SOCK line as soon as it arrives.
 */
gboolean
ph_service_validate_record (const PhRecord  *record,
                            GError         **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  const char *proto;
  const char *addr;
  guint64 id, family, port;

  g_return_val_if_fail (record != NULL, FALSE);

  if (!ph_record_get_uint64 (record, "id", &id, error) ||
      !ph_record_get_uint64 (record, "family", &family, error) ||
      !ph_record_get_uint64 (record, "port", &port, error))
    return FALSE;

  proto = ph_record_get (record, "proto", NULL);
  addr = ph_record_get (record, "addr", NULL);
  if (proto == NULL || addr == NULL)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MISSING_KEY,
                   "SOCK has no “%s”", proto == NULL ? "proto" : "addr");
      return FALSE;
    }
  if (id == 0)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER, "SOCK: id is 0");
      return FALSE;
    }
  if (strcmp (proto, "tcp") != 0 && strcmp (proto, "udp") != 0)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "SOCK: unknown protocol");
      return FALSE;
    }
  if ((family != 4 && family != 6) || port > 65535)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER,
                   "SOCK: family or port out of range");
      return FALSE;
    }
  inet = g_inet_address_new_from_string (addr);
  if (inet == NULL ||
      g_inet_address_get_family (inet) != (family == 4 ? G_SOCKET_FAMILY_IPV4
                                                       : G_SOCKET_FAMILY_IPV6))
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "SOCK: “addr” is not an IPv%u address", (guint) family);
      return FALSE;
    }

  return parse_owners (ph_record_get (record, "owners", NULL), NULL, NULL, NULL, NULL, error);
}

static gboolean
ph_service_apply_record (PhService            *self,
                         const PhRecord       *record,
                         PhProcessLookupFunc   lookup,
                         gpointer              user_data,
                         PhServiceChange      *out_change,
                         GError              **error)
{
  g_autoptr(GPtrArray) owners = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *user = NULL;
  PhServiceChange change = PH_SERVICE_CHANGED_NONE;
  const char *proto;
  const char *addr;
  const char *user_raw;
  gsize user_len = 0;
  guint64 id, family, port, value;
  gboolean address_changed = FALSE;
  int v6only;

  if (!ph_service_validate_record (record, error))
    return FALSE;

  id = ph_record_get_uint64_or (record, "id", 0);
  family = ph_record_get_uint64_or (record, "family", 0);
  port = ph_record_get_uint64_or (record, "port", 0);
  proto = ph_record_get (record, "proto", NULL);
  addr = ph_record_get (record, "addr", NULL);

  if (self->id != 0 && id != self->id)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "SOCK: id does not match the service");
      return FALSE;
    }
  if (!parse_owners (ph_record_get (record, "owners", NULL), lookup, user_data,
                     owners, fds, error))
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));

  SET_FIELD (id, id, PROP_ID, PH_SERVICE_CHANGED_ORDER);

  if (strcmp (self->protocol, proto) != 0)
    {
      self->protocol = g_intern_string (proto);
      change |= PH_SERVICE_CHANGED_FIELDS | PH_SERVICE_CHANGED_ORDER;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROTOCOL]);
    }

  SET_FIELD (family, (guint) family, PROP_FAMILY, PH_SERVICE_CHANGED_NONE);

  if (set_string (&self->address, addr))
    {
      change |= PH_SERVICE_CHANGED_FIELDS | PH_SERVICE_CHANGED_ORDER;
      address_changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
    }

  if (self->port != (guint) port)
    {
      self->port = (guint) port;
      change |= PH_SERVICE_CHANGED_FIELDS | PH_SERVICE_CHANGED_ORDER;
      address_changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }

  v6only = -1;
  if (ph_record_get_uint64 (record, "v6only", &value, NULL))
    v6only = value != 0;
  SET_FIELD (v6only, v6only, PROP_V6ONLY, PH_SERVICE_CHANGED_NONE);

  value = ph_record_get_uint64_or (record, "scope", 0);
  if (self->scope_id != (guint) MIN (value, G_MAXUINT))
    {
      self->scope_id = (guint) MIN (value, G_MAXUINT);
      change |= PH_SERVICE_CHANGED_FIELDS;
      address_changed = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCOPE_ID]);
    }

  if (ph_record_get_uint64 (record, "uid", &value, NULL) && value <= G_MAXUINT32)
    SET_FIELD (uid, (gint64) value, PROP_UID, PH_SERVICE_CHANGED_NONE);
  else
    SET_FIELD (uid, -1, PROP_UID, PH_SERVICE_CHANGED_NONE);

  user_raw = ph_record_get (record, "user", &user_len);
  user = user_raw != NULL ? ph_protocol_display (user_raw, user_len) : NULL;
  if (set_string (&self->user, user))
    {
      change |= PH_SERVICE_CHANGED_FIELDS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
    }

  SET_FIELD (cgroup_id, ph_record_get_uint64_or (record, "cgroup", 0), PROP_CGROUP_ID,
             PH_SERVICE_CHANGED_NONE);
  SET_FIELD (connections, (guint) MIN (ph_record_get_uint64_or (record, "conns", 0), G_MAXUINT),
             PROP_CONNECTIONS, PH_SERVICE_CHANGED_NONE);
  SET_FIELD (hidden, ph_record_get_uint64_or (record, "hidden", 0) != 0, PROP_HIDDEN,
             PH_SERVICE_CHANGED_NONE);
  SET_FIELD (kernel, ph_record_get_uint64_or (record, "kernel", 0) != 0, PROP_KERNEL,
             PH_SERVICE_CHANGED_NONE);

  if (address_changed)
    {
      SET_FIELD (reachable, ph_address_is_reachable_from_network (self->address), PROP_REACHABLE,
                 PH_SERVICE_CHANGED_NONE);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_ADDRESS]);
    }

  if (!owners_equal (self, owners, fds))
    {
      PhProcess *old_main = ph_service_get_main_owner (self);

      g_clear_pointer (&self->owners, g_ptr_array_unref);
      self->owners = g_steal_pointer (&owners);
      g_clear_pointer (&self->owner_fds, g_array_unref);
      self->owner_fds = g_steal_pointer (&fds);
      sort_owners (self);
      change |= PH_SERVICE_CHANGED_FIELDS;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OWNERS]);
      if (old_main != ph_service_get_main_owner (self))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAIN_OWNER]);
    }

  change |= ph_service_refresh_group (self);

  g_object_thaw_notify (G_OBJECT (self));

  if (out_change != NULL)
    *out_change = change;
  return TRUE;
}

#undef SET_FIELD

/**
 * ph_service_new_from_record:
 * @record: a SOCK record
 * @lookup: (scope call) (nullable): finds the processes named in owners=
 *
 * Returns: (transfer full) (nullable): the service, or %NULL if @record is not a valid SOCK
 */
PhService *
ph_service_new_from_record (const PhRecord       *record,
                            PhProcessLookupFunc   lookup,
                            gpointer              user_data,
                            GError              **error)
{
  g_autoptr(PhService) self = NULL;

  g_return_val_if_fail (record != NULL, NULL);

  self = g_object_new (PH_TYPE_SERVICE, NULL);
  if (!ph_service_apply_record (self, record, lookup, user_data, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * ph_service_update_from_record:
 * @record: a SOCK record with the same id
 * @change: (out) (optional): what changed
 *
 * Updates the service in place, notifying only properties whose value changed, so that
 * a view (and its selection) keeps the same object. A record that fails to parse leaves
 * the service as it was.
 */
gboolean
ph_service_update_from_record (PhService            *self,
                               const PhRecord       *record,
                               PhProcessLookupFunc   lookup,
                               gpointer              user_data,
                               PhServiceChange      *change,
                               GError              **error)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (change != NULL)
    *change = PH_SERVICE_CHANGED_NONE;
  return ph_service_apply_record (self, record, lookup, user_data, change, error);
}

/* ---- getters ------------------------------------------------------------------------ */

guint64
ph_service_get_id (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), 0);
  return self->id;
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
 * ph_service_get_owners:
 *
 * Returns: (transfer none) (element-type PhProcess): the processes holding the socket,
 *   the main owner (the one that started the others) first
 */
GPtrArray *
ph_service_get_owners (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->owners;
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
  return self->owners->len > 0 ? g_ptr_array_index (self->owners, 0) : NULL;
}

/* The descriptor number @owner holds the socket under, or -1. */
int
ph_service_get_owner_fd (PhService *self,
                         PhProcess *owner)
{
  guint index;

  g_return_val_if_fail (PH_IS_SERVICE (self), -1);

  if (!g_ptr_array_find (self->owners, owner, &index))
    return -1;
  return g_array_index (self->owner_fds, int, index);
}

const char *
ph_service_get_group_key (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->group_key;
}

const char *
ph_service_get_group_name (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->group_name;
}

const char *
ph_service_get_group_subtitle (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->group_subtitle;
}

const char *
ph_service_get_group_icon (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->group_icon;
}

/* The nick of the group's PhAppKind: "dev-server", "desktop-app", "flatpak", "program",
 * "user-service", "container", "system-service", "hidden" or "kernel" */
const char *
ph_service_get_group_kind (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->group_kind;
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
  return g_strcmp0 (((PhService *) a)->sort_key, ((PhService *) b)->sort_key);
}

int
ph_service_compare (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  PhService *sa = (PhService *) a;
  PhService *sb = (PhService *) b;
  int cmp;

  cmp = g_strcmp0 (sa->sort_key, sb->sort_key);
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

/* ---- search ------------------------------------------------------------------------- */

static gboolean
text_contains (const char *haystack,
               const char *folded_needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL || *haystack == '\0')
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, folded_needle) != NULL;
}

static gboolean
term_matches (PhService         *self,
              const char        *term,
              PhServiceNameFunc  service_name,
              gpointer           user_data)
{
  g_autofree char *display_address = NULL;
  gboolean all_digits = TRUE;

  for (const char *p = term; *p; p++)
    all_digits &= g_ascii_isdigit (*p);

  if (all_digits)
    {
      char port[16];

      /* A port is matched from its start, so "300" while typing "3000" keeps 3000. */
      g_snprintf (port, sizeof port, "%u", self->port);
      if (g_str_has_prefix (port, term))
        return TRUE;
    }

  display_address = ph_service_dup_display_address (self);
  if (strstr (display_address, term) != NULL)
    return TRUE;
  if (strcmp (term, self->protocol) == 0)
    return TRUE;
  if (text_contains (self->group_name, term) || text_contains (self->group_subtitle, term) ||
      text_contains (self->user, term))
    return TRUE;

  for (guint i = 0; i < self->owners->len; i++)
    {
      PhProcess *owner = g_ptr_array_index (self->owners, i);

      if (all_digits)
        {
          char pid[24];

          g_snprintf (pid, sizeof pid, "%" G_GINT64_FORMAT, ph_process_get_pid (owner));
          if (strcmp (pid, term) == 0)
            return TRUE;
        }
      if (text_contains (ph_process_get_comm (owner), term) ||
          text_contains (ph_process_get_command_line (owner), term) ||
          text_contains (ph_process_get_exe (owner), term) ||
          text_contains (ph_process_get_unit (owner), term) ||
          text_contains (ph_process_get_app_id (owner), term))
        return TRUE;
    }

  if (service_name != NULL &&
      text_contains (service_name (self->port, self->protocol, user_data), term))
    return TRUE;

  return FALSE;
}

/**
 * ph_service_matches:
 * @query: what the user typed; every word must match something
 * @service_name: (scope call) (nullable): gives the port's service name (IANA), if any
 *
 * Matches the port (from its first digit), the address as shown, the protocol, the
 * group's name, the user, each owner's name, PID, command line, executable, unit and app
 * ID, and the service name.
 */
gboolean
ph_service_matches (PhService         *self,
                    const char        *query,
                    PhServiceNameFunc  service_name,
                    gpointer           user_data)
{
  g_autofree char *folded = NULL;
  g_auto(GStrv) terms = NULL;

  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);

  if (query == NULL)
    return TRUE;

  folded = g_utf8_casefold (query, -1);
  terms = g_strsplit_set (g_strstrip (folded), " \t", -1);
  for (guint i = 0; terms[i] != NULL; i++)
    {
      if (*terms[i] == '\0')
        continue;
      if (!term_matches (self, terms[i], service_name, user_data))
        return FALSE;
    }
  return TRUE;
}

/**
 * ph_service_get_identity:
 *
 * Returns: (transfer none) (nullable): the application the service belongs to: its main
 *   owner's, or the group of another user's or of the kernel's sockets
 */
PhAppIdentity *
ph_service_get_identity (PhService *self)
{
  g_return_val_if_fail (PH_IS_SERVICE (self), NULL);
  return self->identity;
}

/* Whether this listener answers connections to HOST ("127.0.0.1", "::1", "localhost", a
 * LAN address; NULL for any host): exactly its address, or every address of its family
 * for a wildcard, both families for a dual-stack "::". */
gboolean
ph_service_answers_host (PhService  *self,
                         const char *host)
{
  const char *address;

  g_return_val_if_fail (PH_IS_SERVICE (self), FALSE);

  address = ph_service_get_address (self);
  if (host == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return g_str_equal (address, "127.0.0.1") || g_str_equal (address, "::1") ||
           g_str_equal (address, "0.0.0.0") || g_str_equal (address, "::");
  if (g_str_equal (address, host))
    return TRUE;
  if (g_str_equal (address, "0.0.0.0"))
    return strchr (host, ':') == NULL;
  if (g_str_equal (address, "::"))
    return ph_service_get_v6only (self) != 1 || strchr (host, ':') != NULL;
  return FALSE;
}
