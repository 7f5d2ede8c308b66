/*
 * store: SWIG declarations for triage/sys/store.h (included from triage.i after
 * engine.i, whose engine handle and helpers it reuses). The Pythonic face is
 * triage/_store.py (Engine.open, Engine.open_sqlite, Engine.open_memory,
 * MemoryStore); nothing here is meant to be used directly.
 *
 * A store written in Python reaches the C library through the trampolines
 * below (docs/conventions.md rule 27). The store's userdata is not the user's
 * object but a `_StoreAdapter` (triage/_store.py) that wraps it and converts
 * arguments both ways; the C side only deals with bytes, ints and tuples:
 *
 *   begin() commit() rollback()
 *   put(kind, id16, (owner16|None, stage, reason, role, date_from, date_to), data)
 *   delete(kind, id16)                                    (optional)
 *   list(kind) -> iterator of (id16, bytes-like)
 *   append_event(event_tuple)      (the 13-tuple of the event list typemap)
 *   list_events() -> iterator of event tuples
 *   schema_version() -> int                               (optional)
 *   destroy()
 *
 * The engine holds a strong reference to the adapter from the moment
 * triage_py_engine_open() is called; `destroy` (run exactly once by the C
 * library, also when opening fails) calls adapter.destroy() and drops the
 * reference, both under the GIL.
 *
 * Every trampoline takes the GIL. When the Python method raises an
 * Exception, the trampoline replaces it with a triage.StoreError whose
 * __cause__ is the original (code ESTORE, argument = the callback's name,
 * cause = TRIAGE_EUSER), leaves that pending, tells the C library through
 * triage_store_error_set() and returns TRIAGE_EUSER; the engine rolls back
 * and returns TRIAGE_ESTORE, and the status typemap (rule 24) raises the
 * pending StoreError. A BaseException that is not an Exception
 * (KeyboardInterrupt, SystemExit) is left as it is. An exception already
 * pending when a trampoline starts (the clock callback's, or the failed
 * callback's during rollback) is set aside while Python runs and restored
 * after: a new store failure becomes the current exception with the earlier
 * one as __context__; a failing rollback is attached to the pending
 * StoreError as `rollback_error` so the first failure stays the one raised.
 */

