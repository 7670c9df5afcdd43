/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cli-list.c — porthole --list: one scan, printed as a grouped table or as JSON */
#include "config.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ph-cli.h"
#include "ph-cli-list.h"
#include "ph-helper-client.h"
#include "ph-port-info.h"

/* ---- scanning once ------------------------------------------------------------------ */

/* Applies the output of `porthole-helper watch --once` to @list. Warnings go to
 * standard error when @print_warnings (the command line), to the debug log otherwise. */
static gboolean
apply_scan_output (PhServiceList  *list,
                   GBytes         *out,
                   gboolean        print_warnings,
                   char          **source,
                   GError        **error)
{
  guint applied_sets = 0;
  const char *data;
  const char *end;
  gsize size;

  data = g_bytes_get_data (out, &size);
  end = data + size;
  while (data != NULL && data < end)
    {
      const char *nl = memchr (data, '\n', end - data);
      gsize len = (nl != NULL ? nl : end) - data;
      g_autoptr(GError) line_error = NULL;
      g_autoptr(PhRecord) record = ph_record_parse (data, len, &line_error);
      gboolean applied = FALSE;

      data = nl != NULL ? nl + 1 : end;
      if (record == NULL)
        {
          g_debug ("porthole-helper sent a bad line: %s", line_error->message);
          continue;
        }

      if (ph_record_get_kind (record) == PH_RECORD_HELLO)
        {
          if (source != NULL)
            {
              g_free (*source);
              *source = g_strdup (ph_record_get (record, PH_KEY_SOURCE, NULL));
            }
          continue;
        }

      if (ph_record_get_kind (record) == PH_RECORD_WARN)
        {
          g_autofree char *message = NULL;
          const char *raw = ph_record_get (record, PH_KEY_MESSAGE, NULL);

          message = raw != NULL ? ph_protocol_display (raw, -1) : NULL;
          if (message != NULL && print_warnings)
            g_printerr ("porthole-helper: %s\n", message);
          else if (message != NULL)
            g_debug ("porthole-helper: %s", message);
          continue;
        }

      if (!ph_service_list_feed (list, record, &applied, &line_error))
        g_debug ("porthole-helper: %s", line_error->message);
      applied_sets += applied;
    }

  if (applied_sets == 0)
    {
      g_set_error_literal (error, PH_HELPER_ERROR, PH_HELPER_ERROR_PROTOCOL,
                           _("Porthole’s scanner ended without listing the sockets."));
      return FALSE;
    }

  return TRUE;
}

static const char * const watch_once_args[] = { PH_VERB_WATCH, "--once", NULL };

/**
 * ph_cli_list_scan:
 * @list: an empty list to fill
 * @source: (out) (optional): where the sockets came from ("netlink" or "procfs")
 *
 * Runs `porthole-helper watch --once` (synchronously: this is the command line) and
 * applies its one full change set to @list.
 */
gboolean
ph_cli_list_scan (PhServiceList  *list,
                  char          **source,
                  GError        **error)
{
  g_autoptr(PhHelperClient) client = NULL;
  g_autoptr(GBytes) out = NULL;

  g_return_val_if_fail (PH_IS_SERVICE_LIST (list), FALSE);

  client = ph_helper_client_new (FALSE, error);
  if (client == NULL)
    return FALSE;
  {
    /* What the scan cannot show from here (a Flatpak that may not run the helper on the
     * host), said before the table as the helper's warnings are. */
    g_autofree char *limitation = ph_helper_client_dup_limitation (client);

    if (limitation != NULL)
      g_printerr ("porthole: %s\n", limitation);
  }
  /* It also checks the HELLO: the protocol version is ours. */
  out = ph_helper_client_run (client, watch_once_args, PH_HELPER_RUN_NONE, NULL, NULL, error);
  if (out == NULL)
    return FALSE;

  if (!apply_scan_output (list, out, TRUE, source, error))
    return FALSE;

  /* Ports that a container engine's helper holds go under their container; an engine
   * that answers may also forward ports no program holds. */
  if (ph_service_list_has_container_ports (list, NULL) || ph_containers_any_socket ())
    {
      g_autoptr(PhContainerSnapshot) snapshot = ph_containers_query_sync (NULL);

      ph_service_list_set_containers (list, snapshot);
    }
  return TRUE;
}

