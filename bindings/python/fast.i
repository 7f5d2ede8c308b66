/*
 * fast: hand-written fast paths for the hot single calls (included last from
 * triage.i). The SWIG call itself costs about 0.2 us; what made
 * triage.classify() 4.6 us was the Python around it (packing the scores,
 * an object with twelve attributes set one by one, enum lookups). These
 * functions do that work in C and are the package's implementation of
 *
 *   triage.classify(need=None, capacity=None, age_related=False, policy=None)
 *   triage.assess_urgency(triggers=(), policy=None, statutory_floor=None)
 *   Calendar.add_business_days(date, n)      (calendar_add_business_days)
 *   triage.deadlines(...)                    (deadlines_compute, after the
 *                                             Python side checked the enums)
 *
 * They are METH_FASTCALL functions added to the module by %init (SWIG's own
 * wrappers parse a tuple), and they build the package's result objects
 * directly: the result classes are ordinary Python classes with __slots__,
 * and fast_setup() records the offsets of their slots (from the member
 * descriptors), so a result is one allocation and a store per field, the
 * same thing the slot descriptors do. The package calls fast_setup() once
 * at import with its classes, enum members and lookup tables; uncommon
 * argument types are handed back to the package's Python helpers, so
 * errors and conversions stay exactly those of the Python code.
 *
 * Only the calls that map to one library function are here; everything else
 * goes through the SWIG wrappers.
 */

%{
#include <datetime.h>
#include <structmember.h>

/* A Python class with __slots__ whose instances are filled from C. */
typedef struct {
    PyTypeObject *type;
    int count;
    Py_ssize_t offset[16];
} fast_slots;

static struct {
    int ready;
    fast_slots classification, urgency_result, deadline;
    PyObject *quadrants, *roles, *tiers;       /* tuples of enum members by value */
    PyObject *need_index, *capacity_index;     /* dict: indicator name -> index */
    PyObject *trigger_index, *trigger_names;   /* dict name -> bit; tuple bit -> name */
    PyObject *classify_policy, *urgency_policy, *date_class;  /* classes */
    PyObject *mapping;                         /* collections.abc.Mapping */
    PyObject *to_trigger, *to_tier, *to_days;  /* the package's Python helpers */
    PyObject *einval;                          /* triage._errors.from_code */
} fast;

static PyObject *fast_str_h; /* "_h" */

static int fast_slots_init(fast_slots *s, PyObject *cls, PyObject *names)
{
    if (!PyType_Check(cls) || !PyTuple_Check(names) || PyTuple_GET_SIZE(names) > 16) {
        PyErr_SetString(PyExc_TypeError, "fast_setup: a class and a tuple of slot names");
        return -1;
    }
    s->count = (int)PyTuple_GET_SIZE(names);
    for (int i = 0; i < s->count; i++) {
        PyObject *d = PyDict_GetItemWithError(((PyTypeObject *)cls)->tp_dict,
                                              PyTuple_GET_ITEM(names, i));
        if (!d || !Py_IS_TYPE(d, &PyMemberDescr_Type)) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "fast_setup: %R is not a slot of %R",
                             PyTuple_GET_ITEM(names, i), cls);
            return -1;
        }
        PyMemberDef *m = ((PyMemberDescrObject *)d)->d_member;
        if (m->type != T_OBJECT_EX) {
            PyErr_SetString(PyExc_TypeError, "fast_setup: not an object slot");
            return -1;
        }
        s->offset[i] = m->offset;
    }
    Py_INCREF(cls);
    s->type = (PyTypeObject *)cls;
    return 0;
}

/* A new instance with every slot unset (the caller sets all of them). */
static PyObject *fast_new(const fast_slots *s)
{
    return s->type->tp_alloc(s->type, 0);
}

/* Sets slot @p i, stealing @p value; a NULL value (a failed build) is
 * reported by the caller through fast_done(). */
