/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner.c — runs porthole-helper watch, feeds its stream to a PhServiceList, restarts it */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "porthole-scanner"

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>

#include "ph-helper-client.h"
#include "ph-scanner.h"

#define RETRY_FIRST_MS   500
#define RETRY_MAX_MS     30000
/* A helper that ran this long before it stopped is not crashing in a loop. */
#define STABLE_RUN_US    (30 * G_USEC_PER_SEC)

struct _PhScanner
{
  GObject            parent_instance;

  PhServiceList     *services;

  /* The current run of the helper; the cancellable ends every callback of the run. */
  GCancellable      *cancellable;
  PhHelperClient    *client;
  GSubprocess       *subprocess;
  GDataInputStream  *stdout_stream;
  GDataInputStream  *stderr_stream;
  GOutputStream     *stdin_stream;
  GString           *write_queue;
  GBytes            *writing;
  char              *helper_pid;
  char              *limitation;
  char              *limitation_title;
  char              *override_command;
  char              *last_stderr;
  gint64             running_since;
  gboolean           hello_seen;

  PhScannerState     state;
  char              *error_message;
  char              *source;

  guint              refresh_interval;
  gboolean           paused;      /* no timed refresh: nobody sees the list */
  gboolean           show_udp;
  gboolean           show_ipv6;

  /* Unlock: the helper runs as root through pkexec; unlocking while one is asked for. */
  gboolean           elevated;
  gboolean           unlocking;

  guint              retry_delay;
  guint              retry_source;

  /* The container engines are asked when the set of ports their helpers hold changes. */
  GCancellable      *containers_cancellable;
  char              *containers_ids;
};

enum {
  PROP_0,
  PROP_SERVICES,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_SOURCE,
  PROP_HIDDEN_COUNT,
  PROP_REFRESH_INTERVAL,
  PROP_SHOW_UDP,
  PROP_SHOW_IPV6,
  PROP_RETRY_DELAY,
  PROP_HELPER_PID,
  PROP_ELEVATED,
  PROP_LIMITATION,
  N_PROPS
};

enum {
  WARNING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PhScanner, ph_scanner, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (PhScannerState, ph_scanner_state,
                    G_DEFINE_ENUM_VALUE (PH_SCANNER_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (PH_SCANNER_STATE_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (PH_SCANNER_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (PH_SCANNER_STATE_FAILED, "failed"))

static void start_run (PhScanner *self);

/* ---- state ------------------------------------------------------------------------ */

static void
set_state (PhScanner      *self,
           PhScannerState  state,
           const char     *error_message)
{
  /* The message first: a handler of notify::state reads it. */
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
set_source (PhScanner  *self,
            const char *source)
{
  if (g_strcmp0 (self->source, source) == 0)
    return;
  g_free (self->source);
  self->source = g_strdup (source);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

static void
set_helper_pid (PhScanner  *self,
                const char *pid)
{
  if (g_strcmp0 (self->helper_pid, pid) == 0)
    return;
  g_free (self->helper_pid);
  self->helper_pid = g_strdup (pid);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HELPER_PID]);
}

/* What the place the helper runs in keeps from view (ph_helper_client_dup_limitation()). */
static void
set_limitation (PhScanner  *self,
                const char *limitation,
                const char *title,
                const char *override_command)
{
  g_free (self->override_command);
  self->override_command = g_strdup (override_command);
  g_free (self->limitation_title);
  self->limitation_title = g_strdup (title);
  if (g_strcmp0 (self->limitation, limitation) == 0)
    return;
  g_free (self->limitation);
  self->limitation = g_strdup (limitation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMITATION]);
}

/* Ends the current run: every pending callback of it gets G_IO_ERROR_CANCELLED. */
static void
end_run (PhScanner *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);

  if (self->subprocess != NULL)
    g_subprocess_force_exit (self->subprocess);
  g_clear_object (&self->subprocess);
  g_clear_object (&self->stdout_stream);
  g_clear_object (&self->stderr_stream);
  g_clear_object (&self->stdin_stream);
  g_string_truncate (self->write_queue, 0);
  g_clear_pointer (&self->writing, g_bytes_unref);
  g_clear_pointer (&self->last_stderr, g_free);
  g_clear_pointer (&self->containers_ids, g_free);
  self->hello_seen = FALSE;
  self->running_since = 0;
  set_helper_pid (self, NULL);

  /* A change set cut off in the middle never shows. */
  ph_service_list_abort (self->services);
}

static gboolean
retry_cb (gpointer user_data)
{
  PhScanner *self = user_data;

  self->retry_source = 0;
  start_run (self);
  return G_SOURCE_REMOVE;
}

/* The first back-off step. Tests that need to see the "scanner stopped" state for a while
 * lengthen it with PORTHOLE_RETRY_DELAY_MS. */
static guint
retry_first_ms (void)
{
  const char *text = g_getenv ("PORTHOLE_RETRY_DELAY_MS");
  guint64 ms;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, RETRY_MAX_MS, &ms, NULL))
    return (guint) ms;
  return RETRY_FIRST_MS;
}

