/*
 * assign: SWIG declarations for triage/assign.h (included from triage.i after
 * engine.i, whose engine and id typemaps it reuses). The Pythonic face is
 * triage/_assign.py; nothing here is meant to be used directly.
 *
 * The assignment results cross as tuples built here by small helpers
 * (triage_py_*), which run with the GIL held (%nothread) because they build
 * Python objects; the heavy solvers release it around the C call.
 *
 * An assignment tuple is
 *   (case, slot, worker, runner_up, pair, previous, flags, weight, candidates,
 *    rule_excess, cap_excess, stage, present_until)
 * and a proposal to apply is (case, slot, worker, pair, previous, stage,
 * present_until), the last three checked again when applied.
 * with ids as 16-byte bytes or None, and candidates a list of
 *   (worker, excluded, rank, continuity, serves, distance, load_before, load_after).
 */

%{
static PyObject *triage_py_assignment_tuple(const triage_assignment_t *a)
{
    PyObject *cands = PyList_New((Py_ssize_t)a->ncandidates);
    if (!cands)
        return NULL;
    for (size_t i = 0; i < a->ncandidates; i++) {
        const triage_assign_candidate_t *k = &a->candidates[i];
        PyObject *t = Py_BuildValue("(O&iiiiddd)", triage_py_id_obj, (void *)&k->worker,
                                    (int)k->excluded, (int)k->rank, (int)k->continuity,
                                    (int)k->serves, k->distance, k->load_before, k->load_after);
        if (!t) {
            Py_DECREF(cands);
            return NULL;
        }
        PyList_SET_ITEM(cands, (Py_ssize_t)i, t);
    }
    PyObject *r = Py_BuildValue("(O&iO&O&O&O&kdNiiii)", triage_py_id_obj, (void *)&a->case_id,
                                (int)a->slot, triage_py_id_obj, (void *)&a->worker,
                                triage_py_id_obj, (void *)&a->runner_up, triage_py_id_obj,
                                (void *)&a->pair, triage_py_id_obj, (void *)&a->previous,
                                (unsigned long)a->flags, a->weight, cands, (int)a->rule_excess,
                                (int)a->cap_excess, (int)a->stage, (int)a->present_until);
    return r;
}

static PyObject *triage_py_assignment_list(const triage_assignment_t *a, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *t = triage_py_assignment_tuple(&a[i]);
        if (!t) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

/* The stats as a tuple; rule_ex/cap_ex: per-worker excess (n entries) or
 * NULL for None. */
static PyObject *triage_py_stats_tuple(const triage_batch_stats_t *s, const int32_t *rule_ex,
                                       const int32_t *cap_ex, size_t n)
{
    PyObject *re = Py_None, *ce = Py_None;
    Py_INCREF(re);
    Py_INCREF(ce);
    if (rule_ex && cap_ex) {
        Py_DECREF(re);
        Py_DECREF(ce);
        re = PyTuple_New((Py_ssize_t)n);
        ce = PyTuple_New((Py_ssize_t)n);
        if (!re || !ce) {
            Py_XDECREF(re);
            Py_XDECREF(ce);
            return NULL;
        }
        for (size_t j = 0; j < n; j++) {
            PyTuple_SET_ITEM(re, (Py_ssize_t)j, PyLong_FromLong(rule_ex[j]));
            PyTuple_SET_ITEM(ce, (Py_ssize_t)j, PyLong_FromLong(cap_ex[j]));
        }
    }
    return Py_BuildValue("(ddddddiiiiiiiiiiNN)", s->max_load, s->total_travel, s->lower_bound,
                         s->gap, s->sequential_max_load, s->sequential_total_travel,
                         (int)s->method, (int)s->exact, (int)s->unassigned,
                         (int)s->over_capacity, (int)s->unplaceable, (int)s->bound_with_rule,
                         (int)s->rule_breaks, (int)s->rule_excess, (int)s->cap_breaks,
                         (int)s->cap_excess, re, ce);
}

/* A C-contiguous float64 buffer of exactly n items (n = -1: any). */
static int triage_py_doubles(PyObject *o, Py_buffer *view, Py_ssize_t n, const char *what)
{
    if (PyObject_GetBuffer(o, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return 0;
    if (view->itemsize != 8 || !view->format || strcmp(view->format, "d") ||
        (n >= 0 && view->len != n * 8)) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "%s must be a float64 buffer of the right size", what);
        return 0;
    }
    return 1;
}

static int triage_py_ids(PyObject *seq, triage_id_t **out, size_t *n)
{
    PyObject *fast = PySequence_Fast(seq, "expected a sequence of ids");
    if (!fast)
        return 0;
    Py_ssize_t k = PySequence_Fast_GET_SIZE(fast);
    triage_id_t *ids = malloc(((size_t)k + 1) * sizeof *ids);
    if (!ids) {
        Py_DECREF(fast);
        PyErr_NoMemory();
        return 0;
    }
    for (Py_ssize_t i = 0; i < k; i++)
        if (!triage_py_id_conv(PySequence_Fast_GET_ITEM(fast, i), &ids[i])) {
            free(ids);
            Py_DECREF(fast);
            return 0;
        }
    Py_DECREF(fast);
    *out = ids;
    *n = (size_t)k;
    return 1;
}
%}

/* The policy handle. */
%typemap(in, numinputs=0) triage_assign_policy_t **out (triage_assign_policy_t *tmp = NULL) {
    $1 = &tmp;
}
%typemap(argout) triage_assign_policy_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(*$1, SWIGTYPE_p_triage_assign_policy, SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) double *out (double tmp = 0) { $1 = &tmp; }
%typemap(argout) double *out { $result = SWIG_Python_AppendOutput($result, PyFloat_FromDouble(*$1)); }
%nodefaultctor triage_assign_policy;
struct triage_assign_policy {};
%extend triage_assign_policy {
    ~triage_assign_policy() { triage_assign_policy_free($self); }
}

TRIAGE_OUT_INT(int, present)
%typemap(in) const triage_id_t *absence (triage_id_t tmp) {
    if (!triage_py_id_conv($input, &tmp))
        SWIG_fail;
    $1 = &tmp;
}

/* Everything with result structs goes through the helpers below. */
%ignore triage_engine_assign_policy;
%ignore triage_engine_set_distances;
%ignore triage_engine_distance;
%ignore triage_worker_load;
%ignore triage_absence_list;
%ignore triage_assign_propose;
%ignore triage_assign_case;
%ignore triage_assign_propose_role_change;
%ignore triage_assign_apply;
%ignore triage_assignment_clear;
%ignore triage_assignments_free;
%ignore triage_absence_proposals;
%ignore triage_batch_solve;
%ignore triage_linear_assignment;
%ignore triage_transport_assignment;
%ignore triage_assign_distribute;
%ignore triage_duty_pair;
%ignore triage_assign_balance;
%rename("$ignore", %$isclass) triage_worker_load;
%rename("$ignore", %$isclass) triage_absence;
%rename("$ignore", %$isclass) triage_assign_candidate;
%rename("$ignore", %$isclass) triage_assignment;
%rename("$ignore", %$isclass) triage_assign_request;
%rename("$ignore", %$isclass) triage_batch_stats;
%rename("$ignore", %$isclass) triage_batch_problem;
%rename("$ignore", %$isclass) triage_balance;

%include "triage/assign.h"

%nothread triage_py_assign;
%nothread triage_py_assign_role_change;
%nothread triage_py_assign_apply;
%nothread triage_py_absence_proposals;
%nothread triage_py_absence_list;
%nothread triage_py_distribute;
%nothread triage_py_duty_pair;
%nothread triage_py_balance;
%nothread triage_py_worker_load;
%nothread triage_py_set_distances;
%nothread triage_py_linear_assignment;
%nothread triage_py_transport_assignment;
%nothread triage_py_batch_solve;
%inline %{
/* apply: 0 propose, 1 assign. */
PyObject *triage_py_assign(triage_engine_t *engine, PyObject *case_id, long long at_ms,
                           PyObject *actor, int slot, PyObject *exclude, int role_change,
                           int apply)
{
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    triage_id_t cid;
    if (!triage_py_id_conv(case_id, &cid) || !triage_py_id_conv(actor, &req.actor) ||
        !triage_py_id_conv(exclude, &req.exclude))
        return NULL;
    req.at_ms = (int64_t)at_ms;
    req.slot = (triage_case_slot_t)slot;
    req.role_change = role_change;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    triage_status_t rc = apply ? triage_assign_case(&a, engine, &cid, &req)
                               : triage_assign_propose(&a, engine, &cid, &req);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    PyObject *t = triage_py_assignment_tuple(&a);
    triage_assignment_clear(&a);
    return t;
}

PyObject *triage_py_assign_role_change(triage_engine_t *engine, PyObject *case_id,
                                       long long at_ms)
{
    triage_id_t cid;
    if (!triage_py_id_conv(case_id, &cid))
        return NULL;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    triage_status_t rc = triage_assign_propose_role_change(&a, engine, &cid, (int64_t)at_ms);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    PyObject *t = triage_py_assignment_tuple(&a);
    triage_assignment_clear(&a);
    return t;
}

/* proposals: a sequence of (case, slot, worker, pair). */
PyObject *triage_py_assign_apply(triage_engine_t *engine, PyObject *proposals, PyObject *actor,
                                 long long at_ms)
{
    triage_id_t act;
    if (!triage_py_id_conv(actor, &act))
        return NULL;
    PyObject *fast = PySequence_Fast(proposals, "expected a sequence of proposals");
    if (!fast)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    triage_assignment_t *a = calloc((size_t)n + 1, sizeof *a);
    if (!a) {
        Py_DECREF(fast);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int slot = 0, stage = 0, until = 0;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, i),
                              "O&iO&O&O&ii;a proposal is (case, slot, worker, pair, previous, stage, present_until)",
                              triage_py_id_conv, &a[i].case_id, &slot, triage_py_id_conv,
                              &a[i].worker, triage_py_id_conv, &a[i].pair, triage_py_id_conv,
                              &a[i].previous, &stage, &until)) {
            free(a);
            Py_DECREF(fast);
            return NULL;
        }
        a[i].slot = (triage_case_slot_t)slot;
        a[i].stage = (triage_stage_t)stage;
        a[i].present_until = (triage_date_t)until;
        a[i].version = TRIAGE_ASSIGNMENT_VERSION;
    }
    Py_DECREF(fast);
    triage_status_t rc = triage_assign_apply(engine, a, (size_t)n, &act, (int64_t)at_ms);
    free(a);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    Py_RETURN_NONE;
}

