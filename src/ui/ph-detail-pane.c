/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-detail-pane.c — what the selected service's address, port, process and service mean */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-describe.h"
#include "ph-detail-pane.h"
#include "ph-explain.h"
#include "ph-port-line.h"
#include "ph-port-suggest.h"
#include "ph-probe.h"
#include "ph-reach-picture.h"
#include "ph-service-row.h"
#include "ph-stopper.h"
#include "ph-systemd.h"
#include "ph-troubleshoot.h"

struct _PhDetailPane
{
  AdwBin parent_instance;

  PhService *service;
  GCancellable *probe_cancellable;
  GCancellable *unit_cancellable;
  GCancellable *troubleshoot_cancellable;
  GCancellable *suggest_cancellable;
  guint suggest_near;   /* the port to find a free one near; 0: no suggestion offered */
  PhProbeResult *probe;
  char *open_uri;

  /* Rows added to each group, so a new service can clear them. */
  GPtrArray *rows;

  /* The template is built the first time the pane has something to show (ensure_built()):
   * until then the pane is an empty bin. */
  gboolean built;
  PhServiceList *services;   /* for the port line, until it is built */

  GtkLabel *port_label;
  GtkLabel *heading_label;
  GtkLabel *status_label;
  GtkWidget *actions_box;
  GtkButton *free_button;
  AdwPreferencesGroup *address_group;
  AdwPreferencesGroup *port_group;
  AdwPreferencesGroup *process_group;
  AdwPreferencesGroup *service_group;
  GtkWidget *probe_spinner;
  PhReachPicture *reach_picture;
  PhPortLine *port_line;
  AdwPreferencesGroup *connection_group;
  GtkWidget *reach_row;
  GtkWidget *troubleshoot_spinner;
  GtkWidget *suggest_box;
  GtkLabel *suggest_label;
};

G_DEFINE_FINAL_TYPE (PhDetailPane, ph_detail_pane, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SERVICE,
  PROP_CAN_OPEN,
  PROP_OPEN_URI,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  AdwPreferencesGroup *group;
  GtkWidget *row;
} AddedRow;

static void
added_row_free (AddedRow *added)
{
  adw_preferences_group_remove (added->group, added->row);
  g_free (added);
}

static GtkWidget *
add_row (PhDetailPane        *self,
         AdwPreferencesGroup *group,
         const char          *title,
         const char          *text,
         gboolean             is_fact)
{
  GtkWidget *row = adw_action_row_new ();
  AddedRow *added = g_new0 (AddedRow, 1);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (title != NULL && *title != '\0')
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text != NULL ? text : "");
      adw_action_row_set_subtitle_selectable (ADW_ACTION_ROW (row), TRUE);
    }
  else
    {
      /* A sentence on its own reads as body text, not as a dimmed caption. */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text != NULL ? text : "");
      adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), TRUE);
    }
  /* A fact ("PID: 1234") reads value-first; an explanation reads as a sentence. */
  if (is_fact)
    gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);

  added->group = group;
  added->row = row;
  g_ptr_array_add (self->rows, added);
  return row;
}

static void
clear_rows (PhDetailPane *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  /* Focus on a row that goes would leave the window with none: keyboard users would be
   * stranded, and the split view could not move it to the list when it collapses. The
   * reach picture's row stays. */
  for (guint i = 0; i < self->rows->len && focus != NULL; i++)
    {
      AddedRow *added = g_ptr_array_index (self->rows, i);

      if (focus == added->row || gtk_widget_is_ancestor (focus, added->row))
        {
          gtk_widget_grab_focus (self->reach_row);
          break;
        }
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
set_open_uri (PhDetailPane *self,
              const char   *uri)
{
  gboolean was_open = self->open_uri != NULL;

  if (g_strcmp0 (self->open_uri, uri) == 0)
    return;
  g_free (self->open_uri);
  self->open_uri = g_strdup (uri);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_URI]);
  if (was_open != (uri != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_OPEN]);
}

