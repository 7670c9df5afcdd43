/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-probe.c: the service probe against real servers on 127.0.0.1 and ::1 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ph-probe.h"

/* ---------------------------------------------------------------------------------------
 * Test servers: GSocketService on loopback, in this process, on the same main context
 * ------------------------------------------------------------------------------------- */

typedef enum
{
  MODE_HTTP,       /* read a request, send the configured response */
  MODE_TLS_HTTP,   /* TLS, then like MODE_HTTP */
  MODE_TLS_CLOSE,  /* TLS, read a request, hang up without a word */
  MODE_DUAL,       /* like nginx: TLS when the client starts with TLS, else a 400 */
  MODE_BANNER,     /* greet with the configured bytes, then only listen */
  MODE_SILENT,     /* accept and listen, never say anything */
  MODE_CLOSE,      /* accept and hang up at once */
} Mode;

typedef struct
{
  GSocketService *service;
  guint16 port;
  Mode mode;
  GBytes *reply;              /* response or banner */
  gboolean keep_open;         /* do not close after the response */
  GTlsCertificate *cert;
  GCancellable *cancellable;
  GPtrArray *conns;
  guint pending;
  guint n_connections;
  guint n_eof;
  guint n_tls_failed;
  GString *received;          /* every byte any client sent */
} TestServer;

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

static GTlsCertificate *test_cert;
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
static TestServer *
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
      g_object_unref (server->service);
      g_object_unref (server->cancellable);
      g_ptr_array_unref (server->conns);
      g_string_free (server->received, TRUE);
      g_clear_object (&server->cert);
      g_clear_pointer (&server->reply, g_bytes_unref);
      g_free (server);
      return NULL;
    }
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_incoming), server);
  g_socket_service_start (server->service);
  return server;
}

static TestServer *
test_server_new (const char *address,
                 Mode        mode,
                 const char *reply)
{
  return test_server_new_at (address, 0, mode, reply, -1);
}

static void
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)

/* Let the server see the probe's close before asserting what it received. */
static void
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
 * Running a probe
 * ------------------------------------------------------------------------------------- */

typedef struct
{
  gboolean done;
  PhProbeResult *result;
  GError *error;
} Wait;

static void
on_probed (GObject      *object,
           GAsyncResult *res,
           gpointer      data)
{
  Wait *wait = data;

  g_assert_null (object);
  wait->result = ph_probe_finish (res, &wait->error);
  wait->done = TRUE;
}

