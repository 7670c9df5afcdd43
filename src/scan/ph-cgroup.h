/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cgroup.h — what manages a process, read from its cgroup path */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct
{
  const char *manager;          /* "system-service", "user-service", "app", "flatpak",
                                 * "container", "session" or "none" (static strings) */
  char       *unit;             /* innermost systemd unit, or NULL */
  char       *slice;            /* innermost slice, or NULL */
  char       *app_id;           /* desktop application ID (unescaped), or NULL */
  char       *launcher;         /* "gnome", "flatpak", … from app-<launcher>-<id>, or NULL */
  char       *container;        /* container ID, or NULL */
  const char *container_kind;   /* "docker", "libpod", "containerd", "crio", "lxc", or NULL */
} PhCgroupInfo;

/* Parses a cgroup path such as
 * "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.gnome.Foo-42.scope".
 * Always fills @info (manager "none" when nothing is recognised); free with
 * ph_cgroup_info_clear(). */
void  ph_cgroup_parse      (const char *path, PhCgroupInfo *info);
void  ph_cgroup_info_clear (PhCgroupInfo *info);

/* Picks the path from the contents of /proc/PID/cgroup: the cgroup v2 ("0::") path, or
 * the cgroup v1 "name=systemd" one when there is no v2 entry or the v2 path is only the
 * root (a hybrid system where systemd tracks processes in v1). Returns a new string or
 * NULL. */
char *ph_cgroup_pick_path  (const char *text, size_t len);
/* The same; *@by_v2 tells whether the cgroup v2 path alone decided (a v2 path other than
 * the root): then every process of that v2 cgroup has this path. */
char *ph_cgroup_pick_path_v2 (const char *text, size_t len, bool *by_v2);
