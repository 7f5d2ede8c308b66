/*
 * Several engines on one database (docs/storage.md): each sees the others'
 * work on its next call, a commit that lost a race is retried on fresh data
 * and the team-wide rules hold, the event order is one and gap-free, the
 * policies are shared, memory holds the working set, and a failed refresh
 * leaves memory at a committed state. On the memory store, whose handles
 * share one database (triage_store_memory_share); the SQLite store has the
 * same tests across processes (test_sqlite.c).
 */
#include <pthread.h>

#include "storeutil.h"
#include "engine/engine_internal.h"

#define T0 SC_T0
#define DAY SC_DAY

static int64_t fixed_now(void *ud)
{
    return *(const int64_t *)ud;
}

static int64_t now_ms = T0;

/* Two engines on one memory database, each through a fault wrapper (so a
 * test can run the other engine in the middle of a commit). */
typedef struct {
    triage_store_t mem[2];
    faulty f[2];
    triage_engine_t *e[2];
} pair;

static void pair_open(pair *p, int32_t retries)
{
    memset(p, 0, sizeof *p);
    assert_ok(triage_store_memory(&p->mem[0], NULL));
    assert_ok(triage_store_memory_share(&p->mem[1], &p->mem[0]));
    for (int i = 0; i < 2; i++) {
        p->f[i].inner = p->mem[i];
        triage_store_t s = faulty_store(&p->f[i]);
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.clock = fixed_now;
        o.clock_userdata = &now_ms;
        o.retries = retries;
        assert_ok(triage_engine_open(&p->e[i], &o, &s));
    }
}

static void pair_close(pair *p)
{
    for (int i = 0; i < 2; i++) {
        triage_engine_free(p->e[i]);
        p->mem[i].destroy(p->mem[i].userdata);
    }
}

static triage_id_t new_worker(triage_engine_t *e, triage_role_t role)
{
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = role;
    triage_id_t id;
    assert_ok(triage_worker_create(&id, e, &w));
    return id;
}

static triage_id_t new_case(triage_engine_t *e, triage_id_t *client_out)
{
    triage_client_t c = TRIAGE_CLIENT_INIT;
    c.municipality = 297;
    triage_id_t client;
    assert_ok(triage_client_create(&client, e, &c));
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = client;
    in.kind = TRIAGE_INTAKE_NOTIFICATION;
    in.received_ms = now_ms;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, e, &in));
    if (client_out)
        *client_out = client;
    return r.case_id;
}

static void to_guidance(triage_engine_t *e, const triage_id_t *case_id)
{
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_GUIDANCE;
    m.at_ms = now_ms;
    assert_ok(triage_case_move(e, case_id, &m));
}

static int32_t attempts_of(triage_engine_t *e, const triage_id_t *case_id)
{
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&c, e, case_id));
    return c.contact_attempts;
}

static triage_stage_t stage_of(triage_engine_t *e, const triage_id_t *case_id)
{
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&c, e, case_id));
    return c.stage;
}

static triage_engine_stats_t stats_of(const triage_engine_t *e)
{
    triage_engine_stats_t s;
    s.version = TRIAGE_ENGINE_STATS_VERSION;
    assert_ok(triage_engine_stats(&s, e));
    return s;
}

/* Every event either engine wrote, through engine `e`: gap-free from 1. */
static int64_t assert_gap_free(triage_engine_t *e)
{
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    for (size_t i = 0; i < n; i++)
        assert_int_equal(evs[i].seq, (int64_t)i + 1);
    triage_free(evs);
    return (int64_t)n;
}

/* ---- each sees the other's work on its next call ---------------------------- */

static void test_two_engines_see_each_other(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    triage_id_t sw = new_worker(p.e[0], TRIAGE_ROLE_SOCIAL_WORKER);
    triage_id_t client, c1 = new_case(p.e[0], &client);
    /* B reads what A wrote, without reopening */
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_RECEIVED);
    triage_worker_t w;
    w.version = TRIAGE_WORKER_VERSION;
    assert_ok(triage_worker_get(&w, p.e[1], &sw));
    /* B changes it; A sees the change at its next call */
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_GUIDANCE;
    m.at_ms = now_ms;
    assert_ok(triage_case_move(p.e[1], &c1, &m));
    assert_int_equal(stage_of(p.e[0], &c1), TRIAGE_STAGE_GUIDANCE);
    /* and B's new case is in A's lists */
    triage_id_t c2 = new_case(p.e[1], NULL);
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_case_list(&ids, &n, p.e[0], NULL));
    assert_int_equal(n, 2);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        found += triage_id_compare(&ids[i], &c2) == 0;
    triage_free(ids);
    assert_int_equal(found, 1);
    assert_true(stats_of(p.e[0]).refreshes >= 2);
    assert_int_equal(stats_of(p.e[0]).races, 0);
    int64_t na = assert_gap_free(p.e[0]), nb = assert_gap_free(p.e[1]);
    assert_int_equal(na, nb);
    assert_int_equal(stats_of(p.e[0]).last_seq, stats_of(p.e[1]).last_seq);
    /* an explicit refresh with nothing new is a no-op */
    uint64_t before = stats_of(p.e[0]).refreshes;
    assert_ok(triage_engine_refresh(p.e[0]));
    assert_int_equal(stats_of(p.e[0]).refreshes, before);
    assert_status(triage_engine_refresh(NULL), TRIAGE_EINVAL);
    pair_close(&p);
}

/* ---- a lost race is retried on fresh data ------------------------------------- */

typedef struct {
    triage_engine_t *other;
    triage_id_t case_id, worker;
    int what; /* 0: a contact attempt on the case; 1: the worker's absence today; 2: a new client */
    triage_status_t rc;
    int calls, close_on; /* on call number close_on, close the case instead */
} meddle;

