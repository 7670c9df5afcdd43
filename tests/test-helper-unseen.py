#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-unseen.py — a socket whose holder the helper cannot see is "not visible from
# here" (unseen=pid-namespace), never the kernel's, and one that nobody holds is the
# kernel's only when the helper can see every process.
import os
import shutil
import socket
import sys

import porthole_test as pt

tap = pt.Tap()

INIT_PID_NS = 'pid:[4026531836]'


def sees_every_process():
    """Whether this test (and a helper it starts) runs in the system's first PID namespace
    with that namespace's /proc: only then can a helper see every process."""
    try:
        with open('/proc/self/status') as f:
            nspid = [line.split()[1:] for line in f if line.startswith('NSpid:')]
        return os.readlink('/proc/self/ns/pid') == INIT_PID_NS and len(nspid[0]) == 1
    except (OSError, IndexError):
        return False


def test_child_namespace(lis):
    """The helper in a PID namespace of its own, with its own /proc, and a listener this
    test started outside it: the helper sees the socket (same network namespace) but no
    process of ours, and says so rather than blame the kernel."""
    unshare = shutil.which('unshare')
    what = 'a helper in a child PID namespace: the listener outside it is unseen=pid-namespace'
    if unshare is None:
        tap.skip(what, 'unshare is not installed')
        return
    # /proc is made private in the new mount namespace first, so the new proc mount on
    # top of it can never propagate back to the system's (unshare --mount-proc would make
    # / private, which a chroot such as the build root refuses).
    script = ('mount --make-private /proc 2>/dev/null || exit 77; '
              'mount -t proc proc /proc || exit 77; exec "$@"')
    st, recs, rc, err = pt.watch_once(
        prefix=[unshare, '--pid', '--fork', '--mount', '--propagation', 'unchanged',
                'sh', '-c', script, 'sh'])
    if rc == 77 or st.hello is None:
        tap.skip(what, 'cannot make a PID namespace with its own /proc here (%s)' % err.strip())
        return
    for proto, addr, port, inode in lis.sockets:
        s = st.socks.get(inode)
        tap.ok(s is not None and s.s('unseen') == 'pid-namespace' and s.i('kernel') == 0
               and s.i('hidden') == 0 and s.owners() == [],
               '%s %s:%d, held by a process outside the helper\'s PID namespace: '
               'unseen=pid-namespace, kernel=0, hidden=0 (%r)' % (proto, addr, port, s))
    tap.ok(all(st.proc(p) is None for p in lis.pids),
           'no PROC for processes outside its namespace')


def in_flight_listener():
    """A TCP listener no process holds: its only reference is a message in flight on a
    UNIX socket pair (SCM_RIGHTS) that this test keeps, with the listener's own descriptor
    closed. The kernel keeps it listening; no /proc/PID/fd names it."""
    lis = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lis.bind(('127.0.0.1', 0))
    lis.listen(4)
    port = lis.getsockname()[1]
    inode = os.fstat(lis.fileno()).st_ino
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    socket.send_fds(a, [b'x'], [lis.fileno()])
    lis.close()
    return (a, b), port, inode


def test_nobody_holds(lis):
    pair, port, inode = in_flight_listener()
    try:
        st, recs, rc, err = pt.watch_once()
        tap.ok(rc == 0, 'the helper runs in the test\'s own namespace (%s)' % err.strip())
        s = st.socks.get(lis.sockets[0][3])
        tap.ok(s is not None and lis.pid in [o[0] for o in s.owners()]
               and s.i('kernel') == 0 and not s.has('unseen'),
               'a listener held by a process in view has it as owner, no unseen= (%r)' % s)
        s = st.socks.get(inode)
        if sees_every_process():
            tap.ok(s is not None and s.i('kernel') == 1 and s.i('hidden') == 0
                   and not s.has('unseen') and s.owners() == [],
                   'a listener nobody holds (only in flight), seen from the system\'s first '
                   'PID namespace: kernel=1 (%r)' % s)
        else:
            tap.diag('this test runs in a PID namespace of its own (build-aux/dev gives the '
                     'suite one): the helper cannot know that nobody outside holds it')
            tap.ok(s is not None and s.s('unseen') == 'pid-namespace' and s.i('kernel') == 0
                   and s.owners() == [],
                   'a listener nobody holds (only in flight), seen from a PID namespace of '
                   'its own: unseen=pid-namespace, not kernel=1 (%r)' % s)
    finally:
        for sock in pair:
            sock.close()


def main():
    lis = pt.Listener('tcp:127.0.0.1:0', 'udp:[::1]:0', fork=1)
    try:
        test_child_namespace(lis)
        test_nobody_holds(lis)
    finally:
        lis.kill()
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
