#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-flatpak-app.py — a Flatpak app holding a port (issue 9, point 6): a second, real
# Flatpak app (org.porthole.TestServer, Python's http.server on the stand-in runtime) is
# installed and run with `flatpak run`, without a systemd user session, so no cgroup names
# it: the host helper finds it by the sandbox's /.flatpak-info. (Its server is the app's own
# program, /app/bin/ph-test-server; `python3 -m http.server` would be named as the dev
# server it is, wherever it runs.) Porthole, itself a Flatpak,
# groups its port under the app's name and icon (from the app's exported desktop entry).
# Freeing it by default goes the process path (the helper's SIGTERM to the holder, no
# flatpak kill); only the explicit choice — `porthole free --flatpak-kill` and the
# window's "Quit <app>" — runs `flatpak kill <app id>`. A `flatpak` first in the session's
# PATH records every `flatpak kill` and then runs the real one.
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

TEST_APP = 'org.porthole.TestServer'
TEST_NAME = 'Porthole Test Server'
WORK = '/var/tmp/porthole-flatpak'
SHIM_DIR = os.path.join(WORK, 'flatpak-kill-shim')
KILL_LOG = os.path.join(WORK, 'flatpak-kill.log')
REAL_FLATPAK = '/usr/bin/flatpak'

# Before the session bus starts: flatpak-session-helper (D-Bus activated) inherits this
# PATH, and with it every helper it runs on the host.
if not os.environ.get('PH_FLATPAK_SHIM'):
    os.makedirs(SHIM_DIR, exist_ok=True)
    real = REAL_FLATPAK
    with open(os.path.join(SHIM_DIR, 'flatpak'), 'w') as f:
        f.write('#!/bin/sh\n'
                f'[ "$1" = kill ] && printf "%s\\n" "$*" >> {KILL_LOG}\n'
                f'exec {real} "$@"\n')
    os.chmod(os.path.join(SHIM_DIR, 'flatpak'), 0o755)
    os.environ['PATH'] = SHIM_DIR + ':' + os.environ['PATH']
    os.environ['PH_FLATPAK_SHIM'] = '1'
pf.isolate()
pf.listener_path()
t = pt.Tap()


def kills():
    try:
        with open(KILL_LOG) as f:
            return f.read().split('\n')[:-1]
    except FileNotFoundError:
        return []


def install_test_app():
    """Builds and installs org.porthole.TestServer on the stand-in runtime: a script that
    runs python3 -m http.server, a desktop entry and an icon (exported to the host)."""
    build = tempfile.mkdtemp(dir=WORK, prefix='test-app-')
    repo = os.path.join(WORK, 'test-app-repo')
    try:
        subprocess.run(['flatpak', 'build-init', build, TEST_APP, 'org.gnome.Sdk',
                        'org.gnome.Platform', '50'], check=True, capture_output=True)
        files = os.path.join(build, 'files')
        for d in ('bin', 'share/applications', 'share/icons/hicolor/scalable/apps'):
            os.makedirs(os.path.join(files, d), exist_ok=True)
        with open(os.path.join(files, 'bin', 'ph-test-server'), 'w') as f:
            f.write('#!/usr/bin/python3\n'
                    '# The app\'s own server: answers every GET with a short page.\n'
                    'import http.server, sys\n'
                    'class Page(http.server.BaseHTTPRequestHandler):\n'
                    '    def do_GET(self):\n'
                    '        self.send_response(200)\n'
                    '        self.end_headers()\n'
                    '        self.wfile.write(b"Porthole Test Server\\n")\n'
                    'http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Page)'
                    '.serve_forever()\n')
        os.chmod(os.path.join(files, 'bin', 'ph-test-server'), 0o755)
        with open(os.path.join(files, 'share/applications', TEST_APP + '.desktop'), 'w') as f:
            f.write(f'[Desktop Entry]\nType=Application\nName={TEST_NAME}\nIcon={TEST_APP}\n'
                    'Exec=ph-test-server 8000\n')
        with open(os.path.join(files, 'share/icons/hicolor/scalable/apps',
                               TEST_APP + '.svg'), 'w') as f:
            f.write('<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
                    '<rect width="16" height="16" fill="#3584e4"/></svg>\n')
        subprocess.run(['flatpak', 'build-finish', build, '--command=ph-test-server',
                        '--share=network'], check=True, capture_output=True)
        subprocess.run(['flatpak', 'build-export', '--disable-sandbox', '--disable-fsync',
                        repo, build], check=True, capture_output=True)
        subprocess.run(['flatpak', 'remote-add', '--user', '--if-not-exists', '--no-gpg-verify',
                        'ph-test-apps', 'file://' + repo], check=True, capture_output=True)
        subprocess.run(['flatpak', 'install', '--user', '-y', '--noninteractive', '--reinstall',
                        'ph-test-apps', TEST_APP], check=True, capture_output=True)
        return True
    except subprocess.CalledProcessError as e:
        t.diag(f'{e.cmd}: exit {e.returncode}: {e.stderr.decode(errors="replace")}')
        return False
    finally:
        shutil.rmtree(build, ignore_errors=True)


