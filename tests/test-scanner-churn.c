/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scanner-churn.c — the GUI's model (PhScanner's service list) under the same churn as
 * test-helper-churn, refreshed every 100 ms: afterwards it equals a fresh helper snapshot */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ph-scanner.h"
#include "ph-test-utils.h"

typedef struct
{
  char    *kind;
  guint64  inode;
  char    *comm;
  char    *holders;   /* "pid:start,..." sorted */
} Survivor;

static void
survivor_free (gpointer data)
{
  Survivor *s = data;

  g_free (s->kind);
  g_free (s->comm);
  g_free (s->holders);
  g_free (s);
}

typedef struct
{
  GPtrArray *survivors;
  gboolean   done;
  gboolean   failed;
  char      *figures;
} ChurnState;

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ChurnState *cs = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                 result, NULL, &error);
  g_auto(GStrv) w = NULL;

  if (line == NULL)
    {
      cs->failed = TRUE;
      return;
    }
  w = g_strsplit (line, " ", -1);
  if (g_strcmp0 (w[0], "SURVIVOR") == 0 && g_strv_length (w) == 5)
    {
      Survivor *s = g_new0 (Survivor, 1);

      s->kind = g_strdup (w[1]);
      s->inode = g_ascii_strtoull (w[2], NULL, 10);
      s->comm = g_strdup (w[3]);
      s->holders = g_strdup (w[4]);
      g_ptr_array_add (cs->survivors, s);
    }
  else if (g_strcmp0 (w[0], "DONE") == 0)
    {
      cs->done = TRUE;
      cs->figures = g_strdup (line);
      return;
    }
  g_data_input_stream_read_line_async (G_DATA_INPUT_STREAM (source), G_PRIORITY_DEFAULT, NULL,
                                       on_line, cs);
}

static gboolean
refresh_cb (gpointer data)
{
  ph_scanner_refresh (data);
  return G_SOURCE_CONTINUE;
}

static void
iterate_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

/* "pid:start,…" of a service's owners, sorted. */
static char *
owners_text (PhService *service)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < ph_service_get_n_owners (service); i++)
    {
      PhProcess *p = ph_service_get_owner (service, i);
      char *item = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT,
                                    ph_process_get_pid (p), ph_process_get_start_time (p));

      if (!g_ptr_array_find_with_equal_func (items, item, g_str_equal, NULL))
        g_ptr_array_add (items, item);
      else
        g_free (item);
    }
  g_ptr_array_sort_values (items, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (out, "%s%s", i ? "," : "", (char *) g_ptr_array_index (items, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Everything a row shows about one service that the churn can change, as one line. */
static char *
describe (PhService *service)
{
  PhProcess *main_owner = ph_service_get_main_owner (service);
  g_autofree char *owners = owners_text (service);

  return g_strdup_printf ("%" G_GUINT64_FORMAT " %s %s:%u owners=%s comm=%s cmd=%s",
                          ph_service_get_id (service), ph_service_get_protocol (service),
                          ph_service_get_address (service), ph_service_get_port (service),
                          owners, main_owner ? ph_process_get_comm (main_owner) : "-",
                          main_owner ? ph_process_get_command_line (main_owner) : "-");
}

/* Every service with a holder in sight. Sockets without one are other PID namespaces'
 * (the network namespace is shared with whatever else runs on this machine): they come and
 * go as they please, so only those that have a holder on one side are compared (a socket
 * the model still gives an owner is then missing from the snapshot's set, and the other
 * way round). */
static GHashTable *
describe_all (PhServiceList *list)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) s = g_list_model_get_item (G_LIST_MODEL (list), i);
      if (ph_service_get_n_owners (s) > 0)
        g_hash_table_add (out, describe (s));
    }
  return out;
}

/* A fresh `porthole-helper watch --once`, read by a service list of its own. */
static PhServiceList *
snapshot (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) helper =
    g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, ph_test_helper_path (), "watch",
                      "--once", NULL);
  g_autoptr(GBytes) out = NULL;
  PhServiceList *list = ph_service_list_new ();
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  g_subprocess_communicate (helper, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (helper));
  lines = g_strsplit (g_bytes_get_data (out, NULL), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '\0')
        continue;
      ph_service_list_feed_line (list, lines[i], -1, NULL, &error);
      g_assert_no_error (error);
    }
  return list;
}

