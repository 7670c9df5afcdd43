/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cli.c — the command-line face: porthole --list and --explain, no display needed */
#include "config.h"

#include <glib/gi18n.h>

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ph-address.h"
#include "ph-cli.h"
#include "ph-cli-list.h"
#include "ph-explain.h"
#include "ph-port-scale.h"
#include "ph-troubleshoot.h"

/* --list: ph_cli_list () is in ph-cli-list.c */

/* --explain */

/* Wrap for a person at a terminal; a pipe gets one line per item, easier to search. */
static guint
terminal_width (void)
{
  struct winsize size;

  if (!isatty (STDOUT_FILENO))
    return 0;
  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20)
    return MIN (size.ws_col, 100);
  return 80;
}

/* Prints @text word-wrapped to @width columns (0: not wrapped), every line indented by
 * @indent spaces. */
static void
print_wrapped (const char *text,
               guint       indent,
               guint       width)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  g_autoptr(GString) line = g_string_new (NULL);
  glong line_length = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      glong length = g_utf8_strlen (words[i], -1);

      if (width > 0 && line_length > 0 && indent + line_length + 1 + length > width)
        {
          g_print ("%*s%s\n", (int) indent, "", line->str);
          g_string_truncate (line, 0);
          line_length = 0;
        }
      if (line_length > 0)
        {
          g_string_append_c (line, ' ');
          line_length++;
        }
      g_string_append (line, words[i]);
      line_length += length;
    }

  if (line_length > 0)
    g_print ("%*s%s\n", (int) indent, "", line->str);
}

