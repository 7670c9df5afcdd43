/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-list-apply.c — applies a change set to the sorted list, by diff: in place for
 * known sockets, then one items-changed per run of changes */
#include "config.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "ph-address.h"
#include "ph-service-list-private.h"

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

/* ---- the change set ------------------------------------------------------------------ */

/* A set of the services a change set touched, with a 4,096-bit summary of their addresses
 * in front (512 bytes, which stay in the cache): most services of a long list are not in
 * it, and one bit test tells so without a hash lookup. Built once the set is complete. */
#define TOUCHED_BITS 4096

typedef struct
{
  GHashTable *set;
  guint64     bits[TOUCHED_BITS / 64];
} TouchedSet;

static inline guint
touched_bit (gconstpointer service)
{
  guint64 p = GPOINTER_TO_SIZE (service);

  /* Fibonacci hashing: the top 12 bits of the product */
  return (guint) ((p * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> 52);
}

static void
touched_set_init (TouchedSet *t,
                  GHashTable *set)
{
  GHashTableIter iter;
  gpointer service;

  t->set = set;
  memset (t->bits, 0, sizeof t->bits);
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, &service, NULL))
    {
      guint bit = touched_bit (service);

      t->bits[bit / 64] |= G_GUINT64_CONSTANT (1) << (bit % 64);
    }
}

static inline gboolean
touched_has (const TouchedSet *t,
             gconstpointer     service)
{
  guint bit = touched_bit (service);

  return (t->bits[bit / 64] >> (bit % 64) & 1) != 0 && g_hash_table_contains (t->set, service);
}

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

/* A moved service seen at one end (where it was or where it goes): it joins the run's
 * @half_seen until its other end is in the run too. */
static inline void
see_half (GHashTable *moved,
          GHashTable *half_seen,
          gpointer    service)
{
  if (g_hash_table_contains (moved, service) && !g_hash_table_remove (half_seen, service))
    g_hash_table_add (half_seen, service);
}

/* Moves the model from its current order to @target, emitting one items-changed per run
 * of changes. @old_touched holds the (ascending) positions in the current order of every
 * service that was added, removed or moved, @new_touched their positions in @target; all
 * the others keep their relative order in both arrays, so the walk jumps from one
 * touched position to the next instead of comparing every service. A moved service's
 * removal and insertion always fall into one signal, so a GtkSingleSelection keeps it
 * selected. */
static void
emit_diff (PhServiceList *self,
           GPtrArray     *target,
           GArray        *old_touched,
           GArray        *new_touched,
           GHashTable    *moved)
{
  g_autoptr(GPtrArray) old = g_ptr_array_copy (self->items, NULL, NULL);
  g_autoptr(GHashTable) half_seen = g_hash_table_new (NULL, NULL);
  const guint *ot = (const guint *) (gpointer) old_touched->data;
  const guint *nt = (const guint *) (gpointer) new_touched->data;
  guint n_ot = old_touched->len;
  guint n_nt = new_touched->len;
  guint a = 0;   /* the next of old_touched */
  guint b = 0;   /* the next of new_touched */
  guint i = 0;
  guint j = 0;

  /* The snapshot of the old order only borrows: every service removed from the model
   * is still referenced by the caller's list of removals until the walk is over. */
  self->emitting = TRUE;
  while (i < old->len || j < target->len)
    {
      guint next_i = a < n_ot ? ot[a] : old->len;
      guint next_j = b < n_nt ? nt[b] : target->len;
      guint skip = MIN (next_i - i, next_j - j);
      guint oi, nj;

      /* Untouched pairs, the same service on both sides. */
      if (skip > 0)
        {
          i += skip;
          j += skip;
          continue;
        }

      oi = i;
      nj = j;
      for (;;)
        {
          while (a < n_ot && ot[a] == i)
            {
              see_half (moved, half_seen, old->pdata[i]);
              a++;
              i++;
            }
          while (b < n_nt && nt[b] == j)
            {
              see_half (moved, half_seen, target->pdata[j]);
              b++;
              j++;
            }
          if (g_hash_table_size (half_seen) == 0)
            break;

          /* A moved service is still ahead: take the untouched pairs in between along. */
          next_i = a < n_ot ? ot[a] : old->len;
          next_j = b < n_nt ? nt[b] : target->len;
          skip = MIN (next_i - i, next_j - j);
          if (G_UNLIKELY (skip == 0 || old->pdata[i] != target->pdata[j]))
            {
              /* Cannot happen while the order only changes through this list; should
               * it anyway, replace the rest in one signal rather than mislead a view. */
              g_critical ("PhServiceList: the order changed behind the list's back");
              g_hash_table_remove_all (self->shown_groups);
              replace_range (self->items, nj, self->items->len - nj, target, nj,
                             target->len - nj);
              g_list_model_items_changed (G_LIST_MODEL (self), nj, old->len - oi,
                                          target->len - nj);
              self->emitting = FALSE;
              return;
            }
          i += skip;
          j += skip;
        }

      replace_range (self->items, nj, i - oi, target, nj, j - nj);
      /* The services this run puts in place stand under their new groups from now on. */
      if (g_hash_table_size (self->shown_groups) > 0)
        for (guint k = nj; k < j; k++)
          g_hash_table_remove (self->shown_groups, target->pdata[k]);
      g_list_model_items_changed (G_LIST_MODEL (self), nj, i - oi, j - nj);
    }

  g_hash_table_remove_all (self->shown_groups);
  self->emitting = FALSE;
  g_assert (self->items->len == target->len);
}

