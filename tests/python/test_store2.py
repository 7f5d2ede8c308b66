"""Stores of interface 2 written in Python (docs/python-store.md,
bindings/python/store2.i): several engines on one store object see each
other's work, a conflict the store raises is retried, retries run out with
ConflictError, and the protocol's errors come back as for interface 1.
"""

import datetime
import threading
import uuid

import pytest

import triage
from triage import MemoryStore2, RecordKind, Role, Stage, StoreConflict

UTC = datetime.timezone.utc
T0 = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 10:00 in Finland


def clock():
    return T0


def engine(store):
    return triage.Engine.open(store, clock=clock)


class Proxy:
    """Another engine's view of the same store: everything is the shared
    store's, except that ``hook`` may run at the start of a transaction (as
    if another engine committed between this one's refresh and its write),
    and conflicts are counted."""

    def __init__(self, store):
        self.store = store
        self.hook = None
        self.hook_times = 0
        self.conflicts = 0

    def begin(self):
        if self.hook and self.hook_times > 0:
            self.hook_times -= 1
            self.hook()
        self.store.begin()

    def put_record(self, record):
        try:
            self.store.put_record(record)
        except StoreConflict:
            self.conflicts += 1
            raise

    def append_event2(self, event):
        try:
            self.store.append_event2(event)
        except StoreConflict:
            self.conflicts += 1
            raise

    def __getattr__(self, name):
        return getattr(self.store, name)


def test_two_engines_see_each_other():
    store = MemoryStore2()
    a, b = engine(store), engine(store)
    sc = [a.add_worker(role=Role.SOCIAL_COUNSELLOR), b.add_worker(role=Role.SOCIAL_COUNSELLOR)]
    cases = []
    for i in range(4):
        x, y = (a, b) if i % 2 == 0 else (b, a)
        client = x.add_client(municipality=297)
        case = x.intake(client, kind="notification", received=T0).case
        cases.append(case)
        assert y.case(case).stage == Stage.RECEIVED  # the other one's next call sees it
        y.assign(case, at=T0)                        # and assigns it
        assert x.case(case).assessment_worker in sc
    assert sorted(a.cases()) == sorted(b.cases()) == sorted(cases)
    a.move(cases[0], Stage.GUIDANCE, at=T0)
    assert b.case(cases[0]).stage == Stage.GUIDANCE
    # one event order for both, gap-free
    seqs = [ev.seq for ev in b.events()]
    assert seqs == list(range(1, len(seqs) + 1)) == [ev.seq for ev in a.events()]
    assert [ev.seq for ev in store.events()] == seqs
    # the typed columns reached the store
    rec = store.records(RecordKind.CASE)[cases[0]]
    assert rec.fields["stage"] == int(Stage.GUIDANCE)
    assert rec.owner == rec.fields["client"]
    assert isinstance(rec.fields["received"], int)
    assert store.records(RecordKind.INTAKE) and store.records(RecordKind.DEADLINE)
    a.close()
    b.close()
    # the data outlives the engines
    with engine(store) as c:
        assert sorted(c.cases()) == sorted(cases)


def test_conflict_is_retried():
    store = MemoryStore2()
    a_view = Proxy(store)
    a, b = engine(a_view), engine(store)
    client = a.add_client(municipality=297)
    case = a.intake(client, kind="notification", received=T0).case
    a.move(case, Stage.GUIDANCE, at=T0)
    assert b.case(case).stage == Stage.GUIDANCE
    # B records a contact attempt between A's refresh and A's write
    a_view.hook = lambda: b.contact_attempt(case, False, at=T0)
    a_view.hook_times = 1
    a.contact_attempt(case, False, at=T0)
    # the attempt found, once in its write transaction, that B had
    # committed: it wrote nothing (the store refused nothing), and the next
    # attempt ran inside the same transaction
    assert a.stats()["races"] == 1 and a_view.conflicts == 0
    assert a.case(case).contact_attempts == b.case(case).contact_attempts == 2
    # after a race the engine takes its write transaction first for its
    # next calls: B's commit before A's begin is read inside the lock, where
    # B cannot commit, and A loses nothing
    a_view.hook_times = 10
    a.move(case, Stage.CLOSED, at=T0, reason="advice_given")
    assert a.stats()["races"] == 1 and a.stats()["conflicts"] == 0
    assert a_view.hook_times == 9   # one begin
    assert b.case(case).stage == Stage.CLOSED
    assert b.case(case).contact_attempts == 2 + 1


