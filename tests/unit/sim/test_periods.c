/* Declared report periods of a run (docs/simulation.md, "Periods and long
 * runs"): the accumulators give, figure for figure, what triage_report_new
 * computes from the kept history; a run that releases its history gives the
 * same bytes; bad periods and options are refused; allocation failures are
 * clean. */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"
#include "simutil.h"
#include "sim/sim_internal.h"

static triage_date_t day(const char *iso)
{
    triage_date_t d;
    assert_ok(triage_date_parse(&d, iso));
    return d;
}

/* The closed cases the run's engine still holds. */
static size_t closed_in_engine(triage_sim_t *sim)
{
    triage_id_t *all = NULL, *open = NULL;
    size_t nall = 0, nopen = 0;
    triage_case_filter_t f = TRIAGE_CASE_FILTER_INIT;
    f.open_only = 1;
    assert_ok(triage_case_list(&all, &nall, triage_sim_engine(sim), NULL));
    assert_ok(triage_case_list(&open, &nopen, triage_sim_engine(sim), &f));
    triage_free(all);
    triage_free(open);
    return nall - nopen;
}

/* The CSV of a report; `no_loads` leaves out the rows of the engine's state
 * at report time (worker loads, balance). */
static char *csv_of(const triage_report_t *r, int no_loads)
{
    char *csv = NULL;
    assert_ok(triage_report_write_csv(&csv, r));
    if (!no_loads)
        return csv;
    char *out = triage__test_owned(strlen(csv) + 1), *o = out;
    for (const char *line = csv; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
        int skip = !strncmp(line, "balance", 7) || (!strncmp(line, "worker,", 7) &&
                                                     strstr(line, ",load,") &&
                                                     strstr(line, ",load,") < line + n);
        if (!skip) {
            memcpy(o, line, n);
            o += n;
        }
        line += n;
    }
    *o = '\0';
    triage_free(csv);
    return out;
}

/* Whole run and monthly periods from the accumulators against
 * triage_report_new over the kept history, with a warm-up. */
static void test_periods_equal_report_from_events(void **state)
{
    (void)state;
    triage_scenario_t *s = sim_load("examples/scenarios/kuusotso.scn");
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.days = 150;
    o.warmup = 60;
    o.seed = 11;
    o.keep_history = 1; /* the engine's events give the reference report */
    triage_sim_period_t *p = NULL;
    size_t np = 0;
    triage_date_t start = day("2021-08-02");
    assert_ok(triage_sim_periods(&p, &np, start, start + 150, 1));
    assert_int_equal(np, 5); /* Aug ... Dec, the last cut on 29 Dec */
    o.periods = p;
    o.nperiods = np;
    triage_sim_t *sim = NULL;
    assert_ok(triage_sim_run(&sim, s, &o));
    triage_engine_t *e = triage_sim_engine(sim);
    triage_sim_stats_t st;
    assert_ok(triage_sim_stats(&st, sim));
    triage_report_t *whole = NULL;
    assert_ok(triage_report_new(&whole, e, st.from_ms, st.to_ms));
    char *a = csv_of(whole, 0), *b = csv_of(triage_sim_report(sim), 0);
    assert_string_equal(a, b);
    triage_free(a);
    triage_free(b);
    triage_report_free(whole);
    size_t n = 0;
    assert_ok(triage_sim_period_count(&n, sim));
    assert_int_equal(n, np);
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        const triage_report_t *pr = NULL;
        assert_ok(triage_sim_period_report(&pr, sim, i));
        int64_t from, to;
        assert_ok(triage_report_period(&from, &to, NULL, NULL, pr));
        triage_report_t *r = NULL;
        assert_ok(triage_report_new(&r, e, from, to));
        int last = i + 1 == n;
        a = csv_of(r, !last);
        b = csv_of(pr, !last);
        assert_string_equal(a, b);
        triage_free(a);
        triage_free(b);
        triage_report_free(r);
        uint32_t k;
        assert_ok(triage_report_intakes(&k, pr, 0, 0));
        sum += k;
    }
    uint32_t total;
    assert_ok(triage_report_intakes(&total, triage_sim_report(sim), 0, 0));
    assert_int_equal(sum, total); /* the months tile the period */
    assert_true(total > 0);
    const triage_report_t *pr;
    assert_status(triage_sim_period_report(&pr, sim, n), TRIAGE_ERANGE);
    triage_sim_free(sim);
    triage_free(p);
    triage_scenario_free(s);
}