PyObject *triage_py_absence_proposals(triage_engine_t *engine, PyObject *worker, int start,
                                      int end, long long at_ms)
{
    triage_id_t w;
    if (!triage_py_id_conv(worker, &w))
        return NULL;
    triage_assignment_t *a = NULL;
    size_t n = 0;
    triage_status_t rc = triage_absence_proposals(&a, &n, TRIAGE_ASSIGNMENT_VERSION, engine, &w, start,
                                                  end, (int64_t)at_ms);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    PyObject *list = triage_py_assignment_list(a, n);
    triage_assignments_free(a, n);
    return list;
}

PyObject *triage_py_absence_list(triage_engine_t *engine, PyObject *worker)
{
    triage_id_t w;
    if (!triage_py_id_conv(worker, &w))
        return NULL;
    triage_absence_t *a = NULL;
    size_t n = 0;
    triage_status_t rc = triage_absence_list(&a, &n, TRIAGE_ABSENCE_VERSION, engine, &w);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *t = Py_BuildValue("(O&O&ii)", triage_py_id_obj, (void *)&a[i].id,
                                    triage_py_id_obj, (void *)&a[i].worker, (int)a[i].start,
                                    (int)a[i].end);
        if (!t) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    triage_free(a);
    return list;
}

/* (assignments, stats) */
PyObject *triage_py_distribute(triage_engine_t *engine, PyObject *case_ids, long long at_ms,
                               PyObject *actor, int apply)
{
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    if (!triage_py_id_conv(actor, &req.actor))
        return NULL;
    req.at_ms = (int64_t)at_ms;
    triage_id_t *ids;
    size_t n;
    if (!triage_py_ids(case_ids, &ids, &n))
        return NULL;
    triage_assignment_t *a = NULL;
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    triage_status_t rc = triage_assign_distribute(&a, &st, TRIAGE_ASSIGNMENT_VERSION, engine, ids, n,
                                                  &req, apply);
    free(ids);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    PyObject *list = triage_py_assignment_list(a, n);
    triage_assignments_free(a, n);
    if (!list)
        return NULL;
    return Py_BuildValue("(NN)", list, triage_py_stats_tuple(&st, NULL, NULL, 0));
}

