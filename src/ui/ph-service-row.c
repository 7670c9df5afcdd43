/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-row.c — one listening socket in the sidebar list */
#include "config.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "ph-port-info.h"
#include "ph-service-row.h"

/* What each label shows. */
typedef enum
{
  SHOWS_PORT      = 1 << 0,
  SHOWS_ADDRESS   = 1 << 1,
  SHOWS_DETAIL    = 1 << 2,
  SHOWS_REACHABLE = 1 << 3,
  SHOWS_ALL       = SHOWS_PORT | SHOWS_ADDRESS | SHOWS_DETAIL | SHOWS_REACHABLE,
} Shows;

/* The properties of PhService a row shows, and where: a change of owner rewrites the
 * detail line (and what a screen reader says), not the port; a property the row does not
 * show rewrites nothing. One notify handler per row rather than a GBinding per label: the
 * list keeps some 200 rows alive, and three bindings cost 2.5 KB more per row. */
static const struct
{
  const char *property;
  Shows       shows;
} shown[] = {
  { "port", SHOWS_PORT | SHOWS_DETAIL },
  { "address", SHOWS_ADDRESS },
  { "protocol", SHOWS_ADDRESS | SHOWS_DETAIL },
  { "main-owner", SHOWS_DETAIL },
  { "hidden", SHOWS_DETAIL },
  { "kernel", SHOWS_DETAIL },
  { "unseen", SHOWS_DETAIL },
  { "reachable", SHOWS_REACHABLE },
};

/* The row draws its three texts itself, as three GtkLabels in a grid would (the port over
 * two lines, the address above the detail, the reachability mark at the end when there is
 * one): the list keeps some 200 rows alive, and three label widgets per row (each with its
 * CSS node, style, accessible object and measuring layouts) cost some 5 MB more than their
 * text. What a screen reader says is the list item's label
 * (ph_service_row_dup_accessible_label(), which says all of it). The styles are those of
 * style.css's .port-number with libadwaita's .numeric (the port), and of libadwaita's
 * .caption and .dim-label (the detail), applied to the list's font.
 *
 * A row keeps its texts and their sizes, not Pango objects: every row of a list measures
 * and draws with one PangoLayout on the list view's Pango context (SharedText, kept on the
 * list view), set to each text in turn. A Pango context and three layouts per row cost
 * some 0.4 MB over the 200 rows; only the rows on screen draw, and a row measures again
 * only when its text or the fonts change. Neither style.css nor libadwaita sets a font on
 * the row or on the list's row: its font is the list view's. A row outside a list view
 * (the tests') measures and draws with its own context. */
#define COLUMN_SPACING  12
#define PORT_WIDTH_CHARS 5
#define PORT_SCALE      1.35  /* .port-number: font-size 1.35em, font-weight 700 */
#define CAPTION_SCALE   0.82  /* libadwaita's .caption: font-size 82%, font-weight 400 */
#define DIM_OPACITY     0.55  /* libadwaita's --dim-opacity (.dim-label) */
#define DIM_OPACITY_HC  0.90  /* ... in high contrast */

struct _PhServiceRow
{
  GtkWidget parent_instance;

  PhService *service;
  gulong notify_id;
  char *accessible_label;
  /* The list item that holds the row, which says its label to a screen reader; not a
   * reference (ph_service_row_set_list_item()). Set directly rather than through a
   * handler of the row's notify per list item: a closure, its watch and its weak
   * reference each time the list makes a row. */
  GtkListItem *list_item;

  char *texts[PH_SERVICE_ROW_N_TEXTS];  /* NULL for none */
  /* Each text's size as a label would measure it, kept until the text or the fonts
   * change: minimum and natural width (Pango units), height (pixels); valid while
   * @sizes_context (not a reference: only compared) is at @sizes_serial. */
  gboolean sizes_valid;
  PangoContext *sizes_context;
  guint sizes_serial;
  int port_min_width;        /* PORT_WIDTH_CHARS characters of the port's font, Pango units */
  int min_width[PH_SERVICE_ROW_N_TEXTS];
  int nat_width[PH_SERVICE_ROW_N_TEXTS];
  int height[PH_SERVICE_ROW_N_TEXTS];
  GtkImage *reachable_image;
};

