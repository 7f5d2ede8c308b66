"""Statutory deadlines (docs/domain.md §5.3, rows D1-D13) and their status.

>>> [(d.row, d.due.isoformat()) for d in deadlines(kind="contact", received="2026-03-02",
...                                                own_contact=True, age=80, service="older")]
[('D1', '2026-03-02'), ('D2', '2026-03-11'), ('response', '2026-03-11')]
"""

import datetime
import enum

from . import _lowlevel as _ll
from . import _triage as _c
from ._calendar import Calendar
from ._dates import to_days
from ._errors import InvalidArgument
from ._urgency import Urgency, UrgencyPolicy, _tier

__all__ = [
    "IntakeKind", "ServiceArea", "DeadlineState", "Deadline", "DeadlineRules",
    "DeadlineStatus", "deadlines", "priority_applies", "DEADLINE_ROWS",
]

_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_DATE_NONE = -(2 ** 31)  # TRIAGE_DATE_NONE (INT32_MIN)


class IntakeKind(enum.IntEnum):
    """Intake kinds (docs/domain.md §4; values match ``triage_intake_kind_t``)."""

    CONTACT = _ll.TRIAGE_INTAKE_CONTACT
    NOTIFICATION = _ll.TRIAGE_INTAKE_NOTIFICATION
    CHILD_WELFARE_NOTIFICATION = _ll.TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION
    APPLICATION = _ll.TRIAGE_INTAKE_APPLICATION
    KELA_REFERRAL = _ll.TRIAGE_INTAKE_KELA_REFERRAL
    OTHER_AUTHORITY = _ll.TRIAGE_INTAKE_OTHER_AUTHORITY

    @property
    def label(self):
        """The C library's name, e.g. ``"child_welfare_notification"``."""
        return _ll.triage_intake_kind_name(int(self))

    @classmethod
    def from_name(cls, name):
        """Looks a kind up by its C name; unknown names raise InvalidArgument."""
        return cls(_ll.triage_intake_kind_from_name(name))


class ServiceArea(enum.IntEnum):
    """The service area an intake arrives at (``triage_service_area_t``)."""

    WORKING_AGE = _ll.TRIAGE_SERVICE_WORKING_AGE
    FAMILY = _ll.TRIAGE_SERVICE_FAMILY
    OLDER = _ll.TRIAGE_SERVICE_OLDER


class DeadlineState(enum.IntEnum):
    """A deadline's state on a date (``triage_deadline_state_t``)."""

    OPEN = _ll.TRIAGE_DEADLINE_OPEN
    DUE_SOON = _ll.TRIAGE_DEADLINE_DUE_SOON
    MISSED = _ll.TRIAGE_DEADLINE_MISSED
    MET = _ll.TRIAGE_DEADLINE_MET
    MET_LATE = _ll.TRIAGE_DEADLINE_MET_LATE


_KIND_BY_NAME = {k.label: k for k in IntakeKind}  # C name -> IntakeKind

#: Row name ("D1" ... "D13", "D12b", "plan_review", "response") -> C row value.
DEADLINE_ROWS = {
    _ll.triage_deadline_row_name(v): v
    for v in list(range(1, 16)) + [_ll.TRIAGE_DEADLINE_RESPONSE]
}


def _to_date(days):
    return datetime.date.fromordinal(_EPOCH_ORDINAL + days)


def _opt_date(value):
    return _DATE_NONE if value is None else to_days(value)


def _flag(value, what):
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if -(2 ** 31) <= value < 2 ** 31 else 2  # out of range: C says which field
    raise TypeError(f"{what} is a bool, got {type(value).__name__}")


def _kind(value):
    if isinstance(value, str):
        return IntakeKind.from_name(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"kind is a name or a triage.IntakeKind, got {type(value).__name__}")
    return value


def _service(value):
    if isinstance(value, str):
        try:
            return ServiceArea[value.upper()]
        except KeyError:
            raise InvalidArgument(-1, "unknown service area", "service") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"service is a name or a triage.ServiceArea, got {type(value).__name__}")
    return value


def _row(value):
    if isinstance(value, str):
        try:
            return DEADLINE_ROWS[value]
        except KeyError:
            raise InvalidArgument(-1, "unknown deadline row", "row") from None
    if isinstance(value, Deadline):
        return value.row_id
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a row is a name like 'D8', got {type(value).__name__}")
    return value


def _int32(value, what):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if not -(2 ** 31) <= value < 2 ** 31:
        raise InvalidArgument(-1, f"{what} is out of range", what)
    return value


_default_calendar = None


def _cal(calendar):
    """The C handle of a triage.Calendar; None: a shared default Finnish calendar."""
    global _default_calendar
    if calendar is None:
        if _default_calendar is None:
            _default_calendar = Calendar.finland()
        calendar = _default_calendar
    if not isinstance(calendar, Calendar):
        raise TypeError("calendar must be a triage.Calendar or None")
    return calendar._h


