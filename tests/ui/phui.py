# SPDX-License-Identifier: GPL-3.0-or-later
# phui.py — drives the real porthole window under Xvfb through the accessibility tree.
#
# Each UI test is a script that imports this module. run_isolated() re-executes the
# script inside its own X server (Xvfb) and its own D-Bus session, where the
# accessibility bus is started on demand; then the script starts porthole, finds it with
# pyatspi and reports TAP (porthole_test.Tap, on the descriptor PH_TAP_FD names).
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import porthole_test as pt
from porthole_test import wait_for

_MARK = 'PHUI_ISOLATED'


def _free_display():
    """A display number that neither this run's /tmp nor any abstract socket uses. Every
    run here has a private /tmp, but the abstract sockets (/proc/net/unix) are shared by the
    whole network namespace, and X clients given DISPLAY=:N try @/tmp/.X11-unix/XN first:
    a number another run's server holds there would lead our clients to it."""
    with open('/proc/net/unix') as f:
        used = {int(m) for m in re.findall(r'@/tmp/\.X11-unix/X(\d+)', f.read())}
    rng = random.SystemRandom()
    while True:
        n = rng.randrange(100, 30000)
        if n not in used and not os.path.exists(f'/tmp/.X{n}-lock') \
                and not os.path.exists(f'/tmp/.X11-unix/X{n}'):
            return n


def _start_xvfb():
    """An Xvfb on a free display, with no TCP and no abstract socket (-nolisten local);
    -displayfd says when it is ready. Returns (process, display number)."""
    for _ in range(10):
        rfd, wfd = os.pipe()
        n = _free_display()
        xvfb = subprocess.Popen(['Xvfb', f':{n}', '-displayfd', str(wfd), '-screen', '0',
                                 '1280x800x24', '-noreset', '-nolisten', 'tcp',
                                 '-nolisten', 'local'],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                pass_fds=(wfd,))
        os.close(wfd)
        with os.fdopen(rfd) as r:
            ready = r.readline().strip()
        if ready == str(n):
            return xvfb, n
        xvfb.kill()
        xvfb.wait()
    print('Bail out! Xvfb did not start')
    sys.exit(1)


def run_isolated():
    """Re-run the calling script inside Xvfb and a private D-Bus session."""
    if os.environ.get(_MARK):
        return
    xvfb, n = _start_xvfb()
    try:
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
        env['PH_TAP_FD'] = str(tap_fd)
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


def screenshot(name):
    """Save the whole virtual screen as BUILDDIR/screenshots/NAME.png; return its path."""
    out = os.path.join(pt.builddir(), 'screenshots')
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


class App(pt.Child):
    """The porthole process and its accessible application object."""

    # seconds wait_for_window waits by default: a window under ASan on a busy machine has
    # taken more than 20
    window_timeout = 60
    poll = 0.2

    def __init__(self, args=(), env=None):
        import pyatspi  # (fail early with a clear import error)
        # An app under AddressSanitizer on a busy machine can take longer than libatspi's
        # 0.8 s to answer a call (setting the search text filters the whole list).
        pyatspi.setTimeout(10000, 15000)
        self.env = dict(os.environ)
        self.env.setdefault('GSETTINGS_BACKEND', 'memory')
        if env:
            self.env.update(env)
        # The app runs with the suite's G_DEBUG (fatal-warnings): any GLib/GTK warning or
        # critical from Porthole fails the test.
        self.env['G_DEBUG'] = self.env.get('PHUI_APP_G_DEBUG', '')
        self.log = tempfile.TemporaryFile(mode='w+')
        cmd = [pt.porthole()] + list(args)
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

    def _window_of(self, app):
        """app's window if app is this process, else None."""
        if not self._is_ours(app.get_process_id()):
            return None
        win = app.getChildAtIndex(0)
        return win if win is not None and win.name else None

    def wait_for_window(self, timeout=None):
        import pyatspi
        deadline = time.time() + (timeout or self.window_timeout)
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return None
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                try:
                    app = desktop.getChildAtIndex(i)
                    win = self._window_of(app) if app is not None and app.childCount > 0 \
                        else None
                    # The window shows up before its contents are realised.
                    if win is not None and sum(1 for _ in walk(win, max_depth=8)) > 10:
                        self.accessible = app
                        time.sleep(0.3)
                        return win
                except Exception:
                    continue
            time.sleep(self.poll)
        return None

    def window_or_exit(self, tap, what='the window appears', timeout=None):
        """The window, as one check of tap; without it the test ends here (SystemExit, so
        the caller's finally: blocks still clean up)."""
        win = self.wait_for_window(timeout)
        if not tap.ok(win is not None, what):
            tap.diag(self.output())
            sys.exit(tap.done())
        return win

    def quit(self):
        return pt.end_process(self.proc)


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


def _matches(node, role, name, contains, showing):
    """Whether node has that role, name (or part of a name) and showing state."""
    if role is not None and role_name(node) != role:
        return False
    if name is not None:
        nn = node.name or ''
        if (name not in nn) if contains else (nn != name):
            return False
    if showing is not None:
        import pyatspi
        return node.getState().contains(pyatspi.STATE_SHOWING) == showing
    return True


