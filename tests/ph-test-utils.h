/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-test-utils.h — what the C tests share: the programs they run, ph-test-listener, files */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A ph-test-listener this test started, and what it holds. */
typedef struct
{
  GSubprocess *process;
  gint64       pid;
  guint64      start;          /* its start time, field 22 of /proc/PID/stat */
  guint        n_sockets;      /* one per SPEC, in order */
  char        *protos[8];      /* "tcp" or "udp" */
  guint        ports[8];
  guint64      inodes[8];
  GArray      *children;       /* gint64 PIDs of the children it forked (--fork) */
  GArray      *child_starts;   /* guint64 their start times */
} PhTestListener;

void              ph_test_utils_init      (void);
const char       *ph_test_helper_path     (void);
char             *ph_test_porthole_path   (void);

PhTestListener   *ph_test_listener_start  (const char     *first_arg,
                                           ...) G_GNUC_NULL_TERMINATED;
void              ph_test_listener_stop   (PhTestListener *listener);
void              ph_test_listener_free   (PhTestListener *listener);

void              ph_test_write_file      (const char     *dir,
                                           const char     *name,
                                           const char     *contents);
void              ph_test_remove_tree     (const char     *path);

guint64           ph_test_proc_start_time (gint64          pid);
gboolean          ph_test_proc_alive      (gint64          pid,
                                           guint64         start);
/* A GSpawnChildSetupFunc: the child is killed when this test ends, even by a crash. */
void              ph_test_die_with_parent (gpointer        user_data);

GSocket          *ph_test_socket_hold     (const char     *host,
                                           GSocketType     type,
                                           gboolean        reuse_address,
                                           guint          *port);
guint             ph_test_unused_port     (void);
gboolean          ph_test_port_is_free    (guint           port);

void              ph_test_assert_contains (const char     *haystack,
                                           const char     *needle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhTestListener, ph_test_listener_free)

G_END_DECLS
