#!/bin/sh
# Runs a command against a throwaway PostgreSQL cluster of its own:
#
#   tests/postgresql/with_cluster.sh [--required] [--] COMMAND [ARGS...]
#
# 1. finds the server binaries (initdb, pg_ctl, postgres): $TRIAGE_PG_BINDIR,
#    else `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin,
#    else the directory of `initdb` on PATH;
# 2. makes a temporary directory and runs `initdb` into it. initdb and the
#    server refuse to run as root, so as root they run as an unprivileged
#    user: $TRIAGE_PG_USER, else `postgres` (made by Debian's postgresql
#    package), else `nobody`; the switch is made with setpriv (util-linux),
#    else runuser;
# 3. starts the server with `pg_ctl`, listening on no TCP port at all, only
#    on a Unix socket in that directory (so clusters of tests running at
#    the same time never meet), and creates the database `triage_test`;
# 4. runs COMMAND with PGHOST, PGPORT, PGUSER and PGDATABASE set (libpq's
#    defaults, so the connection string "" reaches the cluster) and with
#    TRIAGE_PG_CONNINFO, TRIAGE_PG_BINDIR and TRIAGE_PG_PWUSER set;
# 5. stops the server and removes the directory, also when the command
#    fails or the script is interrupted. Exits with the command's status.
#
# The cluster's pg_hba.conf trusts every local connection except those of
# the role named by TRIAGE_PG_PWUSER, which must give a password (tests of
# credentials create that role with a password of their choice).
#
# Without server binaries it exits 77 (a skipped test for meson) with one
# line saying why; with --required (meson -Dpostgresql=enabled) that is a
# failure instead.
set -u

required=0
while [ $# -gt 0 ]; do
  case "$1" in
    --required) required=1; shift ;;
    --) shift; break ;;
    *) break ;;
  esac
done
if [ $# -eq 0 ]; then
  echo "usage: $0 [--required] [--] COMMAND [ARGS...]" >&2
  exit 2
fi

# Sanitizer run-time libraries preloaded for the test must not reach the
# server's (uninstrumented) processes: kept for COMMAND only.
saved_preload=${LD_PRELOAD-}
saved_preload_set=${LD_PRELOAD+x}
unset LD_PRELOAD

skip() {
  if [ "$required" -eq 1 ]; then
    echo "postgresql: $1 (required: meson was configured with -Dpostgresql=enabled)" >&2
    exit 1
  fi
  echo "SKIP: postgresql: $1"
  exit 77
}

has_server() {
  [ -n "$1" ] && [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]
}

bindir=${TRIAGE_PG_BINDIR-}
if ! has_server "$bindir"; then
  bindir=""
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null)
    has_server "$d" && bindir=$d
  fi
fi
if [ -z "$bindir" ]; then
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5n -r); do
    if has_server "$d"; then bindir=$d; break; fi
  done
fi
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
  d=$(dirname "$(readlink -f "$(command -v initdb)")")
  has_server "$d" && bindir=$d
fi
[ -n "$bindir" ] || skip "no PostgreSQL server binaries (initdb, pg_ctl, postgres); scripts/install-deps.sh installs them"

# Who runs the server.
as_server() { "$@"; }
server_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  server_user=${TRIAGE_PG_USER-}
  if [ -z "$server_user" ]; then
    if id postgres >/dev/null 2>&1; then server_user=postgres
    elif id nobody >/dev/null 2>&1; then server_user=nobody
    else skip "running as root and no unprivileged user (postgres, nobody) to run the server"
    fi
  fi
  id "$server_user" >/dev/null 2>&1 || skip "no user $server_user to run the server"
  [ "$(id -u "$server_user")" -ne 0 ] || skip "the server user $server_user is root"
  if command -v setpriv >/dev/null 2>&1; then
    as_server() {
      setpriv --reuid="$server_user" --regid="$(id -g "$server_user")" --init-groups \
        --reset-env "$@"
    }
  elif command -v runuser >/dev/null 2>&1; then
    as_server() { runuser -u "$server_user" -- "$@"; }
  else
    skip "running as root without setpriv or runuser to switch to $server_user"
  fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/triage-pg.XXXXXX") || { echo "postgresql: mktemp failed" >&2; exit 1; }
data=$tmp/data
sock=$tmp/sock
log=$tmp/server.log
started=0

cleanup() {
  if [ "$started" -eq 1 ]; then
    (cd "$tmp" && as_server "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1)
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The server user must reach its directories (mktemp makes $tmp 0700).
chmod 0755 "$tmp"
mkdir "$data" "$sock"
touch "$log"
if [ "$(id -u)" -eq 0 ]; then
  chown "$server_user" "$data" "$sock" "$log"
fi
chmod 0700 "$data"
chmod 0755 "$sock"

fail() {
  echo "postgresql: $1" >&2
  [ -s "$log" ] && tail -n 20 "$log" >&2
  exit 1
}

admin=triage_admin
pwuser=triage_pw
port=5432
if ! (cd "$tmp" && as_server "$bindir/initdb" -D "$data" -U "$admin" -A trust -E UTF8 \
        --locale=C --no-sync >"$log" 2>&1); then
  fail "initdb failed"
fi
# Password authentication for one role, trust for everything else (local only).
printf 'local all %s scram-sha-256\nlocal all all trust\n' "$pwuser" > "$tmp/hba"
if [ "$(id -u)" -eq 0 ]; then chown "$server_user" "$tmp/hba"; fi
as_server cp "$tmp/hba" "$data/pg_hba.conf" || fail "cannot write pg_hba.conf"

if ! (cd "$tmp" && as_server "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 \
        -o "-c listen_addresses= -c unix_socket_directories=$sock -c port=$port -c max_connections=40 -c shared_buffers=16MB -c fsync=on" \
        start >/dev/null 2>&1); then
  fail "the server did not start"
fi
started=1

export PGHOST="$sock" PGPORT="$port" PGUSER="$admin" PGDATABASE=triage_test
unset PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGOPTIONS PGCONNECT_TIMEOUT PGSSLMODE
if ! "$bindir/createdb" triage_test >>"$log" 2>&1; then
  # createdb is a client program: a client package may lack it
  if command -v createdb >/dev/null 2>&1; then
    createdb triage_test >>"$log" 2>&1 || fail "cannot create the test database"
  else
    fail "cannot create the test database"
  fi
fi
export TRIAGE_PG_CONNINFO="host=$sock port=$port dbname=triage_test user=$admin"
export TRIAGE_PG_BINDIR="$bindir" TRIAGE_PG_PWUSER="$pwuser"

if [ -n "$saved_preload_set" ]; then
  LD_PRELOAD=$saved_preload "$@"
else
  "$@"
fi
rc=$?
exit $rc
