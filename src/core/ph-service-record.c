/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-record.c — reading a SOCK record (scan/PROTOCOL.md) into a PhService, in place */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ph-address.h"
#include "ph-service-private.h"

/* One "pid:start:fd" of owners=, in [text, end). */
static gboolean
parse_owner (const char *text,
             const char *end,
             guint64    *pid,
             guint64    *start,
             guint64    *fd)
{
  const char *colon1 = memchr (text, ':', end - text);
  const char *colon2 = colon1 != NULL ? memchr (colon1 + 1, ':', end - colon1 - 1) : NULL;

  return colon2 != NULL &&
         ph_protocol_parse_decimal (text, colon1 - text, G_MAXINT32, pid) && *pid >= 1 &&
         ph_protocol_parse_decimal (colon1 + 1, colon2 - colon1 - 1, G_MAXUINT64, start) &&
         ph_protocol_parse_decimal (colon2 + 1, end - colon2 - 1, G_MAXINT32, fd);
}

/* The owners of owners=, in its order, as read before any is looked up. */
typedef struct
{
  guint64 pid;
  guint64 start;
  guint64 fd;
} OwnerRef;

typedef struct
{
  OwnerRef  on_stack[16];
  OwnerRef *v;
  guint     n;
  guint     size;
} OwnerRefs;

static void
owner_refs_clear (OwnerRefs *refs)
{
  if (refs->v != refs->on_stack)
    g_free (refs->v);
  refs->v = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OwnerRefs, owner_refs_clear)

/* owners=: "pid:start:fd" joined by commas, read (and checked) whole into @refs. */
static gboolean
parse_owners (const char  *text,
              OwnerRefs   *refs,
              GError     **error)
{
  const char *part = text;

  refs->v = refs->on_stack;
  refs->n = 0;
  refs->size = G_N_ELEMENTS (refs->on_stack);
  if (text == NULL || *text == '\0')
    return TRUE;

  for (;;)
    {
      const char *end = strchr (part, ',');
      OwnerRef ref;

      if (end == NULL)
        end = part + strlen (part);
      if (!parse_owner (part, end, &ref.pid, &ref.start, &ref.fd))
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "SOCK: owner “%.*s” is not pid:start:fd", (int) (end - part), part);
          return FALSE;
        }
      if (refs->n == refs->size)
        {
          refs->size *= 2;
          if (refs->v == refs->on_stack)
            refs->v = g_memdup2 (refs->on_stack, sizeof refs->on_stack);
          refs->v = g_renew (OwnerRef, refs->v, refs->size);
        }
      refs->v[refs->n++] = ref;
      if (*end == '\0')
        return TRUE;
      part = end + 1;
    }
}

/* The processes of @refs (looked up, or made), each once with its first fd, into @owners
 * (room for @refs->n). Returns: how many */
static guint
take_owners (const OwnerRefs      *refs,
             PhProcessLookupFunc   lookup,
             gpointer              user_data,
             PhServiceOwner       *owners)
{
  guint n = 0;

  for (guint i = 0; i < refs->n; i++)
    {
      const OwnerRef *ref = &refs->v[i];
      PhProcess *process = NULL;

      if (lookup != NULL)
        process = lookup ((gint64) ref->pid, ref->start, user_data);

      /* A process held twice (two fds) is one owner; keep its first fd. */
      for (guint j = 0; j < n; j++)
        {
          PhProcess *other = owners[j].process;

          if (ph_process_get_pid (other) == (gint64) ref->pid &&
              ph_process_get_start_time (other) == ref->start)
            goto next;
        }

      owners[n].process = process == NULL ? ph_process_new ((gint64) ref->pid, ref->start)
                                          : g_object_ref (process);
      owners[n].fd = (int) ref->fd;
      n++;
    next:
      ;
    }
  return n;
}

