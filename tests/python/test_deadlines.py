"""Tests of triage.deadlines and deadline status (docs/domain.md §5.3; Act 150/1930)."""

import copy
import datetime
import gc

import pytest

import triage

D = datetime.date


def rows(ds):
    return [(d.row, d.due.isoformat()) for d in ds]


def test_enums():
    assert [(k.name, int(k), k.label) for k in triage.IntakeKind] == [
        ("CONTACT", 1, "contact"), ("NOTIFICATION", 2, "notification"),
        ("CHILD_WELFARE_NOTIFICATION", 3, "child_welfare_notification"),
        ("APPLICATION", 4, "application"), ("KELA_REFERRAL", 5, "kela_referral"),
        ("OTHER_AUTHORITY", 6, "other_authority")]
    assert triage.IntakeKind.from_name("kela_referral") is triage.IntakeKind.KELA_REFERRAL
    with pytest.raises(triage.InvalidArgument):
        triage.IntakeKind.from_name("Contact")
    assert [int(s) for s in triage.DeadlineState] == [1, 2, 3, 4, 5]
    assert [int(s) for s in triage.ServiceArea] == [1, 2, 3]


def test_deadline_object():
    # SHL 36 § 2 (1): own contact aged 75+: assessment started by the 7th business day
    ds = triage.deadlines(kind="contact", received=D(2026, 3, 2), own_contact=True, age=80,
                          service="older")
    assert rows(ds) == [("D1", "2026-03-02"), ("D2", "2026-03-11"), ("response", "2026-03-11")]
    d2 = ds[1]
    assert d2.row == "D2"
    assert d2.basis == "SHL 36 §"
    assert d2.milestone == d2.kind == "assessment_started"
    assert type(d2.due) is datetime.date and d2.due == D(2026, 3, 11)
    assert ds[0].milestone == "urgency_assessed"
    assert ds[2].basis == "policy" and ds[2].milestone == "response"


@pytest.mark.parametrize("kwargs, expected", [
    # SHL 36 § 1 + 2: every intake D1; any other intake D8 (default 15th business day)
    (dict(kind="notification"), ["D1", "D8", "response"]),
    (dict(), ["D1", "D8", "response"]),
    (dict(kind="kela_referral"), ["D1", "D8", "response"]),
    # SHL 36 § 2 (1) / (2)
    (dict(kind="contact", own_contact=True, age=75), ["D1", "D2", "response"]),
    (dict(kind="contact", own_contact=True, age=74), ["D1", "D8", "response"]),
    (dict(kind="notification", age=90), ["D1", "D8", "response"]),
    (dict(kind="contact", own_contact=True, highest_care_allowance=True),
     ["D1", "D3", "response"]),
    # SHL 36 § 3: child in need of special support (service inferred: family)
    (dict(kind="contact", child_special_support=True), ["D1", "D4", "D5", "response"]),
    # LSL 26 §
    (dict(kind="child_welfare_notification"), ["D1", "D6", "D7", "response"]),
    # SHL 45 § 2
    (dict(service_decision="2026-03-20"), ["D1", "D8", "D9", "response"]),
    # TTL 14 b §, 14 c §, 14 e §
    (dict(kind="application", assistance_urgent=True), ["D1", "D8", "D10", "response"]),
    (dict(kind="application", assistance_complete=True), ["D1", "D8", "D11", "response"]),
    (dict(kind="application"), ["D1", "D8", "D12", "response"]),
    (dict(kind="application", assistance_completed="2026-03-16"),
     ["D1", "D8", "D12", "D12b", "response"]),
    (dict(kind="contact", meeting_requested="2026-03-04"), ["D1", "D8", "D13", "response"]),
])
def test_rows_apply(kwargs, expected):
    ds = triage.deadlines(received="2026-03-02", **kwargs)
    assert [d.row for d in ds] == expected


