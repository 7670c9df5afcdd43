/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-desktop.c — a desktop app's name and icon from its .desktop file, read by hand (no GLib) */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-desktop.h"

/*
 * Inside a Flatpak, Porthole cannot read the host's desktop entries, so the helper (which
 * runs on the host) reads the two keys the window needs. The files may be anyone's — a
 * user's own entry, a folder named in another user's XDG_DATA_DIRS — so the reader
 * trusts nothing: it reads a bounded amount from regular files only, and keeps a value
 * only when it is short and free of control characters.
 */

typedef enum
{
  ENTRY_NONE,      /* no [Desktop Entry] group: not a desktop file */
  ENTRY_HIDDEN,    /* Hidden=true: deleted; it hides entries of the same name after it */
  ENTRY_FOUND,
} EntryState;

void
ph_desktop_entry_clear (PhDesktopEntry *entry)
{
  free (entry->name);
  free (entry->icon);
  entry->name = NULL;
  entry->icon = NULL;
}

static bool
is_space (char c)
{
  return c == ' ' || c == '\t';
}

/* The value of a string key, with the escapes of the Desktop Entry Specification undone
 * (\s \n \t \r \\; a line break becomes a space: a name is one line). NULL when it is too
 * long, empty, or holds a control character. */
static char *
unescape_value (const char *v,
                size_t      len)
{
  char *out;
  size_t n = 0;

  if (len == 0 || len > PH_DESKTOP_VALUE_MAX)
    return NULL;
  out = ph_xmalloc (len + 1);
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char) v[i];

      if (c < 0x20 || c == 0x7f)
        {
          free (out);
          return NULL;
        }
      if (c == '\\' && i + 1 < len)
        {
          char e = v[++i];

          c = e == 's' || e == 'n' || e == 't' || e == 'r' ? ' ' : (unsigned char) e;
          if (c < 0x20 || c == 0x7f)
            {
              free (out);
              return NULL;
            }
        }
      out[n++] = (char) c;
    }
  out[n] = '\0';
  if (n == 0)
    {
      free (out);
      return NULL;
    }
  return out;
}

/* "Key = value" → whether the key is @key exactly (no locale), and where the value is. */
static bool
match_key (const char  *line,
           size_t       len,
           const char  *key,
           const char **value,
           size_t      *value_len)
{
  size_t klen = strlen (key);
  size_t i = klen;

  if (len < klen || memcmp (line, key, klen) != 0)
    return false;
  while (i < len && is_space (line[i]))
    i++;
  if (i >= len || line[i] != '=')
    return false;
  i++;
  while (i < len && is_space (line[i]))
    i++;
  *value = line + i;
  *value_len = len - i;
  return true;
}

/* The next line from *@pos of a key file that is neither blank nor a comment, without its
 * line end and trailing space (*@n bytes long), or NULL at the end. */
static const char *
next_line (const char *text,
           size_t      len,
           size_t     *pos,
           size_t     *n)
{
  while (*pos < len)
    {
      const char *line = text + *pos;
      const char *nl = memchr (line, '\n', len - *pos);

      *n = nl != NULL ? (size_t) (nl - line) : len - *pos;
      *pos += *n + (nl != NULL ? 1 : 0);
      if (*n > 0 && line[*n - 1] == '\r')
        (*n)--;
      while (*n > 0 && is_space (line[*n - 1]))
        (*n)--;
      if (*n > 0 && line[0] != '#')
        return line;
    }
  return NULL;
}

/* Reads the key lines of the groups named @header ("[Desktop Entry]") of a key file. */
typedef struct
{
  const char *text;
  size_t      len;
  size_t      pos;
  const char *header;
  bool        first_only;   /* a group after the first @header ends the reading */
  bool        in_group;
  bool        seen;         /* a @header was seen */
} GroupReader;

