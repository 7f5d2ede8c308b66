/*
 * The assignment policy and the module's per-engine state: the policy object
 * (weights, caps and switches), the state the engine keeps for this module
 * as an extension, the distance matrix between municipalities, and the load
 * model's per-case share, which the extension's commit hook keeps current
 * (the loads themselves are in load.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign/assign_internal.h"

/* ---- policy -------------------------------------------------------------- */

static const double defaults[TRIAGE__NPARAM] = {
    0, 0.5, 1.0, 1.5, 2.0, 1.0, 0.7, 0.5, 0.3, 35, 50, 30, 3, 1, 10, 10,
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
    return param >= TRIAGE_ASSIGN_WEIGHT_Q1 && param <= TRIAGE_ASSIGN_LONG_ABSENCE;
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
    case TRIAGE_ASSIGN_LONG_ABSENCE: hi = 1000; integer = 1; break;
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
    triage__free(&e->alloc, s->nresp);
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

/* ---- the stored forms (docs/data-model.md, "Policies") -------------------- */

/* The stored name of each parameter (by triage_assign_param_t): a new
 * parameter needs its name here, or the build fails. */
static const char *const param_names[] = {
    NULL,           "weight_q1",    "weight_q2",    "weight_q3",         "weight_q4",
    "weight_unclassified", "later_factor", "urgent_bonus", "pair_factor", "soft_cap",
    "hard_cap",     "child_welfare_cap", "flood_margin", "language_hard", "exact_limit",
    "long_absence",
};
_Static_assert(sizeof param_names / sizeof param_names[0] == TRIAGE__NPARAM,
               "every assignment parameter has a stored name");

static triage_status_t policy_save(triage__text *t, const triage_assign_policy_t *p)
{
    triage__text_add(t, "id %s\nversion %u\n", p->id, (unsigned)p->version);
    for (int i = 1; i < TRIAGE__NPARAM; i++)
        triage__text_add(t, "param %s %.17g\n", param_names[i], p->p[i]);
    return triage__text_end(t);
}

static triage_status_t damaged(const char *what, int line)
{
    return triage__error(TRIAGE_ECORRUPT, "policy", "the stored %s is damaged (line %d)", what,
                         line);
}

/* Decodes a stored assignment policy; the setters check every value (the
 * caps in whichever order they fit). */
static triage_status_t policy_load(triage_assign_policy_t **out, const triage_allocator_t *a,
                                   const char *text, size_t len)
{
    triage_assign_policy_t *p;
    triage_status_t rc = triage_assign_policy_new(&p, a);
    if (rc)
        return rc;
    double val[TRIAGE__NPARAM];
    int have[TRIAGE__NPARAM] = {0};
    /* an empty stored payload comes as NULL: no pointer arithmetic on it */
    const char *pos = len ? text : "", *end = pos + len;
    char key[48], value[256], name[64], id[32] = "";
    unsigned long version = 0;
    int line = 0, r;
    while (!rc && (r = triage__text_line(&pos, end, key, value)) != 0) {
        line++;
        int bad = r < 0;
        if (!bad && strcmp(key, "id") == 0) {
            bad = strlen(value) > 31;
            if (!bad)
                strcpy(id, value);
        } else if (!bad && strcmp(key, "version") == 0) {
            char *e;
            version = strtoul(value, &e, 10);
            bad = *e != '\0' || version < 1 || version > UINT32_MAX;
        } else if (!bad && strcmp(key, "param") == 0) {
            double v;
            int k = 0;
            bad = sscanf(value, "%63s %lf", name, &v) != 2;
            for (int i = 1; !bad && i < TRIAGE__NPARAM; i++)
                if (strcmp(name, param_names[i]) == 0)
                    k = i;
            if (!bad && k) {
                val[k] = v;
                have[k] = 1;
            }
        }
        if (bad)
            rc = damaged("assignment policy", line);
    }
    /* two passes: a cap may only fit once the other cap moved */
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (int k = 1; k < TRIAGE__NPARAM; k++)
            if (have[k] && triage_assign_policy_set(p, (triage_assign_param_t)k, val[k]) == 0)
                have[k] = 0;
    for (int k = 1; k < TRIAGE__NPARAM && !rc; k++)
        if (have[k])
            rc = damaged("assignment policy", 0);
    if (!rc && triage_assign_policy_set_id(p, id, (uint32_t)version))
        rc = damaged("assignment policy", 0);
    if (rc) {
        triage_assign_policy_free(p);
        return rc;
    }
    *out = p;
    return TRIAGE_OK;
}

/* The distance matrix: "TRD1", n, n codes, n * n distances, all little-endian. */
#define DIST_MAGIC "TRD1"

static void put_u32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put_f64(unsigned char *b, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static double get_f64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    double d;
    memcpy(&d, &v, sizeof d);
    return d;
}

static size_t dist_size(size_t n)
{
    return 8 + 4 * n + 8 * n * n;
}

static _Thread_local const int32_t *sort_codes;
static int cmp_code_idx(const void *a, const void *b)
{
    int32_t x = sort_codes[*(const int32_t *)a], y = sort_codes[*(const int32_t *)b];
    return (x > y) - (x < y);
}

/* Checks a matrix as triage_engine_set_distances() documents. */
static triage_status_t dist_check(const int32_t *codes, const double *distance, size_t n,
                                  const triage_allocator_t *a, int32_t **sorted_out)
{
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
    int32_t *sorted = n ? triage__malloc(a, n * sizeof *sorted) : NULL;
    if (n && !sorted)
        return TRIAGE_ENOMEM;
    for (size_t i = 0; i < n; i++)
        sorted[i] = (int32_t)i;
    sort_codes = codes; /* qsort has no context argument in C11 */
    triage__sort(sorted, n, sizeof *sorted, cmp_code_idx);
    sort_codes = NULL;
    for (size_t i = 1; i < n; i++)
        if (codes[sorted[i]] == codes[sorted[i - 1]]) {
            triage__free(a, sorted);
            return triage__error(TRIAGE_EINVAL, "codes", "a municipality is listed twice");
        }
    *sorted_out = sorted;
    return TRIAGE_OK;
}

/* Decodes a stored matrix into the state (replacing the old one). */
static triage_status_t dist_load(triage_engine_t *e, triage__assign_state *s,
                                 const unsigned char *b, size_t len)
{
    if (len < 8 || memcmp(b, DIST_MAGIC, 4) != 0)
        return damaged("distance matrix", 0);
    size_t n = get_u32(b + 4);
    if (n > 1000 || len != dist_size(n))
        return damaged("distance matrix", 0);
    int32_t *c = n ? triage__malloc(&e->alloc, n * sizeof *c) : NULL;
    double *d = n ? triage__malloc(&e->alloc, n * n * sizeof *d) : NULL;
    int32_t *sorted = NULL;
    triage_status_t rc = n && (!c || !d) ? TRIAGE_ENOMEM : TRIAGE_OK;
    for (size_t i = 0; i < n && !rc; i++)
        c[i] = (int32_t)get_u32(b + 8 + 4 * i);
    for (size_t i = 0; i < n * n && !rc; i++)
        d[i] = get_f64(b + 8 + 4 * n + 8 * i);
    if (!rc && (rc = dist_check(c, d, n, &e->alloc, &sorted)) == TRIAGE_EINVAL)
        rc = damaged("distance matrix", 0);
    if (rc) {
        triage__free(&e->alloc, c);
        triage__free(&e->alloc, d);
        return rc;
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

/* Brings the state to the engine's stored policy and matrix (another
 * engine may have changed them; this engine's own change arrives the same
 * way, through its commit). */
static triage_status_t sync(triage_engine_t *e, triage__assign_state *s)
{
    const triage__policy *pol = &e->policies[TRIAGE__POLICY_ASSIGN - 1];
    const triage__policy *dist = &e->policies[TRIAGE__POLICY_DISTANCES - 1];
    if (pol->rev != s->policy_rev && pol->rev) {
        triage_assign_policy_t *p;
        triage_status_t rc =
            policy_load(&p, &e->alloc, (const char *)pol->payload, pol->npayload);
        if (rc)
            return rc;
        triage_assign_policy_free(s->policy);
        s->policy = p;
        s->policy_rev = pol->rev;
        s->loads_ok = 0; /* the weights may have changed */
    }
    if (dist->rev != s->dist_rev && dist->rev) {
        triage_status_t rc = dist_load(e, s, dist->payload, dist->npayload);
        if (rc)
            return rc;
        s->dist_rev = dist->rev;
    }
    s->seen_gen = e->policy_gen;
    return TRIAGE_OK;
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
        s->seen_gen = e->policy_gen - 1; /* sync below */
    }
    if (s->seen_gen != e->policy_gen) {
        triage_status_t rc = sync(e, s);
        if (rc)
            return rc;
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
    triage__text t;
    triage__text_init(&t, &e->alloc);
    triage_status_t rc = policy_save(&t, policy);
    if (rc)
        return rc;
    rc = triage__policy_set_opaque(e, TRIAGE__POLICY_ASSIGN, policy->id, policy->version, t.p,
                                   t.n);
    triage__text_free(&t);
    return rc;
}

TRIAGE_API triage_status_t triage_engine_assign_policy(const triage_assign_policy_t **out,
                                                       triage_engine_t *e)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    TRIAGE__READ_BEGIN(e);
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    *out = s->policy;
    return TRIAGE_OK;
}

/* ---- distances -------------------------------------------------------------- */

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
    int32_t *sorted = NULL;
    triage_status_t rc = dist_check(codes, distance, n, &e->alloc, &sorted);
    if (rc)
        return rc;
    triage__free(&e->alloc, sorted);
    size_t len = dist_size(n);
    unsigned char *b = triage__malloc(&e->alloc, len);
    if (!b)
        return TRIAGE_ENOMEM;
    memcpy(b, DIST_MAGIC, 4);
    put_u32(b + 4, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        put_u32(b + 8 + 4 * i, (uint32_t)codes[i]);
    for (size_t i = 0; i < n * n; i++)
        put_f64(b + 8 + 4 * n + 8 * i, distance[i]);
    rc = triage__policy_set_opaque(e, TRIAGE__POLICY_DISTANCES, "distances", 0, b, len);
    triage__free(&e->alloc, b);
    return rc;
}

ptrdiff_t triage__code_index(const triage__assign_state *s, int32_t code)
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
    ptrdiff_t i = triage__code_index(s, from), j = triage__code_index(s, to);
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
    TRIAGE__READ_BEGIN(e);
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    double d = triage__distance(s, from, to);
    if (d < 0)
        return triage__error(TRIAGE_ENOTFOUND, "municipality",
                             "no distance known between those municipalities");
    *out = d;
    return TRIAGE_OK;
}

/* ---- load ------------------------------------------------------------------ */

double triage__case_weight(const triage_assign_policy_t *p, const triage__case *c)
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

int triage__is_child_welfare(const triage__case *c)
{
    return c->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION ||
           c->service == TRIAGE_SERVICE_FAMILY;
}

int32_t triage__cw_children(const triage__case *c)
{
    if (!triage__is_child_welfare(c))
        return 0;
    return c->children > 0 ? c->children : 1;
}

uint64_t triage__weight_units(double w)
{
    return (uint64_t)llround(w * TRIAGE__LOAD_UNITS);
}

/* ---- load aggregates ----------------------------------------------------------
 * A case counts for its responsible worker (weight, case, client, children),
 * for its assessment worker when another (weight, case) and for its pair
 * when a third (PAIR_FACTOR x weight, case); closed cases count for nobody.
 * The totals live in the assignment state by worker record index and change
 * only at commit: triage__txn_commit() hands every written case record to
 * this module's extension hook (state_on_commit) before the table changes, which takes the old
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
void triage__case_share(triage__assign_state *s, const triage__table *wt, const triage__case *c,
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
        s->nresp[r] += one;
        s->ncw[r] += one * triage__cw_children(c);
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
        triage__case_share(s, wt, (const triage__case *)old_rec, -1);
    if (new_rec)
        triage__case_share(s, wt, (const triage__case *)new_rec, 1);
}