static void fast_set(PyObject *obj, const fast_slots *s, int i, PyObject *value)
{
    PyObject **p = (PyObject **)((char *)obj + s->offset[i]);
    Py_XSETREF(*p, value);
}

static PyObject *fast_done(PyObject *obj, const fast_slots *s)
{
    for (int i = 0; i < s->count; i++)
        if (!*(PyObject **)((char *)obj + s->offset[i])) {
            Py_DECREF(obj);
            return NULL;
        }
    return obj;
}

static PyObject *fast_bool(int v)
{
    return Py_NewRef(v ? Py_True : Py_False);
}

static PyObject *fast_item(PyObject *tuple, long i)
{
    if (i < 0 || i >= PyTuple_GET_SIZE(tuple) || PyTuple_GET_ITEM(tuple, i) == Py_None) {
        PyErr_Format(PyExc_ValueError, "%ld is not a valid enum value", i);
        return NULL;
    }
    return Py_NewRef(PyTuple_GET_ITEM(tuple, i));
}

/* Raises triage.InvalidArgument(-1, message, argument). */
static void fast_invalid(const char *message, PyObject *argument)
{
    PyObject *exc = PyObject_CallFunction(fast.einval, "isOi", (int)TRIAGE_EINVAL, message,
                                          argument, 0);
    if (exc) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
}

static int fast_check_ready(void)
{
    if (!fast.ready)
        PyErr_SetString(PyExc_RuntimeError, "triage._triage.fast_setup() was not called");
    return fast.ready;
}

/* The C handle of a wrapper object (its `_h`, a SWIG proxy) or NULL for None. */
static int fast_handle(void **out, PyObject *obj, PyObject *cls, swig_type_info *type,
                       const char *what)
{
    *out = NULL;
    if (!obj || obj == Py_None)
        return 0;
    if (PyObject_IsInstance(obj, cls) != 1) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_TypeError, "%s must be a triage.%s or None", what,
                         ((PyTypeObject *)cls)->tp_name);
        return -1;
    }
    PyObject *h = PyObject_GetAttr(obj, fast_str_h);
    if (!h)
        return -1;
    int rc = SWIG_ConvertPtr(h, out, type, 0);
    Py_DECREF(h);
    if (!SWIG_IsOK(rc)) {
        PyErr_Format(PyExc_TypeError, "%s has no library handle", what);
        return -1;
    }
    return 0;
}

/* A date argument (datetime.date, triage.Date or ISO text) as days. */
static int fast_days(triage_date_t *out, PyObject *v)
{
    if (PyDate_Check(v)) {
        triage_status_t rc = triage_date_from_ymd(out, PyDateTime_GET_YEAR(v),
                                                  PyDateTime_GET_MONTH(v), PyDateTime_GET_DAY(v));
        if (rc != TRIAGE_OK) {
            triage_py_raise(rc);
            return -1;
        }
        return 0;
    }
    PyObject *days = PyObject_CallOneArg(fast.to_days, v); /* triage.Date, text, errors */
    if (!days)
        return -1;
    long d = PyLong_AsLong(days);
    Py_DECREF(days);
    if (d == -1 && PyErr_Occurred())
        return -1;
    *out = (triage_date_t)d;
    return 0;
}

static PyObject *fast_date(triage_date_t days)
{
    int y, m, d;
    triage_status_t rc = triage_date_to_ymd(&y, &m, &d, days);
    if (rc != TRIAGE_OK) {
        triage_py_raise(rc);
        return NULL;
    }
    return PyDate_FromDate(y, m, d);
}

/* Keyword/positional parsing for METH_FASTCALL | METH_KEYWORDS: fills
 * out[0..n-1] (borrowed; NULL when not given). */
