#!/usr/bin/env python3
"""The seed regions' figures beside the seeds' own (docs/simulation.md, "The
seed regions"). Runs each shipped scenario over several seeds with the C
simulator (one triage.simulate call per seed) and writes a Markdown block.

    PYTHONPATH=build/bindings/python python3 scripts/region_figures.py            # print
    PYTHONPATH=build/bindings/python python3 scripts/region_figures.py --write    # into docs/simulation.md
    PYTHONPATH=build/bindings/python python3 scripts/region_figures.py --check    # fail if stale

The block sits between the markers <!-- region-figures:begin --> and
<!-- region-figures:end --> of docs/simulation.md. Everything is
deterministic: the same build gives the same block.
"""
import argparse
import math
import pathlib
import statistics
import sys

import triage

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCN = ROOT / "examples" / "scenarios"
DOC = ROOT / "docs" / "simulation.md"
BEGIN, END = "<!-- region-figures:begin -->", "<!-- region-figures:end -->"

# Student's t, two-sided 95 %, by degrees of freedom (for the seeds used here).
T95 = {4: 2.776, 9: 2.262, 19: 2.093, 29: 2.045}


def ci(values):
    """Mean and the half-width of its 95 % confidence interval over seeds."""
    n = len(values)
    m = statistics.fmean(values)
    if n < 2:
        return m, float("nan")
    return m, T95[n - 1] * statistics.stdev(values) / math.sqrt(n)


def fmt(m, h=None, digits=1, unit=""):
    if h is None:
        return f"{m:.{digits}f}{unit}"
    return f"{m:.{digits}f}{unit} ± {h:.{digits}f}"


def run(scenario, seed):
    return triage.simulate(scenario, days=0, seed=seed, keep_history=True)


def north_savo(seeds):
    sc = triage.Scenario.load(SCN / "north-savo.scn")
    staff = {}
    for w in sc.to_dict()["workers"]:
        n, fte = staff.get(w["role"], (0, 0.0))
        staff[w["role"]] = (n + w["count"], fte + w["count"] * w["fte"])
    sw, sc_, sg = (staff.get(r, (0, 0.0)) for r in
                   ("social_worker", "social_counsellor", "service_guide"))
    share, p90, start, end, soft, hard = [], [], [], [], [], []
    for s in seeds:
        d = run(sc, s).to_dict()
        share.append(100 * d["report"]["guidance"]["share"])
        p90.append(d["report"]["waiting_days"]["assessment_start"]["p90"])
        start.append(d["simulation"]["open_at_start"])
        end.append(d["simulation"]["open"])
        soft.append(d["report"]["over_cap"]["soft"])
        hard.append(d["report"]["over_cap"]["hard"])
    return [
        ("Team", "social workers fewer than counsellors, in different offices",
         f"{sw[0]} social workers ({sw[1]:.1f} FTE; one per office, two in Kuopio), "
         f"{sc_[0]} counsellors ({sc_[1]:.1f} FTE), {sg[0] - 1} guides + a summer substitute",
         "input"),
        ("Resolved at guidance", "\"most contacts\" (valtaosa)", fmt(*ci(share), unit=" %"),
         f"{len(seeds)} seeds"),
        ("p90 wait to assessment start", "shorter after the pilot (no figure)",
         fmt(*ci(p90)) + " business days", f"{len(seeds)} seeds, the year"),
        ("Open cases: after the warm-up / at the year's end", "a steady state (§10)",
         f"{fmt(*ci(start))} / {fmt(*ci(end))}", f"{len(seeds)} seeds"),
        ("Assignments over the soft / hard cap a year", "no figure (caps: 35 / 50 clients "
         "per FTE, docs/domain.md §7.1)", f"{fmt(*ci(soft))} / {fmt(*ci(hard))}",
         f"{len(seeds)} seeds"),
    ]


