/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-protocol.h — the helper's line protocol (documented in PROTOCOL.md) */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ph-buf.h"

#define PH_PROTOCOL_VERSION 1

/* Exit codes of `porthole-helper stop` (PROTOCOL.md, RESULT). */
typedef enum
{
  PH_STOP_FREED = 0,
  PH_STOP_STILL_HELD = 1,
  PH_STOP_USAGE = 2,
  PH_STOP_NOT_HOLDER = 3,
  PH_STOP_STALE = 4,
  PH_STOP_REFUSED = 5,
  PH_STOP_PERMISSION = 6,
  PH_STOP_GONE = 7,
} PhStopOutcome;

/* A record is built as TYPE, then "\tkey=value" fields, then "\n". */
void ph_rec_start (PhBuf *out, const char *type);
/* Skipped when @value is NULL (the protocol's "unknown"). */
void ph_rec_str   (PhBuf *out, const char *key, const char *value);
void ph_rec_mem   (PhBuf *out, const char *key, const char *value, size_t len);
void ph_rec_u64   (PhBuf *out, const char *key, uint64_t value);
void ph_rec_i64   (PhBuf *out, const char *key, int64_t value);
void ph_rec_end   (PhBuf *out);