G_DEFINE_FINAL_TYPE (PhServiceRow, ph_service_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SERVICE,
  PROP_ACCESSIBLE_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
class_short_name (guint port)
{
  return ph_port_class_get_short_name (ph_port_class_for_port (port));
}

/* For a socket whose owner Porthole cannot see: what IANA registered the port for, worded
 * as the guess it is ("probably postgresql (guessed from the port)"), or NULL. */
char *
ph_service_row_dup_guess (PhService *service)
{
  PhPortProtocol protocol;
  const char *name;

  if (!ph_service_get_owner_unknown (service))
    return NULL;
  if (!ph_port_protocol_from_string (ph_service_get_protocol (service), &protocol))
    return NULL;
  name = ph_iana_get_name (ph_service_get_port (service), protocol);
  if (name == NULL)
    return NULL;
  /* Translators: %s is an IANA service name such as "postgresql" */
  return g_strdup_printf (_("probably %s (guessed from the port)"), name);
}

/* "Port 3000, TCP on 127.0.0.1, registered port, vite (PID 1234)" plus the reachability:
 * what a screen reader says for the row. */
char *
ph_service_row_dup_accessible_label (PhService *service)
{
  GString *label = g_string_new (NULL);
  PhProcess *owner = ph_service_get_main_owner (service);
  g_autofree char *proto = g_ascii_strup (ph_service_get_protocol (service), -1);

  /* Translators: "Port 3000, TCP on 127.0.0.1" */
  g_string_append_printf (label, _("Port %u, %s on %s"), ph_service_get_port (service),
                          proto, ph_service_get_address (service));
  g_string_append (label, ", ");
  g_string_append (label, class_short_name (ph_service_get_port (service)));
  if (owner != NULL && ph_process_get_comm (owner) != NULL)
    {
      g_autofree char *name = ph_process_dup_display_name (owner);

      g_string_append (label, ", ");
      g_string_append_printf (label, _("%s (PID %d)"),
                              name, (int) ph_process_get_pid (owner));
    }
  else if (ph_service_get_forwarded (service))
    {
      g_string_append (label, ", ");
      g_string_append (label, ph_containers_forwarded_note ());
    }
  else
    {
      g_autofree char *guess = ph_service_row_dup_guess (service);

      if (ph_service_get_unseen (service) != NULL)
        {
          g_string_append (label, ", ");
          g_string_append (label, _("owner unknown, not visible from here"));
        }
      if (guess != NULL)
        {
          g_string_append (label, ", ");
          g_string_append (label, guess);
        }
    }
  if (ph_service_is_reachable_from_network (service))
    {
      g_string_append (label, ", ");
      g_string_append (label, _("reachable from other computers"));
    }
  return g_string_free (label, FALSE);
}

/* The reachability mark at the end of the row, made the first time the row shows a
 * service reachable from other computers: most never do, and the list keeps some 200
 * rows alive (an image, hidden or not, costs some 3 KB with its accessible object). */
static void
add_reachable_image (PhServiceRow *self)
{
  GtkWidget *image = gtk_image_new_from_icon_name ("network-workgroup-symbolic");
  const char *reachable = _("Reachable from other computers");

  self->reachable_image = GTK_IMAGE (image);
  gtk_widget_set_valign (image, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (image, reachable);
  gtk_widget_add_css_class (image, "warning");
  gtk_accessible_update_property (GTK_ACCESSIBLE (image),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, reachable,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Other computers on the network can connect to this port "
                                    "unless a firewall stops them."),
                                  -1);
  gtk_widget_set_parent (image, GTK_WIDGET (self));
}

/* Sets one text; a text that does not change is not set again (nor measured again). */
static void
set_text (PhServiceRow     *self,
          PhServiceRowText  which,
          const char       *text)
{
  if (text != NULL && *text == '\0')
    text = NULL;
  if (!g_set_str (&self->texts[which], text))
    return;
  self->sizes_valid = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* Writes the labels that show @shows, from the service. */
static void
update (PhServiceRow *self,
        Shows         shows)
{
  PhService *service = self->service;
  guint port = ph_service_get_port (service);

  if (shows & SHOWS_PORT)
    {
      g_autofree char *text = g_strdup_printf ("%u", port);

      set_text (self, PH_SERVICE_ROW_PORT, text);
    }
  if (shows & SHOWS_ADDRESS)
    {
      g_autofree char *proto = g_ascii_strup (ph_service_get_protocol (service), -1);
      /* Translators: "127.0.0.1 · TCP" */
      g_autofree char *text = g_strdup_printf (_("%s · %s"), ph_service_get_address (service),
                                               proto);

      set_text (self, PH_SERVICE_ROW_ADDRESS, text);
    }
  if (shows & SHOWS_DETAIL)
    {
      /* "Registered port · vite", or the guess for a hidden owner, or the class alone. */
      PhProcess *owner = ph_service_get_main_owner (service);
      g_autofree char *name = NULL;
      g_autofree char *text = NULL;

      if (owner != NULL && ph_process_get_comm (owner) != NULL)
        name = ph_process_dup_display_name (owner);
      else if (ph_service_get_forwarded (service))
        name = g_strdup (ph_containers_forwarded_note ());
      else
        name = ph_service_row_dup_guess (service);
      if (name != NULL)
        text = g_strdup_printf ("%s · %s", class_short_name (port), name);
      set_text (self, PH_SERVICE_ROW_DETAIL, text != NULL ? text : class_short_name (port));
    }
  if (shows & SHOWS_REACHABLE)
    {
      gboolean reachable = ph_service_is_reachable_from_network (service);

      if (reachable && self->reachable_image == NULL)
        add_reachable_image (self);
      if (self->reachable_image != NULL)
        gtk_widget_set_visible (GTK_WIDGET (self->reachable_image), reachable);
    }

  /* What a screen reader says for the row says all of it. */
  {
    g_autofree char *label = ph_service_row_dup_accessible_label (service);

    if (g_strcmp0 (label, self->accessible_label) != 0)
      {
        g_free (self->accessible_label);
        self->accessible_label = g_steal_pointer (&label);
        if (self->list_item != NULL)
          gtk_list_item_set_accessible_label (self->list_item, self->accessible_label);
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCESSIBLE_LABEL]);
      }
  }
}

