#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-containers-forwarded.py — a published port that no program holds (issue 10, point 3).
# Older Docker without its proxy, nerdctl/CNI and `systemd-nspawn --port` forward a port by
# the firewall's DNAT alone; Docker 26 and Podman 5 here always keep a host socket
# (REAL-COMPONENTS.md), so an engine's API is played by a small HTTP server on
# /run/docker.sock inside a sandbox (tests/phcontainers.py): it lists a running container
# that publishes two ports, one held by a real listener there and one held by nothing.
import json
import os
import sys
import time

import phcontainers as pc
import porthole_test as pt

tap = pt.Tap()

ENGINE = r'''
import json, os, socket, sys
held, free = int(sys.argv[1]), int(sys.argv[2])
body = json.dumps([{
    "Id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "Names": ["/legacy-db"], "Image": "postgres:9", "State": "running",
    "Ports": [{"IP": "127.0.0.1", "PrivatePort": 5432, "PublicPort": free, "Type": "tcp"},
              {"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": held, "Type": "tcp"},
              {"PrivatePort": 6379, "Type": "tcp"}]}]).encode()
s = socket.socket(socket.AF_UNIX)
s.bind("/run/docker.sock")
s.listen(8)
lis = socket.socket()
lis.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lis.bind(("127.0.0.1", held))
lis.listen(8)
print("READY", flush=True)
while True:
    c, _ = s.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nServer: Docker/19.03\r\n"
    head += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    c.sendall(head + body)
    c.close()
'''


def main():
    t0 = time.monotonic()
    held = pc.pick_port()
    free = held + 1
    sb = pc.Sandbox('forwarded', diag=tap.diag)
    try:
        sb.spawn(['python3', '-c', ENGINE, str(held), str(free)],
                 log=os.path.join(sb.dir, 'engine.log'))
        if not sb.wait_socket('/run/docker.sock', 10) or \
                not pt.wait_for(lambda: not pc.port_free_inside(sb, held), 10, 0.05):
            pt.bail('the stand-in engine did not start')
        r = sb.run([pt.porthole(), '--list', '--json'])
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            doc = {}
        fwd = doc.get('forwarded')
        tap.ok(isinstance(fwd, list), 'porthole --list --json has a "forwarded" list',
               diag=r.stdout[-1500:] + r.stderr[-1500:])
        fwd = fwd or []
        mine = [f for f in fwd if f.get('port') == free]
        tap.ok(len(mine) == 1 and mine[0]['name'] == 'legacy-db'
               and mine[0]['container_port'] == 5432 and mine[0]['address'] == '127.0.0.1'
               and mine[0]['engine'] == 'docker' and mine[0]['image'] == 'postgres:9'
               and 'no program listens on this computer' in mine[0]['note'],
               'the port no program holds is listed under “legacy-db” → 5432, forwarded '
               'by the firewall: %r' % mine)
        tap.ok(not [f for f in fwd if f.get('port') == held],
               'the published port a program does hold is not listed as forwarded')
        tap.ok(len(fwd) == 1, 'an exposed port that is not published is not listed either')
        table = sb.run([pt.porthole(), '--list']).stdout
        tap.ok(('legacy-db — Docker · postgres:9' in table and
                '127.0.0.1:%d tcp → 5432: forwarded by the firewall' % free in table),
               'porthole --list shows it under the container', diag=table)
        r = sb.run([pt.porthole(), 'free', '--yes', '127.0.0.1:%d' % free])
        tap.ok(r.returncode == 4 and 'legacy-db' in r.stdout and 'docker stop' in r.stdout,
               'porthole free on it: nothing listens (exit %d), and it names the container '
               'and how to stop it' % r.returncode, diag=r.stdout + r.stderr)
    finally:
        sb.close()
    tap.ok(not pt.proc_alive(sb.holder.pid) and not os.path.exists(sb.dir), 'nothing left behind')
    tap.diag('test-containers-forwarded: %.1f s' % (time.monotonic() - t0))
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
