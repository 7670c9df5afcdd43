#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-unlock-polkit.py POLICY CLIENT — Unlock against the real polkitd and pkexec: a private
# system bus, polkitd, Porthole's action and a granting rule; an unprivileged user's scanner
# sees another user's listener hidden, unlocks, sees its owner, frees it through the root
# helper; a user without a rule is refused (127) and keeps the unprivileged list; a user in
# group sudo types the right password (unlocked), a wrong one (refused) or none (dismissed)
# on pkexec's textual agent; the root helper refuses hostile arguments under pkexec.
#
# Nothing outside the test changes: it runs in a mount namespace of its own, where /etc (so
# the users it adds, the rules file and /etc/shadow) and /usr/share/polkit-1/actions are
# bind-mounted copies and /run/dbus is a tmpfs. The action file is installed into that
# copy of /usr/share/polkit-1/actions and vanishes with the namespace.
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phpolkit as pk  # noqa: E402
import porthole_test as c  # noqa: E402

c.HELPER = c.helper()
c.require_tools = lambda tap: None   # porthole_test fails loudly when a program is unset

ACTION = pk.ACTION
USERS = {'phunlock': 61101, 'phdenied': 61102, 'phowner': 61103, 'phadmin': 61104}
PASSWORD = pk.PASSWORD
TOOLS = ('unshare', 'mount', 'setpriv', 'setsid', 'script', 'useradd', 'chpasswd',
         'dbus-daemon', 'dbus-send', 'pkexec', 'pkaction', 'xmllint')
POLKITD = '/usr/lib/polkit-1/polkitd'

tap = c.Tap()


def outer():
    """Runs this script again in a private mount namespace and relays its TAP."""
    if os.geteuid() != 0:
        tap.skip_all('needs root (build-aux/dev test runs tests as root)')
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing or not os.access(POLKITD, os.X_OK):
        tap.bail('missing in the build root: %s' % ' '.join(missing + [POLKITD]))
    env = dict(os.environ, PH_UNLOCK_INNER='1')
    # build-aux/dev's namespace is already private; inside the chroot / is no mount point,
    # so propagation is left as it is.
    p = subprocess.run(['unshare', '--mount', '--propagation', 'unchanged', '--',
                        sys.executable] + sys.argv, env=env, timeout=300)
    return p.returncode


sh = pk.sh


def as_user(name):
    return [shutil.which('setpriv'), '--reuid', str(USERS[name]), '--regid', str(USERS[name]), '--init-groups']