static int fast_args(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
                     const char *const *names, int n, PyObject **out, const char *fn)
{
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (nargs > n) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %d positional arguments", fn, n);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        out[i] = args[i];
    Py_ssize_t nk = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nk; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        int i = 0;
        for (; i < n; i++)
            if (PyUnicode_CompareWithASCIIString(key, names[i]) == 0)
                break;
        if (i == n) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument %R", fn, key);
            return -1;
        }
        if (out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fn,
                         names[i]);
            return -1;
        }
        out[i] = args[nargs + k];
    }
    return 0;
}

/* A score as a byte: operator.index(); values that do not fit become 255 so
 * that the library names the field. */
static int fast_byte(uint8_t *out, PyObject *v)
{
    long x;
    if (PyLong_Check(v)) {
        int overflow;
        x = PyLong_AsLongAndOverflow(v, &overflow);
        if (overflow)
            x = 255;
    } else {
        PyObject *i = PyNumber_Index(v);
        if (!i)
            return -1;
        int overflow;
        x = PyLong_AsLongAndOverflow(i, &overflow);
        Py_DECREF(i);
        if (overflow)
            x = 255;
    }
    if (x == -1 && PyErr_Occurred())
        return -1;
    *out = (uint8_t)(x >= 0 && x <= 255 ? x : 255);
    return 0;
}

static int fast_scores(uint8_t *dst, PyObject *values, PyObject *index, const char *axis)
{
    if (!values || values == Py_None)
        return 0;
    PyObject *items = NULL, *key, *value;
    Py_ssize_t pos = 0, n = 0;
    if (!PyDict_Check(values)) {
        int ok = PyObject_IsInstance(values, fast.mapping);
        if (ok != 1) {
            if (ok == 0)
                PyErr_Format(PyExc_TypeError,
                             "%s must be a mapping of indicator names to scores", axis);
            return -1;
        }
        items = PyMapping_Items(values);
        if (!items)
            return -1;
        n = PyList_GET_SIZE(items);
    }
    int rc = 0;
    for (Py_ssize_t k = 0;; k++) {
        if (items) {
            if (k >= n)
                break;
            key = PyTuple_GET_ITEM(PyList_GET_ITEM(items, k), 0);
            value = PyTuple_GET_ITEM(PyList_GET_ITEM(items, k), 1);
        } else if (!PyDict_Next(values, &pos, &key, &value)) {
            break;
        }
        PyObject *i = PyDict_GetItemWithError(index, key);
        if (!i) {
            if (!PyErr_Occurred()) {
                char msg[64];
                snprintf(msg, sizeof msg, "unknown %s indicator", axis);
                PyObject *arg = PyUnicode_FromFormat("%s.%S", axis, key);
                if (arg) {
                    fast_invalid(msg, arg);
                    Py_DECREF(arg);
                }
            }
            rc = -1;
            break;
        }
        if (fast_byte(&dst[PyLong_AsLong(i)], value) < 0) {
            rc = -1;
            break;
        }
    }
    Py_XDECREF(items);
    return rc;
}

static PyObject *fast_classification(const triage_classification_t *c)
{
    const fast_slots *s = &fast.classification;
    PyObject *o = fast_new(s);
    if (!o)
        return NULL;
    fast_set(o, s, 0, PyBytes_FromStringAndSize((const char *)c, (Py_ssize_t)sizeof *c));
    fast_set(o, s, 1, fast_item(fast.quadrants, c->quadrant));
    fast_set(o, s, 2, fast_bool(c->special_support));
    fast_set(o, s, 3, fast_item(fast.roles, c->required_role));
    fast_set(o, s, 4, fast_item(fast.roles, c->preferred_role));
    fast_set(o, s, 5, fast_bool(c->high_need));
    fast_set(o, s, 6, fast_bool(c->weak_capacity));
    fast_set(o, s, 7, PyLong_FromLong(c->need_score));
    fast_set(o, s, 8, PyLong_FromLong(c->capacity_score));
    fast_set(o, s, 9, PyLong_FromLong(c->need_rationale));
    fast_set(o, s, 10, PyLong_FromLong(c->capacity_rationale));
    fast_set(o, s, 11, PyLong_FromUnsignedLong(c->policy_version));
    return fast_done(o, s);
}

