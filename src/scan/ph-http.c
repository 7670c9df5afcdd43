/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-http.c — a container engine's HTTP/1.x answer taken apart (the helper's relay and the app) */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ph-http.h"

/* The value of header @name in @head (NUL-terminated, CRLF lines), or NULL. */
static const char *
header (const char *head,
        const char *name,
        size_t     *value_len)
{
  size_t n = strlen (name);

  for (const char *line = strstr (head, "\r\n"); line != NULL; line = strstr (line, "\r\n"))
    {
      const char *end;

      line += 2;
      if (strncasecmp (line, name, n) != 0 || line[n] != ':')
        continue;
      line += n + 1;
      while (*line == ' ' || *line == '\t')
        line++;
      end = strstr (line, "\r\n");
      *value_len = end != NULL ? (size_t) (end - line) : strlen (line);
      return line;
    }
  return NULL;
}

/* Puts a chunked body back together in place; false when it is malformed. */
static bool
dechunk (char   *body,
         size_t *len)
{
  size_t in = 0;
  size_t out = 0;

  for (;;)
    {
      char *end;
      unsigned long size;

      if (in >= *len)
        return false;
      size = strtoul (body + in, &end, 16);
      if (end == body + in)
        return false;
      end = memchr (end, '\n', *len - (size_t) (end - body));
      if (end == NULL)
        return false;
      in = (size_t) (end - body) + 1;
      if (size == 0)
        break;
      if (size > *len - in)
        return false;
      memmove (body + out, body + in, size);
      out += size;
      in += size;
      if (in < *len && body[in] == '\r')
        in++;
      if (in < *len && body[in] == '\n')
        in++;
    }
  *len = out;
  return true;
}

bool
ph_http_parse_answer (char      *data,
                      size_t     len,
                      unsigned  *status,
                      bool      *podman,
                      char     **body,
                      size_t    *body_len)
{
  char *head_end = strstr (data, "\r\n\r\n");
  const char *value;
  size_t value_len;

  if (head_end == NULL || sscanf (data, "HTTP/1.%*[01] %3u", status) != 1)
    return false;
  *head_end = '\0';
  *body = head_end + 4;
  *body_len = len - (size_t) (*body - data);
  *podman = header (data, "Libpod-Api-Version", &value_len) != NULL;
  value = header (data, "Transfer-Encoding", &value_len);
  return value == NULL || value_len != 7 || strncasecmp (value, "chunked", 7) != 0 ||
         dechunk (*body, body_len);
}
