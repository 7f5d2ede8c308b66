"""Per-case and per-event tables (docs/python.md, "Tables"): :class:`RecordTable`,
read from any engine (:meth:`triage.Engine.cases_table`, ...) or from a
simulation run that kept its history (:meth:`triage.SimReport.cases`, ...).

A table is columns of plain values: ids as their text, dates as
``datetime.date``, times as aware UTC ``datetime.datetime``, enums as their
lower-case names, counts and business days as ``int``; None where a value
is absent. It gives rows as dicts, a numpy structured array or a pandas
DataFrame, and carries :attr:`RecordTable.meta`, its provenance. The columns are
read in one pass in C (bindings/python/tables.i) and converted a column at a
time.
"""

import copy as _copy
import datetime

from . import _lowlevel as _ll
from ._classify import Quadrant
from ._deadline import DeadlineState, IntakeKind, ServiceArea
from ._urgency import Urgency

__all__ = ["RecordTable"]

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_EPOCH_DAY = datetime.date(1970, 1, 1)
_DATE_NONE = -(2 ** 31)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)

# Column types: what a column's values are (None aside).
_PY_TYPES = {"str": str, "int": int, "bool": bool, "date": datetime.date,
             "datetime": datetime.datetime}

# name, type, nullable
CASES = (
    ("case", "str", False), ("client", "str", False), ("municipality", "int", False),
    ("language", "str", False), ("kind", "str", False), ("channel", "str", False),
    ("service", "str", False), ("received", "date", False), ("stage", "str", False),
    ("urgency", "str", False), ("quadrant", "str", True), ("special_support", "bool", False),
    ("closing_reason", "str", True), ("closed", "date", True),
    ("first_contact", "date", True), ("responded", "date", True),
    ("assessment_started", "date", True), ("assessment_completed", "date", True),
    ("plan_made", "date", True), ("wait_first_contact", "int", True),
    ("wait_assessment_start", "int", True), ("assessment_worker", "str", True),
    ("responsible", "str", True), ("pair", "str", True), ("intakes", "int", False),
    ("deadlines", "int", False), ("contact_attempts", "int", False),
    ("no_shows", "int", False), ("children", "int", False),
    ("emergency_services", "bool", False), ("attached_to", "str", True),
)
EVENTS = (
    ("seq", "int", False), ("at", "datetime", False), ("date", "date", False),
    ("case", "str", True), ("subject", "str", True), ("actor", "str", True),
    ("kind", "str", False), ("from_value", "int", False), ("to_value", "int", False),
    ("reason", "int", False), ("from_worker", "str", True), ("to_worker", "str", True),
    ("intake", "str", True), ("policy_id", "str", True), ("policy_version", "int", False),
)
DEADLINES = (
    ("case", "str", False), ("intake", "str", False), ("received", "date", False),
    ("row", "str", False), ("basis", "str", False), ("milestone", "str", False),
    ("start", "date", False), ("due", "date", False), ("met", "date", True),
    ("state", "str", False), ("overdue", "int", False), ("met_on_arrival", "bool", False),
    ("superseded", "bool", False), ("wait", "int", True), ("id", "str", False),
)
ASSIGNMENTS = (
    ("seq", "int", False), ("at", "datetime", False), ("date", "date", False),
    ("until", "date", True), ("case", "str", False), ("slot", "str", False),
    ("worker", "str", True), ("previous", "str", True), ("actor", "str", True),
    ("over_soft_cap", "bool", False), ("over_hard_cap", "bool", False),
)
_SCHEMAS = {"cases": CASES, "events": EVENTS, "deadlines": DEADLINES,
            "assignments": ASSIGNMENTS}
_WHICH = {"cases": 0, "events": 1, "deadlines": 2, "assignments": 3}


