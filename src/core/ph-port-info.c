/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-port-info.c — what a port number means: class, ephemeral range, IANA, common use, free? */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "ph-core-resources.h"
#include "ph-port-info.h"

#define RESOURCE_PATH        "/io/github/porthole/Porthole/core/"
#define EPHEMERAL_RANGE_PATH "/proc/sys/net/ipv4/ip_local_port_range"

/* Layout written by ph-iana-compact.py; keep the two in step. */
#define IANA_MAGIC       "PHIANA01"
#define IANA_HEADER_SIZE 16
#define IANA_RECORD_SIZE 12

G_DEFINE_QUARK (ph-port-info-error-quark, ph_port_info_error)

const char *
ph_port_protocol_to_string (PhPortProtocol protocol)
{
  return protocol == PH_PORT_PROTOCOL_UDP ? "udp" : "tcp";
}

gboolean
ph_port_protocol_from_string (const char     *text,
                              PhPortProtocol *protocol)
{
  if (g_ascii_strcasecmp (text, "tcp") == 0)
    *protocol = PH_PORT_PROTOCOL_TCP;
  else if (g_ascii_strcasecmp (text, "udp") == 0)
    *protocol = PH_PORT_PROTOCOL_UDP;
  else
    return FALSE;

  return TRUE;
}

/* Port classes (RFC 6335 §6) */

PhPortClass
ph_port_class_for_port (guint port)
{
  if (port <= 1023)
    return PH_PORT_CLASS_SYSTEM;
  if (port <= 49151)
    return PH_PORT_CLASS_USER;
  return PH_PORT_CLASS_DYNAMIC;
}

void
ph_port_class_get_range (PhPortClass  port_class,
                         guint       *first,
                         guint       *last)
{
  static const guint ranges[][2] = {
    [PH_PORT_CLASS_SYSTEM] = { 0, 1023 },
    [PH_PORT_CLASS_USER] = { 1024, 49151 },
    [PH_PORT_CLASS_DYNAMIC] = { 49152, 65535 },
  };

  g_return_if_fail (port_class <= PH_PORT_CLASS_DYNAMIC);

  if (first != NULL)
    *first = ranges[port_class][0];
  if (last != NULL)
    *last = ranges[port_class][1];
}

const char *
ph_port_class_get_name (PhPortClass port_class)
{
  switch (port_class)
    {
    case PH_PORT_CLASS_SYSTEM:
      /* Translators: the class of a port number, RFC 6335 */
      return _("well-known (system) port");
    case PH_PORT_CLASS_USER:
      /* Translators: the class of a port number, RFC 6335 */
      return _("registered (user) port");
    case PH_PORT_CLASS_DYNAMIC:
      /* Translators: the class of a port number, RFC 6335 */
      return _("dynamic (private) port");
    default:
      g_return_val_if_reached ("");
    }
}

/* "Well-known port": a list row's short name for the class. */
const char *
ph_port_class_get_short_name (PhPortClass port_class)
{
  switch (port_class)
    {
    case PH_PORT_CLASS_SYSTEM:
      return _("Well-known port");
    case PH_PORT_CLASS_USER:
      return _("Registered port");
    case PH_PORT_CLASS_DYNAMIC:
      return _("Dynamic port");
    default:
      g_return_val_if_reached ("");
    }
}

/* "well-known": the shortest name, for a table's column. */
const char *
ph_port_class_get_column_name (PhPortClass port_class)
{
  switch (port_class)
    {
    case PH_PORT_CLASS_SYSTEM:
      /* Translators: short column value for ports 0–1023 */
      return C_("port class", "well-known");
    case PH_PORT_CLASS_USER:
      /* Translators: short column value for ports 1024–49151 */
      return C_("port class", "registered");
    case PH_PORT_CLASS_DYNAMIC:
      /* Translators: short column value for ports 49152–65535 */
      return C_("port class", "dynamic");
    default:
      g_return_val_if_reached ("");
    }
}

