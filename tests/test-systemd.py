#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-systemd.py — core's systemd lever (src/core/ph-systemd*.c) against a real systemd 257
# booted as PID 1 for this test: units, socket activation, systemd --user, and errors.
#
# How it runs. build-aux/dev test runs us as root in the build root, in a private PID
# namespace of our own. We boot systemd one level further down: in a fresh cgroup on the
# cgroup2 hierarchy (ph-sd-*, removed at the end), `unshare --pid --fork --mount --cgroup`
# makes a PID namespace whose first process, after binding / onto itself (systemd needs its
# root to be a mount point) and mounting /proc, a fresh cgroup2 on /sys/fs/cgroup and tmpfs
# on /run and /tmp, execs /usr/lib/systemd/systemd --system with container=porthole-test.
# A parent PID namespace sees every process of its children, so the systemd we booted,
# its services and the porthole-helper we start all live in our /proc: PID 1 of that
# systemd is an ordinary PID here (never 1), which is exactly what Porthole meets on a
# host whose systemd runs in a container, and why the helper must recognise a service
# manager by its cgroup (init.scope), not by its PID. The network namespace is shared, so
# its listeners are on our loopback. We reach its system bus at
# /proc/<pid1>/root/run/dbus/system_bus_socket (dbus.socket starts dbus-daemon), and run
# systemctl/systemd-run inside it with nsenter. The user manager's bus is only reachable as
# the user (the bus socket lives in /run/user/UID, mode 700), so the user-scope checks run
# ph-systemd-tool as that user inside the booted system with nsenter + setpriv.
# At the end systemd is killed (SIGKILL to its PID 1 ends its whole PID namespace), its
# mounts go with its mount namespace, and the cgroups are removed bottom-up.
import json
import os
import signal
import subprocess
import sys
import time

import porthole_test as c  # noqa: E402

import phsystemd as sdb  # noqa: E402
Booted, free_port, port_held, wait_for, poke = (sdb.Booted, sdb.free_port, sdb.port_held,
                                                sdb.wait_for, sdb.poke)

tap = c.Tap()
TOOL = os.environ.get('PH_SYSTEMD_TOOL', '')
HELPER = os.environ.get('PORTHOLE_HELPER', '')
PORTHOLE = os.environ.get('PORTHOLE_BIN', '')
SYSTEMD = sdb.SYSTEMD
TEST_USER = 'ph-sd-test'

if os.geteuid() != 0:
    tap.bail('this test boots systemd and must run as root (build-aux/dev test does)')
for path in (TOOL, HELPER, PORTHOLE, SYSTEMD, '/usr/bin/nsenter', '/usr/bin/unshare'):
    if not path or not os.access(path, os.X_OK):
        tap.bail('missing program: %r' % path)

def tool(sd, *args, user=None, env=()):
    """Core's lever through ph-systemd-tool: from outside for the system bus, from inside as
    the user for the user bus."""
    if user is None:
        r = subprocess.run([TOOL] + list(args), env=sd.bus_env(), capture_output=True, text=True,
                           timeout=60)
    else:
        r = sd.inside([TOOL] + list(args), user=user, env=env)
    out = {}
    for line in r.stdout.splitlines():
        key, _, value = line.partition('=')
        out[key] = value
    if r.stderr.strip():
        tap.diag(r.stderr.strip())
    return out


def porthole_free(sd, *args):
    """`porthole free ... --json` with the booted system's bus: (exit status, document)."""
    r = subprocess.run([PORTHOLE, 'free', '--json', *args], env=sd.bus_env(),
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=90)
    if r.stderr.strip():
        tap.diag(r.stderr.strip())
    try:
        return r.returncode, json.loads(r.stdout)
    except ValueError:
        tap.diag('porthole free printed: %r' % r.stdout)
        return r.returncode, {}


def main_pid(sd, unit, user=None):
    argv = ['systemctl'] + (['--user', '-M', '%s@' % TEST_USER] if user else []) + \
        ['show', '-P', 'MainPID', unit]
    r = sd.inside(argv)
    try:
        return int(r.stdout.strip())
    except ValueError:
        return 0


def host_pid_of(sd, unit):
    """The unit's main process as our PID namespace sees it (its cgroup.procs here)."""
    rel = 'system.slice/' + unit
    try:
        with open(os.path.join(sd.cgroup, rel, 'cgroup.procs')) as f:
            pids = [int(x) for x in f.read().split()]
        return pids[0] if pids else 0
    except OSError:
        return 0


