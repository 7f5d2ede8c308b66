"""triage.Report: period reports from Python (docs/domain.md §9, docs/reports.md).

A small scenario with hand-computed figures, read through to_dict() and
to_csv(); the period bounds (dates, datetimes, epoch ms); bad arguments; and
freeing the engine and the report in any order.
"""

import csv
import datetime
import gc
import io
import json

import pytest

import triage
from triage import ClosingReason, IntakeKind, NeedNature, Role, Slot, Stage

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
# 2026-11-23 (Monday) 10:00 Finnish time = 08:00 UTC.
T0 = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
START = datetime.date(2026, 11, 23)
END = datetime.date(2026, 12, 7)  # exclusive: the period is 23 Nov - 6 Dec
Q2 = dict(need={"housing": 3})


def clock():
    return T0 - 7 * DAY


@pytest.fixture
def scenario():
    """Three cases in the period and one before it.

    A  contact/phone 11-23: reached the same day (wait 0), closed advice_given.
    B  notification/other_authority 11-23: failed 11-23, reached 11-25 (wait 2);
       -> distribution, Q2, sc assessment; -> assessment 11-26 (wait 3); sc
       responsible; -> planning 11-30.
    C  contact/e_service 11-24: failed 11-24, 11-26, 12-01; closed unreachable.
    P  contact/phone 11-16 (before the period): -> guidance, closed referred
       11-16; counts nowhere.
    """
    e = triage.Engine(clock=clock)
    sw = e.add_worker(role=Role.SOCIAL_WORKER, team=1)
    sc = e.add_worker(role=Role.SOCIAL_COUNSELLOR, team=2)
    clients = [e.add_client(date_of_birth=datetime.date(1980, 5, 17)) for _ in range(4)]

    p = e.intake(clients[3], kind=IntakeKind.CONTACT, received=T0 - 7 * DAY).case
    e.move(p, Stage.GUIDANCE, at=T0 - 7 * DAY + HOUR)
    e.move(p, Stage.CLOSED, reason=ClosingReason.REFERRED, at=T0 - 7 * DAY + 2 * HOUR)

    a = e.intake(clients[0], kind=IntakeKind.CONTACT, received=T0).case
    e.move(a, Stage.GUIDANCE, at=T0)
    e.contact_attempt(a, True, at=T0 + HOUR)
    e.move(a, Stage.CLOSED, reason=ClosingReason.ADVICE_GIVEN, at=T0 + 2 * HOUR)

    b = e.intake(clients[1], kind=IntakeKind.NOTIFICATION, channel=triage.Channel.OTHER_AUTHORITY,
                 received=T0).case
    e.move(b, Stage.GUIDANCE, at=T0 + HOUR)
    e.contact_attempt(b, False, at=T0 + 2 * HOUR)
    e.contact_attempt(b, True, at=T0 + 2 * DAY)
    e.move(b, Stage.DISTRIBUTION, at=T0 + 2 * DAY + HOUR)
    e.classify_case(b, at=T0 + 2 * DAY + HOUR, actor=sw, **Q2)
    e.set_worker(b, Slot.ASSESSMENT, sc, at=T0 + 2 * DAY + HOUR)
    e.move(b, Stage.ASSESSMENT, at=T0 + 3 * DAY)
    e.record_assessment(b, NeedNature.RECURRING, at=T0 + 3 * DAY)
    e.set_worker(b, Slot.RESPONSIBLE, sc, at=T0 + 3 * DAY)
    e.move(b, Stage.PLANNING, at=T0 + 7 * DAY)

    c = e.intake(clients[2], kind=IntakeKind.CONTACT, channel="e_service",
                 received=T0 + DAY).case
    e.move(c, Stage.GUIDANCE, at=T0 + DAY)
    for d in (1, 3, 8):
        e.contact_attempt(c, False, at=T0 + d * DAY + HOUR)
    e.move(c, Stage.CLOSED, reason=ClosingReason.UNREACHABLE, at=T0 + 8 * DAY + 2 * HOUR)
    yield e, sw, sc
    e.close()


