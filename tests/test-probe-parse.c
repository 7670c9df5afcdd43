/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-probe-parse.c: the probe's pure parts: its rules (data/probe-rules.ini), text
 * cleaning, and reading greetings and HTTP answers from bytes */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-core-resources.h"
#include "ph-probe-private.h"
#include "test-probe-greetings.h"

/* Every translatable string of data/probe-rules.ini, as xgettext sees them. */
static const char * const i18n_strings[] = {
#include "probe-rules.i18n.h"
};

/* ---------------------------------------------------------------------------------------
 * Rules
 * ------------------------------------------------------------------------------------- */

static GPtrArray *
parse_compiled_rules (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *rules;

  bytes = g_resource_lookup_data (ph_core_get_resource (),
                                  "/io/github/porthole/Porthole/core/probe-rules.ini",
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  rules = ph_probe_rules_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                &error);
  g_assert_no_error (error);
  g_assert_nonnull (rules);
  return rules;
}

/* Every entry parses, and the translations see every Service as it is written. */
static void
test_rules_parse (void)
{
  g_autoptr(GPtrArray) rules = parse_compiled_rules ();
  g_autoptr(GHashTable) msgids = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_services = 0;

  g_assert_cmpuint (rules->len, >=, 40);
  g_assert_cmpuint (ph_probe_rules_get ()->len, ==, rules->len);

  for (guint i = 0; i < G_N_ELEMENTS (i18n_strings); i++)
    g_hash_table_add (msgids, (gpointer) i18n_strings[i]);

  for (guint i = 0; i < rules->len; i++)
    {
      const PhProbeRule *rule = g_ptr_array_index (rules, i);

      g_assert_true (rule->ports->len > 0 || rule->programs != NULL);
      g_assert_cmpuint (rule->ports->len % 2, ==, 0);
      if (rule->kind != PH_PROBE_RULE_TLS_HTTP)
        g_assert_nonnull (rule->service);
      if (rule->service == NULL)
        continue;
      n_services++;
      if (!g_hash_table_contains (msgids, rule->service))
        g_error ("[%s] is not in data/probe-rules.i18n.h as written; run "
                 "src/core/ph-ports-common-strings.py", rule->id);
    }
  g_assert_cmpuint (G_N_ELEMENTS (i18n_strings), ==, n_services);
}

