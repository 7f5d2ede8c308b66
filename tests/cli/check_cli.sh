#!/bin/sh
# The triage command: --version/--help succeed, bad arguments give exit 2
# and exactly one line on stderr.
set -u
cli=$1
fails=0 n=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
: > "$tmp/in"
# has TEXT: the last command's stdout holds the line TEXT (fixed string).
has() { grep -qxF -- "$1" "$tmp/out" || { echo "FAIL: output lacks '$1'"; cat "$tmp/out"; fails=$((fails + 1)); }; }

expect() { # expect CODE STDERR_LINES ARGS...   (stdin from $tmp/in)
  want=$1 lines=$2; shift 2
  n=$((n + 1))
  "$cli" "$@" < "$tmp/in" > "$tmp/out" 2> "$tmp/err"; got=$?
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

# deadlines (docs/domain.md section 5.3): a contact by someone 80 years old gives D2,
# the 7th business day after 2026-11-23 (Mon) = 2026-12-02; the tier is lifted
# to PRIORITY, whose response is due the same day.
expect 0 0 deadlines --kind contact --received 2026-11-23 --own-contact --age 80
has "row       basis       milestone              due"
has "D1        SHL 36 §    urgency_assessed       2026-11-23"
has "D2        SHL 36 §    assessment_started     2026-12-02"
has "response  policy      response               2026-12-02"
expect 0 0 deadlines --kind=notification --received=2026-11-23 --urgency URGENT
has "D8        SHL 36 §    assessment_started     2026-12-14"
has "response  policy      response               2026-11-24"
expect 0 0 deadlines --kind child_welfare_notification --received 2026-11-23 --service family
has "D7        LSL 26 §    assessment_completed   2027-02-23"
expect 2 1 deadlines
expect 2 1 deadlines --received 2026-11-23
expect 2 1 deadlines --kind contact
expect 2 1 deadlines --kind nonsense --received 2026-11-23
expect 2 1 deadlines --kind contact --received 2026-13-01
expect 2 1 deadlines --kind contact --received
expect 2 1 deadlines --kind contact --received 2026-11-23 --age -4
expect 2 1 deadlines --kind contact --received 2026-11-23 --age 12x
expect 2 1 deadlines --kind contact --received 2026-11-23 --urgency soon
expect 2 1 deadlines --kind contact --received 2026-11-23 --service children
expect 2 1 deadlines --kind contact --received 2026-11-23 --bogus
expect 2 1 deadlines --kind child_welfare_notification --received 2026-11-23
expect 2 1 deadlines --kind contact --received 1850-01-01

# classify (docs/domain.md section 6): a severe area and a psychiatric cause -> Q4.
expect 0 0 classify --need housing=2,mental_health=3 --capacity psychiatric=2
has "quadrant:        special_support"
has "special support: yes"
has "required role:   social_worker"
has "need score:      5 (high)"
has "need decided by: mental_health"
has "capacity by:     psychiatric"
expect 0 0 classify --need housing=1
has "quadrant:        guidance_only"
has "capacity by:     -"
expect 0 0 classify --need=housing=3 --capacity=psychiatric=2 --age-related
has "special support: no"
printf '{"need": {"housing": 3}, "capacity": {"psychiatric": 2}, "age_related": false}' > "$tmp/in"
expect 0 0 classify
has "quadrant:        special_support"
has "special support: yes"
printf '{"need": {"activity": 2, "life_skills": 2, "housing": 2}}' > "$tmp/in"
expect 0 0 classify
has "quadrant:        social_guidance_work"
has "need decided by: housing, activity, life_skills"
printf '{"need": {"housing": 4}}' > "$tmp/in"; expect 2 1 classify
printf '{"need": {"housing": "3"}}' > "$tmp/in"; expect 2 1 classify
printf '{"need": {"housing": 1.5}}' > "$tmp/in"; expect 2 1 classify
printf '{"need": {"housing": 1, "housing": 2}}' > "$tmp/in"; expect 2 1 classify
printf '{"need": {"rent": 1}}' > "$tmp/in"; expect 2 1 classify
printf '{"capacity": {"housing": 1}}' > "$tmp/in"; expect 2 1 classify
printf '{"need": [1, 2]}' > "$tmp/in"; expect 2 1 classify
printf '{"age_related": 1}' > "$tmp/in"; expect 2 1 classify
printf '{"colour": "blue"}' > "$tmp/in"; expect 2 1 classify
printf '[1, 2]' > "$tmp/in"; expect 2 1 classify
printf '{"need": {"housing": 3' > "$tmp/in"; expect 2 1 classify
printf '{"need": {"housing": 3}} trailing' > "$tmp/in"; expect 2 1 classify
: > "$tmp/in"; expect 2 1 classify
expect 2 1 classify --need housing=4
expect 2 1 classify --need housing
expect 2 1 classify --need rent=1
expect 2 1 classify --need
expect 2 1 classify --capacity psychiatric=-1
expect 2 1 classify --need housing=2 --colour blue

# report: arguments are checked first; the store itself is not built yet,
# which is a run-time failure (exit 1, one line).
# A missing database is an error, and reporting never creates one.
expect 2 1 report --db "$tmp/none.db" --from 2026-11-01 --to 2026-11-30
grep -q "does not exist" "$tmp/err" || { echo "FAIL: report missing-db message"; fails=$((fails + 1)); }
[ ! -e "$tmp/none.db" ] || { echo "FAIL: report created a database"; fails=$((fails + 1)); }
# A file that is not a libtriage database is refused and left as it was.
printf 'not a database\n' > "$tmp/notes.txt"
cp "$tmp/notes.txt" "$tmp/notes.orig"
expect 2 1 report --db "$tmp/notes.txt" --from 2026-11-01 --to 2026-11-30 --format json
grep -q "not a libtriage database" "$tmp/err" || { echo "FAIL: report foreign-file message"; fails=$((fails + 1)); }
cmp -s "$tmp/notes.txt" "$tmp/notes.orig" || { echo "FAIL: report changed a foreign file"; fails=$((fails + 1)); }
expect 2 1 report
expect 2 1 report --from 2026-11-01 --to 2026-11-30
expect 2 1 report --db x.db --to 2026-11-30
expect 2 1 report --db x.db --from 2026-11-01
expect 2 1 report --db x.db --from 2026-11-31 --to 2026-12-01
expect 2 1 report --db x.db --from 2026-11-30 --to 2026-11-01
expect 2 1 report --db x.db --from 2026-11-01 --to 2026-11-30 --format xml
expect 2 1 report --db x.db --from 2026-11-01 --to 2026-11-30 --verbose
expect 2 1 report --db

# simulate (docs/simulation.md): a short run prints the report; the same seed
# gives the same CSV; with --db it persists to a new SQLite file, which
# `triage report` then reads. Bad scenario files: exit 2, one stderr line
# naming the file and the line, and no database is created.
scn="$(dirname "$0")/../../examples/scenarios/north-savo.scn"
expect 0 0 simulate --scenario "$scn" --days 20 --seed 3
grep -q '^Simulation: 20 days' "$tmp/out" || { echo "FAIL: simulate table"; cat "$tmp/out"; fails=$((fails + 1)); }
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv
cp "$tmp/out" "$tmp/sim1.csv"
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv --db "$tmp/sim.db"
cmp -s "$tmp/out" "$tmp/sim1.csv" || { echo "FAIL: simulate memory and SQLite differ"; fails=$((fails + 1)); }
has "simulation,,seed,3"
cp "$tmp/sim.db" "$tmp/sim.before"
expect 0 0 report --db "$tmp/sim.db" --from 2025-01-01 --to 2025-01-20 --format csv
cmp -s "$tmp/sim.db" "$tmp/sim.before" || { echo "FAIL: report changed the database"; fails=$((fails + 1)); }
# declared periods: the report then the periods' CSV; with the history kept
# the same bytes; bad periods exit 2 with one line
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv --periods 2025-01-01:2025-01-10,2025-01-10:2025-01-21
cp "$tmp/out" "$tmp/per1.csv"
grep -q '^from,to,section,group,key,value$' "$tmp/out" || { echo "FAIL: simulate --periods header"; fails=$((fails + 1)); }
grep -q '^2025-01-10,2025-01-21,intakes,all,all,' "$tmp/out" || { echo "FAIL: simulate --periods rows"; fails=$((fails + 1)); }
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv --periods 2025-01-01:2025-01-10,2025-01-10:2025-01-21 --keep-history
cmp -s "$tmp/out" "$tmp/per1.csv" || { echo "FAIL: simulate --keep-history changed figures"; fails=$((fails + 1)); }
expect 2 1 simulate --scenario "$scn" --days 20 --no-history
expect 0 0 simulate --scenario "$scn" --days 40 --warmup 0 --format csv --periods month --periods-csv "$tmp/months.csv"
[ "$(grep -c ',period,,from_ms,' "$tmp/months.csv")" = 2 ] || { echo "FAIL: simulate --periods month"; fails=$((fails + 1)); }
expect 2 1 simulate --scenario "$scn" --days 20 --warmup 0 --periods 2025-01-10:2025-01-05
expect 2 1 simulate --scenario "$scn" --days 20 --periods fortnight
expect 2 1 simulate --scenario "$scn" --days 20 --periods-csv -
expect 1 1 simulate --scenario "$scn" --days 5 --warmup 0 --db "$tmp/sim.db"
grep -q "already holds data" "$tmp/err" || { echo "FAIL: simulate into a used database"; fails=$((fails + 1)); }
printf '[worker]\nname = a\nfte = 2\n' > "$tmp/bad.scn"
expect 2 1 simulate --scenario "$tmp/bad.scn" --days 5 --db "$tmp/bad.db"
grep -q "bad.scn:3: fte" "$tmp/err" || { echo "FAIL: simulate bad-file message"; cat "$tmp/err"; fails=$((fails + 1)); }
[ ! -e "$tmp/bad.db" ] || { echo "FAIL: simulate created a database for a bad scenario"; fails=$((fails + 1)); }
expect 2 1 simulate --scenario "$tmp/missing.scn"
expect 2 1 simulate --days 5
expect 2 1 simulate --scenario "$scn" --days 0
expect 2 1 simulate --scenario "$scn" --seed x
expect 2 1 simulate --scenario "$scn" --format xml
expect 2 1 simulate --scenario "$scn" --what
# A warm-up runs before the period and counts in no figure.
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 10 --seed 3 --format csv
has "simulation,,days,20"
has "simulation,,warmup,10"
expect 2 1 simulate --scenario "$scn" --warmup -1
expect 2 1 simulate --scenario "$scn" --warmup 4000
# The social report (Lapland): CSV for *.csv, JSON otherwise or on stdout.
expect 0 0 simulate --scenario "$scn" --days 40 --warmup 0 --seed 3 --format csv --social "$tmp/soc.csv" --social-period month
head -n 1 "$tmp/soc.csv" | grep -qx 'period_start,period_end,municipality,indicator,area,count,previous,change,change_pct' || { echo "FAIL: social CSV header"; fails=$((fails + 1)); }
grep -q '^2025-02-01,2025-02-09,all,cases,,[0-9]*,[0-9]*,-*[0-9]*,' "$tmp/soc.csv" || { echo "FAIL: social CSV rows"; head -3 "$tmp/soc.csv"; fails=$((fails + 1)); }
expect 0 0 simulate --scenario "$scn" --days 10 --warmup 0 --format csv --social -
grep -q '"periods": \[' "$tmp/out" || { echo "FAIL: social JSON on stdout"; fails=$((fails + 1)); }
expect 2 1 simulate --scenario "$scn" --days 10 --social-period week
# --tables DIR: four CSV files (docs/cli.md), the Python tables' columns;
# DIR made 0700 when missing; every case of the deadlines and the assignments
# is in cases.csv; a DIR that cannot be made or written fails with exit 1.
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv --tables "$tmp/tab"
cmp -s "$tmp/out" "$tmp/sim1.csv" || { echo "FAIL: simulate --tables changed the report"; fails=$((fails + 1)); }
[ "$(stat -c %a "$tmp/tab" 2>/dev/null)" = 700 ] || { echo "FAIL: --tables DIR mode"; fails=$((fails + 1)); }
tab_header() { # tab_header NAME HEADER: DIR/NAME.csv's first line and rows
  [ "$(head -n 1 "$tmp/tab/$1.csv" 2>/dev/null)" = "$2" ] || { echo "FAIL: --tables $1.csv header"; head -n 1 "$tmp/tab/$1.csv"; fails=$((fails + 1)); }
  [ "$(wc -l < "$tmp/tab/$1.csv" 2>/dev/null || echo 0)" -gt 1 ] || { echo "FAIL: --tables $1.csv has no rows"; fails=$((fails + 1)); }
}
tab_header cases case,client,municipality,language,kind,channel,service,received,stage,urgency,quadrant,special_support,closing_reason,closed,first_contact,responded,assessment_started,assessment_completed,plan_made,wait_first_contact,wait_assessment_start,assessment_worker,responsible,pair,intakes,deadlines,contact_attempts,no_shows,children,emergency_services,attached_to
tab_header events seq,at,date,case,subject,actor,kind,from_value,to_value,reason,from_worker,to_worker,intake,policy_id,policy_version
tab_header deadlines case,intake,received,row,basis,milestone,start,due,met,state,overdue,met_on_arrival,superseded,wait,id
tab_header assignments seq,at,date,until,case,slot,worker,previous,actor,over_soft_cap,over_hard_cap
# one row per case, as many as the run's cases (the table format's count)
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3
ncases=$(sed -n 's/^Simulation: .* intakes, \([0-9]*\) cases .*/\1/p' "$tmp/out")
[ "$(tail -n +2 "$tmp/tab/cases.csv" | cut -d, -f1 | sort -u | wc -l)" = "$ncases" ] || { echo "FAIL: --tables cases.csv rows vs $ncases cases"; fails=$((fails + 1)); }
tail -n +2 "$tmp/tab/cases.csv" | cut -d, -f1 | sort -u > "$tmp/tab_cases"
tail -n +2 "$tmp/tab/deadlines.csv" | cut -d, -f1 | sort -u > "$tmp/tab_dl"
awk -F, 'NR > 1 { print $5 }' "$tmp/tab/assignments.csv" | sort -u > "$tmp/tab_as"
[ -s "$tmp/tab_dl" ] && [ -z "$(comm -23 "$tmp/tab_dl" "$tmp/tab_cases")" ] || { echo "FAIL: --tables deadlines of unknown cases"; fails=$((fails + 1)); }
[ -s "$tmp/tab_as" ] && [ -z "$(comm -23 "$tmp/tab_as" "$tmp/tab_cases")" ] || { echo "FAIL: --tables assignments of unknown cases"; fails=$((fails + 1)); }
grep -q '^[0-9]*,2025-01-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]+00:00,2025-01-[0-9][0-9],[0-9-]*,[0-9a-f-]*,\(assessment\|responsible\|pair\),' "$tmp/tab/assignments.csv" || { echo "FAIL: --tables assignments values"; fails=$((fails + 1)); }
# the same bytes again (a second run over the existing DIR replaces the files)
cp -r "$tmp/tab" "$tmp/tab1"
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv --tables "$tmp/tab"
for f in cases events deadlines assignments; do
  cmp -s "$tmp/tab/$f.csv" "$tmp/tab1/$f.csv" || { echo "FAIL: --tables $f.csv differs between runs"; fails=$((fails + 1)); }
done
# the same files from a run into a database
expect 0 0 simulate --scenario "$scn" --days 20 --warmup 0 --seed 3 --format csv --db "$tmp/tabdb.db" --tables "$tmp/tabdb"
for f in cases events deadlines assignments; do
  cmp -s "$tmp/tabdb/$f.csv" "$tmp/tab1/$f.csv" || { echo "FAIL: --tables $f.csv differs with --db"; fails=$((fails + 1)); }
done
expect 1 1 simulate --scenario "$scn" --days 5 --warmup 0 --tables "$tmp/notes.txt/tab"
grep -q 'cannot create the directory' "$tmp/err" || { echo "FAIL: --tables under a file"; cat "$tmp/err"; fails=$((fails + 1)); }
mkdir -p "$tmp/tabbad/events.csv"
expect 1 1 simulate --scenario "$scn" --days 5 --warmup 0 --tables "$tmp/tabbad"
grep -q 'events.csv: cannot write the file' "$tmp/err" || { echo "FAIL: --tables unwritable file"; cat "$tmp/err"; fails=$((fails + 1)); }
if [ -w /dev/full ]; then
  mkdir -p "$tmp/tabfull" && ln -s /dev/full "$tmp/tabfull/deadlines.csv"
  expect 1 1 simulate --scenario "$scn" --days 5 --warmup 0 --tables "$tmp/tabfull"
  grep -q 'deadlines.csv: cannot write the file' "$tmp/err" || { echo "FAIL: --tables on a full disk"; cat "$tmp/err"; fails=$((fails + 1)); }
fi
expect 2 1 simulate --scenario "$scn" --days 5 --tables
expect 2 1 simulate --scenario "$scn" --days 5 --tables=
expect 0 0 simulate --help
grep -q -- '--tables DIR' "$tmp/out" || { echo "FAIL: simulate --help lacks --tables"; fails=$((fails + 1)); }
expect 0 0 --help
grep -q -- '--tables DIR' "$tmp/out" || { echo "FAIL: --help lacks --tables"; fails=$((fails + 1)); }
expect 2 1 simulate --scenario "$scn" --days 10 --social
expect 1 1 simulate --scenario "$scn" --days 10 --warmup 0 --social "$tmp/no/such/dir/soc.json"
# The progress bar shows only when stderr is a terminal (above: no stderr
# line); under a pseudo-terminal it ends with the last day.
if command -v script > /dev/null 2>&1; then
  n=$((n + 1))
  script -qec "\"$cli\" simulate --scenario \"$scn\" --days 5 --warmup 2 > /dev/null" /dev/null > "$tmp/tty" 2>&1
  grep -q 'day 7/7' "$tmp/tty" || { echo "FAIL: simulate progress bar on a terminal"; od -c "$tmp/tty" | tail -3; fails=$((fails + 1)); }
fi

# Every seed region runs, deterministic for a seed (docs/simulation.md).
dir="$(dirname "$0")/../../examples/scenarios"
for r in kuusotso lapland east-uusimaa-before east-uusimaa-after pirkanmaa; do
  "$cli" simulate --scenario "$dir/$r.scn" --days 30 --warmup 0 --seed 2 --format csv > "$tmp/r1" 2> "$tmp/err"
  got=$?
  n=$((n + 1))
  [ "$got" -eq 0 ] || { echo "FAIL: simulate $r.scn exited $got"; cat "$tmp/err"; fails=$((fails + 1)); continue; }
  "$cli" simulate --scenario "$dir/$r.scn" --days 30 --warmup 0 --seed 2 --format csv > "$tmp/r2"
  cmp -s "$tmp/r1" "$tmp/r2" || { echo "FAIL: simulate $r.scn is not deterministic"; fails=$((fails + 1)); }
  grep -q '^simulation,,intakes,[1-9]' "$tmp/r1" || { echo "FAIL: simulate $r.scn: no intakes"; fails=$((fails + 1)); }
done

# check: SQLite's integrity_check and every record and event validated; the
# file is never changed. A sound file: exit 0 and a summary; damage: exit 1
# and one stderr line naming the record kind and field; an empty file (the
# issue's report reproducer) is damage, and stays empty.
cp "$tmp/sim.db" "$tmp/check.db"
cp "$tmp/check.db" "$tmp/check.before"
expect 0 0 check --db "$tmp/check.db"
has "integrity_check: ok"
has "records: every record and event is valid"
grep -q '^cases: [1-9][0-9]*$' "$tmp/out" || { echo "FAIL: check summary"; cat "$tmp/out"; fails=$((fails + 1)); }
cmp -s "$tmp/check.db" "$tmp/check.before" || { echo "FAIL: check changed the database"; fails=$((fails + 1)); }
if command -v sqlite3 >/dev/null; then
  # Four bytes of the first case's record (its `data`) overwritten: its
  # checksum fails.
  sqlite3 "$tmp/check.db" "PRAGMA journal_mode = DELETE; UPDATE cases SET data = CAST(substr(data, 1, 72) || x'63000000' || substr(data, 77) AS BLOB) WHERE rowid = (SELECT min(rowid) FROM cases);" > /dev/null
  cp "$tmp/check.db" "$tmp/check.before"
  expect 1 1 check --db "$tmp/check.db"
  grep -q "damaged: stored case is damaged: checksum mismatch (the data is damaged) \[case\]" "$tmp/err" || { echo "FAIL: check damage message"; cat "$tmp/err"; fails=$((fails + 1)); }
  cmp -s "$tmp/check.db" "$tmp/check.before" || { echo "FAIL: check changed a damaged database"; fails=$((fails + 1)); }
  expect 1 1 report --db "$tmp/check.db" --from 2025-01-01 --to 2025-01-20
  grep -q "stored case is damaged" "$tmp/err" || { echo "FAIL: report damage message"; fails=$((fails + 1)); }
else
  echo "SKIP: sqlite3 shell missing: damaged-row checks not run"
fi
: > "$tmp/empty.db"
expect 1 1 check --db "$tmp/empty.db"
grep -q "empty" "$tmp/err" || { echo "FAIL: check empty-file message"; fails=$((fails + 1)); }
expect 1 1 report --db "$tmp/empty.db" --from 2025-01-01 --to 2025-01-20
[ ! -s "$tmp/empty.db" ] || { echo "FAIL: report made an empty file a database"; fails=$((fails + 1)); }
expect 2 1 check --db "$tmp/none.db"
[ ! -e "$tmp/none.db" ] || { echo "FAIL: check created a database"; fails=$((fails + 1)); }
expect 2 1 check --db "$tmp/notes.txt"
expect 2 1 check
expect 2 1 check --db
expect 2 1 check --db x.db --fast
# Every command answers --help (and -h) on stdout with its usage, exit 0,
# wherever the option stands.
for c in date-info deadlines classify report check simulate; do
  expect 0 0 "$c" --help
  grep -q "^Usage: triage $c" "$tmp/out" || { echo "FAIL: $c --help output"; cat "$tmp/out"; fails=$((fails + 1)); }
  expect 0 0 "$c" -h
  grep -q "^Usage: triage $c" "$tmp/out" || { echo "FAIL: $c -h output"; fails=$((fails + 1)); }
done
expect 0 0 deadlines --kind contact --help
grep -q "^Usage: triage deadlines" "$tmp/out" || { echo "FAIL: deadlines ... --help"; fails=$((fails + 1)); }
expect 2 1 report --db "$tmp/sim.db" --from 2025-01-01 --to 2025-01-20 --plot

# report --plot runs the Python package (python3 -m triage report): the same
# CSV on stdout, and a PNG of the figure's size (13 x 4.5 in at 100 dpi).
if [ "${TRIAGE_TEST_PLOT:-0}" = 1 ] && /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  expect 0 0 report --db "$tmp/sim.db" --from 2025-01-01 --to 2025-01-20 --format csv
  cp "$tmp/out" "$tmp/report.csv"
  expect 0 0 report --db "$tmp/sim.db" --from 2025-01-01 --to 2025-01-20 --format csv --plot "$tmp/r.png"
  cmp -s "$tmp/out" "$tmp/report.csv" || { echo "FAIL: report --plot changed the CSV"; fails=$((fails + 1)); }
  size=$(/usr/bin/python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print(d[:8]==b"\x89PNG\r\n\x1a\n", *struct.unpack(">II", d[16:24]))' "$tmp/r.png" 2>&1)
  [ "$size" = "True 1300 450" ] || { echo "FAIL: report --plot PNG: $size"; fails=$((fails + 1)); }
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