def listen_inode(port):
    for name in ('/proc/net/tcp', '/proc/net/tcp6'):
        with open(name) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == '0A' and int(fields[1].split(':')[1], 16) == port:
                    return int(fields[9])
    return 0


def start_time(pid):
    with open('/proc/%d/stat' % pid) as f:
        return int(f.read().rsplit(')', 1)[1].split()[19])


def main():
    sd = Booted(diag=tap.diag)
    try:
        run(sd)
    finally:
        sd.shutdown()
    tap.ok(not os.path.exists(sd.cgroup), 'cleanup: the cgroup of the booted systemd is gone')
    return tap.done()


def run(sd):
    sd.write_unit('ph-refuse.service',
                  '[Unit]\nDescription=Porthole test: refuses manual stop\n'
                  'RefuseManualStop=yes\n[Service]\nExecStart=/usr/bin/sleep infinity\n')
    p_any = free_port()
    sd.write_unit('ph-any.socket', '[Unit]\nDescription=Porthole test: every address\n'
                  '[Socket]\nListenStream=%d\n' % p_any)
    sd.write_unit('ph-any.service', '[Unit]\nDescription=Porthole test: every address\n'
                  '[Service]\nExecStart=/usr/bin/python3 %s/server.py\n' % sd.dir)
    p_sock = free_port()
    sd.write_unit('ph-act.socket', '[Unit]\nDescription=Porthole test socket\n'
                  '[Socket]\nListenStream=127.0.0.1:%d\n' % p_sock)
    sd.write_unit('ph-act.service', '[Unit]\nDescription=Porthole test activated server\n'
                  '[Service]\nExecStart=/usr/bin/python3 %s/server.py\n' % sd.dir)

    t0 = time.monotonic()
    if not tap.ok(sd.boot(), 'systemd 257 boots as PID 1 of its own PID namespace'):
        tap.bail('systemd did not boot')
    tap.diag('booted in %.1f s, PID 1 is %d here' % (time.monotonic() - t0, sd.pid1))
    with open('/proc/%d/comm' % sd.pid1) as f:
        tap.ok(f.read().strip() == 'systemd', 'its PID 1 is systemd, seen here as PID %d'
               % sd.pid1)

    # --- a plain system service, started with systemd-run ---------------------------------
    port = free_port()
    r = sd.inside(['systemd-run', '--unit=ph-plain', '--description=Porthole plain server',
                   '/usr/bin/python3', sd.dir + '/server.py', str(port)], check=True)
    tap.ok(r.returncode == 0 and wait_for(lambda: port_held(port)),
           'systemd-run starts a listener on port %d' % port)
    pid = host_pid_of(sd, 'ph-plain.service')
    with open('/proc/%d/cgroup' % pid) as f:
        cg = f.read()
    tap.ok(cg.rstrip().endswith('/system.slice/ph-plain.service'),
           'its cgroup names the unit: %s' % cg.strip().splitlines()[-1])
    u = tool(sd, 'unit', 'system', 'ph-plain.service')
    tap.ok(u.get('name') == 'ph-plain.service' and
           u.get('description') == 'Porthole plain server' and
           u.get('active') == 'active' and u.get('sub') == 'running',
           'core reads the unit: name, description, ActiveState/SubState: %r' % u)
    tap.ok(u.get('restart') == 'no' and u.get('restarts') == 'no',
           'a unit without Restart= is reported as not restarting')
    lv = tool(sd, 'lever', '-', 'tcp', '127.0.0.1', str(port))
    tap.ok(lv.get('lever') == 'systemd-service' and lv.get('owner-unit') == 'ph-plain.service'
           and lv.get('scope') == 'system' and lv.get('plan-units') == 'ph-plain.service' and
           lv.get('service-description') == 'Porthole plain server' and
           lv.get('service-state') == 'active (running)',
           'from the real scan, Porthole picks Stop Service for the unit: %r' % lv)
    tap.ok('Restart=' not in lv.get('confirmation', 'Restart='),
           'the confirmation does not talk of Restart= for a unit without it')
    s = tool(sd, 'stop', 'system', 'tcp', '127.0.0.1', str(port), 'ph-plain.service')
    tap.ok(s.get('outcome') == 'freed' and not port_held(port),
           'StopUnit frees the port and core says "freed": %r' % s)

    # --- Restart=always: a kill brings it back; StopUnit does not ----------------------------
    port = free_port()
    sd.inside(['systemd-run', '--unit=ph-always', '--property=Restart=always',
               '--property=RestartSec=100ms', '/usr/bin/python3', sd.dir + '/server.py',
               str(port)], check=True)
    tap.ok(wait_for(lambda: port_held(port)), 'a Restart=always unit listens on %d' % port)
    u = tool(sd, 'unit', 'system', 'ph-always.service')
    tap.ok(u.get('restart') == 'always' and u.get('restarts') == 'yes',
           'core reads Restart=always: %r' % u.get('restart'))
    old = host_pid_of(sd, 'ph-always.service')
    os.kill(old, signal.SIGTERM)
    came_back = wait_for(lambda: host_pid_of(sd, 'ph-always.service') not in (0, old)
                         and port_held(port), 10)
    tap.ok(came_back, 'killed by a signal, systemd starts it again (PID %d → %d): killing is the '
           'wrong lever' % (old, host_pid_of(sd, 'ph-always.service')))
    lv = tool(sd, 'lever', '-', 'tcp', '127.0.0.1', str(port), 'stop')
    tap.ok(lv.get('lever') == 'systemd-service' and
           'Restart=always' in lv.get('confirmation', '') and
           'start it again' in lv.get('confirmation', ''),
           'the confirmation explains that a kill would only get it restarted: %r'
           % lv.get('confirmation'))
    tap.ok(lv.get('outcome') == '0' and not port_held(port) and
           lv.get('said', '').startswith('Port %d is free now' % port),
           'Stop Service stops the Restart=always unit for good: %r' % lv.get('said'))

    # --- porthole free on a unit's port: systemd is the lever, as in the window ------------
    port = free_port()
    sd.inside(['systemd-run', '--unit=ph-free', '--description=Porthole free me',
               '--property=Restart=always', '--property=RestartSec=100ms', '/usr/bin/python3',
               sd.dir + '/server.py', str(port)], check=True)
    tap.ok(wait_for(lambda: port_held(port)), 'a Restart=always unit for porthole free on %d'
           % port)
    pid_before = host_pid_of(sd, 'ph-free.service')
    # systemd is the "supervisor" of every unit's process, and an ancestor of it: the helper
    # still never signals it, nor the holder after refusing.
    rc, result = helper_stop(pid_before, start_time(pid_before), listen_inode(port),
                             supervisor=sd.pid1)
    tap.ok(result is not None and result.s('outcome') == 'refused' and
           'service manager' in (result.s('message') or '') and
           os.path.exists('/proc/%d' % sd.pid1) and host_pid_of(sd, 'ph-free.service') ==
           pid_before,
           'porthole-helper stop --supervisor refuses systemd (PID %d here) as the supervisor, '
           'and signals no one: %r' % (sd.pid1, result and result.s('message')))
    rc, doc = porthole_free(sd, str(port), '--dry-run')
    tap.ok(rc == 0 and doc.get('outcome') == 'dry-run' and port_held(port) and
           'ph-free.service' in doc.get('message', '') and
           [h.get('lever') for h in doc.get('holders', [])] == ['systemd-service'] and
           host_pid_of(sd, 'ph-free.service') == pid_before,
           'porthole free --dry-run names the unit it would stop, and stops nothing: %r'
           % doc.get('message'))
    rc, doc = porthole_free(sd, str(port), '--yes')
    time.sleep(0.5)  # RestartSec=100ms: had a signal ended it, it would be back by now
    after = tool(sd, 'unit', 'system', 'ph-free.service')
    tap.ok(rc == 0 and doc.get('outcome') == 'freed' and doc.get('signal') is None and
           not port_held(port) and
           (after.get('active') == 'inactive' or after.get('error') == 'no-unit'),
           'porthole free --yes stops the Restart=always unit through systemd, for good '
           '(a stopped transient unit is gone): %r, unit %r' % (doc.get('message'), after))

    # --- socket activation ----------------------------------------------------------------
    sd.inside(['systemctl', 'daemon-reload'], check=True)
    sd.inside(['systemctl', 'start', 'ph-act.socket'], check=True)
    tap.ok(wait_for(lambda: port_held(p_sock)), 'the .socket unit listens on %d' % p_sock)
    inode = listen_inode(p_sock)
    holders = [p for p in os.listdir('/proc') if p.isdigit() and holds(int(p), inode)]
    tap.ok(holders == [str(sd.pid1)],
           'before the first connection only systemd (PID 1 there, %d here) holds it: %r'
           % (sd.pid1, holders))
    u = tool(sd, 'socket', 'system', 'tcp', '127.0.0.1', str(p_sock))
    tap.ok(u.get('name') == 'ph-act.socket' and u.get('triggers') == 'ph-act.service' and
           u.get('description') == 'Porthole test socket' and u.get('sub') == 'listening',
           'core finds the .socket unit by Listen= and names its service: %r' % u)
    none = tool(sd, 'socket', 'system', 'tcp', '127.0.0.1', str(free_port()))
    tap.ok(none.get('error') == 'no-unit' and 'socket unit' in none.get('message', ''),
           'a port no socket unit names is "no unit": %r' % none.get('message'))

    # The helper never signals a service manager, though its PID here is not 1.
    rc, result = helper_stop(sd.pid1, start_time(sd.pid1), inode)
    tap.ok(result is not None and result.s('outcome') == 'refused' and
           os.path.exists('/proc/%d' % sd.pid1),
           'porthole-helper stop refuses to signal systemd (PID %d here): %r'
           % (sd.pid1, result and result.s('message')))

    lv = tool(sd, 'lever', '-', 'tcp', '127.0.0.1', str(p_sock))
    tap.ok(lv.get('lever') == 'systemd-socket' and lv.get('owner-unit') == 'init.scope' and
           lv.get('plan-units') == 'ph-act.socket,ph-act.service' and
           lv.get('service-description') == 'Porthole test activated server',
           'held by systemd itself, Porthole plans to stop the .socket, then its service: %r'
           % lv)
    poke(p_sock)
    tap.ok(wait_for(lambda: main_pid(sd, 'ph-act.service') != 0),
           'a connection starts ph-act.service')
    lv = tool(sd, 'lever', '-', 'tcp', '127.0.0.1', str(p_sock))
    tap.ok(lv.get('plan-units') == 'ph-act.socket,ph-act.service' and
           'socket activation' in lv.get('confirmation', ''),
           'once the service holds it too, the plan still stops both (owner %s, %s): %r'
           % (lv.get('owner-pid'), lv.get('owner-unit'), lv.get('plan-units')))
    s = tool(sd, 'stop', 'system', 'tcp', '127.0.0.1', str(p_sock), 'ph-act.service')
    tap.ok(s.get('outcome') == 'still-held' and s.get('held-by') == 'ph-act.socket' and
           port_held(p_sock),
           'stopping only the service leaves the port held, by ph-act.socket: %r' % s)
    poke(p_sock)
    tap.ok(wait_for(lambda: main_pid(sd, 'ph-act.service') != 0),
           'and the next connection starts the service again')
    lv = tool(sd, 'lever', '-', 'tcp', '127.0.0.1', str(p_sock), 'stop')
    tap.ok(lv.get('outcome') == '0' and not port_held(p_sock),
           'Stop Service stops the .socket, then its service, and the port is free: %r'
           % lv.get('said'))
    states = [tool(sd, 'unit', 'system', u).get('active') for u in ('ph-act.socket',
                                                                     'ph-act.service')]
    tap.ok(states == ['inactive', 'inactive'], 'both units are inactive: %r' % states)

    # A bare ListenStream=PORT listens on every address ([::], both families).
    sd.inside(['systemctl', 'start', 'ph-any.socket'], check=True)
    tap.ok(wait_for(lambda: port_held(p_any)), 'ph-any.socket listens on every address')
    lv = tool(sd, 'lever', '-', 'tcp', '::', str(p_any))
    tap.ok(lv.get('lever') == 'systemd-socket' and
           lv.get('plan-units') == 'ph-any.socket,ph-any.service',
           'a bare port in Listen= is found for the wildcard listener: %r' % lv.get('plan-units'))
    rc, doc = porthole_free(sd, str(p_any), '--yes')
    states = [tool(sd, 'unit', 'system', u).get('active') for u in ('ph-any.socket',
                                                                     'ph-any.service')]
    tap.ok(rc == 0 and doc.get('outcome') == 'freed' and not port_held(p_any) and
           states == ['inactive', 'inactive'] and os.path.exists('/proc/%d' % sd.pid1),
           'porthole free on a socket-activated port stops the .socket and its service, and '
           'signals no one: %r, units %r' % (doc.get('message'), states))

    # --- errors ---------------------------------------------------------------------------
    sd.inside(['systemctl', 'start', 'ph-refuse.service'], check=True)
    s = tool(sd, 'stop', 'system', 'tcp', '127.0.0.1', '0', 'ph-refuse.service')
    tap.ok(s.get('error') == 'refused' and 'RefuseManualStop' in s.get('message', ''),
           'StopUnit refused (RefuseManualStop=yes) is said so: %r' % s.get('message'))
    s = tool(sd, 'unit', 'system', 'ph-no-such.service')
    tap.ok(s.get('error') == 'no-unit', 'an unknown unit is "no unit": %r' % s.get('message'))

    port = free_port()
    sd.write_unit('ph-phoenix.service', '[Unit]\nDescription=Porthole test: started again\n'
                  '[Service]\nExecStart=/usr/bin/python3 %s/server.py %d\n' % (sd.dir, port))
    sd.inside(['systemctl', 'daemon-reload'], check=True)
    sd.inside(['systemctl', 'start', 'ph-phoenix.service'], check=True)
    sd.inside(['systemd-run', '--unit=ph-rescuer', '/bin/sh', '-c',
               'while :; do systemctl start ph-phoenix.service; sleep 0.2; done'], check=True)
    tap.ok(wait_for(lambda: port_held(port)), 'a unit that something starts again listens')
    s = tool(sd, 'stop', 'system', 'tcp', '127.0.0.1', str(port), 'ph-phoenix.service')
    tap.ok(s.get('outcome') == 'started-again' and s.get('held-by') == 'ph-phoenix.service',
           'a unit started again right after StopUnit is reported as "started again": %r' % s)
    sd.inside(['systemctl', 'stop', 'ph-rescuer.service', 'ph-phoenix.service'])

    env_no_bus = dict(os.environ)
    env_no_bus['DBUS_SYSTEM_BUS_ADDRESS'] = 'unix:path=' + sd.dir + '/no-bus'
    r = subprocess.run([TOOL, 'unit', 'system', 'dbus.service'], env=env_no_bus,
                       capture_output=True, text=True, timeout=30)
    tap.ok('error=no-bus' in r.stdout and 'system bus' in r.stdout,
           'no system bus is "no bus": %r' % r.stdout.strip())

    # --- systemd --user ---------------------------------------------------------------------
    user_checks(sd)


