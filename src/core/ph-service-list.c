/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-list.c — the list of services: a GListModel fed the helper's change sets */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-service-list-private.h"

GParamSpec *ph_service_list_properties[N_PROPS];
#define properties ph_service_list_properties

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

GHashTable *
ph_service_list_process_table_new (void)
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

void
ph_service_list_clear_pending (PhServiceList *self)
{
  self->in_change_set = FALSE;
  self->pending_full = FALSE;
  self->pending_seq = 0;
  g_ptr_array_set_size (self->pending, 0);
  if (self->eager_state != NULL)
    {
      /* part of a change set is in by_id and the process table: the list is no good */
      g_clear_pointer (&self->eager_state, ph_apply_state_free);
      self->spoiled = TRUE;
    }
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
  g_clear_pointer (&self->eager_state, ph_apply_state_free);
  g_clear_pointer (&self->shown_groups, g_hash_table_unref);
  g_clear_pointer (&self->forwarded, g_ptr_array_unref);
  g_clear_object (&self->containers);

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
  self->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  self->processes = ph_service_list_process_table_new ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) ph_record_unref);
  self->shown_groups = g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);
  self->forwarded = g_ptr_array_new ();
}

PhServiceList *
ph_service_list_new (void)
{
  return g_object_new (PH_TYPE_SERVICE_LIST, NULL);
}

/* ---- processes ---------------------------------------------------------------------- */

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


/* ---- feeding records ---------------------------------------------------------------- */

/* A record of the open change set, checked: kept until END, or applied now (eager). */
static void
keep_record (PhServiceList  *self,
             const PhRecord *record)
{
  if (self->eager)
    ph_service_list_apply_record_now (self, record, NULL);
  else
    g_ptr_array_add (self->pending, ph_record_ref ((PhRecord *) record));
}

/**
 * ph_service_list_set_eager:
 *
 * Makes @self apply each record of a change set as it is fed, not all at END, so that
 * the work of a change set is spread over the time its lines take to come. Only for a
 * list that no view watches (its items do not change before END, but the services it
 * finds by id and its processes do) and that is fed one change set, to be taken
 * (ph_service_list_take()) or dropped: a change set cut off in the middle leaves it
 * unusable, and ph_service_list_take() refuses it.
 */
void
ph_service_list_set_eager (PhServiceList *self)
{
  g_return_if_fail (PH_IS_SERVICE_LIST (self));

  self->eager = TRUE;
}

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

        ph_service_list_clear_pending (self);
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
            ph_service_list_clear_pending (self);
            g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                         "END seq=%" G_GUINT64_FORMAT " closes another change set; dropped",
                         seq);
            return FALSE;
          }

        ph_service_list_apply_change_set (self);
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
      /* An eager list checks it as it applies it, reading it once. */
      if (self->eager)
        return ph_service_list_apply_record_now (self, record, error);
      if (!ph_service_validate_record (record, error))
        return FALSE;
      keep_record (self, record);
    }
  else if (kind == PH_RECORD_GONE)
    {
      guint64 id;

      if (!ph_record_get_uint64 (record, "id", &id, error))
        return FALSE;
      keep_record (self, record);
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
      keep_record (self, record);
    }
  else if (kind == PH_RECORD_PGONE)
    {
      guint64 pid, start;

      if (!ph_record_get_uint64 (record, "pid", &pid, error) ||
          !ph_record_get_uint64 (record, "start", &start, error))
        return FALSE;
      keep_record (self, record);
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

  ph_service_list_clear_pending (self);
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

  ph_service_list_clear_pending (self);
  g_hash_table_remove_all (self->processes);
  if (self->items->len == 0)
    return;

  old = g_steal_pointer (&self->items);
  self->items = g_ptr_array_new ();
  g_hash_table_remove_all (self->by_id);
  g_ptr_array_set_size (self->forwarded, 0);
  old_hidden = self->hidden_count;
  self->hidden_count = 0;

  g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (old_hidden != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDDEN_COUNT]);

  for (guint k = 0; k < old->len; k++)
    g_object_unref (old->pdata[k]);
}

/**
 * ph_service_list_take:
 * @from: a list no view watches, built elsewhere (in another thread: ph-scanner-reader.c)
 *
 * Makes @self what @from is, at the cost of one items-changed, when @self is empty and
 * everything @from holds would be the same had its change sets been fed to @self: @self
 * has no change set open and no containers' answer (@from has none either). @from is
 * left empty.
 *
 * Returns: whether @self took @from's services; when not, neither list changed
 */