/* Merges the sorted @insert into the sorted @keep, into @out; on a tie the kept service
 * comes first. Each insertion point is found by bisection: a change set touches a few
 * services of many, so this compares O(k log n) times instead of n. The positions in @out
 * of the inserted services go to @inserted_at, in ascending order. */
static void
merge_sorted (GPtrArray *keep,
              GPtrArray *insert,
              GPtrArray *out,
              GArray    *inserted_at)
{
  guint a = 0;
  guint n = out->len;

  g_ptr_array_set_size (out, n + keep->len + insert->len);
  for (guint b = 0; b < insert->len; b++)
    {
      guint lo = a;
      guint hi = keep->len;

      /* the first kept service that sorts after insert[b] */
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (ph_service_compare (keep->pdata[mid], insert->pdata[b], NULL) <= 0)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo > a)
        memcpy (&out->pdata[n], &keep->pdata[a], (lo - a) * sizeof (gpointer));
      n += lo - a;
      a = lo;
      g_array_append_val (inserted_at, n);
      out->pdata[n++] = insert->pdata[b];
    }
  if (keep->len > a)
    memcpy (&out->pdata[n], &keep->pdata[a], (keep->len - a) * sizeof (gpointer));
}

static gboolean
owned_by_any (PhService  *service,
              GHashTable *processes)
{
  for (guint k = 0; k < ph_service_get_n_owners (service); k++)
    {
      if (g_hash_table_contains (processes, ph_service_get_owner (service, k)))
        return TRUE;
    }
  return FALSE;
}

/* How many of the processes a change set made last lend their identity to the next ones
 * (a server's workers, listed one after another, have the same). */
#define RECENT_PROCS 8

static void
apply_proc (PhServiceList  *self,
            const PhRecord *record,
            GHashTable     *regrouped_procs,
            GPtrArray      *recent)
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

  process = ph_process_new_from_record_sharing (record, recent, NULL);
  if (process == NULL)
    return;   /* checked when fed */
  if (recent->len == RECENT_PROCS)
    g_ptr_array_remove_index (recent, 0);
  g_ptr_array_add (recent, g_object_ref (process));
  key = g_new (PhProcessKey, 1);
  key->pid = (gint64) pid;
  key->start_time = start;
  g_hash_table_insert (self->processes, key, process);
}

/* A new reference to @service's group, to hand to note_change() after a change. */
static PhAppIdentity *
group_ref (PhService *service)
{
  PhAppIdentity *identity = ph_service_get_identity (service);

  return identity != NULL ? g_object_ref (identity) : NULL;
}

/* After a change of @service (@change; its group before it: @before). When its place in
 * the order changed it moves (@touched, @moved); when its group changed, the first time in
 * this change set, the group it had is kept: a view still sees it there until the run
 * that moves it (ph_service_list_shown_group()). */