static void meddle_now(void *ctx)
{
    meddle *m = ctx;
    triage_id_t id;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_date_t today;
    assert_ok(triage_local_time(&today, NULL, now_ms));
    if (++m->calls == m->close_on) {
        triage_move_t mv = TRIAGE_MOVE_INIT;
        mv.to = TRIAGE_STAGE_CLOSED;
        mv.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
        mv.at_ms = now_ms;
        m->rc = triage_case_move(m->other, &m->case_id, &mv);
        return;
    }
    switch (m->what) {
    case 0: m->rc = triage_case_contact_attempt(m->other, &m->case_id, NULL, now_ms, 0); break;
    case 1: m->rc = triage_absence_add(&id, m->other, &m->worker, today, today + 30, NULL); break;
    default: m->rc = triage_client_create(&id, m->other, &c); break;
    }
}

static void test_race_retried(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    triage_id_t c1 = new_case(p.e[0], NULL);
    to_guidance(p.e[0], &c1);
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_GUIDANCE);
    /* B records a contact attempt on the case between A's refresh and A's
     * write: A's commit loses, is run again on B's state, and both stand */
    meddle md = {p.e[1], c1, {{0}}, 0, TRIAGE_OK, 0, 0};
    p.f[0].hook = meddle_now;
    p.f[0].hook_ctx = &md;
    p.f[0].hook_times = 1;
    assert_ok(triage_case_contact_attempt(p.e[0], &c1, NULL, now_ms, 0));
    assert_ok(md.rc);
    assert_int_equal(stats_of(p.e[0]).races, 1);
    assert_int_equal(attempts_of(p.e[1], &c1), 2); /* B's attempt was not lost */
    assert_int_equal(attempts_of(p.e[0], &c1), 2);
    assert_gap_free(p.e[1]);
    pair_close(&p);
}

static void test_retries_exhausted(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 0); /* A tries once */
    triage_id_t c1 = new_case(p.e[0], NULL);
    to_guidance(p.e[0], &c1);
    /* B changes the same case before A writes */
    meddle md = {p.e[1], c1, {{0}}, 0, TRIAGE_OK, 0, 0};
    p.f[0].hook = meddle_now;
    p.f[0].hook_ctx = &md;
    p.f[0].hook_times = 1;
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_CLOSED;
    m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
    m.at_ms = now_ms;
    assert_status(triage_case_move(p.e[0], &c1, &m), TRIAGE_ECONFLICT);
    assert_error_arg("case"); /* the record kind, no client data */
    assert_non_null(strstr(triage_error_last()->message, "another engine changed the same case"));
    triage_engine_stats_t s = stats_of(p.e[0]);
    assert_int_equal(s.races, 1);
    assert_int_equal(s.conflicts, 1);
    /* nothing of A's change is anywhere; B's attempt is */
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_GUIDANCE);
    assert_int_equal(stage_of(p.e[0], &c1), TRIAGE_STAGE_GUIDANCE);
    assert_int_equal(attempts_of(p.e[0], &c1), 1);
    /* an unrelated commit by B collides on the event order only */
    md.what = 2;
    p.f[0].hook_times = 1;
    assert_status(triage_case_move(p.e[0], &c1, &m), TRIAGE_ECONFLICT);
    assert_error_arg("store");
    /* with the other engine quiet, the same call goes through */
    assert_ok(triage_case_move(p.e[0], &c1, &m));
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_CLOSED);
    assert_gap_free(p.e[0]);
    pair_close(&p);
}

/* Contended engines lock first: after a lost race an engine begins its
 * next TRIAGE__CONTENDED_CALLS calls with the write transaction, so there
 * is no optimistic attempt to lose; a locked refresh that finds another
 * engine's commits renews that, and with the other engine quiet it runs out
 * and the calls are optimistic again. */
static void test_contended_engine_locks_first(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    triage_id_t c1 = new_case(p.e[0], NULL);
    to_guidance(p.e[0], &c1);
    assert_int_equal(p.e[0]->contended, 0); /* a lone engine is optimistic */
    /* B creates a client (an unrelated commit) just before A's begin */
    meddle md = {p.e[1], c1, {{0}}, 2, TRIAGE_OK, 0, 0};
    p.f[0].hook = meddle_now;
    p.f[0].hook_ctx = &md;
    p.f[0].hook_times = 1;
    assert_ok(triage_case_contact_attempt(p.e[0], &c1, NULL, now_ms, 0));
    assert_ok(md.rc);
    assert_int_equal(stats_of(p.e[0]).races, 1);
    assert_int_equal(p.e[0]->contended, TRIAGE__CONTENDED_CALLS);
    /* B keeps committing before A's begins: A reads it inside the lock,
     * loses nothing, and stays in the mode */
    for (int i = 0; i < 5; i++) {
        p.f[0].hook_times = 1;
        assert_ok(triage_case_contact_attempt(p.e[0], &c1, NULL, now_ms, 0));
        assert_ok(md.rc);
        assert_int_equal(p.f[0].hook_times, 0);
    }
    assert_int_equal(stats_of(p.e[0]).races, 1);
    assert_int_equal(p.e[0]->contended, TRIAGE__CONTENDED_CALLS);
    /* B quiet: the mode runs out after as many calls */
    for (int i = 0; i < TRIAGE__CONTENDED_CALLS; i++)
        assert_ok(triage_case_contact_attempt(p.e[0], &c1, NULL, now_ms, 0));
    assert_int_equal(p.e[0]->contended, 0);
    /* optimistic again: B's commit before A's begin is a lost race once more */
    p.f[0].hook_times = 1;
    assert_ok(triage_case_contact_attempt(p.e[0], &c1, NULL, now_ms, 0));
    assert_ok(md.rc);
    assert_int_equal(stats_of(p.e[0]).races, 2);
    assert_int_equal(stats_of(p.e[0]).conflicts, 0);
    assert_int_equal(attempts_of(p.e[1], &c1), 1 + 5 + TRIAGE__CONTENDED_CALLS + 1);
    assert_gap_free(p.e[0]);
    pair_close(&p);
}

