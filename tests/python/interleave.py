"""The two-process dialog of the shared-database tests: this process holds
engine `a`, a child process opens its own engine on the same database (the
`opener` line of the child's script) and answers one command per line; they
interleave intakes and assignments and each must see the other's work on
its next call (docs/storage.md, "Many engines on one database")."""

import datetime
import os
import select
import subprocess
import sys
import uuid

from triage import Role, Stage

T0 = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.timezone.utc)

CHILD = r"""
import datetime, sys, uuid
import triage
T0 = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=datetime.timezone.utc)
e = OPENER
for line in sys.stdin:
    cmd, *args = line.split()
    if cmd == "intake":
        c = e.add_client(municipality=297)
        out = e.intake(c, kind="notification", received=T0).case
    elif cmd == "stage":
        out = e.case(uuid.UUID(args[0])).stage.name
    elif cmd == "assign":
        out = e.assign(uuid.UUID(args[0]), at=T0).worker
    elif cmd == "worker":
        out = e.case(uuid.UUID(args[0])).assessment_worker
    elif cmd == "cases":
        out = len(list(e.cases()))
    print(out, flush=True)
e.close()
"""


def interleave(a, opener, argv):
    """Runs the dialog with engine `a`; `opener` opens the child's engine
    from sys.argv[1:] = `argv` (a Python expression)."""
    w = a.add_worker(role=Role.SOCIAL_COUNSELLOR)
    script = CHILD.replace("OPENER", opener)
    child = subprocess.Popen([sys.executable, "-c", script, *argv], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ))

    def ask(line):
        child.stdin.write(line + "\n")
        child.stdin.flush()
        ready, _, _ = select.select([child.stdout], [], [], 120)
        assert ready, f"the other process did not answer {line!r}"
        return child.stdout.readline().strip()
    try:
        mine = a.intake(a.add_client(municipality=297), kind="contact", received=T0).case
        assert ask(f"stage {mine}") == "RECEIVED"          # B sees A's intake
        theirs = uuid.UUID(ask("intake"))
        assert a.case(theirs).stage == Stage.RECEIVED       # A sees B's
        assert ask(f"assign {mine}") == str(w)               # B assigns A's case
        assert a.case(mine).assessment_worker == w          # A sees it
        assert a.assign(theirs, at=T0).worker == w           # A assigns B's
        assert ask(f"worker {theirs}") == str(w)
        a.move(mine, Stage.GUIDANCE, at=T0)
        assert ask(f"stage {mine}") == "GUIDANCE"
        assert ask("cases") == "2"
    finally:
        child.stdin.close()
        assert child.wait(timeout=60) == 0
    seqs = [ev.seq for ev in a.events()]
    assert seqs == list(range(1, len(seqs) + 1))
    assert a.stats()["refreshes"] >= 2
