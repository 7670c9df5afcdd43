/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-port-scale.h — the port line: where a port lands among all 65,536, and how to say it */
#pragma once

#include <glib.h>

#include "ph-port-info.h"

G_BEGIN_DECLS

/*
 * The port line shows every port, 0 to 65535, on one bar. On a linear scale the 1,024
 * well-known ports would get 1/64 of it, too thin to see, so the scale is piecewise: the
 * well-known ports get PH_PORT_SCALE_SYSTEM_SHARE of the bar and ports 1024–65535 share the
 * rest linearly. The picture and its description both say so.
 *
 * Positions are fractions of the bar from its start (port 0's edge, 0.0) to its end (the far
 * edge of port 65535, 1.0); port P covers [edge (P), edge (P + 1)).
 */
#define PH_PORT_SCALE_N_PORTS      65536
#define PH_PORT_SCALE_SYSTEM_SHARE 0.125
/* How many times wider than to scale the well-known ports are drawn. */
#define PH_PORT_SCALE_STRETCH      8

typedef enum
{
  PH_PORT_BAND_SYSTEM,     /* IANA's well-known ports, 0–1023 */
  PH_PORT_BAND_USER,       /* registered, 1024–49151 */
  PH_PORT_BAND_DYNAMIC,    /* dynamic, 49152–65535 */
  PH_PORT_BAND_EPHEMERAL,  /* this computer's ephemeral range */
  PH_PORT_N_BANDS,
} PhPortBand;

/* One band of the line, in ports and in bar positions. */
typedef struct
{
  guint  first;
  guint  last;
  double start;  /* edge (first) */
  double end;    /* edge (last + 1) */
} PhPortSpan;

/* Everything the picture draws, for one port. */
typedef struct
{
  guint       port;
  double      position;                 /* the middle of the port */
  PhPortClass port_class;
  PhPortRange ephemeral;
  gboolean    in_ephemeral;
  PhPortSpan  bands[PH_PORT_N_BANDS];
  /* The part of the ephemeral range in each class, { 1, 0 } (empty) where it has none. */
  PhPortRange ephemeral_in_class[3];
} PhPortLineModel;

double      ph_port_scale_edge              (guint                  port);
double      ph_port_scale_position          (guint                  port);
guint       ph_port_scale_port_at           (double                 position);
void        ph_port_scale_get_span          (guint                  first,
                                             guint                  last,
                                             PhPortSpan            *span);
gboolean    ph_port_range_intersect         (const PhPortRange     *a,
                                             const PhPortRange     *b,
                                             PhPortRange           *out);

void        ph_port_line_model_init         (PhPortLineModel       *model,
                                             guint                  port,
                                             const PhPortRange     *ephemeral);

char       *ph_port_line_dup_band_label     (const PhPortLineModel *model,
                                             PhPortBand             band);
char       *ph_port_line_dup_scale_note     (void);
char       *ph_port_line_dup_position_sentence (const PhPortLineModel *model);
char       *ph_port_line_dup_description    (const PhPortLineModel *model);

char       *ph_port_line_dup_ascii          (const PhPortLineModel *model,
                                             guint                  width);
char       *ph_port_line_dup_ascii_key      (const PhPortLineModel *model);

G_END_DECLS
