/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-engine.c — `porthole-helper engine`: three requests to a container engine's API, for the Flatpak */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ph-helper.h"
#include "ph-protocol.h"

/*
 * Inside the Flatpak the engines' API sockets are not in the sandbox, and a permission
 * for them would hand the app the whole engine (flatpak/README.md, "Containers"). The
 * helper already runs on the host as the user, so it asks instead, and only this:
 *
 *   engine SOCKET list            GET /containers/json
 *   engine SOCKET inspect ID      GET /containers/ID/json
 *   engine SOCKET stop ID SECONDS POST /containers/ID/stop?t=SECONDS
 *
 * SOCKET must be one of the engines' own sockets (the rootful ones, or the user's under
 * /run/user/UID), ID a container's ID or name. The answer goes back whole in one RESULT
 * record (status, whether Podman answered, the body escaped); the app reads it as it
 * reads libsoup's. One HTTP/1.0 request on a fresh connection, closed by the engine: no
 * keep-alive, no redirects; a chunked body is put back together.
 */

#define MAX_ANSWER   (8u << 20)
#define TIMEOUT_MS   15000
#define MAX_ID       128

/* The engines' sockets, as ph-containers.c asks them; the user's are the caller's own. */
static bool
allowed_socket (const char *path)
{
  static const char * const rootful[] = { "/run/docker.sock", "/run/podman/podman.sock" };
  static const char * const user[] = { "podman/podman.sock", "docker.sock" };
  char mine[128];

  for (size_t i = 0; i < sizeof rootful / sizeof rootful[0]; i++)
    if (strcmp (path, rootful[i]) == 0)
      return true;
  for (size_t i = 0; i < sizeof user / sizeof user[0]; i++)
    {
      snprintf (mine, sizeof mine, "/run/user/%u/%s", (unsigned) getuid (), user[i]);
      if (strcmp (path, mine) == 0)
        return true;
    }
  return false;
}

/* A container's ID or name: [A-Za-z0-9][A-Za-z0-9_.-]*, as Docker and Podman allow. */
static bool
valid_id (const char *id)
{
  size_t n = strlen (id);

  if (n == 0 || n > MAX_ID)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = id[i];
      bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

      if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
        return false;
    }
  return true;
}

static int64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for @events on @fd until @deadline; false on timeout or error. */
static bool
wait_fd (int     fd,
         short   events,
         int64_t deadline)
{
  for (;;)
    {
      struct pollfd pfd = { fd, events, 0 };
      int64_t left = deadline - now_ms ();
      int r;

      if (left <= 0)
        {
          errno = ETIMEDOUT;
          return false;
        }
      r = poll (&pfd, 1, (int) left);
      if (r > 0)
        return true;
      if (r == 0)
        {
          errno = ETIMEDOUT;
          return false;
        }
      if (errno != EINTR)
        return false;
    }
}

/* Sends @request and reads the whole answer into @answer; false with errno set. */
static bool
exchange (const char *path,
          const char *request,
          PhBuf      *answer)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int64_t deadline = now_ms () + TIMEOUT_MS;
  size_t off = 0;
  size_t len = strlen (request);
  int fd;
  int saved;

  if (strlen (path) >= sizeof addr.sun_path)
    {
      errno = ENAMETOOLONG;
      return false;
    }
  memcpy (addr.sun_path, path, strlen (path) + 1);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return false;
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0 &&
      (errno != EINPROGRESS && errno != EAGAIN))
    goto fail;
  while (off < len)
    {
      ssize_t n;

      if (!wait_fd (fd, POLLOUT, deadline))
        goto fail;
      n = send (fd, request + off, len - off, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR)
        goto fail;
      if (n > 0)
        off += (size_t) n;
    }
  for (;;)
    {
      char chunk[16384];
      ssize_t n;

      if (!wait_fd (fd, POLLIN, deadline))
        goto fail;
      n = recv (fd, chunk, sizeof chunk, 0);
      if (n == 0)
        break;
      if (n < 0)
        {
          if (errno == EAGAIN || errno == EINTR)
            continue;
          goto fail;
        }
      if (answer->len + (size_t) n > MAX_ANSWER)
        {
          errno = EMSGSIZE;
          goto fail;
        }
      ph_buf_append (answer, chunk, (size_t) n);
    }
  close (fd);
  return true;

