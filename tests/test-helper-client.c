/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-helper-client.c — how the helper is started, its version checked, its failures named */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ph-cli-list.h"
#include "ph-helper-client.h"
#include "ph-test-utils.h"

#define APP_PATH "/var/lib/flatpak/app/io.github.porthole.Porthole/x86_64/master/" \
                 "0123456789abcdef/files"

static void
assert_argv (char       **argv,
             const char  *first,
             ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) expected = NULL;
  g_autofree char *got = NULL;
  g_autofree char *want = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_strv_builder_add (builder, arg);
  va_end (ap);
  expected = g_strv_builder_end (builder);

  got = g_strjoinv ("|", argv);
  want = g_strjoinv ("|", expected);
  g_assert_cmpstr (got, ==, want);
  g_strfreev (argv);
}

/* Runs the current test again in a child with PORTHOLE_HELPER set to @helper (unset when
 * NULL) and @dir, when given, first on PATH (@only_dir: alone on it): the test program has
 * threads, so it must not change its own environment. */
static void
run_with_path (const char *helper,
               const char *dir,
               gboolean    only_dir)
{
  g_auto(GStrv) envp = g_get_environ ();

  if (helper != NULL)
    envp = g_environ_setenv (envp, "PORTHOLE_HELPER", helper, TRUE);
  else
    envp = g_environ_unsetenv (envp, "PORTHOLE_HELPER");
  if (dir != NULL)
    {
      g_autofree char *path = only_dir ? g_strdup (dir)
                                       : g_strdup_printf ("%s:%s", dir, g_getenv ("PATH"));

      envp = g_environ_setenv (envp, "PATH", path, TRUE);
    }
  g_test_trap_subprocess_with_envp (NULL, (const char * const *) envp, 30 * G_USEC_PER_SEC,
                                    G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
run_with (const char *helper,
          const char *dir)
{
  run_with_path (helper, dir, FALSE);
}

/* A made-up helper (a shell script), and perhaps a made-up pkexec beside it. */
typedef struct
{
  char *dir;
  char *helper;
  char *pkexec;
} Fakes;

static void
fakes_free (Fakes *fakes)
{
  if (fakes->helper != NULL)
    g_unlink (fakes->helper);
  if (fakes->pkexec != NULL)
    g_unlink (fakes->pkexec);
  g_rmdir (fakes->dir);
  g_free (fakes->dir);
  g_free (fakes->helper);
  g_free (fakes->pkexec);
  g_free (fakes);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fakes, fakes_free)

static char *
write_script (const char *dir,
              const char *name,
              const char *body)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
  return path;
}

static Fakes *
fakes_new (const char *helper_body,
           const char *pkexec_body)
{
  g_autoptr(GError) error = NULL;
  Fakes *fakes = g_new0 (Fakes, 1);

  fakes->dir = g_dir_make_tmp ("ph-helper-client-XXXXXX", &error);
  g_assert_no_error (error);
  if (helper_body != NULL)
    fakes->helper = write_script (fakes->dir, "porthole-helper", helper_body);
  if (pkexec_body != NULL)
    fakes->pkexec = write_script (fakes->dir, "pkexec", pkexec_body);
  return fakes;
}

/* ph_helper_client_run() of `watch --once`: its error, or NULL. */
static GError *
run_watch_once (gboolean         elevated,
                PhHelperRunFlags flags,
                int             *exit_status)
{
  static const char * const args[] = { PH_VERB_WATCH, "--once", NULL };
  g_autoptr(PhHelperClient) client = NULL;
  g_autoptr(GBytes) out = NULL;
  GError *error = NULL;

  client = ph_helper_client_new (elevated, &error);
  g_assert_no_error (error);
  out = ph_helper_client_run (client, args, flags, exit_status, NULL, &error);
  g_assert_true ((out == NULL) == (error != NULL));
  return error;
}

/* ---- the command line, per mode ------------------------------------------------------ */

static void
test_argv_child (void)
{
  static const char * const args[] = { PH_VERB_WATCH, "--once", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PhHelperClient) client = ph_helper_client_new (FALSE, &error);
  g_autoptr(PhHelperClient) elevated = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (ph_helper_client_get_mode (client), ==, PH_HELPER_MODE_CHILD);
  g_assert_cmpstr (ph_helper_client_get_helper_path (client), ==, ph_test_helper_path ());
  assert_argv (ph_helper_client_build_argv (client, args),
               ph_test_helper_path (), "watch", "--once", NULL);
  assert_argv (ph_helper_client_build_argv (client, NULL), ph_test_helper_path (), NULL);

  elevated = ph_helper_client_new (TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_helper_client_get_mode (elevated), ==, PH_HELPER_MODE_CHILD);
  assert_argv (ph_helper_client_build_argv (elevated, args),
               "pkexec", ph_test_helper_path (), "watch", "--once", NULL);
}

/* Inside a Flatpak (as its /.flatpak-info says) the helper runs on the host, from the
 * app's folder there; pkexec goes on the host too. */
static void
test_argv_flatpak (void)
{
  static const char * const args[] = { PH_VERB_STOP, "--pid", "42", NULL };
  g_autofree char *info = g_test_build_filename (G_TEST_DIST, "fixtures", "flatpak-info", NULL);
  g_autoptr(PhHelperClient) client = NULL;
  g_autoptr(PhHelperClient) elevated = NULL;
  g_autoptr(PhHelperClient) outside = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      g_assert_true (g_file_test (info, G_FILE_TEST_IS_REGULAR));
      run_with (NULL, NULL);
      return;
    }

  client = g_initable_new (PH_TYPE_HELPER_CLIENT, NULL, &error, "flatpak-info", info, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (ph_helper_client_get_mode (client), ==, PH_HELPER_MODE_FLATPAK);
  g_assert_cmpstr (ph_helper_client_get_helper_path (client), ==,
                   APP_PATH "/libexec/porthole-helper");
  assert_argv (ph_helper_client_build_argv (client, args),
               "flatpak-spawn", "--host", "--watch-bus", APP_PATH "/libexec/porthole-helper",
               "stop", "--pid", "42", NULL);
  /* the host's helper is checked first: never started at once */
  g_assert_null (ph_helper_client_try_spawn (client, args, G_SUBPROCESS_FLAGS_NONE, &error));
  g_assert_no_error (error);

  elevated = g_initable_new (PH_TYPE_HELPER_CLIENT, NULL, &error, "flatpak-info", info,
                             "elevated", TRUE, NULL);
  g_assert_no_error (error);
  assert_argv (ph_helper_client_build_argv (elevated, args),
               "flatpak-spawn", "--host", "--watch-bus", "pkexec",
               APP_PATH "/libexec/porthole-helper", "stop", "--pid", "42", NULL);

  /* Without the file, the installed helper: there, or missing with a message naming it. */
  outside = g_initable_new (PH_TYPE_HELPER_CLIENT, NULL, &error,
                            "flatpak-info", "/nonexistent/.flatpak-info", NULL);
  if (outside == NULL)
    {
      g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, LIBEXECDIR));
    }
  else
    {
      g_assert_cmpint (ph_helper_client_get_mode (outside), ==, PH_HELPER_MODE_CHILD);
      g_assert_true (g_str_has_prefix (ph_helper_client_get_helper_path (outside), LIBEXECDIR));
    }
}

