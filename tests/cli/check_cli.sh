#!/bin/sh
# The triage command: --version/--help succeed, bad arguments give exit 2
# and exactly one line on stderr.
set -u
cli=$1
fails=0 n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect() { # expect CODE STDERR_LINES ARGS...
  want=$1 lines=$2; shift 2
  n=$((n + 1))
  "$cli" "$@" > "$tmp/out" 2> "$tmp/err"; got=$?
  errl=$(wc -l < "$tmp/err")
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: triage $* exited $got, expected $want"; fails=$((fails + 1)); return
  fi
  if [ "$lines" != "-" ] && [ "$errl" -ne "$lines" ]; then
    echo "FAIL: triage $* wrote $errl stderr lines, expected $lines"; cat "$tmp/err"; fails=$((fails + 1))
  fi
}

expect 0 0 --version
grep -q '^triage (libtriage) [0-9]*\.[0-9]*\.[0-9]*$' "$tmp/out" || { echo "FAIL: --version output"; fails=$((fails + 1)); }
expect 0 0 --help
grep -q '^Usage: triage' "$tmp/out" || { echo "FAIL: --help output"; fails=$((fails + 1)); }
expect 2 - 
expect 2 1 --bogus
expect 2 1 no-such-command
expect 2 1 date-info
expect 2 1 date-info 2026-02-30
expect 2 1 date-info 2026-1-1
expect 0 0 date-info 2026-11-23
grep -q '^2026-11-23 Monday$' "$tmp/out" || { echo "FAIL: date-info output"; fails=$((fails + 1)); }

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
