/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner-run.c — one run of porthole-helper watch: started, read, told, and its end */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "porthole-scanner"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-helper-client.h"
#include "ph-scanner-private.h"

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

void
ph_scanner_send_command (PhScanner  *self,
                         const char *command)
{
  if (self->stdin_stream == NULL)
    return;
  g_string_append (self->write_queue, command);
  g_string_append_c (self->write_queue, '\n');
  write_next (self);
}

static void query_containers (PhScanner *self);

static void
on_containers_listed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(PhScanner) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhContainerSnapshot) snapshot = ph_containers_query_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* the scanner is gone */
  g_clear_object (&self->containers_cancellable);
  if (snapshot != NULL)
    ph_service_list_set_containers (self->services, snapshot);
  /* What it answered may be older than what was asked for since. */
  if (self->containers_again)
    query_containers (self);
}

/* A query runs to its end, never cancelled by the next one: it runs in a worker thread
 * (ph_containers_query_async()), where the helper that relays the engines' answers (in
 * the Flatpak) was run with GSubprocess, and cancelling that from this thread corrupted
 * the heap (tests/test-containers-cancel.c). So one runs at a time, and its answers come
 * in order. */
static void
query_containers (PhScanner *self)
{
  self->containers_again = FALSE;
  self->containers_cancellable = g_cancellable_new ();
  ph_containers_query_async (self->containers_cancellable, on_containers_listed,
                             g_object_ref (self));
}

/* After a change set: ask the engines again when the ports their helpers hold changed. */
void
ph_scanner_maybe_query_containers (PhScanner *self)
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
    self->containers_again = TRUE;   /* one is running */
  else
    query_containers (self);
}

/* After a change set is in the model. */
static void
after_applied (PhScanner *self)
{
  ph_scanner_maybe_query_containers (self);

  if (self->state != PH_SCANNER_STATE_RUNNING)
    {
      self->running_since = g_get_monotonic_time ();
      ph_scanner_set_state (self, PH_SCANNER_STATE_RUNNING, NULL);
    }
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
      ph_scanner_emit_warning (self, ph_record_get (record, PH_KEY_CODE, NULL),
                               ph_record_get (record, PH_KEY_MESSAGE, NULL));
      return;
    }

  /* Nothing is read before the HELLO that names our protocol version. */
  if (kind == PH_RECORD_HELLO || !self->hello_seen)
    {
      if (!ph_helper_client_check_hello (record, &error))
        {
          ph_scanner_fail (self, error->message);
          return;
        }
      self->hello_seen = TRUE;
      ph_scanner_set_source (self, ph_record_get (record, PH_KEY_SOURCE, NULL));
      return;
    }

  if (!ph_service_list_feed (self->services, record, &applied, &error))
    {
      /* One bad line is skipped; the stream goes on. */
      g_debug ("porthole-helper: %s", error->message);
      return;
    }

  if (applied)
    after_applied (self);
}

/* What the reader's thread hands over (ph-scanner-reader.c), in the stream's order. */
static void
on_item (PhScannerItem *item,
         gpointer       user_data)
{
  PhScanner *self = user_data;
  PhScannerReader *reader = self->reader;
  g_autoptr(GPtrArray) records = NULL;

  if (item->error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Porthole could not read from its scanner: %s"),
                                                  item->error->message);
      ph_scanner_fail (self, message);
      return;
    }
  if (item->record != NULL)
    {
      handle_record (self, item->record);
      return;
    }

  /* The first full change set, already applied to a list of the reader's: taken over
   * whole when the list is still empty, else fed record by record like any other. */
  if (item->prepared != NULL && self->hello_seen &&
      ph_service_list_take (self->services, item->prepared))
    {
      after_applied (self);
      return;
    }
  records = ph_scanner_item_parse_records (item);
  /* handle_record() may end the run, and with it this reader. */
  for (guint k = 0; k < records->len && self->reader == reader; k++)
    handle_record (self, records->pdata[k]);
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

