/*
 * Period reports (docs/domain.md §9). The figures are computed in one pass over
 * the engine's whole event log (so "the first contact after an intake" is
 * known even when it happened before the period) plus one read of every case
 * (channel, intakes, deadline rows) and worker (role, team). Definitions are in
 * docs/reports.md; keep the two in step. The CSV and JSON writers are in
 * report_write.c.
 *
 * Built on the public engine and assignment APIs; engine_internal.h is used
 * only to reach the engine's allocator, which the report adopts.
 */
#include <math.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "sim/report_priv.h"

#define NONE TRIAGE_DATE_NONE

/* ---- definitions that may change ------------------------------------------ */


/* Closing reasons that count as "resolved at guidance". */
static int resolves_at_guidance(int32_t reason)
{
    return reason == TRIAGE_CLOSE_ADVICE_GIVEN || reason == TRIAGE_CLOSE_REFERRED ||
           reason == TRIAGE_CLOSE_DECLINED || reason == TRIAGE_CLOSE_UNREACHABLE;
}

/* Load and balance figures (docs/domain.md §7.7), from the assignment module:
 * each worker's normalized load and the balance of every role x team
 * combination. They are the engine's state when the report is made (the
 * engine keeps no history of loads). Runs after summarise(): needs the
 * worker and team rows. Frees a balance table filled before (a period's
 * snapshot taken again). */
triage_status_t triage__report_fill_load(triage_report_t *r, triage_engine_t *engine)
{
    for (uint32_t i = 0; i < r->nworkers; i++) {
        triage_worker_load_t l;
        l.version = TRIAGE_WORKER_LOAD_VERSION;
        triage_status_t rc = triage_worker_load(&l, engine, &r->workers[i].id);
        if (rc)
            return rc;
        r->workers[i].load = l.normalized;
    }
    size_t cols = (size_t)r->nteams + 1;
    triage__free(&r->alloc, r->balance);
    r->balance = triage__calloc(&r->alloc, ROLES * cols, sizeof *r->balance);
    if (!r->balance)
        return TRIAGE_ENOMEM;
    for (int role = 0; role < ROLES; role++)
        for (size_t t = 0; t < cols; t++) {
            int32_t team = t ? r->teams[t - 1].team : -1;
            triage_balance_t *x = &r->balance[(size_t)role * cols + t];
            x->version = TRIAGE_BALANCE_VERSION;
            triage_status_t rc = triage_assign_balance(x, engine, (triage_role_t)role, team);
            if (rc)
                return rc;
            if (x->workers == 0) /* nothing to balance: undefined, not zero */
                x->max = x->min = x->mean = x->cv = x->gini = (double)NAN;
        }
    return TRIAGE_OK;
}

/* ---- computation ------------------------------------------------------------- */

/* One intake of a case: waits are counted per intake, from its own receipt. */
typedef struct {
    triage_id_t id;
    int64_t received_ms;
    triage_date_t received;
    int contacted; /* a successful contact at or after its receipt has been seen */
} intake_slot;

typedef struct {
    triage_case_t c;
    intake_slot *intakes; /* in arrival order */
    size_t nintakes;
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

/* The same quantile from a histogram: hist[i] values equal to base + i,
 * count values in all (> 0). */
static int32_t hist_value(const uint32_t *hist, size_t n, int32_t base, uint64_t rank)
{
    uint64_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        seen += hist[i];
        if (rank < seen)
            return base + (int32_t)i;
    }
    return base + (int32_t)n - 1;
}

double triage__report_hist_quantile(const uint32_t *hist, size_t n, int32_t base,
                                    uint64_t count, double p)
{
    double h = (double)(count - 1) * p;
    uint64_t lo = (uint64_t)floor(h);
    int32_t a = hist_value(hist, n, base, lo);
    if (lo + 1 >= count)
        return a;
    int32_t b = hist_value(hist, n, base, lo + 1);
    return a + (h - (double)lo) * (double)(b - a);
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
    size_t nworkers;
    worker_index *windex;
    samples waits[WAITS];
} build;

