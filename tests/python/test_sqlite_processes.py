"""Two Python processes on one SQLite file (docs/storage.md, "Many engines on
one database"): they interleave intakes and assignments, and each sees the
other's work on its next call, with no lock held between calls."""

import pytest

import triage
from interleave import T0, interleave

pytestmark = pytest.mark.skipif(not triage.sqlite_available(), reason="built without SQLite")


def test_two_processes_interleave(tmp_path):
    path = str(tmp_path / "shared.db")
    with triage.Engine.open_sqlite(path, clock=lambda: T0) as a:
        interleave(a, "triage.Engine.open_sqlite(sys.argv[1], create=False, clock=lambda: T0)",
                   [path])
