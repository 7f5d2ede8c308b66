"""Engines on stores from Python (docs/storage.md, docs/python-store.md):
Engine.open_sqlite, Engine.open_memory, and stores written in Python through
the C trampolines of bindings/python/store.i (docs/conventions.md rules 24, 27).

What only the binding can get wrong is tested here: a store method that
raises (the engine must roll back, raise StoreError chaining the original and
stay usable), destroy/close exactly once, the GIL and reference handling when
objects are dropped in any order, and bad values coming back from a store.
"""

import datetime
import gc
import itertools
import os
import sqlite3
import stat
import uuid
import weakref

import pytest

import triage
from triage import MemoryStore, RecordKind, Role, Stage

UTC = datetime.timezone.utc
T0 = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 10:00 in Finland
EUSER = -10

needs_sqlite = pytest.mark.skipif(not triage.sqlite_available(), reason="built without SQLite")


def populate(e):
    """Workers, clients and cases in several stages: every record kind the
    engine writes today, and events of most kinds."""
    sw = e.add_worker(role=Role.SOCIAL_WORKER, office=297, served=(297,))
    sc = e.add_worker(role=Role.SOCIAL_COUNSELLOR, office=297, languages=("fi", "sv"))
    a = e.add_client(date_of_birth="1980-05-17", municipality=297)
    b = e.add_client(date_of_birth="1955-01-02", language="sv", municipality=297)
    r1 = e.intake(a, kind="notification", triggers=["acute_crisis"], received=T0)
    r2 = e.intake(b, kind="contact", received=T0)
    e.move(r1.case, Stage.GUIDANCE, at=T0, actor=sw)
    e.contact_attempt(r1.case, True, at=T0, actor=sw)
    e.move(r2.case, Stage.GUIDANCE, at=T0, actor=sc)
    e.move(r2.case, Stage.CLOSED, at=T0, actor=sc, reason="advice_given")
    e.update_client(a, municipality=92)
    return r1.case


def snapshot(e):
    return (
        [e.client(i) for i in e.clients()],
        [e.worker(i) for i in e.workers()],
        [e.case(i) for i in e.cases()],
        list(e.events()),
    )


def store_state(s):
    return ({k: s.records(k) for k in RecordKind}, s.events())


class Boom(Exception):
    pass


class FailingStore(MemoryStore):
    """A MemoryStore whose method ``fail_in`` raises on its ``fail_at``-th call
    (counting from when it was armed); counts close()."""

    def __init__(self):
        super().__init__()
        self.fail_in = None
        self.fail_at = 0
        self.calls = 0
        self.closed = 0
        self.exc = None

    def arm(self, method, nth=1, exc=None):
        self.fail_in, self.fail_at, self.calls = method, nth, 0
        self.exc = exc if exc is not None else Boom(f"{method} failed")

    def _maybe(self, method):
        if method == self.fail_in:
            self.calls += 1
            if self.calls == self.fail_at:
                self.fail_in = None
                raise self.exc

    def begin(self):
        self._maybe("begin")
        super().begin()

    def commit(self):
        self._maybe("commit")
        super().commit()

    def rollback(self):
        self._maybe("rollback")
        super().rollback()

    def put(self, kind, id, keys, data):
        self._maybe("put")
        super().put(kind, id, keys, data)

    def append_event(self, event):
        self._maybe("append_event")
        super().append_event(event)

    def list(self, kind):
        self._maybe("list")
        return super().list(kind)

    def list_events(self):
        self._maybe("list_events")
        return super().list_events()

    def schema_version(self):
        self._maybe("schema_version")
        return super().schema_version()

    def close(self):
        self.closed += 1
        super().close()


# ---- SQLite ------------------------------------------------------------------------

@needs_sqlite
def test_sqlite_round_trip(tmp_path):
    path = tmp_path / "triage.db"
    with triage.Engine.open_sqlite(path) as e:
        case = populate(e)
        before = snapshot(e)
    assert path.exists()
    with triage.Engine.open_sqlite(str(path), create=False) as e:
        assert snapshot(e) == before
        # Sequence numbers continue after the reloaded events.
        e.move(case, Stage.CLOSED, at=T0, reason="advice_given")
        assert [ev.seq for ev in e.events()] == list(range(1, len(before[3]) + 2))
        after = snapshot(e)
    with triage.Engine.open_sqlite(bytes(path)) as e:
        assert snapshot(e) == after