static void
note_change (PhServiceList  *self,
             PhService      *service,
             PhAppIdentity  *before,
             PhServiceChange change,
             GHashTable     *touched,
             GHashTable     *moved)
{
  if ((change & PH_SERVICE_CHANGED_ORDER) == 0)
    return;
  if (before != NULL && ph_service_get_identity (service) != before &&
      !g_hash_table_contains (self->shown_groups, service))
    g_hash_table_insert (self->shown_groups, g_object_ref (service), g_object_ref (before));
  if (!g_hash_table_contains (touched, service))
    {
      g_hash_table_add (touched, service);
      g_hash_table_add (moved, service);
    }
}

static gboolean
apply_sock (PhServiceList   *self,
            const PhRecord  *record,
            GHashTable      *touched,
            GHashTable      *moved,
            GHashTable      *updated,
            GPtrArray       *added,
            GError         **error)
{
  guint64 id = ph_record_get_uint64_or (record, "id", 0);
  PhService *service = g_hash_table_lookup (self->by_id, &id);

  if (service != NULL)
    {
      g_autoptr(PhAppIdentity) before = group_ref (service);
      PhServiceChange change = PH_SERVICE_CHANGED_NONE;
      guint was_hidden = ph_service_get_hidden (service);

      if (!ph_service_update_from_record (service, record, lookup_or_make_process, self,
                                          &change, error))
        return FALSE;
      note_change (self, service, before, change, touched, moved);
      self->hidden_count = self->hidden_count - was_hidden + ph_service_get_hidden (service);
      g_hash_table_add (updated, service);
      return TRUE;
    }

  /* Checked when fed, or (eager) here, before anything changed. */
  service = ph_service_new_from_record (record, lookup_or_make_process, self, error);
  if (service == NULL)
    return FALSE;
  /* Keyed by the service's own id (it never changes): no key to allocate. */
  g_hash_table_replace (self->by_id, (gpointer) ph_service_get_id_key (service), service);
  self->hidden_count += ph_service_get_hidden (service);
  g_hash_table_add (touched, service);
  g_hash_table_add (updated, service);
  g_ptr_array_add (added, service);
  return TRUE;
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
  self->hidden_count -= ph_service_get_hidden (service);
}

/* Does a listed socket serve ADDRESS:PORT? (a port published on every address is held by
 * a socket on 0.0.0.0; one on 127.0.0.1 by either) Only the helper's sockets count, never
 * the rows of forwarded ports. */
static gboolean
port_is_held (const char *address,
              guint       port,
              const char *protocol,
              gpointer    user_data)
{
  PhServiceList *self = user_data;
  gboolean any_address = ph_address_text_is_any (address);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PhService *service = value;
      const char *a = ph_service_get_address (service);

      if (ph_service_get_port (service) != port ||
          g_ascii_strcasecmp (ph_service_get_protocol (service), protocol) != 0)
        continue;
      if (any_address || g_strcmp0 (a, address) == 0 || g_strcmp0 (a, "0.0.0.0") == 0 ||
          g_strcmp0 (a, "::") == 0)
        return TRUE;
    }
  return FALSE;
}

/* Whether @row is the forwarded row of @f (same protocol, address and port). */
static gboolean
is_row_of (PhService             *row,
           const PhForwardedPort *f)
{
  const char *address = f->port->host_ip != NULL && *f->port->host_ip != '\0'
                        ? f->port->host_ip : "0.0.0.0";

  return ph_service_get_port (row) == f->port->host_port &&
         g_strcmp0 (ph_service_get_address (row), address) == 0 &&
         g_strcmp0 (ph_service_get_protocol (row), f->port->protocol) == 0;
}

/* With forwarded rows on (the window's list): makes the rows of the published ports no
 * socket holds match the snapshot, after the sockets in by_id changed. New rows go to
 * @added (owned) and @touched; rows that went to @removed (referenced) and @touched; rows
 * whose container changed its group to @touched and @moved. */
