/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-window-private.h — what ph-window.c and ph-window-actions.c share */
#pragma once

#include "ph-detail-pane.h"
#include "ph-scanner.h"
#include "ph-search-query.h"
#include "ph-window.h"

G_BEGIN_DECLS

struct _PhWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  PhScanner *scanner;
  GCancellable *cancellable;
  /* What the search asks for: words or a port to filter by, an address to explain. */
  PhSearchQuery *query;
  GStrv          search_terms;  /* query->words split and case-folded once, for the filter */
  /* ph_window_show_search() came before the first scan: search again when it arrives. */
  gboolean search_pending;
  /* Free Port flows under way (PhFreePortFlow), cancelled when the window goes. */
  GPtrArray *flows;
  /* The window has been on screen (mapped, neither minimised nor suspended) at least once:
   * only from then on does leaving the screen pause the scanner. */
  gboolean been_seen;
  /* Rows the list view let go, for the next it makes (PhServiceRow, at most a few). */
  GPtrArray *row_pool;

  /* Template children */
  AdwToastOverlay *toast_overlay;
  AdwNavigationSplitView *split_view;
  GtkSearchEntry *search_entry;
  AdwBanner *scanner_banner;
  AdwBanner *hidden_banner;
  AdwBanner *limitation_banner;
  GtkStack *list_stack;
  GtkWidget *loading_spinner;   /* shown once the first list is late (show_spinner_cb) */
  guint      spinner_source;
  GtkListView *service_list;
  GtkFilterListModel *filter_model;
  GtkCustomFilter *filter;           /* ours; on filter_model only while a search is typed */
  GtkSingleSelection *selection;
  AdwStatusPage *empty_page;
  AdwStatusPage *no_results_page;
  GtkStack *detail_stack;
  AdwStatusPage *none_page;
  char *none_description;
  PhDetailPane *detail_pane;
  GtkWidget *row_popover;
  GMenu *lever_section;      /* the row menu's Free Port… or Stop Service… */
};

void       ph_window_class_init_actions    (PhWindowClass *klass);
void       ph_window_update_actions        (PhWindow      *self);
void       ph_window_cancel_flows          (PhWindow      *self);
void       ph_window_toast                 (PhWindow      *self,
                                            const char    *text);
PhService *ph_window_get_selected_service  (PhWindow      *self);
void       ph_window_popup_row_menu        (PhWindow      *self,
                                            int            x,
                                            int            y);

G_END_DECLS
