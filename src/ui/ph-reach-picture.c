/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-reach-picture.c — who can connect, drawn as nested zones */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ph-picture.h"
#include "ph-reach-picture.h"
#include "ph-reach.h"

/*
 * Three nested zones, the internet around the local network around this computer. Each
 * has its title and, under it, whether its computers can connect (a check mark) or not (a
 * cross), in the words of ph_reach_get_verdict(); the zones that can connect are filled and
 * outlined in the accent colour, the others only outlined with a dashed line. This
 * computer's zone holds the listener's address. What can connect is decided in
 * ph-reach.c, from the same verdict as the pane's words; this file only measures and
 * draws, in multiples of a line of text, mirrored right to left.
 */

enum
{
  INK_REACH,       /* outline and check mark of a zone that can connect */
  INK_REACH_FILL,  /* its fill */
  INK_UNREACHED,   /* outline and cross of a zone that cannot */
  INK_PILL,        /* the address */
  INK_PILL_TEXT,
  N_INKS
};

static const char *const ink_classes[N_INKS + 1] = {
  "reach", "reach-fill", "unreached", "pill", "pill-text", NULL
};

struct _PhReachPicture
{
  PhPicture parent_instance;

  PhReach reach;
};

G_DEFINE_FINAL_TYPE (PhReachPicture, ph_reach_picture, PH_TYPE_PICTURE)

typedef struct
{
  double x, y, w, h;      /* the zone's outline */
  double icon_x, icon_y;  /* the check mark or cross, a square of Geometry.icon */
  PhPictureText title;
  PhPictureText verdict;
} Zone;

typedef struct
{
  double width;
  double line;
  double icon;
  Zone zones[PH_REACH_N_ZONES];
  double pill_x, pill_y, pill_w, pill_h;
  PhPictureText pill_text;
  double height;
} Geometry;

static void
geometry_clear (gpointer data)
{
  Geometry *g = data;

  for (guint i = 0; i < PH_REACH_N_ZONES; i++)
    {
      ph_picture_text_clear (&g->zones[i].title);
      ph_picture_text_clear (&g->zones[i].verdict);
    }
  ph_picture_text_clear (&g->pill_text);
}

/* Places @zone's outline at (@x, @y), @w wide, and its title and verdict inside; returns
 * where they end. */
static double
layout_header (PhReachPicture *self,
               Geometry       *g,
               PhReachZone     zone,
               double          x,
               double          y,
               double          w)
{
  Zone *z = &g->zones[zone];
  double pad = 0.75 * g->line;
  double gap = 0.35 * g->line;
  double text_w = MAX (w - 2 * pad - g->icon - gap, g->line);

  z->x = x;
  z->y = y;
  z->w = w;

  ph_picture_text_init (&z->title, GTK_WIDGET (self), ph_reach_zone_get_title (zone), 1.0, TRUE,
                        w - 2 * pad);
  z->title.x = x + pad;
  z->title.y = y + pad;

  ph_picture_text_init (&z->verdict, GTK_WIDGET (self), ph_reach_get_verdict (&self->reach, zone),
                        PANGO_SCALE_SMALL, FALSE, text_w);
  z->icon_x = x + pad;
  z->icon_y = z->title.y + z->title.height + (g->line * PANGO_SCALE_SMALL - g->icon) / 2;
  z->verdict.x = x + pad + g->icon + gap;
  z->verdict.y = z->title.y + z->title.height;

  return z->verdict.y + z->verdict.height;
}

