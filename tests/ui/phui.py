# SPDX-License-Identifier: GPL-3.0-or-later
# phui.py — drives the real porthole window under Xvfb through the accessibility tree.
#
# Each UI test is a script that imports this module. run_isolated() re-executes the
# script inside its own X server (Xvfb) and its own D-Bus session, where the
# accessibility bus is started on demand; then the script starts porthole, finds it with
# pyatspi and reports TAP.
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

_MARK = 'PHUI_ISOLATED'


def run_isolated():
    """Re-run the calling script inside Xvfb and a private D-Bus session."""
    if os.environ.get(_MARK):
        return
    # -displayfd lets the server pick a free display number and tell us which: no race
    # with other tests starting servers at the same time.
    rfd, wfd = os.pipe()
    xvfb = subprocess.Popen(['Xvfb', '-displayfd', str(wfd), '-screen', '0', '1280x800x24', '-noreset',
                             '-nolisten', 'tcp'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            pass_fds=(wfd,))
    os.close(wfd)
    try:
        with os.fdopen(rfd) as r:
            n = r.readline().strip()
        if not n:
            print('Bail out! Xvfb did not start')
            sys.exit(1)
        env = dict(os.environ)
        env.setdefault('GTK_A11Y', 'atspi')
        env.update({_MARK: '1', 'DISPLAY': f':{n}', 'GDK_BACKEND': 'x11',
                    'NO_AT_BRIDGE': '0',
                    'XDG_RUNTIME_DIR': tempfile.mkdtemp(prefix='phui-run-')})
        env.pop('WAYLAND_DISPLAY', None)
        # The driver itself (pyatspi) must not die of libatspi's start-up warnings; the
        # app's own G_DEBUG is decided in App.
        env['PHUI_APP_G_DEBUG'] = env.pop('G_DEBUG', '')
        os.chmod(env['XDG_RUNTIME_DIR'], 0o700)
        # The session's services (the accessibility registry among them) inherit
        # stdout and chatter on it; TAP goes to a separate copy of our stdout.
        tap_fd = os.dup(1)
        env['PHUI_TAP_FD'] = str(tap_fd)
        rc = subprocess.call(['dbus-run-session', '--', sys.executable] + sys.argv, env=env,
                             stdout=sys.stderr.fileno(), pass_fds=(tap_fd,))
        shutil.rmtree(env['XDG_RUNTIME_DIR'], ignore_errors=True)
        sys.exit(rc)
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(5)
        except subprocess.TimeoutExpired:
            xvfb.kill()


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        fd = os.environ.get('PHUI_TAP_FD')
        self.out = os.fdopen(int(fd), 'w') if fd else sys.stdout

    def ok(self, cond, desc):
        self.n += 1
        if not cond:
            self.failed += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {desc}", file=self.out, flush=True)
        return cond

    def diag(self, msg):
        for line in str(msg).splitlines():
            print(f'# {line}', file=self.out, flush=True)

    def done(self):
        print(f'1..{self.n}', file=self.out, flush=True)
        sys.exit(1 if self.failed else 0)


def builddir():
    return os.environ.get('PORTHOLE_BUILDDIR', os.getcwd())


def screenshot(name):
    """Save the whole virtual screen as BUILDDIR/screenshots/NAME.png; return its path."""
    out = os.path.join(builddir(), 'screenshots')
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, name + '.png')
    # The Porthole window alone when it can be found (no window manager here), else the
    # whole virtual screen.
    xwd = subprocess.run(['xwd', '-silent', '-name', 'Porthole'], capture_output=True)
    if xwd.returncode != 0 or not xwd.stdout:
        xwd = subprocess.run(['xwd', '-root', '-silent'], capture_output=True, check=True)
    pnm = subprocess.run(['xwdtopnm'], input=xwd.stdout, capture_output=True, check=True)
    with open(path, 'wb') as f:
        subprocess.run(['pnmtopng'], input=pnm.stdout, stdout=f, stderr=subprocess.DEVNULL,
                       check=True)
    return path


