/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-ui-widgets.c — the real window and its widgets, driven in-process on an X server of its own */
#include "config.h"

#include <adwaita.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ph-free-port-flow.h"
#include "ph-service-list.h"
#include "ph-service-row.h"
#include "ph-test-display.h"
#include "ph-test-utils.h"
#include "ph-window-private.h"

/* ---- waiting on the main loop ---------------------------------------------------------- */

static gboolean
tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @cond holds or @ms pass; evaluates to whether it holds. */
#define WAIT_FOR(cond, ms)                                                                 \
  ({                                                                                       \
    gint64 deadline_ = g_get_monotonic_time () + (gint64) (ms) * G_TIME_SPAN_MILLISECOND;  \
    guint tick_ = g_timeout_add (10, tick, NULL);                                          \
    while (!(cond) && g_get_monotonic_time () < deadline_)                                 \
      g_main_context_iteration (NULL, TRUE);                                               \
    g_source_remove (tick_);                                                               \
    (cond);                                                                                \
  })

/* Runs the main loop for @ms, whatever happens. */
static void
spin (guint ms)
{
  WAIT_FOR (FALSE, ms);
}

/* ---- warnings ---------------------------------------------------------------------------- */

/* Every warning and critical the process logs is counted (and still printed, and with
 * G_DEBUG=fatal-warnings still fatal), so a test can say "none while this happened". */
static guint n_warnings;

static GLogWriterOutput
count_warnings (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    n_warnings++;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* ---- processes this test starts --------------------------------------------------------- */

/* A supervisor: a shell that starts ph-test-listener on @port again whenever it ends, as
 * systemd's Restart= would. Its own process group, so the test can end all of it. */
static void
supervisor_setup (gpointer user_data)
{
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocess *
supervisor_start (guint port)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *spec = g_strdup_printf ("tcp:127.0.0.1:%u", port);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, supervisor_setup, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c",
                                         "while true; do \"$0\" \"$1\" >/dev/null 2>&1; "
                                         "sleep 0.2; done",
                                         g_getenv ("PH_TEST_LISTENER"), spec, NULL);
  g_assert_no_error (error);
  return process;
}

static void
supervisor_stop (GSubprocess *process)
{
  const char *id = g_subprocess_get_identifier (process);

  /* The shell and the listener it runs now: the process group this test made. */
  if (id != NULL)
    kill (-(pid_t) g_ascii_strtoll (id, NULL, 10), SIGKILL);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

/* ---- widgets ------------------------------------------------------------------------------ */

/* The texts of the labels under @widget, depth first, that are visible. */
static void
collect_labels (GtkWidget *widget,
                GPtrArray *texts)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_label (GTK_LABEL (widget))));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, texts);
}

static GPtrArray *
labels_of (GtkWidget *widget)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  collect_labels (widget, texts);
  return texts;
}

/* The texts a service row draws: port, address, detail. It draws them itself, with no
 * label widget (the list keeps some 200 rows alive). */
static GPtrArray *
row_texts (GtkWidget *row)
{
  GPtrArray *texts = labels_of (row);

  g_assert_cmpuint (texts->len, ==, 0);
  for (guint i = 0; i < PH_SERVICE_ROW_N_TEXTS; i++)
    g_ptr_array_add (texts, g_strdup (ph_service_row_get_text (PH_SERVICE_ROW (row), i)));
  return texts;
}

