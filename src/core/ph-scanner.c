/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner.c — PhScanner: its state, properties and back-off restarts (a run of the
 * helper: ph-scanner-run.c; Unlock: ph-scanner-unlock.c) */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "porthole-scanner"

#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>

#include "ph-helper-client.h"
#include "ph-scanner-private.h"

#define RETRY_FIRST_MS   500
#define RETRY_MAX_MS     30000
/* A helper that ran this long before it stopped is not crashing in a loop. */
#define STABLE_RUN_US    (30 * G_USEC_PER_SEC)

enum {
  PROP_0,
  PROP_SERVICES,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_SOURCE,
  PROP_HIDDEN_COUNT,
  PROP_REFRESH_INTERVAL,
  PROP_SHOW_UDP,
  PROP_SHOW_IPV6,
  PROP_RETRY_DELAY,
  PROP_HELPER_PID,
  PROP_ELEVATED,
  PROP_LIMITATION,
  N_PROPS
};

enum {
  WARNING,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PhScanner, ph_scanner, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (PhScannerState, ph_scanner_state,
                    G_DEFINE_ENUM_VALUE (PH_SCANNER_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (PH_SCANNER_STATE_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (PH_SCANNER_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (PH_SCANNER_STATE_FAILED, "failed"))

/* ---- state ------------------------------------------------------------------------ */

/* ---- state ------------------------------------------------------------------------ */

void
ph_scanner_set_state (PhScanner      *self,
                      PhScannerState  state,
                      const char     *error_message)
{
  /* The message first: a handler of notify::state reads it. */
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

void
ph_scanner_set_source (PhScanner  *self,
                       const char *source)
{
  if (g_strcmp0 (self->source, source) == 0)
    return;
  g_free (self->source);
  self->source = g_strdup (source);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

void
ph_scanner_set_helper_pid (PhScanner  *self,
                           const char *pid)
{
  if (g_strcmp0 (self->helper_pid, pid) == 0)
    return;
  g_free (self->helper_pid);
  self->helper_pid = g_strdup (pid);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HELPER_PID]);
}

/* What the place the helper runs in keeps from view (ph_helper_client_dup_limitation()). */
void
ph_scanner_set_limitation (PhScanner  *self,
                           const char *limitation,
                           const char *title,
                           const char *override_command)
{
  g_free (self->override_command);
  self->override_command = g_strdup (override_command);
  g_free (self->limitation_title);
  self->limitation_title = g_strdup (title);
  if (g_strcmp0 (self->limitation, limitation) == 0)
    return;
  g_free (self->limitation);
  self->limitation = g_strdup (limitation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMITATION]);
}

/* Ends the current run: every pending callback of it gets G_IO_ERROR_CANCELLED. */
void
ph_scanner_end_run (PhScanner *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);

  if (self->subprocess != NULL)
    g_subprocess_force_exit (self->subprocess);
  g_clear_object (&self->subprocess);
  g_clear_pointer (&self->reader, ph_scanner_reader_stop);
  g_clear_object (&self->stdout_stream);
  g_clear_object (&self->stderr_stream);
  g_clear_object (&self->stdin_stream);
  g_string_truncate (self->write_queue, 0);
  g_clear_pointer (&self->writing, g_bytes_unref);
  g_clear_pointer (&self->last_stderr, g_free);
  g_clear_pointer (&self->containers_ids, g_free);
  self->hello_seen = FALSE;
  self->running_since = 0;
  ph_scanner_set_helper_pid (self, NULL);

  /* A change set cut off in the middle never shows. */
  ph_service_list_abort (self->services);
}

static gboolean
retry_cb (gpointer user_data)
{
  PhScanner *self = user_data;

  self->retry_source = 0;
  ph_scanner_start_run (self);
  return G_SOURCE_REMOVE;
}

/* The first back-off step. Tests that need to see the "scanner stopped" state for a while
 * lengthen it with PORTHOLE_RETRY_DELAY_MS. */
static guint
retry_first_ms (void)
{
  const char *text = g_getenv ("PORTHOLE_RETRY_DELAY_MS");
  guint64 ms;

  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 1, RETRY_MAX_MS, &ms, NULL))
    return (guint) ms;
  return RETRY_FIRST_MS;
}

