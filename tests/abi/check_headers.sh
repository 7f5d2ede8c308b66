#!/bin/sh
# Compiles every public header alone, once as C11 and once as C++, with
# strict warnings, to prove each includes what it uses and has extern "C".
set -eu
CC= CXX= SRC= BLD=
while [ $# -gt 0 ]; do
  case "$1" in
    --cc) CC=$2; shift 2;;
    --cxx) CXX=$2; shift 2;;
    --src-include) SRC=$2; shift 2;;
    --build-include) BLD=$2; shift 2;;
    *) break;;
  esac
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for h in "$@" "$BLD/triage/version.h"; do
  rel=${h#"$SRC"/}; rel=${rel#"$BLD"/}
  printf '#include <%s>\n#include <%s>\n' "$rel" "$rel" > "$tmp/t.c"   # twice: include guard
  n=$((n + 1))
  if ! "$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$SRC" -I"$BLD" "$tmp/t.c"; then
    echo "FAIL (C11): $rel"; fail=$((fail + 1))
  fi
  if [ -n "$CXX" ]; then
    cp "$tmp/t.c" "$tmp/t.cpp"
    printf 'extern "C" void probe(void);\n' >> "$tmp/t.cpp"
    if ! "$CXX" -std=c++11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$SRC" -I"$BLD" "$tmp/t.cpp"; then
      echo "FAIL (C++): $rel"; fail=$((fail + 1))
    fi
  fi
done
echo "$n headers checked, $fail failures"
[ "$fail" -eq 0 ]
