#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-helper-static.sh HELPER… — a statically linked porthole-helper needs nothing from
# the system it runs on (the Flatpak runs it on the host): no ELF interpreter, no shared
# library, and it works.
n=0
failed=0
ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then
    echo "ok $n - $2"
  else
    echo "not ok $n - $2"
    failed=$((failed + 1))
  fi
}

if ! command -v readelf >/dev/null 2>&1; then
  echo "1..0 # SKIP readelf is not installed"
  exit 0
fi

# The version both ends compile (src/scan/ph-protocol-defs.h).
protocol=$(sed -n 's/^#define PH_PROTOCOL_VERSION \([0-9][0-9]*\).*/\1/p' \
  "${PORTHOLE_SRCDIR:-.}/src/scan/ph-protocol-defs.h")

for helper in "$@"; do
  name=$(basename "$helper")
  [ -x "$helper" ]
  ok $? "$name is built"
  readelf -lW "$helper" | grep -q 'INTERP'
  [ $? -ne 0 ]
  ok $? "$name has no ELF interpreter (no PT_INTERP)"
  readelf -dW "$helper" 2>/dev/null | grep -q '(NEEDED)'
  [ $? -ne 0 ]
  ok $? "$name needs no shared library (no DT_NEEDED)"
  if command -v file >/dev/null 2>&1; then
    file -L "$helper" | grep -q 'statically linked'
    ok $? "file(1) calls $name statically linked"
  fi
  out=$("$helper" --version)
  case "$out" in
    "porthole-helper "*" protocol=$protocol") ok 0 "$name --version: $out" ;;
    *) ok 1 "$name --version: $out" ;;
  esac
  first=$("$helper" watch --once | head -n 1)
  case "$first" in
    HELLO*"protocol=$protocol"*) ok 0 "$name watch --once speaks the protocol" ;;
    *) ok 1 "$name watch --once: $first" ;;
  esac
  "$helper" watch --once | grep -q '^END	'
  ok $? "$name watch --once ends its change set"
done

echo "1..$n"
[ $failed -eq 0 ]
