"""Tests of triage.assess_urgency and triage.UrgencyPolicy (docs/domain.md §5.1-5.2)."""

import copy
import gc

import pytest

import triage

U = triage.Urgency


def test_enum_values_are_the_c_values():
    assert [(t.name, int(t)) for t in U] == [
        ("IMMEDIATE", 1), ("URGENT", 2), ("PRIORITY", 3), ("NORMAL", 4)]
    assert triage.TRIGGERS == (
        "life_or_health_threat", "no_shelter_tonight", "dependant_without_care",
        "unable_to_self_care", "acute_crisis", "no_food_or_medicine",
        "urgent_assistance_application", "eviction_or_cutoff", "discharge_without_housing",
        "police_or_emergency_notification")
    assert triage.Trigger.NO_SHELTER_TONIGHT.label == "no_shelter_tonight"


@pytest.mark.parametrize("trigger, tier, days", [
    # §5.2 default policy fi-default v1: IMMEDIATE (SHL 12 §, 35 § 2, 36 § 1)
    ("life_or_health_threat", U.IMMEDIATE, 0),
    ("no_shelter_tonight", U.IMMEDIATE, 0),
    ("dependant_without_care", U.IMMEDIATE, 0),
    ("unable_to_self_care", U.IMMEDIATE, 0),
    ("acute_crisis", U.IMMEDIATE, 0),
    # §5.2 URGENT (Kela's urgency criterion, TTL 14 b §)
    ("no_food_or_medicine", U.URGENT, 1),
    ("urgent_assistance_application", U.URGENT, 1),
    ("eviction_or_cutoff", U.URGENT, 1),
    ("discharge_without_housing", U.URGENT, 1),
    ("police_or_emergency_notification", U.URGENT, 1),
])
def test_each_trigger_default_tier(trigger, tier, days):
    r = triage.assess_urgency(triggers=[trigger])
    assert r.tier is tier
    assert isinstance(r.tier, triage.Urgency)
    assert r.fired == [trigger]
    assert r.deciding == [trigger]
    assert r.response_days == days
    assert (r.policy_id, r.policy_version) == ("fi-default", 1)


def test_no_triggers_is_normal_15_days():
    r = triage.assess_urgency(triggers=[])
    assert (r.tier, r.fired, r.deciding, r.response_days) == (U.NORMAL, [], [], 15)
    assert triage.assess_urgency().tier == U.NORMAL


def test_highest_tier_wins_and_every_fired_trigger_is_listed():
    # §5.2: the highest tier triggered wins; the result lists every trigger that fired
    r = triage.assess_urgency(triggers=["eviction_or_cutoff", "acute_crisis",
                                        "no_shelter_tonight"])
    assert r.tier == U.IMMEDIATE
    assert r.fired == ["no_shelter_tonight", "acute_crisis", "eviction_or_cutoff"]
    assert r.deciding == ["no_shelter_tonight", "acute_crisis"]
    assert r.response_days == 0


def test_trigger_enum_values_and_duplicates_accepted():
    r = triage.assess_urgency(triggers=[triage.Trigger.NO_FOOD_OR_MEDICINE,
                                        "no_food_or_medicine"])
    assert r.fired == ["no_food_or_medicine"]
    assert r.tier == U.URGENT


def test_statutory_floor_lifts_normal_to_priority():
    # §5.1: a statutory 7-business-day start makes a NORMAL intake PRIORITY
    r = triage.assess_urgency(triggers=[], statutory_floor=U.PRIORITY)
    assert (r.tier, r.deciding, r.response_days) == (U.PRIORITY, [], 7)
    r = triage.assess_urgency(triggers=["eviction_or_cutoff"], statutory_floor="priority")
    assert r.tier == U.URGENT


@pytest.mark.parametrize("bad", ["No_Shelter_Tonight", "no shelter tonight", "", "unknown"])
def test_unknown_trigger_name_raises_invalid_argument(bad):
    with pytest.raises(triage.InvalidArgument) as ei:
        triage.assess_urgency(triggers=[bad])
    assert ei.value.code == -1
    assert ei.value.argument == "name"