static PhProbeResult *
probe_full (const char          *address,
            guint16              port,
            const PhProbeHints  *hints,
            GCancellable        *cancellable,
            gint64              *elapsed_ms,
            GError             **error)
{
  Wait wait = { 0 };
  gint64 start = g_get_monotonic_time ();

  ph_probe_async (address, port, hints, cancellable, on_probed, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  if (elapsed_ms != NULL)
    *elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("probe %s port %u: %s in %" G_GINT64_FORMAT " ms", address, port,
                  wait.result ? ph_probe_result_get_summary (wait.result) : wait.error->message,
                  (g_get_monotonic_time () - start) / 1000);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.result;
}

static PhProbeResult *
probe (const char         *address,
       guint16             port,
       const PhProbeHints *hints)
{
  g_autoptr(GError) error = NULL;
  PhProbeResult *result = probe_full (address, port, hints, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

/* Quick timeouts so that tests of silence do not take seconds. */
static const PhProbeHints quick = {
  .banner_timeout_ms = 200,
  .read_timeout_ms = 500,
  .connect_timeout_ms = 500,
};

/* ---------------------------------------------------------------------------------------
 * HTTP
 * ------------------------------------------------------------------------------------- */

static const char shop_page[] =
  "HTTP/1.1 200 OK\r\n"
  "Server: TestHTTP/1.0\r\n"
  "Content-Type: text/html; charset=utf-8\r\n"
  "\r\n"
  "<!doctype html>\n<html><head><meta charset=\"utf-8\">\n"
  "<TITLE lang=\"en\">\n  Shop &amp; Co &#8211; caf&eacute;  \xc3\xa9\n</TITLE>"
  "</head><body>hello</body></html>\n";

static void
check_shop_page (PhProbeResult *result,
                 PhProbeKind    kind)
{
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, kind);
  g_assert_cmpint (ph_probe_result_get_failure (result), ==, PH_PROBE_FAILURE_NONE);
  g_assert_cmpuint (ph_probe_result_get_status_code (result), ==, 200);
  g_assert_cmpstr (ph_probe_result_get_reason_phrase (result), ==, "OK");
  g_assert_cmpstr (ph_probe_result_get_server (result), ==, "TestHTTP/1.0");
  g_assert_cmpstr (ph_probe_result_get_title (result), ==, "Shop & Co – caf&eacute; é");
  g_assert_true (ph_probe_result_get_can_open (result));
  g_assert_null (ph_probe_result_get_location (result));
}

static void
test_http (gconstpointer data)
{
  const char *address = data;
  g_autoptr(TestServer) server = test_server_new (address, MODE_HTTP, shop_page);
  g_autoptr(PhProbeResult) result = NULL;
  g_autofree char *host = NULL;

  if (server == NULL)
    return;

  result = probe (address, server->port, NULL);
  check_shop_page (result, PH_PROBE_KIND_HTTP);
  g_assert_cmpstr (ph_probe_result_get_scheme (result), ==, "http");
  g_assert_false (ph_probe_result_get_tls (result));
  g_assert_cmpstr (ph_probe_result_get_protocol (result), ==, "HTTP");
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==, "Web server (HTTP 200 OK)");

  /* one polite request, naming the host the way dev servers accept */
  host = g_strdup_printf ("\r\nHost: localhost:%u\r\n", server->port);
  g_assert_true (g_str_has_prefix (server->received->str, "GET / HTTP/1.0\r\n"));
  g_assert_nonnull (strstr (server->received->str, host));
  g_assert_nonnull (strstr (server->received->str, "\r\nConnection: close\r\n"));
  g_assert_cmpuint (server->n_connections, ==, 1);
}

/* 0.0.0.0 and :: are reached through loopback */
static void
test_http_wildcard (void)
{
  g_autoptr(TestServer) server4 = test_server_new ("127.0.0.1", MODE_HTTP, shop_page);
  g_autoptr(TestServer) server6 = NULL;
  g_autoptr(PhProbeResult) result4 = NULL;
  g_autoptr(PhProbeResult) result6 = NULL;

  result4 = probe ("0.0.0.0", server4->port, NULL);
  check_shop_page (result4, PH_PROBE_KIND_HTTP);

  server6 = test_server_new ("::1", MODE_HTTP, shop_page);
  if (server6 == NULL)
    return;
  result6 = probe ("::", server6->port, NULL);
  check_shop_page (result6, PH_PROBE_KIND_HTTP);
}

static void
test_http_variants (void)
{
  static const struct
  {
    const char *reply;
    guint status;
    const char *reason;
    const char *server;
    const char *title;
    const char *location;
    const char *summary;
  } cases[] = {
    { "HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Length: 0\r\n\r\n",
      302, "Found", NULL, NULL, "/login", "Web server (HTTP 302 Found)" },
    { "HTTP/1.0 404 Not Found\nServer: SimpleHTTP/0.6 Python/3.13.5\n\n"
      "<html><title>Error response</title>",
      404, "Not Found", "SimpleHTTP/0.6 Python/3.13.5", "Error response", NULL,
      "Web server (HTTP 404 Not Found)" },
    { "HTTP/1.1 200\r\nserver:   \r\n\r\n<title></title>",
      200, "", NULL, NULL, NULL, "Web server (HTTP 200)" },
    { "HTTP/1.1 200 OK\r\nServer: evil\x01\x1b[31m red\r\n\r\n<title>a\tb\r\nc</title>",
      200, "OK", "evil [31m red", "a b c", NULL, "Web server (HTTP 200 OK)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_HTTP, cases[i].reply);
      g_autoptr(PhProbeResult) result = probe ("127.0.0.1", server->port, NULL);

      g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_HTTP);
      g_assert_cmpuint (ph_probe_result_get_status_code (result), ==, cases[i].status);
      g_assert_cmpstr (ph_probe_result_get_reason_phrase (result), ==, cases[i].reason);
      g_assert_cmpstr (ph_probe_result_get_server (result), ==, cases[i].server);
      g_assert_cmpstr (ph_probe_result_get_title (result), ==, cases[i].title);
      g_assert_cmpstr (ph_probe_result_get_location (result), ==, cases[i].location);
      g_assert_cmpstr (ph_probe_result_get_summary (result), ==, cases[i].summary);
    }
}

/* A server that ignores "Connection: close" must not cost the whole read timeout. */
static void
test_http_keep_alive (void)
{
  static const char reply[] =
    "HTTP/1.1 200 OK\r\nContent-Length: 36\r\nConnection: keep-alive\r\n\r\n"
    "<html><title>Kept</title></html>\n\n\n\n";
  g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_HTTP, reply);
  g_autoptr(PhProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed_ms;

  server->keep_open = TRUE;
  result = probe_full ("127.0.0.1", server->port, NULL, NULL, &elapsed_ms, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_HTTP);
  g_assert_cmpstr (ph_probe_result_get_title (result), ==, "Kept");
  /* banner wait (400 ms) plus the exchange, not the 2 s read timeout on top */
  g_assert_cmpint (elapsed_ms, <, 1800);
}

/* A large page: only the first few KiB are read. */
static void
test_http_large (void)
{
  g_autoptr(GString) reply = g_string_new ("HTTP/1.1 200 OK\r\nServer: big\r\n\r\n<html>");
  g_autoptr(TestServer) server = NULL;
  g_autoptr(PhProbeResult) result = NULL;

  for (int i = 0; i < 20000; i++)
    g_string_append (reply, "<p>filler</p>\n");
  g_string_append (reply, "<title>Too late</title>");
  server = test_server_new_at ("127.0.0.1", 0, MODE_HTTP, reply->str, reply->len);
  result = probe ("127.0.0.1", server->port, NULL);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_HTTP);
  g_assert_cmpstr (ph_probe_result_get_server (result), ==, "big");
  g_assert_null (ph_probe_result_get_title (result));
}

