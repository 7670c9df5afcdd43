/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-helper-client.c — starting porthole-helper, checking it speaks our protocol, its failures */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "porthole-scanner"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-helper-client.h"

/*
 * The one place that knows how porthole-helper is started. PhScanner (watch), the command
 * line (watch --once) and the stopper (stop) ask it for a running helper; nothing else
 * spawns one. Where it runs is decided once, when the client is made: $PORTHOLE_HELPER
 * (an uninstalled build, the tests) wins; inside a Flatpak the helper runs on the host,
 * because only there can it see who owns the sockets; otherwise it is the installed one.
 * A Flatpak whose permission to talk to org.freedesktop.Flatpak was taken away (flatpak
 * override, Flatseal) cannot run anything on the host: then the app's own helper runs
 * inside the sandbox, where it still sees every socket (the network namespace is the
 * host's) but none of their owners, and the client says so (ph_helper_client_dup_limitation).
 * "Elevated" puts pkexec in front of the helper, to see every user's processes.
 *
 * The protocol version is checked against PH_PROTOCOL_VERSION by
 * ph_helper_client_check_hello() on the HELLO every verb starts with; a helper on the
 * host is also asked for --version before it is first relied on, so a Flatpak that cannot
 * run host programs is told apart from a helper that crashed.
 */

/* pkexec's own exit statuses (pkexec(1)). */
#define PKEXEC_DISMISSED      126
#define PKEXEC_NOT_AUTHORIZED 127

#define DEFAULT_FLATPAK_INFO  "/.flatpak-info"
/* The bus name of flatpak-session-helper, which runs flatpak-spawn --host's commands. */
#define FLATPAK_HOST_NAME     "org.freedesktop.Flatpak"

struct _PhHelperClient
{
  GObject       parent_instance;

  gboolean      elevated;
  char         *flatpak_info;
  PhHelperMode  mode;
  char         *helper_path;
  char         *flatpak_app_id;
  char         *override_command;
  gboolean      sandboxed;     /* in a Flatpak that may not run anything on the host */
};

enum {
  PROP_0,
  PROP_ELEVATED,
  PROP_FLATPAK_INFO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void ph_helper_client_initable_iface_init (GInitableIface *iface);

G_DEFINE_QUARK (ph-helper-error-quark, ph_helper_error)
G_DEFINE_FINAL_TYPE_WITH_CODE (PhHelperClient, ph_helper_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      ph_helper_client_initable_iface_init))

/* ---- where the helper is ------------------------------------------------------------- */

/* Whether the sandbox may talk to org.freedesktop.Flatpak (so flatpak-spawn --host works):
 * "talk" or "own" in [Session Bus Policy], or the whole session bus. Flatpak writes the
 * permissions the app runs with, overrides included, into /.flatpak-info. */
static gboolean
flatpak_may_spawn_on_host (GKeyFile *info)
{
  g_autofree char *policy = g_key_file_get_string (info, "Session Bus Policy",
                                                   FLATPAK_HOST_NAME, NULL);
  g_auto(GStrv) sockets = g_key_file_get_string_list (info, "Context", "sockets", NULL, NULL);

  if (g_strcmp0 (policy, "talk") == 0 || g_strcmp0 (policy, "own") == 0)
    return TRUE;
  return sockets != NULL && g_strv_contains ((const char * const *) sockets, "session-bus");
}

/* Inside a Flatpak: the app's folder as the host sees it, and whether the helper may run
 * there. FALSE when Porthole does not run in a Flatpak. */
static gboolean
flatpak_read_info (const char  *flatpak_info,
                   char       **app_path,
                   char       **app_id,
                   gboolean    *on_host)
{
  g_autoptr(GKeyFile) info = g_key_file_new ();

  if (!g_key_file_load_from_file (info, flatpak_info, G_KEY_FILE_NONE, NULL))
    return FALSE;
  *app_path = g_key_file_get_string (info, "Instance", "app-path", NULL);
  if (*app_path == NULL)
    return FALSE;
  *app_id = g_key_file_get_string (info, "Application", "name", NULL);
  *on_host = flatpak_may_spawn_on_host (info);
  return TRUE;
}

