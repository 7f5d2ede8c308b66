/*
 * Social reporting (triage/social.h; docs/simulation.md, "Social
 * reporting"): phenomena by municipality and period, built from an engine
 * through its public calls only (its events, triage_case_get,
 * triage_client_get) and the social reports workers filed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/internal.h"
#include "triage/social.h"

/* The figures of one municipality in one period, by slot. */
enum {
    SLOT_CASES = 0,
    SLOT_QUADRANT = 1,   /* + quadrant - 1: 1-4 */
    SLOT_SPECIAL = 5,
    SLOT_NEED = 6,       /* + area: 6-15 */
    SLOT_BARRIER = 16,   /* + barrier: 16-23 */
    SLOT_REPORTS = 24,
    SLOT_RNEED = 25,     /* + area: 25-34 */
    SLOT_RBARRIER = 35,  /* + barrier: 35-42 */
    NSLOTS = 43
};

#define NAME_MAX_ 48

struct triage_social {
    triage_allocator_t alloc;
    uint32_t nperiods;
    int64_t *bounds;         /* nperiods + 1 */
    uint32_t nmunis;
    int32_t *munis;          /* ascending codes */
    char (*names)[NAME_MAX_];/* per municipality, "" when unnamed */
    uint32_t *counts;        /* [period][municipality + 1][slot]; municipality 0 = all */
};

static uint32_t *cell(const triage_social_t *s, uint32_t period, uint32_t m1)
{
    return s->counts + ((size_t)period * (s->nmunis + 1) + m1) * NSLOTS;
}