/* A Flatpak whose permission to talk to org.freedesktop.Flatpak was taken away (flatpak
 * override, Flatseal): no helper can run on the host, so whichever one runs sees no owner,
 * and the client says what is missing and the command that gives it back. */
static void
test_flatpak_without_permission (void)
{
  static const char * const args[] = { PH_VERB_WATCH, "--once", NULL };
  g_autofree char *no_talk = g_test_build_filename (G_TEST_DIST, "fixtures",
                                                    "flatpak-info-no-talk", NULL);
  g_autofree char *talk = g_test_build_filename (G_TEST_DIST, "fixtures", "flatpak-info", NULL);
  g_autoptr(PhHelperClient) client = NULL;
  g_autoptr(PhHelperClient) allowed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *limitation = NULL;
  g_auto(GStrv) argv = NULL;

  if (!g_test_subprocess ())
    {
      g_assert_true (g_file_test (no_talk, G_FILE_TEST_IS_REGULAR));
      /* The installed helper is the one inside the sandbox: there, or missing. */
      run_with (NULL, NULL);
      /* One named by PORTHOLE_HELPER runs inside the sandbox as well. */
      run_with (ph_test_helper_path (), NULL);
      return;
    }

  client = g_initable_new (PH_TYPE_HELPER_CLIENT, NULL, &error, "flatpak-info", no_talk, NULL);
  if (client == NULL)
    {
      g_assert_null (g_getenv ("PORTHOLE_HELPER"));
      g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, LIBEXECDIR));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpint (ph_helper_client_get_mode (client), ==,
                   g_getenv ("PORTHOLE_HELPER") != NULL ? PH_HELPER_MODE_CHILD
                                                        : PH_HELPER_MODE_SANDBOX);
  /* Never flatpak-spawn: it would only fail. */
  argv = ph_helper_client_build_argv (client, args);
  g_assert_cmpstr (argv[0], ==, ph_helper_client_get_helper_path (client));
  g_assert_cmpstr (ph_helper_client_get_override_command (client), ==,
                   "flatpak override --user --talk-name=org.freedesktop.Flatpak "
                   "io.github.porthole.Porthole");
  limitation = ph_helper_client_dup_limitation (client);
  g_assert_nonnull (limitation);
  g_assert_nonnull (strstr (limitation, "org.freedesktop.Flatpak"));
  g_assert_nonnull (strstr (limitation, ph_helper_client_get_override_command (client)));

  /* With the permission, nothing is missing (the fixture that allows it). */
  allowed = g_initable_new (PH_TYPE_HELPER_CLIENT, NULL, &error, "flatpak-info", talk, NULL);
  g_assert_no_error (error);
  g_assert_null (ph_helper_client_dup_limitation (allowed));
  g_assert_null (ph_helper_client_get_override_command (allowed));
}

