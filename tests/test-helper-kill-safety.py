#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-kill-safety.py — every way this suite knows to make `porthole-helper stop`
# signal the wrong process, each of which it must refuse: a PID reused by a new process, a
# socket handed to another process (over a Unix socket, or inherited by a child whose parent
# ended), a holder that exec'd and no longer holds it, PID 1, the helper itself or its
# parent, a PID of another PID namespace, a /proc that is not the helper's namespace's; and
# hostile arguments to the privileged helper. (test-helper-stop covers the plain outcomes,
# test-helper-hardening the privileged helper's environment.)
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import porthole_test as pt

tap = pt.Tap()
if os.geteuid() != 0:
    tap.skip_all('needs root: PID reuse is arranged through ns_last_pid, namespaces by unshare '
                 '(build-aux/dev test runs tests as root)')
HELPER = pt.helper()


def stop_args(pid, start, inode, *extra):
    return ['stop', '--pid', str(pid), '--start-time', str(start), '--inode', str(inode),
            '--grace', '1000'] + list(extra)


def stop(pid, start, inode, *extra, prefix=(), env=None):
    rc, recs, err = pt.run_helper(stop_args(pid, start, inode, *extra), prefix=prefix, env=env)
    res = [r for r in recs if r.type == 'RESULT']
    return rc, (res[-1] if res else None), err


def outcome(res):
    return res.s('outcome') if res is not None else None


def pairs(value):
    return sorted(tuple(int(x) for x in p.split(':')) for p in (value or '').split(',') if p)


def still(pid, start):
    """The very process instance is still there, unsignalled (not a zombie)."""
    return pt.proc_alive(pid) and pt.start_time(pid) == start


def set_last_pid(n):
    with open('/proc/sys/kernel/ns_last_pid', 'w') as f:
        f.write(str(n))


def test_pid_reused():
    """A PID reused by a new process (it holds a socket of its own): the start time the
    caller saw no longer matches, so stale, and the new process is not signalled."""
    old = pt.Listener('tcp:127.0.0.1:0')
    pid, start, inode = old.pid, pt.start_time(old.pid), old.sockets[0][3]
    old.kill()
    pt.wait_reaped([pid])
    # Start times are in clock ticks (1/100 s): a PID reused within the tick its first
    # process started in would carry the same start time, and only the socket inode would
    # tell the two apart (test_passed_over_unix_socket shows that refusal). So the new
    # process starts at least two ticks later.
    hz = os.sysconf('SC_CLK_TCK')
    for _ in range(4 * hz):
        if int(time.clock_gettime(time.CLOCK_BOOTTIME) * hz) - start >= 2:
            break
        time.sleep(1.0 / hz)
    new = None
    for _ in range(20):
        set_last_pid(pid - 1)
        lis = pt.Listener('tcp:127.0.0.1:0')
        if lis.pid == pid:
            new = lis
            break
        lis.kill()
        time.sleep(0.01)
    if not tap.ok(new is not None, 'a new listener took the old PID %d (through ns_last_pid)'
                  % pid):
        return
    new_start = pt.start_time(pid)
    tap.ok(new_start != start, 'the new process has another start time (%d, was %d)'
           % (new_start, start))
    for what, ino in (('the old socket', inode), ('the new process\'s own socket',
                                                  new.sockets[0][3])):
        rc, res, err = stop(pid, start, ino)
        tap.ok(rc == 4 and outcome(res) == 'stale',
               'PID reused, asked with the old start time and %s: stale, exit 4 (%s %s)'
               % (what, rc, outcome(res)), diag=err)
        tap.ok(res is not None and res.s('signalled') == '', '... nothing was signalled')
    tap.ok(still(pid, new_start), 'the process that now has the PID was not signalled')
    new.kill()


def test_passed_over_unix_socket():
    """The holder handed the socket to another process (SCM_RIGHTS) and closed its own: the
    process the caller saw does not hold it, and the one that does is not signalled."""
    lis = pt.Listener('--pass-to-child', 'tcp:127.0.0.1:0')
    parent, child, inode = lis.pid, lis.passed_to, lis.sockets[0][3]
    pstart, cstart = pt.start_time(parent), pt.start_time(child)
    lis.send_signal(signal.SIGUSR2)
    lis.wait_line('PASSED')
    rc, res, err = stop(parent, pstart, inode)
    tap.ok(rc == 3 and outcome(res) == 'not-holder',
           'the socket passed over a Unix socket to another process: not-holder, exit 3 (%s %s)'
           % (rc, outcome(res)), diag=err)
    tap.ok(res is not None and pairs(res.s('holders')) == [(child, cstart)]
           and res.s('signalled') == '',
           '... RESULT names the process that holds it now and signalled nobody (%r)' % res)
    tap.ok(still(parent, pstart) and still(child, cstart), 'neither process was signalled')
    lis.kill()


