#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-translation.py — TAP: the translations are complete and valid, po/POTFILES.in lists
# every file with translatable strings, and the real porthole binary speaks German under a
# German locale: --list, --explain and --help show the translation of every English message
# they print.
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import porthole_test as pt

srcdir = pt.SRCDIR
porthole = pt.porthole()
podir = os.path.join(srcdir, 'po')
DOMAIN = 'porthole'

# The same keywords and flags as meson's i18n 'glib' preset, which makes po/porthole.pot.
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format', '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format', '--flag=g_sprintf:2:c-format',
    '--flag=g_snprintf:3:c-format',
]
# Where a source file marks a string for translation.
C_MARK = re.compile(r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dpgettext2)'
                    r'\s*\(\s*"')
UI_MARK = re.compile(r'translatable="(yes|true)"')
PRINTF = re.compile(r"%(\d+\$)?[-+ #0']*(\d+|\*)?(\.\d+)?(hh|h|ll|l|L|z|j|t)?[diouxXeEfgGcsp%]")

tap = pt.Tap()
check = tap.ok


def linguas():
    with open(os.path.join(podir, 'LINGUAS'), encoding='utf-8') as f:
        return [w for line in f if not line.lstrip().startswith('#') for w in line.split()]


def unquote(chunks):
    s = ''.join(chunks)
    return (s.replace('\\n', '\n').replace('\\t', '\t').replace('\\"', '"')
            .replace('\\\\', '\\'))


def parse_po(path):
    """(msgctxt, msgid) -> (msgstrs, fuzzy) for the live (not obsolete) messages of a PO file.
    PO entries are separated by blank lines, as msgmerge and msginit write them."""
    entries = {}
    with open(path, encoding='utf-8') as f:
        blocks = f.read().split('\n\n')
    for block in blocks:
        fields, field, fuzzy = {}, None, False
        for line in block.splitlines():
            if line.startswith('#,'):
                fuzzy = fuzzy or 'fuzzy' in line
            elif line.startswith('#'):
                continue
            elif line.startswith('"') and field:
                fields[field].append(line.strip()[1:-1])
            else:
                m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
                if m:
                    field = m.group(1)
                    fields[field] = [m.group(2)]
        if 'msgid' not in fields:
            continue
        strs = [unquote(v) for k, v in sorted(fields.items()) if k.startswith('msgstr')]
        ctx = unquote(fields['msgctxt']) if 'msgctxt' in fields else None
        entries[(ctx, unquote(fields['msgid']))] = (strs, fuzzy)
    return entries


def fragments(text):
    """The literal pieces of a message between its printf conversions."""
    return [p for p in PRINTF.split(text) if p and len(p.strip()) >= 4 and not PRINTF.fullmatch(p)]


