#!/bin/sh
# The ABI gate's own test: builds a small library, takes its baseline with
# tests/abi/abi_dump.sh, and shows that tests/abi/check_abi.sh passes for the
# same library and fails for a struct with a member inserted in the middle,
# a member appended, an added function and a removed one.
#   tests/abi/check_abi_selftest.sh CC
set -u
cc=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0 n=0
mkdir -p "$tmp/inc"

# build VARIANT: a header and a library from the variant's struct and functions.
build() {
  struct=$1 extra=$2
  cat > "$tmp/inc/probe.h" <<EOH
#include <stdint.h>
typedef struct probe_opts { $struct } probe_opts_t;
__attribute__((visibility("default"))) int probe_use(const probe_opts_t *o);
$extra
EOH
  printf '#include "probe.h"\nint probe_use(const probe_opts_t *o) { return (int)o->version; }\n' > "$tmp/probe.c"
  case "$extra" in *probe_more*) printf 'int probe_more(void) { return 1; }\n' >> "$tmp/probe.c";; esac
  "$cc" -g -O0 -shared -fPIC -fvisibility=hidden -I"$tmp/inc" -o "$tmp/libprobe.so" "$tmp/probe.c"
}

# expect PASS|FAIL WHAT: runs the gate against the baseline.
expect() {
  n=$((n + 1))
  if "$here/check_abi.sh" "$tmp/base.abi" "$tmp/libprobe.so" "$tmp/inc" > "$tmp/out" 2>&1; then got=PASS; else got=FAIL; fi
  if [ "$got" != "$1" ]; then
    echo "FAIL: $2: the gate said $got, expected $1"; cat "$tmp/out"; fails=$((fails + 1))
  else
    echo "ok: $2 ($got)"
  fi
}

v1='uint32_t version; int32_t create; int32_t timeout;'
more='__attribute__((visibility("default"))) int probe_more(void);'
build "$v1" "$more"
"$here/abi_dump.sh" "$tmp/libprobe.so" "$tmp/inc" > "$tmp/base.abi"
expect PASS "the same library"
build 'uint32_t version; int32_t inserted; int32_t create; int32_t timeout;' "$more"
expect FAIL "a member inserted in the middle of a struct"
build "$v1 int32_t appended;" "$more"
expect FAIL "a member appended to a struct"
build 'uint32_t version; int64_t create; int32_t timeout;' "$more"
expect FAIL "a member's type changed"
build "$v1" ""
expect FAIL "a function removed"
# An added function: probe_more comes back in a library whose baseline lacks it.
"$here/abi_dump.sh" "$tmp/libprobe.so" "$tmp/inc" > "$tmp/base.abi"
build "$v1" "$more"
expect FAIL "a function added"
# Without debug info the gate fails too (--fail-no-debug-info).
"$cc" -O0 -shared -fPIC -fvisibility=hidden -I"$tmp/inc" -o "$tmp/libprobe.so" "$tmp/probe.c"
expect FAIL "a library without debug info"

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
