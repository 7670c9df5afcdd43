/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-test-display.c — an X server of the test's own, GTK opened on it (the in-process UI tests) */
#include "config.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ph-test-display.h"
#include "ph-test-utils.h"

/* A display number that neither this run's /tmp nor any abstract socket uses: every run
 * has a private /tmp, but abstract sockets (/proc/net/unix) are shared by the network
 * namespace, and Xlib given DISPLAY=:N tries @/tmp/.X11-unix/XN first, so a number another
 * run's server holds there would lead GTK to that server (tests/ui/phui.py does the same). */
static guint
free_display (void)
{
  g_autofree char *unix_sockets = NULL;

  g_file_get_contents ("/proc/net/unix", &unix_sockets, NULL, NULL);
  for (;;)
    {
      guint n = (guint) g_random_int_range (100, 30000);
      g_autofree char *abstract = g_strdup_printf ("@/tmp/.X11-unix/X%u\n", n);
      g_autofree char *lock = g_strdup_printf ("/tmp/.X%u-lock", n);
      g_autofree char *socket_path = g_strdup_printf ("/tmp/.X11-unix/X%u", n);

      if ((unix_sockets == NULL || strstr (unix_sockets, abstract) == NULL) &&
          !g_file_test (lock, G_FILE_TEST_EXISTS) &&
          !g_file_test (socket_path, G_FILE_TEST_EXISTS))
        return n;
    }
}

/* Starts Xvfb on display @n with no TCP and no abstract socket; -displayfd says when it
 * is ready. Returns NULL (and sets @error only when Xvfb cannot be run at all) if it did
 * not start there. */
static GSubprocess *
start_xvfb (guint    n,
            GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) xvfb = NULL;
  g_autofree char *display = g_strdup_printf (":%u", n);
  char number[32] = { 0 };
  gsize got = 0;
  int fds[2];

  if (!g_unix_open_pipe (fds, O_CLOEXEC, error))
    return NULL;
  g_subprocess_launcher_take_fd (launcher, fds[1], 3);
  g_subprocess_launcher_set_child_setup (launcher, ph_test_die_with_parent, NULL, NULL);
  xvfb = g_subprocess_launcher_spawn (launcher, error, "Xvfb", display, "-displayfd", "3",
                                      "-screen", "0", "1280x800x24", "-noreset",
                                      "-nolisten", "tcp", "-nolisten", "local", NULL);
  /* The launcher holds the pipe's other end until it goes. */
  g_clear_object (&launcher);
  if (xvfb == NULL)
    {
      close (fds[0]);
      return NULL;
    }
  while (got < sizeof number - 1)
    {
      ssize_t r = read (fds[0], number + got, sizeof number - 1 - got);

      if (r <= 0)
        break;
      got += (gsize) r;
      if (memchr (number, '\n', got) != NULL)
        break;
    }
  close (fds[0]);
  g_strstrip (number);
  if (g_ascii_strtoull (number, NULL, 10) != n)
    {
      g_subprocess_force_exit (xvfb);
      g_subprocess_wait (xvfb, NULL, NULL);
      return NULL;
    }
  return g_steal_pointer (&xvfb);
}

static GSubprocess *xvfb_of_this_test;

/* Starts an X server of this test's own and opens GTK on it, with no session bus,
 * portal or screen reader: the cairo renderer and GTK's @a11y accessibility backend
 * ("test" to read accessible state in-process, "none"). Without a display the test can
 * only fail: it bails out. */
void
ph_test_display_init (const char *a11y)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (xvfb_of_this_test);
  g_setenv ("GTK_A11Y", a11y, TRUE);
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GDK_DEBUG", "no-portals", TRUE);
  g_setenv ("ADW_DISABLE_PORTAL", "1", TRUE);
  g_setenv ("GTK_USE_PORTAL", "0", TRUE);
  for (guint attempt = 0; attempt < 10 && error == NULL && xvfb_of_this_test == NULL; attempt++)
    {
      guint n = free_display ();

      xvfb_of_this_test = start_xvfb (n, &error);
      if (xvfb_of_this_test != NULL)
        {
          g_autofree char *display = g_strdup_printf (":%u", n);

          g_setenv ("DISPLAY", display, TRUE);
          g_setenv ("GDK_BACKEND", "x11", TRUE);
          g_unsetenv ("WAYLAND_DISPLAY");
        }
    }
  if (xvfb_of_this_test == NULL)
    {
      printf ("Bail out! no X display: %s\n",
              error != NULL ? error->message : "Xvfb did not start");
      fflush (stdout);
      exit (1);
    }
  if (!gtk_init_check ())
    {
      printf ("Bail out! GTK could not open the Xvfb display\n");
      fflush (stdout);
      exit (1);
    }
}

/* The tests, then the X server stopped: the end of main(). */
int
ph_test_display_run (void)
{
  int status = g_test_run ();

  g_subprocess_send_signal (xvfb_of_this_test, SIGTERM);
  g_subprocess_wait (xvfb_of_this_test, NULL, NULL);
  g_clear_object (&xvfb_of_this_test);
  return status;
}
