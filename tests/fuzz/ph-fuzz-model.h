/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-fuzz-model.h: display-safety checks on the model, shared by the core fuzz targets */
#pragma once

#include "ph-fuzz.h"
#include "ph-process.h"
#include "ph-protocol-reader.h"
#include "ph-service-list.h"

/* What a window, a table or JSON shows must be valid UTF-8 with no control characters,
 * no bidi overrides, no escapes (ph_protocol_is_display_safe()). */
static inline void
ph_fuzz_check_display (const char *text,
                       const char *what)
{
  PH_FUZZ_ASSERT (ph_protocol_is_display_safe (text, -1), what);
}

static inline void
ph_fuzz_check_identity (PhAppIdentity *identity)
{
  if (identity == NULL)
    return;
  ph_fuzz_check_display (ph_app_identity_get_name (identity), "identity name");
  ph_fuzz_check_display (ph_app_identity_get_subtitle (identity), "identity subtitle");
  ph_fuzz_check_display (ph_app_identity_get_description (identity), "identity description");
  ph_fuzz_check_display (ph_app_identity_get_tool (identity), "identity tool");
}

static inline void
ph_fuzz_check_process (PhProcess *process)
{
  const char * const *argv = ph_process_get_argv (process);
  g_autofree char *name = ph_process_dup_display_name (process);

  ph_fuzz_check_display (name, "process display name");
  ph_fuzz_check_display (ph_process_get_comm (process), "comm");
  ph_fuzz_check_display (ph_process_get_exe (process), "exe");
  ph_fuzz_check_display (ph_process_get_cwd (process), "cwd");
  ph_fuzz_check_display (ph_process_get_user (process), "user");
  ph_fuzz_check_display (ph_process_get_command_line (process), "command line");
  ph_fuzz_check_display (ph_process_get_unit (process), "unit");
  ph_fuzz_check_display (ph_process_get_app_id (process), "app id");
  ph_fuzz_check_display (ph_process_get_container (process), "container");
  for (guint i = 0; argv != NULL && argv[i] != NULL; i++)
    ph_fuzz_check_display (argv[i], "argument");
  ph_fuzz_check_identity (ph_process_get_identity (process));
}

static inline void
ph_fuzz_check_service (PhService *service)
{
  g_autofree char *address = ph_service_dup_display_address (service);
  ph_fuzz_check_display (address, "display address");
  ph_fuzz_check_display (ph_service_get_user (service), "socket user");
  ph_fuzz_check_display (ph_service_get_group_name (service), "group name");
  ph_fuzz_check_display (ph_service_get_group_subtitle (service), "group subtitle");
  for (guint i = 0; i < ph_service_get_n_owners (service); i++)
    ph_fuzz_check_process (ph_service_get_owner (service, i));
  ph_fuzz_check_identity (ph_service_get_identity (service));
}
