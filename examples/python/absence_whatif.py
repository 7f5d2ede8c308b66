#!/usr/bin/env python3
"""What if guidance resolves only 40 % of matters and we lose one social
worker? The waiting time from intake to the start of the service-need
assessment, against the North Savo baseline, over the same intake stream.

    PYTHONPATH=build/bindings/python python3 examples/python/absence_whatif.py [DAYS] [SEED]
"""
import pathlib
import sys

import triage

scn = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "north-savo.scn"
days = int(sys.argv[1]) if len(sys.argv) > 1 else 365
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1

base = triage.Scenario.load(scn)
# The same scenario in its file form, edited: guidance resolves 40 %, and
# sw-iisalmi is away for the whole period.
worse = triage.Scenario.parse(base.to_text(), "what-if")
worse.set("guidance", "resolved", 0.40)
worse.add_absence("sw-iisalmi", "2025-01-01", "2025-12-31")

_, _, table = triage.compare(base, worse, days=days, seed=seed)
rows = {r["metric"]: r for r in table}
for m in ("assessments_started", "wait_assessment_start_median", "wait_assessment_start_p90",
          "waiting_for_assessment_at_end", "deadlines_missed"):
    r = rows[m]
    print(f"{m:32} baseline {r['a']:8.1f}   what-if {r['b']:8.1f}   change {r['difference']:+8.1f}")