static void
assert_plan_follows_rule (const PhProbeRule *rule,
                          guint16            port)
{
  PhProbePlan plan;

  ph_probe_plan_for (NULL, port, &plan);
  g_assert_cmpstr (plan.service, ==, rule->service);
  g_assert_cmpint (plan.send_nothing, ==, rule->kind == PH_PROBE_RULE_NO_CONNECT);
  g_assert_cmpint (plan.no_connect, ==, rule->kind == PH_PROBE_RULE_NO_CONNECT);
  switch (rule->kind)
    {
    case PH_PROBE_RULE_NO_CONNECT:
      /* not even a connection (issue 11: OpenSSH penalises one that does not log in) */
      g_assert_false (plan.plain_http);
      g_assert_false (plan.tls_first);
      g_assert_cmpstr (ph_probe_guess_non_http (NULL, port), ==, _(rule->service));
      break;
    case PH_PROBE_RULE_NOT_HTTP:
      /* nothing at all: no request, no TLS */
      g_assert_false (plan.plain_http);
      g_assert_false (plan.tls_first);
      g_assert_false (plan.tls_http);
      g_assert_true (plan.tls_tried);
      g_assert_cmpstr (ph_probe_guess_non_http (NULL, port), ==, _(rule->service));
      break;
    case PH_PROBE_RULE_TLS_ONLY:
      g_assert_false (plan.plain_http);
      g_assert_true (plan.tls_first);
      g_assert_false (plan.tls_http);
      g_assert_cmpstr (ph_probe_guess_non_http (NULL, port), ==, _(rule->service));
      break;
    case PH_PROBE_RULE_TLS_HTTP:
      g_assert_true (plan.tls_first);
      g_assert_true (plan.tls_http);
      g_assert_null (ph_probe_guess_non_http (NULL, port));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The probe's plan (what ph_probe_async() sends) honours every port and program. */
static void
test_rules_honoured (void)
{
  GPtrArray *rules = ph_probe_rules_get ();
  PhProbePlan plan;

  for (guint i = 0; i < rules->len; i++)
    {
      const PhProbeRule *rule = g_ptr_array_index (rules, i);
      const guint16 *ranges = (const guint16 *) (gpointer) rule->ports->data;

      for (guint r = 0; r + 1 < rule->ports->len; r += 2)
        {
          assert_plan_follows_rule (rule, ranges[r]);
          assert_plan_follows_rule (rule, ranges[r + 1]);
        }

      for (guint p = 0; rule->programs != NULL && rule->programs[p] != NULL; p++)
        {
          g_autofree char *program = g_strdup (rule->programs[p]);
          g_autofree char *path = NULL;

          /* "php-fpm*" stands for php-fpm8.2 */
          if (g_str_has_suffix (program, "*"))
            program[strlen (program) - 1] = '\0';
          path = g_strconcat ("/usr/sbin/", program, NULL);

          /* whatever the port: a program's rule comes before the port's */
          ph_probe_plan_for (path, 443, &plan);
          g_assert_true (plan.send_nothing);
          g_assert_cmpstr (plan.service, ==, rule->service);
          g_assert_cmpstr (ph_probe_guess_non_http (program, 8080), ==, _(rule->service));
        }
    }

  /* a port and a program no rule names: plain HTTP, then TLS */
  ph_probe_plan_for ("node", 3000, &plan);
  g_assert_null (plan.service);
  g_assert_false (plan.send_nothing);
  g_assert_true (plan.plain_http);
  g_assert_false (plan.tls_first);
  g_assert_true (plan.tls_http);
  g_assert_false (plan.tls_tried);
}

static void
test_rules_invalid (void)
{
  static const struct
  {
    const char *data;
    const char *message;
  } cases[] = {
    { "", "no rules" },
    { "[a]\nService=A\n", "needs Ports, Programs or both" },
    { "[a]\nPorts=1;\n", "Service is missing" },
    { "[a]\nService=A\nPorts=0;\n", "“0” is not a port" },
    { "[a]\nService=A\nPorts=70000;\n", "“70000” is not a port" },
    { "[a]\nService=A\nPorts=20-10;\n", "“20-10” is not a port" },
    { "[a]\nService=A\nPorts=1-2-3;\n", "“1-2-3” is not a port" },
    { "[a]\nService=A\nPorts=\n", "Ports is empty" },
    { "[a]\nService=A\nPorts=1;;2;\n", "empty entry" },
    { "[a]\nService=A\nPrograms=a b;\n", "an entry with a space" },
    { "[a]\nService=A\nKind=udp\nPorts=1;\n", "Kind “udp” is not one of" },
    { "[a]\nService=A\nKind=tls-only\nPrograms=a;\n", "Programs are only for Kind=not-http" },
    { "[a]\nService=A\nPort=1;\n", "unknown key “Port”" },
    { "[a]\nService=A\nPorts=10-20;\n[b]\nService=B\nPorts=15;\n", "port 15 is in [a]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rules = ph_probe_rules_parse (cases[i].data, -1, &error);

      g_assert_null (rules);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not say “%s”", i, error->message, cases[i].message);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) rules =
      ph_probe_rules_parse ("[tls]\nKind=tls-http\nPorts=443;8443-8444;\n"
                            "[x]\nService=X\nPrograms=x*;\n", -1, &error);
    const PhProbeRule *tls;

    g_assert_no_error (error);
    g_assert_cmpuint (rules->len, ==, 2);
    tls = g_ptr_array_index (rules, 0);
    g_assert_null (tls->service);
    g_assert_cmpint (tls->kind, ==, PH_PROBE_RULE_TLS_HTTP);
    g_assert_cmpuint (tls->ports->len, ==, 4);
    g_assert_cmpuint (g_array_index (tls->ports, guint16, 2), ==, 8443);
    g_assert_cmpuint (g_array_index (tls->ports, guint16, 3), ==, 8444);
  }
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
 * Text
 * ------------------------------------------------------------------------------------- */

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
 * Greetings and HTTP answers
 * ------------------------------------------------------------------------------------- */

static void
test_banners (void)
{
  static const struct
  {
    const void *banner;
    gssize len;
    guint16 port;
    PhProbeKind kind;
    const char *protocol;
    const char *summary;
  } cases[] = {
    { "SSH-2.0-TestSSH_1.0\r\n", -1, 22, PH_PROBE_KIND_BANNER, "SSH", "SSH server: TestSSH_1.0" },
    { "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n", -1, 22, PH_PROBE_KIND_BANNER, "SSH",
      "SSH server: OpenSSH_9.2p1" },
    { "220 test.local ESMTP TestMail ready\r\n", -1, 2525, PH_PROBE_KIND_BANNER, "SMTP",
      "Mail server (SMTP): test.local ESMTP TestMail ready" },
    { "220-mail.test ESMTP\r\n220-more\r\n220 done\r\n", -1, 40000, PH_PROBE_KIND_BANNER,
      "SMTP", "Mail server (SMTP): mail.test ESMTP" },
    { "220 (vsFTPd 3.0.3)\r\n", -1, 40000, PH_PROBE_KIND_BANNER, "FTP",
      "File transfer server (FTP): (vsFTPd 3.0.3)" },
    { "220 ready\r\n", -1, 21, PH_PROBE_KIND_BANNER, "FTP", "File transfer server (FTP): ready" },
    { "220 ready\r\n", -1, 40000, PH_PROBE_KIND_BANNER, NULL, "Greets with “220 ready”" },
    { "220 ProFTPD Server (Debian) [::1]\r\n", -1, 40000, PH_PROBE_KIND_BANNER, "FTP",
      "File transfer server (FTP): ProFTPD Server (Debian) [::1]" },
    { "+OK Dovecot ready.\r\n", -1, 110, PH_PROBE_KIND_BANNER, "POP3",
      "Mail server (POP3): Dovecot ready." },
    { "* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n", -1, 143, PH_PROBE_KIND_BANNER, "IMAP",
      "Mail server (IMAP): OK [CAPABILITY IMAP4rev1] Dovecot ready." },
    { "RFB 003.008\n", -1, 5900, PH_PROBE_KIND_BANNER, "VNC", "Remote desktop server (VNC)" },
    { "@RSYNCD: 31.0\n", -1, 873, PH_PROBE_KIND_BANNER, "rsync",
      "File synchronisation server (rsync)" },
    { "INFO {\"server_id\":\"x\"}\r\n", -1, 4222, PH_PROBE_KIND_BANNER, "NATS",
      "Message broker (NATS)" },
    { "NOTICE * :hello\r\n", -1, 6667, PH_PROBE_KIND_BANNER, "IRC", "Chat server (IRC)" },
    { "hello there, friend\n", -1, 40000, PH_PROBE_KIND_BANNER, NULL,
      "Greets with “hello there, friend”" },
    { mysql_greeting, sizeof mysql_greeting, 3306, PH_PROBE_KIND_BANNER, "MySQL",
      "MySQL server: 8.0.36" },
    { mariadb_greeting, sizeof mariadb_greeting, 3306, PH_PROBE_KIND_BANNER, "MariaDB",
      "MariaDB server: 10.11.6-MariaDB" },
    { mysql_refusal, sizeof mysql_refusal, 3306, PH_PROBE_KIND_BANNER, "MySQL",
      "MySQL server, which refuses connections from here" },
    { "\x01\x02\x03\x04\x05\x06\x07\x08", 8, 40000, PH_PROBE_KIND_UNKNOWN, NULL,
      "Answers with data Porthole does not recognise" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = cases[i].len < 0 ? strlen (cases[i].banner) : (gsize) cases[i].len;
      g_autoptr(PhProbeResult) plain = NULL;
      g_autoptr(PhProbeResult) tls = NULL;

      g_assert_true (ph_probe_banner_complete (cases[i].banner, len) ||
                     cases[i].kind == PH_PROBE_KIND_UNKNOWN);

      plain = ph_probe_classify_banner (cases[i].banner, len, cases[i].port, FALSE);
      g_assert_cmpint (ph_probe_result_get_kind (plain), ==, cases[i].kind);
      g_assert_cmpstr (ph_probe_result_get_protocol (plain), ==, cases[i].protocol);
      g_assert_cmpstr (ph_probe_result_get_summary (plain), ==, cases[i].summary);
      g_assert_nonnull (ph_probe_result_get_banner (plain));
      g_assert_false (ph_probe_result_get_can_open (plain));
      g_assert_false (ph_probe_result_get_tls (plain));

      if (cases[i].kind != PH_PROBE_KIND_BANNER)
        continue;
      tls = ph_probe_classify_banner (cases[i].banner, len, cases[i].port, TRUE);
      g_assert_true (ph_probe_result_get_tls (tls));
      g_assert_true (g_str_has_suffix (ph_probe_result_get_summary (tls), " (over TLS)"));
    }
}

static void
test_http (void)
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
    { "HTTP/2 200 OK\r\n\r\n<TITLE lang=\"en\">Shop &amp; Co &#8211; caf&eacute; &#x263A;"
      "</TITLE>", 200, "OK", NULL, "Shop & Co – caf&eacute; ☺", NULL,
      "Web server (HTTP 200 OK)" },
    { "HTTP/1.1 200 OK\r\n\r\n<titlex>no</titlex><title>yes", 200, "OK", NULL, "yes", NULL,
      "Web server (HTTP 200 OK)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const guint8 *data = (const guint8 *) cases[i].reply;
      gsize len = strlen (cases[i].reply);
      g_autoptr(PhProbeResult) result = ph_probe_parse_http (data, len, FALSE);
      g_autoptr(PhProbeResult) secure = ph_probe_parse_http (data, len, TRUE);

      g_assert_nonnull (result);
      g_assert_cmpint (ph_probe_result_get_kind (result), ==, PH_PROBE_KIND_HTTP);
      g_assert_cmpuint (ph_probe_result_get_status_code (result), ==, cases[i].status);
      g_assert_cmpstr (ph_probe_result_get_reason_phrase (result), ==, cases[i].reason);
      g_assert_cmpstr (ph_probe_result_get_server (result), ==, cases[i].server);
      g_assert_cmpstr (ph_probe_result_get_title (result), ==, cases[i].title);
      g_assert_cmpstr (ph_probe_result_get_location (result), ==, cases[i].location);
      g_assert_cmpstr (ph_probe_result_get_summary (result), ==, cases[i].summary);
      g_assert_cmpstr (ph_probe_result_get_scheme (result), ==, "http");
      g_assert_true (ph_probe_result_get_can_open (result));

      g_assert_cmpint (ph_probe_result_get_kind (secure), ==, PH_PROBE_KIND_HTTPS);
      g_assert_cmpstr (ph_probe_result_get_scheme (secure), ==, "https");
      g_assert_true (ph_probe_result_get_tls (secure));
    }

  /* not HTTP at all */
  g_assert_null (ph_probe_parse_http ((const guint8 *) "HTTP/1.1 2", 10, FALSE));
  g_assert_null (ph_probe_parse_http ((const guint8 *) "SSH-2.0-x\r\n", 11, FALSE));
  g_assert_null (ph_probe_parse_http ((const guint8 *) "HTTPS 200 OK", 12, FALSE));
}

/* When reading may stop, and what says "try TLS". */
static void
test_http_signals (void)
{
  static const char nginx[] =
    "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n"
    "<html><head><title>400 The plain HTTP request was sent to HTTPS port</title>";
  static const char teapot[] = "HTTP/1.1 400 Bad Request\r\n\r\nno";
  static const guint8 alert[] = { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46 };
  g_autoptr(PhProbeResult) to_tls = NULL;
  g_autoptr(PhProbeResult) plain_400 = NULL;

  g_assert_false (ph_probe_http_response_complete ((const guint8 *) "HTTP/1.1 200 OK\r\n", 17));
  g_assert_true (ph_probe_http_response_complete (
    (const guint8 *) "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab", 40));
  g_assert_false (ph_probe_http_response_complete (
    (const guint8 *) "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab", 40));
  g_assert_true (ph_probe_http_response_complete (
    (const guint8 *) "HTTP/1.1 200 OK\n\n<title>x</title>", 33));

  to_tls = ph_probe_parse_http ((const guint8 *) nginx, strlen (nginx), FALSE);
  g_assert_true (ph_probe_http_says_use_tls (to_tls, (const guint8 *) nginx, strlen (nginx)));
  plain_400 = ph_probe_parse_http ((const guint8 *) teapot, strlen (teapot), FALSE);
  g_assert_false (ph_probe_http_says_use_tls (plain_400, (const guint8 *) teapot,
                                              strlen (teapot)));

  g_assert_true (ph_probe_looks_like_tls_record (alert, sizeof alert));
  g_assert_false (ph_probe_looks_like_tls_record ((const guint8 *) "HTTP/1.1", 8));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/probe-parse/rules/parse", test_rules_parse);
  g_test_add_func ("/probe-parse/rules/honoured", test_rules_honoured);
  g_test_add_func ("/probe-parse/rules/invalid", test_rules_invalid);
  g_test_add_func ("/probe-parse/rules/guess", test_guess_non_http);
  g_test_add_func ("/probe-parse/sanitize", test_sanitize);
  g_test_add_func ("/probe-parse/banners", test_banners);
  g_test_add_func ("/probe-parse/http", test_http);
  g_test_add_func ("/probe-parse/http-signals", test_http_signals);

  return g_test_run ();
}
