/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-service-list.c — change sets applied by diff: exact items-changed, stable objects */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ph-address.h"
#include "ph-service-list.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

/* Records every items-changed and replays it on a shadow copy of the model: if the
 * shadow ends equal to the model, each signal described the model's state correctly at
 * the time it was emitted. */
typedef struct
{
  GListModel *model;
  GArray     *changes;
  GPtrArray  *shadow;
} Watch;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Watch      *watch)
{
  Change change = { position, removed, added };

  g_array_append_val (watch->changes, change);

  g_assert_cmpuint (position + removed, <=, watch->shadow->len);
  g_ptr_array_remove_range (watch->shadow, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (watch->shadow, position + i, g_list_model_get_item (model, position + i));
  g_assert_cmpuint (watch->shadow->len, ==, g_list_model_get_n_items (model));
}

static Watch *
watch_new (GListModel *model)
{
  Watch *watch = g_new0 (Watch, 1);

  watch->model = model;
  watch->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  watch->shadow = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (watch->shadow, g_list_model_get_item (model, i));
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), watch);
  return watch;
}

static void
watch_check (Watch *watch)
{
  g_assert_cmpuint (watch->shadow->len, ==, g_list_model_get_n_items (watch->model));
  for (guint i = 0; i < watch->shadow->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (watch->model, i);

      g_assert_true (item == watch->shadow->pdata[i]);
    }
}

static void
watch_expect (Watch       *watch,
              const Change *expected,
              guint         n_expected)
{
  watch_check (watch);
  if (watch->changes->len != n_expected)
    {
      for (guint i = 0; i < watch->changes->len; i++)
        {
          Change *c = &g_array_index (watch->changes, Change, i);
          g_test_message ("got items-changed (%u, %u, %u)", c->position, c->removed, c->added);
        }
    }
  g_assert_cmpuint (watch->changes->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      Change *c = &g_array_index (watch->changes, Change, i);

      g_assert_cmpuint (c->position, ==, expected[i].position);
      g_assert_cmpuint (c->removed, ==, expected[i].removed);
      g_assert_cmpuint (c->added, ==, expected[i].added);
    }
  g_array_set_size (watch->changes, 0);
}

static void
watch_free (Watch *watch)
{
  g_signal_handlers_disconnect_by_data (watch->model, watch);
  g_array_unref (watch->changes);
  g_ptr_array_unref (watch->shadow);
  g_free (watch);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Watch, watch_free)

static void
feed (PhServiceList *list,
      const char    *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (*lines[i] == '\0')
        continue;
      ph_service_list_feed_line (list, lines[i], -1, NULL, &error);
      g_assert_no_error (error);
    }
}

static void
feed_file (PhServiceList *list,
           const char    *name,
           guint          n_change_sets)
{
  g_autofree char *path = g_build_filename (g_getenv ("PORTHOLE_SRCDIR"), "tests", "fixtures",
                                            name, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint applied_sets = 0;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && applied_sets < n_change_sets; i++)
    {
      gboolean applied = FALSE;

      if (*lines[i] == '\0')
        continue;
      ph_service_list_feed_line (list, lines[i], -1, &applied, &error);
      g_assert_no_error (error);
      applied_sets += applied;
    }
}

static char *
sock_line (guint64     id,
           const char *proto,
           const char *addr,
           guint       port,
           const char *owners,
           const char *extra)
{
  return g_strdup_printf ("SOCK\tid=%" G_GUINT64_FORMAT "\tproto=%s\tfamily=%c\taddr=%s\tport=%u"
                          "\tuid=1000\tuser=me\towners=%s\thidden=0\tkernel=0%s%s",
                          id, proto, strchr (addr, ':') != NULL ? '6' : '4', addr, port,
                          owners != NULL ? owners : "", extra != NULL ? "\t" : "",
                          extra != NULL ? extra : "");
}

static char *
proc_line (guint pid,
           guint start,
           const char *comm)
{
  return g_strdup_printf ("PROC\tpid=%u\tstart=%u\tppid=1\tuid=1000\tuser=me\tcomm=%s"
                          "\texe=/usr/bin/%s\tcwd=/tmp\tcmdline=%s\\x00--serve\tmanager=none",
                          pid, start, comm, comm, comm);
}

static guint64
id_at (PhServiceList *list,
       guint          position)
{
  g_autoptr(PhService) service = g_list_model_get_item (G_LIST_MODEL (list), position);

  return ph_service_get_id (service);
}

static void
check_sorted (PhServiceList *list)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  for (guint i = 1; i < n; i++)
    {
      g_autoptr(PhService) a = g_list_model_get_item (G_LIST_MODEL (list), i - 1);
      g_autoptr(PhService) b = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_cmpint (ph_service_compare (a, b, NULL), <, 0);
      g_assert_true (ph_service_list_lookup (list, ph_service_get_id (b)) == b);
    }
}

/* ---- the recorded stream ------------------------------------------------------------ */

