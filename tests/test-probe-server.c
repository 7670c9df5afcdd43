/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-probe-server.c: servers for test-probe: GSocketService on loopback, in the test's
 * process and main context, that answer as HTTP, TLS and greeting servers do */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "test-probe-server.h"



typedef struct
{
  TestServer *server;
  GIOStream *stream;
  GSocketConnection *socket_conn;
  gboolean tls;
  gboolean answered;
  gboolean closed;
  char buf[4096];
  GString *request;
} Conn;

GTlsCertificate *test_cert;
static char *cert_dir;

static void
conn_free (gpointer data)
{
  Conn *conn = data;

  g_clear_object (&conn->stream);
  g_clear_object (&conn->socket_conn);
  g_string_free (conn->request, TRUE);
  g_free (conn);
}

static void conn_read (Conn *conn);

static void
on_conn_closed (GObject      *object,
                GAsyncResult *res,
                gpointer      data)
{
  Conn *conn = data;

  g_io_stream_close_finish (G_IO_STREAM (object), res, NULL);
  conn->server->pending--;
}

static void
conn_close (Conn *conn)
{
  if (conn->closed)
    return;
  conn->closed = TRUE;
  conn->server->pending++;
  g_io_stream_close_async (conn->stream, G_PRIORITY_DEFAULT, NULL, on_conn_closed, conn);
}

static void
on_reply_written (GObject      *object,
                  GAsyncResult *res,
                  gpointer      data)
{
  Conn *conn = data;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, NULL);

  conn->server->pending--;
  if (!ok)
    return;
  if (conn->server->mode == MODE_BANNER)
    conn_read (conn);
  else if (!conn->server->keep_open)
    conn_close (conn);
}

static void
conn_write (Conn       *conn,
            const void *data,
            gsize       len)
{
  conn->server->pending++;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (conn->stream), data, len,
                                   G_PRIORITY_DEFAULT, conn->server->cancellable,
                                   on_reply_written, conn);
}

static void
conn_got_request (Conn *conn)
{
  static const char plain_to_tls[] =
    "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\n"
    "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title></head>"
    "</html>";
  TestServer *server = conn->server;

  conn->answered = TRUE;
  if (server->mode == MODE_TLS_CLOSE)
    conn_close (conn);
  else if (server->mode == MODE_DUAL && !conn->tls)
    conn_write (conn, plain_to_tls, strlen (plain_to_tls));
  else if (server->mode == MODE_HTTP || server->mode == MODE_TLS_HTTP || server->mode == MODE_DUAL)
    conn_write (conn, g_bytes_get_data (server->reply, NULL), g_bytes_get_size (server->reply));
}

static void
on_conn_read (GObject      *object,
              GAsyncResult *res,
              gpointer      data)
{
  Conn *conn = data;
  TestServer *server = conn->server;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), res, NULL);

  server->pending--;
  if (n <= 0)
    {
      server->n_eof++;
      conn_close (conn);
      return;
    }

  g_string_append_len (server->received, conn->buf, n);
  g_string_append_len (conn->request, conn->buf, n);
  if (!conn->answered && strstr (conn->request->str, "\r\n\r\n") != NULL)
    conn_got_request (conn);
  if (!conn->closed)
    conn_read (conn);
}

static void
conn_read (Conn *conn)
{
  conn->server->pending++;
  g_input_stream_read_async (g_io_stream_get_input_stream (conn->stream), conn->buf,
                             sizeof conn->buf, G_PRIORITY_DEFAULT, conn->server->cancellable,
                             on_conn_read, conn);
}

static void
on_server_handshake (GObject      *object,
                     GAsyncResult *res,
                     gpointer      data)
{
  Conn *conn = data;

  conn->server->pending--;
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), res, NULL))
    {
      conn->server->n_tls_failed++;
      conn_close (conn);
      return;
    }
  conn_read (conn);
}

static void
conn_start_tls (Conn *conn)
{
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  tls = g_tls_server_connection_new (conn->stream, conn->server->cert, &error);
  g_assert_no_error (error);
  g_set_object (&conn->stream, tls);
  g_object_unref (tls);
  conn->tls = TRUE;
  conn->server->pending++;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    conn->server->cancellable, on_server_handshake, conn);
}

