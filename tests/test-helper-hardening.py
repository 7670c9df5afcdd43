#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-hardening.py — the helper run as root on someone's behalf (PKEXEC_UID set, as
# pkexec runs it) ignores its environment, closes inherited fds, copes with closed stdin
# and stdout, takes only its verbs and refuses to stop what its list could not show.
# (test-unlock-polkit runs the same helper through the real pkexec.)
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import porthole_test as c  # noqa: E402

c.HELPER = c.helper()
c.require_tools = lambda tap: None   # porthole_test fails loudly when a program is unset

tap = c.Tap()
c.require_tools(tap)
if os.geteuid() != 0:
    tap.skip_all('needs root (build-aux/dev test runs tests as root)')

# What pkexec leaves (PKEXEC_UID) plus what a hostile caller would like to pass on.
HOSTILE = {'PKEXEC_UID': '65534', 'PORTHOLE_HELPER_SOURCE': 'procfs',
           'LD_PRELOAD': '/nonexistent/evil.so', 'LD_LIBRARY_PATH': '/nonexistent',
           'PATH': '/nonexistent', 'IFS': '/', 'LC_ALL': 'xx_XX.EVIL', 'LANG': 'tr_TR.UTF-8'}


def env_of(extra):
    e = {'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
    e.update(extra)
    return e


def main():
    # Unprivileged-style (no PKEXEC_UID): the variable is honoured, as the tests rely on.
    rc, recs, err = c.run_helper(['watch', '--once'],
                                 env={'PORTHOLE_HELPER_SOURCE': 'procfs'})
    hello = next((r for r in recs if r.type == 'HELLO'), None)
    tap.ok(rc == 0 and hello is not None and hello.s('source') == 'procfs',
           'without PKEXEC_UID, PORTHOLE_HELPER_SOURCE still chooses the source')

    p = subprocess.run([c.HELPER, 'watch', '--once'], env=env_of(HOSTILE),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    recs = c.parse_lines(p.stdout)
    hello = next((r for r in recs if r.type == 'HELLO'), None)
    tap.ok(p.returncode == 0 and hello is not None and hello.s('source') == 'netlink'
           and hello.i('euid') == 0,
           'as pkexec runs it, with a hostile environment: PORTHOLE_HELPER_SOURCE ignored (%s)'
           % p.stderr.decode(errors='replace').strip())
    tap.ok(any(r.type == 'END' for r in recs), '... and it still lists sockets')

    # Its environment and fds as the kernel sees them: a helper that waits (interval 0)
    # lets the test read /proc/PID/environ and /proc/PID/fd.
    r, w = os.pipe()
    extra_fd = os.open('/dev/null', os.O_RDONLY)
    p = subprocess.Popen([c.HELPER, 'watch', '--interval', '0'], env=env_of(HOSTILE),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         pass_fds=(extra_fd, w))
    os.close(w)
    try:
        line = p.stdout.readline()
        tap.ok(line.startswith(b'HELLO'), 'the waiting helper said HELLO')
        null_id = os.stat('/dev/null').st_rdev
        pipe_ino = os.fstat(r).st_ino
        leaked = []
        for f in os.listdir('/proc/%d/fd' % p.pid):
            st = os.stat('/proc/%d/fd/%s' % (p.pid, f))
            if int(f) > 2 and (st.st_rdev == null_id and st.st_ino == os.stat('/dev/null').st_ino
                               or st.st_ino == pipe_ino):
                leaked.append(int(f))
        tap.ok(leaked == [], 'the fds it inherited (/dev/null, a pipe) are closed (%r)' % leaked)
        # Its locale is not the caller's: a message it writes stays English and ASCII.
        p.stdin.write(b'no-such-command\n')
        p.stdin.flush()
        warn = p.stdout.readline()
        while warn and not warn.startswith(b'WARN'):
            warn = p.stdout.readline()
        tap.ok(warn.startswith(b'WARN\tcode=unknown-command') and warn.isascii(),
               'with LC_ALL and LANG set, its messages stay plain English (%r)' % warn)
    finally:
        p.kill()
        p.wait()
        os.close(r)
        os.close(extra_fd)

    # Closed stdin: reads as empty; closed stdout: nowhere to answer, usage exit.
    p = subprocess.run([c.HELPER, 'watch', '--once'], env=env_of(HOSTILE),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60, pass_fds=(), preexec_fn=lambda: os.close(0))
    tap.ok(p.returncode == 0 and p.stdout.startswith(b'HELLO'),
           'closed stdin: it runs and lists (exit %d)' % p.returncode)
    p = subprocess.run([c.HELPER, 'watch', '--once'], env=env_of(HOSTILE),
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=60, preexec_fn=lambda: os.close(1))
    tap.ok(p.returncode == 2, 'closed stdout: it refuses to run (exit %d)' % p.returncode)

    with c.Listener('tcp:127.0.0.1:0', 'udp:127.0.0.1:0') as lis:
        inode = lis.sockets[0][3]
        start = c.start_time(lis.pid)
        ppid_start = c.start_time(os.getpid())
        cases = [
            (['--help'], 2, '--help'),
            (['sh', '-c', 'id'], 2, 'an unknown verb'),
            (['--version', 'x'], 2, '--version with an argument'),
            (['watch', '--interval', '-1'], 2, 'watch with a negative interval'),
            (['stop', '--pid', '1', '--start-time', '1', '--inode', str(inode)], 5, 'PID 1'),
            (['stop', '--pid', str(os.getpid()), '--start-time', str(ppid_start),
              '--inode', str(inode)], 5, 'its parent'),
            (['stop', '--pid', str(lis.pid), '--start-time', str(start), '--inode', '999999999'],
             5, 'a socket it does not list'),
            (['stop', '--pid', str(lis.pid), '--start-time', str(start), '--inode', str(inode),
              '--pid', 'x'], 2, 'a bad repeated argument'),
        ]
        for args, want, what in cases:
            p = subprocess.run([c.HELPER] + args, env=env_of(HOSTILE), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            tap.ok(p.returncode == want, 'as root for someone else, %s: exit %d (%d)'
                   % (what, want, p.returncode))
        tap.ok(c.proc_alive(lis.pid), 'the listener was not signalled by any of them')

        # A process holding a socket the list shows may be stopped: the stop still works.
        p = subprocess.run([c.HELPER, 'stop', '--pid', str(lis.pid), '--start-time', str(start),
                            '--inode', str(inode)], env=env_of(HOSTILE),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, timeout=60)
        tap.ok(p.returncode == 0 and c.wait_dead([lis.pid]),
               'a listed socket\'s holder is stopped (exit %d)' % p.returncode)
    return tap.done()


if __name__ == '__main__':
    raise SystemExit(main())