/* "system", "user", "dynamic" (RFC 6335's names): for JSON, never translated. */
const char *
ph_port_class_to_string (PhPortClass port_class)
{
  switch (port_class)
    {
    case PH_PORT_CLASS_SYSTEM:
      return "system";
    case PH_PORT_CLASS_USER:
      return "user";
    case PH_PORT_CLASS_DYNAMIC:
      return "dynamic";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
ph_port_class_get_explanation (PhPortClass port_class)
{
  switch (port_class)
    {
    case PH_PORT_CLASS_SYSTEM:
      return _("Ports 0 to 1023 are the well-known ports, also called system ports. They are set "
               "aside for standard services such as SSH (22) and websites (80), and normally only "
               "the administrator may open them.");
    case PH_PORT_CLASS_USER:
      return _("Ports 1024 to 49151 are the registered ports, also called user ports. Any program "
               "may open them; IANA keeps a list of which service asked for which number, but many "
               "programs use them without asking.");
    case PH_PORT_CLASS_DYNAMIC:
      return _("Ports 49152 to 65535 are the dynamic or private ports. IANA never gives them to "
               "any service: they are meant for short-lived use, such as a port that a program "
               "gets from the system when it asks for any free port.");
    default:
      g_return_val_if_reached ("");
    }
}

/* The ephemeral range: where the kernel picks a port for a program that asked for "any port" */

static gboolean
parse_port_number (const char  *text,
                   const char **end,
                   guint       *port)
{
  guint value = 0;
  const char *p = text;

  if (!g_ascii_isdigit (*p))
    return FALSE;

  for (; g_ascii_isdigit (*p); p++)
    {
      value = value * 10 + (guint) (*p - '0');
      if (value > 65535)
        return FALSE;
    }

  *port = value;
  *end = p;
  return TRUE;
}

/* Parses the two numbers of ip_local_port_range ("32768\t60999\n"); any blank separates them. */
gboolean
ph_port_range_parse (const char   *text,
                     PhPortRange  *range,
                     GError      **error)
{
  const char *p = text;
  guint first, last;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (range != NULL, FALSE);

  while (g_ascii_isspace (*p))
    p++;
  if (!parse_port_number (p, &p, &first) || !g_ascii_isspace (*p))
    goto malformed;
  while (g_ascii_isspace (*p))
    p++;
  if (!parse_port_number (p, &p, &last))
    goto malformed;
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0' || first > last)
    goto malformed;

  range->first = first;
  range->last = last;
  return TRUE;

malformed:
  g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE,
               "Expected two port numbers, the lower one first, not “%s”", text);
  return FALSE;
}

gboolean
ph_port_range_read_ephemeral (const char   *path,
                              PhPortRange  *range,
                              GError      **error)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;

  if (!ph_port_range_parse (contents, range, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  return TRUE;
}

/* Fills @range with this system's ephemeral range; returns FALSE when it had to fall back to
 * Linux's default because the file could not be read. */
gboolean
ph_port_range_get_ephemeral (PhPortRange *range)
{
  g_autoptr(GError) error = NULL;

  if (ph_port_range_read_ephemeral (EPHEMERAL_RANGE_PATH, range, &error))
    return TRUE;

  g_debug ("Using the default ephemeral port range: %s", error->message);
  range->first = PH_EPHEMERAL_DEFAULT_FIRST;
  range->last = PH_EPHEMERAL_DEFAULT_LAST;
  return FALSE;
}

gboolean
ph_port_range_contains (const PhPortRange *range,
                        guint              port)
{
  return port >= range->first && port <= range->last;
}

/* IANA's registry, from the compact table compiled into the binary */

typedef struct
{
  GBytes       *bytes;   /* keeps the resource data alive; never freed */
  const guint8 *records;
  const char   *strings;
  gsize         n_records;
  gsize         strings_size;
} IanaTable;

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static guint16
read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

/* Points @table into @bytes when they are a whole compact table (ph-iana-compact.py's
 * format) whose every string offset is inside its string table; otherwise says why. */
static const char *
iana_table_load (GBytes    *bytes,
                 IanaTable *table)
{
  const guint8 *data;
  gsize size, n_records, strings_size;

  memset (table, 0, sizeof *table);
  data = g_bytes_get_data (bytes, &size);
  if (size < IANA_HEADER_SIZE || memcmp (data, IANA_MAGIC, 8) != 0)
    return "has an unknown format";

  n_records = read_le32 (data + 8);
  strings_size = read_le32 (data + 12);
  if (n_records > (size - IANA_HEADER_SIZE) / IANA_RECORD_SIZE ||
      IANA_HEADER_SIZE + n_records * IANA_RECORD_SIZE + strings_size != size ||
      strings_size == 0 || data[size - 1] != '\0')
    return "is truncated";
  for (gsize i = 0; i < n_records; i++)
    {
      const guint8 *record = data + IANA_HEADER_SIZE + i * IANA_RECORD_SIZE;

      if (read_le32 (record + 4) >= strings_size || read_le32 (record + 8) >= strings_size)
        return "has a string outside its string table";
    }

  table->records = data + IANA_HEADER_SIZE;
  table->strings = (const char *) data + IANA_HEADER_SIZE + n_records * IANA_RECORD_SIZE;
  table->n_records = n_records;
  table->strings_size = strings_size;
  table->bytes = g_bytes_ref (bytes);
  return NULL;
}

static const IanaTable *
iana_table (void)
{
  static IanaTable table;
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      const char *why;

      bytes = g_resource_lookup_data (ph_core_get_resource (), RESOURCE_PATH "iana-ports.bin",
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes == NULL)
        g_critical ("The IANA port table is missing: %s", error->message);
      else if ((why = iana_table_load (bytes, &table)) != NULL)
        g_critical ("The IANA port table %s", why);
      g_once_init_leave (&initialized, 1);
    }

  return &table;
}

static guint32
iana_record_key (const IanaTable *table,
                 gsize            index)
{
  const guint8 *record = table->records + index * IANA_RECORD_SIZE;

  return ((guint32) read_le16 (record) << 8) | record[2];
}

static const char *
iana_string (const IanaTable *table,
             guint32          offset)
{
  /* iana_table_load() checked every offset */
  return table->strings + offset;
}

/* The index of the first record of @port/@protocol, or of the first after it. */
static gsize
iana_lower_bound (const IanaTable *table,
                  guint            port,
                  PhPortProtocol   protocol)
{
  guint32 key = ((guint32) port << 8) | protocol;
  gsize low = 0, high = table->n_records;

  while (low < high)
    {
      gsize mid = low + (high - low) / 2;

      if (iana_record_key (table, mid) < key)
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

/* Returns every IANA registration of @port/@protocol, in the registry's order, as an array of
 * PhIanaService whose strings live as long as the program. The array may be empty. */
static GArray *
iana_lookup (const IanaTable *table,
             guint            port,
             PhPortProtocol   protocol)
{
  GArray *services = g_array_new (FALSE, FALSE, sizeof (PhIanaService));
  guint32 key = ((guint32) port << 8) | protocol;

  for (gsize i = iana_lower_bound (table, port, protocol);
       i < table->n_records && iana_record_key (table, i) == key; i++)
    {
      const guint8 *record = table->records + i * IANA_RECORD_SIZE;
      PhIanaService service = {
        .name = iana_string (table, read_le32 (record + 4)),
        .description = iana_string (table, read_le32 (record + 8)),
      };

      g_array_append_val (services, service);
    }

  return services;
}

GArray *
ph_iana_lookup (guint          port,
                PhPortProtocol protocol)
{
  return iana_lookup (iana_table (), port, protocol);
}

/* For tests and fuzzing: @bytes read as a compact IANA table, then every registration of
 * @port/@protocol in it (strings inside @bytes); NULL when @bytes are not a valid table. */
GArray *
ph_iana_lookup_in (GBytes         *bytes,
                   guint           port,
                   PhPortProtocol  protocol)
{
  IanaTable table;
  GArray *services;

  if (iana_table_load (bytes, &table) != NULL)
    return NULL;
  services = iana_lookup (&table, port, protocol);
  g_bytes_unref (table.bytes);
  return services;
}

/* The service name of the first IANA registration of @port/@protocol ("postgresql"), as
 * search and guesses use it; NULL when it has none. Lives as long as the program. */
const char *
ph_iana_get_name (guint          port,
                  PhPortProtocol protocol)
{
  /* No array: the search's filter asks this of every service at each keystroke. */
  const IanaTable *table = iana_table ();
  gsize i = iana_lower_bound (table, port, protocol);
  const char *name;

  if (i >= table->n_records || iana_record_key (table, i) != (((guint32) port << 8) | protocol))
    return NULL;
  name = iana_string (table, read_le32 (table->records + i * IANA_RECORD_SIZE + 4));
  return *name != '\0' ? name : NULL;
}

gsize
ph_iana_get_n_records (void)
{
  return iana_table ()->n_records;
}

gsize
ph_iana_get_table_size (void)
{
  const IanaTable *table = iana_table ();

  return table->bytes != NULL ? g_bytes_get_size (table->bytes) : 0;
}

/* What ports are commonly used for, from data/ports-common.ini */

void
ph_common_port_free (PhCommonPort *common)
{
  if (common == NULL)
    return;

  g_free (common->label);
  g_free (common->description);
  g_strfreev (common->programs);
  g_free (common);
}

static char *
get_required_string (GKeyFile    *key_file,
                     const char  *group,
                     const char  *key,
                     GError     **error)
{
  g_autofree char *value = g_key_file_get_string (key_file, group, key, NULL);

  if (value == NULL || *g_strstrip (value) == '\0')
    {
      g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE,
                   "[%s]: “%s” is missing or empty", group, key);
      return NULL;
    }

  return g_steal_pointer (&value);
}

static PhCommonPort *
parse_common_port (GKeyFile    *key_file,
                   const char  *group,
                   GError     **error)
{
  static const char * const known_keys[] = {
    "Protocols", "Label", "Description", "Programs", NULL
  };
  g_autoptr(PhCommonPort) common = g_new0 (PhCommonPort, 1);
  g_auto(GStrv) keys = g_key_file_get_keys (key_file, group, NULL, NULL);
  g_auto(GStrv) protocols = NULL;
  guint64 port;

  if (!g_ascii_string_to_unsigned (group, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE,
                   "[%s]: the group name must be a port number from 0 to 65535", group);
      return NULL;
    }
  common->port = (guint) port;

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      if (!g_strv_contains (known_keys, keys[i]))
        {
          g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE,
                       "[%s]: unknown key “%s”", group, keys[i]);
          return NULL;
        }
    }

  protocols = g_key_file_get_string_list (key_file, group, "Protocols", NULL, NULL);
  for (guint i = 0; protocols != NULL && protocols[i] != NULL; i++)
    {
      PhPortProtocol protocol;

      if (!ph_port_protocol_from_string (g_strstrip (protocols[i]), &protocol) ||
          (common->protocols & (1u << protocol)) != 0)
        {
          g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE,
                       "[%s]: “Protocols” must list tcp and/or udp once each", group);
          return NULL;
        }
      common->protocols |= 1u << protocol;
    }
  if (common->protocols == 0)
    {
      g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE,
                   "[%s]: “Protocols” is missing or empty", group);
      return NULL;
    }

  if (!(common->label = get_required_string (key_file, group, "Label", error)) ||
      !(common->description = get_required_string (key_file, group, "Description", error)))
    return NULL;

  common->programs = g_key_file_get_string_list (key_file, group, "Programs", NULL, NULL);
  if (common->programs == NULL || common->programs[0] == NULL)
    {
      g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE,
                   "[%s]: “Programs” is missing or empty", group);
      return NULL;
    }

  return g_steal_pointer (&common);
}