def test_bad_trigger_values():
    with pytest.raises(triage.InvalidArgument):
        triage.assess_urgency(triggers=[10])
    with pytest.raises(triage.InvalidArgument):
        triage.assess_urgency(triggers=[-1])
    with pytest.raises(TypeError):
        triage.assess_urgency(triggers="acute_crisis")   # a str, not a list of names
    with pytest.raises(TypeError):
        triage.assess_urgency(triggers=[1.5])
    with pytest.raises(TypeError):
        triage.assess_urgency(triggers=[True])
    with pytest.raises(triage.InvalidArgument) as ei:
        triage.assess_urgency(triggers=[], statutory_floor=0)
    assert ei.value.argument == "statutory_floor"
    with pytest.raises(triage.InvalidArgument):
        triage.assess_urgency(triggers=[], statutory_floor="LOW")
    with pytest.raises(TypeError):
        triage.assess_urgency(triggers=[], policy="fi-default")


def test_policy_remaps_trigger_and_response_time():
    p = triage.UrgencyPolicy()
    assert (p.id, p.version) == ("fi-default", 1)
    assert [p.response_days(t) for t in U] == [0, 1, 7, 15]
    p.set_tier("no_food_or_medicine", U.IMMEDIATE)
    p.set_tier(triage.Trigger.ACUTE_CRISIS, "URGENT")
    p.set_response_days(U.URGENT, 2)
    p.set_response_days("normal", 10)
    p.set_id("vaasa-2026", 3)
    r = triage.assess_urgency(triggers=["no_food_or_medicine"], policy=p)
    assert (r.tier, r.response_days, r.policy_id, r.policy_version) == (
        U.IMMEDIATE, 0, "vaasa-2026", 3)
    r = p.assess(["acute_crisis"])
    assert (r.tier, r.response_days) == (U.URGENT, 2)
    assert triage.assess_urgency(triggers=[], policy=p).response_days == 10
    # The default is untouched.
    assert triage.assess_urgency(triggers=["no_food_or_medicine"]).tier == U.URGENT


def test_policy_copy_is_independent():
    p = triage.UrgencyPolicy()
    p.set_tier("eviction_or_cutoff", U.NORMAL)
    c = copy.copy(p)
    d = copy.deepcopy(p)
    c.set_tier("eviction_or_cutoff", U.IMMEDIATE)
    assert triage.assess_urgency(["eviction_or_cutoff"], policy=p).tier == U.NORMAL
    assert triage.assess_urgency(["eviction_or_cutoff"], policy=d).tier == U.NORMAL
    assert triage.assess_urgency(["eviction_or_cutoff"], policy=c).tier == U.IMMEDIATE


def test_policy_setters_reject_bad_input():
    p = triage.UrgencyPolicy()
    with pytest.raises(triage.InvalidArgument) as ei:
        p.set_tier("acute_crisis", 5)
    assert ei.value.argument == "tier"
    with pytest.raises(triage.InvalidArgument):
        p.set_tier("no_such_trigger", U.URGENT)
    with pytest.raises(triage.InvalidArgument) as ei:
        p.set_response_days(U.URGENT, 366)
    assert ei.value.argument == "days"
    with pytest.raises(triage.InvalidArgument):
        p.set_response_days(U.URGENT, -1)
    with pytest.raises(triage.InvalidArgument):
        p.set_response_days(U.URGENT, 2 ** 40)
    with pytest.raises(TypeError):
        p.set_response_days(U.URGENT, 1.0)
    with pytest.raises(triage.InvalidArgument) as ei:
        p.set_id("", 2)
    assert ei.value.argument == "id"
    with pytest.raises(triage.InvalidArgument):
        p.set_id("x" * 32, 2)
    with pytest.raises(triage.InvalidArgument):
        p.set_id("ääkkönen", 2)
    with pytest.raises(triage.InvalidArgument) as ei:
        p.set_id("ok", 0)
    assert ei.value.argument == "version"
    with pytest.raises(TypeError):
        p.set_id(None, 1)
    # nothing changed
    assert (p.id, p.version, p.response_days(U.URGENT)) == ("fi-default", 1, 1)


def test_policies_freed_in_any_order():
    policies = [triage.UrgencyPolicy() for _ in range(5)]
    copies = [q.copy() for q in policies]
    del policies[::2]
    gc.collect()
    for q in copies:
        assert q.assess(["acute_crisis"]).tier == U.IMMEDIATE
    del copies
    gc.collect()
    assert len(policies) == 2
