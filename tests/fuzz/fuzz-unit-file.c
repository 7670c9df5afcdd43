/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-unit-file.c: a systemd unit file's Description, with its specifiers expanded for the
 * unit name given on the first line (unit files in ~/.config/systemd/user are anyone's) */
#include "ph-app-identity-private.h"
#include "ph-fuzz.h"
#include "ph-protocol-reader.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = ph_fuzz_strndup (data, size);
  char *nl = strchr (text, '\n');
  const char *unit = "app@instance.service";
  const char *contents = text;
  g_autofree char *description = NULL;

  if (nl != NULL)
    {
      *nl = '\0';
      unit = text;
      contents = nl + 1;
    }
  description = ph_unit_parse_description (contents);
  if (description != NULL)
    {
      g_autofree char *expanded = ph_unit_expand_specifiers (description, unit);

      PH_FUZZ_ASSERT (expanded != NULL, "expanding gives a text");
      PH_FUZZ_ASSERT (ph_protocol_is_display_safe (description, -1),
                      "a description is display-safe");
      /* unit names come from the model, in their display form */
      PH_FUZZ_ASSERT (ph_protocol_is_display_safe (expanded, -1)
                      || !ph_protocol_is_display_safe (unit, -1),
                      "so is its expansion for a unit name that is");
    }
  return 0;
}
