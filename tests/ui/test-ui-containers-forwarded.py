#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-containers-forwarded.py — a published port that no program holds (issue 10,
# point 3), in the window: searching for it says which container the firewall forwards it
# to. The engine's API is played by the stand-in of test-containers-forwarded.py (no real
# engine here leaves a port without a host socket; REAL-COMPONENTS.md), on
# /run/docker.sock in a sandbox (tests/phcontainers.py) where the app runs.
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import phui  # noqa: E402
import porthole_test as pt  # noqa: E402

phui.run_isolated()

import phcontainers as pc  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    'forwarded', os.path.join(os.path.dirname(HERE), 'test-containers-forwarded.py'))
fw = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fw)

t = pt.Tap()
t0 = time.monotonic()
held = pc.pick_port()
free = held + 1
sb = pc.Sandbox('ui-forwarded', diag=t.diag)
app = None
try:
    sb.spawn(['python3', '-c', fw.ENGINE, str(held), str(free)],
             log=os.path.join(sb.dir, 'engine.log'))
    if not sb.wait_socket('/run/docker.sock', 10):
        pt.bail('the stand-in engine did not start')
    wrapper = os.path.join(sb.dir, 'porthole-in-sandbox')
    with open(wrapper, 'w') as f:
        f.write('#!/bin/sh\nexec nsenter -t %d -m -n -- %s "$@"\n'
                % (sb.holder.pid, pt.porthole()))
    os.chmod(wrapper, 0o755)
    os.environ['PORTHOLE_BIN'] = wrapper
    app = phui.App()
    window = app.wait_for_window()
    if not t.ok(window is not None, 'the window appears'):
        t.diag(app.output())
        sys.exit(t.done())
    t.ok(phui.list_item(window, f'Port {held}, TCP on 127.0.0.1', timeout=15) is not None,
         f'the published port {held} that a program holds is listed')
    phui.search(window, f'127.0.0.1:{free}')
    pane = phui.wait_for(lambda: 'legacy-db' in phui.pane_text(window) and
                         phui.pane_text(window), 15) or phui.pane_text(window)
    t.ok('The container “legacy-db” (Docker) publishes this port to its port 5432' in pane
         and 'forwarded by the firewall (no program listens on this computer)' in pane,
         'searching for the forwarded port names the container and says the firewall '
         'forwards it', diag=pane[-1500:])
    phui.screenshot('containers-forwarded')
finally:
    if app is not None:
        app.quit()
    sb.close()
t.ok(not pt.proc_alive(sb.holder.pid) and not os.path.exists(sb.dir), 'nothing left behind')
t.diag('test-ui-containers-forwarded: %.1f s' % (time.monotonic() - t0))
sys.exit(t.done())
