#!/bin/sh
# The ABI gate: the built library against the committed baseline. ANY
# difference fails (abidiff exit 4 "changed" as well as 8 "incompatible"),
# as does missing debug info; the fix for an intended change is
# scripts/abi-update.sh plus a CHANGELOG.md entry in the same commit
# (docs/abi.md).
#   tests/abi/check_abi.sh BASELINE.abi LIBRARY HEADERS_DIR
set -u
base=$1 lib=$2 headers=$3
if ! command -v abidiff >/dev/null 2>&1; then
  echo "check_abi: abidiff missing (abigail-tools): scripts/install-deps.sh installs it"
  exit 1
fi
if [ ! -f "$base" ]; then
  echo "check_abi: no baseline $base: run scripts/abi-update.sh"
  exit 1
fi
# The baseline was written with --headers-dir and --drop-private-types
# already (tests/abi/abi_dump.sh), so --headers-dir1 is not given again:
# abigail-tools 2.2's abidiff asserts on --headers-dir1 with an XML input.
abidiff --headers-dir2 "$headers" --drop-private-types --fail-no-debug-info "$base" "$lib"
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "check_abi: FAIL: the library's ABI differs from $base (abidiff exit $rc)."
  echo "check_abi: if the change is intended, run scripts/abi-update.sh and describe it in"
  echo "check_abi: CHANGELOG.md in the same commit (docs/abi.md)."
  exit 1
fi
echo "check_abi: the ABI matches $base"