/* ---------------------------------------------------------------------------------------
 * TLS
 * ------------------------------------------------------------------------------------- */

static gboolean
need_tls (void)
{
  if (test_cert == NULL)
    {
      g_test_skip ("no TLS certificate (openssl or glib-networking missing)");
      return FALSE;
    }
  return TRUE;
}

static void
test_https (gconstpointer data)
{
  const char *address = data;
  g_autoptr(TestServer) server = NULL;
  g_autoptr(PhProbeResult) result = NULL;

  if (!need_tls ())
    return;
  server = test_server_new (address, MODE_TLS_HTTP, shop_page);
  if (server == NULL)
    return;

  result = probe (address, server->port, NULL);
  check_shop_page (result, PH_PROBE_KIND_HTTPS);
  g_assert_cmpstr (ph_probe_result_get_scheme (result), ==, "https");
  g_assert_true (ph_probe_result_get_tls (result));
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==,
                   "Secure web server (HTTPS 200 OK)");
  /* first the plain request, which the TLS server cannot read, then TLS */
  g_assert_cmpuint (server->n_connections, ==, 2);
  g_assert_cmpuint (server->n_tls_failed, ==, 1);
}

static void
test_tls_not_http (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(PhProbeResult) result = NULL;

  if (!need_tls ())
    return;
  server = test_server_new ("127.0.0.1", MODE_TLS_CLOSE, NULL);
  result = probe ("127.0.0.1", server->port, NULL);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_TLS);
  g_assert_true (ph_probe_result_get_tls (result));
  g_assert_false (ph_probe_result_get_can_open (result));
  g_assert_null (ph_probe_result_get_scheme (result));
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==, "Answers with TLS");
}

