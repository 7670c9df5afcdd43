/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-troubleshoot.c — "why can't I connect?": try a typed address for real and say why */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "ph-address.h"
#include "ph-probe.h"
#include "ph-troubleshoot.h"

/*
 * The troubleshooter connects to the typed address (both 127.0.0.1 and ::1 for
 * "localhost" and for a port alone) in a worker thread, with a short timeout, and reads
 * the kernel's TCP table (/proc/net/tcp and tcp6: every user may read it) for the
 * listeners on the port, their accept queues and the connections in TIME_WAIT. How the
 * attempt ended, put next to what listens, tells the cases apart: refused with no listener
 * is "nothing listens", refused while a listener covers the address is a firewall rule
 * (a REJECT), a timeout on loopback with a listener is a rule that drops, or a full
 * accept queue. When it connects, ph_probe_async() finds out whether the server answers.
 */

#define DEFAULT_CONNECT_TIMEOUT_MS 1000
#define DEFAULT_ANSWER_TIMEOUT_MS 1500
/* A healthy server takes a new connection off its queue within milliseconds. */
#define QUEUE_FIRST_LOOK_MS 150
#define QUEUE_SECOND_LOOK_MS 400

#define TCP_STATE_TIME_WAIT 0x06
#define TCP_STATE_LISTEN 0x0A

typedef struct
{
  char                  *host;
  int                    port;
  PhPortProtocol         protocol;
  PhTroubleshootOptions  options;
  PhDiagnosis           *diagnosis;
  char                  *probe_target;   /* connect worked here: ask the probe next */
} Job;

static void
attempt_free (PhConnectAttempt *attempt)
{
  g_free (attempt->address);
  g_free (attempt->error);
  g_free (attempt);
}

static void
listener_free (PhTableListener *listener)
{
  g_free (listener->address);
  g_free (listener);
}

void
ph_diagnosis_free (PhDiagnosis *diagnosis)
{
  if (diagnosis == NULL)
    return;
  g_free (diagnosis->host);
  g_clear_pointer (&diagnosis->attempts, g_ptr_array_unref);
  g_clear_pointer (&diagnosis->listeners, g_ptr_array_unref);
  g_strfreev (diagnosis->works_instead);
  g_free (diagnosis->other_user);
  g_free (diagnosis->answer);
  g_free (diagnosis->summary);
  g_free (diagnosis->advice);
  g_free (diagnosis);
}

static void
job_free (Job *job)
{
  g_free (job->host);
  g_clear_pointer (&job->diagnosis, ph_diagnosis_free);
  g_free (job->probe_target);
  g_free (job);
}

/* What each verdict is called (in the JSON: cli/JSON.md) and, where a sentence needs no
 * more than the address typed, its words; compose() words the others. */
static const struct
{
  const char *name;
  const char *summary;      /* N_(); its %s is the address typed */
  const char *advice;       /* N_() */
  gboolean    advice_port;  /* the advice's %d is the port */
} verdicts[] = {
  [PH_VERDICT_WORKS] = {
    "works", NULL,
    N_("If your program still cannot connect, check that it uses exactly this address and "
       "port, and the same protocol (http or https)."), FALSE },
  [PH_VERDICT_NOTHING_LISTENS] = {
    "nothing-listens",
    N_("Nothing is listening on %s: the connection was refused."),
    N_("The server is not running: it was not started, it stopped, or it crashed. Start it "
       "again and read what it prints; a server that cannot start says why there."), FALSE },
  [PH_VERDICT_WRONG_ADDRESS] = { "wrong-address", NULL, NULL, FALSE },
  [PH_VERDICT_ONE_FAMILY] = { "one-family", NULL, NULL, FALSE },
  [PH_VERDICT_OTHER_USER] = {
    "other-user", NULL,
    N_("If your own server cannot start on this port, start it on another port, or ask "
       "whoever runs the other program to stop it. Stopping it yourself needs the "
       "administrator’s password (Unlock in Porthole)."), FALSE },
  [PH_VERDICT_FIREWALL_REJECTS] = {
    "firewall-rejects",
    N_("A server listens on %s, but the connection was refused: a firewall rule rejects it."),
    N_("Look at the firewall rules (sudo nft list ruleset, or firewall-cmd --list-all) and "
       "allow TCP port %d."), TRUE },
  [PH_VERDICT_FIREWALL_DROPS] = {
    "firewall-drops",
    N_("A server listens on %s, but the connection never got an answer: a firewall rule "
       "drops it."),
    N_("Look at the firewall rules (sudo nft list ruleset, or firewall-cmd --list-all) and "
       "allow TCP port %d."), TRUE },
  [PH_VERDICT_NOT_ACCEPTING] = {
    "not-accepting",
    N_("A server listens on %s, but it does not take new connections: they wait in its "
       "queue."),
    N_("The program is hung or overloaded, and once its queue is full, new connections time "
       "out. Read what it prints, or restart it."), FALSE },
  [PH_VERDICT_SILENT] = {
    "silent",
    N_("The server on %s accepts connections but never answers."),
    N_("It may be hung, or it may wait for a protocol other than the one Porthole tried. "
       "Read what it prints, or restart it."), FALSE },
  [PH_VERDICT_NOT_LOCAL] = {
    "not-local",
    N_("%s does not belong to this computer, so Porthole cannot look at the server there."),
    N_("Check that this is the address you meant. To find out about a server on another "
       "computer, run Porthole on that computer."), FALSE },
  [PH_VERDICT_NOT_TESTED] = { "not-tested", NULL, NULL, FALSE },
  [PH_VERDICT_UNKNOWN] = {
    "unknown",
    N_("A server listens on %s, but Porthole could not connect to it."), NULL, FALSE },
};