static void build_free(build *b)
{
    for (size_t i = 0; b->cases && i < b->ncases; i++)
        triage__free(b->a, b->cases[i].intakes);
    triage__free(b->a, b->events);
    triage_free(b->case_ids);
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

/* A case's intakes, each with its own receipt (docs/reports.md: figures per intake). */
static triage_status_t load_intakes(build *b, case_slot *cs)
{
    triage_id_t *ids = NULL;
    size_t n = 0;
    triage_status_t rc = triage_case_intakes(&ids, &n, b->e, &cs->c.id);
    if (rc)
        return rc;
    cs->intakes = n ? triage__calloc(b->a, n, sizeof *cs->intakes) : NULL;
    if (n && !cs->intakes)
        rc = TRIAGE_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        triage_intake_info_t in;
        in.version = TRIAGE_INTAKE_INFO_VERSION;
        if ((rc = triage_intake_get(&in, b->e, &ids[i])))
            break;
        cs->intakes[i].id = in.id;
        cs->intakes[i].received_ms = in.received_ms;
        cs->intakes[i].received = in.received;
        cs->nintakes = i + 1;
    }
    triage_free(ids);
    return rc;
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
    for (size_t i = 0; i < b->ncases; i++) {
        b->cases[i].c.version = TRIAGE_CASE_VERSION;
        if ((rc = triage_case_get(&b->cases[i].c, b->e, &b->case_ids[i])) ||
            (rc = load_intakes(b, &b->cases[i])))
            return rc;
    }
    triage__sort(b->cases, b->ncases, sizeof *b->cases, cmp_case);
    return TRIAGE_OK;
}

triage_status_t triage__report_worker_rows(triage_report_t *r, triage_engine_t *engine)
{
    triage_id_t *ids = NULL;
    size_t n = 0;
    triage_status_t rc = triage_worker_list(&ids, &n, engine);
    if (rc)
        return rc;
    if (n > UINT32_MAX) {
        triage_free(ids);
        return triage__error(TRIAGE_ERANGE, "engine", "too many workers for a report");
    }
    r->workers = n ? triage__calloc(&r->alloc, n, sizeof *r->workers) : NULL;
    if (n && !r->workers)
        rc = TRIAGE_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        triage_worker_t w;
        w.version = TRIAGE_WORKER_VERSION;
        if ((rc = triage_worker_get(&w, engine, &ids[i])))
            break;
        r->workers[i].id = w.id;
        r->workers[i].role = (int32_t)w.role;
        r->workers[i].team = w.team;
        r->workers[i].workers = 1;
    }
    triage_free(ids);
    if (rc)
        return rc;
    r->nworkers = (uint32_t)n;
    triage__sort(r->workers, r->nworkers, sizeof *r->workers, cmp_worker_row);
    return TRIAGE_OK;
}

static triage_status_t load_workers(build *b)
{
    triage_report_t *r = b->r;
    triage_status_t rc = triage__report_worker_rows(r, b->e);
    if (rc || !r->nworkers)
        return rc;
    b->nworkers = r->nworkers;
    b->windex = triage__calloc(b->a, b->nworkers, sizeof *b->windex);
    if (!b->windex)
        return TRIAGE_ENOMEM;
    for (uint32_t i = 0; i < r->nworkers; i++) {
        b->windex[i].id = r->workers[i].id;
        b->windex[i].row = i;
    }
    triage__sort(b->windex, b->nworkers, sizeof *b->windex, cmp_worker_index);
    return TRIAGE_OK;
}

/* Business days from an intake's receipt to `day`. */
static triage_status_t add_wait(build *b, int which, triage_date_t received, triage_date_t day)
{
    int32_t days;
    triage_status_t rc = triage_calendar_business_days_between(
        &days, triage_engine_calendar(b->e), received, day);
    if (!rc)
        rc = sample_add(b->a, &b->waits[which], days);
    return rc;
}

/* A successful contact at `ev`: the first contact of every intake of the
 * case that arrived at or before it and had none yet. */
