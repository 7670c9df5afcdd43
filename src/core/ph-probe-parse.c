/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-probe-parse.c: reading what a server sent: greetings (SSH, SMTP, MySQL, …) and HTTP answers */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ph-probe-private.h"

/* ---------------------------------------------------------------------------------------
 * Server-first greetings
 * ------------------------------------------------------------------------------------- */

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
      text = ph_probe_sanitize_text (version, nul - version, PH_PROBE_GREETING_LIMIT);
      self = ph_probe_result_new (PH_PROBE_KIND_BANNER);
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
      self = ph_probe_result_new (PH_PROBE_KIND_BANNER);
      self->protocol = g_strdup ("MySQL");
      self->banner = ph_probe_sanitize_text (data + 7, MIN (len, payload + 4) - 7, PH_PROBE_TEXT_LIMIT);
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

PhProbeResult *
ph_probe_classify_banner (const guint8 *data,
                 gsize         len,
                 guint16       port,
                 gboolean      tls)
{
  static const guint16 ftp_ports[] = { 21, 990, 2121 };
  static const guint16 smtp_ports[] = { 25, 465, 587, 2525 };
  g_autoptr(PhProbeResult) self = NULL;
  g_autofree char *line = NULL;

  self = classify_mysql (data, len);
  if (self == NULL && !ph_probe_looks_like_text (data, len))
    return ph_probe_result_new_unknown (data, len);

  if (self == NULL)
    {
      self = ph_probe_result_new (PH_PROBE_KIND_BANNER);
      self->banner = ph_probe_sanitize_text (data, len, PH_PROBE_TEXT_LIMIT);
    }

  if (self->summary != NULL)
    {
      /* MySQL, done above */
    }
  else if (ph_probe_has_prefix (data, len, "SSH-"))
    {
      const guint8 *software = memchr (data + 4, '-', len - 4);

      self->protocol = g_strdup ("SSH");
      if (software != NULL)
        {
          gsize skip = software + 1 - data;
          gsize end = skip;

          while (end < len && data[end] != ' ' && data[end] != '\r' && data[end] != '\n')
            end++;
          line = ph_probe_sanitize_text (data + skip, end - skip, PH_PROBE_GREETING_LIMIT);
        }
      if (line != NULL && line[0] != '\0')
        self->summary = g_strdup_printf (_("SSH server: %s"), line);
      else
        self->summary = g_strdup (_("SSH server"));
    }
  else if (ph_probe_has_prefix (data, len, "220"))
    {
      line = ph_probe_greeting_line (data, len, 4);
      if (port_is_one_of (port, ftp_ports, G_N_ELEMENTS (ftp_ports))
          || ph_probe_contains_nocase (line, "ftp"))
        {
          self->protocol = g_strdup ("FTP");
          self->summary = g_strdup_printf (_("File transfer server (FTP): %s"), line);
        }
      else if (port_is_one_of (port, smtp_ports, G_N_ELEMENTS (smtp_ports))
               || ph_probe_contains_nocase (line, "smtp")
               || ph_probe_contains_nocase (line, "mail"))
        {
          self->protocol = g_strdup ("SMTP");
          self->summary = g_strdup_printf (_("Mail server (SMTP): %s"), line);
        }
    }
  else if (ph_probe_has_prefix (data, len, "+OK"))
    {
      line = ph_probe_greeting_line (data, len, 4);
      self->protocol = g_strdup ("POP3");
      self->summary = g_strdup_printf (_("Mail server (POP3): %s"), line);
    }
  else if (ph_probe_has_prefix (data, len, "* OK") || ph_probe_has_prefix (data, len, "* PREAUTH"))
    {
      line = ph_probe_greeting_line (data, len, 2);
      self->protocol = g_strdup ("IMAP");
      self->summary = g_strdup_printf (_("Mail server (IMAP): %s"), line);
    }
  else if (ph_probe_has_prefix (data, len, "RFB "))
    {
      self->protocol = g_strdup ("VNC");
      self->summary = g_strdup (_("Remote desktop server (VNC)"));
    }
  else if (ph_probe_has_prefix (data, len, "@RSYNCD:"))
    {
      self->protocol = g_strdup ("rsync");
      self->summary = g_strdup (_("File synchronisation server (rsync)"));
    }
  else if (ph_probe_has_prefix (data, len, "INFO {"))
    {
      self->protocol = g_strdup ("NATS");
      self->summary = g_strdup (_("Message broker (NATS)"));
    }
  else if (ph_probe_has_prefix (data, len, ":") || ph_probe_has_prefix (data, len, "NOTICE "))
    {
      self->protocol = g_strdup ("IRC");
      self->summary = g_strdup (_("Chat server (IRC)"));
    }

  if (self->summary == NULL)
    {
      g_clear_pointer (&line, g_free);
      line = ph_probe_greeting_line (data, len, 0);
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

  return ph_probe_sanitize_text ((const guint8 *) out->str, out->len, PH_PROBE_TEXT_LIMIT);
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

  if (!ph_probe_has_prefix (data, len, "HTTP/"))
    return FALSE;
  while (i < len && (g_ascii_isdigit (data[i]) || data[i] == '.'))
    i++;
  if (i >= len || data[i] != ' ')
    return FALSE;
  return i + 3 < len && g_ascii_isdigit (data[i + 1]) && g_ascii_isdigit (data[i + 2])
         && g_ascii_isdigit (data[i + 3]);
}

PhProbeResult *
ph_probe_parse_http (const guint8 *data,
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

  self = ph_probe_result_new (tls ? PH_PROBE_KIND_HTTPS : PH_PROBE_KIND_HTTP);
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
                                                  line_end - (space + 5), PH_PROBE_GREETING_LIMIT);
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
                                                 PH_PROBE_TEXT_LIMIT);
        }
      else if (colon - line == 8 && g_ascii_strncasecmp (line, "Location", 8) == 0)
        {
          g_free (self->location);
          self->location = ph_probe_sanitize_text ((const guint8 *) value, line_end - value,
                                                   PH_PROBE_TEXT_LIMIT);
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
gboolean
ph_probe_http_response_complete (const guint8 *data,
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
gboolean
ph_probe_http_says_use_tls (PhProbeResult *result,
                   const guint8  *data,
                   gsize          len)
{
  g_autofree char *text = NULL;

  if (result->status_code != 400 && result->status_code != 497)
    return FALSE;
  text = ph_probe_sanitize_text (data, len, PH_PROBE_READ_LIMIT);
  return ph_probe_contains_nocase (text, "https") || ph_probe_contains_nocase (text, " ssl")
         || ph_probe_contains_nocase (text, "tls");
}

/* A TLS record header (alert or handshake, version 3.x): a TLS server's reply to a
 * plain-text request. */
gboolean
ph_probe_looks_like_tls_record (const guint8 *data,
                       gsize         len)
{
  return len >= 3 && (data[0] == 0x15 || data[0] == 0x16) && data[1] == 0x03;
}

gboolean
ph_probe_banner_complete (const guint8 *data,
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
