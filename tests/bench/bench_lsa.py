#!/usr/bin/python3
"""libtriage's linear assignment against scipy.optimize.linear_sum_assignment
on the same instances in the same run (docs/domain.md §7.4 cross-check), and
libtriage's capacitated (transport) solver against scipy: on the expanded
matrix (each worker repeated once per slot, built before timing) and on the
very wide and very tall matrix itself. Best of 5; each line ends with the
ratio of the times and the goal of issue 13.

Run with Debian's interpreter and the build's bindings:
    PYTHONPATH=build/bindings/python /usr/bin/python3 tests/bench/bench_lsa.py
"""
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

import triage


def best_of(fn, rounds=5):
    best, out = float("inf"), None
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def equal(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))


def main():
    rng = np.random.default_rng(2026)
    ok = True
    cases = [
        ("1000 x 1000, float costs", rng.random((1000, 1000)) * 1000),
        ("1000 x 1000, integer costs 0..9", rng.integers(0, 10, (1000, 1000)).astype(float)),
        ("1000 x 1000, integer costs 0..99", rng.integers(0, 100, (1000, 1000)).astype(float)),
        ("2000 x 100, float costs", rng.random((2000, 100)) * 1000),
        ("100 x 2000, float costs", rng.random((100, 2000)) * 1000),
    ]
    for name, cost in cases:
        t_tr, (_, _, obj_tr) = best_of(lambda: triage.solve_assignment(cost))
        t_sp, (r, c) = best_of(lambda: linear_sum_assignment(cost))
        obj_sp = cost[r, c].sum()
        good = t_tr <= 1.5 * t_sp and equal(obj_tr, obj_sp)
        ok &= good
        print(f"linear assignment {name}: libtriage {t_tr * 1e3:.2f} ms, scipy {t_sp * 1e3:.2f} ms, "
              f"ratio {t_tr / t_sp:.2f} (goal <= 1.5); same objective: {equal(obj_tr, obj_sp)}")

    # cases x workers with slots (the batch's linear level): libtriage's
    # capacitated solver on the small matrix, scipy on the expanded one
    ncases, nworkers, slots = 2000, 100, 20
    cost = rng.random((ncases, nworkers)) * 1000
    cap = np.full(nworkers, slots, dtype=np.int32)
    t_tr, (_, obj_tr) = best_of(lambda: triage.solve_transport(cost, cap))
    expanded = np.repeat(cost, slots, axis=1)  # built once, outside the timings
    t_sp, (r, c) = best_of(lambda: linear_sum_assignment(expanded))
    obj_sp = expanded[r, c].sum()
    good = t_sp >= 10 * t_tr and equal(obj_tr, obj_sp)
    ok &= good
    print(f"transport {ncases} cases x {nworkers} workers x {slots} slots: libtriage "
          f"{t_tr * 1e3:.2f} ms, scipy on the expanded {ncases} x {nworkers * slots} matrix "
          f"{t_sp * 1e3:.2f} ms, libtriage {t_sp / t_tr:.1f}x faster (goal >= 10); "
          f"same objective: {equal(obj_tr, obj_sp)}")

    # very wide and very tall: scipy's linear assignment of the same matrix
    # (one row placed, or one column filled) is the same problem as the
    # transport with capacity 1 per column, or the whole column's capacity
    for shape, cap in [((1, 100000), np.ones(100000, dtype=np.int32)),
                       ((100000, 1), np.array([100000], dtype=np.int32))]:
        cost = rng.random(shape) * 1000
        t_tr, (_, obj_tr) = best_of(lambda: triage.solve_transport(cost, cap))
        t_sp, (r, c) = best_of(lambda: linear_sum_assignment(cost))
        want = cost.min() if shape[0] == 1 else cost.sum()
        good = t_tr <= 10 * t_sp and equal(obj_tr, want)
        ok &= good
        print(f"transport {shape[0]} x {shape[1]}: libtriage {t_tr * 1e3:.2f} ms, scipy's linear "
              f"assignment of the same matrix {t_sp * 1e3:.2f} ms, ratio {t_tr / t_sp:.2f} "
              f"(goal <= 10); objective right: {equal(obj_tr, want)}")
    print("all goals met" if ok else "SOME GOALS MISSED")


if __name__ == "__main__":
    main()
