#!/bin/sh
# Runs the C simulator benchmark and the plain-Python model on the same
# scenario and prints both figures and the ratio of their events/s.
# Usage: tests/bench/run_sim_bench.sh BUILD_DIR [DAYS]
set -eu
build=${1:-build}
days=${2:-365}
here=$(dirname "$0")
scn="$here/../../examples/scenarios/region-500k.scn"
c=$("$build/tests/bench/bench_sim" "$days" "$scn")
py=$(/usr/bin/python3 "$here/bench_sim_simpy.py" "$days" "$scn")
echo "$c"
echo "$py"
ce=$(echo "$c" | sed -n 's/.*(\([0-9]*\) events\/s).*/\1/p')
pe=$(echo "$py" | sed -n 's/.*(\([0-9]*\) events\/s).*/\1/p')
cw=$(echo "$c" | sed -n 's/.*: \([0-9.]*\) s wall.*/\1/p')
pw=$(echo "$py" | sed -n 's/.*: \([0-9.]*\) s wall.*/\1/p')
awk -v ce="$ce" -v pe="$pe" -v cw="$cw" -v pw="$pw" 'BEGIN {
  printf "ratio: C simulator (with the engine) %.2fx the events/s of the Python model; wall %.2f s vs %.2f s\n", ce / pe, cw, pw }'