class TestServer(pt.Child):
    """`flatpak run org.porthole.TestServer PORT`; .pid is the host PID of the app's server
    (a Python script, /app/bin/ph-test-server) that listens inside the sandbox."""

    def __init__(self):
        self.port = pt.free_port()
        self.log = tempfile.TemporaryFile(mode='w+')
        self.proc = subprocess.Popen(['flatpak', 'run', TEST_APP, str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.pid = phui.wait_for(self._holder, 30)

    def _holder(self):
        if self.proc.poll() is not None:
            return None
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=1):
                pass
        except OSError:
            return None
        pids = pf.pids_named('ph-test-server', sandboxed=True)
        return pids[0] if len(pids) == 1 else None

    def stop(self):
        if self.proc.poll() is None:
            # The real flatpak, not the recording one.
            subprocess.run([REAL_FLATPAK, 'kill', TEST_APP], capture_output=True)
            if not self.wait_exit(10):
                self.proc.kill()
                self.proc.wait()


def porthole_free(port, *extra):
    rc, out, err = pf.run_cli(['free', '--yes', '--json', *extra, str(port)], timeout=60)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, {}, err + out


if os.path.exists(KILL_LOG):
    os.unlink(KILL_LOG)
if not t.ok(install_test_app(), f'{TEST_APP}, a second Flatpak app, is built and installed'):
    sys.exit(t.done())
bystander = pt.Listener('tcp:127.0.0.1:0')
servers = []
try:
    # 1. Grouped under the app, by /.flatpak-info: no systemd user session runs here.
    server = TestServer()
    servers.append(server)
    if not t.ok(server.pid is not None, f'{TEST_APP} listens on port {server.port}'):
        t.diag(server.output())
        sys.exit(t.done())
    with open(f'/proc/{server.pid}/cgroup') as f:
        cgroup = f.read().strip()
    t.ok('app-flatpak-' not in cgroup, f'its cgroup does not name it ({cgroup})')
    rc, doc, out, err = pf.run_cli_json(['--list', '--json'], t.diag)
    groups = {g.get('key'): g for g in doc.get('groups', [])}
    s = next((s for s in doc.get('services', []) if s.get('port') == server.port and
              s.get('protocol') == 'tcp'), None)
    g = groups.get(s.get('group')) if s else None
    t.diag(f'service {s}\ngroup {g}')
    t.ok(s is not None and [o.get('pid') for o in s.get('owners', [])] == [server.pid],
         f'the Flatpak lists the port with the holder\'s host PID {server.pid}')
    t.ok(g is not None and g.get('kind') == 'flatpak', 'its group is a Flatpak app')
    t.ok(g is not None and g.get('name') == TEST_NAME, f'named "{TEST_NAME}"')
    t.ok(g is not None and g.get('icon') == TEST_APP, f'with the app\'s icon "{TEST_APP}"')

    # 2. By default, the process path.
    rc, doc, err = porthole_free(server.port)
    t.diag(f'porthole free: exit {rc}: {doc} {err}')
    t.ok(rc == 0 and doc.get('outcome') == 'freed', 'porthole free frees it by default')
    t.ok(doc.get('signal') == 'TERM' and doc.get('flatpak_kill') is None,
         'by asking the process to quit (SIGTERM), not with flatpak kill')
    t.ok(kills() == [], f'no flatpak kill ran ({kills()})')
    t.ok(server.wait_exit(15), 'the app\'s sandbox ended with its process')

    # 3. --flatpak-kill, the explicit choice on the command line.
    server = TestServer()
    servers.append(server)
    t.ok(server.pid is not None, f'{TEST_APP} runs again (port {server.port})')
    rc, doc, err = porthole_free(server.port, '--flatpak-kill')
    t.diag(f'porthole free --flatpak-kill: exit {rc}: {doc} {err}')
    t.ok(rc == 0 and doc.get('outcome') == 'freed' and doc.get('flatpak_kill') == TEST_APP,
         f'porthole free --flatpak-kill frees it by quitting {TEST_APP}')
    t.ok(kills() == [f'kill {TEST_APP}'], f'flatpak kill {TEST_APP} ran on the host, once '
         f'({kills()})')
    t.ok(server.wait_exit(15) and server.proc.returncode != 0,
         f'the app\'s flatpak run ended ({server.proc.returncode})')

    # ... refused for a port no Flatpak app holds.
    rc, doc, err = porthole_free(bystander.port, '--flatpak-kill')
    t.ok(rc == 3 and doc.get('outcome') == 'refused' and bystander.alive(),
         f'--flatpak-kill refuses a host program that is no Flatpak app (exit {rc})')
    t.ok(kills() == [f'kill {TEST_APP}'], 'and runs no flatpak kill for it')

    # 4. The window: the section, and Free Port's choice to quit the app.
    server = TestServer()
    servers.append(server)
    t.ok(server.pid is not None, f'{TEST_APP} runs again (port {server.port})')
    app = pf.App()
    try:
        window = app.window_or_exit(t, 'Porthole\'s window appears')
        row = phui.list_item(window, f'Port {server.port}, TCP', timeout=30)
        headers = phui.section_headers(window)
        t.diag(f'sections: {headers}')
        t.ok(any(h.startswith(TEST_NAME) for h in headers),
             f'the window has a section named "{TEST_NAME}"')
        quit_button = None
        if row is not None:
            free = phui.lever_button(window, row, 'Free Port')
            if free is not None:
                phui.click(free)
                quit_button = phui.dialog_button(app, f'Quit {TEST_NAME}')
        t.ok(quit_button is not None and phui.dialog_button(app, 'Free Port', 0) is not None,
             f'Free Port offers "Quit {TEST_NAME}" beside "Free Port"')
        t.ok(kills() == [f'kill {TEST_APP}'] and server.proc.poll() is None,
             'asking killed nothing')
        if quit_button is not None:
            pf.screenshot('flatpak-app-quit-choice')
            phui.click(quit_button)
        t.ok(server.wait_exit(15), 'choosing it ends the app')
        t.ok(kills() == [f'kill {TEST_APP}'] * 2, f'with flatpak kill {TEST_APP} ({kills()})')
        gone = phui.wait_for(lambda: phui.list_item(window, f'Port {server.port}, TCP',
                                                    timeout=0) is None, 15)
        t.ok(gone, 'its row disappeared from the list')
        t.ok(app.proc.poll() is None, 'Porthole itself is still running')
    finally:
        app.quit()
    t.ok(bystander.alive(), 'the host listener the test started is still alive')
finally:
    for server in servers:
        server.stop()
    bystander.stop()
    subprocess.run(['flatpak', 'uninstall', '--user', '-y', '--noninteractive', TEST_APP],
                   capture_output=True)
sys.exit(t.done())
