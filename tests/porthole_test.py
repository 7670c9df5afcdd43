# SPDX-License-Identifier: GPL-3.0-or-later
# porthole_test.py — what the Python tests share: the TAP writer, the programs under test,
# ph-test-listener processes (the Listener fixture) and a reader for porthole-helper's
# line protocol. tests/meson.build puts this folder on PYTHONPATH: `import porthole_test`.
import atexit
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

# The checkout, from this file's own place: tests need no variable to find their data.
SRCDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_stream = None


def tap_stream():
    """Where TAP goes: stdout, or the descriptor PH_TAP_FD names (tests/ui/phui.py runs the
    UI tests inside a D-Bus session whose services chatter on stdout)."""
    global _stream
    if _stream is None:
        fd = os.environ.get('PH_TAP_FD')
        _stream = os.fdopen(int(fd), 'w') if fd else sys.stdout
    return _stream


def bail(reason):
    """Ends the test as failed, whatever was checked so far."""
    print('Bail out! ' + reason.replace('\n', ' '), file=tap_stream(), flush=True)
    sys.exit(1)


def need_root(why):
    """Bails out unless this test runs as root (build-aux/dev test runs it so); WHY says
    what needs root."""
    if os.geteuid() != 0:
        bail(f'this test {why} and must run as root (build-aux/dev test)')


class Tap:
    """TAP output: ok()/skip() per check, then done() for the plan and the exit status."""

    def __init__(self):
        self.out = tap_stream()
        self.n = 0
        self.failed = 0
        self.planned = None

    def _print(self, line):
        print(line, file=self.out, flush=True)

    def plan(self, n):
        """States the number of checks up front (done() then checks the count)."""
        self.planned = n
        self._print('1..%d' % n)

    def ok(self, cond, desc, diag=None, todo=None):
        """One check. diag is printed when it fails; a failing check with a todo reason is
        reported as TODO, which does not fail the test."""
        self.n += 1
        desc = str(desc).replace('#', ' ').replace('\n', ' ')
        line = '%s %d - %s' % ('ok' if cond else 'not ok', self.n, desc)
        if todo and not cond:
            line += ' # TODO ' + todo
        elif not cond:
            self.failed += 1
        self._print(line)
        if not cond and diag is not None:
            self.diag(diag)
        return bool(cond)

    def diag(self, msg):
        for line in str(msg).splitlines() or ['']:
            self._print('# ' + line)

    def skip(self, desc, reason):
        """A check this environment cannot make (not a pass)."""
        self.n += 1
        self._print('ok %d - %s # SKIP %s' % (self.n, str(desc).replace('#', ' '), reason))

    def skip_all(self, reason):
        self._print('1..0 # SKIP ' + reason)
        sys.exit(0)

    def bail(self, reason):
        bail(reason)

    def done(self):
        """Prints the plan (unless stated up front); returns the exit status."""
        if self.planned is None:
            self._print('1..%d' % self.n)
        elif self.planned != self.n:
            self.diag('planned %d checks but made %d' % (self.planned, self.n))
            return 1
        return 1 if self.failed else 0


# --- the programs under test ----------------------------------------------------------

def program(variable):
    """The path of a built program that tests/meson.build passes in the environment; a test
    run without it fails instead of passing without checking anything."""
    path = os.environ.get(variable, '')
    if not path or not os.access(path, os.X_OK):
        bail('%s is not set to a program (%r): run the tests with meson test' % (variable, path))
    return path


def helper():
    return program('PORTHOLE_HELPER')


def porthole():
    return program('PORTHOLE_BIN')


def listener_program():
    return program('PH_TEST_LISTENER')


def builddir():
    """The build directory (where screenshots go, too)."""
    path = os.environ.get('PORTHOLE_BUILDDIR', '')
    if not path or not os.path.isdir(path):
        bail('PORTHOLE_BUILDDIR is not a directory (%r): run the tests with meson test' % path)
    return path


# --- ports ----------------------------------------------------------------------------

def port_is_free(port):
    """Whether nothing holds port, over TCP or UDP, on IPv4 or IPv6 (binding sends nothing)."""
    for family, kind, addr in ((socket.AF_INET, socket.SOCK_STREAM, '0.0.0.0'),
                               (socket.AF_INET, socket.SOCK_DGRAM, '0.0.0.0'),
                               (socket.AF_INET6, socket.SOCK_STREAM, '::'),
                               (socket.AF_INET6, socket.SOCK_DGRAM, '::')):
        try:
            s = socket.socket(family, kind)
        except OSError:  # no IPv6 here
            continue
        with s:
            try:
                if family == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((addr, port))
            except OSError:
                return False
    return True


