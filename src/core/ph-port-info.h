/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-port-info.h — what a port number means: class, ephemeral range, IANA, common use, free? */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PH_PORT_INFO_ERROR (ph_port_info_error_quark ())

typedef enum
{
  PH_PORT_INFO_ERROR_PARSE,          /* a data file or /proc value is malformed */
  PH_PORT_INFO_ERROR_PERMISSION,     /* only the administrator may bind this port */
  PH_PORT_INFO_ERROR_NOT_CHECKABLE,  /* port 0, or an address this check cannot use */
  PH_PORT_INFO_ERROR_FAILED,
} PhPortInfoError;

typedef enum
{
  PH_PORT_PROTOCOL_TCP,
  PH_PORT_PROTOCOL_UDP,
} PhPortProtocol;

/* The three ranges of RFC 6335 §6. */
typedef enum
{
  PH_PORT_CLASS_SYSTEM,   /* 0–1023, "well-known" */
  PH_PORT_CLASS_USER,     /* 1024–49151, "registered" */
  PH_PORT_CLASS_DYNAMIC,  /* 49152–65535, "dynamic" or "private" */
} PhPortClass;

typedef struct
{
  guint first;
  guint last;
} PhPortRange;

/* Linux's default for net.ipv4.ip_local_port_range. */
#define PH_EPHEMERAL_DEFAULT_FIRST 32768
#define PH_EPHEMERAL_DEFAULT_LAST  60999

typedef struct
{
  const char *name;         /* IANA service name, may be "" (e.g. for "Reserved") */
  const char *description;  /* IANA's description, English, may be "" */
} PhIanaService;

/* One entry of data/ports-common.ini; label and description are the English msgids. */
typedef struct
{
  guint   port;
  guint   protocols;        /* bit (1 << PhPortProtocol) for each protocol */
  char   *label;
  char   *description;
  char  **programs;
} PhCommonPort;

typedef enum
{
  PH_PORT_STATUS_UNKNOWN,    /* could not tell; the GError says why */
  PH_PORT_STATUS_FREE,       /* nothing holds it: a program could listen on it now */
  PH_PORT_STATUS_IN_USE,     /* something on this computer holds it */
  PH_PORT_STATUS_LINGERING,  /* only connections that closed a moment ago (TIME_WAIT) */
  PH_PORT_STATUS_NOT_LOCAL,  /* the address does not belong to this computer */
} PhPortStatus;

GQuark              ph_port_info_error_quark          (void);

const char         *ph_port_protocol_to_string        (PhPortProtocol      protocol);
gboolean            ph_port_protocol_from_string      (const char         *text,
                                                       PhPortProtocol     *protocol);

PhPortClass         ph_port_class_for_port            (guint               port);
void                ph_port_class_get_range           (PhPortClass         port_class,
                                                       guint              *first,
                                                       guint              *last);
const char         *ph_port_class_get_name            (PhPortClass         port_class);
const char         *ph_port_class_get_explanation     (PhPortClass         port_class);
const char         *ph_port_class_get_short_name      (PhPortClass         port_class);
const char         *ph_port_class_get_column_name     (PhPortClass         port_class);
const char         *ph_port_class_to_string           (PhPortClass         port_class);

gboolean            ph_port_range_parse               (const char         *text,
                                                       PhPortRange        *range,
                                                       GError            **error);
gboolean            ph_port_range_read_ephemeral      (const char         *path,
                                                       PhPortRange        *range,
                                                       GError            **error);
gboolean            ph_port_range_get_ephemeral       (PhPortRange        *range);
gboolean            ph_port_range_contains            (const PhPortRange  *range,
                                                       guint               port);

GArray             *ph_iana_lookup                    (guint               port,
                                                       PhPortProtocol      protocol);
const char         *ph_iana_get_name                  (guint               port,
                                                       PhPortProtocol      protocol);
GArray             *ph_iana_lookup_in                 (GBytes             *bytes,
                                                       guint               port,
                                                       PhPortProtocol      protocol);
gsize               ph_iana_get_n_records             (void);
gsize               ph_iana_get_table_size            (void);

const PhCommonPort *ph_common_port_lookup             (guint               port,
                                                       PhPortProtocol      protocol);
const char         *ph_common_port_get_label          (const PhCommonPort *common);
const char         *ph_common_port_get_description    (const PhCommonPort *common);
GPtrArray          *ph_common_ports_parse             (GBytes             *data,
                                                       GError            **error);
GPtrArray          *ph_common_ports_get_all           (void);
void                ph_common_port_free               (PhCommonPort       *common);

PhPortStatus        ph_port_check                     (const char         *host,
                                                       guint               port,
                                                       PhPortProtocol      protocol,
                                                       GError            **error);
const char         *ph_port_status_to_string          (PhPortStatus        status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhCommonPort, ph_common_port_free)

G_END_DECLS
