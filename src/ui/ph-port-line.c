/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-port-line.c — a picture of where a port sits among all 65,536 */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ph-picture.h"
#include "ph-port-line.h"
#include "ph-port-scale.h"
#include "ph-service-list.h"

/*
 * Drawn from top to bottom: the port number in a pill with a pointer, the bar of all ports
 * in three class bands (broken where the well-known ports end, since they are drawn wider
 * than to scale), this computer's ephemeral range as a strip under it, the numbers where
 * classes start and end, and a legend that wraps. What lies where comes from
 * ph-port-scale.c; this file only measures text and draws. Every length is a multiple of
 * the height of a line of text, so the picture grows with the text size. Right-to-left,
 * the whole picture is mirrored: port 0 is at the right, as on a mirrored GtkScale.
 * Given the service list (ph_port_line_set_services()), the other ports this computer
 * listens on are small ticks along the bar's lower edge, with a legend item of their own.
 */

enum
{
  INK_SYSTEM,     /* same order as PhPortBand */
  INK_USER,
  INK_DYNAMIC,
  INK_EPHEMERAL,
  INK_OUTLINE,
  INK_MARKER,
  INK_PILL,
  INK_PILL_TEXT,
  N_INKS
};

static const char *const ink_classes[N_INKS + 1] = {
  "well-known", "registered", "dynamic", "ephemeral", "outline", "marker", "pill", "pill-text", NULL
};

/* The legend: one item per band, the note that the scale is broken, and the ticks (only
 * when there are other ports). */
#define N_LEGEND (PH_PORT_N_BANDS + 2)
#define LEGEND_NOTE PH_PORT_N_BANDS
#define LEGEND_TICKS (PH_PORT_N_BANDS + 1)
#define N_NUMBERS 4

struct _PhPortLine
{
  PhPicture parent_instance;

  int port;               /* -1: none */
  PhPortLineModel model;

  /* The other ports this computer listens on: one bit per port, and how many. */
  PhServiceList *services;
  guint32 others[65536 / 32];
  guint n_others;
};

G_DEFINE_FINAL_TYPE (PhPortLine, ph_port_line, PH_TYPE_PICTURE)

enum
{
  PROP_0,
  PROP_PORT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  PhPictureText label;
  double swatch_x, swatch_y;
} LegendItem;

/* Where everything goes at one width, in left-to-right coordinates. */
typedef struct
{
  double width;
  double line;            /* the height of a line of text: the unit of every length */
  double pill_x, pill_y, pill_w, pill_h;
  PhPictureText pill_text;
  double marker_x;
  double bar_y, bar_h;
  double strip_y, strip_h;
  PhPictureText numbers[N_NUMBERS];
  LegendItem legend[N_LEGEND];
  double swatch;          /* size of a legend swatch */
  double height;
} Geometry;

static void
geometry_clear (gpointer data)
{
  Geometry *g = data;

  ph_picture_text_clear (&g->pill_text);
  for (guint i = 0; i < N_NUMBERS; i++)
    ph_picture_text_clear (&g->numbers[i]);
  for (guint i = 0; i < N_LEGEND; i++)
    ph_picture_text_clear (&g->legend[i].label);
}

static gboolean
overlaps (const PhPictureText *a,
          const PhPictureText *b,
          double      gap)
{
  return a->x < b->x + b->width + gap && b->x < a->x + a->width + gap;
}