/* However busy the database, a call goes through: an attempt that finds,
 * once it holds the store's write transaction, that another engine
 * committed since its refresh keeps the transaction, and the next attempt
 * refreshes and decides inside it, where nobody can commit in between (the
 * starvation of an unlucky engine, seen with four busy ones). A last
 * attempt takes the transaction before it refreshes, for the same reason. */
static void test_last_attempt_holds_the_lock(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 2);
    triage_id_t c1 = new_case(p.e[0], NULL);
    to_guidance(p.e[0], &c1);
    /* B commits before every begin of A's */
    meddle md = {p.e[1], c1, {{0}}, 0, TRIAGE_OK, 0, 0};
    p.f[0].hook = meddle_now;
    p.f[0].hook_ctx = &md;
    p.f[0].hook_times = 100;
    long calls = p.f[0].calls;
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_CLOSED;
    m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
    m.at_ms = now_ms;
    assert_ok(triage_case_move(p.e[0], &c1, &m));
    assert_ok(md.rc);
    triage_engine_stats_t s = stats_of(p.e[0]);
    assert_int_equal(s.races, 1);
    assert_int_equal(s.conflicts, 0);
    /* one begin: the lost attempt wrote nothing and its transaction served
     * the second attempt */
    assert_int_equal(p.f[0].hook_times, 99);
    assert_true(p.f[0].calls - calls < 40);
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_CLOSED);
    assert_int_equal(attempts_of(p.e[1], &c1), 1); /* B's work is all there */
    /* an attempt in a kept transaction that fails its own checks leaves
     * nothing open: B closes the case before A's begin, A's second attempt
     * then refuses */
    triage_id_t c2 = new_case(p.e[1], NULL);
    to_guidance(p.e[1], &c2);
    md.case_id = c2;
    md.calls = 0;
    md.close_on = 1;
    p.f[0].hook_times = 3;
    m.to = TRIAGE_STAGE_INITIAL_ASSESSMENT;
    m.reason = TRIAGE_CLOSE_NONE;
    assert_status(triage_case_move(p.e[0], &c2, &m), TRIAGE_ESTATE);
    assert_error_arg("closed_is_final");
    assert_int_equal(p.f[0].hook_times, 2);
    assert_false(p.f[0].in_txn);
    assert_int_equal(stage_of(p.e[0], &c2), TRIAGE_STAGE_CLOSED);
    /* with one retry the same: the first attempt's transaction serves the
     * second, the last */
    p.e[0]->retries = 1;
    p.e[0]->contended = 0; /* optimistic again, as on a quiet database */
    triage_id_t c3 = new_case(p.e[1], NULL);
    to_guidance(p.e[1], &c3);
    md.case_id = c3;
    md.calls = 0;
    md.close_on = 0;
    p.f[0].hook_times = 100;
    s = stats_of(p.e[0]);
    m.to = TRIAGE_STAGE_CLOSED;
    m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
    assert_ok(triage_case_move(p.e[0], &c3, &m));
    assert_int_equal(stats_of(p.e[0]).races, s.races + 1);
    assert_int_equal(stats_of(p.e[0]).conflicts, 0);
    assert_false(p.f[0].in_txn);
    assert_int_equal(stage_of(p.e[1], &c3), TRIAGE_STAGE_CLOSED);
    p.f[0].hook_times = 0;
    /* and the engine goes on */
    triage_id_t c4 = new_case(p.e[0], NULL);
    to_guidance(p.e[1], &c4);
    assert_gap_free(p.e[1]);
    pair_close(&p);
}

/* Team-wide rules: an assignment that raced with the worker's absence is
 * decided again and goes to someone present. */
static void test_assignment_races_absence(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    triage_id_t wa = new_worker(p.e[0], TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    triage_id_t wb = new_worker(p.e[0], TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    triage_id_t c1 = new_case(p.e[0], NULL);
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = now_ms;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    assert_ok(triage_assign_propose(&a, p.e[0], &c1, &req));
    /* the one A would choose (w1) and the other (w2) */
    triage_id_t w1 = a.worker, w2 = triage_id_compare(&a.worker, &wa) == 0 ? wb : wa;
    assert_false(triage_id_is_nil(&w1));
    triage_assignment_clear(&a);
    /* B records W1's absence while A assigns */
    meddle md = {p.e[1], c1, w1, 1, TRIAGE_OK, 0, 0};
    p.f[0].hook = meddle_now;
    p.f[0].hook_ctx = &md;
    p.f[0].hook_times = 1;
    assert_ok(triage_assign_case(&a, p.e[0], &c1, &req));
    assert_ok(md.rc);
    assert_int_equal(triage_id_compare(&a.worker, &w2), 0);
    triage_assignment_clear(&a);
    assert_int_equal(stats_of(p.e[0]).races, 1);
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&c, p.e[1], &c1));
    assert_int_equal(triage_id_compare(&c.assessment_worker, &w2), 0);
    pair_close(&p);
}

/* ---- shared policies ----------------------------------------------------------- */

