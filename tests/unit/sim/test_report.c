/*
 * Period reports (docs/domain.md §9): a two-week scenario built through the public
 * engine API with every figure checked against hand-computed values, the
 * period filter, an empty period, golden CSV and JSON, JSON escaping,
 * determinism, bad arguments and allocation failure.
 */
#include <math.h>
#include <stdio.h>

#include "testutil.h"

#include "sim/report_priv.h"

#define DAY_MS INT64_C(86400000)
#define HOUR_MS INT64_C(3600000)

/* Local (Finnish, EET = UTC+2 in November/December) 10:00 on day `d` (days
 * since 1970-01-01). 2026-11-23 is day 20780, a Monday. */
static int64_t at(int32_t d, int hour)
{
    return (int64_t)d * DAY_MS + (hour - 2) * HOUR_MS;
}
/* Local midnight starting day `d`. */
static int64_t midnight(int32_t d)
{
    return (int64_t)d * DAY_MS - 2 * HOUR_MS;
}

enum {
    NOV16 = 20773, NOV23 = 20780, NOV24, NOV25, NOV26, NOV27,
    NOV30 = 20787, DEC01, DEC02, DEC03, DEC04, DEC07 = 20794, DEC08
};

typedef struct {
    triage_engine_t *e;
    failing_alloc fa;
    triage_id_t sw1, sc1, sg1, sw2, sc2;
} fixture;

static triage_id_t add_worker(triage_engine_t *e, triage_role_t role, int32_t team)
{
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = role;
    w.team = team;
    w.office = 297;
    triage_id_t id;
    assert_ok(triage_worker_create(&id, e, &w));
    return id;
}

static triage_id_t add_client(triage_engine_t *e)
{
    triage_client_t c = TRIAGE_CLIENT_INIT;
    assert_ok(triage_date_from_ymd(&c.date_of_birth, 1980, 5, 17));
    c.municipality = 297;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    return id;
}

static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return at(NOV16, 8);
}

static triage_engine_t *new_engine(failing_alloc *fa)
{
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    if (fa)
        o.allocator = fa_allocator(fa);
    o.clock = fixed_clock;
    triage_engine_t *e = NULL;
    assert_ok(triage_engine_new(&e, &o));
    return e;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->e = new_engine(&f->fa);
    f->sw1 = add_worker(f->e, TRIAGE_ROLE_SOCIAL_WORKER, 1);
    f->sc1 = add_worker(f->e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 1);
    f->sg1 = add_worker(f->e, TRIAGE_ROLE_SERVICE_GUIDE, 1);
    f->sw2 = add_worker(f->e, TRIAGE_ROLE_SOCIAL_WORKER, 2);
    f->sc2 = add_worker(f->e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, 2);
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

static triage_id_t intake(triage_engine_t *e, const triage_id_t *client, triage_intake_kind_t kind,
                          triage_channel_t channel, uint32_t triggers, int64_t when, int attached)
{
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = *client;
    in.kind = kind;
    in.channel = channel;
    in.triggers = triggers;
    in.received_ms = when;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, e, &in));
    assert_int_equal(r.attached, attached);
    return r.case_id;
}

static void move(triage_engine_t *e, const triage_id_t *c, triage_stage_t to,
                 triage_closing_reason_t reason, int64_t when)
{
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = to;
    m.reason = reason;
    m.at_ms = when;
    m.plan_unnecessary = to == TRIAGE_STAGE_CASEWORK;
    assert_ok(triage_case_move(e, c, &m));
}

static void contact(triage_engine_t *e, const triage_id_t *c, int64_t when, int reached)
{
    assert_ok(triage_case_contact_attempt(e, c, NULL, when, reached));
}

static void classify(triage_engine_t *e, const triage_id_t *c, const triage_id_t *by,
                     int quadrant, int64_t when)
{
    triage_scores_t s;
    memset(&s, 0, sizeof s);
    if (quadrant == 2 || quadrant == 4)
        s.need[TRIAGE_NEED_HOUSING] = 3;
    if (quadrant == 3 || quadrant == 4)
        s.capacity[TRIAGE_CAPACITY_PSYCHIATRIC] = 2;
    triage_classification_t k;
    assert_ok(triage_case_classify(&k, NULL, e, c, by, when, &s));
    assert_int_equal(k.quadrant, quadrant);
}

static void assign(triage_engine_t *e, const triage_id_t *c, triage_case_slot_t slot,
                   const triage_id_t *w, int64_t when)
{
    assert_ok(triage_case_set_worker(e, c, NULL, when, slot, w));
}

static void record(triage_engine_t *e, const triage_id_t *c, int64_t when)
{
    triage_assessment_record_t rec = {TRIAGE_ASSESSMENT_RECORD_VERSION, 1, 1, 1, 1,
                                      TRIAGE_NEED_NATURE_RECURRING};
    assert_ok(triage_case_record_assessment(e, c, NULL, when, &rec));
}

/*
 * The scenario: period 2026-11-23 .. 2026-12-06 (two weeks, no holidays on
 * business days). Case by case, what each contributes:
 *  P  contact/phone 11-16 (before): guidance, failed attempt 11-16 (before),
 *     reached 11-24 (first-contact wait 6), closed advice_given 11-24.
 *  1  notification/other_authority 11-23: failed 11-23, 11-24; reached 11-25
 *     (wait 2); -> distribution 11-25; Q4; sw1 assessment; -> assessment
 *     11-26 (wait 3); sw1 responsible; -> planning 11-30; -> casework 12-01;
 *     sc1 pair 12-02.
 *  2  contact/phone 11-23: reached the same day (wait 0), closed advice_given.
 *  3  contact/e_service 11-24, URGENT (response due 11-25): -> guidance 11-26
 *     (response met late); failed 11-26, 11-27, 12-03; closed unreachable.
 *  4  kela_referral/kela 11-25: reached 11-27 (wait 2); -> initial
 *     assessment 11-27; -> distribution 11-30; Q2; sc2 assessment; ->
 *     assessment 12-02 (wait 5); sc2 responsible; -> casework (plan
 *     unnecessary) 12-03; reclassified Q1 12-04.
 *  5  notification/phone 11-30 IMMEDIATE (response due and met 11-30): ->
 *     distribution; Q2; sc2 assessment; -> assessment 12-01 (wait 1); closed
 *     no_need 12-02.
 *  A  application/letter 12-03 attached to case 1 (its D1 is met).
 *  7  contact/phone 11-26 URGENT (response due 11-27), -> guidance only on
 *     12-08, after the period: missed on the period's last day.
 *  6  contact/phone 12-08, after the period.
 */
typedef struct {
    triage_id_t p, c1, c2, c3, c4, c5, c7, c6;
} scenario;

