/* Scenario simulation (docs/domain.md §10): determinism, stores, parser errors,
 * sanity of the figures, policy comparison, allocation failures. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "testutil.h"
#include "simutil.h"

/* A small team (§10 "the staff"): 1 social worker, 2 counsellors, 1 guide. */
static const char SMALL[] =
    "[scenario]\n"
    "name = small\n"
    "start = 2025-03-03\n"
    "days = 60\n"
    "[intake]\n"
    "contact = 3\n"
    "notification = 1.5\n"
    "application = 0.5\n"
    "[phone_line]\n"
    "calls_min = 0\n"
    "calls_max = 4\n"
    "[sick_leave]\n"
    "rate = 0.02\n"
    "[municipality]\n"
    "code = 297\n"
    "weight = 3\n"
    "[municipality]\n"
    "code = 749\n"
    "[distances]\n"
    "297-749 = 24\n"
    "[worker]\n"
    "name = sw\n"
    "role = social_worker\n"
    "office = 297\n"
    "serves = 297, 749\n"
    "[worker]\n"
    "name = sc\n"
    "role = social_counsellor\n"
    "count = 2\n"
    "office = 749\n"
    "[worker]\n"
    "name = sg\n"
    "role = service_guide\n"
    "fte = 0.8\n"
    "[absence]\n"
    "worker = sc-2\n"
    "start = 2025-03-17\n"
    "end = 2025-03-28\n";

static triage_scenario_t *small(void)
{
    triage_scenario_t *s = NULL;
    assert_ok(triage_scenario_parse(&s, SMALL, "small.scn", NULL));
    return s;
}

static char *run_csv(const triage_scenario_t *s, int32_t days, uint64_t seed,
                     const triage_store_t *store)
{
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.days = days;
    o.seed = seed;
    o.store = store;
    triage_sim_t *sim = NULL;
    assert_ok(triage_sim_run(&sim, s, &o));
    char *csv = NULL;
    assert_ok(triage_sim_write_csv(&csv, sim));
    triage_sim_free(sim);
    return csv;
}

/* The shipped North Savo scenario. */
static triage_scenario_t *north_savo(void)
{
    char path[800];
    sim_repo_path(path, sizeof path, "examples/scenarios/north-savo.scn");
    triage_scenario_t *s = NULL;
    assert_ok(triage_scenario_load(&s, path, NULL));
    return s;
}

/* §10: the same seed gives the same result; another seed another one. */
static void test_determinism(void **state)
{
    (void)state;
    triage_scenario_t *s = small();
    char *a = run_csv(s, 60, 42, NULL), *b = run_csv(s, 60, 42, NULL), *c = run_csv(s, 60, 43, NULL);
    assert_string_equal(a, b);
    assert_true(strcmp(a, c) != 0);
    assert_non_null(strstr(a, "worker,sc-2,role,social_counsellor"));
    triage_free(a);
    triage_free(b);
    triage_free(c);
    triage_scenario_free(s);
}

