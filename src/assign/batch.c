/*
 * Batch distribution (docs/domain.md §7.4).
 *
 * The objective is lexicographic: the largest normalized load over the
 * workers who could take a case, then the total travel, then the sum of
 * squared normalized loads. Candidates: one by one in arrival order (the
 * baseline, never beaten by the result), largest weight first with local
 * improvement, a least-travel linear assignment at the reached load level
 * when all weights are equal, and branch and bound on small batches.
 * The no-flooding rule (at most median + margin new cases each) is enforced
 * by capping the flooded workers and solving again until it holds.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assign/assign_internal.h"

#define EPS 1e-9
#define BB_NODE_BUDGET 4000000L

typedef struct {
    const triage_batch_problem_t *p;
    const triage_allocator_t *a;
    size_t nc, nw;
    uint8_t *rel;      /* nw: eligible for at least one case */
    int32_t *cap;      /* nw: flood cap on new cases */
    /* scratch */
    double *L;         /* nw: weighted load as assigned */
    int32_t *cnt;      /* nw: new cases */
    int32_t *ccnt;     /* nw: counted cases */
    size_t *order;     /* nc */
    uint8_t *placeable; /* nc: some worker is eligible */
    double *lim;        /* nw: flood limits (scratch) */
} solver;

typedef struct {
    double max, travel, sq;
    int valid;
    size_t unassigned;
} objective;

static int elig(const solver *s, size_t c, size_t j)
{
    return !s->p->eligible || s->p->eligible[c * s->nw + j];
}

static double trav(const solver *s, size_t c, size_t j)
{
    return s->p->travel ? s->p->travel[c * s->nw + j] : 0;
}

static int counted(const solver *s, size_t c)
{
    return s->p->counted && s->p->room && s->p->counted[c];
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The no-flooding limit of every relevant worker. New cases are compared per
 * FTE, so a part-time worker is held to their share: the limit is the median
 * of new cases per FTE within the worker's group (all one group when the
 * problem has none), times the worker's FTE, plus the margin. With equal FTEs
 * this is the rule as written: the median of new cases plus the margin.
 * tmp holds nw int64 values: the per-FTE figures of one group as IEEE bit
 * patterns, which sort like the (non-negative) numbers they encode. */
static int64_t double_key(double v)
{
    int64_t k;
    memcpy(&k, &v, sizeof k);
    return k;
}

static double key_double(int64_t k)
{
    double v;
    memcpy(&v, &k, sizeof v);
    return v;
}

static void flood_limits(const solver *s, const int32_t *cnt, int64_t *tmp, double *lim)
{
    for (size_t j = 0; j < s->nw; j++)
        lim[j] = -1; /* not yet computed */
    for (size_t j = 0; j < s->nw; j++) {
        if (!s->rel[j] || lim[j] >= 0)
            continue;
        int32_t g = s->p->group ? s->p->group[j] : 0;
        size_t k = 0;
        for (size_t i = j; i < s->nw; i++)
            if (s->rel[i] && (s->p->group ? s->p->group[i] : 0) == g)
                tmp[k++] = double_key((double)cnt[i] / s->p->fte[i]);
        triage__sort(tmp, k, sizeof *tmp, cmp_i64);
        double m = k % 2 ? key_double(tmp[k / 2])
                         : 0.5 * (key_double(tmp[k / 2 - 1]) + key_double(tmp[k / 2]));
        for (size_t i = j; i < s->nw; i++)
            if (s->rel[i] && (s->p->group ? s->p->group[i] : 0) == g)
                lim[i] = m * s->p->fte[i] + s->p->flood_margin;
    }
}

