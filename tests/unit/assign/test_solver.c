/*
 * The assignment solvers on their own: linear assignment with ties against
 * brute force, capacitated (transport) assignment against linear assignment
 * on the expanded matrix (wide and tall, memory on very wide and very tall
 * matrices, size guards), and the batch solver (docs/domain.md §7.4) against
 * brute force under the no-flooding rule and the count caps: the lower
 * bound never above the optimum, cases no worker may take reported apart,
 * the rule and the caps broken only when they must be and then openly,
 * versioned stats, allocation failure.
 */
#include <math.h>
#include <stdio.h>

#include "testutil.h"

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- linear assignment ------------------------------------------------------------------ */

/* The least total over injective maps of the smaller side (HUGE_VAL: none finite). */
static double lsa_brute(const double *cost, size_t n, size_t m)
{
    size_t k = n < m ? n : m, big = n < m ? m : n;
    long lim = 1;
    for (size_t i = 0; i < k; i++)
        lim *= (long)big;
    double best = HUGE_VAL;
    for (long code = 0; code < lim; code++) {
        long x = code;
        int used[8] = {0}, perm[8], ok = 1;
        for (size_t i = 0; i < k && ok; i++) {
            perm[i] = (int)(x % (long)big);
            x /= (long)big;
            ok = !used[perm[i]]++;
        }
        if (!ok)
            continue;
        double s = 0;
        for (size_t i = 0; i < k; i++)
            s += n <= m ? cost[i * m + (size_t)perm[i]] : cost[(size_t)perm[i] * m + i];
        best = s < best ? s : best;
    }
    return best;
}

/* Issue 13, defect 5: many equal costs. Small square, wide and tall matrices
 * of costs 0-3 (and some forbidden cells) against brute force. */
static void test_lsa_ties_vs_brute_force(void **state)
{
    (void)state;
    rng_state = 0x51ed27d3a1f0c4b9ULL;
    int shapes[3] = {0, 0, 0};
    for (int it = 0; it < 3000; it++) {
        size_t n = 1 + rng() % 6, m = 1 + rng() % 6;
        double cost[36];
        int ties = rng() % 2, forbid = rng() % 4 == 0;
        for (size_t k = 0; k < n * m; k++) {
            cost[k] = ties ? (double)(rng() % 4) : (double)(rng() % 100000) / 97.0;
            if (forbid && rng() % 4 == 0)
                cost[k] = INFINITY;
        }
        shapes[n == m ? 0 : n < m ? 1 : 2]++;
        double best = lsa_brute(cost, n, m);
        int32_t r2c[6];
        double total = -1;
        triage_status_t rc = triage_linear_assignment(r2c, &total, cost, n, m, NULL);
        if (isinf(best)) {
            assert_int_equal(rc, TRIAGE_ECONFLICT);
            assert_error_arg("cost");
            continue;
        }
        assert_ok(rc);
        if (fabs(total - best) > 1e-9 * (1 + fabs(best)))
            fail_msg("instance %d: %zu x %zu: %.9f, brute force %.9f", it, n, m, total, best);
        int used[6] = {0};
        size_t assigned = 0;
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            if (r2c[i] >= 0) {
                assert_int_equal(used[r2c[i]]++, 0);
                sum += cost[i * m + (size_t)r2c[i]];
                assigned++;
            }
        assert_int_equal(assigned, n < m ? n : m);
        assert_true(fabs(sum - total) < 1e-9 * (1 + fabs(total)));
    }
    for (int s = 0; s < 3; s++)
        assert_true(shapes[s] >= 400);
}

/* Larger square matrices with ties: linear assignment and the transport
 * solver (capacities 1), two different algorithms, agree. */
static void test_lsa_vs_transport_with_ties(void **state)
{
    (void)state;
    rng_state = 77;
    enum { N = 40 };
    double cost[N * N];
    int32_t r2c[N], cap[N];
    for (int it = 0; it < 200; it++) {
        int range = it % 3 == 0 ? 2 : it % 3 == 1 ? 10 : 1000;
        for (size_t k = 0; k < N * N; k++)
            cost[k] = (double)(rng() % (uint64_t)range);
        for (size_t j = 0; j < N; j++)
            cap[j] = 1;
        double a, b;
        assert_ok(triage_linear_assignment(r2c, &a, cost, N, N, NULL));
        assert_ok(triage_transport_assignment(r2c, &b, cost, N, N, cap, NULL));
        assert_true(a == b);
    }
}

