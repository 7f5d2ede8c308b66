/*
 * Batch distribution, the engine's side: every case's eligibility, weight
 * and travel by the online rules, the online rule one case at a time as the
 * baseline to beat, the solver (batch.c), then pairs on the final loads
 * and, when asked, applying.
 */
#include <math.h>
#include <string.h>

#include "assign/assign_internal.h"

/* ---- batch distribution (the solver is in batch.c) -------------------------- */

static int cmp_id(const void *a, const void *b)
{
    return triage_id_compare(a, b);
}

static triage_status_t distribute_once(triage_assignment_t **out, triage_batch_stats_t *stats,
                                       triage_engine_t *e, const triage_id_t *case_ids, size_t n,
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
    triage__decide_ctx *ctx = NULL;
    triage_id_t *sorted = NULL;
    double *weight = NULL, *load = NULL, *fte = NULL, *trv = NULL;
    uint8_t *elig = NULL, *counted = NULL;
    int32_t *room = NULL, *base = NULL, *as = NULL, *group = NULL;
    triage__cand *cands = NULL;
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
        rc = triage__decide_init(&ctx[i], e, &case_ids[i], req);
        if (rc)
            break;
        weight[i] = triage__case_weight(t.pol, ctx[i].c);
        if (ctx[i].slot == TRIAGE_SLOT_PAIR)
            weight[i] *= t.pol->p[TRIAGE_ASSIGN_PAIR_FACTOR];
        counted[i] = (uint8_t)(triage__is_child_welfare(ctx[i].c) && ctx[i].slot != TRIAGE_SLOT_PAIR);
        size_t ne;
        uint32_t fl;
        triage__evaluate(cands, order, &ne, &fl, &ctx[i], &t, triage__case_weight(t.pol, ctx[i].c),
                         0);
        res[i].flags = fl & (TRIAGE_ASSIGN_INTERPRETER | TRIAGE_ASSIGN_DUTY_PAIR | TRIAGE_ASSIGN_NO_DUTY_PAIR);
        for (size_t j = 0; j < nw; j++) {
            /* the hard cap is the objective's business in a batch */
            int ok = cands[j].ex == TRIAGE_EXCLUDED_NONE || cands[j].ex == TRIAGE_EXCLUDED_HARD_CAP ||
                     cands[j].ex == TRIAGE_EXCLUDED_CHILD_WELFARE_CAP;
            if (cands[j].ex == TRIAGE_EXCLUDED_CHILD_WELFARE_CAP && !counted[i])
                ok = 0;
            elig[i * nw + j] = (uint8_t)ok;
            double d = triage__travel(&ctx[i], &t.w[j]);
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
            rc = triage__decide(&a, &ctx[i], &seqt, 0, &ci, &pi);
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
        a->version = TRIAGE_ASSIGNMENT_VERSION;
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
        const triage__case *c = ctx[i].c;
        if (ctx[i].slot != TRIAGE_SLOT_PAIR && t.w[j].w->role == TRIAGE_ROLE_SOCIAL_COUNSELLOR &&
            (c->flags & TRIAGE_CASE_CLASSIFIED) &&
            (c->classification.quadrant == TRIAGE_Q3_SUPPORTED_GUIDANCE || c->special_support)) {
            ptrdiff_t pi = triage__choose_pair(&ctx[i], &t, j, weight[i], 1);
            if (pi >= 0) {
                a->pair = t.w[pi].w->id;
                a->flags |= TRIAGE_ASSIGN_PAIR_PROPOSED;
                t.w[pi].weighted += t.pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] * weight[i];
            }
        }
    }
    if (apply) {
        rc = triage__assign_apply_once(e, res, n, &req->actor, req->at_ms);
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

static const size_t assignment_sizes[] = {sizeof(triage_assignment_t)};

TRIAGE_API triage_status_t triage_assign_distribute(triage_assignment_t **out,
                                                    triage_batch_stats_t *stats, uint32_t version,
                                                    triage_engine_t *e,
                                                    const triage_id_t *case_ids, size_t n,
                                                    const triage_assign_request_t *req, int apply)
{
    if (!triage__version_size(version, assignment_sizes, TRIAGE__ARRAY_LEN(assignment_sizes),
                              "version"))
        return triage_error_last()->code;
    TRIAGE__RETRY(e, distribute_once(out, stats, e, case_ids, n, req, apply));
}
