/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-test-utils.c — what the C tests share: the programs they run, ph-test-listener, files */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ph-test-utils.h"

/* A built program next to (or below) this test, or the test fails here: never a test
 * that passes because it could not find what it was meant to run. */
static char *
built_program (const char *first_element,
               ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *relative = NULL;
  char *path;
  va_list ap;

  va_start (ap, first_element);
  for (const char *part = first_element; part != NULL; part = va_arg (ap, const char *))
    g_ptr_array_add (parts, (char *) part);
  va_end (ap);
  g_ptr_array_add (parts, NULL);

  relative = g_build_filenamev ((char **) parts->pdata);
  path = g_test_build_filename (G_TEST_BUILT, relative, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is not built (G_TEST_BUILDDIR is %s)", path,
             g_getenv ("G_TEST_BUILDDIR") != NULL ? g_getenv ("G_TEST_BUILDDIR") : "not set");
  return path;
}

/**
 * ph_test_utils_init:
 *
 * Call after g_test_init() and before anything starts a thread: makes sure the code
 * under test finds the porthole-helper of this build (PORTHOLE_HELPER). A test's
 * subprocess keeps the environment its parent chose for it.
 */
void
ph_test_utils_init (void)
{
  if (g_getenv ("PORTHOLE_HELPER") == NULL && !g_test_subprocess ())
    {
      g_autofree char *helper = built_program ("..", "src", "helper", "porthole-helper", NULL);

      g_setenv ("PORTHOLE_HELPER", helper, TRUE);
    }
}

/* The helper the code under test runs (after ph_test_utils_init()). */
const char *
ph_test_helper_path (void)
{
  const char *helper = g_getenv ("PORTHOLE_HELPER");

  if (helper == NULL)
    g_error ("ph_test_utils_init() was not called");
  return helper;
}

/* The porthole program of this build. */
char *
ph_test_porthole_path (void)
{
  return built_program ("..", "src", "porthole", NULL);
}

/* Field 22 of /proc/PID/stat, or 0 when the process is gone. */
guint64
ph_test_proc_start_time (gint64 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  rest = strrchr (contents, ')');
  if (rest == NULL || rest[1] == '\0')
    return 0;
  fields = g_strsplit (rest + 2, " ", -1);
  if (g_strv_length (fields) < 20)
    return 0;
  return g_ascii_strtoull (fields[19], NULL, 10);
}

/* Is this process instance still running (not gone, not a zombie)? */
gboolean
ph_test_proc_alive (gint64  pid,
                    guint64 start)
{
  g_autofree char *path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  g_autofree char *contents = NULL;
  const char *rest;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  rest = strrchr (contents, ')');
  if (rest == NULL || rest[1] == '\0' || rest[2] == 'Z' || rest[2] == 'X')
    return FALSE;
  return ph_test_proc_start_time (pid) == start;
}

/* A listener must not outlive a test that crashed (meson would wait for its stderr). */
void
ph_test_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/**
 * ph_test_listener_start:
 * @first_arg: ph-test-listener's first argument (see its header comment)
 *
 * Starts ph-test-listener with the arguments and waits until it holds every socket.
 *
 * Returns: (transfer full): the listener
 */
PhTestListener *
ph_test_listener_start (const char *first_arg,
                        ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  PhTestListener *listener = g_new0 (PhTestListener, 1);
  va_list ap;

  listener->children = g_array_new (FALSE, FALSE, sizeof (gint64));
  listener->child_starts = g_array_new (FALSE, FALSE, sizeof (guint64));
  g_ptr_array_add (argv, built_program ("ph-test-listener", NULL));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, ph_test_die_with_parent, NULL, NULL);
  listener->process = g_subprocess_launcher_spawnv (launcher,
                                                    (const char * const *) argv->pdata,
                                                    &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (listener->process));

  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_auto(GStrv) words = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      words = g_strsplit (line, " ", -1);
      if (g_str_equal (words[0], "SOCKET"))
        {
          guint i = listener->n_sockets++;

          g_assert_cmpuint (i, <, G_N_ELEMENTS (listener->ports));
          g_assert_cmpuint (g_strv_length (words), ==, 5);
          listener->protos[i] = g_strdup (words[1]);
          listener->ports[i] = (guint) g_ascii_strtoull (words[3], NULL, 10);
          listener->inodes[i] = g_ascii_strtoull (words[4], NULL, 10);
          g_assert_cmpuint (listener->ports[i], !=, 0);
        }
      else if (g_str_equal (words[0], "CHILD"))
        {
          gint64 pid = g_ascii_strtoll (words[1], NULL, 10);
          guint64 start = ph_test_proc_start_time (pid);

          g_array_append_val (listener->children, pid);
          g_array_append_val (listener->child_starts, start);
        }
      else if (g_str_equal (words[0], "READY"))
        {
          listener->pid = g_ascii_strtoll (words[1], NULL, 10);
          break;
        }
    }

  listener->start = ph_test_proc_start_time (listener->pid);
  g_assert_cmpuint (listener->start, !=, 0);
  return listener;
}