/* The host part of the URI to open (ph_service_dup_uri_host()). */
char *
ph_detail_pane_dup_uri_host (PhService *service)
{
  return ph_service_dup_uri_host (service);
}

static void
fill_explanation (PhDetailPane        *self,
                  AdwPreferencesGroup *group,
                  PhExplanationSection section,
                  const PhExplanation *explanation)
{
  for (guint i = 0; i < ph_explanation_get_n_items (explanation, section); i++)
    {
      const PhExplanationItem *item = ph_explanation_get_item (explanation, section, i);

      add_row (self, group, item->title, item->text, item->is_fact);
    }
}

static void
fill_address_and_port (PhDetailPane *self,
                       const char   *host,
                       guint         port,
                       const char   *protocol,
                       int           v6only,
                       gboolean      listening)
{
  g_autoptr(PhExplanation) explanation = NULL;

  explanation = ph_explain (host, port, protocol, v6only, listening);
  /* The pictures show what the words below them say. */
  ph_reach_picture_set_address (self->reach_picture, host, port != 0 ? (int) port : -1);
  ph_port_line_set_port (self->port_line, port != 0 ? (int) port : -1);
  fill_explanation (self, self->address_group, PH_EXPLANATION_ADDRESS, explanation);
  fill_explanation (self, self->port_group, PH_EXPLANATION_PORT, explanation);
}

/* The container that publishes the port, before the engine's program that holds it. */
static void
fill_container (PhDetailPane *self,
                PhContainer  *container)
{
  PhService *service = self->service;
  g_autofree char *where = ph_container_describe_port (container, ph_service_get_address (service),
                                                       ph_service_get_port (service),
                                                       ph_service_get_protocol (service));
  const char *image = ph_container_get_image (container);

  add_row (self, self->process_group, _("Container"), where, TRUE);
  add_row (self, self->process_group, _("Engine"), ph_container_get_engine_label (container), TRUE);
  if (image != NULL && *image != '\0')
    add_row (self, self->process_group, _("Image"), image, TRUE);
  if (ph_container_get_access_hint (container) != NULL)
    add_row (self, self->process_group, _("Name Guessed"),
             ph_container_get_access_hint (container), FALSE);
}