static void test_policies_shared(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    /* A changes the urgency policy: B uses it from its next call */
    triage_urgency_policy_t *u;
    assert_ok(triage_urgency_policy_new(&u, NULL));
    assert_ok(triage_urgency_policy_set_id(u, "region-2027", 4));
    assert_ok(triage_urgency_policy_set_response_days(u, TRIAGE_URGENCY_NORMAL, 10));
    assert_ok(triage_engine_set_urgency_policy(p.e[0], u));
    const triage_urgency_policy_t *got;
    assert_ok(triage_engine_urgency_policy(&got, p.e[1]));
    const char *id;
    uint32_t version;
    int32_t days;
    assert_ok(triage_urgency_policy_id(&id, &version, got));
    assert_string_equal(id, "region-2027");
    assert_int_equal(version, 4);
    assert_ok(triage_urgency_policy_response_days(&days, got, TRIAGE_URGENCY_NORMAL));
    assert_int_equal(days, 10);
    /* the change is an event */
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, p.e[1], NULL, INT64_MIN, INT64_MAX));
    assert_int_equal(evs[n - 1].kind, TRIAGE_EVENT_POLICY_CHANGED);
    assert_string_equal(evs[n - 1].policy_id, "region-2027");
    triage_free(evs);

    /* deadline rules and the classifier policy likewise */
    triage_deadline_rules_t *r;
    assert_ok(triage_deadline_rules_new(&r, NULL));
    assert_ok(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_D5, 0));
    assert_ok(triage_engine_set_deadline_rules(p.e[1], r));
    triage_classify_policy_t *k;
    assert_ok(triage_classify_policy_new(&k, NULL));
    assert_ok(triage_classify_policy_set_threshold(k, TRIAGE_THRESHOLD_NEED_AREAS, 4));
    assert_ok(triage_engine_set_classify_policy(p.e[1], k));
    const triage_classify_policy_t *kg;
    int32_t v;
    assert_ok(triage_engine_classify_policy(&kg, p.e[0]));
    assert_ok(triage_classify_policy_threshold(&v, kg, TRIAGE_THRESHOLD_NEED_AREAS));
    assert_int_equal(v, 4);

    /* the assignment policy and the distance matrix too */
    triage_assign_policy_t *ap;
    assert_ok(triage_assign_policy_new(&ap, NULL));
    /* every parameter travels: give each a value off its default */
    assert_ok(triage_assign_policy_set_id(ap, "team-east", 3));
    double want[TRIAGE_ASSIGN_LONG_ABSENCE + 1];
    for (int pk = TRIAGE_ASSIGN_WEIGHT_Q1; pk <= TRIAGE_ASSIGN_LONG_ABSENCE; pk++) {
        double old;
        assert_ok(triage_assign_policy_get(&old, ap, (triage_assign_param_t)pk));
        double nv = pk == TRIAGE_ASSIGN_LANGUAGE_HARD   ? 0
                    : pk == TRIAGE_ASSIGN_EXACT_LIMIT ? 12
                    : pk == TRIAGE_ASSIGN_SOFT_CAP    ? 33
                    : pk == TRIAGE_ASSIGN_HARD_CAP    ? 44
                    : pk >= TRIAGE_ASSIGN_CHILD_WELFARE_CAP ? old - 1 /* counts */
                                                      : old * 0.9;
        assert_ok(triage_assign_policy_set(ap, (triage_assign_param_t)pk, nv));
        want[pk] = nv;
    }
    assert_ok(triage_engine_set_assign_policy(p.e[0], ap));
    const triage_assign_policy_t *apg;
    assert_ok(triage_engine_assign_policy(&apg, p.e[1]));
    for (int pk = TRIAGE_ASSIGN_WEIGHT_Q1; pk <= TRIAGE_ASSIGN_LONG_ABSENCE; pk++) {
        double got_v;
        assert_ok(triage_assign_policy_get(&got_v, apg, (triage_assign_param_t)pk));
        if (got_v != want[pk])
            fail_msg("parameter %d: %g, not %g", pk, got_v, want[pk]);
    }
    assert_ok(triage_assign_policy_id(&id, &version, apg));
    assert_string_equal(id, "team-east");
    assert_int_equal(version, 3);
    int32_t codes[2] = {297, 749};
    double d[4] = {0, 85.5, 86, 0};
    assert_ok(triage_engine_set_distances(p.e[0], codes, d, 2));
    double km;
    assert_ok(triage_engine_distance(&km, p.e[1], 297, 749));
    assert_true(km == 85.5);
    assert_ok(triage_engine_set_distances(p.e[1], NULL, NULL, 0));
    assert_status(triage_engine_distance(&km, p.e[0], 297, 749), TRIAGE_ENOTFOUND);

    /* a third engine opening with another urgency policy is refused,
     * naming the option; with the same one, or none, it opens */
    triage_store_t mem3;
    assert_ok(triage_store_memory_share(&mem3, &p.mem[0]));
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    triage_urgency_policy_t *other;
    assert_ok(triage_urgency_policy_new(&other, NULL));
    o.urgency = other;
    triage_engine_t *e3 = NULL;
    assert_status(triage_engine_open(&e3, &o, &mem3), TRIAGE_ECONFLICT);
    assert_error_arg("opts.urgency");
    assert_null(e3);
    assert_ok(triage_store_memory_share(&mem3, &p.mem[0]));
    o.urgency = u;
    assert_ok(triage_engine_open(&e3, &o, &mem3));
    triage_engine_free(e3);
    assert_ok(triage_store_memory_share(&mem3, &p.mem[0]));
    o.urgency = NULL;
    assert_ok(triage_engine_open(&e3, &o, &mem3));
    assert_ok(triage_engine_urgency_policy(&got, e3));
    assert_ok(triage_urgency_policy_id(&id, &version, got));
    assert_string_equal(id, "region-2027");
    triage_engine_free(e3);

    /* bad arguments */
    assert_status(triage_engine_set_urgency_policy(NULL, u), TRIAGE_EINVAL);
    assert_status(triage_engine_set_urgency_policy(p.e[0], NULL), TRIAGE_EINVAL);
    assert_status(triage_engine_set_deadline_rules(p.e[0], NULL), TRIAGE_EINVAL);
    assert_status(triage_engine_set_classify_policy(p.e[0], NULL), TRIAGE_EINVAL);
    assert_status(triage_engine_urgency_policy(NULL, p.e[0]), TRIAGE_EINVAL);
    assert_status(triage_engine_deadline_rules(NULL, p.e[0]), TRIAGE_EINVAL);
    assert_status(triage_engine_classify_policy(&kg, NULL), TRIAGE_EINVAL);
    triage_urgency_policy_free(other);
    triage_urgency_policy_free(u);
    triage_deadline_rules_free(r);
    triage_classify_policy_free(k);
    triage_assign_policy_free(ap);
    assert_gap_free(p.e[0]);
    pair_close(&p);
}

