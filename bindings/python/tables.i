/*
 * tables: bulk readers behind triage/_tables.py (Engine.cases_table(), ...,
 * SimReport.cases(), ...). Included from triage.i after sim.i.
 *
 * Each reader walks the engine once in C and returns its table as columns:
 * a dict of lists, ids as their text (None for the nil id), enums and dates
 * as ints (TRIAGE_DATE_NONE as None), so Python builds no object per record
 * and converts a column at a time. They run with the GIL (they build Python
 * objects); an engine's reader takes the engine handle through the engine
 * typemap (closed or busy engines refused), a run's reader the run's own
 * engine (triage_sim_engine()).
 *
 * Date filters are half-open day numbers [from, to): a case by its receipt
 * date, an event or an assignment by its local date, a deadline row by its
 * due date.
 */

%{
typedef struct {
    Py_ssize_t n;
    const char *const *names;
    PyObject **cols;
} triage_py_tab;

static int triage_py_tab_init(triage_py_tab *t, const char *const *names, Py_ssize_t n)
{
    t->n = n;
    t->names = names;
    t->cols = calloc((size_t)n, sizeof *t->cols);
    if (!t->cols) {
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (!(t->cols[i] = PyList_New(0)))
            return 0;
    return 1;
}

static void triage_py_tab_clear(triage_py_tab *t)
{
    if (t->cols)
        for (Py_ssize_t i = 0; i < t->n; i++)
            Py_XDECREF(t->cols[i]);
    free(t->cols);
    t->cols = NULL;
}

/* Appends a new reference (NULL: an error is pending) to column i. */
static int triage_py_tab_put(triage_py_tab *t, Py_ssize_t i, PyObject *v)
{
    if (!v)
        return 0;
    int rc = PyList_Append(t->cols[i], v);
    Py_DECREF(v);
    return rc == 0;
}

/* The table as a dict of lists; clears the table. */
static PyObject *triage_py_tab_dict(triage_py_tab *t)
{
    PyObject *d = PyDict_New();
    for (Py_ssize_t i = 0; d && i < t->n; i++)
        if (PyDict_SetItemString(d, t->names[i], t->cols[i]) < 0)
            Py_CLEAR(d);
    triage_py_tab_clear(t);
    return d;
}

static PyObject *triage_py_tab_id(const triage_id_t *id)
{
    if (triage_id_is_nil(id))
        Py_RETURN_NONE;
    char buf[40];
    triage_id_format(buf, sizeof buf, id);
    return PyUnicode_FromString(buf);
}

static PyObject *triage_py_tab_date(triage_date_t d)
{
    if (d == TRIAGE_DATE_NONE)
        Py_RETURN_NONE;
    return PyLong_FromLong((long)d);
}

static PyObject *triage_py_tab_int(long long v)
{
    return PyLong_FromLongLong(v);
}

static PyObject *triage_py_tab_bool(int v)
{
    return PyBool_FromLong(v != 0);
}

/* Business days from `from` to `to` (None when `to` is NONE). */
static PyObject *triage_py_tab_wait(triage_engine_t *e, triage_date_t from, triage_date_t to)
{
    if (to == TRIAGE_DATE_NONE || from == TRIAGE_DATE_NONE)
        Py_RETURN_NONE;
    int32_t days;
    if (triage_calendar_business_days_between(&days, triage_engine_calendar(e), from, to))
        Py_RETURN_NONE;
    return PyLong_FromLong((long)days);
}

static PyObject *triage_py_tab_fail(triage_py_tab *t, triage_status_t rc)
{
    triage_py_tab_clear(t);
    if (rc)
        triage_py_raise(rc);
    return NULL;
}

static const char *const triage_py_case_cols[] = {
    "case", "client", "municipality", "language", "kind", "channel", "service", "received",
    "stage", "urgency", "quadrant", "special_support", "closing_reason", "closed",
    "first_contact", "responded", "assessment_started", "assessment_completed", "plan_made",
    "wait_first_contact", "wait_assessment_start", "assessment_worker", "responsible", "pair",
    "intakes", "deadlines", "contact_attempts", "no_shows", "children", "emergency_services",
    "attached_to",
};

static PyObject *triage_py_cases_columns(triage_engine_t *e, int from, int to)
{
    triage_py_tab t = {0};
    if (!triage_py_tab_init(&t, triage_py_case_cols,
                            sizeof triage_py_case_cols / sizeof *triage_py_case_cols))
        return triage_py_tab_fail(&t, TRIAGE_OK);
    triage_id_t *ids = NULL;
    size_t n = 0;
    triage_status_t rc = triage_case_list(&ids, &n, e, NULL);
    if (rc)
        return triage_py_tab_fail(&t, rc);
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) {
        triage_case_t c;
        memset(&c, 0, sizeof c);
        c.version = TRIAGE_CASE_VERSION;
        if ((rc = triage_case_get(&c, e, &ids[i])))
            break;
        if (c.received < from || c.received >= to)
            continue;
        triage_client_t cl;
        memset(&cl, 0, sizeof cl);
        cl.version = TRIAGE_CLIENT_VERSION;
        if ((rc = triage_client_get(&cl, e, &c.client)))
            break;
        int classified = (c.flags & TRIAGE_CASE_CLASSIFIED) != 0;
        int k = 0;
        ok = triage_py_tab_put(&t, k++, triage_py_tab_id(&c.id)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_id(&c.client)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(cl.municipality)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(cl.language)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.kind)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.channel)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.service)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_date(c.received)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.stage)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.urgency)) &&
             triage_py_tab_put(&t, k++, classified ? triage_py_tab_int(c.classification.quadrant)
                                                   : (Py_INCREF(Py_None), Py_None)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_bool(c.special_support)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.closing_reason)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_date(c.closed)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_date(c.first_contact)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_date(c.responded)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_date(c.assessment_started)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_date(c.assessment_completed)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_date(c.plan_made)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_wait(e, c.received, c.first_contact)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_wait(e, c.received, c.assessment_started)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_id(&c.assessment_worker)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_id(&c.responsible)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_id(&c.pair)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.intake_count)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.deadline_count)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.contact_attempts)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.no_shows)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(c.children)) &&
             triage_py_tab_put(&t, k++,
                               triage_py_tab_bool(c.flags & TRIAGE_CASE_EMERGENCY_SERVICES)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_id(&c.attached_to));
    }
    triage_free(ids);
    if (rc || !ok)
        return triage_py_tab_fail(&t, rc);
    return triage_py_tab_dict(&t);
}