/* The helper stopped or could not start: say so, and try again later, each time waiting
 * twice as long, so a helper that cannot run does not eat the CPU. */
static void
fail (PhScanner  *self,
      const char *message)
{
  guint delay;

  g_debug ("scanner failed: %s", message);

  if (self->running_since != 0 &&
      g_get_monotonic_time () - self->running_since >= STABLE_RUN_US)
    self->retry_delay = retry_first_ms ();

  end_run (self);
  set_state (self, PH_SCANNER_STATE_FAILED, message);

  delay = self->retry_delay;
  self->retry_delay = MIN (self->retry_delay * 2, RETRY_MAX_MS);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_DELAY]);

  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_full (G_PRIORITY_DEFAULT, delay, retry_cb, self, NULL);
}

/* ---- talking to the helper -------------------------------------------------------- */

static void write_next (PhScanner *self);

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PhScanner *self;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      /* The run ended (cancelled) or the helper is gone (EPIPE): its exit says why. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("cannot write to porthole-helper: %s", error->message);
      return;
    }

  self = user_data;
  g_clear_pointer (&self->writing, g_bytes_unref);
  write_next (self);
}

static void
write_next (PhScanner *self)
{
  gsize len;
  gconstpointer data;

  if (self->writing != NULL || self->stdin_stream == NULL || self->write_queue->len == 0)
    return;

  self->writing = g_bytes_new (self->write_queue->str, self->write_queue->len);
  g_string_truncate (self->write_queue, 0);
  data = g_bytes_get_data (self->writing, &len);
  g_output_stream_write_all_async (self->stdin_stream, data, len, G_PRIORITY_DEFAULT,
                                   self->cancellable, write_cb, self);
}

static void
send_command (PhScanner  *self,
              const char *command)
{
  if (self->stdin_stream == NULL)
    return;
  g_string_append (self->write_queue, command);
  g_string_append_c (self->write_queue, '\n');
  write_next (self);
}

static void
on_containers_listed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(PhScanner) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhContainerSnapshot) snapshot = ph_containers_query_finish (result, &error);

  if (snapshot == NULL)
    return;   /* cancelled: a newer query runs, or the scanner is gone */
  g_clear_object (&self->containers_cancellable);
  ph_service_list_set_containers (self->services, snapshot);
}