/* flatpak-spawn ran, but the host could not run the helper: it is missing from the app's
 * folder (flatpak-spawn names the file in its message), which reinstalling mends; anything
 * else that stops flatpak-spawn points at Flatpak. A made-up flatpak-spawn says each. */
static void
host_check (const char *flatpak_spawn_body,
            int         code,
            const char *must_say,
            const char *must_not_say)
{
  static const char * const args[] = { PH_VERB_WATCH, "--once", NULL };
  g_autofree char *info = g_test_build_filename (G_TEST_DIST, "fixtures", "flatpak-info", NULL);
  g_autoptr(PhHelperClient) client = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      g_autoptr(Fakes) fakes = fakes_new (NULL, NULL);
      g_autofree char *spawn = write_script (fakes->dir, "flatpak-spawn", flatpak_spawn_body);

      run_with (NULL, fakes->dir);
      g_unlink (spawn);
      return;
    }

  client = g_initable_new (PH_TYPE_HELPER_CLIENT, NULL, &error, "flatpak-info", info, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (ph_helper_client_get_mode (client), ==, PH_HELPER_MODE_FLATPAK);
  out = ph_helper_client_run (client, args, PH_HELPER_RUN_NONE, NULL, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, PH_HELPER_ERROR, code);
  g_assert_nonnull (strstr (error->message, must_say));
  g_assert_null (strstr (error->message, must_not_say));
}

static void
test_host_helper_missing (void)
{
  /* flatpak-spawn --host --watch-bus PATH --version: $3 is the helper. */
  host_check ("printf 'Portal call failed: Failed to start command: Failed to execute child "
              "process \\342\\200\\234%s\\342\\200\\235 (No such file or directory)\\n' "
              "\"$3\" >&2\nexit 1",
              PH_HELPER_ERROR_NOT_FOUND, APP_PATH "/libexec/porthole-helper", "Flatpak");
}

static void
test_host_cannot_spawn (void)
{
  host_check ("echo 'flatpak-spawn: Unknown option --watch-bus' >&2\nexit 1",
              PH_HELPER_ERROR_SPAWN_FAILED, "newer version of Flatpak", "missing");
}

/* ---- the version, checked against PH_PROTOCOL_VERSION -------------------------------- */

