/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-list.c — applies the helper's change sets to a sorted list, by diff */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-service-list.h"

typedef struct
{
  gint64  pid;
  guint64 start_time;
} PhProcessKey;

struct _PhServiceList
{
  GObject      parent_instance;

  /* The model: sorted by ph_service_compare(); holds one reference per item. */
  GPtrArray   *items;
  GHashTable  *by_id;         /* guint64* → PhService (borrowed from items) */
  GHashTable  *processes;     /* PhProcessKey* → PhProcess */
  GHashTable  *old_processes; /* only while a full change set is applied */

  /* The change set being received, applied at END. */
  gboolean     in_change_set;
  gboolean     pending_full;
  guint64      pending_seq;
  GPtrArray   *pending;         /* PhRecord: PROC, SOCK, GONE, PGONE in stream order */

  guint64      seq;
  guint        hidden_count;
  gint64       last_apply_us;
};

enum {
  PROP_0,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  PROP_HIDDEN_COUNT,
  PROP_SEQ,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PhServiceList, ph_service_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static guint
process_key_hash (gconstpointer data)
{
  const PhProcessKey *key = data;

  return g_int64_hash (&key->pid) ^ g_int64_hash (&key->start_time);
}

static gboolean
process_key_equal (gconstpointer a,
                   gconstpointer b)
{
  const PhProcessKey *ka = a;
  const PhProcessKey *kb = b;

  return ka->pid == kb->pid && ka->start_time == kb->start_time;
}

static GHashTable *
process_table_new (void)
{
  return g_hash_table_new_full (process_key_hash, process_key_equal, g_free, g_object_unref);
}

static GType
ph_service_list_get_item_type (GListModel *model)
{
  return PH_TYPE_SERVICE;
}

static guint
ph_service_list_get_n_items (GListModel *model)
{
  return PH_SERVICE_LIST (model)->items->len;
}

static gpointer
ph_service_list_get_item (GListModel *model,
                          guint       position)
{
  PhServiceList *self = PH_SERVICE_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ph_service_list_get_item_type;
  iface->get_n_items = ph_service_list_get_n_items;
  iface->get_item = ph_service_list_get_item;
}

static void
clear_pending (PhServiceList *self)
{
  self->in_change_set = FALSE;
  self->pending_full = FALSE;
  self->pending_seq = 0;
  g_ptr_array_set_size (self->pending, 0);
}

static void
ph_service_list_finalize (GObject *object)
{
  PhServiceList *self = (PhServiceList *)object;

  for (guint i = 0; i < self->items->len; i++)
    g_object_unref (g_ptr_array_index (self->items, i));
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->processes, g_hash_table_unref);
  g_clear_pointer (&self->old_processes, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  G_OBJECT_CLASS (ph_service_list_parent_class)->finalize (object);
}

static void
ph_service_list_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PhServiceList *self = PH_SERVICE_LIST (object);

  switch (prop_id)
    {
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, PH_TYPE_SERVICE);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    case PROP_HIDDEN_COUNT:
      g_value_set_uint (value, self->hidden_count);
      break;

