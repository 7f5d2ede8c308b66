"""A database written by libtriage 0.1 (schema 1) migrates to schema 2 and
reports what 0.1 reported for it: every figure 0.1 printed is the same in
the migrated file's report, except those whose definition changed on
purpose, which add up to 0.1's (tests/fixtures/README.md)."""
import datetime
import json
import pathlib
import shutil

import triage

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
OLD = FIXTURES / "schema1-north-savo-20d.report.json"
DB = FIXTURES / "schema1-north-savo-20d.db"


def flat(value, prefix=""):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(flat(v, f"{prefix}.{k}"))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(flat(v, f"{prefix}[{i}]"))
        return out
    return {prefix: value}


def test_migrated_fixture_reports_what_0_1_reported(tmp_path):
    path = tmp_path / "fixture.db"
    shutil.copyfile(DB, path)
    with triage.Engine.open_sqlite(str(path), create=False) as e:
        report = e.report(datetime.date(2025, 1, 1), datetime.date(2025, 2, 1))
        new = json.loads(report.to_json())
    old = json.loads(OLD.read_text())
    fo, fn = flat(old), flat(new)
    changed = {".format_version", ".missed_appointments"}
    changed |= {k for k in fo if k.startswith(".deadlines[") and k.endswith(".met")}
    for key, value in fo.items():
        if key in changed:
            continue
        assert key in fn, f"{key} is gone from the report"
        assert fn[key] == value, f"{key}: {fn[key]!r}, 0.1 said {value!r}"
    # the figures whose definition changed add up to 0.1's
    for i, row in enumerate(old["deadlines"]):
        now = new["deadlines"][i]
        assert now["basis"] == row["basis"]
        assert now["met"] + now.get("met_on_arrival", 0) == row["met"], row["basis"]
    failed = new["failed_contacts"]
    assert failed["no_shows"] + failed["unreachable_attempts"] == old["missed_appointments"]
    assert new["format_version"] == 2


def test_committed_migrated_report_is_current(tmp_path):
    """The golden file the C test compares with is what the library reports."""
    path = tmp_path / "fixture.db"
    shutil.copyfile(DB, path)
    with triage.Engine.open_sqlite(str(path), create=False) as e:
        text = e.report(datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)).to_json()
    golden = (FIXTURES / "schema1-north-savo-20d.migrated.report.json").read_text()
    assert json.loads(text) == json.loads(golden)