static void
test_fixture_stream (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(Watch) watch = watch_new (G_LIST_MODEL (list));
  static const guint64 full_order[] = { 1001, 1002, 5001, 2001, 2002, 3001, 4001 };
  PhService *vite;
  PhService *ssh;
  PhService *avahi;
  PhService *nfs;
  PhService *link_local;
  PhProcess *node;
  guint notifies = 0;
  gulong handler;

  feed_file (list, "protocol-basic.txt", 1);
  watch_expect (watch, (Change[]) { { 0, 0, 7 } }, 1);
  g_assert_cmpuint (ph_service_list_get_seq (list), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (full_order); i++)
    g_assert_cmpuint (id_at (list, i), ==, full_order[i]);
  check_sorted (list);

  vite = ph_service_list_lookup (list, 1001);
  g_assert_cmpstr (ph_service_get_protocol (vite), ==, "tcp");
  g_assert_cmpuint (ph_service_get_family (vite), ==, 4);
  g_assert_cmpstr (ph_service_get_address (vite), ==, "127.0.0.1");
  g_assert_cmpuint (ph_service_get_port (vite), ==, 5173);
  g_assert_cmpint (ph_service_get_v6only (vite), ==, -1);
  g_assert_cmpint (ph_service_get_uid (vite), ==, 1000);
  g_assert_cmpstr (ph_service_get_user (vite), ==, "alice");
  g_assert_cmpuint (ph_service_get_cgroup_id (vite), ==, 4711);
  g_assert_false (ph_service_get_hidden (vite));
  g_assert_false (ph_service_get_kernel (vite));
  g_assert_false (ph_service_is_reachable_from_network (vite));
  g_assert_cmpuint (ph_service_get_n_owners (vite), ==, 1);
  node = ph_service_get_main_owner (vite);
  g_assert_true (node == ph_service_list_lookup_process (list, 1200, 5000));
  g_assert_cmpint (ph_process_get_pid (node), ==, 1200);
  g_assert_cmpuint (ph_process_get_start_time (node), ==, 5000);
  g_assert_cmpint (ph_process_get_ppid (node), ==, 1100);
  g_assert_cmpstr (ph_process_get_comm (node), ==, "node");
  g_assert_cmpstr (ph_process_get_cwd (node), ==, "/home/alice/src/shop");
  g_assert_cmpstr (ph_process_get_manager (node), ==, "user-service");
  g_assert_cmpstr (ph_process_get_unit (node), ==, "vte-spawn-1.scope");
  g_assert_cmpstr (ph_process_get_command_line (node), ==,
                   "node /home/alice/src/shop/node_modules/.bin/vite --port 5173");
  g_assert_cmpint (ph_service_get_owner_fd (vite, node), ==, 21);
  /* the group is the main owner's identity, stored once */
  g_assert_true (ph_service_get_identity (vite) == ph_process_get_identity (node));
  g_assert_cmpstr (ph_service_get_group_key (vite), ==,
                   ph_app_identity_get_key (ph_process_get_identity (node)));
  g_assert_cmpstr (ph_service_get_group_name (vite), ==,
                   ph_app_identity_get_name (ph_process_get_identity (node)));
  /* every socket of one process is in one group */
  g_assert_cmpstr (ph_service_get_group_key (ph_service_list_lookup (list, 1002)), ==,
                   ph_service_get_group_key (vite));

  ssh = ph_service_list_lookup (list, 2002);
  g_assert_cmpint (ph_service_get_v6only (ssh), ==, 1);
  g_assert_true (ph_service_is_reachable_from_network (ssh));
  {
    g_autofree char *display = ph_service_dup_display_address (ssh);
    g_assert_cmpstr (display, ==, "[::]:22");
  }
  {
    g_autofree char *display = ph_service_dup_display_address (vite);
    g_assert_cmpstr (display, ==, "127.0.0.1:5173");
  }

  link_local = ph_service_list_lookup (list, 5001);
  g_assert_cmpuint (ph_service_get_scope_id (link_local), ==, 1);
  {
    /* ifindex 1 is the loopback interface, whatever it is called here */
    g_autofree char *display = ph_service_dup_display_address (link_local);
    g_assert_true (g_str_has_prefix (display, "[fe80::1%"));
    g_assert_true (g_str_has_suffix (display, "]:8080"));
  }

  avahi = ph_service_list_lookup (list, 3001);
  g_assert_true (ph_service_get_hidden (avahi));
  g_assert_null (ph_service_get_main_owner (avahi));
  g_assert_cmpstr (ph_service_get_group_key (avahi), ==, "hidden:107");
  g_assert_cmpstr (ph_service_get_group_name (avahi), ==, "Another user: avahi");
  g_assert_cmpint (ph_service_get_group_kind (avahi), ==, PH_APP_KIND_HIDDEN);
  g_assert_cmpuint (ph_service_list_get_hidden_count (list), ==, 1);

  nfs = ph_service_list_lookup (list, 4001);
  g_assert_true (ph_service_get_kernel (nfs));
  g_assert_cmpstr (ph_service_get_group_key (nfs), ==, "kernel");
  g_assert_cmpint (ph_service_get_group_kind (nfs), ==, PH_APP_KIND_KERNEL);
  g_assert_nonnull (ph_service_get_identity (nfs));
  g_assert_cmpstr (ph_service_get_group_name (nfs), ==,
                   ph_app_identity_get_name (ph_service_get_identity (nfs)));

  g_assert_true (ph_service_list_find (list, "tcp", "::", 22) == ssh);
  g_assert_true (ph_service_list_find (list, NULL, NULL, 5353) == avahi);
  g_assert_true (ph_service_list_find (list, "tcp", NULL, 5173) == vite);
  g_assert_null (ph_service_list_find (list, "udp", NULL, 22));

  /* An empty delta changes nothing */
  handler = g_signal_connect_swapped (vite, "notify", G_CALLBACK (g_atomic_int_inc), &notifies);
  feed_file (list, "protocol-basic.txt", 2);   /* replays seq 1: updates, same values */
  g_assert_cmpuint (notifies, ==, 0);
  watch_expect (watch, NULL, 0);

  g_signal_handler_disconnect (vite, handler);
}

/* Sections found by binary search agree with a plain scan of neighbours' group keys. */
static void
test_sections (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  guint n;

  feed_file (list, "protocol-basic.txt", 1);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n, >, 1);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PhService) here = g_list_model_get_item (G_LIST_MODEL (list), i);
      guint start = i, end = i + 1, got_start, got_end;

      while (start > 0)
        {
          g_autoptr(PhService) before = g_list_model_get_item (G_LIST_MODEL (list), start - 1);

          if (g_strcmp0 (ph_service_get_group_key (before), ph_service_get_group_key (here)))
            break;
          start--;
        }
      while (end < n)
        {
          g_autoptr(PhService) after = g_list_model_get_item (G_LIST_MODEL (list), end);

          if (g_strcmp0 (ph_service_get_group_key (after), ph_service_get_group_key (here)))
            break;
          end++;
        }
      ph_service_list_get_section (list, i, &got_start, &got_end);
      g_assert_cmpuint (got_start, ==, start);
      g_assert_cmpuint (got_end, ==, end);
    }

  {
    guint got_start, got_end;

    ph_service_list_get_section (list, n, &got_start, &got_end);
    g_assert_cmpuint (got_start, ==, n);
    g_assert_cmpuint (got_end, ==, G_MAXUINT);
  }
}

static void
test_fixture_deltas (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(Watch) watch = NULL;
  g_autofree char *path = g_build_filename (g_getenv ("PORTHOLE_SRCDIR"), "tests", "fixtures",
                                            "protocol-basic.txt", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) notified = g_ptr_array_new ();
  PhService *vite = NULL;
  guint set = 0;

  g_file_get_contents (path, &contents, NULL, NULL);
  lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean applied = FALSE;

      ph_service_list_feed_line (list, lines[i], -1, &applied, &error);
      g_assert_no_error (error);
      if (!applied)
        continue;

      set++;
      if (set == 1)
        {
          watch = watch_new (G_LIST_MODEL (list));
          vite = ph_service_list_lookup (list, 1001);
          /* swapped: g_ptr_array_add (notified, pspec) */
          g_signal_connect_swapped (vite, "notify", G_CALLBACK (g_ptr_array_add), notified);
        }
      else if (set == 2)
        watch_expect (watch, NULL, 0);
      else if (set == 3)
        {
          /* 5001 (position 2) goes, python3's 1003 comes between node and sshd: one run */
          watch_expect (watch, (Change[]) { { 2, 1, 1 } }, 1);
          g_assert_cmpuint (id_at (list, 2), ==, 1003);
          g_assert_true (ph_service_list_lookup (list, 1001) == vite);
          g_assert_cmpuint (ph_service_get_connections (vite), ==, 2);
          /* only "connections" was notified */
          g_assert_cmpuint (notified->len, ==, 1);
          g_assert_cmpstr (g_param_spec_get_name (notified->pdata[0]), ==, "connections");
          g_ptr_array_set_size (notified, 0);
          g_assert_nonnull (ph_service_list_lookup_process (list, 1300, 6000));
        }
      else if (set == 4)
        {
          watch_expect (watch, (Change[]) { { 2, 1, 0 } }, 1);
          g_assert_null (ph_service_list_lookup (list, 1003));
          g_assert_null (ph_service_list_lookup_process (list, 1300, 6000));
          g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 6);
          g_assert_cmpuint (notified->len, ==, 0);
        }
    }

  g_assert_cmpuint (set, ==, 4);
  g_signal_handlers_disconnect_by_data (vite, notified);
  check_sorted (list);
}