/* ---- transport ----------------------------------------------------------------------- */

/* Linear assignment on the matrix with column j repeated cap[j] times. */
static triage_status_t expanded_total(double *total, const double *cost, size_t n, size_t m,
                                      const int32_t *cap)
{
    size_t slots = 0;
    for (size_t j = 0; j < m; j++)
        slots += (size_t)cap[j];
    if (slots < n)
        return TRIAGE_ECONFLICT;
    double *big = malloc((n * slots + 1) * sizeof *big);
    int32_t *r2c = malloc((n + 1) * sizeof *r2c);
    for (size_t i = 0; i < n; i++) {
        size_t q = 0;
        for (size_t j = 0; j < m; j++)
            for (int32_t k = 0; k < cap[j]; k++)
                big[i * slots + q++] = cost[i * m + j];
    }
    triage_status_t rc = triage_linear_assignment(r2c, total, big, n, slots, NULL);
    if (rc == TRIAGE_ECONFLICT)
        triage_error_clear();
    free(big);
    free(r2c);
    return rc;
}

/* Issue 13, defect 6: wide (more columns than rows) and tall matrices, with
 * ties and forbidden cells, against the expanded linear assignment. */
static void test_transport_wide_and_tall_vs_expanded(void **state)
{
    (void)state;
    rng_state = 0xfeedface12345ULL;
    int wide = 0, tall = 0;
    for (int it = 0; it < 2400; it++) {
        int w = it % 2;
        size_t n = w ? 1 + rng() % 5 : 3 + rng() % 12;
        size_t m = w ? n + 1 + rng() % 8 : 1 + rng() % 4;
        double cost[15 * 13];
        int32_t cap[13], r2c[15];
        int ties = rng() % 2;
        for (size_t k = 0; k < n * m; k++) {
            cost[k] = ties ? (double)(rng() % 3) : (double)(rng() % 1000) / 7.0;
            if (rng() % 10 == 0)
                cost[k] = INFINITY;
        }
        for (size_t j = 0; j < m; j++)
            cap[j] = (int32_t)(w ? rng() % 3 : n / m + rng() % 3);
        double ref = 0, total = -1;
        triage_status_t want = expanded_total(&ref, cost, n, m, cap);
        triage_status_t got = triage_transport_assignment(r2c, &total, cost, n, m, cap, NULL);
        assert_int_equal(got, want);
        if (got)
            continue;
        wide += w;
        tall += !w;
        assert_true(fabs(total - ref) < 1e-9 * (1 + fabs(ref)));
        int32_t used[13] = {0};
        for (size_t i = 0; i < n; i++) {
            assert_true(r2c[i] >= 0 && (size_t)r2c[i] < m);
            assert_true(isfinite(cost[i * m + (size_t)r2c[i]]));
            used[r2c[i]]++;
        }
        for (size_t j = 0; j < m; j++)
            assert_true(used[j] <= cap[j]);
    }
    assert_true(wide >= 500 && tall >= 500);
}

/* 1 x 100 000 and 100 000 x 1: memory linear in the matrix (the column
 * table would take 80 GB for the first). */
static void test_transport_very_wide_and_tall(void **state)
{
    (void)state;
    enum { K = 100000 };
    double *cost = malloc(K * sizeof *cost);
    int32_t *cap = malloc(K * sizeof *cap), *r2c = malloc(K * sizeof *r2c);
    rng_state = 5;
    double lo = HUGE_VAL, sum = 0;
    for (size_t k = 0; k < K; k++) {
        cost[k] = (double)(rng() % 1000000);
        lo = cost[k] < lo ? cost[k] : lo;
        sum += cost[k];
        cap[k] = 1;
    }
    double total;
    assert_ok(triage_transport_assignment(r2c, &total, cost, 1, K, cap, NULL));
    assert_true(total == lo && cost[r2c[0]] == lo);
    int32_t one = K;
    assert_ok(triage_transport_assignment(r2c, &total, cost, K, 1, &one, NULL));
    assert_true(total == sum);
    assert_ok(triage_linear_assignment(r2c, &total, cost, 1, K, NULL));
    assert_true(total == lo);
    free(cost);
    free(cap);
    free(r2c);
}

