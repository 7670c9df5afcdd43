/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner-private.h — what the pieces of PhScanner share (ph-scanner*.c) */
#pragma once

#include "ph-helper-client.h"
#include "ph-scanner.h"
#include "ph-scanner-reader.h"

G_BEGIN_DECLS

struct _PhScanner
{
  GObject            parent_instance;

  PhServiceList     *services;

  /* The current run of the helper; the cancellable ends every callback of the run. */
  GCancellable      *cancellable;
  PhHelperClient    *client;
  GSubprocess       *subprocess;
  GDataInputStream  *stdout_stream;
  PhScannerReader   *reader;        /* reads stdout_stream in a thread */
  GDataInputStream  *stderr_stream;
  GOutputStream     *stdin_stream;
  GString           *write_queue;
  GBytes            *writing;
  char              *helper_pid;
  char              *limitation;
  char              *limitation_title;
  char              *override_command;
  char              *last_stderr;
  gint64             running_since;
  gboolean           hello_seen;

  PhScannerState     state;
  char              *error_message;
  char              *source;

  guint              refresh_interval;
  gboolean           paused;      /* no timed refresh: nobody sees the list */
  gboolean           show_udp;
  gboolean           show_ipv6;

  /* Unlock: the helper runs as root through pkexec; unlocking while one is asked for. */
  gboolean           elevated;
  gboolean           unlocking;

  guint              retry_delay;
  guint              retry_source;

  /* The container engines are asked when the set of ports their helpers hold changes,
   * one query at a time: one asked for meanwhile (containers_again) follows it. The
   * cancellable ends a query only when the scanner goes. */
  GCancellable      *containers_cancellable;
  char              *containers_ids;
  gboolean           containers_again;
};

/* ph-scanner.c: the state; each setter notifies only on a real change */

void              ph_scanner_set_state         (PhScanner        *self,
                                                PhScannerState    state,
                                                const char       *error_message);
void              ph_scanner_set_source        (PhScanner        *self,
                                                const char       *source);
void              ph_scanner_set_helper_pid    (PhScanner        *self,
                                                const char       *pid);
void              ph_scanner_set_limitation    (PhScanner        *self,
                                                const char       *limitation,
                                                const char       *title,
                                                const char       *override_command);
void              ph_scanner_set_elevated      (PhScanner        *self,
                                                gboolean          elevated);
void              ph_scanner_emit_warning      (PhScanner        *self,
                                                const char       *code,
                                                const char       *message);
void              ph_scanner_end_run           (PhScanner        *self);
void              ph_scanner_fail              (PhScanner        *self,
                                                const char       *message);

/* ph-scanner-run.c: one run of the helper */

void              ph_scanner_start_run         (PhScanner        *self);
void              ph_scanner_send_command      (PhScanner        *self,
                                                const char       *command);
void              ph_scanner_maybe_query_containers (PhScanner   *self);
GStrv             ph_scanner_watch_args        (PhScanner        *self);
GDataInputStream *ph_scanner_new_stdout_stream (GSubprocess      *subprocess);
void              ph_scanner_adopt_subprocess  (PhScanner        *self,
                                                GSubprocess      *subprocess,
                                                GDataInputStream *stdout_stream);

G_END_DECLS
