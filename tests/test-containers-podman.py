#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-containers-podman.py MODE — a port published by the real Podman 5 (issue 10):
#   rootful   conmon holds it (a reservation socket; traffic goes by nftables DNAT)
#   rootless  pasta holds it, as an unprivileged user with the user's own API service
#   no-api    rootful, with the API socket unreadable and then not running: the container's
#             name is guessed from conmon's arguments, with the sentence saying how to
#             give Porthole access; Porthole stops nothing
# Each run is in a sandbox of its own (tests/phcontainers.py: own mount and network
# namespaces, the API socket at its real path); the Porthole command line runs there.
import os
import sys
import time

import phcontainers as pc
import porthole_test as pt

tap = pt.Tap()
MODE = sys.argv[1] if len(sys.argv) > 1 else 'rootful'
USER = ('phpodman', 61201)


def run_container(sb, port, env, user):
    r = sb.run(['podman', 'import', sb.tar, 'localhost/shop:1'], env=env, user=user)
    if r.returncode != 0:
        pt.bail('podman import failed: ' + r.stderr[-1500:])
    args = ['podman', 'run', '-d', '--init', '--name', 'shop-db', '-p',
            '127.0.0.1:%d:8000' % port]
    if user is None:
        args += ['--cgroup-parent', '/' + sb.cgroup_parent]
    r = sb.run(args + ['localhost/shop:1'] + pc.IMAGE_CMD, env=env, user=user)
    if r.returncode != 0:
        pt.bail('podman run failed: ' + r.stderr[-1500:])


def start_api(sb, env, user, path):
    sb.run(['mkdir', '-p', os.path.dirname(path)], user=user)
    p = sb.spawn(['podman', 'system', 'service', '--time=0', 'unix://' + path], env=env,
                 user=user, log=os.path.join(sb.dir, 'api.log'))
    if not sb.wait_socket(path, 20):
        pt.bail('the Podman API service did not start')
    return p


def main():
    t0 = time.monotonic()
    port = pc.pick_port()
    sb = pc.Sandbox('podman-' + MODE, diag=tap.diag)
    pause_pid = None
    try:
        if MODE == 'rootless':
            user = USER[1], USER[1]
            env = pc.podman_env(sb, pc.add_user(sb, *USER))
            sock = '/run/user/%d/podman/podman.sock' % USER[1]
        else:
            user = None
            env = pc.podman_env(sb)
            sock = '/run/podman/podman.sock'
        api = start_api(sb, env, user, sock)
        run_container(sb, port, env, user)
        tap.diag('podman (%s) ready in %.1f s' % (MODE, time.monotonic() - t0))
        state = ['podman', 'inspect', '--format', '{{.State.Status}}', 'shop-db']
        if MODE == 'rootful':
            # The Flatpak's way first (issue 10, point 4): the same facts through the
            # helper's `engine` relay, from the real Podman API (no stand-in).
            relayed, r = pc.porthole_json(sb, env=dict(env, PORTHOLE_CONTAINERS_RELAY='1'))
            cont = (pc.service_on(relayed, port) or {}).get('container') or {}
            tap.ok(cont.get('name') == 'shop-db' and cont.get('engine') == 'podman'
                   and cont.get('container_port') == 8000 and cont.get('guessed') is False,
                   'rootful Podman through the helper\'s engine relay: shop-db, port 8000, '
                   'from the API (%r)' % cont, diag=r.stdout[-2000:] + r.stderr[-2000:])
            pc.check_engine(tap, sb, 'rootful Podman', port, 'conmon', 'podman', False, state,
                            env=env)
        elif MODE == 'rootless':
            pc.check_engine(tap, sb, 'rootless Podman', port, 'pasta.avx2'
                            if 'pasta.avx2' in {v[0] for v in pc.processes().values()}
                            else 'pasta', 'podman', True, state, user=user, env=env)
        else:
            check_guessed(sb, port, env, sock, api)
        if MODE == 'rootless':
            pause = sb.path('/run/user/%d/libpod/tmp/pause.pid' % USER[1])
            if os.path.exists(pause):
                with open(pause) as f:
                    pause_pid = int(f.read().strip())
        sb.run(['podman', 'rm', '-f', '-t', '0', 'shop-db'], env=env, user=user)
    finally:
        sb.close()
        # rootless Podman's pause process (catatonit) outlives everything else
        if pause_pid is not None and pt.proc_alive(pause_pid):
            os.kill(pause_pid, 9)
    tap.ok(not pc.leftover_cgroups(sb.cgroup_parent) and not os.path.exists(sb.dir)
           and not pt.proc_alive(sb.holder.pid),
           'nothing left behind: no cgroup, no sandbox folder, the namespaces are gone')
    tap.diag('test-containers-podman %s: %.1f s' % (MODE, time.monotonic() - t0))
    return tap.done()


