/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe.c: find out what answers on a TCP port, politely and without hanging */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-probe.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 1500
#define DEFAULT_BANNER_TIMEOUT_MS 400
#define DEFAULT_READ_TIMEOUT_MS 2000
#define CLOSE_TIMEOUT_MS 500
#define READ_LIMIT 8192
#define TEXT_LIMIT 200
#define GREETING_LIMIT 80

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

/* ---------------------------------------------------------------------------------------
 * What must not be sent an HTTP request. Client-first servers such as Redis and PostgreSQL
 * log a stray "GET /" as an attack (Redis even as a "cross protocol scripting" attempt), so
 * they are asked nothing. Ports that speak TLS from the first byte are greeted with TLS.
 * ------------------------------------------------------------------------------------- */

typedef enum
{
  PORT_NOT_HTTP, /* plain, client-first, not HTTP: send nothing */
  PORT_TLS_HTTP, /* TLS from the first byte, HTTP inside */
  PORT_TLS_ONLY, /* TLS from the first byte, no HTTP inside: handshake, listen, send nothing */
} PortRule;

static const struct
{
  guint16 port;
  PortRule rule;
  const char *service;
} port_rules[] = {
  { 53, PORT_NOT_HTTP, N_("DNS") },
  { 111, PORT_NOT_HTTP, N_("the RPC port mapper") },
  { 135, PORT_NOT_HTTP, N_("Microsoft RPC") },
  { 139, PORT_NOT_HTTP, N_("NetBIOS") },
  { 389, PORT_NOT_HTTP, N_("LDAP") },
  { 443, PORT_TLS_HTTP, NULL },
  { 445, PORT_NOT_HTTP, N_("Windows file sharing (SMB)") },
  { 465, PORT_TLS_ONLY, N_("SMTP over TLS") },
  { 515, PORT_NOT_HTTP, N_("LPD printing") },
  { 636, PORT_TLS_ONLY, N_("LDAP over TLS") },
  { 853, PORT_TLS_ONLY, N_("DNS over TLS") },
  { 990, PORT_TLS_ONLY, N_("FTP over TLS") },
  { 993, PORT_TLS_ONLY, N_("IMAP over TLS") },
  { 995, PORT_TLS_ONLY, N_("POP3 over TLS") },
  { 1433, PORT_NOT_HTTP, N_("Microsoft SQL Server") },
  { 1521, PORT_NOT_HTTP, N_("Oracle Database") },
  { 1883, PORT_NOT_HTTP, N_("MQTT") },
  { 2049, PORT_NOT_HTTP, N_("NFS") },
  { 2181, PORT_NOT_HTTP, N_("ZooKeeper") },
  { 3260, PORT_NOT_HTTP, N_("iSCSI") },
  { 3306, PORT_NOT_HTTP, N_("MySQL") },
  { 3389, PORT_NOT_HTTP, N_("Remote Desktop (RDP)") },
  { 4369, PORT_NOT_HTTP, N_("the Erlang port mapper") },
  { 5037, PORT_NOT_HTTP, N_("Android Debug Bridge") },
  { 5060, PORT_NOT_HTTP, N_("SIP") },
  { 5061, PORT_TLS_ONLY, N_("SIP over TLS") },
  { 5432, PORT_NOT_HTTP, N_("PostgreSQL") },
  { 5433, PORT_NOT_HTTP, N_("PostgreSQL") },
  { 5672, PORT_NOT_HTTP, N_("AMQP (RabbitMQ)") },
  { 6379, PORT_NOT_HTTP, N_("Redis") },
  { 6380, PORT_NOT_HTTP, N_("Redis") },
  { 6697, PORT_TLS_ONLY, N_("IRC over TLS") },
  { 8443, PORT_TLS_HTTP, NULL },
  { 8883, PORT_TLS_ONLY, N_("MQTT over TLS") },
  { 9042, PORT_NOT_HTTP, N_("Cassandra") },
  { 9092, PORT_NOT_HTTP, N_("Kafka") },
  { 9160, PORT_NOT_HTTP, N_("Cassandra") },
  { 9443, PORT_TLS_HTTP, NULL },
  { 11211, PORT_NOT_HTTP, N_("memcached") },
  { 25672, PORT_NOT_HTTP, N_("RabbitMQ") },
  { 26379, PORT_NOT_HTTP, N_("Redis Sentinel") },
  { 27017, PORT_NOT_HTTP, N_("MongoDB") },
  { 27018, PORT_NOT_HTTP, N_("MongoDB") },
  { 27019, PORT_NOT_HTTP, N_("MongoDB") },
  { 28015, PORT_NOT_HTTP, N_("RethinkDB") },
  { 61616, PORT_NOT_HTTP, N_("ActiveMQ") },
};

/* Programs that speak something else than HTTP on every port they open. A trailing '*'
 * matches a prefix (php-fpm8.2). */
static const struct
{
  const char *program;
  const char *service;
} program_rules[] = {
  { "redis-server", N_("Redis") },
  { "redis-sentinel", N_("Redis Sentinel") },
  { "valkey-server", N_("Valkey") },
  { "keydb-server", N_("KeyDB") },
  { "postgres", N_("PostgreSQL") },
  { "postmaster", N_("PostgreSQL") },
  { "pgbouncer", N_("PgBouncer") },
  { "pgpool", N_("Pgpool") },
  { "mysqld", N_("MySQL") },
  { "mariadbd", N_("MariaDB") },
  { "mongod", N_("MongoDB") },
  { "mongos", N_("MongoDB") },
  { "memcached", N_("memcached") },
  { "epmd", N_("the Erlang port mapper") },
  { "mosquitto", N_("MQTT") },
  { "smbd", N_("Windows file sharing (SMB)") },
  { "rpcbind", N_("the RPC port mapper") },
  { "rpc.statd", N_("NFS") },
  { "rpc.mountd", N_("NFS") },
  { "dnsmasq", N_("DNS") },
  { "named", N_("DNS") },
  { "unbound", N_("DNS") },
  { "systemd-resolve", N_("DNS") },
  { "slapd", N_("LDAP") },
  { "Xorg", N_("the X window system") },
  { "Xwayland", N_("the X window system") },
  { "adb", N_("Android Debug Bridge") },
  { "php-fpm*", N_("PHP-FPM (FastCGI)") },
};