/* ---- synthetic change sets ---------------------------------------------------------- */

static void
test_full_resync (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(Watch) watch = NULL;
  g_autofree char *p1 = proc_line (10, 1, "alpha");
  g_autofree char *p2 = proc_line (20, 2, "beta");
  g_autofree char *s1 = sock_line (1, "tcp", "127.0.0.1", 3000, "10:1:3", NULL);
  g_autofree char *s2 = sock_line (2, "tcp", "127.0.0.1", 3001, "10:1:4", NULL);
  g_autofree char *s3 = sock_line (3, "udp", "0.0.0.0", 4000, "20:2:3", NULL);
  g_autofree char *s4 = sock_line (4, "tcp", "::", 5000, "20:2:4", "v6only=0");
  g_autofree char *first = g_strjoin ("\n", "BEGIN\tseq=1\tkind=full", p1, p2, s1, s2, s3, s4,
                                      "END\tseq=1\tsockets=4", NULL);
  g_autofree char *again = g_strjoin ("\n", "BEGIN\tseq=1\tkind=full", p2, p1, s4, s3, s2, s1,
                                      "END\tseq=1\tsockets=4", NULL);
  g_autofree char *fewer = g_strjoin ("\n", "BEGIN\tseq=1\tkind=full", p1, p2, s1, s4,
                                      "END\tseq=1\tsockets=2", NULL);
  PhService *kept[5];
  PhProcess *alpha;

  feed (list, first);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 4);
  for (guint id = 1; id <= 4; id++)
    kept[id] = ph_service_list_lookup (list, id);
  alpha = ph_service_list_lookup_process (list, 10, 1);
  watch = watch_new (G_LIST_MODEL (list));

  /* A restarted helper sends everything again: nothing changes, nothing is signalled. */
  feed (list, again);
  watch_expect (watch, NULL, 0);
  for (guint id = 1; id <= 4; id++)
    g_assert_true (ph_service_list_lookup (list, id) == kept[id]);
  g_assert_true (ph_service_list_lookup_process (list, 10, 1) == alpha);

  /* What a full change set leaves out is gone: 2 (position 1) and 3 (position 2). */
  feed (list, fewer);
  watch_expect (watch, (Change[]) { { 1, 2, 0 } }, 1);
  g_assert_true (ph_service_list_lookup (list, 1) == kept[1]);
  g_assert_true (ph_service_list_lookup (list, 4) == kept[4]);
  g_assert_null (ph_service_list_lookup (list, 2));
  g_assert_cmpint (ph_service_get_v6only (kept[4]), ==, 0);
  g_assert_true (ph_service_is_reachable_from_network (kept[4]));

  ph_service_list_remove_all (list);
  watch_expect (watch, (Change[]) { { 0, 2, 0 } }, 1);
  g_assert_null (ph_service_list_lookup (list, 1));
}

/* A process that becomes another program moves its sockets to another group in one
 * signal, keeping the objects. */
static void
test_regroup (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(Watch) watch = NULL;
  g_autofree char *pm = proc_line (10, 1, "middle");
  g_autofree char *pz = proc_line (20, 2, "zebra");
  g_autofree char *pa = proc_line (20, 2, "aardvark");
  g_autofree char *m1 = sock_line (1, "tcp", "127.0.0.1", 3000, "10:1:3", NULL);
  g_autofree char *m2 = sock_line (2, "tcp", "127.0.0.1", 3001, "10:1:4", NULL);
  g_autofree char *z1 = sock_line (3, "tcp", "127.0.0.1", 80, "20:2:3", NULL);
  g_autofree char *z2 = sock_line (4, "tcp", "127.0.0.1", 81, "20:2:4", NULL);
  g_autofree char *full = g_strjoin ("\n", "BEGIN\tseq=1\tkind=full", pm, pz, m1, m2, z1, z2,
                                     "END\tseq=1\tsockets=4", NULL);
  g_autofree char *rename = g_strjoin ("\n", "BEGIN\tseq=2\tkind=delta", pa,
                                       "END\tseq=2\tsockets=4", NULL);
  PhService *three;
  PhProcess *zebra;

  feed (list, full);
  g_assert_cmpuint (id_at (list, 0), ==, 1);
  g_assert_cmpuint (id_at (list, 2), ==, 3);
  three = ph_service_list_lookup (list, 3);
  zebra = ph_service_list_lookup_process (list, 20, 2);
  g_assert_cmpstr (ph_service_get_group_name (three), ==, "zebra");
  watch = watch_new (G_LIST_MODEL (list));

  feed (list, rename);
  watch_expect (watch, (Change[]) { { 0, 4, 4 } }, 1);
  g_assert_cmpuint (id_at (list, 0), ==, 3);
  g_assert_cmpuint (id_at (list, 1), ==, 4);
  g_assert_cmpuint (id_at (list, 2), ==, 1);
  g_assert_true (ph_service_list_lookup (list, 3) == three);
  g_assert_true (ph_service_list_lookup_process (list, 20, 2) == zebra);
  g_assert_cmpstr (ph_process_get_comm (zebra), ==, "aardvark");
  g_assert_cmpstr (ph_service_get_group_name (three), ==, "aardvark");
  check_sorted (list);

  /* The program execs another (a new name) and closes one of its sockets in the same
   * change set: the socket that went is not regrouped back into the list. */
  {
    g_autofree char *py = proc_line (20, 2, "yak");
    g_autofree char *exec = g_strjoin ("\n", "BEGIN\tseq=3\tkind=delta", py, "GONE\tid=3",
                                       "END\tseq=3\tsockets=3", NULL);

    feed (list, exec);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
    g_assert_null (ph_service_list_lookup (list, 3));
    for (guint i = 0; i < 3; i++)
      g_assert_cmpuint (id_at (list, i), !=, 3);
    g_assert_cmpuint (id_at (list, 2), ==, 4);
    g_assert_cmpstr (ph_service_get_group_name (ph_service_list_lookup (list, 4)), ==, "yak");
    check_sorted (list);
  }
}

/* A socket whose holder the helper cannot see (unseen=): its own group, after other users'
 * and before the kernel's, never the kernel's; it moves to its program's group once the
 * holder is seen. A reason this Porthole does not know is kept as "unknown". */
