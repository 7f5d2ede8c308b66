/*
 * Statutory deadlines (docs/domain.md §5.3, rows D1-D13) and their status.
 *
 * The rules are data. Each row of `default_rows` names its legal basis, the
 * milestone, the date it counts from (anchor), how it counts (unit and
 * amount), when it applies (one predicate from `condition_t`) and the law
 * version it encodes. triage_deadlines_compute() evaluates every row with one
 * generic loop; nothing about a particular row is written in code outside
 * the table, except what each predicate means.
 */
#include <stdio.h>
#include <string.h>

#include "base/internal.h"
#include "rules/deadline_priv.h"
#include "rules/policy_text.h"
#include "rules/urgency_priv.h"

#define LIMIT_MAX 365
#define LAW_VERSION_MAX 31
#define DUE_SOON_MAX 365
#define AGE_MAX 150
#define AGE_SPECIAL_CARE 75 /* SHL 36 § 2 (1): "aged 75 or over" (default reading) */
#define AGE_ADULT 18

/* The date a row counts from. */
typedef enum anchor {
    ANCHOR_INTAKE = 1,          /* input->received */
    ANCHOR_COMPLETION = 2,      /* input->assistance_completed */
    ANCHOR_MEETING_REQUEST = 3, /* input->meeting_requested */
    ANCHOR_PLAN = 4             /* the plan or its last review (a case fact, never an input) */
} anchor_t;

/* How a row counts from its anchor. */
typedef enum unit {
    UNIT_SAME_DAY = 1,      /* the anchor date itself */
    UNIT_BUSINESS_DAYS = 2, /* the Nth business day after the anchor (Act 150/1930 § 2) */
    UNIT_MONTHS = 3,        /* N calendar months, then the next business day (§§ 3, 5) */
    UNIT_TIER_RESPONSE = 4  /* business days from the urgency policy for the tier */
} unit_t;

/* When a row applies: predicates over the intake facts. */
typedef enum condition {
    COND_ALWAYS = 1,
    COND_OWN_CONTACT_AGED_75 = 2,      /* own contact, aged 75+ on the intake date */
    COND_OWN_CONTACT_CARE_ALLOWANCE = 3, /* own contact, highest-rate care allowance */
    COND_CHILD_SPECIAL_SUPPORT = 4,
    COND_CHILD_WELFARE_NOTIFICATION = 5,
    COND_NO_STATUTORY_START = 6,       /* no enabled `statutory_start` row applies */
    COND_SERVICE_DECISION = 7,         /* a non-urgent service decision was made */
    COND_APPLICATION_URGENT = 8,
    COND_APPLICATION_COMPLETE = 9,     /* non-urgent, complete on arrival */
    COND_APPLICATION_INCOMPLETE = 10,  /* non-urgent, incomplete on arrival */
    COND_APPLICATION_COMPLETED = 11,   /* non-urgent, incomplete, completion date known */
    COND_MEETING_REQUESTED = 12,
    COND_PLAN_MADE = 13                /* a case fact: never holds for an intake's input */
} condition_t;

#define COND_SLOTS 14

typedef struct rule_row {
    triage_deadline_row_t row;
    triage_legal_basis_t basis;
    triage_legal_basis_t basis_child_welfare; /* basis for a child-welfare notification */
    triage_milestone_t milestone;
    anchor_t anchor;
    unit_t unit;
    int32_t amount;
    condition_t condition;
    uint8_t statutory_start; /* a 7-business-day start: lifts NORMAL to PRIORITY (§5.1) */
    uint8_t enabled;
    char law_version[LAW_VERSION_MAX + 1];
} rule_row;

#define ROW_COUNT 16

struct triage_deadline_rules {
    triage_allocator_t alloc;
    rule_row rows[ROW_COUNT];
};

/* clang-format off */
/*
 * The statutory rules as of the consolidated texts of 2025 (docs/domain.md §5.3).
 * row, basis, basis for a child-welfare notification, milestone, anchor, unit,
 * amount, condition, statutory start, enabled, law version.
 */
