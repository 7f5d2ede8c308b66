"""python3 -m triage runs the CLI's commands: the same text for date-info,
deadlines and classify, the same CSV and JSON bytes for simulate and report,
--help on every command, one stderr line and exit 2 on bad arguments."""
import os
import pathlib
import subprocess
import sys

import pytest

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(triage.__file__).resolve().parents[3]
CLI = BUILD / "examples" / "cli" / "triage"
NORTH_SAVO = ROOT / "examples" / "scenarios" / "north-savo.scn"
COMMANDS = ["date-info", "deadlines", "classify", "report", "simulate", "replicate", "compare"]


def py(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "triage", *map(str, args)], input=stdin,
                          capture_output=True, text=True, env=os.environ.copy(), timeout=300)


def c(*args, stdin=""):
    return subprocess.run([str(CLI), *map(str, args)], input=stdin, capture_output=True,
                          text=True, timeout=300)


needs_cli = pytest.mark.skipif(not CLI.exists(), reason="the C command is not built")


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command):
    r = py(command, "--help")
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith(f"usage: triage {command}")


@needs_cli
@pytest.mark.parametrize("args, stdin", [
    (["date-info", "2026-11-23"], ""),
    (["deadlines", "--kind", "contact", "--received", "2026-11-23", "--own-contact",
      "--age", "80"], ""),
    (["deadlines", "--kind=notification", "--received=2026-11-23", "--urgency", "URGENT"], ""),
    (["deadlines", "--kind", "child_welfare_notification", "--received", "2026-11-23",
      "--service", "family"], ""),
    (["classify", "--need", "housing=2,mental_health=3", "--capacity", "psychiatric=2"], ""),
    (["classify", "--need=housing=3", "--capacity=psychiatric=2", "--age-related"], ""),
    (["classify"], '{"need": {"activity": 2, "life_skills": 2, "housing": 2}}'),
    (["simulate", "--scenario", NORTH_SAVO, "--days", "30", "--seed", "2", "--format", "csv"], ""),
    (["simulate", "--scenario", NORTH_SAVO, "--days", "30", "--format", "json"], ""),
])
def test_same_output_as_the_c_command(args, stdin):
    a, b = py(*args, stdin=stdin), c(*args, stdin=stdin)
    assert (a.returncode, a.stdout) == (b.returncode, b.stdout)
    assert a.returncode == 0


@needs_cli
def test_report_same_bytes_and_plot(tmp_path):
    db = tmp_path / "run.db"
    # no warm-up: 40 durable days, not North Savo's year before them
    assert c("simulate", "--scenario", NORTH_SAVO, "--days", "40", "--warmup", "0", "--db", db,
             "--format", "csv").returncode == 0
    args = ["report", "--db", db, "--from", "2025-01-01", "--to", "2025-02-09"]
    for fmt in ("csv", "json"):
        a, b = py(*args, "--format", fmt), c(*args, "--format", fmt)
        assert a.returncode == 0 and a.stdout == b.stdout
    pytest.importorskip("matplotlib")
    png = tmp_path / "r.png"
    r = py(*args, "--plot", png)
    assert r.returncode == 0, r.stderr
    assert triage.png_size(png) == (1300, 450)


@pytest.mark.parametrize("args", [
    ["no-such-command"], ["date-info"], ["date-info", "2026-02-30"],
    ["deadlines", "--kind", "nonsense", "--received", "2026-11-23"],
    ["deadlines", "--kind", "contact"], ["classify", "--need", "housing=4"],
    ["classify", "--need", "rent=1"], ["simulate", "--days", "5"],
    ["simulate", "--scenario", "/nonexistent.scn"],
    ["report", "--db", "x.db", "--from", "2026-11-30", "--to", "2026-11-01"],
])
def test_bad_arguments(args):
    r = py(*args)
    assert r.returncode == 2
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("triage: ")


def test_replicate_and_compare_commands(tmp_path):
    r = py("replicate", "--scenario", NORTH_SAVO, "--days", "20", "--seeds", "3",
           "--processes", "1")
    assert r.returncode == 0, r.stderr
    assert "wait_assessment_start_median" in r.stdout and "Student's t" in r.stdout
    b = tmp_path / "b.scn"
    triage.Scenario.load(NORTH_SAVO).set("guidance", "resolved", 0.4).save(b)
    r = py("compare", "--a", NORTH_SAVO, "--b", b, "--days", "20", "--seeds", "3",
           "--processes", "1", "--format", "csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("# triage: ")
    assert lines[1] == "metric,a,b,difference,ci_low,ci_high,sd,n"
