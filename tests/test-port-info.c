/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-port-info.c — port classes, ephemeral range, IANA table, curated data, the bind check */
#include "config.h"

#include <glib/gi18n.h>

#include <glib/gstdio.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ph-port-info.h"
#include "ph-test-utils.h"

/* Every translatable string of data/ports-common.ini, as xgettext sees them. */
static const char * const i18n_strings[] = {
#include "ports-common.i18n.h"
};

static void
test_classes (void)
{
  static const struct { guint port; PhPortClass port_class; } cases[] = {
    { 0, PH_PORT_CLASS_SYSTEM },
    { 22, PH_PORT_CLASS_SYSTEM },
    { 1023, PH_PORT_CLASS_SYSTEM },
    { 1024, PH_PORT_CLASS_USER },
    { 3000, PH_PORT_CLASS_USER },
    { 49151, PH_PORT_CLASS_USER },
    { 49152, PH_PORT_CLASS_DYNAMIC },
    { 62893, PH_PORT_CLASS_DYNAMIC },
    { 65535, PH_PORT_CLASS_DYNAMIC },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (ph_port_class_for_port (cases[i].port), ==, cases[i].port_class);

  /* the short names of one class, each defined once, for a row, a column and JSON */
  g_assert_cmpstr (ph_port_class_get_short_name (PH_PORT_CLASS_SYSTEM), ==, "Well-known port");
  g_assert_cmpstr (ph_port_class_get_short_name (PH_PORT_CLASS_USER), ==, "Registered port");
  g_assert_cmpstr (ph_port_class_get_short_name (PH_PORT_CLASS_DYNAMIC), ==, "Dynamic port");
  g_assert_cmpstr (ph_port_class_get_column_name (PH_PORT_CLASS_SYSTEM), ==, "well-known");
  g_assert_cmpstr (ph_port_class_get_column_name (PH_PORT_CLASS_USER), ==, "registered");
  g_assert_cmpstr (ph_port_class_get_column_name (PH_PORT_CLASS_DYNAMIC), ==, "dynamic");
  g_assert_cmpstr (ph_port_class_to_string (PH_PORT_CLASS_SYSTEM), ==, "system");
  g_assert_cmpstr (ph_port_class_to_string (PH_PORT_CLASS_USER), ==, "user");
  g_assert_cmpstr (ph_port_class_to_string (PH_PORT_CLASS_DYNAMIC), ==, "dynamic");

  for (PhPortClass c = PH_PORT_CLASS_SYSTEM; c <= PH_PORT_CLASS_DYNAMIC; c++)
    {
      guint first, last;
      g_autofree char *first_text = NULL;

      ph_port_class_get_range (c, &first, &last);
      g_assert_cmpint (ph_port_class_for_port (first), ==, c);
      g_assert_cmpint (ph_port_class_for_port (last), ==, c);
      g_assert_cmpstr (ph_port_class_get_name (c), !=, "");
      /* The sentence names its own range, so a beginner sees the numbers. */
      first_text = g_strdup_printf ("%u", first);
      g_assert_nonnull (strstr (ph_port_class_get_explanation (c), first_text));
    }
}

static void
test_range_parse (void)
{
  static const struct { const char *text; guint first, last; } good[] = {
    { "32768\t60999\n", 32768, 60999 },      /* as the kernel writes it */
    { "  1024 \t 65535  \n\n", 1024, 65535 },
    { "40000 40000", 40000, 40000 },
  };
  static const char * const bad[] = {
    "", "\n", "32768", "32768\t", "abc def", "60999 32768", "1 2 3", "32768 70000",
    "-1 5", "32768\t60999garbage", "32768,60999", "0x10 0x20", "99999999999 1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      PhPortRange range;

      g_assert_true (ph_port_range_parse (good[i].text, &range, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (range.first, ==, good[i].first);
      g_assert_cmpuint (range.last, ==, good[i].last);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      PhPortRange range = { 1, 2 };

      g_assert_false (ph_port_range_parse (bad[i], &range, &error));
      g_assert_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE);
      g_assert_cmpuint (range.first, ==, 1);
    }
}

static void
test_range_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  PhPortRange range;
  int fd;

  /* A captured file with odd spacing, then a malformed one, read the same way as /proc. */
  fd = g_file_open_tmp ("ph-port-range-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);

  g_file_set_contents (path, "\t 49152    65000 \n", -1, &error);
  g_assert_no_error (error);
  g_assert_true (ph_port_range_read_ephemeral (path, &range, &error));
  g_assert_cmpuint (range.first, ==, 49152);
  g_assert_cmpuint (range.last, ==, 65000);

  g_file_set_contents (path, "32768 sixty\n", -1, &error);
  g_assert_no_error (error);
  g_assert_false (ph_port_range_read_ephemeral (path, &range, &error));
  g_assert_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_unlink (path);
  g_assert_false (ph_port_range_read_ephemeral (path, &range, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_range_system (void)
{
  PhPortRange range, again;
  g_autofree char *contents = NULL;

  /* The real file, when there is one, must agree with what we read. */
  if (ph_port_range_get_ephemeral (&range))
    {
      g_assert_true (g_file_get_contents ("/proc/sys/net/ipv4/ip_local_port_range",
                                          &contents, NULL, NULL));
      g_assert_true (ph_port_range_parse (contents, &again, NULL));
      g_assert_cmpuint (range.first, ==, again.first);
      g_assert_cmpuint (range.last, ==, again.last);
    }
  else
    {
      g_assert_cmpuint (range.first, ==, PH_EPHEMERAL_DEFAULT_FIRST);
      g_assert_cmpuint (range.last, ==, PH_EPHEMERAL_DEFAULT_LAST);
    }
  g_test_message ("ephemeral range on this system: %u-%u", range.first, range.last);

  g_assert_true (ph_port_range_contains (&range, range.first));
  g_assert_true (ph_port_range_contains (&range, range.last));
  g_assert_false (range.first > 0 && ph_port_range_contains (&range, range.first - 1));
  g_assert_false (ph_port_range_contains (&range, range.last + 1));
}

static gboolean
iana_has (guint           port,
          PhPortProtocol  protocol,
          const char     *name,
          const char     *description)
{
  g_autoptr(GArray) services = ph_iana_lookup (port, protocol);

  for (guint i = 0; i < services->len; i++)
    {
      const PhIanaService *service = &g_array_index (services, PhIanaService, i);

      if ((name == NULL || g_str_equal (service->name, name)) &&
          (description == NULL || g_str_equal (service->description, description)))
        return TRUE;
    }

  return FALSE;
}

static guint
iana_count (guint          port,
            PhPortProtocol protocol)
{
  g_autoptr(GArray) services = ph_iana_lookup (port, protocol);

  return services->len;
}

static void
test_iana (void)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GArray) first = ph_iana_lookup (22, PH_PORT_PROTOCOL_TCP);
  gint64 loaded = g_get_monotonic_time ();
  guint hits = 0;

  g_test_message ("IANA table: %" G_GSIZE_FORMAT " records, %" G_GSIZE_FORMAT " bytes "
                  "(data/iana-ports.tsv: 477983 bytes); first lookup incl. loading: "
                  "%" G_GINT64_FORMAT " us",
                  ph_iana_get_n_records (), ph_iana_get_table_size (), loaded - start);
  g_assert_cmpuint (ph_iana_get_n_records (), >, 10000);

  g_assert_true (iana_has (80, PH_PORT_PROTOCOL_TCP, "http", NULL));
  g_assert_true (iana_has (80, PH_PORT_PROTOCOL_TCP, "www", NULL));
  g_assert_true (iana_has (80, PH_PORT_PROTOCOL_TCP, "www-http", NULL));
  g_assert_cmpuint (iana_count (80, PH_PORT_PROTOCOL_TCP), ==, 3);
  g_assert_true (iana_has (3000, PH_PORT_PROTOCOL_TCP, NULL, "RemoteWare Client"));
  g_assert_true (iana_has (5353, PH_PORT_PROTOCOL_UDP, "mdns", "Multicast DNS"));
  g_assert_true (iana_has (22, PH_PORT_PROTOCOL_TCP, "ssh", NULL));
  g_assert_true (iana_has (8080, PH_PORT_PROTOCOL_TCP, "http-alt", NULL));
  g_assert_true (iana_has (4413, PH_PORT_PROTOCOL_TCP, NULL, "FORTÉ Vision Monitoring platform"));
  g_assert_true (iana_has (0, PH_PORT_PROTOCOL_TCP, "", "Reserved"));
  g_assert_true (iana_has (1, PH_PORT_PROTOCOL_TCP, "tcpmux", NULL));
  /* A port with a second name that the 2015 export gives beside the current one */
  g_assert_true (iana_has (631, PH_PORT_PROTOCOL_TCP, "ipp", NULL));
  g_assert_true (iana_has (631, PH_PORT_PROTOCOL_TCP, "ipps", NULL));
  /* Edges of the table and of the registry */
  g_assert_cmpuint (iana_count (62893, PH_PORT_PROTOCOL_TCP), ==, 0);
  g_assert_cmpuint (iana_count (65535, PH_PORT_PROTOCOL_UDP), ==, 0);
  g_assert_cmpuint (iana_count (4, PH_PORT_PROTOCOL_TCP), ==, 0);  /* "Unassigned" */
  g_assert_true (iana_has (49150, PH_PORT_PROTOCOL_TCP, "inspider", NULL));  /* the last entry */
  g_assert_true (iana_has (49150, PH_PORT_PROTOCOL_UDP, "", "Reserved"));

  /* The one name search and guesses use: the first registration's, if it has one. */
  g_assert_cmpstr (ph_iana_get_name (22, PH_PORT_PROTOCOL_TCP), ==, "ssh");
  g_assert_cmpstr (ph_iana_get_name (5353, PH_PORT_PROTOCOL_UDP), ==, "mdns");
  g_assert_null (ph_iana_get_name (0, PH_PORT_PROTOCOL_TCP));       /* "Reserved", no name */
  g_assert_null (ph_iana_get_name (62893, PH_PORT_PROTOCOL_TCP));
  for (guint port = 0; port <= 65535; port += 7)
    {
      g_autoptr(GArray) services = ph_iana_lookup (port, PH_PORT_PROTOCOL_UDP);
      const char *name = services->len > 0 ? g_array_index (services, PhIanaService, 0).name : "";

      g_assert_cmpstr (ph_iana_get_name (port, PH_PORT_PROTOCOL_UDP), ==,
                       *name != '\0' ? name : NULL);
    }

  start = g_get_monotonic_time ();
  for (guint port = 0; port <= 65535; port++)
    {
      g_autoptr(GArray) services = ph_iana_lookup (port, PH_PORT_PROTOCOL_TCP);

      hits += services->len > 0;
    }
  g_test_message ("65536 TCP lookups: %.3f us each; %u ports have a TCP registration",
                  (g_get_monotonic_time () - start) / 65536.0, hits);
  g_assert_cmpuint (hits, >, 5000);
}

static void
test_common_all_parse (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("PORTHOLE_SRCDIR"), "data",
                                            "ports-common.ini", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) source = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GHashTable) msgids = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 start = g_get_monotonic_time ();
  GPtrArray *compiled = ph_common_ports_get_all ();
  gint64 loaded = g_get_monotonic_time ();
  char *contents = NULL;
  gsize length;

  g_test_message ("curated ports: parsed from the resource in %" G_GINT64_FORMAT " us",
                  loaded - start);
  /* The file in the source tree parses on its own… */
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  source = g_bytes_new_take (contents, length);
  parsed = ph_common_ports_parse (source, &error);
  g_assert_no_error (error);
  g_assert_nonnull (parsed);

  /* …and is what the binary carries. */
  g_assert_cmpuint (parsed->len, ==, compiled->len);
  g_test_message ("%u curated ports", compiled->len);
  g_assert_cmpuint (compiled->len, >=, 80);

  for (guint i = 0; i < G_N_ELEMENTS (i18n_strings); i++)
    g_hash_table_add (msgids, (gpointer) i18n_strings[i]);

  for (guint i = 0; i < compiled->len; i++)
    {
      const PhCommonPort *common = g_ptr_array_index (compiled, i);
      const PhCommonPort *other = g_ptr_array_index (parsed, i);

      g_assert_cmpuint (common->port, ==, other->port);
      g_assert_cmpstr (common->description, ==, other->description);
      g_assert_cmpuint (common->protocols, !=, 0);
      g_assert_cmpuint (strlen (common->label), >, 1);
      g_assert_cmpuint (strlen (common->label), <=, 48);
      g_assert_cmpuint (strlen (common->description), >, 20);
      g_assert_true (g_str_has_suffix (common->description, "."));
      g_assert_nonnull (common->programs);
      g_assert_nonnull (common->programs[0]);
      g_assert_true (ph_common_port_lookup (common->port,
                                            (common->protocols & (1u << PH_PORT_PROTOCOL_TCP))
                                              ? PH_PORT_PROTOCOL_TCP
                                              : PH_PORT_PROTOCOL_UDP) == common);
      g_assert_cmpstr (ph_common_port_get_label (common), !=, "");

      if (!g_hash_table_contains (msgids, common->label) ||
          !g_hash_table_contains (msgids, common->description))
        g_error ("[%u] is not in data/ports-common.i18n.h as written; run "
                 "src/core/ph-ports-common-strings.py", common->port);
    }
  g_assert_cmpuint (G_N_ELEMENTS (i18n_strings), ==, 2 * compiled->len);
}

static void
test_common_known (void)
{
  static const struct { guint port; PhPortProtocol protocol; const char *word; } cases[] = {
    { 22, PH_PORT_PROTOCOL_TCP, "SSH" },
    { 53, PH_PORT_PROTOCOL_UDP, "127.0.0.53" },
    { 631, PH_PORT_PROTOCOL_TCP, "CUPS" },
    { 1716, PH_PORT_PROTOCOL_UDP, "GSConnect" },
    { 3000, PH_PORT_PROTOCOL_TCP, "RemoteWare Client" },
    { 3306, PH_PORT_PROTOCOL_TCP, "MySQL" },
    { 4200, PH_PORT_PROTOCOL_TCP, "Angular" },
    { 5000, PH_PORT_PROTOCOL_TCP, "Flask" },
    { 5173, PH_PORT_PROTOCOL_TCP, "Vite" },
    { 5353, PH_PORT_PROTOCOL_UDP, "Avahi" },
    { 5432, PH_PORT_PROTOCOL_TCP, "PostgreSQL" },
    { 6379, PH_PORT_PROTOCOL_TCP, "Redis" },
    { 8000, PH_PORT_PROTOCOL_TCP, "Django" },
    { 8888, PH_PORT_PROTOCOL_TCP, "Jupyter" },
    { 9229, PH_PORT_PROTOCOL_TCP, "Node.js" },
    { 11434, PH_PORT_PROTOCOL_TCP, "Ollama" },
    { 24800, PH_PORT_PROTOCOL_TCP, "Barrier" },
    { 27017, PH_PORT_PROTOCOL_TCP, "MongoDB" },
    { 57621, PH_PORT_PROTOCOL_UDP, "Spotify" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const PhCommonPort *common = ph_common_port_lookup (cases[i].port, cases[i].protocol);
      g_autofree char *text = NULL;

      g_assert_nonnull (common);
      text = g_strconcat (common->label, " ", common->description, NULL);
      if (strstr (text, cases[i].word) == NULL)
        g_error ("port %u does not mention “%s”: %s", cases[i].port, cases[i].word, text);
    }

  g_assert_null (ph_common_port_lookup (5353, PH_PORT_PROTOCOL_TCP));
  g_assert_null (ph_common_port_lookup (62893, PH_PORT_PROTOCOL_TCP));
}

static void
test_common_malformed (void)
{
  static const struct { const char *text; const char *message; } cases[] = {
    { "[80]\nProtocols=tcp;\nLabel=A\nDescription=B.\nPrograms=x;\n"
      "[80]\nProtocols=udp;\nLabel=C\nDescription=D.\nPrograms=y;\n", "more than one" },
    { "[80]\nProtocols=tcp;\nDescription=B.\nPrograms=x;\n", "“Label”" },
    { "[80]\nProtocols=tcp;\nLabel=  \nDescription=B.\nPrograms=x;\n", "“Label”" },
    { "[80]\nProtocols=sctp;\nLabel=A\nDescription=B.\nPrograms=x;\n", "“Protocols”" },
    { "[80]\nProtocols=tcp;tcp;\nLabel=A\nDescription=B.\nPrograms=x;\n", "“Protocols”" },
    { "[80]\nLabel=A\nDescription=B.\nPrograms=x;\n", "“Protocols”" },
    { "[80]\nProtocols=tcp;\nLabel=A\nDescription=B.\n", "“Programs”" },
    { "[80]\nProtocols=tcp;\nLabel=A\nDescripton=B.\nPrograms=x;\n", "unknown key" },
    { "[http]\nProtocols=tcp;\nLabel=A\nDescription=B.\nPrograms=x;\n", "port number" },
    { "[70000]\nProtocols=tcp;\nLabel=A\nDescription=B.\nPrograms=x;\n", "port number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (cases[i].text, strlen (cases[i].text));
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) ports = ph_common_ports_parse (bytes, &error);

      g_assert_null (ports);
      g_assert_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PARSE);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: “%s” does not mention “%s”", i, error->message, cases[i].message);
    }
}

/* Port checks, against real sockets on loopback */

static GSocket *
listen_on_full (const char     *host,
                PhPortProtocol  protocol,
                gboolean        reuse_address,
                guint          *port)
{
  return ph_test_socket_hold (host,
                              protocol == PH_PORT_PROTOCOL_TCP ? G_SOCKET_TYPE_STREAM
                                                               : G_SOCKET_TYPE_DATAGRAM,
                              reuse_address, port);
}

static GSocket *
listen_on (const char     *host,
           PhPortProtocol  protocol,
           guint          *port)
{
  return listen_on_full (host, protocol, FALSE, port);
}

static void
assert_status (const char     *host,
               guint           port,
               PhPortProtocol  protocol,
               PhPortStatus    expected)
{
  g_autoptr(GError) error = NULL;
  PhPortStatus status = ph_port_check (host, port, protocol, &error);

  if (status != expected)
    g_error ("%s port %u/%s: expected %s, got %s (%s)", host ? host : "any", port,
             ph_port_protocol_to_string (protocol), ph_port_status_to_string (expected),
             ph_port_status_to_string (status), error ? error->message : "no error");
  if (status == PH_PORT_STATUS_UNKNOWN)
    g_assert_nonnull (error);
  else
    g_assert_no_error (error);
}

/* One listener of this test's own, what the check says about its port while it is held,
 * then once it is closed. A list ends at a status of UNKNOWN (never expected here). */
typedef struct
{
  const char     *host;       /* NULL: any address */
  PhPortProtocol  protocol;
  PhPortStatus    status;
} Expect;

typedef struct
{
  const char     *path;
  const char     *listen_host;
  PhPortProtocol  listen_protocol;
  Expect          held[8];
  Expect          released[4];
} HeldCase;

#define TCP PH_PORT_PROTOCOL_TCP
#define UDP PH_PORT_PROTOCOL_UDP
#define IN_USE PH_PORT_STATUS_IN_USE
#define FREE PH_PORT_STATUS_FREE

static const HeldCase held_cases[] = {
  { "/port-info/check/tcp", "127.0.0.1", TCP,
    { { "127.0.0.1", TCP, IN_USE }, { "localhost", TCP, IN_USE }, { NULL, TCP, IN_USE },
      { "0.0.0.0", TCP, IN_USE },
      /* Another loopback address is another socket address: free there. */
      { "127.0.0.2", TCP, FREE },
      /* The check never leaves a socket behind: the listener still holds the port alone. */
      { "127.0.0.1", TCP, IN_USE } },
    { { "127.0.0.1", TCP, FREE }, { NULL, TCP, FREE }, { "localhost", TCP, FREE } } },
  /* A server on every interface also blocks the loopback address. */
  { "/port-info/check/wildcard-listener", "0.0.0.0", TCP,
    { { "127.0.0.1", TCP, IN_USE }, { NULL, TCP, IN_USE }, { "127.0.0.1", UDP, FREE } },
    { { 0 } } },
  { "/port-info/check/udp", "127.0.0.1", UDP,
    { { "127.0.0.1", UDP, IN_USE }, { NULL, UDP, IN_USE } },
    { { "127.0.0.1", UDP, FREE } } },
  { "/port-info/check/ipv6", "::1", TCP,
    { { "::1", TCP, IN_USE }, { "localhost", TCP, IN_USE }, { NULL, TCP, IN_USE } },
    { { 0 } } },
};

#undef TCP
#undef UDP
#undef IN_USE
#undef FREE

static gboolean
have_ipv6_loopback (void)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("::1", 0);
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_DEFAULT, NULL);

  return probe != NULL && g_socket_bind (probe, address, FALSE, NULL);
}