static PyObject *fast_classify(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames)
{
    (void)self;
    static const char *const names[] = {"need", "capacity", "age_related", "policy"};
    PyObject *a[4];
    if (!fast_check_ready() || fast_args(args, nargs, kwnames, names, 4, a, "classify") < 0)
        return NULL;
    triage_scores_t scores;
    memset(&scores, 0, sizeof scores);
    void *policy = NULL;
    if (fast_scores(scores.need, a[0], fast.need_index, "need") < 0 ||
        fast_scores(scores.capacity, a[1], fast.capacity_index, "capacity") < 0 ||
        (a[2] && fast_byte(&scores.age_related, a[2]) < 0) ||
        fast_handle(&policy, a[3], fast.classify_policy, SWIGTYPE_p_triage_classify_policy,
                    "policy") < 0)
        return NULL;
    triage_classification_t c;
    triage_status_t rc = triage_classify(&c, (const triage_classify_policy_t *)policy, &scores);
    if (rc != TRIAGE_OK) {
        triage_py_raise(rc);
        return NULL;
    }
    return fast_classification(&c);
}

/* Classification(raw): the 16 bytes of a triage_classification_t. */
static PyObject *fast_classification_from_raw(PyObject *self, PyObject *raw)
{
    (void)self;
    if (!fast_check_ready())
        return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(raw, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    triage_classification_t c;
    if (view.len != (Py_ssize_t)sizeof c) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "a classification is 16 bytes");
        return NULL;
    }
    memcpy(&c, view.buf, sizeof c);
    PyBuffer_Release(&view);
    return fast_classification(&c);
}

static PyObject *fast_names(uint32_t bits)
{
    PyObject *list = PyList_New(0);
    for (Py_ssize_t i = 0; list && i < PyTuple_GET_SIZE(fast.trigger_names); i++)
        if (bits >> i & 1u && PyList_Append(list, PyTuple_GET_ITEM(fast.trigger_names, i)) < 0)
            Py_CLEAR(list);
    return list;
}

static PyObject *fast_assess_urgency(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                                     PyObject *kwnames)
{
    (void)self;
    static const char *const names[] = {"triggers", "policy", "statutory_floor"};
    PyObject *a[3];
    if (!fast_check_ready() ||
        fast_args(args, nargs, kwnames, names, 3, a, "assess_urgency") < 0)
        return NULL;
    uint32_t bits = 0;
    if (a[0]) {
        if (PyUnicode_Check(a[0]) || PyBytes_Check(a[0])) {
            PyErr_SetString(PyExc_TypeError, "triggers is a list of names, not a single string");
            return NULL;
        }
        PyObject *seq = PySequence_Fast(a[0], "triggers must be iterable");
        if (!seq)
            return NULL;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(seq); i++) {
            PyObject *t = PySequence_Fast_GET_ITEM(seq, i);
            PyObject *bit = PyUnicode_Check(t) ? PyDict_GetItemWithError(fast.trigger_index, t)
                                               : NULL;
            long b;
            if (bit) {
                b = PyLong_AsLong(bit);
            } else {
                if (PyErr_Occurred()) {
                    Py_DECREF(seq);
                    return NULL;
                }
                PyObject *v = PyObject_CallOneArg(fast.to_trigger, t); /* raises as Python does */
                if (!v) {
                    Py_DECREF(seq);
                    return NULL;
                }
                b = PyLong_AsLong(v);
                Py_DECREF(v);
            }
            if (b < 0 || b >= 32) {
                Py_DECREF(seq);
                if (!PyErr_Occurred())
                    PyErr_SetString(PyExc_ValueError, "trigger out of range");
                return NULL;
            }
            bits |= 1u << b;
        }
        Py_DECREF(seq);
    }
    void *policy = NULL;
    if (fast_handle(&policy, a[1], fast.urgency_policy, SWIGTYPE_p_triage_urgency_policy,
                    "policy") < 0)
        return NULL;
    long floor = TRIAGE_URGENCY_NORMAL;
    if (a[2] && a[2] != Py_None) {
        PyObject *v = PyObject_CallFunction(fast.to_tier, "Os", a[2], "statutory_floor");
        if (!v)
            return NULL;
        floor = PyLong_AsLong(v);
        Py_DECREF(v);
        if (floor == -1 && PyErr_Occurred())
            return NULL;
    }
    triage_urgency_result_t r;
    triage_status_t rc = triage_urgency_assess(&r, (const triage_urgency_policy_t *)policy, bits,
                                               (triage_urgency_t)floor);
    if (rc != TRIAGE_OK) {
        triage_py_raise(rc);
        return NULL;
    }
    const fast_slots *s = &fast.urgency_result;
    PyObject *o = fast_new(s);
    if (!o)
        return NULL;
    fast_set(o, s, 0, fast_item(fast.tiers, r.tier));
    fast_set(o, s, 1, fast_names(r.fired));
    fast_set(o, s, 2, fast_names(r.deciding));
    fast_set(o, s, 3, PyLong_FromLong(r.response_days));
    fast_set(o, s, 4, PyUnicode_FromString(r.policy_id));
    fast_set(o, s, 5, PyLong_FromUnsignedLong(r.policy_version));
    return fast_done(o, s);
}