/* The first widget under @widget of @type that @match accepts. */
static GtkWidget *
find_widget (GtkWidget  *widget,
             GType       type,
             gboolean  (*match) (GtkWidget *widget, gconstpointer data),
             gconstpointer data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && (match == NULL || match (widget, data)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
row_shows (GtkWidget     *widget,
           gconstpointer  service)
{
  return ph_service_row_get_service (PH_SERVICE_ROW (widget)) == service;
}

static gboolean
label_is (GtkWidget     *widget,
          gconstpointer  text)
{
  return g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
button_is (GtkWidget     *widget,
           gconstpointer  label)
{
  return g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
button_starts (GtkWidget     *widget,
               gconstpointer  prefix)
{
  const char *label = gtk_button_get_label (GTK_BUTTON (widget));

  return label != NULL && g_str_has_prefix (label, prefix);
}

/* Clicks the response button labelled @label (with its mnemonic) of @dialog, once it is
 * on screen. */
static void
respond (AdwDialog  *dialog,
         const char *label)
{
  GtkWidget *button = find_widget (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, button_is, label);

  g_assert_nonnull (button);
  g_assert_true (WAIT_FOR (gtk_widget_get_mapped (button), 5000));
  g_signal_emit_by_name (button, "clicked");
}

static AdwAlertDialog *
visible_alert (PhWindow *window)
{
  AdwDialog *dialog = adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (window));

  return ADW_IS_ALERT_DIALOG (dialog) ? ADW_ALERT_DIALOG (dialog) : NULL;
}

/* ---- the window ------------------------------------------------------------------------- */

static PhWindow *
window_new (void)
{
  PhWindow *window = g_object_new (PH_TYPE_WINDOW, NULL);

  /* GTK keeps toplevels alive; this reference is the test's, released by
   * window_close_and_finalize(). */
  g_object_ref (window);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* Closes @window as its close button does and checks that nothing keeps it alive. */
static void
window_close_and_finalize (PhWindow *window)
{
  gtk_window_close (GTK_WINDOW (window));
  spin (100);
  g_assert_finalize_object (window);
}

static PhService *
find_listed (PhWindow   *window,
             const char *address,
             guint       port)
{
  return ph_service_list_find (ph_scanner_get_service_list (window->scanner), "tcp", address,
                               port);
}

static void
search (PhWindow   *window,
        const char *text)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  gtk_editable_set_text (GTK_EDITABLE (window->search_entry), text);
  g_assert_true (WAIT_FOR (window->query != NULL && g_str_equal (window->query->text, stripped),
                           5000));
}

static guint
n_shown (PhWindow *window)
{
  return g_list_model_get_n_items (G_LIST_MODEL (window->filter_model));
}

static const char *
list_page (PhWindow *window)
{
  return gtk_stack_get_visible_child_name (window->list_stack);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void
test_window_new_destroy (void)
{
  PhWindow *window = window_new ();
  guint warnings = n_warnings;

  g_assert_true (WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (window)), 5000));
  /* The list is wired as ph-window.ui says: filter → selection → list view. */
  g_assert_true (gtk_list_view_get_model (window->service_list) ==
                 GTK_SELECTION_MODEL (window->selection));
  g_assert_true (gtk_single_selection_get_model (window->selection) ==
                 G_LIST_MODEL (window->filter_model));
  g_assert_nonnull (gtk_filter_list_model_get_model (window->filter_model));
  /* Rows come from a factory in code (ph-window.c), headers from ph-window.ui. */
  g_assert_true (GTK_IS_SIGNAL_LIST_ITEM_FACTORY (gtk_list_view_get_factory (window->service_list)));
  g_assert_true (GTK_IS_BUILDER_LIST_ITEM_FACTORY (
                   gtk_list_view_get_header_factory (window->service_list)));
  g_assert_cmpuint (gtk_single_selection_get_selected (window->selection), ==,
                    GTK_INVALID_LIST_POSITION);
  spin (300);
  window_close_and_finalize (window);
  g_assert_cmpuint (n_warnings, ==, warnings);
}

/* A postgres of the user's, and its socket on port 5432 (id 7). */
#define POSTGRES_PROC                                                                       \
  "PROC\tpid=10\tstart=1\tppid=1\tuid=1000\tuser=me\tcomm=postgres\texe=/usr/bin/postgres" \
  "\tcmdline=postgres\tmanager=none"
#define POSTGRES_SOCK                                                                       \
  "SOCK\tid=7\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=5432\tuid=1000\tuser=me"        \
  "\towners=10:1:3\thidden=0\tkernel=0"

/* A row follows its service property by property: when the owner changes only the line
 * that shows the owner, and what a screen reader says, are written again. */
static void
test_row_bindings (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(GPtrArray) texts = NULL;
  PhServiceRow *row = g_object_ref_sink (ph_service_row_new ());
  const char *port_text;
  GtkWidget *image;
  PhService *service;
  char *spoken = NULL;
  const char *lines[] = {
    "BEGIN\tseq=1\tkind=full",
    POSTGRES_PROC,
    POSTGRES_SOCK,
    "END\tseq=1",
    /* The owner is now hidden (another user's), and it listens on every address. */
    "BEGIN\tseq=2\tkind=delta",
    "SOCK\tid=7\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=5432\tuid=1001\tuser=pg"
    "\towners=\thidden=1\tkernel=0",
    "END\tseq=2",
    /* On every address: reachable from other computers. */
    "BEGIN\tseq=3\tkind=delta",
    "SOCK\tid=7\tproto=tcp\tfamily=4\taddr=0.0.0.0\tport=5432\tuid=1001\tuser=pg"
    "\towners=\thidden=1\tkernel=0",
    "END\tseq=3",
    /* And back on the loopback address. */
    "BEGIN\tseq=4\tkind=delta",
    "SOCK\tid=7\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=5432\tuid=1001\tuser=pg"
    "\towners=\thidden=1\tkernel=0",
    "END\tseq=4",
    NULL
  };
  guint i;

  for (i = 0; !g_str_equal (lines[i], "END\tseq=1"); i++)
    ph_service_list_feed_line (list, lines[i], -1, NULL, NULL);
  ph_service_list_feed_line (list, lines[i++], -1, NULL, NULL);
  service = ph_service_list_lookup (list, 7);
  g_assert_nonnull (service);

  ph_service_row_set_service (row, service);
  texts = row_texts (GTK_WIDGET (row));
  g_assert_cmpuint (texts->len, ==, 3);
  g_assert_cmpstr (texts->pdata[0], ==, "5432");
  g_assert_cmpstr (texts->pdata[1], ==, "127.0.0.1 · TCP");
  g_assert_cmpstr (texts->pdata[2], ==, "Registered port · postgres");
  /* The reachability mark is made only for a row that shows it. */
  g_assert_null (find_widget (GTK_WIDGET (row), GTK_TYPE_IMAGE, NULL, NULL));
  g_object_get (row, "accessible-label", &spoken, NULL);
  g_assert_cmpstr (spoken, ==, "Port 5432, TCP on 127.0.0.1, Registered port, postgres (PID 10)");
  g_clear_pointer (&spoken, g_free);

  /* A change of owner rewrites the detail, not the port: its text stays the same string. */
  port_text = ph_service_row_get_text (row, PH_SERVICE_ROW_PORT);
  for (; !g_str_equal (lines[i], "END\tseq=2"); i++)
    ph_service_list_feed_line (list, lines[i], -1, NULL, NULL);
  ph_service_list_feed_line (list, lines[i++], -1, NULL, NULL);
  g_assert_true (ph_service_list_lookup (list, 7) == service);
  g_assert_true (ph_service_get_hidden (service));

  g_clear_pointer (&texts, g_ptr_array_unref);
  texts = row_texts (GTK_WIDGET (row));
  g_assert_cmpstr (texts->pdata[0], ==, "5432");
  g_assert_cmpstr (texts->pdata[2], ==,
                   "Registered port · probably postgresql (guessed from the port)");
  g_assert_true (ph_service_row_get_text (row, PH_SERVICE_ROW_PORT) == port_text);
  g_object_get (row, "accessible-label", &spoken, NULL);
  g_assert_cmpstr (spoken, ==, "Port 5432, TCP on 127.0.0.1, Registered port, "
                               "probably postgresql (guessed from the port)");
  g_clear_pointer (&spoken, g_free);
  g_assert_null (find_widget (GTK_WIDGET (row), GTK_TYPE_IMAGE, NULL, NULL));

  /* On every address the mark shows; back on the loopback address it hides again. */
  for (; !g_str_equal (lines[i], "END\tseq=3"); i++)
    ph_service_list_feed_line (list, lines[i], -1, NULL, NULL);
  ph_service_list_feed_line (list, lines[i++], -1, NULL, NULL);
  g_assert_true (ph_service_is_reachable_from_network (service));
  image = find_widget (GTK_WIDGET (row), GTK_TYPE_IMAGE, NULL, NULL);
  g_assert_nonnull (image);
  g_assert_true (gtk_widget_get_visible (image));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (image), ==, "Reachable from other computers");
  for (; lines[i] != NULL; i++)
    ph_service_list_feed_line (list, lines[i], -1, NULL, NULL);
  g_assert_false (ph_service_is_reachable_from_network (service));
  g_assert_true (find_widget (GTK_WIDGET (row), GTK_TYPE_IMAGE, NULL, NULL) == image);
  g_assert_false (gtk_widget_get_visible (image));

  /* Unbound, the row lets go of the service. */
  ph_service_row_set_service (row, NULL);
  g_assert_null (ph_service_row_get_service (row));
  g_assert_finalize_object (row);
}

/* What typing into the search does, through the real window and the real scanner. */
static void
test_window_search (void)
{
  g_autoptr(PhTestListener) listener = ph_test_listener_start ("tcp:127.0.0.1:0", NULL);
  PhWindow *window = window_new ();
  g_autofree char *by_address = g_strdup_printf ("127.0.0.1:%u", listener->ports[0]);
  g_autofree char *bare_port = g_strdup_printf ("  %u ", listener->ports[0]);
  g_autofree char *port_text = g_strdup_printf ("%u", listener->ports[0]);
  g_autofree char *nobody = g_strdup_printf ("127.0.0.1:%u", ph_test_unused_port ());
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(PhService) first = NULL;
  PhService *service;
  GtkWidget *row;
  GtkWidget *header;
  guint all;

  g_assert_true (WAIT_FOR (find_listed (window, "127.0.0.1", listener->ports[0]) != NULL, 15000));
  service = find_listed (window, "127.0.0.1", listener->ports[0]);
  g_assert_true (WAIT_FOR (g_str_equal (list_page (window), "list"), 5000));
  all = n_shown (window);
  g_assert_cmpuint (all, >=, 1);
  /* The detail pane's widgets are made when it first has something to show. */
  g_assert_null (adw_bin_get_child (ADW_BIN (window->detail_pane)));

  /* An address with a port: the list shows what listens there, and selects it. */
  search (window, by_address);
  g_assert_cmpint (window->query->kind, ==, PH_SEARCH_QUERY_ADDRESS);
  g_assert_cmpuint (n_shown (window), ==, 1);
  first = g_list_model_get_item (G_LIST_MODEL (window->filter_model), 0);
  g_assert_true (first == service);
  g_assert_true (ph_window_get_selected_service (window) == service);
  g_assert_true (ph_detail_pane_get_service (window->detail_pane) == service);
  g_assert_nonnull (adw_bin_get_child (ADW_BIN (window->detail_pane)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->detail_stack), ==, "detail");

  /* The factories made a row and a section header for it, bound to its properties. */
  g_assert_true (WAIT_FOR ((row = find_widget (GTK_WIDGET (window->service_list),
                                               PH_TYPE_SERVICE_ROW, row_shows, service)) != NULL,
                           5000));
  texts = row_texts (row);
  g_assert_cmpstr (texts->pdata[0], ==, port_text);
  g_assert_cmpstr (texts->pdata[1], ==, "127.0.0.1 · TCP");
  g_assert_true (g_str_has_suffix (texts->pdata[2], " · ph-test-listener"));
  header = find_widget (GTK_WIDGET (window->service_list), GTK_TYPE_LABEL, label_is,
                        ph_service_get_group_name (service));
  g_assert_nonnull (header);
  g_assert_true (gtk_widget_has_css_class (header, "group-header-name"));

  /* A port alone, with spaces around it: every service on that port. */
  search (window, bare_port);
  g_assert_cmpuint (window->query->port, ==, listener->ports[0]);
  g_assert_cmpuint (n_shown (window), >=, 1);
  for (guint i = 0; i < n_shown (window); i++)
    {
      g_autoptr(PhService) item = g_list_model_get_item (G_LIST_MODEL (window->filter_model), i);

      g_assert_cmpuint (ph_service_get_port (item), ==, listener->ports[0]);
    }
  g_assert_true (ph_window_get_selected_service (window) == service);

  /* Words nothing matches. */
  search (window, "no-such-program-anywhere");
  g_assert_cmpint (window->query->kind, ==, PH_SEARCH_QUERY_WORDS);
  g_assert_cmpuint (n_shown (window), ==, 0);
  g_assert_cmpstr (list_page (window), ==, "no-results");

  /* Meant as an address, but not one: the reason is shown, in the list and the pane. */
  search (window, "99999");
  g_assert_cmpint (window->query->kind, ==, PH_SEARCH_QUERY_BAD_ADDRESS);
  g_assert_cmpstr (list_page (window), ==, "no-results");
  g_assert_cmpstr (adw_status_page_get_description (window->no_results_page), ==,
                   window->query->error->message);
  g_assert_null (ph_detail_pane_get_service (window->detail_pane));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->detail_stack), ==, "detail");

  /* An address nothing listens on: explained, with nothing selected. */
  search (window, nobody);
  g_assert_cmpint (window->query->kind, ==, PH_SEARCH_QUERY_ADDRESS);
  g_assert_cmpuint (n_shown (window), ==, 0);
  g_assert_null (ph_window_get_selected_service (window));
  g_assert_null (ph_detail_pane_get_service (window->detail_pane));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (window->detail_stack), ==, "detail");

  /* Nothing typed: everything again (give or take what other programs did meanwhile). */
  search (window, "");
  g_assert_cmpint (window->query->kind, ==, PH_SEARCH_QUERY_EMPTY);
  g_assert_cmpuint (n_shown (window), ==,
                    g_list_model_get_n_items (ph_scanner_get_services (window->scanner)));
  g_assert_cmpstr (list_page (window), ==, "list");

  g_clear_object (&first);
  window_close_and_finalize (window);
}