/* §8: the same run on the in-memory and the SQLite store gives the same report. */
static void test_memory_vs_sqlite(void **state)
{
    (void)state;
    if (!triage_store_sqlite_available())
        skip();
    char dir[] = "/tmp/triage-sim-XXXXXX", path[64], cmd[96];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sim.db", dir);
    triage_scenario_t *s = small();
    triage_store_t st;
    assert_ok(triage_store_sqlite(&st, path, NULL));
    char *a = run_csv(s, 30, 5, NULL), *b = run_csv(s, 30, 5, &st);
    assert_string_equal(a, b);
    /* a store that already holds data is refused */
    assert_ok(triage_store_sqlite(&st, path, NULL));
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.store = &st;
    o.days = 5;
    triage_sim_t *sim = NULL;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_ECONFLICT);
    assert_error_arg("store");
    assert_null(sim);
    triage_free(a);
    triage_free(b);
    triage_scenario_free(s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Each parser error names its line and field (docs/simulation.md). */
static void test_parser_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *arg;
    } rows[] = {
        {"[worker]\nname = a\nfte = 1.5\n", "line 3: fte"},
        {"[worker]\nname = a\nfte = x\n", "line 3: fte"},
        {"[intake]\ncontact = 1\ncontact = 2\n", "line 3: contact"},             /* duplicate */
        {"[intake]\nbogus = 1\n", "line 2: bogus"},                              /* unknown key */
        {"\n\n[nonsense]\n", "line 3: nonsense"},                                /* unknown section */
        {"[guidance]\nresolved = 1.2\n", "line 2: resolved"},                    /* probability */
        {"[guidance]\nreach = -0.1\n", "line 2: reach"},
        {"contact = 1\n", "line 1: contact"},                                    /* before a section */
        {"[intake]\ncontact\n", "line 2: line"},                                 /* no '=' */
        {"[durations]\nassessment = 30 10\n", "line 2: assessment"},             /* min > max */
        {"[policy]\ninitial_assessment = maybe\n", "line 2: initial_assessment"},
        {"[intake]\n[intake]\n", "line 2: intake"},                              /* section twice */
        {"[worker]\nrole = social_worker\n", "line 1: name"},                    /* no name */
        {"[worker]\nname = a b\n", "line 2: name"},                              /* bad label */
        {"[worker]\nname = a\nrole = boss\n", "line 3: role"},
        {"[worker]\nname = a\nrole = social_worker\n[absence]\nworker = b\nstart = 2025-01-01\nend = 2025-01-02\n",
         "line 4: worker"},                                                      /* unknown worker */
        {"[worker]\nname = a\nrole = social_worker\n[absence]\nworker = a\nstart = 2025-01-05\nend = 2025-01-02\n",
         "line 4: end"},
        {"[municipality]\ncode = 1\n[worker]\nname = a\nrole = social_worker\noffice = 2\n", "line 3: office"},
        {"[worker]\nname = a\nrole = social_worker\nfte = 1\nfte = 1\n", "line 5: fte"},
        {"[scenario]\nwarmup = -1\n", "line 2: warmup"},
        {"[scenario]\nwarmup = 3661\n", "line 2: warmup"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        sim_expect_parse_error(rows[i].text, rows[i].arg, i);
    /* A whole-scenario error: guidance staffed by nobody (validation). */
    triage_scenario_t *s = NULL;
    assert_status(triage_scenario_parse(&s, "[worker]\nname = a\nrole = social_worker\n", "t.scn", NULL),
                  TRIAGE_EINVAL);
    assert_error_arg("guidance.roles");
    /* A missing file. */
    assert_status(triage_scenario_load(&s, "/nonexistent/x.scn", NULL), TRIAGE_ENOTFOUND);
    assert_error_arg("path");
    /* The shipped example parses (found from the repository). */
    {
        s = north_savo();
        size_t n;
        assert_ok(triage_scenario_worker_count(&n, s));
        assert_int_equal(n, 12); /* sections: 5 social workers, 4 counsellors, 3 guides */
        triage_scenario_free(s);
    }
}

/* Setters validate like the file; the writer round-trips. */
static void test_setters_and_writer(void **state)
{
    (void)state;
    triage_scenario_t *s = small(), *t = NULL;
    assert_status(triage_scenario_set(s, "guidance", "resolved", "2"), TRIAGE_EINVAL);
    assert_error_arg("resolved");
    assert_status(triage_scenario_set(s, "nope", "resolved", "0.5"), TRIAGE_EINVAL);
    assert_error_arg("section");
    assert_status(triage_scenario_set(s, "worker", "fte", "0.5"), TRIAGE_EINVAL);
    assert_ok(triage_scenario_set(s, "guidance", "resolved", "0.4"));
    size_t idx;
    assert_status(triage_scenario_add_worker(&idx, s, "sw"), TRIAGE_EEXISTS);
    assert_ok(triage_scenario_add_worker(&idx, s, "sw2"));
    assert_status(triage_scenario_set_worker(s, idx, "fte", "0"), TRIAGE_EINVAL);
    assert_error_arg("fte");
    assert_status(triage_scenario_set_worker(s, idx + 1, "fte", "1"), TRIAGE_ERANGE);
    assert_ok(triage_scenario_set_worker(s, idx, "role", "social_worker"));
    assert_ok(triage_scenario_add_absence(s, "sw2", 20160, 20170));
    assert_status(triage_scenario_add_absence(s, "sw2", 20170, 20160), TRIAGE_EINVAL);
    assert_status(triage_scenario_add_municipality(s, 297, "Kuopio", 1), TRIAGE_EEXISTS);
    assert_status(triage_scenario_set_distance(s, 297, 297, 1), TRIAGE_EINVAL);
    assert_ok(triage_scenario_validate(s));
    char *text = NULL, *text2 = NULL;
    assert_ok(triage_scenario_write(&text, s));
    assert_ok(triage_scenario_parse(&t, text, "written", NULL));
    assert_ok(triage_scenario_write(&text2, t));
    assert_string_equal(text, text2);
    char *a = run_csv(s, 20, 9, NULL), *b = run_csv(t, 20, 9, NULL);
    assert_string_equal(a, b);
    triage_free(a);
    triage_free(b);
    triage_free(text);
    triage_free(text2);
    triage_scenario_free(s);
    triage_scenario_free(t);
}

/* The figures add up: intakes = new cases + attached; cases = closed + open;
 * the report agrees with the simulation's own counts. */
static void test_sanity(void **state)
{
    (void)state;
    triage_scenario_t *s = small();
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.days = 60;
    o.seed = 3;
    triage_sim_t *sim = NULL;
    assert_ok(triage_sim_run(&sim, s, &o));
    triage_sim_stats_t st;
    assert_ok(triage_sim_stats(&st, sim));
    const triage_report_t *r = triage_sim_report(sim);
    uint32_t intakes, closings, started, completed;
    assert_ok(triage_report_intakes(&intakes, r, 0, 0));
    assert_ok(triage_report_closings(&closings, r, 0));
    assert_int_equal(intakes, st.intakes);
    assert_int_equal(st.intakes, st.cases + st.attached);
    assert_int_equal(st.cases, st.closed + st.open);
    assert_int_equal(closings, st.closed);
    uint32_t open = 0;
    for (int i = 0; i < 9; i++)
        open += st.open_by_stage[i];
    assert_int_equal(open, st.open);
    assert_ok(triage_report_assessments(&started, &completed, r));
    assert_true(completed <= started);
    assert_true(st.intakes > 100 && st.business_days == 41);
    assert_true(st.phone_calls > 0 && st.phone_resolved <= st.phone_calls);
    /* workers come in scenario order with their labels */
    const char *label;
    triage_id_t id;
    assert_ok(triage_sim_worker(&id, &label, sim, 2));
    assert_string_equal(label, "sc-2");
    assert_status(triage_sim_worker(&id, &label, sim, 4), TRIAGE_ERANGE);
    /* no engine id leaks into the output */
    char idtext[TRIAGE_ID_STRLEN], *csv = NULL;
    assert_ok(triage_id_format(idtext, sizeof idtext, &id));
    assert_ok(triage_sim_write_csv(&csv, sim));
    assert_null(strstr(csv, idtext));
    triage_free(csv);
    char *json = NULL;
    assert_ok(triage_sim_write_json(&json, sim));
    assert_non_null(strstr(json, "\"label\": \"sc-2\""));
    assert_non_null(strstr(json, "\"simulation\""));
    triage_free(json);
    triage_sim_free(sim);
    triage_scenario_free(s);
}

/* Policy comparison over the same intake stream (§10). */
static void test_compare(void **state)
{
    (void)state;
    triage_scenario_t *a = small(), *b = NULL;
    assert_ok(triage_scenario_copy(&b, a));
    assert_ok(triage_scenario_set(b, "policy", "guidance_first", "no"));
    triage_sim_t *x = NULL, *y = NULL;
    char *table = NULL;
    assert_ok(triage_sim_compare(&x, &y, &table, a, b, 40, 11));
    uint32_t ia, ib, sa, sb;
    triage_report_intakes(&ia, triage_sim_report(x), 0, 0);
    triage_report_intakes(&ib, triage_sim_report(y), 0, 0);
    assert_int_equal(ia, ib); /* the same demand */
    triage_report_assessments(&sa, NULL, triage_sim_report(x));
    triage_report_assessments(&sb, NULL, triage_sim_report(y));
    assert_true(sb > sa); /* nothing is resolved at guidance: more assessments */
    assert_true(strncmp(table, "metric,a,b,difference\nintakes,", 30) == 0);
    assert_non_null(strstr(table, "\nassessments_started,"));
    triage_free(table);
    triage_sim_free(x);
    triage_sim_free(y);
    assert_status(triage_sim_compare(&x, &y, NULL, a, NULL, 10, 1), TRIAGE_EINVAL);
    triage_scenario_free(a);
    triage_scenario_free(b);
}

/* A worker may serve any number of municipalities in a scenario (issue 12: a
 * wellbeing services county has up to 30 and more; Pirkanmaa has 23). The
 * list parses, copies and writes back whole, and the run hands it to the
 * engine, whose worker record has no limit either. */
static void test_many_served(void **state)
{
    (void)state;
    char text[8192], *p = text;
    const char *end = text + sizeof text;
    p += snprintf(p, (size_t)(end - p), "[scenario]\ndays = 10\n");
    for (int c = 1; c <= 40; c++)
        p += snprintf(p, (size_t)(end - p), "[municipality]\ncode = %d\n", 100 + c);
    p += snprintf(p, (size_t)(end - p), "[worker]\nname = sw\nrole = social_worker\n"
                                        "[worker]\nname = sg\nrole = service_guide\nserves = ");
    for (int c = 1; c <= 40; c++)
        p += snprintf(p, (size_t)(end - p), "%s%d", c > 1 ? ", " : "", 100 + c);
    snprintf(p, (size_t)(end - p), "\n");
    triage_scenario_t *s = NULL, *c = NULL, *back = NULL;
    assert_ok(triage_scenario_parse(&s, text, "many.scn", NULL));
    assert_ok(triage_scenario_copy(&c, s));
    char *w1 = NULL, *w2 = NULL;
    assert_ok(triage_scenario_write(&w1, c));
    assert_non_null(strstr(w1, "serves = 101, 102, 103"));
    assert_non_null(strstr(w1, ", 139, 140\n"));
    assert_ok(triage_scenario_parse(&back, w1, "written", NULL));
    assert_ok(triage_scenario_write(&w2, back));
    assert_string_equal(w1, w2);
    /* a code listed twice is still refused, naming the line */
    assert_ok(triage_scenario_set_worker(c, 1, "serves", "101, 102"));
    assert_status(triage_scenario_set_worker(c, 1, "serves", "101, 101"), TRIAGE_EINVAL);
    assert_error_arg("serves");
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    triage_sim_t *sim = NULL;
    triage_status_t rc = triage_sim_run(&sim, s, &o);
    assert_int_equal(rc, TRIAGE_OK);
    triage_sim_free(sim);
    triage_free(w1);
    triage_free(w2);
    triage_scenario_free(s);
    triage_scenario_free(c);
    triage_scenario_free(back);
}

/* §10: a warm-up runs before the start and counts in no figure; the intake
 * hash tells whether two runs saw the same intakes. */
static void test_warmup_and_hash(void **state)
{
    (void)state;
    triage_scenario_t *s = small();
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.days = 40;
    o.seed = 7;
    o.warmup = 30;
    o.keep_history = 1; /* the engine's cases are compared below */
    triage_sim_t *sim = NULL;
    assert_ok(triage_sim_run(&sim, s, &o));
    triage_sim_stats_t st;
    assert_ok(triage_sim_stats(&st, sim));
    assert_int_equal(st.days, 40);
    assert_int_equal(st.warmup_days, 30);
    assert_int_equal(st.business_days, 30); /* 2025-03-03 .. 2025-04-11: six weeks */
    triage_date_t first, last;
    assert_ok(triage_report_period(NULL, NULL, &first, &last, triage_sim_report(sim)));
    triage_date_t want;
    assert_ok(triage_date_from_ymd(&want, 2025, 3, 3));
    assert_int_equal(first, want);
    assert_int_equal(last, want + 39);
    uint32_t intakes, closings;
    assert_ok(triage_report_intakes(&intakes, triage_sim_report(sim), 0, 0));
    assert_ok(triage_report_closings(&closings, triage_sim_report(sim), 0));
    assert_int_equal(intakes, st.intakes);
    assert_int_equal(closings, st.closed);
    assert_true(st.open_at_start > 0);                        /* the warm-up left work */
    assert_int_equal(st.open_at_start + st.cases, st.closed + st.open);
    assert_int_equal(st.intakes, st.cases + st.attached);
    /* the engine saw the warm-up: more intakes in it than in the report */
    triage_id_t *ids = NULL;
    size_t n = 0;
    assert_ok(triage_case_list(&ids, &n, triage_sim_engine(sim), NULL));
    assert_true(n > st.cases);
    triage_free(ids);
    triage_sim_free(sim);

    /* the same through the scenario key; the option -1 means the scenario's */
    triage_scenario_t *w = NULL;
    assert_ok(triage_scenario_copy(&w, s));
    assert_ok(triage_scenario_set(w, "scenario", "warmup", "30"));
    o.warmup = -1;
    char *a = run_csv(w, 40, 7, NULL);
    o.warmup = 30;
    assert_ok(triage_sim_run(&sim, s, &o));
    char *b = NULL;
    assert_ok(triage_sim_write_csv(&b, sim));
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "simulation,,warmup,30\n"));
    triage_free(a);
    triage_free(b);
    triage_sim_free(sim);

    /* the hash: the same demand under another policy gives the same hash,
     * another demand another hash */
    triage_scenario_t *other = NULL, *more = NULL;
    assert_ok(triage_scenario_copy(&other, s));
    assert_ok(triage_scenario_set(other, "policy", "guidance_first", "no"));
    assert_ok(triage_scenario_copy(&more, s));
    assert_ok(triage_scenario_set(more, "intake", "contact", "3.5"));
    uint64_t h[3];
    const triage_scenario_t *arms[3] = {s, other, more};
    for (int i = 0; i < 3; i++) {
        assert_ok(triage_sim_run(&sim, arms[i], &o));
        assert_ok(triage_sim_stats(&st, sim));
        h[i] = st.intake_hash;
        triage_sim_free(sim);
    }
    assert_true(h[0] == h[1]);
    assert_true(h[0] != h[2]);

    /* a version-1 caller: warmup is not read (the scenario's is used) */
    triage_sim_options_t v1;
    memset(&v1, 0xab, sizeof v1);
    assert_ok(triage_sim_options_init(&v1, 1));
    assert_int_equal(v1.version, 1);
    assert_int_equal(v1.warmup, (int32_t)0xabababab); /* not a v1 member: left alone */
    v1.days = 10;
    assert_ok(triage_sim_run(&sim, w, &v1));
    assert_ok(triage_sim_stats(&st, sim));
    assert_int_equal(st.warmup_days, 30);
    triage_sim_free(sim);
    /* bad warm-ups */
    sim = NULL;
    o.warmup = -2;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EINVAL);
    assert_error_arg("warmup");
    o.warmup = 3661;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EINVAL);
    assert_null(sim);
    triage_scenario_free(other);
    triage_scenario_free(more);
    triage_scenario_free(w);
    triage_scenario_free(s);
}