/* Ends a listener the way a person would (SIGTERM), and reaps it. */
void
ph_test_listener_stop (PhTestListener *listener)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (listener->process, SIGTERM);
  g_subprocess_wait (listener->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&listener->process);
}

/* Kills what is left of the listener: only the processes it started, and only the same
 * instances. */
void
ph_test_listener_free (PhTestListener *listener)
{
  if (listener->process != NULL)
    {
      g_subprocess_force_exit (listener->process);
      g_subprocess_wait (listener->process, NULL, NULL);
      g_clear_object (&listener->process);
    }
  for (guint i = 0; i < listener->children->len; i++)
    {
      gint64 pid = g_array_index (listener->children, gint64, i);

      if (ph_test_proc_alive (pid, g_array_index (listener->child_starts, guint64, i)))
        kill ((pid_t) pid, SIGKILL);
    }
  for (guint i = 0; i < listener->n_sockets; i++)
    g_free (listener->protos[i]);
  g_array_unref (listener->children);
  g_array_unref (listener->child_starts);
  g_free (listener);
}

/* Read by LeakSanitizer in the sanitizer build: fontconfig loses a few of its own
 * allocations (pattern and language sets it makes while GTK picks fonts) and they are
 * reported when the process ends. Only those are let through; a leak of this program's
 * own objects is still reported, and the tests' windows are checked by g_assert_finalize_object. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:libfontconfig.so\n";
}

/* ---- sockets on loopback ------------------------------------------------------------- */

/* A socket of this test's own on @host (an IP address) at a port the kernel picks, bound
 * (with SO_REUSEADDR if @reuse_address) and, for a stream, listening; its port in @port. */
GSocket *
ph_test_socket_hold (const char  *host,
                     GSocketType  type,
                     gboolean     reuse_address,
                     guint       *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string (host, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_assert_nonnull (address);
  socket = g_socket_new (g_socket_address_get_family (address), type,
                         G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, reuse_address, &error);
  g_assert_no_error (error);
  if (type == G_SOCKET_TYPE_STREAM)
    {
      g_socket_listen (socket, &error);
      g_assert_no_error (error);
    }
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&socket);
}

/* Binds a TCP socket to 127.0.0.1:@port (0: the kernel picks); the socket, or -1 with
 * errno set. */
static int
bind_loopback (guint port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((guint16) port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int saved;

  g_assert_cmpint (fd, >=, 0);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0)
    return fd;
  saved = errno;
  close (fd);
  errno = saved;
  return -1;
}

/* A loopback TCP port nothing listens on (it was free a moment ago). */
guint
ph_test_unused_port (void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd = bind_loopback (0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  close (fd);
  return ntohs (addr.sin_port);
}

/* Whether 127.0.0.1:@port can be bound (TCP, without SO_REUSEADDR) right now; any failure
 * but "in use" fails the test. */
gboolean
ph_test_port_is_free (guint port)
{
  int fd = bind_loopback (port);

  if (fd < 0)
    {
      g_assert_cmpint (errno, ==, EADDRINUSE);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Fails the test unless @needle is in @haystack, showing both. */
void
ph_test_assert_contains (const char *haystack,
                         const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, haystack);
}

/* Writes @contents to @dir/@name, making @dir first; the test fails if it cannot. */
void
ph_test_write_file (const char *dir,
                    const char *name,
                    const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Removes @path and everything below it, never following a symbolic link. */
void
ph_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        ph_test_remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}
