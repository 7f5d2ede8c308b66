"""The four-quadrant support-need classifier (docs/domain.md §6, docs/classifier.md).

>>> c = classify(need={"housing": 3}, capacity={"psychiatric": 2})
>>> c.quadrant, c.special_support, c.required_role
(<Quadrant.SPECIAL_SUPPORT: 4>, True, <Role.SOCIAL_WORKER: 3>)

Scores are 0-3 per indicator; the C library validates them and its message
is carried by :class:`triage.InvalidArgument`.
"""

import enum
import operator
import struct
from collections.abc import Mapping

from . import _lowlevel as _ll
from . import _triage as _c
from ._errors import InvalidArgument

__all__ = [
    "Quadrant", "Role", "SpecialSupportResponsible", "NEED_KEYS", "CAPACITY_KEYS",
    "ClassifyPolicy", "Classification", "BatchResult", "classify", "classify_batch",
    "score_vector", "arrangement_lawful",
]

#: Need areas in vector order (the C names; a stable contract).
NEED_KEYS = (
    "livelihood", "housing", "health", "mental_health", "substance_use",
    "violence", "relationships", "activity", "life_skills", "dependants",
)
#: Capacity barriers in vector order; the first three are the SHL 3 § causes.
CAPACITY_KEYS = (
    "cognitive", "psychiatric", "substance", "no_network", "language", "digital",
    "repeat_notifications", "missed_appointments",
)
_NEED_INDEX = {k: i for i, k in enumerate(NEED_KEYS)}
_CAPACITY_INDEX = {k: i for i, k in enumerate(CAPACITY_KEYS)}
_VECTOR_SIZE = len(NEED_KEYS) + len(CAPACITY_KEYS) + 1  # 19
_RECORD = struct.Struct("=8BHHI")  # triage_classification_t, 16 bytes
_EINVAL = -1


class Quadrant(enum.IntEnum):
    """The four fields (triage_quadrant_t)."""

    GUIDANCE_ONLY = 1
    SOCIAL_GUIDANCE_WORK = 2
    SUPPORTED_GUIDANCE = 3
    SPECIAL_SUPPORT = 4


class Role(enum.IntEnum):
    """Worker roles, least qualified first (triage_role_t)."""

    SERVICE_GUIDE = 1
    SOCIAL_COUNSELLOR = 2
    SOCIAL_WORKER = 3


class SpecialSupportResponsible(enum.IntEnum):
    """Who may be a special-support client's responsible worker (SHL 42 § 2)."""

    SOCIAL_WORKER_ONLY = 1
    SOCIAL_WORKER_OR_PAIR = 2


_THRESHOLDS = {
    "need_severe": _ll.TRIAGE_THRESHOLD_NEED_SEVERE,
    "need_significant": _ll.TRIAGE_THRESHOLD_NEED_SIGNIFICANT,
    "need_areas": _ll.TRIAGE_THRESHOLD_NEED_AREAS,
    "cause": _ll.TRIAGE_THRESHOLD_CAUSE,
    "capacity_sum": _ll.TRIAGE_THRESHOLD_CAPACITY_SUM,
}


def _threshold_property(name):
    which = _THRESHOLDS[name]

    def get(self):
        return _ll.triage_classify_policy_threshold(self._h, which)

    def set(self, value):
        _ll.triage_classify_policy_set_threshold(self._h, which, operator.index(value))

    return property(get, set, doc=f"The {name} threshold (see docs/classifier.md).")


