#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-containers-forwarded.py — a published port that no program holds (issue 10, point 3).
# Older Docker without its proxy, nerdctl/CNI and `systemd-nspawn --port` forward a port by
# the firewall's DNAT alone; Docker 26 and Podman 5 here always keep a host socket
# (REAL-COMPONENTS.md), so an engine's API is played by a small HTTP server on
# /run/docker.sock inside a sandbox (tests/phcontainers.py): it lists a running container
# that publishes two ports, one held by a real listener there and one held by nothing.
import json
import sys

import phcontainers as pc
import porthole_test as pt

tap = pt.Tap()


def main():
    held = pc.pick_port()
    free = held + 1
    with pc.sandbox(tap, 'forwarded', 'test-containers-forwarded') as sb:
        pc.spawn_engine(sb, pc.LEGACY_ENGINE, [held, free], timeout=10)
        if not pt.wait_for(lambda: pc.port_listening_inside(sb, held), 10, 0.05):
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
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
