"""Workload-balancing assignment (docs/domain.md §7) for Python.

Adds to :class:`triage.Engine`: ``assign``, ``propose``, ``propose_role_change``,
``apply_assignments``, ``distribute``, ``add_absence``, ``remove_absence``,
``absences``, ``is_present``, ``duty_pair``, ``balance``, ``worker_load``,
``case_weight``, ``set_distances`` and ``set_assign_policy``; and the
standalone solvers :func:`solve_assignment` (linear assignment, the same
problem as ``scipy.optimize.linear_sum_assignment``), :func:`solve_transport`
(capacitated assignment) and :func:`batch_solve`.

>>> import triage
>>> eng = triage.Engine()
>>> sw = eng.add_worker(role="social_worker")
>>> triage.AssignPolicy().get("hard_cap")
50.0
"""

import array
import datetime
import enum
from typing import NamedTuple

from . import _lowlevel as _ll
from ._classify import Role
from ._engine import Engine, Slot, _date_in, _date_out, _enum, _id, _uuid
from ._errors import InvalidArgument

__all__ = [
    "AssignPolicy", "Exclusion", "BatchMethod", "Assignment", "Candidate", "Distribution",
    "BatchStats", "AbsenceProposals", "Absence", "DutyPair", "Balance", "WorkerLoad",
    "solve_assignment", "solve_transport", "batch_solve",
]


class Exclusion(enum.IntEnum):
    """Why a candidate was excluded (docs/domain.md §7.2)."""
    INACTIVE = _ll.TRIAGE_EXCLUDED_INACTIVE
    ROLE = _ll.TRIAGE_EXCLUDED_ROLE
    ABSENT = _ll.TRIAGE_EXCLUDED_ABSENT
    LANGUAGE = _ll.TRIAGE_EXCLUDED_LANGUAGE
    HARD_CAP = _ll.TRIAGE_EXCLUDED_HARD_CAP
    CHILD_WELFARE_CAP = _ll.TRIAGE_EXCLUDED_CHILD_WELFARE_CAP
    NOT_ON_DUTY = _ll.TRIAGE_EXCLUDED_NOT_ON_DUTY
    EXCLUDED = _ll.TRIAGE_EXCLUDED_EXCLUDED
    NO_PAIR = _ll.TRIAGE_EXCLUDED_NO_PAIR


class BatchMethod(enum.IntEnum):
    """Which candidate solution a batch kept."""
    EXACT = _ll.TRIAGE_BATCH_EXACT
    HEURISTIC = _ll.TRIAGE_BATCH_HEURISTIC
    SEQUENTIAL = _ll.TRIAGE_BATCH_SEQUENTIAL
    LINEAR = _ll.TRIAGE_BATCH_LINEAR


_FLAGS = {
    "over_capacity": _ll.TRIAGE_ASSIGN_OVER_CAPACITY,
    "interpreter": _ll.TRIAGE_ASSIGN_INTERPRETER,
    "no_candidate": _ll.TRIAGE_ASSIGN_NO_CANDIDATE,
    "duty_pair": _ll.TRIAGE_ASSIGN_DUTY_PAIR,
    "no_duty_pair": _ll.TRIAGE_ASSIGN_NO_DUTY_PAIR,
    "pair_proposed": _ll.TRIAGE_ASSIGN_PAIR_PROPOSED,
    "continuity": _ll.TRIAGE_ASSIGN_CONTINUITY,
    "over_soft_cap": _ll.TRIAGE_ASSIGN_OVER_SOFT_CAP,
    "rule_broken": _ll.TRIAGE_ASSIGN_RULE_BROKEN,
}