static void
test_unseen (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autofree char *p = proc_line (10, 1, "srv");
  g_autofree char *outside = sock_line (1, "tcp", "127.0.0.1", 3000, NULL,
                                        "unseen=pid-namespace");
  g_autofree char *odd = sock_line (2, "tcp", "127.0.0.1", 3001, NULL, "unseen=Not A Word!");
  g_autofree char *nfs = g_strdup_printf ("SOCK\tid=3\tproto=tcp\tfamily=4\taddr=0.0.0.0"
                                          "\tport=2049\tuid=0\towners=\thidden=0\tkernel=1");
  g_autofree char *full = g_strjoin ("\n", "BEGIN\tseq=1\tkind=full", outside, odd, nfs,
                                     "END\tseq=1\tsockets=3", NULL);
  g_autofree char *seen = sock_line (1, "tcp", "127.0.0.1", 3000, "10:1:3", NULL);
  g_autofree char *delta = g_strjoin ("\n", "BEGIN\tseq=2\tkind=delta", p, seen,
                                      "END\tseq=2\tsockets=3", NULL);
  PhService *service;
  PhService *kernel;

  feed (list, full);
  service = ph_service_list_lookup (list, 1);
  kernel = ph_service_list_lookup (list, 3);
  g_assert_cmpstr (ph_service_get_unseen (service), ==, PH_UNSEEN_PID_NAMESPACE);
  g_assert_false (ph_service_get_kernel (service));
  g_assert_true (ph_service_get_owner_unknown (service));
  g_assert_null (ph_service_get_main_owner (service));
  g_assert_cmpint (ph_service_get_group_kind (service), ==, PH_APP_KIND_UNSEEN);
  g_assert_cmpstr (ph_service_get_group_key (service), ==, "unseen:pid-namespace");
  g_assert_cmpstr (ph_service_get_unseen (ph_service_list_lookup (list, 2)), ==, "unknown");
  g_assert_null (ph_service_get_unseen (kernel));
  g_assert_cmpint (ph_service_get_group_kind (kernel), ==, PH_APP_KIND_KERNEL);
  /* the unseen group before the kernel's */
  g_assert_cmpuint (id_at (list, 2), ==, 3);
  check_sorted (list);

  feed (list, delta);
  g_assert_true (ph_service_list_lookup (list, 1) == service);
  g_assert_null (ph_service_get_unseen (service));
  g_assert_false (ph_service_get_owner_unknown (service));
  g_assert_cmpint (ph_service_get_group_kind (service), !=, PH_APP_KIND_UNSEEN);
  g_assert_cmpstr (ph_service_get_group_name (service), ==, "srv");
  check_sorted (list);
}

/* Several runs in one change set: each gets its own signal, in order, and the shadow
 * replay proves each was right when it was emitted. */
static void
test_runs (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(Watch) watch = NULL;
  g_autoptr(GString) text = g_string_new ("BEGIN\tseq=1\tkind=full\n");
  g_autofree char *p = proc_line (10, 1, "srv");

  g_string_append_printf (text, "%s\n", p);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *s = sock_line (100 + i, "tcp", "127.0.0.1", 1000 + 10 * i, "10:1:3", NULL);
      g_string_append_printf (text, "%s\n", s);
    }
  g_string_append (text, "END\tseq=1\tsockets=10\n");
  feed (list, text->str);
  watch = watch_new (G_LIST_MODEL (list));

  /* remove ports 1000 and 1010 (positions 0, 1), add 1045 (between 1040 and 1050),
   * remove 1090 (last), change 1060's port to 1061 (stays in place: one-for-one) */
  g_string_assign (text, "BEGIN\tseq=2\tkind=delta\nGONE\tid=100\nGONE\tid=101\nGONE\tid=109\n");
  {
    g_autofree char *add = sock_line (200, "tcp", "127.0.0.1", 1045, "10:1:9", NULL);
    g_autofree char *change = sock_line (106, "tcp", "127.0.0.1", 1061, "10:1:3", NULL);

    g_string_append_printf (text, "%s\n%s\n", add, change);
  }
  g_string_append (text, "END\tseq=2\tsockets=8\n");
  feed (list, text->str);

  watch_expect (watch, (Change[]) {
    { 0, 2, 0 },   /* 1000, 1010 */
    { 3, 0, 1 },   /* 1045 after 1020, 1030, 1040 */
    { 5, 1, 1 },   /* 1060 → 1061, same object, one-for-one */
    { 8, 1, 0 },   /* 1090 */
  }, 4);
  g_assert_cmpuint (id_at (list, 3), ==, 200);
  check_sorted (list);
}

/* Random change sets against a reference: order, lookups, signals and object identity
 * stay right whatever mix of adds, removals, updates and moves arrives. */
static void
test_random (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(Watch) watch = watch_new (G_LIST_MODEL (list));
  g_autoptr(GRand) rand = g_rand_new_with_seed (2024);
  g_autoptr(GHashTable) alive = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GHashTable) objects = g_hash_table_new (NULL, NULL);
  static guint64 ids[8192];
  static const char *names[] = { "apache", "bun", "caddy", "deno", "etcd", "flask" };
  guint64 next_id = 1;
  GString *text = g_string_new (NULL);

  for (guint round = 0; round < 300; round++)
    {
      guint n_ops = g_rand_int_range (rand, 1, 12);
      guint n_alive;
      gboolean full = round % 50 == 0;

      g_string_printf (text, "BEGIN\tseq=%u\tkind=%s\n", round + 1, full ? "full" : "delta");
      for (guint n = 0; n < G_N_ELEMENTS (names); n++)
        {
          /* occasionally a program changes name (regroups its sockets) */
          const char *name = g_rand_int_range (rand, 0, 40) == 0 ? names[(n + 1) % 6] : names[n];
          g_autofree char *pl = proc_line (100 + n, 7, name);

          if (full || g_rand_int_range (rand, 0, 10) == 0)
            g_string_append_printf (text, "%s\n", pl);
        }

      for (guint op = 0; op < n_ops; op++)
        {
          guint kind = g_rand_int_range (rand, 0, 3);
          guint64 id;

          n_alive = g_hash_table_size (alive);
          if (kind == 0 || n_alive == 0 || next_id < 3)
            id = next_id++;
          else
            id = g_rand_int_range (rand, 1, (gint32) next_id);

          if (kind == 2 && g_hash_table_contains (alive, &id))
            {
              g_string_append_printf (text, "GONE\tid=%" G_GUINT64_FORMAT "\n", id);
              g_hash_table_remove (alive, &id);
            }
          else
            {
              g_autofree char *owners = g_strdup_printf ("%u:7:%u", 100 + g_rand_int_range (rand, 0, 6),
                                                         (guint) id);
              g_autofree char *sl = sock_line (id, g_rand_boolean (rand) ? "tcp" : "udp",
                                               g_rand_boolean (rand) ? "127.0.0.1" : "::1",
                                               g_rand_int_range (rand, 1, 200), owners,
                                               g_rand_boolean (rand) ? "conns=1" : NULL);
              char *hidden = strstr (sl, "\thidden=0");

              /* now and then its owner is hidden (counted as it comes, changes and goes) */
              if (g_rand_int_range (rand, 0, 4) == 0)
                hidden[strlen ("\thidden=")] = '1';
              g_string_append_printf (text, "%s\n", sl);
              if (id < G_N_ELEMENTS (ids))
                {
                  ids[id] = id;
                  g_hash_table_add (alive, &ids[id]);
                }
            }
        }

      if (full)
        {
          /* the full set must name every socket that stays: resend the alive ones */
          GHashTableIter iter;
          gpointer key;

          g_hash_table_iter_init (&iter, alive);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            {
              guint64 id = *(guint64 *) key;
              PhService *service = ph_service_list_lookup (list, id);
              g_autofree char *owners = NULL;
              g_autofree char *sl = NULL;

              if (service == NULL)
                continue;
              owners = g_strdup_printf ("%" G_GINT64_FORMAT ":7:1",
                                        ph_process_get_pid (ph_service_get_main_owner (service)));
              sl = sock_line (id, ph_service_get_protocol (service),
                              ph_service_get_address (service), ph_service_get_port (service),
                              owners, NULL);
              g_string_append_printf (text, "%s\n", sl);
            }
        }

      g_string_append_printf (text, "END\tseq=%u\tsockets=%u\n", round + 1,
                              g_hash_table_size (alive));

      /* remember the objects of the survivors */
      g_hash_table_remove_all (objects);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
        {
          g_autoptr(PhService) s = g_list_model_get_item (G_LIST_MODEL (list), i);
          g_hash_table_insert (objects, s, GUINT_TO_POINTER (1));
        }

      feed (list, text->str);
      watch_check (watch);
      g_array_set_size (watch->changes, 0);
      check_sorted (list);

      n_alive = g_hash_table_size (alive);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_alive);
      {
        guint n_hidden = 0;

        for (guint i = 0; i < n_alive; i++)
          {
            g_autoptr(PhService) s = g_list_model_get_item (G_LIST_MODEL (list), i);

            n_hidden += ph_service_get_hidden (s);
          }
        g_assert_cmpuint (ph_service_list_get_hidden_count (list), ==, n_hidden);
      }
      {
        GHashTableIter iter;
        gpointer key;

        g_hash_table_iter_init (&iter, alive);
        while (g_hash_table_iter_next (&iter, &key, NULL))
          g_assert_nonnull (ph_service_list_lookup (list, *(guint64 *) key));
      }
    }

  g_string_free (text, TRUE);
}

