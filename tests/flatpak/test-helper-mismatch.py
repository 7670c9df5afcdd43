#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-mismatch.py — a host helper that is missing or speaks another protocol gives
# a clear banner, not a crash. Simulated from outside, without a special build:
# `flatpak run --app-path=DIR` mounts DIR as /app and names it as app-path in
# /.flatpak-info, which is where the app finds its host helper; DIR is a copy of the
# installed app's files with the helper removed, or replaced by one that reports protocol 0.
# A PORTHOLE_HELPER that points nowhere (passed with --env) is the third case.
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

pf.isolate()
pf.listener_path()
t = pt.Tap()

loc = subprocess.run(['flatpak', 'info', '--show-location', pf.APP_ID], capture_output=True,
                     text=True)
files = os.path.join(loc.stdout.strip(), 'files')
if not t.ok(loc.returncode == 0 and os.path.isfile(os.path.join(files, 'libexec',
                                                                'porthole-helper')),
            f'the installed app has its helper ({files}/libexec/porthole-helper)'):
    sys.exit(t.done())


def app_copy(helper_script):
    d = tempfile.mkdtemp(prefix='ph-app-')
    shutil.copytree(files, os.path.join(d, 'files'), symlinks=True)
    helper = os.path.join(d, 'files', 'libexec', 'porthole-helper')
    os.unlink(helper)
    if helper_script is not None:
        with open(helper, 'w') as f:
            f.write(helper_script)
        os.chmod(helper, 0o755)
    return os.path.join(d, 'files')


OLD_HELPER = ('#!/bin/sh\n'
              '# An older porthole-helper: another protocol.\n'
              'case "$1" in --version) echo "porthole-helper 0.0.1 protocol=0"; exit 0;; esac\n'
              'echo "unknown command" >&2; exit 2\n')

# (what, the banner's words for the cause, its words for the remedy, words it must not use)
cases = [
    ('missing', ['--app-path=' + app_copy(None)], {},
     'the host helper is missing', ('missing', 'not found'), ('Reinstall',),
     # flatpak-spawn could run, the file was not there: Flatpak's version is not the cause.
     ('newer version of Flatpak',)),
    ('old', ['--app-path=' + app_copy(OLD_HELPER)], {},
     'the host helper speaks another protocol', ('different version',), ('Reinstall',), ()),
    ('nowhere', [], {'PORTHOLE_HELPER': '/nonexistent/porthole-helper'},
     'PORTHOLE_HELPER points nowhere', ('not found at /nonexistent/porthole-helper',),
     ('PORTHOLE_HELPER',), ()),
]

listener = pt.Listener('tcp:127.0.0.1:0')
try:
    for key, fargs, env, what, words, remedy, wrong in cases:
        app = pf.App(flatpak_args=fargs, env=env)
        try:
            window = app.wait_for_window()
            if not t.ok(window is not None, f'{what}: the window appears'):
                t.diag(app.output())
                continue
            text = phui.wait_for(lambda: (lambda s: s if any(w in s for w in words) else None)(
                pf.shown_text(window)), 20) or pf.shown_text(window)
            t.diag(f'{what}: shown text:\n{text}')
            t.ok(any(w in text for w in words),
                 f'{what}: a banner says so ({" / ".join(words)})')
            t.ok(any(w in text for w in remedy), f'{what}: and what to do ({" / ".join(remedy)})')
            t.ok(not any(w in text for w in wrong),
                 f'{what}: without a wrong cause ({" / ".join(wrong) or "-"})')
            t.ok('Nothing Is Listening' not in text,
                 f'{what}: the list does not claim that nothing is listening')
            pf.screenshot(f'flatpak-helper-{key}')
            # The scanner retries with a growing delay; the app must survive the retries.
            time.sleep(4)
            t.ok(app.proc.poll() is None and app.app_pid() is not None,
                 f'{what}: the app is still running after its retries')
            t.ok(not pf.host_helpers(), f'{what}: no helper is left running on the host')
        finally:
            app.quit()
finally:
    listener.stop()
sys.exit(t.done())