def check_guessed(sb, port, env, sock, api):
    """The API socket unreadable, then not running: a guess from conmon's arguments."""
    conmons = sb.inside(pc.engine_processes(("conmon",)))
    sb.run(['chmod', '000', sock], check=True)
    # Porthole as root but without the capabilities that pass file permissions: the
    # socket is as unreadable to it as /run/docker.sock is to a user outside the group.
    nocaps = ['setpriv', '--inh-caps=-all', '--bounding-set=-dac_override,-dac_read_search',
              '--']
    r = sb.run(nocaps + [pt.porthole(), '--list', '--json'], env=env)
    import json
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = None
    svc = pc.service_on(doc, port)
    cont = (svc or {}).get('container') or {}
    group = pc.group_of(doc, (svc or {}).get('group')) or {}
    tap.ok(svc is not None and svc['owners'] and svc['owners'][0]['comm'] == 'conmon',
           'socket unreadable: the port is listed, held by conmon', diag=r.stderr[-2000:])
    tap.ok(group.get('name') == 'shop-db' and cont.get('guessed') is True
           and 'guessed' in (group.get('subtitle') or ''),
           'socket unreadable: grouped under the name guessed from conmon -n (%r, %r)'
           % (group, cont))
    hint = cont.get('access_hint') or ''
    tap.ok('administrator' in hint and '/run/podman/podman.sock' in hint and 'shop-db' in hint,
           'socket unreadable: the sentence says who may use the socket and what to run: %r'
           % hint)
    table = sb.run(nocaps + [pt.porthole(), '--list'], env=env).stdout
    tap.ok(hint and hint in table, 'socket unreadable: porthole --list prints the sentence',
           diag=table)
    r = sb.run(nocaps + [pt.porthole(), 'free', '--yes', '--json', '127.0.0.1:%d' % port],
               env=env)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        res = {}
    tap.ok(r.returncode == 3 and res.get('outcome') == 'refused' and not pc.port_free_inside(sb, port),
           'socket unreadable: porthole free refuses (exit %d) and the port stays held'
           % r.returncode, diag=r.stdout + r.stderr)
    alive = [pid for pid, v in conmons.items() if pt.proc_alive(pid) and pt.start_time(pid) == v[1]]
    tap.ok(conmons and len(alive) == len(conmons), 'socket unreadable: conmon was not signalled')

    # the API service stopped: the socket file stays, nobody answers
    api.terminate()
    api.wait(10)
    sb.run(['chmod', '600', sock])
    doc, r = pc.porthole_json(sb, env=env)
    svc = pc.service_on(doc, port)
    cont = (svc or {}).get('container') or {}
    hint = cont.get('access_hint') or ''
    tap.ok(cont.get('name') == 'shop-db' and cont.get('guessed') is True
           and 'not running' in hint and 'podman.socket' in hint,
           'API service not running: guessed name, and how to start it: %r' % hint,
           diag=r.stderr[-1000:])


if __name__ == '__main__':
    sys.exit(main())