static double
compute_geometry (PhPicture *picture,
                  double     width,
                  gpointer   data)
{
  PhPortLine *self = PH_PORT_LINE (picture);
  Geometry *g = data;
  const PhPortLineModel *m = &self->model;
  static const guint numbers[N_NUMBERS] = { 0, 65535, 1024, 49152 };
  g_autofree char *port_text = g_strdup_printf ("%u", m->port);
  double line, x, y, row_h, gap;

  memset (g, 0, sizeof *g);
  g->width = width;
  g->line = line = ph_picture_line_height (GTK_WIDGET (self));

  /* The pill with the port number, over the marker, kept inside the picture. */
  ph_picture_text_init (&g->pill_text, GTK_WIDGET (self), port_text, 1.0, TRUE, -1);
  g->marker_x = m->position * width;
  g->pill_h = g->pill_text.height + 0.3 * line;
  g->pill_w = MIN (g->pill_text.width + 1.2 * line, width);
  g->pill_x = CLAMP (g->marker_x - g->pill_w / 2, 0, MAX (width - g->pill_w, 0));
  g->pill_y = 0;
  g->pill_text.x = g->pill_x + (g->pill_w - g->pill_text.width) / 2;
  g->pill_text.y = g->pill_y + (g->pill_h - g->pill_text.height) / 2;

  /* The bar, under the pill's pointer, and the ephemeral strip under the bar. */
  g->bar_y = g->pill_h + 0.45 * line;
  g->bar_h = 1.1 * line;
  g->strip_y = g->bar_y + g->bar_h + 0.25 * line;
  g->strip_h = 0.45 * line;

  /* Numbers where classes meet: both ends first, then the others where they fit. */
  y = g->strip_y + g->strip_h + 0.2 * line;
  gap = 0.5 * line;
  for (guint i = 0; i < N_NUMBERS; i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", numbers[i]);
      PhPictureText *t = &g->numbers[i];

      ph_picture_text_init (t, GTK_WIDGET (self), number, PANGO_SCALE_SMALL, FALSE, -1);
      if (numbers[i] == 0)
        t->x = 0;
      else if (numbers[i] == 65535)
        t->x = width - t->width;
      else
        t->x = CLAMP (ph_port_scale_edge (numbers[i]) * width - t->width / 2, 0,
                      width - t->width);
      t->y = y;
      for (guint k = 0; k < i; k++)
        if (g->numbers[k].shown && overlaps (t, &g->numbers[k], gap))
          t->shown = FALSE;
    }
  y += g->numbers[0].height + 0.6 * line;

  /* The legend flows in rows; an item wider than the picture wraps its words. */
  g->swatch = 0.8 * line;
  x = 0;
  row_h = 0;
  for (guint i = 0; i < N_LEGEND; i++)
    {
      LegendItem *item = &g->legend[i];
      gboolean wide = i == PH_PORT_BAND_EPHEMERAL || i == LEGEND_NOTE || i == LEGEND_TICKS;
      double swatch_w = wide ? 1.6 * line : g->swatch;
      double label_max = MAX (width - swatch_w - 0.4 * line, line);
      double item_w;
      g_autofree char *label = NULL;
      /* The port's own class stands out. */
      gboolean bold = i == (guint) m->port_class;

      if (i == LEGEND_TICKS && self->n_others == 0)
        continue;
      if (i == LEGEND_NOTE)
        label = ph_port_line_dup_scale_note ();
      else if (i == LEGEND_TICKS)
        /* Translators: the legend of the small ticks on the line of all ports */
        label = g_strdup (_("Other ports this computer listens on"));
      else
        label = ph_port_line_dup_band_label (m, i);
      ph_picture_text_init_within (&item->label, GTK_WIDGET (self), label, 1.0, bold, label_max);
      item_w = swatch_w + 0.4 * line + item->label.width;
      if (x > 0 && x + item_w > width)
        {
          x = 0;
          y += row_h + 0.3 * line;
          row_h = 0;
        }
      item->swatch_x = x;
      item->swatch_y = y + (line - g->swatch) / 2;
      item->label.x = x + swatch_w + 0.4 * line;
      item->label.y = y;
      row_h = MAX (row_h, item->label.height);
      x += item_w + 1.2 * line;
    }
  g->height = ph_picture_round_up (y + row_h);
  return g->height;
}

/* Drawing */

/* The broken-axis sign, two slanted strokes, centred on @x, from @top to @bottom. */
static void
append_break (GtkSnapshot   *snapshot,
              double         x,
              double         top,
              double         bottom,
              double         line,
              const GdkRGBA *color)
{
  GskPathBuilder *builder = gsk_path_builder_new ();
  g_autoptr(GskStroke) stroke = gsk_stroke_new (MAX (1.5f, (float) line / 10));
  double slant = 0.2 * line;

  for (int i = -1; i <= 1; i += 2)
    {
      double cx = x + i * 0.13 * line;

      gsk_path_builder_move_to (builder, cx - slant, bottom);
      gsk_path_builder_line_to (builder, cx + slant, top);
    }
  ph_picture_append_stroke (snapshot, builder, stroke, color);
}

