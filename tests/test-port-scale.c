/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-port-scale.c — the port line's piecewise scale, bands, overlaps, words and ASCII form */
#include "config.h"

#include <string.h>

#include "ph-port-scale.h"
#include "ph-test-utils.h"

static const PhPortRange linux_default = { 32768, 60999 };

/* The two pieces of the scale: 0–1023 over the first eighth, the rest linear. */
static void
test_scale_pieces (void)
{
  g_assert_cmpfloat (ph_port_scale_edge (0), ==, 0.0);
  g_assert_cmpfloat_with_epsilon (ph_port_scale_edge (1024), PH_PORT_SCALE_SYSTEM_SHARE, 1e-12);
  g_assert_cmpfloat_with_epsilon (ph_port_scale_edge (512), PH_PORT_SCALE_SYSTEM_SHARE / 2, 1e-12);
  g_assert_cmpfloat (ph_port_scale_edge (65536), ==, 1.0);
  /* Beyond the end stays at the end. */
  g_assert_cmpfloat (ph_port_scale_edge (70000), ==, 1.0);

  /* Above 1024 the scale is linear: equal numbers of ports get equal lengths. */
  g_assert_cmpfloat_with_epsilon (ph_port_scale_edge (2024) - ph_port_scale_edge (1024),
                                  ph_port_scale_edge (50000) - ph_port_scale_edge (49000), 1e-12);
  /* The middle of the linear piece: port 1024 + 64512 / 2. */
  g_assert_cmpfloat_with_epsilon (ph_port_scale_edge (33280),
                                  PH_PORT_SCALE_SYSTEM_SHARE +
                                  (1 - PH_PORT_SCALE_SYSTEM_SHARE) / 2, 1e-12);

  /* The well-known ports are drawn PH_PORT_SCALE_STRETCH times wider than to scale... */
  g_assert_cmpfloat_with_epsilon (ph_port_scale_edge (1024) / (1024.0 / 65536.0),
                                  PH_PORT_SCALE_STRETCH, 1e-9);
  /* ...and the others a little narrower, so the bar still holds them all. */
  g_assert_cmpfloat (ph_port_scale_edge (65536) - ph_port_scale_edge (1024), <,
                     64512.0 / 65536.0);
  g_assert_cmpfloat (ph_port_scale_edge (65536) - ph_port_scale_edge (1024), >, 0.85);
}

/* Where ports land, and back again. */
static void
test_positions (void)
{
  double previous = -1.0;

  /* Monotonic, strictly, at every port. */
  for (guint port = 0; port < PH_PORT_SCALE_N_PORTS; port++)
    {
      double position = ph_port_scale_position (port);

      g_assert_cmpfloat (position, >, previous);
      g_assert_cmpfloat (position, >, ph_port_scale_edge (port));
      g_assert_cmpfloat (position, <, ph_port_scale_edge (port + 1));
      /* The inverse finds the port again. */
      g_assert_cmpuint (ph_port_scale_port_at (position), ==, port);
      previous = position;
    }

  /* Well-known ports are far apart, others close together. */
  g_assert_cmpfloat (ph_port_scale_position (443) - ph_port_scale_position (80), >, 0.04);
  g_assert_cmpfloat (ph_port_scale_position (62893), >, 0.9);
  g_assert_cmpfloat (ph_port_scale_position (62893), <, 0.97);
  g_assert_cmpfloat (ph_port_scale_position (22), <, 0.003);

  g_assert_cmpuint (ph_port_scale_port_at (-1.0), ==, 0);
  g_assert_cmpuint (ph_port_scale_port_at (0.0), ==, 0);
  g_assert_cmpuint (ph_port_scale_port_at (1.0), ==, 65535);
  g_assert_cmpuint (ph_port_scale_port_at (2.0), ==, 65535);
  g_assert_cmpuint (ph_port_scale_port_at (PH_PORT_SCALE_SYSTEM_SHARE - 1e-9), ==, 1023);
  g_assert_cmpuint (ph_port_scale_port_at (PH_PORT_SCALE_SYSTEM_SHARE + 1e-9), ==, 1024);
}