_PARAMS = {
    "weight_q1": _ll.TRIAGE_ASSIGN_WEIGHT_Q1,
    "weight_q2": _ll.TRIAGE_ASSIGN_WEIGHT_Q2,
    "weight_q3": _ll.TRIAGE_ASSIGN_WEIGHT_Q3,
    "weight_q4": _ll.TRIAGE_ASSIGN_WEIGHT_Q4,
    "weight_unclassified": _ll.TRIAGE_ASSIGN_WEIGHT_UNCLASSIFIED,
    "later_factor": _ll.TRIAGE_ASSIGN_LATER_FACTOR,
    "urgent_bonus": _ll.TRIAGE_ASSIGN_URGENT_BONUS,
    "pair_factor": _ll.TRIAGE_ASSIGN_PAIR_FACTOR,
    "soft_cap": _ll.TRIAGE_ASSIGN_SOFT_CAP,
    "hard_cap": _ll.TRIAGE_ASSIGN_HARD_CAP,
    "child_welfare_cap": _ll.TRIAGE_ASSIGN_CHILD_WELFARE_CAP,
    "flood_margin": _ll.TRIAGE_ASSIGN_FLOOD_MARGIN,
    "language_hard": _ll.TRIAGE_ASSIGN_LANGUAGE_HARD,
    "exact_limit": _ll.TRIAGE_ASSIGN_EXACT_LIMIT,
    "long_absence": _ll.TRIAGE_ASSIGN_LONG_ABSENCE,
}


class AssignPolicy:
    """Assignment weights, caps and switches (docs/domain.md §7.1, §7.2, §7.4).

    A new policy is the default ("fi-default", version 1); keyword arguments
    set parameters by name (``hard_cap=45``, ``flood_margin=-1`` ...).
    ``soft_cap`` and ``hard_cap`` count clients (open cases as the
    responsible worker) per FTE, not weighted load; ``child_welfare_cap``
    counts children (LSL 13 b §); ``long_absence`` is the number of business
    days above which an absence also lists the absentee's special-support
    cases.
    """

    def __init__(self, *, id=None, version=None, **params):
        self._h = _ll.triage_assign_policy_new()
        if id is not None or version is not None:
            _ll.triage_assign_policy_set_id(self._h, id or "fi-default", version or 1)
        for name, value in params.items():
            self.set(name, value)

    def _key(self, name):
        try:
            return _PARAMS[name]
        except KeyError:
            raise TypeError(f"unknown assignment parameter {name!r}") from None

    def set(self, name, value):
        """Sets one parameter; :class:`triage.InvalidArgument` when out of range."""
        _ll.triage_assign_policy_set(self._h, self._key(name), float(value))

    def get(self, name):
        return _ll.triage_assign_policy_get(self._h, self._key(name))

    @property
    def id(self):
        return _ll.triage_assign_policy_id(self._h)[0]

    @property
    def version(self):
        return _ll.triage_assign_policy_id(self._h)[1]

    def as_dict(self):
        return {name: self.get(name) for name in _PARAMS}

    def __repr__(self):
        return f"triage.AssignPolicy(id={self.id!r}, version={self.version})"


class Candidate(NamedTuple):
    """One worker in an assignment's explanation: the constraint that
    excluded it (None when eligible) or its rank and rank keys."""
    worker: object
    excluded: object          # Exclusion or None
    rank: int                 # 1 chosen, 2 runner-up, ...; 0 when excluded
    continuity: bool
    serves: bool
    distance: object          # float or None when unknown
    load_before: float
    load_after: float


class Assignment:
    """The result of an assignment or a proposal. In a distribution,
    ``rule_excess`` is the chosen worker's new cases above the no-flooding
    limit (flag ``rule_broken``) and ``cap_excess`` their new clients above
    the hard cap (the proposals over it carry ``over_capacity``); else 0."""

    __slots__ = ("case", "slot", "worker", "runner_up", "pair", "previous", "flags", "weight",
                 "explanation", "rule_excess", "cap_excess", "_stage", "_until")

    def __init__(self, t):
        case, slot, worker, runner_up, pair, previous, flags, weight, cands = t[:9]
        self.rule_excess, self.cap_excess, self._stage, self._until = t[9:13]
        self.case = _uuid(case)
        self.slot = Slot(slot)
        self.worker = _uuid(worker)
        self.runner_up = _uuid(runner_up)
        self.pair = _uuid(pair)
        self.previous = _uuid(previous)
        self.flags = frozenset(n for n, b in _FLAGS.items() if flags & b)
        self.weight = weight
        self.explanation = [
            Candidate(_uuid(w), Exclusion(ex) if ex else None, rank, bool(co), bool(se),
                      None if d < 0 else d, before, after)
            for (w, ex, rank, co, se, d, before, after) in cands]

    def _tuple(self):
        return (_id(self.case, "case"), int(self.slot), _id(self.worker, "worker", True),
                _id(self.pair, "pair", True), _id(self.previous, "previous", True),
                self._stage, self._until)

    def __repr__(self):
        return (f"triage.Assignment(case={self.case}, worker={self.worker}, "
                f"runner_up={self.runner_up}, flags={sorted(self.flags)})")


