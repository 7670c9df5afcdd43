/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-unlock-client.c — Porthole's scanner (and stopper) as a program, for test-unlock-polkit */
/*
 * ph-unlock-client [--unlock] [--stop PORT]... [--timeout S]
 *
 * Starts a PhScanner (PORTHOLE_HELPER names the helper), waits for its list, and prints
 * one line per TCP listener: "SERVICE port=P uid=U hidden=0|1 owner=PID|-". With --unlock
 * it then calls ph_scanner_unlock_async() and prints "UNLOCK ok" or
 * "UNLOCK error=CODE message=TEXT" (CODE the PhHelperError value), waits for the next
 * list and prints it again after a line "ELEVATED 0|1". With --stop PORT it frees that
 * port through ph_stopper_stop_elevated_async() (elevated when the scanner is) and prints
 * "STOP outcome=N" or "STOP error=CODE message=TEXT"; each --stop in turn, in this one
 * process (polkit keeps an authorisation for the process that asked). Exit status 0 when
 * it got that far, 1 on a timeout.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>

#include "ph-helper-client.h"
#include "ph-scanner.h"
#include "ph-stopper.h"

static gboolean timed_out;
static GAsyncResult *got_result;

static gboolean
on_timeout (gpointer user_data)
{
  timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  got_result = g_object_ref (result);
}

static GAsyncResult *
wait_result (void)
{
  while (got_result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (&got_result);
}

/* Waits for a list from a running helper: state RUNNING after a change set. */
static gboolean
wait_running (PhScanner *scanner)
{
  while (ph_scanner_get_state (scanner) != PH_SCANNER_STATE_RUNNING && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  return !timed_out;
}

static void
print_list (PhScanner *scanner)
{
  GListModel *list = ph_scanner_get_services (scanner);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(PhService) s = g_list_model_get_item (list, i);
      PhProcess *owner = ph_service_get_main_owner (s);

      if (g_strcmp0 (ph_service_get_protocol (s), "tcp") != 0)
        continue;
      if (owner != NULL)
        printf ("SERVICE port=%u uid=%" G_GINT64_FORMAT " hidden=%d owner=%" G_GINT64_FORMAT "\n",
                ph_service_get_port (s), ph_service_get_uid (s), ph_service_get_hidden (s),
                ph_process_get_pid (owner));
      else
        printf ("SERVICE port=%u uid=%" G_GINT64_FORMAT " hidden=%d owner=-\n",
                ph_service_get_port (s), ph_service_get_uid (s), ph_service_get_hidden (s));
    }
  fflush (stdout);
}

static void
print_error (const char   *what,
             const GError *error)
{
  g_autofree char *message = g_strescape (error->message, NULL);

  printf ("%s error=%d domain=%s message=%s\n", what, error->code,
          g_quark_to_string (error->domain), message);
  fflush (stdout);
}

static PhService *
find_port (PhScanner *scanner,
           guint      port)
{
  GListModel *list = ph_scanner_get_services (scanner);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(PhService) s = g_list_model_get_item (list, i);

      if (ph_service_get_port (s) == port && g_strcmp0 (ph_service_get_protocol (s), "tcp") == 0)
        return g_steal_pointer (&s);
    }
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  gboolean unlock = FALSE;
  g_auto(GStrv) stop_ports = NULL;
  int timeout = 60;
  GOptionEntry entries[] = {
    { "unlock", 0, 0, G_OPTION_ARG_NONE, &unlock, "Unlock", NULL },
    { "stop", 0, 0, G_OPTION_ARG_STRING_ARRAY, &stop_ports, "Free this port", "PORT" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Give up after S seconds", "S" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PhScanner) scanner = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  g_timeout_add_seconds (timeout, on_timeout, NULL);

  scanner = ph_scanner_new ();
  ph_scanner_set_refresh_interval (scanner, 1);
  ph_scanner_start (scanner);
  if (!wait_running (scanner))
    {
      printf ("TIMEOUT scanner: %s\n", ph_scanner_get_error_message (scanner));
      return 1;
    }
  printf ("ELEVATED %d\n", ph_scanner_get_elevated (scanner));
  print_list (scanner);

  if (unlock)
    {
      g_autoptr(GAsyncResult) result = NULL;

      ph_scanner_unlock_async (scanner, NULL, store_result, NULL);
      result = wait_result ();
      if (result == NULL)
        {
          printf ("TIMEOUT unlock\n");
          return 1;
        }
      if (ph_scanner_unlock_finish (scanner, result, &error))
        printf ("UNLOCK ok\n");
      else
        print_error ("UNLOCK", error);
      g_clear_error (&error);
      /* Unlocked: the helper restarts; refused: the old one goes on. Either way the next
       * list is the one to report. */
      if (!wait_running (scanner))
        {
          printf ("TIMEOUT relist\n");
          return 1;
        }
      printf ("ELEVATED %d\n", ph_scanner_get_elevated (scanner));
      print_list (scanner);
    }

  for (guint i = 0; stop_ports != NULL && stop_ports[i] != NULL; i++)
    {
      guint port = (guint) g_ascii_strtoull (stop_ports[i], NULL, 10);
      g_autoptr(PhService) service = find_port (scanner, port);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(PhStopResult) stop = NULL;

      if (service == NULL)
        {
          printf ("STOP error=-1 message=not-listed\n");
          continue;
        }
      ph_stopper_stop_elevated_async (service, FALSE, 3000, ph_scanner_get_elevated (scanner),
                                      NULL, store_result, NULL);
      result = wait_result ();
      if (result == NULL)
        {
          printf ("TIMEOUT stop\n");
          return 1;
        }
      stop = ph_stopper_stop_finish (result, &error);
      if (stop != NULL)
        printf ("STOP outcome=%d\n", stop->outcome);
      else
        print_error ("STOP", error);
      g_clear_error (&error);
      fflush (stdout);
    }
  fflush (stdout);
  ph_scanner_stop (scanner);
  return 0;
}
