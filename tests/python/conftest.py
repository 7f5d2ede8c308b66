import datetime
import os
import sys

import pytest

# meson test puts the build's bindings directory on PYTHONPATH; make a plain
# `pytest` run from a build tree fail loudly instead of importing something else.
import triage  # noqa: F401

assert "bindings" in os.path.dirname(triage.__file__), triage.__file__

# No test may depend on today's date. An engine given no clock reads the real
# time (for the events of client and worker records, and for calls made with
# no time of their own); every engine made in a test gets this fixed instant
# instead, unless the test passes its own clock. 2026-01-05 08:00 UTC is a
# Monday, the same instant the C tests' fixed clock gives.
FIXED_NOW = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.timezone.utc)


def fixed_clock():
    return FIXED_NOW


@pytest.fixture(autouse=True)
def _engines_have_a_fixed_clock(monkeypatch):
    real_init = triage.Engine.__init__

    def init(self, *args, clock=None, **kwargs):
        real_init(self, *args, clock=fixed_clock if clock is None else clock, **kwargs)

    monkeypatch.setattr(triage.Engine, "__init__", init)
    yield