class BatchStats(NamedTuple):
    """What a batch achieved (docs/domain.md §7.4).

    ``unassigned`` counts the cases left without a worker and
    ``unplaceable`` those of them no worker may take (never counted in the
    loads or the bound). ``lower_bound`` holds for every distribution that
    honours the no-flooding rule and the count caps when ``bound_with_rule``,
    else for every distribution. When the rule or a cap cannot be honoured,
    ``rule_breaks``/``cap_breaks`` count the workers above their limit and
    ``rule_excess``/``cap_excess`` the cases above it; ``worker_rule_excess``
    and ``worker_cap_excess`` give it per worker (``batch_solve`` only, else
    None)."""
    max_load: float
    total_travel: float
    lower_bound: float
    gap: float
    sequential_max_load: float
    sequential_total_travel: float
    method: BatchMethod
    exact: bool
    unassigned: int
    over_capacity: int
    unplaceable: int = 0
    bound_with_rule: bool = False
    rule_breaks: int = 0
    rule_excess: int = 0
    cap_breaks: int = 0
    cap_excess: int = 0
    worker_rule_excess: tuple = None
    worker_cap_excess: tuple = None


def _stats(t):
    return BatchStats(t[0], t[1], t[2], t[3], t[4], t[5], BatchMethod(t[6]) if t[6] else None,
                      bool(t[7]), t[8], t[9], t[10], bool(t[11]), t[12], t[13], t[14], t[15],
                      t[16], t[17])


class Distribution(list):
    """A batch's assignments (in the given order) with ``stats``."""

    def __init__(self, items, stats):
        super().__init__(items)
        self.stats = stats


class AbsenceProposals(list):
    """Reassignment proposals for an absence (urgent first), with the new
    ``absence`` id. Apply them with ``engine.apply_assignments(proposals)``."""

    def __init__(self, items, absence):
        super().__init__(items)
        self.absence = absence


class Absence(NamedTuple):
    id: object
    worker: object
    start: datetime.date
    end: datetime.date


class DutyPair(NamedTuple):
    social_worker: object
    counsellor: object


class Balance(NamedTuple):
    workers: int
    max: float
    min: float
    mean: float
    cv: float
    gini: float


class WorkerLoad(NamedTuple):
    """A worker's load: ``weighted`` and ``normalized`` (per FTE) serve
    balance; ``clients`` (open cases as the responsible worker) is what the
    soft and hard caps count, per FTE (``over_soft``, ``over_hard``);
    ``child_welfare`` is the children counted towards the LSL 13 b § cap."""
    weighted: float
    normalized: float
    cases: int
    child_welfare: int
    over_soft: bool
    over_hard: bool
    clients: int = 0


def _slot(slot):
    return 0 if slot is None else _enum(Slot, slot, "slot")


# ---- Engine methods ------------------------------------------------------------------

def _assign(self, case, *, at=None, actor=None, slot=None, exclude=None, apply=True):
    """Assigns a case (docs/domain.md §7.2-§7.3) and returns the :class:`Assignment`
    with ``worker``, ``runner_up``, ``pair`` and ``explanation`` (one
    :class:`Candidate` per worker). ``apply=False`` only proposes."""
    h = self._handle()
    t = _ll.triage_py_assign(h, _id(case, "case_id"), self._at(at), _id(actor, "actor", True),
                             _slot(slot), _id(exclude, "exclude", True), 0, 1 if apply else 0)
    return Assignment(t)


def _propose(self, case, *, at=None, slot=None, exclude=None):
    """Proposes a worker without changing anything."""
    return _assign(self, case, at=at, slot=slot, exclude=exclude, apply=False)


def _propose_role_change(self, case, *, at=None):
    """Proposes a new responsible worker after a reclassification changed
    the required or preferred role (StateError when it did not)."""
    return Assignment(_ll.triage_py_assign_role_change(self._handle(), _id(case, "case_id"),
                                                       self._at(at)))


def _apply_assignments(self, proposals, *, at=None, actor=None):
    """Applies proposals in one transaction: all or nothing."""
    _ll.triage_py_assign_apply(self._handle(), [p._tuple() for p in proposals],
                               _id(actor, "actor", True), self._at(at))


