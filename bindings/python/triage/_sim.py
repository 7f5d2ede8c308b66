"""Scenario simulation (docs/domain.md §10): :class:`Scenario`, :func:`simulate`,
:func:`compare` and the run's report :class:`SimReport`.

A scenario is built from a file (:meth:`Scenario.load`), from text
(:meth:`Scenario.parse`) or from a dict (:meth:`Scenario.from_dict`); a dict
is accepted wherever a scenario is. The dict mirrors the file format of
docs/simulation.md::

    {"intake": {"contact": 2.6, "notification": 1.6},
     "guidance": {"resolved": 0.6},
     "policy": {"initial_assessment": True},
     "municipalities": [{"code": 297, "name": "Kuopio", "weight": 60}],
     "distances": {(297, 749): 24},          # or {"297-749": 24}
     "workers": [{"name": "sw1", "role": "social_worker", "fte": 1.0,
                  "serves": [297], "languages": ["fi", "sv"]}],
     "absences": [{"worker": "sw1", "start": "2025-07-01", "end": "2025-07-25"}]}

Values are checked by the C library exactly as file lines are, and errors
are raised as :class:`triage.InvalidArgument` naming the field.

>>> import triage
>>> sc = triage.Scenario.load("examples/scenarios/north-savo.scn")
>>> report = triage.simulate(sc, days=30, seed=1)
>>> report.to_dict()["simulation"]["days"]
30
"""

import datetime
import json

from . import _lowlevel as _ll
from . import _values

__all__ = ["Scenario", "SimReport", "SocialReport", "periods", "simulate"]


def _written(text, path):
    """Writes ``text`` to ``path`` (when not None) and returns it."""
    if path is not None:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return text


def _date(value):
    if isinstance(value, datetime.date):
        return (value - datetime.date(1970, 1, 1)).days
    if isinstance(value, str):
        return _ll.triage_date_parse(value)
    return int(value)


class Scenario(_values.ScenarioValues):
    """A simulation scenario (a wrapper of the C ``triage_scenario_t``).

    A value: ``copy.copy``/``copy.deepcopy`` give independent scenarios,
    scenarios pickle and compare equal by their canonical text, and
    :meth:`get` / :meth:`to_dict` read values back (triage/_values.py)."""

    def __init__(self, _handle=None):
        if _handle is None:
            _handle = _ll.triage_scenario_new()
        self._h = _handle

    @classmethod
    def load(cls, path):
        """Parses a scenario file (docs/simulation.md)."""
        return cls(_ll.triage_scenario_load(str(path)))

    @classmethod
    def parse(cls, text, name="scenario"):
        """Parses scenario text; ``name`` appears in error messages."""
        return cls(_ll.triage_scenario_parse(text, name))

    @classmethod
    def from_dict(cls, d):
        """Builds a scenario from a dict (see the module docstring and
        :meth:`to_dict`); an unknown section raises :class:`triage.InvalidArgument`."""
        return _values._from_dict(cls, d)

    @classmethod
    def _of(cls, scenario):
        if isinstance(scenario, Scenario):
            return scenario
        if isinstance(scenario, dict):
            return cls.from_dict(scenario)
        raise TypeError("a triage.Scenario or a dict is needed")

    def set(self, section, key, value):
        """Sets one value of a single-instance section, as a file line would
        (ranges as ``(min, max)``); an unknown section or key raises
        :class:`triage.InvalidArgument` naming it."""
        _values.checked_set(self._h, section, key, value)
        return self

    def add_worker(self, name, **fields):
        """Appends a worker; fields: role, fte, office, serves, languages, team, count."""
        _ll.triage_scenario_add_worker(self._h, name)
        index = _ll.triage_scenario_worker_count(self._h) - 1
        for key, value in fields.items():
            _ll.triage_scenario_set_worker(self._h, index, key,
                                           _values.value_text("worker", key, value))
        return self

    def add_section(self, section, **keys):
        """Adds one repeated section ("municipality", "kela_point", "outreach",
        "segment") from keys, exactly as its lines in a file would
        (``language_sv=0.3`` may be written for ``language.sv``)."""
        _values.add_section(self._h, section, keys)
        return self

    def add_absence(self, worker, start, end):
        """A planned absence of a worker label, both dates inclusive."""
        _ll.triage_scenario_add_absence(self._h, worker, _date(start), _date(end))
        return self

    def copy(self):
        return Scenario(_ll.triage_scenario_copy(self._h))

    def validate(self):
        _ll.triage_scenario_validate(self._h)
        return self

    @property
    def worker_count(self):
        return _ll.triage_scenario_worker_count(self._h)

    def to_text(self):
        """The scenario in the file format (parses back to an equal scenario)."""
        return _ll.triage_scenario_write(self._h)

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_text())


