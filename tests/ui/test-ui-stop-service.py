#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-stop-service.py — a port held by a real systemd unit (Restart=always): the pane
# shows the unit's name, description and state, the button says Stop Service, the
# confirmation explains Restart=, and confirming stops the unit through StopUnit.
# systemd is booted as PID 1 of a PID namespace of our own (tests/phsystemd.py; the
# layout is explained in tests/test-systemd.py); the app talks to its system bus through
# DBUS_SYSTEM_BUS_ADDRESS, and its helper sees the unit's process in our /proc.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import phui  # noqa: E402
import porthole_test as pt  # noqa: E402

phui.run_isolated()

import phsystemd as sdb  # noqa: E402

t = pt.Tap()


pt.need_root('boots systemd')

sd = sdb.Booted(diag=t.diag)
app = None
try:
    if not t.ok(sd.boot(), 'systemd boots as PID 1 of its own PID namespace'):
        t.done()
    port = sdb.free_port()
    r = sd.inside(['systemd-run', '--unit=ph-ui-svc', '--description=Porthole UI service',
                   '--property=Restart=always', '/usr/bin/python3', sd.dir + '/server.py',
                   str(port)], check=True)
    t.ok(r.returncode == 0 and sdb.wait_for(lambda: sdb.port_held(port)),
         'a Restart=always unit listens on port %d' % port)

    app = phui.App(env={'DBUS_SYSTEM_BUS_ADDRESS': 'unix:path=' + sd.bus_path()})
    window = app.window_or_exit(t)
    row = phui.list_item(window, f'Port {port}, TCP on 127.0.0.1', timeout=15)
    t.ok(row is not None, f'the unit\'s listener on port {port} is listed')
    stop = phui.lever_button(window, row, 'Stop Service', 8)
    t.ok(stop is not None, 'the button says Stop Service')
    pane = phui.wait_for(lambda: 'Porthole UI service' in phui.all_text(window) and
                         phui.all_text(window), 8) or phui.all_text(window)
    t.ok('ph-ui-svc.service' in pane and 'Porthole UI service' in pane and
         'active (running)' in pane,
         'the pane shows the unit\'s name, description and state')
    t.ok('Restart=always' in pane, 'the pane says the unit restarts (Restart=always)')
    if stop is not None:
        phui.click(stop)
    confirm = phui.dialog_button(app, 'Stop Service')
    t.ok(confirm is not None, 'a confirmation asks before stopping the service')
    text = phui.all_text(app.accessible)
    t.ok('Restart=always' in text and 'start it again' in text,
         'the confirmation explains that ending the process would only get it restarted')
    if confirm is not None:
        phui.screenshot('stop-service-confirm')
        phui.click(confirm)
    t.ok(sdb.wait_for(lambda: not sdb.port_held(port), 15), 'the port is free')
    toast = phui.toast(app.accessible, f'Port {port} is free now', timeout=8)
    t.ok(toast is not None, 'a toast says the port is free now')
    state = sd.inside(['systemctl', 'is-active', 'ph-ui-svc.service']).stdout.strip()
    t.ok(state in ('inactive', ''), 'the unit is stopped, not restarted: %r' % state)
finally:
    if app is not None:
        app.quit()
    sd.shutdown()
t.ok(not os.path.exists(sd.cgroup), 'cleanup: the cgroup of the booted systemd is gone')
sys.exit(t.done())