class ClassifyPolicy:
    """Classifier thresholds and the special-support switch.

    A new policy is the default ("fi-default", version 1). Keyword arguments
    set thresholds (``need_severe``, ``need_significant``, ``need_areas``,
    ``cause``, ``capacity_sum``) and ``special_support_responsible``. An
    invalid value raises :class:`triage.InvalidArgument` and changes nothing.
    """

    __slots__ = ("_h",)

    def __init__(self, *, special_support_responsible=None, **thresholds):
        self._h = _ll.triage_classify_policy_new(None)
        for name, value in thresholds.items():
            if name not in _THRESHOLDS:
                raise TypeError(f"unknown threshold {name!r}")
            setattr(self, name, value)
        if special_support_responsible is not None:
            self.special_support_responsible = special_support_responsible

    need_severe = _threshold_property("need_severe")
    need_significant = _threshold_property("need_significant")
    need_areas = _threshold_property("need_areas")
    cause = _threshold_property("cause")
    capacity_sum = _threshold_property("capacity_sum")

    @property
    def special_support_responsible(self):
        return SpecialSupportResponsible(
            _ll.triage_classify_policy_special_support_responsible(self._h))

    @special_support_responsible.setter
    def special_support_responsible(self, value):
        _ll.triage_classify_policy_set_special_support_responsible(
            self._h, operator.index(value))

    @property
    def id(self):
        return _ll.triage_classify_policy_id(self._h)[0]

    @property
    def version(self):
        return _ll.triage_classify_policy_id(self._h)[1]

    def set_id(self, id, version):
        """Names the policy: 1-31 printable ASCII characters, version >= 1."""
        if not isinstance(id, str):
            raise TypeError("a policy id is a str")
        _ll.triage_classify_policy_set_id(self._h, id, operator.index(version))

    def copy(self):
        """An independent copy."""
        new = object.__new__(ClassifyPolicy)
        new._h = _ll.triage_classify_policy_copy(self._h)
        return new

    def __repr__(self):
        parts = ", ".join(f"{n}={getattr(self, n)}" for n in _THRESHOLDS)
        return (f"ClassifyPolicy(id={self.id!r}, version={self.version}, {parts}, "
                f"special_support_responsible={self.special_support_responsible.name})")


def _handle(policy):
    if policy is None:
        return None
    if not isinstance(policy, ClassifyPolicy):
        raise TypeError("policy must be a triage.ClassifyPolicy or None")
    return policy._h


def _byte(value):
    """A score as a byte; values that do not fit become 255 so C names them."""
    v = operator.index(value)
    return v if 0 <= v <= 255 else 255


def score_vector(need=None, capacity=None, age_related=False):
    """Packs scores into the 19-byte vector the C library reads.

    ``need`` and ``capacity`` map key names (:data:`NEED_KEYS`,
    :data:`CAPACITY_KEYS`) to scores; missing keys are 0. Unknown keys raise
    :class:`triage.InvalidArgument`; score ranges are checked by the C
    library when the vector is classified.
    """
    vec = bytearray(_VECTOR_SIZE)
    for axis, values, index, offset in (("need", need, _NEED_INDEX, 0),
                                        ("capacity", capacity, _CAPACITY_INDEX, len(NEED_KEYS))):
        if values is None:
            continue
        if not isinstance(values, Mapping):
            raise TypeError(f"{axis} must be a mapping of indicator names to scores")
        for key, value in values.items():
            i = index.get(key)
            if i is None:
                raise InvalidArgument(_EINVAL, f"unknown {axis} indicator", f"{axis}.{key}")
            vec[offset + i] = _byte(value)
    vec[_VECTOR_SIZE - 1] = _byte(age_related)
    return bytes(vec)


class Classification:
    """One classification (triage_classification_t), immutable.

    ``rationale`` lists the indicators that decided each axis:
    ``{"need": [...], "capacity": [...]}``; an axis that came out low need /
    good capacity has an empty list.
    """

    __slots__ = ("raw", "quadrant", "special_support", "required_role", "preferred_role",
                 "high_need", "weak_capacity", "need_score", "capacity_score",
                 "need_rationale", "capacity_rationale", "policy_version")

    def __init__(self, raw):
        raw = bytes(raw)
        (q, special, req, pref, high, weak, need_score, cap_score,
         need_bits, cap_bits, version) = _RECORD.unpack(raw)
        set_ = object.__setattr__
        set_(self, "raw", raw)
        set_(self, "quadrant", Quadrant(q))
        set_(self, "special_support", bool(special))
        set_(self, "required_role", Role(req))
        set_(self, "preferred_role", Role(pref))
        set_(self, "high_need", bool(high))
        set_(self, "weak_capacity", bool(weak))
        set_(self, "need_score", need_score)
        set_(self, "capacity_score", cap_score)
        set_(self, "need_rationale", need_bits)
        set_(self, "capacity_rationale", cap_bits)
        set_(self, "policy_version", version)

    def __setattr__(self, name, value):
        raise AttributeError("a Classification is immutable")

    @property
    def rationale(self):
        return {
            "need": [k for i, k in enumerate(NEED_KEYS) if self.need_rationale >> i & 1],
            "capacity": [k for i, k in enumerate(CAPACITY_KEYS)
                         if self.capacity_rationale >> i & 1],
        }

    def __eq__(self, other):
        if not isinstance(other, Classification):
            return NotImplemented
        return self.raw == other.raw

    def __hash__(self):
        return hash(self.raw)

    def __repr__(self):
        return (f"Classification(quadrant={self.quadrant.name}, "
                f"special_support={self.special_support}, "
                f"required_role={self.required_role.name}, "
                f"preferred_role={self.preferred_role.name}, need_score={self.need_score}, "
                f"capacity_score={self.capacity_score}, rationale={self.rationale})")


