#!/usr/bin/python3
"""libtriage's linear assignment against scipy.optimize.linear_sum_assignment
on the same instances in the same run (docs/domain.md §7.4 cross-check), and
libtriage's capacitated (transport) solver against scipy on the expanded
matrix (each worker repeated once per slot, built before timing). Best of 5.

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


def main():
    rng = np.random.default_rng(2026)
    for shape in [(2000, 100), (100, 2000), (1000, 1000)]:
        cost = rng.random(shape) * 1000
        t_tr, (_, _, obj_tr) = best_of(lambda: triage.solve_assignment(cost))
        t_sp, (r, c) = best_of(lambda: linear_sum_assignment(cost))
        obj_sp = cost[r, c].sum()
        print(f"linear assignment {shape[0]} x {shape[1]}: libtriage {t_tr * 1e3:.2f} ms "
              f"objective {obj_tr:.6f}; scipy {t_sp * 1e3:.2f} ms objective {obj_sp:.6f}; "
              f"equal: {abs(obj_tr - obj_sp) <= 1e-9 * max(1.0, abs(obj_sp))}")

    # cases x workers with slots (the batch's linear level): libtriage's
    # capacitated solver on the small matrix, scipy on the expanded one
    ncases, nworkers, slots = 2000, 100, 20
    cost = rng.random((ncases, nworkers)) * 1000
    cap = [slots] * nworkers
    t_tr, (_, obj_tr) = best_of(lambda: triage.solve_transport(cost, cap))
    expanded = np.repeat(cost, slots, axis=1)  # built once, outside the timings
    t_ex, (_, _, obj_ex) = best_of(lambda: triage.solve_assignment(expanded))
    t_sp, (r, c) = best_of(lambda: linear_sum_assignment(expanded))
    obj_sp = expanded[r, c].sum()
    print(f"transport {ncases} cases x {nworkers} workers x {slots} slots: libtriage transport "
          f"{t_tr * 1e3:.2f} ms objective {obj_tr:.6f}; libtriage linear on the expanded "
          f"{ncases} x {nworkers * slots} {t_ex * 1e3:.2f} ms objective {obj_ex:.6f}; scipy on "
          f"the expanded matrix {t_sp * 1e3:.2f} ms objective {obj_sp:.6f}; "
          f"equal: {abs(obj_tr - obj_sp) <= 1e-9 * max(1.0, abs(obj_sp))}")


if __name__ == "__main__":
    main()
