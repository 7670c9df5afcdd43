#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-flatpak.py — a process in a Flatpak sandbox, as the helper sees it from the
# host: named by the sandbox's /.flatpak-info (manager=flatpak, app_id) when no cgroup
# names it, and freed with `flatpak kill APP` only when `stop --flatpak-app APP` asks, only
# for holders that run in that app, never for anything else. The "sandbox" here is a
# chroot with a /.flatpak-info, and `flatpak` a stand-in
# that records its arguments and kills the holder; build-aux/dev flatpak runs the real
# flatpak against a real second Flatpak app (tests/flatpak/test-flatpak-app.py).
import json
import os
import shutil
import subprocess
import sys
import tempfile

import porthole_test as pt

tap = pt.Tap()
APP = 'org.porthole.TestSandboxed'

if os.geteuid() != 0 or not all(map(shutil.which, ('chroot', 'ldd', 'unshare'))) or \
        not os.path.ismount('/tmp'):
    tap.skip_all('needs root, chroot, ldd, unshare and /tmp a mount of its own (the "sandbox" '
                 'is a chroot with its own /proc)')

tmp = tempfile.mkdtemp(prefix='ph-flatpak-', dir='/tmp')
os.chmod(tmp, 0o755)
root = os.path.join(tmp, 'root')


def copy_in(path):
    """PATH, at the same place inside the "sandbox"."""
    dest = root + os.path.realpath(path)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copy2(os.path.realpath(path), dest)
    if os.path.realpath(path) != path:
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        if not os.path.lexists(root + path):
            os.symlink(os.path.realpath(path), root + path)


# ph-test-listener in the "sandbox": a chroot with the listener, the libraries it links
# and a /.flatpak-info; its root, seen from here, is /proc/PID/root.
os.makedirs(root)
listener = pt.listener_program()
copy_in(listener)
ldd = subprocess.run(['ldd', listener], capture_output=True, text=True).stdout
for word in ldd.split():
    if word.startswith('/') and os.path.exists(word):
        copy_in(word)
with open(os.path.join(root, '.flatpak-info'), 'w') as f:
    f.write(f'[Application]\nname={APP}\nruntime=runtime/org.gnome.Platform/x86_64/50\n\n'
            '[Instance]\ninstance-id=1234567890\n')
os.makedirs(os.path.join(root, 'proc'))
# With its own /proc (a sanitizer build reads /proc/self/maps), mounted in a mount
# namespace of its own under a /tmp made private there, so nothing propagates back.
SANDBOX = ['unshare', '--mount', '--propagation', 'unchanged', '--', 'sh', '-c',
           'mount --make-private /tmp && mount -t proc proc "$0/proc" && exec chroot "$0" "$@"',
           root]
fake_bin = os.path.join(tmp, 'bin')
os.makedirs(fake_bin)
log = os.path.join(tmp, 'flatpak.log')


def fake_flatpak(kill_pid):
    """A `flatpak` that records its arguments and ends the sandboxed listener."""
    with open(os.path.join(fake_bin, 'flatpak'), 'w') as f:
        f.write(f'#!/bin/sh\necho "$*" >> {log}\n'
                f'[ "$1" = kill ] && [ "$2" = {APP} ] && kill -KILL {kill_pid}\nexit 0\n')
    os.chmod(os.path.join(fake_bin, 'flatpak'), 0o755)


def calls():
    try:
        with open(log) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def stop(lis, *extra, env=None):
    inode = lis.sockets[0][3]
    rc, recs, err = pt.run_helper(['stop', '--pid', str(lis.pid), '--start-time',
                                   str(pt.start_time(lis.pid)), '--inode', str(inode),
                                   *extra], env=env)
    res = [r for r in recs if r.type == 'RESULT']
    if err.strip():
        tap.diag(err.strip())
    return rc, (res[-1] if res else None)


