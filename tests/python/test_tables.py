"""Per-case and per-event tables (docs/python.md, "Tables"): columns and
types, agreement with the engine's accessors and the run's period reports
(exact medians and 90th percentiles of whole business days), the same tables
from a SQLite file the CLI wrote, numpy and pandas, pickling, provenance,
refusal without history and bad arguments."""
import datetime
import pathlib
import pickle
import subprocess
import uuid

import numpy as np
import pytest

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(triage.__file__).resolve().parents[3]
CLI = BUILD / "examples" / "cli" / "triage"
KUUSOTSO = ROOT / "examples" / "scenarios" / "kuusotso.scn"
NORTH_SAVO = ROOT / "examples" / "scenarios" / "north-savo.scn"
NAMES = ("cases", "events", "deadlines", "assignments")


@pytest.fixture(scope="module")
def run():
    sc = triage.Scenario.load(KUUSOTSO)
    return triage.simulate(sc, days=120, seed=4, warmup=30, periods="month", keep_history=True)


def test_columns_and_types(run):
    for name in NAMES:
        t = getattr(run, name)()
        assert t.name == name and len(t) > 0
        types = t.types
        assert list(types) == t.columns
        for row in t:
            for c, v in row.items():
                assert v is None and c in t.nullable or isinstance(v, types[c]), (name, c, v)
        assert t[0] == next(iter(t)) and t[t.columns[0]][0] == t[0][t.columns[0]]
        assert repr(t).startswith(f"<triage.RecordTable {name}: {len(t)} rows")
    cases = run.cases()
    assert set(cases["stage"]) <= {s.label for s in triage.Stage}
    assert set(run.deadlines()["state"]) <= {"open", "due_soon", "missed", "met", "met_late",
                                             "cancelled"}


def test_provenance(run):
    for name in NAMES:
        m = getattr(run, name)().meta
        assert m["table"] == name and m["seed"] == 4
        assert m["scenario_sha256"] == run.metadata["scenario_sha256"]
        assert m["version"] == triage.version() and "policies" in m
        assert "periods" not in m


def test_values_agree_with_the_engine_accessors():
    with triage.Engine() as e:
        client = e.add_client(municipality=297, language="sv")
        w = e.add_worker(role="social_worker")
        at = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.timezone.utc)
        r = e.intake(client, kind="notification", received=at)
        e.move(r.case, "guidance", at=at)
        e.set_worker(r.case, "assessment", w, at=at + datetime.timedelta(days=1))
        cases = e.cases_table()
        assert len(cases) == 1
        row = cases[0]
        c = e.case(r.case)
        assert row["case"] == str(c.id) and row["client"] == str(client)
        assert (row["stage"], row["urgency"], row["received"]) == (
            "guidance", c.urgency.name.lower(), c.received)
        assert row["municipality"] == 297 and row["language"] == "sv"
        assert row["assessment_worker"] == str(w)
        ev = e.events_table()
        assert ev["seq"] == [x.seq for x in e.events()]
        assert ev["at"] == [x.at for x in e.events()]
        dl = e.deadlines_table(as_of="2026-01-06")
        own = e.case_deadlines(r.case, datetime.date(2026, 1, 6))
        assert dl["row"] == [d.row for d in own] and dl["due"] == [d.due for d in own]
        assert dl["state"] == [d.state.name.lower() for d in own]
        asg = e.assignments_table()
        assert len(asg) == 1 and asg[0]["worker"] == str(w) and asg[0]["slot"] == "assessment"
        assert asg.meta["policies"]["urgency"]["id"] == e.urgency_policy().id
        # the filters
        assert len(e.cases_table(start="2026-01-06")) == 0
        assert len(e.events_table(end=datetime.date(2026, 1, 5))) < len(ev)


def _percentiles(values):
    if not values:
        return None, None
    p50, p90 = np.percentile(values, [50, 90])  # linear: Hyndman & Fan type 7
    return float(p50), float(p90)


def test_counts_and_waits_equal_the_period_reports(run):
    cases, events, deadlines = run.cases(), run.events(), run.deadlines()
    for p in run.periods:
        lo = datetime.date.fromisoformat(p.metadata["period"]["from"])
        hi = datetime.date.fromisoformat(p.metadata["period"]["to"])
        d = p.to_dict()
        opened = [x for x in cases["received"] if lo <= x < hi]
        assert len(opened) == len(run.cases(start=lo, end=hi))
        new = [k for k, day in zip(events["kind"], events["date"])
               if k == "intake" and lo <= day < hi]
        assert len(opened) == len(new)
        attached = [k for k, day in zip(events["kind"], events["date"])
                    if k == "attached" and lo <= day < hi]
        assert d["intakes"]["total"] == len(new) + len(attached)
        # intake -> assessment start: per intake, the day its assessment-start
        # row (not superseded) was met, when that day lies in the period
        first = {}
        for row in deadlines:
            if (row["milestone"] == "assessment_started" and row["met"] is not None
                    and not row["superseded"]):
                k = row["intake"]
                if k not in first or row["met"] < first[k][0]:
                    first[k] = (row["met"], row["wait"])
        waits = sorted(w for met, w in first.values() if lo <= met < hi)
        got = d["waiting_days"]["assessment_start"]
        assert got["count"] == len(waits)
        med, p90 = _percentiles(waits)
        assert got["median"] == (None if med is None else pytest.approx(med, abs=1e-6))
        assert got["p90"] == (None if p90 is None else pytest.approx(p90, abs=1e-6))
    assert sum(len(run.deadlines(start=p.metadata["period"]["from"],
                                 end=p.metadata["period"]["to"])) for p in run.periods) > 0