/* A policy given at open is written to a database that has none. */
static void test_option_policy_published(void **state)
{
    (void)state;
    triage_store_t mem, mem2;
    assert_ok(triage_store_memory(&mem, NULL));
    assert_ok(triage_store_memory_share(&mem2, &mem));
    triage_classify_policy_t *k;
    assert_ok(triage_classify_policy_new(&k, NULL));
    assert_ok(triage_classify_policy_set_id(k, "strict", 2));
    assert_ok(triage_classify_policy_set_threshold(k, TRIAGE_THRESHOLD_CAUSE, 3));
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    o.classify = k;
    triage_engine_t *a, *b;
    assert_ok(triage_engine_open(&a, &o, &mem));
    o.classify = NULL;
    assert_ok(triage_engine_open(&b, &o, &mem2));
    const triage_classify_policy_t *got;
    int32_t v;
    assert_ok(triage_engine_classify_policy(&got, b));
    assert_ok(triage_classify_policy_threshold(&v, got, TRIAGE_THRESHOLD_CAUSE));
    assert_int_equal(v, 3);
    assert_int_equal(assert_gap_free(b), 1); /* one POLICY_CHANGED */
    triage_engine_free(a);
    triage_engine_free(b);
    triage_classify_policy_free(k);
}

/* ---- bounded memory: the working set ------------------------------------------- */

static void test_working_set(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    triage_id_t cases[20];
    for (int i = 0; i < 20; i++)
        cases[i] = new_case(p.e[0], NULL);
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_CLOSED;
    m.reason = TRIAGE_CLOSE_NO_NEED;
    m.at_ms = now_ms;
    m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
    for (int i = 0; i < 20; i++)
        to_guidance(p.e[0], &cases[i]);
    for (int i = 0; i < 15; i++)
        assert_ok(triage_case_move(p.e[0], &cases[i], &m));
    /* closed cases leave memory at once, in both engines */
    assert_int_equal(stats_of(p.e[0]).cases, 5);
    assert_ok(triage_engine_refresh(p.e[1]));
    assert_int_equal(stats_of(p.e[1]).cases, 5);
    assert_int_equal(stats_of(p.e[1]).resident, 0);
    /* ... and are read from the store when asked for */
    assert_int_equal(stage_of(p.e[1], &cases[3]), TRIAGE_STAGE_CLOSED);
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_case_list(&ids, &n, p.e[1], NULL));
    assert_int_equal(n, 20);
    triage_free(ids);
    /* clients stay while their activity is recent; a year and more later
     * the daily sweep drops them from memory, not from the store */
    assert_int_equal(stats_of(p.e[0]).clients, 20);
    now_ms += 400 * DAY;
    for (int i = 15; i < 20; i++)
        assert_ok(triage_case_move(p.e[0], &cases[i], &m));
    assert_int_equal(stats_of(p.e[0]).cases, 0);
    assert_true(stats_of(p.e[0]).clients < 20);
    assert_ok(triage_client_list(&ids, &n, p.e[0]));
    assert_int_equal(n, 20);
    triage_free(ids);
    now_ms = T0;
    pair_close(&p);
}

/* At open every open case comes with all its rows at once, and each row
 * finds its case among them (by binary search since the linear search
 * took a third of the time to open ten years of a region): rows of
 * hundreds of cases, created in an order unlike the cases' ids, land on
 * their own case, as a refresh that brings many cases at once does. */
static void test_open_attaches_rows_to_their_cases(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    enum { N = 300 };
    triage_id_t cases[N], clients[N];
    for (int i = 0; i < N; i++)
        cases[i] = new_case(p.e[0], &clients[i]);
    /* a second intake on every third case: a client with an active case
     * with a responsible worker gets it attached */
    triage_id_t sw = new_worker(p.e[0], TRIAGE_ROLE_SOCIAL_WORKER);
    for (int i = 0; i < N; i += 3) {
        assert_ok(triage_case_set_worker(p.e[0], &cases[i], NULL, now_ms, TRIAGE_SLOT_RESPONSIBLE,
                                         &sw));
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = clients[i];
        in.kind = TRIAGE_INTAKE_CONTACT;
        in.received_ms = now_ms + 1000;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&r, p.e[0], &in));
        assert_int_equal(r.attached, 1);
    }
    /* B refreshes them all at once; a third engine opens on them */
    assert_ok(triage_engine_refresh(p.e[1]));
    triage_store_t mem3;
    assert_ok(triage_store_memory_share(&mem3, &p.mem[0]));
    triage_engine_t *e3;
    assert_ok(triage_engine_open(&e3, NULL, &mem3));
    for (int i = 0; i < N; i++) {
        triage_case_t want, got;
        want.version = got.version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&want, p.e[0], &cases[i]));
        assert_int_equal(want.intake_count, i % 3 == 0 ? 2 : 1);
        for (int k = 0; k < 2; k++) {
            assert_ok(triage_case_get(&got, k ? e3 : p.e[1], &cases[i]));
            assert_int_equal(got.intake_count, want.intake_count);
            assert_int_equal(got.deadline_count, want.deadline_count);
            triage_id_t *ids;
            size_t n;
            assert_ok(triage_case_intakes(&ids, &n, k ? e3 : p.e[1], &cases[i]));
            assert_int_equal(n, want.intake_count);
            for (size_t j = 0; j < n; j++) {
                triage_intake_info_t info;
                info.version = TRIAGE_INTAKE_INFO_VERSION;
                assert_ok(triage_intake_get(&info, k ? e3 : p.e[1], &ids[j]));
                assert_int_equal(triage_id_compare(&info.case_id, &cases[i]), 0);
            }
            triage_free(ids);
        }
    }
    assert_int_equal(stats_of(e3).cases, N);
    triage_engine_free(e3);
    pair_close(&p);
}

