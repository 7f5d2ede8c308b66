/*
 * sim: SWIG declarations for triage/sim.h (included from triage.i after
 * report.i, whose `char **out` typemap it reuses for the writers). The
 * Pythonic face is triage/_sim.py (triage.Scenario, triage.simulate,
 * triage.compare, triage.SimReport).
 *
 * Python reads a run through its CSV and JSON writers; the C getters that
 * hand out borrowed pointers or structs are ignored.
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
%nodefaultctor triage_sim;
struct triage_sim {};
%extend triage_sim {
    ~triage_sim() {
        triage_sim_free($self);
    }
}

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

%include "triage/sim.h"
