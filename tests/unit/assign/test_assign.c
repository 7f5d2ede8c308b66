/*
 * Workload-balancing assignment (docs/domain.md §7): the load model (§7.1), every
 * hard constraint (§7.2) on small teams, the preference order (§7.3), batch
 * distribution against brute force and the one-by-one baseline (§7.4),
 * absences and reassignment (§7.5), the duty roster (§7.6), balance figures
 * (§7.7), linear and capacitated (transport) assignment, bad input and
 * allocation failure.
 */
#include <math.h>
#include <stdio.h>

#include "assign/assign_internal.h" /* the load aggregates, to compare with a fresh scan */
#include "storeutil.h"

#define DAY_MS INT64_C(86400000)
#define HOUR_MS INT64_C(3600000)
/* 2026-11-23 (Monday) 10:00 Finnish time. */
#define DAY0 20780
static const int64_t T0 = INT64_C(20780) * DAY_MS + 8 * HOUR_MS;

typedef struct {
    triage_engine_t *e;
    failing_alloc fa;
} fixture;

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.allocator = fa_allocator(&f->fa);
    if (triage_engine_new(&f->e, &o))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    triage_engine_free(f->e);
    assert_int_equal(f->fa.live, 0);
    free(f);
    return 0;
}

static triage_id_t worker(triage_engine_t *e, triage_role_t role, double fte, uint32_t langs,
                          int32_t office, int32_t served)
{
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = role;
    w.fte = fte;
    w.languages = langs;
    w.office = office;
    if (served) {
        w.served = &served;
        w.served_count = 1;
    }
    triage_id_t id;
    assert_ok(triage_worker_create(&id, e, &w));
    return id;
}

static triage_id_t sw(triage_engine_t *e) { return worker(e, TRIAGE_ROLE_SOCIAL_WORKER, 1, 1, 297, 0); }
static triage_id_t sc(triage_engine_t *e) { return worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, 1, 297, 0); }

static triage_scores_t scores_q(int q)
{
    triage_scores_t s;
    memset(&s, 0, sizeof s);
    if (q == 2 || q == 4)
        s.need[TRIAGE_NEED_HOUSING] = 3;
    if (q == 4) /* a cause (SHL 3 §): special support */
        s.capacity[TRIAGE_CAPACITY_PSYCHIATRIC] = 2;
    if (q == 3) { /* weak capacity from barriers only: no special support */
        s.capacity[TRIAGE_CAPACITY_NO_NETWORK] = 2;
        s.capacity[TRIAGE_CAPACITY_DIGITAL] = 2;
    }
    return s;
}

typedef struct {
    int q;                     /* 0 unclassified */
    triage_language_t lang;
    int32_t municipality;
    triage_intake_kind_t kind;
    triage_service_area_t service;
    uint32_t triggers;
    int32_t children;          /* children the matter concerns (LSL 13 b §) */
} case_spec;
#define SPEC(q) ((case_spec){(q), TRIAGE_LANG_FI, 297, TRIAGE_INTAKE_CONTACT, TRIAGE_SERVICE_WORKING_AGE, 0, 0})

/* A case in DISTRIBUTION (classified unless q = 0). */
static triage_id_t make_case(triage_engine_t *e, case_spec s)
{
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_date_from_ymd(&c.date_of_birth, 1980, 5, 17);
    c.language = s.lang;
    c.municipality = s.municipality;
    triage_id_t cl;
    assert_ok(triage_client_create(&cl, e, &c));
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = cl;
    in.kind = s.kind;
    in.service = s.service;
    in.triggers = s.triggers;
    in.children = s.children;
    in.received_ms = T0;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, e, &in));
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.at_ms = T0;
    if (r.urgency.tier != TRIAGE_URGENCY_IMMEDIATE)
        assert_ok(triage_case_move(e, &r.case_id, &m));
    m.to = TRIAGE_STAGE_DISTRIBUTION;
    assert_ok(triage_case_move(e, &r.case_id, &m));
    if (s.q) {
        triage_scores_t sc_ = scores_q(s.q);
        assert_ok(triage_case_classify(NULL, NULL, e, &r.case_id, NULL, T0, &sc_));
    }
    return r.case_id;
}

/* Gives a worker `n` open Q2 cases as responsible worker (weight 1 each). */
static void load_worker(triage_engine_t *e, const triage_id_t *w, int n, case_spec s)
{
    for (int i = 0; i < n; i++) {
        triage_id_t c = make_case(e, s);
        assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, w));
    }
}

static size_t event_count(triage_engine_t *e)
{
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    triage_free(evs);
    return n;
}

static const triage_assign_candidate_t *cand_of(const triage_assignment_t *a, const triage_id_t *w)
{
    for (size_t i = 0; i < a->ncandidates; i++)
        if (!triage_id_compare(&a->candidates[i].worker, w))
            return &a->candidates[i];
    fail_msg("worker missing from the explanation");
    return NULL;
}

static triage_assignment_t propose(triage_engine_t *e, const triage_id_t *c)
{
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    assert_ok(triage_assign_propose(&a, e, c, &req));
    return a;
}

/* ---- policy and load model (§7.1) -------------------------------------------- */

static void test_policy(void **state)
{
    (void)state;
    triage_assign_policy_t *p;
    assert_ok(triage_assign_policy_new(&p, NULL));
    /* documented defaults, one row each (docs/domain.md §7.1, §7.2 LSL 13 b §, §7.4) */
    static const struct { triage_assign_param_t k; double v; } rows[] = {
        {TRIAGE_ASSIGN_WEIGHT_Q1, 0.5}, {TRIAGE_ASSIGN_WEIGHT_Q2, 1.0},
        {TRIAGE_ASSIGN_WEIGHT_Q3, 1.5}, {TRIAGE_ASSIGN_WEIGHT_Q4, 2.0},
        {TRIAGE_ASSIGN_WEIGHT_UNCLASSIFIED, 1.0}, {TRIAGE_ASSIGN_LATER_FACTOR, 0.7},
        {TRIAGE_ASSIGN_URGENT_BONUS, 0.5}, {TRIAGE_ASSIGN_PAIR_FACTOR, 0.3},
        {TRIAGE_ASSIGN_SOFT_CAP, 35}, {TRIAGE_ASSIGN_HARD_CAP, 50},
        {TRIAGE_ASSIGN_CHILD_WELFARE_CAP, 30}, {TRIAGE_ASSIGN_FLOOD_MARGIN, 3},
        {TRIAGE_ASSIGN_LANGUAGE_HARD, 1}, {TRIAGE_ASSIGN_EXACT_LIMIT, 10},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double v;
        assert_ok(triage_assign_policy_get(&v, p, rows[i].k));
        assert_true(v == rows[i].v);
    }
    const char *id;
    uint32_t ver;
    assert_ok(triage_assign_policy_id(&id, &ver, p));
    assert_string_equal(id, "fi-default");
    assert_int_equal(ver, 1);
    /* bad values leave the policy unchanged */
    assert_status(triage_assign_policy_set(p, TRIAGE_ASSIGN_SOFT_CAP, 60), TRIAGE_EINVAL);
    assert_error_arg("value");
    assert_status(triage_assign_policy_set(p, TRIAGE_ASSIGN_PAIR_FACTOR, 1.5), TRIAGE_EINVAL);
    assert_status(triage_assign_policy_set(p, TRIAGE_ASSIGN_FLOOD_MARGIN, 2.5), TRIAGE_EINVAL);
    assert_status(triage_assign_policy_set(p, TRIAGE_ASSIGN_WEIGHT_Q1, NAN), TRIAGE_EINVAL);
    assert_status(triage_assign_policy_set(p, (triage_assign_param_t)99, 1), TRIAGE_EINVAL);
    assert_error_arg("param");
    double v;
    assert_ok(triage_assign_policy_get(&v, p, TRIAGE_ASSIGN_SOFT_CAP));
    assert_true(v == 35);
    assert_status(triage_assign_policy_set_id(p, "", 1), TRIAGE_EINVAL);
    assert_status(triage_assign_policy_set_id(p, "x", 0), TRIAGE_EINVAL);
    assert_ok(triage_assign_policy_set_id(p, "team-a", 7));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_HARD_CAP, 40));
    triage_assign_policy_t *q;
    assert_ok(triage_assign_policy_copy(&q, p));
    assert_ok(triage_assign_policy_get(&v, q, TRIAGE_ASSIGN_HARD_CAP));
    assert_true(v == 40);
    triage_assign_policy_free(p);
    triage_assign_policy_free(q);
    triage_assign_policy_free(NULL);
}

static void test_load_model(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t a = worker(e, TRIAGE_ROLE_SOCIAL_WORKER, 0.5, 1, 297, 0);
    triage_id_t b = sw(e);
    /* docs/domain.md §7.1: Q1 0.5, Q2 1, Q3 1.5, Q4 2 (ASSESSMENT-era), unclassified as Q2 */
    static const struct { int q; double w; } rows[] = {{1, 0.5}, {2, 1.0}, {3, 1.5}, {4, 2.0}, {0, 1.0}};
    double sum = 0;
    for (size_t i = 0; i < 5; i++) {
        triage_id_t c = make_case(e, SPEC(rows[i].q));
        double w;
        assert_ok(triage_assign_case_weight(&w, e, &c));
        assert_true(fabs(w - rows[i].w) < 1e-12);
        assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_ASSESSMENT, &a));
        sum += w;
    }
    /* +0.5 while URGENT */
    case_spec u = SPEC(2);
    u.triggers = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE);
    triage_id_t cu = make_case(e, u);
    double w;
    assert_ok(triage_assign_case_weight(&w, e, &cu));
    assert_true(fabs(w - 1.5) < 1e-12);
    /* a pair carries 0.3 of the weight; assessment + responsible count once */
    assert_ok(triage_case_set_worker(e, &cu, NULL, T0, TRIAGE_SLOT_ASSESSMENT, &a));
    assert_ok(triage_case_set_worker(e, &cu, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &a));
    assert_ok(triage_case_set_worker(e, &cu, NULL, T0, TRIAGE_SLOT_PAIR, &b));
    sum += 1.5;
    triage_worker_load_t l;
    l.version = TRIAGE_WORKER_LOAD_VERSION;
    assert_ok(triage_worker_load(&l, e, &a));
    assert_true(fabs(l.weighted - sum) < 1e-12);
    assert_true(fabs(l.normalized - sum / 0.5) < 1e-12); /* / FTE */
    assert_int_equal(l.cases, 6);
    assert_ok(triage_worker_load(&l, e, &b));
    assert_true(fabs(l.weighted - 0.45) < 1e-12);
    /* x0.7 in PLANNING/CASEWORK: weight of a Q2 case in casework = 0.7 */
    triage_id_t cc = make_case(e, SPEC(2));
    assert_ok(triage_case_set_worker(e, &cc, NULL, T0, TRIAGE_SLOT_ASSESSMENT, &b));
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.at_ms = T0;
    m.to = TRIAGE_STAGE_ASSESSMENT;
    assert_ok(triage_case_move(e, &cc, &m));
    triage_assessment_record_t rec = TRIAGE_ASSESSMENT_RECORD_INIT;
    rec.summary = rec.conclusion = rec.client_view = 1;
    rec.nature = TRIAGE_NEED_NATURE_TEMPORARY;
    assert_ok(triage_case_record_assessment(e, &cc, NULL, T0, &rec));
    assert_ok(triage_case_set_worker(e, &cc, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &b));
    m.to = TRIAGE_STAGE_PLANNING;
    assert_ok(triage_case_move(e, &cc, &m));
    assert_ok(triage_assign_case_weight(&w, e, &cc));
    assert_true(fabs(w - 0.7) < 1e-12);
    /* closed cases weigh nothing */
    m.to = TRIAGE_STAGE_CLOSED;
    m.reason = TRIAGE_CLOSE_GOALS_MET;
    assert_ok(triage_case_move(e, &cc, &m));
    assert_ok(triage_assign_case_weight(&w, e, &cc));
    assert_true(w == 0);
    /* a different policy changes the weights */
    triage_assign_policy_t *p;
    assert_ok(triage_assign_policy_new(&p, NULL));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_WEIGHT_UNCLASSIFIED, 0.25));
    assert_ok(triage_engine_set_assign_policy(e, p));
    triage_assign_policy_free(p);
    triage_id_t cn = make_case(e, SPEC(0));
    assert_ok(triage_assign_case_weight(&w, e, &cn));
    assert_true(w == 0.25);
    /* bad input */
    triage_id_t nobody;
    triage_id_generate(&nobody);
    assert_status(triage_worker_load(&l, e, &nobody), TRIAGE_ENOTFOUND);
    assert_status(triage_assign_case_weight(&w, e, &nobody), TRIAGE_ENOTFOUND);
    assert_status(triage_worker_load(NULL, e, &a), TRIAGE_EINVAL);
}

/* ---- hard constraints (§7.2) ------------------------------------------------- */

