/* The shipped North Savo scenario reaches a steady state (docs/domain.md §10:
 * "a shipped scenario is calibrated to a steady state: its backlog does not
 * grow without bound over a year"; issue 12's done-when):
 * - for each month after the warm-up, the mean over the seeds of that
 *   month's 90th-percentile wait from intake to the start of the
 *   service-need assessment (business days) lies within 25 % (or 2
 *   business days, whichever is larger) of the average of those monthly
 *   values;
 * - the mean open backlog (open cases) at the year's end lies within 15 %
 *   of the mean at the end of the warm-up;
 * - no assignment in the year takes a worker above the hard cap (50
 *   clients per FTE, docs/domain.md §7.1): the team carries its clients
 *   through the summer leave within the caps (above the soft cap is
 *   allowed, counted and printed).
 * Monthly figures come from triage_report_new() on the run's engine.
 *
 * The plain build checks 20 seeds (about a minute). Under the sanitizers
 * (TRIAGE_SANITIZED=1, set by tests/unit/meson.build in a sanitized build)
 * the same assertions hold for seeds 1-5 (about a minute there instead of
 * four): the runs still go through the whole engine under the sanitizers,
 * and the band is the same one (the farthest month of seeds 1-5 lies at
 * about a third of the allowed distance from their average). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "simutil.h"

#define SEEDS 20
#define SEEDS_SANITIZED 5
#define MONTHS 12

/* Local (Finnish) midnight of a date, as UTC milliseconds. */
static int64_t midnight(triage_date_t d)
{
    for (int h = 2; h <= 3; h++) {
        int64_t t = (int64_t)d * 86400000 - (int64_t)h * 3600000;
        triage_date_t ld;
        int32_t minute;
        if (triage_local_time(&ld, &minute, t) == TRIAGE_OK && ld == d && minute == 0)
            return t;
    }
    fail_msg("no local midnight for day %d", (int)d);
    return 0;
}

static void test_north_savo_steady_state(void **state)
{
    (void)state;
    char path[800];
    sim_repo_path(path, sizeof path, "examples/scenarios/north-savo.scn");
    triage_scenario_t *sc = NULL;
    assert_ok(triage_scenario_load(&sc, path, NULL));
    const char *sanitized = getenv("TRIAGE_SANITIZED");
    int seeds = sanitized && !strcmp(sanitized, "1") ? SEEDS_SANITIZED : SEEDS;
    print_message("%d seeds%s\n", seeds, seeds == SEEDS ? "" : " (TRIAGE_SANITIZED=1)");
    double p90[MONTHS] = {0}, open_start = 0, open_end = 0, soft = 0;
    uint32_t hard = 0;
    for (uint64_t seed = 1; seed <= (uint64_t)seeds; seed++) {
        triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
        o.seed = seed;
        o.keep_history = 1; /* the months are read from the run's engine */
        triage_sim_t *sim = NULL;
        assert_ok(triage_sim_run(&sim, sc, &o));
        triage_sim_stats_t st;
        assert_ok(triage_sim_stats(&st, sim));
        assert_int_equal(st.warmup_days, 365); /* the scenario's warm-up */
        assert_int_equal(st.days, 365);
        open_start += st.open_at_start;
        open_end += st.open;
        uint32_t over_soft, over_hard;
        assert_ok(triage_report_over_cap(&over_soft, &over_hard, triage_sim_report(sim)));
        soft += over_soft;
        hard += over_hard;
        triage_date_t first;
        assert_ok(triage_report_period(NULL, NULL, &first, NULL, triage_sim_report(sim)));
        int y, m, d;
        assert_ok(triage_date_to_ymd(&y, &m, &d, first));
        for (int k = 0; k < MONTHS; k++) {
            triage_date_t a, b;
            assert_ok(triage_date_from_ymd(&a, y, m, 1));
            if (++m > 12) {
                m = 1;
                y++;
            }
            assert_ok(triage_date_from_ymd(&b, y, m, 1));
            triage_report_t *r = NULL;
            assert_ok(triage_report_new(&r, triage_sim_engine(sim), midnight(a), midnight(b)));
            uint32_t n;
            double median, q90;
            assert_ok(triage_report_waiting(&n, &median, &q90, r, TRIAGE_WAIT_ASSESSMENT_START));
            assert_true(n > 0);
            p90[k] += q90 / seeds;
            triage_report_free(r);
        }
        triage_sim_free(sim);
    }
    triage_scenario_free(sc);
    double avg = 0;
    for (int k = 0; k < MONTHS; k++)
        avg += p90[k] / MONTHS;
    double tol = fmax(0.25 * avg, 2.0);
    int bad = 0;
    for (int k = 0; k < MONTHS; k++) {
        int out = fabs(p90[k] - avg) > tol;
        print_message("month %2d: mean p90 wait to assessment start %5.2f business days%s\n",
                      k + 1, p90[k], out ? "  OUTSIDE" : "");
        bad += out;
    }
    open_start /= seeds;
    open_end /= seeds;
    soft /= seeds;
    print_message("average of the monthly values %.2f (allowed %.2f .. %.2f); open cases %.1f "
                  "after the warm-up, %.1f at the year's end (%+.1f %%, allowed 15 %%)\n",
                  avg, avg - tol, avg + tol, open_start, open_end,
                  100 * (open_end - open_start) / open_start);
    print_message("assignments a year over the soft cap %.1f, over the hard cap %u in all "
                  "(allowed 0)\n", soft, (unsigned)hard);
    assert_int_equal(bad, 0);
    assert_true(fabs(open_end - open_start) <= 0.15 * open_start);
    assert_int_equal(hard, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_north_savo_steady_state),
    };
    return cmocka_run_group_tests_name("steady", tests, NULL, NULL);
}
