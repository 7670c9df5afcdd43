#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-display-safety.py — TAP (issue 11, point 6): real processes whose names (comm, set by
# PR_SET_NAME) and command lines carry newlines, tabs, terminal escapes (CSI, OSC), bidi
# overrides and marks, line separators and invalid UTF-8. `porthole --list` shows each as
# one row of six columns with the hostile bytes replaced (U+FFFD), never obeyed, and cannot
# be made to print extra rows or columns; `porthole --list --json` keeps the exact text
# (U+FFFD only where the bytes are not UTF-8) with every control, bidi and separator
# character escaped as \uXXXX.
import json
import re
import subprocess

import porthole_test as pt

porthole = pt.porthole()
tap = pt.Tap()
check = tap.ok

# Characters a terminal or a label would obey: C0 and C1 controls, DEL, bidi overrides,
# isolates and marks, line and paragraph separators.
UNSAFE = re.compile('[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029'
                    '\u202a-\u202e\u2066-\u2069]')
FORGED_ROW = '\n  22    tcp    0.0.0.0    network  well-known  sshd (1)\n'

# name (bytes: argv[0], whose base name becomes comm), extra arguments (bytes)
HOSTILE = [
    (b'csi\x1b[31mred', [b'--color=\x1b[2J\x1b[H']),
    (b'osc\x1b]8;;x\x07ln', [b'\x1b]0;title\x07']),
    (b'tab\there', [b'a\tb', b'c\td']),
    (b'new\nline', [FORGED_ROW.encode()]),
    ('bidi\u202etxt.exe'.encode(), ['\u2066iso\u2069 \u200fmark'.encode()]),
    ('ls\u2028sep'.encode(), ['para\u2029graph'.encode()]),
    (b'bad\xff\xfeutf8', [b'\xc3\x28', b'\xed\xa0\x80']),
    (b'c1\xc2\x9bcsi', [b'\xc2\x9d0;x\xc2\x9c']),
]


def run(*args):
    return subprocess.run([porthole, *args], capture_output=True, timeout=60)


def expected_json_text(raw):
    """What --list --json gives for raw bytes: exact UTF-8, U+FFFD where not UTF-8."""
    return raw.decode('utf-8', 'replace')


listeners = []
for name, extra in HOSTILE:
    listeners.append(pt.Listener('tcp:127.0.0.1:0', exec_name=name, extra=extra))

try:
    # every process really carries its hostile name (the kernel keeps 15 bytes of comm)
    for (name, _), lis in zip(HOSTILE, listeners):
        with open(f'/proc/{lis.pid}/comm', 'rb') as f:
            comm = f.read().rstrip(b'\n')
        check(comm == name[:15], f'process {lis.pid} is named {name[:15]!r}', comm)

    # --- the table ---------------------------------------------------------------------
    result = run('--list')
    check(result.returncode == 0, '--list exits 0', result.stderr.decode())
    out = result.stdout
    text = out.decode('utf-8', 'strict') if out else ''
    check(UNSAFE.search(text) is None, 'the table holds no control, bidi or separator '
          'character but the line ends', [m for m in UNSAFE.findall(text)][:10])
    lines = text.splitlines()
    rows = [line for line in lines if line.startswith('  ')]
    for (name, _), lis in zip(HOSTILE, listeners):
        port = lis.port
        mine = [line for line in rows if line.split()[:1] == [str(port)]]
        check(len(mine) == 1, f'{name!r}: exactly one row for port {port}', mine)
        if len(mine) == 1:
            cols = mine[0].split()
            check(cols[1] == 'tcp' and cols[2] == '127.0.0.1' and cols[3] == 'local' and
                  mine[0].rstrip().endswith(f'({lis.pid})'),
                  f'{name!r}: its row has port, tcp, 127.0.0.1, local, …, the process and '
                  f'its PID last', mine[0])
            check('\ufffd' in mine[0],
                  f'{name!r}: the hostile character is shown as U+FFFD', mine[0])
    check(not any('sshd (1)' in line for line in lines),
          'an argument made to look like a row never becomes one', text)
    check(not any(line.startswith(('line', 'here', 'sep', 'graph')) for line in lines),
          'a newline, tab or separator in a name starts no new line', text)
    pids = [lis.pid for lis in listeners]
    check(all(sum(f'({pid})' in line for line in lines) == 1 for pid in pids),
          'each hostile process appears on exactly one line')

    # --- JSON --------------------------------------------------------------------------
    result = run('--list', '--json')
    check(result.returncode == 0, '--list --json exits 0', result.stderr.decode())
    raw = result.stdout.decode('utf-8', 'strict')
    check(UNSAFE.search(raw.replace('\n', ' ')) is None,
          'the JSON text holds no raw control, bidi or separator character (all escaped)',
          UNSAFE.findall(raw.replace('\n', ' '))[:10])
    try:
        doc = json.loads(raw)
    except ValueError as e:
        doc = None
        check(False, 'the JSON parses', e)
    if doc is not None:
        by_id = {s['id']: s for s in doc['services']}
        for (name, extra), lis in zip(HOSTILE, listeners):
            svc = by_id.get(lis.sockets[0][3])
            owner = svc['owners'][0] if svc and svc.get('owners') else None
            check(owner is not None and owner['pid'] == lis.pid,
                  f'{name!r}: its socket and owner are in the JSON', svc)
            if owner is None:
                continue
            check(owner['comm'] == expected_json_text(name[:15]),
                  f'{name!r}: comm is exact in JSON', owner['comm'])
            argv = owner.get('argv') or []
            check(argv[:1 + len(extra)] == [expected_json_text(a) for a in [name] + extra],
                  f'{name!r}: argv is exact in JSON', argv)
        names = {g['key']: g['name'] for g in doc['groups']}
        check(all(UNSAFE.search(n or '') is None for n in names.values()),
              'every group name in the JSON is display-safe once decoded', names)
finally:
    for lis in listeners:
        lis.kill()

tap.done()
