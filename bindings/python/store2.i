/*
 * store2: stores of interface version 2 from Python (included from
 * triage.i after store.i, whose trampoline helpers it reuses). The Pythonic
 * face is triage/_store2.py (Engine.open on a store with put_record,
 * Engine.open_postgresql, MemoryStore2).
 *
 * An interface-2 Python store: the userdata is a `_StoreAdapter2`
 * (triage/_store2.py) whose `interface` attribute is 2. The C side passes
 * plain values and the adapter converts them:
 *
 *   begin() commit() rollback()
 *   last_seq() -> int
 *   read_begin() read_end()                         (wired when has_read is true)
 *   put_record(kind, id16, owner16|None, revision, expected_revision, created,
 *              data, ((name, type, value), ...))
 *   get_record(kind, id16) -> None | (id16, owner16|None, revision, created, data)
 *   query_records(kind, owner16|None, changed_after, open_only, active_since|None)
 *       -> iterator of (id16, owner16|None, revision, created, data)
 *   append_event2(seq, event_tuple, data)
 *   query_events(after_seq, upto_seq, case16|None, from_ms, to_ms, limit)
 *       -> iterator of (seq, data)
 *   destroy()
 *
 * A typed column's value is an int (integers, and dates as days since
 * 1970-01-01), a float, 16 bytes (an id), a str or a tuple of ints, and
 * None for a nil id or a missing date. A method that raises
 * triage.ConflictError makes the callback return TRIAGE_ECONFLICT (a lost
 * race the engine retries; the exception is dropped); any other exception
 * is a store failure exactly as for interface 1 (store.i).
 *
 * A C store for Python (triage_py_store_postgresql) travels to
 * triage_py_engine_open() in a capsule named "triage.store": the engine
 * takes the store out of it; a capsule never handed over destroys its
 * store when collected.
 */

%{
/* Ends a trampoline whose method may signal a lost race: a pending
 * triage.ConflictError becomes TRIAGE_ECONFLICT. */
static int triage_py_store2_leave(triage_py_store_call *c, int failed, const char *method)
{
    if (failed && PyErr_Occurred()) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb); /* set aside while the class is looked up */
        PyObject *mod = PyImport_ImportModule("triage._errors");
        PyObject *cls = mod ? PyObject_GetAttrString(mod, "ConflictError") : NULL;
        Py_XDECREF(mod);
        PyErr_Clear();
        int conflict = cls && PyErr_GivenExceptionMatches(t, cls);
        Py_XDECREF(cls);
        if (conflict) {
            Py_XDECREF(t);
            Py_XDECREF(v);
            Py_XDECREF(tb);
            char msg[96];
            snprintf(msg, sizeof msg, "the Python store's %s() refused: another engine wrote first",
                     method);
            triage_store_error_set(msg);
            triage_py_store_leave(c, 0, method);
            return (int)TRIAGE_ECONFLICT;
        }
        PyErr_Restore(t, v, tb);
    }
    return triage_py_store_leave(c, failed, method);
}

static PyObject *triage_py_id_or_none(const triage_id_t *id)
{
    if (triage_id_is_nil(id))
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize((const char *)id->bytes, 16);
}

static PyObject *triage_py_field_value(const triage_field_t *f)
{
    if (f->is_null)
        Py_RETURN_NONE;
    switch (f->type) {
    case TRIAGE_FIELD_REAL:
        return PyFloat_FromDouble(f->r);
    case TRIAGE_FIELD_ID:
        return PyBytes_FromStringAndSize((const char *)f->id.bytes, 16);
    case TRIAGE_FIELD_TEXT:
        return PyUnicode_FromString(f->text ? f->text : "");
    case TRIAGE_FIELD_INTS: {
        PyObject *t = PyTuple_New((Py_ssize_t)f->nints);
        for (uint32_t i = 0; t && i < f->nints; i++) {
            PyObject *v = PyLong_FromLong((long)f->ints[i]);
            if (!v) {
                Py_DECREF(t);
                return NULL;
            }
            PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
        }
        return t;
    }
    default:
        return PyLong_FromLongLong((long long)f->i);
    }
}

