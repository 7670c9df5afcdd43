#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-soak.py — Porthole's window open under Xvfb for SECONDS (default 90) while
# tests/ph_churn.py starts and ends listeners of every kind, then quit through its app.quit
# action: it must not crash, LeakSanitizer must report nothing (when the app runs under
# ASan: the _build-sanitize build; `build-aux/dev soak MINUTES` runs it so), and its RSS at
# the end must be within RSS_GROWTH_KIB of its RSS after the first minute. Prints the
# figures. Usage: test-soak.py [SECONDS]
import os
import re
import subprocess
import sys
import tempfile
import time

import phui
import porthole_test as pt

phui.run_isolated()


tap = pt.Tap()
SECONDS = int(sys.argv[-1]) if len(sys.argv) > 1 else 90   # meson's --test-args come last
FIRST_MINUTE = min(60, SECONDS * 2 // 3)
# The bound: what a minute of churn may add after the first one. Under ASan freed memory
# waits in a quarantine; the soak caps it (quarantine_size_mb below) so that growth means
# memory still referenced or leaked, not memory waiting to be reused.
RSS_GROWTH_KIB = 16 * 1024
QUARANTINE_MB = 8
APP_ID = 'io.github.porthole.Porthole'


def vm_rss(pid):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def sanitized(pid):
    try:
        with open('/proc/%d/maps' % pid) as f:
            return 'libasan' in f.read()
    except OSError:
        return False


def quit_app():
    """Activates app.quit over D-Bus, as Ctrl+Q does: the window closes and the main loop
    returns, so LeakSanitizer runs at exit."""
    return subprocess.run(['gdbus', 'call', '--session', '--dest', APP_ID, '--object-path',
                           '/' + APP_ID.replace('.', '/'), '--method',
                           'org.gtk.Actions.Activate', 'quit', '[]', '{}'],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)


def main():
    # A refresh every second (the shortest the preferences offer), from a settings file.
    config = tempfile.mkdtemp(prefix='ph-soak-config-')
    os.makedirs(os.path.join(config, 'glib-2.0', 'settings'))
    with open(os.path.join(config, 'glib-2.0', 'settings', 'keyfile'), 'w') as f:
        f.write('[io/github/porthole/Porthole]\nrefresh-interval=uint32 1\n')
    asan = os.environ.get('ASAN_OPTIONS', '')
    asan = ':'.join([o for o in asan.split(':') if o and not o.startswith('detect_leaks')
                     and not o.startswith('quarantine_size_mb')]
                    + ['detect_leaks=1', 'quarantine_size_mb=%d' % QUARANTINE_MB,
                       'handle_abort=1'])   # a crash (g_error) leaves its stack in the log
    lsan = os.path.join(pt.SRCDIR, 'tests', 'lsan.supp')
    app = phui.App(env={'GSETTINGS_BACKEND': 'keyfile', 'XDG_CONFIG_HOME': config,
                        'ASAN_OPTIONS': asan,
                        'LSAN_OPTIONS': 'suppressions=%s:print_suppressions=0' % lsan})
    win = app.wait_for_window(timeout=120)
    if not tap.ok(win is not None, 'the window opened'):
        tap.diag(app.output()[-3000:])
        app.quit()
        return tap.done()
    under_asan = sanitized(app.proc.pid)
    tap.diag('app PID %d, %s' % (app.proc.pid, 'under AddressSanitizer' if under_asan
                                 else 'not under AddressSanitizer (no leak check)'))

    churn = subprocess.Popen([sys.executable, os.path.join(pt.SRCDIR, 'tests', 'ph_churn.py'),
                              '--forever'], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    t0 = time.monotonic()
    samples = []
    rss_minute = None
    alive = True
    while time.monotonic() - t0 < SECONDS:
        time.sleep(2)
        if app.proc.poll() is not None or churn.poll() is not None:
            alive = False
            break
        samples.append((time.monotonic() - t0, vm_rss(app.proc.pid)))
        if rss_minute is None and samples[-1][0] >= FIRST_MINUTE:
            rss_minute = samples[-1][1]
    churn.terminate()
    try:
        churn_out = churn.communicate(timeout=60)[0].decode(errors='replace')
    except subprocess.TimeoutExpired:
        churn.kill()
        churn_out = churn.communicate()[0].decode(errors='replace')
    m = re.search(r'ENDED (\d+) (\d+)', churn_out)
    started = int(m.group(1)) if m else 0
    tap.ok(alive, 'the app and the churn ran for %d s (%d listeners started and ended)'
           % (SECONDS, started), diag=app.output()[-3000:])
    tap.ok(started >= SECONDS, 'the churn kept going (%d listeners, %.1f a second)'
           % (started, started / max(SECONDS, 1)))
    rss_end = vm_rss(app.proc.pid)
    time.sleep(2)   # let the last refreshes settle before quitting

    q = quit_app()
    try:
        rc = app.proc.wait(120)
    except Exception:  # noqa: BLE001
        app.proc.kill()
        rc = app.proc.wait()
    out = app.output()
    leaks = len(re.findall(r'ERROR: LeakSanitizer', out))
    leak_bytes = sum(int(b) for b in re.findall(r'SUMMARY: AddressSanitizer: (\d+) byte', out))
    tap.ok(q.returncode == 0, 'app.quit was activated over D-Bus (%s)'
           % q.stderr.decode(errors='replace').strip())
    tap.ok(rc == 0, 'the app quit cleanly (exit %s)' % rc,
           diag=out[-4000:] if not leaks else 'with leak reports (below)')
    if under_asan:
        tap.ok(leaks == 0, 'LeakSanitizer reported no leak (%d reports, %d bytes)'
               % (leaks, leak_bytes), diag=out[out.find('ERROR: LeakSanitizer'):][:6000]
               if leaks else None)
    else:
        tap.skip('LeakSanitizer reported no leak', 'the app was not built with ASan '
                 '(build-aux/dev soak uses _build-sanitize)')
    errors = re.findall(r'ERROR: AddressSanitizer: .*|runtime error: .*|Gtk:ERROR.*|'
                        r'CRITICAL \*\*.*', out)
    tap.ok(not errors, 'no sanitizer error, crash or critical in its output',
           diag='\n'.join(errors[:10]))

    peak = max((r for _, r in samples), default=0)
    tap.diag('soak %d s: app VmRSS after %d s %s KiB, at the end %d KiB (%+d KiB), peak %d '
             'KiB; bound +%d KiB; %d leak reports'
             % (SECONDS, FIRST_MINUTE, rss_minute, rss_end,
                rss_end - (rss_minute or 0), peak, RSS_GROWTH_KIB, leaks))
    tap.ok(rss_minute is not None and rss_end > 0 and rss_end - rss_minute <= RSS_GROWTH_KIB,
           'RSS at the end within %d KiB of RSS after %d s (%+d KiB)'
           % (RSS_GROWTH_KIB, FIRST_MINUTE, rss_end - (rss_minute or 0)))
    print('SOAK seconds=%d listeners=%d rss_first_minute_kib=%s rss_end_kib=%d peak_kib=%d '
          'leaks=%d' % (SECONDS, started, rss_minute, rss_end, peak, leaks), file=sys.stderr)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
