"""Scenarios and reports as values: copy, deepcopy, pickle, equality, get,
to_dict/from_dict, repr, named errors, and the reproducibility metadata."""
import copy
import datetime
import pathlib
import pickle

import pytest

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]
NORTH_SAVO = ROOT / "examples" / "scenarios" / "north-savo.scn"


@pytest.fixture
def sc():
    return triage.Scenario.load(NORTH_SAVO)


@pytest.mark.parametrize("make", [copy.copy, copy.deepcopy, lambda s: s.copy()])
def test_copies_are_independent(sc, make):
    before = sc.to_text()
    c = make(sc)
    assert c == sc and c is not sc
    c.set("guidance", "resolved", 0.4)
    c.add_absence("sw-iisalmi", "2025-09-01", "2025-09-05")
    assert sc.to_text() == before
    assert c != sc


def test_pickle_round_trip(sc):
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(sc, protocol=proto))
        assert again == sc and again.to_text() == sc.to_text()
    # A scenario still being built (it does not validate yet) pickles too.
    partial = triage.Scenario().set("guidance", "resolved", 0.3)
    again = pickle.loads(pickle.dumps(partial))
    assert again == partial and again.get("guidance", "resolved") == 0.3


def test_get_values(sc):
    assert sc.get("guidance", "resolved") == 0.6
    assert sc.get("guidance.resolved") == 0.6
    assert sc.get("scenario", "name") == "North Savo, tiered model"
    assert sc.get("scenario", "start") == datetime.date(2025, 1, 1)
    assert sc.get("scenario", "warmup") == 365
    assert sc.get("durations", "assessment") == (10, 25)
    assert sc.get("policy", "guidance_first") is True
    assert sc.get("guidance", "roles") == ["service_guide"]
    assert sc.get("durations", "assessment_slots") == 7
    # the sections of the regions' models
    assert sc.get("phone_line", "weekdays") == ["mon", "tue", "wed", "thu", "fri"]
    assert sc.get("phone_line", "hours") == "09:00-10:30"
    assert sc.get("phone_line", "from") is None
    assert sc.get("pathway", "return_days") == (5, 20)
    assert sc.get("initial_assessment", "advice.q1") == 0.5
    assert sc.get("social_reporting", "period") == "quarter"


def test_set_takes_ranges_and_lists(sc):
    sc.set("durations", "assessment", (5, 9))
    assert sc.get("durations", "assessment") == (5, 9)
    sc.set("guidance", "roles", ["service_guide", "social_counsellor"])
    assert sc.get("guidance", "roles") == ["service_guide", "social_counsellor"]


def test_unknown_names_are_named(sc):
    with pytest.raises(triage.InvalidArgument) as e:
        sc.set("guidance", "resolvd", 0.4)
    assert "'resolvd'" in str(e.value) and e.value.argument == "guidance.resolvd"
    with pytest.raises(triage.InvalidArgument) as e:
        sc.set("guidanse", "resolved", 0.4)
    assert "'guidanse'" in str(e.value)
    with pytest.raises(triage.InvalidArgument) as e:
        sc.get("guidance", "nope")
    assert e.value.argument == "guidance.nope"
    with pytest.raises(triage.InvalidArgument):
        sc.get("worker", "fte")
    before = sc.to_text()
    with pytest.raises(triage.InvalidArgument):
        sc.set("guidance", "resolved", 1.5)   # a bad value changes nothing
    assert sc.to_text() == before


def test_dict_round_trip(sc):
    d = sc.to_dict()
    assert d["guidance"]["resolved"] == 0.6
    assert d["workers"][0]["name"] == "sw-kuopio"
    assert d["workers"][0]["serves"] == [297, 749]
    assert d["distances"]["297-749"] == 24
    assert d["absences"][0] == {"worker": "sw-kuopio-2", "start": datetime.date(2024, 5, 6),
                                "end": datetime.date(2024, 5, 31)}
    assert triage.Scenario.from_dict(d) == sc
    assert pickle.loads(pickle.dumps(d)) == d


@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "scenarios").glob("*.scn")),
                         ids=lambda p: p.name)
def test_every_example_round_trips_through_a_dict(path):
    sc = triage.Scenario.load(path)
    d = sc.to_dict()
    assert triage.Scenario.from_dict(d) == sc
    assert pickle.loads(pickle.dumps(sc)) == sc


def test_repeated_sections_in_the_dict():
    sc = triage.Scenario.load(ROOT / "examples" / "scenarios" / "kuusotso.scn")
    d = sc.to_dict()
    assert d["kela_points"] and d["outreach"]
    assert isinstance(d["outreach"][0]["date"], datetime.date)
    assert isinstance(d["kela_points"][0]["weekdays"], list)
    lap = triage.Scenario.load(ROOT / "examples" / "scenarios" / "lapland.scn").to_dict()
    assert lap["segments"][0]["until"] == datetime.date(2025, 6, 30)
    assert lap["segments"][0]["from"] is None


def test_equality_and_repr(sc):
    assert sc == triage.Scenario.parse(sc.to_text())
    assert sc != triage.Scenario()
    assert (sc == 42) is False
    r = repr(sc)
    assert "North Savo, tiered model" in r and "15 workers" in r and sc.sha256[:12] in r
    with pytest.raises(TypeError):
        hash(sc)


def test_sim_report_pickles_and_carries_metadata(sc):
    r = triage.simulate(sc, days=30, seed=4)
    m = r.metadata
    assert m["version"] == triage.version()
    assert m["seed"] == 4 and m["days"] == 30
    assert m["scenario_sha256"] == sc.sha256 and len(sc.sha256) == 64
    assert m["policies"]["classify"] == {"id": "fi-default", "version": 1}
    assert m["policies"]["urgency"]["id"] == "fi-default"
    assert m["policies"]["deadlines"]["law_version"]
    again = pickle.loads(pickle.dumps(r))
    assert again == r
    assert again.to_csv() == r.to_csv() and again.to_json() == r.to_json()
    assert again.metadata == m
    assert again.metrics() == r.metrics()
    assert copy.deepcopy(r) == r


def test_engine_report_pickles():
    with triage.Engine() as e:
        rep = e.report(datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))
    again = pickle.loads(pickle.dumps(rep))
    assert again == rep
    assert again.to_csv() == rep.to_csv() and again.to_json() == rep.to_json()
    assert again.metadata["version"] == triage.version()
    assert again.start_ms == rep.start_ms and again.end_ms == rep.end_ms


def test_metrics_match_the_c_comparison_table(sc):
    # The first metrics are the C library's triage_sim_compare rows.
    m = triage.simulate(sc, days=60, seed=1).metrics()
    assert list(m) == list(triage.METRICS)
    assert m["intakes"] == m["intakes"] and m["deadline_compliance"] <= 1
