/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-reach-picture.h — who can connect, drawn as nested zones */
#pragma once

#include <gtk/gtk.h>

#include "ph-picture.h"

G_BEGIN_DECLS

#define PH_TYPE_REACH_PICTURE (ph_reach_picture_get_type ())
G_DECLARE_FINAL_TYPE (PhReachPicture, ph_reach_picture, PH, REACH_PICTURE, PhPicture)

GtkWidget *ph_reach_picture_new         (void);
void       ph_reach_picture_set_address (PhReachPicture *self,
                                         const char     *host,
                                         int             port);

G_END_DECLS