/* The installed helper, next to Porthole. */
static char *
installed_helper (GError **error)
{
  g_autofree char *helper = g_build_filename (LIBEXECDIR, HELPER_NAME, NULL);

  if (!g_file_test (helper, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_set_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_FOUND,
                   /* Translators: %s is a file path */
                   _("Porthole’s scanner is missing (%s). "
                     "Reinstalling Porthole should fix this."),
                   helper);
      return NULL;
    }
  return g_steal_pointer (&helper);
}

static gboolean
ph_helper_client_initable_init (GInitable     *initable,
                                GCancellable  *cancellable,
                                GError       **error)
{
  PhHelperClient *self = PH_HELPER_CLIENT (initable);
  const char *override = g_getenv ("PORTHOLE_HELPER");
  g_autofree char *app_path = NULL;
  gboolean in_flatpak;
  gboolean on_host = FALSE;

  in_flatpak = flatpak_read_info (self->flatpak_info, &app_path, &self->flatpak_app_id,
                                  &on_host);
  /* Whichever helper runs, it runs inside the sandbox and sees no owner there. */
  self->sandboxed = in_flatpak && !on_host;

  if (override != NULL && *override != '\0')
    {
      if (!g_file_test (override, G_FILE_TEST_IS_EXECUTABLE))
        {
          g_set_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_FOUND,
                       /* Translators: %s is a file path */
                       _("Porthole’s scanner was not found at %s (set by PORTHOLE_HELPER)."),
                       override);
          return FALSE;
        }
      self->mode = PH_HELPER_MODE_CHILD;
      self->helper_path = g_strdup (override);
    }
  else if (in_flatpak && on_host)
    {
      /* A path on the host: it cannot be checked from inside the sandbox. */
      self->mode = PH_HELPER_MODE_FLATPAK;
      self->helper_path = g_build_filename (app_path, "libexec", HELPER_NAME, NULL);
    }
  else
    {
      self->helper_path = installed_helper (error);
      if (self->helper_path == NULL)
        return FALSE;
      /* In a sandbox that may not run the helper on the host: the app's own copy. */
      self->mode = in_flatpak ? PH_HELPER_MODE_SANDBOX : PH_HELPER_MODE_CHILD;
    }

  g_debug ("helper: %s (%s%s)", self->helper_path,
           self->mode == PH_HELPER_MODE_FLATPAK ? "on the host"
           : self->mode == PH_HELPER_MODE_SANDBOX ? "inside the sandbox" : "a child",
           self->elevated ? ", through pkexec" : "");
  return TRUE;
}

static void
ph_helper_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = ph_helper_client_initable_init;
}

static char **
build_argv (PhHelperClient     *self,
            const char * const *args,
            gboolean            elevate)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  switch (self->mode)
    {
    case PH_HELPER_MODE_FLATPAK:
      /* --watch-bus: the helper ends when Porthole does. */
      g_strv_builder_add_many (builder, "flatpak-spawn", "--host", "--watch-bus", NULL);
      break;
    case PH_HELPER_MODE_CHILD:
    case PH_HELPER_MODE_SANDBOX:
    default:
      break;
    }
  if (elevate)
    g_strv_builder_add (builder, "pkexec");
  g_strv_builder_add (builder, self->helper_path);
  if (args != NULL)
    g_strv_builder_addv (builder, (const char **) args);

  return g_strv_builder_end (builder);
}

/**
 * ph_helper_client_build_argv:
 * @args: the helper's arguments (a verb and its options)
 *
 * Returns: (transfer full): the whole command line that runs the helper with @args
 */
char **
ph_helper_client_build_argv (PhHelperClient     *self,
                             const char * const *args)
{
  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), NULL);

  return build_argv (self, args, self->elevated);
}

/* ---- checks ------------------------------------------------------------------------- */

static gboolean
check_protocol (guint64   protocol,
                GError  **error)
{
  if (protocol == PH_PROTOCOL_VERSION)
    return TRUE;

  g_debug ("the helper speaks protocol %" G_GUINT64_FORMAT ", not %d", protocol,
           PH_PROTOCOL_VERSION);
  g_set_error_literal (error, PH_HELPER_ERROR, PH_HELPER_ERROR_VERSION_MISMATCH,
                       _("Porthole’s scanner is a different version than Porthole. "
                         "Reinstalling Porthole should fix this."));
  return FALSE;
}