def user_checks(sd):
    r = sd.inside(['id', '-u', TEST_USER])
    if r.returncode != 0:
        sd.inside(['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin',
                   TEST_USER], check=True)
        r = sd.inside(['id', '-u', TEST_USER])
    uid = int(r.stdout.strip())
    gid = int(sd.inside(['id', '-g', TEST_USER]).stdout.strip())
    runtime = '/run/user/%d' % uid
    r = sd.inside(['systemctl', 'start', 'user@%d.service' % uid], check=True)
    if r.returncode != 0:
        tap.diag(sd.inside(['journalctl', '--no-pager', '-n', '30']).stdout)
    tap.ok(r.returncode == 0 and wait_for(lambda: os.path.exists(
        '/proc/%d/root%s/bus' % (sd.pid1, runtime))),
        'systemd --user runs for %s (uid %d), its bus at %s/bus' % (TEST_USER, uid, runtime))
    env = ['XDG_RUNTIME_DIR=' + runtime, 'DBUS_SESSION_BUS_ADDRESS=unix:path=%s/bus' % runtime]
    port = free_port()
    r = sd.inside(['systemd-run', '--user', '--unit=ph-user-app',
                   '--description=Porthole user server', '/usr/bin/python3',
                   sd.dir + '/server.py', str(port)], user=(uid, gid), env=env, check=True)
    tap.ok(r.returncode == 0 and wait_for(lambda: port_held(port)),
           'systemd-run --user starts a listener on %d' % port)
    u = tool(sd, 'unit', 'user', 'ph-user-app.service', user=(uid, gid), env=env)
    tap.ok(u.get('name') == 'ph-user-app.service' and u.get('active') == 'active' and
           u.get('description') == 'Porthole user server',
           'core reads a user unit on the session\'s user bus: %r' % u)
    s = tool(sd, 'stop', 'user', 'tcp', '127.0.0.1', str(port), 'ph-user-app.service',
             user=(uid, gid), env=env)
    tap.ok(s.get('outcome') == 'freed' and not port_held(port),
           'StopUnit on the user bus frees the port: %r' % s)
    env.append('PORTHOLE_HELPER=' + HELPER)
    port = free_port()
    r = sd.inside(['systemd-run', '--user', '--unit=ph-user-act',
                   '--socket-property=ListenStream=127.0.0.1:%d' % port,
                   '/usr/bin/python3', sd.dir + '/server.py'], user=(uid, gid), env=env, check=True)
    tap.ok(r.returncode == 0 and wait_for(lambda: port_held(port)),
           'a socket-activated user unit listens on %d' % port)
    inode = listen_inode(port)
    holders = [int(p) for p in os.listdir('/proc') if p.isdigit() and holds(int(p), inode)]
    manager = holders[0] if len(holders) == 1 else 0
    with open('/proc/%d/cgroup' % manager if manager else '/dev/null') as f:
        cg = f.read().strip()
    tap.ok(cg.endswith('/user@%d.service/init.scope' % uid),
           'the user manager (systemd --user, PID %d here) holds it: %s' % (manager, cg))
    rc, result = helper_stop(manager, start_time(manager), inode)
    tap.ok(result is not None and result.s('outcome') == 'refused' and
           'service manager' in (result.s('message') or '') and
           os.path.exists('/proc/%d' % manager),
           'porthole-helper stop refuses to signal the user manager: %r'
           % (result and result.s('message')))
    lv = tool(sd, 'lever', '-', 'tcp', '127.0.0.1', str(port), 'stop', user=(uid, gid), env=env)
    tap.ok(lv.get('lever') == 'systemd-socket' and lv.get('scope') == 'user' and
           lv.get('plan-units') == 'ph-user-act.socket,ph-user-act.service' and
           lv.get('outcome') == '0' and not port_held(port),
           'as the user, Porthole finds the user .socket unit and Stop Service frees the port: %r'
           % lv)

    s = tool(sd, 'unit', 'user', 'ph-user-app.service', user=(uid, gid),
             env=['XDG_RUNTIME_DIR=/nonexistent'])
    tap.ok(s.get('error') == 'no-bus' and 'systemctl --user' in s.get('message', ''),
           'without a user bus the error says so and what to do: %r' % s.get('message'))
    # An unprivileged user's StopUnit of a system unit: systemd asks polkit, which says no.
    port = free_port()
    sd.inside(['systemd-run', '--unit=ph-sys-held', '/usr/bin/python3', sd.dir + '/server.py',
               str(port)], check=True)
    wait_for(lambda: port_held(port))
    s = tool(sd, 'stop', 'system', 'tcp', '127.0.0.1', str(port), 'ph-sys-held.service',
             user=(uid, gid))
    tap.ok(s.get('error') == 'refused' and 'polkit' in s.get('message', '') and port_held(port),
           'a system unit the user may not stop: "refused", and the port stays held: %r'
           % s.get('message'))
    sd.inside(['systemctl', 'stop', 'ph-sys-held.service'])
    sd.inside(['systemctl', 'stop', 'user@%d.service' % uid])


def holds(pid, inode):
    try:
        for fd in os.listdir('/proc/%d/fd' % pid):
            try:
                if os.readlink('/proc/%d/fd/%s' % (pid, fd)) == 'socket:[%d]' % inode:
                    return True
            except OSError:
                pass
    except OSError:
        pass
    return False


def helper_stop(pid, start, inode, supervisor=None):
    args = ['stop', '--pid', str(pid), '--start-time', str(start), '--inode', str(inode),
            '--grace', '500']
    if supervisor is not None:
        args += ['--supervisor', '%d:%d' % (supervisor, start_time(supervisor))]
    rc, recs, err = c.run_helper(args)
    result = [rec for rec in recs if rec.type == 'RESULT']
    return rc, (result[-1] if result else None)


sys.exit(main())
