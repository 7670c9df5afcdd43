/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-window.c — the real window applying 10-change sets at 2,000 (or 20,000) services */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if __has_include(<valgrind/callgrind.h>)
# include <valgrind/callgrind.h>
#else
# define CALLGRIND_START_INSTRUMENTATION
# define CALLGRIND_STOP_INSTRUMENTATION
# define CALLGRIND_ZERO_STATS
# define CALLGRIND_DUMP_STATS
# define RUNNING_ON_VALGRIND 0
#endif

#include "ph-bench-callgrind.h"
#include "ph-protocol-defs.h"
#include "ph-service-list.h"
#include "ph-test-display.h"
#include "ph-window-private.h"

/*
 * bench-window [N_SERVICES] [N_ROUNDS] [--callgrind] [--quiet]
 *
 * What tests/bench-app.py times in the running app ("apply 10 new", "5 new + 5 gone",
 * "10 gone", an idle refresh), without a helper, a load or a clock that moves with the
 * machine: a real PhWindow on an Xvfb of its own, whose helper (PORTHOLE_HELPER) is a
 * script that writes one full change set of N_SERVICES (2,000) listeners, 10 per process
 * of one program, as bench-app.py's ph-test-listener load, and then stays silent. The
 * deltas are fed to the window's PhServiceList directly, one per frame: N_ROUNDS (20) of
 * each kind, one kind after the other: 10 new sockets in a new process; those 10 gone
 * (and their process); 5 new in a new process while the 5 of another go with it; an empty
 * change set (an idle refresh). Prints each kind's median main-thread time
 * (ph_service_list_get_last_apply_us(), the figure bench-app.py reads: the model's diff
 * and everything GTK does at once in reaction: filter, sections, list view, selection,
 * accessibility).
 *
 * --callgrind (with valgrind installed) also runs itself under callgrind with
 * CALLGRIND_ROUNDS rounds, instrumented only in ph_service_list_apply_change_set() once
 * the first list is on screen, and prints the instructions per change set of each kind,
 * which do not move with the load.
 * The accessibility backend is GTK_A11Y's (bench-app.py runs the app with "atspi" under
 * a session bus); without GTK_A11Y, "none".
 */

#define CALLGRIND_ROUNDS 5
#define SOCKETS_PER_PROC 10

enum { KIND_ADD10, KIND_GONE10, KIND_MIXED, KIND_EMPTY, N_KINDS };

static const char *kind_names[N_KINDS] = {
  "10 new", "10 gone", "5 new + 5 gone", "idle (no change)",
};

typedef struct
{
  guint pid;
  guint n;
  guint64 ids[SOCKETS_PER_PROC];
} Proc;

static guint64 next_id = 500000;
static guint next_pid = 100000;
static guint64 seq = 1;
static GRand *rand_;

static void
append_proc (GString *text,
             guint    pid)
{
  g_string_append_printf (text,
                          "PROC\tpid=%u\tstart=%u\tppid=1\tuid=1000\tuser=dev"
                          "\tcomm=ph-test-listener\texe=/home/dev/porthole/_build/tests/"
                          "ph-test-listener\tcwd=/home/dev/porthole\tcmdline=ph-test-listener"
                          "\\x00tcp:127.0.0.1:0\\x00tcp:127.0.0.1:0"
                          "\tcgroup=/user.slice/user-1000.slice/session-2.scope\n",
                          pid, pid * 7);
}

static void
append_sock (GString *text,
             guint64  id,
             guint    pid,
             guint    fd)
{
  g_string_append_printf (text,
                          "SOCK\tid=%" G_GUINT64_FORMAT "\tproto=tcp\tfamily=4\taddr=127.0.0.1"
                          "\tport=%u\tuid=1000\tuser=dev\tinode=%" G_GUINT64_FORMAT
                          "\tconns=0\towners=%u:%u:%u\thidden=0\tkernel=0\n",
                          id, (guint) g_rand_int_range (rand_, 32768, 61000), id, pid, pid * 7,
                          fd);
}

/* A new process of @n sockets, written to @text. */
static Proc
new_proc (GString *text,
          guint    n)
{
  Proc p = { next_pid++, n, { 0 } };

  append_proc (text, p.pid);
  for (guint k = 0; k < n; k++)
    {
      p.ids[k] = next_id++;
      append_sock (text, p.ids[k], p.pid, 3 + k);
    }
  return p;
}