static objective evaluate(const solver *s, const int32_t *as, int32_t *tmp)
{
    objective o = {0, 0, 0, 1, 0};
    for (size_t j = 0; j < s->nw; j++) {
        s->L[j] = s->p->load[j];
        s->cnt[j] = s->ccnt[j] = 0;
    }
    for (size_t c = 0; c < s->nc; c++) {
        if (as[c] < 0) {
            o.unassigned++;
            continue;
        }
        size_t j = (size_t)as[c];
        s->L[j] += s->p->weight[c];
        s->cnt[j]++;
        s->ccnt[j] += counted(s, c);
        o.travel += trav(s, c, j);
    }
    for (size_t j = 0; j < s->nw; j++) {
        if (!s->rel[j])
            continue;
        double l = s->L[j] / s->p->fte[j];
        o.max = l > o.max ? l : o.max;
        o.sq += l * l;
        if (s->p->room && s->ccnt[j] > s->p->room[j])
            o.valid = 0;
    }
    if (s->p->flood_margin >= 0) {
        flood_limits(s, s->cnt, (int64_t *)(void *)tmp, s->lim);
        for (size_t j = 0; j < s->nw; j++)
            if (s->rel[j] && s->cnt[j] > s->lim[j] + EPS)
                o.valid = 0;
    }
    return o;
}

/* a better than b? */
static int better(objective a, objective b)
{
    if (a.valid != b.valid)
        return a.valid;
    if (a.unassigned != b.unassigned)
        return a.unassigned < b.unassigned;
    double tm = EPS * (1 + fabs(b.max));
    if (a.max < b.max - tm)
        return 1;
    if (a.max > b.max + tm)
        return 0;
    double tt = EPS * (1 + fabs(b.travel));
    if (a.travel < b.travel - tt)
        return 1;
    if (a.travel > b.travel + tt)
        return 0;
    return a.sq < b.sq - EPS * (1 + fabs(b.sq));
}

static void reset_state(const solver *s)
{
    for (size_t j = 0; j < s->nw; j++) {
        s->L[j] = s->p->load[j];
        s->cnt[j] = s->ccnt[j] = 0;
    }
}

static int can_take(const solver *s, size_t c, size_t j, int use_cap)
{
    if (!elig(s, c, j))
        return 0;
    if (use_cap && s->cnt[j] >= s->cap[j])
        return 0;
    if (counted(s, c) && s->ccnt[j] >= s->p->room[j])
        return 0;
    return 1;
}

static void put(const solver *s, int32_t *as, size_t c, ptrdiff_t j)
{
    if (as[c] >= 0) {
        size_t o = (size_t)as[c];
        s->L[o] -= s->p->weight[c];
        s->cnt[o]--;
        s->ccnt[o] -= counted(s, c);
    }
    as[c] = (int32_t)j;
    if (j >= 0) {
        s->L[j] += s->p->weight[c];
        s->cnt[j]++;
        s->ccnt[j] += counted(s, c);
    }
}

/* Greedy in the given order: least load after, then travel, then index. */
static void greedy(const solver *s, int32_t *as, const size_t *order)
{
    reset_state(s);
    for (size_t c = 0; c < s->nc; c++)
        as[c] = -1;
    for (size_t k = 0; k < s->nc; k++) {
        size_t c = order[k];
        ptrdiff_t best = -1;
        double bl = 0, bt = 0;
        for (int use_cap = 1; use_cap >= 0 && best < 0; use_cap--)
            for (size_t j = 0; j < s->nw; j++) {
                if (!can_take(s, c, j, use_cap))
                    continue;
                double l = (s->L[j] + s->p->weight[c]) / s->p->fte[j], t = trav(s, c, j);
                if (best < 0 || l < bl - EPS || (l <= bl + EPS && t < bt - EPS)) {
                    best = (ptrdiff_t)j;
                    bl = l;
                    bt = t;
                }
            }
        put(s, as, c, best);
    }
}

static double cur_max(const solver *s, size_t *arg)
{
    double m = -1;
    *arg = 0;
    for (size_t j = 0; j < s->nw; j++)
        if (s->rel[j] && s->L[j] / s->p->fte[j] > m) {
            m = s->L[j] / s->p->fte[j];
            *arg = j;
        }
    return m;
}