/* calendar_add_business_days(handle, date, n): n already an int. */
static PyObject *fast_add_business_days(PyObject *self, PyObject *const *args,
                                        Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "calendar_add_business_days(handle, date, n)");
        return NULL;
    }
    void *cal = NULL;
    if (!SWIG_IsOK(SWIG_ConvertPtr(args[0], &cal, SWIGTYPE_p_triage_calendar, 0)) || !cal) {
        PyErr_SetString(PyExc_TypeError, "a calendar handle is needed");
        return NULL;
    }
    triage_date_t d;
    if (fast_days(&d, args[1]) < 0)
        return NULL;
    long n = PyLong_AsLong(args[2]);
    if (n == -1 && PyErr_Occurred())
        return NULL;
    triage_date_t out;
    triage_status_t rc = triage_calendar_add_business_days(&out, (const triage_calendar_t *)cal,
                                                           d, (int32_t)n);
    if (rc != TRIAGE_OK) {
        triage_py_raise(rc);
        return NULL;
    }
    return fast_date(out);
}

/* deadlines_compute(rules, urgency_policy, calendar, kind, service, received,
 * own_contact, age, date_of_birth, highest_care_allowance, child_special_support,
 * urgency, service_decision, assistance_urgent, assistance_complete,
 * assistance_completed, meeting_requested): handles as SWIG proxies or None,
 * enums and flags as ints (the package checked them), dates as dates or None. */