static void
scan_run_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(PhServiceList) list = NULL;

  out = ph_helper_client_run_finish (PH_HELPER_CLIENT (object), result, NULL, &error);
  if (out == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  list = ph_service_list_new ();
  if (!apply_scan_output (list, out, FALSE, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&list), g_object_unref);
}

/**
 * ph_cli_list_scan_async:
 *
 * ph_cli_list_scan() without blocking, for the Shell's search provider: one
 * `porthole-helper watch --once`, applied to a new list.
 */
void
ph_cli_list_scan_async (GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(PhHelperClient) client = NULL;
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, ph_cli_list_scan_async);
  client = ph_helper_client_new (FALSE, &error);
  if (client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ph_helper_client_run_async (client, watch_once_args, PH_HELPER_RUN_NONE, cancellable,
                              scan_run_cb, g_steal_pointer (&task));
}

/**
 * ph_cli_list_scan_finish:
 *
 * Returns: (transfer full): the listeners, or %NULL with an error
 */
PhServiceList *
ph_cli_list_scan_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the table ---------------------------------------------------------------------- */

static char *
process_column (PhService *service)
{
  PhProcess *owner = ph_service_get_main_owner (service);
  guint n_owners = ph_service_get_n_owners (service);
  g_autofree char *name = NULL;
  GString *text;

  if (owner == NULL)
    {
      if (ph_service_get_hidden (service))
        /* Translators: the process column when another user's program holds the port */
        return g_strdup (_("hidden"));
      if (ph_service_get_unseen (service) != NULL)
        /* Translators: the process column when the program holding the port cannot be
         * seen from where Porthole runs (a sandbox, a container) */
        return g_strdup (_("not visible"));
      if (ph_service_get_kernel (service))
        /* Translators: the process column when no process holds the port */
        return g_strdup (_("kernel"));
      return g_strdup ("?");
    }

  name = ph_process_dup_display_name (owner);
  text = g_string_new (name != NULL ? name : "?");
  g_string_append_printf (text, " (%" G_GINT64_FORMAT ")", ph_process_get_pid (owner));
  if (n_owners > 1)
    /* Translators: "+3": three more processes share the socket */
    g_string_append_printf (text, _(" +%u"), n_owners - 1);
  return g_string_free (text, FALSE);
}

static void
append_padded (GString    *out,
               const char *text,
               guint       width,
               gboolean    right)
{
  glong length = g_utf8_strlen (text, -1);
  guint pad = length < (glong) width ? width - (guint) length : 0;

  if (right)
    {
      for (guint i = 0; i < pad; i++)
        g_string_append_c (out, ' ');
      g_string_append (out, text);
    }
  else
    {
      g_string_append (out, text);
      for (guint i = 0; i < pad; i++)
        g_string_append_c (out, ' ');
    }
}

enum { COL_PORT, COL_PROTO, COL_ADDRESS, COL_ACCESS, COL_CLASS, COL_PROCESS, N_COLS };

/* The published ports no program holds (the engine forwards them by DNAT alone). */
GArray *
ph_cli_list_forwarded (PhServiceList *list)
{
  return ph_service_list_dup_forwarded (list);
}

static char *
forwarded_address (const PhContainerPort *port)
{
  const char *ip = port->host_ip != NULL && *port->host_ip ? port->host_ip : "0.0.0.0";

  return ph_format_socket_address (ip, port->host_port, 0);
}

/**
 * ph_cli_list_format_table:
 * @terminal: whether the text goes to a terminal (group names in bold)
 *
 * One block per application: its name and what it is, then one line per socket: port,
 * protocol, address, whether other computers can reach it, the port's class and the
 * process. Columns line up across the whole table.
 *
 * Returns: (transfer full): the table
 */