/* ---- Free Port ----------------------------------------------------------------------- */

typedef struct
{
  guint  n_toasts;
  char  *last_toast;
} Said;

static void
on_toast (Said       *said,
          const char *text)
{
  said->n_toasts++;
  g_free (said->last_toast);
  said->last_toast = g_strdup (text);
}

/* Frees @port, held by a supervised listener, through the window: Free Port, then the
 * dialog's Free Port button. Returns once the toast says it is free, with the restart
 * check under way. */
static void
free_supervised_port (PhWindow *window,
                      guint     port,
                      Said     *said)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *heading = g_strdup_printf ("Free Port %u?", port);
  PhService *service;
  AdwAlertDialog *confirm;

  g_assert_true (WAIT_FOR (find_listed (window, "127.0.0.1", port) != NULL, 15000));
  service = find_listed (window, "127.0.0.1", port);
  search (window, address);
  g_assert_true (ph_window_get_selected_service (window) == service);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.free-port", NULL);
  g_assert_cmpuint (window->flows->len, ==, 1);
  g_signal_connect_swapped (window->flows->pdata[0], "toast", G_CALLBACK (on_toast), said);
  g_assert_true (WAIT_FOR ((confirm = visible_alert (window)) != NULL, 5000));
  g_assert_cmpstr (adw_alert_dialog_get_heading (confirm), ==, heading);
  respond (ADW_DIALOG (confirm), "_Free Port");

  if (!WAIT_FOR (said->n_toasts > 0 ||
                 (visible_alert (window) != NULL && visible_alert (window) != confirm), 15000))
    g_error ("no outcome within 15 s (flows %u, dialog %s)", window->flows->len,
             visible_alert (window) ? adw_alert_dialog_get_heading (visible_alert (window)) : "-");
  if (said->n_toasts == 0)
    g_error ("“%s”: %s", adw_alert_dialog_get_heading (visible_alert (window)),
             adw_alert_dialog_get_body (visible_alert (window)));
  g_assert_nonnull (strstr (said->last_toast, "free"));
  /* Still running: the look for a restart comes a moment later. */
  g_assert_cmpuint (window->flows->len, ==, 1);
}

