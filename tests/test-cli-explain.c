/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-explain.c — `porthole --explain ADDRESS` run as a real program, next to real sockets */
#include "config.h"

#include <unistd.h>

#include <gio/gio.h>

#include "ph-test-utils.h"

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run_explain (const char *address,
             Run        *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *porthole = ph_test_porthole_path ();

  /* English in UTF-8, whatever the machine's locale, and no display: it must not need one. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");

  process = g_subprocess_launcher_spawn (launcher, &error, porthole, "--explain", address, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
  g_test_message ("--explain %s → %d\n%s%s", address, run->status, run->out, run->err);
}

/* A TCP socket bound to 127.0.0.1:PORT, or NULL when something holds that port. */
static GSocket *
bind_tcp (guint port)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, NULL);

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, NULL))
    return NULL;
  return g_steal_pointer (&socket);
}

static void
test_loopback_dynamic (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *lower = NULL;

  run_explain ("127.0.0.1:62893", &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  lower = g_utf8_strdown (run.out, -1);
  ph_test_assert_contains (lower, "loopback");
  ph_test_assert_contains (lower, "dynamic (private) port");
  ph_test_assert_contains (run.out, "127.0.0.1:62893 (TCP)");
  ph_test_assert_contains (run.out, "49152–65535");
  ph_test_assert_contains (run.out, "\nStatus\n");
}

static void
test_free_and_in_use (void)
{
  g_autoptr(GSocket) holder = NULL;
  g_autofree char *address = NULL;
  guint port;

  holder = ph_test_socket_hold ("127.0.0.1", G_SOCKET_TYPE_STREAM, FALSE, &port);
  address = g_strdup_printf ("127.0.0.1:%u", port);

  {
    g_auto(Run) run = { 0 };

    g_autofree char *who = g_strdup_printf ("process %d is listening here", (int) getpid ());

    run_explain (address, &run);
    g_assert_cmpint (run.status, ==, 0);
    /* The scanner names the holder: this test process. */
    ph_test_assert_contains (run.out, who);
  }

  g_socket_close (holder, NULL);
  g_clear_object (&holder);

  {
    g_auto(Run) run = { 0 };

    run_explain (address, &run);
    g_assert_cmpint (run.status, ==, 0);
    ph_test_assert_contains (run.out, "Nothing is listening here; the port is free.");
  }
}

static void
test_udp (void)
{
  g_autoptr(GSocket) holder = NULL;
  g_autofree char *udp = NULL;
  g_autofree char *tcp = NULL;
  guint port;

  /* "/udp" asks about UDP; without it the TCP port of the same number is asked about.
   * Other programs on this machine may hold that TCP number: take a UDP port whose TCP
   * twin is free. */
  for (guint tries = 0; ; tries++)
    {
      g_autoptr(GSocket) twin = NULL;

      g_clear_object (&holder);
      holder = ph_test_socket_hold ("127.0.0.1", G_SOCKET_TYPE_DATAGRAM, FALSE, &port);
      twin = bind_tcp (port);
      if (twin != NULL || tries == 50)
        break;
    }
  udp = g_strdup_printf ("127.0.0.1:%u/udp", port);
  tcp = g_strdup_printf ("127.0.0.1:%u", port);

  {
    g_auto(Run) run = { 0 };

    g_autofree char *who = g_strdup_printf ("process %d is listening here", (int) getpid ());

    run_explain (udp, &run);
    g_assert_cmpint (run.status, ==, 0);
    ph_test_assert_contains (run.out, "(UDP)");
    ph_test_assert_contains (run.out, who);
  }
  {
    g_auto(Run) run = { 0 };

    run_explain (tcp, &run);
    g_assert_cmpint (run.status, ==, 0);
    ph_test_assert_contains (run.out, "(TCP)");
    ph_test_assert_contains (run.out, "the port is free");
  }
}

static void
test_forms (void)
{
  static const struct { const char *address; const char *words[2]; } cases[] = {
    { "[::1]:8080", { "[::1]:8080 (TCP)", "IPv6 loopback" } },
    { "localhost:3000", { "RemoteWare Client", "Web dev server" } },
    { ":3000", { "Port 3000 (TCP) on any address", "Any address" } },
    { "3000", { "Port 3000 (TCP) on any address", "0.0.0.0 for IPv4" } },
    { "0.0.0.0:80", { "every IPv4 address", "World Wide Web HTTP" } },
    { "::1", { "IPv6 loopback", "cannot connect" } },
    { "192.168.1.20:8080", { "Private local network address", "HTTP Alternate" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_explain (cases[i].address, &run);
      g_assert_cmpint (run.status, ==, 0);
      ph_test_assert_contains (run.out, cases[i].words[0]);
      ph_test_assert_contains (run.out, cases[i].words[1]);
    }

  /* No port, no Port section. */
  {
    g_auto(Run) run = { 0 };

    run_explain ("::1", &run);
    g_assert_null (strstr (run.out, "\nPort\n"));
  }
}

static void
test_not_an_address (void)
{
  static const struct { const char *address; const char *words; } cases[] = {
    { "abc", "porthole: “abc” is neither an IP address nor a port number." },
    { "99999", "99999 is not a port number: ports go from 0 to 65535." },
    { "1.2.3:80", "“1.2.3” is not a valid IPv4 address" },
    { "[::1", "The “]” that closes the IPv6 address is missing" },
    { ":", "A port number is missing after “:”." },
    { "", "Type an address such as 127.0.0.1:8080" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_explain (cases[i].address, &run);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      ph_test_assert_contains (run.err, cases[i].words);
      g_assert_true (g_str_has_suffix (run.err, ".\n"));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ph_test_utils_init ();

  g_test_add_func ("/cli-explain/loopback-dynamic", test_loopback_dynamic);
  g_test_add_func ("/cli-explain/free-and-in-use", test_free_and_in_use);
  g_test_add_func ("/cli-explain/udp", test_udp);
  g_test_add_func ("/cli-explain/forms", test_forms);
  g_test_add_func ("/cli-explain/not-an-address", test_not_an_address);

  return g_test_run ();
}
