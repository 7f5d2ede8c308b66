#!/usr/bin/env python3
"""Study 3 of docs/python.md: a year of North Savo month by month.

One run with the months declared before it (`periods="month"`): the run
counts each month's figures as it goes, and `SimReport.periods` gives one
report per month, the same figures a report of that month computed from
the run's whole history would give.

    /usr/bin/python3 examples/python/monthly_view.py [PLOT.png]
"""
import pathlib
import sys

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    scn = ROOT / "examples" / "scenarios" / "north-savo.scn"
    run = triage.simulate(triage.Scenario.load(scn), days=365, seed=1, periods="month")
    print(f"{'month':8} {'intakes':>7} {'assessed':>8} {'wait med':>8} {'wait p90':>8} "
          f"{'missed':>6} {'met %':>6}")
    for month in run.periods:
        r = month.to_dict()
        wait = r["waiting_days"]["assessment_start"]
        met = sum(d["met"] for d in r["deadlines"])
        missed = sum(d["missed"] for d in r["deadlines"])
        print(f"{month.metadata['period']['from'][:7]:8} {r['intakes']['total']:7} "
              f"{r['assessments']['started']:8} "
              f"{wait['median'] if wait['median'] is not None else '-':>8} "
              f"{wait['p90'] if wait['p90'] is not None else '-':>8} {missed:6} "
              f"{100 * met / (met + missed):6.1f}")
    if len(sys.argv) > 1:
        run.plot(sys.argv[1])


if __name__ == "__main__":
    main()
