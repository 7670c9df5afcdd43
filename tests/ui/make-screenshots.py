#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# make-screenshots.py — the AppStream screenshots in data/screenshots/, from a realistic
# scene: the real nginx, PostgreSQL and Redis from Debian, run as their own users on their
# usual ports, Python's http.server in a project folder (~/Projects/blog), and a dev server
# started with `npm run dev` from a package.json folder (~/Projects/shop). Light and dark
# style, no toast over the content. Run it with `build-aux/dev screenshots` (as root: the
# servers run as their users, in a network namespace of the script's own, so the usual
# ports are free and nothing of the machine's shows up).
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

_NETNS = 'PH_SCREENSHOTS_NETNS'
if os.geteuid() != 0:
    sys.exit('make-screenshots.py: run it as root (build-aux/dev screenshots): the servers '
             'run as their own users in a network namespace of their own')
if not os.environ.get(_NETNS):
    # A network namespace of our own: ports 80, 5432 and 6379 are ours, and no other
    # listener of this machine appears in the pictures.
    os.environ[_NETNS] = '1'
    os.execvp('unshare', ['unshare', '--net', '--', sys.executable] + sys.argv)
if os.environ.get('PH_SCREENSHOTS_LO') is None:
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    os.environ['PH_SCREENSHOTS_LO'] = '1'

BUILDDIR = os.path.abspath(os.environ.get('PORTHOLE_BUILDDIR', os.path.join(REPO, '_build')))
os.environ['PORTHOLE_BUILDDIR'] = BUILDDIR
os.environ.setdefault('PORTHOLE_BIN', os.path.join(BUILDDIR, 'src', 'porthole'))
OUT = os.path.join(REPO, 'data', 'screenshots')

import phui  # noqa: E402
import porthole_test as pt  # noqa: E402

phui.run_isolated()

# A home of the scene's own, so that the project folders show as ~/Projects/… and nothing
# is left in the real one.
tmp = tempfile.mkdtemp(prefix='ph-screenshots-')
os.chmod(tmp, 0o755)
HOME = os.path.join(tmp, 'home')
os.environ['HOME'] = HOME
PROJECTS = os.path.join(HOME, 'Projects')
procs = []


def say(text):
    print(f'make-screenshots: {text}', file=sys.stderr, flush=True)


def start(name, argv, port, user=None, cwd=None, env=None):
    log = open(os.path.join(tmp, name + '.log'), 'wb')
    if user is not None:
        argv = ['setpriv', f'--reuid={user}', f'--regid={user}', '--init-groups', '--', *argv]
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         cwd=cwd, env=e, start_new_session=True)
    procs.append(p)
    if not pt.wait_for(lambda: pt.listening(port) or p.poll() is not None, 30) or p.poll() is not None:
        with open(log.name, errors='replace') as f:
            sys.exit(f'make-screenshots: {name} did not start:\n{f.read()[-2000:]}')
    say(f'{name} listens on port {port}')


def scene():
    """The servers; the screenshots name them by what they are."""
    # nginx, the web server of the machine, on port 80 of every address.
    start('nginx', pt.nginx(os.path.join(tmp, 'nginx'), 'www-data',
                            'listen 80; listen [::]:80; return 200 "Welcome to nginx\\n";',
                            workers=2, connections=64), 80)

    # PostgreSQL as postgres, on loopback.
    bindir = sorted(glob.glob('/usr/lib/postgresql/*/bin'))[-1]
    pg = os.path.join(tmp, 'postgresql')
    os.makedirs(pg, 0o700)
    shutil.chown(pg, 'postgres', 'postgres')
    subprocess.run(['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--',
                    os.path.join(bindir, 'initdb'), '-D', os.path.join(pg, 'data'),
                    '--auth=trust', '--no-sync'], check=True, capture_output=True, cwd=pg)
    start('postgres', [os.path.join(bindir, 'postgres'), '-D', os.path.join(pg, 'data'),
                       '-c', 'listen_addresses=localhost', '-c', f'unix_socket_directories={pg}'],
          5432, user='postgres', cwd=pg)

    # Redis as redis, on loopback.
    redis = os.path.join(tmp, 'redis')
    os.makedirs(redis)
    shutil.chown(redis, 'redis', 'redis')
    start('redis', ['/usr/bin/redis-server', '--port', '6379', '--bind', '127.0.0.1 ::1',
                    '--save', '', '--appendonly', 'no', '--dir', redis, '--daemonize', 'no'],
          6379, user='redis')

    # A static site previewed with Python's http.server, in its project folder.
    blog = os.path.join(PROJECTS, 'blog')
    os.makedirs(os.path.join(blog, 'public'), exist_ok=True)
    with open(os.path.join(blog, 'public', 'index.html'), 'w') as f:
        f.write('<!doctype html><title>My blog</title><h1>Hello</h1>\n')
    start('http.server', ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1',
                          '--directory', 'public'], 8000, cwd=blog)

    # A Node.js app started with npm run dev from its package.json folder.
    shop = os.path.join(PROJECTS, 'shop')
    os.makedirs(shop, exist_ok=True)
    with open(os.path.join(shop, 'package.json'), 'w') as f:
        f.write('{\n  "name": "shop",\n  "version": "0.1.0",\n  "private": true,\n'
                '  "scripts": { "dev": "node server.js" }\n}\n')
    with open(os.path.join(shop, 'server.js'), 'w') as f:
        f.write("const http = require('node:http');\n"
                "http.createServer((req, res) => res.end('shop\\n'))\n"
                "  .listen(3000, '127.0.0.1');\n")
    start('npm run dev', ['npm', 'run', 'dev'], 3000, cwd=shop,
          env={'npm_config_update_notifier': 'false', 'npm_config_fund': 'false'})