/* The differences between the model and a snapshot, as lines; NULL when equal. */
static char *
differences (PhServiceList *model,
             PhServiceList *fresh)
{
  g_autoptr(GHashTable) a = describe_all (model);
  g_autoptr(GHashTable) b = describe_all (fresh);
  g_autoptr(GString) diff = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (b, key))
      g_string_append_printf (diff, "model only: %s\n", (char *) key);
  g_hash_table_iter_init (&iter, b);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (a, key))
      g_string_append_printf (diff, "snapshot only: %s\n", (char *) key);
  return diff->len > 0 ? g_string_free (g_steal_pointer (&diff), FALSE) : NULL;
}

static void
test_churn (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PhScanner) scanner = ph_scanner_new ();
  PhServiceList *list = ph_scanner_get_service_list (scanner);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) churn = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "ph_churn.py", NULL);
  const char *count = g_getenv ("PH_CHURN_COUNT") ? g_getenv ("PH_CHURN_COUNT") : "1000";
  ChurnState cs = { g_ptr_array_new_with_free_func (survivor_free), FALSE, FALSE, NULL };
  g_autofree char *diff = NULL;
  gint64 deadline;
  guint refresh_id;
  guint64 seq_done;

  ph_scanner_set_refresh_interval (scanner, 1);
  ph_scanner_start (scanner);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (ph_scanner_get_state (scanner) != PH_SCANNER_STATE_RUNNING)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  /* A change set every 100 ms, as with watch --interval 100. */
  refresh_id = g_timeout_add (100, refresh_cb, scanner);

  churn = g_subprocess_launcher_spawn (launcher, &error, "python3", script, "--count", count,
                                       NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (churn));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_line, &cs);
  deadline = g_get_monotonic_time () + 400 * G_USEC_PER_SEC;
  while (!cs.done && !cs.failed)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_false (cs.failed);
  g_test_message ("churn: %s (listeners started, seconds)", cs.figures);
  g_assert_cmpuint (cs.survivors->len, >=, 8);

  /* The survivors changed a second ago; holders are checked every two seconds. */
  iterate_for (4.0);
  g_assert_cmpint (ph_scanner_get_state (scanner), ==, PH_SCANNER_STATE_RUNNING);

  /* Every survivor is in the model with its holders and name. */
  for (guint i = 0; i < cs.survivors->len; i++)
    {
      Survivor *s = g_ptr_array_index (cs.survivors, i);
      PhService *service = ph_service_list_lookup (list, s->inode);
      g_autofree char *owners = NULL;
      PhProcess *main_owner;

      if (service == NULL)
        g_error ("the surviving %s listener's socket %" G_GUINT64_FORMAT " is not in the model",
                 s->kind, s->inode);
      owners = owners_text (service);
      g_assert_cmpstr (owners, ==, s->holders);
      main_owner = ph_service_get_main_owner (service);
      g_assert_nonnull (main_owner);
      g_assert_cmpstr (ph_process_get_comm (main_owner), ==, s->comm);
    }

  /* The model equals a fresh snapshot. Nothing else of this suite runs beside this test
   * (it is not run in parallel), but a process of the system may come or go between the
   * two: a difference must persist over three tries to count. */
  for (int attempt = 0; attempt < 3; attempt++)
    {
      g_autoptr(PhServiceList) fresh = NULL;

      seq_done = ph_service_list_get_seq (list);
      while (ph_service_list_get_seq (list) < seq_done + 2)
        g_main_context_iteration (NULL, TRUE);
      fresh = snapshot ();
      g_clear_pointer (&diff, g_free);
      diff = differences (list, fresh);
      if (diff == NULL)
        break;
      g_test_message ("try %d: %s", attempt + 1, diff);
    }
  if (diff != NULL)
    g_error ("the model differs from a fresh snapshot:\n%s", diff);
  g_test_message ("model equals the snapshot: %u services",
                  g_list_model_get_n_items (G_LIST_MODEL (list)));

  g_source_remove (refresh_id);
  g_output_stream_close (g_subprocess_get_stdin_pipe (churn), NULL, NULL);
  g_subprocess_wait (churn, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (churn));
  g_ptr_array_unref (cs.survivors);
  g_free (cs.figures);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ph_test_utils_init ();

  g_test_add_func ("/scanner/churn", test_churn);

  return g_test_run ();
}