def test_the_case_waits_match_the_engine_calendar(run):
    cal = triage.Calendar.finland()
    for row in run.cases().where(stage="closed"):
        if row["assessment_started"] is not None:
            assert row["wait_assessment_start"] == cal.business_days_between(
                row["received"], row["assessment_started"])


@pytest.mark.skipif(not CLI.exists(), reason="the C command is not built")
def test_the_same_tables_from_a_sqlite_file(tmp_path):
    if not triage.sqlite_available():
        pytest.skip("no SQLite store")
    db = tmp_path / "run.db"
    cli = subprocess.run([str(CLI), "simulate", "--scenario", str(NORTH_SAVO), "--days", "40",
                          "--warmup", "0", "--seed", "1", "--db", str(db), "--format", "csv"],
                         capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    r = triage.simulate(triage.Scenario.load(NORTH_SAVO), days=40, seed=1, warmup=0,
                        keep_history=True)
    with triage.Engine.open_sqlite(str(db)) as e:
        assert e.cases_table() == r.cases()
        assert e.events_table() == r.events()
        assert e.assignments_table() == r.assignments()
        assert e.deadlines_table(as_of="2025-02-09") == r.deadlines()
        assert e.deadlines_table(as_of="2025-02-09").meta["as_of"] == "2025-02-09"
    assert r.deadlines().meta["as_of"] == "2025-02-09"


def test_numpy_dtypes(run):
    a = run.cases().to_numpy()
    assert a.dtype["case"].kind == "U" and a.dtype["stage"].kind == "U"
    assert a.dtype["received"] == np.dtype("datetime64[D]")
    assert a.dtype["municipality"] == np.dtype("int64")
    assert a.dtype["wait_assessment_start"] == np.dtype("float64")
    assert a.dtype["special_support"] == np.dtype("bool")
    assert np.isnat(a["closed"]).sum() == sum(v is None for v in run.cases()["closed"])
    e = run.events().to_numpy()
    assert e.dtype["at"] == np.dtype("datetime64[ms]") and len(e) == len(run.events())
    assert str(e["date"][-1]) == run.events()["date"][-1].isoformat()


def test_pandas(run):
    pd = pytest.importorskip("pandas")
    df = run.deadlines().to_pandas()
    assert list(df.columns) == run.deadlines().columns and len(df) == len(run.deadlines())
    assert str(df["wait"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(df["due"])
    ev = run.events().to_pandas()
    assert str(ev["at"].dt.tz) == "UTC"


def test_pandas_missing_is_named(run, monkeypatch):
    import builtins
    real = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match="pandas"):
        run.cases().to_pandas()


def test_pickles(run):
    t = run.assignments()
    u = pickle.loads(pickle.dumps(t))
    assert u == t and u.meta == t.meta and u.to_dicts() == t.to_dicts()
    # the run's tables do not travel with a pickled report
    r = pickle.loads(pickle.dumps(run))
    with pytest.raises(ValueError, match="unpickled"):
        r.cases()


def test_refused_without_history():
    sc = triage.Scenario.load(KUUSOTSO)
    r = triage.simulate(sc, days=30, seed=4, warmup=0, keep_history=False)
    for name in NAMES:
        with pytest.raises(ValueError, match="keep_history"):
            getattr(r, name)()
    # releasing is the default: the tables are asked for by name
    default = triage.simulate(sc, days=30, seed=4, warmup=0)
    with pytest.raises(ValueError, match="keep_history"):
        default.cases()


def test_bad_arguments(run):
    with pytest.raises(TypeError, match="start"):
        run.cases(start=5)
    with pytest.raises(TypeError, match="end"):
        run.events(end=datetime.datetime(2021, 9, 1))
    with pytest.raises(ValueError, match="start"):
        run.deadlines(start="2021-10-01", end="2021-09-01")
    with pytest.raises(ValueError, match="end"):
        run.assignments(end="September")
    with pytest.raises(TypeError, match="as_of"):
        run.deadlines(as_of=1.5)
    with triage.Engine() as e:
        with pytest.raises(ValueError, match="start"):
            e.cases_table("2026-02-01", "2026-01-01")
    e.close()
    with pytest.raises(ValueError, match="closed"):
        e.events_table()
    with pytest.raises(KeyError):
        run.cases()["nope"]


def test_ids_are_uuid_text(run):
    for v in run.cases()["case"][:5]:
        assert str(uuid.UUID(v)) == v
    labels = run.worker_labels()
    assert set(run.assignments()["worker"]) - {None} <= set(labels)
