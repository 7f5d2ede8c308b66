"""Storage (``triage/sys/store.h``, docs/storage.md): engines opened on a store.

- :meth:`Engine.open_sqlite` -- the SQLite store shipped with the library;
- :meth:`Engine.open_memory` -- the C in-memory store (every call runs as a
  store transaction, nothing outlives the engine);
- :meth:`Engine.open` -- a store written in Python: any object with the
  methods of :class:`MemoryStore`, the pure-Python reference store.

A Python store's methods are called by the C library, synchronously, on the
thread that called the engine, one engine call at a time:

=================================  ===========================================
``begin()``                        start a transaction
``put(kind, id, keys, data)``      insert or replace a record (``data`` bytes)
``delete(kind, id)``               optional: remove a record (absences only)
``append_event(event)``            append a :class:`triage.Event`
``commit()``                       make the transaction durable
``rollback()``                     undo everything since ``begin()``
``list(kind)``                     iterable of ``(id, data)`` in insertion order
``list_events()``                  iterable of the stored Events in ``seq`` order
``schema_version()``               optional: the stored data's schema, 0 if empty
``get(kind, id)``                  optional, for tools: the data or None
``close()``                        optional: called exactly once per engine
=================================  ===========================================

``kind`` is a :class:`RecordKind`, ``id`` a ``uuid.UUID``, ``keys`` a
:class:`RecordKeys`. Record data are opaque bytes: store them unchanged.
A method that raises makes the engine roll back and the engine call raise
:class:`triage.StoreError` with the original exception as ``__cause__``.
"""

import enum
import os
import struct
import uuid
import weakref
from typing import NamedTuple, Optional

from . import _lowlevel as _ll
from ._engine import Engine, Event, _int, _uuid
from ._errors import ConflictError, InvalidArgument

__all__ = ["RecordKind", "RecordKeys", "MemoryStore", "sqlite_available", "event_to_bytes",
           "event_from_bytes", "STORE_SCHEMA_VERSION"]

STORE_SCHEMA_VERSION = _ll.TRIAGE_STORE_SCHEMA_VERSION
"""The schema version of the record encoding this library writes."""


class RecordKind(enum.IntEnum):
    """The kinds of record a store keeps (``triage_record_kind_t``)."""

    CLIENT = _ll.TRIAGE_RECORD_CLIENT
    CASE = _ll.TRIAGE_RECORD_CASE
    WORKER = _ll.TRIAGE_RECORD_WORKER
    ABSENCE = _ll.TRIAGE_RECORD_ABSENCE
    # interface 2 only (triage/_store2.py)
    INTAKE = _ll.TRIAGE_RECORD_INTAKE
    DEADLINE = _ll.TRIAGE_RECORD_DEADLINE
    POLICY = _ll.TRIAGE_RECORD_POLICY


class RecordKeys(NamedTuple):
    """Indexable fields passed with each record (``triage_record_keys_t``);
    0 / None where they do not apply.

    ``owner``: a case's client or an absence's worker (UUID or None);
    ``stage`` and ``reason``: a case's stage and closing reason; ``role``: a
    worker's role; ``date_from``/``date_to``: an absence's first and last day,
    or a case's received date (``date_from``), as days since 1970-01-01.
    """

    owner: Optional[uuid.UUID]
    stage: int
    reason: int
    role: int
    date_from: int
    date_to: int


def sqlite_available():
    """True when this build of the C library has the SQLite store."""
    return bool(_ll.triage_store_sqlite_available())


# ---- events as portable bytes ------------------------------------------------------

_EVENT_MAGIC = b"TEV\x02"
_EVENT_FMT = struct.Struct("<4sqq16s16s16siiii16s16sI32s16s")
_EVENT_MAGIC_1 = b"TEV\x01"  # before events named their intake
_EVENT_FMT_1 = struct.Struct("<4sqq16s16s16siiii16s16sI32s")
_NIL = bytes(16)


def _raw(value):
    return _NIL if value is None else value.bytes