/* Local search: moves and swaps off the most loaded worker, then travel
 * moves that keep every load at or below the reached maximum. */
static void improve(const solver *s, int32_t *as)
{
    size_t limit = 4 * (s->nw + s->nc);
    for (size_t it = 0; it < limit; it++) {
        size_t jm;
        double m = cur_max(s, &jm);
        double bestv = m;
        ptrdiff_t bc = -1, bj = -1, bd = -1;
        for (size_t c = 0; c < s->nc; c++) {
            if (as[c] != (int32_t)jm)
                continue;
            double w = s->p->weight[c];
            double after_m = (s->L[jm] - w) / s->p->fte[jm];
            for (size_t j = 0; j < s->nw; j++) {
                if (j == jm || !can_take(s, c, j, 1))
                    continue;
                double lj = (s->L[j] + w) / s->p->fte[j];
                double v = lj > after_m ? lj : after_m;
                if (v < bestv - EPS) {
                    bestv = v;
                    bc = (ptrdiff_t)c;
                    bj = (ptrdiff_t)j;
                }
            }
        }
        if (bc < 0 && s->nc <= 3000) { /* swaps */
            for (size_t c = 0; c < s->nc && bc < 0; c++) {
                if (as[c] != (int32_t)jm)
                    continue;
                for (size_t d = 0; d < s->nc; d++) {
                    if (as[d] < 0 || as[d] == (int32_t)jm || s->p->weight[d] >= s->p->weight[c])
                        continue;
                    size_t j = (size_t)as[d];
                    if (!elig(s, c, j) || !elig(s, d, jm))
                        continue;
                    if (counted(s, c) != counted(s, d))
                        continue;
                    double dw = s->p->weight[c] - s->p->weight[d];
                    double lm = (s->L[jm] - dw) / s->p->fte[jm];
                    double lj = (s->L[j] + dw) / s->p->fte[j];
                    double v = lm > lj ? lm : lj;
                    if (v < m - EPS) {
                        bc = (ptrdiff_t)c;
                        bd = (ptrdiff_t)d;
                        break;
                    }
                }
            }
            if (bc >= 0) {
                size_t j = (size_t)as[bd];
                put(s, as, (size_t)bc, (ptrdiff_t)j);
                put(s, as, (size_t)bd, (ptrdiff_t)jm);
                continue;
            }
        }
        if (bc < 0)
            break;
        put(s, as, (size_t)bc, bj);
    }
    /* travel at the reached level */
    size_t jm;
    double T = cur_max(s, &jm);
    if (!s->p->travel)
        return;
    for (int pass = 0; pass < 2; pass++) {
        int moved = 0;
        for (size_t c = 0; c < s->nc; c++) {
            if (as[c] < 0)
                continue;
            size_t o = (size_t)as[c];
            double bt = trav(s, c, o);
            ptrdiff_t bj = -1;
            for (size_t j = 0; j < s->nw; j++) {
                if (j == o || !can_take(s, c, j, 1))
                    continue;
                double t = trav(s, c, j);
                if (t < bt - EPS && (s->L[j] + s->p->weight[c]) / s->p->fte[j] <= T + EPS) {
                    bt = t;
                    bj = (ptrdiff_t)j;
                }
            }
            if (bj >= 0) {
                put(s, as, c, bj);
                moved = 1;
            }
        }
        if (!moved)
            break;
    }
}

/* Equal weights: the least-travel assignment with every load at most T
 * (slots per worker), solved exactly as a linear assignment. */