/* An elevated helper that pkexec would not start again (after a restart, when polkit
 * asked once more): go back to the unprivileged one, and say why. */
static void
drop_elevation (PhScanner    *self,
                const GError *error)
{
  ph_scanner_set_elevated (self, FALSE);
  ph_scanner_emit_warning (self, "unlock-refused", error->message);
  ph_scanner_start_run (self);
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
  ph_scanner_fail (self, error->message);
}

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
      ph_scanner_fail (self, error->message);
      return;
    }

  ph_scanner_adopt_subprocess (self, subprocess, ph_scanner_new_stdout_stream (subprocess));
}

GDataInputStream *
ph_scanner_new_stdout_stream (GSubprocess *subprocess)
{
  GDataInputStream *stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (subprocess));

  g_data_input_stream_set_newline_type (stream, G_DATA_STREAM_NEWLINE_TYPE_LF);
  /* A full list comes in one burst; read it in large pieces. */
  g_buffered_input_stream_set_buffer_size (G_BUFFERED_INPUT_STREAM (stream), 64 * 1024);
  return stream;
}

/* Makes @subprocess (its stdout already wrapped in @stdout_stream) the current run. */
void
ph_scanner_adopt_subprocess (PhScanner        *self,
                             GSubprocess      *subprocess,
                             GDataInputStream *stdout_stream)
{
  gboolean empty;

  self->subprocess = subprocess;
  ph_scanner_set_helper_pid (self, g_subprocess_get_identifier (self->subprocess));
  self->stdout_stream = stdout_stream;
  self->stderr_stream = g_data_input_stream_new (g_subprocess_get_stderr_pipe (self->subprocess));
  g_data_input_stream_set_newline_type (self->stderr_stream, G_DATA_STREAM_NEWLINE_TYPE_LF);
  self->stdin_stream = g_object_ref (g_subprocess_get_stdin_pipe (self->subprocess));

  /* The first list comes already built when there is none yet (at launch). */
  empty = g_list_model_get_n_items (G_LIST_MODEL (self->services)) == 0;
  self->reader = ph_scanner_reader_start (G_INPUT_STREAM (stdout_stream), empty, on_item, self);
  read_next_stderr_line (self);
  g_subprocess_wait_async (self->subprocess, self->cancellable, wait_cb, self);
}

GStrv
ph_scanner_watch_args (PhScanner *self)
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

void
ph_scanner_start_run (PhScanner *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                           G_SUBPROCESS_FLAGS_STDERR_PIPE;
  GSubprocess *subprocess;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  ph_scanner_end_run (self);

  self->cancellable = g_cancellable_new ();
  ph_scanner_set_state (self, PH_SCANNER_STATE_STARTING,
                        self->state == PH_SCANNER_STATE_FAILED ? self->error_message : NULL);

  self->client = ph_helper_client_new (self->elevated, &error);
  if (self->client == NULL)
    {
      ph_scanner_fail (self, error->message);
      return;
    }
  {
    g_autofree char *limitation = ph_helper_client_dup_limitation (self->client);
    g_autofree char *title = ph_helper_client_dup_limitation_title (self->client);

    ph_scanner_set_limitation (self, limitation, title,
                               ph_helper_client_get_override_command (self->client));
  }

  args = ph_scanner_watch_args (self);
  /* Started and read at once when it can be: at launch the helper's first list is read
   * (and built) while the toolkit loads, instead of waiting in its pipe for the first
   * turn of the main loop. Else, or when it failed, the asynchronous way says why. */
  subprocess = ph_helper_client_try_spawn (self->client, (const char * const *) args, flags,
                                           NULL);
  if (subprocess != NULL)
    {
      ph_scanner_adopt_subprocess (self, subprocess, ph_scanner_new_stdout_stream (subprocess));
      return;
    }
  ph_helper_client_spawn_async (self->client, (const char * const *) args, flags,
                                self->cancellable, spawn_cb, self);
}