    case PROP_SEQ:
      g_value_set_uint64 (value, self->seq);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_service_list_class_init (PhServiceListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ph_service_list_finalize;
  object_class->get_property = ph_service_list_get_property;

  properties[PROP_ITEM_TYPE] =
    g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT, flags);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* Sockets whose owners the helper cannot see (another user's): the GUI offers Unlock. */
  properties[PROP_HIDDEN_COUNT] =
    g_param_spec_uint ("hidden-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* The seq of the last change set applied. */
  properties[PROP_SEQ] =
    g_param_spec_uint64 ("seq", NULL, NULL, 0, G_MAXUINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ph_service_list_init (PhServiceList *self)
{
  self->items = g_ptr_array_new ();
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->processes = process_table_new ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) ph_record_unref);
}

PhServiceList *
ph_service_list_new (void)
{
  return g_object_new (PH_TYPE_SERVICE_LIST, NULL);
}

/* ---- processes ---------------------------------------------------------------------- */

/* A process the table knows, or one kept from before a full change set (so the view
 * keeps the same object), or NULL. */
static PhProcess *
find_process (PhServiceList *self,
              gint64         pid,
              guint64        start_time)
{
  PhProcessKey key = { pid, start_time };
  PhProcess *process;
  gpointer old_key;
  gpointer old_value;

  process = g_hash_table_lookup (self->processes, &key);
  if (process != NULL)
    return process;

  if (self->old_processes != NULL &&
      g_hash_table_steal_extended (self->old_processes, &key, &old_key, &old_value))
    {
      g_hash_table_insert (self->processes, old_key, old_value);
      return old_value;
    }

  return NULL;
}

static PhProcess *
lookup_or_make_process (gint64   pid,
                        guint64  start_time,
                        gpointer user_data)
{
  PhServiceList *self = user_data;
  PhProcess *process = find_process (self, pid, start_time);

  /* SOCK named a process no PROC described: keep a bare one that a later PROC fills in. */
  if (process == NULL)
    {
      PhProcessKey *key = g_new (PhProcessKey, 1);

      key->pid = pid;
      key->start_time = start_time;
      process = ph_process_new (pid, start_time);
      g_hash_table_insert (self->processes, key, process);
    }

  return process;
}

/**
 * ph_service_list_lookup_process:
 *
 * Returns: (transfer none) (nullable): the process with this pid and start time
 */
PhProcess *
ph_service_list_lookup_process (PhServiceList *self,
                                gint64         pid,
                                guint64        start_time)
{
  PhProcessKey key = { pid, start_time };

  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), NULL);

  return g_hash_table_lookup (self->processes, &key);
}

guint
ph_service_list_get_n_processes (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), 0);

  return g_hash_table_size (self->processes);
}

/* ---- applying a change set --------------------------------------------------------- */

/* Replaces live[pos, pos + n_remove) by src[src_pos, src_pos + n_add). The additions are
 * referenced before the removals are released: a moved service is in both. */
static void
replace_range (GPtrArray *live,
               guint      pos,
               guint      n_remove,
               GPtrArray *src,
               guint      src_pos,
               guint      n_add)
{
  g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func (g_object_unref);
  guint old_len = live->len;

  for (guint k = 0; k < n_remove; k++)
    g_ptr_array_add (dropped, live->pdata[pos + k]);

  if (n_add > n_remove)
    {
      g_ptr_array_set_size (live, old_len + (n_add - n_remove));
      memmove (&live->pdata[pos + n_add], &live->pdata[pos + n_remove],
               (old_len - pos - n_remove) * sizeof (gpointer));
    }
  else if (n_add < n_remove)
    {
      memmove (&live->pdata[pos + n_add], &live->pdata[pos + n_remove],
               (old_len - pos - n_remove) * sizeof (gpointer));
      g_ptr_array_set_size (live, old_len - (n_remove - n_add));
    }

  for (guint k = 0; k < n_add; k++)
    live->pdata[pos + k] = g_object_ref (src->pdata[src_pos + k]);
}

/* Moves the model from its current order to @target, emitting one items-changed per run
 * of changes. @touched holds every service that was added, removed or moved; all the
 * others keep their relative order in both arrays. A moved service's removal and
 * insertion always fall into one signal, so a GtkSingleSelection keeps it selected. */
