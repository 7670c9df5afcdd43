#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# bench-app.py — how fast and how big the Porthole window is with 2,000 services listed.
#
# Run by `build-aux/dev bench` (through build-aux/run-uninstalled, so PORTHOLE_HELPER
# names the helper of the build), or by hand:
#   PYTHONPATH=tests:tests/ui build-aux/run-uninstalled BUILDDIR python3 tests/bench-app.py \
#       [--runs N] [--changes N] [--helper PATH]
#
# It re-executes itself inside an X server and a D-Bus session of its own (tests/ui/
# phui.py), builds a load of 200 ph-test-listener processes holding 10 TCP listeners each
# on 127.0.0.1 (2,000 sockets), and runs porthole with PORTHOLE_BENCH=1, which reports on
# stderr:
#   bench: applied seq=N us=X items=Y      after each change set is in the model (X: main
#                                          thread microseconds: model diff plus the filter,
#                                          sections and list view reacting synchronously)
#   bench: populated monotonic_us=T items=Y   at the first frame with a populated list
# It measures, against the targets of issue 4:
#   launch   from spawning porthole to its first populated frame (one discarded warm-up
#            launch, then --runs launches; CLOCK_MONOTONIC on both sides)
#   RSS      VmRSS (and VmHWM) of each launch once populated and settled
#   apply    in one long-running window, --changes times each: 10 new listeners (one new
#            process with 10 sockets), 5 new + 5 gone (a new process with 5 sockets while
#            the previous one with 5 is killed), and, for information, 10 gone and an
#            empty refresh
# and prints medians, min and max with PASS or MISS. It asserts nothing: it exits 0
# unless the load or the app could not be started. Every process it started is killed
# and reaped before it exits.
#
# The refresh interval is set to 1 s (the smallest the settings allow) by a schema
# override compiled into a private schema directory, so change sets come promptly; the
# settings backend stays the memory one. BENCH_APP_DEBUG=1 prints every applied change
# set's line on stderr, with the time it was read.
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import phui
import porthole_test as pt

N_LOAD_PROCS = 200
SOCKETS_PER_PROC = 10
DEFAULT_RUNS = 7
DEFAULT_CHANGES = 15
REFRESH_INTERVAL = 1     # seconds
SETTLE_S = 3.0           # after the first populated frame, before RSS is read

TARGET_APPLY_MS = 2.0
TARGET_RSS_MB = 100.0
TARGET_LAUNCH_MS = 500.0

APPLIED_RE = re.compile(r'^bench: applied seq=(\d+) us=(-?\d+) items=(\d+)')
POPULATED_RE = re.compile(r'^bench: populated monotonic_us=(\d+) items=(\d+)')

out = None  # where the report goes (a copy of the original stdout under phui)


def say(msg=''):
    print(msg, file=out, flush=True)


def builddir():
    if os.environ.get('PORTHOLE_BUILDDIR'):
        return os.path.abspath(os.environ['PORTHOLE_BUILDDIR'])
    helper = os.environ.get('PORTHOLE_HELPER')
    if helper:  # BUILDDIR/src/helper/porthole-helper
        return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(helper))))
    return None


def buildtype(bdir):
    try:
        import json
        with open(os.path.join(bdir, 'meson-info', 'intro-buildoptions.json')) as f:
            return next(o['value'] for o in json.load(f) if o['name'] == 'buildtype')
    except (OSError, ValueError, StopIteration, KeyError):
        return 'unknown'


def loadavg():
    try:
        with open('/proc/loadavg') as f:
            return ' '.join(f.read().split()[:3])
    except OSError:
        return 'unknown'


def now_us():
    return time.monotonic_ns() // 1000


# ---- the load ------------------------------------------------------------------------

class Load:
    """ph-test-listener processes started by us; all are killed and reaped in close()."""

    def __init__(self):
        self.procs = []

    def start(self, n_sockets):
        """One listener process with n_sockets TCP listeners on 127.0.0.1; returns it
        once it printed READY (every socket is listening by then)."""
        return self.wait_ready(self.spawn(n_sockets))

    def spawn(self, n_sockets):
        proc = pt.Listener(*['tcp:127.0.0.1:0'] * n_sockets, wait=False, timeout=60)
        self.procs.append(proc)
        return proc

    def wait_ready(self, proc):
        return proc.wait_ready()

    def kill(self, proc):
        proc.kill()

    def close(self):
        for proc in self.procs:
            proc.kill()
        return all(not proc.alive() and not os.path.exists(f'/proc/{proc.proc.pid}')
                   for proc in self.procs)