static char *
ph_cli_list_format_table (PhServiceList *list,
                          gboolean       terminal)
{
  GListModel *model = G_LIST_MODEL (list);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  const char *headers[N_COLS] = {
    /* Translators: column headers of porthole --list; keep them short */
    _("PORT"), _("PROTO"), _("ADDRESS"), _("ACCESS"), _("CLASS"), _("PROCESS"),
  };
  guint widths[N_COLS];
  GString *out = g_string_new (NULL);
  const char *previous_key = NULL;
  guint n_groups = 0;
  guint n_hidden = 0;
  guint n_unseen = 0;
  const char *unseen_why = NULL;

  if (n == 0)
    {
      g_string_append_printf (out, "%s\n", _("Nothing is listening on this computer."));
      return g_string_free (out, FALSE);
    }

  for (guint c = 0; c < N_COLS; c++)
    widths[c] = (guint) g_utf8_strlen (headers[c], -1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) service = g_list_model_get_item (model, i);
      char *row[N_COLS];
      PhPortClass port_class;

      row[COL_PORT] = g_strdup_printf ("%u", ph_service_get_port (service));
      row[COL_PROTO] = g_strdup (ph_service_get_protocol (service));
      row[COL_ADDRESS] = ph_service_dup_display_address (service);
      /* the port is already in its own column */
      *strrchr (row[COL_ADDRESS], ':') = '\0';
      row[COL_ACCESS] = g_strdup (ph_service_is_reachable_from_network (service)
                                  /* Translators: other computers can connect */
                                  ? _("network")
                                  /* Translators: only this computer can connect */
                                  : _("local"));
      port_class = ph_port_class_for_port (ph_service_get_port (service));
      row[COL_CLASS] = g_strdup (ph_port_class_get_column_name (port_class));
      row[COL_PROCESS] = process_column (service);

      for (guint c = 0; c < N_COLS; c++)
        {
          widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
          g_ptr_array_add (cells, row[c]);
        }
      n_hidden += ph_service_get_hidden (service);
      if (ph_service_get_unseen (service) != NULL)
        {
          n_unseen++;
          unseen_why = ph_app_identity_get_description (ph_service_get_identity (service));
        }
    }

  g_string_append (out, "  ");
  for (guint c = 0; c < N_COLS; c++)
    {
      append_padded (out, headers[c], c == N_COLS - 1 ? 0 : widths[c], c == COL_PORT);
      if (c < N_COLS - 1)
        g_string_append (out, "  ");
    }
  g_string_append_c (out, '\n');

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) service = g_list_model_get_item (model, i);
      const char *key = ph_service_get_group_key (service);

      if (previous_key == NULL || g_strcmp0 (previous_key, key) != 0)
        {
          const char *name = ph_service_get_group_name (service);
          const char *subtitle = ph_service_get_group_subtitle (service);

          g_string_append_c (out, '\n');
          if (terminal)
            g_string_append (out, "\033[1m");
          g_string_append (out, name != NULL ? name : "?");
          if (terminal)
            g_string_append (out, "\033[0m");
          if (subtitle != NULL && *subtitle != '\0')
            g_string_append_printf (out, " — %s", subtitle);
          g_string_append_c (out, '\n');
          if (ph_service_get_container (service) != NULL &&
              ph_container_get_access_hint (ph_service_get_container (service)) != NULL)
            g_string_append_printf (out, "  %s\n",
                                    ph_container_get_access_hint (ph_service_get_container (service)));
          n_groups++;
        }
      previous_key = ph_service_get_group_key (service);

      g_string_append (out, "  ");
      for (guint c = 0; c < N_COLS; c++)
        {
          const char *cell = cells->pdata[i * N_COLS + c];

          append_padded (out, cell, c == N_COLS - 1 ? 0 : widths[c], c == COL_PORT);
          if (c < N_COLS - 1)
            g_string_append (out, "  ");
        }
      g_string_append_c (out, '\n');
    }

  {
    g_autoptr(GArray) forwarded = ph_cli_list_forwarded (list);

    for (guint i = 0; i < forwarded->len; i++)
      {
        const PhForwardedPort *f = &g_array_index (forwarded, PhForwardedPort, i);
        g_autofree char *address = forwarded_address (f->port);
        const char *image = ph_container_get_image (f->container);

        g_string_append_printf (out, "\n%s — %s%s%s\n", ph_container_get_name (f->container),
                                ph_container_get_engine_label (f->container),
                                image != NULL ? " · " : "", image != NULL ? image : "");
        /* Translators: a published port no program holds: its address, protocol, the
         * container's port, then the note */
        g_string_append_printf (out, _("  %s %s → %u: %s\n"), address, f->port->protocol,
                                f->port->container_port, ph_containers_forwarded_note ());
      }
  }

  g_string_append_c (out, '\n');
  g_string_append_printf (out,
                          /* Translators: the summary under porthole --list */
                          g_dngettext (GETTEXT_PACKAGE, "%u socket", "%u sockets", n), n);
  g_string_append (out, ", ");
  g_string_append_printf (out,
                          g_dngettext (GETTEXT_PACKAGE, "%u application",
                                       "%u applications", n_groups), n_groups);
  g_string_append_c (out, '\n');
  if (n_hidden > 0)
    {
      g_string_append_printf (out,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "%u socket belongs to another user; run as "
                                           "administrator to see which program holds it.",
                                           "%u sockets belong to other users; run as "
                                           "administrator to see which programs hold them.",
                                           n_hidden), n_hidden);
      g_string_append_c (out, '\n');
    }
  if (n_unseen > 0)
    {
      g_string_append_printf (out,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "The program holding %u socket is not visible "
                                           "from here.",
                                           "The programs holding %u sockets are not visible "
                                           "from here.",
                                           n_unseen), n_unseen);
      if (unseen_why != NULL)
        g_string_append_printf (out, " %s.", unseen_why);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