/* Sizes that cannot be addressed are refused before anything is read. */
static void test_transport_size_guards(void **state)
{
    (void)state;
    double c = 0;
    int32_t cap = 1, r2c = 0;
    assert_status(triage_transport_assignment(&r2c, NULL, &c, (size_t)INT32_MAX + 1, 1, &cap, NULL),
                  TRIAGE_ERANGE);
    assert_error_arg("nrows");
    assert_status(triage_transport_assignment(&r2c, NULL, &c, 1, (size_t)INT32_MAX + 1, &cap, NULL),
                  TRIAGE_ERANGE);
    assert_error_arg("ncols");
    assert_status(triage_transport_assignment(&r2c, NULL, &c, (size_t)INT32_MAX, (size_t)INT32_MAX,
                                              &cap, NULL),
                  TRIAGE_ERANGE);
    assert_error_arg("ncols");
    assert_status(triage_linear_assignment(&r2c, NULL, &c, (size_t)INT32_MAX, (size_t)INT32_MAX, NULL),
                  TRIAGE_ERANGE);
}

/* ---- batch (docs/domain.md §7.4) ----------------------------------------------------------- */

enum { MAXC = 7, MAXW = 4 };

typedef struct {
    int64_t cap_ex, rule_ex;
    double max, travel, sq;
    int32_t rule_w[MAXW], cap_w[MAXW];
} bobj;

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The objective of an assignment, written from the rule's text: new cases
 * per FTE against the median of the worker's group plus the margin. */
static bobj batch_objective(const triage_batch_problem_t *p, const int32_t *as)
{
    size_t nc = p->ncases, nw = p->nworkers;
    bobj o;
    memset(&o, 0, sizeof o);
    double L[MAXW];
    int n[MAXW] = {0}, cn[MAXW] = {0}, rel[MAXW] = {0};
    for (size_t j = 0; j < nw; j++)
        L[j] = p->load[j];
    for (size_t c = 0; c < nc; c++)
        for (size_t j = 0; j < nw; j++)
            rel[j] |= !p->eligible || p->eligible[c * nw + j];
    for (size_t c = 0; c < nc; c++) {
        if (as[c] < 0)
            continue;
        L[as[c]] += p->weight[c];
        n[as[c]]++;
        cn[as[c]] += p->counted && p->room && p->counted[c];
        o.travel += p->travel ? p->travel[c * nw + (size_t)as[c]] : 0;
    }
    for (size_t j = 0; j < nw; j++) {
        if (!rel[j])
            continue;
        double l = L[j] / p->fte[j];
        o.max = l > o.max ? l : o.max;
        o.sq += l * l;
        if (p->room && cn[j] > p->room[j]) {
            o.cap_w[j] = cn[j] - p->room[j];
            o.cap_ex += o.cap_w[j];
        }
    }
    if (p->flood_margin >= 0)
        for (size_t j = 0; j < nw; j++) {
            if (!rel[j])
                continue;
            double v[MAXW];
            size_t k = 0;
            for (size_t i = 0; i < nw; i++)
                if (rel[i] && (!p->group || p->group[i] == p->group[j]))
                    v[k++] = n[i] / p->fte[i];
            qsort(v, k, sizeof *v, cmp_dbl);
            double med = k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
            int lim = (int)floor(p->fte[j] * (med + p->flood_margin) + 1e-9);
            if (n[j] > lim) {
                o.rule_w[j] = n[j] - lim;
                o.rule_ex += o.rule_w[j];
            }
        }
    return o;
}

static int bobj_better(const bobj *a, const bobj *b)
{
    if (a->cap_ex != b->cap_ex)
        return a->cap_ex < b->cap_ex;
    if (a->rule_ex != b->rule_ex)
        return a->rule_ex < b->rule_ex;
    double tm = 1e-9 * (1 + b->max), tt = 1e-9 * (1 + b->travel);
    if (fabs(a->max - b->max) > tm)
        return a->max < b->max;
    if (fabs(a->travel - b->travel) > tt)
        return a->travel < b->travel;
    return a->sq < b->sq - 1e-9 * (1 + b->sq);
}