/* The next key line (*@n bytes long) in a group @r->header, or NULL at the end. */
static const char *
group_reader_next (GroupReader *r,
                   size_t      *n)
{
  const char *line;

  while ((line = next_line (r->text, r->len, &r->pos, n)) != NULL)
    {
      if (line[0] != '[')
        {
          if (r->in_group)
            return line;
          continue;
        }
      if (r->seen && r->first_only)
        return NULL;
      r->in_group = *n == strlen (r->header) && memcmp (line, r->header, *n) == 0;
      r->seen = r->seen || r->in_group;
    }
  return NULL;
}

static EntryState
parse_entry (const char     *text,
             size_t          len,
             PhDesktopEntry *entry)
{
  /* Only the first [Desktop Entry] counts; any later group ends it. */
  GroupReader r = { text, len, 0, "[Desktop Entry]", true, false, false };
  bool hidden = false;
  char *name = NULL, *icon = NULL;
  const char *line;
  size_t n;

  while ((line = group_reader_next (&r, &n)) != NULL)
    {
      const char *value;
      size_t value_len;

      if (name == NULL && match_key (line, n, "Name", &value, &value_len))
        name = unescape_value (value, value_len);
      else if (icon == NULL && match_key (line, n, "Icon", &value, &value_len))
        icon = unescape_value (value, value_len);
      else if (match_key (line, n, "Hidden", &value, &value_len))
        hidden = value_len == 4 && memcmp (value, "true", 4) == 0;
    }

  /* An icon is a themed name or an absolute file, never a path relative to who knows. */
  if (icon != NULL && icon[0] != '/' && strchr (icon, '/') != NULL)
    {
      free (icon);
      icon = NULL;
    }
  if (!r.seen || hidden)
    {
      free (name);
      free (icon);
      return r.seen ? ENTRY_HIDDEN : ENTRY_NONE;
    }
  entry->name = name;
  entry->icon = icon;
  return ENTRY_FOUND;
}

bool
ph_desktop_entry_parse (const char     *text,
                        size_t          len,
                        PhDesktopEntry *entry)
{
  entry->name = NULL;
  entry->icon = NULL;
  return parse_entry (text, len, entry) == ENTRY_FOUND;
}

bool
ph_desktop_app_id_valid (const char *app_id)
{
  size_t n = 0;

  if (app_id == NULL || app_id[0] == '\0' || app_id[0] == '.')
    return false;
  for (const char *p = app_id; *p != '\0'; p++, n++)
    {
      char c = *p;

      if (n >= 255)
        return false;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '.' || c == '_' || c == '-'))
        return false;
    }
  return true;
}

/* Reads the regular file open on @fd (closing it) into @scratch, at most
 * PH_DESKTOP_FILE_MAX bytes, NUL-terminated. FALSE when it is not a regular file. */
static bool
read_small_file (int    fd,
                 PhBuf *scratch)
{
  struct stat st;

  ph_buf_clear (scratch);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return false;
    }
  ph_buf_reserve (scratch, PH_DESKTOP_FILE_MAX + 1);
  while (scratch->len < PH_DESKTOP_FILE_MAX)
    {
      ssize_t n = read (fd, scratch->data + scratch->len, PH_DESKTOP_FILE_MAX - scratch->len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      scratch->len += (size_t) n;
    }
  close (fd);
  scratch->data[scratch->len] = '\0';
  return true;
}

/* Reads at most PH_DESKTOP_FILE_MAX bytes of a regular file. O_NONBLOCK: a FIFO put in
 * the file's place must not make the helper wait; fstat then refuses it. */
static EntryState
read_entry (const char     *path,
            PhBuf          *scratch,
            PhDesktopEntry *entry)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

  if (fd < 0)
    return ENTRY_NONE;
  if (!read_small_file (fd, scratch))
    return ENTRY_NONE;
  return parse_entry (scratch->data, scratch->len, entry);
}

bool
ph_desktop_entry_read (const char     *path,
                       PhBuf          *scratch,
                       PhDesktopEntry *entry)
{
  entry->name = NULL;
  entry->icon = NULL;
  return read_entry (path, scratch, entry) == ENTRY_FOUND;
}