def _matching(root, role, name, contains, showing, skip):
    for node in walk(root, skip=skip):
        try:
            if _matches(node, role, name, contains, showing):
                yield node
        except Exception:
            continue


def find(root, name=None, role=None, showing=None, contains=False, timeout=5.0, deep=False):
    """First node under root with that accessible name and role, waiting up to timeout.
    The service list is only searched when looking for its rows (or with deep=True, for
    dialogs whose rows are list boxes)."""
    skip = () if deep or role in ('list item', 'row header', 'list') else ('list',)
    deadline = time.time() + timeout
    while True:
        node = next(_matching(root, role, name, contains, showing, skip), None)
        if node is not None or time.time() >= deadline:
            return node
        time.sleep(0.2)


def find_all(root, role=None, name=None, contains=False):
    skip = () if role in ('list item', 'row header', 'list', 'menu item') else ('list',)
    return list(_matching(root, role, name, contains, None, skip))


def toast(root, contains, timeout=10.0):
    """The toast under root whose text contains @contains, waiting up to @timeout seconds;
    None if none shows it. A toast is an 'alert' near the top of the window (frame, three
    panels, a grouping): it is looked for breadth first, 7 levels deep at most and never in
    the list, since a toast lasts 4 s and a whole walk of the window (all_text) can take
    longer than that on a busy machine."""
    deadline = time.time() + timeout
    while True:
        level = [root]
        for _ in range(8):
            below = []
            for node in level:
                try:
                    role = role_name(node)
                    if role == 'alert' and contains in all_text(node):
                        return node
                    if role != 'list':
                        below += [node.getChildAtIndex(i) for i in range(node.childCount)]
                except Exception:
                    continue
            level = below
        if time.time() >= deadline:
            return None
        time.sleep(0.1)


def dialog_button(app, label, timeout=10):
    """The button @label of an open dialog of @app (AdwAlertDialog is exposed as a dialog
    or an alert), waiting up to @timeout seconds; None if none shows it."""
    def look():
        for role in ('dialog', 'alert'):
            for d in find_all(app.accessible, role=role):
                b = find(d, name=label, role='button', timeout=0)
                if b is not None:
                    return b
        return None
    return wait_for(look, timeout)


def _do_action(action, i):
    """doAction, which answers only once the app has run the action: an action that opens
    a window can take longer than AT-SPI waits for that answer (under the sanitizers, on a
    busy machine). The action still runs; callers check what it did."""
    try:
        return action.doAction(i)
    except Exception as e:
        if 'Did not receive a reply' not in str(e):
            raise
        return None


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
                return _do_action(action, i)
    for n in walk(node, max_depth=4):
        try:
            action = n.queryAction()
        except Exception:
            continue
        if action.nActions == 0:
            continue
        for i in range(action.nActions):
            if action.getName(i) in ('click', 'activate', 'press', 'toggle'):
                return _do_action(action, i)
        return _do_action(action, 0)
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


def wait_row_gone_with_toast(app, window, port, timeout):
    """Waits up to @timeout seconds for port @port's row to leave the list, and says
    whether its "port is free now" toast showed: (row gone, toast seen). A toast lasts
    about 4 s and the row may take longer to go on a busy machine, so the toast is looked
    for while the row goes, and once more (5 s) after."""
    freed = f'Port {port} is free now'
    seen = []

    def row_gone():
        if not seen and toast(app.accessible, freed, timeout=0) is not None:
            seen.append(freed)
        return list_item(window, f'Port {port}, TCP', timeout=0) is None
    gone = wait_for(row_gone, timeout)
    return gone, bool(seen) or toast(app.accessible, freed, timeout=5) is not None


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


def activate_row(row):
    """Gives ROW (when there is one) the keyboard focus and presses Return, as a person
    opens a row's details in a narrow window."""
    if row is None:
        return
    try:
        row.queryComponent().grabFocus()
    except Exception:
        pass
    time.sleep(0.3)
    subprocess.run(['xdotool', 'key', 'Return'], check=False)


def lever_button(window, row, label, timeout=10):
    """Selects ROW (when there is one) and waits for the pane's button LABEL (Free Port,
    Stop Service, Stop Container) to show; returns it, or None."""
    if row is not None:
        select_item(row)
    return wait_for(lambda: find(window, name=label, role='button', showing=True, timeout=0),
                    timeout)


def free_port(window, app, row):
    """Free Port on ROW, confirmed in the dialog; False if the button or the dialog did not
    come."""
    free = lever_button(window, row, 'Free Port')
    if free is None:
        return False
    click(free)
    confirm = dialog_button(app, 'Free Port')
    if confirm is None:
        return False
    click(confirm)
    return True


