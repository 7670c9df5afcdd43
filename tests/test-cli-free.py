#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-free.py — TAP: `porthole free PORT|ADDRESS:PORT` against real processes: a plain
# listener, a forked server, one that ignores SIGTERM (--force), nothing listening,
# --dry-run, --json, usage errors, no terminal without --yes, and y/n at a real terminal.
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time

import porthole_test as pt

porthole = pt.porthole()
tap = pt.Tap()
check = tap.ok
started = []


def start_listener(*specs, **options):
    """A ph-test-listener: its process, its first socket's port, its children."""
    lis = pt.Listener(*specs, **options)
    started.append(lis)
    return lis.proc, lis.port, lis.children


def run(*args):
    return subprocess.run([porthole, 'free', *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)


def gone(proc, timeout=5):
    try:
        proc.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        return False


try:
    # --- a plain listener: --dry-run changes nothing, no terminal refuses, --yes frees --
    plain, port, _ = start_listener('tcp:127.0.0.1:0')
    r = run(str(port), '--dry-run')
    check(r.returncode == 0, '--dry-run exits 0 when it would stop the holder', r.stderr)
    check('ph-test-listener' in r.stdout and f'process {plain.pid}' in r.stdout,
          '--dry-run names the holder and its process', r.stdout)
    check('Nothing was stopped' in r.stdout, '--dry-run says nothing was stopped', r.stdout)
    check(plain.poll() is None, '--dry-run leaves the listener running')

    r = run(str(port))
    check(r.returncode == 3, 'without a terminal and without --yes: exit 3', r)
    check('--yes' in r.stderr, 'the refusal says to add --yes', r.stderr)
    check(plain.poll() is None, 'the refusal stops nothing')

    r = run(f'127.0.0.1:{port}', '--yes')
    check(r.returncode == 0, 'ADDRESS:PORT --yes frees the port: exit 0', r)
    check(gone(plain), 'the listener has quit')
    check('is free now' in r.stdout, 'it says the port is free', r.stdout)

    # --- nothing listening ------------------------------------------------------------
    r = run(str(port), '--yes')
    check(r.returncode == 4, 'nothing listening: exit 4', r)
    check('nothing is listening' in r.stdout, 'it says nothing is listening', r.stdout)
    r = run(str(port), '--json')
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        doc = {}
        check(False, '--json parses when nothing listens', e)
    check(r.returncode == 4 and doc.get('outcome') == 'nothing-listening'
          and doc.get('exit_status') == 4 and doc.get('holders') == [],
          '--json: nothing-listening, exit_status 4, no holders', r.stdout)

    # --- a forked server: parent and child hold the socket; both go ----------------------
    forked, port, children = start_listener('tcp:127.0.0.1:0', fork=1)
    check(len(children) == 1, 'the forked server has a child')
    r = run(str(port), '--yes', '--json')
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        doc = {}
        check(False, '--json parses', e)
    check(r.returncode == 0 and doc.get('outcome') == 'freed', 'forked server: freed, exit 0',
          r)
    holders = doc.get('holders') or [{}]
    check(sorted(holders[0].get('pids', [])) == sorted([forked.pid] + children),
          '--json names parent and child as holders', r.stdout)
    check(holders[0].get('lever') == 'signal' and holders[0].get('explanation') is None,
          '--json: the lever is a signal, with no explanation', r.stdout)
    check(doc.get('version') == 1 and doc.get('port') == port and doc.get('protocol') == 'tcp'
          and doc.get('address') is None and doc.get('still_held_by') == []
          and doc.get('signal') == 'TERM', '--json: version, port, protocol, address, signal',
          r.stdout)
    check(gone(forked), 'the parent has quit')
    check(not any(pt.proc_alive(c) for c in children), 'the child has quit')
    check('is free now' in r.stderr, 'with --json the words go to stderr', r.stderr)

    # --- one that ignores SIGTERM: still held (1) without --force, freed with it ----------
    stubborn, port, _ = start_listener('tcp:127.0.0.1:0', ignore_term=True)
    r = run(str(port), '--yes')
    check(r.returncode == 1, 'a TERM-ignoring holder without --force: exit 1', r)
    check('still held by' in r.stdout and f'process {stubborn.pid}' in r.stdout,
          'it says who still holds the port', r.stdout)
    check('--force' in r.stdout, 'it offers --force', r.stdout)
    check(stubborn.poll() is None, 'without --force nothing is killed')
    r = run(str(port), '--yes', '--force', '--json')
    try:
        doc = json.loads(r.stdout)
    except ValueError as e:
        doc = {}
        check(False, '--force --json parses', e)
    check(r.returncode == 0 and doc.get('outcome') == 'freed' and doc.get('signal') == 'KILL',
          'with --force: freed by SIGKILL, exit 0', r)
    check(gone(stubborn), 'the TERM-ignoring listener is gone')

    # --- another user's program: refused (3), with the reason and what to do instead -----
    setpriv = shutil.which('setpriv')
    if os.geteuid() != 0 or setpriv is None:
        tap.skip('another user\'s program', 'needs root and setpriv')
    else:
        theirs, port, _ = start_listener('tcp:127.0.0.1:0')
        r = subprocess.run([setpriv, '--reuid', '65534', '--regid', '65534', '--clear-groups',
                            porthole, 'free', str(port), '--yes', '--json'],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        try:
            doc = json.loads(r.stdout)
        except ValueError as e:
            doc = {}
            check(False, 'another user\'s program: --json parses', (e, r))
        holder = (doc.get('holders') or [{}])[0]
        check(r.returncode == 3 and doc.get('outcome') == 'refused',
              'another user\'s program: refused, exit 3', r)
        check(holder.get('lever') == 'other-user' and
              'Porthole can only stop your own programs' in (holder.get('explanation') or ''),
              'the refusal names the lever and explains it', r.stdout)
        check('Porthole can only stop your own programs' in r.stderr
              and 'Porthole stopped nothing' in r.stderr, 'the words say why', r.stderr)
        check(theirs.poll() is None, 'the other user\'s program still runs')

    # --- usage --------------------------------------------------------------------------
    for args, what in ((('abc',), 'a word'), ((), 'no port'), (('1', '2'), 'two ports'),
                       (('127.0.0.1',), 'an address without a port'),
                       (('--bogus', '1'), 'an unknown option')):
        r = run(*args)
        check(r.returncode == 2, f'usage error ({what}): exit 2', r)

    r = subprocess.run([porthole, '--help'], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and 'porthole free' in r.stdout and '4  nothing was listening'
          in r.stdout, 'porthole --help documents free and its exit codes', r.stdout)

    # --- at a terminal: it asks; "n" stops nothing, "y" frees -----------------------------
    def at_terminal(port, answer):
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(porthole, [porthole, 'free', str(port)])
        out = b''
        asked = False
        deadline = time.time() + 30
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            if not asked and b'[y/N]' in out:
                asked = True
                os.write(fd, answer + b'\n')
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return asked, os.waitstatus_to_exitcode(status), out.decode(errors='replace')

    tty_listener, port, _ = start_listener('tcp:127.0.0.1:0')
    asked, code, out = at_terminal(port, b'n')
    check(asked, 'at a terminal it asks y/N', out)
    check(code == 3 and tty_listener.poll() is None, 'answering n: exit 3, nothing stopped', out)
    asked, code, out = at_terminal(port, b'y')
    check(asked and code == 0, 'answering y: exit 0', out)
    check(gone(tty_listener), 'answering y stopped the listener')
finally:
    for lis in started:
        lis.kill()

sys.exit(tap.done())