static scenario build_scenario(fixture *f)
{
    triage_engine_t *e = f->e;
    scenario s;
    triage_id_t a = add_client(e), b = add_client(e), c = add_client(e), d = add_client(e),
                ee = add_client(e), ff = add_client(e);
    const uint32_t urgent_evict = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_EVICTION_OR_CUTOFF);
    const uint32_t urgent_food = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE);
    const uint32_t immediate = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT);

    s.p = intake(e, &ff, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE, 0, at(NOV16, 10), 0);
    move(e, &s.p, TRIAGE_STAGE_GUIDANCE, 0, at(NOV16, 11));
    contact(e, &s.p, at(NOV16, 12), 0);

    s.c1 = intake(e, &a, TRIAGE_INTAKE_NOTIFICATION, TRIAGE_CHANNEL_OTHER_AUTHORITY, 0,
                  at(NOV23, 10), 0);
    s.c2 = intake(e, &b, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE, 0, at(NOV23, 10), 0);
    move(e, &s.c1, TRIAGE_STAGE_GUIDANCE, 0, at(NOV23, 11));
    contact(e, &s.c1, at(NOV23, 12), 0);
    move(e, &s.c2, TRIAGE_STAGE_GUIDANCE, 0, at(NOV23, 10));
    contact(e, &s.c2, at(NOV23, 11), 1);
    move(e, &s.c2, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_ADVICE_GIVEN, at(NOV23, 12));

    contact(e, &s.c1, at(NOV24, 9), 0);
    s.c3 = intake(e, &c, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_E_SERVICE, urgent_evict,
                  at(NOV24, 10), 0);
    contact(e, &s.p, at(NOV24, 11), 1);
    move(e, &s.p, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_ADVICE_GIVEN, at(NOV24, 12));

    contact(e, &s.c1, at(NOV25, 9), 1);
    move(e, &s.c1, TRIAGE_STAGE_DISTRIBUTION, 0, at(NOV25, 10));
    classify(e, &s.c1, &f->sw1, 4, at(NOV25, 10));
    assert_ok(triage_case_decide_special_support(e, &s.c1, &f->sw1, at(NOV25, 10), 1, 0));
    assign(e, &s.c1, TRIAGE_SLOT_ASSESSMENT, &f->sw1, at(NOV25, 11));
    s.c4 = intake(e, &d, TRIAGE_INTAKE_KELA_REFERRAL, TRIAGE_CHANNEL_KELA, 0, at(NOV25, 12), 0);
    move(e, &s.c4, TRIAGE_STAGE_GUIDANCE, 0, at(NOV25, 13));

    move(e, &s.c1, TRIAGE_STAGE_ASSESSMENT, 0, at(NOV26, 9));
    record(e, &s.c1, at(NOV26, 10));
    assign(e, &s.c1, TRIAGE_SLOT_RESPONSIBLE, &f->sw1, at(NOV26, 10));
    move(e, &s.c3, TRIAGE_STAGE_GUIDANCE, 0, at(NOV26, 10));
    contact(e, &s.c3, at(NOV26, 11), 0);
    s.c7 = intake(e, &ff, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE, urgent_food,
                  at(NOV26, 12), 0);

    contact(e, &s.c3, at(NOV27, 9), 0);
    contact(e, &s.c4, at(NOV27, 10), 1);
    move(e, &s.c4, TRIAGE_STAGE_INITIAL_ASSESSMENT, 0, at(NOV27, 11));

    move(e, &s.c1, TRIAGE_STAGE_PLANNING, 0, at(NOV30, 9));
    move(e, &s.c4, TRIAGE_STAGE_DISTRIBUTION, 0, at(NOV30, 9));
    classify(e, &s.c4, &f->sw2, 2, at(NOV30, 9));
    assign(e, &s.c4, TRIAGE_SLOT_ASSESSMENT, &f->sc2, at(NOV30, 9));
    s.c5 = intake(e, &ee, TRIAGE_INTAKE_NOTIFICATION, TRIAGE_CHANNEL_PHONE, immediate,
                  at(NOV30, 10), 0);
    move(e, &s.c5, TRIAGE_STAGE_DISTRIBUTION, 0, at(NOV30, 10));
    classify(e, &s.c5, &f->sw2, 2, at(NOV30, 10));
    assign(e, &s.c5, TRIAGE_SLOT_ASSESSMENT, &f->sc2, at(NOV30, 11));

    move(e, &s.c1, TRIAGE_STAGE_CASEWORK, 0, at(DEC01, 9));
    move(e, &s.c5, TRIAGE_STAGE_ASSESSMENT, 0, at(DEC01, 9));

    move(e, &s.c4, TRIAGE_STAGE_ASSESSMENT, 0, at(DEC02, 9));
    record(e, &s.c4, at(DEC02, 10));
    assign(e, &s.c4, TRIAGE_SLOT_RESPONSIBLE, &f->sc2, at(DEC02, 10));
    assign(e, &s.c1, TRIAGE_SLOT_PAIR, &f->sc1, at(DEC02, 11));
    move(e, &s.c5, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_NO_NEED, at(DEC02, 12));

    move(e, &s.c4, TRIAGE_STAGE_CASEWORK, 0, at(DEC03, 9));
    contact(e, &s.c3, at(DEC03, 9), 0);
    move(e, &s.c3, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_UNREACHABLE, at(DEC03, 10));
    triage_id_t att = intake(e, &a, TRIAGE_INTAKE_APPLICATION, TRIAGE_CHANNEL_LETTER, 0,
                             at(DEC03, 11), 1);
    assert_int_equal(triage_id_compare(&att, &s.c1), 0);

    classify(e, &s.c4, &f->sw2, 1, at(DEC04, 9));

    /* After the period (it ends at 2026-12-07 00:00 local). */
    move(e, &s.c7, TRIAGE_STAGE_GUIDANCE, 0, at(DEC08, 9));
    s.c6 = intake(e, &b, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE, 0, at(DEC08, 10), 0);
    assign(e, &s.c4, TRIAGE_SLOT_PAIR, &f->sw2, at(DEC08, 11));
    return s;
}

static uint32_t intakes(const triage_report_t *r, int kind, int channel)
{
    uint32_t n = 0;
    assert_ok(triage_report_intakes(&n, r, (triage_intake_kind_t)kind, (triage_channel_t)channel));
    return n;
}

static uint32_t closings(const triage_report_t *r, int reason)
{
    uint32_t n = 0;
    assert_ok(triage_report_closings(&n, r, (triage_closing_reason_t)reason));
    return n;
}

static uint32_t quadrants(const triage_report_t *r, int q)
{
    uint32_t n = 0;
    assert_ok(triage_report_quadrants(&n, r, (triage_quadrant_t)q));
    return n;
}

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 1e-9)
        fail_msg("got %.10g, expected %.10g", got, want);
}

static const triage_report_workers_t *row_of(const triage_report_t *r, const triage_id_t *id,
                                             triage_report_workers_t *buf)
{
    uint32_t n;
    assert_ok(triage_report_worker_count(&n, r));
    for (uint32_t i = 0; i < n; i++) {
        assert_ok(triage_report_worker(buf, r, i));
        if (!triage_id_compare(&buf->id, id))
            return buf;
    }
    fail_msg("worker missing from the report");
    return NULL;
}

static void check_group(const triage_report_workers_t *g, uint32_t workers, uint32_t assessment,
                        uint32_t responsible, uint32_t pair)
{
    assert_int_equal(g->workers, workers);
    assert_int_equal(g->assessment, assessment);
    assert_int_equal(g->responsible, responsible);
    assert_int_equal(g->pair, pair);
}