static triage_status_t linear_level(const solver *s, int32_t *as, double T, int *done)
{
    *done = 0;
    double w = s->nc ? s->p->weight[0] : 0;
    if (!s->nc || w <= 0 || !s->p->travel)
        return TRIAGE_OK;
    for (size_t c = 1; c < s->nc; c++)
        if (s->p->weight[c] != w)
            return TRIAGE_OK;
    if (s->p->counted && s->p->room)
        for (size_t c = 0; c < s->nc; c++)
            if (s->p->counted[c])
                return TRIAGE_OK;
    size_t slots = 0;
    int32_t *k = triage__malloc(s->a, s->nw * sizeof *k);
    if (!k)
        return TRIAGE_ENOMEM;
    for (size_t j = 0; j < s->nw; j++) {
        double room = (T * s->p->fte[j] - s->p->load[j]) / w + 1e-7;
        int32_t kj = room <= 0 ? 0 : room >= (double)s->nc ? (int32_t)s->nc : (int32_t)floor(room);
        if (kj > s->cap[j])
            kj = s->cap[j];
        k[j] = kj;
        slots += (size_t)kj;
    }
    if (slots < s->nc || slots * s->nc > 4000000 || s->nc > 1500) {
        triage__free(s->a, k);
        return TRIAGE_OK;
    }
    /* cases x workers with k[j] slots each: a capacitated assignment (the
     * same optimum as the matrix with each worker repeated k[j] times) */
    double *cost = triage__malloc(s->a, s->nc * s->nw * sizeof *cost);
    int32_t *r2c = triage__malloc(s->a, s->nc * sizeof *r2c);
    triage_status_t rc = TRIAGE_OK;
    if (!cost || !r2c) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    for (size_t c = 0; c < s->nc; c++)
        for (size_t j = 0; j < s->nw; j++)
            cost[c * s->nw + j] = elig(s, c, j) ? trav(s, c, j) : HUGE_VAL;
    rc = triage__transport_core(r2c, cost, s->nc, s->nw, k, s->a);
    if (rc == TRIAGE_ECONFLICT) { /* some case cannot be placed at this level */
        triage_error_clear();
        rc = TRIAGE_OK;
        goto out;
    }
    if (rc)
        goto out;
    for (size_t c = 0; c < s->nc; c++)
        as[c] = r2c[c];
    *done = 1;
out:
    triage__free(s->a, k);
    triage__free(s->a, cost);
    triage__free(s->a, r2c);
    return rc;
}

/* ---- exact: branch and bound ------------------------------------------------ */

typedef struct {
    const solver *s;
    int32_t *cur, *best;
    objective bo;
    double *minrest; /* minimal remaining travel from position k */
    const size_t *ord;
    int32_t *tmp;
    long nodes;
    int aborted;
} bb;

static void bb_rec(bb *b, size_t k, double travel, double mx)
{
    const solver *s = b->s;
    if (++b->nodes > BB_NODE_BUDGET) {
        b->aborted = 1;
        return;
    }
    double tm = EPS * (1 + fabs(b->bo.max));
    if (b->bo.valid) {
        if (mx > b->bo.max + tm)
            return;
        if (mx >= b->bo.max - tm && travel + b->minrest[k] > b->bo.travel + EPS * (1 + b->bo.travel))
            return;
    }
    if (k == s->nc) {
        objective o = evaluate(s, b->cur, b->tmp);
        if (better(o, b->bo)) {
            b->bo = o;
            triage__copy(b->best, b->cur, s->nc * sizeof *b->cur);
        }
        /* evaluate() rebuilt the loads from cur: same state as before */
        return;
    }
    size_t c = b->ord[k];
    int any = 0;
    for (size_t j = 0; j < s->nw && !b->aborted; j++) {
        if (!can_take(s, c, j, 0))
            continue;
        any = 1;
        double l = (s->L[j] + s->p->weight[c]) / s->p->fte[j];
        put(s, b->cur, c, (ptrdiff_t)j);
        bb_rec(b, k + 1, travel + trav(s, c, j), l > mx ? l : mx);
        put(s, b->cur, c, -1);
    }
    if (!any && !b->aborted && !s->placeable[c])
        bb_rec(b, k + 1, travel, mx); /* nobody may ever take it */
}

