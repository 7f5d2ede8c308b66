/* Long runs (docs/simulation.md, "Periods and long runs"): with the history
 * released, a run's memory follows its open work and not its history. A
 * returning intake is drawn from the clients who arrived in the last
 * [intake] repeat_window days; a client out of that pool that no open case
 * or scheduled return names is released from the run's store and its slot
 * reused, so the clients held do not grow with the years, and no figure
 * changes against the same run with the history kept. No wall clock. */
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"
#include "simutil.h"
#include "sim/sim_internal.h"
#include "store/store_memory.h"

typedef struct {
    char *csv, *pcsv;       /* the run's report and its periods' */
    uint64_t intake_hash;
    uint32_t return_visits;
    size_t store_clients;   /* client records in the run's own store */
    size_t store_events;
    size_t live_clients;    /* the simulator's live client slots */
    size_t client_slots;
} run_out;

/* Runs `days` days with quarterly periods and collects what the tests compare. */
static void run(run_out *out, const triage_scenario_t *s, int32_t days, int keep)
{
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.days = days;
    o.warmup = 0;
    o.seed = 11;
    o.keep_history = keep;
    triage_date_t start = s->p.start;
    triage_sim_period_t *p = NULL;
    size_t np = 0;
    assert_ok(triage_sim_periods(&p, &np, start, start + days, 3));
    o.periods = p;
    o.nperiods = np;
    triage_sim_t *sim = NULL;
    assert_ok(triage_sim_run(&sim, s, &o));
    assert_ok(triage_sim_write_csv(&out->csv, sim));
    assert_ok(triage_sim_write_periods_csv(&out->pcsv, sim));
    triage_sim_stats_t st;
    assert_ok(triage_sim_stats(&st, sim));
    out->intake_hash = st.intake_hash;
    out->return_visits = st.return_visits;
    triage__store_memory_count(&sim->store, TRIAGE_RECORD_CLIENT, &out->store_clients,
                               &out->store_events);
    triage__sim_client_slots(&out->live_clients, &out->client_slots, sim);
    assert_true(out->live_clients <= out->client_slots);
    triage_sim_free(sim);
    triage_free(p);
}

static void run_free(run_out *r)
{
    triage_free(r->csv);
    triage_free(r->pcsv);
}

/* One and four years of North Savo with a 90-day pool: the store's client
 * records, its events and the simulator's client slots after four years
 * are within 1.3 times the one-year counts; four years with the history
 * kept give the same bytes and hold every client. */
static void test_clients_bounded_by_open_work(void **state)
{
    (void)state;
    triage_scenario_t *s = sim_load("examples/scenarios/north-savo.scn");
    assert_ok(triage_scenario_set(s, "intake", "repeat_window", "90"));
    run_out y1, y4, kept;
    run(&y1, s, 365, 0);
    run(&y4, s, 4 * 365, 0);
    run(&kept, s, 4 * 365, 1);
    assert_true(y1.store_clients > 0);
    assert_true(y4.store_clients * 10 <= y1.store_clients * 13);
    assert_true(y4.store_events * 10 <= y1.store_events * 13);
    assert_true(y4.client_slots * 10 <= y1.client_slots * 13);
    assert_int_equal(y4.store_clients, y4.live_clients); /* one record per live slot */
    /* the same run with its history kept: same figures, every client held */
    assert_string_equal(y4.csv, kept.csv);
    assert_string_equal(y4.pcsv, kept.pcsv);
    assert_true(y4.intake_hash == kept.intake_hash);
    assert_true(kept.store_clients > 2 * y4.store_clients);
    run_free(&y1);
    run_free(&y4);
    run_free(&kept);
    triage_scenario_free(s);
}

/* A client whose return visit comes long after the pool has let it go:
 * with returns 60-120 business days out and a 20-day pool, the scheduled
 * return keeps the client until it arrives. The run completes, returns
 * arrive, and released and kept runs agree byte for byte. */
static void test_late_return_keeps_client(void **state)
{
    (void)state;
    triage_scenario_t *s = sim_load("examples/scenarios/north-savo.scn");
    assert_ok(triage_scenario_set(s, "intake", "repeat_window", "20"));
    assert_ok(triage_scenario_set(s, "pathway", "return_visit", "0.5"));
    assert_ok(triage_scenario_set(s, "pathway", "return_days", "60 120"));
    run_out rel, kept;
    run(&rel, s, 365, 0);
    run(&kept, s, 365, 1);
    assert_true(rel.return_visits > 50);
    assert_int_equal(rel.return_visits, kept.return_visits);
    assert_string_equal(rel.csv, kept.csv);
    assert_string_equal(rel.pcsv, kept.pcsv);
    assert_true(rel.intake_hash == kept.intake_hash);
    run_free(&rel);
    run_free(&kept);
    triage_scenario_free(s);
}

/* The pool follows the demand, not the policy: with and without return
 * visits (which the policy causes) a run past the window sees the same
 * intakes, returning clients included (equal intake hashes). */
static void test_pool_follows_demand(void **state)
{
    (void)state;
    triage_scenario_t *s = sim_load("examples/scenarios/north-savo.scn");
    assert_ok(triage_scenario_set(s, "intake", "repeat_window", "30"));
    run_out none, returns;
    run(&none, s, 365, 0);
    assert_ok(triage_scenario_set(s, "pathway", "return_visit", "0.5"));
    run(&returns, s, 365, 0);
    assert_int_equal(none.return_visits, 0);
    assert_true(returns.return_visits > 50);
    assert_true(none.intake_hash == returns.intake_hash);
    run_free(&none);
    run_free(&returns);
    triage_scenario_free(s);
}

/* Runs no longer than the window draw returning clients exactly as before
 * the pool existed: the pool is every client seen, in the order first seen.
 * A window longer than the run changes nothing; one shorter does. */
static void test_window_longer_than_run_changes_nothing(void **state)
{
    (void)state;
    triage_scenario_t *s = sim_load("examples/scenarios/north-savo.scn");
    run_out w365, w3660, w30;
    run(&w365, s, 365, 0);
    assert_ok(triage_scenario_set(s, "intake", "repeat_window", "3660"));
    run(&w3660, s, 365, 0);
    assert_ok(triage_scenario_set(s, "intake", "repeat_window", "30"));
    run(&w30, s, 365, 0);
    assert_string_equal(w365.csv, w3660.csv);
    assert_true(w365.intake_hash == w3660.intake_hash);
    assert_true(w365.intake_hash != w30.intake_hash);
    assert_int_equal(w3660.live_clients, w3660.client_slots); /* nobody released */
    assert_true(w30.client_slots * 2 < w3660.client_slots);
    assert_status(triage_scenario_set(s, "intake", "repeat_window", "0"), TRIAGE_EINVAL);
    assert_status(triage_scenario_set(s, "intake", "repeat_window", "3661"), TRIAGE_EINVAL);
    run_free(&w365);
    run_free(&w3660);
    run_free(&w30);
    triage_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clients_bounded_by_open_work),
        cmocka_unit_test(test_late_return_keeps_client),
        cmocka_unit_test(test_pool_follows_demand),
        cmocka_unit_test(test_window_longer_than_run_changes_nothing),
    };
    return cmocka_run_group_tests_name("long_runs", tests, NULL, NULL);
}