def _event_tuple(ev):
    """The low-level tuple of a stored Event (the event list typemap's form)."""
    if not isinstance(ev, Event):
        raise TypeError(f"list_events() must yield triage.Event objects, "
                        f"got {type(ev).__name__}")
    ids = [None if v is None else v.bytes
           for v in (ev.case, ev.subject, ev.actor, ev.from_worker, ev.to_worker, ev.intake)]
    return (ev.seq, ev.at_ms, ids[0], ids[1], ids[2], int(ev.kind), ev.from_value, ev.to_value,
            ev.reason, ids[3], ids[4], ev.policy_version, ev.policy_id or "", ids[5])


def event_to_bytes(event):
    """A :class:`triage.Event` as 168 portable bytes (little-endian, versioned),
    for stores that keep events as blobs; :func:`event_from_bytes` reverses it."""
    (seq, at, case, subj, actor, kind, frm, to, reason, fid, tid, pver, pid,
     intake) = _event_tuple(event)
    pid = pid.encode("utf-8")
    if len(pid) > 32:
        raise InvalidArgument(-1, "policy_id is longer than 32 bytes", "policy_id")
    return _EVENT_FMT.pack(_EVENT_MAGIC, seq, at, case or _NIL, subj or _NIL, actor or _NIL,
                           kind, frm, to, reason, fid or _NIL, tid or _NIL, pver, pid,
                           intake or _NIL)


def event_from_bytes(data):
    """The :class:`triage.Event` that :func:`event_to_bytes` encoded."""
    if len(data) == _EVENT_FMT_1.size and bytes(data[:4]) == _EVENT_MAGIC_1:
        fields = _EVENT_FMT_1.unpack(data) + (_NIL,)
    elif len(data) == _EVENT_FMT.size and bytes(data[:4]) == _EVENT_MAGIC:
        fields = _EVENT_FMT.unpack(data)
    else:
        raise InvalidArgument(-1, "not an encoded event", "data")
    (_, seq, at, case, subj, actor, kind, frm, to, reason, fid, tid, pver, pid,
     intake) = fields
    ids = [None if b == _NIL else b for b in (case, subj, actor, fid, tid, intake)]
    return Event._from((seq, at, ids[0], ids[1], ids[2], kind, frm, to, reason, ids[3], ids[4],
                        pver, pid.rstrip(b"\0").decode("utf-8"), ids[5]))


# ---- the reference store ---------------------------------------------------------------

_ABSENT = object()


class MemoryStore:
    """A store in Python dicts with an undo log: the reference implementation
    of the store protocol (and handy in tests). Its data outlives the engines
    opened on it: close one and open another on the same object to reload.

    ``records(kind)`` and ``events()`` show what is stored; ``keys(kind, id)``
    the :class:`RecordKeys` last passed for a record.
    """

    def __init__(self):
        self._tables = {k: {} for k in RecordKind}  # id -> (keys, data); None: deleted
        self._events = []
        self._undo = None                            # [(kind, id, previous)] in a transaction
        self._mark = 0                               # len(self._events) at begin

    def _txn(self):
        if self._undo is None:
            raise RuntimeError("no transaction is open")

    # -- transactions

    def begin(self):
        if self._undo is not None:
            raise RuntimeError("a transaction is already open")
        self._undo = []
        self._mark = len(self._events)

    def commit(self):
        self._txn()
        for kind, id, _ in self._undo:
            table = self._tables[kind]
            if id in table and table[id] is None:
                del table[id]  # deletions become final (insertion order is kept)
        self._undo = None

    def rollback(self):
        self._txn()
        for kind, id, previous in reversed(self._undo):
            if previous is _ABSENT:
                self._tables[kind].pop(id, None)
            else:
                self._tables[kind][id] = previous  # same key: same position
        del self._events[self._mark:]
        self._undo = None

    # -- records

    def put(self, kind, id, keys, data):
        self._txn()
        table = self._tables[RecordKind(kind)]
        self._undo.append((kind, id, table.get(id, _ABSENT)))
        table[id] = (keys, bytes(data))

    def delete(self, kind, id):
        self._txn()
        table = self._tables[RecordKind(kind)]
        if table.get(id) is None:
            raise KeyError(id)
        self._undo.append((kind, id, table[id]))
        table[id] = None

    def get(self, kind, id):
        entry = self._tables[RecordKind(kind)].get(id)
        return None if entry is None else entry[1]

    def list(self, kind):
        return [(id, e[1]) for id, e in self._tables[RecordKind(kind)].items() if e is not None]

    def keys(self, kind, id):
        entry = self._tables[RecordKind(kind)].get(id)
        return None if entry is None else entry[0]

    def records(self, kind):
        """``{id: data}`` of the records of ``kind``, in insertion order."""
        return dict(self.list(kind))

    # -- events

    def append_event(self, event):
        self._txn()
        self._events.append(event)

    def list_events(self):
        return list(self._events)

    def events(self):
        """The stored events, in order."""
        return list(self._events)

    # -- the rest

    def schema_version(self):
        stored = self._events or any(self.list(k) for k in RecordKind)
        return STORE_SCHEMA_VERSION if stored else 0

    def close(self):
        """Rolls back a transaction left open; the data stays."""
        if self._undo is not None:
            self.rollback()

    def __repr__(self):
        sizes = ", ".join(f"{k.name.lower()}s={len(self.list(k))}" for k in RecordKind)
        return f"<triage.MemoryStore {sizes}, events={len(self._events)}>"


