/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-http.h — a container engine's HTTP/1.x answer taken apart (the helper's relay and the app) */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* What Porthole asks an engine (ph-containers-engine.c natively, the helper's `engine`
 * for the Flatpak): one HTTP/1.0 request on a fresh connection, closed by the engine
 * after its answer. No keep-alive, no redirects. */

/* Takes apart the whole answer @data of @len bytes, which must be NUL-terminated at
 * data[len] (the head is cut there in place): its status, whether Podman answered (a
 * Libpod-Api-Version header), and its body (@body points into @data; a chunked body is
 * put back together in place). False when it is not an HTTP/1.x answer or its chunks are
 * malformed. */
bool ph_http_parse_answer (char      *data,
                           size_t     len,
                           unsigned  *status,
                           bool      *podman,
                           char     **body,
                           size_t    *body_len);
