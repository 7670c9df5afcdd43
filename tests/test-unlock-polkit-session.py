#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-unlock-polkit-session.py POLICY CLIENT — Unlock and Free Port in a real logind session,
# so that polkit applies the action's allow_active (auth_admin_keep) as on a desktop: the
# first Unlock asks for the password, Free Port after it (twice) does not; a wrong or
# dismissed password leaves the unprivileged list and the other user's process as they were;
# a new Porthole process asks again (polkit keeps the authorisation for the process that
# asked: pkexec's caller); outside any session (allow_any: auth_admin) it asks every time.
#
# How it runs. In a mount namespace of its own (private copies of /etc, so the users and
# the logind settings, and of /usr/share/polkit-1/actions with Porthole's action for the
# helper under test), it boots systemd 257 as PID 1 of a PID namespace (phsystemd.py, as
# test-systemd does). That system's own bus (dbus.socket) activates the real polkitd and
# systemd-logind. A session is a real PAM login: `systemd-run -p PAMName=login -p
# User=phadmin` with pam_systemd, on seat0 and the console's active VT, class user, type tty,
# so logind makes it local and active. In it this script runs again as the session's
# driver: each ph-unlock-client runs on a terminal of its own, where pkexec's textual agent
# asks for phadmin's password (a user in group sudo, so auth_admin accepts it). Another
# user's (phowner's) listeners run as units of that system.
import json
import os
import pty
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phpolkit as pk  # noqa: E402
import phsystemd as sdb  # noqa: E402
import porthole_test as c  # noqa: E402

ADMIN, ADMIN_UID = 'phadmin', 61104
OWNER, OWNER_UID = 'phowner', 61103
TOOLS = ('unshare', 'mount', 'nsenter', 'setpriv', 'useradd', 'chpasswd', 'pkexec', 'pkaction')
# What the client and the helper need from the tests' environment inside a unit.
PASS_ENV = ('PORTHOLE_HELPER', 'G_DEBUG', 'GSETTINGS_BACKEND', 'GSETTINGS_SCHEMA_DIR',
            'PORTHOLE_LOCALEDIR', 'ASAN_OPTIONS', 'LSAN_OPTIONS', 'UBSAN_OPTIONS',
            'PYTHONDONTWRITEBYTECODE')

tap = c.Tap()


def outer():
    """Runs this script again in a private mount namespace and relays its TAP."""
    if os.geteuid() != 0:
        tap.skip_all('needs root (build-aux/dev test runs tests as root)')
    missing = [t for t in TOOLS if shutil.which(t) is None]
    missing += [p for p in (sdb.SYSTEMD, '/usr/lib/polkit-1/polkitd',
                            '/usr/lib/systemd/systemd-logind') if not os.access(p, os.X_OK)]
    if missing:
        tap.bail('missing in the build root: %s' % ' '.join(missing))
    env = dict(os.environ, PH_UNLOCK_INNER='1')
    p = subprocess.run(['unshare', '--mount', '--propagation', 'unchanged', '--',
                        sys.executable] + sys.argv, env=env, timeout=600)
    return p.returncode


# ---- the session's driver (runs inside the session, as phadmin) -------------------------

def drive(client, steps):
    """Runs the clients of @steps one after the other in this session, each on a terminal of
    its own, and prints what happened as one JSON line: per step {prompts, out, status}."""
    results = []
    for step in steps:
        pid, fd = pty.fork()
        if pid == 0:
            try:
                os.execv(client, [client, '--timeout', '60'] + step['args'])
            finally:
                os._exit(127)

        def write(data, fd=fd):
            os.write(fd, data)
        prompts, out = pk.answer_prompts(fd, write, step['answers'], 120)
        os.close(fd)
        _, status = os.waitpid(pid, 0)
        results.append({'prompts': prompts, 'out': out, 'status': status})
    session = os.environ.get('XDG_SESSION_ID', '')
    show = subprocess.run(['loginctl', 'show-session', session, '-p', 'Active', '-p', 'Remote',
                           '-p', 'Seat', '-p', 'Class'] if session else ['true'],
                          capture_output=True, text=True).stdout
    print(json.dumps({'session': session, 'show': show, 'results': results}))
    sys.stdout.flush()


# ---- the test -------------------------------------------------------------------------

