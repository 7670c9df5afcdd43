/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-desktop.c — the helper's .desktop reader: Name and Icon, hostile files, the search */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ph-desktop.h"
#include "ph-tap.h"

static char tmp[256];

static bool
str_is (const char *a,
        const char *b)
{
  return a != NULL && b != NULL && strcmp (a, b) == 0;
}

/* Parses @len bytes of @text; checks the outcome, Name and Icon (NULL: none). */
static void
check_parse (const char *text,
             size_t      len,
             bool        want_found,
             const char *want_name,
             const char *want_icon,
             const char *what)
{
  PhDesktopEntry entry = { (char *) 1, (char *) 1 };
  bool found = ph_desktop_entry_parse (text, len, &entry);
  bool ok;

  if (!found)
    {
      ok = !want_found && entry.name == NULL && entry.icon == NULL;
      ph_tap_ok (ok, "%s: not an entry", what);
      return;
    }
  ok = want_found
       && (want_name == NULL ? entry.name == NULL : str_is (entry.name, want_name))
       && (want_icon == NULL ? entry.icon == NULL : str_is (entry.icon, want_icon));
  if (!ph_tap_ok (ok, "%s", what))
    ph_tap_diag ("found=%d name=%s icon=%s", found, entry.name ? entry.name : "(null)",
                 entry.icon ? entry.icon : "(null)");
  ph_desktop_entry_clear (&entry);
}

#define PARSE(text, found, name, icon, what) \
  check_parse (text, sizeof text - 1, found, name, icon, what)

