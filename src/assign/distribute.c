/*
 * Batch distribution, the engine's side: every case's eligibility, weight
 * and travel by the online rules, the online rule one case at a time as the
 * baseline to beat, the solver (batch.c), the LSL 13 b § cap in children
 * made to hold, then the proposals (flags for the caps and the rule, pairs
 * on the final loads) and, when asked, applying.
 *
 * The caps in a batch (docs/assignment.md, "Batch distribution"):
 * - LSL 13 b § (children per responsible social worker) is never exceeded,
 *   as online: a worker is eligible for a child-welfare case only when its
 *   children fit, and after the solver (which counts cases, not children)
 *   any worker over the cap gives cases to a worker with room for their
 *   children, or, when none has, the case gets no worker;
 * - the hard cap in clients per FTE is the solver's count cap (`room`): it
 *   is broken only when no distribution can keep it, and then the
 *   proposals over it say OVER_CAPACITY, as online when every candidate is
 *   at the cap.
 */
#include <math.h>
#include <string.h>

#include "assign/assign_internal.h"

/* ---- the batch instance ------------------------------------------------------ */

static int cmp_id(const void *a, const void *b)
{
    return triage_id_compare(a, b);
}

/* What a case's eligibility row depends on, besides the team's loads: cases
 * with the same signature share one evaluation (a batch holds few kinds).
 * A case whose responsible worker is set is evaluated on its own (that
 * worker gains no client by taking it). */
typedef struct {
    int32_t slot, classified, quadrant, special, required, preferred, role_change, urgency;
    triage_date_t date, until;
    int32_t language;
    int32_t children;
    triage_id_t exclude;
} signature;

#define MAX_SIGNATURES 64

static void signature_of(signature *k, const triage__decide_ctx *x)
{
    const triage__case *c = x->c;
    memset(k, 0, sizeof *k);
    k->slot = (int32_t)x->slot;
    k->classified = (c->flags & TRIAGE_CASE_CLASSIFIED) != 0;
    if (k->classified) {
        k->quadrant = (int32_t)c->classification.quadrant;
        k->required = (int32_t)c->classification.required_role;
        k->preferred = (int32_t)c->classification.preferred_role;
    }
    k->special = c->special_support != 0;
    k->role_change = x->role_change;
    k->urgency = (int32_t)c->urgency;
    k->date = x->date;
    k->until = x->until;
    k->language = (int32_t)x->client->language;
    k->children = x->slot != TRIAGE_SLOT_PAIR ? triage__cw_children(c) : 0;
    k->exclude = x->exclude;
}

void triage__distribution_free(triage__distribution *d)
{
    const triage_allocator_t *al = d->al;
    if (!al)
        return;
    triage__team_free(&d->t);
    triage__free(al, d->ctx);
    triage__free(al, d->weight);
    triage__free(al, d->load);
    triage__free(al, d->fte);
    triage__free(al, d->elig);
    triage__free(al, d->trv);
    triage__free(al, d->counted);
    triage__free(al, d->children);
    triage__free(al, d->room);
    triage__free(al, d->group);
    triage__free(al, d->base);
    triage__free(al, d->flags);
    triage__free(al, d->cont);
    memset(d, 0, sizeof *d);
}

/* The one-by-one baseline with the online rule on the instance's
 * eligibility: each case in arrival order to the first of its eligible
 * workers by continuity, locality, travel, load after and id, the hard cap
 * (clients) and the LSL 13 b § cap (children) checked on the loads so far. */
