/* Shared by the fuzz targets that open engines: a fixed clock, and a walk
 * through every read a caller makes on a loaded engine. */
#ifndef TRIAGE_FUZZ_COMMON_H
#define TRIAGE_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>

#include <triage/triage.h>

/* 2026-11-23 10:00 Finnish time. */
static inline int64_t fuzz_clock(void *ud)
{
    (void)ud;
    return INT64_C(1795424400000);
}

/* Every case's deadlines and an assignment proposal, every client and
 * worker, the events (each kind must have a name: they were validated) and
 * the absences. Failures are fine; crashes are not. */
static inline void fuzz_exercise(triage_engine_t *e)
{
    triage_id_t *ids;
    size_t n;
    if (triage_case_list(&ids, &n, e, NULL) == TRIAGE_OK) {
        for (size_t i = 0; i < n; i++) {
            triage_case_t c;
            triage_case_deadline_t dl[TRIAGE_DEADLINE_MAX];
            uint32_t count;
            int32_t next;
            triage_case_get(&c, e, &ids[i]);
            triage_case_deadlines(dl, &count, &next, e, &ids[i], 20790, 3);
            triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
            req.at_ms = fuzz_clock(NULL);
            triage_assignment_t a;
            if (triage_assign_propose(&a, e, &ids[i], &req) == TRIAGE_OK)
                triage_assignment_clear(&a);
        }
        triage_free(ids);
    }
    if (triage_client_list(&ids, &n, e) == TRIAGE_OK) {
        for (size_t i = 0; i < n; i++) {
            triage_client_t c;
            triage_client_get(&c, e, &ids[i]);
        }
        triage_free(ids);
    }
    if (triage_worker_list(&ids, &n, e) == TRIAGE_OK) {
        for (size_t i = 0; i < n; i++) {
            triage_worker_t w;
            int present;
            triage_worker_get(&w, e, &ids[i]);
            triage_worker_present(&present, e, &ids[i], 20805);
        }
        triage_free(ids);
    }
    triage_event_t *evs;
    if (triage_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX) == TRIAGE_OK) {
        for (size_t i = 0; i < n; i++)
            if (!triage_event_kind_name(evs[i].kind))
                abort();
        triage_free(evs);
    }
    triage_absence_t *abs;
    if (triage_absence_list(&abs, &n, e, NULL) == TRIAGE_OK)
        triage_free(abs);
}

#endif