static const struct triage_deadline_rules default_rules = {
    {NULL, NULL, NULL, NULL},
    {
        /* SHL 36 § 1, LSL 26 § 2: urgency assessed at once, the same day. */
        {TRIAGE_DEADLINE_D1, TRIAGE_BASIS_SHL_36, TRIAGE_BASIS_LSL_26,
         TRIAGE_MILESTONE_URGENCY_ASSESSED, ANCHOR_INTAKE, UNIT_SAME_DAY, 0,
         COND_ALWAYS, 0, 1, "2025"},
        /* SHL 36 § 2 (1): own contact, aged 75 or over. */
        {TRIAGE_DEADLINE_D2, TRIAGE_BASIS_SHL_36, TRIAGE_BASIS_SHL_36,
         TRIAGE_MILESTONE_ASSESSMENT_STARTED, ANCHOR_INTAKE, UNIT_BUSINESS_DAYS, 7,
         COND_OWN_CONTACT_AGED_75, 1, 1, "2025"},
        /* SHL 36 § 2 (2): own contact, highest-rate pensioner's care allowance. */
        {TRIAGE_DEADLINE_D3, TRIAGE_BASIS_SHL_36, TRIAGE_BASIS_SHL_36,
         TRIAGE_MILESTONE_ASSESSMENT_STARTED, ANCHOR_INTAKE, UNIT_BUSINESS_DAYS, 7,
         COND_OWN_CONTACT_CARE_ALLOWANCE, 1, 1, "2025"},
        /* SHL 36 § 3: a child in need of special support, start. */
        {TRIAGE_DEADLINE_D4, TRIAGE_BASIS_SHL_36, TRIAGE_BASIS_SHL_36,
         TRIAGE_MILESTONE_ASSESSMENT_STARTED, ANCHOR_INTAKE, UNIT_BUSINESS_DAYS, 7,
         COND_CHILD_SPECIAL_SUPPORT, 1, 1, "2025"},
        /* SHL 36 § 3: the same, completed within 3 months. */
        {TRIAGE_DEADLINE_D5, TRIAGE_BASIS_SHL_36, TRIAGE_BASIS_SHL_36,
         TRIAGE_MILESTONE_ASSESSMENT_COMPLETED, ANCHOR_INTAKE, UNIT_MONTHS, 3,
         COND_CHILD_SPECIAL_SUPPORT, 0, 1, "2025"},
        /* LSL 26 §: child-welfare notification, assessment started. */
        {TRIAGE_DEADLINE_D6, TRIAGE_BASIS_LSL_26, TRIAGE_BASIS_LSL_26,
         TRIAGE_MILESTONE_ASSESSMENT_STARTED, ANCHOR_INTAKE, UNIT_BUSINESS_DAYS, 7,
         COND_CHILD_WELFARE_NOTIFICATION, 1, 1, "2025"},
        /* LSL 26 §: the same, completed within 3 months. */
        {TRIAGE_DEADLINE_D7, TRIAGE_BASIS_LSL_26, TRIAGE_BASIS_LSL_26,
         TRIAGE_MILESTONE_ASSESSMENT_COMPLETED, ANCHOR_INTAKE, UNIT_MONTHS, 3,
         COND_CHILD_WELFARE_NOTIFICATION, 0, 1, "2025"},
        /* SHL 36 § 2: any other intake, "without delay" (default 15 business days). */
        {TRIAGE_DEADLINE_D8, TRIAGE_BASIS_SHL_36, TRIAGE_BASIS_SHL_36,
         TRIAGE_MILESTONE_ASSESSMENT_STARTED, ANCHOR_INTAKE, UNIT_BUSINESS_DAYS, 15,
         COND_NO_STATUTORY_START, 0, 1, "2025"},
        /* SHL 45 § 2: a non-urgent service decision carried out within 3 months of intake. */
        {TRIAGE_DEADLINE_D9, TRIAGE_BASIS_SHL_45, TRIAGE_BASIS_SHL_45,
         TRIAGE_MILESTONE_DECISION_CARRIED_OUT, ANCHOR_INTAKE, UNIT_MONTHS, 3,
         COND_SERVICE_DECISION, 0, 1, "2025"},
        /* TTL 14 b §: urgent application, the same or at the latest the next business day. */
        {TRIAGE_DEADLINE_D10, TRIAGE_BASIS_TTL_14B, TRIAGE_BASIS_TTL_14B,
         TRIAGE_MILESTONE_DECISION, ANCHOR_INTAKE, UNIT_BUSINESS_DAYS, 1,
         COND_APPLICATION_URGENT, 0, 1, "2025"},
        /* TTL 14 c §: complete non-urgent application, decision by the 7th business day. */
        {TRIAGE_DEADLINE_D11, TRIAGE_BASIS_TTL_14C, TRIAGE_BASIS_TTL_14C,
         TRIAGE_MILESTONE_DECISION, ANCHOR_INTAKE, UNIT_BUSINESS_DAYS, 7,
         COND_APPLICATION_COMPLETE, 0, 1, "2025"},
        /* TTL 14 c §: incomplete application, completion requested by the 7th business day. */
        {TRIAGE_DEADLINE_D12, TRIAGE_BASIS_TTL_14C, TRIAGE_BASIS_TTL_14C,
         TRIAGE_MILESTONE_COMPLETION_REQUESTED, ANCHOR_INTAKE, UNIT_BUSINESS_DAYS, 7,
         COND_APPLICATION_INCOMPLETE, 0, 1, "2025"},
        /* TTL 14 c §: then the decision by the 7th business day after completion. */
        {TRIAGE_DEADLINE_D12_DECISION, TRIAGE_BASIS_TTL_14C, TRIAGE_BASIS_TTL_14C,
         TRIAGE_MILESTONE_DECISION, ANCHOR_COMPLETION, UNIT_BUSINESS_DAYS, 7,
         COND_APPLICATION_COMPLETED, 0, 1, "2025"},
        /* TTL 14 e §: a meeting with a worker by the 7th business day after asking. */
        {TRIAGE_DEADLINE_D13, TRIAGE_BASIS_TTL_14E, TRIAGE_BASIS_TTL_14E,
         TRIAGE_MILESTONE_MEETING_HELD, ANCHOR_MEETING_REQUEST, UNIT_BUSINESS_DAYS, 7,
         COND_MEETING_REQUESTED, 0, 1, "2025"},
        /* SHL 39 §: the client plan is reviewed as needed; policy default at
         * least every 12 months (docs/domain.md §3). Arises on the case only. */
        {TRIAGE_DEADLINE_PLAN_REVIEW, TRIAGE_BASIS_SHL_39, TRIAGE_BASIS_SHL_39,
         TRIAGE_MILESTONE_PLAN_REVIEWED, ANCHOR_PLAN, UNIT_MONTHS, 12,
         COND_PLAN_MADE, 0, 1, "2025"},
        /* Not law: the urgency tier's response time from the urgency policy. */
        {TRIAGE_DEADLINE_RESPONSE, TRIAGE_BASIS_POLICY, TRIAGE_BASIS_POLICY,
         TRIAGE_MILESTONE_RESPONSE, ANCHOR_INTAKE, UNIT_TIER_RESPONSE, 0,
         COND_ALWAYS, 0, 1, "2025"},
    },
};
/* clang-format on */

