/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stopper.c — freeing a port: choose the right lever, run the helper's stop, say what happened */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "ph-helper-client.h"
#include "ph-protocol-reader.h"
#include "ph-stopper.h"
#include "ph-systemd.h"

/* Programs that make up the desktop session: killing them logs the user out or breaks
 * sound, screens or input, so Porthole explains instead of offering a kill. */
static const char * const session_programs[] = {
  "gnome-shell", "gnome-session-binary", "gnome-session", "Xwayland", "Xorg", "X",
  "mutter", "kwin_wayland", "kwin_x11", "plasmashell", "pipewire", "pipewire-pulse",
  "wireplumber", "pulseaudio", "gvfsd", "at-spi-bus-launcher", "at-spi2-registryd",
  "xdg-desktop-portal", "xdg-document-portal", "dbus-daemon", "dbus-broker", "gdm",
  "gdm-wayland-session", "gdm-x-session", "sddm", "lightdm", "systemd",
  NULL
};

/* Front ends of container engines: stopping them only breaks the container's network. */
static const char * const container_proxies[] = {
  "docker-proxy", "dockerd", "rootlesskit", "rootlessport", "rootlessport-child", "conmon",
  "slirp4netns", "pasta", "pasta.avx2", "containerd-shim", "containerd-shim-runc-v2",
  NULL
};

void
ph_stop_result_free (PhStopResult *result)
{
  if (result == NULL)
    return;
  g_free (result->signal_name);
  g_clear_pointer (&result->holders, g_array_unref);
  g_free (result->helper_message);
  g_free (result);
}

static gboolean
is_session_program (PhProcess *process)
{
  const char *comm = ph_process_get_comm (process);
  const char *unit = ph_process_get_unit (process);
  const char *slice = ph_process_get_slice (process);

  if (comm != NULL && g_strv_contains (session_programs, comm))
    return TRUE;
  if (comm != NULL && g_str_has_prefix (comm, "gsd-"))
    return TRUE;
  if (slice != NULL && g_str_equal (slice, "session.slice"))
    return TRUE;
  if (unit != NULL && (g_str_has_prefix (unit, "org.gnome.Shell") ||
                       g_str_has_prefix (unit, "org.gnome.SettingsDaemon")))
    return TRUE;
  return FALSE;
}

PhStopLever
ph_stopper_choose_lever (PhService *service)
{
  PhProcess *owner;
  const char *manager;
  const char *unit;
  const char *comm;

  g_return_val_if_fail (PH_IS_SERVICE (service), PH_STOP_LEVER_KERNEL);

  if (ph_service_get_kernel (service))
    return PH_STOP_LEVER_KERNEL;
  if (ph_service_get_unseen (service) != NULL)
    return PH_STOP_LEVER_UNSEEN;

  /* A published port: an engine's helper holds it for the container (ph-containers.c),
   * or the firewall forwards it there with no socket at all. */
  owner = ph_service_get_main_owner (service);
  if (ph_service_get_container (service) != NULL &&
      (owner != NULL || ph_service_get_forwarded (service)))
    return PH_STOP_LEVER_CONTAINER;
  if (owner == NULL || ph_service_get_hidden (service))
    return PH_STOP_LEVER_OTHER_USER;

  /* PID 1, or a service manager seen from outside its PID namespace, or systemd --user:
   * all live in their init.scope. */
  if (ph_process_get_pid (owner) == 1 || ph_systemd_is_manager_unit (ph_process_get_unit (owner)))
    return PH_STOP_LEVER_SYSTEMD_SOCKET;

  manager = ph_process_get_manager (owner);
  unit = ph_process_get_unit (owner);
  comm = ph_process_get_comm (owner);

  if (g_strcmp0 (manager, "container") == 0 ||
      (comm != NULL && g_strv_contains (container_proxies, comm)))
    return PH_STOP_LEVER_CONTAINER;

  if (is_session_program (owner))
    return PH_STOP_LEVER_SESSION;

  if ((g_strcmp0 (manager, "system-service") == 0 || g_strcmp0 (manager, "user-service") == 0) &&
      unit != NULL && g_str_has_suffix (unit, ".service"))
    return PH_STOP_LEVER_SYSTEMD_SERVICE;

  /* Root may signal anything; everyone else only their own processes. */
  if (getuid () != 0)
    {
      for (guint i = 0; i < ph_service_get_n_owners (service); i++)
        if (ph_process_get_uid (ph_service_get_owner (service, i)) != (gint64) getuid ())
          return PH_STOP_LEVER_OTHER_USER;
    }

  return PH_STOP_LEVER_SIGNAL;
}

