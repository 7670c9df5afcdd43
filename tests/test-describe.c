/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-describe.c — a process's manager and start time in words */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ph-describe.h"

typedef struct
{
  PhProcessFacts facts;
  const char    *expected;
} ManagerCase;

static void
test_manager (void)
{
  static const ManagerCase cases[] = {
    { { .manager = "app", .app_id = "org.gnome.Builder", .unit = "app-gnome-x.scope" },
      "A desktop app (org.gnome.Builder)" },
    /* Without an app ID the unit names it. */
    { { .manager = "app", .unit = "app-gnome-x.scope" },
      "A desktop app (app-gnome-x.scope)" },
    { { .manager = "flatpak", .app_id = "org.mozilla.firefox" },
      "A Flatpak app (org.mozilla.firefox)" },
    { { .manager = "system-service", .unit = "cups.service" },
      "The system service cups.service, run by systemd" },
    { { .manager = "user-service", .unit = "pipewire.service" },
      "Your user service pipewire.service, run by systemd" },
    /* A container ID is shortened as `docker ps` shows it. */
    { { .manager = "container", .container_kind = "docker",
        .container = "3f2a1b9c0d12e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9" },
      "A container (docker 3f2a1b9c0d12)" },
    { { .manager = "container", .container_kind = "libpod", .container = "abc" },
      "A container (libpod abc)" },
    { { .manager = "container" }, "A container ( )" },
    { { .manager = "session" }, "Your login session, for example a terminal" },
    { { .manager = "none" }, "Started by another program or from a terminal" },
    { { .manager = NULL }, "Started by another program or from a terminal" },
    { { .manager = "something-new", .unit = "x.service" },
      "Started by another program or from a terminal" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ph_describe_manager (&cases[i].facts);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static PhProcess *
process_from_line (const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PhRecord) record = ph_record_parse (line, -1, &error);
  PhProcess *process;

  g_assert_no_error (error);
  process = ph_process_new_from_record (record, &error);
  g_assert_no_error (error);
  return process;
}

/* The same words from the facts a PhProcess keeps. */
static void
test_process_manager (void)
{
  static const struct { const char *line; const char *expected; } cases[] = {
    { "PROC\tpid=10\tstart=5\tcomm=cupsd\tmanager=system-service\tunit=cups.service\n",
      "The system service cups.service, run by systemd" },
    { "PROC\tpid=11\tstart=5\tcomm=nginx\tmanager=container\tcontainer_kind=docker"
      "\tcontainer=0123456789abcdef0123\n",
      "A container (docker 0123456789ab)" },
    { "PROC\tpid=12\tstart=5\tcomm=firefox\tmanager=flatpak\tapp_id=org.mozilla.firefox\n",
      "A Flatpak app (org.mozilla.firefox)" },
    { "PROC\tpid=13\tstart=5\tcomm=node\n",
      "Started by another program or from a terminal" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PhProcess) process = process_from_line (cases[i].line);
      g_autofree char *text = ph_describe_process_manager (process);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
}

static void
test_parse_boot_time (void)
{
  static const struct { const char *stat; gint64 btime; } cases[] = {
    { "cpu  1 2 3 4\ncpu0 1 2 3 4\nintr 5\nctxt 6\nbtime 1767225600\nprocesses 7\n",
      1767225600 },
    { "btime 1700000000\n", 1700000000 },
    { "cpu 1\nbtime 1700000000", 1700000000 },
    { "cpu 1\nprocesses 7\n", 0 },
    { "", 0 },
    { "cpu 1\nbtime \n", 0 },
    { "cpu 1\nbtime x\n", 0 },
    { "cpu 1\nbtime 12x\n", 0 },
    { "cpu 1\nbtime -5\n", 0 },
    /* Only a line of its own counts. */
    { "cpu 1\nxbtime 1700000000\n", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s", cases[i].stat);
      g_assert_cmpint (ph_describe_parse_boot_time (cases[i].stat), ==, cases[i].btime);
    }
}

static void
test_start_date_time (void)
{
  g_autoptr(GDateTime) when = NULL;

  /* Booted at 1,700,000,000; started 12.34 s later at 100 ticks a second. */
  when = ph_describe_start_date_time (1234, 1700000000, 100);
  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_to_unix (when), ==, 1700000012);
  g_clear_pointer (&when, g_date_time_unref);

  when = ph_describe_start_date_time (0, 1700000000, 100);
  g_assert_cmpint (g_date_time_to_unix (when), ==, 1700000000);
  g_clear_pointer (&when, g_date_time_unref);

  /* A process started a year after boot, at 1,000 ticks a second. */
  when = ph_describe_start_date_time ((guint64) 365 * 24 * 3600 * 1000, 1700000000, 1000);
  g_assert_cmpint (g_date_time_to_unix (when), ==, 1700000000 + 365 * 24 * 3600);
  g_clear_pointer (&when, g_date_time_unref);

  /* Unknown boot time or clock rate: no answer rather than a wrong one. */
  g_assert_null (ph_describe_start_date_time (1234, 0, 100));
  g_assert_null (ph_describe_start_date_time (1234, -1, 100));
  g_assert_null (ph_describe_start_date_time (1234, 1700000000, 0));
  g_assert_null (ph_describe_start_date_time (1234, 1700000000, -1));
}

/* Field 22 of /proc/self/stat. */
static guint64
own_start_ticks (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  g_assert_true (g_file_get_contents ("/proc/self/stat", &contents, NULL, NULL));
  rest = strrchr (contents, ')');
  g_assert_nonnull (rest);
  fields = g_strsplit (rest + 2, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >=, 20);
  return g_ascii_strtoull (fields[19], NULL, 10);
}

/* This very process started a moment ago: the words say so, to the second. */
static void
test_start_time_of_this_process (void)
{
  g_autofree char *stat = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *expected = NULL;
  gint64 boot_time;

  g_assert_true (g_file_get_contents ("/proc/stat", &stat, NULL, NULL));
  boot_time = ph_describe_parse_boot_time (stat);
  g_assert_cmpint (boot_time, >, 0);

  when = ph_describe_start_date_time (own_start_ticks (), boot_time, sysconf (_SC_CLK_TCK));
  g_assert_nonnull (when);
  /* btime is rounded to the second and the clock may have been stepped since boot. */
  g_assert_cmpint (ABS (g_date_time_difference (now, when)), <, 120 * G_TIME_SPAN_SECOND);

  text = ph_describe_start_time (own_start_ticks ());
  expected = g_date_time_format (when, "%Y-%m-%d %H:%M:%S");
  g_assert_cmpstr (text, ==, expected);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/describe/manager", test_manager);
  g_test_add_func ("/describe/process-manager", test_process_manager);
  g_test_add_func ("/describe/parse-boot-time", test_parse_boot_time);
  g_test_add_func ("/describe/start-date-time", test_start_date_time);
  g_test_add_func ("/describe/start-time-of-this-process", test_start_time_of_this_process);

  return g_test_run ();
}