static void
on_service_notify (PhServiceRow *self,
                   GParamSpec   *pspec)
{
  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      if (g_str_equal (pspec->name, shown[i].property))
        {
          update (self, shown[i].shows);
          return;
        }
    }
}

void
ph_service_row_set_service (PhServiceRow *self,
                            PhService    *service)
{
  g_return_if_fail (PH_IS_SERVICE_ROW (self));
  g_return_if_fail (service == NULL || PH_IS_SERVICE (service));

  if (self->service == service)
    return;

  if (self->service != NULL)
    g_clear_signal_handler (&self->notify_id, self->service);
  g_set_object (&self->service, service);
  if (service != NULL)
    {
      /* Disconnected before the row lets go of the service (here and in dispose). */
      self->notify_id = g_signal_connect_swapped (service, "notify",
                                                  G_CALLBACK (on_service_notify), self);
      update (self, SHOWS_ALL);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE]);
}

/* The text the row shows at @which (for tests: the row draws it; NULL for none). It
 * stays the same string for as long as that text is not set again. */
const char *
ph_service_row_get_text (PhServiceRow     *self,
                         PhServiceRowText  which)
{
  g_return_val_if_fail (PH_IS_SERVICE_ROW (self), NULL);
  g_return_val_if_fail (which < PH_SERVICE_ROW_N_TEXTS, NULL);

  return self->texts[which];
}

/* The list item that shows @self (NULL: none any more), which says what
 * ph_service_row_get_accessible_label() says from now on. It must be unset before the
 * item goes. */
void
ph_service_row_set_list_item (PhServiceRow *self,
                              GtkListItem  *item)
{
  g_return_if_fail (PH_IS_SERVICE_ROW (self));
  g_return_if_fail (item == NULL || GTK_IS_LIST_ITEM (item));

  self->list_item = item;
  if (item != NULL)
    gtk_list_item_set_accessible_label (item, self->accessible_label);
}

/* What a screen reader says for the row (its "accessible-label" property). */
const char *
ph_service_row_get_accessible_label (PhServiceRow *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_ROW (self), NULL);
  return self->accessible_label;
}