static void
test_check_held (gconstpointer data)
{
  const HeldCase *c = data;
  g_autoptr(GSocket) listener = NULL;
  guint port;

  if (strchr (c->listen_host, ':') != NULL && !have_ipv6_loopback ())
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }

  listener = listen_on (c->listen_host, c->listen_protocol, &port);
  for (guint i = 0; c->held[i].status != PH_PORT_STATUS_UNKNOWN; i++)
    assert_status (c->held[i].host, port, c->held[i].protocol, c->held[i].status);

  g_socket_close (listener, NULL);
  g_clear_object (&listener);
  for (guint i = 0; c->released[i].status != PH_PORT_STATUS_UNKNOWN; i++)
    assert_status (c->released[i].host, port, c->released[i].protocol, c->released[i].status);
}

static void
test_check_lingering (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocket) client = NULL;
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  guint port;

  /* The side that closes a connection first keeps its port in TIME_WAIT for a while. Like
   * most servers, this one sets SO_REUSEADDR, which lets the next server start anyway. */
  listener = listen_on_full ("127.0.0.1", PH_PORT_PROTOCOL_TCP, TRUE, &port);
  address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         &error);
  g_assert_no_error (error);
  g_socket_connect (client, address, NULL, &error);
  g_assert_no_error (error);
  accepted = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);

  g_socket_close (accepted, &error);
  g_assert_no_error (error);
  g_socket_close (listener, &error);
  g_assert_no_error (error);
  g_socket_close (client, &error);
  g_assert_no_error (error);

  assert_status ("127.0.0.1", port, PH_PORT_PROTOCOL_TCP, PH_PORT_STATUS_LINGERING);
}

