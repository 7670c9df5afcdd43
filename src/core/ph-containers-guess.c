/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-containers-guess.c — a container named from its proxy's arguments when its engine
 * cannot be asked, with the sentence that says how to give access */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-app-identity.h"
#include "ph-containers-private.h"

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
      g_autoptr(PhHelperClient) relay = ph_containers_relay_client ();

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
  ph_container_add_port (c, address, port, container_port, protocol);
  if (snapshot != NULL)
    error = ph_container_snapshot_get_socket_error (snapshot, c->engine, c->rootless);
  c->access_hint = access_hint (c->engine, c->rootless, c->name, error);
  return g_steal_pointer (&c);
}