static char *
owner_name (PhService *service)
{
  PhProcess *owner = ph_service_get_main_owner (service);

  if (owner != NULL && ph_process_get_comm (owner) != NULL)
    return ph_process_dup_display_name (owner);
  return g_strdup (ph_service_get_group_name (service));
}

/* What the button (or, @in_menu, the menu item, with its mnemonic and an ellipsis, since a
 * confirmation follows) that frees a port by @lever is called. */
const char *
ph_stopper_lever_action (PhStopLever lever,
                         gboolean    in_menu)
{
  switch (lever)
    {
    case PH_STOP_LEVER_SYSTEMD_SERVICE:
    case PH_STOP_LEVER_SYSTEMD_SOCKET:
      return in_menu ? _("_Stop Service…") : _("Stop Service");
    case PH_STOP_LEVER_CONTAINER:
      return in_menu ? _("_Stop Container…") : _("Stop Container");
    case PH_STOP_LEVER_SIGNAL:
    case PH_STOP_LEVER_OTHER_USER:
    case PH_STOP_LEVER_SESSION:
    case PH_STOP_LEVER_KERNEL:
    default:
      return in_menu ? _("_Free Port…") : _("Free Port");
    }
}

/**
 * ph_stopper_explain_container:
 *
 * Why a published port is freed by stopping its container, never by signalling the
 * engine's helper that holds it; for a guessed container, how to give Porthole access.
 */
char *
ph_stopper_explain_container (PhService *service)
{
  PhContainer *container = ph_service_get_container (service);
  g_autofree char *name = owner_name (service);
  g_autofree char *where = NULL;

  g_return_val_if_fail (container != NULL, NULL);

  where = ph_container_describe_port (container, ph_service_get_address (service),
                                      ph_service_get_port (service),
                                      ph_service_get_protocol (service));
  if (ph_container_get_guessed (container))
    /* Translators: the first %s is like 127.0.0.1:18080 → 8000 in “shop-db”; the second the
     * program that holds the port (conmon); the last the sentence saying how to give access */
    return g_strdup_printf (_("A container publishes this port (%s). “%s” only holds it for the "
                              "container; ending it would cut the container off, so Porthole "
                              "will not. %s"),
                            where, name, ph_container_get_access_hint (container));
  if (ph_service_get_forwarded (service))
    /* Translators: %s is like 127.0.0.1:18080 → 8000 in “shop-db”, then the engine */
    return g_strdup_printf (_("The container publishes this port (%s, %s); the firewall forwards "
                              "it there and no program holds it. Porthole frees it by stopping "
                              "the container."),
                            where, ph_container_get_engine_label (container));
  /* Translators: %s is like 127.0.0.1:18080 → 8000 in “shop-db”, then the engine (Podman),
   * then the program that holds the port (conmon) */
  return g_strdup_printf (_("The container publishes this port (%s, %s). Porthole frees it by "
                            "stopping the container; it never signals “%s”, which only holds "
                            "the port for it."),
                          where, ph_container_get_engine_label (container), name);
}

/**
 * ph_stopper_container_restarter:
 *
 * A container started by a systemd service (Quadlet, or `podman run --cgroups=split` in a
 * unit) has its engine program (conmon) in that unit's cgroup; when the container stops,
 * the program ends, and a unit with Restart= runs the container again. Its API stop does
 * free the port, for a second or two.
 *
 * Returns: (transfer full) (nullable): that unit, when it restarts, or NULL
 */
PhSupervisor *
ph_stopper_container_restarter (PhService *service)
{
  PhProcess *owner = ph_service_get_main_owner (service);
  g_autoptr(PhSupervisor) unit = NULL;

  g_return_val_if_fail (PH_IS_SERVICE (service), NULL);

  if (owner == NULL || ph_service_get_container (service) == NULL)
    return NULL;
  unit = ph_supervisor_find_for_pid (ph_process_get_pid (owner), ph_process_get_manager (owner),
                                     ph_process_get_unit (owner),
                                     (guint) MAX (ph_process_get_uid (owner), 0));
  if (unit == NULL || unit->kind != PH_SUPERVISOR_SYSTEMD || !unit->restarts)
    return NULL;
  return g_steal_pointer (&unit);
}

