/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-section-model.c — the service list as GtkListView sections, one per application */
#include "config.h"

#include "ph-section-model.h"
#include "ph-service-list.h"

/* PhServiceList already keeps its services in section order (group rank, name and key,
 * then port), so sections are runs of neighbours with the same group key. Exposing them
 * directly spares a GtkSortListModel, which re-maps every position on each change: with
 * 2,000 services that cost milliseconds per refresh. */
struct _PhSectionModel
{
  GObject parent_instance;

  PhServiceList *services;
};

static void ph_section_model_list_model_init    (GListModelInterface      *iface);
static void ph_section_model_section_model_init (GtkSectionModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PhSectionModel, ph_section_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ph_section_model_list_model_init)
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SECTION_MODEL,
                                                      ph_section_model_section_model_init))

static GType
ph_section_model_get_item_type (GListModel *model)
{
  return PH_TYPE_SERVICE;
}

static guint
ph_section_model_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (PH_SECTION_MODEL (model)->services));
}

static gpointer
ph_section_model_get_item (GListModel *model,
                           guint       position)
{
  return g_list_model_get_item (G_LIST_MODEL (PH_SECTION_MODEL (model)->services), position);
}

static void
ph_section_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ph_section_model_get_item_type;
  iface->get_n_items = ph_section_model_get_n_items;
  iface->get_item = ph_section_model_get_item;
}

static void
ph_section_model_get_section (GtkSectionModel *model,
                              guint            position,
                              guint           *out_start,
                              guint           *out_end)
{
  ph_service_list_get_section (PH_SECTION_MODEL (model)->services, position, out_start, out_end);
}

static void
ph_section_model_section_model_init (GtkSectionModelInterface *iface)
{
  iface->get_section = ph_section_model_get_section;
}

/* Forward the change, then re-announce the sections at its edges: an item that was in
 * the middle of a section may now start one (or the other way round), outside the range
 * items-changed covers. Nothing else changes sections: a service whose group changed
 * stands under its old group until the items-changed that moves it
 * (ph_service_list_get_section() in the middle of a change set). A change between two
 * services of one section (the list being sorted by group, so was everything it removed)
 * moves no section's edge: most changes of a long list, and the re-announcement costs
 * the list view as much as the change itself. */
static void
on_items_changed (PhSectionModel *self,
                  guint           position,
                  guint           removed,
                  guint           added,
                  GListModel     *services)
{
  guint n = g_list_model_get_n_items (services);
  guint first = position > 0 ? position - 1 : 0;
  guint last = MIN (position + added + 1, n);

  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (position > 0 && position + added < n)
    {
      guint start, end;

      ph_service_list_get_section (self->services, position - 1, &start, &end);
      if (end > position + added)
        return;
    }
  if (last > first)
    gtk_section_model_sections_changed (GTK_SECTION_MODEL (self), first, last - first);
}

static void
ph_section_model_dispose (GObject *object)
{
  PhSectionModel *self = PH_SECTION_MODEL (object);

  if (self->services != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->services, on_items_changed, self);
    }
  g_clear_object (&self->services);

  G_OBJECT_CLASS (ph_section_model_parent_class)->dispose (object);
}

static void
ph_section_model_class_init (PhSectionModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ph_section_model_dispose;
}

static void
ph_section_model_init (PhSectionModel *self)
{
}

PhSectionModel *
ph_section_model_new (PhServiceList *services)
{
  PhSectionModel *self = g_object_new (PH_TYPE_SECTION_MODEL, NULL);

  self->services = g_object_ref (services);
  g_signal_connect_swapped (services, "items-changed", G_CALLBACK (on_items_changed), self);
  return self;
}