static const char * const attempt_names[] = {
  [PH_ATTEMPT_CONNECTED] = "connected",
  [PH_ATTEMPT_REFUSED] = "refused",
  [PH_ATTEMPT_TIMED_OUT] = "timed-out",
  [PH_ATTEMPT_UNREACHABLE] = "unreachable",
  [PH_ATTEMPT_FAILED] = "failed",
};

const char *
ph_verdict_to_string (PhVerdict verdict)
{
  if ((guint) verdict >= G_N_ELEMENTS (verdicts))
    verdict = PH_VERDICT_UNKNOWN;
  return verdicts[verdict].name;
}

const char *
ph_attempt_result_to_string (PhAttemptResult result)
{
  if ((guint) result >= G_N_ELEMENTS (attempt_names))
    result = PH_ATTEMPT_FAILED;
  return attempt_names[result];
}

/* Whether something holds the port, so that a server of one's own could not listen on it:
 * the window's cue to offer another port. */
gboolean
ph_diagnosis_port_is_taken (const PhDiagnosis *diagnosis)
{
  g_return_val_if_fail (diagnosis != NULL, FALSE);

  return diagnosis->status == PH_PORT_STATUS_IN_USE ||
         (diagnosis->verdict != PH_VERDICT_NOT_LOCAL && diagnosis->listeners->len > 0);
}

/* The kernel's table */

/* An address from /proc/net/tcp{,6}: 32-bit words printed in the kernel's byte order. */
static GInetAddress *
parse_table_address (const char *hex,
                     gsize       len)
{
  guint8 bytes[16];
  gsize n_words = len / 8;

  if ((n_words != 1 && n_words != 4) || len % 8 != 0)
    return NULL;
  for (gsize w = 0; w < n_words; w++)
    {
      char word_text[9];
      guint64 value;
      guint32 word;

      memcpy (word_text, hex + w * 8, 8);
      word_text[8] = '\0';
      if (!g_ascii_string_to_unsigned (word_text, 16, 0, G_MAXUINT32, &value, NULL))
        return NULL;
      word = (guint32) value;
      memcpy (bytes + w * 4, &word, 4);
    }
  return g_inet_address_new_from_bytes (bytes, n_words == 1 ? G_SOCKET_FAMILY_IPV4
                                                            : G_SOCKET_FAMILY_IPV6);
}

/* Adds the listeners on @port in @path to @listeners and counts its TIME_WAIT sockets whose
 * local port is @port (the server's side of connections it closed). A line that does not
 * parse is skipped. */
