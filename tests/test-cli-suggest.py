#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-suggest.py — TAP: `porthole --suggest [NEAR]` prints the nearest port that is free
# (checked here by binding it) and not in data/ports-common.ini; a port a real listener
# holds and a commonly used port are skipped; a bad NEAR is a usage error.
import configparser
import os
import socket
import subprocess

import porthole_test

porthole = porthole_test.porthole()
srcdir = os.environ['G_TEST_SRCDIR'] + '/..'
tap = porthole_test.Tap()
check = tap.ok


common = configparser.RawConfigParser(interpolation=None, strict=False)
common.read(os.path.join(srcdir, 'data', 'ports-common.ini'), encoding='utf-8')
common_ports = {int(p) for p in common.sections()}


def suggest(*args):
    return subprocess.run([porthole, '--suggest', *args], capture_output=True, text=True,
                          timeout=30)


# A port this test holds (on every address): the suggestion is another, close by.
held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
held.bind(('0.0.0.0', 0))
held.listen()
port = held.getsockname()[1]
r = suggest(str(port))
check(r.returncode == 0, f'--suggest {port} exits 0', r)
try:
    got = int(r.stdout.split()[0])
except (ValueError, IndexError):
    got = None
check(got is not None and got != port, 'a held port is not suggested', r.stdout)
check(got is not None and abs(got - port) <= 20, 'the suggestion is near', (got, port))
check(got is not None and got not in common_ports, 'the suggestion is not a common port', got)
check(got is not None and porthole_test.bindable(got), 'the suggested port can be bound', got)
held.close()

# 3000 is in ports-common.ini (web dev servers): never suggested, free or not.
check(3000 in common_ports, 'the data file lists 3000')
r = suggest('3000')
got = int(r.stdout.split()[0]) if r.returncode == 0 and r.stdout.split() else None
check(got is not None and got != 3000 and got not in common_ports,
      '--suggest 3000 suggests a port that is not commonly used', r)

r = suggest()
check(r.returncode == 0 and r.stdout.strip().isdigit(), '--suggest alone prints a port', r)

for bad in ('abc', '0', '70000'):
    r = suggest(bad)
    check(r.returncode == 2 and r.stdout == '', f'--suggest {bad}: usage error, exit 2', r)
r = suggest('1', '2')
check(r.returncode == 2, '--suggest with two ports: usage error, exit 2', r)

raise SystemExit(tap.done())
