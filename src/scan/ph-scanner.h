/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner.h — listeners with their owners, refreshed cheaply, written as change sets */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ph-buf.h"
#include "ph-sock.h"

typedef enum
{
  PH_SOURCE_AUTO,      /* netlink, and /proc/net where netlink cannot answer */
  PH_SOURCE_NETLINK,
  PH_SOURCE_PROCFS,
} PhSource;

typedef struct
{
  size_t   listed;        /* processes in /proc */
  size_t   walked;        /* processes whose fds were read in the last refresh */
  size_t   sockets;
  size_t   processes;     /* owning processes */
  uint64_t elapsed_us;
} PhScanStats;

typedef struct PhScanner PhScanner;

/* @proc_root is "/proc" except in tests. */
PhScanner  *ph_scanner_new        (const char *proc_root, PhScanFlags flags, PhSource source);
void        ph_scanner_free       (PhScanner *sc);
/* "netlink" or "procfs": where the sockets come from. */
const char *ph_scanner_source_name (PhScanner *sc);
/* Appends WARN records, if any, then one change set (BEGIN … END): the first is full,
 * later ones hold only what changed. */
void        ph_scanner_refresh    (PhScanner *sc, PhBuf *out);
void        ph_scanner_get_stats  (PhScanner *sc, PhScanStats *stats);
