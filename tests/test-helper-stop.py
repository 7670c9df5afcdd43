#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-stop.py — `porthole-helper stop` frees ports held by real processes, and
# refuses to signal the wrong one.
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import porthole_test as pt

tap = pt.Tap()


def stop(pid, start, inode, *extra, prefix=()):
    args = ['stop', '--pid', str(pid), '--start-time', str(start), '--inode', str(inode)]
    rc, recs, err = pt.run_helper(args + list(extra), prefix=prefix)
    result = [r for r in recs if r.type == 'RESULT']
    if err.strip():
        tap.diag(err.strip())
    return rc, (result[-1] if result else None), recs


def pairs(value):
    return sorted(tuple(int(x) for x in p.split(':')) for p in value.split(',') if p)


def can_bind(family, addr, port, kind=socket.SOCK_STREAM):
    s = socket.socket(family, kind)
    try:
        s.bind((addr, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_frees():
    lis = pt.Listener('tcp:127.0.0.1:0')
    proto, addr, port, inode = lis.sockets[0]
    start = pt.start_time(lis.pid)
    tap.ok(not can_bind(socket.AF_INET, addr, port), 'the port %d is taken before' % port)
    rc, res, recs = stop(lis.pid, start, inode)
    tap.ok(recs and recs[0].type == 'HELLO', 'stop: HELLO first')
    tap.ok(rc == 0 and res is not None and res.s('outcome') == 'freed',
           'stop frees a port: outcome freed, exit 0 (%s, %r)' % (rc, res))
    if res is not None:
        tap.ok(res.i('pid') == lis.pid and res.i('inode') == inode and res.s('signal') == 'TERM'
               and pairs(res.s('signalled', '')) == [(lis.pid, start)] and res.s('holders') == ''
               and res.has('message'),
               'RESULT names the pid, inode, TERM, whom it signalled, no holder left')
    tap.ok(pt.wait_dead([lis.pid], 5), 'the listener exited')
    tap.ok(can_bind(socket.AF_INET, addr, port), 'the port %d can be bound again' % port)
    lis.kill()


def test_udp_v6():
    lis = pt.Listener('udp:[::1]:0')
    proto, addr, port, inode = lis.sockets[0]
    rc, res, _ = stop(lis.pid, pt.start_time(lis.pid), inode, '--grace', '5000')
    tap.ok(rc == 0 and res.s('outcome') == 'freed', 'stop frees a UDP port on ::1')
    tap.ok(can_bind(socket.AF_INET6, '::1', port, socket.SOCK_DGRAM),
           'UDP [::1]:%d can be bound again' % port)
    lis.kill()


def test_forked():
    # Children that outlive their parent, so only the helper can have ended them.
    lis = pt.Listener('tcp:127.0.0.1:0', fork=2, orphan_children=True)
    proto, addr, port, inode = lis.sockets[0]
    want = sorted((p, pt.start_time(p)) for p in lis.pids)
    # Ask with a child's PID: every holder must go all the same.
    child = lis.children[1]
    rc, res, _ = stop(child, pt.start_time(child), inode)
    tap.ok(rc == 0 and res.s('outcome') == 'freed', 'a forked listener: freed (%r)' % res)
    tap.ok(pairs(res.s('signalled', '')) == want,
           'every holder (parent and 2 children) was signalled: %s' % res.s('signalled'))
    tap.ok(pt.wait_dead(lis.pids, 5), 'all three processes exited')
    tap.ok(can_bind(socket.AF_INET, addr, port), 'the port is free')
    lis.kill()


def test_stale():
    lis = pt.Listener('tcp:127.0.0.1:0')
    inode = lis.sockets[0][3]
    start = pt.start_time(lis.pid)
    rc, res, _ = stop(lis.pid, start + 1, inode)
    tap.ok(rc == 4 and res.s('outcome') == 'stale',
           'a start time that does not match (a reused PID): stale, exit 4 (%s)' % rc)
    time.sleep(0.1)
    tap.ok(pt.proc_alive(lis.pid) and pt.start_time(lis.pid) == start,
           'the process was not signalled')
    lis.kill()


def test_not_holder():
    a = pt.Listener('tcp:127.0.0.1:0')
    b = pt.Listener('tcp:127.0.0.1:0')
    rc, res, _ = stop(b.pid, pt.start_time(b.pid), a.sockets[0][3])
    tap.ok(rc == 3 and res.s('outcome') == 'not-holder',
           'a process that does not hold the socket: not-holder, exit 3 (%s)' % rc)
    tap.ok(pairs(res.s('holders', '')) == [(a.pid, pt.start_time(a.pid))],
           'the RESULT says who does hold it')
    time.sleep(0.1)
    tap.ok(pt.proc_alive(a.pid) and pt.proc_alive(b.pid), 'neither process was signalled')
    a.kill()
    b.kill()


def test_refused():
    rc, res, _ = stop(1, pt.start_time(1), 1)
    tap.ok(rc == 5 and res.s('outcome') == 'refused', 'PID 1: refused, exit 5')
    tap.ok(pt.proc_alive(1), 'PID 1 is still there')

    kthread = None
    for pid in (2, 3):
        try:
            with open('/proc/%d/stat' % pid, 'rb') as f:
                data = f.read()
            flags = int(data[data.rindex(b')') + 2:].split()[6])
            if flags & 0x00200000:
                kthread = pid
                break
        except (OSError, ValueError):
            pass
    if kthread is None:
        tap.skip('a kernel thread: refused', 'no kernel thread visible in this PID namespace')
    else:
        rc, res, _ = stop(kthread, pt.start_time(kthread), 1)
        tap.ok(rc == 5 and res.s('outcome') == 'refused', 'a kernel thread: refused, exit 5')


def test_engine_helpers():
    """The processes of container engines hold published ports (or run containers): the
    helper never signals them, as a holder or as a supervisor (issue 10)."""
    for name in ('conmon', 'pasta', 'pasta.avx2', 'docker-proxy', 'dockerd', 'rootlessport',
                 'slirp4netns', 'containerd-shim-runc-v2'):
        lis = pt.Listener('tcp:127.0.0.1:0', exec_name=name)
        inode = lis.sockets[0][3]
        start = pt.start_time(lis.pid)
        rc, res, _ = stop(lis.pid, start, inode)
        time.sleep(0.05)
        tap.ok(rc == 5 and res is not None and res.s('outcome') == 'refused'
               and name[:15] in res.s('message', '') and pt.proc_alive(lis.pid)
               and pt.start_time(lis.pid) == start,
               'a holder named %s: refused, exit 5, not signalled (%s, %r)' % (name, rc, res))
        lis.kill()
    # dockerd as the supervisor of a listener (docker-proxy is dockerd's child): a python3
    # started through a link named dockerd runs the listener as its child.
    folder = tempfile.mkdtemp(prefix='ph-engine-')
    link = os.path.join(folder, 'dockerd')
    os.symlink(shutil.which('python3'), link)
    lis = pt.Listener('tcp:127.0.0.1:0', prefix=[link, '-c', 'import subprocess, sys; '
                                                'subprocess.run(sys.argv[1:])'])
    sup = lis.proc.pid
    with open('/proc/%d/comm' % sup) as f:
        comm = f.read().strip()
    start = pt.start_time(lis.pid)
    rc, res, _ = stop(lis.pid, start, lis.sockets[0][3],
                      '--supervisor', '%d:%d' % (sup, pt.start_time(sup)))
    time.sleep(0.05)
    tap.ok(comm == 'dockerd' and rc == 5 and res is not None and res.s('outcome') == 'refused'
           and 'dockerd' in res.s('message', '') and pt.proc_alive(sup)
           and pt.proc_alive(lis.pid) and pt.start_time(lis.pid) == start,
           'dockerd as a supervisor: refused, nothing signalled (%s, %s, %r)' % (comm, rc, res))
    lis.kill()
    shutil.rmtree(folder, ignore_errors=True)


def test_ignore_term():
    lis = pt.Listener('tcp:127.0.0.1:0', ignore_term=True)
    proto, addr, port, inode = lis.sockets[0]
    start = pt.start_time(lis.pid)
    t0 = time.monotonic()
    rc, res, _ = stop(lis.pid, start, inode, '--grace', '500')
    took = time.monotonic() - t0
    tap.ok(rc == 1 and res.s('outcome') == 'still-held',
           'a process that ignores SIGTERM: still-held, exit 1 (%s)' % rc)
    tap.ok(pairs(res.s('holders', '')) == [(lis.pid, start)], 'holders lists it')
    tap.ok(0.4 < took < 5, 'it waited about the grace period (%.2f s)' % took)
    tap.ok(pt.proc_alive(lis.pid), 'TERM alone never escalates to KILL')
    rc, res, _ = stop(lis.pid, start, inode, '--signal', 'KILL')
    tap.ok(rc == 0 and res.s('outcome') == 'freed' and res.s('signal') == 'KILL',
           '--signal KILL frees it')
    tap.ok(pt.wait_dead([lis.pid], 5) and can_bind(socket.AF_INET, addr, port),
           'after KILL the process is gone and the port free')
    lis.kill()


def test_gone():
    p = subprocess.Popen(['true'])
    pid = p.pid
    p.wait()
    rc, res, _ = stop(pid, 1, 1)
    tap.ok(rc == 7 and res.s('outcome') == 'gone', 'a process that exited: gone, exit 7 (%s)' % rc)


def test_usage():
    rc, recs, _ = pt.run_helper(['stop', '--pid', '12'])
    res = [r for r in recs if r.type == 'RESULT']
    tap.ok(rc == 2 and res and res[0].s('outcome') == 'usage', 'missing arguments: usage, exit 2')
    rc, recs, _ = pt.run_helper(['stop', '--pid', 'x', '--start-time', '1', '--inode', '1'])
    tap.ok(rc == 2, 'a PID that is not a number: exit 2')
    rc, recs, _ = pt.run_helper(['stop', '--pid', '5', '--start-time', '1', '--inode', '1',
                                '--signal', 'HUP'])
    tap.ok(rc == 2, 'a signal other than TERM or KILL: exit 2')


def test_permission():
    setpriv = shutil.which('setpriv')
    if os.geteuid() != 0 or setpriv is None:
        tap.skip('another user\'s process: permission', 'needs root and setpriv')
        return
    lis = pt.Listener('tcp:127.0.0.1:0')
    inode = lis.sockets[0][3]
    rc, res, _ = stop(lis.pid, pt.start_time(lis.pid), inode,
                      prefix=[setpriv, '--reuid', '65534', '--regid', '65534', '--clear-groups'])
    tap.ok(rc == 6 and res is not None and res.s('outcome') == 'permission',
           'an unprivileged helper and root\'s process: permission, exit 6 (%s)' % rc)
    time.sleep(0.1)
    tap.ok(pt.proc_alive(lis.pid), 'root\'s process was not signalled')
    lis.kill()


def main():
    test_frees()
    test_udp_v6()
    test_forked()
    test_stale()
    test_not_holder()
    test_refused()
    test_engine_helpers()
    test_ignore_term()
    test_gone()
    test_usage()
    test_permission()
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