static _Thread_local const double *sort_w;
static int cmp_heavy(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    if (sort_w[a] != sort_w[b])
        return sort_w[a] > sort_w[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/* ---- lower bound ----------------------------------------------------------- */

/* Smallest T with sum over the set of max(0, T f - load) >= W. */
static double waterfill(const solver *s, const uint8_t *set, double W, double *lv, double *fv)
{
    size_t k = 0;
    for (size_t j = 0; j < s->nw; j++)
        if (set[j]) {
            lv[k] = s->p->load[j];
            fv[k++] = s->p->fte[j];
        }
    if (!k)
        return 0;
    /* bisection on T: monotone, 60 rounds is exact to double precision */
    double lo = 0, hi = 0, F = 0;
    for (size_t i = 0; i < k; i++) {
        double x = lv[i] / fv[i];
        hi = x > hi ? x : hi;
        F += fv[i];
    }
    hi += W / F + 1;
    for (int it = 0; it < 100; it++) {
        double mid = 0.5 * (lo + hi), sum = 0;
        for (size_t i = 0; i < k; i++) {
            double r = mid * fv[i] - lv[i];
            sum += r > 0 ? r : 0;
        }
        if (sum >= W)
            hi = mid;
        else
            lo = mid;
    }
    return lo;
}

static uint64_t row_hash(const solver *s, size_t c)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t j = 0; j < s->nw; j++)
        h = (h ^ (uint64_t)elig(s, c, j)) * 1099511628211ULL;
    return h;
}

static _Thread_local const uint64_t *sort_h;
static int cmp_hash(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    if (sort_h[a] != sort_h[b])
        return sort_h[a] < sort_h[b] ? -1 : 1;
    return (a > b) - (a < b);
}

static triage_status_t lower_bound(const solver *s, double *out)
{
    double lb = 0;
    for (size_t j = 0; j < s->nw; j++)
        if (s->rel[j] && s->p->load[j] / s->p->fte[j] > lb)
            lb = s->p->load[j] / s->p->fte[j];
    double W = 0;
    for (size_t c = 0; c < s->nc; c++) {
        double best = HUGE_VAL;
        for (size_t j = 0; j < s->nw; j++)
            if (elig(s, c, j)) {
                double l = (s->p->load[j] + s->p->weight[c]) / s->p->fte[j];
                best = l < best ? l : best;
            }
        if (best < HUGE_VAL) {
            lb = best > lb ? best : lb;
            W += s->p->weight[c];
        }
    }
    double *lv = triage__malloc(s->a, (s->nw + 1) * sizeof *lv);
    double *fv = triage__malloc(s->a, (s->nw + 1) * sizeof *fv);
    uint64_t *h = triage__malloc(s->a, (s->nc + 1) * sizeof *h);
    size_t *idx = triage__malloc(s->a, (s->nc + 1) * sizeof *idx);
    uint8_t *set = triage__malloc(s->a, s->nw + 1);
    size_t *rep = triage__malloc(s->a, (s->nc + 1) * sizeof *rep);
    double *wsum = triage__malloc(s->a, (s->nc + 1) * sizeof *wsum);
    triage_status_t rc = TRIAGE_OK;
    if (!lv || !fv || !h || !idx || !set || !rep || !wsum) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    double t = waterfill(s, s->rel, W, lv, fv);
    lb = t > lb ? t : lb;
    /* cases with the same eligible set must share those workers */
    for (size_t c = 0; c < s->nc; c++) {
        h[c] = row_hash(s, c);
        idx[c] = c;
    }
    sort_h = h;
    triage__sort(idx, s->nc, sizeof *idx, cmp_hash);
    sort_h = NULL;
    /* groups of cases with one eligible set (rep = a representative case) */
    size_t ng = 0;
    for (size_t g = 0; g < s->nc;) {
        size_t e = g;
        double wg = 0;
        while (e < s->nc && h[idx[e]] == h[idx[g]])
            wg += s->p->weight[idx[e++]];
        rep[ng] = idx[g];
        wsum[ng++] = wg;
        g = e;
    }
    /* each group's workers also carry every group whose set lies inside
     * theirs (checked for up to 128 groups) */
    int nest = ng <= 128;
    for (size_t g = 0; g < ng; g++) {
        double wg = wsum[g];
        int any = 0;
        for (size_t j = 0; j < s->nw; j++) {
            set[j] = (uint8_t)elig(s, rep[g], j);
            any |= set[j];
        }
        if (!any)
            continue;
        for (size_t k = 0; nest && k < ng; k++) {
            if (k == g)
                continue;
            int inside = 1;
            for (size_t j = 0; j < s->nw && inside; j++)
                inside = !elig(s, rep[k], j) || set[j];
            if (inside)
                wg += wsum[k];
        }
        t = waterfill(s, set, wg, lv, fv);
        lb = t > lb ? t : lb;
    }
out:
    triage__free(s->a, lv);
    triage__free(s->a, fv);
    triage__free(s->a, h);
    triage__free(s->a, idx);
    triage__free(s->a, set);
    triage__free(s->a, rep);
    triage__free(s->a, wsum);
    *out = lb;
    return rc;
}