static PyObject *fast_deadlines(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (!fast_check_ready())
        return NULL;
    if (nargs != 17) {
        PyErr_SetString(PyExc_TypeError, "deadlines_compute() takes 17 arguments");
        return NULL;
    }
    void *rules = NULL, *upol = NULL, *cal = NULL;
    if ((args[0] != Py_None &&
         !SWIG_IsOK(SWIG_ConvertPtr(args[0], &rules, SWIGTYPE_p_triage_deadline_rules, 0))) ||
        (args[1] != Py_None &&
         !SWIG_IsOK(SWIG_ConvertPtr(args[1], &upol, SWIGTYPE_p_triage_urgency_policy, 0))) ||
        !SWIG_IsOK(SWIG_ConvertPtr(args[2], &cal, SWIGTYPE_p_triage_calendar, 0))) {
        PyErr_SetString(PyExc_TypeError, "deadlines_compute(): bad handle");
        return NULL;
    }
    triage_deadline_input_t in = TRIAGE_DEADLINE_INPUT_INIT;
    long v[9];
    static const int ints[9] = {3, 4, 6, 7, 9, 10, 11, 13, 14}; /* argument positions */
    for (int k = 0; k < 9; k++) {
        v[k] = PyLong_AsLong(args[ints[k]]);
        if (v[k] == -1 && PyErr_Occurred())
            return NULL;
    }
    in.kind = (triage_intake_kind_t)v[0];
    in.service = (triage_service_area_t)v[1];
    in.own_contact = (int32_t)v[2];
    in.age = (int32_t)v[3];
    in.highest_care_allowance = (int32_t)v[4];
    in.child_special_support = (int32_t)v[5];
    in.urgency = (triage_urgency_t)v[6];
    in.assistance_urgent = (int32_t)v[7];
    in.assistance_complete = (int32_t)v[8];
    struct {
        int arg;
        triage_date_t *field;
    } dates[] = {{5, &in.received}, {8, &in.date_of_birth}, {12, &in.service_decision},
                 {15, &in.assistance_completed}, {16, &in.meeting_requested}};
    for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++)
        if (args[dates[k].arg] != Py_None && fast_days(dates[k].field, args[dates[k].arg]) < 0)
            return NULL;
    triage_deadline_t out[TRIAGE_DEADLINE_MAX];
    uint32_t count = 0;
    triage_status_t rc = triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &count,
                                                  (const triage_deadline_rules_t *)rules,
                                                  (const triage_urgency_policy_t *)upol,
                                                  (const triage_calendar_t *)cal, &in);
    if (rc != TRIAGE_OK) {
        triage_py_raise(rc);
        return NULL;
    }
    PyObject *list = PyList_New((Py_ssize_t)count);
    if (!list)
        return NULL;
    const fast_slots *s = &fast.deadline;
    for (uint32_t k = 0; k < count; k++) {
        PyObject *o = fast_new(s);
        if (!o) {
            Py_DECREF(list);
            return NULL;
        }
        fast_set(o, s, 0, PyLong_FromLong(out[k].row));
        fast_set(o, s, 1, PyLong_FromLong(out[k].basis));
        fast_set(o, s, 2, PyLong_FromLong(out[k].milestone));
        fast_set(o, s, 3, fast_date(out[k].due));
        if (!(o = fast_done(o, s))) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, k, o);
    }
    return list;
}

#define FAST_SET(field, key)                                        \
    do {                                                            \
        PyObject *v_ = PyDict_GetItemString(kw, key);               \
        if (!v_) {                                                  \
            PyErr_Format(PyExc_TypeError, "fast_setup needs %s", key); \
            return NULL;                                            \
        }                                                           \
        Py_XSETREF(fast.field, Py_NewRef(v_));                      \
    } while (0)

