# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-common.py — shared by the porthole-helper tests: TAP output, the line
# protocol reader, and ph-test-listener processes. Loaded with load_common() below, not run.
import os
import re
import select
import signal
import subprocess
import sys
import time

HELPER = os.environ.get('PORTHOLE_HELPER', '')
LISTENER = os.environ.get('PH_TEST_LISTENER', '')


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc):
        self.n += 1
        if not cond:
            self.failed += 1
        desc = desc.replace('#', ' ').replace('\n', ' ')
        print(('ok' if cond else 'not ok') + ' %d - %s' % (self.n, desc), flush=True)
        return bool(cond)

    def diag(self, msg):
        for line in str(msg).splitlines() or ['']:
            print('# ' + line, flush=True)

    def skip(self, desc, reason):
        self.n += 1
        print('ok %d - %s # SKIP %s' % (self.n, desc.replace('#', ' '), reason), flush=True)

    def skip_all(self, reason):
        print('1..0 # SKIP ' + reason, flush=True)
        sys.exit(0)

    def bail(self, reason):
        print('Bail out! ' + reason, flush=True)
        sys.exit(1)

    def done(self):
        print('1..%d' % self.n, flush=True)
        return 1 if self.failed else 0


# --- the protocol ---------------------------------------------------------------------

def unescape(value):
    """bytes → bytes, reversing the helper's escaping; raises ValueError on a bad escape."""
    out = bytearray()
    i = 0
    while i < len(value):
        c = value[i]
        if c != 0x5c:
            out.append(c)
            i += 1
            continue
        nxt = value[i + 1:i + 2]
        if nxt == b'\\':
            out.append(0x5c)
            i += 2
        elif nxt == b't':
            out.append(9)
            i += 2
        elif nxt == b'n':
            out.append(10)
            i += 2
        elif nxt == b'x' and re.fullmatch(rb'[0-9a-f]{2}', value[i + 2:i + 4] or b''):
            out.append(int(value[i + 2:i + 4], 16))
            i += 4
        else:
            raise ValueError('bad escape in %r' % value)
    return bytes(out)


class Rec:
    def __init__(self, line):
        self.raw = line
        parts = line.split(b'\t')
        self.type = parts[0].decode()
        self.f = {}
        for p in parts[1:]:
            k, sep, v = p.partition(b'=')
            if not sep:
                raise ValueError('field without = in %r' % line)
            self.f[k.decode()] = unescape(v)

    def has(self, key):
        return key in self.f

    def b(self, key, default=None):
        return self.f.get(key, default)

    def s(self, key, default=None):
        v = self.f.get(key)
        return default if v is None else v.decode('utf-8', 'surrogateescape')

    def i(self, key, default=None):
        v = self.f.get(key)
        return default if v is None else int(v)

    def owners(self):
        """[(pid, start, fd)]"""
        v = self.s('owners', '')
        return [tuple(int(x) for x in o.split(':')) for o in v.split(',') if o]

    def __repr__(self):
        return self.raw.decode('utf-8', 'replace')


class State:
    """What a reader knows after applying change sets."""

    def __init__(self):
        self.socks = {}
        self.procs = {}
        self.hello = None
        self.warns = []
        self.ends = []

    def apply(self, recs):
        for r in recs:
            if r.type == 'SOCK':
                self.socks[r.i('id')] = r
            elif r.type == 'GONE':
                self.socks.pop(r.i('id'), None)
            elif r.type == 'PROC':
                self.procs[(r.i('pid'), r.i('start'))] = r
            elif r.type == 'PGONE':
                self.procs.pop((r.i('pid'), r.i('start')), None)
            elif r.type == 'WARN':
                self.warns.append(r)
            elif r.type == 'END':
                self.ends.append(r)
            elif r.type == 'HELLO':
                self.hello = r

    def proc(self, pid):
        for (p, _), r in self.procs.items():
            if p == pid:
                return r
        return None

    def socks_of(self, pid):
        return [s for s in self.socks.values() if any(o[0] == pid for o in s.owners())]

    def missing_procs(self):
        """Owners named by a SOCK without a PROC: the protocol forbids it."""
        return [(sid, o) for sid, s in self.socks.items() for o in s.owners()
                if (o[0], o[1]) not in self.procs]


def parse_lines(data):
    return [Rec(line) for line in data.split(b'\n') if line]


