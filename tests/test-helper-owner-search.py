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


def owner_entries(recs_or_state, ino):
    """[(pid, fd)] of the socket as last sent."""
    r = recs_or_state.socks.get(ino)
    return None if r is None else sorted((o[0], o[2]) for o in r.owners())


def test_walked_holder_changes(source, env):
    """A holder walked again for a new socket of its own, which meanwhile moved one of its
    sockets to another fd and handed another to its child (closing its own): each socket
    is reported with the holders it has now, never with the fd or process it left."""
    me = os.getpid()
    a = listen()
    b = listen()
    r, wfd = os.pipe()
    extra = []
    child = -1
    w = pt.Watcher(env=env)
    try:
        tap.ok(owner_entries(w.state, inode(a)) == [(me, a.fileno())]
               and owner_entries(w.state, inode(b)) == [(me, b.fileno())],
               '%s: both listeners are ours in the first snapshot' % source)

        # A moves to another fd while a new listener makes us walked again.
        ino_a = inode(a)
        old_fd = a.fileno()
        new_fd = os.dup(old_fd)
        a.detach()
        os.close(old_fd)
        c = listen()
        extra.append(c)
        recs = w.refresh()
        tap.ok(owner_entries(w.state, inode(c)) == [(me, c.fileno())],
               '%s: the new listener is found with its holder' % source, repr(recs))
        tap.ok(owner_entries(w.state, ino_a) == [(me, new_fd)],
               '%s: the moved listener is held on its new fd only (fd %d, not %d)'
               % (source, new_fd, old_fd), repr(recs))

        # B is handed to a new child and closed here, as a new listener opens.
        ready_r, ready_w = os.pipe()
        child = os.fork()
        if child == 0:
            # Only B is handed over.
            os.close(wfd)
            os.close(new_fd)
            c.close()
            os.write(ready_w, b'r')
            os.read(r, 1)
            os._exit(0)
        os.close(ready_w)
        os.read(ready_r, 1)
        os.close(ready_r)
        ino_b = inode(b)
        b.close()
        d = listen()
        extra.append(d)
        recs = w.refresh()
        tap.ok(owner_entries(w.state, inode(d)) == [(me, d.fileno())],
               '%s: the second new listener is found with its holder' % source, repr(recs))
        tap.ok([o[0] for o in w.state.socks[ino_b].owners()] == [child],
               '%s: the handed-over listener is held by the child alone' % source,
               repr(recs))
        ours = [x for x in w.state.missing_procs() if x[0] in (ino_a, ino_b, inode(c), inode(d))]
        tap.ok(owner_entries(w.state, ino_a) == [(me, new_fd)] and not ours,
               '%s: the others keep their holder, and every holder has its PROC' % source,
               repr((owner_entries(w.state, ino_a), ours)))
    finally:
        os.close(wfd)
        if child > 0:
            os.waitpid(child, 0)
        rc = w.close()
        os.close(new_fd)
        for s in extra:
            s.close()
        os.close(r)
    tap.ok(rc == 0, '%s: watch ends with status 0 (got %s)' % (source, rc))


def test_many_new_in_old_processes():
    """More new sockets in one refresh than the helper lists (it then goes over all of its
    sockets): each is found in the old process that opened it, and all go again at once."""
    n_children, per_child = 3, 400   # more than the 1,024 entries the helper lists
    children = []
    for _ in range(n_children):
        cr, pw = os.pipe()
        pr, cw = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(pw)
            os.close(pr)
            held = [listen()]
            os.write(cw, b'r')
            os.read(cr, 1)
            held += [listen() for _ in range(per_child)]
            os.write(cw, b'%d\n' % len(held))
            os.read(cr, 1)
            for s in held[1:]:
                s.close()
            os.write(cw, b'c')
            os.read(cr, 1)
            os._exit(0)
        os.close(cr)
        os.close(cw)
        os.read(pr, 1)
        children.append((pid, pw, pr))
    w = pt.Watcher()
    try:
        before = {pid: len(w.state.socks_of(pid)) for pid, _, _ in children}
        tap.ok(all(n == 1 for n in before.values()),
               'each old process holds its one listener in the first snapshot', repr(before))
        for _, pw, pr in children:
            os.write(pw, b'o')
        for _, pw, pr in children:
            os.read(pr, 16)
        pids = {pid for pid, _, _ in children}
        recs = w.refresh(timeout=120)
        # Only ours: other programs' sockets may come and go meanwhile.
        socks = sum(1 for r in recs if r.type == 'SOCK' and {o[0] for o in r.owners()} & pids)
        now = {pid: len(w.state.socks_of(pid)) for pid, _, _ in children}
        theirs = {r.i('id') for pid in pids for r in w.state.socks_of(pid)}
        tap.ok(socks == n_children * per_child,
               '%d new listeners sent in one change set' % (n_children * per_child), str(socks))
        tap.ok(all(n == per_child + 1 for n in now.values()),
               'each was found in the old process that opened it', repr(now))
        tap.ok(not [x for x in w.state.missing_procs() if x[0] in theirs],
               'every holder has its PROC')
        firsts = {r.i('id') for pid in pids for r in w.state.socks_of(pid)
                  if r.i('id') in {x.i('id') for x in w.first if x.type == 'SOCK'}}
        for _, pw, pr in children:
            os.write(pw, b'c')
        for _, pw, pr in children:
            os.read(pr, 1)
        recs = w.refresh(timeout=120)
        gone = sum(1 for r in recs if r.type == 'GONE' and r.i('id') in theirs)
        now = {pid: len(w.state.socks_of(pid)) for pid, _, _ in children}
        tap.ok(gone == n_children * per_child and all(n == 1 for n in now.values()),
               'all go again in one change set, the first ones keep their holder',
               repr((gone, now)))
        recs = w.refresh()
        about = [r for r in recs if r.type in ('SOCK', 'GONE') and r.i('id') in theirs]
        tap.ok(about == [] and len(firsts) == n_children,
               'the next refresh sends nothing about them', repr(about))
    finally:
        rc = w.close()
        # A word each (a later child holds copies of the earlier ones' pipes: no EOF).
        for pid, pw, pr in children:
            try:
                os.write(pw, b'x')
            except OSError:
                pass
            os.close(pw)
            os.close(pr)
            os.waitpid(pid, 0)
    tap.ok(rc == 0, 'watch ends with status 0 (got %s)' % rc)


def main():
    for source in ('netlink', 'procfs'):
        test_old_process(source, {'PORTHOLE_HELPER_SOURCE': source})
        test_walked_holder_changes(source, {'PORTHOLE_HELPER_SOURCE': source})
    test_kept_fd_dirs()
    test_many_new_in_old_processes()
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
