/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-containers-engine.c — the engines' API on their Unix sockets (libsoup, or the helper's
 * relay in the Flatpak): list, inspect, stop */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-app-identity.h"
#include "ph-containers-private.h"
#include "ph-json.h"

/* An API answer is small; a bigger one is not an engine's. */
#define MAX_ANSWER (8 * 1024 * 1024)
#define REQUEST_TIMEOUT_S 5

/* ---- the sockets -------------------------------------------------------------------- */

typedef struct
{
  const char        *name;      /* a path, or one under $XDG_RUNTIME_DIR when user */
  PhContainerEngine  engine;
  gboolean           user;
} SocketSpec;

static const SocketSpec socket_specs[] = {
  { "/run/docker.sock", PH_CONTAINER_ENGINE_DOCKER, FALSE },
  { "/run/podman/podman.sock", PH_CONTAINER_ENGINE_PODMAN, FALSE },
  { "podman/podman.sock", PH_CONTAINER_ENGINE_PODMAN, TRUE },
  { "docker.sock", PH_CONTAINER_ENGINE_DOCKER, TRUE },
};

static char *
spec_path (const SocketSpec *spec)
{
  const char *runtime;

  if (!spec->user)
    return g_strdup (spec->name);
  runtime = g_getenv ("XDG_RUNTIME_DIR");
  if (runtime == NULL || *runtime == '\0')
    return NULL;
  return g_build_filename (runtime, spec->name, NULL);
}

char **
ph_containers_dup_socket_paths (void)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (socket_specs); i++)
    {
      g_autofree char *path = spec_path (&socket_specs[i]);

      if (path != NULL)
        g_strv_builder_add (b, path);
    }
  return g_strv_builder_end (b);
}

/* Inside the Flatpak, the helper on the host that asks the engines for us (flatpak/README.md);
 * natively NULL. PORTHOLE_CONTAINERS_RELAY=1 makes a native run go through the helper
 * too, so the relay is tested outside a Flatpak. */
PhHelperClient *
ph_containers_relay_client (void)
{
  g_autoptr(PhHelperClient) client = NULL;
  gboolean forced = g_strcmp0 (g_getenv ("PORTHOLE_CONTAINERS_RELAY"), "1") == 0;

  if (!forced && !g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    return NULL;
  client = ph_helper_client_new (FALSE, NULL);
  if (client == NULL ||
      (!forced && ph_helper_client_get_mode (client) != PH_HELPER_MODE_FLATPAK))
    return NULL;
  return g_steal_pointer (&client);
}

gboolean
ph_containers_any_socket (void)
{
  g_autoptr(PhHelperClient) relay = ph_containers_relay_client ();
  g_auto(GStrv) paths = NULL;

  /* The sockets are out of sight: the helper on the host will say. */
  if (relay != NULL)
    return TRUE;
  paths = ph_containers_dup_socket_paths ();

  for (guint i = 0; paths[i] != NULL; i++)
    if (g_file_test (paths[i], G_FILE_TEST_EXISTS))
      return TRUE;
  return FALSE;
}

static SoupSession *
session_for (const char *path)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);

  return soup_session_new_with_options ("remote-connectable", address,
                                        "timeout", REQUEST_TIMEOUT_S,
                                        "user-agent", "Porthole",
                                        NULL);
}

/* An engine's answer (libsoup's body, or the one the helper relayed) as JSON: NULL when
 * it is empty, an error when it is too large to be an engine's. */
static GVariant *
parse_answer (const char  *data,
              gsize        size,
              GError     **error)
{
  if (size > MAX_ANSWER)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "The answer is too large");
      return NULL;
    }
  if (size == 0)
    return NULL;
  return ph_json_parse (data != NULL ? data : "", size, error);
}

/* One request; the answer's JSON (NULL for an empty body), the status in @status. */
static GVariant *
request (SoupSession   *session,
         const char    *method,
         const char    *path_and_query,
         guint         *status,
         gboolean      *is_podman,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autofree char *uri = g_strconcat ("http://localhost", path_and_query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) body = NULL;
  gsize size;
  const char *data;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad request path %s",
                   path_and_query);
      return NULL;
    }
  body = soup_session_send_and_read (session, msg, cancellable, error);
  if (body == NULL)
    return NULL;
  *status = soup_message_get_status (msg);
  if (is_podman != NULL)
    *is_podman = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                               "Libpod-Api-Version") != NULL;
  data = g_bytes_get_data (body, &size);
  return parse_answer (data, size, error);
}

/* How one engine socket is asked: libsoup on the socket, or the helper on the host. */
typedef struct
{
  const char     *path;
  SoupSession    *session;  /* NULL when relayed */
  PhHelperClient *relay;    /* NULL when asked directly */
} Engine;

