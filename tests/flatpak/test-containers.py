#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-containers.py — containers from inside the Flatpak (issue 10, point 4): the engines'
# API sockets are not in the sandbox, so the helper on the host asks them
# (`porthole-helper engine`, run by flatpak-spawn --host; flatpak/README.md, "Containers").
# A stand-in Docker API on the host's /run/docker.sock (tests/test-containers-relay.py's:
# it logs every request) lists "relay-db", whose published port a host process named
# docker-proxy holds, and a second port nothing holds. From the sandbox: the port is
# grouped under the container named by the API (not a guess), the forwarded one is listed,
# and porthole free stops the container through the relay with no signal sent.
# Why a stand-in: it records every request, so the test can show that exactly the relay's
# requests reached the engine; the real Podman API is asked through the same relay in the
# native suite (test-containers-podman, rootful).
import importlib.util
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import phflatpak as pf  # noqa: E402
from phflatpak import pt  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    'relay', os.path.join(os.path.dirname(HERE), 'test-containers-relay.py'))
relay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(relay)

pf.isolate()
t = pt.Tap()
SOCKET = '/run/docker.sock'

if os.path.exists(SOCKET):
    pt.bail(SOCKET + ' exists already on this "host"')
work = tempfile.mkdtemp(prefix='ph-fp-containers-')
held = relay.pc.pick_port()
free = held + 1
log = os.path.join(work, 'requests.log')
procs = []
try:
    link = os.path.join(work, 'docker-proxy')
    os.symlink('/usr/bin/python3', link)
    proxy = subprocess.Popen([link, '-c', relay.PROXY, str(held)])
    procs.append(proxy)
    engine = subprocess.Popen(['python3', '-c', relay.pc.STANDIN_SERVER + relay.ENGINE,
                               str(held), str(free), str(proxy.pid), log, relay.CID],
                              stdout=subprocess.DEVNULL)
    procs.append(engine)
    if not pt.wait_for(lambda: os.path.exists(SOCKET), 10, 0.05):
        pt.bail('the stand-in engine did not start')

    p = subprocess.run(['flatpak', 'run', '--command=sh', pf.APP_ID, '-c',
                        'test -e ' + SOCKET + ' && echo visible || echo absent'],
                       capture_output=True, text=True, timeout=60)
    t.ok(p.stdout.strip() == 'absent', 'the sandbox has no %s (%r)' % (SOCKET, p.stdout.strip()),
         diag=p.stderr[-500:])

    rc, doc, out, err = pf.run_cli_json(['--list', '--json'], t.diag)
    svc = relay.pc.service_on(doc, held)
    cont = (svc or {}).get('container') or {}
    group = relay.pc.group_of(doc, (svc or {}).get('group')) or {}
    t.ok(rc == 0 and svc is not None and svc['owners']
         and svc['owners'][0].get('comm') == 'docker-proxy',
         f'--list --json: port {held} is held by docker-proxy, seen from the sandbox',
         diag=out[-1500:] + err[-1500:])
    t.ok(cont.get('name') == 'relay-db' and cont.get('guessed') is False
         and cont.get('container_port') == 5432 and cont.get('access_hint') is None
         and group.get('name') == 'relay-db',
         'it is grouped under “relay-db” → 5432, named by the engine through the host '
         'helper, not guessed: %r' % cont)
    fwd = [f for f in doc.get('forwarded', []) if f.get('port') == free]
    t.ok(len(fwd) == 1 and fwd[0].get('name') == 'relay-db',
         f'--list --json: port {free}, which nothing holds, is listed as forwarded to it')

    rc, res, out, err = pf.run_cli_json(['free', '--yes', '--json', f'127.0.0.1:{held}'], t.diag)
    with open(log) as f:
        seen = f.read().splitlines()
    t.ok(rc == 0 and res.get('outcome') == 'freed' and res.get('signal') is None
         and f'POST /containers/{relay.CID}/stop?t=3 HTTP/1.0' in seen,
         'porthole free stops the container through the relay, sends no signal, and the '
         f'port is free (exit {rc})', diag=out[-1500:] + err[-1500:] + repr(seen))
    t.ok(all(s.split(' ')[0] in ('GET', 'POST') and s.endswith(' HTTP/1.0') for s in seen)
         and {s.split(' ')[1].split('?')[0] for s in seen} <=
         {'/containers/json', f'/containers/{relay.CID}/json',
          f'/containers/{relay.CID}/stop'},
         'the engine heard only the three requests the helper may make: %r' % sorted(set(seen)))
finally:
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    for path in (SOCKET,):
        try:
            os.unlink(path)
        except OSError:
            pass
    subprocess.run(['rm', '-rf', work])
sys.exit(t.done())
