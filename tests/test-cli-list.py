#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cli-list.py — TAP: `porthole --list` and `--list --json` with the real helper and a
# real listener process; hostile process names; a missing or crashing helper.
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import porthole_test as pt

porthole = pt.porthole()
listener_bin = pt.listener_program()
tap = pt.Tap()
check = tap.ok


def run(*args, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([porthole, *args], capture_output=True, env=full_env, timeout=60)


tmp = tempfile.TemporaryDirectory(prefix='ph-cli-list-')
project = os.path.join(tmp.name, 'shop')
os.mkdir(project)
hostile = 'ev\x1bil\nname'

main = pt.Listener('tcp:127.0.0.1:0', 'udp:[::1]:0', 'tcp6only:[::]:0', cwd=project,
                   exec_name='node',
                   extra=[os.path.join(project, 'node_modules/.bin/vite'), '--weird\x7farg'])
main_pid = main.pid
main_sockets = [{'proto': proto, 'address': addr, 'port': port, 'inode': inode}
                for proto, addr, port, inode in main.sockets]
odd = pt.Listener('tcp:127.0.0.1:0', exec_name=hostile)
odd_sockets = [{'proto': proto, 'address': addr, 'port': port, 'inode': inode}
               for proto, addr, port, inode in odd.sockets]

try:
    # --- JSON -----------------------------------------------------------------------
    result = run('--list', '--json')
    check(result.returncode == 0, '--list --json exits 0', result.stderr.decode())
    try:
        doc, error = json.loads(result.stdout.decode('utf-8')), None
    except ValueError as e:
        doc, error = None, e
    check(doc is not None, 'the JSON parses', error)

    if doc is not None:
        check(doc.get('version') == 1, 'version is 1', doc.get('version'))
        check(doc.get('source') in ('netlink', 'procfs'), 'source is netlink or procfs')
        check(isinstance(doc.get('groups'), list) and isinstance(doc.get('services'), list),
              'groups and services are lists')
        group_keys = [g['key'] for g in doc['groups']]
        check(len(group_keys) == len(set(group_keys)), 'each group appears once')
        check(all(set(g) >= {'key', 'name', 'subtitle', 'kind', 'icon'} for g in doc['groups']),
              'groups have key, name, subtitle, kind, icon')
        service_keys = {'id', 'group', 'protocol', 'family', 'address', 'port',
                        'display_address', 'scope_id', 'v6only', 'reachable', 'port_class',
                        'iana_service', 'uid', 'user', 'hidden', 'kernel', 'unseen',
                        'connections', 'container', 'owners'}
        check(all(set(s) == service_keys for s in doc['services']),
              'every service has exactly the documented keys',
              [sorted(set(s) ^ service_keys) for s in doc['services']])
        check(all(s['group'] in group_keys for s in doc['services']),
              'every service names a listed group')

        by_id = {s['id']: s for s in doc['services']}
        tcp = by_id.get(main_sockets[0]['inode'])
        check(tcp is not None, 'the TCP listener is in the JSON (by inode)')
        if tcp is not None:
            check(tcp['protocol'] == 'tcp' and tcp['family'] == 4 and
                  tcp['address'] == '127.0.0.1' and tcp['port'] == main_sockets[0]['port'],
                  'protocol, family, address and port', tcp)
            check(tcp['display_address'] == f"127.0.0.1:{main_sockets[0]['port']}",
                  'display_address', tcp['display_address'])
            check(tcp['reachable'] is False and tcp['v6only'] is None and
                  tcp['hidden'] is False and tcp['kernel'] is False and tcp['unseen'] is None,
                  'reachable, v6only, hidden, kernel, unseen', tcp)
            check(tcp['uid'] == os.getuid(), 'uid is ours', tcp['uid'])
            owner = tcp['owners'][0] if tcp['owners'] else {}
            owner_keys = {'pid', 'start_time', 'ppid', 'uid', 'user', 'fd', 'comm', 'exe',
                          'cwd', 'argv', 'cgroup', 'manager', 'unit', 'app_id', 'container',
                          'container_kind', 'app_name', 'app_icon'}
            check(set(owner) == owner_keys, 'the owner has exactly the documented keys',
                  sorted(set(owner) ^ owner_keys))
            check(owner.get('pid') == main_pid, 'owner pid', owner.get('pid'))
            check(owner.get('comm') == 'node', 'owner comm', owner.get('comm'))
            check(owner.get('cwd') == project, 'owner cwd', owner.get('cwd'))
            check(os.path.samefile(owner.get('exe') or '/', listener_bin), 'owner exe',
                  owner.get('exe'))
            argv = owner.get('argv') or []
            check(argv[:2] == ['node', os.path.join(project, 'node_modules/.bin/vite')] and
                  argv[2] == '--weird\x7farg',
                  'argv is exact, control characters included', argv)
            check(isinstance(owner.get('start_time'), int) and owner['start_time'] > 0,
                  'start_time')
            check(isinstance(owner.get('fd'), int) and owner['fd'] >= 0, 'fd')
        udp = by_id.get(main_sockets[1]['inode'])
        check(udp is not None and udp['protocol'] == 'udp' and udp['family'] == 6 and
              udp['address'] == '::1' and udp['display_address'] == f"[::1]:{udp['port']}",
              'the UDP listener on ::1', udp)
        v6 = by_id.get(main_sockets[2]['inode'])
        check(v6 is not None and v6['reachable'] is True and v6['v6only'] in (True, None),
              'the IPv6-only socket on :: is reachable', v6)
        weird = by_id.get(odd_sockets[0]['inode'])
        check(weird is not None and weird['owners'] and
              weird['owners'][0]['comm'] == hostile[:15],
              'a hostile comm survives exactly in JSON', weird and weird['owners'])

    # --- the table ------------------------------------------------------------------
    result = run('--list')
    table = result.stdout.decode('utf-8', 'replace')
    check(result.returncode == 0, '--list exits 0', result.stderr.decode())
    for s in main_sockets:
        check(any(line.split()[:2] == [str(s['port']), s['proto']]
                  for line in table.splitlines() if line.startswith('  ')),
              f"--list shows {s['proto']} port {s['port']}", table)
    row = next((line for line in table.splitlines()
                if line.split()[:1] == [str(main_sockets[0]['port'])]), '')
    check('127.0.0.1' in row and 'local' in row and f'node ({main_pid})' in row,
          'the row has the address, "local" and the process', row)
    row6 = next((line for line in table.splitlines()
                 if line.split()[:1] == [str(main_sockets[2]['port'])]), '')
    check('[::]' in row6 and 'network' in row6, 'a socket on :: is marked reachable', row6)
    lines = table.splitlines()
    group_name = None
    if doc is not None:
        tcp_json = {s['id']: s for s in doc['services']}.get(main_sockets[0]['inode'])
        group_name = next((g['name'] for g in doc['groups']
                           if tcp_json is not None and g['key'] == tcp_json['group']), None)
    row_index = next((i for i, line in enumerate(lines) if line == row), None)
    header = next((line for line in reversed(lines[:row_index or 0])
                   if line and not line.startswith('  ')), '')
    check(group_name is not None and header.startswith(group_name),
          'the group header above the row names the application', f'{group_name!r}\n{table}')
    check(b'\x1b' not in result.stdout, 'no raw escape byte reaches the terminal')
    check(not any(line.startswith('name') for line in lines),
          'a newline in a process name does not start a new line', table)
    check('\ufffd' in table and 'ev' in table, 'the hostile name is shown with U+FFFD')
    check('sockets' in lines[-1] or 'sockets' in lines[-2], 'a summary line ends the table',
          table)

    # --- owners out of sight: not the kernel's ----------------------------------------
    # porthole (and its helper) in a PID namespace of their own, with their own /proc:
    # they see this test's sockets but not its processes. /proc is made private first so
    # the new mount cannot propagate back (unshare --mount-proc would make / private, which
    # a chroot refuses).
    unshare = shutil.which('unshare')
    script = ('mount --make-private /proc 2>/dev/null || exit 77; '
              'mount -t proc proc /proc || exit 77; exec "$@"')
    prefix = [unshare or 'unshare', '--pid', '--fork', '--mount', '--propagation', 'unchanged',
              'sh', '-c', script, 'sh']
    outside = subprocess.run(prefix + [porthole, '--list', '--json'], capture_output=True,
                             timeout=60) if unshare else None
    if outside is None or outside.returncode == 77:
        tap.skip('--list in a PID namespace of its own', 'cannot make one here')
    else:
        unseen_doc = json.loads(outside.stdout.decode('utf-8'))
        s = {x['id']: x for x in unseen_doc['services']}.get(main_sockets[0]['inode'])
        g = {x['key']: x for x in unseen_doc['groups']}.get(s and s['group'])
        check(s is not None and s['unseen'] == 'pid-namespace' and s['kernel'] is False and
              s['hidden'] is False and s['owners'] == [] and g is not None and
              g['kind'] == 'unseen',
              '--list --json from a PID namespace of its own: unseen "pid-namespace", '
              'group kind "unseen", not the kernel', (s, g))
        outside = subprocess.run(prefix + [porthole, '--list'], capture_output=True,
                                 timeout=60, env=dict(os.environ, NO_COLOR='1'))
        text = outside.stdout.decode('utf-8', 'replace')
        lines = text.splitlines()
        index = next((i for i, line in enumerate(lines)
                      if line.split()[:1] == [str(main_sockets[0]['port'])]), None)
        row = lines[index] if index is not None else ''
        header = next((line for line in reversed(lines[:index or 0])
                       if line and not line.startswith('  ')), '')
        check('not visible' in row and 'kernel' not in row and 'Kernel' not in header and
              header.startswith('Owner Unknown') and 'not visible from here' in text,
              '--list from there: "not visible", under "Owner Unknown", with the reason',
              text)

    # --- a listener that went away is no longer listed ------------------------------
    odd.send_signal(signal.SIGTERM)
    check(odd.wait_exit(10), 'the hostile listener ends on SIGTERM')
    result = run('--list', '--json')
    doc = json.loads(result.stdout.decode('utf-8'))
    check(odd_sockets[0]['inode'] not in {s['id'] for s in doc['services']},
          'a stopped listener is gone from the next --list')

    # --- errors ---------------------------------------------------------------------
    result = run('--list', env={'PORTHOLE_HELPER': '/nonexistent/porthole-helper'})
    err = result.stderr.decode()
    check(result.returncode == 1 and '/nonexistent/porthole-helper' in err and
          result.stdout == b'', 'a missing helper: exit 1 and a message naming it', err)

    crasher = os.path.join(tmp.name, 'crasher')
    with open(crasher, 'w') as f:
        f.write('#!/bin/sh\necho "porthole-helper: something broke" >&2\nkill -SEGV $$\n')
    os.chmod(crasher, 0o755)
    result = run('--list', '--json', env={'PORTHOLE_HELPER': crasher})
    err = result.stderr.decode()
    check(result.returncode == 1 and 'stopped unexpectedly' in err and
          'something broke' in err and result.stdout == b'',
          'a crashing helper: exit 1 and a clear message', err)

    silent = os.path.join(tmp.name, 'silent')
    with open(silent, 'w') as f:
        f.write('#!/bin/sh\nprintf "HELLO\\tprotocol=%d\\tsource=netlink\\n"\n'
                % pt.PROTOCOL_VERSION)
    os.chmod(silent, 0o755)
    result = run('--list', env={'PORTHOLE_HELPER': silent})
    check(result.returncode == 1 and result.stderr.decode().strip() != '',
          'a helper that lists nothing: exit 1 and a message', result.stderr.decode())
finally:
    main.kill()
    odd.kill()
    tmp.cleanup()

sys.exit(tap.done())
