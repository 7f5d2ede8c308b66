"""Stores of interface version 2 (``triage/sys/store.h``, docs/python-store.md):
databases that several engines share.

- :meth:`Engine.open_postgresql` -- the PostgreSQL store of the C library;
- :meth:`Engine.open` on an object with ``put_record`` -- a store written in
  Python that speaks interface 2, so that several engines (in one process,
  or in several when the store reaches a shared database) can use it at
  once; :class:`MemoryStore2` is the reference to copy.

The interface-2 protocol, called by the C library synchronously on the
thread that called an engine:

=====================================  =========================================
``begin()`` / ``commit()`` /           a write transaction (each engine call that
``rollback()``                         changes something is one)
``last_seq()``                         the last event sequence number, 0 if none
``read_begin()`` / ``read_end()``      optional, together: one consistent
                                       snapshot for the reads in between
``put_record(record)``                 insert or replace a :class:`StoreRecord`;
                                       raise :class:`StoreConflict` when the
                                       stored revision is not
                                       ``record.expected_revision``
``get_record(kind, id)``               a :class:`StoreRecord` or None
``query_records(query)``               an iterable of StoreRecords (see
                                       :class:`StoreQuery`), by ``created``
                                       then ``id``
``append_event2(event)``               append a :class:`StoreEvent`; raise
                                       StoreConflict unless its ``seq`` is one
                                       above the last stored
``query_events(query)``                an iterable of StoreEvents (see
                                       :class:`EventQuery`) in ``seq`` order
``close()``                            optional: once per engine
=====================================  =========================================
"""

import threading
import uuid
from typing import Any, Dict, NamedTuple, Optional, Tuple

from . import _lowlevel as _ll
from ._engine import Engine, Event, _int
from ._errors import ConflictError, InvalidArgument
from ._store import RecordKind

__all__ = ["StoreRecord", "StoreQuery", "StoreEvent", "EventQuery", "StoreConflict",
           "MemoryStore2", "postgresql_available"]


def postgresql_available():
    """True when this build of the C library has the PostgreSQL store."""
    return bool(_ll.triage_store_postgresql_available())


class StoreConflict(ConflictError):
    """Raised by an interface-2 store to refuse a write that lost a race: a
    record whose stored revision is not the one the engine read, or an
    event whose sequence number is taken. The engine rolls back, catches up
    and tries again (any :class:`triage.ConflictError` does the same)."""

    def __init__(self, message="another engine wrote first", argument="store"):
        super().__init__(-8, message, argument)


class StoreRecord(NamedTuple):
    """A record as an interface-2 store keeps it.

    ``data`` is libtriage's portable encoding: keep it and give it back
    unchanged. ``fields`` (given to ``put_record``; may be empty in what a
    store returns) holds the record's content as typed columns for the
    store's own indexes and queries: ints, floats, ``uuid.UUID``, str,
    tuples of ints, and dates as days since 1970-01-01; None for a missing
    date or a nil id.
    """

    kind: RecordKind
    id: uuid.UUID
    owner: Optional[uuid.UUID]  # a case's client; an intake's, deadline's case; an absence's worker
    revision: int               # the sequence number of the commit that wrote this state
    expected_revision: int      # put_record: the revision the writer read (0: a new record)
    created: int                # the creation number: lists are in this order
    data: bytes
    fields: Dict[str, Any]


class StoreQuery(NamedTuple):
    """Which records ``query_records`` lists. ``kind``, ``owner`` (None: any)
    and ``changed_after`` (revision greater; 0: any) must be applied
    exactly; ``open_only`` and ``active_since`` are hints a store may ignore
    (open cases and their rows; clients with an open case or activity since
    that day, days since 1970-01-01, None for no such bound)."""

    kind: RecordKind
    owner: Optional[uuid.UUID]
    changed_after: int
    open_only: bool
    active_since: Optional[int]


class StoreEvent(NamedTuple):
    """An event as an interface-2 store keeps it: its number, its portable
    encoding (keep it unchanged) and, when appended, the
    :class:`triage.Event` itself (to index; a store returns None there)."""

    seq: int
    data: bytes
    event: Optional[Event] = None


class EventQuery(NamedTuple):
    """Which events ``query_events`` lists, every filter exact: ``after_seq``
    < seq <= ``upto_seq``, the case (None: any), ``from_ms`` <= time <=
    ``to_ms``, and at most ``limit`` of them (0: no limit)."""

    after_seq: int
    upto_seq: int
    case: Optional[uuid.UUID]
    from_ms: int
    to_ms: int
    limit: int


_REQUIRED2 = ("begin", "commit", "rollback", "last_seq", "put_record", "get_record",
              "query_records", "append_event2", "query_events")