/* After a change set: ask the engines again when the ports their helpers hold changed. */
static void
maybe_query_containers (PhScanner *self)
{
  g_autoptr(GString) ids = g_string_new (NULL);

  /* With no engine program holding a port, an engine may still forward ports by DNAT
   * alone (ph_service_list_dup_forwarded): ask once a minute while one of their sockets
   * exists. */
  if (!ph_service_list_has_container_ports (self->services, ids))
    {
      if (!ph_containers_any_socket ())
        {
          g_clear_pointer (&self->containers_ids, g_free);
          return;
        }
      g_string_printf (ids, "sockets:%" G_GINT64_FORMAT, g_get_monotonic_time () / (60 * G_USEC_PER_SEC));
    }
  if (g_strcmp0 (self->containers_ids, ids->str) == 0)
    return;
  g_free (self->containers_ids);
  self->containers_ids = g_string_free (g_steal_pointer (&ids), FALSE);
  if (self->containers_cancellable != NULL)
    g_cancellable_cancel (self->containers_cancellable);
  g_clear_object (&self->containers_cancellable);
  self->containers_cancellable = g_cancellable_new ();
  ph_containers_query_async (self->containers_cancellable, on_containers_listed,
                             g_object_ref (self));
}

static void
handle_record (PhScanner      *self,
               const PhRecord *record)
{
  g_autoptr(GError) error = NULL;
  gboolean applied = FALSE;

  PhRecordKind kind = ph_record_get_kind (record);

  if (kind == PH_RECORD_WARN)
    {
      g_signal_emit (self, signals[WARNING], 0,
                     ph_record_get (record, PH_KEY_CODE, NULL),
                     ph_record_get (record, PH_KEY_MESSAGE, NULL));
      return;
    }

  /* Nothing is read before the HELLO that names our protocol version. */
  if (kind == PH_RECORD_HELLO || !self->hello_seen)
    {
      if (!ph_helper_client_check_hello (record, &error))
        {
          fail (self, error->message);
          return;
        }
      self->hello_seen = TRUE;
      set_source (self, ph_record_get (record, PH_KEY_SOURCE, NULL));
      return;
    }

  if (!ph_service_list_feed (self->services, record, &applied, &error))
    {
      /* One bad line is skipped; the stream goes on. */
      g_debug ("porthole-helper: %s", error->message);
      return;
    }

  if (applied)
    maybe_query_containers (self);

  if (applied && self->state != PH_SCANNER_STATE_RUNNING)
    {
      self->running_since = g_get_monotonic_time ();
      set_state (self, PH_SCANNER_STATE_RUNNING, NULL);
    }
}

static void read_next_line (PhScanner *self);

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(PhRecord) record = NULL;
  PhScanner *self;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, &len,
                                               &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Porthole could not read from its scanner: %s"),
                                                  error->message);
      fail (self, message);
      return;
    }
  if (line == NULL)
    return;   /* end of stream: the helper's exit (wait_cb) tells what happened */

  g_clear_error (&error);
  record = ph_record_parse (line, len, &error);
  if (record == NULL)
    g_debug ("porthole-helper sent a bad line: %s", error->message);
  else
    handle_record (self, record);

  /* handle_record() may have ended the run */
  if (self->stdout_stream == G_DATA_INPUT_STREAM (object))
    read_next_line (self);
}

static void
read_next_line (PhScanner *self)
{
  g_data_input_stream_read_line_async (self->stdout_stream, G_PRIORITY_DEFAULT,
                                       self->cancellable, read_line_cb, self);
}

static void read_next_stderr_line (PhScanner *self);

static void
read_stderr_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  PhScanner *self;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL,
                                                    &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (line == NULL)
    return;

  g_debug ("porthole-helper: %s", line);
  if (*line != '\0')
    {
      g_free (self->last_stderr);
      self->last_stderr = g_steal_pointer (&line);
    }
  if (self->stderr_stream == G_DATA_INPUT_STREAM (object))
    read_next_stderr_line (self);
}

static void
read_next_stderr_line (PhScanner *self)
{
  g_data_input_stream_read_line_async (self->stderr_stream, G_PRIORITY_DEFAULT,
                                       self->cancellable, read_stderr_cb, self);
}

/* pkexec said no (dismissed, or not authorised): not a crash, and retrying would only ask
 * again and again. */
static gboolean
is_refusal (const GError *error)
{
  return g_error_matches (error, PH_HELPER_ERROR, PH_HELPER_ERROR_DISMISSED) ||
         g_error_matches (error, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_AUTHORIZED);
}

