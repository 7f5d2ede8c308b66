#!/bin/sh
# Runs one fuzz target for longer than the test suite does.
#   scripts/fuzz.sh NAME SECONDS [BUILDDIR]
# NAME: scenario, record, policy, sqlite, parse or cli (the sources are in
# tests/fuzz/). The target's committed corpus under tests/fuzz/corpus/
# seeds it and is only read; a crash is saved in the build directory, under
# fuzz-artifacts beside the fuzzers (docs/testing.md says what to do with it).
# Prints libFuzzer's final statistics (exec counts).
set -eu
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/fuzz.sh NAME SECONDS [BUILDDIR]}
secs=${2:?usage: scripts/fuzz.sh NAME SECONDS [BUILDDIR]}
builddir=${3:-build}
# the custom target that builds every fuzzer
meson compile -C "$builddir" fuzzers >/dev/null
exec tests/fuzz/run.sh "$builddir/tests/fuzz/fuzz_$name" "tests/fuzz/corpus/$name" "$secs"