/* The class bands tile the bar; the ephemeral band lies where its ports do. */
static void
test_bands (void)
{
  PhPortLineModel model;

  ph_port_line_model_init (&model, 62893, &linux_default);

  g_assert_cmpuint (model.bands[PH_PORT_BAND_SYSTEM].first, ==, 0);
  g_assert_cmpuint (model.bands[PH_PORT_BAND_SYSTEM].last, ==, 1023);
  g_assert_cmpuint (model.bands[PH_PORT_BAND_USER].first, ==, 1024);
  g_assert_cmpuint (model.bands[PH_PORT_BAND_USER].last, ==, 49151);
  g_assert_cmpuint (model.bands[PH_PORT_BAND_DYNAMIC].first, ==, 49152);
  g_assert_cmpuint (model.bands[PH_PORT_BAND_DYNAMIC].last, ==, 65535);

  g_assert_cmpfloat (model.bands[PH_PORT_BAND_SYSTEM].start, ==, 0.0);
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_SYSTEM].end, ==,
                     model.bands[PH_PORT_BAND_USER].start);
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_USER].end, ==,
                     model.bands[PH_PORT_BAND_DYNAMIC].start);
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_DYNAMIC].end, ==, 1.0);
  g_assert_cmpfloat_with_epsilon (model.bands[PH_PORT_BAND_SYSTEM].end,
                                  PH_PORT_SCALE_SYSTEM_SHARE, 1e-12);

  g_assert_cmpuint (model.bands[PH_PORT_BAND_EPHEMERAL].first, ==, 32768);
  g_assert_cmpuint (model.bands[PH_PORT_BAND_EPHEMERAL].last, ==, 60999);
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_EPHEMERAL].start, ==, ph_port_scale_edge (32768));
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_EPHEMERAL].end, ==, ph_port_scale_edge (61000));
  /* It starts among the registered ports and ends among the dynamic ones. */
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_EPHEMERAL].start, >,
                     model.bands[PH_PORT_BAND_USER].start);
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_EPHEMERAL].start, <,
                     model.bands[PH_PORT_BAND_USER].end);
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_EPHEMERAL].end, >,
                     model.bands[PH_PORT_BAND_DYNAMIC].start);
  g_assert_cmpfloat (model.bands[PH_PORT_BAND_EPHEMERAL].end, <, 1.0);

  g_assert_cmpuint (model.port, ==, 62893);
  g_assert_cmpint (model.port_class, ==, PH_PORT_CLASS_DYNAMIC);
  g_assert_false (model.in_ephemeral);
  g_assert_cmpfloat (model.position, >, model.bands[PH_PORT_BAND_EPHEMERAL].end);

  ph_port_line_model_init (&model, 50000, &linux_default);
  g_assert_true (model.in_ephemeral);
  g_assert_cmpfloat (model.position, >, model.bands[PH_PORT_BAND_EPHEMERAL].start);
  g_assert_cmpfloat (model.position, <, model.bands[PH_PORT_BAND_EPHEMERAL].end);

  /* Edges of the range count as inside. */
  ph_port_line_model_init (&model, 32768, &linux_default);
  g_assert_true (model.in_ephemeral);
  ph_port_line_model_init (&model, 60999, &linux_default);
  g_assert_true (model.in_ephemeral);
  ph_port_line_model_init (&model, 61000, &linux_default);
  g_assert_false (model.in_ephemeral);

  /* A model without a given range reads this computer's (or Linux's default). */
  ph_port_line_model_init (&model, 80, NULL);
  g_assert_cmpuint (model.ephemeral.first, <=, model.ephemeral.last);
  g_assert_cmpuint (model.ephemeral.last, <=, 65535);
}

