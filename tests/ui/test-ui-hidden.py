#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-hidden.py — a hidden window costs nothing: unmapped (to GTK, minimised), neither
# Porthole nor its helper wakes up at all, read from their threads' context switches in
# /proc (a sleeping thread makes none); mapped again, a listener
# started meanwhile is in the list at once, before the next timed refresh could have
# brought it. With "Refresh in the Background" on in Preferences, the helper goes on
# refreshing while hidden.
import os
import shutil
import sys
import tempfile
import time

import phui
import porthole_test as pt

phui.run_isolated()
t = pt.Tap()

INTERVAL_S = 5      # the refresh interval (the largest the settings allow)
HIDDEN_S = 2 * INTERVAL_S + 1

if shutil.which('xdotool') is None:
    t.bail('xdotool is needed to unmap the window')
tmp = tempfile.mkdtemp(prefix='ph-ui-hidden-')
schemas = phui.schema_dir(tmp, refresh_interval=INTERVAL_S)
if schemas is None:
    t.bail('could not compile a schema override for the refresh interval')


def switches(pids):
    """Context switches of every thread of pids, by thread: {pid/name/tid: n}."""
    out = {}
    for pid in pids:
        for k, v in phui.sched_counters(pid)[2].items():
            out[f'{pid}/{k}'] = v
    return out


def bench_lines(app, word):
    return [line for line in app.output().splitlines() if line.startswith(f'bench: {word} ')]


def hide(app, wid, pids):
    """Unmaps the window, lets what was under way end, then counts the wake-ups of pids
    over HIDDEN_S seconds (more than two refresh intervals)."""
    phui.xdotool_run('windowunmap', wid)
    time.sleep(2)
    before = switches(pids)
    time.sleep(HIDDEN_S)
    return phui.thread_wakeups(before, switches(pids))


# Without a window manager, X gives the keyboard focus to the window under the pointer
# (Xvfb puts it in the middle of the screen, over the window): the focused search entry
# would blink (GTK's tick callback) even while the window is unmapped, which a window
# manager prevents by taking the focus from a minimised window. Keep the pointer away.
phui.xdotool_run('mousemove', '1279', '799')
first = pt.Listener('tcp:127.0.0.1:0')
later = None
# GTK 4.18's GPU renderer frees its glyph and texture cache on a timer of its own every
# 15 s (GSK_CACHE_TIMEOUT), shown or hidden, in every GTK window: an empty libadwaita
# window wakes for it too (tests/bench-app.py shows it). Moved past the test, what is left
# to count is Porthole's own.
app = phui.App(env={'GSETTINGS_SCHEMA_DIR': schemas, 'PORTHOLE_BENCH': '1',
                    'GSK_CACHE_TIMEOUT': '3600'})
try:
    window = app.wait_for_window()
    if not t.ok(window is not None, 'the window appears'):
        t.diag(app.output())
        sys.exit(t.done())
    t.ok(phui.wait_for(lambda: bench_lines(app, 'populated'), 15), 'the first list is there')
    helpers = phui.child_pids(app.proc.pid, 'porthole-helpe')
    wid = phui.x_window_id(app.proc.pid)
    t.ok(len(helpers) == 1 and wid is not None, f'one helper ({helpers}) and a window ({wid})')
    t.ok(not bench_lines(app, 'paused'), 'a window on screen is not paused')

    # Hidden: nothing wakes, the app's threads (GTK's, GDBus's) included.
    pids = [app.proc.pid] + helpers
    during = hide(app, wid, pids)
    t.ok(len(bench_lines(app, 'paused')) == 1, 'unmapped, the window pauses the scanner')
    main_thread = f'{app.proc.pid}/porthole/{app.proc.pid}'
    t.ok(not [k for k in during if not k.startswith(f'{app.proc.pid}/')],
         f'the helper did not wake in {HIDDEN_S} s hidden', diag=f'wake-ups by thread: {during}')
    t.ok(not [k for k in during if k.startswith(f'{app.proc.pid}/') and k != main_thread],
         f'no other thread of the app (GDBus, GLib\'s workers) woke',
         diag=f'wake-ups by thread: {during}')
    t.ok(main_thread not in during, 'the app\'s main thread did not wake',
         diag=f'wake-ups by thread: {during}')
    t.ok(phui.child_pids(app.proc.pid, 'porthole-helpe') == helpers,
         'the helper is the same process (paused, not ended)')

    # A listener starts while hidden; shown again, it is listed at once.
    later = pt.Listener('tcp:127.0.0.1:0')
    applied = len(bench_lines(app, 'applied'))
    shown_at = time.monotonic()
    phui.xdotool_run('windowmap', wid)
    # The machine's other sockets are listed too (a shared network namespace): searching
    # for the port keeps the row in view, where the accessibility tree has it.
    phui.search(window, str(later.port))
    listed = phui.list_item(window, f'Port {later.port}, TCP', timeout=INTERVAL_S - 1)
    t.ok(listed is not None,
         f'mapped again, the new listener is listed before a timed refresh ({INTERVAL_S} s) '
         f'could bring it ({time.monotonic() - shown_at:.1f} s)')
    t.ok(len(bench_lines(app, 'resumed')) == 1 and len(bench_lines(app, 'applied')) > applied,
         'the window resumed the scanner and a change set came')

    # Refresh in the Background: hidden, the helper goes on.
    phui.search(window, '')
    menu = phui.find(window, name='Main Menu')
    phui.click(menu)
    items = phui.menu_items(menu)
    if items:
        phui.click(items[0])
    prefs = phui.find(app.accessible, role='dialog', showing=True, timeout=5)
    t.ok(prefs is not None and phui.toggle_row(prefs, 'Refresh in the Background'),
         'Preferences offer Refresh in the Background')
    phui.xdotool_run('mousemove', '400', '300')   # the focus back, for the key
    time.sleep(0.3)
    phui.xdotool_run('key', 'Escape')
    phui.xdotool_run('mousemove', '1279', '799')
    t.ok(phui.wait_for(lambda: phui.find(app.accessible, role='dialog', showing=True,
                                         timeout=0) is None, 5), 'Preferences closed')
    during = hide(app, wid, helpers)
    t.ok(len(bench_lines(app, 'paused')) == 1,
         'with background refresh on, unmapping does not pause')
    t.ok(sum(v for v in during.values() if v != 'ended') >= 2,
         f'and the helper refreshes on its timer while hidden ({during})')
    phui.xdotool_run('windowmap', wid)
    if not t.ok(app.proc.poll() is None, 'the app is still running'):
        t.diag(app.output()[-3000:])
finally:
    app.quit()
    first.kill()
    if later is not None:
        later.kill()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
