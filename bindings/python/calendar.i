/*
 * calendar: SWIG declarations (included from triage.i). The Pythonic face is
 * triage/_calendar.py; nothing here is meant to be used directly.
 *
 * The opaque handle becomes a proxy class `triage_calendar` that owns its C
 * object: the constructor functions return it with SWIG_POINTER_OWN and its
 * destructor calls triage_calendar_free(). triage_calendar_free() itself is
 * not wrapped, so Python can never hold a dangling pointer; a None handle
 * reaches C as NULL and comes back as InvalidArgument.
 */

/* The handle: a proxy class with a destructor and no constructor. */
%nodefaultctor triage_calendar;
struct triage_calendar {};
%extend triage_calendar {
    ~triage_calendar() { triage_calendar_free($self); }
}
%ignore triage_calendar_free;

/* triage_calendar_t **out: the new calendar, owned by Python. */
%typemap(in, numinputs=0) triage_calendar_t **out (triage_calendar_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_calendar_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(SWIG_as_voidptr(*$1), SWIGTYPE_p_triage_calendar, SWIG_POINTER_OWN));
}

/* Options are not exposed: Python always uses the default allocator. */
%typemap(in, numinputs=0) const triage_calendar_options_t *opts { $1 = NULL; }
%ignore triage_calendar_options;
%ignore triage_calendar_options_init;

/* Scalar out-arguments of this module. */
TRIAGE_OUT_INT(triage_holiday_t, out)
TRIAGE_OUT_INT(int32_t, out)

%include "triage/calendar.h"