class SimReport(_values.SimReportValues):
    """The §9 report of a finished run plus the simulation's own counters.

    Workers appear under their scenario labels, in scenario order; the same
    scenario, days and seed give the same :meth:`to_csv` bytes. It pickles
    (as its CSV and JSON text) and carries :attr:`metadata`."""

    def __init__(self, handle, meta=None, history=True, last_day=None):
        self._h = handle
        self._csv = self._json = self._pcsv = None
        self._periods = None
        self._meta = meta
        self._history = history
        self._last_day = last_day

    def to_csv(self, path=None):
        """The CSV text (``section,group,key,value``); written to ``path`` when given."""
        if self._csv is None:
            self._csv = _ll.triage_sim_write_csv(self._h)
        return _written(self._csv, path)

    def to_json(self):
        if self._json is None:
            self._json = _ll.triage_sim_write_json(self._h)
        return self._json

    def to_dict(self):
        """``{"report": {...}, "simulation": {...}}`` (parsed from the JSON)."""
        return json.loads(self.to_json())

    @property
    def simulation(self):
        return self.to_dict()["simulation"]

    def social(self, period=None):
        """The run's social report (Lapland's social reporting, docs/simulation.md)
        in periods of ``period``: "month", "quarter", "half", "year" or None for
        the scenario's [social_reporting] period. It needs the run itself,
        with its history (``simulate(keep_history=True)``): a report unpickled
        in another process has none."""
        months = {None: 0, "month": 1, "quarter": 3, "half": 6, "year": 12}
        if period not in months:
            raise ValueError("period must be month, quarter, half, year or None")
        if self._h is None:
            raise ValueError("an unpickled SimReport has no run to build a social report from")
        if not self._history:
            raise ValueError("the run released its history (simulate(keep_history=False)): "
                             "run with keep_history=True for the social report")
        return SocialReport(_ll.triage_sim_social(self._h, months[period]))

    @property
    def periods(self):
        """The reports of the periods declared before the run
        (``simulate(periods=...)``), in order: :class:`triage.Report`
        objects whose :attr:`~triage.Report.metadata` adds the run's
        (seed, scenario hash, policies) and the period's ``from`` and ``to``
        dates. Loads and balance are the state at each period's end. An
        unpickled SimReport keeps them as their text."""
        if self._periods is None:
            from ._report import Report
            if self._h is None:
                return []
            n = _ll.triage_sim_period_count(self._h)
            out = []
            for i, (a, b) in enumerate((self._meta or {}).get("periods", [])[:n]):
                meta = dict(self._meta or {})
                meta.pop("periods", None)
                meta["period"] = {"from": a, "to": b}
                out.append(Report._borrowed(_ll.triage_py_sim_period_report(self._h, i),
                                            self._h, meta, datetime.date.fromisoformat(a),
                                            datetime.date.fromisoformat(b)))
            self._periods = out
        return list(self._periods)

    def periods_csv(self, path=None):
        """The declared periods' reports as one CSV (``from,to,section,group,key,value``,
        workers under their labels); written to ``path`` when given."""
        if self._pcsv is None:
            self._pcsv = (_ll.triage_sim_write_periods_csv(self._h) if self._h is not None
                          else "from,to,section,group,key,value\n")
        return _written(self._pcsv, path)

    # -- tables (docs/python.md, "Tables")

    def _table(self, name, start, end, as_of=None):
        from . import _tables
        if self._h is None:
            raise ValueError("an unpickled SimReport has no run to read tables from")
        if not self._history:
            raise ValueError("the run released its history (simulate(keep_history=False)): "
                             "run with keep_history=True for per-case tables")
        if name == "deadlines" and as_of is None:
            as_of = self._last_day
        meta = dict(self._meta or {})
        meta.pop("periods", None)
        return _tables.read(name, _ll.triage_py_sim_table, self._h, start, end, as_of, meta)

    def cases(self, start=None, end=None):
        """The run's cases as a :class:`triage.RecordTable` (warm-up included;
        ``start``/``end``: received in [start, end)). Needs the run's
        history (``simulate(keep_history=True)``)."""
        return self._table("cases", start, end)

    def events(self, start=None, end=None):
        """The run's audit events as a table (local days [start, end))."""
        return self._table("events", start, end)

    def deadlines(self, start=None, end=None, *, as_of=None):
        """The run's deadline rows (due in [start, end)) with their state on
        ``as_of`` (None: the run's last reported day)."""
        return self._table("deadlines", start, end, as_of)

    def assignments(self, start=None, end=None):
        """The run's worker assignments as a table (local days [start, end))."""
        return self._table("assignments", start, end)

    def worker_labels(self):
        """The run's workers: engine id (text, as in the tables) -> scenario label."""
        if self._h is None:
            raise ValueError("an unpickled SimReport has no run")
        return dict(_ll.triage_py_sim_worker_ids(self._h))

    @property
    def intake_hash(self):
        """64-bit hash of the intake stream (warm-up included): two runs with
        equal hashes saw the same intakes (docs/simulation.md)."""
        return self.simulation["intake_hash"]