def test_figures_to_dict(scenario):
    e, sw, sc = scenario
    d = e.report(START, END).to_dict()
    assert d["format"] == "libtriage-report" and d["format_version"] == 2
    assert d["period"] == {"from_ms": 1795384800000, "to_ms": 1796594400000,
                           "first_day": "2026-11-23", "last_day": "2026-12-06"}
    assert d["intakes"]["total"] == 3
    assert d["intakes"]["by_kind"]["contact"] == 2
    assert d["intakes"]["by_kind"]["notification"] == 1
    assert d["intakes"]["by_channel"] == {
        "phone": 1, "e_service": 1, "walk_in": 0, "outreach": 0, "kela": 0, "letter": 0,
        "other_authority": 1}
    assert d["intakes"]["by_kind_and_channel"]["notification"]["other_authority"] == 1
    # A, B and C left guidance; A (advice) and C (unreachable) were resolved there.
    assert d["guidance"] == {"left": 3, "resolved": 2, "share": 0.6667}
    assert d["assessments"] == {"started": 1, "completed": 1}
    assert d["plans"] == 1
    assert d["plan_reviews"] == 0
    assert d["closings"]["total"] == 2
    assert d["closings"]["by_reason"]["advice_given"] == 1
    assert d["closings"]["by_reason"]["unreachable"] == 1
    assert d["closings"]["by_reason"]["referred"] == 0  # P closed before the period
    # D1 (SHL 36 §) of A, B, C met on arrival (urgency assessed as they came:
    # a column of its own); every D8 and response is due later.
    shl36 = d["deadlines"][0]
    assert shl36 == {"basis": "SHL 36 §", "met": 0, "missed": 0, "open": 0, "cancelled": 0,
                     "met_on_arrival": 3}
    assert [x["basis"] for x in d["deadlines"]] == [
        "SHL 36 §", "SHL 45 §", "LSL 26 §", "TTL 14 b §", "TTL 14 c §", "TTL 14 e §", "policy",
        "SHL 39 §"]
    # Waits in business days: first contact A 0, B 2; assessment start B 3.
    assert d["waiting_days"]["first_contact"] == {"count": 2, "median": 1, "p90": 1.8}
    assert d["waiting_days"]["assessment_start"] == {"count": 1, "median": 3, "p90": 3}
    assert d["quadrants"] == {"guidance_only": 0, "social_guidance_work": 1,
                              "supported_guidance": 0, "special_support": 0}
    # B unreachable once, C three times; no booked meeting was missed
    assert d["failed_contacts"] == {"no_shows": 0, "unreachable_attempts": 4}
    assert [w["id"] for w in d["workers"]] == [str(sw), str(sc)]  # team 1, then team 2
    assert d["workers"][1] == {"id": str(sc), "role": "social_counsellor", "team": 2,
                               "assessment": 1, "responsible": 1, "pair": 0, "load": 0.7}
    roles = {r["role"]: r for r in d["roles"]}
    assert roles["social_counsellor"]["workers"] == 1
    assert roles["social_counsellor"]["assessment"] == 1
    assert roles["service_guide"]["workers"] == 0
    assert [t["team"] for t in d["teams"]] == [1, 2]
    # Loads now: B (Q2, planning: 1.0 x 0.7) on sc as assessment and responsible worker.
    assert d["workers"][0]["load"] == 0 and d["workers"][1]["load"] == 0.7
    assert d["balance"]["all"] == {"workers": 2, "max": 0.7, "min": 0, "mean": 0.35, "cv": 1,
                                   "gini": 0.5}
    by_role = {b["role"]: b for b in d["balance"]["by_role"]}
    assert by_role["service_guide"] == {"role": "service_guide", "workers": 0, "max": None,
                                        "min": None, "mean": None, "cv": None, "gini": None}
    assert [b["team"] for b in d["balance"]["by_team"]] == [1, 2]


