#!/bin/sh
# One fuzz test (meson suite 'fuzz'): replays every committed corpus file of
# the target, then fuzzes for a bounded time with that corpus as seeds.
#   run.sh FUZZER CORPUS_DIR [SECONDS]
# SECONDS defaults to $TRIAGE_FUZZ_SECONDS, else 60. New inputs go to a
# temporary directory (the committed corpus is only read); a crash is saved
# under $TRIAGE_FUZZ_ARTIFACTS (default: the build's fuzz-artifacts/) and
# fails the test: add it to the corpus and write a unit test for it
# (docs/testing.md).
set -u
fuzzer=$1 corpus=$2
secs=${3:-${TRIAGE_FUZZ_SECONDS:-60}}
if [ "$fuzzer" = "--skip" ]; then
  echo "fuzz: SKIP: $corpus"
  exit 77
fi
name=$(basename "$fuzzer")
quiet=""
[ "$name" = fuzz_cli ] && quiet="-close_fd_mask=3" # the CLI prints; libFuzzer keeps its own output
art=${TRIAGE_FUZZ_ARTIFACTS:-$(dirname "$fuzzer")/fuzz-artifacts}/$name
mkdir -p "$art"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
export TMPDIR="$work"
set -- "$corpus"/*
if [ ! -e "$1" ]; then
  echo "fuzz: $name: the corpus $corpus is empty"
  exit 1
fi
echo "fuzz: $name: replaying $# corpus files"
"$fuzzer" $quiet -artifact_prefix="$art/" "$@" > "$work/replay.log" 2>&1 || {
  cat "$work/replay.log"; echo "fuzz: $name: FAIL: a corpus file crashes"; exit 1; }
echo "fuzz: $name: fuzzing for $secs s"
mkdir -p "$work/new"
"$fuzzer" $quiet -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$art/" "$work/new" "$corpus" > "$work/fuzz.log" 2>&1
rc=$?
grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::new_units_added|#[0-9]+.*DONE)' "$work/fuzz.log"
if [ "$rc" -ne 0 ]; then
  tail -n 60 "$work/fuzz.log"
  echo "fuzz: $name: FAIL (exit $rc); the input is in $art/"
  exit 1
fi
echo "fuzz: $name: ok"
