/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-supervisor.h: what would start a listening process again (pm2, nodemon, a unit…) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PH_SUPERVISOR_NONE,
  PH_SUPERVISOR_SYSTEMD,         /* a systemd service with Restart= */
  PH_SUPERVISOR_PM2,             /* the pm2 "God Daemon" */
  PH_SUPERVISOR_NODEMON,
  PH_SUPERVISOR_WATCHEXEC,
  PH_SUPERVISOR_CARGO_WATCH,
  PH_SUPERVISOR_SUPERVISORD,     /* supervisord, runsv, s6-supervise, forever */
  PH_SUPERVISOR_SHELL_LOOP,      /* sh -c 'while true; do …; done', or a script with a loop */
  PH_SUPERVISOR_PACKAGE_SCRIPT,  /* npm run, yarn, pnpm: started it, ends with it */
} PhSupervisorKind;

/* One process of the chain above a holder, nearest first. */
typedef struct
{
  gint64   pid;
  guint64  start_time;   /* field 22 of /proc/PID/stat, as the helper reports it */
  gint64   ppid;
  char    *comm;
  GStrv    argv;         /* NULL when unreadable */
  char    *script;       /* for a shell: the contents of the script it runs, if small */
} PhProcLink;

typedef struct
{
  PhSupervisorKind  kind;
  char             *name;        /* "nodemon", "pm2", "npm run dev", "shop-api.service" */
  gint64            pid;         /* 0 for a systemd unit */
  guint64           start_time;
  gboolean          restarts;    /* it will start the program again when it exits */
  char             *restart;     /* for a unit: its Restart= ("always") */
} PhSupervisor;

void          ph_proc_link_free              (PhProcLink         *link);
void          ph_supervisor_free             (PhSupervisor       *supervisor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhProcLink, ph_proc_link_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhSupervisor, ph_supervisor_free)

/* The ancestors of @pid (its parent first, PID 1 and 0 excluded), read from /proc here.
 * This needs the same /proc as the process: natively yes; inside a Flatpak the sandbox
 * has its own PID namespace, and the helper on the host would have to report them.
 * (element-type PhProcLink) */
GPtrArray    *ph_supervisor_read_ancestors   (gint64              pid);

/* What will start the holder again, or NULL. @chain is its ancestors, nearest first;
 * @manager and @unit are the holder's (PROTOCOL.md, PROC); a service's Restart= is read
 * from its unit files (transient ones included). The nearest supervisor that restarts
 * wins; otherwise a package script that started it; otherwise NULL. */
PhSupervisor *ph_supervisor_find             (GPtrArray          *chain,
                                              const char         *manager,
                                              const char         *unit,
                                              guint               uid);
/* ph_supervisor_read_ancestors() then ph_supervisor_find() */
PhSupervisor *ph_supervisor_find_for_pid     (gint64              pid,
                                              const char         *manager,
                                              const char         *unit,
                                              guint               uid);

/* The confirmation's sentence: "nodemon, process 311, will start it again." */
char         *ph_supervisor_describe         (const PhSupervisor *supervisor);
/* The "started again by …" of the check after acting: "nodemon (process 311)" */
char         *ph_supervisor_dup_label        (const PhSupervisor *supervisor);

/* What the check after freeing @port says when it is held again: by @name, process @pid
 * (@name NULL: by something it cannot see), with @supervisor what ph_supervisor_find()
 * found above it and @parent its parent (the first link of its chain), either NULL. When
 * no supervisor that restarts is known, it says so and names the parent, which nobody
 * signalled. */
char         *ph_supervisor_describe_return  (guint               port,
                                              const char         *name,
                                              gint64              pid,
                                              const PhSupervisor *supervisor,
                                              const PhProcLink   *parent);

/* The Restart= of a service from its unit files and drop-ins ("always", "on-failure"),
 * or NULL when unset or "no", or the unit is not found. */
char         *ph_supervisor_read_unit_restart (const char        *unit,
                                               gboolean           system,
                                               guint              uid);

G_END_DECLS
