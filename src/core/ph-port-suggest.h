/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-port-suggest.h — the nearest free port no common developer tool uses, checked by binding */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where to start without a port in mind: a registered port web dev servers are often
 * moved to. */
#define PH_PORT_SUGGEST_DEFAULT_NEAR 8000

guint ph_port_suggest        (guint                near);
void  ph_port_suggest_async  (guint                near,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
guint ph_port_suggest_finish (GAsyncResult        *result,
                              GError             **error);

G_END_DECLS
