#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-gui.py — the Flatpak's window under Xvfb, read through AT-SPI from outside the
# sandbox: the row of a host listener carries the host PID, it sits in the listener's
# application group, and the detail pane names the owner; a screenshot is saved.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

pf.isolate()
pf.listener_path()
t = pt.Tap()

listener = pt.Listener('tcp:127.0.0.1:0')
app = pf.App()
try:
    window = app.window_or_exit(t, 'the Flatpak\'s window appears on the accessibility bus')
    app_pid = app.app_pid(timeout=5)
    t.ok(app_pid is not None and app_pid != listener.pid,
         f'the app runs inside a sandbox (host PID {app_pid})')

    row = phui.list_item(window, f'Port {listener.port}, TCP on 127.0.0.1', timeout=30)
    t.ok(row is not None, f'the host listener\'s port {listener.port} is listed')
    name = row.name if row is not None else ''
    t.diag(f'row: {name}')
    t.ok(f'(PID {listener.pid})' in name,
         f'its row names the owner with its host PID ({listener.pid})')
    headers = phui.section_headers(window)
    t.diag(f'sections: {headers}')
    t.ok(any(h.startswith('ph-test-listene') for h in headers),
         'the listener has its own application group, named after the program')
    t.ok(not any(h.startswith('Kernel') for h in headers),
         'no socket is put in a "Kernel" group')

    if row is not None:
        phui.select_item(row)
    pane = phui.wait_for(lambda: (lambda s: s if str(listener.pid) in s else None)(
        phui.pane_text(window)), 10)
    t.ok(pane is not None, 'the detail pane shows the owner\'s host PID')
    shot = pf.screenshot('flatpak-window')
    t.ok(os.path.getsize(shot) > 10000, f'a screenshot is saved ({shot})')
finally:
    app.quit()
    listener.stop()
sys.exit(t.done())