/* "--explain ADDRESS --json": one document, JSON.md says what each key means. */
static void
print_json (const PhAddressSpec   *spec,
            const char            *host,
            const PhExplainRequest *request,
            const PhExplanation   *explanation,
            const PhDiagnosis     *diagnosis)
{
  static const char * const section_keys[PH_EXPLANATION_N_SECTIONS] = {
    "address", "port", "status",
  };
  g_autoptr(GString) out = g_string_new ("{\n");
  g_autofree char *canonical = ph_address_spec_to_string (spec);

  g_string_append_printf (out, "  \"version\": %d,\n", PH_CLI_JSON_VERSION);
  ph_cli_json_member (out, "  \"generator\": ", PACKAGE_NAME " " PACKAGE_VERSION);
  ph_cli_json_member (out, ",\n  \"address\": ", canonical);
  ph_cli_json_member (out, ",\n  \"host\": ", host);
  g_string_append (out, ",\n  \"port\": ");
  if (spec->port >= 0)
    g_string_append_printf (out, "%d", spec->port);
  else
    g_string_append (out, "null");
  ph_cli_json_member (out, ",\n  \"protocol\": ", ph_port_protocol_to_string (spec->protocol));
  ph_cli_json_member (out, ",\n  \"status\": ",
                      request->checked ? ph_port_status_to_string (request->status) : NULL);
  ph_cli_json_member (out, ",\n  \"listener\": ", request->listener);

  ph_cli_json_member (out, ",\n  \"verdict\": ", ph_verdict_to_string (diagnosis->verdict));
  ph_cli_json_member (out, ",\n  \"summary\": ", diagnosis->summary);
  ph_cli_json_member (out, ",\n  \"advice\": ", diagnosis->advice);
  ph_cli_json_member (out, ",\n  \"answer\": ", diagnosis->answer);
  ph_cli_json_member (out, ",\n  \"other_user\": ", diagnosis->other_user);
  g_string_append (out, ",\n  \"works_instead\": [");
  for (guint i = 0; diagnosis->works_instead != NULL && diagnosis->works_instead[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (out, ", ");
      ph_cli_json_string (out, diagnosis->works_instead[i]);
    }
  g_string_append_printf (out, "],\n  \"time_wait\": %u,\n  \"attempts\": [",
                          diagnosis->time_wait);
  for (guint i = 0; i < diagnosis->attempts->len; i++)
    {
      const PhConnectAttempt *attempt = g_ptr_array_index (diagnosis->attempts, i);

      g_string_append (out, i > 0 ? ",\n    {" : "\n    {");
      ph_cli_json_member (out, "\"address\": ", attempt->address);
      ph_cli_json_member (out, ", \"result\": ", ph_attempt_result_to_string (attempt->result));
      ph_cli_json_member (out, ", \"error\": ", attempt->error);
      g_string_append (out, "}");
    }
  g_string_append (out, diagnosis->attempts->len > 0 ? "\n  ],\n" : "],\n");
  g_string_append (out, "  \"listeners\": [");
  for (guint i = 0; i < diagnosis->listeners->len; i++)
    {
      const PhTableListener *listener = g_ptr_array_index (diagnosis->listeners, i);

      g_string_append (out, i > 0 ? ",\n    {" : "\n    {");
      ph_cli_json_member (out, "\"address\": ", listener->address);
      g_string_append_printf (out, ", \"uid\": %u, \"accept_queue\": %u}", listener->uid,
                              listener->accept_queue);
    }
  g_string_append (out, diagnosis->listeners->len > 0 ? "\n  ],\n" : "],\n");

  g_string_append (out, "  \"explanation\": {");
  for (PhExplanationSection section = 0; section < PH_EXPLANATION_N_SECTIONS; section++)
    {
      guint n_items = ph_explanation_get_n_items (explanation, section);

      g_string_append (out, section > 0 ? ",\n    " : "\n    ");
      ph_cli_json_string (out, section_keys[section]);
      g_string_append (out, ": [");
      for (guint i = 0; i < n_items; i++)
        {
          const PhExplanationItem *item = ph_explanation_get_item (explanation, section, i);

          g_string_append (out, i > 0 ? ",\n      {" : "\n      {");
          ph_cli_json_member (out, "\"title\": ", item->title);
          ph_cli_json_member (out, ", \"text\": ", item->text);
          g_string_append (out, "}");
        }
      g_string_append (out, n_items > 0 ? "\n    ]" : "]");
    }
  g_string_append (out, "\n  }\n}\n");
  fputs (out->str, stdout);
}

int
ph_cli_explain (const char *address,
                gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) check_error = NULL;
  g_autoptr(GError) diagnosis_error = NULL;
  g_autoptr(PhAddressSpec) spec = NULL;
  g_autoptr(PhExplanation) explanation = NULL;
  g_autoptr(PhDiagnosis) diagnosis = NULL;
  g_autofree char *host = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *listener = NULL;
  PhExplainRequest request = { 0 };
  guint width = json ? 0 : terminal_width ();
  const char *protocol_name;

  spec = ph_address_spec_parse (address, &error);
  if (spec == NULL)
    {
      /* Translators: %s is a message saying what is wrong with the address that was typed */
      g_printerr (_("porthole: %s"), error->message);
      g_printerr ("\n");
      return 2;
    }

  protocol_name = spec->protocol == PH_PORT_PROTOCOL_UDP ? "UDP" : "TCP";
  host = ph_address_spec_dup_check_host (spec);
  request.host = host;
  request.port = spec->port;
  request.protocol = spec->protocol;
  request.v6only = -1;

  /* Who listens there, if the scanner can tell; a bind then says whether the port is free. */
  if (spec->port > 0)
    {
      g_autoptr(PhServiceList) list = ph_service_list_new ();
      g_autoptr(GError) scan_error = NULL;

      if (ph_cli_list_scan (list, NULL, &scan_error))
        {
          PhService *service = ph_service_list_find_serving (list, spec->host, (guint) spec->port,
                                                             spec->protocol == PH_PORT_PROTOCOL_UDP
                                                             ? "udp" : "tcp");
          PhProcess *owner = service != NULL ? ph_service_get_main_owner (service) : NULL;

          if (service != NULL)
            {
              request.listening = TRUE;
              request.v6only = ph_service_get_v6only (service);
              if (owner != NULL)
                {
                  g_autofree char *name = ph_process_dup_display_name (owner);

                  /* Translators: who listens on a port: a program name and its process ID */
                  listener = g_strdup_printf (_("%s, process %d"),
                                              name, (int) ph_process_get_pid (owner));
                }
              else
                {
                  listener = g_strdup (ph_service_get_group_name (service));
                }
              request.listener = listener;
            }
        }
      else
        {
          g_debug ("no scan for --explain: %s", scan_error->message);
        }
    }

  if (spec->port >= 0)
    {
      request.status = ph_port_check (host, (guint) spec->port, spec->protocol, &check_error);
      request.checked = TRUE;
      request.status_detail = check_error != NULL ? check_error->message : NULL;
    }

  explanation = ph_explain_request (&request);

  /* The troubleshooter: connect for real and say why it works or does not. */
  diagnosis = ph_troubleshoot_sync (host, spec->port, spec->protocol, NULL, &diagnosis_error);
  if (diagnosis == NULL)
    {
      g_printerr (_("porthole: %s"), diagnosis_error->message);
      g_printerr ("\n");
      return 1;
    }

  if (json)
    {
      print_json (spec, host, &request, explanation, diagnosis);
      return 0;
    }

  heading = ph_address_spec_to_string (spec);
  if (spec->host == NULL)
    /* Translators: a heading; %d is a port number, %s is TCP or UDP */
    g_print (_("Port %d (%s) on any address"), spec->port, protocol_name);
  else if (spec->port >= 0)
    /* Translators: a heading; the first %s is an address such as 127.0.0.1:8080, the second
     * TCP or UDP */
    g_print (_("%s (%s)"), heading, protocol_name);
  else
    g_print ("%s", heading);
  g_print ("\n");

  /* What a person came for first: can one connect, and if not, why. */
  if (diagnosis->verdict != PH_VERDICT_NOT_TESTED)
    {
      /* Translators: a section of --explain: what happened when Porthole tried to connect */
      g_print ("\n%s\n", _("Connection"));
      print_wrapped (diagnosis->summary, 2, width);
      if (diagnosis->advice != NULL)
        {
          /* Translators: a title and its text on one line of the terminal */
          g_autofree char *line = g_strdup_printf (_("%s: %s"), _("What to do"),
                                                   diagnosis->advice);

          print_wrapped (line, 2, width);
        }
    }

  for (PhExplanationSection section = 0; section < PH_EXPLANATION_N_SECTIONS; section++)
    {
      guint n_items = ph_explanation_get_n_items (explanation, section);

      if (n_items == 0)
        continue;

      g_print ("\n%s\n", ph_explanation_section_get_title (section));
      for (guint i = 0; i < n_items; i++)
        {
          const PhExplanationItem *item = ph_explanation_get_item (explanation, section, i);
          g_autofree char *line = NULL;

          if (item->title != NULL)
            /* Translators: a title and its text on one line of the terminal, "Class: …" */
            line = g_strdup_printf (_("%s: %s"), item->title, item->text);
          else
            line = g_strdup (item->text);
          print_wrapped (line, 2, width);
        }

      /* At a terminal (never in a pipe), the port line drawn in text. */
      if (section == PH_EXPLANATION_PORT && width > 0 && spec->port > 0)
        {
          PhPortLineModel model;
          g_autofree char *bar = NULL;
          g_autofree char *key = NULL;

          ph_port_line_model_init (&model, (guint) spec->port, NULL);
          bar = ph_port_line_dup_ascii (&model, width - 2);
          key = ph_port_line_dup_ascii_key (&model);
          g_print ("\n  %s\n", bar);
          print_wrapped (key, 2, width);
        }
    }

  return 0;
}