/* nginx answers a plain request on its TLS port with a 400 that says so. */
static void
test_tls_dual (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(PhProbeResult) result = NULL;

  if (!need_tls ())
    return;
  server = test_server_new ("127.0.0.1", MODE_DUAL, shop_page);
  result = probe ("127.0.0.1", server->port, NULL);
  check_shop_page (result, PH_PROBE_KIND_HTTPS);
  g_assert_cmpuint (server->n_connections, ==, 2);
}

/* ---------------------------------------------------------------------------------------
 * Server-first banners
 * ------------------------------------------------------------------------------------- */

static const guint8 mysql_greeting[] = {
  0x49, 0x00, 0x00, 0x00, 0x0a, '8', '.', '0', '.', '3', '6', 0x00,
  0x08, 0x00, 0x00, 0x00, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0x00,
  0xff, 0xff, 0xff, 0x02, 0x00, 0xff, 0xdf, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't', 0x00,
  'c', 'a', 'c', 'h', 'i', 'n', 'g', '_', 's', 'h', 'a', '2', '_', 'p', 'a', 's', 's',
  'w', 'o', 'r', 'd', 0x00,
};

static const guint8 mariadb_greeting[] = {
  0x23, 0x00, 0x00, 0x00, 0x0a,
  '5', '.', '5', '.', '5', '-', '1', '0', '.', '1', '1', '.', '6', '-',
  'M', 'a', 'r', 'i', 'a', 'D', 'B', 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
};

static const guint8 mysql_refusal[] = {
  0x26, 0x00, 0x00, 0x00, 0xff, 0x6a, 0x04,
  'H', 'o', 's', 't', ' ', 'i', 's', ' ', 'n', 'o', 't', ' ', 'a', 'l', 'l', 'o', 'w', 'e',
  'd', ' ', 't', 'o', ' ', 'c', 'o', 'n', 'n', 'e', 'c', 't', ' ', 'h', 'e', 'r', 'e',
};