/* Looks in DIR/applications (DIR of @dir_len bytes, then @suffix); ENTRY_NONE to go on. */
static EntryState
look_in (const char     *dir,
         size_t          dir_len,
         const char     *suffix,
         const char     *app_id,
         PhBuf          *scratch,
         PhDesktopEntry *entry)
{
  char path[PATH_MAX];
  int n;

  if (dir == NULL || dir_len == 0 || dir[0] != '/' || dir_len > PATH_MAX)
    return ENTRY_NONE;
  n = snprintf (path, sizeof path, "%.*s%s/applications/%s.desktop", (int) dir_len, dir,
                suffix != NULL ? suffix : "", app_id);
  if (n < 0 || (size_t) n >= sizeof path)
    return ENTRY_NONE;
  return read_entry (path, scratch, entry);
}

bool
ph_desktop_entry_find (const char     *app_id,
                       const char     *home,
                       const char     *data_home,
                       const char     *data_dirs,
                       PhBuf          *scratch,
                       PhDesktopEntry *entry)
{
  static const char * const system_dirs[] = {
    "/var/lib/flatpak/exports/share", "/usr/local/share", "/usr/share",
  };
  EntryState state = ENTRY_NONE;

  entry->name = NULL;
  entry->icon = NULL;
  if (!ph_desktop_app_id_valid (app_id))
    return false;

  if (data_home != NULL && data_home[0] == '/')
    state = look_in (data_home, strlen (data_home), NULL, app_id, scratch, entry);
  else if (home != NULL)
    state = look_in (home, strlen (home), "/.local/share", app_id, scratch, entry);

  if (state == ENTRY_NONE && data_dirs != NULL)
    {
      const char *p = data_dirs;

      for (int k = 0; k < PH_DESKTOP_DIRS_MAX && state == ENTRY_NONE && *p != '\0'; k++)
        {
          const char *colon = strchr (p, ':');
          size_t n = colon != NULL ? (size_t) (colon - p) : strlen (p);

          state = look_in (p, n, NULL, app_id, scratch, entry);
          if (colon == NULL)
            break;
          p = colon + 1;
        }
    }
  /* Where a desktop session's XDG_DATA_DIRS points anyway; looked at again when it did. */
  if (state == ENTRY_NONE && home != NULL)
    state = look_in (home, strlen (home), "/.local/share/flatpak/exports/share", app_id,
                     scratch, entry);
  for (size_t k = 0; k < sizeof system_dirs / sizeof *system_dirs && state == ENTRY_NONE; k++)
    state = look_in (system_dirs[k], strlen (system_dirs[k]), NULL, app_id, scratch, entry);

  return state == ENTRY_FOUND;
}

/* The [Application] group's name= of a /.flatpak-info (a key file flatpak writes into every
 * sandbox): the app ID, when it is one. */
char *
ph_flatpak_info_parse_app (const char *text,
                           size_t      len)
{
  GroupReader r = { text, len, 0, "[Application]", false, false, false };
  const char *line;
  size_t n;

  while ((line = group_reader_next (&r, &n)) != NULL)
    {
      const char *value;
      size_t value_len;

      if (match_key (line, n, "name", &value, &value_len))
        {
          char *app_id = value_len <= 255 ? ph_xstrndup (value, value_len) : NULL;

          if (app_id != NULL && ph_desktop_app_id_valid (app_id) && strchr (app_id, '.') != NULL)
            return app_id;
          free (app_id);
          return NULL;
        }
    }
  return NULL;
}

char *
ph_flatpak_info_read_app (int    pid_dirfd,
                          PhBuf *scratch)
{
  return ph_flatpak_info_read_app_in (pid_dirfd, "", scratch);
}

char *
ph_flatpak_info_read_app_in (int         dirfd,
                             const char *dir,
                             PhBuf      *scratch)
{
  char path[64];
  int fd;

  if (strlen (dir) > sizeof path - sizeof "root/.flatpak-info")
    return NULL;
  snprintf (path, sizeof path, "%sroot/.flatpak-info", dir);
  fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

  if (fd < 0)
    return NULL;
  if (!read_small_file (fd, scratch))
    return NULL;
  return ph_flatpak_info_parse_app (scratch->data, scratch->len);
}
