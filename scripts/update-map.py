#!/usr/bin/env python3
"""Rewrites the global list of src/libtriage.map's current node from the
TRIAGE_API declarations in include/triage (run after adding a function)."""
import glob
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
names = set()
for h in glob.glob(f"{root}/include/triage/**/*.h", recursive=True) + [f"{root}/include/triage/version.h.in"]:
    text = open(h, encoding="utf-8").read()
    for m in re.finditer(r"TRIAGE_API[^;{]*?\b(triage_[a-z0-9_]+)\s*\(", text, re.S):
        names.add(m.group(1))
path = f"{root}/src/libtriage.map"
s = open(path, encoding="utf-8").read()
head = s[: s.index("  global:") + len("  global:\n")]
tail = s[s.index("  local:"):]
open(path, "w", encoding="utf-8").write(head + "".join(f"    {n};\n" for n in sorted(names)) + tail)
print(f"{len(names)} symbols")
