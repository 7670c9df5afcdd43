#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Print "N passed, N failed[, N skipped]" from meson's testlog.json files; exit 1 on any
# failure or when no test ran at all. Before it, for each failed test, the lines of its log
# that say why (failed TAP checks, a bail-out, the end of a traceback, an assertion), so
# that the end of a CI log alone tells what failed.
import json
import re
import sys

WHY = re.compile(r'^(not ok |Bail out!|Traceback|\w*(Error|Exception)\b|.*\*\*.*ERROR|'
                 r'.*assertion failed|.*ERROR: |\(test program exited|==\d+==ERROR|'
                 r'.*runtime error:)')


def why(t):
    """At most 12 lines of a failed test's output that say why it failed, in their order:
    the first 9 that match WHY, and the last 3 lines."""
    out = [l.rstrip()[:300] for l in ((t.get('stdout') or '') + '\n'
                                      + (t.get('stderr') or '')).splitlines() if l.strip()]
    keep = [i for i, l in enumerate(out) if WHY.match(l)][:9]
    keep = sorted(set(keep) | set(range(max(0, len(out) - 3), len(out))))
    return [out[i] for i in keep]


passed = failed = skipped = 0
failures = []
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding='utf-8').read().splitlines()
    except OSError as e:
        print(f'cannot read {path}: {e}', file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        t = json.loads(line)
        r = t.get('result')
        if r in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif r == 'SKIP':
            skipped += 1
        else:
            failed += 1
            failures.append((f"{path.split('/meson-logs')[0]}: {t.get('name')} ({r})",
                             why(t)))
for f, reasons in failures:
    print('FAILED:', f)
    for reason in reasons:
        print('    |', reason)
line = f'{passed} passed, {failed} failed'
if skipped:
    line += f', {skipped} skipped'
print(line)
sys.exit(1 if failed or passed == 0 else 0)