# ---- the app -------------------------------------------------------------------------

class App:
    """A porthole process with PORTHOLE_BENCH=1; its bench lines are read by a thread."""

    def __init__(self, env):
        self.lines = queue.Queue()
        self.other = []
        self.t0 = now_us()
        self.proc = subprocess.Popen([porthole_bin()], env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            line = line.rstrip('\n')
            if line.startswith('bench: '):
                self.lines.put(line)
            elif len(self.other) < 50:
                self.other.append(line)
        self.lines.put(None)

    def next_line(self, regex, timeout):
        """The next bench line matching regex (others are dropped), or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                self.lines.put(None)  # stays at the end for later readers
                return None
            m = regex.match(line)
            if m:
                return m

    def drain(self):
        """The applied lines that arrived so far, without waiting."""
        got = []
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return got
            if line is None:
                self.lines.put(None)
                return got
            m = APPLIED_RE.match(line)
            if m:
                got.append(m)

    def status_kb(self):
        """VmRSS and VmHWM from /proc/PID/status, in kB."""
        values = {}
        try:
            with open(f'/proc/{self.proc.pid}/status') as f:
                for line in f:
                    key, _, rest = line.partition(':')
                    if key in ('VmRSS', 'VmHWM'):
                        values[key] = int(rest.split()[0])
        except OSError:
            pass
        return values.get('VmRSS', 0), values.get('VmHWM', 0)

    def software_gl_kb(self):
        """RSS of Mesa's software renderer (llvmpipe: libLLVM, libgallium), which Xvfb
        brings in and a desktop with a GPU driver would not, in kB."""
        kb, gl = 0, False
        try:
            with open(f'/proc/{self.proc.pid}/smaps') as f:
                for line in f:
                    words = line.split()
                    if not words:
                        continue
                    if not words[0].endswith(':'):  # a mapping's header line
                        path = words[5] if len(words) > 5 else ''
                        base = os.path.basename(path)
                        gl = base.startswith('libLLVM') or base.startswith('libgallium')
                    elif gl and words[0] == 'Rss:':
                        kb += int(words[1])
        except (OSError, ValueError, IndexError):
            pass
        return kb

    def quit(self):
        pt.end_process(self.proc)
        self.reader.join(5)
        return self.proc.returncode


def porthole_bin():
    return os.environ.get('PORTHOLE_BIN') or shutil.which('porthole') or \
        os.path.join(builddir(), 'src', 'porthole')


def schema_dir_with_interval(tmp):
    """A schema directory like BUILDDIR/data, with refresh-interval defaulting to 1 s;
    None when it cannot be made (then the default interval of 2 s is used)."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data',
                       'io.github.porthole.Porthole.gschema.xml')
    tool = shutil.which('glib-compile-schemas')
    if not tool or not os.path.exists(src):
        return None
    d = os.path.join(tmp, 'schemas')
    os.makedirs(d)
    shutil.copy(src, d)
    with open(os.path.join(d, 'zz-bench-app.gschema.override'), 'w') as f:
        f.write(f'[io.github.porthole.Porthole]\nrefresh-interval={REFRESH_INTERVAL}\n')
    r = subprocess.run([tool, '--strict', d], capture_output=True, text=True)
    return d if r.returncode == 0 else None


# ---- figures -------------------------------------------------------------------------

def stats(values):
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def line(name, values, unit, target=None, target_text='-', scale=1.0):
    s = stats([v * scale for v in values])
    if s is None:
        say(f'  {name:<34} {"not measured":>12}')
        return
    med, lo, hi = s
    verdict = '' if target is None else ('PASS' if med <= target else 'MISS')
    say(f'  {name:<34} {med:9.3f} {unit:<2}  (min {lo:8.3f}, max {hi:8.3f}, n={len(values):2})'
        f'  target {target_text:<9} {verdict}')


# ---- measurements --------------------------------------------------------------------

def launch_once(env, settle=SETTLE_S):
    """Start porthole, wait for its first populated frame, let it settle, read its RSS.
    Returns (launch_ms, items, rss_kb, hwm_kb, app) with the app still running."""
    app = App(env)
    m = app.next_line(POPULATED_RE, 30)
    if m is None:
        app.quit()
        return None, 0, 0, 0, app
    launch_ms = (int(m.group(1)) - app.t0) / 1000.0
    items = int(m.group(2))
    time.sleep(settle)
    rss, hwm = app.status_kb()
    app.gl_kb = app.software_gl_kb()
    return launch_ms, items, rss, hwm, app


