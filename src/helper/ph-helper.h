/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-helper.h — the verbs of porthole-helper and what they share */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "ph-buf.h"

/* Set from a signal handler when the helper should end. */
extern volatile sig_atomic_t ph_helper_quit;
/* The signal mask to wait with (the quit signals unblocked), or NULL. */
extern const sigset_t *ph_helper_wait_mask;
/* Root on behalf of another user (pkexec): environment cleared, fds closed, stop stricter. */
extern bool ph_helper_privileged;

/* The verbs: each returns the helper's exit status. */
int  ph_helper_watch (int argc, char **argv);
int  ph_helper_stop  (int argc, char **argv);
int  ph_helper_engine (int argc, char **argv);

void ph_helper_usage         (FILE *out);
/* The line of --version: "porthole-helper VERSION protocol=N". */
void ph_helper_print_version (FILE *out);
/* Writes all of @buf to stdout and empties it; false when stdout is closed. */
bool ph_helper_flush (PhBuf *buf);
/* Appends the HELLO record. */
void ph_helper_hello (PhBuf *buf, const char *source);
/* Parses a decimal argument; false when it is not a number in [min, max]. */
bool ph_helper_parse_number (const char *s, unsigned long long min, unsigned long long max,
                             unsigned long long *out);
