/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scanner.c — the real helper watching real listener processes; crashes and recovery */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>

#include "ph-scanner.h"
#include "ph-test-utils.h"

typedef gboolean (*Predicate) (PhScanner *scanner, gpointer data);

/* Runs the main loop until @predicate holds; fails the test after @seconds. */
static void
wait_for (PhScanner   *scanner,
          Predicate    predicate,
          gpointer     data,
          double       seconds,
          const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!predicate (scanner, data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s (state %d, error %s)", what,
                 ph_scanner_get_state (scanner),
                 ph_scanner_get_error_message (scanner));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
is_state (PhScanner *scanner,
          gpointer   data)
{
  return ph_scanner_get_state (scanner) == (PhScannerState) GPOINTER_TO_UINT (data);
}

static gboolean
has_id (PhScanner *scanner,
        gpointer   data)
{
  return ph_service_list_lookup (ph_scanner_get_service_list (scanner),
                                 *(guint64 *) data) != NULL;
}

static gboolean
lacks_id (PhScanner *scanner,
          gpointer   data)
{
  return !has_id (scanner, data);
}

static PhScanner *
scanner_new (guint interval)
{
  PhScanner *scanner = ph_scanner_new ();

  ph_scanner_set_refresh_interval (scanner, interval);
  return scanner;
}

static void
test_live (void)
{
  g_autoptr(PhTestListener) first =
    ph_test_listener_start ("--exec-name", "phlisten", "--cwd", "/tmp", "tcp:127.0.0.1:0", "--",
                            "--the-extra", NULL);
  g_autoptr(PhTestListener) second = NULL;
  g_autoptr(PhScanner) scanner = scanner_new (0);
  PhServiceList *list = ph_scanner_get_service_list (scanner);
  PhService *service;
  PhProcess *owner;
  const char * const *argv;

  g_assert_cmpint (ph_scanner_get_state (scanner), ==, PH_SCANNER_STATE_STOPPED);
  ph_scanner_start (scanner);
  g_assert_cmpint (ph_scanner_get_state (scanner), ==, PH_SCANNER_STATE_STARTING);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_RUNNING), 10, "running");
  g_assert_nonnull (ph_scanner_get_helper_pid (scanner));
  g_assert_null (ph_scanner_get_error_message (scanner));
  g_assert_true (g_strcmp0 (ph_scanner_get_source (scanner), "netlink") == 0 ||
                 g_strcmp0 (ph_scanner_get_source (scanner), "procfs") == 0);

  /* The listener was there before the scanner: it is in the first list. */
  service = ph_service_list_lookup (list, first->inodes[0]);
  g_assert_nonnull (service);
  g_assert_cmpuint (ph_service_get_port (service), ==, first->ports[0]);
  g_assert_cmpstr (ph_service_get_protocol (service), ==, "tcp");
  g_assert_cmpstr (ph_service_get_address (service), ==, "127.0.0.1");
  g_assert_false (ph_service_is_reachable_from_network (service));
  g_assert_true (ph_service_list_find (list, "tcp", "127.0.0.1", first->ports[0]) == service);
  owner = ph_service_get_main_owner (service);
  g_assert_nonnull (owner);
  g_assert_cmpint (ph_process_get_pid (owner), ==, first->pid);
  g_assert_cmpstr (ph_process_get_comm (owner), ==, "phlisten");
  g_assert_cmpstr (ph_process_get_cwd (owner), ==, "/tmp");
  argv = ph_process_get_argv (owner);
  g_assert_nonnull (argv);
  g_assert_cmpstr (argv[0], ==, "phlisten");
  g_assert_true (g_strv_contains (argv, "--the-extra"));
  g_assert_true (ph_service_get_identity (service) == ph_process_get_identity (owner));
  g_assert_nonnull (ph_service_get_group_name (service));

  /* A new listener appears on refresh. */
  second = ph_test_listener_start ("udp:[::1]:0", "tcp6only:[::1]:0", NULL);
  ph_scanner_refresh (scanner);
  wait_for (scanner, has_id, &second->inodes[0], 10, "the UDP listener");
  wait_for (scanner, has_id, &second->inodes[1], 10, "the TCP listener");
  service = ph_service_list_lookup (list, second->inodes[1]);
  g_assert_cmpint (ph_service_get_v6only (service), ==, 1);
  {
    g_autofree char *display = ph_service_dup_display_address (service);
    g_autofree char *expected = g_strdup_printf ("[::1]:%u", second->ports[1]);

    g_assert_cmpstr (display, ==, expected);
  }
  service = ph_service_list_lookup (list, second->inodes[0]);
  g_assert_cmpstr (ph_service_get_protocol (service), ==, "udp");
  g_assert_cmpuint (ph_service_get_family (service), ==, 6);

  /* ... and disappears once it is gone, while the other stays the same object. */
  service = ph_service_list_lookup (list, first->inodes[0]);
  ph_test_listener_stop (second);
  ph_scanner_refresh (scanner);
  wait_for (scanner, lacks_id, &second->inodes[0], 10, "the UDP listener to go");
  wait_for (scanner, lacks_id, &second->inodes[1], 10, "the TCP listener to go");
  g_assert_true (ph_service_list_lookup (list, first->inodes[0]) == service);
}