static PyObject *triage_py_fields(const triage_store_record_t *r)
{
    PyObject *t = PyTuple_New((Py_ssize_t)r->nfields);
    for (size_t i = 0; t && i < r->nfields; i++) {
        const triage_field_t *f = &r->fields[i];
        PyObject *v = triage_py_field_value(f);
        PyObject *item = v ? Py_BuildValue("(siN)", f->name ? f->name : "", (int)f->type, v) : NULL;
        if (!item) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, item);
    }
    return t;
}

/* Reads an id given as 16 bytes, or None for nil. */
static int triage_py_id_or_none_conv(PyObject *o, void *p)
{
    if (o == Py_None) {
        memset(p, 0, sizeof(triage_id_t));
        return 1;
    }
    return triage_py_id_conv(o, p);
}

/* Visits a record tuple (id16, owner16|None, revision, created, data) the
 * adapter returned. Returns 0, the visitor's result, or -1 with an
 * exception set. */
static int triage_py_store2_visit(PyObject *item, triage_record_kind_t kind,
                                  triage_store_record_fn visit, void *ctx)
{
    triage_store_record_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_STORE_RECORD_VERSION;
    r.kind = kind;
    long long rev = 0, created = 0;
    PyObject *data = NULL;
    if (!PyArg_ParseTuple(item, "O&O&LLO;a stored record is (id, owner, revision, created, data)",
                          triage_py_id_conv, &r.id, triage_py_id_or_none_conv, &r.owner, &rev,
                          &created, &data))
        return -1;
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0)
        return -1;
    r.revision = (int64_t)rev;
    r.created = (int64_t)created;
    r.data = view.buf;
    r.len = (size_t)view.len;
    int rc = visit(ctx, &r);
    PyBuffer_Release(&view);
    return rc;
}

/* Ends a trampoline that walked an iterator: `rc` > 0 or an error without
 * a Python exception is the engine's visitor stopping (its error is set). */
static int triage_py_store2_walk_end(triage_py_store_call *c, int rc, const char *method)
{
    if (rc > 0 || (rc != 0 && !PyErr_Occurred())) {
        triage_py_store_leave(c, 0, method);
        return rc;
    }
    return triage_py_store_leave(c, rc != 0, method);
}

static int triage_py_store2_simple(void *ud, const char *method)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = triage_py_store_done(PyObject_CallMethod((PyObject *)ud, method, NULL));
    return triage_py_store2_leave(&c, failed, method);
}

static int triage_py_store2_read_begin(void *ud)
{
    return triage_py_store2_simple(ud, "read_begin");
}

static int triage_py_store2_read_end(void *ud)
{
    return triage_py_store2_simple(ud, "read_end");
}

static int triage_py_store2_last_seq(void *ud, int64_t *out)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = 1;
    PyObject *r = PyObject_CallMethod((PyObject *)ud, "last_seq", NULL);
    if (r) {
        long long v = PyLong_AsLongLong(r);
        Py_DECREF(r);
        if (!(v == -1 && PyErr_Occurred())) {
            *out = (int64_t)v;
            failed = 0;
        }
    }
    return triage_py_store_leave(&c, failed, "last_seq");
}

static int triage_py_store2_put_record(void *ud, const triage_store_record_t *rec)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = 1;
    PyObject *fields = triage_py_fields(rec);
    if (fields) {
        PyObject *r = PyObject_CallMethod(
            (PyObject *)ud, "put_record", "iy#NLLLy#N", (int)rec->kind,
            (const char *)rec->id.bytes, (Py_ssize_t)16, triage_py_id_or_none(&rec->owner),
            (long long)rec->revision, (long long)rec->expected_revision, (long long)rec->created,
            (const char *)rec->data, (Py_ssize_t)rec->len, fields);
        failed = triage_py_store_done(r);
    }
    return triage_py_store2_leave(&c, failed, "put_record");
}

