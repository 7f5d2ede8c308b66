/*
 * Workers' loads: the aggregates, rebuilt by one scan when invalid (commits
 * keep them current through the hook in policy.c), the team of one decision
 * (every worker with their load), a case's weight and a worker's load for
 * the caller, and the balance figures of a team.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "assign/assign_internal.h"

/* ---- clients and children (the caps) ----------------------------------------- */

int32_t triage__cap_clients(double cap, double fte)
{
    double m = floor(cap * fte + 1e-9);
    return m >= (double)INT32_MAX ? INT32_MAX : (int32_t)m;
}

int32_t triage__clients_gained(const triage__case *c, triage_case_slot_t slot,
                               const triage_id_t *worker)
{
    return slot != TRIAGE_SLOT_PAIR && triage_id_compare(&c->responsible, worker) ? 1 : 0;
}

/* ---- load aggregates --------------------------------------------------------- */

static _Thread_local const triage__table *sort_wt;
static int cmp_worker_idx(const void *a, const void *b)
{
    const triage__table *wt = sort_wt;
    const triage_id_t *x = (const triage_id_t *)(const void *)(wt->recs + *(const uint32_t *)a * wt->elem);
    const triage_id_t *y = (const triage_id_t *)(const void *)(wt->recs + *(const uint32_t *)b * wt->elem);
    return triage_id_compare(x, y);
}

triage_status_t triage__assign_loads(triage_engine_t *e, triage__assign_state *s)
{
    const triage__table *wt = &e->tables[TRIAGE__T_WORKER];
    if (s->loads_ok && s->nloads == wt->n)
        return TRIAGE_OK;
    s->loads_ok = 0;
    size_t n = wt->n;
    if (n > s->loadcap) {
        size_t cap = n + n / 2 + 8;
        uint64_t *units = triage__malloc(&e->alloc, cap * sizeof *units);
        int32_t *nc = triage__malloc(&e->alloc, cap * sizeof *nc);
        int32_t *nr = triage__malloc(&e->alloc, cap * sizeof *nr);
        int32_t *ncw = triage__malloc(&e->alloc, cap * sizeof *ncw);
        uint32_t *order = triage__malloc(&e->alloc, cap * sizeof *order);
        if (!units || !nc || !nr || !ncw || !order) {
            triage__free(&e->alloc, units);
            triage__free(&e->alloc, nc);
            triage__free(&e->alloc, nr);
            triage__free(&e->alloc, ncw);
            triage__free(&e->alloc, order);
            return TRIAGE_ENOMEM;
        }
        triage__free(&e->alloc, s->units);
        triage__free(&e->alloc, s->ncases);
        triage__free(&e->alloc, s->nresp);
        triage__free(&e->alloc, s->ncw);
        triage__free(&e->alloc, s->order);
        s->units = units;
        s->ncases = nc;
        s->nresp = nr;
        s->ncw = ncw;
        s->order = order;
        s->loadcap = cap;
    }
    if (n) {
        memset(s->units, 0, n * sizeof *s->units);
        memset(s->ncases, 0, n * sizeof *s->ncases);
        memset(s->nresp, 0, n * sizeof *s->nresp);
        memset(s->ncw, 0, n * sizeof *s->ncw);
    }
    for (size_t i = 0; i < n; i++)
        s->order[i] = (uint32_t)i;
    sort_wt = wt; /* qsort has no context argument in C11 */
    triage__sort(s->order, n, sizeof *s->order, cmp_worker_idx);
    sort_wt = NULL;
    const triage__table *ct = &e->tables[TRIAGE__T_CASE];
    for (size_t i = 0; i < ct->n; i++)
        triage__case_share(s, wt, (const triage__case *)triage__table_at(ct, i), 1);
    s->nloads = n;
    s->loads_ok = 1;
    return TRIAGE_OK;
}

ptrdiff_t triage__team_find(const triage__team *t, const triage_id_t *id)
{
    const triage__table *wt = &t->e->tables[TRIAGE__T_WORKER];
    const char *rec = triage__table_get(wt, id);
    if (!rec)
        return -1;
    return (ptrdiff_t)t->pos[(size_t)(rec - wt->recs) / wt->elem];
}

void triage__team_free(triage__team *t)
{
    if (t->e) {
        triage__free(&t->e->alloc, t->w);
        triage__free(&t->e->alloc, t->pos);
    }
    memset(t, 0, sizeof *t);
}

