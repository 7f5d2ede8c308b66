/*
 * Period accumulators of a simulation run (tally.h). The definitions are
 * those of report.c (docs/reports.md), applied as the events arrive:
 *
 * - Event figures (intakes, stage moves, contacts, milestones, assignments)
 *   count in every period that holds the event's time.
 * - First contacts: each case keeps its intakes (receipt, contacted yet) while
 *   it is open; a reached contact gives the waits of the intakes it answers.
 * - The quadrant mix: a case keeps its latest classification per period and
 *   counts once in each when it is summarised.
 * - Deadline rows and the waits to assessment start are judged on each
 *   period's last day from the case's final state, so a case is summarised
 *   when it closes (closed is final) or when the run ends: the same rows and
 *   states triage_report_new reads.
 * - Waits go into per-period histograms of business days; medians and 90th
 *   percentiles come exactly from them.
 * - Loads and balance: the engine's state at each period's end.
 */
#include <math.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "sim/report_priv.h"
#include "sim/tally.h"

typedef struct {
    triage_id_t id;
    int64_t received_ms;
    triage_date_t received;
    int contacted;
} t_intake;

typedef struct {
    uint32_t period;
    uint8_t quadrant;
} t_quad;

typedef struct {
    triage_id_t id;
    int used;
    uint8_t channel;
    t_intake *in;
    size_t nin, capin;
    t_quad *q;
    size_t nq, capq;
} t_case;

typedef struct {
    uint32_t *v; /* v[i]: values equal to base + i */
    size_t n;
    int32_t base;
    uint64_t count;
} t_hist;

typedef struct {
    triage_id_t id;
    uint32_t row;
} t_widx;

struct triage__tally {
    triage_engine_t *e;
    triage_allocator_t a;
    triage__tally_period *p;
    size_t np;
    triage_report_t **r;     /* per period */
    uint8_t *loaded;         /* per period: loads taken */
    t_hist *h;               /* per period x WAITS */
    t_widx *widx;
    size_t nw;
    int64_t seq;             /* the last event read */
    t_case *cases;           /* slots */
    size_t ncases, capcases;
    uint32_t *freelist;
    size_t nfree, capfree;
    uint32_t *map;           /* open addressing: 0 empty, else slot + 1 */
    size_t nmap;             /* a power of two, at most half full */
    size_t live;
    triage_id_t *closed;
    size_t nclosed, capclosed;
    triage_event_t *buf;
    size_t nbuf, capbuf;
};

/* ---- the case map ---------------------------------------------------------------------- */

static size_t id_hash(const triage_id_t *id)
{
    uint64_t h = 0;
    memcpy(&h, id->bytes + 8, sizeof h);
    h ^= h >> 29;
    h *= UINT64_C(0xbf58476d1ce4e5b9);
    h ^= h >> 32;
    return (size_t)h;
}

static size_t map_find(const triage__tally *t, const triage_id_t *id)
{
    size_t mask = t->nmap - 1;
    for (size_t s = id_hash(id) & mask;; s = (s + 1) & mask) {
        uint32_t v = t->map[s];
        if (!v || !triage_id_compare(&t->cases[v - 1].id, id))
            return s;
    }
}

static triage_status_t map_grow(triage__tally *t)
{
    size_t n = t->nmap ? t->nmap * 2 : 1024;
    uint32_t *old = t->map;
    size_t oldn = t->nmap;
    t->map = triage__calloc(&t->a, n, sizeof *t->map);
    if (!t->map) {
        t->map = old;
        return TRIAGE_ENOMEM;
    }
    t->nmap = n;
    for (size_t i = 0; i < oldn; i++)
        if (old[i])
            t->map[map_find(t, &t->cases[old[i] - 1].id)] = old[i];
    triage__free(&t->a, old);
    return TRIAGE_OK;
}

static t_case *case_get(triage__tally *t, const triage_id_t *id)
{
    if (!t->nmap)
        return NULL;
    uint32_t v = t->map[map_find(t, id)];
    return v ? &t->cases[v - 1] : NULL;
}