/* ---- JSON --------------------------------------------------------------------------- */

/* @text must be valid UTF-8; control characters are escaped, so they stay exact. */
void
ph_cli_json_string (GString    *out,
                    const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;

        case '\\':
          g_string_append (out, "\\\\");
          break;

        case '\n':
          g_string_append (out, "\\n");
          break;

        case '\t':
          g_string_append (out, "\\t");
          break;

        case '\r':
          g_string_append (out, "\\r");
          break;

        default:
          if (c < 0x20 || c == 0x7f)
            {
              g_string_append_printf (out, "\\u%04x", c);
            }
          else if (c < 0x80)
            {
              g_string_append_c (out, (char) c);
            }
          else
            {
              /* C1 controls, bidi overrides and the like, which a terminal would obey when
               * the JSON is shown: escaped as \uXXXX, so the string stays exact. */
              const char *next = g_utf8_next_char (p);
              gunichar uc = g_utf8_get_char (p);

              if (ph_protocol_is_display_safe (p, next - p))
                g_string_append_len (out, p, next - p);
              else if (uc < 0x10000)
                g_string_append_printf (out, "\\u%04x", uc);
              else
                g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + ((uc - 0x10000) >> 10),
                                        0xdc00 + ((uc - 0x10000) & 0x3ff));
              p = next - 1;
            }
        }
    }
  g_string_append_c (out, '"');
}

/* @before (what separates it from the member before, and its quoted key with ": ") and
 * @text, as ph_cli_json_string() writes it. */
void
ph_cli_json_member (GString    *out,
                    const char *before,
                    const char *text)
{
  g_string_append (out, before);
  ph_cli_json_string (out, text);
}

/* Raw bytes from the helper: exact when they are UTF-8, U+FFFD where they are not. */
static void
json_bytes (GString    *out,
            const char *raw)
{
  g_autofree char *valid = raw != NULL ? ph_protocol_make_valid (raw, -1) : NULL;

  ph_cli_json_string (out, valid);
}

