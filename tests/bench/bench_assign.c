/*
 * Assignment throughput (docs/domain.md §7): online proposals and assignments per
 * second with 500 workers; batch distribution of 10 000 cases to 500
 * workers (the solver on a synthetic instance and the engine's whole
 * distribute call) with the max-load gap to the lower bound; linear
 * assignment on a 2 000 x 100 instance (compare tests/bench/bench_lsa.py).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <triage/triage.h>

#include "assign/assign_internal.h" /* the engine's batch instance, to time the solver on it */

#define DAY_MS INT64_C(86400000)
static const int64_t T0 = INT64_C(20780) * DAY_MS + 8 * INT64_C(3600000);

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define CHECK(x)                                                                 \
    do {                                                                         \
        if ((x) != TRIAGE_OK) {                                                  \
            fprintf(stderr, "%s failed: %s\n", #x, triage_error_last()->message); \
            exit(1);                                                             \
        }                                                                        \
    } while (0)

static triage_engine_t *team(int nworkers)
{
    triage_engine_t *e;
    CHECK(triage_engine_new(&e, NULL));
    int32_t codes[20];
    double d[400];
    for (int i = 0; i < 20; i++)
        codes[i] = 100 + i;
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < 20; j++)
            d[i * 20 + j] = 10.0 * abs(i - j);
    CHECK(triage_engine_set_distances(e, codes, d, 20));
    for (int i = 0; i < nworkers; i++) {
        triage_worker_t w = TRIAGE_WORKER_INIT;
        w.role = i % 5 == 0 ? TRIAGE_ROLE_SOCIAL_WORKER
                 : i % 5 == 4 ? TRIAGE_ROLE_SERVICE_GUIDE
                              : TRIAGE_ROLE_SOCIAL_COUNSELLOR;
        w.fte = (double)(5 + rng() % 6) / 10;
        w.languages = i % 10 == 0 ? 3u : 1u;
        w.office = codes[rng() % 20];
        w.served = &w.office;
        w.served_count = 1;
        triage_id_t id;
        CHECK(triage_worker_create(&id, e, &w));
    }
    return e;
}

static triage_id_t *cases(triage_engine_t *e, int n)
{
    triage_id_t *ids = malloc((size_t)n * sizeof *ids);
    for (int i = 0; i < n; i++) {
        triage_client_t c = TRIAGE_CLIENT_INIT;
        c.municipality = 100 + (int32_t)(rng() % 20);
        c.language = rng() % 10 == 0 ? TRIAGE_LANG_SV : TRIAGE_LANG_FI;
        triage_id_t cl;
        CHECK(triage_client_create(&cl, e, &c));
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = cl;
        in.received_ms = T0;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        CHECK(triage_intake(&r, e, &in));
        triage_move_t m = TRIAGE_MOVE_INIT;
        m.at_ms = T0;
        CHECK(triage_case_move(e, &r.case_id, &m));
        m.to = TRIAGE_STAGE_DISTRIBUTION;
        CHECK(triage_case_move(e, &r.case_id, &m));
        triage_scores_t s;
        memset(&s, 0, sizeof s);
        int q = 2 + (int)(rng() % 3);
        if (q != 3)
            s.need[TRIAGE_NEED_HOUSING] = 3;
        if (q >= 3) {
            s.capacity[TRIAGE_CAPACITY_NO_NETWORK] = 2;
            s.capacity[TRIAGE_CAPACITY_DIGITAL] = 2;
        }
        CHECK(triage_case_classify(NULL, NULL, e, &r.case_id, NULL, T0, &s));
        ids[i] = r.case_id;
    }
    return ids;
}

