"""The Finnish business-day calendar (Act 150/1930) with local closure days."""

import datetime
import enum

from . import _lowlevel as _ll
from . import _triage as _c
from ._dates import to_days

__all__ = ["Calendar", "Holiday", "CALENDAR_MIN_YEAR", "CALENDAR_MAX_YEAR"]

CALENDAR_MIN_YEAR = _ll.TRIAGE_CALENDAR_MIN_YEAR
CALENDAR_MAX_YEAR = _ll.TRIAGE_CALENDAR_MAX_YEAR

_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_INT32_MIN = -(2 ** 31)
_INT32_MAX = 2 ** 31 - 1


class Holiday(enum.IntEnum):
    """The public holidays (values match the C enum ``triage_holiday_t``)."""

    NONE = _ll.TRIAGE_HOLIDAY_NONE
    NEW_YEARS_DAY = _ll.TRIAGE_HOLIDAY_NEW_YEARS_DAY
    EPIPHANY = _ll.TRIAGE_HOLIDAY_EPIPHANY
    GOOD_FRIDAY = _ll.TRIAGE_HOLIDAY_GOOD_FRIDAY
    EASTER_SUNDAY = _ll.TRIAGE_HOLIDAY_EASTER_SUNDAY
    EASTER_MONDAY = _ll.TRIAGE_HOLIDAY_EASTER_MONDAY
    MAY_DAY = _ll.TRIAGE_HOLIDAY_MAY_DAY
    ASCENSION_DAY = _ll.TRIAGE_HOLIDAY_ASCENSION_DAY
    WHIT_SUNDAY = _ll.TRIAGE_HOLIDAY_WHIT_SUNDAY
    MIDSUMMER_EVE = _ll.TRIAGE_HOLIDAY_MIDSUMMER_EVE
    MIDSUMMER_DAY = _ll.TRIAGE_HOLIDAY_MIDSUMMER_DAY
    ALL_SAINTS_DAY = _ll.TRIAGE_HOLIDAY_ALL_SAINTS_DAY
    INDEPENDENCE_DAY = _ll.TRIAGE_HOLIDAY_INDEPENDENCE_DAY
    CHRISTMAS_EVE = _ll.TRIAGE_HOLIDAY_CHRISTMAS_EVE
    CHRISTMAS_DAY = _ll.TRIAGE_HOLIDAY_CHRISTMAS_DAY
    BOXING_DAY = _ll.TRIAGE_HOLIDAY_BOXING_DAY
    LOCAL_CLOSURE = _ll.TRIAGE_HOLIDAY_LOCAL_CLOSURE

    @property
    def english_name(self):
        """"Good Friday"; None for NONE."""
        return _ll.triage_holiday_name(int(self))

    @property
    def finnish_name(self):
        """"Pitkäperjantai"; None for NONE."""
        return _ll.triage_holiday_name_fi(int(self))


def _to_date(days):
    return datetime.date.fromordinal(_EPOCH_ORDINAL + days)


def _count(n, what):
    """An int count for the C side. Counts beyond int32 are clamped so that
    the C library reports them (a huge n gives OutOfRange, a very negative
    one InvalidArgument) instead of SWIG raising OverflowError."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}")
    if n > _INT32_MAX:
        return _INT32_MAX
    if n < _INT32_MIN:
        return -1
    return n


class Calendar:
    """A business-day calendar for Finland, 1991-2199.

    Not business days: Saturdays, Sundays, the Finnish public holidays and
    any local closure days added with :meth:`add_closure`. Dates may be given
    as ``datetime.date``, :class:`triage.Date` or ISO ``"YYYY-MM-DD"`` text;
    dates come back as ``datetime.date``. Dates outside 1991-2199 raise
    :class:`triage.OutOfRange`.

    >>> cal = Calendar.finland()
    >>> cal.add_business_days("2024-12-20", 2)
    datetime.date(2024, 12, 27)
    """

    __slots__ = ("_h",)

    def __init__(self):
        raise TypeError("use Calendar.finland() to create a calendar")

    @classmethod
    def _wrap(cls, handle):
        obj = cls.__new__(cls)
        obj._h = handle
        return obj

    @classmethod
    def finland(cls):
        """A new Finnish calendar without closure days."""
        return cls._wrap(_ll.triage_calendar_new_finland())

    def copy(self):
        """An independent copy, closure days included."""
        return Calendar._wrap(_ll.triage_calendar_copy(self._h))

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def is_business_day(self, date):
        """True when ``date`` is a business day."""
        return bool(_ll.triage_calendar_is_business_day(self._h, to_days(date)))

    def add_business_days(self, date, n):
        """The ``n``-th business day after ``date`` (the start day is not
        counted, Act 150/1930 § 2); ``n == 0`` gives ``date`` itself."""
        return _c.calendar_add_business_days(self._h, date, _count(n, "n"))

    def business_days_between(self, a, b):
        """The number of business days d with a < d <= b; negative when b < a."""
        return _ll.triage_calendar_business_days_between(self._h, to_days(a), to_days(b))

    def add_months(self, date, n):
        """A deadline ``n`` calendar months after ``date`` (Act 150/1930 §§ 3, 5):
        the same day of the month, or the month's last day; then the next
        business day if that day is not one."""
        return _to_date(_ll.triage_calendar_add_months(self._h, to_days(date), _count(n, "n")))

    def holiday(self, date):
        """The :class:`Holiday` on ``date`` (``Holiday.NONE`` for other days)."""
        return Holiday(_ll.triage_calendar_holiday(self._h, to_days(date)))

    def holiday_name(self, date):
        """The English name of the holiday or closure on ``date``, or None."""
        return self.holiday(date).english_name

    def holiday_name_fi(self, date):
        """The Finnish name of the holiday or closure on ``date``, or None."""
        return self.holiday(date).finnish_name

    def add_closure(self, date):
        """Makes ``date`` a local closure day; AlreadyExists if it is one."""
        _ll.triage_calendar_add_closure(self._h, to_days(date))

    def remove_closure(self, date):
        """Removes a closure day; NotFound if ``date`` is not one."""
        _ll.triage_calendar_remove_closure(self._h, to_days(date))

    def __repr__(self):
        return "triage.Calendar.finland()"
