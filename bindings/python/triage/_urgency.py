"""Urgency tiers and intake triggers (docs/domain.md §5.1-5.2).

>>> r = assess_urgency(triggers=["no_food_or_medicine", "no_shelter_tonight"])
>>> r.tier, r.deciding
(<Urgency.IMMEDIATE: 1>, ['no_shelter_tonight'])
"""

import enum

from . import _lowlevel as _ll
from . import _triage as _c
from ._errors import InvalidArgument

__all__ = ["Urgency", "Trigger", "TRIGGERS", "UrgencyPolicy", "UrgencyResult", "assess_urgency"]


class Urgency(enum.IntEnum):
    """Urgency tiers, most urgent first (values match ``triage_urgency_t``)."""

    IMMEDIATE = _ll.TRIAGE_URGENCY_IMMEDIATE
    URGENT = _ll.TRIAGE_URGENCY_URGENT
    PRIORITY = _ll.TRIAGE_URGENCY_PRIORITY
    NORMAL = _ll.TRIAGE_URGENCY_NORMAL


class Trigger(enum.IntEnum):
    """The named intake triggers (values match ``triage_trigger_t``)."""

    LIFE_OR_HEALTH_THREAT = _ll.TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT
    NO_SHELTER_TONIGHT = _ll.TRIAGE_TRIGGER_NO_SHELTER_TONIGHT
    DEPENDANT_WITHOUT_CARE = _ll.TRIAGE_TRIGGER_DEPENDANT_WITHOUT_CARE
    UNABLE_TO_SELF_CARE = _ll.TRIAGE_TRIGGER_UNABLE_TO_SELF_CARE
    ACUTE_CRISIS = _ll.TRIAGE_TRIGGER_ACUTE_CRISIS
    NO_FOOD_OR_MEDICINE = _ll.TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE
    URGENT_ASSISTANCE_APPLICATION = _ll.TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION
    EVICTION_OR_CUTOFF = _ll.TRIAGE_TRIGGER_EVICTION_OR_CUTOFF
    DISCHARGE_WITHOUT_HOUSING = _ll.TRIAGE_TRIGGER_DISCHARGE_WITHOUT_HOUSING
    POLICE_OR_EMERGENCY_NOTIFICATION = _ll.TRIAGE_TRIGGER_POLICE_OR_EMERGENCY_NOTIFICATION

    @property
    def label(self):
        """The C library's lower-case name, e.g. ``"no_shelter_tonight"``."""
        return _ll.triage_trigger_name(int(self))


#: Every trigger name, in value order.
TRIGGERS = tuple(_ll.triage_trigger_name(i) for i in range(_ll.TRIAGE_TRIGGER_COUNT))


def _trigger(value):
    """A Trigger from a name (looked up by the C library) or a Trigger/int."""
    if isinstance(value, str):
        return Trigger(_ll.triage_trigger_from_name(value))
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a trigger is a name or a triage.Trigger, got {type(value).__name__}")
    try:
        return Trigger(value)
    except ValueError:
        raise InvalidArgument(-1, "unknown trigger", "trigger") from None


def _tier(value, what="tier"):
    """An Urgency from an Urgency/int or a name ("URGENT", case-insensitive)."""
    if isinstance(value, UrgencyResult):
        return value.tier
    if isinstance(value, str):
        try:
            return Urgency[value.upper()]
        except KeyError:
            raise InvalidArgument(-1, "unknown urgency tier", what) from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} is a triage.Urgency, got {type(value).__name__}")
    return value  # the C library checks the range


def _names(bits):
    return [_ll.triage_trigger_name(i) for i in range(_ll.TRIAGE_TRIGGER_COUNT) if bits >> i & 1]


