/*
 * The torture test's checks, after every process has ended: the journals
 * of the calls that returned OK, the events and the records read with
 * direct SQL, and a fresh engine on the same database.
 *
 *  1. every call that returned OK is in the database exactly once, and
 *     nothing is there that no call made (except what a killed call left);
 *  2. no update was lost: replaying the events gives every case's stage,
 *     workers, contact attempts, no-shows, classification, closing reason
 *     and children, and every client's counters and responsible worker, as
 *     stored; each event's "from" is the state the replay holds before it;
 *  3. no case has two responsible workers: a worker change names the
 *     worker it replaced, and a client's responsible worker is that of its
 *     active case;
 *  4. no worker got a case on a day they were recorded absent;
 *  5. no cap was exceeded through a race: the LSL 13 b § children never,
 *     the hard cap in clients only when every other candidate was at it,
 *     and every assignment over a cap says so;
 *  6. the events are gap-free (1..N);
 *  7. loads equal a fresh count: the replay, a fresh engine and every
 *     long-running engine (its loads after its last refresh) against a
 *     count over the open cases read with SQL.
 */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "torture.h"

static int problems;
static int shown;

static void bad(const char *fmt, ...)
{
    problems++;
    if (shown++ >= 40)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stdout, "torture: CHECK FAILED: ");
    vfprintf(stdout, fmt, ap);
    fprintf(stdout, "\n");
    va_end(ap);
}

/* ---- ids -------------------------------------------------------------------- */

static triage_id_t parse_id(const char *s)
{
    triage_id_t id;
    memset(&id, 0, sizeof id);
    if (s && *s)
        triage_id_parse(&id, s);
    return id;
}

