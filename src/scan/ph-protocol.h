/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-protocol.h — writing the helper's line protocol (ph-protocol-defs.h, PROTOCOL.md) */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ph-buf.h"
#include "ph-protocol-defs.h"

/* A record is built as TYPE, then "\tkey=value" fields, then "\n". */
void ph_rec_start (PhBuf *out, PhRecordKind kind);
/* Skipped when @value is NULL (the protocol's "unknown"). */
void ph_rec_str   (PhBuf *out, const char *key, const char *value);
void ph_rec_mem   (PhBuf *out, const char *key, const char *value, size_t len);
void ph_rec_u64   (PhBuf *out, const char *key, uint64_t value);
void ph_rec_i64   (PhBuf *out, const char *key, int64_t value);
void ph_rec_end   (PhBuf *out);

/* A whole WARN record: @code is one of PH_WARN_*, @message a sentence in English. */
void ph_rec_warn  (PhBuf *out, const char *code, const char *message);