static void
read_table (const char *path,
            guint       port,
            GPtrArray  *listeners,
            guint      *time_wait)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();
      g_autoptr(GInetAddress) address = NULL;
      const char *local, *colon, *queues;
      guint64 local_port, state, rx_queue, uid;

      for (guint f = 0; fields[f] != NULL; f++)
        if (*fields[f] != '\0')
          g_ptr_array_add (words, fields[f]);
      /* sl local rem st tx:rx tr:when retrnsmt uid … */
      if (words->len < 8)
        continue;
      local = g_ptr_array_index (words, 1);
      colon = strrchr (local, ':');
      queues = strchr (g_ptr_array_index (words, 4), ':');
      if (colon == NULL || queues == NULL ||
          !g_ascii_string_to_unsigned (colon + 1, 16, 0, 65535, &local_port, NULL) ||
          !g_ascii_string_to_unsigned (g_ptr_array_index (words, 3), 16, 0, 255, &state, NULL) ||
          !g_ascii_string_to_unsigned (queues + 1, 16, 0, G_MAXUINT32, &rx_queue, NULL) ||
          !g_ascii_string_to_unsigned (g_ptr_array_index (words, 7), 10, 0, G_MAXUINT32, &uid,
                                       NULL))
        continue;
      if (local_port != port)
        continue;

      if (state == TCP_STATE_TIME_WAIT)
        {
          (*time_wait)++;
          continue;
        }
      if (state != TCP_STATE_LISTEN)
        continue;

      address = parse_table_address (local, (gsize) (colon - local));
      if (address != NULL)
        {
          PhTableListener *listener = g_new0 (PhTableListener, 1);

          listener->address = g_inet_address_to_string (address);
          listener->uid = (guint) uid;
          listener->accept_queue = (guint) rx_queue;
          g_ptr_array_add (listeners, listener);
        }
    }
}

static GPtrArray *
read_listeners (guint  port,
                guint *time_wait)
{
  GPtrArray *listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  guint ignored = 0;

  read_table ("/proc/net/tcp", port, listeners, time_wait != NULL ? time_wait : &ignored);
  read_table ("/proc/net/tcp6", port, listeners, time_wait != NULL ? time_wait : &ignored);
  return listeners;
}

/* Whether a connection to @target reaches a socket listening on @listener_text: the same
 * address, or the wildcard of its family (a "::" socket takes IPv4 too unless it is
 * IPV6_V6ONLY, which the table does not say; the connection then tells). */
static gboolean
covers (const char   *listener_text,
        GInetAddress *target)
{
  g_autoptr(GInetAddress) listener = g_inet_address_new_from_string (listener_text);
  g_autoptr(GInetAddress) unmapped = NULL;
  GInetAddress *effective;

  if (listener == NULL || target == NULL)
    return FALSE;
  unmapped = ph_address_dup_unmapped (listener);
  effective = unmapped != NULL ? unmapped : listener;

  if (g_inet_address_equal (effective, target))
    return TRUE;
  if (!g_inet_address_get_is_any (listener))
    return FALSE;
  return g_inet_address_get_family (listener) == G_SOCKET_FAMILY_IPV6 ||
         g_inet_address_get_family (listener) == g_inet_address_get_family (target);
}

static PhTableListener *
find_covering (GPtrArray  *listeners,
               const char *target_text)
{
  g_autoptr(GInetAddress) target = g_inet_address_new_from_string (target_text);

  for (guint i = 0; i < listeners->len; i++)
    {
      PhTableListener *listener = g_ptr_array_index (listeners, i);

      if (covers (listener->address, target))
        return listener;
    }
  return NULL;
}

/* "127.0.0.1:3000", "[::1]:3000", "localhost:3000", or "port 3000" for no host. */
static char *
display_address (const char *host,
                 int         port)
{
  if (host == NULL)
    /* Translators: the address typed was a port alone; %d is the port */
    return g_strdup_printf (_("port %d"), port);
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%d", host, port);
  return g_strdup_printf ("%s:%d", host, port);
}

static char *
dup_user_name (guint uid)
{
  struct passwd pwd, *result = NULL;
  char buffer[1024];

  if (getpwuid_r ((uid_t) uid, &pwd, buffer, sizeof buffer, &result) == 0 && result != NULL)
    return g_strdup (result->pw_name);
  /* Translators: a user without a name; %u is the user ID */
  return g_strdup_printf (_("user ID %u"), uid);
}

/* Connecting */