PyObject *triage_py_duty_pair(triage_engine_t *engine, int date)
{
    triage_id_t a, b;
    triage_status_t rc = triage_duty_pair(&a, &b, engine, date);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    return Py_BuildValue("(O&O&)", triage_py_id_obj, (void *)&a, triage_py_id_obj, (void *)&b);
}

PyObject *triage_py_balance(triage_engine_t *engine, int role, int team)
{
    triage_balance_t b;
    b.version = TRIAGE_BALANCE_VERSION;
    triage_status_t rc = triage_assign_balance(&b, engine, (triage_role_t)role, team);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    return Py_BuildValue("(iddddd)", (int)b.workers, b.max, b.min, b.mean, b.cv, b.gini);
}

PyObject *triage_py_worker_load(triage_engine_t *engine, PyObject *worker)
{
    triage_id_t w;
    if (!triage_py_id_conv(worker, &w))
        return NULL;
    triage_worker_load_t l;
    l.version = TRIAGE_WORKER_LOAD_VERSION;
    triage_status_t rc = triage_worker_load(&l, engine, &w);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    return Py_BuildValue("(ddiiiii)", l.weighted, l.normalized, (int)l.cases,
                         (int)l.child_welfare, (int)l.over_soft, (int)l.over_hard,
                         (int)l.clients);
}

