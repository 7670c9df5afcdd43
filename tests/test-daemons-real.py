#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-daemons-real.py — TAP: the real nginx, Redis, PostgreSQL, OpenSSH and dnsmasq from
# Debian, each started on a loopback port this test picks, are listed by the real
# `porthole --list --json` (helper and model) under the names people know them by.
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile

import porthole_test as pt

porthole = pt.porthole()
TEST_USER = 'ph-daemons-test'
tap = pt.Tap()
check = tap.ok


if os.geteuid() != 0:
    # build-aux/dev test runs the suite as root in the build root; elsewhere this cannot run
    tap.skip_all('needs root (the daemons run as root or as a user this test makes)')

tmp = tempfile.mkdtemp(prefix='ph-daemons-')
os.chmod(tmp, 0o755)
procs = {}
ports = {}
logs = {}


def start(name, argv, ready, user=None, **kw):
    log = open(os.path.join(tmp, name + '.log'), 'wb')
    logs[name] = log.name
    if user is not None:
        argv = ['setpriv', f'--reuid={user}', f'--regid={user}', '--init-groups', '--', *argv]
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            preexec_fn=pt.die_with_parent, **kw)
    procs[name] = proc
    ok = pt.wait_running(ready, proc, 20.0)
    if not ok:
        with open(log.name, errors='replace') as f:
            diag = f.read()[-2000:]
    else:
        diag = None
    check(ok, f'{name} runs and listens on its port', diag)
    return ok


# --- the daemons ------------------------------------------------------------------------
made_user = pt.system_user(TEST_USER)

try:
    # nginx: its own prefix, config, pid file and logs; runs as root with workers as nobody
    ports['nginx'] = pt.free_port()
    start('nginx', pt.nginx(os.path.join(tmp, 'nginx'), 'nobody nogroup',
                            f'listen 127.0.0.1:{ports["nginx"]}; return 200 "ok\\n";'),
          lambda: pt.listening(ports['nginx']))

    # Redis: /usr/bin/redis-server is a symlink to redis-check-rdb
    ports['redis'] = pt.free_port()
    start('redis', ['/usr/bin/redis-server', '--port', str(ports['redis']),
                    '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                    '--dir', tmp, '--daemonize', 'no'],
          lambda: pt.listening(ports['redis']))

    # PostgreSQL: initdb and the server as an unprivileged user
    ports['postgres'] = pt.free_port()
    bindir = sorted(glob.glob('/usr/lib/postgresql/*/bin'))[-1]
    pgdata = os.path.join(tmp, 'pgdata')
    pgsock = os.path.join(tmp, 'pgsock')
    os.mkdir(pgsock)
    uid = pwd.getpwnam(TEST_USER).pw_uid
    gid = pwd.getpwnam(TEST_USER).pw_gid
    os.chown(pgsock, uid, gid)
    os.mkdir(pgdata, 0o700)
    os.chown(pgdata, uid, gid)
    initdb = subprocess.run(['setpriv', f'--reuid={TEST_USER}', f'--regid={TEST_USER}',
                             '--init-groups', '--', os.path.join(bindir, 'initdb'), '-D', pgdata,
                             '--auth=trust', '--no-sync'],
                            capture_output=True, text=True, cwd=tmp)
    check(initdb.returncode == 0, 'initdb makes a cluster as an unprivileged user',
          initdb.stdout[-1000:] + initdb.stderr[-1000:])
    start('postgres', [os.path.join(bindir, 'postgres'), '-D', pgdata, '-p', str(ports['postgres']),
                       '-c', 'listen_addresses=127.0.0.1', '-c', f'unix_socket_directories={pgsock}'],
          lambda: pt.listening(ports['postgres']), user=TEST_USER, cwd=tmp)

    # OpenSSH: a host key made here, no system configuration
    ports['sshd'] = pt.free_port()
    hostkey = os.path.join(tmp, 'ssh_host_ed25519_key')
    subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', hostkey], check=True)
    made_run_sshd = not os.path.isdir('/run/sshd')
    if made_run_sshd:
        os.makedirs('/run/sshd', 0o755)
    start('sshd', ['/usr/sbin/sshd', '-D', '-f', '/dev/null', '-p', str(ports['sshd']),
                   '-o', 'ListenAddress=127.0.0.1', '-o', 'PidFile=none', '-h', hostkey],
          lambda: pt.listening(ports['sshd']))

    # dnsmasq: DNS on a loopback port, bound to that address only
    ports['dnsmasq'] = pt.free_port(socket.SOCK_DGRAM)
    start('dnsmasq', ['/usr/sbin/dnsmasq', f'--port={ports["dnsmasq"]}',
                      '--listen-address=127.0.0.1', '--bind-interfaces', '--no-daemon',
                      '--conf-file=/dev/null', '--pid-file', '--no-resolv', '--no-hosts',
                      '--user=nobody'],
          lambda: not pt.bindable(ports['dnsmasq'], '127.0.0.1', socket.SOCK_DGRAM,
                                    reuse=False))

    # --- what Porthole lists --------------------------------------------------------------
    expected = {
        'nginx': ('tcp', 'nginx', 'Web server'),
        'redis': ('tcp', 'Redis', 'Database server'),
        'postgres': ('tcp', 'PostgreSQL', f'Database server run by {TEST_USER}'),
        'sshd': ('tcp', 'OpenSSH', 'Remote login server'),
        'dnsmasq': ('udp', 'dnsmasq', 'Network service'),
    }
    result = subprocess.run([porthole, '--list', '--json'], capture_output=True, timeout=60,
                            env=dict(os.environ, LANGUAGE='C', LC_ALL='C.UTF-8'))
    check(result.returncode == 0, 'porthole --list --json exits 0', result.stderr.decode())
    doc = json.loads(result.stdout.decode()) if result.returncode == 0 else {}
    groups = {g['key']: g for g in doc.get('groups', [])}
    for name, (proto, title, subtitle) in expected.items():
        found = [s for s in doc.get('services', [])
                 if s['port'] == ports[name] and s['protocol'] == proto
                 and s['address'] == '127.0.0.1']
        owners = [o for s in found for o in s['owners']]
        check(found and owners and all(o['pid'] == procs[name].pid or o['ppid'] == procs[name].pid
                                       for o in owners),
              f'{name}: its {proto} port {ports[name]} is listed, held by the process started here',
              found)
        group = groups.get(found[0]['group']) if found else None
        check(group is not None and group['name'] == title and group['subtitle'] == subtitle,
              f'{name} is listed as “{title}”, “{subtitle}”',
              (group, owners[0] if owners else None))
        if name == 'redis' and owners:
            check(owners[0]['exe'].endswith('/redis-check-rdb'),
                  'Redis is named though its executable is redis-check-rdb', owners[0]['exe'])
finally:
    for name, proc in procs.items():
        if proc.poll() is None:
            proc.terminate()
    for name, proc in procs.items():
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if 'made_run_sshd' in globals() and made_run_sshd:
        shutil.rmtree('/run/sshd', ignore_errors=True)
    if made_user:
        subprocess.run(['userdel', TEST_USER], check=False)
    shutil.rmtree(tmp, ignore_errors=True)

check(all(p.poll() is not None for p in procs.values()), 'every daemon started here has stopped')
sys.exit(tap.done())