def free_port(kind=socket.SOCK_STREAM):
    """A port the kernel has free on 127.0.0.1 now (TCP, or UDP with socket.SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def bindable(port, address='0.0.0.0', kind=socket.SOCK_STREAM, reuse=True):
    """Whether a server could bind port on address (IPv4) now; reuse: with SO_REUSEADDR, as
    servers do, so a port whose connections are in TIME_WAIT counts as bindable."""
    with socket.socket(socket.AF_INET, kind) as s:
        if reuse:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((address, port))
            return True
        except OSError:
            return False


def listening(port, host='127.0.0.1'):
    """Whether a TCP connection to host:port is accepted."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# --- processes ------------------------------------------------------------------------

def start_time(pid):
    with open('/proc/%d/stat' % pid, 'rb') as f:
        data = f.read()
    return int(data[data.rindex(b')') + 2:].split()[19])


def cmdline(pid):
    """The arguments pid runs with, as strings; [] once it is gone."""
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            return [a.decode(errors='replace') for a in f.read().split(b'\0') if a]
    except OSError:
        return []


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


def wait_reaped(pids, timeout=10):
    """Waits until no process of pids is left in /proc (exited and reaped by its parent):
    until then, a zombie still looks like a process to the helper."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(os.path.exists('/proc/%d' % p) for p in pids):
            return True
        time.sleep(0.02)
    return False


def die_with_parent():
    """For preexec_fn: PR_SET_PDEATHSIG, SIGKILL, so a daemon a test started does not
    outlive a test that crashed."""
    import ctypes
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)


def wait_running(predicate, proc, timeout):
    """Whether predicate() comes true within timeout seconds while proc still runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def system_user(name):
    """Makes the system user name (no home, no shell) unless it exists; True if made."""
    import pwd
    try:
        pwd.getpwnam(name)
        return False
    except KeyError:
        subprocess.run(['useradd', '--system', '--no-create-home', '--shell',
                        '/usr/sbin/nologin', name], check=True)
        return True


def end_process(proc, timeout=5):
    """Ends a subprocess.Popen politely (SIGTERM), then by force; returns its exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def nginx(folder, user, server, workers=1, connections=16):
    """A real nginx of the caller's own in FOLDER (made): its prefix, config, pid file,
    logs and temporary files there, workers as USER, SERVER the body of its server block.
    Returns its argv (in the foreground)."""
    os.makedirs(os.path.join(folder, 'logs'))
    with open(os.path.join(folder, 'nginx.conf'), 'w') as f:
        f.write(f'''user {user};
worker_processes {workers};
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/logs/error.log;
events {{ worker_connections {connections}; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  server {{ {server} }}
}}
''')
    return ['/usr/sbin/nginx', '-p', folder, '-c', 'nginx.conf']


def rmdir_tree(path):
    """Removes the empty folders at and under PATH (a cgroup), deepest first; nothing if it
    is not there. OSError while a folder is still in use."""
    if not os.path.isdir(path):
        return
    for entry in os.scandir(path):
        if entry.is_dir(follow_symlinks=False):
            rmdir_tree(entry.path)
    os.rmdir(path)


def wait_for(predicate, timeout=10.0, interval=0.2):
    """predicate()'s first true value within timeout, else its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


_live = []


class Child:
    """What every process a test starts offers: .proc, and .log when its output is kept."""

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def wait_exit(self, timeout):
        """Whether it ended within timeout seconds."""
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False


