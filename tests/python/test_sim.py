"""Scenario simulation from Python (docs/domain.md §10): scenarios from files,
text and dicts, determinism, reports, comparison, errors, GC order."""
import gc
import os
import pathlib
import pickle

import pytest

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]
NORTH_SAVO = ROOT / "examples" / "scenarios" / "north-savo.scn"

SMALL = {
    "scenario": {"start": "2025-03-03", "days": 40},
    "intake": {"contact": 3, "notification": 1.5},
    "phone_line": {"calls_min": 0, "calls_max": 3},
    "municipalities": [{"code": 297, "name": "Kuopio", "weight": 3}, {"code": 749}],
    "distances": {(297, 749): 24},
    "workers": [
        {"name": "sw", "role": "social_worker", "office": 297, "serves": [297, 749]},
        {"name": "sc", "role": "social_counsellor", "count": 2, "languages": ["fi", "sv"]},
        {"name": "sg", "role": "service_guide", "fte": 0.8},
    ],
    "absences": [{"worker": "sc-2", "start": "2025-03-17", "end": "2025-03-28"}],
}


def test_dict_and_determinism(tmp_path):
    a = triage.simulate(SMALL, days=40, seed=5)
    b = triage.simulate(triage.Scenario.from_dict(SMALL), days=40, seed=5)
    c = triage.simulate(SMALL, days=40, seed=6)
    assert a.to_csv() == b.to_csv()
    assert a.to_csv() != c.to_csv()
    path = tmp_path / "r.csv"
    a.to_csv(path)
    assert path.read_bytes() == a.to_csv().encode()
    d = a.to_dict()
    assert [w["label"] for w in d["report"]["workers"]] == ["sw", "sc-1", "sc-2", "sg"]
    sim = d["simulation"]
    assert sim["intakes"] == sim["cases"] + sim["attached"]
    assert sim["cases"] == sim["closed"] + sim["open"]


def test_file_text_roundtrip():
    sc = triage.Scenario.load(NORTH_SAVO)
    assert sc.worker_count == 12  # [worker] entries (15 workers: sc-kuopio has count = 4)
    again = triage.Scenario.parse(sc.to_text(), "written")
    assert again.to_text() == sc.to_text()
    r1 = triage.simulate(sc, days=20, seed=1)
    r2 = triage.simulate(again, days=20, seed=1)
    assert r1.to_csv() == r2.to_csv()


@pytest.mark.parametrize("text, arg", [
    ("[worker]\nname = a\nfte = 2\n", "line 3: fte"),
    ("[intake]\ncontact = 1\ncontact = 1\n", "line 3: contact"),
    ("[guidance]\nresolved = 1.5\n", "line 2: resolved"),
    ("[nope]\n", "line 1: nope"),
])
def test_parse_errors(text, arg):
    with pytest.raises(triage.InvalidArgument) as e:
        triage.Scenario.parse(text, "bad.scn")
    assert arg in str(e.value)
    assert "bad.scn:" in str(e.value)


def test_bad_dicts():
    with pytest.raises(triage.InvalidArgument):
        triage.Scenario.from_dict({**SMALL, "guidance": {"reach": 2}})
    with pytest.raises(ValueError):
        triage.Scenario.from_dict({**SMALL, "staff": []})
    with pytest.raises(TypeError):
        triage.simulate(42)
    with pytest.raises(triage.InvalidArgument):
        triage.simulate(SMALL, days=99999)
    with pytest.raises(triage.NotFound):
        triage.Scenario.load("/nonexistent.scn")


def test_compare_same_demand():
    roomy = {**SMALL, "durations": {"assessment_slots": 50}}
    b = triage.Scenario.from_dict(roomy).set("policy", "guidance_first", False)
    c = triage.compare(roomy, b, days=40, seed=3, processes=1)
    rows = {r["metric"]: r for r in c.per_seed}
    assert rows["intakes"]["a"] == rows["intakes"]["b"]
    assert c.streams_differ == []
    assert rows["assessments_started"]["b"] > rows["assessments_started"]["a"]
    assert rows["assessments_started"]["difference"] == (
        rows["assessments_started"]["b"] - rows["assessments_started"]["a"])


def test_gc_any_order():
    sc = triage.Scenario.from_dict(SMALL)
    r = triage.simulate(sc, days=10, seed=1)
    copy = sc.copy()
    del sc
    gc.collect()
    assert r.to_dict()["simulation"]["days"] == 10
    del r
    gc.collect()
    assert copy.worker_count == 3