static gboolean
owners_equal (PhService            *self,
              const PhServiceOwner *owners,
              guint                 n)
{
  if (n != self->n_owners)
    return FALSE;

  /* Order-insensitive: the helper may list them in any order; we keep ours. */
  for (guint i = 0; i < n; i++)
    {
      guint j = 0;

      while (j < n && self->owners[j].process != owners[i].process)
        j++;
      if (j == n || self->owners[j].fd != owners[i].fd)
        return FALSE;
    }
  return TRUE;
}

static void
free_owners (PhServiceOwner *owners,
             guint           n)
{
  for (guint i = 0; i < n; i++)
    g_object_unref (owners[i].process);
  g_free (owners);
}

/* The reason of unseen=, interned: one of ours, or (from a newer helper) a short word. */
static const char *
intern_unseen (const char *value)
{
  if (value == NULL || *value == '\0')
    return NULL;
  if (strlen (value) > 32 || strspn (value, "abcdefghijklmnopqrstuvwxyz-") != strlen (value))
    return g_intern_static_string ("unknown");
  return g_intern_string (value);
}

/* g_intern_string () of @text, through the last answer for the same text (most sockets
 * share their address and user): no lock nor hash then. *@last is the thread's own. */
static const char *
intern_again (const char  *text,
              const char **last)
{
  if (text == NULL)
    return NULL;
  if (*last == NULL || strcmp (*last, text) != 0)
    *last = g_intern_string (text);
  return *last;
}

/* A service being made has no one to tell: no notifications (nor their queue) then. */
#define NOTIFY(prop)                                                         \
  G_STMT_START {                                                             \
    if (!fresh)                                                              \
      g_object_notify_by_pspec (G_OBJECT (self), ph_service_properties[prop]);          \
  } G_STMT_END

#define SET_FIELD(field, value, prop, order)                                 \
  G_STMT_START {                                                             \
    if (self->field != (value))                                              \
      {                                                                      \
        self->field = (value);                                               \
        change |= PH_SERVICE_CHANGED_FIELDS | (order);                       \
        NOTIFY (prop);                                                       \
      }                                                                      \
  } G_STMT_END

/* The fields every SOCK must have, read and checked once. */
typedef struct
{
  guint64       id;
  guint64       family;
  guint64       port;
  const char   *proto;
  const char   *addr;
  gboolean      reachable;   /* ph_address_is_reachable() of addr */
} SockFields;

/* What an address's text says: its family (4 or 6; 0 when it is no address) and whether
 * other computers can reach it. A list holds few distinct addresses among thousands of
 * sockets (0.0.0.0, 127.0.0.1, ::, ::1, the machine's own), and a GInetAddress made and
 * classified for each socket was a tenth of building a first list: the last few answers
 * are kept, for each thread that reads records. */
#define ADDRESS_MEMO_SIZE 8
#define ADDRESS_MEMO_TEXT 48   /* INET6_ADDRSTRLEN, and room for a scope */

typedef struct
{
  char     text[ADDRESS_MEMO_TEXT];
  guint8   family;
  gboolean reachable;
} AddressMemo;

static void
read_address (const char *text,
              guint      *family,
              gboolean   *reachable)
{
  static _Thread_local AddressMemo memo[ADDRESS_MEMO_SIZE];
  static _Thread_local guint memo_next;
  g_autoptr(GInetAddress) inet = NULL;
  gsize len = strlen (text);
  AddressMemo *slot;

  if (len > 0 && len < ADDRESS_MEMO_TEXT)
    for (guint i = 0; i < ADDRESS_MEMO_SIZE; i++)
      {
        if (memo[i].text[0] != '\0' && strcmp (memo[i].text, text) == 0)
          {
            *family = memo[i].family;
            *reachable = memo[i].reachable;
            return;
          }
      }

  inet = g_inet_address_new_from_string (text);
  *family = inet == NULL ? 0
            : g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4 ? 4
            : g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? 6 : 0;
  *reachable = inet != NULL && ph_address_is_reachable (inet);
  if (len == 0 || len >= ADDRESS_MEMO_TEXT)
    return;
  slot = &memo[memo_next];
  memo_next = (memo_next + 1) % ADDRESS_MEMO_SIZE;
  memcpy (slot->text, text, len + 1);
  slot->family = (guint8) *family;
  slot->reachable = *reachable;
}

