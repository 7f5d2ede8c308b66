"""Plots: a PNG is written, has the figure's size, and carries the metadata
in its text chunks and caption."""
import pathlib

import pytest

import triage

pytest.importorskip("matplotlib")

ROOT = pathlib.Path(__file__).resolve().parents[2]
NORTH_SAVO = ROOT / "examples" / "scenarios" / "north-savo.scn"


@pytest.fixture(scope="module")
def sc():
    return triage.Scenario.load(NORTH_SAVO)


def check_png(path, size, meta):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert triage.png_size(path) == size
    text = triage.png_metadata(path)
    assert text["libtriage"] == triage._values.json.loads(triage._values.metadata_json(meta))
    assert text["Software"] == f"libtriage {triage.version()}"
    assert f"libtriage {triage.version()}" in text["Description"]


def test_report_plot(sc, tmp_path):
    r = triage.simulate(sc, days=30, seed=1)
    fig = r.plot(tmp_path / "r.png")
    check_png(tmp_path / "r.png", (1300, 450), r.metadata)
    assert fig.triage_metadata == r.metadata
    assert any(sc.sha256[:12] in t.get_text() for t in fig.texts)   # the caption
    r.plot(tmp_path / "small.png", figsize=(6, 3), dpi=50)
    assert triage.png_size(tmp_path / "small.png") == (300, 150)


def test_engine_report_plot(tmp_path):
    import datetime
    with triage.Engine() as e:
        rep = e.report(datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))
    rep.plot(tmp_path / "e.png")
    check_png(tmp_path / "e.png", (1300, 450), rep.metadata)


def test_experiment_and_comparison_plots(sc, tmp_path):
    ex = triage.replicate(sc, [1, 2, 3], days=20, processes=1)
    ex.plot(tmp_path / "x.png")
    check_png(tmp_path / "x.png", (1290, 720), ex.metadata)
    sw = triage.sweep(sc, {"guidance.resolved": [0.4, 0.6]}, [1, 2], days=20, processes=1)
    sw.plot(tmp_path / "s.png", metrics=["wait_assessment_start_median"])
    check_png(tmp_path / "s.png", (430, 390), sw.metadata)
    b = sc.copy().set("guidance", "resolved", 0.4)
    c = triage.compare(sc, b, [1, 2, 3], days=20, processes=1)
    c.plot(tmp_path / "c.png")
    check_png(tmp_path / "c.png", (1000, 510), c.metadata)