/* "/usr/bin/redis-server" and retitled processes ("postgres: 17/main: checkpointer") */
static char *
program_base_name (const char *program)
{
  g_autofree char *word = g_strndup (program, strcspn (program, " :"));

  return g_path_get_basename (word);
}

static gboolean
program_matches (const char *pattern,
                 const char *name)
{
  gsize len = strlen (pattern);

  if (len > 0 && pattern[len - 1] == '*')
    return strncmp (pattern, name, len - 1) == 0;
  return strcmp (pattern, name) == 0;
}

static const char *
program_non_http (const char *program)
{
  g_autofree char *name = NULL;

  if (program == NULL || program[0] == '\0')
    return NULL;

  name = program_base_name (program);
  for (gsize i = 0; i < G_N_ELEMENTS (program_rules); i++)
    {
      if (program_matches (program_rules[i].program, name))
        return program_rules[i].service;
    }
  return NULL;
}

static gboolean
lookup_port_rule (guint16      port,
                  PortRule    *rule,
                  const char **service)
{
  /* X11 displays :0 … :63 */
  if (port >= 6000 && port <= 6063)
    {
      *rule = PORT_NOT_HTTP;
      *service = N_("the X window system");
      return TRUE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (port_rules); i++)
    {
      if (port_rules[i].port == port)
        {
          *rule = port_rules[i].rule;
          *service = port_rules[i].service;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
ph_probe_guess_non_http (const char *program,
                         guint16     port)
{
  const char *service = program_non_http (program);
  PortRule rule;

  if (service != NULL)
    return _(service);
  if (lookup_port_rule (port, &rule, &service) && rule != PORT_TLS_HTTP)
    return _(service);
  return NULL;
}

/* ---------------------------------------------------------------------------------------
 * Text helpers
 * ------------------------------------------------------------------------------------- */

char *
ph_probe_sanitize_text (const guint8 *data,
                        gsize         len,
                        gsize         max_chars)
{
  g_autofree char *copy = NULL;
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean pending_space = FALSE;
  gsize n_chars = 0;

  if (data == NULL || len == 0)
    return g_strdup ("");

  /* NUL bytes are valid UTF-8 but would cut the string short */
  copy = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    copy[i] = data[i] == '\0' ? ' ' : (char) data[i];
  valid = g_utf8_make_valid (copy, len);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          pending_space = out->len > 0;
          continue;
        }
      if (!g_unichar_isprint (c))
        c = 0xFFFD;

      if (n_chars >= max_chars)
        {
          g_string_append (out, "…");
          break;
        }
      if (pending_space)
        {
          g_string_append_c (out, ' ');
          n_chars++;
          pending_space = FALSE;
        }
      g_string_append_unichar (out, c);
      n_chars++;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
looks_like_text (const guint8 *data,
                 gsize         len)
{
  gsize odd = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint8 b = data[i];

      if (b < 0x20 && b != '\r' && b != '\n' && b != '\t')
        odd++;
      else if (b == 0x7f)
        odd++;
    }
  return len > 0 && odd * 10 <= len;
}

static char *
hex_preview (const guint8 *data,
             gsize         len)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < len && i < 16; i++)
    g_string_append_printf (out, i ? " %02x" : "%02x", data[i]);
  if (len > 16)
    g_string_append (out, " …");
  return g_string_free (out, FALSE);
}

/* The first line of a greeting, without the protocol's own prefix. */
static char *
greeting_line (const guint8 *data,
               gsize         len,
               gsize         skip)
{
  gsize end = skip;

  while (end < len && data[end] != '\r' && data[end] != '\n')
    end++;
  if (skip > end)
    skip = end;
  return ph_probe_sanitize_text (data + skip, end - skip, GREETING_LIMIT);
}

static gboolean
has_prefix_bytes (const guint8 *data,
                  gsize         len,
                  const char   *prefix)
{
  gsize plen = strlen (prefix);

  return len >= plen && memcmp (data, prefix, plen) == 0;
}

static gboolean
contains_ascii_nocase (const char *haystack,
                       const char *needle)
{
  g_autofree char *lower = g_ascii_strdown (haystack, -1);
  g_autofree char *lower_needle = g_ascii_strdown (needle, -1);

  return strstr (lower, lower_needle) != NULL;
}

/* ---------------------------------------------------------------------------------------
 * PhProbeResult
 * ------------------------------------------------------------------------------------- */

struct _PhProbeResult
{
  GObject parent_instance;

  PhProbeKind kind;
  PhProbeFailure failure;
  gboolean tls;
  guint status_code;
  char *summary;
  char *protocol;
  char *reason_phrase;
  char *server;
  char *title;
  char *location;
  char *banner;
};

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

static PhProbeResult *
result_new (PhProbeKind kind)
{
  PhProbeResult *self = g_object_new (PH_TYPE_PROBE_RESULT, NULL);

  self->kind = kind;
  return self;
}

