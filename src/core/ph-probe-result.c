/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe-result.c: PhProbeResult: what answered on a port, in words and facts */

#include "config.h"

#include <glib/gi18n.h>

#include "ph-probe-private.h"

G_DEFINE_ENUM_TYPE (PhProbeKind, ph_probe_kind,
  G_DEFINE_ENUM_VALUE (PH_PROBE_KIND_NONE, "none"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_KIND_BANNER, "banner"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_KIND_HTTP, "http"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_KIND_HTTPS, "https"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_KIND_TLS, "tls"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_KIND_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_KIND_SKIPPED, "skipped"))

G_DEFINE_ENUM_TYPE (PhProbeFailure, ph_probe_failure,
  G_DEFINE_ENUM_VALUE (PH_PROBE_FAILURE_NONE, "none"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_FAILURE_REFUSED, "refused"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_FAILURE_TIMED_OUT, "timed-out"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_FAILURE_CLOSED, "closed"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_FAILURE_SILENT, "silent"),
  G_DEFINE_ENUM_VALUE (PH_PROBE_FAILURE_UNREACHABLE, "unreachable"))

G_DEFINE_FINAL_TYPE (PhProbeResult, ph_probe_result, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_FAILURE,
  PROP_SUMMARY,
  PROP_PROTOCOL,
  PROP_SCHEME,
  PROP_CAN_OPEN,
  PROP_TLS,
  PROP_STATUS_CODE,
  PROP_REASON_PHRASE,
  PROP_SERVER,
  PROP_TITLE,
  PROP_LOCATION,
  PROP_BANNER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ph_probe_result_finalize (GObject *object)
{
  PhProbeResult *self = PH_PROBE_RESULT (object);

  g_clear_pointer (&self->summary, g_free);
  g_clear_pointer (&self->protocol, g_free);
  g_clear_pointer (&self->reason_phrase, g_free);
  g_clear_pointer (&self->server, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->location, g_free);
  g_clear_pointer (&self->banner, g_free);

  G_OBJECT_CLASS (ph_probe_result_parent_class)->finalize (object);
}

static void
ph_probe_result_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PhProbeResult *self = PH_PROBE_RESULT (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_FAILURE:
      g_value_set_enum (value, self->failure);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, self->protocol);
      break;
    case PROP_SCHEME:
      g_value_set_string (value, ph_probe_result_get_scheme (self));
      break;
    case PROP_CAN_OPEN:
      g_value_set_boolean (value, ph_probe_result_get_can_open (self));
      break;
    case PROP_TLS:
      g_value_set_boolean (value, self->tls);
      break;
    case PROP_STATUS_CODE:
      g_value_set_uint (value, self->status_code);
      break;
    case PROP_REASON_PHRASE:
      g_value_set_string (value, self->reason_phrase);
      break;
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_BANNER:
      g_value_set_string (value, self->banner);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ph_probe_result_class_init (PhProbeResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ph_probe_result_finalize;
  object_class->get_property = ph_probe_result_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, PH_TYPE_PROBE_KIND, PH_PROBE_KIND_NONE, flags);
  properties[PROP_FAILURE] =
    g_param_spec_enum ("failure", NULL, NULL,
                       PH_TYPE_PROBE_FAILURE, PH_PROBE_FAILURE_NONE, flags);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, flags);
  properties[PROP_PROTOCOL] = g_param_spec_string ("protocol", NULL, NULL, NULL, flags);
  properties[PROP_SCHEME] = g_param_spec_string ("scheme", NULL, NULL, NULL, flags);
  properties[PROP_CAN_OPEN] = g_param_spec_boolean ("can-open", NULL, NULL, FALSE, flags);
  properties[PROP_TLS] = g_param_spec_boolean ("tls", NULL, NULL, FALSE, flags);
  properties[PROP_STATUS_CODE] =
    g_param_spec_uint ("status-code", NULL, NULL, 0, 999, 0, flags);
  properties[PROP_REASON_PHRASE] =
    g_param_spec_string ("reason-phrase", NULL, NULL, NULL, flags);
  properties[PROP_SERVER] = g_param_spec_string ("server", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_LOCATION] = g_param_spec_string ("location", NULL, NULL, NULL, flags);
  properties[PROP_BANNER] = g_param_spec_string ("banner", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ph_probe_result_init (PhProbeResult *self)
{
}

PhProbeResult *
ph_probe_result_new (PhProbeKind kind)
{
  PhProbeResult *self = g_object_new (PH_TYPE_PROBE_RESULT, NULL);

  self->kind = kind;
  return self;
}

PhProbeResult *
ph_probe_result_new_nothing (PhProbeFailure  failure,
                    const GError   *error)
{
  PhProbeResult *self = ph_probe_result_new (PH_PROBE_KIND_NONE);

  self->failure = failure;
  switch (failure)
    {
    case PH_PROBE_FAILURE_REFUSED:
      self->summary = g_strdup (_("Nothing answers: the connection was refused"));
      break;
    case PH_PROBE_FAILURE_TIMED_OUT:
      self->summary = g_strdup (_("Nothing answers: the connection timed out"));
      break;
    case PH_PROBE_FAILURE_CLOSED:
      self->summary = g_strdup (_("Accepts connections, then closes them without a word"));
      break;
    case PH_PROBE_FAILURE_SILENT:
      self->summary = g_strdup (_("Accepts connections but does not answer"));
      break;
    case PH_PROBE_FAILURE_UNREACHABLE:
    case PH_PROBE_FAILURE_NONE:
    default:
      self->failure = PH_PROBE_FAILURE_UNREACHABLE;
      self->summary = g_strdup_printf (_("Could not connect: %s"),
                                       error ? error->message : _("unknown error"));
      break;
    }
  return self;
}

PhProbeResult *
ph_probe_result_new_skipped (const char *service)
{
  PhProbeResult *self = ph_probe_result_new (PH_PROBE_KIND_SKIPPED);

  self->protocol = g_strdup (_(service));
  self->summary = g_strdup_printf (_("Accepts connections; probably %s, so nothing was sent"),
                                   _(service));
  return self;
}

PhProbeResult *
ph_probe_result_new_tls (const char *service)
{
  PhProbeResult *self = ph_probe_result_new (PH_PROBE_KIND_TLS);

  self->tls = TRUE;
  if (service != NULL)
    {
      self->protocol = g_strdup (_(service));
      self->summary = g_strdup_printf (_("Answers with TLS (probably %s)"), _(service));
    }
  else
    {
      self->summary = g_strdup (_("Answers with TLS"));
    }
  return self;
}

PhProbeResult *
ph_probe_result_new_unknown (const guint8 *data,
                    gsize         len)
{
  PhProbeResult *self = ph_probe_result_new (PH_PROBE_KIND_UNKNOWN);

  self->summary = g_strdup (_("Answers with data Porthole does not recognise"));
  if (ph_probe_looks_like_text (data, len))
    self->banner = ph_probe_sanitize_text (data, len, PH_PROBE_TEXT_LIMIT);
  else
    self->banner = ph_probe_hex_preview (data, len);
  return self;
}

PhProbeKind
ph_probe_result_get_kind (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), PH_PROBE_KIND_NONE);
  return self->kind;
}

