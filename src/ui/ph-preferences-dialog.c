/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-preferences-dialog.c — refresh interval, background refresh, UDP and IPv6 preferences */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-preferences-dialog.h"

struct _PhPreferencesDialog
{
  AdwPreferencesDialog parent_instance;

  GSettings *settings;

  AdwComboRow *refresh_row;
  AdwSwitchRow *background_row;
  AdwSwitchRow *udp_row;
  AdwSwitchRow *ipv6_row;
};

G_DEFINE_FINAL_TYPE (PhPreferencesDialog, ph_preferences_dialog, ADW_TYPE_PREFERENCES_DIALOG)

/* The combo row lists these intervals, in seconds, in this order. */
static const guint refresh_choices[] = { 0, 1, 2, 5 };

static gboolean
interval_to_position (GValue   *value,
                      GVariant *variant,
                      gpointer  user_data)
{
  guint seconds = g_variant_get_uint32 (variant);

  for (guint i = 0; i < G_N_ELEMENTS (refresh_choices); i++)
    {
      if (refresh_choices[i] == seconds)
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }
  return FALSE;
}

static GVariant *
position_to_interval (const GValue       *value,
                      const GVariantType *expected_type,
                      gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  if (position >= G_N_ELEMENTS (refresh_choices))
    return NULL;
  return g_variant_new_uint32 (refresh_choices[position]);
}

static void
ph_preferences_dialog_dispose (GObject *object)
{
  PhPreferencesDialog *self = PH_PREFERENCES_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), PH_TYPE_PREFERENCES_DIALOG);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ph_preferences_dialog_parent_class)->dispose (object);
}

static void
ph_preferences_dialog_class_init (PhPreferencesDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ph_preferences_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/porthole/Porthole/ph-preferences-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PhPreferencesDialog, refresh_row);
  gtk_widget_class_bind_template_child (widget_class, PhPreferencesDialog, background_row);
  gtk_widget_class_bind_template_child (widget_class, PhPreferencesDialog, udp_row);
  gtk_widget_class_bind_template_child (widget_class, PhPreferencesDialog, ipv6_row);
}

static void
ph_preferences_dialog_init (PhPreferencesDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind_with_mapping (self->settings, "refresh-interval",
                                self->refresh_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                interval_to_position, position_to_interval, NULL, NULL);
  g_settings_bind (self->settings, "background-refresh", self->background_row, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-udp", self->udp_row, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "show-ipv6", self->ipv6_row, "active", G_SETTINGS_BIND_DEFAULT);
}

PhPreferencesDialog *
ph_preferences_dialog_new (void)
{
  return g_object_new (PH_TYPE_PREFERENCES_DIALOG, NULL);
}