static void
set_protocol_error (GError **error)
{
  g_set_error_literal (error, PH_HELPER_ERROR, PH_HELPER_ERROR_PROTOCOL,
                       _("Porthole’s scanner sent something Porthole does not understand."));
}

/**
 * ph_helper_client_check_hello:
 * @record: the first record the helper wrote
 *
 * Every verb starts with HELLO; it must name the protocol version this Porthole reads.
 *
 * Returns: %TRUE when Porthole can read what follows
 */
gboolean
ph_helper_client_check_hello (const PhRecord  *record,
                              GError         **error)
{
  guint64 protocol = 0;

  if (ph_record_get_kind (record) != PH_RECORD_HELLO)
    {
      set_protocol_error (error);
      return FALSE;
    }
  /* A HELLO without a version cannot be ours. */
  ph_record_get_uint64 (record, PH_KEY_PROTOCOL, &protocol, NULL);
  return check_protocol (protocol, error);
}

/**
 * ph_helper_client_check_version_line:
 * @line: what `porthole-helper --version` printed: "porthole-helper VERSION protocol=N"
 *
 * Returns: %TRUE when the helper speaks the protocol version this Porthole reads
 */
gboolean
ph_helper_client_check_version_line (const char  *line,
                                     GError     **error)
{
  static const char key[] = PH_KEY_PROTOCOL "=";
  g_auto(GStrv) words = g_strsplit_set (line != NULL ? line : "", " \t\n", -1);
  guint64 protocol = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_str_has_prefix (words[i], key))
        g_ascii_string_to_unsigned (words[i] + strlen (key), 10, 0, G_MAXUINT64, &protocol,
                                    NULL);
    }
  return check_protocol (protocol, error);
}

/* Before a helper on the host is relied on: does the host run it at all, and does it
 * speak our protocol? flatpak-spawn reports a program the host could not start in its own
 * words (in the host's language) but always names the program: then the helper is
 * missing from the app's folder (or broken), which reinstalling mends. Anything else that
 * keeps flatpak-spawn from running it points at Flatpak itself. */
static gboolean
check_host_version (PhHelperClient  *self,
                    GSubprocess     *subprocess,
                    const char      *out,
                    const char      *err,
                    GError         **error)
{
  if (g_subprocess_get_successful (subprocess) && out != NULL &&
      g_str_has_prefix (out, HELPER_NAME " "))
    return ph_helper_client_check_version_line (out, error);

  g_debug ("the host did not run %s --version: %s", self->helper_path,
           err != NULL && *err != '\0' ? err : "(nothing on stderr)");
  if ((out == NULL || *out == '\0') && err != NULL && strstr (err, self->helper_path) != NULL)
    g_set_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_FOUND,
                 /* Translators: %s is a file path */
                 _("Porthole’s scanner is missing (%s). "
                   "Reinstalling Porthole should fix this."),
                 self->helper_path);
  else
    g_set_error_literal (error, PH_HELPER_ERROR, PH_HELPER_ERROR_SPAWN_FAILED,
                         _("Porthole’s scanner cannot run on this computer. "
                           "It may need a newer version of Flatpak."));
  return FALSE;
}

static gboolean
needs_host_check (PhHelperClient *self)
{
  return self->mode == PH_HELPER_MODE_FLATPAK;
}

/**
 * ph_helper_client_exit_error:
 * @subprocess: a helper that has ended
 * @last_stderr: (nullable): the last line it wrote on stderr
 *
 * Why a helper that should not have ended did: pkexec's refusals, or a crash.
 *
 * Returns: (transfer full): the error
 */
