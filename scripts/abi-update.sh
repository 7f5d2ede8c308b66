#!/bin/sh
# Regenerates the committed ABI baseline abi/libtriage-<version>.abi from the
# library built in BUILDDIR (default build/), for the version in meson.build.
#   scripts/abi-update.sh [BUILDDIR]
# The commit that changes the baseline also says what changed in CHANGELOG.md
# (docs/abi.md, "The ABI gate").
set -eu
cd "$(dirname "$0")/.."
builddir=${1:-build}
version=$(sed -n "s/^ *version: *'\([0-9][0-9.]*\)'.*/\1/p" meson.build | head -n 1)
[ -n "$version" ] || { echo "abi-update: no version in meson.build" >&2; exit 1; }
meson compile -C "$builddir" >/dev/null
lib=$(ls "$builddir"/src/libtriage.so.*.*.* | head -n 1)
mkdir -p abi
out=abi/libtriage-$version.abi
tests/abi/abi_dump.sh "$lib" include/triage > "$out.tmp"
mv "$out.tmp" "$out"
echo "abi-update: wrote $out from $lib"