static double
compute_geometry (PhPicture *picture,
                  double     width,
                  gpointer   data)
{
  Geometry *g = data;
  PhReachPicture *self = PH_REACH_PICTURE (picture);
  double pad, y, inner_x, inner_w;

  memset (g, 0, sizeof *g);
  g->width = width;
  g->line = ph_picture_line_height (GTK_WIDGET (self));
  g->icon = 0.75 * g->line;
  pad = 0.75 * g->line;

  /* Headers from the outside in, each zone inset by one padding from its parent. */
  y = 0;
  for (PhReachZone zone = PH_REACH_N_ZONES; zone-- > 0;)
    {
      guint level = PH_REACH_N_ZONES - 1 - zone;
      double x = level * pad;

      y = layout_header (self, g, zone, x, y, MAX (width - 2 * x, 4 * pad)) + 0.6 * pad;
    }

  /* The address, in this computer's zone. */
  inner_x = g->zones[PH_REACH_ZONE_THIS_COMPUTER].x + pad;
  inner_w = MAX (g->zones[PH_REACH_ZONE_THIS_COMPUTER].w - 2 * pad, g->line);
  ph_picture_text_init_within (&g->pill_text, GTK_WIDGET (self), self->reach.socket_text, 1.0,
                               TRUE, MAX (inner_w - 1.2 * g->line, g->line));
  g->pill_x = inner_x;
  g->pill_y = y + 0.2 * pad;
  g->pill_w = MIN (g->pill_text.width + 1.2 * g->line, inner_w);
  g->pill_h = g->pill_text.height + 0.3 * g->line;
  g->pill_text.x = g->pill_x + (g->pill_w - g->pill_text.width) / 2;
  g->pill_text.y = g->pill_y + 0.15 * g->line;

  /* Close the zones from the inside out. */
  y = g->pill_y + g->pill_h + pad;
  for (PhReachZone zone = 0; zone < PH_REACH_N_ZONES; zone++)
    {
      g->zones[zone].h = y - g->zones[zone].y;
      y += pad;
    }
  g->height = ph_picture_round_up (y - pad);
  return g->height;
}

/* Drawing */

static void
append_mark (GtkSnapshot   *snapshot,
             gboolean       can,
             double         x,
             double         y,
             double         size,
             const GdkRGBA *color)
{
  GskPathBuilder *builder = gsk_path_builder_new ();
  g_autoptr(GskStroke) stroke = gsk_stroke_new (MAX (1.5f, (float) size / 6));

  gsk_stroke_set_line_cap (stroke, GSK_LINE_CAP_ROUND);
  gsk_stroke_set_line_join (stroke, GSK_LINE_JOIN_ROUND);
  if (can)
    {
      gsk_path_builder_move_to (builder, x + 0.1 * size, y + 0.55 * size);
      gsk_path_builder_line_to (builder, x + 0.4 * size, y + 0.85 * size);
      gsk_path_builder_line_to (builder, x + 0.92 * size, y + 0.18 * size);
    }
  else
    {
      gsk_path_builder_move_to (builder, x + 0.2 * size, y + 0.2 * size);
      gsk_path_builder_line_to (builder, x + 0.8 * size, y + 0.8 * size);
      gsk_path_builder_move_to (builder, x + 0.8 * size, y + 0.2 * size);
      gsk_path_builder_line_to (builder, x + 0.2 * size, y + 0.8 * size);
    }
  ph_picture_append_stroke (snapshot, builder, stroke, color);
}

static void
append_dashed_outline (GtkSnapshot   *snapshot,
                       double         x,
                       double         y,
                       double         w,
                       double         h,
                       double         radius,
                       double         dash,
                       const GdkRGBA *color)
{
  GskPathBuilder *builder = gsk_path_builder_new ();
  g_autoptr(GskStroke) stroke = gsk_stroke_new (1.5f);
  const float dashes[2] = { dash, dash * 0.6f };
  GskRoundedRect rounded;

  /* Inside the zone's edge, as the solid outlines are. */
  gsk_rounded_rect_init_from_rect (&rounded, &GRAPHENE_RECT_INIT (x + 0.75, y + 0.75,
                                                                  w - 1.5, h - 1.5),
                                   radius);
  gsk_path_builder_add_rounded_rect (builder, &rounded);
  gsk_stroke_set_dash (stroke, dashes, G_N_ELEMENTS (dashes));
  ph_picture_append_stroke (snapshot, builder, stroke, color);
}

