/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-protocol.c: the helper's output as the GUI reads it: lines to records, records to
 * the model (HELLO checks, change sets, sockets and processes); everything the model then
 * shows must be display-safe */
#include "ph-fuzz-model.h"
#include "ph-helper-client.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PhServiceList) list = ph_service_list_new ();
  const char *p = (const char *) data;
  const char *end = p + size;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (size_t) (end - p));
      const char *line_end = eol != NULL ? eol : end;
      g_autoptr(GError) error = NULL;
      g_autoptr(PhRecord) record = ph_record_parse (p, line_end - p, &error);

      p = line_end + 1;
      if (record == NULL)
        {
          PH_FUZZ_ASSERT (error != NULL, "a refused line says why");
          continue;
        }
      for (guint i = 0; i < ph_record_get_n_fields (record); i++)
        {
          const char *key = ph_record_get_key (record, i);
          gsize len = 0;
          const char *value = ph_record_get (record, key, &len);
          g_autofree char *shown = ph_protocol_display (value, len);
          guint64 u;
          gint64 s;

          ph_fuzz_check_display (shown, "ph_protocol_display");
          (void) ph_record_get_uint64 (record, key, &u, NULL);
          (void) ph_record_get_int64 (record, key, &s, NULL);
        }
      if (ph_record_get_kind (record) == PH_RECORD_HELLO)
        (void) ph_helper_client_check_hello (record, NULL);
      else
        (void) ph_service_list_feed (list, record, NULL, NULL);
    }

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr(PhService) service = g_list_model_get_item (G_LIST_MODEL (list), i);

      ph_fuzz_check_service (service);
    }
  return 0;
}
