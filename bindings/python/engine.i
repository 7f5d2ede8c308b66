/*
 * engine: SWIG declarations for triage/engine.h (included from triage.i, after
 * the calendar, classify, urgency and deadline interfaces whose typemaps it
 * reuses). The Pythonic face is triage/_engine.py (triage.Engine); nothing
 * here is meant to be used directly.
 *
 * The engine handle. Python never sees triage_engine_t itself: it holds a
 * `triage_py_engine` proxy, a small C struct that owns the engine and the
 * Python callables given as the audit callback and the clock (strong
 * references, released when the engine is freed). Every wrapped function
 * that takes `triage_engine_t *engine` receives that proxy; the typemap
 * refuses a closed engine (ValueError) and a call made while another call on
 * the same engine is running (RuntimeError: another thread, or the engine's
 * own audit callback calling back in, which the C API forbids).
 *
 * Callbacks. SWIG releases the GIL around every C call (threads=1), so the
 * trampolines take it with PyGILState_Ensure(). The audit callback returns
 * void: an exception it raises is left set in the calling thread's state and
 * the status typemap raises it when the C call returns (the first one wins
 * when several callbacks fail in one call). The change itself was committed:
 * the C library reports to the audit callback only after a commit.
 *
 * Records cross the boundary as tuples (input) and dicts or tuples (output)
 * built here; ids are 16-byte bytes objects, or None for the nil id.
 * Owned arrays returned by the C library (id and event lists) are converted
 * by the argout typemap and released by the freearg typemap, which SWIG runs
 * exactly once on both the success and the failure path.
 */

%{
#include <time.h>

struct triage_py_engine {
    triage_engine_t *engine; /* NULL once closed */
    PyObject *audit;         /* owned; NULL when none */
    PyObject *clock;         /* owned; NULL when none */
    int busy;                /* calls in progress (0 or 1) */
};

/* An id as bytes, or None for the nil id. New reference (Py_BuildValue "O&"). */
static PyObject *triage_py_id_obj(void *p)
{
    const triage_id_t *id = p;
    if (!id || triage_id_is_nil(id))
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize((const char *)id->bytes, 16);
}

/* An id from None (nil) or 16 bytes; a PyArg "O&" converter. */
static int triage_py_id_conv(PyObject *o, void *p)
{
    triage_id_t *id = p;
    memset(id, 0, sizeof *id);
    if (o == Py_None)
        return 1;
    char *buf;
    Py_ssize_t len;
    if (!PyBytes_Check(o) || PyBytes_AsStringAndSize(o, &buf, &len) < 0 || len != 16) {
        PyErr_SetString(PyExc_TypeError, "an id must be 16 bytes or None");
        return 0;
    }
    memcpy(id->bytes, buf, 16);
    return 1;
}

static void triage_py_audit_tramp(void *ud, triage_audit_action_t action,
                                  triage_audit_object_t object, const triage_id_t *id)
{
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb); /* an earlier callback's exception in this call */
    PyObject *r = PyObject_CallFunction((PyObject *)ud, "iiO&", (int)action, (int)object,
                                        triage_py_id_obj, (void *)id);
    Py_XDECREF(r);
    if (et) {
        PyErr_Clear();
        PyErr_Restore(et, ev, tb);
    }
    PyGILState_Release(g);
}

static int64_t triage_py_clock_tramp(void *ud)
{
    PyGILState_STATE g = PyGILState_Ensure();
    int64_t v = 0;
    int ok = 0;
    if (!PyErr_Occurred()) {
        PyObject *r = PyObject_CallObject((PyObject *)ud, NULL);
        if (r) {
            long long x = PyLong_AsLongLong(r);
            Py_DECREF(r);
            if (!(x == -1 && PyErr_Occurred())) {
                v = (int64_t)x;
                ok = 1;
            }
        }
    }
    PyGILState_Release(g);
    if (!ok) { /* the exception is raised after the call; meanwhile the real time */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        v = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    return v;
}

/* Frees the engine, then drops the callables. Safe with or without the GIL. */
static void triage_py_engine_release(struct triage_py_engine *h)
{
    /* Closed before freeing: a store's destroy callback that calls back into
     * this engine finds it closed rather than half freed. */
    triage_engine_t *engine = h->engine;
    h->engine = NULL;
    triage_engine_free(engine);
    if (h->audit || h->clock) {
        PyGILState_STATE g = PyGILState_Ensure();
        Py_CLEAR(h->audit);
        Py_CLEAR(h->clock);
        PyGILState_Release(g);
    }
}

static int triage_py_int_field(PyObject *seq, Py_ssize_t i, int32_t *out)
{
    long v = PyLong_AsLong(PyTuple_GET_ITEM(seq, i));
    if (v == -1 && PyErr_Occurred())
        return 0;
    if (v < INT32_MIN || v > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "value out of int32 range");
        return 0;
    }
    *out = (int32_t)v;
    return 1;
}