static void
emit_diff (PhServiceList *self,
           GPtrArray     *target,
           GHashTable    *touched,
           GHashTable    *moved)
{
  g_autoptr(GPtrArray) old = g_ptr_array_copy (self->items, NULL, NULL);
  g_autoptr(GHashTable) half_seen = g_hash_table_new (NULL, NULL);
  guint i = 0;
  guint j = 0;

  /* The snapshot of the old order only borrows: every service removed from the model
   * is still referenced by the caller's list of removals until the walk is over. */
  while (i < old->len || j < target->len)
    {
      guint oi, nj;

      if (i < old->len && j < target->len && old->pdata[i] == target->pdata[j] &&
          !g_hash_table_contains (touched, old->pdata[i]))
        {
          i++;
          j++;
          continue;
        }

      oi = i;
      nj = j;
      for (;;)
        {
          while (i < old->len && g_hash_table_contains (touched, old->pdata[i]))
            {
              if (g_hash_table_contains (moved, old->pdata[i]) &&
                  !g_hash_table_remove (half_seen, old->pdata[i]))
                g_hash_table_add (half_seen, old->pdata[i]);
              i++;
            }
          while (j < target->len && g_hash_table_contains (touched, target->pdata[j]))
            {
              if (g_hash_table_contains (moved, target->pdata[j]) &&
                  !g_hash_table_remove (half_seen, target->pdata[j]))
                g_hash_table_add (half_seen, target->pdata[j]);
              j++;
            }
          if (g_hash_table_size (half_seen) == 0)
            break;

          /* A moved service is still ahead: take the untouched pair in between along. */
          if (G_UNLIKELY (i >= old->len || j >= target->len || old->pdata[i] != target->pdata[j]))
            {
              /* Cannot happen while the order only changes through this list; should
               * it anyway, replace the rest in one signal rather than mislead a view. */
              g_critical ("PhServiceList: the order changed behind the list's back");
              replace_range (self->items, nj, self->items->len - nj, target, nj,
                             target->len - nj);
              g_list_model_items_changed (G_LIST_MODEL (self), nj, old->len - oi,
                                          target->len - nj);
              return;
            }
          i++;
          j++;
        }

      replace_range (self->items, nj, i - oi, target, nj, j - nj);
      g_list_model_items_changed (G_LIST_MODEL (self), nj, i - oi, j - nj);
    }

  g_assert (self->items->len == target->len);
}

static void
merge_sorted (GPtrArray *keep,
              GPtrArray *insert,
              GPtrArray *out)
{
  guint a = 0;
  guint b = 0;

  while (a < keep->len || b < insert->len)
    {
      if (b >= insert->len ||
          (a < keep->len && ph_service_compare (keep->pdata[a], insert->pdata[b], NULL) <= 0))
        g_ptr_array_add (out, keep->pdata[a++]);
      else
        g_ptr_array_add (out, insert->pdata[b++]);
    }
}

static gboolean
owned_by_any (PhService  *service,
              GHashTable *processes)
{
  GPtrArray *owners = ph_service_get_owners (service);

  for (guint k = 0; k < owners->len; k++)
    {
      if (g_hash_table_contains (processes, owners->pdata[k]))
        return TRUE;
    }
  return FALSE;
}

static void
apply_proc (PhServiceList  *self,
            const PhRecord *record,
            GHashTable     *regrouped_procs)
{
  guint64 pid = ph_record_get_uint64_or (record, "pid", 0);
  guint64 start = ph_record_get_uint64_or (record, "start", 0);
  PhProcess *process = find_process (self, (gint64) pid, start);
  PhProcessKey *key;

  if (process != NULL)
    {
      gboolean identity_changed = FALSE;

      ph_process_update_from_record (process, record, &identity_changed);
      if (identity_changed)
        g_hash_table_add (regrouped_procs, process);
      return;
    }

  process = ph_process_new_from_record (record, NULL);
  if (process == NULL)
    return;   /* checked when fed */
  key = g_new (PhProcessKey, 1);
  key->pid = (gint64) pid;
  key->start_time = start;
  g_hash_table_insert (self->processes, key, process);
}

