#!/bin/sh
# Builds libtriage (if needed) and runs the `triage` command's main job:
# a year of the shipped North Savo-like scenario simulated on the embedded
# SQLite store, then its report. Arguments are passed to `triage` instead.
set -eu
cd "$(dirname "$0")/.."
if [ ! -d build/meson-private ]; then
  meson setup build -Dpython_interpreter=/usr/bin/python3 >/dev/null
fi
meson compile -C build >/dev/null
if [ $# -gt 0 ]; then
  exec build/examples/cli/triage "$@"
fi
db_dir=$(mktemp -d)
trap 'rm -rf "$db_dir"' EXIT
echo "Simulating one year of examples/scenarios/north-savo.scn (seed 1) into $db_dir/north-savo.db"
build/examples/cli/triage simulate --scenario examples/scenarios/north-savo.scn \
  --days 365 --seed 1 --db "$db_dir/north-savo.db"