class UrgencyPolicy:
    """An urgency policy: which tier each trigger sets and each tier's
    response time in business days. A new policy is the default
    "fi-default" version 1 (docs/domain.md §5.2).

    >>> p = UrgencyPolicy()
    >>> p.set_tier("no_food_or_medicine", Urgency.IMMEDIATE)
    >>> p.set_response_days(Urgency.URGENT, 2)
    """

    __slots__ = ("_h",)

    def __init__(self):
        self._h = _ll.triage_urgency_policy_new()

    def copy(self):
        """An independent copy."""
        obj = UrgencyPolicy.__new__(UrgencyPolicy)
        obj._h = _ll.triage_urgency_policy_copy(self._h)
        return obj

    __copy__ = copy

    def __deepcopy__(self, memo):
        return self.copy()

    def set_tier(self, trigger, tier):
        """Moves ``trigger`` (a name or Trigger) to ``tier``."""
        _ll.triage_urgency_policy_set_tier(self._h, int(_trigger(trigger)), int(_tier(tier)))

    def set_response_days(self, tier, days):
        """Sets ``tier``'s response time, 0-365 business days (0 = the intake day)."""
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError("days must be an int")
        if not -(2 ** 31) <= days < 2 ** 31:
            raise InvalidArgument(-1, "a response time is 0-365 business days", "days")
        _ll.triage_urgency_policy_set_response_days(self._h, int(_tier(tier)), days)

    def response_days(self, tier):
        """``tier``'s response time in business days."""
        return _ll.triage_urgency_policy_response_days(self._h, int(_tier(tier)))

    def set_id(self, policy_id, version):
        """Names the policy: 1-31 printable ASCII characters, version >= 1."""
        if not isinstance(policy_id, str):
            raise TypeError("a policy id is a str")
        if isinstance(version, bool) or not isinstance(version, int):
            raise TypeError("a policy version is an int")
        if not 0 <= version < 2 ** 32:
            raise InvalidArgument(-1, "a policy version is at least 1", "version")
        _ll.triage_urgency_policy_set_id(self._h, policy_id, version)

    @property
    def id(self):
        return _ll.triage_urgency_policy_id(self._h)[0]

    @property
    def version(self):
        return _ll.triage_urgency_policy_id(self._h)[1]

    def assess(self, triggers=(), statutory_floor=None):
        """Same as :func:`assess_urgency` with this policy."""
        return assess_urgency(triggers, policy=self, statutory_floor=statutory_floor)

    def __repr__(self):
        return f"<triage.UrgencyPolicy {self.id!r} v{self.version}>"


class UrgencyResult:
    """The outcome of an urgency assessment.

    ``tier`` (Urgency), ``fired`` (every trigger given, names in value order),
    ``deciding`` (the fired triggers whose tier is the result's),
    ``response_days``, ``policy_id`` and ``policy_version``.
    """

    __slots__ = ("tier", "fired", "deciding", "response_days", "policy_id", "policy_version")

    def __init__(self, tier, fired, deciding, response_days, policy_id, policy_version):
        self.tier = tier
        self.fired = fired
        self.deciding = deciding
        self.response_days = response_days
        self.policy_id = policy_id
        self.policy_version = policy_version

    def __eq__(self, other):
        if not isinstance(other, UrgencyResult):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __repr__(self):
        return (f"<triage.UrgencyResult {self.tier.name} fired={self.fired} "
                f"deciding={self.deciding} policy={self.policy_id!r} v{self.policy_version}>")


#: Assesses urgency from the triggers observed at intake.
#:
#: ``triggers``: an iterable of trigger names ("no_shelter_tonight") or
#: :class:`Trigger` values; an unknown name raises
#: :class:`triage.InvalidArgument`. ``policy``: an :class:`UrgencyPolicy`,
#: or None for the default. ``statutory_floor``: ``Urgency.PRIORITY`` when a
#: statutory 7-business-day start applies (see
#: :func:`triage.priority_applies`); it only ever makes the result more urgent.
#: Implemented in C (bindings/python/fast.i).
assess_urgency = _c.assess_urgency
