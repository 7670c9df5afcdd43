#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-desktop-app-name.py — host desktop apps, and other Flatpaks, keep their names and
# icons inside the Flatpak. Three "apps" hold ports, each launched the way a desktop
# launches them: in a cgroup named app-gnome-<app id>-<n>.scope (app-flatpak-... for a
# Flatpak), with its desktop entry on the host — one installed system-wide
# (/usr/share/applications), one by the user (~/.local/share/applications), one exported by
# the user's Flatpak installation. The sandbox sees none of these entries by default (its
# /usr is the runtime's); on the host all resolve. The Flatpak must show their names and
# icons.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

pf.isolate()
pf.listener_path()
t = pt.Tap()

base = os.environ.get('PORTHOLE_FLATPAK_CGROUP')
if not base:
    print('Bail out! PORTHOLE_FLATPAK_CGROUP is not set (build-aux/flatpak sets it)')
    sys.exit(1)
slice_dir = os.path.join(base, 'user.slice', 'user-0.slice', 'user@0.service', 'app.slice')

FLATPAK_EXPORTS = os.path.expanduser('~/.local/share/flatpak/exports/share')
APPS = [
    # (app id, launcher, name, icon, folder of its desktop entry, the group's kind)
    ('org.porthole.TestEditor', 'gnome', 'Porthole Test Editor', 'ph-test-editor-icon',
     '/usr/share/applications', 'desktop-app'),
    ('org.porthole.TestNotes', 'gnome', 'Porthole Test Notes', 'ph-test-notes-icon',
     os.path.expanduser('~/.local/share/applications'), 'desktop-app'),
    ('org.porthole.TestOther', 'flatpak', 'Porthole Test Other Flatpak',
     'org.porthole.TestOther.Alt',
     os.path.join(FLATPAK_EXPORTS, 'applications'), 'flatpak'),
]
# As a desktop session has it (flatpak's environment generator): Flatpaks' exports too.
os.environ['XDG_DATA_DIRS'] = FLATPAK_EXPORTS + ':/usr/local/share:/usr/share'

made_files, made_cgroups, listeners = [], [], []
try:
    for n, (app_id, launcher, name, icon, folder, _) in enumerate(APPS):
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, app_id + '.desktop')
        with open(path, 'w') as f:
            f.write(f'[Desktop Entry]\nType=Application\nName={name}\nIcon={icon}\n'
                    f'Exec=/bin/true\n')
        made_files.append(path)
        unit = f'app-{launcher}-{app_id}-{4242 + n}.scope'
        scope = os.path.join(slice_dir, unit)
        os.makedirs(scope, exist_ok=True)
        made_cgroups.append(scope)
        listener = pt.Listener('tcp:127.0.0.1:0')
        listeners.append(listener)
        with open(os.path.join(scope, 'cgroup.procs'), 'w') as f:
            f.write(str(listener.pid))
        with open(f'/proc/{listener.pid}/cgroup') as f:
            cg = f.read()
        t.ok(f'/{unit}\n' in cg, f'{name}: its process runs in {unit}')

    # On the host the entries resolve (what a host build of Porthole would use).
    import gi
    gi.require_version('Gio', '2.0')
    from gi.repository import Gio
    for app_id, _, name, icon, _, _ in APPS:
        info = Gio.DesktopAppInfo.new(app_id + '.desktop')
        t.ok(info is not None and info.get_name() == name,
             f'{name}: on the host, {app_id}.desktop resolves')

    rc, doc, out, err = pf.run_cli_json(['--list', '--json'], t.diag)
    groups = {g.get('key'): g for g in doc.get('groups', [])}
    services = {s.get('port'): s for s in doc.get('services', []) if s.get('protocol') == 'tcp'}
    for (app_id, _, name, icon, _, kind), listener in zip(APPS, listeners):
        s = services.get(listener.port)
        g = groups.get(s.get('group')) if s else None
        t.diag(f'{app_id}: group {g}')
        t.ok(g is not None and g.get('kind') == kind,
             f'{name}: --list --json groups its port as a {kind} ({g and g.get("kind")})')
        t.ok(g is not None and g.get('name') == name,
             f'{name}: --list --json shows the app\'s name "{name}" ({g and g.get("name")})')
        t.ok(g is not None and g.get('icon') == icon,
             f'{name}: --list --json shows the app\'s icon "{icon}" ({g and g.get("icon")})')

    app = pf.App()
    try:
        window = app.wait_for_window()
        if t.ok(window is not None, 'the window appears'):
            phui.list_item(window, f'Port {listeners[0].port}, TCP', timeout=30)
            headers = phui.section_headers(window)
            t.diag(f'sections: {headers}')
            for app_id, _, name, _, _, _ in APPS:
                t.ok(any(h.startswith(name) for h in headers),
                     f'{name}: the window has a section named "{name}"')
            pf.screenshot('flatpak-desktop-apps')
        else:
            t.diag(app.output())
    finally:
        app.quit()
finally:
    for listener in listeners:
        listener.stop()
    for path in made_files:
        os.unlink(path)
    for scope in reversed(made_cgroups):
        d = scope
        while d != base and d.startswith(base):
            try:
                os.rmdir(d)
            except OSError:
                break
            d = os.path.dirname(d)
sys.exit(t.done())