PhProbeFailure
ph_probe_result_get_failure (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), PH_PROBE_FAILURE_NONE);
  return self->failure;
}

const char *
ph_probe_result_get_summary (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), NULL);
  return self->summary;
}

const char *
ph_probe_result_get_protocol (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), NULL);
  return self->protocol;
}

const char *
ph_probe_result_get_scheme (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), NULL);

  if (self->kind == PH_PROBE_KIND_HTTP)
    return "http";
  if (self->kind == PH_PROBE_KIND_HTTPS)
    return "https";
  return NULL;
}

gboolean
ph_probe_result_get_can_open (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), FALSE);
  return self->kind == PH_PROBE_KIND_HTTP || self->kind == PH_PROBE_KIND_HTTPS;
}

gboolean
ph_probe_result_get_tls (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), FALSE);
  return self->tls;
}

guint
ph_probe_result_get_status_code (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), 0);
  return self->status_code;
}

const char *
ph_probe_result_get_reason_phrase (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), NULL);
  return self->reason_phrase;
}

const char *
ph_probe_result_get_server (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), NULL);
  return self->server;
}

const char *
ph_probe_result_get_title (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), NULL);
  return self->title;
}

const char *
ph_probe_result_get_location (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), NULL);
  return self->location;
}

const char *
ph_probe_result_get_banner (PhProbeResult *self)
{
  g_return_val_if_fail (PH_IS_PROBE_RESULT (self), NULL);
  return self->banner;
}