/* Every figure of docs/domain.md §9 against the hand count in build_scenario(). */
static void test_scenario_figures(void **state)
{
    fixture *f = *state;
    build_scenario(f);
    triage_report_t *r = NULL;
    assert_ok(triage_report_new(&r, f->e, midnight(NOV23), midnight(DEC07)));

    int64_t from, to;
    triage_date_t first, last;
    assert_ok(triage_report_period(&from, &to, &first, &last, r));
    assert_true(from == midnight(NOV23) && to == midnight(DEC07));
    assert_int_equal(first, NOV23);
    assert_int_equal(last, DEC07 - 1);

    /* Intakes by kind and channel: 1, 2, 3, 4, 5, 7 and the attached one. */
    assert_int_equal(intakes(r, 0, 0), 7);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_CONTACT, 0), 3);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_NOTIFICATION, 0), 2);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_APPLICATION, 0), 1);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_KELA_REFERRAL, 0), 1);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_OTHER_AUTHORITY, 0), 0);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION, 0), 0);
    assert_int_equal(intakes(r, 0, TRIAGE_CHANNEL_PHONE), 3);
    assert_int_equal(intakes(r, 0, TRIAGE_CHANNEL_E_SERVICE), 1);
    assert_int_equal(intakes(r, 0, TRIAGE_CHANNEL_KELA), 1);
    assert_int_equal(intakes(r, 0, TRIAGE_CHANNEL_LETTER), 1);
    assert_int_equal(intakes(r, 0, TRIAGE_CHANNEL_OTHER_AUTHORITY), 1);
    assert_int_equal(intakes(r, 0, TRIAGE_CHANNEL_WALK_IN), 0);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE), 2);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_NOTIFICATION, TRIAGE_CHANNEL_PHONE), 1);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_NOTIFICATION, TRIAGE_CHANNEL_OTHER_AUTHORITY), 1);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_APPLICATION, TRIAGE_CHANNEL_LETTER), 1);

    /* Guidance: P, 1, 2, 3, 4 left it; P, 2 (advice) and 3 (unreachable) resolved. */
    uint32_t resolved, left;
    double share;
    assert_ok(triage_report_guidance(&resolved, &left, &share, r));
    assert_int_equal(resolved, 3);
    assert_int_equal(left, 5);
    assert_near(share, 0.6);

    uint32_t started, completed, plans;
    assert_ok(triage_report_assessments(&started, &completed, r));
    assert_int_equal(started, 3);   /* 1, 4, 5 */
    assert_int_equal(completed, 2); /* 1 -> planning, 4 -> casework; 5 closed from assessment */
    assert_ok(triage_report_plans(&plans, r));
    assert_int_equal(plans, 1);

    assert_int_equal(closings(r, 0), 4);
    assert_int_equal(closings(r, TRIAGE_CLOSE_ADVICE_GIVEN), 2);
    assert_int_equal(closings(r, TRIAGE_CLOSE_UNREACHABLE), 1);
    assert_int_equal(closings(r, TRIAGE_CLOSE_NO_NEED), 1);
    assert_int_equal(closings(r, TRIAGE_CLOSE_REFERRED), 0);
    assert_int_equal(closings(r, TRIAGE_CLOSE_GOALS_MET), 0);

    /* Deadlines due 11-23..12-06 (docs/domain.md §5.3): D1 (SHL 36 §) of the six
     * new cases and of the attached intake, all met on arrival (urgency
     * assessed as they arrived: their own column, not "met"); response
     * times (policy): case 5 met, case 3 met late, case 7 met only after the
     * period. Every D8 falls due after 12-06. */
    triage_report_deadlines_t dl = {TRIAGE_REPORT_DEADLINES_VERSION, 0, 0, 0, 0, 0};
    assert_ok(triage_report_deadlines(&dl, r, TRIAGE_BASIS_SHL_36));
    assert_int_equal(dl.met, 0);
    assert_int_equal(dl.met_on_arrival, 7);
    assert_int_equal(dl.missed, 0);
    assert_int_equal(dl.open, 0);
    assert_ok(triage_report_deadlines(&dl, r, TRIAGE_BASIS_POLICY));
    assert_int_equal(dl.met, 1);
    assert_int_equal(dl.missed, 2);
    assert_int_equal(dl.open, 0);
    assert_ok(triage_report_deadlines(&dl, r, TRIAGE_BASIS_TTL_14C));
    assert_int_equal(dl.met + dl.missed + dl.open, 0);
    assert_ok(triage_report_deadlines(&dl, r, 0));
    assert_int_equal(dl.met, 1);
    assert_int_equal(dl.met_on_arrival, 7);
    assert_int_equal(dl.missed, 2);

    /* Waiting times in business days: first contact P 6, 1: 2, 2: 0, 4: 2
     * -> sorted 0 2 2 6: median 2, p90 = 2 + 0.7 * 4 = 4.8. Assessment start
     * 1: 3, 4: 5, 5: 1 -> median 3, p90 = 3 + 0.8 * 2 = 4.6. */
    uint32_t n;
    double med, p90;
    assert_ok(triage_report_waiting(&n, &med, &p90, r, TRIAGE_WAIT_FIRST_CONTACT));
    assert_int_equal(n, 4);
    assert_near(med, 2.0);
    assert_near(p90, 4.8);
    assert_ok(triage_report_waiting(&n, &med, &p90, r, TRIAGE_WAIT_ASSESSMENT_START));
    assert_int_equal(n, 3);
    assert_near(med, 3.0);
    assert_near(p90, 4.6);

    /* Quadrant mix, latest in the period: 1 Q4, 4 Q1 (was Q2), 5 Q2. */
    assert_int_equal(quadrants(r, 0), 3);
    assert_int_equal(quadrants(r, TRIAGE_Q1_GUIDANCE_ONLY), 1);
    assert_int_equal(quadrants(r, TRIAGE_Q2_SOCIAL_GUIDANCE_WORK), 1);
    assert_int_equal(quadrants(r, TRIAGE_Q3_SUPPORTED_GUIDANCE), 0);
    assert_int_equal(quadrants(r, TRIAGE_Q4_SPECIAL_SUPPORT), 1);

    /* Failed contacts: 1 unreachable twice, 3 three times (P's was before);
     * no booked meeting missed. */
    uint32_t noshow = 9;
    assert_ok(triage_report_failed_contacts(&noshow, &n, r));
    assert_int_equal(n, 5);
    assert_int_equal(noshow, 0);
    assert_ok(triage_report_plan_reviews(&n, r));
    assert_int_equal(n, 0);

    /* Workers, ordered by team, role, id. */
    assert_ok(triage_report_worker_count(&n, r));
    assert_int_equal(n, 5);
    triage_report_workers_t w, prev;
    for (uint32_t i = 0; i < n; i++) {
        assert_ok(triage_report_worker(&w, r, i));
        if (i)
            assert_true(prev.team < w.team || (prev.team == w.team && prev.role <= w.role));
        prev = w;
    }
    check_group(row_of(r, &f->sw1, &w), 1, 1, 1, 0);
    check_group(row_of(r, &f->sc1, &w), 1, 0, 0, 1);
    check_group(row_of(r, &f->sg1, &w), 1, 0, 0, 0);
    check_group(row_of(r, &f->sw2, &w), 1, 0, 0, 0); /* the 12-08 pair is after the period */
    check_group(row_of(r, &f->sc2, &w), 1, 2, 1, 0);
    assert_int_equal(row_of(r, &f->sc2, &w)->team, 2);
    assert_int_equal(row_of(r, &f->sc2, &w)->role, TRIAGE_ROLE_SOCIAL_COUNSELLOR);

    assert_ok(triage_report_role(&w, r, TRIAGE_ROLE_SOCIAL_WORKER));
    check_group(&w, 2, 1, 1, 0);
    assert_int_equal(w.team, -1);
    assert_ok(triage_report_role(&w, r, TRIAGE_ROLE_SOCIAL_COUNSELLOR));
    check_group(&w, 2, 2, 1, 1);
    assert_ok(triage_report_role(&w, r, TRIAGE_ROLE_SERVICE_GUIDE));
    check_group(&w, 1, 0, 0, 0);
    assert_ok(triage_report_team_count(&n, r));
    assert_int_equal(n, 2);
    assert_ok(triage_report_team(&w, r, 0));
    assert_int_equal(w.team, 1);
    check_group(&w, 3, 1, 1, 1);
    assert_ok(triage_report_team(&w, r, 1));
    assert_int_equal(w.team, 2);
    check_group(&w, 2, 2, 1, 0);
    assert_status(triage_report_team(&w, r, 2), TRIAGE_ERANGE);
    assert_status(triage_report_worker(&w, r, 5), TRIAGE_ERANGE);

    /* Loads now (docs/domain.md §7.1 defaults: Q4 2.0, Q1 0.5, x0.7 in casework,
     * a pair 0.3 of the weight): case 1 (Q4, casework) 1.4 to sw1 and 0.42
     * to its pair sc1; case 4 (Q1, casework) 0.35 to sc2 and 0.105 to its
     * pair sw2 (set after the period: loads are the state at report time);
     * case 5 is closed. */
    assert_near(row_of(r, &f->sw1, &w)->load, 1.4);
    assert_near(row_of(r, &f->sc1, &w)->load, 0.42);
    assert_near(row_of(r, &f->sg1, &w)->load, 0.0);
    assert_near(row_of(r, &f->sw2, &w)->load, 0.105);
    assert_near(row_of(r, &f->sc2, &w)->load, 0.35);
    assert_ok(triage_report_role(&w, r, TRIAGE_ROLE_SOCIAL_WORKER));
    assert_near(w.load, 0.0);
    /* Balance (docs/domain.md §7.7): social workers 1.4 and 0.105: mean 0.7525,
     * population sd 0.6475, cv 0.6475 / 0.7525, Gini |1.4 - 0.105| / (2 * 2 * 0.7525) * 2 / 2. */
    triage_balance_t bal;
    bal.version = TRIAGE_BALANCE_VERSION;
    assert_ok(triage_report_balance(&bal, r, TRIAGE_ROLE_SOCIAL_WORKER, -1));
    assert_int_equal(bal.workers, 2);
    assert_near(bal.max, 1.4);
    assert_near(bal.min, 0.105);
    assert_near(bal.mean, 0.7525);
    assert_near(bal.cv, 0.6475 / 0.7525);
    assert_near(bal.gini, 1.295 / (2.0 * 0.7525 * 2.0));
    assert_ok(triage_report_balance(&bal, r, 0, -1));
    assert_int_equal(bal.workers, 5);
    assert_near(bal.max, 1.4);
    assert_near(bal.min, 0.0);
    assert_near(bal.mean, (1.4 + 0.42 + 0.105 + 0.35) / 5.0);
    assert_ok(triage_report_balance(&bal, r, 0, 2));
    assert_int_equal(bal.workers, 2);
    assert_near(bal.mean, (0.105 + 0.35) / 2.0);
    assert_ok(triage_report_balance(&bal, r, TRIAGE_ROLE_SERVICE_GUIDE, 2));
    assert_int_equal(bal.workers, 0);
    assert_true(isnan(bal.mean));
    assert_status(triage_report_balance(&bal, r, 0, 7), TRIAGE_EINVAL);
    assert_error_arg("team");
    assert_status(triage_report_balance(&bal, r, (triage_role_t)4, -1), TRIAGE_EINVAL);
    assert_error_arg("role");
    assert_status(triage_report_balance(NULL, r, 0, -1), TRIAGE_EINVAL);
    assert_status(triage_report_balance(&bal, NULL, 0, -1), TRIAGE_EINVAL);

    /* The writers carry the same figures. */
    char *csv = NULL, *json = NULL;
    assert_ok(triage_report_write_csv(&csv, r));
    assert_ok(triage_report_write_json(&json, r));
    assert_non_null(strstr(csv, "\nguidance,,share,0.6\n"));
    assert_non_null(strstr(csv, "\nwaiting_days,first_contact,p90,4.8\n"));
    assert_non_null(strstr(csv, "\ndeadlines,SHL 36 §,met_on_arrival,7\n"));
    assert_non_null(strstr(csv, "\nintakes,contact,phone,2\n"));
    assert_non_null(strstr(csv, "\nrole,social_counsellor,assessment,2\n"));
    assert_non_null(strstr(json, "\"share\": 0.6\n"));
    assert_non_null(strstr(json, "\"basis\": \"SHL 36 \\u00a7\""));
    char id[TRIAGE_ID_STRLEN], line[128];
    assert_ok(triage_id_format(id, sizeof id, &f->sc2));
    snprintf(line, sizeof line, "\nworker,%s,assessment,2\n", id);
    assert_non_null(strstr(csv, line));
    snprintf(line, sizeof line, "\"id\": \"%s\"", id);
    assert_non_null(strstr(json, line));
    snprintf(line, sizeof line, "\nworker,%s,load,0.35\n", id);
    assert_non_null(strstr(csv, line));
    assert_non_null(strstr(csv, "\nbalance_role,social_worker,mean,0.7525\n"));
    assert_non_null(strstr(csv, "\nbalance_team,2,workers,2\n"));
    assert_non_null(strstr(json, "\"load\": 1.4\n"));
    triage_free(csv);
    triage_free(json);
    triage_report_free(r);
}