def _distribute(self, cases, *, at=None, actor=None, apply=True):
    """Distributes a batch of cases (docs/domain.md §7.4): returns a
    :class:`Distribution` (one :class:`Assignment` per case, in order;
    explanations empty) with ``stats`` (:class:`BatchStats`)."""
    items, stats = _ll.triage_py_distribute(self._handle(), [_id(c, "case_ids") for c in cases],
                                            self._at(at), _id(actor, "actor", True),
                                            1 if apply else 0)
    return Distribution([Assignment(t) for t in items], _stats(stats))


def _add_absence(self, worker, start, end, *, at=None, actor=None):
    """Records an absence (inclusive dates) and returns the reassignment
    proposals for the worker's cases due during it (:class:`AbsenceProposals`)."""
    h = self._handle()
    w = _id(worker, "worker")
    s, e = _date_in(start, "start"), _date_in(end, "end")
    absence = _ll.triage_absence_add(h, w, s, e, _id(actor, "actor", True))
    props = _ll.triage_py_absence_proposals(h, w, s, e, self._at(at))
    return AbsenceProposals([Assignment(t) for t in props], _uuid(absence))


def _remove_absence(self, absence, *, actor=None):
    _ll.triage_absence_remove(self._handle(), _id(absence, "absence"), _id(actor, "actor", True))


def _absences(self, worker=None):
    rows = _ll.triage_py_absence_list(self._handle(), _id(worker, "worker", True))
    return [Absence(_uuid(i), _uuid(w), _date_out(s), _date_out(e)) for (i, w, s, e) in rows]


def _is_present(self, worker, date):
    return bool(_ll.triage_worker_present(self._handle(), _id(worker, "worker"),
                                          _date_in(date, "date")))


def _duty_pair(self, date):
    """The duty pair of the ISO week containing ``date`` (docs/domain.md §7.6)."""
    a, b = _ll.triage_py_duty_pair(self._handle(), _date_in(date, "date"))
    return DutyPair(_uuid(a), _uuid(b))


def _balance(self, role=None, team=None):
    """Balance figures (docs/domain.md §7.7) of active workers with ``role`` (None:
    all) in ``team`` (None: all)."""
    r = 0 if role is None else _enum(Role, role, "role")
    return Balance(*_ll.triage_py_balance(self._handle(), r, -1 if team is None else team))


def _worker_load(self, worker):
    t = _ll.triage_py_worker_load(self._handle(), _id(worker, "worker"))
    return WorkerLoad(t[0], t[1], t[2], t[3], bool(t[4]), bool(t[5]), t[6])


def _case_weight(self, case):
    return _ll.triage_assign_case_weight(self._handle(), _id(case, "case_id"))


def _set_distances(self, codes, matrix):
    """Supplies travel distances: ``matrix[i][j]`` from ``codes[i]`` to
    ``codes[j]`` (any unit; not necessarily symmetric). Kept in memory only.
    ``matrix`` is a square nested sequence or 2-D numpy array;
    :class:`triage.InvalidArgument` names it when it is ragged, not 2-D or
    not len(codes) x len(codes)."""
    codes = list(codes)
    flat, n, m = _matrix(matrix, "matrix")
    if n != len(codes) or m != len(codes):
        raise _bad("matrix", "must be len(codes) x len(codes)")
    _ll.triage_py_set_distances(self._handle(), codes, flat)


def _set_assign_policy(self, policy):
    if not isinstance(policy, AssignPolicy):
        raise TypeError("expected a triage.AssignPolicy")
    _ll.triage_engine_set_assign_policy(self._handle(), policy._h)


for _name, _fn in {
    "assign": _assign, "propose": _propose, "propose_role_change": _propose_role_change,
    "apply_assignments": _apply_assignments, "distribute": _distribute,
    "add_absence": _add_absence, "remove_absence": _remove_absence, "absences": _absences,
    "is_present": _is_present, "duty_pair": _duty_pair, "balance": _balance,
    "worker_load": _worker_load, "case_weight": _case_weight,
    "set_distances": _set_distances, "set_assign_policy": _set_assign_policy,
}.items():
    _fn.__name__ = _name
    _fn.__qualname__ = "Engine." + _name
    setattr(Engine, _name, _fn)


# ---- standalone solvers ----------------------------------------------------------------

