/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scanner-reader.c — the helper's lines read, parsed and first list built in a thread */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ph-scanner-reader.h"
#include "ph-service-list.h"

/* The stream a helper would write: HELLO, a full change set of @n_services sockets held by
 * @n_services / 10 processes (a few of them also hidden, one GONE of a socket it named),
 * then a delta; @end_seq is the first END's seq (a wrong one drops that change set). */
static GString *
make_stream (guint   n_services,
             guint64 end_seq)
{
  GString *text = g_string_new ("HELLO\tprotocol=" G_STRINGIFY (PH_PROTOCOL_VERSION)
                                "\tversion=0.1.0\tpid=1\teuid=1000\tsource=netlink\n");
  guint n_procs = MAX (n_services / 10, 1);

  g_string_append (text, "BEGIN\tseq=1\tkind=full\n");
  for (guint pid = 1000; pid < 1000 + n_procs; pid++)
    g_string_append_printf (text,
                            "PROC\tpid=%u\tstart=%u\tppid=1\tuid=1000\tuser=dev\tcomm=prog%u"
                            "\texe=/usr/bin/prog%u\tcwd=/home/dev/p%u\tcmdline=prog%u\\x00-p\n",
                            pid, pid * 7, pid % 13, pid % 13, pid, pid % 13);
  for (guint i = 0; i < n_services; i++)
    {
      guint owner = 1000 + i % n_procs;
      g_autofree char *owners = g_strdup_printf ("owners=%u:%u:%u", owner, owner * 7,
                                                 i % 100 + 3);

      g_string_append_printf (text,
                              "SOCK\tid=%u\tproto=%s\tfamily=4\taddr=127.0.0.1\tport=%u"
                              "\tuid=1000\tuser=dev\tinode=%u\tconns=%u\t%s\n",
                              100000 + i, i % 5 == 0 ? "udp" : "tcp", 1024 + (i * 37) % 60000,
                              100000 + i, i % 4,
                              i % 17 == 0 ? "hidden=1" : owners);
    }
  /* a WARN and a GONE inside the change set */
  g_string_append (text, "WARN\tcode=test\tmessage=inside\n");
  g_string_append (text, "GONE\tid=100001\n");
  g_string_append_printf (text, "END\tseq=%" G_GUINT64_FORMAT "\tsockets=%u\n", end_seq,
                          n_services - 1);
  g_string_append (text, "BEGIN\tseq=2\tkind=delta\n"
                         "SOCK\tid=900000\tproto=tcp\tfamily=4\taddr=0.0.0.0\tport=1"
                         "\tuid=1000\tuser=dev\tinode=900000\thidden=1\n"
                         "GONE\tid=100002\n"
                         "END\tseq=2\tsockets=1\n");
  return text;
}

/* The lines of @text fed one by one to @list on this thread, as before the reader. */
static void
feed_text (PhServiceList *list,
           const char    *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *nl = strchr (p, '\n');

      ph_service_list_feed_line (list, p, nl - p, NULL, NULL);
      p = nl + 1;
    }
}

static void
assert_same_list (PhServiceList *a,
                  PhServiceList *b)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (a));

  g_assert_cmpuint (n, ==, g_list_model_get_n_items (G_LIST_MODEL (b)));
  g_assert_cmpuint (ph_service_list_get_seq (a), ==, ph_service_list_get_seq (b));
  g_assert_cmpuint (ph_service_list_get_hidden_count (a), ==,
                    ph_service_list_get_hidden_count (b));
  g_assert_cmpuint (ph_service_list_get_n_processes (a), ==, ph_service_list_get_n_processes (b));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) sa = g_list_model_get_item (G_LIST_MODEL (a), i);
      g_autoptr(PhService) sb = g_list_model_get_item (G_LIST_MODEL (b), i);
      PhProcess *oa = ph_service_get_main_owner (sa);
      PhProcess *ob = ph_service_get_main_owner (sb);

      g_assert_cmpuint (ph_service_get_id (sa), ==, ph_service_get_id (sb));
      g_assert_cmpuint (ph_service_get_port (sa), ==, ph_service_get_port (sb));
      g_assert_cmpuint (ph_service_get_connections (sa), ==, ph_service_get_connections (sb));
      g_assert_cmpuint (ph_service_get_hidden (sa), ==, ph_service_get_hidden (sb));
      g_assert_true ((oa == NULL) == (ob == NULL));
      if (oa != NULL)
        {
          g_assert_cmpint (ph_process_get_pid (oa), ==, ph_process_get_pid (ob));
          /* the list's own process objects, not copies */
          g_assert_true (oa == ph_service_list_lookup_process (a, ph_process_get_pid (oa),
                                                               ph_process_get_start_time (oa)));
        }
      g_assert_true (ph_app_identity_equal (ph_service_get_identity (sa),
                                            ph_service_get_identity (sb)));
      g_assert_true (ph_service_list_lookup (a, ph_service_get_id (sa)) == sa);
    }
}