#define TRIAGE_PY_SET(dict, key, expr)                              \
    do {                                                            \
        PyObject *v_ = (expr);                                      \
        if (!v_ || PyDict_SetItemString((dict), (key), v_) < 0) {   \
            Py_XDECREF(v_);                                         \
            Py_DECREF(dict);                                        \
            return NULL;                                            \
        }                                                           \
        Py_DECREF(v_);                                              \
    } while (0)

static PyObject *triage_py_deadline_tuple(const triage_deadline_t *d)
{
    return Py_BuildValue("(iiii)", (int)d->row, (int)d->basis, (int)d->milestone, (int)d->due);
}

static PyObject *triage_py_client_dict(const triage_client_t *c)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    TRIAGE_PY_SET(d, "id", triage_py_id_obj((void *)&c->id));
    TRIAGE_PY_SET(d, "date_of_birth", PyLong_FromLong(c->date_of_birth));
    TRIAGE_PY_SET(d, "language", PyLong_FromLong((long)c->language));
    TRIAGE_PY_SET(d, "municipality", PyLong_FromLong(c->municipality));
    TRIAGE_PY_SET(d, "responsible_worker", triage_py_id_obj((void *)&c->responsible_worker));
    TRIAGE_PY_SET(d, "notifications", PyLong_FromUnsignedLong(c->notifications));
    TRIAGE_PY_SET(d, "failed_contacts", PyLong_FromUnsignedLong(c->failed_contacts));
    TRIAGE_PY_SET(d, "flags", PyLong_FromUnsignedLong(c->flags));
    TRIAGE_PY_SET(d, "last_contact", PyLong_FromLong(c->last_contact));
    TRIAGE_PY_SET(d, "no_shows", PyLong_FromUnsignedLong(c->no_shows));
    return d;
}

static PyObject *triage_py_worker_dict(const triage_worker_t *w)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    uint32_t n = w->served ? w->served_count : 0;
    PyObject *served = PyTuple_New((Py_ssize_t)n);
    if (!served) {
        Py_DECREF(d);
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong(w->served[i]);
        if (!v) {
            Py_DECREF(served);
            Py_DECREF(d);
            return NULL;
        }
        PyTuple_SET_ITEM(served, (Py_ssize_t)i, v);
    }
    TRIAGE_PY_SET(d, "served", served);
    TRIAGE_PY_SET(d, "id", triage_py_id_obj((void *)&w->id));
    TRIAGE_PY_SET(d, "role", PyLong_FromLong((long)w->role));
    TRIAGE_PY_SET(d, "fte", PyFloat_FromDouble(w->fte));
    TRIAGE_PY_SET(d, "languages", PyLong_FromUnsignedLong(w->languages));
    TRIAGE_PY_SET(d, "office", PyLong_FromLong(w->office));
    TRIAGE_PY_SET(d, "team", PyLong_FromLong(w->team));
    TRIAGE_PY_SET(d, "active", PyLong_FromLong(w->active));
    return d;
}