static void test_constraint_role(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t s1 = sw(e), c1 = sc(e);
    triage_id_t g1 = worker(e, TRIAGE_ROLE_SERVICE_GUIDE, 1, 1, 297, 0);
    /* docs/domain.md §7.2 role rule / SHL 36 § 5, 42 §: one row per quadrant:
     * which of social worker, counsellor, guide stay eligible */
    static const struct { int q; int sw_ok, sc_ok, sg_ok; } rows[] = {
        {1, 1, 1, 0}, /* Q1 at distribution: assessment needs counsellor+ (law) */
        {2, 1, 1, 0},
        {3, 1, 1, 0},
        {4, 1, 0, 0}, /* special support: social worker only (default policy) */
        {0, 1, 1, 0}, /* unclassified */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        triage_id_t c = make_case(e, SPEC(rows[i].q));
        triage_assignment_t a = propose(e, &c);
        assert_int_equal(cand_of(&a, &s1)->excluded == 0, rows[i].sw_ok);
        assert_int_equal(cand_of(&a, &c1)->excluded == 0, rows[i].sc_ok);
        assert_int_equal(cand_of(&a, &g1)->excluded == 0, rows[i].sg_ok);
        if (!rows[i].sc_ok)
            assert_int_equal(cand_of(&a, &c1)->excluded, TRIAGE_EXCLUDED_ROLE);
        assert_int_equal(cand_of(&a, &g1)->excluded, TRIAGE_EXCLUDED_ROLE);
        triage_assignment_clear(&a);
    }
    /* pair slot of a Q1 case: guidance support by a service guide */
    triage_id_t c = make_case(e, SPEC(1));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    req.slot = TRIAGE_SLOT_PAIR;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    assert_ok(triage_assign_propose(&a, e, &c, &req));
    assert_true(!triage_id_compare(&a.worker, &g1));
    assert_int_equal(cand_of(&a, &s1)->excluded, TRIAGE_EXCLUDED_ROLE);
    triage_assignment_clear(&a);
    /* SOCIAL_WORKER_OR_PAIR: a counsellor may be responsible with a social-worker pair */
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    triage_classify_policy_t *cp;
    assert_ok(triage_classify_policy_new(&cp, NULL));
    assert_ok(triage_classify_policy_set_special_support_responsible(cp, TRIAGE_SS_SOCIAL_WORKER_OR_PAIR));
    o.classify = cp;
    triage_engine_t *e2;
    assert_ok(triage_engine_new(&e2, &o));
    triage_classify_policy_free(cp);
    triage_id_t s2 = sw(e2);
    triage_id_t c2 = worker(e2, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, 1, 297, 0);
    load_worker(e2, &s2, 5, SPEC(2)); /* the counsellor is less loaded */
    triage_id_t k = make_case(e2, SPEC(4));
    req.slot = TRIAGE_SLOT_RESPONSIBLE;
    assert_ok(triage_assign_case(&a, e2, &k, &req));
    assert_true(!triage_id_compare(&a.worker, &c2));
    assert_true(!triage_id_compare(&a.pair, &s2));
    assert_true(a.flags & TRIAGE_ASSIGN_PAIR_PROPOSED);
    triage_case_t cs;
    cs.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&cs, e2, &k));
    assert_true(!triage_id_compare(&cs.responsible, &c2));
    assert_true(!triage_id_compare(&cs.pair, &s2));
    triage_assignment_clear(&a);
    /* ... but not when no social worker can be the pair */
    triage_id_t abs;
    assert_ok(triage_absence_add(&abs, e2, &s2, DAY0, DAY0 + 10, NULL));
    k = make_case(e2, SPEC(4));
    assert_ok(triage_assign_propose(&a, e2, &k, &req));
    assert_int_equal(cand_of(&a, &c2)->excluded, TRIAGE_EXCLUDED_NO_PAIR);
    assert_true(a.flags & TRIAGE_ASSIGN_NO_CANDIDATE);
    assert_true(triage_id_is_nil(&a.worker));
    triage_assignment_clear(&a);
    triage_engine_free(e2);
}

static void test_constraint_presence_language_caps(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t fi1 = sc(e);
    triage_id_t sv1 = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, TRIAGE_LANG_BIT_FI | TRIAGE_LANG_BIT_SV, 297, 0);
    triage_id_t away = sc(e);
    triage_id_t gone = sc(e);
    triage_worker_t gw;
    gw.version = TRIAGE_WORKER_VERSION;
    assert_ok(triage_worker_get(&gw, e, &gone));
    gw.active = 0;
    assert_ok(triage_worker_update(e, &gw));
    triage_id_t ab;
    assert_ok(triage_absence_add(&ab, e, &away, DAY0, DAY0, NULL));
    load_worker(e, &fi1, 2, SPEC(2));
    load_worker(e, &sv1, 4, SPEC(2));

    /* presence (§7.2): absent on the date; inactive workers never */
    triage_id_t c = make_case(e, SPEC(2));
    triage_assignment_t a = propose(e, &c);
    assert_int_equal(cand_of(&a, &away)->excluded, TRIAGE_EXCLUDED_ABSENT);
    assert_int_equal(cand_of(&a, &gone)->excluded, TRIAGE_EXCLUDED_INACTIVE);
    assert_int_equal(cand_of(&a, &fi1)->excluded, 0);
    assert_true(!triage_id_compare(&a.worker, &fi1)); /* least loaded */
    assert_true(!triage_id_compare(&a.runner_up, &sv1));
    assert_int_equal(cand_of(&a, &fi1)->rank, 1);
    assert_int_equal(cand_of(&a, &sv1)->rank, 2);
    assert_int_equal(a.ncandidates, 4);
    triage_assignment_clear(&a);

    /* URGENT: present until the response deadline (the next business day) */
    triage_id_t ab2;
    assert_ok(triage_absence_add(&ab2, e, &fi1, DAY0 + 1, DAY0 + 1, NULL));
    case_spec u = SPEC(2);
    u.triggers = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE);
    c = make_case(e, u);
    a = propose(e, &c);
    assert_int_equal(cand_of(&a, &fi1)->excluded, TRIAGE_EXCLUDED_ABSENT);
    assert_true(!triage_id_compare(&a.worker, &sv1));
    triage_assignment_clear(&a);
    c = make_case(e, SPEC(2)); /* a NORMAL case only needs today */
    a = propose(e, &c);
    assert_int_equal(cand_of(&a, &fi1)->excluded, 0);
    triage_assignment_clear(&a);
    assert_ok(triage_absence_remove(e, &ab2, NULL));

    /* language (§7.2, default hard): a Swedish-speaking client */
    case_spec s = SPEC(2);
    s.lang = TRIAGE_LANG_SV;
    c = make_case(e, s);
    a = propose(e, &c);
    assert_int_equal(cand_of(&a, &fi1)->excluded, TRIAGE_EXCLUDED_LANGUAGE);
    assert_true(!triage_id_compare(&a.worker, &sv1));
    assert_false(a.flags & TRIAGE_ASSIGN_INTERPRETER);
    triage_assignment_clear(&a);
    /* nobody present speaks it: interpreting, everyone stays */
    triage_id_t ab3;
    assert_ok(triage_absence_add(&ab3, e, &sv1, DAY0, DAY0, NULL));
    a = propose(e, &c);
    assert_true(a.flags & TRIAGE_ASSIGN_INTERPRETER);
    assert_int_equal(cand_of(&a, &fi1)->excluded, 0);
    triage_assignment_clear(&a);
    assert_ok(triage_absence_remove(e, &ab3, NULL));
    /* other languages always need an interpreter */
    s.lang = TRIAGE_LANG_OTHER;
    c = make_case(e, s);
    a = propose(e, &c);
    assert_true(a.flags & TRIAGE_ASSIGN_INTERPRETER);
    triage_assignment_clear(&a);

    /* hard cap: a tight policy puts sv1 (load 4) over it, fi1 (2) not */
    triage_assign_policy_t *p;
    assert_ok(triage_assign_policy_new(&p, NULL));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_SOFT_CAP, 3));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_HARD_CAP, 4.5));
    assert_ok(triage_engine_set_assign_policy(e, p));
    c = make_case(e, SPEC(2));
    a = propose(e, &c);
    assert_int_equal(cand_of(&a, &sv1)->excluded, TRIAGE_EXCLUDED_HARD_CAP);
    assert_true(!triage_id_compare(&a.worker, &fi1));
    triage_assignment_clear(&a);
    /* everyone over: least loaded, flagged */
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_SOFT_CAP, 1));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_HARD_CAP, 1));
    assert_ok(triage_engine_set_assign_policy(e, p));
    a = propose(e, &c);
    assert_true(a.flags & TRIAGE_ASSIGN_OVER_CAPACITY);
    assert_true(!triage_id_compare(&a.worker, &fi1));
    assert_int_equal(cand_of(&a, &sv1)->excluded, 0);
    triage_assignment_clear(&a);
    triage_assign_policy_free(p);
}

static void test_constraint_child_welfare_cap(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t full = sw(e), other = sw(e);
    /* LSL 13 b §: at most 30 child-welfare clients per responsible worker.
     * `full` holds 30 light (Q1) family cases, `other` 20 heavier adult cases. */
    case_spec fam = SPEC(1);
    fam.service = TRIAGE_SERVICE_FAMILY;
    load_worker(e, &full, 30, fam);
    load_worker(e, &other, 20, SPEC(2));
    triage_worker_load_t l;
    l.version = TRIAGE_WORKER_LOAD_VERSION;
    assert_ok(triage_worker_load(&l, e, &full));
    assert_int_equal(l.child_welfare, 30);
    case_spec cw = SPEC(2);
    cw.kind = TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
    cw.service = TRIAGE_SERVICE_FAMILY;
    triage_id_t c = make_case(e, cw);
    triage_assignment_t a = propose(e, &c);
    assert_int_equal(cand_of(&a, &full)->excluded, TRIAGE_EXCLUDED_CHILD_WELFARE_CAP);
    assert_true(!triage_id_compare(&a.worker, &other));
    triage_assignment_clear(&a);
    /* adult cases are not counted: `full` is the less loaded one for them */
    c = make_case(e, SPEC(2));
    a = propose(e, &c);
    assert_true(!triage_id_compare(&a.worker, &full));
    triage_assignment_clear(&a);
}

/* ---- issue 13 defect 3: language is a preference among the workers who
 * pass every other hard constraint; LSL 13 b § counts children ---------------- */

/* Gives the engine a default policy with these caps (clients per FTE). */
static void set_caps(triage_engine_t *e, double soft, double hard)
{
    triage_assign_policy_t *p;
    assert_ok(triage_assign_policy_new(&p, NULL));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_SOFT_CAP, soft));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_HARD_CAP, hard));
    assert_ok(triage_engine_set_assign_policy(e, p));
    triage_assign_policy_free(p);
}

static case_spec cw_spec(triage_language_t lang, int32_t children)
{
    case_spec s = SPEC(2);
    s.lang = lang;
    s.kind = TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
    s.service = TRIAGE_SERVICE_FAMILY;
    s.children = children;
    return s;
}

static void test_language_after_child_welfare_cap(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    /* the only Swedish speaker holds one family with 30 children: at the cap */
    triage_id_t svw = worker(e, TRIAGE_ROLE_SOCIAL_WORKER, 1, TRIAGE_LANG_BIT_FI | TRIAGE_LANG_BIT_SV, 297, 0);
    triage_id_t fiw = sw(e);
    load_worker(e, &svw, 1, cw_spec(TRIAGE_LANG_FI, 30));
    triage_worker_load_t l;
    l.version = TRIAGE_WORKER_LOAD_VERSION;
    assert_ok(triage_worker_load(&l, e, &svw));
    assert_int_equal(l.child_welfare, 30); /* children, not the one case */
    assert_int_equal(l.clients, 1);
    triage_id_t c = make_case(e, cw_spec(TRIAGE_LANG_SV, 1));
    triage_assignment_t a = propose(e, &c);
    /* before: language excluded fiw, the cap excluded svw: no worker at all */
    assert_false(a.flags & TRIAGE_ASSIGN_NO_CANDIDATE);
    assert_true(!triage_id_compare(&a.worker, &fiw));
    assert_true(a.flags & TRIAGE_ASSIGN_INTERPRETER);
    assert_int_equal(cand_of(&a, &svw)->excluded, TRIAGE_EXCLUDED_CHILD_WELFARE_CAP);
    assert_int_equal(cand_of(&a, &fiw)->excluded, TRIAGE_EXCLUDED_NONE);
    triage_assignment_clear(&a);
    /* the same in a batch: the Swedish case goes to fiw, flagged */
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t *res;
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    assert_ok(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, &c, 1, &req, 0));
    assert_true(!triage_id_compare(&res[0].worker, &fiw));
    assert_true(res[0].flags & TRIAGE_ASSIGN_INTERPRETER);
    triage_assignments_free(res, 1);
}

static void test_child_welfare_cap_counts_children(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t a1 = sw(e), a2 = sw(e);
    load_worker(e, &a1, 1, cw_spec(TRIAGE_LANG_FI, 29)); /* one case, 29 children */
    load_worker(e, &a2, 5, SPEC(4));                     /* heavier, adults only */
    /* a family of two does not fit under 30 beside 29 */
    triage_id_t c = make_case(e, cw_spec(TRIAGE_LANG_FI, 2));
    triage_assignment_t a = propose(e, &c);
    assert_int_equal(cand_of(&a, &a1)->excluded, TRIAGE_EXCLUDED_CHILD_WELFARE_CAP);
    assert_true(!triage_id_compare(&a.worker, &a2));
    triage_assignment_clear(&a);
    /* one child does (29 + 1 = 30) */
    triage_id_t c1 = make_case(e, cw_spec(TRIAGE_LANG_FI, 1));
    a = propose(e, &c1);
    assert_int_equal(cand_of(&a, &a1)->excluded, TRIAGE_EXCLUDED_NONE);
    triage_assignment_clear(&a);
    /* a batch never takes a worker over the cap in children, even where
     * the solver (which counts cases) would: a2 fills up first */
    triage_id_t ids[3];
    ids[0] = c;
    ids[1] = c1;
    ids[2] = make_case(e, cw_spec(TRIAGE_LANG_FI, 2));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t *res;
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    assert_ok(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, ids, 3, &req, 1));
    triage_assignments_free(res, 3);
    triage_worker_load_t l;
    l.version = TRIAGE_WORKER_LOAD_VERSION;
    assert_ok(triage_worker_load(&l, e, &a1));
    assert_true(l.child_welfare <= 30);
    assert_ok(triage_worker_load(&l, e, &a2));
    assert_true(l.child_welfare <= 30);
}

/* ---- issue 13 defect 8: over capacity, the explanation still tells the
 * truth about continuity and locality ------------------------------------------ */

static void test_over_capacity_explanation(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t own = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, TRIAGE_LANG_BIT_FI, 297, 297);
    triage_id_t light = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, TRIAGE_LANG_BIT_FI, 49, 0);
    load_worker(e, &own, 3, SPEC(2));
    load_worker(e, &light, 2, SPEC(2));
    /* the client already has `own` as responsible worker (an earlier case) */
    triage_id_t first = make_case(e, SPEC(2));
    assert_ok(triage_case_set_worker(e, &first, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &own));
    /* everyone at the hard cap (1 client per FTE) */
    set_caps(e, 1, 1);
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    assert_ok(triage_assign_propose(&a, e, &first, &req));
    assert_true(a.flags & TRIAGE_ASSIGN_OVER_CAPACITY);
    /* the least loaded takes it ... */
    assert_true(!triage_id_compare(&a.worker, &light));
    /* ... and the explanation still says `own` is the client's worker and
     * serves the municipality (before: both shown as 0 for everyone) */
    assert_int_equal(cand_of(&a, &own)->continuity, 1);
    assert_int_equal(cand_of(&a, &own)->serves, 1);
    assert_int_equal(cand_of(&a, &light)->continuity, 0);
    assert_int_equal(cand_of(&a, &light)->serves, 0);
    triage_assignment_clear(&a);
}

/* ---- issue 12 defect 5: the caps count clients per FTE, not weight ----------- */

