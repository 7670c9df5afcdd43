#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-list.py — `flatpak run APP --list` and `--list --json` name a host listener's
# process and its host PID, which the sandbox itself cannot see: the owner comes from the
# host helper, run through flatpak-spawn --host by the real flatpak-session-helper.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

pf.isolate()
pf.listener_path()
t = pt.Tap()

listener = pt.Listener('tcp:127.0.0.1:0', 'udp:127.0.0.1:0')
try:
    port, udp_port = listener.sockets[0][2], listener.sockets[1][2]

    # The sandbox's own view: a private PID namespace without the listener.
    p = pf.subprocess.run(['flatpak', 'run', '--command=sh', pf.APP_ID, '-c',
                           'ls /proc; cat /.flatpak-info'], capture_output=True, text=True,
                          timeout=60)
    inside = [w for w in p.stdout.split() if w.isdigit()]
    t.ok(p.returncode == 0 and inside and str(listener.pid) not in inside
         and 'app-path=' in p.stdout,
         f'inside the sandbox /proc has {len(inside)} processes and not the listener '
         f'(host PID {listener.pid})')
    if p.returncode != 0:
        t.diag(p.stderr)

    rc, out, err = pf.run_cli(['--list'])
    t.ok(rc == 0, '--list exits 0')
    if rc != 0:
        t.diag(err)
    line = next((ln for ln in out.splitlines() if ln.split()[:1] == [str(port)]), None)
    t.ok(line is not None, f'--list shows the listener\'s port {port}')
    t.ok(line is not None and f'ph-test-listener ({listener.pid})' in line,
         f'--list names its owner with the host PID: ph-test-listener ({listener.pid})')
    t.ok(any(ln.startswith('ph-test-listener') for ln in out.splitlines()),
         'the listener has its own application group')
    t.diag(out)

    rc, doc, out, err = pf.run_cli_json(['--list', '--json'], t.diag)
    t.ok(rc == 0, '--list --json exits 0')
    services = {(s.get('protocol'), s.get('port')): s for s in doc.get('services', [])}
    for proto, p_ in (('tcp', port), ('udp', udp_port)):
        s = services.get((proto, p_))
        owners = s.get('owners', []) if s else []
        t.ok(s is not None and any(o.get('pid') == listener.pid and
                                   o.get('comm', '').startswith('ph-test-listen')
                                   for o in owners),
             f'--list --json: the {proto} socket on port {p_} is owned by PID {listener.pid}')
        t.ok(s is not None and s.get('kernel') is False,
             f'--list --json: the {proto} socket is not attributed to the kernel')
    groups = {g.get('key'): g for g in doc.get('groups', [])}
    s = services.get(('tcp', port))
    g = groups.get(s.get('group')) if s else None
    t.ok(g is not None and g.get('name') == 'ph-test-listener',
         '--list --json: its group is named after the program (ph-test-listener)')
    t.ok(doc.get('source') in ('netlink', 'procnet'),
         f'--list --json: the helper read the sockets ({doc.get("source")})')
finally:
    listener.stop()
sys.exit(t.done())