static void
test_check_version_line (void)
{
  g_autofree char *ours = g_strdup_printf ("porthole-helper 0.1.0 protocol=%d\n",
                                           PH_PROTOCOL_VERSION);
  g_autofree char *next = g_strdup_printf ("porthole-helper 9.0 protocol=%d\n",
                                           PH_PROTOCOL_VERSION + 1);
  const char *others[] = { next, "porthole-helper 0.1.0\n", "porthole-helper 0.1.0 protocol=x",
                           "" };
  g_autoptr(GError) error = NULL;

  g_assert_true (ph_helper_client_check_version_line (ours, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_assert_false (ph_helper_client_check_version_line (others[i], &error));
      g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_VERSION_MISMATCH);
      g_assert_nonnull (strstr (error->message, "Reinstalling"));
      g_clear_error (&error);
    }
}

static void
test_check_hello (void)
{
  static const struct
  {
    const char *line;
    int         code;   /* -1: accepted */
  } cases[] = {
    { "HELLO\tprotocol=99\tversion=9", PH_HELPER_ERROR_VERSION_MISMATCH },
    { "HELLO\tversion=0.1.0\tsource=netlink", PH_HELPER_ERROR_VERSION_MISMATCH },
    { "HELLO\tprotocol=one", PH_HELPER_ERROR_VERSION_MISMATCH },
    { "SOCK\tid=1\tproto=tcp", PH_HELPER_ERROR_PROTOCOL },
    { "BEGIN\tseq=1\tkind=full", PH_HELPER_ERROR_PROTOCOL },
    { "NEWS\tprotocol=1", PH_HELPER_ERROR_PROTOCOL },
  };
  g_autofree char *ours = g_strdup_printf ("HELLO\tprotocol=%d\tversion=0.1.0\tsource=procfs",
                                           PH_PROTOCOL_VERSION);
  g_autoptr(PhRecord) good = ph_record_parse (ours, -1, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (ph_helper_client_check_hello (good, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhRecord) record = ph_record_parse (cases[i].line, -1, NULL);

      g_assert_nonnull (record);
      g_assert_false (ph_helper_client_check_hello (record, &error));
      g_assert_error (error, PH_HELPER_ERROR, cases[i].code);
      g_clear_error (&error);
    }
}

/* ---- failures, each with its own code ------------------------------------------------- */

/* The helper is not there: the client, the command line and the stopper (test-stopper)
 * all say so the same way, naming the path. */
static void
test_missing_helper (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PhHelperClient) client = NULL;
  g_autoptr(PhServiceList) list = NULL;

  if (!g_test_subprocess ())
    {
      run_with ("/nonexistent/porthole-helper", NULL);
      return;
    }

  client = ph_helper_client_new (FALSE, &error);
  g_assert_null (client);
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/porthole-helper"));
  g_clear_error (&error);

  list = ph_service_list_new ();
  g_assert_false (ph_cli_list_scan (list, NULL, &error));
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_FOUND);
}

/* A helper of another version is refused, even when it also rejects our arguments. */
static void
test_other_protocol (void)
{
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      g_autoptr(Fakes) fakes = fakes_new ("printf 'HELLO\\tprotocol=99\\tversion=9\\n'\n"
                                          "echo 'porthole-helper: unknown verb' >&2\nexit 2",
                                          NULL);

      run_with (fakes->helper, NULL);
      return;
    }

  error = run_watch_once (FALSE, PH_HELPER_RUN_NONE, NULL);
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_VERSION_MISMATCH);
}

/* A helper that dies of a signal: its last words are in the message, for the command line
 * (test-cli-list) and the stopper alike. */
static void
test_crashed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PhServiceList) list = NULL;
  int status = 0;

  if (!g_test_subprocess ())
    {
      g_autoptr(Fakes) fakes = fakes_new ("echo 'porthole-helper: something broke' >&2\n"
                                          "kill -SEGV $$", NULL);

      run_with (fakes->helper, NULL);
      return;
    }

  error = run_watch_once (FALSE, PH_HELPER_RUN_NONE, &status);
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_CRASHED);
  g_assert_nonnull (strstr (error->message, "something broke"));
  g_assert_cmpint (status, ==, -1);
  g_clear_error (&error);

  list = ph_service_list_new ();
  g_assert_false (ph_cli_list_scan (list, NULL, &error));
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_CRASHED);
}

