#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-watch.py — `porthole-helper watch` against real listeners, through sock_diag
# and through the /proc/net fallback: sockets, owners, facts, deltas, exits.
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import porthole_test as pt

tap = pt.Tap()

SPECS = ['tcp:127.0.0.1:0', 'udp:127.0.0.1:0', 'tcp:[::1]:0', 'udp:[::1]:0',
         'tcp:0.0.0.0:0', 'udp:0.0.0.0:0', 'tcp:[::]:0', 'tcp6only:[::]:0']


def expected_v6only(spec, addr):
    if ':' not in addr:
        return None
    if spec.startswith('tcp6only') or spec.startswith('udp6only'):
        return 1
    return 0 if addr == '::' else 1   # a specific IPv6 address is always v6-only


def proc_pids():
    """The processes /proc lists now (this PID namespace's)."""
    return {int(n) for n in os.listdir('/proc') if n.isdigit()}


def check_listener_sockets(source, st, lis, specs):
    for spec, (proto, addr, port, inode) in zip(specs, lis.sockets):
        s = st.socks.get(inode)
        if not tap.ok(s is not None, '%s: %s (inode %d) is reported' % (source, spec, inode)):
            continue
        family = 6 if ':' in addr else 4
        tap.ok(s.s('proto') == proto and s.s('addr') == addr and s.i('port') == port
               and s.i('family') == family and s.i('inode') == inode,
               '%s: %s has proto %s, address %s, port %d, family %d (got %r)'
               % (source, spec, proto, addr, port, family, s))
        owners = s.owners()
        tap.ok([(o[0], o[1]) for o in owners] == [(lis.pid, pt.start_time(lis.pid))],
               '%s: %s is owned by the listener with its start time' % (source, spec))
        if owners:
            fd_ok = os.readlink('/proc/%d/fd/%d' % (lis.pid, owners[0][2])) == 'socket:[%d]' % inode
            tap.ok(fd_ok, '%s: %s owner fd %d really is socket:[%d]'
                   % (source, spec, owners[0][2], inode))
        tap.ok(s.i('uid') == os.geteuid() and s.i('hidden') == 0 and s.i('kernel') == 0,
               '%s: %s uid is ours, not hidden, not the kernel\'s' % (source, spec))
        want = expected_v6only(spec, addr) if source == 'netlink' else None
        tap.ok(s.i('v6only') == want, '%s: %s v6only=%s (got %s)'
               % (source, spec, want, s.i('v6only')))
        tap.ok(s.has('cgroup') == (source == 'netlink'),
               '%s: %s cgroup id %s' % (source, spec,
                                        'present' if source == 'netlink' else 'absent'))


def test_snapshot(source, env):
    with pt.Listener(*SPECS) as lis:
        st, recs, rc, err = pt.watch_once(env=env)
        tap.ok(rc == 0, '%s: watch --once exits 0 (%s)' % (source, err.strip()))
        tap.ok(st.hello is not None and st.hello.i('protocol') == pt.PROTOCOL_VERSION
               and st.hello.s('source') == source and st.hello.i('euid') == os.geteuid(),
               '%s: HELLO protocol=%d source=%s' % (source, pt.PROTOCOL_VERSION, source))
        tap.ok(recs and recs[0].type == 'HELLO', '%s: HELLO is the first line' % source)
        begin = [r for r in recs if r.type == 'BEGIN']
        tap.ok(len(begin) == 1 and begin[0].s('kind') == 'full' and begin[0].i('seq') == 1,
               '%s: one full change set, seq=1' % source)
        tap.ok(len(st.ends) == 1 and st.ends[0].i('sockets') == len(st.socks),
               '%s: END counts the %d sockets' % (source, len(st.socks)))
        check_listener_sockets(source, st, lis, SPECS)
        tap.ok(not st.missing_procs(), '%s: every owner has a PROC line' % source)
        # PROC comes before the first SOCK that names it.
        first_sock = next(i for i, r in enumerate(recs)
                          if r.type == 'SOCK' and any(o[0] == lis.pid for o in r.owners()))
        proc_at = next((i for i, r in enumerate(recs)
                        if r.type == 'PROC' and r.i('pid') == lis.pid), None)
        tap.ok(proc_at is not None and proc_at < first_sock,
               '%s: PROC is sent before the first SOCK naming it' % source)
        p = st.proc(lis.pid)
        if tap.ok(p is not None, '%s: PROC for the listener' % source):
            with open('/proc/%d/cmdline' % lis.pid, 'rb') as f:
                cmdline = f.read()[:-1]
            tap.ok(p.b('cmdline') == cmdline, '%s: cmdline is exact' % source)
            tap.ok(p.s('exe') == os.path.realpath(pt.listener_program()), '%s: exe' % source)
            tap.ok(p.s('cwd') == os.getcwd(), '%s: cwd' % source)
            tap.ok(p.s('comm') == 'ph-test-listene', '%s: comm (15 bytes)' % source)
            tap.ok(p.i('ppid') == os.getpid(), '%s: ppid is this test' % source)
            tap.ok(p.i('uid') == os.geteuid() and p.has('user'), '%s: uid and user' % source)
            tap.ok(p.i('start') == pt.start_time(lis.pid), '%s: start time' % source)
            tap.ok(p.has('cgroup') and p.has('manager'), '%s: cgroup and manager' % source)


