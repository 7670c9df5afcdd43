/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-preferences-dialog.h — refresh interval, UDP and IPv6 preferences */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PH_TYPE_PREFERENCES_DIALOG (ph_preferences_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PhPreferencesDialog, ph_preferences_dialog, PH, PREFERENCES_DIALOG,
                      AdwPreferencesDialog)

PhPreferencesDialog *ph_preferences_dialog_new (void);

G_END_DECLS
