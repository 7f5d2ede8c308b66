"""The client-process engine (docs/domain.md §2-§4, §6): clients, workers, intake,
stage transitions, classification on a case and the audit trail.

>>> import datetime
>>> with Engine() as e:
...     client = e.add_client(date_of_birth="1980-05-17", municipality=297)
...     r = e.intake(client, kind="notification",
...                  received=datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.timezone.utc))
...     e.move(r.case, Stage.GUIDANCE, at=r.received)
...     e.case(r.case).stage
<Stage.GUIDANCE: 2>

Times are ``datetime.datetime`` (aware; a naive one is taken as UTC) or
integer milliseconds since 1970-01-01 UTC; they come back as aware UTC
datetimes. Dates are ``datetime.date``, :class:`triage.Date` or ISO text and
come back as ``datetime.date`` (None when unset). Ids are ``uuid.UUID``.
Failures raise the :class:`triage.TriageError` subclasses with the C
library's message; ``argument`` names the field or, for
:class:`triage.StateError`, the rule.
"""

import datetime
import enum
import time
import uuid
from typing import NamedTuple

from . import _lowlevel as _ll
from ._calendar import Calendar
from ._classify import Classification, ClassifyPolicy, Role, score_vector
from ._dates import to_days
from ._deadline import Deadline, DeadlineRules, DeadlineState, IntakeKind, ServiceArea
from ._errors import InvalidArgument, OutOfRange
from ._urgency import Urgency, UrgencyPolicy, UrgencyResult, _names, _trigger

__all__ = [
    "Engine", "Stage", "ClosingReason", "Channel", "Language", "Motivation", "NeedNature",
    "Slot", "EventKind", "RoleChange", "Milestone", "AuditAction", "AuditObject",
    "Client", "Worker", "Case", "Event", "IntakeResult", "IntakeRecord", "CaseClassification",
    "CaseDeadline", "CaseDeadlines", "local_time", "local_to_utc",
]

_EINVAL = -1
_ERANGE = -6
_DATE_NONE = -(2 ** 31)
_INT32 = (-(2 ** 31), 2 ** 31 - 1)
_INT64 = (-(2 ** 63), 2 ** 63 - 1)
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_MS = datetime.timedelta(milliseconds=1)


# ---- enums -------------------------------------------------------------------

class _NamedEnum(enum.IntEnum):
    """An IntEnum that also accepts its lower-case name ("guidance")."""

    @property
    def label(self):
        return self.name.lower()


class Stage(_NamedEnum):
    """Client-process stages (``triage_stage_t``, docs/domain.md §3)."""

    RECEIVED = _ll.TRIAGE_STAGE_RECEIVED
    GUIDANCE = _ll.TRIAGE_STAGE_GUIDANCE
    INITIAL_ASSESSMENT = _ll.TRIAGE_STAGE_INITIAL_ASSESSMENT
    DISTRIBUTION = _ll.TRIAGE_STAGE_DISTRIBUTION
    ASSESSMENT = _ll.TRIAGE_STAGE_ASSESSMENT
    PLANNING = _ll.TRIAGE_STAGE_PLANNING
    CASEWORK = _ll.TRIAGE_STAGE_CASEWORK
    CLOSED = _ll.TRIAGE_STAGE_CLOSED


class ClosingReason(_NamedEnum):
    """Why a case was closed (``triage_closing_reason_t``)."""

    NONE = _ll.TRIAGE_CLOSE_NONE
    ADVICE_GIVEN = _ll.TRIAGE_CLOSE_ADVICE_GIVEN
    REFERRED = _ll.TRIAGE_CLOSE_REFERRED
    DECLINED = _ll.TRIAGE_CLOSE_DECLINED
    UNREACHABLE = _ll.TRIAGE_CLOSE_UNREACHABLE
    NO_NEED = _ll.TRIAGE_CLOSE_NO_NEED
    GOALS_MET = _ll.TRIAGE_CLOSE_GOALS_MET
    MOVED_AWAY = _ll.TRIAGE_CLOSE_MOVED_AWAY
    DUPLICATE = _ll.TRIAGE_CLOSE_DUPLICATE


class Channel(_NamedEnum):
    """Intake channels (``triage_channel_t``)."""

    PHONE = _ll.TRIAGE_CHANNEL_PHONE
    E_SERVICE = _ll.TRIAGE_CHANNEL_E_SERVICE
    WALK_IN = _ll.TRIAGE_CHANNEL_WALK_IN
    OUTREACH = _ll.TRIAGE_CHANNEL_OUTREACH
    KELA = _ll.TRIAGE_CHANNEL_KELA
    LETTER = _ll.TRIAGE_CHANNEL_LETTER
    OTHER_AUTHORITY = _ll.TRIAGE_CHANNEL_OTHER_AUTHORITY


class Language(_NamedEnum):
    """A client's language (``triage_language_t``); OTHER needs an interpreter."""

    FI = _ll.TRIAGE_LANG_FI
    SV = _ll.TRIAGE_LANG_SV
    OTHER = _ll.TRIAGE_LANG_OTHER


class Motivation(_NamedEnum):
    """The motivation check in guidance (``triage_motivation_t``)."""

    UNKNOWN = _ll.TRIAGE_MOTIVATION_UNKNOWN
    WILLING = _ll.TRIAGE_MOTIVATION_WILLING
    UNWILLING = _ll.TRIAGE_MOTIVATION_UNWILLING
    UNCLEAR = _ll.TRIAGE_MOTIVATION_UNCLEAR


class NeedNature(_NamedEnum):
    """The nature of the need in the SHL 37 § record (``triage_need_nature_t``)."""

    UNKNOWN = _ll.TRIAGE_NEED_NATURE_UNKNOWN
    TEMPORARY = _ll.TRIAGE_NEED_NATURE_TEMPORARY
    RECURRING = _ll.TRIAGE_NEED_NATURE_RECURRING
    LONG_TERM = _ll.TRIAGE_NEED_NATURE_LONG_TERM


class Slot(_NamedEnum):
    """A worker's place on a case (``triage_case_slot_t``)."""

    ASSESSMENT = _ll.TRIAGE_SLOT_ASSESSMENT
    RESPONSIBLE = _ll.TRIAGE_SLOT_RESPONSIBLE
    PAIR = _ll.TRIAGE_SLOT_PAIR


