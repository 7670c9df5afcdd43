#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# test-data-validate.sh KIND PATH — TAP: runs the upstream validator for one data file.
#   desktop PATH   desktop-file-validate (hints are fine, warnings and errors are not)
#   metainfo PATH  appstreamcli validate --no-net --explain
#   schemas DIR    glib-compile-schemas --strict --dry-run
#   policy PATH    xmllint against polkit's policyconfig-1.dtd; auth_admin_keep for active
#                  sessions and an exec.path annotation naming an installed porthole-helper
set -u
kind="$1"
path="$2"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

echo "1..1"
case "$kind" in
  desktop) tool=desktop-file-validate ;;
  metainfo) tool=appstreamcli ;;
  schemas) tool=glib-compile-schemas ;;
  policy) tool=xmllint ;;
  *) echo "Bail out! unknown kind $kind"; exit 1 ;;
esac
if ! command -v "$tool" >/dev/null 2>&1; then
  echo "ok 1 # SKIP $tool is not installed"
  exit 0
fi

case "$kind" in
  desktop)
    desktop-file-validate "$path" >"$out" 2>&1
    rc=$?
    # desktop-file-validate exits 0 on warnings; a warning is still a defect here.
    if [ $rc -eq 0 ] && grep -q ': \(warning\|error\):' "$out"; then rc=1; fi
    ;;
  metainfo)
    appstreamcli validate --no-net --explain "$path" >"$out" 2>&1
    rc=$?
    ;;
  schemas)
    glib-compile-schemas --strict --dry-run "$path" >"$out" 2>&1
    rc=$?
    ;;
  policy)
    dtd=/usr/share/polkit-1/policyconfig-1.dtd
    if [ -f "$dtd" ]; then
      xmllint --noout --dtdvalid "$dtd" "$path" >"$out" 2>&1
    else
      echo "no $dtd: checked for well-formedness only" >"$out"
      xmllint --noout "$path" >>"$out" 2>&1
    fi
    rc=$?
    if [ $rc -eq 0 ]; then
      keep="$(xmllint --xpath 'string(//action/defaults/allow_active)' "$path")"
      exe="$(xmllint --xpath 'string(//action/annotate[@key="org.freedesktop.policykit.exec.path"])' "$path")"
      echo "allow_active=$keep exec.path=$exe" >>"$out"
      case "$exe" in /*/porthole-helper) ;; *) rc=1 ;; esac
      [ "$keep" = auth_admin_keep ] || rc=1
    fi
    ;;
esac

sed 's/^/# /' "$out"
if [ $rc -eq 0 ]; then
  echo "ok 1 - $kind: $(basename "$path") is valid"
else
  echo "not ok 1 - $kind: $(basename "$path") is invalid ($tool exited $rc)"
fi
exit 0