static PhConnectAttempt *
try_connect (const char   *address_text,
             int           port,
             guint         timeout_ms,
             GCancellable *cancellable,
             GSocket     **connected)
{
  PhConnectAttempt *attempt = g_new0 (PhConnectAttempt, 1);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string (address_text,
                                                                            (guint) port);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;

  attempt->address = g_strdup (address_text);
  attempt->result = PH_ATTEMPT_FAILED;
  if (address == NULL)
    {
      attempt->error = g_strdup (_("This is not an IP address."));
      return attempt;
    }

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  if (socket != NULL)
    {
      g_socket_set_blocking (socket, FALSE);
      if (!g_socket_connect (socket, address, cancellable, &error) &&
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
        {
          g_clear_error (&error);
          if (g_socket_condition_timed_wait (socket, G_IO_OUT, (gint64) timeout_ms * 1000,
                                             cancellable, &error))
            g_socket_check_connect_result (socket, &error);
        }
    }

  if (error == NULL)
    {
      attempt->result = PH_ATTEMPT_CONNECTED;
      *connected = g_steal_pointer (&socket);
      return attempt;
    }

  attempt->error = g_strdup (error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    attempt->result = PH_ATTEMPT_REFUSED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    attempt->result = PH_ATTEMPT_TIMED_OUT;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    attempt->result = PH_ATTEMPT_UNREACHABLE;
  return attempt;
}

/* Whether the listener covering @target keeps connections waiting that the program does
 * not take, looking twice so that a busy moment does not count. */
static gboolean
queue_is_stuck (int           port,
                const char   *target,
                GCancellable *cancellable)
{
  const guint looks[] = { QUEUE_FIRST_LOOK_MS, QUEUE_SECOND_LOOK_MS };

  for (guint i = 0; i < G_N_ELEMENTS (looks); i++)
    {
      g_autoptr(GPtrArray) listeners = NULL;
      PhTableListener *listener;

      g_usleep (looks[i] * 1000);
      if (g_cancellable_is_cancelled (cancellable))
        return FALSE;
      listeners = read_listeners ((guint) port, NULL);
      listener = find_covering (listeners, target);
      if (listener == NULL || listener->accept_queue == 0)
        return FALSE;
    }
  return TRUE;
}

/* The works_instead list: where the listeners that do not cover the typed address can be
 * reached from this computer. */
static GStrv
dup_other_addresses (GPtrArray  *listeners,
                     int         port)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < listeners->len; i++)
    {
      PhTableListener *listener = g_ptr_array_index (listeners, i);
      g_autofree char *target = ph_address_dup_local_target (listener->address);
      g_autofree char *text = display_address (target, port);

      if (g_ptr_array_find_with_equal_func (seen, text, g_str_equal, NULL))
        continue;
      g_strv_builder_add (builder, text);
      g_ptr_array_add (seen, g_steal_pointer (&text));
    }
  return g_strv_builder_end (builder);
}

