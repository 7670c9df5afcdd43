#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-scanner.py — when the helper dies, a banner says the scanner stopped and offers
# Retry; after Retry the list comes back. The helper is killed by this test: it is a child
# of the porthole process the test started.
import os
import signal
import sys

import phui
import porthole_test as pt

phui.run_isolated()

t = pt.Tap()


listener = pt.Listener('tcp:127.0.0.1:0')
# A long first back-off, so the banner stays up until the test presses Retry.
app = phui.App(env={'PORTHOLE_RETRY_DELAY_MS': '30000'})
try:
    window = app.window_or_exit(t)
    t.ok(phui.list_item(window, f'Port {listener.port}, TCP', timeout=15) is not None,
         'the list is populated')
    pids = phui.child_pids(app.proc.pid, 'porthole-helpe')
    t.ok(len(pids) == 1, f'the app runs one porthole-helper ({pids})')
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    banner_text = 'scanner'
    retry = phui.wait_for(lambda: phui.find(window, name='Retry', role='button', showing=True,
                                            timeout=0), 10)
    t.ok(retry is not None, 'a banner with Retry appears when the helper dies')
    t.ok('scanner' in phui.all_text(window).lower(), 'the banner says the scanner stopped')
    phui.screenshot('scanner-stopped')
    if retry is not None:
        phui.click(retry)
    back = phui.wait_for(lambda: len(phui.child_pids(app.proc.pid, 'porthole-helpe')) == 1 and
                         phui.find(window, name='Retry', role='button', showing=True,
                                   timeout=0) is None, 10)
    t.ok(back, 'after Retry the helper runs again and the banner goes away')
    t.ok(phui.list_item(window, f'Port {listener.port}, TCP', timeout=10) is not None,
         'the list is back')
finally:
    app.quit()
    listener.stop()
sys.exit(t.done())