static void bench_online(void)
{
    triage_engine_t *e = team(500);
    int n = 2000;
    triage_id_t *ids = cases(e, n);
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    double t = now();
    for (int i = 0; i < n; i++) {
        triage_assignment_t a;
        a.version = TRIAGE_ASSIGNMENT_VERSION;
        CHECK(triage_assign_propose(&a, e, &ids[i], &req));
        triage_assignment_clear(&a);
    }
    double tp = now() - t;
    t = now();
    for (int i = 0; i < n; i++) {
        triage_assignment_t a;
        a.version = TRIAGE_ASSIGNMENT_VERSION;
        CHECK(triage_assign_case(&a, e, &ids[i], &req));
        triage_assignment_clear(&a);
    }
    double ta = now() - t;
    printf("assign_propose 500 workers, %d open cases: %.0f proposals/s (%.1f us/call)\n", n,
           n / tp, tp / n * 1e6);
    printf("assign_case 500 workers, 0-%d open cases: %.0f assignments/s (%.1f us/call)\n", n,
           n / ta, ta / n * 1e6);
    free(ids);
    triage_engine_free(e);
}

static double solve_timed(triage_batch_stats_t *st, int32_t *out, const triage_batch_problem_t *p,
                          int rounds)
{
    double best = HUGE_VAL;
    for (int r = 0; r < rounds; r++) {
        triage_batch_stats_t s = TRIAGE_BATCH_STATS_INIT;
        double t = now();
        CHECK(triage_batch_solve(out, &s, p, NULL));
        t = now() - t;
        if (t < best) {
            best = t;
            *st = s;
        }
    }
    return best;
}

/* One synthetic instance solved with and without the no-flooding rule:
 * the rule's cost as a ratio of times, and the gap to the lower bound
 * (which includes the rule when the result honours it). Best of 3. */
static void bench_batch_synthetic(size_t nc, size_t nw, int32_t flood)
{
    double *weight = malloc(nc * sizeof *weight), *load = malloc(nw * sizeof *load);
    double *fte = malloc(nw * sizeof *fte), *travel = malloc(nc * nw * sizeof *travel);
    uint8_t *elig = malloc(nc * nw);
    int32_t *out = malloc(nc * sizeof *out);
    int32_t *role = malloc(nw * sizeof *role);
    static const double wq[4] = {0.5, 1.0, 1.5, 2.0};
    for (size_t j = 0; j < nw; j++) {
        load[j] = (double)(rng() % 10);
        fte[j] = (double)(5 + rng() % 6) / 10;
        role[j] = j % 5 == 0 ? 3 : 2;
    }
    for (size_t c = 0; c < nc; c++) {
        int q = (int)(rng() % 4);
        weight[c] = wq[q] + (rng() % 10 == 0 ? 0.5 : 0);
        int mun = (int)(rng() % 20);
        for (size_t j = 0; j < nw; j++) {
            elig[c * nw + j] = (uint8_t)(q == 3 ? role[j] == 3 : 1);
            travel[c * nw + j] = 10.0 * abs(mun - (int)(j % 20));
        }
    }
    triage_batch_problem_t p = TRIAGE_BATCH_PROBLEM_INIT;
    p.ncases = nc;
    p.nworkers = nw;
    p.weight = weight;
    p.load = load;
    p.fte = fte;
    p.eligible = elig;
    p.travel = travel;
    p.group = role;
    triage_batch_stats_t st[2];
    double t[2];
    for (int k = 0; k < 2; k++) {
        p.flood_margin = k ? -1 : flood;
        t[k] = solve_timed(&st[k], out, &p, 3);
        printf("batch_solve %zu cases x %zu workers, flood margin %d: %.3f s; max load %.3f, "
               "lower bound %.3f (%s), gap %.2f %%; one-by-one max %.3f; travel %.0f "
               "(one-by-one %.0f); rule breaks %d; method %d\n",
               nc, nw, (int)p.flood_margin, t[k], st[k].max_load, st[k].lower_bound,
               st[k].bound_with_rule ? "with the rule" : "without the rule", 100 * st[k].gap,
               st[k].sequential_max_load, st[k].total_travel, st[k].sequential_total_travel,
               (int)st[k].rule_breaks, (int)st[k].method);
    }
    printf("batch_solve %zu x %zu: with the rule / without: time ratio %.2f (goal <= 2); gap "
           "with the rule %.2f %% to a bound %s the rule (goal <= 1 %%)\n",
           nc, nw, t[0] / t[1], 100 * st[0].gap,
           st[0].bound_with_rule ? "that includes" : "WITHOUT");
    free(weight);
    free(load);
    free(fte);
    free(travel);
    free(elig);
    free(out);
    free(role);
}

