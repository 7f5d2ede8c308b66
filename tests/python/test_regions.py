"""The seed regions' scenarios run from Python, deterministic for a seed
(docs/simulation.md, "The seed regions")."""
import pathlib

import pytest

import triage

SCN = pathlib.Path(__file__).resolve().parents[2] / "examples" / "scenarios"


def run(name, seed, days=40, warmup=0):
    sc = triage.Scenario.load(SCN / name)
    return triage.simulate(sc, days=days, seed=seed, warmup=warmup, keep_history=True)


@pytest.mark.parametrize("name", ["north-savo.scn", "kuusotso.scn", "lapland.scn",
                                  "east-uusimaa-before.scn", "east-uusimaa-after.scn",
                                  "pirkanmaa.scn"])
def test_region_runs_deterministically(name):
    a, b, c = run(name, 2), run(name, 2), run(name, 3)
    assert a.to_csv() == b.to_csv()
    assert a.to_csv() != c.to_csv()
    sim = a.simulation
    assert sim["intakes"] > 0
    assert sim["open_at_start"] + sim["cases"] == sim["closed"] + sim["open"]


def test_kuusotso_models():
    sim = run("kuusotso.scn", 1, days=60).simulation
    assert sim["phone_line_days"] > 0 and sim["phone_line_minutes"] == 218 * sim["phone_line_days"]
    assert 0 <= sim["phone_calls"] <= 10 * sim["phone_line_days"]
    assert sim["kela_point_days"] in (8, 9) and sim["kela_intakes"] > 0   # Wednesdays
    sim = run("kuusotso.scn", 1, days=120).simulation   # 2.8.-29.11.2021: both pop-ups
    assert sim["outreach_days"] == 2 and sim["outreach_contacts"] == 0


def test_lapland_social_reports():
    r = run("lapland.scn", 1, days=365, warmup=None)
    soc = r.social("quarter").to_dict()
    assert len(soc["periods"]) == 4
    names = {m["name"] for m in soc["periods"][0]["municipalities"][1:]}
    assert names <= {"Tornio", "Kemi", "Keminmaa", "Ylitornio", "Pello", "Tervola"}
    reports = sum(p["municipalities"][0]["social_reports"]["count"] for p in soc["periods"])
    assert reports == r.simulation["social_filings"]
    assert 25 <= reports <= 80          # calibrated to the seed's 50 a year


def test_east_uusimaa_arms_are_paired():
    before, after = run("east-uusimaa-before.scn", 4, days=150), run("east-uusimaa-after.scn", 4, days=150)
    b, a = before.simulation, after.simulation
    assert b["intake_hash"] == a["intake_hash"] and b["intakes"] == a["intakes"]
    assert b["ia_advice"] + b["ia_referred"] + b["ia_onward"] == 0
    assert a["ia_advice"] > 0 and a["ia_referred"] > 0
    assert a["to_assessment"] < b["to_assessment"]
    # what the step resolves closes as advice or a referral, never NO_NEED
    closings = after.to_dict()["report"]["closings"]["by_reason"]
    assert closings["advice_given"] >= a["ia_advice"]
    assert closings["referred"] >= a["ia_referred"]
    assert a["after_hours"] > 0 and a["duty_same_day"] > 0


def test_pirkanmaa_pathway_and_interpreting():
    sim = run("pirkanmaa.scn", 1, days=60).simulation
    assert sim["interpreted"] > 0 and sim["interpreter_minutes"] > 0
    assert sim["return_visits"] > 0


def test_pirkanmaa_guides_serve_all_23():
    """The guidance unit's guides serve all 23 municipalities, and the engine
    takes them as they are (docs/simulation.md, "Pirkanmaa")."""
    sc = triage.Scenario.load(SCN / "pirkanmaa.scn")
    guides = [w for w in sc.to_dict()["workers"] if w["role"] == "service_guide"]
    assert guides and all(len(w["serves"]) == 23 for w in guides)
    assert triage.simulate(sc, days=10, seed=5, warmup=0).simulation["intakes"] > 0
