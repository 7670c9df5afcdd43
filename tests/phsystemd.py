# SPDX-License-Identifier: GPL-3.0-or-later
# phsystemd.py — boots a real systemd as PID 1 of a PID namespace of its own, for the tests
# that need one (test-systemd.py, ui/test-ui-stop-service.py); see test-systemd.py's header
# for how it is laid out and why. Imported, not run.
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import porthole_test as pt

SYSTEMD = '/usr/lib/systemd/systemd'

# Units nobody here needs: they slow the boot or touch the machine.
MASK = ['systemd-networkd.service', 'systemd-resolved.service', 'systemd-timesyncd.service',
        'getty@tty1.service', 'console-getty.service',
        'systemd-journald-audit.socket', 'cron.service', 'ssh.service', 'ssh.socket',
        'nginx.service', 'redis-server.service', 'postgresql.service', 'dnsmasq.service',
        'docker.service', 'docker.socket', 'containerd.service',
        'firewalld.service', 'apt-daily.timer', 'apt-daily-upgrade.timer',
        'e2scrub_all.timer', 'fstrim.timer', 'dpkg-db-backup.timer', 'man-db.timer',
        'logrotate.timer', 'systemd-tmpfiles-clean.timer', 'podman.socket',
        'mariadb.service', 'memcached.service',
        'systemd-networkd-wait-online.service', 'systemd-hwdb-update.service',
        'ldconfig.service', 'systemd-firstboot.service']

SERVER = r'''
import os, socket, sys
if os.environ.get('LISTEN_FDS') == '1':
    s = socket.socket(fileno=3)
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', int(sys.argv[1])))
    s.listen(8)
while True:
    conn, _ = s.accept()
    conn.close()
'''


class Booted:
    def __init__(self, diag=print):
        self.diag = diag
        self.dir = tempfile.mkdtemp(prefix='ph-systemd-', dir=os.getcwd())
        os.chmod(self.dir, 0o755)
        unified = '/sys/fs/cgroup/unified'
        base = unified if os.path.isdir(unified) else '/sys/fs/cgroup'
        self.cgroup = os.path.join(base, 'ph-sd-%d-%d' % (os.getpid(), int(time.time())))
        self.pid1 = None
        self.proc = None
        # A copy of /etc/systemd/system with our masks, bound over it inside only.
        self.etc = os.path.join(self.dir, 'etc-systemd-system')
        shutil.copytree('/etc/systemd/system', self.etc, symlinks=True)
        for unit in MASK:
            path = os.path.join(self.etc, unit)
            if os.path.lexists(path):
                os.unlink(path)
            os.symlink('/dev/null', path)
        with open(os.path.join(self.dir, 'server.py'), 'w') as f:
            f.write(SERVER)

    def boot(self):
        os.mkdir(self.cgroup)
        inner = ('set -e; mount -t proc proc /proc; umount -l /sys/fs/cgroup; '
                 'mount -t cgroup2 cgroup2 /sys/fs/cgroup; mount -t tmpfs tmpfs /run; '
                 'mount -t tmpfs tmpfs /tmp; mount --bind "$1" /etc/systemd/system; '
                 'export container=porthole-test; exec %s --system' % SYSTEMD)
        outer = ('set -e; echo $$ > "$1/cgroup.procs"; exec unshare --pid --fork --mount '
                 '--propagation unchanged --cgroup -- /bin/bash -c \''
                 'set -e; mkdir -p /mnt/ph-systemd-root; mount --rbind / /mnt/ph-systemd-root; '
                 'exec chroot /mnt/ph-systemd-root /bin/bash -c "$0" inner "$1"\' '
                 '"$2" "$3"')
        self.proc = subprocess.Popen(['/bin/bash', '-c', outer, 'outer', self.cgroup, inner,
                                      self.etc],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.pid1 is None:
                self.pid1 = self._find_pid1()
            if self.pid1 and os.path.exists(self.bus_path()):
                if self.call_ok(['busctl', 'call', 'org.freedesktop.systemd1',
                                 '/org/freedesktop/systemd1', 'org.freedesktop.DBus.Peer',
                                 'Ping']):
                    return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def _find_pid1(self):
        try:
            with open(os.path.join(self.cgroup, 'init.scope', 'cgroup.procs')) as f:
                pids = [int(x) for x in f.read().split()]
            return pids[0] if pids else None
        except OSError:
            return None

    def bus_path(self):
        return '/proc/%d/root/run/dbus/system_bus_socket' % self.pid1

    def bus_env(self):
        env = dict(os.environ)
        env['DBUS_SYSTEM_BUS_ADDRESS'] = 'unix:path=' + self.bus_path()
        return env

    def call_ok(self, argv):
        return subprocess.run(argv, env=self.bus_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0

    def inside(self, argv, check=False, user=None, env=()):
        """Runs argv inside the booted system (its namespaces and root)."""
        pre = ['nsenter', '-t', str(self.pid1), '-m', '-p', '-C', '-r', '-w']
        if user is not None:
            pre += ['setpriv', '--reuid', str(user[0]), '--regid', str(user[1]),
                    '--clear-groups']
        pre += ['env'] + list(env)
        r = subprocess.run(pre + argv, capture_output=True, text=True)
        if check and r.returncode != 0:
            self.diag('%s: %s%s' % (' '.join(argv), r.stdout, r.stderr))
        return r

    def write_unit(self, name, text):
        with open(os.path.join(self.etc, name), 'w') as f:
            f.write(text)

    def shutdown(self):
        if self.pid1:
            try:
                os.kill(self.pid1, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for _ in range(50):
            try:
                pt.rmdir_tree(self.cgroup)
                break
            except OSError:
                time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port():
    for _ in range(200):
        port = 18000 + int.from_bytes(os.urandom(2), 'little') % 2000
        s = socket.socket()
        try:
            s.bind(('127.0.0.1', port))
            return port
        except OSError:
            pass
        finally:
            s.close()
    raise RuntimeError('no free port')


def port_held(port):
    return not pt.bindable(port, '127.0.0.1')


def wait_for(cond, timeout=10):
    return pt.wait_for(cond, timeout, 0.05)


def poke(port):
    """Connects and waits until the server has taken the connection (it closes it at once),
    so no connection is left waiting in the backlog to start the service again."""
    with socket.create_connection(('127.0.0.1', port), timeout=10) as conn:
        conn.settimeout(10)
        conn.recv(1)
