/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-port-scale.c — the port line: where a port lands among all 65,536, and how to say it */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "ph-port-scale.h"

#define SYSTEM_PORTS 1024u
#define OTHER_PORTS  (PH_PORT_SCALE_N_PORTS - SYSTEM_PORTS)

G_STATIC_ASSERT (PH_PORT_SCALE_STRETCH * SYSTEM_PORTS ==
                 (guint) (PH_PORT_SCALE_SYSTEM_SHARE * PH_PORT_SCALE_N_PORTS));
/* The first three bands are the classes, in the same order. */
G_STATIC_ASSERT ((int) PH_PORT_BAND_SYSTEM == (int) PH_PORT_CLASS_SYSTEM);
G_STATIC_ASSERT ((int) PH_PORT_BAND_USER == (int) PH_PORT_CLASS_USER);
G_STATIC_ASSERT ((int) PH_PORT_BAND_DYNAMIC == (int) PH_PORT_CLASS_DYNAMIC);

/* The scale */

/* The start edge of @port on the bar; ph_port_scale_edge (65536) is 1.0. */
double
ph_port_scale_edge (guint port)
{
  port = MIN (port, PH_PORT_SCALE_N_PORTS);

  if (port <= SYSTEM_PORTS)
    return PH_PORT_SCALE_SYSTEM_SHARE * port / SYSTEM_PORTS;
  return PH_PORT_SCALE_SYSTEM_SHARE +
         (1.0 - PH_PORT_SCALE_SYSTEM_SHARE) * (port - SYSTEM_PORTS) / OTHER_PORTS;
}

/* Where the marker for @port goes: the middle of its stretch of the bar. */
double
ph_port_scale_position (guint port)
{
  port = MIN (port, PH_PORT_SCALE_N_PORTS - 1);

  return (ph_port_scale_edge (port) + ph_port_scale_edge (port + 1)) / 2.0;
}

/* The port drawn at @position (clamped to the bar). */
guint
ph_port_scale_port_at (double position)
{
  guint port;

  if (!(position > 0.0))
    return 0;
  if (position >= 1.0)
    return PH_PORT_SCALE_N_PORTS - 1;

  /* Both are positive, so the casts round down. */
  if (position < PH_PORT_SCALE_SYSTEM_SHARE)
    port = (guint) (position / PH_PORT_SCALE_SYSTEM_SHARE * SYSTEM_PORTS);
  else
    port = SYSTEM_PORTS + (guint) ((position - PH_PORT_SCALE_SYSTEM_SHARE) /
                                   (1.0 - PH_PORT_SCALE_SYSTEM_SHARE) * OTHER_PORTS);

  return MIN (port, PH_PORT_SCALE_N_PORTS - 1);
}

void
ph_port_scale_get_span (guint       first,
                        guint       last,
                        PhPortSpan *span)
{
  g_return_if_fail (span != NULL);
  g_return_if_fail (first <= last);

  span->first = first;
  span->last = MIN (last, PH_PORT_SCALE_N_PORTS - 1);
  span->start = ph_port_scale_edge (first);
  span->end = ph_port_scale_edge (span->last + 1);
}

/* The ports in both @a and @b; FALSE (and @out left alone) when there are none. */
gboolean
ph_port_range_intersect (const PhPortRange *a,
                         const PhPortRange *b,
                         PhPortRange       *out)
{
  guint first = MAX (a->first, b->first);
  guint last = MIN (a->last, b->last);

  if (first > last)
    return FALSE;
  if (out != NULL)
    {
      out->first = first;
      out->last = last;
    }
  return TRUE;
}

/* @ephemeral: NULL to read this computer's range. */
void
ph_port_line_model_init (PhPortLineModel   *model,
                         guint              port,
                         const PhPortRange *ephemeral)
{
  g_return_if_fail (model != NULL);
  g_return_if_fail (port < PH_PORT_SCALE_N_PORTS);

  memset (model, 0, sizeof *model);
  model->port = port;
  model->position = ph_port_scale_position (port);
  model->port_class = ph_port_class_for_port (port);

  if (ephemeral != NULL)
    model->ephemeral = *ephemeral;
  else
    ph_port_range_get_ephemeral (&model->ephemeral);
  model->ephemeral.last = MIN (model->ephemeral.last, PH_PORT_SCALE_N_PORTS - 1);
  model->ephemeral.first = MIN (model->ephemeral.first, model->ephemeral.last);
  model->in_ephemeral = ph_port_range_contains (&model->ephemeral, port);

  for (PhPortClass c = PH_PORT_CLASS_SYSTEM; c <= PH_PORT_CLASS_DYNAMIC; c++)
    {
      PhPortRange range;

      ph_port_class_get_range (c, &range.first, &range.last);
      ph_port_scale_get_span (range.first, range.last, &model->bands[c]);
      if (!ph_port_range_intersect (&range, &model->ephemeral, &model->ephemeral_in_class[c]))
        {
          model->ephemeral_in_class[c].first = 1;
          model->ephemeral_in_class[c].last = 0;
        }
    }
  ph_port_scale_get_span (model->ephemeral.first, model->ephemeral.last,
                          &model->bands[PH_PORT_BAND_EPHEMERAL]);
}

