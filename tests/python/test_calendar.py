"""Tests of triage.Calendar (docs/domain.md §5.4; Act 150/1930)."""

import copy
import datetime
import gc

import holidays  # Debian's python3-holidays: the independent reference
import pytest

import triage

D = datetime.date


@pytest.fixture
def cal():
    return triage.Calendar.finland()


def test_business_days_match_python_holidays_2000_2040(cal):
    # An independent cross-check: Debian's python3-holidays (0.10.1) Finland
    # calendar plus weekends, every day of 2000-2040.
    fi = holidays.Finland(years=range(2000, 2041))
    day = D(2000, 1, 1)
    checked = 0
    while day <= D(2040, 12, 31):
        expected = day.weekday() < 5 and day not in fi
        assert cal.is_business_day(day) == expected, day
        assert (cal.holiday(day) != triage.Holiday.NONE) == (day in fi), day
        day += datetime.timedelta(days=1)
        checked += 1
    assert checked == 14976


@pytest.mark.parametrize("start, n, expected", [
    # Act 150/1930 § 2: the start day is not counted; n = 0 is the start itself.
    ("2025-04-20", 0, D(2025, 4, 20)),    # Easter Sunday
    ("2025-03-14", 1, D(2025, 3, 17)),    # Friday -> Monday
    ("2024-12-20", 2, D(2024, 12, 27)),   # Christmas 24-26 Dec
    ("2024-12-20", 5, D(2025, 1, 2)),     # and New Year
    ("2025-04-17", 1, D(2025, 4, 22)),    # Good Friday .. Easter Monday
    ("2025-06-19", 1, D(2025, 6, 23)),    # Midsummer Eve
    ("2025-01-01", 250, D(2025, 12, 30)),
])
def test_add_business_days(cal, start, n, expected):
    got = cal.add_business_days(start, n)
    assert got == expected
    assert type(got) is datetime.date


def test_dates_accepted_in_every_form(cal):
    for value in ("2024-12-20", D(2024, 12, 20), triage.Date(2024, 12, 20),
                  datetime.datetime(2024, 12, 20, 23, 59)):
        assert cal.add_business_days(value, 1) == D(2024, 12, 23)
    with pytest.raises(TypeError):
        cal.is_business_day(20241220)
    with pytest.raises(TypeError):
        cal.add_business_days("2024-12-20", 1.0)
    with pytest.raises(TypeError):
        cal.add_business_days("2024-12-20", True)


def test_business_days_between(cal):
    assert cal.business_days_between("2024-12-20", "2025-01-02") == 5
    assert cal.business_days_between("2025-01-02", "2024-12-20") == -5
    assert cal.business_days_between("2025-03-15", "2025-03-16") == 0
    a = D(2024, 12, 20)
    for b in (D(2025, 1, 2), D(2025, 4, 22), D(2031, 6, 2)):
        assert cal.is_business_day(b)
        assert cal.add_business_days(a, cal.business_days_between(a, b)) == b


@pytest.mark.parametrize("start, n, expected", [
    # Act 150/1930 § 3 (same day, else the month's last day) and § 5 (next business day).
    ("2024-11-30", 3, D(2025, 2, 28)),
    ("2023-11-30", 3, D(2024, 2, 29)),
    ("2025-08-31", 3, D(2025, 12, 1)),    # 30 Nov 2025 is a Sunday
    ("2024-09-24", 3, D(2024, 12, 27)),   # Christmas Eve rolls forward
    ("2025-01-15", 0, D(2025, 1, 15)),
])
def test_add_months(cal, start, n, expected):
    assert cal.add_months(start, n) == expected


def test_holidays_and_names(cal):
    assert cal.holiday_name("2025-04-18") == "Good Friday"
    assert cal.holiday_name_fi("2025-04-18") == "Pitkäperjantai"
    assert cal.holiday("2025-06-20") is triage.Holiday.MIDSUMMER_EVE
    assert cal.holiday_name("2025-03-12") is None
    assert cal.holiday_name("2025-03-15") is None  # a plain Saturday
    assert cal.holiday_name("2008-05-01") == "May Day"  # also Ascension Day that year
    assert triage.Holiday.BOXING_DAY == 15
    assert triage.Holiday.NONE.english_name is None
    assert triage.CALENDAR_MIN_YEAR == 1991 and triage.CALENDAR_MAX_YEAR == 2199


def test_closures_and_copy(cal):
    day = "2025-03-12"
    assert cal.is_business_day(day)
    cal.add_closure(day)
    assert not cal.is_business_day(day)
    assert cal.holiday(day) is triage.Holiday.LOCAL_CLOSURE
    assert cal.holiday_name(day) == "Local closure day"
    assert cal.add_business_days("2025-03-11", 1) == D(2025, 3, 13)
    with pytest.raises(triage.AlreadyExists):
        cal.add_closure(D(2025, 3, 12))
    other = cal.copy()
    deep = copy.deepcopy(cal)
    cal.remove_closure(day)
    assert cal.is_business_day(day)
    assert not other.is_business_day(day)
    assert not deep.is_business_day(day)
    with pytest.raises(triage.NotFound):
        cal.remove_closure(day)
    other.remove_closure(day)
    assert other.is_business_day(day)


def test_bad_input_raises(cal):
    with pytest.raises(triage.OutOfRange) as ei:
        cal.is_business_day("1990-12-31")
    assert ei.value.argument == "date"
    with pytest.raises(triage.OutOfRange):
        cal.add_business_days("2199-12-31", 1)
    with pytest.raises(triage.OutOfRange):
        cal.add_business_days("2025-01-01", 2 ** 40)
    with pytest.raises(triage.OutOfRange):
        cal.add_months("2199-11-30", 2)
    with pytest.raises(triage.OutOfRange):
        cal.business_days_between("1900-01-01", "2025-01-01")
    with pytest.raises(triage.OutOfRange):
        cal.add_closure("1985-05-01")
    with pytest.raises(triage.InvalidArgument) as ei:
        cal.add_business_days("2025-01-01", -1)
    assert ei.value.argument == "n"
    with pytest.raises(triage.InvalidArgument):
        cal.add_business_days("2025-01-01", -(2 ** 40))
    with pytest.raises(triage.InvalidArgument):
        cal.add_months("2025-01-01", -3)
    with pytest.raises(triage.InvalidArgument):
        cal.is_business_day("2025-02-30")
    with pytest.raises(triage.InvalidArgument):
        cal.is_business_day("not a date")
    with pytest.raises(TypeError):
        triage.Calendar()


def test_missing_handle_does_not_crash():
    # A Calendar whose handle is gone (None) reaches C as NULL.
    broken = triage.Calendar._wrap(None)
    with pytest.raises(triage.InvalidArgument) as ei:
        broken.is_business_day("2025-01-01")
    assert ei.value.argument == "cal"
    with pytest.raises(triage.InvalidArgument):
        broken.copy()
    with pytest.raises(triage.InvalidArgument):
        broken.add_closure("2025-01-01")


def test_free_in_any_order():
    a = triage.Calendar.finland()
    a.add_closure("2025-03-12")
    b = a.copy()
    c = b.copy()
    del a
    gc.collect()
    assert not c.is_business_day("2025-03-12")
    del c
    gc.collect()
    assert not b.is_business_day("2025-03-12")
    del b
    gc.collect()
