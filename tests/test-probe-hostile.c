/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-probe-hostile.c: the probe against hostile local servers (issue 11, point 5), while a
 * GTK window on an Xvfb of the test's own draws frames in the same main loop */

/*
 * Each hostile server is a thread with a blocking socket on 127.0.0.1 (127.0.0.2 for the
 * redirect's target), so that it never waits on the main loop the probe and GTK share.
 * Every probe runs with the app's own defaults (no timeout hints), all at once, as the
 * detail pane runs them; the test checks that each
 *   - finishes within PROBE_BOUND_MS (the sum of the probe's step deadlines on its
 *     longest path, see below),
 *   - made the server send no more than a bound that shows it stopped reading at its limit
 *     (the rest is what the kernel's socket buffers hold),
 *   - gives a result whose every text is short, valid UTF-8 and display-safe (no NUL, no
 *     escapes, no bidi controls),
 *   - never connects to the host a redirect names;
 * and that the main loop kept drawing meanwhile: a GtkDrawingArea is redrawn on every tick
 * of its frame clock, and its draw function records the time and the main thread's CPU
 * time. Between two frames the main thread may spend at most FRAME_CPU_MS of CPU time (the
 * stall this test found was the TLS CA database loaded in the main loop: about 400 ms of
 * CPU), and at most FRAME_WALL_MS of wall time (a read that blocked on a hostile server
 * would wait seconds, burning none). CPU time is what the main thread did itself, so other
 * jobs on the machine do not move it; where frames cost that much even when idle (ASan at
 * -O0), each bound is three times the longest idle gap, measured first.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ph-probe-private.h"
#include "ph-protocol-reader.h"
#include "ph-test-display.h"
#include "ph-test-utils.h"

/* The longest path of a probe with default deadlines: connect 1.5 s, a TLS handshake
 * 1.5 s, a banner 0.4 s, an HTTP answer 2 s, a close 0.5 s; then, when TLS failed, a new
 * plain connection with the same again without the handshake: 5.9 + 4.4 = 10.3 s. */
#define PROBE_BOUND_MS 10500
#define FRAME_CPU_MS 100
#define FRAME_WALL_MS 1500
#define FLOOD_BYTES (100 * 1024 * 1024)
/* what a probe that stopped at PH_PROBE_READ_LIMIT can have made the server send: the limit
 * plus the socket buffers on both sides (receive autotuning grows only while the reader
 * keeps reading) */
#define SENT_BOUND (4 * 1024 * 1024)

typedef enum
{
  HOSTILE_SILENT,         /* accept, never answer */
  HOSTILE_TRICKLE,        /* one byte a second, forever */
  HOSTILE_FOREVER,        /* an HTTP answer that never ends */
  HOSTILE_FLOOD,          /* 100 MB at once, then close */
  HOSTILE_BIG_TITLE,      /* invalid UTF-8 and a 1 MB <title> */
  HOSTILE_ESCAPES,        /* a banner with NUL bytes, terminal escapes, bidi controls */
  HOSTILE_TLS_CLOSE,      /* looks like TLS, then hangs up in the middle of the handshake */
  HOSTILE_REDIRECT,       /* a redirect to another host */
  HOSTILE_CATCH,          /* the redirect's target: only counts connections */
  N_HOSTILE
} HostileMode;

static const char * const mode_names[] = {
  "never answers", "trickles a byte a second", "answers forever", "sends 100 MB",
  "invalid UTF-8 and a 1 MB title", "NUL bytes and escapes in a banner",
  "closes in the middle of TLS", "redirects to another host", "redirect target",
};

typedef struct
{
  HostileMode mode;
  int listen_fd;
  guint16 port;
  char address[32];
  GThread *thread;
  gint stop;
  gint connections;
  gint64 sent;             /* bytes written, all connections */
  guint16 redirect_port;   /* HOSTILE_REDIRECT: where to send the client */
} Hostile;

static gboolean
wait_readable (Hostile *h,
               int      fd,
               int      ms)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };

  while (!g_atomic_int_get (&h->stop))
    {
      int r = poll (&p, 1, 50);

      if (r > 0)
        return TRUE;
      if (r < 0 && errno != EINTR)
        return FALSE;
      if (ms >= 0 && (ms -= 50) <= 0)
        return FALSE;
    }
  return FALSE;
}

