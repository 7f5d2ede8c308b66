#!/bin/sh
# Runs one fuzz target for longer than the test suite does.
#   scripts/fuzz.sh NAME SECONDS [BUILDDIR]
# NAME: scenario, record, sqlite, parse or cli (tests/fuzz/fuzz_NAME.c). The
# committed corpus tests/fuzz/corpus/NAME/ seeds it and is only read; a crash
# is saved under BUILDDIR/tests/fuzz/fuzz-artifacts/ (docs/testing.md says
# what to do with it). Prints libFuzzer's final statistics (exec counts).
set -eu
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/fuzz.sh NAME SECONDS [BUILDDIR]}
secs=${2:?usage: scripts/fuzz.sh NAME SECONDS [BUILDDIR]}
builddir=${3:-build}
meson compile -C "$builddir" tests/fuzz/fuzzers >/dev/null
exec tests/fuzz/run.sh "$builddir/tests/fuzz/fuzz_$name" tests/fuzz/corpus/"$name" "$secs"