static void
test_parse (void)
{
  PARSE ("[Desktop Entry]\nType=Application\nName=Text Editor\nIcon=org.gnome.TextEditor\n",
         true, "Text Editor", "org.gnome.TextEditor", "Name and Icon of a plain entry");
  PARSE ("# comment\n\n[Desktop Entry]\r\nName = Spaced Out \r\nIcon\t=\tspaced-icon\r\n",
         true, "Spaced Out", "spaced-icon", "CRLF and blanks around '=' and at line ends");
  PARSE ("[Desktop Entry]\nName[de]=Texteditor\nName=Text Editor\nName=Second\n",
         true, "Text Editor", NULL, "localised keys are skipped; the first Name wins");
  PARSE ("[Desktop Entry]\nName[de]=Nur Deutsch\n", true, NULL, NULL,
         "only a localised Name: no name");
  PARSE ("[Desktop Entry]\nNameX=no\nIconic=no\nName=Yes\n", true, "Yes", NULL,
         "keys that merely start with Name or Icon are other keys");
  PARSE ("[Desktop Entry]\nName=A\\sB\\\\C\\nD\\tE\n", true, "A B\\C D E",
         NULL, "escapes are undone; a line break becomes a space");
  PARSE ("[Desktop Entry]\nName=Visible\nHidden=true\n", false, NULL, NULL,
         "Hidden=true: a deleted entry");
  PARSE ("[Desktop Entry]\nName=Shown\nHidden=false\n", true, "Shown", NULL,
         "Hidden=false keeps it");
  PARSE ("Name=Outside\nIcon=outside\n", false, NULL, NULL, "no group at all: not an entry");
  PARSE ("[Desktop Action new]\nName=Action\n[Desktop Entry]\nName=Entry\n", true, "Entry",
         NULL, "keys of another group are not the entry's");
  PARSE ("[Desktop Entry]\nName=First\n[Desktop Action x]\nIcon=action-icon\n", true, "First",
         NULL, "a later group ends the entry");
  PARSE ("[Desktop Entry]\nIcon=../../etc/passwd\nName=N\n", true, "N", NULL,
         "a relative icon path is refused");
  PARSE ("[Desktop Entry]\nIcon=/usr/share/pixmaps/app.png\n", true, NULL,
         "/usr/share/pixmaps/app.png", "an absolute icon path is kept");
  PARSE ("[Desktop Entry]\nName=\nIcon=\n", true, NULL, NULL, "empty values are no values");
  PARSE ("[Desktop Entry]\nName=Bell\a\n", true, NULL, NULL,
         "a value with a control character is refused");
  PARSE ("[Desktop Entry]\nName=Esc\\\x1b\n", true, NULL, NULL,
         "an escaped control character is refused too");
  PARSE ("[Desktop Entry]\nName=Trailing\\", true, "Trailing\\", NULL,
         "a backslash at the very end, no final newline");
  PARSE ("[Desktop Entry]\nName=Caf\xc3\xa9 \xe2\x98\x95\n", true, "Caf\xc3\xa9 \xe2\x98\x95",
         NULL, "UTF-8 is kept as it is");
  PARSE ("", false, NULL, NULL, "an empty file");
  PARSE ("[Desktop Entry", false, NULL, NULL, "a group header cut short");

  /* Binary: NULs inside the text, a NUL in the middle of a value. */
  {
    static const char bin[] = "\x7f" "ELF\0\0\0[Desktop Entry]\0\nName=Bin\0ary\nIcon=i\n";

    check_parse (bin, sizeof bin - 1, false, NULL, NULL,
                 "binary bytes before the group: no group line");
  }
  {
    static const char bin[] = "[Desktop Entry]\nName=Bin\0ary\nIcon=ok-icon\n";

    check_parse (bin, sizeof bin - 1, true, NULL, "ok-icon",
                 "a NUL inside a value refuses that value only");
  }

  /* A value longer than PH_DESKTOP_VALUE_MAX, and one exactly that long. */
  {
    size_t n = PH_DESKTOP_VALUE_MAX + 1;
    char *text = malloc (64 + n);
    int head = snprintf (text, 64, "[Desktop Entry]\nName=");

    memset (text + head, 'x', n);
    memcpy (text + head + n, "\nIcon=after-long\n", 17);
    check_parse (text, (size_t) head + n + 17, true, NULL, "after-long",
                 "a Name past the limit is dropped, the next key still read");
    {
      PhDesktopEntry entry;
      bool found = ph_desktop_entry_parse (text, (size_t) head + PH_DESKTOP_VALUE_MAX, &entry);

      ph_tap_ok (found && entry.name != NULL && strlen (entry.name) == PH_DESKTOP_VALUE_MAX,
                 "a Name of exactly %d bytes is kept", PH_DESKTOP_VALUE_MAX);
      if (found)
        ph_desktop_entry_clear (&entry);
    }
    free (text);
  }

  /* A megabyte on one line, then the keys: the parser walks it without trouble. */
  {
    size_t n = 1024 * 1024;
    char *text = malloc (n + 64);
    int head = snprintf (text, 64, "[Desktop Entry]\nComment=");
    size_t len;

    memset (text + head, 'y', n);
    len = (size_t) head + n;
    memcpy (text + len, "\nName=Long Lines\n", 17);
    len += 17;
    check_parse (text, len, true, "Long Lines", NULL,
                 "a 1 MiB line before Name (the parser itself has no line limit)");
    free (text);
  }
}

static void
test_app_id (void)
{
  static const struct
  {
    const char *id;
    bool        valid;
  } cases[] = {
    { "org.gnome.TextEditor", true },
    { "google-chrome", true },
    { "org.example.App_2", true },
    { "", false },
    { ".hidden", false },
    { "../../etc/passwd", false },
    { "org/example", false },
    { "a b", false },
    { "caf\xc3\xa9", false },
    { "new\nline", false },
  };
  char long_id[300];

  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    ph_tap_ok (ph_desktop_app_id_valid (cases[i].id) == cases[i].valid,
               "app id \"%s\" is %s", cases[i].id, cases[i].valid ? "valid" : "refused");
  ph_tap_ok (!ph_desktop_app_id_valid (NULL), "no app id is refused");
  memset (long_id, 'a', sizeof long_id - 1);
  long_id[255] = '\0';
  ph_tap_ok (ph_desktop_app_id_valid (long_id), "an app id of 255 bytes is valid");
  long_id[255] = 'a';
  long_id[256] = '\0';
  ph_tap_ok (!ph_desktop_app_id_valid (long_id), "an app id of 256 bytes is refused");
}