/* The period filter: half-open [from, to) on event times. */
static void test_period_filter(void **state)
{
    fixture *f = *state;
    build_scenario(f);
    triage_report_t *r = NULL;
    /* Only 2026-11-16: P's intake and its failed attempt. */
    assert_ok(triage_report_new(&r, f->e, midnight(NOV16), midnight(NOV16 + 1)));
    assert_int_equal(intakes(r, 0, 0), 1);
    uint32_t n;
    assert_ok(triage_report_failed_contacts(NULL, &n, r));
    assert_int_equal(n, 1);
    assert_ok(triage_report_waiting(&n, NULL, NULL, r, TRIAGE_WAIT_FIRST_CONTACT));
    assert_int_equal(n, 0);
    triage_report_free(r);

    /* An event exactly at `to` is outside; exactly at `from` inside. Case 2's
     * intake is at 11-23 10:00. */
    assert_ok(triage_report_new(&r, f->e, at(NOV23, 10), at(NOV23, 10) + 1));
    assert_int_equal(intakes(r, 0, 0), 2); /* 1 and 2 both arrived at 10:00 */
    triage_report_free(r);
    assert_ok(triage_report_new(&r, f->e, at(NOV23, 9), at(NOV23, 10)));
    assert_int_equal(intakes(r, 0, 0), 0);
    triage_report_free(r);

    /* 11-26..11-27: case 7's response is due 11-27 and, on 11-27, still open;
     * case 3's was due 11-25 (outside). */
    assert_ok(triage_report_new(&r, f->e, midnight(NOV26), midnight(NOV27 + 1)));
    triage_report_deadlines_t dl = {TRIAGE_REPORT_DEADLINES_VERSION, 0, 0, 0, 0, 0};
    assert_ok(triage_report_deadlines(&dl, r, TRIAGE_BASIS_POLICY));
    assert_int_equal(dl.open, 1);
    assert_int_equal(dl.met + dl.missed, 0);
    triage_report_free(r);

    /* After the period: case 6, case 7 leaves RECEIVED, the sw2 pair. */
    assert_ok(triage_report_new(&r, f->e, midnight(DEC08), midnight(DEC08 + 1)));
    assert_int_equal(intakes(r, 0, 0), 1);
    triage_report_workers_t w;
    assert_ok(triage_report_role(&w, r, TRIAGE_ROLE_SOCIAL_WORKER));
    check_group(&w, 2, 0, 0, 1);
    uint32_t left;
    assert_ok(triage_report_guidance(NULL, &left, NULL, r));
    assert_int_equal(left, 0);
    triage_report_free(r);
}

/* Nothing happened: every count zero, undefined figures NaN. */
static void test_empty_period(void **state)
{
    fixture *f = *state;
    build_scenario(f);
    triage_report_t *r = NULL;
    assert_ok(triage_report_new(&r, f->e, midnight(NOV16 - 30), midnight(NOV16 - 20)));
    assert_int_equal(intakes(r, 0, 0), 0);
    assert_int_equal(closings(r, 0), 0);
    assert_int_equal(quadrants(r, 0), 0);
    uint32_t a = 9, b = 9, n = 9;
    double share = 0, med = 0, p90 = 0;
    assert_ok(triage_report_guidance(&a, &b, &share, r));
    assert_true(a == 0 && b == 0 && isnan(share));
    assert_ok(triage_report_waiting(&n, &med, &p90, r, TRIAGE_WAIT_ASSESSMENT_START));
    assert_true(n == 0 && isnan(med) && isnan(p90));
    triage_report_deadlines_t dl = {TRIAGE_REPORT_DEADLINES_VERSION, 0, 0, 0, 0, 0};
    assert_ok(triage_report_deadlines(&dl, r, 0));
    assert_int_equal(dl.met + dl.missed + dl.open, 0);
    triage_report_workers_t w;
    assert_ok(triage_report_team(&w, r, 0));
    check_group(&w, 3, 0, 0, 0);
    char *json = NULL;
    assert_ok(triage_report_write_json(&json, r));
    assert_non_null(strstr(json, "\"share\": null"));
    assert_non_null(strstr(json, "\"median\": null"));
    triage_free(json);
    triage_report_free(r);
}

/* A workerless engine: every byte of the output is known. One contact by
 * phone on 2026-11-23, guidance, closed with advice the same day. */
static triage_engine_t *golden_engine(void)
{
    triage_engine_t *e = new_engine(NULL);
    triage_id_t cl = add_client(e);
    triage_id_t c = intake(e, &cl, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE, 0,
                           at(NOV23, 10), 0);
    move(e, &c, TRIAGE_STAGE_GUIDANCE, 0, at(NOV23, 10));
    contact(e, &c, at(NOV23, 11), 1);
    move(e, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_ADVICE_GIVEN, at(NOV23, 12));
    return e;
}

/* One string per line (ISO C caps a literal at 4095 characters). */
static const char *const golden_csv[] = {
    "section,group,key,value\n",
    "period,,from_ms,1795384800000\n",
    "period,,to_ms,1795471200000\n",
    "period,,first_day,2026-11-23\n",
    "period,,last_day,2026-11-23\n",
    "intakes,all,all,1\n",
    "intakes,all,phone,1\n",
    "intakes,all,e_service,0\n",
    "intakes,all,walk_in,0\n",
    "intakes,all,outreach,0\n",
    "intakes,all,kela,0\n",
    "intakes,all,letter,0\n",
    "intakes,all,other_authority,0\n",
    "intakes,contact,all,1\n",
    "intakes,contact,phone,1\n",
    "intakes,contact,e_service,0\n",
    "intakes,contact,walk_in,0\n",
    "intakes,contact,outreach,0\n",
    "intakes,contact,kela,0\n",
    "intakes,contact,letter,0\n",
    "intakes,contact,other_authority,0\n",
    "intakes,notification,all,0\n",
    "intakes,notification,phone,0\n",
    "intakes,notification,e_service,0\n",
    "intakes,notification,walk_in,0\n",
    "intakes,notification,outreach,0\n",
    "intakes,notification,kela,0\n",
    "intakes,notification,letter,0\n",
    "intakes,notification,other_authority,0\n",
    "intakes,child_welfare_notification,all,0\n",
    "intakes,child_welfare_notification,phone,0\n",
    "intakes,child_welfare_notification,e_service,0\n",
    "intakes,child_welfare_notification,walk_in,0\n",
    "intakes,child_welfare_notification,outreach,0\n",
    "intakes,child_welfare_notification,kela,0\n",
    "intakes,child_welfare_notification,letter,0\n",
    "intakes,child_welfare_notification,other_authority,0\n",
    "intakes,application,all,0\n",
    "intakes,application,phone,0\n",
    "intakes,application,e_service,0\n",
    "intakes,application,walk_in,0\n",
    "intakes,application,outreach,0\n",
    "intakes,application,kela,0\n",
    "intakes,application,letter,0\n",
    "intakes,application,other_authority,0\n",
    "intakes,kela_referral,all,0\n",
    "intakes,kela_referral,phone,0\n",
    "intakes,kela_referral,e_service,0\n",
    "intakes,kela_referral,walk_in,0\n",
    "intakes,kela_referral,outreach,0\n",
    "intakes,kela_referral,kela,0\n",
    "intakes,kela_referral,letter,0\n",
    "intakes,kela_referral,other_authority,0\n",
    "intakes,other_authority,all,0\n",
    "intakes,other_authority,phone,0\n",
    "intakes,other_authority,e_service,0\n",
    "intakes,other_authority,walk_in,0\n",
    "intakes,other_authority,outreach,0\n",
    "intakes,other_authority,kela,0\n",
    "intakes,other_authority,letter,0\n",
    "intakes,other_authority,other_authority,0\n",
    "guidance,,left,1\n",
    "guidance,,resolved,1\n",
    "guidance,,share,1\n",
    "assessments,,started,0\n",
    "assessments,,completed,0\n",
    "plans,,made,0\n",
    "plans,,reviewed,0\n",
    "closings,,all,1\n",
    "closings,,advice_given,1\n",
    "closings,,referred,0\n",
    "closings,,declined,0\n",
    "closings,,unreachable,0\n",
    "closings,,no_need,0\n",
    "closings,,goals_met,0\n",
    "closings,,moved_away,0\n",
    "closings,,duplicate,0\n",
    "deadlines,all,met,0\n",
    "deadlines,all,missed,0\n",
    "deadlines,all,open,0\n",
    "deadlines,all,cancelled,0\n",
    "deadlines,all,met_on_arrival,1\n",
    "deadlines,SHL 36 §,met,0\n",
    "deadlines,SHL 36 §,missed,0\n",
    "deadlines,SHL 36 §,open,0\n",
    "deadlines,SHL 36 §,cancelled,0\n",
    "deadlines,SHL 36 §,met_on_arrival,1\n",
    "deadlines,SHL 45 §,met,0\n",
    "deadlines,SHL 45 §,missed,0\n",
    "deadlines,SHL 45 §,open,0\n",
    "deadlines,SHL 45 §,cancelled,0\n",
    "deadlines,SHL 45 §,met_on_arrival,0\n",
    "deadlines,LSL 26 §,met,0\n",
    "deadlines,LSL 26 §,missed,0\n",
    "deadlines,LSL 26 §,open,0\n",
    "deadlines,LSL 26 §,cancelled,0\n",
    "deadlines,LSL 26 §,met_on_arrival,0\n",
    "deadlines,TTL 14 b §,met,0\n",
    "deadlines,TTL 14 b §,missed,0\n",
    "deadlines,TTL 14 b §,open,0\n",
    "deadlines,TTL 14 b §,cancelled,0\n",
    "deadlines,TTL 14 b §,met_on_arrival,0\n",
    "deadlines,TTL 14 c §,met,0\n",
    "deadlines,TTL 14 c §,missed,0\n",
    "deadlines,TTL 14 c §,open,0\n",
    "deadlines,TTL 14 c §,cancelled,0\n",
    "deadlines,TTL 14 c §,met_on_arrival,0\n",
    "deadlines,TTL 14 e §,met,0\n",
    "deadlines,TTL 14 e §,missed,0\n",
    "deadlines,TTL 14 e §,open,0\n",
    "deadlines,TTL 14 e §,cancelled,0\n",
    "deadlines,TTL 14 e §,met_on_arrival,0\n",
    "deadlines,policy,met,0\n",
    "deadlines,policy,missed,0\n",
    "deadlines,policy,open,0\n",
    "deadlines,policy,cancelled,0\n",
    "deadlines,policy,met_on_arrival,0\n",
    "deadlines,SHL 39 §,met,0\n",
    "deadlines,SHL 39 §,missed,0\n",
    "deadlines,SHL 39 §,open,0\n",
    "deadlines,SHL 39 §,cancelled,0\n",
    "deadlines,SHL 39 §,met_on_arrival,0\n",
    "waiting_days,first_contact,count,1\n",
    "waiting_days,first_contact,median,0\n",
    "waiting_days,first_contact,p90,0\n",
    "waiting_days,assessment_start,count,0\n",
    "waiting_days,assessment_start,median,\n",
    "waiting_days,assessment_start,p90,\n",
    "quadrants,,all,0\n",
    "quadrants,,guidance_only,0\n",
    "quadrants,,social_guidance_work,0\n",
    "quadrants,,supported_guidance,0\n",
    "quadrants,,special_support,0\n",
    "failed_contacts,,no_shows,0\n",
    "failed_contacts,,unreachable_attempts,0\n",
    "over_cap,,soft,0\n",
    "over_cap,,hard,0\n",
    "role,service_guide,workers,0\n",
    "role,service_guide,assessment,0\n",
    "role,service_guide,responsible,0\n",
    "role,service_guide,pair,0\n",
    "role,social_counsellor,workers,0\n",
    "role,social_counsellor,assessment,0\n",
    "role,social_counsellor,responsible,0\n",
    "role,social_counsellor,pair,0\n",
    "role,social_worker,workers,0\n",
    "role,social_worker,assessment,0\n",
    "role,social_worker,responsible,0\n",
    "role,social_worker,pair,0\n",
    "balance_role,all,workers,0\n",
    "balance_role,all,max,\n",
    "balance_role,all,min,\n",
    "balance_role,all,mean,\n",
    "balance_role,all,cv,\n",
    "balance_role,all,gini,\n",
    "balance_role,service_guide,workers,0\n",
    "balance_role,service_guide,max,\n",
    "balance_role,service_guide,min,\n",
    "balance_role,service_guide,mean,\n",
    "balance_role,service_guide,cv,\n",
    "balance_role,service_guide,gini,\n",
    "balance_role,social_counsellor,workers,0\n",
    "balance_role,social_counsellor,max,\n",
    "balance_role,social_counsellor,min,\n",
    "balance_role,social_counsellor,mean,\n",
    "balance_role,social_counsellor,cv,\n",
    "balance_role,social_counsellor,gini,\n",
    "balance_role,social_worker,workers,0\n",
    "balance_role,social_worker,max,\n",
    "balance_role,social_worker,min,\n",
    "balance_role,social_worker,mean,\n",
    "balance_role,social_worker,cv,\n",
    "balance_role,social_worker,gini,\n",
    NULL};