/* ---- the solver ------------------------------------------------------------ */

static triage_status_t check_problem(const triage_batch_problem_t *p)
{
    if (p->version == 0 || p->version > TRIAGE_BATCH_PROBLEM_VERSION)
        return triage__error(TRIAGE_EVERSION, "problem.version", "unsupported problem version");
    if (p->ncases && !p->weight)
        return triage__error_null("weight");
    if (p->nworkers && (!p->load || !p->fte))
        return triage__error_null(!p->load ? "load" : "fte");
    if (p->nworkers > INT32_MAX || p->ncases > INT32_MAX ||
        (p->nworkers && p->ncases > SIZE_MAX / p->nworkers / 8))
        return triage__error(TRIAGE_ERANGE, "ncases", "problem too large");
    for (size_t c = 0; c < p->ncases; c++)
        if (!(p->weight[c] >= 0) || isinf(p->weight[c]))
            return triage__error(TRIAGE_EINVAL, "weight", "weights must be finite and >= 0");
    for (size_t j = 0; j < p->nworkers; j++) {
        if (!(p->load[j] >= 0) || isinf(p->load[j]))
            return triage__error(TRIAGE_EINVAL, "load", "loads must be finite and >= 0");
        if (!(p->fte[j] > 0 && p->fte[j] <= 1))
            return triage__error(TRIAGE_EINVAL, "fte", "FTE must be in (0, 1]");
        if (p->room && p->room[j] < 0)
            return triage__error(TRIAGE_EINVAL, "room", "room must be >= 0");
        if (p->group && p->group[j] < 0)
            return triage__error(TRIAGE_EINVAL, "group", "groups must be >= 0");
    }
    if (p->travel)
        for (size_t k = 0; k < p->ncases * p->nworkers; k++)
            if (!(p->travel[k] >= 0) || isinf(p->travel[k]))
                return triage__error(TRIAGE_EINVAL, "travel", "travel must be finite and >= 0");
    if (p->flood_margin < -1)
        return triage__error(TRIAGE_EINVAL, "flood_margin", "flood_margin must be >= -1");
    if (p->exact_limit < 0 || p->exact_limit > 16)
        return triage__error(TRIAGE_EINVAL, "exact_limit", "exact_limit must be 0-16");
    return TRIAGE_OK;
}

