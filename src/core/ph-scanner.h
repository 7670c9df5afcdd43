/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner.h — runs porthole-helper watch and keeps a PhServiceList up to date */
#pragma once

#include <gio/gio.h>

#include "ph-service-list.h"

G_BEGIN_DECLS

typedef enum
{
  PH_SCANNER_STATE_STOPPED,    /* not started, or stopped */
  PH_SCANNER_STATE_STARTING,   /* the helper runs; its first list has not arrived yet */
  PH_SCANNER_STATE_RUNNING,    /* the list is live */
  PH_SCANNER_STATE_FAILED,     /* the helper stopped; error-message says why; a restart is due */
} PhScannerState;

#define PH_TYPE_SCANNER_STATE (ph_scanner_state_get_type ())
GType ph_scanner_state_get_type (void);

#define PH_TYPE_SCANNER (ph_scanner_get_type ())

G_DECLARE_FINAL_TYPE (PhScanner, ph_scanner, PH, SCANNER, GObject)

PhScanner      *ph_scanner_new                  (void);
GListModel     *ph_scanner_get_services         (PhScanner           *self);
PhServiceList  *ph_scanner_get_service_list     (PhScanner           *self);
void            ph_scanner_start                (PhScanner           *self);
void            ph_scanner_bind_settings        (PhScanner           *self,
                                                 GSettings           *settings);
void            ph_scanner_stop                 (PhScanner           *self);
void            ph_scanner_refresh              (PhScanner           *self);
void            ph_scanner_retry                (PhScanner           *self);

PhScannerState  ph_scanner_get_state            (PhScanner           *self);
const char     *ph_scanner_get_error_message    (PhScanner           *self);
const char     *ph_scanner_get_source           (PhScanner           *self);
guint           ph_scanner_get_hidden_count     (PhScanner           *self);
guint           ph_scanner_get_refresh_interval (PhScanner           *self);
void            ph_scanner_set_refresh_interval (PhScanner           *self,
                                                 guint                seconds);
gboolean        ph_scanner_get_paused           (PhScanner           *self);
void            ph_scanner_set_paused           (PhScanner           *self,
                                                 gboolean             paused);
void            ph_scanner_set_show_udp         (PhScanner           *self,
                                                 gboolean             show_udp);
void            ph_scanner_set_show_ipv6        (PhScanner           *self,
                                                 gboolean             show_ipv6);
guint           ph_scanner_get_retry_delay      (PhScanner           *self);
const char     *ph_scanner_get_helper_pid       (PhScanner           *self);
gboolean        ph_scanner_get_elevated         (PhScanner           *self);
void            ph_scanner_unlock_async         (PhScanner           *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean        ph_scanner_unlock_finish        (PhScanner           *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
const char     *ph_scanner_get_limitation       (PhScanner           *self);
const char     *ph_scanner_get_limitation_title (PhScanner           *self);
const char     *ph_scanner_get_override_command (PhScanner           *self);

G_END_DECLS