/* No HELLO at all, or something else first: not the protocol. */
static void
test_not_the_protocol (void)
{
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      g_autoptr(Fakes) silent = fakes_new ("exit 0", NULL);
      g_autoptr(Fakes) chatty = fakes_new ("echo 'Hello, world'", NULL);

      run_with (silent->helper, NULL);
      run_with (chatty->helper, NULL);
      return;
    }

  error = run_watch_once (FALSE, PH_HELPER_RUN_NONE, NULL);
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_PROTOCOL);
}

/* `stop` exits with its outcome: an answer, not a failure, when the caller says so. */
static void
test_exit_is_outcome (void)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_test_subprocess ())
    {
      g_autoptr(Fakes) fakes = fakes_new ("printf 'HELLO\\tprotocol="
                                          G_STRINGIFY (PH_PROTOCOL_VERSION) "\\n"
                                          "RESULT\\toutcome=stale\\n'\nexit 4", NULL);

      run_with (fakes->helper, NULL);
      return;
    }

  error = run_watch_once (FALSE, PH_HELPER_RUN_EXIT_IS_OUTCOME, &status);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, PH_STOP_OUTCOME_STALE);

  error = run_watch_once (FALSE, PH_HELPER_RUN_NONE, &status);
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_CRASHED);
  g_assert_cmpint (status, ==, PH_STOP_OUTCOME_STALE);
}

/* pkexec's own exit statuses: 126, the dialog was dismissed; 127, not authorised (or no
 * agent). Only an elevated client reads them so; from the helper itself they are a crash. */
static void
check_pkexec_exit (int status,
                   int code)
{
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      g_autofree char *body = g_strdup_printf ("echo 'pkexec: no' >&2\nexit %d", status);
      g_autoptr(Fakes) fakes = fakes_new (body, body);

      run_with (fakes->helper, fakes->dir);
      return;
    }

  error = run_watch_once (TRUE, PH_HELPER_RUN_NONE, NULL);
  g_assert_error (error, PH_HELPER_ERROR, code);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  error = run_watch_once (FALSE, PH_HELPER_RUN_NONE, NULL);
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_CRASHED);
}

static void
test_pkexec_dismissed (void)
{
  check_pkexec_exit (126, PH_HELPER_ERROR_DISMISSED);
}

static void
test_pkexec_not_authorized (void)
{
  check_pkexec_exit (127, PH_HELPER_ERROR_NOT_AUTHORIZED);
}

/* No pkexec on this computer: Unlock says what is missing; the unprivileged helper runs. */
static void
test_pkexec_missing (void)
{
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      g_autoptr(Fakes) fakes = fakes_new (NULL, NULL);

      run_with_path (ph_test_helper_path (), fakes->dir, TRUE);
      return;
    }

  error = run_watch_once (TRUE, PH_HELPER_RUN_NONE, NULL);
  g_assert_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_SPAWN_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "pkexec"));
  g_assert_nonnull (strstr (error->message, "not installed"));
  g_clear_error (&error);

  error = run_watch_once (FALSE, PH_HELPER_RUN_NONE, NULL);
  g_assert_no_error (error);
}

/* Through a pkexec that simply runs what it is given, the real helper answers: the
 * elevated command line is the helper's own, in order. */
static void
test_pkexec_runs_helper (void)
{
  static const char * const args[] = { PH_VERB_STOP, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PhHelperClient) client = NULL;
  g_autoptr(GBytes) out = NULL;
  int status = -1;

  if (!g_test_subprocess ())
    {
      g_autoptr(Fakes) fakes = fakes_new (NULL, "exec \"$@\"");

      run_with (ph_test_helper_path (), fakes->dir);
      return;
    }

  client = ph_helper_client_new (TRUE, &error);
  g_assert_no_error (error);
  out = ph_helper_client_run (client, args, PH_HELPER_RUN_EXIT_IS_OUTCOME, &status, NULL,
                              &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, PH_HELPER_EXIT_USAGE);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                  "RESULT\toutcome=usage"));
}

/* ---- asynchronously ------------------------------------------------------------------- */

