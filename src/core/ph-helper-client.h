/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-helper-client.h — starting porthole-helper, checking it speaks our protocol, its failures */
#pragma once

#include <gio/gio.h>

#include "ph-protocol-reader.h"

G_BEGIN_DECLS

#define PH_HELPER_ERROR (ph_helper_error_quark ())

/* Every way running the helper can fail; each message says what to do about it. */
typedef enum
{
  PH_HELPER_ERROR_NOT_FOUND,        /* the helper program is not where it should be */
  PH_HELPER_ERROR_SPAWN_FAILED,     /* it could not be started (or not on the host) */
  PH_HELPER_ERROR_VERSION_MISMATCH, /* it speaks another protocol version */
  PH_HELPER_ERROR_NOT_AUTHORIZED,   /* pkexec: not allowed, or no authentication agent */
  PH_HELPER_ERROR_DISMISSED,        /* pkexec: the authentication dialog was dismissed */
  PH_HELPER_ERROR_CRASHED,          /* it stopped unexpectedly */
  PH_HELPER_ERROR_PROTOCOL,         /* it wrote something that is not the protocol */
} PhHelperError;

GQuark ph_helper_error_quark (void);

/* Where the helper runs. A new place (ssh to another computer) is a new mode: its argv
 * prefix in ph_helper_client_build_argv() and, if the program there may differ from
 * ours, the version check before the first spawn. */
typedef enum
{
  PH_HELPER_MODE_CHILD,    /* a child process: $PORTHOLE_HELPER, or the installed helper */
  PH_HELPER_MODE_FLATPAK,  /* on the host, from inside a Flatpak: flatpak-spawn --host */
  PH_HELPER_MODE_SANDBOX,  /* inside a Flatpak that may not run it on the host: a child that
                            * sees the sockets but not their owners */
} PhHelperMode;

/* How a verb's exit status is judged by ph_helper_client_run(). */
typedef enum
{
  PH_HELPER_RUN_NONE = 0,
  /* The exit status is an outcome (stop), not a failure: see PhStopOutcome. */
  PH_HELPER_RUN_EXIT_IS_OUTCOME = 1 << 0,
} PhHelperRunFlags;

#define PH_TYPE_HELPER_CLIENT (ph_helper_client_get_type ())

G_DECLARE_FINAL_TYPE (PhHelperClient, ph_helper_client, PH, HELPER_CLIENT, GObject)

PhHelperClient  *ph_helper_client_new                (gboolean              elevated,
                                                      GError              **error);
PhHelperMode     ph_helper_client_get_mode           (PhHelperClient       *self);
const char      *ph_helper_client_get_helper_path    (PhHelperClient       *self);
char           **ph_helper_client_build_argv         (PhHelperClient       *self,
                                                      const char * const   *args);
char            *ph_helper_client_dup_limitation     (PhHelperClient       *self);
char            *ph_helper_client_dup_limitation_title (PhHelperClient     *self);
const char      *ph_helper_client_get_override_command (PhHelperClient     *self);

void             ph_helper_client_spawn_async        (PhHelperClient       *self,
                                                      const char * const   *args,
                                                      GSubprocessFlags      flags,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GSubprocess     *ph_helper_client_try_spawn          (PhHelperClient       *self,
                                                      const char * const   *args,
                                                      GSubprocessFlags      flags,
                                                      GError              **error);
GSubprocess     *ph_helper_client_spawn_finish       (PhHelperClient       *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

GBytes          *ph_helper_client_run                (PhHelperClient       *self,
                                                      const char * const   *args,
                                                      PhHelperRunFlags      flags,
                                                      int                  *exit_status,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
void             ph_helper_client_run_async          (PhHelperClient       *self,
                                                      const char * const   *args,
                                                      PhHelperRunFlags      flags,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
GBytes          *ph_helper_client_run_finish         (PhHelperClient       *self,
                                                      GAsyncResult         *result,
                                                      int                  *exit_status,
                                                      GError              **error);

gboolean         ph_helper_client_check_hello        (const PhRecord       *record,
                                                      GError              **error);
gboolean         ph_helper_client_check_version_line (const char           *line,
                                                      GError              **error);
GError          *ph_helper_client_exit_error         (PhHelperClient       *self,
                                                      GSubprocess          *subprocess,
                                                      const char           *last_stderr);

G_END_DECLS