class EventKind(_NamedEnum):
    """Audit event kinds (``triage_event_kind_t``)."""

    INTAKE = _ll.TRIAGE_EVENT_INTAKE
    ATTACHED = _ll.TRIAGE_EVENT_ATTACHED
    STAGE_CHANGED = _ll.TRIAGE_EVENT_STAGE_CHANGED
    URGENCY_ASSESSED = _ll.TRIAGE_EVENT_URGENCY_ASSESSED
    CLASSIFIED = _ll.TRIAGE_EVENT_CLASSIFIED
    SPECIAL_SUPPORT_DECIDED = _ll.TRIAGE_EVENT_SPECIAL_SUPPORT_DECIDED
    WORKER_ASSIGNED = _ll.TRIAGE_EVENT_WORKER_ASSIGNED
    CONTACT_ATTEMPT = _ll.TRIAGE_EVENT_CONTACT_ATTEMPT
    MOTIVATION_CHECKED = _ll.TRIAGE_EVENT_MOTIVATION_CHECKED
    ASSESSMENT_RECORDED = _ll.TRIAGE_EVENT_ASSESSMENT_RECORDED
    MILESTONE = _ll.TRIAGE_EVENT_MILESTONE
    REPEAT_FLAGGED = _ll.TRIAGE_EVENT_REPEAT_FLAGGED
    CLIENT_CREATED = _ll.TRIAGE_EVENT_CLIENT_CREATED
    CLIENT_UPDATED = _ll.TRIAGE_EVENT_CLIENT_UPDATED
    WORKER_CREATED = _ll.TRIAGE_EVENT_WORKER_CREATED
    WORKER_UPDATED = _ll.TRIAGE_EVENT_WORKER_UPDATED
    ABSENCE_ADDED = _ll.TRIAGE_EVENT_ABSENCE_ADDED
    ABSENCE_REMOVED = _ll.TRIAGE_EVENT_ABSENCE_REMOVED
    POLICY_CHANGED = _ll.TRIAGE_EVENT_POLICY_CHANGED
    DEADLINE_ADDED = _ll.TRIAGE_EVENT_DEADLINE_ADDED
    SERVICE_DECIDED = _ll.TRIAGE_EVENT_SERVICE_DECIDED
    APPLICATION_COMPLETED = _ll.TRIAGE_EVENT_APPLICATION_COMPLETED
    MEETING_REQUESTED = _ll.TRIAGE_EVENT_MEETING_REQUESTED


class RoleChange(_NamedEnum):
    """What a (re)classification means for the responsible worker."""

    NONE = _ll.TRIAGE_ROLE_CHANGE_NONE
    SUGGESTED = _ll.TRIAGE_ROLE_CHANGE_SUGGESTED
    REQUIRED = _ll.TRIAGE_ROLE_CHANGE_REQUIRED


class Milestone(_NamedEnum):
    """Deadline milestones (``triage_milestone_t``)."""

    URGENCY_ASSESSED = _ll.TRIAGE_MILESTONE_URGENCY_ASSESSED
    ASSESSMENT_STARTED = _ll.TRIAGE_MILESTONE_ASSESSMENT_STARTED
    ASSESSMENT_COMPLETED = _ll.TRIAGE_MILESTONE_ASSESSMENT_COMPLETED
    DECISION = _ll.TRIAGE_MILESTONE_DECISION
    DECISION_CARRIED_OUT = _ll.TRIAGE_MILESTONE_DECISION_CARRIED_OUT
    MEETING_HELD = _ll.TRIAGE_MILESTONE_MEETING_HELD
    COMPLETION_REQUESTED = _ll.TRIAGE_MILESTONE_COMPLETION_REQUESTED
    RESPONSE = _ll.TRIAGE_MILESTONE_RESPONSE
    PLAN_REVIEWED = _ll.TRIAGE_MILESTONE_PLAN_REVIEWED


class AuditAction(_NamedEnum):
    """What the audit callback is told happened."""

    READ = _ll.TRIAGE_AUDIT_READ
    CREATE = _ll.TRIAGE_AUDIT_CREATE
    UPDATE = _ll.TRIAGE_AUDIT_UPDATE


class AuditObject(_NamedEnum):
    """Which kind of record the audit callback is told about."""

    CLIENT = _ll.TRIAGE_AUDIT_CLIENT
    CASE = _ll.TRIAGE_AUDIT_CASE
    WORKER = _ll.TRIAGE_AUDIT_WORKER
    EVENTS = _ll.TRIAGE_AUDIT_EVENTS


_WORKER_LANG_BITS = {"fi": _ll.TRIAGE_LANG_BIT_FI, "sv": _ll.TRIAGE_LANG_BIT_SV,
                     "en": _ll.TRIAGE_LANG_BIT_EN}

_CASE_FLAGS = {
    "emergency_services": _ll.TRIAGE_CASE_EMERGENCY_SERVICES,
    "client_relationship": _ll.TRIAGE_CASE_CLIENT_RELATIONSHIP,
    "plan_unnecessary": _ll.TRIAGE_CASE_PLAN_UNNECESSARY,
    "responsible_unnecessary": _ll.TRIAGE_CASE_RESPONSIBLE_UNNECESSARY,
    "assessment_recorded": _ll.TRIAGE_CASE_ASSESSMENT_RECORDED,
    "urgent_risk": _ll.TRIAGE_CASE_URGENT_RISK,
    "classified": _ll.TRIAGE_CASE_CLASSIFIED,
    "role_mismatch": _ll.TRIAGE_CASE_ROLE_MISMATCH,
    "role_change_suggested": _ll.TRIAGE_CASE_ROLE_CHANGE_SUGGESTED,
}


# ---- argument conversion ---------------------------------------------------------

def _bad(field, message, code=_EINVAL):
    cls = InvalidArgument if code == _EINVAL else OutOfRange
    return cls(code, message, field)


def _int(value, field, lo=_INT32[0], hi=_INT32[1]):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field} must be an int, got {type(value).__name__}")
    if not lo <= value <= hi:
        raise _bad(field, f"{field} is out of range")
    return value


def _bool(value, field):
    """A flag: bool (or the ints 0/1; anything else is left for C to name)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value if _INT32[0] <= value <= _INT32[1] else 2
    raise TypeError(f"{field} must be a bool, got {type(value).__name__}")


def _enum(cls, value, field):
    """An enum member's int from a member, an int or a (case-insensitive) name."""
    if isinstance(value, str):
        try:
            return int(cls[value.upper()])
        except KeyError:
            raise _bad(field, f"unknown {field} {value!r}") from None
    return _int(int(value) if isinstance(value, enum.Enum) else value, field)


def _to_enum(cls, value):
    try:
        return cls(value)
    except ValueError:
        return value


