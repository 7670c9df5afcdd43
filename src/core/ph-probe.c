/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe.c: find out what answers on a TCP port, politely and without hanging */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-address.h"
#include "ph-probe-private.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 1500
#define DEFAULT_BANNER_TIMEOUT_MS 400
#define DEFAULT_READ_TIMEOUT_MS 2000
#define CLOSE_TIMEOUT_MS 500

/* ---------------------------------------------------------------------------------------
 * The probe itself: one GTask, one step at a time, every step under a deadline.
 * ------------------------------------------------------------------------------------- */

typedef enum
{
  STEP_CONNECT,
  STEP_HANDSHAKE,
  STEP_BANNER,
  STEP_HTTP,
  STEP_CLOSE,
} Step;

typedef struct
{
  GSocketConnectable *target;
  char *host;             /* for the Host header and the TLS server name */
  guint16 port;

  const char *service;    /* a service known not to speak HTTP, or NULL */
  gboolean send_nothing;  /* the program says: not HTTP, not even TLS */
  gboolean plain_http;    /* an HTTP request may be sent in plain text */
  gboolean tls_first;     /* greet with TLS before anything else */
  gboolean tls_http;      /* an HTTP request may be sent inside TLS */
  gboolean can_tls;

  guint connect_ms;
  guint banner_ms;
  guint read_ms;

  GSocketClient *client;
  GIOStream *stream;
  gboolean in_tls;
  gboolean tls_tried;

  Step step;
  GCancellable *step_cancellable;
  GSource *deadline;
  gboolean timed_out;
  GCancellable *cancellable;  /* the caller's */
  gulong cancelled_id;

  GByteArray *buf;
  char *request;
  guint8 chunk[PH_PROBE_READ_LIMIT];

  PhProbeResult *result;  /* the best answer so far (a TLS attempt may improve it) */
} Probe;

static void
probe_end_step (Probe *probe)
{
  if (probe->deadline != NULL)
    {
      g_source_destroy (probe->deadline);
      g_clear_pointer (&probe->deadline, g_source_unref);
    }
}

static void
probe_free (gpointer data)
{
  Probe *probe = data;

  probe_end_step (probe);
  if (probe->cancelled_id != 0)
    g_cancellable_disconnect (probe->cancellable, probe->cancelled_id);
  g_clear_object (&probe->cancellable);
  g_clear_object (&probe->step_cancellable);
  g_clear_object (&probe->target);
  g_clear_object (&probe->client);
  g_clear_object (&probe->stream);
  g_clear_object (&probe->result);
  g_clear_pointer (&probe->host, g_free);
  g_clear_pointer (&probe->request, g_free);
  g_clear_pointer (&probe->buf, g_byte_array_unref);
  g_free (probe);
}

static gboolean
on_deadline (gpointer data)
{
  Probe *probe = data;

  probe->timed_out = TRUE;
  g_cancellable_cancel (probe->step_cancellable);
  g_clear_pointer (&probe->deadline, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  Probe *probe = data;

  if (probe->step_cancellable != NULL)
    g_cancellable_cancel (probe->step_cancellable);
}

static void
probe_begin_step (GTask *task,
                  Step   step,
                  guint  timeout_ms)
{
  Probe *probe = g_task_get_task_data (task);

  probe_end_step (probe);
  g_clear_object (&probe->step_cancellable);
  probe->step = step;
  probe->step_cancellable = g_cancellable_new ();
  probe->timed_out = FALSE;
  if (g_cancellable_is_cancelled (probe->cancellable))
    g_cancellable_cancel (probe->step_cancellable);

  probe->deadline = g_timeout_source_new (timeout_ms);
  g_source_set_static_name (probe->deadline, "[porthole] probe deadline");
  g_source_set_callback (probe->deadline, on_deadline, probe, NULL);
  g_source_attach (probe->deadline, g_task_get_context (task));
}

/* TRUE when the caller cancelled: the task has been completed with the error. */
static gboolean
probe_return_if_cancelled (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  if (!g_cancellable_is_cancelled (probe->cancellable))
    return FALSE;
  probe_end_step (probe);
  g_task_return_new_error_literal (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The probe was cancelled"));
  return TRUE;
}

static void
probe_set_result (Probe         *probe,
                  PhProbeResult *result)
{
  g_clear_object (&probe->result);
  probe->result = result;
}

static void
on_closed (GObject      *object,
           GAsyncResult *res,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);

  /* a failed close changes nothing about what answered */
  g_io_stream_close_finish (G_IO_STREAM (object), res, NULL);
  probe_end_step (probe);
  g_clear_object (&probe->stream);
  if (probe_return_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&probe->result), g_object_unref);
}

