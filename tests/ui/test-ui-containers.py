#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-containers.py — a port published by the real rootful Podman (issue 10): the list
# groups it under the container, the pane names the container, its engine, image and
# port, the button says Stop Container, the confirmation names the container and the
# program Porthole leaves alone (conmon), and confirming stops the container through
# Podman's API. Podman runs in a sandbox (tests/phcontainers.py); the app runs in the
# sandbox's mount and network namespaces, where the API socket is at its real path.
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import phui  # noqa: E402
import porthole_test as pt  # noqa: E402

phui.run_isolated()

import phcontainers as pc  # noqa: E402

t = pt.Tap()


pt.need_root('runs rootful Podman')

t0 = time.monotonic()
port = pc.pick_port()
sb = pc.Sandbox('ui-podman', diag=t.diag)
app = None
try:
    env = pc.podman_env(sb)
    sb.run(['mkdir', '-p', '/run/podman'], check=True)
    sb.spawn(['podman', 'system', 'service', '--time=0', 'unix:///run/podman/podman.sock'],
             env=env, log=os.path.join(sb.dir, 'api.log'))
    if not sb.wait_socket('/run/podman/podman.sock', 20):
        pt.bail('the Podman API service did not start')
    sb.run(['podman', 'import', sb.tar, 'localhost/shop:1'], env=env, check=True)
    sb.run(['podman', 'run', '-d', '--init', '--name', 'shop-db', '--cgroup-parent',
            '/' + sb.cgroup_parent, '-p', '127.0.0.1:%d:8000' % port, 'localhost/shop:1']
           + pc.IMAGE_CMD, env=env, check=True)
    daemons = sb.inside(pc.engine_processes(pc.DAEMONS))

    # The app, in the sandbox: PORTHOLE_BIN names a wrapper that enters it.
    os.environ['PORTHOLE_BIN'] = sb.porthole_wrapper()
    app = phui.App(env=env)
    window = app.window_or_exit(t)
    row = phui.list_item(window, f'Port {port}, TCP on 127.0.0.1', timeout=15)
    t.ok(row is not None, f'the published port {port} is listed')
    headers = phui.wait_for(lambda: [h for h in phui.section_headers(window)
                                     if h.startswith('shop-db')], 10)
    t.ok(bool(headers) and 'Podman container' in headers[0],
         'it is grouped under the container: %r' % (headers or phui.section_headers(window)))
    stop = phui.lever_button(window, row, 'Stop Container', 8)
    t.ok(stop is not None, 'the button says Stop Container')
    pane = phui.wait_for(lambda: '→ 8000 in “shop-db”' in phui.pane_text(window) and
                         phui.pane_text(window), 8) or phui.pane_text(window)
    t.ok('127.0.0.1:%d → 8000 in “shop-db”' % port in pane and 'Podman' in pane
         and 'localhost/shop:1' in pane,
         'the pane names the container, its port inside, the engine and the image',
         diag=pane[-1500:])
    if stop is not None:
        phui.click(stop)
    confirm = phui.dialog_button(app, 'Stop Container')
    t.ok(confirm is not None, 'a confirmation asks before stopping the container')
    text = phui.all_text(app.accessible)
    t.ok('Stop Container “shop-db”?' in text and 'conmon' in text
         and 'Every program in the container stops with it' in text,
         'the confirmation names the container, what stops with it, and conmon',
         diag=text[-1500:])
    if confirm is not None:
        phui.screenshot('stop-container-confirm')
        phui.click(confirm)
    t.ok(pt.wait_for(lambda: pc.port_free_inside(sb, port), 20, 0.2),
         f'the port {port} is free')
    toast = phui.toast(app.accessible, 'Container “shop-db” stopped', timeout=10)
    t.ok(toast is not None, 'a toast says the container stopped and the port is free')
    state = sb.run(['podman', 'inspect', '--format', '{{.State.Status}}', 'shop-db'], env=env)
    t.ok(state.stdout.strip() == 'exited', 'Podman stopped the container: %r'
         % state.stdout.strip())
    gone = [pid for pid, v in daemons.items()
            if not pt.proc_alive(pid) or pt.start_time(pid) != v[1]]
    t.ok(daemons and not gone, 'Podman\'s API service still runs, same start time')
    sb.run(['podman', 'rm', '-f', '-t', '0', 'shop-db'], env=env)
finally:
    if app is not None:
        app.quit()
    sb.close()
t.ok(not pc.leftover_cgroups(sb.cgroup_parent) and not pt.proc_alive(sb.holder.pid),
     'nothing left behind')
t.diag('test-ui-containers: %.1f s' % (time.monotonic() - t0))
sys.exit(t.done())
