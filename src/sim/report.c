/*
 * Period reports (DOMAIN.md §9). The figures are computed in one pass over
 * the engine's whole event log (so "the first contact of a case" is known even
 * when it happened before the period) plus one read of every case (received
 * date, channel, deadlines) and worker (role, team). Definitions are in
 * docs/reports.md; keep the two in step.
 *
 * Built on the public engine and assignment APIs; engine_internal.h is used
 * only to reach the engine's allocator, which the report adopts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "sim/report_priv.h"

#define NONE TRIAGE_DATE_NONE
#define KINDS 7     /* triage_intake_kind_t 1-6, index 0 = all */
#define CHANNELS 8  /* triage_channel_t 1-7 */
#define REASONS 9   /* triage_closing_reason_t 1-8 */
#define BASES 8     /* triage_legal_basis_t 1-7 */
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
    uint32_t assess_started, assess_completed, plans;
    uint32_t closings[REASONS]; /* 0: total */
    triage_report_deadlines_t deadlines[BASES]; /* 0: total */
    wait_stat waits[WAITS];
    uint32_t quadrants[QUADRANTS]; /* 0: total */
    uint32_t missed_appointments;
    triage_report_workers_t roles[ROLES];
    triage_report_workers_t *workers;
    uint32_t nworkers;
    triage_report_workers_t *teams;
    uint32_t nteams;
    /* balance[role * (nteams + 1) + t]: t = 0 every team, t = i + 1 team row i */
    triage_balance_t *balance;
};

/* ---- definitions that may change ------------------------------------------ */

/* "Missed appointment": the library has no appointment record yet, so a
 * contact attempt that did not reach the client stands in for one. When an
 * appointment concept lands, change this predicate (and docs/reports.md). */
static int is_missed_appointment(const triage_event_t *ev)
{
    return ev->kind == TRIAGE_EVENT_CONTACT_ATTEMPT && ev->to == 0;
}

/* Closing reasons that count as "resolved at guidance". */
static int resolves_at_guidance(int32_t reason)
{
    return reason == TRIAGE_CLOSE_ADVICE_GIVEN || reason == TRIAGE_CLOSE_REFERRED ||
           reason == TRIAGE_CLOSE_DECLINED || reason == TRIAGE_CLOSE_UNREACHABLE;
}

/* Load and balance figures (DOMAIN.md §7.7), from the assignment module:
 * each worker's normalized load and the balance of every role x team
 * combination. They are the engine's state when the report is made (the
 * engine keeps no history of loads). Runs after summarise(): needs the
 * worker and team rows. */
static triage_status_t fill_load(triage_report_t *r, triage_engine_t *engine)
{
    for (uint32_t i = 0; i < r->nworkers; i++) {
        triage_worker_load_t l;
        triage_status_t rc = triage_worker_load(&l, engine, &r->workers[i].id);
        if (rc)
            return rc;
        r->workers[i].load = l.normalized;
    }
    size_t cols = (size_t)r->nteams + 1;
    r->balance = triage__calloc(&r->alloc, ROLES * cols, sizeof *r->balance);
    if (!r->balance)
        return TRIAGE_ENOMEM;
    for (int role = 0; role < ROLES; role++)
        for (size_t t = 0; t < cols; t++) {
            int32_t team = t ? r->teams[t - 1].team : -1;
            triage_balance_t *x = &r->balance[(size_t)role * cols + t];
            triage_status_t rc = triage_assign_balance(x, engine, (triage_role_t)role, team);
            if (rc)
                return rc;
            if (x->workers == 0) /* nothing to balance: undefined, not zero */
                x->max = x->min = x->mean = x->cv = x->gini = (double)NAN;
        }
    return TRIAGE_OK;
}

/* ---- text builders ------------------------------------------------------------ */

