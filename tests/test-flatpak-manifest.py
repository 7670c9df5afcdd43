#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-flatpak-manifest.py — TAP: the Flatpak manifest names this project's app id, command,
# runtime and permissions, sets only meson options that exist, and points at files that exist.
# flatpak-builder and the runtimes are out of reach offline; this is what can be checked here.
import json
import os
import re
import sys

import porthole_test as pt

srcdir = pt.SRCDIR
manifest_path = os.path.join(srcdir, 'flatpak', 'io.github.porthole.Porthole.json')
manifest_dir = os.path.dirname(manifest_path)

REQUIRED_ARGS = [
    '--share=network',            # the host's sockets and the probe
    '--talk-name=org.freedesktop.Flatpak',  # flatpak-spawn --host for the helper
    '--socket=wayland',
    '--socket=fallback-x11',
    '--share=ipc',
    '--device=dri',
]
# Broad permissions the app has no use for; a store review would rightly question them.
FORBIDDEN_ARGS = ['--filesystem=host', '--filesystem=home', '--device=all',
                  '--socket=system-bus', '--socket=session-bus', '--socket=x11']

tap = pt.Tap()
check = tap.ok

meson_build = open(os.path.join(srcdir, 'meson.build'), encoding='utf-8').read()
app_id = re.search(r"^app_id\s*=\s*'([^']+)'", meson_build, re.M).group(1)
src_meson = open(os.path.join(srcdir, 'src', 'meson.build'), encoding='utf-8').read()
executables = re.findall(r"executable\('([^']+)'", src_meson)
meson_options = open(os.path.join(srcdir, 'meson.options'), encoding='utf-8').read()
option_names = set(re.findall(r"^option\('([^']+)'", meson_options, re.M))

tap.plan(13)

try:
    manifest = json.load(open(manifest_path, encoding='utf-8'))
    error = None
except (OSError, ValueError) as e:
    manifest, error = {}, e
check(error is None, 'the manifest is valid JSON', error)

check(os.path.basename(manifest_path) == app_id + '.json', 'the manifest is named after the app id')
ids = {manifest.get(k) for k in ('id', 'app-id') if k in manifest}
check(ids == {app_id}, f'the manifest builds {app_id}', ids)
check(manifest.get('command') == 'porthole' and 'porthole' in executables,
      'the command is porthole, an executable the project builds',
      (manifest.get('command'), executables))
check(manifest.get('runtime') == 'org.gnome.Platform' and manifest.get('sdk') == 'org.gnome.Sdk',
      'the runtime is org.gnome.Platform with org.gnome.Sdk',
      (manifest.get('runtime'), manifest.get('sdk')))
check(manifest.get('runtime-version') == '50', 'the runtime version is "50" (a string)',
      repr(manifest.get('runtime-version')))

args = manifest.get('finish-args', [])
missing = [a for a in REQUIRED_ARGS if a not in args]
check(not missing, 'finish-args grant what the app needs', missing)
broad = [a for a in args if a in FORBIDDEN_ARGS]
check(not broad and len(args) == len(set(args)), 'finish-args grant nothing broad or twice', broad)

modules = manifest.get('modules', [])
ours = [m for m in modules if isinstance(m, dict) and m.get('name') == 'porthole']
check(len(ours) == 1 and ours[-1] is modules[-1] and ours[0].get('buildsystem') == 'meson',
      'the last module is porthole, built with meson', [m.get('name') for m in modules
                                                         if isinstance(m, dict)])
opts = ours[0].get('config-opts', []) if ours else []
check({'-Dstatic_helper=true', '-Dtests=false', '-Dui_tests=false'} <= set(opts),
      'porthole is built with a static helper and without tests', opts)
unknown = [o for o in opts if o.startswith('-D') and o[2:].split('=')[0] not in option_names
           and o[2:].split('=')[0] not in ('buildtype', 'prefix', 'libdir')]
check(not unknown, 'every -D option the manifest sets exists in meson.options', unknown)
dir_sources = [s for s in (ours[0].get('sources', []) if ours else [])
               if s.get('type') == 'dir']
check(any(os.path.realpath(os.path.join(manifest_dir, s.get('path', ''))) ==
          os.path.realpath(srcdir) for s in dir_sources),
      'porthole is built from this checkout (a dir source)', dir_sources)


# Every local file or folder any module references: sources, patches, included modules.
def local_paths(mods, base):
    for m in mods:
        if isinstance(m, str):  # a module in its own file
            yield m, os.path.join(base, m)
            continue
        for s in m.get('sources', []):
            if isinstance(s, str):
                yield s, os.path.join(base, s)
                continue
            for key in ('path', 'paths'):
                values = s.get(key)
                for v in ([values] if isinstance(values, str) else values or []):
                    yield v, os.path.join(base, v)
        yield from local_paths(m.get('modules', []), base)


absent = [ref for ref, path in local_paths(modules, manifest_dir) if not os.path.exists(path)]
check(not absent, 'every local path the manifest references exists', absent)
sys.exit(tap.done())
