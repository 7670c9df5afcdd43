#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-search-provider.py — the GNOME Shell search provider on a private session bus:
# Porthole is started by D-Bus activation from the built .service file, the test calls
# the methods the Shell calls (GetInitialResultSet, GetSubsearchResultSet, GetResultMetas,
# ActivateResult, LaunchSearch) with real listeners it started, and checks the results,
# their names and descriptions (a typed address nothing answers on is described by the
# troubleshooter), that a search makes no window, and that activating a
# result or "more results" opens the window on the listener or the search.
import os
import re
import sys
import time

import phui
import porthole_test as pt

APP_ID = 'io.github.porthole.Porthole'
PATH = '/io/github/porthole/Porthole/SearchProvider'
IFACE = 'org.gnome.Shell.SearchProvider2'

if not os.environ.get('PHUI_ISOLATED'):
    # The bus that run_isolated starts finds services in $XDG_DATA_DIRS/dbus-1/services:
    # the built service file, pointed at the built program.
    base = os.path.join(pt.builddir(), 'search-provider-test')
    services = os.path.join(base, 'dbus-1', 'services')
    os.makedirs(services, exist_ok=True)
    with open(os.path.join(pt.builddir(), 'data', APP_ID + '.service')) as f:
        text = f.read()
    text = re.sub(r'^Exec=\S+', 'Exec=' + pt.porthole(), text, flags=re.M)
    with open(os.path.join(services, APP_ID + '.service'), 'w') as f:
        f.write(text)
    os.environ['XDG_DATA_DIRS'] = base + ':' + os.environ.get('XDG_DATA_DIRS',
                                                              '/usr/local/share:/usr/share')
    report = os.path.join(base, 'windows.log')
    if os.path.exists(report):
        os.unlink(report)
    os.environ['PORTHOLE_REPORT_WINDOWS'] = report
    os.environ['PHUI_SEARCH_REPORT'] = report

phui.run_isolated()

from gi.repository import Gio, GLib  # noqa: E402

t = pt.Tap()
report = os.environ['PHUI_SEARCH_REPORT']
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)


def call(method, args, signature, timeout=30):
    reply = bus.call_sync(APP_ID, PATH, IFACE, method,
                          GLib.Variant(signature, args) if signature else None,
                          None, Gio.DBusCallFlags.NONE, timeout * 1000, None)
    return reply.unpack() if reply is not None else None


def windows_made():
    try:
        with open(report) as f:
            return [line for line in f if line.startswith('window added')]
    except FileNotFoundError:
        return []


def app_pid():
    reply = bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                          'org.freedesktop.DBus', 'GetConnectionUnixProcessID',
                          GLib.Variant('(s)', (APP_ID,)), None, Gio.DBusCallFlags.NONE,
                          5000, None)
    return reply.unpack()[0]


def find_window(pid, timeout=20):
    import pyatspi
    deadline = time.time() + timeout
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            try:
                if app is not None and app.get_process_id() == pid and app.childCount > 0:
                    win = app.getChildAtIndex(0)
                    if win is not None and sum(1 for _ in phui.walk(win, max_depth=8)) > 10:
                        return win
            except Exception:
                continue
        time.sleep(0.2)
    return None


def search_text(window):
    entry = phui.find(window, name='Search services or explain an address', role='entry',
                      timeout=10)
    return phui.text_of(entry) if entry is not None else None


project = os.path.join(pt.builddir(), 'search-provider-test', 'shop')
os.makedirs(os.path.join(project, 'node_modules', '.bin'), exist_ok=True)
pg = pt.Listener('tcp:127.0.0.1:0', exec_name='postgres')
vite = pt.Listener('tcp:0.0.0.0:0', exec_name='node', cwd=project,
                   extra=[os.path.join(project, 'node_modules', '.bin', 'vite')])
