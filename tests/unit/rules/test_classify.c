/*
 * The four-quadrant support-need classifier (docs/domain.md §6; docs/classifier.md).
 * Rule sources: need axis SHL 11 § areas and SHL 3 § "several simultaneous
 * support needs"; capacity axis and special support SHL 3 §; consequences
 * SHL 36 § 5, 42 § 2, 46 §.
 */
#include "testutil.h"

#include <stdio.h>

/* Short names for the indicator indices and their rationale bits. */
enum {
    LIV = TRIAGE_NEED_LIVELIHOOD, HOU = TRIAGE_NEED_HOUSING, HEA = TRIAGE_NEED_HEALTH,
    MEN = TRIAGE_NEED_MENTAL_HEALTH, SUB = TRIAGE_NEED_SUBSTANCE_USE,
    VIO = TRIAGE_NEED_VIOLENCE, REL = TRIAGE_NEED_RELATIONSHIPS, ACT = TRIAGE_NEED_ACTIVITY,
    LIF = TRIAGE_NEED_LIFE_SKILLS, DEP = TRIAGE_NEED_DEPENDANTS,
    COG = TRIAGE_CAPACITY_COGNITIVE, PSY = TRIAGE_CAPACITY_PSYCHIATRIC,
    SBS = TRIAGE_CAPACITY_SUBSTANCE, NET = TRIAGE_CAPACITY_NO_NETWORK,
    LAN = TRIAGE_CAPACITY_LANGUAGE, DIG = TRIAGE_CAPACITY_DIGITAL,
    REP = TRIAGE_CAPACITY_REPEAT_NOTIFICATIONS, MIS = TRIAGE_CAPACITY_MISSED_APPOINTMENTS,
};
#define B(i) (1u << (i))
#define Q1 TRIAGE_Q1_GUIDANCE_ONLY
#define Q2 TRIAGE_Q2_SOCIAL_GUIDANCE_WORK
#define Q3 TRIAGE_Q3_SUPPORTED_GUIDANCE
#define Q4 TRIAGE_Q4_SPECIAL_SUPPORT
#define SG TRIAGE_ROLE_SERVICE_GUIDE
#define SC TRIAGE_ROLE_SOCIAL_COUNSELLOR
#define SW TRIAGE_ROLE_SOCIAL_WORKER

typedef struct {
    const char *name;
    triage_scores_t s;
    uint8_t quadrant, special, required, preferred, need_score, capacity_score;
    uint16_t need_why, capacity_why;
} vignette;

static void check_row(const vignette *v, const triage_classification_t *c, uint32_t version)
{
    if (c->quadrant != v->quadrant || c->special_support != v->special ||
        c->required_role != v->required || c->preferred_role != v->preferred ||
        c->need_score != v->need_score || c->capacity_score != v->capacity_score ||
        c->need_rationale != v->need_why || c->capacity_rationale != v->capacity_why ||
        c->high_need != (v->quadrant == Q2 || v->quadrant == Q4) ||
        c->weak_capacity != (v->quadrant >= Q3) || c->policy_version != version)
        fail_msg("%s: got Q%u special=%u req=%u pref=%u need=%u cap=%u why=%#x/%#x v%u; "
                 "expected Q%u special=%u req=%u pref=%u need=%u cap=%u why=%#x/%#x",
                 v->name, c->quadrant, c->special_support, c->required_role, c->preferred_role,
                 c->need_score, c->capacity_score, c->need_rationale, c->capacity_rationale,
                 (unsigned)c->policy_version, v->quadrant, v->special, v->required,
                 v->preferred, v->need_score, v->capacity_score, v->need_why,
                 v->capacity_why);
}