/* One string per line (ISO C caps a literal at 4095 characters). */
static const char *const golden_json[] = {
    "{\n",
    "  \"format\": \"libtriage-report\",\n",
    "  \"format_version\": 2,\n",
    "  \"period\": {\n",
    "    \"from_ms\": 1795384800000,\n",
    "    \"to_ms\": 1795471200000,\n",
    "    \"first_day\": \"2026-11-23\",\n",
    "    \"last_day\": \"2026-11-23\"\n",
    "  },\n",
    "  \"intakes\": {\n",
    "    \"total\": 1,\n",
    "    \"by_kind\": {\n",
    "      \"contact\": 1,\n",
    "      \"notification\": 0,\n",
    "      \"child_welfare_notification\": 0,\n",
    "      \"application\": 0,\n",
    "      \"kela_referral\": 0,\n",
    "      \"other_authority\": 0\n",
    "    },\n",
    "    \"by_channel\": {\n",
    "      \"phone\": 1,\n",
    "      \"e_service\": 0,\n",
    "      \"walk_in\": 0,\n",
    "      \"outreach\": 0,\n",
    "      \"kela\": 0,\n",
    "      \"letter\": 0,\n",
    "      \"other_authority\": 0\n",
    "    },\n",
    "    \"by_kind_and_channel\": {\n",
    "      \"contact\": {\n",
    "        \"phone\": 1,\n",
    "        \"e_service\": 0,\n",
    "        \"walk_in\": 0,\n",
    "        \"outreach\": 0,\n",
    "        \"kela\": 0,\n",
    "        \"letter\": 0,\n",
    "        \"other_authority\": 0\n",
    "      },\n",
    "      \"notification\": {\n",
    "        \"phone\": 0,\n",
    "        \"e_service\": 0,\n",
    "        \"walk_in\": 0,\n",
    "        \"outreach\": 0,\n",
    "        \"kela\": 0,\n",
    "        \"letter\": 0,\n",
    "        \"other_authority\": 0\n",
    "      },\n",
    "      \"child_welfare_notification\": {\n",
    "        \"phone\": 0,\n",
    "        \"e_service\": 0,\n",
    "        \"walk_in\": 0,\n",
    "        \"outreach\": 0,\n",
    "        \"kela\": 0,\n",
    "        \"letter\": 0,\n",
    "        \"other_authority\": 0\n",
    "      },\n",
    "      \"application\": {\n",
    "        \"phone\": 0,\n",
    "        \"e_service\": 0,\n",
    "        \"walk_in\": 0,\n",
    "        \"outreach\": 0,\n",
    "        \"kela\": 0,\n",
    "        \"letter\": 0,\n",
    "        \"other_authority\": 0\n",
    "      },\n",
    "      \"kela_referral\": {\n",
    "        \"phone\": 0,\n",
    "        \"e_service\": 0,\n",
    "        \"walk_in\": 0,\n",
    "        \"outreach\": 0,\n",
    "        \"kela\": 0,\n",
    "        \"letter\": 0,\n",
    "        \"other_authority\": 0\n",
    "      },\n",
    "      \"other_authority\": {\n",
    "        \"phone\": 0,\n",
    "        \"e_service\": 0,\n",
    "        \"walk_in\": 0,\n",
    "        \"outreach\": 0,\n",
    "        \"kela\": 0,\n",
    "        \"letter\": 0,\n",
    "        \"other_authority\": 0\n",
    "      }\n",
    "    }\n",
    "  },\n",
    "  \"guidance\": {\n",
    "    \"left\": 1,\n",
    "    \"resolved\": 1,\n",
    "    \"share\": 1\n",
    "  },\n",
    "  \"assessments\": {\n",
    "    \"started\": 0,\n",
    "    \"completed\": 0\n",
    "  },\n",
    "  \"plans\": 0,\n",
    "  \"plan_reviews\": 0,\n",
    "  \"closings\": {\n",
    "    \"total\": 1,\n",
    "    \"by_reason\": {\n",
    "      \"advice_given\": 1,\n",
    "      \"referred\": 0,\n",
    "      \"declined\": 0,\n",
    "      \"unreachable\": 0,\n",
    "      \"no_need\": 0,\n",
    "      \"goals_met\": 0,\n",
    "      \"moved_away\": 0,\n",
    "      \"duplicate\": 0\n",
    "    }\n",
    "  },\n",
    "  \"deadlines\": [\n",
    "    {\n",
    "      \"basis\": \"SHL 36 \\u00a7\",\n",
    "      \"met\": 0,\n",
    "      \"missed\": 0,\n",
    "      \"open\": 0,\n",
    "      \"cancelled\": 0,\n",
    "      \"met_on_arrival\": 1\n",
    "    },\n",
    "    {\n",
    "      \"basis\": \"SHL 45 \\u00a7\",\n",
    "      \"met\": 0,\n",
    "      \"missed\": 0,\n",
    "      \"open\": 0,\n",
    "      \"cancelled\": 0,\n",
    "      \"met_on_arrival\": 0\n",
    "    },\n",
    "    {\n",
    "      \"basis\": \"LSL 26 \\u00a7\",\n",
    "      \"met\": 0,\n",
    "      \"missed\": 0,\n",
    "      \"open\": 0,\n",
    "      \"cancelled\": 0,\n",
    "      \"met_on_arrival\": 0\n",
    "    },\n",
    "    {\n",
    "      \"basis\": \"TTL 14 b \\u00a7\",\n",
    "      \"met\": 0,\n",
    "      \"missed\": 0,\n",
    "      \"open\": 0,\n",
    "      \"cancelled\": 0,\n",
    "      \"met_on_arrival\": 0\n",
    "    },\n",
    "    {\n",
    "      \"basis\": \"TTL 14 c \\u00a7\",\n",
    "      \"met\": 0,\n",
    "      \"missed\": 0,\n",
    "      \"open\": 0,\n",
    "      \"cancelled\": 0,\n",
    "      \"met_on_arrival\": 0\n",
    "    },\n",
    "    {\n",
    "      \"basis\": \"TTL 14 e \\u00a7\",\n",
    "      \"met\": 0,\n",
    "      \"missed\": 0,\n",
    "      \"open\": 0,\n",
    "      \"cancelled\": 0,\n",
    "      \"met_on_arrival\": 0\n",
    "    },\n",
    "    {\n",
    "      \"basis\": \"policy\",\n",
    "      \"met\": 0,\n",
    "      \"missed\": 0,\n",
    "      \"open\": 0,\n",
    "      \"cancelled\": 0,\n",
    "      \"met_on_arrival\": 0\n",
    "    },\n",
    "    {\n",
    "      \"basis\": \"SHL 39 \\u00a7\",\n",
    "      \"met\": 0,\n",
    "      \"missed\": 0,\n",
    "      \"open\": 0,\n",
    "      \"cancelled\": 0,\n",
    "      \"met_on_arrival\": 0\n",
    "    }\n",
    "  ],\n",
    "  \"waiting_days\": {\n",
    "    \"first_contact\": {\n",
    "      \"count\": 1,\n",
    "      \"median\": 0,\n",
    "      \"p90\": 0\n",
    "    },\n",
    "    \"assessment_start\": {\n",
    "      \"count\": 0,\n",
    "      \"median\": null,\n",
    "      \"p90\": null\n",
    "    }\n",
    "  },\n",
    "  \"quadrants\": {\n",
    "    \"guidance_only\": 0,\n",
    "    \"social_guidance_work\": 0,\n",
    "    \"supported_guidance\": 0,\n",
    "    \"special_support\": 0\n",
    "  },\n",
    "  \"failed_contacts\": {\n",
    "    \"no_shows\": 0,\n",
    "    \"unreachable_attempts\": 0\n",
    "  },\n",
    "  \"over_cap\": {\n",
    "    \"soft\": 0,\n",
    "    \"hard\": 0\n",
    "  },\n",
    "  \"workers\": [],\n",
    "  \"roles\": [\n",
    "    {\n",
    "      \"role\": \"service_guide\",\n",
    "      \"workers\": 0,\n",
    "      \"assessment\": 0,\n",
    "      \"responsible\": 0,\n",
    "      \"pair\": 0\n",
    "    },\n",
    "    {\n",
    "      \"role\": \"social_counsellor\",\n",
    "      \"workers\": 0,\n",
    "      \"assessment\": 0,\n",
    "      \"responsible\": 0,\n",
    "      \"pair\": 0\n",
    "    },\n",
    "    {\n",
    "      \"role\": \"social_worker\",\n",
    "      \"workers\": 0,\n",
    "      \"assessment\": 0,\n",
    "      \"responsible\": 0,\n",
    "      \"pair\": 0\n",
    "    }\n",
    "  ],\n",
    "  \"teams\": [],\n",
    "  \"balance\": {\n",
    "    \"all\": {\n",
    "      \"workers\": 0,\n",
    "      \"max\": null,\n",
    "      \"min\": null,\n",
    "      \"mean\": null,\n",
    "      \"cv\": null,\n",
    "      \"gini\": null\n",
    "    },\n",
    "    \"by_role\": [\n",
    "      {\n",
    "        \"role\": \"service_guide\",\n",
    "        \"workers\": 0,\n",
    "        \"max\": null,\n",
    "        \"min\": null,\n",
    "        \"mean\": null,\n",
    "        \"cv\": null,\n",
    "        \"gini\": null\n",
    "      },\n",
    "      {\n",
    "        \"role\": \"social_counsellor\",\n",
    "        \"workers\": 0,\n",
    "        \"max\": null,\n",
    "        \"min\": null,\n",
    "        \"mean\": null,\n",
    "        \"cv\": null,\n",
    "        \"gini\": null\n",
    "      },\n",
    "      {\n",
    "        \"role\": \"social_worker\",\n",
    "        \"workers\": 0,\n",
    "        \"max\": null,\n",
    "        \"min\": null,\n",
    "        \"mean\": null,\n",
    "        \"cv\": null,\n",
    "        \"gini\": null\n",
    "      }\n",
    "    ],\n",
    "    \"by_team\": []\n",
    "  }\n",
    "}\n",
    NULL};

