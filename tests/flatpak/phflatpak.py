# SPDX-License-Identifier: GPL-3.0-or-later
# phflatpak.py — what the checks in tests/flatpak/ share: running the installed Flatpak,
# finding its window through AT-SPI from outside the sandbox, and host-side processes.
#
# The checks run inside the Flatpak root that build-aux/flatpak enters with pivot_root, in
# private PID and network namespaces: that root is "the host" for the sandbox, and every
# process in this PID namespace was started by the run, so a check may look at all of them.
# The generic AT-SPI helpers (walk, find, list_item, ...) come from tests/ui/phui.py, Tap and
# Listener from tests/porthole_test.py.
import json
import os
import signal
import subprocess
import sys
import tempfile

sys.path[:0] = [os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), d)
                for d in ('', 'ui')]
import phui  # noqa: E402,F401  (re-exported for the checks)
import porthole_test as pt  # noqa: E402,F401  (re-exported for the checks: Tap, Listener)

APP_ID = os.environ.get('PORTHOLE_FLATPAK_APP_ID', 'io.github.porthole.Porthole')
OUT = os.environ.get('PORTHOLE_FLATPAK_OUT', tempfile.gettempdir())
OBJECT_PATH = '/' + APP_ID.replace('.', '/')


def isolate():
    """Re-run the calling check inside its own Xvfb and D-Bus session (phui does both; the
    session helper, the portals and the accessibility bus are D-Bus activated there)."""
    phui.run_isolated()


def screenshot(name):
    """Save the Porthole window as _build-flatpak/screenshots/NAME.png; return its path."""
    old = os.environ.get('PORTHOLE_BUILDDIR')
    os.environ['PORTHOLE_BUILDDIR'] = OUT
    try:
        return phui.screenshot(name)
    finally:
        if old is None:
            del os.environ['PORTHOLE_BUILDDIR']
        else:
            os.environ['PORTHOLE_BUILDDIR'] = old


def flatpak_cmd(args=(), flatpak_args=(), env=None):
    """The command line of `flatpak run`. GSettings stay in memory so that no check sees
    another's settings; a check's env goes into the sandbox with --env."""
    cmd = ['flatpak', 'run', '--env=GSETTINGS_BACKEND=memory']
    for k, v in (env or {}).items():
        cmd.append(f'--env={k}={v}')
    return cmd + list(flatpak_args) + [APP_ID] + list(args)


