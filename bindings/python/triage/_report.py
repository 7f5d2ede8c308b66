"""Period reports (docs/domain.md §9): :class:`Report`, made by
:meth:`triage.Engine.report`.

The figures and their exact definitions are those of the C library
(docs/reports.md). Python reads them through the library's own writers:
:meth:`Report.to_dict` parses the JSON, :meth:`Report.to_csv` writes the CSV
byte for byte. No pandas needed.
"""

import datetime
import json

from . import _lowlevel as _ll
from . import _values
from ._errors import OutOfRange

__all__ = ["Report"]

_DAY_MS = 86_400_000
_HOUR_MS = 3_600_000


def _local_midnight(day):
    """UTC epoch ms of Finnish local midnight starting ``day`` (a date)."""
    days = (day - datetime.date(1970, 1, 1)).days
    for hours in (2, 3):  # EET, EEST
        t = days * _DAY_MS - hours * _HOUR_MS
        try:
            d, minute = _ll.triage_local_time(t)
        except OutOfRange:
            break
        if d == days and minute == 0:
            return t
    raise OutOfRange(-6, "the day is outside the supported range", "date")


def _bound(value, field, to_ms):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return _local_midnight(value)
    return to_ms(value, field)


class Report(_values.ReportValues):
    """The report of one period, computed once (a frozen snapshot: it does
    not follow later changes to the engine, and it outlives the engine).

    It pickles (as its JSON and CSV text, which an unpickled report gives
    back byte for byte) and carries :attr:`metadata`: the library version
    and the period. The engine's policies are not known to a report; a
    study records them with the engine it built."""

    __slots__ = ("_h", "_start", "_end", "_csv", "_json", "_meta", "_owner")

    def __init__(self):
        raise TypeError("use Engine.report(start, end)")

    @classmethod
    def _compute(cls, handle, start, end, to_ms):
        start_ms = _bound(start, "start", to_ms)
        end_ms = _bound(end, "end", to_ms)
        self = object.__new__(cls)
        self._h = _ll.triage_report_new(handle, start_ms, end_ms)
        self._start = start_ms
        self._end = end_ms
        self._csv = self._json = None
        self._meta = {"library": "libtriage", "version": _ll.triage_version_string(),
                      "period": {"start_ms": start_ms, "end_ms": end_ms}}
        return self

    @classmethod
    def _borrowed(cls, handle, owner, meta, start, end):
        """A report owned by a simulation run (a declared period's, from
        ``start`` to the day ``end`` after it); it keeps the run alive."""
        self = object.__new__(cls)
        self._h = handle
        self._owner = owner
        self._start = _local_midnight(start)
        self._end = _local_midnight(end)
        self._csv = self._json = None
        self._meta = {"library": "libtriage", "version": _ll.triage_version_string(), **meta}
        return self

    def __reduce__(self):
        return (_unpickle, (self._start, self._end, self.to_csv(), self.to_json(), self._meta))

    @property
    def start_ms(self):
        """The period's start, UTC epoch milliseconds (inclusive)."""
        return self._start

    @property
    def end_ms(self):
        """The period's end, UTC epoch milliseconds (exclusive)."""
        return self._end

    def to_json(self):
        """The report as the C library's JSON text (fixed key order)."""
        if self._json is None:
            self._json = _ll.triage_report_write_json(self._h)
        return self._json

    def to_dict(self):
        """The report as nested dicts and lists (the JSON document parsed);
        undefined figures (a share or median over nothing) are None."""
        return json.loads(self.to_json())

    def to_csv(self, path=None):
        """Writes the CSV (``section,group,key,value``, UTF-8, LF line ends)
        to ``path``; with no path, returns it as a str."""
        if self._csv is None:
            self._csv = _ll.triage_report_write_csv(self._h)
        text = self._csv
        if path is None:
            return text
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return None

    def plot(self, path=None, **kwargs):
        """Draws the report (needs matplotlib): waiting times, deadline
        compliance and load per worker; a PNG at ``path`` when given."""
        from ._plot import plot_report
        return plot_report(self, path, **kwargs)

    def __repr__(self):
        return f"<triage.Report {self._start}..{self._end}>"


def _unpickle(start, end, csv, json_text, meta):
    self = object.__new__(Report)
    self._h = None
    self._start, self._end = start, end
    self._csv, self._json, self._meta = csv, json_text, meta
    return self