static void set_elevated (PhScanner *self, gboolean elevated);

/* An elevated helper that pkexec would not start again (after a restart, when polkit
 * asked once more): go back to the unprivileged one, and say why. */
static void
drop_elevation (PhScanner    *self,
                const GError *error)
{
  set_elevated (self, FALSE);
  g_signal_emit (self, signals[WARNING], 0, "unlock-refused", error->message);
  start_run (self);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GSubprocess *subprocess = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;
  PhScanner *self;

  if (!g_subprocess_wait_finish (subprocess, result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (self->subprocess != subprocess)
    return;

  g_clear_error (&error);
  error = ph_helper_client_exit_error (self->client, subprocess, self->last_stderr);
  if (self->elevated && is_refusal (error))
    {
      drop_elevation (self, error);
      return;
    }
  fail (self, error->message);
}

static GDataInputStream *new_stdout_stream (GSubprocess *subprocess);
static void              adopt_subprocess  (PhScanner        *self,
                                            GSubprocess      *subprocess,
                                            GDataInputStream *stdout_stream);

static void
spawn_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *subprocess;
  PhScanner *self;

  subprocess = ph_helper_client_spawn_finish (PH_HELPER_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (subprocess == NULL)
    {
      if (self->elevated && is_refusal (error))
        {
          drop_elevation (self, error);
          return;
        }
      fail (self, error->message);
      return;
    }

  adopt_subprocess (self, subprocess, new_stdout_stream (subprocess));
}

static GDataInputStream *
new_stdout_stream (GSubprocess *subprocess)
{
  GDataInputStream *stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (subprocess));

  g_data_input_stream_set_newline_type (stream, G_DATA_STREAM_NEWLINE_TYPE_LF);
  /* A full list comes in one burst; read it in large pieces. */
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (stream), 64 * 1024);
  return stream;
}

/* Makes @subprocess (its stdout already wrapped in @stdout_stream) the current run. */
static void
adopt_subprocess (PhScanner        *self,
                  GSubprocess      *subprocess,
                  GDataInputStream *stdout_stream)
{
  self->subprocess = subprocess;
  set_helper_pid (self, g_subprocess_get_identifier (self->subprocess));
  self->stdout_stream = stdout_stream;
  self->stderr_stream = g_data_input_stream_new (g_subprocess_get_stderr_pipe (self->subprocess));
  g_data_input_stream_set_newline_type (self->stderr_stream, G_DATA_STREAM_NEWLINE_TYPE_LF);
  self->stdin_stream = g_object_ref (g_subprocess_get_stdin_pipe (self->subprocess));

  read_next_line (self);
  read_next_stderr_line (self);
  g_subprocess_wait_async (self->subprocess, self->cancellable, wait_cb, self);
}

static GStrv
watch_args (PhScanner *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *interval = g_strdup_printf ("%u", self->paused ? 0
                                                    : self->refresh_interval * 1000);

  g_strv_builder_add_many (builder, PH_VERB_WATCH, "--interval", interval, NULL);
  if (!self->show_udp)
    g_strv_builder_add (builder, "--no-udp");
  if (!self->show_ipv6)
    g_strv_builder_add (builder, "--no-ipv6");
  return g_strv_builder_end (builder);
}

static void
start_run (PhScanner *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  end_run (self);

  self->cancellable = g_cancellable_new ();
  set_state (self, PH_SCANNER_STATE_STARTING, self->state == PH_SCANNER_STATE_FAILED
                                                ? self->error_message : NULL);

  self->client = ph_helper_client_new (self->elevated, &error);
  if (self->client == NULL)
    {
      fail (self, error->message);
      return;
    }
  {
    g_autofree char *limitation = ph_helper_client_dup_limitation (self->client);
    g_autofree char *title = ph_helper_client_dup_limitation_title (self->client);

    set_limitation (self, limitation, title,
                    ph_helper_client_get_override_command (self->client));
  }

  args = watch_args (self);
  ph_helper_client_spawn_async (self->client, (const char * const *) args,
                                G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                self->cancellable, spawn_cb, self);
}

