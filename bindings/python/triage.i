/*
 * SWIG interface for the private _triage extension. The hand-written
 * `triage` package (triage/__init__.py) builds the Pythonic API on top;
 * nothing here is meant to be used directly.
 */
%module(package="triage", threads="1") _lowlevel

%{
#include <triage/triage.h>

/* Raises the Python exception that matches a libtriage status, carrying the
 * C message and argument. A pending Python exception (from a callback) wins. */
static void triage_py_raise(triage_status_t code)
{
    if (PyErr_Occurred())
        return;
    const triage_error_t *e = triage_error_last();
    const char *msg = e->code == code ? e->message : triage_strerror(code);
    const char *arg = e->code == code ? e->argument : "";
    int cause = e->code == code ? (int)e->cause : 0;
    PyObject *mod = PyImport_ImportModule("triage._errors");
    if (!mod)
        return;
    PyObject *exc = PyObject_CallMethod(mod, "from_code", "issi", (int)code, msg, arg, cause);
    Py_DECREF(mod);
    if (!exc)
        return;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
}
%}

%include <stdint.i>

/* Status: raise on failure, otherwise None (out-arguments replace it). */
%typemap(out) triage_status_t {
    if (PyErr_Occurred() || $1 < 0) {
        triage_py_raise($1);
        SWIG_fail;
    }
    $result = SWIG_Py_Void();
}

/* Scalar out-arguments. */
%define TRIAGE_OUT_INT(TYPE, NAME)
%typemap(in, numinputs=0) TYPE *NAME (TYPE tmp = 0) { $1 = &tmp; }
%typemap(argout) TYPE *NAME { $result = SWIG_Python_AppendOutput($result, PyLong_FromLongLong((long long)*$1)); }
%enddef
TRIAGE_OUT_INT(triage_date_t, out)
TRIAGE_OUT_INT(triage_weekday_t, out)
TRIAGE_OUT_INT(int, out)
TRIAGE_OUT_INT(int, year)
TRIAGE_OUT_INT(int, month)
TRIAGE_OUT_INT(int, day)

/* Ids travel as 16-byte bytes objects; the package turns them into uuid.UUID. */
%typemap(in, numinputs=0) triage_id_t *out (triage_id_t tmp) { memset(&tmp, 0, sizeof tmp); $1 = &tmp; }
%typemap(argout) triage_id_t *out {
    $result = SWIG_Python_AppendOutput($result, PyBytes_FromStringAndSize((const char *)$1->bytes, 16));
}
%typemap(in) const triage_id_t * (triage_id_t tmp) {
    char *buf; Py_ssize_t len;
    if (!PyBytes_Check($input) || PyBytes_AsStringAndSize($input, &buf, &len) < 0 || len != 16) {
        PyErr_SetString(PyExc_TypeError, "an id must be 16 bytes");
        SWIG_fail;
    }
    memcpy(tmp.bytes, buf, 16);
    $1 = &tmp;
}

/* Text written into a caller buffer comes back as str. */
%typemap(in, numinputs=0) (char *buf, size_t size) (char tmp[64]) { $1 = tmp; $2 = sizeof tmp; }
%typemap(argout) (char *buf, size_t size) {
    $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString($1));
}

/* The error record is read through these rather than the struct. */
%ignore triage_error_last;
%ignore triage_error;
%ignore triage_allocator;
%ignore triage_free;
%inline %{
int triage_py_error_code(void) { return (int)triage_error_last()->code; }
%}

#define TRIAGE_API
%include "triage/common.h"
%include "triage/version.h"
%include "triage/date.h"
%include "triage/id.h"

/* Per-module interfaces. */
%include "calendar.i"
%include "classify.i"
%include "urgency.i"
%include "deadline.i"
%include "engine.i"
%include "report.i"
%include "store.i"
%include "store2.i"
%include "assign.i"
%include "sim.i"
%include "tables.i"

/* Hand-written fast paths of the hot single calls (last: they use the types above). */
%include "fast.i"