static void
probe_finish_with (GTask         *task,
                   PhProbeResult *result)
{
  Probe *probe = g_task_get_task_data (task);

  if (result != NULL)
    probe_set_result (probe, result);
  g_assert (probe->result != NULL);

  if (probe->stream == NULL)
    {
      probe_end_step (probe);
      g_task_return_pointer (task, g_steal_pointer (&probe->result), g_object_unref);
      return;
    }

  /* A TLS close sends close_notify; do it off the main thread's back, under a deadline. */
  probe_begin_step (task, STEP_CLOSE, CLOSE_TIMEOUT_MS);
  g_io_stream_close_async (probe->stream, G_PRIORITY_DEFAULT, probe->step_cancellable,
                           on_closed, g_object_ref (task));
}

static void probe_connect (GTask *task);
static void probe_start_tls (GTask *task);
static void probe_wait_for_banner (GTask *task);

static void
probe_drop_stream (Probe *probe)
{
  /* A plain socket, or TLS whose handshake failed: nothing is left to send, so the
   * close does not block. */
  if (probe->stream != NULL)
    g_io_stream_close (probe->stream, NULL, NULL);
  g_clear_object (&probe->stream);
}

static void
probe_retry_with_tls (GTask         *task,
                      PhProbeResult *fallback)
{
  Probe *probe = g_task_get_task_data (task);

  probe_set_result (probe, fallback);
  probe->tls_tried = TRUE;
  probe->tls_first = TRUE;
  probe_drop_stream (probe);
  probe_connect (task);
}

static void
probe_read (GTask *task);

static void
probe_http_done (GTask    *task,
                 gboolean  timed_out)
{
  Probe *probe = g_task_get_task_data (task);
  const guint8 *data = probe->buf->data;
  gsize len = probe->buf->len;
  gboolean may_try_tls = probe->can_tls && !probe->tls_tried && !probe->in_tls;
  PhProbeResult *http;

  probe_end_step (probe);

  http = ph_probe_parse_http (data, len, probe->in_tls);
  if (http != NULL)
    {
      if (may_try_tls && ph_probe_http_says_use_tls (http, data, len))
        probe_retry_with_tls (task, http);
      else
        probe_finish_with (task, http);
      return;
    }

  if (probe->in_tls)
    {
      PhProbeResult *tls = ph_probe_result_new_tls (probe->service);

      if (len > 0)
        tls->banner = ph_probe_looks_like_text (data, len) ? ph_probe_sanitize_text (data, len, PH_PROBE_TEXT_LIMIT)
                                                  : ph_probe_hex_preview (data, len);
      probe_finish_with (task, tls);
      return;
    }

  if (len > 0)
    {
      if (may_try_tls && ph_probe_looks_like_tls_record (data, len))
        probe_retry_with_tls (task, ph_probe_result_new_unknown (data, len));
      else
        probe_finish_with (task, ph_probe_result_new_unknown (data, len));
      return;
    }

  if (timed_out)
    probe_finish_with (task, ph_probe_result_new_nothing (PH_PROBE_FAILURE_SILENT, NULL));
  else if (may_try_tls)
    /* a TLS server hangs up on a plain request without a word */
    probe_retry_with_tls (task, ph_probe_result_new_nothing (PH_PROBE_FAILURE_CLOSED, NULL));
  else
    probe_finish_with (task, ph_probe_result_new_nothing (PH_PROBE_FAILURE_CLOSED, NULL));
}