static triage_status_t case_add(t_case **out, triage__tally *t, const triage_id_t *id)
{
    if ((t->live + 1) * 2 > t->nmap && map_grow(t))
        return TRIAGE_ENOMEM;
    uint32_t slot;
    if (t->nfree) {
        slot = t->freelist[--t->nfree];
    } else {
        void *c = t->cases;
        if (triage__grow(&t->a, &c, &t->capcases, t->ncases + 1, sizeof *t->cases))
            return TRIAGE_ENOMEM;
        t->cases = c;
        /* the free list can take every slot back without allocating */
        void *f = t->freelist;
        if (triage__grow(&t->a, &f, &t->capfree, t->ncases + 1, sizeof *t->freelist))
            return TRIAGE_ENOMEM;
        t->freelist = f;
        slot = (uint32_t)t->ncases++;
        memset(&t->cases[slot], 0, sizeof *t->cases);
    }
    t_case *c = &t->cases[slot];
    c->id = *id;
    c->used = 1;
    c->nin = c->nq = 0;
    t->map[map_find(t, id)] = slot + 1;
    t->live++;
    *out = c;
    return TRIAGE_OK;
}

/* Forgets a case (backward-shift deletion keeps the probe chains whole). */
static void case_remove(triage__tally *t, t_case *c)
{
    size_t mask = t->nmap - 1, s = map_find(t, &c->id);
    uint32_t slot = t->map[s] - 1;
    t->map[s] = 0;
    for (size_t j = (s + 1) & mask; t->map[j]; j = (j + 1) & mask) {
        size_t home = id_hash(&t->cases[t->map[j] - 1].id) & mask;
        /* move j back to s when its home does not lie in (s, j] */
        if (((j - home) & mask) >= ((j - s) & mask)) {
            t->map[s] = t->map[j];
            t->map[j] = 0;
            s = j;
        }
    }
    c->used = 0;
    c->nin = c->nq = 0;
    t->freelist[t->nfree++] = slot;
    t->live--;
}

/* ---- periods and histograms -------------------------------------------------------------- */

/* The periods that hold `at`: the whole run and at most one declared. */
static size_t periods_of(const triage__tally *t, int64_t at, size_t out[2])
{
    size_t n = 0;
    if (at >= t->p[0].from_ms && at < t->p[0].to_ms)
        out[n++] = 0;
    size_t lo = 1, hi = t->np;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->p[mid].to_ms <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->np && at >= t->p[lo].from_ms)
        out[n++] = lo;
    return n;
}

static triage_status_t hist_add(triage__tally *t, t_hist *h, int32_t v)
{
    if (!h->n) {
        h->v = triage__calloc(&t->a, 64, sizeof *h->v);
        if (!h->v)
            return TRIAGE_ENOMEM;
        h->n = 64;
        h->base = v < 0 ? v : 0;
    }
    if (v < h->base) { /* room below */
        size_t more = (size_t)(h->base - v), n = h->n + more;
        uint32_t *x = triage__calloc(&t->a, n, sizeof *x);
        if (!x)
            return TRIAGE_ENOMEM;
        memcpy(x + more, h->v, h->n * sizeof *x);
        triage__free(&t->a, h->v);
        h->v = x;
        h->n = n;
        h->base = v;
    }
    size_t i = (size_t)((int64_t)v - h->base);
    if (i >= h->n) {
        size_t n = h->n;
        while (n <= i)
            n *= 2;
        uint32_t *x = triage__calloc(&t->a, n, sizeof *x);
        if (!x)
            return TRIAGE_ENOMEM;
        memcpy(x, h->v, h->n * sizeof *x);
        triage__free(&t->a, h->v);
        h->v = x;
        h->n = n;
    }
    h->v[i]++;
    h->count++;
    return TRIAGE_OK;
}

static triage_status_t add_wait(triage__tally *t, size_t k, int which, triage_date_t received,
                                triage_date_t day)
{
    int32_t days;
    triage_status_t rc = triage_calendar_business_days_between(
        &days, triage_engine_calendar(t->e), received, day);
    return rc ? rc : hist_add(t, &t->h[k * WAITS + (size_t)which], days);
}

/* ---- events -------------------------------------------------------------------------------- */