/* ---- names -------------------------------------------------------------- */

const char *triage_legal_basis_name(triage_legal_basis_t basis)
{
    switch (basis) {
    case TRIAGE_BASIS_SHL_36: return "SHL 36 §";
    case TRIAGE_BASIS_SHL_45: return "SHL 45 §";
    case TRIAGE_BASIS_LSL_26: return "LSL 26 §";
    case TRIAGE_BASIS_TTL_14B: return "TTL 14 b §";
    case TRIAGE_BASIS_TTL_14C: return "TTL 14 c §";
    case TRIAGE_BASIS_TTL_14E: return "TTL 14 e §";
    case TRIAGE_BASIS_POLICY: return "policy";
    case TRIAGE_BASIS_SHL_39: return "SHL 39 §";
    }
    return NULL;
}

const char *triage_milestone_name(triage_milestone_t milestone)
{
    switch (milestone) {
    case TRIAGE_MILESTONE_URGENCY_ASSESSED: return "urgency_assessed";
    case TRIAGE_MILESTONE_ASSESSMENT_STARTED: return "assessment_started";
    case TRIAGE_MILESTONE_ASSESSMENT_COMPLETED: return "assessment_completed";
    case TRIAGE_MILESTONE_DECISION: return "decision";
    case TRIAGE_MILESTONE_DECISION_CARRIED_OUT: return "decision_carried_out";
    case TRIAGE_MILESTONE_MEETING_HELD: return "meeting_held";
    case TRIAGE_MILESTONE_COMPLETION_REQUESTED: return "completion_requested";
    case TRIAGE_MILESTONE_RESPONSE: return "response";
    case TRIAGE_MILESTONE_PLAN_REVIEWED: return "plan_reviewed";
    }
    return NULL;
}

const char *triage_deadline_row_name(triage_deadline_row_t row)
{
    switch (row) {
    case TRIAGE_DEADLINE_D1: return "D1";
    case TRIAGE_DEADLINE_D2: return "D2";
    case TRIAGE_DEADLINE_D3: return "D3";
    case TRIAGE_DEADLINE_D4: return "D4";
    case TRIAGE_DEADLINE_D5: return "D5";
    case TRIAGE_DEADLINE_D6: return "D6";
    case TRIAGE_DEADLINE_D7: return "D7";
    case TRIAGE_DEADLINE_D8: return "D8";
    case TRIAGE_DEADLINE_D9: return "D9";
    case TRIAGE_DEADLINE_D10: return "D10";
    case TRIAGE_DEADLINE_D11: return "D11";
    case TRIAGE_DEADLINE_D12: return "D12";
    case TRIAGE_DEADLINE_D12_DECISION: return "D12b";
    case TRIAGE_DEADLINE_D13: return "D13";
    case TRIAGE_DEADLINE_PLAN_REVIEW: return "plan_review";
    case TRIAGE_DEADLINE_RESPONSE: return "response";
    }
    return NULL;
}

static const char *const kind_names[] = {
    [TRIAGE_INTAKE_CONTACT] = "contact",
    [TRIAGE_INTAKE_NOTIFICATION] = "notification",
    [TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION] = "child_welfare_notification",
    [TRIAGE_INTAKE_APPLICATION] = "application",
    [TRIAGE_INTAKE_KELA_REFERRAL] = "kela_referral",
    [TRIAGE_INTAKE_OTHER_AUTHORITY] = "other_authority",
};