class App:
    """The porthole process and its accessible application object."""

    def __init__(self, args=(), env=None):
        import pyatspi  # noqa: F401  (fail early with a clear import error)
        self.env = dict(os.environ)
        self.env.setdefault('GSETTINGS_BACKEND', 'memory')
        if env:
            self.env.update(env)
        # The app runs with the suite's G_DEBUG (fatal-warnings): any GLib/GTK warning or
        # critical from Porthole fails the test.
        self.env['G_DEBUG'] = self.env.get('PHUI_APP_G_DEBUG', '')
        self.log = tempfile.TemporaryFile(mode='w+')
        cmd = [os.environ['PORTHOLE_BIN']] + list(args)
        if os.environ.get('PHUI_GDB'):
            # For debugging a crash: the backtrace ends up in output().
            cmd = ['gdb', '-q', '-batch', '-ex', 'run', '-ex', 'bt 30', '--args'] + cmd
        self.proc = subprocess.Popen(cmd, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.accessible = None

    def _is_ours(self, pid):
        if pid == self.proc.pid:
            return True
        try:  # under PHUI_GDB the app is gdb's child
            with open(f'/proc/{pid}/stat') as f:
                return int(f.read().rsplit(')', 1)[1].split()[1]) == self.proc.pid
        except (OSError, ValueError, IndexError):
            return False

    def wait_for_window(self, timeout=20):
        import pyatspi
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return None
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                app = desktop.getChildAtIndex(i)
                try:
                    if app is not None and self._is_ours(app.get_process_id()):
                        # The window shows up before its contents are realised.
                        if app.childCount > 0:
                            win = app.getChildAtIndex(0)
                            if win is not None and win.name and \
                                    sum(1 for _ in walk(win, max_depth=8)) > 10:
                                self.accessible = app
                                time.sleep(0.3)
                                return win
                except Exception:
                    continue
            time.sleep(0.2)
        return None

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def quit(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def role_name(node):
    try:
        return node.getRoleName()
    except Exception:
        return ''


def walk(node, depth=0, max_depth=60, skip=()):
    """Depth-first over the accessibility tree; every step is a D-Bus call, so callers
    that do not look for rows skip the (long) service list with skip=('list',)."""
    if node is None or depth > max_depth:
        return
    yield node
    try:
        if depth > 0 and skip and role_name(node) in skip:
            return
        n = node.childCount
    except Exception:
        return
    for i in range(n):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, max_depth, skip)


def find(root, name=None, role=None, showing=None, contains=False, timeout=5.0, deep=False):
    """First node under root with that accessible name and role, waiting up to timeout.
    The service list is only searched when looking for its rows (or with deep=True, for
    dialogs whose rows are list boxes)."""
    import pyatspi
    skip = () if deep or role in ('list item', 'row header', 'list') else ('list',)
    deadline = time.time() + timeout
    while True:
        for node in walk(root, skip=skip):
            try:
                if role is not None and role_name(node) != role:
                    continue
                if name is not None:
                    nn = node.name or ''
                    if (name not in nn) if contains else (nn != name):
                        continue
                if showing is not None:
                    st = node.getState().contains(pyatspi.STATE_SHOWING)
                    if st != showing:
                        continue
                return node
            except Exception:
                continue
        if time.time() >= deadline:
            return None
        time.sleep(0.2)


def find_all(root, role=None, name=None, contains=False):
    out = []
    skip = () if role in ('list item', 'row header', 'list', 'menu item') else ('list',)
    for node in walk(root, skip=skip):
        try:
            if role is not None and role_name(node) != role:
                continue
            if name is not None:
                nn = node.name or ''
                if (name not in nn) if contains else (nn != name):
                    continue
            out.append(node)
        except Exception:
            continue
    return out


def click(node):
    """Activate a node through its accessible action (click/activate/press/toggle), or
    through the first descendant that has one (a GtkMenuButton keeps it on its inner
    button, an AdwSwitchRow on its switch). Text actions such as clipboard.copy never
    count."""
    wanted = ('click', 'activate', 'press', 'toggle')
    for n in walk(node, max_depth=6, skip=()):
        try:
            action = n.queryAction()
        except Exception:
            continue
        for i in range(action.nActions):
            if action.getName(i) in wanted:
                return action.doAction(i)
    for n in walk(node, max_depth=4):
        try:
            action = n.queryAction()
        except Exception:
            continue
        if action.nActions == 0:
            continue
        for i in range(action.nActions):
            if action.getName(i) in ('click', 'activate', 'press', 'toggle'):
                return action.doAction(i)
        return action.doAction(0)
    raise RuntimeError(f'{node.name!r} has no accessible action')


def dump(root, max_depth=30):
    lines = []

    def rec(n, d):
        if n is None or d > max_depth:
            return
        try:
            lines.append('  ' * d + f'[{role_name(n)}] {n.name!r}')
            for i in range(n.childCount):
                rec(n.getChildAtIndex(i), d + 1)
        except Exception:
            pass
    rec(root, 0)
    return '\n'.join(lines)


def menu_items(button, timeout=5.0):
    """The items of the popover menu of a GtkMenuButton, in order. GTK 4.18 exposes them
    without names, so tests address them by position (fixed in the .ui file)."""
    deadline = time.time() + timeout
    while True:
        menu = find(button, role='menu', timeout=0)
        items = find_all(menu, role='menu item') if menu is not None else []
        if items or time.time() >= deadline:
            return items
        time.sleep(0.2)


class Listener:
    """A ph-test-listener process holding ports, started (and ended) by the test."""

    def __init__(self, specs, extra=(), fork=0, ignore_term=False, cwd=None, exec_name=None):
        args = [os.environ['PH_TEST_LISTENER']]
        if fork:
            args += ['--fork', str(fork)]
        if ignore_term:
            args.append('--ignore-term')
        if cwd:
            args += ['--cwd', cwd]
        if exec_name:
            args += ['--exec-name', exec_name]
        args += list(specs)
        if extra:
            args += ['--'] + list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        self.sockets = []
        self.children = []
        self.pid = None
        for line in self.proc.stdout:
            words = line.split()
            if words[0] == 'SOCKET':
                self.sockets.append((words[1], words[2], int(words[3]), int(words[4])))
            elif words[0] == 'CHILD':
                self.children.append(int(words[1]))
            elif words[0] == 'READY':
                self.pid = int(words[1])
                break
        if self.pid is None:
            raise RuntimeError('ph-test-listener did not start')

    @property
    def port(self):
        return self.sockets[0][2]

    def alive(self):
        return self.proc.poll() is None

    def wait_exit(self, timeout):
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def set_text(entry, text):
    """Replace the text of an editable accessible (the search entry)."""
    editable = entry.queryEditableText()
    editable.setTextContents(text)


def search(window, text):
    """Type into the search entry (found afresh: nodes can go stale)."""
    entry = find(window, name='Search services or explain an address', role='entry',
                 timeout=10)
    if entry is None:
        raise RuntimeError('the search entry is not in the accessibility tree')
    set_text(entry, text)


def text_of(node):
    try:
        t = node.queryText()
        return t.getText(0, t.characterCount)
    except Exception:
        return node.name or ''


def wait_for(predicate, timeout=10.0, interval=0.2):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() >= deadline:
            return value
        time.sleep(interval)


def all_text(root, rows=True):
    """Every label and name under root, for 'does the pane say X' checks."""
    out = []
    for node in walk(root, skip=() if rows else ('list',)):
        try:
            if node.name:
                out.append(node.name)
            if role_name(node) == 'label':
                out.append(text_of(node))
        except Exception:
            continue
    return '\n'.join(out)


def list_item(root, startswith, timeout=10.0):
    """The service list's row whose accessible name starts with the given text."""
    def look():
        lst = find(root, name='Listening services', role='list', timeout=0)
        if lst is None:
            return None
        # Rows are the list's direct children (with the section headers between them).
        for i in range(lst.childCount):
            try:
                node = lst.getChildAtIndex(i)
                if role_name(node) == 'list item' and (node.name or '').startswith(startswith):
                    return node
            except Exception:
                continue
        return None
    return wait_for(look, timeout)


def section_headers(root):
    """The names of the list's section headers ("shop Vite dev server")."""
    lst = find(root, name='Listening services', role='list', timeout=5)
    out = []
    for i in range(lst.childCount if lst is not None else 0):
        try:
            node = lst.getChildAtIndex(i)
            if role_name(node) == 'row header':
                out.append(node.name or '')
        except Exception:
            continue
    return out


def select_item(item):
    """Select a row of the service list through the list's accessible selection. GTK
    counts only the rows, not the section headers between them."""
    parent = item.parent
    index = 0
    for i in range(parent.childCount):
        child = parent.getChildAtIndex(i)
        if role_name(child) != 'list item':
            continue
        if child == item or (child.name == item.name):
            break
        index += 1
    try:
        return parent.querySelection().selectChild(index)
    except Exception:
        return False


def detail_page(window):
    """The content side of the split view (the navigation page titled Details)."""
    for node in walk(window, skip=('list',), max_depth=14):
        try:
            if role_name(node) == 'grouping' and node.name == 'Details':
                return node
        except Exception:
            continue
    return None


def pane_text(window):
    page = detail_page(window)
    return all_text(page) if page is not None else ''
