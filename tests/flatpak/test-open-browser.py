#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-open-browser.py — Open in Browser from inside the sandbox reaches the host's web
# browser through the OpenURI portal: GtkUriLauncher in the sandbox calls
# org.freedesktop.portal.OpenURI, the real xdg-desktop-portal on the host side looks up the
# default handler of x-scheme-handler/http and launches it. The "browser" is a .desktop
# handler registered in this test's own XDG dirs (outside the sandbox, which cannot see
# them) that writes the URI it gets, and where it runs, to a file.
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

# Before the isolated session starts: its D-Bus daemon, and so the portal it activates,
# inherits these XDG dirs.
if not os.environ.get('PH_BROWSER_DIR'):
    d = tempfile.mkdtemp(prefix='ph-browser-')
    apps = os.path.join(d, 'share', 'applications')
    os.makedirs(apps)
    os.makedirs(os.path.join(d, 'config'))
    handler = os.path.join(d, 'browser.sh')
    with open(handler, 'w') as f:
        f.write('#!/bin/sh\n'
                '# A stand-in web browser: records what it was asked to open.\n'
                'out="$(dirname "$0")/opened"\n'
                '{ echo "uri=$1"\n'
                '  if [ -e /.flatpak-info ]; then echo where=sandbox; else echo where=host; fi\n'
                '} > "$out.tmp" && mv "$out.tmp" "$out"\n')
    os.chmod(handler, 0o755)
    with open(os.path.join(apps, 'ph-test-browser.desktop'), 'w') as f:
        f.write('[Desktop Entry]\nType=Application\nName=Porthole Test Browser\n'
                f'Exec={handler} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\n'
                'NoDisplay=true\n')
    mimeapps = ('[Default Applications]\nx-scheme-handler/http=ph-test-browser.desktop\n'
                'x-scheme-handler/https=ph-test-browser.desktop\n')
    for where in (apps, os.path.join(d, 'config')):
        with open(os.path.join(where, 'mimeapps.list'), 'w') as f:
            f.write(mimeapps)
    os.environ['PH_BROWSER_DIR'] = d
    os.environ['XDG_DATA_DIRS'] = os.path.join(d, 'share') + ':' + \
        os.environ.get('XDG_DATA_DIRS', '/usr/local/share:/usr/share')
    os.environ['XDG_CONFIG_DIRS'] = os.path.join(d, 'config') + ':' + \
        os.environ.get('XDG_CONFIG_DIRS', '/etc/xdg')

pf.isolate()
pf.listener_path()
t = pt.Tap()
opened = os.path.join(os.environ['PH_BROWSER_DIR'], 'opened')

# A real web server on the host side, in a folder of its own.
site = tempfile.mkdtemp(prefix='ph-site-')
with open(os.path.join(site, 'index.html'), 'w') as f:
    f.write('<h1>hello</h1>\n')
with __import__('socket').socket() as s:
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
server = subprocess.Popen([sys.executable, '-m', 'http.server', '--bind', '127.0.0.1',
                           str(port)], cwd=site, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
phui.wait_for(lambda: __import__('socket').socket().connect_ex(('127.0.0.1', port)) == 0, 10)

# Watch the portal calls on the session bus: the proof that the URI went through OpenURI.
monitor_log = tempfile.TemporaryFile(mode='w+')
monitor = subprocess.Popen(['dbus-monitor', '--session',
                            "interface='org.freedesktop.portal.OpenURI'",
                            "interface='org.freedesktop.portal.Request',member='Response'"],
                           stdout=monitor_log, stderr=subprocess.DEVNULL)
app = pf.App()
try:
    window = app.window_or_exit(t, 'the Flatpak\'s window appears')
    row = phui.list_item(window, f'Port {port}, TCP on 127.0.0.1', timeout=30)
    t.ok(row is not None, f'the host web server on port {port} is listed')
    if row is not None:
        phui.select_item(row)
    button = phui.wait_for(lambda: (lambda b: b if b is not None and
                                    b.getState().contains(__import__('pyatspi').STATE_SENSITIVE)
                                    else None)(
        phui.find(window, name='Open in Browser', role='button', showing=True, timeout=0)), 15)
    t.ok(button is not None, 'Open in Browser is offered (the probe found HTTP)')
    if button is not None:
        phui.click(button)
    got = phui.wait_for(lambda: os.path.exists(opened), 20)
    t.ok(got, 'the handler on the host side was launched')
    facts = {}
    if got:
        for line in open(opened):
            k, _, v = line.strip().partition('=')
            facts[k] = v
    t.diag(f'handler: {facts}')
    want = f'http://localhost:{port}/'
    t.ok(facts.get('uri') == want, f'it received the URI {want} ({facts.get("uri")})')
    t.ok(facts.get('where') == 'host', 'it ran outside the sandbox')
    monitor_log.seek(0)
    calls = monitor_log.read()
    t.ok('interface=org.freedesktop.portal.OpenURI; member=OpenURI' in calls and
         f'string "{want}"' in calls,
         'the app called org.freedesktop.portal.OpenURI.OpenURI with that URI')
    t.ok('member=Response' in calls and 'uint32 0' in calls.split('member=Response', 1)[-1],
         'the portal answered the request with success (Response 0)')
    owner = subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.DBus',
                            '--object-path', '/org/freedesktop/DBus', '--method',
                            'org.freedesktop.DBus.GetConnectionUnixProcessID',
                            'org.freedesktop.portal.Desktop'], capture_output=True, text=True)
    portal_pid = int(owner.stdout.strip('()\n, ').split()[-1]) if owner.returncode == 0 else 0
    exe = os.readlink(f'/proc/{portal_pid}/exe') if portal_pid else ''
    t.ok(exe == '/usr/libexec/xdg-desktop-portal' and not pf.in_sandbox(portal_pid),
         f'the portal that answered is the host\'s xdg-desktop-portal ({exe}, PID {portal_pid})')
    t.ok(app.proc.poll() is None, 'the app is still running')
    toast = phui.find(app.accessible, name='Could not open a browser', contains=True, timeout=1)
    t.ok(toast is None, 'no "Could not open a browser" toast')
finally:
    app.quit()
    server.terminate()
    server.wait()
    monitor.terminate()
    monitor.wait()
sys.exit(t.done())