/* Changing the interval while the helper runs reaches it on its stdin. */
static void
test_interval (void)
{
  g_autoptr(PhScanner) scanner = scanner_new (0);
  g_autoptr(PhTestListener) listener = NULL;

  ph_scanner_start (scanner);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_RUNNING), 10, "running");

  g_object_set (scanner, "refresh-interval", 1, NULL);
  g_assert_cmpuint (ph_scanner_get_refresh_interval (scanner), ==, 1);
  listener = ph_test_listener_start ("tcp:127.0.0.1:0", NULL);
  /* no refresh (): only the interval can bring it */
  wait_for (scanner, has_id, &listener->inodes[0], 5, "the listener, by interval");
}

/* Paused, the helper only scans when asked: a listener that appears is not seen, even
 * after several intervals. Resumed, it scans at once: with an interval of an hour, only
 * the resume can bring the listener. */
static void
test_paused (void)
{
  g_autoptr(PhScanner) scanner = scanner_new (1);
  g_autoptr(PhTestListener) listener = NULL;
  gint64 until;

  ph_scanner_start (scanner);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_RUNNING), 10, "running");
  ph_scanner_set_paused (scanner, TRUE);
  g_assert_true (ph_scanner_get_paused (scanner));
  /* a change set already under way may still come; then nothing */
  until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);

  listener = ph_test_listener_start ("tcp:127.0.0.1:0", NULL);
  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_false (has_id (scanner, &listener->inodes[0]));

  /* changing the interval while paused does not start the timed refreshes again */
  ph_scanner_set_refresh_interval (scanner, 2);
  until = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_false (has_id (scanner, &listener->inodes[0]));

  ph_scanner_set_refresh_interval (scanner, 3600);
  ph_scanner_set_paused (scanner, FALSE);
  g_assert_false (ph_scanner_get_paused (scanner));
  wait_for (scanner, has_id, &listener->inodes[0], 10, "the listener, on resuming");
}

static gboolean
retry_delay_is (PhScanner *scanner,
                gpointer   data)
{
  return ph_scanner_get_retry_delay (scanner) == GPOINTER_TO_UINT (data);
}

static void
kill_helper (PhScanner *scanner)
{
  const char *pid_text = ph_scanner_get_helper_pid (scanner);
  gint64 pid;

  g_assert_nonnull (pid_text);
  pid = g_ascii_strtoll (pid_text, NULL, 10);
  g_assert_cmpint (pid, >, 1);
  /* the scanner started it for this test */
  g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);
}

static void
test_crash_recovery (void)
{
  g_autoptr(PhTestListener) listener = ph_test_listener_start ("tcp:127.0.0.1:0", NULL);
  g_autoptr(PhScanner) scanner = scanner_new (0);
  PhServiceList *list = ph_scanner_get_service_list (scanner);
  PhService *service;
  g_autofree char *first_pid = NULL;
  gint64 failed_at, running_at;

  ph_scanner_start (scanner);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_RUNNING), 10, "running");
  service = ph_service_list_lookup (list, listener->inodes[0]);
  g_assert_nonnull (service);
  first_pid = g_strdup (ph_scanner_get_helper_pid (scanner));
  g_assert_cmpuint (ph_scanner_get_retry_delay (scanner), ==, 500);

  /* A crash: failed, with a message, the list kept as it was ... */
  kill_helper (scanner);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_FAILED), 10, "failed");
  failed_at = g_get_monotonic_time ();
  g_assert_nonnull (ph_scanner_get_error_message (scanner));
  g_assert_true (g_str_has_prefix (ph_scanner_get_error_message (scanner),
                                   "The scanner stopped unexpectedly"));
  g_assert_true (ph_service_list_lookup (list, listener->inodes[0]) == service);
  g_assert_cmpuint (ph_scanner_get_retry_delay (scanner), ==, 1000);

  /* ... then back after the first back-off (0.5 s), with the same objects. */
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_RUNNING), 10, "recovery");
  running_at = g_get_monotonic_time ();
  g_test_message ("recovered after %.0f ms", (running_at - failed_at) / 1000.0);
  g_assert_cmpint (running_at - failed_at, >=, 400 * 1000);
  g_assert_null (ph_scanner_get_error_message (scanner));
  g_assert_cmpstr (ph_scanner_get_helper_pid (scanner), !=, first_pid);
  g_assert_true (ph_service_list_lookup (list, listener->inodes[0]) == service);

  /* A second crash waits longer (1 s); Retry does not wait at all. */
  kill_helper (scanner);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_FAILED), 10, "failed again");
  g_assert_cmpuint (ph_scanner_get_retry_delay (scanner), ==, 2000);
  ph_scanner_retry (scanner);
  g_assert_cmpint (ph_scanner_get_state (scanner), ==, PH_SCANNER_STATE_STARTING);
  wait_for (scanner, retry_delay_is, GUINT_TO_POINTER (500), 1, "the back-off to reset");
  /* Retry started the helper at once: it is starting before any back-off could have run
   * (asserted above); how long a full scan then takes depends on the machine. */
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_RUNNING), 10, "retry");
  g_assert_true (ph_service_list_lookup (list, listener->inodes[0]) == service);
}

