#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-port-line.py — TAP: `porthole --explain` draws the port line in text when its
# output is a terminal (a pseudo-terminal here), and never into a pipe, whose output stays
# as it was.
import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import porthole_test as pt

porthole = pt.porthole()
env = dict(os.environ, LC_ALL='C.UTF-8')
env.pop('LANGUAGE', None)
env.pop('DISPLAY', None)
env.pop('WAYLAND_DISPLAY', None)

tap = pt.Tap()
ok = tap.ok


def at_terminal(args, columns=80):
    """Run porthole with stdout on a pseudo-terminal of that width; its output."""
    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack('HHHH', 24, columns, 0, 0))
    proc = subprocess.Popen([porthole] + args, stdout=side, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(side)
    chunks = []
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:  # EIO: the program closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    proc.wait(60)
    return b''.join(chunks).decode('utf-8').replace('\r\n', '\n')


def in_pipe(args):
    return subprocess.run([porthole] + args, capture_output=True, text=True, env=env,
                          timeout=60).stdout


with open('/proc/sys/net/ipv4/ip_local_port_range') as f:
    eph_first, eph_last = (int(w) for w in f.read().split())

out = at_terminal(['--explain', '127.0.0.1:62893'])
bars = [line for line in out.splitlines() if line.startswith('  0 ') and
        line.endswith(' 65535')]
ok(len(bars) == 1, 'at a terminal, the Port section ends with the port line', out)
bar = bars[0] if bars else ''
ok(len(bar) == 80, f'the line fills the 80 columns (got {len(bar)})', bar)
ok(all(32 <= ord(c) < 127 for c in bar), 'the line is plain ASCII', bar)
cells = bar[4:-6]
ok(cells.count('^') == 1 and cells.index('^') > cells.rfind('-'),
   'one marker, among the dynamic ports', bar)
ok(cells.startswith(':') and '-' in cells and '=' in cells,
   'well-known, registered and dynamic ports are drawn in order', bar)
ok(f'ephemeral range, {eph_first}–{eph_last}' in ' '.join(out.split()) and
   '^\u00a0Port 62893' in out, 'a key says what the characters mean', out)
ok(out.index(bar) < out.index('\nStatus\n') if bar and '\nStatus\n' in out else False,
   'the line is in the Port section, before Status', out)

narrow = at_terminal(['--explain', '22'], columns=40)
nbars = [line for line in narrow.splitlines() if line.startswith('  0 ')]
ok(len(nbars) == 1 and len(nbars[0]) == 40 and nbars[0][4] == '^',
   'a narrow terminal gets a narrower line; port 22 sits at its start', narrow)

piped = in_pipe(['--explain', '127.0.0.1:62893'])
ok('Port 62893' not in piped.split('IANA registration')[-1] and
   not any(line.startswith('  0 ') for line in piped.splitlines()),
   'into a pipe, no port line and no key', piped)
# The rest is the same text, only wrapped for the terminal: drop the line and its key (up
# to the blank line before Status) and compare word by word.
lines = out.splitlines()
if bar in lines:
    i = lines.index(bar)
    j = i
    while j < len(lines) and lines[j].strip():
        j += 1
    lines = lines[:i - 1] + lines[j:]  # with the blank line before the bar
ok(' '.join(piped.split()) == ' '.join('\n'.join(lines).split()),
   'apart from the line and its key, the terminal gets the same words as the pipe',
   f'pipe:\n{piped}\nterminal:\n{out}')
sys.exit(tap.done())