/* ---- a failed refresh leaves memory at a committed state ------------------------- */

static void test_refresh_failure(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    triage_id_t c1 = new_case(p.e[0], NULL);
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_RECEIVED);
    int64_t seen = stats_of(p.e[1]).last_seq;
    to_guidance(p.e[0], &c1);
    new_case(p.e[0], NULL);
    /* every store call of B's next refresh fails once, in turn */
    p.f[1].code = 91;
    for (long k = 1;; k++) {
        p.f[1].fail_at = p.f[1].calls + k;
        triage_status_t rc = triage_engine_refresh(p.e[1]);
        p.f[1].fail_at = 0;
        if (rc == TRIAGE_OK)
            break;
        assert_int_equal(rc, TRIAGE_ESTORE);
        assert_int_equal(triage_error_last()->cause, 91);
        /* B's memory is still its last committed state (no half refresh) */
        assert_int_equal(stats_of(p.e[1]).last_seq, seen);
        assert_true(k < 50);
    }
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_GUIDANCE);
    assert_int_equal(stats_of(p.e[1]).last_seq, stats_of(p.e[0]).last_seq);
    pair_close(&p);
}

/* ---- threads: one engine each, one database ----------------------------------------- */

typedef struct {
    triage_store_t store;
    int made;
    uint64_t races;
} worker_arg;

static void *thread_main(void *vp)
{
    worker_arg *w = vp;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    o.retries = 100;
    triage_engine_t *e;
    if (triage_engine_open(&e, &o, &w->store))
        return NULL;
    for (int i = 0; i < 50; i++) {
        triage_client_t c = TRIAGE_CLIENT_INIT;
        triage_id_t id;
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        if (triage_client_create(&id, e, &c))
            continue;
        in.client = id;
        in.kind = TRIAGE_INTAKE_CONTACT;
        in.received_ms = now_ms;
        if (triage_intake(&r, e, &in) == TRIAGE_OK)
            w->made++;
    }
    triage_engine_stats_t s;
    s.version = TRIAGE_ENGINE_STATS_VERSION;
    triage_engine_stats(&s, e);
    w->races = s.races;
    triage_engine_free(e);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    worker_arg args[4];
    pthread_t th[4];
    memset(args, 0, sizeof args);
    for (int i = 0; i < 4; i++)
        assert_ok(triage_store_memory_share(&args[i].store, &mem));
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    int made = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        made += args[i].made;
    }
    assert_int_equal(made, 200);
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &mem));
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_case_list(&ids, &n, e, NULL));
    assert_int_equal(n, 200);
    triage_free(ids);
    assert_gap_free(e);
    triage_event_t *evs;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    int created = 0, intakes = 0;
    for (size_t i = 0; i < n; i++) {
        created += evs[i].kind == TRIAGE_EVENT_CLIENT_CREATED;
        intakes += evs[i].kind == TRIAGE_EVENT_INTAKE;
    }
    triage_free(evs);
    assert_int_equal(created, 200);
    assert_int_equal(intakes, 200);
    triage_engine_free(e);
}

/* ---- a local call on a store that numbers commits itself ------------------------- */

static triage_intake_result_t intake_for(triage_engine_t *e, const triage_id_t *client,
                                         const triage_id_t *actor)
{
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = *client;
    in.kind = TRIAGE_INTAKE_NOTIFICATION;
    in.received_ms = now_ms;
    if (actor)
        in.actor = *actor;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, e, &in));
    return r;
}

/* Engine `e` holds the case (with its rows) and its client at the numbers
 * the store has: `ref` reads them from the store at its call. */
static void assert_numbers_as_stored(triage_engine_t *e, triage_engine_t *ref,
                                     const triage_id_t *case_id)
{
    stage_of(ref, case_id); /* ref refreshes; e is left as it is */
    const triage__case *mine = triage__table_get(&e->tables[TRIAGE__T_CASE], case_id);
    const triage__case *stored = triage__table_get(&ref->tables[TRIAGE__T_CASE], case_id);
    assert_non_null(mine);
    assert_non_null(stored);
    assert_int_equal(mine->rev, stored->rev);
    assert_int_equal(mine->created, stored->created);
    assert_int_equal(mine->nintakes, stored->nintakes);
    for (uint32_t i = 0; i < mine->nintakes; i++) {
        assert_int_equal(mine->intakes[i].rev, stored->intakes[i].rev);
        assert_int_equal(mine->intakes[i].created, stored->intakes[i].created);
    }
    assert_int_equal(mine->ndeadlines, stored->ndeadlines);
    for (uint32_t i = 0; i < mine->ndeadlines; i++) {
        assert_int_equal(mine->deadlines[i].rev, stored->deadlines[i].rev);
        assert_int_equal(mine->deadlines[i].created, stored->deadlines[i].created);
    }
    const triage__client *cm = triage__table_get(&e->tables[TRIAGE__T_CLIENT], &mine->client);
    const triage__client *cs = triage__table_get(&ref->tables[TRIAGE__T_CLIENT], &mine->client);
    assert_non_null(cm);
    assert_non_null(cs);
    assert_int_equal(cm->rev, cs->rev);
    assert_int_equal(cm->created, cs->created);
}