/* The engine's distribute on n cases x 500 workers against the batch
 * solver alone on the same instance (the problem distribute builds), in one
 * run: the time ratio (issue goal <= 1.5) and whether the max load stays at
 * or below the one-by-one result, else which rule forced it. */
static void bench_distribute(int n, int flood)
{
    triage_engine_t *e = team(500);
    triage_assign_policy_t *pol;
    CHECK(triage_assign_policy_new(&pol, NULL));
    CHECK(triage_assign_policy_set(pol, TRIAGE_ASSIGN_FLOOD_MARGIN, flood));
    CHECK(triage_engine_set_assign_policy(e, pol));
    triage_assign_policy_free(pol);
    triage_id_t *ids = cases(e, n);
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t *res;
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    double t = now();
    CHECK(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, ids, (size_t)n, &req, 0));
    t = now() - t;
    int flagged = 0;
    for (int i = 0; i < n; i++)
        flagged += (res[i].flags & TRIAGE_ASSIGN_RULE_BROKEN) != 0;
    triage_assignments_free(res, (size_t)n);
    /* the same instance, the solver alone */
    triage__distribution d;
    CHECK(triage__distribution_build(&d, e, ids, (size_t)n, &req));
    int32_t *out = malloc((size_t)n * sizeof *out);
    triage_batch_stats_t ss = TRIAGE_BATCH_STATS_INIT, bs;
    double ts = now();
    CHECK(triage_batch_solve(out, &ss, &d.p, NULL));
    ts = now() - ts;
    /* what the one-by-one baseline breaks, to name why the result's max
     * may be above it (the caps and the rule rank before the max load) */
    CHECK(triage__batch_excess(&bs, &d.p, d.base, NULL));
    triage__distribution_free(&d);
    free(out);
    printf("assign_distribute %d cases x 500 workers (engine, propose only), flood margin %d: "
           "%.3f s; max load %.3f, lower bound %.3f, gap %.2f %%, one-by-one max %.3f; rule "
           "breaks %d (proposals flagged %d), hard-cap excess %d; method %d\n",
           n, flood, t, st.max_load, st.lower_bound, 100 * st.gap, st.sequential_max_load,
           (int)st.rule_breaks, flagged, (int)st.cap_excess, (int)st.method);
    int above = st.max_load > st.sequential_max_load + 1e-9;
    printf("batch_solve on the same instance: %.3f s; distribute / solver: time ratio %.2f "
           "(goal <= 1.5)\n", ts, t / ts);
    printf("  max load %.3f %s the one-by-one %.3f; one by one breaks the hard cap by %d "
           "clients (result %d) and the no-flooding rule by %d cases (result %d)%s\n",
           st.max_load, above ? "ABOVE" : "at or below", st.sequential_max_load,
           (int)bs.cap_excess, (int)st.cap_excess, (int)bs.rule_excess, (int)st.rule_excess,
           !above ? ""
           : bs.cap_excess > st.cap_excess ? ": forced by the hard cap"
           : bs.rule_excess > st.rule_excess ? ": forced by the no-flooding rule"
                                             : ": NOT explained by the rule or the cap");
    free(ids);
    triage_engine_free(e);
}

static void bench_lsa(size_t n, size_t m)
{
    double *cost = malloc(n * m * sizeof *cost);
    int32_t *r2c = malloc(n * sizeof *r2c);
    rng_state = 42;
    for (size_t k = 0; k < n * m; k++)
        cost[k] = (double)(rng() % 1000000) / 1000.0;
    double total;
    double t = now();
    CHECK(triage_linear_assignment(r2c, &total, cost, n, m, NULL));
    t = now() - t;
    printf("linear_assignment %zu x %zu: %.2f ms, objective %.3f\n", n, m, t * 1e3, total);
    free(cost);
    free(r2c);
}

int main(void)
{
    bench_online();
    bench_batch_synthetic(10000, 500, 3);
    bench_distribute(10000, 3);
    bench_distribute(10000, -1);
    bench_lsa(2000, 100);
    bench_lsa(1000, 1000);
    return 0;
}
