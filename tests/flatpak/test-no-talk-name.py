#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-no-talk-name.py — without --talk-name=org.freedesktop.Flatpak (taken away with
# `flatpak run --no-talk-name=org.freedesktop.Flatpak`, as `flatpak override` or Flatseal
# would) the app cannot run its helper on the host. The window must still work: a banner
# says in words what is missing and what the user can do, the list still shows the sockets
# (the sandbox shares the host's network namespace, so a helper run inside it sees them),
# and their owners are marked unknown, never "Kernel": from inside the sandbox's PID
# namespace no owner is visible, which is not the same as the kernel holding the socket.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

pf.isolate()
pf.listener_path()
t = pt.Tap()
NO_TALK = ['--no-talk-name=org.freedesktop.Flatpak']

listener = pt.Listener('tcp:127.0.0.1:0')
# What the command line says in the same situation (for the record; the checks below are
# about the window).
rc, out, err = pf.run_cli(['--list'], flatpak_args=NO_TALK)
t.diag(f'--list without the permission: exit {rc}\n{out}{err}')

app = pf.App(flatpak_args=NO_TALK)
try:
    window = app.window_or_exit(t, 'the window appears without the permission')
    text = phui.wait_for(lambda: (lambda s: s if 'Flatpak' in s or 'scanner' in s
                                  else None)(pf.shown_text(window)), 15) or \
        pf.shown_text(window)
    t.diag(f'shown text outside the list:\n{text}')
    t.ok('org.freedesktop.Flatpak' in text,
         'a banner says what is missing: permission to talk to org.freedesktop.Flatpak')
    t.ok('flatpak override' in text,
         'and what the user can do about it (flatpak override ...)')

    row = phui.list_item(window, f'Port {listener.port}, TCP on 127.0.0.1', timeout=20)
    t.ok(row is not None, f'the list still shows the host listener\'s port {listener.port}')
    name = row.name if row is not None else ''
    t.diag(f'row: {name}')
    t.ok(row is not None and 'unknown' in name.lower(), 'its owner is marked unknown')
    t.ok(row is not None and '(PID' not in name, 'no PID is claimed for it')
    headers = phui.section_headers(window)
    t.diag(f'sections: {headers}')
    t.ok(headers and not any(h.startswith('Kernel') for h in headers),
         'it is not put in a "Kernel" group')
    if row is not None:
        phui.select_item(row)
    pane = phui.wait_for(lambda: (lambda s: s if str(listener.port) in s else None)(
        phui.pane_text(window)), 10) or ''
    t.ok(pane and 'operating system itself holds this socket' not in pane,
         'the detail pane does not say the operating system holds it')
    t.ok('unknown' in pane.lower() or 'not visible' in pane.lower(),
         'the detail pane says the owner is unknown or not visible from here')
    pf.screenshot('flatpak-no-talk-name')
    t.ok(app.proc.poll() is None, 'the app is still running')
finally:
    app.quit()
    listener.stop()
sys.exit(t.done())
