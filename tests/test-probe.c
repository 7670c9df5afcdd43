/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-probe.c: the service probe against real servers on 127.0.0.1 and ::1 (what it
 * makes of the bytes alone: test-probe-parse.c) */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ph-probe-private.h"
#include "test-probe-greetings.h"
#include "test-probe-server.h"

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

/* The probe connected once, sent nothing at all, and hung up. */
static void
assert_sent_nothing (TestServer *server)
{
  test_server_wait_eof (server);
  g_assert_cmpuint (server->n_connections, ==, 1);
  g_assert_cmpuint (server->n_eof, ==, 1);
  g_assert_cmpuint (server->received->len, ==, 0);
}

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

/* A greeting ends the probe as soon as it is complete, text or binary, and nothing is
 * sent; every kind of greeting is read in test-probe-parse. */
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
    { "220-mail.test ESMTP\r\n220-more\r\n220 done\r\n", -1, PH_PROBE_KIND_BANNER, "SMTP",
      "Mail server (SMTP): mail.test ESMTP" },
    { mysql_greeting, sizeof mysql_greeting, PH_PROBE_KIND_BANNER, "MySQL", "MySQL server: 8.0.36" },
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
      assert_sent_nothing (server);
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

/* A server that accepts and never answers, with the probe's hints: how long it may take.
 * The quick hints wait 200 ms for a banner and 500 ms for an answer; the defaults bound the
 * whole probe too, 0.4 s for a banner and 2 s for an answer. */
typedef struct
{
  const PhProbeHints *hints;
  gint64              min_ms;
  gint64              max_ms;
} SilentCase;

static const SilentCase silent_quick = { &quick, 650, 1500 };
static const SilentCase silent_default = { NULL, 2300, 4500 };

static void
test_silent (gconstpointer data)
{
  const SilentCase *c = data;
  g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_SILENT, NULL);
  g_autoptr(PhProbeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 elapsed_ms;

  result = probe_full ("127.0.0.1", server->port, c->hints, NULL, &elapsed_ms, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_NONE);
  g_assert_cmpint (ph_probe_result_get_failure (result), ==, PH_PROBE_FAILURE_SILENT);
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==,
                   "Accepts connections but does not answer");
  g_assert_false (ph_probe_result_get_can_open (result));
  g_assert_cmpint (elapsed_ms, >=, c->min_ms);
  g_assert_cmpint (elapsed_ms, <, c->max_ms);
  /* it was asked (nothing said it is not HTTP), once */
  test_server_wait_eof (server);
  g_assert_true (g_str_has_prefix (server->received->str, "GET / HTTP/1.0\r\n"));
  g_assert_cmpuint (server->n_connections, ==, 1);
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

/* Every program of data/probe-rules.ini, as a path, a bare name or a retitled process:
 * it is connected to, and sent nothing. */
static void
test_not_http_program (void)
{
  g_autoptr(GPtrArray) programs = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *rules = ph_probe_rules_get ();

  g_ptr_array_add (programs, g_strdup ("/usr/lib/postgresql/17/bin/postgres"));
  g_ptr_array_add (programs, g_strdup ("postgres: 17/main: checkpointer"));
  g_ptr_array_add (programs, g_strdup ("php-fpm8.2"));
  for (guint i = 0; i < rules->len; i++)
    {
      const PhProbeRule *rule = g_ptr_array_index (rules, i);

      for (guint p = 0; rule->programs != NULL && rule->programs[p] != NULL; p++)
        g_ptr_array_add (programs, g_strdelimit (g_strdup (rule->programs[p]), "*", '1'));
    }
  g_assert_cmpuint (programs->len, >, 20);

  for (guint i = 0; i < programs->len; i++)
    {
      g_autoptr(TestServer) server = test_server_new ("127.0.0.1", MODE_SILENT, NULL);
      PhProbeHints hints = quick;
      g_autoptr(PhProbeResult) result = NULL;

      hints.program = g_ptr_array_index (programs, i);
      hints.banner_timeout_ms = 50;
      result = probe ("127.0.0.1", server->port, &hints);
      g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_SKIPPED);
      g_assert_false (ph_probe_result_get_can_open (result));
      g_assert_cmpstr (ph_probe_result_get_protocol (result), ==,
                       ph_probe_guess_non_http (hints.program, 0));

      {
        PhProbePlan plan;

        /* Kind=no-connect (sshd): not even a connection */
        ph_probe_plan_for (hints.program, 0, &plan);
        if (plan.no_connect)
          {
            g_assert_cmpuint (server->n_connections, ==, 0);
            continue;
          }
      }
      assert_sent_nothing (server);
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
  assert_sent_nothing (server);
}

/* Even a banner from a known non-HTTP program is still reported. */
static void
test_not_http_program_banner (void)
{
  g_autoptr(TestServer) server = NULL;
  g_autoptr(PhProbeResult) result = NULL;
  /* (mysqld itself is not even connected to: Kind=no-connect) */
  PhProbeHints hints = { .program = "postgres" };

  server = test_server_new_at ("127.0.0.1", 0, MODE_BANNER, mysql_greeting,
                               sizeof mysql_greeting);
  result = probe ("127.0.0.1", server->port, &hints);
  g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_BANNER);
  g_assert_cmpstr (ph_probe_result_get_summary (result), ==, "MySQL server: 8.0.36");
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
  g_test_add_func ("/probe/http/keep-alive", test_http_keep_alive);
  g_test_add_func ("/probe/http/large", test_http_large);
  g_test_add_data_func ("/probe/tls/https-ipv4", "127.0.0.1", test_https);
  g_test_add_data_func ("/probe/tls/https-ipv6", "::1", test_https);
  g_test_add_func ("/probe/tls/not-http", test_tls_not_http);
  g_test_add_func ("/probe/tls/plain-request-answered-400", test_tls_dual);
  g_test_add_func ("/probe/banner/kinds", test_banners);
  g_test_add_func ("/probe/banner/ipv6", test_banner_ipv6);
  g_test_add_data_func ("/probe/nothing/silent", &silent_quick, test_silent);
  g_test_add_data_func ("/probe/nothing/silent-default-timeouts", &silent_default, test_silent);
  g_test_add_data_func ("/probe/nothing/refused-ipv4", "127.0.0.1", test_refused);
  g_test_add_data_func ("/probe/nothing/refused-ipv6", "::1", test_refused);
  g_test_add_func ("/probe/nothing/closes-at-once", test_closes_at_once);
  g_test_add_func ("/probe/nothing/connect-timeout", test_connect_timeout);
  g_test_add_func ("/probe/unknown", test_unknown_answer);
  g_test_add_func ("/probe/not-http/program", test_not_http_program);
  g_test_add_func ("/probe/not-http/port-6379", test_not_http_port);
  g_test_add_func ("/probe/not-http/program-with-banner", test_not_http_program_banner);
  g_test_add_func ("/probe/cancel", test_cancel);
  g_test_add_func ("/probe/bad-address", test_bad_address);

  ret = g_test_run ();
  remove_test_certificate ();
  return ret;
}
