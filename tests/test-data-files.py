#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-data-files.py — TAP: the desktop entry, AppStream metadata, schema and icons agree with
# each other and with meson.build, and meson installs each where the desktop looks for it.
import configparser
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import porthole_test as pt

srcdir = pt.SRCDIR
builddir = pt.builddir()
SCREENSHOT_PREFIX = 'https://raw.githubusercontent.com/porthole/porthole/main/'

tap = pt.Tap()
check = tap.ok

meson_build = open(os.path.join(srcdir, 'meson.build'), encoding='utf-8').read()
app_id = re.search(r"^app_id\s*=\s*'([^']+)'", meson_build, re.M).group(1)
version = re.search(r"^\s*version:\s*'([^']+)'", meson_build, re.M).group(1)
project = re.search(r"^project\('([^']+)'", meson_build, re.M).group(1)

desktop_path = os.path.join(builddir, 'data', app_id + '.desktop')
metainfo_path = os.path.join(builddir, 'data', app_id + '.metainfo.xml')
schema_path = os.path.join(srcdir, 'data', app_id + '.gschema.xml')

desktop = configparser.RawConfigParser(interpolation=None, strict=False)
desktop.optionxform = str
desktop.read(desktop_path, encoding='utf-8')
entry = desktop['Desktop Entry'] if desktop.has_section('Desktop Entry') else {}
meta = ET.parse(metainfo_path).getroot()
schema = ET.parse(schema_path).getroot()

tap.plan(20)

check(meta.findtext('id') == app_id, 'metainfo <id> is the app id', meta.findtext('id'))
launchable = meta.find("launchable[@type='desktop-id']")
check(launchable is not None and launchable.text == app_id + '.desktop',
      'metainfo launches the installed desktop file',
      launchable.text if launchable is not None else None)
check(entry.get('Icon') == app_id, 'the desktop entry uses the app icon', entry.get('Icon'))
check(entry.get('Exec', '').split()[:1] == [project] and
      meta.findtext('provides/binary') == project,
      f'the desktop entry and metainfo run the {project} binary',
      (entry.get('Exec'), meta.findtext('provides/binary')))

releases = meta.findall('releases/release')
check(bool(releases) and releases[0].get('version') == version,
      f'the newest release in metainfo is the project version {version}',
      [r.get('version') for r in releases])
check(all(re.fullmatch(r'\d{4}-\d{2}-\d{2}', r.get('date') or '') for r in releases),
      'every release has a date', [r.get('date') for r in releases])

domain = meta.findtext("translation[@type='gettext']")
check(domain == project and schema.get('gettext-domain') == project,
      f'metainfo and the schema name the gettext domain {project}',
      (domain, schema.get('gettext-domain')))
ids = [s.get('id') for s in schema.findall('schema')]
paths = [s.get('path') for s in schema.findall('schema')]
check(ids == [app_id] and paths == ['/' + app_id.replace('.', '/') + '/'],
      'the schema id and path follow the app id', (ids, paths))

colours = {c.get('scheme_preference'): c.get('type') for c in meta.findall('branding/color')}
check(colours == {'light': 'primary', 'dark': 'primary'},
      'metainfo has a light and a dark brand colour', colours)

# Software centres fetch screenshots from the repository, so each URL must name a file in it.
images = [i.text.strip() for i in meta.findall('screenshots/screenshot/image')]
check(bool(images) and all(u.startswith(SCREENSHOT_PREFIX + 'data/screenshots/') for u in images),
      'screenshot URLs point at data/screenshots in the repository', images)
missing = [u for u in images
           if not os.path.isfile(os.path.join(srcdir, u[len(SCREENSHOT_PREFIX):]))]
check(not missing, 'every screenshot named in metainfo is in the repository', missing,
      todo='the screenshots are not in data/screenshots yet')

# Where meson installs each file, relative to the prefix.
installed = json.load(open(os.path.join(builddir, 'meson-info', 'intro-installed.json')))
options = {o['name']: o['value'] for o in json.load(open(os.path.join(
    builddir, 'meson-info', 'intro-buildoptions.json')))}
prefix, datadir = options['prefix'], options['datadir']
share = os.path.join(prefix, datadir)
want = {
    os.path.join(share, 'applications', app_id + '.desktop'),
    os.path.join(share, 'metainfo', app_id + '.metainfo.xml'),
    os.path.join(share, 'glib-2.0', 'schemas', app_id + '.gschema.xml'),
}
check(want <= set(installed.values()),
      'desktop entry, metainfo and schema install to applications, metainfo and schemas',
      sorted(want - set(installed.values())))
icons = {
    os.path.join(share, 'icons', 'hicolor', 'scalable', 'apps', app_id + '.svg'),
    os.path.join(share, 'icons', 'hicolor', 'symbolic', 'apps', app_id + '-symbolic.svg'),
}
check(icons <= set(installed.values()), 'both icons install into the hicolor theme',
      sorted(icons - set(installed.values())))
check(os.path.join(share, project, 'iana-ports.tsv') in installed.values(),
      'the port registry installs into the package data folder')

# D-Bus activation and the Shell search provider. A Flatpak exports only files named after
# the app id, so both must be.
check(entry.get('DBusActivatable') == 'true', 'the desktop entry is D-Bus activatable',
      entry.get('DBusActivatable'))
service_path = os.path.join(share, 'dbus-1', 'services', app_id + '.service')
provider_path = os.path.join(share, 'gnome-shell', 'search-providers',
                             app_id + '.search-provider.ini')
check({service_path, provider_path} <= set(installed.values()),
      'the D-Bus service file and the search provider install, named after the app id',
      sorted({service_path, provider_path} - set(installed.values())))
service = configparser.RawConfigParser(interpolation=None, strict=False)
service.optionxform = str
service.read(os.path.join(builddir, 'data', app_id + '.service'), encoding='utf-8')
section = service['D-BUS Service'] if service.has_section('D-BUS Service') else {}
check(section.get('Name') == app_id, 'the D-Bus service is named after the app id',
      section.get('Name'))
check(section.get('Exec', '').split() ==
      [os.path.join(prefix, options['bindir'], project), '--gapplication-service'],
      'the D-Bus service runs the installed binary as a GApplication service',
      section.get('Exec'))
provider = configparser.RawConfigParser(interpolation=None, strict=False)
provider.optionxform = str
provider.read(os.path.join(srcdir, 'data', app_id + '.search-provider.ini'), encoding='utf-8')
shell = provider['Shell Search Provider'] if provider.has_section('Shell Search Provider') else {}
check(shell.get('DesktopId') == app_id + '.desktop' and shell.get('BusName') == app_id,
      'the search provider names the desktop entry and the bus name', dict(shell))
check(shell.get('ObjectPath') == '/' + app_id.replace('.', '/') + '/SearchProvider'
      and shell.get('Version') == '2',
      'the search provider is SearchProvider2 under the application object', dict(shell))
sys.exit(tap.done())
