/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-cgroup.c — cgroup paths → manager, unit, app ID, container, slice */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ph-tap.h"
#include "ph-cgroup.h"

typedef struct
{
  const char *path;
  const char *manager;
  const char *unit;
  const char *app_id;
  const char *container;
  const char *kind;
  const char *slice;
} Case;

static const Case cases[] = {
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.example.Test-1234.scope",
    "app", "app-gnome-org.example.Test-1234.scope", "org.example.Test", NULL, NULL, "app.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Terminal\\x2dPreferences-99.scope",
    "app", "app-gnome-org.gnome.Terminal\\x2dPreferences-99.scope", "org.gnome.Terminal-Preferences",
    NULL, NULL, "app.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4242.scope",
    "app", "app-gnome-firefox-4242.scope", "firefox", NULL, NULL, "app.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.kde.dolphin-77.scope",
    "app", "app-org.kde.dolphin-77.scope", "org.kde.dolphin", NULL, NULL, "app.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Nautilus@a1b2.service",
    "app", "app-gnome-org.gnome.Nautilus@a1b2.service", "org.gnome.Nautilus", NULL, NULL, "app.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-dbus-org.gnome.Foo.service",
    "app", "app-dbus-org.gnome.Foo.service", "org.gnome.Foo", NULL, NULL, "app.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.example.App-99.scope",
    "flatpak", "app-flatpak-org.example.App-99.scope", "org.example.App", NULL, NULL, "app.slice" },
  { "/app-flatpak-org.example.App-99.scope",
    "flatpak", "app-flatpak-org.example.App-99.scope", "org.example.App", NULL, NULL, NULL },
  { "/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
    "container", "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
    NULL, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "docker",
    "system.slice" },
  { "/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "container", NULL, NULL, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "docker", NULL },
  { "/machine.slice/libpod-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210.scope/container",
    "container", "libpod-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210.scope",
    NULL, "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210", "libpod",
    "machine.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-abc123def456.scope",
    "container", "libpod-abc123def456.scope", NULL, "abc123def456", "libpod", "user.slice" },
  { "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-aa11bb22.scope",
    "container", "cri-containerd-aa11bb22.scope", NULL, "aa11bb22", "containerd",
    "kubepods-besteffort-pod1.slice" },
  { "/system.slice/nginx.service", "system-service", "nginx.service", NULL, NULL, NULL,
    "system.slice" },
  { "/system.slice/test.service", "system-service", "test.service", NULL, NULL, NULL,
    "system.slice" },
  { "/system.slice/system-getty.slice/getty@tty1.service", "system-service",
    "getty@tty1.service", NULL, NULL, NULL, "system-getty.slice" },
  { "/init.scope", "system-service", "init.scope", NULL, NULL, NULL, NULL },
  { "/user.slice/user-1000.slice/user@1000.service/init.scope", "user-service", "init.scope",
    NULL, NULL, NULL, "user-1000.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/pipewire.service", "user-service",
    "pipewire.service", NULL, NULL, NULL, "app.slice" },
  { "/user.slice/user-1000.slice/user@1000.service/session.slice/org.gnome.Shell@wayland.service",
    "user-service", "org.gnome.Shell@wayland.service", NULL, NULL, NULL, "session.slice" },
  { "/user.slice/user-1000.slice/user@1000.service", "system-service", "user@1000.service",
    NULL, NULL, NULL, "user-1000.slice" },
  { "/user.slice/user-1000.slice/session-3.scope", "session", "session-3.scope", NULL, NULL,
    NULL, "user-1000.slice" },
  { "/user.slice/user-1000.slice", "none", NULL, NULL, NULL, NULL, "user-1000.slice" },
  { "/", "none", NULL, NULL, NULL, NULL, NULL },
  { "", "none", NULL, NULL, NULL, NULL, NULL },
  /* Not an app scope: no random part. */
  { "/user.slice/user-1000.slice/user@1000.service/app.slice/app-.scope", "user-service",
    "app-.scope", NULL, NULL, NULL, "app.slice" },
};

static bool
same (const char *a,
      const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp (a, b) == 0;
}

static bool
check (const Case *c)
{
  PhCgroupInfo info;
  bool ok;

  ph_cgroup_parse (c->path, &info);
  ok = same (info.manager, c->manager) && same (info.unit, c->unit)
       && same (info.app_id, c->app_id) && same (info.container, c->container)
       && same (info.container_kind, c->kind) && same (info.slice, c->slice);
  if (!ok)
    ph_tap_diag ("got manager=%s unit=%s app_id=%s container=%s kind=%s slice=%s",
                 info.manager, info.unit ? info.unit : "-", info.app_id ? info.app_id : "-",
                 info.container ? info.container : "-",
                 info.container_kind ? info.container_kind : "-",
                 info.slice ? info.slice : "-");
  ph_cgroup_info_clear (&info);
  return ok;
}

static bool
picks (const char *text,
       const char *expected)
{
  char *got = ph_cgroup_pick_path (text, strlen (text));
  bool ok = same (got, expected);

  if (!ok)
    ph_tap_diag ("got %s", got ? got : "(null)");
  free (got);
  return ok;
}

/* Whether the v2 path alone decided (so every process of that v2 cgroup has the path). */
static bool
by_v2 (const char *text)
{
  bool v2 = false;
  char *got = ph_cgroup_pick_path_v2 (text, strlen (text), &v2);

  free (got);
  return v2;
}

int
main (void)
{
  ph_tap_ok (by_v2 ("0::/system.slice/x.service\n") && by_v2 ("9:name=systemd:/\n0::/a.scope\n")
             && !by_v2 ("9:name=systemd:/system.slice/t.service\n0::/\n") && !by_v2 ("0::/\n")
             && !by_v2 ("1:name=systemd:/user.slice\n") && !by_v2 (""),
             "the v2 path alone decides only when there is one other than the root");
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    ph_tap_ok (check (&cases[i]), "%s → %s", cases[i].path, cases[i].manager);

  ph_tap_ok (picks ("0::/user.slice/user-1000.slice/session-2.scope\n",
                    "/user.slice/user-1000.slice/session-2.scope"), "pure cgroup v2");
  ph_tap_ok (picks ("12:pids:/system.slice/x.service\n1:name=systemd:/system.slice/x.service\n"
                    "0::/system.slice/x.service\n", "/system.slice/x.service"),
             "hybrid: v2 and v1 agree");
  ph_tap_ok (picks ("9:name=systemd:/system.slice/test.service\n8:pids:/\n0::/\n",
                    "/system.slice/test.service"),
             "hybrid: v2 only at the root, so the v1 name=systemd path says more");
  ph_tap_ok (picks ("9:name=systemd:/\n0::/app-flatpak-org.example.App-9.scope\n",
                    "/app-flatpak-org.example.App-9.scope"), "hybrid: v2 says more");
  ph_tap_ok (picks ("4:cpu,cpuacct:/\n1:name=systemd:/user.slice/session-1.scope\n",
                    "/user.slice/session-1.scope"), "cgroup v1 only");
  ph_tap_ok (picks ("3:cpu:/\n", NULL), "no systemd hierarchy at all");
  ph_tap_ok (picks ("garbage\n:\n0:x\n", NULL), "malformed lines");
  return ph_tap_done_testing ();
}
