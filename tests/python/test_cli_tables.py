"""``triage simulate --tables DIR`` (docs/cli.md): the C command's four CSV
files hold the Python tables of the same run (``triage.simulate(...,
keep_history=True)``) row for row, with the same columns and values (None
empty, dates ISO, times as str() of UTC datetimes, enums by name, flags
True/False); ``python3 -m triage simulate --tables`` writes the same bytes."""
import csv
import datetime
import os
import pathlib
import stat
import subprocess
import sys

import pytest

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(triage.__file__).resolve().parents[3]
CLI = BUILD / "examples" / "cli" / "triage"
KUUSOTSO = ROOT / "examples" / "scenarios" / "kuusotso.scn"
NAMES = ("cases", "events", "deadlines", "assignments")
# a short run with a warm-up: the tables cover the whole run, warm-up included
RUN = {"days": 45, "seed": 4, "warmup": 20}
ARGS = ["--days", str(RUN["days"]), "--seed", str(RUN["seed"]), "--warmup", str(RUN["warmup"])]

needs_cli = pytest.mark.skipif(not CLI.exists(), reason="the C command is not built")


def cell(v):
    """A table value as the CSV holds it."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, datetime.datetime):
        assert v.tzinfo is not None and v.utcoffset() == datetime.timedelta(0)
        return str(v)  # 2025-01-02 13:00:00+00:00
    if isinstance(v, datetime.date):
        return v.isoformat()
    return str(v)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def report():
    return triage.simulate(triage.Scenario.load(KUUSOTSO), keep_history=True, **RUN)


@pytest.fixture(scope="module")
def c_tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("c") / "tables"
    r = subprocess.run([str(CLI), "simulate", "--scenario", str(KUUSOTSO), *ARGS,
                        "--format", "csv", "--tables", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return out


@needs_cli
@pytest.mark.parametrize("name", NAMES)
def test_the_c_tables_are_the_python_tables(report, c_tables, name):
    t = getattr(report, name)()
    rows = read_csv(c_tables / f"{name}.csv")
    assert rows[0] == t.columns
    assert len(rows) - 1 == len(t) > 0
    for i, (got, want) in enumerate(zip(rows[1:], t)):
        assert got == [cell(want[c]) for c in t.columns], (name, i)


@needs_cli
def test_the_tables_cover_the_warmup_and_judge_deadlines_on_the_last_day(report, c_tables):
    start = triage.Scenario.load(KUUSOTSO).get("scenario", "start")
    start = datetime.date.fromisoformat(str(start))
    received = [r[7] for r in read_csv(c_tables / "cases.csv")[1:]]
    assert min(received) < start.isoformat()  # warm-up cases are in
    assert report.deadlines().meta["as_of"] == (
        start + datetime.timedelta(days=RUN["days"] - 1)).isoformat()


@needs_cli
def test_the_files_are_private(c_tables):
    assert stat.S_IMODE(os.stat(c_tables).st_mode) & 0o077 == 0
    for name in NAMES:
        assert stat.S_IMODE(os.stat(c_tables / f"{name}.csv").st_mode) & 0o077 == 0


@needs_cli
def test_python_m_triage_writes_the_same_bytes(c_tables, tmp_path):
    out = tmp_path / "py"
    r = subprocess.run([sys.executable, "-m", "triage", "simulate", "--scenario", str(KUUSOTSO),
                        *ARGS, "--format", "csv", "--tables", str(out)],
                       capture_output=True, text=True, env=os.environ.copy(), timeout=300)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    for name in NAMES:
        assert (out / f"{name}.csv").read_bytes() == (c_tables / f"{name}.csv").read_bytes(), name


@pytest.mark.parametrize("command", ["c", "python"])
def test_an_unwritable_dir_fails_at_once(tmp_path, command):
    if command == "c" and not CLI.exists():
        pytest.skip("the C command is not built")
    (tmp_path / "file").write_text("x")
    exe = [str(CLI)] if command == "c" else [sys.executable, "-m", "triage"]
    r = subprocess.run([*exe, "simulate", "--scenario", str(KUUSOTSO), "--days", "3",
                        "--tables", str(tmp_path / "file" / "tables")],
                       capture_output=True, text=True, env=os.environ.copy(), timeout=300)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == f"triage: --tables {tmp_path / 'file' / 'tables'}: cannot create the " \
                       "directory: Not a directory\n"
