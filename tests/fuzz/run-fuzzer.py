#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# run-fuzzer.py FUZZER SEED-CORPUS NAME: runs one libFuzzer target for
# $PORTHOLE_FUZZ_SECONDS (default 5) as a TAP test. Its working corpus and any crash are
# kept under $PORTHOLE_FUZZ_STATE (the build's fuzz/), so longer runs build on shorter ones;
# the figures (executions, cov, ft) go to $PORTHOLE_FUZZ_STATE/stats.jsonl.
import json
import os
import re
import subprocess
import sys
import time

fuzzer, seeds, name = sys.argv[1:4]
seconds = int(os.environ.get('PORTHOLE_FUZZ_SECONDS', '5'))
state = os.environ.get('PORTHOLE_FUZZ_STATE', os.path.join(os.getcwd(), 'fuzz'))
work = os.path.join(state, 'corpus', name)
crashes = os.path.join(state, 'crashes')
os.makedirs(work, exist_ok=True)
os.makedirs(crashes, exist_ok=True)

print('1..1')
if not os.path.isdir(seeds) or not os.listdir(seeds):
    print(f'not ok 1 - fuzz-{name}: no seed corpus in {seeds}')
    sys.exit(0)

env = dict(os.environ)
# Leaks are reported by the replay tests under ASan; here a crash or a property is the point.
env.setdefault('ASAN_OPTIONS', 'detect_leaks=0:abort_on_error=1:symbolize=1')
env.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1:halt_on_error=1')
cmd = [fuzzer, f'-max_total_time={seconds}', '-print_final_stats=1', '-timeout=10',
       '-rss_limit_mb=2048', '-max_len=16384', f'-artifact_prefix={crashes}/{name}-',
       work, seeds]
start = time.monotonic()
proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                      text=True, errors='replace', timeout=seconds * 3 + 120)
elapsed = time.monotonic() - start
out = proc.stdout

execs = re.findall(r'stat::number_of_executed_units:\s*(\d+)', out)
covs = re.findall(r'^#\d+\s+\w+\s+cov: (\d+) ft: (\d+)', out, re.M)
execs = int(execs[-1]) if execs else 0
cov, ft = (int(covs[-1][0]), int(covs[-1][1])) if covs else (0, 0)
corpus_n = len(os.listdir(work))
crash_files = re.findall(r'Test unit written to (\S+)', out)

stats = {'target': name, 'seconds': seconds, 'elapsed': round(elapsed, 1), 'execs': execs,
         'cov': cov, 'ft': ft, 'corpus': corpus_n, 'rc': proc.returncode,
         'crashes': crash_files}
with open(os.path.join(state, 'stats.jsonl'), 'a', encoding='utf-8') as f:
    f.write(json.dumps(stats) + '\n')

summary = f'fuzz-{name}: {execs} executions, cov {cov}, ft {ft}, corpus {corpus_n} in {elapsed:.0f} s'
if proc.returncode == 0 and execs > 0:
    print(f'ok 1 - {summary}')
else:
    for line in out.splitlines()[-60:]:
        print('# ' + line)
    why = f'crash saved as {crash_files[0]}' if crash_files else f'exit status {proc.returncode}'
    print(f'not ok 1 - {summary}: {why}')