static PyObject *triage_py_case_dict(const triage_case_t *c)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    TRIAGE_PY_SET(d, "id", triage_py_id_obj((void *)&c->id));
    TRIAGE_PY_SET(d, "client", triage_py_id_obj((void *)&c->client));
    TRIAGE_PY_SET(d, "kind", PyLong_FromLong((long)c->kind));
    TRIAGE_PY_SET(d, "channel", PyLong_FromLong((long)c->channel));
    TRIAGE_PY_SET(d, "service", PyLong_FromLong((long)c->service));
    TRIAGE_PY_SET(d, "received_ms", PyLong_FromLongLong((long long)c->received_ms));
    TRIAGE_PY_SET(d, "received", PyLong_FromLong(c->received));
    TRIAGE_PY_SET(d, "stage", PyLong_FromLong((long)c->stage));
    TRIAGE_PY_SET(d, "urgency", PyLong_FromLong((long)c->urgency));
    TRIAGE_PY_SET(d, "triggers", PyLong_FromUnsignedLong(c->triggers));
    TRIAGE_PY_SET(d, "flags", PyLong_FromUnsignedLong(c->flags));
    TRIAGE_PY_SET(d, "classification",
                  PyBytes_FromStringAndSize((const char *)&c->classification,
                                            (Py_ssize_t)sizeof c->classification));
    TRIAGE_PY_SET(d, "special_support", PyLong_FromLong(c->special_support));
    TRIAGE_PY_SET(d, "special_support_decided", PyLong_FromLong(c->special_support_decided));
    TRIAGE_PY_SET(d, "special_support_decider", triage_py_id_obj((void *)&c->special_support_decider));
    TRIAGE_PY_SET(d, "assessment_worker", triage_py_id_obj((void *)&c->assessment_worker));
    TRIAGE_PY_SET(d, "responsible", triage_py_id_obj((void *)&c->responsible));
    TRIAGE_PY_SET(d, "pair", triage_py_id_obj((void *)&c->pair));
    TRIAGE_PY_SET(d, "closing_reason", PyLong_FromLong((long)c->closing_reason));
    TRIAGE_PY_SET(d, "motivation", PyLong_FromLong((long)c->motivation));
    TRIAGE_PY_SET(d, "need_nature", PyLong_FromLong((long)c->need_nature));
    TRIAGE_PY_SET(d, "contact_attempts", PyLong_FromLong(c->contact_attempts));
    TRIAGE_PY_SET(d, "first_contact", PyLong_FromLong(c->first_contact));
    TRIAGE_PY_SET(d, "first_attempt", PyLong_FromLong(c->first_attempt));
    TRIAGE_PY_SET(d, "last_attempt", PyLong_FromLong(c->last_attempt));
    TRIAGE_PY_SET(d, "assessment_started", PyLong_FromLong(c->assessment_started));
    TRIAGE_PY_SET(d, "assessment_completed", PyLong_FromLong(c->assessment_completed));
    TRIAGE_PY_SET(d, "responded", PyLong_FromLong(c->responded));
    TRIAGE_PY_SET(d, "closed", PyLong_FromLong(c->closed));
    TRIAGE_PY_SET(d, "plan_made", PyLong_FromLong(c->plan_made));
    TRIAGE_PY_SET(d, "intake_count", PyLong_FromUnsignedLong(c->intake_count));
    TRIAGE_PY_SET(d, "deadline_count", PyLong_FromUnsignedLong(c->deadline_count));
    TRIAGE_PY_SET(d, "no_shows", PyLong_FromLong(c->no_shows));
    TRIAGE_PY_SET(d, "children", PyLong_FromLong(c->children));
    TRIAGE_PY_SET(d, "attached_to", triage_py_id_obj((void *)&c->attached_to));
    return d;
}

static PyObject *triage_py_intake_dict(const triage_intake_info_t *r)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    TRIAGE_PY_SET(d, "id", triage_py_id_obj((void *)&r->id));
    TRIAGE_PY_SET(d, "case", triage_py_id_obj((void *)&r->case_id));
    TRIAGE_PY_SET(d, "client", triage_py_id_obj((void *)&r->client));
    TRIAGE_PY_SET(d, "ordinal", PyLong_FromLong(r->ordinal));
    TRIAGE_PY_SET(d, "kind", PyLong_FromLong((long)r->kind));
    TRIAGE_PY_SET(d, "channel", PyLong_FromLong((long)r->channel));
    TRIAGE_PY_SET(d, "service", PyLong_FromLong((long)r->service));
    TRIAGE_PY_SET(d, "received_ms", PyLong_FromLongLong((long long)r->received_ms));
    TRIAGE_PY_SET(d, "received", PyLong_FromLong(r->received));
    TRIAGE_PY_SET(d, "urgency", PyLong_FromLong((long)r->urgency));
    TRIAGE_PY_SET(d, "triggers", PyLong_FromUnsignedLong(r->triggers));
    TRIAGE_PY_SET(d, "flags", PyLong_FromUnsignedLong(r->flags));
    TRIAGE_PY_SET(d, "children", PyLong_FromLong(r->children));
    return d;
}
%}

/* ---- the engine handle --------------------------------------------------- */

%nodefaultctor triage_py_engine;
struct triage_py_engine {};
%extend triage_py_engine {
    ~triage_py_engine() {
        triage_py_engine_release($self);
        free($self);
    }
}