static void test_caps_count_clients(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t w = sw(e), other = sw(e);
    case_spec heavy = SPEC(4); /* weight 2 each */
    load_worker(e, &w, 46, heavy);
    load_worker(e, &other, 49, SPEC(1));
    triage_worker_load_t l;
    l.version = TRIAGE_WORKER_LOAD_VERSION;
    assert_ok(triage_worker_load(&l, e, &w));
    assert_int_equal(l.clients, 46);
    assert_true(l.normalized > 50);  /* weighted load 92 ... */
    assert_int_equal(l.over_hard, 0); /* ... but 46 clients: under the hard cap 50 */
    assert_int_equal(l.over_soft, 1); /* above the soft cap 35 */
    /* an older caller's version 1 gets the bytes it knows */
    struct { triage_worker_load_t l; char guard[16]; } old;
    memset(&old, 0x5a, sizeof old);
    old.l.version = 1;
    assert_ok(triage_worker_load(&old.l, e, &w));
    assert_int_equal(old.l.child_welfare, 0);
    assert_int_equal((unsigned char)old.guard[0], 0x5a);
    /* neither is excluded by the hard cap: `other` has 49 clients, 50 after
     * one more, still within it */
    triage_id_t c = make_case(e, SPEC(2));
    triage_assignment_t a = propose(e, &c);
    assert_int_equal(cand_of(&a, &w)->excluded, TRIAGE_EXCLUDED_NONE);
    assert_int_equal(cand_of(&a, &other)->excluded, TRIAGE_EXCLUDED_NONE);
    assert_true(a.flags & TRIAGE_ASSIGN_OVER_SOFT_CAP);
    triage_assignment_clear(&a);
    /* one more client for `other` (50): now at the hard cap, excluded */
    load_worker(e, &other, 1, SPEC(1));
    a = propose(e, &c);
    assert_int_equal(cand_of(&a, &other)->excluded, TRIAGE_EXCLUDED_HARD_CAP);
    assert_true(!triage_id_compare(&a.worker, &w));
    triage_assignment_clear(&a);
}

/* Issue 12 defect 5: every assignment over a cap is recorded in its
 * event, so that reports can count it; LSL 13 b § is never exceeded. */
static void test_over_cap_assignments_are_recorded(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t w = sw(e);
    set_caps(e, 1, 2);
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    int32_t bits[3];
    for (int i = 0; i < 3; i++) {
        triage_id_t c = make_case(e, SPEC(2));
        triage_assignment_t a;
        a.version = TRIAGE_ASSIGNMENT_VERSION;
        assert_ok(triage_assign_case(&a, e, &c, &req));
        triage_assignment_clear(&a);
        triage_event_t *evs;
        size_t n;
        assert_ok(test_event_list(&evs, &n, e, &c, INT64_MIN, INT64_MAX));
        bits[i] = -1;
        for (size_t k = 0; k < n; k++)
            if (evs[k].kind == TRIAGE_EVENT_WORKER_ASSIGNED &&
                TRIAGE_EVENT_SLOT(evs[k].reason) == TRIAGE_SLOT_RESPONSIBLE)
                bits[i] = evs[k].reason & ~0xff;
        triage_free(evs);
    }
    assert_int_equal(bits[0], 0);                          /* 1 client: at the soft cap */
    assert_int_equal(bits[1], TRIAGE_EVENT_OVER_SOFT_CAP); /* 2: above it */
    assert_int_equal(bits[2], TRIAGE_EVENT_OVER_SOFT_CAP | TRIAGE_EVENT_OVER_HARD_CAP);
    /* a hand-made proposal that would pass LSL 13 b § is refused */
    triage_id_t big = make_case(e, cw_spec(TRIAGE_LANG_FI, 31));
    triage_assignment_t a;
    memset(&a, 0, sizeof a);
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    a.case_id = big;
    a.slot = TRIAGE_SLOT_ASSESSMENT;
    a.worker = w;
    a.present_until = TRIAGE_DATE_NONE;
    size_t ev = event_count(e);
    assert_status(triage_assign_apply(e, &a, 1, NULL, T0), TRIAGE_ESTATE);
    assert_error_arg("lsl13b_child_welfare_cap");
    assert_int_equal(event_count(e), ev);
}

/* Found by the torture test: applying proposals that take a client off a
 * worker and then give the worker another (a distribution that reassigns)
 * counted the worker's old client still, so the new assignment said "over
 * the hard cap" with the worker at it, and LSL 13 b § refused children that
 * fitted. The caps count what the worker holds after each step. */
static void test_caps_count_clients_given_away_in_one_apply(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t a = sw(e), b = sw(e);
    set_caps(e, 2, 2);
    /* a holds two clients: one with a child-welfare case of 20 children */
    load_worker(e, &a, 1, SPEC(2));
    triage_id_t moved = make_case(e, cw_spec(TRIAGE_LANG_FI, 20));
    assert_ok(triage_case_set_worker(e, &moved, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &a));
    triage_id_t fresh = make_case(e, cw_spec(TRIAGE_LANG_FI, 15));
    /* one apply: `moved` goes to b, then `fresh` to a */
    triage_assignment_t p[2];
    memset(p, 0, sizeof p);
    p[0].version = p[1].version = TRIAGE_ASSIGNMENT_VERSION;
    p[0].case_id = moved;
    p[0].slot = TRIAGE_SLOT_RESPONSIBLE;
    p[0].worker = b;
    p[0].previous = a;
    p[1].case_id = fresh;
    p[1].slot = TRIAGE_SLOT_RESPONSIBLE;
    p[1].worker = a;
    p[0].present_until = p[1].present_until = TRIAGE_DATE_NONE;
    assert_ok(triage_assign_apply(e, p, 2, NULL, T0)); /* 15 + 0 children: within 30 */
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, e, &fresh, INT64_MIN, INT64_MAX));
    int32_t bits = -1;
    for (size_t k = 0; k < n; k++)
        if (evs[k].kind == TRIAGE_EVENT_WORKER_ASSIGNED &&
            TRIAGE_EVENT_SLOT(evs[k].reason) == TRIAGE_SLOT_RESPONSIBLE)
            bits = evs[k].reason & ~0xff;
    triage_free(evs);
    assert_int_equal(bits, 0); /* a holds two clients again: at the caps, not above */
    triage_worker_load_t l;
    l.version = TRIAGE_WORKER_LOAD_VERSION;
    assert_ok(triage_worker_load(&l, e, &a));
    assert_int_equal(l.clients, 2);
    assert_int_equal(l.child_welfare, 15);
}

/* ---- distribute on the batch solver: versioned stats, per-worker excess,
 * the rule and the hard cap named in the proposals ------------------------------ */

static void test_distribute_names_broken_limits(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    /* the only Swedish speaker must take all 8 Swedish cases; the four
     * others share 4 Finnish ones, so the median stays low and the rule
     * (median + 3) cannot hold for her */
    triage_id_t svw = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, TRIAGE_LANG_BIT_FI | TRIAGE_LANG_BIT_SV, 297, 0);
    for (int i = 0; i < 4; i++)
        sc(e);
    enum { N = 12 };
    triage_id_t ids[N];
    case_spec s = SPEC(2);
    s.lang = TRIAGE_LANG_SV;
    for (int i = 0; i < N; i++)
        ids[i] = make_case(e, i < 8 ? s : SPEC(2));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t *res;
    int32_t rex[5], cex[5];
    for (int j = 0; j < 5; j++)
        rex[j] = cex[j] = -1;
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    st.nworker_excess = 5;
    st.worker_rule_excess = rex;
    st.worker_cap_excess = cex;
    assert_ok(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, ids, N, &req, 0));
    assert_int_equal(st.rule_breaks, 1);
    assert_true(st.rule_excess >= 1);
    assert_int_equal(st.nworker_excess, 5); /* the caller's own members stay */
    assert_ptr_equal(st.worker_rule_excess, rex);
    int total = 0;
    for (int j = 0; j < 5; j++) {
        assert_true(rex[j] >= 0 && cex[j] == 0);
        total += rex[j];
    }
    assert_int_equal(total, st.rule_excess);
    for (int i = 0; i < N; i++) {
        int hers = !triage_id_compare(&res[i].worker, &svw);
        if (i < 8)
            assert_true(hers);
        assert_int_equal((res[i].flags & TRIAGE_ASSIGN_RULE_BROKEN) != 0, hers);
        assert_int_equal(res[i].rule_excess, hers ? st.rule_excess : 0);
        assert_int_equal(res[i].cap_excess, 0);
    }
    triage_assignments_free(res, N);
    /* the hard cap (clients): 2 per FTE; she takes 8: 6 over, flagged */
    set_caps(e, 1, 2);
    assert_ok(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, ids, N, &req, 0));
    assert_int_equal(st.cap_excess, 6);
    assert_int_equal(st.over_capacity, 6);
    int over = 0;
    for (int i = 0; i < N; i++) {
        over += (res[i].flags & TRIAGE_ASSIGN_OVER_CAPACITY) != 0;
        if (i < 8)
            assert_int_equal(res[i].cap_excess, 6);
    }
    assert_int_equal(over, 6);
    triage_assignments_free(res, N);
    /* an older caller's layout: version 1 elements, packed */
    assert_ok(triage_assign_distribute(&res, &st, 1, e, ids, N, &req, 0));
    const char *raw = (const char *)res;
    size_t v1 = offsetof(triage_assignment_t, candidates) + sizeof(void *);
    for (int i = 0; i < N; i++) {
        const triage_assignment_t *k = (const triage_assignment_t *)(const void *)(raw + (size_t)i * v1);
        assert_int_equal(k->version, 1);
        assert_true(!triage_id_compare(&k->case_id, &ids[i]));
    }
    triage_assignments_free(res, N);
    /* bad stats: version 0, arrays missing; unknown assignment version */
    triage_batch_stats_t bad = TRIAGE_BATCH_STATS_INIT;
    bad.version = 0;
    assert_status(triage_assign_distribute(&res, &bad, TRIAGE_ASSIGNMENT_VERSION, e, ids, N, &req, 0), TRIAGE_EVERSION);
    assert_error_arg("stats.version");
    bad.version = TRIAGE_BATCH_STATS_VERSION;
    bad.nworker_excess = 2;
    assert_status(triage_assign_distribute(&res, &bad, TRIAGE_ASSIGNMENT_VERSION, e, ids, N, &req, 0), TRIAGE_EINVAL);
    assert_error_arg("stats");
    assert_status(triage_assign_distribute(&res, &st, 3, e, ids, N, &req, 0), TRIAGE_EVERSION);
}

static void test_immediate_goes_to_duty_pair(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t w[6];
    for (int i = 0; i < 3; i++) {
        w[i] = sw(e);
        w[3 + i] = sc(e);
    }
    triage_id_t dsw, dsc;
    assert_ok(triage_duty_pair(&dsw, &dsc, e, DAY0));
    /* load the duty pair so that balance alone would choose someone else */
    load_worker(e, &dsw, 3, SPEC(2));
    load_worker(e, &dsc, 3, SPEC(2));
    case_spec im = SPEC(2);
    im.triggers = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_SHELTER_TONIGHT);
    triage_id_t c = make_case(e, im);
    triage_assignment_t a = propose(e, &c);
    assert_true(a.flags & TRIAGE_ASSIGN_DUTY_PAIR);
    assert_true(!triage_id_compare(&a.worker, &dsw) || !triage_id_compare(&a.worker, &dsc));
    for (int i = 0; i < 6; i++)
        if (triage_id_compare(&w[i], &dsw) && triage_id_compare(&w[i], &dsc))
            assert_int_equal(cand_of(&a, &w[i])->excluded, TRIAGE_EXCLUDED_NOT_ON_DUTY);
    triage_assignment_clear(&a);
}

/* ---- preferences (§7.3) ----------------------------------------------------- */

static void test_continuity_and_locality_beat_balance(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t own = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, 1, 297, 0);
    triage_id_t idle = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, 1, 297, 0);
    load_worker(e, &own, 5, SPEC(2));
    /* continuity: a second matter of a client whose responsible worker is `own` */
    triage_id_t first = make_case(e, SPEC(2));
    assert_ok(triage_case_set_worker(e, &first, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &own));
    triage_case_t fc;
    fc.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&fc, e, &first));
    /* a new case of the same client that stays in distribution (emulated:
     * the client's responsible worker is what continuity reads) */
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = fc.client;
    in.received_ms = T0;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, e, &in));
    assert_int_equal(r.attached, 1); /* the engine attaches it to the active case */
    triage_assignment_t a = propose(e, &first);
    assert_true(!triage_id_compare(&a.worker, &own));
    assert_true(a.flags & TRIAGE_ASSIGN_CONTINUITY);
    assert_int_equal(cand_of(&a, &own)->continuity, 1);
    assert_true(cand_of(&a, &own)->load_after > cand_of(&a, &idle)->load_after);
    triage_assignment_clear(&a);

    /* locality: serving the client's municipality beats a lower load */
    triage_id_t local = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, 1, 92, 92);
    load_worker(e, &local, 3, SPEC(2));
    case_spec s = SPEC(2);
    s.municipality = 92;
    triage_id_t c = make_case(e, s);
    a = propose(e, &c);
    assert_true(!triage_id_compare(&a.worker, &local));
    assert_int_equal(cand_of(&a, &local)->serves, 1);
    assert_true(!triage_id_compare(&a.runner_up, &idle));
    triage_assignment_clear(&a);
    /* then distance: the nearer office wins over a lower load */
    int32_t codes[] = {297, 92, 49};
    double d[] = {0, 300, 200, 300, 0, 100, 200, 100, 0};
    assert_ok(triage_engine_set_distances(e, codes, d, 3));
    triage_id_t near = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, 1, 49, 0);
    load_worker(e, &near, 4, SPEC(2));
    s.municipality = 91; /* not in the matrix: no distance preference */
    c = make_case(e, s);
    a = propose(e, &c);
    assert_true(!triage_id_compare(&a.worker, &idle));
    triage_assignment_clear(&a);
    /* municipality 92 but `local` absent: near (49, 100) before idle (297, 300) */
    triage_id_t ab;
    assert_ok(triage_absence_add(&ab, e, &local, DAY0, DAY0, NULL));
    s.municipality = 92;
    c = make_case(e, s);
    a = propose(e, &c);
    assert_true(!triage_id_compare(&a.worker, &near));
    assert_true(cand_of(&a, &near)->distance == 100);
    assert_true(cand_of(&a, &idle)->distance == 300);
    triage_assignment_clear(&a);
}