static void
diagnose (Job          *job,
          GCancellable *cancellable)
{
  PhDiagnosis *d = job->diagnosis;
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  const char *targets[2] = { NULL, NULL };
  gboolean localhost = job->host != NULL && g_ascii_strcasecmp (job->host, "localhost") == 0;
  PhConnectAttempt *first_connected = NULL;
  guint n_connected = 0;
  PhTableListener *covering = NULL;
  g_autoptr(GError) check_error = NULL;

  if (job->protocol != PH_PORT_PROTOCOL_TCP || job->port <= 0)
    {
      d->verdict = PH_VERDICT_NOT_TESTED;
      return;
    }

  g_clear_pointer (&d->listeners, g_ptr_array_unref);
  d->listeners = read_listeners ((guint) job->port, &d->time_wait);
  d->status = ph_port_check (job->host, (guint) job->port, job->protocol, &check_error);
  if (d->status == PH_PORT_STATUS_NOT_LOCAL)
    {
      d->verdict = PH_VERDICT_NOT_LOCAL;
      return;
    }

  if (job->host == NULL || localhost)
    {
      targets[0] = "127.0.0.1";
      targets[1] = "::1";
    }
  else
    targets[0] = job->host;

  for (guint i = 0; i < G_N_ELEMENTS (targets) && targets[i] != NULL; i++)
    {
      GSocket *socket = NULL;
      PhConnectAttempt *attempt = try_connect (targets[i], job->port,
                                               job->options.connect_timeout_ms, cancellable,
                                               &socket);

      /* No IPv6 on this computer: ::1 does not count. */
      if (i == 1 && attempt->result != PH_ATTEMPT_CONNECTED &&
          attempt->result != PH_ATTEMPT_REFUSED && attempt->result != PH_ATTEMPT_TIMED_OUT &&
          find_covering (d->listeners, targets[i]) == NULL)
        {
          attempt_free (attempt);
          continue;
        }
      g_ptr_array_add (d->attempts, attempt);
      if (socket != NULL)
        {
          g_ptr_array_add (sockets, socket);
          n_connected++;
          if (first_connected == NULL)
            first_connected = attempt;
        }
    }

  if (first_connected != NULL)
    {
      covering = find_covering (d->listeners, first_connected->address);

      /* Ours is now in its queue; a server that takes connections takes it at once. */
      if (queue_is_stuck (job->port, first_connected->address, cancellable))
        d->verdict = PH_VERDICT_NOT_ACCEPTING;
      else if (localhost && n_connected == 1 && d->attempts->len == 2)
        {
          d->verdict = PH_VERDICT_ONE_FAMILY;
          d->works_instead = g_new0 (char *, 2);
          d->works_instead[0] = display_address (first_connected->address, job->port);
        }
      else if (covering != NULL && covering->uid != getuid ())
        {
          d->verdict = PH_VERDICT_OTHER_USER;
          d->other_user = dup_user_name (covering->uid);
        }
      else
        {
          d->verdict = PH_VERDICT_WORKS;
          job->probe_target = g_strdup (first_connected->address);
        }
      return;
    }

  /* Nothing connected. A listener that covers the address should have answered. */
  for (guint i = 0; i < d->attempts->len && covering == NULL; i++)
    covering = find_covering (d->listeners,
                              ((PhConnectAttempt *) g_ptr_array_index (d->attempts, i))->address);

  if (covering != NULL)
    {
      PhConnectAttempt *attempt = g_ptr_array_index (d->attempts, 0);

      if (covering->accept_queue > 0 && attempt->result == PH_ATTEMPT_TIMED_OUT)
        d->verdict = PH_VERDICT_NOT_ACCEPTING;
      else if (attempt->result == PH_ATTEMPT_TIMED_OUT)
        d->verdict = PH_VERDICT_FIREWALL_DROPS;
      else if (attempt->result == PH_ATTEMPT_REFUSED || attempt->result == PH_ATTEMPT_UNREACHABLE)
        d->verdict = PH_VERDICT_FIREWALL_REJECTS;
      else
        d->verdict = PH_VERDICT_UNKNOWN;
    }
  else if (d->listeners->len > 0)
    {
      d->verdict = PH_VERDICT_WRONG_ADDRESS;
      d->works_instead = dup_other_addresses (d->listeners, job->port);
    }
  else
    d->verdict = PH_VERDICT_NOTHING_LISTENS;
}

/* Words */

static gboolean
is_ipv6 (const char *text)
{
  return text != NULL && strchr (text, ':') != NULL;
}