/* Default policy (docs/domain.md §6): severe 3, significant 2, 3 areas, cause 2, sum 4. */
static const vignette vignettes[] = {
    /* Q1: nothing at all. */
    {"nothing", {{0}, {0}, 0}, Q1, 0, SG, SG, 0, 0, 0, 0},
    /* Need: two areas at 2 is not "several" (SHL 3 §: at least 3 areas >= 2). */
    {"two areas at 2", {{[LIV] = 2, [HOU] = 2}, {0}, 0}, Q1, 0, SG, SG, 4, 0, 0, 0},
    /* Exactly three areas at 2: high need, rationale = the three areas. */
    {"three areas at 2", {{[LIV] = 2, [HOU] = 2, [HEA] = 2}, {0}, 0},
     Q2, 0, SC, SC, 6, 0, B(LIV) | B(HOU) | B(HEA), 0},
    /* Three areas at 2 in the second word (bits 8, 9). */
    {"three areas at 2, high indices", {{[ACT] = 2, [LIF] = 2, [DEP] = 2}, {0}, 0},
     Q2, 0, SC, SC, 6, 0, B(ACT) | B(LIF) | B(DEP), 0},
    /* Any area at 3 is high need: rationale = that area. */
    {"one area at 3", {{[VIO] = 3}, {0}, 0}, Q2, 0, SC, SC, 3, 0, B(VIO), 0},
    {"dependants at 3", {{[DEP] = 3}, {0}, 0}, Q2, 0, SC, SC, 3, 0, B(DEP), 0},
    /* Severe rule only: the area at 2 is not in the rationale (count rule did not fire). */
    {"area 3 plus one at 2", {{[VIO] = 3, [HOU] = 2}, {0}, 0},
     Q2, 0, SC, SC, 5, 0, B(VIO), 0},
    /* Both rules: severe areas and every area >= 2. */
    {"area 3 plus two at 2", {{[VIO] = 3, [HOU] = 2, [MEN] = 2}, {0}, 0},
     Q2, 0, SC, SC, 7, 0, B(VIO) | B(HOU) | B(MEN), 0},
    /* Many mild needs do not make high need. */
    {"all areas at 1", {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {0}, 0}, Q1, 0, SG, SG, 10, 0, 0, 0},
    /* Capacity: a barrier sum of 3 is good capacity, 4 is weak (not a cause: no special support). */
    {"barrier sum 3", {{0}, {[NET] = 1, [LAN] = 1, [DIG] = 1}, 0}, Q1, 0, SG, SG, 0, 3, 0, 0},
    {"barrier sum 4", {{0}, {[NET] = 1, [LAN] = 1, [DIG] = 1, [MIS] = 1}, 0},
     Q3, 0, SC, SC, 0, 4, 0, B(NET) | B(LAN) | B(DIG) | B(MIS)},
    {"barrier sum 4, last barriers", {{0}, {[REP] = 1, [MIS] = 3}, 0},
     Q3, 0, SC, SC, 0, 4, 0, B(REP) | B(MIS)},
    /* A cause at 1 is good capacity; at 2 weak capacity and (SHL 3 §) special support in Q3. */
    {"cause at 1", {{0}, {[COG] = 1}, 0}, Q1, 0, SG, SG, 0, 1, 0, 0},
    {"cause at 2", {{0}, {[PSY] = 2}, 0}, Q3, 1, SW, SW, 0, 2, 0, B(PSY)},
    {"substance cause at 2", {{[HOU] = 1}, {[SBS] = 2}, 0}, Q3, 1, SW, SW, 1, 2, 0, B(SBS)},
    /* Sum rule with causes only at 1: weak but not from a cause, so no special support. */
    {"sum 4, causes at 1", {{0}, {[COG] = 1, [PSY] = 1, [LAN] = 2}, 0},
     Q3, 0, SC, SC, 0, 4, 0, B(COG) | B(PSY) | B(LAN)},
    /* Both capacity rules: causes >= 2 plus every nonzero barrier. */
    {"cause and sum", {{0}, {[PSY] = 2, [LAN] = 2}, 0},
     Q3, 1, SW, SW, 0, 4, 0, B(PSY) | B(LAN)},
    /* Age-related need is excluded from special support (SHL 3 §). */
    {"cause at 2, age-related", {{0}, {[PSY] = 2}, 1}, Q3, 0, SC, SC, 0, 2, 0, B(PSY)},
    /* Q4: high need and weak capacity is special support. */
    {"Q4", {{[LIV] = 2, [HOU] = 2, [HEA] = 2}, {[SBS] = 2}, 0},
     Q4, 1, SW, SW, 6, 2, B(LIV) | B(HOU) | B(HEA), B(SBS)},
    /* Q4 through the sum rule alone is still special support (high need). */
    {"Q4 by barrier sum", {{[HOU] = 3}, {[COG] = 1, [NET] = 2, [MIS] = 1}, 0},
     Q4, 1, SW, SW, 3, 4, B(HOU), B(COG) | B(NET) | B(MIS)},
    {"Q4 age-related", {{[HOU] = 3}, {[COG] = 3}, 1}, Q4, 0, SC, SW, 3, 3, B(HOU), B(COG)},
    /* Age-related changes nothing outside weak capacity. */
    {"Q2 age-related", {{[HEA] = 3}, {[NET] = 3}, 1}, Q2, 0, SC, SC, 3, 3, B(HEA), 0},
    {"Q1 age-related", {{[HEA] = 1}, {0}, 1}, Q1, 0, SG, SG, 1, 0, 0, 0},
    /* Q2 with a cause at 1 and a barrier sum of 3. */
    {"Q2 near weak", {{[REL] = 2, [ACT] = 2, [LIF] = 2}, {[SBS] = 1, [DIG] = 2}, 0},
     Q2, 0, SC, SC, 6, 3, B(REL) | B(ACT) | B(LIF), 0},
    /* Everything at maximum. */
    {"all at 3", {{3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, {3, 3, 3, 3, 3, 3, 3, 3}, 0},
     Q4, 1, SW, SW, 30, 24, 0x3ff, 0xff},
};

static void test_vignettes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof vignettes / sizeof vignettes[0]; i++) {
        triage_classification_t c;
        memset(&c, 0xaa, sizeof c);
        assert_ok(triage_classify(&c, NULL, &vignettes[i].s));
        check_row(&vignettes[i], &c, 1);

        /* The explicit default policy agrees with NULL, and so does the batch. */
        triage_classify_policy_t *p = NULL;
        assert_ok(triage_classify_policy_new(&p, NULL));
        triage_classification_t d;
        assert_ok(triage_classify(&d, p, &vignettes[i].s));
        check_row(&vignettes[i], &d, 1);
        assert_ok(triage_classify_batch(&d, p, &vignettes[i].s, 1));
        check_row(&vignettes[i], &d, 1);
        triage_classify_policy_free(p);
    }
}

/* Policy thresholds move the boundaries (docs/domain.md §6: the thresholds are policy values). */
typedef struct {
    triage_classify_threshold_t which[2];
    int32_t value[2];
    vignette v;
} threshold_row;

