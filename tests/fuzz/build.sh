#!/bin/sh
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined)
# from the library's own sources; meson runs it as a custom_target (the main
# build uses gcc). The library objects are compiled once into an archive,
# then each target is linked against it.
#   build.sh CLANG OUTDIR SRC_ROOT BUILD_ROOT -- LIBRARY_SOURCES... -- TARGET_SOURCES...
# TARGET_SOURCES are tests/fuzz/fuzz_*.c; fuzz_cli also compiles the CLI's
# examples/cli/triage.c (with main renamed), examples/cli/simulate.c and
# examples/cli/tables.c. Outputs: OUTDIR/fuzz_NAME.
set -eu
clang=$1 out=$2 src=$3 bld=$4
shift 4
[ "$1" = "--" ] && shift
libsrc=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do libsrc="$libsrc $1"; shift; done
[ $# -gt 0 ] && shift
objdir="$out/fuzz-objs"
mkdir -p "$objdir"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-std=c11 -g -O1 -D_DEFAULT_SOURCE -Wno-unused-command-line-argument \
  -I$src/include -I$bld/include -I$src/src $(pkg-config --cflags uuid sqlite3 2>/dev/null || true) \
  $(pkg-config --cflags libpq 2>/dev/null || true)"
libs="$(pkg-config --libs uuid sqlite3 2>/dev/null || echo -luuid -lsqlite3) -lm"
# The PostgreSQL store is among the library sources when the build has it.
case " $libsrc " in
*store_pg.c*) libs="$libs $(pkg-config --libs libpq 2>/dev/null || echo -lpq)" ;;
esac
objs=""
for f in $libsrc; do
  o="$objdir/$(echo "$f" | sed 's|.*/src/||; s|/|_|g; s|\.c$|.o|')"
  # -fsanitize=fuzzer-no-link: coverage for the fuzzer in the library too.
  $clang $cflags $san -fsanitize=fuzzer-no-link -c "$f" -o "$o"
  objs="$objs $o"
done
rm -f "$objdir/libtriage_fuzz.a"
ar rcs "$objdir/libtriage_fuzz.a" $objs
for t in "$@"; do
  name=$(basename "$t" .c)
  extra="" extralibs=""
  if [ "$name" = fuzz_cli ]; then
    $clang $cflags $san -fsanitize=fuzzer-no-link -Dmain=triage_cli_main \
      -c "$src/examples/cli/triage.c" -o "$objdir/cli_triage.o"
    $clang $cflags $san -fsanitize=fuzzer-no-link \
      -c "$src/examples/cli/simulate.c" -o "$objdir/cli_simulate.o"
    $clang $cflags $san -fsanitize=fuzzer-no-link \
      -c "$src/examples/cli/tables.c" -o "$objdir/cli_tables.o"
    extra="$objdir/cli_triage.o $objdir/cli_simulate.o $objdir/cli_tables.o"
    extralibs=$(pkg-config --libs jansson 2>/dev/null || echo -ljansson)
  fi
  $clang $cflags $san -fsanitize=fuzzer "$t" $extra "$objdir/libtriage_fuzz.a" $libs $extralibs \
    -o "$out/$name"
done