%typemap(in) triage_engine_t *engine (struct triage_py_engine *holder = NULL) {
    void *argp = NULL;
    if (!SWIG_IsOK(SWIG_ConvertPtr($input, &argp, SWIGTYPE_p_triage_py_engine, 0)) || !argp) {
        PyErr_SetString(PyExc_TypeError, "expected an engine handle");
        SWIG_fail;
    }
    if (!((struct triage_py_engine *)argp)->engine) {
        PyErr_SetString(PyExc_ValueError, "the engine is closed");
        SWIG_fail;
    }
    if (((struct triage_py_engine *)argp)->busy) {
        PyErr_SetString(PyExc_RuntimeError,
                        "the engine is in use (by another thread, or this is a call from its "
                        "own audit callback)");
        SWIG_fail;
    }
    holder = argp;
    holder->busy = 1;
    $1 = holder->engine;
}
%typemap(freearg) triage_engine_t *engine {
    if (holder$argnum)
        holder$argnum->busy = 0;
}

%ignore triage_engine_new;
%ignore triage_engine_free;
%ignore triage_engine_calendar;
%ignore triage_engine_options;
%ignore triage_engine_options_init;
/* The record structs cross as tuples and dicts (below), not as proxies.
 * (%ignore would also hide the function triage_intake().) */
%rename("$ignore", %$isclass) triage_client;
%rename("$ignore", %$isclass) triage_worker;
%rename("$ignore", %$isclass) triage_case;
%rename("$ignore", %$isclass) triage_event;
%rename("$ignore", %$isclass) triage_intake;
%rename("$ignore", %$isclass) triage_intake_result;
%rename("$ignore", %$isclass) triage_case_filter;
%rename("$ignore", %$isclass) triage_move;
%rename("$ignore", %$isclass) triage_assessment_record;
%rename("$ignore", %$isclass) triage_case_deadline;

%typemap(in, numinputs=0) struct triage_py_engine **out (struct triage_py_engine *tmp = NULL) {
    $1 = &tmp;
}
%typemap(argout) struct triage_py_engine **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(SWIG_as_voidptr(*$1), SWIGTYPE_p_triage_py_engine, SWIG_POINTER_OWN));
}

/*
 * Creates an engine. audit/clock: a callable or None (the package passes
 * adapters that convert the arguments and the return value). Runs with the
 * GIL: it takes references.
 */