static gboolean
is_loopback_text (const char *text)
{
  g_autoptr(GInetAddress) address = text != NULL ? g_inet_address_new_from_string (text) : NULL;

  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* The table's words are formats of one argument: xgettext marks them c-format, so msgfmt
 * checks every translation's conversions as it would a literal's. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void
say_plain_words (PhDiagnosis *d,
                 GString     *advice,
                 const char  *where,
                 int          port)
{
  guint v = (guint) d->verdict < G_N_ELEMENTS (verdicts) ? d->verdict : PH_VERDICT_UNKNOWN;

  if (verdicts[v].summary != NULL)
    d->summary = g_strdup_printf (_(verdicts[v].summary), where);
  if (verdicts[v].advice_port)
    g_string_append_printf (advice, _(verdicts[v].advice), port);
  else if (verdicts[v].advice != NULL)
    g_string_append (advice, _(verdicts[v].advice));
}
#pragma GCC diagnostic pop

static void
compose (Job *job)
{
  PhDiagnosis *d = job->diagnosis;
  g_autofree char *where = display_address (job->host, job->port);
  g_autofree char *instead = NULL;
  g_autoptr(GString) advice = g_string_new (NULL);

  if (d->works_instead != NULL && d->works_instead[0] != NULL)
    /* Translators: separates addresses in a list, as in "127.0.0.1:3000 or [::1]:3000" */
    instead = g_strjoinv (_(" or "), d->works_instead);

  say_plain_words (d, advice, where, job->port);
  switch (d->verdict)
    {
    case PH_VERDICT_WORKS:
      if (d->answer != NULL)
        /* Translators: %s is an address such as 127.0.0.1:3000, then what answered there */
        d->summary = g_strdup_printf (_("Porthole connected to %s and the server answered: %s."),
                                      where, d->answer);
      else
        d->summary = g_strdup_printf (_("Porthole connected to %s: a server accepts "
                                        "connections there."), where);
      break;

    case PH_VERDICT_NOTHING_LISTENS:
      if (d->time_wait > 0)
        {
          g_string_append_c (advice, ' ');
          g_string_append_printf (advice,
                                  g_dngettext (GETTEXT_PACKAGE,
                                               "A connection on this port closed a moment ago "
                                               "and is still in TIME_WAIT, so a server stopped "
                                               "here only just now. The kernel keeps closed "
                                               "connections for up to a minute so that late "
                                               "packets cannot reach a new program; until then, "
                                               "starting a server on this port may fail with "
                                               "“address already in use”, unless it sets "
                                               "SO_REUSEADDR.",
                                               "%u connections on this port closed a moment "
                                               "ago and are still in TIME_WAIT, so a server "
                                               "stopped here only just now. The kernel keeps "
                                               "closed connections for up to a minute so that "
                                               "late packets cannot reach a new program; until "
                                               "then, starting a server on this port may fail "
                                               "with “address already in use”, unless it sets "
                                               "SO_REUSEADDR.",
                                               d->time_wait),
                                  d->time_wait);
        }
      break;

    case PH_VERDICT_WRONG_ADDRESS:
      /* Translators: the first %s is the address typed, the second where a server listens
       * instead, such as "[::1]:3000" */
      d->summary = g_strdup_printf (_("Nothing is listening on %s, but a server listens on %s."),
                                    where, instead);
      if (job->host != NULL && !is_ipv6 (job->host) && is_loopback_text (job->host) &&
          g_strv_length (d->works_instead) == 1 && g_str_has_prefix (d->works_instead[0], "[::1]"))
        g_string_append_printf (advice,
                                _("The server listens on ::1, the IPv6 loopback address, only; "
                                  "127.0.0.1 is IPv4. Connect to %s or to localhost, or start "
                                  "the server on both (for example on ::). Node.js 17 and "
                                  "newer look up “localhost” as ::1 first, so a server told "
                                  "to listen on localhost often ends up on ::1 alone."),
                                instead);
      else if (job->host != NULL && is_ipv6 (job->host) && is_loopback_text (job->host))
        g_string_append_printf (advice,
                                _("The server listens on IPv4 only, and ::1 is the IPv6 "
                                  "loopback address. Connect to %s instead, or start the "
                                  "server on both (for example on ::)."), instead);
      else if (job->host != NULL && !is_loopback_text (job->host))
        g_string_append_printf (advice,
                                _("The server listens only where programs on this computer can "
                                  "reach it. From this computer, connect to %s. To let other "
                                  "computers connect, start the server on 0.0.0.0 or on this "
                                  "address (many dev servers take --host 0.0.0.0)."),
                                instead);
      else
        g_string_append_printf (advice, _("Connect to %s instead."), instead);
      break;

    case PH_VERDICT_ONE_FAMILY:
      d->summary = g_strdup_printf (_("“localhost” means both 127.0.0.1 (IPv4) and ::1 (IPv6), "
                                      "but the server listens only on %s."), instead);
      g_string_append_printf (advice,
                              _("Browsers and curl try both and connect, but a program that "
                                "tries only the other one fails. Node.js 17 and newer look up "
                                "localhost as ::1 first, so this trap is common with Node.js "
                                "servers and clients. Connect to %s, or start the server on "
                                "both (for example on ::)."), instead);
      break;

    case PH_VERDICT_OTHER_USER:
      /* Translators: the first %s is a user name, the second an address */
      d->summary = g_strdup_printf (_("A program of another user, %s, holds %s: a connection "
                                      "reaches their program, not one of yours."),
                                    d->other_user, where);
      break;

    case PH_VERDICT_NOT_TESTED:
      if (job->port <= 0)
        d->summary = g_strdup (_("No port was given, so Porthole did not try to connect."));
      else
        d->summary = g_strdup (_("Porthole tries connections for TCP only: UDP has no "
                                 "connection to try."));
      break;

    case PH_VERDICT_FIREWALL_REJECTS:
    case PH_VERDICT_FIREWALL_DROPS:
    case PH_VERDICT_NOT_ACCEPTING:
    case PH_VERDICT_SILENT:
    case PH_VERDICT_NOT_LOCAL:
      break;   /* the table's words are all */

    case PH_VERDICT_UNKNOWN:
    default:
      if (d->attempts->len > 0 &&
          ((PhConnectAttempt *) g_ptr_array_index (d->attempts, 0))->error != NULL)
        g_string_append (advice,
                         ((PhConnectAttempt *) g_ptr_array_index (d->attempts, 0))->error);
      break;
    }

  d->advice = advice->len > 0 ? g_string_free (g_steal_pointer (&advice), FALSE) : NULL;
}

/* Running it */

static void
diagnose_in_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  diagnose (task_data, cancellable);
  g_task_return_boolean (task, TRUE);
}

