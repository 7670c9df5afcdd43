/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-systemd-tool.c — drives core's ph-systemd lever for test-systemd.py, one call a run */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ph-service-list.h"
#include "ph-stopper.h"
#include "ph-systemd.h"

/* Usage:
 *   ph-systemd-tool unit   system|user NAME
 *   ph-systemd-tool socket system|user tcp|udp ADDRESS PORT
 *   ph-systemd-tool stop   system|user tcp|udp ADDRESS PORT UNIT...
 *   ph-systemd-tool lever  - tcp|udp ADDRESS PORT [stop]
 *     runs $PORTHOLE_HELPER watch --once, finds the listed service, prints the lever
 *     Porthole picks and the plan for Stop Service; with "stop", carries it out.
 * Prints key=value lines; an error as "error=<code name>" and "message=..." (exit 1). */

static GMainLoop *loop;
static GAsyncResult *answer;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  answer = g_object_ref (result);
  g_main_loop_quit (loop);
}

static void
wait_answer (void)
{
  g_main_loop_run (loop);
}

static int
print_error (const GError *error)
{
  static const char * const names[] = { "no-bus", "no-unit", "refused", "failed" };
  const char *code = "other";

  if (error->domain == PH_SYSTEMD_ERROR && error->code >= 0 && (guint) error->code < 4)
    code = names[error->code];
  printf ("error=%s\nmessage=%s\n", code, error->message);
  return 1;
}

static const char * const lever_names[] = {
  "signal", "systemd-service", "systemd-socket", "container", "other-user", "session", "kernel"
};

static int
lever (const char *protocol,
       const char *address,
       guint       port,
       gboolean    stop)
{
  const char *argv[] = { g_getenv ("PORTHOLE_HELPER"), "watch", "--once", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(PhSystemdPlan) plan = NULL;
  g_autofree char *units = NULL;
  g_autofree char *confirmation = NULL;
  g_autofree char *state = NULL;
  PhService *service;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                     NULL, NULL, &error))
    return print_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      ph_service_list_feed_line (list, lines[i], -1, NULL, NULL);
  service = ph_service_list_find (list, protocol, address, port);
  if (service == NULL)
    {
      printf ("error=not-listed\n");
      return 1;
    }
  printf ("lever=%s\n", lever_names[ph_stopper_choose_lever (service)]);
  if (ph_service_get_main_owner (service) != NULL)
    printf ("owner-pid=%" G_GINT64_FORMAT "\nowner-unit=%s\n",
            ph_process_get_pid (ph_service_get_main_owner (service)),
            ph_process_get_unit (ph_service_get_main_owner (service)));

  ph_systemd_plan_async (service, NULL, done_cb, NULL);
  wait_answer ();
  plan = ph_systemd_plan_finish (answer, &error);
  g_clear_object (&answer);
  if (plan == NULL)
    return print_error (error);
  units = g_strjoinv (",", plan->units);
  confirmation = ph_systemd_plan_dup_confirmation (plan);
  g_strdelimit (confirmation, "\n", ' ');
  state = plan->service ? ph_systemd_unit_dup_state (plan->service) : g_strdup ("");
  printf ("scope=%s\nplan-socket=%s\nplan-service=%s\nplan-units=%s\n"
          "service-description=%s\nservice-state=%s\nconfirmation=%s\n",
          plan->scope == PH_SYSTEMD_SCOPE_USER ? "user" : "system",
          plan->socket ? plan->socket->name : "", plan->service ? plan->service->name : "",
          units, plan->service && plan->service->description ? plan->service->description : "",
          state, confirmation);
  if (stop)
    {
      g_autoptr(PhSystemdStopResult) result = NULL;
      g_autofree char *said = NULL;

      ph_systemd_stop_plan_async (plan, NULL, done_cb, NULL);
      wait_answer ();
      result = ph_systemd_stop_finish (answer, &error);
      g_clear_object (&answer);
      if (result == NULL)
        return print_error (error);
      said = ph_systemd_describe_result (plan, result);
      printf ("outcome=%d\nsaid=%s\n", result->outcome, said);
    }
  return 0;
}

static void
print_unit (const PhSystemdUnit *unit)
{
  g_autofree char *triggers = g_strjoinv (",", unit->triggers);
  g_autofree char *triggered_by = g_strjoinv (",", unit->triggered_by);

  printf ("name=%s\ndescription=%s\nactive=%s\nsub=%s\nrestart=%s\nrestarts=%s\n"
          "refuse-manual-stop=%s\ntriggers=%s\ntriggered-by=%s\n",
          unit->name, unit->description ? unit->description : "",
          unit->active_state ? unit->active_state : "", unit->sub_state ? unit->sub_state : "",
          unit->restart ? unit->restart : "", ph_systemd_unit_restarts (unit) ? "yes" : "no",
          unit->refuse_manual_stop ? "yes" : "no", triggers, triggered_by);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  PhSystemdScope scope;

  setlocale (LC_ALL, "");
  if (argc < 3)
    {
      fprintf (stderr, "usage: %s unit|socket|stop system|user ...\n", argv[0]);
      return 2;
    }
  scope = g_str_equal (argv[2], "user") ? PH_SYSTEMD_SCOPE_USER : PH_SYSTEMD_SCOPE_SYSTEM;
  loop = g_main_loop_new (NULL, FALSE);

  if (g_str_equal (argv[1], "lever") && argc >= 6)
    return lever (argv[3], argv[4], (guint) atoi (argv[5]),
                  argc > 6 && g_str_equal (argv[6], "stop"));
  else if (g_str_equal (argv[1], "unit") && argc == 4)
    {
      g_autoptr(PhSystemdUnit) unit = NULL;

      ph_systemd_get_unit_async (scope, argv[3], NULL, done_cb, NULL);
      wait_answer ();
      unit = ph_systemd_get_unit_finish (answer, &error);
      if (unit == NULL)
        return print_error (error);
      print_unit (unit);
    }
  else if (g_str_equal (argv[1], "socket") && argc == 6)
    {
      g_autoptr(PhSystemdUnit) unit = NULL;

      ph_systemd_find_socket_async (scope, argv[3], argv[4], (guint) atoi (argv[5]), NULL,
                                    done_cb, NULL);
      wait_answer ();
      unit = ph_systemd_find_socket_finish (answer, &error);
      if (unit == NULL)
        return print_error (error);
      print_unit (unit);
    }
  else if (g_str_equal (argv[1], "stop") && argc >= 7)
    {
      g_autoptr(PhSystemdStopResult) result = NULL;
      static const char * const outcomes[] = { "freed", "still-held", "started-again" };

      ph_systemd_stop_async (scope, (const char * const *) argv + 6, argv[3], argv[4],
                             (guint) atoi (argv[5]), NULL, done_cb, NULL);
      wait_answer ();
      result = ph_systemd_stop_finish (answer, &error);
      if (result == NULL)
        return print_error (error);
      printf ("outcome=%s\nheld-by=%s\n", outcomes[result->outcome],
              result->held_by ? result->held_by : "");
    }
  else
    {
      fprintf (stderr, "bad arguments\n");
      return 2;
    }
  g_clear_object (&answer);
  g_main_loop_unref (loop);
  return 0;
}