static PhProbeResult *
result_new_nothing (PhProbeFailure  failure,
                    const GError   *error)
{
  PhProbeResult *self = result_new (PH_PROBE_KIND_NONE);

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

static PhProbeResult *
result_new_skipped (const char *service)
{
  PhProbeResult *self = result_new (PH_PROBE_KIND_SKIPPED);

  self->protocol = g_strdup (_(service));
  self->summary = g_strdup_printf (_("Accepts connections; probably %s, so nothing was sent"),
                                   _(service));
  return self;
}

static PhProbeResult *
result_new_tls (const char *service)
{
  PhProbeResult *self = result_new (PH_PROBE_KIND_TLS);

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

static PhProbeResult *
result_new_unknown (const guint8 *data,
                    gsize         len)
{
  PhProbeResult *self = result_new (PH_PROBE_KIND_UNKNOWN);

  self->summary = g_strdup (_("Answers with data Porthole does not recognise"));
  if (looks_like_text (data, len))
    self->banner = ph_probe_sanitize_text (data, len, TEXT_LIMIT);
  else
    self->banner = hex_preview (data, len);
  return self;
}

/* A MySQL or MariaDB server greets with a handshake packet: 3-byte length, sequence 0,
 * then protocol version 10 and the server version, or 0xff and an error when it refuses
 * this client. */
static PhProbeResult *
classify_mysql (const guint8 *data,
                gsize         len)
{
  PhProbeResult *self;
  gsize payload;

  if (len < 6 || data[3] != 0)
    return NULL;
  payload = data[0] | (data[1] << 8) | ((gsize) data[2] << 16);
  if (payload < 2 || payload > 1024)
    return NULL;

  if (data[4] == 10)
    {
      const guint8 *version = data + 5;
      gsize max = MIN (len - 5, payload - 1);
      const guint8 *nul = memchr (version, '\0', max);
      g_autofree char *text = NULL;
      const char *shown;

      if (nul == NULL)
        return NULL;
      text = ph_probe_sanitize_text (version, nul - version, GREETING_LIMIT);
      self = result_new (PH_PROBE_KIND_BANNER);
      self->banner = g_strdup (text);
      /* MariaDB prefixes "5.5.5-" so that old clients accept it */
      shown = g_str_has_prefix (text, "5.5.5-") ? text + 6 : text;
      if (strstr (text, "MariaDB") != NULL)
        {
          self->protocol = g_strdup ("MariaDB");
          self->summary = g_strdup_printf (_("MariaDB server: %s"), shown);
        }
      else
        {
          self->protocol = g_strdup ("MySQL");
          self->summary = g_strdup_printf (_("MySQL server: %s"), shown);
        }
      return self;
    }

  if (data[4] == 0xff && MIN (len, payload + 4) > 7)
    {
      self = result_new (PH_PROBE_KIND_BANNER);
      self->protocol = g_strdup ("MySQL");
      self->banner = ph_probe_sanitize_text (data + 7, MIN (len, payload + 4) - 7, TEXT_LIMIT);
      self->summary = g_strdup (_("MySQL server, which refuses connections from here"));
      return self;
    }

  return NULL;
}

static gboolean
port_is_one_of (guint16        port,
                const guint16 *ports,
                gsize          n_ports)
{
  for (gsize i = 0; i < n_ports; i++)
    {
      if (ports[i] == port)
        return TRUE;
    }
  return FALSE;
}

static PhProbeResult *
classify_banner (const guint8 *data,
                 gsize         len,
                 guint16       port,
                 gboolean      tls)
{
  static const guint16 ftp_ports[] = { 21, 990, 2121 };
  static const guint16 smtp_ports[] = { 25, 465, 587, 2525 };
  g_autoptr(PhProbeResult) self = NULL;
  g_autofree char *line = NULL;

  self = classify_mysql (data, len);
  if (self == NULL && !looks_like_text (data, len))
    return result_new_unknown (data, len);

  if (self == NULL)
    {
      self = result_new (PH_PROBE_KIND_BANNER);
      self->banner = ph_probe_sanitize_text (data, len, TEXT_LIMIT);
    }

  if (self->summary != NULL)
    {
      /* MySQL, done above */
    }
  else if (has_prefix_bytes (data, len, "SSH-"))
    {
      const guint8 *software = memchr (data + 4, '-', len - 4);

      self->protocol = g_strdup ("SSH");
      if (software != NULL)
        {
          gsize skip = software + 1 - data;
          gsize end = skip;

          while (end < len && data[end] != ' ' && data[end] != '\r' && data[end] != '\n')
            end++;
          line = ph_probe_sanitize_text (data + skip, end - skip, GREETING_LIMIT);
        }
      if (line != NULL && line[0] != '\0')
        self->summary = g_strdup_printf (_("SSH server: %s"), line);
      else
        self->summary = g_strdup (_("SSH server"));
    }
  else if (has_prefix_bytes (data, len, "220"))
    {
      line = greeting_line (data, len, 4);
      if (port_is_one_of (port, ftp_ports, G_N_ELEMENTS (ftp_ports))
          || contains_ascii_nocase (line, "ftp"))
        {
          self->protocol = g_strdup ("FTP");
          self->summary = g_strdup_printf (_("File transfer server (FTP): %s"), line);
        }
      else if (port_is_one_of (port, smtp_ports, G_N_ELEMENTS (smtp_ports))
               || contains_ascii_nocase (line, "smtp")
               || contains_ascii_nocase (line, "mail"))
        {
          self->protocol = g_strdup ("SMTP");
          self->summary = g_strdup_printf (_("Mail server (SMTP): %s"), line);
        }
    }
  else if (has_prefix_bytes (data, len, "+OK"))
    {
      line = greeting_line (data, len, 4);
      self->protocol = g_strdup ("POP3");
      self->summary = g_strdup_printf (_("Mail server (POP3): %s"), line);
    }
  else if (has_prefix_bytes (data, len, "* OK") || has_prefix_bytes (data, len, "* PREAUTH"))
    {
      line = greeting_line (data, len, 2);
      self->protocol = g_strdup ("IMAP");
      self->summary = g_strdup_printf (_("Mail server (IMAP): %s"), line);
    }
  else if (has_prefix_bytes (data, len, "RFB "))
    {
      self->protocol = g_strdup ("VNC");
      self->summary = g_strdup (_("Remote desktop server (VNC)"));
    }
  else if (has_prefix_bytes (data, len, "@RSYNCD:"))
    {
      self->protocol = g_strdup ("rsync");
      self->summary = g_strdup (_("File synchronisation server (rsync)"));
    }
  else if (has_prefix_bytes (data, len, "INFO {"))
    {
      self->protocol = g_strdup ("NATS");
      self->summary = g_strdup (_("Message broker (NATS)"));
    }
  else if (has_prefix_bytes (data, len, ":") || has_prefix_bytes (data, len, "NOTICE "))
    {
      self->protocol = g_strdup ("IRC");
      self->summary = g_strdup (_("Chat server (IRC)"));
    }

  if (self->summary == NULL)
    {
      g_clear_pointer (&line, g_free);
      line = greeting_line (data, len, 0);
      self->summary = g_strdup_printf (_("Greets with “%s”"), line);
    }

  if (tls)
    {
      g_autofree char *plain = g_steal_pointer (&self->summary);

      self->tls = TRUE;
      /* Translators: %s is a description such as "Mail server (IMAP): ready" */
      self->summary = g_strdup_printf (_("%s (over TLS)"), plain);
    }

  return g_steal_pointer (&self);
}

/* ---------------------------------------------------------------------------------------
 * HTTP responses
 * ------------------------------------------------------------------------------------- */

static void
append_entity (GString    *out,
               const char *entity,
               gsize       len)
{
  static const struct { const char *name; const char *text; } named[] = {
    { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" },
    { "nbsp", " " }, { "mdash", "—" }, { "ndash", "–" }, { "middot", "·" },
  };
  g_autofree char *name = g_strndup (entity, len);

  if (name[0] == '#')
    {
      gboolean hex = name[1] == 'x' || name[1] == 'X';
      guint64 value = g_ascii_strtoull (name + (hex ? 2 : 1), NULL, hex ? 16 : 10);

      if (value > 0 && value <= 0x10FFFF && g_unichar_validate ((gunichar) value))
        {
          g_string_append_unichar (out, (gunichar) value);
          return;
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (named); i++)
    {
      if (strcmp (named[i].name, name) == 0)
        {
          g_string_append (out, named[i].text);
          return;
        }
    }
  g_string_append_c (out, '&');
  g_string_append_len (out, entity, len);
  g_string_append_c (out, ';');
}

static char *
decode_html_text (const char *text,
                  gsize       len)
{
  g_autoptr(GString) out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      if (text[i] == '&')
        {
          const char *semi = memchr (text + i + 1, ';', MIN (len - i - 1, 10));

          if (semi != NULL)
            {
              append_entity (out, text + i + 1, semi - (text + i + 1));
              i = semi - text;
              continue;
            }
        }
      g_string_append_c (out, text[i]);
    }

  return ph_probe_sanitize_text ((const guint8 *) out->str, out->len, TEXT_LIMIT);
}

/* Case-insensitive search in a buffer that may hold NUL bytes. */
static const char *
find_nocase (const char *haystack,
             gsize       len,
             const char *needle)
{
  gsize nlen = strlen (needle);

  for (gsize i = 0; i + nlen <= len; i++)
    {
      if (g_ascii_strncasecmp (haystack + i, needle, nlen) == 0)
        return haystack + i;
    }
  return NULL;
}

static char *
find_title (const char *body,
            gsize       len)
{
  const char *end = body + len;
  const char *tag = body;

  while ((tag = find_nocase (tag, end - tag, "<title")) != NULL)
    {
      const char *open_end;
      const char *close;

      tag += strlen ("<title");
      if (tag < end && *tag != '>' && !g_ascii_isspace (*tag))
        continue;
      open_end = memchr (tag, '>', end - tag);
      if (open_end == NULL)
        return NULL;
      open_end++;
      close = find_nocase (open_end, end - open_end, "</title");
      if (close == NULL)
        close = end;
      return decode_html_text (open_end, close - open_end);
    }
  return NULL;
}

static gboolean
http_header_end (const guint8 *data,
                 gsize         len,
                 gsize        *body)
{
  for (gsize i = 0; i + 1 < len; i++)
    {
      if (data[i] == '\n' && data[i + 1] == '\n')
        {
          *body = i + 2;
          return TRUE;
        }
      if (i + 3 < len && memcmp (data + i, "\r\n\r\n", 4) == 0)
        {
          *body = i + 4;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
is_http_status_line (const guint8 *data,
                     gsize         len)
{
  /* "HTTP/1.1 200", "HTTP/2 200" */
  gsize i = 5;

  if (!has_prefix_bytes (data, len, "HTTP/"))
    return FALSE;
  while (i < len && (g_ascii_isdigit (data[i]) || data[i] == '.'))
    i++;
  if (i >= len || data[i] != ' ')
    return FALSE;
  return i + 3 < len && g_ascii_isdigit (data[i + 1]) && g_ascii_isdigit (data[i + 2])
         && g_ascii_isdigit (data[i + 3]);
}

static PhProbeResult *
parse_http (const guint8 *data,
            gsize         len,
            gboolean      tls)
{
  g_autoptr(PhProbeResult) self = NULL;
  const char *text = (const char *) data;
  const char *line;
  const char *line_end;
  const char *headers_end;
  gsize body = len;
  const char *space;

  if (!is_http_status_line (data, len))
    return NULL;

  self = result_new (tls ? PH_PROBE_KIND_HTTPS : PH_PROBE_KIND_HTTP);
  self->tls = tls;
  self->protocol = g_strdup (tls ? "HTTPS" : "HTTP");

  if (!http_header_end (data, len, &body))
    body = len;
  headers_end = text + body;

  line_end = memchr (text, '\n', body);
  if (line_end == NULL)
    line_end = headers_end;
  space = memchr (text, ' ', line_end - text);
  self->status_code = (guint) g_ascii_strtoull (space + 1, NULL, 10);
  if (space + 4 < line_end && space[4] == ' ')
    self->reason_phrase = ph_probe_sanitize_text ((const guint8 *) space + 5,
                                                  line_end - (space + 5), GREETING_LIMIT);
  else
    self->reason_phrase = g_strdup ("");

  for (line = line_end + 1; line < headers_end; line = line_end + 1)
    {
      const char *colon;
      const char *value;

      line_end = memchr (line, '\n', headers_end - line);
      if (line_end == NULL)
        line_end = headers_end;
      colon = memchr (line, ':', line_end - line);
      if (colon == NULL)
        continue;
      value = colon + 1;

      if (colon - line == 6 && g_ascii_strncasecmp (line, "Server", 6) == 0)
        {
          g_free (self->server);
          self->server = ph_probe_sanitize_text ((const guint8 *) value, line_end - value,
                                                 TEXT_LIMIT);
        }
      else if (colon - line == 8 && g_ascii_strncasecmp (line, "Location", 8) == 0)
        {
          g_free (self->location);
          self->location = ph_probe_sanitize_text ((const guint8 *) value, line_end - value,
                                                   TEXT_LIMIT);
        }
    }
  if (self->server != NULL && self->server[0] == '\0')
    g_clear_pointer (&self->server, g_free);
  if (self->location != NULL && self->location[0] == '\0')
    g_clear_pointer (&self->location, g_free);

  self->title = find_title (text + body, len - body);
  if (self->title != NULL && self->title[0] == '\0')
    g_clear_pointer (&self->title, g_free);

  if (self->reason_phrase[0] != '\0')
    self->summary = g_strdup_printf (tls ? _("Secure web server (HTTPS %u %s)")
                                         : _("Web server (HTTP %u %s)"),
                                     self->status_code, self->reason_phrase);
  else
    self->summary = g_strdup_printf (tls ? _("Secure web server (HTTPS %u)")
                                         : _("Web server (HTTP %u)"),
                                     self->status_code);

  return g_steal_pointer (&self);
}

/* Enough of the response to stop reading early, for servers that ignore "close". */
static gboolean
http_response_complete (const guint8 *data,
                        gsize         len)
{
  const char *text = (const char *) data;
  gsize body;
  const char *cl;

  if (!http_header_end (data, len, &body))
    return FALSE;
  if (find_nocase (text + body, len - body, "</title") != NULL)
    return TRUE;
  cl = find_nocase (text, body, "\ncontent-length:");
  if (cl != NULL)
    {
      guint64 length = g_ascii_strtoull (cl + strlen ("\ncontent-length:"), NULL, 10);

      return len - body >= length;
    }
  return FALSE;
}

/* nginx, Apache, Go and others answer a plain request on a TLS port with a 400 that says
 * so; that answer means "try TLS", not "this is an HTTP server". */
static gboolean
http_says_use_tls (PhProbeResult *result,
                   const guint8  *data,
                   gsize          len)
{
  g_autofree char *text = NULL;

  if (result->status_code != 400 && result->status_code != 497)
    return FALSE;
  text = ph_probe_sanitize_text (data, len, READ_LIMIT);
  return contains_ascii_nocase (text, "https") || contains_ascii_nocase (text, " ssl")
         || contains_ascii_nocase (text, "tls");
}

/* A TLS record header (alert or handshake, version 3.x): a TLS server's reply to a
 * plain-text request. */
static gboolean
looks_like_tls_record (const guint8 *data,
                       gsize         len)
{
  return len >= 3 && (data[0] == 0x15 || data[0] == 0x16) && data[1] == 0x03;
}

static gboolean
banner_complete (const guint8 *data,
                 gsize         len)
{
  if (len >= 4 && data[3] == 0)
    {
      gsize payload = data[0] | (data[1] << 8) | ((gsize) data[2] << 16);

      if (len >= payload + 4)
        return TRUE;
    }
  return memchr (data, '\n', len) != NULL;
}

/* ---------------------------------------------------------------------------------------
 * The probe itself: one GTask, one step at a time, every step under a deadline.
 * ------------------------------------------------------------------------------------- */

typedef enum
{
  STEP_CONNECT,
  STEP_HANDSHAKE,
  STEP_BANNER,
  STEP_HTTP,
  STEP_CLOSE,
} Step;

typedef struct
{
  GSocketConnectable *target;
  char *host;             /* for the Host header and the TLS server name */
  guint16 port;

  const char *service;    /* a service known not to speak HTTP, or NULL */
  gboolean send_nothing;  /* the program says: not HTTP, not even TLS */
  gboolean plain_http;    /* an HTTP request may be sent in plain text */
  gboolean tls_first;     /* greet with TLS before anything else */
  gboolean tls_http;      /* an HTTP request may be sent inside TLS */
  gboolean can_tls;

  guint connect_ms;
  guint banner_ms;
  guint read_ms;

  GSocketClient *client;
  GIOStream *stream;
  gboolean in_tls;
  gboolean tls_tried;

  Step step;
  GCancellable *step_cancellable;
  GSource *deadline;
  gboolean timed_out;
  GCancellable *cancellable;  /* the caller's */
  gulong cancelled_id;

  GByteArray *buf;
  char *request;
  guint8 chunk[READ_LIMIT];

  PhProbeResult *result;  /* the best answer so far (a TLS attempt may improve it) */
} Probe;

static void
probe_end_step (Probe *probe)
{
  if (probe->deadline != NULL)
    {
      g_source_destroy (probe->deadline);
      g_clear_pointer (&probe->deadline, g_source_unref);
    }
}

static void
probe_free (gpointer data)
{
  Probe *probe = data;

  probe_end_step (probe);
  if (probe->cancelled_id != 0)
    g_cancellable_disconnect (probe->cancellable, probe->cancelled_id);
  g_clear_object (&probe->cancellable);
  g_clear_object (&probe->step_cancellable);
  g_clear_object (&probe->target);
  g_clear_object (&probe->client);
  g_clear_object (&probe->stream);
  g_clear_object (&probe->result);
  g_clear_pointer (&probe->host, g_free);
  g_clear_pointer (&probe->request, g_free);
  g_clear_pointer (&probe->buf, g_byte_array_unref);
  g_free (probe);
}

static gboolean
on_deadline (gpointer data)
{
  Probe *probe = data;

  probe->timed_out = TRUE;
  g_cancellable_cancel (probe->step_cancellable);
  g_clear_pointer (&probe->deadline, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable,
                     gpointer      data)
{
  Probe *probe = data;

  if (probe->step_cancellable != NULL)
    g_cancellable_cancel (probe->step_cancellable);
}

static void
probe_begin_step (GTask *task,
                  Step   step,
                  guint  timeout_ms)
{
  Probe *probe = g_task_get_task_data (task);

  probe_end_step (probe);
  g_clear_object (&probe->step_cancellable);
  probe->step = step;
  probe->step_cancellable = g_cancellable_new ();
  probe->timed_out = FALSE;
  if (g_cancellable_is_cancelled (probe->cancellable))
    g_cancellable_cancel (probe->step_cancellable);

  probe->deadline = g_timeout_source_new (timeout_ms);
  g_source_set_static_name (probe->deadline, "[porthole] probe deadline");
  g_source_set_callback (probe->deadline, on_deadline, probe, NULL);
  g_source_attach (probe->deadline, g_task_get_context (task));
}

/* TRUE when the caller cancelled: the task has been completed with the error. */
static gboolean
probe_return_if_cancelled (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  if (!g_cancellable_is_cancelled (probe->cancellable))
    return FALSE;
  probe_end_step (probe);
  g_task_return_new_error_literal (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   _("The probe was cancelled"));
  return TRUE;
}

static void
probe_set_result (Probe         *probe,
                  PhProbeResult *result)
{
  g_clear_object (&probe->result);
  probe->result = result;
}

static void
on_closed (GObject      *object,
           GAsyncResult *res,
           gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);

  /* a failed close changes nothing about what answered */
  g_io_stream_close_finish (G_IO_STREAM (object), res, NULL);
  probe_end_step (probe);
  g_clear_object (&probe->stream);
  if (probe_return_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&probe->result), g_object_unref);
}

static void
probe_finish_with (GTask         *task,
                   PhProbeResult *result)
{
  Probe *probe = g_task_get_task_data (task);

  if (result != NULL)
    probe_set_result (probe, result);
  g_assert (probe->result != NULL);

  if (probe->stream == NULL)
    {
      probe_end_step (probe);
      g_task_return_pointer (task, g_steal_pointer (&probe->result), g_object_unref);
      return;
    }

  /* A TLS close sends close_notify; do it off the main thread's back, under a deadline. */
  probe_begin_step (task, STEP_CLOSE, CLOSE_TIMEOUT_MS);
  g_io_stream_close_async (probe->stream, G_PRIORITY_DEFAULT, probe->step_cancellable,
                           on_closed, g_object_ref (task));
}

static void probe_connect (GTask *task);
static void probe_start_tls (GTask *task);
static void probe_wait_for_banner (GTask *task);

static void
probe_drop_stream (Probe *probe)
{
  /* A plain socket, or TLS whose handshake failed: nothing is left to send, so the
   * close does not block. */
  if (probe->stream != NULL)
    g_io_stream_close (probe->stream, NULL, NULL);
  g_clear_object (&probe->stream);
}

static void
probe_retry_with_tls (GTask         *task,
                      PhProbeResult *fallback)
{
  Probe *probe = g_task_get_task_data (task);

  probe_set_result (probe, fallback);
  probe->tls_tried = TRUE;
  probe->tls_first = TRUE;
  probe_drop_stream (probe);
  probe_connect (task);
}

static void
probe_read (GTask *task);

static void
probe_http_done (GTask    *task,
                 gboolean  timed_out)
{
  Probe *probe = g_task_get_task_data (task);
  const guint8 *data = probe->buf->data;
  gsize len = probe->buf->len;
  gboolean may_try_tls = probe->can_tls && !probe->tls_tried && !probe->in_tls;
  PhProbeResult *http;

  probe_end_step (probe);

  http = parse_http (data, len, probe->in_tls);
  if (http != NULL)
    {
      if (may_try_tls && http_says_use_tls (http, data, len))
        probe_retry_with_tls (task, http);
      else
        probe_finish_with (task, http);
      return;
    }

  if (probe->in_tls)
    {
      PhProbeResult *tls = result_new_tls (probe->service);

      if (len > 0)
        tls->banner = looks_like_text (data, len) ? ph_probe_sanitize_text (data, len, TEXT_LIMIT)
                                                  : hex_preview (data, len);
      probe_finish_with (task, tls);
      return;
    }

  if (len > 0)
    {
      if (may_try_tls && looks_like_tls_record (data, len))
        probe_retry_with_tls (task, result_new_unknown (data, len));
      else
        probe_finish_with (task, result_new_unknown (data, len));
      return;
    }

  if (timed_out)
    probe_finish_with (task, result_new_nothing (PH_PROBE_FAILURE_SILENT, NULL));
  else if (may_try_tls)
    /* a TLS server hangs up on a plain request without a word */
    probe_retry_with_tls (task, result_new_nothing (PH_PROBE_FAILURE_CLOSED, NULL));
  else
    probe_finish_with (task, result_new_nothing (PH_PROBE_FAILURE_CLOSED, NULL));
}

static void
probe_no_banner (GTask *task);

static void
probe_banner_done (GTask    *task,
                   gboolean  timed_out)
{
  Probe *probe = g_task_get_task_data (task);

  probe_end_step (probe);

  if (probe->buf->len > 0)
    {
      probe_finish_with (task, classify_banner (probe->buf->data, probe->buf->len,
                                                probe->port, probe->in_tls));
      return;
    }

  if (timed_out)
    {
      probe_no_banner (task);
      return;
    }

  /* closed without a word */
  if (probe->in_tls)
    probe_finish_with (task, result_new_tls (probe->service));
  else
    probe_finish_with (task, result_new_nothing (PH_PROBE_FAILURE_CLOSED, NULL));
}

static void
on_read (GObject      *object,
         GAsyncResult *res,
         gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;
  gboolean done = FALSE;

  n = g_input_stream_read_finish (G_INPUT_STREAM (object), res, &error);

  if (probe_return_if_cancelled (task))
    return;

  if (n > 0)
    {
      g_byte_array_append (probe->buf, probe->chunk, n);
      if (probe->buf->len >= READ_LIMIT)
        done = TRUE;
      else if (probe->step == STEP_BANNER)
        done = banner_complete (probe->buf->data, probe->buf->len);
      else
        done = http_response_complete (probe->buf->data, probe->buf->len);

      if (!done)
        {
          probe_read (task);
          return;
        }
    }

  /* n == 0: end of stream; an error other than our deadline: reset or a TLS failure,
   * which for this purpose is the server hanging up */
  if (probe->step == STEP_BANNER)
    probe_banner_done (task, n < 0 && probe->timed_out);
  else
    probe_http_done (task, n < 0 && probe->timed_out);
}

static void
probe_read (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  GInputStream *input = g_io_stream_get_input_stream (probe->stream);

  g_input_stream_read_async (input, probe->chunk, READ_LIMIT - probe->buf->len,
                             G_PRIORITY_DEFAULT, probe->step_cancellable,
                             on_read, g_object_ref (task));
}

static void
probe_wait_for_banner (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  g_byte_array_set_size (probe->buf, 0);
  probe_begin_step (task, STEP_BANNER, probe->banner_ms);
  probe_read (task);
}

static void
on_request_written (GObject      *object,
                    GAsyncResult *res,
                    gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);

  if (probe_return_if_cancelled (task))
    return;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), res, NULL, NULL))
    {
      /* the server hung up before it heard the request */
      probe_http_done (task, probe->timed_out);
      return;
    }
  probe_read (task);
}

static void
probe_send_http (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  GOutputStream *output = g_io_stream_get_output_stream (probe->stream);

  g_byte_array_set_size (probe->buf, 0);
  probe_begin_step (task, STEP_HTTP, probe->read_ms);
  g_output_stream_write_all_async (output, probe->request, strlen (probe->request),
                                   G_PRIORITY_DEFAULT, probe->step_cancellable,
                                   on_request_written, g_object_ref (task));
}

static void
probe_no_banner (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  if (probe->in_tls)
    {
      if (probe->tls_http)
        probe_send_http (task);
      else
        probe_finish_with (task, result_new_tls (probe->service));
      return;
    }

  if (probe->plain_http)
    probe_send_http (task);
  else
    probe_finish_with (task, result_new_skipped (probe->service));
}

static gboolean
on_accept_certificate (GTlsConnection       *conn,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              data)
{
  /* Nothing secret is sent; the point is only to learn that the port speaks TLS. */
  return TRUE;
}

static void
on_handshake (GObject      *object,
              GAsyncResult *res,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), res, &error);

  if (probe_return_if_cancelled (task))
    return;
  probe_end_step (probe);

  if (ok)
    {
      probe->in_tls = TRUE;
      probe_wait_for_banner (task);
      return;
    }

  if (probe->result == NULL)
    {
      /* TLS came first (a TLS port) and failed: fall back to plain text on a new
       * connection. Dropping the TLS wrapper closes its socket; nothing is written,
       * since the handshake never completed. */
      g_clear_object (&probe->stream);
      probe->tls_first = FALSE;
      probe_connect (task);
      return;
    }

  probe_drop_stream (probe);
  probe_finish_with (task, NULL);
}