/* The program is started again right after it was stopped: the window says so. */
static void
test_free_port_restarted (void)
{
  guint port = ph_test_unused_port ();
  GSubprocess *supervisor = supervisor_start (port);
  PhWindow *window = window_new ();
  Said said = { 0 };
  AdwAlertDialog *again = NULL;

  free_supervised_port (window, port, &said);
  g_assert_true (WAIT_FOR ((again = visible_alert (window)) != NULL &&
                           g_str_equal (adw_alert_dialog_get_heading (again),
                                        "The Port Is Held Again"), 10000));
  /* The shell loop is what started it again (ph-supervisor). */
  g_assert_nonnull (strstr (adw_alert_dialog_get_body (again), "again"));
  g_assert_nonnull (strstr (adw_alert_dialog_get_body (again), "ph-test-listener"));
  /* It offers to stop the loop that restarted it; closing ends the flow. */
  g_assert_nonnull (find_widget (GTK_WIDGET (again), GTK_TYPE_BUTTON, button_starts, "_Stop "));
  respond (ADW_DIALOG (again), "_Close");
  g_assert_true (WAIT_FOR (window->flows->len == 0, 5000));

  window_close_and_finalize (window);
  supervisor_stop (supervisor);
  g_free (said.last_toast);
}

/* The window is closed while the restart check waits: no dialog on the closed window, no
 * warning, and nothing keeps the window alive. */
