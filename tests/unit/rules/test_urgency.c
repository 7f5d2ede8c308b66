/*
 * Urgency tiers and triggers (docs/domain.md §5.1-5.2). The default policy
 * "fi-default" v1 is policy, not law: it follows emergency-social-services
 * and Kela practice (SHL 12 §, 35 § 2, 36 § 1 for the IMMEDIATE meaning).
 */
#include "testutil.h"

#define BIT(t) TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_##t)

/* ---- names ------------------------------------------------------------- */

static const struct {
    triage_trigger_t trigger;
    const char *name;
} trigger_names[] = {
    {TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT, "life_or_health_threat"},
    {TRIAGE_TRIGGER_NO_SHELTER_TONIGHT, "no_shelter_tonight"},
    {TRIAGE_TRIGGER_DEPENDANT_WITHOUT_CARE, "dependant_without_care"},
    {TRIAGE_TRIGGER_UNABLE_TO_SELF_CARE, "unable_to_self_care"},
    {TRIAGE_TRIGGER_ACUTE_CRISIS, "acute_crisis"},
    {TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE, "no_food_or_medicine"},
    {TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION, "urgent_assistance_application"},
    {TRIAGE_TRIGGER_EVICTION_OR_CUTOFF, "eviction_or_cutoff"},
    {TRIAGE_TRIGGER_DISCHARGE_WITHOUT_HOUSING, "discharge_without_housing"},
    {TRIAGE_TRIGGER_POLICE_OR_EMERGENCY_NOTIFICATION, "police_or_emergency_notification"},
};

static void test_trigger_names_round_trip(void **state)
{
    (void)state;
    assert_int_equal(sizeof trigger_names / sizeof trigger_names[0], TRIAGE_TRIGGER_COUNT);
    for (size_t i = 0; i < TRIAGE_TRIGGER_COUNT; i++) {
        assert_string_equal(triage_trigger_name(trigger_names[i].trigger), trigger_names[i].name);
        triage_trigger_t t = (triage_trigger_t)99;
        assert_ok(triage_trigger_from_name(&t, trigger_names[i].name));
        assert_int_equal(t, trigger_names[i].trigger);
    }
    assert_null(triage_trigger_name((triage_trigger_t)-1));
    assert_null(triage_trigger_name((triage_trigger_t)TRIAGE_TRIGGER_COUNT));
}

static void test_trigger_from_name_rejects(void **state)
{
    (void)state;
    /* Names are matched exactly: lower case, no surrounding space. */
    static const char *const bad[] = {"", "NO_SHELTER_TONIGHT", "no_shelter_tonight ",
                                      "no shelter tonight", "no_shelter", "unknown"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        triage_trigger_t t = TRIAGE_TRIGGER_ACUTE_CRISIS;
        assert_status(triage_trigger_from_name(&t, bad[i]), TRIAGE_EINVAL);
        assert_error_arg("name");
        assert_int_equal(t, TRIAGE_TRIGGER_ACUTE_CRISIS);
    }
    triage_trigger_t t;
    assert_status(triage_trigger_from_name(&t, NULL), TRIAGE_EINVAL);
    assert_error_arg("name");
    assert_status(triage_trigger_from_name(NULL, "acute_crisis"), TRIAGE_EINVAL);
    assert_error_arg("out");
}

static void test_tier_names(void **state)
{
    (void)state;
    assert_string_equal(triage_urgency_name(TRIAGE_URGENCY_IMMEDIATE), "IMMEDIATE");
    assert_string_equal(triage_urgency_name(TRIAGE_URGENCY_URGENT), "URGENT");
    assert_string_equal(triage_urgency_name(TRIAGE_URGENCY_PRIORITY), "PRIORITY");
    assert_string_equal(triage_urgency_name(TRIAGE_URGENCY_NORMAL), "NORMAL");
    assert_null(triage_urgency_name((triage_urgency_t)0));
    assert_null(triage_urgency_name((triage_urgency_t)5));
}

/* ---- assessment under the default policy ------------------------------- */