static void
apply_sock (PhServiceList  *self,
            const PhRecord *record,
            GHashTable     *touched,
            GHashTable     *moved,
            GHashTable     *updated,
            GPtrArray      *added)
{
  guint64 id = ph_record_get_uint64_or (record, "id", 0);
  PhService *service = g_hash_table_lookup (self->by_id, &id);

  if (service != NULL)
    {
      PhServiceChange change = PH_SERVICE_CHANGED_NONE;

      if (ph_service_update_from_record (service, record, lookup_or_make_process, self,
                                         &change, NULL) &&
          (change & PH_SERVICE_CHANGED_ORDER) != 0 &&
          !g_hash_table_contains (touched, service))
        {
          g_hash_table_add (touched, service);
          g_hash_table_add (moved, service);
        }
      g_hash_table_add (updated, service);
      return;
    }

  service = ph_service_new_from_record (record, lookup_or_make_process, self, NULL);
  if (service == NULL)
    return;   /* checked when fed */
  g_hash_table_insert (self->by_id, g_memdup2 (&id, sizeof id), service);
  g_hash_table_add (touched, service);
  g_hash_table_add (updated, service);
  g_ptr_array_add (added, service);
}

static void
apply_gone (PhServiceList  *self,
            const PhRecord *record,
            GHashTable     *touched,
            GHashTable     *moved,
            GPtrArray      *removed)
{
  guint64 id = ph_record_get_uint64_or (record, "id", 0);
  PhService *service = g_hash_table_lookup (self->by_id, &id);

  if (service == NULL)
    return;
  g_hash_table_remove (moved, service);
  g_hash_table_add (touched, service);
  g_ptr_array_add (removed, g_object_ref (service));
  g_hash_table_remove (self->by_id, &id);
}

