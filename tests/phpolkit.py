# SPDX-License-Identifier: GPL-3.0-or-later
# phpolkit.py — what the Unlock tests (test-unlock-polkit*.py) share: private copies of /etc
# and the polkit actions, test users, Porthole's action installed for the helper under test,
# ph-unlock-client's lines, and pkexec's textual agent answered on a terminal.
import os
import re
import select
import subprocess
import time

ACTION = 'io.github.porthole.Porthole.helper'
PASSWORD = 'Right-Pw-42'


def sh(*args, **kw):
    return subprocess.run(list(args), check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=60, **kw).stdout.decode()


def private_copy(path, tmp):
    """Binds a copy of @path (in @tmp) over it: changes stay in this mount namespace."""
    copy = os.path.join(tmp, os.path.basename(path))
    sh('cp', '-a', path, copy)
    sh('mount', '--bind', copy, path)


def add_users(users, admins=(), password=PASSWORD):
    """Adds @users ({name: uid}) to /etc (a private copy); @admins are in group sudo and
    have @password."""
    for name, uid in users.items():
        extra = ['-G', 'sudo'] if name in admins else []
        sh('useradd', '--no-create-home', '--uid', str(uid), '--user-group',
           '--shell', '/bin/sh', *extra, name)
    for name in admins:
        sh('chpasswd', input=('%s:%s\n' % (name, password)).encode())


def install_action(policy, helper):
    """Installs the action as the build made it, with exec.path naming @helper; returns
    the path the build wrote there."""
    text = open(policy).read()
    installed = re.search(r'org\.freedesktop\.policykit\.exec\.path">([^<]*)<', text).group(1)
    text = text.replace('>%s<' % installed, '>%s<' % helper)
    with open('/usr/share/polkit-1/actions/%s.policy' % ACTION.rsplit('.', 1)[0], 'w') as f:
        f.write(text)
    return installed


def parse_client(out):
    """The client's lines → (list of phases: {'elevated': b, 'services': {port: dict}}, dict
    of the last UNLOCK, STOP, TIMEOUT; 'STOPS' lists every STOP). On a terminal the agent's
    colours and prompts share its lines: they are cut off."""
    phases, extra = [], {'STOPS': []}
    out = re.sub(r'\x1b\[[0-9;]*m', '', out)
    out = re.sub(r'(?m)^.*?(?=(ELEVATED|SERVICE|UNLOCK|STOP|TIMEOUT) )', '', out)
    for line in out.splitlines():
        w = line.split(' ', 1)
        if w[0] == 'ELEVATED':
            phases.append({'elevated': w[1] == '1', 'services': {}})
        elif w[0] == 'SERVICE' and phases:
            kv = dict(x.split('=', 1) for x in w[1].split())
            phases[-1]['services'][int(kv['port'])] = kv
        elif w[0] in ('UNLOCK', 'STOP', 'TIMEOUT'):
            extra[w[0]] = w[1] if len(w) > 1 else ''
            if w[0] == 'STOP':
                extra['STOPS'].append(extra['STOP'])
    return phases, extra


def answer_prompts(fd, write, answers, timeout=90, done=lambda: False):
    """Reads a terminal's output from @fd; each "Password:" of pkexec's textual agent gets
    the next of @answers through @write (None: end of input, which dismisses it).
    Returns (prompts seen, output) at end of output, or when done() says so."""
    buf, prompts = b'', 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 1)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:   # EIO: the terminal's last program has ended
                chunk = b''
            if not chunk:
                break
            buf += chunk
            if buf.count(b'Password:') > prompts:
                answer = answers[prompts] if prompts < len(answers) else None
                prompts += 1
                # The agent turns echo off (and may flush input) after writing its prompt.
                time.sleep(0.3)
                write(b'\x04' if answer is None else answer.encode() + b'\n')
        elif done():
            break
    return prompts, buf.decode('utf-8', 'replace').replace('\r', '')
