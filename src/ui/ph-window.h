/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-window.h — the main window: service list in the sidebar, details in the content */
#pragma once

#include <adwaita.h>

#include "ph-application.h"

G_BEGIN_DECLS

#define PH_TYPE_WINDOW (ph_window_get_type ())
G_DECLARE_FINAL_TYPE (PhWindow, ph_window, PH, WINDOW, AdwApplicationWindow)

PhWindow *ph_window_new         (PhApplication *application);
void      ph_window_show_search (PhWindow      *self,
                                 const char    *text);

G_END_DECLS