class DeadlineRules:
    """A deadline rule set: the statutory rows D1-D13 (law version "2025")
    and the tier response. Change a row's limit, switch it off or record the
    law version it encodes; rows are named "D1" ... "D13", "D12b", "plan_review",
    "response".
    """

    __slots__ = ("_h",)

    def __init__(self):
        self._h = _ll.triage_deadline_rules_new()

    def copy(self):
        obj = DeadlineRules.__new__(DeadlineRules)
        obj._h = _ll.triage_deadline_rules_copy(self._h)
        return obj

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def set_limit(self, row, amount):
        """Business days (months for D5, D7, D9), 0-365."""
        _ll.triage_deadline_rules_set_limit(self._h, _row(row), _int32(amount, "amount"))

    def set_enabled(self, row, enabled):
        _ll.triage_deadline_rules_set_enabled(self._h, _row(row), _flag(enabled, "enabled"))

    def set_law_version(self, row, law_version):
        if not isinstance(law_version, str):
            raise TypeError("law_version is a str")
        _ll.triage_deadline_rules_set_law_version(self._h, _row(row), law_version)

    def law_version(self, row):
        return _ll.triage_deadline_rules_law_version(self._h, _row(row))

    def __repr__(self):
        return "<triage.DeadlineRules>"


class DeadlineStatus:
    """A deadline's ``state`` (DeadlineState) and ``overdue`` business days."""

    __slots__ = ("state", "overdue")

    def __init__(self, state, overdue):
        self.state = state
        self.overdue = overdue

    def __iter__(self):
        return iter((self.state, self.overdue))

    def __repr__(self):
        return f"<triage.DeadlineStatus {self.state.name} overdue={self.overdue}>"


class Deadline:
    """One deadline that applies to an intake.

    ``row`` ("D2"), ``row_id`` (the C value), ``basis`` ("SHL 36 §"),
    ``milestone`` and its alias ``kind`` ("assessment_started"), ``due``
    (``datetime.date``).
    """

    __slots__ = ("row_id", "basis_id", "milestone_id", "due")

    def __init__(self, row_id, basis_id, milestone_id, due):
        self.row_id = row_id
        self.basis_id = basis_id
        self.milestone_id = milestone_id
        self.due = due

    @property
    def row(self):
        return _ll.triage_deadline_row_name(self.row_id)

    @property
    def basis(self):
        return _ll.triage_legal_basis_name(self.basis_id)

    @property
    def milestone(self):
        return _ll.triage_milestone_name(self.milestone_id)

    kind = milestone

    def status(self, today, met_on=None, due_soon_days=2, calendar=None):
        """The state on ``today``: OPEN, DUE_SOON (due within ``due_soon_days``
        business days, today included), MISSED, MET or MET_LATE, with the
        business days overdue."""
        c = _ll.triage_deadline_t()
        c.row = self.row_id
        c.basis = self.basis_id
        c.milestone = self.milestone_id
        c.due = to_days(self.due)
        state, overdue = _ll.triage_deadline_status(
            _cal(calendar), c, _opt_date(met_on), to_days(today),
            _int32(due_soon_days, "due_soon_days"))
        return DeadlineStatus(DeadlineState(state), overdue)

    def __eq__(self, other):
        if not isinstance(other, Deadline):
            return NotImplemented
        return (self.row_id, self.basis_id, self.milestone_id, self.due) == (
            other.row_id, other.basis_id, other.milestone_id, other.due)

    def __repr__(self):
        return f"<triage.Deadline {self.row} {self.basis} {self.milestone} due {self.due}>"


def _input(kind, received, age, own_contact, date_of_birth, highest_care_allowance,
           child_special_support, urgency, service, service_decision, assistance_urgent,
           assistance_complete, assistance_completed, meeting_requested):
    if received is None:
        raise InvalidArgument(-1, "the date is required", "received")
    k = _kind(kind)
    special = _flag(child_special_support, "child_special_support")
    if service is None:
        # Child matters belong to family services; everything else defaults
        # to working-age services (as the C INIT macro does).
        child = k == IntakeKind.CHILD_WELFARE_NOTIFICATION or special == 1
        service = ServiceArea.FAMILY if child else ServiceArea.WORKING_AGE
    inp = _ll.triage_deadline_input_t()
    inp.version = _ll.TRIAGE_DEADLINE_INPUT_VERSION
    inp.kind = int(k)
    inp.service = int(_service(service))
    inp.received = to_days(received)
    inp.own_contact = _flag(own_contact, "own_contact")
    inp.age = -1 if age is None else _int32(age, "age")
    inp.date_of_birth = _opt_date(date_of_birth)
    inp.highest_care_allowance = _flag(highest_care_allowance, "highest_care_allowance")
    inp.child_special_support = special
    inp.urgency = int(_tier(Urgency.NORMAL if urgency is None else urgency, "urgency"))
    inp.service_decision = _opt_date(service_decision)
    inp.assistance_urgent = _flag(assistance_urgent, "assistance_urgent")
    inp.assistance_complete = _flag(assistance_complete, "assistance_complete")
    inp.assistance_completed = _opt_date(assistance_completed)
    inp.meeting_requested = _opt_date(meeting_requested)
    return inp