%nothread triage_py_engine_new;
%nothread triage_py_engine_close;
%nothread triage_py_engine_calendar_copy;
%inline %{
triage_status_t triage_py_engine_new(struct triage_py_engine **out,
                                     int32_t unreachable_attempts, int32_t unreachable_min_days,
                                     int32_t repeat_notifications, int32_t repeat_window_days,
                                     int32_t office_open_min, int32_t office_close_min, int32_t retries,
                                     const triage_calendar_t *calendar,
                                     const triage_urgency_policy_t *urgency,
                                     const triage_deadline_rules_t *deadlines,
                                     const triage_classify_policy_t *classify,
                                     PyObject *audit, PyObject *clock)
{
    if ((audit != Py_None && !PyCallable_Check(audit)) ||
        (clock != Py_None && !PyCallable_Check(clock))) {
        PyErr_SetString(PyExc_TypeError, "audit and clock must be callables or None");
        return TRIAGE_EINVAL;
    }
    struct triage_py_engine *h = calloc(1, sizeof *h);
    if (!h) {
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
    triage_status_t rc = triage_engine_new(&h->engine, &o);
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

/* Frees the engine now (the handle stays, closed). Idempotent. */
PyObject *triage_py_engine_close(struct triage_py_engine *h)
{
    if (!h) {
        PyErr_SetString(PyExc_TypeError, "expected an engine handle");
        return NULL;
    }
    if (h->busy) {
        PyErr_SetString(PyExc_RuntimeError, "the engine is in use and cannot be closed now");
        return NULL;
    }
    triage_py_engine_release(h);
    Py_RETURN_NONE;
}

int triage_py_engine_closed(const struct triage_py_engine *h)
{
    return !h || !h->engine;
}
%}

/* A copy of the engine's calendar, owned by Python. */
%inline %{
triage_status_t triage_py_engine_calendar_copy(triage_calendar_t **out,
                                               struct triage_py_engine *h)
{
    if (!h || !h->engine) {
        PyErr_SetString(PyExc_ValueError, "the engine is closed");
        return TRIAGE_EINVAL;
    }
    return triage_calendar_copy(out, triage_engine_calendar(h->engine));
}
%}

/* ---- records --------------------------------------------------------------- */

/* Client in: (id, date_of_birth, language, municipality). */
%typemap(in) const triage_client_t *client (triage_client_t tmp) {
    triage_client_t init = TRIAGE_CLIENT_INIT;
    int32_t lang = 0;
    tmp = init;
    if (!PyArg_ParseTuple($input, "O&iii;a client is (id, date_of_birth, language, municipality)",
                          triage_py_id_conv, &tmp.id, &tmp.date_of_birth, &lang,
                          &tmp.municipality))
        SWIG_fail;
    tmp.language = (triage_language_t)lang;
    $1 = &tmp;
}
%typemap(in, numinputs=0) triage_client_t *out (triage_client_t tmp) {
    memset(&tmp, 0, sizeof tmp);
    tmp.version = TRIAGE_CLIENT_VERSION;
    $1 = &tmp;
}
%typemap(argout) triage_client_t *out {
    PyObject *d = triage_py_client_dict($1);
    if (!d)
        SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, d);
}

/* Worker in: (id, role, fte, languages, office, team, active, served). */
%typemap(in) const triage_worker_t *worker (triage_worker_t tmp, int32_t *codes = NULL) {
    triage_worker_t init = TRIAGE_WORKER_INIT;
    int role = 0;
    PyObject *served = NULL;
    tmp = init;
    if (!PyArg_ParseTuple($input, "O&idIiiiO!;a worker is (id, role, fte, languages, office, team, active, served)",
                          triage_py_id_conv, &tmp.id, &role, &tmp.fte, &tmp.languages,
                          &tmp.office, &tmp.team, &tmp.active, &PyTuple_Type, &served))
        SWIG_fail;
    tmp.role = (triage_role_t)role;
    Py_ssize_t n = PyTuple_GET_SIZE(served);
    if (n > UINT32_MAX / 4) {
        PyErr_SetString(PyExc_OverflowError, "too many served municipalities");
        SWIG_fail;
    }
    tmp.served_count = (uint32_t)n;
    if (n) {
        codes = PyMem_Malloc((size_t)n * sizeof *codes);
        if (!codes) {
            PyErr_NoMemory();
            SWIG_fail;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            if (!triage_py_int_field(served, i, &codes[i]))
                SWIG_fail;
    }
    tmp.served = codes;
    $1 = &tmp;
}
%typemap(freearg) const triage_worker_t *worker {
    PyMem_Free(codes$argnum);
}
%typemap(in, numinputs=0) triage_worker_t *out (triage_worker_t tmp) {
    memset(&tmp, 0, sizeof tmp);
    tmp.version = TRIAGE_WORKER_VERSION;
    $1 = &tmp;
}
%typemap(argout) triage_worker_t *out {
    PyObject *d = triage_py_worker_dict($1);
    if (!d)
        SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, d);
}

/* A new id. */
%typemap(in, numinputs=0) triage_id_t *out_id (triage_id_t tmp) { memset(&tmp, 0, sizeof tmp); $1 = &tmp; }
%typemap(argout) triage_id_t *out_id {
    $result = SWIG_Python_AppendOutput($result, PyBytes_FromStringAndSize((const char *)$1->bytes, 16));
}

/* Owned id lists: a list of bytes; the C array is freed exactly once. */
%typemap(in, numinputs=0) (triage_id_t **out, size_t *count) (triage_id_t *arr = NULL, size_t n = 0) {
    $1 = &arr;
    $2 = &n;
}
%typemap(argout) (triage_id_t **out, size_t *count) {
    PyObject *list = PyList_New((Py_ssize_t)*$2);
    if (!list)
        SWIG_fail;
    for (size_t i = 0; i < *$2; i++) {
        PyObject *b = PyBytes_FromStringAndSize((const char *)(*$1)[i].bytes, 16);
        if (!b) {
            Py_DECREF(list);
            SWIG_fail;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, b);
    }
    $result = SWIG_Python_AppendOutput($result, list);
}
%typemap(freearg) (triage_id_t **out, size_t *count) {
    if ($1) {
        triage_free(*$1);
        *$1 = NULL;
    }
}

/* case_id may be None for the event query (all events); for the case
 * operations None reaches C as NULL and comes back as InvalidArgument. */
%typemap(in) const triage_id_t *case_id (triage_id_t tmp) {
    if ($input == Py_None) {
        $1 = NULL;
    } else {
        if (!triage_py_id_conv($input, &tmp))
            SWIG_fail;
        $1 = &tmp;
    }
}
/* An intake: None reaches C as NULL (the engine's default intake where the
 * call has one, else InvalidArgument). */
%typemap(in) const triage_id_t *intake (triage_id_t tmp) {
    if ($input == Py_None) {
        $1 = NULL;
    } else {
        if (!triage_py_id_conv($input, &tmp))
            SWIG_fail;
        $1 = &tmp;
    }
}
/* Actors and workers: None is the nil id (the system / no worker). */
%typemap(in) const triage_id_t *actor (triage_id_t tmp) {
    if (!triage_py_id_conv($input, &tmp))
        SWIG_fail;
    $1 = &tmp;
}
%typemap(in) const triage_id_t *worker (triage_id_t tmp) {
    if (!triage_py_id_conv($input, &tmp))
        SWIG_fail;
    $1 = &tmp;
}

/* ---- intake ---------------------------------------------------------------- */

/* Intake in: (client, kind, channel, service, received_ms, triggers, own_contact,
 * highest_care_allowance, child_special_support, assistance_urgent,
 * assistance_complete, meeting_requested, actor, children, urgency_assessed). */
%typemap(in) const triage_intake_t *intake (triage_intake_t tmp) {
    triage_intake_t init = TRIAGE_INTAKE_INIT;
    int kind = 0, channel = 0, service = 0;
    long long received = 0;
    tmp = init;
    if (!PyArg_ParseTuple($input, "O&iiiLIiiiiiiO&ii;bad intake tuple", triage_py_id_conv,
                          &tmp.client, &kind, &channel, &service, &received, &tmp.triggers,
                          &tmp.own_contact, &tmp.highest_care_allowance,
                          &tmp.child_special_support, &tmp.assistance_urgent,
                          &tmp.assistance_complete, &tmp.meeting_requested, triage_py_id_conv,
                          &tmp.actor, &tmp.children, &tmp.urgency_assessed))
        SWIG_fail;
    tmp.kind = (triage_intake_kind_t)kind;
    tmp.channel = (triage_channel_t)channel;
    tmp.service = (triage_service_area_t)service;
    tmp.received_ms = (int64_t)received;
    $1 = &tmp;
}
/* Result: (case, attached, emergency_services, repeat_flagged,
 *          (tier, fired, deciding, response_days, policy_version, policy_id), intake). */
%typemap(in, numinputs=0) triage_intake_result_t *out (triage_intake_result_t tmp) {
    memset(&tmp, 0, sizeof tmp);
    tmp.version = TRIAGE_INTAKE_RESULT_VERSION;
    $1 = &tmp;
}
%typemap(argout) triage_intake_result_t *out {
    PyObject *t = Py_BuildValue("(O&iii(ikkiks)O&)", triage_py_id_obj, (void *)&$1->case_id,
                                (int)$1->attached, (int)$1->emergency_services,
                                (int)$1->repeat_flagged, (int)$1->urgency.tier,
                                (unsigned long)$1->urgency.fired,
                                (unsigned long)$1->urgency.deciding,
                                (int)$1->urgency.response_days,
                                (unsigned long)$1->urgency.policy_version,
                                $1->urgency.policy_id, triage_py_id_obj,
                                (void *)&$1->intake_id);
    if (!t)
        SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, t);
}

