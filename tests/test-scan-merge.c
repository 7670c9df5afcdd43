/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-scan-merge.c — a refresh's sockets merged by their place in the last dump, then by inode */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ph-sock-table.h"
#include "ph-tap.h"

/*
 * ph_sock_table_merge_sockets () first looks at the entry that had the same place in the
 * last dump, and only then looks the inode up. The dumps here are a made-up /proc/net/tcp
 * (the /proc fallback reads it in file order, as the kernel's dump comes in table order):
 * every refresh must report exactly what changed, whether the sockets kept their places,
 * swapped them, or another socket (or another port under a reused inode) took one.
 */

static char root[256];
static char tcp_path[300];

/* One listener line of /proc/net/tcp: 127.0.0.1:@port, @uid, @inode. */
static void
put_tcp (const unsigned (*socks)[3],
         size_t           n)
{
  FILE *f = fopen (tcp_path, "w");

  if (f == NULL)
    ph_tap_bail_out ("cannot write %s: %s", tcp_path, strerror (errno));
  fputs ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
         "timeout inode\n", f);
  for (size_t i = 0; i < n; i++)
    fprintf (f, "%4zu: 0100007F:%04X 00000000:0000 0A 00000000:00000000 00:00000000 00000000 "
             "%5u        0 %u 1 0000000000000000 100 0 0 10 0\n", i, socks[i][0], socks[i][1],
             socks[i][2]);
  if (fclose (f) != 0)
    ph_tap_bail_out ("cannot write %s: %s", tcp_path, strerror (errno));
}

static int
count (const char *out,
       const char *record)
{
  int n = 0;
  size_t len = strlen (record);

  for (const char *p = out; p != NULL && *p != '\0'; p = strchr (p, '\n'), p = p ? p + 1 : NULL)
    if (strncmp (p, record, len) == 0 && p[len] == '\t')
      n++;
  return n;
}

/* Whether @out has a @record line for @inode carrying @field (or any, when NULL). */
static bool
has (const char *out,
     const char *record,
     unsigned    inode,
     const char *field)
{
  char want[64];

  size_t len = (size_t) snprintf (want, sizeof want, "%s\tid=%u", record, inode);

  for (const char *p = strstr (out, want); p != NULL; p = strstr (p + 1, want))
    {
      const char *nl = strchr (p, '\n');
      const char *f = field != NULL ? strstr (p, field) : p;

      if ((p[len] == '\t' || p[len] == '\n' || p[len] == '\0') && f != NULL
          && (nl == NULL || f < nl))
        return true;
    }
  return false;
}

/* One refresh of @table over @n sockets; its change set in @out (cleared first). */
static const char *
refresh (PhSockTable     *table,
         PhBuf           *out,
         const unsigned (*socks)[3],
         size_t           n)
{
  put_tcp (socks, n);
  ph_buf_clear (out);
  ph_sock_table_refresh (table, out);
  ph_buf_append (out, "", 1);
  return out->data;
}