static void
sync_forwarded (PhServiceList *self,
                GHashTable    *touched,
                GHashTable    *moved,
                GPtrArray     *added,
                GPtrArray     *removed)
{
  g_autoptr(GArray) wanted = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  if (self->forwarded_rows && self->containers != NULL)
    wanted = ph_container_snapshot_dup_forwarded (self->containers, port_is_held, self);
  if (wanted == NULL && self->forwarded->len == 0)
    return;
  /* The rows listed now: self->forwarded, rebuilt below from what stays and what comes. */
  for (guint k = 0; k < self->forwarded->len; k++)
    g_ptr_array_add (rows, self->forwarded->pdata[k]);
  g_ptr_array_set_size (self->forwarded, 0);
  for (guint i = 0; wanted != NULL && i < wanted->len; i++)
    {
      const PhForwardedPort *f = &g_array_index (wanted, PhForwardedPort, i);
      PhService *row = NULL;

      for (guint k = 0; k < rows->len && row == NULL; k++)
        {
          if (rows->pdata[k] != NULL && is_row_of (rows->pdata[k], f))
            {
              row = rows->pdata[k];
              rows->pdata[k] = NULL;
            }
        }
      if (row == NULL)
        {
          row = ph_service_new_forwarded (f->container, f->port);
          g_ptr_array_add (added, row);
          g_hash_table_add (touched, row);
          g_ptr_array_add (self->forwarded, row);
          continue;
        }
      g_ptr_array_add (self->forwarded, row);
      if (!ph_container_equal (f->container, ph_service_get_container (row)))
        {
          g_autoptr(PhAppIdentity) before = group_ref (row);

          note_change (self, row, before, ph_service_set_container (row, f->container),
                       touched, moved);
        }
    }
  for (guint k = 0; k < rows->len; k++)
    {
      PhService *row = rows->pdata[k];

      if (row == NULL)
        continue;
      g_hash_table_remove (moved, row);
      g_hash_table_add (touched, row);
      g_ptr_array_add (removed, g_object_ref (row));
    }
}

/**
 * ph_service_list_set_forwarded_rows:
 * @shown: whether the published ports that no socket holds are rows of the list
 *
 * The window shows them under their container (ph_service_new_forwarded()); the command
 * line lists them apart (ph_service_list_dup_forwarded()), so they are off by default.
 */
void
ph_service_list_set_forwarded_rows (PhServiceList *self,
                                    gboolean       shown)
{
  g_return_if_fail (PH_IS_SERVICE_LIST (self));

  if (self->forwarded_rows == !!shown)
    return;
  self->forwarded_rows = !!shown;
  ph_service_list_set_containers (self, self->containers);
}

/* Puts the services in @touched where they belong now: the others keep their order, the
 * moved ones and those of @added still in @touched (not gone again) are merged in, and
 * emit_diff() tells the model's views. */
static void
reorder_touched (PhServiceList *self,
                 GHashTable    *touched,
                 GHashTable    *moved,
                 GPtrArray     *added)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new ();
  g_autoptr(GPtrArray) insert = g_ptr_array_new ();
  g_autoptr(GPtrArray) target = NULL;
  GHashTableIter iter;
  gpointer service;
  g_autoptr(GArray) old_touched = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) new_touched = g_array_new (FALSE, FALSE, sizeof (guint));
  TouchedSet t;
  guint n_keep = 0;

  touched_set_init (&t, touched);
  g_ptr_array_set_size (keep, self->items->len);
  for (guint k = 0; k < self->items->len; k++)
    {
      if (!touched_has (&t, self->items->pdata[k]))
        keep->pdata[n_keep++] = self->items->pdata[k];
      else
        g_array_append_val (old_touched, k);
    }
  g_ptr_array_set_size (keep, n_keep);
  for (guint k = 0; k < added->len; k++)
    {
      if (g_hash_table_contains (touched, added->pdata[k]))
        g_ptr_array_add (insert, added->pdata[k]);
    }
  g_hash_table_iter_init (&iter, moved);
  while (g_hash_table_iter_next (&iter, &service, NULL))
    g_ptr_array_add (insert, service);
  g_ptr_array_sort_values_with_data (insert, ph_service_compare, NULL);

  target = g_ptr_array_sized_new (keep->len + insert->len);
  merge_sorted (keep, insert, target, new_touched);
  emit_diff (self, target, old_touched, new_touched, moved);
}