/* ---- files and the search ------------------------------------------------------------- */

static void
make_dirs (const char *path)
{
  char buf[512];

  snprintf (buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p != '\0'; p++)
    {
      if (*p == '/')
        {
          *p = '\0';
          mkdir (buf, 0755);
          *p = '/';
        }
    }
  mkdir (buf, 0755);
}

/* Writes DIR/applications/ID.desktop under the test folder; returns its path. */
static char *
write_entry (const char *dir,
             const char *id,
             const char *text)
{
  char folder[512];
  char *path = malloc (600);
  FILE *f;

  snprintf (folder, sizeof folder, "%s%s/applications", tmp, dir);
  make_dirs (folder);
  snprintf (path, 600, "%s/%s.desktop", folder, id);
  f = fopen (path, "w");
  if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0)
    ph_tap_bail_out ("cannot write %s", path);
  return path;
}

static bool
find (const char     *id,
      const char     *home,
      const char     *data_home,
      const char     *data_dirs,
      PhDesktopEntry *entry)
{
  PhBuf scratch = PH_BUF_INIT;
  bool found = ph_desktop_entry_find (id, home, data_home, data_dirs, &scratch, entry);

  ph_buf_free (&scratch);
  return found;
}

static void
test_find (void)
{
  char home[300], data_home[300], dirs[1200], path[600];
  PhDesktopEntry e;
  PhBuf scratch = PH_BUF_INIT;

  snprintf (home, sizeof home, "%s/home", tmp);
  snprintf (data_home, sizeof data_home, "%s/xdg-home", tmp);

  free (write_entry ("/home/.local/share", "org.porthole.Home", "[Desktop Entry]\nName=Home\n"));
  ph_tap_ok (find ("org.porthole.Home", home, NULL, NULL, &e) && str_is (e.name, "Home"),
             "~/.local/share/applications, with no XDG_DATA_HOME");
  ph_desktop_entry_clear (&e);

  free (write_entry ("/xdg-home", "org.porthole.Home", "[Desktop Entry]\nName=XDG Home\n"));
  ph_tap_ok (find ("org.porthole.Home", home, data_home, NULL, &e) && str_is (e.name, "XDG Home"),
             "XDG_DATA_HOME replaces ~/.local/share");
  ph_desktop_entry_clear (&e);
  ph_tap_ok (find ("org.porthole.Home", home, "relative/dir", NULL, &e)
             && str_is (e.name, "Home"),
             "a relative XDG_DATA_HOME is ignored");
  ph_desktop_entry_clear (&e);

  free (write_entry ("/one", "org.porthole.Dirs", "[Desktop Entry]\nName=One\n"));
  free (write_entry ("/two", "org.porthole.Dirs", "[Desktop Entry]\nName=Two\n"));
  free (write_entry ("/two", "org.porthole.Second", "[Desktop Entry]\nName=Only Two\n"));
  snprintf (dirs, sizeof dirs, "relative:%s/missing::%s/one:%s/two", tmp, tmp, tmp);
  ph_tap_ok (find ("org.porthole.Dirs", home, NULL, dirs, &e) && str_is (e.name, "One"),
             "XDG_DATA_DIRS in order: the first folder that has it wins");
  ph_desktop_entry_clear (&e);
  ph_tap_ok (find ("org.porthole.Second", home, NULL, dirs, &e) && str_is (e.name, "Only Two"),
             "relative, missing and empty folders are passed over");
  ph_desktop_entry_clear (&e);

  free (write_entry ("/xdg-home", "org.porthole.Dirs",
                     "[Desktop Entry]\nName=Gone\nHidden=true\n"));
  ph_tap_ok (!find ("org.porthole.Dirs", home, data_home, dirs, &e),
             "a Hidden=true entry found first hides the later ones");

  free (write_entry ("/home/.local/share/flatpak/exports/share", "org.porthole.Exported",
                     "[Desktop Entry]\nName=Exported\nIcon=org.porthole.Exported\n"));
  ph_tap_ok (find ("org.porthole.Exported", home, NULL, NULL, &e)
             && str_is (e.name, "Exported") && str_is (e.icon, "org.porthole.Exported"),
             "the user's Flatpak exports, even when XDG_DATA_DIRS does not name them");
  ph_desktop_entry_clear (&e);

  free (write_entry ("/one", "org.porthole.NoGroup", "Name=No group\n"));
  free (write_entry ("/two", "org.porthole.NoGroup", "[Desktop Entry]\nName=Real\n"));
  ph_tap_ok (find ("org.porthole.NoGroup", home, NULL, dirs, &e) && str_is (e.name, "Real"),
             "a file that is no desktop entry does not stop the search");
  ph_desktop_entry_clear (&e);

  ph_tap_ok (!find ("../one/applications/org.porthole.Dirs", home, NULL, dirs, &e),
             "an app id with a path in it is never looked up");
  ph_tap_ok (!find ("org.porthole.Nowhere", NULL, NULL, NULL, &e),
             "an entry that is nowhere is not found");

  /* Not regular files: a FIFO (which must not block), a device, a folder. */
  snprintf (path, sizeof path, "%s/one/applications/org.porthole.Fifo.desktop", tmp);
  if (mkfifo (path, 0644) == 0)
    {
      time_t t0 = time (NULL);

      ph_tap_ok (!ph_desktop_entry_read (path, &scratch, &e) && time (NULL) - t0 < 5,
                 "a FIFO in a desktop file's place is refused at once");
    }
  else
    ph_tap_skip (1, "cannot make a FIFO here");
  snprintf (path, sizeof path, "%s/one/applications/org.porthole.Zero.desktop", tmp);
  if (symlink ("/dev/zero", path) == 0)
    ph_tap_ok (!ph_desktop_entry_read (path, &scratch, &e),
               "a symbolic link to /dev/zero is refused (not a regular file)");
  else
    ph_tap_skip (1, "cannot make a symbolic link here");
  snprintf (path, sizeof path, "%s/one/applications/org.porthole.Folder.desktop", tmp);
  mkdir (path, 0755);
  ph_tap_ok (!ph_desktop_entry_read (path, &scratch, &e), "a folder is refused");

  /* A link to a real entry is followed: Flatpak's exports are links. */
  snprintf (path, sizeof path, "%s/two/applications/org.porthole.Link.desktop", tmp);
  {
    char target[600];

    snprintf (target, sizeof target, "%s/two/applications/org.porthole.Second.desktop", tmp);
    if (symlink (target, path) == 0)
      {
        ph_tap_ok (ph_desktop_entry_read (path, &scratch, &e) && str_is (e.name, "Only Two"),
                   "a symbolic link to an entry is followed");
        ph_desktop_entry_clear (&e);
      }
    else
      ph_tap_skip (1, "cannot make a symbolic link here");
  }

  /* A huge file whose keys come after PH_DESKTOP_FILE_MAX bytes: they are never read. */
  {
    size_t pad = PH_DESKTOP_FILE_MAX;
    char *text = malloc (pad + 64);
    char *file;
    int head = snprintf (text, 64, "[Desktop Entry]\n#");

    memset (text + head, 'z', pad);
    snprintf (text + head + pad, 64, "\nName=Too Far\n");
    file = write_entry ("/one", "org.porthole.Huge", text);
    ph_tap_ok (ph_desktop_entry_read (file, &scratch, &e) && e.name == NULL,
               "keys past %d KiB are not read", PH_DESKTOP_FILE_MAX / 1024);
    ph_desktop_entry_clear (&e);
    free (file);
    free (text);
  }

  /* Random bytes: no crash, and whatever comes out is bounded and free of controls. */
  {
    uint32_t state = 42;
    bool sane = true;

    for (int round = 0; round < 200; round++)
      {
        char text[2048];
        size_t len = 0;

        len = (size_t) snprintf (text, sizeof text, "[Desktop Entry]\n");
        while (len < sizeof text)
          {
            state = state * 1103515245u + 12345u;
            text[len++] = (char) (state >> 16);
            if ((state & 31) == 0 && len + 6 < sizeof text)
              {
                memcpy (text + len, "\nName=", 6);
                len += 6;
              }
          }
        if (ph_desktop_entry_parse (text, len, &e))
          {
            for (const char *q = e.name; q != NULL && *q != '\0'; q++)
              sane &= (unsigned char) *q >= 0x20 && *q != 0x7f;
            sane &= e.name == NULL || strlen (e.name) <= PH_DESKTOP_VALUE_MAX;
            ph_desktop_entry_clear (&e);
          }
      }
    ph_tap_ok (sane, "200 files of random bytes: names stay short and free of control bytes");
  }

  ph_buf_free (&scratch);
}

