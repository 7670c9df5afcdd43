/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-picture.h — what the drawn pictures share: colours from style.css, text, shapes */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A picture drawn with GtkSnapshot, as tall as its width needs, coloured by its inks. */
#define PH_TYPE_PICTURE (ph_picture_get_type ())
G_DECLARE_DERIVABLE_TYPE (PhPicture, ph_picture, PH, PICTURE, GtkWidget)

/* Where everything goes at @width: fills @geometry (zeroed) and returns the height the
 * picture needs there. */
typedef double (*PhPictureComputeGeometry) (PhPicture *self,
                                            double     width,
                                            gpointer   geometry);

struct _PhPictureClass
{
  GtkWidgetClass parent_class;

  /* The CSS classes of its inks (set in class_init), NULL-terminated. */
  const char * const *ink_classes;

  /* Its geometry: geometry_size bytes, which compute_geometry fills and clear_geometry
   * empties (frees what they point to). */
  gsize                    geometry_size;
  PhPictureComputeGeometry compute_geometry;
  GDestroyNotify           clear_geometry;
};

void       ph_picture_class_set_drawing (PhPictureClass           *klass,
                                         const char * const       *ink_classes,
                                         gsize                     geometry_size,
                                         PhPictureComputeGeometry  compute_geometry,
                                         GDestroyNotify            clear_geometry);
void       ph_picture_get_ink_colors  (PhPicture   *self,
                                       GdkRGBA     *colors);
void       ph_picture_get_text_colors (PhPicture   *self,
                                       GdkRGBA     *text,
                                       GdkRGBA     *dim);

#define PH_TYPE_PICTURE_INK (ph_picture_ink_get_type ())
G_DECLARE_FINAL_TYPE (PhPictureInk, ph_picture_ink, PH, PICTURE_INK, GtkWidget)

GtkWidget *ph_picture_ink_new         (GtkWidget   *parent,
                                       const char  *style_class);
void       ph_picture_ink_get_color   (GtkWidget   *ink,
                                       GdkRGBA     *color);

/* A piece of text and where it goes, in left-to-right coordinates. */
typedef struct
{
  PangoLayout *layout;
  double       x, y;            /* where its logical extents go */
  double       width, height;   /* its logical extents */
  double       offset_x;        /* where they start inside the layout (right to left, a
                                 * wrapped layout is aligned to its right edge) */
  double       offset_y;
  gboolean     shown;
} PhPictureText;

void       ph_picture_text_init       (PhPictureText *text,
                                       GtkWidget     *widget,
                                       const char    *string,
                                       double         scale,
                                       gboolean       bold,
                                       double         wrap_width);
void       ph_picture_text_init_within (PhPictureText *text,
                                        GtkWidget     *widget,
                                        const char    *string,
                                        double         scale,
                                        gboolean       bold,
                                        double         max_width);
void       ph_picture_text_clear      (PhPictureText *text);
void       ph_picture_append_text     (GtkSnapshot         *snapshot,
                                       const PhPictureText *text,
                                       gboolean             rtl,
                                       double               width,
                                       const GdkRGBA       *color);

double     ph_picture_line_height     (GtkWidget     *widget);
int        ph_picture_round_up        (double         value);
double     ph_picture_mirror          (gboolean       rtl,
                                       double         width,
                                       double         x,
                                       double         w);
void       ph_picture_append_rect     (GtkSnapshot   *snapshot,
                                       double         x,
                                       double         y,
                                       double         w,
                                       double         h,
                                       double         radius,
                                       const GdkRGBA *color);
void       ph_picture_append_outline  (GtkSnapshot   *snapshot,
                                       double         x,
                                       double         y,
                                       double         w,
                                       double         h,
                                       double         radius,
                                       double         line_width,
                                       const GdkRGBA *color);
void       ph_picture_append_stroke   (GtkSnapshot    *snapshot,
                                       GskPathBuilder *builder,
                                       GskStroke      *stroke,
                                       const GdkRGBA  *color);

G_END_DECLS
