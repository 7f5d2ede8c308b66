/*
 * sim: SWIG declarations for triage/sim.h (included from triage.i after
 * report.i, whose `char **out` typemap it reuses for the writers). The
 * Pythonic face is triage/_sim.py (triage.Scenario, triage.simulate,
 * triage.compare, triage.SimReport).
 *
 * Python reads a run through its CSV and JSON writers; the C getters that
 * hand out borrowed pointers or structs are ignored.
 *
 * The progress callback: triage_py_sim_run() runs with the GIL released
 * (threads=1) and its trampoline takes the GIL for each call of the Python
 * callable (day, days). A truthy return stops the run (TRIAGE_EUSER); an
 * exception stops it too and is re-raised by the status typemap
 * (docs/conventions.md rules 24 and 27).
 */

/* Scenario and run handles: owned proxies whose destructors free them. */
%typemap(in, numinputs=0) triage_scenario_t **out (triage_scenario_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_scenario_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(*$1, SWIGTYPE_p_triage_scenario, SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) triage_sim_t **out (triage_sim_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_sim_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(*$1, SWIGTYPE_p_triage_sim, SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) triage_sim_t **a (triage_sim_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_sim_t **a {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(*$1, SWIGTYPE_p_triage_sim, SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) triage_sim_t **b (triage_sim_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_sim_t **b {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(*$1, SWIGTYPE_p_triage_sim, SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) triage_social_t **out (triage_social_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_social_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(*$1, SWIGTYPE_p_triage_social, SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) char **table (char *tmp = NULL) { $1 = &tmp; }
%typemap(argout) char **table {
    $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1 ? *$1 : ""));
}
%typemap(freearg) char **table {
    triage_free(*$1);
}
TRIAGE_OUT_INT(size_t, index)
TRIAGE_OUT_INT(size_t, out)

%nodefaultctor triage_scenario;
struct triage_scenario {};
%extend triage_scenario {
    ~triage_scenario() {
        triage_scenario_free($self);
    }
}
%nodefaultctor triage_social;
struct triage_social {};
%extend triage_social {
    ~triage_social() {
        triage_social_free($self);
    }
}
%nodefaultctor triage_sim;
struct triage_sim {};
%extend triage_sim {
    ~triage_sim() {
        triage_sim_free($self);
    }
}

%{
static int triage_py_progress_tramp(void *ud, int32_t day, int32_t days)
{
    PyGILState_STATE g = PyGILState_Ensure();
    int stop = 1;
    if (!PyErr_Occurred()) {
        PyObject *r = PyObject_CallFunction((PyObject *)ud, "ii", (int)day, (int)days);
        if (r) {
            stop = PyObject_IsTrue(r);
            Py_DECREF(r);
            if (stop < 0)
                stop = 1; /* the exception of __bool__ stays pending */
        }
    }
    PyGILState_Release(g);
    return stop;
}
%}

%inline %{
/* triage_sim_run() with a Python progress callable (None: no callback). The
 * caller holds a reference to the callable for the whole call. */
triage_status_t triage_py_sim_run(triage_sim_t **out, const triage_scenario_t *scenario,
                                  const triage_sim_options_t *opts, PyObject *progress)
{
    triage_sim_options_t o = *opts;
    if (progress && progress != Py_None) {
        o.progress = triage_py_progress_tramp;
        o.progress_userdata = progress;
    }
    return triage_sim_run(out, scenario, &o);
}
%}

%nothread triage_py_scenario_add_section;
%inline %{
/* triage_scenario_add_section() from two lists of str (keys, values). Runs
 * with the GIL: it reads the lists. */
triage_status_t triage_py_scenario_add_section(triage_scenario_t *s, const char *section,
                                               PyObject *keys, PyObject *values)
{
    if (!PyList_Check(keys) || !PyList_Check(values) || PyList_Size(keys) != PyList_Size(values)) {
        PyErr_SetString(PyExc_TypeError, "keys and values must be lists of the same length");
        return TRIAGE_EINVAL;
    }
    Py_ssize_t n = PyList_Size(keys);
    const char **k = calloc((size_t)n + 1, sizeof *k), **v = calloc((size_t)n + 1, sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        PyErr_NoMemory();
        return TRIAGE_ENOMEM;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        k[i] = PyUnicode_AsUTF8(PyList_GetItem(keys, i));
        v[i] = PyUnicode_AsUTF8(PyList_GetItem(values, i));
        if (!k[i] || !v[i]) {
            free(k);
            free(v);
            return TRIAGE_EINVAL; /* the TypeError is pending */
        }
    }
    triage_status_t rc = triage_scenario_add_section(s, section, k, v, (size_t)n);
    free(k);
    free(v);
    return rc;
}
%}
%ignore triage_scenario_add_section;

%ignore triage_scenario_free;
%ignore triage_sim_free;
%ignore triage_scenario_worker_label;
%ignore triage_sim_engine;
%ignore triage_sim_report;
%ignore triage_sim_stats;
%ignore triage_sim_stats_t;
%ignore triage_sim_worker;
%ignore triage_sim_options::store;
%ignore triage_sim_options::allocator;
%ignore triage_sim_options::progress;
%ignore triage_sim_options::progress_userdata;

/* The social report: Python reads it through its CSV and JSON writers. */
%ignore triage_social_free;
%ignore triage_social_new;
%ignore triage_social_filing;
%ignore triage_social_value;
%ignore triage_social_value_t;
%ignore triage_social_period;
%ignore triage_social_period_count;
%ignore triage_social_municipality;
%ignore triage_social_municipality_count;
%ignore triage_social_set_name;
%include "triage/social.h"

%include "triage/sim.h"

/* Declared report periods (options v3): the run with a list of (from, to)
 * day numbers, the calendar helper as a list, and a period's report as a
 * borrowed pointer (the Python object keeps the run alive). */
%ignore triage_sim_periods;
%ignore triage_sim_period_report;
%ignore triage_sim_options::periods;
%nothread triage_py_sim_run_periods;
%nothread triage_py_sim_periods;
%nothread triage_py_sim_period_report;
%inline %{
triage_status_t triage_py_sim_run_periods(triage_sim_t **out, const triage_scenario_t *scenario,
                                          const triage_sim_options_t *opts, PyObject *progress,
                                          PyObject *periods)
{
    triage_sim_options_t o = *opts;
    if (progress && progress != Py_None) {
        o.progress = triage_py_progress_tramp;
        o.progress_userdata = progress;
    }
    Py_ssize_t n = periods && periods != Py_None ? PyList_Size(periods) : 0;
    if (n < 0)
        return TRIAGE_EINVAL; /* the TypeError is pending */
    triage_sim_period_t *p = n ? calloc((size_t)n, sizeof *p) : NULL;
    if (n && !p) {
        PyErr_NoMemory();
        return TRIAGE_ENOMEM;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int from, to;
        if (!PyArg_ParseTuple(PyList_GetItem(periods, i), "ii", &from, &to)) {
            free(p);
            return TRIAGE_EINVAL;
        }
        p[i].from = from;
        p[i].to = to;
    }
    o.periods = p;
    o.nperiods = (size_t)n;
    triage_status_t rc;
    Py_BEGIN_ALLOW_THREADS
    rc = triage_sim_run(out, scenario, &o);
    Py_END_ALLOW_THREADS
    free(p);
    return rc;
}

PyObject *triage_py_sim_periods(int from, int to, int months)
{
    triage_sim_period_t *p = NULL;
    size_t n = 0;
    if (triage_sim_periods(&p, &n, from, to, months)) {
        const triage_error_t *e = triage_error_last();
        PyErr_Format(PyExc_ValueError, "%s", e->message);
        return NULL;
    }
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++)
        PyList_SET_ITEM(list, (Py_ssize_t)i, Py_BuildValue("(ii)", (int)p[i].from, (int)p[i].to));
    triage_free(p);
    return list;
}

PyObject *triage_py_sim_period_report(triage_sim_t *sim, size_t index)
{
    const triage_report_t *r = NULL;
    if (triage_sim_period_report(&r, sim, index)) {
        PyErr_SetString(PyExc_IndexError, "no declared period with that index");
        return NULL;
    }
    return SWIG_NewPointerObj((void *)r, SWIGTYPE_p_triage_report, 0);
}
%}