static triage_status_t baseline(triage__distribution *d)
{
    size_t n = d->n, nw = d->nw;
    const triage_allocator_t *al = d->al;
    const triage_assign_policy_t *pol = d->t.pol;
    double *wl = triage__malloc(al, (nw + 1) * sizeof *wl);
    int32_t *cl = triage__malloc(al, (nw + 1) * sizeof *cl);
    int32_t *cw = triage__malloc(al, (nw + 1) * sizeof *cw);
    int32_t *capc = triage__malloc(al, (nw + 1) * sizeof *capc);
    uint8_t *srv = triage__malloc(al, nw + 1);
    if (!wl || !cl || !cw || !capc || !srv) {
        triage__free(al, wl);
        triage__free(al, cl);
        triage__free(al, cw);
        triage__free(al, capc);
        triage__free(al, srv);
        return TRIAGE_ENOMEM;
    }
    int32_t cw_cap = (int32_t)pol->p[TRIAGE_ASSIGN_CHILD_WELFARE_CAP];
    for (size_t j = 0; j < nw; j++) {
        wl[j] = d->t.w[j].weighted;
        cl[j] = d->t.w[j].clients;
        cw[j] = d->t.w[j].child_welfare;
        capc[j] = triage__cap_clients(pol->p[TRIAGE_ASSIGN_HARD_CAP], d->fte[j]);
    }
    for (size_t i = 0; i < n; i++) {
        const uint8_t *el = &d->elig[i * nw];
        const double *tr = &d->trv[i * nw];
        int32_t m = d->ctx[i].client->municipality;
        int under = 0;
        for (size_t j = 0; j < nw; j++) {
            srv[j] = 0;
            if (!el[j])
                continue;
            if (d->children[i] && cw[j] + d->children[i] > cw_cap) {
                srv[j] = 2; /* full for LSL 13 b § now */
                continue;
            }
            under += !(d->counted[i] && cl[j] + 1 > capc[j]);
        }
        ptrdiff_t best = -1;
        int bc = 0, bs = 0;
        double bd = 0, ba = 0;
        for (size_t j = 0; j < nw; j++) {
            if (!el[j] || srv[j] == 2 || (under && d->counted[i] && cl[j] + 1 > capc[j]))
                continue;
            int c = under && (ptrdiff_t)j == d->cont[i];
            int s = under && triage__serves(d->t.w[j].w, m);
            double dist = under ? tr[j] : 0;
            double after = (wl[j] + d->weight[i]) / d->fte[j];
            if (best < 0 || c > bc ||
                (c == bc && (s > bs || (s == bs && (dist < bd || (dist == bd && after < ba)))))) {
                best = (ptrdiff_t)j;
                bc = c;
                bs = s;
                bd = dist;
                ba = after;
            }
        }
        d->base[i] = (int32_t)best;
        if (best >= 0) {
            wl[best] += d->weight[i];
            cl[best] += d->counted[i];
            cw[best] += d->children[i];
        }
    }
    triage__free(al, wl);
    triage__free(al, cl);
    triage__free(al, cw);
    triage__free(al, capc);
    triage__free(al, srv);
    return TRIAGE_OK;
}