/* An intake decides on its client and the client's active case, which it
 * writes, and on the policies. On a store of interface 3 it is written
 * after whatever other engines committed since the engine's last refresh:
 * no refresh first and no lost race, unless one of those commits changed
 * what it read; then the next attempt refreshes and decides again. */
static void test_intake_numbered_by_store(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 3);
    triage_id_t ca = sc_new_client(p.e[0]), cb = sc_new_client(p.e[0]);
    triage_client_t got;
    got.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&got, p.e[1], &cb)); /* B is at A's number */
    int64_t b_seq = stats_of(p.e[1]).last_seq;
    /* A commits an intake; B, which has not seen it, takes one for another
     * client: numbered after A's, without a refresh or a race */
    triage_intake_result_t ra = intake_for(p.e[0], &ca, NULL);
    uint64_t b_refreshes = stats_of(p.e[1]).refreshes;
    triage_intake_result_t rb = intake_for(p.e[1], &cb, NULL);
    triage_engine_stats_t sb = stats_of(p.e[1]);
    assert_int_equal(sb.races, 0);
    assert_int_equal(sb.rebased, 1);
    assert_int_equal(sb.refreshes, b_refreshes);
    assert_int_equal(sb.last_seq, b_seq); /* A's commits come with B's next refresh */
    assert_numbers_as_stored(p.e[1], p.e[0], &rb.case_id);
    /* B's next intake for the same client reads B's own commit, which the
     * store numbered above B's number: it is counted from that commit's
     * number, still without a refresh or a race, and B holds both commits
     * at the store's numbers */
    sc_new_client(p.e[0]);
    triage_intake_result_t rb2 = intake_for(p.e[1], &cb, NULL);
    sb = stats_of(p.e[1]);
    assert_int_equal(sb.races, 0);
    assert_int_equal(sb.rebased, 2);
    assert_int_equal(sb.refreshes, b_refreshes);
    assert_int_equal(sb.last_seq, b_seq);
    assert_numbers_as_stored(p.e[1], p.e[0], &rb.case_id);
    assert_numbers_as_stored(p.e[1], p.e[0], &rb2.case_id);
    /* each sees both; one gap-free order */
    assert_int_equal(stage_of(p.e[0], &rb.case_id), TRIAGE_STAGE_RECEIVED);
    assert_int_equal(stage_of(p.e[1], &ra.case_id), TRIAGE_STAGE_RECEIVED);
    assert_int_equal(assert_gap_free(p.e[0]), assert_gap_free(p.e[1]));
    /* B holds its case at the numbers the store gave it: later writes on it
     * name the revisions stored and do not lose */
    to_guidance(p.e[1], &rb.case_id);
    assert_ok(triage_case_contact_attempt(p.e[1], &rb.case_id, NULL, now_ms, 0));
    assert_int_equal(stats_of(p.e[1]).races, 0);
    assert_int_equal(attempts_of(p.e[0], &rb.case_id), 1);

    /* A client A changed since B read it: B's write loses on the client's
     * revision and the retry counts A's notifications (the third within the
     * window sets the repeat flag) */
    assert_ok(triage_client_get(&got, p.e[1], &ca));
    intake_for(p.e[0], &ca, NULL); /* A's second notification for ca */
    triage_intake_result_t r3 = intake_for(p.e[1], &ca, NULL);
    assert_int_equal(r3.repeat_flagged, 1);
    assert_int_equal(stats_of(p.e[1]).races, 1);

    /* A policy A changed since B's refresh: B's write loses, and the retry
     * assesses with the new policy */
    triage_urgency_policy_t *u;
    assert_ok(triage_urgency_policy_new(&u, NULL));
    assert_ok(triage_urgency_policy_set_id(u, "region-2027", 4));
    assert_ok(triage_engine_set_urgency_policy(p.e[0], u));
    triage_urgency_policy_free(u);
    triage_intake_result_t r4 = intake_for(p.e[1], &cb, NULL);
    assert_string_equal(r4.urgency.policy_id, "region-2027");
    assert_int_equal(r4.urgency.policy_version, 4);
    assert_int_equal(stats_of(p.e[1]).races, 2);

    /* an actor another engine added since B's refresh is found in the store */
    triage_id_t w = new_worker(p.e[0], TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    intake_for(p.e[1], &cb, &w);
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = cb;
    in.kind = TRIAGE_INTAKE_CONTACT;
    in.received_ms = now_ms;
    triage_id_generate(&in.actor);
    triage_intake_result_t r5;
    r5.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_status(triage_intake(&r5, p.e[1], &in), TRIAGE_ENOTFOUND);
    assert_error_arg("actor");
    assert_int_equal(stats_of(p.e[1]).conflicts, 0);
    assert_int_equal(assert_gap_free(p.e[0]), assert_gap_free(p.e[1]));
    /* a caller of the stats' version 1 gets its bytes only */
    triage_engine_stats_t old;
    memset(&old, 0xab, sizeof old);
    old.version = 1;
    assert_ok(triage_engine_stats(&old, p.e[1]));
    assert_int_equal(old.races, 2);
    uint64_t untouched;
    memset(&untouched, 0xab, sizeof untouched);
    assert_memory_equal(&old.rebased, &untouched, sizeof untouched);
    old.version = TRIAGE_ENGINE_STATS_VERSION + 1;
    assert_status(triage_engine_stats(&old, p.e[1]), TRIAGE_EVERSION);
    pair_close(&p);
}

/* With retries 0 there is no attempt after a lost race: a local call then
 * refreshes first, as any call does, and an intake for a client another
 * engine changed goes through. */
