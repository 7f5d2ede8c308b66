"""Engine.open_postgresql against a real server (docs/python-store.md,
docs/storage.md). Run by meson's `python-postgresql` test inside
tests/postgresql/with_cluster.sh, which sets TRIAGE_PG_CONNINFO; without it
every test here is skipped.

Two Python processes on one database interleave intakes and assignments
and each sees the other's work on its next call; no password reaches an
exception; refusals come back as the right exceptions.
"""

import datetime
import os
import subprocess

import pytest

import triage
from interleave import interleave
from triage import Stage

CONNINFO = os.environ.get("TRIAGE_PG_CONNINFO")
pytestmark = pytest.mark.skipif(CONNINFO is None or not triage.postgresql_available(),
                                reason="no PostgreSQL cluster (tests/postgresql/with_cluster.sh)")

UTC = datetime.timezone.utc
T0 = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def psql(sql):
    """Runs SQL with the cluster's psql (PG* variables from the harness)."""
    bindir = os.environ.get("TRIAGE_PG_BINDIR", "")
    exe = os.path.join(bindir, "psql") if os.path.exists(os.path.join(bindir, "psql")) else "psql"
    # psql is not built with the sanitizers: no run-time library preloaded for it
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    out = subprocess.run([exe, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         check=True, capture_output=True, text=True, env=env,
                         stdin=subprocess.DEVNULL, timeout=60)
    return out.stdout.strip()


def fresh(schema):
    psql(f"SET client_min_messages TO warning; DROP SCHEMA IF EXISTS {schema} CASCADE")


def open_pg(schema, **kw):
    return triage.Engine.open_postgresql(CONNINFO, schema, clock=lambda: T0, **kw)


def test_two_processes_interleave():
    fresh("py_two")
    with open_pg("py_two") as a:
        interleave(a, "triage.Engine.open_postgresql(sys.argv[1], sys.argv[2], clock=lambda: T0)",
                   [CONNINFO, "py_two"])
    assert psql("SELECT count(*) FROM py_two.cases WHERE assessment_worker IS NOT NULL") == "2"


def test_two_engines_in_one_process():
    fresh("py_pair")
    with open_pg("py_pair") as a, open_pg("py_pair") as b:
        c = a.intake(a.add_client(municipality=92), kind="contact", received=T0).case
        b.move(c, Stage.GUIDANCE, at=T0)
        assert a.case(c).stage == Stage.GUIDANCE
        assert [ev.seq for ev in a.events()] == [ev.seq for ev in b.events()]
    assert psql("SELECT municipality FROM py_pair.clients") == "92"


def test_refusals_and_errors():
    fresh("py_refuse")
    with pytest.raises(triage.NotFound):
        open_pg("py_refuse", create=False)
    psql("CREATE SCHEMA py_refuse; CREATE TABLE py_refuse.other (x int)")
    with pytest.raises(triage.ConflictError):
        open_pg("py_refuse")
    fresh("py_refuse")
    open_pg("py_refuse").close()
    psql("UPDATE py_refuse.meta SET value = '7' WHERE key = 'schema'")
    with pytest.raises(triage.VersionError):
        open_pg("py_refuse")
    with pytest.raises(triage.InvalidArgument):
        open_pg("Bad Name")
    with pytest.raises(triage.InvalidArgument):
        open_pg("py_refuse", lock_timeout_ms=-1)


def test_password_never_in_an_exception():
    user = os.environ["TRIAGE_PG_PWUSER"]
    secret = "Py-Wrong-Secret-0815"
    psql(f"SET client_min_messages TO warning; DROP ROLE IF EXISTS {user}; "
         f"CREATE ROLE {user} LOGIN PASSWORD 'right-one'")
    host, port = os.environ["PGHOST"], os.environ["PGPORT"]
    for conninfo in (f"host={host} port={port} dbname=triage_test user={user} password={secret}",
                     f"postgresql://{user}:{secret}@/triage_test?host={host}&port={port}",
                     f"host={host} password {secret}"):
        with pytest.raises((triage.StoreError, triage.InvalidArgument)) as info:
            triage.Engine.open_postgresql(conninfo, "py_pw")
        text = str(info.value) + repr(info.value) + info.value.message + info.value.argument
        assert secret not in text
        assert conninfo not in text
    psql(f"DROP ROLE {user}")
