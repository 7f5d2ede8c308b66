/*
 * Calendar benchmark: nanoseconds per call of the business-day queries over
 * many varied start dates. Prints one line per measurement.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <triage/triage.h>

#define NSTARTS 4096 /* a power of two */

static volatile int64_t sink;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Start dates spread over 1991..2198 by a simple LCG (fixed seed). */
static void make_starts(triage_date_t *starts)
{
    triage_date_t first = 0, last = 0;
    triage_date_from_ymd(&first, 1991, 1, 1);
    triage_date_from_ymd(&last, 2198, 12, 31);
    uint32_t seed = 2024;
    for (int i = 0; i < NSTARTS; i++) {
        seed = seed * 1664525u + 1013904223u;
        starts[i] = first + (triage_date_t)((seed >> 8) % (uint32_t)(last - first + 1));
    }
}

enum op { ADD_BD, IS_BD, ADD_MONTHS, BETWEEN };

static int64_t run(const triage_calendar_t *cal, const triage_date_t *starts, enum op op,
                   int32_t n, long iters)
{
    int64_t acc = 0;
    for (long i = 0; i < iters; i++) {
        triage_date_t d = starts[i & (NSTARTS - 1)];
        triage_date_t out = 0;
        int b = 0;
        int32_t c = 0;
        switch (op) {
        case ADD_BD:
            triage_calendar_add_business_days(&out, cal, d, n);
            acc += out;
            break;
        case IS_BD:
            triage_calendar_is_business_day(&b, cal, d);
            acc += b;
            break;
        case ADD_MONTHS:
            triage_calendar_add_months(&out, cal, d, n);
            acc += out;
            break;
        case BETWEEN:
            triage_calendar_business_days_between(&c, cal, d, starts[(i + 1) & (NSTARTS - 1)]);
            acc += c;
            break;
        }
    }
    return acc;
}

/* Calibrates the iteration count to about 0.2 s, then measures. */
static void measure(const char *label, const triage_calendar_t *cal, const triage_date_t *starts,
                    enum op op, int32_t n)
{
    long iters = 1 << 16;
    double t0, t1;
    for (;;) {
        t0 = now_ns();
        sink += run(cal, starts, op, n, iters);
        t1 = now_ns();
        if (t1 - t0 >= 2e7 || iters > (1L << 34))
            break;
        iters *= 2;
    }
    iters = (long)((double)iters * 2e8 / (t1 - t0));
    t0 = now_ns();
    sink += run(cal, starts, op, n, iters);
    t1 = now_ns();
    printf("%s: %.1f ns/call (%ld calls)\n", label, (t1 - t0) / (double)iters, iters);
}

int main(void)
{
    triage_calendar_t *cal = NULL;
    double t0 = now_ns();
    if (triage_calendar_new_finland(&cal, NULL) != TRIAGE_OK) {
        fprintf(stderr, "cannot create the calendar\n");
        return 1;
    }
    double t1 = now_ns();
    printf("calendar_new_finland: %.1f us/call\n", (t1 - t0) / 1e3);

    triage_date_t *starts = malloc(NSTARTS * sizeof *starts);
    if (!starts)
        return 1;
    make_starts(starts);

    measure("add_business_days n=7", cal, starts, ADD_BD, 7);
    measure("add_business_days n=250", cal, starts, ADD_BD, 250);
    measure("is_business_day", cal, starts, IS_BD, 0);
    measure("add_months n=3", cal, starts, ADD_MONTHS, 3);
    measure("business_days_between", cal, starts, BETWEEN, 0);

    triage_date_t d = 0;
    triage_date_from_ymd(&d, 2025, 3, 12);
    long reps = 200;
    t0 = now_ns();
    for (long i = 0; i < reps; i++) {
        triage_calendar_add_closure(cal, d);
        triage_calendar_remove_closure(cal, d);
    }
    t1 = now_ns();
    printf("add_closure + remove_closure: %.1f us/pair\n", (t1 - t0) / 1e3 / (double)reps);

    free(starts);
    triage_calendar_free(cal);
    return sink == 42 ? 2 : 0;
}