# ---- the adapter the C trampolines call -------------------------------------------------

_REQUIRED = ("begin", "commit", "rollback", "put", "list", "append_event", "list_events")
_IN_USE = {}  # id(store) -> weakref to the adapter of the engine that has it open


def _id_bytes(value):
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, (bytes, bytearray)) and len(value) == 16:
        return bytes(value)
    raise TypeError(f"a stored record's id must be a uuid.UUID, got {type(value).__name__}")


class _StoreAdapter:
    """The userdata of a Python store: converts between the C trampolines'
    plain values and the Pythonic protocol. The C library holds it from
    opening until ``destroy``."""

    __slots__ = ("store", "has_delete", "has_schema_version", "destroyed", "__weakref__")

    def __init__(self, store):
        for name in _REQUIRED:
            if not callable(getattr(store, name, None)):
                raise InvalidArgument(-1, f"the store has no {name}() method", "store." + name)
        self.store = store
        self.has_delete = int(callable(getattr(store, "delete", None)))
        self.has_schema_version = int(callable(getattr(store, "schema_version", None)))
        self.destroyed = False

    def attach(self):
        """Marks the store as open (one engine per store object at a time)."""
        ref = _IN_USE.get(id(self.store))
        other = ref() if ref is not None else None
        if other is not None and other.store is self.store and not other.destroyed:
            raise ConflictError(-8, "the store is open in another engine", "store")
        _IN_USE[id(self.store)] = weakref.ref(self)

    # Called from C (store.i), each with the GIL.
    def begin(self):
        self.store.begin()

    def commit(self):
        self.store.commit()

    def rollback(self):
        self.store.rollback()

    def put(self, kind, raw_id, keys, data):
        owner, stage, reason, role, date_from, date_to = keys
        self.store.put(RecordKind(kind), uuid.UUID(bytes=raw_id),
                       RecordKeys(_uuid(owner), stage, reason, role, date_from, date_to), data)

    def delete(self, kind, raw_id):
        self.store.delete(RecordKind(kind), uuid.UUID(bytes=raw_id))

    def list(self, kind):
        for item in self.store.list(RecordKind(kind)):
            id, data = item
            yield _id_bytes(id), data

    def append_event(self, t):
        self.store.append_event(Event._from(t))

    def list_events(self):
        for ev in self.store.list_events():
            yield _event_tuple(ev)

    def schema_version(self):
        v = self.store.schema_version()
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"schema_version() must return an int, got {type(v).__name__}")
        return v

    def destroy(self):
        if self.destroyed:
            return
        self.destroyed = True
        ref = _IN_USE.get(id(self.store))
        if ref is not None and ref() is self:
            del _IN_USE[id(self.store)]
        close = getattr(self.store, "close", None)
        if callable(close):
            close()


