/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-escape.h — value escaping of the helper's line protocol (see PROTOCOL.md) */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ph-buf.h"

/* Appends @len bytes of @data to @out so that the result holds no TAB, newline, control
 * byte or invalid UTF-8, and ph_unescape() gives back exactly @data. */
void ph_escape_append (PhBuf *out, const char *data, size_t len);

/* Reverses ph_escape_append(). Returns false (and leaves @out partly filled) on a
 * malformed escape. */
bool ph_unescape (const char *in, size_t len, PhBuf *out);

/* The value of one hexadecimal digit (either case), or -1. Inline, and libc only, so that
 * core's JSON reader uses it too. */
static inline int
ph_hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}