static triage_report_workers_t *find_worker(triage__tally *t, size_t k, const triage_id_t *id)
{
    size_t lo = 0, hi = t->nw;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = triage_id_compare(&t->widx[mid].id, id);
        if (!c)
            return &t->r[k]->workers[t->widx[mid].row];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int cmp_widx(const void *a, const void *b)
{
    return triage_id_compare(&((const t_widx *)a)->id, &((const t_widx *)b)->id);
}

/* An intake of a case, from the engine. */
static triage_status_t add_intake(triage__tally *t, const triage_id_t *intake)
{
    triage_intake_info_t in;
    in.version = TRIAGE_INTAKE_INFO_VERSION;
    triage_status_t rc = triage_intake_get(&in, t->e, intake);
    if (rc)
        return rc;
    t_case *c = case_get(t, &in.case_id);
    if (!c) {
        triage_case_t cs;
        cs.version = TRIAGE_CASE_VERSION;
        if ((rc = triage_case_get(&cs, t->e, &in.case_id)) || (rc = case_add(&c, t, &in.case_id)))
            return rc;
        c->channel = (uint8_t)cs.channel;
    }
    void *x = c->in;
    if (triage__grow(&t->a, &x, &c->capin, c->nin + 1, sizeof *c->in))
        return TRIAGE_ENOMEM;
    c->in = x;
    t_intake *ti = &c->in[c->nin++];
    ti->id = in.id;
    ti->received_ms = in.received_ms;
    ti->received = in.received;
    ti->contacted = 0;
    return TRIAGE_OK;
}

static triage_status_t first_contacts(triage__tally *t, t_case *c, const triage_event_t *ev,
                                      const size_t *ks, size_t nk)
{
    triage_date_t day;
    if (triage_local_time(&day, NULL, ev->at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "an event time outside the calendar");
    for (size_t i = 0; i < c->nin; i++) {
        t_intake *x = &c->in[i];
        if (x->contacted || x->received_ms > ev->at_ms)
            continue;
        x->contacted = 1;
        for (size_t j = 0; j < nk; j++) {
            triage_status_t rc = add_wait(t, ks[j], TRIAGE_WAIT_FIRST_CONTACT, x->received, day);
            if (rc)
                return rc;
        }
    }
    return TRIAGE_OK;
}

static triage_status_t classified(triage__tally *t, t_case *c, size_t k, uint8_t q)
{
    for (size_t i = 0; i < c->nq; i++)
        if (c->q[i].period == k) {
            c->q[i].quadrant = q;
            return TRIAGE_OK;
        }
    void *x = c->q;
    if (triage__grow(&t->a, &x, &c->capq, c->nq + 1, sizeof *c->q))
        return TRIAGE_ENOMEM;
    c->q = x;
    c->q[c->nq].period = (uint32_t)k;
    c->q[c->nq++].quadrant = q;
    return TRIAGE_OK;
}

static triage_status_t closed_add(triage__tally *t, const triage_id_t *id)
{
    void *x = t->closed;
    if (triage__grow(&t->a, &x, &t->capclosed, t->nclosed + 1, sizeof *t->closed))
        return TRIAGE_ENOMEM;
    t->closed = x;
    t->closed[t->nclosed++] = *id;
    return TRIAGE_OK;
}

static triage_status_t count_event(triage__tally *t, const triage_event_t *ev)
{
    size_t ks[2];
    size_t nk = periods_of(t, ev->at_ms, ks);
    triage_status_t rc = TRIAGE_OK;
    if (ev->kind == TRIAGE_EVENT_INTAKE || ev->kind == TRIAGE_EVENT_ATTACHED)
        if (!triage_id_is_nil(&ev->intake) && (rc = add_intake(t, &ev->intake)))
            return rc;
    t_case *c = triage_id_is_nil(&ev->case_id) ? NULL : case_get(t, &ev->case_id);
    for (size_t j = 0; j < nk; j++) {
        triage_report_t *r = t->r[ks[j]];
        switch (ev->kind) {
        case TRIAGE_EVENT_INTAKE:
            if (c && ev->reason > 0 && ev->reason < KINDS && c->channel > 0 &&
                c->channel < CHANNELS)
                r->intakes[ev->reason][c->channel]++;
            break;
        case TRIAGE_EVENT_ATTACHED:
            if (ev->to > 0 && ev->to < KINDS && ev->reason > 0 && ev->reason < CHANNELS)
                r->intakes[ev->to][ev->reason]++;
            break;
        case TRIAGE_EVENT_STAGE_CHANGED:
            triage__report_count_stage(r, ev);
            break;
        case TRIAGE_EVENT_CONTACT_ATTEMPT:
            if (ev->to == TRIAGE_CONTACT_NO_SHOW)
                r->no_shows++;
            if (ev->to == TRIAGE_CONTACT_NOT_REACHED)
                r->unreachable++;
            break;
        case TRIAGE_EVENT_MILESTONE:
            if (ev->to == TRIAGE_MILESTONE_PLAN_REVIEWED)
                r->plan_reviews++;
            break;
        case TRIAGE_EVENT_CLASSIFIED:
            if (c && ev->to > 0 && ev->to < QUADRANTS &&
                (rc = classified(t, c, ks[j], (uint8_t)ev->to)))
                return rc;
            break;
        case TRIAGE_EVENT_WORKER_ASSIGNED:
            if (!triage_id_is_nil(&ev->to_id)) {
                r->over_soft_cap += (ev->reason & TRIAGE_EVENT_OVER_SOFT_CAP) != 0;
                r->over_hard_cap += (ev->reason & TRIAGE_EVENT_OVER_HARD_CAP) != 0;
                triage_report_workers_t *w = find_worker(t, ks[j], &ev->to_id);
                if (!w)
                    break;
                triage_case_slot_t slot = TRIAGE_EVENT_SLOT(ev->reason);
                if (slot == TRIAGE_SLOT_ASSESSMENT)
                    w->assessment++;
                else if (slot == TRIAGE_SLOT_RESPONSIBLE)
                    w->responsible++;
                else if (slot == TRIAGE_SLOT_PAIR)
                    w->pair++;
            }
            break;
        default:
            break;
        }
    }
    /* every reached contact marks the intakes it answers, in a period or not */
    if (ev->kind == TRIAGE_EVENT_CONTACT_ATTEMPT && ev->to == TRIAGE_CONTACT_REACHED && c &&
        (rc = first_contacts(t, c, ev, ks, nk)))
        return rc;
    if (ev->kind == TRIAGE_EVENT_STAGE_CHANGED && ev->to == TRIAGE_STAGE_CLOSED && c)
        rc = closed_add(t, &c->id);
    return rc;
}

/* ---- summarising a case ------------------------------------------------------------------- */

static int in_period(const triage__tally_period *p, triage_date_t d)
{
    return d != TRIAGE_DATE_NONE && d >= p->first && d <= p->last;
}

/* The deadline rows and assessment-start waits of case c for period k,
 * judged on its last day (report.c: scan_deadlines, assessment_waits). */
static triage_status_t case_period(triage__tally *t, const t_case *c, size_t k,
                                   const triage_case_deadline_t *rows, size_t n)
{
    const triage__tally_period *p = &t->p[k];
    triage_report_t *r = t->r[k];
    for (size_t i = 0; i < c->nin; i++) {
        const t_intake *x = &c->in[i];
        triage_date_t met = TRIAGE_DATE_NONE;
        for (size_t j = 0; j < n; j++) {
            const triage_case_deadline_t *d = &rows[j];
            if (d->deadline.milestone == TRIAGE_MILESTONE_ASSESSMENT_STARTED &&
                d->met != TRIAGE_DATE_NONE && !(d->flags & TRIAGE_DEADLINE_SUPERSEDED) &&
                !triage_id_compare(&d->intake, &x->id) && (met == TRIAGE_DATE_NONE || d->met < met))
                met = d->met;
        }
        if (in_period(p, met)) {
            triage_status_t rc = add_wait(t, k, TRIAGE_WAIT_ASSESSMENT_START, x->received, met);
            if (rc)
                return rc;
        }
    }
    for (size_t j = 0; j < n; j++)
        triage__report_count_deadline(r, &rows[j], p->first, p->last);
    return TRIAGE_OK;
}

static triage_status_t rows_on(triage__tally *t, const t_case *c, triage_date_t day,
                               triage_case_deadline_t **rows, size_t *n)
{
    return triage_case_deadlines(rows, n, NULL, TRIAGE_CASE_DEADLINE_VERSION, t->e, &c->id, day,
                                 0);
}

/* Summarises case c into every period: its quadrants, deadline rows and
 * waits to assessment start. The rows are read once as of the run's last
 * day; a declared period is judged again on its own last day only when one
 * of the rows is due in it or was met in it (no other row can count there:
 * judged earlier a row is the same row, at most not met yet). */
static triage_status_t summarise_case(triage__tally *t, const t_case *c)
{
    for (size_t i = 0; i < c->nq; i++) {
        triage_report_t *r = t->r[c->q[i].period];
        r->quadrants[c->q[i].quadrant]++;
        r->quadrants[0]++;
    }
    triage_case_deadline_t *all = NULL;
    size_t n = 0;
    triage_status_t rc = rows_on(t, c, t->p[0].last, &all, &n);
    if (!rc)
        rc = case_period(t, c, 0, all, n);
    /* the declared periods holding a due or met day, each judged once */
    size_t *ks = n ? triage__malloc(&t->a, 2 * n * sizeof *ks) : NULL;
    size_t nk = 0;
    if (n && !ks && !rc)
        rc = TRIAGE_ENOMEM;
    for (size_t j = 0; !rc && j < n; j++) {
        triage_date_t days[2] = {all[j].deadline.due, all[j].met};
        for (int d = 0; d < 2; d++) {
            if (days[d] == TRIAGE_DATE_NONE)
                continue;
            size_t lo = 1, hi = t->np;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (t->p[mid].last < days[d])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo >= t->np || days[d] < t->p[lo].first)
                continue;
            int seen = 0;
            for (size_t m = 0; m < nk && !seen; m++)
                seen = ks[m] == lo;
            if (!seen)
                ks[nk++] = lo;
        }
    }
    for (size_t m = 0; m < nk && !rc; m++) {
        triage_case_deadline_t *rows = NULL;
        size_t nr = 0;
        rc = rows_on(t, c, t->p[ks[m]].last, &rows, &nr);
        if (!rc)
            rc = case_period(t, c, ks[m], rows, nr);
        triage_free(rows);
    }
    triage__free(&t->a, ks);
    triage_free(all);
    return rc;
}

/* ---- the run ---------------------------------------------------------------------------- */

triage_status_t triage__tally_new(triage__tally **out, triage_engine_t *engine,
                                  const triage__tally_period *periods, size_t n)
{
    triage_allocator_t a = engine->alloc;
    triage__tally *t = triage__calloc(&a, 1, sizeof *t);
    if (!t)
        return TRIAGE_ENOMEM;
    t->e = engine;
    t->a = a;
    t->p = triage__calloc(&a, n, sizeof *t->p);
    t->r = triage__calloc(&a, n, sizeof *t->r);
    t->loaded = triage__calloc(&a, n, 1);
    t->h = triage__calloc(&a, n * WAITS, sizeof *t->h);
    if (!t->p || !t->r || !t->loaded || !t->h) {
        triage__tally_free(t);
        return TRIAGE_ENOMEM;
    }
    t->np = n;
    memcpy(t->p, periods, n * sizeof *t->p);
    triage_status_t rc = TRIAGE_OK;
    for (size_t k = 0; k < n && !rc; k++) {
        triage_report_t *r = triage__calloc(&a, 1, sizeof *r);
        if (!r) {
            rc = TRIAGE_ENOMEM;
            break;
        }
        t->r[k] = r;
        r->alloc = a;
        r->from_ms = periods[k].from_ms;
        r->to_ms = periods[k].to_ms;
        r->first_day = periods[k].first;
        r->last_day = periods[k].last;
        rc = triage__report_worker_rows(r, engine);
    }
    if (!rc && t->r[0]->nworkers) {
        t->nw = t->r[0]->nworkers;
        t->widx = triage__calloc(&a, t->nw, sizeof *t->widx);
        if (!t->widx)
            rc = TRIAGE_ENOMEM;
        for (uint32_t i = 0; !rc && i < t->nw; i++) {
            t->widx[i].id = t->r[0]->workers[i].id;
            t->widx[i].row = i;
        }
        if (!rc)
            triage__sort(t->widx, t->nw, sizeof *t->widx, cmp_widx);
    }
    if (rc) {
        triage__tally_free(t);
        return rc;
    }
    *out = t;
    return TRIAGE_OK;
}

void triage__tally_free(triage__tally *t)
{
    if (!t)
        return;
    triage_allocator_t a = t->a;
    for (size_t k = 0; t->r && k < t->np; k++)
        triage_report_free(t->r[k]);
    for (size_t i = 0; t->h && i < t->np * WAITS; i++)
        triage__free(&a, t->h[i].v);
    for (size_t i = 0; i < t->ncases; i++) {
        triage__free(&a, t->cases[i].in);
        triage__free(&a, t->cases[i].q);
    }
    triage__free(&a, t->p);
    triage__free(&a, t->r);
    triage__free(&a, t->loaded);
    triage__free(&a, t->h);
    triage__free(&a, t->widx);
    triage__free(&a, t->cases);
    triage__free(&a, t->freelist);
    triage__free(&a, t->map);
    triage__free(&a, t->closed);
    triage__free(&a, t->buf);
    triage__free(&a, t);
}

triage_status_t triage__tally_step(triage__tally *t, const triage_id_t **closed, size_t *nclosed)
{
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    q.after_seq = t->seq;
    triage_event_iter_t *it;
    triage_status_t rc = triage_event_iter_new(&it, t->e, &q);
    if (rc)
        return rc;
    t->nbuf = 0;
    for (;;) {
        void *x = t->buf;
        if (triage__grow(&t->a, &x, &t->capbuf, t->nbuf + 1, sizeof *t->buf)) {
            rc = TRIAGE_ENOMEM;
            break;
        }
        t->buf = x;
        t->buf[t->nbuf].version = TRIAGE_EVENT_VERSION;
        rc = triage_event_iter_next(it, &t->buf[t->nbuf]);
        if (rc == TRIAGE_ITEROVER) {
            rc = TRIAGE_OK;
            break;
        }
        if (rc)
            break;
        t->nbuf++;
    }
    triage_event_iter_free(it);
    t->nclosed = 0;
    for (size_t i = 0; i < t->nbuf && !rc; i++) {
        rc = count_event(t, &t->buf[i]);
        t->seq = t->buf[i].seq;
    }
    for (size_t i = 0; i < t->nclosed && !rc; i++) {
        t_case *c = case_get(t, &t->closed[i]);
        if (!c)
            continue;
        if (!(rc = summarise_case(t, c)))
            case_remove(t, c);
    }
    if (closed)
        *closed = t->closed;
    if (nclosed)
        *nclosed = rc ? 0 : t->nclosed;
    return rc;
}

triage_status_t triage__tally_period_end(triage__tally *t, size_t k)
{
    if (k >= t->np)
        return triage__error(TRIAGE_ERANGE, "period", "no such period");
    t->loaded[k] = 1;
    /* the balance table has a column per team */
    triage_status_t rc = triage__report_groups(t->r[k]);
    return rc ? rc : triage__report_fill_load(t->r[k], t->e);
}

static triage_status_t finish_period(triage__tally *t, size_t k)
{
    triage_report_t *r = t->r[k];
    for (int w = 1; w < WAITS; w++) {
        const t_hist *h = &t->h[k * WAITS + (size_t)w];
        r->waits[w].count = (uint32_t)h->count;
        if (!h->count) {
            r->waits[w].median = r->waits[w].p90 = (double)NAN;
            continue;
        }
        r->waits[w].median = triage__report_hist_quantile(h->v, h->n, h->base, h->count, 0.5);
        r->waits[w].p90 = triage__report_hist_quantile(h->v, h->n, h->base, h->count, 0.9);
    }
    triage_status_t rc = triage__report_totals(r);
    if (!rc && !t->loaded[k])
        rc = triage__tally_period_end(t, k);
    return rc;
}

triage_status_t triage__tally_finish(triage__tally *t, triage_report_t **reports)
{
    triage_status_t rc = triage__tally_step(t, NULL, NULL);
    for (size_t i = 0; i < t->ncases && !rc; i++)
        if (t->cases[i].used)
            rc = summarise_case(t, &t->cases[i]);
    for (size_t k = 0; k < t->np && !rc; k++)
        rc = finish_period(t, k);
    if (rc)
        return rc;
    for (size_t k = 0; k < t->np; k++) {
        reports[k] = t->r[k];
        t->r[k] = NULL;
    }
    return TRIAGE_OK;
}
