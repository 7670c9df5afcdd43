/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-row.h — one listening socket in the sidebar list */
#pragma once

#include <adwaita.h>

#include "ph-service.h"

G_BEGIN_DECLS

/* The texts a row shows. */
typedef enum
{
  PH_SERVICE_ROW_PORT,     /* "5432" */
  PH_SERVICE_ROW_ADDRESS,  /* "127.0.0.1 · TCP" */
  PH_SERVICE_ROW_DETAIL,   /* "Registered port · postgres" */
  PH_SERVICE_ROW_N_TEXTS,
} PhServiceRowText;

#define PH_TYPE_SERVICE_ROW (ph_service_row_get_type ())
G_DECLARE_FINAL_TYPE (PhServiceRow, ph_service_row, PH, SERVICE_ROW, GtkWidget)

PhServiceRow *ph_service_row_new            (void);
PhService    *ph_service_row_get_service    (PhServiceRow *self);
void          ph_service_row_set_service    (PhServiceRow *self,
                                             PhService    *service);
const char   *ph_service_row_get_text       (PhServiceRow     *self,
                                             PhServiceRowText  which);
const char   *ph_service_row_get_accessible_label (PhServiceRow *self);
void          ph_service_row_set_list_item        (PhServiceRow *self,
                                                   GtkListItem  *item);
char         *ph_service_row_dup_accessible_label (PhService *service);
char         *ph_service_row_dup_guess            (PhService *service);

G_END_DECLS