%{
#include <triage/sys/store.h>

/* Interface-2 Python stores and C stores in capsules (store2.i). */
static int triage_py_store2_fill(triage_store_t *st, PyObject *store);

/* Replaces the current Python exception (raised by the store method
 * `method`) with a chained triage.StoreError. Called with the GIL. */
static void triage_py_store_wrap(const char *method)
{
    PyObject *t = NULL, *v = NULL, *tb = NULL;
    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    if (!v) {
        Py_XDECREF(t);
        Py_XDECREF(tb);
        PyErr_SetString(PyExc_SystemError, "a store callback failed without an exception");
        PyErr_Fetch(&t, &v, &tb);
        PyErr_NormalizeException(&t, &v, &tb);
    }
    if (tb)
        PyException_SetTraceback(v, tb);
    char msg[160];
    snprintf(msg, sizeof msg, "the Python store's %s() raised %s", method,
             t ? ((PyTypeObject *)t)->tp_name : "an exception");
    triage_store_error_set(msg);
    if (!PyErr_GivenExceptionMatches(t, PyExc_Exception)) {
        PyErr_Restore(t, v, tb); /* KeyboardInterrupt, SystemExit: as they are */
        return;
    }
    PyObject *exc = NULL;
    PyObject *mod = PyImport_ImportModule("triage._errors");
    if (mod) {
        exc = PyObject_CallMethod(mod, "from_code", "issi", (int)TRIAGE_ESTORE, msg, method,
                                  (int)TRIAGE_EUSER);
        Py_DECREF(mod);
    }
    if (!exc) { /* cannot build it: keep the original */
        PyErr_Clear();
        PyErr_Restore(t, v, tb);
        return;
    }
    Py_INCREF(v);
    PyException_SetContext(exc, v); /* steals */
    PyException_SetCause(exc, v);   /* steals; sets __suppress_context__ */
    Py_XDECREF(t);
    Py_XDECREF(tb);
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
}

/* The exception pending when a trampoline starts, set aside meanwhile. */
typedef struct {
    PyGILState_STATE gil;
    PyObject *t, *v, *tb;
} triage_py_store_call;

static void triage_py_store_enter(triage_py_store_call *c)
{
    c->gil = PyGILState_Ensure();
    PyErr_Fetch(&c->t, &c->v, &c->tb);
}

/* Ends a trampoline: `failed` says the Python side raised (the exception is
 * set). Returns the callback's C result and releases the GIL. */
static int triage_py_store_leave(triage_py_store_call *c, int failed, const char *method)
{
    if (failed)
        triage_py_store_wrap(method);
    if (c->t) {
        PyObject *nt = NULL, *nv = NULL, *ntb = NULL;
        if (failed) {
            PyErr_Fetch(&nt, &nv, &ntb);
            PyErr_NormalizeException(&nt, &nv, &ntb);
            if (ntb && nv)
                PyException_SetTraceback(nv, ntb);
        }
        PyErr_NormalizeException(&c->t, &c->v, &c->tb);
        if (c->tb && c->v)
            PyException_SetTraceback(c->v, c->tb);
        if (failed && strcmp(method, "rollback") == 0 && c->v && nv) {
            /* The first failure stays the one raised. */
            if (PyObject_SetAttrString(c->v, "rollback_error", nv) < 0)
                PyErr_Clear();
            Py_XDECREF(nt);
            Py_XDECREF(nv);
            Py_XDECREF(ntb);
            PyErr_Restore(c->t, c->v, c->tb);
        } else if (failed && nv) {
            if (c->v) {
                Py_INCREF(c->v);
                PyException_SetContext(nv, c->v); /* steals */
            }
            Py_XDECREF(c->t);
            Py_XDECREF(c->v);
            Py_XDECREF(c->tb);
            PyErr_Restore(nt, nv, ntb);
        } else {
            PyErr_Restore(c->t, c->v, c->tb);
        }
    }
    PyGILState_Release(c->gil);
    return failed ? (int)TRIAGE_EUSER : 0;
}

/* Discards a method's result: 1 when the method raised (r is NULL), else 0. */
static int triage_py_store_done(PyObject *r)
{
    if (!r)
        return 1;
    Py_DECREF(r);
    return 0;
}

static int triage_py_store_begin(void *ud)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = triage_py_store_done(PyObject_CallMethod((PyObject *)ud, "begin", NULL));
    return triage_py_store_leave(&c, failed, "begin");
}

static int triage_py_store_commit(void *ud)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = triage_py_store_done(PyObject_CallMethod((PyObject *)ud, "commit", NULL));
    return triage_py_store_leave(&c, failed, "commit");
}

static int triage_py_store_rollback(void *ud)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = triage_py_store_done(PyObject_CallMethod((PyObject *)ud, "rollback", NULL));
    return triage_py_store_leave(&c, failed, "rollback");
}

static int triage_py_store_put(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                               const triage_record_keys_t *keys, const void *data, size_t len)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    PyObject *r = PyObject_CallMethod((PyObject *)ud, "put", "iy#(O&iiiii)y#", (int)kind,
                                      (const char *)id->bytes, (Py_ssize_t)16, triage_py_id_obj,
                                      (void *)&keys->owner, (int)keys->stage, (int)keys->reason,
                                      (int)keys->role, (int)keys->date_from, (int)keys->date_to,
                                      (const char *)data, (Py_ssize_t)len);
    int failed = triage_py_store_done(r);
    return triage_py_store_leave(&c, failed, "put");
}

static int triage_py_store_del(void *ud, triage_record_kind_t kind, const triage_id_t *id)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    PyObject *r = PyObject_CallMethod((PyObject *)ud, "delete", "iy#", (int)kind,
                                      (const char *)id->bytes, (Py_ssize_t)16);
    int failed = triage_py_store_done(r);
    return triage_py_store_leave(&c, failed, "delete");
}

/* Walks the iterator the adapter returned for list(kind). Returns 0, the
 * visitor's nonzero result (no Python exception), or -1 with one set. */