static void
probe_no_banner (GTask *task);

static void
probe_banner_done (GTask    *task,
                   gboolean  timed_out)
{
  Probe *probe = g_task_get_task_data (task);

  probe_end_step (probe);

  if (probe->buf->len > 0)
    {
      probe_finish_with (task, ph_probe_classify_banner (probe->buf->data, probe->buf->len,
                                                probe->port, probe->in_tls));
      return;
    }

  if (timed_out)
    {
      probe_no_banner (task);
      return;
    }

  /* closed without a word */
  if (probe->in_tls)
    probe_finish_with (task, ph_probe_result_new_tls (probe->service));
  else
    probe_finish_with (task, ph_probe_result_new_nothing (PH_PROBE_FAILURE_CLOSED, NULL));
}

static void
on_read (GObject      *object,
         GAsyncResult *res,
         gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;
  gboolean done = FALSE;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), res, &error);

  if (probe_return_if_cancelled (task))
    return;

  if (n > 0)
    {
      g_byte_array_append (probe->buf, probe->chunk, n);
      if (probe->buf->len >= PH_PROBE_READ_LIMIT)
        done = TRUE;
      else if (probe->step == STEP_BANNER)
        done = ph_probe_banner_complete (probe->buf->data, probe->buf->len);
      else
        done = ph_probe_http_response_complete (probe->buf->data, probe->buf->len);

      if (!done)
        {
          probe_read (task);
          return;
        }
    }

  /* n == 0: end of stream; an error other than our deadline: reset or a TLS failure,
   * which for this purpose is the server hanging up */
  if (probe->step == STEP_BANNER)
    probe_banner_done (task, n < 0 && probe->timed_out);
  else
    probe_http_done (task, n < 0 && probe->timed_out);
}

static void
probe_read (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  GInputStream *input = g_io_stream_get_input_stream (probe->stream);

  g_input_stream_read_async (input, probe->chunk, PH_PROBE_READ_LIMIT - probe->buf->len,
                             G_PRIORITY_DEFAULT, probe->step_cancellable,
                             on_read, g_object_ref (task));
}

static void
probe_wait_for_banner (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  g_byte_array_set_size (probe->buf, 0);
  probe_begin_step (task, STEP_BANNER, probe->banner_ms);
  probe_read (task);
}

static void
on_request_written (GObject      *object,
                    GAsyncResult *res,
                    gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);

  if (probe_return_if_cancelled (task))
    return;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, NULL))
    {
      /* the server hung up before it heard the request */
      probe_http_done (task, probe->timed_out);
      return;
    }
  probe_read (task);
}

static void
probe_send_http (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  GOutputStream *output = g_io_stream_get_output_stream (probe->stream);

  g_byte_array_set_size (probe->buf, 0);
  probe_begin_step (task, STEP_HTTP, probe->read_ms);
  g_output_stream_write_all_async (output, probe->request, strlen (probe->request),
                                   G_PRIORITY_DEFAULT, probe->step_cancellable,
                                   on_request_written, g_object_ref (task));
}

static void
probe_no_banner (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  if (probe->in_tls)
    {
      if (probe->tls_http)
        probe_send_http (task);
      else
        probe_finish_with (task, ph_probe_result_new_tls (probe->service));
      return;
    }

  if (probe->plain_http)
    probe_send_http (task);
  else
    probe_finish_with (task, ph_probe_result_new_skipped (probe->service));
}

static gboolean
on_accept_certificate (GTlsConnection       *conn,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              data)
{
  /* Nothing secret is sent; the point is only to learn that the port speaks TLS. */
  return TRUE;
}

/* The TLS handshake failed (or timed out). When TLS came first (a TLS port), fall back to
 * plain text on a new connection: dropping the TLS wrapper closes its socket, and nothing
 * is written, since the handshake never completed. Otherwise the probe is over. */