typedef struct {
    const char *source;         /* where the rule comes from */
    uint32_t triggers;
    triage_urgency_t floor;
    triage_urgency_t tier;
    uint32_t deciding;
    int32_t response_days;
} assess_case;

static const assess_case default_cases[] = {
    /* §5.2: nothing fired is NORMAL; §5.1 default 15 business days */
    {"§5.2 none", 0, TRIAGE_URGENCY_NORMAL, TRIAGE_URGENCY_NORMAL, 0, 15},
    /* §5.2 IMMEDIATE triggers (SHL 12 §, 36 § 1): respond the same day */
    {"§5.2 life_or_health_threat", BIT(LIFE_OR_HEALTH_THREAT), TRIAGE_URGENCY_NORMAL,
     TRIAGE_URGENCY_IMMEDIATE, BIT(LIFE_OR_HEALTH_THREAT), 0},
    {"§5.2 no_shelter_tonight", BIT(NO_SHELTER_TONIGHT), TRIAGE_URGENCY_NORMAL,
     TRIAGE_URGENCY_IMMEDIATE, BIT(NO_SHELTER_TONIGHT), 0},
    {"§5.2 dependant_without_care", BIT(DEPENDANT_WITHOUT_CARE), TRIAGE_URGENCY_NORMAL,
     TRIAGE_URGENCY_IMMEDIATE, BIT(DEPENDANT_WITHOUT_CARE), 0},
    /* SHL 35 § 2: evidently unable to look after own care, health or safety */
    {"§5.2 unable_to_self_care", BIT(UNABLE_TO_SELF_CARE), TRIAGE_URGENCY_NORMAL,
     TRIAGE_URGENCY_IMMEDIATE, BIT(UNABLE_TO_SELF_CARE), 0},
    {"§5.2 acute_crisis", BIT(ACUTE_CRISIS), TRIAGE_URGENCY_NORMAL, TRIAGE_URGENCY_IMMEDIATE,
     BIT(ACUTE_CRISIS), 0},
    /* §5.2 URGENT triggers: the same or the next business day */
    {"§5.2 no_food_or_medicine (Kela)", BIT(NO_FOOD_OR_MEDICINE), TRIAGE_URGENCY_NORMAL,
     TRIAGE_URGENCY_URGENT, BIT(NO_FOOD_OR_MEDICINE), 1},
    {"§5.2 urgent_assistance_application (TTL 14 b §)", BIT(URGENT_ASSISTANCE_APPLICATION),
     TRIAGE_URGENCY_NORMAL, TRIAGE_URGENCY_URGENT, BIT(URGENT_ASSISTANCE_APPLICATION), 1},
    {"§5.2 eviction_or_cutoff", BIT(EVICTION_OR_CUTOFF), TRIAGE_URGENCY_NORMAL,
     TRIAGE_URGENCY_URGENT, BIT(EVICTION_OR_CUTOFF), 1},
    {"§5.2 discharge_without_housing", BIT(DISCHARGE_WITHOUT_HOUSING), TRIAGE_URGENCY_NORMAL,
     TRIAGE_URGENCY_URGENT, BIT(DISCHARGE_WITHOUT_HOUSING), 1},
    {"§5.2 police_or_emergency_notification", BIT(POLICE_OR_EMERGENCY_NOTIFICATION),
     TRIAGE_URGENCY_NORMAL, TRIAGE_URGENCY_URGENT, BIT(POLICE_OR_EMERGENCY_NOTIFICATION), 1},
    /* §5.2: the highest tier wins; only its triggers decide, all are listed as fired */
    {"§5.2 highest wins", BIT(NO_FOOD_OR_MEDICINE) | BIT(NO_SHELTER_TONIGHT),
     TRIAGE_URGENCY_NORMAL, TRIAGE_URGENCY_IMMEDIATE, BIT(NO_SHELTER_TONIGHT), 0},
    {"§5.2 two deciding", BIT(ACUTE_CRISIS) | BIT(LIFE_OR_HEALTH_THREAT) | BIT(EVICTION_OR_CUTOFF),
     TRIAGE_URGENCY_NORMAL, TRIAGE_URGENCY_IMMEDIATE,
     BIT(ACUTE_CRISIS) | BIT(LIFE_OR_HEALTH_THREAT), 0},
    {"§5.2 urgent pair", BIT(EVICTION_OR_CUTOFF) | BIT(DISCHARGE_WITHOUT_HOUSING),
     TRIAGE_URGENCY_NORMAL, TRIAGE_URGENCY_URGENT,
     BIT(EVICTION_OR_CUTOFF) | BIT(DISCHARGE_WITHOUT_HOUSING), 1},
    {"§5.2 all triggers", TRIAGE_TRIGGER_ALL, TRIAGE_URGENCY_NORMAL, TRIAGE_URGENCY_IMMEDIATE,
     BIT(LIFE_OR_HEALTH_THREAT) | BIT(NO_SHELTER_TONIGHT) | BIT(DEPENDANT_WITHOUT_CARE) |
         BIT(UNABLE_TO_SELF_CARE) | BIT(ACUTE_CRISIS),
     0},
    /* §5.1: a statutory 7-business-day start (SHL 36 § 2-3, LSL 26 §) lifts NORMAL to PRIORITY */
    {"§5.1 floor lifts NORMAL", 0, TRIAGE_URGENCY_PRIORITY, TRIAGE_URGENCY_PRIORITY, 0, 7},
    {"§5.1 floor never lowers", BIT(NO_FOOD_OR_MEDICINE), TRIAGE_URGENCY_PRIORITY,
     TRIAGE_URGENCY_URGENT, BIT(NO_FOOD_OR_MEDICINE), 1},
    {"§5.1 floor under IMMEDIATE", BIT(ACUTE_CRISIS), TRIAGE_URGENCY_PRIORITY,
     TRIAGE_URGENCY_IMMEDIATE, BIT(ACUTE_CRISIS), 0},
    /* a floor is a minimum urgency: a caller-set URGENT floor makes the result URGENT */
    {"floor URGENT", 0, TRIAGE_URGENCY_URGENT, TRIAGE_URGENCY_URGENT, 0, 1},
};