other = pt.Listener('tcp:[::1]:0')
late = None
pg_id = f'tcp 127.0.0.1:{pg.port}'
vite_id = f'tcp 0.0.0.0:{vite.port}'
other_id = f'tcp [::1]:{other.port}'
try:
    # The first call starts Porthole through D-Bus activation.
    results, failure = [], None
    try:
        (results,) = call('GetInitialResultSet', (['postgres'],), '(as)')
    except GLib.Error as e:
        failure = e.message
    if not t.ok(failure is None, 'D-Bus activation starts Porthole and it answers a search',
                failure):
        sys.exit(t.done())
    t.ok(pg_id in results and vite_id not in results and other_id not in results,
         '"postgres" finds the postgres listener only')
    t.diag(f'results: {results}')

    late = pt.Listener('tcp:127.0.0.1:0', exec_name='postgres')
    (results,) = call('GetInitialResultSet', ([str(pg.port)],), '(as)')
    t.ok(results == [pg_id], f'"{pg.port}" finds exactly the listener on that port')
    t.diag(f'results: {results}')
    (results,) = call('GetInitialResultSet', (['postgres'],), '(as)')
    t.ok(f'tcp 127.0.0.1:{late.port}' not in results,
         'searches within a few seconds share one scan (a newer listener is not seen yet)')
    (results,) = call('GetInitialResultSet', ([f':{vite.port}'],), '(as)')
    t.ok(results == [vite_id], f'":{vite.port}" finds the listener on that port')
    (results,) = call('GetInitialResultSet', ([f'127.0.0.1:{pg.port}'],), '(as)')
    t.ok(results == [pg_id], f'"127.0.0.1:{pg.port}" finds the listener answering there')
    (results,) = call('GetInitialResultSet', (['vite'],), '(as)')
    t.ok(vite_id in results and pg_id not in results, '"vite" finds the dev server')
    (results,) = call('GetInitialResultSet', (['no-such-program-here'],), '(as)')
    t.ok(results == [], 'a word nothing matches finds nothing')
    (results,) = call('GetSubsearchResultSet', ([pg_id, vite_id, other_id], ['vite']),
                      '(asas)')
    t.ok(results == [vite_id], 'a subsearch narrows the previous results')

    (metas,) = call('GetResultMetas', ([pg_id, vite_id, 'tcp 192.0.2.1:1'],), '(as)')
    by_id = {m.get('id'): m for m in metas}
    t.ok(set(by_id) == {pg_id, vite_id}, 'metas for the known results, none for an unknown id')
    pg_meta = by_id.get(pg_id, {})
    vite_meta = by_id.get(vite_id, {})
    t.ok('postgres' in pg_meta.get('name', ''), 'the name says who owns the port')
    t.diag(f'postgres meta: {pg_meta}')
    t.ok(f'127.0.0.1:{pg.port}' in pg_meta.get('description', '') and
         'Other computers cannot connect' in pg_meta.get('description', ''),
         'a loopback listener: its address, and that other computers cannot connect')
    t.ok('shop' in vite_meta.get('name', ''), 'the dev server is named after its project')
    t.ok(f'0.0.0.0:{vite.port}' in vite_meta.get('description', '') and
         'Other computers on your networks can connect' in vite_meta.get('description', ''),
         'a wildcard listener: its address, and that other computers can connect')
    t.diag(f'vite meta: {vite_meta}')
    t.ok(all('icon' in m for m in metas), 'every result has an icon')

    # A TCP address nothing answers on: one "check" result, which the troubleshooter
    # describes (the listener is on ::1 only, 127.0.0.1 typed).
    check_id = f'check 127.0.0.1:{other.port}'
    (results,) = call('GetInitialResultSet', ([f'127.0.0.1:{other.port}'],), '(as)')
    t.ok(results == [check_id], f'"127.0.0.1:{other.port}" gives one troubleshooting result',
         results)
    (metas,) = call('GetResultMetas', ([check_id, pg_id],), '(as)')
    by_id = {m.get('id'): m for m in metas}
    t.ok(f'but a server listens on [::1]:{other.port}' in
         by_id.get(check_id, {}).get('description', ''),
         'its description says which address works instead', metas)
    t.ok(pg_id in by_id, 'metas of listeners come with it')

    time.sleep(5.5)
    (results,) = call('GetInitialResultSet', (['postgres'],), '(as)')
    t.ok(f'tcp 127.0.0.1:{late.port}' in results, 'after a few seconds a new scan is made')

    t.ok(windows_made() == [], 'searching made no window')
    # The helper Porthole starts early for its first window runs `watch --interval N`;
    # the search's own scans are `watch --once`.
    watching = [c for c in phui.child_pids(app_pid(), 'porthole-helpe')
                if '--interval' in pt.cmdline(c)]
    t.ok(watching == [], 'started as a service, Porthole runs no watching helper',
         f'helpers watching: {watching}')

    pid = app_pid()
    call('ActivateResult', (pg_id, ['postgres'], 0), '(sasu)')
    window = find_window(pid)
    t.ok(window is not None and len(windows_made()) == 1,
         'activating a result opens a window')
    if window is not None:
        t.ok(search_text(window) == f'127.0.0.1:{pg.port}',
             'the window searches for the listener’s address')
        row = phui.list_item(window, f'Port {pg.port}, TCP on 127.0.0.1', timeout=15)
        t.ok(row is not None, 'the window lists the listener')

    call('LaunchSearch', (['vite'], 0), '(asu)')
    window = find_window(pid)
    t.ok(window is not None and phui.wait_for(lambda: search_text(window) == 'vite', 5),
         '"more results" shows the search in the window')
    t.ok(len(windows_made()) == 1, 'the open window is reused')
finally:
    for listener in (pg, vite, other, late):
        if listener is not None:
            listener.stop()
    try:
        os.kill(app_pid(), 15)
    except Exception:
        pass

sys.exit(t.done())