static void
finish (GTask *task)
{
  Job *job = g_task_get_task_data (task);

  compose (job);
  g_task_return_pointer (task, g_steal_pointer (&job->diagnosis),
                         (GDestroyNotify) ph_diagnosis_free);
}

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PhProbeResult) probe = ph_probe_finish (result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (probe != NULL && ph_probe_result_get_kind (probe) == PH_PROBE_KIND_NONE &&
      ph_probe_result_get_failure (probe) == PH_PROBE_FAILURE_SILENT)
    job->diagnosis->verdict = PH_VERDICT_SILENT;
  else if (probe != NULL && ph_probe_result_get_kind (probe) != PH_PROBE_KIND_NONE)
    job->diagnosis->answer = g_strdup (ph_probe_result_get_summary (probe));
  finish (task);
}

static void
thread_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  PhProbeHints hints = { 0 };

  if (g_task_return_error_if_cancelled (task))
    return;
  if (job->probe_target == NULL)
    {
      finish (task);
      return;
    }

  hints.connect_timeout_ms = job->options.connect_timeout_ms;
  hints.banner_timeout_ms = MIN (job->options.answer_timeout_ms / 3, 400);
  hints.read_timeout_ms = job->options.answer_timeout_ms;
  ph_probe_async (job->probe_target, (guint16) job->port, &hints,
                  g_task_get_cancellable (task), probe_cb, g_object_ref (task));
}

/**
 * ph_troubleshoot_async:
 * @host: (nullable): an IP address (IPv6 may carry "%scope"), "localhost", or %NULL for the
 *   port on this computer
 * @port: the port, or -1 when none was given
 * @options: (nullable): timeouts
 *
 * Tries to connect to @host:@port and finds out why it works or does not. The blocking
 * part runs in a worker thread with short timeouts; never more than a few seconds in all.
 */
void
ph_troubleshoot_async (const char                  *host,
                       int                          port,
                       PhPortProtocol               protocol,
                       const PhTroubleshootOptions *options,
                       GCancellable                *cancellable,
                       GAsyncReadyCallback          callback,
                       gpointer                     user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GTask) worker = NULL;
  Job *job = g_new0 (Job, 1);

  g_return_if_fail (port <= 65535);

  g_task_set_source_tag (task, ph_troubleshoot_async);
  job->host = g_strdup (host);
  job->port = port;
  job->protocol = protocol;
  if (options != NULL)
    job->options = *options;
  if (job->options.connect_timeout_ms == 0)
    job->options.connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
  if (job->options.answer_timeout_ms == 0)
    job->options.answer_timeout_ms = DEFAULT_ANSWER_TIMEOUT_MS;
  job->diagnosis = g_new0 (PhDiagnosis, 1);
  job->diagnosis->host = g_strdup (host);
  job->diagnosis->port = port;
  job->diagnosis->status = PH_PORT_STATUS_UNKNOWN;
  job->diagnosis->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) attempt_free);
  job->diagnosis->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);

  /* The worker shares the job; the outer task outlives it (thread_cb holds it). */
  worker = g_task_new (NULL, cancellable, thread_cb, g_object_ref (task));
  g_task_set_source_tag (worker, diagnose_in_thread);
  g_task_set_task_data (worker, job, NULL);
  g_task_run_in_thread (worker, diagnose_in_thread);
}

PhDiagnosis *
ph_troubleshoot_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ph_troubleshoot_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sync_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* For the command line: runs ph_troubleshoot_async() to its end in a main context of its
 * own. */
PhDiagnosis *
ph_troubleshoot_sync (const char                  *host,
                      int                          port,
                      PhPortProtocol               protocol,
                      const PhTroubleshootOptions *options,
                      GError                     **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  ph_troubleshoot_async (host, port, protocol, options, NULL, sync_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return ph_troubleshoot_finish (result, error);
}
