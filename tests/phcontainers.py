# SPDX-License-Identifier: GPL-3.0-or-later
# phcontainers.py — runs the real Podman and Docker for the container tests (test-containers*.py,
# ui/test-ui-containers.py), each engine in a sandbox of its own. Loaded by import, not run.
#
# A sandbox is one process (the "holder") in a new mount namespace and a new network
# namespace. build-aux/dev runs the tests in a chroot, and the kernel refuses to create user
# namespaces (rootless Podman) and runc needs pivot_root (Docker), neither of which works in
# a chroot: so the holder leaves the chroot (it is root), binds the build root onto itself
# and makes it the root of its mount namespace with pivot_root (REAL-COMPONENTS.md). Fresh
# tmpfs on /run, /var/lib/containers, /var/lib/docker and /home keep the engines' state
# inside; every later command enters the holder's namespaces with nsenter, so the daemons'
# sockets are at their real paths (/run/docker.sock, ...) for the Porthole run there too.
# The network namespace is anonymous: it goes when its last process does. The engines'
# cgroups get a parent named after the test, removed at the end.
import contextlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time

import porthole_test as pt

HOLDER = r'''
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def check(r, what):
    if r != 0:
        e = ctypes.get_errno()
        raise OSError(e, '%s: %s' % (what, os.strerror(e)))
MS_REC, MS_PRIVATE, MS_BIND = 0x4000, 1 << 18, 4096
root_fd = os.open('/', os.O_RDONLY | os.O_DIRECTORY)
os.unshare(os.CLONE_NEWNS | os.CLONE_NEWNET)
# Leave the chroot: chroot into a subfolder while the working folder stays above it.
os.chdir('/')
esc = os.path.join('/tmp', 'ph-escape-%d' % os.getpid())
os.mkdir(esc)
os.chroot(esc)
for _ in range(64):
    os.chdir('..')
os.chroot('.')
os.rmdir(os.path.join(os.readlink('/proc/self/fd/%d' % root_fd), esc.lstrip('/')))
check(libc.mount(None, b'/', None, MS_REC | MS_PRIVATE, None), 'make / private')
top = os.readlink('/proc/self/fd/%d' % root_fd).encode()
check(libc.mount(top, top, None, MS_BIND | MS_REC, None), 'bind the root')
os.chdir(top)
check(libc.syscall(155, b'.', b'.'), 'pivot_root')
check(libc.umount2(b'.', 2), 'detach the old root')
os.chdir('/')
for path in ('/run', '/var/lib/containers', '/var/lib/docker', '/home', '/var/run/docker'):
    os.makedirs(path, exist_ok=True)
    check(libc.mount(b'tmpfs', path.encode(), b'tmpfs', 0, b'mode=755'), 'tmpfs ' + path)
os.system('ip link set lo up')
sys.stdout.write('READY\n')
sys.stdout.flush()
sys.stdin.read()
'''

STORAGE_CONF = '''[storage]
driver = "overlay"
runroot = "%(run)s"
graphroot = "%(graph)s"
'''


def _image_tar(folder):
    """A tiny image from busybox-static: /bin/sh and /bin/httpd, nothing else."""
    img = os.path.join(folder, 'img')
    os.makedirs(os.path.join(img, 'bin'))
    os.makedirs(os.path.join(img, 'www'))
    shutil.copy('/bin/busybox', os.path.join(img, 'bin', 'busybox'))
    for name in ('sh', 'httpd', 'sleep'):
        os.symlink('busybox', os.path.join(img, 'bin', name))
    with open(os.path.join(img, 'www', 'index.html'), 'w') as f:
        f.write('shop\n')
    tar = os.path.join(folder, 'img.tar')
    subprocess.run(['tar', '-C', img, '-cf', tar, '.'], check=True)
    return tar


