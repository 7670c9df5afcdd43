#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-churn.py — `porthole-helper watch` at a 100 ms interval while 1,000
# short-lived listeners of every kind come and go (tests/ph_churn.py): afterwards it reports
# exactly the listeners that remain, with the right owners and names, as a fresh scan
# does; it has not crashed, and its memory stayed under a stated bound.
import os
import threading
import time

import porthole_test as pt
from ph_churn import Churn

tap = pt.Tap()

COUNT = int(os.environ.get('PH_CHURN_COUNT', '1000'))
# The bound on the helper's resident memory: VmRSS never above RSS_BOUND_KIB during the run,
# and at the end no more than RSS_GROWTH_KIB above what it was after its first scan. Under
# AddressSanitizer (the second half of build-aux/dev test) freed memory sits in a
# quarantine and every allocation carries redzones, so the bounds are wider there.
RSS_BOUND_KIB, RSS_GROWTH_KIB = 8 * 1024, 2 * 1024
RSS_BOUND_ASAN_KIB, RSS_GROWTH_ASAN_KIB = 96 * 1024, 48 * 1024


def sanitized(pid):
    """Whether the process runs under AddressSanitizer (its runtime is mapped)."""
    with open('/proc/%d/maps' % pid) as f:
        return 'libasan' in f.read()