/* The same team built in two insertion orders decides the same way. */
static void build_team(triage_engine_t *e, int reverse, triage_id_t ids[5])
{
    static const double fte[5] = {1.0, 0.8, 0.6, 0.5, 0.9};
    for (int k = 0; k < 5; k++) {
        int i = reverse ? 4 - k : k;
        ids[i] = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, fte[i], 1, 297, 0);
    }
    for (int i = 0; i < 5; i++)
        load_worker(e, &ids[i], i + 1, SPEC(2));
}

static void test_determinism(void **state)
{
    (void)state;
    triage_engine_t *e1, *e2;
    assert_ok(triage_engine_new(&e1, NULL));
    assert_ok(triage_engine_new(&e2, NULL));
    triage_id_t a[5], b[5];
    build_team(e1, 0, a);
    build_team(e2, 1, b);
    for (int round = 0; round < 8; round++) {
        triage_id_t c1 = make_case(e1, SPEC(2 + round % 2));
        triage_id_t c2 = make_case(e2, SPEC(2 + round % 2));
        triage_assignment_t x, y, z;
        x.version = TRIAGE_ASSIGNMENT_VERSION;
        y.version = TRIAGE_ASSIGNMENT_VERSION;
        z.version = TRIAGE_ASSIGNMENT_VERSION;
        triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
        req.at_ms = T0;
        assert_ok(triage_assign_propose(&z, e1, &c1, &req));
        assert_ok(triage_assign_case(&x, e1, &c1, &req));
        assert_ok(triage_assign_case(&y, e2, &c2, &req));
        assert_true(!triage_id_compare(&x.worker, &z.worker)); /* propose == assign */
        int ix = -1, iy = -1;
        for (int i = 0; i < 5; i++) {
            if (!triage_id_compare(&x.worker, &a[i]))
                ix = i;
            if (!triage_id_compare(&y.worker, &b[i]))
                iy = i;
        }
        assert_true(ix >= 0);
        assert_int_equal(ix, iy);
        /* candidates come in id order */
        for (size_t i = 1; i < x.ncandidates; i++)
            assert_true(triage_id_compare(&x.candidates[i - 1].worker, &x.candidates[i].worker) < 0);
        triage_assignment_clear(&x);
        triage_assignment_clear(&y);
        triage_assignment_clear(&z);
    }
    triage_engine_free(e1);
    triage_engine_free(e2);
}

static void test_assign_records_events(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t s1 = sw(e);
    triage_id_t c1 = sc(e);
    load_worker(e, &s1, 3, SPEC(2));
    triage_assign_policy_t *p;
    assert_ok(triage_assign_policy_new(&p, NULL));
    assert_ok(triage_assign_policy_set_id(p, "north-savo", 4));
    assert_ok(triage_engine_set_assign_policy(e, p));
    triage_assign_policy_free(p);
    const triage_assign_policy_t *cur;
    assert_ok(triage_engine_assign_policy(&cur, e));
    triage_id_t c = make_case(e, SPEC(3)); /* Q3: counsellor + social-worker pair */
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0 + HOUR_MS;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    size_t before = event_count(e);
    assert_ok(triage_assign_case(&a, e, &c, &req));
    assert_true(!triage_id_compare(&a.worker, &c1));
    assert_true(!triage_id_compare(&a.pair, &s1));
    triage_assignment_clear(&a);
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, e, &c, INT64_MIN, INT64_MAX));
    size_t assigned = 0;
    for (size_t i = 0; i < n; i++)
        if (evs[i].kind == TRIAGE_EVENT_WORKER_ASSIGNED) {
            assigned++;
            assert_string_equal(evs[i].policy_id, "north-savo");
            assert_int_equal(evs[i].policy_version, 4);
        }
    triage_free(evs);
    assert_int_equal(assigned, 3); /* pair, assessment, responsible */
    assert_int_equal(event_count(e), before + 3);
    triage_case_t cs;
    cs.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&cs, e, &c));
    assert_true(!triage_id_compare(&cs.assessment_worker, &c1));
    assert_true(!triage_id_compare(&cs.responsible, &c1));
    /* the case can now go on to assessment */
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.at_ms = T0 + HOUR_MS;
    m.to = TRIAGE_STAGE_ASSESSMENT;
    assert_ok(triage_case_move(e, &c, &m));
}

/* ---- role change (§3, §7.5) --------------------------------------------------- */

static void test_role_change_proposal(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t s1 = sw(e), c1 = sc(e);
    triage_id_t c = make_case(e, SPEC(2));
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    assert_status(triage_assign_propose_role_change(&a, e, &c, T0), TRIAGE_ESTATE);
    assert_error_arg("role_change");
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_ASSESSMENT, &c1));
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &c1));
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.at_ms = T0;
    m.to = TRIAGE_STAGE_ASSESSMENT;
    assert_ok(triage_case_move(e, &c, &m));
    triage_scores_t s4 = scores_q(4);
    triage_role_change_t rch;
    assert_ok(triage_case_classify(NULL, &rch, e, &c, NULL, T0, &s4));
    assert_int_equal(rch, TRIAGE_ROLE_CHANGE_REQUIRED);
    assert_ok(triage_assign_propose_role_change(&a, e, &c, T0));
    assert_true(!triage_id_compare(&a.worker, &s1));
    assert_true(!triage_id_compare(&a.previous, &c1));
    assert_int_equal(a.slot, TRIAGE_SLOT_RESPONSIBLE);
    assert_int_equal(cand_of(&a, &c1)->excluded, TRIAGE_EXCLUDED_EXCLUDED);
    assert_ok(triage_assign_apply(e, &a, 1, NULL, T0));
    triage_assignment_clear(&a);
    triage_case_t cs;
    cs.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&cs, e, &c));
    assert_true(!triage_id_compare(&cs.responsible, &s1));
    assert_false(cs.flags & TRIAGE_CASE_ROLE_MISMATCH);
}

/* ---- absences (§7.5) ---------------------------------------------------------- */

/* docs/domain.md §7.5: once a case's assessment is done, its assessment
 * worker's absence needs nobody new when another worker is responsible (the
 * proposals offered that responsible worker again, a change of nothing that
 * triage_assign_apply() refused). */
static void test_absence_of_a_past_assessment_worker(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t assessor = sc(e), responsible = sc(e), spare = sc(e);
    (void)spare;
    triage_id_t c = make_case(e, SPEC(2));
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_ASSESSMENT, &assessor));
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.at_ms = T0;
    m.to = TRIAGE_STAGE_ASSESSMENT;
    assert_ok(triage_case_move(e, &c, &m));
    triage_assessment_record_t rec = TRIAGE_ASSESSMENT_RECORD_INIT;
    rec.summary = rec.conclusion = rec.client_view = 1;
    rec.nature = TRIAGE_NEED_NATURE_RECURRING;
    assert_ok(triage_case_record_assessment(e, &c, NULL, T0, &rec));
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &responsible));
    m.to = TRIAGE_STAGE_PLANNING;
    assert_ok(triage_case_move(e, &c, &m));
    /* a meeting request makes a deadline fall inside the absence */
    assert_ok(triage_case_request_meeting(e, &c, NULL, T0, NULL));
    triage_assignment_t *ps = NULL;
    size_t n = 9;
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &assessor, DAY0,
                                       DAY0 + 30, T0));
    assert_int_equal(n, 0);
    /* the responsible worker's absence still gets a proposal */
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &responsible, DAY0,
                                       DAY0 + 30, T0));
    assert_int_equal(n, 1);
    assert_int_equal(ps[0].slot, TRIAGE_SLOT_RESPONSIBLE);
    assert_true(triage_id_compare(&ps[0].worker, &responsible) != 0);
    assert_ok(triage_assign_apply(e, ps, n, NULL, T0 + HOUR_MS));
    triage_assignments_free(ps, n);
}

static void test_absences(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t leaver = sc(e), other = sc(e), away = sc(e);
    triage_id_t ab;
    assert_ok(triage_absence_add(&ab, e, &away, DAY0, DAY0 + 30, NULL));
    /* leaver has 4 normal cases (15 business days to start) and 2 urgent */
    triage_id_t cases[6];
    for (int i = 0; i < 6; i++) {
        case_spec s = SPEC(2);
        if (i >= 4)
            s.triggers = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_EVICTION_OR_CUTOFF);
        cases[i] = make_case(e, s);
        assert_ok(triage_case_set_worker(e, &cases[i], NULL, T0, TRIAGE_SLOT_ASSESSMENT, &leaver));
    }
    /* bad input changes nothing */
    size_t ev = event_count(e);
    triage_id_t x, nobody;
    triage_id_generate(&nobody);
    assert_status(triage_absence_add(&x, e, &nobody, DAY0, DAY0, NULL), TRIAGE_ENOTFOUND);
    assert_error_arg("worker");
    assert_status(triage_absence_add(&x, e, &leaver, DAY0 + 2, DAY0 + 1, NULL), TRIAGE_EINVAL);
    assert_error_arg("end");
    assert_status(triage_absence_add(&x, e, &leaver, TRIAGE_DATE_NONE, DAY0, NULL), TRIAGE_ERANGE);
    assert_status(triage_absence_remove(e, &nobody, NULL), TRIAGE_ENOTFOUND);
    assert_int_equal(event_count(e), ev);
    /* a two-day absence: nothing is due inside it (the assessments start
     * within 15 business days, the responses were given) */
    assert_ok(triage_absence_add(&x, e, &leaver, DAY0, DAY0 + 1, NULL));
    assert_int_equal(event_count(e), ev + 1);
    triage_assignment_t *ps;
    size_t n;
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &leaver, DAY0, DAY0 + 1, T0));
    assert_int_equal(n, 0);
    assert_null(ps);
    /* a 60-day absence: every case, urgent first, none to an absent worker */
    assert_ok(triage_absence_add(&x, e, &leaver, DAY0, DAY0 + 60, NULL));
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &leaver, DAY0, DAY0 + 60, T0));
    assert_int_equal(n, 6);
    for (size_t i = 0; i < n; i++) {
        assert_true(!triage_id_compare(&ps[i].worker, &other));
        assert_true(!triage_id_compare(&ps[i].previous, &leaver));
        assert_int_equal(cand_of(&ps[i], &away)->excluded, TRIAGE_EXCLUDED_ABSENT);
        triage_case_t cs;
        cs.version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&cs, e, &ps[i].case_id));
        if (i < 2)
            assert_int_equal(cs.urgency, TRIAGE_URGENCY_URGENT);
        else
            assert_int_equal(cs.urgency, TRIAGE_URGENCY_NORMAL);
    }
    ev = event_count(e);
    assert_ok(triage_assign_apply(e, ps, n, NULL, T0 + HOUR_MS));
    assert_int_equal(event_count(e), ev + 12); /* assessment + responsible each */
    for (int i = 0; i < 6; i++) {
        triage_case_t cs;
        cs.version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&cs, e, &cases[i]));
        assert_true(!triage_id_compare(&cs.assessment_worker, &other));
    }
    triage_assignments_free(ps, n);
    /* list, presence, removal */
    triage_absence_t *list;
    assert_ok(triage_absence_list(&list, &n, TRIAGE_ABSENCE_VERSION, e, &leaver));
    assert_int_equal(n, 2);
    assert_int_equal(list[0].start, DAY0);
    assert_int_equal(list[0].end, DAY0 + 1);
    triage_free(list);
    assert_ok(triage_absence_list(&list, &n, TRIAGE_ABSENCE_VERSION, e, NULL));
    assert_int_equal(n, 3);
    triage_free(list);
    int present;
    assert_ok(triage_worker_present(&present, e, &away, DAY0 + 30));
    assert_int_equal(present, 0);
    assert_ok(triage_worker_present(&present, e, &away, DAY0 + 31));
    assert_int_equal(present, 1);
    assert_ok(triage_absence_remove(e, &ab, NULL));
    assert_status(triage_absence_remove(e, &ab, NULL), TRIAGE_ENOTFOUND);
    assert_ok(triage_worker_present(&present, e, &away, DAY0));
    assert_int_equal(present, 1);
    assert_status(triage_worker_present(&present, e, &nobody, DAY0), TRIAGE_ENOTFOUND);
}

/* ---- issue 13 defect 2: absence reassignment ---------------------------------- */

static triage_date_t case_date_field(triage_engine_t *e, const triage_id_t *c, int which)
{
    triage_case_t cs;
    cs.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&cs, e, c));
    return which ? (triage_date_t)cs.stage : 0;
}

static void test_absence_replacement_present_to_deadline(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t leaver = sc(e), late = sc(e), steady = sc(e);
    load_worker(e, &steady, 2, SPEC(2));
    /* `late` is here today but away before the case's deadline (assessment
     * start within 15 business days) */
    triage_id_t ab_late;
    assert_ok(triage_absence_add(&ab_late, e, &late, DAY0 + 7, DAY0 + 8, NULL));
    triage_id_t c = make_case(e, SPEC(2));
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_ASSESSMENT, &leaver));
    triage_id_t ab;
    assert_ok(triage_absence_add(&ab, e, &leaver, DAY0, DAY0 + 30, NULL));
    triage_assignment_t *ps;
    size_t n;
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &leaver, DAY0, DAY0 + 30, T0));
    assert_int_equal(n, 1);
    /* before: `late`, the less loaded, was proposed */
    assert_true(!triage_id_compare(&ps[0].worker, &steady));
    assert_int_equal(cand_of(&ps[0], &late)->excluded, TRIAGE_EXCLUDED_ABSENT);
    assert_true(ps[0].present_until > DAY0 + 8 && ps[0].present_until <= DAY0 + 30);
    assert_int_equal(ps[0].stage, TRIAGE_STAGE_DISTRIBUTION);

    /* stale: the proposed worker has become absent before the deadline */
    triage_id_t ab2;
    assert_ok(triage_absence_add(&ab2, e, &steady, DAY0 + 10, DAY0 + 10, NULL));
    size_t ev = event_count(e);
    assert_status(triage_assign_apply(e, ps, n, NULL, T0 + HOUR_MS), TRIAGE_ESTATE);
    assert_error_arg("stale_absent");
    assert_int_equal(event_count(e), ev);
    triage_case_t cs;
    cs.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&cs, e, &c));
    assert_true(!triage_id_compare(&cs.assessment_worker, &leaver));
    assert_ok(triage_absence_remove(e, &ab2, NULL));

    /* stale: the case's worker changed meanwhile */
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_ASSESSMENT, &late));
    assert_status(triage_assign_apply(e, ps, n, NULL, T0 + HOUR_MS), TRIAGE_ESTATE);
    assert_error_arg("stale_worker");
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_ASSESSMENT, &leaver));

    /* stale: the case moved on to another stage */
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.at_ms = T0;
    m.to = TRIAGE_STAGE_ASSESSMENT;
    assert_ok(triage_case_move(e, &c, &m));
    assert_int_equal(case_date_field(e, &c, 1), TRIAGE_STAGE_ASSESSMENT);
    ev = event_count(e);
    assert_status(triage_assign_apply(e, ps, n, NULL, T0 + HOUR_MS), TRIAGE_ESTATE);
    assert_error_arg("stale_stage");
    assert_int_equal(event_count(e), ev);
    triage_assignments_free(ps, n);
    /* the assessment has started: its deadline is met, nothing to propose */
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &leaver, DAY0, DAY0 + 30, T0));
    assert_int_equal(n, 0);
}