@pytest.mark.parametrize("kwargs, expected", [
    # SHL 36 § 2 (1) over Christmas: Tue 22 Dec 2026 -> Tue 5 Jan 2027
    (dict(kind="contact", received="2026-12-22", own_contact=True, age=80),
     [("D1", "2026-12-22"), ("D2", "2027-01-05"), ("response", "2027-01-05")]),
    # Maundy Thursday 2 April 2026: Good Friday and Easter Monday skipped
    (dict(kind="contact", received="2026-04-02", own_contact=True, age=80),
     [("D1", "2026-04-02"), ("D2", "2026-04-15"), ("response", "2026-04-15")]),
    # TTL 14 b § before Midsummer: Thu 18 June -> Mon 22 June
    (dict(kind="application", received="2026-06-18", assistance_urgent=True, urgency="URGENT"),
     [("D1", "2026-06-18"), ("D8", "2026-07-10"), ("D10", "2026-06-22"),
      ("response", "2026-06-22")]),
    # LSL 26 §: 3 months from 30 Nov: 28 Feb 2027 is a Sunday -> 1 Mar
    (dict(kind="child_welfare_notification", received="2026-11-30"),
     [("D1", "2026-11-30"), ("D6", "2026-12-09"), ("D7", "2027-03-01"),
      ("response", "2026-12-09")]),
    # SHL 36 § 3: 30 Nov 2027 -> 29 Feb 2028
    (dict(kind="contact", received="2027-11-30", child_special_support=True),
     [("D1", "2027-11-30"), ("D4", "2027-12-10"), ("D5", "2028-02-29"),
      ("response", "2027-12-10")]),
])
def test_due_dates(kwargs, expected):
    assert rows(triage.deadlines(**kwargs)) == expected


@pytest.mark.parametrize("dob, received, has_d2", [
    # SHL 36 § 2 (1): 75 or older on the intake date
    ("1951-06-15", "2026-06-15", True),
    ("1951-06-16", "2026-06-15", False),
    ("1952-02-29", "2027-02-28", False),   # 29 Feb birthday reached on 1 March
    ("1952-02-29", "2027-03-01", True),
])
def test_age_from_date_of_birth(dob, received, has_d2):
    ds = triage.deadlines(kind="contact", received=received, own_contact=True,
                          date_of_birth=dob, service="older")
    assert ("D2" in [d.row for d in ds]) == has_d2
    assert triage.priority_applies(kind="contact", received=received, own_contact=True,
                                   date_of_birth=triage.Date.parse(dob)) == has_d2


def test_urgency_and_policy_give_the_response_row():
    r = triage.assess_urgency(triggers=["no_food_or_medicine"])
    ds = triage.deadlines(kind="contact", received="2026-03-02", urgency=r)
    assert ds[-1].due == D(2026, 3, 3)
    ds = triage.deadlines(kind="contact", received="2026-03-02", urgency=triage.Urgency.IMMEDIATE)
    assert ds[-1].due == D(2026, 3, 2)
    p = triage.UrgencyPolicy()
    p.set_response_days(triage.Urgency.NORMAL, 10)
    ds = triage.deadlines(kind="contact", received="2026-03-02", urgency_policy=p)
    assert ds[-1].due == D(2026, 3, 16)


def test_rules_change_a_limit_and_switch_a_row_off():
    rules = triage.DeadlineRules()
    assert rules.law_version("D8") == "2025"
    rules.set_limit("D8", 10)
    rules.set_enabled("response", False)
    rules.set_law_version("D8", "2026 (local)")
    ds = triage.deadlines(kind="contact", received="2026-03-02", rules=rules)
    assert rows(ds) == [("D1", "2026-03-02"), ("D8", "2026-03-16")]
    assert rules.law_version("D8") == "2026 (local)"
    c = copy.deepcopy(rules)
    c.set_limit("D8", 15)
    assert triage.deadlines(kind="contact", received="2026-03-02", rules=rules)[1].due == \
        D(2026, 3, 16)
    assert triage.deadlines(kind="contact", received="2026-03-02", rules=c)[1].due == \
        D(2026, 3, 23)
    with pytest.raises(triage.InvalidArgument) as ei:
        rules.set_limit("response", 3)
    assert ei.value.argument == "row"
    with pytest.raises(triage.InvalidArgument) as ei:
        rules.set_limit("D99", 3)
    assert ei.value.argument == "row"
    with pytest.raises(triage.InvalidArgument) as ei:
        rules.set_limit("D8", 366)
    assert ei.value.argument == "amount"
    with pytest.raises(triage.InvalidArgument) as ei:
        rules.set_law_version("D8", "")
    assert ei.value.argument == "law_version"