static void
fill_process (PhDetailPane *self)
{
  PhService *service = self->service;
  PhProcess *owner = ph_service_get_main_owner (service);
  guint n_owners = ph_service_get_n_owners (service);
  g_autofree char *pid = NULL;
  g_autofree char *started = NULL;
  g_autofree char *managed = NULL;
  g_autofree char *name = NULL;

  if (ph_service_get_kernel (service))
    {
      add_row (self, self->process_group, _("No process"),
               _("The operating system itself holds this socket; no program owns it."), FALSE);
      return;
    }

  /* A published port that no program holds: the firewall forwards it to the container. */
  if (ph_service_get_forwarded (service) && ph_service_get_container (service) != NULL)
    {
      PhContainer *container = ph_service_get_container (service);
      const PhContainerPort *p = ph_container_find_port (container,
                                                         ph_service_get_address (service),
                                                         ph_service_get_port (service),
                                                         ph_service_get_protocol (service));
      g_autofree char *text = ph_container_dup_forwarded_text (container,
                                                               p != NULL ? p->container_port : 0);

      gtk_label_set_label (self->status_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
      fill_container (self, container);
      add_row (self, self->process_group, _("No Program"),
               _("No program on this computer holds this port: the firewall sends its "
                 "connections on to the container (DNAT)."), FALSE);
      return;
    }

  if (owner == NULL && ph_service_get_unseen (service) != NULL)
    {
      g_autofree char *guess = ph_service_row_dup_guess (service);
      const char *why = ph_app_identity_get_description (ph_service_get_identity (service));
      /* Translators: %s says why, such as "Porthole’s scanner runs in a sandbox or a
       * container of its own, …" */
      g_autofree char *text = g_strdup_printf (_("A program Porthole cannot see from here "
                                                 "holds this socket. %s."), why);

      add_row (self, self->process_group, _("Owner Unknown — Not Visible From Here"), text,
               FALSE);
      if (guess != NULL)
        add_row (self, self->process_group, _("A Guess"), guess, TRUE);
      return;
    }

  if (owner == NULL)
    {
      g_autofree char *text = NULL;
      g_autofree char *guess = NULL;

      if (ph_service_get_user (service) != NULL)
        text = g_strdup_printf (_("This socket belongs to a program of the user “%s”. Porthole "
                                  "cannot see which program without more rights."),
                                ph_service_get_user (service));
      else
        text = g_strdup (_("This socket belongs to a program of another user. Porthole cannot "
                           "see which program without more rights."));
      add_row (self, self->process_group, _("Owner hidden"), text, FALSE);
      guess = ph_service_row_dup_guess (service);
      if (guess != NULL)
        add_row (self, self->process_group, _("A Guess"), guess, TRUE);
      return;
    }

  if (ph_service_get_container (service) != NULL)
    fill_container (self, ph_service_get_container (service));

  pid = g_strdup_printf ("%" G_GINT64_FORMAT, ph_process_get_pid (owner));
  name = ph_process_dup_display_name (owner);
  add_row (self, self->process_group, _("Name"), name, TRUE);
  add_row (self, self->process_group, _("Process ID"), pid, TRUE);
  if (ph_process_get_user (owner) != NULL)
    add_row (self, self->process_group, _("User"), ph_process_get_user (owner), TRUE);
  if (ph_process_get_command_line (owner) != NULL)
    add_row (self, self->process_group, _("Command Line"), ph_process_get_command_line (owner),
             TRUE);
  if (ph_process_get_exe (owner) != NULL)
    add_row (self, self->process_group, _("Program File"), ph_process_get_exe (owner), TRUE);
  if (ph_process_get_cwd (owner) != NULL)
    add_row (self, self->process_group, _("Working Folder"), ph_process_get_cwd (owner), TRUE);
  started = ph_describe_start_time (ph_process_get_start_time (owner));
  if (started != NULL)
    add_row (self, self->process_group, _("Started"), started, TRUE);
  managed = ph_describe_process_manager (owner);
  add_row (self, self->process_group, _("Managed By"), managed, TRUE);

  if (n_owners > 1)
    {
      g_autoptr(GString) others = g_string_new (NULL);

      for (guint i = 1; i < n_owners; i++)
        {
          PhProcess *other = ph_service_get_owner (service, i);
          g_autofree char *other_name = ph_process_dup_display_name (other);

          if (others->len > 0)
            g_string_append (others, ", ");
          g_string_append_printf (others, "%s (%" G_GINT64_FORMAT ")",
                                  other_name, ph_process_get_pid (other));
        }
      add_row (self, self->process_group, _("Also Held By"), others->str, TRUE);
    }
}

static void
show_probe_result (PhDetailPane *self)
{
  PhProbeResult *probe = self->probe;
  g_autofree char *status = NULL;
  g_autofree char *uri = NULL;

  add_row (self, self->service_group, _("What Answers"), ph_probe_result_get_summary (probe),
           TRUE);
  if (ph_probe_result_get_status_code (probe) != 0)
    {
      status = g_strdup_printf ("%u %s", ph_probe_result_get_status_code (probe),
                                ph_probe_result_get_reason_phrase (probe) != NULL ?
                                ph_probe_result_get_reason_phrase (probe) : "");
      add_row (self, self->service_group, _("HTTP Status"), status, TRUE);
    }
  if (ph_probe_result_get_server (probe) != NULL)
    add_row (self, self->service_group, _("Server"), ph_probe_result_get_server (probe), TRUE);
  if (ph_probe_result_get_title (probe) != NULL)
    add_row (self, self->service_group, _("Page Title"), ph_probe_result_get_title (probe), TRUE);
  if (ph_probe_result_get_banner (probe) != NULL)
    add_row (self, self->service_group, _("Greeting"), ph_probe_result_get_banner (probe), TRUE);

  if (ph_probe_result_get_can_open (probe))
    {
      g_autofree char *host = ph_detail_pane_dup_uri_host (self->service);

      uri = g_strdup_printf ("%s://%s:%u/", ph_probe_result_get_scheme (probe), host,
                             ph_service_get_port (self->service));
    }
  set_open_uri (self, uri);
}

static void
probe_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PhDetailPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhProbeResult) probe = ph_probe_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_widget_set_visible (self->probe_spinner, FALSE);
  if (probe == NULL)
    {
      add_row (self, self->service_group, _("What Answers"), error->message, TRUE);
      return;
    }
  g_set_object (&self->probe, probe);
  show_probe_result (self);
}

