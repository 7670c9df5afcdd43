/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-application.h — the Porthole application: actions, command line, windows */
#pragma once

#include <adwaita.h>

#include "ph-scanner.h"

G_BEGIN_DECLS

#define PH_TYPE_APPLICATION (ph_application_get_type ())
G_DECLARE_FINAL_TYPE (PhApplication, ph_application, PH, APPLICATION, AdwApplication)

PhApplication *ph_application_new          (void);
PhScanner     *ph_application_take_scanner (PhApplication *self);

G_END_DECLS