def test_retries_run_out():
    store = MemoryStore2()
    a_view = Proxy(store)
    a = triage.Engine.open(a_view, clock=clock, retries=0)
    b = engine(store)
    client = a.add_client(municipality=297)
    case = a.intake(client, kind="notification", received=T0).case
    a.move(case, Stage.GUIDANCE, at=T0)
    a_view.hook = lambda: b.contact_attempt(case, False, at=T0)
    a_view.hook_times = 1
    with pytest.raises(triage.ConflictError) as info:
        a.move(case, Stage.CLOSED, at=T0, reason="advice_given")
    assert info.value.argument == "case"
    assert b.case(case).stage == Stage.GUIDANCE   # nothing of A's is stored
    a.move(case, Stage.CLOSED, at=T0, reason="advice_given")
    assert b.case(case).stage == Stage.CLOSED
    with pytest.raises(triage.InvalidArgument):
        triage.Engine(retries=-1)


def again(call):
    """An application's answer to ConflictError: the call changed nothing,
    so it is made again (engines that only commit can keep one losing for
    longer than its retries)."""
    for _ in range(1000):
        try:
            return call()
        except triage.ConflictError:
            pass
    raise AssertionError("a call lost the race 1000 times")


def test_threads_share_one_store():
    store = MemoryStore2()
    made = []

    def work():
        with engine(store) as e:
            for _ in range(10):
                c = again(lambda: e.add_client(municipality=297))
                made.append(again(lambda: e.intake(c, kind="contact", received=T0)).case)
    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 30
    with engine(store) as e:
        assert sorted(e.cases()) == sorted(made)
        seqs = [ev.seq for ev in e.events()]
        assert seqs == list(range(1, len(seqs) + 1))


def test_protocol_errors():
    class NoQuery:
        def __getattr__(self, name):
            if name == "query_events":
                raise AttributeError(name)
            return lambda *a: None
    with pytest.raises(triage.InvalidArgument) as info:
        engine(NoQuery())
    assert info.value.argument == "store.query_events"

    class HalfRead(MemoryStore2):
        read_end = None
    with pytest.raises(triage.InvalidArgument) as info:
        engine(HalfRead())
    assert info.value.argument == "store.read_end"

    # a store method that raises: StoreError with the original as __cause__,
    # the engine unchanged and still usable
    class Boom(Exception):
        pass

    class Flaky(MemoryStore2):
        fail = False

        def put_record(self, record):
            if self.fail:
                raise Boom("disk full")
            super().put_record(record)
    s = Flaky()
    e = engine(s)
    c = e.add_client(municipality=297)
    s.fail = True
    with pytest.raises(triage.StoreError) as info:
        e.intake(c, kind="contact", received=T0)
    assert isinstance(info.value.__cause__, Boom)
    assert info.value.argument == "put_record"
    assert list(e.cases()) == []
    s.fail = False
    e.intake(c, kind="contact", received=T0)
    assert len(list(e.cases())) == 1

    # values of the wrong type from a read
    class BadRead(MemoryStore2):
        bad = False

        def get_record(self, kind, id):
            return "not a record" if self.bad else super().get_record(kind, id)
    s = BadRead()
    with engine(s) as e:
        c = e.add_client(municipality=297)
        case = e.intake(c, kind="contact", received=T0).case
        e.move(case, Stage.GUIDANCE, at=T0)
        e.move(case, Stage.CLOSED, at=T0, reason="advice_given")  # leaves memory
        s.bad = True
        with pytest.raises(triage.StoreError) as info:
            e.case(case)
        assert isinstance(info.value.__cause__, (TypeError, AttributeError))


def test_interface1_store_still_one_engine():
    s = triage.MemoryStore()
    with triage.Engine.open(s, clock=clock):
        with pytest.raises(triage.ConflictError):
            triage.Engine.open(s, clock=clock)


def test_postgresql_available_is_a_bool():
    assert triage.postgresql_available() in (True, False)
    if not triage.postgresql_available():
        with pytest.raises(triage.InvalidArgument):
            triage.Engine.open_postgresql("")
    with pytest.raises(TypeError):
        triage.Engine.open_postgresql(None)
    with pytest.raises(triage.InvalidArgument):
        triage.Engine.open_postgresql("", schema="Not-Valid")
