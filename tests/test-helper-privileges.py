#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-privileges.py — run unprivileged (setpriv), the helper still reports other
# users' sockets: hidden, with their uid and user name, never dropped.
import os
import pwd
import shutil
import sys

import porthole_test as pt

tap = pt.Tap()

SETPRIV = shutil.which('setpriv')
if os.geteuid() != 0 or SETPRIV is None:
    tap.skip_all('needs root and setpriv')

NOBODY = 65534
AS_NOBODY = [SETPRIV, '--reuid', str(NOBODY), '--regid', str(NOBODY), '--clear-groups']
try:
    NOBODY_NAME = pwd.getpwuid(NOBODY).pw_name
except KeyError:
    NOBODY_NAME = None


def main():
    root_lis = pt.Listener('tcp:127.0.0.1:0', 'udp:[::1]:0', fork=1)
    user_lis = pt.Listener('tcp:127.0.0.1:0', prefix=AS_NOBODY)
    try:
        for source in ('netlink', 'procfs'):
            env = {'PORTHOLE_HELPER_SOURCE': source}
            st, recs, rc, err = pt.watch_once(env=env, prefix=AS_NOBODY)
            tap.ok(rc == 0 and st.hello is not None and st.hello.i('euid') == NOBODY,
                   '%s: the helper runs as uid %d (%s)' % (source, NOBODY, err.strip()))
            for proto, addr, port, inode in root_lis.sockets:
                s = st.socks.get(inode)
                if not tap.ok(s is not None, '%s: root\'s %s %s:%d is still reported'
                              % (source, proto, addr, port)):
                    continue
                tap.ok(s.i('hidden') == 1 and s.i('kernel') == 0 and s.owners() == [],
                       '%s: its owners are hidden, not "the kernel" (%r)' % (source, s))
                tap.ok(s.i('uid') == 0 and s.s('user') == 'root',
                       '%s: with uid 0 and user name root' % source)
            tap.ok(all(st.proc(p) is None for p in root_lis.pids),
                   '%s: no PROC for processes it cannot see into' % source)

            s = st.socks.get(user_lis.sockets[0][3])
            tap.ok(s is not None and [o[0] for o in s.owners()] == [user_lis.pid]
                   and s.i('hidden') == 0 and s.i('uid') == NOBODY,
                   '%s: its own user\'s socket has its owner' % source)
            p = st.proc(user_lis.pid)
            tap.ok(p is not None and p.i('uid') == NOBODY and p.s('user') == NOBODY_NAME,
                   '%s: PROC of its own user\'s process, user %s' % (source, NOBODY_NAME))

            # And root sees the other user's socket with its owner and name.
            st, recs, rc, err = pt.watch_once(env=env)
            s = st.socks.get(user_lis.sockets[0][3])
            tap.ok(s is not None and s.i('uid') == NOBODY and s.s('user') == NOBODY_NAME
                   and [o[0] for o in s.owners()] == [user_lis.pid] and s.i('hidden') == 0,
                   '%s: root sees uid %d\'s socket with its owner' % (source, NOBODY))
    finally:
        root_lis.kill()
        user_lis.kill()
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
