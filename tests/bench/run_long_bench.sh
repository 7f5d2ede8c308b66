#!/bin/sh
# Long runs (issue 15 item 8): 1, 3 and 10 simulated years of a scenario,
# each in a fresh process, with the history released (keep_history 0,
# monthly periods) after the same warm-up, so every run starts from the
# scenario's steady state. Prints each run's wall time and maximum resident
# memory, and the ratio of each to the one-year run.
# Usage: tests/bench/run_long_bench.sh BUILD_DIR [SCENARIO] [WARMUP_DAYS]
#   (defaults: examples/scenarios/region-500k.scn, 365)
set -eu
build=${1:-build}
here=$(dirname "$0")
scn=${2:-"$here/../../examples/scenarios/region-500k.scn"}
warmup=${3:-365}
base_t=
base_m=
for years in 1 3 10; do
  days=$((years * 365))
  out=$("$build/tests/bench/bench_sim" "$days" "$scn" release "$warmup")
  t=$(echo "$out" | sed -n 's/.*: \([0-9.]*\) s wall.*/\1/p')
  m=$(echo "$out" | sed -n 's/.*max resident \([0-9]*\) MB.*/\1/p')
  open=$(echo "$out" | sed -n 's/.*open at end \([0-9]*\),.*/\1/p')
  [ -n "$base_t" ] || { base_t=$t; base_m=$m; }
  awk -v y="$years" -v t="$t" -v m="$m" -v bt="$base_t" -v bm="$base_m" -v o="$open" 'BEGIN {
    printf "%2d years (+%s days warm-up): %7.2f s wall (%.2fx 1 year), max resident %4d MB (%.2fx), open cases at the end %s\n",
      y, "'"$warmup"'", t, t / bt, m, m / bm, o }'
done
