/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-test-display.h — an X server of the test's own for the in-process UI tests (with GTK) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* After g_test_init(): an Xvfb of this test's own (no TCP, no abstract socket), GTK pointed
 * at it by DISPLAY and GDK_BACKEND, with GTK_A11Y set to @a11y, and gtk_init_check(); bails
 * out of the test if either fails. */
void              ph_test_display_init    (const char     *a11y);
/* g_test_run(), then the Xvfb stopped; returns g_test_run()'s status. */
int               ph_test_display_run     (void);

G_END_DECLS