static int id_eq(const triage_id_t *a, const triage_id_t *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static int is_nil(const triage_id_t *a)
{
    return triage_id_is_nil(a);
}

/* An open-addressing map from id to index. */
typedef struct {
    triage_id_t *keys;
    int *vals;
    size_t cap;
} idmap;

static size_t id_hash(const triage_id_t *id)
{
    uint64_t h;
    memcpy(&h, id->bytes + 4, sizeof h);
    return (size_t)(h * UINT64_C(0x9E3779B97F4A7C15) >> 7);
}

static void map_init(idmap *m, size_t n)
{
    m->cap = 16;
    while (m->cap < n * 2 + 16)
        m->cap *= 2;
    m->keys = calloc(m->cap, sizeof *m->keys);
    m->vals = malloc(m->cap * sizeof *m->vals);
    for (size_t i = 0; i < m->cap; i++)
        m->vals[i] = -1;
}

static void map_put(idmap *m, const triage_id_t *id, int v)
{
    size_t i = id_hash(id) & (m->cap - 1);
    while (m->vals[i] >= 0 && !id_eq(&m->keys[i], id))
        i = (i + 1) & (m->cap - 1);
    m->keys[i] = *id;
    m->vals[i] = v;
}

static int map_get(const idmap *m, const triage_id_t *id)
{
    if (is_nil(id))
        return -1;
    size_t i = id_hash(id) & (m->cap - 1);
    while (m->vals[i] >= 0) {
        if (id_eq(&m->keys[i], id))
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return -1;
}

static void map_free(idmap *m)
{
    free(m->keys);
    free(m->vals);
}

static long long num(const char *s)
{
    return s ? strtoll(s, NULL, 10) : 0;
}

static triage_date_t date_of(const char *s)
{
    triage_date_t d = TRIAGE_DATE_NONE;
    if (s)
        triage_date_parse(&d, s);
    return d;
}

static triage_date_t local_date(int64_t ms)
{
    triage_date_t d = TRIAGE_DATE_NONE;
    triage_local_time(&d, NULL, ms);
    return d;
}

/* ---- what the database holds --------------------------------------------------- */

typedef struct {
    int64_t seq, at;
    triage_id_t case_id, subject, from_id, to_id, intake;
    int kind, from, to, reason;
} ev_t;

typedef struct {
    triage_id_t id, client;
    /* stored */
    int stage, contact_attempts, no_shows, closing_reason, quadrant, children, kind, service,
        urgency;
    triage_id_t resp, assess, pair;
    int nintakes_stored;
    /* replayed */
    int r_stage, r_attempts, r_no_shows, r_closing, r_quadrant, r_children, r_intakes, r_seen;
    triage_id_t r_resp, r_assess, r_pair;
} case_t;

typedef struct {
    triage_id_t id, active, resp;
    int failed, no_shows;
    triage_id_t r_active, r_resp;
    int r_failed, r_no_shows, r_seen;
} client_t;

typedef struct {
    triage_id_t id;
    double fte;
    int role;
    int r_clients, r_cw; /* replayed */
    int s_clients, s_cases, s_cw; /* fresh count with SQL */
    double s_weighted;
} worker_t;

typedef struct {
    triage_id_t id, worker;
    triage_date_t start, end;
    int removed, r_active, r_seen;
} absence_t;

typedef struct {
    triage_id_t id, case_id;
    int children;
} intake_t;

typedef struct {
    ev_t *ev;
    size_t nev;
    case_t *cases;
    size_t ncases;
    client_t *clients;
    size_t nclients;
    worker_t workers[TT_WORKERS * 2];
    size_t nworkers;
    absence_t *abs;
    size_t nabs;
    intake_t *intakes;
    size_t nintakes;
    idmap mcase, mclient, mworker, mabs, mintake;
} db_t;

static int load(db_t *d, tt_sql *sql)
{
    tt_rows r;
    if (tt_sql_query(&r, sql,
                     "SELECT seq, at_ms, case_id, subject, kind, \"from\", \"to\", reason, from_id, "
                     "to_id, intake FROM events ORDER BY seq"))
        return -1;
    d->nev = r.nrows;
    d->ev = calloc(r.nrows + 1, sizeof *d->ev);
    for (size_t i = 0; i < r.nrows; i++) {
        ev_t *e = &d->ev[i];
        e->seq = num(tt_cell(&r, i, 0));
        e->at = num(tt_cell(&r, i, 1));
        e->case_id = parse_id(tt_cell(&r, i, 2));
        e->subject = parse_id(tt_cell(&r, i, 3));
        e->kind = (int)num(tt_cell(&r, i, 4));
        e->from = (int)num(tt_cell(&r, i, 5));
        e->to = (int)num(tt_cell(&r, i, 6));
        e->reason = (int)num(tt_cell(&r, i, 7));
        e->from_id = parse_id(tt_cell(&r, i, 8));
        e->to_id = parse_id(tt_cell(&r, i, 9));
        e->intake = parse_id(tt_cell(&r, i, 10));
    }
    tt_rows_free(&r);

    if (tt_sql_query(&r, sql,
                     "SELECT id, client, stage, contact_attempts, no_shows, closing_reason, quadrant, "
                     "children, kind, service, urgency, responsible, assessment_worker, pair, "
                     "(SELECT count(*) FROM intakes i WHERE i.case_id = c.id) FROM cases c"))
        return -1;
    d->ncases = r.nrows;
    d->cases = calloc(r.nrows + 1, sizeof *d->cases);
    map_init(&d->mcase, r.nrows);
    for (size_t i = 0; i < r.nrows; i++) {
        case_t *c = &d->cases[i];
        c->id = parse_id(tt_cell(&r, i, 0));
        c->client = parse_id(tt_cell(&r, i, 1));
        c->stage = (int)num(tt_cell(&r, i, 2));
        c->contact_attempts = (int)num(tt_cell(&r, i, 3));
        c->no_shows = (int)num(tt_cell(&r, i, 4));
        c->closing_reason = (int)num(tt_cell(&r, i, 5));
        c->quadrant = (int)num(tt_cell(&r, i, 6));
        c->children = (int)num(tt_cell(&r, i, 7));
        c->kind = (int)num(tt_cell(&r, i, 8));
        c->service = (int)num(tt_cell(&r, i, 9));
        c->urgency = (int)num(tt_cell(&r, i, 10));
        c->resp = parse_id(tt_cell(&r, i, 11));
        c->assess = parse_id(tt_cell(&r, i, 12));
        c->pair = parse_id(tt_cell(&r, i, 13));
        c->nintakes_stored = (int)num(tt_cell(&r, i, 14));
        map_put(&d->mcase, &c->id, (int)i);
    }
    tt_rows_free(&r);

    if (tt_sql_query(&r, sql,
                     "SELECT id, active_case, responsible_worker, failed_contacts, no_shows FROM clients"))
        return -1;
    d->nclients = r.nrows;
    d->clients = calloc(r.nrows + 1, sizeof *d->clients);
    map_init(&d->mclient, r.nrows);
    for (size_t i = 0; i < r.nrows; i++) {
        client_t *c = &d->clients[i];
        c->id = parse_id(tt_cell(&r, i, 0));
        c->active = parse_id(tt_cell(&r, i, 1));
        c->resp = parse_id(tt_cell(&r, i, 2));
        c->failed = (int)num(tt_cell(&r, i, 3));
        c->no_shows = (int)num(tt_cell(&r, i, 4));
        map_put(&d->mclient, &c->id, (int)i);
    }
    tt_rows_free(&r);

    if (tt_sql_query(&r, sql, "SELECT id, fte, role FROM workers"))
        return -1;
    d->nworkers = r.nrows < TT_WORKERS * 2 ? r.nrows : TT_WORKERS * 2;
    map_init(&d->mworker, d->nworkers);
    for (size_t i = 0; i < d->nworkers; i++) {
        worker_t *w = &d->workers[i];
        w->id = parse_id(tt_cell(&r, i, 0));
        w->fte = strtod(tt_cell(&r, i, 1), NULL);
        w->role = (int)num(tt_cell(&r, i, 2));
        map_put(&d->mworker, &w->id, (int)i);
    }
    tt_rows_free(&r);

    if (tt_sql_query(&r, sql, "SELECT id, worker, start, \"end\", removed FROM absences"))
        return -1;
    d->nabs = r.nrows;
    d->abs = calloc(r.nrows + 1, sizeof *d->abs);
    map_init(&d->mabs, r.nrows);
    for (size_t i = 0; i < r.nrows; i++) {
        absence_t *a = &d->abs[i];
        a->id = parse_id(tt_cell(&r, i, 0));
        a->worker = parse_id(tt_cell(&r, i, 1));
        a->start = date_of(tt_cell(&r, i, 2));
        a->end = date_of(tt_cell(&r, i, 3));
        a->removed = (int)num(tt_cell(&r, i, 4));
        map_put(&d->mabs, &a->id, (int)i);
    }
    tt_rows_free(&r);

    if (tt_sql_query(&r, sql, "SELECT id, case_id, children FROM intakes"))
        return -1;
    d->nintakes = r.nrows;
    d->intakes = calloc(r.nrows + 1, sizeof *d->intakes);
    map_init(&d->mintake, r.nrows);
    for (size_t i = 0; i < r.nrows; i++) {
        intake_t *in = &d->intakes[i];
        in->id = parse_id(tt_cell(&r, i, 0));
        in->case_id = parse_id(tt_cell(&r, i, 1));
        in->children = (int)num(tt_cell(&r, i, 2));
        map_put(&d->mintake, &in->id, (int)i);
    }
    tt_rows_free(&r);
    return 0;
}

static void db_free(db_t *d)
{
    free(d->ev);
    free(d->cases);
    free(d->clients);
    free(d->abs);
    free(d->intakes);
    map_free(&d->mcase);
    map_free(&d->mclient);
    map_free(&d->mworker);
    map_free(&d->mabs);
    map_free(&d->mintake);
}

/* ---- replay ---------------------------------------------------------------------- */

static int cw_children(const case_t *c, int children)
{
    int cw = c->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION || c->service == TRIAGE_SERVICE_FAMILY;
    return cw ? (children > 0 ? children : 1) : 0;
}

static int hard_clients(double fte)
{
    return (int)floor(TT_HARD_CAP * fte + 1e-9);
}

static int soft_clients(double fte)
{
    return (int)floor(TT_SOFT_CAP * fte + 1e-9);
}

/* Absent on date `d` (or, with `until`, on any day from d to until) by the
 * absences the replay holds now. */
static int absent(const db_t *d, int w, triage_date_t from, triage_date_t until)
{
    for (size_t i = 0; i < d->nabs; i++) {
        const absence_t *a = &d->abs[i];
        if (a->r_active && id_eq(&a->worker, &d->workers[w].id) && a->start <= until &&
            a->end >= from)
            return 1;
    }
    return 0;
}

typedef struct {
    long assignments, over_soft, over_hard, cw_assignments, absence_checks;
    long fairness_checked, batch_over, batch_unfair;
} replay_counts;

/* A responsible worker leaves (or joins, sign +1) an open case. */
static void resp_share(db_t *d, const case_t *c, const triage_id_t *w, int sign)
{
    int k = map_get(&d->mworker, w);
    if (k < 0)
        return;
    d->workers[k].r_clients += sign;
    d->workers[k].r_cw += sign * cw_children(c, c->r_children);
}

static void check_fairness(db_t *d, size_t first, size_t last, replay_counts *rc);

static void replay(db_t *d, replay_counts *rc)
{
    for (size_t i = 0; i < d->nev; i++)
        if (d->ev[i].seq != (int64_t)i + 1) {
            bad("events are not gap-free: event %zu has sequence number %lld", i + 1,
                (long long)d->ev[i].seq);
            break;
        }
    size_t group = 0;
    for (size_t i = 0; i < d->nev; i++) {
        const ev_t *e = &d->ev[i];
        int ci = map_get(&d->mcase, &e->case_id);
        case_t *c = ci >= 0 ? &d->cases[ci] : NULL;
        if (!is_nil(&e->case_id) && !c) {
            bad("event %lld names a case that is not stored", (long long)e->seq);
            continue;
        }
        client_t *cl = c ? (map_get(&d->mclient, &c->client) >= 0
                                ? &d->clients[map_get(&d->mclient, &c->client)]
                                : NULL)
                         : NULL;
        switch (e->kind) {
        case TRIAGE_EVENT_CLIENT_CREATED: {
            int k = map_get(&d->mclient, &e->subject);
            if (k < 0)
                bad("event %lld: a created client is not stored", (long long)e->seq);
            else if (d->clients[k].r_seen++)
                bad("event %lld: a client created twice", (long long)e->seq);
            break;
        }
        case TRIAGE_EVENT_INTAKE:
        case TRIAGE_EVENT_ATTACHED: {
            int k = map_get(&d->mintake, &e->intake);
            if (k < 0 || !id_eq(&d->intakes[k].case_id, &e->case_id)) {
                bad("event %lld: its intake is not stored with its case", (long long)e->seq);
                break;
            }
            int children = d->intakes[k].children;
            if (e->kind == TRIAGE_EVENT_INTAKE) {
                if (c->r_seen++)
                    bad("event %lld: a case opened twice", (long long)e->seq);
                c->r_stage = e->to;
                c->r_children = children;
            } else if (children > c->r_children) {
                if (!is_nil(&c->r_resp) && c->r_stage != TRIAGE_STAGE_CLOSED)
                    resp_share(d, c, &c->r_resp, -1);
                c->r_children = children;
                if (!is_nil(&c->r_resp) && c->r_stage != TRIAGE_STAGE_CLOSED)
                    resp_share(d, c, &c->r_resp, +1);
            }
            c->r_intakes++;
            break;
        }
        case TRIAGE_EVENT_STAGE_CHANGED:
            if (e->from != c->r_stage)
                bad("event %lld: a move from stage %d, but the case was in %d (a lost update)",
                    (long long)e->seq, e->from, c->r_stage);
            if (e->to == TRIAGE_STAGE_CLOSED && c->r_stage != TRIAGE_STAGE_CLOSED) {
                if (!is_nil(&c->r_resp))
                    resp_share(d, c, &c->r_resp, -1);
                c->r_closing = e->reason;
                if (cl && id_eq(&cl->r_active, &c->id)) {
                    memset(&cl->r_active, 0, sizeof cl->r_active);
                    memset(&cl->r_resp, 0, sizeof cl->r_resp);
                }
            }
            c->r_stage = e->to;
            break;
        case TRIAGE_EVENT_CLASSIFIED:
            if (e->from != c->r_quadrant)
                bad("event %lld: a classification from quadrant %d, but the case had %d",
                    (long long)e->seq, e->from, c->r_quadrant);
            c->r_quadrant = e->to;
            break;
        case TRIAGE_EVENT_CONTACT_ATTEMPT:
            if (e->to == TRIAGE_CONTACT_NOT_REACHED) {
                c->r_attempts++;
                if (cl)
                    cl->r_failed++;
            } else if (e->to == TRIAGE_CONTACT_REACHED) {
                c->r_attempts = 0;
            } else {
                c->r_no_shows++;
                if (cl)
                    cl->r_no_shows++;
            }
            if (e->from != c->r_attempts)
                bad("event %lld: a contact attempt counted %d, the replay %d (a lost update)",
                    (long long)e->seq, e->from, c->r_attempts);
            break;
        case TRIAGE_EVENT_WORKER_ASSIGNED: {
            int slot = e->reason & 0xff;
            triage_id_t *holder = slot == TRIAGE_SLOT_ASSESSMENT ? &c->r_assess
                                  : slot == TRIAGE_SLOT_RESPONSIBLE ? &c->r_resp
                                                                    : &c->r_pair;
            if (!id_eq(holder, &e->from_id))
                bad("event %lld: a worker change replaces a worker who did not hold the slot "
                    "(two workers in one slot)",
                    (long long)e->seq);
            if (c->r_stage == TRIAGE_STAGE_CLOSED)
                bad("event %lld: a worker assigned to a closed case", (long long)e->seq);
            int w = map_get(&d->mworker, &e->to_id);
            if (!is_nil(&e->to_id)) {
                rc->assignments++;
                if (w < 0) {
                    bad("event %lld: an assigned worker is not stored", (long long)e->seq);
                    break;
                }
                triage_date_t day = local_date(e->at);
                rc->absence_checks++;
                if (absent(d, w, day, day))
                    bad("event %lld: a worker got a case on a day they were recorded absent",
                        (long long)e->seq);
            }
            if (slot == TRIAGE_SLOT_RESPONSIBLE) {
                if (w >= 0) {
                    worker_t *wk = &d->workers[w];
                    int after = wk->r_clients + 1;
                    int over_hard = after > hard_clients(wk->fte);
                    int over_soft = after > soft_clients(wk->fte);
                    rc->over_hard += over_hard;
                    rc->over_soft += over_soft;
                    if (over_hard != !!(e->reason & TRIAGE_EVENT_OVER_HARD_CAP) ||
                        over_soft != !!(e->reason & TRIAGE_EVENT_OVER_SOFT_CAP))
                        bad("event %lld: the worker goes to %d clients (caps %d/%d), the event "
                            "says over soft %d, over hard %d",
                            (long long)e->seq, after, soft_clients(wk->fte), hard_clients(wk->fte),
                            !!(e->reason & TRIAGE_EVENT_OVER_SOFT_CAP),
                            !!(e->reason & TRIAGE_EVENT_OVER_HARD_CAP));
                    int cw = cw_children(c, c->r_children);
                    if (cw) {
                        rc->cw_assignments++;
                        if (wk->r_cw + cw > TT_CHILD_CAP)
                            bad("event %lld: LSL 13 b §: the worker goes to %d children (cap %d)",
                                (long long)e->seq, wk->r_cw + cw, TT_CHILD_CAP);
                    }
                }
                if (!is_nil(&c->r_resp))
                    resp_share(d, c, &c->r_resp, -1);
                if (w >= 0)
                    resp_share(d, c, &e->to_id, +1);
                if (cl) {
                    if (!is_nil(&e->to_id)) {
                        cl->r_active = c->id;
                        cl->r_resp = e->to_id;
                    } else if (id_eq(&cl->r_active, &c->id)) {
                        memset(&cl->r_active, 0, sizeof cl->r_active);
                        memset(&cl->r_resp, 0, sizeof cl->r_resp);
                    }
                }
            }
            *holder = e->to_id;
            break;
        }
        case TRIAGE_EVENT_ABSENCE_ADDED: {
            int k = map_get(&d->mabs, &e->to_id);
            if (k < 0) {
                bad("event %lld: an added absence is not stored", (long long)e->seq);
                break;
            }
            absence_t *a = &d->abs[k];
            if (a->r_seen++)
                bad("event %lld: an absence added twice", (long long)e->seq);
            a->r_active = 1;
            if (a->start != e->from || a->end != e->to || !id_eq(&a->worker, &e->subject))
                bad("event %lld: the absence's event and record differ", (long long)e->seq);
            break;
        }
        case TRIAGE_EVENT_ABSENCE_REMOVED: {
            int k = map_get(&d->mabs, &e->to_id);
            if (k < 0 || !d->abs[k].r_active)
                bad("event %lld: an absence removed that was not there", (long long)e->seq);
            else
                d->abs[k].r_active = 0;
            break;
        }
        default:
            break;
        }
        /* the end of a commit: the events of one call share its time */
        if (i + 1 == d->nev || d->ev[i + 1].at != e->at) {
            check_fairness(d, group, i, rc);
            group = i + 1;
        }
    }
}

/* The hard cap: a worker went above it only when every other candidate
 * was at it too. The candidates the check can judge: the active social
 * workers (who qualify for every case) present on every day of the next
 * 60 (longer than any response deadline), with room for the case's
 * children. Judged at the end of the commit, so that a batch's other cases
 * count. */
static int cmp_i64(const void *a, const void *b);

/* The times of the distributions (batches), from the journals: online
 * assignments are judged strictly, batches reported. */
static int64_t *batch_at, *orphan_at;
static size_t nbatch_at, norphan_at;

static void check_fairness(db_t *d, size_t first, size_t last, replay_counts *rc)
{
    /* a batch: a journaled distribution, or an unjournaled commit (a killed
     * call, which may have been one) */
    int batch = bsearch(&d->ev[first].at, batch_at, nbatch_at, sizeof *batch_at, cmp_i64) != NULL ||
                bsearch(&d->ev[first].at, orphan_at, norphan_at, sizeof *orphan_at, cmp_i64) != NULL;
    for (size_t i = first; i <= last; i++)
        batch |= d->ev[i].kind == TRIAGE_EVENT_WORKER_ASSIGNED &&
                 !id_eq(&d->ev[i].case_id, &d->ev[first].case_id);
    for (size_t i = first; i <= last; i++) {
        const ev_t *e = &d->ev[i];
        if (e->kind != TRIAGE_EVENT_WORKER_ASSIGNED || !(e->reason & TRIAGE_EVENT_OVER_HARD_CAP))
            continue;
        const case_t *c = &d->cases[map_get(&d->mcase, &e->case_id)];
        if (batch)
            rc->batch_over++;
        else
            rc->fairness_checked++;
        triage_date_t day = local_date(e->at);
        int cw = cw_children(c, c->r_children);
        for (size_t w = 0; w < d->nworkers; w++) {
            const worker_t *wk = &d->workers[w];
            if (id_eq(&wk->id, &e->to_id) || wk->role != TRIAGE_ROLE_SOCIAL_WORKER)
                continue;
            if (absent(d, (int)w, day, day + 60))
                continue;
            if (cw && wk->r_cw + cw > TT_CHILD_CAP)
                continue;
            /* the case's previous responsible worker gave it up in this
             * commit: it had room for it by definition */
            if (id_eq(&wk->id, &e->from_id))
                continue;
            if (wk->r_clients < hard_clients(wk->fte)) {
                if (batch) {
                    /* Distribution decides each case's candidates apart
                     * (an IMMEDIATE case's duty pair while one member has
                     * room for it alone) and counts a client given away in
                     * the same batch still: it can put a case above the cap
                     * while another worker has room. Deterministic, not a
                     * race: counted and reported (docs/storage.md). */
                    rc->batch_unfair++;
                    break;
                }
                char b1[37], b2[37];
                triage_id_format(b1, sizeof b1, &wk->id);
                triage_id_format(b2, sizeof b2, &e->to_id);
                bad("event %lld: an assignment went above the hard cap while another worker had "
                    "room (%.8s: %d of %d clients; chosen %.8s)",
                    (long long)e->seq, b1, wk->r_clients, hard_clients(wk->fte), b2);
            }
        }
    }
}

/* ---- the journals ---------------------------------------------------------------- */

typedef struct {
    char op;
    int64_t at;
    char *rest;
} jline;

typedef struct {
    jline *lines;
    size_t n, cap;
    unsigned long long races, conflicts, refreshes, rebased;
    int files;
} journals;

static void read_journals(journals *j, const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        bad("cannot read %s", dir);
        return;
    }
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        if (strncmp(de->d_name, "journal-", 8) != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        j->files++;
        char line[2048];
        unsigned long long r = 0, c = 0, f3 = 0, rb = 0;
        while (fgets(line, sizeof line, f)) {
            size_t len = strlen(line);
            if (!len || line[len - 1] != '\n')
                break; /* a line a kill cut short: its call counts as under way */
            line[--len] = 0;
            if (line[0] == 'S') {
                sscanf(line + 2, "%llu %llu %llu %llu", &r, &c, &f3, &rb);
                continue;
            }
            if (j->n == j->cap) {
                j->cap = j->cap ? j->cap * 2 : 1024;
                j->lines = realloc(j->lines, j->cap * sizeof *j->lines);
            }
            jline *l = &j->lines[j->n++];
            l->op = line[0];
            char *end;
            l->at = strtoll(line + 2, &end, 10);
            l->rest = strdup(*end ? end + 1 : "");
        }
        j->races += r;
        j->conflicts += c;
        j->refreshes += f3;
        j->rebased += rb;
        fclose(f);
    }
    closedir(dp);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_jline(const void *a, const void *b)
{
    return cmp_i64(&((const jline *)a)->at, &((const jline *)b)->at);
}

typedef struct {
    int64_t at;
    size_t first, n; /* into the event array: the commit's events are contiguous */
} ev_group;

static int cmp_group(const void *a, const void *b)
{
    return cmp_i64(&((const ev_group *)a)->at, &((const ev_group *)b)->at);
}

static long count_kind(const db_t *d, const ev_group *g, int kind, const triage_id_t *case_id,
                       const triage_id_t *to_id)
{
    long n = 0;
    for (size_t i = g->first; i < g->first + g->n; i++) {
        const ev_t *e = &d->ev[i];
        if (e->kind == kind && (!case_id || id_eq(&e->case_id, case_id)) &&
            (!to_id || id_eq(&e->to_id, to_id)))
            n++;
    }
    return n;
}

static void check_journals(db_t *d, journals *j, const int64_t *orphans, size_t norphans,
                           long *matched)
{
    /* the events of each call, by its time */
    ev_group *g = calloc(d->nev + 1, sizeof *g);
    size_t ng = 0;
    for (size_t i = 0; i < d->nev; i++) {
        if (ng && g[ng - 1].at == d->ev[i].at && g[ng - 1].first + g[ng - 1].n == i) {
            g[ng - 1].n++;
            continue;
        }
        g[ng].at = d->ev[i].at;
        g[ng].first = i;
        g[ng].n = 1;
        ng++;
    }
    qsort(g, ng, sizeof *g, cmp_group);
    for (size_t i = 1; i < ng; i++)
        if (g[i].at == g[i - 1].at)
            bad("the events of one call are not one commit (time %lld, events %zu and %zu)",
                (long long)g[i].at, g[i - 1].first + 1, g[i].first + 1);
    qsort(j->lines, j->n, sizeof *j->lines, cmp_jline);
    for (size_t i = 1; i < j->n; i++)
        if (j->lines[i].at == j->lines[i - 1].at)
            bad("two journal lines have one time");
    size_t gi = 0;
    int *used = calloc(ng + 1, sizeof *used);
    for (size_t li = 0; li < j->n; li++) {
        const jline *l = &j->lines[li];
        while (gi < ng && g[gi].at < l->at)
            gi++;
        const ev_group *grp = gi < ng && g[gi].at == l->at ? &g[gi] : NULL;
        ev_group empty = {l->at, 0, 0};
        if (grp)
            used[gi] = 1;
        else
            grp = &empty;
        char a[64], b[64], c3[64];
        int x = 0, y = 0;
        triage_id_t id1, id2, id3;
        switch (l->op) {
        case 'C':
            sscanf(l->rest, "%63s", a);
            id1 = parse_id(a);
            if (count_kind(d, grp, TRIAGE_EVENT_CLIENT_CREATED, NULL, NULL) != 1 ||
                grp->n != 1 || !id_eq(&d->ev[grp->first].subject, &id1) ||
                map_get(&d->mclient, &id1) < 0)
                bad("an OK client_create is not in the database exactly once");
            break;
        case 'I': {
            sscanf(l->rest, "%63s %63s %63s %d", a, b, c3, &x);
            id1 = parse_id(a);
            id2 = parse_id(b);
            id3 = parse_id(c3);
            long n = 0;
            for (size_t i = grp->first; i < grp->first + grp->n; i++)
                n += (d->ev[i].kind == (x ? TRIAGE_EVENT_ATTACHED : TRIAGE_EVENT_INTAKE)) &&
                     id_eq(&d->ev[i].intake, &id3) && id_eq(&d->ev[i].case_id, &id2);
            int k = map_get(&d->mintake, &id3);
            int ck = map_get(&d->mcase, &id2);
            if (n != 1 || k < 0 || ck < 0 || !id_eq(&d->cases[ck].client, &id1))
                bad("an OK intake is not in the database exactly once (found %ld)", n);
            break;
        }
        case 'M':
            sscanf(l->rest, "%63s %d", a, &x);
            id1 = parse_id(a);
            if (count_kind(d, grp, TRIAGE_EVENT_STAGE_CHANGED, &id1, NULL) != 1 ||
                d->ev[grp->first].to != x)
                bad("an OK move is not in the database exactly once");
            break;
        case 'A':
            sscanf(l->rest, "%63s %d", a, &x);
            id1 = parse_id(a);
            if (count_kind(d, grp, TRIAGE_EVENT_CONTACT_ATTEMPT, &id1, NULL) != 1 ||
                d->ev[grp->first].to != x)
                bad("an OK contact attempt is not in the database exactly once");
            break;
        case 'K':
            sscanf(l->rest, "%63s %d", a, &x);
            id1 = parse_id(a);
            if (count_kind(d, grp, TRIAGE_EVENT_CLASSIFIED, &id1, NULL) != 1)
                bad("an OK classification is not in the database exactly once");
            break;
        case 'R':
            sscanf(l->rest, "%63s", a);
            id1 = parse_id(a);
            if (count_kind(d, grp, TRIAGE_EVENT_ASSESSMENT_RECORDED, &id1, NULL) != 1)
                bad("an OK assessment record is not in the database exactly once");
            break;
        case 'W': {
            sscanf(l->rest, "%63s %63s %d", a, b, &x);
            id1 = parse_id(a);
            id2 = parse_id(b);
            /* the worker's slots (none when they held them already) and
             * perhaps a proposed pair: each slot once, nothing else */
            long n = count_kind(d, grp, TRIAGE_EVENT_WORKER_ASSIGNED, &id1, NULL);
            int slots = 0, twice = 0;
            for (size_t i = grp->first; i < grp->first + grp->n; i++) {
                int bit = 1 << (d->ev[i].reason & 0xff);
                twice |= slots & bit;
                slots |= bit;
            }
            if ((is_nil(&id2) && grp->n != 0) || n != (long)grp->n || twice)
                bad("an OK assignment is not in the database exactly once (%ld events)", n);
            break;
        }
        case 'D': {
            int ncase = 0, off = 0, used_chars = 0;
            sscanf(l->rest, "%d%n", &ncase, &off);
            const char *p = l->rest + off;
            long total = 0;
            for (int k = 0; k < ncase; k++) {
                char pair[160];
                if (sscanf(p, " %159s%n", pair, &used_chars) != 1)
                    break;
                p += used_chars;
                pair[36] = pair[73] = 0;
                id1 = parse_id(pair);
                id2 = parse_id(pair + 37);
                if (is_nil(&id2))
                    continue;
                long n = count_kind(d, grp, TRIAGE_EVENT_WORKER_ASSIGNED, &id1, &id2);
                if (n > 2)
                    bad("an OK distribution assigned one case %ld times", n);
                total += n;
            }
            (void)total;
            break;
        }
        case 'B': {
            int s = 0, e = 0;
            sscanf(l->rest, "%63s %63s %d %d", a, b, &s, &e);
            id1 = parse_id(a);
            int k = map_get(&d->mabs, &id1);
            if (count_kind(d, grp, TRIAGE_EVENT_ABSENCE_ADDED, NULL, &id1) != 1 || k < 0 ||
                d->abs[k].start != s || d->abs[k].end != e)
                bad("an OK absence is not in the database exactly once");
            break;
        }
        case 'X': {
            sscanf(l->rest, "%63s", a);
            id1 = parse_id(a);
            int k = map_get(&d->mabs, &id1);
            if (count_kind(d, grp, TRIAGE_EVENT_ABSENCE_REMOVED, NULL, &id1) != 1 || k < 0 ||
                !d->abs[k].removed)
                bad("an OK absence removal is not in the database exactly once");
            break;
        }
        default:
            bad("a journal line of an unknown kind '%c'", l->op);
        }
        (void)y;
        (*matched)++;
    }
    /* what no journaled call made: only a call under way when its process
     * was killed may have left it */
    int64_t *orph = malloc((norphans + 1) * sizeof *orph);
    if (norphans)
        memcpy(orph, orphans, norphans * sizeof *orph);
    qsort(orph, norphans, sizeof *orph, cmp_i64);
    for (size_t i = 0; i < ng; i++) {
        if (used[i])
            continue;
        if (g[i].at < 0 || !bsearch(&g[i].at, orph, norphans, sizeof *orph, cmp_i64)) {
            /* the setup's events (policy, workers) come before the first tick */
            if (d->ev[g[i].first].kind == TRIAGE_EVENT_POLICY_CHANGED ||
                d->ev[g[i].first].kind == TRIAGE_EVENT_WORKER_CREATED)
                continue;
            bad("events that no OK call made and no killed call left (event %zu, kind %d)",
                g[i].first + 1, d->ev[g[i].first].kind);
        }
    }
    free(orph);
    free(used);
    free(g);
}

/* ---- the records against the replay ----------------------------------------------- */

static void check_records(db_t *d)
{
    for (size_t i = 0; i < d->ncases; i++) {
        const case_t *c = &d->cases[i];
        if (!c->r_seen) {
            bad("a stored case has no INTAKE event");
            continue;
        }
        if (c->stage != c->r_stage || c->contact_attempts != c->r_attempts ||
            c->no_shows != c->r_no_shows || c->quadrant != c->r_quadrant ||
            (c->stage == TRIAGE_STAGE_CLOSED && c->closing_reason != c->r_closing) ||
            c->children != c->r_children || c->nintakes_stored != c->r_intakes ||
            !id_eq(&c->resp, &c->r_resp) || !id_eq(&c->assess, &c->r_assess) ||
            !id_eq(&c->pair, &c->r_pair))
            bad("a case differs from the replay of its events: stage %d/%d, attempts %d/%d, "
                "no-shows %d/%d, quadrant %d/%d, children %d/%d, intakes %d/%d, workers %d%d%d",
                c->stage, c->r_stage, c->contact_attempts, c->r_attempts, c->no_shows,
                c->r_no_shows, c->quadrant, c->r_quadrant, c->children, c->r_children,
                c->nintakes_stored, c->r_intakes, id_eq(&c->resp, &c->r_resp),
                id_eq(&c->assess, &c->r_assess), id_eq(&c->pair, &c->r_pair));
    }
    for (size_t i = 0; i < d->nclients; i++) {
        const client_t *c = &d->clients[i];
        if (c->failed != c->r_failed || c->no_shows != c->r_no_shows ||
            !id_eq(&c->active, &c->r_active) || !id_eq(&c->resp, &c->r_resp))
            bad("a client differs from the replay: failed contacts %d/%d, no-shows %d/%d, "
                "active case %d, responsible %d",
                c->failed, c->r_failed, c->no_shows, c->r_no_shows, id_eq(&c->active, &c->r_active),
                id_eq(&c->resp, &c->r_resp));
        if (!is_nil(&c->active)) {
            int k = map_get(&d->mcase, &c->active);
            if (k < 0 || d->cases[k].stage == TRIAGE_STAGE_CLOSED ||
                !id_eq(&d->cases[k].resp, &c->resp) || !id_eq(&d->cases[k].client, &c->id))
                bad("a client's responsible worker is not that of its active, open case");
        } else if (!is_nil(&c->resp)) {
            bad("a client has a responsible worker and no active case");
        }
    }
    for (size_t i = 0; i < d->nabs; i++)
        if (d->abs[i].removed == d->abs[i].r_active || !d->abs[i].r_seen)
            bad("an absence differs from the replay of its events");
}

/* ---- loads ------------------------------------------------------------------------ */

static double case_weight(const case_t *c)
{
    static const double q[] = {1.0, 0.5, 1.0, 1.5, 2.0};
    double w = c->quadrant >= 1 && c->quadrant <= 4 ? q[c->quadrant] : q[0];
    if (c->stage == TRIAGE_STAGE_PLANNING || c->stage == TRIAGE_STAGE_CASEWORK)
        w *= 0.7;
    if (c->urgency == TRIAGE_URGENCY_IMMEDIATE || c->urgency == TRIAGE_URGENCY_URGENT)
        w += 0.5;
    return w;
}

static void fresh_count(db_t *d)
{
    for (size_t i = 0; i < d->ncases; i++) {
        const case_t *c = &d->cases[i];
        if (c->stage == TRIAGE_STAGE_CLOSED)
            continue;
        double w = case_weight(c);
        int r = map_get(&d->mworker, &c->resp), a = map_get(&d->mworker, &c->assess),
            p = map_get(&d->mworker, &c->pair);
        if (r >= 0) {
            d->workers[r].s_clients++;
            d->workers[r].s_cases++;
            d->workers[r].s_cw += cw_children(c, c->children);
            d->workers[r].s_weighted += w;
        }
        if (a >= 0 && a != r) {
            d->workers[a].s_cases++;
            d->workers[a].s_weighted += w;
        }
        if (p >= 0 && p != r && p != a) {
            d->workers[p].s_cases++;
            d->workers[p].s_weighted += 0.3 * w;
        }
    }
}

static void compare_load(const db_t *d, const char *who, const triage_id_t *id, int clients,
                         int cases, int cw, double weighted)
{
    int k = map_get(&d->mworker, id);
    if (k < 0) {
        bad("%s: a load of an unknown worker", who);
        return;
    }
    const worker_t *w = &d->workers[k];
    if (clients != w->s_clients || cases != w->s_cases || cw != w->s_cw ||
        fabs(weighted - w->s_weighted) > 1e-6)
        bad("%s: a worker's load is clients %d, cases %d, children %d, weight %.3f; a fresh count "
            "says %d, %d, %d, %.3f",
            who, clients, cases, cw, weighted, w->s_clients, w->s_cases, w->s_cw, w->s_weighted);
}

static int check_loads(db_t *d, const tt_config *cfg, int *dumps)
{
    fresh_count(d);
    for (size_t i = 0; i < d->nworkers; i++)
        compare_load(d, "the replay", &d->workers[i].id, d->workers[i].r_clients,
                     d->workers[i].s_cases, d->workers[i].r_cw, d->workers[i].s_weighted);
    /* a fresh engine */
    triage_store_t st;
    triage_engine_t *e;
    if (tt_store_open(&st, cfg) || triage_engine_open(&e, NULL, &st)) {
        bad("a fresh engine does not open: %s", triage_error_last()->message);
        return -1;
    }
    for (size_t i = 0; i < d->nworkers; i++) {
        triage_worker_load_t l;
        l.version = TRIAGE_WORKER_LOAD_VERSION;
        if (triage_worker_load(&l, e, &d->workers[i].id)) {
            bad("a fresh engine: worker_load: %s", triage_error_last()->message);
            continue;
        }
        compare_load(d, "a fresh engine", &d->workers[i].id, l.clients, l.cases, l.child_welfare,
                     l.weighted);
    }
    /* the fresh engine reads every case as stored */
    size_t checked = 0;
    for (size_t i = 0; i < d->ncases; i++) {
        triage_case_t c;
        c.version = TRIAGE_CASE_VERSION;
        if (triage_case_get(&c, e, &d->cases[i].id)) {
            bad("a fresh engine cannot read a case: %s", triage_error_last()->message);
            continue;
        }
        checked++;
        if ((int)c.stage != d->cases[i].stage || c.contact_attempts != d->cases[i].contact_attempts ||
            !id_eq(&c.responsible, &d->cases[i].resp))
            bad("a fresh engine reads a case otherwise than SQL");
    }
    triage_engine_stats_t s;
    s.version = TRIAGE_ENGINE_STATS_VERSION;
    if (triage_engine_stats(&s, e) || s.last_seq != (int64_t)d->nev)
        bad("a fresh engine's last sequence number is not the last event");
    triage_engine_free(e);
    /* every long-running engine, after its last refresh */
    DIR *dp = opendir(cfg->dir);
    struct dirent *de;
    while (dp && (de = readdir(dp)) != NULL) {
        if (strncmp(de->d_name, "loads-", 6) != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", cfg->dir, de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        char idt[64];
        int cl, ca, cw;
        double wt;
        int n = 0;
        while (fscanf(f, "%63s %d %d %d %lf", idt, &cl, &ca, &cw, &wt) == 5) {
            triage_id_t id = parse_id(idt);
            compare_load(d, de->d_name, &id, cl, ca, cw, wt);
            n++;
        }
        if (n != TT_WORKERS)
            bad("%s: %d loads, not %d", de->d_name, n, TT_WORKERS);
        (*dumps)++;
        fclose(f);
    }
    if (dp)
        closedir(dp);
    return 0;
}

/* ---- all of it --------------------------------------------------------------------- */

int tt_check(const tt_config *cfg, const int64_t *orphans, size_t norphans)
{
    tt_sql *sql;
    if (tt_sql_open(&sql, cfg)) {
        bad("no SQL connection for the checks");
        return 1;
    }
    db_t d;
    memset(&d, 0, sizeof d);
    if (load(&d, sql)) {
        tt_sql_close(sql);
        bad("the tables cannot be read");
        return 1;
    }
    tt_sql_close(sql);
    journals j;
    memset(&j, 0, sizeof j);
    read_journals(&j, cfg->dir);
    batch_at = malloc((j.n + 1) * sizeof *batch_at);
    nbatch_at = 0;
    for (size_t i = 0; i < j.n; i++)
        if (j.lines[i].op == 'D')
            batch_at[nbatch_at++] = j.lines[i].at;
    qsort(batch_at, nbatch_at, sizeof *batch_at, cmp_i64);
    orphan_at = malloc((norphans + 1) * sizeof *orphan_at);
    norphan_at = norphans;
    if (norphans)
        memcpy(orphan_at, orphans, norphans * sizeof *orphan_at);
    qsort(orphan_at, norphan_at, sizeof *orphan_at, cmp_i64);
    replay_counts rc;
    memset(&rc, 0, sizeof rc);
    replay(&d, &rc);
    long matched = 0;
    check_journals(&d, &j, orphans, norphans, &matched);
    check_records(&d);
    int dumps = 0;
    check_loads(&d, cfg, &dumps);
    int expected_dumps = cfg->procs * TT_ENGINES;
    if (dumps != expected_dumps)
        bad("%d engines reported their loads, not %d", dumps, expected_dumps);
    long open = 0;
    for (size_t i = 0; i < d.ncases; i++)
        open += d.cases[i].stage != TRIAGE_STAGE_CLOSED;
    printf("torture: %zu events gap-free, %zu cases (%ld open), %zu clients, %zu absences; "
           "%ld OK calls journaled, each found once; %zu calls under way at a kill\n",
           d.nev, d.ncases, open, d.nclients, d.nabs, matched, norphans);
    printf("torture: %ld assignments (%ld child welfare) checked against absences and the "
           "LSL 13 b § cap; %ld over the soft cap, %ld over the hard cap, each flagged; of these "
           "%ld online, each with every other candidate at the cap; %ld in batches, %ld of them "
           "while a social worker had room (a rule of distribution, not a race)\n",
           rc.assignments, rc.cw_assignments, rc.over_soft, rc.over_hard, rc.fairness_checked,
           rc.batch_over, rc.batch_unfair);
    printf("torture: loads of %d long-running engines, a fresh engine and the replay equal a "
           "fresh count\n",
           dumps);
    printf("torture: %s: races (lost optimistic attempts) %llu, retries %llu, conflicts (calls "
           "that gave up) %llu, refreshes with changes %llu, commits numbered after others' "
           "(rebased) %llu\n",
           cfg->store, j.races, j.races - (j.races >= j.conflicts ? j.conflicts : 0), j.conflicts,
           j.refreshes, j.rebased);
    if (problems > shown)
        printf("torture: ... and %d more failed checks\n", problems - shown);
    for (size_t i = 0; i < j.n; i++)
        free(j.lines[i].rest);
    free(j.lines);
    free(batch_at);
    free(orphan_at);
    db_free(&d);
    return problems ? 1 : 0;
}