triage_status_t triage__distribution_build(triage__distribution *d, triage_engine_t *e,
                                           const triage_id_t *case_ids, size_t n,
                                           const triage_assign_request_t *req)
{
    memset(d, 0, sizeof *d);
    const triage_allocator_t *al = &e->alloc;
    d->al = al;
    d->n = n;
    triage_status_t rc = triage__team_build(&d->t, e);
    if (rc)
        return rc;
    size_t nw = d->t.n;
    d->nw = nw;
    d->ctx = triage__calloc(al, n + 1, sizeof *d->ctx);
    d->weight = triage__malloc(al, (n + 1) * sizeof *d->weight);
    d->load = triage__malloc(al, (nw + 1) * sizeof *d->load);
    d->fte = triage__malloc(al, (nw + 1) * sizeof *d->fte);
    d->elig = triage__calloc(al, n * nw + 1, 1);
    d->trv = triage__calloc(al, n * nw + 1, sizeof *d->trv);
    d->counted = triage__calloc(al, n + 1, 1);
    d->children = triage__calloc(al, n + 1, sizeof *d->children);
    d->room = triage__malloc(al, (nw + 1) * sizeof *d->room);
    d->group = triage__malloc(al, (nw + 1) * sizeof *d->group);
    d->base = triage__malloc(al, (n + 1) * sizeof *d->base);
    d->flags = triage__calloc(al, n + 1, sizeof *d->flags);
    d->cont = triage__malloc(al, (n + 1) * sizeof *d->cont);
    triage__cand *cands = triage__malloc(al, (nw + 1) * sizeof *cands);
    size_t *order = triage__malloc(al, (nw + 2) * sizeof *order);
    if (!d->ctx || !d->weight || !d->load || !d->fte || !d->elig || !d->trv || !d->counted ||
        !d->children || !d->room || !d->group || !d->base || !d->flags || !d->cont || !cands ||
        !order) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    const triage_assign_policy_t *pol = d->t.pol;
    double far = 0;
    const triage__assign_state *ast = triage__assign_peek(e);
    if (ast && ast->n)
        for (size_t k = 0; k < ast->n * ast->n; k++)
            far = ast->dist[k] > far ? ast->dist[k] : far;
    far += 1;
    double hard = pol->p[TRIAGE_ASSIGN_HARD_CAP];
    for (size_t j = 0; j < nw; j++) {
        d->load[j] = d->t.w[j].weighted;
        d->fte[j] = d->t.w[j].w->fte;
        d->group[j] = (int32_t)d->t.w[j].w->role;
        int32_t room = triage__cap_clients(hard, d->fte[j]) - d->t.w[j].clients;
        d->room[j] = room < 0 ? 0 : room;
    }
    /* eligibility, weights and travel of every case on the current loads */
    signature *sig = triage__malloc(al, MAX_SIGNATURES * sizeof *sig);
    uint8_t *sigrow = triage__malloc(al, MAX_SIGNATURES * nw + 1);
    uint32_t *sigflags = triage__malloc(al, MAX_SIGNATURES * sizeof *sigflags);
    size_t nsig = 0;
    if (!sig || !sigrow || !sigflags) {
        triage__free(al, sig);
        triage__free(al, sigrow);
        triage__free(al, sigflags);
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        triage__decide_ctx *x = &d->ctx[i];
        rc = triage__decide_init(x, e, &case_ids[i], req);
        if (rc)
            break;
        double w = triage__case_weight(pol, x->c);
        d->weight[i] = x->slot == TRIAGE_SLOT_PAIR ? w * pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] : w;
        d->counted[i] = (uint8_t)(x->slot != TRIAGE_SLOT_PAIR);
        d->children[i] = x->slot != TRIAGE_SLOT_PAIR ? triage__cw_children(x->c) : 0;
        uint8_t *row = &d->elig[i * nw];
        signature k;
        signature_of(&k, x);
        int own = !triage_id_is_nil(&x->c->responsible);
        size_t q = nsig;
        if (!own)
            for (q = 0; q < nsig && memcmp(&sig[q], &k, sizeof k); q++)
                ;
        if (!own && q < nsig) {
            triage__copy(row, &sigrow[q * nw], nw);
            d->flags[i] = sigflags[q];
        } else {
            size_t ne;
            uint32_t fl;
            triage__evaluate(cands, order, &ne, &fl, x, &d->t, w, 0);
            d->flags[i] = fl & (TRIAGE_ASSIGN_INTERPRETER | TRIAGE_ASSIGN_DUTY_PAIR |
                                TRIAGE_ASSIGN_NO_DUTY_PAIR);
            /* the language rule took effect: a worker set aside for the
             * hard cap (the solver's business in a batch) still needs it */
            int bit = triage__lang_bit(x->client->language);
            int lang = bit && pol->p[TRIAGE_ASSIGN_LANGUAGE_HARD] != 0 &&
                       !(fl & TRIAGE_ASSIGN_INTERPRETER);
            for (size_t j = 0; j < nw; j++) {
                int ex = cands[j].ex;
                row[j] = (uint8_t)(ex == TRIAGE_EXCLUDED_NONE ||
                                   (ex == TRIAGE_EXCLUDED_HARD_CAP &&
                                    (!lang || (d->t.w[j].w->languages & (uint32_t)bit))));
            }
            if (!own && nsig < MAX_SIGNATURES) {
                sig[nsig] = k;
                triage__copy(&sigrow[nsig * nw], row, nw);
                sigflags[nsig++] = d->flags[i];
            }
        }
        d->cont[i] = -1;
        if (!x->role_change && x->slot != TRIAGE_SLOT_PAIR &&
            !triage_id_is_nil(&x->client->responsible_worker)) {
            ptrdiff_t cj = triage__team_find(&d->t, &x->client->responsible_worker);
            if (cj >= 0 && row[cj])
                d->cont[i] = (int32_t)cj;
        }
        /* travel as triage__travel() gives it, an unknown distance as `far` */
        double *tr = &d->trv[i * nw];
        if (!x->s->n || x->client->municipality <= 0) {
            memset(tr, 0, nw * sizeof *tr);
        } else {
            const double *col = x->cidx >= 0 ? &x->s->dist[(size_t)x->cidx] : NULL;
            for (size_t j = 0; j < nw; j++) {
                int32_t o = d->t.w[j].office_idx;
                tr[j] = col && o >= 0 ? col[(size_t)o * x->s->n] : far;
            }
        }
    }
    triage__free(al, sig);
    triage__free(al, sigrow);
    triage__free(al, sigflags);
    if (rc)
        goto out;
    rc = baseline(d);
    if (rc)
        goto out;
    triage_batch_problem_t p = TRIAGE_BATCH_PROBLEM_INIT;
    p.ncases = n;
    p.nworkers = nw;
    p.weight = d->weight;
    p.load = d->load;
    p.fte = d->fte;
    p.eligible = d->elig;
    p.travel = d->trv;
    p.counted = d->counted;
    p.room = d->room;
    p.group = d->group;
    p.flood_margin = (int32_t)pol->p[TRIAGE_ASSIGN_FLOOD_MARGIN];
    p.exact_limit = (int32_t)pol->p[TRIAGE_ASSIGN_EXACT_LIMIT];
    d->p = p;
