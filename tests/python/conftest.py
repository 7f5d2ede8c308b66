import os
import sys

# meson test puts the build's bindings directory on PYTHONPATH; make a plain
# `pytest` run from a build tree fail loudly instead of importing something else.
import triage  # noqa: F401

assert "bindings" in os.path.dirname(triage.__file__), triage.__file__