static int triage_py_store2_get_record(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                                       triage_store_record_fn visit, void *ctx)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int rc = -1;
    PyObject *r = PyObject_CallMethod((PyObject *)ud, "get_record", "iy#", (int)kind,
                                      (const char *)id->bytes, (Py_ssize_t)16);
    if (r == Py_None) {
        Py_DECREF(r);
        triage_py_store_leave(&c, 0, "get_record");
        return (int)TRIAGE_ENOTFOUND;
    }
    if (r) {
        rc = triage_py_store2_visit(r, kind, visit, ctx);
        Py_DECREF(r);
    }
    return triage_py_store2_walk_end(&c, rc, "get_record");
}

static int triage_py_store2_query_records(void *ud, const triage_store_query_t *q,
                                          triage_store_record_fn visit, void *ctx)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int rc = -1;
    PyObject *since = q->active_since == TRIAGE_DATE_NONE
                          ? (Py_INCREF(Py_None), Py_None)
                          : PyLong_FromLong((long)q->active_since);
    PyObject *it = since ? PyObject_CallMethod((PyObject *)ud, "query_records", "iNLiN",
                                               (int)q->kind, triage_py_id_or_none(&q->owner),
                                               (long long)q->changed_after, (int)q->open_only,
                                               since)
                         : NULL;
    if (it) {
        PyObject *item;
        rc = 0;
        while (rc == 0 && (item = PyIter_Next(it)) != NULL) {
            rc = triage_py_store2_visit(item, q->kind, visit, ctx);
            Py_DECREF(item);
        }
        if (rc == 0 && PyErr_Occurred())
            rc = -1;
        Py_DECREF(it);
    }
    return triage_py_store2_walk_end(&c, rc, "query_records");
}

static int triage_py_store2_append_event2(void *ud, const triage_store_event_t *se)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = 1;
    PyObject *t = triage_py_event_tuple(se->event);
    if (t) {
        PyObject *r = PyObject_CallMethod((PyObject *)ud, "append_event2", "LNy#",
                                          (long long)se->seq, t, (const char *)se->data,
                                          (Py_ssize_t)se->len);
        failed = triage_py_store_done(r);
    }
    return triage_py_store2_leave(&c, failed, "append_event2");
}

static int triage_py_store2_query_events(void *ud, const triage_store_event_query_t *q,
                                         triage_store_event_fn visit, void *ctx)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int rc = -1;
    PyObject *it = PyObject_CallMethod((PyObject *)ud, "query_events", "LLNLLL",
                                       (long long)q->after_seq, (long long)q->upto_seq,
                                       triage_py_id_or_none(&q->case_id), (long long)q->from_ms,
                                       (long long)q->to_ms, (long long)q->limit);
    if (it) {
        PyObject *item;
        rc = 0;
        while (rc == 0 && (item = PyIter_Next(it)) != NULL) {
            long long seq = 0;
            PyObject *data = NULL;
            Py_buffer view;
            if (!PyArg_ParseTuple(item, "LO;a stored event is (seq, data)", &seq, &data) ||
                PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
                rc = -1;
            } else {
                triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, NULL, (int64_t)seq,
                                           view.buf, (size_t)view.len};
                rc = visit(ctx, &se);
                PyBuffer_Release(&view);
            }
            Py_DECREF(item);
        }
        if (rc == 0 && PyErr_Occurred())
            rc = -1;
        Py_DECREF(it);
    }
    return triage_py_store2_walk_end(&c, rc, "query_events");
}

static void triage_py_store_capsule_free(PyObject *cap)
{
    triage_store_t *st = PyCapsule_GetPointer(cap, "triage.store");
    if (!st)
        return;
    if (st->destroy && st->userdata) {
        Py_BEGIN_ALLOW_THREADS
        st->destroy(st->userdata);
        Py_END_ALLOW_THREADS
    }
    free(st);
}

