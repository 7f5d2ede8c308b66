"""Report periods declared before a run (docs/python.md, "Periods and long
runs"): one run gives the whole period's report and one per period, counted
as the run goes; releasing the history changes no figure; provenance and
pickling; bad periods refused."""
import datetime
import pathlib
import pickle

import pytest

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]
KUUSOTSO = ROOT / "examples" / "scenarios" / "kuusotso.scn"


@pytest.fixture(scope="module")
def run():
    sc = triage.Scenario.load(KUUSOTSO)
    return sc, triage.simulate(sc, days=120, seed=4, warmup=30, periods="month", keep_history=True)


def test_monthly_periods_tile_the_run(run):
    _sc, r = run
    ps = r.periods
    assert [p.metadata["period"]["from"] for p in ps] == [
        "2021-08-02", "2021-09-01", "2021-10-01", "2021-11-01"]
    assert ps[-1].metadata["period"]["to"] == "2021-11-30"
    whole = r.to_dict()["report"]
    for section, key in (("intakes", "total"), ("closings", "total")):
        got = sum(p.to_dict()[section][key] for p in ps)
        assert got == whole[section][key]
    # provenance: the run's, plus the period
    m = ps[0].metadata
    assert m["seed"] == 4 and m["scenario_sha256"] == r.metadata["scenario_sha256"]
    assert "policies" in m and m["version"] == triage.metadata()["version"]
    rows = r.periods_csv().splitlines()
    assert rows[0] == "from,to,section,group,key,value"
    assert rows[1].startswith("2021-08-02,2021-09-01,")


def test_medians_of_whole_business_days(run):
    """Waits are whole business days: a median is a whole or half day."""
    _sc, r = run
    counts = 0
    for p in r.periods:
        for v in p.to_dict()["waiting_days"].values():
            counts += v["count"]
            if v["median"] is not None:
                assert (2 * v["median"]) == int(2 * v["median"])
    assert counts == sum(v["count"] for v in r.to_dict()["report"]["waiting_days"].values())


def test_released_history_gives_the_same_figures(run):
    sc, r = run
    r2 = triage.simulate(sc, days=120, seed=4, warmup=30, periods="month", keep_history=False)
    assert r2.to_csv() == r.to_csv()
    assert r2.periods_csv() == r.periods_csv()


def test_pickles_with_its_periods(run):
    _sc, r = run
    u = pickle.loads(pickle.dumps(r))
    assert u.periods_csv() == r.periods_csv()
    assert [p.to_csv() for p in u.periods] == [p.to_csv() for p in r.periods]
    assert u.metadata == r.metadata


def test_explicit_periods_and_the_helper():
    sc = triage.Scenario.load(KUUSOTSO)
    q = triage.periods("2021-08-02", "2021-12-01", "quarter")
    assert q == [(datetime.date(2021, 8, 2), datetime.date(2021, 10, 1)),
                 (datetime.date(2021, 10, 1), datetime.date(2021, 12, 1))]
    r = triage.simulate(sc, days=121, seed=1, warmup=0, periods=q)
    assert len(r.periods) == 2
    assert r.metadata["periods"] == [["2021-08-02", "2021-10-01"], ["2021-10-01", "2021-12-01"]]
    with pytest.raises(ValueError):
        triage.periods("2021-08-02", "2021-12-01", "fortnight")


@pytest.mark.parametrize("bad", [
    [("2021-08-10", "2021-08-10")],                                # empty
    [("2021-08-10", "2021-08-05")],                                # backwards
    [("2021-08-02", "2021-08-20"), ("2021-08-10", "2021-08-30")],  # overlapping
    [("2021-08-20", "2021-08-30"), ("2021-08-02", "2021-08-10")],  # unsorted
    [("2021-07-01", "2021-08-10")],                                # before the start
    [("2021-08-02", "2022-08-10")],                                # past the end
])
def test_bad_periods_are_refused(bad):
    sc = triage.Scenario.load(KUUSOTSO)
    with pytest.raises(triage.InvalidArgument):
        triage.simulate(sc, days=30, warmup=0, periods=bad)
