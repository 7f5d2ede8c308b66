"""Speed of one call (issue 15 item 7): classify through the package is at
least as fast as the same rule in plain Python, measured in one run by
tests/bench/bench_python_calls.py; the fast paths give the same results as
the library's SWIG wrappers."""
import datetime
import os
import pathlib
import random
import subprocess
import sys

import pytest

import triage
from triage import _lowlevel as _ll

BENCH = pathlib.Path(__file__).resolve().parents[1] / "bench" / "bench_python_calls.py"


@pytest.mark.skipif(os.environ.get("TRIAGE_SANITIZED") == "1",
                    reason="speed is not measured under the sanitizers (instrumented C "
                           "against an uninstrumented interpreter: the ratio is noise)")
def test_classify_not_slower_than_plain_python():
    r = subprocess.run([sys.executable, str(BENCH), "--check", "20000"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "classify" in r.stdout and "ratio" in r.stdout


def test_fast_classify_equals_the_swig_call():
    rng = random.Random(7)
    for _ in range(500):
        need = {k: rng.randint(0, 3) for k in rng.sample(triage.NEED_KEYS, rng.randint(0, 10))}
        cap = {k: rng.randint(0, 3)
               for k in rng.sample(triage.CAPACITY_KEYS, rng.randint(0, 8))}
        age = rng.random() < 0.2
        raw = _ll.triage_classify(None, triage.score_vector(need, cap, age))
        c = triage.classify(need=need, capacity=cap, age_related=age)
        assert c.raw == raw and c == triage.Classification(raw)
        assert c.quadrant is triage.Quadrant(raw[0])


def test_fast_paths_keep_the_errors():
    import pytest
    with pytest.raises(triage.InvalidArgument) as e:
        triage.classify(need={"rent": 1})
    assert e.value.argument == "need.rent"
    with pytest.raises(TypeError):
        triage.classify(need=[("housing", 1)])
    with pytest.raises(TypeError):
        triage.classify(need={"housing": 1.5})
    with pytest.raises(TypeError):
        triage.classify(policy=42)
    with pytest.raises(TypeError):
        triage.classify(colour=1)
    with pytest.raises(triage.InvalidArgument):
        triage.classify(need={"housing": 4})
    with pytest.raises(triage.InvalidArgument):
        triage.assess_urgency(["nope"])
    with pytest.raises(TypeError):
        triage.assess_urgency("no_shelter_tonight")
    with pytest.raises(triage.OutOfRange):
        triage.Calendar.finland().add_business_days(datetime.date(2199, 12, 30), 5)
    with pytest.raises(TypeError):
        triage.Calendar.finland().add_business_days(20200101, 5)
    with pytest.raises(triage.InvalidArgument):
        triage.deadlines("contact", "2026-13-01")


def test_fast_results_are_the_package_types():
    c = triage.classify(need={"housing": 3}, capacity={"psychiatric": 2})
    assert type(c) is triage.Classification
    import pytest
    with pytest.raises(AttributeError):
        c.quadrant = triage.Quadrant.GUIDANCE_ONLY
    r = triage.assess_urgency(["no_shelter_tonight", "no_food_or_medicine"],
                              statutory_floor="priority")
    assert type(r) is triage.UrgencyResult and r.tier is triage.Urgency.IMMEDIATE
    assert r.fired == ["no_shelter_tonight", "no_food_or_medicine"]
    d = triage.deadlines("contact", datetime.date(2026, 11, 23), age=80, own_contact=True)
    assert all(type(x) is triage.Deadline for x in d)
    assert [x.row for x in d] == ["D1", "D2", "response"]
    assert isinstance(d[1].due, datetime.date) and d[1].due == datetime.date(2026, 12, 2)
    import inspect
    assert list(inspect.signature(triage.classify).parameters) == [
        "need", "capacity", "age_related", "policy"]


def test_numpy_batch_needs_no_python_loop():
    np = __import__("pytest").importorskip("numpy")
    rows = np.zeros((200_000, 19), dtype=np.uint8)
    rows[:, 1] = 3
    b = triage.classify_batch(rows)
    assert len(b) == 200_000 and set(b.quadrants) == {int(triage.Quadrant.SOCIAL_GUIDANCE_WORK)}
    assert b.to_numpy()["quadrant"].shape == (200_000,)