def check_force_quit(t, app, stubborn, screenshot, offer_timeout, exit_timeout):
    """After Free Port on a listener that ignores SIGTERM (a porthole_test.Listener): the
    offer to force it comes, nothing was forced before the user agreed, and agreeing ends
    it. screenshot() is called with the offer on screen."""
    force = dialog_button(app, 'Force Quit', timeout=offer_timeout)
    t.ok(force is not None, 'when it does not quit, Porthole offers to force it')
    t.ok(stubborn.alive(), 'nothing was forced before the user agreed')
    if force is not None:
        screenshot()
        click(force)
    t.ok(stubborn.wait_exit(exit_timeout), 'forcing ends it')


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


def toggle_row(root, title):
    """Flip an AdwSwitchRow through the accessible switch inside it."""
    row = find(root, name=title, contains=True, timeout=5, deep=True)
    if row is None:
        return False
    holder = row.parent if role_name(row) == 'label' else row
    switch = find(holder, role='switch', timeout=1, deep=True) or \
        find(holder, role='toggle button', timeout=1, deep=True)
    click(switch if switch is not None else row)
    return True


def schema_dir(tmp, **overrides):
    """A schema directory like BUILDDIR/data whose defaults are changed by overrides
    (refresh_interval=5 for the key refresh-interval), for GSETTINGS_SCHEMA_DIR; None
    when glib-compile-schemas is missing or refuses them."""
    src = os.path.join(pt.SRCDIR, 'data', 'io.github.porthole.Porthole.gschema.xml')
    tool = shutil.which('glib-compile-schemas')
    if not tool or not os.path.exists(src):
        return None
    d = os.path.join(tmp, 'schemas')
    os.makedirs(d)
    shutil.copy(src, d)
    with open(os.path.join(d, 'zz-phui.gschema.override'), 'w') as f:
        f.write('[io.github.porthole.Porthole]\n')
        for key, value in overrides.items():
            f.write(f'{key.replace("_", "-")}={value}\n')
    r = subprocess.run([tool, '--strict', d], capture_output=True, text=True)
    return d if r.returncode == 0 else None


def child_pids(pid, comm_prefix=''):
    """The children of pid whose name (comm) starts with comm_prefix."""
    out = []
    for name in os.listdir('/proc'):
        if not name.isdigit():
            continue
        try:
            with open(f'/proc/{name}/stat') as f:
                text = f.read()
            comm = text[text.index('(') + 1:text.rindex(')')]
            ppid = int(text[text.rindex(')') + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and comm.startswith(comm_prefix):
            out.append(int(name))
    return out


def sched_counters(pid):
    """(run time in ns, context switches, {thread name/tid: switches}, {thread name/tid:
    run time in ns}) of a process, summed over its threads from /proc/PID/task/*/schedstat
    and status; (None, None, {}, {}) when it is gone. A thread that sleeps makes no context
    switch: the switches count wake-ups."""
    ns = switches = 0
    each = {}
    each_ns = {}
    try:
        tasks = os.listdir(f'/proc/{pid}/task')
    except OSError:
        return None, None, {}, {}
    for t in tasks:
        try:
            with open(f'/proc/{pid}/task/{t}/schedstat') as f:
                t_ns = int(f.read().split()[0])
            ns += t_ns
            n = 0
            name = t
            with open(f'/proc/{pid}/task/{t}/status') as f:
                for line in f:
                    if line.startswith('Name:'):
                        name = line.split(None, 1)[1].strip()
                    elif line.startswith(('voluntary_ctxt_switches',
                                          'nonvoluntary_ctxt_switches')):
                        n += int(line.split()[1])
            switches += n
            each[f'{name}/{t}'] = n
            each_ns[f'{name}/{t}'] = t_ns
        except (OSError, ValueError, IndexError):
            pass
    return ns, switches, each, each_ns


def thread_wakeups(before, after):
    """From two {thread: switches} (sched_counters()[2]): the switches of each thread that
    made some in between; one that ended meanwhile is 'ended' (it woke to end)."""
    out = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    out.update({k: 'ended' for k in before if k not in after})
    return out


def sched_delta(before, after):
    """From two sched_counters() of a process: (CPU ms, wake-ups, 'thread n, ...') between
    them, thread by thread, so that a thread which ended meanwhile does not subtract its
    whole life: it counts as one wake-up, a new one as its switches."""
    woke = thread_wakeups(before[2], after[2])
    ns = sum(v - before[3].get(k, 0) for k, v in after[3].items())
    n = sum(1 if v == 'ended' else v for v in woke.values())
    return ns / 1e6, n, ', '.join(f'{k} {v}' for k, v in woke.items())


def x_window_id(pid):
    """The X window of process pid (xdotool search --onlyvisible --pid), or None."""
    r = subprocess.run(['xdotool', 'search', '--onlyvisible', '--pid', str(pid)],
                       capture_output=True, text=True, timeout=10)
    ids = r.stdout.split()
    return ids[-1] if ids else None


def xdotool_run(*args):
    """Runs xdotool with args (windowunmap WID, key Escape...); its CompletedProcess."""
    return subprocess.run(['xdotool'] + list(args), capture_output=True, text=True, timeout=20)