/* ---- Unlock --------------------------------------------------------------------------- */

static void
set_elevated (PhScanner *self,
              gboolean   elevated)
{
  if (self->elevated == elevated)
    return;
  self->elevated = elevated;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELEVATED]);
}

/* One Unlock: the elevated helper started beside the running one, until its HELLO. */
typedef struct
{
  PhHelperClient   *client;
  GSubprocess      *subprocess;
  GDataInputStream *stdout_stream;
} Unlock;

static void
unlock_free (Unlock *unlock)
{
  if (unlock->subprocess != NULL)
    g_subprocess_force_exit (unlock->subprocess);
  g_clear_object (&unlock->subprocess);
  g_clear_object (&unlock->stdout_stream);
  g_clear_object (&unlock->client);
  g_free (unlock);
}

static void
unlock_wait_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlock *unlock = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* pkexec's 126 and 127 become DISMISSED and NOT_AUTHORIZED, with their messages. */
  g_task_return_error (task, ph_helper_client_exit_error (unlock->client, unlock->subprocess,
                                                          NULL));
}

static void
unlock_line_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlock *unlock = g_task_get_task_data (task);
  PhScanner *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PhRecord) hello = NULL;
  g_autofree char *line = NULL;
  guint64 euid = G_MAXUINT64;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, &len,
                                               &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (line == NULL)
    {
      /* Nothing written: pkexec refused, or the helper failed. Its exit says which. */
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_subprocess_wait_async (unlock->subprocess, cancellable, unlock_wait_cb,
                               g_steal_pointer (&task));
      return;
    }

  hello = ph_record_parse (line, (gssize) len, &error);
  if (hello == NULL || !ph_helper_client_check_hello (hello, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_ascii_string_to_unsigned (ph_record_get (hello, PH_KEY_EUID, NULL), 10, 0, G_MAXUINT32,
                              &euid, NULL);
  if (euid != 0)
    {
      g_task_return_new_error (task, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_AUTHORIZED,
                               _("The scanner did not get the administrator’s rights, so "
                                 "the owners stay hidden."));
      return;
    }

  /* Root: this helper replaces the unprivileged one; its first list replaces the list. */
  set_elevated (self, TRUE);
  if (self->state == PH_SCANNER_STATE_STOPPED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_clear_handle_id (&self->retry_source, g_source_remove);
  end_run (self);
  self->cancellable = g_cancellable_new ();
  self->client = g_steal_pointer (&unlock->client);
  set_state (self, PH_SCANNER_STATE_STARTING, NULL);
  self->hello_seen = TRUE;
  set_source (self, ph_record_get (hello, PH_KEY_SOURCE, NULL));
  adopt_subprocess (self, g_steal_pointer (&unlock->subprocess),
                    g_steal_pointer (&unlock->stdout_stream));
  g_task_return_boolean (task, TRUE);
}

static void
unlock_spawn_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlock *unlock = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  unlock->subprocess = ph_helper_client_spawn_finish (PH_HELPER_CLIENT (object), result,
                                                      &error);
  if (unlock->subprocess == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The HELLO comes once polkit said yes (and any password was typed). */
  unlock->stdout_stream = new_stdout_stream (unlock->subprocess);
  g_data_input_stream_read_line_async (unlock->stdout_stream, G_PRIORITY_DEFAULT, cancellable,
                                       unlock_line_cb, g_steal_pointer (&task));
}

static void
on_unlock_completed (GTask      *task,
                     GParamSpec *pspec,
                     PhScanner  *self)
{
  self->unlocking = FALSE;
}

/**
 * ph_scanner_unlock_async:
 *
 * Starts the helper through pkexec beside the running one, so polkit decides whether
 * and how to ask (one dialog); once it says HELLO as root, it replaces the unprivileged
 * helper and every user's processes are seen. When the dialog is dismissed or the
 * permission refused, the unprivileged helper goes on as before and the error says why.
 */
void
ph_scanner_unlock_async (PhScanner           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  Unlock *unlock;

  g_return_if_fail (PH_IS_SCANNER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ph_scanner_unlock_async);

  if (self->elevated)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->unlocking)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Porthole is already asking for permission."));
      return;
    }

  unlock = g_new0 (Unlock, 1);
  g_task_set_task_data (task, unlock, (GDestroyNotify) unlock_free);
  unlock->client = ph_helper_client_new (TRUE, &error);
  if (unlock->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->unlocking = TRUE;
  g_signal_connect (task, "notify::completed", G_CALLBACK (on_unlock_completed), self);
  args = watch_args (self);
  ph_helper_client_spawn_async (unlock->client, (const char * const *) args,
                                G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                cancellable, unlock_spawn_cb, g_steal_pointer (&task));
}

gboolean
ph_scanner_unlock_finish (PhScanner     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Whether the helper runs as root (after Unlock). */
gboolean
ph_scanner_get_elevated (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), FALSE);
  return self->elevated;
}

