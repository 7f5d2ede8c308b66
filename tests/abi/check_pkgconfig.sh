#!/bin/sh
# Installs the build into a scratch DESTDIR and builds examples/c/quickstart.c
# against the installed headers with `pkg-config --cflags --libs triage`.
set -eu
builddir=$1 example=$2 cc=${3:-cc} extra=${4:-}
dest=$(mktemp -d); trap 'rm -rf "$dest"' EXIT
meson install -C "$builddir" --destdir "$dest" --no-rebuild --quiet >/dev/null
pcdir=$(dirname "$(find "$dest" -name triage.pc | head -n 1)")
[ -f "$pcdir/triage.pc" ] || { echo "triage.pc not installed"; exit 1; }
flags=$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config --cflags --libs triage)
echo "pkg-config: $flags"
# Only the installed headers may be used: nothing from the source tree.
$cc -std=c11 -Wall -Wextra -Werror $extra -o "$dest/quickstart" "$example" $flags
libdir=$(dirname "$(find "$dest" -name 'libtriage.so.1' | head -n 1)")
out=$(LD_LIBRARY_PATH="$libdir" "$dest/quickstart")
echo "$out"
echo "$out" | grep -q 'must start by 2027-01-05' && echo "$out" | grep -q 'quadrant special_support, special support 1' && echo "$out" | grep -q 'rejected: the month has no such day (day)'
# The SONAME is the 0.x one.
readelf -d "$libdir/libtriage.so.1" | grep -q 'SONAME.*libtriage.so.1\]'
echo "1 passed, 0 failed"