def vm_rss(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


class Reader(threading.Thread):
    """Reads the watcher's change sets as they come (the helper never blocks on a full
    pipe) and samples its RSS after each one."""

    def __init__(self, watcher):
        super().__init__(daemon=True)
        self.w = watcher
        self.lock = threading.Lock()
        self.rss = [vm_rss(watcher.p.pid)]
        self.sets = 0
        self.error = None
        self.halt = False

    def run(self):
        try:
            while not self.halt:
                self.w.read_change_set(timeout=10)
                with self.lock:
                    self.sets += 1
                    self.rss.append(vm_rss(self.w.p.pid))
        except Exception as e:  # noqa: BLE001 — reported by the main thread
            self.error = e

    def wait_sets(self, n, timeout=20):
        with self.lock:
            want = self.sets + n
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.error is None:
            with self.lock:
                if self.sets >= want:
                    return True
            time.sleep(0.02)
        return False


def owner_pairs(sock):
    return sorted({(o[0], o[1]) for o in sock.owners()})


def main():
    global RSS_BOUND_KIB, RSS_GROWTH_KIB
    w = pt.Watcher(args=('--interval', '100'))
    if sanitized(w.p.pid):
        RSS_BOUND_KIB, RSS_GROWTH_KIB = RSS_BOUND_ASAN_KIB, RSS_GROWTH_ASAN_KIB
    reader = Reader(w)
    first_rss = reader.rss[0]
    reader.start()
    churn = Churn(COUNT, survivors=16)
    t0 = time.monotonic()
    try:
        survivors = churn.run()
        churn_s = time.monotonic() - t0
        # The survivors change their names once the helper has seen them; then let it see
        # the final state: at least two change sets after the last change.
        tap.ok(reader.wait_sets(3), 'the helper still sends a change set every 100 ms',
               diag=repr(reader.error))
        # A holder is checked every two seconds (4 a refresh): 40 change sets (4 s) are
        # enough.
        churn.change_survivors()
        reader.wait_sets(40)
        reader.halt = True
        reader.join(10)
        alive = w.p.poll() is None
        tap.ok(alive and reader.error is None and not reader.is_alive(),
               'the helper did not crash or stall (exit %r, %r)' % (w.p.poll(), reader.error))
        if not alive:
            return tap.done()
        st = w.state
        tap.diag('churn: %d listeners started and ended in %.1f s, %d change sets'
                 % (churn.started, churn_s, reader.sets))
        tap.ok(churn.started == COUNT, 'the churn started %d listeners (%d)'
               % (COUNT, churn.started))

        # 1. Exactly the survivors among the sockets of processes the churn started.
        want = {}
        for h in survivors:
            for proto, addr, port, inode in h.lis.sockets:
                want[inode] = h
        ours = {sid for sid, s in st.socks.items()
                if any(o[0] in churn.pids for o in s.owners())}
        stale = sorted(ours - set(want))
        missing = sorted(set(want) - set(st.socks))
        tap.ok(not stale, 'no socket of an ended listener is left (%d left)' % len(stale),
               diag='\n'.join(repr(st.socks[s]) for s in stale[:10]))
        tap.ok(not missing, 'every surviving socket is listed (%d missing)' % len(missing),
               diag=repr([(want[i].kind, i) for i in missing]))

        # 2. With the right owners and names, kind by kind.
        wrong = []
        for inode, h in want.items():
            s = st.socks.get(inode)
            if s is None:
                continue
            if owner_pairs(s) != h.holders():
                wrong.append('%s %d: owners %r, want %r' % (h.kind, inode, owner_pairs(s),
                                                            h.holders()))
                continue
            for pid, start in h.holders():
                proc = st.procs.get((pid, start))
                comm = proc.s('comm') if proc is not None else None
                if comm != h.comm():
                    wrong.append('%s %d: pid %d comm %r, want %r'
                                 % (h.kind, inode, pid, comm, h.comm()))
        tap.ok(not wrong, 'every surviving socket has its true holders and their names '
               '(%d kinds, renamed and exec\'d ones included)' % len({h.kind for h in survivors}),
               diag='\n'.join(wrong))

        # 3. What the long-running helper says is what a fresh scan says (for every socket
        # the churn made or could have made: nothing else on this machine is ours to judge).
        fresh, _, rc, err = pt.watch_once()
        diff = []
        for sid in sorted(set(fresh.socks) | ours | set(want)):
            a, b = st.socks.get(sid), fresh.socks.get(sid)
            if a is None or b is None:
                if sid in want or sid in ours:
                    diff.append('%d: watch %r, fresh %r' % (sid, a, b))
                continue
            if not any(o[0] in churn.pids for o in a.owners() + b.owners()):
                continue
            if owner_pairs(a) != owner_pairs(b):
                diff.append('%d owners: watch %r, fresh %r' % (sid, a.owners(), b.owners()))
            for pid, start in owner_pairs(b):
                pa, pb = st.procs.get((pid, start)), fresh.procs.get((pid, start))
                if pa is None or pb is None or pa.b('comm') != pb.b('comm') \
                        or pa.b('cmdline') != pb.b('cmdline') or pa.b('exe') != pb.b('exe'):
                    diff.append('%d process %d: watch %r, fresh %r' % (sid, pid, pa, pb))
        tap.ok(rc == 0 and not diff, 'the running helper agrees with a fresh scan (%d differences)'
               % len(diff), diag='\n'.join(diff[:10]) + err)
        tap.ok(not st.missing_procs(), 'no owner without its PROC record')

        # 4. Memory.
        peak = max(reader.rss)
        final = vm_rss(w.p.pid)
        tap.diag('helper VmRSS: first %d KiB, peak %d KiB, final %d KiB (bound %d KiB, growth '
                 'bound %d KiB)' % (first_rss, peak, final, RSS_BOUND_KIB, RSS_GROWTH_KIB))
        tap.ok(len(reader.rss) > 50, 'RSS sampled %d times during the run' % len(reader.rss))
        tap.ok(peak <= RSS_BOUND_KIB, 'the helper\'s RSS stayed under %d KiB (peak %d KiB)'
               % (RSS_BOUND_KIB, peak))
        tap.ok(final - first_rss <= RSS_GROWTH_KIB,
               'its RSS at the end is within %d KiB of that after its first scan (%+d KiB)'
               % (RSS_GROWTH_KIB, final - first_rss))
    finally:
        reader.halt = True
        churn.end()
        w.close()
    return tap.done()


if __name__ == '__main__':
    raise SystemExit(main())
