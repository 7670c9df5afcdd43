#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs inside the build root after build-aux/component-packages.txt is installed (part of
# its stamp): the supervisors the owner tests run, from the npm registry.
set -e
npm install --global --no-fund --no-audit --loglevel=error pm2@5 nodemon@3 >/dev/null
command -v pm2 >/dev/null
command -v nodemon >/dev/null
