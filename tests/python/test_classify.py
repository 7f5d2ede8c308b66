"""The classifier's Python face (docs/domain.md §6; docs/classifier.md)."""

import gc
import random

import pytest

import triage
from triage import _lowlevel as _ll
from triage import Quadrant as Q, Role as R

NEED = ("livelihood housing health mental_health substance_use violence relationships "
        "activity life_skills dependants").split()
CAPACITY = ("cognitive psychiatric substance no_network language digital "
            "repeat_notifications missed_appointments").split()


def test_key_names_are_the_contract():
    assert triage.NEED_KEYS == tuple(NEED)
    assert triage.CAPACITY_KEYS == tuple(CAPACITY)
    # ... and the C library's names.
    assert [_ll.triage_need_area_name(i) for i in range(10)] == NEED
    assert [_ll.triage_capacity_barrier_name(i) for i in range(8)] == CAPACITY
    assert _ll.triage_need_area_name(10) is None


def test_enums():
    assert [(q.name, q.value) for q in triage.Quadrant] == [
        ("GUIDANCE_ONLY", 1), ("SOCIAL_GUIDANCE_WORK", 2), ("SUPPORTED_GUIDANCE", 3),
        ("SPECIAL_SUPPORT", 4)]
    assert [(r.name, r.value) for r in triage.Role] == [
        ("SERVICE_GUIDE", 1), ("SOCIAL_COUNSELLOR", 2), ("SOCIAL_WORKER", 3)]
    for name in ("classify", "classify_batch", "ClassifyPolicy", "Quadrant", "Role"):
        assert name in triage.__all__


# Vignettes under the default policy (docs/domain.md §6; SHL 3 § for special support):
# need, capacity, age_related -> quadrant, special, required, preferred, rationale.
VIGNETTES = [
    ({}, {}, False, Q.GUIDANCE_ONLY, False, R.SERVICE_GUIDE, R.SERVICE_GUIDE, [], []),
    ({"housing": 2, "health": 2}, {}, False,
     Q.GUIDANCE_ONLY, False, R.SERVICE_GUIDE, R.SERVICE_GUIDE, [], []),
    ({"housing": 2, "health": 2, "dependants": 2}, {}, False,
     Q.SOCIAL_GUIDANCE_WORK, False, R.SOCIAL_COUNSELLOR, R.SOCIAL_COUNSELLOR,
     ["housing", "health", "dependants"], []),
    ({"violence": 3, "housing": 2}, {"cognitive": 1}, False,
     Q.SOCIAL_GUIDANCE_WORK, False, R.SOCIAL_COUNSELLOR, R.SOCIAL_COUNSELLOR, ["violence"], []),
    ({}, {"psychiatric": 2}, False,
     Q.SUPPORTED_GUIDANCE, True, R.SOCIAL_WORKER, R.SOCIAL_WORKER, [], ["psychiatric"]),
    ({}, {"psychiatric": 2}, True,
     Q.SUPPORTED_GUIDANCE, False, R.SOCIAL_COUNSELLOR, R.SOCIAL_COUNSELLOR, [], ["psychiatric"]),
    ({}, {"language": 2, "digital": 1, "no_network": 1}, False,
     Q.SUPPORTED_GUIDANCE, False, R.SOCIAL_COUNSELLOR, R.SOCIAL_COUNSELLOR,
     [], ["no_network", "language", "digital"]),
    ({"substance_use": 3}, {"substance": 3}, False,
     Q.SPECIAL_SUPPORT, True, R.SOCIAL_WORKER, R.SOCIAL_WORKER, ["substance_use"], ["substance"]),
    ({"health": 3}, {"cognitive": 3}, True,
     Q.SPECIAL_SUPPORT, False, R.SOCIAL_COUNSELLOR, R.SOCIAL_WORKER, ["health"], ["cognitive"]),
]


@pytest.mark.parametrize("need,capacity,age,quadrant,special,required,preferred,why_n,why_c",
                         VIGNETTES)
def test_vignettes(need, capacity, age, quadrant, special, required, preferred, why_n, why_c):
    c = triage.classify(need=need, capacity=capacity, age_related=age)
    assert c.quadrant is quadrant
    assert c.special_support is special
    assert c.required_role is required
    assert c.preferred_role is preferred
    assert c.rationale == {"need": why_n, "capacity": why_c}
    assert c.need_score == sum(need.values())
    assert c.capacity_score == sum(capacity.values())
    assert c.high_need == (quadrant in (Q.SOCIAL_GUIDANCE_WORK, Q.SPECIAL_SUPPORT))
    assert c.weak_capacity == (quadrant >= Q.SUPPORTED_GUIDANCE)
    assert c.policy_version == 1


def test_unknown_keys():
    with pytest.raises(triage.InvalidArgument) as e:
        triage.classify(need={"housing": 1, "hosuing": 2})
    assert e.value.argument == "need.hosuing"
    with pytest.raises(triage.InvalidArgument) as e:
        triage.classify(capacity={"housing": 1})  # a need key on the capacity axis
    assert e.value.argument == "capacity.housing"
    with pytest.raises(TypeError):
        triage.classify(need=[1, 2, 3])


@pytest.mark.parametrize("axis,key,value", [
    ("need", "housing", 4), ("need", "dependants", -1), ("need", "livelihood", 256),
    ("capacity", "psychiatric", 4), ("capacity", "missed_appointments", 10**9),
])
def test_bad_scores_carry_the_c_message(axis, key, value):
    with pytest.raises(triage.InvalidArgument) as e:
        triage.classify(**{axis: {key: value}})
    assert e.value.argument == f"{axis}.{key}"
    assert e.value.message == f"{axis} score {key} must be 0-3"


