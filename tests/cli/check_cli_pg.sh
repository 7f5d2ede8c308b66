#!/bin/sh
# The triage command on PostgreSQL (docs/cli.md): --db takes a connection
# string wherever it takes a file. Run inside tests/postgresql/with_cluster.sh
# (TRIAGE_PG_CONNINFO, PGHOST, PGPORT, TRIAGE_PG_PWUSER); skipped without it.
# A simulation persisted to PostgreSQL gives the same report as one
# persisted to SQLite; check validates it; a used database is refused; no
# password and no connection string is ever printed. The runs skip the
# scenario's year of warm-up (--warmup 0): written to PostgreSQL it took
# most of the test's 300 s.
set -u
cli=$1
[ -n "${TRIAGE_PG_CONNINFO-}" ] || { echo "SKIP: no PostgreSQL cluster"; exit 77; }
ci=$TRIAGE_PG_CONNINFO
fails=0 n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
: > "$tmp/in"
psql_() { "${TRIAGE_PG_BINDIR:+$TRIAGE_PG_BINDIR/}psql" -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }
has() { grep -qxF -- "$1" "$tmp/out" || { echo "FAIL: output lacks '$1'"; cat "$tmp/out"; fails=$((fails + 1)); }; }
expect() { # expect CODE STDERR_LINES ARGS...
  want=$1 lines=$2; shift 2
  n=$((n + 1))
  "$cli" "$@" < "$tmp/in" > "$tmp/out" 2> "$tmp/err"; got=$?
  errl=$(wc -l < "$tmp/err")
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: triage $* exited $got, expected $want"; cat "$tmp/err"; fails=$((fails + 1)); return
  fi
  if [ "$lines" != "-" ] && [ "$errl" -ne "$lines" ]; then
    echo "FAIL: triage $* wrote $errl stderr lines, expected $lines"; cat "$tmp/err"; fails=$((fails + 1))
  fi
}
secret_free() { # the last command printed neither the password nor the string
  for f in "$tmp/out" "$tmp/err"; do
    if grep -qF -- "$1" "$f" || grep -qF -- "host=" "$f" || grep -qF -- "postgresql://" "$f"; then
      echo "FAIL: a password or connection string was printed: $(cat "$f")"; fails=$((fails + 1))
    fi
  done
}

scn="$(dirname "$0")/../../examples/scenarios/north-savo.scn"
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv
cp "$tmp/out" "$tmp/mem.csv"
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv --db "$ci"
cmp -s "$tmp/out" "$tmp/mem.csv" || { echo "FAIL: simulate memory and PostgreSQL differ"; fails=$((fails + 1)); }
expect 0 0 report --db "$ci" --from 2025-01-01 --to 2025-01-20 --format csv
cp "$tmp/out" "$tmp/pg-report.csv"
if [ "$("$cli" --help | grep -c SQLite)" -gt 0 ] && "$cli" simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv --db "$tmp/sim.db" > /dev/null 2>&1; then
  expect 0 0 report --db "$tmp/sim.db" --from 2025-01-01 --to 2025-01-20 --format csv
  cmp -s "$tmp/out" "$tmp/pg-report.csv" || { echo "FAIL: reports from SQLite and PostgreSQL differ"; fails=$((fails + 1)); }
fi
[ "$(psql_ "SELECT count(*) > 0 FROM triage.cases")" = t ] || { echo "FAIL: no cases in triage.cases"; fails=$((fails + 1)); }
expect 0 0 check --db "$ci"
has "records: every record and event is valid"
grep -q '^cases: [1-9][0-9]*$' "$tmp/out" || { echo "FAIL: check summary"; cat "$tmp/out"; fails=$((fails + 1)); }
grep -q integrity_check "$tmp/out" && { echo "FAIL: check ran SQLite's page check on PostgreSQL"; fails=$((fails + 1)); }
expect 1 1 simulate --scenario "$scn" --days 5 --warmup 0 --db "$ci"
grep -q "already holds data" "$tmp/err" || { echo "FAIL: simulate into a used database"; cat "$tmp/err"; fails=$((fails + 1)); }
# a file name with '=' and a directory part is a file, not a connection string
expect 2 1 check --db "$tmp/a=b.db"
grep -q "does not exist" "$tmp/err" || { echo "FAIL: a=b.db taken for a connection string"; cat "$tmp/err"; fails=$((fails + 1)); }
# a URI names the same database
expect 0 0 check --db "postgresql:///triage_test?host=$PGHOST&port=$PGPORT"
# another schema: empty, so report and check find no tables (exit 2), and
# nothing is created; simulate makes its tables
expect 2 1 report --db "$ci" --schema other_one --from 2025-01-01 --to 2025-01-20
expect 2 1 check --db "$ci" --schema other_one
[ "$(psql_ "SELECT count(*) FROM pg_namespace WHERE nspname = 'other_one'")" = 0 ] || { echo "FAIL: report created a schema"; fails=$((fails + 1)); }
expect 0 0 simulate --scenario "$scn" --days 3 --warmup 0 --db "$ci" --schema other_one --format csv
expect 0 0 check --db "$ci" --schema other_one
expect 2 1 check --db "$tmp/x.db" --schema other_one
expect 2 1 check --db "$ci" --schema
expect 2 1 check --db "$ci" --schema Not-Valid

# credentials: a wrong password, a string that does not parse, a server
# that is not there; never the password or the string on any output
secret="Cli-S3cret-2718"
pw=${TRIAGE_PG_PWUSER:-triage_pw}
psql_ "SET client_min_messages TO warning; DROP ROLE IF EXISTS $pw; CREATE ROLE $pw LOGIN PASSWORD 'right'"
expect 1 1 report --db "host=$PGHOST port=$PGPORT dbname=triage_test user=$pw password=$secret" --from 2025-01-01 --to 2025-01-02
grep -q "cannot connect" "$tmp/err" || { echo "FAIL: connect failure message"; cat "$tmp/err"; fails=$((fails + 1)); }
secret_free "$secret"
expect 1 1 check --db "postgresql://$pw:$secret@/triage_test?host=$PGHOST&port=$PGPORT"
secret_free "$secret"
expect 2 1 check --db "host=$PGHOST password $secret"
secret_free "$secret"
expect 1 1 simulate --scenario "$scn" --days 2 --warmup 0 --db "host=$tmp/nowhere password=$secret"
secret_free "$secret"
psql_ "DROP ROLE $pw"

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
