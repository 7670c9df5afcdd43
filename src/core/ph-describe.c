/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-describe.c — a process's facts in words: what manages it and when it started */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>
#include <unistd.h>

#include "ph-describe.h"

/**
 * ph_describe_manager:
 * @facts: what the helper reported about the process (manager, unit, app ID, container)
 *
 * What started the process and keeps it running, in words: a desktop app, a Flatpak, a
 * systemd system or user service, a container, the login session, or a program or
 * terminal.
 *
 * Returns: (transfer full): a translated sentence fragment
 */
char *
ph_describe_manager (const PhProcessFacts *facts)
{
  const char *manager = facts->manager;
  const char *app = facts->app_id != NULL ? facts->app_id : facts->unit;

  if (g_strcmp0 (manager, "app") == 0)
    return g_strdup_printf (_("A desktop app (%s)"), app);
  if (g_strcmp0 (manager, "flatpak") == 0)
    return g_strdup_printf (_("A Flatpak app (%s)"), app);
  if (g_strcmp0 (manager, "system-service") == 0)
    return g_strdup_printf (_("The system service %s, run by systemd"), facts->unit);
  if (g_strcmp0 (manager, "user-service") == 0)
    return g_strdup_printf (_("Your user service %s, run by systemd"), facts->unit);
  if (g_strcmp0 (manager, "container") == 0)
    {
      g_autofree char *short_id = ph_container_short_id (facts->container);

      return g_strdup_printf (_("A container (%s %s)"),
                              facts->container_kind != NULL ? facts->container_kind : "",
                              short_id);
    }
  if (g_strcmp0 (manager, "session") == 0)
    return g_strdup (_("Your login session, for example a terminal"));
  return g_strdup (_("Started by another program or from a terminal"));
}

/* ph_describe_manager() for a PhProcess. */
char *
ph_describe_process_manager (PhProcess *process)
{
  PhProcessFacts facts = { 0 };

  g_return_val_if_fail (PH_IS_PROCESS (process), NULL);

  facts.manager = ph_process_get_manager (process);
  facts.unit = ph_process_get_unit (process);
  facts.app_id = ph_process_get_app_id (process);
  facts.container = ph_process_get_container (process);
  facts.container_kind = ph_process_get_container_kind (process);
  return ph_describe_manager (&facts);
}

/**
 * ph_describe_parse_boot_time:
 * @proc_stat: the contents of /proc/stat
 *
 * Returns: the `btime` line's value (when the system booted, in seconds since the
 *   epoch), or 0 when there is none
 */
gint64
ph_describe_parse_boot_time (const char *proc_stat)
{
  const char *line;
  const char *value;
  char *end = NULL;
  gint64 btime;

  g_return_val_if_fail (proc_stat != NULL, 0);

  if (g_str_has_prefix (proc_stat, "btime "))
    line = proc_stat;
  else if ((line = strstr (proc_stat, "\nbtime ")) != NULL)
    line++;
  else
    return 0;

  value = line + strlen ("btime ");
  btime = g_ascii_strtoll (value, &end, 10);
  if (end == value || (*end != '\n' && *end != '\0') || btime < 0)
    return 0;
  return btime;
}

/**
 * ph_describe_start_date_time:
 * @start_ticks: field 22 of /proc/PID/stat: clock ticks since boot
 * @boot_time: ph_describe_parse_boot_time()
 * @ticks_per_second: sysconf (_SC_CLK_TCK)
 *
 * Returns: (transfer full) (nullable): when the process started, in local time, to the
 *   second; NULL when @boot_time or @ticks_per_second is unknown
 */
GDateTime *
ph_describe_start_date_time (guint64 start_ticks,
                             gint64  boot_time,
                             long    ticks_per_second)
{
  if (boot_time <= 0 || ticks_per_second <= 0)
    return NULL;
  return g_date_time_new_from_unix_local (boot_time +
                                          (gint64) (start_ticks / (guint64) ticks_per_second));
}

/* This system's boot time, read once: it does not change while Porthole runs. */
static gint64
get_boot_time (void)
{
  static gsize boot_time;

  if (g_once_init_enter (&boot_time))
    {
      g_autofree char *stat = NULL;
      gint64 value = 0;

      if (g_file_get_contents ("/proc/stat", &stat, NULL, NULL))
        value = ph_describe_parse_boot_time (stat);
      /* 1 stands for "unknown": g_once_init_leave() needs a value other than 0. */
      g_once_init_leave (&boot_time, value > 0 ? (gsize) value : 1);
    }
  return boot_time > 1 ? (gint64) boot_time : 0;
}

/**
 * ph_describe_start_time:
 * @start_ticks: field 22 of /proc/PID/stat, as the helper reports it
 *
 * Returns: (transfer full) (nullable): when a process of this system started, as a
 *   local date and time for people to read, or NULL when it cannot be known
 */
char *
ph_describe_start_time (guint64 start_ticks)
{
  g_autoptr(GDateTime) when = ph_describe_start_date_time (start_ticks, get_boot_time (),
                                                           sysconf (_SC_CLK_TCK));

  if (when == NULL)
    return NULL;
  /* Translators: a date and time, see g_date_time_format() */
  return g_date_time_format (when, _("%Y-%m-%d %H:%M:%S"));
}