/* ---- cases ------------------------------------------------------------------- */

%typemap(in, numinputs=0) triage_case_t *out (triage_case_t tmp) {
    memset(&tmp, 0, sizeof tmp);
    tmp.version = TRIAGE_CASE_VERSION;
    $1 = &tmp;
}
%typemap(in, numinputs=0) triage_intake_info_t *out (triage_intake_info_t tmp) {
    memset(&tmp, 0, sizeof tmp);
    tmp.version = TRIAGE_INTAKE_INFO_VERSION;
    $1 = &tmp;
}
%typemap(argout) triage_intake_info_t *out {
    PyObject *d = triage_py_intake_dict($1);
    if (!d)
        SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, d);
}
%typemap(argout) triage_case_t *out {
    PyObject *d = triage_py_case_dict($1);
    if (!d)
        SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, d);
}

/* Filter: None or (client, worker, stage, open_only). */
%typemap(in) const triage_case_filter_t *filter (triage_case_filter_t tmp) {
    triage_case_filter_t init = TRIAGE_CASE_FILTER_INIT;
    int stage = 0;
    tmp = init;
    if ($input == Py_None) {
        $1 = NULL;
    } else {
        if (!PyArg_ParseTuple($input, "O&O&ii;a filter is (client, worker, stage, open_only)",
                              triage_py_id_conv, &tmp.client, triage_py_id_conv, &tmp.worker,
                              &stage, &tmp.open_only))
            SWIG_fail;
        tmp.stage = (triage_stage_t)stage;
        $1 = &tmp;
    }
}

