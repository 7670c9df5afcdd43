#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-data-icons.py — TAP: every icon under data/icons is well-formed SVG of the size its
# folder promises, self-contained, and (symbolic icons) drawn in the one recolourable grey.
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import porthole_test as pt

SVG = '{http://www.w3.org/2000/svg}'
SYMBOLIC_COLOUR = '#2e3436'
SIZES = {'scalable': 128, 'symbolic': 16}

srcdir = pt.SRCDIR
icondir = os.path.join(srcdir, 'data', 'icons', 'hicolor')
app_id = 'io.github.porthole.Porthole'

tap = pt.Tap()
check = tap.ok

def length(value):
    m = re.fullmatch(r'\s*([0-9.]+)\s*(px)?\s*', value or '')
    return float(m.group(1)) if m else None


def colours(root):
    """Every colour the drawing paints with, from attributes and inline styles."""
    found = set()
    for el in root.iter():
        values = [el.get(a) for a in ('fill', 'stroke', 'stop-color', 'color')]
        for decl in (el.get('style') or '').split(';'):
            if ':' in decl:
                k, v = decl.split(':', 1)
                if k.strip() in ('fill', 'stroke', 'stop-color', 'color'):
                    values.append(v)
        for v in values:
            if v is not None and v.strip().lower() not in ('none', 'currentcolor', ''):
                found.add(v.strip().lower())
    return found


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n':
        return None
    return struct.unpack('>II', head[16:24])


icons = []
for size_dir in sorted(os.listdir(icondir)):
    appsdir = os.path.join(icondir, size_dir, 'apps')
    for name in sorted(os.listdir(appsdir)):
        icons.append((size_dir, name, os.path.join(appsdir, name)))

rsvg = shutil.which('rsvg-convert')
tap.plan(2 + len(icons) * (6 if rsvg else 5))

names = {(d, name) for d, name, _ in icons}
check(('scalable', app_id + '.svg') in names, 'the full-colour app icon exists', names)
check(('symbolic', app_id + '-symbolic.svg') in names, 'the symbolic app icon exists', names)

for size_dir, name, path in icons:
    label = f'{size_dir}/{name}'
    want = SIZES.get(size_dir)
    try:
        root = ET.parse(path).getroot()
        error = None
    except ET.ParseError as e:
        root, error = None, e
    check(root is not None and root.tag == SVG + 'svg', f'{label} is well-formed SVG', error)
    if root is None:
        for what in ('size', 'viewBox', 'self-contained', 'colours', 'renders')[: 5 if rsvg else 4]:
            check(False, f'{label}: {what} (not parsed)')
        continue

    width, height = length(root.get('width')), length(root.get('height'))
    check(want is not None and width == want and height == want,
          f'{label} is {want}x{want}', f"width={root.get('width')} height={root.get('height')}")
    viewbox = [float(x) for x in re.split(r'[\s,]+', (root.get('viewBox') or '').strip()) if x]
    check(viewbox == [0, 0, want, want], f'{label} has viewBox 0 0 {want} {want}',
          root.get('viewBox'))

    # A theme or software centre shows the file alone: no fonts, no bitmaps, no outside links.
    external = [el.get(a) for el in root.iter()
                for a in ('href', '{http://www.w3.org/1999/xlink}href')
                if el.get(a) is not None and not el.get(a).startswith('#')]
    foreign = [el.tag for el in root.iter() if el.tag in (SVG + 'text', SVG + 'image')]
    check(not external and not foreign, f'{label} is self-contained (no text, images or links)',
          f'links={external} elements={foreign}')

    used = colours(root)
    if size_dir == 'symbolic':
        check(used == {SYMBOLIC_COLOUR}, f'{label} paints only in {SYMBOLIC_COLOUR}', used)
    else:
        check(len(used) >= 3, f'{label} is in colour', used)

    if rsvg:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, 'icon.png')
            proc = subprocess.run([rsvg, '-o', out, path], capture_output=True, text=True)
            size = png_size(out) if proc.returncode == 0 else None
            check(size == (want, want), f'{label} renders at {want}x{want} with rsvg-convert',
                  proc.stderr or size)

sys.exit(tap.done())
