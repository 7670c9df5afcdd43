/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-containers.c — Podman's and Docker's containers, asked of their APIs, and the ports they publish
 *
 * A published port's host socket belongs to a helper of the engine, not to the server in
 * the container: conmon (rootful Podman: a reservation socket; traffic goes by nftables
 * DNAT), pasta, rootlessport or slirp4netns (rootless Podman), docker-proxy (Docker with
 * its userland proxy) or dockerd itself (without it). Signalling any of them is wrong, so
 * the port is listed under the container and freed by stopping it through the engine's
 * API. Both engines answer the Docker-compatible API (GET /containers/json, POST
 * /containers/{id}/stop) on a Unix socket; libsoup speaks the HTTP. Each operation is one
 * GTask run in a worker thread with its own SoupSession, so the main thread never waits.
 * When a socket cannot be reached, ph_containers_guess() names the container from the
 * helper process's arguments (conmon's -n NAME) and says how to give Porthole access.
 * Inside the Flatpak the sockets are not in the sandbox: the helper on the host makes the
 * same three requests (`porthole-helper engine`, flatpak/README.md) and passes the answers
 * on, which are read here exactly as libsoup's.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-address.h"
#include "ph-app-identity.h"
#include "ph-containers.h"
#include "ph-helper-client.h"
#include "ph-json.h"

/* An API answer is small; a bigger one is not an engine's. */
#define MAX_ANSWER (8 * 1024 * 1024)
#define REQUEST_TIMEOUT_S 5

struct _PhContainer
{
  GObject            parent_instance;
  char              *id;
  char              *name;
  char              *image;
  char              *state;
  char              *socket;
  char              *access_hint;
  PhContainerEngine  engine;
  gboolean           rootless;
  gboolean           guessed;
  GArray            *ports;
};

G_DEFINE_FINAL_TYPE (PhContainer, ph_container, G_TYPE_OBJECT)

static void
container_port_clear (gpointer data)
{
  PhContainerPort *port = data;

  g_free (port->host_ip);
  g_free (port->protocol);
}

static void
ph_container_finalize (GObject *object)
{
  PhContainer *self = PH_CONTAINER (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->image);
  g_free (self->state);
  g_free (self->socket);
  g_free (self->access_hint);
  g_array_unref (self->ports);
  G_OBJECT_CLASS (ph_container_parent_class)->finalize (object);
}

static void
ph_container_class_init (PhContainerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ph_container_finalize;
}

static void
ph_container_init (PhContainer *self)
{
  self->ports = g_array_new (FALSE, TRUE, sizeof (PhContainerPort));
  g_array_set_clear_func (self->ports, container_port_clear);
}

const char *ph_container_get_id (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), NULL); return self->id; }
const char *ph_container_get_name (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), NULL); return self->name; }
const char *ph_container_get_image (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), NULL); return self->image; }
const char *ph_container_get_state (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), NULL); return self->state; }
const char *ph_container_get_socket (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), NULL); return self->socket; }
const char *ph_container_get_access_hint (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), NULL); return self->access_hint; }
PhContainerEngine ph_container_get_engine (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), 0); return self->engine; }
gboolean ph_container_get_rootless (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), FALSE); return self->rootless; }
gboolean ph_container_get_guessed (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), FALSE); return self->guessed; }
GArray *ph_container_get_ports (PhContainer *self) { g_return_val_if_fail (PH_IS_CONTAINER (self), NULL); return self->ports; }

const char *
ph_container_get_engine_label (PhContainer *self)
{
  g_return_val_if_fail (PH_IS_CONTAINER (self), NULL);

  if (self->engine == PH_CONTAINER_ENGINE_PODMAN)
    return self->rootless ? _("Rootless Podman") : _("Podman");
  return self->rootless ? _("Rootless Docker") : _("Docker");
}

const char *
ph_container_get_kind_label (PhContainer *self)
{
  g_return_val_if_fail (PH_IS_CONTAINER (self), NULL);

  if (self->engine == PH_CONTAINER_ENGINE_PODMAN)
    return self->rootless ? _("Rootless Podman container") : _("Podman container");
  return self->rootless ? _("Rootless Docker container") : _("Docker container");
}

const char *
ph_container_get_engine_command (PhContainer *self)
{
  g_return_val_if_fail (PH_IS_CONTAINER (self), NULL);
  return self->engine == PH_CONTAINER_ENGINE_PODMAN ? "podman" : "docker";
}