static void
start_probe (PhDetailPane *self)
{
  PhProcess *owner = ph_service_get_main_owner (self->service);
  PhProbeHints hints = { 0 };
  g_autofree char *connections = NULL;
  guint n = ph_service_get_connections (self->service);

  if (!g_str_equal (ph_service_get_protocol (self->service), "tcp"))
    {
      add_row (self, self->service_group, _("Not Checked"),
               _("Porthole does not send anything to UDP services: unexpected data could "
                 "confuse them, and many never answer."), FALSE);
      return;
    }

  /* A forwarded port has no socket here, so no connections to count. */
  if (!ph_service_get_forwarded (self->service))
    {
      connections = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u open connection",
                                                  "%u open connections", n), n);
      add_row (self, self->service_group, _("Connections"), connections, TRUE);
    }

  hints.program = owner != NULL ? ph_process_get_comm (owner) : NULL;
  self->probe_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->probe_spinner, TRUE);
  /* the probe reaches a wildcard address through loopback itself */
  ph_probe_async (ph_service_get_address (self->service), ph_service_get_port (self->service),
                  &hints, self->probe_cancellable, probe_cb, g_object_ref (self));
}

/* A systemd unit's name, description and state, read over D-Bus (core's plan). */
static void
plan_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  g_autoptr(PhDetailPane) self = user_data;
  g_autoptr(PhSystemdPlan) plan = NULL;
  g_autoptr(GError) error = NULL;

  plan = ph_systemd_plan_finish (res, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (plan == NULL)
    {
      add_row (self, self->process_group, _("systemd Unit"), error->message, FALSE);
      return;
    }
  if (plan->service != NULL)
    {
      g_autofree char *state = ph_systemd_unit_dup_state (plan->service);

      add_row (self, self->process_group, _("systemd Unit"), plan->service->name, TRUE);
      if (plan->service->description != NULL)
        add_row (self, self->process_group, _("Unit Description"), plan->service->description,
                 TRUE);
      add_row (self, self->process_group, _("Unit State"), state, TRUE);
      if (ph_systemd_unit_restarts (plan->service))
        {
          g_autofree char *restart = g_strdup_printf (_("Restart=%s: systemd starts it again "
                                                        "when its process ends"),
                                                      plan->service->restart);

          add_row (self, self->process_group, _("Restarts"), restart, TRUE);
        }
    }
  if (plan->socket != NULL)
    {
      g_autofree char *state = ph_systemd_unit_dup_state (plan->socket);
      g_autofree char *text = g_strconcat (plan->socket->name, ", ", state, NULL);

      add_row (self, self->process_group, _("Socket Unit"), text, TRUE);
    }
}

static void
start_unit_lookup (PhDetailPane *self)
{
  PhStopLever lever = ph_stopper_choose_lever (self->service);
  gboolean systemd = lever == PH_STOP_LEVER_SYSTEMD_SERVICE ||
                     lever == PH_STOP_LEVER_SYSTEMD_SOCKET;

  gtk_button_set_label (self->free_button, ph_stopper_lever_action (lever, FALSE));
  if (!systemd)
    return;
  self->unit_cancellable = g_cancellable_new ();
  ph_systemd_plan_async (self->service, self->unit_cancellable, plan_cb, g_object_ref (self));
}

/* The troubleshooter and "Suggest a Free Port" */

/* Shows the button that finds a free port near @port, or hides it (0). */
static void
offer_suggestion (PhDetailPane *self,
                  guint         port)
{
  self->suggest_near = port;
  gtk_widget_set_visible (self->suggest_box, port != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->suggest_label), FALSE);
  gtk_label_set_label (self->suggest_label, "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.suggest-port", port != 0);
}

