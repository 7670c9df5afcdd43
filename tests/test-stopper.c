/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-stopper.c — Free Port: the lever, the real helper's stop on real listeners, the words */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ph-helper-client.h"
#include "ph-service-list.h"
#include "ph-stopper.h"
#include "ph-test-utils.h"

/* ---- processes --------------------------------------------------------------------- */

static gboolean
wait_dead (gint64  pid,
           guint64 start,
           guint   ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (ph_test_proc_alive (pid, start))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (5000);
    }
  return TRUE;
}

/* One socket, as most tests here want. */
static PhTestListener *
listener_start (const char *spec)
{
  PhTestListener *listener = ph_test_listener_start (spec, NULL);

  g_assert_cmpuint (listener->n_sockets, ==, 1);
  return listener;
}

/* ---- the model, as the app builds it ------------------------------------------------ */

static void
feed_text (PhServiceList *list,
           const char    *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint applied_sets = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean applied = FALSE;

      if (*lines[i] == '\0')
        continue;
      ph_service_list_feed_line (list, lines[i], -1, &applied, &error);
      g_assert_no_error (error);
      applied_sets += applied;
    }
  g_assert_cmpuint (applied_sets, ==, 1);
}

/* The real helper's `watch --once`, fed into a new PhServiceList. */
static PhServiceList *
scan (void)
{
  const char *argv[] = { ph_test_helper_path (), PH_VERB_WATCH, "--once", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  PhServiceList *list = ph_service_list_new ();
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  feed_text (list, out);
  return list;
}

/* The service of @listener's socket, looked up as the window does. */
static PhService *
find_service (PhServiceList *list,
              PhTestListener *listener)
{
  PhService *service = ph_service_list_find (list, "tcp", "127.0.0.1", listener->ports[0]);

  g_assert_nonnull (service);
  g_assert_cmpuint (ph_service_get_id (service), ==, listener->inodes[0]);
  return g_object_ref (service);
}

static void
stop_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static PhStopResult *
stop_sync (PhService  *service,
           gboolean    force,
           guint       grace_ms,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;

  ph_stopper_stop_async (service, force, grace_ms, NULL, stop_done_cb, &result);
  while (result == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("porthole-helper stop did not answer within a minute");
      g_main_context_iteration (NULL, TRUE);
    }
  return ph_stopper_stop_finish (result, error);
}

static gboolean
holders_contain (const PhStopResult *result,
                 gint64              pid)
{
  for (guint i = 0; i < result->holders->len; i++)
    if (g_array_index (result->holders, gint64, i) == pid)
      return TRUE;
  return FALSE;
}

/* Every sentence for a person names the port, as a whole number. */
static void
assert_names_port (const char *text,
                   guint       port)
{
  g_autofree char *number = g_strdup_printf ("%u", port);
  const char *p = text;
  gboolean found = FALSE;

  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_null (strstr (text, "(null)"));
  while (!found && (p = strstr (p, number)) != NULL)
    {
      found = (p == text || !g_ascii_isdigit (p[-1])) && !g_ascii_isdigit (p[strlen (number)]);
      p++;
    }
  if (!found)
    g_error ("“%s” does not name port %u", text, port);
}

/* ---- real listeners ------------------------------------------------------------------ */

/* The process the user started themselves: Porthole may simply ask it to quit. */
static void
test_lever_own_listener (void)
{
  g_autoptr(PhTestListener) listener = listener_start ("tcp:127.0.0.1:0");
  g_autoptr(PhServiceList) list = scan ();
  g_autoptr(PhService) service = find_service (list, listener);
  PhProcess *owner = ph_service_get_main_owner (service);
  const char *manager;
  const char *unit;
  PhStopLever expected = PH_STOP_LEVER_SIGNAL;

  g_assert_nonnull (owner);
  g_assert_cmpint (ph_process_get_pid (owner), ==, listener->pid);
  g_assert_cmpuint (ph_process_get_start_time (owner), ==, listener->start);
  g_assert_false (ph_service_get_kernel (service));
  g_assert_false (ph_service_get_hidden (service));

  /* A test run from inside a systemd service (a CI runner) inherits its unit, and then
   * stopping the unit is the right advice. */
  manager = ph_process_get_manager (owner);
  unit = ph_process_get_unit (owner);
  if ((g_strcmp0 (manager, "system-service") == 0 || g_strcmp0 (manager, "user-service") == 0)
      && unit != NULL && g_str_has_suffix (unit, ".service"))
    {
      g_test_message ("running inside %s: the lever is the service", unit);
      expected = PH_STOP_LEVER_SYSTEMD_SERVICE;
    }
  g_assert_cmpint (ph_stopper_choose_lever (service), ==, expected);
  if (expected == PH_STOP_LEVER_SIGNAL)
    g_assert_null (ph_stopper_explain_lever (service, PH_STOP_LEVER_SIGNAL));
}

static void
test_stop_frees (void)
{
  g_autoptr(PhTestListener) listener = listener_start ("tcp:127.0.0.1:0");
  g_autoptr(PhServiceList) list = scan ();
  g_autoptr(PhService) service = find_service (list, listener);
  g_autoptr(PhStopResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_false (ph_test_port_is_free (listener->ports[0]));
  result = stop_sync (service, FALSE, 3000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpint (result->outcome, ==, PH_STOP_OUTCOME_FREED);
  g_assert_cmpint (result->pid, ==, listener->pid);
  g_assert_cmpuint (result->inode, ==, listener->inodes[0]);
  g_assert_cmpstr (result->signal_name, ==, "TERM");
  g_assert_cmpuint (result->holders->len, ==, 0);
  g_assert_nonnull (result->helper_message);

  /* It quit on its own terms (ph-test-listener exits 0 on SIGTERM) … */
  g_subprocess_wait (listener->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (listener->process));
  g_assert_cmpint (g_subprocess_get_exit_status (listener->process), ==, 0);
  g_assert_false (ph_test_proc_alive (listener->pid, listener->start));
  /* … and the port can be used again. */
  g_assert_true (ph_test_port_is_free (listener->ports[0]));

  text = ph_stopper_describe (service, result);
  assert_names_port (text, listener->ports[0]);
  g_assert_nonnull (strstr (text, "ph-test-listene"));
}

/* A program that ignores SIGTERM keeps its port; only a forced stop frees it. */
static void
test_stop_ignore_term (void)
{
  g_autoptr(PhTestListener) listener =
    ph_test_listener_start ("--ignore-term", "tcp:127.0.0.1:0", NULL);
  g_autoptr(PhServiceList) list = scan ();
  g_autoptr(PhService) service = find_service (list, listener);
  g_autoptr(PhStopResult) result = NULL;
  g_autoptr(PhStopResult) forced = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 started = g_get_monotonic_time ();

  result = stop_sync (service, FALSE, 300, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, PH_STOP_OUTCOME_STILL_HELD);
  g_assert_cmpstr (result->signal_name, ==, "TERM");
  g_assert_cmpuint (result->holders->len, ==, 1);
  g_assert_true (holders_contain (result, listener->pid));
  /* The helper waited for the grace period, not its default 3 s. */
  g_test_message ("still-held after %" G_GINT64_FORMAT " ms",
                  (g_get_monotonic_time () - started) / 1000);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 300 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (ph_test_proc_alive (listener->pid, listener->start));
  g_assert_false (ph_test_port_is_free (listener->ports[0]));
  text = ph_stopper_describe (service, result);
  assert_names_port (text, listener->ports[0]);

  forced = stop_sync (service, TRUE, 3000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (forced->outcome, ==, PH_STOP_OUTCOME_FREED);
  g_assert_cmpstr (forced->signal_name, ==, "KILL");
  g_assert_cmpuint (forced->holders->len, ==, 0);
  g_subprocess_wait (listener->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (listener->process));
  g_assert_cmpint (g_subprocess_get_term_sig (listener->process), ==, SIGKILL);
  g_assert_true (ph_test_port_is_free (listener->ports[0]));
}

/* A forked server: the parent and both children hold the socket, and all must go. The
 * children do not die with the parent here, so only the helper's signals can end them. */
static void
test_stop_forked (void)
{
  g_autoptr(PhTestListener) listener =
    ph_test_listener_start ("--fork", "2", "--orphan-children", "tcp:127.0.0.1:0", NULL);
  g_autoptr(PhServiceList) list = scan ();
  g_autoptr(PhService) service = find_service (list, listener);
  g_autoptr(PhStopResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint n_owners = ph_service_get_n_owners (service);

  g_assert_cmpuint (listener->children->len, ==, 2);
  g_assert_cmpuint (n_owners, ==, 3);
  for (guint i = 0; i < n_owners; i++)
    {
      gint64 pid = ph_process_get_pid (ph_service_get_owner (service, i));

      g_assert_true (pid == listener->pid ||
                     pid == g_array_index (listener->children, gint64, 0) ||
                     pid == g_array_index (listener->children, gint64, 1));
    }

  result = stop_sync (service, FALSE, 3000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, PH_STOP_OUTCOME_FREED);
  g_assert_cmpuint (result->holders->len, ==, 0);

  g_subprocess_wait (listener->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (listener->process));
  for (guint i = 0; i < listener->children->len; i++)
    g_assert_true (wait_dead (g_array_index (listener->children, gint64, i),
                              g_array_index (listener->child_starts, guint64, i), 5000));
  g_assert_true (ph_test_port_is_free (listener->ports[0]));
}

/* The owner quit after the list was made, and another program took the port: that
 * program is not touched. */
static void
test_stop_owner_gone (void)
{
  g_autoptr(PhTestListener) first = listener_start ("tcp:127.0.0.1:0");
  g_autoptr(PhTestListener) second = NULL;
  g_autoptr(PhServiceList) list = scan ();
  g_autoptr(PhServiceList) after = NULL;
  g_autoptr(PhService) service = find_service (list, first);
  g_autoptr(PhService) now = NULL;
  g_autoptr(PhStopResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *text = NULL;

  ph_test_listener_stop (first);
  spec = g_strdup_printf ("tcp:127.0.0.1:%u", first->ports[0]);
  second = listener_start (spec);
  g_assert_cmpuint (second->ports[0], ==, first->ports[0]);

  result = stop_sync (service, FALSE, 3000, &error);
  g_assert_no_error (error);
  g_test_message ("outcome %d: %s", result->outcome, result->helper_message);
  g_assert_true (result->outcome == PH_STOP_OUTCOME_GONE ||
                 result->outcome == PH_STOP_OUTCOME_NOT_HOLDER);
  g_assert_false (holders_contain (result, first->pid));
  text = ph_stopper_describe (service, result);
  assert_names_port (text, first->ports[0]);

  /* Nothing else was signalled: the new holder is still there, as the next scan sees. */
  g_assert_true (ph_test_proc_alive (second->pid, second->start));
  g_assert_false (ph_test_port_is_free (second->ports[0]));
  after = scan ();
  now = find_service (after, second);
  g_assert_cmpint (ph_process_get_pid (ph_service_get_main_owner (now)), ==, second->pid);
}

/* Records that name a real process with a socket it does not hold, or with another start
 * time (what a list made before a PID was reused would say): nothing is signalled. */
static void
test_stop_not_holder_and_stale (void)
{
  g_autoptr(PhTestListener) a = listener_start ("tcp:127.0.0.1:0");
  g_autoptr(PhTestListener) b = listener_start ("tcp:127.0.0.1:0");
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(PhStopResult) not_holder = NULL;
  g_autoptr(PhStopResult) stale = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *stream = NULL;
  PhService *wrong_owner;
  PhService *wrong_start;

  /* B said to hold A's socket; A said to hold it with a start time it never had. */
  stream = g_strdup_printf (
    "BEGIN\tseq=1\tkind=full\n"
    "PROC\tpid=%" G_GINT64_FORMAT "\tstart=%" G_GUINT64_FORMAT "\tppid=1\tuid=0\tuser=root"
    "\tcomm=ph-test-listene\tmanager=none\n"
    "PROC\tpid=%" G_GINT64_FORMAT "\tstart=%" G_GUINT64_FORMAT "\tppid=1\tuid=0\tuser=root"
    "\tcomm=ph-test-listene\tmanager=none\n"
    "SOCK\tid=%" G_GUINT64_FORMAT "\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=%u\tuid=0"
    "\tuser=root\towners=%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT ":3\thidden=0\tkernel=0\n"
    "SOCK\tid=%" G_GUINT64_FORMAT "\tproto=tcp\tfamily=4\taddr=127.0.0.2\tport=%u\tuid=0"
    "\tuser=root\towners=%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT ":3\thidden=0\tkernel=0\n"
    "END\tseq=1\tsockets=2\n",
    b->pid, b->start, a->pid, a->start + 1,
    a->inodes[0], a->ports[0], b->pid, b->start,
    a->inodes[0] + 1, a->ports[0], a->pid, a->start + 1);
  feed_text (list, stream);
  wrong_owner = ph_service_list_find (list, "tcp", "127.0.0.1", a->ports[0]);
  wrong_start = ph_service_list_find (list, "tcp", "127.0.0.2", a->ports[0]);
  g_assert_nonnull (wrong_owner);
  g_assert_nonnull (wrong_start);

  not_holder = stop_sync (wrong_owner, FALSE, 300, &error);
  g_assert_no_error (error);
  g_assert_cmpint (not_holder->outcome, ==, PH_STOP_OUTCOME_NOT_HOLDER);
  g_assert_true (holders_contain (not_holder, a->pid));
  g_assert_false (holders_contain (not_holder, b->pid));
  text = ph_stopper_describe (wrong_owner, not_holder);
  assert_names_port (text, a->ports[0]);

  /* The helper is asked about socket A+1, which A does not hold either; the start time
   * is what it checks first. */
  stale = stop_sync (wrong_start, TRUE, 300, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stale->outcome, ==, PH_STOP_OUTCOME_STALE);

  g_assert_true (ph_test_proc_alive (a->pid, a->start));
  g_assert_true (ph_test_proc_alive (b->pid, b->start));
  g_assert_false (ph_test_port_is_free (a->ports[0]));
  g_assert_false (ph_test_port_is_free (b->ports[0]));
}

/* Stopping the socket @id of a list made of @records (one full change set, no real
 * process behind it) fails: the error, for the caller to check. */
static GError *
stop_fails (const char *records,
            guint64     id)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autofree char *text = g_strconcat ("BEGIN\tseq=1\tkind=full\n", records,
                                       "END\tseq=1\tsockets=1\n", NULL);
  g_autoptr(PhStopResult) result = NULL;
  GError *error = NULL;
  PhService *service;

  feed_text (list, text);
  service = ph_service_list_lookup (list, id);
  g_assert_nonnull (service);
  result = stop_sync (service, FALSE, 300, &error);
  g_assert_null (result);
  g_assert_nonnull (error);
  return error;
}

/* A service with no visible owner is refused before any helper runs. */
static void
test_stop_no_owner (void)
{
  g_autoptr(GError) error =
    stop_fails ("SOCK\tid=7001\tproto=tcp\tfamily=4\taddr=0.0.0.0\tport=2049\tuid=0\tuser=root"
                "\towners=\thidden=0\tkernel=1\n", 7001);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* A helper that is not there: the same error as every other user of the helper gets. */
static void
test_stop_missing_helper (void)
{
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "PORTHOLE_HELPER",
                                             "/nonexistent/porthole-helper", TRUE);

      g_test_trap_subprocess_with_envp (NULL, (const char * const *) envp, 20 * G_USEC_PER_SEC,
                                        G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  error = stop_fails ("PROC\tpid=4242\tstart=10\tppid=1\tuid=0\tuser=root\tcomm=x\tmanager=none\n"
                      "SOCK\tid=7002\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=40000\tuid=0"
                      "\tuser=root\towners=4242:10:3\thidden=0\tkernel=0\n", 7002);
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/porthole-helper"));
}

/* ---- RESULT lines ------------------------------------------------------------------- */

static void
test_parse_result (void)
{
  static const struct
  {
    const char    *name;
    PhStopOutcome  outcome;
  } outcomes[] = {
    { "freed", PH_STOP_OUTCOME_FREED },
    { "still-held", PH_STOP_OUTCOME_STILL_HELD },
    { "not-holder", PH_STOP_OUTCOME_NOT_HOLDER },
    { "stale", PH_STOP_OUTCOME_STALE },
    { "refused", PH_STOP_OUTCOME_REFUSED },
    { "permission", PH_STOP_OUTCOME_PERMISSION },
    { "gone", PH_STOP_OUTCOME_GONE },
    /* Not one the GUI can act on: a failure. */
    { "usage", PH_STOP_OUTCOME_FAILED },
    { "exploded", PH_STOP_OUTCOME_FAILED },
  };
  static const char * const malformed[] = {
    "",
    "RESULT\toutcome",                       /* a field without = */
    "result\toutcome=freed",                 /* not an upper-case type */
    "RESULT\toutcome=freed\tmessage=bad\\q",  /* a bad escape */
    "RESULT\toutcome=fr\x01" "eed",          /* a raw control byte */
    "SOCK\tid=1\tproto=tcp",                 /* another record */
    "HELLO\tprotocol=" G_STRINGIFY (PH_PROTOCOL_VERSION),
    "\toutcome=freed",
  };

  for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
    {
      g_autofree char *line = g_strdup_printf ("RESULT\toutcome=%s\tpid=4242\tinode=99"
                                               "\tsignal=TERM\tholders=\tsignalled="
                                               "\tmessage=It\\tworked.", outcomes[i].name);
      g_autoptr(GError) error = NULL;
      g_autoptr(PhStopResult) result = ph_stopper_parse_result (line, &error);

      g_assert_no_error (error);
      g_assert_nonnull (result);
      g_assert_cmpint (result->outcome, ==, outcomes[i].outcome);
      g_assert_cmpint (result->pid, ==, 4242);
      g_assert_cmpuint (result->inode, ==, 99);
      g_assert_cmpstr (result->signal_name, ==, "TERM");
      g_assert_cmpuint (result->holders->len, ==, 0);
      g_assert_cmpstr (result->helper_message, ==, "It\tworked.");
    }

  /* Holders: one entry per process, pid:start; the PIDs are kept in order. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PhStopResult) result =
      ph_stopper_parse_result ("RESULT\toutcome=still-held\tpid=300\tinode=12345678901"
                               "\tsignal=KILL\tholders=300:777,301:778,4194304:1"
                               "\tsignalled=300:777\tmessage=x\n", &error);

    g_assert_no_error (error);
    g_assert_cmpint (result->outcome, ==, PH_STOP_OUTCOME_STILL_HELD);
    g_assert_cmpuint (result->inode, ==, G_GUINT64_CONSTANT (12345678901));
    g_assert_cmpstr (result->signal_name, ==, "KILL");
    g_assert_cmpuint (result->holders->len, ==, 3);
    g_assert_cmpint (g_array_index (result->holders, gint64, 0), ==, 300);
    g_assert_cmpint (g_array_index (result->holders, gint64, 1), ==, 301);
    g_assert_cmpint (g_array_index (result->holders, gint64, 2), ==, 4194304);
  }

  /* Keys that are missing stay unknown; a missing outcome is a failure. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PhStopResult) result = ph_stopper_parse_result ("RESULT", &error);

    g_assert_no_error (error);
    g_assert_cmpint (result->outcome, ==, PH_STOP_OUTCOME_FAILED);
    g_assert_cmpint (result->pid, ==, 0);
    g_assert_null (result->signal_name);
    g_assert_null (result->helper_message);
    g_assert_cmpuint (result->holders->len, ==, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PhStopResult) result = ph_stopper_parse_result (malformed[i], &error);

      g_test_message ("refused: %s", error != NULL ? error->message : "(accepted)");
      g_assert_null (result);
      g_assert_nonnull (error);
      g_assert_true (error->domain == PH_PROTOCOL_ERROR);
    }
}

/* The helper's own RESULT line for a call it cannot make sense of (no process named,
 * so nothing can be signalled) is a failure to the GUI. */
static void
test_parse_real_result (void)
{
  const char *argv[] = { ph_test_helper_path (), PH_VERB_STOP, "--signal", "TERM", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(PhStopResult) result = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == PH_HELPER_EXIT_USAGE);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 2);
  g_assert_true (g_str_has_prefix (lines[0], "HELLO\t"));
  g_assert_true (g_str_has_prefix (lines[1], "RESULT\t"));
  result = ph_stopper_parse_result (lines[1], &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->outcome, ==, PH_STOP_OUTCOME_FAILED);
  g_assert_cmpstr (result->signal_name, ==, "TERM");
  g_assert_nonnull (result->helper_message);
  g_assert_cmpuint (result->holders->len, ==, 0);
}

/* ---- words ---------------------------------------------------------------------------- */

static void
test_describe (void)
{
  g_autoptr(PhTestListener) listener = listener_start ("tcp:127.0.0.1:0");
  g_autoptr(PhServiceList) list = scan ();
  g_autoptr(PhService) service = find_service (list, listener);
  g_autoptr(PhServiceList) kernel_list = ph_service_list_new ();
  PhService *kernel;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  feed_text (kernel_list,
             "BEGIN\tseq=1\tkind=full\n"
             "SOCK\tid=7001\tproto=tcp\tfamily=4\taddr=0.0.0.0\tport=2049\tuid=0\tuser=root"
             "\towners=\thidden=0\tkernel=1\n"
             "END\tseq=1\tsockets=1\n");
  kernel = ph_service_list_lookup (kernel_list, 7001);
  g_assert_nonnull (kernel);

  for (PhStopOutcome outcome = PH_STOP_OUTCOME_FREED; outcome <= PH_STOP_OUTCOME_FAILED;
       outcome++)
    {
      for (guint n_holders = 0; n_holders <= 2; n_holders++)
        {
          PhStopResult result = { .outcome = outcome, .pid = listener->pid,
                                  .inode = listener->inodes[0], .signal_name = (char *) "TERM" };
          g_autofree char *text = NULL;
          g_autofree char *text_kernel = NULL;

          result.holders = g_array_new (FALSE, FALSE, sizeof (gint64));
          for (guint i = 0; i < n_holders; i++)
            {
              gint64 pid = listener->pid + i;

              g_array_append_val (result.holders, pid);
            }
          text = ph_stopper_describe (service, &result);
          g_test_message ("%d, %u holders: %s", outcome, n_holders, text);
          assert_names_port (text, listener->ports[0]);
          g_assert_cmpuint (strlen (text), >, 10);
          g_hash_table_add (seen, g_steal_pointer (&text));

          /* With no process to name, the words still make sense. */
          text_kernel = ph_stopper_describe (kernel, &result);
          assert_names_port (text_kernel, 2049);
          g_array_unref (result.holders);
        }
    }
  /* Each outcome has its own words, and still-held says how many hold it (two more);
   * usage, which the reader never gives, reads as a failure (one fewer). */
  g_assert_cmpuint (g_hash_table_size (seen), >=, (PH_STOP_OUTCOME_FAILED + 1) + 2 - 1);
  {
    PhStopResult usage = { .outcome = PH_STOP_OUTCOME_USAGE, .holders = NULL };
    PhStopResult failed = { .outcome = PH_STOP_OUTCOME_FAILED, .holders = NULL };
    g_autofree char *usage_text = ph_stopper_describe (service, &usage);
    g_autofree char *failed_text = ph_stopper_describe (service, &failed);

    g_assert_cmpstr (usage_text, ==, failed_text);
  }
}

/* Every situation Porthole explains instead of stopping, from the facts the helper
 * reports for it. */
static const char explain_stream[] =
  "BEGIN\tseq=1\tkind=full\n"
  "PROC\tpid=1\tstart=2\tppid=0\tuid=0\tuser=root\tcomm=systemd\texe=/usr/lib/systemd/systemd"
  "\tcgroup=/init.scope\tmanager=system-service\tunit=init.scope\tslice=-.slice\n"
  "PROC\tpid=4001\tstart=10\tppid=1\tuid=0\tuser=root\tcomm=nginx\texe=/usr/sbin/nginx"
  "\tcwd=/\tcmdline=nginx: master process\tcgroup=/system.slice/nginx.service"
  "\tmanager=system-service\tunit=nginx.service\tslice=system.slice\n"
  "PROC\tpid=4002\tstart=11\tppid=1\tuid=1000\tuser=me\tcomm=syncthing"
  "\tcgroup=/user.slice/user-1000.slice/user@1000.service/app.slice/syncthing.service"
  "\tmanager=user-service\tunit=syncthing.service\tslice=app.slice\n"
  "PROC\tpid=4003\tstart=12\tppid=1\tuid=0\tuser=root\tcomm=docker-proxy"
  "\tcgroup=/system.slice/docker.service\tmanager=system-service\tunit=docker.service"
  "\tslice=system.slice\n"
  "PROC\tpid=4004\tstart=13\tppid=900\tuid=0\tuser=root\tcomm=node"
  "\tcgroup=/system.slice/docker-0123456789ab.scope\tmanager=container"
  "\tunit=docker-0123456789ab.scope\tcontainer=0123456789ab\tcontainer_kind=docker"
  "\tslice=system.slice\n"
  "PROC\tpid=4005\tstart=14\tppid=1200\tuid=1000\tuser=me\tcomm=gnome-shell"
  "\tcgroup=/user.slice/user-1000.slice/user@1000.service/session.slice/"
  "org.gnome.Shell@wayland.service\tmanager=user-service\tunit=org.gnome.Shell@wayland.service"
  "\tslice=session.slice\n"
  "PROC\tpid=4006\tstart=15\tppid=1200\tuid=1000\tuser=me\tcomm=gsd-sharing"
  "\tcgroup=/user.slice/user-1000.slice/user@1000.service/app.slice/"
  "org.gnome.SettingsDaemon.Sharing.service\tmanager=user-service"
  "\tunit=org.gnome.SettingsDaemon.Sharing.service\tslice=app.slice\n"
  "PROC\tpid=4007\tstart=16\tppid=1\tuid=1001\tuser=alice\tcomm=python3\tmanager=none\n"
  "SOCK\tid=9001\tproto=tcp\tfamily=4\taddr=0.0.0.0\tport=2049\tuid=0\tuser=root\towners="
  "\thidden=0\tkernel=1\n"
  "SOCK\tid=9002\tproto=tcp\tfamily=6\taddr=::\tport=80\tuid=0\tuser=root"
  "\towners=4001:10:6\thidden=0\tkernel=0\n"
  "SOCK\tid=9003\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=22000\tuid=1000\tuser=me"
  "\towners=4002:11:9\thidden=0\tkernel=0\n"
  "SOCK\tid=9004\tproto=udp\tfamily=4\taddr=0.0.0.0\tport=5355\tuid=0\tuser=root"
  "\towners=1:2:40\thidden=0\tkernel=0\n"
  "SOCK\tid=9005\tproto=tcp\tfamily=4\taddr=0.0.0.0\tport=8080\tuid=0\tuser=root"
  "\towners=4003:12:4\thidden=0\tkernel=0\n"
  "SOCK\tid=9006\tproto=tcp\tfamily=4\taddr=172.17.0.2\tport=3000\tuid=0\tuser=root"
  "\towners=4004:13:20\thidden=0\tkernel=0\n"
  "SOCK\tid=9007\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=39999\tuid=1000\tuser=me"
  "\towners=4005:14:30\thidden=0\tkernel=0\n"
  "SOCK\tid=9008\tproto=tcp\tfamily=4\taddr=0.0.0.0\tport=3389\tuid=1000\tuser=me"
  "\towners=4006:15:12\thidden=0\tkernel=0\n"
  "SOCK\tid=9009\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=631\tuid=1001\tuser=alice"
  "\towners=\thidden=1\tkernel=0\n"
  "SOCK\tid=9010\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=8000\tuid=1001\tuser=alice"
  "\towners=4007:16:3\thidden=0\tkernel=0\n"
  "SOCK\tid=9011\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=5432\tuid=1000\tuser=me"
  "\towners=\thidden=0\tkernel=0\tunseen=pid-namespace\n"
  "END\tseq=1\tsockets=11\n";

static void
check_explained (PhServiceList *list,
                 guint64        id,
                 PhStopLever    lever,
                 const char    *must_say,
                 const char    *must_say_too)
{
  PhService *service = ph_service_list_lookup (list, id);
  g_autofree char *text = NULL;

  g_assert_nonnull (service);
  g_assert_cmpint (ph_stopper_choose_lever (service), ==, lever);
  text = ph_stopper_explain_lever (service, lever);
  g_test_message ("%s: %s", ph_service_get_group_name (service), text);
  assert_names_port (text, ph_service_get_port (service));
  if (must_say != NULL && strstr (text, must_say) == NULL)
    g_error ("“%s” does not say “%s”", text, must_say);
  if (must_say_too != NULL && strstr (text, must_say_too) == NULL)
    g_error ("“%s” does not say “%s”", text, must_say_too);
}

/* The pane's button and the row menu name the lever the same way. */
static void
test_lever_action (void)
{
  g_assert_cmpstr (ph_stopper_lever_action (PH_STOP_LEVER_SIGNAL, FALSE), ==, "Free Port");
  g_assert_cmpstr (ph_stopper_lever_action (PH_STOP_LEVER_SIGNAL, TRUE), ==, "_Free Port…");
  g_assert_cmpstr (ph_stopper_lever_action (PH_STOP_LEVER_SYSTEMD_SERVICE, FALSE), ==,
                   "Stop Service");
  g_assert_cmpstr (ph_stopper_lever_action (PH_STOP_LEVER_SYSTEMD_SOCKET, TRUE), ==,
                   "_Stop Service…");
  g_assert_cmpstr (ph_stopper_lever_action (PH_STOP_LEVER_OTHER_USER, FALSE), ==, "Free Port");
}

static void
test_explain_levers (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  PhService *other;

  feed_text (list, explain_stream);

  check_explained (list, 9001, PH_STOP_LEVER_KERNEL, NULL, NULL);
  check_explained (list, 9002, PH_STOP_LEVER_SYSTEMD_SERVICE, "nginx.service",
                   "systemctl stop nginx.service");
  check_explained (list, 9003, PH_STOP_LEVER_SYSTEMD_SERVICE, "syncthing.service",
                   "systemctl --user stop syncthing.service");
  check_explained (list, 9004, PH_STOP_LEVER_SYSTEMD_SOCKET, ".socket", NULL);
  /* A container engine's proxy runs in the engine's service, but stopping the engine is
   * not the advice: stopping the container is. */
  check_explained (list, 9005, PH_STOP_LEVER_CONTAINER, "docker-proxy", "docker stop");
  check_explained (list, 9006, PH_STOP_LEVER_CONTAINER, NULL, "docker stop");
  /* gnome-shell is a user service too, but ending the session is what matters. */
  check_explained (list, 9007, PH_STOP_LEVER_SESSION, "gnome-shell", NULL);
  check_explained (list, 9008, PH_STOP_LEVER_SESSION, "gsd-sharing", NULL);
  check_explained (list, 9009, PH_STOP_LEVER_OTHER_USER, "alice", NULL);
  /* A holder out of sight (the scanner in a sandbox): nothing to stop, and why. */
  check_explained (list, 9011, PH_STOP_LEVER_UNSEEN, "cannot see", "sandbox");

  /* Another user's process that Porthole can see: root may signal it, nobody else. */
  other = ph_service_list_lookup (list, 9010);
  g_assert_cmpint (ph_stopper_choose_lever (other), ==,
                   getuid () == 0 ? PH_STOP_LEVER_SIGNAL : PH_STOP_LEVER_OTHER_USER);
  g_assert_null (ph_stopper_explain_lever (other, PH_STOP_LEVER_SIGNAL));
  {
    g_autofree char *text = ph_stopper_explain_lever (other, PH_STOP_LEVER_OTHER_USER);

    assert_names_port (text, 8000);
    g_assert_nonnull (strstr (text, "alice"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ph_test_utils_init ();

  g_test_add_func ("/stopper/parse/result", test_parse_result);
  g_test_add_func ("/stopper/parse/real-result", test_parse_real_result);
  g_test_add_func ("/stopper/explain/levers", test_explain_levers);
  g_test_add_func ("/stopper/lever/action", test_lever_action);
  g_test_add_func ("/stopper/describe", test_describe);
  g_test_add_func ("/stopper/lever/own-listener", test_lever_own_listener);
  g_test_add_func ("/stopper/stop/frees", test_stop_frees);
  g_test_add_func ("/stopper/stop/ignore-term", test_stop_ignore_term);
  g_test_add_func ("/stopper/stop/forked", test_stop_forked);
  g_test_add_func ("/stopper/stop/owner-gone", test_stop_owner_gone);
  g_test_add_func ("/stopper/stop/not-holder-and-stale", test_stop_not_holder_and_stale);
  g_test_add_func ("/stopper/stop/no-owner", test_stop_no_owner);
  g_test_add_func ("/stopper/stop/missing-helper", test_stop_missing_helper);

  return g_test_run ();
}
