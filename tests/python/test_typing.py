"""The package's type stubs (triage/__init__.pyi, with py.typed): every name
they declare exists with the same parameters, and mypy (when installed)
accepts the examples and a typed study against them."""
import ast
import inspect
import os
import pathlib
import subprocess
import sys

import pytest

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]
PKG = pathlib.Path(triage.__file__).resolve().parent
STUB = PKG / "__init__.pyi"


def stub_tree():
    return ast.parse(STUB.read_text(encoding="utf-8"))


def params(fn_node):
    a = fn_node.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    return [n for n in names if n not in ("self", "cls")]


def test_stub_and_marker_are_shipped():
    assert STUB.exists() and (PKG / "py.typed").exists()


def test_every_stubbed_name_exists_with_its_parameters():
    checked = 0
    for node in stub_tree().body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            fn = getattr(triage, node.name)
            sig = inspect.signature(fn)
            real = [p.name for p in sig.parameters.values()
                    if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]
            assert real == [p for p in params(node)
                            if p not in ("thresholds", "fields", "kwargs")], node.name
            checked += 1
        elif isinstance(node, ast.ClassDef):
            cls = getattr(triage, node.name)
            assert isinstance(cls, type), node.name
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("__"):
                    assert hasattr(cls, item.name), f"{node.name}.{item.name}"
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    name = item.target.id
                    assert (hasattr(cls, name) or name in getattr(cls, "__slots__", ())
                            or name in ("metadata", "parameters", "reports", "per_seed",
                                        "streams_differ", "code", "message", "argument",
                                        "cause", "need_severe", "need_significant",
                                        "need_areas", "capacity_sum")), f"{node.name}.{name}"
            checked += 1
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if not node.target.id.startswith("_"):
                assert hasattr(triage, node.target.id), node.target.id
    assert checked > 40


STUDY = '''
import triage

sc: triage.Scenario = triage.Scenario.load("examples/scenarios/north-savo.scn")
worse = sc.copy().set("guidance", "resolved", 0.4)
c: triage.Comparison = triage.compare(sc, worse, seeds=range(1, 4), days=30)
low: float = c.row("wait_assessment_start_median")["ci_low"]
ex = triage.replicate(sc, [1, 2], processes=1)
table: triage.Table = ex.summary()
q: triage.Quadrant = triage.classify(need={"housing": 3}).quadrant
days: int = triage.assess_urgency(["no_food_or_medicine"]).response_days
'''

BAD = '''
import triage
n: int = triage.classify(need={"housing": 3}).quadrant.name
triage.replicate(triage.Scenario(), seeds="many")
'''


def mypy(tmp_path, *files):
    if subprocess.run([sys.executable, "-c", "import mypy"], capture_output=True).returncode:
        pytest.skip("mypy is not installed for this interpreter")
    env = {**os.environ, "MYPYPATH": str(PKG.parent)}
    return subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary",
                           "--cache-dir", str(tmp_path / "cache"), "--python-version", "3.11",
                           *map(str, files)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)


def test_mypy_accepts_the_examples_and_a_study(tmp_path):
    study = tmp_path / "study.py"
    study.write_text(STUDY)
    examples = sorted((ROOT / "examples" / "python").glob("*.py"))
    r = mypy(tmp_path, study, *examples)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_catches_misuse(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(BAD)
    r = mypy(tmp_path, bad)
    assert r.returncode == 1
    assert 'bad.py:3: error: Incompatible types in assignment' in r.stdout
    assert 'bad.py:4: error: Argument "seeds"' in r.stdout
