#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-window.py — the main window with real listeners: groups and their names (a dev
# server named after its project folder), a row's explanation, search that selects or
# explains an address, Copy Address (read back from the clipboard) and Open in Browser
# (a test handler for http, registered through a temporary XDG data dir, records the URI).
import os
import socket
import subprocess
import sys
import tempfile
import time

import phui
import porthole_test as pt


def free_dynamic_port():
    """A port of IANA's dynamic range (49152-65535) that nothing on this machine holds."""
    for port in list(range(62893, 65536)) + list(range(49152, 62893)):
        if pt.port_is_free(port):
            return port
    raise RuntimeError('every port of the dynamic range is in use')


phui.run_isolated()

t = pt.Tap()
tmp = tempfile.mkdtemp(prefix='phui-window-')

# A browser stand-in: the default handler for http(s) in a private XDG data dir.
uri_log = os.path.join(tmp, 'opened-uris.txt')
apps = os.path.join(tmp, 'data', 'applications')
os.makedirs(apps)
recorder = os.path.join(tmp, 'record-uri.sh')
with open(recorder, 'w') as f:
    f.write(f'#!/bin/sh\nprintf "%s\\n" "$1" >> {uri_log}\n')
os.chmod(recorder, 0o755)
with open(os.path.join(apps, 'ph-test-browser.desktop'), 'w') as f:
    f.write('[Desktop Entry]\nType=Application\nName=Test Browser\n'
            f'Exec={recorder} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\n'
            'NoDisplay=true\n')
config = os.path.join(tmp, 'config')
os.makedirs(config)
with open(os.path.join(config, 'mimeapps.list'), 'w') as f:
    f.write('[Default Applications]\nx-scheme-handler/http=ph-test-browser.desktop\n'
            'x-scheme-handler/https=ph-test-browser.desktop\n')

# A dev server: "node …/shop/node_modules/.bin/vite" started in a folder called shop.
shop = os.path.join(tmp, 'src', 'shop')
os.makedirs(os.path.join(shop, 'node_modules', '.bin'))
with open(os.path.join(shop, 'package.json'), 'w') as f:
    f.write('{"name": "shop"}\n')
vite = pt.Listener('tcp:127.0.0.1:0', cwd=shop, exec_name='node',
                   extra=[os.path.join(shop, 'node_modules', '.bin', 'vite'), '--port', '5173'])
