/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-protocol-defs.h — the helper's line protocol: version, records, keys and outcomes */
#pragma once

/*
 * Both ends include this header: the helper (scan/, helper/) writes the protocol and
 * Porthole (core/) reads it. It needs nothing but a C compiler, so the statically linked
 * helper can use it. PROTOCOL.md says what every record and key means; the values are
 * defined here and nowhere else.
 */

/* Bump on any incompatible change; readers refuse another version. */
#define PH_PROTOCOL_VERSION 2

/* ---- verbs and the commands `watch` reads on stdin ----------------------------------- */

#define PH_VERB_VERSION          "--version"
#define PH_VERB_WATCH            "watch"
#define PH_VERB_STOP             "stop"
#define PH_VERB_ENGINE           "engine"

#define PH_COMMAND_REFRESH       "refresh"
#define PH_COMMAND_INTERVAL      "interval"

/* Every verb exits with this status when its arguments are wrong. */
#define PH_HELPER_EXIT_USAGE     2

/* ---- records ------------------------------------------------------------------------- */

typedef enum
{
  PH_RECORD_UNKNOWN,   /* a type this reader does not know: skipped */
  PH_RECORD_HELLO,
  PH_RECORD_BEGIN,
  PH_RECORD_END,
  PH_RECORD_SOCK,
  PH_RECORD_GONE,
  PH_RECORD_PROC,
  PH_RECORD_PGONE,
  PH_RECORD_WARN,
  PH_RECORD_RESULT,
  PH_RECORD_N_KINDS
} PhRecordKind;

/* The type word that starts a record's line; NULL for PH_RECORD_UNKNOWN. */
static inline const char *
ph_record_kind_name (PhRecordKind kind)
{
  switch (kind)
    {
    case PH_RECORD_HELLO:  return "HELLO";
    case PH_RECORD_BEGIN:  return "BEGIN";
    case PH_RECORD_END:    return "END";
    case PH_RECORD_SOCK:   return "SOCK";
    case PH_RECORD_GONE:   return "GONE";
    case PH_RECORD_PROC:   return "PROC";
    case PH_RECORD_PGONE:  return "PGONE";
    case PH_RECORD_WARN:   return "WARN";
    case PH_RECORD_RESULT: return "RESULT";
    case PH_RECORD_UNKNOWN:
    case PH_RECORD_N_KINDS:
    default:               return (const char *) 0;
    }
}

/* ---- keys, by the records that carry them -------------------------------------------- */

/* HELLO */
#define PH_KEY_PROTOCOL          "protocol"
#define PH_KEY_VERSION           "version"
#define PH_KEY_PID               "pid"
#define PH_KEY_EUID              "euid"
#define PH_KEY_SOURCE            "source"

/* BEGIN, END */
#define PH_KEY_SEQ               "seq"
#define PH_KEY_KIND              "kind"
#define PH_KEY_SOCKETS           "sockets"
#define PH_KEY_ELAPSED_US        "elapsed_us"
#define PH_KEY_WALKED            "walked"

/* SOCK, GONE */
#define PH_KEY_ID                "id"
#define PH_KEY_PROTO             "proto"
#define PH_KEY_FAMILY            "family"
#define PH_KEY_ADDR              "addr"
#define PH_KEY_PORT              "port"
#define PH_KEY_SCOPE             "scope"
#define PH_KEY_V6ONLY            "v6only"
#define PH_KEY_UID               "uid"
#define PH_KEY_USER              "user"
#define PH_KEY_INODE             "inode"
#define PH_KEY_CGROUP            "cgroup"
#define PH_KEY_CONNS             "conns"
#define PH_KEY_OWNERS            "owners"
#define PH_KEY_HIDDEN            "hidden"
#define PH_KEY_KERNEL            "kernel"
#define PH_KEY_UNSEEN            "unseen"