/* A sandbox's /.flatpak-info names its app in [Application] name=. */
static void
test_flatpak_info (void)
{
  static const struct
  {
    const char *text;
    const char *app;   /* NULL: no app */
    const char *what;
  } cases[] = {
    { "[Application]\nname=org.gnome.Maps\nruntime=runtime/org.gnome.Platform/x86_64/50\n\n"
      "[Instance]\ninstance-id=123\n", "org.gnome.Maps", "an app's sandbox" },
    { "[Instance]\ninstance-id=1\n\n[Application]\r\nname = org.example.App \r\n",
      "org.example.App", "the group later, CRLF, spaces around =" },
    { "[Runtime]\nname=org.gnome.Platform\n", NULL, "a runtime's sandbox: no app" },
    { "[Instance]\nname=org.example.NotHere\n", NULL, "name= outside [Application]" },
    { "[Application]\nname=../../etc/passwd\n", NULL, "a path is no app ID" },
    { "[Application]\nname=NoDots\n", NULL, "an app ID has dots" },
    { "[Application]\nname=\n", NULL, "an empty name" },
    { "[Application]\nname=org.example.\001Bad\n", NULL, "a control character" },
    { "", NULL, "an empty file" },
  };
  char long_id[400];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      char *app = ph_flatpak_info_parse_app (cases[i].text, strlen (cases[i].text));

      ph_tap_ok (cases[i].app == NULL ? app == NULL : str_is (app, cases[i].app),
                 "/.flatpak-info: %s (%s)", cases[i].what, app != NULL ? app : "none");
      free (app);
    }
  memset (long_id, 'a', sizeof long_id);
  memcpy (long_id, "[Application]\nname=org.", strlen ("[Application]\nname=org."));
  {
    char *app = ph_flatpak_info_parse_app (long_id, sizeof long_id);

    ph_tap_ok (app == NULL, "/.flatpak-info: an app ID of hundreds of bytes is refused");
    free (app);
  }
}

static void
remove_tree (const char *dir)
{
  char cmd[400];

  snprintf (cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system (cmd) != 0)
    ph_tap_diag ("could not remove %s", dir);
}

int
main (void)
{
  snprintf (tmp, sizeof tmp, "/tmp/ph-test-desktop-XXXXXX");
  if (mkdtemp (tmp) == NULL)
    ph_tap_bail_out ("cannot make a temporary folder: %s", strerror (errno));

  test_parse ();
  test_app_id ();
  test_find ();
  test_flatpak_info ();

  remove_tree (tmp);
  return ph_tap_done_testing ();
}
