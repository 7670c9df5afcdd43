#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-troubleshoot.py — the window's search tries a typed address for real: with a
# server on ::1 only, typing 127.0.0.1:PORT says which address works instead; the port is
# taken, so "Suggest a Free Port" is offered, and pressing it names a port that is free (bound
# here to check) and not the taken one. A free port offers no suggestion.
import socket
import sys

import phui
import porthole_test as pt

phui.run_isolated()
t = pt.Tap()

# A server on the IPv6 loopback only, as Node.js 17+ makes one told to listen on localhost.
server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
server.bind(('::1', 0))
server.listen(8)
port = server.getsockname()[1]

app = phui.App()
try:
    window = app.window_or_exit(t)
    phui.list_item(window, f'Port {port}, TCP on ::1', timeout=15)

    phui.search(window, f'127.0.0.1:{port}')
    said = phui.wait_for(lambda: f'but a server listens on [::1]:{port}' in
                         phui.pane_text(window), 10)
    if not t.ok(said, f'typing 127.0.0.1:{port} says a server listens on [::1]:{port} instead'):
        t.diag(phui.pane_text(window))
    text = phui.pane_text(window)
    t.ok('Works Instead' in text and 'What to do' in text,
         'the Connection section has what to do and the address that works')
    t.ok('Node.js' in text, 'and names the Node.js localhost trap')
    phui.screenshot('window-troubleshoot')

    button = phui.find(window, name='Suggest a Free Port', role='button', showing=True,
                       timeout=5)
    t.ok(button is not None, 'the taken port offers "Suggest a Free Port"')
    suggested = None
    if button is not None:
        phui.click(button)
        prefix = 'Port '
        suffix = ' is free, and no commonly used developer tool uses it.'

        def find_suggestion():
            for line in phui.pane_text(window).splitlines():
                if line.startswith(prefix) and line.endswith(suffix):
                    return line[len(prefix):-len(suffix)]
            return None
        got = phui.wait_for(find_suggestion, 10)
        suggested = int(got) if got and got.isdigit() else None
    t.ok(suggested is not None and suggested != port,
         f'pressing it names another port ({suggested})')
    t.ok(suggested is not None and pt.bindable(suggested), 'the suggested port can be bound')
    t.ok(suggested is not None and abs(suggested - port) <= 50, 'and it is near the taken one')
    phui.screenshot('window-suggest')

    # A free port: nothing to suggest.
    server.close()
    free = port
    phui.search(window, '')
    phui.search(window, f'127.0.0.1:{free}')
    said = phui.wait_for(lambda: f'Nothing is listening on 127.0.0.1:{free}' in
                         phui.pane_text(window), 10)
    t.ok(said, 'once the server is gone, the pane says nothing listens there')
    t.ok(phui.find(window, name='Suggest a Free Port', role='button', showing=True,
                   timeout=1) is None, 'and offers no suggestion for a free port')
    phui.search(window, '')
finally:
    app.quit()
    server.close()
sys.exit(t.done())
