/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-window-private.h — what ph-window.c and ph-window-actions.c share */
#pragma once

#include "ph-detail-pane.h"
#include "ph-scanner.h"
#include "ph-window.h"

G_BEGIN_DECLS

struct _PhWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;
  PhScanner *scanner;
  GtkCustomFilter *filter;
  GtkFilterListModel *filter_model;
  GtkSingleSelection *selection;
  GCancellable *cancellable;

  /* What the search asks for: words to filter by, or an address to explain. */
  char *query;
  guint query_port;
  /* ph_window_show_search() came before the first scan: search again when it arrives. */
  gboolean search_pending;

  /* Template children */
  AdwToastOverlay *toast_overlay;
  AdwNavigationSplitView *split_view;
  GtkSearchEntry *search_entry;
  AdwBanner *scanner_banner;
  AdwBanner *hidden_banner;
  AdwBanner *limitation_banner;
  GtkStack *list_stack;
  GtkListView *service_list;
  AdwStatusPage *empty_page;
  AdwStatusPage *no_results_page;
  GtkStack *detail_stack;
  AdwStatusPage *none_page;
  char *none_description;
  PhDetailPane *detail_pane;
  GMenuModel *row_menu;
  GtkWidget *row_popover;
};

void ph_window_class_init_actions (PhWindowClass *klass);
void ph_window_update_actions     (PhWindow      *self);
void ph_window_toast              (PhWindow      *self,
                                   const char    *text);
PhService *ph_window_get_selected_service (PhWindow *self);

G_END_DECLS
