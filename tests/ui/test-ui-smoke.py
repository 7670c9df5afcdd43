#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-smoke.py — the real window comes up, shows its main widgets in the
# accessibility tree, and opens and closes the About dialog.
import os
import sys
import time

import phui
import porthole_test as pt

phui.run_isolated()

t = pt.Tap()
app = phui.App()
try:
    window = app.window_or_exit(t, 'the Porthole window appears in the accessibility tree')
    t.ok(window.name == 'Porthole', f'the window is named Porthole (got {window.name!r})')

    search = phui.find(window, role='text', name='Search services or explain an address')
    if search is None:
        search = phui.find(window, name='Search services or explain an address')
    t.ok(search is not None, 'the search entry is reachable by its accessible name')

    # A screen reader can name every button (icon-only ones included).
    buttons = phui.find_all(window, role='button') + phui.find_all(window, role='toggle button')
    unnamed = [phui.role_name(b) for b in buttons if not (b.name or '').strip()]
    t.ok(buttons and not unnamed,
         f'all {len(buttons)} buttons have an accessible name (unnamed: {len(unnamed)})')
    t.ok(phui.find(window, name='Refresh', role='button', timeout=1) is not None,
         'the icon-only Refresh button is named')

    menu = phui.find(window, name='Main Menu')
    if not t.ok(menu is not None, 'the main menu button is reachable'):
        t.diag(phui.dump(window))
        sys.exit(t.done())

    time.sleep(1)
    shot = phui.screenshot('smoke-main')
    t.ok(os.path.getsize(shot) > 10000, f'a screenshot of the main window is saved: {shot}')

    # The About dialog, through the primary menu.
    # Primary menu: Preferences, Keyboard Shortcuts, About Porthole (ph-window.ui).
    phui.click(menu)
    items = phui.menu_items(menu)
    t.ok(len(items) == 3, f'the primary menu has three items (got {len(items)})')
    about_item = items[2] if len(items) == 3 else None
    if about_item is not None:
        phui.click(about_item)
    about = phui.find(app.accessible, role='dialog', showing=True, timeout=5)
    t.ok(about is not None, 'a dialog opens from the third menu item')
    if about is not None:
        t.ok(phui.find(about, name='Porthole', role='label', timeout=3) is not None
             and phui.find(about, name='0.1.0', contains=True, timeout=1) is not None,
             'it is the About dialog: it names Porthole and its version')
    if about is not None:
        time.sleep(0.8)
        phui.screenshot('smoke-about')
        close = phui.find(about, name='Close', role='button', timeout=3)
        t.ok(close is not None, 'the About dialog has a Close button')
        if close is not None:
            phui.click(close)
        gone = False
        for _ in range(30):
            if phui.find(app.accessible, role='dialog', showing=True, timeout=0) is None:
                gone = True
                break
            time.sleep(0.2)
        t.ok(gone, 'the About dialog closes')
    else:
        t.diag(phui.dump(app.accessible))
    # Adaptive layout: at phone width the split view collapses to the sidebar.
    import subprocess
    wid = subprocess.run(['xdotool', 'search', '--name', '^Porthole$'], capture_output=True,
                         text=True).stdout.split()
    if wid:
        for w in wid:  # GTK also names its hidden leader window
            subprocess.run(['xdotool', 'windowsize', w, '360', '640'], check=False)

        def collapsed():
            import pyatspi
            page = phui.detail_page(window)
            search = phui.find(window, name='Search services or explain an address',
                               role='entry', timeout=0)
            return (page is None or not page.getState().contains(pyatspi.STATE_SHOWING)) \
                and search is not None and search.getState().contains(pyatspi.STATE_SHOWING)
        t.ok(phui.wait_for(collapsed, 5), 'at 360 px wide only the sidebar shows')
        time.sleep(0.5)
        phui.screenshot('smoke-narrow')
        ext = window.queryComponent().getExtents(0)
        t.ok(ext.width <= 400, f'the window really is narrow ({ext.width} px)')
    else:
        t.ok(False, 'xdotool finds the window to resize it')
    t.ok(app.proc.poll() is None, 'the app is still running')
finally:
    rc = app.quit()
out = app.output()
crit = [l for l in out.splitlines() if 'CRITICAL' in l]
t.ok(not crit, 'the app printed no critical warnings')
for l in crit:
    t.diag(l)
sys.exit(t.done())