static void
apply_change_set (PhServiceList *self)
{
  g_autoptr(GHashTable) touched = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) moved = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) updated = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) regrouped_procs = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) insert = g_ptr_array_new ();
  g_autoptr(GPtrArray) keep = g_ptr_array_new ();
  g_autoptr(GPtrArray) target = NULL;
  guint old_n_items = self->items->len;
  guint old_hidden = self->hidden_count;
  gint64 begin = g_get_monotonic_time ();

  /* A full change set describes everything: what it does not name is gone. Processes
   * it names again keep their objects. */
  if (self->pending_full)
    {
      self->old_processes = g_steal_pointer (&self->processes);
      self->processes = process_table_new ();
    }

  for (guint k = 0; k < self->pending->len; k++)
    {
      const PhRecord *record = self->pending->pdata[k];

      switch (ph_record_get_kind (record))
        {
        case PH_RECORD_PROC:
          apply_proc (self, record, regrouped_procs);
          break;

        case PH_RECORD_SOCK:
          apply_sock (self, record, touched, moved, updated, added);
          break;

        case PH_RECORD_GONE:
          apply_gone (self, record, touched, moved, removed);
          break;

        case PH_RECORD_PGONE:
          {
            PhProcessKey key = {
              (gint64) MIN (ph_record_get_uint64_or (record, "pid", 0), G_MAXINT64),
              ph_record_get_uint64_or (record, "start", 0),
            };

            g_hash_table_remove (self->processes, &key);
            if (self->old_processes != NULL)
              g_hash_table_remove (self->old_processes, &key);
          }
          break;

        case PH_RECORD_UNKNOWN:
        case PH_RECORD_HELLO:
        case PH_RECORD_BEGIN:
        case PH_RECORD_END:
        case PH_RECORD_WARN:
        case PH_RECORD_RESULT:
        default:
          g_assert_not_reached ();
        }
    }

  /* A PROC can rename an application (an exec, a new cwd): regroup what it owns. */
  if (g_hash_table_size (regrouped_procs) > 0)
    {
      for (guint k = 0; k < self->items->len; k++)
        {
          PhService *service = self->items->pdata[k];

          if (!owned_by_any (service, regrouped_procs))
            continue;
          if ((ph_service_refresh_group (service) & PH_SERVICE_CHANGED_ORDER) != 0 &&
              !g_hash_table_contains (touched, service))
            {
              g_hash_table_add (touched, service);
              g_hash_table_add (moved, service);
            }
        }
    }

  if (self->pending_full)
    {
      for (guint k = 0; k < self->items->len; k++)
        {
          PhService *service = self->items->pdata[k];
          guint64 id = ph_service_get_id (service);

          if (g_hash_table_contains (updated, service) || g_hash_table_contains (touched, service))
            continue;
          g_hash_table_add (touched, service);
          g_ptr_array_add (removed, g_object_ref (service));
          g_hash_table_remove (self->by_id, &id);
        }
      g_clear_pointer (&self->old_processes, g_hash_table_unref);
    }

  /* A service added and removed in one change set was never shown. */
  for (guint k = 0; k < added->len; k++)
    {
      PhService *service = added->pdata[k];
      guint64 id = ph_service_get_id (service);

      if (g_hash_table_lookup (self->by_id, &id) != service)
        g_hash_table_remove (touched, service);
    }

  if (g_hash_table_size (touched) > 0)
    {
      for (guint k = 0; k < self->items->len; k++)
        {
          if (!g_hash_table_contains (touched, self->items->pdata[k]))
            g_ptr_array_add (keep, self->items->pdata[k]);
        }
      for (guint k = 0; k < added->len; k++)
        {
          if (g_hash_table_contains (touched, added->pdata[k]))
            g_ptr_array_add (insert, added->pdata[k]);
        }
      {
        GHashTableIter iter;
        gpointer service;

        g_hash_table_iter_init (&iter, moved);
        while (g_hash_table_iter_next (&iter, &service, NULL))
          g_ptr_array_add (insert, service);
      }
      g_ptr_array_sort_values_with_data (insert, ph_service_compare, NULL);

      target = g_ptr_array_sized_new (keep->len + insert->len);
      merge_sorted (keep, insert, target);
      emit_diff (self, target, touched, moved);
    }

  self->hidden_count = 0;
  for (guint k = 0; k < self->items->len; k++)
    self->hidden_count += ph_service_get_hidden (self->items->pdata[k]);

  self->seq = self->pending_seq;
  clear_pending (self);

  self->last_apply_us = g_get_monotonic_time () - begin;

  if (old_n_items != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (old_hidden != self->hidden_count)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDDEN_COUNT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
}

/* ---- feeding records ---------------------------------------------------------------- */

/**
 * ph_service_list_feed:
 * @record: the next record of the helper's stream
 * @applied: (out) (optional): set to %TRUE when @record was an END and its change set
 *   is now in the model
 * @error: why @record was refused (the caller reports it and feeds the next one)
 *
 * Collects SOCK, GONE, PROC and PGONE records between BEGIN and END and applies them at
 * END. Other record types (HELLO, WARN, unknown ones) are not this list's business and
 * are accepted without effect.
 */