static const threshold_row threshold_rows[] = {
    /* NEED_AREAS 2: two areas at 2 are now high need. */
    {{TRIAGE_THRESHOLD_NEED_AREAS}, {2},
     {"areas=2", {{[LIV] = 2, [HOU] = 2}, {0}, 0}, Q2, 0, SC, SC, 4, 0, B(LIV) | B(HOU), 0}},
    /* NEED_AREAS 10: nine areas at 2 are low need. */
    {{TRIAGE_THRESHOLD_NEED_AREAS}, {10},
     {"areas=10", {{2, 2, 2, 2, 2, 2, 2, 2, 2, 0}, {0}, 0}, Q1, 0, SG, SG, 18, 0, 0, 0}},
    {{TRIAGE_THRESHOLD_NEED_AREAS}, {10},
     {"areas=10 all", {{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, {0}, 0}, Q2, 0, SC, SC, 20, 0, 0x3ff, 0}},
    /* NEED_SIGNIFICANT 1: three mild areas count. */
    {{TRIAGE_THRESHOLD_NEED_SIGNIFICANT}, {1},
     {"significant=1", {{[LIV] = 1, [VIO] = 1, [DEP] = 1}, {0}, 0},
      Q2, 0, SC, SC, 3, 0, B(LIV) | B(VIO) | B(DEP), 0}},
    /* NEED_SIGNIFICANT 3: three areas at 2 are no longer significant. */
    {{TRIAGE_THRESHOLD_NEED_SIGNIFICANT}, {3},
     {"significant=3", {{[LIV] = 2, [HOU] = 2, [HEA] = 2}, {0}, 0}, Q1, 0, SG, SG, 6, 0, 0, 0}},
    /* NEED_SEVERE 2: one area at 2 is high need. */
    {{TRIAGE_THRESHOLD_NEED_SEVERE}, {2},
     {"severe=2", {{[MEN] = 2}, {0}, 0}, Q2, 0, SC, SC, 2, 0, B(MEN), 0}},
    /* CAUSE 1: a cause at 1 is weak capacity and, being a cause, special support. */
    {{TRIAGE_THRESHOLD_CAUSE}, {1},
     {"cause=1", {{0}, {[COG] = 1}, 0}, Q3, 1, SW, SW, 0, 1, 0, B(COG)}},
    /* CAUSE 3: a cause at 2 is good capacity. */
    {{TRIAGE_THRESHOLD_CAUSE}, {3},
     {"cause=3", {{0}, {[PSY] = 2}, 0}, Q1, 0, SG, SG, 0, 2, 0, 0}},
    /* CAPACITY_SUM 3: a barrier sum of 3 is weak capacity. */
    {{TRIAGE_THRESHOLD_CAPACITY_SUM}, {3},
     {"sum=3", {{0}, {[NET] = 1, [LAN] = 1, [DIG] = 1}, 0},
      Q3, 0, SC, SC, 0, 3, 0, B(NET) | B(LAN) | B(DIG)}},
    /* CAPACITY_SUM 24: only all-3 is weak by the sum; a cause still decides alone. */
    {{TRIAGE_THRESHOLD_CAPACITY_SUM}, {24},
     {"sum=24", {{0}, {[NET] = 3, [LAN] = 3, [DIG] = 3, [REP] = 3, [MIS] = 3}, 0},
      Q1, 0, SG, SG, 0, 15, 0, 0}},
    {{TRIAGE_THRESHOLD_CAPACITY_SUM, TRIAGE_THRESHOLD_CAUSE}, {24, 3},
     {"sum=24 cause=3", {{0}, {[COG] = 3}, 0}, Q3, 1, SW, SW, 0, 3, 0, B(COG)}},
};

static void test_thresholds_shift_boundaries(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof threshold_rows / sizeof threshold_rows[0]; i++) {
        const threshold_row *r = &threshold_rows[i];
        triage_classify_policy_t *p = NULL;
        assert_ok(triage_classify_policy_new(&p, NULL));
        assert_ok(triage_classify_policy_set_id(p, "test-thresholds", 9));
        for (int j = 0; j < 2 && r->which[j]; j++) {
            assert_ok(triage_classify_policy_set_threshold(p, r->which[j], r->value[j]));
            int32_t got = 0;
            assert_ok(triage_classify_policy_threshold(&got, p, r->which[j]));
            assert_int_equal(got, r->value[j]);
        }
        triage_classification_t c;
        assert_ok(triage_classify(&c, p, &r->v.s));
        check_row(&r->v, &c, 9);
        assert_ok(triage_classify_batch(&c, p, &r->v.s, 1));
        check_row(&r->v, &c, 9);
        triage_classify_policy_free(p);
    }
}