static gboolean
send_all (Hostile    *h,
          int         fd,
          const void *data,
          gsize       len)
{
  const char *p = data;

  while (len > 0 && !g_atomic_int_get (&h->stop))
    {
      ssize_t n = send (fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        {
          struct pollfd pfd = { .fd = fd, .events = POLLOUT };

          poll (&pfd, 1, 50);
          continue;
        }
      if (n <= 0)
        return FALSE;
      __atomic_fetch_add (&h->sent, (gint64) n, __ATOMIC_RELAXED);
      p += n;
      len -= (gsize) n;
    }
  return len == 0;
}

/* Reads what the client sent, if anything within @ms; returns the first byte or -1. */
static int
read_some (Hostile *h,
           int      fd,
           int      ms)
{
  guint8 buf[4096];
  ssize_t n;

  if (!wait_readable (h, fd, ms))
    return -1;
  n = recv (fd, buf, sizeof buf, 0);
  return n > 0 ? buf[0] : -1;
}

static void
serve_one (Hostile *h,
           int      fd)
{
  switch (h->mode)
    {
    case HOSTILE_SILENT:
    case HOSTILE_CATCH:
      while (wait_readable (h, fd, -1) && recv (fd, (char[256]) { 0 }, 256, 0) > 0)
        ;
      break;

    case HOSTILE_TRICKLE:
      {
        static const char text[] = "SSH-2.0-trickle-trickle-trickle-trickle\r\n";

        for (guint i = 0; !g_atomic_int_get (&h->stop); i++)
          {
            if (!send_all (h, fd, &text[i % (sizeof text - 3)], 1))
              break;
            for (int t = 0; t < 20 && !g_atomic_int_get (&h->stop); t++)
              g_usleep (50 * 1000);
          }
      }
      break;

    case HOSTILE_FOREVER:
    case HOSTILE_FLOOD:
      {
        static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>";
        char chunk[16384];
        gint64 total = 0;

        read_some (h, fd, 3000);
        memset (chunk, 'A', sizeof chunk);
        if (!send_all (h, fd, head, sizeof head - 1))
          break;
        while (h->mode == HOSTILE_FOREVER || total < FLOOD_BYTES)
          {
            if (!send_all (h, fd, chunk, sizeof chunk))
              break;
            total += sizeof chunk;
          }
      }
      break;

    case HOSTILE_BIG_TITLE:
      {
        static const char head[] = "HTTP/1.1 200 \xff\xfe\x1b[31mOK\r\nServer: \xc3\x28\x00x"
                                   "\r\nContent-Type: text/html\r\n\r\n<html><head><title>";
        g_autofree char *title = g_malloc (1024 * 1024);

        read_some (h, fd, 3000);
        for (gsize i = 0; i < 1024 * 1024; i++)
          title[i] = "\xe2\x80\xae\xff\n\x1b" "ab"[i % 8];
        if (send_all (h, fd, head, sizeof head - 1) && send_all (h, fd, title, 1024 * 1024))
          send_all (h, fd, "</title></head></html>", 22);
      }
      break;

    case HOSTILE_ESCAPES:
      {
        static const char banner[] = "SSH-2.0-Evil\x00\x1b[2J\x1b]0;pwned\x07\xe2\x80\xae"
                                     "txt\xff\x9b\r\nsecond line\r\n";

        send_all (h, fd, banner, sizeof banner - 1);
        wait_readable (h, fd, 5000);
      }
      break;

    case HOSTILE_TLS_CLOSE:
      {
        /* A TLS ClientHello gets the start of a ServerHello and a hang-up; anything else
         * a TLS alert, which says "this port speaks TLS" */
        static const guint8 partial[] = { 0x16, 0x03, 0x03, 0x00, 0x50, 0x02, 0x00, 0x00 };
        static const guint8 alert[] = { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46 };
        int first = read_some (h, fd, 5000);

        if (first == 0x16)
          send_all (h, fd, partial, sizeof partial);
        else if (first >= 0)
          send_all (h, fd, alert, sizeof alert);
      }
      break;

    case HOSTILE_REDIRECT:
      {
        g_autofree char *answer = g_strdup_printf ("HTTP/1.1 302 Found\r\n"
                                                   "Location: http://127.0.0.2:%u/\x1b[31m\r\n"
                                                   "Content-Length: 0\r\n\r\n",
                                                   h->redirect_port);

        read_some (h, fd, 3000);
        send_all (h, fd, answer, strlen (answer));
      }
      break;

    case N_HOSTILE:
    default:
      g_assert_not_reached ();
    }
}

static gpointer
hostile_thread (gpointer data)
{
  Hostile *h = data;

  while (!g_atomic_int_get (&h->stop))
    {
      int fd;

      if (!wait_readable (h, h->listen_fd, -1))
        break;
      fd = accept4 (h->listen_fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      g_atomic_int_inc (&h->connections);
      serve_one (h, fd);
      close (fd);
    }
  return NULL;
}

static Hostile *
hostile_new (HostileMode mode,
             const char *address)
{
  Hostile *h = g_new0 (Hostile, 1);
  struct sockaddr_in sa = { .sin_family = AF_INET };
  socklen_t len = sizeof sa;
  int one = 1;
  int small = 4096;

  h->mode = mode;
  g_strlcpy (h->address, address, sizeof h->address);
  h->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (h->listen_fd, >=, 0);
  setsockopt (h->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  /* a small send buffer, so that what was sent is close to what the probe took */
  setsockopt (h->listen_fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  g_assert_cmpint (inet_pton (AF_INET, address, &sa.sin_addr), ==, 1);
  g_assert_cmpint (bind (h->listen_fd, (struct sockaddr *) &sa, sizeof sa), ==, 0);
  g_assert_cmpint (listen (h->listen_fd, 16), ==, 0);
  g_assert_cmpint (getsockname (h->listen_fd, (struct sockaddr *) &sa, &len), ==, 0);
  h->port = ntohs (sa.sin_port);
  return h;
}

static void
hostile_start (Hostile *h)
{
  h->thread = g_thread_new (mode_names[h->mode], hostile_thread, h);
}

static void
hostile_free (Hostile *h)
{
  g_atomic_int_set (&h->stop, 1);
  g_thread_join (h->thread);
  close (h->listen_fd);
  g_free (h);
}

/* ---------------------------------------------------------------------------------------
 * The probes, all at once, in the window's main loop
 * ------------------------------------------------------------------------------------- */

typedef struct
{
  Hostile *server;
  gint64 started;
  gint64 elapsed_us;
  gboolean done;
  PhProbeResult *result;
  GError *error;
} Run;

static guint n_running;

static void
on_probed (GObject      *object,
           GAsyncResult *res,
           gpointer      data)
{
  Run *run = data;

  run->result = ph_probe_finish (res, &run->error);
  run->elapsed_us = g_get_monotonic_time () - run->started;
  run->done = TRUE;
  n_running--;
}

/* frame times, from the drawing area's draw function: wall and main-thread CPU time */
typedef struct {
  gint64 wall;
  gint64 cpu;
} Frame;

static GArray *frames;
static gboolean recording;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  g_assert_no_errno (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts));
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The longest gap between two recorded frames, in wall (@cpu FALSE) or CPU time. */
static gint64
longest_gap (gboolean cpu)
{
  gint64 longest = 0;

  for (guint i = 1; i < frames->len; i++)
    {
      Frame *a = &g_array_index (frames, Frame, i - 1), *b = &g_array_index (frames, Frame, i);

      longest = MAX (longest, cpu ? b->cpu - a->cpu : b->wall - a->wall);
    }
  return longest;
}

static void
draw_cb (GtkDrawingArea *area,
         cairo_t        *cr,
         int             width,
         int             height,
         gpointer        data)
{
  gint64 now = g_get_monotonic_time ();

  if (recording)
    g_array_append_val (frames, ((Frame) { now, thread_cpu_us () }));
  cairo_set_source_rgb (cr, (now / 1000 % 1000) / 1000.0, 0.3, 0.6);
  cairo_paint (cr);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static void
check_text (const char *text,
            gsize       max_chars,
            const char *what,
            const char *server)
{
  if (text == NULL)
    return;
  if (!ph_protocol_is_display_safe (text, -1))
    g_error ("%s: the %s is not display-safe: %s", server, what, text);
  if ((gsize) g_utf8_strlen (text, -1) > max_chars + 1)
    g_error ("%s: the %s is %ld characters long", server, what, g_utf8_strlen (text, -1));
}

static void
check_result (Run *run)
{
  PhProbeResult *r = run->result;
  const char *name = mode_names[run->server->mode];

  g_assert_no_error (run->error);
  g_assert_nonnull (r);
  check_text (r->summary, PH_PROBE_TEXT_LIMIT * 2, "summary", name);
  check_text (r->protocol, PH_PROBE_TEXT_LIMIT, "protocol", name);
  check_text (r->reason_phrase, PH_PROBE_TEXT_LIMIT, "reason phrase", name);
  check_text (r->server, PH_PROBE_TEXT_LIMIT, "server", name);
  check_text (r->title, PH_PROBE_TEXT_LIMIT, "title", name);
  check_text (r->location, PH_PROBE_TEXT_LIMIT, "location", name);
  check_text (r->banner, PH_PROBE_TEXT_LIMIT, "banner", name);
}

static void
test_hostile_servers (void)
{
  Hostile *servers[N_HOSTILE];
  Run runs[N_HOSTILE] = { 0 };
  GtkWidget *window, *area;
  gint64 started, max_gap, max_cpu, idle_gap, idle_cpu, bound, bound_cpu;
  guint n_probes = 0;

  for (int m = 0; m < N_HOSTILE; m++)
    servers[m] = hostile_new (m, m == HOSTILE_CATCH ? "127.0.0.2" : "127.0.0.1");
  servers[HOSTILE_REDIRECT]->redirect_port = servers[HOSTILE_CATCH]->port;
  for (int m = 0; m < N_HOSTILE; m++)
    hostile_start (servers[m]);

  frames = g_array_new (FALSE, FALSE, sizeof (Frame));
  window = gtk_window_new ();
  area = gtk_drawing_area_new ();
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_cb, NULL, NULL);
  gtk_widget_set_size_request (area, 200, 100);
  gtk_window_set_child (GTK_WINDOW (window), area);
  /* no client-side decorations: their shadows would make each frame cost more than what
   * is measured here */
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 100);
  gtk_widget_add_tick_callback (area, tick_cb, NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));
  /* let the window map and settle, then measure how far apart frames are when nothing
   * else runs: the bounds are FRAME_CPU_MS and FRAME_WALL_MS, or three times those idle
   * gaps when a build or the machine is that slow (ASan and UBSan at -O0, other jobs on
   * the same cores) */
  started = g_get_monotonic_time ();
  while (g_get_monotonic_time () - started < G_USEC_PER_SEC)
    g_main_context_iteration (NULL, FALSE);
  recording = TRUE;
  started = g_get_monotonic_time ();
  while (g_get_monotonic_time () - started < G_USEC_PER_SEC)
    g_main_context_iteration (NULL, FALSE);
  idle_gap = longest_gap (FALSE);
  idle_cpu = longest_gap (TRUE);
  bound = MAX (FRAME_WALL_MS * 1000, 3 * idle_gap);
  bound_cpu = MAX (FRAME_CPU_MS * 1000, 3 * idle_cpu);
  g_test_message ("idle: %u frames in 1 s, longest gap %.1f ms (%.1f ms of CPU); bounds while "
                  "probing %.1f ms, %.1f ms of CPU", frames->len, idle_gap / 1000.0,
                  idle_cpu / 1000.0, bound / 1000.0, bound_cpu / 1000.0);
  g_array_set_size (frames, 0);

  started = g_get_monotonic_time ();
  for (int m = 0; m < N_HOSTILE; m++)
    {
      if (m == HOSTILE_CATCH)
        continue;
      runs[m].server = servers[m];
      runs[m].started = g_get_monotonic_time ();
      n_running++;
      n_probes++;
      /* no hints: the detail pane's defaults; the program name is one a hostile process
       * could take as well */
      ph_probe_async ("127.0.0.1", servers[m]->port, &(PhProbeHints) { .program = "evil" },
                      NULL, on_probed, &runs[m]);
    }
  while (n_running > 0 && g_get_monotonic_time () - started < 30 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  recording = FALSE;
  g_assert_cmpuint (n_running, ==, 0);

  for (guint i = 1; i < frames->len; i++)
    {
      Frame *a = &g_array_index (frames, Frame, i - 1), *b = &g_array_index (frames, Frame, i);

      if (b->cpu - a->cpu > bound_cpu / 2 || b->wall - a->wall > bound / 2)
        g_test_message ("a gap of %.1f ms (%.1f ms of CPU) between frames, %.2f s after the "
                        "probes began", (b->wall - a->wall) / 1000.0,
                        (b->cpu - a->cpu) / 1000.0, (a->wall - started) / 1e6);
    }
  max_gap = longest_gap (FALSE);
  max_cpu = longest_gap (TRUE);
  g_test_message ("%u probes in %.2f s; %u frames drawn meanwhile, longest gap %.1f ms, "
                  "%.1f ms of CPU", n_probes, (g_get_monotonic_time () - started) / 1e6,
                  frames->len, max_gap / 1000.0, max_cpu / 1000.0);
  for (int m = 0; m < N_HOSTILE; m++)
    if (m != HOSTILE_CATCH)
      g_test_message ("%s: done after %.2f s", mode_names[m], runs[m].elapsed_us / 1e6);
  g_assert_cmpuint (frames->len, >, 10);
  g_assert_cmpint (max_cpu, <, bound_cpu);
  g_assert_cmpint (max_gap, <, bound);

  for (int m = 0; m < N_HOSTILE; m++)
    {
      Run *run = &runs[m];

      if (m == HOSTILE_CATCH)
        continue;
      g_test_message ("%-36s %5.2f s, %8" G_GINT64_FORMAT " bytes sent, %d connections: %s",
                      mode_names[m], run->elapsed_us / 1e6,
                      __atomic_load_n (&servers[m]->sent, __ATOMIC_RELAXED),
                      g_atomic_int_get (&servers[m]->connections),
                      run->result ? ph_probe_result_get_summary (run->result) : "(none)");
      g_assert_true (run->done);
      g_assert_cmpint (run->elapsed_us, <, PROBE_BOUND_MS * 1000);
      check_result (run);
      g_assert_cmpint (__atomic_load_n (&servers[m]->sent, __ATOMIC_RELAXED), <,
                       SENT_BOUND);
    }

  /* what each probe made of it */
  g_assert_cmpint (ph_probe_result_get_kind (runs[HOSTILE_SILENT].result), ==,
                   PH_PROBE_KIND_NONE);
  g_assert_cmpint (ph_probe_result_get_kind (runs[HOSTILE_REDIRECT].result), ==,
                   PH_PROBE_KIND_HTTP);
  g_assert_cmpuint (runs[HOSTILE_REDIRECT].result->status_code, ==, 302);
  g_assert_nonnull (strstr (runs[HOSTILE_REDIRECT].result->location, "127.0.0.2"));
  g_assert_null (strchr (runs[HOSTILE_REDIRECT].result->location, '\x1b'));
  g_assert_cmpint (ph_probe_result_get_kind (runs[HOSTILE_ESCAPES].result), ==,
                   PH_PROBE_KIND_BANNER);
  g_assert_nonnull (strstr (runs[HOSTILE_ESCAPES].result->banner, "Evil"));
  g_assert_cmpint (ph_probe_result_get_kind (runs[HOSTILE_BIG_TITLE].result), ==,
                   PH_PROBE_KIND_HTTP);
  g_assert_nonnull (runs[HOSTILE_BIG_TITLE].result->title);
  /* the probe never follows a redirect: the other host saw nobody */
  g_usleep (200 * 1000);
  g_assert_cmpint (g_atomic_int_get (&servers[HOSTILE_CATCH]->connections), ==, 0);
  /* 100 MB were offered; the probe took its 8 KiB and hung up */
  g_assert_cmpint (__atomic_load_n (&servers[HOSTILE_FLOOD]->sent, __ATOMIC_RELAXED),
                   <, FLOOD_BYTES / 10);

  for (int m = 0; m < N_HOSTILE; m++)
    {
      g_clear_object (&runs[m].result);
      g_clear_error (&runs[m].error);
      hostile_free (servers[m]);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  g_array_unref (frames);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* the frame clock needs a display: without one the test fails, it never passes */
  ph_test_display_init ("none");

  g_test_add_func ("/probe-hostile/servers", test_hostile_servers);
  return ph_test_display_run ();
}