static void
suggest_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PhDetailPane) self = user_data;
  g_autoptr(GError) error = NULL;
  guint port = ph_port_suggest_finish (result, &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->suggest_cancellable);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.suggest-port", TRUE);
  if (port != 0)
    text = g_strdup_printf (_("Port %u is free, and no commonly used developer tool uses it."),
                            port);
  else
    text = g_strdup (error->message);
  gtk_label_set_label (self->suggest_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->suggest_label), TRUE);
}

static void
suggest_port_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PhDetailPane *self = PH_DETAIL_PANE (widget);

  if (self->suggest_near == 0 || self->suggest_cancellable != NULL)
    return;
  gtk_widget_action_set_enabled (widget, "pane.suggest-port", FALSE);
  self->suggest_cancellable = g_cancellable_new ();
  ph_port_suggest_async (self->suggest_near, self->suggest_cancellable, suggest_cb,
                         g_object_ref (self));
}

static void
troubleshoot_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PhDetailPane) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhDiagnosis) diagnosis = ph_troubleshoot_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->troubleshoot_cancellable);
  gtk_widget_set_visible (self->troubleshoot_spinner, FALSE);
  if (diagnosis == NULL)
    {
      add_row (self, self->connection_group, NULL, error->message, FALSE);
      return;
    }
  if (diagnosis->verdict == PH_VERDICT_NOT_TESTED)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->connection_group), FALSE);
      return;
    }

  /* For a typed address that something listens near, the finding replaces the bind
   * test's sentence under the heading: "the port is free" is true of that address, and
   * misleading next to "but a server listens on [::1]:3000". Where nothing listens, the
   * two agree and the sentence stays. */
  if (self->service == NULL && diagnosis->verdict != PH_VERDICT_NOTHING_LISTENS &&
      diagnosis->verdict != PH_VERDICT_NOT_LOCAL)
    {
      gtk_label_set_label (self->status_label, diagnosis->summary);
      gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
    }
  else
    add_row (self, self->connection_group, NULL, diagnosis->summary, FALSE);
  if (diagnosis->advice != NULL)
    /* Translators: title of the advice after a failed connection */
    add_row (self, self->connection_group, _("What to do"), diagnosis->advice, FALSE);
  if (diagnosis->works_instead != NULL && diagnosis->works_instead[0] != NULL)
    {
      g_autofree char *instead = g_strjoinv (_(" or "), diagnosis->works_instead);

      /* Translators: title of the addresses that connect where the typed one does not */
      add_row (self, self->connection_group, _("Works Instead"), instead, TRUE);
    }
  if (ph_diagnosis_port_is_taken (diagnosis) && diagnosis->port > 0)
    offer_suggestion (self, (guint) diagnosis->port);
}

/* The pane's widgets, made the first time it shows something rather than with the window:
 * a window where nothing is ever selected never needs them (some 90 widgets, 0.8 MB). */
static void
ensure_built (PhDetailPane *self)
{
  if (self->built)
    return;
  self->built = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  if (self->services != NULL)
    ph_port_line_set_services (self->port_line, self->services);
  g_clear_object (&self->services);
}

/**
 * ph_detail_pane_troubleshoot:
 * @host: (nullable): the address typed, as ph_troubleshoot_async() takes it
 * @port: the port typed
 *
 * Tries to connect to what the pane shows now and adds what happened, in words, with what
 * to do; offers a free port when this one is taken. Showing anything else cancels it.
 */
void
ph_detail_pane_troubleshoot (PhDetailPane *self,
                             const char   *host,
                             guint         port)
{
  g_return_if_fail (PH_IS_DETAIL_PANE (self));
  g_return_if_fail (port > 0 && port <= 65535);

  ensure_built (self);
  g_cancellable_cancel (self->troubleshoot_cancellable);
  g_clear_object (&self->troubleshoot_cancellable);
  self->troubleshoot_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (GTK_WIDGET (self->connection_group), TRUE);
  gtk_widget_set_visible (self->troubleshoot_spinner, TRUE);
  ph_troubleshoot_async (host, (int) port, PH_PORT_PROTOCOL_TCP, NULL,
                         self->troubleshoot_cancellable, troubleshoot_cb, g_object_ref (self));
}