def _id(value, field, optional=False):
    """16 id bytes from a UUID, its text, or a record (Client, Worker, Case, IntakeResult)."""
    if value is None:
        if optional:
            return None
        raise TypeError(f"{field} is required")
    if isinstance(value, (Client, Worker, Case)):
        value = value.id
    elif isinstance(value, IntakeResult):
        value = value.case
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, str):
        try:
            return uuid.UUID(value).bytes
        except ValueError:
            raise _bad(field, f"{field} is not a UUID") from None
    if isinstance(value, (bytes, bytearray)) and len(value) == 16:
        return bytes(value)
    raise TypeError(f"{field} must be a uuid.UUID, got {type(value).__name__}")


def _intake_id(value, field, optional=False):
    """An intake's id bytes: from a UUID or its text, an :class:`IntakeResult`
    (its ``intake``) or an :class:`IntakeRecord`."""
    if isinstance(value, IntakeResult):
        value = value.intake
    elif isinstance(value, IntakeRecord):
        value = value.id
    return _id(value, field, optional)


def _uuid(raw):
    return None if raw is None else uuid.UUID(bytes=raw)


def _date_in(value, field):
    if value is None:
        return _DATE_NONE
    try:
        return to_days(value)
    except InvalidArgument as exc:
        raise _bad(field, exc.message) from None
    except OutOfRange as exc:
        raise _bad(field, exc.message, exc.code) from None


def _date_out(days):
    if days == _DATE_NONE:
        return None
    return datetime.date.fromordinal(_EPOCH_ORDINAL + days)