static void
json_int_or_null (GString *out,
                  gint64   value)
{
  if (value < 0)
    g_string_append (out, "null");
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

static void
json_key (GString    *out,
          guint       indent,
          const char *key,
          gboolean    first)
{
  if (!first)
    g_string_append (out, ",\n");
  for (guint i = 0; i < indent; i++)
    g_string_append_c (out, ' ');
  ph_cli_json_string (out, key);
  g_string_append (out, ": ");
}

static void
json_owner (GString   *out,
            PhService *service,
            PhProcess *owner)
{
  g_auto(GStrv) argv = ph_process_dup_argv_raw (owner);
  const guint in = 10;

  g_string_append (out, "        {\n");
  json_key (out, in, "pid", TRUE);
  g_string_append_printf (out, "%" G_GINT64_FORMAT, ph_process_get_pid (owner));
  json_key (out, in, "start_time", FALSE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, ph_process_get_start_time (owner));
  json_key (out, in, "ppid", FALSE);
  json_int_or_null (out, ph_process_get_ppid (owner));
  json_key (out, in, "uid", FALSE);
  json_int_or_null (out, ph_process_get_uid (owner));
  json_key (out, in, "user", FALSE);
  ph_cli_json_string (out, ph_process_get_user (owner));
  json_key (out, in, "fd", FALSE);
  json_int_or_null (out, ph_service_get_owner_fd (service, owner));
  json_key (out, in, "comm", FALSE);
  json_bytes (out, ph_process_get_comm_raw (owner));
  json_key (out, in, "exe", FALSE);
  json_bytes (out, ph_process_get_exe_raw (owner));
  json_key (out, in, "cwd", FALSE);
  json_bytes (out, ph_process_get_cwd_raw (owner));
  json_key (out, in, "argv", FALSE);
  if (argv == NULL)
    g_string_append (out, "null");
  else
    {
      g_string_append_c (out, '[');
      for (guint i = 0; argv[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          json_bytes (out, argv[i]);
        }
      g_string_append_c (out, ']');
    }
  json_key (out, in, "cgroup", FALSE);
  ph_cli_json_string (out, ph_process_get_cgroup (owner));
  json_key (out, in, "manager", FALSE);
  ph_cli_json_string (out, ph_process_get_manager (owner));
  json_key (out, in, "unit", FALSE);
  ph_cli_json_string (out, ph_process_get_unit (owner));
  json_key (out, in, "app_id", FALSE);
  ph_cli_json_string (out, ph_process_get_app_id (owner));
  json_key (out, in, "container", FALSE);
  ph_cli_json_string (out, ph_process_get_container (owner));
  json_key (out, in, "container_kind", FALSE);
  ph_cli_json_string (out, ph_process_get_container_kind (owner));
  json_key (out, in, "app_name", FALSE);
  ph_cli_json_string (out, ph_process_get_app_name (owner));
  json_key (out, in, "app_icon", FALSE);
  ph_cli_json_string (out, ph_process_get_app_icon (owner));
  g_string_append (out, "\n        }");
}

/* The container that publishes the port (JSON.md), or null. */
static void
json_container (GString   *out,
                PhService *service)
{
  PhContainer *container = ph_service_get_container (service);
  const PhContainerPort *port;
  const guint in = 8;

  if (container == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  port = ph_container_find_port (container, ph_service_get_address (service),
                                 ph_service_get_port (service),
                                 ph_service_get_protocol (service));
  g_string_append (out, "{\n");
  json_key (out, in, "name", TRUE);
  ph_cli_json_string (out, ph_container_get_name (container));
  json_key (out, in, "id", FALSE);
  ph_cli_json_string (out, *ph_container_get_id (container) ? ph_container_get_id (container) : NULL);
  json_key (out, in, "image", FALSE);
  ph_cli_json_string (out, ph_container_get_image (container));
  json_key (out, in, "engine", FALSE);
  ph_cli_json_string (out, ph_container_get_engine_command (container));
  json_key (out, in, "rootless", FALSE);
  g_string_append (out, ph_container_get_rootless (container) ? "true" : "false");
  json_key (out, in, "container_port", FALSE);
  if (port != NULL && port->container_port != 0)
    g_string_append_printf (out, "%u", port->container_port);
  else
    g_string_append (out, "null");
  json_key (out, in, "guessed", FALSE);
  g_string_append (out, ph_container_get_guessed (container) ? "true" : "false");
  json_key (out, in, "access_hint", FALSE);
  ph_cli_json_string (out, ph_container_get_access_hint (container));
  g_string_append (out, "\n      }");
}

static void
json_service (GString   *out,
              PhService *service)
{
  g_autofree char *display = ph_service_dup_display_address (service);
  guint n_owners = ph_service_get_n_owners (service);
  PhPortProtocol protocol;
  const char *iana_name = NULL;
  const guint in = 6;
  int v6only = ph_service_get_v6only (service);
  guint port = ph_service_get_port (service);

  if (ph_port_protocol_from_string (ph_service_get_protocol (service), &protocol))
    {
      iana_name = ph_iana_get_name (port, protocol);
    }

  g_string_append (out, "    {\n");
  json_key (out, in, "id", TRUE);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, ph_service_get_id (service));
  json_key (out, in, "group", FALSE);
  ph_cli_json_string (out, ph_service_get_group_key (service));
  json_key (out, in, "protocol", FALSE);
  ph_cli_json_string (out, ph_service_get_protocol (service));
  json_key (out, in, "family", FALSE);
  g_string_append_printf (out, "%u", ph_service_get_family (service));
  json_key (out, in, "address", FALSE);
  ph_cli_json_string (out, ph_service_get_address (service));
  json_key (out, in, "port", FALSE);
  g_string_append_printf (out, "%u", ph_service_get_port (service));
  json_key (out, in, "display_address", FALSE);
  ph_cli_json_string (out, display);
  json_key (out, in, "scope_id", FALSE);
  g_string_append_printf (out, "%u", ph_service_get_scope_id (service));
  json_key (out, in, "v6only", FALSE);
  g_string_append (out, v6only < 0 ? "null" : v6only ? "true" : "false");
  json_key (out, in, "reachable", FALSE);
  g_string_append (out, ph_service_is_reachable_from_network (service) ? "true" : "false");
  json_key (out, in, "port_class", FALSE);
  ph_cli_json_string (out, ph_port_class_to_string (ph_port_class_for_port (port)));
  json_key (out, in, "iana_service", FALSE);
  ph_cli_json_string (out, iana_name);
  json_key (out, in, "uid", FALSE);
  json_int_or_null (out, ph_service_get_uid (service));
  json_key (out, in, "user", FALSE);
  ph_cli_json_string (out, ph_service_get_user (service));
  json_key (out, in, "hidden", FALSE);
  g_string_append (out, ph_service_get_hidden (service) ? "true" : "false");
  json_key (out, in, "kernel", FALSE);
  g_string_append (out, ph_service_get_kernel (service) ? "true" : "false");
  json_key (out, in, "unseen", FALSE);
  ph_cli_json_string (out, ph_service_get_unseen (service));
  json_key (out, in, "connections", FALSE);
  g_string_append_printf (out, "%u", ph_service_get_connections (service));
  json_key (out, in, "container", FALSE);
  json_container (out, service);
  json_key (out, in, "owners", FALSE);
  if (n_owners == 0)
    g_string_append (out, "[]");
  else
    {
      g_string_append (out, "[\n");
      for (guint i = 0; i < n_owners; i++)
        {
          if (i > 0)
            g_string_append (out, ",\n");
          json_owner (out, service, ph_service_get_owner (service, i));
        }
      g_string_append (out, "\n      ]");
    }
  g_string_append (out, "\n    }");
}

/**
 * ph_cli_list_format_json:
 * @source: (nullable): "netlink" or "procfs"
 *
 * The document src/cli/JSON.md describes: stable keys, every value present (null when
 * unknown), services in the same order as the table.
 *
 * Returns: (transfer full): the JSON text, ending in a newline
 */
static char *
ph_cli_list_format_json (PhServiceList *list,
                         const char    *source)
{
  GListModel *model = G_LIST_MODEL (list);
  guint n = g_list_model_get_n_items (model);
  GString *out = g_string_new ("{\n");
  const char *previous_key = NULL;
  gboolean first = TRUE;

  json_key (out, 2, "version", TRUE);
  g_string_append_printf (out, "%d", PH_CLI_JSON_VERSION);
  json_key (out, 2, "generator", FALSE);
  ph_cli_json_string (out, PACKAGE_NAME " " PACKAGE_VERSION);
  json_key (out, 2, "source", FALSE);
  ph_cli_json_string (out, source);

  json_key (out, 2, "groups", FALSE);
  g_string_append (out, "[");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) service = g_list_model_get_item (model, i);
      const char *key = ph_service_get_group_key (service);

      if (previous_key != NULL && g_strcmp0 (previous_key, key) == 0)
        continue;
      previous_key = ph_service_get_group_key (service);

      g_string_append (out, first ? "\n    {\n" : ",\n    {\n");
      first = FALSE;
      json_key (out, 6, "key", TRUE);
      ph_cli_json_string (out, key);
      json_key (out, 6, "name", FALSE);
      ph_cli_json_string (out, ph_service_get_group_name (service));
      json_key (out, 6, "subtitle", FALSE);
      ph_cli_json_string (out, ph_service_get_group_subtitle (service));
      json_key (out, 6, "kind", FALSE);
      ph_cli_json_string (out, ph_app_kind_to_string (ph_service_get_group_kind (service)));
      json_key (out, 6, "icon", FALSE);
      ph_cli_json_string (out, ph_service_get_group_icon (service));
      g_string_append (out, "\n    }");
    }
  g_string_append (out, first ? "]" : "\n  ]");

  json_key (out, 2, "services", FALSE);
  g_string_append (out, n == 0 ? "[]" : "[\n");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) service = g_list_model_get_item (model, i);

      if (i > 0)
        g_string_append (out, ",\n");
      json_service (out, service);
    }
  if (n > 0)
    g_string_append (out, "\n  ]");

  /* Published ports no program holds (JSON.md, "forwarded") */
  json_key (out, 2, "forwarded", FALSE);
  {
    g_autoptr(GArray) forwarded = ph_cli_list_forwarded (list);

    g_string_append (out, forwarded->len == 0 ? "[]" : "[");
    for (guint i = 0; i < forwarded->len; i++)
      {
        const PhForwardedPort *f = &g_array_index (forwarded, PhForwardedPort, i);
        PhContainer *c = f->container;

        g_string_append (out, i == 0 ? "\n    {\n" : ",\n    {\n");
        json_key (out, 6, "address", TRUE);
        ph_cli_json_string (out, f->port->host_ip != NULL && *f->port->host_ip
                                 ? f->port->host_ip : "0.0.0.0");
        json_key (out, 6, "port", FALSE);
        g_string_append_printf (out, "%u", f->port->host_port);
        json_key (out, 6, "protocol", FALSE);
        ph_cli_json_string (out, f->port->protocol);
        json_key (out, 6, "container_port", FALSE);
        g_string_append_printf (out, "%u", f->port->container_port);
        json_key (out, 6, "name", FALSE);
        ph_cli_json_string (out, ph_container_get_name (c));
        json_key (out, 6, "id", FALSE);
        ph_cli_json_string (out, ph_container_get_id (c));
        json_key (out, 6, "image", FALSE);
        ph_cli_json_string (out, ph_container_get_image (c));
        json_key (out, 6, "engine", FALSE);
        ph_cli_json_string (out, ph_container_get_engine_command (c));
        json_key (out, 6, "rootless", FALSE);
        g_string_append (out, ph_container_get_rootless (c) ? "true" : "false");
        json_key (out, 6, "note", FALSE);
        ph_cli_json_string (out, ph_containers_forwarded_note ());
        g_string_append (out, "\n    }");
      }
    if (forwarded->len > 0)
      g_string_append (out, "\n  ]");
  }
  g_string_append (out, "\n}\n");

  return g_string_free (out, FALSE);
}

/* ---- porthole --list ------------------------------------------------------------------ */

int
ph_cli_list (gboolean json)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *source = NULL;
  g_autofree char *text = NULL;

  if (!ph_cli_list_scan (list, &source, &error))
    {
      g_printerr ("porthole: %s\n", error->message);
      return 1;
    }

  if (json)
    text = ph_cli_list_format_json (list, source);
  else
    text = ph_cli_list_format_table (list, isatty (STDOUT_FILENO) &&
                                           g_getenv ("NO_COLOR") == NULL);

  /* not g_print (): JSON is UTF-8 whatever the locale's charset */
  fputs (text, stdout);
  fflush (stdout);
  return 0;
}