static void
ph_port_line_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  PhPortLine *self = PH_PORT_LINE (widget);
  const PhPortLineModel *m = &self->model;
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  double width = gtk_widget_get_width (widget);
  GdkRGBA ink[N_INKS], text, dim;
  Geometry g;
  double line, break_x, radius, marker_x, apex;

  if (self->port < 0 || width <= 0)
    return;

  ph_picture_get_ink_colors (PH_PICTURE (self), ink);
  ph_picture_get_text_colors (PH_PICTURE (self), &text, &dim);

  compute_geometry (PH_PICTURE (self), width, &g);
  line = g.line;
  radius = 0.3 * line;

  /* The bar: class bands, the lines between them, its outline. */
  for (PhPortBand b = PH_PORT_BAND_SYSTEM; b <= PH_PORT_BAND_DYNAMIC; b++)
    {
      double x = m->bands[b].start * width;
      double w = (m->bands[b].end - m->bands[b].start) * width;
      GskRoundedRect whole;

      gsk_rounded_rect_init_from_rect (&whole, &GRAPHENE_RECT_INIT (0, g.bar_y, width, g.bar_h),
                                       radius);
      gtk_snapshot_push_rounded_clip (snapshot, &whole);
      gtk_snapshot_append_color (snapshot, &ink[b],
                                 &GRAPHENE_RECT_INIT (ph_picture_mirror (rtl, width, x, w),
                                                      g.bar_y, w, g.bar_h));
      if (b != PH_PORT_BAND_SYSTEM)
        gtk_snapshot_append_color (snapshot, &ink[INK_OUTLINE],
                                   &GRAPHENE_RECT_INIT (ph_picture_mirror (rtl, width, x - 0.5, 1),
                                                        g.bar_y, 1, g.bar_h));
      gtk_snapshot_pop (snapshot);
    }
  ph_picture_append_outline (snapshot, 0, g.bar_y, width, g.bar_h, radius, 1, &ink[INK_OUTLINE]);

  /* Where the scale breaks: the well-known ports are drawn wider than the rest. */
  break_x = ph_picture_mirror (rtl, width, m->bands[PH_PORT_BAND_SYSTEM].end * width, 0);
  append_break (snapshot, break_x, g.bar_y - 0.15 * line, g.bar_y + g.bar_h + 0.15 * line, line,
                &text);

  /* This computer's ephemeral range. */
  {
    const PhPortSpan *eph = &m->bands[PH_PORT_BAND_EPHEMERAL];
    double w = MAX ((eph->end - eph->start) * width, 2);

    ph_picture_append_rect (snapshot, ph_picture_mirror (rtl, width, eph->start * width, w),
                            g.strip_y, w, g.strip_h, g.strip_h / 2, &ink[INK_EPHEMERAL]);
  }

  /* The other ports this computer listens on: a tick per pixel column that has any. */
  if (self->n_others > 0)
    {
      g_autofree guint8 *columns = g_malloc0 ((gsize) width + 1);
      double tick_h = 0.4 * g.bar_h;

      for (guint w = 0; w < G_N_ELEMENTS (self->others); w++)
        for (guint32 bits = self->others[w]; bits != 0; bits &= bits - 1)
          {
            guint port = w * 32 + (guint) __builtin_ctz (bits);
            int column = (int) (ph_port_scale_position (port) * width);

            columns[CLAMP (column, 0, (int) width)] = 1;
          }
      for (int c = 0; c <= (int) width; c++)
        if (columns[c])
          gtk_snapshot_append_color (snapshot, &text,
                                     &GRAPHENE_RECT_INIT (ph_picture_mirror (rtl, width, c, 1),
                                                          g.bar_y + g.bar_h - tick_h, 1,
                                                          tick_h));
    }

  /* The marker: a line across bar and strip, and the pill with its pointer. */
  marker_x = ph_picture_mirror (rtl, width, g.marker_x, 0);
  apex = g.bar_y;
  gtk_snapshot_append_color (snapshot, &ink[INK_MARKER],
                             &GRAPHENE_RECT_INIT (marker_x - 1, apex, 2,
                                                  g.strip_y + g.strip_h - apex));
  {
    g_autoptr(GskPathBuilder) builder = gsk_path_builder_new ();
    g_autoptr(GskPath) path = NULL;
    double half = 0.3 * line;
    double base = g.pill_y + g.pill_h - 1;
    double cx = CLAMP (marker_x, half, MAX (width - half, half));

    gsk_path_builder_move_to (builder, cx - half, base);
    gsk_path_builder_line_to (builder, cx + half, base);
    gsk_path_builder_line_to (builder, marker_x, apex);
    gsk_path_builder_close (builder);
    path = gsk_path_builder_free_to_path (g_steal_pointer (&builder));
    gtk_snapshot_append_fill (snapshot, path, GSK_FILL_RULE_WINDING, &ink[INK_PILL]);
  }
  ph_picture_append_rect (snapshot, ph_picture_mirror (rtl, width, g.pill_x, g.pill_w),
                          g.pill_y, g.pill_w, g.pill_h, g.pill_h / 2, &ink[INK_PILL]);
  ph_picture_append_text (snapshot, &g.pill_text, rtl, width, &ink[INK_PILL_TEXT]);

  for (guint i = 0; i < N_NUMBERS; i++)
    ph_picture_append_text (snapshot, &g.numbers[i], rtl, width, &dim);

  /* The legend. */
  for (guint i = 0; i < N_LEGEND; i++)
    {
      const LegendItem *item = &g.legend[i];
      double sx = item->swatch_x;
      double sy = item->swatch_y;

      if (i <= PH_PORT_BAND_DYNAMIC)
        {
          double x = ph_picture_mirror (rtl, width, sx, g.swatch);

          ph_picture_append_rect (snapshot, x, sy, g.swatch, g.swatch, 0.2 * line, &ink[i]);
          ph_picture_append_outline (snapshot, x, sy, g.swatch, g.swatch, 0.2 * line, 1,
                                     &ink[INK_OUTLINE]);
        }
      else if (i == PH_PORT_BAND_EPHEMERAL)
        {
          double w = 1.6 * line;
          double y = sy + (g.swatch - g.strip_h) / 2;

          ph_picture_append_rect (snapshot, ph_picture_mirror (rtl, width, sx, w), y, w,
                                  g.strip_h, g.strip_h / 2, &ink[INK_EPHEMERAL]);
        }
      else if (i == LEGEND_TICKS)
        {
          if (item->label.layout == NULL)
            continue;
          for (guint t = 0; t < 3; t++)
            {
              double x = ph_picture_mirror (rtl, width, sx + (0.3 + 0.5 * t) * line, 1);

              gtk_snapshot_append_color (snapshot, &text,
                                         &GRAPHENE_RECT_INIT (x, sy + g.swatch * 0.4, 1,
                                                              g.swatch * 0.6));
            }
        }
      else
        {
          append_break (snapshot, ph_picture_mirror (rtl, width, sx + 0.8 * line, 0),
                        sy - 0.1 * line, sy + g.swatch + 0.1 * line, line, &text);
        }
      ph_picture_append_text (snapshot, &item->label, rtl, width, &text);
    }

  geometry_clear (&g);
}

