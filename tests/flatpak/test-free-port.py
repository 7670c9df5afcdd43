#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-free-port.py — Free Port from inside the sandbox frees a host port: the sandbox
# cannot see, let alone signal, a host process (private PID namespace), so the listener
# can only end through the host helper's `stop`, run by flatpak-spawn --host. A listener
# that ignores SIGTERM leads to the offer to force it. Nothing else is signalled: the
# other listeners the test started (one with the same program name) stay alive.
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

pf.isolate()
pf.listener_path()
t = pt.Tap()


polite = pt.Listener('tcp:127.0.0.1:0', fork=2)
stubborn = pt.Listener('tcp:127.0.0.1:0', ignore_term=True)
bystanders = [pt.Listener('tcp:127.0.0.1:0', fork=1),
              pt.Listener('tcp:127.0.0.1:0', 'udp:127.0.0.1:0')]
app = pf.App()
try:
    window = app.window_or_exit(t, 'the Flatpak\'s window appears')
    app_pid = app.app_pid(timeout=5)
    seen = pf.sandbox_comms(app_pid) if app_pid else []
    t.diag(f'processes the sandbox sees: {seen}')
    t.ok('porthole' in seen and 'ph-test-listene' not in seen,
         'the sandbox cannot see the listeners\' processes')

    row = phui.list_item(window, f'Port {polite.port}, TCP on 127.0.0.1', timeout=30)
    t.ok(row is not None and f'(PID {polite.pid})' in (row.name or ''),
         f'the forked listener is listed with its host PID {polite.pid}')
    t.ok(row is not None and phui.free_port(window, app, row),
         'Free Port asks for confirmation and is confirmed')
    t.ok(polite.wait_exit(15), 'the host listener exited')
    t.ok(polite.proc.returncode == 0,
         f'it ended on SIGTERM, the polite signal (exit status {polite.proc.returncode})')
    t.ok(all(phui.wait_for(lambda c=c: not pf.alive(c), 5) for c in polite.children),
         'its forked children, which held the port too, are gone')
    gone, toasted = phui.wait_row_gone_with_toast(app, window, polite.port, 15)
    t.ok(gone, 'its row disappeared from the list')
    t.ok(toasted, 'a toast says the port is free now')

    # A process that ignores SIGTERM: the offer to force it.
    row = phui.list_item(window, f'Port {stubborn.port}, TCP on 127.0.0.1', timeout=15)
    t.ok(row is not None, 'the listener that ignores SIGTERM is listed')
    if row is not None:
        phui.free_port(window, app, row)
    phui.check_force_quit(t, app, stubborn, lambda: pf.screenshot('flatpak-free-port-force'),
                          20, 15)
    t.ok(stubborn.proc.returncode == -9,
         f'it ended on SIGKILL (exit status {stubborn.proc.returncode})')

    time.sleep(1)
    alive = [b.pid for b in bystanders if b.alive()] + \
        [c for b in bystanders for c in b.children if pf.alive(c)]
    want = [b.pid for b in bystanders] + [c for b in bystanders for c in b.children]
    t.ok(sorted(alive) == sorted(want),
         f'every other listener the test started is still alive ({len(alive)}/{len(want)})')
    for b in bystanders:
        t.ok(phui.list_item(window, f'Port {b.port}, TCP on 127.0.0.1', timeout=5) is not None,
             f'and still listed (port {b.port})')
    if not t.ok(app.proc.poll() is None, 'the app is still running'):
        t.diag(f'exit status {app.proc.returncode}; its output: {app.output()[-3000:]}')
finally:
    app.quit()
    for listener in [polite, stubborn] + bystanders:
        listener.stop()
sys.exit(t.done())