static void
gone_proc (GString    *text,
           const Proc *p)
{
  for (guint k = 0; k < p->n; k++)
    g_string_append_printf (text, "GONE\tid=%" G_GUINT64_FORMAT "\n", p->ids[k]);
  g_string_append_printf (text, "PGONE\tpid=%u\tstart=%u\n", p->pid, p->pid * 7);
}

static void
begin (GString    *text,
       const char *kind)
{
  seq++;
  g_string_append_printf (text, "BEGIN\tseq=%" G_GUINT64_FORMAT "\tkind=%s\n", seq, kind);
}

static void
end (GString *text,
     guint    n_sockets)
{
  g_string_append_printf (text, "END\tseq=%" G_GUINT64_FORMAT "\tsockets=%u\n", seq, n_sockets);
}

static void
feed (PhServiceList *list,
      const char    *text)
{
  for (const char *p = text; *p != '\0';)
    {
      const char *nl = strchr (p, '\n');
      g_autoptr(GError) error = NULL;

      if (!ph_service_list_feed_line (list, p, nl - p, NULL, &error))
        g_error ("bench-window: bad line: %s", error->message);
      p = nl + 1;
    }
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @n more frames were drawn (the list laid out after a change). */
static void
wait_frames (GtkWidget *widget,
             guint      n)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);

  while (frames < n)
    g_main_context_iteration (NULL, TRUE);
  gtk_widget_remove_tick_callback (widget, id);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The stand-in helper: writes @snapshot and waits for its stdin to close. A stand-in on
 * purpose, and only in this benchmark: it measures the window's reaction to change sets
 * fed in-process, repeatable under callgrind; the real porthole-helper with a real load of
 * ph-test-listener processes is what tests/bench-app.py (and every test) runs. */
static char *
write_helper (const char *dir,
              const char *snapshot)
{
  g_autofree char *data = g_build_filename (dir, "snapshot", NULL);
  g_autofree char *script = NULL;
  char *path = g_build_filename (dir, "fake-helper", NULL);
  g_autoptr(GError) error = NULL;

  script = g_strdup_printf ("#!/bin/sh\ncat '%s'\nexec cat >/dev/null\n", data);
  if (!g_file_set_contents (data, snapshot, -1, &error) ||
      !g_file_set_contents (path, script, -1, &error) || g_chmod (path, 0755) != 0)
    g_error ("bench-window: cannot write the fake helper: %s",
             error != NULL ? error->message : "chmod");
  return path;
}

/* Instructions per change set of each kind, from a run of itself under callgrind with
 * @rounds rounds, which dumps its counts after each kind's rounds; FALSE when it cannot. */