def _ms_strict(value, field):
    """Milliseconds since the epoch from an aware datetime (naive = UTC) or an int."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return (value - _EPOCH) // _MS
    if isinstance(value, datetime.date):
        raise TypeError(f"{field} is a point in time: give a datetime, not a date")
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{field} must be a datetime or epoch milliseconds, "
                        f"got {type(value).__name__}")
    if not _INT64[0] <= value <= _INT64[1]:
        raise _bad(field, f"{field} is out of range", _ERANGE)
    return value


def _dt_out(ms):
    try:
        return _EPOCH + ms * _MS
    except OverflowError:
        return None


def local_time(at):
    """The Finnish local (EET/EEST) date and minute of the day of ``at``
    (a datetime or epoch ms), as the engine sees it: ``(date, minute)``."""
    days, minute = _ll.triage_local_time(_ms_strict(at, "at"))
    return _date_out(days), minute


def local_to_utc(date, minute, *, later=False):
    """The UTC time (an aware datetime) of a Finnish local date and minute of
    the day (0-1439); the inverse of :func:`local_time`.

    On the last Sunday of October local 03:00-03:59 happens twice: the first
    (summer-time) instant by default, the second with ``later=True``. On the
    last Sunday of March 03:00-03:59 does not exist: InvalidArgument naming
    ``minute``."""
    if isinstance(minute, bool) or not isinstance(minute, int):
        raise TypeError(f"minute must be an int, got {type(minute).__name__}")
    if not -2 ** 31 <= minute < 2 ** 31:
        raise _bad("minute", "minute of the day must be 0-1439")
    fold = _ll.TRIAGE_LOCAL_LATER if later else _ll.TRIAGE_LOCAL_EARLIER
    return _dt_out(_ll.triage_local_to_utc(_date_in(date, "date"), minute, fold))


# ---- records -----------------------------------------------------------------------

class _Record:
    """Read-only attribute bag with equality and a short repr."""

    __slots__ = ()

    def __init__(self, **fields):
        for k, v in fields.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only")

    def _fields(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None

    def __repr__(self):
        body = ", ".join(f"{k}={v!r}" for k, v in self._fields().items())
        return f"triage.{type(self).__name__}({body})"


class Client(_Record):
    """A client record. ``repeat_notified``: repeated notifications and never
    reached (docs/domain.md §3); ``last_contact``: the last successful contact."""

    __slots__ = ("id", "date_of_birth", "language", "municipality", "responsible_worker",
                 "notifications", "failed_contacts", "repeat_notified", "last_contact",
                 "no_shows")

    @classmethod
    def _from(cls, d):
        return cls(id=_uuid(d["id"]), date_of_birth=_date_out(d["date_of_birth"]),
                   language=_to_enum(Language, d["language"]),
                   municipality=d["municipality"],
                   responsible_worker=_uuid(d["responsible_worker"]),
                   notifications=d["notifications"], failed_contacts=d["failed_contacts"],
                   repeat_notified=bool(d["flags"] & _ll.TRIAGE_CLIENT_REPEAT_NOTIFIED),
                   last_contact=_date_out(d["last_contact"]), no_shows=d["no_shows"])


class Worker(_Record):
    """A worker record; ``languages`` is a tuple of "fi", "sv", "en"."""

    __slots__ = ("id", "role", "fte", "languages", "office", "team", "active", "served")

    @classmethod
    def _from(cls, d):
        langs = tuple(n for n, b in _WORKER_LANG_BITS.items() if d["languages"] & b)
        return cls(id=_uuid(d["id"]), role=_to_enum(Role, d["role"]), fte=d["fte"],
                   languages=langs, office=d["office"], team=d["team"],
                   active=bool(d["active"]), served=tuple(d["served"]))


class Case(_Record):
    """A case snapshot.

    Times and dates: ``received_at`` (UTC datetime), ``received`` (the local
    intake date) and the milestone dates (``datetime.date`` or None).
    ``classification`` is a :class:`triage.Classification` or None;
    ``special_support_decided`` is None (undecided), False or True. The flag
    attributes (``emergency_services``, ``classified``, ...) are booleans.
    ``kind``, ``channel`` and ``received`` are those of the opening intake;
    ``intake_count`` counts it and every intake attached later (see
    :meth:`Engine.case_intakes`), ``deadline_count`` the deadline rows (see
    :meth:`Engine.case_deadlines`). ``children``: the children the matter
    concerns (LSL 13 b §); ``no_shows``: booked meetings missed.
    """

    __slots__ = ("id", "client", "kind", "channel", "service", "received_at", "received",
                 "stage", "urgency", "triggers", "classification", "special_support",
                 "special_support_decided", "special_support_decider", "assessment_worker",
                 "responsible", "pair", "closing_reason", "motivation", "need_nature",
                 "contact_attempts", "first_contact", "first_attempt", "last_attempt",
                 "assessment_started", "assessment_completed", "responded", "closed",
                 "plan_made", "intake_count", "deadline_count", "no_shows", "children",
                 "attached_to") + tuple(_CASE_FLAGS)

    @classmethod
    def _from(cls, d):
        decided = d["special_support_decided"]
        fields = dict(
            id=_uuid(d["id"]), client=_uuid(d["client"]),
            kind=_to_enum(IntakeKind, d["kind"]), channel=_to_enum(Channel, d["channel"]),
            service=_to_enum(ServiceArea, d["service"]),
            received_at=_dt_out(d["received_ms"]), received=_date_out(d["received"]),
            stage=_to_enum(Stage, d["stage"]), urgency=_to_enum(Urgency, d["urgency"]),
            triggers=_names(d["triggers"]),
            classification=(Classification(d["classification"])
                            if d["flags"] & _ll.TRIAGE_CASE_CLASSIFIED else None),
            special_support=bool(d["special_support"]),
            special_support_decided=None if decided < 0 else bool(decided),
            special_support_decider=_uuid(d["special_support_decider"]),
            assessment_worker=_uuid(d["assessment_worker"]),
            responsible=_uuid(d["responsible"]), pair=_uuid(d["pair"]),
            closing_reason=_to_enum(ClosingReason, d["closing_reason"]),
            motivation=_to_enum(Motivation, d["motivation"]),
            need_nature=_to_enum(NeedNature, d["need_nature"]),
            contact_attempts=d["contact_attempts"],
            intake_count=d["intake_count"], deadline_count=d["deadline_count"],
            no_shows=d["no_shows"], children=d["children"], attached_to=_uuid(d["attached_to"]),
        )
        for name in ("first_contact", "first_attempt", "last_attempt", "assessment_started",
                     "assessment_completed", "responded", "closed", "plan_made"):
            fields[name] = _date_out(d[name])
        for name, bit in _CASE_FLAGS.items():
            fields[name] = bool(d["flags"] & bit)
        return cls(**fields)

    @property
    def is_open(self):
        return self.stage != Stage.CLOSED


class Event(_Record):
    """An audit event. ``from_value``/``to_value``/``reason`` mean what
    ``triage_event_t`` says for the kind (stages for STAGE_CHANGED, quadrants
    for CLASSIFIED, ...); ``actor`` is None for the system; ``from_worker`` and
    ``to_worker`` are set for WORKER_ASSIGNED; ``policy_id`` is None when no
    policy was involved."""

    __slots__ = ("seq", "at", "at_ms", "case", "subject", "actor", "kind", "from_value",
                 "to_value", "reason", "from_worker", "to_worker", "policy_id",
                 "policy_version", "intake")

    @classmethod
    def _from(cls, t):
        (seq, at_ms, case, subject, actor, kind, frm, to, reason, from_id, to_id,
         pver, pid) = t[:13]
        intake = t[13] if len(t) > 13 else None
        return cls(seq=seq, at=_dt_out(at_ms), at_ms=at_ms, case=_uuid(case),
                   subject=_uuid(subject), actor=_uuid(actor), kind=_to_enum(EventKind, kind),
                   from_value=frm, to_value=to, reason=reason, from_worker=_uuid(from_id),
                   to_worker=_uuid(to_id), policy_id=pid or None, policy_version=pver,
                   intake=_uuid(intake))

    def __repr__(self):
        kind = self.kind.label if isinstance(self.kind, EventKind) else self.kind
        return (f"<triage.Event #{self.seq} {kind} {self.from_value}->{self.to_value} "
                f"reason={self.reason} at={self.at}>")


class IntakeResult(_Record):
    """What :meth:`Engine.intake` did: ``case`` (the new case, or the active
    case the intake was attached to), ``attached``, ``emergency_services``,
    ``repeat_flagged``, ``urgency`` (Urgency), ``fired``/``deciding`` (trigger
    names), ``assessment`` (the full :class:`triage.UrgencyResult`) and
    ``received`` (the intake time as a UTC datetime) and ``intake`` (the
    intake record's id: :meth:`Engine.intake_record`)."""

    __slots__ = ("case", "attached", "emergency_services", "repeat_flagged", "urgency",
                 "fired", "deciding", "assessment", "received", "intake")


class CaseClassification(NamedTuple):
    """The stored classification and what it means for the responsible worker."""

    classification: Classification
    role_change: RoleChange


class CaseDeadline(_Record):
    """A deadline row of a case with its state on a day: ``row``, ``basis``,
    ``milestone`` (names), ``due``, ``state`` (DeadlineState), ``overdue``
    (business days), ``met`` (date or None), ``deadline`` (the
    :class:`triage.Deadline`), ``id``, ``intake`` (the intake it belongs to),
    ``start`` (the date it counts from), ``met_on_arrival`` (met the moment it
    arose, as D1 when urgency is assessed on arrival) and ``superseded``."""

    __slots__ = ("deadline", "state", "overdue", "met", "id", "intake", "start",
                 "met_on_arrival", "superseded")

    row = property(lambda self: self.deadline.row)
    basis = property(lambda self: self.deadline.basis)
    milestone = property(lambda self: self.deadline.milestone)
    due = property(lambda self: self.deadline.due)

    def __repr__(self):
        return (f"<triage.CaseDeadline {self.row} {self.milestone} due {self.due} "
                f"{self.state.name} overdue={self.overdue} met={self.met}>")


class IntakeRecord(_Record):
    """One intake as recorded: ``id``, ``case``, ``client``, ``ordinal`` (0
    for the case's opening intake), ``kind``, ``channel``, ``service``,
    ``received_at`` (UTC datetime), ``received`` (local date), ``urgency`` (its
    own tier), ``triggers`` (names), ``children``, and the flags
    ``attached``, ``emergency_services``, ``repeat_flagged``,
    ``urgency_on_arrival``."""

    __slots__ = ("id", "case", "client", "ordinal", "kind", "channel", "service",
                 "received_at", "received", "urgency", "triggers", "children", "attached",
                 "emergency_services", "repeat_flagged", "urgency_on_arrival")

    @classmethod
    def _from(cls, d):
        f = d["flags"]
        return cls(id=_uuid(d["id"]), case=_uuid(d["case"]), client=_uuid(d["client"]),
                   ordinal=d["ordinal"], kind=_to_enum(IntakeKind, d["kind"]),
                   channel=_to_enum(Channel, d["channel"]),
                   service=_to_enum(ServiceArea, d["service"]),
                   received_at=_dt_out(d["received_ms"]), received=_date_out(d["received"]),
                   urgency=_to_enum(Urgency, d["urgency"]), triggers=_names(d["triggers"]),
                   children=d["children"],
                   attached=bool(f & _ll.TRIAGE_INTAKE_ATTACHED),
                   emergency_services=bool(f & _ll.TRIAGE_INTAKE_EMERGENCY_SERVICES),
                   repeat_flagged=bool(f & _ll.TRIAGE_INTAKE_REPEAT_FLAGGED),
                   urgency_on_arrival=bool(f & _ll.TRIAGE_INTAKE_URGENCY_ON_ARRIVAL))


class CaseDeadlines(list):
    """A list of :class:`CaseDeadline`; ``next`` is the open deadline due
    first (None when none) and ``next_index`` its index (-1)."""

    next_index = -1

    @property
    def next(self):
        return self[self.next_index] if self.next_index >= 0 else None


# ---- the engine ----------------------------------------------------------------------

class Engine:
    """An in-memory client-process engine (``triage_engine_t``).

    Keyword options: ``unreachable_attempts`` (3), ``unreachable_min_days``
    (5), ``repeat_notifications`` (3), ``repeat_window_days`` (365),
    ``office_open_min`` (480), ``office_close_min`` (960), ``calendar`` (a
    :class:`triage.Calendar`), ``classify_policy``, ``urgency_policy``,
    ``deadline_rules`` (copied: later changes to them do not reach the
    engine), ``audit`` (a callable ``audit(action, object, id)`` told of every
    read and change with :class:`AuditAction`, :class:`AuditObject` and a
    ``uuid.UUID`` or None), ``clock`` (a callable returning a datetime or
    epoch ms: the time of client and worker events and the default ``at=``)
    and ``retries`` (3: how often a call that lost a race to another engine
    on the same database is run again; the last attempt holds the store's
    write transaction, so with a store that admits one writer at a time it
    goes through; docs/storage.md).

    Use it as a context manager or call :meth:`close`; an engine is also
    freed when collected. A closed engine raises ValueError. One engine must
    not be used by two threads at once: the second call raises RuntimeError.
    """

    __slots__ = ("_h", "_clock", "__weakref__")

    def __init__(self, *, unreachable_attempts=3, unreachable_min_days=5,
                 repeat_notifications=3, repeat_window_days=365, office_open_min=480,
                 office_close_min=960, calendar=None, classify_policy=None,
                 urgency_policy=None, deadline_rules=None, audit=None, clock=None,
                 retries=3, _opener=None):
        # _opener: how triage._store opens an engine on a store (private).
        self._h = None
        self._clock = None
        for value, cls, name in ((calendar, Calendar, "calendar"),
                                 (classify_policy, ClassifyPolicy, "classify_policy"),
                                 (urgency_policy, UrgencyPolicy, "urgency_policy"),
                                 (deadline_rules, DeadlineRules, "deadline_rules")):
            if value is not None and not isinstance(value, cls):
                raise TypeError(f"{name} must be a triage.{cls.__name__} or None")
        for fn, name in ((audit, "audit"), (clock, "clock")):
            if fn is not None and not callable(fn):
                raise TypeError(f"{name} must be callable or None")
        opts = [_int(v, "options." + n) for v, n in (
            (unreachable_attempts, "unreachable_attempts"),
            (unreachable_min_days, "unreachable_min_days"),
            (repeat_notifications, "repeat_notifications"),
            (repeat_window_days, "repeat_window_days"),
            (office_open_min, "office_open_min"), (office_close_min, "office_close_min"),
            (retries, "retries"))]
        self._clock = clock
        self._h = (_opener or _ll.triage_py_engine_new)(
            *opts,
            calendar._h if calendar is not None else None,
            urgency_policy._h if urgency_policy is not None else None,
            deadline_rules._h if deadline_rules is not None else None,
            classify_policy._h if classify_policy is not None else None,
            _audit_adapter(audit) if audit is not None else None,
            _clock_adapter(clock) if clock is not None else None)

    @classmethod
    def in_memory(cls, **options):
        """Same as ``Engine(**options)``: all data lives in memory."""
        return cls(**options)

    # -- lifecycle

    def close(self):
        """Frees the engine and everything it holds. Idempotent."""
        h = self._h
        if h is not None:
            _ll.triage_py_engine_close(h)
            self._h = None

    @property
    def closed(self):
        return self._h is None

    def __enter__(self):
        self._handle()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return "<triage.Engine closed>" if self._h is None else "<triage.Engine>"

    def _handle(self):
        h = self._h
        if h is None:
            raise ValueError("the engine is closed")
        return h

    def _at(self, value, field="at"):
        if value is None:
            if self._clock is not None:
                return _ms_strict(self._clock(), "clock")
            return time.time_ns() // 1_000_000
        return _ms_strict(value, field)

    @property
    def calendar(self):
        """A copy of the engine's calendar."""
        return Calendar._wrap(_ll.triage_py_engine_calendar_copy(self._handle()))

    # -- other engines on the same database, and the shared configuration

    def refresh(self):
        """Applies what other engines on the same database committed since
        this engine last looked. Every call does this first; call it to
        bring the engine up to date between calls. A no-op in memory or on
        a store of interface 1."""
        _ll.triage_engine_refresh(self._handle())

    def stats(self):
        """Counters of an engine on a shared database, as a dict: ``races``
        (commits another engine beat, each retried), ``conflicts`` (calls that
        gave up), ``refreshes`` (refreshes that brought changes), ``last_seq``,
        ``cases`` and ``clients`` (held in memory), ``resident`` (everything
        in memory), ``rebased`` (commits the store numbered after other
        engines' commits this engine had not seen, without a retry)."""
        return _ll.triage_engine_stats(self._handle())

    def _policy(self, value, cls, name):
        if not isinstance(value, cls):
            raise TypeError(f"{name} must be a triage.{cls.__name__}, got {type(value).__name__}")
        return value._h

    def set_urgency_policy(self, policy):
        """Replaces the urgency policy (a transaction with a POLICY_CHANGED
        event; on a shared database every engine uses it from its next call)."""
        _ll.triage_engine_set_urgency_policy(
            self._handle(), self._policy(policy, UrgencyPolicy, "policy"))

    def set_deadline_rules(self, rules):
        """Replaces the deadline rules; as :meth:`set_urgency_policy`."""
        _ll.triage_engine_set_deadline_rules(
            self._handle(), self._policy(rules, DeadlineRules, "rules"))

    def set_classify_policy(self, policy):
        """Replaces the classifier policy; as :meth:`set_urgency_policy`."""
        _ll.triage_engine_set_classify_policy(
            self._handle(), self._policy(policy, ClassifyPolicy, "policy"))

    def urgency_policy(self):
        """A copy of the urgency policy in use."""
        obj = UrgencyPolicy.__new__(UrgencyPolicy)
        obj._h = _ll.triage_engine_urgency_policy(self._handle())
        return obj

    def deadline_rules(self):
        """A copy of the deadline rules in use."""
        obj = DeadlineRules.__new__(DeadlineRules)
        obj._h = _ll.triage_engine_deadline_rules(self._handle())
        return obj

    def classify_policy(self):
        """A copy of the classifier policy in use."""
        obj = ClassifyPolicy.__new__(ClassifyPolicy)
        obj._h = _ll.triage_engine_classify_policy(self._handle())
        return obj

    # -- clients

    def add_client(self, *, date_of_birth=None, language=Language.FI, municipality=0):
        """Creates a client; returns its id. ``language``: "fi", "sv", "other"
        or :class:`Language`; ``municipality``: code 1-9999, 0 unknown."""
        h = self._handle()
        rec = (None, _date_in(date_of_birth, "date_of_birth"),
               _enum(Language, language, "language"), _int(municipality, "municipality"))
        return uuid.UUID(bytes=_ll.triage_client_create(h, rec))

    def client(self, id):
        """The :class:`Client` with ``id`` (NotFound if none)."""
        h = self._handle()
        return Client._from(_ll.triage_client_get(h, _id(id, "id")))

    _CLIENT_FIELDS = ("date_of_birth", "language", "municipality")

    def update_client(self, id, **fields):
        """Changes ``date_of_birth``, ``language`` and/or ``municipality``.
        (Reads the record first, so the audit callback sees a READ too.)"""
        h = self._handle()
        for k in fields:
            if k not in self._CLIENT_FIELDS:
                raise TypeError(f"update_client() cannot change {k!r}")
        raw = _id(id, "id")
        cur = _ll.triage_client_get(h, raw)
        dob = _date_in(fields["date_of_birth"], "date_of_birth") \
            if "date_of_birth" in fields else cur["date_of_birth"]
        lang = _enum(Language, fields["language"], "language") \
            if "language" in fields else cur["language"]
        muni = _int(fields["municipality"], "municipality") \
            if "municipality" in fields else cur["municipality"]
        _ll.triage_client_update(h, (raw, dob, lang, muni))

    def clients(self):
        """An iterator over the client ids in creation order."""
        return iter([uuid.UUID(bytes=b) for b in _ll.triage_client_list(self._handle())])

    # -- workers

    def _worker_tuple(self, raw, role, fte, languages, office, team, active, served):
        if isinstance(fte, bool) or not isinstance(fte, (int, float)):
            raise TypeError("fte must be a number")
        if isinstance(languages, str):
            languages = (languages,)
        bits = 0
        for lang in languages:
            if isinstance(lang, str) and lang.lower() in _WORKER_LANG_BITS:
                bits |= _WORKER_LANG_BITS[lang.lower()]
            else:
                raise _bad("languages", f"unknown worker language {lang!r} (fi, sv, en)")
        served = tuple(_int(m, "served") for m in served)
        return (raw, _enum(Role, role, "role"), float(fte), bits, _int(office, "office"),
                _int(team, "team"), _bool(active, "active"), served)

    def add_worker(self, *, role=Role.SOCIAL_COUNSELLOR, fte=1.0, languages=("fi",), office=0,
                   team=0, active=True, served=()):
        """Creates a worker; returns its id. ``role``: :class:`triage.Role` or
        its name; ``languages``: names from "fi", "sv", "en"; ``served``: the
        municipality codes the worker serves (any number)."""
        h = self._handle()
        rec = self._worker_tuple(None, role, fte, languages, office, team, active, served)
        return uuid.UUID(bytes=_ll.triage_worker_create(h, rec))

    def worker(self, id):
        """The :class:`Worker` with ``id`` (NotFound if none)."""
        return Worker._from(_ll.triage_worker_get(self._handle(), _id(id, "id")))

    _WORKER_FIELDS = ("role", "fte", "languages", "office", "team", "active", "served")

    def update_worker(self, id, **fields):
        """Changes any of ``role``, ``fte``, ``languages``, ``office``,
        ``team``, ``active``, ``served``."""
        h = self._handle()
        for k in fields:
            if k not in self._WORKER_FIELDS:
                raise TypeError(f"update_worker() cannot change {k!r}")
        raw = _id(id, "id")
        cur = Worker._from(_ll.triage_worker_get(h, raw))
        args = {k: getattr(cur, k) for k in self._WORKER_FIELDS}
        args.update(fields)
        _ll.triage_worker_update(h, self._worker_tuple(raw, **args))

    def workers(self):
        """An iterator over the worker ids in creation order."""
        return iter([uuid.UUID(bytes=b) for b in _ll.triage_worker_list(self._handle())])

    # -- intake

    def intake(self, client, *, kind=IntakeKind.NOTIFICATION, received=None,
               channel=Channel.PHONE, triggers=(), own_contact=False,
               service=ServiceArea.WORKING_AGE, highest_care_allowance=False,
               child_special_support=False, assistance_urgent=False,
               assistance_complete=False, meeting_requested=None, actor=None, children=0,
               urgency_assessed=True):
        """Records a new matter for ``client``: assesses urgency, computes the
        deadlines and opens a case in RECEIVED, or attaches the matter to the
        client's active case with a responsible worker. ``received``: a
        datetime (naive = UTC) or epoch ms; None is now (the engine's clock).
        ``triggers``: trigger names or :class:`triage.Trigger` values.
        ``children``: the children the matter concerns (family services).
        ``urgency_assessed`` False: the urgency is still to be assessed
        (:meth:`assess_urgency`), so D1 stays open until then.
        Returns an :class:`IntakeResult`."""
        h = self._handle()
        if isinstance(triggers, (str, bytes)):
            raise TypeError("triggers is a list of names, not a single string")
        bits = 0
        for t in triggers:
            try:
                bits |= 1 << int(_trigger(t))
            except InvalidArgument as exc:
                raise _bad("triggers", exc.message) from None
        received_ms = self._at(received, "received")
        rec = (_id(client, "client"), _enum(IntakeKind, kind, "kind"),
               _enum(Channel, channel, "channel"), _enum(ServiceArea, service, "service"),
               received_ms, bits, _bool(own_contact, "own_contact"),
               _bool(highest_care_allowance, "highest_care_allowance"),
               _bool(child_special_support, "child_special_support"),
               _bool(assistance_urgent, "assistance_urgent"),
               _bool(assistance_complete, "assistance_complete"),
               _date_in(meeting_requested, "meeting_requested"), _id(actor, "actor", True),
               _int(children, "children"), _bool(urgency_assessed, "urgency_assessed"))
        case, attached, emergency, flagged, urg, intake = _ll.triage_intake(h, rec)
        tier, fired, deciding, days, pver, pid = urg
        assessment = UrgencyResult(Urgency(tier), _names(fired), _names(deciding), days, pid, pver)
        return IntakeResult(case=_uuid(case), attached=bool(attached),
                            emergency_services=bool(emergency), repeat_flagged=bool(flagged),
                            urgency=assessment.tier, fired=assessment.fired,
                            deciding=assessment.deciding, assessment=assessment,
                            received=_dt_out(received_ms), intake=_uuid(intake))

    def intake_record(self, id):
        """The :class:`IntakeRecord` with ``id`` (NotFound if none)."""
        return IntakeRecord._from(_ll.triage_intake_get(self._handle(), _id(id, "id")))

    def case_intakes(self, case):
        """The ids of a case's intakes in arrival order (the opening one first)."""
        return [uuid.UUID(bytes=b)
                for b in _ll.triage_case_intakes(self._handle(), _id(case, "case_id"))]

    def assess_urgency(self, intake, triggers=(), *, at=None, actor=None):
        """Assesses the urgency of an intake that arrived with its urgency
        still to be assessed (or reassesses one): the tier from ``triggers``,
        and D1 met on the day of ``at``."""
        h = self._handle()
        if isinstance(triggers, (str, bytes)):
            raise TypeError("triggers is a list of names, not a single string")
        bits = 0
        for t in triggers:
            try:
                bits |= 1 << int(_trigger(t))
            except InvalidArgument as exc:
                raise _bad("triggers", exc.message) from None
        _ll.triage_case_assess_urgency(h, _intake_id(intake, "intake"), _id(actor, "actor", True),
                                       self._at(at), bits)

    # -- cases

    def case(self, id):
        """The :class:`Case` with ``id`` (NotFound if none)."""
        return Case._from(_ll.triage_case_get(self._handle(), _id(id, "id")))

    def cases(self, *, client=None, worker=None, stage=None, open_only=False):
        """An iterator over case ids in creation order, filtered by client,
        worker (responsible, assessment or pair), stage and/or open cases."""
        h = self._handle()
        flt = (_id(client, "client", True), _id(worker, "worker", True),
               0 if stage is None else _enum(Stage, stage, "filter.stage"),
               _bool(open_only, "open_only"))
        return iter([uuid.UUID(bytes=b) for b in _ll.triage_case_list(h, flt)])

    def move(self, case, to, *, at=None, actor=None, reason=None, plan_unnecessary=False,
             responsible_unnecessary=False):
        """Moves a case to stage ``to``. Only the transitions of docs/domain.md §3
        are allowed; a refused one raises :class:`triage.StateError` whose
        ``argument`` names the rule, and changes nothing. Closing needs a
        ``reason`` (:class:`ClosingReason` or its name)."""
        h = self._handle()
        mv = (_enum(Stage, to, "to"), self._at(at), _id(actor, "actor", True),
              0 if reason is None else _enum(ClosingReason, reason, "reason"),
              _bool(plan_unnecessary, "plan_unnecessary"),
              _bool(responsible_unnecessary, "responsible_unnecessary"))
        _ll.triage_case_move(h, _id(case, "case_id"), mv)

    def contact_attempt(self, case, reached, *, at=None, actor=None):
        """Records a contact attempt in guidance or initial assessment
        (``reached`` True or False), or a booked meeting the client did not
        attend (``reached="no_show"``, any open stage past intake)."""
        h = self._handle()
        outcome = (_ll.TRIAGE_CONTACT_NO_SHOW if reached == "no_show"
                   else _bool(reached, "reached"))
        _ll.triage_case_contact_attempt(h, _id(case, "case_id"), _id(actor, "actor", True),
                                        self._at(at), outcome)

    def motivation(self, case, motivation, *, urgent_risk=False, at=None, actor=None):
        """Records the motivation check in guidance. Returns True when closing
        as DECLINED is now open (unwilling and no urgent risk, SHL 35 § 2)."""
        h = self._handle()
        offer = _ll.triage_case_motivation(
            h, _id(case, "case_id"), _id(actor, "actor", True), self._at(at),
            _enum(Motivation, motivation, "motivation"), _bool(urgent_risk, "urgent_risk"))
        return bool(offer)

    def classify_case(self, case, *, need=None, capacity=None, age_related=False, at=None,
                      actor=None):
        """Classifies a case (scores as for :func:`triage.classify`) and stores
        the result. Returns a :class:`CaseClassification`
        ``(classification, role_change)``."""
        h = self._handle()
        vec = score_vector(need, capacity, age_related)
        raw, change = _ll.triage_case_classify(h, _id(case, "case_id"),
                                               _id(actor, "actor", True), self._at(at), vec)
        return CaseClassification(Classification(raw), _to_enum(RoleChange, change))

    def decide_special_support(self, case, social_worker, special_support, *, reason_code=0,
                               at=None):
        """A social worker confirms or overrides the special-support
        recommendation; an override needs a nonzero ``reason_code``."""
        h = self._handle()
        _ll.triage_case_decide_special_support(
            h, _id(case, "case_id"), _id(social_worker, "social_worker"), self._at(at),
            _bool(special_support, "special_support"), _int(reason_code, "reason_code"))

    def set_worker(self, case, slot, worker, *, at=None, actor=None):
        """Puts ``worker`` in ``slot`` (:class:`Slot` or its name) of a case;
        ``worker`` None removes. An unlawful arrangement raises StateError."""
        h = self._handle()
        _ll.triage_case_set_worker(h, _id(case, "case_id"), _id(actor, "actor", True),
                                   self._at(at), _enum(Slot, slot, "slot"),
                                   _id(worker, "worker", True))

    def record_assessment(self, case, nature, *, responsible_needed=True, at=None, actor=None):
        """Records that the SHL 37 § assessment record is complete (in
        ASSESSMENT). The summary, the conclusion and the client's own view are
        recorded as present: their content lives in the case-management
        system. ``nature``: :class:`NeedNature` or its name."""
        h = self._handle()
        rec = (1, 1, 1, _bool(responsible_needed, "responsible_needed"),
               _enum(NeedNature, nature, "nature"))
        _ll.triage_case_record_assessment(h, _id(case, "case_id"), _id(actor, "actor", True),
                                          self._at(at), rec)

    def milestone(self, case, milestone, *, at=None, actor=None):
        """Records that a milestone was reached (a decision made or carried
        out, a meeting held, completion requested)."""
        h = self._handle()
        _ll.triage_case_milestone(h, _id(case, "case_id"), _id(actor, "actor", True),
                                  self._at(at), _enum(Milestone, milestone, "milestone"))

    # -- deadlines that arise after intake (docs/domain.md §5.3)

    def service_decision(self, case, *, intake=None, urgent=False, at=None, actor=None):
        """Records a service decision (SHL 45 §). A non-urgent one adds D9:
        the decision carried out within 3 months of the intake of the matter
        it decides (``intake``; None: the case's opening intake)."""
        h = self._handle()
        _ll.triage_case_service_decision(h, _id(case, "case_id"), _id(actor, "actor", True),
                                         self._at(at), _intake_id(intake, "intake", True),
                                         _bool(urgent, "urgent"))

    def request_completion(self, intake, *, period_end=None, at=None, actor=None):
        """Records the request to complete an incomplete application (TTL
        14 c §): meets its D12; with ``period_end`` (the completion period's
        last day) adds D12b, the decision by the 7th business day after it."""
        h = self._handle()
        _ll.triage_case_request_completion(h, _intake_id(intake, "intake"),
                                           _id(actor, "actor", True), self._at(at),
                                           _date_in(period_end, "period_end"))

    def application_completed(self, intake, *, at=None, actor=None):
        """Records that an incomplete application was completed (TTL 14 c §):
        D12b counted from the completion date replaces one counted from the
        completion period's end."""
        h = self._handle()
        _ll.triage_case_application_completed(h, _intake_id(intake, "intake"),
                                              _id(actor, "actor", True), self._at(at))

    def request_meeting(self, case, *, intake=None, at=None, actor=None):
        """Records that the client asked to meet a worker (TTL 14 e §): adds
        D13, the meeting by the 7th business day after the request.
        ``intake``: the matter (None: the latest intake by then)."""
        h = self._handle()
        _ll.triage_case_request_meeting(h, _id(case, "case_id"), _id(actor, "actor", True),
                                        self._at(at), _intake_id(intake, "intake", True))

    def review_plan(self, case, *, at=None, actor=None):
        """Records a review of the client plan (SHL 39 §) in casework: meets
        the open review deadline and adds the next (policy default 12
        months later)."""
        h = self._handle()
        _ll.triage_case_review_plan(h, _id(case, "case_id"), _id(actor, "actor", True),
                                    self._at(at))

    def case_deadlines(self, case, today, *, due_soon_days=3):
        """Every deadline of a case with its state on ``today``: a
        :class:`CaseDeadlines` list whose ``next`` is the open one due first."""
        h = self._handle()
        rows, nxt = _ll.triage_case_deadlines(h, _id(case, "case_id"), _date_in(today, "today"),
                                              _int(due_soon_days, "due_soon_days"))
        out = CaseDeadlines(
            CaseDeadline(deadline=Deadline(r, b, m, _date_out(due)),
                         state=_to_enum(DeadlineState, state), overdue=overdue,
                         met=_date_out(met), id=_uuid(rid), intake=_uuid(intake),
                         start=_date_out(start),
                         met_on_arrival=bool(flags & _ll.TRIAGE_DEADLINE_MET_ON_ARRIVAL),
                         superseded=bool(flags & _ll.TRIAGE_DEADLINE_SUPERSEDED))
            for r, b, m, due, state, overdue, met, rid, intake, start, flags in rows)
        out.next_index = nxt
        return out

    # -- events

    def events(self, case=None, *, start=None, end=None):
        """An iterator over the audit events in order: of one case, or all
        (client and worker events included) when ``case`` is None; ``start``
        and ``end`` (datetimes or epoch ms) bound the time, inclusive."""
        lo = _INT64[0] if start is None else _ms_strict(start, "start")
        hi = _INT64[1] if end is None else _ms_strict(end, "end")
        raw = _id(case, "case_id", True)
        # The first page is read now, so bad arguments raise at the call.
        first = _ll.triage_py_events(self._handle(), raw, lo, hi, 0, 1024)
        return self._event_pages(raw, lo, hi, first)

    def _event_pages(self, raw, lo, hi, page):
        while page:
            yield from (Event._from(t) for t in page)
            if len(page) < 1024:
                return
            page = _ll.triage_py_events(self._handle(), raw, lo, hi, page[-1][0], 1024)

    # -- reports

    def report(self, start, end):
        """The period report of docs/domain.md §9 (docs/reports.md) for the
        half-open period [``start``, ``end``): datetimes (naive = UTC), epoch
        ms, or dates (Finnish local midnight starting that day, so
        ``report(date(2026, 11, 23), date(2026, 12, 7))`` covers 23 Nov to
        6 Dec). Returns a :class:`triage.Report`."""
        from ._report import Report
        return Report._compute(self._handle(), start, end, _ms_strict)

    # -- tables (docs/python.md, "Tables")

    def _table(self, name, start, end, as_of=None):
        from . import _tables
        meta = _tables.engine_meta(self)
        return _tables.read(name, _ll.triage_py_table, self._handle(), start, end, as_of, meta)

    def cases_table(self, start=None, end=None):
        """Every case as a :class:`triage.RecordTable` row (docs/python.md,
        "Tables"); ``start``/``end`` (dates or ISO text) keep the cases
        received in [start, end)."""
        return self._table("cases", start, end)

    def events_table(self, start=None, end=None):
        """Every audit event as a table row; ``start``/``end`` keep those of
        the local days [start, end)."""
        return self._table("events", start, end)

    def deadlines_table(self, start=None, end=None, *, as_of=None):
        """Every deadline row of every case with its state on ``as_of``
        (None: the day of the latest event); ``start``/``end`` keep the rows
        due in [start, end)."""
        return self._table("deadlines", start, end, as_of)

    def assignments_table(self, start=None, end=None):
        """Every worker assignment (WORKER_ASSIGNED event) as a table row;
        ``start``/``end`` keep those of the local days [start, end)."""
        return self._table("assignments", start, end)


def _audit_adapter(fn):
    def audit(action, obj, raw):
        fn(_to_enum(AuditAction, action), _to_enum(AuditObject, obj), _uuid(raw))
    return audit


def _clock_adapter(fn):
    def clock():
        return _ms_strict(fn(), "clock")
    return clock
