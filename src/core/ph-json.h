/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-json.h — a strict JSON reader into GVariant, for the container engines' API answers */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PH_JSON_ERROR (ph_json_error_quark ())
typedef enum
{
  PH_JSON_ERROR_INVALID,
} PhJsonError;
GQuark    ph_json_error_quark  (void);

/* Objects become a{sv} (later duplicate keys win on lookup order: first kept), arrays av,
 * strings s, numbers d, true/false b, null the unit "()". At most 64 levels deep. */
GVariant *ph_json_parse        (const char  *text,
                                gsize        length,
                                GError     **error);

/* Lookups that tolerate a missing or mistyped member: NULL, or the default. */
GVariant   *ph_json_member       (GVariant   *object,
                                  const char *key);
const char *ph_json_get_string   (GVariant   *object,
                                  const char *key);
gint64      ph_json_get_int      (GVariant   *object,
                                  const char *key,
                                  gint64      fallback);

G_END_DECLS