static void
reset (PhDetailPane *self)
{
  g_cancellable_cancel (self->troubleshoot_cancellable);
  g_clear_object (&self->troubleshoot_cancellable);
  g_cancellable_cancel (self->suggest_cancellable);
  g_clear_object (&self->suggest_cancellable);
  gtk_widget_set_visible (self->troubleshoot_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->connection_group), FALSE);
  offer_suggestion (self, 0);
  g_cancellable_cancel (self->unit_cancellable);
  g_clear_object (&self->unit_cancellable);
  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  g_clear_object (&self->probe);
  gtk_widget_set_visible (self->probe_spinner, FALSE);
  set_open_uri (self, NULL);
  clear_rows (self);
}

void
ph_detail_pane_set_service (PhDetailPane *self,
                            PhService    *service)
{
  g_autofree char *port = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *proto = NULL;

  g_return_if_fail (PH_IS_DETAIL_PANE (self));

  if (self->service == service)
    return;

  if (service != NULL)
    ensure_built (self);
  if (self->built)
    reset (self);
  g_set_object (&self->service, service);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE]);
  if (service == NULL)
    return;
  /* Another service: its details from the top, not where the last one was scrolled to. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (
                              GTK_SCROLLED_WINDOW (adw_bin_get_child (ADW_BIN (self)))), 0);

  proto = g_ascii_strup (ph_service_get_protocol (service), -1);
  port = g_strdup_printf ("%u", ph_service_get_port (service));
  /* Translators: "shop — Vite dev server, TCP on 127.0.0.1" */
  if (ph_service_get_group_subtitle (service) != NULL && *ph_service_get_group_subtitle (service))
    heading = g_strdup_printf (_("%s — %s, %s on %s"), ph_service_get_group_name (service),
                               ph_service_get_group_subtitle (service), proto,
                               ph_service_get_address (service));
  else
    heading = g_strdup_printf (_("%s, %s on %s"), ph_service_get_group_name (service), proto,
                               ph_service_get_address (service));
  gtk_label_set_label (self->port_label, port);
  gtk_label_set_label (self->heading_label, heading);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  gtk_widget_set_visible (self->actions_box, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->address_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->port_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->process_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->service_group), TRUE);

  fill_address_and_port (self, ph_service_get_address (service), ph_service_get_port (service),
                         ph_service_get_protocol (service), ph_service_get_v6only (service),
                         TRUE);
  fill_process (self);
  start_unit_lookup (self);
  start_probe (self);
}

/* Explain an address that nothing (visible) listens on. */
void
ph_detail_pane_show_address (PhDetailPane *self,
                             const char   *host,
                             guint         port,
                             PhPortStatus  status,
                             const char   *status_text)
{
  g_autofree char *port_text = NULL;

  g_return_if_fail (PH_IS_DETAIL_PANE (self));

  ensure_built (self);
  reset (self);
  if (g_set_object (&self->service, NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE]);

  /* No host typed (":3000", "3000"): the port on every address of this computer. */
  port_text = port != 0 ? g_strdup_printf ("%u", port) : g_strdup (host);
  gtk_label_set_label (self->port_label, port_text);
  gtk_label_set_label (self->heading_label,
                       host != NULL ? host : _("Any address of this computer"));
  gtk_label_set_label (self->status_label, status_text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status_text != NULL);
  gtk_widget_set_visible (self->actions_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->address_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->port_group), port != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->process_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->service_group), FALSE);

  fill_address_and_port (self, host, port, "tcp", -1, status == PH_PORT_STATUS_IN_USE);
  if (status == PH_PORT_STATUS_IN_USE && port != 0)
    offer_suggestion (self, port);
}

