/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-process.h — the facts of one process that owns a listening socket */
#pragma once

#include <glib-object.h>

#include "ph-app-identity.h"
#include "ph-protocol-reader.h"

G_BEGIN_DECLS

#define PH_TYPE_PROCESS (ph_process_get_type ())

G_DECLARE_FINAL_TYPE (PhProcess, ph_process, PH, PROCESS, GObject)

PhProcess          *ph_process_new                (gint64           pid,
                                                   guint64          start_time);
PhProcess          *ph_process_new_from_record    (const PhRecord  *record,
                                                   GError         **error);
PhProcess          *ph_process_new_from_record_sharing (const PhRecord  *record,
                                                        GPtrArray       *others,
                                                        GError         **error);
gboolean            ph_process_update_from_record (PhProcess       *self,
                                                   const PhRecord  *record,
                                                   gboolean        *identity_changed);

gint64              ph_process_get_pid            (PhProcess       *self);
guint64             ph_process_get_start_time     (PhProcess       *self);
gint64              ph_process_get_ppid           (PhProcess       *self);
gint64              ph_process_get_uid            (PhProcess       *self);
const char         *ph_process_get_user           (PhProcess       *self);
const char         *ph_process_get_comm           (PhProcess       *self);
const char         *ph_process_get_exe            (PhProcess       *self);
const char         *ph_process_get_cwd            (PhProcess       *self);
const char * const *ph_process_get_argv           (PhProcess       *self);
const char         *ph_process_get_command_line   (PhProcess       *self);
GBytes             *ph_process_get_cmdline_bytes  (PhProcess       *self);
const char         *ph_process_get_cgroup         (PhProcess       *self);
const char         *ph_process_get_manager        (PhProcess       *self);
const char         *ph_process_get_unit           (PhProcess       *self);
const char         *ph_process_get_app_id         (PhProcess       *self);
const char         *ph_process_get_search_text    (PhProcess       *self);
const char         *ph_process_get_container      (PhProcess       *self);
const char         *ph_process_get_container_kind (PhProcess       *self);
const char         *ph_process_get_slice          (PhProcess       *self);
const char         *ph_process_get_app_name       (PhProcess       *self);
const char         *ph_process_get_app_icon       (PhProcess       *self);

const char         *ph_process_get_comm_raw       (PhProcess       *self);
char               *ph_process_dup_display_name   (PhProcess       *self);
const char         *ph_process_get_exe_raw        (PhProcess       *self);
const char         *ph_process_get_cwd_raw        (PhProcess       *self);
char              **ph_process_dup_argv_raw       (PhProcess       *self);

PhAppIdentity      *ph_process_get_identity       (PhProcess       *self);

G_END_DECLS
