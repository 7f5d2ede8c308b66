#!/bin/sh
# Configures, builds and runs the whole libtriage test suite.
#   scripts/test.sh             build/ with warnings as errors
#   scripts/test.sh --sanitize  build-sanitize/ with AddressSanitizer + UBSan
# Ends with one line "tests: N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
builddir=build
opts="-Dwerror=true -Dpython_interpreter=/usr/bin/python3 -Dpostgresql=enabled"
if [ "${1:-}" = "--sanitize" ]; then
  builddir=build-sanitize
  opts="$opts -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
if [ -d "$builddir/meson-private" ]; then
  # --reconfigure also learns options added since the directory was set up
  meson setup --reconfigure "$builddir" $opts >/dev/null
else
  meson setup "$builddir" $opts >/dev/null
fi
meson compile -C "$builddir"
set +e
meson test -C "$builddir" --print-errorlogs --num-processes 2 > "$builddir/test-summary.txt" 2>&1
rc=$?
cat "$builddir/test-summary.txt"
set -e
ok=$(sed -n 's/^Ok:[[:space:]]*\([0-9]*\).*/\1/p' "$builddir/test-summary.txt")
bad=0
for k in Fail Timeout "Unexpected Pass"; do
  n=$(sed -n "s/^$k:[[:space:]]*\([0-9]*\).*/\1/p" "$builddir/test-summary.txt")
  bad=$((bad + ${n:-0}))
done
echo "tests: ${ok:-0} passed, $bad failed"
exit $rc
