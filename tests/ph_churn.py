# SPDX-License-Identifier: GPL-3.0-or-later
# ph_churn.py — starts and kills many short-lived ph-test-listener processes of every kind
# (plain, forking, exec'ing before or after binding, renaming, passing the socket to a
# child over a Unix socket), for the churn tests and `build-aux/dev soak`. As a program:
#   ph_churn.py [--count N] [--survivors N] [--forever] [--seed N]
# prints DONE and one SURVIVOR line per listener left running once the churn is over, then
# waits for its standard input to close and ends the survivors.
import os
import random
import signal
import sys
import time

import porthole_test as pt

# kind: (listener arguments, what happens while it lives)
KINDS = ('tcp', 'udp', 'tcp6', 'fork', 'exec-name', 'exec-after', 'rename', 'pass')
CHANGING = ('exec-after', 'rename', 'pass')
COMM_MAX = 15


class Held:
    """One listener the churn started, and what the helper must say about it."""

    def __init__(self, kind, rng):
        self.kind = kind
        self.changed = False
        extra = {}
        if kind == 'udp':
            specs = ['udp:127.0.0.1:0']
        elif kind == 'tcp6':
            specs = ['tcp:[::1]:0', 'udp:[::1]:0']
        else:
            specs = ['tcp:127.0.0.1:0']
        args = []
        self.name = 'ph-test-listener'
        if kind == 'fork':
            extra['fork'] = rng.randint(1, 3)
        elif kind == 'exec-name':
            self.name = 'churn-exec-%d' % rng.randrange(1000)
            extra['exec_name'] = self.name
        elif kind == 'exec-after':
            self.new_name = 'churn-execd-%d' % rng.randrange(1000)
            args = ['--exec-after', self.new_name]
        elif kind == 'rename':
            self.new_name = 'churn-renamed-%d' % rng.randrange(1000)
            args = ['--rename', self.new_name]
        elif kind == 'pass':
            args = ['--pass-to-child']
        self.lis = pt.Listener(*(args + specs), **extra)
        self.started = time.monotonic()

    @property
    def all_pids(self):
        """Every process this listener made (the passed-to child included)."""
        return self.lis.pids + ([self.lis.passed_to] if self.lis.passed_to else [])

    def holders(self):
        """The (pid, start time) pairs that must hold each of its sockets now."""
        pids = [self.lis.passed_to] if self.kind == 'pass' and self.changed else self.lis.pids
        return sorted((p, pt.start_time(p)) for p in pids)

    def comm(self):
        """What comm the holders must show now."""
        name = self.new_name if self.changed and self.kind != 'pass' else self.name
        return os.path.basename(name)[:COMM_MAX]

    def change(self):
        """Renames it, has it exec or pass its sockets to its child (kinds rename,
        exec-after, pass); waits until done."""
        if self.kind == 'rename' and not self.changed:
            self.lis.send_signal(signal.SIGUSR1)
            self.lis.wait_line('RENAMED')
            self.changed = True
        elif self.kind in ('exec-after', 'pass') and not self.changed:
            self.lis.send_signal(signal.SIGUSR2)
            self.lis.wait_line('EXECED' if self.kind == 'exec-after' else 'PASSED')
            self.changed = True

    def end(self, rng):
        """SIGKILL to its whole group, or SIGTERM first (a listener exits 0 on it)."""
        if rng.random() < 0.3:
            self.lis.kill(signal.SIGTERM)
        self.lis.kill()


class Churn:
    """Starts count listeners, at most `alive` at a time, each living a few tens of ms; the
    last `survivors` (at least one of each kind) stay. progress(n) is called after each."""

    def __init__(self, count=1000, survivors=16, alive=12, seed=None):
        self.count = count
        self.n_survivors = max(survivors, len(KINDS))
        self.alive = alive
        self.rng = random.Random(seed if seed is not None else time.time_ns())
        self.started = 0
        self.ended = 0
        self.pids = set()          # every process ever started by the churn
        self.survivors = []

    def _start(self, kind):
        h = Held(kind, self.rng)
        self.started += 1
        self.pids.update(h.all_pids)
        return h

    def run(self, progress=None, forever=False, pace=0.0):
        """pace: seconds to wait between two starts (the soak churns gently, beside an app
        under AddressSanitizer on a shared machine)."""
        rng = self.rng
        live = []
        n = self.count - self.n_survivors
        i = 0
        while forever or i < n:
            h = self._start(rng.choice(KINDS))
            live.append(h)
            # some change soon after they start, some just before they end
            if h.kind in CHANGING and rng.random() < 0.5:
                h.change()
            while len(live) >= self.alive:
                old = live.pop(rng.randrange(len(live)))
                if old.kind in CHANGING and rng.random() < 0.5:
                    old.change()
                time.sleep(rng.random() * 0.01)
                old.end(rng)
                self.ended += 1
            i += 1
            if pace:
                time.sleep(pace)
            if progress:
                progress(i)
        for h in live:
            h.end(rng)
            self.ended += 1
        if forever:
            return []
        # The survivors: one of each kind, then any (change_survivors () renames some).
        kinds = list(KINDS) + [rng.choice(KINDS) for _ in range(self.n_survivors - len(KINDS))]
        for kind in kinds:
            self.survivors.append(self._start(kind))
        return self.survivors

    def change_survivors(self):
        """Every surviving rename, exec-after and pass listener changes (its name, or who
        holds its sockets): called once the helper has seen them, so it must notice a
        change in processes it knows."""
        for h in self.survivors:
            h.change()

    def end(self):
        for h in self.survivors:
            h.lis.kill()
        self.survivors = []


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=1000)
    ap.add_argument('--survivors', type=int, default=16)
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--forever', action='store_true',
                    help='churn until SIGTERM or SIGINT; no survivors')
    opts = ap.parse_args(argv)
    churn = Churn(opts.count, opts.survivors, seed=opts.seed)
    stop = []
    if opts.forever:
        def on_signal(*_):
            stop.append(1)
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, on_signal)
        try:
            churn.run(forever=True, pace=0.05)
        except KeyboardInterrupt:
            pass
        print('ENDED %d %d' % (churn.started, churn.ended), flush=True)
        return 0
    t0 = time.monotonic()
    survivors = churn.run()
    time.sleep(1)
    churn.change_survivors()
    for h in survivors:
        for proto, addr, port, inode in h.lis.sockets:
            print('SURVIVOR %s %d %s %s' % (h.kind, inode, h.comm(),
                                            ','.join('%d:%d' % hp for hp in h.holders())))
    print('DONE %d %.1f' % (churn.started, time.monotonic() - t0), flush=True)
    sys.stdin.read()
    churn.end()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