/* Move: (to, at_ms, actor, reason, plan_unnecessary, responsible_unnecessary). */
%typemap(in) const triage_move_t *move (triage_move_t tmp) {
    triage_move_t init = TRIAGE_MOVE_INIT;
    int to = 0, reason = 0;
    long long at = 0;
    tmp = init;
    if (!PyArg_ParseTuple($input, "iLO&iii;bad move tuple", &to, &at, triage_py_id_conv,
                          &tmp.actor, &reason, &tmp.plan_unnecessary,
                          &tmp.responsible_unnecessary))
        SWIG_fail;
    tmp.to = (triage_stage_t)to;
    tmp.at_ms = (int64_t)at;
    tmp.reason = (triage_closing_reason_t)reason;
    $1 = &tmp;
}

/* Assessment record: (summary, conclusion, client_view, responsible_needed, nature). */
%typemap(in) const triage_assessment_record_t *rec (triage_assessment_record_t tmp) {
    triage_assessment_record_t init = TRIAGE_ASSESSMENT_RECORD_INIT;
    int nature = 0;
    tmp = init;
    if (!PyArg_ParseTuple($input, "iiiii;bad assessment record tuple", &tmp.summary,
                          &tmp.conclusion, &tmp.client_view, &tmp.responsible_needed, &nature))
        SWIG_fail;
    tmp.nature = (triage_need_nature_t)nature;
    $1 = &tmp;
}

TRIAGE_OUT_INT(int, offer_decline)
TRIAGE_OUT_INT(triage_role_change_t, role_change)
TRIAGE_OUT_INT(triage_date_t, date)
TRIAGE_OUT_INT(int32_t, minute)
TRIAGE_OUT_INT(int64_t, utc_ms)

/* Case deadlines: (list of (row, basis, milestone, due, state, overdue, met,
 * id, intake, start, flags), next); the owned array is freed here. */
