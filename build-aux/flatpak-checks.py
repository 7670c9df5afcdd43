#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# build-aux/flatpak-checks.py — run the TAP checks of tests/flatpak/ one after another.
#
# Each tests/flatpak/test-NAME.py is one test (NAME as an argument picks it); its output
# goes to _build-flatpak/logs/NAME.log and its result to _build-flatpak/testlog.json in
# meson's format, which build-aux/test-summary.py turns into "N passed, N failed". A test
# passes when it exits 0, its plan matches and no assertion failed; "1..0 # SKIP" skips it.
# After each test every process it left in this PID namespace (ours alone) is ended, so
# that one test's leftovers cannot disturb the next; the leftovers are named in the log.
import json
import os
import re
import signal
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = os.path.join(REPO, 'tests', 'flatpak')
OUT = os.environ.get('PORTHOLE_FLATPAK_OUT', os.path.join(REPO, '_build-flatpak'))
TIMEOUT = int(os.environ.get('PORTHOLE_FLATPAK_TIMEOUT', '300'))


def tests(wanted):
    names = sorted(f[len('test-'):-len('.py')] for f in os.listdir(TESTS)
                   if f.startswith('test-') and f.endswith('.py'))
    unknown = [w for w in wanted if w not in names]
    if unknown:
        sys.exit(f'unknown check(s): {", ".join(unknown)} (there are: {", ".join(names)})')
    return [n for n in names if not wanted or n in wanted]


def ours():
    """This process and its ancestors: everything else in the namespace is a leftover."""
    keep, pid = set(), os.getpid()
    while pid > 0 and pid not in keep:
        keep.add(pid)
        try:
            with open(f'/proc/{pid}/stat') as f:
                pid = int(f.read().rsplit(')', 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return keep


def leftovers():
    keep = ours()
    out = []
    for entry in os.listdir('/proc'):
        if entry.isdigit() and int(entry) not in keep and int(entry) != 1:
            try:
                with open(f'/proc/{entry}/stat') as f:
                    stat = f.read()
                if stat.rsplit(')', 1)[1].split()[0] == 'Z':
                    continue
                with open(f'/proc/{entry}/cmdline', 'rb') as f:
                    cmd = f.read().replace(b'\0', b' ').decode(errors='replace').strip()
                out.append((int(entry), cmd or stat.split('(', 1)[1].rsplit(')', 1)[0]))
            except (OSError, IndexError):
                continue
    return out


def end_leftovers(log):
    found = leftovers()
    if found:
        log.write('\n# processes left behind, now ended:\n')
        for pid, cmd in found:
            log.write(f'#   {pid} {cmd}\n')
    for pid, _ in found:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Reap what was ours to reap; PID 1 reaps the rest.
    deadline = time.time() + 5
    while leftovers() and time.time() < deadline:
        time.sleep(0.1)


def judge(rc, out):
    if re.search(r'^1\.\.0\b.*#\s*skip', out, re.M | re.I):
        return 'SKIP'
    oks = re.findall(r'^(not ok|ok)\b', out, re.M)
    # TAP: a failing check marked TODO is reported, not counted as a failure.
    failing = [l for l in re.findall(r'^not ok\b.*$', out, re.M)
               if not re.search(r'#\s*TODO\b', l, re.I)]
    plan = re.findall(r'^1\.\.(\d+)', out, re.M)
    if rc != 0 or not oks or failing or not plan or int(plan[-1]) != len(oks):
        return 'FAIL'
    if re.search(r'^Bail out!', out, re.M):
        return 'FAIL'
    return 'OK'


def main():
    names = tests(sys.argv[1:])
    os.makedirs(os.path.join(OUT, 'logs'), exist_ok=True)
    results = []
    width = max(len(n) for n in names)
    for i, name in enumerate(names, 1):
        log_path = os.path.join(OUT, 'logs', name + '.log')
        start = time.time()
        with open(log_path, 'w') as log:
            if os.environ.get('PORTHOLE_FLATPAK_NOT_BUILT'):
                result, out = 'FAIL', 'Bail out! the Flatpak was not built\n'
                log.write(out)
            else:
                env = dict(os.environ)
                env['PYTHONDONTWRITEBYTECODE'] = '1'
                p = subprocess.Popen([sys.executable, os.path.join(TESTS, f'test-{name}.py')],
                                     stdout=subprocess.PIPE, stderr=log, text=True, env=env,
                                     cwd=REPO, start_new_session=True)
                try:
                    out, _ = p.communicate(timeout=TIMEOUT)
                    result = judge(p.returncode, out)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    out, _ = p.communicate()
                    out += f'\nBail out! timed out after {TIMEOUT} s\n'
                    result = 'TIMEOUT'
                log.write('\n# TAP output:\n' + out)
                end_leftovers(log)
        duration = time.time() - start
        results.append({'name': f'flatpak/{name}', 'result': result,
                        'duration': round(duration, 2)})
        print(f'{i:2}/{len(names)} flatpak/{name:{width}}  {result:7} {duration:6.1f}s',
              flush=True)
        if result not in ('OK', 'SKIP'):
            for line in out.splitlines():
                if line.startswith(('not ok', 'Bail out', '#')):
                    print(f'      {line}', flush=True)
            print(f'      (full log: _build-flatpak/logs/{name}.log)', flush=True)
    with open(os.path.join(OUT, 'testlog.json'), 'w') as f:
        for r in results:
            f.write(json.dumps(r) + '\n')
    return 0 if all(r['result'] in ('OK', 'SKIP') for r in results) else 1


if __name__ == '__main__':
    sys.exit(main())
