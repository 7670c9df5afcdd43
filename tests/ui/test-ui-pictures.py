#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-pictures.py — the detail pane's two pictures, the port line and the reach picture,
# read through their accessible descriptions for a well-known, a registered, a dynamic and
# an ephemeral port and for loopback, wildcard and LAN addresses, and checked against the
# pane's words; screenshots in light and dark style, high contrast right to left, and at
# 360 px wide (saved in BUILDDIR/screenshots/pictures-*.png).
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import phui
import porthole_test as pt

phui.run_isolated()

t = pt.Tap()

with open('/proc/sys/net/ipv4/ip_local_port_range') as f:
    EPH_FIRST, EPH_LAST = (int(w) for w in f.read().split())


def free_port(first, last, avoid=()):
    for port in range(first, last + 1):
        if port not in avoid and not (EPH_FIRST <= port <= EPH_LAST) and pt.port_is_free(port):
            return port
    return None


def port_sentence(port):
    if port <= 1023:
        cls, first, last = 'well-known', 0, 1023
    elif port <= 49151:
        cls, first, last = 'registered', 1024, 49151
    else:
        cls, first, last = 'dynamic', 49152, 65535
    where = 'in' if EPH_FIRST <= port <= EPH_LAST else 'outside'
    return (f'Port {port} is a {cls} port, in the range {first} to {last}; it also lies '
            f'{where} this computer’s ephemeral range {EPH_FIRST} to {EPH_LAST}.')


LOOPBACK = 'only programs on this computer. Computers on the local network and on the ' \
           'internet cannot.'
LOCAL = 'programs on this computer and, unless a firewall stops them, computers on the ' \
        'local network.'

registered = free_port(5173, 9999)
dynamic = free_port(49152, 65535)
lan_port = free_port(10100, 29999)
if registered is None or lan_port is None:
    pt.bail('no free registered port outside the ephemeral range')

# A dev server on loopback, as the AppStream screenshot shows it: "node …/vite" in a
# project folder called shop.
tmp = tempfile.mkdtemp(prefix='phui-pictures-')
shop = os.path.join(tmp, 'src', 'shop')
os.makedirs(os.path.join(shop, 'node_modules', '.bin'))
with open(os.path.join(shop, 'package.json'), 'w') as f:
    f.write('{"name": "shop"}\n')
loop = pt.Listener(f'tcp:127.0.0.1:{registered}', cwd=shop, exec_name='node',
                   extra=[os.path.join(shop, 'node_modules', '.bin', 'vite'), '--port',
                          str(registered)])
# A dynamic port outside the ephemeral range, unless the range covers them all.
wide = pt.Listener(f'tcp:0.0.0.0:{dynamic if dynamic is not None else 0}')
# The kernel picks a port from the ephemeral range for port 0.
eph = pt.Listener('tcp:127.0.0.1:0')


def pictures(window):
    """The two pictures in the detail pane, by accessible name."""
    page = phui.detail_page(window)
    found = {}
    for node in phui.walk(page, skip=()):
        try:
            if phui.role_name(node) == 'image' and node.name in ('Port line', 'Who can connect'):
                found[node.name] = node
        except Exception:
            continue
    return found


def description(window, name):
    node = pictures(window).get(name)
    try:
        return node.description if node is not None else ''
    except Exception:
        return ''


def wait_description(window, name, *parts, timeout=8):
    got = phui.wait_for(lambda: all(p in description(window, name) for p in parts), timeout)
    if not got:
        t.diag(f'{name}: {description(window, name)!r}')
    return got


def showing(node):
    import pyatspi
    try:
        ext = node.queryComponent().getExtents(0)
        return node.getState().contains(pyatspi.STATE_SHOWING) and ext.width > 0 and \
            ext.height > 0
    except Exception:
        return False


def heights(window):
    """The pictures' heights in pixels, by name."""
    out = {}
    for name, node in pictures(window).items():
        try:
            out[name] = node.queryComponent().getExtents(0).height
        except Exception:
            out[name] = 0
    return out


