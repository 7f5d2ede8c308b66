/*
 * Online assignment (docs/domain.md §7): the decision for one case with its
 * explanation, proposing and applying it, and role-change proposals.
 *
 * Decisions read the engine's tables; applying goes through one triage__txn
 * and the engine's own law checks (triage__case_set_worker_tx), so a failure
 * changes nothing.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "assign/assign_internal.h"

static const triage_id_t nil_id;

/* ---- the decision ------------------------------------------------------------ */

#define PENDING_PAIR 100

static int role_fits(const triage__decide_ctx *x, const triage_assign_policy_t *pol,
                     triage_role_t role, int *needs_pair)
{
    const triage__case *c = x->c;
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

int triage__lang_bit(triage_language_t l)
{
    return l == TRIAGE_LANG_FI ? TRIAGE_LANG_BIT_FI : l == TRIAGE_LANG_SV ? TRIAGE_LANG_BIT_SV : 0;
}

int triage__serves(const triage__worker *w, int32_t m)
{
    if (m <= 0)
        return 0;
    for (uint32_t i = 0; i < w->nserved; i++)
        if (w->served[i] == m)
            return 1;
    return 0;
}

double triage__travel(const triage__decide_ctx *x, const triage__wload *l)
{
    if (!x->s->n || x->client->municipality <= 0)
        return 0; /* no matrix or unknown municipality: no preference */
    if (x->cidx < 0 || l->office_idx < 0)
        return HUGE_VAL;
    return x->s->dist[(size_t)l->office_idx * x->s->n + (size_t)x->cidx];
}

/* Lexicographic preference order (docs/domain.md §7.3); index order = id order
 * breaks the final tie. Negative: a before b. */
static int prefer(const triage__cand *a, size_t ia, const triage__cand *b, size_t ib)
{
    if (!a->load_only && !b->load_only) {
        if (a->continuity != b->continuity)
            return b->continuity - a->continuity;
        if (a->serves != b->serves)
            return b->serves - a->serves;
        if (a->dist != b->dist)
            return a->dist < b->dist ? -1 : 1;
    }
    if (a->after != b->after)
        return a->after < b->after ? -1 : 1;
    return (ia > ib) - (ia < ib);
}

static _Thread_local const triage__cand *sort_cands;
static int cmp_rank(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    return prefer(&sort_cands[a], a, &sort_cands[b], b);
}

/* The response deadline of an IMMEDIATE/URGENT case (or the date itself). */
static triage_date_t presence_until(const triage__case *c, triage_date_t date)
{
    triage_date_t until = date;
    if (c->urgency == TRIAGE_URGENCY_IMMEDIATE || c->urgency == TRIAGE_URGENCY_URGENT)
        for (uint32_t i = 0; i < c->ndeadlines; i++) {
            const triage__deadline *d = &c->deadlines[i];
            if (d->row == TRIAGE_DEADLINE_RESPONSE && !(d->flags & TRIAGE__DL_SUPERSEDED) &&
                d->due > until)
                until = d->due;
        }
    return until;
}

/* Evaluates every candidate of team t. Fills cands (t->n) and, when rank is
 * non-NULL, the preference order of the eligible (count in *neligible). */
triage_status_t triage__evaluate(triage__cand *cands, size_t *order, size_t *neligible,
                                 uint32_t *flags, const triage__decide_ctx *x,
                                 const triage__team *t, double weight, int full)
{
    const triage_assign_policy_t *pol = t->pol;
    int resp = !triage_id_is_nil(&x->c->responsible);
    int cont = !x->role_change && x->slot != TRIAGE_SLOT_PAIR &&
               !triage_id_is_nil(&x->client->responsible_worker);
    int excl = !triage_id_is_nil(&x->exclude);
    double share = x->slot == TRIAGE_SLOT_PAIR ? pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] : 1.0;
    int32_t children = triage__cw_children(x->c);
    int cw = children > 0 && x->slot != TRIAGE_SLOT_PAIR;
    int32_t cw_cap = (int32_t)pol->p[TRIAGE_ASSIGN_CHILD_WELFARE_CAP];
    int immediate = x->c->urgency == TRIAGE_URGENCY_IMMEDIATE && x->slot != TRIAGE_SLOT_PAIR;
    int bit = triage__lang_bit(x->client->language);
    uint32_t f = 0;
    if (!bit)
        f |= TRIAGE_ASSIGN_INTERPRETER;
    /* social workers available as a pair (for SOCIAL_WORKER_OR_PAIR) */
    int pair_available = 0;
    for (size_t i = 0; i < t->n; i++) {
        const triage__wload *l = &t->w[i];
        triage__cand *k = &cands[i];
        memset(k, 0, sizeof *k);
        k->before = l->weighted / l->w->fte;
        k->after = (l->weighted + share * weight) / l->w->fte;
        k->serves = triage__serves(l->w, x->client->municipality);
        k->dist = triage__travel(x, l);
        k->continuity = cont && !triage_id_compare(&x->client->responsible_worker, &l->w->id);
        k->gain = x->slot != TRIAGE_SLOT_PAIR &&
                  (!resp || triage_id_compare(&x->c->responsible, &l->w->id));
        k->clients_after = l->clients + k->gain;
        k->over_soft = k->clients_after > l->soft_clients;
        k->over_hard = k->clients_after > l->hard_clients;
        int needs_pair = 0;
        if (!l->w->active)
            k->ex = TRIAGE_EXCLUDED_INACTIVE;
        else if (excl && !triage_id_compare(&x->exclude, &l->w->id))
            k->ex = TRIAGE_EXCLUDED_EXCLUDED;
        else if (x->slot == TRIAGE_SLOT_PAIR && !triage_id_compare(&x->c->responsible, &l->w->id))
            k->ex = TRIAGE_EXCLUDED_ROLE; /* the pair is another worker than the responsible */
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
    /* LSL 13 b §: the statutory per-worker cap in children, never waived */
    if (cw) {
        for (size_t i = 0; i < t->n; i++)
            if (!cands[i].ex && cands[i].gain &&
                t->w[i].child_welfare + children > cw_cap)
                cands[i].ex = TRIAGE_EXCLUDED_CHILD_WELFARE_CAP;
    }
    /* the hard cap in clients per FTE, unless every candidate is at it */
    int under = 0, left = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!cands[i].ex) {
            left++;
            under += !cands[i].over_hard;
        }
    if (under) {
        for (size_t i = 0; i < t->n; i++)
            if (!cands[i].ex && cands[i].over_hard)
                cands[i].ex = TRIAGE_EXCLUDED_HARD_CAP;
    } else if (left) {
        f |= TRIAGE_ASSIGN_OVER_CAPACITY;
        /* the least loaded first: continuity and locality no longer rank,
         * though the explanation still shows them */
        for (size_t i = 0; i < t->n; i++)
            cands[i].load_only = 1;
    }
    /* IMMEDIATE: the duty pair, when a member passes the above (§7.6) */
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
    /* language (default hard): a preference among the candidates that pass
     * every other hard constraint; none of them speaks it: an interpreter */
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
ptrdiff_t triage__choose_pair(const triage__decide_ctx *x, const triage__team *t, size_t chosen,
                              double weight, int balance_only)
{
    ptrdiff_t best = -1;
    triage__cand bk;
    memset(&bk, 0, sizeof bk);
    double pf = t->pol->p[TRIAGE_ASSIGN_PAIR_FACTOR];
    for (size_t i = 0; i < t->n; i++) {
        const triage__worker *w = t->w[i].w;
        if (i == chosen || !w->active || w->role != TRIAGE_ROLE_SOCIAL_WORKER ||
            (!triage_id_is_nil(&x->exclude) && !triage_id_compare(&x->exclude, &w->id)) ||
            triage__absent(x->e, &w->id, x->date, x->until))
            continue;
        triage__cand k;
        memset(&k, 0, sizeof k);
        if (!balance_only) {
            k.serves = triage__serves(w, x->client->municipality);
            k.dist = triage__travel(x, &t->w[i]);
        }
        k.after = (t->w[i].weighted + pf * weight) / w->fte;
        if (best < 0 || prefer(&k, i, &bk, (size_t)best) < 0) {
            best = (ptrdiff_t)i;
            bk = k;
        }
    }
    return best;
}

triage_status_t triage__decide_init(triage__decide_ctx *x, triage_engine_t *e,
                                    const triage_id_t *case_id,
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
    const triage__case *r = triage__fetch(e, TRIAGE__T_CASE, case_id, "case_id");
    if (!r)
        return triage_error_last()->code;
    if (r->stage == TRIAGE_STAGE_CLOSED)
        return triage__error(TRIAGE_ESTATE, "closed_is_final", "a closed case is not assigned");
    if (triage_local_time(&x->date, NULL, req->at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "time outside the supported range");
    const triage__client *cl = triage__fetch(e, TRIAGE__T_CLIENT, &r->client, "client");
    if (!cl)
        return triage_error_last()->code;
    triage_status_t rc = triage__assign_get(&x->s, e);
    if (rc)
        return rc;
    x->e = e;
    x->rec = r;
    x->c = r;
    x->client = cl;
    x->until = presence_until(x->c, x->date);
    x->cidx = x->s->n ? triage__code_index(x->s, x->client->municipality) : -1;
    x->slot = req->slot ? req->slot
                        : (r->stage == TRIAGE_STAGE_PLANNING || r->stage == TRIAGE_STAGE_CASEWORK)
                              ? TRIAGE_SLOT_RESPONSIBLE
                              : TRIAGE_SLOT_ASSESSMENT;
    x->exclude = req->exclude;
    x->role_change = req->role_change;
    if (x->c->urgency == TRIAGE_URGENCY_IMMEDIATE)
        return triage__duty_pair_ids(x->duty, e, x->date);
    return TRIAGE_OK;
}

/* Decides on team t (loads as they stand); fills out (candidates when explain). */
triage_status_t triage__decide(triage_assignment_t *out, const triage__decide_ctx *x,
                               const triage__team *t, int explain, ptrdiff_t *chosen_idx,
                               ptrdiff_t *pair_idx)
{
    triage_engine_t *e = x->e;
    double weight = triage__case_weight(t->pol, x->c);
    triage__cand *cands = t->n ? triage__malloc(&e->alloc, t->n * sizeof *cands) : NULL;
    size_t *order = t->n ? triage__malloc(&e->alloc, (t->n + 1) * sizeof *order) : NULL;
    if (t->n && (!cands || !order)) {
        triage__free(&e->alloc, cands);
        triage__free(&e->alloc, order);
        return TRIAGE_ENOMEM;
    }
    size_t n = 0;
    uint32_t flags = 0;
    triage__evaluate(cands, order, &n, &flags, x, t, weight, explain);
    triage_assignment_t a;
    memset(&a, 0, sizeof a);
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    a.case_id = x->c->id;
    a.slot = x->slot;
    a.weight = weight;
    a.stage = (triage_stage_t)x->c->stage;
    a.present_until = x->until;
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
        if (cands[ci].over_soft)
            flags |= TRIAGE_ASSIGN_OVER_SOFT_CAP;
        const triage__case *c = x->c;
        if (x->slot != TRIAGE_SLOT_PAIR && t->w[ci].w->role == TRIAGE_ROLE_SOCIAL_COUNSELLOR &&
            (c->flags & TRIAGE_CASE_CLASSIFIED) &&
            (c->classification.quadrant == TRIAGE_Q3_SUPPORTED_GUIDANCE || c->special_support)) {
            pi = triage__choose_pair(x, t, (size_t)ci, weight, 0);
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
    uint32_t version = a->version; /* kept: the struct can be reused */
    triage_free(a->candidates);
    /* only the bytes of the caller's version (an unknown one: the first) */
    size_t size = version >= 1 && version <= TRIAGE__NASSIGNMENT_SIZES
                      ? triage__assignment_sizes[version - 1]
                      : triage__assignment_sizes[0];
    memset(a, 0, size);
    a->version = version;
}

const size_t triage__assignment_sizes[2] = {
    offsetof(triage_assignment_t, candidates) + sizeof(triage_assign_candidate_t *), /* 1 */
    sizeof(triage_assignment_t),                                                     /* 2 */
};

/* The element size of an array of assignments: its first element's version
 * tells the layout (0 when the version is unknown). */
static size_t array_stride(const triage_assignment_t *a)
{
    uint32_t v = a->version;
    return v >= 1 && v <= TRIAGE__NASSIGNMENT_SIZES ? triage__assignment_sizes[v - 1] : 0;
}

void triage__assignments_pack(triage_assignment_t *a, size_t n, uint32_t version)
{
    size_t size = triage__assignment_sizes[version - 1];
    if (version == TRIAGE_ASSIGNMENT_VERSION)
        return;
    for (size_t i = 0; i < n; i++) {
        a[i].version = version;
        memmove((char *)a + i * size, &a[i], size);
    }
}

TRIAGE_API void triage_assignments_free(triage_assignment_t *a, size_t n)
{
    if (!a)
        return;
    size_t stride = array_stride(a);
    if (stride)
        for (size_t i = 0; i < n; i++) {
            triage_assignment_t *k = (triage_assignment_t *)(void *)((char *)a + i * stride);
            triage_free(k->candidates);
        }
    triage_free(a);
}

static const size_t *const assignment_sizes = triage__assignment_sizes;

static triage_status_t propose(triage_assignment_t *out, triage_engine_t *e,
                               const triage_id_t *case_id, const triage_assign_request_t *req)
{
    size_t size = triage__out_size(out, assignment_sizes, TRIAGE__NASSIGNMENT_SIZES,
                                   "out.version");
    if (!size)
        return triage_error_last()->code;
    if (!e)
        return triage__error_null("engine");
    triage_assign_request_t def = TRIAGE_ASSIGN_REQUEST_INIT;
    if (!req)
        req = &def;
    triage__decide_ctx x;
    triage_status_t rc = triage__decide_init(&x, e, case_id, req);
    if (rc)
        return rc;
    triage__team t;
    triage_assignment_t a;
    rc = triage__team_build(&t, e);
    if (!rc)
        rc = triage__decide(&a, &x, &t, 1, NULL, NULL);
    triage__team_free(&t);
    if (!rc) {
        a.version = out->version;
        memcpy(out, &a, size);
    }
    return rc;
}

TRIAGE_API triage_status_t triage_assign_propose(triage_assignment_t *out, triage_engine_t *e,
                                                 const triage_id_t *case_id,
                                                 const triage_assign_request_t *req)
{
    TRIAGE__READ_BEGIN(e);
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

/* What one application has added so far, by worker record index: the
 * loads the engine keeps change only at commit. */
typedef struct {
    triage__assign_state *s;
    int32_t *clients, *children;
} applied;

/* The caps when `a` makes its worker responsible for case c (docs/domain.md
 * §7.1, §7.2): LSL 13 b § is never exceeded (refused); going above the soft
 * or hard cap in clients per FTE is allowed, counted for the worker and
 * returned as TRIAGE_EVENT_OVER_* bits for the event. */
static triage_status_t cap_bits(int32_t *bits, applied *ap, triage_engine_t *e,
                                const triage__case *c, const triage_assignment_t *a,
                                const triage__worker *w)
{
    *bits = 0;
    if (a->slot == TRIAGE_SLOT_PAIR || !triage_id_compare(&c->responsible, &a->worker))
        return TRIAGE_OK;
    const triage__table *wt = &e->tables[TRIAGE__T_WORKER];
    size_t k = (size_t)((const char *)w - wt->recs) / wt->elem;
    const triage_assign_policy_t *pol = ap->s->policy;
    int32_t children = triage__cw_children(c);
    if (children &&
        ap->s->ncw[k] + ap->children[k] + children > (int32_t)pol->p[TRIAGE_ASSIGN_CHILD_WELFARE_CAP])
        return triage__error(TRIAGE_ESTATE, "lsl13b_child_welfare_cap",
                             "the worker would be responsible for more children in child "
                             "welfare than the law allows");
    int32_t after = ap->s->nresp[k] + ap->clients[k] + 1;
    if (after > triage__cap_clients(pol->p[TRIAGE_ASSIGN_SOFT_CAP], w->fte))
        *bits |= TRIAGE_EVENT_OVER_SOFT_CAP;
    if (after > triage__cap_clients(pol->p[TRIAGE_ASSIGN_HARD_CAP], w->fte))
        *bits |= TRIAGE_EVENT_OVER_HARD_CAP;
    ap->clients[k]++;
    ap->children[k] += children;
    /* the case's previous responsible worker gives the client up in this
     * same apply: a later proposal for that worker counts one client (and
     * these children) fewer */
    const char *prev = triage_id_is_nil(&c->responsible)
                           ? NULL
                           : (const char *)triage__table_get(wt, &c->responsible);
    if (prev) {
        size_t pk = (size_t)(prev - wt->recs) / wt->elem;
        ap->clients[pk]--;
        ap->children[pk] -= children;
    }
    return TRIAGE_OK;
}

/* Applies one proposal inside tx. */
static triage_status_t apply_one(triage__txn *tx, const triage_assignment_t *a,
                                 const triage_id_t *actor, int64_t at_ms, applied *ap)
{
    if (triage_id_is_nil(&a->worker))
        return TRIAGE_OK;
    if (a->slot < TRIAGE_SLOT_ASSESSMENT || a->slot > TRIAGE_SLOT_PAIR)
        return triage__error(TRIAGE_EINVAL, "slot", "unknown case slot");
    triage_engine_t *e = tx->e;
    const triage__worker *w = triage__table_get(&e->tables[TRIAGE__T_WORKER], &a->worker);
    if (!w)
        return triage__error(TRIAGE_ENOTFOUND, "worker", "no worker with that id");
    if (!w->active)
        return triage__error(TRIAGE_EINVAL, "worker", "the worker is not active");
    if (!triage_id_is_nil(&a->pair) && !triage__table_get(&e->tables[TRIAGE__T_WORKER], &a->pair))
        return triage__error(TRIAGE_ENOTFOUND, "pair", "no worker with that id");
    const triage__case *cur = triage__fetch(e, TRIAGE__T_CASE, &a->case_id, "case_id");
    if (!cur)
        return triage_error_last()->code;
    if (at_ms < cur->received_ms)
        return triage__error(TRIAGE_EINVAL, "at_ms", "the time is before the intake");
    triage__case *r = triage__txn_get(tx, TRIAGE__T_CASE, &a->case_id);
    if (!r)
        return triage_error_last()->code;
    /* stale proposals are refused (docs/domain.md §7.5) */
    if (a->stage && r->stage != (int32_t)a->stage)
        return triage__error(TRIAGE_ESTATE, "stale_stage",
                             "the case has moved to another stage since the proposal");
    const triage_id_t *holder = a->slot == TRIAGE_SLOT_PAIR          ? &r->pair
                                : a->slot == TRIAGE_SLOT_RESPONSIBLE ? &r->responsible
                                                                     : &r->assessment_worker;
    if (triage_id_compare(holder, &a->previous))
        return triage__error(TRIAGE_ESTATE, "stale_worker",
                             "the case's worker has changed since the proposal");
    triage_date_t today;
    if (triage_local_time(&today, NULL, at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "time outside the supported range");
    triage_date_t until = a->present_until > today ? a->present_until : today;
    if (triage__absent(e, &a->worker, today, until) ||
        (!triage_id_is_nil(&a->pair) && triage__absent(e, &a->pair, today, until)))
        return triage__error(TRIAGE_ESTATE, "stale_absent",
                             "the proposed worker is absent before the case's deadline");
    int32_t bits;
    triage_status_t rc = cap_bits(&bits, ap, e, r, a, w);
    if (rc)
        return rc;
    size_t ev0 = tx->nev;
    triage__case *c = r;
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
    /* the event that made the worker responsible carries the caps it broke */
    for (size_t i = ev0; i < tx->nev && !rc && bits; i++)
        if (tx->events[i].kind == TRIAGE_EVENT_WORKER_ASSIGNED &&
            tx->events[i].reason == TRIAGE_SLOT_RESPONSIBLE &&
            !triage_id_compare(&tx->events[i].to_id, &a->worker))
            tx->events[i].reason |= bits;
    return rc;
}

triage_status_t triage__assign_apply_once(triage_engine_t *e,
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
    if (!rc)
        rc = triage__assign_loads(e, s);
    if (rc)
        return rc;
    size_t stride = n ? array_stride(proposals) : 0;
    if (n && !stride)
        return triage__error(TRIAGE_EVERSION, "proposals.version",
                             "unsupported assignment version");
    size_t nw = e->tables[TRIAGE__T_WORKER].n;
    applied ap = {s, triage__calloc(&e->alloc, nw + 1, sizeof(int32_t)),
                  triage__calloc(&e->alloc, nw + 1, sizeof(int32_t))};
    if (!ap.clients || !ap.children) {
        triage__free(&e->alloc, ap.clients);
        triage__free(&e->alloc, ap.children);
        return TRIAGE_ENOMEM;
    }
    triage__txn tx;
    triage__txn_init(&tx, e);
    for (size_t i = 0; i < n && !rc; i++) {
        /* each element as the array's version lays it out */
        triage_assignment_t a;
        memset(&a, 0, sizeof a);
        memcpy(&a, (const char *)proposals + i * stride, stride);
        if (stride < sizeof a) /* version 1: no stage, no presence span */
            a.present_until = TRIAGE_DATE_NONE;
        rc = apply_one(&tx, &a, actor, at_ms, &ap);
    }
    triage__free(&e->alloc, ap.clients);
    triage__free(&e->alloc, ap.children);
    if (rc) {
        triage__txn_discard(&tx);
        return rc;
    }
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_assign_apply(triage_engine_t *e,
                                               const triage_assignment_t *proposals, size_t n,
                                               const triage_id_t *actor, int64_t at_ms)
{
    TRIAGE__RETRY(e, triage__assign_apply_once(e, proposals, n, actor, at_ms));
}

static triage_status_t assign_case_once(triage_assignment_t *out, triage_engine_t *e,
                                        const triage_id_t *case_id,
                                        const triage_assign_request_t *req)
{
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    triage_status_t rc = propose(&a, e, case_id, req);
    if (rc)
        return rc;
    rc = triage__assign_apply_once(e, &a, 1, &req->actor, req->at_ms);
    if (rc) {
        triage_assignment_clear(&a);
        return rc;
    }
    size_t size = triage__assignment_sizes[out->version - 1];
    a.version = out->version;
    memcpy(out, &a, size);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_assign_case(triage_assignment_t *out, triage_engine_t *e,
                                              const triage_id_t *case_id,
                                              const triage_assign_request_t *req)
{
    if (!triage__out_size(out, assignment_sizes, TRIAGE__NASSIGNMENT_SIZES, "out.version"))
        return triage_error_last()->code;
    triage_assign_request_t def = TRIAGE_ASSIGN_REQUEST_INIT;
    if (!req)
        req = &def;
    TRIAGE__RETRY(e, assign_case_once(out, e, case_id, req));
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
    TRIAGE__READ_BEGIN(e);
    const triage__case *r = triage__fetch(e, TRIAGE__T_CASE, case_id, "case_id");
    if (!r)
        return triage_error_last()->code;
    if (!(r->flags & (TRIAGE_CASE_ROLE_MISMATCH | TRIAGE_CASE_ROLE_CHANGE_SUGGESTED)))
        return triage__error(TRIAGE_ESTATE, "role_change",
                             "the case's responsible arrangement does not call for a change");
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = at_ms;
    req.slot = TRIAGE_SLOT_RESPONSIBLE;
    req.exclude = r->responsible;
    req.role_change = 1;
    return propose(out, e, case_id, &req);
}

TRIAGE_API const char *triage_exclusion_name(triage_exclusion_t r)
{
    static const char *n[] = {"none", "inactive", "role", "absent", "language", "hard_cap",
                              "child_welfare_cap", "not_on_duty", "excluded", "no_pair"};
    return ((int)r >= 0 && (int)r < (int)TRIAGE__ARRAY_LEN(n)) ? n[r] : NULL;
}