# ---- opening engines ---------------------------------------------------------------------

def _open_with(cls, options, store, path, create, busy_timeout_ms, file_mode=0, check=0):
    def opener(*args):
        if store is None:
            return _ll.triage_py_engine_open(*args, None, path, create, busy_timeout_ms, 0, 0,
                                             file_mode, check)
        adapter = _StoreAdapter(store)
        adapter.attach()
        return _ll.triage_py_engine_open(*args, adapter, None, 1, 0, adapter.has_delete,
                                         adapter.has_schema_version, 0, 0)
    if "_opener" in options:
        raise TypeError("unexpected keyword argument '_opener'")
    return cls(**options, _opener=opener)


def _engine_open(cls, store, **options):
    """An engine on a store written in Python (see :class:`MemoryStore` for
    the protocol). The data the store holds is loaded now; from then on every
    change goes through the store first. Options as for :class:`Engine`.

    Raises InvalidArgument naming a missing required method, ConflictError
    when ``store`` is open in another engine (or its data is inconsistent),
    VersionError for data of a newer schema, and StoreError (the store's
    exception as ``__cause__``) when a store method raised while loading. The
    engine calls ``store.close()`` exactly once: when it is closed or
    collected, or before ``open`` raises once loading had started.
    """
    if store is None:
        raise TypeError("open() needs a store object")
    from . import _store2
    if _store2.is_interface2(store):  # put_record: interface 2 (docs/python-store.md)
        return _store2.open_interface2(cls, store, options)
    _StoreAdapter(store)  # missing methods: before anything else
    return _open_with(cls, options, store, None, 0, 0)


_CHECKS = {None: _ll.TRIAGE_SQLITE_CHECK_NONE, "quick": _ll.TRIAGE_SQLITE_CHECK_QUICK,
           "full": _ll.TRIAGE_SQLITE_CHECK_FULL}


def _engine_open_sqlite(cls, path, *, create=True, busy_timeout_ms=None, file_mode=0o600,
                        check=None, **options):
    """An engine on the SQLite database ``path`` (str, bytes or os.PathLike),
    created when missing unless ``create=False`` (an empty file is then
    refused as damaged). Several engines, in this process or others, may be
    open on one file. ``busy_timeout_ms``: how long a write waits for another
    engine's write lock (None: the library's default, 5000). ``file_mode``:
    the permission bits of a file this call creates (and its -wal, -shm and
    -journal files), whatever the umask (default 0o600). ``check``:
    ``"quick"`` or ``"full"`` runs SQLite's ``quick_check`` or
    ``integrity_check`` at open, and then ``foreign_key_check`` (it reads the
    whole file). A database of libtriage 0.1 is migrated on open. Options as
    for :class:`Engine`.

    Raises NotFound (no file and ``create=False``), ConflictError (not a
    libtriage database), VersionError (a newer schema), CorruptError
    (damaged: every record is validated as it loads; ``argument`` names the
    record kind and field), StoreError (unreadable, or busy past the timeout)
    and InvalidArgument (a bad option, or a build without SQLite). A refused
    file is never modified."""
    if path is None:
        raise TypeError("open_sqlite() needs a path")
    path = os.fspath(path)
    if busy_timeout_ms is None:
        busy_timeout_ms = _ll.TRIAGE_SQLITE_BUSY_TIMEOUT_DEFAULT
    if check not in _CHECKS:
        raise InvalidArgument(-1, "check must be None, 'quick' or 'full'", "check")
    return _open_with(cls, options, None, path, int(bool(create)),
                      _int(busy_timeout_ms, "busy_timeout_ms", 0),
                      _int(file_mode, "file_mode", 0, 0o777), _CHECKS[check])


def _engine_open_memory(cls, **options):
    """An engine on the C library's in-memory store: like ``Engine()`` but
    every change runs as a store transaction (for tests and simulation).
    Nothing outlives the engine."""
    return _open_with(cls, options, None, None, 0, 0)


Engine.open = classmethod(_engine_open)
Engine.open_sqlite = classmethod(_engine_open_sqlite)
Engine.open_memory = classmethod(_engine_open_memory)