static void test_long_absence_lists_special_support(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t absent = sw(e), cover = sw(e);
    (void)cover;
    triage_id_t ss = make_case(e, SPEC(4)), adult = make_case(e, SPEC(2));
    assert_ok(triage_case_set_worker(e, &ss, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &absent));
    assert_ok(triage_case_set_worker(e, &adult, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &absent));
    /* an absence after the cases' deadlines: 15 business days
     * (2027-01-04 .. 2027-01-22, a Monday to a Friday three weeks on) */
    triage_date_t from, to;
    assert_ok(triage_date_from_ymd(&from, 2027, 1, 4));
    assert_ok(triage_date_from_ymd(&to, 2027, 1, 22));
    triage_assignment_t *ps;
    size_t n;
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &absent, from, to, T0));
    /* before: nothing, as no deadline falls inside */
    assert_int_equal(n, 1);
    assert_true(!triage_id_compare(&ps[0].case_id, &ss));
    assert_int_equal(ps[0].slot, TRIAGE_SLOT_RESPONSIBLE);
    assert_true(!triage_id_compare(&ps[0].worker, &cover));
    assert_int_equal(ps[0].present_until, to);
    triage_assignments_free(ps, n);
    /* 10 business days is not longer than 10: nothing */
    assert_ok(triage_date_from_ymd(&to, 2027, 1, 15));
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &absent, from, to, T0));
    assert_int_equal(n, 0);
    /* the threshold is a policy parameter */
    triage_assign_policy_t *p;
    assert_ok(triage_assign_policy_new(&p, NULL));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_LONG_ABSENCE, 5));
    assert_status(triage_assign_policy_set(p, TRIAGE_ASSIGN_LONG_ABSENCE, 2.5), TRIAGE_EINVAL);
    assert_status(triage_assign_policy_set(p, TRIAGE_ASSIGN_LONG_ABSENCE, -1), TRIAGE_EINVAL);
    assert_ok(triage_engine_set_assign_policy(e, p));
    triage_assign_policy_free(p);
    assert_ok(triage_absence_proposals(&ps, &n, TRIAGE_ASSIGNMENT_VERSION, e, &absent, from, to, T0));
    assert_int_equal(n, 1);
    triage_assignments_free(ps, n);
}

/* ---- distances ---------------------------------------------------------------- */

static void test_distance_matrix(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    int32_t codes[] = {297, 92};
    double good[] = {0, 12.5, 13, 0}; /* directions may differ */
    double neg[] = {0, -1, 1, 0};
    double miss[] = {0, NAN, 1, 0};
    double diag[] = {1, 1, 1, 0};
    int32_t dup[] = {297, 297};
    int32_t badc[] = {297, 0};
    assert_ok(triage_engine_set_distances(e, codes, good, 2));
    assert_status(triage_engine_set_distances(e, codes, neg, 2), TRIAGE_EINVAL);
    assert_error_arg("distance");
    assert_status(triage_engine_set_distances(e, codes, miss, 2), TRIAGE_EINVAL);
    assert_error_arg("distance");
    assert_status(triage_engine_set_distances(e, codes, diag, 2), TRIAGE_EINVAL);
    assert_status(triage_engine_set_distances(e, dup, good, 2), TRIAGE_EINVAL);
    assert_error_arg("codes");
    assert_status(triage_engine_set_distances(e, badc, good, 2), TRIAGE_EINVAL);
    assert_status(triage_engine_set_distances(e, NULL, good, 2), TRIAGE_EINVAL);
    /* the failed calls left the good matrix in place */
    double d;
    assert_ok(triage_engine_distance(&d, e, 297, 92));
    assert_true(d == 12.5);
    assert_ok(triage_engine_distance(&d, e, 92, 297));
    assert_true(d == 13);
    assert_status(triage_engine_distance(&d, e, 297, 49), TRIAGE_ENOTFOUND);
    assert_ok(triage_engine_set_distances(e, NULL, NULL, 0));
    assert_status(triage_engine_distance(&d, e, 297, 92), TRIAGE_ENOTFOUND);
}

/* ---- duty roster (§7.6) --------------------------------------------------------- */

static void test_duty_roster(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    static const double ftes[] = {1.0, 0.5, 0.8, 0.6};
    triage_id_t s[4], c[2];
    for (int i = 0; i < 4; i++)
        s[i] = worker(e, TRIAGE_ROLE_SOCIAL_WORKER, ftes[i], 1, 297, 0);
    c[0] = sc(e);
    c[1] = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 0.5, 1, 297, 0);
    for (int year = 2025; year <= 2027; year++) {
        int count[4] = {0}, ccount[2] = {0}, weeks = 0;
        triage_date_t d;
        assert_ok(triage_date_from_ymd(&d, year, 1, 4)); /* in ISO week 1 */
        d -= (d + 3) % 7;                              /* Monday (1970-01-01 was a Thursday) */
        for (;; d += 7) {
            int y;
            triage_date_to_ymd(&y, NULL, NULL, d + 3);
            if (y != year)
                break;
            triage_id_t a, b;
            assert_ok(triage_duty_pair(&a, &b, e, d + 2)); /* any day of the week */
            weeks++;
            for (int i = 0; i < 4; i++)
                count[i] += !triage_id_compare(&a, &s[i]);
            for (int i = 0; i < 2; i++)
                ccount[i] += !triage_id_compare(&b, &c[i]);
        }
        /* shares proportional to FTE within one week (docs/domain.md §7.6) */
        for (int i = 0; i < 4; i++) {
            double expect = weeks * ftes[i] / 2.9;
            assert_true(fabs(count[i] - expect) < 1.0);
        }
        assert_true(fabs(ccount[0] - weeks / 1.5) < 1.0);
        assert_true(fabs(ccount[1] - weeks * 0.5 / 1.5) < 1.0);
    }
    /* an absent worker is skipped that week */
    triage_id_t a, b, ab;
    assert_ok(triage_duty_pair(&a, &b, e, DAY0));
    assert_ok(triage_absence_add(&ab, e, &a, DAY0 + 2, DAY0 + 2, NULL));
    triage_id_t a2, b2;
    assert_ok(triage_duty_pair(&a2, &b2, e, DAY0));
    assert_true(triage_id_compare(&a, &a2) != 0);
    assert_true(!triage_id_compare(&b, &b2));
    /* nobody of a role: nil */
    triage_engine_t *e2;
    assert_ok(triage_engine_new(&e2, NULL));
    sw(e2);
    assert_ok(triage_duty_pair(&a, &b, e2, DAY0));
    assert_false(triage_id_is_nil(&a));
    assert_true(triage_id_is_nil(&b));
    assert_status(triage_duty_pair(&a, &b, e2, TRIAGE_DATE_NONE), TRIAGE_ERANGE);
    triage_engine_free(e2);
}

/* ---- balance (§7.7) ---------------------------------------------------------------- */

static void test_balance(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t a = sc(e), b = sc(e), c = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 0.5, 1, 297, 0);
    triage_id_t s1 = sw(e);
    load_worker(e, &a, 1, SPEC(2));
    load_worker(e, &b, 2, SPEC(2));
    load_worker(e, &c, 3, SPEC(2)); /* normalized 6 */
    load_worker(e, &s1, 10, SPEC(2));
    triage_balance_t bl;
    bl.version = TRIAGE_BALANCE_VERSION;
    assert_ok(triage_assign_balance(&bl, e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, -1));
    /* loads 1, 2, 6: mean 3, sd sqrt(14/3), Gini = sum|xi-xj| / (2 n^2 mean) = 20 / 54 */
    assert_int_equal(bl.workers, 3);
    assert_true(bl.max == 6 && bl.min == 1 && fabs(bl.mean - 3) < 1e-12);
    assert_true(fabs(bl.cv - sqrt(14.0 / 3) / 3) < 1e-12);
    assert_true(fabs(bl.gini - 20.0 / 54) < 1e-12);
    assert_ok(triage_assign_balance(&bl, e, 0, -1));
    assert_int_equal(bl.workers, 4);
    assert_true(bl.max == 10);
    assert_ok(triage_assign_balance(&bl, e, 0, 5));
    assert_int_equal(bl.workers, 0);
    assert_status(triage_assign_balance(&bl, e, (triage_role_t)9, -1), TRIAGE_EINVAL);
    assert_status(triage_assign_balance(&bl, e, 0, -2), TRIAGE_EINVAL);
}

/* ---- batch (§7.4) -------------------------------------------------------------------- */

typedef struct {
    double max, travel, sq;
} obj;

/* Independent brute force over every assignment. */
static int brute(obj *best, const triage_batch_problem_t *p)
{
    size_t nc = p->ncases, nw = p->nworkers;
    int as[8], found = 0;
    long total = 1;
    for (size_t c = 0; c < nc; c++)
        total *= (long)nw;
    for (long code = 0; code < total; code++) {
        long x = code;
        int ok = 1;
        for (size_t c = 0; c < nc; c++) {
            as[c] = (int)(x % (long)nw);
            x /= (long)nw;
            if (p->eligible && !p->eligible[c * nw + (size_t)as[c]])
                ok = 0;
        }
        if (!ok)
            continue;
        double L[8];
        int cnt[8] = {0}, ccnt[8] = {0};
        obj o = {0, 0, 0};
        for (size_t j = 0; j < nw; j++)
            L[j] = p->load[j];
        for (size_t c = 0; c < nc; c++) {
            L[as[c]] += p->weight[c];
            cnt[as[c]]++;
            ccnt[as[c]] += p->counted && p->counted[c];
            o.travel += p->travel ? p->travel[c * nw + (size_t)as[c]] : 0;
        }
        double sorted[8];
        for (size_t j = 0; j < nw; j++) {
            double l = L[j] / p->fte[j];
            o.max = l > o.max ? l : o.max;
            o.sq += l * l;
            if (p->room && ccnt[j] > p->room[j])
                ok = 0;
            sorted[j] = (double)cnt[j] / p->fte[j]; /* new cases per FTE (docs/domain.md §7.4) */
        }
        for (size_t i = 1; i < nw; i++)
            for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
                double t = sorted[j];
                sorted[j] = sorted[j - 1];
                sorted[j - 1] = t;
            }
        double med = nw % 2 ? sorted[nw / 2] : 0.5 * (sorted[nw / 2 - 1] + sorted[nw / 2]);
        for (size_t j = 0; j < nw; j++)
            if (p->flood_margin >= 0 && cnt[j] > (med + p->flood_margin) * p->fte[j] + 1e-9)
                ok = 0;
        if (!ok)
            continue;
        double tm = 1e-9 * (1 + best->max), tt = 1e-9 * (1 + best->travel);
        if (!found || o.max < best->max - tm ||
            (o.max <= best->max + tm && (o.travel < best->travel - tt ||
                                         (o.travel <= best->travel + tt && o.sq < best->sq)))) {
            *best = o;
            found = 1;
        }
    }
    return found;
}

static double objective_max(const triage_batch_problem_t *p, const int32_t *as, double *travel)
{
    double L[600];
    double m = 0, t = 0;
    for (size_t j = 0; j < p->nworkers; j++)
        L[j] = p->load[j];
    for (size_t c = 0; c < p->ncases; c++)
        if (as[c] >= 0) {
            L[as[c]] += p->weight[c];
            t += p->travel ? p->travel[c * p->nworkers + (size_t)as[c]] : 0;
        }
    for (size_t j = 0; j < p->nworkers; j++)
        m = L[j] / p->fte[j] > m ? L[j] / p->fte[j] : m;
    *travel = t;
    return m;
}

static void test_batch_exact_vs_brute_force(void **state)
{
    (void)state;
    rng_state = 0x9e3779b97f4a7c15ULL;
    int instances = 0;
    for (int it = 0; it < 1500; it++) {
        size_t nc = 1 + rng() % 6, nw = 2 + rng() % 3;
        double weight[8], load[8], fte[8], travel[64];
        uint8_t elig[64], counted[8];
        int32_t room[8], out[8];
        for (size_t c = 0; c < nc; c++) {
            weight[c] = 0.5 * (double)(1 + rng() % 4) + ((rng() % 3 == 0) ? 0.5 : 0);
            counted[c] = rng() % 4 == 0;
        }
        for (size_t j = 0; j < nw; j++) {
            load[j] = (double)(rng() % 5);
            fte[j] = (double)(5 + rng() % 6) / 10;
            room[j] = (int32_t)(rng() % 3);
        }
        for (size_t k = 0; k < nc * nw; k++) {
            elig[k] = rng() % 5 != 0;
            travel[k] = (double)(rng() % 50);
        }
        for (size_t j = 0; j < nw; j++) /* every worker relevant, every case placeable */
            elig[j] = 1;
        for (size_t c = 0; c < nc; c++)
            elig[c * nw] = 1;
        triage_batch_problem_t p = TRIAGE_BATCH_PROBLEM_INIT;
        p.ncases = nc;
        p.nworkers = nw;
        p.weight = weight;
        p.load = load;
        p.fte = fte;
        p.eligible = elig;
        p.travel = it % 3 ? travel : NULL;
        p.counted = it % 4 == 0 ? counted : NULL;
        p.room = it % 4 == 0 ? room : NULL;
        p.flood_margin = it % 2 ? 1 : -1;
        p.exact_limit = 8;
        obj b = {0, 0, 0};
        int feasible = brute(&b, &p);
        triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
        assert_ok(triage_batch_solve(out, &st, &p, NULL));
        if (!feasible)
            continue; /* the solver still answers; the constraints cannot all hold */
        instances++;
        assert_int_equal(st.exact, 1);
        double t;
        double m = objective_max(&p, out, &t);
        if (fabs(m - b.max) > 1e-9 || fabs(t - b.travel) > 1e-6)
            fail_msg("instance %d: solver %.6f/%.3f, brute force %.6f/%.3f", it, m, t, b.max, b.travel);
        assert_true(fabs(st.max_load - b.max) < 1e-9);
        assert_true(st.gap == 0 || st.lower_bound <= st.max_load + 1e-9);
    }
    assert_true(instances >= 1000);
}