static void
test_free_port_window_closed (void)
{
  guint port = ph_test_unused_port ();
  GSubprocess *supervisor = supervisor_start (port);
  PhWindow *window = window_new ();
  Said said = { 0 };
  guint warnings;

  free_supervised_port (window, port, &said);
  warnings = n_warnings;
  gtk_window_close (GTK_WINDOW (window));
  g_assert_cmpuint (window->flows->len, ==, 0);

  /* Past the moment the check would have looked (1.5 s + 0.5 s), with the supervisor
   * holding the port again by then. (A closed window no longer scans: ask the kernel.) */
  spin (3500);
  g_assert_true (WAIT_FOR (!ph_test_port_is_free (port), 5000));
  g_assert_null (adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (window)));
  g_assert_cmpuint (said.n_toasts, ==, 1);
  g_assert_cmpuint (n_warnings, ==, warnings);
  g_assert_finalize_object (window);

  supervisor_stop (supervisor);
  g_free (said.last_toast);
}

/* The pane of one service scrolled down, another service selected: its details start at
 * the top (not where the last one was left). */
static void
test_pane_starts_at_top (void)
{
  g_autoptr(PhTestListener) one = ph_test_listener_start ("tcp:127.0.0.1:0", NULL);
  g_autoptr(PhTestListener) two = ph_test_listener_start ("tcp:127.0.0.1:0", NULL);
  PhWindow *window = window_new ();
  g_autofree char *first = g_strdup_printf ("127.0.0.1:%u", one->ports[0]);
  g_autofree char *second = g_strdup_printf ("127.0.0.1:%u", two->ports[0]);
  GtkScrolledWindow *scroller;
  GtkAdjustment *adjustment;

  g_assert_true (WAIT_FOR (find_listed (window, "127.0.0.1", one->ports[0]) != NULL &&
                           find_listed (window, "127.0.0.1", two->ports[0]) != NULL, 15000));
  search (window, first);
  g_assert_true (ph_detail_pane_get_service (window->detail_pane) ==
                 find_listed (window, "127.0.0.1", one->ports[0]));
  scroller = GTK_SCROLLED_WINDOW (adw_bin_get_child (ADW_BIN (window->detail_pane)));
  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  g_assert_true (WAIT_FOR (gtk_adjustment_get_upper (adjustment) >
                           gtk_adjustment_get_page_size (adjustment) + 100, 5000));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 100);

  search (window, second);
  g_assert_true (ph_detail_pane_get_service (window->detail_pane) ==
                 find_listed (window, "127.0.0.1", two->ports[0]));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);

  window_close_and_finalize (window);
}