def test_to_csv(scenario, tmp_path):
    e, sw, sc = scenario
    r = e.report(START, END)
    path = tmp_path / "report.csv"
    assert r.to_csv(path) is None
    raw = path.read_bytes()
    assert raw.decode("utf-8") == r.to_csv()
    assert b"\r\n" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    assert rows[0] == ["section", "group", "key", "value"]
    table = {(s, g, k): v for s, g, k, v in rows[1:]}
    assert table[("guidance", "", "share")] == "0.6667"
    assert table[("intakes", "all", "all")] == "3"
    assert table[("deadlines", "SHL 36 §", "met_on_arrival")] == "3"
    assert table[("deadlines", "SHL 36 §", "met")] == "0"
    assert table[("waiting_days", "first_contact", "p90")] == "1.8"
    assert table[("worker", str(sc), "responsible")] == "1"
    assert table[("team", "2", "assessment")] == "1"
    # The CSV and the dict agree on every scalar they share.
    d = r.to_dict()
    assert int(table[("plans", "", "made")]) == d["plans"]
    assert int(table[("plans", "", "reviewed")]) == d["plan_reviews"]
    for key in ("no_shows", "unreachable_attempts"):
        assert int(table[("failed_contacts", "", key)]) == d["failed_contacts"][key]
    assert len(rows) == len(set((s, g, k) for s, g, k, _ in rows))  # no duplicate keys


def test_json_text_is_strict_and_ascii(scenario):
    e, _, _ = scenario
    text = e.report(START, END).to_json()
    assert text.isascii() and text.endswith("}\n")
    assert "\\u00a7" in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-standard constant {c}"))


def test_period_bounds(scenario):
    e, _, _ = scenario
    by_date = e.report(START, END).to_csv()
    by_dt = e.report(datetime.datetime(2026, 11, 22, 22, 0, tzinfo=UTC),
                     datetime.datetime(2026, 12, 6, 22, 0, tzinfo=UTC)).to_csv()
    by_ms = e.report(1795384800000, 1796594400000).to_csv()
    assert by_date == by_dt == by_ms
    # Only the day before the period: P's intake and closing.
    d = e.report(START - 7 * DAY, START - 6 * DAY).to_dict()
    assert d["intakes"]["total"] == 1
    assert d["closings"]["by_reason"]["referred"] == 1
    assert d["guidance"]["share"] == 1
    # Nothing happened: undefined figures are None.
    d = e.report(datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)).to_dict()
    assert d["intakes"]["total"] == 0
    assert d["guidance"]["share"] is None
    assert d["waiting_days"]["first_contact"] == {"count": 0, "median": None, "p90": None}


def test_deterministic(scenario):
    e, _, _ = scenario
    a, b = e.report(START, END), e.report(START, END)
    assert a.to_json() == b.to_json() and a.to_csv() == b.to_csv()


def test_bad_arguments(scenario):
    e, _, _ = scenario
    with pytest.raises(triage.InvalidArgument) as exc:
        e.report(END, START)
    assert exc.value.argument == "to_ms"
    with pytest.raises(triage.InvalidArgument):
        e.report(START, START)
    with pytest.raises(TypeError):
        e.report("2026-11-23", END)
    with pytest.raises(triage.OutOfRange):
        e.report(datetime.date(1980, 1, 1), datetime.date(1980, 2, 1))
    with pytest.raises(TypeError):
        triage.Report()
    e.close()
    with pytest.raises(ValueError):
        e.report(START, END)


@pytest.mark.parametrize("order", ["engine_first", "report_first"])
def test_free_in_any_order(order):
    e = triage.Engine()
    r = e.report(START, END)
    if order == "engine_first":
        e.close()
        del e
        gc.collect()
        assert r.to_dict()["intakes"]["total"] == 0
        del r
    else:
        del r
        gc.collect()
        e.close()
    gc.collect()
