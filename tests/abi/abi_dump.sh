#!/bin/sh
# The ABI of a shared library as abidw XML without machine paths: public
# types only (those of HEADERS_DIR), no corpus or compilation-directory path,
# and source locations as bare file names (--short-locs; --no-show-locs would
# drop them, and abidiff 2.2 then can no longer tell public types from
# private ones and filters every struct change out: the self-test shows it).
# Used by scripts/abi-update.sh and the gate's self-test.
#   tests/abi/abi_dump.sh LIBRARY HEADERS_DIR > FILE.abi
# Line and column numbers are all set to 1, so that editing a comment in a
# header does not rewrite the baseline. (Removing them altogether makes
# abidiff filter struct changes out again: the self-test shows it.)
set -eu
abidw --headers-dir "$2" --drop-private-types --no-corpus-path --no-comp-dir-path \
  --short-locs "$1" | sed "s/ line='[0-9]*' column='[0-9]*'/ line='1' column='1'/"