typedef struct
{
  int min_width, nat_width, min_height, nat_height;
} Measured;

static Measured
measure_row (GtkWidget *row)
{
  Measured m;

  gtk_widget_measure (row, GTK_ORIENTATION_HORIZONTAL, -1, &m.min_width, &m.nat_width,
                      NULL, NULL);
  gtk_widget_measure (row, GTK_ORIENTATION_VERTICAL, -1, &m.min_height, &m.nat_height,
                      NULL, NULL);
  return m;
}

static void
assert_measured_equal (Measured a,
                       Measured b)
{
  g_assert_cmpint (a.min_width, ==, b.min_width);
  g_assert_cmpint (a.nat_width, ==, b.nat_width);
  g_assert_cmpint (a.min_height, ==, b.min_height);
  g_assert_cmpint (a.nat_height, ==, b.nat_height);
}

/* Rows share what measuring their address and detail texts gave, while their fonts are
 * the same: a row measures as it would alone, and one in a larger font measures its own
 * texts in it. */
static void
test_row_shared_sizes (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *rows[4];
  Measured a, b, big, again;
  const char *lines[] = {
    "BEGIN\tseq=1\tkind=full",
    POSTGRES_PROC,
    POSTGRES_SOCK,
    "SOCK\tid=8\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=5433\tuid=1000\tuser=me"
    "\towners=10:1:4\thidden=0\tkernel=0",
    "END\tseq=1",
    NULL
  };

  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_true (ph_service_list_feed_line (list, lines[i], -1, NULL, NULL));
  gtk_css_provider_load_from_string (css, ".ph-test-big { font-size: 600%; }");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_window_set_child (GTK_WINDOW (window), box);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      rows[i] = GTK_WIDGET (ph_service_row_new ());
      ph_service_row_set_service (PH_SERVICE_ROW (rows[i]),
                                  ph_service_list_lookup (list, i == 1 ? 8 : 7));
      gtk_box_append (GTK_BOX (box), rows[i]);
    }
  gtk_widget_add_css_class (rows[2], "ph-test-big");
  g_assert_cmpstr (ph_service_row_get_text (PH_SERVICE_ROW (rows[0]), PH_SERVICE_ROW_DETAIL), ==,
                   ph_service_row_get_text (PH_SERVICE_ROW (rows[1]), PH_SERVICE_ROW_DETAIL));

  a = measure_row (rows[0]);
  g_assert_cmpint (a.nat_width, >, 0);
  g_assert_cmpint (a.min_height, >, 0);
  /* The same texts but the port's (as wide in tabular figures): the same sizes. */
  b = measure_row (rows[1]);
  assert_measured_equal (a, b);
  /* Six times the font: its address and detail lines are six times as high (with the
   * row's padding, some 4.5 times the row), higher than its port of 1.35 times the font
   * (a row given the smaller font's text sizes would be as high as that port: some 3.5
   * times the row). */
  big = measure_row (rows[2]);
  g_assert_cmpint (big.min_height, >, a.min_height * 4);
  /* A new row in the first font, measured after the larger one: as the first. */
  again = measure_row (rows[3]);
  assert_measured_equal (a, again);

  gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                 GTK_STYLE_PROVIDER (css));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_log_set_writer_func (count_warnings, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  ph_test_utils_init ();

  /* An X server this test starts and stops, GTK's test accessibility backend. */
  ph_test_display_init ("test");
  adw_init ();

  g_test_add_func ("/window/new-destroy", test_window_new_destroy);
  g_test_add_func ("/row/bindings", test_row_bindings);
  g_test_add_func ("/row/shared-sizes", test_row_shared_sizes);
  g_test_add_func ("/window/search", test_window_search);
  g_test_add_func ("/window/pane-starts-at-top", test_pane_starts_at_top);
  g_test_add_func ("/free-port/restarted", test_free_port_restarted);
  g_test_add_func ("/free-port/window-closed", test_free_port_window_closed);

  return ph_test_display_run ();
}