/* ---- GObject ---------------------------------------------------------------------- */

static void
on_hidden_count_changed (PhScanner *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDDEN_COUNT]);
}

static void
ph_scanner_dispose (GObject *object)
{
  PhScanner *self = (PhScanner *)object;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (self->containers_cancellable != NULL)
    g_cancellable_cancel (self->containers_cancellable);
  g_clear_object (&self->containers_cancellable);
  if (self->services != NULL)
    {
      end_run (self);
      g_signal_handlers_disconnect_by_data (self->services, self);
    }

  G_OBJECT_CLASS (ph_scanner_parent_class)->dispose (object);
}

static void
ph_scanner_finalize (GObject *object)
{
  PhScanner *self = (PhScanner *)object;

  g_clear_object (&self->services);
  if (self->write_queue != NULL)
    g_string_free (g_steal_pointer (&self->write_queue), TRUE);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->helper_pid, g_free);
  g_clear_pointer (&self->limitation, g_free);
  g_clear_pointer (&self->limitation_title, g_free);
  g_clear_pointer (&self->override_command, g_free);
  g_clear_pointer (&self->last_stderr, g_free);

  G_OBJECT_CLASS (ph_scanner_parent_class)->finalize (object);
}

static void
ph_scanner_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PhScanner *self = PH_SCANNER (object);

  switch (prop_id)
    {
    case PROP_SERVICES:
      g_value_set_object (value, self->services);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;

    case PROP_HIDDEN_COUNT:
      g_value_set_uint (value, ph_scanner_get_hidden_count (self));
      break;

    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh_interval);
      break;

    case PROP_SHOW_UDP:
      g_value_set_boolean (value, self->show_udp);
      break;

    case PROP_SHOW_IPV6:
      g_value_set_boolean (value, self->show_ipv6);
      break;

    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay);
      break;

    case PROP_LIMITATION:
      g_value_set_string (value, self->limitation);
      break;

    case PROP_HELPER_PID:
      g_value_set_string (value, self->helper_pid);
      break;

    case PROP_ELEVATED:
      g_value_set_boolean (value, self->elevated);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_scanner_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PhScanner *self = PH_SCANNER (object);

  switch (prop_id)
    {
    case PROP_REFRESH_INTERVAL:
      ph_scanner_set_refresh_interval (self, g_value_get_uint (value));
      break;

    case PROP_SHOW_UDP:
      ph_scanner_set_show_udp (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_IPV6:
      ph_scanner_set_show_ipv6 (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_scanner_class_init (PhScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = ph_scanner_dispose;
  object_class->finalize = ph_scanner_finalize;
  object_class->get_property = ph_scanner_get_property;
  object_class->set_property = ph_scanner_set_property;

  properties[PROP_SERVICES] =
    g_param_spec_object ("services", NULL, NULL, PH_TYPE_SERVICE_LIST, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PH_TYPE_SCANNER_STATE, PH_SCANNER_STATE_STOPPED, ro);
  /* Why the scanner failed, for a person; NULL while it works. */
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  /* Where sockets come from: "netlink" or "procfs". */
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, ro);
  /* Sockets whose owners the helper cannot see: the GUI offers to unlock. */
  properties[PROP_HIDDEN_COUNT] =
    g_param_spec_uint ("hidden-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /* Seconds between refreshes; 0: only when asked (ph_scanner_refresh()). */
  properties[PROP_REFRESH_INTERVAL] =
    g_param_spec_uint ("refresh-interval", NULL, NULL, 0, 3600, 2, rw);
  properties[PROP_SHOW_UDP] = g_param_spec_boolean ("show-udp", NULL, NULL, TRUE, rw);
  properties[PROP_SHOW_IPV6] = g_param_spec_boolean ("show-ipv6", NULL, NULL, TRUE, rw);
  /* Milliseconds before the next restart after a failure. */
  properties[PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 0, G_MAXUINT, RETRY_FIRST_MS, ro);
  /* The helper's process id (as GSubprocess gives it), while it runs. */
  properties[PROP_HELPER_PID] = g_param_spec_string ("helper-pid", NULL, NULL, NULL, ro);
  /* The helper runs as root through pkexec (after ph_scanner_unlock_async()). */
  properties[PROP_ELEVATED] = g_param_spec_boolean ("elevated", NULL, NULL, FALSE, ro);
  /* What Porthole cannot see from where its helper runs, and what to do, for a person
   * (a Flatpak without permission to run the helper on the host); NULL when nothing. */
  properties[PROP_LIMITATION] = g_param_spec_string ("limitation", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PhScanner::warning:
   * @code: the helper's code, such as "netlink-unavailable"
   * @message: the helper's (English) message
   *
   * Something the helper wants known; the scan goes on.
   */
  signals[WARNING] = g_signal_new ("warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   G_TYPE_STRING, G_TYPE_STRING);

  /* Writing a command to a helper that just died must not kill Porthole: the helper's
   * exit is reported through its exit status instead. */
  signal (SIGPIPE, SIG_IGN);
}

static void
ph_scanner_init (PhScanner *self)
{
  self->services = ph_service_list_new ();
  self->write_queue = g_string_new (NULL);
  self->refresh_interval = 2;
  self->show_udp = TRUE;
  self->show_ipv6 = TRUE;
  self->retry_delay = retry_first_ms ();
  g_signal_connect_swapped (self->services, "notify::hidden-count",
                            G_CALLBACK (on_hidden_count_changed), self);
}

PhScanner *
ph_scanner_new (void)
{
  return g_object_new (PH_TYPE_SCANNER, NULL);
}

/**
 * ph_scanner_get_services:
 *
 * Returns: (transfer none): the services, a #GListModel of #PhService
 */
GListModel *
ph_scanner_get_services (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return G_LIST_MODEL (self->services);
}

/**
 * ph_scanner_get_service_list:
 *
 * Returns: (transfer none): the services, with their lookups
 */
PhServiceList *
ph_scanner_get_service_list (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->services;
}

/* Starts the helper; the list fills when its first change set arrives. */
void
ph_scanner_start (PhScanner *self)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  if (self->state == PH_SCANNER_STATE_STARTING || self->state == PH_SCANNER_STATE_RUNNING)
    return;
  self->retry_delay = retry_first_ms ();
  start_run (self);
}

/* Stops the helper (and any restart); the list keeps what it shows. */
void
ph_scanner_stop (PhScanner *self)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  g_clear_handle_id (&self->retry_source, g_source_remove);
  end_run (self);
  set_state (self, PH_SCANNER_STATE_STOPPED, NULL);
}

/* Scans now, and asks the container engines again (a stopped container's forwarded ports
 * hold no socket whose going would make it ask). When the scanner has failed, that means
 * trying again at once. */
void
ph_scanner_refresh (PhScanner *self)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  g_clear_pointer (&self->containers_ids, g_free);
  if (self->state == PH_SCANNER_STATE_RUNNING)
    maybe_query_containers (self);
  if (self->state == PH_SCANNER_STATE_FAILED)
    ph_scanner_retry (self);
  else
    send_command (self, PH_COMMAND_REFRESH);
}

/* Restarts the helper at once, without waiting for the back-off. */
void
ph_scanner_retry (PhScanner *self)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  self->retry_delay = retry_first_ms ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_DELAY]);
  start_run (self);
}