/* Every assignment of the placeable cases to eligible workers (the others
 * get -1). */
static bobj batch_brute(const triage_batch_problem_t *p)
{
    size_t nc = p->ncases, nw = p->nworkers;
    int32_t opts[MAXC][MAXW], nopt[MAXC], as[MAXC];
    long total = 1;
    for (size_t c = 0; c < nc; c++) {
        nopt[c] = 0;
        for (size_t j = 0; j < nw; j++)
            if (p->eligible[c * nw + j])
                opts[c][nopt[c]++] = (int32_t)j;
        if (!nopt[c])
            opts[c][nopt[c]++] = -1;
        total *= nopt[c];
    }
    bobj best;
    for (long code = 0; code < total; code++) {
        long x = code;
        for (size_t c = 0; c < nc; c++) {
            as[c] = opts[c][x % nopt[c]];
            x /= nopt[c];
        }
        bobj o = batch_objective(p, as);
        if (!code || bobj_better(&o, &best))
            best = o;
    }
    return best;
}

/* A problem with the default options. */
static triage_batch_problem_t problem(size_t nc, size_t nw, const double *weight,
                                      const double *load, const double *fte)
{
    triage_batch_problem_t p = TRIAGE_BATCH_PROBLEM_INIT;
    p.ncases = nc;
    p.nworkers = nw;
    p.weight = weight;
    p.load = load;
    p.fte = fte;
    return p;
}

/* A random tiny instance: weights, loads, part-time workers, eligibility
 * with cases nobody may take, groups, travel, counted cases and room. */
typedef struct {
    double weight[MAXC], load[MAXW], fte[MAXW], travel[MAXC * MAXW];
    uint8_t elig[MAXC * MAXW], counted[MAXC];
    int32_t room[MAXW], group[MAXW];
    triage_batch_problem_t p;
} tiny;

static void tiny_make(tiny *t)
{
    static const double w[5] = {0.5, 1.0, 1.5, 2.0, 2.5};
    static const double f[4] = {0.5, 0.6, 0.8, 1.0};
    static const int32_t margins[4] = {-1, 0, 1, 3};
    size_t nc = 1 + rng() % 6, nw = 1 + rng() % 4;
    int density = (int)(rng() % 3);
    for (size_t c = 0; c < nc; c++) {
        t->weight[c] = w[rng() % 5];
        t->counted[c] = rng() % 2;
    }
    for (size_t j = 0; j < nw; j++) {
        t->load[j] = (double)(rng() % 7);
        t->fte[j] = f[rng() % 4];
        t->room[j] = (int32_t)(rng() % 3);
        t->group[j] = (int32_t)(rng() % 2);
    }
    for (size_t k = 0; k < nc * nw; k++) {
        t->elig[k] = density == 2 || rng() % (density ? 5 : 2) != 0;
        t->travel[k] = (double)(rng() % 21);
    }
    triage_batch_problem_t p = problem(nc, nw, t->weight, t->load, t->fte);
    p.eligible = t->elig;
    p.travel = rng() % 3 ? t->travel : NULL;
    p.group = rng() % 3 ? NULL : t->group;
    p.flood_margin = margins[rng() % 4];
    if (rng() % 3 == 0) {
        p.counted = t->counted;
        p.room = t->room;
    }
    t->p = p;
}

/* Issue 13, defects 1 and 4: on 1 500 random tiny instances the exact
 * solver reaches the brute-force optimum (the caps first, then the rule,
 * then the max load and travel), the stats name every break, and the lower
 * bound is never above the optimum; the heuristic alone (exact_limit 0)
 * keeps a valid bound too. */