static void
test_banners (void)
{
  static const struct
  {
    const void *banner;
    gssize len;
    PhProbeKind kind;
    const char *protocol;
    const char *summary;
  } cases[] = {
    { "SSH-2.0-TestSSH_1.0\r\n", -1, PH_PROBE_KIND_BANNER, "SSH", "SSH server: TestSSH_1.0" },
    { "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", -1, PH_PROBE_KIND_BANNER, "SSH",
      "SSH server: OpenSSH_9.2p1" },
    { "220 test.local ESMTP TestMail ready\r\n", -1, PH_PROBE_KIND_BANNER, "SMTP",
      "Mail server (SMTP): test.local ESMTP TestMail ready" },
    { "220-mail.test ESMTP\r\n220-more\r\n220 done\r\n", -1, PH_PROBE_KIND_BANNER, "SMTP",
      "Mail server (SMTP): mail.test ESMTP" },
    { "220 (vsFTPd 3.0.3)\r\n", -1, PH_PROBE_KIND_BANNER, "FTP",
      "File transfer server (FTP): (vsFTPd 3.0.3)" },
    { "220 ready\r\n", -1, PH_PROBE_KIND_BANNER, NULL, "Greets with “220 ready”" },
    { "220 ProFTPD Server (Debian) [::1]\r\n", -1, PH_PROBE_KIND_BANNER, "FTP",
      "File transfer server (FTP): ProFTPD Server (Debian) [::1]" },
    { "+OK Dovecot ready.\r\n", -1, PH_PROBE_KIND_BANNER, "POP3",
      "Mail server (POP3): Dovecot ready." },
    { "* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n", -1, PH_PROBE_KIND_BANNER, "IMAP",
      "Mail server (IMAP): OK [CAPABILITY IMAP4rev1] Dovecot ready." },
    { "RFB 003.008\n", -1, PH_PROBE_KIND_BANNER, "VNC", "Remote desktop server (VNC)" },
    { "@RSYNCD: 31.0\n", -1, PH_PROBE_KIND_BANNER, "rsync", "File synchronisation server (rsync)" },
    { "hello there, friend\n", -1, PH_PROBE_KIND_BANNER, NULL, "Greets with “hello there, friend”" },
    { mysql_greeting, sizeof mysql_greeting, PH_PROBE_KIND_BANNER, "MySQL", "MySQL server: 8.0.36" },
    { mariadb_greeting, sizeof mariadb_greeting, PH_PROBE_KIND_BANNER, "MariaDB",
      "MariaDB server: 10.11.6-MariaDB" },
    { mysql_refusal, sizeof mysql_refusal, PH_PROBE_KIND_BANNER, "MySQL",
      "MySQL server, which refuses connections from here" },
    { "\x01\x02\x03\x04\x05\x06\x07\x08", 8, PH_PROBE_KIND_UNKNOWN, NULL,
      "Answers with data Porthole does not recognise" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(TestServer) server = NULL;
      g_autoptr(PhProbeResult) result = NULL;
      g_autoptr(GError) error = NULL;
      gint64 elapsed_ms;

      server = test_server_new_at ("127.0.0.1", 0, MODE_BANNER, cases[i].banner, cases[i].len);
      result = probe_full ("127.0.0.1", server->port, NULL, NULL, &elapsed_ms, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ph_probe_result_get_kind (result), ==, cases[i].kind);
      g_assert_cmpstr (ph_probe_result_get_protocol (result), ==, cases[i].protocol);
      g_assert_cmpstr (ph_probe_result_get_summary (result), ==, cases[i].summary);
      g_assert_nonnull (ph_probe_result_get_banner (result));
      g_assert_false (ph_probe_result_get_can_open (result));
      /* a complete greeting ends the probe before the banner timeout */
      if (cases[i].kind == PH_PROBE_KIND_BANNER)
        g_assert_cmpint (elapsed_ms, <, 350);

      /* nothing is ever sent to a server that greets first */
      test_server_wait_eof (server);
      g_assert_cmpuint (server->n_eof, ==, 1);
      g_assert_cmpuint (server->received->len, ==, 0);
    }
}

static void
test_banner_ipv6 (void)
{
  g_autoptr(TestServer) server = test_server_new ("::1", MODE_BANNER, "SSH-2.0-TestSSH_1.0\r\n");
  g_autoptr(PhProbeResult) result = NULL;

  if (server == NULL)
    return;
  result = probe ("::1", server->port, NULL);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_BANNER);
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==, "SSH server: TestSSH_1.0");
  g_assert_cmpstr (ph_probe_result_get_banner (result), ==, "SSH-2.0-TestSSH_1.0");
}

/* ---------------------------------------------------------------------------------------
 * Nothing, or something else
 * ------------------------------------------------------------------------------------- */

static void
test_silent (void)
{
  g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_SILENT, NULL);
  g_autoptr(PhProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed_ms;

  result = probe_full ("127.0.0.1", server->port, &quick, NULL, &elapsed_ms, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_NONE);
  g_assert_cmpint (ph_probe_result_get_failure (result), ==, PH_PROBE_FAILURE_SILENT);
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==,
                   "Accepts connections but does not answer");
  g_assert_false (ph_probe_result_get_can_open (result));
  /* 200 ms banner wait + 500 ms read timeout */
  g_assert_cmpint (elapsed_ms, >=, 650);
  g_assert_cmpint (elapsed_ms, <, 1500);
  /* it was asked (nothing said it is not HTTP), once */
  test_server_wait_eof (server);
  g_assert_true (g_str_has_prefix (server->received->str, "GET / HTTP/1.0\r\n"));
  g_assert_cmpuint (server->n_connections, ==, 1);
}