/* Words */

/* The label of a band in the picture's legend, with its range. */
char *
ph_port_line_dup_band_label (const PhPortLineModel *model,
                             PhPortBand             band)
{
  const PhPortSpan *span;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (band < PH_PORT_N_BANDS, NULL);

  span = &model->bands[band];
  switch (band)
    {
    case PH_PORT_BAND_SYSTEM:
      /* Translators: a band of the port line: the well-known ports and their range */
      return g_strdup_printf (_("Well-known, %u–%u"), span->first, span->last);
    case PH_PORT_BAND_USER:
      /* Translators: a band of the port line: the registered ports and their range */
      return g_strdup_printf (_("Registered, %u–%u"), span->first, span->last);
    case PH_PORT_BAND_DYNAMIC:
      /* Translators: a band of the port line: the dynamic ports and their range */
      return g_strdup_printf (_("Dynamic, %u–%u"), span->first, span->last);
    case PH_PORT_BAND_EPHEMERAL:
      /* Translators: a band of the port line: the ports the kernel hands out on its own */
      return g_strdup_printf (_("This computer’s ephemeral range, %u–%u"), span->first,
                              span->last);
    case PH_PORT_N_BANDS:
    default:
      g_return_val_if_reached (NULL);
    }
}

/* The legend's warning that the line is broken where the well-known ports are. */
char *
ph_port_line_dup_scale_note (void)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: a note under the port line; %u–%u is
                                        * 0–1023, the last %u how many times wider */
                                       "Not to scale: ports %u–%u are drawn %u time wider",
                                       "Not to scale: ports %u–%u are drawn %u times wider",
                                       PH_PORT_SCALE_STRETCH),
                          0u, SYSTEM_PORTS - 1, (guint) PH_PORT_SCALE_STRETCH);
}

/* The position sentence for each class, inside and outside the ephemeral range: whole
 * sentences, for the translators. */
static const char * const position_sentences[][2] = {
  [PH_PORT_CLASS_SYSTEM] = {
    N_("Port %u is a well-known port, in the range %u to %u; it also lies in this computer’s "
       "ephemeral range %u to %u."),
    N_("Port %u is a well-known port, in the range %u to %u; it also lies outside this "
       "computer’s ephemeral range %u to %u.") },
  [PH_PORT_CLASS_USER] = {
    N_("Port %u is a registered port, in the range %u to %u; it also lies in this computer’s "
       "ephemeral range %u to %u."),
    N_("Port %u is a registered port, in the range %u to %u; it also lies outside this "
       "computer’s ephemeral range %u to %u.") },
  [PH_PORT_CLASS_DYNAMIC] = {
    N_("Port %u is a dynamic port, in the range %u to %u; it also lies in this computer’s "
       "ephemeral range %u to %u."),
    N_("Port %u is a dynamic port, in the range %u to %u; it also lies outside this "
       "computer’s ephemeral range %u to %u.") },
};

/* "Port 62893 is a dynamic port, in the range 49152 to 65535; it also lies outside this
 * computer's ephemeral range 32768 to 60999." The table's formats are c-format in po/, so
 * msgfmt checks each translation's conversions as it would a literal's. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
char *
ph_port_line_dup_position_sentence (const PhPortLineModel *model)
{
  const PhPortSpan *c;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail ((guint) model->port_class < G_N_ELEMENTS (position_sentences), NULL);

  c = &model->bands[model->port_class];
  return g_strdup_printf (_(position_sentences[model->port_class][model->in_ephemeral ? 0 : 1]),
                          model->port, c->first, c->last, model->ephemeral.first,
                          model->ephemeral.last);
}
#pragma GCC diagnostic pop

static gboolean
class_has_ephemeral (const PhPortLineModel *model,
                     PhPortClass            port_class)
{
  return model->ephemeral_in_class[port_class].first <=
         model->ephemeral_in_class[port_class].last;
}

/* How the ephemeral range and IANA's classes overlap, as a sentence. */
static char *
dup_overlap_sentence (const PhPortLineModel *model)
{
  gboolean sys = class_has_ephemeral (model, PH_PORT_CLASS_SYSTEM);
  gboolean user = class_has_ephemeral (model, PH_PORT_CLASS_USER);
  gboolean dyn = class_has_ephemeral (model, PH_PORT_CLASS_DYNAMIC);
  guint first = model->ephemeral.first;
  guint last = model->ephemeral.last;

  if (sys && user && dyn)
    return g_strdup_printf (_("This computer’s ephemeral range, %u to %u, spans well-known, "
                              "registered and dynamic ports."), first, last);
  if (sys && user)
    return g_strdup_printf (_("This computer’s ephemeral range, %u to %u, spans well-known "
                              "ports up to %u and registered ports from %u."),
                            first, last, model->ephemeral_in_class[PH_PORT_CLASS_SYSTEM].last,
                            model->ephemeral_in_class[PH_PORT_CLASS_USER].first);
  if (user && dyn)
    return g_strdup_printf (_("This computer’s ephemeral range, %u to %u, spans registered "
                              "ports up to %u and dynamic ports from %u."),
                            first, last, model->ephemeral_in_class[PH_PORT_CLASS_USER].last,
                            model->ephemeral_in_class[PH_PORT_CLASS_DYNAMIC].first);
  if (sys)
    return g_strdup_printf (_("This computer’s ephemeral range, %u to %u, lies among the "
                              "well-known ports."), first, last);
  if (user)
    return g_strdup_printf (_("This computer’s ephemeral range, %u to %u, lies among the "
                              "registered ports."), first, last);
  return g_strdup_printf (_("This computer’s ephemeral range, %u to %u, lies among the dynamic "
                            "ports."), first, last);
}