static void check_case(const assess_case *c, const triage_urgency_policy_t *policy,
                       const char *id, uint32_t version)
{
    triage_urgency_result_t r;
    memset(&r, 0xab, sizeof r);
    triage_status_t rc = triage_urgency_assess(&r, policy, c->triggers, c->floor);
    if (rc != TRIAGE_OK)
        fail_msg("%s: status %d", c->source, (int)rc);
    if (r.tier != c->tier || r.deciding != c->deciding || r.fired != c->triggers ||
        r.response_days != c->response_days)
        fail_msg("%s: tier %d deciding %#x fired %#x days %d; expected %d %#x %#x %d", c->source,
                 (int)r.tier, (unsigned)r.deciding, (unsigned)r.fired, (int)r.response_days,
                 (int)c->tier, (unsigned)c->deciding, (unsigned)c->triggers,
                 (int)c->response_days);
    assert_string_equal(r.policy_id, id);
    assert_int_equal(r.policy_version, version);
}

static void test_assess_default_policy(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof default_cases / sizeof default_cases[0]; i++)
        check_case(&default_cases[i], NULL, "fi-default", 1);
}

static void test_assess_policy_object_defaults_match(void **state)
{
    (void)state;
    triage_urgency_policy_t *p = NULL;
    assert_ok(triage_urgency_policy_new(&p, NULL));
    for (size_t i = 0; i < sizeof default_cases / sizeof default_cases[0]; i++)
        check_case(&default_cases[i], p, "fi-default", 1);
    const char *id = NULL;
    uint32_t version = 0;
    assert_ok(triage_urgency_policy_id(&id, &version, p));
    assert_string_equal(id, "fi-default");
    assert_int_equal(version, 1);
    static const int32_t days[] = {0, 0, 1, 7, 15};
    for (int t = TRIAGE_URGENCY_IMMEDIATE; t <= TRIAGE_URGENCY_NORMAL; t++) {
        int32_t d = -1;
        assert_ok(triage_urgency_policy_response_days(&d, p, (triage_urgency_t)t));
        assert_int_equal(d, days[t]);
    }
    triage_urgency_policy_free(p);
}

