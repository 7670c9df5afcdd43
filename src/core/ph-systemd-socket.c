/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-systemd-socket.c — the .socket unit whose Listen= names a port */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-systemd-private.h"

/* --- the .socket unit behind a port ----------------------------------------------------- */

gboolean
ph_systemd_is_wildcard (const char *host)
{
  return host == NULL || *host == '\0' || g_str_equal (host, "*") ||
         g_str_equal (host, "0.0.0.0") || g_str_equal (host, "::");
}

/* Does a Listen= entry such as ("Stream", "127.0.0.1:18203"), ("Stream", "[::]:80") or
 * ("Datagram", "5353") name this port? A bare port listens on every address. */
static gboolean
listen_matches (const char *type,
                const char *listen,
                const char *protocol,
                const char *address,
                guint       port)
{
  const char *want_type = g_strcmp0 (protocol, "udp") == 0 ? "Datagram" : "Stream";
  g_autofree char *host = NULL;
  const char *colon;
  guint64 listen_port;
  char *end = NULL;

  if (g_strcmp0 (type, want_type) != 0 || listen == NULL || listen[0] == '/' ||
      listen[0] == '@')
    return FALSE;

  colon = strrchr (listen, ':');
  if (colon == NULL)
    {
      host = NULL;
      listen_port = g_ascii_strtoull (listen, &end, 10);
    }
  else
    {
      if (listen[0] == '[' && colon > listen && colon[-1] == ']')
        host = g_strndup (listen + 1, (gsize) (colon - listen - 2));
      else
        host = g_strndup (listen, (gsize) (colon - listen));
      listen_port = g_ascii_strtoull (colon + 1, &end, 10);
    }
  if (end == NULL || *end != '\0' || listen_port != port)
    return FALSE;
  if (host != NULL)
    {
      char *percent = strchr (host, '%');   /* fe80::1%eth0 */

      if (percent != NULL)
        *percent = '\0';
    }
  /* A wildcard listener is reported at the wildcard; a specific one at its address. */
  return ph_systemd_is_wildcard (host) ? ph_systemd_is_wildcard (address) || address == NULL
                            : g_strcmp0 (host, address) == 0;
}

PhSystemdUnit *
ph_systemd_find_socket_sync (GDBusConnection  *bus,
                             PhSystemdScope    scope,
                             const char       *protocol,
                             const char       *address,
                             guint             port,
                             GCancellable     *cancellable,
                             GError          **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autofree char *found = NULL;
  gboolean found_active = FALSE;
  const char *name, *active, *path;
  const char *states[] = { NULL };
  const char *patterns[] = { "*.socket", NULL };

  reply = ph_systemd_call (bus, SD_PATH, SD_MANAGER, "ListUnitsByPatterns",
                           g_variant_new ("(^as^as)", states, patterns), "(a(ssssssouso))",
                           G_DBUS_CALL_FLAGS_NONE, -1, cancellable, &local);
  if (reply == NULL)
    {
      ph_systemd_set_call_error (error, local, "*.socket");
      return NULL;
    }

  g_variant_get (reply, "(a(ssssssouso))", &iter);
  while (g_variant_iter_loop (iter, "(&s&s&s&s&s&s&ou&s&o)", &name, NULL, NULL, &active, NULL,
                              NULL, &path, NULL, NULL, NULL))
    {
      g_autoptr(GVariant) prop = NULL;
      g_autoptr(GVariant) listen = NULL;
      g_autoptr(GVariantIter) entries = NULL;
      const char *type, *where;
      gboolean matches = FALSE;

      prop = ph_systemd_call (bus, path, DBUS_PROPERTIES, "Get",
                              g_variant_new ("(ss)", SD_SOCKET, "Listen"), "(v)",
                              G_DBUS_CALL_FLAGS_NONE, -1, cancellable, NULL);
      if (prop == NULL)
        continue;
      g_variant_get (prop, "(v)", &listen);
      if (!g_variant_is_of_type (listen, G_VARIANT_TYPE ("a(ss)")))
        continue;
      g_variant_get (listen, "a(ss)", &entries);
      while (g_variant_iter_next (entries, "(&s&s)", &type, &where))
        if (listen_matches (type, where, protocol, address, port))
          matches = TRUE;
      /* An active one wins over one that merely names the same port. */
      if (matches && (found == NULL || (!found_active && g_str_equal (active, "active"))))
        {
          g_free (found);
          found = g_strdup (name);
          found_active = g_str_equal (active, "active");
        }
    }

  if (found == NULL)
    {
      g_set_error (error, PH_SYSTEMD_ERROR, PH_SYSTEMD_ERROR_NO_UNIT,
                   _("No systemd socket unit listens on port %u."), port);
      return NULL;
    }
  return ph_systemd_read_unit (bus, scope, found, cancellable, error);
}

static PhSystemdUnit *
query_socket (GDBusConnection  *bus,
              PhSystemdOp      *op,
              GCancellable     *cancellable,
              GError          **error)
{
  return ph_systemd_find_socket_sync (bus, op->scope, op->protocol, op->address, op->port,
                                      cancellable, error);
}

void
ph_systemd_find_socket_async (PhSystemdScope       scope,
                              const char          *protocol,
                              const char          *address,
                              guint                port,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PhSystemdOp *op = ph_systemd_op_new (scope, protocol, address, port);

  op->query = query_socket;
  ph_systemd_op_run (op, ph_systemd_find_socket_async, ph_systemd_unit_query_thread, cancellable,
                     callback, user_data);
}

PhSystemdUnit *
ph_systemd_find_socket_finish (GAsyncResult  *result,
                               GError       **error)
{
  return ph_systemd_op_finish (result, ph_systemd_find_socket_async, error);
}
