/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-containers-cancel.c — containers queries relayed through the real helper (as in
 * the Flatpak: PORTHOLE_CONTAINERS_RELAY=1), cancelled from the main thread at random
 * moments while their worker threads run the helper.
 *
 * Why: cancelling a query from the main thread while its worker ran the helper with
 * GSubprocess corrupted the heap. The Flatpak's Porthole aborted once in a run of the
 * Free Port check (a refresh cancels the containers query the one before it started),
 * and a program doing what the last case here does, before the fix, aborted in 3 of 6
 * runs of 1,500 queries with glibc's "tcache_thread_shutdown(): unaligned tcache chunk
 * detected" as a worker thread ended (0 of 6 without the cancellations); this test, with
 * PH_TEST_CANCEL_ROUNDS=1500, in 2 of 4 before the fix and 0 of 6 after it. The worker threads end right after each job here,
 * so that glibc checks their freed memory each time. A regression shows as this program
 * aborting (not under AddressSanitizer, whose allocator has no such check), though not
 * in every run: it is a race. */
#include "config.h"

#include <gio/gio.h>

#include "ph-containers.h"
#include "ph-test-utils.h"

typedef struct
{
  guint outstanding;
  guint answered;
  guint cancelled;
  guint other_errors;
  guint relayed;   /* answers in which the helper was asked about the Docker socket */
} Counts;

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Counts *counts = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PhContainerSnapshot) snapshot = ph_containers_query_finish (result, &error);

  counts->outstanding--;
  if (snapshot != NULL)
    {
      counts->answered++;
      /* No engine runs here: the helper's answer is an error about the socket. */
      if (ph_container_snapshot_get_socket_error (snapshot, PH_CONTAINER_ENGINE_DOCKER,
                                                  FALSE) != NULL)
        counts->relayed++;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    counts->cancelled++;
  else
    counts->other_errors++;
}

static void
wait_for_all (Counts *counts,
              guint   at_most)
{
  while (counts->outstanding > at_most)
    g_main_context_iteration (NULL, TRUE);
}

/* A query not cancelled: the helper is asked about each socket. */
static void
test_answers (void)
{
  Counts counts = { 0, };

  counts.outstanding++;
  ph_containers_query_async (NULL, listed_cb, &counts);
  wait_for_all (&counts, 0);
  g_assert_cmpuint (counts.answered, ==, 1);
  g_assert_cmpuint (counts.relayed, ==, 1);
}

/* Cancelled before it starts: no helper runs, the answer is G_IO_ERROR_CANCELLED. */
static void
test_cancelled_first (void)
{
  Counts counts = { 0, };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_cancellable_cancel (cancellable);
  counts.outstanding++;
  ph_containers_query_async (cancellable, listed_cb, &counts);
  wait_for_all (&counts, 0);
  g_assert_cmpuint (counts.cancelled, ==, 1);
  g_assert_cmpuint (counts.answered, ==, 0);
}

/* Many, up to four at once, each cancelled after 0 to 40 ms. */
static void
test_cancelled_while_running (void)
{
  guint rounds = 600;
  Counts counts = { 0, };

  if (g_getenv ("PH_TEST_CANCEL_ROUNDS") != NULL)
    rounds = (guint) g_ascii_strtoull (g_getenv ("PH_TEST_CANCEL_ROUNDS"), NULL, 10);
  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      gint64 until = g_get_monotonic_time () + g_random_int_range (0, 40000);

      counts.outstanding++;
      ph_containers_query_async (cancellable, listed_cb, &counts);
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      g_cancellable_cancel (cancellable);
      wait_for_all (&counts, 3);
    }
  wait_for_all (&counts, 0);
  g_test_message ("%u queries: %u answered before their cancellation, %u cancelled",
                  rounds, counts.answered, counts.cancelled);
  g_assert_cmpuint (counts.answered + counts.cancelled, ==, rounds);
  g_assert_cmpuint (counts.other_errors, ==, 0);
  g_assert_cmpuint (counts.cancelled, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  ph_test_utils_init ();
  g_setenv ("PORTHOLE_CONTAINERS_RELAY", "1", TRUE);
  /* Each worker thread ends right after its job: glibc then goes over what it freed. */
  g_thread_pool_set_max_idle_time (1);
  g_thread_pool_set_max_unused_threads (0);

  g_test_add_func ("/containers/relay/answers", test_answers);
  g_test_add_func ("/containers/relay/cancelled-first", test_cancelled_first);
  g_test_add_func ("/containers/relay/cancelled-while-running", test_cancelled_while_running);
  return g_test_run ();
}