/* The defaults bound the whole probe too: 0.4 s for a banner, 2 s for an answer. */
static void
test_silent_default_timeouts (void)
{
  g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_SILENT, NULL);
  g_autoptr(PhProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed_ms;

  result = probe_full ("127.0.0.1", server->port, NULL, NULL, &elapsed_ms, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_probe_result_get_failure (result), ==, PH_PROBE_FAILURE_SILENT);
  g_assert_cmpint (elapsed_ms, >=, 2300);
  g_assert_cmpint (elapsed_ms, <, 4500);
}

static guint16
free_port (const char *address)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) wanted = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  wanted = g_inet_socket_address_new_from_string (address, 0);
  socket = g_socket_new (g_socket_address_get_family (wanted), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, wanted, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  /* closed when the socket goes: nothing listens on that port now */
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_refused (gconstpointer data)
{
  const char *address = data;
  g_autoptr(PhProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed_ms;
  guint16 port;

  if (g_strcmp0 (address, "::1") == 0)
    {
      g_autoptr(TestServer) probe_v6 = test_server_new ("::1", MODE_SILENT, NULL);

      if (probe_v6 == NULL)
        return;
    }
  port = free_port (address);
  result = probe_full (address, port, NULL, NULL, &elapsed_ms, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_NONE);
  g_assert_cmpint (ph_probe_result_get_failure (result), ==, PH_PROBE_FAILURE_REFUSED);
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==,
                   "Nothing answers: the connection was refused");
  g_assert_cmpint (elapsed_ms, <, 1000);
}

static void
test_closes_at_once (void)
{
  g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_CLOSE, NULL);
  g_autoptr(PhProbeResult) result = probe ("127.0.0.1", server->port, &quick);

  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_NONE);
  g_assert_cmpint (ph_probe_result_get_failure (result), ==, PH_PROBE_FAILURE_CLOSED);
  g_assert_cmpuint (server->n_connections, ==, 1);
}

/* A listener whose accept queue is full drops new SYNs: connecting times out. */
static void
test_connect_timeout (void)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocketAddress) wanted = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(PhProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PhProbeHints hints = { .connect_timeout_ms = 300 };
  gint64 elapsed_ms;
  guint16 port;

  listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                           G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  wanted = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_bind (listener, wanted, FALSE, &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (listener, 0);
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  /* fill the queue (never accepted) */
  for (int i = 0; i < 4; i++)
    {
      GSocket *filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL);

      g_socket_set_blocking (filler, FALSE);
      g_socket_connect (filler, bound, NULL, NULL);
      g_ptr_array_add (fillers, filler);
    }
  g_usleep (50 * 1000);

  result = probe_full ("127.0.0.1", port, &hints, NULL, &elapsed_ms, &error);
  g_assert_no_error (error);
  if (ph_probe_result_get_failure (result) != PH_PROBE_FAILURE_TIMED_OUT)
    {
      g_test_skip ("this kernel accepted a connection beyond a full backlog");
      return;
    }
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_NONE);
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==,
                   "Nothing answers: the connection timed out");
  g_assert_cmpint (elapsed_ms, >=, 290);
  g_assert_cmpint (elapsed_ms, <, 1200);
}

static void
test_unknown_answer (void)
{
  static const struct
  {
    const char *reply;
    const char *banner;
  } cases[] = {
    { "-ERR unknown command 'GET'\r\n", "-ERR unknown command 'GET'" },
    { "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11",
      "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f …" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gssize len = i == 1 ? 18 : -1;
      g_autoptr(TestServer) server = test_server_new_at ("127.0.0.1", 0, MODE_HTTP,
                                                          cases[i].reply, len);
      g_autoptr(PhProbeResult) result = probe ("127.0.0.1", server->port, &quick);

      g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_UNKNOWN);
      g_assert_cmpstr (ph_probe_result_get_banner (result), ==, cases[i].banner);
      g_assert_false (ph_probe_result_get_can_open (result));
    }
}

