#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-devenv.py MESON — TAP: `meson devenv -C BUILDDIR porthole --list` runs the
# uninstalled app from a plain environment (none of the variables the tests set) and
# lists a listener this test started.
import os
import subprocess
import sys
import tempfile

import porthole_test as pt

tap = pt.Tap()
if len(sys.argv) != 2:
    pt.bail('usage: test-devenv.py MESON')
meson = sys.argv[1]
builddir = pt.builddir()

# What a developer's shell has: none of what tests/meson.build sets, no build folder on
# PATH, and a working directory elsewhere.
env = {k: v for k, v in os.environ.items()
       if not k.startswith(('PORTHOLE_', 'PH_', 'GSETTINGS_', 'G_TEST_', 'XDG_DATA_DIRS'))}
env['PATH'] = '/usr/local/bin:/usr/bin:/bin'
env['LC_ALL'] = 'C.UTF-8'
elsewhere = tempfile.mkdtemp(prefix='ph-devenv-')


def devenv(*args):
    return subprocess.run([meson, 'devenv', '-C', builddir] + list(args), env=env,
                          cwd=elsewhere, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


with pt.Listener('tcp:127.0.0.1:0', 'udp:127.0.0.1:0') as lis:
    result = devenv('porthole', '--list')
    tap.ok(result.returncode == 0, 'meson devenv -C BUILDDIR porthole --list exits 0',
           result.stderr)
    rows = [line.split() for line in result.stdout.splitlines() if line.startswith('  ')]
    for proto, addr, port, _inode in lis.sockets:
        row = next((r for r in rows if r[:2] == [str(port), proto]), None)
        tap.ok(row is not None and '127.0.0.1' in ' '.join(row)
               and '(%d)' % lis.pid in ' '.join(row),
               'it lists the test\'s %s listener on port %d with its process' % (proto, port),
               result.stdout)

    found = devenv('sh', '-c', 'command -v porthole; echo "$PORTHOLE_HELPER"')
    paths = found.stdout.split()
    built = os.path.join(os.path.realpath(builddir), 'src')
    tap.ok(len(paths) == 2 and all(os.path.realpath(p).startswith(built + os.sep) for p in paths)
           and os.access(paths[1], os.X_OK),
           'in it, porthole and PORTHOLE_HELPER are the programs of the build', found.stdout)

os.rmdir(elsewhere)
sys.exit(tap.done())
