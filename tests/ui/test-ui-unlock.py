#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-unlock.py — when owners are hidden the banner offers Unlock; pressing it runs the
# real pkexec, which here finds no system bus and refuses (127): a toast says Porthole was
# not allowed, the banner and its Unlock stay, and the unprivileged helper goes on (same
# process, list intact). The app's helper runs as nobody (through setpriv) so that the
# test's own root listener is another user's; the test runs in a mount namespace of its
# own with an empty /run/dbus, so no system bus of anyone else's test is reached.
# (test-unlock-polkit covers Unlock succeeding against a real polkitd.)
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phui  # noqa: E402
import porthole_test as pt  # noqa: E402

if os.environ.get('PH_UNLOCK_UI_NS') != '1':
    if os.geteuid() != 0 or shutil.which('setpriv') is None or shutil.which('pkexec') is None:
        print('1..0 # SKIP needs root, setpriv and pkexec')
        sys.exit(0)
    env = dict(os.environ, PH_UNLOCK_UI_NS='1')
    sys.exit(subprocess.call(
        ['unshare', '--mount', '--propagation', 'unchanged', '--', 'sh', '-c',
         'mkdir -p /run/dbus && mount -t tmpfs tmpfs /run/dbus && "$0" "$@"; rc=$?; '
         'umount /run/dbus; exit $rc', sys.executable] + sys.argv, env=env))

phui.run_isolated()
t = pt.Tap()

tmp = tempfile.mkdtemp(prefix='ph-ui-unlock-')
os.chmod(tmp, 0o755)
wrapper = os.path.join(tmp, 'porthole-helper')
with open(wrapper, 'w') as f:
    f.write('#!/bin/sh\nexec %s --reuid 65534 --regid 65534 --clear-groups %s "$@"\n'
            % (shutil.which('setpriv'), os.environ['PORTHOLE_HELPER']))
os.chmod(wrapper, 0o755)


listener = pt.Listener('tcp:127.0.0.1:0')
app = phui.App(env={'PORTHOLE_HELPER': wrapper})
try:
    window = app.window_or_exit(t)
    # The machine's other sockets are listed too (a shared network namespace): searching
    # for the port keeps the row in view, where the accessibility tree has it.
    phui.search(window, str(listener.port))
    t.ok(phui.list_item(window, f'Port {listener.port}, TCP', timeout=15) is not None,
         'the list shows root\'s listener')
    unlock = pt.wait_for(lambda: phui.find(window, name='Unlock', role='button', showing=True,
                                             timeout=0), 15)
    t.ok(unlock is not None, 'owners are hidden: the banner offers Unlock')
    t.ok('hidden' in phui.all_text(window).lower(), 'the banner says owners are hidden')
    before = phui.child_pids(app.proc.pid)
    if unlock is not None:
        phui.click(unlock)
    toast = pt.wait_for(lambda: 'not allowed' in phui.all_text(window).lower(), 15)
    if not t.ok(toast, 'pkexec refused (no system bus, 127): a message says Porthole was not '
                'allowed'):
        t.diag('children now: %r; app output: %s' % (phui.child_pids(app.proc.pid),
                                                      app.output()[-3000:]))
    phui.screenshot('unlock-refused')
    t.ok(phui.find(window, name='Unlock', role='button', showing=True, timeout=2) is not None,
         'the banner and its Unlock stay')
    after = phui.child_pids(app.proc.pid)
    t.ok(before and after == before,
         f'the unprivileged helper goes on, the same process ({before} → {after})')
    t.ok(phui.list_item(window, f'Port {listener.port}, TCP', timeout=10) is not None,
         'the list is unchanged')
    if not t.ok(app.proc.poll() is None, 'the app is still running'):
        t.diag(app.output()[-3000:])
finally:
    app.quit()
    listener.kill()
    shutil.rmtree(tmp, ignore_errors=True)
t.done()
