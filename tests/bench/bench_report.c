/*
 * Report benchmark: the time to compute a period report (triage_report_new)
 * and to write it as CSV and JSON, for an engine of N cases taken through
 * guidance (half closed there, half through distribution, assessment and
 * planning) over a year, with 40 workers in 4 teams. Prints one line per
 * measurement.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <triage/triage.h>

#define DAY_MS INT64_C(86400000)
#define HOUR_MS INT64_C(3600000)

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return INT64_C(20454) * DAY_MS; /* 2026-01-01 */
}

static void check(triage_status_t rc, const char *what)
{
    if (rc != TRIAGE_OK) {
        fprintf(stderr, "bench_report: %s: %s\n", what, triage_error_last()->message);
        exit(1);
    }
}

static triage_engine_t *build(int ncases)
{
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_clock;
    triage_engine_t *e;
    check(triage_engine_new(&e, &o), "engine");
    triage_id_t workers[40];
    for (int i = 0; i < 40; i++) {
        triage_worker_t w = TRIAGE_WORKER_INIT;
        w.role = (triage_role_t)(1 + i % 3);
        w.team = i % 4;
        check(triage_worker_create(&workers[i], e, &w), "worker");
    }
    triage_scores_t s = {{0, 3}, {0}, 0};
    for (int i = 0; i < ncases; i++) {
        triage_client_t c = TRIAGE_CLIENT_INIT;
        triage_id_t cl;
        check(triage_client_create(&cl, e, &c), "client");
        int64_t t = (INT64_C(20454) + (i * 365) / ncases) * DAY_MS + 8 * HOUR_MS;
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = cl;
        in.kind = (triage_intake_kind_t)(1 + i % 2);
        in.channel = (triage_channel_t)(1 + i % 7);
        in.received_ms = t;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        check(triage_intake(&r, e, &in), "intake");
        triage_move_t m = TRIAGE_MOVE_INIT;
        m.at_ms = t + HOUR_MS;
        check(triage_case_move(e, &r.case_id, &m), "guidance");
        check(triage_case_contact_attempt(e, &r.case_id, NULL, t + 2 * HOUR_MS, i % 3 != 0),
              "contact");
        if (i % 2) {
            m.to = TRIAGE_STAGE_CLOSED;
            m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
            check(triage_case_move(e, &r.case_id, &m), "close");
            continue;
        }
        m.to = TRIAGE_STAGE_DISTRIBUTION;
        check(triage_case_move(e, &r.case_id, &m), "distribution");
        check(triage_case_classify(NULL, NULL, e, &r.case_id, NULL, m.at_ms, &s), "classify");
        const triage_id_t *w = &workers[1 + 3 * (i % 13)]; /* a counsellor */
        check(triage_case_set_worker(e, &r.case_id, NULL, m.at_ms, TRIAGE_SLOT_ASSESSMENT, w),
              "assessment worker");
        m.to = TRIAGE_STAGE_ASSESSMENT;
        m.at_ms += DAY_MS;
        check(triage_case_move(e, &r.case_id, &m), "assessment");
        triage_assessment_record_t rec = {TRIAGE_ASSESSMENT_RECORD_VERSION, 1, 1, 1, 1,
                                          TRIAGE_NEED_NATURE_TEMPORARY};
        check(triage_case_record_assessment(e, &r.case_id, NULL, m.at_ms, &rec), "record");
        check(triage_case_set_worker(e, &r.case_id, NULL, m.at_ms, TRIAGE_SLOT_RESPONSIBLE, w),
              "responsible");
        m.to = TRIAGE_STAGE_PLANNING;
        check(triage_case_move(e, &r.case_id, &m), "planning");
    }
    return e;
}

int main(void)
{
    static const int sizes[] = {1000, 10000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        int n = sizes[k];
        triage_engine_t *e = build(n);
        int64_t from = INT64_C(20454) * DAY_MS, to = from + 365 * DAY_MS;
        int reps = n >= 10000 ? 5 : 20;
        triage_report_t *r = NULL;
        double t0 = now_ns();
        for (int i = 0; i < reps; i++) {
            triage_report_free(r);
            check(triage_report_new(&r, e, from, to), "report");
        }
        double t1 = now_ns();
        char *s;
        for (int i = 0; i < reps; i++) {
            check(triage_report_write_json(&s, r), "json");
            triage_free(s);
        }
        double t2 = now_ns();
        for (int i = 0; i < reps; i++) {
            check(triage_report_write_csv(&s, r), "csv");
            triage_free(s);
        }
        double t3 = now_ns();
        printf("report_new cases=%d: %.2f ms/report (%.0f ns/case)\n", n, (t1 - t0) / reps / 1e6,
               (t1 - t0) / reps / n);
        printf("write_json cases=%d: %.1f us/report\n", n, (t2 - t1) / reps / 1e3);
        printf("write_csv cases=%d: %.1f us/report\n", n, (t3 - t2) / reps / 1e3);
        triage_report_free(r);
        triage_engine_free(e);
    }
    return 0;
}