def test_warmup_progress_and_hash():
    calls = []
    r = triage.simulate(SMALL, days=20, seed=2, warmup=10,
                        progress=lambda day, days: calls.append((day, days)))
    sim = r.simulation
    assert sim["days"] == 20 and sim["warmup"] == 10
    assert calls == [(d, 30) for d in range(1, 31)]      # once per day, warm-up included
    assert sim["open_at_start"] + sim["cases"] == sim["closed"] + sim["open"]
    # the same demand under another policy: the same intake hash
    other = triage.Scenario.from_dict(SMALL).set("policy", "guidance_first", False)
    assert triage.simulate(other, days=20, seed=2, warmup=10).intake_hash == r.intake_hash
    assert triage.simulate(SMALL, days=20, seed=3, warmup=10).intake_hash != r.intake_hash
    # a truthy return stops the run; an exception stops it and propagates
    with pytest.raises(triage.UserCallbackError):
        triage.simulate(SMALL, days=20, seed=2, progress=lambda day, days: day >= 5)

    def boom(day, days):
        raise KeyError("stop here")
    with pytest.raises(KeyError):
        triage.simulate(SMALL, days=20, seed=2, progress=boom)
    with pytest.raises(TypeError):
        triage.simulate(SMALL, days=20, progress=42)
    with pytest.raises(triage.InvalidArgument):
        triage.simulate(SMALL, days=20, warmup=-5)


def test_social_report():
    sc = triage.Scenario.from_dict({**SMALL, "social_reporting": {"rate": 0.5, "period": "month"},
                                    "segments": [{"municipality": 749, "q4": 1}]})
    r = triage.simulate(sc, days=40, seed=3, keep_history=True)
    soc = r.social()
    d = soc.to_dict()
    assert [p["from"] for p in d["periods"]] == ["2025-03-03", "2025-04-01"]
    first, second = d["periods"]
    kuopio = [m for m in first["municipalities"] if m["municipality"] == 297][0]
    assert kuopio["name"] == "Kuopio"
    assert first["municipalities"][0]["municipality"] == "all"
    assert first["municipalities"][0]["cases"]["previous"] is None      # no earlier period
    everyone = second["municipalities"][0]
    assert everyone["social_reports"]["previous"] == first["municipalities"][0]["social_reports"]["count"]
    total = sum(p["municipalities"][0]["social_reports"]["count"] for p in d["periods"])
    assert total == r.simulation["social_filings"] > 0
    # segmentation: every classified client of 749 is in special support
    m749 = [m for m in first["municipalities"] if m["municipality"] == 749][0]
    assert m749["quadrants"]["special_support"]["count"] == m749["cases"]["count"] > 0
    rows = soc.rows()
    assert rows[0] == {"period_start": "2025-03-03", "period_end": "2025-03-31",
                       "municipality": "all", "indicator": "cases", "area": "",
                       "count": first["municipalities"][0]["cases"]["count"],
                       "previous": None, "change": None, "change_pct": None}
    assert soc.to_csv() == r.social("month").to_csv()
    with pytest.raises(ValueError):
        r.social("week")
    # a report unpickled elsewhere keeps its figures but has no run to report on
    again = pickle.loads(pickle.dumps(r))
    assert again.intake_hash == r.intake_hash
    with pytest.raises(ValueError, match="unpickled"):
        again.social()
    # a run that released its history has lost the closed cases the report counts
    released = triage.simulate(sc, days=40, seed=3)
    with pytest.raises(ValueError, match="keep_history"):
        released.social()


def test_add_section_and_new_keys():
    sc = triage.Scenario.from_dict({**SMALL, "distances": {}})
    sc.add_section("kela_point", weekdays="wed", intakes=2)
    with pytest.raises(triage.InvalidArgument) as e:
        sc.validate()
    assert "channel.kela" in str(e.value)            # the point carries the Kela channel
    sc.set("intake", "channel.kela", 0).validate()
    sc.add_section("outreach", date="2025-03-12", reach=0)
    sc.add_section("municipality", code=140, language_sv=1)
    with pytest.raises(triage.InvalidArgument) as e:
        sc.add_section("kela_point", weekdays="someday")
    assert e.value.argument == "weekdays"
    again = triage.Scenario.parse(sc.to_text())
    assert again.to_text() == sc.to_text()
    r = triage.simulate(sc, days=40, seed=1)
    assert r.simulation["kela_point_days"] == 6 and r.simulation["outreach_days"] == 1