char *
ph_stopper_describe_restarter (const PhSupervisor *unit)
{
  g_return_val_if_fail (unit != NULL, NULL);

  /* Translators: %1$s is a systemd unit ("shop-db.service"), %2$s its Restart= value */
  return g_strdup_printf (_("The systemd unit %1$s started this container and starts it "
                            "again when it stops (Restart=%2$s), so stopping the container "
                            "frees the port only for a moment. Stopping the unit frees it."),
                          unit->name, unit->restart != NULL ? unit->restart : "?");
}

char *
ph_stopper_describe_container_restarted (PhService          *service,
                                         const PhSupervisor *unit)
{
  PhContainer *container = ph_service_get_container (service);
  PhProcess *owner = ph_service_get_main_owner (service);
  gboolean user = owner != NULL && g_strcmp0 (ph_process_get_manager (owner), "user-service") == 0;
  g_autofree char *command = NULL;

  g_return_val_if_fail (PH_IS_CONTAINER (container), NULL);
  g_return_val_if_fail (unit != NULL, NULL);

  command = g_strdup_printf ("systemctl %sstop %s", user ? "--user " : "", unit->name);
  /* Translators: %1$s is a container, %2$s a systemd unit, %3$s its Restart= value, %4$u
   * the port, %5$s the command that stops the unit */
  return g_strdup_printf (_("The container “%1$s” was stopped, but the systemd unit %2$s "
                            "(Restart=%3$s) started it again, so port %4$u is still held. "
                            "Stop the unit instead: %5$s"),
                          ph_container_get_name (container), unit->name,
                          unit->restart != NULL ? unit->restart : "?",
                          ph_service_get_port (service), command);
}

/* Why Porthole will not simply signal the owner, and what to do instead. NULL for
 * PH_STOP_LEVER_SIGNAL. */
char *
ph_stopper_explain_lever (PhService   *service,
                          PhStopLever  lever)
{
  PhProcess *owner = ph_service_get_main_owner (service);
  const char *unit = owner != NULL ? ph_process_get_unit (owner) : NULL;
  guint port = ph_service_get_port (service);
  g_autofree char *name = owner_name (service);

  switch (lever)
    {
    case PH_STOP_LEVER_SIGNAL:
      return NULL;

    case PH_STOP_LEVER_SYSTEMD_SERVICE:
      if (g_strcmp0 (ph_process_get_manager (owner), "user-service") == 0)
        return g_strdup_printf (_("Port %u belongs to the user service “%s”. If Porthole ended "
                                  "the process, systemd could simply start it again. Stop the "
                                  "service instead: systemctl --user stop %s"),
                                port, unit, unit);
      return g_strdup_printf (_("Port %u belongs to the system service “%s”. If Porthole ended "
                                "the process, systemd could simply start it again. Stop the "
                                "service instead: systemctl stop %s"),
                              port, unit, unit);

    case PH_STOP_LEVER_SYSTEMD_SOCKET:
      return g_strdup_printf (_("systemd itself holds port %u, to start a service the moment "
                                "someone connects (socket activation). Stop the matching "
                                ".socket unit to free it; Porthole never signals systemd."),
                              port);

    case PH_STOP_LEVER_CONTAINER:
      if (ph_service_get_container (service) != NULL)
        return ph_stopper_explain_container (service);
      return g_strdup_printf (_("Port %u is published by a container. Ending “%s” would only "
                                "cut the container off; stop the container instead "
                                "(for example with docker stop or podman stop)."),
                              port, name);

    case PH_STOP_LEVER_OTHER_USER:
      if (ph_service_get_user (service) != NULL)
        return g_strdup_printf (_("Port %u belongs to a program of the user “%s”. Porthole can "
                                  "only stop your own programs."),
                                port, ph_service_get_user (service));
      return g_strdup_printf (_("Port %u belongs to a program of another user. Porthole can "
                                "only stop your own programs."), port);

    case PH_STOP_LEVER_SESSION:
      return g_strdup_printf (_("Port %u is held by “%s”, a part of your desktop session. "
                                "Ending it could log you out or break sound, screens or input, "
                                "so Porthole will not do it."),
                              port, name);

    case PH_STOP_LEVER_KERNEL:
      return g_strdup_printf (_("No program holds port %u: the operating system itself keeps "
                                "it open (for example for network file systems). There is no "
                                "program to stop."), port);

    case PH_STOP_LEVER_UNSEEN:
      {
        const char *why = ph_app_identity_get_description (ph_service_get_identity (service));

        /* Translators: %u is a port; %s says why, such as "Porthole’s scanner runs in a
         * sandbox or a container of its own, …" */
        return g_strdup_printf (_("Porthole cannot see which program holds port %u from here, "
                                  "so it cannot stop it. %s."), port, why);
      }

    default:
      g_assert_not_reached ();
    }
}

