#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-containers-systemd.py — Stop Container checks its result (issue 10, point 2): a
# container whose systemd unit has Restart=always comes back after the engine stopped it,
# and Porthole says so, names the unit and points to its lever; a container with Podman's
# own --restart=always stays stopped after an API stop (Podman, like Docker, does not
# restart a container that was stopped on purpose), and Porthole says the port is free.
#
# A real systemd 257 is booted as PID 1 of a PID namespace of our own (tests/phsystemd.py,
# as test-systemd.py). Inside it, with its own network namespace (`ip netns add` there,
# given to the units with NetworkNamespacePath=) and a tmpfs on /var/lib/containers:
#   podman-api.service  `podman system service` on /run/podman/podman.sock
#   shop-db.service     Quadlet's way: `podman run --cgroups=split --sdnotify=conmon -d`,
#                       Type=notify, Restart=always: conmon runs in the unit's cgroup, and
#                       when the container stops, the unit runs it again
#   pol-run.service     a oneshot `podman run -d --restart=always` (conmon in a scope of
#                       its own: only Podman's restart policy could bring it back)
# Porthole (command line) runs inside, in the same namespaces. Found on the way: this
# cgroup2 has no pids controller (hence pids_limit = 0), and an API service entered with
# nsenter instead of started as a unit could not stop shop-db (HTTP 500, "netavark: setns:
# Invalid argument"), so every podman here runs as a unit, in one context.
import json
import os
import subprocess
import sys
import time

import phcontainers as pc
import phsystemd as sdb
import porthole_test as pt


tap = pt.Tap()
NETNS = 'ph-ct-sd'

if os.geteuid() != 0:
    tap.bail('this test boots systemd and must run as root (build-aux/dev test does)')


def main():
    t0 = time.monotonic()
    sd = sdb.Booted(diag=tap.diag)
    port = sdb.free_port()
    pol_port = port + 1
    try:
        if not sd.boot():
            pt.bail('systemd did not boot')
        tap.diag('systemd booted in %.1f s' % (time.monotonic() - t0))
        for cmd in (['mount', '-t', 'tmpfs', 'tmpfs', '/var/lib/containers'],
                    ['ip', 'netns', 'add', NETNS], ['ip', '-n', NETNS, 'link', 'set', 'lo', 'up']):
            r = sd.inside(cmd)
            if r.returncode != 0:
                pt.bail('%s: %s' % (' '.join(cmd), r.stderr))
        conf = os.path.join(sd.dir, 'containers.conf')
        # runc (crun refuses this hybrid-cgroup host); this cgroup2 has no pids controller
        with open(conf, 'w') as f:
            f.write('[containers]\npids_limit = 0\n[engine]\nruntime = "runc"\n'
                    'events_logger = "file"\n')
        os.chmod(conf, 0o644)
        env = ['CONTAINERS_CONF_OVERRIDE=' + conf, 'PODMAN_IGNORE_CGROUPSV1_WARNING=1']
        tar = pc._image_tar(sd.dir)
        r = sd.inside(['podman', 'import', tar, 'localhost/shop:1'], env=env)
        if r.returncode != 0:
            pt.bail('podman import failed: ' + r.stderr[-1500:])
        common = ('Environment=CONTAINERS_CONF_OVERRIDE=%s PODMAN_IGNORE_CGROUPSV1_WARNING=1\n'
                  'NetworkNamespacePath=/run/netns/%s\n' % (conf, NETNS))
        httpd = 'localhost/shop:1 ' + ' '.join(pc.IMAGE_CMD)
        sd.write_unit('podman-api.service', '[Service]\n' + common +
                      'ExecStart=/usr/bin/podman system service --time=0 '
                      'unix:///run/podman/podman.sock\n')
        sd.write_unit('shop-db.service', '[Service]\n' + common +
                      'Environment=PODMAN_SYSTEMD_UNIT=%%n\n'
                      'ExecStart=/usr/bin/podman run --rm --replace --cgroups=split '
                      '--sdnotify=conmon -d --init --name shop-db -p 127.0.0.1:%d:8000 %s\n'
                      'ExecStop=/usr/bin/podman rm -f -i -t 0 shop-db\n'
                      'Type=notify\nNotifyAccess=all\nKillMode=mixed\n'
                      'Restart=always\nRestartSec=1\n' % (port, httpd))
        sd.write_unit('pol-run.service', '[Service]\n' + common +
                      'Type=oneshot\nRemainAfterExit=yes\n'
                      'ExecStart=/usr/bin/podman run -d --init --restart=always --name pol '
                      '-p 127.0.0.1:%d:8000 %s\n' % (pol_port, httpd))
        sd.inside(['systemctl', 'daemon-reload'], check=True)
        for unit in ('podman-api.service', 'shop-db.service', 'pol-run.service'):
            r = sd.inside(['systemctl', 'start', unit])
            if r.returncode != 0:
                tap.diag(sd.inside(['journalctl', '-u', unit, '--no-pager']).stdout[-2000:])
                pt.bail('%s did not start: %s' % (unit, r.stderr))
        if not pt.wait_for(lambda: sd.inside(['test', '-S', '/run/podman/podman.sock'])
                           .returncode == 0, 20, 0.1):
            pt.bail('the Podman API service did not start')
        tap.diag('units up in %.1f s' % (time.monotonic() - t0))
        check_unit_restarts(sd, port, env)
        check_policy_does_not(sd, pol_port, env)
    finally:
        if sd.pid1:
            sd.inside(['sh', '-c', 'systemctl stop shop-db.service pol-run.service; '
                       'podman rm -a -f -t 0 >/dev/null 2>&1; systemctl stop podman-api.service;'
                       ' ip netns del %s' % NETNS], env=['CONTAINERS_CONF_OVERRIDE=' +
                                                         os.path.join(sd.dir, 'containers.conf')])
        sd.shutdown()
    tap.ok(not os.path.isdir(sd.cgroup) and not os.path.exists(sd.dir),
           'nothing left behind: the booted system, its cgroup and folder are gone')
    tap.diag('test-containers-systemd: %.1f s' % (time.monotonic() - t0))
    return tap.done()


