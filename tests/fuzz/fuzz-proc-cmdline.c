/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-proc-cmdline.c: a process's own words (comm, cgroup path, /proc/<pid>/cmdline) from
 * the helper's PROC record through the GUI's reader to the process and its identity.
 * Input: COMM \n CGROUP-PATH \n CMDLINE-BYTES. The command line must come back byte for
 * byte, and everything shown must be display-safe. */
#include "ph-fuzz-model.h"
#include "ph-proc.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *p = (const char *) data;
  const char *end = p + size;
  const char *nl1 = memchr (p, '\n', size);
  const char *nl2;
  PhProcFacts facts = { 0 };
  PhBuf out = { 0 };
  g_autoptr(PhRecord) record = NULL;
  g_autoptr(PhProcess) process = NULL;
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  if (nl1 == NULL)
    return 0;
  nl2 = memchr (nl1 + 1, '\n', (size_t) (end - nl1 - 1));
  if (nl2 == NULL)
    return 0;

  facts.pid = 4242;
  facts.start = 99;
  facts.ppid = 1;
  facts.comm = ph_xstrndup (p, MIN ((size_t) (nl1 - p), 63));
  facts.cgroup = ph_xstrndup (nl1 + 1, (size_t) (nl2 - nl1 - 1));
  facts.cmdline = ph_xstrndup (nl2 + 1, (size_t) (end - nl2 - 1));
  facts.cmdline_len = (size_t) (end - nl2 - 1);
  ph_cgroup_parse (facts.cgroup, &facts.cg);
  ph_proc_facts_write (&facts, &out);

  PH_FUZZ_ASSERT (out.len > 0 && out.data[out.len - 1] == '\n', "one record, one line");
  PH_FUZZ_ASSERT (memchr (out.data, '\n', out.len) == out.data + out.len - 1,
                  "no raw newline inside the record");
  record = ph_record_parse (out.data, (gssize) out.len - 1, &error);
  PH_FUZZ_ASSERT (record != NULL, "the reader takes what the helper wrote");
  PH_FUZZ_ASSERT (ph_record_get_kind (record) == PH_RECORD_PROC, "a PROC record");

  process = ph_process_new_from_record (record, &error);
  PH_FUZZ_ASSERT (process != NULL, "a process from a well-formed PROC record");
  bytes = ph_process_get_cmdline_bytes (process);
  PH_FUZZ_ASSERT (bytes != NULL && g_bytes_get_size (bytes) == facts.cmdline_len
                  && (facts.cmdline_len == 0
                      || memcmp (g_bytes_get_data (bytes, NULL), facts.cmdline,
                                 facts.cmdline_len) == 0),
                  "the command line comes back byte for byte");
  ph_fuzz_check_process (process);

  ph_proc_facts_clear (&facts);
  ph_buf_free (&out);
  return 0;
}
