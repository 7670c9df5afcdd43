/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cli.h — the command-line face: porthole --list, --explain and free, no display needed */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int ph_cli_list    (gboolean    json);
int ph_cli_explain (const char *address,
                    gboolean    json);
int ph_cli_free    (int         argc,
                    char      **argv);

const char *ph_cli_free_exit_help (void);

int ph_cli_suggest (const char *near);

G_END_DECLS
