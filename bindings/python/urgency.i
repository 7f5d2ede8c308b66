/*
 * urgency: SWIG declarations (included from triage.i). The Pythonic face is
 * triage/_urgency.py (triage.assess_urgency, triage.UrgencyPolicy); nothing
 * here is meant to be used directly.
 *
 * The policy handle is a proxy class that owns its C object: the functions
 * that create one return it with SWIG_POINTER_OWN, its destructor calls
 * triage_urgency_policy_free(), and the free function itself is not wrapped,
 * so Python never holds a dangling pointer.
 */

%nodefaultctor triage_urgency_policy;
struct triage_urgency_policy {};
%extend triage_urgency_policy {
    ~triage_urgency_policy() { triage_urgency_policy_free($self); }
}
%ignore triage_urgency_policy_free;

/* triage_urgency_policy_t **out: the new policy, owned by Python. */
%typemap(in, numinputs=0) triage_urgency_policy_t **out (triage_urgency_policy_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_urgency_policy_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(SWIG_as_voidptr(*$1), SWIGTYPE_p_triage_urgency_policy, SWIG_POINTER_OWN));
}

/* Python always uses the default allocator. */
%typemap(in, numinputs=0) const triage_allocator_t *alloc { $1 = NULL; }

/* triage_urgency_policy_id(): (id, version). */
%typemap(in, numinputs=0) const char **id (const char *tmp = NULL) { $1 = &tmp; }
%typemap(argout) const char **id {
    $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1 ? *$1 : ""));
}
%typemap(in, numinputs=0) uint32_t *version (uint32_t tmp = 0) { $1 = &tmp; }
%typemap(argout) uint32_t *version {
    $result = SWIG_Python_AppendOutput($result, PyLong_FromUnsignedLong((unsigned long)*$1));
}

/* The assessment result comes back as a tuple
 * (tier, fired, deciding, response_days, policy_version, policy_id). */
%typemap(in, numinputs=0) triage_urgency_result_t *out (triage_urgency_result_t tmp) {
    memset(&tmp, 0, sizeof tmp);
    $1 = &tmp;
}
%typemap(argout) triage_urgency_result_t *out {
    $result = SWIG_Python_AppendOutput($result,
        Py_BuildValue("(ikkiks)", (int)$1->tier, (unsigned long)$1->fired,
                      (unsigned long)$1->deciding, (int)$1->response_days,
                      (unsigned long)$1->policy_version, $1->policy_id));
}
%ignore triage_urgency_result;

TRIAGE_OUT_INT(triage_trigger_t, out)
TRIAGE_OUT_INT(int32_t, out)

%include "triage/urgency.h"