static int triage_py_store_walk_records(PyObject *it, triage_record_visit_fn visit, void *ctx)
{
    PyObject *item;
    while ((item = PyIter_Next(it)) != NULL) {
        triage_id_t id;
        PyObject *data = NULL;
        if (!PyArg_ParseTuple(item, "O&O;a stored record is (id, data)", triage_py_id_conv, &id,
                              &data)) {
            Py_DECREF(item);
            return -1;
        }
        Py_buffer view;
        if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
            Py_DECREF(item);
            return -1;
        }
        int rc = visit(ctx, &id, view.buf, (size_t)view.len);
        PyBuffer_Release(&view);
        Py_DECREF(item);
        if (rc)
            return rc;
    }
    return PyErr_Occurred() ? -1 : 0;
}

static int triage_py_store_list(void *ud, triage_record_kind_t kind, triage_record_visit_fn visit,
                                void *ctx)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int rc = -1;
    PyObject *it = PyObject_CallMethod((PyObject *)ud, "list", "i", (int)kind);
    if (it) {
        rc = triage_py_store_walk_records(it, visit, ctx);
        Py_DECREF(it);
    }
    if (rc > 0 || (rc != 0 && !PyErr_Occurred())) {
        /* The engine's visitor stopped the walk: its own error is set. */
        triage_py_store_leave(&c, 0, "list");
        return rc;
    }
    return triage_py_store_leave(&c, rc != 0, "list");
}

/* (seq, at_ms, case, subject, actor, kind, from, to, reason, from_id, to_id,
 *  policy_version, policy_id, intake): the format of the event pages. */
static PyObject *triage_py_event_tuple(const triage_event_t *ev)
{
    char pid[sizeof ev->policy_id + 1];
    memcpy(pid, ev->policy_id, sizeof ev->policy_id);
    pid[sizeof ev->policy_id] = '\0';
    return Py_BuildValue("(LLO&O&O&iiiiO&O&ksO&)", (long long)ev->seq, (long long)ev->at_ms,
                         triage_py_id_obj, (void *)&ev->case_id, triage_py_id_obj,
                         (void *)&ev->subject, triage_py_id_obj, (void *)&ev->actor,
                         (int)ev->kind, (int)ev->from, (int)ev->to, (int)ev->reason,
                         triage_py_id_obj, (void *)&ev->from_id, triage_py_id_obj,
                         (void *)&ev->to_id, (unsigned long)ev->policy_version, pid,
                         triage_py_id_obj, (void *)&ev->intake);
}

static int triage_py_event_from_tuple(PyObject *t, triage_event_t *ev)
{
    long long seq = 0, at = 0;
    int kind = 0;
    unsigned long pver = 0;
    const char *pid = NULL;
    Py_ssize_t pidlen = 0;
    memset(ev, 0, sizeof *ev);
    if (!PyArg_ParseTuple(t, "LLO&O&O&iiiiO&O&ks#|O&;bad stored event", &seq, &at,
                          triage_py_id_conv, &ev->case_id, triage_py_id_conv, &ev->subject,
                          triage_py_id_conv, &ev->actor, &kind, &ev->from, &ev->to, &ev->reason,
                          triage_py_id_conv, &ev->from_id, triage_py_id_conv, &ev->to_id, &pver,
                          &pid, &pidlen, triage_py_id_conv, &ev->intake))
        return 0;
    ev->version = TRIAGE_EVENT_VERSION;
    if (pver > UINT32_MAX || (size_t)pidlen > sizeof ev->policy_id) {
        PyErr_SetString(PyExc_ValueError, "a stored event's policy fields are too long");
        return 0;
    }
    ev->seq = (int64_t)seq;
    ev->at_ms = (int64_t)at;
    ev->kind = (triage_event_kind_t)kind;
    ev->policy_version = (uint32_t)pver;
    memcpy(ev->policy_id, pid, (size_t)pidlen);
    return 1;
}

static int triage_py_store_append_event(void *ud, const triage_event_t *ev)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = 1;
    PyObject *t = triage_py_event_tuple(ev);
    if (t) {
        failed = triage_py_store_done(PyObject_CallMethod((PyObject *)ud, "append_event", "(O)", t));
        Py_DECREF(t);
    }
    return triage_py_store_leave(&c, failed, "append_event");
}