static void test_assess_rejects(void **state)
{
    (void)state;
    triage_urgency_result_t r;
    memset(&r, 0x5a, sizeof r);
    triage_urgency_result_t before = r;
    assert_status(triage_urgency_assess(&r, NULL, TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_COUNT),
                                        TRIAGE_URGENCY_NORMAL),
                  TRIAGE_EINVAL);
    assert_error_arg("triggers");
    assert_status(triage_urgency_assess(&r, NULL, UINT32_C(0x80000000), TRIAGE_URGENCY_NORMAL),
                  TRIAGE_EINVAL);
    assert_error_arg("triggers");
    assert_status(triage_urgency_assess(&r, NULL, 0, (triage_urgency_t)0), TRIAGE_EINVAL);
    assert_error_arg("statutory_floor");
    assert_status(triage_urgency_assess(&r, NULL, 0, (triage_urgency_t)5), TRIAGE_EINVAL);
    assert_error_arg("statutory_floor");
    assert_memory_equal(&r, &before, sizeof r);
    assert_status(triage_urgency_assess(NULL, NULL, 0, TRIAGE_URGENCY_NORMAL), TRIAGE_EINVAL);
    assert_error_arg("out");
}

/* ---- policy remapping (§5.2 default rules are policy) -------------------- */

static void test_policy_remap_trigger_and_response(void **state)
{
    (void)state;
    triage_urgency_policy_t *p = NULL;
    assert_ok(triage_urgency_policy_new(&p, NULL));
    assert_ok(triage_urgency_policy_set_tier(p, TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE,
                                             TRIAGE_URGENCY_IMMEDIATE));
    assert_ok(triage_urgency_policy_set_tier(p, TRIAGE_TRIGGER_ACUTE_CRISIS,
                                             TRIAGE_URGENCY_PRIORITY));
    assert_ok(triage_urgency_policy_set_tier(p, TRIAGE_TRIGGER_EVICTION_OR_CUTOFF,
                                             TRIAGE_URGENCY_NORMAL));
    assert_ok(triage_urgency_policy_set_response_days(p, TRIAGE_URGENCY_URGENT, 2));
    assert_ok(triage_urgency_policy_set_response_days(p, TRIAGE_URGENCY_PRIORITY, 5));
    assert_ok(triage_urgency_policy_set_response_days(p, TRIAGE_URGENCY_NORMAL, 365));
    assert_ok(triage_urgency_policy_set_id(p, "vaasa-2026", 3));

    static const assess_case cases[] = {
        {"remapped to IMMEDIATE", BIT(NO_FOOD_OR_MEDICINE), TRIAGE_URGENCY_NORMAL,
         TRIAGE_URGENCY_IMMEDIATE, BIT(NO_FOOD_OR_MEDICINE), 0},
        {"remapped to PRIORITY", BIT(ACUTE_CRISIS), TRIAGE_URGENCY_NORMAL,
         TRIAGE_URGENCY_PRIORITY, BIT(ACUTE_CRISIS), 5},
        /* a trigger moved to NORMAL no longer makes anything urgent and decides nothing */
        {"remapped to NORMAL", BIT(EVICTION_OR_CUTOFF), TRIAGE_URGENCY_NORMAL,
         TRIAGE_URGENCY_NORMAL, 0, 365},
        {"untouched URGENT, new time", BIT(DISCHARGE_WITHOUT_HOUSING), TRIAGE_URGENCY_NORMAL,
         TRIAGE_URGENCY_URGENT, BIT(DISCHARGE_WITHOUT_HOUSING), 2},
        {"PRIORITY trigger and floor", BIT(ACUTE_CRISIS), TRIAGE_URGENCY_PRIORITY,
         TRIAGE_URGENCY_PRIORITY, BIT(ACUTE_CRISIS), 5},
        {"floor with a NORMAL trigger", BIT(EVICTION_OR_CUTOFF), TRIAGE_URGENCY_PRIORITY,
         TRIAGE_URGENCY_PRIORITY, 0, 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i], p, "vaasa-2026", 3);

    /* A copy is independent of its source. */
    triage_urgency_policy_t *c = NULL;
    assert_ok(triage_urgency_policy_copy(&c, p));
    assert_ok(triage_urgency_policy_set_tier(c, TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE,
                                             TRIAGE_URGENCY_URGENT));
    assert_ok(triage_urgency_policy_set_id(c, "copy", 4));
    check_case(&cases[0], p, "vaasa-2026", 3);
    static const assess_case in_copy = {"copy", BIT(NO_FOOD_OR_MEDICINE), TRIAGE_URGENCY_NORMAL,
                                        TRIAGE_URGENCY_URGENT, BIT(NO_FOOD_OR_MEDICINE), 2};
    check_case(&in_copy, c, "copy", 4);
    triage_urgency_policy_free(c);
    triage_urgency_policy_free(p);
    triage_urgency_policy_free(NULL);
}