typedef struct
{
  PhServiceList   *list;
  PhScannerReader *reader;
  guint            n_items;
  guint            n_records;
  guint            n_prepared;
  guint            n_taken;
  guint            n_warnings;
  guint            n_items_changed;
  gboolean         error;
  gboolean         stop_at_first;
} Reading;

static void
on_item (PhScannerItem *item,
         gpointer       user_data)
{
  Reading *r = user_data;

  r->n_items++;
  if (item->error != NULL)
    {
      r->error = TRUE;
      return;
    }
  if (item->record != NULL)
    {
      r->n_records++;
      if (ph_record_get_kind (item->record) == PH_RECORD_WARN)
        r->n_warnings++;
      ph_service_list_feed (r->list, item->record, NULL, NULL);
    }
  else
    {
      g_assert_nonnull (item->lines);
      r->n_prepared += item->prepared != NULL;
      if (item->prepared != NULL && ph_service_list_take (r->list, item->prepared))
        {
          r->n_taken++;
          g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (item->prepared)), ==, 0);
        }
      else
        {
          g_autoptr(GPtrArray) records = ph_scanner_item_parse_records (item);

          for (guint k = 0; k < records->len; k++)
            {
              PhRecord *record = records->pdata[k];

              r->n_warnings += ph_record_get_kind (record) == PH_RECORD_WARN;
              ph_service_list_feed (r->list, record, NULL, NULL);
            }
        }
    }
  if (r->stop_at_first)
    g_clear_pointer (&r->reader, ph_scanner_reader_stop);
}

static void
on_list_changed (GListModel *model,
                 guint       position,
                 guint       removed,
                 guint       added,
                 Reading    *r)
{
  r->n_items_changed++;
}

typedef struct
{
  int      fd;
  GString *text;
  gboolean endless;  /* after the text, WARNs until the reader's end is closed */
  gboolean failed;   /* a write failed: the reader's end was closed */
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  gsize done = 0;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  static const char warn[] = "WARN\tcode=more\n";

  /* In small pieces, as a helper's writes come. */
  while (done < w->text->len)
    {
      gssize n = write (w->fd, w->text->str + done, MIN (w->text->len - done, 4093));

      if (n < 0)
        {
          w->failed = TRUE;
          break;
        }
      done += (gsize) n;
    }
  while (w->endless && !w->failed && g_get_monotonic_time () < deadline)
    w->failed = write (w->fd, warn, sizeof warn - 1) < 0;
  close (w->fd);
  return NULL;
}

/* Reads @text through a pipe with the reader into @r->list until the stream ends (or,
 * with stop_at_first, until the first item stopped it). */
static void
read_through_pipe (Reading    *r,
                   GString    *text,
                   gboolean    prepare_first,
                   Writer     *w)
{
  int fds[2];
  g_autoptr(GInputStream) stream = NULL;
  GThread *thread;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_assert_no_errno (pipe (fds));
  stream = g_unix_input_stream_new (fds[0], TRUE);
  w->fd = fds[1];
  w->text = text;
  thread = g_thread_new ("writer", writer_thread, w);
  r->reader = ph_scanner_reader_start (stream, prepare_first, on_item, r);
  g_clear_object (&stream);   /* the reader holds it */

  /* Until the delta is in (or the reader was stopped and the writer saw its pipe close). */
  while (g_get_monotonic_time () < deadline &&
         r->reader != NULL && ph_service_list_get_seq (r->list) < 2)
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  /* whatever comes now would be after the end */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&r->reader, ph_scanner_reader_stop);
}

/* The reader's list (built in its thread, taken whole) is the list the lines fed here
 * make: the same services in the same order, with the same owners and groups. */
