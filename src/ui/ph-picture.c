/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-picture.c — what the drawn pictures share: colours from style.css, text, shapes */
#include "config.h"

#include "ph-picture.h"

/*
 * Inks. A picture drawn with GtkSnapshot needs more colours than its own CSS `color`. Each
 * extra colour is the `color` of an ink: an empty child widget whose CSS node sits under the
 * picture's ("portline > ink.ephemeral"), so style.css — with libadwaita's palette, accent
 * colour, dark and high-contrast styles — decides every colour, and a change of style
 * redraws the picture. Inks take no room, draw nothing and are hidden from assistive
 * technologies; the picture allocates each an empty rectangle and never snapshots it.
 */

struct _PhPictureInk
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (PhPictureInk, ph_picture_ink, GTK_TYPE_WIDGET)

static void
ph_picture_ink_class_init (PhPictureInkClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_css_name (widget_class, "ink");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
ph_picture_ink_init (PhPictureInk *self)
{
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
}

/* A new ink with @style_class, as the last child of @parent (which unparents it). */
GtkWidget *
ph_picture_ink_new (GtkWidget  *parent,
                    const char *style_class)
{
  GtkWidget *ink = g_object_new (PH_TYPE_PICTURE_INK, NULL);

  gtk_widget_add_css_class (ink, style_class);
  gtk_widget_set_parent (ink, parent);
  return ink;
}

void
ph_picture_ink_get_color (GtkWidget *ink,
                          GdkRGBA   *color)
{
  g_return_if_fail (PH_IS_PICTURE_INK (ink));

  gtk_widget_get_color (ink, color);
}

/*
 * PhPicture: what the two pictures (the port line, who can connect) share as widgets. They
 * are as tall as their width needs (height-for-width), as wide as about thirty lines of text
 * would like and no narrower than twelve; their inks are made once the instance knows its
 * final class, and go with it.
 */

typedef struct
{
  GPtrArray *inks;
} PhPicturePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PhPicture, ph_picture, GTK_TYPE_WIDGET)

/* Sets the class's inks and geometry (see PhPictureClass), in class_init. */
void
ph_picture_class_set_drawing (PhPictureClass           *klass,
                              const char * const       *ink_classes,
                              gsize                     geometry_size,
                              PhPictureComputeGeometry  compute_geometry,
                              GDestroyNotify            clear_geometry)
{
  klass->ink_classes = ink_classes;
  klass->geometry_size = geometry_size;
  klass->compute_geometry = compute_geometry;
  klass->clear_geometry = clear_geometry;
}

/* Fills @colors with one colour per ink, in the order of the class's ink_classes. */
void
ph_picture_get_ink_colors (PhPicture *self,
                           GdkRGBA   *colors)
{
  PhPicturePrivate *priv = ph_picture_get_instance_private (self);

  for (guint i = 0; i < priv->inks->len; i++)
    ph_picture_ink_get_color (g_ptr_array_index (priv->inks, i), &colors[i]);
}

/* The colour of the picture's text, and the same dimmed for what matters less. */
void
ph_picture_get_text_colors (PhPicture *self,
                            GdkRGBA   *text,
                            GdkRGBA   *dim)
{
  gtk_widget_get_color (GTK_WIDGET (self), text);
  *dim = *text;
  dim->alpha *= 0.7f;
}

/* The height the picture needs at @width, from its class's geometry. */
static double
ph_picture_height_for_width (PhPicture *self,
                             double     width)
{
  PhPictureClass *klass = PH_PICTURE_GET_CLASS (self);
  g_autofree gpointer geometry = g_malloc0 (klass->geometry_size);
  double height = klass->compute_geometry (self, width, geometry);

  klass->clear_geometry (geometry);
  return height;
}

static GtkSizeRequestMode
ph_picture_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ph_picture_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  PhPicture *self = PH_PICTURE (widget);
  double line = ph_picture_line_height (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* The words wrap; keep room for a few of them. */
      *minimum = ph_picture_round_up (12 * line);
      *natural = ph_picture_round_up (30 * line);
    }
  else
    {
      double width = for_size > 0 ? for_size : 30 * line;

      *minimum = *natural = (int) ph_picture_height_for_width (self, width);
    }
}

static void
ph_picture_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  PhPicturePrivate *priv = ph_picture_get_instance_private (PH_PICTURE (widget));

  /* Inks take no room; they are only there for their colours. */
  for (guint i = 0; i < priv->inks->len; i++)
    gtk_widget_allocate (g_ptr_array_index (priv->inks, i), 0, 0, -1, NULL);
}

static void
ph_picture_constructed (GObject *object)
{
  PhPicture *self = PH_PICTURE (object);
  PhPicturePrivate *priv = ph_picture_get_instance_private (self);
  const char * const *classes = PH_PICTURE_GET_CLASS (self)->ink_classes;

  G_OBJECT_CLASS (ph_picture_parent_class)->constructed (object);

  for (guint i = 0; classes != NULL && classes[i] != NULL; i++)
    g_ptr_array_add (priv->inks, ph_picture_ink_new (GTK_WIDGET (self), classes[i]));
}