GError *
ph_helper_client_exit_error (PhHelperClient *self,
                             GSubprocess    *subprocess,
                             const char     *last_stderr)
{
  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), NULL);
  g_return_val_if_fail (G_IS_SUBPROCESS (subprocess), NULL);

  if (g_subprocess_get_if_signaled (subprocess))
    {
      g_debug ("porthole-helper was killed by signal %d", g_subprocess_get_term_sig (subprocess));
    }
  else
    {
      int status = g_subprocess_get_exit_status (subprocess);

      g_debug ("porthole-helper exited with status %d", status);
      if (self->elevated && status == PKEXEC_DISMISSED)
        return g_error_new_literal (PH_HELPER_ERROR, PH_HELPER_ERROR_DISMISSED,
                                    _("The authentication dialog was closed, so Porthole did "
                                      "not get the administrator’s permission. Try again and "
                                      "enter the password."));
      if (self->elevated && status == PKEXEC_NOT_AUTHORIZED)
        return g_error_new_literal (PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_AUTHORIZED,
                                    _("Porthole was not allowed to run its scanner as "
                                      "administrator. Your account may not be an "
                                      "administrator, or no authentication dialog could be "
                                      "shown."));
    }

  if (last_stderr != NULL && *last_stderr != '\0')
    /* Translators: %s is the scanner's own (English) message */
    return g_error_new (PH_HELPER_ERROR, PH_HELPER_ERROR_CRASHED,
                        _("The scanner stopped unexpectedly: %s"), last_stderr);
  return g_error_new_literal (PH_HELPER_ERROR, PH_HELPER_ERROR_CRASHED,
                              _("The scanner stopped unexpectedly"));
}

/* ---- starting it --------------------------------------------------------------------- */

static GSubprocess *
spawn_argv (char             **argv,
            GSubprocessFlags   flags,
            GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *command = g_strjoinv (" ", argv);
  GSubprocess *subprocess;

  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

  /* pkexec is a GLib program that tells refusals by its exit status (126, 127), after a
   * warning; our G_DEBUG=fatal-warnings would turn that warning into a crash. */
  if (g_strv_contains ((const char * const *) argv, "pkexec"))
    g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_debug ("starting %s", command);
  subprocess = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &local_error);
  if (subprocess == NULL && g_str_equal (argv[0], "pkexec") &&
      g_error_matches (local_error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
    g_set_error_literal (error, PH_HELPER_ERROR, PH_HELPER_ERROR_SPAWN_FAILED,
                         _("Unlocking needs pkexec (from polkit), which is not installed "
                           "on this computer."));
  else if (subprocess == NULL)
    g_set_error (error, PH_HELPER_ERROR, PH_HELPER_ERROR_SPAWN_FAILED,
                 /* Translators: %s is the system's reason */
                 _("Porthole could not start its scanner: %s"), local_error->message);
  return subprocess;
}

static GSubprocess *
spawn_version (PhHelperClient  *self,
               GError         **error)
{
  static const char * const args[] = { PH_VERB_VERSION, NULL };
  /* Unprivileged even for an elevated client: one password dialog is enough. */
  g_auto(GStrv) argv = build_argv (self, args, FALSE);

  return spawn_argv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                     error);
}

/* A helper nobody took (the caller went away) must not run on. */
static void
force_exit_and_unref (gpointer data)
{
  GSubprocess *subprocess = data;

  g_subprocess_force_exit (subprocess);
  g_object_unref (subprocess);
}

typedef struct
{
  GStrv            args;
  GSubprocessFlags flags;
} SpawnData;

static void
spawn_data_free (SpawnData *data)
{
  g_strfreev (data->args);
  g_free (data);
}

static void
spawn_now (GTask *task)
{
  PhHelperClient *self = g_task_get_source_object (task);
  SpawnData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = ph_helper_client_build_argv (self, (const char * const *) data->args);
  GSubprocess *subprocess = spawn_argv (argv, data->flags, &error);

  if (subprocess == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, subprocess, force_exit_and_unref);
}

/* Judges the answer of `porthole-helper --version` on the host (@read: whether it could be
 * read, else @read_error says why): only a cancellation stops before check_host_version(). */
static gboolean
judge_version (PhHelperClient  *self,
               GSubprocess     *version,
               gboolean         read,
               GError          *read_error,
               const char      *out,
               const char      *err,
               GError         **error)
{
  if (!read && g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (read_error));
      return FALSE;
    }
  return check_host_version (self, version, out, err, error);
}