def kuusotso(seeds):
    sc = triage.Scenario.load(SCN / "kuusotso.scn")
    calls, minutes, kela_days, kela_in, pop_days, pop_reach, resolved = [], [], [], [], [], [], []
    for s in seeds:
        x = run(sc, s).simulation
        calls.append((x["phone_calls"] + x["phone_overflow"]) / x["phone_line_days"])
        minutes.append(x["phone_line_minutes"] / x["phone_line_days"])
        kela_days.append(x["kela_point_days"])
        kela_in.append(x["kela_intakes"])
        pop_days.append(x["outreach_days"])
        pop_reach.append(x["outreach_contacts"])
        resolved.append(100 * x["phone_resolved"] / max(1, x["phone_calls"]))
    return [
        ("Phone line calls a day", "0-10 (autumn 2022)", fmt(*ci(calls)) + " (uniform 0-10)",
         f"{len(seeds)} seeds"),
        ("Staff time per line day", "at least half a day of one person",
         fmt(statistics.fmean(minutes), digits=0) + " min (0.5 x 435 min)", "input"),
        ("Kela point days in the year", "1 a week (from 3.2.2021)", fmt(*ci(kela_days), digits=0),
         "Wednesdays"),
        ("Intakes through the Kela point a year", "no figure", fmt(*ci(kela_in), digits=0),
         "assumption: 2 a staffed day"),
        ("Pop-up days / clients reached", "2 / nobody",
         f"{statistics.fmean(pop_days):.0f} / {statistics.fmean(pop_reach):.0f}", "reach = 0"),
        ("Line calls resolved on the line", "small matters handled on the line",
         fmt(*ci(resolved), unit=" %"), "assumption: 80 %"),
    ]


def lapland(seeds):
    sc = triage.Scenario.load(SCN / "lapland.scn")
    reports, munis, q2_first, q2_second = [], [], [], []
    for s in seeds:
        r = run(sc, s)
        reports.append(r.simulation["social_filings"])
        year = r.social("year").to_dict()["periods"][0]["municipalities"]
        munis.append(sum(1 for m in year[1:] if m["social_reports"]["count"] > 0))
        half = r.social("half").to_dict()["periods"]
        towns = [[m for m in p["municipalities"] if m["municipality"] in (851, 240)] for p in half]
        q2_first.append(100 * sum(m["quadrants"]["social_guidance_work"]["count"] for m in towns[0])
                        / max(1, sum(m["cases"]["count"] for m in towns[0])))
        q2_second.append(100 * sum(m["quadrants"]["social_guidance_work"]["count"] for m in towns[1])
                         / max(1, sum(m["cases"]["count"] for m in towns[1])))
    return [
        ("Social reports a year", "50", fmt(*ci(reports)), "rate calibrated to 50"),
        ("Municipalities reporting", "6", fmt(*ci(munis)), f"{len(seeds)} seeds"),
        ("Towns' share of Q2, first / second half", "segmentation (no figure)",
         f"{fmt(*ci(q2_first), unit=' %')} / {fmt(*ci(q2_second), unit=' %')}",
         "illustrative shift 1.7.2025"),
    ]