void triage__sb_put(triage__sb *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = triage__realloc(b->alloc, b->buf, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->buf = p;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void triage__sb_puts(triage__sb *b, const char *s)
{
    triage__sb_put(b, s, strlen(s));
}

void triage__sb_free(triage__sb *b)
{
    triage__free(b->alloc, b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}

/* Decodes one UTF-8 sequence at s; returns its length (1 for an invalid
 * byte, with *cp = U+FFFD). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n;
    uint32_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        c &= 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return n;
}

static void put_u_escape(triage__sb *b, uint32_t u)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15],
                 hex[u & 15]};
    triage__sb_put(b, e, sizeof e);
}

void triage__json_string(triage__sb *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    triage__sb_put(b, "\"", 1);
    while (*p) {
        uint32_t c;
        size_t n = utf8_decode(p, &c);
        p += n;
        switch (c) {
        case '"': triage__sb_put(b, "\\\"", 2); continue;
        case '\\': triage__sb_put(b, "\\\\", 2); continue;
        case '\b': triage__sb_put(b, "\\b", 2); continue;
        case '\f': triage__sb_put(b, "\\f", 2); continue;
        case '\n': triage__sb_put(b, "\\n", 2); continue;
        case '\r': triage__sb_put(b, "\\r", 2); continue;
        case '\t': triage__sb_put(b, "\\t", 2); continue;
        default: break;
        }
        if (c < 0x20 || (c >= 0x7F && c < 0x10000)) {
            put_u_escape(b, c);
        } else if (c >= 0x10000) {
            c -= 0x10000;
            put_u_escape(b, 0xD800 + (c >> 10));
            put_u_escape(b, 0xDC00 + (c & 0x3FF));
        } else {
            char ch = (char)c;
            triage__sb_put(b, &ch, 1);
        }
    }
    triage__sb_put(b, "\"", 1);
}

void triage__csv_field(triage__sb *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        triage__sb_puts(b, s);
        return;
    }
    triage__sb_put(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            triage__sb_put(b, "\"", 1);
        triage__sb_put(b, p, 1);
    }
    triage__sb_put(b, "\"", 1);
}

char *triage__format_decimal(char buf[32], double v)
{
    /* Scale to an integer number of 1/10000 and print digits ourselves:
     * printf's %f would follow LC_NUMERIC's decimal point. */
    int neg = v < 0;
    double a = fabs(v);
    if (!isfinite(a) || a > 9.0e14)
        a = 9.0e14; /* figures never get near this; keep the output bounded */
    long long scaled = llround(a * 10000.0);
    long long ip = scaled / 10000, fp = scaled % 10000;
    if (scaled == 0)
        neg = 0;
    int n = snprintf(buf, 32, "%s%lld", neg ? "-" : "", ip);
    if (fp) {
        char frac[5];
        for (int i = 3; i >= 0; i--) {
            frac[i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        int len = 4;
        while (frac[len - 1] == '0')
            len--;
        buf[n++] = '.';
        memcpy(buf + n, frac, (size_t)len);
        n += len;
        buf[n] = '\0';
    }
    return buf;
}

/* ---- computation ------------------------------------------------------------- */

typedef struct {
    triage_case_t c;
    int contacted;   /* a successful contact attempt has been seen */
    uint8_t quadrant; /* latest classification in the period, 0 none */
} case_slot;

typedef struct {
    triage_id_t id;
    uint32_t row;
} worker_index;

static int cmp_case(const void *a, const void *b)
{
    return triage_id_compare(&((const case_slot *)a)->c.id, &((const case_slot *)b)->c.id);
}

static int cmp_worker_index(const void *a, const void *b)
{
    return triage_id_compare(&((const worker_index *)a)->id, &((const worker_index *)b)->id);
}

static int cmp_worker_row(const void *a, const void *b)
{
    const triage_report_workers_t *x = a, *y = b;
    if (x->team != y->team)
        return x->team < y->team ? -1 : 1;
    if (x->role != y->role)
        return x->role < y->role ? -1 : 1;
    return triage_id_compare(&x->id, &y->id);
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    int32_t *v;
    size_t n, cap;
} samples;

static triage_status_t sample_add(const triage_allocator_t *a, samples *s, int32_t v)
{
    triage_status_t rc = triage__grow(a, (void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    if (rc)
        return rc;
    s->v[s->n++] = v;
    return TRIAGE_OK;
}

/* Linear interpolation between order statistics (Hyndman & Fan type 7, the
 * default of R and numpy). `v` sorted, n > 0. */
static double quantile(const int32_t *v, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - (double)lo) * (double)(v[lo + 1] - v[lo]);
}

static void wait_finish(wait_stat *w, samples *s)
{
    w->count = (uint32_t)s->n;
    if (!s->n) {
        w->median = w->p90 = (double)NAN;
        return;
    }
    triage__sort(s->v, s->n, sizeof *s->v, cmp_int32);
    w->median = quantile(s->v, s->n, 0.5);
    w->p90 = quantile(s->v, s->n, 0.9);
}

typedef struct {
    triage_engine_t *e;
    const triage_allocator_t *a;
    triage_report_t *r;
    triage_event_t *events;
    size_t nevents;
    triage_id_t *case_ids;
    size_t ncases;
    case_slot *cases;
    triage_id_t *worker_ids;
    size_t nworkers;
    worker_index *windex;
    samples waits[WAITS];
} build;

static void build_free(build *b)
{
    triage_free(b->events);
    triage_free(b->case_ids);
    triage_free(b->worker_ids);
    triage__free(b->a, b->cases);
    triage__free(b->a, b->windex);
    for (int i = 0; i < WAITS; i++)
        triage__free(b->a, b->waits[i].v);
}

static case_slot *find_case(build *b, const triage_id_t *id)
{
    case_slot key;
    key.c.id = *id;
    return bsearch(&key, b->cases, b->ncases, sizeof *b->cases, cmp_case);
}

static triage_report_workers_t *find_worker(build *b, const triage_id_t *id)
{
    worker_index key = {*id, 0};
    worker_index *w = bsearch(&key, b->windex, b->nworkers, sizeof *b->windex, cmp_worker_index);
    return w ? &b->r->workers[w->row] : NULL;
}

static triage_status_t load_cases(build *b)
{
    triage_status_t rc = triage_case_list(&b->case_ids, &b->ncases, b->e, NULL);
    if (rc)
        return rc;
    if (!b->ncases)
        return TRIAGE_OK;
    b->cases = triage__calloc(b->a, b->ncases, sizeof *b->cases);
    if (!b->cases)
        return TRIAGE_ENOMEM;
    for (size_t i = 0; i < b->ncases; i++)
        if ((rc = triage_case_get(&b->cases[i].c, b->e, &b->case_ids[i])))
            return rc;
    triage__sort(b->cases, b->ncases, sizeof *b->cases, cmp_case);
    return TRIAGE_OK;
}

static triage_status_t load_workers(build *b)
{
    triage_report_t *r = b->r;
    triage_status_t rc = triage_worker_list(&b->worker_ids, &b->nworkers, b->e);
    if (rc)
        return rc;
    if (!b->nworkers)
        return TRIAGE_OK;
    if (b->nworkers > UINT32_MAX)
        return triage__error(TRIAGE_ERANGE, "engine", "too many workers for a report");
    r->workers = triage__calloc(b->a, b->nworkers, sizeof *r->workers);
    b->windex = triage__calloc(b->a, b->nworkers, sizeof *b->windex);
    if (!r->workers || !b->windex)
        return TRIAGE_ENOMEM;
    r->nworkers = (uint32_t)b->nworkers;
    for (size_t i = 0; i < b->nworkers; i++) {
        triage_worker_t w;
        if ((rc = triage_worker_get(&w, b->e, &b->worker_ids[i])))
            return rc;
        r->workers[i].id = w.id;
        r->workers[i].role = (int32_t)w.role;
        r->workers[i].team = w.team;
        r->workers[i].workers = 1;
    }
    triage__sort(r->workers, r->nworkers, sizeof *r->workers, cmp_worker_row);
    for (uint32_t i = 0; i < r->nworkers; i++) {
        b->windex[i].id = r->workers[i].id;
        b->windex[i].row = i;
    }
    triage__sort(b->windex, b->nworkers, sizeof *b->windex, cmp_worker_index);
    return TRIAGE_OK;
}

/* Business days from the intake date to the local date of `at_ms`. */
static triage_status_t add_wait(build *b, int which, const case_slot *cs, int64_t at_ms)
{
    triage_date_t day;
    int32_t days;
    triage_status_t rc = triage_local_time(&day, NULL, at_ms);
    if (!rc)
        rc = triage_calendar_business_days_between(&days, triage_engine_calendar(b->e),
                                                   cs->c.received, day);
    if (!rc)
        rc = sample_add(b->a, &b->waits[which], days);
    return rc;
}

static triage_status_t scan_events(build *b)
{
    triage_report_t *r = b->r;
    for (size_t i = 0; i < b->nevents; i++) {
        const triage_event_t *ev = &b->events[i];
        int in = ev->at_ms >= r->from_ms && ev->at_ms < r->to_ms;
        case_slot *cs = triage_id_is_nil(&ev->case_id) ? NULL : find_case(b, &ev->case_id);
        triage_status_t rc = TRIAGE_OK;
        switch (ev->kind) {
        case TRIAGE_EVENT_INTAKE:
            if (in && cs && ev->reason > 0 && ev->reason < KINDS && cs->c.channel > 0 &&
                (int)cs->c.channel < CHANNELS)
                r->intakes[ev->reason][cs->c.channel]++;
            break;
        case TRIAGE_EVENT_ATTACHED:
            if (in && ev->to > 0 && ev->to < KINDS && ev->reason > 0 && ev->reason < CHANNELS)
                r->intakes[ev->to][ev->reason]++;
            break;
        case TRIAGE_EVENT_STAGE_CHANGED:
            if (!in)
                break;
            if (ev->from == TRIAGE_STAGE_GUIDANCE) {
                r->guidance_left++;
                if (ev->to == TRIAGE_STAGE_CLOSED && resolves_at_guidance(ev->reason))
                    r->guidance_resolved++;
            }
            if (ev->to == TRIAGE_STAGE_ASSESSMENT) {
                r->assess_started++;
                if (cs)
                    rc = add_wait(b, TRIAGE_WAIT_ASSESSMENT_START, cs, ev->at_ms);
            }
            if (ev->from == TRIAGE_STAGE_ASSESSMENT && ev->to != TRIAGE_STAGE_CLOSED)
                r->assess_completed++;
            if (ev->to == TRIAGE_STAGE_PLANNING)
                r->plans++;
            if (ev->to == TRIAGE_STAGE_CLOSED && ev->reason > 0 && ev->reason < REASONS)
                r->closings[ev->reason]++;
            break;
        case TRIAGE_EVENT_CONTACT_ATTEMPT:
            if (in && is_missed_appointment(ev))
                r->missed_appointments++;
            if (ev->to == 1 && cs && !cs->contacted) {
                cs->contacted = 1;
                if (in)
                    rc = add_wait(b, TRIAGE_WAIT_FIRST_CONTACT, cs, ev->at_ms);
            }
            break;
        case TRIAGE_EVENT_CLASSIFIED:
            if (in && cs && ev->to > 0 && ev->to < QUADRANTS)
                cs->quadrant = (uint8_t)ev->to;
            break;
        case TRIAGE_EVENT_WORKER_ASSIGNED:
            if (in && !triage_id_is_nil(&ev->to_id)) {
                triage_report_workers_t *w = find_worker(b, &ev->to_id);
                if (!w)
                    break;
                if (ev->reason == TRIAGE_SLOT_ASSESSMENT)
                    w->assessment++;
                else if (ev->reason == TRIAGE_SLOT_RESPONSIBLE)
                    w->responsible++;
                else if (ev->reason == TRIAGE_SLOT_PAIR)
                    w->pair++;
            }
            break;
        default:
            break;
        }
        if (rc)
            return rc;
    }
    return TRIAGE_OK;
}

/* Deadlines due inside the period, judged on its last day from the case
 * snapshot (deadlines and the dates their milestones were met). A milestone
 * met after the period counts as not met yet, so the report of a past period
 * does not change when later work is recorded. */
static triage_status_t scan_deadlines(build *b)
{
    triage_report_t *r = b->r;
    const triage_calendar_t *cal = triage_engine_calendar(b->e);
    for (size_t i = 0; i < b->ncases; i++) {
        const triage_case_t *c = &b->cases[i].c;
        uint32_t n = c->deadline_count < TRIAGE_DEADLINE_MAX ? c->deadline_count
                                                              : TRIAGE_DEADLINE_MAX;
        for (uint32_t k = 0; k < n; k++) {
            const triage_deadline_t *d = &c->deadlines[k];
            if (d->due < r->first_day || d->due > r->last_day)
                continue;
            if ((int)d->basis <= 0 || (int)d->basis >= BASES)
                continue;
            triage_date_t met = NONE;
            if ((unsigned)d->milestone < TRIAGE__ARRAY_LEN(c->milestone_met))
                met = c->milestone_met[d->milestone];
            if (met != NONE && met > r->last_day)
                met = NONE;
            triage_deadline_state_t st;
            triage_status_t rc = triage_deadline_status(&st, NULL, cal, d, met, r->last_day, 0);
            if (rc)
                return rc;
            triage_report_deadlines_t *o = &r->deadlines[d->basis];
            /* Closed by the period's end without the milestone: no longer
             * owed when it closed in time, else missed (as in
             * triage_case_deadlines()). */
            if (met == NONE && c->closed != NONE && c->closed <= r->last_day)
                st = c->closed <= d->due ? TRIAGE_DEADLINE_CANCELLED : TRIAGE_DEADLINE_MISSED;
            if (st == TRIAGE_DEADLINE_CANCELLED)
                o->cancelled++;
            else if (st == TRIAGE_DEADLINE_MET)
                o->met++;
            else if (st == TRIAGE_DEADLINE_MISSED || st == TRIAGE_DEADLINE_MET_LATE)
                o->missed++;
            else
                o->open++;
        }
    }
    return TRIAGE_OK;
}

static triage_status_t summarise(build *b)
{
    triage_report_t *r = b->r;
    for (int k = 1; k < KINDS; k++)
        for (int c = 1; c < CHANNELS; c++) {
            r->intakes[k][0] += r->intakes[k][c];
            r->intakes[0][c] += r->intakes[k][c];
            r->intakes[0][0] += r->intakes[k][c];
        }
    for (int i = 1; i < REASONS; i++)
        r->closings[0] += r->closings[i];
    for (int i = 1; i < BASES; i++) {
        r->deadlines[0].met += r->deadlines[i].met;
        r->deadlines[0].missed += r->deadlines[i].missed;
        r->deadlines[0].open += r->deadlines[i].open;
        r->deadlines[0].cancelled += r->deadlines[i].cancelled;
    }
    for (size_t i = 0; i < b->ncases; i++)
        if (b->cases[i].quadrant) {
            r->quadrants[b->cases[i].quadrant]++;
            r->quadrants[0]++;
        }
    for (int w = 1; w < WAITS; w++)
        wait_finish(&r->waits[w], &b->waits[w]);
    for (int role = 1; role < ROLES; role++) {
        r->roles[role].role = role;
        r->roles[role].team = -1;
    }
    uint32_t nteams = 0;
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const triage_report_workers_t *w = &r->workers[i];
        if ((unsigned)w->role - 1u < 3u) {
            triage_report_workers_t *g = &r->roles[w->role];
            g->workers++;
            g->assessment += w->assessment;
            g->responsible += w->responsible;
            g->pair += w->pair;
        }
        nteams += i == 0 || w->team != r->workers[i - 1].team;
    }
    if (nteams) {
        r->teams = triage__calloc(b->a, nteams, sizeof *r->teams);
        if (!r->teams)
            return TRIAGE_ENOMEM;
        r->nteams = nteams;
        uint32_t t = 0;
        for (uint32_t i = 0; i < r->nworkers; i++) {
            const triage_report_workers_t *w = &r->workers[i];
            if (i && w->team != r->workers[i - 1].team)
                t++;
            triage_report_workers_t *g = &r->teams[t];
            g->team = w->team;
            g->workers++;
            g->assessment += w->assessment;
            g->responsible += w->responsible;
            g->pair += w->pair;
        }
    }
    return TRIAGE_OK;
}

TRIAGE_API void triage_report_free(triage_report_t *report)
{
    if (!report)
        return;
    triage_allocator_t a = report->alloc;
    triage__free(&a, report->workers);
    triage__free(&a, report->teams);
    triage__free(&a, report->balance);
    triage__free(&a, report);
}

TRIAGE_API triage_status_t triage_report_new(triage_report_t **out, triage_engine_t *engine,
                                             int64_t from_ms, int64_t to_ms)
{
    if (!out)
        return triage__error_null("out");
    if (!engine)
        return triage__error_null("engine");
    if (to_ms <= from_ms)
        return triage__error(TRIAGE_EINVAL, "to_ms", "the period must end after it starts");
    triage_date_t first, last;
    int bd;
    const triage_calendar_t *cal = triage_engine_calendar(engine);
    if (triage_local_time(&first, NULL, from_ms) ||
        triage_calendar_is_business_day(&bd, cal, first))
        return triage__error(TRIAGE_ERANGE, "from_ms", "the period starts outside the calendar");
    if (triage_local_time(&last, NULL, to_ms - 1) ||
        triage_calendar_is_business_day(&bd, cal, last))
        return triage__error(TRIAGE_ERANGE, "to_ms", "the period ends outside the calendar");

    build b;
    memset(&b, 0, sizeof b);
    b.e = engine;
    b.a = &engine->alloc;
    b.r = triage__calloc(b.a, 1, sizeof *b.r);
    if (!b.r)
        return TRIAGE_ENOMEM;
    b.r->alloc = engine->alloc;
    b.r->from_ms = from_ms;
    b.r->to_ms = to_ms;
    b.r->first_day = first;
    b.r->last_day = last;

    triage_status_t rc = triage_event_list(&b.events, &b.nevents, engine, NULL, INT64_MIN,
                                           INT64_MAX);
    if (!rc)
        rc = load_cases(&b);
    if (!rc)
        rc = load_workers(&b);
    if (!rc)
        rc = scan_events(&b);
    if (!rc)
        rc = scan_deadlines(&b);
    if (!rc)
        rc = summarise(&b);
    if (!rc)
        rc = fill_load(b.r, engine);
    build_free(&b);
    if (rc) {
        triage_report_free(b.r);
        return rc;
    }
    *out = b.r;
    return TRIAGE_OK;
}

/* ---- getters -------------------------------------------------------------------- */

TRIAGE_API triage_status_t triage_report_period(int64_t *from_ms, int64_t *to_ms,
                                                triage_date_t *first_day, triage_date_t *last_day,
                                                const triage_report_t *r)
{
    if (!r)
        return triage__error_null("report");
    if (from_ms)
        *from_ms = r->from_ms;
    if (to_ms)
        *to_ms = r->to_ms;
    if (first_day)
        *first_day = r->first_day;
    if (last_day)
        *last_day = r->last_day;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_intakes(uint32_t *out, const triage_report_t *r,
                                                 triage_intake_kind_t kind,
                                                 triage_channel_t channel)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    if ((unsigned)kind >= KINDS)
        return triage__error(TRIAGE_EINVAL, "kind", "unknown intake kind");
    if ((unsigned)channel >= CHANNELS)
        return triage__error(TRIAGE_EINVAL, "channel", "unknown channel");
    *out = r->intakes[kind][channel];
    return TRIAGE_OK;
}

static double share_of(uint32_t part, uint32_t whole)
{
    return whole ? (double)part / (double)whole : (double)NAN;
}

TRIAGE_API triage_status_t triage_report_guidance(uint32_t *resolved, uint32_t *left,
                                                  double *share, const triage_report_t *r)
{
    if (!r)
        return triage__error_null("report");
    if (resolved)
        *resolved = r->guidance_resolved;
    if (left)
        *left = r->guidance_left;
    if (share)
        *share = share_of(r->guidance_resolved, r->guidance_left);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_assessments(uint32_t *started, uint32_t *completed,
                                                     const triage_report_t *r)
{
    if (!r)
        return triage__error_null("report");
    if (started)
        *started = r->assess_started;
    if (completed)
        *completed = r->assess_completed;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_plans(uint32_t *out, const triage_report_t *r)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    *out = r->plans;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_closings(uint32_t *out, const triage_report_t *r,
                                                  triage_closing_reason_t reason)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    if ((unsigned)reason >= REASONS)
        return triage__error(TRIAGE_EINVAL, "reason", "unknown closing reason");
    *out = r->closings[reason];
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_deadlines(triage_report_deadlines_t *out,
                                                   const triage_report_t *r,
                                                   triage_legal_basis_t basis)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    if ((unsigned)basis >= BASES)
        return triage__error(TRIAGE_EINVAL, "basis", "unknown legal basis");
    *out = r->deadlines[basis];
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_waiting(uint32_t *count, double *median, double *p90,
                                                 const triage_report_t *r,
                                                 triage_report_wait_t which)
{
    if (!r)
        return triage__error_null("report");
    if ((unsigned)which - 1u >= WAITS - 1u)
        return triage__error(TRIAGE_EINVAL, "which", "unknown waiting time");
    const wait_stat *w = &r->waits[which];
    if (count)
        *count = w->count;
    if (median)
        *median = w->median;
    if (p90)
        *p90 = w->p90;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_quadrants(uint32_t *out, const triage_report_t *r,
                                                   triage_quadrant_t quadrant)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    if ((unsigned)quadrant >= QUADRANTS)
        return triage__error(TRIAGE_EINVAL, "quadrant", "unknown quadrant");
    *out = r->quadrants[quadrant];
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_missed_appointments(uint32_t *out,
                                                             const triage_report_t *r)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    *out = r->missed_appointments;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_worker_count(uint32_t *count, const triage_report_t *r)
{
    if (!count)
        return triage__error_null("count");
    if (!r)
        return triage__error_null("report");
    *count = r->nworkers;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_worker(triage_report_workers_t *out,
                                                const triage_report_t *r, uint32_t index)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    if (index >= r->nworkers)
        return triage__error(TRIAGE_ERANGE, "index", "no worker row with that index");
    *out = r->workers[index];
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_role(triage_report_workers_t *out,
                                              const triage_report_t *r, triage_role_t role)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    if ((unsigned)role - 1u >= ROLES - 1u)
        return triage__error(TRIAGE_EINVAL, "role", "unknown role");
    *out = r->roles[role];
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_team_count(uint32_t *count, const triage_report_t *r)
{
    if (!count)
        return triage__error_null("count");
    if (!r)
        return triage__error_null("report");
    *count = r->nteams;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_team(triage_report_workers_t *out,
                                              const triage_report_t *r, uint32_t index)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    if (index >= r->nteams)
        return triage__error(TRIAGE_ERANGE, "index", "no team row with that index");
    *out = r->teams[index];
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_balance(triage_balance_t *out,
                                                 const triage_report_t *r, triage_role_t role,
                                                 int32_t team)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    if ((unsigned)role >= ROLES)
        return triage__error(TRIAGE_EINVAL, "role", "unknown role");
    size_t t = 0;
    if (team != -1) {
        while (t < r->nteams && r->teams[t].team != team)
            t++;
        if (t == r->nteams)
            return triage__error(TRIAGE_EINVAL, "team", "no such team in the report");
        t++;
    }
    *out = r->balance[(size_t)role * (r->nteams + 1u) + t];
    return TRIAGE_OK;
}

/* ---- writers ---------------------------------------------------------------------- */

static const char *uint_text(char buf[24], uint64_t v)
{
    snprintf(buf, 24, "%llu", (unsigned long long)v);
    return buf;
}

static const char *int_text(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

static const char *date_text(char buf[TRIAGE_DATE_STRLEN], triage_date_t d)
{
    if (triage_date_format(buf, TRIAGE_DATE_STRLEN, d))
        buf[0] = '\0';
    return buf;
}

static triage_status_t finish(char **out, triage__sb *b)
{
    if (!b->failed && !b->buf)
        triage__sb_put(b, "", 0);
    char *s = b->failed ? NULL : triage__owned_alloc(b->alloc, b->len + 1);
    if (s)
        memcpy(s, b->buf, b->len + 1);
    triage__sb_free(b);
    if (!s)
        return triage__error(TRIAGE_ENOMEM, "out", "out of memory");
    *out = s;
    return TRIAGE_OK;
}

static const char *const WORKER_FIELDS[] = {"workers", "assessment", "responsible", "pair"};

static uint32_t worker_field(const triage_report_workers_t *w, int i)
{
    switch (i) {
    case 0: return w->workers;
    case 1: return w->assessment;
    case 2: return w->responsible;
    default: return w->pair;
    }
}

/* CSV: section,group,key,value. */
static void csv_row(triage__sb *b, const char *section, const char *group, const char *key,
                    const char *value)
{
    triage__csv_field(b, section);
    triage__sb_put(b, ",", 1);
    triage__csv_field(b, group);
    triage__sb_put(b, ",", 1);
    triage__csv_field(b, key);
    triage__sb_put(b, ",", 1);
    triage__csv_field(b, value);
    triage__sb_put(b, "\n", 1);
}

static void csv_u(triage__sb *b, const char *section, const char *group, const char *key,
                  uint32_t v)
{
    char t[24];
    csv_row(b, section, group, key, uint_text(t, v));
}

static void csv_d(triage__sb *b, const char *section, const char *group, const char *key,
                  double v)
{
    char t[32];
    csv_row(b, section, group, key, isnan(v) ? "" : triage__format_decimal(t, v));
}

static void csv_balance(triage__sb *b, const char *section, const char *group,
                        const triage_balance_t *x)
{
    csv_u(b, section, group, "workers", (uint32_t)x->workers);
    csv_d(b, section, group, "max", x->max);
    csv_d(b, section, group, "min", x->min);
    csv_d(b, section, group, "mean", x->mean);
    csv_d(b, section, group, "cv", x->cv);
    csv_d(b, section, group, "gini", x->gini);
}

static const char *kind_key(int k)
{
    return k ? triage_intake_kind_name((triage_intake_kind_t)k) : "all";
}

static const char *channel_key(int c)
{
    return c ? triage_channel_name((triage_channel_t)c) : "all";
}

static const char *wait_key(int w)
{
    return w == TRIAGE_WAIT_FIRST_CONTACT ? "first_contact" : "assessment_start";
}

TRIAGE_API triage_status_t triage_report_write_csv(char **out, const triage_report_t *r)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    triage__sb b = {&r->alloc, NULL, 0, 0, 0};
    char t[32], d[TRIAGE_DATE_STRLEN];
    csv_row(&b, "section", "group", "key", "value");
    csv_row(&b, "period", "", "from_ms", int_text(t, r->from_ms));
    csv_row(&b, "period", "", "to_ms", int_text(t, r->to_ms));
    csv_row(&b, "period", "", "first_day", date_text(d, r->first_day));
    csv_row(&b, "period", "", "last_day", date_text(d, r->last_day));
    for (int k = 0; k < KINDS; k++)
        for (int c = 0; c < CHANNELS; c++)
            csv_u(&b, "intakes", kind_key(k), channel_key(c), r->intakes[k][c]);
    csv_u(&b, "guidance", "", "left", r->guidance_left);
    csv_u(&b, "guidance", "", "resolved", r->guidance_resolved);
    csv_d(&b, "guidance", "", "share", share_of(r->guidance_resolved, r->guidance_left));
    csv_u(&b, "assessments", "", "started", r->assess_started);
    csv_u(&b, "assessments", "", "completed", r->assess_completed);
    csv_u(&b, "plans", "", "made", r->plans);
    for (int i = 0; i < REASONS; i++)
        csv_u(&b, "closings", "",
              i ? triage_closing_reason_name((triage_closing_reason_t)i) : "all", r->closings[i]);
    for (int i = 0; i < BASES; i++) {
        const char *g = i ? triage_legal_basis_name((triage_legal_basis_t)i) : "all";
        csv_u(&b, "deadlines", g, "met", r->deadlines[i].met);
        csv_u(&b, "deadlines", g, "missed", r->deadlines[i].missed);
        csv_u(&b, "deadlines", g, "open", r->deadlines[i].open);
        csv_u(&b, "deadlines", g, "cancelled", r->deadlines[i].cancelled);
    }
    for (int w = 1; w < WAITS; w++) {
        csv_u(&b, "waiting_days", wait_key(w), "count", r->waits[w].count);
        csv_d(&b, "waiting_days", wait_key(w), "median", r->waits[w].median);
        csv_d(&b, "waiting_days", wait_key(w), "p90", r->waits[w].p90);
    }
    for (int q = 0; q < QUADRANTS; q++)
        csv_u(&b, "quadrants", "", q ? triage_quadrant_name((triage_quadrant_t)q) : "all",
              r->quadrants[q]);
    csv_u(&b, "missed_appointments", "", "all", r->missed_appointments);
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const triage_report_workers_t *w = &r->workers[i];
        char id[TRIAGE_ID_STRLEN];
        triage_id_format(id, sizeof id, &w->id);
        const char *role = triage_role_name((triage_role_t)w->role);
        csv_row(&b, "worker", id, "role", role ? role : "");
        csv_row(&b, "worker", id, "team", int_text(t, w->team));
        for (int f = 1; f < 4; f++)
            csv_u(&b, "worker", id, WORKER_FIELDS[f], worker_field(w, f));
        csv_d(&b, "worker", id, "load", w->load);
    }
    for (int role = 1; role < ROLES; role++)
        for (int f = 0; f < 4; f++)
            csv_u(&b, "role", triage_role_name((triage_role_t)role), WORKER_FIELDS[f],
                  worker_field(&r->roles[role], f));
    for (uint32_t i = 0; i < r->nteams; i++) {
        char team[24];
        int_text(team, r->teams[i].team);
        for (int f = 0; f < 4; f++)
            csv_u(&b, "team", team, WORKER_FIELDS[f], worker_field(&r->teams[i], f));
    }
    size_t cols = (size_t)r->nteams + 1;
    for (int role = 0; role < ROLES; role++)
        csv_balance(&b, "balance_role", role ? triage_role_name((triage_role_t)role) : "all",
                    &r->balance[(size_t)role * cols]);
    for (uint32_t i = 0; i < r->nteams; i++) {
        char team[24];
        csv_balance(&b, "balance_team", int_text(team, r->teams[i].team), &r->balance[i + 1]);
    }
    return finish(out, &b);
}

/* JSON: a small pretty-printing writer (two-space indent, one member per
 * line) that places commas itself. */
typedef struct {
    triage__sb *b;
    int depth;
    int empty[8]; /* per level: no member written yet */
} jw;

static void jw_indent(jw *w)
{
    triage__sb_put(w->b, "\n", 1);
    for (int i = 0; i < w->depth; i++)
        triage__sb_put(w->b, "  ", 2);
}

/* Starts a value: the comma and the line break before an object member
 * (key given) or an array element (key NULL). */
static void jw_item(jw *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->empty[w->depth])
            triage__sb_put(w->b, ",", 1);
        w->empty[w->depth] = 0;
        jw_indent(w);
    }
    if (key) {
        triage__json_string(w->b, key);
        triage__sb_put(w->b, ": ", 2);
    }
}

static void jw_open(jw *w, const char *key, char bracket)
{
    jw_item(w, key);
    triage__sb_put(w->b, &bracket, 1);
    w->depth++;
    w->empty[w->depth] = 1;
}

static void jw_close(jw *w, char bracket)
{
    int was_empty = w->empty[w->depth];
    w->depth--;
    if (!was_empty)
        jw_indent(w);
    triage__sb_put(w->b, &bracket, 1);
}

static void jw_raw(jw *w, const char *key, const char *text)
{
    jw_item(w, key);
    triage__sb_puts(w->b, text);
}

static void jw_u(jw *w, const char *key, uint32_t v)
{
    char t[24];
    jw_raw(w, key, uint_text(t, v));
}

static void jw_i(jw *w, const char *key, int64_t v)
{
    char t[24];
    jw_raw(w, key, int_text(t, v));
}

static void jw_d(jw *w, const char *key, double v)
{
    char t[32];
    jw_raw(w, key, isnan(v) ? "null" : triage__format_decimal(t, v));
}

static void jw_s(jw *w, const char *key, const char *s)
{
    jw_item(w, key);
    triage__json_string(w->b, s);
}

static void jw_group(jw *w, const char *key, const triage_report_workers_t *g)
{
    for (int f = 0; f < 4; f++)
        jw_u(w, WORKER_FIELDS[f], worker_field(g, f));
    (void)key;
}

static void jw_balance(jw *w, const triage_balance_t *x)
{
    jw_i(w, "workers", x->workers);
    jw_d(w, "max", x->max);
    jw_d(w, "min", x->min);
    jw_d(w, "mean", x->mean);
    jw_d(w, "cv", x->cv);
    jw_d(w, "gini", x->gini);
}

TRIAGE_API triage_status_t triage_report_write_json(char **out, const triage_report_t *r)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    triage__sb b = {&r->alloc, NULL, 0, 0, 0};
    jw w;
    memset(&w, 0, sizeof w);
    w.b = &b;
    char d[TRIAGE_DATE_STRLEN];
    jw_open(&w, NULL, '{');
    jw_s(&w, "format", "libtriage-report");
    jw_u(&w, "format_version", 1);
    jw_open(&w, "period", '{');
    jw_i(&w, "from_ms", r->from_ms);
    jw_i(&w, "to_ms", r->to_ms);
    jw_s(&w, "first_day", date_text(d, r->first_day));
    jw_s(&w, "last_day", date_text(d, r->last_day));
    jw_close(&w, '}');

    jw_open(&w, "intakes", '{');
    jw_u(&w, "total", r->intakes[0][0]);
    jw_open(&w, "by_kind", '{');
    for (int k = 1; k < KINDS; k++)
        jw_u(&w, kind_key(k), r->intakes[k][0]);
    jw_close(&w, '}');
    jw_open(&w, "by_channel", '{');
    for (int c = 1; c < CHANNELS; c++)
        jw_u(&w, channel_key(c), r->intakes[0][c]);
    jw_close(&w, '}');
    jw_open(&w, "by_kind_and_channel", '{');
    for (int k = 1; k < KINDS; k++) {
        jw_open(&w, kind_key(k), '{');
        for (int c = 1; c < CHANNELS; c++)
            jw_u(&w, channel_key(c), r->intakes[k][c]);
        jw_close(&w, '}');
    }
    jw_close(&w, '}');
    jw_close(&w, '}');

    jw_open(&w, "guidance", '{');
    jw_u(&w, "left", r->guidance_left);
    jw_u(&w, "resolved", r->guidance_resolved);
    jw_d(&w, "share", share_of(r->guidance_resolved, r->guidance_left));
    jw_close(&w, '}');
    jw_open(&w, "assessments", '{');
    jw_u(&w, "started", r->assess_started);
    jw_u(&w, "completed", r->assess_completed);
    jw_close(&w, '}');
    jw_u(&w, "plans", r->plans);

    jw_open(&w, "closings", '{');
    jw_u(&w, "total", r->closings[0]);
    jw_open(&w, "by_reason", '{');
    for (int i = 1; i < REASONS; i++)
        jw_u(&w, triage_closing_reason_name((triage_closing_reason_t)i), r->closings[i]);
    jw_close(&w, '}');
    jw_close(&w, '}');

    jw_open(&w, "deadlines", '[');
    for (int i = 1; i < BASES; i++) {
        jw_open(&w, NULL, '{');
        jw_s(&w, "basis", triage_legal_basis_name((triage_legal_basis_t)i));
        jw_u(&w, "met", r->deadlines[i].met);
        jw_u(&w, "missed", r->deadlines[i].missed);
        jw_u(&w, "open", r->deadlines[i].open);
        jw_u(&w, "cancelled", r->deadlines[i].cancelled);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    jw_open(&w, "waiting_days", '{');
    for (int i = 1; i < WAITS; i++) {
        jw_open(&w, wait_key(i), '{');
        jw_u(&w, "count", r->waits[i].count);
        jw_d(&w, "median", r->waits[i].median);
        jw_d(&w, "p90", r->waits[i].p90);
        jw_close(&w, '}');
    }
    jw_close(&w, '}');

    jw_open(&w, "quadrants", '{');
    for (int q = 1; q < QUADRANTS; q++)
        jw_u(&w, triage_quadrant_name((triage_quadrant_t)q), r->quadrants[q]);
    jw_close(&w, '}');
    jw_u(&w, "missed_appointments", r->missed_appointments);

    jw_open(&w, "workers", '[');
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const triage_report_workers_t *x = &r->workers[i];
        char id[TRIAGE_ID_STRLEN];
        triage_id_format(id, sizeof id, &x->id);
        const char *role = triage_role_name((triage_role_t)x->role);
        jw_open(&w, NULL, '{');
        jw_s(&w, "id", id);
        jw_s(&w, "role", role ? role : "");
        jw_i(&w, "team", x->team);
        for (int f = 1; f < 4; f++)
            jw_u(&w, WORKER_FIELDS[f], worker_field(x, f));
        jw_d(&w, "load", x->load);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "roles", '[');
    for (int role = 1; role < ROLES; role++) {
        jw_open(&w, NULL, '{');
        jw_s(&w, "role", triage_role_name((triage_role_t)role));
        jw_group(&w, NULL, &r->roles[role]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "teams", '[');
    for (uint32_t i = 0; i < r->nteams; i++) {
        jw_open(&w, NULL, '{');
        jw_i(&w, "team", r->teams[i].team);
        jw_group(&w, NULL, &r->teams[i]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    size_t cols = (size_t)r->nteams + 1;
    jw_open(&w, "balance", '{');
    jw_open(&w, "all", '{');
    jw_balance(&w, &r->balance[0]);
    jw_close(&w, '}');
    jw_open(&w, "by_role", '[');
    for (int role = 1; role < ROLES; role++) {
        jw_open(&w, NULL, '{');
        jw_s(&w, "role", triage_role_name((triage_role_t)role));
        jw_balance(&w, &r->balance[(size_t)role * cols]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "by_team", '[');
    for (uint32_t i = 0; i < r->nteams; i++) {
        jw_open(&w, NULL, '{');
        jw_i(&w, "team", r->teams[i].team);
        jw_balance(&w, &r->balance[i + 1]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_close(&w, '}');
    jw_close(&w, '}');
    triage__sb_put(&b, "\n", 1);
    return finish(out, &b);
}