/* The period of a time, or -1. */
static int32_t period_of(const int64_t *bounds, uint32_t nperiods, int64_t t)
{
    if (t < bounds[0] || t >= bounds[nperiods])
        return -1;
    uint32_t lo = 0, hi = nperiods; /* bounds[lo] <= t < bounds[hi] */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (bounds[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return (int32_t)lo;
}

/* A case classified in a period, with the quadrant of its latest
 * classification there. */
typedef struct {
    triage_id_t id;
    int32_t period;
    int32_t quadrant;
    int64_t seq;
} classified;

static int classified_cmp(const void *a, const void *b)
{
    const classified *x = a, *y = b;
    int c = triage_id_compare(&x->id, &y->id);
    if (c)
        return c;
    if (x->period != y->period)
        return x->period < y->period ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int code_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

static int32_t muni_index(const triage_social_t *s, int32_t code)
{
    const int32_t *f = bsearch(&code, s->munis, s->nmunis, sizeof *s->munis, code_cmp);
    return f ? (int32_t)(f - s->munis) : -1;
}

/* Adds one to a slot of a municipality and of "all". */
static void bump(triage_social_t *s, uint32_t period, int32_t code, int slot)
{
    cell(s, period, 0)[slot]++;
    cell(s, period, (uint32_t)muni_index(s, code) + 1)[slot]++;
}

TRIAGE_API void triage_social_free(triage_social_t *s)
{
    if (!s)
        return;
    triage_allocator_t a = s->alloc;
    triage__free(&a, s->bounds);
    triage__free(&a, s->munis);
    triage__free(&a, s->names);
    triage__free(&a, s->counts);
    triage__free(&a, s);
}

/* Adds a CLASSIFIED event in the periods to c (grown as needed). */
static triage_status_t add_classified(triage_social_t *s, classified **c, size_t *k, size_t *cap,
                                      const triage_event_t *ev)
{
    if (ev->kind != TRIAGE_EVENT_CLASSIFIED)
        return TRIAGE_OK;
    int32_t p = period_of(s->bounds, s->nperiods, ev->at_ms);
    if (p < 0)
        return TRIAGE_OK;
    triage_status_t rc = triage__grow(&s->alloc, (void **)c, cap, *k + 1, sizeof **c);
    if (!rc)
        (*c)[(*k)++] = (classified){ev->case_id, p, ev->to, ev->seq};
    return rc;
}

/* The cases classified in the periods, one row per case and period. */
static triage_status_t collect(classified **out, size_t *count, triage_social_t *s,
                               triage_engine_t *engine)
{
    classified *c = NULL;
    size_t k = 0, cap = 0;
    triage_status_t rc;
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    q.from_ms = s->bounds[0];
    q.to_ms = s->bounds[s->nperiods] - 1;
    triage_event_iter_t *it = NULL;
    rc = triage_event_iter_new(&it, engine, &q);
    while (!rc) {
        triage_event_t ev;
        ev.version = TRIAGE_EVENT_VERSION;
        rc = triage_event_iter_next(it, &ev);
        if (!rc)
            rc = add_classified(s, &c, &k, &cap, &ev);
    }
    triage_event_iter_free(it);
    if (rc == TRIAGE_ITEROVER)
        rc = TRIAGE_OK;
    if (rc) {
        triage__free(&s->alloc, c);
        return rc;
    }
    qsort(c, k, sizeof *c, classified_cmp);
    /* keep the latest classification per case and period */
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m && !triage_id_compare(&c[m - 1].id, &c[i].id) && c[m - 1].period == c[i].period)
            c[m - 1] = c[i];
        else
            c[m++] = c[i];
    }
    *out = c;
    *count = m;
    return TRIAGE_OK;
}

/* What a case contributes: read once per case. */
typedef struct {
    int32_t muni;
    int special;
    uint16_t needs, barriers;
} case_facts;

static triage_status_t facts_of(case_facts *f, triage_engine_t *engine, const triage_id_t *id)
{
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    triage_status_t rc = triage_case_get(&c, engine, id);
    if (rc)
        return rc;
    triage_client_t cl;
    cl.version = TRIAGE_CLIENT_VERSION;
    if ((rc = triage_client_get(&cl, engine, &c.client)))
        return rc;
    f->muni = cl.municipality;
    int classified_now = (c.flags & TRIAGE_CASE_CLASSIFIED) != 0;
    f->special = classified_now && c.special_support;
    f->needs = classified_now ? c.classification.need_rationale : 0;
    f->barriers = classified_now ? c.classification.capacity_rationale : 0;
    return TRIAGE_OK;
}

static triage_status_t add_code(triage_social_t *s, size_t *cap, int32_t code)
{
    triage_status_t rc = triage__grow(&s->alloc, (void **)&s->munis, cap, s->nmunis + 1,
                                      sizeof *s->munis);
    if (!rc)
        s->munis[s->nmunis++] = code;
    return rc;
}

static triage_status_t build(triage_social_t *s, triage_engine_t *engine,
                             const triage_social_filing_t *filings, uint32_t nfilings)
{
    classified *c = NULL;
    size_t n = 0;
    triage_status_t rc = collect(&c, &n, s, engine);
    if (rc)
        return rc;
    case_facts *facts = triage__calloc(&s->alloc, n ? n : 1, sizeof *facts);
    if (!facts) {
        triage__free(&s->alloc, c);
        return TRIAGE_ENOMEM;
    }
    /* the facts of each case (rows of one case are adjacent) and the codes */
    size_t cap = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (i && !triage_id_compare(&c[i - 1].id, &c[i].id))
            facts[i] = facts[i - 1];
        else if (!(rc = facts_of(&facts[i], engine, &c[i].id)))
            rc = add_code(s, &cap, facts[i].muni);
    }
    for (uint32_t i = 0; i < nfilings && !rc; i++)
        if (period_of(s->bounds, s->nperiods, filings[i].at_ms) >= 0)
            rc = add_code(s, &cap, filings[i].municipality);
    if (!rc) {
        qsort(s->munis, s->nmunis, sizeof *s->munis, code_cmp);
        uint32_t u = 0;
        for (uint32_t i = 0; i < s->nmunis; i++)
            if (!u || s->munis[u - 1] != s->munis[i])
                s->munis[u++] = s->munis[i];
        s->nmunis = u;
        s->names = triage__calloc(&s->alloc, u ? u : 1, sizeof *s->names);
        s->counts = triage__calloc(&s->alloc, (size_t)s->nperiods * (u + 1) * NSLOTS,
                                   sizeof *s->counts);
        if (!s->names || !s->counts)
            rc = TRIAGE_ENOMEM;
    }
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t p = (uint32_t)c[i].period;
        const case_facts *f = &facts[i];
        bump(s, p, f->muni, SLOT_CASES);
        if (c[i].quadrant >= 1 && c[i].quadrant <= 4)
            bump(s, p, f->muni, SLOT_QUADRANT + c[i].quadrant - 1);
        if (f->special)
            bump(s, p, f->muni, SLOT_SPECIAL);
        for (int a = 0; a < TRIAGE_NEED_COUNT; a++)
            if (f->needs >> a & 1u)
                bump(s, p, f->muni, SLOT_NEED + a);
        for (int b = 0; b < TRIAGE_CAPACITY_COUNT; b++)
            if (f->barriers >> b & 1u)
                bump(s, p, f->muni, SLOT_BARRIER + b);
    }
    for (uint32_t i = 0; i < nfilings && !rc; i++) {
        int32_t p = period_of(s->bounds, s->nperiods, filings[i].at_ms);
        if (p < 0)
            continue;
        int32_t m = filings[i].municipality;
        bump(s, (uint32_t)p, m, SLOT_REPORTS);
        for (int a = 0; a < TRIAGE_NEED_COUNT; a++)
            if (filings[i].needs >> a & 1u)
                bump(s, (uint32_t)p, m, SLOT_RNEED + a);
        for (int b = 0; b < TRIAGE_CAPACITY_COUNT; b++)
            if (filings[i].barriers >> b & 1u)
                bump(s, (uint32_t)p, m, SLOT_RBARRIER + b);
    }
    triage__free(&s->alloc, facts);
    triage__free(&s->alloc, c);
    return rc;
}