def run_cli(args, flatpak_args=(), env=None, timeout=60):
    """`flatpak run APP ARGS` to completion: (exit status, stdout, stderr)."""
    p = subprocess.run(flatpak_cmd(args, flatpak_args, env), capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def run_cli_json(args, diag, flatpak_args=(), timeout=60):
    """run_cli for a command that prints JSON: (exit status, the document or {} when the
    output is not JSON, stdout, stderr); output that is not JSON is said through DIAG."""
    rc, out, err = run_cli(args, flatpak_args, timeout=timeout)
    try:
        return rc, json.loads(out), out, err
    except ValueError as e:
        diag(f'{" ".join(args)}: exit {rc}, not JSON ({e}): {out[:500]} {err[-1500:]}')
        return rc, {}, out, err


# ---- processes, seen from the host side ------------------------------------------------

def _read(path):
    try:
        with open(path, 'rb') as f:
            return f.read()
    except OSError:
        return None


def comm(pid):
    data = _read(f'/proc/{pid}/comm')
    return data.decode(errors='replace').strip() if data else None


def ppid(pid):
    data = _read(f'/proc/{pid}/stat')
    try:
        return int(data.decode().rsplit(')', 1)[1].split()[1])
    except (AttributeError, ValueError, IndexError):
        return None


def in_sandbox(pid):
    """Does the process run inside a Flatpak sandbox (its root has /.flatpak-info)?"""
    try:
        return os.path.exists(f'/proc/{pid}/root/.flatpak-info')
    except OSError:
        return False


def pids_named(name, sandboxed=None, arg=None):
    """PIDs (in this namespace) whose comm is name[:15]; sandboxed=True/False keeps only the
    processes inside / outside a sandbox; arg keeps only those with that word among their
    arguments (the helper's verb: `watch`, not a short-lived `engine` relay)."""
    out = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        pid = int(entry)
        c = comm(pid)
        if c is None or c != name[:15]:
            continue
        if (_read(f'/proc/{pid}/stat') or b'').rsplit(b')', 1)[-1].split()[:1] == [b'Z']:
            continue
        if sandboxed is not None and in_sandbox(pid) != sandboxed:
            continue
        args = (_read(f'/proc/{pid}/cmdline') or b'').split(b'\0')
        if arg is not None and arg.encode() not in args:
            continue
        out.append(pid)
    return out


def host_helpers(verb=None):
    """porthole-helper processes running on the host side (not inside any sandbox); with
    verb, only those running it (the app's list comes from one `watch`, beside which a
    container relay, `engine`, may run for a moment)."""
    return pids_named('porthole-helper', sandboxed=False, arg=verb)


def sandbox_comms(pid):
    """The comm of every process the sandbox of pid sees (its own /proc)."""
    proc = f'/proc/{pid}/root/proc'
    out = []
    try:
        entries = os.listdir(proc)
    except OSError:
        return out
    for entry in entries:
        if entry.isdigit():
            data = _read(f'{proc}/{entry}/comm')
            if data:
                out.append(data.decode(errors='replace').strip())
    return sorted(out)


def ancestry(pid):
    """comm names from pid up to PID 1."""
    names = []
    seen = set()
    while pid and pid not in seen:
        seen.add(pid)
        c = comm(pid)
        if c is None:
            break
        names.append(c)
        pid = ppid(pid)
    return names


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = _read(f'/proc/{pid}/stat') or b''
    return stat.rsplit(b')', 1)[-1].split()[:1] != [b'Z']


# ---- the app -------------------------------------------------------------------------

class App(phui.App):
    """`flatpak run` of the installed app with a window. proc is the `flatpak run` process
    (which becomes bubblewrap); the app's own process is found by name. It reaches the
    accessibility bus through flatpak's proxy, so the PID the registry knows is not the
    app's: its window is found by its title."""

    window_timeout = 60
    poll = 0.3

    def __init__(self, args=(), flatpak_args=(), env=None):
        import pyatspi  # noqa: F401  (fail early with a clear import error)
        self.log = tempfile.TemporaryFile(mode='w+')
        self.proc = subprocess.Popen(flatpak_cmd(args, flatpak_args, env),
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.accessible = None

    def app_pid(self, timeout=0):
        """The host-side PID of the app's main process (comm "porthole", in a sandbox)."""
        def look():
            pids = pids_named('porthole', sandboxed=True)
            return pids[0] if len(pids) == 1 else None
        return phui.wait_for(look, timeout) if timeout else look()

    def _window_of(self, app):
        win = app.getChildAtIndex(0)
        return win if win is not None and win.name == 'Porthole' else None

    def activate(self, action, timeout=10):
        """Activate one of the app's actions over D-Bus (org.gtk.Actions), from outside."""
        return subprocess.run(['gdbus', 'call', '--session', '--dest', APP_ID,
                               '--object-path', OBJECT_PATH, '--method',
                               'org.gtk.Actions.Activate', action, '[]', '{}'],
                              capture_output=True, text=True, timeout=timeout)

    def quit(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not self.wait_exit(5):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        return self.proc.returncode


def shown_text(window):
    """Every label that is showing outside the service list: banners, status pages, titles
    (an AdwBanner's title is a label in a revealer; hidden banners do not count)."""
    texts = []
    for node in phui.walk(window, skip=('list',), max_depth=20):
        try:
            if phui.role_name(node) != 'label':
                continue
            import pyatspi
            if not node.getState().contains(pyatspi.STATE_SHOWING):
                continue
            texts.append(phui.text_of(node))
        except Exception:
            continue
    return '\n'.join(texts)


def listener_path():
    path = os.environ.get('PH_TEST_LISTENER')
    if not path or not os.access(path, os.X_OK):
        print('Bail out! PH_TEST_LISTENER is not set to the built ph-test-listener')
        sys.exit(1)
    return path