/* ---------------------------------------------------------------------------------------
 * Never send HTTP to what is known not to speak it
 * ------------------------------------------------------------------------------------- */

static void
test_not_http_program (void)
{
  const char *programs[] = { "redis-server", "/usr/lib/postgresql/17/bin/postgres",
                             "postgres: 17/main: checkpointer", "mongod", "php-fpm8.2" };

  for (gsize i = 0; i < G_N_ELEMENTS (programs); i++)
    {
      g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_SILENT, NULL);
      PhProbeHints hints = quick;
      g_autoptr(PhProbeResult) result = NULL;

      hints.program = programs[i];
      result = probe ("127.0.0.1", server->port, &hints);
      g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_SKIPPED);
      g_assert_false (ph_probe_result_get_can_open (result));
      g_assert_nonnull (ph_probe_result_get_protocol (result));

      test_server_wait_eof (server);
      g_assert_cmpuint (server->n_connections, ==, 1);
      g_assert_cmpuint (server->n_eof, ==, 1);
      g_assert_cmpuint (server->received->len, ==, 0);
    }
}

static void
test_not_http_port (void)
{
  g_autoptr(TestServer) server = test_server_new_at ("127.0.0.1", 6379, MODE_SILENT, NULL, 0);
  g_autoptr(PhProbeResult) result = NULL;

  if (server == NULL)
    return;
  result = probe ("127.0.0.1", 6379, &quick);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_SKIPPED);
  g_assert_cmpstr (ph_probe_result_get_protocol (result), ==, "Redis");
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==,
                   "Accepts connections; probably Redis, so nothing was sent");
  test_server_wait_eof (server);
  g_assert_cmpuint (server->n_connections, ==, 1);
  g_assert_cmpuint (server->received->len, ==, 0);
}

/* Even a banner from a known non-HTTP program is still reported. */
static void
test_not_http_program_banner (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(PhProbeResult) result = NULL;
  PhProbeHints hints = { .program = "mysqld" };

  server = test_server_new_at ("127.0.0.1", 0, MODE_BANNER, mysql_greeting,
                               sizeof mysql_greeting);
  result = probe ("127.0.0.1", server->port, &hints);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_BANNER);
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==, "MySQL server: 8.0.36");
}

static void
test_guess_non_http (void)
{
  g_assert_cmpstr (ph_probe_guess_non_http ("redis-server", 0), ==, "Redis");
  g_assert_cmpstr (ph_probe_guess_non_http ("/usr/bin/redis-server", 8080), ==, "Redis");
  g_assert_cmpstr (ph_probe_guess_non_http ("postgres: 17/main: walwriter", 1), ==,
                   "PostgreSQL");
  g_assert_cmpstr (ph_probe_guess_non_http ("php-fpm8.4", 9000), ==, "PHP-FPM (FastCGI)");
  g_assert_cmpstr (ph_probe_guess_non_http (NULL, 5432), ==, "PostgreSQL");
  g_assert_cmpstr (ph_probe_guess_non_http ("", 27017), ==, "MongoDB");
  g_assert_cmpstr (ph_probe_guess_non_http (NULL, 11211), ==, "memcached");
  g_assert_cmpstr (ph_probe_guess_non_http (NULL, 6001), ==, "the X window system");
  g_assert_cmpstr (ph_probe_guess_non_http (NULL, 993), ==, "IMAP over TLS");
  g_assert_null (ph_probe_guess_non_http ("node", 3000));
  g_assert_null (ph_probe_guess_non_http (NULL, 443));
  g_assert_null (ph_probe_guess_non_http (NULL, 8080));
  g_assert_null (ph_probe_guess_non_http ("redis-server-helper-not", 8080));
}