/* GKeyFile merges groups that appear twice; count the headers ourselves so that a
 * duplicated port is an error, not a silent mix of two entries. */
static gsize
count_group_headers (const char *text,
                     gsize       length)
{
  const char *p = text, *end = text + length;
  gsize n = 0;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));
      const char *q = p;

      while (q < end && (*q == ' ' || *q == '\t'))
        q++;
      if (q < end && *q == '[')
        n++;
      p = eol != NULL ? eol + 1 : end;
    }

  return n;
}

/* Parses the whole data file into an array of PhCommonPort; fails on the first bad entry. */
GPtrArray *
ph_common_ports_parse (GBytes  *data,
                       GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GPtrArray) ports = NULL;
  g_auto(GStrv) groups = NULL;
  gsize n_groups = 0;
  gsize length;
  const char *text = g_bytes_get_data (data, &length);

  /* empty GBytes give NULL, and NULL + 0 is undefined in C */
  if (text == NULL)
    text = "";
  if (!g_key_file_load_from_data (key_file, text, length, G_KEY_FILE_NONE, error))
    return NULL;

  ports = g_ptr_array_new_with_free_func ((GDestroyNotify) ph_common_port_free);

  groups = g_key_file_get_groups (key_file, &n_groups);
  if (count_group_headers (text, length) != n_groups)
    {
      g_set_error_literal (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE,
                           "A port appears in more than one group");
      return NULL;
    }

  for (gsize i = 0; i < n_groups; i++)
    {
      PhCommonPort *common = parse_common_port (key_file, groups[i], error);

      if (common == NULL)
        return NULL;

      g_ptr_array_add (ports, common);
    }

  return g_steal_pointer (&ports);
}