def debug(msg):
    if os.environ.get('BENCH_APP_DEBUG'):
        print(f'{time.monotonic():.3f} {msg}', file=sys.stderr, flush=True)


def wait_applied(app, timeout=10):
    m = app.next_line(APPLIED_RE, timeout)
    if m is None:
        return None
    debug(m.group(0))
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def fresh_applied(app, timeout=10):
    """Waits for a change set to be applied and returns it; the caller acts right after,
    so the helper's next scan (REFRESH_INTERVAL later) sees the whole change at once."""
    app.drain()
    return wait_applied(app, timeout)


def measure_changes(app, load, n, results, checks):
    """n rounds of: 10 new listeners; 10 gone; 5 new + 5 gone. Each change is made just
    after a change set was applied, and the next applied change set is read."""
    five = load.start(5)
    # Let five's sockets reach the model before timing anything.
    fresh_applied(app)
    fresh_applied(app)
    for _ in range(n):
        # 10 new listeners in one new process.
        base = fresh_applied(app)
        if base is None:
            checks['lost'] += 1
            break
        debug('10 new')
        ten = load.start(10)
        got = wait_applied(app)
        if got is None:
            checks['lost'] += 1
            break
        if got[2] == base[2] + 10:
            results['add10'].append(got[1])
        else:
            # Another program's sockets changed as well, or the helper's scan straddled
            # the change: not a clean 10-change set.
            checks['add10_unclean'] += 1

        # The same 10 gone (information).
        base = fresh_applied(app)
        debug('10 gone')
        load.kill(ten)
        got = wait_applied(app)
        if base is not None and got is not None and got[2] == base[2] - 10:
            results['gone10'].append(got[1])
        else:
            checks['gone10_unclean'] += 1

        # 5 new while 5 others go.
        base = fresh_applied(app)
        debug('5 new + 5 gone')
        nxt = load.spawn(5)
        load.kill(five)
        five = load.wait_ready(nxt)
        got = wait_applied(app)
        if base is not None and got is not None and got[2] == base[2]:
            results['mixed'].append(got[1])
        else:
            checks['mixed_unclean'] += 1

        # An idle refresh (information): we changed nothing since the last one.
        got = wait_applied(app)
        if got is not None:
            results['empty'].append(got[1])
    load.kill(five)


