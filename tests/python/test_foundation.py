import datetime
import re
import uuid

import pytest

import triage


def test_version_matches_c():
    v = triage.version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", v)
    major, minor, patch = map(int, v.split("."))
    assert triage.version_number() == major * 10000 + minor * 100 + patch
    assert triage.__version__ == v


def test_date_round_trip_with_datetime():
    d = triage.Date(2026, 11, 23)
    assert d.to_date() == datetime.date(2026, 11, 23)
    assert d.weekday == 1
    assert str(d) == "2026-11-23"
    assert triage.Date.from_date(datetime.date(2000, 2, 29)).days == 11016
    assert triage.Date.parse("1970-01-01").days == 0
    assert triage.Date.from_date(datetime.datetime(2026, 1, 2, 13, 0)) == datetime.date(2026, 1, 2)


def test_date_arithmetic_and_order():
    a = triage.Date(2024, 2, 28)
    assert (a + 1) == triage.Date(2024, 2, 29)
    assert (a + 2) - a == 2
    assert a < a + 1
    assert sorted([a + 3, a, a + 1])[0] == a
    assert len({a, triage.Date(2024, 2, 28)}) == 1


def test_invalid_date_raises_invalid_argument_with_c_message():
    with pytest.raises(triage.InvalidArgument) as ei:
        triage.Date(2026, 2, 30)
    err = ei.value
    assert isinstance(err, triage.TriageError)
    assert isinstance(err, ValueError)
    assert err.code == -1
    assert err.argument == "day"
    assert err.message == "the month has no such day"
    with pytest.raises(triage.InvalidArgument) as ei:
        triage.Date(2026, 13, 1)
    assert ei.value.argument == "month"


@pytest.mark.parametrize("text", ["", "2026-1-1", "2026-11-23T00:00", " 2026-11-23", "x"])
def test_malformed_text(text):
    with pytest.raises(triage.InvalidArgument):
        triage.Date.parse(text)


def test_out_of_range_raises_out_of_range():
    with pytest.raises(triage.OutOfRange):
        triage.Date(1899, 12, 31)
    with pytest.raises(triage.OutOfRange):
        triage.Date.from_days(10**6)


def test_type_errors():
    with pytest.raises(TypeError):
        triage.Date.parse(20261123)
    with pytest.raises(TypeError):
        triage.Date.from_date("2026-11-23")


def test_ids():
    a = triage.new_id()
    assert isinstance(a, uuid.UUID) and a.version == 4
    assert triage.parse_id(str(a)) == a
    assert triage.parse_id(str(a).upper()) == a
    with pytest.raises(triage.InvalidArgument) as ei:
        triage.parse_id("{" + str(a) + "}")
    assert ei.value.argument == "text"


def test_matches_python_calendar_over_a_span():
    start = datetime.date(1999, 12, 1)
    for i in range(0, 800):
        day = start + datetime.timedelta(days=i)
        d = triage.Date.from_date(day)
        assert d.weekday == day.isoweekday()
        assert d.days == (day - datetime.date(1970, 1, 1)).days