/* fast_setup(**tables): called once by the package at import. */
static PyObject *fast_setup(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    (void)args;
    if (!kw) {
        PyErr_SetString(PyExc_TypeError, "fast_setup takes keyword arguments");
        return NULL;
    }
    if (!PyDateTimeAPI) {
        PyDateTime_IMPORT;
        if (!PyDateTimeAPI)
            return NULL;
    }
    if (!fast_str_h && !(fast_str_h = PyUnicode_InternFromString("_h")))
        return NULL;
    FAST_SET(quadrants, "quadrants");
    FAST_SET(roles, "roles");
    FAST_SET(tiers, "tiers");
    FAST_SET(need_index, "need_index");
    FAST_SET(capacity_index, "capacity_index");
    FAST_SET(trigger_index, "trigger_index");
    FAST_SET(trigger_names, "trigger_names");
    FAST_SET(classify_policy, "classify_policy");
    FAST_SET(urgency_policy, "urgency_policy");
    FAST_SET(date_class, "date_class");
    FAST_SET(mapping, "mapping");
    FAST_SET(to_trigger, "to_trigger");
    FAST_SET(to_tier, "to_tier");
    FAST_SET(to_days, "to_days");
    FAST_SET(einval, "from_code");
    struct {
        const char *key;
        fast_slots *slots;
    } classes[] = {{"classification", &fast.classification},
                   {"urgency_result", &fast.urgency_result},
                   {"deadline", &fast.deadline}};
    for (size_t k = 0; k < sizeof classes / sizeof classes[0]; k++) {
        PyObject *spec = PyDict_GetItemString(kw, classes[k].key); /* (class, names) */
        if (!spec || !PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != 2) {
            PyErr_Format(PyExc_TypeError, "fast_setup needs %s=(class, slot names)",
                         classes[k].key);
            return NULL;
        }
        if (fast_slots_init(classes[k].slots, PyTuple_GET_ITEM(spec, 0),
                            PyTuple_GET_ITEM(spec, 1)) < 0)
            return NULL;
    }
    if (!PyTuple_Check(fast.quadrants) || !PyTuple_Check(fast.roles) ||
        !PyTuple_Check(fast.tiers) || !PyTuple_Check(fast.trigger_names) ||
        !PyDict_Check(fast.need_index) || !PyDict_Check(fast.capacity_index) ||
        !PyDict_Check(fast.trigger_index)) {
        PyErr_SetString(PyExc_TypeError, "fast_setup: enum members as tuples, indexes as dicts");
        return NULL;
    }
    fast.ready = 1;
    Py_RETURN_NONE;
}

static PyMethodDef fast_methods[] = {
    {"fast_setup", (PyCFunction)(void (*)(void))fast_setup, METH_VARARGS | METH_KEYWORDS,
     "Records the package's classes and tables for the fast paths (once, at import)."},
    {"classify", (PyCFunction)(void (*)(void))fast_classify, METH_FASTCALL | METH_KEYWORDS,
     "classify(need=None, capacity=None, age_related=False, policy=None)\n--\n\n"
     "Classifies one client's scores (docs/classifier.md). need and capacity map\n"
     "indicator names (NEED_KEYS, CAPACITY_KEYS) to scores 0-3; missing ones are 0.\n"
     "policy is a ClassifyPolicy or None for the default. Returns a Classification;\n"
     "an unknown indicator or a bad score raises triage.InvalidArgument naming it."},
    {"classification_from_raw", (PyCFunction)fast_classification_from_raw, METH_O,
     "A Classification from the 16 bytes of a triage_classification_t."},
    {"assess_urgency", (PyCFunction)(void (*)(void))fast_assess_urgency,
     METH_FASTCALL | METH_KEYWORDS,
     "assess_urgency(triggers=(), policy=None, statutory_floor=None)\n--\n\n"
     "Assesses urgency from the triggers observed at intake (docs/domain.md 5.2).\n"
     "triggers: trigger names or Trigger values (an unknown name raises\n"
     "triage.InvalidArgument); policy: an UrgencyPolicy or None for the default;\n"
     "statutory_floor: Urgency.PRIORITY when a statutory 7-business-day start\n"
     "applies (see priority_applies); it only makes the result more urgent.\n"
     "Returns an UrgencyResult."},
    {"calendar_add_business_days", (PyCFunction)(void (*)(void))fast_add_business_days,
     METH_FASTCALL, "calendar_add_business_days(handle, date, n) -> datetime.date"},
    {"deadlines_compute", (PyCFunction)(void (*)(void))fast_deadlines, METH_FASTCALL,
     "deadlines_compute(rules, urgency_policy, calendar, ...) -> [Deadline]"},
    {NULL, NULL, 0, NULL}};
%}

%init %{
    if (PyModule_AddFunctions(m, fast_methods) < 0)
        return NULL;
%}
