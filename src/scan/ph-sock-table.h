/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-sock-table.h — the table of listeners and their owners, refreshed cheaply, as change sets */
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

typedef struct PhSockTable PhSockTable;

/* @proc_root is "/proc" except in tests. */
PhSockTable *ph_sock_table_new         (const char *proc_root, PhScanFlags flags,
                                        PhSource source);
void         ph_sock_table_free        (PhSockTable *table);
/* "netlink" or "procfs": where the sockets come from. */
const char  *ph_sock_table_source_name (PhSockTable *table);
/* Appends WARN records, if any, then one change set (BEGIN … END): the first is full,
 * later ones hold only what changed. */
void         ph_sock_table_refresh     (PhSockTable *table, PhBuf *out);
/* Called with the output whenever it holds PH_SOCK_TABLE_FLUSH_SIZE bytes or more while a
 * change set is written, so that a full one (20,000 sockets make 3 MB) is not kept whole
 * in memory: @flush writes and empties it. */
#define PH_SOCK_TABLE_FLUSH_SIZE (64 * 1024)
typedef void (*PhFlushFunc) (PhBuf *out, void *data);
void         ph_sock_table_set_flush   (PhSockTable *table, PhFlushFunc flush, void *data);

/* From how many new processes on (ITERATOR_MIN_NEW, 64; 0: never) a refresh asks the
 * kernel's task_file iterator which of them hold a socket, instead of walking them all
 * (tests set it to compare both ways); and how many refreshes of @table did. */
void         ph_sock_table_set_iterator_min (PhSockTable *table, size_t min_new);
unsigned     ph_sock_table_iterator_runs    (PhSockTable *table);
/* Only one refresh will be made (watch --once): the holders' pidfds are kept (they tell
 * a holder's uid and that it is still there) but not watched for exits. */
void         ph_sock_table_set_once    (PhSockTable *table);
/* Tests: @hook runs right after the iterator did (to change a process's fds behind its
 * back); how many holders it named were walked in full because an fd it named had
 * changed by the time it was read again. */
void         ph_sock_table_set_iterator_hook (PhSockTable *table, void (*hook) (void *data),
                                              void *data);
unsigned     ph_sock_table_iterator_stale    (PhSockTable *table);
/* Tests: the iterator's second run (which confirms its first) fails, as it could; how
 * many holders were then taken by reading each of their fds again in /proc instead. */
void         ph_sock_table_set_iterator_again_fails (PhSockTable *table, bool fails);
/* Tests: @hook runs right after the iterator's second run (to end a holder it saw). */
void         ph_sock_table_set_iterator_again_hook (PhSockTable *table,
                                                    void (*hook) (void *data), void *data);
unsigned     ph_sock_table_iterator_reread   (PhSockTable *table);