def watch_once(args=(), env=None, prefix=(), timeout=60):
    """Runs `watch --once`; returns (State, records, exit code, stderr)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(list(prefix) + [HELPER, 'watch', '--once'] + list(args), env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    recs = parse_lines(p.stdout)
    st = State()
    st.apply(recs)
    return st, recs, p.returncode, p.stderr.decode('utf-8', 'replace')


class Watcher:
    """A long-running `watch`, driven through its stdin."""

    def __init__(self, args=('--interval', '0'), env=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        self.p = subprocess.Popen([HELPER, 'watch'] + list(args), env=e,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.buf = b''
        self.state = State()
        self.hello = self._read_line(30)
        self.state.apply([self.hello])
        self.first = self.read_change_set()

    def _read_line(self, timeout):
        deadline = time.monotonic() + timeout
        while b'\n' not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError('no line from the helper')
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                continue
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError('the helper closed its output')
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b'\n')
        return Rec(line)

    def read_change_set(self, timeout=30):
        """Records from BEGIN to END (WARNs before BEGIN included), applied to .state."""
        recs = []
        while True:
            r = self._read_line(timeout)
            recs.append(r)
            if r.type == 'END':
                break
        self.state.apply(recs)
        return recs

    def command(self, line):
        self.p.stdin.write(line.encode() + b'\n')
        self.p.stdin.flush()

    def refresh(self, timeout=30):
        self.command('refresh')
        return self.read_change_set(timeout)

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        for f in (self.p.stdin, self.p.stdout):
            try:
                f.close()
            except OSError:
                pass
        return self.p.returncode


# --- processes ------------------------------------------------------------------------

def start_time(pid):
    with open('/proc/%d/stat' % pid, 'rb') as f:
        data = f.read()
    return int(data[data.rindex(b')') + 2:].split()[19])


def proc_alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            data = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return data[data.rindex(b')') + 2:][:1] not in (b'Z', b'X')


def wait_dead(pids, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(proc_alive(p) for p in pids):
            return True
        time.sleep(0.02)
    return False


class Listener:
    """A ph-test-listener process: .pid, .children, .sockets [(proto, addr, port, inode)]."""

    def __init__(self, *specs, fork=0, ignore_term=False, cwd=None, exec_name=None,
                 extra=None, prefix=(), env=None, timeout=20, orphan_children=False):
        args = list(prefix) + [LISTENER]
        if fork:
            args += ['--fork', str(fork)]
        if ignore_term:
            args.append('--ignore-term')
        if orphan_children:
            args.append('--orphan-children')
        if cwd is not None:
            args += ['--cwd', cwd]
        if exec_name is not None:
            args += ['--exec-name', exec_name]
        args += list(specs)
        if extra is not None:
            args += ['--'] + list(extra)
        e = dict(os.environ)
        if env:
            e.update(env)
        # Its own session, so the test can end it and every child at once.
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                  env=e, start_new_session=True)
        self.sockets = []
        self.children = []
        self.pid = None
        buf = b''
        deadline = time.monotonic() + timeout
        while self.pid is None:
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.p.stdout], [], [], max(left, 0))
            if not r:
                self.kill()
                raise TimeoutError('the listener did not get ready: %r' % (args,))
            chunk = os.read(self.p.stdout.fileno(), 4096)
            if not chunk:
                self.kill()
                raise RuntimeError('the listener failed: %r' % (args,))
            buf += chunk
            while b'\n' in buf:
                line, _, buf = buf.partition(b'\n')
                w = line.decode().split()
                if w[0] == 'SOCKET':
                    self.sockets.append((w[1], w[2], int(w[3]), int(w[4])))
                elif w[0] == 'CHILD':
                    self.children.append(int(w[1]))
                elif w[0] == 'READY':
                    self.pid = int(w[1])

    @property
    def pids(self):
        return [self.pid] + self.children

    def kill(self, sig=signal.SIGKILL):
        try:
            os.killpg(self.p.pid, sig)
        except ProcessLookupError:
            pass
        if sig == signal.SIGKILL:
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                pass
            if self.p.stdout:
                self.p.stdout.close()
                self.p.stdout = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def run_helper(args, prefix=(), env=None, timeout=60):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(list(prefix) + [HELPER] + list(args), env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=timeout)
    return p.returncode, parse_lines(p.stdout), p.stderr.decode('utf-8', 'replace')


def require_tools(tap):
    if not HELPER or not os.access(HELPER, os.X_OK):
        tap.skip_all('PORTHOLE_HELPER is not set')
    if not LISTENER or not os.access(LISTENER, os.X_OK):
        tap.skip_all('PH_TEST_LISTENER is not set')