static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (*result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *result;
}

/* A `watch --once` helper's output: a HELLO the caller checks, then all of it read so that
 * the helper can finish writing and exit cleanly. */
static void
assert_watch_once (GSubprocess *subprocess)
{
  GInputStream *pipe = g_subprocess_get_stdout_pipe (subprocess);
  g_autoptr(GDataInputStream) out = g_data_input_stream_new (pipe);
  g_autoptr(GError) error = NULL;
  g_autoptr(PhRecord) hello = NULL;
  g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);

  g_assert_no_error (error);
  hello = ph_record_parse (line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (ph_helper_client_check_hello (hello, &error));
  for (;;)
    {
      g_autofree char *rest = g_data_input_stream_read_line (out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (rest == NULL)
        break;
    }
  g_subprocess_wait_check (subprocess, NULL, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  static const char * const watch_args[] = { PH_VERB_WATCH, "--once", NULL };
  static const char * const stop_args[] = { PH_VERB_STOP, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PhHelperClient) client = ph_helper_client_new (FALSE, &error);
  g_autoptr(GAsyncResult) spawned = NULL;
  g_autoptr(GAsyncResult) ran = NULL;
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GBytes) stop_out = NULL;
  int status = 0;

  g_assert_no_error (error);

  /* watch, read as it comes: the caller checks the HELLO */
  ph_helper_client_spawn_async (client, watch_args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL,
                                store_result_cb, &spawned);
  subprocess = ph_helper_client_spawn_finish (client, wait_result (&spawned), &error);
  g_assert_no_error (error);
  assert_watch_once (subprocess);

  /* started at once (no Flatpak: nothing to check first), the same helper */
  g_clear_object (&subprocess);
  subprocess = ph_helper_client_try_spawn (client, watch_args, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                           &error);
  g_assert_no_error (error);
  g_assert_nonnull (subprocess);
  assert_watch_once (subprocess);

  /* stop, to its end */
  ph_helper_client_run_async (client, stop_args, PH_HELPER_RUN_EXIT_IS_OUTCOME, NULL,
                              store_result_cb, &ran);
  stop_out = ph_helper_client_run_finish (client, wait_result (&ran), &status, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, PH_STOP_OUTCOME_USAGE);
  g_assert_nonnull (stop_out);

  /* A start that is cancelled gives no helper. */
  ph_helper_client_spawn_async (client, watch_args, G_SUBPROCESS_FLAGS_STDOUT_PIPE, cancellable,
                                store_result_cb, &cancelled);
  g_cancellable_cancel (cancellable);
  g_assert_null (ph_helper_client_spawn_finish (client, wait_result (&cancelled), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ph_test_utils_init ();

  g_test_add_func ("/helper-client/argv/child", test_argv_child);
  g_test_add_func ("/helper-client/argv/flatpak", test_argv_flatpak);
  g_test_add_func ("/helper-client/flatpak/without-permission", test_flatpak_without_permission);
  g_test_add_func ("/helper-client/error/host-helper-missing", test_host_helper_missing);
  g_test_add_func ("/helper-client/error/host-cannot-spawn", test_host_cannot_spawn);
  g_test_add_func ("/helper-client/check/version-line", test_check_version_line);
  g_test_add_func ("/helper-client/check/hello", test_check_hello);
  g_test_add_func ("/helper-client/error/missing", test_missing_helper);
  g_test_add_func ("/helper-client/error/other-protocol", test_other_protocol);
  g_test_add_func ("/helper-client/error/crashed", test_crashed);
  g_test_add_func ("/helper-client/error/not-the-protocol", test_not_the_protocol);
  g_test_add_func ("/helper-client/error/pkexec-dismissed", test_pkexec_dismissed);
  g_test_add_func ("/helper-client/error/pkexec-not-authorized", test_pkexec_not_authorized);
  g_test_add_func ("/helper-client/error/pkexec-missing", test_pkexec_missing);
  g_test_add_func ("/helper-client/exit-is-outcome", test_exit_is_outcome);
  g_test_add_func ("/helper-client/pkexec-runs-helper", test_pkexec_runs_helper);
  g_test_add_func ("/helper-client/async", test_async);

  return g_test_run ();
}
