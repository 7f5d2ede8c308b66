#!/usr/bin/python3
"""One call through Python against the same rule written in plain Python, in
one run: classify, assess_urgency, add_business_days and deadlines.

Each line prints the time per call through the triage package, the time per
call of a plain-Python version of the same rule on the same input, and the
ratio plain / triage (above 1: the package is faster). Best of 7 repeats of
N calls each. The plain versions are what a researcher would write: the
rule without the input checks, the rationale or the legal basis that the
library adds, so the comparison favours them.

    PYTHONPATH=build/bindings/python /usr/bin/python3 tests/bench/bench_python_calls.py [N]

With --check it exits 1 when classify through the package is slower than
the plain-Python rule (the issue's requirement); tests/python/test_speed.py
runs that check.
"""
import datetime
import sys
import timeit

import triage

# ---- the plain-Python rules -------------------------------------------------------------

NEED_SEVERE, NEED_SIGNIFICANT, NEED_AREAS, CAUSE, CAPACITY_SUM = 3, 2, 3, 2, 4
CAUSES = ("cognitive", "psychiatric", "substance")
ROLES = {1: ("service_guide", "service_guide"), 2: ("social_counsellor", "social_counsellor"),
         3: ("social_counsellor", "social_counsellor"), 4: ("social_worker", "social_worker")}


def classify_py(need, capacity, age_related=False):
    """docs/classifier.md, the default thresholds."""
    high = (any(v >= NEED_SEVERE for v in need.values())
            or sum(1 for v in need.values() if v >= NEED_SIGNIFICANT) >= NEED_AREAS)
    cause = any(capacity.get(c, 0) >= CAUSE for c in CAUSES)
    weak = cause or sum(capacity.values()) >= CAPACITY_SUM
    quadrant = 1 + high + 2 * weak
    special = weak and (high or cause) and not age_related
    required, preferred = ROLES[quadrant]
    return quadrant, special, required, preferred


TIER = {"life_or_health_threat": 1, "no_shelter_tonight": 1, "dependant_without_care": 1,
        "unable_to_self_care": 1, "acute_crisis": 2, "no_food_or_medicine": 2,
        "urgent_assistance_application": 2, "eviction_or_cutoff": 2,
        "discharge_without_housing": 2, "police_or_emergency_notification": 2}
RESPONSE = {1: 0, 2: 1, 3: 7, 4: 7}


def assess_urgency_py(triggers, floor=4):
    tier = min([TIER[t] for t in triggers] + [floor])
    return tier, [t for t in triggers if TIER[t] == tier], RESPONSE[tier]


CAL = triage.Calendar.finland()
HOLIDAYS = frozenset(d for d in (datetime.date(2024, 1, 1) + datetime.timedelta(i)
                                 for i in range(4 * 366))
                     if d.weekday() < 5 and not CAL.is_business_day(d))
ONE_DAY = datetime.timedelta(days=1)


def add_business_days_py(date, n):
    while n > 0:
        date += ONE_DAY
        if date.weekday() < 5 and date not in HOLIDAYS:
            n -= 1
    return date


def deadlines_py(received, age, own_contact):
    """The rows of an own contact by someone 75 or older (D1, D2, response)."""
    rows = [("D1", received)]
    if own_contact and age >= 75:
        d2 = add_business_days_py(received, 7)
        rows += [("D2", d2), ("response", d2)]
    return rows


# ---- the measurements -------------------------------------------------------------------

def per_call(stmt, n, g):
    return min(timeit.repeat(stmt, globals=g, number=n, repeat=7)) / n * 1e6


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    n = int(args[0]) if args else 100_000
    need, capacity = {"housing": 2, "mental_health": 3}, {"psychiatric": 2}
    day = datetime.date(2026, 12, 22)
    g = dict(triage=triage, classify_py=classify_py, need=need, capacity=capacity,
             assess_urgency_py=assess_urgency_py, cal=CAL, day=day,
             add_business_days_py=add_business_days_py, deadlines_py=deadlines_py)
    # Same answers first.
    c = triage.classify(need=need, capacity=capacity)
    assert classify_py(need, capacity)[:2] == (int(c.quadrant), c.special_support)
    assert CAL.add_business_days(day, 7) == add_business_days_py(day, 7)
    assert [(d.row, d.due) for d in triage.deadlines(
        "contact", day, age=80, own_contact=True, urgency="priority")] == deadlines_py(day, 80, True)
    cases = [
        ("classify", "triage.classify(need=need, capacity=capacity)",
         "classify_py(need, capacity)"),
        ("assess_urgency", "triage.assess_urgency(['no_food_or_medicine'])",
         "assess_urgency_py(['no_food_or_medicine'])"),
        ("add_business_days", "cal.add_business_days(day, 7)", "add_business_days_py(day, 7)"),
        ("deadlines", "triage.deadlines('contact', day, age=80, own_contact=True, "
         "urgency='priority')", "deadlines_py(day, 80, True)"),
    ]
    ratios = {}
    for name, lib, plain in cases:
        t_lib, t_py = per_call(lib, n, g), per_call(plain, n, g)
        ratios[name] = t_py / t_lib
        print(f"{name:<18} triage {t_lib:6.3f} us/call   plain Python {t_py:6.3f} us/call   "
              f"ratio {ratios[name]:.2f}x")
    if check and ratios["classify"] < 1.0:
        print("FAIL: classify through the package is slower than the plain-Python rule")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