/* Runs a heuristic under the flood rule: cap flooded workers and rerun. */
static void with_flood(const solver *s, int32_t *as, int heuristic, int32_t *tmp)
{
    for (size_t j = 0; j < s->nw; j++)
        s->cap[j] = INT32_MAX;
    for (int round = 0; round < 64; round++) {
        if (heuristic) {
            greedy(s, as, s->order);
            improve(s, as);
        } else {
            size_t *seq = (size_t *)(void *)tmp; /* unused: arrival order below */
            (void)seq;
            for (size_t c = 0; c < s->nc; c++)
                s->order[c] = c;
            greedy(s, as, s->order);
        }
        if (s->p->flood_margin < 0)
            return;
        flood_limits(s, s->cnt, (int64_t *)(void *)tmp, s->lim);
        int changed = 0;
        for (size_t j = 0; j < s->nw; j++) {
            double lim = floor(s->lim[j] + EPS);
            if (s->rel[j] && s->cnt[j] > lim && s->cap[j] > (int32_t)lim) {
                s->cap[j] = (int32_t)lim;
                changed = 1;
            }
        }
        if (!changed)
            return;
    }
}

triage_status_t triage__batch_solve(int32_t *out, triage_batch_stats_t *stats,
                                    const triage_batch_problem_t *p, const int32_t *baseline,
                                    const triage_allocator_t *a)
{
    solver s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.a = a;
    s.nc = p->ncases;
    s.nw = p->nworkers;
    size_t nw1 = s.nw + 1, nc1 = s.nc + 1;
    s.rel = triage__calloc(a, nw1, 1);
    s.cap = triage__malloc(a, nw1 * sizeof *s.cap);
    s.L = triage__malloc(a, nw1 * sizeof *s.L);
    s.cnt = triage__malloc(a, nw1 * sizeof *s.cnt);
    s.ccnt = triage__malloc(a, nw1 * sizeof *s.ccnt);
    s.order = triage__malloc(a, nc1 * sizeof *s.order);
    s.placeable = triage__calloc(a, nc1, 1);
    s.lim = triage__malloc(a, nw1 * sizeof *s.lim);
    int32_t *tmp = triage__malloc(a, (nw1 > nc1 ? nw1 : nc1) * sizeof(int64_t));
    int32_t *seq = triage__malloc(a, nc1 * sizeof *seq);
    int32_t *heu = triage__malloc(a, nc1 * sizeof *heu);
    int32_t *cur = triage__malloc(a, nc1 * sizeof *cur);
    double *minrest = triage__malloc(a, (nc1 + 1) * sizeof *minrest);
    triage_status_t rc = TRIAGE_OK;
    triage_batch_stats_t st;
    memset(&st, 0, sizeof st);
    if (!s.rel || !s.cap || !s.L || !s.cnt || !s.ccnt || !s.order || !tmp || !seq || !heu ||
        !cur || !minrest || !s.placeable || !s.lim) {
        rc = TRIAGE_ENOMEM;
        goto out;
    }
    for (size_t c = 0; c < s.nc; c++)
        for (size_t j = 0; j < s.nw; j++)
            if (elig(&s, c, j))
                s.rel[j] = s.placeable[c] = 1;

    /* 1. one by one in arrival order (or the caller's baseline) */
    if (baseline) {
        triage__copy(seq, baseline, s.nc * sizeof *seq);
    } else {
        with_flood(&s, seq, 0, tmp);
    }
    objective so = evaluate(&s, seq, tmp);
    st.sequential_max_load = so.max;
    st.sequential_total_travel = so.travel;
    int32_t *best = seq;
    objective bo = so;
    st.method = TRIAGE_BATCH_SEQUENTIAL;

    /* 2. largest weight first + improvement */
    for (size_t c = 0; c < s.nc; c++)
        s.order[c] = c;
    sort_w = p->weight;
    triage__sort(s.order, s.nc, sizeof *s.order, cmp_heavy);
    sort_w = NULL;
    with_flood(&s, heu, 1, tmp);
    objective ho = evaluate(&s, heu, tmp);
    if (better(ho, bo) || !bo.valid) {
        best = heu;
        bo = ho;
        st.method = TRIAGE_BATCH_HEURISTIC;
    }

    /* 3. equal weights: least travel at the reached level (exact for that level) */
    {
        int done = 0;
        for (size_t j = 0; j < s.nw; j++)
            s.cap[j] = INT32_MAX;
        rc = linear_level(&s, cur, bo.max, &done);
        if (rc)
            goto out;
        if (done) {
            objective lo = evaluate(&s, cur, tmp);
            if (better(lo, bo)) {
                int32_t *spare = best == seq ? heu : seq;
                triage__copy(spare, cur, s.nc * sizeof *cur);
                best = spare;
                bo = lo;
                st.method = TRIAGE_BATCH_LINEAR;
            }
        }
    }

    /* 4. exact on small batches */
    if (s.nc <= (size_t)p->exact_limit) {
        bb b;
        memset(&b, 0, sizeof b);
        b.s = &s;
        b.cur = cur;
        b.best = best == seq ? heu : seq;
        triage__copy(b.best, best, s.nc * sizeof *best);
        b.bo = bo;
        b.ord = s.order; /* heaviest first */
        b.tmp = tmp;
        b.minrest = minrest;
        minrest[s.nc] = 0;
        for (size_t k = s.nc; k-- > 0;) {
            size_t c = s.order[k];
            double m = HUGE_VAL;
            for (size_t j = 0; j < s.nw; j++)
                if (elig(&s, c, j) && trav(&s, c, j) < m)
                    m = trav(&s, c, j);
            minrest[k] = minrest[k + 1] + (m < HUGE_VAL ? m : 0);
        }
        for (size_t c = 0; c < s.nc; c++)
            cur[c] = -1;
        reset_state(&s);
        double mx = 0;
        for (size_t j = 0; j < s.nw; j++)
            if (s.rel[j] && p->load[j] / p->fte[j] > mx)
                mx = p->load[j] / p->fte[j];
        bb_rec(&b, 0, 0, mx);
        if (!b.aborted) {
            st.exact = 1;
            if (better(b.bo, bo)) {
                st.method = TRIAGE_BATCH_EXACT;
            }
            best = b.best;
            bo = b.bo;
            if (st.method != TRIAGE_BATCH_SEQUENTIAL)
                st.method = TRIAGE_BATCH_EXACT;
        }
    }

    rc = lower_bound(&s, &st.lower_bound);
    if (rc)
        goto out;
    bo = evaluate(&s, best, tmp);
    st.max_load = bo.max;
    st.total_travel = bo.travel;
    if (st.exact)
        st.lower_bound = st.lower_bound < bo.max ? bo.max : st.lower_bound;
    st.gap = st.lower_bound > 0 ? (bo.max - st.lower_bound) / st.lower_bound : 0;
    if (st.gap < 0)
        st.gap = 0;
    for (size_t c = 0; c < s.nc; c++)
        st.unassigned += best[c] < 0;
    triage__copy(out, best, s.nc * sizeof *best);
    if (stats)
        *stats = st;
out:
    triage__free(a, s.rel);
    triage__free(a, s.cap);
    triage__free(a, s.L);
    triage__free(a, s.cnt);
    triage__free(a, s.ccnt);
    triage__free(a, s.order);
    triage__free(a, s.placeable);
    triage__free(a, s.lim);
    triage__free(a, tmp);
    triage__free(a, seq);
    triage__free(a, heu);
    triage__free(a, cur);
    triage__free(a, minrest);
    return rc;
}

TRIAGE_API triage_status_t triage_batch_solve(int32_t *out_worker, triage_batch_stats_t *stats,
                                              const triage_batch_problem_t *p,
                                              const triage_allocator_t *alloc)
{
    if (!out_worker && p && p->ncases)
        return triage__error_null("out_worker");
    if (!p)
        return triage__error_null("problem");
    triage_status_t rc = check_problem(p);
    if (rc)
        return rc;
    triage_allocator_t a = {0, 0, 0, 0};
    if (alloc) {
        rc = triage__allocator_check(alloc, "alloc");
        if (rc)
            return rc;
        a = *alloc;
    }
    return triage__batch_solve(out_worker, stats, p, NULL, &a);
}