static void test_batch_vs_brute_force(void **state)
{
    (void)state;
    rng_state = 0x243f6a8885a308d3ULL;
    int broken = 0;
    for (int it = 0; it < 1500; it++) {
        tiny t;
        tiny_make(&t);
        triage_batch_problem_t *p = &t.p;
        bobj opt = batch_brute(p);
        for (int heuristic = 0; heuristic < 2; heuristic++) {
            p->exact_limit = heuristic ? 0 : 10;
            int32_t out[MAXC], rex[MAXW], cex[MAXW];
            triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
            st.nworker_excess = MAXW;
            st.worker_rule_excess = rex;
            st.worker_cap_excess = cex;
            assert_ok(triage_batch_solve(out, &st, p, NULL));
            int nunpl = 0;
            for (size_t c = 0; c < p->ncases; c++) {
                int any = 0;
                for (size_t j = 0; j < p->nworkers; j++)
                    any |= t.elig[c * p->nworkers + j];
                nunpl += !any;
                /* -1 exactly for the cases nobody may take */
                assert_true(any ? out[c] >= 0 && t.elig[c * p->nworkers + (size_t)out[c]]
                                : out[c] == -1);
            }
            assert_int_equal(st.unplaceable, nunpl);
            assert_int_equal(st.unassigned, nunpl);
            bobj got = batch_objective(p, out);
            assert_true(fabs(st.max_load - got.max) < 1e-9 * (1 + got.max));
            assert_int_equal(st.rule_excess, got.rule_ex);
            assert_int_equal(st.cap_excess, got.cap_ex);
            int rb = 0, cb = 0;
            for (size_t j = 0; j < p->nworkers; j++) {
                assert_int_equal(rex[j], got.rule_w[j]);
                assert_int_equal(cex[j], got.cap_w[j]);
                rb += rex[j] > 0;
                cb += cex[j] > 0;
            }
            assert_int_equal(st.rule_breaks, rb);
            assert_int_equal(st.cap_breaks, cb);
            /* bound <= optimum <= achieved */
            assert_true(st.lower_bound <= opt.max + 1e-7 * (1 + opt.max));
            assert_true(st.lower_bound <= got.max + 1e-7 * (1 + got.max));
            if (!heuristic) {
                assert_int_equal(st.exact, 1);
                if (bobj_better(&opt, &got))
                    fail_msg("instance %d: not optimal: %lld/%lld/%.6f/%.3f, brute force "
                             "%lld/%lld/%.6f/%.3f",
                             it, (long long)got.cap_ex, (long long)got.rule_ex, got.max, got.travel,
                             (long long)opt.cap_ex, (long long)opt.rule_ex, opt.max, opt.travel);
                assert_false(bobj_better(&got, &opt));
            } else {
                assert_false(bobj_better(&got, &opt));
            }
        }
        broken += opt.rule_ex > 0 || opt.cap_ex > 0;
    }
    assert_true(broken >= 50); /* instances where the rule or a cap must break */
}

/* Issue 13, defect 1: a case nobody may take was counted in the bound
 * (12 against an achieved 10). It gets -1, is counted apart, and the bound
 * holds, with the exact solver and with the heuristic alone. */
static void test_batch_unplaceable_not_in_bound(void **state)
{
    (void)state;
    double weight[6] = {1, 1, 1, 1, 1, 1}, load[1] = {0}, fte[1] = {0.5};
    uint8_t elig[6] = {1, 1, 1, 0, 1, 1};
    triage_batch_problem_t p = problem(6, 1, weight, load, fte);
    p.eligible = elig;
    p.flood_margin = -1;
    for (int32_t limit = 10; limit >= 0; limit -= 10) {
        p.exact_limit = limit;
        int32_t out[6];
        triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
        assert_ok(triage_batch_solve(out, &st, &p, NULL));
        assert_int_equal(out[3], -1);
        assert_int_equal(st.unplaceable, 1);
        assert_int_equal(st.unassigned, 1);
        assert_true(st.max_load == 10);
        assert_true(st.lower_bound <= 10 + 1e-9 && st.lower_bound > 10 - 1e-6);
        assert_true(st.gap < 1e-9);
    }
}

/* Issue 13, defect 4: 30 equal cases, six workers at 15 and one at 0. The
 * rule (at most 3 new cases above the median) allows 19: the six take 4
 * each, she takes 6 (median 4). Before, the rule was applied by capping and
 * gave 20. The bound includes the rule and meets 19. */