PhService *
ph_service_row_get_service (PhServiceRow *self)
{
  g_return_val_if_fail (PH_IS_SERVICE_ROW (self), NULL);
  return self->service;
}

static void
ph_service_row_dispose (GObject *object)
{
  PhServiceRow *self = PH_SERVICE_ROW (object);
  GtkWidget *child;

  if (self->service != NULL)
    g_clear_signal_handler (&self->notify_id, self->service);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->service);

  G_OBJECT_CLASS (ph_service_row_parent_class)->dispose (object);
}

static void
ph_service_row_finalize (GObject *object)
{
  PhServiceRow *self = PH_SERVICE_ROW (object);

  g_free (self->accessible_label);
  for (guint i = 0; i < PH_SERVICE_ROW_N_TEXTS; i++)
    g_free (self->texts[i]);

  G_OBJECT_CLASS (ph_service_row_parent_class)->finalize (object);
}

static void
ph_service_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PhServiceRow *self = PH_SERVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_SERVICE:
      g_value_set_object (value, self->service);
      break;
    case PROP_ACCESSIBLE_LABEL:
      g_value_set_string (value, self->accessible_label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_service_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PhServiceRow *self = PH_SERVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_SERVICE:
      ph_service_row_set_service (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* floor() and round() for the small values here, without libm. */
static int
floor_int (double value)
{
  int i = (int) value;

  return value < i ? i - 1 : i;
}

/* The font of each text, from the row's (its Pango context follows its CSS style and the
 * font settings): set again whenever that context changed. @base is in the context's
 * units (absolute or points, as the style gave it). */
static PangoFontDescription *
scaled_font (const PangoFontDescription *base,
             double                      scale,
             PangoWeight                 weight)
{
  PangoFontDescription *font = pango_font_description_copy (base);
  int size = pango_font_description_get_size (base);

  if (pango_font_description_get_size_is_absolute (base))
    pango_font_description_set_absolute_size (font, floor_int (size * scale + 0.5));
  else
    pango_font_description_set_size (font, floor_int (size * scale + 0.5));
  pango_font_description_set_weight (font, weight);
  return font;
}

/* Rows measure with the same Pango settings (their list's context), so rows with the same
 * address or detail text ("127.0.0.1 · TCP", "Registered port · nginx": most of them)
 * measure it alike, and those texts (ellipsized: measured twice each, as a label is) are
 * measured once for all rows while the settings that measuring depends on stay the same
 * (the port's width in characters is kept with the shared layout, SharedText). The list
 * makes some 200 rows at once, the first time it is filled. Only the main thread measures
 * rows. */
#define SHARED_SIZES_MAX 512

typedef struct
{
  int min_width;
  int nat_width;
  int height;
} TextSize;

typedef struct
{
  guint                 generation;   /* changes with the settings below; never 0 */
  PangoFontMap         *font_map;
  guint                 font_map_serial;
  PangoFontDescription *font;
  PangoLanguage        *language;
  PangoDirection        base_dir;
  PangoGravity          base_gravity;
  PangoGravityHint      gravity_hint;
  gboolean              has_matrix;
  PangoMatrix           matrix;
  cairo_font_options_t *options;
  double                resolution;
  gboolean              round_positions;
  GHashTable           *sizes[PH_SERVICE_ROW_N_TEXTS];   /* text → TextSize; not the port's */
} SharedSizes;

static SharedSizes shared_sizes;

/* Whether @context measures as the shared sizes were measured. */
static gboolean
shared_sizes_match (PangoContext *context)
{
  const PangoMatrix *matrix = pango_context_get_matrix (context);
  const cairo_font_options_t *options = pango_cairo_context_get_font_options (context);

  return shared_sizes.generation != 0 &&
         shared_sizes.font_map == pango_context_get_font_map (context) &&
         shared_sizes.font_map_serial == pango_font_map_get_serial (shared_sizes.font_map) &&
         pango_font_description_equal (shared_sizes.font,
                                       pango_context_get_font_description (context)) &&
         shared_sizes.language == pango_context_get_language (context) &&
         shared_sizes.base_dir == pango_context_get_base_dir (context) &&
         shared_sizes.base_gravity == pango_context_get_base_gravity (context) &&
         shared_sizes.gravity_hint == pango_context_get_gravity_hint (context) &&
         shared_sizes.has_matrix == (matrix != NULL) &&
         (matrix == NULL || memcmp (&shared_sizes.matrix, matrix, sizeof *matrix) == 0) &&
         (options == NULL ? shared_sizes.options == NULL
                          : shared_sizes.options != NULL &&
                            cairo_font_options_equal (shared_sizes.options, options)) &&
         shared_sizes.resolution == pango_cairo_context_get_resolution (context) &&
         shared_sizes.round_positions == pango_context_get_round_glyph_positions (context);
}

/* Starts the shared sizes again, for @context's settings. */
static void
shared_sizes_reset (PangoContext *context)
{
  static guint generation;
  const PangoMatrix *matrix = pango_context_get_matrix (context);
  const cairo_font_options_t *options = pango_cairo_context_get_font_options (context);

  g_set_object (&shared_sizes.font_map, pango_context_get_font_map (context));
  shared_sizes.font_map_serial = pango_font_map_get_serial (shared_sizes.font_map);
  g_clear_pointer (&shared_sizes.font, pango_font_description_free);
  shared_sizes.font = pango_font_description_copy (pango_context_get_font_description (context));
  shared_sizes.language = pango_context_get_language (context);
  shared_sizes.base_dir = pango_context_get_base_dir (context);
  shared_sizes.base_gravity = pango_context_get_base_gravity (context);
  shared_sizes.gravity_hint = pango_context_get_gravity_hint (context);
  shared_sizes.has_matrix = matrix != NULL;
  if (matrix != NULL)
    shared_sizes.matrix = *matrix;
  g_clear_pointer (&shared_sizes.options, cairo_font_options_destroy);
  if (options != NULL)
    shared_sizes.options = cairo_font_options_copy (options);
  shared_sizes.resolution = pango_cairo_context_get_resolution (context);
  shared_sizes.round_positions = pango_context_get_round_glyph_positions (context);
  for (guint i = 0; i < PH_SERVICE_ROW_N_TEXTS; i++)
    {
      if (i == PH_SERVICE_ROW_PORT)
        continue;
      if (shared_sizes.sizes[i] == NULL)
        shared_sizes.sizes[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      else
        g_hash_table_remove_all (shared_sizes.sizes[i]);
    }
  if (++generation == 0)
    generation = 1;
  shared_sizes.generation = generation;
}

/* What every row of a list measures and draws with, kept on the list view (whose Pango
 * context it is): one layout, and the fonts made from the context's for the port and the
 * detail. */
typedef struct
{
  PangoLayout *layout;
  guint serial;              /* of the context, when the fonts were made */
  PangoFontDescription *fonts[PH_SERVICE_ROW_N_TEXTS];  /* NULL: the context's own */
  PangoAttrList *port_attrs;
  int port_min_width;
} SharedText;

static void
shared_text_free (gpointer data)
{
  SharedText *shared = data;

  g_clear_object (&shared->layout);
  for (guint i = 0; i < PH_SERVICE_ROW_N_TEXTS; i++)
    g_clear_pointer (&shared->fonts[i], pango_font_description_free);
  g_clear_pointer (&shared->port_attrs, pango_attr_list_unref);
  g_free (shared);
}

/* The shared text the row measures and draws with: its list view's (a row outside a
 * list, its own), on that widget's Pango context; its fonts made again whenever the
 * context changed (its style, the font settings, the direction). */
static SharedText *
get_shared_text (PhServiceRow  *self,
                 PangoContext **out_context)
{
  static GQuark quark;
  GtkWidget *owner = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_LIST_VIEW);
  PangoContext *context;
  SharedText *shared;
  const PangoFontDescription *base;
  PangoFontMetrics *metrics;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("ph-service-row-shared-text");
  if (owner == NULL)
    owner = GTK_WIDGET (self);
  context = gtk_widget_get_pango_context (owner);
  *out_context = context;
  shared = g_object_get_qdata (G_OBJECT (owner), quark);
  if (shared == NULL)
    {
      shared = g_new0 (SharedText, 1);
      shared->layout = pango_layout_new (context);
      /* libadwaita's .numeric: tabular figures. */
      shared->port_attrs = pango_attr_list_new ();
      pango_attr_list_insert (shared->port_attrs, pango_attr_font_features_new ("tnum 1"));
      g_object_set_qdata_full (G_OBJECT (owner), quark, shared, shared_text_free);
    }
  if (shared->serial != 0 && shared->serial == pango_context_get_serial (context))
    return shared;
  shared->serial = pango_context_get_serial (context);
  base = pango_context_get_font_description (context);
  for (guint i = 0; i < PH_SERVICE_ROW_N_TEXTS; i++)
    g_clear_pointer (&shared->fonts[i], pango_font_description_free);
  shared->fonts[PH_SERVICE_ROW_PORT] = scaled_font (base, PORT_SCALE, PANGO_WEIGHT_BOLD);
  shared->fonts[PH_SERVICE_ROW_DETAIL] = scaled_font (base, CAPTION_SCALE,
                                                      PANGO_WEIGHT_NORMAL);
  pango_layout_context_changed (shared->layout);

  /* A label's width-chars: the wider of a character and a digit, in the port's font. */
  metrics = pango_context_get_metrics (context, shared->fonts[PH_SERVICE_ROW_PORT], NULL);
  shared->port_min_width = PORT_WIDTH_CHARS
                           * MAX (pango_font_metrics_get_approximate_char_width (metrics),
                                  pango_font_metrics_get_approximate_digit_width (metrics));
  pango_font_metrics_unref (metrics);
  return shared;
}

/* The shared layout set to the row's text @which, @width wide (Pango units, -1: its
 * natural width), in its font, aligned as a left-aligned label (mirrored right to left). */
static PangoLayout *
layout_text (PhServiceRow     *self,
             SharedText       *shared,
             PhServiceRowText  which,
             int               width)
{
  static const PangoEllipsizeMode ellipsize[PH_SERVICE_ROW_N_TEXTS] = {
    [PH_SERVICE_ROW_PORT] = PANGO_ELLIPSIZE_NONE,
    [PH_SERVICE_ROW_ADDRESS] = PANGO_ELLIPSIZE_MIDDLE,
    [PH_SERVICE_ROW_DETAIL] = PANGO_ELLIPSIZE_END,
  };
  PangoLayout *layout = shared->layout;
  gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;

  pango_layout_set_text (layout, self->texts[which] != NULL ? self->texts[which] : "", -1);
  pango_layout_set_font_description (layout, shared->fonts[which]);
  pango_layout_set_attributes (layout, which == PH_SERVICE_ROW_PORT ? shared->port_attrs
                                                                   : NULL);
  pango_layout_set_ellipsize (layout, ellipsize[which]);
  pango_layout_set_alignment (layout, rtl ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_set_width (layout, width);
  return layout;
}

/* Each text's width as a label would measure it (natural, and minimum: for an ellipsized
 * text, the width it has ellipsized at width 0) and its height: the address's and the
 * detail's from the shared sizes when another row measured the same text. */
static void
ensure_sizes (PhServiceRow *self)
{
  PangoContext *context;
  SharedText *shared = get_shared_text (self, &context);

  if (self->sizes_valid && self->sizes_context == context
      && self->sizes_serial == shared->serial)
    return;
  if (!shared_sizes_match (context))
    shared_sizes_reset (context);
  for (guint i = 0; i < PH_SERVICE_ROW_N_TEXTS; i++)
    {
      const char *text = self->texts[i] != NULL ? self->texts[i] : "";
      GHashTable *sizes = shared_sizes.sizes[i];
      const TextSize *known = sizes != NULL ? g_hash_table_lookup (sizes, text) : NULL;
      PangoLayout *layout;
      int height;

      if (known != NULL)
        {
          self->min_width[i] = known->min_width;
          self->nat_width[i] = known->nat_width;
          self->height[i] = known->height;
          continue;
        }
      layout = layout_text (self, shared, i, -1);
      pango_layout_get_size (layout, &self->nat_width[i], &height);
      self->height[i] = PANGO_PIXELS_CEIL (height);
      self->min_width[i] = self->nat_width[i];
      if (pango_layout_get_ellipsize (layout) != PANGO_ELLIPSIZE_NONE)
        {
          pango_layout_set_width (layout, 0);
          pango_layout_get_size (layout, &self->min_width[i], NULL);
          self->min_width[i] = MIN (self->min_width[i], self->nat_width[i]);
        }
      if (sizes != NULL)
        {
          TextSize *size = g_new (TextSize, 1);

          *size = (TextSize) { self->min_width[i], self->nat_width[i], self->height[i] };
          if (g_hash_table_size (sizes) >= SHARED_SIZES_MAX)
            g_hash_table_remove_all (sizes);
          g_hash_table_insert (sizes, g_strdup (text), size);
        }
    }
  self->port_min_width = shared->port_min_width;
  self->sizes_context = context;
  self->sizes_serial = shared->serial;
  self->sizes_valid = TRUE;
}

static int
port_width (PhServiceRow *self)
{
  return PANGO_PIXELS_CEIL (MAX (self->nat_width[PH_SERVICE_ROW_PORT], self->port_min_width));
}

/* The width of the mark's column, with its spacing (0 without a mark). */
static void
measure_mark (PhServiceRow   *self,
              GtkOrientation  orientation,
              int            *minimum,
              int            *natural)
{
  *minimum = *natural = 0;
  if (self->reachable_image == NULL
      || !gtk_widget_should_layout (GTK_WIDGET (self->reachable_image)))
    return;
  gtk_widget_measure (GTK_WIDGET (self->reachable_image), orientation, -1, minimum, natural,
                      NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum += COLUMN_SPACING;
      *natural += COLUMN_SPACING;
    }
}

static void
ph_service_row_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  PhServiceRow *self = PH_SERVICE_ROW (widget);
  int mark_min, mark_nat;

  ensure_sizes (self);
  measure_mark (self, orientation, &mark_min, &mark_nat);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int text_min = MAX (self->min_width[PH_SERVICE_ROW_ADDRESS],
                          self->min_width[PH_SERVICE_ROW_DETAIL]);
      int text_nat = MAX (self->nat_width[PH_SERVICE_ROW_ADDRESS],
                          self->nat_width[PH_SERVICE_ROW_DETAIL]);

      *minimum = port_width (self) + COLUMN_SPACING + PANGO_PIXELS_CEIL (text_min) + mark_min;
      *natural = port_width (self) + COLUMN_SPACING + PANGO_PIXELS_CEIL (text_nat) + mark_nat;
    }
  else
    {
      int lines = self->height[PH_SERVICE_ROW_ADDRESS] + self->height[PH_SERVICE_ROW_DETAIL];
      int text = MAX (lines, self->height[PH_SERVICE_ROW_PORT]);

      *minimum = MAX (text, mark_min);
      *natural = MAX (text, mark_nat);
    }
}

/* Where a label of this width and height would draw @layout (xalign 0 or 1, yalign 0.5),
 * relative to its box. */
static void
text_origin (GtkWidget   *widget,
             PangoLayout *layout,
             float        xalign,
             int          width,
             int          height,
             float       *x,
             float       *y)
{
  PangoRectangle logical;

  if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
    xalign = 1.0f - xalign;
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  *x = floor_int (xalign * (width - logical.width) - logical.x);
  *y = floor_int ((height - logical.height) * 0.5);
}

/* The port's column width, the address's and detail's column start and width, and the
 * address line's height, for a row @width wide: the grid of labels the row replaces. */
typedef struct
{
  int port_width;
  int text_x;
  int text_width;
  int mark_x;
  int mark_width;
  int address_height;
} Columns;

static void
get_columns (PhServiceRow *self,
             int           width,
             Columns      *columns)
{
  int mark_min;
  gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;

  ensure_sizes (self);
  columns->port_width = port_width (self);
  measure_mark (self, GTK_ORIENTATION_HORIZONTAL, &mark_min, &columns->mark_width);
  columns->text_width = MAX (width - columns->port_width - COLUMN_SPACING - columns->mark_width,
                             0);
  columns->text_x = rtl ? columns->mark_width : columns->port_width + COLUMN_SPACING;
  columns->mark_x = rtl ? 0 : columns->text_x + columns->text_width + COLUMN_SPACING;
  if (columns->mark_width > 0)
    columns->mark_width -= COLUMN_SPACING;
  columns->address_height = self->height[PH_SERVICE_ROW_ADDRESS];
}

static void
ph_service_row_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  PhServiceRow *self = PH_SERVICE_ROW (widget);
  Columns columns;

  get_columns (self, width, &columns);
  if (columns.mark_width > 0)
    gtk_widget_size_allocate (GTK_WIDGET (self->reachable_image),
                              &(GtkAllocation) { columns.mark_x, 0, columns.mark_width, height },
                              -1);
}