class Sandbox:
    """One holder process: its mount and network namespaces (see the header)."""

    def __init__(self, name, diag=print):
        self.name = name
        self.diag = diag
        self.dir = tempfile.mkdtemp(prefix='ph-%s-' % name, dir='/tmp')
        os.chmod(self.dir, 0o755)
        self.tar = _image_tar(self.dir)
        self.cgroup_parent = 'ph-%s-%d' % (name, os.getpid())
        self.holder = subprocess.Popen(['python3', '-c', HOLDER], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.holder.stdout.readline()
        if line != b'READY\n':
            err = self.holder.stderr.read().decode()
            raise RuntimeError('the sandbox did not start: %s' % err)
        self.daemons = []

    def enter(self, user=None):
        """The prefix that runs a command inside (optionally as (uid, gid))."""
        pre = ['nsenter', '-t', str(self.holder.pid), '-m', '-n']
        if user is not None:
            pre += ['setpriv', '--reuid', str(user[0]), '--regid', str(user[1]),
                    '--init-groups']
        return pre

    def run(self, argv, user=None, env=None, timeout=120, check=False):
        e = dict(os.environ)
        if env:
            e.update(env)
        r = subprocess.run(self.enter(user) + list(argv), capture_output=True, text=True,
                           env=e, timeout=timeout, stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise RuntimeError('%s failed (%d): %s%s' % (' '.join(argv), r.returncode,
                                                         r.stdout, r.stderr))
        return r

    def spawn(self, argv, user=None, env=None, log=None):
        """A daemon inside; stopped (by PID) at close()."""
        e = dict(os.environ)
        if env:
            e.update(env)
        out = open(log or os.devnull, 'w')
        p = subprocess.Popen(self.enter(user) + list(argv), stdin=subprocess.DEVNULL,
                             stdout=out, stderr=subprocess.STDOUT, env=e)
        out.close()
        self.daemons.append(p)
        return p

    def inside(self, procs):
        """The processes of procs ({pid: …}) that run in this sandbox's network namespace."""
        def netns(pid):
            try:
                return os.readlink('/proc/%d/ns/net' % pid)
            except OSError:
                return None
        mine = netns(self.holder.pid)
        return {pid: v for pid, v in procs.items() if netns(pid) == mine}

    def path(self, path):
        """A path inside, seen from outside."""
        return '/proc/%d/root%s' % (self.holder.pid, path)

    def porthole_wrapper(self):
        """A program that runs porthole in the sandbox's mount and network namespaces (for
        PORTHOLE_BIN: the UI tests' app)."""
        wrapper = os.path.join(self.dir, 'porthole-in-sandbox')
        with open(wrapper, 'w') as f:
            f.write('#!/bin/sh\nexec nsenter -t %d -m -n -- %s "$@"\n'
                    % (self.holder.pid, pt.porthole()))
        os.chmod(wrapper, 0o755)
        return wrapper

    def wait_socket(self, path, timeout=30):
        return pt.wait_for(lambda: os.path.exists(self.path(path)), timeout, 0.05)

    def close(self):
        for p in reversed(self.daemons):
            # nsenter execs the daemon: p.pid is the daemon's PID
            pt.end_process(p, 15)
        if self.holder.poll() is None:
            self.holder.stdin.close()
            try:
                self.holder.wait(10)
            except subprocess.TimeoutExpired:
                self.holder.kill()
                self.holder.wait()
        for f in (self.holder.stdout, self.holder.stderr):
            f.close()
        remove_cgroups(self.cgroup_parent)
        shutil.rmtree(self.dir, ignore_errors=True)


def cgroup_roots():
    base = '/sys/fs/cgroup'
    roots = []
    for entry in sorted(os.listdir(base)):
        path = os.path.join(base, entry)
        if os.path.isdir(path) and not os.path.islink(path):
            roots.append(path)
    return roots or [base]


def remove_cgroups(name):
    """Removes the folder NAME (and what is under it) from every cgroup hierarchy."""
    left = []
    for root in cgroup_roots():
        path = os.path.join(root, name)
        for _ in range(50):
            try:
                pt.rmdir_tree(path)
                break
            except OSError:
                time.sleep(0.1)
        if os.path.isdir(path):
            left.append(path)
    return left


def leftover_cgroups(name):
    return [os.path.join(r, name) for r in cgroup_roots() if os.path.isdir(os.path.join(r, name))]


# --- users, engines ---------------------------------------------------------------------

def add_user(sb, name, uid):
    """An unprivileged user inside the sandbox only: copies of /etc/passwd, group, subuid and
    subgid with its entries are bound over the originals in the sandbox's mount namespace.
    It gets a home, /run/user/UID, and 65536 subordinate IDs (rootless Podman)."""
    for path, line in (('/etc/passwd', '%s:x:%d:%d::/home/%s:/bin/sh\n' % (name, uid, uid, name)),
                       ('/etc/group', '%s:x:%d:\n' % (name, uid)),
                       ('/etc/subuid', '%s:%d:65536\n' % (name, 200000 + (uid % 100) * 65536)),
                       ('/etc/subgid', '%s:%d:65536\n' % (name, 200000 + (uid % 100) * 65536))):
        copy = os.path.join(sb.dir, os.path.basename(path))
        try:
            with open(path) as f:
                text = f.read()
        except FileNotFoundError:
            text = ''
        with open(copy, 'w') as f:
            f.write(text + line)
        os.chmod(copy, 0o644)
        sb.run(['touch', path])
        sb.run(['mount', '--bind', copy, path], check=True)
    # pasta opens /dev/net/tun inside the user's namespace: a node everyone may open, in
    # this sandbox only (the machine's is root's alone).
    tun = os.path.join(sb.dir, 'tun')
    if not os.path.exists(tun):
        os.mknod(tun, 0o666 | stat.S_IFCHR, os.makedev(10, 200))
        os.chmod(tun, 0o666)
        sb.run(['mkdir', '-p', '/dev/net'])
        sb.run(['touch', '/dev/net/tun'])
        sb.run(['mount', '--bind', tun, '/dev/net/tun'], check=True)
    home = '/home/' + name
    runtime = '/run/user/%d' % uid
    sb.run(['mkdir', '-p', home, runtime], check=True)
    sb.run(['chown', '%d:%d' % (uid, uid), home, runtime], check=True)
    sb.run(['chmod', '700', runtime], check=True)
    return {'HOME': home, 'XDG_RUNTIME_DIR': runtime, 'USER': name, 'LOGNAME': name}


def podman_env(sb, extra=None):
    """Podman with runc (crun refuses this hybrid-cgroup host) and cgroupfs."""
    conf = os.path.join(sb.dir, 'containers.conf')
    with open(conf, 'w') as f:
        f.write('[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n'
                'events_logger = "file"\n')
    os.chmod(conf, 0o644)
    env = {'CONTAINERS_CONF_OVERRIDE': conf, 'PODMAN_IGNORE_CGROUPSV1_WARNING': '1'}
    if extra:
        env.update(extra)
    return env


def processes():
    """{pid: (comm, start, uid)} of every process in this PID namespace."""
    out = {}
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % name, 'rb') as f:
                data = f.read()
            comm = data[data.index(b'(') + 1:data.rindex(b')')].decode('utf-8', 'replace')
            start = int(data[data.rindex(b')') + 2:].split()[19])
            uid = os.stat('/proc/' + name).st_uid
        except (OSError, ValueError):
            continue
        out[int(name)] = (comm, start, uid)
    return out


def engine_processes(names):
    return {pid: v for pid, v in processes().items() if v[0] in names}


# --- what every engine test checks -------------------------------------------------------

IMAGE_CMD = ['httpd', '-f', '-p', '8000', '-h', '/www']
# Long-lived processes of the engines: alive, with the same start time, after Stop Container.
DAEMONS = ('podman', 'dockerd', 'containerd', 'catatonit')
# The per-container helpers that hold published ports.
PROXIES = ('conmon', 'pasta', 'pasta.avx2', 'docker-proxy', 'dockerd', 'rootlessport')


# --- a stand-in engine ------------------------------------------------------------------
# An engine's API played by a small HTTP server on /run/docker.sock in a sandbox, for what no
# real engine here does (a port forwarded by the firewall alone) or to record each request
# (test-containers-relay.py). STANDIN_SERVER is the loop they share: one request a
# connection, its first line passed to answer(line), which returns (status, extra header
# lines, body, chunked). A handler defines answer() and calls serve(answer) after setting up;
# spawn_engine() runs STANDIN_SERVER + handler with `python3 -c` inside the sandbox.
STANDIN_SERVER = r"""
import json, os, signal, socket, sys
def serve(answer):
    s = socket.socket(socket.AF_UNIX)
    s.bind("/run/docker.sock")
    s.listen(8)
    print("READY", flush=True)
    while True:
        c, _ = s.accept()
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = c.recv(4096)
            if not chunk:
                break
            data += chunk
        status, extra, body, chunked = answer(data.split(b"\r\n", 1)[0].decode())
        head = ("HTTP/1.1 %s\r\nContent-Type: application/json\r\n%sConnection: close\r\n"
                % (status, extra)).encode()
        if chunked:
            mid = len(body) // 2
            payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (body[:mid], body[mid:]))
            c.sendall(head + b"Transfer-Encoding: chunked\r\n\r\n" + payload + b"0\r\n\r\n")
        else:
            c.sendall(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        c.close()
"""

# An old Docker (argv: HELD FREE): it lists a running container "legacy-db" that publishes
# two ports, HELD held by a real listener it opens and FREE held by nothing (forwarded by the
# firewall's DNAT alone).
LEGACY_ENGINE = r"""
held, free = int(sys.argv[1]), int(sys.argv[2])
body = json.dumps([{
    "Id": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "Names": ["/legacy-db"], "Image": "postgres:9", "State": "running",
    "Ports": [{"IP": "127.0.0.1", "PrivatePort": 5432, "PublicPort": free, "Type": "tcp"},
              {"IP": "127.0.0.1", "PrivatePort": 80, "PublicPort": held, "Type": "tcp"},
              {"PrivatePort": 6379, "Type": "tcp"}]}]).encode()
lis = socket.socket()
lis.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lis.bind(("127.0.0.1", held))
lis.listen(8)
serve(lambda line: ("200 OK", "Server: Docker/19.03\r\n", body, False))
"""


def spawn_engine(sb, handler, args, timeout=30):
    """Runs a stand-in engine (STANDIN_SERVER + handler, with args) in sb, its output in
    engine.log there, and waits for /run/docker.sock; bails out if it does not come."""
    log = os.path.join(sb.dir, 'engine.log')
    proc = sb.spawn(['python3', '-c', STANDIN_SERVER + handler] + [str(a) for a in args],
                    log=log)
    if not sb.wait_socket('/run/docker.sock', timeout):
        with open(log) as f:
            pt.bail('the stand-in engine did not start: ' + f.read()[-1500:])
    return proc


@contextlib.contextmanager
def sandbox(tap, name, what):
    """A Sandbox for one test; when the block ends: closed, then checked that nothing is
    left (no cgroup, no folder, the namespaces gone), and the time it took said as WHAT."""
    t0 = time.monotonic()
    sb = Sandbox(name, diag=tap.diag)
    try:
        yield sb
    finally:
        sb.close()
    tap.ok(not leftover_cgroups(sb.cgroup_parent) and not os.path.exists(sb.dir)
           and not pt.proc_alive(sb.holder.pid),
           'nothing left behind: no cgroup, no sandbox folder, the namespaces are gone')
    tap.diag('%s: %.1f s' % (what, time.monotonic() - t0))


def pick_port():
    return 18000 + int.from_bytes(os.urandom(2), 'little') % 1500


def porthole_list(sb, user=None, env=None, extra=()):
    r = sb.run([pt.porthole(), '--list'] + list(extra), user=user, env=env)
    return r


def porthole_json(sb, user=None, env=None):
    import json
    r = sb.run([pt.porthole(), '--list', '--json'], user=user, env=env)
    try:
        return json.loads(r.stdout), r
    except ValueError:
        return None, r


def service_on(doc, port):
    if doc is None:
        return None
    for s in doc.get('services', []):
        if s['port'] == port and s['protocol'] == 'tcp' and s['family'] == 4:
            return s
    return None


def group_of(doc, key):
    for g in (doc or {}).get('groups', []):
        if g['key'] == key:
            return g
    return None


def port_listening_inside(sb, port):
    """Whether a TCP socket listens on port inside, read from the sandbox's
    /proc/<holder>/net/tcp{,6}: neither a test bind (it races the listener's own bind:
    EADDRINUSE while it starts) nor a connection (it leaves a TIME_WAIT behind)."""
    for name in ('tcp', 'tcp6'):
        try:
            with open('/proc/%d/net/%s' % (sb.holder.pid, name)) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 3 and fields[3] == '0A' and \
                    int(fields[1].rsplit(':', 1)[1], 16) == port:
                return True
    return False


def port_free_inside(sb, port):
    code = ('import socket\ns = socket.socket()\ntry:\n    s.bind(("127.0.0.1", %d))\n'
            'except OSError:\n    raise SystemExit(1)\n') % port
    return sb.run(['python3', '-c', code]).returncode == 0


def check_engine(tap, sb, what, port, proxy, engine, rootless, state_cmd, user=None, env=None):
    """The port is grouped under shop-db, Stop Container frees it, no daemon was signalled.
    state_cmd: the engine's command that prints the container's state afterwards."""
    import json
    t0 = time.monotonic()
    daemons = sb.inside(engine_processes(DAEMONS))
    doc, r = porthole_json(sb, user=user, env=env)
    svc = service_on(doc, port)
    tap.ok(svc is not None, '%s: porthole --list --json lists 127.0.0.1:%d' % (what, port),
           diag=r.stdout[-2000:] + r.stderr[-2000:])
    owner = svc['owners'][0] if svc and svc['owners'] else {}
    cont = (svc or {}).get('container') or {}
    tap.ok(owner.get('comm') == proxy,
           '%s: the socket is held by %s (%s)' % (what, proxy, owner.get('comm')))
    group = group_of(doc, (svc or {}).get('group'))
    tap.ok(group is not None and group['name'] == 'shop-db' and group['kind'] == 'container',
           '%s: grouped under the container “shop-db” (%r)' % (what, group))
    tap.ok(cont.get('name') == 'shop-db' and cont.get('engine') == engine
           and cont.get('rootless') == rootless and cont.get('container_port') == 8000
           and 'shop' in (cont.get('image') or '') and cont.get('guessed') is False
           and cont.get('access_hint') is None,
           '%s: the container, its engine, image and port 8000 from the API (%r)' % (what, cont))
    table = porthole_list(sb, user=user, env=env).stdout
    tap.ok(re.search(r'^shop-db — .*container', table, re.M) is not None,
           '%s: porthole --list shows the group “shop-db — … container”' % what, diag=table)

    r = sb.run([pt.porthole(), 'free', '--yes', '--json', '127.0.0.1:%d' % port], user=user,
               env=env)
    try:
        res = json.loads(r.stdout)
    except ValueError:
        res = {}
    holders = res.get('holders') or [{}]
    tap.ok(r.returncode == 0 and res.get('outcome') == 'freed' and res.get('signal') is None
           and holders[0].get('lever') == 'container' and holders[0].get('container') == 'shop-db',
           '%s: porthole free stops the container, nothing signalled (exit %d, %s)'
           % (what, r.returncode, res.get('outcome')), diag=r.stdout + r.stderr)
    tap.ok('shop-db' in r.stderr and proxy in r.stderr,
           '%s: it named the container and the program it will not signal' % what,
           diag=r.stderr)
    tap.ok(port_free_inside(sb, port), '%s: 127.0.0.1:%d can be bound again' % (what, port))
    state = sb.run(state_cmd, user=user, env=env)
    tap.ok(state.stdout.strip() in ('exited', 'stopped'),
           '%s: the engine stopped the container (state %r)' % (what, state.stdout.strip()),
           diag=state.stderr)
    gone = [(pid, v[0]) for pid, v in daemons.items()
            if not pt.proc_alive(pid) or pt.start_time(pid) != v[1]]
    tap.ok(daemons and not gone,
           '%s: the engine\'s daemons (%s) still run, same start times; gone: %r'
           % (what, ', '.join(sorted({v[0] for v in daemons.values()})), gone))
    tap.diag('%s: checks took %.1f s' % (what, time.monotonic() - t0))