def east_uusimaa(seeds):
    before = triage.Scenario.load(SCN / "east-uusimaa-before.scn")
    after = triage.Scenario.load(SCN / "east-uusimaa-after.scn")
    q1_only = triage.Scenario.load(SCN / "east-uusimaa-after.scn")
    for k in ("referred.q2", "referred.q3"):
        q1_only.set("initial_assessment", k, 0)
    sb, sa, rel, pp, rel_q1, paired, sv_interp = [], [], [], [], [], True, []
    for s in seeds:
        b, a, q = run(before, s).simulation, run(after, s).simulation, run(q1_only, s).simulation
        paired &= b["intake_hash"] == a["intake_hash"] == q["intake_hash"]
        x, y, z = (100 * v["to_assessment"] / v["intakes"] for v in (b, a, q))
        sb.append(x)
        sa.append(y)
        rel.append(100 * (y - x) / x)
        pp.append(y - x)
        rel_q1.append(100 * (z - x) / x)
        sv_interp.append(a["interpreted"])
    m, h = ci(rel)
    mq, hq = ci(rel_q1)
    return paired, [
        ("Central guidance team", "2.6 social workers + 3 counsellors", "the same", "input"),
        ("Regional assessment teams", "3 + 1, 1 + 1, 1 + 1", "the same", "input"),
        ("Share of intakes sent to a full assessment, before / after",
         "no figure", f"{fmt(*ci(sb), unit=' %')} / {fmt(*ci(sa), unit=' %')}",
         f"{len(seeds)} seeds, paired"),
        ("Change of that share (relative)", "**-10.8 %** (Porvoo, 1.1.-29.5.2020 vs 2019)",
         f"**{m:+.1f} %** (95 % CI {m - h:+.1f} .. {m + h:+.1f})", f"{len(seeds)} seeds"),
        ("Change of that share (percentage points)", "(the seed may mean points)",
         f"{statistics.fmean(pp):+.1f} points", f"{len(seeds)} seeds"),
        ("Sensitivity: the step handles only guidance-only needs", "",
         f"{mq:+.1f} % (95 % CI {mq - hq:+.1f} .. {mq + hq:+.1f})", "referred.q2 = q3 = 0"),
    ]


def pirkanmaa(seeds):
    sc = triage.Scenario.load(SCN / "pirkanmaa.scn")
    note = "the shipped file"
    interp, minutes, returns, back, intakes = [], [], [], [], []
    for s in seeds:
        x = run(sc, s).simulation
        interp.append(100 * x["interpreted"] / x["cases"])
        minutes.append(x["interpreter_minutes"] / 60 / 12)
        returns.append(x["return_visits"])
        back.append(x["back_to_guidance"])
        intakes.append(x["intakes"])
    return note, [
        ("Municipalities served by the guidance unit", "23", "23", "input"),
        ("Cases flagged for interpreting", "foreign-language clients served with an interpreter",
         fmt(*ci(interp), unit=" %"), note),
        ("Interpreter hours a month", "no figure", fmt(*ci(minutes), digits=0), note),
        ("Return visits / referrals back to guidance a year", "the pathway (no figure)",
         f"{fmt(*ci(returns), digits=0)} / {fmt(*ci(back), digits=0)}", note),
    ]


def table(rows):
    out = ["| figure | seed | model | note |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(out)


def block():
    parts = []
    s20 = list(range(1, 21))
    parts.append("**North Savo** (`north-savo.scn`, 20 seeds, the year after the warm-up)\n\n"
                 + table(north_savo(s20)))
    parts.append("**KuusOTSO** (`kuusotso.scn`, 20 seeds)\n\n" + table(kuusotso(s20)))
    parts.append("**Lapland** (`lapland.scn`, 20 seeds)\n\n" + table(lapland(s20)))
    paired, rows = east_uusimaa(list(range(1, 31)))
    parts.append("**East Uusimaa** (`east-uusimaa-before.scn` against `east-uusimaa-after.scn`, "
                 "30 seeds, 1.1.-29.5.2020; the arms saw the same intakes: "
                 + ("yes, equal intake hashes" if paired else "NO") + ")\n\n" + table(rows))
    note, rows = pirkanmaa([1, 2, 3, 4, 5])
    parts.append(f"**Pirkanmaa** (`pirkanmaa.scn`, 5 seeds; {note})\n\n" + table(rows))
    return "\n\n".join(parts) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="write the block into docs/simulation.md")
    ap.add_argument("--check", action="store_true", help="fail when docs/simulation.md is stale")
    args = ap.parse_args()
    text = block()
    if not (args.write or args.check):
        sys.stdout.write(text)
        return 0
    doc = DOC.read_text(encoding="utf-8")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    new = head + BEGIN + "\n" + text + END + tail
    if args.write:
        DOC.write_text(new, encoding="utf-8")
        return 0
    if new != doc:
        sys.stderr.write("docs/simulation.md: the region figures are stale; run "
                         "scripts/region_figures.py --write\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