static void
probe_tls_failed (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  if (probe->result == NULL)
    {
      g_clear_object (&probe->stream);
      probe->tls_first = FALSE;
      probe_connect (task);
      return;
    }
  probe_drop_stream (probe);
  probe_finish_with (task, NULL);
}

static void
on_handshake (GObject      *object,
              GAsyncResult *res,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), res, &error);

  if (probe_return_if_cancelled (task))
    return;
  probe_end_step (probe);

  if (ok)
    {
      probe->in_tls = TRUE;
      probe_wait_for_banner (task);
      return;
    }
  probe_tls_failed (task);
}

/* Making the first TLS connection of a process loads the TLS backend's certificate
 * database (hundreds of milliseconds for the system's CA bundle): done in a worker thread,
 * so that the window keeps drawing. The probe never touches the stream meanwhile. */
typedef struct
{
  GIOStream *base;
  GSocketConnectable *identity;
} TlsNew;

static void
tls_new_free (gpointer data)
{
  TlsNew *n = data;

  g_clear_object (&n->base);
  g_clear_object (&n->identity);
  g_free (n);
}

static void
tls_new_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  TlsNew *n = data;
  GError *error = NULL;
  GIOStream *tls = g_tls_client_connection_new (n->base, n->identity, &error);

  if (tls == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tls, g_object_unref);
}

static void
on_tls_created (GObject      *object,
                GAsyncResult *res,
                gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  tls = g_task_propagate_pointer (G_TASK (res), &error);

  if (probe_return_if_cancelled (task))
    return;
  if (tls == NULL)
    {
      if (probe->result == NULL)
        probe_set_result (probe, ph_probe_result_new_nothing (PH_PROBE_FAILURE_UNREACHABLE, error));
      probe_finish_with (task, NULL);
      return;
    }
  if (probe->timed_out)
    {
      /* as a handshake that timed out (on_handshake) */
      probe_tls_failed (task);
      return;
    }

  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
  if (probe->tls_http)
    {
      const char *alpn[] = { "http/1.1", NULL };

      g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), alpn);
    }

  g_set_object (&probe->stream, tls);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    probe->step_cancellable, on_handshake,
                                    g_object_ref (task));
}

static void
probe_start_tls (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GTask) make = NULL;
  TlsNew *n = g_new0 (TlsNew, 1);

  probe->tls_tried = TRUE;
  if (probe->host[0] == '[')
    {
      g_autofree char *bare = g_strndup (probe->host + 1, strlen (probe->host) - 2);

      n->identity = g_network_address_new (bare, probe->port);
    }
  else
    n->identity = g_network_address_new (probe->host, probe->port);
  n->base = g_object_ref (probe->stream);

  /* the deadline covers making the connection and the handshake */
  probe_begin_step (task, STEP_HANDSHAKE, probe->connect_ms);
  make = g_task_new (NULL, NULL, on_tls_created, g_object_ref (task));
  g_task_set_static_name (make, "[porthole] probe TLS connection");
  g_task_set_task_data (make, n, tls_new_free);
  g_task_run_in_thread (make, tls_new_thread);
}

static void
on_connected (GObject      *object,
              GAsyncResult *res,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), res, &error);

  if (probe_return_if_cancelled (task))
    return;
  probe_end_step (probe);

  if (conn == NULL)
    {
      PhProbeFailure failure;

      if (probe->result != NULL)
        {
          /* the first connection answered; this second try for TLS did not */
          probe_finish_with (task, NULL);
          return;
        }

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        failure = PH_PROBE_FAILURE_REFUSED;
      else if (probe->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        failure = PH_PROBE_FAILURE_TIMED_OUT;
      else
        failure = PH_PROBE_FAILURE_UNREACHABLE;
      probe_finish_with (task, ph_probe_result_new_nothing (failure, error));
      return;
    }

  g_set_object (&probe->stream, G_IO_STREAM (conn));
  if (probe->tls_first && probe->can_tls && !probe->send_nothing)
    probe_start_tls (task);
  else
    probe_wait_for_banner (task);
}

