/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cli-free.c — porthole free PORT: name who holds a port, ask, stop them safely, say what happened */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "ph-address.h"
#include "ph-cli.h"
#include "ph-cli-list.h"
#include "ph-stopper.h"
#include "ph-systemd.h"

/*
 * The window's Free Port, in the terminal. The safety is the same because the code is:
 * a fresh scan names the holders, ph_stopper_choose_lever() decides whether signalling
 * them is the right lever at all: a systemd service or socket is stopped through systemd
 * (ph_systemd_plan_async, as the window's Stop Service); a container, another user's
 * program or the session get an explanation and exit 3; otherwise ph_stopper_stop_async()
 * runs the helper's stop, which pins each process with a pidfd and re-checks its identity
 * and the socket before it signals. The answer is what a second scan sees afterwards.
 */

/* The same grace period as the window's Free Port. */
#define FREE_GRACE_MS 3000
/* How long a systemd unit that restarts a stopped container gets to bring it back, and
 * how often the port is looked at meanwhile. */
#define RESTART_WAIT_MS 10000
#define RESTART_POLL_MS 250

typedef enum
{
  FREE_EXIT_FREED = 0,
  FREE_EXIT_STILL_HELD = 1,
  FREE_EXIT_USAGE = 2,
  FREE_EXIT_REFUSED = 3,
  FREE_EXIT_NOTHING = 4,
} FreeExit;

typedef struct
{
  gboolean  json;
  GString  *out;        /* the JSON document, or NULL */
  int       port;
  char     *protocol;   /* "tcp" or "udp" */
  char     *host;       /* NULL: any address */
  char     *flatpak;    /* --flatpak-kill: the app that was quit, or NULL */
} FreeRun;

static const char *
lever_name (PhStopLever lever)
{
  switch (lever)
    {
    case PH_STOP_LEVER_SIGNAL:          return "signal";
    case PH_STOP_LEVER_SYSTEMD_SERVICE: return "systemd-service";
    case PH_STOP_LEVER_SYSTEMD_SOCKET:  return "systemd-socket";
    case PH_STOP_LEVER_CONTAINER:       return "container";
    case PH_STOP_LEVER_OTHER_USER:      return "other-user";
    case PH_STOP_LEVER_SESSION:         return "session";
    case PH_STOP_LEVER_KERNEL:          return "kernel";
    case PH_STOP_LEVER_UNSEEN:          return "unseen";
    default:                            return "unknown";
    }
}

/* Human words go to stdout, or to stderr when stdout carries JSON. */
static void
say (FreeRun    *run,
     const char *format,
     ...) G_GNUC_PRINTF (2, 3);

static void
say (FreeRun    *run,
     const char *format,
     ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  if (run->json)
    g_printerr ("%s\n", text);
  else
    g_print ("%s\n", text);
}

/* Every listener on the port the user named: on any address for a bare port, the one
 * that answers at ADDRESS:PORT otherwise. */
static GPtrArray *
find_holders (FreeRun       *run,
              PhServiceList *list)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = G_LIST_MODEL (list);

  if (run->host != NULL)
    {
      PhService *service = ph_service_list_find_serving (list, run->host, (guint) run->port,
                                                         run->protocol);

      if (service != NULL)
        g_ptr_array_add (found, g_object_ref (service));
      return found;
    }

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PhService) service = g_list_model_get_item (model, i);

      if (ph_service_get_port (service) == (guint) run->port &&
          g_strcmp0 (ph_service_get_protocol (service), run->protocol) == 0)
        g_ptr_array_add (found, g_steal_pointer (&service));
    }
  return found;
}