@needs_sqlite
def test_sqlite_keeps_deadlines_that_arise_after_intake(tmp_path):
    """D9, D13, D12b (superseded and re-anchored) and the plan review are
    rows of their own: stored, reloaded and checked like the intake's rows."""
    path = tmp_path / "later.db"
    day = datetime.timedelta(days=1)
    with triage.Engine.open_sqlite(path) as e:
        cl = e.add_client(municipality=297)
        r = e.intake(cl, kind="application", received=T0)
        e.service_decision(r.case, at=T0 + day)
        e.request_meeting(r.case, at=T0 + 2 * day)
        e.request_completion(r, period_end="2026-12-09", at=T0 + day)
        e.application_completed(r, at=T0 + 3 * day)
        before = [(d.row, d.start, d.due, d.met, d.superseded)
                  for d in e.case_deadlines(r.case, "2026-11-30")]
    assert {"D9", "D13", "D12b"} <= {row for row, *_ in before}
    with triage.Engine.open_sqlite(path, create=False) as e:
        after = [(d.row, d.start, d.due, d.met, d.superseded)
                 for d in e.case_deadlines(r.case, "2026-11-30")]
        kinds = [ev.kind for ev in e.events(r.case)]
    assert after == before
    assert kinds.count(triage.EventKind.DEADLINE_ADDED) == 4


