#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-free-port.py — Free Port, confirmed in its dialog, stops the test's own listener
# (every forked holder) and its row disappears; a listener that ignores SIGTERM leads to
# the offer to force it, and forcing frees the port; a shell loop that restarts its
# listener is named in the confirmation and after the restart, and stopping it frees the port.
import os
import signal
import socket
import subprocess
import sys
import time

import phui
import porthole_test as pt

phui.run_isolated()

t = pt.Tap()


polite = pt.Listener('tcp:127.0.0.1:0', fork=2)
stubborn = pt.Listener('tcp:127.0.0.1:0', ignore_term=True)
# A supervisor that starts its listener again whenever it ends, on the same port.
with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    again_port = s.getsockname()[1]
supervisor = subprocess.Popen(
    ['sh', '-c', 'while true; do "$0" tcp:127.0.0.1:$1 >/dev/null; sleep 0.2; done',
     pt.listener_program(), str(again_port)], start_new_session=True)
app = phui.App()
try:
    window = app.window_or_exit(t)

    row = phui.list_item(window, f'Port {polite.port}, TCP on 127.0.0.1', timeout=15)
    t.ok(row is not None, f'the forked listener on port {polite.port} is listed')
    free = phui.lever_button(window, row, 'Free Port', 5)
    t.ok(free is not None, 'the Free Port button is there')
    phui.click(free)
    confirm = phui.dialog_button(app, 'Free Port')
    t.ok(confirm is not None, 'a confirmation dialog asks before freeing the port')
    if confirm is not None:
        text = phui.all_text(confirm.parent.parent.parent)
        t.ok(str(polite.pid) in phui.all_text(app.accessible),
             'the dialog names the process ID')
        phui.screenshot('free-port-confirm')
        phui.click(confirm)
    t.ok(polite.wait_exit(10), 'the listener process exited')
    gone, toasted = phui.wait_row_gone_with_toast(app, window, polite.port, 10)
    t.ok(gone, 'its row disappeared from the list')
    t.ok(toasted, 'a toast says the port is free now')

    # A process that ignores SIGTERM: Porthole offers to force it.
    row = phui.list_item(window, f'Port {stubborn.port}, TCP on 127.0.0.1', timeout=10)
    t.ok(row is not None, 'the stubborn listener is listed')
    phui.free_port(window, app, row)
    phui.check_force_quit(t, app, stubborn, lambda: phui.screenshot('free-port-force'), 15, 10)
    gone = phui.wait_for(lambda: phui.list_item(window, f'Port {stubborn.port}, TCP',
                                                timeout=0) is None, 10)
    t.ok(gone, 'its row disappeared too')

    # Something restarts the program: the confirmation names it, offers to stop it
    # instead; a plain Free Port is followed by "started again by"; stopping the
    # supervisor from there frees the port for good.
    row = phui.list_item(window, f'Port {again_port}, TCP on 127.0.0.1', timeout=10)
    t.ok(row is not None, 'the supervised listener is listed')
    if row is not None:
        phui.select_item(row)
        time.sleep(0.5)
        phui.click(phui.find(window, name='Free Port', role='button', showing=True))
        confirm = phui.dialog_button(app, 'Free Port')
        words = phui.all_text(app.accessible)
        if not t.ok(confirm is not None and
                    f'A loop in sh, process {supervisor.pid}, will start it again.' in words,
                    'the confirmation says which shell loop will start it again'):
            t.diag(words[-600:])
        t.ok(phui.dialog_button(app, 'Stop sh', timeout=2) is not None,
             'and offers to stop the loop instead')
        if confirm is not None:
            phui.screenshot('free-port-supervisor')
            phui.click(confirm)
        said = phui.wait_for(lambda: phui.find(app.accessible,
                                               name=f'started again by sh (process {supervisor.pid})',
                                               contains=True, timeout=0), 15)
        t.ok(said is not None,
             'when the loop starts it again, Porthole says the port is held again and by whom')
        if said is not None:
            phui.screenshot('free-port-restarted')
        stop = phui.dialog_button(app, 'Stop sh', timeout=5)
        t.ok(stop is not None, 'and offers to stop the loop')
        if stop is not None:
            phui.click(stop)
        try:
            supervisor.wait(timeout=15)
            ended = True
        except subprocess.TimeoutExpired:
            ended = False
        t.ok(ended, 'stopping the loop ends it')
        freed = phui.wait_for(lambda: phui.list_item(window, f'Port {again_port}, TCP',
                                                     timeout=0) is None, 10)
        t.ok(freed, 'and the port stays free')
finally:
    app.quit()
    polite.stop()
    stubborn.stop()
    try:
        os.killpg(supervisor.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    supervisor.wait()
sys.exit(t.done())
