/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-passwd.c — uid → name and home tables parsed from /etc/passwd */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ph-buf.h"
#include "ph-map.h"
#include "ph-passwd.h"

static PhMap names = PH_MAP_INIT;   /* uid + 1 → char * */
static PhMap homes = PH_MAP_INIT;   /* uid + 1 → char * */
static bool loaded;
static struct timespec loaded_mtime;
static char *path_override;

static void
clear_map (PhMap *map)
{
  for (size_t i = 0; i < map->size; i++)
    free (map->slots[i].value);
  ph_map_clear (map);
}

static void
clear_names (void)
{
  clear_map (&names);
  clear_map (&homes);
}

static void
reset (void)
{
  clear_names ();
  loaded = false;
}

void
ph_passwd_set_path (const char *path)
{
  free (path_override);
  path_override = path ? ph_xstrdup (path) : NULL;
  reset ();
}

static void
load (void)
{
  const char *path = path_override ? path_override : "/etc/passwd";
  PhBuf text = PH_BUF_INIT;
  struct stat st;
  size_t i = 0;

  clear_names ();
  loaded = true;
  if (stat (path, &st) == 0)
    loaded_mtime = st.st_mtim;
  if (ph_read_file_at (AT_FDCWD, path, &text, 4 * 1024 * 1024) < 0)
    {
      ph_buf_free (&text);
      return;
    }

  /* name:password:uid:gid:gecos:home:shell — the first entry for a uid wins, as in NSS. */
  while (i < text.len)
    {
      char *line = text.data + i;
      char *nl = memchr (line, '\n', text.len - i);
      size_t len = nl ? (size_t) (nl - line) : text.len - i;
      char *c1 = memchr (line, ':', len);
      char *c2 = c1 ? memchr (c1 + 1, ':', len - (size_t) (c1 + 1 - line)) : NULL;
      uint64_t uid;
      const char *end;

      i += len + (nl ? 1 : 0);
      if (c1 == NULL || c2 == NULL || c1 == line || line[0] == '+' || line[0] == '-')
        continue;
      if (!ph_parse_u64 (c2 + 1, &end, &uid) || *end != ':' || uid > UINT32_MAX)
        continue;
      if (ph_map_get (&names, uid + 1) == NULL)
        {
          /* The home is the sixth field: after gid and gecos. */
          const char *f = end + 1;
          const char *line_end = line + len;

          ph_map_set (&names, uid + 1, ph_xstrndup (line, (size_t) (c1 - line)));
          for (int k = 0; k < 2 && f != NULL; k++)
            {
              f = memchr (f, ':', (size_t) (line_end - f));
              f = f != NULL ? f + 1 : NULL;
            }
          if (f != NULL && f < line_end && *f == '/')
            {
              const char *c6 = memchr (f, ':', (size_t) (line_end - f));

              ph_map_set (&homes, uid + 1,
                          ph_xstrndup (f, (size_t) ((c6 != NULL ? c6 : line_end) - f)));
            }
        }
    }
  ph_buf_free (&text);
}

static const char *
lookup (PhMap    *map,
        uint32_t  uid)
{
  const char *name;

  if (!loaded)
    load ();
  name = ph_map_get (&names, (uint64_t) uid + 1);
  if (name == NULL)
    {
      /* A user added since we read the file: read it again if it changed. */
      struct stat st;

      if (stat (path_override ? path_override : "/etc/passwd", &st) == 0
          && (st.st_mtim.tv_sec != loaded_mtime.tv_sec
              || st.st_mtim.tv_nsec != loaded_mtime.tv_nsec))
        {
          load ();
          name = ph_map_get (&names, (uint64_t) uid + 1);
        }
    }
  return name != NULL ? ph_map_get (map, (uint64_t) uid + 1) : NULL;
}

const char *
ph_passwd_lookup (uint32_t uid)
{
  return lookup (&names, uid);
}

const char *
ph_passwd_lookup_home (uint32_t uid)
{
  return lookup (&homes, uid);
}