static void test_policy_defaults(void **state)
{
    (void)state;
    triage_classify_policy_t *p = NULL;
    assert_ok(triage_classify_policy_new(&p, NULL));
    static const struct { triage_classify_threshold_t which; int32_t value; } defaults[] = {
        {TRIAGE_THRESHOLD_NEED_SEVERE, 3}, {TRIAGE_THRESHOLD_NEED_SIGNIFICANT, 2},
        {TRIAGE_THRESHOLD_NEED_AREAS, 3},  {TRIAGE_THRESHOLD_CAUSE, 2},
        {TRIAGE_THRESHOLD_CAPACITY_SUM, 4},
    };
    for (size_t i = 0; i < 5; i++) {
        int32_t v = -1;
        assert_ok(triage_classify_policy_threshold(&v, p, defaults[i].which));
        assert_int_equal(v, defaults[i].value);
    }
    const char *id = NULL;
    uint32_t version = 0;
    assert_ok(triage_classify_policy_id(&id, &version, p));
    assert_string_equal(id, "fi-default");
    assert_int_equal(version, 1);
    triage_special_support_responsible_t ss = 0;
    assert_ok(triage_classify_policy_special_support_responsible(&ss, p));
    assert_int_equal(ss, TRIAGE_SS_SOCIAL_WORKER_ONLY);

    /* set_id: 31 printable characters (space included) and any version >= 1. */
    assert_ok(triage_classify_policy_set_id(p, "abcdefghij klmnopqrst~!0123456", 4000000000u));
    assert_ok(triage_classify_policy_id(&id, &version, p));
    assert_string_equal(id, "abcdefghij klmnopqrst~!0123456");
    assert_int_equal(version, 4000000000u);
    assert_ok(triage_classify_policy_set_id(p, "x", 1));
    assert_ok(triage_classify_policy_set_special_support_responsible(
        p, TRIAGE_SS_SOCIAL_WORKER_OR_PAIR));
    assert_ok(triage_classify_policy_set_threshold(p, TRIAGE_THRESHOLD_CAPACITY_SUM, 7));

    /* A copy is independent and carries everything. */
    triage_classify_policy_t *q = NULL;
    assert_ok(triage_classify_policy_copy(&q, p));
    assert_ok(triage_classify_policy_set_threshold(p, TRIAGE_THRESHOLD_CAPACITY_SUM, 8));
    int32_t v = 0;
    assert_ok(triage_classify_policy_threshold(&v, q, TRIAGE_THRESHOLD_CAPACITY_SUM));
    assert_int_equal(v, 7);
    assert_ok(triage_classify_policy_id(&id, &version, q));
    assert_string_equal(id, "x");
    assert_int_equal(version, 1);
    assert_ok(triage_classify_policy_special_support_responsible(&ss, q));
    assert_int_equal(ss, TRIAGE_SS_SOCIAL_WORKER_OR_PAIR);
    triage_scores_t s = {{0}, {[NET] = 3, [LAN] = 3, [DIG] = 1}, 0}; /* sum 7 */
    triage_classification_t c;
    assert_ok(triage_classify(&c, q, &s));
    assert_int_equal(c.quadrant, Q3);
    assert_ok(triage_classify(&c, p, &s));
    assert_int_equal(c.quadrant, Q1);

    triage_classify_policy_free(p);
    triage_classify_policy_free(q);
    triage_classify_policy_free(NULL);
}

/* The names are the Python key names and must not change. */
static void test_names(void **state)
{
    (void)state;
    static const char *const need[] = {"livelihood", "housing", "health", "mental_health",
                                       "substance_use", "violence", "relationships",
                                       "activity", "life_skills", "dependants"};
    static const char *const cap[] = {"cognitive", "psychiatric", "substance", "no_network",
                                      "language", "digital", "repeat_notifications",
                                      "missed_appointments"};
    for (int i = 0; i < TRIAGE_NEED_COUNT; i++)
        assert_string_equal(triage_need_area_name((triage_need_area_t)i), need[i]);
    for (int i = 0; i < TRIAGE_CAPACITY_COUNT; i++)
        assert_string_equal(triage_capacity_barrier_name((triage_capacity_barrier_t)i), cap[i]);
    assert_null(triage_need_area_name((triage_need_area_t)10));
    assert_null(triage_need_area_name((triage_need_area_t)-1));
    assert_null(triage_capacity_barrier_name((triage_capacity_barrier_t)8));
    assert_null(triage_capacity_barrier_name((triage_capacity_barrier_t)-1));
    assert_string_equal(triage_quadrant_name(Q1), "guidance_only");
    assert_string_equal(triage_quadrant_name(Q2), "social_guidance_work");
    assert_string_equal(triage_quadrant_name(Q3), "supported_guidance");
    assert_string_equal(triage_quadrant_name(Q4), "special_support");
    assert_null(triage_quadrant_name((triage_quadrant_t)0));
    assert_null(triage_quadrant_name((triage_quadrant_t)5));
    assert_string_equal(triage_role_name(SG), "service_guide");
    assert_string_equal(triage_role_name(SC), "social_counsellor");
    assert_string_equal(triage_role_name(SW), "social_worker");
    assert_null(triage_role_name((triage_role_t)0));
    assert_null(triage_role_name((triage_role_t)4));
}

/* ---- invalid input ------------------------------------------------------- */