static bool kind_valid(triage_intake_kind_t kind)
{
    return kind >= TRIAGE_INTAKE_CONTACT && kind <= TRIAGE_INTAKE_OTHER_AUTHORITY;
}

const char *triage_intake_kind_name(triage_intake_kind_t kind)
{
    return kind_valid(kind) ? kind_names[kind] : NULL;
}

triage_status_t triage_intake_kind_from_name(triage_intake_kind_t *out, const char *name)
{
    if (!out)
        return triage__error_null("out");
    if (!name)
        return triage__error_null("name");
    for (int k = TRIAGE_INTAKE_CONTACT; k <= TRIAGE_INTAKE_OTHER_AUTHORITY; k++) {
        if (strcmp(kind_names[k], name) == 0) {
            *out = (triage_intake_kind_t)k;
            return TRIAGE_OK;
        }
    }
    return triage__error(TRIAGE_EINVAL, "name", "unknown intake kind name");
}

/* ---- rule sets ---------------------------------------------------------- */

static ptrdiff_t row_index(const triage_deadline_rules_t *rules, triage_deadline_row_t row)
{
    for (size_t i = 0; i < ROW_COUNT; i++) {
        if (rules->rows[i].row == row)
            return (ptrdiff_t)i;
    }
    return -1;
}

static triage_status_t rules_alloc(triage_deadline_rules_t **out, const triage_allocator_t *alloc,
                                   const struct triage_deadline_rules *from)
{
    triage_deadline_rules_t *r = triage__object_clone(alloc, from, sizeof *from,
                                                      offsetof(triage_deadline_rules_t, alloc));
    if (!r)
        return TRIAGE_ENOMEM;
    *out = r;
    return TRIAGE_OK;
}

triage_status_t triage_deadline_rules_new(triage_deadline_rules_t **out,
                                          const triage_allocator_t *alloc)
{
    if (!out)
        return triage__error_null("out");
    triage_status_t rc = triage__allocator_check(alloc, "alloc");
    if (rc != TRIAGE_OK)
        return rc;
    return rules_alloc(out, alloc, &default_rules);
}

triage_status_t triage_deadline_rules_copy(triage_deadline_rules_t **out,
                                           const triage_deadline_rules_t *rules)
{
    if (!out)
        return triage__error_null("out");
    if (!rules)
        return triage__error_null("rules");
    return rules_alloc(out, &rules->alloc, rules);
}

void triage_deadline_rules_free(triage_deadline_rules_t *rules)
{
    if (!rules)
        return;
    triage_allocator_t a = rules->alloc;
    triage__free(&a, rules);
}

/* The row to change, or NULL with the last error set. */
static rule_row *lookup_row(triage_deadline_rules_t *rules, triage_deadline_row_t row)
{
    if (!rules) {
        triage__error_null("rules");
        return NULL;
    }
    ptrdiff_t i = row_index(rules, row);
    if (i < 0) {
        triage__error(TRIAGE_EINVAL, "row", "unknown deadline row");
        return NULL;
    }
    return &rules->rows[i];
}

triage_status_t triage_deadline_rules_set_limit(triage_deadline_rules_t *rules,
                                                triage_deadline_row_t row, int32_t amount)
{
    rule_row *r = lookup_row(rules, row);
    if (!r)
        return triage_error_last()->code;
    if (r->unit == UNIT_TIER_RESPONSE)
        return triage__error(TRIAGE_EINVAL, "row",
                             "the response time is set in the urgency policy");
    if (amount < 0 || amount > LIMIT_MAX)
        return triage__error(TRIAGE_EINVAL, "amount", "a time limit is 0-365");
    if (r->unit != UNIT_MONTHS)
        r->unit = amount == 0 ? UNIT_SAME_DAY : UNIT_BUSINESS_DAYS;
    r->amount = amount;
    return TRIAGE_OK;
}

triage_status_t triage_deadline_rules_set_enabled(triage_deadline_rules_t *rules,
                                                  triage_deadline_row_t row, int enabled)
{
    rule_row *r = lookup_row(rules, row);
    if (!r)
        return triage_error_last()->code;
    if (enabled != 0 && enabled != 1)
        return triage__error(TRIAGE_EINVAL, "enabled", "enabled is 0 or 1");
    r->enabled = (uint8_t)enabled;
    return TRIAGE_OK;
}

triage_status_t triage_deadline_rules_set_law_version(triage_deadline_rules_t *rules,
                                                      triage_deadline_row_t row,
                                                      const char *law_version)
{
    rule_row *r = lookup_row(rules, row);
    if (!r)
        return triage_error_last()->code;
    if (!law_version)
        return triage__error_null("law_version");
    if (!triage__label_valid(law_version))
        return triage__error(TRIAGE_EINVAL, "law_version",
                             "a law version is 1-31 printable ASCII characters");
    memset(r->law_version, 0, sizeof r->law_version);
    memcpy(r->law_version, law_version, strlen(law_version));
    return TRIAGE_OK;
}

