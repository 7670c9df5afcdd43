/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-port-line.h — a picture of where a port sits among all 65,536 */
#pragma once

#include <gtk/gtk.h>

#include "ph-picture.h"
#include "ph-service-list.h"

G_BEGIN_DECLS

#define PH_TYPE_PORT_LINE (ph_port_line_get_type ())
G_DECLARE_FINAL_TYPE (PhPortLine, ph_port_line, PH, PORT_LINE, PhPicture)

GtkWidget  *ph_port_line_new             (void);
int         ph_port_line_get_port        (PhPortLine *self);
void        ph_port_line_set_port        (PhPortLine *self,
                                          int         port);
void        ph_port_line_set_services    (PhPortLine    *self,
                                          PhServiceList *services);

G_END_DECLS
