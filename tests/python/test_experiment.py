"""Experiments: replicate, sweep and compare over seeds; confidence intervals;
intake-stream checks; parallel equals serial; tables and metadata."""
import math
import pathlib
import warnings

import pytest

import triage
from triage import _stats

ROOT = pathlib.Path(__file__).resolve().parents[2]
NORTH_SAVO = ROOT / "examples" / "scenarios" / "north-savo.scn"


@pytest.fixture(scope="module")
def sc():
    return triage.Scenario.load(NORTH_SAVO)


def test_t_quantiles():
    # Student's t, two-sided 95 %: textbook values.
    for df, t in [(1, 12.7062047), (2, 4.30265273), (4, 2.77644511), (9, 2.26215716),
                  (29, 2.04522964), (1000, 1.96233908)]:
        assert _stats.t_quantile(0.975, df) == pytest.approx(t, abs=1e-6)
    assert _stats.t_quantile(0.025, 9) == pytest.approx(-2.26215716, abs=1e-6)
    try:
        from scipy import stats
    except ImportError:
        return
    for df in (1, 3, 7, 15, 60):
        for p in (0.9, 0.95, 0.995):
            # scipy's own ppf is good to about 1e-9 here; its cdf is exact.
            assert _stats.t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-8)
            assert stats.t.cdf(_stats.t_quantile(p, df), df) == pytest.approx(p, abs=1e-12)


def test_mean_interval():
    m = _stats.mean_interval([1, 2, 3, 4, None])
    assert m["n"] == 4 and m["mean"] == 2.5
    assert m["sd"] == pytest.approx(math.sqrt(5 / 3))
    half = _stats.t_quantile(0.975, 3) * m["sd"] / 2
    assert (m["ci_low"], m["ci_high"]) == pytest.approx((2.5 - half, 2.5 + half))
    assert _stats.mean_interval([7])["ci_low"] is None


def test_replicate_parallel_equals_serial(sc):
    seeds = [3, 1, 2]
    par = triage.replicate(sc, seeds, days=40, processes=2)
    ser = triage.replicate(sc, seeds, days=40, processes=1)
    assert list(par) == list(ser)
    assert [r["seed"] for r in par][::len(triage.METRICS)] == seeds
    assert par.columns == ["seed", "metric", "value"]
    assert len(par) == len(seeds) * len(triage.METRICS)
    one = triage.simulate(sc, days=40, seed=2).metrics()
    assert {r["metric"]: r["value"] for r in par.where(seed=2)} == one
    assert par.metadata["seeds"] == seeds and par.metadata["scenario_sha256"] == sc.sha256