static triage_status_t first_contacts(build *b, case_slot *cs, const triage_event_t *ev, int in)
{
    triage_date_t day;
    if (triage_local_time(&day, NULL, ev->at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "an event time outside the calendar");
    for (size_t i = 0; i < cs->nintakes; i++) {
        intake_slot *x = &cs->intakes[i];
        if (x->contacted || x->received_ms > ev->at_ms)
            continue;
        x->contacted = 1;
        if (in) {
            triage_status_t rc = add_wait(b, TRIAGE_WAIT_FIRST_CONTACT, x->received, day);
            if (rc)
                return rc;
        }
    }
    return TRIAGE_OK;
}

/* Every event, in order (the report reads the whole history once). */
static triage_status_t collect_events(build *b)
{
    triage_event_iter_t *it;
    triage_status_t rc = triage_event_iter_new(&it, b->e, NULL);
    if (rc)
        return rc;
    size_t cap = 0;
    for (;;) {
        triage_event_t ev;
        ev.version = TRIAGE_EVENT_VERSION;
        rc = triage_event_iter_next(it, &ev);
        if (rc == TRIAGE_ITEROVER) {
            rc = TRIAGE_OK;
            break;
        }
        if (rc)
            break;
        void *evs = b->events;
        rc = triage__grow(b->a, &evs, &cap, b->nevents + 1, sizeof *b->events);
        b->events = evs;
        if (rc)
            break;
        b->events[b->nevents++] = ev;
    }
    triage_event_iter_free(it);
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
            if (in)
                triage__report_count_stage(r, ev);
            break;
        case TRIAGE_EVENT_CONTACT_ATTEMPT:
            if (in && ev->to == TRIAGE_CONTACT_NO_SHOW)
                r->no_shows++;
            if (in && ev->to == TRIAGE_CONTACT_NOT_REACHED)
                r->unreachable++;
            if (ev->to == TRIAGE_CONTACT_REACHED && cs)
                rc = first_contacts(b, cs, ev, in);
            break;
        case TRIAGE_EVENT_MILESTONE:
            if (in && ev->to == TRIAGE_MILESTONE_PLAN_REVIEWED)
                r->plan_reviews++;
            break;
        case TRIAGE_EVENT_CLASSIFIED:
            if (in && cs && ev->to > 0 && ev->to < QUADRANTS)
                cs->quadrant = (uint8_t)ev->to;
            break;
        case TRIAGE_EVENT_WORKER_ASSIGNED:
            if (in && !triage_id_is_nil(&ev->to_id)) {
                r->over_soft_cap += (ev->reason & TRIAGE_EVENT_OVER_SOFT_CAP) != 0;
                r->over_hard_cap += (ev->reason & TRIAGE_EVENT_OVER_HARD_CAP) != 0;
                triage_report_workers_t *w = find_worker(b, &ev->to_id);
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
        if (rc)
            return rc;
    }
    return TRIAGE_OK;
}

/* The wait of each intake of `cs` to its assessment start: the day its
 * assessment-start row (D2/D3/D4/D6/D8, not superseded) was met, when that
 * day lies in the period (`rows` judged on the period's last day). */
static triage_status_t assessment_waits(build *b, const case_slot *cs,
                                        const triage_case_deadline_t *rows, size_t n)
{
    const triage_report_t *r = b->r;
    for (size_t i = 0; i < cs->nintakes; i++) {
        const intake_slot *x = &cs->intakes[i];
        triage_date_t met = NONE;
        for (size_t k = 0; k < n; k++) {
            const triage_case_deadline_t *d = &rows[k];
            if (d->deadline.milestone == TRIAGE_MILESTONE_ASSESSMENT_STARTED &&
                d->met != NONE && !(d->flags & TRIAGE_DEADLINE_SUPERSEDED) &&
                !triage_id_compare(&d->intake, &x->id) && (met == NONE || d->met < met))
                met = d->met;
        }
        if (met != NONE && met >= r->first_day && met <= r->last_day) {
            triage_status_t rc = add_wait(b, TRIAGE_WAIT_ASSESSMENT_START, x->received, met);
            if (rc)
                return rc;
        }
    }
    return TRIAGE_OK;
}

/* Deadline rows due inside the period, every intake's, judged on its last
 * day from the case snapshot (rows and the dates their milestones were
 * met). A milestone met after the period counts as not met yet, so the
 * report of a past period does not change when later work is recorded. A
 * row met on arrival counts in its own column. */
static triage_status_t scan_deadlines(build *b)
{
    triage_report_t *r = b->r;
    for (size_t i = 0; i < b->ncases; i++) {
        const triage_case_t *c = &b->cases[i].c;
        /* each row's state on the period's last day (a milestone met later
         * counts as not met yet; closed in time without it: cancelled) */
        triage_case_deadline_t *rows = NULL;
        size_t n = 0;
        triage_status_t rc = triage_case_deadlines(&rows, &n, NULL, TRIAGE_CASE_DEADLINE_VERSION,
                                                   b->e, &c->id, r->last_day, 0);
        if (rc)
            return rc;
        if ((rc = assessment_waits(b, &b->cases[i], rows, n))) {
            triage_free(rows);
            return rc;
        }
        for (size_t k = 0; k < n; k++)
            triage__report_count_deadline(r, &rows[k], r->first_day, r->last_day);
        triage_free(rows);
    }
    return TRIAGE_OK;
}

void triage__report_count_stage(triage_report_t *r, const triage_event_t *ev)
{
    if (ev->from == TRIAGE_STAGE_GUIDANCE) {
        r->guidance_left++;
        if (ev->to == TRIAGE_STAGE_CLOSED && resolves_at_guidance(ev->reason))
            r->guidance_resolved++;
    }
    if (ev->to == TRIAGE_STAGE_ASSESSMENT)
        r->assess_started++;
    if (ev->from == TRIAGE_STAGE_ASSESSMENT && ev->to != TRIAGE_STAGE_CLOSED)
        r->assess_completed++;
    if (ev->to == TRIAGE_STAGE_PLANNING)
        r->plans++;
    if (ev->to == TRIAGE_STAGE_CLOSED && ev->reason > 0 && ev->reason < REASONS)
        r->closings[ev->reason]++;
}

void triage__report_count_deadline(triage_report_t *r, const triage_case_deadline_t *row,
                                   triage_date_t first, triage_date_t last)
{
    const triage_deadline_t *d = &row->deadline;
    if (d->due < first || d->due > last || (int)d->basis <= 0 || (int)d->basis >= BASES)
        return;
    triage_deadline_state_t st = row->state;
    triage_report_deadlines_t *o = &r->deadlines[d->basis];
    if (st == TRIAGE_DEADLINE_CANCELLED)
        o->cancelled++;
    else if (st == TRIAGE_DEADLINE_MET && (row->flags & TRIAGE_DEADLINE_MET_ON_ARRIVAL))
        o->met_on_arrival++;
    else if (st == TRIAGE_DEADLINE_MET)
        o->met++;
    else if (st == TRIAGE_DEADLINE_MISSED || st == TRIAGE_DEADLINE_MET_LATE)
        o->missed++;
    else
        o->open++;
}

triage_status_t triage__report_totals(triage_report_t *r)
{
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
        r->deadlines[0].met_on_arrival += r->deadlines[i].met_on_arrival;
    }
    for (int i = 0; i < BASES; i++)
        r->deadlines[i].version = TRIAGE_REPORT_DEADLINES_VERSION;
    return triage__report_groups(r);
}