TRIAGE_API triage_status_t triage_social_new(triage_social_t **out, triage_engine_t *engine,
                                             const int64_t *bounds, uint32_t nbounds,
                                             const triage_social_filing_t *filings,
                                             uint32_t nfilings)
{
    if (!out)
        return triage__error_null("out");
    if (!engine)
        return triage__error_null("engine");
    if (!bounds || nbounds < 2)
        return triage__error(TRIAGE_EINVAL, "bounds", "at least two period bounds are needed");
    for (uint32_t i = 1; i < nbounds; i++)
        if (bounds[i] <= bounds[i - 1])
            return triage__error(TRIAGE_EINVAL, "bounds", "the period bounds must increase");
    if (nfilings && !filings)
        return triage__error_null("filings");
    for (uint32_t i = 0; i < nfilings; i++)
        if (filings[i].municipality < 0 || filings[i].needs >> TRIAGE_NEED_COUNT ||
            filings[i].barriers >> TRIAGE_CAPACITY_COUNT)
            return triage__error(TRIAGE_EINVAL, "filings", "filing %u: a negative municipality "
                                 "or an unknown need area or barrier", (unsigned)i);
    triage_allocator_t a = {0, 0, 0, 0};
    triage_social_t *s = triage__calloc(&a, 1, sizeof *s);
    if (!s)
        return TRIAGE_ENOMEM;
    s->alloc = a;
    s->nperiods = nbounds - 1;
    s->bounds = triage__malloc(&a, nbounds * sizeof *s->bounds);
    triage_status_t rc = s->bounds ? TRIAGE_OK : TRIAGE_ENOMEM;
    if (!rc) {
        memcpy(s->bounds, bounds, nbounds * sizeof *bounds);
        rc = build(s, engine, filings, nfilings);
    }
    if (rc) {
        triage_social_free(s);
        return rc;
    }
    *out = s;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_social_set_name(triage_social_t *s, int32_t code,
                                                  const char *name)
{
    if (!s)
        return triage__error_null("social");
    if (!name)
        return triage__error_null("name");
    size_t n = strlen(name);
    if (n >= NAME_MAX_)
        return triage__error(TRIAGE_EINVAL, "name", "a name has at most 47 bytes");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return triage__error(TRIAGE_EINVAL, "name", "control characters are not allowed");
    int32_t m = muni_index(s, code);
    if (m >= 0)
        memcpy(s->names[m], name, n + 1);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_social_period_count(uint32_t *out, const triage_social_t *s)
{
    if (!out)
        return triage__error_null("out");
    if (!s)
        return triage__error_null("social");
    *out = s->nperiods;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_social_period(int64_t *from_ms, int64_t *to_ms,
                                                triage_date_t *first_day, triage_date_t *last_day,
                                                const triage_social_t *s, uint32_t index)
{
    if (!s)
        return triage__error_null("social");
    if (index >= s->nperiods)
        return triage__error(TRIAGE_ERANGE, "index", "no period with that index");
    triage_date_t first, last;
    triage_status_t rc = triage_local_time(&first, NULL, s->bounds[index]);
    if (!rc)
        rc = triage_local_time(&last, NULL, s->bounds[index + 1] - 1);
    if (rc)
        return rc;
    if (from_ms)
        *from_ms = s->bounds[index];
    if (to_ms)
        *to_ms = s->bounds[index + 1];
    if (first_day)
        *first_day = first;
    if (last_day)
        *last_day = last;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_social_municipality_count(uint32_t *out,
                                                            const triage_social_t *s)
{
    if (!out)
        return triage__error_null("out");
    if (!s)
        return triage__error_null("social");
    *out = s->nmunis;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_social_municipality(int32_t *code, const triage_social_t *s,
                                                      uint32_t index)
{
    if (!code)
        return triage__error_null("code");
    if (!s)
        return triage__error_null("social");
    if (index >= s->nmunis)
        return triage__error(TRIAGE_ERANGE, "index", "no municipality with that index");
    *code = s->munis[index];
    return TRIAGE_OK;
}

/* The slot of an indicator and index, or -1. */
static int slot_of(triage_social_indicator_t ind, int32_t index)
{
    switch (ind) {
    case TRIAGE_SOCIAL_CASES: return index == 0 ? SLOT_CASES : -1;
    case TRIAGE_SOCIAL_SPECIAL_SUPPORT: return index == 0 ? SLOT_SPECIAL : -1;
    case TRIAGE_SOCIAL_REPORTS: return index == 0 ? SLOT_REPORTS : -1;
    case TRIAGE_SOCIAL_QUADRANT: return index >= 1 && index <= 4 ? SLOT_QUADRANT + index - 1 : -1;
    case TRIAGE_SOCIAL_NEED:
        return index >= 0 && index < TRIAGE_NEED_COUNT ? SLOT_NEED + index : -1;
    case TRIAGE_SOCIAL_REPORTED_NEED:
        return index >= 0 && index < TRIAGE_NEED_COUNT ? SLOT_RNEED + index : -1;
    case TRIAGE_SOCIAL_BARRIER:
        return index >= 0 && index < TRIAGE_CAPACITY_COUNT ? SLOT_BARRIER + index : -1;
    case TRIAGE_SOCIAL_REPORTED_BARRIER:
        return index >= 0 && index < TRIAGE_CAPACITY_COUNT ? SLOT_RBARRIER + index : -1;
    }
    return -1;
}

static triage_social_value_t value_at(const triage_social_t *s, uint32_t period, uint32_t m1,
                                      int slot)
{
    triage_social_value_t v;
    v.count = cell(s, period, m1)[slot];
    v.has_previous = period > 0;
    v.previous = period ? cell(s, period - 1, m1)[slot] : 0;
    v.change = period ? (int32_t)v.count - (int32_t)v.previous : 0;
    v.change_pct = period && v.previous ? 100.0 * v.change / v.previous : (double)NAN;
    return v;
}

TRIAGE_API triage_status_t triage_social_value(triage_social_value_t *out,
                                               const triage_social_t *s, uint32_t period,
                                               int32_t municipality,
                                               triage_social_indicator_t indicator, int32_t index)
{
    if (!out)
        return triage__error_null("out");
    if (!s)
        return triage__error_null("social");
    if (indicator < TRIAGE_SOCIAL_CASES || indicator > TRIAGE_SOCIAL_REPORTED_BARRIER)
        return triage__error(TRIAGE_EINVAL, "indicator", "unknown indicator");
    int slot = slot_of(indicator, index);
    if (slot < 0)
        return triage__error(TRIAGE_EINVAL, "index", "no such area for the indicator");
    if (period >= s->nperiods)
        return triage__error(TRIAGE_ERANGE, "period", "no period with that index");
    uint32_t m1 = 0;
    if (municipality != TRIAGE_SOCIAL_ALL) {
        int32_t m = muni_index(s, municipality);
        if (m < 0)
            return triage__error(TRIAGE_ENOTFOUND, "municipality", "not in the report");
        m1 = (uint32_t)m + 1;
    }
    *out = value_at(s, period, m1, slot);
    return TRIAGE_OK;
}

TRIAGE_API const char *triage_social_indicator_name(triage_social_indicator_t indicator)
{
    switch (indicator) {
    case TRIAGE_SOCIAL_CASES: return "cases";
    case TRIAGE_SOCIAL_QUADRANT: return "quadrant";
    case TRIAGE_SOCIAL_SPECIAL_SUPPORT: return "special_support";
    case TRIAGE_SOCIAL_NEED: return "need";
    case TRIAGE_SOCIAL_BARRIER: return "barrier";
    case TRIAGE_SOCIAL_REPORTS: return "social_reports";
    case TRIAGE_SOCIAL_REPORTED_NEED: return "reported_need";
    case TRIAGE_SOCIAL_REPORTED_BARRIER: return "reported_barrier";
    }
    return NULL;
}

/* ---- writers ------------------------------------------------------------------ */

typedef struct {
    const triage_allocator_t *a;
    char *buf;
    size_t len, cap;
    int failed;
} sbuf;

static void sput(sbuf *b, const char *fmt, ...) TRIAGE__PRINTF(2, 3);
static void sput(sbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp ||
        triage__grow(b->a, (void **)&b->buf, &b->cap, b->len + (size_t)n + 1, 1)) {
        b->failed = 1;
        return;
    }
    memcpy(b->buf + b->len, tmp, (size_t)n + 1);
    b->len += (size_t)n;
}

static triage_status_t sfinish(char **out, sbuf *b)
{
    if (!b->failed && !b->buf)
        sput(b, "%s", "");
    char *r = b->failed ? NULL : triage__owned_alloc(b->a, b->len + 1);
    if (r)
        memcpy(r, b->buf, b->len + 1);
    triage__free(b->a, b->buf);
    if (!r)
        return triage__error(TRIAGE_ENOMEM, "out", "out of memory");
    *out = r;
    return TRIAGE_OK;
}

/* One decimal, '.' as the point, whatever the C locale. */
static void decimal1(char buf[32], double v)
{
    long long t = llround(v * 10);
    long long a = t < 0 ? -t : t;
    snprintf(buf, 32, "%s%lld.%lld", t < 0 ? "-" : "", a / 10, a % 10);
}

/* The indicators in output order: indicator, index, area name. */
typedef struct {
    triage_social_indicator_t ind;
    int32_t index;
    const char *area;
} row_def;

static size_t row_defs(row_def *r)
{
    size_t n = 0;
    r[n++] = (row_def){TRIAGE_SOCIAL_CASES, 0, ""};
    for (int q = 1; q <= 4; q++)
        r[n++] = (row_def){TRIAGE_SOCIAL_QUADRANT, q, triage_quadrant_name((triage_quadrant_t)q)};
    r[n++] = (row_def){TRIAGE_SOCIAL_SPECIAL_SUPPORT, 0, ""};
    for (int a = 0; a < TRIAGE_NEED_COUNT; a++)
        r[n++] = (row_def){TRIAGE_SOCIAL_NEED, a, triage_need_area_name((triage_need_area_t)a)};
    for (int b = 0; b < TRIAGE_CAPACITY_COUNT; b++)
        r[n++] = (row_def){TRIAGE_SOCIAL_BARRIER, b,
                           triage_capacity_barrier_name((triage_capacity_barrier_t)b)};
    r[n++] = (row_def){TRIAGE_SOCIAL_REPORTS, 0, ""};
    for (int a = 0; a < TRIAGE_NEED_COUNT; a++)
        r[n++] = (row_def){TRIAGE_SOCIAL_REPORTED_NEED, a,
                           triage_need_area_name((triage_need_area_t)a)};
    for (int b = 0; b < TRIAGE_CAPACITY_COUNT; b++)
        r[n++] = (row_def){TRIAGE_SOCIAL_REPORTED_BARRIER, b,
                           triage_capacity_barrier_name((triage_capacity_barrier_t)b)};
    return n;
}

static void period_days(const triage_social_t *s, uint32_t p, char a[16], char b[16])
{
    triage_date_t first = 0, last = 0;
    triage_social_period(NULL, NULL, &first, &last, s, p);
    triage_date_format(a, 16, first);
    triage_date_format(b, 16, last);
}

TRIAGE_API triage_status_t triage_social_write_csv(char **out, const triage_social_t *s)
{
    if (!out)
        return triage__error_null("out");
    if (!s)
        return triage__error_null("social");
    sbuf b = {&s->alloc, NULL, 0, 0, 0};
    row_def rows[NSLOTS];
    size_t nr = row_defs(rows);
    sput(&b, "period_start,period_end,municipality,indicator,area,count,previous,change,"
             "change_pct\n");
    for (uint32_t p = 0; p < s->nperiods; p++) {
        char from[16], to[16];
        period_days(s, p, from, to);
        for (uint32_t m1 = 0; m1 <= s->nmunis; m1++) {
            char muni[16];
            if (m1)
                snprintf(muni, sizeof muni, "%d", (int)s->munis[m1 - 1]);
            else
                snprintf(muni, sizeof muni, "all");
            for (size_t r = 0; r < nr; r++) {
                triage_social_value_t v = value_at(s, p, m1, slot_of(rows[r].ind, rows[r].index));
                char pct[32] = "";
                if (!isnan(v.change_pct))
                    decimal1(pct, v.change_pct);
                sput(&b, "%s,%s,%s,%s,%s,%u,", from, to, muni,
                     triage_social_indicator_name(rows[r].ind), rows[r].area, (unsigned)v.count);
                if (v.has_previous)
                    sput(&b, "%u,%d,%s\n", (unsigned)v.previous, (int)v.change, pct);
                else
                    sput(&b, ",,\n");
            }
        }
    }
    return sfinish(out, &b);
}

static void json_value(sbuf *b, triage_social_value_t v)
{
    sput(b, "{\"count\": %u, ", (unsigned)v.count);
    if (!v.has_previous) {
        sput(b, "\"previous\": null, \"change\": null, \"change_pct\": null}");
        return;
    }
    sput(b, "\"previous\": %u, \"change\": %d, \"change_pct\": ", (unsigned)v.previous,
         (int)v.change);
    if (isnan(v.change_pct)) {
        sput(b, "null}");
    } else {
        char d[32];
        decimal1(d, v.change_pct);
        sput(b, "%s}", d);
    }
}

/* A group of indicators as an object keyed by area name. */
static void json_group(sbuf *b, const triage_social_t *s, uint32_t p, uint32_t m1,
                       const char *key, triage_social_indicator_t ind, int32_t lo, int32_t hi)
{
    sput(b, ",\n          \"%s\": {", key);
    for (int32_t i = lo; i <= hi; i++) {
        const char *name = ind == TRIAGE_SOCIAL_QUADRANT
                               ? triage_quadrant_name((triage_quadrant_t)i)
                           : ind == TRIAGE_SOCIAL_NEED || ind == TRIAGE_SOCIAL_REPORTED_NEED
                               ? triage_need_area_name((triage_need_area_t)i)
                               : triage_capacity_barrier_name((triage_capacity_barrier_t)i);
        sput(b, "%s\"%s\": ", i > lo ? ", " : "", name);
        json_value(b, value_at(s, p, m1, slot_of(ind, i)));
    }
    sput(b, "}");
}

/* A name as a JSON string: ASCII, other bytes as \u escapes of UTF-8 code points. */
static void json_name(sbuf *b, const char *name)
{
    sput(b, "\"");
    const unsigned char *u = (const unsigned char *)name;
    while (*u) {
        uint32_t cp = *u;
        int extra = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;
        if (extra) {
            cp &= 0x3fu >> extra;
            for (int k = 0; k < extra && (u[1] & 0xc0) == 0x80; k++)
                cp = (cp << 6) | (*++u & 0x3fu);
        }
        u++;
        if (cp == '"' || cp == '\\')
            sput(b, "\\%c", (char)cp);
        else if (cp >= 0x20 && cp < 0x7f)
            sput(b, "%c", (char)cp);
        else if (cp < 0x10000)
            sput(b, "\\u%04x", (unsigned)cp);
        else {
            cp -= 0x10000;
            sput(b, "\\u%04x\\u%04x", (unsigned)(0xd800 + (cp >> 10)),
                 (unsigned)(0xdc00 + (cp & 0x3ff)));
        }
    }
    sput(b, "\"");
}

TRIAGE_API triage_status_t triage_social_write_json(char **out, const triage_social_t *s)
{
    if (!out)
        return triage__error_null("out");
    if (!s)
        return triage__error_null("social");
    sbuf b = {&s->alloc, NULL, 0, 0, 0};
    sput(&b, "{\n  \"periods\": [");
    for (uint32_t p = 0; p < s->nperiods; p++) {
        char from[16], to[16];
        period_days(s, p, from, to);
        sput(&b, "%s\n    {\"from\": \"%s\", \"to\": \"%s\", \"municipalities\": [", p ? "," : "",
             from, to);
        for (uint32_t m1 = 0; m1 <= s->nmunis; m1++) {
            if (m1)
                sput(&b, ",\n        {\"municipality\": %d, \"name\": ", (int)s->munis[m1 - 1]);
            else
                sput(&b, "\n        {\"municipality\": \"all\", \"name\": ");
            if (m1 && s->names[m1 - 1][0])
                json_name(&b, s->names[m1 - 1]);
            else
                sput(&b, "null");
            sput(&b, ",\n          \"cases\": ");
            json_value(&b, value_at(s, p, m1, SLOT_CASES));
            sput(&b, ",\n          \"special_support\": ");
            json_value(&b, value_at(s, p, m1, SLOT_SPECIAL));
            sput(&b, ",\n          \"social_reports\": ");
            json_value(&b, value_at(s, p, m1, SLOT_REPORTS));
            json_group(&b, s, p, m1, "quadrants", TRIAGE_SOCIAL_QUADRANT, 1, 4);
            json_group(&b, s, p, m1, "needs", TRIAGE_SOCIAL_NEED, 0, TRIAGE_NEED_COUNT - 1);
            json_group(&b, s, p, m1, "barriers", TRIAGE_SOCIAL_BARRIER, 0,
                       TRIAGE_CAPACITY_COUNT - 1);
            json_group(&b, s, p, m1, "reported_needs", TRIAGE_SOCIAL_REPORTED_NEED, 0,
                       TRIAGE_NEED_COUNT - 1);
            json_group(&b, s, p, m1, "reported_barriers", TRIAGE_SOCIAL_REPORTED_BARRIER, 0,
                       TRIAGE_CAPACITY_COUNT - 1);
            sput(&b, "}");
        }
        sput(&b, "\n    ]}");
    }
    sput(&b, "\n  ]\n}\n");
    return sfinish(out, &b);
}