def test_hostile_facts(source, env):
    tmp = tempfile.mkdtemp(prefix='ph-watch-')
    odd = os.path.join(tmp.encode(), b'dir with\ttab\nnewline \xff\xfe back\\slash')
    os.mkdir(odd)
    extra = [b'--flag=a\tb', b'line\nbreak', b'\xff\xfe\xc3(', b'back\\slash', b'', b'caf\xc3\xa9']
    try:
        lis = pt.Listener('tcp:127.0.0.1:0', cwd=odd, exec_name=b'/opt/w\xe9ird\tname',
                         extra=extra)
    except Exception as e:
        tap.ok(False, '%s: listener with hostile names starts (%s)' % (source, e))
        shutil.rmtree(tmp)
        return
    with lis:
        st, recs, rc, err = pt.watch_once(env=env)
        p = st.proc(lis.pid)
        with open('/proc/%d/cmdline' % lis.pid, 'rb') as f:
            cmdline = f.read()[:-1]
        with open('/proc/%d/comm' % lis.pid, 'rb') as f:
            comm = f.read()[:-1]
        for r in recs:
            if b'\n' in r.raw or b'\r' in r.raw:
                break
        ok_lines = all(b'\n' not in r.raw for r in recs)
        try:
            for r in recs:
                r.raw.decode('utf-8')
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        tap.ok(ok_lines and utf8, '%s: every line is valid UTF-8 whatever the process names' % source)
        if tap.ok(p is not None, '%s: PROC for a process with hostile names' % source):
            # ph-test-listener --exec-name runs as NAME EXTRA... --ph-test-listener OWN...
            argv = p.b('cmdline').split(b'\0')
            tap.ok(p.b('cmdline') == cmdline and argv[0] == b'/opt/w\xe9ird\tname'
                   and argv[1:1 + len(extra)] == extra,
                   '%s: hostile command line round-trips byte for byte' % source)
            tap.ok(p.b('cwd') == odd, '%s: hostile working directory round-trips' % source)
            tap.ok(p.b('comm') == comm, '%s: comm %r round-trips' % (source, comm))
    shutil.rmtree(tmp)


def test_forked(source, env):
    with pt.Listener('tcp:127.0.0.1:0', 'udp:[::1]:0', fork=2) as lis:
        st, recs, rc, err = pt.watch_once(env=env)
        for proto, addr, port, inode in lis.sockets:
            s = st.socks.get(inode)
            owners = sorted(o[0] for o in s.owners()) if s else []
            tap.ok(owners == sorted(lis.pids),
                   '%s: %s %s:%d is held by the parent and both children (%s)'
                   % (source, proto, addr, port, owners))
        tap.ok(all(st.proc(p) is not None for p in lis.pids),
               '%s: a PROC for each of the three holders' % source)
        kid = st.proc(lis.children[0])
        tap.ok(kid is not None and kid.i('ppid') == lis.pid, '%s: a child\'s ppid is the parent'
               % source)


def test_conns(source, env):
    with pt.Listener('tcp:127.0.0.1:0', 'tcp:[::]:0') as lis:
        port4 = lis.sockets[0][2]
        port6 = lis.sockets[1][2]
        clients = [socket.create_connection(('127.0.0.1', port4)) for _ in range(3)]
        clients += [socket.create_connection(('::1', port6)),
                    socket.create_connection(('127.0.0.1', port6))]
        st, recs, rc, err = pt.watch_once(env=env)
        s4 = st.socks.get(lis.sockets[0][3])
        s6 = st.socks.get(lis.sockets[1][3])
        tap.ok(s4 is not None and s4.i('conns') == 3,
               '%s: 3 connections to 127.0.0.1:%d (got %s)' % (source, port4, s4 and s4.i('conns')))
        tap.ok(s6 is not None and s6.i('conns') == 2,
               '%s: 2 connections (IPv6 and IPv4-mapped) to [::]:%d (got %s)'
               % (source, port6, s6 and s6.i('conns')))
        for cl in clients:
            cl.close()