static void
test_check_not_local (void)
{
  /* TEST-NET-1 (RFC 5737): never an address of this computer. Binding sends nothing. */
  assert_status ("192.0.2.1", 8080, PH_PORT_PROTOCOL_TCP, PH_PORT_STATUS_NOT_LOCAL);
}

static void
test_check_not_checkable (void)
{
  static const struct
  {
    const char *host;
    guint       port;
    const char *words;   /* what the message must say, or NULL */
  } cases[] = {
    { "127.0.0.1", 0, NULL },
    { "example.com", 80, NULL },
    { "fe80::1%nosuchif0", 22, "“nosuchif0”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (ph_port_check (cases[i].host, cases[i].port, PH_PORT_PROTOCOL_TCP, &error),
                       ==, PH_PORT_STATUS_UNKNOWN);
      g_assert_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_NOT_CHECKABLE);
      if (cases[i].words != NULL)
        ph_test_assert_contains (error->message, cases[i].words);
    }
}

/* Whether this process may make a network namespace of its own (root may): tried in a
 * throwaway child, so this process stays where it is. */
static gboolean
can_unshare_network (void)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    _exit (unshare (CLONE_NEWNET) == 0 ? 0 : 1);

  return pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
         && WEXITSTATUS (status) == 0;
}

/* Moves this process into a new network namespace, where ports below 1024 are privileged
 * again (net.ipv4.ip_unprivileged_port_start starts at 1024 there, whatever the host's
 * says), and brings its loopback up. */