triage_status_t triage_deadline_rules_law_version(const char **out,
                                                  const triage_deadline_rules_t *rules,
                                                  triage_deadline_row_t row)
{
    if (!out)
        return triage__error_null("out");
    if (!rules)
        return triage__error_null("rules");
    ptrdiff_t i = row_index(rules, row);
    if (i < 0)
        return triage__error(TRIAGE_EINVAL, "row", "unknown deadline row");
    *out = rules->rows[i].law_version;
    return TRIAGE_OK;
}

/* ---- input validation --------------------------------------------------- */

static bool flag_valid(int32_t v)
{
    return v == 0 || v == 1;
}

/* A required or optional (NONE allowed) date within the supported range. */
static triage_status_t check_date(triage_date_t d, bool optional, const char *field)
{
    if (d == TRIAGE_DATE_NONE) {
        if (optional)
            return TRIAGE_OK;
        return triage__error(TRIAGE_EINVAL, field, "the date is required");
    }
    if (!triage__date_valid(d))
        return triage__error(TRIAGE_ERANGE, field, "the date is outside the supported range");
    return TRIAGE_OK;
}

/* Completed years from @p dob to @p on (dob <= on). A 29 February birthday
 * is reached on 1 March in common years. */
static int32_t age_on(triage_date_t dob, triage_date_t on)
{
    int by, bm, bd, y, m, d;
    triage__civil_from_days(dob, &by, &bm, &bd);
    triage__civil_from_days(on, &y, &m, &d);
    int32_t age = (int32_t)(y - by);
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}

/* The checked facts the predicates read. */
typedef struct facts {
    int32_t age; /* -1 unknown */
} facts_t;

static triage_status_t validate(facts_t *f, const triage_deadline_input_t *in)
{
    triage_status_t rc;
    if (in->version == 0 || in->version > TRIAGE_DEADLINE_INPUT_VERSION)
        return triage__error(TRIAGE_EVERSION, "version", "unsupported deadline input version");
    if (!kind_valid(in->kind))
        return triage__error(TRIAGE_EINVAL, "kind", "unknown intake kind");
    if (in->service < TRIAGE_SERVICE_WORKING_AGE || in->service > TRIAGE_SERVICE_OLDER)
        return triage__error(TRIAGE_EINVAL, "service", "unknown service area");
    if (in->urgency < TRIAGE_URGENCY_IMMEDIATE || in->urgency > TRIAGE_URGENCY_NORMAL)
        return triage__error(TRIAGE_EINVAL, "urgency", "unknown urgency tier");
    if ((rc = check_date(in->received, false, "received")) != TRIAGE_OK)
        return rc;
    if (in->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION &&
        in->service != TRIAGE_SERVICE_FAMILY)
        return triage__error(TRIAGE_EINVAL, "kind",
                             "a child-welfare notification belongs to family services");

    static const struct {
        size_t offset;
        const char *name;
    } flags[] = {
        {offsetof(triage_deadline_input_t, own_contact), "own_contact"},
        {offsetof(triage_deadline_input_t, highest_care_allowance), "highest_care_allowance"},
        {offsetof(triage_deadline_input_t, child_special_support), "child_special_support"},
        {offsetof(triage_deadline_input_t, assistance_urgent), "assistance_urgent"},
        {offsetof(triage_deadline_input_t, assistance_complete), "assistance_complete"},
    };
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(flags); i++) {
        int32_t v;
        memcpy(&v, (const char *)in + flags[i].offset, sizeof v);
        if (!flag_valid(v))
            return triage__error(TRIAGE_EINVAL, flags[i].name, "a flag is 0 or 1");
    }

    /* Age: given directly, or from the date of birth. */
    if (in->age < -1 || in->age > AGE_MAX)
        return triage__error(TRIAGE_EINVAL, "age", "age is -1 (unknown) or 0-150");
    if ((rc = check_date(in->date_of_birth, true, "date_of_birth")) != TRIAGE_OK)
        return rc;
    int32_t age = in->age;
    if (in->date_of_birth != TRIAGE_DATE_NONE) {
        if (in->date_of_birth > in->received)
            return triage__error(TRIAGE_EINVAL, "date_of_birth",
                                 "the date of birth is after the intake");
        int32_t from_dob = age_on(in->date_of_birth, in->received);
        if (from_dob > AGE_MAX)
            return triage__error(TRIAGE_EINVAL, "date_of_birth",
                                 "the date of birth gives an age over 150");
        if (age == -1)
            age = from_dob;
        else if (age != from_dob)
            return triage__error(TRIAGE_EINVAL, "age",
                                 "the age does not match the date of birth");
    }

    /* A child in need of special support (SHL 36 § 3) is a family-services client under 18. */
    if (in->child_special_support) {
        if (in->service != TRIAGE_SERVICE_FAMILY)
            return triage__error(TRIAGE_EINVAL, "child_special_support",
                                 "a child's matter belongs to family services");
        if (age >= AGE_ADULT)
            return triage__error(TRIAGE_EINVAL, "child_special_support",
                                 "the client is not a child");
    }

    /* Dates after the intake. */
    static const struct {
        size_t offset;
        const char *name;
    } later[] = {
        {offsetof(triage_deadline_input_t, service_decision), "service_decision"},
        {offsetof(triage_deadline_input_t, assistance_completed), "assistance_completed"},
        {offsetof(triage_deadline_input_t, meeting_requested), "meeting_requested"},
    };
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(later); i++) {
        triage_date_t d;
        memcpy(&d, (const char *)in + later[i].offset, sizeof d);
        if ((rc = check_date(d, true, later[i].name)) != TRIAGE_OK)
            return rc;
        if (d != TRIAGE_DATE_NONE && d < in->received)
            return triage__error(TRIAGE_EINVAL, later[i].name, "the date is before the intake");
    }

    /* Social-assistance facts only make sense on an application. */
    if (in->kind != TRIAGE_INTAKE_APPLICATION) {
        if (in->assistance_urgent)
            return triage__error(TRIAGE_EINVAL, "assistance_urgent",
                                 "only an application can be urgent social assistance");
        if (in->assistance_complete)
            return triage__error(TRIAGE_EINVAL, "assistance_complete",
                                 "only an application can be complete");
        if (in->assistance_completed != TRIAGE_DATE_NONE)
            return triage__error(TRIAGE_EINVAL, "assistance_completed",
                                 "only an application can be completed");
    } else if (in->assistance_completed != TRIAGE_DATE_NONE &&
               (in->assistance_complete || in->assistance_urgent)) {
        return triage__error(TRIAGE_EINVAL, "assistance_completed",
                             "a completion date belongs to a non-urgent incomplete application");
    }

    f->age = age;
    return TRIAGE_OK;
}