static int stop_at(void *ud, int32_t day, int32_t days)
{
    (void)days;
    return day >= *(int *)ud;
}

static void test_bad_options(void **state)
{
    (void)state;
    triage_scenario_t *s = small();
    triage_sim_t *sim = NULL;
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    assert_status(triage_sim_run(NULL, s, &o), TRIAGE_EINVAL);
    assert_status(triage_sim_run(&sim, NULL, &o), TRIAGE_EINVAL);
    o.days = 5000;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EINVAL);
    assert_error_arg("days");
    o.days = 10;
    o.version = 99;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EVERSION);
    o.version = TRIAGE_SIM_OPTIONS_VERSION;
    int stop = 3;
    o.progress = stop_at;
    o.progress_userdata = &stop;
    assert_status(triage_sim_run(&sim, s, &o), TRIAGE_EUSER);
    assert_null(sim);
    assert_status(triage_sim_options_init(&o, 0), TRIAGE_EVERSION);
    assert_ok(triage_sim_options_init(&o, TRIAGE_SIM_OPTIONS_VERSION));
    assert_int_equal(o.seed, 1);
    triage_scenario_t *empty = NULL;
    assert_ok(triage_scenario_new(&empty, NULL));
    assert_status(triage_sim_run(&sim, empty, NULL), TRIAGE_EINVAL);
    assert_error_arg("worker");
    triage_scenario_free(empty);
    triage_scenario_free(s);
}