/* Input that is not an address: say so, and why, in the pane. */
void
ph_detail_pane_show_error (PhDetailPane *self,
                           const char   *typed,
                           const char   *message)
{
  g_return_if_fail (PH_IS_DETAIL_PANE (self));

  ensure_built (self);
  reset (self);
  if (g_set_object (&self->service, NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVICE]);

  gtk_label_set_label (self->port_label, typed);
  gtk_label_set_label (self->heading_label, _("This Is Not an Address"));
  gtk_label_set_label (self->status_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), TRUE);
  gtk_widget_set_visible (self->actions_box, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->address_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->port_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->process_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->service_group), FALSE);
}

/* The list whose ports the port line marks as this computer's other ports. */
void
ph_detail_pane_set_service_list (PhDetailPane  *self,
                                 PhServiceList *services)
{
  g_return_if_fail (PH_IS_DETAIL_PANE (self));

  if (self->built)
    ph_port_line_set_services (self->port_line, services);
  else
    g_set_object (&self->services, services);
}

PhService *
ph_detail_pane_get_service (PhDetailPane *self)
{
  g_return_val_if_fail (PH_IS_DETAIL_PANE (self), NULL);
  return self->service;
}

gboolean
ph_detail_pane_get_can_open (PhDetailPane *self)
{
  g_return_val_if_fail (PH_IS_DETAIL_PANE (self), FALSE);
  return self->open_uri != NULL;
}

const char *
ph_detail_pane_get_open_uri (PhDetailPane *self)
{
  g_return_val_if_fail (PH_IS_DETAIL_PANE (self), NULL);
  return self->open_uri;
}

static void
ph_detail_pane_dispose (GObject *object)
{
  PhDetailPane *self = PH_DETAIL_PANE (object);

  g_cancellable_cancel (self->unit_cancellable);
  g_clear_object (&self->unit_cancellable);
  g_cancellable_cancel (self->troubleshoot_cancellable);
  g_clear_object (&self->troubleshoot_cancellable);
  g_cancellable_cancel (self->suggest_cancellable);
  g_clear_object (&self->suggest_cancellable);
  g_cancellable_cancel (self->probe_cancellable);
  g_clear_object (&self->probe_cancellable);
  g_clear_object (&self->probe);
  g_clear_object (&self->service);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->open_uri, g_free);
  g_clear_object (&self->services);
  if (self->built)
    gtk_widget_dispose_template (GTK_WIDGET (self), PH_TYPE_DETAIL_PANE);

  G_OBJECT_CLASS (ph_detail_pane_parent_class)->dispose (object);
}

static void
ph_detail_pane_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PhDetailPane *self = PH_DETAIL_PANE (object);

  switch (prop_id)
    {
    case PROP_SERVICE:
      g_value_set_object (value, self->service);
      break;
    case PROP_CAN_OPEN:
      g_value_set_boolean (value, self->open_uri != NULL);
      break;
    case PROP_OPEN_URI:
      g_value_set_string (value, self->open_uri);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_detail_pane_class_init (PhDetailPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ph_detail_pane_dispose;
  object_class->get_property = ph_detail_pane_get_property;

  properties[PROP_SERVICE] =
    g_param_spec_object ("service", NULL, NULL, PH_TYPE_SERVICE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_OPEN] =
    g_param_spec_boolean ("can-open", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OPEN_URI] =
    g_param_spec_string ("open-uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PH_TYPE_PORT_LINE);
  g_type_ensure (PH_TYPE_REACH_PICTURE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/porthole/Porthole/ph-detail-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, port_label);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, heading_label);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, status_label);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, actions_box);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, free_button);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, address_group);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, port_group);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, process_group);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, service_group);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, probe_spinner);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, reach_picture);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, port_line);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, connection_group);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, reach_row);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, troubleshoot_spinner);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, suggest_box);
  gtk_widget_class_bind_template_child (widget_class, PhDetailPane, suggest_label);

  gtk_widget_class_install_action (widget_class, "pane.suggest-port", NULL, suggest_port_action);
}

static void
ph_detail_pane_init (PhDetailPane *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) added_row_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.suggest-port", FALSE);
}