/* ---- evaluation --------------------------------------------------------- */

static bool is_application(const triage_deadline_input_t *in)
{
    return in->kind == TRIAGE_INTAKE_APPLICATION;
}

/* What each applicability predicate means. COND_NO_STATUTORY_START is
 * derived from the rows afterwards (see evaluate_conditions()). */
static bool condition_holds(condition_t c, const triage_deadline_input_t *in, const facts_t *f)
{
    switch (c) {
    case COND_ALWAYS: return true;
    case COND_OWN_CONTACT_AGED_75: return in->own_contact && f->age >= AGE_SPECIAL_CARE;
    case COND_OWN_CONTACT_CARE_ALLOWANCE: return in->own_contact && in->highest_care_allowance;
    case COND_CHILD_SPECIAL_SUPPORT: return in->child_special_support != 0;
    case COND_CHILD_WELFARE_NOTIFICATION:
        return in->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
    case COND_NO_STATUTORY_START: return false;
    case COND_SERVICE_DECISION: return in->service_decision != TRIAGE_DATE_NONE;
    case COND_APPLICATION_URGENT: return is_application(in) && in->assistance_urgent;
    case COND_APPLICATION_COMPLETE:
        return is_application(in) && !in->assistance_urgent && in->assistance_complete;
    case COND_APPLICATION_INCOMPLETE:
        return is_application(in) && !in->assistance_urgent && !in->assistance_complete;
    case COND_APPLICATION_COMPLETED:
        return is_application(in) && !in->assistance_urgent && !in->assistance_complete &&
               in->assistance_completed != TRIAGE_DATE_NONE;
    case COND_MEETING_REQUESTED: return in->meeting_requested != TRIAGE_DATE_NONE;
    case COND_PLAN_MADE: return false;
    }
    return false;
}

/* Evaluates every predicate once; returns whether a statutory start applies. */
static bool evaluate_conditions(bool holds[COND_SLOTS], const triage_deadline_rules_t *rules,
                                const triage_deadline_input_t *in, const facts_t *f)
{
    for (int c = 0; c < COND_SLOTS; c++)
        holds[c] = condition_holds((condition_t)c, in, f);
    bool start = false;
    for (size_t i = 0; i < ROW_COUNT; i++) {
        const rule_row *r = &rules->rows[i];
        if (r->enabled && r->statutory_start && holds[r->condition])
            start = true;
    }
    holds[COND_NO_STATUTORY_START] = !start;
    return start;
}

