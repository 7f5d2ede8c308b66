#!/usr/bin/env python3
"""The simulation model of docs/simulation.md written again in plain Python
(heapq event list, random.Random), without the engine, to compare speed
with tests/bench/bench_sim.c. SimPy 2.3 (Debian python3-simpy) offers nothing
this day-stepped model needs beyond a priority queue, so plain Python is used;
the two are timed in the same run by tests/bench/run_sim_bench.sh.

Simplifications against the C simulator: weekdays are business days (no
holidays); no engine, so no urgency rules, deadlines, classification or
audit events; assignment is least load among workers with a free slot.

Usage: bench_sim_simpy.py [DAYS] [SCENARIO]
"""
import heapq
import math
import pathlib
import random
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def parse(path):
    """The scenario file as {section: {key: value}} plus lists of workers."""
    single, workers, cur = {}, [], None
    for raw in open(path, encoding="utf-8"):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("["):
            name = line[1:-1].strip()
            if name == "worker":
                cur = {}
                workers.append(cur)
            elif name in ("absence", "municipality", "distances"):
                cur = {}
            else:
                cur = single.setdefault(name, {})
            continue
        k, v = (x.strip() for x in line.split("=", 1))
        cur[k] = v
    return single, workers


def poisson(rng, mean):
    if mean <= 0:
        return 0
    if mean < 10:
        p = s = math.exp(-mean)
        u, k = rng.random(), 0
        while u > s:
            k += 1
            p *= mean / k
            s += p
        return k
    return max(0, int(round(rng.gauss(mean, math.sqrt(mean)))))


def rng_range(rng, text):
    lo, hi = (int(x) for x in text.split())
    return rng.randint(lo, hi)


def run(path, days, seed=1):
    sc, workers = parse(path)
    g = lambda s, k, d: float(sc.get(s, {}).get(k, d))
    rng = random.Random(seed)
    kinds = ["contact", "notification", "application", "kela_referral", "other_authority"]
    rates = [g("intake", k, 0) for k in kinds]
    slots = g("durations", "assessment_slots", 4)
    guide_roles = sc.get("guidance", {}).get("roles", "service_guide")
    share = g("guidance", "staff_share", 1)
    staff = []
    for w in workers:
        for _ in range(int(w.get("count", 1))):
            role, fte = w.get("role", "social_counsellor"), float(w.get("fte", 1))
            in_guidance = role in guide_roles
            staff.append({"role": role, "fte": fte, "guide": in_guidance,
                          "slots": math.floor(slots * fte * ((1 - share) if in_guidance else 1) + 1e-9),
                          "inprog": 0, "load": 0.0, "absent_until": -1})
    dur = sc.get("durations", {})
    quads = [g("quadrants", f"q{i}", 0) for i in range(1, 5)]
    heap, seq, events = [], 0, 0
    gq, pool, cases = [], [], []
    for day in range(days):
        if day % 7 >= 5:
            continue
        b = day - 2 * (day // 7)  # business-day index
        for w in staff:  # sick leave
            if rng.random() < g("sick_leave", "rate", 0.01) and w["absent_until"] < b:
                w["absent_until"] = b + rng_range(rng, sc.get("sick_leave", {}).get("days", "1 5")) - 1
        n = sum(poisson(rng, r) for r in rates)
        calls = rng.randint(int(g("phone_line", "calls_min", 0)), int(g("phone_line", "calls_max", 0)))
        for _ in range(n):
            q = rng.choices(range(1, 5), quads)[0]
            cases.append({"q": q, "attempts": 0, "checked": False, "noshows": 0, "w": None})
            gq.append((b + 1, len(cases) - 1))
            events += 1
        for _ in range(calls):
            events += 1
            if rng.random() >= g("phone_line", "resolved", 0.7):
                cases.append({"q": rng.choices(range(1, 5), quads)[0], "attempts": 0,
                              "checked": True, "noshows": 0, "w": None})
                pool.append(len(cases) - 1)
        while heap and heap[0][0] <= b:
            _, _, kind, ci = heapq.heappop(heap)
            c = cases[ci]
            events += 1
            if kind == "appt":
                p = g("noshow", "with_check" if c["checked"] else "without_check", 0.1)
                if rng.random() < p:
                    c["noshows"] += 1
                    if c["noshows"] >= g("noshow", "max", 2):
                        staff[c["w"]]["inprog"] -= 1
                        continue
                    seq += 1
                    heapq.heappush(heap, (b + int(g("noshow", "rebook_days", 5)), seq, "appt", ci))
                else:
                    seq += 1
                    heapq.heappush(heap, (b + rng_range(rng, dur["assessment"]), seq, "done", ci))
            elif kind == "done":
                staff[c["w"]]["inprog"] -= 1
                seq += 1
                heapq.heappush(heap, (b + rng_range(rng, dur[f"casework.q{c['q']}"]) + 1, seq, "close", ci))
            else:
                staff[c["w"]]["load"] -= 1
        fte = sum(w["fte"] * share for w in staff if w["guide"] and w["absent_until"] < b)
        cap = int(fte * g("guidance", "capacity", 12))
        ready = sorted(x for x in gq if x[0] <= b)
        rest = [x for x in gq if x[0] > b]
        for _, ci in ready[:cap]:
            events += 1
            c = cases[ci]
            if rng.random() < g("guidance", "reach", 0.75):
                c["checked"] = True
                if rng.random() < g("guidance", "unwilling", 0.08):
                    continue
                if rng.random() < g("guidance", "resolved", 0.6):
                    continue
                pool.append(ci)
            else:
                c["attempts"] += 1
                if c["attempts"] < 3:
                    rest.append((b + 2, ci))
        gq = rest + ready[cap:]
        keep = []
        for ci in pool:
            events += 1
            c = cases[ci]
            ok = [i for i, w in enumerate(staff) if w["absent_until"] < b and w["inprog"] < w["slots"]
                  and (w["role"] == "social_worker" or (c["q"] < 4 and w["role"] == "social_counsellor"))]
            if not ok:
                keep.append(ci)
                continue
            i = min(ok, key=lambda k: (staff[k]["load"] / staff[k]["fte"], k))
            c["w"] = i
            staff[i]["inprog"] += 1
            staff[i]["load"] += 1
            seq += 1
            heapq.heappush(heap, (b + rng_range(rng, dur["first_appointment"]), seq, "appt", ci))
        pool = keep
    return events, len(cases)


def main():
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 365
    path = sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "examples/scenarios/region-500k.scn")
    t0 = time.perf_counter()
    events, cases = run(path, days)
    wall = time.perf_counter() - t0
    print(f"python model {pathlib.Path(path).name} days={days}: {wall:.2f} s wall, "
          f"{events} sim events ({events / wall:.0f} events/s), {cases} cases")


if __name__ == "__main__":
    main()
