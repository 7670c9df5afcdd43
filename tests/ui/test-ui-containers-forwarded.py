#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-containers-forwarded.py — a published port that no program holds (issue 10,
# point 3), in the window: it is a row of the list under its container, marked as forwarded
# by the firewall, its pane says so, and searching for it says which container the firewall
# forwards it to. The engine's API is played by a stand-in (phcontainers.LEGACY_ENGINE, as
# in test-containers-forwarded.py: no real engine here leaves a port without a host socket;
# REAL-COMPONENTS.md), on /run/docker.sock in a sandbox (tests/phcontainers.py) where the
# app runs.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import phui  # noqa: E402
import porthole_test as pt  # noqa: E402

phui.run_isolated()

import phcontainers as pc  # noqa: E402


def section_of(window, startswith):
    """The section header above the list row whose name starts with @startswith."""
    lst = phui.find(window, name='Listening services', role='list', timeout=5)
    header = None
    for i in range(lst.childCount if lst is not None else 0):
        try:
            node = lst.getChildAtIndex(i)
            role = phui.role_name(node)
        except Exception:
            continue
        if role == 'row header':
            header = node.name or ''
        elif role == 'list item' and (node.name or '').startswith(startswith):
            return header
    return None


t = pt.Tap()
held = pc.pick_port()
free = held + 1
with pc.sandbox(t, 'ui-forwarded', 'test-ui-containers-forwarded') as sb:
    pc.spawn_engine(sb, pc.LEGACY_ENGINE, [held, free], timeout=10)
    os.environ['PORTHOLE_BIN'] = sb.porthole_wrapper()
    app = phui.App()
    try:
        window = app.window_or_exit(t)
        t.ok(phui.list_item(window, f'Port {held}, TCP on 127.0.0.1', timeout=15) is not None,
             f'the published port {held} that a program holds is listed')
        note = 'forwarded by the firewall (no program listens on this computer)'
        row = phui.list_item(window, f'Port {free}, TCP on 127.0.0.1', timeout=15)
        t.ok(row is not None and note in (row.name or ''),
             f'without a search, the forwarded port {free} is a row of the list, marked as '
             'forwarded by the firewall', diag=row.name if row is not None else
             phui.all_text(window)[-1500:])
        header = section_of(window, f'Port {free}, TCP on 127.0.0.1')
        t.ok(header is not None and header.startswith('legacy-db') and 'postgres:9' in header,
             'the row is under the container “legacy-db”: %r' % header)
        t.ok(section_of(window, f'Port {held}, TCP on 127.0.0.1') != header,
             'the port a program holds stays under that program')
        if row is not None:
            phui.select_item(row)
        pane = phui.wait_for(lambda: 'No Program' in phui.pane_text(window) and
                             phui.pane_text(window), 10) or phui.pane_text(window)
        t.ok('The container “legacy-db” (Docker) publishes this port to its port 5432' in pane
             and note in pane and 'No Program' in pane and f'127.0.0.1:{free} → 5432 in “legacy-db”'
             in pane, 'its pane says the firewall forwards it to the container and no program '
             'holds it', diag=pane[-1500:])
        t.ok('open connection' not in pane, 'the pane counts no connections for it',
             diag=pane[-1500:])
        t.ok(phui.find(window, name='Stop Container', role='button', showing=True,
                       timeout=5) is not None,
             'its lever is Stop Container (the engine stops it; no program to signal)')
        phui.screenshot('containers-forwarded-row')
        phui.search(window, f'127.0.0.1:{free}')
        pane = phui.wait_for(lambda: 'legacy-db' in phui.pane_text(window) and
                             phui.pane_text(window), 15) or phui.pane_text(window)
        t.ok('The container “legacy-db” (Docker) publishes this port to its port 5432' in pane
             and 'forwarded by the firewall (no program listens on this computer)' in pane,
             'searching for the forwarded port names the container and says the firewall '
             'forwards it', diag=pane[-1500:])
        phui.screenshot('containers-forwarded')
    finally:
        app.quit()
sys.exit(t.done())
