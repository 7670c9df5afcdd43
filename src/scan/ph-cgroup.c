/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-cgroup.c — cgroup path → systemd unit, desktop app ID, container */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "ph-buf.h"
#include "ph-cgroup.h"
#include "ph-escape.h"

#define MAX_COMPONENTS 64

typedef struct
{
  const char *p;
  size_t      len;
} Part;

static bool
has_prefix (const Part *c,
            const char *prefix)
{
  size_t n = strlen (prefix);

  return c->len >= n && memcmp (c->p, prefix, n) == 0;
}

static bool
has_suffix (const Part *c,
            const char *suffix)
{
  size_t n = strlen (suffix);

  return c->len >= n && memcmp (c->p + c->len - n, suffix, n) == 0;
}

static bool
equals (const Part *c,
        const char *s)
{
  return c->len == strlen (s) && memcmp (c->p, s, c->len) == 0;
}

/* "<prefix><id><suffix>" → a copy of id, or NULL. */
static char *
strip (const Part *c,
       const char *prefix,
       const char *suffix)
{
  size_t pl = strlen (prefix), sl = strlen (suffix);

  if (c->len <= pl + sl || !has_prefix (c, prefix) || !has_suffix (c, suffix))
    return NULL;
  return ph_xstrndup (c->p + pl, c->len - pl - sl);
}

/* systemd escapes unit name parts with \xHH (a '-' inside an app ID becomes \x2d). */
static char *
unit_unescape (const char *s,
               size_t      len)
{
  char *out = ph_xmalloc (len + 1);
  size_t o = 0;

  for (size_t i = 0; i < len; i++)
    {
      if (s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' && ph_hex_value (s[i + 2]) >= 0
          && ph_hex_value (s[i + 3]) >= 0)
        {
          out[o++] = (char) (ph_hex_value (s[i + 2]) << 4 | ph_hex_value (s[i + 3]));
          i += 3;
        }
      else
        {
          out[o++] = s[i];
        }
    }
  out[o] = '\0';
  return out;
}

static bool
is_random_part (const char *s,
                size_t      len)
{
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++)
    {
      char c = s[i];

      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
        return false;
    }
  return true;
}

/* app[-<launcher>]-<ApplicationID>-<RANDOM>.scope and
 * app[-<launcher>]-<ApplicationID>[@<RANDOM>].service (systemd's desktop-environment
 * naming, also used by Flatpak as app-flatpak-<id>-<n>.scope). */
static bool
parse_app_unit (const Part    *unit,
                PhCgroupInfo  *info)
{
  const char *s = unit->p + 4;
  size_t len;
  const char *dash;

  if (!has_prefix (unit, "app-"))
    return false;
  len = unit->len - 4;
  if (has_suffix (unit, ".scope"))
    {
      const char *last;

      len -= strlen (".scope");
      last = NULL;
      for (size_t i = 0; i < len; i++)
        {
          if (s[i] == '-')
            last = s + i;
        }
      if (last == NULL || !is_random_part (last + 1, len - (size_t) (last + 1 - s)))
        return false;
      len = (size_t) (last - s);
    }
  else if (has_suffix (unit, ".service"))
    {
      const char *at;

      len -= strlen (".service");
      at = memchr (s, '@', len);
      if (at != NULL)
        len = (size_t) (at - s);
    }
  else
    {
      return false;
    }
  if (len == 0)
    return false;

  dash = memchr (s, '-', len);
  if (dash != NULL)
    {
      size_t llen = (size_t) (dash - s);

      if (llen == 0 || (size_t) (dash + 1 - s) >= len)
        return false;
      info->launcher = unit_unescape (s, llen);
      info->app_id = unit_unescape (dash + 1, len - llen - 1);
    }
  else
    {
      info->app_id = unit_unescape (s, len);
    }
  info->manager = info->launcher && strcmp (info->launcher, "flatpak") == 0 ? "flatpak" : "app";
  return true;
}

static bool
parse_container (const Part   *parts,
                 size_t        n,
                 PhCgroupInfo *info)
{
  /* From the innermost component out: podman puts the payload in libpod-ID.scope/container. */
  for (size_t k = n; k-- > 0;)
    {
      const Part *c = &parts[k];
      char *id;

      if ((id = strip (c, "docker-", ".scope")) != NULL)
        info->container_kind = "docker";
      else if ((id = strip (c, "libpod-conmon-", ".scope")) != NULL)
        info->container_kind = "libpod";
      else if ((id = strip (c, "libpod-", ".scope")) != NULL)
        info->container_kind = "libpod";
      else if ((id = strip (c, "cri-containerd-", ".scope")) != NULL)
        info->container_kind = "containerd";
      else if ((id = strip (c, "crio-conmon-", ".scope")) != NULL)
        info->container_kind = "crio";
      else if ((id = strip (c, "crio-", ".scope")) != NULL)
        info->container_kind = "crio";
      else if ((id = strip (c, "lxc.payload.", "")) != NULL)
        info->container_kind = "lxc";
      else if (k > 0 && equals (&parts[k - 1], "docker") && c->len >= 12)
        {
          id = ph_xstrndup (c->p, c->len);
          info->container_kind = "docker";
        }
      else if (k > 0 && equals (&parts[k - 1], "libpod_parent")
               && (id = strip (c, "libpod-", "")) != NULL)
        info->container_kind = "libpod";
      else
        continue;
      info->container = id;
      info->manager = "container";
      return true;
    }
  return false;
}

