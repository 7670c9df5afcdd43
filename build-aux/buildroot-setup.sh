#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside the build root after its packages are installed (part of its stamp).
set -e
# A German locale, for the test that sees Porthole's translated text.
sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
locale-gen >/dev/null
