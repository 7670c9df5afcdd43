#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-troubleshoot.py — TAP: `porthole --explain ADDRESS [--json]` tries to connect and
# says why it cannot, each case set up for real: nothing listens (and TIME_WAIT after a
# server closed), ::1 only while 127.0.0.1 is typed and the other way round, "localhost"
# on one family, loopback only while a LAN address is typed, another user's program, a
# firewall rule that rejects or drops (nft and iptables, in a network namespace this test
# makes), a full accept queue, a server that accepts and never answers, an address not on
# this computer, and a server that works.
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

import porthole_test

PORTHOLE = porthole_test.porthole()


def explain(address, *extra, json_output=True):
    env = dict(os.environ, LC_ALL='C.UTF-8')
    env.pop('LANGUAGE', None)
    env.pop('DISPLAY', None)
    env.pop('WAYLAND_DISPLAY', None)
    argv = [PORTHOLE, '--explain', address, *extra] + (['--json'] if json_output else [])
    r = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=env)
    if not json_output:
        return r
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = {'_error': 'not JSON', '_stdout': r.stdout, '_stderr': r.stderr,
               '_status': r.returncode}
    return doc


def listen(host, backlog=16, serve=False):
    """A listening socket; with serve, a thread accepts and closes every connection (a
    server that works); without, nothing ever calls accept()."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 0))
    s.listen(backlog)
    if serve:
        def accept_and_close():
            while True:
                try:
                    conn, _ = s.accept()
                except OSError:
                    return
                conn.close()
        threading.Thread(target=accept_and_close, daemon=True).start()
    return s


# ---- the part run inside a network namespace of its own -----------------------------------

def sh(*argv):
    subprocess.run(argv, check=True, capture_output=True, timeout=30)


def in_netns(case):
    """Runs in `unshare --net`: sets up @case, explains, prints the JSON document."""
    sh('ip', 'link', 'set', 'lo', 'up')
    s = listen('127.0.0.1', serve=True)
    port = s.getsockname()[1]
    target = f'127.0.0.1:{port}'
    if case == 'lan':
        # A LAN address of this computer: on a dummy interface, or on lo where the kernel
        # has no dummy driver (containers); either way not a loopback address.
        try:
            sh('ip', 'link', 'add', 'phtest0', 'type', 'dummy')
            sh('ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'phtest0')
            sh('ip', 'link', 'set', 'phtest0', 'up')
        except subprocess.CalledProcessError:
            sh('ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'lo')
        target = f'10.99.0.1:{port}'
    elif case.startswith('nft-'):
        verdict = {'nft-reject': 'reject with tcp reset', 'nft-drop': 'drop'}[case]
        sh('nft', 'add', 'table', 'inet', 'phtest')
        sh('nft', 'add', 'chain', 'inet', 'phtest', 'input',
           '{ type filter hook input priority 0 ; policy accept ; }')
        sh('nft', 'add', 'rule', 'inet', 'phtest', 'input', 'tcp', 'dport', str(port),
           *verdict.split())
    elif case == 'iptables-reject':
        sh('iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', str(port), '-j', 'REJECT',
           '--reject-with', 'icmp-admin-prohibited')
    doc = explain(target)
    doc['_port'] = port
    print(json.dumps(doc))
    s.close()


def run_in_netns(case):
    r = subprocess.run(['unshare', '--net', '--', sys.executable, os.path.abspath(__file__),
                        '--in-netns', case], capture_output=True, text=True, timeout=90)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {'_error': 'no document', '_stdout': r.stdout, '_stderr': r.stderr}


if len(sys.argv) == 3 and sys.argv[1] == '--in-netns':
    in_netns(sys.argv[2])
    sys.exit(0)

# ---- the checks ----------------------------------------------------------------------------

tap = porthole_test.Tap()
check = tap.ok


def verdict_is(doc, verdict, desc):
    return check(doc.get('verdict') == verdict, f'{desc}: verdict {verdict}', doc)


# Nothing listens: refused, and the words say the server is not running.
port = porthole_test.free_port()
doc = explain(f'127.0.0.1:{port}')
verdict_is(doc, 'nothing-listens', 'a free port')
check([a.get('result') for a in doc.get('attempts', [])] == ['refused'],
      'one attempt, refused', doc.get('attempts'))
check('not running' in (doc.get('advice') or ''), 'the advice says the server is not running',
      doc.get('advice'))
check(doc.get('version') == 1 and doc.get('port') == port and doc.get('protocol') == 'tcp',
      'the document names version, port and protocol', doc)
check(isinstance(doc.get('explanation', {}).get('port'), list) and doc['explanation']['port'],
      'the document carries the explanation', doc.get('explanation'))

# A server that closed its connections a moment ago: TIME_WAIT on the port.
server = listen('127.0.0.1')
port = server.getsockname()[1]
clients = []
for _ in range(2):
    c = socket.create_connection(('127.0.0.1', port))
    conn, _ = server.accept()
    conn.close()              # the server closes first: its side waits in TIME_WAIT
    clients.append(c)
time.sleep(0.2)
for c in clients:
    c.close()
server.close()
doc = explain(f'127.0.0.1:{port}')
verdict_is(doc, 'nothing-listens', 'a server that just stopped')
check(doc.get('time_wait', 0) >= 2, 'the connections in TIME_WAIT are counted', doc)
check('TIME_WAIT' in (doc.get('advice') or '') and 'minute' in (doc.get('advice') or ''),
      'the advice says binding may fail for up to a minute, and why', doc.get('advice'))
r = explain(f'127.0.0.1:{port}', json_output=False)
check(r.returncode == 0 and '\nConnection\n' in r.stdout and 'What to do:' in r.stdout,
      'the text output has a Connection section with what to do', r.stdout + r.stderr)


# ::1 only, 127.0.0.1 typed; and the other way round.
def wrong_address(server_host, typed, works):
    """A server on SERVER_HOST only, the other loopback address typed: wrong-address, and
    it names the one that works (TYPED and WORKS with {} for the port). The server stays."""
    server = listen(server_host, serve=True)
    port = server.getsockname()[1]
    doc = explain(typed.format(port))
    verdict_is(doc, 'wrong-address', f'a server on {server_host}, {typed.format("PORT")} typed')
    check(doc.get('works_instead') == [works.format(port)],
          f'it names {works.format("PORT")} as the address that works', doc.get('works_instead'))
    return server, port, doc


server, port, doc = wrong_address('::1', '127.0.0.1:{}', '[::1]:{}')
check('Node.js' in (doc.get('advice') or ''), 'the advice names the Node.js trap',
      doc.get('advice'))
doc = explain(f'localhost:{port}')
verdict_is(doc, 'one-family', '"localhost" with a server on ::1 only')
check(doc.get('works_instead') == [f'[::1]:{port}'], 'it names the family that works',
      doc.get('works_instead'))
check([a.get('result') for a in doc.get('attempts', [])] == ['refused', 'connected'],
      'both families were tried', doc.get('attempts'))
server.close()

server, port, doc = wrong_address('127.0.0.1', '[::1]:{}', '127.0.0.1:{}')
server.close()

# Another user's program.
setpriv = shutil.which('setpriv')
if os.geteuid() != 0 or setpriv is None:
    tap.skip('another user\'s program', 'needs root and setpriv')
else:
    port = porthole_test.free_port()
    other = subprocess.Popen(
        [setpriv, '--reuid', '65534', '--regid', '65534', '--clear-groups', sys.executable, '-c',
         'import socket,sys,time\n'
         f's=socket.socket(); s.bind(("127.0.0.1",{port})); s.listen(8)\n'
         'print("ready", flush=True)\n'
         'while True:\n c,_=s.accept(); c.close()\n'],
        stdout=subprocess.PIPE, text=True)
    ready = other.stdout.readline().strip() == 'ready'
    doc = explain(f'127.0.0.1:{port}')
    check(ready and doc.get('verdict') == 'other-user' and doc.get('other_user') == 'nobody',
          'another user\'s program: verdict other-user, named', doc)
    other.kill()
    other.wait()

# A full accept queue: the program never takes connections.
server = listen('127.0.0.1', backlog=0)
port = server.getsockname()[1]
stuck = socket.create_connection(('127.0.0.1', port))   # fills the queue of one
doc = explain(f'127.0.0.1:{port}')
verdict_is(doc, 'not-accepting', 'a full accept queue')
check([a.get('result') for a in doc.get('attempts', [])] == ['timed-out'],
      'the connection timed out', doc.get('attempts'))
stuck.close()
server.close()

# Not full yet, but nobody takes the connection: the queue does not drain.
server = listen('127.0.0.1', backlog=8)
port = server.getsockname()[1]
doc = explain(f'127.0.0.1:{port}')
verdict_is(doc, 'not-accepting', 'a server that never calls accept()')
server.close()

# It accepts but never answers.
server = listen('127.0.0.1')
port = server.getsockname()[1]
held = []


def accept_and_hold():
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        held.append(conn)


threading.Thread(target=accept_and_hold, daemon=True).start()
doc = explain(f'127.0.0.1:{port}')
verdict_is(doc, 'silent', 'a server that accepts and never answers')
server.close()
for conn in held:
    conn.close()

# It works: an HTTP server.
import http.server  # noqa: E402


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Quiet)
port = httpd.server_address[1]
threading.Thread(target=httpd.serve_forever, daemon=True).start()
doc = explain(f'127.0.0.1:{port}')
verdict_is(doc, 'works', 'an HTTP server')
check('HTTP' in (doc.get('answer') or ''), 'it says what answered', doc.get('answer'))
httpd.shutdown()
httpd.server_close()

# Not on this computer (192.0.2.0/24 is for documentation): no connection is tried.
doc = explain('192.0.2.1:8080')
verdict_is(doc, 'not-local', 'an address not on this computer')
check(doc.get('attempts') == [], 'nothing was sent to it', doc.get('attempts'))

# UDP: nothing to connect to.
doc = explain(f'127.0.0.1:{porthole_test.free_port()}/udp')
verdict_is(doc, 'not-tested', 'UDP')

# In a network namespace of our own: a LAN address, and firewall rules.
probe = subprocess.run(['unshare', '--net', 'true'], capture_output=True)
if probe.returncode != 0 or not shutil.which('nft') or not shutil.which('ip'):
    for desc in ('lan', 'nft-reject', 'nft-drop', 'iptables-reject'):
        tap.skip(desc, 'needs unshare --net, ip and nft (run as root in the build root)')
else:
    doc = run_in_netns('lan')
    verdict_is(doc, 'wrong-address', 'a server on 127.0.0.1, the LAN address typed')
    check(doc.get('works_instead') == [f'127.0.0.1:{doc.get("_port")}'],
          'it names 127.0.0.1 as the address that works', doc.get('works_instead'))
    check('0.0.0.0' in (doc.get('advice') or ''),
          'the advice says how to let other computers connect', doc.get('advice'))
    doc = run_in_netns('nft-reject')
    verdict_is(doc, 'firewall-rejects', 'an nft rule that rejects')
    check('nft list ruleset' in (doc.get('advice') or ''), 'the advice says where to look',
          doc.get('advice'))
    doc = run_in_netns('nft-drop')
    verdict_is(doc, 'firewall-drops', 'an nft rule that drops')
    if shutil.which('iptables'):
        doc = run_in_netns('iptables-reject')
        verdict_is(doc, 'firewall-rejects', 'an iptables REJECT rule')
        check([a.get('result') for a in doc.get('attempts', [])] == ['unreachable'],
              'the rule answered with "administratively prohibited"', doc.get('attempts'))
    else:
        tap.skip('an iptables REJECT rule', 'no iptables')

sys.exit(tap.done())