/* How the ephemeral range splits over IANA's classes. */
static void
test_overlaps (void)
{
  static const struct
  {
    PhPortRange range;
    PhPortRange in_class[3];  /* { 1, 0 }: none */
  } cases[] = {
    { { 32768, 60999 }, { { 1, 0 }, { 32768, 49151 }, { 49152, 60999 } } },
    { { 49152, 65535 }, { { 1, 0 }, { 1, 0 }, { 49152, 65535 } } },
    { { 1024, 5000 }, { { 1, 0 }, { 1024, 5000 }, { 1, 0 } } },
    { { 500, 2000 }, { { 500, 1023 }, { 1024, 2000 }, { 1, 0 } } },
    { { 0, 65535 }, { { 0, 1023 }, { 1024, 49151 }, { 49152, 65535 } } },
    { { 49151, 49152 }, { { 1, 0 }, { 49151, 49151 }, { 49152, 49152 } } },
    { { 600, 600 }, { { 600, 600 }, { 1, 0 }, { 1, 0 } } },
  };
  PhPortRange a = { 10, 20 }, b = { 21, 30 }, c = { 15, 40 }, out = { 7, 7 };

  g_assert_false (ph_port_range_intersect (&a, &b, &out));
  g_assert_cmpuint (out.first, ==, 7);
  g_assert_true (ph_port_range_intersect (&a, &c, &out));
  g_assert_cmpuint (out.first, ==, 15);
  g_assert_cmpuint (out.last, ==, 20);
  g_assert_true (ph_port_range_intersect (&c, &a, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PhPortLineModel model;

      ph_port_line_model_init (&model, 80, &cases[i].range);
      for (guint k = 0; k < 3; k++)
        {
          g_test_message ("range %u–%u, class %u", cases[i].range.first, cases[i].range.last, k);
          g_assert_cmpuint (model.ephemeral_in_class[k].first, ==, cases[i].in_class[k].first);
          g_assert_cmpuint (model.ephemeral_in_class[k].last, ==, cases[i].in_class[k].last);
        }
    }
}

/* The description says where the port is, in which classes the range lies, and that the
 * line is not to scale. */
static void
test_description (void)
{
  static const struct
  {
    guint        port;
    PhPortRange  range;
    const char  *expected[3];
  } cases[] = {
    { 62893, { 32768, 60999 },
      { "Port 62893 is a dynamic port, in the range 49152 to 65535; it also lies outside this "
        "computer’s ephemeral range 32768 to 60999.",
        "This computer’s ephemeral range, 32768 to 60999, spans registered ports up to 49151 "
        "and dynamic ports from 49152.",
        "not to scale: the well-known ports 0–1023 are drawn 8 times wider" } },
    { 50000, { 32768, 60999 },
      { "Port 50000 is a dynamic port, in the range 49152 to 65535; it also lies in this "
        "computer’s ephemeral range 32768 to 60999.", NULL, NULL } },
    { 40000, { 32768, 60999 },
      { "Port 40000 is a registered port, in the range 1024 to 49151; it also lies in this "
        "computer’s ephemeral range 32768 to 60999.", NULL, NULL } },
    { 3000, { 32768, 60999 },
      { "Port 3000 is a registered port, in the range 1024 to 49151; it also lies outside this "
        "computer’s ephemeral range 32768 to 60999.", NULL, NULL } },
    { 22, { 32768, 60999 },
      { "Port 22 is a well-known port, in the range 0 to 1023; it also lies outside this "
        "computer’s ephemeral range 32768 to 60999.", NULL, NULL } },
    { 600, { 500, 2000 },
      { "Port 600 is a well-known port, in the range 0 to 1023; it also lies in this "
        "computer’s ephemeral range 500 to 2000.",
        "spans well-known ports up to 1023 and registered ports from 1024.", NULL } },
    { 62893, { 49152, 65535 },
      { "lies in this computer’s ephemeral range 49152 to 65535",
        "This computer’s ephemeral range, 49152 to 65535, lies among the dynamic ports.",
        NULL } },
    { 8080, { 1024, 5000 },
      { "lies among the registered ports.", NULL, NULL } },
    { 8080, { 10, 20 },
      { "lies among the well-known ports.", NULL, NULL } },
    { 8080, { 0, 65535 },
      { "spans well-known, registered and dynamic ports.", NULL, NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PhPortLineModel model;
      g_autofree char *description = NULL;

      ph_port_line_model_init (&model, cases[i].port, &cases[i].range);
      description = ph_port_line_dup_description (&model);
      g_assert_true (g_utf8_validate (description, -1, NULL));
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].expected) && cases[i].expected[k]; k++)
        ph_test_assert_contains (description, cases[i].expected[k]);
      /* Every description admits the broken scale. */
      ph_test_assert_contains (description, "not to scale");
    }
}

static void
test_labels (void)
{
  PhPortLineModel model;
  g_autofree char *system = NULL;
  g_autofree char *user = NULL;
  g_autofree char *dynamic = NULL;
  g_autofree char *ephemeral = NULL;
  g_autofree char *note = ph_port_line_dup_scale_note ();

  ph_port_line_model_init (&model, 443, &linux_default);
  system = ph_port_line_dup_band_label (&model, PH_PORT_BAND_SYSTEM);
  user = ph_port_line_dup_band_label (&model, PH_PORT_BAND_USER);
  dynamic = ph_port_line_dup_band_label (&model, PH_PORT_BAND_DYNAMIC);
  ephemeral = ph_port_line_dup_band_label (&model, PH_PORT_BAND_EPHEMERAL);
  g_assert_cmpstr (system, ==, "Well-known, 0–1023");
  g_assert_cmpstr (user, ==, "Registered, 1024–49151");
  g_assert_cmpstr (dynamic, ==, "Dynamic, 49152–65535");
  g_assert_cmpstr (ephemeral, ==, "This computer’s ephemeral range, 32768–60999");
  g_assert_cmpstr (note, ==, "Not to scale: ports 0–1023 are drawn 8 times wider");
}

