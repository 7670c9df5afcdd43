/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe.h: find out what answers on a TCP port, politely and without hanging */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PH_PROBE_KIND_NONE,    /* nothing answers: refused, timed out, or closed without a word */
  PH_PROBE_KIND_BANNER,  /* a server that greets first: SSH, SMTP, FTP, MySQL, … */
  PH_PROBE_KIND_HTTP,
  PH_PROBE_KIND_HTTPS,
  PH_PROBE_KIND_TLS,     /* TLS, but not HTTP inside */
  PH_PROBE_KIND_UNKNOWN, /* answered with something Porthole does not recognise */
  PH_PROBE_KIND_SKIPPED, /* accepts connections; nothing sent because it is not HTTP */
} PhProbeKind;

/* Why a probe of kind NONE found nothing; PH_PROBE_FAILURE_NONE for every other kind. */
typedef enum
{
  PH_PROBE_FAILURE_NONE,
  PH_PROBE_FAILURE_REFUSED,
  PH_PROBE_FAILURE_TIMED_OUT,   /* no connection within the connect timeout */
  PH_PROBE_FAILURE_CLOSED,      /* connected, then the server closed without a word */
  PH_PROBE_FAILURE_SILENT,      /* connected, but no answer to anything */
  PH_PROBE_FAILURE_UNREACHABLE, /* any other connect error */
} PhProbeFailure;

GType ph_probe_kind_get_type (void) G_GNUC_CONST;
GType ph_probe_failure_get_type (void) G_GNUC_CONST;
#define PH_TYPE_PROBE_KIND (ph_probe_kind_get_type ())
#define PH_TYPE_PROBE_FAILURE (ph_probe_failure_get_type ())

/* What is known about the listener before anything is sent. Every field is optional;
 * a zeroed struct (or NULL) means "nothing known, default timeouts". */
typedef struct
{
  const char *program;   /* the owner's program name (comm, or basename of exe/argv[0]) */
  guint connect_timeout_ms; /* 0: 1500 */
  guint banner_timeout_ms;  /* how long to wait for a server that greets first; 0: 400 */
  guint read_timeout_ms;    /* how long to wait for an answer to a request; 0: 2000 */
} PhProbeHints;

#define PH_TYPE_PROBE_RESULT (ph_probe_result_get_type ())
G_DECLARE_FINAL_TYPE (PhProbeResult, ph_probe_result, PH, PROBE_RESULT, GObject)

PhProbeKind     ph_probe_result_get_kind          (PhProbeResult *self);
PhProbeFailure  ph_probe_result_get_failure       (PhProbeResult *self);
const char     *ph_probe_result_get_summary       (PhProbeResult *self);
const char     *ph_probe_result_get_protocol      (PhProbeResult *self);
const char     *ph_probe_result_get_scheme        (PhProbeResult *self);
gboolean        ph_probe_result_get_can_open      (PhProbeResult *self);
gboolean        ph_probe_result_get_tls           (PhProbeResult *self);
guint           ph_probe_result_get_status_code   (PhProbeResult *self);
const char     *ph_probe_result_get_reason_phrase (PhProbeResult *self);
const char     *ph_probe_result_get_server        (PhProbeResult *self);
const char     *ph_probe_result_get_title         (PhProbeResult *self);
const char     *ph_probe_result_get_location      (PhProbeResult *self);
const char     *ph_probe_result_get_banner        (PhProbeResult *self);

void            ph_probe_async                    (const char          *address,
                                                   guint16              port,
                                                   const PhProbeHints  *hints,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
PhProbeResult  *ph_probe_finish                   (GAsyncResult        *result,
                                                   GError             **error);

/* The name of a service known not to speak HTTP ("Redis", "PostgreSQL") when the program
 * or the port says so, else NULL. The probe sends nothing to such a service. */
const char     *ph_probe_guess_non_http           (const char          *program,
                                                   guint16              port);

/* Printable, valid UTF-8 of at most @max_chars characters from raw bytes: control
 * characters become spaces, runs of white space one space, invalid bytes U+FFFD. */
char           *ph_probe_sanitize_text            (const guint8        *data,
                                                   gsize                len,
                                                   gsize                max_chars);

G_END_DECLS