/* The table compiled into the binary, parsed once. (transfer none) */
GPtrArray *
ph_common_ports_get_all (void)
{
  static GPtrArray *ports;

  if (g_once_init_enter_pointer (&ports))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      GPtrArray *parsed = NULL;

      bytes = g_resource_lookup_data (ph_core_get_resource (), RESOURCE_PATH "ports-common.ini",
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      if (bytes != NULL)
        parsed = ph_common_ports_parse (bytes, &error);
      if (parsed == NULL)
        {
          g_critical ("ports-common.ini: %s", error->message);
          parsed = g_ptr_array_new ();
        }

      g_once_init_leave_pointer (&ports, parsed);
    }

  return ports;
}

const PhCommonPort *
ph_common_port_lookup (guint          port,
                       PhPortProtocol protocol)
{
  GPtrArray *ports = ph_common_ports_get_all ();

  for (guint i = 0; i < ports->len; i++)
    {
      const PhCommonPort *common = g_ptr_array_index (ports, i);

      if (common->port == port && (common->protocols & (1u << protocol)) != 0)
        return common;
    }

  return NULL;
}

const char *
ph_common_port_get_label (const PhCommonPort *common)
{
  return g_dgettext (GETTEXT_PACKAGE, common->label);
}

const char *
ph_common_port_get_description (const PhCommonPort *common)
{
  return g_dgettext (GETTEXT_PACKAGE, common->description);
}