static void test_batch_rule_example(void **state)
{
    (void)state;
    double weight[30], load[7] = {15, 15, 15, 15, 15, 15, 0}, fte[7] = {1, 1, 1, 1, 1, 1, 1};
    for (int c = 0; c < 30; c++)
        weight[c] = 1;
    triage_batch_problem_t p = problem(30, 7, weight, load, fte);
    p.flood_margin = 3;
    int32_t out[30], rex[7], cex[7];
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    st.nworker_excess = 7;
    st.worker_rule_excess = rex;
    st.worker_cap_excess = cex;
    assert_ok(triage_batch_solve(out, &st, &p, NULL));
    assert_true(fabs(st.max_load - 19) < 1e-9);
    assert_int_equal(st.rule_breaks, 0);
    assert_int_equal(st.rule_excess, 0);
    for (int j = 0; j < 7; j++)
        assert_int_equal(rex[j], 0);
    assert_int_equal(st.bound_with_rule, 1);
    assert_true(st.lower_bound > 19 - 1e-6 && st.lower_bound <= 19 + 1e-9);
    int n[7] = {0};
    for (int c = 0; c < 30; c++)
        n[out[c]]++;
    assert_true(n[6] >= 6 && n[6] <= 7);
    /* without the rule she would take 17 and the max would be 18 */
    p.flood_margin = -1;
    triage_batch_stats_t st2 = TRIAGE_BATCH_STATS_INIT;
    assert_ok(triage_batch_solve(out, &st2, &p, NULL));
    assert_true(fabs(st2.max_load - 18) < 1e-9);
}

/* docs/domain.md §7.4: when no distribution can honour the rule or a cap, the
 * result breaks it as little as it can and says for whom and by how much. */
static void test_batch_breaks_openly(void **state)
{
    (void)state;
    /* nine cases only worker 0 may take and one anyone may take: the best
     * is (9, 1, 0), the median 1 allows her 4: 5 above the limit (the free
     * case on her would give (10, 0, 0): 7 above) */
    double weight[10], load[3] = {0, 0, 0}, fte[3] = {1, 1, 1};
    uint8_t elig[30];
    for (int c = 0; c < 10; c++) {
        weight[c] = 1;
        elig[c * 3] = 1;
        elig[c * 3 + 1] = elig[c * 3 + 2] = c == 9; /* the last one anyone may take */
    }
    triage_batch_problem_t p = problem(10, 3, weight, load, fte);
    p.eligible = elig;
    p.flood_margin = 3;
    p.exact_limit = 0;
    int32_t out[10], rex[3], cex[3];
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    st.nworker_excess = 3;
    st.worker_rule_excess = rex;
    st.worker_cap_excess = cex;
    assert_ok(triage_batch_solve(out, &st, &p, NULL));
    assert_int_equal(out[9] == 0, 0); /* the free case goes elsewhere: less excess */
    assert_int_equal(st.rule_breaks, 1);
    assert_int_equal(rex[0], 5);
    assert_int_equal(rex[1] + rex[2], 0);
    assert_int_equal(st.rule_excess, 5);
    assert_int_equal(st.bound_with_rule, 0);
    assert_true(st.lower_bound <= st.max_load + 1e-9);
    /* the count cap: three counted cases, room for one */
    uint8_t counted[10] = {1, 1, 1, 0, 0, 0, 0, 0, 0, 0};
    int32_t room[3] = {1, 5, 5};
    p.counted = counted;
    p.room = room;
    p.flood_margin = -1;
    p.exact_limit = 10;
    assert_ok(triage_batch_solve(out, &st, &p, NULL));
    assert_int_equal(st.cap_breaks, 1);
    assert_int_equal(cex[0], 2);
    assert_int_equal(st.cap_excess, 2);
    assert_int_equal(st.rule_breaks, 0);
    for (int c = 0; c < 10; c++)
        assert_true(out[c] >= 0); /* nobody is left without a worker */
}

/* The stats struct is versioned: the library writes only the caller's
 * version and keeps the caller's own members. */
