/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-protocol-reader.h — one line of porthole-helper's protocol (src/scan/PROTOCOL.md) */
#pragma once

#include <glib.h>

/* The version, record kinds and keys, shared with the helper that writes them. */
#include "ph-protocol-defs.h"

G_BEGIN_DECLS

#define PH_PROTOCOL_ERROR (ph_protocol_error_quark ())

typedef enum
{
  PH_PROTOCOL_ERROR_MALFORMED,
  PH_PROTOCOL_ERROR_BAD_ESCAPE,
  PH_PROTOCOL_ERROR_MISSING_KEY,
  PH_PROTOCOL_ERROR_BAD_NUMBER,
} PhProtocolError;

GQuark ph_protocol_error_quark (void);

typedef struct _PhRecord PhRecord;

PhRecord     *ph_record_parse         (const char      *line,
                                       gssize           len,
                                       GError         **error);
PhRecord     *ph_record_ref           (PhRecord        *self);
void          ph_record_unref         (PhRecord        *self);
PhRecordKind  ph_record_get_kind      (const PhRecord  *self);
const char   *ph_record_get_type_name (const PhRecord  *self);
guint         ph_record_get_n_fields  (const PhRecord  *self);
const char   *ph_record_get_key       (const PhRecord  *self,
                                       guint            index);
gboolean      ph_record_has           (const PhRecord  *self,
                                       const char      *key);
const char   *ph_record_get           (const PhRecord  *self,
                                       const char      *key,
                                       gsize           *len);
GBytes       *ph_record_dup_bytes     (const PhRecord  *self,
                                       const char      *key);
gboolean      ph_record_get_uint64    (const PhRecord  *self,
                                       const char      *key,
                                       guint64         *value,
                                       GError         **error);
gboolean      ph_record_get_int64     (const PhRecord  *self,
                                       const char      *key,
                                       gint64          *value,
                                       GError         **error);
guint64       ph_record_get_uint64_or (const PhRecord  *self,
                                       const char      *key,
                                       guint64          fallback);

gboolean      ph_protocol_parse_decimal (const char    *text,
                                         gsize          len,
                                         guint64        max,
                                         guint64       *value);
char         *ph_protocol_unescape    (const char      *value,
                                       gsize            len,
                                       gsize           *out_len,
                                       GError         **error);
char         *ph_protocol_escape      (const char      *bytes,
                                       gsize            len);
char         *ph_protocol_make_valid  (const char      *bytes,
                                       gssize           len);
char         *ph_protocol_display     (const char      *bytes,
                                       gssize           len);
gboolean      ph_protocol_is_display_safe (const char  *bytes,
                                           gssize       len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhRecord, ph_record_unref)

G_END_DECLS