def deadlines(kind="notification", received=None, *, age=None, own_contact=False,
              date_of_birth=None, highest_care_allowance=False, child_special_support=False,
              urgency=None, service=None, service_decision=None, assistance_urgent=False,
              assistance_complete=False, assistance_completed=None, meeting_requested=None,
              calendar=None, rules=None, urgency_policy=None):
    """Every deadline that applies to an intake, in row order, the tier
    response last (docs/domain.md §5.3).

    ``kind``: an intake-kind name ("contact", "notification",
    "child_welfare_notification", "application", "kela_referral",
    "other_authority") or :class:`IntakeKind`. ``received``: the intake date.
    Dates are ``datetime.date``, :class:`triage.Date` or ISO text; None
    means "not given". ``age`` None is unknown (``date_of_birth`` is used).
    ``urgency``: the assessed tier (an :class:`Urgency`, its name or an
    :class:`UrgencyResult`); default NORMAL. ``service``: "working_age",
    "family", "older" or :class:`ServiceArea`; None picks family services for
    a child-welfare notification or a special-support child, else working-age.
    ``calendar``: a :class:`triage.Calendar` (None: the plain Finnish
    calendar). ``rules``: a :class:`DeadlineRules`; ``urgency_policy``: the
    :class:`UrgencyPolicy` giving the tier response time.

    Inconsistent input raises :class:`triage.InvalidArgument` naming the field.
    """
    # The arguments are checked here as for priority_applies(); the input
    # struct, the call and the Deadline objects are made in C (fast.i). The
    # common types (bools, ints, names) take the short paths.
    if received is None:
        raise InvalidArgument(-1, "the date is required", "received")
    k = _KIND_BY_NAME.get(kind) if kind.__class__ is str else None
    if k is None:
        k = _kind(kind)
    special = (child_special_support if child_special_support.__class__ is bool
               else _flag(child_special_support, "child_special_support"))
    if service is None:
        service = _FAMILY if special == 1 or k == _CHILD_NOTIFICATION else _WORKING_AGE
    else:
        service = _service(service)
    if urgency is None:
        tier = _NORMAL
    else:
        tier = _TIER_BY_TEXT.get(urgency) if urgency.__class__ is str else None
        if tier is None:
            tier = _tier(urgency, "urgency")
    if age is not None and (age.__class__ is not int or not -(2 ** 31) <= age < 2 ** 31):
        age = _int32(age, "age")
    if rules is not None and not isinstance(rules, DeadlineRules):
        raise TypeError("rules must be a triage.DeadlineRules or None")
    if urgency_policy is not None and not isinstance(urgency_policy, UrgencyPolicy):
        raise TypeError("urgency_policy must be a triage.UrgencyPolicy or None")
    flags = [own_contact, highest_care_allowance, assistance_urgent, assistance_complete]
    if not (own_contact.__class__ is highest_care_allowance.__class__ is assistance_urgent.__class__
            is assistance_complete.__class__ is bool):
        flags = [_flag(v, what) for v, what in zip(flags, _FLAG_NAMES)]
    return _c.deadlines_compute(
        rules._h if rules is not None else None,
        urgency_policy._h if urgency_policy is not None else None,
        _default_calendar._h if calendar is None and _default_calendar else _cal(calendar), k, service, received, flags[0], -1 if age is None else age,
        date_of_birth, flags[1], special, tier, service_decision, flags[2], flags[3],
        assistance_completed, meeting_requested)


# Enum members as plain ints: an enum attribute lookup costs more than the call.
_FAMILY, _WORKING_AGE = int(ServiceArea.FAMILY), int(ServiceArea.WORKING_AGE)
_CHILD_NOTIFICATION = int(IntakeKind.CHILD_WELFARE_NOTIFICATION)
_NORMAL = int(Urgency.NORMAL)
_FLAG_NAMES = ("own_contact", "highest_care_allowance", "assistance_urgent",
               "assistance_complete")
_TIER_BY_TEXT = {**{t.name: t for t in Urgency}, **{t.name.lower(): t for t in Urgency}}


def priority_applies(kind="notification", received=None, *, age=None, own_contact=False,
                     date_of_birth=None, highest_care_allowance=False,
                     child_special_support=False, service=None, rules=None):
    """True when a statutory 7-business-day assessment start (D2, D3, D4 or
    D6) applies, which makes a NORMAL intake PRIORITY (docs/domain.md §5.1).
    Pass the result as ``statutory_floor=Urgency.PRIORITY`` to
    :func:`triage.assess_urgency`."""
    inp = _input(kind, received, age, own_contact, date_of_birth, highest_care_allowance,
                 child_special_support, None, service, None, False, False, None, None)
    if rules is not None and not isinstance(rules, DeadlineRules):
        raise TypeError("rules must be a triage.DeadlineRules or None")
    return bool(_ll.triage_deadline_priority_applies(
        rules._h if rules is not None else None, inp))