static int triage_py_store_list_events(void *ud, triage_event_visit_fn visit, void *ctx)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int rc = -1;
    PyObject *it = PyObject_CallMethod((PyObject *)ud, "list_events", NULL);
    if (it) {
        PyObject *item;
        rc = 0;
        while (rc == 0 && (item = PyIter_Next(it)) != NULL) {
            triage_event_t ev;
            if (!triage_py_event_from_tuple(item, &ev))
                rc = -1;
            else
                rc = visit(ctx, &ev);
            Py_DECREF(item);
        }
        if (rc == 0 && PyErr_Occurred())
            rc = -1;
        Py_DECREF(it);
    }
    if (rc > 0 || (rc != 0 && !PyErr_Occurred())) {
        triage_py_store_leave(&c, 0, "list_events");
        return rc;
    }
    return triage_py_store_leave(&c, rc != 0, "list_events");
}

static int triage_py_store_schema_version(void *ud, uint32_t *out)
{
    triage_py_store_call c;
    triage_py_store_enter(&c);
    int failed = 1;
    PyObject *r = PyObject_CallMethod((PyObject *)ud, "schema_version", NULL);
    if (r) {
        unsigned long v = PyLong_AsUnsignedLong(r);
        Py_DECREF(r);
        if (!(v == (unsigned long)-1 && PyErr_Occurred())) {
            if (v > UINT32_MAX) {
                PyErr_SetString(PyExc_OverflowError, "schema_version() is out of range");
            } else {
                *out = (uint32_t)v;
                failed = 0;
            }
        }
    }
    return triage_py_store_leave(&c, failed, "schema_version");
}

/* Runs exactly once: adapter.destroy() (calls the store's close(); its
 * exception cannot be raised anywhere and is reported as unraisable), then
 * the engine's reference to the adapter is dropped. */
static void triage_py_store_destroy(void *ud)
{
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb);
    PyObject *r = PyObject_CallMethod((PyObject *)ud, "destroy", NULL);
    if (r)
        Py_DECREF(r);
    else
        PyErr_WriteUnraisable((PyObject *)ud);
    Py_DECREF((PyObject *)ud);
    PyErr_Restore(t, v, tb);
    PyGILState_Release(g);
}
%}

%constant int TRIAGE_STORE_SCHEMA_VERSION = TRIAGE_STORE_SCHEMA_VERSION;
%constant int TRIAGE_RECORD_CLIENT = TRIAGE_RECORD_CLIENT;
%constant int TRIAGE_RECORD_CASE = TRIAGE_RECORD_CASE;
%constant int TRIAGE_RECORD_WORKER = TRIAGE_RECORD_WORKER;
%constant int TRIAGE_RECORD_ABSENCE = TRIAGE_RECORD_ABSENCE;
%constant int TRIAGE_SQLITE_CHECK_NONE = TRIAGE_SQLITE_CHECK_NONE;
%constant int TRIAGE_SQLITE_CHECK_QUICK = TRIAGE_SQLITE_CHECK_QUICK;
%constant int TRIAGE_SQLITE_CHECK_FULL = TRIAGE_SQLITE_CHECK_FULL;

int triage_store_sqlite_available(void);
%constant int TRIAGE_SQLITE_BUSY_TIMEOUT_DEFAULT = TRIAGE_SQLITE_BUSY_TIMEOUT_DEFAULT;

/*
 * Opens an engine on a store: `store` is a Python store adapter, or None for
 * a C store (the SQLite file `path`, or the in-memory store when `path` is
 * None). The engine options are those of triage_py_engine_new(). has_delete
 * and has_schema_version say which optional adapter methods to wire;
 * file_mode and check are the SQLite store's options (0: defaults). Runs
 * with the GIL (it takes references) and releases it while the C library
 * opens and loads.
 */
