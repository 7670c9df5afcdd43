/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-section-model.h — the service list as GtkListView sections, one per application */
#pragma once

#include <gtk/gtk.h>

#include "ph-service-list.h"

G_BEGIN_DECLS

#define PH_TYPE_SECTION_MODEL (ph_section_model_get_type ())
G_DECLARE_FINAL_TYPE (PhSectionModel, ph_section_model, PH, SECTION_MODEL, GObject)

PhSectionModel *ph_section_model_new (PhServiceList *services);

G_END_DECLS
