/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-port-suggest.c — the nearest free port no common developer tool uses, checked by binding */
#include "config.h"

#include <glib/gi18n.h>

#include "ph-port-info.h"
#include "ph-port-suggest.h"

/* The first port a user's program may listen on without privileges (by default). */
#define SUGGEST_FIRST_UNPRIVILEGED 1024

/* Whether @port is a good one to suggest: unprivileged, outside the kernel's ephemeral
 * range (unless @near is in it), not in data/ports-common.ini for TCP or UDP, and free on
 * every address by a real bind. */
static gboolean
is_suggestible (guint               port,
                guint               near,
                const PhPortRange  *ephemeral)
{
  if (port < SUGGEST_FIRST_UNPRIVILEGED || port > 65535)
    return FALSE;
  if (ephemeral != NULL && ph_port_range_contains (ephemeral, port) &&
      !ph_port_range_contains (ephemeral, near))
    return FALSE;
  if (ph_common_port_lookup (port, PH_PORT_PROTOCOL_TCP) != NULL ||
      ph_common_port_lookup (port, PH_PORT_PROTOCOL_UDP) != NULL)
    return FALSE;
  return ph_port_check (NULL, port, PH_PORT_PROTOCOL_TCP, NULL) == PH_PORT_STATUS_FREE;
}

/**
 * ph_port_suggest:
 * @near: the port the user wanted
 *
 * Looks outwards from @near (@near, @near + 1, @near - 1, @near + 2, …) for a port
 * is_suggestible() accepts. Each candidate is bound and closed at once; `porthole
 * --suggest` and the window's "Suggest a Free Port" both ask here.
 *
 * Returns: the port, or 0 when there is none
 */
guint
ph_port_suggest (guint near)
{
  PhPortRange ephemeral;
  gboolean have_range = ph_port_range_get_ephemeral (&ephemeral);

  for (guint distance = 0; distance <= 65535; distance++)
    {
      if (near + distance <= 65535 &&
          is_suggestible (near + distance, near, have_range ? &ephemeral : NULL))
        return near + distance;
      if (distance > 0 && distance < near &&
          is_suggestible (near - distance, near, have_range ? &ephemeral : NULL))
        return near - distance;
      if (near + distance > 65535 && distance >= near)
        break;
    }
  return 0;
}

static void
suggest_in_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  guint port = ph_port_suggest (GPOINTER_TO_UINT (task_data));

  if (port == 0)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                             _("No free port was found."));
  else
    g_task_return_int (task, port);
}

/* ph_port_suggest() in a worker thread: a long search binds many sockets. */
void
ph_port_suggest_async (guint                near,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ph_port_suggest_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (near), NULL);
  g_task_run_in_thread (task, suggest_in_thread);
}

guint
ph_port_suggest_finish (GAsyncResult  *result,
                        GError       **error)
{
  gssize port;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);

  port = g_task_propagate_int (G_TASK (result), error);
  return port > 0 ? (guint) port : 0;
}