int
main (void)
{
  static const unsigned abc[][3] = { { 8081, 1000, 101 }, { 8082, 1000, 102 }, { 8083, 1000, 103 } };
  static const unsigned bac[][3] = { { 8082, 1000, 102 }, { 8081, 1000, 101 }, { 8083, 1000, 103 } };
  static const unsigned dbc[][3] = { { 8084, 1000, 104 }, { 8082, 1000, 102 }, { 8083, 1000, 103 } };
  static const unsigned dbc_reused[][3] = { { 8084, 1000, 104 }, { 9092, 1000, 102 },
                                            { 8083, 1000, 103 } };
  static const unsigned dbc_uid[][3] = { { 8084, 1000, 104 }, { 9092, 1000, 102 },
                                         { 8083, 1001, 103 } };
  static const unsigned twice[][3] = { { 8084, 1000, 104 }, { 8084, 1000, 104 },
                                       { 9092, 1000, 102 }, { 8083, 1001, 103 } };
  static const unsigned shorter[][3] = { { 9092, 1000, 102 }, { 8083, 1001, 103 } };
  char path[400];
  PhSockTable *table;
  PhBuf out = PH_BUF_INIT;
  const char *set;

  snprintf (root, sizeof root, "/tmp/ph-test-merge-XXXXXX");
  if (mkdtemp (root) == NULL)
    ph_tap_bail_out ("cannot make a temporary folder: %s", strerror (errno));
  snprintf (path, sizeof path, "%s/net", root);
  mkdir (path, 0755);
  snprintf (tcp_path, sizeof tcp_path, "%s/net/tcp", root);
  table = ph_sock_table_new (root, PH_SCAN_TCP | PH_SCAN_IPV4, PH_SOURCE_PROCFS);

  set = refresh (table, &out, abc, 3);
  ph_tap_ok (count (set, "SOCK") == 3 && has (set, "SOCK", 101, "\tport=8081"),
             "the first refresh sends the three sockets");
  for (int i = 0; i < 3; i++)
    {
      set = refresh (table, &out, abc, 3);
      if (!ph_tap_ok (count (set, "SOCK") == 0 && count (set, "GONE") == 0,
                      "refresh %d of the same sockets in the same places sends nothing", i + 2))
        ph_tap_diag ("%s", set);
    }
  set = refresh (table, &out, bac, 3);
  if (!ph_tap_ok (count (set, "SOCK") == 0 && count (set, "GONE") == 0,
                  "two sockets that swapped places are not news"))
    ph_tap_diag ("%s", set);
  set = refresh (table, &out, dbc, 3);
  if (!ph_tap_ok (count (set, "SOCK") == 1 && has (set, "SOCK", 104, "\tport=8084")
                  && count (set, "GONE") == 1 && has (set, "GONE", 101, NULL),
                  "a socket in another's place: the new one is sent, the old one gone"))
    ph_tap_diag ("%s", set);
  set = refresh (table, &out, dbc, 3);
  ph_tap_ok (count (set, "SOCK") == 0 && count (set, "GONE") == 0, "then nothing again");
  set = refresh (table, &out, dbc_reused, 3);
  if (!ph_tap_ok (count (set, "SOCK") == 1 && has (set, "SOCK", 102, "\tport=9092")
                  && count (set, "GONE") == 0,
                  "an inode in its place again but on another port is sent again"))
    ph_tap_diag ("%s", set);
  set = refresh (table, &out, dbc_uid, 3);
  if (!ph_tap_ok (count (set, "SOCK") == 1 && has (set, "SOCK", 103, "\tuid=1001"),
                  "a socket in its place whose user changed is sent again"))
    ph_tap_diag ("%s", set);
  set = refresh (table, &out, twice, 4);
  if (!ph_tap_ok (count (set, "SOCK") == 0 && count (set, "GONE") == 0
                  && strstr (set, "\tsockets=3") != NULL,
                  "a socket listed twice is one socket, and not news"))
    ph_tap_diag ("%s", set);
  set = refresh (table, &out, dbc_uid, 3);
  ph_tap_ok (count (set, "SOCK") == 0 && count (set, "GONE") == 0,
             "listed once again: nothing");
  set = refresh (table, &out, shorter, 2);
  if (!ph_tap_ok (count (set, "SOCK") == 0 && count (set, "GONE") == 1 && has (set, "GONE", 104, NULL)
                  && strstr (set, "\tsockets=2") != NULL,
                  "the first socket gone, the others one place earlier: only the GONE"))
    ph_tap_diag ("%s", set);
  set = refresh (table, &out, abc, 3);
  if (!ph_tap_ok (count (set, "SOCK") == 3 && count (set, "GONE") == 0
                  && has (set, "SOCK", 102, "\tport=8082") && has (set, "SOCK", 103, "\tuid=1000")
                  && has (set, "SOCK", 101, NULL),
                  "back to the first three: each is sent as it is now"))
    ph_tap_diag ("%s", set);

  /* Sockets coming and going between others: the rest is one place later or earlier from
   * there on (a few at once, or more than the merge keeps waiting to line up again). */
  {
    static unsigned many[64][3];
    static unsigned now[64 + 40][3];
    size_t n_now;
    bool ok = true;

    for (unsigned i = 0; i < 64; i++)
      {
        many[i][0] = 10000 + i;
        many[i][1] = 1000;
        many[i][2] = 1000 + i;
      }
    refresh (table, &out, (const unsigned (*)[3]) many, 64);
    set = refresh (table, &out, (const unsigned (*)[3]) many, 64);
    ph_tap_ok (count (set, "SOCK") == 0 && count (set, "GONE") == 0, "64 sockets, then nothing");
    for (int step = 0; step < 6; step++)
      {
        /* 0: one new at 10; 1: it goes; 2: three new at 5, 20, 40; 3: they go and 30 goes;
         * 4: 40 new at 2; 5: they go. */
        static const char *const what[] = {
          "one new socket between others", "it goes again",
          "three new sockets in three places", "they go, and an old one too",
          "40 new sockets between others", "they go again" };
        int want_sock[] = { 1, 0, 3, 0, 40, 0 };
        int want_gone[] = { 0, 1, 0, 4, 0, 40 };

        n_now = 0;
        for (unsigned i = 0; i < 64; i++)
          {
            if (step == 0 && i == 10)
              {
                now[n_now][0] = 20000;
                now[n_now][1] = 1000;
                now[n_now++][2] = 5000;
              }
            if (step == 2 && (i == 5 || i == 20 || i == 40))
              {
                now[n_now][0] = 20000 + i;
                now[n_now][1] = 1000;
                now[n_now++][2] = 5000 + i;
              }
            if (step == 4 && i == 2)
              for (unsigned k = 0; k < 40; k++)
                {
                  now[n_now][0] = 30000 + k;
                  now[n_now][1] = 1000;
                  now[n_now++][2] = 6000 + k;
                }
            if (step >= 3 && i == 30)
              continue;
            memcpy (now[n_now++], many[i], sizeof many[i]);
          }
        set = refresh (table, &out, (const unsigned (*)[3]) now, n_now);
        ok = count (set, "SOCK") == want_sock[step] && count (set, "GONE") == want_gone[step];
        if (step == 0)
          ok = ok && has (set, "SOCK", 5000, "\tport=20000");
        if (step == 3)
          ok = ok && has (set, "GONE", 1030, NULL) && has (set, "GONE", 5005, NULL);
        if (step == 4)
          ok = ok && has (set, "SOCK", 6000, NULL) && has (set, "SOCK", 6039, NULL);
        if (!ph_tap_ok (ok, "%s: only that is sent", what[step]))
          ph_tap_diag ("%s", set);
        set = refresh (table, &out, (const unsigned (*)[3]) now, n_now);
        if (!ph_tap_ok (count (set, "SOCK") == 0 && count (set, "GONE") == 0,
                        "%s: then nothing", what[step]))
          ph_tap_diag ("%s", set);
      }
  }

  ph_sock_table_free (table);
  ph_buf_free (&out);
  unlink (tcp_path);
  rmdir (path);
  rmdir (root);
  return ph_tap_done_testing ();
}