class World:
    """The private system: /etc and actions copies, users, rules, a bus and polkitd."""

    def __init__(self, policy, helper):
        self.tmp = tempfile.mkdtemp(prefix='ph-unlock-')
        os.chmod(self.tmp, 0o755)
        self.procs = []
        pk.private_copy('/etc', self.tmp)
        pk.private_copy('/usr/share/polkit-1/actions', self.tmp)
        os.makedirs('/run/dbus', exist_ok=True)
        sh('mount', '-t', 'tmpfs', '-o', 'mode=755', 'tmpfs', '/run/dbus')
        pk.add_users(USERS, admins=('phadmin',))
        # The action as the build installs it, with exec.path naming the helper under test.
        self.installed_path = pk.install_action(policy, helper)
        os.makedirs('/etc/polkit-1/rules.d', exist_ok=True)
        with open('/etc/polkit-1/rules.d/10-porthole-test.rules', 'w') as f:
            f.write('polkit.addRule(function (action, subject) {\n'
                    '  if (action.id == "%s" && subject.user == "phunlock")\n'
                    '    return polkit.Result.YES;\n'
                    '});\n' % ACTION)

        self.start(['dbus-daemon', '--system', '--nofork', '--nopidfile'])
        self.wait_for(lambda: os.path.exists('/run/dbus/system_bus_socket'), 'the bus')
        self.start([POLKITD, '--no-debug'])
        self.wait_for(self.polkit_up, 'polkitd on the bus')

    def start(self, argv):
        # A clean environment: the tests' G_DEBUG=fatal-warnings would make polkitd abort on
        # its first warning.
        env = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'LANG': 'C.UTF-8'}
        self.procs.append(subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))

    @staticmethod
    def polkit_up():
        p = subprocess.run(['dbus-send', '--system', '--print-reply',
                            '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
                            'org.freedesktop.DBus.NameHasOwner',
                            'string:org.freedesktop.PolicyKit1'],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return b'boolean true' in p.stdout

    def wait_for(self, cond, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError('%s exited: %s' % (p.args[0], p.stderr.read().decode()))
            time.sleep(0.05)
        raise TimeoutError('%s did not come up' % what)

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is not None:
                tap.diag('%s exited early (%s): %s' % (p.args[0], p.returncode,
                                                      p.stderr.read().decode()[-1500:]))
            c.end_process(p, 10)
        for m in ('/run/dbus', '/usr/share/polkit-1/actions', '/etc'):
            subprocess.run(['umount', '-l', m], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.tmp, ignore_errors=True)


parse_client = pk.parse_client


def run_client(user, *args, timeout=90):
    p = subprocess.run(['setsid'] + as_user(user) + [CLIENT, '--timeout', '60'] + list(args),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    out = p.stdout.decode('utf-8', 'replace')
    if p.returncode != 0:
        tap.diag('client as %s exited %d: %s %s' % (user, p.returncode, out,
                                                  p.stderr.decode('utf-8', 'replace')[-2000:]))
    return p.returncode, out


def run_client_on_pty(user, answers, timeout=90):
    """The client under `script -qec`, so pkexec's textual agent has a terminal: each
    "Password:" prompt gets the next of @answers (None: end of input, dismissing it)."""
    cmd = '%s --timeout 60 --unlock' % CLIENT
    p = subprocess.Popen(as_user(user) + ['script', '-qec', cmd, '/dev/null'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True)

    def write(data):
        p.stdin.write(data)
        p.stdin.flush()
    prompts, out = pk.answer_prompts(p.stdout.fileno(), write, answers, timeout,
                                     done=lambda: p.poll() is not None)
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    tap.diag(('pty: ' + out.strip()).replace('\n', '\n# '))
    return prompts, out


def pkexec_helper(user, args, env=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([shutil.which('setsid')] + as_user(user) + [shutil.which('pkexec'), HELPER] + list(args), env=e,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, c.parse_lines(p.stdout), p.stderr.decode('utf-8', 'replace')


def test_action(world):
    p = subprocess.run(['pkaction', '--action-id', ACTION, '--verbose'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    out = p.stdout.decode()
    tap.diag(out.strip().replace('\n', '\n# '))
    tap.ok(p.returncode == 0 and re.search(r'implicit active:\s+auth_admin_keep', out),
           'pkaction: polkitd knows %s, auth_admin_keep for active sessions' % ACTION)
    tap.ok(('org.freedesktop.policykit.exec.path -> %s' % HELPER) in out,
           'pkaction: its exec.path annotation names the helper')
    tap.ok(world.installed_path.endswith('/libexec/porthole-helper')
           or world.installed_path.endswith('/porthole-helper'),
           'the built action names the installed helper (%s)' % world.installed_path)


def test_granted(other):
    port, pid = other.sockets[0][2], other.pid
    rc, out = run_client('phunlock')
    phases, extra = parse_client(out)
    s = phases[0]['services'].get(port) if phases else None
    tap.ok(rc == 0 and s is not None and s['hidden'] == '1' and s['owner'] == '-'
           and s['uid'] == str(USERS['phowner']) and not phases[0]['elevated'],
           'unprivileged: phowner\'s port %d is listed with its owner hidden (%r)' % (port, s))

    rc, out = run_client('phunlock', '--unlock', '--stop', str(port))
    phases, extra = parse_client(out)
    tap.ok(extra.get('UNLOCK') == 'ok', 'a granting rule: Unlock succeeds (%r)' % extra)
    after = phases[1] if len(phases) > 1 else {'elevated': False, 'services': {}}
    s = after['services'].get(port)
    tap.ok(after['elevated'] and s is not None and s['hidden'] == '0' and s['owner'] == str(pid),
           'unlocked: the scanner runs as root and shows process %d as the owner (%r)' % (pid, s))
    tap.ok(extra.get('STOP') == 'outcome=0',
           'Free Port on another user\'s process through the root helper: freed (%r)'
           % extra.get('STOP'))
    tap.ok(c.wait_dead([pid]), 'phowner\'s listener has exited')


def test_denied(other):
    port = other.sockets[0][2]
    rc, out = run_client('phdenied', '--unlock')
    phases, extra = parse_client(out)
    tap.ok(rc == 0 and extra.get('UNLOCK', '').startswith('error=3 domain=ph-helper-error-quark')
           and 'not allowed' in extra.get('UNLOCK', ''),
           'no rule, no agent: pkexec says 127 and Unlock fails with NOT_AUTHORIZED and a '
           'message (%r)' % extra.get('UNLOCK'))
    after = phases[-1] if phases else {'elevated': True, 'services': {}}
    s = after['services'].get(port)
    tap.ok(len(phases) == 2 and not after['elevated'] and s is not None and s['hidden'] == '1',
           'refused: the unprivileged scanner goes on, the owner still hidden (%r)' % s)


def test_password(other):
    port, pid = other.sockets[0][2], other.pid
    prompts, out = run_client_on_pty('phadmin', ['wrong-password'])
    phases, extra = parse_client(out)
    tap.ok(prompts >= 1 and extra.get('UNLOCK', '').startswith('error=3 domain=ph-helper-error-quark'),
           'a wrong password on pkexec\'s textual agent: refused (127), NOT_AUTHORIZED (%r)'
           % extra.get('UNLOCK'))
    tap.ok(len(phases) == 2 and not phases[1]['elevated'],
           'after the wrong password the scanner is still the unprivileged one')

    # pkexec's textual agent treats end of input as a failed authentication (127), not as a
    # dismissed dialog (126, which only a graphical agent's Cancel gives; test-helper-client
    # checks that mapping): either way Unlock fails with a message and nothing changes.
    prompts, out = run_client_on_pty('phadmin', [None])
    phases, extra = parse_client(out)
    tap.ok(prompts >= 1 and re.match(r'error=[34] domain=ph-helper-error-quark message=\S',
                                     extra.get('UNLOCK', '')),
           'the password prompt left with end of input: refused, with a message (%r)'
           % extra.get('UNLOCK'))
    tap.ok(len(phases) == 2 and not phases[1]['elevated'],
           '... and the scanner is still the unprivileged one')

    prompts, out = run_client_on_pty('phadmin', [PASSWORD] * 3)
    phases, extra = parse_client(out)
    s = phases[1]['services'].get(port) if len(phases) > 1 else None
    tap.diag('the right password was asked for %d time(s)' % prompts)
    tap.ok(prompts == 1, 'one Unlock, one password prompt (the root helper that asked is '
                         'the one that keeps running)')
    tap.ok(prompts >= 1 and extra.get('UNLOCK') == 'ok' and s is not None
           and s['owner'] == str(pid) and phases[1]['elevated'],
           'the right password: unlocked, phowner\'s process %d is shown (%r)' % (pid, s))


def test_hostile(other):
    port, pid = other.sockets[0][2], other.pid
    start = c.start_time(pid)
    inode = other.sockets[0][3]
    cases = [
        (['--help'], 2, 'no --help as root'),
        (['sh', '-c', 'id'], 2, 'an unknown verb (sh -c id)'),
        (['--version', 'extra'], 2, '--version with an argument'),
        (['watch', '--interval', '1; id'], 2, 'watch with a bad interval'),
        (['watch', '--once', '--exec', '/bin/sh'], 2, 'watch with an unknown option'),
        (['stop', '--pid', '1', '--start-time', '1', '--inode', str(inode)], 5,
         'stop PID 1'),
        (['stop', '--pid', str(pid), '--start-time', str(start), '--inode', '12345'], 5,
         'stop with an inode the helper does not list'),
        (['stop', '--pid', str(pid), '--start-time', str(start + 1), '--inode', str(inode)], 4,
         'stop with the wrong start time'),
        (['stop', '--pid', str(pid), '--start-time', str(start), '--inode', str(inode),
          '--signal', 'HUP'], 2, 'stop with a signal it does not offer'),
    ]
    for args, want, what in cases:
        rc, recs, err = pkexec_helper('phunlock', args)
        tap.ok(rc == want, 'pkexec helper, %s: exit %d (%d; %s)' % (what, want, rc, err.strip()))
    tap.ok(c.proc_alive(pid), 'none of them touched phowner\'s listener')

    # What the caller's environment says is ignored (pkexec clears most; the helper the rest).
    rc, recs, err = pkexec_helper('phunlock', ['watch', '--once'],
                                  env={'PORTHOLE_HELPER_SOURCE': 'procfs',
                                       'LD_PRELOAD': '/nonexistent/evil.so', 'IFS': '/',
                                       'LC_ALL': 'xx_XX.EVIL', 'PATH': '/nonexistent'})
    hello = next((r for r in recs if r.type == 'HELLO'), None)
    tap.ok(rc == 0 and hello is not None and hello.i('euid') == 0
           and hello.s('source') == 'netlink',
           'pkexec watch with a hostile environment: runs as root, PORTHOLE_HELPER_SOURCE '
           'ignored (%r %s)' % (hello, err.strip()))

    # A real LD_PRELOAD library, which writes down every program that loads it: the
    # caller's own programs load it, the root helper started through pkexec must not.
    test_preload()


def test_preload():
    cc = shutil.which('cc') or shutil.which('gcc')
    if cc is None:
        tap.ok(False, 'a C compiler to build the LD_PRELOAD library')
        return
    work = tempfile.mkdtemp(prefix='ph-preload-')
    os.chmod(work, 0o755)
    mark = os.path.join(work, 'loaded')
    src, lib = os.path.join(work, 'evil.c'), os.path.join(work, 'evil.so')
    with open(src, 'w') as f:
        f.write('#include <fcntl.h>\n#include <unistd.h>\n'
                '__attribute__((constructor)) static void mark (void)\n'
                '{ char exe[4096]; ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);\n'
                '  int fd = open ("%s", O_WRONLY | O_CREAT | O_APPEND, 0666);\n'
                '  if (fd >= 0 && n > 0) { exe[n++] = 10; write (fd, exe, (size_t) n); }\n'
                '  if (fd >= 0) close (fd); }\n' % mark)
    subprocess.run([cc, '-shared', '-fPIC', '-o', lib, src], check=True)
    os.chmod(lib, 0o755)
    open(mark, 'w').close()
    os.chmod(mark, 0o666)
    subprocess.run(as_user('phunlock') + ['/bin/true'], env=dict(os.environ, LD_PRELOAD=lib),
                   check=True)

    def loaders():
        with open(mark) as f:
            return [os.path.basename(line.strip()) for line in f if line.strip()]
    tap.ok('true' in loaders(), 'the LD_PRELOAD library is loaded by the caller\'s own '
           'programs (%r)' % loaders())
    rc, recs, err = pkexec_helper('phunlock', ['watch', '--once'], env={'LD_PRELOAD': lib})
    hello = next((r for r in recs if r.type == 'HELLO'), None)
    tap.ok(rc == 0 and hello is not None and hello.i('euid') == 0
           and not any(x.startswith('porthole-helper') for x in loaders()),
           'pkexec helper with LD_PRELOAD naming a real library: runs as root without loading '
           'it (loaded by %r; %s)' % (loaders(), err.strip()))
    shutil.rmtree(work, ignore_errors=True)


def inner():
    global HELPER, CLIENT
    policy, CLIENT = sys.argv[1], sys.argv[2]
    HELPER = c.HELPER
    c.require_tools(tap)
    world = None
    others = []
    try:
        world = World(policy, HELPER)
        test_action(world)
        other = c.Listener('tcp:127.0.0.1:0', prefix=as_user('phowner'))
        others.append(other)
        test_hostile(other)
        test_denied(other)
        test_granted(other)
        other = c.Listener('tcp:127.0.0.1:0', prefix=as_user('phowner'))
        others.append(other)
        test_password(other)
    finally:
        for o in others:
            o.kill()
        if world is not None:
            world.close()
    return tap.done()


HELPER = CLIENT = None
if __name__ == '__main__':
    sys.exit(inner() if os.environ.get('PH_UNLOCK_INNER') == '1' else outer())
