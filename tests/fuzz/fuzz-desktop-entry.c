/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-desktop-entry.c: a .desktop entry (anyone can put one in ~/.local/share/applications)
 * as it names an app's listeners: name, icon, description, terminal or not */
#include "ph-app-identity-private.h"
#include "ph-fuzz-model.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GDesktopAppInfo) info = NULL;
  g_autoptr(PhAppIdentity) identity = NULL;
  PhProcessFacts facts = {
    .manager = "app",
    .app_id = "org.example.Fuzz",
    .unit = "app-gnome-org.example.Fuzz-4242.scope",
  };

  if (!g_key_file_load_from_data (keyfile, (const char *) data, size, G_KEY_FILE_NONE, NULL))
    return 0;
  info = g_desktop_app_info_new_from_keyfile (keyfile);
  if (info == NULL)
    return 0;
  (void) ph_app_identity_is_terminal_app (info, facts.app_id);
  identity = ph_app_identity_new_for_app_info (&facts, info, FALSE);
  PH_FUZZ_ASSERT (identity != NULL, "an app always has an identity");
  ph_fuzz_check_identity (identity);
  return 0;
}