static guint
index_of (const char *line,
          char        c)
{
  const char *p = strchr (line, c);

  g_assert_nonnull (p);
  return (guint) (p - line);
}

/* The terminal's one-line bar: exact width, classes in order, marker and range in place. */
static void
test_ascii (void)
{
  PhPortLineModel model;
  g_autofree char *line = NULL;
  g_autofree char *narrow = NULL;
  g_autofree char *key = NULL;
  g_autofree char *low = NULL;
  g_autofree char *one = NULL;
  PhPortRange single = { 40000, 40001 };
  guint n_cells = 80 - 8;

  ph_port_line_model_init (&model, 62893, &linux_default);
  line = ph_port_line_dup_ascii (&model, 80);
  g_test_message ("%s", line);
  g_assert_cmpuint (strlen (line), ==, 80);
  g_assert_true (g_str_has_prefix (line, "0 :"));
  g_assert_true (g_str_has_suffix (line, "= 65535"));
  for (const char *p = line; *p; p++)
    g_assert_true (g_ascii_isprint (*p));

  /* 0–1023 take an eighth of the cells, 9 of 72; then registered, then dynamic. */
  g_assert_cmpuint (index_of (line, '-') - 2, ==, n_cells / 8);
  g_assert_cmpuint (index_of (line, '=') - 2, ==,
                    (guint) (ph_port_scale_edge (49152) * n_cells + 0.5));
  /* The range opens among the registered ports and closes among the dynamic ones, and the
   * marker is beyond it. */
  g_assert_cmpuint (index_of (line, '['), >, index_of (line, '-'));
  g_assert_cmpuint (index_of (line, '['), <, index_of (line, '='));
  g_assert_cmpuint (index_of (line, ']'), >, index_of (line, '='));
  g_assert_cmpuint (index_of (line, '^'), >, index_of (line, ']'));
  g_assert_cmpuint (index_of (line, '^') - 2, ==, (guint) (model.position * n_cells));

  /* Too narrow a terminal still gets a usable bar. */
  narrow = ph_port_line_dup_ascii (&model, 5);
  g_assert_cmpuint (strlen (narrow), ==, 8 + 16);
  g_assert_nonnull (strchr (narrow, '^'));

  /* A well-known port sits in the first cells. */
  ph_port_line_model_init (&model, 22, &linux_default);
  low = ph_port_line_dup_ascii (&model, 80);
  g_assert_cmpuint (index_of (low, '^'), ==, 2);

  /* A range inside one cell is one mark. */
  ph_port_line_model_init (&model, 3000, &single);
  one = ph_port_line_dup_ascii (&model, 80);
  g_assert_nonnull (strchr (one, '|'));
  g_assert_null (strchr (one, '['));

  ph_port_line_model_init (&model, 62893, &linux_default);
  key = ph_port_line_dup_ascii_key (&model);
  ph_test_assert_contains (key, ":\u00a0Well-known, 0–1023");
  ph_test_assert_contains (key, "-\u00a0Registered, 1024–49151");
  ph_test_assert_contains (key, "=\u00a0Dynamic, 49152–65535");
  ph_test_assert_contains (key, "[\u00a0]\u00a0This computer’s ephemeral range, 32768–60999");
  ph_test_assert_contains (key, "^\u00a0Port 62893");
  ph_test_assert_contains (key, "Not to scale");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/port-scale/pieces", test_scale_pieces);
  g_test_add_func ("/port-scale/positions", test_positions);
  g_test_add_func ("/port-scale/bands", test_bands);
  g_test_add_func ("/port-scale/overlaps", test_overlaps);
  g_test_add_func ("/port-scale/description", test_description);
  g_test_add_func ("/port-scale/labels", test_labels);
  g_test_add_func ("/port-scale/ascii", test_ascii);

  return g_test_run ();
}