def porthole(sd, *args):
    """Porthole's command line inside the booted system, in the units' network namespace."""
    pre = ['nsenter', '-t', str(sd.pid1), '-m', '-p', '-C', '-r', '-w',
           '--net=/proc/%d/root/run/netns/%s' % (sd.pid1, NETNS)]
    return subprocess.run(pre + [pt.porthole()] + list(args), capture_output=True, text=True,
                          timeout=120)


def held(sd, port):
    code = ('import socket\ns = socket.socket()\ntry:\n    s.bind(("127.0.0.1", %d))\n'
            'except OSError:\n    raise SystemExit(1)\n') % port
    return sd.inside(['nsenter', '--net=/run/netns/' + NETNS, 'python3', '-c', code]
                     ).returncode != 0


def main_pid(sd, unit):
    r = sd.inside(['systemctl', 'show', '-P', 'MainPID', unit])
    return r.stdout.strip()


def container_id(sd, name, env):
    r = sd.inside(['podman', 'inspect', '--format', '{{.Id}} {{.State.Status}}', name], env=env)
    return r.stdout.strip() if r.returncode == 0 else ''


def check_unit_restarts(sd, port, env):
    doc = None
    for _ in range(40):
        r = porthole(sd, '--list', '--json')
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            doc = None
        if pc.service_on(doc, port) is not None:
            break
        time.sleep(0.25)
    svc = pc.service_on(doc, port)
    owner = svc['owners'][0] if svc and svc['owners'] else {}
    cont = (svc or {}).get('container') or {}
    tap.ok(owner.get('comm') == 'conmon' and cont.get('name') == 'shop-db'
           and cont.get('guessed') is False,
           'unit: conmon holds 127.0.0.1:%d for the container “shop-db”, named by the API (%r)'
           % (port, cont), diag=(r.stdout + r.stderr)[-2000:])
    api_pid = main_pid(sd, 'podman-api.service')
    before = container_id(sd, 'shop-db', env)

    r = porthole(sd, 'free', '--yes', '--json', '127.0.0.1:%d' % port)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        res = {}
    message = res.get('message') or ''
    tap.ok('The systemd unit shop-db.service started this container and starts it again when '
           'it stops (Restart=always)' in r.stderr,
           'unit: before stopping, porthole free says the unit will start it again',
           diag=r.stderr[-2000:])
    tap.ok(r.returncode == 1 and res.get('outcome') == 'still-held' and res.get('signal') is None
           and (res.get('holders') or [{}])[0].get('lever') == 'container',
           'unit: Stop Container went through the API, nothing was signalled, and the port is '
           'held again (exit %d, %s)' % (r.returncode, res.get('outcome')),
           diag=r.stdout[-2000:] + r.stderr[-2000:])
    tap.ok('the systemd unit shop-db.service (Restart=always) started it again' in message
           and message.endswith('Stop the unit instead: systemctl stop shop-db.service'),
           'unit: it says the unit brought it back and how to stop the unit: %r' % message)
    after = container_id(sd, 'shop-db', env)
    tap.ok(before and after and after.split()[0] != before.split()[0]
           and after.endswith('running'),
           'unit: it is true: the unit ran a new shop-db container (%s → %s)'
           % (before[:12], after[:12]))
    tap.ok(api_pid and main_pid(sd, 'podman-api.service') == api_pid,
           'unit: the Podman API service was not signalled (PID %s)' % api_pid)

    # The lever Porthole pointed to frees the port, and it stays free.
    r = sd.inside(['systemctl', 'stop', 'shop-db.service'])
    free = pt.wait_for(lambda: not held(sd, port), 15, 0.1)
    time.sleep(2.5)
    tap.ok(r.returncode == 0 and free and not held(sd, port),
           'unit: systemctl stop shop-db.service frees 127.0.0.1:%d for good' % port,
           diag=r.stderr)


def check_policy_does_not(sd, port, env):
    t0 = time.monotonic()
    r = porthole(sd, 'free', '--yes', '--json', '127.0.0.1:%d' % port)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        res = {}
    tap.ok(r.returncode == 0 and res.get('outcome') == 'freed' and res.get('signal') is None
           and 'systemd unit' not in r.stderr,
           'policy: porthole free stops the container “pol” (--restart=always) and says the '
           'port is free (exit %d, %s)' % (r.returncode, res.get('outcome')),
           diag=r.stdout[-1500:] + r.stderr[-1500:])
    time.sleep(max(0.0, 3.0 - (time.monotonic() - t0)))
    state = container_id(sd, 'pol', env)
    tap.ok(state.endswith('exited') and not held(sd, port),
           'policy: 3 s later Podman has not restarted it (%r) and the port is free: a '
           'restart policy does not undo an API stop' % state)


if __name__ == '__main__':
    sys.exit(main())