/* codes: a sequence of ints; distance: a float64 buffer of n * n. */
PyObject *triage_py_set_distances(triage_engine_t *engine, PyObject *codes, PyObject *distance)
{
    PyObject *fast = PySequence_Fast(codes, "codes must be a sequence of ints");
    if (!fast)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    int32_t *c = malloc(((size_t)n + 1) * sizeof *c);
    if (!c) {
        Py_DECREF(fast);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, i));
        if (v == -1 && PyErr_Occurred()) {
            free(c);
            Py_DECREF(fast);
            return NULL;
        }
        c[i] = (v < INT32_MIN || v > INT32_MAX) ? 0 : (int32_t)v;
    }
    Py_DECREF(fast);
    Py_buffer view;
    if (!triage_py_doubles(distance, &view, n * n, "distance")) {
        free(c);
        return NULL;
    }
    triage_status_t rc = triage_engine_set_distances(engine, c, view.buf, (size_t)n);
    PyBuffer_Release(&view);
    free(c);
    if (rc) {
        triage_py_raise(rc);
        return NULL;
    }
    Py_RETURN_NONE;
}

/* (row_to_col as bytes of int32, total); releases the GIL while solving. */
PyObject *triage_py_linear_assignment(PyObject *cost, long long nrows, long long ncols)
{
    if (nrows < 0 || ncols < 0) {
        PyErr_SetString(PyExc_ValueError, "negative matrix size");
        return NULL;
    }
    Py_buffer view;
    if (!triage_py_doubles(cost, &view, (Py_ssize_t)(nrows * ncols), "cost"))
        return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nrows * 4));
    if (!out) {
        PyBuffer_Release(&view);
        return NULL;
    }
    double total = 0;
    triage_status_t rc;
    Py_BEGIN_ALLOW_THREADS
    rc = triage_linear_assignment((int32_t *)(void *)PyBytes_AS_STRING(out), &total, view.buf,
                                  (size_t)nrows, (size_t)ncols, NULL);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (rc) {
        Py_DECREF(out);
        triage_py_raise(rc);
        return NULL;
    }
    return Py_BuildValue("(Nd)", out, total);
}

/* capacity: int32 bytes (ncols values). (row_to_col as bytes of int32, total);
 * releases the GIL while solving. */
PyObject *triage_py_transport_assignment(PyObject *cost, long long nrows, long long ncols,
                                         PyObject *capacity)
{
    if (nrows < 0 || ncols < 0) {
        PyErr_SetString(PyExc_ValueError, "negative matrix size");
        return NULL;
    }
    Py_buffer cap;
    if (PyObject_GetBuffer(capacity, &cap, PyBUF_SIMPLE) < 0)
        return NULL;
    if (cap.len != (Py_ssize_t)(ncols * 4)) {
        PyBuffer_Release(&cap);
        PyErr_SetString(PyExc_TypeError, "capacity must hold ncols int32 values");
        return NULL;
    }
    Py_buffer view;
    if (!triage_py_doubles(cost, &view, (Py_ssize_t)(nrows * ncols), "cost")) {
        PyBuffer_Release(&cap);
        return NULL;
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(nrows * 4));
    if (!out) {
        PyBuffer_Release(&view);
        PyBuffer_Release(&cap);
        return NULL;
    }
    double total = 0;
    triage_status_t rc;
    Py_BEGIN_ALLOW_THREADS
    rc = triage_transport_assignment((int32_t *)(void *)PyBytes_AS_STRING(out), &total, view.buf,
                                     (size_t)nrows, (size_t)ncols, cap.buf, NULL);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    PyBuffer_Release(&cap);
    if (rc) {
        Py_DECREF(out);
        triage_py_raise(rc);
        return NULL;
    }
    return Py_BuildValue("(Nd)", out, total);
}

/* weight, load, fte, travel: float64 buffers; eligible: bytes (nc * nw) or None;
 * group, room: int32 buffers or None; counted: bytes (nc) or None. Returns
 * (assignment as int32 bytes, stats). */
