/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cli-list.h — porthole --list: one scan, printed as a grouped table or as JSON */
#pragma once

#include <gio/gio.h>

#include "ph-service-list.h"

G_BEGIN_DECLS

/* The version of the JSON document (src/cli/JSON.md); bump it on incompatible changes. */
#define PH_CLI_JSON_VERSION 1

gboolean        ph_cli_list_scan        (PhServiceList        *list,
                                         char                **source,
                                         GError              **error);
void            ph_cli_list_scan_async  (GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
PhServiceList  *ph_cli_list_scan_finish (GAsyncResult         *result,
                                         GError              **error);

void            ph_cli_json_string      (GString              *out,
                                         const char           *text);
void            ph_cli_json_member      (GString              *out,
                                         const char           *before,
                                         const char           *text);

/* (element-type PhForwardedPort) published ports that no listed socket holds */
GArray   *ph_cli_list_forwarded    (PhServiceList  *list);

G_END_DECLS