@needs_sqlite
def test_sqlite_missing_file_without_create(tmp_path):
    with pytest.raises(triage.NotFound):
        triage.Engine.open_sqlite(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


@needs_sqlite
@pytest.mark.parametrize("what", ["text", "other_sqlite"])
def test_sqlite_not_a_libtriage_database(tmp_path, what):
    path = tmp_path / "other.db"
    if what == "text":
        path.write_text("a shopping list, not a database\n" * 100)
    else:
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        con.execute("INSERT INTO notes (body) VALUES ('x')")
        con.commit()
        con.close()
    before = path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(triage.ConflictError) as info:
        triage.Engine.open_sqlite(path)
    assert info.value.code == -8
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


@needs_sqlite
def test_sqlite_two_engines_on_one_file(tmp_path):
    path = tmp_path / "triage.db"
    with triage.Engine.open_sqlite(path) as a:
        a.add_client()
        with triage.Engine.open_sqlite(path) as b:  # no lock is held between calls
            assert len(list(b.clients())) == 1
            b.add_client()
            assert len(list(a.clients())) == 2  # each sees the other's work
        a.add_client()
    with triage.Engine.open_sqlite(path) as e:
        assert len(list(e.clients())) == 3


@needs_sqlite
def test_sqlite_busy_past_the_timeout(tmp_path):
    path = tmp_path / "triage.db"
    with triage.Engine.open_sqlite(path, busy_timeout_ms=20) as e:
        e.add_client()
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        with pytest.raises(triage.StoreError) as info:
            e.add_client()
        assert "busy" in str(info.value)
        assert len(list(e.clients())) == 1  # reads go on
        con.execute("ROLLBACK")
        con.close()
        e.add_client()
        assert len(list(e.clients())) == 2


@needs_sqlite
def test_sqlite_files_are_private_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "private.db"
        with triage.Engine.open_sqlite(path) as e:
            e.add_client()
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            wal = tmp_path / "private.db-wal"
            assert stat.S_IMODE(os.stat(wal).st_mode) == 0o600
        shared = tmp_path / "shared.db"
        with triage.Engine.open_sqlite(shared, file_mode=0o640):
            pass
        assert stat.S_IMODE(os.stat(shared).st_mode) == 0o640
    finally:
        os.umask(old)
    with pytest.raises(triage.InvalidArgument) as info:
        triage.Engine.open_sqlite(tmp_path / "x.db", file_mode=0o1777)
    assert info.value.argument == "file_mode"


@needs_sqlite
def test_sqlite_empty_file_without_create_is_corrupt(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    with pytest.raises(triage.CorruptError) as info:
        triage.Engine.open_sqlite(path, create=False)
    assert "empty" in info.value.message
    assert path.read_bytes() == b""
    with triage.Engine.open_sqlite(path):  # create=True: a new database
        pass
    assert path.stat().st_size > 0


@needs_sqlite
@pytest.mark.parametrize("check", [None, "quick", "full"])
def test_sqlite_edited_row_is_corrupt_and_file_unchanged(tmp_path, check):
    path = tmp_path / "edited.db"
    with triage.Engine.open_sqlite(path) as e:
        populate(e)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = DELETE")  # rollback mode: must stay so
    ident, data = con.execute("SELECT id, data FROM cases ORDER BY created LIMIT 1").fetchone()
    data = _CASE_EDITS["case.urgency"](bytearray(data), 77)  # checksum made right
    con.execute("UPDATE cases SET data = ? WHERE id = ?", (bytes(data), ident))
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(triage.CorruptError) as info:
        triage.Engine.open_sqlite(path, create=False, check=check)
    assert info.value.argument == "case.urgency"
    assert "case.urgency" in info.value.message
    assert path.read_bytes() == before
    assert not (tmp_path / "edited.db-wal").exists()
    with pytest.raises(triage.InvalidArgument) as info:
        triage.Engine.open_sqlite(path, check="thorough")
    assert info.value.argument == "check"


@needs_sqlite
@pytest.mark.parametrize("check", ["quick", "full"])
def test_sqlite_check_finds_a_missing_owner(tmp_path, check):
    """check= also runs foreign_key_check: a closed case (not read at open)
    whose client was deleted behind the store's back is found at open."""
    path = tmp_path / "orphan.db"
    with triage.Engine.open_sqlite(path) as e:
        populate(e)
        closed = [c for c in e.cases() if e.case(c).stage == Stage.CLOSED]
        client = str(e.case(closed[0]).client)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = DELETE")
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("DELETE FROM clients WHERE id = ?", (client,))
    con.commit()
    con.close()
    before = path.read_bytes()
    with triage.Engine.open_sqlite(path, create=False):  # no check: not read at open
        pass
    assert path.read_bytes() == before
    with pytest.raises(triage.CorruptError) as info:
        triage.Engine.open_sqlite(path, create=False, check=check)
    assert "not stored" in info.value.message
    assert path.read_bytes() == before


@needs_sqlite
def test_sqlite_bad_arguments(tmp_path):
    with pytest.raises(TypeError):
        triage.Engine.open_sqlite(None)
    with pytest.raises(ValueError):
        triage.Engine.open_sqlite(str(tmp_path / "a\0b.db"))
    with pytest.raises(triage.InvalidArgument) as info:
        triage.Engine.open_sqlite(tmp_path / "x.db", busy_timeout_ms=-1)
    assert info.value.argument == "busy_timeout_ms"
    with pytest.raises(TypeError):
        triage.Engine.open_sqlite(tmp_path / "x.db", colour="red")
    with pytest.raises(triage.InvalidArgument) as info:
        triage.Engine.open_sqlite(tmp_path / "x.db", office_open_min=2000)
    assert info.value.argument == "options.office_open_min"


@needs_sqlite
def test_sqlite_engine_options_apply(tmp_path):
    seen = []
    clock = lambda: T0  # noqa: E731
    with triage.Engine.open_sqlite(tmp_path / "t.db", audit=lambda *a: seen.append(a),
                                   clock=clock) as e:
        c = e.add_client()
        assert seen and seen[-1][2] == c
        assert list(e.events())[0].at == T0


# ---- the C in-memory store -----------------------------------------------------------

def test_open_memory_matches_plain_engine():
    with triage.Engine() as plain, triage.Engine.open_memory() as stored:
        populate(plain)
        populate(stored)
        p, s = snapshot(plain), snapshot(stored)
        assert [len(x) for x in p] == [len(x) for x in s]
        assert [(ev.seq, ev.kind) for ev in p[3]] == [(ev.seq, ev.kind) for ev in s[3]]
    assert triage.Engine.in_memory().closed is False


# ---- stores written in Python ------------------------------------------------------

def test_memory_store_round_trip():
    s = MemoryStore()
    assert s.schema_version() == 0
    e = triage.Engine.open(s)
    case = populate(e)
    before = snapshot(e)
    e.close()
    assert s.schema_version() == triage.STORE_SCHEMA_VERSION
    assert len(s.records(RecordKind.CLIENT)) == 2
    assert len(s.records(RecordKind.WORKER)) == 2
    assert len(s.records(RecordKind.CASE)) == 2
    assert s.events() == before[3]
    keys = s.keys(RecordKind.CASE, case)
    assert keys.owner == before[2][0].client and keys.stage == Stage.GUIDANCE
    assert s.get(RecordKind.CASE, case) == s.records(RecordKind.CASE)[case]
    assert s.get(RecordKind.CASE, uuid.uuid4()) is None

    with triage.Engine.open(s) as e2:
        assert snapshot(e2) == before
        e2.move(case, Stage.CLOSED, at=T0, reason="advice_given")
        after = snapshot(e2)
    with triage.Engine.open(s) as e3:
        assert snapshot(e3) == after
        assert e3.case(case).stage == Stage.CLOSED


def test_records_cross_as_bytes_and_keys():
    calls = []

    class Spy(MemoryStore):
        def put(self, kind, id, keys, data):
            calls.append((kind, id, keys, data))
            super().put(kind, id, keys, data)

    with triage.Engine.open(Spy()) as e:
        w = e.add_worker(role=Role.SOCIAL_WORKER)
        c = e.add_client()
    (k1, id1, keys1, d1), (k2, id2, keys2, d2) = calls
    assert (k1, id1, keys1.role) == (RecordKind.WORKER, w, Role.SOCIAL_WORKER)
    assert (k2, id2, keys2.owner) == (RecordKind.CLIENT, c, None)
    assert type(k1) is RecordKind and isinstance(keys1, triage.RecordKeys)
    assert isinstance(d1, bytes) and d1[:4] == b"TRG2"


def test_events_cross_as_event_objects_and_bytes():
    s = MemoryStore()
    with triage.Engine.open(s) as e:
        populate(e)
        evs = list(e.events())
    assert all(type(ev) is triage.Event for ev in s.events())
    assert s.events() == evs
    for ev in evs:
        raw = triage.event_to_bytes(ev)
        assert len(raw) == 168
        assert triage.event_from_bytes(raw) == ev
    with pytest.raises(triage.InvalidArgument):
        triage.event_from_bytes(b"x" * 168)
    with pytest.raises(TypeError):
        triage.event_to_bytes((1, 2))


def test_a_store_keeping_events_as_bytes():
    class BlobStore(MemoryStore):
        def append_event(self, event):
            super().append_event(triage.event_to_bytes(event))

        def list_events(self):
            return (triage.event_from_bytes(b) for b in super().list_events())

    s = BlobStore()
    with triage.Engine.open(s) as e:
        populate(e)
        before = snapshot(e)
    assert all(isinstance(b, bytes) for b in s.events())
    with triage.Engine.open(s) as e:
        assert snapshot(e) == before


def test_memory_store_protocol_directly():
    s = MemoryStore()
    k = RecordKind.ABSENCE
    a, b, c = (uuid.uuid4() for _ in range(3))
    keys = triage.RecordKeys(None, 0, 0, 0, 1, 2)
    with pytest.raises(RuntimeError):
        s.put(k, a, keys, b"a")  # outside a transaction
    s.begin()
    with pytest.raises(RuntimeError):
        s.begin()
    for i in (a, b, c):
        s.put(k, i, keys, b"v1")
    s.commit()
    s.begin()
    s.delete(k, a)
    s.put(k, b, keys, b"v2")
    s.put(k, uuid.uuid4(), keys, b"new")
    s.append_event("e")
    with pytest.raises(KeyError):
        s.delete(k, a)  # already deleted
    s.rollback()
    # Order and values as before the transaction.
    assert list(s.records(k).items()) == [(a, b"v1"), (b, b"v1"), (c, b"v1")]
    assert s.events() == []
    s.begin()
    s.delete(k, b)
    s.commit()
    assert list(s.records(k)) == [a, c]
    s.begin()
    s.put(k, a, keys, b"v3")
    s.close()  # rolls back what was left open
    assert s.records(k)[a] == b"v1"
    with pytest.raises(RuntimeError):
        s.commit()
    assert "absences=2" in repr(s)


@pytest.mark.parametrize("method,nth", [
    ("begin", 1), ("put", 1), ("put", 2), ("append_event", 1), ("append_event", 2),
    ("commit", 1),
])
def test_a_raising_store_method_becomes_store_error(method, nth):
    s = FailingStore()
    e = triage.Engine.open(s)
    populate(e)
    client = e.add_client(municipality=297)
    before, stored = snapshot(e), store_state(s)
    s.arm(method, nth)
    with pytest.raises(triage.StoreError) as info:
        # one transaction: two puts (client, case), two events (intake, urgency)
        e.intake(client, kind="notification", received=T0)
    err = info.value
    assert err.__cause__ is s.exc
    assert err.argument == method
    assert err.code == -9 and err.cause == EUSER
    assert "Boom" in str(err)
    # Nothing changed, in the engine or in the store.
    assert snapshot(e) == before
    assert store_state(s) == stored
    assert s._undo is None  # rolled back (begin failed: nothing to roll back)
    # A later call works and reaches the store.
    case = e.intake(client, kind="notification", received=T0).case
    assert e.case(case).client == client
    after = snapshot(e)
    e.close()
    with triage.Engine.open(s) as e2:
        assert snapshot(e2) == after
    assert s.closed == 2


def test_store_error_on_creation_calls():
    s = FailingStore()
    with triage.Engine.open(s) as e:
        s.arm("put")
        with pytest.raises(triage.StoreError):
            e.add_client()
        s.arm("append_event")
        with pytest.raises(triage.StoreError):
            e.add_worker()
        assert list(e.clients()) == [] and list(e.workers()) == []
        assert list(e.events()) == [] and store_state(s) == store_state(MemoryStore())
        e.add_client()


def test_failing_rollback_is_attached_and_engine_refuses_writes():
    s = FailingStore()
    e = triage.Engine.open(s)
    c = e.add_client()

    s.arm("commit")
    orig_rollback = s.rollback
    s.rollback = lambda: (_ for _ in ()).throw(OSError("disk gone"))
    with pytest.raises(triage.StoreError) as info:
        e.update_client(c, municipality=92)
    assert info.value.argument == "commit"
    assert isinstance(info.value.__cause__, Boom)
    assert isinstance(info.value.rollback_error, triage.StoreError)
    assert isinstance(info.value.rollback_error.__cause__, OSError)
    s.rollback = orig_rollback
    with pytest.raises(triage.StoreError, match="reopen"):
        e.add_client()
    assert e.client(c).municipality == 0  # reads still work
    e.close()


def test_keyboard_interrupt_is_not_wrapped():
    s = FailingStore()
    with triage.Engine.open(s) as e:
        s.arm("put", exc=KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            e.add_client()
        assert list(e.clients()) == []
        e.add_client()
        assert len(list(e.clients())) == 1


def test_store_failure_after_a_clock_failure_keeps_both():
    calls = []

    def clock():
        calls.append(1)
        raise ArithmeticError("clock broke")

    s = FailingStore()
    with triage.Engine.open(s, clock=clock) as e:
        s.arm("put")
        with pytest.raises(triage.StoreError) as info:
            e.add_client()  # the clock gives the event's time
        assert calls
        assert isinstance(info.value.__cause__, Boom)
        assert isinstance(info.value.__context__, ArithmeticError)
        assert list(e.clients()) == []


def test_store_calling_back_into_its_engine():
    holder = {}

    class Reentrant(MemoryStore):
        def commit(self):
            holder["e"].clients()  # forbidden: the engine is in a call
            super().commit()

        def close(self):
            with pytest.raises(ValueError):  # the engine is already closed
                holder["e"].clients()
            holder["closed"] = True
            super().close()

    s = Reentrant()
    e = holder["e"] = triage.Engine.open(s)
    with pytest.raises(triage.StoreError) as info:
        e.add_client()
    assert isinstance(info.value.__cause__, RuntimeError)
    assert list(e.clients()) == [] and s.records(RecordKind.CLIENT) == {}
    e.close()
    assert holder["closed"]
    holder.clear()


@pytest.mark.parametrize("method", ["list", "list_events", "schema_version"])
def test_exceptions_while_loading(method):
    s = FailingStore()
    with triage.Engine.open(s) as e:
        populate(e)
        before = snapshot(e)
    s.closed = 0
    s.arm(method, 2 if method == "list" else 1)
    with pytest.raises(triage.StoreError) as info:
        triage.Engine.open(s)
    assert info.value.__cause__ is s.exc and info.value.argument == method
    assert s.closed == 1  # the engine took the store and released it
    with triage.Engine.open(s) as e:  # not left "in use"
        assert snapshot(e) == before
    assert s.closed == 2


def test_an_iterator_that_raises_midway():
    class Flaky(MemoryStore):
        def list(self, kind):
            rows = super().list(kind)
            yield from rows[:1]
            if kind == RecordKind.CLIENT and len(rows) > 1:
                raise Boom("second row unreadable")
            yield from rows[1:]

    s = Flaky()
    with triage.Engine.open(s) as e:
        e.add_client()
        e.add_client()
    with pytest.raises(triage.StoreError) as info:
        triage.Engine.open(s)
    assert isinstance(info.value.__cause__, Boom)


@pytest.mark.parametrize("bad,exc", [
    ([("not-an-id", b"x")], TypeError),
    ([(uuid.uuid4(),)], ValueError),
    ([(uuid.uuid4(), "text, not bytes")], TypeError),
    ([42], TypeError),
    (42, TypeError),
])
def test_bad_records_from_list(bad, exc):
    class Bad(MemoryStore):
        def list(self, kind):
            return bad if kind == RecordKind.CLIENT else []

    with pytest.raises(triage.StoreError) as info:
        triage.Engine.open(Bad())
    assert isinstance(info.value.__cause__, exc)


def test_undecodable_or_duplicate_records_are_corrupt():
    s = MemoryStore()
    with triage.Engine.open(s) as e:
        c = e.add_client()
    good = s.records(RecordKind.CLIENT)[c]

    class Garbage(MemoryStore):
        def __init__(self, rows):
            super().__init__()
            self.rows = rows

        def list(self, kind):
            return self.rows if kind == RecordKind.CLIENT else []

    for rows in ([(c, b"garbage")], [(c, good), (c, good)], [(uuid.uuid4(), good)],
                 [(c.bytes, bytearray(good)), (uuid.uuid4(), b"")]):
        with pytest.raises(triage.CorruptError) as info:
            triage.Engine.open(Garbage(rows))
    with triage.Engine.open(Garbage([(c.bytes, memoryview(good))])) as e:
        assert list(e.clients()) == [c]


@pytest.mark.parametrize("events,exc", [
    ([("not", "an", "event")], TypeError),
    ([None], TypeError),
])
def test_bad_events_from_list_events(events, exc):
    class Bad(MemoryStore):
        def list_events(self):
            return events

    with pytest.raises(triage.StoreError) as info:
        triage.Engine.open(Bad())
    assert isinstance(info.value.__cause__, exc)


def test_events_out_of_order_are_corrupt():
    s = MemoryStore()
    with triage.Engine.open(s) as e:
        e.add_client()
        e.add_client()
    s._events.reverse()
    with pytest.raises(triage.CorruptError) as info:
        triage.Engine.open(s)
    assert info.value.argument == "event.seq"
    assert "event.seq" in info.value.message


# Schema-2 records (docs/data-model.md): "TRG2", version, kind, payload
# length, then tag (u16) / wire type (u8) / value fields, then a CRC-32C of
# everything before it. The helpers below edit one field and fix the
# checksum, so only the engine's field checks can catch the damage.
_HEADER = 12


def _crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def _fields(data):
    """(tag, wire, value offset, value length) of each field of a record."""
    out, pos, end = [], _HEADER, len(data) - 4
    while pos < end:
        tag = int.from_bytes(data[pos:pos + 2], "little")
        wire = data[pos + 2]
        pos += 3
        if wire in (1, 2):
            n = 8
        elif wire == 3:
            n = 16
        elif wire == 4:
            n = 2 + int.from_bytes(data[pos:pos + 2], "little")
        elif wire == 5:
            n = 4 + 4 * int.from_bytes(data[pos:pos + 4], "little")
        else:
            n = 4 + int.from_bytes(data[pos:pos + 4], "little")
        out.append((tag, wire, pos, n))
        pos += n
    return out


def _seal(data):
    data[8:12] = (len(data) - _HEADER - 4).to_bytes(4, "little")
    data[-4:] = _crc32c(bytes(data[:-4])).to_bytes(4, "little")
    return data


def _set_int(data, tag, value):
    for t, wire, off, _ in _fields(data):
        if t == tag:
            assert wire == 1
            data[off:off + 8] = value.to_bytes(8, "little", signed=True)
            return _seal(data)
    raise AssertionError(f"no field {tag}")


def _edit_nested(data, tag, inner_tag, value):
    """Edits the first row of a case's nested list (200 intakes, 201 deadlines)."""
    for t, _, off, n in _fields(data):
        if t == tag:
            rows = bytearray(data[off + 4:off + n])
            length = _HEADER + int.from_bytes(rows[8:12], "little") + 4
            first = _set_int(bytearray(rows[:length]), inner_tag, value)
            rows[:length] = first
            return _seal(data[:off + 4] + rows + data[off + n:])
    raise AssertionError(f"no list {tag}")


def _drop_nested(data, tag):
    for t, _, off, n in _fields(data):
        if t == tag:
            return _seal(data[:off] + (0).to_bytes(4, "little") + data[off + n:])
    raise AssertionError(f"no list {tag}")


_CASE_EDITS = {
    "case.stage": lambda d, v: _set_int(d, 10, v),
    "case.urgency": lambda d, v: _set_int(d, 11, v),
    "case.channel": lambda d, v: _set_int(d, 6, v),
    "deadline.milestone": lambda d, v: _edit_nested(d, 201, 8, v),
    "case.intakes": lambda d, v: _drop_nested(d, 200),
}


class Crafted(MemoryStore):
    """A store that hands the engine edited copies of real records/events."""

    def __init__(self, source, kind, edit=None, event_edit=None):
        super().__init__()
        self.source, self.kind, self.edit, self.event_edit = source, kind, edit, event_edit

    def list(self, kind):
        rows = list(self.source.records(kind).items())
        if kind == self.kind and self.edit:
            ident, data = rows[0]
            rows[0] = (ident, self.edit(bytearray(data)))
        return rows

    def list_events(self):
        events = list(self.source.events())
        if self.event_edit:
            events[0] = self.event_edit(events[0])
        return events


def _poke(field, value):
    def edit(data):
        return bytes(_CASE_EDITS[field](bytearray(data), value))
    return edit


@pytest.mark.parametrize("field,value", [
    ("deadline.milestone", 200),
    ("case.intakes", 0),
    ("case.stage", 99),
    ("case.urgency", 77),
    ("case.channel", 1000),
])
def test_crafted_case_blobs_are_corrupt(field, value):
    s = MemoryStore()
    with triage.Engine.open(s) as e:
        populate(e)
    with triage.Engine.open(Crafted(s, RecordKind.CASE)) as e:  # unedited: fine
        assert len(list(e.cases())) == 2
    with pytest.raises(triage.CorruptError) as info:
        triage.Engine.open(Crafted(s, RecordKind.CASE, _poke(field, value)))
    assert isinstance(info.value, triage.TriageError)
    assert info.value.code == -11
    assert info.value.argument == field
    assert field in info.value.message
    assert "damaged" in info.value.message


def test_crafted_event_with_unterminated_policy_id_is_corrupt():
    s = MemoryStore()
    with triage.Engine.open(s) as e:
        populate(e)

    def edit(ev):  # all 32 bytes used: no terminator left
        data = bytearray(triage.event_to_bytes(ev))
        data[-48:-16] = b"p" * 32
        return triage.event_from_bytes(bytes(data))

    with pytest.raises(triage.CorruptError) as info:
        triage.Engine.open(Crafted(s, None, event_edit=edit))
    assert info.value.argument == "event.policy_id"
    assert "event.policy_id" in info.value.message


@pytest.mark.parametrize("value,exc", [
    (triage.STORE_SCHEMA_VERSION + 1, triage.VersionError),
    (-1, triage.StoreError),
    ("1", triage.StoreError),
    (2 ** 40, triage.StoreError),
])
def test_schema_version(value, exc):
    class Newer(MemoryStore):
        def schema_version(self):
            return value

    with pytest.raises(exc):
        triage.Engine.open(Newer())


def test_optional_methods_may_be_missing():
    class Minimal:
        def __init__(self):
            self.inner = MemoryStore()
            for name in ("begin", "commit", "rollback", "put", "list", "append_event",
                         "list_events"):
                setattr(self, name, getattr(self.inner, name))

    m = Minimal()
    with triage.Engine.open(m) as e:
        populate(e)
        before = snapshot(e)
    with triage.Engine.open(m) as e:
        assert snapshot(e) == before


@pytest.mark.parametrize("missing", ["begin", "commit", "rollback", "put", "list",
                                     "append_event", "list_events"])
def test_a_missing_required_method_is_named(missing):
    closed = []

    class Partial(MemoryStore):
        def close(self):
            closed.append(1)

    setattr(Partial, missing, None)
    with pytest.raises(triage.InvalidArgument) as info:
        triage.Engine.open(Partial())
    assert info.value.argument == "store." + missing
    assert missing in str(info.value)
    assert closed == []  # never opened: not closed either
    with pytest.raises(TypeError):
        triage.Engine.open(None)


def test_one_engine_per_store_object():
    s = FailingStore()
    e = triage.Engine.open(s)
    with pytest.raises(triage.ConflictError):
        triage.Engine.open(s)
    assert s.closed == 0
    e.add_client()
    e.close()
    with triage.Engine.open(s) as e2:
        assert len(list(e2.clients())) == 1
    # Another store object is independent.
    with triage.Engine.open(s), triage.Engine.open(FailingStore()):
        pass


@pytest.mark.parametrize("how", ["close", "with", "del", "failed_options", "twice"])
def test_close_is_called_exactly_once(how):
    s = FailingStore()
    if how == "close":
        e = triage.Engine.open(s)
        e.close()
        e.close()
    elif how == "with":
        with triage.Engine.open(s) as e:
            e.add_client()
    elif how == "del":
        e = triage.Engine.open(s)
        del e
        gc.collect()
    elif how == "failed_options":
        with pytest.raises(TypeError):
            triage.Engine.open(s, audit=42)
        assert s.closed == 0  # never handed to the C library
        triage.Engine.open(s).close()
    elif how == "twice":
        triage.Engine.open(s).close()
        triage.Engine.open(s).close()
        assert s.closed == 2
        return
    assert s.closed == 1


def test_close_that_raises_is_unraisable(monkeypatch):
    reported = []
    monkeypatch.setattr("sys.unraisablehook", lambda u: reported.append(u.exc_value))

    class BadClose(MemoryStore):
        def close(self):
            raise Boom("cannot close")

    e = triage.Engine.open(BadClose())
    e.close()
    assert e.closed
    assert len(reported) == 1 and isinstance(reported[0], Boom)


@pytest.mark.parametrize("order", list(itertools.permutations(["engine", "store", "handle"])))
def test_gc_in_any_order(order):
    s = FailingStore()
    e = triage.Engine.open(s, audit=lambda *a: None, clock=lambda: T0)
    populate(e)
    closed = s.closed
    assert closed == 0
    store_ref = weakref.ref(s)
    engine_ref = weakref.ref(e)
    objs = {"engine": e, "store": s, "handle": e._h}
    counter = [s]
    del e, s
    for name in order:
        del objs[name]
        gc.collect()
    assert engine_ref() is None
    assert counter[0].closed == 1
    del counter
    gc.collect()
    assert store_ref() is None  # the engine dropped its reference


def test_gc_of_many_engines_and_stores():
    stores = [FailingStore() for _ in range(5)]
    engines = [triage.Engine.open(st) for st in stores]
    for i, e in enumerate(engines):
        for _ in range(i):
            e.add_client()
    del e
    del engines[::2]
    gc.collect()
    del stores[1::2]
    gc.collect()
    del engines
    gc.collect()
    assert [st.closed for st in stores] == [1, 1, 1]
    assert [len(st.records(RecordKind.CLIENT)) for st in stores] == [0, 2, 4]