static void
spawn_version_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  GSubprocess *subprocess = G_SUBPROCESS (object);
  gboolean read = g_subprocess_communicate_utf8_finish (subprocess, result, &out, &err,
                                                        &read_error);

  if (!judge_version (g_task_get_source_object (task), subprocess, read, read_error, out, err,
                      &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    spawn_now (task);
}

/**
 * ph_helper_client_spawn_async:
 * @args: the verb and its options
 * @flags: the pipes the caller wants
 *
 * Starts the helper, after checking a helper on the host can run at all. The caller reads
 * its output and checks its HELLO with ph_helper_client_check_hello().
 */
void
ph_helper_client_spawn_async (PhHelperClient      *self,
                              const char * const  *args,
                              GSubprocessFlags     flags,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocess) version = NULL;
  g_autoptr(GError) error = NULL;
  SpawnData *data;

  g_return_if_fail (PH_IS_HELPER_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ph_helper_client_spawn_async);
  data = g_new0 (SpawnData, 1);
  data->args = g_strdupv ((char **) args);
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) spawn_data_free);

  if (!needs_host_check (self))
    {
      spawn_now (task);
      return;
    }

  version = spawn_version (self, &error);
  if (version == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_subprocess_communicate_utf8_async (version, NULL, cancellable, spawn_version_cb,
                                       g_steal_pointer (&task));
}

/**
 * ph_helper_client_try_spawn:
 * @args: the verb and its options
 * @flags: the pipes the caller wants
 *
 * Starts the helper at once when nothing has to be checked first (outside a Flatpak), as
 * ph_helper_client_spawn_async() does, but without waiting for a turn of the main loop to
 * hand it over: its output can be read from now on (at launch, while the toolkit loads).
 *
 * Returns: (transfer full) (nullable): the running helper; %NULL when it can only be
 *   started asynchronously, or could not be started (@error)
 */
GSubprocess *
ph_helper_client_try_spawn (PhHelperClient      *self,
                            const char * const  *args,
                            GSubprocessFlags     flags,
                            GError             **error)
{
  g_auto(GStrv) argv = NULL;

  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), NULL);

  if (needs_host_check (self))
    return NULL;
  argv = ph_helper_client_build_argv (self, args);
  return spawn_argv (argv, flags, error);
}

/**
 * ph_helper_client_spawn_finish:
 *
 * Returns: (transfer full): the running helper, or %NULL with a %PH_HELPER_ERROR
 */
GSubprocess *
ph_helper_client_spawn_finish (PhHelperClient  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ph_helper_client_spawn_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GSubprocess *
spawn_sync (PhHelperClient      *self,
            const char * const  *args,
            GSubprocessFlags     flags,
            GCancellable        *cancellable,
            GError             **error)
{
  g_auto(GStrv) argv = NULL;

  if (needs_host_check (self))
    {
      g_autoptr(GSubprocess) version = spawn_version (self, error);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      gboolean read;

      if (version == NULL)
        return NULL;
      read = g_subprocess_communicate_utf8 (version, NULL, cancellable, &out, &err, &local_error);
      if (!judge_version (self, version, read, local_error, out, err, error))
        return NULL;
    }

  argv = ph_helper_client_build_argv (self, args);
  return spawn_argv (argv, flags, error);
}

/* ---- running a verb to its end -------------------------------------------------------- */

/* The last line a helper wrote on stderr, safe to show. */
static char *
last_line (GBytes *bytes)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return NULL;
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  lines = g_strsplit (text, "\n", -1);
  for (guint n = g_strv_length (lines); n > 0; n--)
    {
      g_strstrip (lines[n - 1]);
      if (*lines[n - 1] != '\0')
        return ph_protocol_display (lines[n - 1], -1);
    }
  return NULL;
}

/* Why the helper's output could not be read: the cancellation, or the system's reason. */
static GError *
read_failure (GError *read_error)
{
  if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (read_error);
  return g_error_new (PH_HELPER_ERROR, PH_HELPER_ERROR_CRASHED,
                      /* Translators: %s is the system's reason */
                      _("Porthole could not read from its scanner: %s"), read_error->message);
}