static gboolean
callgrind_counts (const char *self,
                  guint       n_services,
                  guint       rounds,
                  gint64      counts[N_KINDS])
{
  g_autofree char *n_arg = g_strdup_printf ("%u", n_services);
  g_autofree char *r_arg = g_strdup_printf ("%u", rounds);
  const char *argv[] = { self, n_arg, r_arg, "--quiet", NULL };

  if (!ph_bench_callgrind (argv, "ph_service_list_apply_change_set", counts, N_KINDS))
    return FALSE;
  for (guint kind = 0; kind < N_KINDS; kind++)
    counts[kind] /= rounds;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  guint n_services = 2000;
  guint n_rounds = 20;
  guint n_positional = 0;
  gboolean with_callgrind = FALSE;
  gboolean quiet = FALSE;
  const char *a11y = g_getenv ("GTK_A11Y");
  g_autofree char *dir = NULL;
  g_autofree char *helper = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) tens = g_array_new (FALSE, FALSE, sizeof (Proc));
  Proc five;
  GArray *times[N_KINDS];
  PhServiceList *list;
  PhWindow *window;
  gint64 launch;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--callgrind"))
        with_callgrind = TRUE;
      else if (g_str_equal (argv[i], "--quiet"))
        quiet = TRUE;
      else if (n_positional++ == 0)
        n_services = (guint) atoi (argv[i]);
      else
        n_rounds = (guint) atoi (argv[i]);
    }
  if (n_services < 100 || n_rounds < 1)
    {
      g_printerr ("usage: bench-window [N_SERVICES] [N_ROUNDS] [--callgrind] [--quiet]\n");
      return 2;
    }

  rand_ = g_rand_new_with_seed (42);
  for (guint k = 0; k < N_KINDS; k++)
    times[k] = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* The snapshot, and the helper that writes it. */
  g_string_append (text, "HELLO\tprotocol=" G_STRINGIFY (PH_PROTOCOL_VERSION)
                         "\tversion=0.1.0\tpid=1\teuid=1000\tsource=netlink\n");
  begin (text, "full");
  for (guint k = 0; k < n_services / SOCKETS_PER_PROC; k++)
    new_proc (text, SOCKETS_PER_PROC);
  end (text, n_services);
  dir = g_dir_make_tmp ("bench-window-XXXXXX", NULL);
  helper = write_helper (dir, text->str);
  g_setenv ("PORTHOLE_HELPER", helper, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  ph_test_display_init (a11y != NULL && *a11y != '\0' ? a11y : "none");
  adw_init ();

  launch = g_get_monotonic_time ();
  window = g_object_new (PH_TYPE_WINDOW, NULL);
  gtk_window_present (GTK_WINDOW (window));
  list = ph_scanner_get_service_list (window->scanner);
  while (g_list_model_get_n_items (G_LIST_MODEL (list)) < n_services)
    g_main_context_iteration (NULL, TRUE);
  wait_frames (GTK_WIDGET (window), 5);
  if (!quiet)
    g_print ("bench-window: %u services on screen after %.1f ms (GTK_A11Y=%s)\n",
             g_list_model_get_n_items (G_LIST_MODEL (list)),
             (g_get_monotonic_time () - launch) / 1000.0, g_getenv ("GTK_A11Y"));

  /* As bench-app.py: 5 listeners of one process, the first to go in "5 new + 5 gone". */
  g_string_truncate (text, 0);
  begin (text, "delta");
  five = new_proc (text, 5);
  end (text, n_services);
  feed (list, text->str);
  wait_frames (GTK_WIDGET (window), 2);

  /* Each kind's rounds in a row; under callgrind, one dump each. */
  CALLGRIND_START_INSTRUMENTATION;
  CALLGRIND_ZERO_STATS;
  for (guint kind = 0; kind < N_KINDS; kind++)
    {
      for (guint round = 0; round < n_rounds; round++)
        {
          guint n = g_list_model_get_n_items (G_LIST_MODEL (list));
          gint64 us;

          g_string_truncate (text, 0);
          begin (text, "delta");
          switch (kind)
            {
            case KIND_ADD10:
              {
                Proc ten = new_proc (text, 10);

                g_array_append_val (tens, ten);
              }
              break;
            case KIND_GONE10:
              gone_proc (text, &g_array_index (tens, Proc, round));
              break;
            case KIND_MIXED:
              {
                /* a process of 5 sockets goes while another comes */
                Proc next = new_proc (text, 5);

                gone_proc (text, &five);
                five = next;
              }
              break;
            default:
              break;
            }
          end (text, n);
          feed (list, text->str);
          us = ph_service_list_get_last_apply_us (list);
          g_array_append_val (times[kind], us);
          wait_frames (GTK_WIDGET (window), 2);
        }
      CALLGRIND_DUMP_STATS;
    }
  CALLGRIND_STOP_INSTRUMENTATION;

  if (!quiet)
    for (guint kind = 0; kind < N_KINDS; kind++)
      {
        g_print ("bench-window: apply %-17s at %u services: median %.3f ms "
                 "(min %.3f, max %.3f, n=%u)\n", kind_names[kind], n_services,
                 ph_bench_percentile (times[kind], 0.5) / 1000.0,
                 ph_bench_percentile (times[kind], 0.0) / 1000.0,
                 ph_bench_percentile (times[kind], 1.0) / 1000.0, times[kind]->len);
      }

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint k = 0; k < N_KINDS; k++)
    g_array_unref (times[k]);
  g_rand_free (rand_);
  {
    g_autofree char *snapshot = g_build_filename (dir, "snapshot", NULL);

    g_unlink (snapshot);
    g_unlink (helper);
    g_rmdir (dir);
  }

  if (with_callgrind && !RUNNING_ON_VALGRIND)
    {
      gint64 counts[N_KINDS];

      if (!callgrind_counts (argv[0], n_services, CALLGRIND_ROUNDS, counts))
        g_print ("bench-window: no instruction counts (valgrind could not be run)\n");
      else
        for (guint kind = 0; kind < N_KINDS; kind++)
          g_print ("bench-window: apply %-17s at %u services: %.2f M instructions "
                   "(callgrind, %u rounds)\n", kind_names[kind], n_services,
                   counts[kind] / 1e6, CALLGRIND_ROUNDS);
    }
  return 0;
}