static const char *const triage_py_event_cols[] = {
    "seq", "at_ms", "date", "case", "subject", "actor", "kind", "from_value", "to_value",
    "reason", "from_worker", "to_worker", "intake", "policy_id", "policy_version",
};

static const char *const triage_py_assign_cols[] = {
    "seq", "at_ms", "date", "case", "slot", "worker", "previous", "actor", "over_soft_cap",
    "over_hard_cap",
};

/* The events of [from_ms, to_ms] (inclusive), or their WORKER_ASSIGNED ones
 * as assignments; with the local date of each. */
static PyObject *triage_py_events_columns(triage_engine_t *e, long long from_ms, long long to_ms,
                                          int assignments)
{
    triage_py_tab t = {0};
    int ok = assignments
                 ? triage_py_tab_init(&t, triage_py_assign_cols,
                                      sizeof triage_py_assign_cols / sizeof *triage_py_assign_cols)
                 : triage_py_tab_init(&t, triage_py_event_cols,
                                      sizeof triage_py_event_cols / sizeof *triage_py_event_cols);
    if (!ok)
        return triage_py_tab_fail(&t, TRIAGE_OK);
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    q.from_ms = (int64_t)from_ms;
    q.to_ms = (int64_t)to_ms;
    triage_event_iter_t *it = NULL;
    triage_status_t rc = triage_event_iter_new(&it, e, &q);
    while (!rc && ok) {
        triage_event_t ev;
        memset(&ev, 0, sizeof ev);
        ev.version = TRIAGE_EVENT_VERSION;
        rc = triage_event_iter_next(it, &ev);
        if (rc)
            break;
        if (assignments && ev.kind != TRIAGE_EVENT_WORKER_ASSIGNED)
            continue;
        triage_date_t day = TRIAGE_DATE_NONE;
        int32_t minute;
        if (triage_local_time(&day, &minute, ev.at_ms))
            day = TRIAGE_DATE_NONE;
        int k = 0;
        ok = triage_py_tab_put(&t, k++, triage_py_tab_int(ev.seq)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_int(ev.at_ms)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_date(day)) &&
             triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.case_id));
        if (ok && assignments)
            ok = triage_py_tab_put(&t, k++, triage_py_tab_int(TRIAGE_EVENT_SLOT(ev.reason))) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.to_id)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.from_id)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.actor)) &&
                 triage_py_tab_put(&t, k++,
                                   triage_py_tab_bool(ev.reason & TRIAGE_EVENT_OVER_SOFT_CAP)) &&
                 triage_py_tab_put(&t, k++,
                                   triage_py_tab_bool(ev.reason & TRIAGE_EVENT_OVER_HARD_CAP));
        else if (ok)
            ok = triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.subject)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.actor)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_int(ev.kind)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_int(ev.from)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_int(ev.to)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_int(ev.reason)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.from_id)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.to_id)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_id(&ev.intake)) &&
                 triage_py_tab_put(&t, k++, ev.policy_id[0]
                                                ? PyUnicode_FromStringAndSize(
                                                      ev.policy_id,
                                                      (Py_ssize_t)strnlen(ev.policy_id,
                                                                          sizeof ev.policy_id))
                                                : (Py_INCREF(Py_None), Py_None)) &&
                 triage_py_tab_put(&t, k++, triage_py_tab_int(ev.policy_version));
    }
    triage_event_iter_free(it);
    if (rc == TRIAGE_ITEROVER)
        rc = TRIAGE_OK;
    if (rc || !ok)
        return triage_py_tab_fail(&t, rc);
    return triage_py_tab_dict(&t);
}

