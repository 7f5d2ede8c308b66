#!/bin/sh
# Compiles every public header alone, once as C11 and once as C++, with
# strict warnings, to prove each includes what it uses and has extern "C";
# then expands every *_INIT macro in C89/C99/C11 and C++98/C++11/C++17.
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

# Every *_INIT macro of every public header expands to a valid initializer of
# its type (triage_<name>_t), naming every member (-Wmissing-field-initializers),
# in C89, C99 and C11 (at block and file scope) and in C++98, C++11 and C++17.
m=0
for h in "$@"; do
  rel=${h#"$SRC"/}; rel=${rel#"$BLD"/}
  for mac in $(sed -n 's/^#define \(TRIAGE_[A-Z0-9_]*_INIT\)\([[:space:]]\|$\).*/\1/p' "$h"); do
    type=$(echo "${mac%_INIT}" | tr 'A-Z' 'a-z')_t
    m=$((m + 1))
    printf '#include <%s>\nstatic %s file_scope = %s;\nint probe(void);\nint probe(void) { %s x = %s; (void)x; (void)file_scope; return 0; }\n' \
      "$rel" "$type" "$mac" "$type" "$mac" > "$tmp/m.c"
    for std in c89 c99 c11; do
      if ! "$CC" -std=$std -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$SRC" -I"$BLD" "$tmp/m.c"; then
        echo "FAIL ($std): $mac in $rel"; fail=$((fail + 1))
      fi
    done
    if [ -n "$CXX" ]; then
      cp "$tmp/m.c" "$tmp/m.cpp"
      for std in c++98 c++11 c++17; do
        if ! "$CXX" -std=$std -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I"$SRC" -I"$BLD" "$tmp/m.cpp"; then
          echo "FAIL ($std): $mac in $rel"; fail=$((fail + 1))
        fi
      done
    fi
  done
done
[ "$m" -gt 0 ] || { echo "FAIL: no *_INIT macro found"; fail=$((fail + 1)); }
echo "$n headers and $m INIT macros checked, $fail failures"
[ "$fail" -eq 0 ]