%nothread triage_py_engine_open;
%inline %{
triage_status_t triage_py_engine_open(struct triage_py_engine **out,
                                      int32_t unreachable_attempts, int32_t unreachable_min_days,
                                      int32_t repeat_notifications, int32_t repeat_window_days,
                                      int32_t office_open_min, int32_t office_close_min, int32_t retries,
                                      const triage_calendar_t *calendar,
                                      const triage_urgency_policy_t *urgency,
                                      const triage_deadline_rules_t *deadlines,
                                      const triage_classify_policy_t *classify,
                                      PyObject *audit, PyObject *clock,
                                      PyObject *store, PyObject *path, int32_t create,
                                      int32_t busy_timeout_ms, int32_t has_delete,
                                      int32_t has_schema_version, int32_t file_mode,
                                      int32_t check)
{
    triage_store_t st = TRIAGE_STORE_INIT;
    triage_status_t rc = TRIAGE_OK;
    if (triage_py_store2_fill(&st, store)) {
        /* an interface-2 adapter or a C store in a capsule (store2.i) */
    } else if (store != Py_None) {
        /* From here on the engine-to-be owns a reference, and the adapter's
         * destroy runs exactly once whatever happens below. */
        Py_INCREF(store);
        st.userdata = store;
        st.begin = triage_py_store_begin;
        st.commit = triage_py_store_commit;
        st.rollback = triage_py_store_rollback;
        st.put = triage_py_store_put;
        st.del = has_delete ? triage_py_store_del : NULL;
        st.list = triage_py_store_list;
        st.append_event = triage_py_store_append_event;
        st.list_events = triage_py_store_list_events;
        st.schema_version = has_schema_version ? triage_py_store_schema_version : NULL;
        st.destroy = triage_py_store_destroy;
    }
    if ((audit != Py_None && !PyCallable_Check(audit)) ||
        (clock != Py_None && !PyCallable_Check(clock))) {
        if (st.destroy)
            st.destroy(st.userdata);
        PyErr_SetString(PyExc_TypeError, "audit and clock must be callables or None");
        return TRIAGE_EINVAL;
    }
    if (store == Py_None && path != Py_None) {
        PyObject *fspath = NULL; /* bytes; str, bytes or os.PathLike accepted */
        if (!PyUnicode_FSConverter(path, &fspath))
            return TRIAGE_EINVAL;
        const char *cpath = PyBytes_AS_STRING(fspath);
        triage_sqlite_options_t so = TRIAGE_SQLITE_OPTIONS_INIT;
        so.create = create;
        so.busy_timeout_ms = busy_timeout_ms;
        so.file_mode = (uint32_t)file_mode;
        so.check = check;
        Py_BEGIN_ALLOW_THREADS
        rc = triage_store_sqlite(&st, cpath, &so);
        Py_END_ALLOW_THREADS
        Py_DECREF(fspath);
    } else if (store == Py_None) {
        rc = triage_store_memory(&st, NULL);
    }
    if (rc)
        return rc;
    struct triage_py_engine *h = calloc(1, sizeof *h);
    if (!h) {
        if (st.destroy)
            st.destroy(st.userdata);
        PyErr_NoMemory();
        return TRIAGE_ENOMEM;
    }
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.calendar = calendar;
    o.urgency = urgency;
    o.deadlines = deadlines;
    o.classify = classify;
    o.unreachable_attempts = unreachable_attempts;
    o.unreachable_min_days = unreachable_min_days;
    o.repeat_notifications = repeat_notifications;
    o.repeat_window_days = repeat_window_days;
    o.office_open_min = office_open_min;
    o.office_close_min = office_close_min;
    o.retries = retries;
    if (audit != Py_None) {
        o.audit = triage_py_audit_tramp;
        o.audit_userdata = audit;
    }
    if (clock != Py_None) {
        o.clock = triage_py_clock_tramp;
        o.clock_userdata = clock;
    }
    /* Takes ownership of the store: destroy runs exactly once, also on failure. */
    Py_BEGIN_ALLOW_THREADS
    rc = triage_engine_open(&h->engine, &o, &st);
    Py_END_ALLOW_THREADS
    if (rc) {
        free(h);
        return rc;
    }
    if (audit != Py_None) {
        Py_INCREF(audit);
        h->audit = audit;
    }
    if (clock != Py_None) {
        Py_INCREF(clock);
        h->clock = clock;
    }
    *out = h;
    return TRIAGE_OK;
}
%}
