/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-passwd.h — user names from /etc/passwd, read by hand (no NSS in a static helper) */
#pragma once

#include <stdint.h>

/* The name of @uid, or NULL when /etc/passwd does not know it. The file is read once and
 * again only when it changed; the string stays valid until then. */
const char *ph_passwd_lookup (uint32_t uid);

/* The home folder of @uid (an absolute path), or NULL; valid as long as the name. */
const char *ph_passwd_lookup_home (uint32_t uid);

/* Uses another file instead of /etc/passwd (tests); NULL goes back to it. */
void        ph_passwd_set_path (const char *path);