static void
append_text (PhServiceRow      *self,
             GtkSnapshot       *snapshot,
             PhServiceRowText   which,
             const GdkRGBA     *color,
             float              xalign,
             int                x,
             int                y,
             int                width,
             int                height)
{
  PangoContext *context;
  SharedText *shared = get_shared_text (self, &context);
  PangoLayout *layout;
  float text_x, text_y;

  if (self->texts[which] == NULL)
    return;
  /* The port at its natural width; the two ellipsized texts fit their column. */
  layout = layout_text (self, shared, which, which == PH_SERVICE_ROW_PORT ? -1
                                                                         : width * PANGO_SCALE);
  text_origin (GTK_WIDGET (self), layout, xalign, width, height, &text_x, &text_y);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + text_x, y + text_y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
ph_service_row_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  PhServiceRow *self = PH_SERVICE_ROW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  AdwStyleManager *style = adw_style_manager_get_for_display (gtk_widget_get_display (widget));
  Columns columns;
  GdkRGBA color;

  get_columns (self, width, &columns);
  gtk_widget_get_color (widget, &color);

  append_text (self, snapshot, PH_SERVICE_ROW_PORT, &color, 1.0f,
               rtl ? width - columns.port_width : 0, 0, columns.port_width, height);
  append_text (self, snapshot, PH_SERVICE_ROW_ADDRESS, &color, 0.0f,
               columns.text_x, 0, columns.text_width, columns.address_height);
  gtk_snapshot_push_opacity (snapshot, adw_style_manager_get_high_contrast (style)
                                       ? DIM_OPACITY_HC : DIM_OPACITY);
  append_text (self, snapshot, PH_SERVICE_ROW_DETAIL, &color, 0.0f,
               columns.text_x, columns.address_height, columns.text_width,
               height - columns.address_height);
  gtk_snapshot_pop (snapshot);

  GTK_WIDGET_CLASS (ph_service_row_parent_class)->snapshot (widget, snapshot);
}