/* Joins NULL-terminated lines into one string (malloc'd). */
static char *joined(const char *const *lines)
{
    size_t n = 1;
    for (size_t i = 0; lines[i]; i++)
        n += strlen(lines[i]);
    char *s = malloc(n), *p = s;
    assert_non_null(s);
    for (size_t i = 0; lines[i]; i++) {
        size_t k = strlen(lines[i]);
        memcpy(p, lines[i], k);
        p += k;
    }
    *p = '\0';
    return s;
}

/* Issue 12 defect 5: the period report counts the assignments made above
 * the soft and the hard cap (marked in their WORKER_ASSIGNED events). */
static void test_over_cap_counts(void **state)
{
    (void)state;
    triage_engine_t *e;
    assert_ok(triage_engine_new(&e, NULL));
    triage_assign_policy_t *p;
    assert_ok(triage_assign_policy_new(&p, NULL));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_SOFT_CAP, 1));
    assert_ok(triage_assign_policy_set(p, TRIAGE_ASSIGN_HARD_CAP, 2));
    assert_ok(triage_engine_set_assign_policy(e, p));
    triage_assign_policy_free(p);
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = TRIAGE_ROLE_SOCIAL_COUNSELLOR;
    triage_id_t wid;
    assert_ok(triage_worker_create(&wid, e, &w));
    const int64_t t0 = INT64_C(20780) * 86400000 + 8 * INT64_C(3600000);
    for (int i = 0; i < 3; i++) {
        triage_client_t c = TRIAGE_CLIENT_INIT;
        triage_id_t cl;
        assert_ok(triage_client_create(&cl, e, &c));
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = cl;
        in.kind = TRIAGE_INTAKE_CONTACT;
        in.received_ms = t0;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&r, e, &in));
        triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
        req.at_ms = t0;
        req.slot = TRIAGE_SLOT_RESPONSIBLE;
        triage_assignment_t a;
        a.version = TRIAGE_ASSIGNMENT_VERSION;
        assert_ok(triage_assign_case(&a, e, &r.case_id, &req));
        triage_assignment_clear(&a);
    }
    triage_report_t *r;
    assert_ok(triage_report_new(&r, e, t0 - 3600000, t0 + 3600000));
    uint32_t soft = 99, hard = 99;
    assert_ok(triage_report_over_cap(&soft, &hard, r));
    assert_int_equal(soft, 2); /* the second and third client */
    assert_int_equal(hard, 1); /* the third */
    triage_report_workers_t row;
    assert_ok(triage_report_worker(&row, r, 0));
    assert_int_equal(row.responsible, 3); /* the slot still counted */
    assert_status(triage_report_over_cap(NULL, &hard, r), TRIAGE_EINVAL);
    assert_status(triage_report_over_cap(&soft, &hard, NULL), TRIAGE_EINVAL);
    triage_report_free(r);
    triage_engine_free(e);
}

static void test_golden_output(void **state)
{
    (void)state;
    triage_engine_t *e = golden_engine();
    triage_report_t *r = NULL;
    assert_ok(triage_report_new(&r, e, midnight(NOV23), midnight(NOV24)));
    char *csv = NULL, *json = NULL;
    assert_ok(triage_report_write_csv(&csv, r));
    assert_ok(triage_report_write_json(&json, r));
    char *want_csv = joined(golden_csv), *want_json = joined(golden_json);
    assert_string_equal(csv, want_csv);
    assert_string_equal(json, want_json);
    free(want_csv);
    free(want_json);
    triage_free(csv);
    triage_free(json);
    triage_report_free(r);
    triage_engine_free(e);
}

/* Identical engine state gives byte-identical output: two engines built the
 * same way (no random ids reach the output without workers), and two reports
 * of one engine with workers. */
static void test_determinism(void **state)
{
    fixture *f = *state;
    triage_engine_t *e1 = golden_engine(), *e2 = golden_engine();
    triage_report_t *r1 = NULL, *r2 = NULL;
    assert_ok(triage_report_new(&r1, e1, midnight(NOV16), midnight(DEC08)));
    assert_ok(triage_report_new(&r2, e2, midnight(NOV16), midnight(DEC08)));
    char *a = NULL, *b = NULL;
    assert_ok(triage_report_write_json(&a, r1));
    assert_ok(triage_report_write_json(&b, r2));
    assert_string_equal(a, b);
    triage_free(a);
    triage_free(b);
    triage_report_free(r1);
    triage_report_free(r2);
    triage_engine_free(e1);
    triage_engine_free(e2);

    build_scenario(f);
    assert_ok(triage_report_new(&r1, f->e, midnight(NOV23), midnight(DEC07)));
    assert_ok(triage_report_new(&r2, f->e, midnight(NOV23), midnight(DEC07)));
    assert_ok(triage_report_write_csv(&a, r1));
    assert_ok(triage_report_write_csv(&b, r2));
    assert_string_equal(a, b);
    triage_free(a);
    triage_free(b);
    assert_ok(triage_report_write_json(&a, r1));
    assert_ok(triage_report_write_json(&b, r2));
    assert_string_equal(a, b);
    triage_free(a);
    triage_free(b);
    /* Freed in any order relative to the engine. */
    triage_report_free(r2);
    triage_engine_free(f->e);
    f->e = NULL;
    assert_ok(triage_report_write_csv(&a, r1));
    triage_free(a);
    triage_report_free(r1);
}

