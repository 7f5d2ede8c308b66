#!/usr/bin/env python3
"""Tiered North Savo model vs everything straight to social workers, over
the same seeded intake stream (docs/domain.md §10).

    PYTHONPATH=build/bindings/python python3 examples/python/policy_comparison.py [DAYS] [SEED]
"""
import pathlib
import sys

import triage

here = pathlib.Path(__file__).resolve().parents[1] / "scenarios"
days = int(sys.argv[1]) if len(sys.argv) > 1 else 365
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1

tiered = triage.Scenario.load(here / "north-savo.scn")
all_sw = triage.Scenario.load(here / "all-social-workers.scn")
_, _, table = triage.compare(tiered, all_sw, days=days, seed=seed)

print(f"{'metric':32} {'tiered':>10} {'all SW':>10} {'change':>10}")
for row in table:
    fmt = lambda v: "-" if v is None else (f"{v:.0f}" if v == int(v) else f"{v:.2f}")
    print(f"{row['metric']:32} {fmt(row['a']):>10} {fmt(row['b']):>10} {fmt(row['difference']):>10}")

# The Porvoo pilot: an initial assessment before distribution.
with_ia = tiered.copy().set("policy", "initial_assessment", True)
_, _, table = triage.compare(tiered, with_ia, days=days, seed=seed)
rows = {r["metric"]: r for r in table}
a, b = rows["assessments_started"]["a"], rows["assessments_started"]["b"]
print(f"\nwith an initial assessment: {a:.0f} -> {b:.0f} service-need assessments started "
      f"({100 * (b - a) / a:+.1f} %)")
