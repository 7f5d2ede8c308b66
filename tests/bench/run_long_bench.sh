#!/bin/sh
# Long runs (issue 15 item 8): 1, 3 and 10 simulated years of a steady
# scenario, each in a fresh process after the same warm-up, with the history
# released (the default: closed cases are summarised into monthly periods and
# released), then for reference 1 and 3 years with the history kept. Prints
# each run's wall and CPU time, maximum resident memory and open cases at the
# end, with the ratio of time and memory to the one-year run of its mode.
# CPU time is the steadier figure on a loaded machine.
# Usage: tests/bench/run_long_bench.sh BUILD_DIR [SCENARIO] [WARMUP_DAYS] [KEPT_YEARS]
#   (defaults: examples/scenarios/region-500k-steady.scn, 365, "1 3")
set -eu
build=${1:-build}
here=$(dirname "$0")
scn=${2:-"$here/../../examples/scenarios/region-500k-steady.scn"}
warmup=${3:-365}
kept=${4:-"1 3"}
run() { # run MODE YEARS...
  mode=$1; shift
  base_t= base_c= base_m=
  for years in "$@"; do
    days=$((years * 365))
    out=$("$build/tests/bench/bench_sim" "$days" "$scn" "$mode" "$warmup")
    t=$(echo "$out" | sed -n 's/.*: \([0-9.]*\) s wall.*/\1/p')
    c=$(echo "$out" | sed -n 's/.*cpu \([0-9.]*\) s.*/\1/p')
    m=$(echo "$out" | sed -n 's/.*max resident \([0-9]*\) MB.*/\1/p')
    open=$(echo "$out" | sed -n 's/.*open at end \([0-9]*\),.*/\1/p')
    [ -n "$base_t" ] || { base_t=$t; base_c=$c; base_m=$m; }
    awk -v mode="$mode" -v y="$years" -v t="$t" -v c="$c" -v m="$m" -v bt="$base_t" \
        -v bc="$base_c" -v bm="$base_m" -v o="$open" -v w="$warmup" 'BEGIN {
      printf "%-7s %2d years (+%s days warm-up): %7.2f s wall (%5.2fx), %7.2f s cpu (%5.2fx 1 year), max resident %4d MB (%.2fx), open cases at the end %s\n",
        mode, y, w, t, t / bt, c, c / bc, m, m / bm, o }'
  done
}
run release 1 3 10
# shellcheck disable=SC2086
[ -z "$kept" ] || run keep $kept