def test_inherited_after_parent_exit():
    """A parent forked, its child inherited the socket, the parent ended: asked for the
    parent, nothing is signalled; the child keeps the port."""
    lis = pt.Listener('tcp:127.0.0.1:0', fork=1, orphan_children=True)
    parent, child, inode = lis.pid, lis.children[0], lis.sockets[0][3]
    pstart, cstart = pt.start_time(parent), pt.start_time(child)
    lis.send_signal(signal.SIGKILL)   # the parent alone, not its group
    lis.wait_exit(5)
    rc, res, err = stop(parent, pstart, inode)
    tap.ok(rc == 7 and outcome(res) == 'gone',
           'the parent that ended, its socket inherited by a child: gone, exit 7 (%s %s)'
           % (rc, outcome(res)), diag=err)
    tap.ok(still(child, cstart), 'the child that holds the socket now was not signalled')
    lis.kill()


EXEC_AWAY = r'''
import os, socket, sys
s = socket.socket()                  # not inheritable: closed by exec
s.bind(('127.0.0.1', 0))
s.listen()
child = os.fork()
if child == 0:
    os.set_inheritable(s.fileno(), True)
    os.execv(sys.argv[1], [sys.argv[1], 'tcp:127.0.0.1:0'])   # holds s as well, stays
print(os.getpid(), child, os.fstat(s.fileno()).st_ino, flush=True)
sys.stdin.readline()
os.execv('/bin/sleep', ['sleep', '600'])
'''


def test_exec_away():
    """A holder that exec'd into another program (the socket closed on exec, a child keeps
    it): the PID and start time are the same, but it holds nothing any more."""
    p = subprocess.Popen([sys.executable, '-c', EXEC_AWAY, pt.listener_program()],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
    try:
        pid, child, inode = (int(x) for x in p.stdout.readline().split())
        start = pt.start_time(pid)
        p.stdin.write(b'\n')
        p.stdin.flush()
        pt.wait_for(lambda: open('/proc/%d/comm' % pid).read().strip() == 'sleep', 5, 0.02)
        comm = open('/proc/%d/comm' % pid).read().strip()
        cstart = pt.start_time(child)
        rc, res, err = stop(pid, start, inode)
        tap.ok(comm == 'sleep' and rc == 3 and outcome(res) == 'not-holder',
               'a holder that exec\'d into %s and closed the socket: not-holder, exit 3 (%s %s)'
               % (comm, rc, outcome(res)), diag=err)
        tap.ok(res is not None and pairs(res.s('holders')) == [(child, cstart)],
               '... RESULT names the child that still holds it (%r)' % res)
        tap.ok(still(pid, start) and still(child, cstart), 'neither was signalled')
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def test_never_signalled():
    """PID 1, the helper itself, its parent, a socket its parent holds too."""
    lis = pt.Listener('tcp:127.0.0.1:0')
    inode = lis.sockets[0][3]
    start = pt.start_time(lis.pid)
    rc, res, _ = stop(1, pt.start_time(1), inode)
    tap.ok(rc == 5 and outcome(res) == 'refused', 'PID 1: refused, exit 5 (%s)' % rc)
    # the helper's own PID: known only once it runs, so a wrapper execs it with its own PID
    self_stop = ('import os, sys\n'
                 'pid = os.getpid()\n'
                 'd = open("/proc/%d/stat" % pid, "rb").read()\n'
                 'start = d[d.rindex(b")") + 2:].split()[19].decode()\n'
                 'os.execv(sys.argv[1], [sys.argv[1], "stop", "--pid", str(pid),\n'
                 '         "--start-time", start, "--inode", sys.argv[2]])\n')
    p = subprocess.run([sys.executable, '-c', self_stop, HELPER, str(inode)],
                       stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60)
    res = [r for r in pt.parse_lines(p.stdout) if r.type == 'RESULT']
    tap.ok(p.returncode == 5 and res and res[0].s('outcome') == 'refused',
           'the helper\'s own PID: refused, exit 5 (%s)' % p.returncode)
    rc, res, _ = stop(os.getpid(), pt.start_time(os.getpid()), inode)
    tap.ok(rc == 5 and outcome(res) == 'refused', 'its parent (this test): refused, exit 5 (%s)'
           % rc)
    tap.ok(still(lis.pid, start), 'the listener was not signalled by any of them')
    lis.kill()

    # A socket this test (the helper's parent) holds as well as a process it started.
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    sock.listen()
    holder = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],
                              pass_fds=(sock.fileno(),), start_new_session=True)
    try:
        inode = os.fstat(sock.fileno()).st_ino
        hstart = pt.start_time(holder.pid)
        pt.wait_for(lambda: _holds(holder.pid, inode), 5, 0.02)
        rc, res, _ = stop(holder.pid, hstart, inode)
        tap.ok(rc == 5 and outcome(res) == 'refused',
               'a socket the helper\'s parent holds too: refused, exit 5 (%s %s)'
               % (rc, outcome(res)))
        tap.ok(still(holder.pid, hstart), 'the other holder was not signalled')
    finally:
        holder.kill()
        holder.wait()
        sock.close()