def run(args, lang, localedir=None):
    env = dict(os.environ)
    env.pop('LC_ALL', None)
    env.pop('LC_MESSAGES', None)
    if localedir:
        env['PORTHOLE_LOCALEDIR'] = localedir
    if lang == 'de':
        env.update(LANG='de_DE.UTF-8', LANGUAGE='de')
    else:
        env.update(LANG='C.UTF-8', LANGUAGE='')
    proc = subprocess.run([porthole] + args, env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    return proc


def rows(output):
    """The sockets a --list table shows, as (port, protocol, process ID) in any language."""
    return sorted(re.match(r'\s+(\d+)\s+(tcp|udp)\s', line).groups()
                  + tuple(re.findall(r'\((\d+)\)\s*$', line))
                  for line in output.splitlines() if re.match(r'\s+\d+\s+(tcp|udp)\s', line))


def messages_in(output, catalogue):
    """The catalogue's translated messages whose every literal piece is in output."""
    seen = []
    for (ctx, msgid), (strs, _fuzzy) in catalogue.items():
        if not msgid or not strs or not strs[0] or strs[0] == msgid:
            continue
        pieces = fragments(msgid)
        if pieces and all(p in output for p in pieces):
            seen.append((msgid, strs[0]))
    return seen


def shown_translated(args, catalogue, require_exit_zero, localedir):
    """Every message the English run prints appears translated in the German run. --list
    shows what listens on the machine, which other tests change meanwhile: the runs count
    when the German one lists the same sockets as an English run before and after it."""
    for _ in range(20):
        english = run(args, 'C', localedir)
        german = run(args, 'de', localedir)
        again = run(args, 'C', localedir)
        out_en = english.stdout + english.stderr
        seen = messages_in(out_en, catalogue)
        if (seen == messages_in(again.stdout + again.stderr, catalogue)
                and rows(english.stdout) == rows(german.stdout) == rows(again.stdout)):
            break
        time.sleep(0.2)
    out_de = german.stdout + german.stderr
    untranslated = [f'{msgid!r} -> {msgstr!r}' for msgid, msgstr in seen
                    if not all(p in out_de for p in fragments(msgstr))]
    bad_exit = require_exit_zero and (english.returncode != 0 or german.returncode != 0)
    ok = bool(seen) and not untranslated and not bad_exit
    diag = '\n'.join([f'exit codes: C {english.returncode}, de {german.returncode}',
                      f'translatable messages seen in the English output: {len(seen)}']
                     + [f'not translated: {u}' for u in untranslated]
                     + ['German output:'] + out_de.splitlines()[:30])
    return ok, diag


langs = linguas()
po_files = sorted(glob.glob(os.path.join(podir, '*.po')))
have_gettext = all(shutil.which(t) for t in ('xgettext', 'msgfmt', 'msgmerge'))
locales = subprocess.run(['locale', '-a'], capture_output=True, text=True).stdout.split()
have_de = any(loc.lower().replace('-', '') in ('de_de.utf8',) for loc in locales)

tap.plan(6 + 3 * len(langs) + 3)

# --- POTFILES.in ------------------------------------------------------------------------------
with open(os.path.join(podir, 'POTFILES.in'), encoding='utf-8') as f:
    listed = [line.strip() for line in f if line.strip() and not line.startswith('#')]
check(listed == sorted(listed) and len(listed) == len(set(listed)),
      'POTFILES.in is sorted and has no duplicates',
      '\n'.join(a for a, b in zip(listed, sorted(listed)) if a != b))
check(all(os.path.isfile(os.path.join(srcdir, p)) for p in listed),
      'every file in POTFILES.in exists',
      [p for p in listed if not os.path.isfile(os.path.join(srcdir, p))])

marked = []
for top in ('src', 'data'):
    for dirpath, _dirs, files in os.walk(os.path.join(srcdir, top)):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, srcdir)
            if name.endswith(('.c', '.h')):
                text = open(path, encoding='utf-8', errors='replace').read()
                if C_MARK.search(text):
                    marked.append(rel)
            elif name.endswith('.ui'):
                if UI_MARK.search(open(path, encoding='utf-8', errors='replace').read()):
                    marked.append(rel)
            elif top == 'data' and name.endswith(('.desktop.in', '.metainfo.xml.in',
                                                  '.gschema.xml', '.policy.in')):
                marked.append(rel)
missing = sorted(set(marked) - set(listed))
check(not missing, 'POTFILES.in lists every file with translatable strings', '\n'.join(missing))

# --- the catalogues ---------------------------------------------------------------------------
check(set(os.path.splitext(os.path.basename(p))[0] for p in po_files) == set(langs),
      'po/LINGUAS names exactly the .po files in po/',
      (langs, [os.path.basename(p) for p in po_files]))

tmp = tempfile.mkdtemp()
pot = os.path.join(tmp, DOMAIN + '.pot')
if have_gettext:
    xg = subprocess.run(['xgettext', *XGETTEXT_ARGS, '--package-name=' + DOMAIN,
                         '--directory=' + srcdir,
                         '--files-from=' + os.path.join(podir, 'POTFILES.in'), '-o', pot],
                        capture_output=True, text=True,
                        # data/its: how xgettext reads the polkit policy
                        env=dict(os.environ, GETTEXTDATADIRS=os.path.join(srcdir, 'data')))
    check(xg.returncode == 0 and os.path.isfile(pot),
          'xgettext extracts a template from the sources', xg.stderr)
    # xgettext stops at a macro inside _() ("%" G_GINT64_FORMAT), so the template gets a cut
    # message and the program asks for one no catalogue has: it stays English.
    cut = [f'{ctx + "|" if ctx else ""}{msgid!r}'
           for (ctx, msgid), _strs in (parse_po(pot).items() if os.path.isfile(pot) else [])
           if (len(msgid) - len(msgid.rstrip('%'))) % 2 == 1]
    check(not cut, 'no message is cut short by a format macro such as G_GINT64_FORMAT',
          '\n'.join(cut))