/* What a finished run means: its output, or the most useful of its failures. */
static GBytes *
judge_run (PhHelperClient    *self,
           GSubprocess       *subprocess,
           GBytes            *out,
           GBytes            *err,
           PhHelperRunFlags   flags,
           int               *exit_status,
           GError           **error)
{
  g_autoptr(PhRecord) first = NULL;
  gsize size = 0;
  const char *data = out != NULL ? g_bytes_get_data (out, &size) : NULL;
  int status = -1;

  if (!g_subprocess_get_if_signaled (subprocess))
    status = g_subprocess_get_exit_status (subprocess);
  if (exit_status != NULL)
    *exit_status = status;

  if (size > 0)
    {
      const char *nl = memchr (data, '\n', size);

      first = ph_record_parse (data, nl != NULL ? (gsize) (nl - data) : size, NULL);
    }

  /* Another version says the most: such a helper may well reject our arguments. */
  if (first != NULL && ph_record_get_kind (first) == PH_RECORD_HELLO &&
      !ph_helper_client_check_hello (first, error))
    return NULL;

  if (status != 0 &&
      !((flags & PH_HELPER_RUN_EXIT_IS_OUTCOME) && status > 0 && status <= PH_STOP_OUTCOME_GONE))
    {
      g_autofree char *detail = last_line (err);

      g_propagate_error (error, ph_helper_client_exit_error (self, subprocess, detail));
      return NULL;
    }

  if (first == NULL)
    {
      set_protocol_error (error);
      return NULL;
    }
  if (!ph_helper_client_check_hello (first, error))
    return NULL;

  return g_bytes_ref (out);
}

/**
 * ph_helper_client_run:
 * @args: the verb and its options
 * @flags: how to judge its exit status
 * @exit_status: (out) (optional): its exit status, -1 when a signal ended it
 *
 * Runs the helper to its end (synchronously: for the command line) and checks it started
 * with the HELLO of our protocol version.
 *
 * Returns: (transfer full): what it wrote on stdout, or %NULL with a %PH_HELPER_ERROR
 */
GBytes *
ph_helper_client_run (PhHelperClient      *self,
                      const char * const  *args,
                      PhHelperRunFlags     flags,
                      int                 *exit_status,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), NULL);

  subprocess = spawn_sync (self, args,
                           G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                           cancellable, error);
  if (subprocess == NULL)
    return NULL;
  if (!g_subprocess_communicate (subprocess, NULL, cancellable, &out, &err, &local_error))
    {
      g_propagate_error (error, read_failure (local_error));
      return NULL;
    }

  return judge_run (self, subprocess, out, err, flags, exit_status, error);
}

typedef struct
{
  PhHelperRunFlags  flags;
  int               exit_status;
} RunData;

