/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-troubleshoot.h — "why can't I connect?": try a typed address for real and say why */
#pragma once

#include <gio/gio.h>

#include "ph-port-info.h"

G_BEGIN_DECLS

/* What the troubleshooter concluded. ph_verdict_to_string() names each for JSON. */
typedef enum
{
  PH_VERDICT_WORKS,             /* connected, and the server answered (or is known not to talk) */
  PH_VERDICT_NOTHING_LISTENS,   /* refused, and no socket listens on the port at all */
  PH_VERDICT_WRONG_ADDRESS,     /* refused here, but the port listens on another address */
  PH_VERDICT_ONE_FAMILY,        /* "localhost" or no host: only 127.0.0.1 or only ::1 works */
  PH_VERDICT_OTHER_USER,        /* it works, but another user's program holds the port */
  PH_VERDICT_FIREWALL_REJECTS,  /* a listener covers the address, yet the kernel refused */
  PH_VERDICT_FIREWALL_DROPS,    /* a listener covers the address, yet no answer to the SYN */
  PH_VERDICT_NOT_ACCEPTING,     /* its accept queue fills: the program takes no connections */
  PH_VERDICT_SILENT,            /* it accepts connections but never answers */
  PH_VERDICT_NOT_LOCAL,         /* the address does not belong to this computer */
  PH_VERDICT_NOT_TESTED,        /* UDP, or no port: nothing to connect to */
  PH_VERDICT_UNKNOWN,           /* the test itself failed */
} PhVerdict;

/* How one connection attempt ended. */
typedef enum
{
  PH_ATTEMPT_CONNECTED,
  PH_ATTEMPT_REFUSED,
  PH_ATTEMPT_TIMED_OUT,
  PH_ATTEMPT_UNREACHABLE,   /* EHOSTUNREACH, ENETUNREACH, EACCES, EPERM: usually a firewall */
  PH_ATTEMPT_FAILED,        /* anything else; the attempt's error says what */
} PhAttemptResult;

typedef struct
{
  char            *address;   /* the IP address tried, "127.0.0.1" */
  PhAttemptResult  result;
  char            *error;     /* the system's message, or NULL when connected */
} PhConnectAttempt;

/* A listening TCP socket on the port, from the kernel's table (/proc/net/tcp, tcp6). */
typedef struct
{
  char  *address;       /* as GLib prints it: "127.0.0.1", "::", "::ffff:10.0.0.2" */
  guint  uid;
  guint  accept_queue;  /* connections the kernel accepted that the program has not taken */
} PhTableListener;

typedef struct
{
  PhVerdict     verdict;
  char         *host;          /* as given: NULL for "any address", "localhost", an IP */
  int           port;
  PhPortStatus  status;        /* ph_port_check() on the address (UNKNOWN when not tried) */
  GPtrArray    *attempts;      /* of PhConnectAttempt, in the order tried */
  GPtrArray    *listeners;     /* of PhTableListener: every listener on the port */
  guint         time_wait;     /* connections on the port closed a moment ago (TIME_WAIT) */
  GStrv         works_instead; /* addresses to connect to instead ("[::1]:3000"), or empty */
  char         *other_user;    /* the user who holds it, for PH_VERDICT_OTHER_USER */
  char         *answer;        /* what answered, in words, for WORKS; or NULL */
  char         *summary;       /* translated: what Porthole found */
  char         *advice;        /* translated: what to do; NULL when there is nothing to do */
} PhDiagnosis;

/* Timeouts; zero fields take the defaults (connect 1000 ms, answer 1500 ms). */
typedef struct
{
  guint connect_timeout_ms;
  guint answer_timeout_ms;
} PhTroubleshootOptions;

void          ph_troubleshoot_async          (const char                  *host,
                                              int                          port,
                                              PhPortProtocol               protocol,
                                              const PhTroubleshootOptions *options,
                                              GCancellable                *cancellable,
                                              GAsyncReadyCallback          callback,
                                              gpointer                     user_data);
PhDiagnosis  *ph_troubleshoot_finish         (GAsyncResult                *result,
                                              GError                     **error);
PhDiagnosis  *ph_troubleshoot_sync           (const char                  *host,
                                              int                          port,
                                              PhPortProtocol               protocol,
                                              const PhTroubleshootOptions *options,
                                              GError                     **error);

void          ph_diagnosis_free              (PhDiagnosis                 *diagnosis);
gboolean      ph_diagnosis_port_is_taken     (const PhDiagnosis           *diagnosis);
const char   *ph_verdict_to_string           (PhVerdict                    verdict);
const char   *ph_attempt_result_to_string    (PhAttemptResult              result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhDiagnosis, ph_diagnosis_free)

G_END_DECLS