/* The outcome a RESULT names; PH_STOP_OUTCOME_FAILED for one the GUI cannot act on
 * (usage: Porthole asked wrongly) or does not know. */
static PhStopOutcome
outcome_for_name (const char *name)
{
  for (PhStopOutcome outcome = 0; outcome < PH_STOP_OUTCOME_FAILED; outcome++)
    {
      if (outcome != PH_STOP_OUTCOME_USAGE && g_strcmp0 (ph_stop_outcome_name (outcome), name) == 0)
        return outcome;
    }
  return PH_STOP_OUTCOME_FAILED;
}

static PhStopResult *
result_from_record (const PhRecord *record)
{
  g_autoptr(PhStopResult) result = NULL;
  const char *holders;
  const char *value;

  result = g_new0 (PhStopResult, 1);
  result->holders = g_array_new (FALSE, FALSE, sizeof (gint64));
  result->outcome = outcome_for_name (ph_record_get (record, PH_KEY_OUTCOME, NULL));
  result->pid = (gint64) ph_record_get_uint64_or (record, PH_KEY_PID, 0);
  result->inode = ph_record_get_uint64_or (record, PH_KEY_INODE, 0);
  value = ph_record_get (record, PH_KEY_SIGNAL, NULL);
  result->signal_name = g_strdup (value);
  value = ph_record_get (record, PH_KEY_MESSAGE, NULL);
  result->helper_message = g_strdup (value);

  holders = ph_record_get (record, PH_KEY_HOLDERS, NULL);
  if (holders != NULL && *holders != '\0')
    {
      g_auto(GStrv) parts = g_strsplit (holders, ",", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          gint64 pid = g_ascii_strtoll (parts[i], NULL, 10);

          if (pid > 0)
            g_array_append_val (result->holders, pid);
        }
    }

  return g_steal_pointer (&result);
}

/* Parses the helper's RESULT line (PROTOCOL.md). */
PhStopResult *
ph_stopper_parse_result (const char  *line,
                         GError     **error)
{
  g_autoptr(PhRecord) record = ph_record_parse (line, -1, error);

  if (record == NULL)
    return NULL;
  if (ph_record_get_kind (record) != PH_RECORD_RESULT)
    {
      g_set_error (error, PH_PROTOCOL_ERROR, PH_PROTOCOL_ERROR_MALFORMED,
                   "expected a RESULT record, got %s", ph_record_get_type_name (record));
      return NULL;
    }
  return result_from_record (record);
}

/* The outcome in words, for a toast or a dialog. */
char *
ph_stopper_describe (PhService          *service,
                     const PhStopResult *result)
{
  guint port = ph_service_get_port (service);
  g_autofree char *name = owner_name (service);

  switch (result->outcome)
    {
    case PH_STOP_OUTCOME_FREED:
      return g_strdup_printf (_("Port %u is free now: “%s” has quit."), port, name);
    case PH_STOP_OUTCOME_STILL_HELD:
      if (result->holders->len > 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "“%s” did not quit; port %u is still held by %u process.",
                                             "“%s” did not quit; port %u is still held by %u processes.",
                                             result->holders->len),
                                name, port, result->holders->len);
      return g_strdup_printf (_("“%s” did not quit; port %u is still held."), name, port);
    case PH_STOP_OUTCOME_NOT_HOLDER:
      return g_strdup_printf (_("Nothing was stopped: “%s” no longer holds port %u."), name, port);
    case PH_STOP_OUTCOME_STALE:
      return g_strdup_printf (_("Nothing was stopped: the program that held port %u has already "
                                "quit, and its process number now belongs to another program."),
                              port);
    case PH_STOP_OUTCOME_REFUSED:
      return g_strdup_printf (_("Porthole will not stop “%s” to free port %u: it is a part of "
                                "the system."), name, port);
    case PH_STOP_OUTCOME_PERMISSION:
      return g_strdup_printf (_("You are not allowed to stop “%s” to free port %u: it belongs "
                                "to another user."), name, port);
    case PH_STOP_OUTCOME_GONE:
      return g_strdup_printf (_("“%s” had already quit, so nothing was stopped to free port %u."),
                              name, port);
    case PH_STOP_OUTCOME_FAILED:
    default:
      return g_strdup_printf (_("Porthole could not stop “%s” to free port %u: its scanner gave "
                                "no answer."), name, port);
    }
}