/* A change set while it is applied: what its records did so far. */
struct _PhApplyState
{
  GHashTable *touched;
  GHashTable *moved;
  GHashTable *updated;
  GHashTable *regrouped_procs;
  GPtrArray  *added;
  GPtrArray  *removed;
  GPtrArray  *recent_procs;   /* the last processes made, newest last (apply_proc()) */
  guint       old_n_items;
  guint       old_hidden;
  guint       n_records;
  PhTimeSpent spent;   /* time spent applying, so far */
};

static PhApplyState *
apply_begin (PhServiceList *self)
{
  PhApplyState *st = g_new0 (PhApplyState, 1);
  PhTimeSpent begin = ph_time_spent_now ();

  st->touched = g_hash_table_new (NULL, NULL);
  st->moved = g_hash_table_new (NULL, NULL);
  st->updated = g_hash_table_new (NULL, NULL);
  st->regrouped_procs = g_hash_table_new (NULL, NULL);
  st->added = g_ptr_array_new_with_free_func (g_object_unref);
  st->removed = g_ptr_array_new_with_free_func (g_object_unref);
  st->recent_procs = g_ptr_array_new_with_free_func (g_object_unref);
  st->old_n_items = self->items->len;
  st->old_hidden = self->hidden_count;

  /* A full change set describes everything: what it does not name is gone. Processes
   * it names again keep their objects. */
  if (self->pending_full)
    {
      self->old_processes = g_steal_pointer (&self->processes);
      self->processes = ph_service_list_process_table_new ();
    }
  ph_time_spent_add_since (&st->spent, begin);
  return st;
}

void
ph_apply_state_free (PhApplyState *st)
{
  g_hash_table_unref (st->touched);
  g_hash_table_unref (st->moved);
  g_hash_table_unref (st->updated);
  g_hash_table_unref (st->regrouped_procs);
  g_ptr_array_unref (st->added);
  g_ptr_array_unref (st->removed);
  g_ptr_array_unref (st->recent_procs);
  g_free (st);
}