def select(window, startswith):
    row = phui.list_item(window, startswith, timeout=15)
    if row is not None:
        phui.select_item(row)
    return row


def select_containing(window, text):
    """Select the row whose (perhaps translated) name contains the text."""
    def look():
        lst = phui.find(window, role='list', timeout=0)
        for i in range(lst.childCount if lst is not None else 0):
            node = lst.getChildAtIndex(i)
            if phui.role_name(node) == 'list item' and text in (node.name or ''):
                return node
        return None
    row = phui.wait_for(look, 15)
    if row is not None:
        phui.select_item(row)
    return row


def window_ids():
    return subprocess.run(['xdotool', 'search', '--name', '^Porthole$'], capture_output=True,
                          text=True).stdout.split()


def resize(width, height):
    ids = window_ids()
    for w in ids:  # GTK also names its hidden leader window
        subprocess.run(['xdotool', 'windowsize', w, str(width), str(height)], check=False)
    return bool(ids)


def scroll_pane(clicks, narrow=False, rtl=False):
    """Turn the mouse wheel over the detail pane, down (or up, for negative clicks), for a
    screenshot of what lies lower (the window sits at the screen's origin; AT-SPI does not
    give screen coordinates here)."""
    x, y = (180, 400) if narrow else (300, 400) if rtl else (680, 400)
    subprocess.run(['xdotool', 'mousemove', str(x), str(y)], check=False)
    subprocess.run(['xdotool', 'click', '--repeat', str(abs(clicks)), '--delay', '40',
                    '5' if clicks > 0 else '4'], check=False)
    time.sleep(0.6)


