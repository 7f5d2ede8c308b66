"""docs/python.md stays true: its three studies are the scripts in
examples/python/, shown in full, and the output block under each is what the
script prints today. Run with TRIAGE_UPDATE_DOCS=1 to rewrite the blocks from
the scripts (then review the diff)."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import triage

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python.md"
BUILD = pathlib.Path(triage.__file__).resolve().parents[3]
BLOCK = re.compile(r"<!-- (example|output): (\S+) -->\n```(\w*)\n(.*?)```\n", re.S)
STUDIES = ["examples/python/absence_whatif.py", "examples/python/policy_comparison.py",
           "examples/python/monthly_view.py"]


def run(script):
    env = {**os.environ, "TRIAGE_CLI": str(BUILD / "examples" / "cli" / "triage")}
    r = subprocess.run([sys.executable, str(ROOT / script)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


def expected(kind, path, cache):
    if kind == "example":
        return (ROOT / path).read_text(encoding="utf-8")
    if path not in cache:
        cache[path] = run(path)
    return cache[path]


@pytest.mark.skipif(os.environ.get("TRIAGE_SANITIZED") == "1",
                    reason="the studies simulate some 360 years: checked in the plain build "
                           "(like region-figures)")
def test_studies_in_the_guide_are_current():
    text = DOC.read_text(encoding="utf-8")
    found = {(m.group(1), m.group(2)) for m in BLOCK.finditer(text)}
    assert found == {(k, s) for s in STUDIES for k in ("example", "output")}
    cache = {}
    if os.environ.get("TRIAGE_UPDATE_DOCS") == "1":
        def fill(m):
            kind, path, lang = m.group(1), m.group(2), m.group(3)
            return f"<!-- {kind}: {path} -->\n```{lang}\n{expected(kind, path, cache)}```\n"
        DOC.write_text(BLOCK.sub(fill, text), encoding="utf-8")
        pytest.skip("docs/python.md rewritten from the scripts")
    for m in BLOCK.finditer(text):
        kind, path, body = m.group(1), m.group(2), m.group(4)
        assert body == expected(kind, path, cache), (
            f"docs/python.md: the {kind} block of {path} is stale "
            "(TRIAGE_UPDATE_DOCS=1 rewrites it)")
