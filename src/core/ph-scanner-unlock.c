/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner-unlock.c — Unlock: the helper started through pkexec beside the running one,
 * adopted at its HELLO as root */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "porthole-scanner"

#include "config.h"

#include <glib/gi18n.h>

#include "ph-helper-client.h"
#include "ph-scanner-private.h"

/* One Unlock: the elevated helper started beside the running one, until its HELLO. */
typedef struct
{
  PhHelperClient   *client;
  GSubprocess      *subprocess;
  GDataInputStream *stdout_stream;
} Unlock;

static void
unlock_free (Unlock *unlock)
{
  if (unlock->subprocess != NULL)
    g_subprocess_force_exit (unlock->subprocess);
  g_clear_object (&unlock->subprocess);
  g_clear_object (&unlock->stdout_stream);
  g_clear_object (&unlock->client);
  g_free (unlock);
}

static void
unlock_wait_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlock *unlock = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* pkexec's 126 and 127 become DISMISSED and NOT_AUTHORIZED, with their messages. */
  g_task_return_error (task, ph_helper_client_exit_error (unlock->client, unlock->subprocess,
                                                          NULL));
}

static void
unlock_line_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlock *unlock = g_task_get_task_data (task);
  PhScanner *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PhRecord) hello = NULL;
  g_autofree char *line = NULL;
  guint64 euid = G_MAXUINT64;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (object), result, &len,
                                               &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (line == NULL)
    {
      /* Nothing written: pkexec refused, or the helper failed. Its exit says which. */
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_subprocess_wait_async (unlock->subprocess, cancellable, unlock_wait_cb,
                               g_steal_pointer (&task));
      return;
    }

  hello = ph_record_parse (line, (gssize) len, &error);
  if (hello == NULL || !ph_helper_client_check_hello (hello, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_ascii_string_to_unsigned (ph_record_get (hello, PH_KEY_EUID, NULL), 10, 0, G_MAXUINT32,
                              &euid, NULL);
  if (euid != 0)
    {
      g_task_return_new_error (task, PH_HELPER_ERROR, PH_HELPER_ERROR_NOT_AUTHORIZED,
                               _("The scanner did not get the administrator’s rights, so "
                                 "the owners stay hidden."));
      return;
    }

  /* Root: this helper replaces the unprivileged one; its first list replaces the list. */
  ph_scanner_set_elevated (self, TRUE);
  if (self->state == PH_SCANNER_STATE_STOPPED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_clear_handle_id (&self->retry_source, g_source_remove);
  ph_scanner_end_run (self);
  self->cancellable = g_cancellable_new ();
  self->client = g_steal_pointer (&unlock->client);
  ph_scanner_set_state (self, PH_SCANNER_STATE_STARTING, NULL);
  self->hello_seen = TRUE;
  ph_scanner_set_source (self, ph_record_get (hello, PH_KEY_SOURCE, NULL));
  ph_scanner_adopt_subprocess (self, g_steal_pointer (&unlock->subprocess),
                               g_steal_pointer (&unlock->stdout_stream));
  g_task_return_boolean (task, TRUE);
}

static void
unlock_spawn_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Unlock *unlock = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  unlock->subprocess = ph_helper_client_spawn_finish (PH_HELPER_CLIENT (object), result,
                                                      &error);
  if (unlock->subprocess == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The HELLO comes once polkit said yes (and any password was typed). */
  unlock->stdout_stream = ph_scanner_new_stdout_stream (unlock->subprocess);
  g_data_input_stream_read_line_async (unlock->stdout_stream, G_PRIORITY_DEFAULT, cancellable,
                                       unlock_line_cb, g_steal_pointer (&task));
}

static void
on_unlock_completed (GTask      *task,
                     GParamSpec *pspec,
                     PhScanner  *self)
{
  self->unlocking = FALSE;
}

/**
 * ph_scanner_unlock_async:
 *
 * Starts the helper through pkexec beside the running one, so polkit decides whether
 * and how to ask (one dialog); once it says HELLO as root, it replaces the unprivileged
 * helper and every user's processes are seen. When the dialog is dismissed or the
 * permission refused, the unprivileged helper goes on as before and the error says why.
 */
void
ph_scanner_unlock_async (PhScanner           *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  Unlock *unlock;

  g_return_if_fail (PH_IS_SCANNER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ph_scanner_unlock_async);

  if (self->elevated)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->unlocking)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("Porthole is already asking for permission."));
      return;
    }

  unlock = g_new0 (Unlock, 1);
  g_task_set_task_data (task, unlock, (GDestroyNotify) unlock_free);
  unlock->client = ph_helper_client_new (TRUE, &error);
  if (unlock->client == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->unlocking = TRUE;
  g_signal_connect (task, "notify::completed", G_CALLBACK (on_unlock_completed), self);
  args = ph_scanner_watch_args (self);
  ph_helper_client_spawn_async (unlock->client, (const char * const *) args,
                                G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                cancellable, unlock_spawn_cb, g_steal_pointer (&task));
}

gboolean
ph_scanner_unlock_finish (PhScanner     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Whether the helper runs as root (after Unlock). */
gboolean
ph_scanner_get_elevated (PhScanner *self)
{
  g_return_val_if_fail (PH_IS_SCANNER (self), FALSE);
  return self->elevated;
}