# Argument conversion. numpy arrays cross to C through the buffer protocol
# (one contiguous copy at most, no per-element Python loop); numpy is only
# imported when one is passed. Nested sequences are converted row by row by
# C loops (array.array, bytes). Malformed input raises InvalidArgument
# naming the argument.

_EINVAL = -1
_NONZERO = bytes([0] + [1] * 255)  # bytes.translate: any non-zero byte -> 1
_INT32 = (-2 ** 31, 2 ** 31 - 1)


def _bad(name, what):
    """InvalidArgument naming the argument: str() reads "<what> [<name>]"."""
    return InvalidArgument(_EINVAL, what, name)


def _is_array(x):
    return hasattr(x, "dtype") and hasattr(x, "shape") and hasattr(x, "__array__")


def _from_numpy(x, name, ndim, kind):
    """A numpy array as a C-contiguous array: float64 ("d"), int32 ("i", whole
    numbers only) or uint8 0/1 flags ("b")."""
    import numpy as np
    if len(x.shape) != ndim:
        raise _bad(name, f"must be {ndim}-D, not {len(x.shape)}-D")
    if x.dtype.kind not in "biuf":
        raise _bad(name, "must hold numbers")
    if kind == "b":
        return np.ascontiguousarray(x != 0).view(np.uint8)
    if kind == "d":
        return np.ascontiguousarray(x, dtype=np.float64)
    if x.dtype.kind == "f" and not np.array_equal(x, np.floor(x)):
        raise _bad(name, "must hold whole numbers")
    if x.size and (x.min() < _INT32[0] or x.max() > _INT32[1]):
        raise _bad(name, "is out of the int32 range")
    return np.ascontiguousarray(x, dtype=np.int32)


def _vector(x, name, n=None, kind="d"):
    """A 1-D sequence or array as a buffer of float64 ("d") or int32 ("i")."""
    if _is_array(x):
        a = _from_numpy(x, name, 1, kind)
    elif isinstance(x, (str, bytes, bytearray)):
        raise _bad(name, "must be a sequence of numbers")
    else:
        try:
            a = array.array(kind, x)
        except TypeError:
            a = None
        except OverflowError:
            raise _bad(name, "is out of the int32 range") from None
        if a is None:
            # floats for an int32 vector: accepted only when whole
            try:
                vals = [float(v) for v in x]
            except (TypeError, ValueError):
                raise _bad(name, "must be a 1-D sequence of numbers") from None
            if kind == "d":
                a = array.array("d", vals)
            else:
                if not all(v.is_integer() and _INT32[0] <= v <= _INT32[1] for v in vals):
                    raise _bad(name, "must hold whole numbers")
                a = array.array("i", (int(v) for v in vals))
    if n is not None and len(a) != n:
        raise _bad(name, f"needs {n} values")
    return a


def _rows(x, name):
    """The rows of a matrix given as a sequence of rows."""
    if isinstance(x, (str, bytes, bytearray)):
        raise _bad(name, "must be a 2-D matrix (a sequence of rows)")
    try:
        return list(x)
    except TypeError:
        raise _bad(name, "must be a 2-D matrix (a sequence of rows)") from None


def _matrix(x, name, shape=None):
    """(float64 buffer, nrows, ncols) from a 2-D numpy array or a sequence of
    equally long rows; ``shape`` (nrows, ncols) when it is imposed."""
    if _is_array(x):
        a = _from_numpy(x, name, 2, "d")
        n, m = a.shape
    else:
        rows = _rows(x, name)
        a = array.array("d")
        n, m = len(rows), None
        for r in rows:
            k = len(a)
            if isinstance(r, (str, bytes, bytearray)):
                raise _bad(name, "must be a 2-D matrix of numbers (a sequence of rows)")
            try:
                a.extend(r)
            except TypeError:
                raise _bad(name, "must be a 2-D matrix of numbers (a sequence of rows)") from None
            if m is None:
                m = len(a) - k
            elif len(a) - k != m:
                raise _bad(name, "is ragged: every row needs the same length")
        m = m or 0
    if shape is not None and (n, m) != tuple(shape):
        raise _bad(name, f"must be {shape[0]} x {shape[1]}")
    return a, n, m