# A plain program on every interface, IPv6 loopback and UDP.
plain = pt.Listener('tcp:0.0.0.0:0', 'tcp6only:[::1]:0', 'udp:127.0.0.1:0')
# A real web server, for Open in Browser.
http_port = None
with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    http_port = s.getsockname()[1]
web = subprocess.Popen([sys.executable, '-m', 'http.server', '--bind', '127.0.0.1',
                        str(http_port)], cwd=tmp, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
phui.wait_for(lambda: socket.socket().connect_ex(('127.0.0.1', http_port)) == 0, 10)

app = phui.App(env={'XDG_DATA_HOME': os.path.join(tmp, 'data'), 'XDG_CONFIG_HOME': config})
try:
    window = app.window_or_exit(t)

    # Groups: the dev server is named after its project folder, with the tool.
    vite_row = phui.list_item(window, f'Port {vite.port}, TCP on 127.0.0.1', timeout=15)
    t.ok(vite_row is not None, f'the dev server port {vite.port} is listed')
    headers = phui.section_headers(window)
    t.ok('shop Vite dev server' in headers,
         'a section is named after the project folder "shop", with "Vite dev server"')
    t.ok(any(h.startswith('ph-test-listene') for h in headers),
         'the plain program has a section named after its executable')
    t.diag(f'sections: {headers}')
    phui.screenshot('window-list')

    # Reachability mark on the 0.0.0.0 row, none on loopback.
    wide = phui.list_item(window, f'Port {plain.sockets[0][2]}, TCP on 0.0.0.0')
    t.ok(wide is not None and 'reachable from other computers' in wide.name,
         'the 0.0.0.0 row says it is reachable from other computers')
    t.ok(vite_row is not None and 'reachable' not in vite_row.name,
         'the loopback row does not claim to be reachable')
    udp_row = phui.list_item(window, f'Port {plain.sockets[2][2]}, UDP on 127.0.0.1')
    t.ok(udp_row is not None, 'the UDP socket is listed')

    # Selecting a row explains its address and port.
    if vite_row is not None:
        phui.select_item(vite_row)
    pane_text = phui.wait_for(
        lambda: (lambda s: s if 'loopback address' in s and str(vite.port) in s else None)(
            phui.pane_text(window)), 10)
    t.ok(pane_text is not None, 'the detail pane explains the loopback address')
    cls = {True: 'dynamic (private) port', False: 'registered (user) port'}[vite.port >= 49152]
    t.ok(pane_text is not None and (cls in pane_text or cls.capitalize() in pane_text),
         f'the detail pane gives the port class ({cls})')
    t.ok(pane_text is not None and str(vite.pid) in pane_text,
         'the detail pane shows the owner\'s PID')
    phui.screenshot('window-detail')

    # Copy Address puts exactly "127.0.0.1:PORT" on the clipboard.
    copy = phui.find(window, name='Copy Address', role='button', showing=True)
    t.ok(copy is not None, 'the Copy Address button is there')
    if copy is not None:
        phui.click(copy)
        clip = phui.wait_for(lambda: subprocess.run(
            ['xclip', '-o', '-selection', 'clipboard'], capture_output=True,
            text=True, timeout=5).stdout or None, 5)
        t.ok(clip == f'127.0.0.1:{vite.port}',
             f'the clipboard holds exactly 127.0.0.1:{vite.port} (got {clip!r})')
        toast = phui.toast(window, f'Copied 127.0.0.1:{vite.port}', timeout=3)
        t.ok(toast is not None, 'a toast confirms the copy')

    # The IPv6 row copies with brackets.
    v6 = phui.list_item(window, f'Port {plain.sockets[1][2]}, TCP on ::1')
    if v6 is not None:
        phui.select_item(v6)
        time.sleep(0.5)
        phui.click(phui.find(window, name='Copy Address', role='button', showing=True))
        clip = phui.wait_for(lambda: (lambda c: c if c.startswith('[') else None)(
            subprocess.run(['xclip', '-o', '-selection', 'clipboard'], capture_output=True,
                           text=True, timeout=5).stdout), 5)
        t.ok(clip == f'[::1]:{plain.sockets[1][2]}', f'an IPv6 address is copied as {clip!r}')
    else:
        t.ok(False, 'the ::1 row is listed')

    # Open in Browser: enabled once the probe saw HTTP; the http handler gets the URI.
    web_row = phui.list_item(window, f'Port {http_port}, TCP on 127.0.0.1')
    t.ok(web_row is not None, 'the web server is listed')
    if web_row is not None:
        phui.select_item(web_row)
        served = phui.wait_for(
            lambda: 'HTTP' in phui.pane_text(window) and 'Directory listing' in
            phui.pane_text(window), 10)
        t.ok(served, 'the Service section shows the HTTP answer and the page title')
        phui.screenshot('window-http')
        button = phui.find(window, name='Open in Browser', role='button', showing=True)

        def enabled():
            import pyatspi
            return button is not None and button.getState().contains(pyatspi.STATE_SENSITIVE)
        t.ok(phui.wait_for(enabled, 5), 'Open in Browser is enabled for an HTTP service')
        if button is not None:
            phui.click(button)
        got = phui.wait_for(lambda: os.path.exists(uri_log) and open(uri_log).read().strip(), 10)
        t.ok(got == f'http://localhost:{http_port}/',
             f'the http handler was launched with http://localhost:{http_port}/ (got {got!r})')

    # Search: a free port is explained ("nothing is listening"); a held one is selected.
    free_port = free_dynamic_port()
    phui.search(window, str(free_port))
    said = phui.wait_for(lambda: 'Nothing is listening here; the port is free.' in
                         phui.pane_text(window), 8)
    if not t.ok(said, f'typing {free_port} explains that nothing listens there and the port '
                'is free'):
        t.diag(phui.pane_text(window))
        t.diag(f'app alive: {app.proc.poll() is None}')
        t.diag(app.output()[-3000:])
    t.ok('dynamic (private) port' in phui.pane_text(window).lower(),
         f'and explains that {free_port} is a dynamic port')
    phui.screenshot('window-explain')

    phui.search(window, f'127.0.0.1:{vite.port}')
    sel = phui.wait_for(lambda: (lambda s: s if str(vite.pid) in s else None)(
        phui.pane_text(window)), 8)
    t.ok(sel is not None, f'typing 127.0.0.1:{vite.port} selects the dev server')

    phui.search(window, '99999')
    msg = phui.wait_for(lambda: 'ports go from 0 to 65535' in phui.pane_text(window), 5)
    t.ok(msg, 'typing 99999 says clearly that it is not a port')
    phui.search(window, '')
finally:
    rc = app.quit()
    vite.stop()
    plain.stop()
    web.kill()
    web.wait()
sys.exit(t.done())
