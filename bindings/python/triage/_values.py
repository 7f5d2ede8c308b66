"""Scenarios and reports as values, and the reproducibility record.

Scenarios (:class:`triage.Scenario`) copy, deep-copy, pickle and compare by
their canonical text (the C writer, ``triage_scenario_write``); their values
can be read back with :meth:`Scenario.get` and :meth:`Scenario.to_dict`.
Simulation reports (:class:`triage.SimReport`) and engine reports
(:class:`triage.Report`) pickle as their C writers' JSON and CSV text, so a
report sent to another process (or kept in a file) still gives the same
bytes from ``to_csv()`` and ``to_json()``.

:func:`metadata` is the small dict that every result, table, report and
plot carries: the library version, the ids and versions of the policies the
simulator runs with, the SHA-256 of the scenario text and the seed(s).
"""

import copy as _copy
import datetime
import hashlib
import json

from . import _lowlevel as _ll
from ._errors import InvalidArgument

__all__ = ["metadata"]

_EINVAL = -1

# Keys whose value is not a plain number, flag or word (docs/simulation.md).
_TEXT_KEYS = {("scenario", "name"), ("municipality", "name")}
_DATE_KEYS = {("scenario", "start"), ("absence", "start"), ("absence", "end"),
              ("outreach", "date")}
# dates that may be "none" (None in Python)
_DATEOPT_KEYS = {(s, k) for s in ("phone_line", "kela_point", "segment")
                 for k in ("from", "until")}
_LIST_KEYS = {("guidance", "roles"), ("guidance", "teams"), ("phone_line", "roles"),
              ("phone_line", "weekdays"), ("kela_point", "weekdays"), ("outreach", "roles"),
              ("worker", "serves"), ("worker", "languages")}
_RANGE_KEYS = {("durations", k) for k in (
    "initial_assessment", "first_appointment", "assessment", "planning",
    "casework.q1", "casework.q2", "casework.q3", "casework.q4")} | {
    ("sick_leave", "days"), ("pathway", "return_days"), ("pathway", "back_days")}
_SINGLE = ("scenario", "intake", "urgency", "guidance", "quadrants", "durations",
           "noshow", "phone_line", "sick_leave", "policy", "initial_assessment", "duty",
           "interpreting", "pathway", "social_reporting", "needs")
# Repeated sections: dict key -> file section (each a list of dicts). Their
# keys are given as in a file; ``language_sv`` may stand for ``language.sv``.
_REPEATED = {"municipalities": "municipality", "kela_points": "kela_point",
             "outreach": "outreach", "segments": "segment"}