gboolean
ph_service_list_feed (PhServiceList   *self,
                      const PhRecord  *record,
                      gboolean        *applied,
                      GError         **error)
{
  PhRecordKind kind;

  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  if (applied != NULL)
    *applied = FALSE;

  kind = ph_record_get_kind (record);
  switch (kind)
    {
    case PH_RECORD_BEGIN:
      {
        const char *set_kind = ph_record_get (record, "kind", NULL);
        guint64 seq;
        gboolean was_open = self->in_change_set;

        if (!ph_record_get_uint64 (record, "seq", &seq, error))
          return FALSE;
        if (g_strcmp0 (set_kind, "full") != 0 && g_strcmp0 (set_kind, "delta") != 0)
          {
            g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                         "BEGIN: kind is neither full nor delta");
            return FALSE;
          }

        clear_pending (self);
        self->in_change_set = TRUE;
        self->pending_full = strcmp (set_kind, "full") == 0;
        self->pending_seq = seq;

        if (was_open)
          {
            g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                         "BEGIN before the previous change set ended; it was dropped");
            return FALSE;
          }
        return TRUE;
      }

    case PH_RECORD_END:
      {
        guint64 seq;

        if (!self->in_change_set)
          {
            g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                         "END without BEGIN");
            return FALSE;
          }
        if (!ph_record_get_uint64 (record, "seq", &seq, error))
          return FALSE;
        if (seq != self->pending_seq)
          {
            clear_pending (self);
            g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                         "END seq=%" G_GUINT64_FORMAT " closes another change set; dropped",
                         seq);
            return FALSE;
          }

        apply_change_set (self);
        if (applied != NULL)
          *applied = TRUE;
        return TRUE;
      }

    case PH_RECORD_SOCK:
    case PH_RECORD_GONE:
    case PH_RECORD_PROC:
    case PH_RECORD_PGONE:
      if (!self->in_change_set)
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                       "%s outside a change set", ph_record_get_type_name (record));
          return FALSE;
        }
      break;

    case PH_RECORD_UNKNOWN:
    case PH_RECORD_HELLO:
    case PH_RECORD_WARN:
    case PH_RECORD_RESULT:
    default:
      return TRUE;
    }

  if (kind == PH_RECORD_SOCK)
    {
      if (!ph_service_validate_record (record, error))
        return FALSE;
      g_ptr_array_add (self->pending, ph_record_ref ((PhRecord *) record));
    }
  else if (kind == PH_RECORD_GONE)
    {
      guint64 id;

      if (!ph_record_get_uint64 (record, "id", &id, error))
        return FALSE;
      g_ptr_array_add (self->pending, ph_record_ref ((PhRecord *) record));
    }
  else if (kind == PH_RECORD_PROC)
    {
      guint64 pid, start;

      if (!ph_record_get_uint64 (record, "pid", &pid, error) ||
          !ph_record_get_uint64 (record, "start", &start, error))
        return FALSE;
      if (pid == 0 || pid > G_MAXINT32)
        {
          g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_BAD_NUMBER,
                       "PROC: pid out of range");
          return FALSE;
        }
      g_ptr_array_add (self->pending, ph_record_ref ((PhRecord *) record));
    }
  else if (kind == PH_RECORD_PGONE)
    {
      guint64 pid, start;

      if (!ph_record_get_uint64 (record, "pid", &pid, error) ||
          !ph_record_get_uint64 (record, "start", &start, error))
        return FALSE;
      g_ptr_array_add (self->pending, ph_record_ref ((PhRecord *) record));
    }

  return TRUE;
}

/* ph_record_parse() and ph_service_list_feed() in one, for streams and tests. */
gboolean
ph_service_list_feed_line (PhServiceList  *self,
                           const char     *line,
                           gssize          len,
                           gboolean       *applied,
                           GError        **error)
{
  g_autoptr(PhRecord) record = NULL;

  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), FALSE);

  if (applied != NULL)
    *applied = FALSE;

  record = ph_record_parse (line, len, error);
  if (record == NULL)
    return FALSE;
  return ph_service_list_feed (self, record, applied, error);
}

/* Drops a change set that will never end (the helper died in the middle of it). */
void
ph_service_list_abort (PhServiceList *self)
{
  g_return_if_fail (PH_IS_SERVICE_LIST (self));

  clear_pending (self);
}

gboolean
ph_service_list_in_change_set (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), FALSE);

  return self->in_change_set;
}

/* Empties the model (one items-changed), for a scanner that starts over elsewhere. */
void
ph_service_list_remove_all (PhServiceList *self)
{
  g_autoptr(GPtrArray) old = NULL;
  guint old_hidden;

  g_return_if_fail (PH_IS_SERVICE_LIST (self));

  clear_pending (self);
  g_hash_table_remove_all (self->processes);
  if (self->items->len == 0)
    return;

  old = g_steal_pointer (&self->items);
  self->items = g_ptr_array_new ();
  g_hash_table_remove_all (self->by_id);
  old_hidden = self->hidden_count;
  self->hidden_count = 0;

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (old_hidden != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDDEN_COUNT]);

  for (guint k = 0; k < old->len; k++)
    g_object_unref (old->pdata[k]);
}