/* What the port line shows, in words, for its accessible description. */
char *
ph_port_line_dup_description (const PhPortLineModel *model)
{
  g_autofree char *position = NULL;
  g_autofree char *overlap = NULL;
  g_autofree char *scale = NULL;

  g_return_val_if_fail (model != NULL, NULL);

  position = ph_port_line_dup_position_sentence (model);
  overlap = dup_overlap_sentence (model);
  scale = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        /* Translators: %u–%u is 0–1023, the last %u how many
                                         * times wider */
                                        "The line of all ports from 0 to 65535 is not to scale: "
                                        "the well-known ports %u–%u are drawn %u time wider, so "
                                        "that they stay visible.",
                                        "The line of all ports from 0 to 65535 is not to scale: "
                                        "the well-known ports %u–%u are drawn %u times wider, so "
                                        "that they stay visible.",
                                        PH_PORT_SCALE_STRETCH),
                           0u, SYSTEM_PORTS - 1, (guint) PH_PORT_SCALE_STRETCH);

  return g_strjoin (" ", position, overlap, scale, NULL);
}

/* Plain text */

#define ASCII_START "0 "
#define ASCII_END   " 65535"
#define ASCII_MIN_CELLS 16

static const char ascii_class_fill[] = {
  [PH_PORT_CLASS_SYSTEM] = ':',
  [PH_PORT_CLASS_USER] = '-',
  [PH_PORT_CLASS_DYNAMIC] = '=',
};

static guint
ascii_cell (double position,
            guint  n_cells)
{
  if (!(position > 0.0))
    return 0;
  return MIN ((guint) (position * n_cells), n_cells - 1);
}

/* The port line as one line of @width ASCII characters (at least 28), for a terminal:
 * "0 ::::--------[-------====^====]=== 65535". ph_port_line_dup_ascii_key() says what the
 * characters mean. */
char *
ph_port_line_dup_ascii (const PhPortLineModel *model,
                        guint                  width)
{
  guint n_cells;
  GString *line;
  char *cells;
  guint eph_first, eph_last;

  g_return_val_if_fail (model != NULL, NULL);

  n_cells = MAX (width, strlen (ASCII_START) + strlen (ASCII_END) + ASCII_MIN_CELLS) -
            strlen (ASCII_START) - strlen (ASCII_END);
  cells = g_malloc (n_cells);

  for (guint i = 0; i < n_cells; i++)
    {
      guint port = ph_port_scale_port_at ((i + 0.5) / n_cells);

      cells[i] = ascii_class_fill[ph_port_class_for_port (port)];
    }

  eph_first = ascii_cell (ph_port_scale_position (model->ephemeral.first), n_cells);
  eph_last = ascii_cell (ph_port_scale_position (model->ephemeral.last), n_cells);
  if (eph_first == eph_last)
    cells[eph_first] = '|';
  else
    {
      cells[eph_first] = '[';
      cells[eph_last] = ']';
    }
  cells[ascii_cell (model->position, n_cells)] = '^';

  line = g_string_new (ASCII_START);
  g_string_append_len (line, cells, n_cells);
  g_string_append (line, ASCII_END);
  g_free (cells);

  return g_string_free (line, FALSE);
}

/* What the characters of ph_port_line_dup_ascii() mean, translated. */
char *
ph_port_line_dup_ascii_key (const PhPortLineModel *model)
{
  g_autoptr(GString) key = g_string_new (NULL);
  g_autofree char *note = ph_port_line_dup_scale_note ();

  g_return_val_if_fail (model != NULL, NULL);

  for (PhPortBand band = PH_PORT_BAND_SYSTEM; band < PH_PORT_N_BANDS; band++)
    {
      g_autofree char *label = ph_port_line_dup_band_label (model, band);

      /* No-break spaces keep each character with its label when the key is wrapped. */
      if (band == PH_PORT_BAND_EPHEMERAL)
        g_string_append (key, "[\u00a0]");
      else
        g_string_append_c (key, ascii_class_fill[band]);
      g_string_append_printf (key, "\u00a0%s  ", label);
    }
  g_string_append (key, "^\u00a0");
  /* Translators: the marker on the port line; %u is the port number */
  g_string_append_printf (key, _("Port %u"), model->port);
  g_string_append_printf (key, "  (%s)", note);

  return g_string_free (g_steal_pointer (&key), FALSE);
}
