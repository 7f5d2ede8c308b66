#!/bin/sh
# Runs each benchmark program given on the command line and prints its figures.
set -eu
for prog in "$@"; do
  echo "== $(basename "$prog")"
  "$prog"
done
