/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner-reader.c — reads and parses the helper's stdout in a thread of its own */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "porthole-scanner"

#include "config.h"

#include <string.h>

#include "ph-scanner-reader.h"

/*
 * The thread reads the helper's lines as they come, parses them into PhRecords and hands
 * them, in order, to the main context of the thread that started it, in batches (one
 * idle callback per batch, however many lines it holds). Asked to (the list is empty, as
 * at launch), it also applies the first full change set to a list of its own, so the
 * first list's thousands of PhServices and PhProcesses are built beside the toolkit's
 * start, not on the main thread: the main thread only takes them over
 * (ph_service_list_take()). These objects are plain GObjects with no tie to a main
 * context, and what building them reads once for all (the rule files, the port
 * registry) is read under g_once or a lock.
 *
 * The reader shares nothing with its starter but this structure, reference counted:
 * ph_scanner_reader_stop() cancels the read, and the thread, whenever it notices, drops
 * what it made. No item is handed over after ph_scanner_reader_stop().
 */

#define READ_SIZE (64 * 1024)

struct _PhScannerReader
{
  gatomicrefcount      ref_count;
  GInputStream        *stream;
  GCancellable        *cancellable;
  GMainContext        *context;
  gboolean             prepare_first;   /* the thread's only */

  /* The starter's only. */
  PhScannerReaderFunc  func;
  gpointer             user_data;

  GMutex               lock;
  GQueue               items;       /* PhScannerItem, under lock */
  gboolean             scheduled;   /* a dispatch is pending; under lock */
  gboolean             stopped;     /* under lock */
};

static void
item_free (PhScannerItem *item)
{
  g_clear_pointer (&item->record, ph_record_unref);
  g_clear_pointer (&item->lines, g_bytes_unref);
  g_clear_object (&item->prepared);
  g_clear_error (&item->error);
  g_free (item);
}

static PhScannerReader *
reader_ref (PhScannerReader *reader)
{
  g_atomic_ref_count_inc (&reader->ref_count);
  return reader;
}

static void
reader_unref (PhScannerReader *reader)
{
  if (!g_atomic_ref_count_dec (&reader->ref_count))
    return;
  g_queue_clear_full (&reader->items, (GDestroyNotify) item_free);
  g_mutex_clear (&reader->lock);
  g_clear_object (&reader->stream);
  g_clear_object (&reader->cancellable);
  g_main_context_unref (reader->context);
  g_free (reader);
}

/* In the starter's thread: everything queued so far, in order. */
static gboolean
dispatch (gpointer user_data)
{
  PhScannerReader *reader = user_data;
  GQueue items = G_QUEUE_INIT;
  PhScannerItem *item;

  g_mutex_lock (&reader->lock);
  reader->scheduled = FALSE;
  if (!reader->stopped)
    {
      items = reader->items;
      g_queue_init (&reader->items);
    }
  g_mutex_unlock (&reader->lock);

  while ((item = g_queue_pop_head (&items)) != NULL)
    {
      gboolean stopped;

      g_mutex_lock (&reader->lock);
      stopped = reader->stopped;
      g_mutex_unlock (&reader->lock);
      /* func may stop the reader (the run ends): nothing after that is handed over. */
      if (!stopped)
        reader->func (item, reader->user_data);
      item_free (item);
    }
  return G_SOURCE_REMOVE;
}

/* In the reader's thread. */
static void
push (PhScannerReader *reader,
      PhScannerItem   *item)
{
  gboolean schedule;

  g_mutex_lock (&reader->lock);
  if (reader->stopped)
    {
      g_mutex_unlock (&reader->lock);
      item_free (item);
      return;
    }
  g_queue_push_tail (&reader->items, item);
  schedule = !reader->scheduled;
  reader->scheduled = TRUE;
  g_mutex_unlock (&reader->lock);

  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, dispatch, reader_ref (reader),
                             (GDestroyNotify) reader_unref);
      g_source_set_static_name (source, "[porthole] scanner lines");
      g_source_attach (source, reader->context);
    }
}

static void
push_record (PhScannerReader *reader,
             PhRecord        *record)
{
  PhScannerItem *item = g_new0 (PhScannerItem, 1);

  item->record = record;
  push (reader, item);
}

/* The first full change set, while the thread builds it. Its lines are kept as text, in
 * one buffer, not as the records they were parsed into: each record is freed once the
 * list took it in, so the thread's heap holds the services and processes it built packed
 * together, not scattered between thousands of records freed at the end (which malloc
 * could not give back: about 0.7 KB of garbage per service, in the middle of the heap). */
typedef struct
{
  GByteArray    *lines;      /* each with its LF */
  guint          n_records;
  PhServiceList *list;
} Preparing;

static void
preparing_clear (Preparing *p)
{
  g_clear_pointer (&p->lines, g_byte_array_unref);
  g_clear_object (&p->list);
}