/* Releasing the history changes no figure. */
static void test_released_history_same_bytes(void **state)
{
    (void)state;
    triage_scenario_t *s = sim_load("examples/scenarios/kuusotso.scn");
    char *csv[2], *pcsv[2];
    size_t open_cases[2];
    for (int keep = 0; keep < 2; keep++) {
        triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
        o.days = 120;
        o.warmup = 30;
        o.seed = 5;
        o.keep_history = keep;
        triage_sim_period_t *p = NULL;
        size_t np = 0;
        triage_date_t start = day("2021-08-02");
        assert_ok(triage_sim_periods(&p, &np, start, start + 120, 3));
        o.periods = p;
        o.nperiods = np;
        triage_sim_t *sim = NULL;
        assert_ok(triage_sim_run(&sim, s, &o));
        assert_ok(triage_sim_write_csv(&csv[keep], sim));
        assert_ok(triage_sim_write_periods_csv(&pcsv[keep], sim));
        triage_id_t *ids = NULL;
        assert_ok(triage_case_list(&ids, &open_cases[keep], triage_sim_engine(sim), NULL));
        triage_free(ids);
        triage_sim_free(sim);
        triage_free(p);
    }
    assert_string_equal(csv[0], csv[1]);
    assert_string_equal(pcsv[0], pcsv[1]);
    assert_true(strncmp(pcsv[0], "from,to,section,group,key,value\n2021-08-02,2021-10-01,", 54) == 0);
    assert_true(open_cases[0] < open_cases[1]); /* the closed cases are gone */
    for (int i = 0; i < 2; i++) {
        triage_free(csv[i]);
        triage_free(pcsv[i]);
    }
    triage_scenario_free(s);
}

/* Without history the run's memory follows its open work: after each year
 * of a steady scenario the engine holds no closed case and the simulator's
 * live case slots are the open cases plus the closed ones a pending event
 * still names, while every slot ever made stays within a small multiple of
 * the most cases open at once. With the history kept, the engine holds every
 * case. Slot reuse changes no figure (the same bytes as kept). */
static void test_release_bounds_memory(void **state)
{
    (void)state;
    triage_scenario_t *s = sim_load("examples/scenarios/north-savo.scn");
    uint32_t created = 0;
    size_t slots_1y = 0;
    for (int years = 1; years <= 3; years += 2) {
        triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
        o.days = 365 * years;
        o.warmup = 0;
        o.seed = 3;
        triage_sim_t *sim = NULL;
        assert_ok(triage_sim_run(&sim, s, &o));
        triage_sim_stats_t st;
        assert_ok(triage_sim_stats(&st, sim));
        assert_int_equal(closed_in_engine(sim), 0);
        triage_id_t *ids = NULL;
        size_t n = 0;
        assert_ok(triage_case_list(&ids, &n, triage_sim_engine(sim), NULL));
        triage_free(ids);
        assert_int_equal(n, st.open);
        size_t live = 0, slots = 0;
        triage__sim_case_slots(&live, &slots, sim);
        assert_true(live >= st.open);
        assert_true(live <= st.open + 64);
        if (years == 1)
            slots_1y = slots;
        else
            assert_true(slots <= slots_1y + slots_1y / 2); /* not three years' worth */
        assert_true(slots * 4 < st.cases); /* far fewer slots than cases */
        created = st.cases;
        triage_sim_free(sim);
    }
    assert_true(created > 0);
    triage_scenario_free(s);
}