def test_flags(source, env):
    with pt.Listener('tcp:127.0.0.1:0', 'udp:127.0.0.1:0', 'tcp:[::1]:0') as lis:
        st, _, _, _ = pt.watch_once(['--no-udp'], env=env)
        ids = set(st.socks)
        tap.ok(lis.sockets[0][3] in ids and lis.sockets[1][3] not in ids
               and all(s.s('proto') == 'tcp' for s in st.socks.values()),
               '%s: --no-udp leaves UDP out' % source)
        st, _, _, _ = pt.watch_once(['--no-ipv6'], env=env)
        tap.ok(lis.sockets[2][3] not in st.socks and lis.sockets[0][3] in st.socks
               and all(s.i('family') == 4 for s in st.socks.values()),
               '%s: --no-ipv6 leaves IPv6 out' % source)


def test_deltas(source, env):
    w = pt.Watcher(env=env)
    try:
        tap.ok(w.first[0].type == 'BEGIN' and w.first[0].s('kind') == 'full'
               or any(r.type == 'BEGIN' and r.s('kind') == 'full' for r in w.first),
               '%s: the first change set is full' % source)
        lis = pt.Listener('tcp:127.0.0.1:0', 'udp:[::]:0', fork=1)
        recs = w.refresh()
        begin = next(r for r in recs if r.type == 'BEGIN')
        tap.ok(begin.s('kind') == 'delta' and begin.i('seq') == 2, '%s: then a delta, seq=2' % source)
        mine = [r for r in recs if r.type == 'SOCK' and r.i('id') in [s[3] for s in lis.sockets]]
        tap.ok(len(mine) == 2, '%s: the delta has the 2 new sockets' % source)
        tap.ok(all(sorted(o[0] for o in r.owners()) == sorted(lis.pids) for r in mine),
               '%s: with both holders' % source)
        procs = [r for r in recs if r.type == 'PROC' and r.i('pid') in lis.pids]
        tap.ok(len(procs) == 2, '%s: and a PROC for each holder' % source)
        tap.ok(not w.state.missing_procs(), '%s: no owner without PROC after the delta' % source)

        # Nothing new: only a netlink dump and a diff, no process walked. The network
        # namespace is shared with the rest of the machine, so other programs' sockets
        # may come and go (a new socket nobody here holds is looked for in every process),
        # and a process that starts is walked: a refresh only counts as quiet when it
        # reports nothing and /proc lists the same processes before and after it. Our own
        # sockets must never be sent again.
        quiet_ok = True
        quiet_seen = 0
        tries = 0
        while quiet_seen < 5 and tries < 40:
            tries += 1
            pids_before = proc_pids()
            recs = w.refresh()
            changed = proc_pids() != pids_before
            body = [r for r in recs if r.type not in ('BEGIN', 'END')]
            end = recs[-1]
            ours = [r for r in body if r.type in ('SOCK', 'GONE')
                    and r.i('id') in [s[3] for s in lis.sockets]]
            if ours:
                quiet_ok = False
                tap.diag('a refresh sent our unchanged sockets again: %r' % ours)
            if body or changed:
                continue
            quiet_seen += 1
            if end.i('walked') != 0:
                quiet_ok = False
                tap.diag('a quiet refresh walked %d processes' % end.i('walked'))
        tap.ok(quiet_ok and quiet_seen > 0,
               '%s: a refresh with nothing new reports nothing and walks no process '
               '(%d quiet of %d)' % (source, quiet_seen, tries))

        # The child exits; the socket stays with the parent.
        # The listener reaps it at once; the helper sees it gone once it is out of /proc.
        os.kill(lis.children[0], signal.SIGKILL)
        reaped = pt.wait_reaped([lis.children[0]])
        recs = w.refresh()
        mine = [r for r in recs if r.type == 'SOCK' and r.i('id') in [s[3] for s in lis.sockets]]
        said = '\n'.join(['the child %d is %s' % (lis.children[0], 'gone' if reaped else 'still there')]
                         + [repr(r) for r in recs])
        tap.ok(len(mine) == 2 and all([o[0] for o in r.owners()] == [lis.pid] for r in mine),
               '%s: when a holder exits, the socket is sent again with the others only' % source,
               said)
        tap.ok(any(r.type == 'PGONE' and r.i('pid') == lis.children[0] for r in recs),
               '%s: PGONE for the exited holder' % source, said)

        lis.kill()
        recs = w.refresh()
        gone = {r.i('id') for r in recs if r.type == 'GONE'}
        tap.ok(all(s[3] in gone for s in lis.sockets), '%s: GONE for each closed socket' % source)
        tap.ok(any(r.type == 'PGONE' and r.i('pid') == lis.pid for r in recs),
               '%s: PGONE for the listener' % source)
        tap.ok(w.state.proc(lis.pid) is None and not w.state.missing_procs(),
               '%s: the reader\'s state is consistent' % source)

        w.command('bogus command')
        recs = w.refresh()
        tap.ok(any(r.type == 'WARN' and r.s('code') == 'unknown-command' for r in w.state.warns),
               '%s: an unknown command gives a WARN and the helper goes on' % source)

        w.command('interval 50')
        t0 = time.monotonic()
        w.read_change_set(5)
        w.read_change_set(5)
        tap.ok(time.monotonic() - t0 < 3, '%s: "interval 50" makes it refresh on its own' % source)
        w.command('interval 0')
    finally:
        rc = w.close()
    tap.ok(rc == 0, '%s: SIGTERM ends watch with status 0 (got %s)' % (source, rc))


