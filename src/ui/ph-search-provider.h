/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-search-provider.h — GNOME Shell search: listeners matching what is typed in the overview */
#pragma once

#include <gio/gio.h>

#include "ph-service.h"
#include "ph-service-list.h"

G_BEGIN_DECLS

#define PH_TYPE_SEARCH_PROVIDER (ph_search_provider_get_type ())
G_DECLARE_FINAL_TYPE (PhSearchProvider, ph_search_provider, PH, SEARCH_PROVIDER, GObject)

/* Opens the window on a listener (the text to search for) or on a search. */
typedef void (*PhSearchOpenFunc) (GApplication *application,
                                  const char   *search_text,
                                  guint32       timestamp);

PhSearchProvider *ph_search_provider_new        (GApplication      *application,
                                                 PhSearchOpenFunc   open);
gboolean          ph_search_provider_register   (PhSearchProvider  *self,
                                                 GDBusConnection   *connection,
                                                 const char        *object_path,
                                                 GError           **error);
void              ph_search_provider_unregister (PhSearchProvider  *self);

GPtrArray        *ph_search_provider_match      (PhServiceList     *list,
                                                 const char * const *terms);
char             *ph_search_provider_result_id  (PhService         *service);
char             *ph_search_provider_dup_description (PhService    *service);

G_END_DECLS