/* "vite (process 1234) on 127.0.0.1:3000, with 2 more processes: 1235, 1236" */
static char *
describe_holder (PhService *service)
{
  PhProcess *owner = ph_service_get_main_owner (service);
  guint n_owners = ph_service_get_n_owners (service);
  g_autofree char *address = ph_service_dup_display_address (service);
  g_autofree char *name = NULL;
  GString *text = g_string_new (NULL);

  if (owner != NULL && ph_service_get_container (service) != NULL)
    {
      PhContainer *container = ph_service_get_container (service);
      g_autofree char *where = ph_container_describe_port (container,
                                                           ph_service_get_address (service),
                                                           ph_service_get_port (service),
                                                           ph_service_get_protocol (service));

      name = ph_process_dup_display_name (owner);
      /* Translators: a published port (127.0.0.1:18080 → 8000 in “shop-db”), the engine,
       * then the engine's program that holds it and its process ID */
      g_string_append_printf (text, _("%s (%s; held by %s, process %d)"), where,
                              ph_container_get_engine_label (container),
                              name != NULL ? name : "?", (int) ph_process_get_pid (owner));
    }
  else if (owner != NULL)
    {
      name = ph_process_dup_display_name (owner);
      /* Translators: who holds a port: a program, its process ID and the address */
      g_string_append_printf (text, _("%s (process %d) on %s"),
                              name != NULL ? name : "?", (int) ph_process_get_pid (owner),
                              address);
    }
  else
    {
      /* Translators: who holds a port, when Porthole cannot see the program; %s is the
       * application's name, then the address */
      g_string_append_printf (text, _("%s on %s"), ph_service_get_group_name (service), address);
    }

  if (n_owners > 1)
    {
      g_autoptr(GString) pids = g_string_new (NULL);

      for (guint i = 0; i < n_owners; i++)
        {
          PhProcess *other = ph_service_get_owner (service, i);

          if (other == owner)
            continue;
          if (pids->len > 0)
            g_string_append (pids, ", ");
          g_string_append_printf (pids, "%" G_GINT64_FORMAT, ph_process_get_pid (other));
        }
      g_string_append_printf (text,
                              /* Translators: after "vite (process 1234) on 127.0.0.1:3000";
                               * %u is how many, %s their process IDs */
                              g_dngettext (GETTEXT_PACKAGE,
                                           ", with %u more process: %s",
                                           ", with %u more processes: %s",
                                           n_owners - 1),
                              n_owners - 1, pids->str);
    }

  return g_string_free (text, FALSE);
}

static void
json_holders (GString   *out,
              const char *key,
              GPtrArray *holders)
{
  g_string_append_printf (out, ",\n  \"%s\": [", key);
  for (guint i = 0; i < holders->len; i++)
    {
      PhService *service = g_ptr_array_index (holders, i);
      PhProcess *owner = ph_service_get_main_owner (service);
      PhStopLever lever = ph_stopper_choose_lever (service);
      g_autofree char *address = ph_service_dup_display_address (service);
      g_autofree char *name = owner != NULL ? ph_process_dup_display_name (owner) : NULL;
      g_autofree char *explanation = ph_stopper_explain_lever (service, lever);

      g_string_append (out, i == 0 ? "\n    {" : ",\n    {");
      ph_cli_json_member (out, "\"address\": ", address);
      ph_cli_json_member (out, ", \"name\": ",
                          name != NULL ? name : ph_service_get_group_name (service));
      g_string_append (out, ", \"pid\": ");
      if (owner != NULL)
        g_string_append_printf (out, "%" G_GINT64_FORMAT, ph_process_get_pid (owner));
      else
        g_string_append (out, "null");
      g_string_append (out, ", \"pids\": [");
      for (guint j = 0; j < ph_service_get_n_owners (service); j++)
        g_string_append_printf (out, "%s%" G_GINT64_FORMAT, j > 0 ? ", " : "",
                                ph_process_get_pid (ph_service_get_owner (service, j)));
      ph_cli_json_member (out, "], \"container\": ",
                          ph_service_get_container (service) != NULL
                          ? ph_container_get_name (ph_service_get_container (service))
                          : NULL);
      ph_cli_json_member (out, ", \"lever\": ", lever_name (lever));
      ph_cli_json_member (out, ", \"explanation\": ", explanation);
      g_string_append (out, "}");
    }
  g_string_append (out, holders->len > 0 ? "\n  ]" : "]");
}