/* ---------------------------------------------------------------------------------------
 * Cancellation and bad input
 * ------------------------------------------------------------------------------------- */

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_SILENT, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PhProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed_ms;

  g_timeout_add_once (100, (GSourceOnceFunc) cancel_later, cancellable);
  result = probe_full ("127.0.0.1", server->port, NULL, cancellable, &elapsed_ms, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_assert_cmpint (elapsed_ms, <, 1000);

  /* already cancelled before it starts */
  g_clear_error (&error);
  result = probe_full ("127.0.0.1", server->port, NULL, cancellable, &elapsed_ms, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
}

static void
test_bad_address (void)
{
  g_autoptr(PhProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = probe_full ("not an address", 80, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_null (result);
}

static void
test_sanitize (void)
{
  static const struct
  {
    const char *in;
    gssize len;
    gsize max;
    const char *out;
  } cases[] = {
    { "plain", -1, 100, "plain" },
    { "  lead and trail \r\n", -1, 100, "lead and trail" },
    { "a\r\n\tb\x1b[0mc", -1, 100, "a b [0mc" },
    { "nul\0inside", 10, 100, "nul inside" },
    { "bad \xff\xfe bytes", -1, 100, "bad \xef\xbf\xbd\xef\xbf\xbd bytes" },
    { "0123456789", -1, 4, "0123…" },
    { "caf\xc3\xa9 ok", -1, 100, "café ok" },
    { "", 0, 100, "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = cases[i].len < 0 ? strlen (cases[i].in) : (gsize) cases[i].len;
      g_autofree char *out = ph_probe_sanitize_text ((const guint8 *) cases[i].in, len,
                                                     cases[i].max);

      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_true (g_utf8_validate (out, -1, NULL));
    }
}

/* ---------------------------------------------------------------------------------------
 * Setup: a throw-away certificate made with openssl
 * ------------------------------------------------------------------------------------- */

static void
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

static void
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

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  make_test_certificate ();

  g_test_add_data_func ("/probe/http/ipv4", "127.0.0.1", test_http);
  g_test_add_data_func ("/probe/http/ipv6", "::1", test_http);
  g_test_add_func ("/probe/http/wildcard", test_http_wildcard);
  g_test_add_func ("/probe/http/variants", test_http_variants);
  g_test_add_func ("/probe/http/keep-alive", test_http_keep_alive);
  g_test_add_func ("/probe/http/large", test_http_large);
  g_test_add_data_func ("/probe/tls/https-ipv4", "127.0.0.1", test_https);
  g_test_add_data_func ("/probe/tls/https-ipv6", "::1", test_https);
  g_test_add_func ("/probe/tls/not-http", test_tls_not_http);
  g_test_add_func ("/probe/tls/plain-request-answered-400", test_tls_dual);
  g_test_add_func ("/probe/banner/kinds", test_banners);
  g_test_add_func ("/probe/banner/ipv6", test_banner_ipv6);
  g_test_add_func ("/probe/nothing/silent", test_silent);
  g_test_add_func ("/probe/nothing/silent-default-timeouts", test_silent_default_timeouts);
  g_test_add_data_func ("/probe/nothing/refused-ipv4", "127.0.0.1", test_refused);
  g_test_add_data_func ("/probe/nothing/refused-ipv6", "::1", test_refused);
  g_test_add_func ("/probe/nothing/closes-at-once", test_closes_at_once);
  g_test_add_func ("/probe/nothing/connect-timeout", test_connect_timeout);
  g_test_add_func ("/probe/unknown", test_unknown_answer);
  g_test_add_func ("/probe/not-http/program", test_not_http_program);
  g_test_add_func ("/probe/not-http/port-6379", test_not_http_port);
  g_test_add_func ("/probe/not-http/program-with-banner", test_not_http_program_banner);
  g_test_add_func ("/probe/not-http/guess", test_guess_non_http);
  g_test_add_func ("/probe/cancel", test_cancel);
  g_test_add_func ("/probe/bad-address", test_bad_address);
  g_test_add_func ("/probe/sanitize", test_sanitize);

  ret = g_test_run ();
  remove_test_certificate ();
  return ret;
}