/* JSON string escaping (RFC 8259 §7), CSV quoting (RFC 4180) and decimal
 * formatting, one row each. */
static void test_escaping_and_numbers(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } json[] = {
        {"", "\"\""},
        {"plain", "\"plain\""},
        {"q\"b\\s/", "\"q\\\"b\\\\s/\""},
        {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
        {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
        {"SHL 36 \xc2\xa7", "\"SHL 36 \\u00a7\""},          /* U+00A7 */
        {"\xe2\x82\xac", "\"\\u20ac\""},                      /* U+20AC */
        {"\xf0\x9f\x98\x80", "\"\\ud83d\\ude00\""},           /* U+1F600: surrogate pair */
        {"a\xff" "b", "\"a\\ufffdb\""},                       /* invalid byte */
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},                   /* overlong */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},        /* a UTF-16 surrogate */
        {"\xe2\x82", "\"\\ufffd\\ufffd\""},                   /* truncated */
    };
    for (size_t i = 0; i < sizeof json / sizeof json[0]; i++) {
        triage__sb b = {NULL, NULL, 0, 0, 0};
        triage__json_string(&b, json[i].in);
        assert_false(b.failed);
        assert_string_equal(b.buf, json[i].want);
        triage__sb_free(&b);
    }
    static const struct { const char *in, *want; } csv[] = {
        {"plain", "plain"},
        {"", ""},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\nlines", "\"two\nlines\""},
        {"cr\r", "\"cr\r\""},
        {"SHL 36 \xc2\xa7", "SHL 36 \xc2\xa7"},
    };
    for (size_t i = 0; i < sizeof csv / sizeof csv[0]; i++) {
        triage__sb b = {NULL, NULL, 0, 0, 0};
        triage__csv_field(&b, csv[i].in);
        triage__sb_put(&b, "", 0);
        assert_string_equal(b.buf, csv[i].want);
        triage__sb_free(&b);
    }
    static const struct { double in; const char *want; } num[] = {
        {0.0, "0"}, {-0.0, "0"}, {1.0, "1"}, {0.6, "0.6"}, {4.8, "4.8"},
        {2.0 / 3.0, "0.6667"}, {0.00004, "0"}, {0.00005, "0.0001"}, {-1.5, "-1.5"},
        {12345.25, "12345.25"}, {0.1 + 0.2, "0.3"}, {9.99996, "10"},
    };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
        char buf[32];
        assert_string_equal(triage__format_decimal(buf, num[i].in), num[i].want);
    }
}

static void test_bad_arguments(void **state)
{
    fixture *f = *state;
    triage_report_t *r = NULL;
    assert_status(triage_report_new(NULL, f->e, 0, 1), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_report_new(&r, NULL, 0, 1), TRIAGE_EINVAL);
    assert_error_arg("engine");
    assert_status(triage_report_new(&r, f->e, 5, 5), TRIAGE_EINVAL);
    assert_error_arg("to_ms");
    assert_status(triage_report_new(&r, f->e, 6, 5), TRIAGE_EINVAL);
    assert_error_arg("to_ms");
    assert_status(triage_report_new(&r, f->e, INT64_MIN, 0), TRIAGE_ERANGE);
    assert_error_arg("from_ms");
    assert_status(triage_report_new(&r, f->e, midnight(NOV23), INT64_MAX), TRIAGE_ERANGE);
    assert_error_arg("to_ms");
    /* 1980 is before the calendar's first year. */
    assert_status(triage_report_new(&r, f->e, midnight(3653), midnight(3654)), TRIAGE_ERANGE);
    assert_null(r);

    assert_ok(triage_report_new(&r, f->e, midnight(NOV23), midnight(DEC07)));
    uint32_t n;
    double d;
    triage_report_deadlines_t dl = {TRIAGE_REPORT_DEADLINES_VERSION, 0, 0, 0, 0, 0};
    triage_report_workers_t w;
    char *s = NULL;
    assert_status(triage_report_period(NULL, NULL, NULL, NULL, NULL), TRIAGE_EINVAL);
    assert_status(triage_report_intakes(NULL, r, 0, 0), TRIAGE_EINVAL);
    assert_status(triage_report_intakes(&n, NULL, 0, 0), TRIAGE_EINVAL);
    assert_status(triage_report_intakes(&n, r, (triage_intake_kind_t)7, 0), TRIAGE_EINVAL);
    assert_error_arg("kind");
    assert_status(triage_report_intakes(&n, r, 0, (triage_channel_t)8), TRIAGE_EINVAL);
    assert_error_arg("channel");
    assert_status(triage_report_intakes(&n, r, (triage_intake_kind_t)-1, 0), TRIAGE_EINVAL);
    assert_status(triage_report_guidance(&n, &n, &d, NULL), TRIAGE_EINVAL);
    assert_status(triage_report_assessments(&n, &n, NULL), TRIAGE_EINVAL);
    assert_status(triage_report_plans(NULL, r), TRIAGE_EINVAL);
    assert_status(triage_report_plans(&n, NULL), TRIAGE_EINVAL);
    assert_status(triage_report_closings(&n, r, (triage_closing_reason_t)9), TRIAGE_EINVAL);
    assert_error_arg("reason");
    assert_status(triage_report_closings(NULL, r, 0), TRIAGE_EINVAL);
    assert_status(triage_report_deadlines(&dl, r, (triage_legal_basis_t)9), TRIAGE_EINVAL);
    assert_error_arg("basis");
    assert_status(triage_report_deadlines(NULL, r, 0), TRIAGE_EINVAL);
    triage_report_deadlines_t unversioned = dl;
    unversioned.version = 0;
    assert_status(triage_report_deadlines(&unversioned, r, 0), TRIAGE_EVERSION);
    assert_error_arg("out.version");
    unversioned.version = TRIAGE_REPORT_DEADLINES_VERSION + 1;
    assert_status(triage_report_deadlines(&unversioned, r, 0), TRIAGE_EVERSION);
    assert_status(triage_report_waiting(&n, &d, &d, r, (triage_report_wait_t)0), TRIAGE_EINVAL);
    assert_error_arg("which");
    assert_status(triage_report_waiting(&n, &d, &d, r, (triage_report_wait_t)3), TRIAGE_EINVAL);
    assert_status(triage_report_waiting(&n, &d, &d, NULL, TRIAGE_WAIT_FIRST_CONTACT), TRIAGE_EINVAL);
    assert_status(triage_report_quadrants(&n, r, (triage_quadrant_t)5), TRIAGE_EINVAL);
    assert_error_arg("quadrant");
    assert_status(triage_report_quadrants(NULL, r, 0), TRIAGE_EINVAL);
    assert_ok(triage_report_failed_contacts(NULL, NULL, r));
    assert_status(triage_report_failed_contacts(&n, &n, NULL), TRIAGE_EINVAL);
    assert_status(triage_report_plan_reviews(NULL, r), TRIAGE_EINVAL);
    assert_status(triage_report_plan_reviews(&n, NULL), TRIAGE_EINVAL);
    assert_status(triage_report_worker_count(NULL, r), TRIAGE_EINVAL);
    assert_status(triage_report_worker(NULL, r, 0), TRIAGE_EINVAL);
    assert_status(triage_report_worker(&w, NULL, 0), TRIAGE_EINVAL);
    assert_status(triage_report_role(&w, r, (triage_role_t)0), TRIAGE_EINVAL);
    assert_error_arg("role");
    assert_status(triage_report_role(&w, r, (triage_role_t)4), TRIAGE_EINVAL);
    assert_status(triage_report_team_count(NULL, r), TRIAGE_EINVAL);
    assert_status(triage_report_team(NULL, r, 0), TRIAGE_EINVAL);
    assert_status(triage_report_write_csv(NULL, r), TRIAGE_EINVAL);
    assert_status(triage_report_write_csv(&s, NULL), TRIAGE_EINVAL);
    assert_status(triage_report_write_json(NULL, r), TRIAGE_EINVAL);
    assert_status(triage_report_write_json(&s, NULL), TRIAGE_EINVAL);
    assert_null(s);
    triage_report_free(r);
    triage_report_free(NULL);
}

/* Fail the Nth allocation of triage_report_new and of each writer until the
 * call succeeds: every failure is ENOMEM, leaves the output unchanged and
 * leaks nothing. */
static void test_allocation_failures(void **state)
{
    fixture *f = *state;
    build_scenario(f);
    triage_report_t *r = NULL;
    /* The assignment module creates its per-engine state on first use and
     * keeps it: make that happen before counting live blocks. */
    triage_balance_t warm;
    warm.version = TRIAGE_BALANCE_VERSION;
    assert_ok(triage_assign_balance(&warm, f->e, 0, -1));
    long base = f->fa.live;
    long n;
    for (n = 1;; n++) {
        f->fa.calls = 0;
        f->fa.fail_at = n;
        triage_status_t rc = triage_report_new(&r, f->e, midnight(NOV23), midnight(DEC07));
        if (rc == TRIAGE_OK)
            break;
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_null(r);
        assert_int_equal(f->fa.live, base);
    }
    assert_true(n > 5);
    f->fa.fail_at = 0;
    char *want_csv = NULL, *want_json = NULL;
    assert_ok(triage_report_write_csv(&want_csv, r));
    assert_ok(triage_report_write_json(&want_json, r));
    for (int which = 0; which < 2; which++) {
        long live = f->fa.live;
        for (n = 1;; n++) {
            char *s = NULL;
            f->fa.calls = 0;
            f->fa.fail_at = n;
            triage_status_t rc = which ? triage_report_write_json(&s, r)
                                       : triage_report_write_csv(&s, r);
            f->fa.fail_at = 0;
            if (rc == TRIAGE_OK) {
                assert_string_equal(s, which ? want_json : want_csv);
                triage_free(s);
                break;
            }
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_null(s);
            assert_int_equal(f->fa.live, live);
        }
        assert_true(n > 2); /* the buffer grows, then the owned copy */
    }
    triage_free(want_csv);
    triage_free(want_json);
    triage_report_free(r);
    assert_int_equal(f->fa.live, base);
}

