#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-containers-relay.py — the engines asked through the helper (issue 10, point 4), as
# the Flatpak does: `porthole-helper engine SOCKET list | inspect ID | stop ID SECONDS`
# makes exactly those requests and passes the answers on (flatpak/README.md, "Containers").
# PORTHOLE_CONTAINERS_RELAY=1 makes the native app go through it, so the whole path (app →
# helper → engine → helper → app) runs here; tests/flatpak/test-containers.py runs it in a
# real sandbox, through flatpak-spawn --host.
#
# The engine is a stand-in on /run/docker.sock in a sandbox (tests/phcontainers.py): it
# logs every request line, answers the list chunked (as Go's HTTP server may), stops the
# container by ending its "docker-proxy" (Python started under that name), and says so
# when inspected. One published port is held by that proxy, one by nothing (forwarded).
# Why a stand-in, not a real engine: this test must show which requests pass the relay and
# that nothing else does, which only a recording server can tell; the same relay is run
# against the real rootful Podman API in test-containers-podman (the facts read through it).
# A stop through the relay is tested only here.
import json
import os
import sys

import phcontainers as pc
import porthole_test as pt

tap = pt.Tap()
CID = 'c0ffee' * 10 + 'beef'

# The engine's answers (argv: HELD FREE PROXY-PID LOG CID), after phcontainers.STANDIN_SERVER.
ENGINE = r'''
held, free, proxy_pid, log = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
CID = sys.argv[5]
running = True


def answer(line):
    global running
    with open(log, "a") as f:
        f.write(line + "\n")
    method, path = line.split(" ")[:2]
    if method == "GET" and path == "/containers/json":
        return "200 OK", "", json.dumps([{
            "Id": CID, "Names": ["/relay-db"], "Image": "postgres:16",
            "State": "running" if running else "exited",
            "Ports": [{"IP": "127.0.0.1", "PrivatePort": 5432, "PublicPort": held, "Type": "tcp"},
                      {"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": free, "Type": "tcp"}]
                     if running else []}]).encode(), True
    if method == "POST" and path.startswith("/containers/" + CID + "/stop"):
        if running:
            os.kill(proxy_pid, signal.SIGTERM)
        running = False
        return "204 No Content", "", b"", False
    if method == "GET" and path == "/containers/" + CID + "/json":
        return "200 OK", "", json.dumps({"Id": CID, "State": {"Running": running},
                                         "HostConfig": {"RestartPolicy": {"Name": "always"}}}
                                        ).encode(), False
    return "404 Not Found", "", b'{"message": "no such container"}', False


serve(answer)
'''

PROXY = r'''
import signal, socket, sys
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
while True:
    s.accept()[0].close()
'''


def helper_result(sb, *args):
    r = sb.run([pt.helper(), 'engine'] + list(args))
    rec = {}
    for line in r.stdout.splitlines():
        fields = line.split('\t')
        if fields[0] == 'RESULT':
            rec = dict(f.split('=', 1) for f in fields[1:] if '=' in f)
    return r, rec


def main():
    held = pc.pick_port()
    free = held + 1
    with pc.sandbox(tap, 'relay', 'test-containers-relay') as sb:
        log = os.path.join(sb.dir, 'requests.log')
        proxy_link = os.path.join(sb.dir, 'docker-proxy')
        os.symlink('/usr/bin/python3', proxy_link)
        proxy = sb.spawn([proxy_link, '-c', PROXY, str(held)],
                         log=os.path.join(sb.dir, 'proxy.log'))
        if not pt.wait_for(lambda: pc.port_listening_inside(sb, held), 30, 0.1):
            pt.bail('the stand-in docker-proxy did not start')
        pc.spawn_engine(sb, ENGINE, [held, free, proxy.pid, log, CID])

        # The helper's verb alone.
        r, rec = helper_result(sb, '/run/docker.sock', 'list')
        body = rec.get('body', '').replace('\\"', '"')
        tap.ok(r.returncode == 0 and rec.get('status') == '200' and rec.get('podman') == '0'
               and '"/relay-db"' in body and 'socket' in rec,
               'engine list: the status and the whole (de-chunked) body come back in RESULT',
               diag=r.stdout[-1500:] + r.stderr[-500:])
        r, rec = helper_result(sb, '/run/podman/podman.sock', 'list')
        tap.ok(r.returncode == 0 and rec.get('errno') == '2' and 'status' not in rec,
               'engine on a socket that does not exist: RESULT with errno=2 (%r)' % rec)
        refused = []
        for args in (['/tmp/other.sock', 'list'], ['/run/docker.sock', 'inspect', '../x'],
                     ['/run/docker.sock', 'stop', CID + '/../../x', '1'],
                     ['/run/docker.sock', 'stop', CID, '9999'],
                     ['/run/docker.sock', 'GET', '/images/json'],
                     ['/run/docker.sock', 'list', 'extra']):
            r, rec = helper_result(sb, *args)
            if r.returncode != 2 or rec:
                refused.append((args, r.returncode))
        with open(log) as f:
            seen = f.read().splitlines()
        tap.ok(not refused and seen == ['GET /containers/json HTTP/1.0'],
               'engine refuses other sockets, other requests and odd IDs before connecting '
               '(exit 2), and asked the engine exactly once: %r %r' % (refused, seen))

        # The app through the relay.
        env = {'PORTHOLE_CONTAINERS_RELAY': '1'}
        doc, r = pc.porthole_json(sb, env=env)
        svc = pc.service_on(doc, held)
        cont = (svc or {}).get('container') or {}
        group = pc.group_of(doc, (svc or {}).get('group')) or {}
        tap.ok(svc is not None and svc['owners'] and svc['owners'][0]['comm'] == 'docker-proxy'
               and cont.get('name') == 'relay-db' and cont.get('guessed') is False
               and cont.get('container_port') == 5432 and group.get('name') == 'relay-db',
               'relayed: the port docker-proxy holds is grouped under “relay-db” → 5432, named '
               'by the API (%r)' % cont, diag=r.stdout[-1500:] + r.stderr[-1500:])
        fwd = [f for f in (doc or {}).get('forwarded', []) if f.get('port') == free]
        tap.ok(len(fwd) == 1 and fwd[0].get('name') == 'relay-db',
               'relayed: the port nothing holds is listed as forwarded to “relay-db”')
        r = sb.run([pt.porthole(), 'free', '--yes', '--json', '127.0.0.1:%d' % held], env=env)
        try:
            res = json.loads(r.stdout)
        except ValueError:
            res = {}
        with open(log) as f:
            seen = f.read().splitlines()
        stops = [s for s in seen if s.startswith('POST ')]
        tap.ok(r.returncode == 0 and res.get('outcome') == 'freed' and res.get('signal') is None
               and stops == ['POST /containers/%s/stop?t=3 HTTP/1.0' % CID]
               and 'GET /containers/%s/json HTTP/1.0' % CID in seen,
               'relayed: porthole free stops the container through the helper (one POST '
               '…/stop, then an inspect) and the port is free (exit %d)' % r.returncode,
               diag=r.stdout[-1500:] + r.stderr[-1500:] + repr(seen))
        tap.ok(pc.port_free_inside(sb, held), 'the port can be bound again')
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