static void
stop_run_cb (GObject      *object,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  out = ph_helper_client_run_finish (PH_HELPER_CLIENT (object), res, NULL, &error);
  if (out == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* RESULT is the last record of stop. */
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = g_strv_length (lines); i > 0; i--)
    {
      g_autoptr(PhRecord) record = ph_record_parse (lines[i - 1], -1, NULL);

      if (record != NULL && ph_record_get_kind (record) == PH_RECORD_RESULT)
        {
          g_task_return_pointer (task, result_from_record (record),
                                 (GDestroyNotify) ph_stop_result_free);
          return;
        }
    }

  g_task_return_new_error (task, PH_HELPER_ERROR, PH_HELPER_ERROR_PROTOCOL,
                           _("Porthole’s scanner stopped without saying what happened%s%s"),
                           ".", "");
}

/* Runs `porthole-helper stop` for the service's main owner. The helper itself re-scans
 * the socket's holders, pins the process with a pidfd and re-checks that it still holds
 * the socket and is the same process instance before it signals, so a PID that was
 * reused in the meantime is never hit. */
static void
stop_full (PhService           *service,
           gboolean             force,
           guint                grace_ms,
           gboolean             elevated,
           gint64               supervisor_pid,
           guint64              supervisor_start,
           const char          *flatpak_app,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhHelperClient) client = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *start = NULL;
  g_autofree char *inode = NULL;
  g_autofree char *grace = NULL;
  g_autofree char *supervisor = NULL;
  PhProcess *owner;

  g_return_if_fail (PH_IS_SERVICE (service));

  task = g_task_new (service, cancellable, callback, user_data);
  g_task_set_source_tag (task, ph_stopper_stop_async);
  if (supervisor_pid > 0)
    g_object_set_data_full (G_OBJECT (task), "ph-supervisor",
                            g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GUINT64_FORMAT,
                                             supervisor_pid, supervisor_start),
                            g_free);

  owner = ph_service_get_main_owner (service);
  if (owner == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("No program that Porthole can see holds this port."));
      return;
    }

  client = ph_helper_client_new (elevated, &error);
  if (client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pid = g_strdup_printf ("%" G_GINT64_FORMAT, ph_process_get_pid (owner));
  start = g_strdup_printf ("%" G_GUINT64_FORMAT, ph_process_get_start_time (owner));
  inode = g_strdup_printf ("%" G_GUINT64_FORMAT, ph_service_get_id (service));
  grace = g_strdup_printf ("%u", grace_ms);
  supervisor = g_object_steal_data (G_OBJECT (task), "ph-supervisor");
  {
    const char *args[] = { PH_VERB_STOP, "--pid", pid, "--start-time", start, "--inode", inode,
                           "--signal", force ? "KILL" : "TERM", "--grace", grace,
                           supervisor ? "--supervisor" : flatpak_app ? "--flatpak-app" : NULL,
                           supervisor ? supervisor : flatpak_app, NULL };

    /* Its exit status is the outcome, which the RESULT line says too. */
    ph_helper_client_run_async (client, args, PH_HELPER_RUN_EXIT_IS_OUTCOME, cancellable,
                                stop_run_cb, g_steal_pointer (&task));
  }
}

static void
stop_async (PhService           *service,
            gboolean             force,
            guint                grace_ms,
            gint64               supervisor_pid,
            guint64              supervisor_start,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  stop_full (service, force, grace_ms, FALSE, supervisor_pid, supervisor_start, NULL,
             cancellable, callback, user_data);
}