static void
run_communicate_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  GSubprocess *subprocess = G_SUBPROCESS (object);
  RunData *data = g_task_get_task_data (task);
  GBytes *bytes;

  if (!g_subprocess_communicate_finish (subprocess, result, &out, &err, &error))
    {
      g_task_return_error (task, read_failure (error));
      return;
    }

  bytes = judge_run (g_task_get_source_object (task), subprocess, out, err, data->flags,
                     &data->exit_status, &error);
  if (bytes == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static void
run_spawned_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  subprocess = ph_helper_client_spawn_finish (PH_HELPER_CLIENT (object), result, &error);
  if (subprocess == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_subprocess_communicate_async (subprocess, NULL, cancellable, run_communicate_cb,
                                  g_steal_pointer (&task));
}

/* ph_helper_client_run(), for the GUI. */
void
ph_helper_client_run_async (PhHelperClient      *self,
                            const char * const  *args,
                            PhHelperRunFlags     flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RunData *data;

  g_return_if_fail (PH_IS_HELPER_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ph_helper_client_run_async);
  data = g_new0 (RunData, 1);
  data->flags = flags;
  data->exit_status = -1;
  g_task_set_task_data (task, data, g_free);

  ph_helper_client_spawn_async (self, args,
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                cancellable, run_spawned_cb, g_steal_pointer (&task));
}

/**
 * ph_helper_client_run_finish:
 * @exit_status: (out) (optional): the helper's exit status, -1 when a signal ended it
 *
 * Returns: (transfer full): what the helper wrote on stdout, or %NULL with an error
 */
GBytes *
ph_helper_client_run_finish (PhHelperClient  *self,
                             GAsyncResult    *result,
                             int             *exit_status,
                             GError         **error)
{
  RunData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ph_helper_client_run_async,
                        NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (exit_status != NULL)
    *exit_status = data->exit_status;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- GObject --------------------------------------------------------------------------- */

static void
ph_helper_client_finalize (GObject *object)
{
  PhHelperClient *self = (PhHelperClient *)object;

  g_clear_pointer (&self->flatpak_info, g_free);
  g_clear_pointer (&self->helper_path, g_free);
  g_clear_pointer (&self->flatpak_app_id, g_free);
  g_clear_pointer (&self->override_command, g_free);

  G_OBJECT_CLASS (ph_helper_client_parent_class)->finalize (object);
}

static void
ph_helper_client_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PhHelperClient *self = PH_HELPER_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ELEVATED:
      g_value_set_boolean (value, self->elevated);
      break;

    case PROP_FLATPAK_INFO:
      g_value_set_string (value, self->flatpak_info);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_helper_client_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PhHelperClient *self = PH_HELPER_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ELEVATED:
      self->elevated = g_value_get_boolean (value);
      break;

    case PROP_FLATPAK_INFO:
      g_free (self->flatpak_info);
      self->flatpak_info = g_strdup (g_value_get_string (value) != NULL
                                     ? g_value_get_string (value) : DEFAULT_FLATPAK_INFO);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_helper_client_class_init (PhHelperClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ph_helper_client_finalize;
  object_class->get_property = ph_helper_client_get_property;
  object_class->set_property = ph_helper_client_set_property;

  /* Run the helper as root, through pkexec. */
  properties[PROP_ELEVATED] = g_param_spec_boolean ("elevated", NULL, NULL, FALSE, construct);
  /* The file that says Porthole runs in a Flatpak; another one in tests. */
  properties[PROP_FLATPAK_INFO] =
    g_param_spec_string ("flatpak-info", NULL, NULL, DEFAULT_FLATPAK_INFO, construct);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ph_helper_client_init (PhHelperClient *self)
{
  self->flatpak_info = g_strdup (DEFAULT_FLATPAK_INFO);
}

/**
 * ph_helper_client_new:
 * @elevated: run the helper as root, through pkexec
 *
 * Finds out where the helper is and how to start it.
 *
 * Returns: (transfer full): the client, or %NULL with %PH_HELPER_ERROR_NOT_FOUND
 */
PhHelperClient *
ph_helper_client_new (gboolean   elevated,
                      GError   **error)
{
  return g_initable_new (PH_TYPE_HELPER_CLIENT, NULL, error, "elevated", elevated, NULL);
}

PhHelperMode
ph_helper_client_get_mode (PhHelperClient *self)
{
  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), PH_HELPER_MODE_CHILD);

  return self->mode;
}

/**
 * ph_helper_client_dup_limitation:
 *
 * What Porthole cannot see because of where its helper runs, and what the user can do
 * about it, in words; %NULL when nothing is missing.
 *
 * Returns: (transfer full) (nullable): the message
 */
char *
ph_helper_client_dup_limitation (PhHelperClient *self)
{
  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), NULL);

  if (!self->sandboxed)
    return NULL;
  return g_strdup_printf (_("Porthole cannot see which programs own these ports: it is not "
                            "allowed to talk to %s, which runs its scanner outside the "
                            "sandbox. To allow it, run “%s” and restart Porthole."),
                          FLATPAK_HOST_NAME, ph_helper_client_get_override_command (self));
}

/**
 * ph_helper_client_dup_limitation_title:
 *
 * ph_helper_client_dup_limitation() in a few words, for a banner.
 *
 * Returns: (transfer full) (nullable): the title, or %NULL when nothing is missing
 */
char *
ph_helper_client_dup_limitation_title (PhHelperClient *self)
{
  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), NULL);

  if (!self->sandboxed)
    return NULL;
  /* Translators: %s is the name of a D-Bus service, org.freedesktop.Flatpak */
  return g_strdup_printf (_("Owners are unknown: Porthole is not allowed to talk to %s"),
                          FLATPAK_HOST_NAME);
}

/**
 * ph_helper_client_get_override_command:
 *
 * Returns: (nullable): the command that gives this Flatpak back its permission to run the
 *   helper on the host, or %NULL when it does not need one
 */
const char *
ph_helper_client_get_override_command (PhHelperClient *self)
{
  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), NULL);

  if (!self->sandboxed)
    return NULL;
  if (self->override_command == NULL)
    self->override_command = g_strdup_printf ("flatpak override --user --talk-name=%s %s",
                                              FLATPAK_HOST_NAME,
                                              self->flatpak_app_id != NULL
                                              ? self->flatpak_app_id : APP_ID);
  return self->override_command;
}

/* The helper program, as the place it runs in sees it. */
const char *
ph_helper_client_get_helper_path (PhHelperClient *self)
{
  g_return_val_if_fail (PH_IS_HELPER_CLIENT (self), NULL);

  return self->helper_path;
}
