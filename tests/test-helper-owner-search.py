#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-owner-search.py — the helper finds the holder of a new socket in a process it
# already knows, whether or not that process's number of open files changed meanwhile.
import os
import socket
import sys

import porthole_test as pt

tap = pt.Tap()


def listen():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(('127.0.0.1', 0))
    s.listen(4)
    return s


def inode(s):
    return os.fstat(s.fileno()).st_ino


def fd_count():
    """Open files of this process as Linux 6.2 and later report them (0 before)."""
    return os.stat('/proc/self/fd').st_size


def owners_of(recs, ino):
    for r in recs:
        if r.type == 'SOCK' and r.i('id') == ino:
            return [o[0] for o in r.owners()]
    return None


def walked(recs):
    return recs[-1].i('walked') if recs and recs[-1].type == 'END' else None


def kept_fd_dirs(helper_pid):
    """The /proc/PID/fd directories the helper keeps open (the holders' fd counts)."""
    kept = set()
    for name in os.listdir('/proc/%d/fd' % helper_pid):
        try:
            link = os.readlink('/proc/%d/fd/%s' % (helper_pid, name))
        except OSError:
            continue
        parts = link.split('/')
        if len(parts) == 4 and parts[1] == 'proc' and parts[2].isdigit() and parts[3] == 'fd':
            kept.add(int(parts[2]))
    return kept


def test_kept_fd_dirs():
    """A holder's fd directory stays open in the helper (its number of open files is then
    one fstat away), and is closed once the holder is gone."""
    me = os.getpid()
    held = listen()
    r, wfd = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(wfd)
        s = listen()
        os.read(r, 1)
        s.close()
        os._exit(0)
    os.close(r)
    w = pt.Watcher()
    try:
        recs = w.refresh()
        kept = kept_fd_dirs(w.p.pid)
        tap.ok(me in kept and child in kept,
               'the helper keeps the fd directories of both holders open', repr(sorted(kept)))
        holders = {pid for (pid, _) in w.state.procs}
        tap.ok(kept <= holders, 'it keeps only holders\' fd directories',
               repr((sorted(kept), sorted(holders))))
        os.write(wfd, b'x')
        os.waitpid(child, 0)
        recs = w.refresh()
        tap.ok(child not in kept_fd_dirs(w.p.pid),
               'the fd directory of a holder that ended is closed', repr(recs))
        tap.ok(me in kept_fd_dirs(w.p.pid), 'the other holder\'s stays open')
    finally:
        os.close(wfd)
        rc = w.close()
        held.close()
    tap.ok(rc == 0, 'watch ends with status 0 (got %s)' % rc)


def test_old_process(source, env):
    me = os.getpid()
    held = listen()
    spare = os.open('/dev/null', os.O_RDONLY)
    w = pt.Watcher(env=env)
    extra = []
    try:
        tap.ok(owners_of(w.first, inode(held)) == [me],
               '%s: the first snapshot has our listener with us as its holder' % source)

        # One more listener: our number of open files grows.
        before = fd_count()
        s2 = listen()
        extra.append(s2)
        recs = w.refresh()
        tap.diag('%s: open files %d -> %d; the refresh walked %s processes'
                 % (source, before, fd_count(), walked(recs)))
        tap.ok(owners_of(recs, inode(s2)) == [me],
               '%s: a new listener in a process already walked is found with its holder'
               % source, repr(recs))

        # One file closed and a listener opened in its place: the same number of open
        # files, so the count cannot point at us; the search must still find us.
        before = fd_count()
        os.close(spare)
        spare = -1
        s3 = listen()
        extra.append(s3)
        after = fd_count()
        tap.diag('%s: open files %d -> %d (equal: the count tells nothing)'
                 % (source, before, after))
        recs = w.refresh()
        tap.ok(owners_of(recs, inode(s3)) == [me],
               '%s: a listener that took a closed file\'s place is found with its holder'
               % source, repr(recs))
        tap.ok(owners_of(recs, inode(held)) is None and owners_of(recs, inode(s2)) is None,
               '%s: the sockets that did not change are not sent again' % source)

        # Gone again: GONE for it, and the others keep their holder.
        ino2 = inode(s2)
        s2.close()
        extra.remove(s2)
        recs = w.refresh()
        tap.ok(any(r.type == 'GONE' and r.i('id') == ino2 for r in recs),
               '%s: a closed listener is reported gone' % source, repr(recs))
        tap.ok(w.state.socks.get(inode(s3)) is not None
               and [o[0] for o in w.state.socks[inode(s3)].owners()] == [me],
               '%s: the reader still has the other listener with its holder' % source)
    finally:
        rc = w.close()
        held.close()
        for s in extra:
            s.close()
        if spare >= 0:
            os.close(spare)
    tap.ok(rc == 0, '%s: watch ends with status 0 (got %s)' % (source, rc))


def main():
    for source in ('netlink', 'procfs'):
        test_old_process(source, {'PORTHOLE_HELPER_SOURCE': source})
    test_kept_fd_dirs()
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