static void
enter_private_network (void)
{
  struct ifreq ifr = { 0 };
  g_autofree char *contents = NULL;
  int fd;

  g_assert_no_errno (unshare (CLONE_NEWNET));
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  g_assert_no_errno (ioctl (fd, SIOCGIFFLAGS, &ifr));
  ifr.ifr_flags |= IFF_UP;
  g_assert_no_errno (ioctl (fd, SIOCSIFFLAGS, &ifr));
  close (fd);
  g_assert_true (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start",
                                      &contents, NULL, NULL));
  g_assert_cmpint (atoi (contents), >, 7);
}

static void
test_check_permission (void)
{
  g_autofree char *contents = NULL;
  guint64 unprivileged_start = 1024;

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;

      if (can_unshare_network ())
        enter_private_network ();
      /* As root, become nobody: the check must say "cannot tell", not "in use". */
      if (geteuid () == 0 && (setgid (65534) != 0 || setuid (65534) != 0))
        g_error ("could not drop privileges");

      g_assert_cmpint (ph_port_check ("127.0.0.1", 7, PH_PORT_PROTOCOL_TCP, &error), ==,
                       PH_PORT_STATUS_UNKNOWN);
      g_assert_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PERMISSION);
      g_print ("%s\n", error->message);
      g_clear_error (&error);
      g_assert_cmpint (ph_port_check (NULL, 7, PH_PORT_PROTOCOL_UDP, &error), ==,
                       PH_PORT_STATUS_UNKNOWN);
      g_assert_error (error, PH_PORT_INFO_ERROR, PH_PORT_INFO_ERROR_PERMISSION);
      return;
    }

  if (g_file_get_contents ("/proc/sys/net/ipv4/ip_unprivileged_port_start", &contents, NULL,
                           NULL))
    g_ascii_string_to_unsigned (g_strstrip (contents), 10, 0, 65536, &unprivileged_start, NULL);
  /* Where anyone may open any port, the check runs in a network namespace of its own. */
  if (unprivileged_start <= 7 && !can_unshare_network ())
    {
      g_test_skip ("every port may be opened by anyone here, and this test may not make a "
                   "network namespace of its own");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*administrator*7*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/port-info/classes", test_classes);
  g_test_add_func ("/port-info/ephemeral/parse", test_range_parse);
  g_test_add_func ("/port-info/ephemeral/fixture", test_range_fixture);
  g_test_add_func ("/port-info/ephemeral/system", test_range_system);
  g_test_add_func ("/port-info/iana", test_iana);
  g_test_add_func ("/port-info/common/all-parse", test_common_all_parse);
  g_test_add_func ("/port-info/common/known", test_common_known);
  g_test_add_func ("/port-info/common/malformed", test_common_malformed);
  for (guint i = 0; i < G_N_ELEMENTS (held_cases); i++)
    g_test_add_data_func (held_cases[i].path, &held_cases[i], test_check_held);
  g_test_add_func ("/port-info/check/lingering", test_check_lingering);
  g_test_add_func ("/port-info/check/not-local", test_check_not_local);
  g_test_add_func ("/port-info/check/not-checkable", test_check_not_checkable);
  g_test_add_func ("/port-info/check/permission", test_check_permission);

  return g_test_run ();
}
