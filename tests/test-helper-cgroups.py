#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-cgroups.py — real cgroups made by the test (cgroup v2 and the v1
# name=systemd hierarchy): the helper's PROC says which unit, app or container runs a
# listener. Every cgroup made here is removed again.
import os
import secrets
import sys
import time

import porthole_test as pt

tap = pt.Tap()


def cgroup_mounts():
    """(cgroup2 mount point, v1 name=systemd mount point), either may be None."""
    v2 = v1 = None
    with open('/proc/self/mountinfo') as f:
        for line in f:
            left, _, right = line.partition(' - ')
            fstype, _, opts = right.split()[:3]
            point = left.split()[4]
            if fstype == 'cgroup2' and v2 is None:
                v2 = point
            elif fstype == 'cgroup' and 'name=systemd' in opts.split(','):
                v1 = point
    return v2, v1


V2, V1 = cgroup_mounts()
if os.geteuid() != 0:
    tap.skip_all('making cgroups needs root')
if V2 is None and V1 is None:
    tap.skip_all('no cgroup v2 and no name=systemd hierarchy mounted')

# PIDs repeat between PID namespaces that share this cgroup tree: pick a random number.
N = 100000 + secrets.randbelow(900000)
HEX = secrets.token_hex(32)
made = []   # directories this test created, in creation order


def make_cgroup(root, path):
    full = root
    for part in path.strip('/').split('/'):
        full = os.path.join(full, part)
        if not os.path.isdir(full):
            os.mkdir(full)
            made.append(full)
    return full


def cleanup():
    """Removes what the test made; returns what could not be removed."""
    for d in reversed(made):
        for _ in range(50):
            try:
                os.rmdir(d)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05)   # a process that just exited may still be counted
    left = [d for d in made if os.path.exists(d)]
    made.clear()
    return left


def own_v2_path():
    with open('/proc/self/cgroup') as f:
        for line in f:
            if line.startswith('0::'):
                return line[3:].strip()
    return '/'


# (hierarchy, path, manager, unit, app_id, container, container_kind, slice)
CASES = [
    ('v2', '/user.slice/user-1000.slice/user@1000.service/app.slice/'
     'app-gnome-org.example.Test-%d.scope' % N,
     'app', 'app-gnome-org.example.Test-%d.scope' % N, 'org.example.Test', None, None,
     'app.slice'),
    ('v2', '/system.slice/ph-test-%d.service' % N,
     'system-service', 'ph-test-%d.service' % N, None, None, None, 'system.slice'),
    ('v2', '/app-flatpak-org.example.App-%d.scope' % N,
     'flatpak', 'app-flatpak-org.example.App-%d.scope' % N, 'org.example.App', None, None, None),
    ('v2', '/system.slice/docker-%s.scope' % HEX,
     'container', 'docker-%s.scope' % HEX, None, HEX, 'docker', 'system.slice'),
    ('v2', '/machine.slice/libpod-%s.scope/container' % HEX,
     'container', 'libpod-%s.scope' % HEX, None, HEX, 'libpod', 'machine.slice'),
    ('v2', '/user.slice/user-1000.slice/session-%d.scope' % N,
     'session', 'session-%d.scope' % N, None, None, None, 'user-1000.slice'),
    ('v2', '/user.slice/user-1000.slice/user@1000.service/app.slice/ph-user-%d.service' % N,
     'user-service', 'ph-user-%d.service' % N, None, None, None, 'app.slice'),
    ('v1', '/system.slice/ph-v1-%d.service' % N,
     'system-service', 'ph-v1-%d.service' % N, None, None, None, 'system.slice'),
    ('v1', '/user.slice/user-1000.slice/user@1000.service/app.slice/'
     'app-gnome-org.example.V1-%d.scope' % N,
     'app', 'app-gnome-org.example.V1-%d.scope' % N, 'org.example.V1', None, None, 'app.slice'),
]


def run_case(case):
    kind, path, manager, unit, app_id, container, ckind, slice_ = case
    root = V2 if kind == 'v2' else V1
    label = '%s %s' % (kind, path)
    if root is None:
        tap.skip(label, 'no %s hierarchy' % kind)
        return
    if kind == 'v1' and own_v2_path() != '/':
        tap.skip(label, 'the v2 path is not the root, so v1 is not consulted')
        return
    try:
        full = make_cgroup(root, path)
    except OSError as e:
        tap.skip(label, 'cannot make the cgroup: %s' % e)
        return
    # Join the cgroup before binding, so the socket is made there too.
    wrapper = ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', full]
    try:
        lis = pt.Listener('tcp:127.0.0.1:0', prefix=wrapper)
    except Exception as e:  # noqa: BLE001
        tap.ok(False, '%s: a listener starts inside the cgroup (%s)' % (label, e))
        return
    try:
        st, recs, rc, err = pt.watch_once(env={'PORTHOLE_HELPER_SOURCE': 'netlink'})
        p = st.proc(lis.pid)
        got = None if p is None else (p.s('cgroup'), p.s('manager'), p.s('unit'),
                                      p.s('app_id'), p.s('container'), p.s('container_kind'),
                                      p.s('slice'))
        want = (path, manager, unit, app_id, container, ckind, slice_)
        tap.ok(got == want, '%s → manager=%s unit=%s app_id=%s container=%s'
               % (label, manager, unit, app_id, container and container[:12]))
        if got != want:
            tap.diag('got  %r\nwant %r' % (got, want))
        if kind == 'v2':
            s = st.socks.get(lis.sockets[0][3])
            cgid = os.stat(full).st_ino
            if s is not None and s.has('cgroup'):
                tap.ok(s.i('cgroup') == cgid, '%s: the socket\'s cgroup id is the cgroup\'s (%d)'
                       % (label, cgid))
            else:
                tap.skip('%s: socket cgroup id' % label, 'the kernel does not report it')
    finally:
        lis.kill()


def main():
    try:
        for case in CASES:
            run_case(case)
    finally:
        leftovers = cleanup()
    tap.ok(not leftovers, 'every cgroup the test made is gone %s' % leftovers)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