def is_interface2(store):
    """Does ``store`` speak interface 2 (it has ``put_record``)?"""
    return callable(getattr(store, "put_record", None))


def _uuid_or_none(raw):
    return None if raw is None else uuid.UUID(bytes=raw)


def _raw_id(value, what):
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, (bytes, bytearray)) and len(value) == 16:
        return bytes(value)
    raise TypeError(f"a stored record's {what} must be a uuid.UUID, got {type(value).__name__}")


def _record_tuple(rec):
    """The plain tuple of a record a store returned (store2.i)."""
    if rec.id is None:
        raise TypeError("a stored record has no id")
    return (_raw_id(rec.id, "id"), _raw_id(rec.owner, "owner"), int(rec.revision),
            int(rec.created), rec.data)


class _StoreAdapter2:
    """The userdata of an interface-2 Python store (store2.i): converts the C
    trampolines' plain values to and from the protocol's named tuples."""

    __slots__ = ("store", "has_read", "destroyed", "interface")

    def __init__(self, store):
        for name in _REQUIRED2:
            if not callable(getattr(store, name, None)):
                raise InvalidArgument(-1, f"the store has no {name}() method", "store." + name)
        rb, re = (callable(getattr(store, n, None)) for n in ("read_begin", "read_end"))
        if rb != re:
            missing = "read_end" if rb else "read_begin"
            raise InvalidArgument(-1, "read_begin() and read_end() come together",
                                  "store." + missing)
        self.store = store
        self.has_read = rb
        self.destroyed = False
        self.interface = 2

    # Called from C (store2.i), each with the GIL.
    def begin(self):
        self.store.begin()

    def commit(self):
        self.store.commit()

    def rollback(self):
        self.store.rollback()

    def read_begin(self):
        self.store.read_begin()

    def read_end(self):
        self.store.read_end()

    def last_seq(self):
        v = self.store.last_seq()
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"last_seq() must return an int, got {type(v).__name__}")
        return v

    def put_record(self, kind, raw_id, raw_owner, revision, expected, created, data, fields):
        cols = {}
        for name, ftype, value in fields:
            if ftype == _ll.TRIAGE_FIELD_ID and value is not None:
                value = uuid.UUID(bytes=value)
            cols[name] = value
        self.store.put_record(StoreRecord(RecordKind(kind), uuid.UUID(bytes=raw_id),
                                          _uuid_or_none(raw_owner), revision, expected, created,
                                          data, cols))

    def get_record(self, kind, raw_id):
        rec = self.store.get_record(RecordKind(kind), uuid.UUID(bytes=raw_id))
        return None if rec is None else _record_tuple(rec)

    def query_records(self, kind, raw_owner, changed_after, open_only, active_since):
        q = StoreQuery(RecordKind(kind), _uuid_or_none(raw_owner), changed_after,
                       bool(open_only), active_since)
        for rec in self.store.query_records(q):
            yield _record_tuple(rec)

    def append_event2(self, seq, t, data):
        self.store.append_event2(StoreEvent(seq, data, Event._from(t)))

    def query_events(self, after_seq, upto_seq, raw_case, from_ms, to_ms, limit):
        q = EventQuery(after_seq, upto_seq, _uuid_or_none(raw_case), from_ms, to_ms, limit)
        for ev in self.store.query_events(q):
            yield int(ev.seq), ev.data

    def destroy(self):
        if self.destroyed:
            return
        self.destroyed = True
        close = getattr(self.store, "close", None)
        if callable(close):
            close()


def open_interface2(cls, store, options):
    """Engine.open() for an interface-2 store (see triage/_store.py)."""
    adapter = _StoreAdapter2(store)  # missing methods: before anything else

    def opener(*args):
        return _ll.triage_py_engine_open(*args, adapter, None, 1, 0, 0, 0, 0, 0)
    if "_opener" in options:
        raise TypeError("unexpected keyword argument '_opener'")
    return cls(**options, _opener=opener)