/* The helper stopped or could not start: say so, and try again later, each time waiting
 * twice as long, so a helper that cannot run does not eat the CPU. */
void
ph_scanner_fail (PhScanner  *self,
                 const char *message)
{
  guint delay;

  g_debug ("scanner failed: %s", message);

  if (self->running_since != 0 &&
      g_get_monotonic_time () - self->running_since >= STABLE_RUN_US)
    self->retry_delay = retry_first_ms ();

  ph_scanner_end_run (self);
  ph_scanner_set_state (self, PH_SCANNER_STATE_FAILED, message);

  delay = self->retry_delay;
  self->retry_delay = MIN (self->retry_delay * 2, RETRY_MAX_MS);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_DELAY]);

  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_full (G_PRIORITY_DEFAULT, delay, retry_cb, self, NULL);
}

void
ph_scanner_set_elevated (PhScanner *self,
                         gboolean   elevated)
{
  if (self->elevated == elevated)
    return;
  self->elevated = elevated;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ELEVATED]);
}

/* Something the helper wants known, as PhScanner::warning. */
void
ph_scanner_emit_warning (PhScanner  *self,
                         const char *code,
                         const char *message)
{
  g_signal_emit (self, signals[WARNING], 0, code, message);
}

/* ---- GObject ---------------------------------------------------------------------- */

static void
on_hidden_count_changed (PhScanner *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIDDEN_COUNT]);
}

static void
ph_scanner_dispose (GObject *object)
{
  PhScanner *self = (PhScanner *)object;

  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (self->containers_cancellable != NULL)
    g_cancellable_cancel (self->containers_cancellable);
  g_clear_object (&self->containers_cancellable);
  if (self->services != NULL)
    {
      ph_scanner_end_run (self);
      g_signal_handlers_disconnect_by_data (self->services, self);
    }

  G_OBJECT_CLASS (ph_scanner_parent_class)->dispose (object);
}

static void
ph_scanner_finalize (GObject *object)
{
  PhScanner *self = (PhScanner *)object;

  g_clear_object (&self->services);
  if (self->write_queue != NULL)
    g_string_free (g_steal_pointer (&self->write_queue), TRUE);
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->helper_pid, g_free);
  g_clear_pointer (&self->limitation, g_free);
  g_clear_pointer (&self->limitation_title, g_free);
  g_clear_pointer (&self->override_command, g_free);
  g_clear_pointer (&self->last_stderr, g_free);

  G_OBJECT_CLASS (ph_scanner_parent_class)->finalize (object);
}