def test_churn(source, env):
    """Processes that come and go while the helper scans: no error, no stale owner."""
    w = pt.Watcher(env=env)
    stop = threading.Event()
    started = []
    errors = []
    killed_kids = []

    def churn():
        rnd = random.Random(7)
        live = []
        while not stop.is_set():
            try:
                live.append(pt.Listener('tcp:127.0.0.1:0', 'udp:127.0.0.1:0',
                                       fork=rnd.choice([0, 0, 1, 3])))
                started.append(live[-1])
            except Exception as e:  # noqa: BLE001 — reported below
                errors.append(str(e))
            while len(live) > rnd.randint(0, 4):
                victim = live.pop(rnd.randrange(len(live)))
                if rnd.random() < 0.5 and victim.children:
                    # Only one holder of a shared socket goes away.
                    kid = victim.children.pop(rnd.randrange(len(victim.children)))
                    killed_kids.append(kid)
                    try:
                        os.kill(kid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    live.append(victim)
                    break
                victim.kill()
        for v in live:
            v.kill()

    t = threading.Thread(target=churn)
    t.start()
    consistent = True
    n_sets = 0
    deadline = time.monotonic() + 4
    try:
        while time.monotonic() < deadline:
            w.refresh()
            n_sets += 1
            if w.state.missing_procs():
                consistent = False
            time.sleep(0.003)   # leave the churning thread some time to run
    finally:
        stop.set()
        t.join()
    for lis in started:
        lis.kill()
    pt.wait_dead([p for lis in started for p in lis.pids])
    w.refresh()
    pids = {p for lis in started for p in lis.pids} | set(killed_kids)
    inodes = {s[3] for lis in started for s in lis.sockets}
    stale = [s for s in w.state.socks.values() if any(o[0] in pids for o in s.owners())]
    tap.ok(not errors, '%s: churn: listeners started (%s)' % (source, '; '.join(errors[:3])))
    tap.ok(w.p.poll() is None, '%s: churn: the helper survived %d refreshes with %d processes '
           'coming and going' % (source, n_sets, len(pids)))
    tap.ok(consistent, '%s: churn: every change set named only processes it described' % source)
    tap.ok(not stale and not (inodes & set(w.state.socks)),
           '%s: churn: afterwards no socket of an exited process and no stale owner' % source)
    tap.ok(not any(p in pids for (p, _) in w.state.procs),
           '%s: churn: every exited process got a PGONE' % source)
    tap.ok(not [r for r in w.state.warns], '%s: churn: no warning' % source)
    w.close()


def test_exits(source, env):
    # Closed stdout: the helper notices (poll reports an error on its end) and exits 0.
    e = dict(os.environ)
    e.update(env)
    p = subprocess.Popen([pt.helper(), 'watch', '--interval', '100'], env=e,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdout.readline()
    p.stdout.close()
    try:
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = 'still running'
    p.stdin.close()
    tap.ok(rc == 0, '%s: exits 0 when its stdout is closed (got %s)' % (source, rc))

    # The parent dies: PR_SET_PDEATHSIG ends the helper.
    outer = subprocess.Popen(
        [sys.executable, '-c',
         'import subprocess, sys, time\n'
         'p = subprocess.Popen([sys.argv[1], "watch", "--interval", "0"],'
         ' stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)\n'
         'print(p.pid, flush=True)\n'
         'time.sleep(60)\n', pt.helper()], env=e, stdout=subprocess.PIPE)
    hpid = int(outer.stdout.readline())
    time.sleep(0.3)
    alive_before = pt.proc_alive(hpid)
    outer.kill()
    outer.wait()
    outer.stdout.close()
    tap.ok(alive_before and pt.wait_dead([hpid]), '%s: exits when its parent dies' % source)

    # Closed stdin is not a reason to stop: it keeps its interval. Count change sets, not
    # lines: the full one is as long as the machine has sockets (other programs' too).
    p = subprocess.Popen([pt.helper(), 'watch', '--interval', '50'], env=e,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    ends = []
    buf = b''
    deadline = time.monotonic() + 15
    while len(ends) < 3 and time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], max(deadline - time.monotonic(), 0))
        chunk = os.read(p.stdout.fileno(), 65536) if r else b''
        if r and not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b'\n')
        ends += [l for l in lines if l.startswith(b'END')]
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        st = open('/proc/%d/status' % p.pid).read()
        tap.diag([l for l in st.splitlines() if l.startswith(('Sig', 'Shd', 'State'))])
        tap.diag(open('/proc/%d/wchan' % p.pid).read())
        tap.diag(open('/proc/%d/stack' % p.pid).read() if os.path.exists('/proc/%d/stack' % p.pid) else '')
        p.kill()
        p.wait()
    p.stdout.close()
    tap.ok(len(ends) >= 3, '%s: with stdin closed it still refreshes every interval (%d change '
           'sets)' % (source, len(ends)))