/* Is the port free? Binding it is the only reliable answer: it sees every socket on the
 * machine, including other users' and the kernel's, without needing to know who owns it. */

typedef enum
{
  BIND_OK,
  BIND_IN_USE,
  BIND_NOT_LOCAL,
  BIND_NO_FAMILY,   /* e.g. IPv6 is turned off */
  BIND_PERMISSION,
  BIND_OTHER,
} BindResult;

static BindResult
try_bind (GInetSocketAddress  *address,
          PhPortProtocol       protocol,
          gboolean             reuse_address,
          GError             **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) local_error = NULL;
  struct sockaddr_storage native;
  GSocketFamily family = g_socket_address_get_family (G_SOCKET_ADDRESS (address));
  gssize native_size = g_socket_address_get_native_size (G_SOCKET_ADDRESS (address));
  int saved_errno;

  socket = g_socket_new (family,
                         protocol == PH_PORT_PROTOCOL_TCP ? G_SOCKET_TYPE_STREAM
                                                          : G_SOCKET_TYPE_DATAGRAM,
                         protocol == PH_PORT_PROTOCOL_TCP ? G_SOCKET_PROTOCOL_TCP
                                                          : G_SOCKET_PROTOCOL_UDP,
                         &local_error);
  if (socket == NULL)
    {
      gboolean no_family = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);

      g_propagate_error (error, g_steal_pointer (&local_error));
      return no_family ? BIND_NO_FAMILY : BIND_OTHER;
    }

  /* Set explicitly, not left to defaults: SO_REUSEADDR (and SO_REUSEPORT, which nobody
   * here sets) would let the bind succeed next to sockets that also set it, and then a
   * busy UDP port such as mDNS would look free. */
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, reuse_address ? 1 : 0, error))
    return BIND_OTHER;

  if (native_size <= 0 ||
      !g_socket_address_to_native (G_SOCKET_ADDRESS (address), &native, sizeof native, error))
    return BIND_OTHER;

  /* bind(2) itself, because g_socket_bind() folds EADDRNOTAVAIL into an unrelated
   * GIOErrorEnum code and this check needs to tell it apart. */
  if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, (socklen_t) native_size) == 0)
    return BIND_OK;

  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
               g_strerror (saved_errno));
  switch (saved_errno)
    {
    case EADDRINUSE:
      return BIND_IN_USE;
    case EADDRNOTAVAIL:
      return BIND_NOT_LOCAL;
    case EAFNOSUPPORT:
      return BIND_NO_FAMILY;
    case EACCES:
    case EPERM:
      return BIND_PERMISSION;
    default:
      return BIND_OTHER;
    }
}