static void
ph_scanner_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PhScanner *self = PH_SCANNER (object);

  switch (prop_id)
    {
    case PROP_SERVICES:
      g_value_set_object (value, self->services);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;

    case PROP_HIDDEN_COUNT:
      g_value_set_uint (value, ph_scanner_get_hidden_count (self));
      break;

    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh_interval);
      break;

    case PROP_SHOW_UDP:
      g_value_set_boolean (value, self->show_udp);
      break;

    case PROP_SHOW_IPV6:
      g_value_set_boolean (value, self->show_ipv6);
      break;

    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay);
      break;

    case PROP_LIMITATION:
      g_value_set_string (value, self->limitation);
      break;

    case PROP_HELPER_PID:
      g_value_set_string (value, self->helper_pid);
      break;

    case PROP_ELEVATED:
      g_value_set_boolean (value, self->elevated);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_scanner_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PhScanner *self = PH_SCANNER (object);

  switch (prop_id)
    {
    case PROP_REFRESH_INTERVAL:
      ph_scanner_set_refresh_interval (self, g_value_get_uint (value));
      break;

    case PROP_SHOW_UDP:
      ph_scanner_set_show_udp (self, g_value_get_boolean (value));
      break;

    case PROP_SHOW_IPV6:
      ph_scanner_set_show_ipv6 (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_scanner_class_init (PhScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = ph_scanner_dispose;
  object_class->finalize = ph_scanner_finalize;
  object_class->get_property = ph_scanner_get_property;
  object_class->set_property = ph_scanner_set_property;

  properties[PROP_SERVICES] =
    g_param_spec_object ("services", NULL, NULL, PH_TYPE_SERVICE_LIST, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PH_TYPE_SCANNER_STATE, PH_SCANNER_STATE_STOPPED, ro);
  /* Why the scanner failed, for a person; NULL while it works. */
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  /* Where sockets come from: "netlink" or "procfs". */
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, ro);
  /* Sockets whose owners the helper cannot see: the GUI offers to unlock. */
  properties[PROP_HIDDEN_COUNT] =
    g_param_spec_uint ("hidden-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /* Seconds between refreshes; 0: only when asked (ph_scanner_refresh()). */
  properties[PROP_REFRESH_INTERVAL] =
    g_param_spec_uint ("refresh-interval", NULL, NULL, 0, 3600, 2, rw);
  properties[PROP_SHOW_UDP] = g_param_spec_boolean ("show-udp", NULL, NULL, TRUE, rw);
  properties[PROP_SHOW_IPV6] = g_param_spec_boolean ("show-ipv6", NULL, NULL, TRUE, rw);
  /* Milliseconds before the next restart after a failure. */
  properties[PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 0, G_MAXUINT, RETRY_FIRST_MS, ro);
  /* The helper's process id (as GSubprocess gives it), while it runs. */
  properties[PROP_HELPER_PID] = g_param_spec_string ("helper-pid", NULL, NULL, NULL, ro);
  /* The helper runs as root through pkexec (after ph_scanner_unlock_async()). */
  properties[PROP_ELEVATED] = g_param_spec_boolean ("elevated", NULL, NULL, FALSE, ro);
  /* What Porthole cannot see from where its helper runs, and what to do, for a person
   * (a Flatpak without permission to run the helper on the host); NULL when nothing. */
  properties[PROP_LIMITATION] = g_param_spec_string ("limitation", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PhScanner::warning:
   * @code: the helper's code, such as "netlink-unavailable"
   * @message: the helper's (English) message
   *
   * Something the helper wants known; the scan goes on.
   */
  signals[WARNING] = g_signal_new ("warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   G_TYPE_STRING, G_TYPE_STRING);

  /* Writing a command to a helper that just died must not kill Porthole: the helper's
   * exit is reported through its exit status instead. */
  signal (SIGPIPE, SIG_IGN);
}

static void
ph_scanner_init (PhScanner *self)
{
  self->services = ph_service_list_new ();
  self->write_queue = g_string_new (NULL);
  self->refresh_interval = 2;
  self->show_udp = TRUE;
  self->show_ipv6 = TRUE;
  self->retry_delay = retry_first_ms ();
  g_signal_connect_swapped (self->services, "notify::hidden-count",
                            G_CALLBACK (on_hidden_count_changed), self);
}

PhScanner *
ph_scanner_new (void)
{
  return g_object_new (PH_TYPE_SCANNER, NULL);
}

/**
 * ph_scanner_get_services:
 *
 * Returns: (transfer none): the services, a #GListModel of #PhService
 */
GListModel *
ph_scanner_get_services (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return G_LIST_MODEL (self->services);
}

/**
 * ph_scanner_get_service_list:
 *
 * Returns: (transfer none): the services, with their lookups
 */
PhServiceList *
ph_scanner_get_service_list (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->services;
}

/* Starts the helper; the list fills when its first change set arrives. */
void
ph_scanner_start (PhScanner *self)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  if (self->state == PH_SCANNER_STATE_STARTING || self->state == PH_SCANNER_STATE_RUNNING)
    return;
  self->retry_delay = retry_first_ms ();
  ph_scanner_start_run (self);
}

/**
 * ph_scanner_bind_settings:
 * @settings: the application's settings
 *
 * Follows the settings keys "refresh-interval", "show-udp" and "show-ipv6". Bind before
 * ph_scanner_start(), so that the helper starts with them.
 */
void
ph_scanner_bind_settings (PhScanner *self,
                          GSettings *settings)
{
  g_return_if_fail (PH_IS_SCANNER (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_settings_bind (settings, "refresh-interval", self, "refresh-interval", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "show-udp", self, "show-udp", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "show-ipv6", self, "show-ipv6", G_SETTINGS_BIND_GET);
}

/* Stops the helper (and any restart); the list keeps what it shows. */
void
ph_scanner_stop (PhScanner *self)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  g_clear_handle_id (&self->retry_source, g_source_remove);
  ph_scanner_end_run (self);
  ph_scanner_set_state (self, PH_SCANNER_STATE_STOPPED, NULL);
}

/* Scans now, and asks the container engines again (a stopped container's forwarded ports
 * hold no socket whose going would make it ask). When the scanner has failed, that means
 * trying again at once. */
void
ph_scanner_refresh (PhScanner *self)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  g_clear_pointer (&self->containers_ids, g_free);
  if (self->state == PH_SCANNER_STATE_RUNNING)
    ph_scanner_maybe_query_containers (self);
  if (self->state == PH_SCANNER_STATE_FAILED)
    ph_scanner_retry (self);
  else
    ph_scanner_send_command (self, PH_COMMAND_REFRESH);
}

/* Restarts the helper at once, without waiting for the back-off. */
void
ph_scanner_retry (PhScanner *self)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  self->retry_delay = retry_first_ms ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_DELAY]);
  ph_scanner_start_run (self);
}