fail:
  saved = errno;
  close (fd);
  errno = saved;
  return false;
}

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

static int
answer_error (const char *path,
              int         err)
{
  PhBuf out = PH_BUF_INIT;

  ph_helper_hello (&out, "engine");
  ph_rec_start (&out, PH_RECORD_RESULT);
  ph_rec_str (&out, PH_KEY_SOCKET, path);
  ph_rec_u64 (&out, PH_KEY_ERRNO, (uint64_t) err);
  ph_rec_str (&out, PH_KEY_MESSAGE, strerror (err));
  ph_rec_end (&out);
  ph_helper_flush (&out);
  ph_buf_free (&out);
  return 0;
}

int
ph_helper_engine (int    argc,
                  char **argv)
{
  PhBuf answer = PH_BUF_INIT;
  PhBuf out = PH_BUF_INIT;
  char request[512];
  const char *path;
  const char *what;
  char *head_end;
  char *body;
  size_t body_len;
  size_t value_len;
  const char *value;
  unsigned long long seconds = 0;
  unsigned status;
  bool podman;
  bool ok;

  /* The user's own engines only: run as root for someone else, it relays nothing. */
  if (ph_helper_privileged || argc < 3)
    goto usage;
  path = argv[1];
  what = argv[2];
  if (!allowed_socket (path))
    goto usage;
  if (strcmp (what, "list") == 0 && argc == 3)
    snprintf (request, sizeof request, "GET /containers/json HTTP/1.0\r\n");
  else if (strcmp (what, "inspect") == 0 && argc == 4 && valid_id (argv[3]))
    snprintf (request, sizeof request, "GET /containers/%s/json HTTP/1.0\r\n", argv[3]);
  else if (strcmp (what, "stop") == 0 && argc == 5 && valid_id (argv[3]) &&
           ph_helper_parse_number (argv[4], 0, 600, &seconds))
    snprintf (request, sizeof request,
              "POST /containers/%s/stop?t=%llu HTTP/1.0\r\nContent-Length: 0\r\n", argv[3],
              seconds);
  else
    goto usage;
  strncat (request, "Host: localhost\r\nUser-Agent: Porthole\r\n\r\n",
           sizeof request - strlen (request) - 1);

  if (!exchange (path, request, &answer))
    {
      int err = errno;

      ph_buf_free (&answer);
      return answer_error (path, err);
    }
  ph_buf_append_c (&answer, '\0');
  head_end = strstr (answer.data, "\r\n\r\n");
  if (head_end == NULL || sscanf (answer.data, "HTTP/1.%*[01] %3u", &status) != 1)
    {
      ph_buf_free (&answer);
      return answer_error (path, EPROTO);
    }
  *head_end = '\0';
  body = head_end + 4;
  body_len = answer.len - 1 - (size_t) (body - answer.data);
  podman = header (answer.data, "Libpod-Api-Version", &value_len) != NULL;
  value = header (answer.data, "Transfer-Encoding", &value_len);
  ok = value == NULL || value_len != 7 || strncasecmp (value, "chunked", 7) != 0 ||
       dechunk (body, &body_len);
  if (!ok)
    {
      ph_buf_free (&answer);
      return answer_error (path, EPROTO);
    }

  ph_helper_hello (&out, "engine");
  ph_rec_start (&out, PH_RECORD_RESULT);
  ph_rec_str (&out, PH_KEY_SOCKET, path);
  ph_rec_u64 (&out, PH_KEY_STATUS, status);
  ph_rec_u64 (&out, PH_KEY_PODMAN, podman ? 1 : 0);
  ph_rec_mem (&out, PH_KEY_BODY, body, body_len);
  ph_rec_end (&out);
  ok = ph_helper_flush (&out);
  ph_buf_free (&out);
  ph_buf_free (&answer);
  return ok ? 0 : 1;

usage:
  fputs ("porthole-helper: engine SOCKET list | inspect ID | stop ID SECONDS\n", stderr);
  return PH_HELPER_EXIT_USAGE;
}