const PhContainerPort *
ph_container_find_port (PhContainer *self,
                        const char  *address,
                        guint        port,
                        const char  *protocol)
{
  const PhContainerPort *any = NULL;

  g_return_val_if_fail (PH_IS_CONTAINER (self), NULL);

  for (guint i = 0; i < self->ports->len; i++)
    {
      const PhContainerPort *p = &g_array_index (self->ports, PhContainerPort, i);

      if (p->host_port != port || (protocol != NULL && g_ascii_strcasecmp (p->protocol, protocol) != 0))
        continue;
      if (g_strcmp0 (p->host_ip, address) == 0)
        return p;
      if (any == NULL &&
          (ph_address_text_is_any (p->host_ip) || ph_address_text_is_any (address)))
        any = p;
    }
  return any;
}

gboolean
ph_container_equal (PhContainer *a,
                    PhContainer *b)
{
  g_return_val_if_fail (PH_IS_CONTAINER (a) && PH_IS_CONTAINER (b), FALSE);

  if (a == b)
    return TRUE;
  if (g_strcmp0 (a->id, b->id) != 0 || g_strcmp0 (a->name, b->name) != 0 ||
      g_strcmp0 (a->image, b->image) != 0 || g_strcmp0 (a->state, b->state) != 0 ||
      g_strcmp0 (a->socket, b->socket) != 0 || g_strcmp0 (a->access_hint, b->access_hint) != 0 ||
      a->engine != b->engine || a->rootless != b->rootless || a->guessed != b->guessed ||
      a->ports->len != b->ports->len)
    return FALSE;
  for (guint i = 0; i < a->ports->len; i++)
    {
      const PhContainerPort *p = &g_array_index (a->ports, PhContainerPort, i);
      const PhContainerPort *q = &g_array_index (b->ports, PhContainerPort, i);

      if (g_strcmp0 (p->host_ip, q->host_ip) != 0 || p->host_port != q->host_port ||
          p->container_port != q->container_port || g_strcmp0 (p->protocol, q->protocol) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
add_port (PhContainer *self,
          const char  *host_ip,
          guint        host_port,
          guint        container_port,
          const char  *protocol)
{
  PhContainerPort p = {
    g_strdup (host_ip != NULL ? host_ip : ""), host_port, container_port,
    g_ascii_strdown (protocol != NULL ? protocol : "tcp", -1),
  };

  g_array_append_val (self->ports, p);
}

char *
ph_container_describe_port (PhContainer *self,
                            const char  *address,
                            guint        port,
                            const char  *protocol)
{
  const PhContainerPort *p;
  g_autofree char *host = NULL;

  g_return_val_if_fail (PH_IS_CONTAINER (self), NULL);

  p = ph_container_find_port (self, address, port, protocol);
  if (address != NULL && strchr (address, ':') != NULL)
    host = g_strdup_printf ("[%s]:%u", address, port);
  else
    host = g_strdup_printf ("%s:%u", address != NULL && *address ? address : "*", port);
  if (p != NULL && p->container_port != 0)
    /* Translators: a published port: host address → the container's port, in "name" */
    return g_strdup_printf (_("%s → %u in “%s”"), host, p->container_port, self->name);
  /* Translators: a published port whose port inside the container is not known */
  return g_strdup_printf (_("%s in “%s”"), host, self->name);
}

/* The mark of a published port that no program holds, in the list, the pane and the
 * command line alike. */
const char *
ph_containers_forwarded_note (void)
{
  return _("forwarded by the firewall (no program listens on this computer)");
}

char *
ph_container_dup_forwarded_text (PhContainer *self,
                                 guint        container_port)
{
  g_return_val_if_fail (PH_IS_CONTAINER (self), NULL);

  /* Translators: %1$s is a container, %2$s its engine (Podman, Docker), %3$u the
   * container's own port; %4$s is "forwarded by the firewall (no program listens on this
   * computer)" */
  return g_strdup_printf (_("The container “%1$s” (%2$s) publishes this port to its port "
                            "%3$u: %4$s."),
                          self->name, ph_container_get_engine_label (self), container_port,
                          ph_containers_forwarded_note ());
}

/* ---- the snapshot ------------------------------------------------------------------- */

typedef struct
{
  char              *path;
  PhContainerEngine  engine;
  gboolean           rootless;
  GError            *error;     /* NULL: it answered */
} SocketState;

static void
socket_state_free (gpointer data)
{
  SocketState *s = data;

  g_free (s->path);
  g_clear_error (&s->error);
  g_free (s);
}

struct _PhContainerSnapshot
{
  GObject    parent_instance;
  GPtrArray *containers;
  GPtrArray *sockets;     /* SocketState */
};

G_DEFINE_FINAL_TYPE (PhContainerSnapshot, ph_container_snapshot, G_TYPE_OBJECT)

static void
ph_container_snapshot_finalize (GObject *object)
{
  PhContainerSnapshot *self = PH_CONTAINER_SNAPSHOT (object);

  g_ptr_array_unref (self->containers);
  g_ptr_array_unref (self->sockets);
  G_OBJECT_CLASS (ph_container_snapshot_parent_class)->finalize (object);
}

static void
ph_container_snapshot_class_init (PhContainerSnapshotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ph_container_snapshot_finalize;
}

static void
ph_container_snapshot_init (PhContainerSnapshot *self)
{
  self->containers = g_ptr_array_new_with_free_func (g_object_unref);
  self->sockets = g_ptr_array_new_with_free_func (socket_state_free);
}

GPtrArray *
ph_container_snapshot_get_containers (PhContainerSnapshot *self)
{
  g_return_val_if_fail (PH_IS_CONTAINER_SNAPSHOT (self), NULL);
  return self->containers;
}

PhContainer *
ph_container_snapshot_find (PhContainerSnapshot *self,
                            const char          *address,
                            guint                port,
                            const char          *protocol,
                            int                  engine)
{
  PhContainer *other_engine = NULL;

  g_return_val_if_fail (PH_IS_CONTAINER_SNAPSHOT (self), NULL);

  for (guint i = 0; i < self->containers->len; i++)
    {
      PhContainer *c = self->containers->pdata[i];

      if (g_strcmp0 (c->state, "running") != 0 ||
          ph_container_find_port (c, address, port, protocol) == NULL)
        continue;
      if (engine < 0 || (int) c->engine == engine)
        return c;
      other_engine = other_engine != NULL ? other_engine : c;
    }
  /* /run/docker.sock may be Podman's Docker-compatible socket (podman-docker). */
  return other_engine;
}

const GError *
ph_container_snapshot_get_socket_error (PhContainerSnapshot *self,
                                        PhContainerEngine    engine,
                                        gboolean             rootless)
{
  const GError *first = NULL;

  g_return_val_if_fail (PH_IS_CONTAINER_SNAPSHOT (self), NULL);

  for (guint i = 0; i < self->sockets->len; i++)
    {
      SocketState *s = self->sockets->pdata[i];

      if (s->engine != engine || s->rootless != rootless)
        continue;
      if (s->error == NULL)
        return NULL;
      /* A socket that exists but refused says more than one that is missing. */
      if (first == NULL || g_error_matches (first, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        first = s->error;
    }
  return first;
}

GArray *
ph_container_snapshot_dup_forwarded (PhContainerSnapshot *self,
                                     PhPortHeldFunc       is_held,
                                     gpointer             user_data)
{
  GArray *out = g_array_new (FALSE, TRUE, sizeof (PhForwardedPort));

  g_return_val_if_fail (PH_IS_CONTAINER_SNAPSHOT (self), out);

  for (guint i = 0; i < self->containers->len; i++)
    {
      PhContainer *c = self->containers->pdata[i];

      if (g_strcmp0 (c->state, "running") != 0)
        continue;
      for (guint k = 0; k < c->ports->len; k++)
        {
          const PhContainerPort *p = &g_array_index (c->ports, PhContainerPort, k);
          PhForwardedPort f = { c, p };

          if (!is_held (p->host_ip, p->host_port, p->protocol, user_data))
            g_array_append_val (out, f);
        }
    }
  return out;
}

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
static PhHelperClient *
relay_client (void)
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
  g_autoptr(PhHelperClient) relay = relay_client ();
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
  if (size > MAX_ANSWER)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "The answer is too large");
      return NULL;
    }
  if (size == 0)
    return NULL;
  return ph_json_parse (data != NULL ? data : "", size, error);
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

  out = ph_helper_client_run (engine->relay, args, PH_HELPER_RUN_NONE, NULL, cancellable, error);
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
  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  data = g_bytes_get_data (body, &body_size);
  if (body_size > MAX_ANSWER)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "The answer is too large");
      return NULL;
    }
  return ph_json_parse (data, body_size, error);
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
          add_port (c, ph_json_get_string (port, "IP"), (guint) public_port, (guint) private_port,
                    ph_json_get_string (port, "Type"));
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
  g_autoptr(PhHelperClient) relay = relay_client ();

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

/* ---- guesses ------------------------------------------------------------------------ */

typedef struct
{
  const char *comm;
  PhContainerEngine engine;
} ProxySpec;

static const ProxySpec proxies[] = {
  { "conmon", PH_CONTAINER_ENGINE_PODMAN },
  { "pasta", PH_CONTAINER_ENGINE_PODMAN },
  { "pasta.avx2", PH_CONTAINER_ENGINE_PODMAN },
  { "rootlessport", PH_CONTAINER_ENGINE_PODMAN },
  { "rootlessport-child", PH_CONTAINER_ENGINE_PODMAN },
  { "slirp4netns", PH_CONTAINER_ENGINE_PODMAN },
  { "docker-proxy", PH_CONTAINER_ENGINE_DOCKER },
  { "dockerd", PH_CONTAINER_ENGINE_DOCKER },
  { "rootlesskit", PH_CONTAINER_ENGINE_DOCKER },
};

int
ph_containers_proxy_engine (const char *comm)
{
  if (comm == NULL)
    return -1;
  for (gsize i = 0; i < G_N_ELEMENTS (proxies); i++)
    if (g_str_equal (comm, proxies[i].comm))
      return (int) proxies[i].engine;
  return -1;
}

/* The value after -NAME or --NAME, or of --NAME=VALUE. */
static const char *
arg_value (const char * const *argv,
           const char         *short_name,
           const char         *long_name)
{
  gsize long_len = long_name != NULL ? strlen (long_name) : 0;

  for (gsize i = 1; argv != NULL && argv[i] != NULL; i++)
    {
      if ((short_name != NULL && g_str_equal (argv[i], short_name)) ||
          (long_name != NULL && g_str_equal (argv[i], long_name)))
        return argv[i + 1];
      if (long_name != NULL && strncmp (argv[i], long_name, long_len) == 0 &&
          argv[i][long_len] == '=')
        return argv[i] + long_len + 1;
    }
  return NULL;
}

/* pasta's -t/-u specs ("127.0.0.1/18080-18080:8000-8000", "18080:8000"): the container
 * port that @port maps to, or 0. */
static guint
pasta_container_port (const char * const *argv,
                      guint               port,
                      const char         *protocol)
{
  const char *flag = g_strcmp0 (protocol, "udp") == 0 ? "-u" : "-t";
  const char *long_flag = g_strcmp0 (protocol, "udp") == 0 ? "--udp-ports" : "--tcp-ports";

  for (gsize i = 1; argv != NULL && argv[i] != NULL && argv[i + 1] != NULL; i++)
    {
      g_auto(GStrv) specs = NULL;

      if (!g_str_equal (argv[i], flag) && !g_str_equal (argv[i], long_flag))
        continue;
      specs = g_strsplit (argv[i + 1], ",", -1);
      for (guint k = 0; specs[k] != NULL; k++)
        {
          const char *spec = strrchr (specs[k], '/') ? strrchr (specs[k], '/') + 1 : specs[k];
          guint64 first = 0, last = 0, target = 0;
          const char *colon = strchr (spec, ':');
          char *end;

          first = g_ascii_strtoull (spec, &end, 10);
          last = *end == '-' ? g_ascii_strtoull (end + 1, &end, 10) : first;
          if (port < first || port > last || last > 65535)
            continue;
          if (colon == NULL)
            return port;
          target = g_ascii_strtoull (colon + 1, NULL, 10);
          target += port - first;
          return target <= 65535 ? (guint) target : 0;
        }
    }
  return 0;
}

static char *
access_hint (PhContainerEngine  engine,
             gboolean           rootless,
             const char        *name,
             const GError      *error)
{
  gboolean denied = error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);

  /* The engines' sockets are not in the sandbox, and the helper that asks them for us
   * may not run on the host (flatpak/README.md, "Containers"). */
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    {
      g_autoptr(PhHelperClient) relay = relay_client ();

      if (relay == NULL)
        return g_strdup (_("The Porthole Flatpak may not run its helper outside the sandbox, "
                           "so it cannot ask the container engines and the container’s name "
                           "is a guess. Stop it with podman stop or docker stop."));
    }

  if (engine == PH_CONTAINER_ENGINE_DOCKER && denied)
    return g_strdup (_("Porthole may not use Docker’s API socket (/run/docker.sock), so the "
                       "container’s name is a guess. To let Porthole name and stop Docker "
                       "containers, add yourself to the “docker” group "
                       "(sudo usermod -aG docker $USER) and log in again."));
  if (engine == PH_CONTAINER_ENGINE_DOCKER)
    return g_strdup (_("Docker’s API socket (/run/docker.sock) does not answer, so the "
                       "container’s name is a guess. Start Docker’s service "
                       "(sudo systemctl start docker.socket) to let Porthole name and stop "
                       "its containers."));
  if (rootless)
    return g_strdup (_("Your Podman API service is not running, so the container’s name is a "
                       "guess. Start it with “systemctl --user enable --now podman.socket” to "
                       "let Porthole name and stop your containers."));
  if (denied)
    return g_strdup_printf (_("Only the administrator may use rootful Podman’s API socket "
                              "(/run/podman/podman.sock), so the container’s name is a guess. "
                              "Stop it with “sudo podman stop %s”, or run Porthole’s "
                              "command line as root."), name);
  return g_strdup (_("Podman’s API service is not running, so the container’s name is a guess. "
                     "Start it with “sudo systemctl enable --now podman.socket” to let Porthole "
                     "name and stop rootful containers."));
}