PhScannerState
ph_scanner_get_state (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), PH_SCANNER_STATE_STOPPED);

  return self->state;
}

const char *
ph_scanner_get_error_message (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->error_message;
}

const char *
ph_scanner_get_source (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->source;
}

guint
ph_scanner_get_hidden_count (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), 0);

  return ph_service_list_get_hidden_count (self->services);
}

guint
ph_scanner_get_refresh_interval (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), 0);

  return self->refresh_interval;
}

void
ph_scanner_set_refresh_interval (PhScanner *self,
                                 guint      seconds)
{
  g_autofree char *command = NULL;

  g_return_if_fail (PH_IS_SCANNER (self));

  seconds = MIN (seconds, 3600);
  if (self->refresh_interval == seconds)
    return;

  self->refresh_interval = seconds;
  if (!self->paused)
    {
      command = g_strdup_printf (PH_COMMAND_INTERVAL " %u", seconds * 1000);
      ph_scanner_send_command (self, command);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_INTERVAL]);
}

gboolean
ph_scanner_get_paused (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), FALSE);

  return self->paused;
}

/**
 * ph_scanner_set_paused:
 * @paused: whether the timed refreshes stop
 *
 * While paused the helper keeps running but only scans when asked (its interval is 0):
 * neither it nor we wake up. Resuming restores the interval and scans at once, so the
 * list is up to date as soon as it is seen again.
 */
void
ph_scanner_set_paused (PhScanner *self,
                       gboolean   paused)
{
  g_autofree char *command = NULL;

  g_return_if_fail (PH_IS_SCANNER (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  command = g_strdup_printf (PH_COMMAND_INTERVAL " %u",
                             paused ? 0 : self->refresh_interval * 1000);
  ph_scanner_send_command (self, command);
  if (!paused)
    ph_scanner_send_command (self, PH_COMMAND_REFRESH);
}

/* The helper takes --no-udp and --no-ipv6 only when it starts: restart it. The new full
 * change set removes (or adds) the sockets by diff. */
static void
restart_if_running (PhScanner *self)
{
  if (self->state == PH_SCANNER_STATE_STARTING || self->state == PH_SCANNER_STATE_RUNNING)
    ph_scanner_start_run (self);
}

void
ph_scanner_set_show_udp (PhScanner *self,
                         gboolean   show_udp)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  show_udp = !!show_udp;
  if (self->show_udp == show_udp)
    return;
  self->show_udp = show_udp;
  restart_if_running (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_UDP]);
}

void
ph_scanner_set_show_ipv6 (PhScanner *self,
                          gboolean   show_ipv6)
{
  g_return_if_fail (PH_IS_SCANNER (self));

  show_ipv6 = !!show_ipv6;
  if (self->show_ipv6 == show_ipv6)
    return;
  self->show_ipv6 = show_ipv6;
  restart_if_running (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_IPV6]);
}

/* Milliseconds the next restart after a failure will wait. */
guint
ph_scanner_get_retry_delay (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), 0);

  return self->retry_delay;
}

const char *
ph_scanner_get_helper_pid (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->helper_pid;
}

const char *
ph_scanner_get_limitation (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->limitation;
}

/* The limitation in a few words, for a banner; NULL when there is none. */
const char *
ph_scanner_get_limitation_title (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->limitation != NULL ? self->limitation_title : NULL;
}

/* The command that lifts the limitation, when one does; NULL otherwise. */
const char *
ph_scanner_get_override_command (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), NULL);

  return self->limitation != NULL ? self->override_command : NULL;
}