static void
handle_record (PhScannerReader *reader,
               Preparing       *p,
               PhRecord        *record,
               const char      *line,
               gsize            len)
{
  g_autoptr(GError) error = NULL;
  PhRecordKind kind = ph_record_get_kind (record);
  gboolean applied = FALSE;

  if (p->lines == NULL)
    {
      if (!reader->prepare_first || kind != PH_RECORD_BEGIN ||
          g_strcmp0 (ph_record_get (record, "kind", NULL), "full") != 0)
        {
          push_record (reader, record);
          return;
        }
      reader->prepare_first = FALSE;
      p->lines = g_byte_array_new ();
      p->n_records = 0;
      p->list = ph_service_list_new ();
      /* its services and processes are built as their lines come, not all at END */
      ph_service_list_set_eager (p->list);
    }

  g_byte_array_append (p->lines, (const guint8 *) line, (guint) len);
  g_byte_array_append (p->lines, (const guint8 *) "\n", 1);
  p->n_records++;
  /* What the list refuses, the starter's list would refuse as well: it is fed the same
   * records when it cannot take this list (and then says why). */
  ph_service_list_feed (p->list, record, &applied, &error);
  ph_record_unref (record);
  /* The change set is over: applied, or dropped (its END refused, or a BEGIN before it). */
  if (applied || (kind == PH_RECORD_END && !ph_service_list_in_change_set (p->list)) ||
      (kind == PH_RECORD_BEGIN && p->n_records > 1))
    {
      PhScannerItem *item = g_new0 (PhScannerItem, 1);

      item->lines = g_byte_array_free_to_bytes (g_steal_pointer (&p->lines));
      if (applied)
        item->prepared = g_steal_pointer (&p->list);
      preparing_clear (p);
      push (reader, item);
    }
}

static void
handle_line (PhScannerReader *reader,
             Preparing       *p,
             const char      *line,
             gsize            len)
{
  g_autoptr(GError) error = NULL;
  PhRecord *record = ph_record_parse (line, (gssize) len, &error);

  if (record == NULL)
    g_debug ("porthole-helper sent a bad line: %s", error->message);
  else
    handle_record (reader, p, record, line, len);
}

/**
 * ph_scanner_item_parse_records:
 * @item: an item with #PhScannerItem.lines
 *
 * Returns: (transfer full): the records of @item's lines, in order
 */
GPtrArray *
ph_scanner_item_parse_records (const PhScannerItem *item)
{
  gsize size;
  const char *text = g_bytes_get_data (item->lines, &size);
  const char *end = text + size;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) ph_record_unref);

  while (text < end)
    {
      const char *nl = memchr (text, '\n', (gsize) (end - text));
      PhRecord *record = ph_record_parse (text, nl - text, NULL);

      /* Each line parsed when it came: only those were kept. */
      g_assert (record != NULL);
      g_ptr_array_add (records, record);
      text = nl + 1;
    }
  return records;
}

static gboolean
is_stopped (PhScannerReader *reader)
{
  gboolean stopped;

  g_mutex_lock (&reader->lock);
  stopped = reader->stopped;
  g_mutex_unlock (&reader->lock);
  return stopped;
}

static gpointer
reader_thread (gpointer data)
{
  PhScannerReader *reader = data;
  Preparing p = { NULL, 0, NULL };
  gsize size = 2 * READ_SIZE;
  g_autofree char *buffer = g_malloc (size);
  gsize len = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n;
      gsize start = 0;
      const char *nl;

      if (size - len < READ_SIZE)
        {
          size *= 2;
          buffer = g_realloc (buffer, size);
        }
      n = g_input_stream_read (reader->stream, buffer + len, size - len, reader->cancellable,
                               &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              PhScannerItem *item = g_new0 (PhScannerItem, 1);

              item->error = g_steal_pointer (&error);
              push (reader, item);
            }
          break;
        }
      if (n == 0)
        {
          /* The end of the stream: a last line without its newline is a line still. */
          if (len > 0)
            handle_line (reader, &p, buffer, len);
          break;
        }

      len += (gsize) n;
      while (start < len && (nl = memchr (buffer + start, '\n', len - start)) != NULL)
        {
          handle_line (reader, &p, buffer + start, (gsize) (nl - (buffer + start)));
          start = (gsize) (nl - buffer) + 1;
        }
      if (start > 0)
        {
          memmove (buffer, buffer + start, len - start);
          len -= start;
        }
      if (is_stopped (reader))
        break;
    }

  preparing_clear (&p);
  reader_unref (reader);
  return NULL;
}

/**
 * ph_scanner_reader_start:
 * @stream: the helper's stdout; the reader's thread is its only reader from now on
 * @prepare_first: whether the first full change set comes already applied to a list
 *   (#PhScannerItem.prepared), for a list that is empty
 * @func: called in the calling thread's thread-default main context for each item, in
 *   order, until ph_scanner_reader_stop()
 *
 * Returns: (transfer full): the reader, to give to ph_scanner_reader_stop()
 */
PhScannerReader *
ph_scanner_reader_start (GInputStream        *stream,
                         gboolean             prepare_first,
                         PhScannerReaderFunc  func,
                         gpointer             user_data)
{
  PhScannerReader *reader = g_new0 (PhScannerReader, 1);

  g_atomic_ref_count_init (&reader->ref_count);
  reader->stream = g_object_ref (stream);
  reader->cancellable = g_cancellable_new ();
  reader->context = g_main_context_ref_thread_default ();
  reader->prepare_first = prepare_first;
  reader->func = func;
  reader->user_data = user_data;
  g_mutex_init (&reader->lock);
  g_queue_init (&reader->items);

  g_thread_unref (g_thread_new ("ph-scanner-reader", reader_thread, reader_ref (reader)));
  return reader;
}

/* Ends @reader: the read is cancelled, nothing more is handed over, and the thread frees
 * what it holds when it notices. */
void
ph_scanner_reader_stop (PhScannerReader *reader)
{
  if (reader == NULL)
    return;
  g_mutex_lock (&reader->lock);
  reader->stopped = TRUE;
  g_queue_clear_full (&reader->items, (GDestroyNotify) item_free);
  g_mutex_unlock (&reader->lock);
  g_cancellable_cancel (reader->cancellable);
  reader_unref (reader);
}