static PhPortStatus
check_address (const char      *host,
               guint            port,
               PhPortProtocol   protocol,
               BindResult      *result,
               GError         **error)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string (host, port);
  g_autoptr(GError) local_error = NULL;

  if (address == NULL)
    {
      const char *percent = strchr (host, '%');

      *result = BIND_OTHER;
      if (percent != NULL && g_hostname_is_ip_address (host))
        g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_NOT_CHECKABLE,
                     _("This computer has no network interface called “%s”."), percent + 1);
      else
        g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_NOT_CHECKABLE,
                     _("“%s” is not an IP address, so Porthole cannot check it."), host);
      return PH_PORT_STATUS_UNKNOWN;
    }

  *result = try_bind (G_INET_SOCKET_ADDRESS (address), protocol, FALSE, &local_error);
  switch (*result)
    {
    case BIND_OK:
      return PH_PORT_STATUS_FREE;

    case BIND_IN_USE:
      /* A TCP port whose connections closed a moment ago stays taken for a minute
       * (TIME_WAIT). Servers set SO_REUSEADDR to start anyway, which Linux allows when the
       * old server had set it too; if that is all that blocks the port, nothing is
       * listening. Never retried for UDP: there SO_REUSEADDR would share a port that a
       * program really uses. */
      if (protocol == PH_PORT_PROTOCOL_TCP &&
          try_bind (G_INET_SOCKET_ADDRESS (address), protocol, TRUE, NULL) == BIND_OK)
        return PH_PORT_STATUS_LINGERING;
      return PH_PORT_STATUS_IN_USE;

    case BIND_NOT_LOCAL:
      return PH_PORT_STATUS_NOT_LOCAL;

    case BIND_PERMISSION:
      g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PERMISSION,
                   _("Only the administrator may open port %u on this computer, so Porthole "
                     "cannot test whether it is free."), port);
      return PH_PORT_STATUS_UNKNOWN;

    case BIND_NO_FAMILY:
    case BIND_OTHER:
    default:
      g_set_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_FAILED,
                   _("Porthole could not test the port: %s"), local_error->message);
      return PH_PORT_STATUS_UNKNOWN;
    }
}

/* Tells whether a program could listen on @host:@port now, by binding a socket there and
 * closing it at once. @host is an IP address (an IPv6 one may carry a %scope), "localhost"
 * (127.0.0.1 and ::1) or NULL for "any address" (0.0.0.0 and ::). Quick and non-blocking, so
 * it may run on the main thread. On PH_PORT_STATUS_UNKNOWN, @error says why in words. */
PhPortStatus
ph_port_check (const char      *host,
               guint            port,
               PhPortProtocol   protocol,
               GError         **error)
{
  const char *hosts[2] = { host, NULL };
  g_autoptr(GError) first_error = NULL;
  PhPortStatus combined = PH_PORT_STATUS_UNKNOWN;
  gboolean pair = FALSE;

  g_return_val_if_fail (port <= 65535, PH_PORT_STATUS_UNKNOWN);

  if (port == 0)
    {
      g_set_error_literal (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_NOT_CHECKABLE,
                           _("Port 0 cannot be tested: a program that asks for port 0 gets "
                             "any free port instead."));
      return PH_PORT_STATUS_UNKNOWN;
    }

  if (host == NULL || g_ascii_strcasecmp (host, "localhost") == 0)
    {
      hosts[0] = host == NULL ? "0.0.0.0" : "127.0.0.1";
      hosts[1] = host == NULL ? "::" : "::1";
      pair = TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (hosts) && hosts[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      BindResult result;
      PhPortStatus status = check_address (hosts[i], port, protocol, &result, &local_error);

      /* The IPv6 half of a pair does not count when this computer has no IPv6. */
      if (pair && i == 1 && (result == BIND_NO_FAMILY || result == BIND_NOT_LOCAL))
        continue;

      if (i == 0)
        combined = status;
      else if (status == PH_PORT_STATUS_IN_USE ||
               (status == PH_PORT_STATUS_UNKNOWN && combined != PH_PORT_STATUS_IN_USE) ||
               (status == PH_PORT_STATUS_LINGERING && combined == PH_PORT_STATUS_FREE))
        combined = status;

      if (status == PH_PORT_STATUS_UNKNOWN && first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }

  if (combined == PH_PORT_STATUS_UNKNOWN)
    {
      if (first_error != NULL)
        g_propagate_error (error, g_steal_pointer (&first_error));
      else
        g_set_error_literal (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_FAILED,
                             _("Porthole could not test the port."));
    }

  return combined;
}

const char *
ph_port_status_to_string (PhPortStatus status)
{
  switch (status)
    {
    case PH_PORT_STATUS_FREE:
      return "free";
    case PH_PORT_STATUS_IN_USE:
      return "in-use";
    case PH_PORT_STATUS_LINGERING:
      return "lingering";
    case PH_PORT_STATUS_NOT_LOCAL:
      return "not-local";
    case PH_PORT_STATUS_UNKNOWN:
    default:
      return "unknown";
    }
}
