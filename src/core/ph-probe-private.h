/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe-private.h: what the pieces of the probe share (ph-probe*.c and the tests) */
#pragma once

#include "ph-probe.h"

G_BEGIN_DECLS

#define PH_PROBE_READ_LIMIT     8192   /* bytes read from one answer */
#define PH_PROBE_TEXT_LIMIT     200    /* characters kept of a banner, header or title */
#define PH_PROBE_GREETING_LIMIT 80     /* characters kept of a greeting line */

struct _PhProbeResult
{
  GObject parent_instance;

  PhProbeKind kind;
  PhProbeFailure failure;
  gboolean tls;
  guint status_code;
  char *summary;
  char *protocol;
  char *reason_phrase;
  char *server;
  char *title;
  char *location;
  char *banner;
};

/* ph-probe-rules.c: what must not be sent an HTTP request (data/probe-rules.ini) */

typedef enum
{
  PH_PROBE_RULE_NOT_HTTP,  /* plain, client-first, not HTTP: send nothing */
  PH_PROBE_RULE_TLS_ONLY,  /* TLS from the first byte, no HTTP inside: handshake, listen */
  PH_PROBE_RULE_TLS_HTTP,  /* TLS from the first byte, HTTP inside */
  PH_PROBE_RULE_NO_CONNECT, /* not even a connection: the server penalises or logs one that
                             * does not log in (OpenSSH's PerSourcePenalties) */
} PhProbeRuleKind;

typedef struct
{
  char            *id;
  char            *service;   /* English (the msgid), or NULL for Kind=tls-http */
  PhProbeRuleKind  kind;
  GArray          *ports;     /* guint16 pairs: first, last of each range */
  GStrv            programs;  /* NULL when none */
} PhProbeRule;

/* What the probe may send to one listener. */
typedef struct
{
  const char *service;       /* English; a service known not to speak HTTP, or NULL */
  gboolean    send_nothing;  /* the program says: not HTTP, not even TLS */
  gboolean    plain_http;    /* an HTTP request may be sent in plain text */
  gboolean    tls_first;     /* greet with TLS before anything else */
  gboolean    tls_http;      /* an HTTP request may be sent inside TLS */
  gboolean    tls_tried;     /* do not try TLS after a plain answer */
  gboolean    no_connect;    /* do not connect at all */
} PhProbePlan;

GPtrArray     *ph_probe_rules_parse             (const char     *data,
                                                 gsize           length,
                                                 GError        **error);
/* (element-type PhProbeRule): the compiled-in rules, parsed once */
GPtrArray     *ph_probe_rules_get               (void);
void           ph_probe_rule_free               (PhProbeRule    *rule);
void           ph_probe_plan_for                (const char     *program,
                                                 guint16         port,
                                                 PhProbePlan    *plan);

/* ph-probe-text.c: turning what a server sent into text that is safe to show */

gboolean       ph_probe_looks_like_text         (const guint8   *data,
                                                 gsize           len);
char          *ph_probe_hex_preview             (const guint8   *data,
                                                 gsize           len);
char          *ph_probe_greeting_line           (const guint8   *data,
                                                 gsize           len,
                                                 gsize           skip);
gboolean       ph_probe_has_prefix              (const guint8   *data,
                                                 gsize           len,
                                                 const char     *prefix);
gboolean       ph_probe_contains_nocase         (const char     *haystack,
                                                 const char     *needle);

/* ph-probe-result.c: the results a probe can end with */

PhProbeResult *ph_probe_result_new              (PhProbeKind     kind);
PhProbeResult *ph_probe_result_new_nothing      (PhProbeFailure  failure,
                                                 const GError   *error);
PhProbeResult *ph_probe_result_new_skipped      (const char     *service);
PhProbeResult *ph_probe_result_new_tls          (const char     *service);
PhProbeResult *ph_probe_result_new_unknown      (const guint8   *data,
                                                 gsize           len);

/* ph-probe-parse.c: reading greetings and HTTP answers (pure functions of the bytes) */

PhProbeResult *ph_probe_classify_banner         (const guint8   *data,
                                                 gsize           len,
                                                 guint16         port,
                                                 gboolean        tls);
gboolean       ph_probe_banner_complete         (const guint8   *data,
                                                 gsize           len);
PhProbeResult *ph_probe_parse_http              (const guint8   *data,
                                                 gsize           len,
                                                 gboolean        tls);
gboolean       ph_probe_http_response_complete  (const guint8   *data,
                                                 gsize           len);
gboolean       ph_probe_http_says_use_tls       (PhProbeResult  *result,
                                                 const guint8   *data,
                                                 gsize           len);
gboolean       ph_probe_looks_like_tls_record   (const guint8   *data,
                                                 gsize           len);

G_END_DECLS