def value_text(section, key, value):
    """A Python value as the text of a scenario line for ``section.key``."""
    if value is None and (section, key) in _DATEOPT_KEYS:
        return "none"
    if (section, key) in _RANGE_KEYS and isinstance(value, (list, tuple)):
        return " ".join(str(int(v)) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(section, key, v) for v in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _number(text):
    try:
        return int(text)
    except ValueError:
        return float(text)


def _value(section, key, text):
    """The Python value of one line of the canonical text."""
    if (section, key) in _TEXT_KEYS:
        return text
    if (section, key) in _DATE_KEYS or (section, key) in _DATEOPT_KEYS:
        return None if text == "none" else datetime.date.fromisoformat(text)
    if (section, key) in _LIST_KEYS:
        items = [t.strip() for t in text.split(",") if t.strip()]
        return [int(t) if t.isdigit() else t for t in items]
    if (section, key) in _RANGE_KEYS:
        lo, hi = text.split()
        return (int(lo), int(hi))
    if text in ("yes", "no"):
        return text == "yes"
    try:
        return _number(text)
    except ValueError:
        return text


def _sections(text):
    """(section, [(key, value text)]) in file order."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            out.append((line[1:-1], []))
        elif out:
            key, _, value = line.partition("=")
            out[-1][1].append((key.strip(), value.strip()))
    return out


def text_to_dict(text):
    """The dict form of :meth:`Scenario.from_dict` for canonical scenario text."""
    d = {s: {} for s in _SINGLE}
    d.update({key: [] for key in _REPEATED})
    d.update({"distances": {}, "workers": [], "absences": []})
    repeated = {section: key for key, section in _REPEATED.items()}
    for section, items in _sections(text):
        if section in _SINGLE:
            d[section].update({k: _value(section, k, v) for k, v in items})
        elif section in repeated:
            d[repeated[section]].append({k: _value(section, k, v) for k, v in items})
        elif section == "distances":
            d["distances"].update({k: _number(v) for k, v in items})
        elif section == "worker":
            d["workers"].append({k: _value(section, k, v) for k, v in items})
        elif section == "absence":
            d["absences"].append({k: _value(section, k, v) for k, v in items})
    return d


def scenario_sha256(scenario):
    """The SHA-256 (hex) of a scenario's canonical text."""
    return hashlib.sha256(scenario.to_text().encode("utf-8")).hexdigest()


class ScenarioValues:
    """Value behaviour of :class:`triage.Scenario` (mixed in; see the module doc)."""

    __slots__ = ()

    def get(self, section, key=None):
        """One value of a single-instance section as a Python value (numbers,
        ``bool`` for yes/no, ``(min, max)`` for ranges, lists for role and
        language lists, ``datetime.date`` for dates); ``get("guidance.resolved")``
        works too. An unknown section or key raises
        :class:`triage.InvalidArgument` naming it."""
        if key is None:
            section, _, key = str(section).partition(".")
        if section not in _SINGLE:
            raise InvalidArgument(_EINVAL, f"unknown scenario section {section!r} "
                                  "(get reads the single-instance sections)", "section")
        values = text_to_dict(self.to_text())[section]
        if key not in values:
            raise InvalidArgument(_EINVAL, f"unknown key {key!r} in section [{section}]",
                                  f"{section}.{key}")
        return values[key]

    def to_dict(self):
        """Every value as the dict :meth:`from_dict` takes (sections as dicts;
        ``municipalities``, ``workers`` and ``absences`` as lists of dicts;
        ``distances`` keyed ``"CODE-CODE"``): ``Scenario.from_dict(sc.to_dict())
        == sc``."""
        return text_to_dict(self.to_text())

    def __eq__(self, other):
        if not isinstance(other, ScenarioValues):
            return NotImplemented
        return self.to_text() == other.to_text()

    __hash__ = None  # mutable

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def __reduce__(self):
        return (_scenario_from_text, (self.to_text(),))

    @property
    def sha256(self):
        """The SHA-256 (hex) of :meth:`to_text`: the scenario's identity in
        :func:`triage.metadata`."""
        return scenario_sha256(self)

    def __repr__(self):
        d = self.to_dict()
        s = d["scenario"]
        people = sum(int(w.get("count", 1)) for w in d["workers"])
        return (f"<triage.Scenario {s.get('name', '')!r}: {people} workers in "
                f"{len(d['workers'])} entries, {len(d['municipalities'])} municipalities, "
                f"{s.get('days')} days from {s.get('start')}, sha256 {self.sha256[:12]}>")


def _scenario_from_text(text):
    """Unpickles a scenario: the parser for a complete scenario; one still
    being built (it does not validate yet) is rebuilt value by value."""
    from ._sim import Scenario
    try:
        return Scenario.parse(text, "pickled scenario")
    except InvalidArgument:
        return _from_dict(Scenario, text_to_dict(text), validate=False)


def _from_dict(cls, d, validate=True):
    if not isinstance(d, dict):
        raise TypeError("a scenario dict is needed")
    known = set(_SINGLE) | set(_REPEATED) | {"distances", "workers", "absences"}
    for key in d:
        if key not in known:
            raise InvalidArgument(_EINVAL, f"unknown scenario section {key!r}", "section")
    sc = cls()
    for section in _SINGLE:
        for key, value in d.get(section, {}).items():
            sc.set(section, key, value)
    for key, section in _REPEATED.items():
        for entry in d.get(key, []):
            add_section(sc._h, section, entry)
    for pair, km in d.get("distances", {}).items():
        a, b = (pair.split("-") if isinstance(pair, str) else pair)
        _ll.triage_scenario_set_distance(sc._h, int(a), int(b), float(km))
    for w in d.get("workers", []):
        w = dict(w)
        sc.add_worker(w.pop("name"), **w)
    for a in d.get("absences", []):
        sc.add_absence(a["worker"], a["start"], a["end"])
    if validate:
        _ll.triage_scenario_validate(sc._h)
    return sc


def add_section(handle, section, keys):
    """``triage_scenario_add_section``: one repeated section from a dict of
    its keys (``language_sv`` / ``language_other`` for ``language.sv`` /
    ``language.other``), checked as file lines are."""
    names = [k.replace("language_", "language.", 1) if k.startswith("language_") else k
             for k in keys]
    _ll.triage_py_scenario_add_section(handle, section, names,
                                       [value_text(section, n, v)
                                        for n, v in zip(names, keys.values())])


def checked_set(handle, section, key, value):
    """``triage_scenario_set`` whose errors name the section and key."""
    try:
        _ll.triage_scenario_set(handle, section, key, value_text(section, key, value))
    except InvalidArgument as e:
        if e.argument == "key":
            raise InvalidArgument(e.code, f"unknown key {key!r} in section [{section}]",
                                  f"{section}.{key}", e.cause) from None
        if e.argument == "section":
            raise InvalidArgument(e.code, f"unknown scenario section {section!r}",
                                  "section", e.cause) from None
        raise


# ---- reports ----------------------------------------------------------------------------

class ReportValues:
    """Value behaviour of a report made by the C library: ``metadata``,
    pickling through the writers' text, equality of that text."""

    __slots__ = ()

    @property
    def metadata(self):
        """The reproducibility record (:func:`triage.metadata`) of this report."""
        return _copy.deepcopy(self._meta or {})

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return (self.to_csv(), self.to_json(), self._meta) == (
            other.to_csv(), other.to_json(), other._meta)

    __hash__ = None


_POLICIES = None


def policies():
    """The ids and versions of the policies the simulator decides with: the
    classifier and urgency policies and the deadline rules' law version(s)."""
    global _POLICIES
    if _POLICIES is None:
        from ._classify import ClassifyPolicy
        from ._deadline import DEADLINE_ROWS, DeadlineRules
        from ._urgency import UrgencyPolicy
        c, u, r = ClassifyPolicy(), UrgencyPolicy(), DeadlineRules()
        laws = sorted({r.law_version(row) for row in DEADLINE_ROWS if row != "response"})
        _POLICIES = {
            "classify": {"id": c.id, "version": c.version},
            "urgency": {"id": u.id, "version": u.version},
            "deadlines": {"law_version": ", ".join(laws)},
        }
    return _copy.deepcopy(_POLICIES)


def metadata(scenario=None, **fields):
    """The reproducibility record of a result: ``library`` and ``version``
    (the linked C library's), ``policies`` (ids and versions), and when a
    scenario is given its ``scenario`` name and ``scenario_sha256`` (the hash
    of its canonical text), then any ``fields`` given (``seed``, ``seeds``,
    ``days``, ``warmup``, ...; None values are left out).

    >>> sorted(metadata())
    ['library', 'policies', 'version']
    """
    m = {"library": "libtriage", "version": _ll.triage_version_string(),
         "policies": policies()}
    if scenario is not None:
        m["scenario"] = scenario.get("scenario", "name")
        m["scenario_sha256"] = scenario_sha256(scenario)
    m.update({k: v for k, v in fields.items() if v is not None})
    return m


def metadata_text(meta):
    """One line for a caption: version, scenario hash, seeds."""
    parts = [f"libtriage {meta.get('version', '?')}"]
    p = meta.get("policies") or {}
    if p:
        parts.append("classify {id} v{version}".format(**p["classify"]))
        parts.append("urgency {id} v{version}".format(**p["urgency"]))
        parts.append(f"deadlines law {p['deadlines']['law_version']}")
    for key in ("scenario_sha256", "scenario_a_sha256", "scenario_b_sha256"):
        if meta.get(key):
            parts.append(f"{key.replace('_sha256', '')} sha256 {meta[key][:12]}")
    if "seed" in meta:
        parts.append(f"seed {meta['seed']}")
    if meta.get("seeds"):
        s = meta["seeds"]
        parts.append(f"seeds {s[0]}..{s[-1]} (n={len(s)})" if len(s) > 3 else f"seeds {s}")
    if meta.get("days"):
        parts.append(f"{meta['days']} days")
    if meta.get("warmup"):
        parts.append(f"warm-up {meta['warmup']} days")
    return "; ".join(parts)


def metadata_json(meta):
    return json.dumps(meta, sort_keys=True, default=str)


#: The run's figures that :func:`triage.replicate` and :func:`triage.compare`
#: tabulate, in order; the first ones are those of the C ``triage_sim_compare``
#: table and have its definitions.
METRICS = (
    "intakes", "resolved_at_guidance", "resolved_share", "assessments_started",
    "assessments_completed", "plans", "closings", "deadlines_met", "deadlines_missed",
    "wait_first_contact_median", "wait_first_contact_p90", "wait_assessment_start_median",
    "wait_assessment_start_p90", "guidance_only", "social_guidance_work",
    "supported_guidance", "special_support", "noshows", "open_at_end",
    "waiting_for_assessment_at_end",
    "deadline_compliance", "phone_calls", "unassigned_days", "load_max", "load_mean",
    "load_cv",
)


def report_metrics(d):
    """The :data:`METRICS` of a simulation report's dict (``SimReport.to_dict()``);
    an undefined figure (a median over nothing) is None."""
    r, s = d["report"], d["simulation"]
    met = sum(x["met"] for x in r["deadlines"])
    missed = sum(x["missed"] for x in r["deadlines"])
    wf, wa = r["waiting_days"]["first_contact"], r["waiting_days"]["assessment_start"]
    q = r["quadrants"]
    bal = r["balance"]["all"]
    return {
        "intakes": r["intakes"]["total"],
        "resolved_at_guidance": r["guidance"]["resolved"],
        "resolved_share": r["guidance"]["share"],
        "assessments_started": r["assessments"]["started"],
        "assessments_completed": r["assessments"]["completed"],
        "plans": r["plans"],
        "closings": r["closings"]["total"],
        "deadlines_met": met,
        "deadlines_missed": missed,
        "wait_first_contact_median": wf["median"],
        "wait_first_contact_p90": wf["p90"],
        "wait_assessment_start_median": wa["median"],
        "wait_assessment_start_p90": wa["p90"],
        "guidance_only": q["guidance_only"],
        "social_guidance_work": q["social_guidance_work"],
        "supported_guidance": q["supported_guidance"],
        "special_support": q["special_support"],
        "noshows": s["noshows"],
        "open_at_end": s["open"],
        "waiting_for_assessment_at_end": s["distribution"],
        "deadline_compliance": round(met / (met + missed), 6) if met + missed else None,
        "phone_calls": s["phone_calls"],
        "unassigned_days": s["unassigned_days"],
        "load_max": bal["max"],
        "load_mean": bal["mean"],
        "load_cv": bal["cv"],
    }


def intake_signature(d):
    """What identifies a run's intake stream: the simulator's intake hash
    (``simulation.intake_hash``, docs/simulation.md "The intake hash")."""
    return d["simulation"]["intake_hash"]


class SimReportValues(ReportValues):
    """What a :class:`triage.SimReport` adds to a report value."""

    __slots__ = ()

    def metrics(self):
        """The run's headline figures as a flat dict (:data:`triage.METRICS`)."""
        return report_metrics(self.to_dict())

    def plot(self, path=None, **kwargs):
        """Draws the run (needs matplotlib): waiting times, deadline compliance
        by legal basis and load per worker, captioned with :attr:`metadata`.
        Writes a PNG to ``path`` when given; returns the figure
        (see :func:`triage.plot_report`)."""
        from ._plot import plot_report
        return plot_report(self, path, **kwargs)

    def __getstate__(self):
        state = {"csv": self.to_csv(), "json": self.to_json(), "meta": self._meta}
        if getattr(self, "_h", None) is not None and (self._meta or {}).get("periods"):
            state["periods"] = self.periods  # Reports pickle as their text
            state["periods_csv"] = self.periods_csv()
        return state

    def __setstate__(self, state):
        self._h = None
        self._csv, self._json, self._meta = state["csv"], state["json"], state["meta"]
        self._periods = state.get("periods", [])
        self._pcsv = state.get("periods_csv")