static void
probe_start_tls (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  probe->tls_tried = TRUE;
  if (probe->host[0] == '[')
    {
      g_autofree char *bare = g_strndup (probe->host + 1, strlen (probe->host) - 2);

      identity = g_network_address_new (bare, probe->port);
    }
  else
    identity = g_network_address_new (probe->host, probe->port);
  tls = g_tls_client_connection_new (probe->stream, identity, &error);
  if (tls == NULL)
    {
      if (probe->result == NULL)
        probe_set_result (probe, result_new_nothing (PH_PROBE_FAILURE_UNREACHABLE, error));
      probe_finish_with (task, NULL);
      return;
    }

  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
  if (probe->tls_http)
    {
      const char *alpn[] = { "http/1.1", NULL };

      g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), alpn);
    }

  g_set_object (&probe->stream, tls);
  probe_begin_step (task, STEP_HANDSHAKE, probe->connect_ms);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    probe->step_cancellable, on_handshake,
                                    g_object_ref (task));
}

static void
on_connected (GObject      *object,
              GAsyncResult *res,
              gpointer      data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (object), res, &error);

  if (probe_return_if_cancelled (task))
    return;
  probe_end_step (probe);

  if (conn == NULL)
    {
      PhProbeFailure failure;

      if (probe->result != NULL)
        {
          /* the first connection answered; this second try for TLS did not */
          probe_finish_with (task, NULL);
          return;
        }

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        failure = PH_PROBE_FAILURE_REFUSED;
      else if (probe->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        failure = PH_PROBE_FAILURE_TIMED_OUT;
      else
        failure = PH_PROBE_FAILURE_UNREACHABLE;
      probe_finish_with (task, result_new_nothing (failure, error));
      return;
    }

  g_set_object (&probe->stream, G_IO_STREAM (conn));
  if (probe->tls_first && probe->can_tls && !probe->send_nothing)
    probe_start_tls (task);
  else
    probe_wait_for_banner (task);
}

