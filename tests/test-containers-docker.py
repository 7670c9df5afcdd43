#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-containers-docker.py MODE — a port published by the real Docker 26 (issue 10):
#   proxy     docker-proxy holds it (the userland proxy, Docker's default)
#   no-proxy  dockerd itself holds a reservation socket (--userland-proxy=false; DNAT)
# dockerd runs in a sandbox of its own (tests/phcontainers.py), its socket at
# /run/docker.sock there, where the Porthole command line runs too.
import os
import sys
import time

import phcontainers as pc
import porthole_test as pt

tap = pt.Tap()
MODE = sys.argv[1] if len(sys.argv) > 1 else 'proxy'


def main():
    t0 = time.monotonic()
    port = pc.pick_port()
    sb = pc.Sandbox('docker-' + MODE, diag=tap.diag)
    try:
        sb.spawn(['dockerd', '--storage-driver=vfs', '-H', 'unix:///run/docker.sock',
                  '--userland-proxy=%s' % ('true' if MODE == 'proxy' else 'false'),
                  '--cgroup-parent=/' + sb.cgroup_parent, '--pidfile=/run/docker.pid'],
                 log=os.path.join(sb.dir, 'dockerd.log'))
        if not pt.wait_for(lambda: sb.run(['docker', 'version']).returncode == 0, 60, 0.2):
            with open(os.path.join(sb.dir, 'dockerd.log')) as f:
                pt.bail('dockerd did not start: ' + f.read()[-1500:])
        r = sb.run(['docker', 'import', sb.tar, 'shop:1'])
        if r.returncode != 0:
            pt.bail('docker import failed: ' + r.stderr[-1500:])
        r = sb.run(['docker', 'run', '-d', '--init', '--name', 'shop-db', '-p',
                    '127.0.0.1:%d:8000' % port, 'shop:1'] + pc.IMAGE_CMD)
        if r.returncode != 0:
            pt.bail('docker run failed: ' + r.stderr[-1500:])
        tap.diag('docker (%s) ready in %.1f s' % (MODE, time.monotonic() - t0))
        pc.check_engine(tap, sb, 'Docker, %s' % MODE, port,
                        'docker-proxy' if MODE == 'proxy' else 'dockerd', 'docker', False,
                        ['docker', 'inspect', '--format', '{{.State.Status}}', 'shop-db'])
        sb.run(['docker', 'rm', '-f', 'shop-db'])
    finally:
        sb.close()
    tap.ok(not pc.leftover_cgroups(sb.cgroup_parent) and not os.path.exists(sb.dir)
           and not pt.proc_alive(sb.holder.pid),
           'nothing left behind: no cgroup, no sandbox folder, the namespaces are gone')
    tap.diag('test-containers-docker %s: %.1f s' % (MODE, time.monotonic() - t0))
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