triage_status_t triage_deadline_priority_applies(int *out, const triage_deadline_rules_t *rules,
                                                 const triage_deadline_input_t *input)
{
    if (!out)
        return triage__error_null("out");
    if (!input)
        return triage__error_null("input");
    facts_t f;
    triage_status_t rc = validate(&f, input);
    if (rc != TRIAGE_OK)
        return rc;
    bool holds[COND_SLOTS];
    *out = evaluate_conditions(holds, rules ? rules : &default_rules, input, &f) ? 1 : 0;
    return TRIAGE_OK;
}

static triage_date_t anchor_date(anchor_t a, const triage_deadline_input_t *in)
{
    switch (a) {
    case ANCHOR_INTAKE: return in->received;
    case ANCHOR_COMPLETION: return in->assistance_completed;
    case ANCHOR_MEETING_REQUEST: return in->meeting_requested;
    case ANCHOR_PLAN: break;
    }
    return in->received;
}

/* A row's due date counted from `from` (response_days: the tier response). */
static triage_status_t row_due(triage_date_t *due, const rule_row *r, const triage_calendar_t *cal,
                               triage_date_t from, int32_t response_days)
{
    *due = from;
    switch (r->unit) {
    case UNIT_SAME_DAY: return TRIAGE_OK;
    case UNIT_BUSINESS_DAYS: return triage_calendar_add_business_days(due, cal, from, r->amount);
    case UNIT_MONTHS: return triage_calendar_add_months(due, cal, from, r->amount);
    case UNIT_TIER_RESPONSE: return triage_calendar_add_business_days(due, cal, from, response_days);
    }
    return TRIAGE_OK;
}

triage_status_t triage__deadline_later(triage_deadline_t *out, int *enabled,
                                       const triage_deadline_rules_t *rules,
                                       const triage_calendar_t *cal, triage_deadline_row_t row,
                                       triage_date_t from, int child_welfare)
{
    const triage_deadline_rules_t *rs = rules ? rules : &default_rules;
    ptrdiff_t i = row_index(rs, row);
    if (i < 0 || rs->rows[i].unit == UNIT_TIER_RESPONSE)
        return triage__error(TRIAGE_EINVAL, "row", "not a deadline row that arises later");
    const rule_row *r = &rs->rows[i];
    *enabled = r->enabled;
    if (!r->enabled)
        return TRIAGE_OK;
    triage_status_t rc = check_date(from, false, "at_ms");
    if (!rc)
        rc = row_due(&out->due, r, cal, from, 0);
    if (rc)
        return rc;
    out->row = r->row;
    out->basis = child_welfare ? r->basis_child_welfare : r->basis;
    out->milestone = r->milestone;
    return TRIAGE_OK;
}

triage_status_t triage_deadlines_compute(triage_deadline_t *out, size_t capacity,
                                         uint32_t *count, const triage_deadline_rules_t *rules,
                                         const triage_urgency_policy_t *urgency,
                                         const triage_calendar_t *cal,
                                         const triage_deadline_input_t *input)
{
    if (!out)
        return triage__error_null("out");
    if (!count)
        return triage__error_null("count");
    if (!cal)
        return triage__error_null("cal");
    if (!input)
        return triage__error_null("input");
    facts_t f;
    triage_status_t rc = validate(&f, input);
    if (rc != TRIAGE_OK)
        return rc;
    const triage_deadline_rules_t *rs = rules ? rules : &default_rules;
    bool holds[COND_SLOTS];
    bool start = evaluate_conditions(holds, rs, input, &f);

    /* §5.1: a statutory 7-business-day start makes a NORMAL intake PRIORITY. */
    triage_urgency_t tier = input->urgency;
    if (start && tier > TRIAGE_URGENCY_PRIORITY)
        tier = TRIAGE_URGENCY_PRIORITY;
    bool child_welfare = input->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;

    triage_deadline_t tmp[TRIAGE_DEADLINE_MAX];
    uint32_t n = 0;
    for (size_t i = 0; i < ROW_COUNT; i++) {
        const rule_row *r = &rs->rows[i];
        if (!r->enabled || !holds[r->condition])
            continue;
        triage_date_t due;
        rc = row_due(&due, r, cal, anchor_date(r->anchor, input),
                     triage__urgency_response_days(urgency, tier));
        if (rc != TRIAGE_OK)
            return rc;
        if (n >= TRIAGE_DEADLINE_MAX)
            return triage__error(TRIAGE_ERANGE, "rules", "too many deadlines apply");
        tmp[n].row = r->row;
        tmp[n].basis = child_welfare ? r->basis_child_welfare : r->basis;
        tmp[n].milestone = r->milestone;
        tmp[n].due = due;
        n++;
    }
    if (n > capacity) {
        *count = n;
        return triage__error(TRIAGE_ERANGE, "capacity", "%u deadlines apply but there is room for %zu",
                             (unsigned)n, capacity);
    }
    triage__copy(out, tmp, n * sizeof tmp[0]);
    *count = n;
    return TRIAGE_OK;
}

/* ---- status ------------------------------------------------------------- */

