/*
 * Deadline and urgency benchmark: nanoseconds per full deadline computation
 * (triage_deadlines_compute over varied intakes: kinds, ages, flags, dates
 * 1995-2195) and per urgency assessment (varied trigger sets, default and
 * remapped policy). Prints one line per measurement.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <triage/triage.h>

#define NINPUTS 4096 /* a power of two */

static volatile int64_t sink;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint32_t lcg(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

/* Valid, varied intakes: every row of D1-D13 is hit by some of them. */
static void make_inputs(triage_deadline_input_t *in)
{
    triage_date_t first = 0, last = 0;
    triage_date_from_ymd(&first, 1995, 1, 1);
    triage_date_from_ymd(&last, 2195, 12, 31);
    uint32_t seed = 2025;
    for (int i = 0; i < NINPUTS; i++) {
        triage_deadline_input_t x = TRIAGE_DEADLINE_INPUT_INIT;
        x.received = first + (triage_date_t)(lcg(&seed) % (uint32_t)(last - first + 1));
        x.kind = (triage_intake_kind_t)(1 + lcg(&seed) % 6);
        x.service = (triage_service_area_t)(1 + lcg(&seed) % 3);
        if (x.kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION)
            x.service = TRIAGE_SERVICE_FAMILY;
        x.urgency = (triage_urgency_t)(1 + lcg(&seed) % 4);
        x.own_contact = x.kind == TRIAGE_INTAKE_CONTACT;
        if (lcg(&seed) % 2)
            x.age = (int32_t)(lcg(&seed) % 100);
        else
            x.date_of_birth = x.received - (triage_date_t)(lcg(&seed) % 36500);
        x.highest_care_allowance = lcg(&seed) % 8 == 0;
        if (x.service == TRIAGE_SERVICE_FAMILY && lcg(&seed) % 4 == 0) {
            x.child_special_support = 1;
            x.age = (int32_t)(lcg(&seed) % 18);
            x.date_of_birth = TRIAGE_DATE_NONE;
        }
        if (lcg(&seed) % 4 == 0)
            x.service_decision = x.received + (triage_date_t)(lcg(&seed) % 60);
        if (x.kind == TRIAGE_INTAKE_APPLICATION) {
            x.assistance_urgent = lcg(&seed) % 3 == 0;
            x.assistance_complete = lcg(&seed) % 2;
            if (!x.assistance_urgent && !x.assistance_complete && lcg(&seed) % 2)
                x.assistance_completed = x.received + (triage_date_t)(lcg(&seed) % 30);
        }
        if (lcg(&seed) % 5 == 0)
            x.meeting_requested = x.received + (triage_date_t)(lcg(&seed) % 10);
        in[i] = x;
    }
}

int main(void)
{
    triage_calendar_t *cal = NULL;
    triage_urgency_policy_t *policy = NULL;
    triage_deadline_rules_t *rules = NULL;
    if (triage_calendar_new_finland(&cal, NULL) != TRIAGE_OK ||
        triage_urgency_policy_new(&policy, NULL) != TRIAGE_OK ||
        triage_deadline_rules_new(&rules, NULL) != TRIAGE_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    triage_urgency_policy_set_tier(policy, TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE,
                                   TRIAGE_URGENCY_IMMEDIATE);
    triage_deadline_rules_set_limit(rules, TRIAGE_DEADLINE_D8, 10);

    triage_deadline_input_t *in = malloc(NINPUTS * sizeof *in);
    if (!in)
        return 1;
    make_inputs(in);

    /* Check every input is valid, and count the deadlines produced. */
    uint64_t total = 0;
    for (int i = 0; i < NINPUTS; i++) {
        triage_deadline_t out[TRIAGE_DEADLINE_MAX];
        uint32_t n = 0;
        if (triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &n, NULL, NULL, cal, &in[i]) != TRIAGE_OK) {
            fprintf(stderr, "input %d rejected: %s (%s)\n", i, triage_error_last()->message,
                    triage_error_last()->argument);
            return 1;
        }
        total += n;
    }

    const long iters = 2000000;
    for (int variant = 0; variant < 2; variant++) {
        const triage_deadline_rules_t *r = variant ? rules : NULL;
        const triage_urgency_policy_t *p = variant ? policy : NULL;
        int64_t acc = 0;
        double t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            triage_deadline_t out[TRIAGE_DEADLINE_MAX];
            uint32_t n = 0;
            triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &n, r, p, cal, &in[i & (NINPUTS - 1)]);
            acc += n ? out[n - 1].due : 0;
        }
        double t1 = now_ns();
        sink = acc;
        printf("deadlines_compute (%s, %.1f deadlines/intake): %.1f ns/call\n",
               variant ? "custom rules and policy" : "default rules", (double)total / NINPUTS,
               (t1 - t0) / (double)iters);
    }

    /* Urgency: varied trigger sets (about a third empty). */
    uint32_t sets[NINPUTS];
    uint32_t seed = 7;
    for (int i = 0; i < NINPUTS; i++)
        sets[i] = lcg(&seed) % 3 == 0 ? 0 : (lcg(&seed) & TRIAGE_TRIGGER_ALL);
    const long uiters = 20000000;
    for (int variant = 0; variant < 2; variant++) {
        const triage_urgency_policy_t *p = variant ? policy : NULL;
        int64_t acc = 0;
        double t0 = now_ns();
        for (long i = 0; i < uiters; i++) {
            triage_urgency_result_t res;
            triage_urgency_assess(&res, p, sets[i & (NINPUTS - 1)],
                                  (i & 1) ? TRIAGE_URGENCY_PRIORITY : TRIAGE_URGENCY_NORMAL);
            acc += res.tier + res.response_days;
        }
        double t1 = now_ns();
        sink = acc;
        printf("urgency_assess (%s): %.1f ns/call\n", variant ? "remapped policy" : "default policy",
               (t1 - t0) / (double)uiters);
    }

    /* Status of a deadline on a date. */
    {
        int64_t acc = 0;
        double t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            const triage_deadline_input_t *x = &in[i & (NINPUTS - 1)];
            triage_deadline_t dl = {TRIAGE_DEADLINE_D8, TRIAGE_BASIS_SHL_36,
                                    TRIAGE_MILESTONE_ASSESSMENT_STARTED, x->received + 21};
            triage_deadline_state_t s;
            int32_t od = 0;
            triage_deadline_status(&s, &od, cal, &dl, TRIAGE_DATE_NONE,
                                   x->received + (triage_date_t)(i % 40), 2);
            acc += s + od;
        }
        double t1 = now_ns();
        sink = acc;
        printf("deadline_status: %.1f ns/call\n", (t1 - t0) / (double)iters);
    }

    free(in);
    triage_deadline_rules_free(rules);
    triage_urgency_policy_free(policy);
    triage_calendar_free(cal);
    return 0;
}
