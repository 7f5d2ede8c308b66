"""``python3 -m triage``: the commands of the ``triage`` CLI, from Python.

``date-info``, ``deadlines``, ``classify``, ``report`` and ``simulate`` take
the arguments of the C command (docs/cli.md) and print the same text for
``date-info``, ``deadlines`` and ``classify`` and the same bytes for
``--format csv`` and ``--format json`` (the library's writers) and for
``simulate --tables DIR``'s files; the ``table`` format of ``report`` and
``simulate`` is a shorter summary.
Python adds ``--plot FILE.png`` to ``report`` and ``simulate`` (the C
command's ``report --plot`` runs this module), and the experiment commands
``replicate`` and ``compare``. Every command answers ``--help``.

Exit status as the C command: 0 success, 1 a run-time failure, 2 bad
arguments or input, with one line on stderr naming the problem.
"""

import argparse
import csv
import datetime
import errno
import json
import os
import sys

import triage
from triage import _experiment

PROG = "triage"
EXIT_RUNTIME, EXIT_USAGE = 1, 2


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _Usage(message)


def _fail(message, code=EXIT_USAGE):
    sys.stderr.write(f"{PROG}: {message}" + (f" (try '{PROG} --help')" if code == EXIT_USAGE
                                               else "") + "\n")
    return code


def _date(text):
    try:
        return triage.Date.parse(text).to_date()
    except triage.TriageError:
        raise argparse.ArgumentTypeError(f"invalid DATE: {text}") from None


def _scores(text):
    out = {}
    for item in text.split(","):
        key, eq, value = item.partition("=")
        if not eq:
            raise argparse.ArgumentTypeError(f"item without '=': {item}")
        if not value.isdigit() or int(value) > 3:
            raise argparse.ArgumentTypeError(f"score for '{key}' must be 0-3")
        out[key] = int(value)
    return out