static void
probe_connect (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  probe_begin_step (task, STEP_CONNECT, probe->connect_ms);
  g_socket_client_connect_async (probe->client, probe->target, probe->step_cancellable,
                                 on_connected, g_object_ref (task));
}

/* Wildcard addresses are reached through loopback (ph_address_dup_local_target()); loopback
 * goes by "localhost", which dev servers that check the Host header accept. */
static gboolean
probe_set_target (Probe      *probe,
                  const char *address,
                  guint16     port)
{
  g_autofree char *target = ph_address_dup_local_target (address);
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;

  sockaddr = g_inet_socket_address_new_from_string (target, port);
  if (sockaddr == NULL)
    {
      if (address[0] == '\0' || strpbrk (address, " /[]") != NULL)
        return FALSE;
      probe->target = g_network_address_new (address, port);
      probe->host = g_strdup (address);
      return TRUE;
    }

  inet = g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sockaddr)));

  if (g_inet_address_get_is_loopback (inet))
    probe->host = g_strdup ("localhost");
  else if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    {
      g_autofree char *text = g_inet_address_to_string (inet);

      probe->host = g_strdup_printf ("[%s]", text);
    }
  else
    probe->host = g_inet_address_to_string (inet);

  probe->target = G_SOCKET_CONNECTABLE (g_steal_pointer (&sockaddr));
  return TRUE;
}

void
ph_probe_async (const char          *address,
                guint16              port,
                const PhProbeHints  *hints,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Probe *probe;
  PhProbePlan plan;

  g_return_if_fail (address != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ph_probe_async);
  g_task_set_static_name (task, "[porthole] probe");

  probe = g_new0 (Probe, 1);
  g_task_set_task_data (task, probe, probe_free);

  if (!probe_set_target (probe, address, port))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not an address"), address);
      return;
    }

  probe->port = port;
  probe->connect_ms = hints && hints->connect_timeout_ms ? hints->connect_timeout_ms
                                                         : DEFAULT_CONNECT_TIMEOUT_MS;
  probe->banner_ms = hints && hints->banner_timeout_ms ? hints->banner_timeout_ms
                                                       : DEFAULT_BANNER_TIMEOUT_MS;
  probe->read_ms = hints && hints->read_timeout_ms ? hints->read_timeout_ms
                                                   : DEFAULT_READ_TIMEOUT_MS;
  probe->can_tls = g_tls_backend_supports_tls (g_tls_backend_get_default ());

  ph_probe_plan_for (hints ? hints->program : NULL, port, &plan);
  probe->service = plan.service;
  probe->send_nothing = plan.send_nothing;
  probe->plain_http = plan.plain_http;
  probe->tls_first = plan.tls_first;
  probe->tls_http = plan.tls_http;
  probe->tls_tried = plan.tls_tried;
  if (plan.no_connect)
    {
      /* a connection that does not log in would count against this computer */
      g_task_return_pointer (task, ph_probe_result_new_skipped (plan.service), g_object_unref);
      return;
    }

  probe->buf = g_byte_array_sized_new (PH_PROBE_READ_LIMIT);
  probe->request = g_strdup_printf ("GET / HTTP/1.0\r\n"
                                    "Host: %s:%u\r\n"
                                    "User-Agent: Porthole/%s\r\n"
                                    "Accept: text/html, */*;q=0.8\r\n"
                                    "Connection: close\r\n"
                                    "\r\n",
                                    probe->host, port, PACKAGE_VERSION);

  probe->client = g_socket_client_new ();
  /* a proxy from the environment would probe the proxy, not this computer */
  g_socket_client_set_enable_proxy (probe->client, FALSE);

  if (cancellable != NULL)
    {
      probe->cancellable = g_object_ref (cancellable);
      probe->cancelled_id = g_cancellable_connect (cancellable,
                                                   G_CALLBACK (on_caller_cancelled),
                                                   probe, NULL);
    }

  probe_connect (task);
}

PhProbeResult *
ph_probe_finish (GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ph_probe_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
