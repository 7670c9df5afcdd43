/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ph-scanner-reader.h — reads and parses the helper's stdout in a thread of its own */
#pragma once

#include <gio/gio.h>

#include "ph-protocol-reader.h"
#include "ph-service-list.h"

G_BEGIN_DECLS

typedef struct _PhScannerReader PhScannerReader;

/* What the reader hands to the thread that started it, in the stream's order. */
typedef struct
{
  /* One record of the stream, or NULL. */
  PhRecord      *record;
  /* Or a whole full change set, BEGIN to END, the first of the stream when the reader was
   * asked to prepare it, as the lines that came, each with its LF (their records:
   * ph_scanner_item_parse_records())... */
  GBytes        *lines;
  /* ...and that change set applied to an empty list by the reader's thread, or NULL when
   * it did not apply (ph_service_list_feed() refused its END). */
  PhServiceList *prepared;
  /* Or why reading failed (the last item). */
  GError        *error;
} PhScannerItem;

typedef void (*PhScannerReaderFunc) (PhScannerItem *item,
                                     gpointer       user_data);

PhScannerReader *ph_scanner_reader_start (GInputStream        *stream,
                                          gboolean             prepare_first,
                                          PhScannerReaderFunc  func,
                                          gpointer             user_data);
void             ph_scanner_reader_stop  (PhScannerReader     *reader);

GPtrArray       *ph_scanner_item_parse_records (const PhScannerItem *item);

G_END_DECLS