static void test_batch_never_worse_than_sequential(void **state)
{
    (void)state;
    rng_state = 0x2545f4914f6cdd1dULL;
    for (int it = 0; it < 40; it++) {
        size_t nc = 50 + rng() % 200, nw = 5 + rng() % 40;
        double *weight = malloc(nc * sizeof *weight), load[64], fte[64];
        double *travel = malloc(nc * nw * sizeof *travel);
        uint8_t *elig = malloc(nc * nw);
        int32_t *out = malloc(nc * sizeof *out);
        for (size_t c = 0; c < nc; c++)
            weight[c] = 0.5 * (double)(1 + rng() % 4);
        for (size_t j = 0; j < nw; j++) {
            load[j] = (double)(rng() % 20);
            fte[j] = (double)(5 + rng() % 6) / 10;
        }
        for (size_t k = 0; k < nc * nw; k++) {
            elig[k] = rng() % 3 != 0;
            travel[k] = (double)(rng() % 100);
        }
        triage_batch_problem_t p = TRIAGE_BATCH_PROBLEM_INIT;
        p.ncases = nc;
        p.nworkers = nw;
        p.weight = weight;
        p.load = load;
        p.fte = fte;
        p.eligible = elig;
        p.travel = travel;
        p.flood_margin = it % 2 ? 3 : -1;
        triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
        assert_ok(triage_batch_solve(out, &st, &p, NULL));
        assert_int_equal(st.exact, 0);
        assert_true(st.max_load < st.sequential_max_load + 1e-9);
        if (fabs(st.max_load - st.sequential_max_load) < 1e-9)
            assert_true(st.total_travel <= st.sequential_total_travel + 1e-6);
        assert_true(st.lower_bound <= st.max_load + 1e-9);
        for (size_t c = 0; c < nc; c++)
            if (out[c] >= 0)
                assert_true(elig[c * nw + (size_t)out[c]]);
        free(weight);
        free(travel);
        free(elig);
        free(out);
    }
}

static void test_batch_no_flooding(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    /* docs/domain.md §7.4: 8 counsellors with 10 cases each, one back from leave
     * with none; 16 new cases. Pure balancing would give all 16 to her. */
    triage_id_t w[9];
    for (int i = 0; i < 9; i++) {
        w[i] = sc(e);
        if (i < 8)
            load_worker(e, &w[i], 10, SPEC(2));
    }
    triage_id_t ids[16];
    for (int i = 0; i < 16; i++)
        ids[i] = make_case(e, SPEC(2));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t *res;
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    assert_ok(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, ids, 16, &req, 1));
    int cnt[9] = {0};
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 9; j++)
            cnt[j] += !triage_id_compare(&res[i].worker, &w[j]);
    int sorted[9];
    memcpy(sorted, cnt, sizeof cnt);
    for (int i = 1; i < 9; i++)
        for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
            int t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    assert_true(cnt[8] <= sorted[4] + 3);
    assert_true(cnt[8] >= 3); /* but she does get work */
    triage_assignments_free(res, 16);
    /* applied: the cases carry the workers */
    triage_case_t cs;
    cs.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&cs, e, &ids[0]));
    assert_false(triage_id_is_nil(&cs.assessment_worker));
    /* without the rule a newcomer with no cases takes more than the rule allows */
    triage_assign_policy_t *p;
    assert_ok(triage_assign_policy_new(&p, NULL));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_FLOOD_MARGIN, -1));
    assert_ok(triage_engine_set_assign_policy(e, p));
    triage_assign_policy_free(p);
    triage_id_t back = sc(e);
    triage_id_t ids2[8];
    for (int i = 0; i < 8; i++)
        ids2[i] = make_case(e, SPEC(2));
    assert_ok(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, ids2, 8, &req, 0));
    int to_back = 0;
    for (int i = 0; i < 8; i++)
        to_back += !triage_id_compare(&res[i].worker, &back);
    assert_true(to_back > 3); /* median 0 + 3 would have stopped her at 3 */
    triage_assignments_free(res, 8);
    /* bad input: duplicates, unknown case */
    triage_id_t dup[2] = {ids2[0], ids2[0]};
    assert_status(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, dup, 2, &req, 0), TRIAGE_EINVAL);
    assert_error_arg("case_ids");
    triage_id_t nobody;
    triage_id_generate(&nobody);
    assert_status(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, &nobody, 1, &req, 0), TRIAGE_ENOTFOUND);
}

/* docs/domain.md §7.4: the engine's batch is never worse than assigning the same
 * cases one by one in arrival order with the online rule; the baseline the
 * distribution reports is exactly what one-by-one assignment produces. */
static void test_batch_engine_vs_one_by_one(void **state)
{
    (void)state;
    rng_state = 77;
    for (int round = 0; round < 6; round++) {
        triage_engine_t *e;
        assert_ok(triage_engine_new(&e, NULL));
        triage_assign_policy_t *p;
        assert_ok(triage_assign_policy_new(&p, NULL));
        assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_FLOOD_MARGIN, -1));
        assert_ok(triage_engine_set_assign_policy(e, p));
        triage_assign_policy_free(p);
        int32_t codes[4] = {297, 92, 49, 91};
        double d[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                d[i * 4 + j] = 25.0 * abs(i - j);
        assert_ok(triage_engine_set_distances(e, codes, d, 4));
        triage_id_t w[6];
        for (int i = 0; i < 6; i++) {
            w[i] = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, (double)(5 + rng() % 6) / 10, 1,
                          codes[rng() % 4], 0);
            load_worker(e, &w[i], (int)(rng() % 4), SPEC(2));
        }
        triage_id_t ids[24];
        for (int i = 0; i < 24; i++) {
            case_spec s = SPEC(2 + (int)(rng() % 2));
            s.municipality = codes[rng() % 4];
            ids[i] = make_case(e, s);
        }
        triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
        req.at_ms = T0;
        triage_assignment_t *res;
        triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
        assert_ok(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, ids, 24, &req, 0));
        triage_assignments_free(res, 24);
        assert_true(st.max_load <= st.sequential_max_load + 1e-9);
        if (st.max_load >= st.sequential_max_load - 1e-9)
            assert_true(st.total_travel <= st.sequential_total_travel + 1e-9);
        /* now really one by one */
        for (int i = 0; i < 24; i++) {
            triage_assignment_t a;
            a.version = TRIAGE_ASSIGNMENT_VERSION;
            assert_ok(triage_assign_case(&a, e, &ids[i], &req));
            triage_assignment_clear(&a);
        }
        double mx = 0;
        for (int i = 0; i < 6; i++) {
            triage_worker_load_t l;
            l.version = TRIAGE_WORKER_LOAD_VERSION;
            assert_ok(triage_worker_load(&l, e, &w[i]));
            mx = l.normalized > mx ? l.normalized : mx;
        }
        assert_true(fabs(mx - st.sequential_max_load) < 1e-9);
        triage_engine_free(e);
    }
}

static void test_batch_small_engine_exact(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t a = sc(e), b = sc(e);
    triage_id_t s1 = sw(e);
    load_worker(e, &a, 2, SPEC(2));
    triage_id_t ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = make_case(e, SPEC(i == 4 ? 4 : 2));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t *res;
    triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
    assert_ok(triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, ids, 5, &req, 0));
    assert_int_equal(st.exact, 1);
    /* the Q4 case (special support) goes to the social worker */
    assert_true(!triage_id_compare(&res[4].worker, &s1));
    /* loads a 2, b 0, s1 0 plus four Q2 (1) and one Q4 (2, social worker
     * only): 8 units over 3 workers, whole cases: the optimum max is 3 */
    assert_true(fabs(st.max_load - 3) < 1e-9);
    assert_true(st.lower_bound <= 3 + 1e-9);
    (void)b;
    triage_assignments_free(res, 5);
}

/* ---- linear assignment ------------------------------------------------------------------ */

static void test_linear_assignment(void **state)
{
    (void)state;
    rng_state = 12345;
    for (int it = 0; it < 300; it++) {
        size_t n = 1 + rng() % 6, m = 1 + rng() % 6;
        double cost[36];
        for (size_t k = 0; k < n * m; k++)
            cost[k] = (double)(rng() % 100) - 20;
        int32_t r2c[6];
        double total;
        assert_ok(triage_linear_assignment(r2c, &total, cost, n, m, NULL));
        /* brute force over injective maps of the smaller side */
        size_t k = n < m ? n : m;
        double best = HUGE_VAL;
        int perm[6];
        long lim = 1;
        size_t big = n < m ? m : n;
        for (size_t i = 0; i < k; i++)
            lim *= (long)big;
        for (long code = 0; code < lim; code++) {
            long x = code;
            int used[6] = {0}, ok = 1;
            for (size_t i = 0; i < k; i++) {
                perm[i] = (int)(x % (long)big);
                x /= (long)big;
                if (used[perm[i]]++)
                    ok = 0;
            }
            if (!ok)
                continue;
            double s = 0;
            for (size_t i = 0; i < k; i++)
                s += n <= m ? cost[i * m + (size_t)perm[i]] : cost[(size_t)perm[i] * m + i];
            best = s < best ? s : best;
        }
        assert_true(fabs(total - best) < 1e-9);
        int usedc[6] = {0};
        size_t assigned = 0;
        for (size_t i = 0; i < n; i++)
            if (r2c[i] >= 0) {
                assert_int_equal(usedc[r2c[i]]++, 0);
                assigned++;
            }
        assert_int_equal(assigned, k);
    }
    double forbidden[] = {INFINITY, INFINITY, 1, 2};
    int32_t r[2];
    assert_status(triage_linear_assignment(r, NULL, forbidden, 2, 2, NULL), TRIAGE_ECONFLICT);
    double nan[] = {NAN};
    assert_status(triage_linear_assignment(r, NULL, nan, 1, 1, NULL), TRIAGE_EINVAL);
    double partial[] = {INFINITY, 3, 1, 2};
    double total;
    assert_ok(triage_linear_assignment(r, &total, partial, 2, 2, NULL));
    assert_true(total == 4);
}

/* ---- capacitated (transport) assignment ------------------------------------------------- */

/* The reference: triage_linear_assignment on the matrix with column j repeated cap[j]
 * times. Returns its status; *total its objective. */
static triage_status_t expanded_reference(double *total, const double *cost, size_t n, size_t m,
                                          const int32_t *cap)
{
    size_t slots = 0;
    for (size_t j = 0; j < m; j++)
        slots += (size_t)cap[j];
    double *big = malloc((n * slots + 1) * sizeof *big);
    int32_t *r2c = malloc((n + 1) * sizeof *r2c);
    assert_non_null(big);
    assert_non_null(r2c);
    for (size_t i = 0; i < n; i++) {
        size_t q = 0;
        for (size_t j = 0; j < m; j++)
            for (int32_t t = 0; t < cap[j]; t++)
                big[i * slots + q++] = cost[i * m + j];
    }
    triage_status_t rc = triage_linear_assignment(r2c, total, big, n, slots, NULL);
    if (!rc)
        for (size_t i = 0; i < n; i++)
            assert_true(r2c[i] >= 0); /* slots >= n: every row placed */
    free(big);
    free(r2c);
    return rc;
}

/* Checks a transport solution: every row placed in an allowed cell, the capacities
 * respected, the total the sum of the chosen cells. */
static void check_transport(const int32_t *r2c, double total, const double *cost, size_t n,
                            size_t m, const int32_t *cap)
{
    int32_t used[64] = {0};
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(r2c[i] >= 0 && (size_t)r2c[i] < m);
        assert_true(++used[r2c[i]] <= cap[r2c[i]]);
        assert_false(isinf(cost[i * m + (size_t)r2c[i]]));
        sum += cost[i * m + (size_t)r2c[i]];
    }
    assert_true(sum == total);
}

static void test_transport_vs_expanded(void **state)
{
    (void)state;
    rng_state = 20260101;
    int solved = 0, conflicts = 0;
    for (int it = 0; it < 600; it++) {
        /* shapes: few columns with many slots, square-ish, more columns than rows */
        size_t m = 1 + rng() % (it % 3 == 0 ? 4 : 12);
        size_t n = 1 + rng() % 40;
        int32_t cap[64];
        size_t room = 0;
        int tight = it % 4 == 1; /* capacities adding up to exactly n */
        for (size_t j = 0; j < m; j++) {
            cap[j] = (int32_t)(rng() % (2 * n / m + 3));
            room += (size_t)cap[j];
        }
        if (tight || room < n) { /* adjust to exactly n (more sometimes) */
            while (room < n) {
                cap[rng() % m]++;
                room++;
            }
            while (room > n) {
                size_t j = rng() % m;
                if (cap[j]) {
                    cap[j]--;
                    room--;
                }
            }
            if (!tight && it % 5 == 0)
                cap[rng() % m] += 2;
        }
        double *cost = malloc(n * m * sizeof *cost);
        assert_non_null(cost);
        int forbid = (int)(rng() % 4); /* 0: none; else about forbid/10 of the cells */
        for (size_t k = 0; k < n * m; k++) {
            cost[k] = (double)(rng() % 1000) / 8 - 30;
            if (forbid && rng() % 10 < (uint64_t)forbid)
                cost[k] = INFINITY;
        }
        int32_t r2c[40];
        double total = -1, ref = -2;
        triage_status_t want = expanded_reference(&ref, cost, n, m, cap);
        triage_status_t got = triage_transport_assignment(r2c, &total, cost, n, m, cap, NULL);
        assert_int_equal(got, want);
        if (!got) {
            check_transport(r2c, total, cost, n, m, cap);
            assert_true(fabs(total - ref) <= 1e-9 * (1 + fabs(ref)));
            solved++;
        } else {
            assert_int_equal(got, TRIAGE_ECONFLICT);
            assert_error_arg("cost");
            conflicts++;
        }
        free(cost);
    }
    /* both outcomes were exercised */
    assert_true(solved >= 300);
    assert_true(conflicts >= 10);
}

