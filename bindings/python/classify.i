/*
 * classify: SWIG declarations for triage/classify.h. The Pythonic face is
 * triage/_classify.py.
 *
 * Score vectors travel as 19-byte bytes objects (the layout of
 * triage_scores_t) and classifications as 16-byte bytes objects (the layout
 * of triage_classification_t, native byte order); _classify.py packs and
 * unpacks them. The batch goes through triage_py_classify_batch(), which
 * reads any C-contiguous buffer and releases the GIL while it classifies.
 */

/* One score vector from a 19-byte bytes-like object. */
%typemap(in) const triage_scores_t *scores (triage_scores_t tmp, Py_buffer view) {
    if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) < 0)
        SWIG_fail;
    if (view.len != (Py_ssize_t)sizeof tmp) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_TypeError, "a score vector must be 19 bytes");
        SWIG_fail;
    }
    memcpy(&tmp, view.buf, sizeof tmp);
    PyBuffer_Release(&view);
    $1 = &tmp;
}

/* A classification comes back as its 16 raw bytes. */
%typemap(in, numinputs=0) triage_classification_t *out (triage_classification_t tmp) {
    memset(&tmp, 0, sizeof tmp);
    $1 = &tmp;
}
%typemap(argout) triage_classification_t *out {
    $result = SWIG_Python_AppendOutput($result,
        PyBytes_FromStringAndSize((const char *)$1, (Py_ssize_t)sizeof *$1));
}
%typemap(in) const triage_classification_t *c (triage_classification_t tmp) {
    char *buf; Py_ssize_t len;
    if (!PyBytes_Check($input) || PyBytes_AsStringAndSize($input, &buf, &len) < 0 ||
        len != (Py_ssize_t)sizeof tmp) {
        PyErr_SetString(PyExc_TypeError, "a classification must be 16 bytes");
        SWIG_fail;
    }
    memcpy(&tmp, buf, sizeof tmp);
    $1 = &tmp;
}

/* Policy out-arguments. */
%typemap(in, numinputs=0) triage_classify_policy_t **out (triage_classify_policy_t *tmp = NULL) {
    $1 = &tmp;
}
%typemap(argout) triage_classify_policy_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(*$1, SWIGTYPE_p_triage_classify_policy, SWIG_POINTER_OWN));
}
%typemap(in, numinputs=0) const char **id (const char *tmp = NULL) { $1 = &tmp; }
%typemap(argout) const char **id {
    $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1));
}
TRIAGE_OUT_INT(uint32_t, version)
TRIAGE_OUT_INT(int32_t, out)
TRIAGE_OUT_INT(triage_special_support_responsible_t, out)

/* The policy handle: a proxy class that frees the policy when collected. */
%nodefaultctor triage_classify_policy;
struct triage_classify_policy {};
%extend triage_classify_policy {
    ~triage_classify_policy() { triage_classify_policy_free($self); }
}

%ignore triage_scores;
%ignore triage_classification;
%ignore triage_classify_batch;

%include "triage/classify.h"

/*
 * Batch: rows is a C-contiguous buffer of n * 19 bytes; the result is
 * n * 16 bytes of classifications. Runs without the GIL.
 */
%nothread triage_py_classify_batch;
%inline %{
PyObject *triage_py_classify_batch(const triage_classify_policy_t *policy, PyObject *rows)
{
    Py_buffer view;
    if (PyObject_GetBuffer(rows, &view, PyBUF_C_CONTIGUOUS) < 0)
        return NULL;
    if (view.len % (Py_ssize_t)sizeof(triage_scores_t) != 0) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "rows must be a whole number of 19-byte score vectors");
        return NULL;
    }
    size_t n = (size_t)view.len / sizeof(triage_scores_t);
    PyObject *result = PyBytes_FromStringAndSize(NULL,
        (Py_ssize_t)(n * sizeof(triage_classification_t)));
    if (!result) {
        PyBuffer_Release(&view);
        return NULL;
    }
    triage_status_t rc;
    Py_BEGIN_ALLOW_THREADS
    rc = triage_classify_batch((triage_classification_t *)PyBytes_AS_STRING(result), policy,
                               (const triage_scores_t *)view.buf, n);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (rc != TRIAGE_OK) {
        Py_DECREF(result);
        triage_py_raise(rc);
        return NULL;
    }
    return result;
}
%}
