/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-explain.h — the plain-language explanation of an address and port, for the GUI and the CLI */
#pragma once

#include <gio/gio.h>

#include "ph-port-info.h"

G_BEGIN_DECLS

typedef enum
{
  PH_EXPLANATION_ADDRESS,
  PH_EXPLANATION_PORT,
  PH_EXPLANATION_STATUS,   /* who listens, or whether the port is free; empty if not known */
  PH_EXPLANATION_N_SECTIONS,
} PhExplanationSection;

typedef struct
{
  char     *title;    /* a short label ("Class", "IANA registration"), or NULL */
  char     *text;     /* translated, never NULL */
  gboolean  is_fact;  /* text is a short fact to show next to its title, not a sentence */
} PhExplanationItem;

typedef struct _PhExplanation PhExplanation;

/* Everything an explanation can take into account. Zero-initialise, then set what is known. */
typedef struct
{
  const char        *host;           /* IP address (IPv6 may carry "%scope"), "localhost", or
                                      * NULL for "any address" */
  int                port;           /* 0–65535, or -1 for no Port and Status sections */
  PhPortProtocol     protocol;
  int                v6only;         /* for "::": 1, 0, or -1 when unknown */
  gboolean           listening;      /* something is known to listen here */
  const char        *listener;       /* who listens, in words ("vite, process 4242"), or NULL */
  gboolean           checked;        /* @status holds the answer of ph_port_check() */
  PhPortStatus       status;
  const char        *status_detail;  /* ph_port_check()'s message for PH_PORT_STATUS_UNKNOWN */
  const PhPortRange *ephemeral;      /* NULL: read this system's range */
} PhExplainRequest;

PhExplanation           *ph_explain_request                (const PhExplainRequest *request);
PhExplanation           *ph_explain                        (const char             *host,
                                                            guint                   port,
                                                            const char             *protocol,
                                                            int                     v6only,
                                                            gboolean                listening);

const char              *ph_explanation_section_get_title  (PhExplanationSection    section);
guint                    ph_explanation_get_n_items        (const PhExplanation    *explanation,
                                                            PhExplanationSection    section);
const PhExplanationItem *ph_explanation_get_item           (const PhExplanation    *explanation,
                                                            PhExplanationSection    section,
                                                            guint                   index);
void                     ph_explanation_free               (PhExplanation          *explanation);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PhExplanation, ph_explanation_free)

G_END_DECLS