PhScannerState
ph_scanner_get_state (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), PH_SCANNER_STATE_STOPPED);

  return self->state;
}

const char *
ph_scanner_get_error_message (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->error_message;
}

const char *
ph_scanner_get_source (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->source;
}

guint
ph_scanner_get_hidden_count (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), 0);

  return ph_service_list_get_hidden_count (self->services);
}

guint
ph_scanner_get_refresh_interval (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), 0);

  return self->refresh_interval;
}

void
ph_scanner_set_refresh_interval (PhScanner *self,
                                 guint      seconds)
{
  g_autofree char *command = NULL;

  g_return_if_fail (PH_IS_SCANNER (self));

  seconds = MIN (seconds, 3600);
  if (self->refresh_interval == seconds)
    return;

  self->refresh_interval = seconds;
  if (!self->paused)
    {
      command = g_strdup_printf (PH_COMMAND_INTERVAL " %u", seconds * 1000);
      send_command (self, command);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_INTERVAL]);
}

gboolean
ph_scanner_get_paused (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), FALSE);

  return self->paused;
}

/**
 * ph_scanner_set_paused:
 * @paused: whether the timed refreshes stop
 *
 * While paused the helper keeps running but only scans when asked (its interval is 0):
 * neither it nor we wake up. Resuming restores the interval and scans at once, so the
 * list is up to date as soon as it is seen again.
 */