/* Fail the Nth allocation of every allocating constructor: clean failure, no leak. */
static void test_allocation_failures(void **state)
{
    (void)state;
    for (long n = 1;; n++) {
        failing_alloc fa = {0, n, 0, 0};
        triage_allocator_t al = fa_allocator(&fa);
        triage_scenario_t *s = NULL, *c = NULL;
        triage_status_t rc = triage_scenario_parse(&s, SMALL, "small.scn", &al);
        if (rc == TRIAGE_OK) {
            rc = triage_scenario_copy(&c, s);
            size_t idx;
            if (!rc)
                rc = triage_scenario_add_worker(&idx, c, "extra");
            char *text = NULL;
            if (!rc)
                rc = triage_scenario_write(&text, c);
            triage_free(text);
        }
        triage_scenario_free(c);
        triage_scenario_free(s);
        assert_int_equal(fa.live, 0);
        if (rc == TRIAGE_OK && fa.failures == 0)
            break;
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_true(n < 10000);
    }
    /* A short run with every allocation (engine, store, report included) failing once. */
    triage_scenario_t *s = NULL;
    assert_ok(triage_scenario_parse(&s, SMALL, "small.scn", NULL));
    long total = 0;
    {
        failing_alloc fa = {0, 0, 0, 0};
        triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
        o.days = 3;
        o.allocator = fa_allocator(&fa);
        triage_sim_t *sim = NULL;
        assert_ok(triage_sim_run(&sim, s, &o));
        triage_sim_free(sim);
        total = fa.calls;
        assert_int_equal(fa.live, 0);
    }
    for (long n = 1; n <= total; n += 1 + n / 16) {
        failing_alloc fa = {0, n, 0, 0};
        triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
        o.days = 3;
        o.allocator = fa_allocator(&fa);
        triage_sim_t *sim = NULL;
        triage_status_t rc = triage_sim_run(&sim, s, &o);
        if (rc == TRIAGE_OK)
            triage_sim_free(sim);
        else
            assert_null(sim);
        assert_int_equal(fa.live, 0);
    }
    triage_scenario_free(s);
}

