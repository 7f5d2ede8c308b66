#!/usr/bin/env python3
"""Study 3 of docs/python.md: a year of North Savo month by month.

For now a monthly view takes two steps: the `triage` command runs the
simulation into an SQLite file, and the engine reports each month from it
(per-month reports from one Python run come with the simulator's period
reports). The command is found in TRIAGE_CLI, on PATH, or in build/.

    /usr/bin/python3 examples/python/monthly_view.py [PLOT.png]
"""
import datetime
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]


def cli():
    return (os.environ.get("TRIAGE_CLI") or shutil.which("triage")
            or str(ROOT / "build" / "examples" / "cli" / "triage"))


def main():
    scn = ROOT / "examples" / "scenarios" / "north-savo.scn"
    # A scratch file: on tmpfs when there is one (SQLite syncs every commit).
    scratch = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        db = pathlib.Path(tmp) / "north-savo.db"
        subprocess.run([cli(), "simulate", "--scenario", str(scn), "--days", "365",
                        "--seed", "1", "--db", str(db), "--format", "csv"],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"{'month':8} {'intakes':>7} {'assessed':>8} {'wait med':>8} {'wait p90':>8} "
              f"{'missed':>6} {'met %':>6}")
        with triage.Engine.open_sqlite(db, create=False) as engine:
            for month in range(1, 13):
                start = datetime.date(2025, month, 1)
                end = datetime.date(2025 + month // 12, month % 12 + 1, 1)
                r = engine.report(start, end).to_dict()
                wait = r["waiting_days"]["assessment_start"]
                met = sum(d["met"] for d in r["deadlines"])
                missed = sum(d["missed"] for d in r["deadlines"])
                print(f"{start:%Y-%m} {r['intakes']['total']:7} {r['assessments']['started']:8} "
                      f"{wait['median'] if wait['median'] is not None else '-':>8} "
                      f"{wait['p90'] if wait['p90'] is not None else '-':>8} {missed:6} "
                      f"{100 * met / (met + missed):6.1f}")
            if len(sys.argv) > 1:
                engine.report(datetime.date(2025, 1, 1), datetime.date(2026, 1, 1)).plot(sys.argv[1])


if __name__ == "__main__":
    main()