triage_status_t triage__report_groups(triage_report_t *r)
{
    memset(r->roles, 0, sizeof r->roles);
    triage__free(&r->alloc, r->teams);
    r->teams = NULL;
    r->nteams = 0;
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
        r->teams = triage__calloc(&r->alloc, nteams, sizeof *r->teams);
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

static triage_status_t summarise(build *b)
{
    triage_report_t *r = b->r;
    for (size_t i = 0; i < b->ncases; i++)
        if (b->cases[i].quadrant) {
            r->quadrants[b->cases[i].quadrant]++;
            r->quadrants[0]++;
        }
    for (int w = 1; w < WAITS; w++)
        wait_finish(&r->waits[w], &b->waits[w]);
    return triage__report_totals(r);
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

    triage_status_t rc = collect_events(&b);
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
        rc = triage__report_fill_load(b.r, engine);
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

double triage__report_share_of(uint32_t part, uint32_t whole)
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
        *share = triage__report_share_of(r->guidance_resolved, r->guidance_left);
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

TRIAGE_API triage_status_t triage_report_plan_reviews(uint32_t *out, const triage_report_t *r)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    *out = r->plan_reviews;
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

static const size_t deadlines_sizes[] = {sizeof(triage_report_deadlines_t)};

TRIAGE_API triage_status_t triage_report_deadlines(triage_report_deadlines_t *out,
                                                   const triage_report_t *r,
                                                   triage_legal_basis_t basis)
{
    size_t size = triage__out_size(out, deadlines_sizes, TRIAGE__ARRAY_LEN(deadlines_sizes),
                                   "out.version");
    if (!size)
        return triage_error_last()->code;
    if (!r)
        return triage__error_null("report");
    if ((unsigned)basis >= BASES)
        return triage__error(TRIAGE_EINVAL, "basis", "unknown legal basis");
    memcpy(out, &r->deadlines[basis], size);
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

TRIAGE_API triage_status_t triage_report_failed_contacts(uint32_t *no_shows,
                                                         uint32_t *unreachable,
                                                         const triage_report_t *r)
{
    if (!r)
        return triage__error_null("report");
    if (no_shows)
        *no_shows = r->no_shows;
    if (unreachable)
        *unreachable = r->unreachable;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_report_over_cap(uint32_t *over_soft, uint32_t *over_hard,
                                                  const triage_report_t *r)
{
    if (!over_soft)
        return triage__error_null("over_soft");
    if (!over_hard)
        return triage__error_null("over_hard");
    if (!r)
        return triage__error_null("report");
    *over_soft = r->over_soft_cap;
    *over_hard = r->over_hard_cap;
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

static const size_t balance_sizes[] = {sizeof(triage_balance_t)};

TRIAGE_API triage_status_t triage_report_balance(triage_balance_t *out,
                                                 const triage_report_t *r, triage_role_t role,
                                                 int32_t team)
{
    size_t size = triage__out_size(out, balance_sizes, TRIAGE__ARRAY_LEN(balance_sizes),
                                   "out.version");
    if (!size)
        return triage_error_last()->code;
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
    memcpy(out, &r->balance[(size_t)role * (r->nteams + 1u) + t], size);
    return TRIAGE_OK;
}