class Session:
    """The booted system, its users, Porthole's action and phowner's listeners."""

    def __init__(self, policy, client):
        self.client = client
        self.tmp = tempfile.mkdtemp(prefix='ph-session-', dir=os.getcwd())
        os.chmod(self.tmp, 0o755)
        self.sd = None
        pk.private_copy('/etc', self.tmp)
        pk.private_copy('/usr/share/polkit-1/actions', self.tmp)
        pk.add_users({ADMIN: ADMIN_UID, OWNER: OWNER_UID}, admins=(ADMIN,))
        self.installed_path = pk.install_action(policy, c.helper())
        # logind must not open the machine's consoles for gettys.
        os.makedirs('/etc/systemd/logind.conf.d', exist_ok=True)
        with open('/etc/systemd/logind.conf.d/ph-test.conf', 'w') as f:
            f.write('[Login]\nNAutoVTs=0\nReserveVT=0\n')
        self.sd = sdb.Booted(diag=tap.diag)
        self.booted = self.sd.boot()
        self.units = 0

    def inside(self, argv, **kw):
        r = self.sd.inside(argv, **kw)
        if r.returncode != 0:
            tap.diag('%s: exit %d: %s%s' % (' '.join(argv), r.returncode, r.stdout,
                                           r.stderr))
        return r

    def owner_listener(self):
        """phowner's listener, a unit of the booted system: (port, its PID there)."""
        port = sdb.free_port()
        self.units += 1
        unit = 'ph-owner-%d.service' % self.units
        self.inside(['systemd-run', '--unit=' + unit, '-p', 'User=' + OWNER, sys.executable,
                     os.path.join(self.sd.dir, 'server.py'), str(port)])
        sdb.wait_for(lambda: sdb.port_held(port))
        pid = self.inside(['systemctl', 'show', '-p', 'MainPID', '--value', unit]).stdout
        return port, int(pid.strip() or 0), unit

    def unit_active(self, unit):
        return self.sd.inside(['systemctl', 'is-active', '--quiet', unit]).returncode == 0

    def session_env(self):
        env = ['XDG_SEAT=seat0', 'XDG_SESSION_CLASS=user', 'XDG_SESSION_TYPE=tty',
               'LC_ALL=C.UTF-8']
        # On a seat with virtual terminals logind makes the session on the active one
        # active; without them, the seat's only session.
        try:
            with open('/sys/class/tty/tty0/active') as f:
                vt = f.read().strip()
            if vt.startswith('tty') and vt[3:].isdigit():
                env.append('XDG_VTNR=' + vt[3:])
        except OSError:
            pass
        env += ['%s=%s' % (k, os.environ[k]) for k in PASS_ENV if k in os.environ]
        return env

    def run(self, steps, session=True):
        """Runs the driver with @steps: in a new PAM login session of phadmin's, or (not
        @session) as phadmin outside any session. Returns its JSON, or None."""
        me = [sys.executable, os.path.abspath(__file__), '--drive', self.client,
              json.dumps(steps)]
        if session:
            argv = ['systemd-run', '--quiet', '--wait', '--pipe', '-p', 'PAMName=login',
                    '-p', 'User=' + ADMIN]
            for e in self.session_env():
                argv += ['-E', e]
            r = self.inside(argv + me)
        else:
            r = self.inside(['env', 'LC_ALL=C.UTF-8'] + me, user=(ADMIN_UID, ADMIN_UID))
        for line in reversed(r.stdout.splitlines()):
            if line.startswith('{'):
                doc = json.loads(line)
                for i, res in enumerate(doc['results']):
                    tap.diag(('step %d: %s' % (i, res.get('out', '').strip()))
                             .replace('\n', '\n# '))
                return doc
        return None

    def close(self):
        if self.sd is not None:
            self.sd.shutdown()
        for m in ('/usr/share/polkit-1/actions', '/etc'):
            subprocess.run(['umount', '-l', m], stderr=subprocess.DEVNULL)
        shutil.rmtree(self.tmp, ignore_errors=True)


def client_step(args, answers):
    return {'args': [str(a) for a in args], 'answers': answers}


def result(doc, i):
    """(prompts, phases, extra) of step @i."""
    try:
        res = doc['results'][i]
    except (TypeError, IndexError, KeyError):
        return -1, [], {}
    phases, extra = pk.parse_client(res['out'])
    return res['prompts'], phases, extra


def hidden_in(phases, n, port):
    s = phases[n]['services'].get(port) if len(phases) > n else None
    return s is not None and s['hidden'] == '1' and not phases[n]['elevated']


def test_defaults(w):
    r = w.inside(['pkaction', '--action-id', pk.ACTION, '--verbose'])
    tap.diag(r.stdout.strip().replace('\n', '\n# '))
    tap.ok(r.returncode == 0 and all(
        ('implicit %s:' % k) in r.stdout and
        r.stdout.split('implicit %s:' % k)[1].split()[0] == v
        for k, v in (('any', 'auth_admin'), ('inactive', 'auth_admin'),
                     ('active', 'auth_admin_keep'))),
        'the shipped action: an administrator\'s password, kept for a while in the active '
        'local session (auth_admin_keep); asked every time elsewhere (auth_admin)')


