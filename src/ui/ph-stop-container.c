/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-stop-container.c — Stop Container's part of the stop flow: the engine's API */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-stop-lever-private.h"

/* Seconds the engine waits after its stop signal before it kills the container. */
#define STOP_TIMEOUT_S 10
/* How long a systemd unit that restarts the container gets to bring it back. */
#define RESTART_WAIT_MS 10000

/*
 * A port published by a container is held by one of its engine's programs (conmon, pasta,
 * docker-proxy, dockerd), which Porthole never signals (neither does the helper). Stop
 * Container asks the engine to stop the container (POST /containers/{id}/stop), then
 * looks whether the port is free, or whether a restart policy or a systemd unit started
 * it again.
 */
typedef struct
{
  PhStopRun     run;
  PhContainer  *container;
  char         *restart_policy;
  gboolean      forwarded;
  /* The systemd unit that runs the container again when it stops, or NULL. */
  PhSupervisor *restarter;
  gint64        deadline;
  /* What holds the port again (for the unit's Stop Service). */
  PhService    *again;
} StopContainer;

static void
stop_container_clear (PhStopRun *run)
{
  StopContainer *op = (StopContainer *) run;

  g_clear_object (&op->container);
  g_free (op->restart_policy);
  g_clear_pointer (&op->restarter, ph_supervisor_free);
  g_clear_object (&op->again);
}

/* The person chose the unit's lever: Stop Service on what holds the port again. */
static void
stop_unit (PhStopRun *run)
{
  g_autoptr(PhStopRun) owned = run;
  StopContainer *op = (StopContainer *) run;

  if (!g_cancellable_is_cancelled (run->cancellable))
    ph_stop_lever_run (run->parent, op->again, PH_STOP_LEVER_SYSTEMD_SERVICE, run->scanner,
                       run->cancellable, run->report, run->user_data);
}

/* The scanner has looked again by now: is the port free? */
static void
look_again (PhStopRun *run)
{
  g_autoptr(PhStopRun) owned = run;
  StopContainer *op = (StopContainer *) run;
  PhService *again = ph_stop_run_find_again (run);
  const char *name = ph_container_get_name (op->container);
  g_autofree char *message = NULL;

  /* A unit that restarts the container takes a second or two (its podman run): until
   * then a free port is not yet the truth. */
  if (again == NULL && op->restarter != NULL && g_get_monotonic_time () < op->deadline)
    {
      if (run->scanner != NULL)
        ph_scanner_refresh (run->scanner);
      ph_stop_run_look_again (g_steal_pointer (&owned));
      return;
    }
  /* The unit started the container again: say so, and offer the unit's lever. */
  if (again != NULL && op->restarter != NULL)
    {
      g_autofree char *body = ph_stopper_describe_container_restarted (run->service,
                                                                       op->restarter);

      g_set_object (&op->again, again);
      ph_stop_run_ask (g_steal_pointer (&owned), _("The Container Started Again"), body,
                       "close", _("_Close"), "stop-service", _("_Stop Service…"),
                       ADW_RESPONSE_DEFAULT, stop_unit);
      return;
    }
  /* A forwarded port holds no socket either way: only the container's state tells. */
  if (again == NULL && (op->restart_policy == NULL || !op->forwarded))
    {
      /* Translators: a toast; %s is a container's name, %u a port */
      message = g_strdup_printf (_("Container “%s” stopped: port %u is free"), name, run->port);
      ph_stop_run_report (run, TRUE, NULL, message);
      return;
    }
  if (op->restart_policy != NULL)
    {
      /* Translators: %1$s is the container, %2$s its restart policy ("always"), %3$u the
       * port, %4$s the engine's command (podman, docker) */
      message = g_strdup_printf (_("The container “%1$s” was stopped, but its restart policy "
                                   "“%2$s” started it again, so port %3$u is still held. Change "
                                   "the policy first, for example: %4$s update --restart=no %1$s"),
                                 name, op->restart_policy, run->port,
                                 ph_container_get_engine_command (op->container));
      ph_stop_run_report (run, FALSE, _("The Container Started Again"), message);
      return;
    }
  message = g_strdup_printf (_("The container “%s” was stopped, but port %u is still held by "
                               "“%s”."), name, run->port, ph_service_get_group_name (again));
  ph_stop_run_report (run, FALSE, _("The Port Is Still Held"), message);
}