def _parser():
    p = _Parser(prog=PROG, description="libtriage from the command line (docs/cli.md).")
    p.add_argument("-V", "--version", action="store_true", help="show the library version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    d = sub.add_parser("date-info", help="weekday of an ISO date (YYYY-MM-DD)",
                       description="Prints the weekday of an ISO date.")
    d.add_argument("date", metavar="DATE")

    d = sub.add_parser("deadlines", help="the statutory deadlines of an intake, as a table",
                       description="The statutory deadlines of an intake (docs/domain.md 5.3).")
    d.add_argument("--kind", required=True, help="contact, notification, ...")
    d.add_argument("--received", required=True, type=_date, metavar="DATE")
    d.add_argument("--age", type=int, metavar="N")
    d.add_argument("--own-contact", action="store_true")
    d.add_argument("--care-allowance", action="store_true")
    d.add_argument("--child-special-support", action="store_true")
    d.add_argument("--urgency", choices=["immediate", "urgent", "priority", "normal"],
                   type=str.lower)
    d.add_argument("--service", choices=["working_age", "family", "older"])

    d = sub.add_parser("classify", help="the four-quadrant classification of a score vector",
                       description="Classifies one score vector; with no arguments a JSON "
                       "object {\"need\": {...}, \"capacity\": {...}, \"age_related\": false} "
                       "is read from stdin.")
    d.add_argument("--need", type=_scores, metavar="AREA=N,...")
    d.add_argument("--capacity", type=_scores, metavar="BARRIER=N,...")
    d.add_argument("--age-related", action="store_true")

    d = sub.add_parser("report", help="the period report of an SQLite store",
                       description="The period report (docs/reports.md) of an SQLite store; "
                       "both dates inclusive, local (Finnish) days.")
    d.add_argument("--db", required=True, metavar="FILE")
    d.add_argument("--from", dest="first", required=True, type=_date, metavar="DATE")
    d.add_argument("--to", dest="last", required=True, type=_date, metavar="DATE")
    d.add_argument("--format", choices=["table", "csv", "json"], default="table")
    d.add_argument("--plot", metavar="FILE.png", help="also draw the report into a PNG")

    def run_args(d, scenario=True):
        if scenario:
            d.add_argument("--scenario", required=True, metavar="FILE")
        d.add_argument("--days", type=int, metavar="N", help="calendar days (default: the scenario's)")
        d.add_argument("--warmup", type=int, metavar="N",
                       help="warm-up days left out of every figure (default: the scenario's)")

    d = sub.add_parser("simulate", help="run a scenario on the engine",
                       description="Runs a scenario (docs/simulation.md) once.")
    run_args(d)
    d.add_argument("--seed", type=int, default=1, metavar="S")
    d.add_argument("--format", choices=["table", "csv", "json"], default="table")
    d.add_argument("--plot", metavar="FILE.png", help="also draw the report into a PNG")
    d.add_argument("--tables", metavar="DIR",
                   help="also write the run's cases, events, deadlines and assignments to "
                   "DIR/cases.csv, ... (made with mode 0700 when missing), the C command's "
                   "bytes; keeps the run's history")

    def seeds_args(d):
        d.add_argument("--seeds", type=int, default=30, metavar="N", help="seeds 1..N (default 30)")
        d.add_argument("--processes", type=int, metavar="N", help="worker processes (default: CPUs)")
        d.add_argument("--progress", action="store_true", help="a progress bar on stderr")
        d.add_argument("--plot", metavar="FILE.png", help="also draw the result into a PNG")

    d = sub.add_parser("replicate", help="run a scenario over many seeds",
                       description="Runs a scenario once per seed and prints each metric's "
                       "mean and 95 % confidence interval over seeds (CSV with --format csv: "
                       "one row per seed and metric).")
    run_args(d)
    seeds_args(d)
    d.add_argument("--format", choices=["table", "csv"], default="table")

    d = sub.add_parser("compare", help="paired comparison of two scenarios over many seeds",
                       description="Runs two scenarios from the same seeds and prints the mean "
                       "paired difference (b - a) of each metric with its 95 % confidence "
                       "interval (Student's t over seeds).")
    d.add_argument("--a", required=True, metavar="FILE", help="scenario a (the baseline)")
    d.add_argument("--b", required=True, metavar="FILE", help="scenario b (the what-if)")
    run_args(d, scenario=False)
    seeds_args(d)
    d.add_argument("--streams", choices=["warn", "error", "ignore"], default="warn",
                   help="when the two arms' intake streams differ (default warn)")
    d.add_argument("--format", choices=["table", "csv"], default="table")
    return p


# ---- commands ----------------------------------------------------------------------------

_WEEKDAYS = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _cmd_date_info(a):
    try:
        d = triage.Date.parse(a.date)
    except triage.TriageError as e:
        return _fail(f"invalid DATE: {e.message}")
    print(f"{a.date} {_WEEKDAYS[d.weekday]}")
    return 0


def _cmd_deadlines(a):
    try:
        kind = triage.IntakeKind.from_name(a.kind)
    except triage.TriageError:
        return _fail(f"unknown intake kind: {a.kind}")
    if a.age is not None and not 0 <= a.age <= 150:
        return _fail(f"--age needs a whole number of years 0-150: {a.age}")
    facts = dict(age=a.age, own_contact=a.own_contact, highest_care_allowance=a.care_allowance,
                 child_special_support=a.child_special_support, service=a.service)
    try:
        urgency = a.urgency
        if urgency is None and triage.priority_applies(kind, a.received, **facts):
            urgency = "priority"
        rows = triage.deadlines(kind, a.received, urgency=urgency, **facts)
    except (triage.InvalidArgument, triage.OutOfRange) as e:
        return _fail(f"inconsistent intake: {e.message}")
    print(f"{'row':<9} {'basis':<11} {'milestone':<22} due")
    for d in rows:
        print(f"{d.row:<9} {d.basis:<11} {d.milestone:<22} {d.due.isoformat()}")
    return 0