else:
    tap.skip('xgettext extracts a template from the sources', 'gettext is not installed')
    tap.skip('no message is cut short by a format macro', 'gettext is not installed')

for lang in langs:
    po = os.path.join(podir, lang + '.po')
    if not have_gettext:
        for what in ('msgfmt --check passes', 'every message is translated',
                     'translations keep printf conversions'):
            tap.skip(f'{lang}.po: {what}', 'gettext is not installed')
        continue
    fmt = subprocess.run(['msgfmt', '--check', '--statistics', '-o', os.devnull, po],
                         capture_output=True, text=True)
    check(fmt.returncode == 0, f'{lang}.po: msgfmt --check passes', fmt.stderr)

    # Merge into a copy, as build-aux/update-po would, and look for anything left to do.
    merged = os.path.join(tmp, lang + '.po')
    mm = subprocess.run(['msgmerge', '--quiet', '--previous', '-o', merged, po, pot],
                        capture_output=True, text=True)
    todo = []
    if mm.returncode == 0:
        for (ctx, msgid), (strs, fuzzy) in parse_po(merged).items():
            if not msgid:
                continue
            label = f'{ctx}|{msgid}' if ctx else msgid
            if fuzzy:
                todo.append(f'fuzzy: {label!r}')
            elif not all(strs):
                todo.append(f'untranslated: {label!r}')
    else:
        todo.append(mm.stderr)
    check(not todo, f'{lang}.po: every message in the sources is translated, none fuzzy '
          f'(run build-aux/update-po, then translate)', '\n'.join(todo))

    catalogue = parse_po(po)
    broken = [msgid for (ctx, msgid), (strs, _f) in catalogue.items()
              if msgid and any(s and sorted(m.group(0) for m in PRINTF.finditer(s)) !=
                               sorted(m.group(0) for m in PRINTF.finditer(msgid)) for s in strs[:1])]
    check(not broken, f'{lang}.po: translations keep the printf conversions of their message',
          '\n'.join(broken))

shutil.rmtree(tmp, ignore_errors=True)

# --- the running program, in German -----------------------------------------------------------
de = parse_po(os.path.join(podir, 'de.po')) if 'de' in langs else {}
skip = None
if not de:
    skip = 'no German translation'
elif not have_de:
    skip = 'the de_DE.UTF-8 locale is not generated (build-aux/buildroot-setup.sh does it)'
# The catalogue is compiled here from po/de.po rather than taken from the build directory:
# `meson test` only rebuilds what tests depend on, so the build's .mo can be older than de.po.
localedir = None
if not skip and have_gettext:
    localedir = tempfile.mkdtemp()
    mo_dir = os.path.join(localedir, 'de', 'LC_MESSAGES')
    os.makedirs(mo_dir)
    subprocess.run(['msgfmt', '-o', os.path.join(mo_dir, DOMAIN + '.mo'),
                    os.path.join(podir, 'de.po')], check=True)
for args, need_zero, what in ((['--list'], True, 'porthole --list'),
                              (['--explain', '127.0.0.1:62893'], False,
                               'porthole --explain 127.0.0.1:62893'),
                              (['--help'], True, 'porthole --help')):
    if skip:
        tap.skip(f'{what} speaks German', skip)
        continue
    ok, diag = shown_translated(args, de, need_zero, localedir)
    check(ok, f'{what} speaks German under LANG=de_DE.UTF-8', diag)
if localedir:
    shutil.rmtree(localedir, ignore_errors=True)
sys.exit(tap.done())