/* ---- lookups ------------------------------------------------------------------------ */

/**
 * ph_service_list_lookup:
 * @id: the socket's inode
 *
 * Returns: (transfer none) (nullable): the service
 */
PhService *
ph_service_list_lookup (PhServiceList *self,
                        guint64        id)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), NULL);

  return g_hash_table_lookup (self->by_id, &id);
}

/**
 * ph_service_list_find:
 * @protocol: (nullable): "tcp", "udp", or %NULL for either
 * @address: (nullable): the address in canonical form, or %NULL for any
 * @port: the port
 *
 * Several sockets can share a port (SO_REUSEPORT, or one per address); this gives the
 * first in the model's order. Linear, which is fine at a person's typing speed.
 *
 * Returns: (transfer none) (nullable): the first matching service
 */
PhService *
ph_service_list_find (PhServiceList *self,
                      const char    *protocol,
                      const char    *address,
                      guint          port)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), NULL);

  for (guint k = 0; k < self->items->len; k++)
    {
      PhService *service = self->items->pdata[k];

      if (ph_service_get_port (service) != port)
        continue;
      if (protocol != NULL && g_strcmp0 (ph_service_get_protocol (service), protocol) != 0)
        continue;
      if (address != NULL && g_strcmp0 (ph_service_get_address (service), address) != 0)
        continue;
      return service;
    }
  return NULL;
}

guint
ph_service_list_get_hidden_count (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), 0);

  return self->hidden_count;
}

guint64
ph_service_list_get_seq (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), 0);

  return self->seq;
}

/* How long the last change set took to apply (signals included), in microseconds. */
gint64
ph_service_list_get_last_apply_us (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), 0);

  return self->last_apply_us;
}

/* The listener that answers HOST:PORT (HOST NULL for any address) over PROTOCOL ("tcp"
 * or "udp"; NULL: either, TCP preferred), an exact address before a wildcard; NULL when
 * none does. */
PhService *
ph_service_list_find_serving (PhServiceList *self,
                              const char    *host,
                              guint          port,
                              const char    *protocol)
{
  PhService *best = NULL;
  int best_score = -1;

  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      PhService *service = self->items->pdata[i];
      int score = 0;

      if (ph_service_get_port (service) != port || !ph_service_answers_host (service, host))
        continue;
      if (protocol != NULL && !g_str_equal (ph_service_get_protocol (service), protocol))
        continue;
      if (g_str_equal (ph_service_get_protocol (service), "tcp"))
        score += 2;
      if (host != NULL && g_str_equal (ph_service_get_address (service), host))
        score += 1;
      if (score > best_score)
        {
          best = service;
          best_score = score;
        }
    }
  return best;
}

/* The section (run of services of one application) around POSITION, as [start, end).
 * The list is kept sorted by group first, so both ends are found by binary search. */
void
ph_service_list_get_section (PhServiceList *self,
                             guint          position,
                             guint         *out_start,
                             guint         *out_end)
{
  gpointer *items;
  gpointer here;
  guint lo, hi;

  g_return_if_fail (PH_IS_SERVICE_LIST (self));

  if (position >= self->items->len)
    {
      *out_start = self->items->len;
      *out_end = G_MAXUINT;
      return;
    }

  items = self->items->pdata;
  here = items[position];

  /* First index in [0, position] of this group. */
  lo = 0;
  hi = position;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (ph_service_compare_group (items[mid], here) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *out_start = lo;

  /* First index after position of another group. */
  lo = position + 1;
  hi = self->items->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (ph_service_compare_group (items[mid], here) <= 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *out_end = lo;
}