static void
probe_connect (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  probe_begin_step (task, STEP_CONNECT, probe->connect_ms);
  g_socket_client_connect_async (probe->client, probe->target, probe->step_cancellable,
                                 on_connected, g_object_ref (task));
}

/* Wildcard addresses are reached through loopback; loopback goes by "localhost", which
 * dev servers that check the Host header accept. */
static gboolean
probe_set_target (Probe      *probe,
                  const char *address,
                  guint16     port)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;

  sockaddr = g_inet_socket_address_new_from_string (address, port);
  if (sockaddr == NULL)
    {
      if (address[0] == '\0' || strpbrk (address, " /[]") != NULL)
        return FALSE;
      probe->target = g_network_address_new (address, port);
      probe->host = g_strdup (address);
      return TRUE;
    }

  inet = g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sockaddr)));
  if (g_inet_address_get_is_any (inet))
    {
      g_autoptr(GInetAddress) loopback = NULL;

      loopback = g_inet_address_new_loopback (g_inet_address_get_family (inet));
      g_clear_object (&sockaddr);
      sockaddr = g_inet_socket_address_new (loopback, port);
      g_set_object (&inet, loopback);
    }

  if (g_inet_address_get_is_loopback (inet))
    probe->host = g_strdup ("localhost");
  else if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    {
      g_autofree char *text = g_inet_address_to_string (inet);

      probe->host = g_strdup_printf ("[%s]", text);
    }
  else
    probe->host = g_inet_address_to_string (inet);

  probe->target = G_SOCKET_CONNECTABLE (g_steal_pointer (&sockaddr));
  return TRUE;
}