class Listener(Child):
    """A ph-test-listener process holding the ports of its specs ('tcp:127.0.0.1:0', …):
    .pid, .children, .pids, .sockets [(proto, addr, port, inode)], .port (the first
    socket's). It runs in a session of its own, so kill() ends it and every child at
    once; whatever a test leaves running is killed when the test exits."""

    def __init__(self, *specs, fork=0, ignore_term=False, orphan_children=False, cwd=None,
                 exec_name=None, extra=None, prefix=(), env=None, timeout=20, wait=True):
        args = list(prefix) + [listener_program()]
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
        self.args = args
        self.timeout = timeout
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                  env=e, start_new_session=True)
        _live.append(self)
        self.sockets = []
        self.children = []
        self.passed_to = None
        self.pid = None
        self._buf = b''
        if wait:
            self.wait_ready()

    def wait_ready(self):
        """Reads what the listener prints until READY (every socket is in place by then)."""
        buf = self._buf
        deadline = time.monotonic() + self.timeout
        while self.pid is None:
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not r:
                self.kill()
                raise TimeoutError('the listener did not get ready: %r' % (self.args,))
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                self.kill()
                raise RuntimeError('the listener failed: %r' % (self.args,))
            buf += chunk
            while b'\n' in buf:
                line, _, buf = buf.partition(b'\n')
                w = line.decode().split()
                if w[0] == 'SOCKET':
                    self.sockets.append((w[1], w[2], int(w[3]), int(w[4])))
                elif w[0] == 'CHILD':
                    self.children.append(int(w[1]))
                elif w[0] == 'PASS-CHILD':
                    self.passed_to = int(w[1])
                elif w[0] == 'READY':
                    self.pid = int(w[1])
                    break
        self._buf = buf
        return self

    def wait_line(self, word, timeout=10):
        """Waits for the listener's next line starting with word (RENAMED, EXECED after
        SIGUSR1, SIGUSR2 with --rename, --exec-after); returns it split."""
        deadline = time.monotonic() + timeout
        while True:
            while b'\n' in self._buf:
                line, _, self._buf = self._buf.partition(b'\n')
                w = line.decode().split()
                if w and w[0] == word:
                    return w
            left = deadline - time.monotonic()
            r, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not r:
                raise TimeoutError('no %s line from the listener %r' % (word, self.args))
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError('the listener ended before %s: %r' % (word, self.args))
            self._buf += chunk

    @property
    def pids(self):
        return [self.pid] + self.children

    @property
    def port(self):
        return self.sockets[0][2]

    def alive(self):
        return self.proc.poll() is None

    def send_signal(self, sig):
        """Sends sig to the listener itself (not its children)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def _group_left(self):
        """Whether a process of the listener's group is still there. Once the listener is
        reaped and its group empty, the number may be another process's."""
        if self.proc.poll() is None:
            return True
        for pid in self.children:
            try:
                with open('/proc/%d/stat' % pid, 'rb') as f:
                    data = f.read()
            except OSError:
                continue
            if int(data[data.rindex(b')') + 2:].split()[2]) == self.proc.pid:
                return True
        return False

    def kill(self, sig=signal.SIGKILL):
        """Sends sig to the listener and its children; SIGKILL also reaps it."""
        if self._group_left():
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
        if sig == signal.SIGKILL:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
            if self.proc.stdout:
                self.proc.stdout.close()
                self.proc.stdout = None
            if self in _live:
                _live.remove(self)

    stop = kill

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def _end_listeners():
    for lis in list(_live):
        lis.kill()


atexit.register(_end_listeners)
# meson test ends a test that runs too long with SIGTERM: exit through atexit then too.
if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))


# --- porthole-helper's line protocol (src/scan/PROTOCOL.md) ----------------------------

def _protocol_version():
    """PH_PROTOCOL_VERSION, from the one header both ends compile."""
    with open(os.path.join(SRCDIR, 'src', 'scan', 'ph-protocol-defs.h')) as f:
        return int(re.search(r'#define PH_PROTOCOL_VERSION (\d+)', f.read()).group(1))


PROTOCOL_VERSION = _protocol_version()


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
    """One record: .type and its fields."""

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


def run_helper(args, prefix=(), env=None, timeout=60):
    """Runs porthole-helper ARGS; returns (exit code, records, stderr)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run(list(prefix) + [helper()] + list(args), env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=timeout)
    return p.returncode, parse_lines(p.stdout), p.stderr.decode('utf-8', 'replace')


def watch_once(args=(), env=None, prefix=(), timeout=60):
    """Runs `watch --once`; returns (State, records, exit code, stderr)."""
    rc, recs, err = run_helper(['watch', '--once'] + list(args), prefix=prefix, env=env,
                               timeout=timeout)
    st = State()
    st.apply(recs)
    return st, recs, rc, err


class Watcher:
    """A long-running `watch`, driven through its stdin."""

    def __init__(self, args=('--interval', '0'), env=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        self.p = subprocess.Popen([helper(), 'watch'] + list(args), env=e,
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
