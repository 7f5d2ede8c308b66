/*
 * report: SWIG declarations for triage/report.h (included from triage.i after
 * engine.i, whose `triage_engine_t *engine` typemap it reuses). The Pythonic
 * face is triage/_report.py (triage.Report, made by Engine.report()).
 *
 * Python reads a report through its JSON and CSV writers (Report.to_dict()
 * parses the JSON with the json module), so only the constructor, the
 * destructor and the two writers are wrapped; the C getters are ignored.
 * A report holds no reference to its engine: they may be freed in any order.
 */

/* The report handle: an owned proxy whose destructor frees the report. */
%typemap(in, numinputs=0) triage_report_t **out (triage_report_t *tmp = NULL) { $1 = &tmp; }
%typemap(argout) triage_report_t **out {
    $result = SWIG_Python_AppendOutput($result,
        SWIG_NewPointerObj(*$1, SWIGTYPE_p_triage_report, SWIG_POINTER_OWN));
}

/* Owned text from the writers: a str, the C string freed here. */
%typemap(in, numinputs=0) char **out (char *tmp = NULL) { $1 = &tmp; }
%typemap(argout) char **out {
    $result = SWIG_Python_AppendOutput($result, PyUnicode_FromString(*$1));
}
%typemap(freearg) char **out {
    triage_free(*$1);
}

%nodefaultctor triage_report;
struct triage_report {};
%extend triage_report {
    ~triage_report() {
        triage_report_free($self);
    }
}

%ignore triage_report_free;
%ignore triage_report_period;
%ignore triage_report_intakes;
%ignore triage_report_guidance;
%ignore triage_report_assessments;
%ignore triage_report_plans;
%ignore triage_report_closings;
%ignore triage_report_deadlines;
%ignore triage_report_waiting;
%ignore triage_report_quadrants;
%ignore triage_report_failed_contacts;
%ignore triage_report_plan_reviews;
%ignore triage_report_over_cap;
%ignore triage_report_worker_count;
%ignore triage_report_worker;
%ignore triage_report_role;
%ignore triage_report_team_count;
%ignore triage_report_team;
%ignore triage_report_balance;
%ignore triage_report_workers;
%ignore triage_report_wait;

%include "triage/report.h"