void
ph_probe_async (const char          *address,
                guint16              port,
                const PhProbeHints  *hints,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Probe *probe;
  PortRule rule;
  const char *port_service = NULL;
  gboolean has_port_rule;

  g_return_if_fail (address != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ph_probe_async);
  g_task_set_static_name (task, "[porthole] probe");

  probe = g_new0 (Probe, 1);
  g_task_set_task_data (task, probe, probe_free);

  if (!probe_set_target (probe, address, port))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not an address"), address);
      return;
    }

  probe->port = port;
  probe->connect_ms = hints && hints->connect_timeout_ms ? hints->connect_timeout_ms
                                                         : DEFAULT_CONNECT_TIMEOUT_MS;
  probe->banner_ms = hints && hints->banner_timeout_ms ? hints->banner_timeout_ms
                                                       : DEFAULT_BANNER_TIMEOUT_MS;
  probe->read_ms = hints && hints->read_timeout_ms ? hints->read_timeout_ms
                                                   : DEFAULT_READ_TIMEOUT_MS;
  probe->can_tls = g_tls_backend_supports_tls (g_tls_backend_get_default ());

  probe->service = program_non_http (hints ? hints->program : NULL);
  has_port_rule = lookup_port_rule (port, &rule, &port_service);
  if (probe->service != NULL)
    {
      probe->send_nothing = TRUE;
    }
  else if (has_port_rule)
    {
      probe->service = port_service;
      probe->plain_http = rule == PORT_TLS_HTTP;
      probe->tls_first = rule != PORT_NOT_HTTP;
      probe->tls_http = rule == PORT_TLS_HTTP;
      if (rule == PORT_NOT_HTTP)
        probe->tls_tried = TRUE;
    }
  else
    {
      probe->plain_http = TRUE;
      probe->tls_http = TRUE;
    }

  probe->buf = g_byte_array_sized_new (READ_LIMIT);
  probe->request = g_strdup_printf ("GET / HTTP/1.0\r\n"
                                    "Host: %s:%u\r\n"
                                    "User-Agent: Porthole/%s\r\n"
                                    "Accept: text/html, */*;q=0.8\r\n"
                                    "Connection: close\r\n"
                                    "\r\n",
                                    probe->host, port, PACKAGE_VERSION);

  probe->client = g_socket_client_new ();
  /* a proxy from the environment would probe the proxy, not this computer */
  g_socket_client_set_enable_proxy (probe->client, FALSE);

  if (cancellable != NULL)
    {
      probe->cancellable = g_object_ref (cancellable);
      probe->cancelled_id = g_cancellable_connect (cancellable,
                                                   G_CALLBACK (on_caller_cancelled),
                                                   probe, NULL);
    }

  probe_connect (task);
}

PhProbeResult *
ph_probe_finish (GAsyncResult  *result,
                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ph_probe_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---------------------------------------------------------------------------------------
 * Getters
 * ------------------------------------------------------------------------------------- */

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