static const char *
fake_service_name (guint       port,
                   const char *protocol,
                   gpointer    user_data)
{
  return port == 5173 ? "Vite-ish" : NULL;
}

static void
test_matches (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  PhService *vite;
  PhService *ssh;

  feed_file (list, "protocol-basic.txt", 1);
  vite = ph_service_list_lookup (list, 1001);
  ssh = ph_service_list_lookup (list, 2001);

  g_assert_true (ph_service_matches (vite, NULL, NULL, NULL));
  g_assert_true (ph_service_matches (vite, "", NULL, NULL));
  g_assert_true (ph_service_matches (vite, "5173", NULL, NULL));
  g_assert_true (ph_service_matches (vite, "51", NULL, NULL));
  g_assert_false (ph_service_matches (vite, "5174", NULL, NULL));
  g_assert_true (ph_service_matches (vite, "127.0.0.1:5173", NULL, NULL));
  g_assert_true (ph_service_matches (vite, "NODE", NULL, NULL));
  g_assert_true (ph_service_matches (vite, "vite", NULL, NULL));        /* command line */
  g_assert_true (ph_service_matches (vite, "tcp node", NULL, NULL));
  g_assert_false (ph_service_matches (vite, "udp node", NULL, NULL));
  g_assert_true (ph_service_matches (vite, "1200", NULL, NULL));        /* pid */
  g_assert_false (ph_service_matches (vite, "vite-ish", NULL, NULL));
  g_assert_true (ph_service_matches (vite, "vite-ish", fake_service_name, NULL));
  g_assert_false (ph_service_matches (ssh, "vite", fake_service_name, NULL));
  g_assert_true (ph_service_matches (ssh, "0.0.0.0:22", NULL, NULL));
  g_assert_true (ph_service_matches (ssh, "ssh.service", NULL, NULL));
  g_assert_false (ph_service_matches (ssh, "zzz", NULL, NULL));
}

/* Matching folds the case of text outside ASCII too (where the search compares ASCII
 * text without copying it), and finds words in addresses only where they can be. */
