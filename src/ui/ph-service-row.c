/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-service-row.c — one listening socket in the sidebar list */
#include "config.h"

#include <glib/gi18n.h>

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

struct _PhServiceRow
{
  GtkWidget parent_instance;

  PhService *service;
  gulong notify_id;
  char *accessible_label;

  GtkLabel *port_label;
  GtkLabel *address_label;
  GtkLabel *detail_label;
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
  GtkLayoutChild *child;

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
  child = gtk_layout_manager_get_layout_child (gtk_widget_get_layout_manager (GTK_WIDGET (self)),
                                               image);
  gtk_grid_layout_child_set_column (GTK_GRID_LAYOUT_CHILD (child), 2);
  gtk_grid_layout_child_set_row_span (GTK_GRID_LAYOUT_CHILD (child), 2);
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

      gtk_label_set_label (self->port_label, text);
    }
  if (shows & SHOWS_ADDRESS)
    {
      g_autofree char *proto = g_ascii_strup (ph_service_get_protocol (service), -1);
      /* Translators: "127.0.0.1 · TCP" */
      g_autofree char *text = g_strdup_printf (_("%s · %s"), ph_service_get_address (service),
                                               proto);

      gtk_label_set_label (self->address_label, text);
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
      gtk_label_set_label (self->detail_label, text != NULL ? text : class_short_name (port));
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
      self->notify_id = g_signal_connect_object (service, "notify",
                                                 G_CALLBACK (on_service_notify), self,
                                                 G_CONNECT_SWAPPED);
      update (self, SHOWS_ALL);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE]);
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
  /* For the list item that holds the row (ph-window.c's factory follows it). */
  properties[PROP_ACCESSIBLE_LABEL] =
    g_param_spec_string ("accessible-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_GRID_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ph-service-row");
}

/* A label at (@column, @row) of the row's grid. */
static GtkLabel *
add_label (PhServiceRow *self,
           int           column,
           int           row,
           int           row_span,
           float         xalign)
{
  GtkWidget *label = gtk_label_new (NULL);
  GtkLayoutChild *child;

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_widget_set_parent (label, GTK_WIDGET (self));
  child = gtk_layout_manager_get_layout_child (gtk_widget_get_layout_manager (GTK_WIDGET (self)),
                                               label);
  gtk_grid_layout_child_set_column (GTK_GRID_LAYOUT_CHILD (child), column);
  gtk_grid_layout_child_set_row (GTK_GRID_LAYOUT_CHILD (child), row);
  gtk_grid_layout_child_set_row_span (GTK_GRID_LAYOUT_CHILD (child), row_span);
  return GTK_LABEL (label);
}

/* Built in code, not from a template: the list makes some 200 rows whenever it refills
 * (at launch, when a search that matched nothing is erased, and one per row that goes
 * away), and a template's builder cost several times what the widgets themselves do.
 * One grid, no inner boxes: the port over two lines, the address above the detail, the
 * reachability mark at the end when there is one (an empty column takes no spacing). */
static void
ph_service_row_init (PhServiceRow *self)
{
  gtk_grid_layout_set_column_spacing (GTK_GRID_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                      12);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 6);

  self->port_label = add_label (self, 0, 0, 2, 1);
  gtk_label_set_width_chars (self->port_label, 5);
  gtk_widget_add_css_class (GTK_WIDGET (self->port_label), "port-number");
  gtk_widget_add_css_class (GTK_WIDGET (self->port_label), "numeric");

  self->address_label = add_label (self, 1, 0, 1, 0);
  gtk_label_set_ellipsize (self->address_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->address_label), TRUE);

  self->detail_label = add_label (self, 1, 1, 1, 0);
  gtk_label_set_ellipsize (self->detail_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->detail_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->detail_label), "dim-label");
}

PhServiceRow *
ph_service_row_new (void)
{
  return g_object_new (PH_TYPE_SERVICE_ROW, NULL);
}