static void
ph_picture_dispose (GObject *object)
{
  PhPicturePrivate *priv = ph_picture_get_instance_private (PH_PICTURE (object));

  if (priv->inks != NULL)
    g_ptr_array_set_size (priv->inks, 0);

  G_OBJECT_CLASS (ph_picture_parent_class)->dispose (object);
}

static void
ph_picture_finalize (GObject *object)
{
  PhPicturePrivate *priv = ph_picture_get_instance_private (PH_PICTURE (object));

  g_clear_pointer (&priv->inks, g_ptr_array_unref);

  G_OBJECT_CLASS (ph_picture_parent_class)->finalize (object);
}

static void
ph_picture_class_init (PhPictureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ph_picture_constructed;
  object_class->dispose = ph_picture_dispose;
  object_class->finalize = ph_picture_finalize;

  widget_class->get_request_mode = ph_picture_get_request_mode;
  widget_class->measure = ph_picture_measure;
  widget_class->size_allocate = ph_picture_size_allocate;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ph_picture_init (PhPicture *self)
{
  PhPicturePrivate *priv = ph_picture_get_instance_private (self);

  priv->inks = g_ptr_array_new_with_free_func ((GDestroyNotify) gtk_widget_unparent);
}

/* Text: layouts come from the widget, so they follow its font and the text size. */

void
ph_picture_text_init (PhPictureText *text,
                      GtkWidget     *widget,
                      const char    *string,
                      double         scale,
                      gboolean       bold,
                      double         wrap_width)
{
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
  PangoRectangle logical;

  text->layout = gtk_widget_create_pango_layout (widget, string);
  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  /* Port numbers line up like the rest of Porthole's numbers. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (text->layout, attrs);
  if (wrap_width > 0)
    {
      pango_layout_set_wrap (text->layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_width (text->layout, (int) (wrap_width * PANGO_SCALE));
    }
  pango_layout_get_pixel_extents (text->layout, NULL, &logical);
  text->offset_x = logical.x;
  text->offset_y = logical.y;
  text->width = logical.width;
  text->height = logical.height;
  text->shown = TRUE;
}

/* @string on one line, or wrapped at @max_width when it is wider than that. */
void
ph_picture_text_init_within (PhPictureText *text,
                             GtkWidget     *widget,
                             const char    *string,
                             double         scale,
                             gboolean       bold,
                             double         max_width)
{
  ph_picture_text_init (text, widget, string, scale, bold, -1);
  if (text->width > max_width)
    {
      ph_picture_text_clear (text);
      ph_picture_text_init (text, widget, string, scale, bold, max_width);
    }
}

void
ph_picture_text_clear (PhPictureText *text)
{
  g_clear_object (&text->layout);
}

void
ph_picture_append_text (GtkSnapshot         *snapshot,
                        const PhPictureText *text,
                        gboolean             rtl,
                        double               width,
                        const GdkRGBA       *color)
{
  if (!text->shown || text->layout == NULL)
    return;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT (ph_picture_mirror (rtl, width, text->x,
                                                                   text->width) -
                                                text->offset_x,
                                                text->y - text->offset_y));
  gtk_snapshot_append_layout (snapshot, text->layout, color);
  gtk_snapshot_restore (snapshot);
}

/* The height of a line of the widget's text: the unit of every length in a picture, so
 * pictures grow with the text size. */
double
ph_picture_line_height (GtkWidget *widget)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, "0");
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  return MAX (logical.height, 8);
}

/* Whole pixels, rounded up. */
int
ph_picture_round_up (double value)
{
  int whole = (int) value;

  return whole < value ? whole + 1 : whole;
}

/* Pictures are laid out left to right; right to left they are drawn mirrored. */
double
ph_picture_mirror (gboolean rtl,
                   double   width,
                   double   x,
                   double   w)
{
  return rtl ? width - x - w : x;
}

void
ph_picture_append_rect (GtkSnapshot   *snapshot,
                        double         x,
                        double         y,
                        double         w,
                        double         h,
                        double         radius,
                        const GdkRGBA *color)
{
  GskRoundedRect rounded;

  gsk_rounded_rect_init_from_rect (&rounded, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rounded);
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
  gtk_snapshot_pop (snapshot);
}

void
ph_picture_append_outline (GtkSnapshot   *snapshot,
                           double         x,
                           double         y,
                           double         w,
                           double         h,
                           double         radius,
                           double         line_width,
                           const GdkRGBA *color)
{
  GskRoundedRect rounded;
  const float widths[4] = { line_width, line_width, line_width, line_width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rounded, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_append_border (snapshot, &rounded, widths, colors);
}

/* Strokes the path @builder holds with @stroke, and frees @builder. */
void
ph_picture_append_stroke (GtkSnapshot    *snapshot,
                          GskPathBuilder *builder,
                          GskStroke      *stroke,
                          const GdkRGBA  *color)
{
  g_autoptr(GskPath) path = gsk_path_builder_free_to_path (builder);

  gtk_snapshot_append_stroke (snapshot, path, stroke, color);
}
