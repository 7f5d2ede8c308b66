/*
 * Workload-balancing assignment (DOMAIN.md §7): the policy, the distance
 * matrix, the load model, online assignment with its explanation,
 * reassignment proposals, the duty roster and balance figures. Batch
 * distribution is in batch.c, absences in absence.c.
 *
 * Decisions read the engine's tables; applying goes through one triage__txn
 * and the engine's own law checks (triage__case_set_worker_tx), so a failure
 * changes nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assign/assign_internal.h"

static const triage_id_t nil_id;

/* ---- policy -------------------------------------------------------------- */

static const double defaults[TRIAGE__NPARAM] = {
    0, 0.5, 1.0, 1.5, 2.0, 1.0, 0.7, 0.5, 0.3, 35, 50, 30, 3, 1, 10,
};

TRIAGE_API triage_status_t triage_assign_policy_new(triage_assign_policy_t **out,
                                                    const triage_allocator_t *alloc)
{
    if (!out)
        return triage__error_null("out");
    triage_allocator_t a = {0, 0, 0, 0};
    if (alloc) {
        triage_status_t rc = triage__allocator_check(alloc, "alloc");
        if (rc)
            return rc;
        a = *alloc;
    }
    triage_assign_policy_t *p = triage__calloc(&a, 1, sizeof *p);
    if (!p)
        return TRIAGE_ENOMEM;
    p->alloc = a;
    strcpy(p->id, "fi-default");
    p->version = 1;
    memcpy(p->p, defaults, sizeof defaults);
    *out = p;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_assign_policy_copy(triage_assign_policy_t **out,
                                                     const triage_assign_policy_t *policy)
{
    if (!out)
        return triage__error_null("out");
    if (!policy)
        return triage__error_null("policy");
    triage_assign_policy_t *p = triage__malloc(&policy->alloc, sizeof *p);
    if (!p)
        return TRIAGE_ENOMEM;
    *p = *policy;
    *out = p;
    return TRIAGE_OK;
}

TRIAGE_API void triage_assign_policy_free(triage_assign_policy_t *policy)
{
    if (policy) {
        triage_allocator_t a = policy->alloc;
        triage__free(&a, policy);
    }
}

TRIAGE_API triage_status_t triage_assign_policy_set_id(triage_assign_policy_t *policy,
                                                       const char *id, uint32_t version)
{
    if (!policy)
        return triage__error_null("policy");
    if (!id)
        return triage__error_null("id");
    size_t n = strlen(id);
    if (n < 1 || n > 31)
        return triage__error(TRIAGE_EINVAL, "id", "the policy id must be 1-31 characters");
    for (size_t i = 0; i < n; i++)
        if (id[i] < 0x20 || id[i] > 0x7e)
            return triage__error(TRIAGE_EINVAL, "id", "the policy id must be printable ASCII");
    if (version == 0)
        return triage__error(TRIAGE_EINVAL, "version", "the policy version must be >= 1");
    memcpy(policy->id, id, n + 1);
    policy->version = version;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_assign_policy_id(const char **id, uint32_t *version,
                                                   const triage_assign_policy_t *policy)
{
    if (!id)
        return triage__error_null("id");
    if (!version)
        return triage__error_null("version");
    if (!policy)
        return triage__error_null("policy");
    *id = policy->id;
    *version = policy->version;
    return TRIAGE_OK;
}

static int param_ok(int param)
{
    return param >= TRIAGE_ASSIGN_WEIGHT_Q1 && param <= TRIAGE_ASSIGN_EXACT_LIMIT;
}

TRIAGE_API triage_status_t triage_assign_policy_set(triage_assign_policy_t *policy,
                                                    triage_assign_param_t param, double v)
{
    if (!policy)
        return triage__error_null("policy");
    if (!param_ok((int)param))
        return triage__error(TRIAGE_EINVAL, "param", "unknown assignment parameter");
    double lo = 0, hi = 100;
    int integer = 0;
    switch (param) {
    case TRIAGE_ASSIGN_LATER_FACTOR:
    case TRIAGE_ASSIGN_PAIR_FACTOR: hi = 1; break;
    case TRIAGE_ASSIGN_SOFT_CAP: lo = 1e-9; hi = policy->p[TRIAGE_ASSIGN_HARD_CAP]; break;
    case TRIAGE_ASSIGN_HARD_CAP: lo = policy->p[TRIAGE_ASSIGN_SOFT_CAP]; hi = 1000; break;
    case TRIAGE_ASSIGN_CHILD_WELFARE_CAP: lo = 1; hi = 1000; integer = 1; break;
    case TRIAGE_ASSIGN_FLOOD_MARGIN: lo = -1; hi = 1000; integer = 1; break;
    case TRIAGE_ASSIGN_LANGUAGE_HARD: hi = 1; integer = 1; break;
    case TRIAGE_ASSIGN_EXACT_LIMIT: hi = 16; integer = 1; break;
    default: break;
    }
    if (!(v >= lo && v <= hi) || (integer && v != floor(v)))
        return triage__error(TRIAGE_EINVAL, "value", "value out of range for this parameter");
    policy->p[param] = v;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_assign_policy_get(double *out,
                                                    const triage_assign_policy_t *policy,
                                                    triage_assign_param_t param)
{
    if (!out)
        return triage__error_null("out");
    if (!policy)
        return triage__error_null("policy");
    if (!param_ok((int)param))
        return triage__error(TRIAGE_EINVAL, "param", "unknown assignment parameter");
    *out = policy->p[param];
    return TRIAGE_OK;
}

/* ---- per-engine state ----------------------------------------------------- */

static void state_release(triage_engine_t *e, void *state)
{
    triage__assign_state *s = state;
    triage_assign_policy_free(s->policy);
    triage__free(&e->alloc, s->codes);
    triage__free(&e->alloc, s->dist);
    triage__free(&e->alloc, s->sorted);
    triage__free(&e->alloc, s->units);
    triage__free(&e->alloc, s->ncases);
    triage__free(&e->alloc, s->ncw);
    triage__free(&e->alloc, s->order);
    triage__free(&e->alloc, s);
}

static void state_on_commit(triage_engine_t *e, void *state, int table, const void *old_rec,
                            const void *new_rec);

/* How the engine reaches this module's state at commit and at free. */
static const triage__extension_ops assign_extension = {state_on_commit, state_release};

triage__assign_state *triage__assign_peek(const triage_engine_t *e)
{
    return triage__extension_state(e, &assign_extension);
}

triage_status_t triage__assign_get(triage__assign_state **out, triage_engine_t *e)
{
    triage__assign_state *s = triage__assign_peek(e);
    if (!s) {
        s = triage__calloc(&e->alloc, 1, sizeof *s);
        if (!s)
            return TRIAGE_ENOMEM;
        triage_status_t rc = triage_assign_policy_new(&s->policy, &e->alloc);
        if (!rc)
            rc = triage__extension_attach(e, &assign_extension, s);
        if (rc) {
            triage_assign_policy_free(s->policy);
            triage__free(&e->alloc, s);
            return rc;
        }
    }
    *out = s;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_engine_set_assign_policy(triage_engine_t *e,
                                                           const triage_assign_policy_t *policy)
{
    if (!e)
        return triage__error_null("engine");
    if (!policy)
        return triage__error_null("policy");
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    triage_assign_policy_t *copy = triage__malloc(&e->alloc, sizeof *copy);
    if (!copy)
        return TRIAGE_ENOMEM;
    *copy = *policy;
    copy->alloc = e->alloc;
    triage_assign_policy_free(s->policy);
    s->policy = copy;
    s->loads_ok = 0; /* the weights may have changed */
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_engine_assign_policy(const triage_assign_policy_t **out,
                                                       triage_engine_t *e)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    *out = s->policy;
    return TRIAGE_OK;
}

/* ---- distances -------------------------------------------------------------- */

static _Thread_local const int32_t *sort_codes;
static int cmp_code_idx(const void *a, const void *b)
{
    int32_t x = sort_codes[*(const int32_t *)a], y = sort_codes[*(const int32_t *)b];
    return (x > y) - (x < y);
}

TRIAGE_API triage_status_t triage_engine_set_distances(triage_engine_t *e, const int32_t *codes,
                                                       const double *distance, size_t n)
{
    if (!e)
        return triage__error_null("engine");
    if (n && !codes)
        return triage__error_null("codes");
    if (n && !distance)
        return triage__error_null("distance");
    if (n > 1000)
        return triage__error(TRIAGE_ERANGE, "n", "at most 1000 municipalities");
    for (size_t i = 0; i < n; i++) {
        if (codes[i] < 1 || codes[i] > 9999)
            return triage__error(TRIAGE_EINVAL, "codes", "municipality codes must be 1-9999");
        for (size_t j = 0; j < n; j++) {
            double d = distance[i * n + j];
            if (isnan(d))
                return triage__error(TRIAGE_EINVAL, "distance", "a distance is missing (NaN)");
            if (!(d >= 0) || isinf(d))
                return triage__error(TRIAGE_EINVAL, "distance",
                                     "distances must be finite and >= 0");
            if (i == j && d != 0)
                return triage__error(TRIAGE_EINVAL, "distance",
                                     "a municipality's distance to itself must be 0");
        }
    }
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    int32_t *c = NULL, *sorted = NULL;
    double *d = NULL;
    if (n) {
        c = triage__malloc(&e->alloc, n * sizeof *c);
        sorted = triage__malloc(&e->alloc, n * sizeof *sorted);
        d = triage__malloc(&e->alloc, n * n * sizeof *d);
        if (!c || !sorted || !d) {
            triage__free(&e->alloc, c);
            triage__free(&e->alloc, sorted);
            triage__free(&e->alloc, d);
            return TRIAGE_ENOMEM;
        }
        triage__copy(c, codes, n * sizeof *c);
        triage__copy(d, distance, n * n * sizeof *d);
        for (size_t i = 0; i < n; i++)
            sorted[i] = (int32_t)i;
        sort_codes = c; /* qsort has no context argument in C11 */
        triage__sort(sorted, n, sizeof *sorted, cmp_code_idx);
        sort_codes = NULL;
        for (size_t i = 1; i < n; i++)
            if (c[sorted[i]] == c[sorted[i - 1]]) {
                triage__free(&e->alloc, c);
                triage__free(&e->alloc, sorted);
                triage__free(&e->alloc, d);
                return triage__error(TRIAGE_EINVAL, "codes", "a municipality is listed twice");
            }
    }
    triage__free(&e->alloc, s->codes);
    triage__free(&e->alloc, s->sorted);
    triage__free(&e->alloc, s->dist);
    s->codes = c;
    s->sorted = sorted;
    s->dist = d;
    s->n = n;
    return TRIAGE_OK;
}

static ptrdiff_t code_index(const triage__assign_state *s, int32_t code)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int32_t v = s->codes[s->sorted[mid]];
        if (v == code)
            return s->sorted[mid];
        if (v < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

double triage__distance(const triage__assign_state *s, int32_t from, int32_t to)
{
    if (!s || !s->n)
        return -1;
    ptrdiff_t i = code_index(s, from), j = code_index(s, to);
    if (i < 0 || j < 0)
        return -1;
    return s->dist[(size_t)i * s->n + (size_t)j];
}

TRIAGE_API triage_status_t triage_engine_distance(double *out, triage_engine_t *e, int32_t from,
                                                  int32_t to)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    double d = triage__distance(triage__assign_peek(e), from, to);
    if (d < 0)
        return triage__error(TRIAGE_ENOTFOUND, "municipality",
                             "no distance known between those municipalities");
    *out = d;
    return TRIAGE_OK;
}

/* ---- load ------------------------------------------------------------------ */

double triage__case_weight(const triage_assign_policy_t *p, const triage_case_t *c)
{
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return 0;
    double w = (c->flags & TRIAGE_CASE_CLASSIFIED) && c->classification.quadrant >= 1 &&
                       c->classification.quadrant <= 4
                   ? p->p[c->classification.quadrant]
                   : p->p[TRIAGE_ASSIGN_WEIGHT_UNCLASSIFIED];
    if (c->stage == TRIAGE_STAGE_PLANNING || c->stage == TRIAGE_STAGE_CASEWORK)
        w *= p->p[TRIAGE_ASSIGN_LATER_FACTOR];
    if (c->urgency == TRIAGE_URGENCY_IMMEDIATE || c->urgency == TRIAGE_URGENCY_URGENT)
        w += p->p[TRIAGE_ASSIGN_URGENT_BONUS];
    return w;
}

int triage__is_child_welfare(const triage_case_t *c)
{
    return c->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION ||
           c->service == TRIAGE_SERVICE_FAMILY;
}

uint64_t triage__weight_units(double w)
{
    return (uint64_t)llround(w * TRIAGE__LOAD_UNITS);
}

/* ---- load aggregates ----------------------------------------------------------
 * A case counts for its responsible worker (weight, case, child welfare),
 * for its assessment worker when another (weight, case) and for its pair
 * when a third (PAIR_FACTOR x weight, case); closed cases count for nobody.
 * The totals live in the assignment state by worker record index and change
 * only at commit: triage__txn_commit() hands every written case record to
 * triage__assign_note_case() before the table changes, which takes the old
 * record's share off and adds the new one's. Sums are in whole units
 * (uint64, exact, order-free), so a long-running engine and one rebuilt by a
 * fresh scan hold the same loads to the bit. */

static ptrdiff_t worker_index(const triage__table *wt, const triage_id_t *id)
{
    if (triage_id_is_nil(id))
        return -1;
    const char *rec = triage__table_get(wt, id);
    return rec ? (ptrdiff_t)((size_t)(rec - wt->recs) / wt->elem) : -1;
}

/* Adds (sign > 0) or takes off (sign < 0) one case's share. Unsigned
 * arithmetic: a share taken off was added before, so the totals stay exact. */
static void case_share(triage__assign_state *s, const triage__table *wt, const triage_case_t *c,
                       int sign)
{
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return;
    const triage_assign_policy_t *pol = s->policy;
    double w = triage__case_weight(pol, c);
    uint64_t u = triage__weight_units(w);
    ptrdiff_t r = worker_index(wt, &c->responsible);
    ptrdiff_t a = worker_index(wt, &c->assessment_worker);
    ptrdiff_t p = worker_index(wt, &c->pair);
    int32_t one = sign > 0 ? 1 : -1;
    if (r >= 0) {
        s->units[r] = sign > 0 ? s->units[r] + u : s->units[r] - u;
        s->ncases[r] += one;
        s->ncw[r] += triage__is_child_welfare(c) ? one : 0;
    }
    if (a >= 0 && a != r) {
        s->units[a] = sign > 0 ? s->units[a] + u : s->units[a] - u;
        s->ncases[a] += one;
    }
    if (p >= 0 && p != r && p != a) {
        uint64_t up = triage__weight_units(pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] * w);
        s->units[p] = sign > 0 ? s->units[p] + up : s->units[p] - up;
        s->ncases[p] += one;
    }
}

/* The engine's commit hook: a new worker means a rebuild; a case record
 * moves its share from the old record to the new one. */
static void state_on_commit(triage_engine_t *e, void *state, int table, const void *old_rec,
                            const void *new_rec)
{
    triage__assign_state *s = state;
    if (table == TRIAGE__T_WORKER && (!old_rec || !new_rec))
        s->loads_ok = 0;
    if (table != TRIAGE__T_CASE || !s->loads_ok)
        return;
    const triage__table *wt = &e->tables[TRIAGE__T_WORKER];
    if (wt->n != s->nloads) { /* a worker came without telling: rebuild */
        s->loads_ok = 0;
        return;
    }
    if (old_rec)
        case_share(s, wt, &((const triage__case_rec *)old_rec)->pub, -1);
    if (new_rec)
        case_share(s, wt, &((const triage__case_rec *)new_rec)->pub, 1);
}

static _Thread_local const triage__table *sort_wt;
static int cmp_worker_idx(const void *a, const void *b)
{
    const triage__table *wt = sort_wt;
    const triage_id_t *x = (const triage_id_t *)(const void *)(wt->recs + *(const uint32_t *)a * wt->elem + wt->id_off);
    const triage_id_t *y = (const triage_id_t *)(const void *)(wt->recs + *(const uint32_t *)b * wt->elem + wt->id_off);
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
        int32_t *ncw = triage__malloc(&e->alloc, cap * sizeof *ncw);
        uint32_t *order = triage__malloc(&e->alloc, cap * sizeof *order);
        if (!units || !nc || !ncw || !order) {
            triage__free(&e->alloc, units);
            triage__free(&e->alloc, nc);
            triage__free(&e->alloc, ncw);
            triage__free(&e->alloc, order);
            return TRIAGE_ENOMEM;
        }
        triage__free(&e->alloc, s->units);
        triage__free(&e->alloc, s->ncases);
        triage__free(&e->alloc, s->ncw);
        triage__free(&e->alloc, s->order);
        s->units = units;
        s->ncases = nc;
        s->ncw = ncw;
        s->order = order;
        s->loadcap = cap;
    }
    if (n) {
        memset(s->units, 0, n * sizeof *s->units);
        memset(s->ncases, 0, n * sizeof *s->ncases);
        memset(s->ncw, 0, n * sizeof *s->ncw);
    }
    for (size_t i = 0; i < n; i++)
        s->order[i] = (uint32_t)i;
    sort_wt = wt; /* qsort has no context argument in C11 */
    triage__sort(s->order, n, sizeof *s->order, cmp_worker_idx);
    sort_wt = NULL;
    const triage__table *ct = &e->tables[TRIAGE__T_CASE];
    for (size_t i = 0; i < ct->n; i++)
        case_share(s, wt, &((const triage__case_rec *)(const void *)(ct->recs + i * ct->elem))->pub, 1);
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
        l->w = (const triage_worker_t *)(const void *)(wt->recs + (size_t)i * wt->elem);
        l->office_idx = s->n ? (int32_t)code_index(s, l->w->office) : -1;
        l->weighted = (double)s->units[i] / TRIAGE__LOAD_UNITS;
        l->cases = s->ncases[i];
        l->child_welfare = s->ncw[i];
        t->pos[i] = (uint32_t)k;
    }
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_assign_case_weight(double *out, triage_engine_t *e,
                                                     const triage_id_t *case_id)
{
    const triage__case_rec *r = triage__lookup(out, e, TRIAGE__T_CASE, case_id, "case_id");
    if (!r)
        return triage_error_last()->code;
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    *out = triage__case_weight(s->policy, &r->pub);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_worker_load(triage_worker_load_t *out, triage_engine_t *e,
                                              const triage_id_t *worker)
{
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
    r.weighted = l->weighted;
    r.normalized = l->weighted / l->w->fte;
    r.cases = l->cases;
    r.child_welfare = l->child_welfare;
    r.over_soft = r.normalized > t.pol->p[TRIAGE_ASSIGN_SOFT_CAP];
    r.over_hard = r.normalized > t.pol->p[TRIAGE_ASSIGN_HARD_CAP];
    triage__team_free(&t);
    *out = r;
    return TRIAGE_OK;
}

/* ---- the decision ------------------------------------------------------------ */

typedef struct {
    triage_engine_t *e;
    triage__assign_state *s;
    const triage__case_rec *rec;
    const triage_case_t *c;
    const triage_client_t *client;
    triage_date_t date, until;
    triage_case_slot_t slot;   /* effective: ASSESSMENT (with responsible), RESPONSIBLE or PAIR */
    triage_id_t exclude;
    int role_change;
    triage_id_t duty[2];       /* this week's duty pair */
    ptrdiff_t cidx;            /* the client's municipality in the distance matrix, -1 none */
} decide_ctx;

#define PENDING_PAIR 100

/* Per-candidate scratch. */
typedef struct {
    int ex; /* triage_exclusion_t, or PENDING_PAIR while deciding */
    int continuity, serves;
    double dist, before, after;
} cand;

static int role_fits(const decide_ctx *x, const triage_assign_policy_t *pol, triage_role_t role,
                     int *needs_pair)
{
    const triage_case_t *c = x->c;
    *needs_pair = 0;
    int classified = (c->flags & TRIAGE_CASE_CLASSIFIED) != 0;
    (void)pol;
    if (x->slot == TRIAGE_SLOT_PAIR) {
        /* guidance support for guidance-only cases, else a social-worker pair */
        if (classified && c->classification.quadrant == TRIAGE_Q1_GUIDANCE_ONLY)
            return role == TRIAGE_ROLE_SERVICE_GUIDE;
        return role == TRIAGE_ROLE_SOCIAL_WORKER;
    }
    /* Assessment and responsibility need a counsellor or social worker (law). */
    if (role < TRIAGE_ROLE_SOCIAL_COUNSELLOR)
        return 0;
    if (!classified)
        return 1;
    if (c->special_support) {
        if (role == TRIAGE_ROLE_SOCIAL_WORKER)
            return 1;
        triage_special_support_responsible_t ss = TRIAGE_SS_SOCIAL_WORKER_ONLY;
        triage_classify_policy_special_support_responsible(&ss, x->e->classify);
        if (x->slot == TRIAGE_SLOT_RESPONSIBLE && ss == TRIAGE_SS_SOCIAL_WORKER_OR_PAIR &&
            !x->role_change) {
            *needs_pair = 1;
            return 1;
        }
        return 0;
    }
    triage_role_t need = (triage_role_t)c->classification.required_role;
    if (x->role_change && c->classification.preferred_role > need)
        need = (triage_role_t)c->classification.preferred_role;
    return role >= need;
}

static int lang_bit(triage_language_t l)
{
    return l == TRIAGE_LANG_FI ? TRIAGE_LANG_BIT_FI : l == TRIAGE_LANG_SV ? TRIAGE_LANG_BIT_SV : 0;
}

static int serves(const triage_worker_t *w, int32_t m)
{
    if (m <= 0)
        return 0;
    for (uint32_t i = 0; i < w->served_count; i++)
        if (w->served[i] == m)
            return 1;
    return 0;
}

static double travel(const decide_ctx *x, const triage__wload *l)
{
    if (!x->s->n || x->client->municipality <= 0)
        return 0; /* no matrix or unknown municipality: no preference */
    if (x->cidx < 0 || l->office_idx < 0)
        return HUGE_VAL;
    return x->s->dist[(size_t)l->office_idx * x->s->n + (size_t)x->cidx];
}

/* Lexicographic preference order (DOMAIN.md §7.3); index order = id order
 * breaks the final tie. Negative: a before b. */
static int prefer(const cand *a, size_t ia, const cand *b, size_t ib)
{
    if (a->continuity != b->continuity)
        return b->continuity - a->continuity;
    if (a->serves != b->serves)
        return b->serves - a->serves;
    if (a->dist != b->dist)
        return a->dist < b->dist ? -1 : 1;
    if (a->after != b->after)
        return a->after < b->after ? -1 : 1;
    return (ia > ib) - (ia < ib);
}

static _Thread_local const cand *sort_cands;
static int cmp_rank(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return prefer(&sort_cands[a], a, &sort_cands[b], b);
}

static triage_status_t duty_pair_ids(triage_id_t out[2], triage_engine_t *e, triage_date_t date);

/* The response deadline of an IMMEDIATE/URGENT case (or the date itself). */
static triage_date_t presence_until(const triage_case_t *c, triage_date_t date)
{
    triage_date_t until = date;
    if (c->urgency == TRIAGE_URGENCY_IMMEDIATE || c->urgency == TRIAGE_URGENCY_URGENT)
        for (uint32_t i = 0; i < c->deadline_count; i++)
            if (c->deadlines[i].row == TRIAGE_DEADLINE_RESPONSE && c->deadlines[i].due > until)
                until = c->deadlines[i].due;
    return until;
}

/* Evaluates every candidate of team t. Fills cands (t->n) and, when rank is
 * non-NULL, the preference order of the eligible (count in *neligible). */
static triage_status_t evaluate(cand *cands, size_t *order, size_t *neligible, uint32_t *flags,
                                const decide_ctx *x, const triage__team *t, double weight,
                                int full)
{
    const triage_assign_policy_t *pol = t->pol;
    double hard = pol->p[TRIAGE_ASSIGN_HARD_CAP];
    double share = x->slot == TRIAGE_SLOT_PAIR ? pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] : 1.0;
    int cw = triage__is_child_welfare(x->c) && x->slot != TRIAGE_SLOT_PAIR;
    int32_t cw_cap = (int32_t)pol->p[TRIAGE_ASSIGN_CHILD_WELFARE_CAP];
    int immediate = x->c->urgency == TRIAGE_URGENCY_IMMEDIATE && x->slot != TRIAGE_SLOT_PAIR;
    int bit = lang_bit(x->client->language);
    uint32_t f = 0;
    if (!bit)
        f |= TRIAGE_ASSIGN_INTERPRETER;
    /* social workers available as a pair (for SOCIAL_WORKER_OR_PAIR) */
    int pair_available = 0;
    for (size_t i = 0; i < t->n; i++) {
        const triage__wload *l = &t->w[i];
        cand *k = &cands[i];
        memset(k, 0, sizeof *k);
        k->before = l->weighted / l->w->fte;
        k->after = (l->weighted + share * weight) / l->w->fte;
        k->serves = serves(l->w, x->client->municipality);
        k->dist = travel(x, l);
        k->continuity = !x->role_change && x->slot != TRIAGE_SLOT_PAIR &&
                        !triage_id_is_nil(&x->client->responsible_worker) &&
                        !triage_id_compare(&x->client->responsible_worker, &l->w->id);
        int needs_pair = 0;
        if (!l->w->active)
            k->ex = TRIAGE_EXCLUDED_INACTIVE;
        else if (!triage_id_is_nil(&x->exclude) && !triage_id_compare(&x->exclude, &l->w->id))
            k->ex = TRIAGE_EXCLUDED_EXCLUDED;
        else if (!role_fits(x, pol, l->w->role, &needs_pair))
            k->ex = TRIAGE_EXCLUDED_ROLE;
        else if (triage__absent(x->e, &l->w->id, x->date, x->until))
            k->ex = TRIAGE_EXCLUDED_ABSENT;
        else if (needs_pair)
            k->ex = PENDING_PAIR;
        if (!k->ex && l->w->role == TRIAGE_ROLE_SOCIAL_WORKER)
            pair_available = 1;
    }
    /* a counsellor for special support under SOCIAL_WORKER_OR_PAIR needs a pair */
    for (size_t i = 0; i < t->n; i++)
        if (cands[i].ex == PENDING_PAIR)
            cands[i].ex = pair_available ? TRIAGE_EXCLUDED_NONE : TRIAGE_EXCLUDED_NO_PAIR;
    /* IMMEDIATE: the duty pair, when a member qualifies (§7.6) */
    if (immediate) {
        int any = 0;
        for (size_t i = 0; i < t->n; i++)
            if (!cands[i].ex && (!triage_id_compare(&t->w[i].w->id, &x->duty[0]) ||
                                 !triage_id_compare(&t->w[i].w->id, &x->duty[1])))
                any = 1;
        if (any) {
            f |= TRIAGE_ASSIGN_DUTY_PAIR;
            for (size_t i = 0; i < t->n; i++)
                if (!cands[i].ex && triage_id_compare(&t->w[i].w->id, &x->duty[0]) &&
                    triage_id_compare(&t->w[i].w->id, &x->duty[1]))
                    cands[i].ex = TRIAGE_EXCLUDED_NOT_ON_DUTY;
        } else {
            f |= TRIAGE_ASSIGN_NO_DUTY_PAIR;
        }
    }
    /* language (default hard) */
    if (bit) {
        int any = 0;
        for (size_t i = 0; i < t->n; i++)
            any |= !cands[i].ex && (t->w[i].w->languages & (uint32_t)bit);
        if (!any)
            f |= TRIAGE_ASSIGN_INTERPRETER;
        else if (pol->p[TRIAGE_ASSIGN_LANGUAGE_HARD] != 0)
            for (size_t i = 0; i < t->n; i++)
                if (!cands[i].ex && !(t->w[i].w->languages & (uint32_t)bit))
                    cands[i].ex = TRIAGE_EXCLUDED_LANGUAGE;
    }
    /* LSL 13 b §: statutory per-worker cap, never waived */
    if (cw)
        for (size_t i = 0; i < t->n; i++)
            if (!cands[i].ex && t->w[i].child_welfare >= cw_cap)
                cands[i].ex = TRIAGE_EXCLUDED_CHILD_WELFARE_CAP;
    /* hard cap, unless everyone is over it */
    int under = 0, left = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!cands[i].ex) {
            left++;
            under += cands[i].after <= hard;
        }
    if (under) {
        for (size_t i = 0; i < t->n; i++)
            if (!cands[i].ex && cands[i].after > hard)
                cands[i].ex = TRIAGE_EXCLUDED_HARD_CAP;
    } else if (left) {
        f |= TRIAGE_ASSIGN_OVER_CAPACITY;
        /* least loaded first: locality no longer decides */
        for (size_t i = 0; i < t->n; i++)
            cands[i].continuity = cands[i].serves = 0, cands[i].dist = 0;
    }
    size_t n = 0;
    if (full) {
        for (size_t i = 0; i < t->n; i++)
            if (!cands[i].ex)
                order[n++] = i;
        sort_cands = cands;
        triage__sort(order, n, sizeof *order, cmp_rank);
        sort_cands = NULL;
    } else { /* only the best two */
        for (size_t i = 0; i < t->n; i++) {
            if (cands[i].ex)
                continue;
            if (n == 0 || prefer(&cands[i], i, &cands[order[0]], order[0]) < 0) {
                order[1] = order[0];
                order[0] = i;
            } else if (n == 1 || prefer(&cands[i], i, &cands[order[1]], order[1]) < 0) {
                order[1] = i;
            }
            n++;
        }
    }
    *neligible = n;
    *flags = f;
    return TRIAGE_OK;
}

/* A social-worker pair for the chosen counsellor: present, active, not the
 * chosen or excluded; serves the municipality, nearest, least loaded, id
 * (a batch chooses by load alone, after the solver). */
static ptrdiff_t choose_pair(const decide_ctx *x, const triage__team *t, size_t chosen,
                             double weight, int balance_only)
{
    ptrdiff_t best = -1;
    cand bk;
    memset(&bk, 0, sizeof bk);
    double pf = t->pol->p[TRIAGE_ASSIGN_PAIR_FACTOR];
    for (size_t i = 0; i < t->n; i++) {
        const triage_worker_t *w = t->w[i].w;
        if (i == chosen || !w->active || w->role != TRIAGE_ROLE_SOCIAL_WORKER ||
            (!triage_id_is_nil(&x->exclude) && !triage_id_compare(&x->exclude, &w->id)) ||
            triage__absent(x->e, &w->id, x->date, x->until))
            continue;
        cand k;
        memset(&k, 0, sizeof k);
        if (!balance_only) {
            k.serves = serves(w, x->client->municipality);
            k.dist = travel(x, &t->w[i]);
        }
        k.after = (t->w[i].weighted + pf * weight) / w->fte;
        if (best < 0 || prefer(&k, i, &bk, (size_t)best) < 0) {
            best = (ptrdiff_t)i;
            bk = k;
        }
    }
    return best;
}

static triage_status_t ctx_init(decide_ctx *x, triage_engine_t *e, const triage_id_t *case_id,
                                const triage_assign_request_t *req)
{
    memset(x, 0, sizeof *x);
    if (!case_id)
        return triage__error_null("case_id");
    if (req->version == 0 || req->version > TRIAGE_ASSIGN_REQUEST_VERSION)
        return triage__error(TRIAGE_EVERSION, "request.version", "unsupported request version");
    if ((int)req->slot < 0 || req->slot > TRIAGE_SLOT_PAIR)
        return triage__error(TRIAGE_EINVAL, "slot", "unknown case slot");
    if (req->role_change != 0 && req->role_change != 1)
        return triage__error(TRIAGE_EINVAL, "role_change", "role_change must be 0 or 1");
    if (!triage_id_is_nil(&req->actor) && !triage__table_get(&e->tables[TRIAGE__T_WORKER], &req->actor))
        return triage__error(TRIAGE_ENOTFOUND, "actor", "no worker with that id");
    if (!triage_id_is_nil(&req->exclude) &&
        !triage__table_get(&e->tables[TRIAGE__T_WORKER], &req->exclude))
        return triage__error(TRIAGE_ENOTFOUND, "exclude", "no worker with that id");
    const triage__case_rec *r = triage__table_get(&e->tables[TRIAGE__T_CASE], case_id);
    if (!r)
        return triage__error(TRIAGE_ENOTFOUND, "case_id", "no case with that id");
    if (r->pub.stage == TRIAGE_STAGE_CLOSED)
        return triage__error(TRIAGE_ESTATE, "closed_is_final", "a closed case is not assigned");
    if (triage_local_time(&x->date, NULL, req->at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "time outside the supported range");
    const triage__client_rec *cl = triage__table_get(&e->tables[TRIAGE__T_CLIENT], &r->pub.client);
    if (!cl)
        return triage__error(TRIAGE_ENOTFOUND, "client", "the case's client is missing");
    triage_status_t rc = triage__assign_get(&x->s, e);
    if (rc)
        return rc;
    x->e = e;
    x->rec = r;
    x->c = &r->pub;
    x->client = &cl->pub;
    x->until = presence_until(x->c, x->date);
    x->cidx = x->s->n ? code_index(x->s, x->client->municipality) : -1;
    x->slot = req->slot ? req->slot
                        : (r->pub.stage == TRIAGE_STAGE_PLANNING || r->pub.stage == TRIAGE_STAGE_CASEWORK)
                              ? TRIAGE_SLOT_RESPONSIBLE
                              : TRIAGE_SLOT_ASSESSMENT;
    x->exclude = req->exclude;
    x->role_change = req->role_change;
    if (x->c->urgency == TRIAGE_URGENCY_IMMEDIATE)
        return duty_pair_ids(x->duty, e, x->date);
    return TRIAGE_OK;
}

/* Decides on team t (loads as they stand); fills out (candidates when explain). */
static triage_status_t decide(triage_assignment_t *out, const decide_ctx *x, const triage__team *t,
                              int explain, ptrdiff_t *chosen_idx, ptrdiff_t *pair_idx)
{
    triage_engine_t *e = x->e;
    double weight = triage__case_weight(t->pol, x->c);
    cand *cands = t->n ? triage__malloc(&e->alloc, t->n * sizeof *cands) : NULL;
    size_t *order = t->n ? triage__malloc(&e->alloc, (t->n + 1) * sizeof *order) : NULL;
    if (t->n && (!cands || !order)) {
        triage__free(&e->alloc, cands);
        triage__free(&e->alloc, order);
        return TRIAGE_ENOMEM;
    }
    size_t n = 0;
    uint32_t flags = 0;
    evaluate(cands, order, &n, &flags, x, t, weight, explain);
    triage_assignment_t a;
    memset(&a, 0, sizeof a);
    a.case_id = x->c->id;
    a.slot = x->slot;
    a.weight = weight;
    a.previous = x->slot == TRIAGE_SLOT_PAIR ? x->c->pair
                 : x->slot == TRIAGE_SLOT_RESPONSIBLE ? x->c->responsible
                                                      : x->c->assessment_worker;
    ptrdiff_t ci = -1, pi = -1;
    if (!n) {
        flags |= TRIAGE_ASSIGN_NO_CANDIDATE;
        flags &= ~TRIAGE_ASSIGN_OVER_CAPACITY;
    } else {
        ci = (ptrdiff_t)order[0];
        a.worker = t->w[ci].w->id;
        if (n > 1)
            a.runner_up = t->w[order[1]].w->id;
        if (cands[ci].continuity)
            flags |= TRIAGE_ASSIGN_CONTINUITY;
        if (cands[ci].after > t->pol->p[TRIAGE_ASSIGN_SOFT_CAP])
            flags |= TRIAGE_ASSIGN_OVER_SOFT_CAP;
        const triage_case_t *c = x->c;
        if (x->slot != TRIAGE_SLOT_PAIR && t->w[ci].w->role == TRIAGE_ROLE_SOCIAL_COUNSELLOR &&
            (c->flags & TRIAGE_CASE_CLASSIFIED) &&
            (c->classification.quadrant == TRIAGE_Q3_SUPPORTED_GUIDANCE || c->special_support)) {
            pi = choose_pair(x, t, (size_t)ci, weight, 0);
            if (pi >= 0) {
                a.pair = t->w[pi].w->id;
                flags |= TRIAGE_ASSIGN_PAIR_PROPOSED;
            }
        }
    }
    a.flags = flags;
    if (explain && t->n) {
        a.candidates = triage__owned_alloc(&e->alloc, t->n * sizeof *a.candidates);
        if (!a.candidates) {
            triage__free(&e->alloc, cands);
            triage__free(&e->alloc, order);
            return TRIAGE_ENOMEM;
        }
        a.ncandidates = t->n;
        for (size_t i = 0; i < t->n; i++) {
            triage_assign_candidate_t *k = &a.candidates[i];
            k->worker = t->w[i].w->id;
            k->excluded = (triage_exclusion_t)cands[i].ex;
            k->rank = 0;
            k->continuity = cands[i].continuity;
            k->serves = cands[i].serves;
            k->distance = isinf(cands[i].dist) || !x->s->n ? -1 : cands[i].dist;
            k->load_before = cands[i].before;
            k->load_after = cands[i].after;
        }
        for (size_t r = 0; r < n; r++)
            a.candidates[order[r]].rank = (int32_t)(r + 1);
    }
    triage__free(&e->alloc, cands);
    triage__free(&e->alloc, order);
    if (chosen_idx)
        *chosen_idx = ci;
    if (pair_idx)
        *pair_idx = pi;
    *out = a;
    return TRIAGE_OK;
}

TRIAGE_API void triage_assignment_clear(triage_assignment_t *a)
{
    if (!a)
        return;
    triage_free(a->candidates);
    memset(a, 0, sizeof *a);
}

TRIAGE_API void triage_assignments_free(triage_assignment_t *a, size_t n)
{
    if (!a)
        return;
    for (size_t i = 0; i < n; i++)
        triage_free(a[i].candidates);
    triage_free(a);
}

static triage_status_t propose(triage_assignment_t *out, triage_engine_t *e,
                               const triage_id_t *case_id, const triage_assign_request_t *req)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    triage_assign_request_t def = TRIAGE_ASSIGN_REQUEST_INIT;
    if (!req)
        req = &def;
    decide_ctx x;
    triage_status_t rc = ctx_init(&x, e, case_id, req);
    if (rc)
        return rc;
    triage__team t;
    rc = triage__team_build(&t, e);
    if (!rc)
        rc = decide(out, &x, &t, 1, NULL, NULL);
    triage__team_free(&t);
    return rc;
}

TRIAGE_API triage_status_t triage_assign_propose(triage_assignment_t *out, triage_engine_t *e,
                                                 const triage_id_t *case_id,
                                                 const triage_assign_request_t *req)
{
    return propose(out, e, case_id, req);
}

/* Tags the events added since `from` with the assignment policy. */
static void tag_events(triage__txn *tx, size_t from, const triage_assign_policy_t *p)
{
    for (size_t i = from; i < tx->nev; i++) {
        memcpy(tx->events[i].policy_id, p->id, sizeof p->id);
        tx->events[i].policy_version = p->version;
    }
}

/* Applies one proposal inside tx. */
static triage_status_t apply_one(triage__txn *tx, const triage_assignment_t *a,
                                 const triage_id_t *actor, int64_t at_ms)
{
    if (triage_id_is_nil(&a->worker))
        return TRIAGE_OK;
    if (a->slot < TRIAGE_SLOT_ASSESSMENT || a->slot > TRIAGE_SLOT_PAIR)
        return triage__error(TRIAGE_EINVAL, "slot", "unknown case slot");
    triage_engine_t *e = tx->e;
    const triage_worker_t *w = triage__table_get(&e->tables[TRIAGE__T_WORKER], &a->worker);
    if (!w)
        return triage__error(TRIAGE_ENOTFOUND, "worker", "no worker with that id");
    if (!w->active)
        return triage__error(TRIAGE_EINVAL, "worker", "the worker is not active");
    if (!triage_id_is_nil(&a->pair) && !triage__table_get(&e->tables[TRIAGE__T_WORKER], &a->pair))
        return triage__error(TRIAGE_ENOTFOUND, "pair", "no worker with that id");
    const triage__case_rec *cur = triage__table_get(&e->tables[TRIAGE__T_CASE], &a->case_id);
    if (!cur)
        return triage__error(TRIAGE_ENOTFOUND, "case_id", "no case with that id");
    if (at_ms < cur->pub.received_ms)
        return triage__error(TRIAGE_EINVAL, "at_ms", "the time is before the intake");
    triage__case_rec *r = triage__txn_get(tx, TRIAGE__T_CASE, &a->case_id);
    if (!r)
        return triage_error_last()->code;
    size_t ev0 = tx->nev;
    triage_status_t rc = TRIAGE_OK;
    triage_case_t *c = &r->pub;
    /* pair first: the law check of the responsible slot sees it */
    if (!triage_id_is_nil(&a->pair) && triage_id_compare(&c->pair, &a->pair)) {
        if (!triage_id_compare(&c->responsible, &a->pair))
            return triage__error(TRIAGE_EINVAL, "pair", "the pair is the responsible worker");
        rc = triage__case_set_worker_tx(tx, r, actor, at_ms, TRIAGE_SLOT_PAIR, &a->pair);
    }
    if (!rc && a->slot == TRIAGE_SLOT_ASSESSMENT &&
        triage_id_compare(&c->assessment_worker, &a->worker))
        rc = triage__case_set_worker_tx(tx, r, actor, at_ms, TRIAGE_SLOT_ASSESSMENT, &a->worker);
    if (!rc && a->slot != TRIAGE_SLOT_PAIR && triage_id_compare(&c->responsible, &a->worker)) {
        if (!triage_id_compare(&c->pair, &a->worker)) /* the new responsible was the pair */
            rc = triage__case_set_worker_tx(tx, r, actor, at_ms, TRIAGE_SLOT_PAIR, &nil_id);
        if (!rc)
            rc = triage__case_set_worker_tx(tx, r, actor, at_ms, TRIAGE_SLOT_RESPONSIBLE, &a->worker);
    }
    if (!rc && a->slot == TRIAGE_SLOT_PAIR && triage_id_compare(&c->pair, &a->worker))
        rc = triage__case_set_worker_tx(tx, r, actor, at_ms, TRIAGE_SLOT_PAIR, &a->worker);
    if (!rc)
        tag_events(tx, ev0, triage__assign_peek(e)->policy);
    return rc;
}

TRIAGE_API triage_status_t triage_assign_apply(triage_engine_t *e,
                                               const triage_assignment_t *proposals, size_t n,
                                               const triage_id_t *actor, int64_t at_ms)
{
    if (!e)
        return triage__error_null("engine");
    if (n && !proposals)
        return triage__error_null("proposals");
    if (actor && !triage_id_is_nil(actor) && !triage__table_get(&e->tables[TRIAGE__T_WORKER], actor))
        return triage__error(TRIAGE_ENOTFOUND, "actor", "no worker with that id");
    if (triage_local_time(NULL, NULL, at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "time outside the supported range");
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    triage__txn tx;
    triage__txn_init(&tx, e);
    for (size_t i = 0; i < n && !rc; i++)
        rc = apply_one(&tx, &proposals[i], actor, at_ms);
    if (rc) {
        triage__txn_discard(&tx);
        return rc;
    }
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_assign_case(triage_assignment_t *out, triage_engine_t *e,
                                              const triage_id_t *case_id,
                                              const triage_assign_request_t *req)
{
    triage_assign_request_t def = TRIAGE_ASSIGN_REQUEST_INIT;
    if (!req)
        req = &def;
    triage_assignment_t a;
    triage_status_t rc = propose(&a, e, case_id, req);
    if (rc)
        return rc;
    rc = triage_assign_apply(e, &a, 1, &req->actor, req->at_ms);
    if (rc) {
        triage_assignment_clear(&a);
        return rc;
    }
    *out = a;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_assign_propose_role_change(triage_assignment_t *out,
                                                             triage_engine_t *e,
                                                             const triage_id_t *case_id,
                                                             int64_t at_ms)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    if (!case_id)
        return triage__error_null("case_id");
    const triage__case_rec *r = triage__table_get(&e->tables[TRIAGE__T_CASE], case_id);
    if (!r)
        return triage__error(TRIAGE_ENOTFOUND, "case_id", "no case with that id");
    if (!(r->pub.flags & (TRIAGE_CASE_ROLE_MISMATCH | TRIAGE_CASE_ROLE_CHANGE_SUGGESTED)))
        return triage__error(TRIAGE_ESTATE, "role_change",
                             "the case's responsible arrangement does not call for a change");
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = at_ms;
    req.slot = TRIAGE_SLOT_RESPONSIBLE;
    req.exclude = r->pub.responsible;
    req.role_change = 1;
    return propose(out, e, case_id, &req);
}

/* ---- absence proposals ------------------------------------------------------ */

typedef struct {
    const triage_case_t *c;
    triage_case_slot_t slot;
    triage_date_t due;
} affected;

static int cmp_affected(const void *pa, const void *pb)
{
    const affected *a = pa, *b = pb;
    if (a->c->urgency != b->c->urgency)
        return (int)a->c->urgency - (int)b->c->urgency;
    if (a->due != b->due)
        return a->due < b->due ? -1 : 1;
    int c = triage_id_compare(&a->c->id, &b->c->id);
    return c ? c : (int)a->slot - (int)b->slot;
}

TRIAGE_API triage_status_t triage_absence_proposals(triage_assignment_t **out, size_t *count,
                                                    triage_engine_t *e, const triage_id_t *worker,
                                                    triage_date_t start, triage_date_t end,
                                                    int64_t at_ms)
{
    if (!out)
        return triage__error_null("out");
    if (!count)
        return triage__error_null("count");
    if (!e)
        return triage__error_null("engine");
    if (!worker)
        return triage__error_null("worker");
    if (!triage__table_get(&e->tables[TRIAGE__T_WORKER], worker))
        return triage__error(TRIAGE_ENOTFOUND, "worker", "no worker with that id");
    if (!triage__date_valid(start))
        return triage__error(TRIAGE_ERANGE, "start", "date outside the supported range");
    if (!triage__date_valid(end))
        return triage__error(TRIAGE_ERANGE, "end", "date outside the supported range");
    if (end < start)
        return triage__error(TRIAGE_EINVAL, "end", "the absence ends before it starts");
    if (triage_local_time(NULL, NULL, at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "time outside the supported range");
    const triage__table *ct = &e->tables[TRIAGE__T_CASE];
    affected *list = ct->n ? triage__malloc(&e->alloc, ct->n * sizeof *list) : NULL;
    if (ct->n && !list)
        return TRIAGE_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < ct->n; i++) {
        const triage_case_t *c = &((const triage__case_rec *)(const void *)(ct->recs + i * ct->elem))->pub;
        if (c->stage == TRIAGE_STAGE_CLOSED)
            continue;
        triage_case_slot_t slot = 0;
        if (!triage_id_compare(&c->responsible, worker) ||
            !triage_id_compare(&c->assessment_worker, worker))
            slot = (!triage_id_compare(&c->assessment_worker, worker) &&
                    c->stage <= TRIAGE_STAGE_ASSESSMENT)
                       ? TRIAGE_SLOT_ASSESSMENT
                       : TRIAGE_SLOT_RESPONSIBLE;
        else if (!triage_id_compare(&c->pair, worker))
            slot = TRIAGE_SLOT_PAIR;
        if (!slot)
            continue;
        triage_date_t due = TRIAGE_DATE_NONE;
        for (uint32_t k = 0; k < c->deadline_count; k++) {
            const triage_deadline_t *d = &c->deadlines[k];
            if (c->milestone_met[d->milestone] == TRIAGE_DATE_NONE && d->due >= start &&
                d->due <= end && (due == TRIAGE_DATE_NONE || d->due < due))
                due = d->due;
        }
        if (due != TRIAGE_DATE_NONE)
            list[n++] = (affected){c, slot, due};
    }
    triage__sort(list, n, sizeof *list, cmp_affected);
    triage__team t;
    triage_status_t rc = triage__team_build(&t, e);
    triage_assignment_t *res = NULL;
    if (!rc && n) {
        res = triage__owned_alloc(&e->alloc, n * sizeof *res);
        if (!res)
            rc = TRIAGE_ENOMEM;
        else
            memset(res, 0, n * sizeof *res);
    }
    size_t done = 0;
    for (; !rc && done < n; done++) {
        triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
        req.at_ms = at_ms;
        req.slot = list[done].slot;
        req.exclude = *worker;
        decide_ctx x;
        rc = ctx_init(&x, e, &list[done].c->id, &req);
        /* the absentee must be present from the absence's start to the deadline */
        ptrdiff_t ci = -1, pi = -1;
        if (!rc)
            rc = decide(&res[done], &x, &t, 1, &ci, &pi);
        if (rc)
            break;
        /* later proposals see this one's load */
        double w = res[done].weight;
        double share = res[done].slot == TRIAGE_SLOT_PAIR ? t.pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] : 1;
        if (ci >= 0) {
            t.w[ci].weighted += share * w;
            t.w[ci].child_welfare += triage__is_child_welfare(x.c) && res[done].slot != TRIAGE_SLOT_PAIR;
        }
        if (pi >= 0)
            t.w[pi].weighted += t.pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] * w;
    }
    triage__team_free(&t);
    triage__free(&e->alloc, list);
    if (rc) {
        triage_assignments_free(res, done);
        return rc;
    }
    *out = res;
    *count = n;
    return TRIAGE_OK;
}

/* ---- duty roster -------------------------------------------------------------- */

/* Monday of the ISO week of d, and the ISO year's week-1 Monday. */
static triage_date_t week_monday(triage_date_t d)
{
    return d - (triage__weekday(d) - 1);
}

static triage_date_t iso_year_start(triage_date_t d, int *iso_year)
{
    triage_date_t mon = week_monday(d);
    int y, m, dd;
    triage__civil_from_days(mon + 3, &y, &m, &dd); /* the Thursday decides the ISO year */
    (void)m;
    (void)dd;
    *iso_year = y;
    return week_monday(triage__days_from_civil(y, 1, 4));
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* One role's smooth weighted round robin for the week of `date`. */
static triage_status_t rotate_weeks(triage_id_t *out, triage_engine_t *e, triage_role_t role,
                                    triage_date_t date);

/* rotate_weeks() replays the year's weeks up to `date`: the answer is kept
 * per role until the week, the workers or the absences change (the
 * simulator asks for it once per case distributed). */
static triage_status_t rotate(triage_id_t *out, triage_engine_t *e, triage_role_t role,
                              triage_date_t date)
{
    triage__assign_state *s = triage__assign_peek(e);
    int k = role == TRIAGE_ROLE_SOCIAL_WORKER ? 0 : 1;
    triage_date_t week = week_monday(date);
    if (s && s->duty[k].ok && s->duty[k].week == week && s->duty[k].abs_gen == e->absence_gen &&
        s->duty[k].worker_gen == e->worker_gen) {
        *out = s->duty[k].id;
        return TRIAGE_OK;
    }
    triage_status_t rc = rotate_weeks(out, e, role, date);
    s = triage__assign_peek(e);
    if (!rc && s) {
        s->duty[k].ok = 1;
        s->duty[k].week = week;
        s->duty[k].abs_gen = e->absence_gen;
        s->duty[k].worker_gen = e->worker_gen;
        s->duty[k].id = *out;
    }
    return rc;
}

static triage_status_t rotate_weeks(triage_id_t *out, triage_engine_t *e, triage_role_t role,
                                    triage_date_t date)
{
    *out = nil_id;
    const triage__table *wt = &e->tables[TRIAGE__T_WORKER];
    size_t m = 0;
    for (size_t i = 0; i < wt->n; i++) {
        const triage_worker_t *w = (const triage_worker_t *)(const void *)(wt->recs + i * wt->elem);
        m += w->active && w->role == role;
    }
    if (!m)
        return TRIAGE_OK;
    const triage_worker_t **ws = triage__malloc(&e->alloc, m * sizeof *ws);
    double *cur = triage__calloc(&e->alloc, m, sizeof *cur);
    uint64_t *tie = triage__malloc(&e->alloc, m * sizeof *tie);
    if (!ws || !cur || !tie) {
        triage__free(&e->alloc, (void *)ws);
        triage__free(&e->alloc, cur);
        triage__free(&e->alloc, tie);
        return TRIAGE_ENOMEM;
    }
    int year;
    triage_date_t w0 = iso_year_start(date, &year);
    size_t k = 0;
    for (size_t i = 0; i < wt->n; i++) {
        const triage_worker_t *w = (const triage_worker_t *)(const void *)(wt->recs + i * wt->elem);
        if (w->active && w->role == role) {
            ws[k] = w;
            uint64_t h;
            memcpy(&h, w->id.bytes, sizeof h);
            tie[k++] = mix(h ^ (uint64_t)year * 0x9e3779b97f4a7c15ULL);
        }
    }
    triage_date_t target = week_monday(date);
    for (triage_date_t wk = w0; wk <= target; wk += 7) {
        double total = 0;
        ptrdiff_t best = -1;
        for (size_t i = 0; i < m; i++) {
            if (triage__absent(e, &ws[i]->id, wk, wk + 4))
                continue;
            cur[i] += ws[i]->fte;
            total += ws[i]->fte;
            if (best < 0 || cur[i] > cur[best] + 1e-12 ||
                (fabs(cur[i] - cur[best]) <= 1e-12 && tie[i] < tie[best]))
                best = (ptrdiff_t)i;
        }
        if (best >= 0) {
            cur[best] -= total;
            if (wk == target)
                *out = ws[best]->id;
        }
    }
    triage__free(&e->alloc, (void *)ws);
    triage__free(&e->alloc, cur);
    triage__free(&e->alloc, tie);
    return TRIAGE_OK;
}

static triage_status_t duty_pair_ids(triage_id_t out[2], triage_engine_t *e, triage_date_t date)
{
    triage_status_t rc = rotate(&out[0], e, TRIAGE_ROLE_SOCIAL_WORKER, date);
    if (!rc)
        rc = rotate(&out[1], e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, date);
    return rc;
}

TRIAGE_API triage_status_t triage_duty_pair(triage_id_t *social_worker, triage_id_t *counsellor,
                                            triage_engine_t *e, triage_date_t date)
{
    if (!social_worker)
        return triage__error_null("social_worker");
    if (!counsellor)
        return triage__error_null("counsellor");
    if (!e)
        return triage__error_null("engine");
    if (!triage__date_valid(date) || date < TRIAGE_DATE_MIN + 7 || date > TRIAGE_DATE_MAX - 7)
        return triage__error(TRIAGE_ERANGE, "date", "date outside the supported range");
    triage_id_t ids[2];
    triage_status_t rc = duty_pair_ids(ids, e, date);
    if (rc)
        return rc;
    *social_worker = ids[0];
    *counsellor = ids[1];
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
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
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
        const triage_worker_t *w = t.w[i].w;
        if (w->active && (!role || w->role == role) && (team < 0 || w->team == team))
            v[n++] = t.w[i].weighted / w->fte;
    }
    triage__team_free(&t);
    triage_balance_t b;
    memset(&b, 0, sizeof b);
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
    *out = b;
    return TRIAGE_OK;
}

TRIAGE_API const char *triage_exclusion_name(triage_exclusion_t r)
{
    static const char *n[] = {"none", "inactive", "role", "absent", "language", "hard_cap",
                              "child_welfare_cap", "not_on_duty", "excluded", "no_pair"};
    return ((int)r >= 0 && (int)r < (int)TRIAGE__ARRAY_LEN(n)) ? n[r] : NULL;
}

/* ---- batch distribution (the solver is in batch.c) -------------------------- */

static int cmp_id(const void *a, const void *b)
{
    return triage_id_compare(a, b);
}

TRIAGE_API triage_status_t triage_assign_distribute(triage_assignment_t **out,
                                                    triage_batch_stats_t *stats,
                                                    triage_engine_t *e,
                                                    const triage_id_t *case_ids, size_t n,
                                                    const triage_assign_request_t *req, int apply)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    if (n && !case_ids)
        return triage__error_null("case_ids");
    if (apply != 0 && apply != 1)
        return triage__error(TRIAGE_EINVAL, "apply", "apply must be 0 or 1");
    triage_assign_request_t def = TRIAGE_ASSIGN_REQUEST_INIT;
    if (!req)
        req = &def;
    if (n > (size_t)INT32_MAX)
        return triage__error(TRIAGE_ERANGE, "n", "too many cases");
    triage_status_t rc = TRIAGE_OK;
    const triage_allocator_t *al = &e->alloc;
    triage__team t;
    memset(&t, 0, sizeof t);
    decide_ctx *ctx = NULL;
    triage_id_t *sorted = NULL;
    double *weight = NULL, *load = NULL, *fte = NULL, *trv = NULL;
    uint8_t *elig = NULL, *counted = NULL;
    int32_t *room = NULL, *base = NULL, *as = NULL, *group = NULL;
    cand *cands = NULL;
    size_t *order = NULL;
    triage_assignment_t *res = NULL;
    if (n) {
        sorted = triage__malloc(al, n * sizeof *sorted);
        if (!sorted)
            return TRIAGE_ENOMEM;
        triage__copy(sorted, case_ids, n * sizeof *sorted);
        triage__sort(sorted, n, sizeof *sorted, cmp_id);
        for (size_t i = 1; i < n; i++)
            if (!triage_id_compare(&sorted[i], &sorted[i - 1])) {
                triage__free(al, sorted);
                return triage__error(TRIAGE_EINVAL, "case_ids", "a case is listed twice");
            }
    }
    rc = triage__team_build(&t, e);
    if (rc)
        goto out;
    size_t nw = t.n;
    ctx = triage__calloc(al, n + 1, sizeof *ctx);
    weight = triage__malloc(al, (n + 1) * sizeof *weight);
    load = triage__malloc(al, (nw + 1) * sizeof *load);
    fte = triage__malloc(al, (nw + 1) * sizeof *fte);
    elig = triage__calloc(al, n * nw + 1, 1);
    trv = triage__calloc(al, n * nw + 1, sizeof *trv);
    counted = triage__calloc(al, n + 1, 1);
    room = triage__malloc(al, (nw + 1) * sizeof *room);
    group = triage__malloc(al, (nw + 1) * sizeof *group);
    base = triage__malloc(al, (n + 1) * sizeof *base);
    as = triage__malloc(al, (n + 1) * sizeof *as);
    cands = triage__malloc(al, (nw + 1) * sizeof *cands);
    order = triage__malloc(al, (nw + 1) * sizeof *order);
    res = triage__owned_alloc(al, (n + 1) * sizeof *res);
    if (!ctx || !weight || !load || !fte || !elig || !trv || !counted || !room || !base || !as ||
        !cands || !order || !res || !group) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    memset(res, 0, (n + 1) * sizeof *res);
    double far = 0;
    const triage__assign_state *ast = triage__assign_peek(e);
    if (ast && ast->n)
        for (size_t k = 0; k < ast->n * ast->n; k++)
            far = ast->dist[k] > far ? ast->dist[k] : far;
    far += 1;
    int32_t cw_cap = (int32_t)t.pol->p[TRIAGE_ASSIGN_CHILD_WELFARE_CAP];
    for (size_t j = 0; j < nw; j++) {
        load[j] = t.w[j].weighted;
        fte[j] = t.w[j].w->fte;
        group[j] = (int32_t)t.w[j].w->role;
        room[j] = cw_cap - t.w[j].child_welfare;
        if (room[j] < 0)
            room[j] = 0;
    }
    /* eligibility, weights and travel of every case on the current loads */
    for (size_t i = 0; i < n && !rc; i++) {
        rc = ctx_init(&ctx[i], e, &case_ids[i], req);
        if (rc)
            break;
        weight[i] = triage__case_weight(t.pol, ctx[i].c);
        if (ctx[i].slot == TRIAGE_SLOT_PAIR)
            weight[i] *= t.pol->p[TRIAGE_ASSIGN_PAIR_FACTOR];
        counted[i] = (uint8_t)(triage__is_child_welfare(ctx[i].c) && ctx[i].slot != TRIAGE_SLOT_PAIR);
        size_t ne;
        uint32_t fl;
        evaluate(cands, order, &ne, &fl, &ctx[i], &t, triage__case_weight(t.pol, ctx[i].c), 0);
        res[i].flags = fl & (TRIAGE_ASSIGN_INTERPRETER | TRIAGE_ASSIGN_DUTY_PAIR | TRIAGE_ASSIGN_NO_DUTY_PAIR);
        for (size_t j = 0; j < nw; j++) {
            /* the hard cap is the objective's business in a batch */
            int ok = cands[j].ex == TRIAGE_EXCLUDED_NONE || cands[j].ex == TRIAGE_EXCLUDED_HARD_CAP ||
                     cands[j].ex == TRIAGE_EXCLUDED_CHILD_WELFARE_CAP;
            if (cands[j].ex == TRIAGE_EXCLUDED_CHILD_WELFARE_CAP && !counted[i])
                ok = 0;
            elig[i * nw + j] = (uint8_t)ok;
            double d = travel(&ctx[i], &t.w[j]);
            trv[i * nw + j] = isinf(d) ? far : d;
        }
    }
    if (rc)
        goto out;
    /* the baseline: one by one in arrival order with the online rule */
    {
        triage__team seqt = t;
        seqt.w = triage__malloc(al, (nw + 1) * sizeof *seqt.w);
        if (!seqt.w) {
            rc = TRIAGE_ENOMEM;
            goto out;
        }
        if (nw)
            triage__copy(seqt.w, t.w, nw * sizeof *seqt.w);
        for (size_t i = 0; i < n && !rc; i++) {
            triage_assignment_t a;
            ptrdiff_t ci = -1, pi = -1;
            rc = decide(&a, &ctx[i], &seqt, 0, &ci, &pi);
            if (rc)
                break;
            base[i] = ci >= 0 && elig[i * nw + (size_t)ci] ? (int32_t)ci : -1;
            if (ci >= 0) {
                seqt.w[ci].weighted += weight[i];
                seqt.w[ci].child_welfare += counted[i];
            }
        }
        triage__free(al, seqt.w);
        if (rc)
            goto out;
    }
    triage_batch_problem_t p = TRIAGE_BATCH_PROBLEM_INIT;
    p.ncases = n;
    p.nworkers = nw;
    p.weight = weight;
    p.load = load;
    p.fte = fte;
    p.eligible = elig;
    p.travel = trv;
    p.counted = counted;
    p.room = room;
    p.group = group;
    p.flood_margin = (int32_t)t.pol->p[TRIAGE_ASSIGN_FLOOD_MARGIN];
    p.exact_limit = (int32_t)t.pol->p[TRIAGE_ASSIGN_EXACT_LIMIT];
    triage_batch_stats_t st;
    rc = triage__batch_solve(as, &st, &p, base, al);
    if (rc)
        goto out;
    /* proposals, pairs on the final loads */
    double hard = t.pol->p[TRIAGE_ASSIGN_HARD_CAP];
    for (size_t i = 0; i < n; i++)
        if (as[i] >= 0)
            t.w[as[i]].weighted += weight[i];
    for (size_t i = 0; i < n; i++) {
        triage_assignment_t *a = &res[i];
        a->case_id = case_ids[i];
        a->slot = ctx[i].slot;
        a->weight = weight[i];
        a->previous = ctx[i].slot == TRIAGE_SLOT_PAIR ? ctx[i].c->pair
                      : ctx[i].slot == TRIAGE_SLOT_RESPONSIBLE ? ctx[i].c->responsible
                                                               : ctx[i].c->assessment_worker;
        if (as[i] < 0) {
            a->flags |= TRIAGE_ASSIGN_NO_CANDIDATE;
            continue;
        }
        size_t j = (size_t)as[i];
        a->worker = t.w[j].w->id;
        if (t.w[j].weighted / t.w[j].w->fte > hard) {
            a->flags |= TRIAGE_ASSIGN_OVER_CAPACITY;
            st.over_capacity++;
        }
        if (t.w[j].weighted / t.w[j].w->fte > t.pol->p[TRIAGE_ASSIGN_SOFT_CAP])
            a->flags |= TRIAGE_ASSIGN_OVER_SOFT_CAP;
        if (!triage_id_compare(&a->worker, &ctx[i].client->responsible_worker))
            a->flags |= TRIAGE_ASSIGN_CONTINUITY;
        const triage_case_t *c = ctx[i].c;
        if (ctx[i].slot != TRIAGE_SLOT_PAIR && t.w[j].w->role == TRIAGE_ROLE_SOCIAL_COUNSELLOR &&
            (c->flags & TRIAGE_CASE_CLASSIFIED) &&
            (c->classification.quadrant == TRIAGE_Q3_SUPPORTED_GUIDANCE || c->special_support)) {
            ptrdiff_t pi = choose_pair(&ctx[i], &t, j, weight[i], 1);
            if (pi >= 0) {
                a->pair = t.w[pi].w->id;
                a->flags |= TRIAGE_ASSIGN_PAIR_PROPOSED;
                t.w[pi].weighted += t.pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] * weight[i];
            }
        }
    }
    if (apply) {
        rc = triage_assign_apply(e, res, n, &req->actor, req->at_ms);
        if (rc)
            goto out;
    }
    if (stats)
        *stats = st;
    *out = n ? res : NULL;
    if (!n)
        triage_free(res);
    res = NULL;
out:
    triage__team_free(&t);
    triage__free(al, sorted);
    triage__free(al, ctx);
    triage__free(al, weight);
    triage__free(al, load);
    triage__free(al, fte);
    triage__free(al, elig);
    triage__free(al, trv);
    triage__free(al, counted);
    triage__free(al, room);
    triage__free(al, group);
    triage__free(al, base);
    triage__free(al, as);
    triage__free(al, cands);
    triage__free(al, order);
    triage_free(res);
    return rc;
}
