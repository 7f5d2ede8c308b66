/*
 * The engine's public API before and after record schema 2 (issue 12: the
 * served list without a limit, versioned output structs, the event
 * iterator instead of triage_event_list), so that the simulator and the
 * social report build on either until this branch is merged with the
 * engine rework. After the merge, keep the second halves and delete this
 * file's SIM_SCHEMA1 branches.
 */
#ifndef TRIAGE_SIM_ENGINE_COMPAT_H
#define TRIAGE_SIM_ENGINE_COMPAT_H

#include "triage/assign.h"
#include "triage/engine.h"

#ifdef TRIAGE_WORKER_MAX_SERVED
#define SIM_SCHEMA1 1 /* the 0.1 API: served[16], unversioned outputs, triage_event_list */
#endif

/* Sets the version of an output struct the engine fills (schema 2 writes
 * only the bytes of that version; 0.1 overwrites the whole struct). */
#ifdef SIM_SCHEMA1
#define SIM_OUT_VERSION(s, v) ((void)0)
#else
#define SIM_OUT_VERSION(s, v) ((s).version = (v))
#endif

#endif
