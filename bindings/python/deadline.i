/*
 * deadline: SWIG declarations (included from triage.i). The Pythonic face is
 * triage/_deadline.py (triage.deadlines, triage.DeadlineRules, ...); nothing
 * here is meant to be used directly.
 *
 * The rule-set handle owns its C object like the other handles. The input
 * struct triage_deadline_input_t and the value triage_deadline_t are plain
 * SWIG struct proxies that the package fills field by field.
 */

%nodefaultctor triage_deadline_rules;
struct triage_deadline_rules {};
%extend triage_deadline_rules {
    ~triage_deadline_rules() { triage_deadline_rules_free($self); }
}
%ignore triage_deadline_rules_free;

%typemap(in, numinputs=0) triage_deadline_rules_t **out (triage_deadline_rules_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_deadline_rules_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(SWIG_as_voidptr(*$1), SWIGTYPE_p_triage_deadline_rules, SWIG_POINTER_OWN));
}

/* triage_deadline_rules_law_version(): the borrowed string, copied into a str. */
%typemap(in, numinputs=0) const char **out (const char *tmp = NULL) { $1 = &tmp; }
%typemap(argout) const char **out {
    $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1 ? *$1 : ""));
}

/* triage_deadlines_compute(): a list of (row, basis, milestone, due) tuples. */
%typemap(in, numinputs=0) (triage_deadline_t *out, size_t capacity, uint32_t *count)
    (triage_deadline_t tmp[TRIAGE_DEADLINE_MAX], uint32_t n = 0) {
    $1 = tmp;
    $2 = TRIAGE_DEADLINE_MAX;
    $3 = &n;
}
%typemap(argout) (triage_deadline_t *out, size_t capacity, uint32_t *count) {
    PyObject *list = PyList_New((Py_ssize_t)*$3);
    if (!list)
        SWIG_fail;
    for (uint32_t i = 0; i < *$3; i++) {
        PyObject *item = Py_BuildValue("(iiii)", (int)$1[i].row, (int)$1[i].basis,
                                       (int)$1[i].milestone, (int)$1[i].due);
        if (!item) {
            Py_DECREF(list);
            SWIG_fail;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    $result = SWIG_Python_AppendOutput($result, list);
}

/* triage_deadline_status(): (state, overdue). */
%typemap(in, numinputs=0) triage_deadline_state_t *state (triage_deadline_state_t tmp = TRIAGE_DEADLINE_OPEN) { $1 = &tmp; }
%typemap(argout) triage_deadline_state_t *state {
    $result = SWIG_Python_AppendOutput($result, PyLong_FromLong((long)*$1));
}
%typemap(in, numinputs=0) int32_t *overdue (int32_t tmp = 0) { $1 = &tmp; }
%typemap(argout) int32_t *overdue {
    $result = SWIG_Python_AppendOutput($result, PyLong_FromLong((long)*$1));
}

TRIAGE_OUT_INT(triage_intake_kind_t, out)

%include "triage/deadline.h"