static void test_transport_edges_and_bad_input(void **state)
{
    (void)state;
    int32_t r2c[3] = {7, 7, 7};
    double total = 5;
    /* the costs of the docs/domain.md §7.4 linear level: 3 cases, 2 workers */
    double cost[] = {1, 4, 2, 8, 3, 5};
    int32_t cap[] = {1, 2};
    assert_ok(triage_transport_assignment(r2c, &total, cost, 3, 2, cap, NULL));
    /* case 0 and case 1 both prefer worker 0 (room 1): 1 + 8 + 5 = 14 or 4 + 2 + 5 = 11 */
    assert_true(total == 11);
    assert_int_equal(r2c[1], 0);
    int32_t cap2[] = {2, 2};
    assert_ok(triage_transport_assignment(r2c, NULL, cost, 3, 2, cap2, NULL));
    assert_int_equal(r2c[0], 0);
    assert_int_equal(r2c[1], 0);
    assert_int_equal(r2c[2], 1);
    /* no rows: nothing to do */
    total = 5;
    assert_ok(triage_transport_assignment(r2c, &total, NULL, 0, 2, cap, NULL));
    assert_true(total == 0);

    int32_t keep[3] = {7, 7, 7};
    double t0 = 5;
#define UNCHANGED()                                                                     \
    do {                                                                                \
        assert_memory_equal(r2c, keep, sizeof keep);                                    \
        assert_true(total == t0);                                                       \
    } while (0)
    memcpy(r2c, keep, sizeof keep);
    total = t0;
    /* capacities too small in sum */
    int32_t small[] = {1, 1};
    assert_status(triage_transport_assignment(r2c, &total, cost, 3, 2, small, NULL),
                  TRIAGE_ECONFLICT);
    assert_error_arg("capacity");
    UNCHANGED();
    assert_status(triage_transport_assignment(r2c, &total, cost, 3, 0, NULL, NULL),
                  TRIAGE_ECONFLICT);
    UNCHANGED();
    /* enough room in sum, but the forbidden cells crowd two rows into column 1 */
    double forb[] = {INFINITY, 1, INFINITY, 2, 3, 4};
    int32_t cap21[] = {2, 1};
    assert_status(triage_transport_assignment(r2c, &total, forb, 3, 2, cap21, NULL),
                  TRIAGE_ECONFLICT);
    assert_error_arg("cost");
    UNCHANGED();
    int32_t cap3[] = {1, 1};
    double allinf[] = {INFINITY, INFINITY};
    assert_status(triage_transport_assignment(r2c, &total, allinf, 1, 2, cap3, NULL),
                  TRIAGE_ECONFLICT);
    UNCHANGED();
    /* bad input */
    double nan[] = {1, NAN, 2, 3, 4, 5};
    double minf[] = {1, 2, -INFINITY, 3, 4, 5};
    int32_t neg[] = {4, -1};
    assert_status(triage_transport_assignment(r2c, &total, nan, 3, 2, cap2, NULL), TRIAGE_EINVAL);
    assert_error_arg("cost");
    assert_status(triage_transport_assignment(r2c, &total, minf, 3, 2, cap2, NULL), TRIAGE_EINVAL);
    assert_error_arg("cost");
    assert_status(triage_transport_assignment(r2c, &total, cost, 3, 2, neg, NULL), TRIAGE_EINVAL);
    assert_error_arg("capacity");
    assert_status(triage_transport_assignment(NULL, &total, cost, 3, 2, cap2, NULL), TRIAGE_EINVAL);
    assert_error_arg("row_to_col");
    assert_status(triage_transport_assignment(r2c, &total, NULL, 3, 2, cap2, NULL), TRIAGE_EINVAL);
    assert_error_arg("cost");
    assert_status(triage_transport_assignment(r2c, &total, cost, 3, 2, NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("capacity");
    UNCHANGED();
#undef UNCHANGED
}

static void test_transport_allocation_failures(void **state)
{
    (void)state;
    rng_state = 99;
    enum { N = 30, M = 6 };
    double cost[N * M];
    for (size_t k = 0; k < N * M; k++)
        cost[k] = (double)(rng() % 100);
    int32_t cap[M] = {6, 5, 5, 5, 5, 4};
    int32_t r2c[N], keep[N];
    for (size_t i = 0; i < N; i++)
        r2c[i] = keep[i] = -7;
    double ref;
    assert_ok(triage_transport_assignment(r2c, &ref, cost, N, M, cap, NULL));
    memcpy(r2c, keep, sizeof keep);
    failing_alloc fa = {0, 0, 0, 0};
    triage_allocator_t a = fa_allocator(&fa);
    int failed = 0;
    for (long n = 1;; n++) {
        fa.calls = 0;
        fa.fail_at = n;
        double total = -1;
        triage_status_t rc = triage_transport_assignment(r2c, &total, cost, N, M, cap, &a);
        assert_int_equal(fa.live, 0);
        if (rc == TRIAGE_OK) {
            assert_true(total == ref);
            break;
        }
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_memory_equal(r2c, keep, sizeof keep);
        assert_true(total == -1);
        failed++;
    }
    assert_true(failed >= 10); /* every allocation was failed once */
}

/* ---- allocation failure ------------------------------------------------------------------- */

static void test_allocation_failures(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t s1 = sw(e), c1 = sc(e), c2 = sc(e);
    load_worker(e, &c2, 1, SPEC(2));
    triage_id_t cases[3];
    for (int i = 0; i < 3; i++)
        cases[i] = make_case(e, SPEC(i + 2));
    int32_t codes[] = {297, 92};
    double d[] = {0, 5, 5, 0};
    triage_assign_policy_t *pol;
    assert_ok(triage_assign_policy_new(&pol, NULL));
    assert_ok(triage_assign_policy_set(pol, TRIAGE_ASSIGN_HARD_CAP, 45));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    for (int op = 0; op < 8; op++) {
        int succeeded = 0;
        for (long n = 1; n < 500 && !succeeded; n++) {
            size_t ev = event_count(e);
            triage_case_t before;
            before.version = TRIAGE_CASE_VERSION;
            assert_ok(triage_case_get(&before, e, &cases[0]));
            f->fa.calls = 0;
            f->fa.fail_at = n;
            triage_status_t rc = TRIAGE_OK;
            triage_id_t id;
            triage_assignment_t a, *res = NULL;
            a.version = TRIAGE_ASSIGNMENT_VERSION;
            size_t cnt = 0;
            triage_batch_stats_t st = TRIAGE_BATCH_STATS_INIT;
            switch (op) {
            case 0: rc = triage_absence_add(&id, e, &c1, DAY0 + 100, DAY0 + 101, NULL); break;
            case 1: rc = triage_assign_case(&a, e, &cases[0], &req); break;
            case 2: rc = triage_assign_distribute(&res, &st, TRIAGE_ASSIGNMENT_VERSION, e, cases, 3, &req, 1); break;
            case 3: rc = triage_engine_set_distances(e, codes, d, 2); break;
            case 4: rc = triage_engine_set_assign_policy(e, pol); break;
            case 5: rc = triage_absence_proposals(&res, &cnt, TRIAGE_ASSIGNMENT_VERSION, e, &c1, DAY0, DAY0 + 100, T0); break;
            case 6: rc = triage_assign_balance(&(triage_balance_t){.version = TRIAGE_BALANCE_VERSION}, e, 0, -1); break;
            case 7: {
                triage_absence_t *l;
                rc = triage_absence_list(&l, &cnt, TRIAGE_ABSENCE_VERSION, e, NULL);
                if (!rc)
                    triage_free(l);
                break;
            }
            }
            f->fa.fail_at = 0;
            if (rc == TRIAGE_OK) {
                succeeded = 1;
                if (op == 1)
                    triage_assignment_clear(&a);
                if (op == 2)
                    triage_assignments_free(res, 3);
                if (op == 5)
                    triage_assignments_free(res, cnt);
                continue;
            }
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_int_equal(event_count(e), ev); /* nothing changed */
            triage_case_t after;
            after.version = TRIAGE_CASE_VERSION;
            assert_ok(triage_case_get(&after, e, &cases[0]));
            assert_memory_equal(&before, &after, sizeof before);
        }
        assert_true(succeeded);
        if (op == 1 || op == 2) {
            /* undo so the next operation assigns again */
            for (int i = 0; i < 3; i++) {
                assert_ok(triage_case_set_worker(e, &cases[i], NULL, T0, TRIAGE_SLOT_PAIR, NULL));
                assert_ok(triage_case_set_worker(e, &cases[i], NULL, T0, TRIAGE_SLOT_RESPONSIBLE, NULL));
                assert_ok(triage_case_set_worker(e, &cases[i], NULL, T0, TRIAGE_SLOT_ASSESSMENT, NULL));
            }
        }
    }
    /* removal too */
    triage_absence_t *l;
    size_t cnt;
    assert_ok(triage_absence_list(&l, &cnt, TRIAGE_ABSENCE_VERSION, e, NULL));
    triage_id_t abs = l[0].id;
    triage_free(l);
    for (long n = 1;; n++) {
        size_t ev = event_count(e);
        f->fa.calls = 0;
        f->fa.fail_at = n;
        triage_status_t rc = triage_absence_remove(e, &abs, NULL);
        f->fa.fail_at = 0;
        if (!rc)
            break;
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_int_equal(event_count(e), ev);
    }
    triage_assign_policy_free(pol);
    (void)s1;
}

/* ---- incremental loads ------------------------------------------------------------------
 * The per-worker loads (§7.1) are kept up to date at every commit instead of
 * a scan of all cases per decision. After any sequence of changes, including
 * failed ones (out of memory, store failure), they must equal a fresh scan
 * to the bit, and an engine reopened from the store must hold the same. */

#define LW 9    /* workers at most */
#define LC 160  /* cases at most */

typedef struct {
    double weighted;
    int32_t cases, cw;
} ref_load;

/* The public loads of every worker. */
static void loads_public(triage_worker_load_t *out, triage_engine_t *e, const triage_id_t *ws,
                         size_t nw)
{
    for (size_t i = 0; i < nw; i++)
        assert_ok(triage_worker_load(&out[i], e, &ws[i]));
}

/* The load model recomputed from the cases, through the public API. */
static void loads_reference(ref_load *out, triage_engine_t *e, const triage_id_t *ws, size_t nw,
                            const triage_id_t *cs, size_t nc)
{
    const triage_assign_policy_t *pol;
    assert_ok(triage_engine_assign_policy(&pol, e));
    double pf;
    assert_ok(triage_assign_policy_get(&pf, pol, TRIAGE_ASSIGN_PAIR_FACTOR));
    memset(out, 0, nw * sizeof *out);
    for (size_t k = 0; k < nc; k++) {
        triage_case_t c;
        c.version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&c, e, &cs[k]));
        if (c.stage == TRIAGE_STAGE_CLOSED)
            continue;
        double w;
        assert_ok(triage_assign_case_weight(&w, e, &cs[k]));
        for (size_t i = 0; i < nw; i++) {
            int r = !triage_id_compare(&c.responsible, &ws[i]);
            int a = !triage_id_compare(&c.assessment_worker, &ws[i]);
            int p = !triage_id_compare(&c.pair, &ws[i]);
            if (r || a || p) {
                out[i].weighted += r || a ? w : pf * w;
                out[i].cases++;
            }
            if (r && (c.kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION ||
                      c.service == TRIAGE_SERVICE_FAMILY))
                out[i].cw++;
        }
    }
}

