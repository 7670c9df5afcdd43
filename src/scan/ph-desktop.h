/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-desktop.h — a desktop app's name and icon from its .desktop file, read by hand (no GLib) */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ph-buf.h"

/* Beyond this a .desktop file is not read further: Name and Icon come first in real ones. */
#define PH_DESKTOP_FILE_MAX  (64 * 1024)
/* A longer Name or Icon is not a name: it is left out. */
#define PH_DESKTOP_VALUE_MAX 512
/* At most this many folders of XDG_DATA_DIRS are searched. */
#define PH_DESKTOP_DIRS_MAX  32

typedef struct
{
  char *name;   /* Name= of the [Desktop Entry] group (not localised), or NULL */
  char *icon;   /* Icon=: a themed icon name or an absolute path, or NULL */
} PhDesktopEntry;

void ph_desktop_entry_clear (PhDesktopEntry *entry);

/* Parses the text of a .desktop file (any bytes, @len of them): Name= and Icon= of its
 * [Desktop Entry] group, the first of each; keys outside that group, localised keys
 * (Name[de]=) and values that are too long or hold control characters are ignored.
 * Returns true when the text has a [Desktop Entry] group and it is not Hidden=true (a
 * deleted entry); @entry is filled only then. */
bool ph_desktop_entry_parse (const char *text, size_t len, PhDesktopEntry *entry);

/* Whether @app_id can be the name of a desktop file: letters, digits, '.', '_' and '-', not
 * starting with '.', at most 255 bytes. Anything else (a '/', above all) is refused. */
bool ph_desktop_app_id_valid (const char *app_id);

/* Reads one file: a regular file only (never a FIFO or a device), at most
 * PH_DESKTOP_FILE_MAX bytes. Returns what ph_desktop_entry_parse() returns, false when the
 * file cannot be read. */
bool ph_desktop_entry_read (const char *path, PhBuf *scratch, PhDesktopEntry *entry);

/* Finds <app_id>.desktop as a desktop session would, for a user whose home is @home
 * (NULL when unknown), with @data_home and @data_dirs from that session's XDG_DATA_HOME and
 * XDG_DATA_DIRS (NULL when unknown): @data_home or ~/.local/share, each folder of
 * @data_dirs, then the user's and the system's Flatpak exports, /usr/local/share and
 * /usr/share. Only absolute folders count. The first entry found decides (a Hidden=true
 * one hides those after it). Returns true with @entry filled. */
bool ph_desktop_entry_find (const char *app_id, const char *home, const char *data_home,
                            const char *data_dirs, PhBuf *scratch, PhDesktopEntry *entry);

/* The app ID in the [Application] group (name=) of a Flatpak sandbox's /.flatpak-info, or
 * NULL (no such group, a runtime-only sandbox, or not a valid app ID). Malloc'd. */
char *ph_flatpak_info_parse_app (const char *text, size_t len);

/* The same, read from the root of the process whose /proc/PID @pid_dirfd is (its
 * root/.flatpak-info, seen from outside the sandbox): a regular file only, at most
 * PH_DESKTOP_FILE_MAX bytes. NULL when the process is in no Flatpak sandbox or its root
 * cannot be read (another user's process). */
char *ph_flatpak_info_read_app (int pid_dirfd, PhBuf *scratch);
/* The same through @dirfd and @dir: /proc/PID and "", or /proc and "PID/". */
char *ph_flatpak_info_read_app_in (int dirfd, const char *dir, PhBuf *scratch);