static void
test_matches_folding (void)
{
  static const char *const lines[] = {
    "HELLO\tprotocol=1\tversion=0.1.0\tpid=4242\teuid=1000\tsource=netlink",
    "BEGIN\tseq=1\tkind=full",
    /* comm "café"; cmdline "serve --title=\u00c9T\u00c9 --unit=3\u212a" (É, Kelvin sign) */
    "PROC\tpid=77\tstart=1\tppid=1\tuid=1000\tuser=alice\tcomm=caf\\xc3\\xa9"
    "\texe=/usr/bin/serve\tcwd=/\tcmdline=serve\\x00--title=\\xc3\\x89T\\xc3\\x89"
    "\\x00--unit=3\\xe2\\x84\\xaa",
    "SOCK\tid=5\tproto=tcp\tfamily=6\taddr=::1\tport=8080\tuid=1000\tuser=alice\tinode=5"
    "\tcgroup=1\tconns=0\towners=77:1:3\thidden=0\tkernel=0",
    "END\tseq=1\tsockets=1",
  };
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_auto(GStrv) terms = NULL;
  PhService *service;

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(GError) error = NULL;

      ph_service_list_feed_line (list, lines[i], -1, NULL, &error);
      g_assert_no_error (error);
    }
  service = ph_service_list_lookup (list, 5);
  g_assert_nonnull (service);

  g_assert_true (ph_service_matches (service, "CAFÉ", NULL, NULL));
  g_assert_true (ph_service_matches (service, "café", NULL, NULL));
  g_assert_false (ph_service_matches (service, "cafe", NULL, NULL));
  g_assert_true (ph_service_matches (service, "SERVE", NULL, NULL));   /* before the É */
  g_assert_true (ph_service_matches (service, "été", NULL, NULL));     /* after it */
  g_assert_true (ph_service_matches (service, "3k", NULL, NULL));      /* the Kelvin sign */
  g_assert_false (ph_service_matches (service, "ete", NULL, NULL));
  g_assert_true (ph_service_matches (service, "[::1]:8080", NULL, NULL));
  g_assert_true (ph_service_matches (service, "::1", NULL, NULL));
  g_assert_false (ph_service_matches (service, "::2", NULL, NULL));

  terms = ph_service_search_terms ("  Serve \t ÉTÉ  ");
  g_assert_cmpuint (g_strv_length (terms), ==, 2);
  g_assert_cmpstr (terms[0], ==, "serve");
  g_assert_cmpstr (terms[1], ==, "été");
  g_assert_true (ph_service_matches_terms (service, (const char * const *) terms, NULL, NULL));
  g_clear_pointer (&terms, g_strfreev);
  terms = ph_service_search_terms ("serve zzz");
  g_assert_false (ph_service_matches_terms (service, (const char * const *) terms, NULL, NULL));
  g_clear_pointer (&terms, g_strfreev);
  g_assert_null (ph_service_search_terms (NULL));
  g_assert_true (ph_service_matches_terms (service, NULL, NULL, NULL));

  /* Which changes of the search only narrow it (the window's filter then looks again at
   * what it shows only): typing on in a word, or adding one. A number or a protocol name
   * may match a PID or the protocol whole, which a part of it may not. */
  {
    static const struct { const char *wider, *narrower; gboolean narrows; } changes[] = {
      { "", "n", TRUE }, { "n", "no", TRUE }, { "no", "node", TRUE }, { "node", "node", TRUE },
      { "node", "no", FALSE }, { "serve", "serve été", TRUE }, { "serve été", "été", FALSE },
      { "ser", "été server", TRUE }, { "12", "120", FALSE }, { "1", "1:80", TRUE },
      { "tc", "tcp", FALSE }, { "tc", "tcpx", TRUE }, { "5173", "5173", TRUE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
      {
        g_auto(GStrv) wider = ph_service_search_terms (changes[i].wider);
        g_auto(GStrv) narrower = ph_service_search_terms (changes[i].narrower);

        g_assert_cmpint (ph_service_terms_narrow ((const char * const *) wider,
                                                  (const char * const *) narrower),
                         ==, changes[i].narrows);
      }
    terms = ph_service_search_terms ("node");
    g_assert_true (ph_service_terms_narrow (NULL, (const char * const *) terms));
    g_assert_false (ph_service_terms_narrow ((const char * const *) terms, NULL));
    g_clear_pointer (&terms, g_strfreev);
  }
}

static void
test_addresses (void)
{
  static const struct
  {
    const char *address;
    gboolean    reachable;
  } cases[] = {
    { "127.0.0.1", FALSE },
    { "127.0.0.53", FALSE },
    { "127.1.2.3", FALSE },
    { "::1", FALSE },
    { "::ffff:127.0.0.1", FALSE },
    { "0.0.0.0", TRUE },
    { "::", TRUE },
    { "192.168.1.20", TRUE },
    { "fe80::1", TRUE },
    { "::ffff:10.0.0.2", TRUE },
  };

  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(GString) text = g_string_new ("BEGIN\tseq=1\tkind=full\n");

  /* The service's flag (the list's mark) is ph_address_is_reachable()'s answer, the rule
   * of the explanation's sentence too. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (cases[i].address);

      g_assert_nonnull (inet);
      g_assert_cmpint (ph_address_is_reachable (inet), ==, cases[i].reachable);
      g_string_append_printf (text, "SOCK\tid=%u\tproto=tcp\tfamily=%u\taddr=%s\tport=80"
                              "\tkernel=1\n", i + 1,
                              g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV4 ? 4 : 6,
                              cases[i].address);
    }
  /* again, after more distinct addresses than the reader remembers answers for */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_string_append_printf (text, "SOCK\tid=%u\tproto=udp\tfamily=%u\taddr=%s\tport=81"
                            "\tkernel=1\n", i + 101, strchr (cases[i].address, ':') ? 6 : 4,
                            cases[i].address);
  g_string_append_printf (text, "END\tseq=1\tsockets=%u\n", 2 * (guint) G_N_ELEMENTS (cases));
  feed (list, text->str);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (ph_service_is_reachable_from_network (ph_service_list_lookup (list, i + 1)),
                       ==, cases[i].reachable);
      g_assert_cmpint (ph_service_is_reachable_from_network (ph_service_list_lookup (list,
                                                                                     i + 101)),
                       ==, cases[i].reachable);
    }

  {
    g_autofree char *a = ph_format_socket_address ("127.0.0.1", 62893, 0);
    g_autofree char *b = ph_format_socket_address ("::1", 8080, 0);
    g_autofree char *c = ph_format_socket_address ("fe80::1", 22, 999999);

    g_assert_cmpstr (a, ==, "127.0.0.1:62893");
    g_assert_cmpstr (b, ==, "[::1]:8080");
    g_assert_cmpstr (c, ==, "[fe80::1%999999]:22");
  }
}

static void
record_notify (GPtrArray  *names,
               GParamSpec *pspec)
{
  g_ptr_array_add (names, (gpointer) g_param_spec_get_name (pspec));
}

static void
assert_notified (GPtrArray          *names,
                 const char * const *expected)
{
  g_ptr_array_sort_values (names, (GCompareFunc) strcmp);
  g_ptr_array_add (names, NULL);
  if (!g_strv_equal ((const char * const *) names->pdata, expected))
    {
      g_autofree char *got = g_strjoinv (",", (char **) names->pdata);
      g_autofree char *want = g_strjoinv (",", (char **) expected);

      g_error ("notified %s, expected %s", got, want);
    }
  g_ptr_array_set_size (names, 0);
}

/* One PROC of the process in test_identity_changes(), in a change set of its own. */
static void
feed_nc (PhServiceList *list,
         guint          seq,
         const char    *ppid,
         const char    *exe,
         const char    *cwd)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf ("BEGIN\tseq=%u\tkind=%s\n"
                          "PROC\tpid=10\tstart=1\tppid=%s\tuid=1000\tuser=u\tcomm=nc"
                          "\texe=%s\tcwd=%s\tcmdline=nc\\x00-l\tmanager=session\n"
                          "%s"
                          "END\tseq=%u\tsockets=1\n",
                          seq, seq == 1 ? "full" : "delta", ppid, exe, cwd,
                          seq == 1 ? "SOCK\tid=1\tproto=tcp\tfamily=4\taddr=0.0.0.0"
                                     "\tport=1234\towners=10:1:3\n" : "",
                          seq);
  feed (list, text);
}

/* The group is the main owner's identity, stored once: it is replaced, and "identity"
 * and the group-* properties notified, only when something it shows really changed. */
static void
test_identity_changes (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(GPtrArray) on_service = g_ptr_array_new ();
  g_autoptr(GPtrArray) on_process = g_ptr_array_new ();
  PhService *service;
  PhProcess *process;
  PhAppIdentity *before;

  feed_nc (list, 1, "1", "/usr/bin/nc.openbsd", "/tmp");
  service = ph_service_list_lookup (list, 1);
  process = ph_service_get_main_owner (service);
  before = ph_service_get_identity (service);
  g_assert_true (before == ph_process_get_identity (process));
  g_assert_cmpstr (ph_service_get_group_name (service), ==, "nc.openbsd");
  g_assert_cmpint (ph_service_get_group_kind (service), ==, PH_APP_KIND_PROGRAM);
  g_signal_connect_swapped (service, "notify", G_CALLBACK (record_notify), on_service);
  g_signal_connect_swapped (process, "notify", G_CALLBACK (record_notify), on_process);

  /* another parent: not an input of the identity */
  feed_nc (list, 2, "2", "/usr/bin/nc.openbsd", "/tmp");
  assert_notified (on_process, (const char *[]) { "ppid", NULL });
  assert_notified (on_service, (const char *[]) { NULL });

  /* another working directory: an input, but the same identity comes out */
  feed_nc (list, 3, "2", "/usr/bin/nc.openbsd", "/var/tmp");
  assert_notified (on_process, (const char *[]) { "cwd", NULL });
  assert_notified (on_service, (const char *[]) { NULL });
  g_assert_true (ph_service_get_identity (service) == before);

  /* another executable: another name and key; the kind, subtitle and icon stay */
  feed_nc (list, 4, "2", "/usr/bin/ncat", "/var/tmp");
  assert_notified (on_process, (const char *[]) { "exe", "identity", NULL });
  assert_notified (on_service, (const char *[]) { "group-key", "group-name", "identity", NULL });
  g_assert_true (ph_service_get_identity (service) == ph_process_get_identity (process));
  g_assert_cmpstr (ph_service_get_group_name (service), ==, "ncat");

  g_signal_handlers_disconnect_by_data (service, on_service);
  g_signal_handlers_disconnect_by_data (process, on_process);
}