@pytest.mark.parametrize("kwargs, exc, field", [
    (dict(kind="child_welfare_notification", service="working_age"),
     triage.InvalidArgument, "kind"),
    (dict(kind="child_welfare_notification", service="older"), triage.InvalidArgument, "kind"),
    (dict(age=-2), triage.InvalidArgument, "age"),
    (dict(age=151), triage.InvalidArgument, "age"),
    (dict(date_of_birth="2026-03-03"), triage.InvalidArgument, "date_of_birth"),
    (dict(age=70, date_of_birth="1950-01-01"), triage.InvalidArgument, "age"),
    (dict(service_decision="2026-03-01"), triage.InvalidArgument, "service_decision"),
    (dict(meeting_requested="2026-03-01"), triage.InvalidArgument, "meeting_requested"),
    (dict(kind="application", assistance_completed="2026-03-01"), triage.InvalidArgument,
     "assistance_completed"),
    (dict(kind="contact", assistance_urgent=True), triage.InvalidArgument, "assistance_urgent"),
    (dict(kind="notification", assistance_complete=True), triage.InvalidArgument,
     "assistance_complete"),
    (dict(kind="contact", assistance_completed="2026-03-05"), triage.InvalidArgument,
     "assistance_completed"),
    (dict(own_contact=2), triage.InvalidArgument, "own_contact"),
    (dict(service="nursing"), triage.InvalidArgument, "service"),
    (dict(service=9), triage.InvalidArgument, "service"),
    (dict(kind=9), triage.InvalidArgument, "kind"),
    (dict(urgency="LOW"), triage.InvalidArgument, "urgency"),
    (dict(urgency=0), triage.InvalidArgument, "urgency"),
    (dict(kind="contact", child_special_support=True, service="working_age"),
     triage.InvalidArgument, "child_special_support"),
])
def test_bad_input_names_the_field(kwargs, exc, field):
    with pytest.raises(exc) as ei:
        triage.deadlines(received="2026-03-02", **kwargs)
    assert ei.value.argument == field


def test_bad_input_other():
    with pytest.raises(triage.InvalidArgument) as ei:
        triage.deadlines(kind="letter", received="2026-03-02")
    assert ei.value.argument == "name"
    with pytest.raises(triage.InvalidArgument) as ei:
        triage.deadlines(kind="contact")
    assert ei.value.argument == "received"
    with pytest.raises(triage.OutOfRange):
        triage.deadlines(kind="contact", received="1990-06-01")
    with pytest.raises(triage.InvalidArgument):
        triage.deadlines(kind="contact", received="2026-02-30")
    with pytest.raises(TypeError):
        triage.deadlines(kind="contact", received=20260302)
    with pytest.raises(TypeError):
        triage.deadlines(kind="contact", received="2026-03-02", own_contact="yes")
    with pytest.raises(TypeError):
        triage.deadlines(kind="contact", received="2026-03-02", calendar="FI")
    with pytest.raises(TypeError):
        triage.deadlines(kind="contact", received="2026-03-02", rules=object())


def test_status_transitions():
    d2 = triage.deadlines(kind="contact", received="2026-03-02", own_contact=True, age=80)[1]
    assert d2.due == D(2026, 3, 11)
    S = triage.DeadlineState
    assert tuple(d2.status("2026-03-02")) == (S.OPEN, 0)
    assert tuple(d2.status("2026-03-09")) == (S.DUE_SOON, 0)
    assert tuple(d2.status("2026-03-11", due_soon_days=0)) == (S.DUE_SOON, 0)
    assert tuple(d2.status("2026-03-16")) == (S.MISSED, 3)
    assert tuple(d2.status("2026-03-20", met_on="2026-03-10")) == (S.MET, 0)
    st = d2.status("2026-03-20", met_on="2026-03-13")
    assert (st.state, st.overdue) == (S.MET_LATE, 2)
    with pytest.raises(triage.InvalidArgument) as ei:
        d2.status("2026-03-10", met_on="2026-03-11")
    assert ei.value.argument == "met_on"
    with pytest.raises(triage.InvalidArgument) as ei:
        d2.status("2026-03-10", due_soon_days=-1)
    assert ei.value.argument == "due_soon_days"


def test_calendar_closure_moves_deadlines():
    cal = triage.Calendar.finland()
    cal.add_closure("2026-03-05")
    ds = triage.deadlines(kind="contact", received="2026-03-02", own_contact=True, age=80,
                          calendar=cal)
    assert ds[1].due == D(2026, 3, 12)
    assert ds[1].status("2026-03-12", calendar=cal).state == triage.DeadlineState.DUE_SOON
    del cal
    gc.collect()
    assert ds[1].due == D(2026, 3, 12)


def test_rules_freed_in_any_order():
    rules = [triage.DeadlineRules() for _ in range(4)]
    copies = [r.copy() for r in rules]
    del rules[1::2]
    gc.collect()
    for c in copies:
        assert c.law_version("D1") == "2025"
    del copies
    gc.collect()
    assert len(rules) == 2