static void test_intake_without_retries(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, 0);
    triage_id_t ca = sc_new_client(p.e[0]);
    triage_client_t got;
    got.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&got, p.e[1], &ca));
    intake_for(p.e[0], &ca, NULL);
    uint64_t b_refreshes = stats_of(p.e[1]).refreshes;
    for (int i = 0; i < 3; i++) {
        intake_for(p.e[1], &ca, NULL);
        intake_for(p.e[0], &ca, NULL);
    }
    triage_engine_stats_t sb = stats_of(p.e[1]);
    assert_int_equal(sb.conflicts, 0);
    assert_int_equal(sb.races, 0);
    assert_int_equal(sb.refreshes, b_refreshes + 3);
    assert_int_equal(assert_gap_free(p.e[0]), assert_gap_free(p.e[1]));
    pair_close(&p);
}

/* A store of interface 3 without begin_rebased and commit_rebased is
 * written to as one of interface 2: the same stale intake is a lost race,
 * retried on fresh data. */
static void test_version3_store_without_numbering(void **state)
{
    (void)state;
    pair p;
    memset(&p, 0, sizeof p);
    assert_ok(triage_store_memory(&p.mem[0], NULL));
    assert_ok(triage_store_memory_share(&p.mem[1], &p.mem[0]));
    for (int i = 0; i < 2; i++) {
        p.f[i].inner = p.mem[i];
        p.f[i].inner.begin_rebased = NULL;
        p.f[i].inner.commit_rebased = NULL;
        triage_store_t s = faulty_store(&p.f[i]);
        assert_int_equal(s.version, 3);
        assert_null(s.begin_rebased);
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.clock = fixed_now;
        o.clock_userdata = &now_ms;
        assert_ok(triage_engine_open(&p.e[i], &o, &s));
    }
    triage_id_t ca = sc_new_client(p.e[0]), cb = sc_new_client(p.e[0]);
    triage_client_t got;
    got.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&got, p.e[1], &cb));
    intake_for(p.e[0], &ca, NULL);
    uint64_t b_refreshes = stats_of(p.e[1]).refreshes;
    intake_for(p.e[1], &cb, NULL);
    triage_engine_stats_t sb = stats_of(p.e[1]);
    assert_int_equal(sb.rebased, 0);
    assert_int_equal(sb.refreshes, b_refreshes + 1); /* refreshed first, as on interface 2 */
    assert_int_equal(assert_gap_free(p.e[0]), assert_gap_free(p.e[1]));
    pair_close(&p);
}

/* ---- the memory store's own contract ------------------------------------------------ */

static void test_memory_store_contract(void **state)
{
    (void)state;
    triage_store_t mem, other;
    assert_ok(triage_store_memory(&mem, NULL));
    assert_status(triage_store_memory_share(NULL, &mem), TRIAGE_EINVAL);
    assert_status(triage_store_memory_share(&other, NULL), TRIAGE_EINVAL);
    triage_store_t fake = mem;
    fake.begin = NULL;
    assert_status(triage_store_memory_share(&other, &fake), TRIAGE_EINVAL);
    void *ud = mem.userdata;
    /* writes only inside a transaction; a stale revision or a taken
     * sequence number is a conflict */
    unsigned char data[4] = {1, 2, 3, 4};
    triage_store_record_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_STORE_RECORD_VERSION;
    r.kind = TRIAGE_RECORD_WORKER;
    r.id.bytes[0] = 7;
    r.revision = 1;
    r.created = 1;
    r.data = data;
    r.len = sizeof data;
    assert_int_not_equal(mem.put_record(ud, &r), 0);
    assert_int_equal(mem.begin(ud), 0);
    assert_int_not_equal(mem.begin(ud), 0); /* no nesting */
    assert_int_equal(mem.put_record(ud, &r), 0);
    r.revision = 2;
    assert_int_equal(mem.put_record(ud, &r), TRIAGE_ECONFLICT); /* expected 0, it exists */
    r.expected_revision = 1;
    assert_int_equal(mem.put_record(ud, &r), 0);
    triage_event_t ev;
    memset(&ev, 0, sizeof ev);
    triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, &ev, 2, data, sizeof data};
    assert_int_equal(mem.append_event2(ud, &se), TRIAGE_ECONFLICT); /* seq 1 comes first */
    se.seq = 1;
    assert_int_equal(mem.append_event2(ud, &se), 0);
    assert_int_equal(mem.rollback(ud), 0);
    int64_t last = -1;
    assert_int_equal(mem.last_seq(ud, &last), 0);
    assert_int_equal(last, 0); /* rolled back */
    assert_int_equal(mem.get_record(ud, TRIAGE_RECORD_WORKER, &r.id, NULL, NULL),
                     TRIAGE_ENOTFOUND);
    assert_int_not_equal(mem.commit(ud), 0);
    assert_int_not_equal(mem.read_end(ud), 0);
    mem.destroy(ud);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_engines_see_each_other),
        cmocka_unit_test(test_race_retried),
        cmocka_unit_test(test_retries_exhausted),
        cmocka_unit_test(test_contended_engine_locks_first),
        cmocka_unit_test(test_last_attempt_holds_the_lock),
        cmocka_unit_test(test_assignment_races_absence),
        cmocka_unit_test(test_policies_shared),
        cmocka_unit_test(test_option_policy_published),
        cmocka_unit_test(test_working_set),
        cmocka_unit_test(test_open_attaches_rows_to_their_cases),
        cmocka_unit_test(test_refresh_failure),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_intake_numbered_by_store),
        cmocka_unit_test(test_version3_store_without_numbering),
        cmocka_unit_test(test_intake_without_retries),
        cmocka_unit_test(test_memory_store_contract),
    };
    return cmocka_run_group_tests_name("shared", tests, NULL, NULL);
}