static gboolean
read_sock_fields (const PhRecord  *record,
                  SockFields      *out,
                  GError         **error)
{
  guint addr_family;

  if (!ph_record_get_uint64 (record, "id", &out->id, error) ||
      !ph_record_get_uint64 (record, "family", &out->family, error) ||
      !ph_record_get_uint64 (record, "port", &out->port, error))
    return FALSE;

  out->proto = ph_record_get (record, "proto", NULL);
  out->addr = ph_record_get (record, "addr", NULL);
  if (out->proto == NULL || out->addr == NULL)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MISSING_KEY,
                   "SOCK has no “%s”", out->proto == NULL ? "proto" : "addr");
      return FALSE;
    }
  if (out->id == 0)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER, "SOCK: id is 0");
      return FALSE;
    }
  if (strcmp (out->proto, "tcp") != 0 && strcmp (out->proto, "udp") != 0)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "SOCK: unknown protocol");
      return FALSE;
    }
  if ((out->family != 4 && out->family != 6) || out->port > 65535)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER,
                   "SOCK: family or port out of range");
      return FALSE;
    }
  read_address (out->addr, &addr_family, &out->reachable);
  if (addr_family != out->family)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "SOCK: “addr” is not an IPv%u address", (guint) out->family);
      return FALSE;
    }
  return TRUE;
}

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
  SockFields fields = { 0 };
  g_auto(OwnerRefs) refs = { 0 };

  g_return_val_if_fail (record != NULL, FALSE);

  return read_sock_fields (record, &fields, error) &&
         parse_owners (ph_record_get (record, "owners", NULL), &refs, error);
}

