#!/bin/sh
# The shared library must export exactly the symbols listed in the version
# script: all triage_-prefixed, nothing internal (triage__*) and nothing else.
set -eu
lib=$1 map=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sed 's/@.*//' | sort -u > "$tmp/exported"
sed -n 's/^[[:space:]]*\(triage_[a-z0-9_]*\);.*/\1/p' "$map" | sort -u > "$tmp/listed"
status=0
if grep -v '^triage_' "$tmp/exported" | grep -v '^TRIAGE_' | grep -q .; then
  echo "exported without the triage_ prefix:"; grep -v '^triage_' "$tmp/exported" | grep -v '^TRIAGE_'; status=1
fi
if grep -q '^triage__' "$tmp/exported"; then
  echo "internal symbols exported:"; grep '^triage__' "$tmp/exported"; status=1
fi
if ! diff -u "$tmp/listed" "$tmp/exported"; then
  echo "exported symbols differ from $map"; status=1
fi
# Every exported symbol carries a version node from the map.
if nm -D --defined-only "$lib" | awk '$3 ~ /^triage_/ && $3 !~ /@@?TRIAGE_/' | grep -q .; then
  echo "symbols without a version node:"; nm -D --defined-only "$lib" | awk '$3 ~ /^triage_/ && $3 !~ /@@?TRIAGE_/'; status=1
fi
echo "$(wc -l < "$tmp/exported") symbols exported"
exit $status