def shoot(name):
    path = phui.screenshot('appstream-' + name)
    shutil.copyfile(path, os.path.join(OUT, name + '.png'))
    say(f'data/screenshots/{name}.png')


def select(window, startswith):
    row = phui.list_item(window, startswith, timeout=20)
    if row is None:
        sys.exit(f'make-screenshots: no row "{startswith}" in the list')
    phui.select_item(row)
    time.sleep(2.5)   # the probe's answer and the pictures
    return row


def scroll_to(window, name):
    """Wheels the detail pane down until the picture @name is whole in the window (GTK
    gives a widget's extents relative to its window)."""
    picture = phui.find(window, name=name, role='image', timeout=10, deep=True)
    if picture is None:
        sys.exit(f'make-screenshots: no "{name}" in the pane')
    import pyatspi
    top = window.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
    subprocess.run(['xdotool', 'mousemove', '--window', window_ids()[0],
                    str(top.width * 2 // 3), str(top.height // 2)], check=False)
    for _ in range(60):
        box = picture.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        say(f'{name}: y {box.y} height {box.height}; window height {top.height}')
        if box.height > 0 and 0 < box.y and box.y + box.height + 48 <= top.height:
            break
        subprocess.run(['xdotool', 'click', '5'], check=False)
        time.sleep(0.2)
    else:
        sys.exit(f'make-screenshots: "{name}" did not scroll into view')
    time.sleep(1)


def window_ids():
    return subprocess.run(['xdotool', 'search', '--name', '^Porthole$'], capture_output=True,
                          text=True).stdout.split()


def resize(width, height):
    for w in window_ids():
        subprocess.run(['xdotool', 'windowsize', w, str(width), str(height)], check=False)
    time.sleep(1.5)


def open_app(env=None):
    app = phui.App(env=env)
    window = app.wait_for_window(timeout=60)
    if window is None:
        sys.exit('make-screenshots: the window did not appear:\n' + app.output())
    # The list shows the rows in view only; the first dev server's means the scan is in.
    if phui.list_item(window, 'Port 3000, TCP', timeout=30) is None:
        sys.exit('make-screenshots: port 3000 is not listed')
    time.sleep(2)
    return app, window


try:
    os.makedirs(OUT, exist_ok=True)
    scene()
    for style, env in (('light', {}), ('dark', {'ADW_DEBUG_COLOR_SCHEME': 'prefer-dark'})):
        suffix = '' if style == 'light' else '-dark'
        app, window = open_app(env)
        try:
            # The dev server, explained.
            select(window, 'Port 3000, TCP')
            shoot('main' + suffix)
            # The web server everyone on the network can reach, found by its name.
            phui.search(window, 'nginx')
            select(window, 'Port 80, TCP')
            shoot('reach' + suffix)
            phui.search(window, '')
            time.sleep(1)
            # Freeing the blog preview's port: the question first.
            select(window, 'Port 8000, TCP')
            free = phui.wait_for(lambda: phui.find(window, name='Free Port', role='button',
                                                   showing=True, timeout=0), 10)
            if free is None:
                sys.exit('make-screenshots: no Free Port button')
            phui.click(free)
            cancel = phui.dialog_button(app, 'Cancel')
            if cancel is None:
                sys.exit('make-screenshots: Free Port asked nothing')
            time.sleep(1)
            shoot('free-port' + suffix)
            phui.click(cancel)
            time.sleep(1)
            # An address typed into the search, nothing listening there.
            phui.search(window, '8080')
            time.sleep(2.5)
            shoot('explain' + suffix)
            # The address a beginner met in a log: where its port lies among all ports.
            phui.search(window, '127.0.0.1:62893')
            time.sleep(2.5)
            scroll_to(window, 'Port line')
            shoot('port' + suffix)
            # At phone width: the details fill the window.
            phui.search(window, 'PostgreSQL')
            select(window, 'Port 5432, TCP')
            resize(360, 640)
            phui.activate_row(phui.list_item(window, 'Port 5432, TCP', timeout=5))
            time.sleep(2.5)
            shoot('narrow' + suffix)
        finally:
            app.quit()
finally:
    for p in reversed(procs):
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in reversed(procs):
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    shutil.rmtree(tmp, ignore_errors=True)
