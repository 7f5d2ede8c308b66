/* Shared by the fuzz targets that open engines: a fixed clock, one calendar
 * per process, and a walk through every read a caller makes on a loaded
 * engine. */
#ifndef TRIAGE_FUZZ_COMMON_H
#define TRIAGE_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>

#include <triage/triage.h>

/* 2026-11-23 11:00 Finnish time (09:00 UTC). */
#define FUZZ_NOW_MS INT64_C(1795424400000)
#define FUZZ_TODAY 20780 /* its local date */

static inline int64_t fuzz_clock(void *ud)
{
    (void)ud;
    return FUZZ_NOW_MS;
}

/* One calendar for every engine (engines copy it): building Finland's
 * holidays per input would dominate the run time. */
static inline const triage_calendar_t *fuzz_calendar(void)
{
    static triage_calendar_t *calendar;
    if (!calendar && triage_calendar_new_finland(&calendar, NULL) != TRIAGE_OK)
        abort();
    return calendar;
}

static inline triage_engine_options_t fuzz_options(void)
{
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fuzz_clock;
    o.calendar = fuzz_calendar();
    return o;
}

/* One case: the record, its deadline rows, its intakes, a weight and an
 * assignment proposal. */
static inline void fuzz_exercise_case(triage_engine_t *e, const triage_id_t *id)
{
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    triage_case_get(&c, e, id);
    triage_case_deadline_t *dl = NULL;
    size_t count = 0;
    int32_t next;
    if (triage_case_deadlines(&dl, &count, &next, TRIAGE_CASE_DEADLINE_VERSION, e, id,
                              FUZZ_TODAY, 3) == TRIAGE_OK) {
        if (next >= 0 && (size_t)next >= count)
            abort(); /* `next` indexes the rows */
        triage_free(dl);
    }
    triage_id_t *in;
    size_t nin;
    if (triage_case_intakes(&in, &nin, e, id) == TRIAGE_OK) {
        for (size_t k = 0; k < nin; k++) {
            triage_intake_info_t info;
            info.version = TRIAGE_INTAKE_INFO_VERSION;
            triage_intake_get(&info, e, &in[k]);
        }
        triage_free(in);
    }
    double w;
    triage_assign_case_weight(&w, e, id);
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = FUZZ_NOW_MS;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    if (triage_assign_propose(&a, e, id, &req) == TRIAGE_OK)
        triage_assignment_clear(&a);
}

/* Every case (open and closed), client and worker, every event (each kind
 * must have a name: they were validated), the absences, the policies and a
 * report over the events. Failures are fine; crashes are not. */
static inline void fuzz_exercise(triage_engine_t *e)
{
    triage_id_t *ids;
    size_t n;
    if (triage_case_list(&ids, &n, e, NULL) == TRIAGE_OK) {
        for (size_t i = 0; i < n; i++)
            fuzz_exercise_case(e, &ids[i]);
        triage_free(ids);
    }
    if (triage_client_list(&ids, &n, e) == TRIAGE_OK) {
        for (size_t i = 0; i < n; i++) {
            triage_client_t c;
            c.version = TRIAGE_CLIENT_VERSION;
            triage_client_get(&c, e, &ids[i]);
        }
        triage_free(ids);
    }
    if (triage_worker_list(&ids, &n, e) == TRIAGE_OK) {
        for (size_t i = 0; i < n; i++) {
            triage_worker_t w;
            w.version = TRIAGE_WORKER_VERSION;
            if (triage_worker_get(&w, e, &ids[i]) == TRIAGE_OK && w.served_count &&
                !w.served)
                abort();
            int present;
            triage_worker_present(&present, e, &ids[i], FUZZ_TODAY + 25);
            triage_worker_load_t load;
            load.version = TRIAGE_WORKER_LOAD_VERSION;
            triage_worker_load(&load, e, &ids[i]);
        }
        triage_free(ids);
    }
    triage_event_iter_t *it;
    if (triage_event_iter_new(&it, e, NULL) == TRIAGE_OK) {
        triage_event_t ev;
        ev.version = TRIAGE_EVENT_VERSION;
        while (triage_event_iter_next(it, &ev) == TRIAGE_OK)
            if (!triage_event_kind_name(ev.kind))
                abort();
        triage_event_iter_free(it);
    }
    triage_absence_t *abs;
    if (triage_absence_list(&abs, &n, TRIAGE_ABSENCE_VERSION, e, NULL) == TRIAGE_OK)
        triage_free(abs);
    const triage_assign_policy_t *ap;
    triage_engine_assign_policy(&ap, e);
    double d;
    triage_engine_distance(&d, e, 297, 92);
    triage_report_t *r;
    if (triage_report_new(&r, e, FUZZ_NOW_MS - INT64_C(30) * 86400000,
                          FUZZ_NOW_MS + INT64_C(30) * 86400000) == TRIAGE_OK) {
        char *json = NULL;
        if (triage_report_write_json(&json, r) == TRIAGE_OK)
            triage_free(json);
        triage_report_free(r);
    }
}

#endif
