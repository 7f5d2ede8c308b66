"""Hands the C fast paths (bindings/python/fast.i) the package's classes,
enum members and lookup tables, once, at import."""

from collections.abc import Mapping

from . import _triage as _c
from ._classify import CAPACITY_KEYS, NEED_KEYS, Classification, ClassifyPolicy, Quadrant, Role
from ._dates import Date, to_days
from ._deadline import Deadline
from ._errors import from_code
from ._urgency import TRIGGERS, Trigger, Urgency, UrgencyPolicy, UrgencyResult, _tier, _trigger


def _by_value(enum):
    """A tuple whose item v is the member of value v (None where there is none)."""
    members = {int(m): m for m in enum}
    return tuple(members.get(v) for v in range(max(members) + 1))


_c.fast_setup(
    classification=(Classification, Classification.__slots__),
    urgency_result=(UrgencyResult, UrgencyResult.__slots__),
    deadline=(Deadline, Deadline.__slots__),
    quadrants=_by_value(Quadrant), roles=_by_value(Role), tiers=_by_value(Urgency),
    need_index={k: i for i, k in enumerate(NEED_KEYS)},
    capacity_index={k: i for i, k in enumerate(CAPACITY_KEYS)},
    trigger_index={t.label: int(t) for t in Trigger}, trigger_names=TRIGGERS,
    classify_policy=ClassifyPolicy, urgency_policy=UrgencyPolicy, date_class=Date,
    mapping=Mapping, to_trigger=_trigger, to_tier=_tier, to_days=to_days,
    from_code=from_code,
)