UNSHARE = shutil.which('unshare')


def test_other_pid_namespace():
    """A PID seen in another PID namespace names another process here (or none)."""
    # A listener in a PID namespace of its own: inside, its PID is small (it prints it).
    p = subprocess.Popen([UNSHARE, '--pid', '--fork', '--', 'sh', '-c',
                          '"$0" tcp:127.0.0.1:0 & wait', pt.listener_program()],
                         stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        lines = [p.stdout.readline().split() for _ in range(2)]
        inode, inner = int(lines[0][4]), int(lines[1][1])
        # Its PID here: the process in this namespace that holds the socket.
        outer = next(int(d) for d in os.listdir('/proc') if d.isdigit() and _holds(d, inode))
        start = pt.start_time(outer)
        there = pt.proc_alive(inner)
        other_start = pt.start_time(inner) if there else None
        rc, res, err = stop(inner, start, inode)
        tap.ok(inner != outer and rc in (4, 5, 7)
               and outcome(res) in ('stale', 'refused', 'gone'),
               'its PID inside its namespace (%d, %d here): %s, exit %s, nothing signalled'
               % (inner, outer, outcome(res), rc), diag=err)
        tap.ok(still(outer, start), 'the listener was not signalled')
        if there:
            tap.ok(still(inner, other_start), 'nor the process that has PID %d here' % inner)
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()

    # The helper in a PID namespace of its own but with this namespace's /proc: /proc/N is
    # not the process pidfd_open (N) opens. A victim the test starts inside gets the same
    # number as a listener outside; the helper must refuse rather than check one and signal
    # the other.
    lis = pt.Listener('tcp:127.0.0.1:0')
    inode, start = lis.sockets[0][3], pt.start_time(lis.pid)
    script = ('echo $(($1 - 1)) > /proc/sys/kernel/ns_last_pid; sleep 600 & victim=$!; '
              'echo "VICTIM $victim"; "$2" stop --pid "$1" --start-time "$3" --inode "$4" '
              '--grace 500; echo "RC $?"; '
              'if kill -0 $victim 2>/dev/null; then echo ALIVE; fi; kill -9 $victim')
    p = subprocess.run([UNSHARE, '--pid', '--fork', '--', 'sh', '-c', script, 'sh',
                        str(lis.pid), HELPER, str(start), str(inode)],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       timeout=60)
    out = p.stdout.decode(errors='replace')
    words = dict(line.split(None, 1) for line in out.splitlines() if ' ' in line
                 and line.split(None, 1)[0] in ('VICTIM', 'RC'))
    res = [r for r in pt.parse_lines(p.stdout) if r.type == 'RESULT']
    same = words.get('VICTIM') == str(lis.pid)
    tap.ok(same, 'a process inside got the number of the listener outside (%s, %d)'
           % (words.get('VICTIM'), lis.pid), diag=p.stderr.decode(errors='replace'))
    tap.ok(words.get('RC') == '5' and res and res[0].s('outcome') == 'refused',
           'a helper whose /proc is another PID namespace\'s: refused, exit 5 (%s)'
           % words.get('RC'), diag=out)
    tap.ok('ALIVE' in out.splitlines(), 'the process inside with that number was not signalled')
    tap.ok(still(lis.pid, start), 'nor the listener outside')
    lis.kill()


def _holds(pid, inode):
    """Whether process pid has socket:[inode] open."""
    try:
        for f in os.listdir('/proc/%s/fd' % pid):
            try:
                if os.readlink('/proc/%s/fd/%s' % (pid, f)) == 'socket:[%d]' % inode:
                    return True
            except OSError:
                continue
    except OSError:
        pass
    return False


# What pkexec leaves (PKEXEC_UID: the helper runs as root for someone else) plus what a
# hostile caller would like to pass on.
HOSTILE = {'PKEXEC_UID': '65534', 'LD_LIBRARY_PATH': '/nonexistent', 'PATH': '/nonexistent',
           'IFS': '/', 'LC_ALL': 'xx_XX.EVIL', 'LANG': 'tr_TR.UTF-8', 'PORTHOLE_HELPER_SOURCE': 'x'}
KNOWN_RECORDS = {'HELLO', 'RESULT', 'WARN', 'BEGIN', 'END', 'SOCK', 'GONE', 'PROC', 'PGONE'}


def test_hostile_arguments():
    """The privileged helper's stop verb with arguments made to confuse it: each is a usage
    error or a refusal, its output stays well-formed (one RESULT, no forged record), and the
    listener it could have hit is untouched."""
    lis = pt.Listener('tcp:127.0.0.1:0')
    pid, start, inode = lis.pid, pt.start_time(lis.pid), lis.sockets[0][3]
    P, S, I = str(pid), str(start), str(inode)
    base = ['stop', '--pid', P, '--start-time', S, '--inode', I]
    me = str(os.getpid())
    cases = [
        (['stop', '--pid', P + '\nRESULT\toutcome=freed', '--start-time', S, '--inode', I], 2,
         'a PID with a forged record after a newline'),
        (['stop', '--pid', P, '--start-time', S, '--inode', I + '\tholders=1:1'], 2,
         'an inode with a forged field after a TAB'),
        (['stop', '--pid', '99999999999999999999', '--start-time', S, '--inode', I], 2,
         'a PID beyond 64 bits'),
        (['stop', '--pid', '2147483648', '--start-time', S, '--inode', I], 2,
         'a PID beyond 32 bits (wraps to a negative pid_t)'),
        (['stop', '--pid', '-1', '--start-time', S, '--inode', I], 2, 'PID -1 (kill\'s "all")'),
        (['stop', '--pid', '0', '--start-time', S, '--inode', I], 2, 'PID 0 (kill\'s group)'),
        (['stop', '--pid', '-' + P, '--start-time', S, '--inode', I], 2,
         'a negative PID (kill\'s process group)'),
        (['stop', '--pid', ' ' + P, '--start-time', S, '--inode', I], 2, 'a PID with a space'),
        (['stop', '--pid', '+' + P, '--start-time', S, '--inode', I], 2, 'a PID with a plus'),
        (['stop', '--pid', '0x%x' % pid, '--start-time', S, '--inode', I], 2, 'a hex PID'),
        (['stop', '--pid', P + 'abc', '--start-time', S, '--inode', I], 2, 'a PID with junk'),
        (['stop', '--pid', P, '--start-time', '18446744073709551616', '--inode', I], 2,
         'a start time beyond 64 bits'),
        (['stop', '--pid', P, '--start-time', S, '--inode', '0'], 2, 'inode 0'),
        (base + ['--grace', '600001'], 2, 'a grace period beyond 10 minutes'),
        (base + ['--signal', 'kill'], 2, 'a signal in lower case'),
        (base + ['--signal', '9'], 2, 'a signal by number'),
        (base + ['--signal'], 2, '--signal without its value'),
        (base + ['--supervisor', '1:%d' % pt.start_time(1)], 2,
         'PID 1 as the supervisor (not a PID it takes)'),
        (base + ['--supervisor', '%s:%d' % (me, pt.start_time(os.getpid()))], 5,
         'its parent as the supervisor'),
        (base + ['--supervisor', '%d:%d' % (pid, start)], 5,
         'a supervisor that is not an ancestor of the holder'),
        (base + ['--supervisor', P], 2, 'a supervisor without a start time'),
        (['stop', '--pid', b'\xff\xfe'.decode('utf-8', 'surrogateescape'), '--start-time', S,
          '--inode', I], 2, 'a PID of invalid UTF-8'),
        (['stop', '--pid', '5' * 100000, '--start-time', S, '--inode', I], 2,
         'a PID of 100,000 digits'),
        (['stop'] + ['--grace', '1'] * 5000, 2, '10,000 arguments'),
        (['stop', '--pid', P, '--start-time', S, '--inode'], 2, 'a missing last value'),
        (['stop', '--pid', '', '--start-time', S, '--inode', I], 2, 'an empty PID'),
    ]
    for args, want, what in cases:
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
        env.update(HOSTILE)
        p = subprocess.run([HELPER] + args, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        lines = [ln for ln in p.stdout.split(b'\n') if ln]
        types = [ln.split(b'\t', 1)[0].decode(errors='replace') for ln in lines]
        well_formed = set(types) <= KNOWN_RECORDS and types.count('RESULT') == 1
        res = [pt.Rec(ln) for ln in lines if ln.startswith(b'RESULT\t')]
        tap.ok(p.returncode == want and well_formed and res and res[0].s('signalled') == '',
               'as root for someone else, %s: exit %d, one RESULT, nothing signalled (%d, %r)'
               % (what, want, p.returncode, types))
    tap.ok(still(pid, start), 'the listener was not signalled by any of them')
    lis.kill()


def main():
    test_pid_reused()
    test_passed_over_unix_socket()
    test_inherited_after_parent_exit()
    test_exec_away()
    test_never_signalled()
    test_other_pid_namespace()
    test_hostile_arguments()
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