/* The local date of the engine's latest event (TRIAGE_DATE_NONE: none). */
static triage_status_t triage_py_latest_day(triage_engine_t *e, triage_date_t *out)
{
    *out = TRIAGE_DATE_NONE;
    triage_engine_stats_t s;
    memset(&s, 0, sizeof s);
    s.version = TRIAGE_ENGINE_STATS_VERSION;
    triage_status_t rc = triage_engine_stats(&s, e);
    if (rc)
        return rc;
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    q.after_seq = s.last_seq > 0 ? s.last_seq - 1 : 0;
    for (int pass = 0; pass < 2; pass++) {
        triage_event_iter_t *it = NULL;
        int64_t at = INT64_MIN;
        if ((rc = triage_event_iter_new(&it, e, &q)))
            return rc;
        triage_event_t ev;
        for (;;) {
            memset(&ev, 0, sizeof ev);
            ev.version = TRIAGE_EVENT_VERSION;
            if ((rc = triage_event_iter_next(it, &ev)))
                break;
            at = ev.at_ms > at ? ev.at_ms : at;
        }
        triage_event_iter_free(it);
        if (rc != TRIAGE_ITEROVER)
            return rc;
        rc = TRIAGE_OK;
        if (at != INT64_MIN) {
            int32_t minute;
            return triage_local_time(out, &minute, at);
        }
        q.after_seq = 0; /* no event after last_seq - 1: read them all */
    }
    return rc;
}

static const char *const triage_py_deadline_cols[] = {
    "case", "intake", "received", "row", "basis", "milestone", "start", "due", "met", "state",
    "overdue", "met_on_arrival", "superseded", "wait", "id",
};

/* Every deadline row due in [from, to), with its state on `today`
 * (TRIAGE_DATE_NONE: the day of the latest event). */