/* Runs the current test again in a child whose PORTHOLE_HELPER is @helper: the test
 * program has threads, so it must not change its own environment. */
static void
run_with_helper (const char *helper)
{
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "PORTHOLE_HELPER", helper, TRUE);

  g_test_trap_subprocess_with_envp (NULL, (const char * const *) envp, 20 * G_USEC_PER_SEC,
                                    G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_missing_helper (void)
{
  g_autoptr(PhScanner) scanner = NULL;

  if (!g_test_subprocess ())
    {
      run_with_helper ("/nonexistent/porthole-helper");
      return;
    }

  scanner = scanner_new (0);
  ph_scanner_start (scanner);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_FAILED), 5, "failed");
  g_assert_nonnull (strstr (ph_scanner_get_error_message (scanner),
                            "/nonexistent/porthole-helper"));
  ph_scanner_stop (scanner);
  g_assert_cmpint (ph_scanner_get_state (scanner), ==, PH_SCANNER_STATE_STOPPED);
}

/* A helper that speaks another protocol version is refused, not misread. */
static void
test_wrong_protocol (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PhScanner) scanner = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *script = NULL;

  if (g_test_subprocess ())
    {
      scanner = scanner_new (0);
      ph_scanner_start (scanner);
      wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_FAILED), 5, "failed");
      g_assert_nonnull (strstr (ph_scanner_get_error_message (scanner), "different version"));
      ph_scanner_stop (scanner);
      return;
    }

  dir = g_dir_make_tmp ("ph-scanner-XXXXXX", &error);
  g_assert_no_error (error);
  script = g_build_filename (dir, "helper", NULL);
  g_file_set_contents (script,
                       "#!/bin/sh\n"
                       "printf 'HELLO\\tprotocol=99\\tversion=9\\tsource=netlink\\n'\n"
                       "exec sleep 30\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);

  run_with_helper (script);

  g_unlink (script);
  g_rmdir (dir);
}

/* UDP off restarts the helper; UDP sockets go, the others stay the same objects. */
static void
test_show_udp (void)
{
  g_autoptr(PhTestListener) listener =
    ph_test_listener_start ("tcp:127.0.0.1:0", "udp:127.0.0.1:0", NULL);
  g_autoptr(PhScanner) scanner = scanner_new (0);
  PhServiceList *list = ph_scanner_get_service_list (scanner);
  PhService *tcp;

  ph_scanner_start (scanner);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_RUNNING), 10, "running");
  g_assert_nonnull (ph_service_list_lookup (list, listener->inodes[1]));
  tcp = ph_service_list_lookup (list, listener->inodes[0]);
  g_assert_nonnull (tcp);

  g_object_set (scanner, "show-udp", FALSE, NULL);
  wait_for (scanner, lacks_id, &listener->inodes[1], 10, "the UDP socket to go");
  g_assert_true (ph_service_list_lookup (list, listener->inodes[0]) == tcp);
  g_assert_cmpint (ph_scanner_get_state (scanner), ==, PH_SCANNER_STATE_RUNNING);

  g_object_set (scanner, "show-udp", TRUE, NULL);
  wait_for (scanner, has_id, &listener->inodes[1], 10, "the UDP socket to return");
}

/* Dropping the scanner ends its helper. */
static void
test_dispose (void)
{
  PhScanner *scanner = scanner_new (1);
  gint64 pid;
  gint64 deadline;

  ph_scanner_start (scanner);
  wait_for (scanner, is_state, GUINT_TO_POINTER (PH_SCANNER_STATE_RUNNING), 10, "running");
  pid = g_ascii_strtoll (ph_scanner_get_helper_pid (scanner), NULL, 10);
  /* Nothing the scanner started holds on to it. */
  g_assert_finalize_object (scanner);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (kill ((pid_t) pid, 0) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpint (errno, ==, ESRCH);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ph_test_utils_init ();

  g_test_add_func ("/scanner/live", test_live);
  g_test_add_func ("/scanner/interval", test_interval);
  g_test_add_func ("/scanner/paused", test_paused);
  g_test_add_func ("/scanner/crash-recovery", test_crash_recovery);
  g_test_add_func ("/scanner/missing-helper", test_missing_helper);
  g_test_add_func ("/scanner/wrong-protocol", test_wrong_protocol);
  g_test_add_func ("/scanner/show-udp", test_show_udp);
  g_test_add_func ("/scanner/dispose", test_dispose);

  return g_test_run ();
}
