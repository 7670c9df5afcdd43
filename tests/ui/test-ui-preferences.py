#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-ui-preferences.py — Preferences change what the list shows (UDP, IPv6), the
# Keyboard Shortcuts window opens, and the shortcuts work when pressed on the keyboard.
import subprocess
import sys
import time

import phui
import porthole_test as pt

phui.run_isolated()

t = pt.Tap()


def key(*keys):
    subprocess.run(['xdotool', 'key', '--clearmodifiers'] + list(keys), check=False)


def clipboard():
    return subprocess.run(['xclip', '-o', '-selection', 'clipboard'], capture_output=True,
                          text=True, timeout=5).stdout


lis = pt.Listener('tcp:127.0.0.1:0', 'udp:127.0.0.1:0', 'tcp6only:[::1]:0')
tcp_port, udp_port, v6_port = (s[2] for s in lis.sockets)
app = phui.App()
try:
    window = app.window_or_exit(t)
    t.ok(phui.list_item(window, f'Port {udp_port}, UDP', timeout=15) is not None,
         'the UDP socket is listed by default')
    t.ok(phui.list_item(window, f'Port {v6_port}, TCP on ::1', timeout=5) is not None,
         'the IPv6 socket is listed by default')

    # Preferences, through the primary menu (its first item).
    menu = phui.find(window, name='Main Menu')
    phui.click(menu)
    items = phui.menu_items(menu)
    t.ok(len(items) == 3, 'the primary menu has its three items')
    if items:
        phui.click(items[0])
    prefs = phui.find(app.accessible, role='dialog', showing=True, timeout=5)
    t.ok(prefs is not None, 'the Preferences dialog opens')
    if prefs is not None:
        t.ok(phui.find(prefs, name='Refresh Interval', contains=True, timeout=3, deep=True)
             is not None,
             'it offers the refresh interval')
        phui.screenshot('preferences')
        t.ok(phui.toggle_row(prefs, 'Show UDP'), 'the Show UDP switch is there')
        gone = phui.wait_for(lambda: phui.list_item(window, f'Port {udp_port}, UDP',
                                                    timeout=0) is None, 10)
        t.ok(gone, 'turning UDP off removes the UDP socket from the list')
        t.ok(phui.toggle_row(prefs, 'Show IPv6'), 'the Show IPv6 switch is there')
        gone = phui.wait_for(lambda: phui.list_item(window, f'Port {v6_port}, TCP on ::1',
                                                    timeout=0) is None, 10)
        t.ok(gone, 'turning IPv6 off removes the ::1 socket from the list')
        t.ok(phui.list_item(window, f'Port {tcp_port}, TCP on 127.0.0.1', timeout=5)
             is not None, 'the IPv4 TCP socket stays')
        phui.toggle_row(prefs, 'Show UDP')
        back = phui.wait_for(lambda: phui.list_item(window, f'Port {udp_port}, UDP',
                                                    timeout=0) is not None, 10)
        t.ok(back, 'turning UDP on again brings it back')
        key('Escape')
        t.ok(phui.wait_for(lambda: phui.find(app.accessible, role='dialog', showing=True,
                                             timeout=0) is None, 5),
             'Escape closes the Preferences dialog')

    # Keyboard Shortcuts, through the menu's second item.
    phui.click(menu)
    items = phui.menu_items(menu)
    if len(items) == 3:
        phui.click(items[1])
    shortcuts = phui.wait_for(
        lambda: phui.find(app.accessible, name='Copy Address', role='label', timeout=0) or
        phui.find(app.accessible, name='Free Port', role='label', timeout=0), 5)
    t.ok(shortcuts is not None, 'the Keyboard Shortcuts window lists Copy Address and Free Port')
    phui.screenshot('shortcuts')
    key('Escape')
    time.sleep(0.5)

    # Shortcuts pressed on the keyboard: Ctrl+F, typing an address, Shift+Ctrl+C.
    key('ctrl+f')
    time.sleep(0.3)
    subprocess.run(['xdotool', 'type', '--delay', '20', f'127.0.0.1:{tcp_port}'], check=False)
    selected = phui.wait_for(lambda: str(lis.pid) in phui.pane_text(window), 8)
    t.ok(selected, 'Ctrl+F and typing the address selects the listener')
    key('ctrl+shift+c')
    got = phui.wait_for(lambda: clipboard() == f'127.0.0.1:{tcp_port}', 5)
    t.ok(got, f'Shift+Ctrl+C copies 127.0.0.1:{tcp_port}')
    key('Tab')  # from the search entry to the list, where Ctrl+Delete is not a text edit
    time.sleep(0.3)
    # The row context menu from the keyboard: Open in Browser, Copy Address, Free Port.
    key('shift+F10')
    menu = phui.wait_for(lambda: phui.find(app.accessible, role='menu', showing=True,
                                           timeout=0, deep=True), 5)
    n_items = len(phui.find_all(menu, role='menu item')) if menu is not None else 0
    t.ok(n_items == 3, f'Shift+F10 opens the row menu with its three actions (got {n_items})')
    key('Escape')
    time.sleep(0.3)
    key('ctrl+Delete')
    confirm = phui.wait_for(lambda: phui.find(app.accessible, name='Free Port', role='button',
                                              showing=True, timeout=0) and
                            phui.find(app.accessible, name='Cancel', role='button',
                                      showing=True, timeout=0), 5)
    t.ok(confirm, 'Ctrl+Delete asks to free the port')
    key('Escape')
    time.sleep(0.5)
    t.ok(lis.alive(), 'Escape cancels: the listener still runs')
finally:
    app.quit()
    lis.stop()
sys.exit(t.done())