/* State */

/* Reads the ports the service list holds now (not @self's own, not forwarded rows: no
 * program listens on those). Returns whether anything changed. */
static gboolean
collect_others (PhPortLine *self)
{
  guint32 others[G_N_ELEMENTS (self->others)] = { 0 };
  guint n_others = 0;
  GListModel *model;
  guint n;

  if (self->services != NULL && self->port >= 0)
    {
      model = G_LIST_MODEL (self->services);
      n = g_list_model_get_n_items (model);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PhService) service = g_list_model_get_item (model, i);
          guint port = ph_service_get_port (service);

          if (port == (guint) self->port || port > 65535 || ph_service_get_forwarded (service) ||
              (others[port / 32] & (1u << (port % 32))) != 0)
            continue;
          others[port / 32] |= 1u << (port % 32);
          n_others++;
        }
    }
  if (n_others == self->n_others && memcmp (others, self->others, sizeof others) == 0)
    return FALSE;
  memcpy (self->others, others, sizeof others);
  self->n_others = n_others;
  return TRUE;
}

static void
update_description (PhPortLine *self)
{
  g_autofree char *description = ph_port_line_dup_description (&self->model);

  if (self->n_others > 0)
    {
      g_autofree char *ticks =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "A tick marks the %u other port this computer listens on.",
                                      "Ticks mark the %u other ports this computer listens on.",
                                      self->n_others),
                         self->n_others);
      g_autofree char *both = g_strjoin (" ", description, ticks, NULL);

      g_free (g_steal_pointer (&description));
      description = g_steal_pointer (&both);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