typedef enum
{
  ASK_LIST,     /* GET /containers/json */
  ASK_INSPECT,  /* GET /containers/ID/json */
  ASK_STOP,     /* POST /containers/ID/stop?t=SECONDS */
} Ask;

static void
engine_init (Engine         *engine,
             const char     *path,
             PhHelperClient *relay)
{
  engine->path = path;
  engine->relay = relay != NULL ? g_object_ref (relay) : NULL;
  engine->session = relay == NULL ? session_for (path) : NULL;
}

static void
engine_clear (Engine *engine)
{
  g_clear_object (&engine->session);
  g_clear_object (&engine->relay);
}

/* The helper's RESULT for `engine PATH …`, read as request() reads libsoup's answer. */
static GVariant *
ask_relayed (Engine              *engine,
             const char * const  *args,
             guint               *status,
             gboolean            *is_podman,
             GCancellable        *cancellable,
             GError             **error)
{
  g_autoptr(GBytes) out = NULL;
  g_autoptr(PhRecord) result = NULL;
  g_autoptr(GBytes) body = NULL;
  const char *data;
  gsize size;
  gsize body_size;

  /* @cancellable is cancelled from the main thread, and this runs in a worker: not handed
   * to the helper's run, whose synchronous GSubprocess communication, cancelled from
   * another thread, corrupted the heap (glibc: "unaligned tcache chunk detected" as the
   * worker ended; tests/test-containers-cancel.c). A cancelled query lets the helper it
   * started end (the helper's own engine request times out) and starts no other. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  out = ph_helper_client_run (engine->relay, args, PH_HELPER_RUN_NONE, NULL, NULL, error);
  if (out == NULL)
    return NULL;
  data = g_bytes_get_data (out, &size);
  for (gsize at = 0; at < size && result == NULL;)
    {
      const char *nl = memchr (data + at, '\n', size - at);
      gsize len = nl != NULL ? (gsize) (nl - (data + at)) : size - at;
      g_autoptr(PhRecord) record = ph_record_parse (data + at, len, NULL);

      if (record != NULL && ph_record_get_kind (record) == PH_RECORD_RESULT)
        result = g_steal_pointer (&record);
      at += len + 1;
    }
  if (result == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s: the helper gave no answer from the engine", engine->path);
      return NULL;
    }
  if (ph_record_has (result, PH_KEY_ERRNO))
    {
      int err = (int) ph_record_get_uint64_or (result, PH_KEY_ERRNO, EIO);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err), "%s: %s", engine->path,
                   g_strerror (err));
      return NULL;
    }
  *status = (guint) ph_record_get_uint64_or (result, PH_KEY_STATUS, 0);
  if (is_podman != NULL)
    *is_podman = ph_record_get_uint64_or (result, PH_KEY_PODMAN, 0) == 1;
  body = ph_record_dup_bytes (result, PH_KEY_BODY);
  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &body_size);
  return parse_answer (data, body_size, error);
}

/* One of the three requests Porthole makes of an engine (and the helper relays). */
static GVariant *
ask (Engine        *engine,
     Ask            what,
     const char    *id,
     guint          timeout_s,
     guint         *status,
     gboolean      *is_podman,
     GCancellable  *cancellable,
     GError       **error)
{
  g_autofree char *escaped = id != NULL ? g_uri_escape_string (id, NULL, FALSE) : NULL;
  g_autofree char *path = NULL;
  g_autofree char *seconds = g_strdup_printf ("%u", timeout_s);

  if (engine->relay != NULL)
    {
      const char *list[] = { PH_VERB_ENGINE, engine->path, "list", NULL };
      const char *inspect[] = { PH_VERB_ENGINE, engine->path, "inspect", id, NULL };
      const char *stop[] = { PH_VERB_ENGINE, engine->path, "stop", id, seconds, NULL };

      return ask_relayed (engine, what == ASK_LIST ? list : what == ASK_INSPECT ? inspect : stop,
                          status, is_podman, cancellable, error);
    }
  switch (what)
    {
    case ASK_LIST:
      return request (engine->session, "GET", "/containers/json", status, is_podman,
                      cancellable, error);
    case ASK_INSPECT:
      path = g_strdup_printf ("/containers/%s/json", escaped);
      return request (engine->session, "GET", path, status, is_podman, cancellable, error);
    case ASK_STOP:
    default:
      path = g_strdup_printf ("/containers/%s/stop?t=%u", escaped, timeout_s);
      return request (engine->session, "POST", path, status, is_podman, cancellable, error);
    }
}

static PhContainer *
container_from_json (GVariant          *item,
                     const char        *socket,
                     PhContainerEngine  engine,
                     gboolean           rootless)
{
  g_autoptr(PhContainer) c = g_object_new (PH_TYPE_CONTAINER, NULL);
  g_autoptr(GVariant) names = ph_json_member (item, "Names");
  g_autoptr(GVariant) ports = ph_json_member (item, "Ports");
  const char *id = ph_json_get_string (item, "Id");

  if (id == NULL || *id == '\0')
    return NULL;
  c->id = g_strdup (id);
  if (names != NULL && g_variant_is_of_type (names, G_VARIANT_TYPE ("av")) &&
      g_variant_n_children (names) > 0)
    {
      g_autoptr(GVariant) first = g_variant_get_child_value (names, 0);
      g_autoptr(GVariant) name = g_variant_get_variant (first);

      if (g_variant_is_of_type (name, G_VARIANT_TYPE_STRING))
        {
          const char *n = g_variant_get_string (name, NULL);

          c->name = g_strdup (n[0] == '/' ? n + 1 : n);
        }
    }
  if (c->name == NULL || *c->name == '\0')
    {
      g_free (c->name);
      c->name = ph_container_short_id (c->id);
    }
  c->image = g_strdup (ph_json_get_string (item, "Image"));
  c->state = g_strdup (ph_json_get_string (item, "State"));
  c->socket = g_strdup (socket);
  c->engine = engine;
  c->rootless = rootless;
  if (ports != NULL && g_variant_is_of_type (ports, G_VARIANT_TYPE ("av")))
    {
      for (gsize i = 0; i < g_variant_n_children (ports); i++)
        {
          g_autoptr(GVariant) boxed = g_variant_get_child_value (ports, i);
          g_autoptr(GVariant) port = g_variant_get_variant (boxed);
          gint64 public_port = ph_json_get_int (port, "PublicPort", 0);
          gint64 private_port = ph_json_get_int (port, "PrivatePort", 0);

          /* Exposed but not published: no host port. */
          if (public_port <= 0 || public_port > 65535 || private_port < 0 || private_port > 65535)
            continue;
          ph_container_add_port (c, ph_json_get_string (port, "IP"), (guint) public_port,
                                 (guint) private_port, ph_json_get_string (port, "Type"));
        }
    }
  return g_steal_pointer (&c);
}

static void
list_socket (PhContainerSnapshot *snapshot,
             const char          *path,
             PhContainerEngine    engine,
             gboolean             rootless,
             PhHelperClient      *relay,
             GCancellable        *cancellable)
{
  SocketState *state = g_new0 (SocketState, 1);
  Engine asker;
  g_autoptr(GVariant) answer = NULL;
  gboolean is_podman = FALSE;
  guint status = 0;
  struct stat st;

  state->path = g_strdup (path);
  state->engine = engine;
  state->rootless = rootless;
  g_ptr_array_add (snapshot->sockets, state);

  if (relay == NULL && stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (&state->error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return;
    }
  /* Everyone may connect to a socket root can; Porthole run as root still tells them apart. */
  if (relay == NULL && getuid () != 0 && access (path, R_OK | W_OK) != 0)
    {
      g_set_error (&state->error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s: %s", path,
                   g_strerror (EACCES));
      return;
    }
  engine_init (&asker, path, relay);
  answer = ask (&asker, ASK_LIST, NULL, 0, &status, &is_podman, cancellable, &state->error);
  engine_clear (&asker);
  if (state->error != NULL)
    return;
  if (status != SOUP_STATUS_OK || answer == NULL ||
      !g_variant_is_of_type (answer, G_VARIANT_TYPE ("av")))
    {
      g_set_error (&state->error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s answered GET /containers/json with status %u", path, status);
      return;
    }
  if (is_podman)
    state->engine = engine = PH_CONTAINER_ENGINE_PODMAN;
  for (gsize i = 0; i < g_variant_n_children (answer); i++)
    {
      g_autoptr(GVariant) boxed = g_variant_get_child_value (answer, i);
      g_autoptr(GVariant) item = g_variant_get_variant (boxed);
      PhContainer *c = container_from_json (item, path, engine, rootless);

      if (c != NULL)
        g_ptr_array_add (snapshot->containers, c);
    }
}

PhContainerSnapshot *
ph_containers_query_sync (GCancellable *cancellable)
{
  g_autoptr(PhContainerSnapshot) snapshot = g_object_new (PH_TYPE_CONTAINER_SNAPSHOT, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(PhHelperClient) relay = ph_containers_relay_client ();

  for (gsize i = 0; i < G_N_ELEMENTS (socket_specs); i++)
    {
      g_autofree char *path = spec_path (&socket_specs[i]);
      gboolean rootless = socket_specs[i].user && getuid () != 0;

      if (path == NULL || !g_hash_table_add (seen, g_strdup (path)))
        continue;
      list_socket (snapshot, path, socket_specs[i].engine, rootless, relay, cancellable);
    }
  return g_steal_pointer (&snapshot);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_task_return_pointer (task, ph_containers_query_sync (cancellable), g_object_unref);
}

/**
 * ph_containers_query_async:
 *
 * Lists the containers of every engine socket that exists (ph_containers_dup_socket_paths)
 * in a worker thread. It never fails: a socket that cannot be asked is recorded in the
 * snapshot (ph_container_snapshot_get_socket_error).
 */
void
ph_containers_query_async (GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ph_containers_query_async);
  g_task_set_name (task, "[porthole] list containers");
  g_task_run_in_thread (task, query_thread);
}

PhContainerSnapshot *
ph_containers_query_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- stopping ----------------------------------------------------------------------- */

void
ph_container_stop_result_free (PhContainerStopResult *result)
{
  if (result == NULL)
    return;
  g_free (result->restart_policy);
  g_free (result);
}

typedef struct
{
  char  *socket;
  char  *id;
  guint  timeout_s;
} StopOp;

static void
stop_op_free (gpointer data)
{
  StopOp *op = data;

  g_free (op->socket);
  g_free (op->id);
  g_free (op);
}

static void
stop_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  StopOp *op = task_data;
  g_autoptr(PhHelperClient) relay = ph_containers_relay_client ();
  g_autoptr(PhContainerStopResult) result = g_new0 (PhContainerStopResult, 1);
  g_autoptr(GVariant) answer = NULL;
  g_autoptr(GVariant) inspect = NULL;
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GVariant) host_config = NULL;
  g_autoptr(GVariant) policy = NULL;
  GError *error = NULL;
  gboolean running = FALSE;
  guint status = 0;
  Engine asker;

  engine_init (&asker, op->socket, relay);
  answer = ask (&asker, ASK_STOP, op->id, op->timeout_s, &status, NULL, cancellable, &error);
  if (error != NULL)
    {
      engine_clear (&asker);
      g_task_return_error (task, error);
      return;
    }
  if (status == SOUP_STATUS_NOT_FOUND)
    {
      engine_clear (&asker);
      result->outcome = PH_CONTAINER_STOP_NOT_FOUND;
      g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify) ph_container_stop_result_free);
      return;
    }
  if (status != SOUP_STATUS_NO_CONTENT && status != SOUP_STATUS_NOT_MODIFIED)
    {
      const char *message = ph_json_get_string (answer, "message");

      engine_clear (&asker);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The container engine refused to stop the container (HTTP %u: %s)."),
                               status, message != NULL ? message : "");
      return;
    }

  /* Did a restart policy bring it back? */
  inspect = ask (&asker, ASK_INSPECT, op->id, 0, &status, NULL, cancellable, &error);
  engine_clear (&asker);
  if (error != NULL || status != SOUP_STATUS_OK)
    {
      g_clear_error (&error);
      result->outcome = PH_CONTAINER_STOP_STOPPED;
      g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify) ph_container_stop_result_free);
      return;
    }
  state = ph_json_member (inspect, "State");
  if (state != NULL)
    g_variant_lookup (state, "Running", "b", &running);
  host_config = ph_json_member (inspect, "HostConfig");
  policy = ph_json_member (host_config, "RestartPolicy");
  if (ph_json_get_string (policy, "Name") != NULL && *ph_json_get_string (policy, "Name") != '\0' &&
      g_strcmp0 (ph_json_get_string (policy, "Name"), "no") != 0)
    result->restart_policy = g_strdup (ph_json_get_string (policy, "Name"));
  result->outcome = running ? PH_CONTAINER_STOP_RESTARTED : PH_CONTAINER_STOP_STOPPED;
  g_task_return_pointer (task, g_steal_pointer (&result), (GDestroyNotify) ph_container_stop_result_free);
}

/**
 * ph_container_stop_async:
 * @timeout_s: seconds the engine waits after its stop signal before it kills
 *
 * POST /containers/{id}/stop on the socket that listed @self, then inspects it to tell a
 * stopped container from one a restart policy started again. A guessed container (no
 * socket) fails with G_IO_ERROR_NOT_SUPPORTED.
 */
void
ph_container_stop_async (PhContainer         *self,
                         guint                timeout_s,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StopOp *op;

  g_return_if_fail (PH_IS_CONTAINER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ph_container_stop_async);
  g_task_set_name (task, "[porthole] stop container");
  if (self->socket == NULL || self->guessed || self->id == NULL || *self->id == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                               self->access_hint != NULL ? self->access_hint
                               : _("Porthole cannot reach this container’s engine."));
      return;
    }
  op = g_new0 (StopOp, 1);
  op->socket = g_strdup (self->socket);
  op->id = g_strdup (self->id);
  op->timeout_s = timeout_s;
  g_task_set_task_data (task, op, stop_op_free);
  g_task_run_in_thread (task, stop_thread);
}

PhContainerStopResult *
ph_container_stop_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ph_container_stop_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