/* @error: why a SOCK was refused, for a record not checked when fed (eager) */
static gboolean
apply_record (PhServiceList   *self,
              PhApplyState    *st,
              const PhRecord  *record,
              GError         **error)
{
  st->n_records++;
  switch (ph_record_get_kind (record))
    {
    case PH_RECORD_PROC:
      apply_proc (self, record, st->regrouped_procs, st->recent_procs);
      break;

    case PH_RECORD_SOCK:
      return apply_sock (self, record, st->touched, st->moved, st->updated, st->added, error);

    case PH_RECORD_GONE:
      apply_gone (self, record, st->touched, st->moved, st->removed);
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
  return TRUE;
}

/* In an eager list (ph_service_list_set_eager()), between BEGIN and END: @record now. A
 * SOCK is checked here, not before (ph_service_validate_record() would read it twice):
 * when refused (@error), nothing changed. */
gboolean
ph_service_list_apply_record_now (PhServiceList   *self,
                                  const PhRecord  *record,
                                  GError         **error)
{
  /* Wall-clock time only: a thread's CPU time is a system call (about 1.3 us), two per
   * record would cost a 20,000-record first list some 50 ms on the reader thread. */
  gint64 begin = g_get_monotonic_time ();
  gboolean ok;

  if (self->eager_state == NULL)
    self->eager_state = apply_begin (self);
  ok = apply_record (self, self->eager_state, record, error);
  self->eager_state->spent.wall_us += g_get_monotonic_time () - begin;
  return ok;
}

/* The change set's records are all applied (@st): its end. Returns how many there were. */
static guint
apply_finish (PhServiceList *self,
              PhApplyState  *st)
{
  PhTimeSpent begin = ph_time_spent_now ();
  GHashTable *touched = st->touched;
  GHashTable *moved = st->moved;
  GHashTable *updated = st->updated;
  GPtrArray *added = st->added;
  GPtrArray *removed = st->removed;
  guint n_records = st->n_records;

  /* A PROC can rename an application (an exec, a new cwd): regroup what it owns. */
  if (g_hash_table_size (st->regrouped_procs) > 0)
    {
      for (guint k = 0; k < self->items->len; k++)
        {
          PhService *service = self->items->pdata[k];

          g_autoptr(PhAppIdentity) before = NULL;

          if (!owned_by_any (service, st->regrouped_procs))
            continue;
          before = group_ref (service);
          note_change (self, service, before, ph_service_refresh_group (service), touched,
                       moved);
        }
    }

  /* Ports that a container engine's helper holds go under their container. */
  if (self->containers != NULL)
    {
      GHashTableIter iter;
      gpointer service;

      g_hash_table_iter_init (&iter, updated);
      while (g_hash_table_iter_next (&iter, &service, NULL))
        {
          g_autoptr(PhAppIdentity) before = group_ref (service);

          note_change (self, service, before, ph_service_list_attach_container (self, service),
                       touched, moved);
        }
    }

  if (self->pending_full)
    {
      for (guint k = 0; k < self->items->len; k++)
        {
          PhService *service = self->items->pdata[k];
          guint64 id = ph_service_get_id (service);

          if (g_hash_table_contains (updated, service) || g_hash_table_contains (touched, service) ||
              ph_service_get_forwarded (service))
            continue;
          g_hash_table_add (touched, service);
          g_ptr_array_add (removed, g_object_ref (service));
          g_hash_table_remove (self->by_id, &id);
          self->hidden_count -= ph_service_get_hidden (service);
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

  /* The sockets changed: so may the published ports that none of them holds. */
  sync_forwarded (self, touched, moved, added, removed);

  if (g_hash_table_size (touched) > 0)
    reorder_touched (self, touched, moved, added);
  g_hash_table_remove_all (self->shown_groups);

  self->seq = self->pending_seq;
  ph_service_list_clear_pending (self);

  self->last_apply = st->spent;
  ph_time_spent_add_since (&self->last_apply, begin);

  if (st->old_n_items != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), ph_service_list_properties[PROP_N_ITEMS]);
  if (st->old_hidden != self->hidden_count)
    g_object_notify_by_pspec (G_OBJECT (self), ph_service_list_properties[PROP_HIDDEN_COUNT]);
  g_object_notify_by_pspec (G_OBJECT (self), ph_service_list_properties[PROP_SEQ]);
  return n_records;
}

static guint
apply_change_set (PhServiceList *self)
{
  PhApplyState *st = g_steal_pointer (&self->eager_state);
  guint n_records;

  if (st == NULL)
    st = apply_begin (self);
  for (guint k = 0; k < self->pending->len; k++)
    apply_record (self, st, self->pending->pdata[k], NULL);   /* checked when fed */
  n_records = apply_finish (self, st);
  ph_apply_state_free (st);
  return n_records;
}

/* Below this many records a change set's garbage is not worth a walk of the heap. */
#define TRIM_AFTER_RECORDS 1000

void
ph_service_list_apply_change_set (PhServiceList *self)
{
  guint n_records = apply_change_set (self);

#ifdef __GLIBC__
  /* A large change set (the first snapshot) leaves its lines, records and the view's
   * garbage freed in the middle of the heap, where malloc keeps them: give their pages
   * back to the system. Not in an eager list's thread (ph-scanner-reader.c), where the
   * list is still to be handed over: its taker trims once it has shown it. */
  if (n_records >= TRIM_AFTER_RECORDS && !self->eager)
    malloc_trim (0);
#else
  (void) n_records;
#endif
}

PhServiceChange
ph_service_list_attach_container (PhServiceList *self,
                                  PhService     *service)
{
  g_autoptr(PhContainer) container = NULL;
  PhProcess *owner = ph_service_get_main_owner (service);
  int engine = owner != NULL ? ph_containers_proxy_engine (ph_process_get_comm (owner)) : -1;

  if (engine >= 0 && self->containers != NULL)
    {
      PhContainer *found = ph_container_snapshot_find (self->containers,
                                                       ph_service_get_address (service),
                                                       ph_service_get_port (service),
                                                       ph_service_get_protocol (service),
                                                       engine);

      if (found != NULL)
        container = g_object_ref (found);
      else
        container = ph_containers_guess (ph_process_get_comm (owner),
                                         ph_process_get_argv (owner),
                                         ph_process_get_uid (owner),
                                         ph_process_get_container (owner),
                                         ph_service_get_address (service),
                                         ph_service_get_port (service),
                                         ph_service_get_protocol (service),
                                         self->containers);
    }
  if (container == NULL && ph_service_get_container (service) == NULL)
    return PH_SERVICE_CHANGED_NONE;
  /* The same container as before (same key, same facts): nothing to do. */
  if (container != NULL && ph_service_get_container (service) != NULL &&
      ph_container_equal (container, ph_service_get_container (service)))
    return PH_SERVICE_CHANGED_NONE;
  return ph_service_set_container (service, container);
}

/**
 * ph_service_list_set_containers:
 * @snapshot: (nullable): what the engines answered (ph_containers_query_async())
 *
 * Groups each port that a container engine's helper holds under its container, or under
 * a guess when the engine could not be asked; moves the services whose group changed in
 * one items-changed per run, as a change set does.
 */
void
ph_service_list_set_containers (PhServiceList       *self,
                                PhContainerSnapshot *snapshot)
{
  g_autoptr(GHashTable) touched = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) moved = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_object_unref);
  guint old_n_items = self->items->len;

  g_return_if_fail (PH_IS_SERVICE_LIST (self));
  g_return_if_fail (snapshot == NULL || PH_IS_CONTAINER_SNAPSHOT (snapshot));

  g_set_object (&self->containers, snapshot);
  for (guint k = 0; k < self->items->len; k++)
    {
      PhService *item = self->items->pdata[k];
      g_autoptr(PhAppIdentity) before = NULL;

      if (ph_service_get_forwarded (item))
        continue;
      before = group_ref (item);
      note_change (self, item, before, ph_service_list_attach_container (self, item), touched,
                   moved);
    }
  sync_forwarded (self, touched, moved, added, removed);
  if (g_hash_table_size (touched) == 0)
    {
      g_hash_table_remove_all (self->shown_groups);
      return;
    }
  reorder_touched (self, touched, moved, added);
  if (old_n_items != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), ph_service_list_properties[PROP_N_ITEMS]);
}