def test_session(w):
    ports = [w.owner_listener() for _ in range(3)]
    (p1, pid1, unit1), (p2, pid2, unit2), (p3, pid3, unit3) = ports
    tap.ok(all(pid > 0 and w.unit_active(unit) for _, pid, unit in ports),
           'phowner\'s listeners run on ports %r (processes %r there)'
           % ([p for p, _, _ in ports], [pid for _, pid, _ in ports]))
    good = [pk.PASSWORD] * 3
    doc = w.run([client_step(['--unlock', '--stop', p1], ['wrong-password']),
                 client_step(['--unlock'], [None]),
                 client_step(['--unlock', '--stop', p1, '--stop', p2], good),
                 client_step(['--unlock', '--stop', p3], good)])
    show = doc['show'] if doc else ''
    tap.ok(doc is not None and 'Active=yes' in show and 'Remote=no' in show
           and 'Seat=seat0' in show,
           'a real PAM login session: local, on seat0, active (%r)'
           % ((doc and (doc['session'], show)),))

    prompts, phases, extra = result(doc, 0)
    tap.ok(prompts >= 1 and extra.get('UNLOCK', '').startswith('error=3 ')
           and hidden_in(phases, 1, p1),
           'in the session, a wrong password: refused, the owner still hidden (%d prompt(s), '
           '%r)' % (prompts, extra.get('UNLOCK')))
    tap.ok(extra.get('STOP', '').startswith('error='),
           '... and Free Port, still unprivileged, does not reach phowner\'s process (%r)'
           % extra.get('STOP'))

    prompts, phases, extra = result(doc, 1)
    tap.ok(prompts >= 1 and extra.get('UNLOCK', '').startswith(('error=3 ', 'error=4 '))
           and hidden_in(phases, 1, p1),
           'the prompt dismissed (end of input): refused with a message, nothing changed (%r)'
           % extra.get('UNLOCK'))

    prompts, phases, extra = result(doc, 2)
    before = phases[0]['services'].get(p1) if phases else None
    s = phases[1]['services'].get(p1) if len(phases) > 1 else None
    tap.ok(before is not None and s is not None and s['owner'] == str(pid1),
           'after the refusals phowner\'s listener on %d is still there, the same process %d'
           % (p1, pid1))
    tap.ok(prompts == 1 and extra.get('UNLOCK') == 'ok' and phases[1]['elevated'],
           'the right password: Unlock asks once, the scanner runs as root (%d prompt(s))'
           % prompts)
    tap.ok(extra['STOPS'] == ['outcome=0', 'outcome=0']
           and sdb.wait_for(lambda: not sdb.port_held(p1) and not sdb.port_held(p2))
           and not w.unit_active(unit1) and not w.unit_active(unit2),
           'then Free Port twice on phowner\'s processes: both freed without asking again '
           '(auth_admin_keep, kept for the process that asked) (%r)' % extra['STOPS'])

    prompts, phases, extra = result(doc, 3)
    tap.ok(prompts == 1 and extra.get('UNLOCK') == 'ok' and extra['STOPS'] == ['outcome=0']
           and sdb.wait_for(lambda: not sdb.port_held(p3)),
           'a new Porthole process in the same session: polkit asks again (it keeps an '
           'authorisation for the process that asked, not the session), then frees port %d '
           '(%d prompt(s), %r)' % (p3, prompts, extra))


def test_no_session(w):
    port, pid, unit = w.owner_listener()
    doc = w.run([client_step(['--unlock', '--stop', port], [pk.PASSWORD] * 3)], session=False)
    prompts, phases, extra = result(doc, 0)
    tap.ok(doc is not None and doc['session'] == '' and prompts == 2
           and extra.get('UNLOCK') == 'ok' and extra.get('STOP') == 'outcome=0'
           and sdb.wait_for(lambda: not sdb.port_held(port)),
           'outside any session (allow_any: auth_admin): Unlock and Free Port ask one time '
           'each (%d prompt(s), %r)' % (prompts, extra))


def inner():
    policy, client = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    w = None
    try:
        w = Session(policy, client)
        if not w.booted:
            tap.bail('systemd did not boot')
        r = w.inside(['systemctl', 'start', 'systemd-logind.service'])
        tap.ok(r.returncode == 0, 'systemd-logind runs in the booted system')
        test_defaults(w)
        test_session(w)
        test_no_session(w)
    finally:
        if w is not None:
            w.close()
    return tap.done()


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == '--drive':
        drive(sys.argv[2], json.loads(sys.argv[3]))
    else:
        sys.exit(inner() if os.environ.get('PH_UNLOCK_INNER') == '1' else outer())