def test_bad_age_related():
    with pytest.raises(triage.InvalidArgument) as e:
        triage.classify(age_related=2)
    assert e.value.argument == "age_related"
    with pytest.raises(TypeError):
        triage.classify(need={"housing": 1.5})


def test_policy():
    p = triage.ClassifyPolicy()
    assert (p.id, p.version) == ("fi-default", 1)
    assert (p.need_severe, p.need_significant, p.need_areas, p.cause, p.capacity_sum) == \
        (3, 2, 3, 2, 4)
    assert p.special_support_responsible is triage.SpecialSupportResponsible.SOCIAL_WORKER_ONLY
    two = {"housing": 2, "health": 2}
    assert triage.classify(need=two, policy=p).quadrant is Q.GUIDANCE_ONLY
    p.need_areas = 2
    c = triage.classify(need=two, policy=p)
    assert c.quadrant is Q.SOCIAL_GUIDANCE_WORK and c.rationale["need"] == ["housing", "health"]
    with pytest.raises(triage.InvalidArgument) as e:
        p.need_areas = 11
    assert e.value.argument == "need_areas"
    assert p.need_areas == 2
    with pytest.raises(triage.InvalidArgument):
        p.set_id("", 3)
    p.set_id("kunta-2026", 3)
    assert (p.id, p.version) == ("kunta-2026", 3)
    assert triage.classify(policy=p).policy_version == 3
    q = p.copy()
    p.capacity_sum = 10
    assert q.capacity_sum == 4
    with pytest.raises(TypeError):
        triage.ClassifyPolicy(nonsense=1)
    with pytest.raises(triage.InvalidArgument):
        triage.ClassifyPolicy(special_support_responsible=3)
    del p
    gc.collect()
    assert q.need_areas == 2


def test_arrangement_lawful_policy_switch():
    c = triage.classify(need={"housing": 3}, capacity={"psychiatric": 2})
    pair = triage.ClassifyPolicy(
        special_support_responsible=triage.SpecialSupportResponsible.SOCIAL_WORKER_OR_PAIR)
    assert triage.arrangement_lawful(c, R.SOCIAL_WORKER)
    assert not triage.arrangement_lawful(c, R.SOCIAL_COUNSELLOR, R.SOCIAL_WORKER)
    assert triage.arrangement_lawful(c, R.SOCIAL_COUNSELLOR, R.SOCIAL_WORKER, policy=pair)
    assert not triage.arrangement_lawful(c, R.SOCIAL_COUNSELLOR, policy=pair)
    q1 = triage.classify()
    assert triage.arrangement_lawful(q1, R.SERVICE_GUIDE)
    with pytest.raises(triage.InvalidArgument) as e:
        triage.arrangement_lawful(q1, 4)
    assert e.value.argument == "responsible_role"


def _random_rows(n, seed):
    rnd = random.Random(seed)
    rows = []
    for _ in range(n):
        density = rnd.randrange(8)
        need = {k: rnd.randint(1, 3) for k in NEED if rnd.randrange(8) < density}
        cap = {k: rnd.randint(1, 3) for k in CAPACITY if rnd.randrange(8) < density}
        rows.append((need, cap, rnd.random() < 0.5))
    return rows


@pytest.mark.parametrize("policy", [None, triage.ClassifyPolicy(need_areas=2, cause=3)])
def test_batch_equals_single(policy):
    rows = _random_rows(3000, 7)
    buf = b"".join(triage.score_vector(n, c, a) for n, c, a in rows)
    for kind in (bytes, bytearray, memoryview):
        res = triage.classify_batch(kind(buf), policy=policy)
        assert len(res) == len(rows)
        singles = [triage.classify(n, c, a, policy=policy) for n, c, a in rows]
        assert list(res) == singles
        assert res.quadrants == bytes(s.quadrant for s in singles)
        assert res.special_support == bytes(s.special_support for s in singles)
        assert res[-1] == singles[-1]
    assert set(res.quadrants) == {1, 2, 3, 4}


def test_batch_all_or_nothing():
    good = triage.score_vector({"housing": 1})
    bad = triage.score_vector(capacity={"language": 5})
    with pytest.raises(triage.InvalidArgument) as e:
        triage.classify_batch(good * 17 + bad + good)
    assert e.value.argument == "scores[17].capacity.language"
    with pytest.raises(ValueError):
        triage.classify_batch(good + b"\x00")
    with pytest.raises(TypeError):
        triage.classify_batch("not bytes")
    assert len(triage.classify_batch(b"")) == 0


def test_batch_numpy():
    np = pytest.importorskip("numpy")
    rows = _random_rows(500, 3)
    buf = b"".join(triage.score_vector(n, c, a) for n, c, a in rows)
    arr = np.frombuffer(buf, dtype=np.uint8).reshape(-1, 19)
    res = triage.classify_batch(arr)
    assert res.raw == triage.classify_batch(buf).raw
    assert res.to_numpy()["quadrant"].tolist() == list(res.quadrants)
    res_t = triage.classify_batch(np.asfortranarray(arr))
    assert res_t.raw == res.raw
    with pytest.raises(ValueError):
        triage.classify_batch(arr.reshape(-1, 38) if arr.shape[0] % 2 == 0 else arr[:, :18])
    with pytest.raises(TypeError):
        triage.classify_batch(arr.astype(np.int16))