/* The first list's records, fed to @list (eager or not); each line's error message, or
 * "", joined by newlines. */
static char *
feed_refusals (PhServiceList *list,
               const char    *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) errors = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      if (*lines[i] == '\0')
        continue;
      ok = ph_service_list_feed_line (list, lines[i], -1, NULL, &error);
      g_assert_true (ok == (error == NULL));
      g_string_append_printf (errors, "%s\n", error != NULL ? error->message : "");
    }
  return g_string_free (g_steal_pointer (&errors), FALSE);
}

/* An eager list checks a SOCK as it applies it (not before): it refuses the same records,
 * with the same words, as a list that checks them when fed, and a refused one leaves
 * nothing behind (not the process its owners= named before a bad one, nor a change to
 * the service it names). */
static void
test_eager_refusals (void)
{
  static const char text[] =
    "BEGIN\tseq=1\tkind=full\n"
    "PROC\tpid=10\tstart=1\tppid=1\tuid=1000\tuser=u\tcomm=nc\texe=/usr/bin/nc.openbsd"
    "\tcwd=/tmp\tcmdline=nc\\x00-l\tmanager=session\n"
    "SOCK\tid=1\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=80\towners=10:1:3\n"
    /* an address the reader knows, of the other family */
    "SOCK\tid=2\tproto=tcp\tfamily=6\taddr=127.0.0.1\tport=81\towners=10:1:4\n"
    "SOCK\tid=3\tproto=tcp\tfamily=4\taddr=127.0.0.1\tport=82\towners=77:1:3,x\n"
    "SOCK\tid=4\tproto=tcp\tfamily=4\taddr=::1\tport=83\towners=10:1:5\n"
    "SOCK\tid=5\tproto=udp\tfamily=4\taddr=0.0.0.0\tport=84\towners=10:1:6\n"
    /* the first service again, refused: it stays as it was */
    "SOCK\tid=1\tproto=tcp\tfamily=4\taddr=1.2.3\tport=90\towners=78:1:3\n"
    "SOCK\tid=6\tproto=sctp\tfamily=4\taddr=127.0.0.1\tport=85\n"
    "SOCK\tid=7\tproto=tcp\tfamily=4\tport=86\n"
    "END\tseq=1\tsockets=2\n";
  g_autoptr(PhServiceList) fed = ph_service_list_new ();
  g_autoptr(PhServiceList) eager = ph_service_list_new ();
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autofree char *fed_errors = feed_refusals (fed, text);
  g_autofree char *eager_errors = NULL;
  g_auto(GStrv) lines = NULL;

  ph_service_list_set_eager (eager);
  eager_errors = feed_refusals (eager, text);
  g_assert_cmpstr (eager_errors, ==, fed_errors);
  lines = g_strsplit (fed_errors, "\n", -1);
  for (guint i = 3; i <= 9; i++)
    g_assert_cmpint (*lines[i] == '\0', ==, i == 6);
  g_assert_true (ph_service_list_take (list, eager));

  for (guint k = 0; k < 2; k++)
    {
      PhServiceList *l = k == 0 ? fed : list;
      PhService *first = ph_service_list_lookup (l, 1);

      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (l)), ==, 2);
      g_assert_nonnull (ph_service_list_lookup (l, 5));
      g_assert_cmpuint (ph_service_get_port (first), ==, 80);
      g_assert_cmpstr (ph_service_get_address (first), ==, "127.0.0.1");
      g_assert_cmpuint (ph_service_list_get_n_processes (l), ==, 1);
      g_assert_null (ph_service_list_lookup_process (l, 77, 1));
      g_assert_null (ph_service_list_lookup_process (l, 78, 1));
    }
}

/* Processes whose every fact of the identity is the same (a server's workers) share one
 * identity, the one each would make alone; a fact apart, each makes its own. A later
 * change of one of them leaves the others' as it was. */
static void
test_shared_identity (void)
{
  static const char *procs[] = {
    "PROC\tpid=10\tstart=1\tppid=1\tuid=1000\tuser=u\tcomm=nc\texe=/usr/bin/nc.openbsd"
    "\tcwd=/tmp\tcgroup=/a\tcmdline=nc\\x00-l\tmanager=session",
    /* another parent and cgroup: not facts of the identity */
    "PROC\tpid=11\tstart=1\tppid=10\tuid=1000\tuser=u\tcomm=nc\texe=/usr/bin/nc.openbsd"
    "\tcwd=/tmp\tcgroup=/b\tcmdline=nc\\x00-l\tmanager=session",
    "PROC\tpid=12\tstart=1\tppid=1\tuid=1000\tuser=u\tcomm=nc\texe=/usr/bin/nc.openbsd"
    "\tcwd=/srv\tcgroup=/a\tcmdline=nc\\x00-l\tmanager=session",
    "PROC\tpid=13\tstart=1\tppid=1\tuid=1000\tuser=u\tcomm=ncat\texe=/usr/bin/ncat"
    "\tcwd=/tmp\tcgroup=/a\tcmdline=ncat\\x00-l\tmanager=session",
    "PROC\tpid=14\tstart=1\tppid=1\tuid=1001\tuser=u\tcomm=nc\texe=/usr/bin/nc.openbsd"
    "\tcwd=/tmp\tcgroup=/a\tcmdline=nc\\x00-l\tmanager=session",
    "PROC\tpid=15\tstart=1\tppid=1\tuid=1000\tuser=u\tcomm=nc\texe=/usr/bin/nc.openbsd"
    "\tcwd=/tmp\tcgroup=/a\tcmdline=nc\\x00-lk\tmanager=session",
    /* as the first, after others */
    "PROC\tpid=16\tstart=1\tppid=1\tuid=1000\tuser=u\tcomm=nc\texe=/usr/bin/nc.openbsd"
    "\tcwd=/tmp\tcgroup=/c\tcmdline=nc\\x00-l\tmanager=session",
  };
  /* which of the processes above shares the first one's identity object */
  static const gboolean shares[] = { TRUE, TRUE, FALSE, FALSE, FALSE, FALSE, TRUE };

  for (guint eager = 0; eager < 2; eager++)
    {
      g_autoptr(PhServiceList) fed = ph_service_list_new ();
      g_autoptr(PhServiceList) list = ph_service_list_new ();
      g_autoptr(GString) text = g_string_new ("BEGIN\tseq=1\tkind=full\n");
      PhAppIdentity *first;

      for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
        g_string_append_printf (text, "%s\nSOCK\tid=%u\tproto=tcp\tfamily=4\taddr=0.0.0.0"
                                 "\tport=%u\towners=%u:1:3\n", procs[i], i + 1, 1000 + i, 10 + i);
      g_string_append_printf (text, "END\tseq=1\tsockets=%u\n", (guint) G_N_ELEMENTS (procs));
      if (eager)
        ph_service_list_set_eager (fed);
      feed (fed, text->str);
      if (eager)
        g_assert_true (ph_service_list_take (list, fed));
      else
        g_set_object (&list, fed);

      first = ph_process_get_identity (ph_service_list_lookup_process (list, 10, 1));
      for (guint i = 0; i < G_N_ELEMENTS (procs); i++)
        {
          g_autoptr(PhRecord) record = ph_record_parse (procs[i], -1, NULL);
          g_autoptr(PhProcess) alone = ph_process_new_from_record (record, NULL);
          PhProcess *process = ph_service_list_lookup_process (list, 10 + i, 1);
          PhService *service = ph_service_list_lookup (list, i + 1);

          g_assert_true (ph_app_identity_equal (ph_process_get_identity (process),
                                                ph_process_get_identity (alone)));
          g_assert_cmpint (ph_process_get_identity (process) == first, ==, shares[i]);
          g_assert_true (ph_service_get_identity (service) == ph_process_get_identity (process));
        }
      g_assert_cmpstr (ph_app_identity_get_name (first), ==, "nc.openbsd");

      /* the second now runs ncat: its identity alone changes */
      feed (list, "BEGIN\tseq=2\tkind=delta\n"
                  "PROC\tpid=11\tstart=1\tppid=10\tuid=1000\tuser=u\tcomm=ncat"
                  "\texe=/usr/bin/ncat\tcwd=/tmp\tcgroup=/b\tcmdline=ncat\\x00-l"
                  "\tmanager=session\n"
                  "END\tseq=2\tsockets=7\n");
      g_assert_cmpstr (ph_service_get_group_name (ph_service_list_lookup (list, 2)), ==, "ncat");
      g_assert_true (ph_process_get_identity (ph_service_list_lookup_process (list, 10, 1)) ==
                     first);
      g_assert_true (ph_service_get_identity (ph_service_list_lookup (list, 7)) == first);
      g_assert_cmpstr (ph_app_identity_get_name (first), ==, "nc.openbsd");
    }
}

