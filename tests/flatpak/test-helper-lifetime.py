#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-lifetime.py — the host helper lives exactly as long as the app needs it. It
# runs on the host as a child of the real flatpak-session-helper (flatpak-spawn --host
# --watch-bus); no porthole-helper remains on the host after the app quits (app.quit over
# D-Bus), after `kill -9` of the app, and after `kill -9` of its flatpak-spawn (then the
# app starts a new helper, and that one goes when the app goes).
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

pf.isolate()
pf.listener_path()
t = pt.Tap()


def start(what):
    """The app with its window and its one host helper; (app, helper PID) or (app, None)."""
    app = pf.App()
    window = app.wait_for_window()
    if not t.ok(window is not None, f'{what}: the window appears'):
        t.diag(app.output())
        return app, None
    row = phui.list_item(window, f'Port {listener.port}, TCP on 127.0.0.1', timeout=30)
    helpers = phui.wait_for(lambda: pf.host_helpers('watch'), 10) or []
    t.ok(row is not None and len(helpers) == 1,
         f'{what}: the list is filled by one helper on the host ({helpers})')
    return app, (helpers[0] if len(helpers) == 1 else None)


def none_left(timeout=15):
    return phui.wait_for(lambda: not pf.host_helpers(), timeout)


listener = pt.Listener('tcp:127.0.0.1:0')
try:
    # 1. app.quit, activated over D-Bus from outside
    app, helper = start('quit')
    if helper is not None:
        chain = pf.ancestry(helper)
        t.diag(f'the helper\'s ancestry: {chain}')
        t.ok(chain[1:2] == ['flatpak-session'] and not pf.in_sandbox(helper),
             'the helper runs on the host, started by flatpak-session-helper')
        spawn = pf.pids_named('flatpak-spawn', sandboxed=True, arg='watch')
        t.ok(len(spawn) == 1, f'inside the sandbox one flatpak-spawn stands for it ({spawn})')
    r = app.activate('quit')
    t.ok(r.returncode == 0, f'app.quit is activated over D-Bus {r.stderr.strip()}')
    t.ok(app.wait_exit(15), 'the app quits')
    t.ok(none_left(),
         f'no porthole-helper is left on the host after app.quit ({pf.host_helpers()})')
    app.quit()

    # 2. kill -9 of the app
    app, helper = start('kill -9 app')
    app_pid = app.app_pid()
    t.ok(app_pid is not None, f'the app\'s process is found (host PID {app_pid})')
    if app_pid is not None:
        os.kill(app_pid, signal.SIGKILL)
    t.ok(none_left(), f'no porthole-helper is left on the host after kill -9 of the app '
                      f'({pf.host_helpers()})')
    t.ok(app.wait_exit(15), 'flatpak run ends with its app')
    app.quit()

    # 3. kill -9 of flatpak-spawn: its helper goes; the app starts a new one.
    app, helper = start('kill -9 flatpak-spawn')
    spawn = pf.pids_named('flatpak-spawn', sandboxed=True, arg='watch')
    t.ok(len(spawn) == 1, f'the app\'s flatpak-spawn is found ({spawn})')
    for pid in spawn:
        os.kill(pid, signal.SIGKILL)
    t.ok(helper is not None and phui.wait_for(lambda: not pf.alive(helper), 15),
         f'its helper (PID {helper}) is gone after kill -9 of flatpak-spawn')
    again = phui.wait_for(lambda: [h for h in pf.host_helpers('watch') if h != helper], 30) or []
    t.ok(len(again) == 1, f'the app starts one new helper ({again})')
    t.ok(app.proc.poll() is None, 'the app is still running')
    r = app.activate('quit')
    t.ok(app.wait_exit(15) and none_left(),
         f'and after the app quits, no porthole-helper is left ({pf.host_helpers()})')
    app.quit()
finally:
    listener.stop()
sys.exit(t.done())