static gboolean
ph_service_apply_record (PhService            *self,
                         const PhRecord       *record,
                         PhProcessLookupFunc   lookup,
                         gpointer              user_data,
                         gboolean              fresh,
                         PhServiceChange      *out_change,
                         GError              **error)
{
  PhServiceOwner *owners;
  guint n_owners;
  g_autofree char *user = NULL;
  g_auto(OwnerRefs) refs = { 0 };
  SockFields fields = { 0 };
  PhServiceChange change = PH_SERVICE_CHANGED_NONE;
  const char *proto;
  const char *addr;
  const char *user_raw;
  const char *user_text;
  static _Thread_local const char *last_address;
  static _Thread_local const char *last_user;
  const char *owners_text;
  gsize user_len = 0;
  guint64 id, family, port, value;
  gboolean address_changed = FALSE;
  int v6only;

  /* Everything is checked before anything changes: owners= by parse_owners() below. */
  if (!read_sock_fields (record, &fields, error))
    return FALSE;
  id = fields.id;
  family = fields.family;
  port = fields.port;
  proto = fields.proto;
  addr = fields.addr;

  if (self->id != 0 && id != self->id)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "SOCK: id does not match the service");
      return FALSE;
    }
  /* owners= whole before any process is looked up (which may make one) */
  owners_text = ph_record_get (record, "owners", NULL);
  if (!parse_owners (owners_text, &refs, error))
    return FALSE;
  owners = refs.n > 0 ? g_new (PhServiceOwner, refs.n) : NULL;
  n_owners = take_owners (&refs, lookup, user_data, owners);

  if (!fresh)
    g_object_freeze_notify (G_OBJECT (self));

  SET_FIELD (id, id, PROP_ID, PH_SERVICE_CHANGED_ORDER);

  if (strcmp (self->protocol, proto) != 0)
    {
      self->protocol = g_intern_string (proto);
      change |= PH_SERVICE_CHANGED_FIELDS | PH_SERVICE_CHANGED_ORDER;
      NOTIFY (PROP_PROTOCOL);
    }

  SET_FIELD (family, (guint) family, PROP_FAMILY, PH_SERVICE_CHANGED_NONE);

  if (g_strcmp0 (self->address, addr) != 0)
    {
      self->address = intern_again (addr, &last_address);
      change |= PH_SERVICE_CHANGED_FIELDS | PH_SERVICE_CHANGED_ORDER;
      address_changed = TRUE;
      NOTIFY (PROP_ADDRESS);
    }

  if (self->port != (guint) port)
    {
      self->port = (guint) port;
      change |= PH_SERVICE_CHANGED_FIELDS | PH_SERVICE_CHANGED_ORDER;
      address_changed = TRUE;
      NOTIFY (PROP_PORT);
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
      NOTIFY (PROP_SCOPE_ID);
    }

  if (ph_record_get_uint64 (record, "uid", &value, NULL) && value <= G_MAXUINT32)
    SET_FIELD (uid, (gint64) value, PROP_UID, PH_SERVICE_CHANGED_NONE);
  else
    SET_FIELD (uid, -1, PROP_UID, PH_SERVICE_CHANGED_NONE);

  /* A name that is safe to show is shown as it came (what ph_protocol_display() gives). */
  user_raw = ph_record_get (record, "user", &user_len);
  if (user_raw == NULL || ph_protocol_is_display_safe (user_raw, user_len))
    user_text = user_raw;
  else
    user_text = user = ph_protocol_display (user_raw, user_len);
  if (g_strcmp0 (self->user, user_text) != 0)
    {
      self->user = intern_again (user_text, &last_user);
      change |= PH_SERVICE_CHANGED_FIELDS;
      NOTIFY (PROP_USER);
    }

  SET_FIELD (cgroup_id, ph_record_get_uint64_or (record, "cgroup", 0), PROP_CGROUP_ID,
             PH_SERVICE_CHANGED_NONE);
  SET_FIELD (connections, (guint) MIN (ph_record_get_uint64_or (record, "conns", 0), G_MAXUINT),
             PROP_CONNECTIONS, PH_SERVICE_CHANGED_NONE);
  SET_FIELD (hidden, ph_record_get_uint64_or (record, "hidden", 0) != 0, PROP_HIDDEN,
             PH_SERVICE_CHANGED_NONE);
  SET_FIELD (kernel, ph_record_get_uint64_or (record, "kernel", 0) != 0, PROP_KERNEL,
             PH_SERVICE_CHANGED_NONE);
  SET_FIELD (unseen, intern_unseen (ph_record_get (record, PH_KEY_UNSEEN, NULL)), PROP_UNSEEN,
             PH_SERVICE_CHANGED_NONE);

  if (address_changed)
    {
      /* the rule of the explanation's sentence too (fields.addr is self->address) */
      SET_FIELD (reachable, fields.reachable, PROP_REACHABLE, PH_SERVICE_CHANGED_NONE);
      NOTIFY (PROP_DISPLAY_ADDRESS);
    }

  /* A service being made takes them as they are (ph_service_refresh_group() sorts them). */
  if (fresh)
    ph_service_take_owners (self, owners, n_owners);
  else if (owners_equal (self, owners, n_owners))
    free_owners (owners, n_owners);
  else
    {
      /* Held: a process made after it is gone could have its address. */
      PhProcess *main_owner = ph_service_get_main_owner (self);
      g_autoptr(PhProcess) old_main = main_owner != NULL ? g_object_ref (main_owner) : NULL;

      ph_service_take_owners (self, owners, n_owners);
      ph_service_sort_owners (self);
      change |= PH_SERVICE_CHANGED_FIELDS;
      NOTIFY (PROP_OWNERS);
      if (old_main != ph_service_get_main_owner (self))
        NOTIFY (PROP_MAIN_OWNER);
    }

  change |= ph_service_refresh_group_full (self, !fresh);

  if (!fresh)
    g_object_thaw_notify (G_OBJECT (self));

  if (out_change != NULL)
    *out_change = change;
  return TRUE;
}

#undef SET_FIELD
#undef NOTIFY

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
  if (!ph_service_apply_record (self, record, lookup, user_data, TRUE, NULL, error))
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
  return ph_service_apply_record (self, record, lookup, user_data, FALSE, change, error);
}