static PyObject *triage_py_deadlines_columns(triage_engine_t *e, int from, int to, int today)
{
    triage_py_tab t = {0};
    if (!triage_py_tab_init(&t, triage_py_deadline_cols,
                            sizeof triage_py_deadline_cols / sizeof *triage_py_deadline_cols))
        return triage_py_tab_fail(&t, TRIAGE_OK);
    triage_status_t rc = TRIAGE_OK;
    triage_date_t day = (triage_date_t)today;
    if (day == TRIAGE_DATE_NONE) {
        if ((rc = triage_py_latest_day(e, &day)))
            return triage_py_tab_fail(&t, rc);
        if (day == TRIAGE_DATE_NONE) /* no events, so no cases */
            return triage_py_tab_dict(&t);
    }
    triage_id_t *ids = NULL;
    size_t n = 0;
    if ((rc = triage_case_list(&ids, &n, e, NULL)))
        return triage_py_tab_fail(&t, rc);
    int ok = 1;
    for (size_t i = 0; ok && !rc && i < n; i++) {
        triage_case_deadline_t *rows = NULL;
        size_t nrows = 0;
        if ((rc = triage_case_deadlines(&rows, &nrows, NULL, TRIAGE_CASE_DEADLINE_VERSION, e,
                                        &ids[i], day, 0)))
            break;
        /* the receipt date of the last intake seen (rows come grouped by intake) */
        triage_id_t last = {{0}};
        triage_date_t received = TRIAGE_DATE_NONE;
        for (size_t k = 0; ok && k < nrows; k++) {
            const triage_case_deadline_t *r = &rows[k];
            if (r->deadline.due < from || r->deadline.due >= to)
                continue;
            if (triage_id_is_nil(&last) || triage_id_compare(&last, &r->intake)) {
                triage_intake_info_t info;
                memset(&info, 0, sizeof info);
                info.version = TRIAGE_INTAKE_INFO_VERSION;
                if ((rc = triage_intake_get(&info, e, &r->intake)))
                    break;
                last = r->intake;
                received = info.received;
            }
            int c = 0;
            ok = triage_py_tab_put(&t, c++, triage_py_tab_id(&ids[i])) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_id(&r->intake)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_date(received)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_int(r->deadline.row)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_int(r->deadline.basis)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_int(r->deadline.milestone)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_date(r->start)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_date(r->deadline.due)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_date(r->met)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_int(r->state)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_int(r->overdue)) &&
                 triage_py_tab_put(&t, c++,
                                   triage_py_tab_bool(r->flags & TRIAGE_DEADLINE_MET_ON_ARRIVAL)) &&
                 triage_py_tab_put(&t, c++,
                                   triage_py_tab_bool(r->flags & TRIAGE_DEADLINE_SUPERSEDED)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_wait(e, received, r->met)) &&
                 triage_py_tab_put(&t, c++, triage_py_tab_id(&r->id));
        }
        triage_free(rows);
    }
    triage_free(ids);
    if (rc || !ok)
        return triage_py_tab_fail(&t, rc);
    return triage_py_tab_dict(&t);
}
%}

%nothread triage_py_table;
%nothread triage_py_sim_table;
%nothread triage_py_sim_worker_ids;
%inline %{
/* Table `which` (0 cases, 1 events, 2 deadlines, 3 assignments) of an
 * engine as a dict of columns. from/to: days [from, to) (cases, deadlines);
 * from_ms/to_ms: times, inclusive (events, assignments); today: the day the
 * deadlines' states are judged on (TRIAGE_DATE_NONE: the latest event's). */
PyObject *triage_py_table(triage_engine_t *engine, int which, int from, int to,
                          long long from_ms, long long to_ms, int today)
{
    switch (which) {
    case 0:
        return triage_py_cases_columns(engine, from, to);
    case 1:
        return triage_py_events_columns(engine, from_ms, to_ms, 0);
    case 2:
        return triage_py_deadlines_columns(engine, from, to, today);
    case 3:
        return triage_py_events_columns(engine, from_ms, to_ms, 1);
    default:
        PyErr_SetString(PyExc_ValueError, "no such table");
        return NULL;
    }
}

/* The same table of a simulation run's engine. */
PyObject *triage_py_sim_table(triage_sim_t *sim, int which, int from, int to,
                              long long from_ms, long long to_ms, int today)
{
    triage_engine_t *e = triage_sim_engine(sim);
    if (!e) {
        PyErr_SetString(PyExc_ValueError, "the run has no engine");
        return NULL;
    }
    switch (which) {
    case 0:
        return triage_py_cases_columns(e, from, to);
    case 1:
        return triage_py_events_columns(e, from_ms, to_ms, 0);
    case 2:
        return triage_py_deadlines_columns(e, from, to, today);
    case 3:
        return triage_py_events_columns(e, from_ms, to_ms, 1);
    default:
        PyErr_SetString(PyExc_ValueError, "no such table");
        return NULL;
    }
}

/* The run's workers in scenario order: (engine id, scenario label). */
PyObject *triage_py_sim_worker_ids(triage_sim_t *sim)
{
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list; i++) {
        triage_id_t id;
        const char *label = NULL;
        if (triage_sim_worker(&id, &label, sim, i))
            break;
        PyObject *s = Py_BuildValue("(Ns)", triage_py_tab_id(&id), label ? label : "");
        if (!s || PyList_Append(list, s) < 0)
            Py_CLEAR(list);
        Py_XDECREF(s);
    }
    PyErr_Clear();
    return list;
}
%}