apps = []
try:
    # --- Light style, default size: every description, against the words. ---------------
    app = phui.App()
    apps.append(app)
    window = app.window_or_exit(t)

    # A registered port on loopback.
    t.ok(select(window, f'Port {registered}, TCP on 127.0.0.1') is not None,
         f'the loopback listener on {registered} is listed')
    pics = phui.wait_for(lambda: (lambda p: p if len(p) == 2 and all(map(showing, p.values()))
                                  else None)(pictures(window)), 8)
    t.ok(pics is not None, 'both pictures are in the pane, on screen, with their accessible '
         'names (role image)')
    t.ok(wait_description(window, 'Port line', port_sentence(registered)),
         f'the port line says where registered port {registered} lies')
    t.ok(wait_description(window, 'Port line', 'not to scale'),
         'the port line says it is not to scale')
    # The other listeners this test started (the wildcard one and the ephemeral one) are
    # ticks on the line, and the description counts them.
    ticks = phui.wait_for(lambda: re.search(r'Ticks mark the (\d+) other ports this computer '
                                            r'listens on\.', description(window, 'Port line')), 8)
    t.ok(ticks is not None and int(ticks.group(1)) >= 2,
         'the port line marks the other ports this computer listens on (%s)'
         % (ticks.group(1) if ticks else 'none'),
         diag=None if ticks else description(window, 'Port line'))
    t.ok(wait_description(window, 'Who can connect',
                          f'Who can connect to 127.0.0.1:{registered}: {LOOPBACK}'),
         'the reach picture shows only this computer for a loopback address')
    words = phui.pane_text(window)
    t.ok('Other computers cannot connect to it.' in words,
         'and the words say the same: other computers cannot connect')
    phui.screenshot('pictures-light')
    normal_heights = heights(window)

    # The wildcard listener on a dynamic port.
    wide_port = wide.port
    t.ok(select(window, f'Port {wide_port}, TCP on 0.0.0.0') is not None,
         f'the wildcard listener on {wide_port} is listed')
    t.ok(wait_description(window, 'Port line', port_sentence(wide_port)),
         f'the port line says where port {wide_port} lies '
         f'({"dynamic" if wide_port >= 49152 else "registered"})')
    t.ok(wait_description(window, 'Who can connect',
                          f'Who can connect to 0.0.0.0:{wide_port}: {LOCAL}',
                          'public address or a router forwards the port'),
         'the reach picture shows the local network, with the firewall caveat, for 0.0.0.0')
    words = phui.pane_text(window)
    t.ok('Other computers on your networks can connect to it, unless a firewall stops them.'
         in words, 'and the words say the same, with the same caveat')

    # A port the kernel handed out from the ephemeral range.
    t.ok(EPH_FIRST <= eph.port <= EPH_LAST,
         f'the kernel gave port {eph.port}, in the ephemeral range {EPH_FIRST}–{EPH_LAST}')
    t.ok(select(window, f'Port {eph.port}, TCP on 127.0.0.1') is not None,
         f'the listener on ephemeral port {eph.port} is listed')
    t.ok(wait_description(window, 'Port line', port_sentence(eph.port),
                          'lies in this computer’s ephemeral range'),
         f'the port line says that {eph.port} lies in the ephemeral range')

    # Typed addresses are explained with both pictures too.
    phui.search(window, f'192.168.77.5:{lan_port}')
    t.ok(wait_description(window, 'Who can connect',
                          f'Who can connect to 192.168.77.5:{lan_port}: {LOCAL}',
                          'cannot connect directly'),
         'a typed LAN address: the reach picture shows the local network, not the internet')
    t.ok(wait_description(window, 'Port line', port_sentence(lan_port)),
         f'and the port line shows registered port {lan_port}')
    words = phui.pane_text(window)
    t.ok('Computers on the same local network can connect to it, unless a firewall stops '
         'them.' in words, 'and the words say the same')

    phui.search(window, '127.0.0.1:80')
    t.ok(wait_description(window, 'Port line', port_sentence(80)),
         'a typed well-known port: the port line says port 80 is well-known')

    phui.search(window, '8.8.8.8:8443')
    t.ok(wait_description(window, 'Who can connect', 'Who can connect to 8.8.8.8:8443:',
                          'anywhere on the internet'),
         'a typed public address: the reach picture reaches the internet')
    t.ok('anywhere on the internet may be able to connect' in phui.pane_text(window),
         'and the words say the same')

    phui.search(window, '62893')
    t.ok(wait_description(window, 'Who can connect',
                          'Who can connect to port 62893 on every address:'),
         'a bare port: the reach picture is about every address')
    t.ok(wait_description(window, 'Port line', port_sentence(62893)),
         'and the port line explains 62893')
    time.sleep(0.5)
    phui.screenshot('pictures-explain')
    scroll_pane(4)
    phui.screenshot('pictures-explain-port-line')
    phui.search(window, '')

    # 360 px wide: the content page, with both pictures on it.
    select(window, f'Port {registered}, TCP on 127.0.0.1')
    time.sleep(0.3)
    t.ok(resize(360, 640), 'xdotool finds the window to make it 360 px wide')
    phui.activate_row(phui.list_item(window, f'Port {registered}, TCP on 127.0.0.1', timeout=5))
    narrow = phui.wait_for(lambda: (lambda p: p if len(p) == 2 and all(map(showing, p.values()))
                                    else None)(pictures(window)), 8)
    scroll_pane(-30, narrow=True)
    phui.screenshot('pictures-narrow')
    ok = narrow is not None
    if ok:
        # (AT-SPI gives sizes here, but positions only relative to a parent.)
        exts = [n.queryComponent().getExtents(0) for n in narrow.values()]
        win = window.queryComponent().getExtents(0)
        ok = win.width <= 400 and all(200 < e.width <= win.width - 24 for e in exts)
        for e in exts:
            t.diag(f'picture {e.width}×{e.height}, window {win.width} wide')
    t.ok(ok, 'at 360 px wide both pictures fit inside the window, with its margins')
    scroll_pane(4, narrow=True)
    phui.screenshot('pictures-narrow-both')
    scroll_pane(2, narrow=True)
    phui.screenshot('pictures-narrow-port-line')
    t.ok(app.proc.poll() is None, 'the app is still running')
    app.quit()

    # --- Dark style. ------------------------------------------------------------------
    app = phui.App(env={'ADW_DEBUG_COLOR_SCHEME': 'prefer-dark'})
    apps.append(app)
    window = app.wait_for_window()
    t.ok(window is not None, 'the window appears in dark style')
    if window is not None:
        select(window, f'Port {wide_port}, TCP on 0.0.0.0')
        t.ok(wait_description(window, 'Who can connect', f'0.0.0.0:{wide_port}: {LOCAL}'),
             'dark style: the reach picture is there')
        time.sleep(0.5)
        phui.screenshot('pictures-dark')
        phui.search(window, f'127.0.0.1:{eph.port}')
        wait_description(window, 'Port line', port_sentence(eph.port))
        scroll_pane(4)
        phui.screenshot('pictures-dark-port-line')
    app.quit()

    # --- High contrast, right to left. --------------------------------------------------
    # GTK takes the direction from LC_CTYPE's language (no right-to-left locale is
    # generated here), so its own debug switch turns it round.
    app = phui.App(env={'ADW_DEBUG_HIGH_CONTRAST': '1', 'GTK_DEBUG': 'invert-text-dir'})
    apps.append(app)
    window = app.wait_for_window()
    t.ok(window is not None, 'the window appears in high contrast, right to left')
    if window is not None:
        t.ok(select_containing(window, f' {registered},') is not None,
             'the loopback listener is listed')
        t.ok(wait_description(window, 'Port line', str(registered)),
             'high contrast: the port line is there')
        time.sleep(0.5)
        phui.screenshot('pictures-hc-rtl')
        scroll_pane(7, rtl=True)
        phui.screenshot('pictures-hc-rtl-port-line')
    app.quit()

    # --- Large text: 16-point instead of 11 (GNOME's Large Text scales text alike; the
    # text DPI itself comes from XSETTINGS, which nothing serves here). -----------------
    config = os.path.join(os.environ['XDG_RUNTIME_DIR'], 'large-text')
    os.makedirs(os.path.join(config, 'gtk-4.0'), exist_ok=True)
    with open(os.path.join(config, 'gtk-4.0', 'settings.ini'), 'w') as f:
        f.write('[Settings]\ngtk-font-name=Sans 16\n')
    app = phui.App(env={'XDG_CONFIG_HOME': config})
    apps.append(app)
    window = app.wait_for_window()
    t.ok(window is not None, 'the window appears with large text')
    if window is not None:
        select(window, f'Port {registered}, TCP on 127.0.0.1')
        wait_description(window, 'Port line', port_sentence(registered))
        time.sleep(0.5)
        large = heights(window)
        t.diag(f'heights: normal {normal_heights}, large text {large}')
        t.ok(all(large.get(n, 0) >= 1.3 * normal_heights.get(n, 1e9)
                 for n in ('Port line', 'Who can connect')),
             'both pictures grow with the text size')
        phui.screenshot('pictures-large-text')
        scroll_pane(9)
        phui.screenshot('pictures-large-text-port-line')
    app.quit()

    for a in apps:
        crit = [line for line in a.output().splitlines() if 'CRITICAL' in line or
                'WARNING' in line]
        t.ok(not crit, 'the app printed no warnings')
        for line in crit:
            t.diag(line)
except Exception as e:  # a dead or hung app: say why, with what it printed
    t.ok(False, f'the test ran to its end ({type(e).__name__}: {e})')
    for a in apps:
        t.diag(f'app alive: {a.proc.poll() is None}')
        t.diag(a.output()[-4000:])
finally:
    for a in apps:
        a.quit()
    loop.stop()
    wide.stop()
    eph.stop()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.done())