/* A case closed at guidance owes no assessment (SHL 36 §): its D8 is
 * cancelled, not missed; a case closed after the due date missed it. */
static void test_deadlines_of_closed_cases(void **state)
{
    (void)state;
    triage_engine_t *e;
    assert_ok(triage_engine_new(&e, NULL));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t cl;
    assert_ok(triage_client_create(&cl, e, &c));
    triage_id_t ids[2];
    for (int i = 0; i < 2; i++) {
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = cl;
        in.received_ms = at(NOV23, 10);
        triage_intake_result_t res;
        res.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&res, e, &in));
        ids[i] = res.case_id;
        triage_move_t m = TRIAGE_MOVE_INIT;
        m.to = TRIAGE_STAGE_GUIDANCE;
        m.at_ms = at(NOV23, 11);
        assert_ok(triage_case_move(e, &ids[i], &m));
        m.to = TRIAGE_STAGE_CLOSED;
        m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
        /* D8 is due 2026-12-14; one closes on 11-24, the other on 12-16. */
        m.at_ms = i == 0 ? at(NOV24, 10) : at(NOV23 + 23, 10);
        assert_ok(triage_case_move(e, &ids[i], &m));
    }
    triage_report_t *r;
    assert_ok(triage_report_new(&r, e, midnight(NOV23), midnight(NOV23 + 30)));
    triage_report_deadlines_t dl = {TRIAGE_REPORT_DEADLINES_VERSION, 0, 0, 0, 0, 0};
    assert_ok(triage_report_deadlines(&dl, r, TRIAGE_BASIS_SHL_36));
    assert_int_equal(dl.met, 0);
    assert_int_equal(dl.met_on_arrival, 2); /* D1 of both */
    assert_int_equal(dl.cancelled, 1); /* D8 of the early closing */
    assert_int_equal(dl.missed, 1);    /* D8 of the late closing */
    assert_int_equal(dl.open, 0);
    assert_ok(triage_report_deadlines(&dl, r, 0));
    assert_int_equal(dl.cancelled, 1);
    char *csv;
    assert_ok(triage_report_write_csv(&csv, r));
    assert_non_null(strstr(csv, "deadlines,SHL 36 \xc2\xa7,cancelled,1\n"));
    triage_free(csv);
    triage_report_free(r);
    triage_engine_free(e);
}

/* docs/domain.md §9 and docs/reports.md, round two items 2, 8 and 9: intakes,
 * deadline rows and waiting times count per intake (an attached intake waits
 * from its own receipt); D1 met on arrival has its own column; no-shows and
 * unreachable attempts are two figures; plan reviews and the SHL 45 § rows
 * that arise after intake are counted. */
static void test_per_intake_figures_and_failed_contacts(void **state)
{
    fixture *f = *state;
    triage_engine_t *e = f->e;
    triage_id_t a = add_client(e), b = add_client(e);
    triage_id_t c = intake(e, &a, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE, 0, at(NOV23, 10), 0);
    move(e, &c, TRIAGE_STAGE_GUIDANCE, 0, at(NOV23, 10));
    contact(e, &c, at(NOV23, 11), 1); /* first contact: 0 days */
    move(e, &c, TRIAGE_STAGE_DISTRIBUTION, 0, at(NOV23, 12));
    classify(e, &c, &f->sw1, 2, at(NOV23, 12));
    assign(e, &c, TRIAGE_SLOT_ASSESSMENT, &f->sc1, at(NOV23, 12));
    move(e, &c, TRIAGE_STAGE_ASSESSMENT, 0, at(NOV24, 9)); /* assessment start: 1 day */
    record(e, &c, at(NOV24, 10));
    assign(e, &c, TRIAGE_SLOT_RESPONSIBLE, &f->sc1, at(NOV24, 10));
    move(e, &c, TRIAGE_STAGE_PLANNING, 0, at(NOV25, 9));
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_CASEWORK;
    m.at_ms = at(NOV26, 9);
    assert_ok(triage_case_move(e, &c, &m)); /* the plan is made */
    /* a new matter on Friday goes to the own worker, who reassesses on Monday */
    triage_id_t got = intake(e, &a, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_E_SERVICE, 0,
                             at(NOV27, 10), 1);
    assert_int_equal(triage_id_compare(&got, &c), 0);
    classify(e, &c, &f->sc1, 2, at(NOV30, 10)); /* its assessment start: 1 day */
    contact(e, &c, at(NOV30, 11), TRIAGE_CONTACT_NO_SHOW);
    assert_ok(triage_case_review_plan(e, &c, &f->sc1, at(DEC01, 9)));
    assert_ok(triage_case_service_decision(e, &c, &f->sc1, at(DEC01, 10), NULL, 0));
    assert_ok(triage_case_milestone(e, &c, &f->sc1, at(DEC02, 10),
                                    TRIAGE_MILESTONE_DECISION_CARRIED_OUT));
    triage_id_t d = intake(e, &b, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE, 0, at(NOV23, 10), 0);
    move(e, &d, TRIAGE_STAGE_GUIDANCE, 0, at(NOV23, 10));
    contact(e, &d, at(NOV24, 10), TRIAGE_CONTACT_NOT_REACHED);

    triage_report_t *r = NULL;
    const triage_date_t MAR01 = 20878; /* 2027-03-01: D9 (due 2027-02-23) inside */
    assert_ok(triage_report_new(&r, e, midnight(NOV23), midnight(MAR01)));
    assert_int_equal(intakes(r, 0, 0), 3);
    assert_int_equal(intakes(r, TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_E_SERVICE), 1);
    uint32_t n, no_shows;
    double med, p90;
    assert_ok(triage_report_waiting(&n, &med, &p90, r, TRIAGE_WAIT_ASSESSMENT_START));
    assert_int_equal(n, 2); /* the opening intake and the attached one, 1 day each */
    assert_near(med, 1.0);
    assert_near(p90, 1.0);
    assert_ok(triage_report_waiting(&n, &med, NULL, r, TRIAGE_WAIT_FIRST_CONTACT));
    assert_int_equal(n, 1); /* the attached intake had no contact after it */
    assert_near(med, 0.0);
    assert_ok(triage_report_failed_contacts(&no_shows, &n, r));
    assert_int_equal(no_shows, 1);
    assert_int_equal(n, 1);
    assert_ok(triage_report_plan_reviews(&n, r));
    assert_int_equal(n, 1);
    assert_ok(triage_report_plans(&n, r));
    assert_int_equal(n, 1);
    triage_report_deadlines_t dl = {TRIAGE_REPORT_DEADLINES_VERSION, 0, 0, 0, 0, 0};
    assert_ok(triage_report_deadlines(&dl, r, TRIAGE_BASIS_SHL_45));
    assert_int_equal(dl.met, 1);
    assert_int_equal(dl.missed + dl.open + dl.cancelled + dl.met_on_arrival, 0);
    assert_ok(triage_report_deadlines(&dl, r, TRIAGE_BASIS_SHL_36));
    assert_int_equal(dl.met_on_arrival, 3); /* D1 of every intake, attached included */
    assert_int_equal(dl.met, 2);            /* both D8 of client a */
    assert_int_equal(dl.missed, 1);         /* client b's D8 */
    char *csv = NULL, *json = NULL;
    assert_ok(triage_report_write_csv(&csv, r));
    assert_ok(triage_report_write_json(&json, r));
    assert_non_null(strstr(csv, "\nfailed_contacts,,no_shows,1\n"));
    assert_non_null(strstr(csv, "\nfailed_contacts,,unreachable_attempts,1\n"));
    assert_non_null(strstr(csv, "\nplans,,reviewed,1\n"));
    assert_non_null(strstr(csv, "\ndeadlines,SHL 36 \xc2\xa7,met_on_arrival,3\n"));
    assert_non_null(strstr(csv, "\ndeadlines,SHL 45 \xc2\xa7,met,1\n"));
    assert_non_null(strstr(json, "\"plan_reviews\": 1,\n"));
    assert_non_null(strstr(json, "\"no_shows\": 1,\n"));
    assert_null(strstr(csv, "missed_appointments"));
    triage_free(csv);
    triage_free(json);
    triage_report_free(r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_scenario_figures),
        T(test_period_filter),
        T(test_empty_period),
        cmocka_unit_test(test_golden_output),
        cmocka_unit_test(test_over_cap_counts),
        T(test_determinism),
        cmocka_unit_test(test_escaping_and_numbers),
        T(test_bad_arguments),
        T(test_allocation_failures),
        cmocka_unit_test(test_deadlines_of_closed_cases),
        T(test_per_intake_figures_and_failed_contacts),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
