#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-install.py — what flatpak-builder made of the unmodified manifest, as installed:
# the permissions are exactly the manifest's finish-args, the helper is static (it runs
# against the host's C library), AppStream compose produced the catalogue entry and its
# icon, and the desktop entry and icon are exported for the host's launcher.
import configparser
import gzip
import json
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import phflatpak as pf  # noqa: E402
from phflatpak import phui, pt  # noqa: E402

pf.isolate()
t = pt.Tap()
src = os.environ.get('PORTHOLE_SRCDIR', os.getcwd())
with open(os.path.join(src, 'flatpak', pf.APP_ID + '.json')) as f:
    manifest = json.load(f)


def has_interp(path):
    """Does this ELF file name a program interpreter (PT_INTERP), i.e. is it dynamic?"""
    with open(path, 'rb') as f:
        head = f.read(64)
        if head[:4] != b'\x7fELF' or head[4] != 2:
            raise ValueError(f'{path} is not a 64-bit ELF file')
        phoff, = struct.unpack_from('<Q', head, 32)
        phentsize, phnum = struct.unpack_from('<HH', head, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, = struct.unpack('<I', f.read(4))
            if p_type == 3:
                return True
    return False


loc = subprocess.run(['flatpak', 'info', '--show-location', pf.APP_ID], capture_output=True,
                     text=True)
if not t.ok(loc.returncode == 0, f'{pf.APP_ID} is installed ({loc.stdout.strip()})'):
    t.diag(loc.stderr)
    sys.exit(t.done())
deploy = loc.stdout.strip()
files = os.path.join(deploy, 'files')

# Permissions: exactly the manifest's finish-args.
meta = configparser.ConfigParser(interpolation=None, delimiters=('=',))
meta.optionxform = str
meta.read(os.path.join(deploy, 'metadata'))
t.ok(meta.get('Application', 'runtime', fallback='') == 'org.gnome.Platform/x86_64/50' and
     meta.get('Application', 'command', fallback='') == manifest['command'],
     'it runs porthole on org.gnome.Platform//50')
context = {k: set(v.strip(';').split(';')) for k, v in meta.items('Context')} \
    if meta.has_section('Context') else {}
talk = dict(meta.items('Session Bus Policy')) if meta.has_section('Session Bus Policy') else {}
want = {'shared': set(), 'sockets': set(), 'devices': set(), 'filesystems': set()}
want_talk = {}
for arg in manifest['finish-args']:
    key, _, value = arg.lstrip('-').partition('=')
    if key == 'share':
        want['shared'].add(value)
    elif key == 'socket':
        want['sockets'].add(value)
    elif key == 'device':
        want['devices'].add(value)
    elif key == 'filesystem':
        want['filesystems'].add(value)
    elif key == 'talk-name':
        want_talk[value] = 'talk'
    else:
        t.ok(False, f'the check knows the finish-arg {arg}')
# flatpak records fallback-x11 as x11 plus fallback-x11.
got_sockets = context.get('sockets', set()) - ({'x11'} if 'fallback-x11' in
                                               want['sockets'] else set())
for key in ('shared', 'devices', 'filesystems'):
    got = context.get(key, set())
    t.ok(got == want[key],
         f'installed {key}: {sorted(got)} = the manifest\'s {sorted(want[key])}')
t.ok(got_sockets == want['sockets'],
     f'installed sockets: {sorted(got_sockets)} = the manifest\'s {sorted(want["sockets"])}')
t.ok(talk == want_talk, f'installed D-Bus names: {talk} = the manifest\'s {want_talk}')

# The helper runs on the host: static. The app itself is dynamic (the check can tell).
helper = os.path.join(files, 'libexec', 'porthole-helper')
t.ok(os.access(helper, os.X_OK) and not has_interp(helper),
     'libexec/porthole-helper is statically linked (no program interpreter)')
t.ok(has_interp(os.path.join(files, 'bin', 'porthole')), 'bin/porthole is dynamically linked')
p = subprocess.run(['flatpak', 'run', '--command=/app/libexec/porthole-helper', pf.APP_ID,
                    '--version'], capture_output=True, text=True, timeout=60)
t.ok(p.returncode == 0 and p.stdout.startswith('porthole-helper ') and 'protocol=' in p.stdout,
     f'the helper answers --version ({p.stdout.strip()})')

# AppStream compose: the catalogue entry and its cached icon.
xml_path = os.path.join(files, 'share', 'app-info', 'xmls', pf.APP_ID + '.xml.gz')
catalog = None
try:
    with gzip.open(xml_path) as f:
        catalog = ET.parse(f).getroot()
except (OSError, ET.ParseError) as e:
    t.diag(f'{xml_path}: {e}')
component = None
for c in (catalog.iter('component') if catalog is not None else []):
    if c.findtext('id') == pf.APP_ID:
        component = c
t.ok(component is not None, f'AppStream compose wrote the catalogue entry ({xml_path})')
t.ok(component is not None and component.findtext('name') == 'Porthole' and
     component.findtext('launchable') == pf.APP_ID + '.desktop',
     'the entry names Porthole and its desktop file')
cached = component.findall('icon[@type="cached"]') if component is not None else []
icons_dir = os.path.join(files, 'share', 'app-info', 'icons', 'flatpak')
found = [os.path.join(icons_dir, f'{i.get("width")}x{i.get("height")}', i.text)
         for i in cached if i.text]
t.ok(found and all(os.path.isfile(p) for p in found),
     f'the entry has cached icons, rendered from the SVG ({len(found)})')

# Exports for the host.
exports = os.path.join(deploy, 'export', 'share')
desktop = os.path.join(exports, 'applications', pf.APP_ID + '.desktop')
entry = open(desktop).read() if os.path.isfile(desktop) else ''
t.ok('flatpak run' in entry and pf.APP_ID in entry,
     'the desktop entry is exported, its Exec rewritten to flatpak run')
icon = os.path.join(exports, 'icons', 'hicolor', 'scalable', 'apps', pf.APP_ID + '.svg')
t.ok(os.path.isfile(icon), 'the app icon is exported')
sys.exit(t.done())