%typemap(in, numinputs=0) (triage_case_deadline_t **out, size_t *count, int32_t *next,
                           uint32_t version)
    (triage_case_deadline_t *arr = NULL, size_t n = 0, int32_t nx = -1) {
    $1 = &arr;
    $2 = &n;
    $3 = &nx;
    $4 = TRIAGE_CASE_DEADLINE_VERSION;
}
%typemap(argout) (triage_case_deadline_t **out, size_t *count, int32_t *next, uint32_t version) {
    PyObject *list = PyList_New((Py_ssize_t)*$2);
    if (!list)
        SWIG_fail;
    for (size_t i = 0; i < *$2; i++) {
        const triage_case_deadline_t *d = &(*$1)[i];
        PyObject *t = Py_BuildValue("(iiiiiiiO&O&ik)", (int)d->deadline.row,
                                    (int)d->deadline.basis, (int)d->deadline.milestone,
                                    (int)d->deadline.due, (int)d->state, (int)d->overdue,
                                    (int)d->met, triage_py_id_obj, (void *)&d->id,
                                    triage_py_id_obj, (void *)&d->intake, (int)d->start,
                                    (unsigned long)d->flags);
        if (!t) {
            Py_DECREF(list);
            SWIG_fail;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    PyObject *pair = Py_BuildValue("(Oi)", list, (int)*$3);
    Py_DECREF(list);
    if (!pair)
        SWIG_fail;
    $result = SWIG_Python_AppendOutput($result, pair);
}
%typemap(freearg) (triage_case_deadline_t **out, size_t *count, int32_t *next, uint32_t version) {
    if ($1) {
        triage_free(*$1);
        *$1 = NULL;
    }
}

/* Events are read through triage_py_events() (below): the iterator and
 * its query struct stay in C. */
%ignore triage_event_iter_new;
%ignore triage_event_iter_next;
%ignore triage_event_iter_free;
%rename("$ignore", %$isclass) triage_event_query;
%rename("$ignore", %$isclass) triage_intake_info;
%rename("$ignore", %$isclass) triage_case_deadline;

/* The policy in use: a copy owned by Python (the engine's own is borrowed
 * only until its next call). */
%define TRIAGE_POLICY_OUT(TYPE, COPY, SWIGTYPE)
%typemap(in, numinputs=0) const TYPE **out (const TYPE *tmp = NULL) { $1 = &tmp; }
%typemap(argout) const TYPE **out {
    TYPE *copy = NULL;
    if (COPY(&copy, *$1) != TRIAGE_OK) {
        triage_py_raise(triage_error_last()->code);
        SWIG_fail;
    }
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(SWIG_as_voidptr(copy), SWIGTYPE, SWIG_POINTER_OWN));
}
%enddef
TRIAGE_POLICY_OUT(triage_urgency_policy_t, triage_urgency_policy_copy, SWIGTYPE_p_triage_urgency_policy)
TRIAGE_POLICY_OUT(triage_deadline_rules_t, triage_deadline_rules_copy, SWIGTYPE_p_triage_deadline_rules)
TRIAGE_POLICY_OUT(triage_classify_policy_t, triage_classify_policy_copy, SWIGTYPE_p_triage_classify_policy)

/* triage_engine_stats(): a dict. */
%typemap(in, numinputs=0) triage_engine_stats_t *out (triage_engine_stats_t tmp) {
    memset(&tmp, 0, sizeof tmp);
    tmp.version = TRIAGE_ENGINE_STATS_VERSION;
    $1 = &tmp;
}
%typemap(argout) triage_engine_stats_t *out {
    $result = SWIG_Python_AppendOutput($result,
        Py_BuildValue("{s:K,s:K,s:K,s:L,s:K,s:K,s:O,s:K}", "races", (unsigned long long)$1->races,
                      "conflicts", (unsigned long long)$1->conflicts, "refreshes",
                      (unsigned long long)$1->refreshes, "last_seq", (long long)$1->last_seq,
                      "cases", (unsigned long long)$1->cases, "clients",
                      (unsigned long long)$1->clients, "resident",
                      $1->resident ? Py_True : Py_False, "rebased",
                      (unsigned long long)$1->rebased));
}
%typemap(in) const triage_engine_t *engine = triage_engine_t *engine;
%typemap(freearg) const triage_engine_t *engine = triage_engine_t *engine;
%rename("$ignore", %$isclass) triage_engine_stats;

%include "triage/engine.h"

/* It builds Python objects: it runs holding the GIL. */
%nothread triage_py_events;
%inline %{
/*
 * Up to `limit` events after sequence number `after_seq` that match
 * (case_id: None for all; from_ms..to_ms inclusive), as a list of tuples
 * (seq, at_ms, case, subject, actor, kind, from, to, reason, from_id, to_id,
 *  policy_version, policy_id, intake). The Python side pages through them.
 */
PyObject *triage_py_events(triage_engine_t *engine, PyObject *case_obj, long long from_ms,
                           long long to_ms, long long after_seq, long long limit)
{
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    if (case_obj != Py_None && !triage_py_id_conv(case_obj, &q.case_id))
        return NULL;
    q.from_ms = (int64_t)from_ms;
    q.to_ms = (int64_t)to_ms;
    q.after_seq = (int64_t)after_seq;
    triage_event_iter_t *it = NULL;
    triage_status_t rc = triage_event_iter_new(&it, engine, &q);
    PyObject *list = rc ? NULL : PyList_New(0);
    while (list && (limit <= 0 || PyList_GET_SIZE(list) < limit)) {
        triage_event_t ev;
        ev.version = TRIAGE_EVENT_VERSION;
        rc = triage_event_iter_next(it, &ev);
        if (rc == TRIAGE_ITEROVER) {
            rc = TRIAGE_OK;
            break;
        }
        if (rc)
            break;
        char pid[sizeof ev.policy_id + 1];
        memcpy(pid, ev.policy_id, sizeof ev.policy_id);
        pid[sizeof ev.policy_id] = '\0';
        PyObject *t = Py_BuildValue("(LLO&O&O&iiiiO&O&ksO&)", (long long)ev.seq,
                                    (long long)ev.at_ms, triage_py_id_obj, (void *)&ev.case_id,
                                    triage_py_id_obj, (void *)&ev.subject, triage_py_id_obj,
                                    (void *)&ev.actor, (int)ev.kind, (int)ev.from, (int)ev.to,
                                    (int)ev.reason, triage_py_id_obj, (void *)&ev.from_id,
                                    triage_py_id_obj, (void *)&ev.to_id,
                                    (unsigned long)ev.policy_version, pid, triage_py_id_obj,
                                    (void *)&ev.intake);
        if (!t || PyList_Append(list, t) != 0) {
            Py_XDECREF(t);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(t);
    }
    triage_event_iter_free(it);
    if (rc) {
        Py_XDECREF(list);
        triage_py_raise(rc);
        return NULL;
    }
    return list;
}
%}