triage_status_t triage_deadline_status(triage_deadline_state_t *state, int32_t *overdue,
                                       const triage_calendar_t *cal,
                                       const triage_deadline_t *deadline, triage_date_t met_on,
                                       triage_date_t today, int32_t due_soon_days)
{
    if (!state)
        return triage__error_null("state");
    if (!cal)
        return triage__error_null("cal");
    if (!deadline)
        return triage__error_null("deadline");
    if (!triage_deadline_row_name(deadline->row))
        return triage__error(TRIAGE_EINVAL, "deadline", "unknown deadline row");
    if (!triage_legal_basis_name(deadline->basis))
        return triage__error(TRIAGE_EINVAL, "deadline", "unknown legal basis");
    if (!triage_milestone_name(deadline->milestone))
        return triage__error(TRIAGE_EINVAL, "deadline", "unknown milestone");
    triage_status_t rc;
    if ((rc = check_date(deadline->due, false, "deadline")) != TRIAGE_OK)
        return rc;
    if ((rc = check_date(today, false, "today")) != TRIAGE_OK)
        return rc;
    if ((rc = check_date(met_on, true, "met_on")) != TRIAGE_OK)
        return rc;
    if (met_on != TRIAGE_DATE_NONE && met_on > today)
        return triage__error(TRIAGE_EINVAL, "met_on", "the milestone cannot be met after today");
    if (due_soon_days < 0 || due_soon_days > DUE_SOON_MAX)
        return triage__error(TRIAGE_EINVAL, "due_soon_days", "the window is 0-365 business days");

    triage_deadline_state_t s;
    int32_t late = 0;
    if (met_on != TRIAGE_DATE_NONE) {
        if (met_on <= deadline->due) {
            s = TRIAGE_DEADLINE_MET;
        } else {
            s = TRIAGE_DEADLINE_MET_LATE;
            rc = triage_calendar_business_days_between(&late, cal, deadline->due, met_on);
        }
    } else if (today > deadline->due) {
        s = TRIAGE_DEADLINE_MISSED;
        rc = triage_calendar_business_days_between(&late, cal, deadline->due, today);
    } else {
        int32_t left = 0;
        rc = triage_calendar_business_days_between(&left, cal, today, deadline->due);
        s = left <= due_soon_days ? TRIAGE_DEADLINE_DUE_SOON : TRIAGE_DEADLINE_OPEN;
    }
    if (rc != TRIAGE_OK)
        return rc;
    *state = s;
    if (overdue)
        *overdue = late;
    return TRIAGE_OK;
}

/* ---- the stored form (docs/data-model.md, "Policies") --------------------- */

triage_status_t triage__deadline_rules_save(triage__text *t, const triage_deadline_rules_t *r)
{
    for (size_t i = 0; i < ROW_COUNT; i++) {
        const rule_row *x = &r->rows[i];
        triage__text_add(t, "row %s %d %d %s\n", triage_deadline_row_name(x->row), (int)x->amount,
                         (int)x->enabled, x->law_version);
    }
    return triage__text_end(t);
}

triage_status_t triage__deadline_rules_load(triage_deadline_rules_t **out,
                                            const triage_allocator_t *a, const char *text,
                                            size_t len)
{
    triage_deadline_rules_t *r;
    triage_status_t rc = rules_alloc(&r, a, &default_rules);
    if (rc)
        return rc;
    /* an empty stored payload comes as NULL: no pointer arithmetic on it */
    const char *pos = len ? text : "", *end = pos + len;
    char key[48], val[256], name[64];
    int line = 0, got;
    while (!rc && (got = triage__text_line(&pos, end, key, val)) != 0) {
        line++;
        int bad = got < 0;
        if (!bad && strcmp(key, "row") == 0) {
            int amount, enabled, used = 0;
            /* the law version is everything after the one space that follows
             * the switch, leading spaces included (it is any label) */
            bad = sscanf(val, "%63s %d %d%n", name, &amount, &enabled, &used) != 3 ||
                  val[used] != ' ';
            used++;
            rule_row *x = NULL;
            for (size_t i = 0; !bad && i < ROW_COUNT && !x; i++)
                if (strcmp(triage_deadline_row_name(r->rows[i].row), name) == 0)
                    x = &r->rows[i];
            bad = bad || !x;
            if (!bad && x->unit != UNIT_TIER_RESPONSE)
                bad = triage_deadline_rules_set_limit(r, x->row, amount) != TRIAGE_OK;
            else if (!bad)
                bad = amount != x->amount;
            bad = bad || triage_deadline_rules_set_enabled(r, x->row, enabled) != TRIAGE_OK ||
                  triage_deadline_rules_set_law_version(r, x->row, val + used) != TRIAGE_OK;
        }
        if (bad)
            rc = triage__policy_text_damaged("deadline rules", line);
    }
    if (rc) {
        triage_deadline_rules_free(r);
        return rc;
    }
    *out = r;
    return TRIAGE_OK;
}
