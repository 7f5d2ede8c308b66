"""Civil dates: triage.Date and conversions to and from datetime.date."""

import datetime
import functools

from . import _lowlevel as _ll

__all__ = ["Date", "to_days"]

_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


@functools.total_ordering
class Date:
    """A civil date as libtriage sees it: days since 1970-01-01.

    Build one from year, month and day, from a ``datetime.date`` or from
    ISO text; the C library validates every input.

    >>> Date(2026, 11, 23).weekday
    1
    """

    __slots__ = ("_days",)

    def __init__(self, year, month, day):
        self._days = _ll.triage_date_from_ymd(year, month, day)

    @classmethod
    def from_days(cls, days):
        """The date ``days`` days after 1970-01-01 (checked against the supported range)."""
        _ll.triage_date_to_ymd(int(days))
        obj = cls.__new__(cls)
        obj._days = int(days)
        return obj

    @classmethod
    def parse(cls, text):
        """Parses ``YYYY-MM-DD``; malformed text raises InvalidArgument."""
        if not isinstance(text, str):
            raise TypeError("Date.parse() takes a str")
        return cls.from_days(_ll.triage_date_parse(text))

    @classmethod
    def from_date(cls, value):
        """Converts a ``datetime.date`` (a ``datetime`` gives its date part)."""
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not isinstance(value, datetime.date):
            raise TypeError("expected a datetime.date")
        return cls(value.year, value.month, value.day)

    @property
    def days(self):
        return self._days

    @property
    def year(self):
        return _ll.triage_date_to_ymd(self._days)[0]

    @property
    def month(self):
        return _ll.triage_date_to_ymd(self._days)[1]

    @property
    def day(self):
        return _ll.triage_date_to_ymd(self._days)[2]

    @property
    def weekday(self):
        """ISO weekday: 1 = Monday ... 7 = Sunday."""
        return _ll.triage_date_weekday(self._days)

    def to_date(self):
        """The same day as a ``datetime.date``."""
        return datetime.date(*_ll.triage_date_to_ymd(self._days))

    def isoformat(self):
        return _ll.triage_date_format(self._days)

    __str__ = isoformat

    def __repr__(self):
        return f"triage.Date({self.isoformat()!r})"

    def __int__(self):
        return self._days

    def __hash__(self):
        return hash(self._days)

    def __eq__(self, other):
        if isinstance(other, Date):
            return self._days == other._days
        if isinstance(other, datetime.date) and not isinstance(other, datetime.datetime):
            return self.to_date() == other
        return NotImplemented

    def __lt__(self, other):
        if isinstance(other, Date):
            return self._days < other._days
        if isinstance(other, datetime.date) and not isinstance(other, datetime.datetime):
            return self.to_date() < other
        return NotImplemented

    def __add__(self, days):
        if not isinstance(days, int):
            return NotImplemented
        return Date.from_days(self._days + days)

    def __sub__(self, other):
        if isinstance(other, Date):
            return self._days - other._days
        if isinstance(other, int):
            return Date.from_days(self._days - other)
        return NotImplemented


def to_days(value):
    """Days since 1970-01-01 for a Date, datetime.date or ISO string."""
    if isinstance(value, Date):
        return value.days
    if isinstance(value, str):
        return Date.parse(value).days
    if isinstance(value, datetime.date):
        return Date.from_date(value).days
    raise TypeError(f"expected a date, got {type(value).__name__}")