def test_large(source, env):
    """A full change set larger than the helper writes in one piece (64 KB) arrives whole
    and in order: every socket once, with its owner, after its PROC, then one END."""
    n = 800
    with pt.Listener(*['tcp:127.0.0.1:0'] * n) as lis:
        st, recs, rc, err = pt.watch_once(env=env)
        size = sum(len(r.raw) + 1 for r in recs)
        mine = [r for r in recs if r.type == 'SOCK' and any(o[0] == lis.pid for o in r.owners())]
        inodes = {s[3] for s in lis.sockets}
        tap.ok(rc == 0 and len(st.ends) == 1 and st.ends[0].i('sockets') == len(st.socks),
               '%s: %d sockets (about %d KB): one change set, its END counts them (%s)'
               % (source, n, size // 1024, err.strip()))
        tap.ok(len(mine) == n and {r.i('inode') for r in mine} == inodes,
               '%s: each of the %d sockets once, with its owner (got %d)'
               % (source, n, len(mine)))
        proc_at = next((i for i, r in enumerate(recs)
                        if r.type == 'PROC' and r.i('pid') == lis.pid), len(recs))
        tap.ok(proc_at < recs.index(mine[0]) if mine else False,
               '%s: the PROC comes before its first SOCK' % source)


def test_usage():
    rc, recs, err = pt.run_helper(['watch', '--bogus'])
    tap.ok(rc == 2, 'watch --bogus exits 2')
    rc, recs, err = pt.run_helper(['frobnicate'])
    tap.ok(rc == 2, 'an unknown verb exits 2')
    p = subprocess.run([pt.helper(), '--version'], stdout=subprocess.PIPE)
    version = p.stdout.decode().strip()
    tap.ok(p.returncode == 0 and version == 'porthole-helper %s protocol=%d'
           % ((version.split() + ['', ''])[1], pt.PROTOCOL_VERSION), '--version: "%s"' % version)


def main():
    test_usage()
    for source in ('netlink', 'procfs'):
        env = {'PORTHOLE_HELPER_SOURCE': source}
        test_snapshot(source, env)
        test_large(source, env)
        test_hostile_facts(source, env)
        test_forked(source, env)
        test_conns(source, env)
        test_flags(source, env)
        test_deltas(source, env)
        test_churn(source, env)
        test_exits(source, env)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