void
ph_cgroup_parse (const char   *path,
                 PhCgroupInfo *info)
{
  Part parts[MAX_COMPONENTS];
  size_t n = 0;
  const char *p = path ? path : "";
  ssize_t unit_idx = -1, slice_idx = -1;

  memset (info, 0, sizeof *info);
  info->manager = "none";

  while (*p != '\0')
    {
      const char *slash;

      while (*p == '/')
        p++;
      if (*p == '\0')
        break;
      slash = strchr (p, '/');
      if (n == MAX_COMPONENTS)
        {
          /* Keep the innermost components: they say the most. */
          memmove (parts, parts + 1, (MAX_COMPONENTS - 1) * sizeof *parts);
          n--;
        }
      parts[n].p = p;
      parts[n].len = slash ? (size_t) (slash - p) : strlen (p);
      n++;
      p += parts[n - 1].len;
    }

  for (size_t k = n; k-- > 0;)
    {
      if (has_suffix (&parts[k], ".service") || has_suffix (&parts[k], ".scope"))
        {
          unit_idx = (ssize_t) k;
          break;
        }
    }
  for (size_t k = unit_idx >= 0 ? (size_t) unit_idx : n; k-- > 0;)
    {
      if (has_suffix (&parts[k], ".slice"))
        {
          slice_idx = (ssize_t) k;
          break;
        }
    }
  if (unit_idx >= 0)
    info->unit = ph_xstrndup (parts[unit_idx].p, parts[unit_idx].len);
  if (slice_idx >= 0)
    info->slice = ph_xstrndup (parts[slice_idx].p, parts[slice_idx].len);

  if (parse_container (parts, n, info))
    return;
  if (unit_idx < 0)
    return;
  if (parse_app_unit (&parts[unit_idx], info))
    return;
  if (has_prefix (&parts[unit_idx], "session-") && has_suffix (&parts[unit_idx], ".scope"))
    {
      info->manager = "session";
      return;
    }
  for (ssize_t k = 0; k < unit_idx; k++)
    {
      if (has_prefix (&parts[k], "user@") && has_suffix (&parts[k], ".service"))
        {
          info->manager = "user-service";
          return;
        }
    }
  info->manager = "system-service";
}

void
ph_cgroup_info_clear (PhCgroupInfo *info)
{
  free (info->unit);
  free (info->slice);
  free (info->app_id);
  free (info->launcher);
  free (info->container);
  memset (info, 0, sizeof *info);
  info->manager = "none";
}

char *
ph_cgroup_pick_path (const char *text,
                     size_t      len)
{
  bool by_v2;

  return ph_cgroup_pick_path_v2 (text, len, &by_v2);
}

char *
ph_cgroup_pick_path_v2 (const char *text,
                        size_t      len,
                        bool       *by_v2)
{
  const char *v2 = NULL, *v1 = NULL;
  size_t v2_len = 0, v1_len = 0;
  size_t i = 0;

  while (i < len)
    {
      const char *line = text + i;
      const char *nl = memchr (line, '\n', len - i);
      size_t line_len = nl ? (size_t) (nl - line) : len - i;
      const char *c1 = memchr (line, ':', line_len);
      const char *c2 = c1 ? memchr (c1 + 1, ':', line_len - (size_t) (c1 + 1 - line)) : NULL;

      i += line_len + (nl ? 1 : 0);
      if (c1 == NULL || c2 == NULL)
        continue;
      if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1)
        {
          v2 = c2 + 1;
          v2_len = line_len - (size_t) (c2 + 1 - line);
        }
      else
        {
          /* The controller list may name several, comma-separated. */
          const char *c = c1 + 1;

          while (c < c2)
            {
              const char *comma = memchr (c, ',', (size_t) (c2 - c));
              const char *end = comma ? comma : c2;

              if (end - c == 12 && memcmp (c, "name=systemd", 12) == 0)
                {
                  v1 = c2 + 1;
                  v1_len = line_len - (size_t) (c2 + 1 - line);
                }
              c = end + 1;
            }
        }
    }
  *by_v2 = v2 != NULL && !(v2_len == 1 && v2[0] == '/');
  if (v2 != NULL && !(v2_len == 1 && v2[0] == '/' && v1 != NULL))
    return ph_xstrndup (v2, v2_len);
  if (v1 != NULL)
    return ph_xstrndup (v1, v1_len);
  return v2 ? ph_xstrndup (v2, v2_len) : NULL;
}