out:
    triage__free(al, cands);
    triage__free(al, order);
    return rc;
}

/* LSL 13 b § in children: a worker the solver left over the cap (it counts
 * cases) gives its child-welfare cases, the last first, to the eligible
 * worker with room for their children and the least load after; when no one
 * has room the case gets no worker. Returns how many cases changed. */
static size_t children_repair(triage__distribution *d, int32_t *as, int32_t *cw, double *wl)
{
    size_t n = d->n, nw = d->nw, changed = 0;
    int32_t cap = (int32_t)d->t.pol->p[TRIAGE_ASSIGN_CHILD_WELFARE_CAP];
    for (size_t i = n; i-- > 0;) {
        if (as[i] < 0 || !d->children[i] || cw[as[i]] <= cap)
            continue;
        size_t j = (size_t)as[i];
        ptrdiff_t best = -1;
        double ba = 0;
        for (size_t k = 0; k < nw; k++) {
            if (k == j || !d->elig[i * nw + k] || cw[k] + d->children[i] > cap)
                continue;
            double after = (wl[k] + d->weight[i]) / d->fte[k];
            if (best < 0 || after < ba) {
                best = (ptrdiff_t)k;
                ba = after;
            }
        }
        cw[j] -= d->children[i];
        wl[j] -= d->weight[i];
        as[i] = (int32_t)best;
        if (best >= 0) {
            cw[best] += d->children[i];
            wl[best] += d->weight[i];
        }
        changed++;
    }
    return changed;
}