gboolean
ph_service_list_take (PhServiceList *self,
                      PhServiceList *from)
{
  PhTimeSpent begin = ph_time_spent_now ();
  guint n;

  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), FALSE);
  g_return_val_if_fail (PH_IS_SERVICE_LIST (from), FALSE);

  if (self->items->len > 0 || g_hash_table_size (self->processes) > 0 ||
      self->in_change_set || self->containers != NULL ||
      from->in_change_set || from->spoiled || from->eager_state != NULL ||
      from->containers != NULL || from->forwarded->len > 0)
    return FALSE;

  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&from->items);
  from->items = g_ptr_array_new ();
  g_hash_table_unref (self->by_id);
  self->by_id = g_steal_pointer (&from->by_id);
  from->by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_hash_table_unref (self->processes);
  self->processes = g_steal_pointer (&from->processes);
  from->processes = ph_service_list_process_table_new ();
  self->hidden_count = from->hidden_count;
  from->hidden_count = 0;
  self->seq = from->seq;

  n = self->items->len;
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n);
  /* As for a change set applied here: this thread's time, the views' reaction included. */
  self->last_apply = (PhTimeSpent) { 0, 0 };
  ph_time_spent_add_since (&self->last_apply, begin);
  if (n > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (self->hidden_count > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDDEN_COUNT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
  return TRUE;
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
 * first in the model's order. Linear, which is fine at a person's typing speed. A
 * forwarded port's row (ph_service_get_forwarded()) holds nothing and is never found.
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

      /* a forwarded port's row holds nothing */
      if (ph_service_get_port (service) != port || ph_service_get_forwarded (service))
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

/* How long the last change set took to apply (signals included), in microseconds of
 * wall-clock time. */
gint64
ph_service_list_get_last_apply_us (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), 0);

  return self->last_apply.wall_us;
}

/* The same, in microseconds of this thread's CPU time: what the work cost, without the
 * time other processes took the core meanwhile. An eager list's records, applied as they
 * came, are not in it (ph_service_list_apply_record_now() keeps wall-clock time only). */
gint64
ph_service_list_get_last_apply_cpu_us (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), 0);

  return self->last_apply.cpu_us;
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

PhAppIdentity *
ph_service_list_shown_group (PhServiceList *self,
                             PhService     *service)
{
  PhAppIdentity *before = g_hash_table_size (self->shown_groups) > 0
                          ? g_hash_table_lookup (self->shown_groups, service) : NULL;

  return before != NULL ? before : ph_service_get_identity (service);
}

/* Whether items[@k] stands under @group now (in the middle of a change set). */
static inline gboolean
shown_under (PhServiceList *self,
             guint          k,
             PhAppIdentity *group)
{
  return ph_app_identity_compare (ph_service_list_shown_group (self, self->items->pdata[k]),
                                  group) == 0;
}

/* The first index of the run of services shown under the group of items[@position]:
 * galloping down from @position, then bisecting the last step. */
static guint
shown_run_start (PhServiceList *self,
                 guint          position)
{
  PhAppIdentity *group = ph_service_list_shown_group (self, self->items->pdata[position]);
  guint known = position;   /* under @group */
  guint step = 1;
  guint lo;

  while (known >= step && shown_under (self, known - step, group))
    {
      known -= step;
      step *= 2;
    }
  /* items[lo - 1] is not under @group (or lo is 0); the first that is, in [lo, known] */
  lo = known >= step ? known - step + 1 : 0;
  while (lo < known)
    {
      guint mid = lo + (known - lo) / 2;

      if (shown_under (self, mid, group))
        known = mid;
      else
        lo = mid + 1;
    }
  return known;
}

/* One after the last index of that run, galloping up. */
static guint
shown_run_end (PhServiceList *self,
               guint          position)
{
  PhAppIdentity *group = ph_service_list_shown_group (self, self->items->pdata[position]);
  guint n = self->items->len;
  guint known = position;   /* under @group */
  guint step = 1;
  guint hi;

  while (known + step < n && shown_under (self, known + step, group))
    {
      known += step;
      step *= 2;
    }
  /* items[hi] is not under @group (or hi is n); the last that is, in [known, hi) */
  hi = MIN (known + step, n);
  while (known + 1 < hi)
    {
      guint mid = known + (hi - known) / 2;

      if (shown_under (self, mid, group))
        known = mid;
      else
        hi = mid;
    }
  return known + 1;
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

  /* In the middle of a change set (a view asks while it handles one items-changed of
   * several) a section is the run of neighbours shown under the same group
   * (ph_service_list_shown_group(): a service not moved yet stands under the group it
   * had). The list is then sorted by that group all the same: the runs announced so far
   * are in their final order, the rest in the order of the change set before, and the
   * first service after the last run announced is one that did not move, the same in
   * both (emit_diff()). So the run's ends are found by galloping out from @position and
   * bisecting, not by walking the section, which may hold most of the list. */
  if (self->emitting)
    {
      *out_start = shown_run_start (self, position);
      *out_end = shown_run_end (self, position);
      return;
    }

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