def _cmd_classify(a):
    need, capacity, age_related = a.need, a.capacity, a.age_related
    if need is None and capacity is None and not age_related:
        try:
            doc = json.loads(sys.stdin.read())
        except ValueError as e:
            return _fail(f"invalid JSON on stdin: {e}")
        if not isinstance(doc, dict):
            return _fail("the JSON input must be an object")
        for key in doc:
            if key not in ("need", "capacity", "age_related"):
                return _fail(f"unknown key \"{key}\" in the JSON input")
        need, capacity = doc.get("need"), doc.get("capacity")
        age_related = doc.get("age_related", False)
        if not isinstance(age_related, bool):
            return _fail("\"age_related\" must be true or false")
        for axis, v in (("need", need), ("capacity", capacity)):
            if v is not None and not isinstance(v, dict):
                return _fail(f"\"{axis}\" must be an object")
            for key, score in (v or {}).items():
                if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 3:
                    return _fail(f"the score of \"{key}\" must be an integer 0-3")
    try:
        c = triage.classify(need=need, capacity=capacity, age_related=age_related)
    except triage.InvalidArgument as e:
        return _fail(f"invalid scores: {e.argument}")
    why = c.rationale
    print(f"{'quadrant:':<17}{c.quadrant.name.lower()}")
    print(f"{'special support:':<17}{'yes' if c.special_support else 'no'}")
    print(f"{'required role:':<17}{c.required_role.name.lower()}")
    print(f"{'preferred role:':<17}{c.preferred_role.name.lower()}")
    print(f"{'need score:':<17}{c.need_score} ({'high' if c.high_need else 'low'})")
    print(f"{'capacity score:':<17}{c.capacity_score} ({'weak' if c.weak_capacity else 'good'})")
    print(f"{'need decided by:':<17}{', '.join(why['need']) or '-'}")
    print(f"{'capacity by:':<17}{', '.join(why['capacity']) or '-'}")
    return 0


def _summary(d):
    """A short table of a report dict (``{"report": ...}`` or the report itself)."""
    r = d.get("report", d)
    p = r["period"]
    w = r["waiting_days"]
    met = sum(x["met"] for x in r["deadlines"])
    missed = sum(x["missed"] for x in r["deadlines"])
    lines = [
        f"Period {p['first_day']} .. {p['last_day']}",
        f"intakes                 {r['intakes']['total']}",
        f"resolved at guidance    {r['guidance']['resolved']} of {r['guidance']['left']}"
        f" (share {r['guidance']['share']})",
        f"assessments started     {r['assessments']['started']}"
        f" (completed {r['assessments']['completed']})",
        f"closings                {r['closings']['total']}",
        f"deadlines met / missed  {met} / {missed}",
        f"waiting, first contact  median {w['first_contact']['median']}, p90 "
        f"{w['first_contact']['p90']} business days (n={w['first_contact']['count']})",
        f"waiting, assessment     median {w['assessment_start']['median']}, p90 "
        f"{w['assessment_start']['p90']} business days (n={w['assessment_start']['count']})",
    ]
    return "\n".join(lines)


def _write_plot(obj, path):
    try:
        obj.plot(path)
    except ImportError as e:
        return _fail(str(e), EXIT_RUNTIME)
    return 0


def _cmd_report(a):
    if a.last < a.first:
        return _fail("--to is before --from")
    if not triage.sqlite_available():
        return _fail("the SQLite store is not available in this build", EXIT_RUNTIME)
    try:
        engine = triage.Engine.open_sqlite(a.db, create=False)
    except (triage.NotFound, triage.ConflictError, triage.VersionError) as e:
        return _fail(f"{a.db}: {e.message}", EXIT_USAGE)
    except triage.TriageError as e:
        return _fail(f"{a.db}: {e.message}", EXIT_RUNTIME)
    with engine:
        report = engine.report(a.first, a.last + datetime.timedelta(days=1))
    return _emit(report, a)


def _emit(report, a):
    if a.format == "csv":
        sys.stdout.write(report.to_csv())
    elif a.format == "json":
        sys.stdout.write(report.to_json())
    else:
        print(_summary(report.to_dict()))
    return _write_plot(report, a.plot) if a.plot else 0


def _load(path):
    try:
        return triage.Scenario.load(path)
    except triage.TriageError as e:
        raise _Usage(e.message) from None


