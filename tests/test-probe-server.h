/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-probe-server.h: servers for test-probe, on loopback in the test's own process */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

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

/* A throw-away certificate (made with openssl), or NULL when TLS cannot be tested. */
extern GTlsCertificate *test_cert;

void        make_test_certificate   (void);
void        remove_test_certificate (void);

/* NULL (and the test skipped) when the address cannot be bound, e.g. no IPv6. */
TestServer *test_server_new_at      (const char *address,
                                     guint16     port,
                                     Mode        mode,
                                     const void *reply,
                                     gssize      reply_len);
TestServer *test_server_new         (const char *address,
                                     Mode        mode,
                                     const char *reply);
void        test_server_free        (TestServer *server);
/* Lets the server see the probe's close before asserting what it received. */
void        test_server_wait_eof    (TestServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestServer, test_server_free)

G_END_DECLS
