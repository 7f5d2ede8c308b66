#!/usr/bin/python3
"""30 seeds x 1 year of north-savo.scn: triage.replicate(processes=2) against
one process running the C simulator over the same seeds (triage_sim_run,
called in a loop from this process: the simulator's own time, nothing
written or parsed). Prints both wall times and the ratio; the goal (issue
15) is a ratio under 2.

    PYTHONPATH=build/bindings/python /usr/bin/python3 tests/bench/bench_replicate.py [SEEDS] [PROCESSES]
"""
import pathlib
import sys
import time

import triage
from triage import _lowlevel as _ll
from triage import _sim

SCN = pathlib.Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "north-savo.scn"


def main(argv):
    seeds = range(1, 1 + (int(argv[0]) if argv else 30))
    processes = int(argv[1]) if len(argv) > 1 else 2
    sc = triage.Scenario.load(SCN)

    t = time.perf_counter()
    for s in seeds:
        _ll.triage_sim_run(sc._h, _sim._options(365, s))
    c_serial = time.perf_counter() - t

    t = time.perf_counter()
    ex = triage.replicate(sc, seeds, days=365, processes=processes)
    par = time.perf_counter() - t
    assert len(ex) == len(seeds) * len(triage.METRICS)

    print(f"C simulator, one process, {len(seeds)} seeds x 365 days: {c_serial:.2f} s")
    print(f"triage.replicate(processes={processes}), same seeds:      {par:.2f} s")
    print(f"ratio replicate / C serial: {par / c_serial:.2f} (goal: under 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