PyObject *triage_py_batch_solve(PyObject *weight, PyObject *load, PyObject *fte,
                                PyObject *eligible, PyObject *travel, PyObject *group,
                                int flood_margin, int exact_limit, PyObject *counted,
                                PyObject *room)
{
    Py_buffer w, l, f, t, el, g, cn, rm;
    int have_t = travel != Py_None, have_e = eligible != Py_None, have_g = group != Py_None;
    int have_c = counted != Py_None, have_r = room != Py_None;
    if (!triage_py_doubles(weight, &w, -1, "weight"))
        return NULL;
    if (!triage_py_doubles(load, &l, -1, "load")) {
        PyBuffer_Release(&w);
        return NULL;
    }
    if (!triage_py_doubles(fte, &f, l.len / 8, "fte")) {
        PyBuffer_Release(&w);
        PyBuffer_Release(&l);
        return NULL;
    }
    Py_ssize_t nc = w.len / 8, nw = l.len / 8;
    int ok = 1;
    if (have_t && !triage_py_doubles(travel, &t, nc * nw, "travel"))
        ok = have_t = 0;
    if (ok && have_e) {
        if (PyObject_GetBuffer(eligible, &el, PyBUF_SIMPLE) < 0) {
            ok = have_e = 0;
        } else if (el.len != nc * nw) {
            PyErr_SetString(PyExc_TypeError, "eligible must hold ncases * nworkers bytes");
            ok = 0;
        }
    }
    if (ok && have_g) {
        if (PyObject_GetBuffer(group, &g, PyBUF_SIMPLE) < 0) {
            ok = have_g = 0;
        } else if (g.len != nw * 4) {
            PyErr_SetString(PyExc_TypeError, "group must hold nworkers int32 values");
            ok = 0;
        }
    }
    if (ok && have_c) {
        if (PyObject_GetBuffer(counted, &cn, PyBUF_SIMPLE) < 0) {
            ok = have_c = 0;
        } else if (cn.len != nc) {
            PyErr_SetString(PyExc_TypeError, "counted must hold ncases bytes");
            ok = 0;
        }
    }
    if (ok && have_r) {
        if (PyObject_GetBuffer(room, &rm, PyBUF_SIMPLE) < 0) {
            ok = have_r = 0;
        } else if (rm.len != nw * 4) {
            PyErr_SetString(PyExc_TypeError, "room must hold nworkers int32 values");
            ok = 0;
        }
    }
    PyObject *res = NULL;
    if (ok) {
        triage_batch_problem_t p = TRIAGE_BATCH_PROBLEM_INIT;
        p.counted = have_c ? cn.buf : NULL;
        p.room = have_r ? rm.buf : NULL;
        p.ncases = (size_t)nc;
        p.nworkers = (size_t)nw;
        p.weight = w.buf;
        p.load = l.buf;
        p.fte = f.buf;
        p.travel = have_t ? t.buf : NULL;
        p.eligible = have_e ? el.buf : NULL;
        p.group = have_g ? g.buf : NULL;
        p.flood_margin = flood_margin;
        p.exact_limit = exact_limit;
        PyObject *out = PyBytes_FromStringAndSize(NULL, nc * 4);
        int32_t *ex = malloc(2 * ((size_t)nw + 1) * sizeof *ex);
        if (!ex)
            PyErr_NoMemory();
        if (out && ex) {
            triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
            st.nworker_excess = (uint32_t)nw;
            st.worker_rule_excess = ex;
            st.worker_cap_excess = ex + nw + 1;
            triage_status_t rc;
            Py_BEGIN_ALLOW_THREADS
            rc = triage_batch_solve((int32_t *)(void *)PyBytes_AS_STRING(out), &st, &p, NULL);
            Py_END_ALLOW_THREADS
            if (rc) {
                triage_py_raise(rc);
            } else {
                PyObject *t = triage_py_stats_tuple(&st, st.worker_rule_excess,
                                                    st.worker_cap_excess, (size_t)nw);
                if (t)
                    res = Py_BuildValue("(ON)", out, t);
            }
        }
        Py_XDECREF(out);
        free(ex);
    }
    PyBuffer_Release(&w);
    PyBuffer_Release(&l);
    PyBuffer_Release(&f);
    if (have_t)
        PyBuffer_Release(&t);
    if (have_e)
        PyBuffer_Release(&el);
    if (have_g)
        PyBuffer_Release(&g);
    if (have_c)
        PyBuffer_Release(&cn);
    if (have_r)
        PyBuffer_Release(&rm);
    return res;
}
%}