/* Prints the JSON document (when asked for) and returns @code. */
static int
finish (FreeRun    *run,
        FreeExit    code,
        const char *outcome,
        const char *message,
        GPtrArray  *before,
        GPtrArray  *after,
        const char *signal_name)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  GString *out;

  if (!run->json)
    return code;

  out = g_string_new ("{\n");
  g_string_append_printf (out, "  \"version\": %d,\n", PH_CLI_JSON_VERSION);
  g_string_append_printf (out, "  \"port\": %d,\n  \"protocol\": ", run->port);
  ph_cli_json_string (out, run->protocol);
  ph_cli_json_member (out, ",\n  \"address\": ", run->host);
  ph_cli_json_member (out, ",\n  \"outcome\": ", outcome);
  g_string_append_printf (out, ",\n  \"exit_status\": %d,\n  \"message\": ", code);
  ph_cli_json_string (out, message);
  ph_cli_json_member (out, ",\n  \"signal\": ", signal_name);
  ph_cli_json_member (out, ",\n  \"flatpak_kill\": ", run->flatpak);
  json_holders (out, "holders", before != NULL ? before : none);
  json_holders (out, "still_held_by", after != NULL ? after : none);
  g_string_append (out, "\n}\n");
  fputs (out->str, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
  return code;
}

/* Asks on the terminal; only "y" or "yes" (or the translation's words) goes on. */
static gboolean
confirm (const char *question)
{
  char answer[64];
  g_autofree char *line = NULL;
  /* Translators: the answers that mean yes to "Stop them? [y/N]", separated by "|";
   * keep "y|yes" too */
  g_auto(GStrv) yes_words = g_strsplit (_("y|yes"), "|", -1);

  g_printerr ("%s ", question);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  line = g_utf8_casefold (g_strstrip (answer), -1);
  return g_strv_contains ((const char * const *) yes_words, line) ||
         g_str_equal (line, "y") || g_str_equal (line, "yes");
}

