/*
 * Report internals: the figures of a report, which report.c computes and
 * report_write.c writes, and the text builders behind the CSV and JSON
 * writers (the unit tests reach these too). Not installed.
 */
#ifndef TRIAGE_REPORT_PRIV_H
#define TRIAGE_REPORT_PRIV_H

#include "base/internal.h"

#define KINDS 7     /* triage_intake_kind_t 1-6, index 0 = all */
#define CHANNELS 8  /* triage_channel_t 1-7 */
#define REASONS 9   /* triage_closing_reason_t 1-8 */
#define BASES 9     /* triage_legal_basis_t 1-8 */
#define QUADRANTS 5 /* triage_quadrant_t 1-4 */
#define ROLES 4     /* triage_role_t 1-3 */
#define WAITS 3     /* triage_report_wait_t 1-2 */

typedef struct {
    uint32_t count;
    double median, p90;
} wait_stat;

struct triage_report {
    triage_allocator_t alloc;
    int64_t from_ms, to_ms;
    triage_date_t first_day, last_day;
    uint32_t intakes[KINDS][CHANNELS]; /* row/column 0: totals */
    uint32_t guidance_left, guidance_resolved;
    uint32_t assess_started, assess_completed, plans, plan_reviews;
    uint32_t closings[REASONS]; /* 0: total */
    triage_report_deadlines_t deadlines[BASES]; /* 0: total */
    wait_stat waits[WAITS];
    uint32_t quadrants[QUADRANTS]; /* 0: total */
    uint32_t no_shows, unreachable; /* failed contacts: two figures (§9) */
    uint32_t over_soft_cap, over_hard_cap; /* assignments above the caps */
    triage_report_workers_t roles[ROLES];
    triage_report_workers_t *workers;
    uint32_t nworkers;
    triage_report_workers_t *teams;
    uint32_t nteams;
    /* balance[role * (nteams + 1) + t]: t = 0 every team, t = i + 1 team row i */
    triage_balance_t *balance;
};

/* The pieces of a report that the simulation's period accumulators
 * (tally.c) share with triage_report_new (report.c). */
/* The worker rows of every worker of the engine, in report order (zero counts). */
triage_status_t triage__report_worker_rows(triage_report_t *r, triage_engine_t *engine);
/* The totals (index 0 of the intakes, closings and deadlines), the role and
 * team rows; once, after every count is in. */
triage_status_t triage__report_totals(triage_report_t *r);
/* Counts one STAGE_CHANGED event: guidance left and resolved there,
 * assessments started and completed, plans, closings by reason. */
void triage__report_count_stage(triage_report_t *r, const triage_event_t *ev);
/* Counts one deadline row due in [first, last] into the report's row of its
 * legal basis by its state (rows of no known basis are not counted). */
void triage__report_count_deadline(triage_report_t *r, const triage_case_deadline_t *row,
                                   triage_date_t first, triage_date_t last);
/* The role and team rows from the worker rows (again: replaces them). */
triage_status_t triage__report_groups(triage_report_t *r);
/* Each worker's load and the balance figures, from the engine's state now. */
triage_status_t triage__report_fill_load(triage_report_t *r, triage_engine_t *engine);
/* The quantile p (Hyndman & Fan type 7, as the report's waits) of `count`
 * values given as a histogram: hist[i] values equal to base + i. count > 0. */
double triage__report_hist_quantile(const uint32_t *hist, size_t n, int32_t base,
                                    uint64_t count, double p);

/* part / whole, NaN when whole is 0 (report.c). */
double triage__report_share_of(uint32_t part, uint32_t whole);

/* A growing NUL-terminated string; `failed` sticks after the first ENOMEM. */
typedef struct {
    const triage_allocator_t *alloc;
    char *buf;
    size_t len, cap;
    int failed;
} triage__sb;

void triage__sb_put(triage__sb *b, const char *s, size_t n);
void triage__sb_puts(triage__sb *b, const char *s);
void triage__sb_free(triage__sb *b);

/* A JSON string literal: quotes, escapes, ASCII only (\uXXXX, surrogate
 * pairs above U+FFFF; invalid UTF-8 becomes U+FFFD). */
void triage__json_string(triage__sb *b, const char *s);

/* One CSV field: quoted (quotes doubled) only when it holds a comma, a quote,
 * CR or LF. */
void triage__csv_field(triage__sb *b, const char *s);

/* A number with at most four decimals, "." as the point, no exponent,
 * trailing zeros dropped ("0.75", "3", "-1.5"); the C locale plays no part.
 * `buf` needs 32 bytes. Returns `buf`. */
char *triage__format_decimal(char buf[32], double v);

#endif