def main():
    global out
    phui.run_isolated()
    out = pt.tap_stream()

    runs, changes = DEFAULT_RUNS, DEFAULT_CHANGES
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == '--helper' and args:  # as bench-helper takes it, from build-aux/dev bench
            os.environ['PORTHOLE_HELPER'] = os.path.abspath(args.pop(0))
        elif a in ('--runs', '--changes') and args and args[0].isdigit() and int(args[0]) > 0:
            if a == '--runs':
                runs = int(args.pop(0))
            else:
                changes = int(args.pop(0))
        else:
            print('usage: bench-app.py [--runs N] [--changes N] [--helper PATH]', file=sys.stderr)
            return 2

    bdir = builddir()
    if not os.environ.get('PORTHOLE_HELPER') or bdir is None:
        say('bench-app: PORTHOLE_HELPER is not set; run it through build-aux/dev bench')
        return 2
    os.environ.setdefault('PH_TEST_LISTENER', os.path.join(bdir, 'tests', 'ph-test-listener'))
    say(f'bench-app: {porthole_bin()} (helper {os.environ["PORTHOLE_HELPER"]}; build '
        f'{buildtype(bdir)}; GSK_RENDERER={os.environ.get("GSK_RENDERER", "(default)")}; '
        f'Xvfb; {os.cpu_count()} CPUs)')

    tmp = tempfile.mkdtemp(prefix='bench-app-')
    schemas = schema_dir_with_interval(tmp)
    env = dict(os.environ)
    env.update({'PORTHOLE_BENCH': '1', 'GSETTINGS_BACKEND': 'memory',
                'GSETTINGS_SCHEMA_DIR': schemas or os.path.join(bdir, 'data')})
    env.pop('G_DEBUG', None)
    interval = REFRESH_INTERVAL if schemas else 2

    load = Load()
    apps = []
    results = {'add10': [], 'gone10': [], 'mixed': [], 'empty': []}
    checks = {'lost': 0, 'add10_unclean': 0, 'gone10_unclean': 0, 'mixed_unclean': 0}
    launch, rss, hwm, items_seen, no_gl = [], [], [], [], []
    applied_items = 0
    t_start = time.monotonic()
    base_ms = base_rss = base_items = None
    try:
        # For comparison: the same window with only what else listens on the machine.
        base_ms, base_items, base_rss, _, app = launch_once(env)
        apps.append(app)
        app.quit()

        t = time.monotonic()
        pending = [load.spawn(SOCKETS_PER_PROC) for _ in range(N_LOAD_PROCS)]
        for proc in pending:
            load.wait_ready(proc)
        n_load = sum(len(p.sockets) for p in pending)
        say(f'load: {N_LOAD_PROCS} processes x {SOCKETS_PER_PROC} TCP listeners on 127.0.0.1 = '
            f'{n_load} sockets; built in {(time.monotonic() - t) * 1000:.0f} ms; refresh '
            f'interval {interval} s{"" if schemas else " (could not override it)"}')

        # Launches: the first warms caches up and is not counted.
        for run in range(runs + 1):
            ms, items, r, h, app = launch_once(env)
            apps.append(app)
            if ms is None:
                say(f'bench-app: launch {run + 1}: no populated frame within 30 s; '
                    f'exit status {app.proc.returncode}')
                for text in app.other[-10:]:
                    say(f'  app: {text}')
                return 1
            if run > 0:
                launch.append(ms)
                rss.append(r)
                hwm.append(h)
                no_gl.append(r - app.gl_kb)
                items_seen.append(items)
            if run < runs:
                app.quit()

        # Change sets, in the last launch's window.
        app = apps[-1]
        measure_changes(app, load, changes, results, checks)
        last = fresh_applied(app)
        applied_items = last[2] if last else 0
        app.quit()
    finally:
        for app in apps:
            app.quit()
        clean = load.close()
        shutil.rmtree(tmp, ignore_errors=True)

    say(f'runs: {runs} launches after a warm-up one, {changes} rounds of changes; '
        f'{time.monotonic() - t_start:.0f} s in all; load average {loadavg()} (times are '
        f'wall-clock: a busy machine inflates them)')
    line('launch to populated list (warm)', launch, 'ms', TARGET_LAUNCH_MS, '<= 500 ms')
    line('RSS with the list populated', rss, 'MB', TARGET_RSS_MB, '<= 100 MB', 1 / 1024)
    line('  VmHWM (peak) of the same', hwm, 'MB', None, '-', 1 / 1024)
    line('  the same minus llvmpipe (info)', no_gl, 'MB', None, '-', 1 / 1024)
    if base_ms is not None:
        say(f'  {"(info) without our load: launch":<34} {base_ms:9.3f} ms  '
            f'RSS {base_rss / 1024:.3f} MB  with {base_items} services listed')
        if rss and base_items > n_load // 10:
            say(f'  {"(info) RSS the load adds":<34} not computed: {base_items} other '
                f'services were listening without it')
        elif rss:
            added = (statistics.median(rss) - base_rss) / 1024
            say(f'  {"(info) RSS the load adds":<34} {added:9.3f} MB  '
                f'(median with the load minus without)')
    line('apply 10 new listeners', results['add10'], 'ms', TARGET_APPLY_MS, '<= 2 ms',
         1 / 1000)
    line('apply 5 new + 5 gone', results['mixed'], 'ms', TARGET_APPLY_MS, '<= 2 ms', 1 / 1000)
    line('apply 10 gone (info)', results['gone10'], 'ms', None, '-', 1 / 1000)
    line('apply idle refresh (info)', results['empty'], 'ms', None, '-', 1 / 1000)
    say('checks:')
    say(f'  services in the list at the first populated frame: '
        f'{", ".join(str(i) for i in sorted(set(items_seen)))} '
        f'({"OK" if items_seen and min(items_seen) >= n_load else "FEWER THAN THE LOAD"}: '
        f'the load alone is {n_load})')
    say(f'  services in the model after the changes: {applied_items}')
    say(f'  change sets left out (other sockets changed meanwhile or a scan straddled the '
        f'change): 10 new {checks["add10_unclean"]}, 10 gone {checks["gone10_unclean"]}, '
        f'5+5 {checks["mixed_unclean"]}; no change set within 10 s: {checks["lost"]}')
    say(f'  cleanup: every load process {"killed and reaped, none left" if clean else "NOT GONE"}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
