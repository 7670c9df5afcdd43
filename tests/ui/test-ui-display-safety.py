#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-display-safety.py — the real window (issue 11, point 6): real processes whose
# names and command lines carry newlines, tabs, terminal escapes, bidi controls, line
# separators and invalid UTF-8, and a local server whose greeting carries NUL bytes and
# escapes. Every row, section header and detail-pane text the window exposes (read through
# AT-SPI) is display-safe: no control, bidi or separator character, hostile bytes shown as
# U+FFFD; each hostile process is one row.
import re
import socket
import sys
import threading

import phui
import porthole_test as pt

UNSAFE = re.compile('[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029'
                    '\u202a-\u202e\u2066-\u2069]')

phui.run_isolated()
t = pt.Tap()

HOSTILE = [
    (b'csi\x1b[31mred', [b'--color=\x1b[2J\x1b[H']),
    (b'new\nline', [b'\n  22  tcp  0.0.0.0  network  sshd (1)\n']),
    ('bidi\u202etxt.exe'.encode(), ['\u2066iso\u2069 \u200fmark'.encode()]),
    ('ls\u2028sep'.encode(), ['para\u2029graph'.encode()]),
    (b'bad\xff\xfeutf8', [b'\xc3\x28']),
    (b'c1\xc2\x9bcsi', [b'\xc2\x9d0;x\xc2\x9c']),
]
listeners = [pt.Listener('tcp:127.0.0.1:0', exec_name=name, extra=extra)
             for name, extra in HOSTILE]

# A server whose greeting is hostile: NUL bytes, CSI and OSC escapes, a bidi override,
# invalid UTF-8 and a second line.
GREETING = (b'SSH-2.0-Evil\x00\x1b[2J\x1b]0;pwned\x07\xe2\x80\xaetxt\xff\xc2\x9b\r\n'
            b'second line\r\n')
server = socket.socket()
server.bind(('127.0.0.1', 0))
server.listen(8)
banner_port = server.getsockname()[1]
stop = threading.Event()


def serve():
    server.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = server.accept()
        except OSError:
            continue
        with conn:
            try:
                conn.sendall(GREETING)
                conn.settimeout(3)
                conn.recv(1024)
            except OSError:
                pass


threading.Thread(target=serve, daemon=True).start()


def unsafe(text):
    return sorted({hex(ord(c)) for c in UNSAFE.findall(text or '')})


app = phui.App()
try:
    window = app.window_or_exit(t)

    rows = {}
    for (name, _), lis in zip(HOSTILE, listeners):
        row = phui.list_item(window, f'Port {lis.port}, TCP on 127.0.0.1', timeout=20)
        rows[lis.port] = row
        if not t.ok(row is not None, f'{name!r}: its port {lis.port} has a row'):
            continue
        text = (row.name or '') + '\n' + phui.all_text(row)
        t.ok(not unsafe(text), f'{name!r}: the row is display-safe', (unsafe(text), text))
        t.ok('\ufffd' in text, f'{name!r}: the hostile character is shown as U+FFFD', text)

    lst = phui.find(window, name='Listening services', role='list', timeout=5)
    names = []
    for i in range(lst.childCount if lst is not None else 0):
        try:
            names.append(lst.getChildAtIndex(i).name or '')
        except Exception:
            continue
    for lis in listeners:
        t.ok(sum(1 for n in names if n.startswith(f'Port {lis.port},')) == 1,
             f'port {lis.port} is exactly one row')
    t.ok(not any('sshd (1)' in n for n in names), 'an argument made to look like a row is none')
    headers = phui.section_headers(window)
    t.ok(headers and not any(unsafe(h) for h in headers), 'every section header is display-safe',
         [h for h in headers if unsafe(h)])

    # The detail pane of a hostile process: name and command line
    first = rows.get(listeners[0].port)
    if first is not None:
        phui.select_item(first)
        pane = phui.wait_for(lambda: (lambda p: p if str(listeners[0].pid) in p else None)(
            phui.pane_text(window)), 10)
        t.ok(pane is not None, 'the pane shows the hostile process', phui.pane_text(window))
        t.ok(pane is not None and not unsafe(pane), 'the pane is display-safe', unsafe(pane))

    # The hostile greeting, through the real probe
    brow = phui.list_item(window, f'Port {banner_port}, TCP on 127.0.0.1', timeout=20)
    if t.ok(brow is not None, f'the greeting server on port {banner_port} has a row'):
        phui.select_item(brow)
        pane = phui.wait_for(lambda: (lambda p: p if 'Evil' in p else None)(
            phui.pane_text(window)), 15)
        t.ok(pane is not None, 'the pane shows what the server said', phui.pane_text(window))
        t.ok(pane is not None and not unsafe(pane) and 'pwned' in pane,
             'the greeting is shown with its escapes defused, not obeyed', pane)
        t.ok(pane is not None and
             any(line.startswith('SSH-2.0-Evil') and line.endswith('second line')
                 for line in pane.splitlines()),
             'the greeting is one line of text: its line breaks start no new line', pane)

    everything = phui.all_text(window)
    t.ok(not unsafe(everything), 'nothing in the window is a control, bidi or separator '
         'character', unsafe(everything))
finally:
    stop.set()
    app.quit()
    for lis in listeners:
        lis.kill()

sys.exit(t.done())