static void test_period_helper(void **state)
{
    (void)state;
    triage_sim_period_t *p = NULL;
    size_t n = 0;
    assert_ok(triage_sim_periods(&p, &n, day("2025-02-15"), day("2025-08-01"), 3));
    assert_int_equal(n, 3);
    assert_int_equal(p[0].from, day("2025-02-15"));
    assert_int_equal(p[0].to, day("2025-04-01"));
    assert_int_equal(p[1].to, day("2025-07-01"));
    assert_int_equal(p[2].to, day("2025-08-01"));
    triage_free(p);
    assert_ok(triage_sim_periods(&p, &n, day("2025-11-01"), day("2026-02-10"), 1));
    assert_int_equal(n, 4);
    assert_int_equal(p[2].from, day("2026-01-01"));
    assert_int_equal(p[3].to, day("2026-02-10"));
    triage_free(p);
    assert_ok(triage_sim_periods(&p, &n, day("2025-01-01"), day("2027-01-01"), 12));
    assert_int_equal(n, 2);
    triage_free(p);
    assert_status(triage_sim_periods(&p, &n, day("2025-01-01"), day("2025-03-01"), 2),
                  TRIAGE_EINVAL);
    assert_error_arg("months");
    assert_status(triage_sim_periods(&p, &n, day("2025-01-01"), day("2025-01-01"), 1),
                  TRIAGE_EINVAL);
    assert_error_arg("to");
    assert_status(triage_sim_periods(NULL, &n, 0, 1, 1), TRIAGE_EINVAL);
    assert_status(triage_sim_periods(&p, NULL, 0, 1, 1), TRIAGE_EINVAL);
}

static const char SMALL[] = "[scenario]\n"
                            "name = small\n"
                            "start = 2025-03-03\n"
                            "days = 30\n"
                            "[intake]\n"
                            "contact = 3\n"
                            "notification = 1.5\n"
                            "[worker]\n"
                            "name = sw\n"
                            "role = social_worker\n"
                            "[worker]\n"
                            "name = sc\n"
                            "role = social_counsellor\n"
                            "count = 2\n"
                            "[worker]\n"
                            "name = sg\n"
                            "role = service_guide\n";

static void expect_refused(const triage_scenario_t *s, const triage_sim_period_t *p, size_t n,
                           const char *arg)
{
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.periods = p;
    o.nperiods = n;
    triage_sim_t *sim = (triage_sim_t *)&o;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EINVAL);
    assert_error_arg(arg);
    assert_ptr_equal(sim, (triage_sim_t *)&o);
}