def _engine_open_postgresql(cls, conninfo, schema="triage", *, create=True,
                            lock_timeout_ms=10000, statement_timeout_ms=0, **options):
    """An engine on a PostgreSQL database (``triage_store_postgresql``).

    ``conninfo`` is a libpq connection string: ``"host=db1 dbname=cis"``,
    ``"postgresql://triage@db1/cis"``, ``"service=triage"``, or ``""`` for
    the PG* environment variables. Give the password the libpq way (a
    password file, ``PGPASSFILE``, a service file, ``PGPASSWORD``); it never
    appears in an error. The tables live in the PostgreSQL schema
    ``schema`` and are created on first use unless ``create=False``.
    ``lock_timeout_ms``: how long a write waits for another engine's commit
    before it counts as a lost race (retried); ``statement_timeout_ms``: the
    longest any statement may run (0: the server's setting). Options as for
    :class:`Engine`. Every engine has its own connection; engines on one
    database see each other's work at their next call.

    Raises StoreError (cannot connect; a server failure), NotFound (no
    tables and ``create=False``), ConflictError (the schema holds other
    tables), VersionError (a newer libtriage's tables), CorruptError
    (libtriage's tables damaged) and InvalidArgument (a bad schema name or
    option, or a build without PostgreSQL)."""
    if not isinstance(conninfo, str):
        raise TypeError("open_postgresql() needs a connection string (str)")
    if not isinstance(schema, str):
        raise TypeError("schema must be a str")
    create = int(bool(create))
    lock = _int(lock_timeout_ms, "lock_timeout_ms", 0)
    stmt = _int(statement_timeout_ms, "statement_timeout_ms", 0)

    def opener(*args):
        capsule = _ll.triage_py_store_postgresql(conninfo, schema, create, lock, stmt)
        return _ll.triage_py_engine_open(*args, capsule, None, 1, 0, 0, 0, 0, 0)
    if "_opener" in options:
        raise TypeError("unexpected keyword argument '_opener'")
    return cls(**options, _opener=opener)


Engine.open_postgresql = classmethod(_engine_open_postgresql)


# ---- the reference store ----------------------------------------------------------------

class MemoryStore2:
    """An interface-2 store in Python dicts that any number of engines share,
    from one thread or several: the reference implementation of the
    protocol (docs/python-store.md). Its data outlives the engines.

    A lock is held from ``begin()`` to ``commit()``/``rollback()`` and from
    ``read_begin()`` to ``read_end()``, so transactions and snapshots of
    engines on other threads wait for each other. A transaction keeps an
    undo log. ``records(kind)`` and ``events()`` show what is stored.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._records: Dict[Tuple[RecordKind, uuid.UUID], StoreRecord] = {}
        self._events = []     # StoreEvent, events[i].seq == i + 1
        self._undo = None     # [(key, previous StoreRecord or None)] in a transaction
        self._mark = 0        # len(self._events) at begin

    # -- transactions and snapshots

    def begin(self):
        self._lock.acquire()
        self._undo = []
        self._mark = len(self._events)

    def commit(self):
        if self._undo is None:
            raise RuntimeError("no transaction is open")
        self._undo = None
        self._lock.release()

    def rollback(self):
        if self._undo is None:
            raise RuntimeError("no transaction is open")
        for key, previous in reversed(self._undo):
            if previous is None:
                self._records.pop(key, None)
            else:
                self._records[key] = previous
        del self._events[self._mark:]
        self._undo = None
        self._lock.release()

    def read_begin(self):
        self._lock.acquire()

    def read_end(self):
        self._lock.release()

    # -- records

    def put_record(self, record):
        if self._undo is None:
            raise RuntimeError("no transaction is open")
        key = (record.kind, record.id)
        current = self._records.get(key)
        if (current.revision if current else 0) != record.expected_revision:
            raise StoreConflict(f"the {record.kind.name.lower()} changed since it was read")
        self._undo.append((key, current))
        self._records[key] = record._replace(data=bytes(record.data), expected_revision=0)

    def get_record(self, kind, id):
        return self._records.get((kind, id))

    def query_records(self, query):
        rows = [r for (k, _), r in self._records.items()
                if k == query.kind
                and (query.owner is None or r.owner == query.owner)
                and r.revision > query.changed_after]
        rows.sort(key=lambda r: (r.created, r.id.bytes))
        return rows

    # -- events

    def last_seq(self):
        return len(self._events)

    def append_event2(self, event):
        if self._undo is None:
            raise RuntimeError("no transaction is open")
        if event.seq != len(self._events) + 1:
            raise StoreConflict("another engine took that event sequence number")
        self._events.append(StoreEvent(event.seq, bytes(event.data), event.event))

    def query_events(self, query):
        out = []
        for ev in self._events[max(query.after_seq, 0):min(query.upto_seq, len(self._events))]:
            e = ev.event
            if query.case is not None and (e is None or e.case != query.case):
                continue
            if e is not None and not (query.from_ms <= e.at_ms <= query.to_ms):
                continue
            out.append(StoreEvent(ev.seq, ev.data))
            if query.limit and len(out) >= query.limit:
                break
        return out

    # -- inspection

    def records(self, kind):
        """``{id: StoreRecord}`` of the records of ``kind``, in creation order."""
        q = StoreQuery(RecordKind(kind), None, 0, False, None)
        return {r.id: r for r in self.query_records(q)}

    def events(self):
        """The stored :class:`StoreEvent` objects, in order."""
        return list(self._events)

    def __repr__(self):
        return f"<triage.MemoryStore2 records={len(self._records)}, events={len(self._events)}>"