static void test_loads_incremental(void **state)
{
    (void)state;
    failing_alloc fa = {0, 0, 0, 0};
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    faulty fy;
    memset(&fy, 0, sizeof fy);
    fy.inner = mem;
    fy.code = -5;
    triage_store_t st = faulty_store(&fy);
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.allocator = fa_allocator(&fa);
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, &o, &st));
    triage_id_t ws[LW], cs[LC];
    size_t nw = 0, nc = 0;
    ws[nw++] = worker(e, TRIAGE_ROLE_SOCIAL_WORKER, 1, 1, 297, 0);
    ws[nw++] = worker(e, TRIAGE_ROLE_SOCIAL_WORKER, 0.6, 1, 297, 0);
    ws[nw++] = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1, 1, 297, 0);
    ws[nw++] = worker(e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 0.8, 1, 297, 0);
    ws[nw++] = worker(e, TRIAGE_ROLE_SERVICE_GUIDE, 1, 1, 297, 0);
    rng_state = 0x2545f4914f6cdd1dULL;
    int incremental = 0, failed = 0;
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    for (int step = 0; step < 1500; step++) {
        int op = (int)(rng() % 100);
        /* new cases, kept under the cap */
        if (nc < 8 || (op < 12 && nc < LC)) {
            case_spec sp = SPEC((int)(rng() % 5));
            if (rng() % 3 == 0) {
                sp.service = TRIAGE_SERVICE_FAMILY;
                if (rng() % 2)
                    sp.kind = TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
            }
            cs[nc++] = make_case(e, sp);
            continue;
        }
        triage_worker_load_t before[LW], after[LW];
        for (size_t v = 0; v < LW; v++)
            before[v].version = after[v].version = TRIAGE_WORKER_LOAD_VERSION;
        loads_public(before, e, ws, nw);
        /* one operation in four runs with a failure injected somewhere */
        int inject = rng() % 4 == 0;
        if (inject && rng() % 2)
            fa.fail_at = fa.calls + 1 + (long)(rng() % 12);
        else if (inject)
            fy.fail_at = fy.calls + 1 + (long)(rng() % 4);
        const triage_id_t *c = &cs[rng() % nc];
        const triage_id_t *w = &ws[rng() % nw];
        triage_status_t rc = TRIAGE_OK;
        triage_assignment_t a;
        a.version = TRIAGE_ASSIGNMENT_VERSION;
        if (op < 35) {
            rc = triage_assign_case(&a, e, c, &req);
            if (!rc)
                triage_assignment_clear(&a);
        } else if (op < 50) {
            triage_case_slot_t slot = (triage_case_slot_t)(1 + rng() % 3);
            rc = triage_case_set_worker(e, c, NULL, T0, slot, rng() % 5 ? w : NULL);
        } else if (op < 62) { /* reclassification */
            triage_scores_t sc_ = scores_q(1 + (int)(rng() % 4));
            rc = triage_case_classify(NULL, NULL, e, c, NULL, T0, &sc_);
        } else if (op < 80) { /* forward through the stages (later factor), or closed */
            triage_move_t m = TRIAGE_MOVE_INIT;
            m.at_ms = T0;
            m.to = (triage_stage_t)(TRIAGE_STAGE_ASSESSMENT + (int)(rng() % 4));
            m.reason = TRIAGE_CLOSE_NO_NEED;
            m.plan_unnecessary = (int32_t)(rng() % 2);
            m.responsible_unnecessary = (int32_t)(rng() % 2);
            rc = triage_case_move(e, c, &m);
        } else if (op < 88) { /* a batch of a few */
            triage_id_t b[3];
            size_t nb = 0;
            for (int k = 0; k < 3; k++) {
                triage_id_t x = cs[rng() % nc];
                int dup = 0;
                for (size_t j = 0; j < nb; j++)
                    dup |= !triage_id_compare(&b[j], &x);
                if (!dup)
                    b[nb++] = x;
            }
            triage_assignment_t *res = NULL;
            triage_batch_stats_t bs = TRIAGE_BATCH_STATS_INIT;
            rc = triage_assign_distribute(&res, &bs, TRIAGE_ASSIGNMENT_VERSION, e, b, nb, &req, 1);
            if (!rc)
                triage_assignments_free(res, nb);
        } else if (op < 94) { /* new weights: the loads are rebuilt */
            triage_assign_policy_t *pol;
            assert_ok(triage_assign_policy_new(&pol, NULL));
            for (int prm = TRIAGE_ASSIGN_WEIGHT_Q1; prm <= TRIAGE_ASSIGN_WEIGHT_UNCLASSIFIED; prm++)
                assert_ok(triage_assign_policy_set(pol, (triage_assign_param_t)prm,
                                                   (double)(rng() % 40) / 7));
            assert_ok(triage_assign_policy_set(pol, TRIAGE_ASSIGN_LATER_FACTOR, (double)(rng() % 10) / 9));
            assert_ok(triage_assign_policy_set(pol, TRIAGE_ASSIGN_PAIR_FACTOR, (double)(rng() % 10) / 9));
            assert_ok(triage_assign_policy_set(pol, TRIAGE_ASSIGN_HARD_CAP, 1000));
            rc = triage_engine_set_assign_policy(e, pol);
            triage_assign_policy_free(pol);
        } else if (nw < LW) { /* a new worker: the loads are rebuilt */
            triage_worker_t nwk = TRIAGE_WORKER_INIT;
            nwk.role = rng() % 2 ? TRIAGE_ROLE_SOCIAL_WORKER : TRIAGE_ROLE_SOCIAL_COUNSELLOR;
            nwk.fte = 0.5;
            nwk.languages = 1;
            nwk.office = 297;
            rc = triage_worker_create(&ws[nw], e, &nwk);
            nw += rc == TRIAGE_OK;
        }
        fa.fail_at = 0;
        fy.fail_at = 0;
        loads_public(after, e, ws, nw);
        if (rc != TRIAGE_OK) {
            failed += rc == TRIAGE_ENOMEM || rc == TRIAGE_ESTORE;
            /* a failed call leaves every load as it was, to the bit */
            assert_memory_equal(before, after, nw * sizeof *before);
        }
        /* the kept aggregates against a fresh scan, bit for bit */
        triage__assign_state *s = triage__assign_peek(e);
        assert_non_null(s);
        assert_true(s->loads_ok); /* loads_public() brought them up to date */
        incremental++;
        size_t n = s->nloads;
        assert_int_equal(n, nw);
        uint64_t units[LW];
        int32_t ncases[LW], ncw[LW];
        memcpy(units, s->units, n * sizeof *units);
        memcpy(ncases, s->ncases, n * sizeof *ncases);
        memcpy(ncw, s->ncw, n * sizeof *ncw);
        s->loads_ok = 0;
        assert_ok(triage__assign_loads(e, s));
        assert_memory_equal(units, s->units, n * sizeof *units);
        assert_memory_equal(ncases, s->ncases, n * sizeof *ncases);
        assert_memory_equal(ncw, s->ncw, n * sizeof *ncw);
        triage_worker_load_t fresh[LW];
        for (size_t v = 0; v < LW; v++)
            fresh[v].version = TRIAGE_WORKER_LOAD_VERSION;
        loads_public(fresh, e, ws, nw);
        assert_memory_equal(after, fresh, nw * sizeof *after);
        /* and the load model itself, recomputed from the cases */
        ref_load ref[LW];
        loads_reference(ref, e, ws, nw, cs, nc);
        for (size_t i = 0; i < nw; i++) {
            /* each case's weight is kept to 1e-9 (whole units) */
            double tol = 1e-9 * (double)(ref[i].cases + 1);
            if (!(fabs(after[i].weighted - ref[i].weighted) <= tol))
                fail_msg("step %d worker %zu: load %.17g, expected %.17g", step, i,
                         after[i].weighted, ref[i].weighted);
            assert_int_equal(after[i].cases, ref[i].cases);
            assert_int_equal(after[i].child_welfare, ref[i].cw);
        }
    }
    /* the sequence did real work */
    assert_true(incremental > 1000);
    assert_true(failed > 50);
    int busy = 0;
    for (size_t i = 0; i < nw; i++) {
        triage_worker_load_t l;
        l.version = TRIAGE_WORKER_LOAD_VERSION;
        assert_ok(triage_worker_load(&l, e, &ws[i]));
        busy += l.cases > 0;
    }
    assert_true(busy >= 3);
    /* an engine opened on the same data (and given the same policy, which
     * is configuration, not stored data) holds the same loads */
    triage_worker_load_t kept[LW], reopened[LW];
    for (size_t v = 0; v < LW; v++)
        kept[v].version = reopened[v].version = TRIAGE_WORKER_LOAD_VERSION;
    loads_public(kept, e, ws, nw);
    const triage_assign_policy_t *used;
    triage_assign_policy_t *pol;
    assert_ok(triage_engine_assign_policy(&used, e));
    assert_ok(triage_assign_policy_copy(&pol, used));
    triage_engine_free(e);
    faulty fy2;
    memset(&fy2, 0, sizeof fy2);
    fy2.inner = mem;
    triage_store_t st2 = faulty_store(&fy2);
    assert_ok(triage_engine_open(&e, &o, &st2));
    assert_ok(triage_engine_set_assign_policy(e, pol));
    triage_assign_policy_free(pol);
    loads_public(reopened, e, ws, nw);
    assert_memory_equal(kept, reopened, nw * sizeof *kept);
    triage_engine_free(e);
    mem.destroy(mem.userdata);
    assert_int_equal(fa.live, 0);
}

/* Reproducer: applying a proposal that is already in place (the simulator's
 * absence handover met one: the slot's worker proposed again) failed with
 * "a change without an event"; it changes nothing and succeeds. */
static void test_apply_proposal_already_in_place(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    sc(e);
    triage_id_t c = make_case(e, SPEC(2));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = T0;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    assert_ok(triage_assign_propose(&a, e, &c, &req));
    assert_ok(triage_assign_apply(e, &a, 1, NULL, T0));
    triage_assignment_clear(&a);
    /* the only counsellor is proposed again, for the slot she holds */
    assert_ok(triage_assign_propose(&a, e, &c, &req));
    assert_int_equal(triage_id_compare(&a.worker, &a.previous), 0);
    size_t before = event_count(e);
    assert_ok(triage_assign_apply(e, &a, 1, NULL, T0));
    assert_int_equal(event_count(e), before);
    triage_case_t got;
    got.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&got, e, &c));
    assert_int_equal(triage_id_compare(&got.assessment_worker, &a.worker), 0);
    triage_assignment_clear(&a);
}

/* Reproducer: when a case's pair was absent, the proposals could offer the
 * case's own responsible worker as the new pair, and applying them failed
 * ("the pair must be another worker than the responsible"; a simulated
 * year with an initial assessment step stopped on it). */
static void test_pair_proposal_is_not_the_responsible(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t r = sw(e), p = sc(e);
    /* an application: its decision deadline (TTL 14 §) falls in the absence */
    triage_id_t c = make_case(e, (case_spec){2, TRIAGE_LANG_FI, 297, TRIAGE_INTAKE_APPLICATION,
                                             TRIAGE_SERVICE_WORKING_AGE, 0, 0});
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_RESPONSIBLE, &r));
    assert_ok(triage_case_set_worker(e, &c, NULL, T0, TRIAGE_SLOT_PAIR, &p));
    triage_date_t day;
    assert_ok(triage_local_time(&day, NULL, T0));
    triage_id_t ab;
    assert_ok(triage_absence_add(&ab, e, &p, day, day + 60, NULL));
    triage_assignment_t *res;
    size_t n;
    assert_ok(triage_absence_proposals(&res, &n, TRIAGE_ASSIGNMENT_VERSION, e, &p, day, day + 60, T0));
    assert_int_equal(n, 1);
    assert_int_equal(res[0].slot, TRIAGE_SLOT_PAIR);
    assert_int_not_equal(triage_id_compare(&res[0].worker, &r), 0);
    if (!triage_id_is_nil(&res[0].worker))
        assert_ok(triage_assign_apply(e, res, n, NULL, T0));
    triage_assignments_free(res, n);
}

/* ---- stored policies as untrusted input ------------------------------------------- */

static int take_policy(void *ctx, const triage_store_record_t *r)
{
    triage__policy *p = ctx;
    memset(p, 0, sizeof *p);
    return triage__decode(p, &triage__policy_schema, r->data, r->len, NULL) != TRIAGE_OK;
}

/* A stored policy whose payload is empty (a database edited behind the
 * engine's back) decodes to a NULL payload of length 0: the text loaders of
 * every slot used to compute NULL + 0 (undefined; found by fuzz_policy under
 * UBSan). The urgency and classifier policies lack their id line and are
 * refused at open; deadline rules have no id, so no line is the default
 * rules; the assignment policy (no id) and the distance matrix (no header)
 * are refused when first used. */
static void test_stored_policy_empty_payload(void **state)
{
    (void)state;
    for (int slot = TRIAGE__POLICY_URGENCY; slot <= TRIAGE__POLICY_DISTANCES; slot++) {
        triage_store_t mem, second;
        assert_ok(triage_store_memory(&mem, NULL));
        assert_ok(triage_store_memory_share(&second, &mem));
        triage_urgency_policy_t *up;
        triage_deadline_rules_t *dr;
        triage_classify_policy_t *cp;
        assert_ok(triage_urgency_policy_new(&up, NULL));
        assert_ok(triage_deadline_rules_new(&dr, NULL));
        assert_ok(triage_classify_policy_new(&cp, NULL));
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.urgency = up;
        o.deadlines = dr;
        o.classify = cp;
        triage_engine_t *e;
        assert_ok(triage_engine_open(&e, &o, &mem));
        triage_urgency_policy_free(up);
        triage_deadline_rules_free(dr);
        triage_classify_policy_free(cp);
        triage_assign_policy_t *ap;
        assert_ok(triage_assign_policy_new(&ap, NULL));
        assert_ok(triage_assign_policy_set_id(ap, "edited", 2));
        assert_ok(triage_engine_set_assign_policy(e, ap));
        triage_assign_policy_free(ap);
        int32_t codes[2] = {297, 92};
        double dist[4] = {0, 10, 10, 0};
        assert_ok(triage_engine_set_distances(e, codes, dist, 2));
        triage_engine_free(e);

        swapped sw;
        memset(&sw, 0, sizeof sw);
        sw.inner = second;
        sw.kind = TRIAGE_RECORD_POLICY;
        triage__policy_record_id(&sw.id, slot);
        triage__policy p;
        assert_int_equal(second.get_record(second.userdata, TRIAGE_RECORD_POLICY, &sw.id,
                                           take_policy, &p),
                         0);
        triage__codec_release(&p, &triage__policy_schema, NULL);
        triage__wbuf w = {NULL, NULL, 0, 0, 0};
        assert_ok(triage__encode(&w, &triage__policy_schema, &p)); /* payload empty */
        sw.data = w.p;
        sw.len = w.n;
        triage_store_t st = swapped_store(&sw);
        triage_status_t rc = triage_engine_open(&e, NULL, &st);
        if (slot == TRIAGE__POLICY_URGENCY || slot == TRIAGE__POLICY_CLASSIFY) {
            assert_int_equal(rc, TRIAGE_ECORRUPT); /* no id line: refused at open */
            assert_non_null(strstr(triage_error_last()->message, "is damaged"));
        } else if (slot == TRIAGE__POLICY_DEADLINES) {
            assert_ok(rc); /* no line changes the defaults: the default rules */
            const triage_deadline_rules_t *r;
            assert_ok(triage_engine_deadline_rules(&r, e));
            triage_engine_free(e);
        } else {
            assert_ok(rc);
            if (slot == TRIAGE__POLICY_ASSIGN) {
                const triage_assign_policy_t *got;
                assert_int_equal(triage_engine_assign_policy(&got, e), TRIAGE_ECORRUPT);
            } else {
                double d;
                assert_int_equal(triage_engine_distance(&d, e, 297, 92), TRIAGE_ECORRUPT);
            }
            assert_non_null(strstr(triage_error_last()->message, "is damaged"));
            triage_engine_free(e);
        }
        triage__free(NULL, w.p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy),
        cmocka_unit_test_setup_teardown(test_load_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_presence_language_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_child_welfare_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_language_after_child_welfare_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child_welfare_cap_counts_children, setup, teardown),
        cmocka_unit_test_setup_teardown(test_over_capacity_explanation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caps_count_clients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_over_cap_assignments_are_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_caps_count_clients_given_away_in_one_apply, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_distribute_names_broken_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_immediate_goes_to_duty_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_continuity_and_locality_beat_balance, setup, teardown),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test_setup_teardown(test_assign_records_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_role_change_proposal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absence_of_a_past_assessment_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_absence_replacement_present_to_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_absence_lists_special_support, setup, teardown),
        cmocka_unit_test_setup_teardown(test_distance_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duty_roster, setup, teardown),
        cmocka_unit_test_setup_teardown(test_balance, setup, teardown),
        cmocka_unit_test(test_batch_exact_vs_brute_force),
        cmocka_unit_test(test_batch_never_worse_than_sequential),
        cmocka_unit_test_setup_teardown(test_batch_no_flooding, setup, teardown),
        cmocka_unit_test(test_batch_engine_vs_one_by_one),
        cmocka_unit_test_setup_teardown(test_batch_small_engine_exact, setup, teardown),
        cmocka_unit_test(test_linear_assignment),
        cmocka_unit_test(test_transport_vs_expanded),
        cmocka_unit_test(test_transport_edges_and_bad_input),
        cmocka_unit_test(test_transport_allocation_failures),
        cmocka_unit_test_setup_teardown(test_allocation_failures, setup, teardown),
        cmocka_unit_test(test_loads_incremental),
        cmocka_unit_test_setup_teardown(test_apply_proposal_already_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pair_proposal_is_not_the_responsible, setup, teardown),
        cmocka_unit_test(test_stored_policy_empty_payload),
    };
    return cmocka_run_group_tests_name("assign", tests, NULL, NULL);
}