update (PhPortLine *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self), self->port >= 0);
  if (self->port < 0)
    return;

  /* This computer's ephemeral range is read each time: it can be changed at any time. */
  ph_port_line_model_init (&self->model, (guint) self->port, NULL);
  collect_others (self);
  update_description (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* A change set was applied: the ticks follow while the picture is on screen. */
static void
on_services_changed (PhPortLine *self)
{
  if (self->port < 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)) || !collect_others (self))
    return;
  update_description (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/**
 * ph_port_line_set_services:
 * @services: (nullable): the list whose other ports show as ticks
 */
void
ph_port_line_set_services (PhPortLine    *self,
                           PhServiceList *services)
{
  g_return_if_fail (PH_IS_PORT_LINE (self));
  g_return_if_fail (services == NULL || PH_IS_SERVICE_LIST (services));

  if (self->services == services)
    return;
  if (self->services != NULL)
    g_signal_handlers_disconnect_by_func (self->services, on_services_changed, self);
  g_set_object (&self->services, services);
  if (services != NULL)
    g_signal_connect_swapped (services, "notify::seq", G_CALLBACK (on_services_changed), self);
  update (self);
}

static void
ph_port_line_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ph_port_line_parent_class)->map (widget);
  on_services_changed (PH_PORT_LINE (widget));
}

static void
ph_port_line_dispose (GObject *object)
{
  ph_port_line_set_services (PH_PORT_LINE (object), NULL);

  G_OBJECT_CLASS (ph_port_line_parent_class)->dispose (object);
}

int
ph_port_line_get_port (PhPortLine *self)
{
  g_return_val_if_fail (PH_IS_PORT_LINE (self), -1);

  return self->port;
}

/* @port: 0–65535, or -1 for none (the picture hides). */
void
ph_port_line_set_port (PhPortLine *self,
                       int         port)
{
  g_return_if_fail (PH_IS_PORT_LINE (self));
  g_return_if_fail (port >= -1 && port <= 65535);

  if (self->port != port)
    {
      self->port = port;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }
  update (self);
}

GtkWidget *
ph_port_line_new (void)
{
  return g_object_new (PH_TYPE_PORT_LINE, NULL);
}

static void
ph_port_line_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PhPortLine *self = PH_PORT_LINE (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_int (value, self->port);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_port_line_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PhPortLine *self = PH_PORT_LINE (object);

  switch (prop_id)
    {
    case PROP_PORT:
      ph_port_line_set_port (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_port_line_class_init (PhPortLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ph_port_line_get_property;
  object_class->set_property = ph_port_line_set_property;
  object_class->dispose = ph_port_line_dispose;

  widget_class->snapshot = ph_port_line_snapshot;
  widget_class->map = ph_port_line_map;

  ph_picture_class_set_drawing (PH_PICTURE_CLASS (klass), ink_classes, sizeof (Geometry),
                                compute_geometry, geometry_clear);

  properties[PROP_PORT] =
    g_param_spec_int ("port", NULL, NULL, -1, 65535, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "portline");
}

static void
ph_port_line_init (PhPortLine *self)
{
  self->port = -1;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  /* Translators: the accessible name of the picture of
                                   * where a port lies among all ports */
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Port line"),
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