PhContainer *
ph_containers_guess (const char          *comm,
                     const char * const  *argv,
                     gint64               uid,
                     const char          *container_id,
                     const char          *address,
                     guint                port,
                     const char          *protocol,
                     PhContainerSnapshot *snapshot)
{
  g_autoptr(PhContainer) c = NULL;
  int engine = ph_containers_proxy_engine (comm);
  const GError *error = NULL;
  guint container_port = 0;
  const char *name = NULL;
  const char *id = NULL;

  if (engine < 0)
    return NULL;
  c = g_object_new (PH_TYPE_CONTAINER, NULL);
  c->engine = (PhContainerEngine) engine;
  c->rootless = uid != 0 || g_str_has_prefix (comm, "pasta") ||
                g_str_has_prefix (comm, "rootlessport") || g_str_equal (comm, "slirp4netns") ||
                g_str_equal (comm, "rootlesskit");
  c->guessed = TRUE;
  c->state = g_strdup ("running");

  if (g_str_equal (comm, "conmon"))
    {
      /* conmon -c ID -n NAME … (the cgroup names the ID too: libpod-conmon-ID.scope) */
      name = arg_value (argv, "-n", "--name");
      id = arg_value (argv, "-c", "--cid");
    }
  else if (g_str_equal (comm, "docker-proxy"))
    {
      const char *cport = arg_value (argv, "-container-port", "--container-port");

      container_port = cport != NULL ? (guint) g_ascii_strtoull (cport, NULL, 10) : 0;
    }
  else if (g_str_has_prefix (comm, "pasta"))
    {
      container_port = pasta_container_port (argv, port, protocol);
    }
  if (id == NULL)
    id = container_id;
  c->id = g_strdup (id != NULL ? id : "");
  if (name != NULL && *name != '\0')
    c->name = g_strdup (name);
  else if (id != NULL && *id != '\0')
    c->name = ph_container_short_id (id);
  else if (engine == PH_CONTAINER_ENGINE_PODMAN)
    c->name = g_strdup (_("a Podman container"));
  else
    c->name = g_strdup (_("a Docker container"));
  if (container_port > 65535)
    container_port = 0;
  add_port (c, address, port, container_port, protocol);
  if (snapshot != NULL)
    error = ph_container_snapshot_get_socket_error (snapshot, c->engine, c->rootless);
  c->access_hint = access_hint (c->engine, c->rootless, c->name, error);
  return g_steal_pointer (&c);
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
  g_autoptr(PhHelperClient) relay = relay_client ();
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