def _flags(x, name, shape):
    """A 0/1 byte buffer of shape (nrows, ncols) from a 2-D numpy array or a
    sequence of rows of truth values."""
    n, m = shape
    if _is_array(x):
        a = _from_numpy(x, name, 2, "b")
        if a.shape != (n, m):
            raise _bad(name, f"must be {n} x {m}")
        return a
    rows = _rows(x, name)
    if len(rows) != n:
        raise _bad(name, f"must be {n} x {m}")
    out = bytearray()
    for r in rows:
        if isinstance(r, (str, bytes, bytearray)) or not hasattr(r, "__iter__"):
            raise _bad(name, "must be a 2-D matrix (a sequence of rows)")
        b = None
        if _is_array(r):
            b = _from_numpy(r, name, 1, "b").tobytes()
        elif isinstance(r, (list, tuple)):
            try:
                b = bytes(r)  # small ints and bools, in C
            except (TypeError, ValueError):
                pass
        if b is None:
            try:
                b = bytes(1 if v else 0 for v in r)
            except TypeError:
                raise _bad(name, "must be a 2-D matrix (a sequence of rows)") from None
        if len(b) != m:
            raise _bad(name, "is ragged: every row needs one value per worker")
        out += b
    return bytes(out.translate(_NONZERO))


def solve_assignment(cost):
    """Linear assignment of a rectangular cost matrix (``inf`` forbids a
    cell): returns ``(row_ind, col_ind, total)`` like
    ``scipy.optimize.linear_sum_assignment`` plus the objective. ``cost`` is
    a 2-D numpy array or a sequence of equally long rows
    (:class:`triage.InvalidArgument` otherwise)."""
    buf, n, m = _matrix(cost, "cost")
    raw, total = _ll.triage_py_linear_assignment(buf, n, m)
    r2c = array.array("i")
    r2c.frombytes(raw)
    rows = [i for i in range(n) if r2c[i] >= 0]
    return rows, [r2c[i] for i in rows], total


def solve_transport(cost, capacity):
    """Capacitated assignment: every row goes to a column, column ``j``
    taking at most ``capacity[j]`` rows, at the least total cost (``inf``
    forbids a cell). The optimum equals ``solve_assignment`` (or scipy's
    ``linear_sum_assignment``) on the matrix with column ``j`` repeated
    ``capacity[j]`` times, without building it. ``capacity`` holds whole
    numbers (1.7 is refused, 2.0 is 2). Returns ``(col_ind, total)``: the
    column of each row and the objective."""
    buf, n, m = _matrix(cost, "cost")
    cap = _vector(capacity, "capacity", m, "i")
    raw, total = _ll.triage_py_transport_assignment(buf, n, m, cap)
    r2c = array.array("i")
    r2c.frombytes(raw)
    return r2c.tolist(), total


def batch_solve(weights, loads, ftes, *, eligible=None, travel=None, groups=None,
                flood_margin=3, exact_limit=10, counted=None, room=None):
    """The batch solver on a synthetic instance (docs/domain.md §7.4): returns
    ``(workers, stats)`` with the worker index of every case (-1 when no
    worker may take it) and :class:`BatchStats`. ``eligible`` (truth
    values) and ``travel`` are ncases x nworkers (nested sequences or 2-D
    numpy arrays); ``groups`` holds whole numbers, one per worker (the
    no-flooding median is taken within each group); ``counted`` (truth
    values, one per case) marks the cases that count toward each worker's
    cap ``room`` (whole numbers, one per worker)."""
    w = _vector(weights, "weights")
    ld = _vector(loads, "loads")
    f = _vector(ftes, "ftes", len(ld))
    nc, nw = len(w), len(ld)
    el = None if eligible is None else _flags(eligible, "eligible", (nc, nw))
    tr = None if travel is None else _matrix(travel, "travel", (nc, nw))[0]
    g = None if groups is None else _vector(groups, "groups", nw, "i")
    cn = None
    if counted is not None:
        if _is_array(counted) and len(counted.shape) != 1:
            raise _bad("counted", f"must be 1-D, not {len(counted.shape)}-D")
        cn = _flags([counted], "counted", (1, nc))
    rm = None if room is None else _vector(room, "room", nw, "i")
    if (cn is None) != (rm is None):
        raise _bad("room" if rm is None else "counted", "needs counted and room together")
    raw, stats = _ll.triage_py_batch_solve(w, ld, f, el, tr, g, int(flood_margin),
                                           int(exact_limit), cn, rm)
    out = array.array("i")
    out.frombytes(raw)
    return out.tolist(), _stats(stats)