triage_status_t triage__team_build(triage__team *t, triage_engine_t *e)
{
    memset(t, 0, sizeof *t);
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (!rc)
        rc = triage__assign_loads(e, s);
    if (rc)
        return rc;
    const triage__table *wt = &e->tables[TRIAGE__T_WORKER];
    t->e = e;
    t->pol = s->policy;
    t->n = wt->n;
    if (wt->n) {
        t->w = triage__malloc(&e->alloc, wt->n * sizeof *t->w);
        t->pos = t->w ? triage__malloc(&e->alloc, wt->n * sizeof *t->pos) : NULL;
        if (!t->pos)
            return TRIAGE_ENOMEM; /* the caller's triage__team_free() releases t->w */
    }
    for (size_t k = 0; k < t->n; k++) {
        uint32_t i = s->order[k];
        triage__wload *l = &t->w[k];
        l->w = (const triage__worker *)(const void *)(wt->recs + (size_t)i * wt->elem);
        l->office_idx = s->n ? (int32_t)triage__code_index(s, l->w->office) : -1;
        l->weighted = (double)s->units[i] / TRIAGE__LOAD_UNITS;
        l->cases = s->ncases[i];
        l->clients = s->nresp[i];
        l->soft_clients = triage__cap_clients(s->policy->p[TRIAGE_ASSIGN_SOFT_CAP], l->w->fte);
        l->hard_clients = triage__cap_clients(s->policy->p[TRIAGE_ASSIGN_HARD_CAP], l->w->fte);
        l->child_welfare = s->ncw[i];
        t->pos[i] = (uint32_t)k;
    }
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_assign_case_weight(double *out, triage_engine_t *e,
                                                     const triage_id_t *case_id)
{
    TRIAGE__READ_BEGIN(e);
    const triage__case *r = triage__lookup(out, e, TRIAGE__T_CASE, case_id, "case_id");
    if (!r)
        return triage_error_last()->code;
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    *out = triage__case_weight(s->policy, r);
    return TRIAGE_OK;
}

static const size_t load_sizes[] = {offsetof(triage_worker_load_t, over_hard) + sizeof(int32_t),
                                     sizeof(triage_worker_load_t)};
static const size_t balance_sizes[] = {sizeof(triage_balance_t)};

TRIAGE_API triage_status_t triage_worker_load(triage_worker_load_t *out, triage_engine_t *e,
                                              const triage_id_t *worker)
{
    size_t size = triage__out_size(out, load_sizes, TRIAGE__ARRAY_LEN(load_sizes), "out.version");
    if (!size)
        return triage_error_last()->code;
    TRIAGE__READ_BEGIN(e);
    if (!triage__lookup(out, e, TRIAGE__T_WORKER, worker, "worker"))
        return triage_error_last()->code;
    triage__team t;
    triage_status_t rc = triage__team_build(&t, e);
    if (rc) {
        triage__team_free(&t);
        return rc;
    }
    ptrdiff_t i = triage__team_find(&t, worker);
    const triage__wload *l = &t.w[i];
    triage_worker_load_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_WORKER_LOAD_VERSION;
    r.weighted = l->weighted;
    r.normalized = l->weighted / l->w->fte;
    r.cases = l->cases;
    r.child_welfare = l->child_welfare;
    r.clients = l->clients;
    /* the caps count clients per FTE, not weight (docs/domain.md §7.1) */
    r.over_soft = l->clients > triage__cap_clients(t.pol->p[TRIAGE_ASSIGN_SOFT_CAP], l->w->fte);
    r.over_hard = l->clients > triage__cap_clients(t.pol->p[TRIAGE_ASSIGN_HARD_CAP], l->w->fte);
    triage__team_free(&t);
    memcpy(out, &r, size);
    return TRIAGE_OK;
}

/* ---- balance ------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

TRIAGE_API triage_status_t triage_assign_balance(triage_balance_t *out, triage_engine_t *e,
                                                 triage_role_t role, int32_t team)
{
    size_t size = triage__out_size(out, balance_sizes, TRIAGE__ARRAY_LEN(balance_sizes),
                                   "out.version");
    if (!size)
        return triage_error_last()->code;
    if (!e)
        return triage__error_null("engine");
    TRIAGE__READ_BEGIN(e);
    if (role != 0 && (role < TRIAGE_ROLE_SERVICE_GUIDE || role > TRIAGE_ROLE_SOCIAL_WORKER))
        return triage__error(TRIAGE_EINVAL, "role", "unknown role");
    if (team < -1)
        return triage__error(TRIAGE_EINVAL, "team", "team must be >= 0, or -1 for every team");
    triage__team t;
    triage_status_t rc = triage__team_build(&t, e);
    double *v = NULL;
    if (!rc && t.n) {
        v = triage__malloc(&e->alloc, t.n * sizeof *v);
        if (!v)
            rc = TRIAGE_ENOMEM;
    }
    if (rc) {
        triage__team_free(&t);
        return rc;
    }
    size_t n = 0;
    for (size_t i = 0; i < t.n; i++) {
        const triage__worker *w = t.w[i].w;
        if (w->active && (!role || w->role == (int32_t)role) && (team < 0 || w->team == team))
            v[n++] = t.w[i].weighted / w->fte;
    }
    triage__team_free(&t);
    triage_balance_t b;
    memset(&b, 0, sizeof b);
    b.version = TRIAGE_BALANCE_VERSION;
    b.workers = (int32_t)n;
    if (n) {
        triage__sort(v, n, sizeof *v, cmp_double);
        double sum = 0, sq = 0, wsum = 0;
        for (size_t i = 0; i < n; i++) {
            sum += v[i];
            wsum += (double)(i + 1) * v[i];
        }
        b.mean = sum / (double)n;
        for (size_t i = 0; i < n; i++)
            sq += (v[i] - b.mean) * (v[i] - b.mean);
        b.min = v[0];
        b.max = v[n - 1];
        b.cv = b.mean > 0 ? sqrt(sq / (double)n) / b.mean : 0;
        /* G = 2 sum(i x_i) / (n sum x) - (n + 1) / n over sorted x, i from 1 */
        b.gini = sum > 0 ? 2 * wsum / ((double)n * sum) - ((double)n + 1) / (double)n : 0;
        if (b.gini < 0)
            b.gini = 0;
    }
    triage__free(&e->alloc, v);
    memcpy(out, &b, size);
    return TRIAGE_OK;
}