static void test_batch_stats_versions(void **state)
{
    (void)state;
    double weight[4] = {1, 2, 1, 1}, load[3] = {0, 1, 2}, fte[3] = {1, 0.5, 1};
    triage_batch_problem_t p = problem(4, 3, weight, load, fte);
    int32_t out[4] = {-7, -7, -7, -7}, keep[4] = {-7, -7, -7, -7};
    struct {
        triage_batch_stats_t st;
        unsigned char guard[64];
    } buf;
    memset(&buf, 0xab, sizeof buf);
    buf.st.version = 0;
    assert_status(triage_batch_solve(out, &buf.st, &p, NULL), TRIAGE_EVERSION);
    assert_error_arg("stats.version");
    buf.st.version = TRIAGE_BATCH_STATS_VERSION + 1;
    assert_status(triage_batch_solve(out, &buf.st, &p, NULL), TRIAGE_EVERSION);
    assert_memory_equal(out, keep, sizeof keep);
    buf.st.version = TRIAGE_BATCH_STATS_VERSION;
    buf.st.nworker_excess = 3;
    buf.st.worker_rule_excess = NULL;
    buf.st.worker_cap_excess = NULL;
    assert_status(triage_batch_solve(out, &buf.st, &p, NULL), TRIAGE_EINVAL);
    assert_error_arg("stats");
    /* two of three workers wanted: the third entry stays */
    int32_t rex[3] = {9, 9, 9}, cex[3] = {9, 9, 9};
    buf.st.nworker_excess = 2;
    buf.st.worker_rule_excess = rex;
    buf.st.worker_cap_excess = cex;
    assert_ok(triage_batch_solve(out, &buf.st, &p, NULL));
    assert_int_equal(buf.st.version, TRIAGE_BATCH_STATS_VERSION);
    assert_int_equal(buf.st.nworker_excess, 2);
    assert_ptr_equal(buf.st.worker_rule_excess, rex);
    assert_ptr_equal(buf.st.worker_cap_excess, cex);
    assert_true(rex[0] == 0 && rex[1] == 0 && rex[2] == 9 && cex[2] == 9);
    for (size_t k = 0; k < sizeof buf.guard; k++)
        assert_int_equal(buf.guard[k], 0xab);
    assert_true(buf.st.max_load > 0);
    /* NULL stats are fine */
    assert_ok(triage_batch_solve(out, NULL, &p, NULL));
}

/* Every allocation of a batch failed once: ENOMEM, nothing leaked, the
 * outputs unchanged. */
static void test_batch_allocation_failures(void **state)
{
    (void)state;
    enum { NC = 12, NW = 4 };
    double weight[NC], load[NW] = {0, 1, 2, 0}, fte[NW] = {1, 0.5, 0.8, 1}, travel[NC * NW];
    uint8_t elig[NC * NW];
    rng_state = 4242;
    for (size_t c = 0; c < NC; c++)
        weight[c] = 0.5 * (double)(1 + rng() % 4);
    for (size_t k = 0; k < NC * NW; k++) {
        elig[k] = rng() % 4 != 0;
        travel[k] = (double)(rng() % 30);
    }
    triage_batch_problem_t p = problem(NC, NW, weight, load, fte);
    p.eligible = elig;
    p.travel = travel;
    p.exact_limit = 6;
    int32_t out[NC], keep[NC], rex[NW], cex[NW];
    for (size_t c = 0; c < NC; c++)
        out[c] = keep[c] = -7;
    failing_alloc fa = {0, 0, 0, 0};
    triage_allocator_t a = fa_allocator(&fa);
    int failed = 0;
    for (long n = 1;; n++) {
        fa.calls = 0;
        fa.fail_at = n;
        triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
        st.nworker_excess = NW;
        st.worker_rule_excess = rex;
        st.worker_cap_excess = cex;
        triage_status_t rc = triage_batch_solve(out, &st, &p, &a);
        assert_int_equal(fa.live, 0);
        if (rc == TRIAGE_OK)
            break;
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_memory_equal(out, keep, sizeof keep);
        assert_true(st.max_load == 0 && st.version == TRIAGE_BATCH_STATS_VERSION);
        failed++;
    }
    assert_true(failed >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lsa_ties_vs_brute_force),
        cmocka_unit_test(test_lsa_vs_transport_with_ties),
        cmocka_unit_test(test_transport_wide_and_tall_vs_expanded),
        cmocka_unit_test(test_transport_very_wide_and_tall),
        cmocka_unit_test(test_transport_size_guards),
        cmocka_unit_test(test_batch_vs_brute_force),
        cmocka_unit_test(test_batch_unplaceable_not_in_bound),
        cmocka_unit_test(test_batch_rule_example),
        cmocka_unit_test(test_batch_breaks_openly),
        cmocka_unit_test(test_batch_stats_versions),
        cmocka_unit_test(test_batch_allocation_failures),
    };
    return cmocka_run_group_tests_name("solver", tests, NULL, NULL);
}