#: Classifies one client's scores; see :func:`score_vector` for the
#: arguments, ``policy`` is a :class:`ClassifyPolicy` or None for the default.
#: Implemented in C (bindings/python/fast.i): the scores are read, the library
#: called and the :class:`Classification` built without Python code in between.
classify = _c.classify


def arrangement_lawful(classification, responsible_role, pair_role=None, policy=None):
    """Is ``responsible_role`` (with an optional ``pair_role``) a lawful
    responsible-worker arrangement for ``classification`` under ``policy``?"""
    if not isinstance(classification, Classification):
        raise TypeError("classification must be a triage.Classification")
    pair = 0 if pair_role is None else operator.index(pair_role)
    return bool(_ll.triage_classify_arrangement_lawful(
        _handle(policy), classification.raw, operator.index(responsible_role), pair))


class BatchResult:
    """The classifications of a batch, kept as one bytes object of 16-byte records.

    Per-field columns are bytes objects with one byte per case (fast strided
    slices): ``quadrants``, ``special_support``, ``required_roles``,
    ``preferred_roles``, ``high_need``, ``weak_capacity``, ``need_scores``,
    ``capacity_scores``. Indexing or iterating gives :class:`Classification`
    objects; :meth:`to_numpy` gives a structured array.
    """

    __slots__ = ("raw",)

    def __init__(self, raw):
        self.raw = raw

    def __len__(self):
        return len(self.raw) // _RECORD.size

    def __getitem__(self, i):
        n = len(self)
        i = operator.index(i)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("batch index out of range")
        return _c.classification_from_raw(self.raw[i * 16:(i + 1) * 16])

    def __iter__(self):
        make = _c.classification_from_raw
        for i in range(len(self)):
            yield make(self.raw[i * 16:(i + 1) * 16])

    quadrants = property(lambda self: self.raw[0::16])
    special_support = property(lambda self: self.raw[1::16])
    required_roles = property(lambda self: self.raw[2::16])
    preferred_roles = property(lambda self: self.raw[3::16])
    high_need = property(lambda self: self.raw[4::16])
    weak_capacity = property(lambda self: self.raw[5::16])
    need_scores = property(lambda self: self.raw[6::16])
    capacity_scores = property(lambda self: self.raw[7::16])

    def to_numpy(self):
        """A numpy structured array over the records (needs numpy)."""
        import numpy as np
        dtype = np.dtype([
            ("quadrant", "u1"), ("special_support", "u1"), ("required_role", "u1"),
            ("preferred_role", "u1"), ("high_need", "u1"), ("weak_capacity", "u1"),
            ("need_score", "u1"), ("capacity_score", "u1"), ("need_rationale", "=u2"),
            ("capacity_rationale", "=u2"), ("policy_version", "=u4"),
        ])
        return np.frombuffer(self.raw, dtype=dtype)


def classify_batch(rows, policy=None):
    """Classifies many score vectors at once, without holding the GIL.

    ``rows`` is a bytes-like object of n * 19 bytes (vectors as
    :func:`score_vector` makes them) or a numpy ``uint8`` array of shape
    (n, 19). All or nothing: an invalid vector raises
    :class:`triage.InvalidArgument` naming ``scores[i].<indicator>``.
    Returns a :class:`BatchResult`.
    """
    if hasattr(rows, "dtype") and hasattr(rows, "shape"):  # numpy, without importing it
        if rows.dtype.kind != "u" or rows.dtype.itemsize != 1:
            raise TypeError("a score array must have dtype uint8")
        if len(rows.shape) != 2 or rows.shape[1] != _VECTOR_SIZE:
            raise ValueError("a score array must have shape (n, 19)")
        if not rows.flags.c_contiguous:
            rows = rows.copy(order="C")
    elif not isinstance(rows, (bytes, bytearray, memoryview)):
        raise TypeError("rows must be bytes, bytearray, memoryview or a numpy uint8 array")
    return BatchResult(_ll.triage_py_classify_batch(_handle(policy), rows))