void
ph_stopper_stop_async (PhService           *service,
                       gboolean             force,
                       guint                grace_ms,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  stop_async (service, force, grace_ms, 0, 0, cancellable, callback, user_data);
}

/* The same, with @elevated the helper runs through pkexec (after Unlock), so another
 * user's process can be stopped; polkit decides whether to ask again (auth_admin_keep).
 * The root helper refuses anything its list could not have shown. */
void
ph_stopper_stop_elevated_async (PhService           *service,
                                gboolean             force,
                                guint                grace_ms,
                                gboolean             elevated,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  stop_full (service, force, grace_ms, elevated, 0, 0, NULL, cancellable, callback, user_data);
}

/* The same, but the supervisor (ph-supervisor.h) that would start the owner again is
 * signalled first; the helper checks that it is still an ancestor of a holder and the
 * same process instance. Finish with ph_stopper_stop_finish(). */
void
ph_stopper_stop_supervisor_async (PhService           *service,
                                  gint64               supervisor_pid,
                                  guint64              supervisor_start,
                                  guint                grace_ms,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (supervisor_pid > 1);
  stop_async (service, FALSE, grace_ms, supervisor_pid, supervisor_start, cancellable,
              callback, user_data);
}

/**
 * ph_stopper_flatpak_app:
 *
 * The Flatpak app that every holder of @service runs in (the helper names it from the
 * sandbox's cgroup or its /.flatpak-info, seen from the host), when quitting that whole
 * app is a choice to offer: the user's own processes, and not this very app when Porthole
 * runs in its sandbox (it would end itself). %NULL otherwise.
 */
const char *
ph_stopper_flatpak_app (PhService *service)
{
  const char *app = NULL;

  g_return_val_if_fail (PH_IS_SERVICE (service), NULL);

  if (ph_stopper_choose_lever (service) != PH_STOP_LEVER_SIGNAL)
    return NULL;
  for (guint i = 0; i < ph_service_get_n_owners (service); i++)
    {
      PhProcess *process = ph_service_get_owner (service, i);
      const char *id = ph_process_get_app_id (process);

      if (g_strcmp0 (ph_process_get_manager (process), "flatpak") != 0 || id == NULL ||
          !g_application_id_is_valid (id) || (app != NULL && !g_str_equal (app, id)))
        return NULL;
      app = id;
    }
  if (app != NULL && g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) &&
      g_strcmp0 (g_getenv ("FLATPAK_ID"), app) == 0)
    return NULL;
  return app;
}

/**
 * ph_stopper_dup_flatpak_app_name:
 *
 * The name of the Flatpak app ph_stopper_flatpak_app() names, as the user knows it: its
 * desktop entry's (the helper reads it on the host), else the group's when the group is
 * that app, else its app ID. Not the group's name otherwise: a dev server started in a
 * Flatpak editor's terminal is grouped as the dev server, but quitting the app quits the
 * editor. %NULL when there is no such app.
 */
char *
ph_stopper_dup_flatpak_app_name (PhService *service)
{
  const char *app = ph_stopper_flatpak_app (service);
  PhProcess *owner = ph_service_get_main_owner (service);
  const char *name = owner != NULL ? ph_process_get_app_name (owner) : NULL;
  PhAppIdentity *identity = ph_service_get_identity (service);

  if (app == NULL)
    return NULL;
  if (name != NULL && name[0] != '\0')
    return g_strdup (name);
  if (identity != NULL && ph_app_identity_get_kind (identity) == PH_APP_KIND_FLATPAK)
    return g_strdup (ph_app_identity_get_name (identity));
  return g_strdup (app);
}

/* The same stop, but at the user's explicit choice the whole Flatpak app goes:
 * the helper checks that every holder still runs in @flatpak_app's sandbox, then runs
 * `flatpak kill` for it on the host (which ends every instance of the app) and waits for
 * the holders to exit. Finish with ph_stopper_stop_finish(); the result's signal is KILL. */
void
ph_stopper_stop_flatpak_async (PhService           *service,
                               const char          *flatpak_app,
                               guint                grace_ms,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (flatpak_app != NULL && g_application_id_is_valid (flatpak_app));
  stop_full (service, FALSE, grace_ms, FALSE, 0, 0, flatpak_app, cancellable, callback,
             user_data);
}

PhStopResult *
ph_stopper_stop_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ph_stopper_stop_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