/* PROC, PGONE (and pid, uid, user, cgroup above) */
#define PH_KEY_START             "start"
#define PH_KEY_PPID              "ppid"
#define PH_KEY_COMM              "comm"
#define PH_KEY_EXE               "exe"
#define PH_KEY_CWD               "cwd"
#define PH_KEY_CMDLINE           "cmdline"
#define PH_KEY_MANAGER           "manager"
#define PH_KEY_UNIT              "unit"
#define PH_KEY_APP_ID            "app_id"
#define PH_KEY_LAUNCHER          "launcher"
#define PH_KEY_CONTAINER         "container"
#define PH_KEY_CONTAINER_KIND    "container_kind"
#define PH_KEY_SLICE             "slice"
#define PH_KEY_APP_NAME          "app_name"
#define PH_KEY_APP_ICON          "app_icon"

/* Why the owner of a SOCK cannot be seen from where the helper runs (the value of unseen) */
#define PH_UNSEEN_PID_NAMESPACE  "pid-namespace"
#define PH_UNSEEN_NO_PROC        "no-proc"

/* WARN */
#define PH_KEY_CODE              "code"
#define PH_KEY_MESSAGE           "message"

/* The codes of WARN */
#define PH_WARN_NETLINK_UNAVAILABLE "netlink-unavailable"
#define PH_WARN_PROCNET_MALFORMED   "procnet-malformed"
#define PH_WARN_PROC_UNREADABLE     "proc-unreadable"
#define PH_WARN_UNKNOWN_COMMAND     "unknown-command"

/* RESULT (and pid, inode, message above) */
#define PH_KEY_OUTCOME           "outcome"
#define PH_KEY_SIGNAL            "signal"
#define PH_KEY_HOLDERS           "holders"
#define PH_KEY_SIGNALLED         "signalled"

/* RESULT of `engine` (and message above): a container engine's answer, relayed */
#define PH_KEY_SOCKET            "socket"
#define PH_KEY_STATUS            "status"
#define PH_KEY_PODMAN            "podman"
#define PH_KEY_BODY              "body"
#define PH_KEY_ERRNO             "errno"

/* ---- the outcome of `stop` ----------------------------------------------------------- */

/* Each outcome is also the exit status of `porthole-helper stop`. */
typedef enum
{
  PH_STOP_OUTCOME_FREED = 0,          /* every holder exited; the socket is gone */
  PH_STOP_OUTCOME_STILL_HELD = 1,     /* signalled, but still held after the grace period */
  PH_STOP_OUTCOME_USAGE = PH_HELPER_EXIT_USAGE,  /* bad arguments */
  PH_STOP_OUTCOME_NOT_HOLDER = 3,     /* the process does not hold the socket */
  PH_STOP_OUTCOME_STALE = 4,          /* the PID names another process now */
  PH_STOP_OUTCOME_REFUSED = 5,        /* PID 1, a kernel thread, the helper itself */
  PH_STOP_OUTCOME_PERMISSION = 6,     /* the kernel refused, or the fds cannot be read */
  PH_STOP_OUTCOME_GONE = 7,           /* the process had already exited */
  /* Never sent: what a reader makes of a RESULT without an outcome it can act on. */
  PH_STOP_OUTCOME_FAILED = 8,
} PhStopOutcome;

/* The outcome's name on the RESULT line; NULL for PH_STOP_OUTCOME_FAILED. */
static inline const char *
ph_stop_outcome_name (PhStopOutcome outcome)
{
  switch (outcome)
    {
    case PH_STOP_OUTCOME_FREED:      return "freed";
    case PH_STOP_OUTCOME_STILL_HELD: return "still-held";
    case PH_STOP_OUTCOME_USAGE:      return "usage";
    case PH_STOP_OUTCOME_NOT_HOLDER: return "not-holder";
    case PH_STOP_OUTCOME_STALE:      return "stale";
    case PH_STOP_OUTCOME_REFUSED:    return "refused";
    case PH_STOP_OUTCOME_PERMISSION: return "permission";
    case PH_STOP_OUTCOME_GONE:       return "gone";
    case PH_STOP_OUTCOME_FAILED:
    default:                         return (const char *) 0;
    }
}