static void
ph_reach_picture_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  PhReachPicture *self = PH_REACH_PICTURE (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  double width = gtk_widget_get_width (widget);
  GdkRGBA ink[N_INKS], text, dim;
  Geometry g;

  if (!self->reach.known || width <= 0)
    return;

  ph_picture_get_ink_colors (PH_PICTURE (self), ink);
  ph_picture_get_text_colors (PH_PICTURE (self), &text, &dim);

  compute_geometry (PH_PICTURE (self), width, &g);

  /* From the outside in, so inner zones lie on top. */
  for (PhReachZone zone = PH_REACH_N_ZONES; zone-- > 0;)
    {
      const Zone *z = &g.zones[zone];
      gboolean can = ph_reach_can_connect (&self->reach, zone);
      double x = ph_picture_mirror (rtl, width, z->x, z->w);
      double radius = (0.45 + 0.15 * zone) * g.line;

      if (can)
        {
          ph_picture_append_rect (snapshot, x, z->y, z->w, z->h, radius, &ink[INK_REACH_FILL]);
          ph_picture_append_outline (snapshot, x, z->y, z->w, z->h, radius, 2, &ink[INK_REACH]);
        }
      else
        {
          append_dashed_outline (snapshot, x, z->y, z->w, z->h, radius, 0.4 * g.line,
                                 &ink[INK_UNREACHED]);
        }

      ph_picture_append_text (snapshot, &z->title, rtl, width, &text);
      append_mark (snapshot, can, ph_picture_mirror (rtl, width, z->icon_x, g.icon), z->icon_y,
                   g.icon, can ? &ink[INK_REACH] : &ink[INK_UNREACHED]);
      ph_picture_append_text (snapshot, &z->verdict, rtl, width, can ? &text : &dim);
    }

  ph_picture_append_rect (snapshot, ph_picture_mirror (rtl, width, g.pill_x, g.pill_w), g.pill_y,
                          g.pill_w, g.pill_h, MIN (g.pill_h / 2, g.line), &ink[INK_PILL]);
  ph_picture_append_text (snapshot, &g.pill_text, rtl, width, &ink[INK_PILL_TEXT]);

  geometry_clear (&g);
}

/* State */

/* @host as ph_explain_request() takes it (NULL: every address); @port: -1 or 0 for none.
 * An address Porthole cannot judge hides the picture. */
void
ph_reach_picture_set_address (PhReachPicture *self,
                              const char     *host,
                              int             port)
{
  g_autofree char *description = NULL;

  g_return_if_fail (PH_IS_REACH_PICTURE (self));

  ph_reach_clear (&self->reach);
  ph_reach_init (&self->reach, host, port);
  description = ph_reach_dup_description (&self->reach);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self), self->reach.known);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

GtkWidget *
ph_reach_picture_new (void)
{
  return g_object_new (PH_TYPE_REACH_PICTURE, NULL);
}

static void
ph_reach_picture_finalize (GObject *object)
{
  PhReachPicture *self = PH_REACH_PICTURE (object);

  ph_reach_clear (&self->reach);

  G_OBJECT_CLASS (ph_reach_picture_parent_class)->finalize (object);
}

static void
ph_reach_picture_class_init (PhReachPictureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ph_reach_picture_finalize;

  widget_class->snapshot = ph_reach_picture_snapshot;

  ph_picture_class_set_drawing (PH_PICTURE_CLASS (klass), ink_classes, sizeof (Geometry),
                                compute_geometry, geometry_clear);

  gtk_widget_class_set_css_name (widget_class, "reachpicture");
}

static void
ph_reach_picture_init (PhReachPicture *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  /* Translators: the accessible name of the picture of who
                                   * can connect to an address */
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Who can connect"),
                                  -1);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