_TABLES = ("cases", "events", "deadlines", "assignments")


def _tables_dir(directory):
    """--tables DIR exists as a directory (made 0700 when missing): 0, else
    the C command's message and EXIT_RUNTIME."""
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        if not os.path.isdir(directory):
            return _fail(f"--tables {directory}: cannot create the directory: "
                         f"{os.strerror(errno.ENOTDIR)}", EXIT_RUNTIME)
    except OSError as e:
        return _fail(f"--tables {directory}: cannot create the directory: {e.strerror}",
                     EXIT_RUNTIME)
    return 0


def _write_tables(report, directory):
    """The run's tables as DIR/NAME.csv: each row as the csv module writes it
    (None empty, dates ISO, times str() of UTC datetimes, flags True/False),
    LF line ends; the bytes of the C command's --tables (examples/cli/tables.c)."""
    for name in _TABLES:
        t = getattr(report, name)()
        path = os.path.join(directory, name + ".csv")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            with open(fd, "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(t.columns)
                cols = t.columns
                w.writerows([row[c] for c in cols] for row in t)
        except OSError as e:
            return _fail(f"{path}: cannot write the file: {e.strerror}", EXIT_RUNTIME)
    return 0


def _cmd_simulate(a):
    sc = _load(a.scenario)
    if a.tables is not None:
        if not a.tables:
            raise _Usage("--tables needs a DIR")
        rc = _tables_dir(a.tables)
        if rc:
            return rc
        report = triage.simulate(sc, days=a.days, seed=a.seed, warmup=a.warmup,
                                 keep_history=True)
    else:
        report = _experiment.run(sc, days=a.days, seed=a.seed, warmup=a.warmup)
    rc = _emit(report, a)
    return rc or (_write_tables(report, a.tables) if a.tables else 0)


def _table(rows, columns):
    def cell(v):
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)
    body = [[cell(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(b[i]) for b in body)) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    out += ["  ".join(v.ljust(w) for v, w in zip(b, widths)) for b in body]
    return "\n".join(out)


def _cmd_replicate(a):
    sc = _load(a.scenario)
    ex = triage.replicate(sc, range(1, a.seeds + 1), days=a.days, warmup=a.warmup,
                          processes=a.processes, progress=a.progress or None)
    if a.format == "csv":
        sys.stdout.write(ex.to_csv())
    else:
        print(_table(ex.summary(), ["metric", "n", "mean", "sd", "ci_low", "ci_high"]))
        print(f"({ex.summary().metadata['interval']})")
    return _write_plot(ex, a.plot) if a.plot else 0


def _cmd_compare(a):
    sa, sb = _load(a.a), _load(a.b)
    try:
        c = triage.compare(sa, sb, range(1, a.seeds + 1), days=a.days, warmup=a.warmup,
                           processes=a.processes, progress=a.progress or None,
                           streams=a.streams)
    except triage.IntakeStreamError as e:
        return _fail(str(e), EXIT_RUNTIME)
    if a.format == "csv":
        sys.stdout.write(c.to_csv())
    else:
        print(_table(c, ["metric", "a", "b", "difference", "ci_low", "ci_high", "n"]))
        print(f"({c.metadata['interval']} of the paired differences b - a)")
    return _write_plot(c, a.plot) if a.plot else 0


_COMMANDS = {"date-info": _cmd_date_info, "deadlines": _cmd_deadlines,
             "classify": _cmd_classify, "report": _cmd_report, "simulate": _cmd_simulate,
             "replicate": _cmd_replicate, "compare": _cmd_compare}


def main(argv=None):
    parser = _parser()
    try:
        a = parser.parse_args(argv)
        if a.version:
            print(f"triage (libtriage) {triage.version()}")
            return 0
        if a.command is None:
            parser.print_usage(sys.stderr)
            return EXIT_USAGE
        return _COMMANDS[a.command](a)
    except _Usage as e:
        return _fail(str(e))
    except triage.TriageError as e:
        return _fail(str(e), EXIT_RUNTIME)


if __name__ == "__main__":
    sys.exit(main())
