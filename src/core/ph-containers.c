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
 *
 * This file holds the two objects, PhContainer and PhContainerSnapshot;
 * ph-containers-engine.c asks the engines (list, inspect, stop), ph-containers-guess.c
 * names a container from its proxy's arguments.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-address.h"
#include "ph-containers-private.h"

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

void
ph_container_add_port (PhContainer *self,
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

static void
socket_state_free (gpointer data)
{
  SocketState *s = data;

  g_free (s->path);
  g_clear_error (&s->error);
  g_free (s);
}

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