static void
ph_service_row_direction_changed (GtkWidget        *widget,
                                  GtkTextDirection  previous)
{
  PH_SERVICE_ROW (widget)->sizes_valid = FALSE;
  GTK_WIDGET_CLASS (ph_service_row_parent_class)->direction_changed (widget, previous);
}

static void
ph_service_row_class_init (PhServiceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ph_service_row_dispose;
  object_class->finalize = ph_service_row_finalize;
  object_class->get_property = ph_service_row_get_property;
  object_class->set_property = ph_service_row_set_property;

  properties[PROP_SERVICE] =
    g_param_spec_object ("service", NULL, NULL, PH_TYPE_SERVICE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What the list item that holds the row says (ph_service_row_set_list_item()). */
  properties[PROP_ACCESSIBLE_LABEL] =
    g_param_spec_string ("accessible-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->measure = ph_service_row_measure;
  widget_class->size_allocate = ph_service_row_size_allocate;
  widget_class->snapshot = ph_service_row_snapshot;
  widget_class->direction_changed = ph_service_row_direction_changed;
  gtk_widget_class_set_css_name (widget_class, "ph-service-row");
}

/* Built in code, not from a template: the list makes some 200 rows whenever it refills
 * (at launch, when a search that matched nothing is erased, and one per row that goes
 * away). No child widgets but the reachability mark, made when a row first needs it. */
static void
ph_service_row_init (PhServiceRow *self)
{
  gtk_widget_set_margin_top (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 6);
  /* As its address did when it was a label: the row takes the list's width. */
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

PhServiceRow *
ph_service_row_new (void)
{
  return g_object_new (PH_TYPE_SERVICE_ROW, NULL);
}