static triage_status_t distribute_once(triage_assignment_t **out, triage_batch_stats_t *stats,
                                       uint32_t version, triage_engine_t *e,
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
    triage_status_t rc = triage__batch_stats_check(stats);
    if (rc)
        return rc;
    triage_assign_request_t def = TRIAGE_ASSIGN_REQUEST_INIT;
    if (!req)
        req = &def;
    if (n > (size_t)INT32_MAX)
        return triage__error(TRIAGE_ERANGE, "n", "too many cases");
    const triage_allocator_t *al = &e->alloc;
    if (n) {
        triage_id_t *sorted = triage__malloc(al, n * sizeof *sorted);
        if (!sorted)
            return TRIAGE_ENOMEM;
        triage__copy(sorted, case_ids, n * sizeof *sorted);
        triage__sort(sorted, n, sizeof *sorted, cmp_id);
        for (size_t i = 1; i < n; i++)
            if (!triage_id_compare(&sorted[i], &sorted[i - 1])) {
                triage__free(al, sorted);
                return triage__error(TRIAGE_EINVAL, "case_ids", "a case is listed twice");
            }
        triage__free(al, sorted);
    }
    triage__distribution d;
    int32_t *as = NULL, *rule_ex = NULL, *cap_ex = NULL, *cw = NULL, *newc = NULL;
    double *wl = NULL;
    triage_assignment_t *res = NULL;
    rc = triage__distribution_build(&d, e, case_ids, n, req);
    if (rc)
        goto out;
    size_t nw = d.nw;
    as = triage__malloc(al, (n + 1) * sizeof *as);
    rule_ex = triage__calloc(al, nw + 1, sizeof *rule_ex);
    cap_ex = triage__calloc(al, nw + 1, sizeof *cap_ex);
    cw = triage__malloc(al, (nw + 1) * sizeof *cw);
    newc = triage__calloc(al, nw + 1, sizeof *newc);
    wl = triage__malloc(al, (nw + 1) * sizeof *wl);
    res = triage__owned_alloc(al, (n + 1) * sizeof *res);
    if (!as || !rule_ex || !cap_ex || !cw || !newc || !wl || !res) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    memset(res, 0, (n + 1) * sizeof *res);
    triage_batch_stats_t st;
    rc = triage__batch_run(as, &st, rule_ex, cap_ex, &d.p, d.base, al);
    if (rc)
        goto out;
    triage__team *t = &d.t;
    const triage_assign_policy_t *pol = t->pol;
    for (size_t j = 0; j < nw; j++) {
        cw[j] = t->w[j].child_welfare;
        wl[j] = t->w[j].weighted;
    }
    for (size_t i = 0; i < n; i++)
        if (as[i] >= 0) {
            cw[as[i]] += d.children[i];
            wl[as[i]] += d.weight[i];
        }
    if (children_repair(&d, as, cw, wl)) {
        /* the solver's figures of what changed: loads, travel, unassigned */
        double mx = 0, travel = 0;
        st.unassigned = 0;
        for (size_t j = 0; j < nw; j++) {
            int rel = 0;
            for (size_t i = 0; i < n && !rel; i++)
                rel = d.elig[i * nw + j];
            if (rel && wl[j] / d.fte[j] > mx)
                mx = wl[j] / d.fte[j];
        }
        for (size_t i = 0; i < n; i++) {
            st.unassigned += as[i] < 0;
            if (as[i] >= 0)
                travel += d.trv[i * nw + (size_t)as[i]];
        }
        st.max_load = mx;
        st.total_travel = travel;
        st.exact = 0;
        st.gap = st.lower_bound > 0 && mx > st.lower_bound ? (mx - st.lower_bound) / st.lower_bound
                                                          : 0;
    }
    /* proposals: the caps in clients counted in arrival order, the rule's
     * and the cap's excess named; pairs on the final loads */
    double soft = pol->p[TRIAGE_ASSIGN_SOFT_CAP], hard = pol->p[TRIAGE_ASSIGN_HARD_CAP];
    for (size_t j = 0; j < nw; j++)
        t->w[j].weighted = wl[j];
    st.over_capacity = 0;
    for (size_t i = 0; i < n; i++) {
        triage_assignment_t *a = &res[i];
        const triage__decide_ctx *x = &d.ctx[i];
        a->version = TRIAGE_ASSIGNMENT_VERSION;
        a->case_id = case_ids[i];
        a->slot = x->slot;
        a->weight = d.weight[i];
        a->flags = d.flags[i];
        a->stage = (triage_stage_t)x->c->stage;
        a->present_until = x->until;
        a->previous = x->slot == TRIAGE_SLOT_PAIR          ? x->c->pair
                      : x->slot == TRIAGE_SLOT_RESPONSIBLE ? x->c->responsible
                                                           : x->c->assessment_worker;
        if (as[i] < 0) {
            a->flags |= TRIAGE_ASSIGN_NO_CANDIDATE;
            continue;
        }
        size_t j = (size_t)as[i];
        const triage__worker *w = t->w[j].w;
        a->worker = w->id;
        if (d.counted[i]) {
            newc[j]++;
            int32_t after = t->w[j].clients + newc[j];
            if (after > triage__cap_clients(hard, w->fte)) {
                a->flags |= TRIAGE_ASSIGN_OVER_CAPACITY;
                st.over_capacity++;
            }
            if (after > triage__cap_clients(soft, w->fte))
                a->flags |= TRIAGE_ASSIGN_OVER_SOFT_CAP;
        }
        a->cap_excess = cap_ex[j];
        if (rule_ex[j] > 0) {
            a->flags |= TRIAGE_ASSIGN_RULE_BROKEN;
            a->rule_excess = rule_ex[j];
        }
        if (!triage_id_compare(&a->worker, &x->client->responsible_worker) &&
            x->slot != TRIAGE_SLOT_PAIR)
            a->flags |= TRIAGE_ASSIGN_CONTINUITY;
        const triage__case *c = x->c;
        if (x->slot != TRIAGE_SLOT_PAIR && w->role == TRIAGE_ROLE_SOCIAL_COUNSELLOR &&
            (c->flags & TRIAGE_CASE_CLASSIFIED) &&
            (c->classification.quadrant == TRIAGE_Q3_SUPPORTED_GUIDANCE || c->special_support)) {
            ptrdiff_t pi = triage__choose_pair(x, t, j, d.weight[i], 1);
            if (pi >= 0) {
                a->pair = t->w[pi].w->id;
                a->flags |= TRIAGE_ASSIGN_PAIR_PROPOSED;
                t->w[pi].weighted += pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] * d.weight[i];
            }
        }
    }
    if (apply) {
        rc = triage__assign_apply_once(e, res, n, &req->actor, req->at_ms);
        if (rc)
            goto out;
    }
    triage__batch_stats_export(stats, &st, rule_ex, cap_ex, nw);
    triage__assignments_pack(res, n, version);
    *out = n ? res : NULL;
    if (!n)
        triage_free(res);
    res = NULL;
out:
    triage__distribution_free(&d);
    triage__free(al, as);
    triage__free(al, rule_ex);
    triage__free(al, cap_ex);
    triage__free(al, cw);
    triage__free(al, newc);
    triage__free(al, wl);
    triage_free(res);
    return rc;
}

TRIAGE_API triage_status_t triage_assign_distribute(triage_assignment_t **out,
                                                    triage_batch_stats_t *stats, uint32_t version,
                                                    triage_engine_t *e,
                                                    const triage_id_t *case_ids, size_t n,
                                                    const triage_assign_request_t *req, int apply)
{
    if (!triage__version_size(version, triage__assignment_sizes, TRIAGE__NASSIGNMENT_SIZES,
                              "version"))
        return triage_error_last()->code;
    TRIAGE__RETRY(e, distribute_once(out, stats, version, e, case_ids, n, req, apply));
}