static void test_policy_setters_reject(void **state)
{
    (void)state;
    triage_urgency_policy_t *p = NULL;
    assert_ok(triage_urgency_policy_new(&p, NULL));

    assert_status(triage_urgency_policy_set_tier(p, (triage_trigger_t)10, TRIAGE_URGENCY_URGENT),
                  TRIAGE_EINVAL);
    assert_error_arg("trigger");
    assert_status(triage_urgency_policy_set_tier(p, (triage_trigger_t)-1, TRIAGE_URGENCY_URGENT),
                  TRIAGE_EINVAL);
    assert_error_arg("trigger");
    assert_status(triage_urgency_policy_set_tier(p, TRIAGE_TRIGGER_ACUTE_CRISIS,
                                                 (triage_urgency_t)0),
                  TRIAGE_EINVAL);
    assert_error_arg("tier");
    assert_status(triage_urgency_policy_set_tier(NULL, TRIAGE_TRIGGER_ACUTE_CRISIS,
                                                 TRIAGE_URGENCY_URGENT),
                  TRIAGE_EINVAL);
    assert_error_arg("policy");

    assert_status(triage_urgency_policy_set_response_days(p, TRIAGE_URGENCY_URGENT, -1),
                  TRIAGE_EINVAL);
    assert_error_arg("days");
    assert_status(triage_urgency_policy_set_response_days(p, TRIAGE_URGENCY_URGENT, 366),
                  TRIAGE_EINVAL);
    assert_error_arg("days");
    assert_status(triage_urgency_policy_set_response_days(p, (triage_urgency_t)5, 3),
                  TRIAGE_EINVAL);
    assert_error_arg("tier");
    int32_t d = 42;
    assert_status(triage_urgency_policy_response_days(&d, p, (triage_urgency_t)0), TRIAGE_EINVAL);
    assert_error_arg("tier");
    assert_status(triage_urgency_policy_response_days(NULL, p, TRIAGE_URGENCY_URGENT),
                  TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_int_equal(d, 42);

    static const char *const bad_ids[] = {"", "tab\there", "\x7f", "é",
                                          "12345678901234567890123456789012"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        assert_status(triage_urgency_policy_set_id(p, bad_ids[i], 2), TRIAGE_EINVAL);
        assert_error_arg("id");
    }
    assert_status(triage_urgency_policy_set_id(p, NULL, 2), TRIAGE_EINVAL);
    assert_error_arg("id");
    assert_status(triage_urgency_policy_set_id(p, "ok", 0), TRIAGE_EINVAL);
    assert_error_arg("version");
    /* 31 characters is the most an id can have. */
    assert_ok(triage_urgency_policy_set_id(p, "1234567890123456789012345678901", 9));

    /* Failed setters left the policy as it was. */
    triage_urgency_result_t r;
    assert_ok(triage_urgency_assess(&r, p, BIT(ACUTE_CRISIS), TRIAGE_URGENCY_NORMAL));
    assert_int_equal(r.tier, TRIAGE_URGENCY_IMMEDIATE);
    assert_ok(triage_urgency_assess(&r, p, BIT(EVICTION_OR_CUTOFF), TRIAGE_URGENCY_NORMAL));
    assert_int_equal(r.response_days, 1);
    assert_string_equal(r.policy_id, "1234567890123456789012345678901");
    assert_int_equal(r.policy_version, 9);

    const char *id = "x";
    uint32_t v = 0;
    assert_status(triage_urgency_policy_id(NULL, &v, p), TRIAGE_EINVAL);
    assert_error_arg("id");
    assert_status(triage_urgency_policy_id(&id, NULL, p), TRIAGE_EINVAL);
    assert_error_arg("version");
    assert_status(triage_urgency_policy_id(&id, &v, NULL), TRIAGE_EINVAL);
    assert_error_arg("policy");
    triage_urgency_policy_free(p);

    assert_status(triage_urgency_policy_new(NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("out");
    triage_urgency_policy_t *q = NULL;
    assert_status(triage_urgency_policy_copy(&q, NULL), TRIAGE_EINVAL);
    assert_error_arg("policy");
    assert_status(triage_urgency_policy_copy(NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("out");
    triage_allocator_t half = {fa_malloc, NULL, NULL, NULL};
    assert_status(triage_urgency_policy_new(&q, &half), TRIAGE_EINVAL);
    assert_error_arg("alloc");
    assert_null(q);
}

/* Every allocating call fails cleanly on each allocation: ENOMEM, nothing leaked. */
static void test_policy_allocation_failures(void **state)
{
    (void)state;
    int succeeded = 0;
    for (long n = 1; n <= 8 && !succeeded; n++) {
        failing_alloc fa = {0, n, 0, 0};
        triage_allocator_t a = fa_allocator(&fa);
        triage_urgency_policy_t *p = NULL;
        triage_status_t rc = triage_urgency_policy_new(&p, &a);
        if (rc == TRIAGE_OK) {
            succeeded = 1;
            triage_urgency_policy_free(p);
        } else {
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_int_equal(triage_error_last()->code, TRIAGE_ENOMEM);
            assert_null(p);
            assert_int_equal(fa.failures, 1);
        }
        assert_int_equal(fa.live, 0);
    }
    assert_true(succeeded);

    /* copy: uses the source's allocator */
    succeeded = 0;
    for (long n = 2; n <= 9 && !succeeded; n++) {
        failing_alloc fa = {0, n, 0, 0};
        triage_allocator_t a = fa_allocator(&fa);
        triage_urgency_policy_t *p = NULL, *c = NULL;
        assert_ok(triage_urgency_policy_new(&p, &a));
        assert_ok(triage_urgency_policy_set_tier(p, TRIAGE_TRIGGER_ACUTE_CRISIS,
                                                 TRIAGE_URGENCY_URGENT));
        triage_status_t rc = triage_urgency_policy_copy(&c, p);
        if (rc == TRIAGE_OK) {
            succeeded = 1;
            triage_urgency_result_t r;
            assert_ok(triage_urgency_assess(&r, c, BIT(ACUTE_CRISIS), TRIAGE_URGENCY_NORMAL));
            assert_int_equal(r.tier, TRIAGE_URGENCY_URGENT);
            assert_int_equal(fa.live, 2);
            triage_urgency_policy_free(c);
        } else {
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_null(c);
            assert_int_equal(fa.live, 1);
        }
        triage_urgency_policy_free(p);
        assert_int_equal(fa.live, 0);
    }
    assert_true(succeeded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trigger_names_round_trip),
        cmocka_unit_test(test_trigger_from_name_rejects),
        cmocka_unit_test(test_tier_names),
        cmocka_unit_test(test_assess_default_policy),
        cmocka_unit_test(test_assess_policy_object_defaults_match),
        cmocka_unit_test(test_assess_rejects),
        cmocka_unit_test(test_policy_remap_trigger_and_response),
        cmocka_unit_test(test_policy_setters_reject),
        cmocka_unit_test(test_policy_allocation_failures),
    };
    return cmocka_run_group_tests_name("urgency", tests, NULL, NULL);
}