class RecordTable:
    """A table of plain values: :attr:`name`, :attr:`columns` (names, in
    order), :attr:`types` (name -> Python type of its values; None may stand
    for an absent value where :attr:`nullable` says so) and rows.

    ``len(t)`` counts the rows; iterating yields each row as a dict;
    ``t["column"]`` is a column as a list and ``t[i]`` row ``i`` as a dict.
    :meth:`to_dicts`, :meth:`to_numpy` and :meth:`to_pandas` convert it;
    :attr:`meta` is its provenance (library version, policies and, for a
    run's table, scenario hash and seed). Tables pickle and compare equal by
    name, columns and values (not provenance). (:class:`triage.Table` is
    something else: the list of dicts that studies' summaries return.)"""

    __slots__ = ("name", "_schema", "_cols", "_meta")

    def __init__(self, name, schema, columns, meta=None):
        self.name = name
        self._schema = tuple(schema)
        self._cols = {c: list(columns[c]) for c, _t, _n in self._schema}
        self._meta = dict(meta or {})

    @property
    def columns(self):
        """The column names in order."""
        return [c for c, _t, _n in self._schema]

    @property
    def types(self):
        """Column name -> the Python type of its values (``str``, ``int``,
        ``bool``, ``datetime.date``, ``datetime.datetime``)."""
        return {c: _PY_TYPES[t] for c, t, _n in self._schema}

    @property
    def nullable(self):
        """The names of the columns that may hold None."""
        return [c for c, _t, n in self._schema if n]

    @property
    def meta(self):
        """The provenance record (a copy): ``library``, ``version``,
        ``policies``, ``table`` and its filters; a run's adds ``scenario``,
        ``scenario_sha256``, ``seed``, ``days``, ``warmup``."""
        return _copy.deepcopy(self._meta)

    metadata = meta

    def __len__(self):
        return len(self._cols[self._schema[0][0]]) if self._schema else 0

    def __iter__(self):
        names = self.columns
        cols = [self._cols[c] for c in names]
        for values in zip(*cols):
            yield dict(zip(names, values))

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self._cols:
                raise KeyError(f"no column {key!r} in the {self.name} table")
            return list(self._cols[key])
        if isinstance(key, int) and not isinstance(key, bool):
            n = len(self)
            if not -n <= key < n:
                raise IndexError("row index out of range")
            return {c: self._cols[c][key] for c in self.columns}
        raise TypeError("a table is indexed by a column name (str) or a row number (int)")

    def to_dicts(self):
        """The rows as a list of dicts."""
        return list(self)

    def where(self, **equal):
        """The rows whose columns equal the given values, as a new table
        (``t.where(stage="closed")``)."""
        for c in equal:
            if c not in self._cols:
                raise KeyError(f"no column {c!r} in the {self.name} table")
        keep = [i for i in range(len(self))
                if all(self._cols[c][i] == v for c, v in equal.items())]
        return RecordTable(self.name, self._schema,
                     {c: [self._cols[c][i] for i in keep] for c in self.columns}, self._meta)

    def _numpy_column(self, np, name, kind, nullable):
        col = self._cols[name]
        if kind == "str":
            width = max([len(v) for v in col if v is not None] + [1])
            return np.array(["" if v is None else v for v in col], dtype=f"U{width}")
        if kind == "int":
            if nullable:
                return np.array([np.nan if v is None else v for v in col], dtype="float64")
            return np.array(col, dtype="int64")
        if kind == "bool":
            return np.array(col, dtype="bool")
        if kind == "date":
            return np.array(["NaT" if v is None else v.isoformat() for v in col],
                            dtype="datetime64[D]")
        # datetime: UTC, naive in numpy
        return np.array([(v - _EPOCH) // datetime.timedelta(milliseconds=1) for v in col],
                        dtype="int64").astype("datetime64[ms]")

    def to_numpy(self):
        """A numpy structured array: ids and names as fixed-width ``str``
        (absent: ""), ints as int64 (a nullable int column as float64 with
        NaN), dates as ``datetime64[D]`` (NaT), times as UTC
        ``datetime64[ms]``, flags as bool."""
        import numpy as np
        arrays = [self._numpy_column(np, c, t, n) for c, t, n in self._schema]
        dtype = [(c, a.dtype) for (c, _t, _n), a in zip(self._schema, arrays)]
        out = np.empty(len(self), dtype=dtype)
        for (c, _t, _n), a in zip(self._schema, arrays):
            out[c] = a
        return out

    def to_pandas(self):
        """A pandas DataFrame: ids and names as object columns (None kept),
        ints as int64 (nullable ones as pandas' ``Int64``), dates as
        ``datetime64`` (NaT), times as UTC-aware ``datetime64``, flags as
        bool. Needs pandas (ImportError naming it otherwise)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("RecordTable.to_pandas() needs pandas (pip install pandas, or Debian's "
                              "python3-pandas); to_numpy() and to_dicts() do not") from exc
        import numpy as np
        data = {}
        for c, t, n in self._schema:
            col = self._cols[c]
            if t == "str":
                data[c] = pd.Series(col, dtype="object")
            elif t == "int":
                data[c] = pd.array(col, dtype="Int64" if n else "int64")
            elif t == "datetime":
                data[c] = pd.to_datetime(self._numpy_column(np, c, t, n)).tz_localize("UTC")
            else:
                data[c] = self._numpy_column(np, c, t, n)
        return pd.DataFrame(data, columns=self.columns)

    def __eq__(self, other):
        if not isinstance(other, RecordTable):
            return NotImplemented
        return (self.name, self._schema, self._cols) == (other.name, other._schema, other._cols)

    __hash__ = None

    def __reduce__(self):
        return (RecordTable, (self.name, self._schema, self._cols, self._meta))

    def __repr__(self):
        cols = ", ".join(self.columns[:6]) + (", ..." if len(self._schema) > 6 else "")
        return f"<triage.RecordTable {self.name}: {len(self)} rows x {len(self._schema)} columns ({cols})>"


# ---- reading tables ---------------------------------------------------------------------

def _day_arg(value, field):
    """A day number from a date or ISO text (None stays None)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        raise TypeError(f"{field} is a day: give a datetime.date, not a datetime")
    if isinstance(value, datetime.date):
        return (value - _EPOCH_DAY).days
    if isinstance(value, str):
        try:
            return (datetime.date.fromisoformat(value) - _EPOCH_DAY).days
        except ValueError:
            raise ValueError(f"{field} is not an ISO date (YYYY-MM-DD): {value!r}") from None
    raise TypeError(f"{field} must be a datetime.date, ISO text or None, "
                    f"got {type(value).__name__}")


def _range(start, end):
    lo, hi = _day_arg(start, "start"), _day_arg(end, "end")
    if lo is not None and hi is not None and lo > hi:
        raise ValueError("start must not be after end")
    return lo, hi


def _local_ms(day):
    from ._report import _local_midnight
    return _local_midnight(_EPOCH_DAY + datetime.timedelta(days=day))


_DATE_CACHE = {}


def _dates(col):
    cache = _DATE_CACHE
    out = []
    for v in col:
        if v is None:
            out.append(None)
            continue
        d = cache.get(v)
        if d is None:
            d = cache[v] = _EPOCH_DAY + datetime.timedelta(days=v)
        out.append(d)
    return out


def _names_of(enum_cls, none=()):
    m = {int(x): x.name.lower() for x in enum_cls}
    for v in none:
        m[v] = None
    return m


_NAMES = None


def _name_maps():
    global _NAMES
    if _NAMES is None:
        from ._engine import Channel, ClosingReason, EventKind, Language, Slot, Stage
        states = _names_of(DeadlineState)
        states[_ll.TRIAGE_DEADLINE_CANCELLED] = "cancelled"
        _NAMES = {
            "language": _names_of(Language), "kind": _names_of(IntakeKind),
            "channel": _names_of(Channel), "service": _names_of(ServiceArea),
            "stage": _names_of(Stage), "urgency": _names_of(Urgency),
            "quadrant": _names_of(Quadrant),
            "closing_reason": _names_of(ClosingReason, none=(int(ClosingReason.NONE),)),
            "event_kind": _names_of(EventKind), "slot": _names_of(Slot), "state": states,
        }
    return _NAMES


def _enum_col(col, names):
    return [None if v is None else names.get(v, str(v)) for v in col]


def _c_names(col, fn):
    cache = {}
    out = []
    for v in col:
        s = cache.get(v)
        if s is None:
            s = cache[v] = fn(v) or str(v)
        out.append(s)
    return out


def _times(col):
    ms = datetime.timedelta(milliseconds=1)
    return [_EPOCH + v * ms for v in col]


def _convert(name, raw, lo, hi):
    """The raw columns of the C reader as a table's columns."""
    n = _name_maps()
    if name == "cases":
        for c in ("received", "closed", "first_contact", "responded", "assessment_started",
                  "assessment_completed", "plan_made"):
            raw[c] = _dates(raw[c])
        for c in ("language", "kind", "channel", "service", "stage", "urgency", "quadrant",
                  "closing_reason"):
            raw[c] = _enum_col(raw[c], n[c])
        return raw
    if name == "events":
        raw["at"] = _times(raw.pop("at_ms"))
        raw["date"] = _dates(raw["date"])
        raw["kind"] = _enum_col(raw["kind"], n["event_kind"])
        return raw
    if name == "deadlines":
        for c in ("received", "start", "due", "met"):
            raw[c] = _dates(raw[c])
        raw["row"] = _c_names(raw["row"], _ll.triage_deadline_row_name)
        raw["basis"] = _c_names(raw["basis"], _ll.triage_legal_basis_name)
        raw["milestone"] = _c_names(raw["milestone"], _ll.triage_milestone_name)
        raw["state"] = _enum_col(raw["state"], n["state"])
        return raw
    # assignments: until = the day of the next assignment to the same case and
    # slot; then the days filter
    days = raw["date"]
    last = {}
    until = [None] * len(days)
    for i, key in enumerate(zip(raw["case"], raw["slot"])):
        j = last.get(key)
        if j is not None:
            until[j] = days[i]
        last[key] = i
    raw["until"] = until
    keep = [i for i, d in enumerate(days)
            if (lo is None or d >= lo) and (hi is None or d < hi)]
    if len(keep) != len(days):
        raw = {c: [v[i] for i in keep] for c, v in raw.items()}
    raw["at"] = _times(raw.pop("at_ms"))
    raw["date"] = _dates(raw["date"])
    raw["until"] = _dates(raw["until"])
    raw["slot"] = _enum_col(raw["slot"], n["slot"])
    return raw


def read(name, reader, handle, start=None, end=None, as_of=None, meta=None):
    """Table ``name`` read by ``reader`` (triage_py_table or triage_py_sim_table)."""
    lo, hi = _range(start, end)
    today = _day_arg(as_of, "as_of")
    from_ms, to_ms = _INT64
    if name == "events":
        if lo is not None:
            from_ms = _local_ms(lo)
        if hi is not None:
            to_ms = _local_ms(hi) - 1
    raw = reader(handle, _WHICH[name], _DATE_NONE + 1 if lo is None else lo,
                 2 ** 31 - 1 if hi is None else hi, from_ms, to_ms,
                 _DATE_NONE if today is None else today)
    m = dict(meta or {})
    m["table"] = name
    m["filter"] = {"start": None if lo is None else _EPOCH_DAY.fromordinal(
        _EPOCH_DAY.toordinal() + lo).isoformat(),
        "end": None if hi is None else _EPOCH_DAY.fromordinal(
        _EPOCH_DAY.toordinal() + hi).isoformat()}
    if name == "deadlines":
        m["as_of"] = None if today is None else (
            _EPOCH_DAY + datetime.timedelta(days=today)).isoformat()
    return RecordTable(name, _SCHEMAS[name], _convert(name, raw, lo, hi), m)


def engine_meta(engine):
    """The provenance of an engine's table: library version and the
    engine's own policies."""
    c, u, r = engine.classify_policy(), engine.urgency_policy(), engine.deadline_rules()
    from ._deadline import DEADLINE_ROWS
    laws = sorted({r.law_version(row) for row in DEADLINE_ROWS if row != "response"})
    return {"library": "libtriage", "version": _ll.triage_version_string(),
            "policies": {"classify": {"id": c.id, "version": c.version},
                         "urgency": {"id": u.id, "version": u.version},
                         "deadlines": {"law_version": ", ".join(laws)}}}