static void test_invalid_scores(void **state)
{
    (void)state;
    static const uint8_t bad_values[] = {4, 7, 128, 255};
    char name[64];
    for (int pos = 0; pos < 19; pos++) {
        for (size_t b = 0; b < sizeof bad_values; b++) {
            triage_scores_t s;
            memset(&s, 1, sizeof s);
            s.age_related = 0;
            uint8_t *bytes = (uint8_t *)&s;
            bytes[pos] = bad_values[b];
            if (pos < TRIAGE_NEED_COUNT)
                snprintf(name, sizeof name, "need.%s", triage_need_area_name(pos));
            else if (pos < 18)
                snprintf(name, sizeof name, "capacity.%s",
                         triage_capacity_barrier_name(pos - TRIAGE_NEED_COUNT));
            else
                snprintf(name, sizeof name, "age_related");
            triage_classification_t c, before;
            memset(&c, 0x5a, sizeof c);
            before = c;
            assert_status(triage_classify(&c, NULL, &s), TRIAGE_EINVAL);
            assert_error_arg(name);
            assert_memory_equal(&c, &before, sizeof c);
        }
    }
    /* age_related: 2 is invalid, 1 fine. */
    triage_scores_t s = {{0}, {0}, 2};
    triage_classification_t c;
    assert_status(triage_classify(&c, NULL, &s), TRIAGE_EINVAL);
    assert_error_arg("age_related");
    /* The first invalid indicator is named. */
    triage_scores_t two = {{[HEA] = 9, [DEP] = 9}, {[PSY] = 9}, 0};
    assert_status(triage_classify(&c, NULL, &two), TRIAGE_EINVAL);
    assert_error_arg("need.health");
    assert_status(triage_classify(NULL, NULL, &two), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_classify(&c, NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("scores");
}

static void test_invalid_policy_calls(void **state)
{
    (void)state;
    triage_classify_policy_t *p = NULL;
    assert_status(triage_classify_policy_new(NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("out");
    failing_alloc fa = {0};
    triage_allocator_t half = fa_allocator(&fa);
    half.free = NULL;
    assert_status(triage_classify_policy_new(&p, &half), TRIAGE_EINVAL);
    assert_error_arg("alloc");
    assert_null(p);
    assert_status(triage_classify_policy_copy(NULL, p), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_classify_policy_copy(&p, NULL), TRIAGE_EINVAL);
    assert_error_arg("policy");
    assert_null(p);

    assert_ok(triage_classify_policy_new(&p, NULL));

    /* Threshold setters: unknown thresholds and out-of-range values; nothing changes. */
    static const struct { int which; int32_t value; const char *arg; } bad[] = {
        {0, 2, "which"}, {6, 2, "which"}, {-1, 2, "which"},
        {TRIAGE_THRESHOLD_NEED_SEVERE, 0, "need_severe"},
        {TRIAGE_THRESHOLD_NEED_SEVERE, 4, "need_severe"},
        {TRIAGE_THRESHOLD_NEED_SIGNIFICANT, 0, "need_significant"},
        {TRIAGE_THRESHOLD_NEED_SIGNIFICANT, 4, "need_significant"},
        {TRIAGE_THRESHOLD_NEED_AREAS, 0, "need_areas"},
        {TRIAGE_THRESHOLD_NEED_AREAS, 11, "need_areas"},
        {TRIAGE_THRESHOLD_CAUSE, 0, "cause"},
        {TRIAGE_THRESHOLD_CAUSE, 4, "cause"},
        {TRIAGE_THRESHOLD_CAPACITY_SUM, 0, "capacity_sum"},
        {TRIAGE_THRESHOLD_CAPACITY_SUM, 25, "capacity_sum"},
        {TRIAGE_THRESHOLD_CAPACITY_SUM, INT32_MIN, "capacity_sum"},
        {TRIAGE_THRESHOLD_NEED_AREAS, INT32_MAX, "need_areas"},
    };
    triage_scores_t s = {{[LIV] = 2, [HOU] = 2, [HEA] = 2}, {[PSY] = 2}, 0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_status(triage_classify_policy_set_threshold(p, (triage_classify_threshold_t)bad[i].which,
                                                           bad[i].value),
                      TRIAGE_EINVAL);
        assert_error_arg(bad[i].arg);
        triage_classification_t c;
        assert_ok(triage_classify(&c, p, &s));
        assert_int_equal(c.quadrant, Q4);
        assert_int_equal(c.need_rationale, B(LIV) | B(HOU) | B(HEA));
    }
    static const int32_t defaults[6] = {0, 3, 2, 3, 2, 4};
    for (int w = TRIAGE_THRESHOLD_NEED_SEVERE; w <= TRIAGE_THRESHOLD_CAPACITY_SUM; w++) {
        int32_t v = 0;
        assert_ok(triage_classify_policy_threshold(&v, p, (triage_classify_threshold_t)w));
        assert_int_equal(v, defaults[w]);
    }
    int32_t v = 123;
    assert_status(triage_classify_policy_set_threshold(NULL, TRIAGE_THRESHOLD_CAUSE, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("policy");
    assert_status(triage_classify_policy_threshold(NULL, p, TRIAGE_THRESHOLD_CAUSE), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_classify_policy_threshold(&v, NULL, TRIAGE_THRESHOLD_CAUSE), TRIAGE_EINVAL);
    assert_error_arg("policy");
    assert_status(triage_classify_policy_threshold(&v, p, (triage_classify_threshold_t)0),
                  TRIAGE_EINVAL);
    assert_error_arg("which");
    assert_status(triage_classify_policy_threshold(&v, p, (triage_classify_threshold_t)6),
                  TRIAGE_EINVAL);
    assert_error_arg("which");
    assert_int_equal(v, 123);

    /* set_id: bad ids and versions leave the policy as it was. */
    static const struct { const char *id; uint32_t version; const char *arg; } bad_ids[] = {
        {NULL, 1, "id"},
        {"", 1, "id"},
        {"abcdefghijklmnopqrstuvwxyz012345", 1, "id"}, /* 32 characters */
        {"tab\there", 1, "id"},
        {"del\x7f", 1, "id"},
        {"\xc3\xa4iti", 1, "id"},
        {"newline\n", 1, "id"},
        {"ok", 0, "version"},
    };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        assert_status(triage_classify_policy_set_id(p, bad_ids[i].id, bad_ids[i].version),
                      TRIAGE_EINVAL);
        assert_error_arg(bad_ids[i].arg);
        const char *id = NULL;
        uint32_t version = 0;
        assert_ok(triage_classify_policy_id(&id, &version, p));
        assert_string_equal(id, "fi-default");
        assert_int_equal(version, 1);
    }
    assert_status(triage_classify_policy_set_id(NULL, "x", 1), TRIAGE_EINVAL);
    assert_error_arg("policy");
    const char *id = "unchanged";
    uint32_t version = 77;
    assert_status(triage_classify_policy_id(NULL, &version, p), TRIAGE_EINVAL);
    assert_error_arg("id");
    assert_status(triage_classify_policy_id(&id, NULL, p), TRIAGE_EINVAL);
    assert_error_arg("version");
    assert_status(triage_classify_policy_id(&id, &version, NULL), TRIAGE_EINVAL);
    assert_error_arg("policy");
    assert_string_equal(id, "unchanged");
    assert_int_equal(version, 77);

    /* special_support_responsible. */
    triage_special_support_responsible_t ss = TRIAGE_SS_SOCIAL_WORKER_OR_PAIR;
    for (int bad_ss = -1; bad_ss <= 3; bad_ss += 1) {
        if (bad_ss == 1 || bad_ss == 2)
            continue;
        assert_status(triage_classify_policy_set_special_support_responsible(
                          p, (triage_special_support_responsible_t)bad_ss),
                      TRIAGE_EINVAL);
        assert_error_arg("special_support_responsible");
    }
    assert_ok(triage_classify_policy_special_support_responsible(&ss, p));
    assert_int_equal(ss, TRIAGE_SS_SOCIAL_WORKER_ONLY);
    assert_status(triage_classify_policy_set_special_support_responsible(
                      NULL, TRIAGE_SS_SOCIAL_WORKER_ONLY),
                  TRIAGE_EINVAL);
    assert_error_arg("policy");
    assert_status(triage_classify_policy_special_support_responsible(NULL, p), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_classify_policy_special_support_responsible(&ss, NULL), TRIAGE_EINVAL);
    assert_error_arg("policy");

    triage_classify_policy_free(p);
}

/* ---- arrangements (SHL 42 § 2; policy switch special_support_responsible) -- */

typedef struct {
    const char *name;
    triage_scores_t s;
    triage_special_support_responsible_t ss;
    /* lawful? for responsible SG, SC, SW (groups) x pair none, SG, SC, SW */
    const char *lawful;
} arrangement_row;

#define ONLY TRIAGE_SS_SOCIAL_WORKER_ONLY
#define PAIR TRIAGE_SS_SOCIAL_WORKER_OR_PAIR
#define S_Q1 {{0}, {0}, 0}
#define S_Q2 {{[HOU] = 3}, {0}, 0}
#define S_Q3 {{0}, {[NET] = 2, [LAN] = 2}, 0}
#define S_Q3S {{0}, {[PSY] = 2}, 0}
#define S_Q4S {{[HOU] = 3}, {[PSY] = 2}, 0}
#define S_Q4A {{[HOU] = 3}, {[PSY] = 2}, 1}

static const arrangement_row arrangement_rows[] = {
    /* Not special support: any role at or above the required one; the pair does not matter. */
    {"Q1", S_Q1, ONLY, "1111 1111 1111"},
    {"Q1", S_Q1, PAIR, "1111 1111 1111"},
    {"Q2", S_Q2, ONLY, "0000 1111 1111"},
    {"Q2", S_Q2, PAIR, "0000 1111 1111"},
    {"Q3", S_Q3, ONLY, "0000 1111 1111"},
    {"Q3", S_Q3, PAIR, "0000 1111 1111"},
    {"Q4 age-related", S_Q4A, ONLY, "0000 1111 1111"},
    {"Q4 age-related", S_Q4A, PAIR, "0000 1111 1111"},
    /* Special support: a social worker; under OR_PAIR also a counsellor with a social-worker pair. */
    {"Q3 special", S_Q3S, ONLY, "0000 0000 1111"},
    {"Q3 special", S_Q3S, PAIR, "0000 0001 1111"},
    {"Q4 special", S_Q4S, ONLY, "0000 0000 1111"},
    {"Q4 special", S_Q4S, PAIR, "0000 0001 1111"},
};

static void test_arrangement_lawful(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof arrangement_rows / sizeof arrangement_rows[0]; i++) {
        const arrangement_row *r = &arrangement_rows[i];
        triage_classify_policy_t *p = NULL;
        assert_ok(triage_classify_policy_new(&p, NULL));
        assert_ok(triage_classify_policy_set_special_support_responsible(p, r->ss));
        triage_classification_t c;
        assert_ok(triage_classify(&c, p, &r->s));
        const char *e = r->lawful;
        for (int resp = SG; resp <= SW; resp++) {
            for (int pair = 0; pair <= SW; pair++, e++) {
                if (*e == ' ')
                    e++;
                int got = -1;
                assert_ok(triage_classify_arrangement_lawful(&got, p, &c, (triage_role_t)resp, pair));
                if (got != *e - '0')
                    fail_msg("%s ss=%d responsible=%d pair=%d: got %d", r->name, (int)r->ss,
                             resp, pair, got);
                /* NULL policy = the default (SOCIAL_WORKER_ONLY). */
                if (r->ss == ONLY) {
                    assert_ok(triage_classify_arrangement_lawful(&got, NULL, &c,
                                                                 (triage_role_t)resp, pair));
                    assert_int_equal(got, *e - '0');
                }
            }
        }
        triage_classify_policy_free(p);
    }
}

static void test_arrangement_invalid(void **state)
{
    (void)state;
    triage_classification_t ok;
    triage_scores_t s = S_Q4S;
    assert_ok(triage_classify(&ok, NULL, &s));
    int out = 42;
    assert_status(triage_classify_arrangement_lawful(NULL, NULL, &ok, SW, 0), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_classify_arrangement_lawful(&out, NULL, NULL, SW, 0), TRIAGE_EINVAL);
    assert_error_arg("c");
    static const struct { int field; uint8_t value; const char *arg; } bad_c[] = {
        {0, 0, "c.quadrant"},      {0, 5, "c.quadrant"},
        {1, 2, "c.special_support"}, {2, 0, "c.required_role"}, {2, 4, "c.required_role"},
    };
    for (size_t i = 0; i < sizeof bad_c / sizeof bad_c[0]; i++) {
        triage_classification_t c = ok;
        uint8_t *f = bad_c[i].field == 0 ? &c.quadrant
                     : bad_c[i].field == 1 ? &c.special_support : &c.required_role;
        *f = bad_c[i].value;
        assert_status(triage_classify_arrangement_lawful(&out, NULL, &c, SW, 0), TRIAGE_EINVAL);
        assert_error_arg(bad_c[i].arg);
    }
    /* Special support is impossible in Q1 and Q2. */
    for (uint8_t q = 1; q <= 2; q++) {
        triage_classification_t c = ok;
        c.quadrant = q;
        assert_status(triage_classify_arrangement_lawful(&out, NULL, &c, SW, 0), TRIAGE_EINVAL);
        assert_error_arg("c.special_support");
    }
    assert_status(triage_classify_arrangement_lawful(&out, NULL, &ok, (triage_role_t)0, 0),
                  TRIAGE_EINVAL);
    assert_error_arg("responsible_role");
    assert_status(triage_classify_arrangement_lawful(&out, NULL, &ok, (triage_role_t)4, 0),
                  TRIAGE_EINVAL);
    assert_error_arg("responsible_role");
    assert_status(triage_classify_arrangement_lawful(&out, NULL, &ok, SW, -1), TRIAGE_EINVAL);
    assert_error_arg("pair_role");
    assert_status(triage_classify_arrangement_lawful(&out, NULL, &ok, SW, 4), TRIAGE_EINVAL);
    assert_error_arg("pair_role");
    assert_int_equal(out, 42);
}

/* ---- batch ---------------------------------------------------------------- */

/* A plain reference implementation of docs/domain.md §6, written independently of the SWAR core. */
typedef struct {
    int severe, significant, areas, cause, sum;
    uint32_t version;
} ref_policy;

static void reference(triage_classification_t *c, const ref_policy *p, const triage_scores_t *s)
{
    int any_severe = 0, n_sig = 0, need_sum = 0, cap_sum = 0, any_cause = 0;
    unsigned sev_bits = 0, sig_bits = 0, cause_bits = 0, nz_bits = 0;
    for (int i = 0; i < TRIAGE_NEED_COUNT; i++) {
        need_sum += s->need[i];
        if (s->need[i] >= p->severe) {
            any_severe = 1;
            sev_bits |= 1u << i;
        }
        if (s->need[i] >= p->significant) {
            n_sig++;
            sig_bits |= 1u << i;
        }
    }
    for (int i = 0; i < TRIAGE_CAPACITY_COUNT; i++) {
        cap_sum += s->capacity[i];
        if (s->capacity[i] > 0)
            nz_bits |= 1u << i;
        if (i < TRIAGE_CAPACITY_CAUSES && s->capacity[i] >= p->cause) {
            any_cause = 1;
            cause_bits |= 1u << i;
        }
    }
    int count_rule = n_sig >= p->areas;
    int high = any_severe || count_rule;
    int sum_rule = cap_sum >= p->sum;
    int weak = any_cause || sum_rule;
    int special = weak && (high || any_cause) && !s->age_related;
    memset(c, 0, sizeof *c);
    c->quadrant = (uint8_t)(high ? (weak ? Q4 : Q2) : (weak ? Q3 : Q1));
    c->special_support = (uint8_t)special;
    if (special)
        c->required_role = SW;
    else if (c->quadrant == Q1)
        c->required_role = SG;
    else
        c->required_role = SC;
    if (special || c->quadrant == Q4)
        c->preferred_role = SW;
    else
        c->preferred_role = c->required_role;
    c->high_need = (uint8_t)high;
    c->weak_capacity = (uint8_t)weak;
    c->need_score = (uint8_t)need_sum;
    c->capacity_score = (uint8_t)cap_sum;
    c->need_rationale = (uint16_t)(sev_bits | (count_rule ? sig_bits : 0));
    c->capacity_rationale = (uint16_t)(cause_bits | (sum_rule ? nz_bits : 0));
    c->policy_version = p->version;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Random vectors, mixing sparse and dense ones so every boundary is crossed often. */
static void random_vectors(triage_scores_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *b = (uint8_t *)&v[i];
        unsigned density = (unsigned)(rng() % 8); /* chance of a nonzero score: density/8 */
        for (int j = 0; j < 18; j++) {
            uint64_t r = rng();
            b[j] = (uint8_t)((r % 8) < density ? 1 + (r >> 8) % 3 : 0);
        }
        b[18] = (uint8_t)(rng() % 2);
    }
}

#define RANDOM_N 100000

static void test_batch_equals_single(void **state)
{
    (void)state;
    triage_scores_t *v = malloc(RANDOM_N * sizeof *v);
    triage_classification_t *batch = malloc(RANDOM_N * sizeof *batch);
    assert_non_null(v);
    assert_non_null(batch);
    random_vectors(v, RANDOM_N);

    static const ref_policy policies[] = {
        {3, 2, 3, 2, 4, 1}, /* the default */
        {2, 1, 5, 1, 6, 2},
        {3, 3, 1, 3, 1, 3},
        {1, 2, 10, 2, 24, 4},
    };
    unsigned seen_quadrants = 0, seen_special = 0;
    for (size_t k = 0; k < sizeof policies / sizeof policies[0]; k++) {
        const ref_policy *rp = &policies[k];
        triage_classify_policy_t *p = NULL;
        assert_ok(triage_classify_policy_new(&p, NULL));
        assert_ok(triage_classify_policy_set_id(p, "random", rp->version));
        assert_ok(triage_classify_policy_set_threshold(p, TRIAGE_THRESHOLD_NEED_SEVERE, rp->severe));
        assert_ok(triage_classify_policy_set_threshold(p, TRIAGE_THRESHOLD_NEED_SIGNIFICANT,
                                                       rp->significant));
        assert_ok(triage_classify_policy_set_threshold(p, TRIAGE_THRESHOLD_NEED_AREAS, rp->areas));
        assert_ok(triage_classify_policy_set_threshold(p, TRIAGE_THRESHOLD_CAUSE, rp->cause));
        assert_ok(triage_classify_policy_set_threshold(p, TRIAGE_THRESHOLD_CAPACITY_SUM, rp->sum));
        const triage_classify_policy_t *use = k == 0 ? NULL : p;
        assert_ok(triage_classify_batch(batch, use, v, RANDOM_N));
        for (size_t i = 0; i < RANDOM_N; i++) {
            triage_classification_t single, ref;
            assert_ok(triage_classify(&single, use, &v[i]));
            reference(&ref, rp, &v[i]);
            if (memcmp(&single, &batch[i], sizeof single) != 0 ||
                memcmp(&single, &ref, sizeof ref) != 0)
                fail_msg("policy %zu vector %zu: single Q%u/%#x/%#x batch Q%u/%#x/%#x "
                         "reference Q%u/%#x/%#x",
                         k, i, single.quadrant, single.need_rationale,
                         single.capacity_rationale, batch[i].quadrant,
                         batch[i].need_rationale, batch[i].capacity_rationale, ref.quadrant,
                         ref.need_rationale, ref.capacity_rationale);
            seen_quadrants |= 1u << single.quadrant;
            seen_special |= 1u << (single.quadrant * 2 + single.special_support);
        }
        triage_classify_policy_free(p);
    }
    /* The random data reached every quadrant and both special outcomes in Q3 and Q4. */
    assert_int_equal(seen_quadrants, 0x1e);
    assert_int_equal(seen_special & 0x3c0, 0x3c0);
    free(v);
    free(batch);
}

static void test_batch_all_or_nothing(void **state)
{
    (void)state;
    enum { N = 300 };
    triage_scores_t v[N];
    triage_classification_t out[N], sentinel[N];
    random_vectors(v, N);
    memset(sentinel, 0x77, sizeof sentinel);
    static const struct { size_t k; int pos; uint8_t value; const char *arg; } bad[] = {
        {0, HOU, 4, "scores[0].need.housing"},
        {17, HOU, 200, "scores[17].need.housing"},
        {17, TRIAGE_NEED_COUNT + PSY, 4, "scores[17].capacity.psychiatric"},
        {123, TRIAGE_NEED_COUNT + MIS, 9, "scores[123].capacity.missed_appointments"},
        {N - 1, DEP, 255, "scores[299].need.dependants"},
        {N - 1, 18, 2, "scores[299].age_related"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        triage_scores_t w[N];
        memcpy(w, v, sizeof w);
        ((uint8_t *)&w[bad[i].k])[bad[i].pos] = bad[i].value;
        memcpy(out, sentinel, sizeof out);
        assert_status(triage_classify_batch(out, NULL, w, N), TRIAGE_EINVAL);
        assert_error_arg(bad[i].arg);
        assert_memory_equal(out, sentinel, sizeof out);
        /* The vectors before k are still classified fine on their own. */
        if (bad[i].k > 0)
            assert_ok(triage_classify_batch(out, NULL, w, bad[i].k));
    }
    /* n = 0 writes nothing and accepts NULL buffers; n > 0 needs both. */
    assert_ok(triage_classify_batch(NULL, NULL, NULL, 0));
    assert_status(triage_classify_batch(NULL, NULL, v, 1), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_classify_batch(out, NULL, NULL, 1), TRIAGE_EINVAL);
    assert_error_arg("scores");
}

/* ---- allocation failure --------------------------------------------------- */

static void test_alloc_failure(void **state)
{
    (void)state;
    for (long n = 1;; n++) {
        failing_alloc fa = {0};
        fa.fail_at = n;
        triage_allocator_t a = fa_allocator(&fa);
        triage_classify_policy_t *p = NULL;
        triage_status_t rc = triage_classify_policy_new(&p, &a);
        if (rc == TRIAGE_OK) {
            assert_int_equal(fa.live, 1);
            triage_classify_policy_free(p);
            assert_int_equal(fa.live, 0);
            assert_true(n > 1);
            break;
        }
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_null(p);
        assert_int_equal(fa.live, 0);
    }

    /* copy allocates with the source's allocator. */
    for (long n = 1;; n++) {
        failing_alloc fa = {0};
        triage_allocator_t a = fa_allocator(&fa);
        triage_classify_policy_t *p = NULL, *q = NULL;
        assert_ok(triage_classify_policy_new(&p, &a));
        assert_ok(triage_classify_policy_set_threshold(p, TRIAGE_THRESHOLD_CAUSE, 3));
        fa.fail_at = fa.calls + n;
        triage_status_t rc = triage_classify_policy_copy(&q, p);
        if (rc == TRIAGE_OK) {
            assert_int_equal(fa.live, 2);
            int32_t v = 0;
            assert_ok(triage_classify_policy_threshold(&v, q, TRIAGE_THRESHOLD_CAUSE));
            assert_int_equal(v, 3);
            triage_classify_policy_free(p); /* any order */
            triage_classify_policy_free(q);
            assert_int_equal(fa.live, 0);
            assert_true(n > 1);
            break;
        }
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_null(q);
        assert_int_equal(fa.live, 1);
        triage_classify_policy_free(p);
        assert_int_equal(fa.live, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vignettes),
        cmocka_unit_test(test_thresholds_shift_boundaries),
        cmocka_unit_test(test_policy_defaults),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_invalid_scores),
        cmocka_unit_test(test_invalid_policy_calls),
        cmocka_unit_test(test_arrangement_lawful),
        cmocka_unit_test(test_arrangement_invalid),
        cmocka_unit_test(test_batch_equals_single),
        cmocka_unit_test(test_batch_all_or_nothing),
        cmocka_unit_test(test_alloc_failure),
    };
    return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