static void test_bad_periods_and_options(void **state)
{
    (void)state;
    triage_scenario_t *s = NULL;
    assert_ok(triage_scenario_parse(&s, SMALL, "small.scn", NULL));
    triage_date_t d0 = day("2025-03-03"), end = d0 + 30;
    triage_sim_period_t empty[] = {{d0 + 3, d0 + 3}};
    triage_sim_period_t backwards[] = {{d0 + 5, d0 + 2}};
    triage_sim_period_t overlap[] = {{d0, d0 + 10}, {d0 + 9, d0 + 20}};
    triage_sim_period_t unsorted[] = {{d0 + 10, d0 + 20}, {d0, d0 + 10}};
    triage_sim_period_t before[] = {{d0 - 1, d0 + 10}};
    triage_sim_period_t after[] = {{d0 + 10, end + 1}};
    triage_sim_period_t far[] = {{INT32_MIN, INT32_MAX}};
    expect_refused(s, empty, 1, "periods");
    expect_refused(s, backwards, 1, "periods");
    expect_refused(s, overlap, 2, "periods");
    expect_refused(s, unsorted, 2, "periods");
    expect_refused(s, before, 1, "periods");
    expect_refused(s, after, 1, "periods");
    expect_refused(s, far, 1, "periods");
    expect_refused(s, NULL, 2, "periods");
    /* gaps between periods, the whole run as one: fine */
    triage_sim_period_t gaps[] = {{d0, d0 + 5}, {d0 + 10, end}};
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.periods = gaps;
    o.nperiods = 2;
    triage_sim_t *sim = NULL;
    assert_ok(triage_sim_run(&sim, s, &o));
    size_t n;
    assert_ok(triage_sim_period_count(&n, sim));
    assert_int_equal(n, 2);
    assert_status(triage_sim_period_count(NULL, sim), TRIAGE_EINVAL);
    assert_status(triage_sim_period_count(&n, NULL), TRIAGE_EINVAL);
    assert_status(triage_sim_period_report(NULL, sim, 0), TRIAGE_EINVAL);
    char *text = NULL;
    assert_status(triage_sim_write_periods_csv(NULL, sim), TRIAGE_EINVAL);
    assert_status(triage_sim_write_periods_csv(&text, NULL), TRIAGE_EINVAL);
    triage_sim_free(sim);
    /* keep_history: -1, 0 or 1, and 0 only on the run's own store */
    o = (triage_sim_options_t)TRIAGE_SIM_OPTIONS_INIT;
    o.keep_history = 2;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EINVAL);
    assert_error_arg("keep_history");
    o.keep_history = -2;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EINVAL);
    assert_error_arg("keep_history");
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    o.keep_history = 0;
    o.store = &mem;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EINVAL);
    assert_error_arg("keep_history");
    mem.destroy(mem.userdata);
    /* the default on a caller's store keeps the history there */
    assert_ok(triage_store_memory(&mem, NULL));
    o.keep_history = -1;
    o.days = 10;
    assert_ok(triage_sim_run(&sim, s, &o));
    assert_true(closed_in_engine(sim) > 0);
    triage_sim_free(sim);
    /* the default on the run's own store releases it; NULL options keep it */
    o = (triage_sim_options_t)TRIAGE_SIM_OPTIONS_INIT;
    o.days = 10;
    assert_ok(triage_sim_run(&sim, s, &o));
    assert_int_equal(closed_in_engine(sim), 0);
    /* the social report counts every case of the period: a released run
     * refuses it rather than count only the cases still open */
    triage_social_t *soc = NULL;
    assert_status(triage_sim_social(&soc, sim, 1), TRIAGE_EINVAL);
    assert_error_arg("keep_history");
    assert_null(soc);
    triage_sim_free(sim);
    assert_ok(triage_sim_run(&sim, s, NULL));
    assert_true(closed_in_engine(sim) > 0);
    triage_sim_free(sim);
    /* versions: v2 callers have no periods and keep their history */
    assert_ok(triage_sim_options_init(&o, 3));
    assert_int_equal(o.keep_history, -1);
    assert_null(o.periods);
    assert_status(triage_sim_options_init(&o, 4), TRIAGE_EVERSION);
    triage_sim_options_t v2;
    memset(&v2, 0xab, sizeof v2); /* what a v2 caller leaves past its struct */
    assert_ok(triage_sim_options_init(&v2, 2));
    v2.days = 10;
    assert_ok(triage_sim_run(&sim, s, &v2));
    assert_true(closed_in_engine(sim) > 0);
    assert_ok(triage_sim_period_count(&n, sim));
    assert_int_equal(n, 0);
    assert_ok(triage_sim_write_periods_csv(&text, sim));
    assert_string_equal(text, "from,to,section,group,key,value\n");
    triage_free(text);
    triage_sim_free(sim);
    triage_scenario_free(s);
}

/* Every allocation of a short run with periods and released history fails
 * once in turn (sampled): a clean failure, nothing leaked. */
static void test_allocation_failures(void **state)
{
    (void)state;
    triage_scenario_t *s = NULL;
    assert_ok(triage_scenario_parse(&s, SMALL, "small.scn", NULL));
    triage_date_t d0 = day("2025-03-03");
    triage_sim_period_t p[] = {{d0, d0 + 10}, {d0 + 10, d0 + 20}};
    long total = 0;
    for (long n = 0;; n += 1 + n / 24) {
        failing_alloc fa = {0, n, 0, 0};
        triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
        o.days = 20;
        o.keep_history = 0;
        o.periods = p;
        o.nperiods = 2;
        o.allocator = fa_allocator(&fa);
        triage_sim_t *sim = NULL;
        triage_status_t rc = triage_sim_run(&sim, s, &o);
        if (rc == TRIAGE_OK) {
            char *text = NULL;
            assert_ok(triage_sim_write_periods_csv(&text, sim));
            triage_free(text);
            triage_sim_free(sim);
        } else {
            /* ENOMEM, or ESTORE when the in-memory store's callback ran out */
            assert_true(rc == TRIAGE_ENOMEM || rc == TRIAGE_ESTORE);
            assert_null(sim);
        }
        assert_int_equal(fa.live, 0);
        if (n == 0)
            total = fa.calls;
        else if (n > total)
            break;
    }
    triage_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods_equal_report_from_events),
        cmocka_unit_test(test_released_history_same_bytes),
        cmocka_unit_test(test_release_bounds_memory),
        cmocka_unit_test(test_period_helper),
        cmocka_unit_test(test_bad_periods_and_options),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests_name("periods", tests, NULL, NULL);
}