/*
 * Fills `st` when `store` is an interface-2 adapter or a C store in a
 * capsule; returns 1 then (the engine-to-be owns it from here: a reference
 * to the adapter, or the store taken out of the capsule), 0 for anything
 * else (an interface-1 adapter: store.i wires it). Called with the GIL.
 */
static int triage_py_store2_fill(triage_store_t *st, PyObject *store)
{
    if (store == Py_None)
        return 0;
    if (PyCapsule_IsValid(store, "triage.store")) {
        triage_store_t *inner = PyCapsule_GetPointer(store, "triage.store");
        *st = *inner;
        inner->userdata = NULL; /* taken: the capsule destroys nothing */
        inner->destroy = NULL;
        return 1;
    }
    PyObject *v = PyObject_GetAttrString(store, "interface");
    long iface = v ? PyLong_AsLong(v) : 1;
    Py_XDECREF(v);
    PyErr_Clear();
    if (iface != 2)
        return 0;
    PyObject *hr = PyObject_GetAttrString(store, "has_read");
    int has_read = hr ? PyObject_IsTrue(hr) == 1 : 0;
    Py_XDECREF(hr);
    PyErr_Clear();
    Py_INCREF(store);
    triage_store_t s = TRIAGE_STORE_INIT;
    s.userdata = store;
    s.begin = triage_py_store_begin;
    s.commit = triage_py_store_commit;
    s.rollback = triage_py_store_rollback;
    s.destroy = triage_py_store_destroy;
    s.last_seq = triage_py_store2_last_seq;
    if (has_read) {
        s.read_begin = triage_py_store2_read_begin;
        s.read_end = triage_py_store2_read_end;
    }
    s.put_record = triage_py_store2_put_record;
    s.get_record = triage_py_store2_get_record;
    s.query_records = triage_py_store2_query_records;
    s.append_event2 = triage_py_store2_append_event2;
    s.query_events = triage_py_store2_query_events;
    *st = s;
    return 1;
}
%}

%constant int TRIAGE_RECORD_INTAKE = TRIAGE_RECORD_INTAKE;
%constant int TRIAGE_RECORD_DEADLINE = TRIAGE_RECORD_DEADLINE;
%constant int TRIAGE_RECORD_POLICY = TRIAGE_RECORD_POLICY;
%constant int TRIAGE_FIELD_ID = TRIAGE_FIELD_ID;

int triage_store_postgresql_available(void);

/*
 * Opens the PostgreSQL store (connecting, and creating or checking its
 * tables, without the GIL) and returns it in a "triage.store" capsule for
 * triage_py_engine_open(). Raises the error of triage_store_postgresql().
 */
%nothread triage_py_store_postgresql;
%inline %{
PyObject *triage_py_store_postgresql(const char *conninfo, const char *schema, int32_t create,
                                     int32_t lock_timeout_ms, int32_t statement_timeout_ms)
{
    triage_store_t *st = calloc(1, sizeof *st);
    if (!st)
        return PyErr_NoMemory();
    triage_postgresql_options_t o = TRIAGE_POSTGRESQL_OPTIONS_INIT;
    o.schema = schema;
    o.create = create;
    o.lock_timeout_ms = lock_timeout_ms;
    o.statement_timeout_ms = statement_timeout_ms;
    triage_status_t rc;
    Py_BEGIN_ALLOW_THREADS
    rc = triage_store_postgresql(st, conninfo, &o);
    Py_END_ALLOW_THREADS
    if (rc) {
        free(st);
        triage_py_raise(rc);
        return NULL;
    }
    PyObject *cap = PyCapsule_New(st, "triage.store", triage_py_store_capsule_free);
    if (!cap) {
        st->destroy(st->userdata);
        free(st);
    }
    return cap;
}
%}