static gboolean
on_dual_readable (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      data)
{
  Conn *conn = data;
  guint8 first = 0;
  GInputVector vec = { &first, 1 };
  int flags = G_SOCKET_MSG_PEEK;
  gssize n;

  conn->server->pending--;
  n = g_socket_receive_message (socket, NULL, &vec, 1, NULL, NULL, &flags, NULL, NULL);
  if (n == 1 && first == 0x16)
    conn_start_tls (conn);
  else
    conn_read (conn);
  return G_SOURCE_REMOVE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           data)
{
  TestServer *server = data;
  Conn *conn = g_new0 (Conn, 1);

  conn->server = server;
  conn->socket_conn = g_object_ref (connection);
  conn->stream = g_object_ref (G_IO_STREAM (connection));
  conn->request = g_string_new (NULL);
  g_ptr_array_add (server->conns, conn);
  server->n_connections++;

  switch (server->mode)
    {
    case MODE_HTTP:
    case MODE_SILENT:
      conn_read (conn);
      break;
    case MODE_TLS_HTTP:
    case MODE_TLS_CLOSE:
      conn_start_tls (conn);
      break;
    case MODE_DUAL:
      {
        g_autoptr(GSource) source = NULL;

        source = g_socket_create_source (g_socket_connection_get_socket (connection),
                                         G_IO_IN, server->cancellable);
        g_source_set_callback (source, G_SOURCE_FUNC (on_dual_readable), conn, NULL);
        g_source_attach (source, NULL);
        server->pending++;
      }
      break;
    case MODE_BANNER:
      conn_write (conn, g_bytes_get_data (server->reply, NULL), g_bytes_get_size (server->reply));
      break;
    case MODE_CLOSE:
      conn_close (conn);
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

/* NULL (and the test skipped) when the address cannot be bound, e.g. no IPv6. */
TestServer *
test_server_new_at (const char *address,
                    guint16     port,
                    Mode        mode,
                    const void *reply,
                    gssize      reply_len)
{
  g_autoptr(GSocketAddress) wanted = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  TestServer *server;

  server = g_new0 (TestServer, 1);
  server->mode = mode;
  server->service = g_socket_service_new ();
  server->cancellable = g_cancellable_new ();
  server->conns = g_ptr_array_new_with_free_func (conn_free);
  server->received = g_string_new (NULL);
  server->cert = test_cert ? g_object_ref (test_cert) : NULL;
  if (reply != NULL)
    server->reply = g_bytes_new (reply, reply_len < 0 ? strlen (reply) : (gsize) reply_len);

  wanted = g_inet_socket_address_new_from_string (address, port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), wanted,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &error))
    {
      g_autofree char *message = g_strdup_printf ("cannot listen on %s port %u: %s",
                                                  address, port, error->message);

      g_test_skip (message);
      test_server_free (server);
      return NULL;
    }
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_incoming), server);
  g_socket_service_start (server->service);
  return server;
}

TestServer *
test_server_new (const char *address,
                 Mode        mode,
                 const char *reply)
{
  return test_server_new_at (address, 0, mode, reply, -1);
}

void
test_server_free (TestServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_cancellable_cancel (server->cancellable);
  for (guint i = 0; i < server->conns->len; i++)
    conn_close (g_ptr_array_index (server->conns, i));
  while (server->pending > 0)
    g_main_context_iteration (NULL, TRUE);

  g_object_unref (server->service);
  g_object_unref (server->cancellable);
  g_ptr_array_unref (server->conns);
  g_string_free (server->received, TRUE);
  g_clear_object (&server->cert);
  g_clear_pointer (&server->reply, g_bytes_unref);
  g_free (server);
}

/* Let the server see the probe's close before asserting what it received. */
void
test_server_wait_eof (TestServer *server)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

  while (server->n_eof < server->n_connections && g_get_monotonic_time () < until)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

/* ---------------------------------------------------------------------------------------
 * Setup: a throw-away certificate made with openssl
 * ------------------------------------------------------------------------------------- */

void
make_test_certificate (void)
{
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return;

  cert_dir = g_dir_make_tmp ("porthole-probe-XXXXXX", &error);
  g_assert_no_error (error);
  cert_path = g_build_filename (cert_dir, "cert.pem", NULL);
  key_path = g_build_filename (cert_dir, "key.pem", NULL);

  {
    const char *argv[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-subj", "/CN=localhost", "-days", "1",
                           "-keyout", key_path, "-out", cert_path, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL,
                       G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                       | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, &error)
        || !g_spawn_check_wait_status (status, NULL))
      return;
  }

  test_cert = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
}

void
remove_test_certificate (void)
{
  g_clear_object (&test_cert);
  if (cert_dir != NULL)
    {
      g_autofree char *cert_path = g_build_filename (cert_dir, "cert.pem", NULL);
      g_autofree char *key_path = g_build_filename (cert_dir, "key.pem", NULL);

      g_remove (cert_path);
      g_remove (key_path);
      g_rmdir (cert_dir);
      g_clear_pointer (&cert_dir, g_free);
    }
}