PATH_WITH_FAKE = {'PATH': fake_bin + ':' + os.environ.get('PATH', '/usr/bin:/bin')}
plain = None
try:
    sandboxed = pt.Listener('tcp:127.0.0.1:0', prefix=SANDBOX)
    with open(f'/proc/{sandboxed.pid}/root/.flatpak-info') as f:
        tap.ok(f'name={APP}' in f.read(), 'the listener\'s root has a /.flatpak-info')
    plain = pt.Listener('tcp:127.0.0.1:0')

    st, _, rc, err = pt.watch_once()
    proc = st.proc(sandboxed.pid)
    tap.ok(proc is not None and proc.s('manager') == 'flatpak' and proc.s('app_id') == APP,
           f'watch: the sandboxed holder is the Flatpak app {APP} '
           f'({proc and proc.s("manager")}, {proc and proc.s("app_id")})')
    tap.ok(proc is not None and proc.s('launcher') == 'flatpak', 'launcher=flatpak')
    other = st.proc(plain.pid)
    tap.ok(other is not None and other.s('manager') != 'flatpak' and not other.has('app_id'),
           'a host process beside it is no Flatpak app')

    fake_flatpak(sandboxed.pid)
    rc, res = stop(sandboxed, '--flatpak-app', 'org.porthole.SomeOtherApp', env=PATH_WITH_FAKE)
    tap.ok(rc == 5 and res is not None and res.s('outcome') == 'refused',
           f'--flatpak-app naming another app: refused, exit 5 ({rc}, {res and res.s("message")})')
    rc, res = stop(plain, '--flatpak-app', APP, env=PATH_WITH_FAKE)
    tap.ok(rc == 5 and res is not None and res.s('outcome') == 'refused',
           f'--flatpak-app for a holder in no sandbox: refused ({rc})')
    tap.ok(calls() == [] and sandboxed.alive() and plain.alive(),
           'neither ran flatpak or signalled anything')
    rc, res = stop(sandboxed, '--flatpak-app', '../evil', env=PATH_WITH_FAKE)
    tap.ok(rc == 2, f'an app ID that is no app ID: usage, exit 2 ({rc})')
    rc, res = stop(sandboxed, '--flatpak-app', APP, '--supervisor', '1:1', env=PATH_WITH_FAKE)
    tap.ok(rc == 2, f'--flatpak-app with --supervisor: usage, exit 2 ({rc})')

    rc, res = stop(sandboxed, '--flatpak-app', APP, env={'PATH': os.path.join(tmp, 'none')})
    tap.ok(rc == 1 and res is not None and res.s('outcome') == 'still-held' and
           'flatpak could not be run' in res.s('message', '') and sandboxed.alive(),
           f'without flatpak in PATH: still held, and says so ({rc}, {res and res.s("message")})')

    rc, res = stop(sandboxed, '--flatpak-app', APP, env=PATH_WITH_FAKE)
    tap.ok(rc == 0 and res is not None and res.s('outcome') == 'freed',
           f'--flatpak-app {APP}: freed, exit 0 ({rc}, {res and res.s("message")})')
    tap.ok(res is not None and res.s('signal') == 'KILL', 'RESULT says KILL, what flatpak sends')
    tap.ok(calls() == [f'kill {APP}'], f'flatpak kill {APP} ran once, nothing else ({calls()})')
    tap.ok(sandboxed.wait_exit(5), 'the sandboxed listener is gone')
    tap.ok(plain.alive(), 'the host listener is still alive')

    # porthole free: the process path by default, flatpak kill only with --flatpak-kill.
    def free(lis, *extra):
        p = subprocess.run([pt.porthole(), 'free', '--yes', '--json', *extra, str(lis.port)],
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, **PATH_WITH_FAKE))
        try:
            return p.returncode, json.loads(p.stdout)
        except ValueError:
            tap.diag(p.stdout + p.stderr)
            return p.returncode, {}

    first = pt.Listener('tcp:127.0.0.1:0', prefix=SANDBOX)
    fake_flatpak(first.pid)
    rc, doc = free(first)
    tap.ok(rc == 0 and doc.get('outcome') == 'freed' and doc.get('signal') == 'TERM' and
           doc.get('flatpak_kill') is None,
           f'porthole free: a Flatpak app\'s port is freed by SIGTERM to its process ({rc}, '
           f'{doc.get("signal")}, {doc.get("flatpak_kill")})')
    tap.ok(calls() == [f'kill {APP}'], 'without running flatpak (nothing more recorded)')
    second = pt.Listener('tcp:127.0.0.1:0', prefix=SANDBOX)
    fake_flatpak(second.pid)
    rc, doc = free(second, '--flatpak-kill')
    tap.ok(rc == 0 and doc.get('outcome') == 'freed' and doc.get('flatpak_kill') == APP and
           doc.get('signal') == 'KILL',
           f'porthole free --flatpak-kill: freed by quitting {APP} ({rc}, {doc.get("message")})')
    tap.ok(calls() == [f'kill {APP}'] * 2, f'with flatpak kill {APP} ({calls()})')
    rc, doc = free(plain, '--flatpak-kill')
    tap.ok(rc == 3 and doc.get('outcome') == 'refused' and plain.alive(),
           f'porthole free --flatpak-kill refuses a program in no Flatpak app (exit {rc})')
    tap.ok(calls() == [f'kill {APP}'] * 2, 'and runs no flatpak for it')
finally:
    pt._end_listeners()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(tap.done())