class SocialReport:
    """Needs, capacity barriers, the quadrant mix and filed social reports by
    municipality and period, with the change against the previous period
    (triage/social.h)."""

    def __init__(self, handle):
        self._h = handle

    def to_csv(self, path=None):
        """The long CSV table; written to ``path`` when given."""
        return _written(_ll.triage_social_write_csv(self._h), path)

    def to_json(self):
        return _ll.triage_social_write_json(self._h)

    def to_dict(self):
        return json.loads(self.to_json())

    def rows(self):
        """The CSV rows as dicts (counts as int, change_pct as float; None where undefined)."""
        lines = self.to_csv().splitlines()
        keys = lines[0].split(",")
        out = []
        for line in lines[1:]:
            row = dict(zip(keys, line.split(",")))
            for k in ("count", "previous", "change"):
                row[k] = int(row[k]) if row[k] != "" else None
            row["change_pct"] = float(row["change_pct"]) if row["change_pct"] else None
            out.append(row)
        return out


def _options(days, seed, warmup=None, keep_history=False):
    o = _ll.triage_sim_options_t()
    _ll.triage_sim_options_init(o, _ll.TRIAGE_SIM_OPTIONS_VERSION)
    o.days = int(days or 0)
    o.seed = int(seed)
    o.warmup = -1 if warmup is None else int(warmup)
    o.keep_history = 1 if keep_history else 0
    return o


_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def periods(start, end, every="month"):
    """Report periods covering the days [``start``, ``end``) (dates or ISO
    text): calendar months, quarters, half-years or years (``every``), the
    first and last cut by ``start`` and ``end``; a list of ``(from, to)``
    date pairs, ``to`` the day after the period, as :func:`simulate` takes.

    >>> periods("2025-01-15", "2025-04-01", "month")[0]
    (datetime.date(2025, 1, 15), datetime.date(2025, 2, 1))
    """
    if every not in _MONTHS:
        raise ValueError("every must be month, quarter, half or year")
    return [(_day(a), _day(b))
            for a, b in _ll.triage_py_sim_periods(_date(start), _date(end), _MONTHS[every])]


def _day(n):
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=n)


def _declared(spec, start, days):
    """The periods of ``simulate(periods=...)`` as (from, to) day numbers."""
    if spec is None:
        return []
    if isinstance(spec, str):
        s = _date(start)
        return [(_date(a), _date(b)) for a, b in periods(_day(s), _day(s + days), spec)]
    out = []
    for p in spec:
        a, b = p
        out.append((_date(a), _date(b)))
    return out


def simulate(scenario, days=365, seed=1, warmup=None, progress=None, periods=None,
             keep_history=False):
    """Runs a scenario (a :class:`Scenario` or a dict) for ``days`` calendar
    days (None: the scenario's) from ``seed`` on the in-memory store and
    returns its :class:`SimReport`.

    ``warmup``: calendar days run before the scenario's start that no figure
    counts (None: the scenario's ``warmup``). ``progress``: a callable
    ``progress(day, days)`` called once per simulated day (the warm-up
    included); a truthy return stops the run with :class:`triage.TriageError`
    (``EUSER``), and an exception it raises stops the run and propagates.
    The report's :attr:`~SimReport.metadata` records the seed, the days and
    the warm-up in effect.

    ``periods``: report periods declared before the run, counted as it goes:
    "month", "quarter", "half" or "year" (calendar-aligned over the reported
    days), or a list of ``(from, to)`` date pairs (sorted, disjoint, inside
    the reported days; ``to`` is the day after the period). Their reports
    are :attr:`SimReport.periods`.

    ``keep_history``: False (the default) summarises each case into the
    reports when it closes and releases it, so memory follows the open work;
    True keeps every record for the per-case tables (:meth:`SimReport.cases`
    and the others). The figures are the same either way."""
    sc = Scenario._of(scenario)
    if progress is not None and not callable(progress):
        raise TypeError("progress must be a callable or None")
    days = int(days or sc.get("scenario", "days"))
    warmup = int(sc.get("scenario", "warmup") if warmup is None else warmup)
    meta = _values.metadata(sc, seed=int(seed), days=days, warmup=warmup or None)
    declared = _declared(periods, sc.get("scenario", "start"), days)
    if declared:
        meta["periods"] = [[_day(a).isoformat(), _day(b).isoformat()] for a, b in declared]
    handle = _ll.triage_py_sim_run_periods(sc._h, _options(days, seed, warmup, keep_history),
                                           progress, declared)
    last = _date(sc.get("scenario", "start")) + days - 1
    return SimReport(handle, meta, history=bool(keep_history), last_day=_day(last))