/* Where this computer connects to a service, and the host of a URI that opens it. */
static void
test_local_target (void)
{
  static const struct
  {
    const char *address;
    int         v6only;
    const char *target;
    const char *uri_host;
  } cases[] = {
    { "0.0.0.0", -1, "127.0.0.1", "localhost" },
    { "127.0.0.1", -1, "127.0.0.1", "localhost" },
    { "127.0.0.53", -1, "127.0.0.53", "127.0.0.53" },
    { "::", 0, "::1", "localhost" },
    { "::", -1, "::1", "localhost" },
    { "::", 1, "::1", "[::1]" },
    { "::1", 1, "::1", "[::1]" },
    { "192.168.1.20", -1, "192.168.1.20", "192.168.1.20" },
    { "fe80::1", 1, "fe80::1", "[fe80::1]" },
  };
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  g_autoptr(GString) text = g_string_new ("BEGIN\tseq=1\tkind=full\n");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_string_append_printf (text, "SOCK\tid=%u\tproto=tcp\tfamily=%u\taddr=%s\tport=80"
                              "\tkernel=1", i + 1, strchr (cases[i].address, ':') ? 6 : 4,
                              cases[i].address);
      if (cases[i].v6only >= 0)
        g_string_append_printf (text, "\tv6only=%d", cases[i].v6only);
      g_string_append_c (text, '\n');
    }
  g_string_append_printf (text, "END\tseq=1\tsockets=%u\n", (guint) G_N_ELEMENTS (cases));
  feed (list, text->str);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PhService *service = ph_service_list_lookup (list, i + 1);
      g_autofree char *target = ph_service_dup_local_target (service);
      g_autofree char *uri_host = ph_service_dup_uri_host (service);

      g_assert_cmpstr (target, ==, cases[i].target);
      g_assert_cmpstr (uri_host, ==, cases[i].uri_host);
    }
}

/* The owner that started the others is the main owner, whatever order SOCK lists. */
static void
test_main_owner (void)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  const char *text =
    "BEGIN\tseq=1\tkind=full\n"
    "PROC\tpid=300\tstart=90\tppid=200\tcomm=worker\texe=/usr/bin/gunicorn\n"
    "PROC\tpid=200\tstart=50\tppid=1\tcomm=gunicorn\texe=/usr/bin/gunicorn\n"
    "PROC\tpid=301\tstart=40\tppid=200\tcomm=worker\texe=/usr/bin/gunicorn\n"
    "SOCK\tid=7\tproto=tcp\tfamily=4\taddr=0.0.0.0\tport=8000\towners=300:90:5,301:40:6,200:50:7\n"
    "END\tseq=1\tsockets=1\n";
  PhService *service;

  feed (list, text);
  service = ph_service_list_lookup (list, 7);
  g_assert_cmpuint (ph_service_get_n_owners (service), ==, 3);
  g_assert_cmpint (ph_process_get_pid (ph_service_get_owner (service, 0)), ==, 200);
  g_assert_cmpint (ph_process_get_pid (ph_service_get_owner (service, 1)), ==, 301);
  g_assert_cmpint (ph_process_get_pid (ph_service_get_owner (service, 2)), ==, 300);
  /* each with its own fd, which moved with it */
  g_assert_cmpint (ph_service_get_owner_fd (service, ph_service_get_owner (service, 0)), ==, 7);
  g_assert_cmpint (ph_service_get_owner_fd (service, ph_service_get_owner (service, 1)), ==, 6);
  g_assert_cmpint (ph_service_get_owner_fd (service, ph_service_get_owner (service, 2)), ==, 5);
  /* the group is the main owner's */
  g_assert_true (ph_service_get_identity (service) ==
                 ph_process_get_identity (ph_service_get_owner (service, 0)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/service-list/fixture-stream", test_fixture_stream);
  g_test_add_func ("/service-list/fixture-deltas", test_fixture_deltas);
  g_test_add_func ("/service-list/sections", test_sections);
  g_test_add_func ("/service-list/full-resync", test_full_resync);
  g_test_add_func ("/service-list/regroup", test_regroup);
  g_test_add_func ("/service-list/unseen", test_unseen);
  g_test_add_func ("/service-list/runs", test_runs);
  g_test_add_func ("/service-list/random", test_random);
  g_test_add_func ("/service-list/matches", test_matches);
  g_test_add_func ("/service-list/matches-folding", test_matches_folding);
  g_test_add_func ("/service-list/addresses", test_addresses);
  g_test_add_func ("/service-list/main-owner", test_main_owner);
  g_test_add_func ("/service-list/identity-changes", test_identity_changes);
  g_test_add_func ("/service-list/local-target", test_local_target);
  g_test_add_func ("/service-list/eager-refusals", test_eager_refusals);
  g_test_add_func ("/service-list/shared-identity", test_shared_identity);

  return g_test_run ();
}