/* The levers are asynchronous (for the window); the command line waits for each. */
typedef struct
{
  GMainContext *context;
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
wait_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Between wait_begin() and wait_end(), start one call with wait_done and the Wait. */
static void
wait_begin (Wait *wait)
{
  wait->context = g_main_context_new ();
  wait->loop = g_main_loop_new (wait->context, FALSE);
  wait->result = NULL;
  g_main_context_push_thread_default (wait->context);
}

static GAsyncResult *
wait_end (Wait *wait)
{
  g_main_loop_run (wait->loop);
  g_main_context_pop_thread_default (wait->context);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
  g_clear_pointer (&wait->context, g_main_context_unref);
  return wait->result;
}

static PhStopResult *
stop_service (PhService  *service,
              gboolean    kill,
              const char *flatpak_app,
              GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait;

  wait_begin (&wait);
  if (flatpak_app != NULL)
    ph_stopper_stop_flatpak_async (service, flatpak_app, FREE_GRACE_MS, NULL, wait_done, &wait);
  else
    ph_stopper_stop_async (service, kill, FREE_GRACE_MS, NULL, wait_done, &wait);
  result = wait_end (&wait);
  return ph_stopper_stop_finish (result, error);
}

static PhSystemdPlan *
systemd_plan (PhService  *service,
              GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait;

  wait_begin (&wait);
  ph_systemd_plan_async (service, NULL, wait_done, &wait);
  result = wait_end (&wait);
  return ph_systemd_plan_finish (result, error);
}

static PhSystemdStopResult *
systemd_stop (const PhSystemdPlan  *plan,
              GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait;

  wait_begin (&wait);
  ph_systemd_stop_plan_async (plan, NULL, wait_done, &wait);
  result = wait_end (&wait);
  return ph_systemd_stop_finish (result, error);
}

/* POST /containers/{id}/stop through the engine's API; the command line waits for it. */
static PhContainerStopResult *
stop_container (PhContainer  *container,
                GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait;

  wait_begin (&wait);
  ph_container_stop_async (container, FREE_GRACE_MS / 1000, NULL, wait_done, &wait);
  result = wait_end (&wait);
  return ph_container_stop_finish (result, error);
}

/* The containers to stop, once each (Docker holds a port on IPv4 and IPv6). */
static void
add_container (GPtrArray   *containers,
               PhContainer *container)
{
  for (guint i = 0; i < containers->len; i++)
    if (g_strcmp0 (ph_container_get_id (containers->pdata[i]), ph_container_get_id (container)) == 0 &&
        g_strcmp0 (ph_container_get_socket (containers->pdata[i]),
                   ph_container_get_socket (container)) == 0)
      return;
  g_ptr_array_add (containers, g_object_ref (container));
}

/* "the container “shop-db” (Podman, localhost/shop:1)" */
static char *
describe_container (PhContainer *container)
{
  const char *image = ph_container_get_image (container);

  if (image != NULL && *image != '\0')
    /* Translators: a container's name, its engine (Podman, Docker…) and its image */
    return g_strdup_printf (_("the container “%s” (%s, image %s)"),
                            ph_container_get_name (container),
                            ph_container_get_engine_label (container), image);
  /* Translators: a container's name and its engine (Podman, Docker…) */
  return g_strdup_printf (_("the container “%s” (%s)"), ph_container_get_name (container),
                          ph_container_get_engine_label (container));
}

static gboolean
scan (PhServiceList **list,
      GError        **error)
{
  *list = ph_service_list_new ();
  return ph_cli_list_scan (*list, NULL, error);
}

/* --yes, or a yes on the terminal: TRUE. Otherwise says why not, and *code is the exit. */
static gboolean
confirmed (FreeRun    *r,
           gboolean    yes,
           const char *question,
           GPtrArray  *holders,
           int        *code)
{
  g_autofree char *message = NULL;

  if (yes)
    return TRUE;
  if (!isatty (STDIN_FILENO))
    {
      message = g_strdup (_("Not stopping anything without a confirmation: there is no "
                            "terminal to ask on. Add --yes to stop them without asking."));
      g_printerr ("porthole: %s\n", message);
      *code = finish (r, FREE_EXIT_REFUSED, "not-confirmed", message, holders, NULL, NULL);
      return FALSE;
    }
  if (!confirm (question))
    {
      message = g_strdup (_("Nothing was stopped: not confirmed."));
      say (r, "%s", message);
      *code = finish (r, FREE_EXIT_REFUSED, "not-confirmed", message, holders, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/* TRUE when systemd is the lever for every holder (a service, or socket activation). */
static gboolean
systemd_holds (GPtrArray  *holders,
               PhService **planned)
{
  *planned = NULL;
  for (guint i = 0; i < holders->len; i++)
    {
      PhService *service = g_ptr_array_index (holders, i);
      PhStopLever lever = ph_stopper_choose_lever (service);

      if (lever != PH_STOP_LEVER_SYSTEMD_SERVICE && lever != PH_STOP_LEVER_SYSTEMD_SOCKET)
        return FALSE;
      /* With socket activation, the plan from systemd's own socket stops both units. */
      if (*planned == NULL || lever == PH_STOP_LEVER_SYSTEMD_SOCKET)
        *planned = service;
    }
  return *planned != NULL;
}

/* Stop Service, as the window's: the plan names the units (a .socket before its service),
 * systemd stops them (asking polkit for a system unit), and a new scan says the rest. */
static int
free_with_systemd (FreeRun    *r,
                   GPtrArray  *holders,
                   PhService  *planned,
                   gboolean    yes,
                   gboolean    dry_run)
{
  g_autoptr(PhSystemdPlan) plan = NULL;
  g_autoptr(PhSystemdStopResult) result = NULL;
  g_autoptr(PhServiceList) list_after = NULL;
  g_autoptr(GPtrArray) remaining = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *confirmation = NULL;
  g_autofree char *units = NULL;
  g_autofree char *message = NULL;
  int code;

  plan = systemd_plan (planned, &error);
  if (plan == NULL)
    {
      /* Translators: %d is a port, %s why systemd could not be asked */
      message = g_strdup_printf (_("Port %d belongs to a systemd unit, but Porthole could not "
                                   "ask systemd about it: %s"), r->port, error->message);
      say (r, "%s", message);
      return finish (r, FREE_EXIT_REFUSED, "refused", message, holders, NULL, NULL);
    }
  confirmation = ph_systemd_plan_dup_confirmation (plan);
  say (r, "%s", confirmation);
  units = g_strjoinv (", ", plan->units);

  if (dry_run)
    {
      /* Translators: %s is the systemd units, "ph-act.socket, ph-act.service" */
      message = g_strdup_printf (_("Would ask systemd to stop %s. Nothing was stopped "
                                   "(--dry-run)."), units);
      say (r, "%s", message);
      return finish (r, FREE_EXIT_FREED, "dry-run", message, holders, NULL, NULL);
    }
  /* Translators: the question before porthole free stops systemd units; "y" for yes */
  if (!confirmed (r, yes, _("Stop it with systemd? [y/N]"), holders, &code))
    return code;

  result = systemd_stop (plan, &error);
  if (result == NULL)
    {
      gboolean refused = g_error_matches (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_REFUSED);

      say (r, "%s", error->message);
      return finish (r, refused ? FREE_EXIT_REFUSED : FREE_EXIT_STILL_HELD,
                     refused ? "refused" : "failed", error->message, holders, NULL, NULL);
    }
  message = ph_systemd_describe_result (plan, result);
  say (r, "%s", message);

  /* The truth is what a new scan sees. */
  if (!scan (&list_after, &error))
    return finish (r, FREE_EXIT_STILL_HELD, "failed", error->message, holders, NULL, NULL);
  remaining = find_holders (r, list_after);
  if (remaining->len == 0)
    return finish (r, FREE_EXIT_FREED, "freed", message, holders, remaining, NULL);
  return finish (r, FREE_EXIT_STILL_HELD, "still-held", message, holders, remaining, NULL);
}

int
ph_cli_free (int    argc,
             char **argv)
{
  gboolean yes = FALSE;
  gboolean force = FALSE;
  gboolean dry_run = FALSE;
  gboolean json = FALSE;
  gboolean flatpak_kill = FALSE;
  const GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Do not ask for confirmation"), NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      N_("End a program that ignores the request to quit (SIGKILL after 3 seconds)"), NULL },
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Only print what would be done"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the outcome as JSON (see src/cli/JSON.md)"), NULL },
    { "flatpak-kill", 0, 0, G_OPTION_ARG_NONE, &flatpak_kill,
      N_("When a Flatpak app holds the port, quit that whole app (flatpak kill) instead of "
         "asking its process to quit"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhAddressSpec) spec = NULL;
  g_autoptr(PhServiceList) list = NULL;
  g_autoptr(PhServiceList) list_after = NULL;
  g_autoptr(GPtrArray) holders = NULL;
  g_autoptr(GPtrArray) remaining = NULL;
  g_autoptr(GPtrArray) containers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(PhSupervisor) restarter = NULL;
  PhService *restarted = NULL;
  gint64 deadline;
  g_autofree char *target = NULL;
  g_autofree char *message = NULL;
  g_autofree char *question = NULL;
  FreeRun run = { 0 };
  FreeRun *r = &run;
  const char *signal_name = "TERM";
  gboolean refused = FALSE;
  PhService *planned = NULL;
  int code;

  context = g_option_context_new (_("PORT|ADDRESS:PORT — free a port"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Names the programs that hold the port, asks, and asks them "
                                  "to quit, as Porthole’s Free Port does."));
  g_option_context_set_description (context, ph_cli_free_exit_help ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr (_("porthole: %s"), error->message);
      g_printerr ("\n");
      return FREE_EXIT_USAGE;
    }

  run.json = json;
  if (argc != 2)
    {
      g_printerr ("%s\n", _("Usage: porthole free [--yes] [--force] [--dry-run] [--json] "
                            "[--flatpak-kill] PORT|ADDRESS:PORT"));
      return FREE_EXIT_USAGE;
    }

  spec = ph_address_spec_parse (argv[1], &error);
  if (spec == NULL)
    {
      g_printerr (_("porthole: %s"), error->message);
      g_printerr ("\n");
      return FREE_EXIT_USAGE;
    }
  if (spec->port <= 0)
    {
      /* Translators: %s is what was typed */
      g_printerr (_("porthole: “%s” names no port; write a port such as 3000 or an address "
                    "such as 127.0.0.1:3000."), argv[1]);
      g_printerr ("\n");
      return FREE_EXIT_USAGE;
    }

  run.port = spec->port;
  run.protocol = g_strdup (spec->protocol == PH_PORT_PROTOCOL_UDP ? "udp" : "tcp");
  run.host = g_strdup (spec->host);
  /* Translators: what porthole free frees when only a port was given; the messages
   * start with it ("Port 3000 is free now.") */
  target = spec->host != NULL ? ph_address_spec_to_string (spec) : g_strdup_printf (_("Port %d"),
                                                                                    spec->port);

  if (!scan (&list, &error))
    {
      message = g_strdup_printf (_("Porthole could not find out who holds port %d: %s"),
                                 run.port, error->message);
      g_printerr ("porthole: %s\n", message);
      code = finish (r, FREE_EXIT_STILL_HELD, "failed", message, NULL, NULL, NULL);
      goto out;
    }

  holders = find_holders (r, list);
  if (holders->len == 0)
    {
      /* Translators: the first %s is "Port 3000" or an address, the second TCP or UDP */
      message = g_strdup_printf (_("%s (%s): nothing is listening there, so there is nothing "
                                   "to free."),
                                 target, spec->protocol == PH_PORT_PROTOCOL_UDP ? "UDP" : "TCP");
      say (r, "%s", message);
      /* A container's engine may forward it by the firewall alone: name the container. */
      {
        g_autoptr(GArray) forwarded = ph_cli_list_forwarded (list);

        for (guint i = 0; i < forwarded->len; i++)
          {
            const PhForwardedPort *f = &g_array_index (forwarded, PhForwardedPort, i);

            if (f->port->host_port != (guint) run.port ||
                g_strcmp0 (f->port->protocol, run.protocol) != 0)
              continue;
            /* Translators: %1$s is a container, %2$u its port, %3$s the engine's command */
            say (r, _("The container “%1$s” publishes it (to its port %2$u): the firewall "
                      "forwards it there, no program listens on this computer. Stop the "
                      "container to close it: %3$s stop %1$s"),
                 ph_container_get_name (f->container), f->port->container_port,
                 ph_container_get_engine_command (f->container));
          }
      }
      code = finish (r, FREE_EXIT_NOTHING, "nothing-listening", message, holders, NULL, NULL);
      goto out;
    }

  /* Translators: the first %s is a port or an address, the second TCP or UDP */
  say (r, _("%s (%s) is held by:"),
       target, spec->protocol == PH_PORT_PROTOCOL_UDP ? "UDP" : "TCP");
  for (guint i = 0; i < holders->len; i++)
    {
      g_autofree char *line = describe_holder (g_ptr_array_index (holders, i));

      say (r, "  %s", line);
    }

  /* The right lever: systemd for its units; anything else but a signal to the user's own
   * program is explained. */
  if (systemd_holds (holders, &planned))
    {
      code = free_with_systemd (r, holders, planned, yes, dry_run);
      goto out;
    }
  for (guint i = 0; i < holders->len; i++)
    {
      PhService *service = g_ptr_array_index (holders, i);
      PhStopLever lever = ph_stopper_choose_lever (service);
      g_autofree char *explanation = NULL;

      if (lever == PH_STOP_LEVER_SIGNAL)
        continue;
      explanation = ph_stopper_explain_lever (service, lever);
      /* A container the engine's API listed is stopped through it: Stop Container. */
      if (lever == PH_STOP_LEVER_CONTAINER && ph_service_get_container (service) != NULL &&
          !ph_container_get_guessed (ph_service_get_container (service)))
        {
          say (r, "%s", explanation);
          add_container (containers, ph_service_get_container (service));
          /* A systemd unit that runs the container again: say so before, and check after. */
          if (restarter == NULL && (restarter = ph_stopper_container_restarter (service)) != NULL)
            {
              g_autofree char *before = ph_stopper_describe_restarter (restarter);

              restarted = service;
              say (r, "%s", before);
            }
          continue;
        }
      say (r, "%s", explanation);
      if (message == NULL)
        message = g_strdup (explanation);
      refused = TRUE;
    }
  /* --flatpak-kill: only when every holder runs in one and the same Flatpak app. */
  for (guint i = 0; flatpak_kill && !refused && i < holders->len; i++)
    {
      PhService *service = g_ptr_array_index (holders, i);
      const char *app = ph_stopper_flatpak_app (service);

      if (app == NULL || (run.flatpak != NULL && !g_str_equal (run.flatpak, app)))
        {
          g_autofree char *line = describe_holder (service);

          /* Translators: %s is who holds the port ("vite (process 1234) on …") */
          message = g_strdup_printf (_("--flatpak-kill: %s does not run in a Flatpak app "
                                       "(or not in the same one as the others)."), line);
          say (r, "%s", message);
          refused = TRUE;
          break;
        }
      if (run.flatpak == NULL)
        run.flatpak = g_strdup (app);
    }
  if (refused)
    {
      say (r, "%s", _("Porthole stopped nothing."));
      code = finish (r, FREE_EXIT_REFUSED, "refused", message, holders, NULL, NULL);
      goto out;
    }

  if (dry_run && containers->len > 0)
    {
      g_autofree char *what = describe_container (containers->pdata[0]);

      /* Translators: %s is “the container “shop-db” (Podman, image localhost/shop:1)” */
      message = g_strdup_printf (_("Would stop %s through its engine. Nothing was stopped "
                                   "(--dry-run)."), what);
      say (r, "%s", message);
      code = finish (r, FREE_EXIT_FREED, "dry-run", message, holders, NULL, NULL);
      goto out;
    }
  if (dry_run)
    {
      if (run.flatpak != NULL)
        /* Translators: %s is a Flatpak app ID */
        message = g_strdup_printf (_("Would quit the Flatpak app %s with flatpak kill, which "
                                     "ends every instance of it. Nothing was stopped "
                                     "(--dry-run)."), run.flatpak);
      else if (force)
        message = g_strdup (_("Would ask each program to quit (SIGTERM), wait 3 seconds, and "
                              "end any that is still running (SIGKILL). Nothing was "
                              "stopped (--dry-run)."));
      else
        message = g_strdup (_("Would ask each program to quit (SIGTERM) and wait 3 seconds. "
                              "Nothing was stopped (--dry-run)."));
      say (r, "%s", message);
      code = finish (r, FREE_EXIT_FREED, "dry-run", message, holders, NULL, NULL);
      goto out;
    }

  if (containers->len > 0)
    {
      g_autofree char *what = describe_container (containers->pdata[0]);
      /* Translators: the question before porthole free stops a container; %s is
       * “the container “shop-db” (Podman, image localhost/shop:1)”; "y" for yes */
      question = g_strdup_printf (_("Stop %s? Everything running in it stops with it. "
                                    "[y/N]"), what);
    }
  else if (run.flatpak != NULL)
    /* Translators: %s is a Flatpak app ID; the answer is typed, "y" for yes */
    question = g_strdup_printf (_("Quit the Flatpak app %s (flatpak kill), every window of "
                                  "it? [y/N]"), run.flatpak);
  else
    /* Translators: the question before porthole free stops anything; the answer is
     * typed, "y" for yes */
    question = g_strdup (g_dngettext (GETTEXT_PACKAGE, "Ask it to quit? [y/N]",
                                      "Ask them to quit? [y/N]", holders->len));
  if (!confirmed (r, yes, question, holders, &code))
    goto out;

  /* Stop Container: through the engine's API, never a signal to its helper. */
  for (guint i = 0; i < containers->len; i++)
    {
      PhContainer *container = containers->pdata[i];
      g_autoptr(PhContainerStopResult) result = NULL;
      g_autoptr(GError) stop_error = NULL;
      g_autofree char *what = describe_container (container);

      signal_name = NULL;
      /* Translators: %s is “the container “shop-db” (Podman, image localhost/shop:1)” */
      say (r, _("Stopping %s…"), what);
      result = stop_container (container, &stop_error);
      if (result == NULL)
        say (r, "%s", stop_error->message);
      else if (result->outcome == PH_CONTAINER_STOP_RESTARTED)
        /* Translators: the container, then its restart policy ("always") */
        say (r, _("The container “%s” runs again: its restart policy “%s” started it. "
                  "Change the policy first (%s update --restart=no %s)."),
             ph_container_get_name (container),
             result->restart_policy != NULL ? result->restart_policy : "?",
             ph_container_get_engine_command (container), ph_container_get_name (container));
      else if (result->outcome == PH_CONTAINER_STOP_NOT_FOUND)
        say (r, _("The engine no longer knows the container “%s”."),
             ph_container_get_name (container));
    }

  /* Each socket's stop signals every process holding it (the helper finds them all). */
  for (guint i = 0; i < holders->len; i++)
    {
      PhService *service = g_ptr_array_index (holders, i);
      g_autoptr(PhStopResult) result = NULL;
      g_autoptr(GError) stop_error = NULL;
      g_autofree char *said = NULL;

      if (ph_stopper_choose_lever (service) != PH_STOP_LEVER_SIGNAL)
        continue;
      if (run.flatpak != NULL)
        signal_name = "KILL";   /* what flatpak kill sends */
      result = stop_service (service, FALSE, run.flatpak, &stop_error);
      if (result != NULL && result->outcome == PH_STOP_OUTCOME_STILL_HELD && force &&
          run.flatpak == NULL)
        {
          g_clear_pointer (&result, ph_stop_result_free);
          say (r, "%s", _("It did not quit in time; ending it (SIGKILL, --force)."));
          signal_name = "KILL";
          result = stop_service (service, TRUE, NULL, &stop_error);
        }
      if (result == NULL)
        {
          say (r, "%s", stop_error->message);
          continue;
        }
      said = ph_stopper_describe (service, result);
      /* Freed: the scan below says so. A second socket of a program that already quit:
       * nothing worth saying. */
      if (result->outcome != PH_STOP_OUTCOME_FREED && result->outcome != PH_STOP_OUTCOME_GONE &&
          result->outcome != PH_STOP_OUTCOME_NOT_HOLDER)
        say (r, "%s", said);
    }

  /* The truth is what a new scan sees. */
  g_clear_error (&error);
  if (!scan (&list_after, &error))
    {
      message = g_strdup_printf (_("Porthole could not find out who holds port %d: %s"),
                                 run.port, error->message);
      g_printerr ("porthole: %s\n", message);
      code = finish (r, FREE_EXIT_STILL_HELD, "failed", message, holders, NULL, signal_name);
      goto out;
    }
  remaining = find_holders (r, list_after);
  /* A unit that restarts the container takes a second or two (its podman run): give it
   * the time, so that "free" is the truth. */
  deadline = g_get_monotonic_time () + RESTART_WAIT_MS * 1000;
  while (restarter != NULL && remaining->len == 0 && g_get_monotonic_time () < deadline)
    {
      g_usleep (RESTART_POLL_MS * 1000);
      g_clear_object (&list_after);
      g_clear_pointer (&remaining, g_ptr_array_unref);
      if (!scan (&list_after, NULL))
        break;
      remaining = find_holders (r, list_after);
    }
  if (remaining == NULL)
    remaining = g_ptr_array_new_with_free_func (g_object_unref);
  if (restarter != NULL && remaining->len > 0)
    {
      message = ph_stopper_describe_container_restarted (restarted, restarter);
      say (r, "%s", message);
      code = finish (r, FREE_EXIT_STILL_HELD, "still-held", message, holders, remaining,
                     NULL);
      goto out;
    }
  if (remaining->len == 0)
    {
      message = g_strdup_printf (_("%s is free now."), target);
      say (r, "%s", message);
      code = finish (r, FREE_EXIT_FREED, "freed", message, holders, remaining, signal_name);
      goto out;
    }

  message = g_strdup_printf (_("%s is still held by:"), target);
  say (r, "%s", message);
  for (guint i = 0; i < remaining->len; i++)
    {
      g_autofree char *line = describe_holder (g_ptr_array_index (remaining, i));

      say (r, "  %s", line);
    }
  if (!force)
    say (r, "%s", _("A program that ignores the request to quit can be ended with --force."));
  code = finish (r, FREE_EXIT_STILL_HELD, "still-held", message, holders, remaining,
                 signal_name);

out:
  g_free (run.protocol);
  g_free (run.host);
  g_free (run.flatpak);
  return code;
}

/* The exit statuses of porthole free, for its --help and porthole --help. */
const char *
ph_cli_free_exit_help (void)
{
  return _("Exit status of porthole free:\n"
           "  0  the port is free now (with --dry-run: it would be stopped)\n"
           "  1  the port is still held; the programs that hold it are named\n"
           "  2  the command line was wrong\n"
           "  3  refused: Porthole will not stop that program (it says why and what to do\n"
           "     instead), or there was no confirmation\n"
           "  4  nothing was listening on that port");
}