/* Returns: (transfer none) (nullable): the snapshot last set */
PhContainerSnapshot *
ph_service_list_get_containers (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), NULL);
  return self->containers;
}

gboolean
ph_service_list_has_container_ports (PhServiceList *self,
                                     GString       *ids)
{
  gboolean any = FALSE;
  PhProcess *last_owner = NULL;
  gboolean last_is_proxy = FALSE;

  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), FALSE);

  /* items are in the list's order, which is stable for an unchanged set; a process's
   * sockets stand together there, so its name is compared once, not once per socket
   * (after every change set, at 20,000 services) */
  for (guint k = 0; k < self->items->len; k++)
    {
      PhService *service = self->items->pdata[k];
      PhProcess *owner = ph_service_get_main_owner (service);

      if (owner != last_owner)
        {
          last_owner = owner;
          last_is_proxy = owner != NULL &&
                          ph_containers_proxy_engine (ph_process_get_comm (owner)) >= 0;
        }
      if (!last_is_proxy)
        continue;
      any = TRUE;
      if (ids != NULL)
        g_string_append_printf (ids, "%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT ",",
                                ph_service_get_id (service), ph_process_get_pid (owner));
    }
  return any;
}

/**
 * ph_service_list_dup_forwarded:
 *
 * Returns: (transfer full) (element-type PhForwardedPort): the running containers'
 *   published ports (in the snapshot last set) that no listed socket holds: the engine
 *   forwards them by the firewall alone. The containers are the snapshot's.
 */
GArray *
ph_service_list_dup_forwarded (PhServiceList *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_LIST (self), NULL);

  if (self->containers == NULL)
    return g_array_new (FALSE, TRUE, sizeof (PhForwardedPort));
  return ph_container_snapshot_dup_forwarded (self->containers, port_is_held, self);
}