def test_replicate_progress_reports(sc):
    calls = []
    ex = triage.replicate(sc, [1, 2, 3], days=20, processes=1, keep_reports=True,
                          progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert ex.reports[2].metrics() == triage.simulate(sc, days=20, seed=2).metrics()
    s = ex.summary()
    row = s.where(metric="intakes")[0]
    assert row["n"] == 3 and row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert "Student's t" in s.metadata["interval"]


def test_sweep_grid(sc):
    ex = triage.sweep(sc, {"guidance.resolved": [0.4, 0.6], "noshow.max": [1, 2]},
                      seeds=[1, 2], days=30, processes=2)
    assert ex.columns == ["guidance.resolved", "noshow.max", "seed", "metric", "value"]
    assert len(ex) == 4 * 2 * len(triage.METRICS)
    assert ex.metadata["grid"] == {"guidance.resolved": [0.4, 0.6], "noshow.max": [1, 2]}
    b = sc.copy().set("guidance", "resolved", 0.4).set("noshow", "max", 1)
    want = triage.simulate(b, days=30, seed=2).metrics()
    got = {r["metric"]: r["value"]
           for r in ex.where(**{"guidance.resolved": 0.4, "noshow.max": 1, "seed": 2})}
    assert got == want
    with pytest.raises(triage.InvalidArgument) as e:
        triage.sweep(sc, {"guidance.resolvd": [0.4]}, seeds=[1], days=5)
    assert "resolvd" in str(e.value)
    with pytest.raises(ValueError):
        triage.sweep(sc, {"resolved": [0.4]}, seeds=[1], days=5)


def test_compare_paired(sc):
    b = sc.copy().set("guidance", "resolved", 0.4)
    c = triage.compare(sc, b, seeds=range(1, 6), days=60, processes=2)
    assert c.streams_differ == []
    row = c.row("resolved_at_guidance")
    per = [r for r in c.per_seed if r["metric"] == "resolved_at_guidance"]
    diffs = [r["b"] - r["a"] for r in per]
    m = _stats.mean_interval(diffs)
    assert row["difference"] == pytest.approx(m["mean"])
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((m["ci_low"], m["ci_high"]))
    assert row["ci_high"] < 0            # fewer resolved: a real effect
    assert c.row("intakes")["difference"] == 0
    assert c.metadata["scenario_b_sha256"] == b.sha256
    # The single-seed difference is the C library's own comparison.
    one = triage.compare(sc, b, seed=3, days=60, processes=1)
    r3 = [r for r in c.per_seed if r["seed"] == 3]
    assert [(r["metric"], r["difference"]) for r in one.per_seed] == [
        (r["metric"], r["difference"]) for r in r3]
    assert one.row("intakes")["ci_low"] is None


def test_compare_streams(sc):
    more_calls = sc.copy().set("phone_line", "calls_max", 12)
    with pytest.warns(triage.IntakeStreamWarning, match="different intake streams"):
        c = triage.compare(sc, more_calls, seeds=[1, 2], days=30, processes=1)
    assert c.streams_differ == [1, 2]
    with pytest.raises(triage.IntakeStreamError):
        triage.compare(sc, more_calls, seeds=[1], days=30, processes=1, streams="error")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        triage.compare(sc, more_calls, seeds=[1], days=30, processes=1, streams="ignore")
    with pytest.raises(ValueError):
        triage.compare(sc, sc, seeds=[1], streams="maybe")


def test_warmup_reaches_the_simulator(sc):
    ex = triage.replicate(sc, [1], days=30, warmup=10, processes=1, keep_reports=True)
    assert ex.metadata["warmup"] == 10
    run = ex.reports[1]
    assert run.simulation["warmup"] == 10 and run.metadata["warmup"] == 10
    # the same run through simulate(); no warm-up gives other figures
    assert run.to_csv() == triage.simulate(sc, days=30, seed=1, warmup=10).to_csv()
    cold = triage.replicate(sc, [1], days=30, warmup=0, processes=1, keep_reports=True)
    assert cold.reports[1].simulation["warmup"] == 0
    assert cold.values("intakes") != ex.values("intakes") or (
        cold.reports[1].intake_hash != run.intake_hash)
    # None: the scenario's own warm-up (a year for North Savo)
    own = triage.replicate(sc, [1], days=5, processes=1, keep_reports=True)
    assert own.reports[1].simulation["warmup"] == sc.get("scenario", "warmup") == 365
    with pytest.raises(triage.InvalidArgument):
        triage.replicate(sc, [1], days=5, warmup=5000, processes=1)


def test_compare_pairs_by_the_intake_hash(sc):
    c = triage.compare(sc, sc.copy().set("guidance", "resolved", 0.4), seeds=[2], days=20,
                       warmup=0, processes=1, keep_reports=True)
    a, b = c.reports[2]
    assert c.streams_differ == [] and a.intake_hash == b.intake_hash
    assert triage._values.intake_signature(a.to_dict()) == a.intake_hash


def test_tables(sc, tmp_path):
    ex = triage.replicate(sc, [1, 2], days=10, processes=1)
    text = ex.to_csv(tmp_path / "x.csv")
    assert text.startswith("# triage: {")
    assert text.splitlines()[1] == "seed,metric,value"
    pd = pytest.importorskip("pandas")
    df = ex.to_pandas()
    assert isinstance(df, pd.DataFrame) and len(df) == len(ex)
    assert df.attrs["triage"]["seeds"] == [1, 2]
    import pickle
    again = pickle.loads(pickle.dumps(ex))
    assert list(again) == list(ex) and again.metadata == ex.metadata


def test_errors_cross_processes(sc):
    import pickle
    e = triage.InvalidArgument(-1, "bad thing", "field", 0)
    e.add_note("in the run of seed 3")
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is triage.InvalidArgument and str(again) == str(e)
    assert (again.code, again.argument, again.__notes__) == (-1, "field", e.__notes__)
    # A run that fails in a worker raises in the caller, naming the seed.
    bad = sc.copy().set("scenario", "days", 10)
    with pytest.raises(triage.InvalidArgument) as info:
        triage.replicate(bad, [1, 2], days=99999, processes=2)
    assert any("seed" in n for n in info.value.__notes__)