static gboolean
stop_container_answer (PhStopRun    *run,
                       GAsyncResult *res)
{
  StopContainer *op = (StopContainer *) run;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhContainerStopResult) result = ph_container_stop_finish (res, &error);

  if (!ph_stop_run_answered (run, error))
    return FALSE;
  if (result->outcome == PH_CONTAINER_STOP_NOT_FOUND)
    {
      g_autofree char *message = g_strdup_printf (_("The engine no longer knows the container "
                                                    "“%s”."),
                                                  ph_container_get_name (op->container));

      ph_stop_run_report (run, FALSE, _(run->kind->failed_heading), message);
      return FALSE;
    }
  if (result->outcome == PH_CONTAINER_STOP_RESTARTED)
    op->restart_policy = g_strdup (result->restart_policy != NULL ? result->restart_policy : "?");
  op->deadline = g_get_monotonic_time () + RESTART_WAIT_MS * 1000;
  return TRUE;
}

static void
stop_container_act (PhStopRun *run)
{
  StopContainer *op = (StopContainer *) run;

  ph_container_stop_async (op->container, STOP_TIMEOUT_S, run->cancellable, ph_stop_run_acted,
                           run);
}

/* The confirmation names the container, its engine and image, what stops with it, the
 * program Porthole leaves alone, and the unit that would run it again. */
static char *
confirmation (StopContainer *op)
{
  PhProcess *owner = ph_service_get_main_owner (op->run.service);
  g_autofree char *holder = owner != NULL ? ph_process_dup_display_name (owner) : g_strdup ("?");
  g_autofree char *where = ph_container_describe_port (op->container, op->run.address,
                                                       op->run.port, op->run.protocol);
  const char *image = ph_container_get_image (op->container);
  g_autofree char *text = NULL;

  if (owner == NULL)
    /* Translators: %1$s is the engine (Podman, Docker), %2$s the container's name, %3$s its
     * image, %4$s the published port (127.0.0.1:18080 → 8000 in “shop-db”) */
    text = g_strdup_printf (_("%1$s will stop the container “%2$s” (image %3$s), which publishes "
                              "%4$s. Every program in the container stops with it, and every "
                              "port it publishes closes."),
                            ph_container_get_engine_label (op->container),
                            ph_container_get_name (op->container),
                            image != NULL && *image != '\0' ? image : "?", where);
  else
    /* Translators: %1$s is the engine (Podman, Docker), %2$s the container's name, %3$s its
     * image, %4$s the published port (127.0.0.1:18080 → 8000 in “shop-db”), %5$s the
     * engine's program that holds the port (conmon) */
    text = g_strdup_printf (_("%1$s will stop the container “%2$s” (image %3$s), which publishes "
                              "%4$s. Every program in the container stops with it, and every "
                              "port it publishes closes.\n\nPorthole does not end “%5$s”: it "
                              "only holds the port for the container."),
                            ph_container_get_engine_label (op->container),
                            ph_container_get_name (op->container),
                            image != NULL && *image != '\0' ? image : "?", where, holder);
  if (op->restarter != NULL)
    {
      g_autofree char *unit = ph_stopper_describe_restarter (op->restarter);

      return g_strconcat (text, "\n\n", unit, NULL);
    }
  return g_steal_pointer (&text);
}

static void
stop_container_begin (PhStopRun *run)
{
  g_autoptr(PhStopRun) owned = run;
  StopContainer *op = (StopContainer *) run;
  PhContainer *container = ph_service_get_container (run->service);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  op->forwarded = ph_service_get_forwarded (run->service);
  if (container == NULL || ph_container_get_guessed (container))
    {
      g_autofree char *why = ph_stopper_explain_lever (run->service, PH_STOP_LEVER_CONTAINER);

      ph_stop_run_report (run, FALSE, _("Porthole Cannot Stop This Container"), why);
      return;
    }
  op->container = g_object_ref (container);
  op->restarter = ph_stopper_container_restarter (run->service);

  /* Translators: %s is a container's name */
  heading = g_strdup_printf (_("Stop Container “%s”?"), ph_container_get_name (container));
  body = confirmation (op);
  ph_stop_run_confirm (g_steal_pointer (&owned), heading, body, _("_Stop Container"));
}

const PhStopRunKind ph_stop_container_kind = {
  .size = sizeof (StopContainer),
  .failed_heading = N_("Could Not Stop the Container"),
  .begin = stop_container_begin,
  .act = stop_container_act,
  .answer = stop_container_answer,
  .look = look_again,
  .clear = stop_container_clear,
};