void
ph_scanner_set_paused (PhScanner *self,
                       gboolean   paused)
{
  g_autofree char *command = NULL;

  g_return_if_fail (PH_IS_SCANNER (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  command = g_strdup_printf (PH_COMMAND_INTERVAL " %u",
                             paused ? 0 : self->refresh_interval * 1000);
  send_command (self, command);
  if (!paused)
    send_command (self, PH_COMMAND_REFRESH);
}

/* The helper takes --no-udp and --no-ipv6 only when it starts: restart it. The new full
 * change set removes (or adds) the sockets by diff. */
static void
restart_if_running (PhScanner *self)
{
  if (self->state == PH_SCANNER_STATE_STARTING || self->state == PH_SCANNER_STATE_RUNNING)
    start_run (self);
}

void
ph_scanner_set_show_udp (PhScanner *self,
                         gboolean   show_udp)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  show_udp = !!show_udp;
  if (self->show_udp == show_udp)
    return;
  self->show_udp = show_udp;
  restart_if_running (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_UDP]);
}

void
ph_scanner_set_show_ipv6 (PhScanner *self,
                          gboolean   show_ipv6)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  show_ipv6 = !!show_ipv6;
  if (self->show_ipv6 == show_ipv6)
    return;
  self->show_ipv6 = show_ipv6;
  restart_if_running (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_IPV6]);
}

/* Milliseconds the next restart after a failure will wait. */
guint
ph_scanner_get_retry_delay (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), 0);

  return self->retry_delay;
}

const char *
ph_scanner_get_helper_pid (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->helper_pid;
}

const char *
ph_scanner_get_limitation (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->limitation;
}

/* The limitation in a few words, for a banner; NULL when there is none. */
const char *
ph_scanner_get_limitation_title (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->limitation != NULL ? self->limitation_title : NULL;
}

/* The command that lifts the limitation, when one does; NULL otherwise. */
const char *
ph_scanner_get_override_command (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->limitation != NULL ? self->override_command : NULL;
}