/* docs/domain.md §5.3, §9 (round two, item 3): the simulated case flow
 * records service decisions, their carrying out and plan reviews, so a
 * North Savo year reports SHL 45 § rows (it showed 0/0/0/0) and reviews. */
static void test_north_savo_year_fills_shl45_and_plan_reviews(void **state)
{
    (void)state;
    triage_scenario_t *s = north_savo();
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.seed = 1;
    triage_sim_t *sim = NULL;
    assert_ok(triage_sim_run(&sim, s, &o));
    const triage_report_t *r = triage_sim_report(sim);
    triage_report_deadlines_t dl = {TRIAGE_REPORT_DEADLINES_VERSION, 0, 0, 0, 0, 0};
    assert_ok(triage_report_deadlines(&dl, r, TRIAGE_BASIS_SHL_45));
    assert_true(dl.met > 0);
    assert_true(dl.met + dl.missed > 100);
    uint32_t reviews = 0, no_shows = 0, plans = 0;
    assert_ok(triage_report_plan_reviews(&reviews, r));
    assert_true(reviews > 0);
    assert_ok(triage_report_plans(&plans, r));
    assert_true(reviews < plans);
    assert_ok(triage_report_failed_contacts(&no_shows, NULL, r));
    assert_true(no_shows > 0); /* the simulated no-shows reach the engine */
    triage_sim_free(sim);
    triage_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_memory_vs_sqlite),
        cmocka_unit_test(test_parser_errors),
        cmocka_unit_test(test_setters_and_writer),
        cmocka_unit_test(test_sanity),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_many_served),
        cmocka_unit_test(test_warmup_and_hash),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_north_savo_year_fills_shl45_and_plan_reviews),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