static void
test_same_model (void)
{
  g_autoptr(GString) text = make_stream (2000, 1);
  g_autoptr(PhServiceList) expected = ph_service_list_new ();
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  Reading r = { .list = list };
  Writer w = { 0 };

  feed_text (expected, text->str);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (expected)), ==, 2000 - 1);

  g_signal_connect (list, "items-changed", G_CALLBACK (on_list_changed), &r);
  read_through_pipe (&r, text, TRUE, &w);
  g_assert_false (r.error);
  g_assert_cmpuint (r.n_prepared, ==, 1);
  g_assert_cmpuint (r.n_taken, ==, 1);
  /* HELLO, then the delta's four records, one by one */
  g_assert_cmpuint (r.n_records, ==, 5);
  /* the WARN inside the first change set came with it */
  g_assert_cmpuint (r.n_warnings, ==, 0);
  /* one items-changed for the whole first list, then the delta's */
  g_assert_cmpuint (r.n_items_changed, >=, 2);
  assert_same_list (list, expected);
}

/* Without preparing (a list that is not empty), every record comes alone and the list is
 * the same; a list that is not empty never takes another. */
static void
test_not_prepared (void)
{
  g_autoptr(GString) text = make_stream (300, 1);
  g_autoptr(PhServiceList) expected = ph_service_list_new ();
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(PhServiceList) other = ph_service_list_new ();
  Reading r = { .list = list };
  Writer w = { 0 };

  feed_text (expected, text->str);
  read_through_pipe (&r, text, FALSE, &w);
  g_assert_cmpuint (r.n_prepared, ==, 0);
  g_assert_cmpuint (r.n_warnings, ==, 1);
  assert_same_list (list, expected);

  feed_text (other, text->str);
  g_assert_false (ph_service_list_take (list, other));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 300 - 1);
  assert_same_list (list, expected);
}

/* A first change set whose END names another seq is dropped by the reader's list as by
 * the main thread's: its records come whole, unapplied, and feeding them gives the same. */
static void
test_dropped_first (void)
{
  g_autoptr(GString) text = make_stream (300, 7);
  g_autoptr(PhServiceList) expected = ph_service_list_new ();
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  Reading r = { .list = list };
  Writer w = { 0 };

  feed_text (expected, text->str);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (expected)), ==, 1);
  read_through_pipe (&r, text, TRUE, &w);
  g_assert_cmpuint (r.n_prepared, ==, 0);
  g_assert_cmpuint (r.n_taken, ==, 0);
  g_assert_cmpuint (r.n_warnings, ==, 1);
  assert_same_list (list, expected);
}

/* Stopped after its first item (the window closed while the first list was read): nothing
 * more is handed over, and the thread lets go of the stream (the writer's pipe closes). */
static void
test_stop (void)
{
  g_autoptr(GString) text = make_stream (20000, 1);
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  Reading r = { .list = list, .stop_at_first = TRUE };
  Writer w = { .endless = TRUE };

  read_through_pipe (&r, text, TRUE, &w);
  g_assert_cmpuint (r.n_items, ==, 1);   /* the HELLO */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_true (w.failed);
}

/* An eager list (each record applied as it comes) ends as the list fed at END; one whose
 * change set was cut off is never taken. */
static void
test_eager (void)
{
  g_autoptr(GString) text = make_stream (500, 1);
  g_autoptr(PhServiceList) expected = ph_service_list_new ();
  g_autoptr(PhServiceList) eager = ph_service_list_new ();
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(PhServiceList) cut = ph_service_list_new ();
  const char *delta = strstr (text->str, "BEGIN\tseq=2");
  g_autofree char *first = g_strndup (text->str, delta - text->str);
  const char *half = first + strlen (first) / 2;

  feed_text (expected, first);
  ph_service_list_set_eager (eager);
  feed_text (eager, first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (expected)), ==, 500 - 1);
  g_assert_true (ph_service_list_take (list, eager));
  assert_same_list (list, expected);
  /* and it goes on as any list */
  feed_text (expected, delta);
  feed_text (list, delta);
  assert_same_list (list, expected);

  ph_service_list_set_eager (cut);
  half = strchr (half, '\n') + 1;
  {
    g_autofree char *part = g_strndup (first, half - first);

    feed_text (cut, part);
  }
  g_assert_true (ph_service_list_in_change_set (cut));
  ph_service_list_abort (cut);
  g_clear_object (&list);
  list = ph_service_list_new ();
  g_assert_false (ph_service_list_take (list, cut));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* the writer of test_stop finds its pipe closed */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/scanner-reader/same-model", test_same_model);
  g_test_add_func ("/scanner-reader/not-prepared", test_not_prepared);
  g_test_add_func ("/scanner-reader/dropped-first", test_dropped_first);
  g_test_add_func ("/scanner-reader/stop", test_stop);
  g_test_add_func ("/scanner-reader/eager", test_eager);

  return g_test_run ();
}
