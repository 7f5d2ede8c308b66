"""triage.local_to_utc: Finnish local time to UTC (the inverse of local_time)."""
import datetime

import pytest

import triage

UTC = datetime.timezone.utc


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("date,minute,later,expected", [
    (datetime.date(2026, 1, 15), 12 * 60, False, at(2026, 1, 15, 10)),
    (datetime.date(2026, 7, 1), 12 * 60, False, at(2026, 7, 1, 9)),
    (datetime.date(2026, 3, 29), 4 * 60, False, at(2026, 3, 29, 1)),
    # The repeated hour on the last Sunday of October: summer time first.
    (datetime.date(2026, 10, 25), 3 * 60 + 30, False, at(2026, 10, 25, 0, 30)),
    (datetime.date(2026, 10, 25), 3 * 60 + 30, True, at(2026, 10, 25, 1, 30)),
    ("2026-12-24", 0, False, at(2026, 12, 23, 22)),
])
def test_local_to_utc(date, minute, later, expected):
    got = triage.local_to_utc(date, minute, later=later)
    assert got == expected
    if isinstance(date, str):
        date = datetime.date.fromisoformat(date)
    assert triage.local_time(got) == (date, minute)


def test_missing_hour_is_refused():
    with pytest.raises(triage.InvalidArgument) as info:
        triage.local_to_utc(datetime.date(2026, 3, 29), 3 * 60 + 15)
    assert info.value.argument == "minute"
    assert "does not exist" in info.value.message


@pytest.mark.parametrize("minute,exc", [(-1, triage.InvalidArgument),
                                        (1440, triage.InvalidArgument),
                                        (1.5, TypeError), (True, TypeError)])
def test_bad_minutes(minute, exc):
    with pytest.raises(exc):
        triage.local_to_utc(datetime.date(2026, 5, 5), minute)


def test_round_trip_every_quarter_hour_over_years():
    t = at(2024, 1, 1)
    end = at(2029, 1, 1)
    step = datetime.timedelta(minutes=15)
    while t < end:
        date, minute = triage.local_time(t)
        early = triage.local_to_utc(date, minute)
        late = triage.local_to_utc(date, minute, later=True)
        assert t in (early, late)
        assert late - early in (datetime.timedelta(0), datetime.timedelta(hours=1))
        t += step
