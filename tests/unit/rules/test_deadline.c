/*
 * Statutory deadlines (docs/domain.md §5.3, rows D1-D13; business days §5.4,
 * Act 150/1930). Expected dates were counted by hand on a calendar; each
 * table row names the law section it checks.
 *
 * Reference points in 2026: Monday 2 March is an ordinary week (7th business
 * day 11 March, 15th 23 March, 3 months 2 June). Easter: Good Friday 3 April,
 * Easter Monday 6 April. Ascension Day Thursday 14 May. Midsummer Eve Friday
 * 19 June. Christmas Eve Thursday 24 December, Christmas Day Friday 25
 * December; New Year's Day Friday 1 January 2027, Epiphany Wednesday 6 January 2027.
 */
#include <stdio.h>

#include "testutil.h"

static triage_calendar_t *cal;

static int setup(void **state)
{
    (void)state;
    return triage_calendar_new_finland(&cal, NULL) == TRIAGE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    triage_calendar_free(cal);
    return 0;
}

static triage_date_t D(const char *iso)
{
    if (!iso)
        return TRIAGE_DATE_NONE;
    triage_date_t d;
    if (triage_date_parse(&d, iso) != TRIAGE_OK)
        fail_msg("bad test date %s", iso);
    return d;
}

/* A case of the table. age 0 means unknown (-1) here; NULL dates are NONE;
 * service 0 is WORKING_AGE and urgency 0 NORMAL. */
typedef struct {
    const char *source;
    triage_intake_kind_t kind;
    triage_service_area_t service;
    const char *received;
    int own_contact;
    int age;
    const char *dob;
    int care_allowance;
    int child_special;
    triage_urgency_t urgency;
    const char *decision;
    int urgent;
    int complete;
    const char *completed;
    const char *meeting;
    const char *expect; /* "row date, row date, ..." in row order */
} dl_case;

static triage_deadline_input_t make_input(const dl_case *c)
{
    triage_deadline_input_t in = TRIAGE_DEADLINE_INPUT_INIT;
    in.kind = c->kind;
    in.service = c->service ? c->service : TRIAGE_SERVICE_WORKING_AGE;
    in.received = D(c->received);
    in.own_contact = c->own_contact;
    in.age = c->age ? c->age : -1;
    in.date_of_birth = D(c->dob);
    in.highest_care_allowance = c->care_allowance;
    in.child_special_support = c->child_special;
    in.urgency = c->urgency ? c->urgency : TRIAGE_URGENCY_NORMAL;
    in.service_decision = D(c->decision);
    in.assistance_urgent = c->urgent;
    in.assistance_complete = c->complete;
    in.assistance_completed = D(c->completed);
    in.meeting_requested = D(c->meeting);
    return in;
}

static void format_deadlines(char *buf, size_t size, const triage_deadline_t *dl, uint32_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < n; i++) {
        char date[TRIAGE_DATE_STRLEN];
        assert_ok(triage_date_format(date, sizeof date, dl[i].due));
        int w = snprintf(buf + used, size - used, "%s%s %s", i ? ", " : "",
                         triage_deadline_row_name(dl[i].row), date);
        assert_true(w > 0 && (size_t)w < size - used);
        used += (size_t)w;
    }
}

static void run_cases(const dl_case *cases, size_t count, const triage_deadline_rules_t *rules,
                      const triage_urgency_policy_t *policy)
{
    for (size_t i = 0; i < count; i++) {
        triage_deadline_input_t in = make_input(&cases[i]);
        triage_deadline_t out[TRIAGE_DEADLINE_MAX];
        uint32_t n = 99;
        triage_status_t rc = triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &n, rules, policy, cal, &in);
        if (rc != TRIAGE_OK)
            fail_msg("%s: status %d (%s: %s)", cases[i].source, (int)rc,
                     triage_error_last()->argument, triage_error_last()->message);
        char got[512];
        format_deadlines(got, sizeof got, out, n);
        if (strcmp(got, cases[i].expect) != 0)
            fail_msg("%s:\n   got  %s\n   want %s", cases[i].source, got, cases[i].expect);
    }
}

#define RUN(cases, rules, policy) run_cases(cases, sizeof cases / sizeof cases[0], rules, policy)

#define CONTACT TRIAGE_INTAKE_CONTACT
#define NOTIF TRIAGE_INTAKE_NOTIFICATION
#define CWN TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION
#define APP TRIAGE_INTAKE_APPLICATION
#define KELA TRIAGE_INTAKE_KELA_REFERRAL
#define AUTH TRIAGE_INTAKE_OTHER_AUTHORITY
#define FAMILY TRIAGE_SERVICE_FAMILY
#define OLDER TRIAGE_SERVICE_OLDER

/* Applicability: every row applies exactly when it should. Intake Monday 2026-03-02. */
static const dl_case applicability[] = {
    /* SHL 36 § 1 (D1) every intake; SHL 36 § 2 (D8) any other intake, default 15th business day */
    {"D1+D8 plain contact", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    {"D1+D8 notification (SHL 35 §)", NOTIF, 0, "2026-03-02", 0, 40, NULL, 0, 0, 0, NULL, 0, 0,
     NULL, NULL, "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    {"D1+D8 Kela referral", KELA, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    {"D1+D8 other authority", AUTH, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    /* SHL 36 § 2 (1): own contact, aged 75+: 7th business day; PRIORITY response (§5.1) */
    {"D2 own contact aged 75", CONTACT, OLDER, "2026-03-02", 1, 75, NULL, 0, 0, 0, NULL, 0, 0,
     NULL, NULL, "D1 2026-03-02, D2 2026-03-11, response 2026-03-11"},
    {"D2 not at 74", CONTACT, OLDER, "2026-03-02", 1, 74, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    {"D2 not without own contact", NOTIF, OLDER, "2026-03-02", 0, 80, NULL, 0, 0, 0, NULL, 0, 0,
     NULL, NULL, "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    {"D2 not for unknown age", CONTACT, OLDER, "2026-03-02", 1, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL,
     NULL, "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    /* SHL 36 § 2 (2): own contact, highest-rate pensioner's care allowance */
    {"D3 care allowance", CONTACT, 0, "2026-03-02", 1, 60, NULL, 1, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D3 2026-03-11, response 2026-03-11"},
    {"D2+D3", CONTACT, OLDER, "2026-03-02", 1, 82, NULL, 1, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D2 2026-03-11, D3 2026-03-11, response 2026-03-11"},
    {"D3 not without own contact", NOTIF, 0, "2026-03-02", 0, 60, NULL, 1, 0, 0, NULL, 0, 0, NULL,
     NULL, "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    /* SHL 36 § 3: a child in need of special support: start 7th business day, complete 3 months */
    {"D4+D5 child special support", CONTACT, FAMILY, "2026-03-02", 0, 12, NULL, 0, 1, 0, NULL, 0,
     0, NULL, NULL, "D1 2026-03-02, D4 2026-03-11, D5 2026-06-02, response 2026-03-11"},
    /* LSL 26 §: child-welfare notification; D1 basis LSL 26 § 2 */
    {"D6+D7 child-welfare notification", CWN, FAMILY, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0,
     0, NULL, NULL, "D1 2026-03-02, D6 2026-03-11, D7 2026-06-02, response 2026-03-11"},
    {"D4-D7 child-welfare notification of a special-support child", CWN, FAMILY, "2026-03-02", 0,
     9, NULL, 0, 1, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D4 2026-03-11, D5 2026-06-02, D6 2026-03-11, D7 2026-06-02, "
     "response 2026-03-11"},
    {"family contact without special support", CONTACT, FAMILY, "2026-03-02", 1, 0, NULL, 0, 0, 0,
     NULL, 0, 0, NULL, NULL, "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    /* SHL 45 § 2: non-urgent service decision carried out within 3 months of intake */
    {"D9 service decision", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, "2026-03-20", 0, 0,
     NULL, NULL, "D1 2026-03-02, D8 2026-03-23, D9 2026-06-02, response 2026-03-23"},
    /* TTL 14 b §: urgent application, the same or the next business day */
    {"D10 urgent application", APP, 0, "2026-03-02", 0, 0, NULL, 0, 0, TRIAGE_URGENCY_URGENT,
     NULL, 1, 0, NULL, NULL, "D1 2026-03-02, D8 2026-03-23, D10 2026-03-03, response 2026-03-03"},
    {"D10 urgent, complete flag irrelevant", APP, 0, "2026-03-02", 0, 0, NULL, 0, 0,
     TRIAGE_URGENCY_URGENT, NULL, 1, 1, NULL, NULL,
     "D1 2026-03-02, D8 2026-03-23, D10 2026-03-03, response 2026-03-03"},
    /* TTL 14 c §: non-urgent complete application, decision 7th business day */
    {"D11 complete application", APP, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 1, NULL, NULL,
     "D1 2026-03-02, D8 2026-03-23, D11 2026-03-11, response 2026-03-23"},
    /* TTL 14 c §: incomplete application, completion requested 7th business day */
    {"D12 incomplete application", APP, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL,
     NULL, "D1 2026-03-02, D8 2026-03-23, D12 2026-03-11, response 2026-03-23"},
    /* TTL 14 c §: then the decision 7th business day after completion (Mon 16 March) */
    {"D12+D12b completed application", APP, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0,
     "2026-03-16", NULL,
     "D1 2026-03-02, D8 2026-03-23, D12 2026-03-11, D12b 2026-03-25, response 2026-03-23"},
    /* TTL 14 e §: meeting within 7 business days of asking (Wed 4 March) */
    {"D13 meeting requested", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL,
     "2026-03-04", "D1 2026-03-02, D8 2026-03-23, D13 2026-03-13, response 2026-03-23"},
    {"D13 with an application", APP, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 1, NULL,
     "2026-03-02", "D1 2026-03-02, D8 2026-03-23, D11 2026-03-11, D13 2026-03-11, "
                   "response 2026-03-23"},
    /* §5.1 tier response: IMMEDIATE 0 (the intake day), URGENT 1, PRIORITY 7 */
    {"response IMMEDIATE", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, TRIAGE_URGENCY_IMMEDIATE,
     NULL, 0, 0, NULL, NULL, "D1 2026-03-02, D8 2026-03-23, response 2026-03-02"},
    {"response URGENT", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, TRIAGE_URGENCY_URGENT, NULL, 0,
     0, NULL, NULL, "D1 2026-03-02, D8 2026-03-23, response 2026-03-03"},
    {"response PRIORITY given", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0,
     TRIAGE_URGENCY_PRIORITY, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D8 2026-03-23, response 2026-03-11"},
    {"IMMEDIATE stays with D2", CONTACT, OLDER, "2026-03-02", 1, 90, NULL, 0, 0,
     TRIAGE_URGENCY_IMMEDIATE, NULL, 0, 0, NULL, NULL,
     "D1 2026-03-02, D2 2026-03-11, response 2026-03-02"},
    /* many at once: D1 D2 D3 D9 D13 */
    {"many rows", CONTACT, OLDER, "2026-03-02", 1, 80, NULL, 1, 0, 0, "2026-03-05", 0, 0, NULL,
     "2026-03-04",
     "D1 2026-03-02, D2 2026-03-11, D3 2026-03-11, D9 2026-06-02, D13 2026-03-13, "
     "response 2026-03-11"},
};

static void test_rows_apply_exactly_when_they_should(void **state)
{
    (void)state;
    RUN(applicability, NULL, NULL);
}

/* Due dates across holidays (Act 150/1930 § 2: the start day is not counted; holidays skipped). */
static const dl_case holidays[] = {
    /* SHL 36 § 2 (1) over Christmas: Tue 22 Dec -> 23 (1), 28-31 (2-5), 4 Jan (6), 5 Jan (7) */
    {"D2 over Christmas", CONTACT, OLDER, "2026-12-22", 1, 80, NULL, 0, 0, 0, NULL, 0, 0, NULL,
     NULL, "D1 2026-12-22, D2 2027-01-05, response 2027-01-05"},
    /* SHL 36 § 2 over Christmas, New Year and Epiphany: 15th business day is Mon 18 Jan */
    {"D8 over Christmas and Epiphany", CONTACT, 0, "2026-12-22", 0, 0, NULL, 0, 0, 0, NULL, 0, 0,
     NULL, NULL, "D1 2026-12-22, D8 2027-01-18, response 2027-01-18"},
    /* TTL 14 b §: Wed 23 Dec -> the next business day is Mon 28 Dec */
    {"D10 before Christmas", APP, 0, "2026-12-23", 0, 0, NULL, 0, 0, TRIAGE_URGENCY_URGENT, NULL, 1,
     0, NULL, NULL, "D1 2026-12-23, D8 2027-01-19, D10 2026-12-28, response 2026-12-28"},
    /* SHL 36 § 2 (1) from Maundy Thursday 2 April: 7, 8, 9, 10, 13, 14, 15 April */
    {"D2 over Easter", CONTACT, OLDER, "2026-04-02", 1, 75, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-04-02, D2 2026-04-15, response 2026-04-15"},
    {"D8 over Easter", CONTACT, 0, "2026-04-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-04-02, D8 2026-04-27, response 2026-04-27"},
    /* TTL 14 b §: an e-service application on Good Friday; D1 is still that day */
    {"D10 on Good Friday", APP, 0, "2026-04-03", 0, 0, NULL, 0, 0, TRIAGE_URGENCY_URGENT, NULL, 1,
     0, NULL, NULL, "D1 2026-04-03, D8 2026-04-27, D10 2026-04-07, response 2026-04-07"},
    /* TTL 14 c §: Wed 13 May, Ascension Day 14 May skipped: 15, 18-22, 25 */
    {"D11 over Ascension Day", APP, 0, "2026-05-13", 0, 0, NULL, 0, 0, 0, NULL, 0, 1, NULL, NULL,
     "D1 2026-05-13, D8 2026-06-04, D11 2026-05-25, response 2026-06-04"},
    /* SHL 36 § 2 (1) over Midsummer: Wed 17 June -> 18, 22-26, 29 June */
    {"D2 over Midsummer", CONTACT, OLDER, "2026-06-17", 1, 77, NULL, 0, 0, 0, NULL, 0, 0, NULL,
     NULL, "D1 2026-06-17, D2 2026-06-29, response 2026-06-29"},
    /* TTL 14 b §: Thu 18 June -> Midsummer Eve 19 June skipped -> Mon 22 June */
    {"D10 before Midsummer", APP, 0, "2026-06-18", 0, 0, NULL, 0, 0, TRIAGE_URGENCY_URGENT, NULL, 1,
     0, NULL, NULL, "D1 2026-06-18, D8 2026-07-10, D10 2026-06-22, response 2026-06-22"},
    /* LSL 26 §: Thu 24 Sep; 3 months is Christmas Eve -> Mon 28 Dec (Act 150/1930 § 5) */
    {"D6+D7 ending at Christmas", CWN, FAMILY, "2026-09-24", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL,
     NULL, "D1 2026-09-24, D6 2026-10-05, D7 2026-12-28, response 2026-10-05"},
    /* An intake on a Saturday: the count starts on Monday; D1 is the intake date itself */
    {"intake on a Saturday", CONTACT, OLDER, "2026-03-07", 1, 80, NULL, 0, 0, 0, NULL, 0, 0, NULL,
     NULL, "D1 2026-03-07, D2 2026-03-17, response 2026-03-17"},
};

static void test_due_dates_across_holidays(void **state)
{
    (void)state;
    RUN(holidays, NULL, NULL);
}

/* Months (Act 150/1930 § 3: the month's last day when it has no such day; § 5: next business day). */
static const dl_case months[] = {
    /* SHL 36 § 3: 30 Nov 2026 -> 28 Feb 2027 is a Sunday -> Mon 1 Mar */
    {"D5 from 30 Nov", CONTACT, FAMILY, "2026-11-30", 0, 0, NULL, 0, 1, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-11-30, D4 2026-12-09, D5 2027-03-01, response 2026-12-09"},
    /* SHL 36 § 3: 30 Nov 2027 -> 29 Feb 2028 (leap year, a Tuesday) */
    {"D5 from 30 Nov into a leap February", CONTACT, FAMILY, "2027-11-30", 0, 0, NULL, 0, 1, 0,
     NULL, 0, 0, NULL, NULL, "D1 2027-11-30, D4 2027-12-10, D5 2028-02-29, response 2027-12-10"},
    /* LSL 26 §: 31 Dec 2026 -> 31 Mar 2027 (Wednesday) */
    {"D7 from 31 Dec", CWN, FAMILY, "2026-12-31", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2026-12-31, D6 2027-01-13, D7 2027-03-31, response 2027-01-13"},
    /* LSL 26 §: 31 Oct 2025 -> 31 Jan 2026 is a Saturday -> Mon 2 Feb */
    {"D7 from 31 Oct", CWN, FAMILY, "2025-10-31", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
     "D1 2025-10-31, D6 2025-11-11, D7 2026-02-02, response 2025-11-11"},
    /* SHL 45 § 2: Sun 31 May 2026 -> Mon 31 Aug */
    {"D9 from 31 May", CONTACT, 0, "2026-05-31", 0, 0, NULL, 0, 0, 0, "2026-06-10", 0, 0, NULL,
     NULL, "D1 2026-05-31, D8 2026-06-22, D9 2026-08-31, response 2026-06-22"},
    /* SHL 45 § 2: Sat 3 Jan 2026 -> 3 April is Good Friday -> Tue 7 April */
    {"D9 ending on Good Friday", CONTACT, 0, "2026-01-03", 0, 0, NULL, 0, 0, 0, "2026-01-20", 0, 0,
     NULL, NULL, "D1 2026-01-03, D8 2026-01-26, D9 2026-04-07, response 2026-01-26"},
};

static void test_month_deadlines(void **state)
{
    (void)state;
    RUN(months, NULL, NULL);
}

/* SHL 36 § 2 (1): "aged 75 or over" on the intake date (default reading), from age or birth date. */
static const struct {
    const char *source;
    int age; /* -1: use dob */
    const char *dob;
    const char *received;
    int d2;
} ages[] = {
    {"age 74", 74, NULL, "2026-06-15", 0},
    {"age 75", 75, NULL, "2026-06-15", 1},
    {"age 150", 150, NULL, "2026-06-15", 1},
    {"75th birthday today", -1, "1951-06-15", "2026-06-15", 1},
    {"75th birthday tomorrow", -1, "1951-06-16", "2026-06-15", 0},
    {"75th birthday was yesterday", -1, "1951-06-14", "2026-06-15", 1},
    {"birthday in the next month", -1, "1951-07-01", "2026-06-30", 0},
    {"birthday 28 Feb", -1, "1951-02-28", "2026-02-28", 1},
    /* 29 February birthday: in a common year the birthday is reached on 1 March */
    {"29 Feb birth, 28 Feb common year", -1, "1952-02-29", "2027-02-28", 0},
    {"29 Feb birth, 1 Mar common year", -1, "1952-02-29", "2027-03-01", 1},
    {"29 Feb birth, 27 Feb", -1, "1952-02-29", "2027-02-27", 0},
    {"29 Feb birth, a year later", -1, "1952-02-29", "2028-02-28", 1},
    {"age and birth date agree", 75, "1951-06-15", "2026-06-15", 1},
    {"age and birth date agree at 74", 74, "1951-06-16", "2026-06-15", 0},
    {"born on the intake day", -1, "2026-06-15", "2026-06-15", 0},
};

static void test_age_75_on_the_birthday(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ages / sizeof ages[0]; i++) {
        triage_deadline_input_t in = TRIAGE_DEADLINE_INPUT_INIT;
        in.service = TRIAGE_SERVICE_OLDER;
        in.own_contact = 1;
        in.received = D(ages[i].received);
        in.age = ages[i].age;
        in.date_of_birth = D(ages[i].dob);
        triage_deadline_t out[TRIAGE_DEADLINE_MAX];
        uint32_t n = 0;
        triage_status_t rc = triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &n, NULL, NULL, cal, &in);
        if (rc != TRIAGE_OK)
            fail_msg("%s: status %d (%s)", ages[i].source, (int)rc, triage_error_last()->argument);
        int has_d2 = 0, has_d8 = 0;
        for (uint32_t k = 0; k < n; k++) {
            has_d2 |= out[k].row == TRIAGE_DEADLINE_D2;
            has_d8 |= out[k].row == TRIAGE_DEADLINE_D8;
        }
        if (has_d2 != ages[i].d2 || has_d8 == ages[i].d2)
            fail_msg("%s: D2 %d D8 %d", ages[i].source, has_d2, has_d8);
        int prio = -1;
        assert_ok(triage_deadline_priority_applies(&prio, NULL, &in));
        assert_int_equal(prio, ages[i].d2);
    }
}

/* Each row's legal basis and milestone (docs/domain.md §5.3 table). */
static void test_basis_and_milestone_of_each_row(void **state)
{
    (void)state;
    static const struct {
        triage_deadline_row_t row;
        triage_legal_basis_t basis;
        triage_milestone_t milestone;
        const dl_case *from;
    } expect[] = {
        {TRIAGE_DEADLINE_D1, TRIAGE_BASIS_SHL_36, TRIAGE_MILESTONE_URGENCY_ASSESSED, &applicability[0]},
        {TRIAGE_DEADLINE_D2, TRIAGE_BASIS_SHL_36, TRIAGE_MILESTONE_ASSESSMENT_STARTED, &applicability[4]},
        {TRIAGE_DEADLINE_D3, TRIAGE_BASIS_SHL_36, TRIAGE_MILESTONE_ASSESSMENT_STARTED, &applicability[8]},
        {TRIAGE_DEADLINE_D4, TRIAGE_BASIS_SHL_36, TRIAGE_MILESTONE_ASSESSMENT_STARTED, &applicability[11]},
        {TRIAGE_DEADLINE_D5, TRIAGE_BASIS_SHL_36, TRIAGE_MILESTONE_ASSESSMENT_COMPLETED, &applicability[11]},
        /* LSL 26 § 2: for a child-welfare notification D1 rests on the Child Welfare Act */
        {TRIAGE_DEADLINE_D1, TRIAGE_BASIS_LSL_26, TRIAGE_MILESTONE_URGENCY_ASSESSED, &applicability[12]},
        {TRIAGE_DEADLINE_D6, TRIAGE_BASIS_LSL_26, TRIAGE_MILESTONE_ASSESSMENT_STARTED, &applicability[12]},
        {TRIAGE_DEADLINE_D7, TRIAGE_BASIS_LSL_26, TRIAGE_MILESTONE_ASSESSMENT_COMPLETED, &applicability[12]},
        {TRIAGE_DEADLINE_D8, TRIAGE_BASIS_SHL_36, TRIAGE_MILESTONE_ASSESSMENT_STARTED, &applicability[0]},
        {TRIAGE_DEADLINE_D9, TRIAGE_BASIS_SHL_45, TRIAGE_MILESTONE_DECISION_CARRIED_OUT, &applicability[15]},
        {TRIAGE_DEADLINE_D10, TRIAGE_BASIS_TTL_14B, TRIAGE_MILESTONE_DECISION, &applicability[16]},
        {TRIAGE_DEADLINE_D11, TRIAGE_BASIS_TTL_14C, TRIAGE_MILESTONE_DECISION, &applicability[18]},
        {TRIAGE_DEADLINE_D12, TRIAGE_BASIS_TTL_14C, TRIAGE_MILESTONE_COMPLETION_REQUESTED, &applicability[20]},
        {TRIAGE_DEADLINE_D12_DECISION, TRIAGE_BASIS_TTL_14C, TRIAGE_MILESTONE_DECISION, &applicability[20]},
        {TRIAGE_DEADLINE_D13, TRIAGE_BASIS_TTL_14E, TRIAGE_MILESTONE_MEETING_HELD, &applicability[21]},
        {TRIAGE_DEADLINE_RESPONSE, TRIAGE_BASIS_POLICY, TRIAGE_MILESTONE_RESPONSE, &applicability[0]},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        triage_deadline_input_t in = make_input(expect[i].from);
        triage_deadline_t out[TRIAGE_DEADLINE_MAX];
        uint32_t n = 0;
        assert_ok(triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &n, NULL, NULL, cal, &in));
        int found = 0;
        for (uint32_t k = 0; k < n; k++) {
            if (out[k].row != expect[i].row)
                continue;
            found = 1;
            if (out[k].basis != expect[i].basis || out[k].milestone != expect[i].milestone)
                fail_msg("%s in %s: basis %s milestone %s", triage_deadline_row_name(out[k].row),
                         expect[i].from->source, triage_legal_basis_name(out[k].basis),
                         triage_milestone_name(out[k].milestone));
        }
        if (!found)
            fail_msg("%s missing from %s", triage_deadline_row_name(expect[i].row),
                     expect[i].from->source);
    }
}

/* Inconsistent or invalid input: the field is named, outputs untouched. */
typedef struct {
    const char *source;
    void (*mutate)(triage_deadline_input_t *);
    triage_status_t code;
    const char *field;
} bad_case;

#define MUT(name, body)                                                                          \
    static void name(triage_deadline_input_t *in)                                                \
    {                                                                                            \
        body;                                                                                    \
    }
MUT(m_version0, in->version = 0)
MUT(m_version2, in->version = TRIAGE_DEADLINE_INPUT_VERSION + 1)
MUT(m_kind0, in->kind = (triage_intake_kind_t)0)
MUT(m_kind7, in->kind = (triage_intake_kind_t)7)
MUT(m_service0, in->service = (triage_service_area_t)0)
MUT(m_service4, in->service = (triage_service_area_t)4)
MUT(m_urgency0, in->urgency = (triage_urgency_t)0)
MUT(m_urgency5, in->urgency = (triage_urgency_t)5)
MUT(m_received_none, in->received = TRIAGE_DATE_NONE)
MUT(m_received_far, in->received = TRIAGE_DATE_MAX + 1)
MUT(m_cwn_working_age, in->kind = TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
    in->service = TRIAGE_SERVICE_WORKING_AGE)
MUT(m_cwn_older, in->kind = TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
    in->service = TRIAGE_SERVICE_OLDER)
MUT(m_age_m2, in->age = -2)
MUT(m_age_151, in->age = 151)
MUT(m_dob_after, in->date_of_birth = in->received + 1)
MUT(m_dob_range, in->date_of_birth = TRIAGE_DATE_MIN - 1)
MUT(m_dob_151, in->received = D("2060-03-01"); in->date_of_birth = D("1909-02-28"))
MUT(m_age_dob_mismatch, in->age = 70; in->date_of_birth = D("1951-01-01"))
MUT(m_own2, in->own_contact = 2)
MUT(m_hca_m1, in->highest_care_allowance = -1)
MUT(m_css2, in->child_special_support = 2)
MUT(m_css_working_age, in->child_special_support = 1)
MUT(m_css_adult, in->child_special_support = 1; in->service = TRIAGE_SERVICE_FAMILY;
    in->age = 18)
MUT(m_decision_before, in->service_decision = in->received - 1)
MUT(m_decision_range, in->service_decision = TRIAGE_DATE_MAX + 5)
MUT(m_meeting_before, in->meeting_requested = in->received - 1)
MUT(m_completed_before, in->kind = TRIAGE_INTAKE_APPLICATION;
    in->assistance_completed = in->received - 1)
MUT(m_urgent_contact, in->assistance_urgent = 1)
MUT(m_urgent2, in->kind = TRIAGE_INTAKE_APPLICATION; in->assistance_urgent = 2)
MUT(m_complete_notification, in->kind = TRIAGE_INTAKE_NOTIFICATION; in->assistance_complete = 1)
MUT(m_complete3, in->kind = TRIAGE_INTAKE_APPLICATION; in->assistance_complete = 3)
MUT(m_completed_contact, in->assistance_completed = in->received + 3)
MUT(m_completed_but_complete, in->kind = TRIAGE_INTAKE_APPLICATION; in->assistance_complete = 1;
    in->assistance_completed = in->received + 3)
MUT(m_completed_but_urgent, in->kind = TRIAGE_INTAKE_APPLICATION; in->assistance_urgent = 1;
    in->assistance_completed = in->received + 3)
MUT(m_before_calendar, in->received = D("1990-12-28"))

static const bad_case bad_cases[] = {
    {"unsupported input version 0", m_version0, TRIAGE_EVERSION, "version"},
    {"future input version", m_version2, TRIAGE_EVERSION, "version"},
    {"kind 0", m_kind0, TRIAGE_EINVAL, "kind"},
    {"kind 7", m_kind7, TRIAGE_EINVAL, "kind"},
    {"service 0", m_service0, TRIAGE_EINVAL, "service"},
    {"service 4", m_service4, TRIAGE_EINVAL, "service"},
    {"urgency 0", m_urgency0, TRIAGE_EINVAL, "urgency"},
    {"urgency 5", m_urgency5, TRIAGE_EINVAL, "urgency"},
    {"no intake date", m_received_none, TRIAGE_EINVAL, "received"},
    {"intake date out of range", m_received_far, TRIAGE_ERANGE, "received"},
    /* LSL 25 §: child-welfare notifications belong to family services */
    {"CW notification to working-age services", m_cwn_working_age, TRIAGE_EINVAL, "kind"},
    {"CW notification to older people's services", m_cwn_older, TRIAGE_EINVAL, "kind"},
    {"age -2", m_age_m2, TRIAGE_EINVAL, "age"},
    {"age 151", m_age_151, TRIAGE_EINVAL, "age"},
    {"born after the intake", m_dob_after, TRIAGE_EINVAL, "date_of_birth"},
    {"birth date out of range", m_dob_range, TRIAGE_ERANGE, "date_of_birth"},
    {"birth date over 150 years ago", m_dob_151, TRIAGE_EINVAL, "date_of_birth"},
    {"age contradicts birth date", m_age_dob_mismatch, TRIAGE_EINVAL, "age"},
    {"own_contact 2", m_own2, TRIAGE_EINVAL, "own_contact"},
    {"care allowance -1", m_hca_m1, TRIAGE_EINVAL, "highest_care_allowance"},
    {"special support 2", m_css2, TRIAGE_EINVAL, "child_special_support"},
    /* SHL 36 § 3 concerns children: family services, under 18 */
    {"special-support child in working-age services", m_css_working_age, TRIAGE_EINVAL,
     "child_special_support"},
    {"special-support child aged 18", m_css_adult, TRIAGE_EINVAL, "child_special_support"},
    {"decision before intake", m_decision_before, TRIAGE_EINVAL, "service_decision"},
    {"decision out of range", m_decision_range, TRIAGE_ERANGE, "service_decision"},
    {"meeting asked before intake", m_meeting_before, TRIAGE_EINVAL, "meeting_requested"},
    {"completed before intake", m_completed_before, TRIAGE_EINVAL, "assistance_completed"},
    /* TTL facts on a non-application */
    {"urgent assistance on a contact", m_urgent_contact, TRIAGE_EINVAL, "assistance_urgent"},
    {"assistance_urgent 2", m_urgent2, TRIAGE_EINVAL, "assistance_urgent"},
    {"complete notification", m_complete_notification, TRIAGE_EINVAL, "assistance_complete"},
    {"assistance_complete 3", m_complete3, TRIAGE_EINVAL, "assistance_complete"},
    {"completion date on a contact", m_completed_contact, TRIAGE_EINVAL, "assistance_completed"},
    {"completion date of a complete application", m_completed_but_complete, TRIAGE_EINVAL,
     "assistance_completed"},
    {"completion date of an urgent application", m_completed_but_urgent, TRIAGE_EINVAL,
     "assistance_completed"},
    /* Act 150/1930 calendar: years before 1991 are refused */
    {"intake before the calendar's years", m_before_calendar, TRIAGE_ERANGE, NULL},
};

static void test_invalid_input_names_the_field(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        triage_deadline_input_t in = TRIAGE_DEADLINE_INPUT_INIT;
        in.received = D("2026-03-02");
        bad_cases[i].mutate(&in);
        triage_deadline_t out[TRIAGE_DEADLINE_MAX], before[TRIAGE_DEADLINE_MAX];
        memset(out, 0x3c, sizeof out);
        memcpy(before, out, sizeof out);
        uint32_t n = 77;
        triage_status_t rc = triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &n, NULL, NULL, cal, &in);
        if (rc != bad_cases[i].code)
            fail_msg("%s: status %d, want %d", bad_cases[i].source, (int)rc,
                     (int)bad_cases[i].code);
        assert_int_equal(triage_error_last()->code, bad_cases[i].code);
        if (bad_cases[i].field && strcmp(triage_error_last()->argument, bad_cases[i].field) != 0)
            fail_msg("%s: names '%s', want '%s'", bad_cases[i].source,
                     triage_error_last()->argument, bad_cases[i].field);
        assert_int_equal(n, 77);
        assert_memory_equal(out, before, sizeof out);
        /* priority_applies validates the same way (and needs no calendar) */
        if (bad_cases[i].field) {
            int prio = 5;
            assert_status(triage_deadline_priority_applies(&prio, NULL, &in), bad_cases[i].code);
            assert_error_arg(bad_cases[i].field);
            assert_int_equal(prio, 5);
        }
    }
}

static void test_null_arguments(void **state)
{
    (void)state;
    triage_deadline_input_t in = TRIAGE_DEADLINE_INPUT_INIT;
    in.received = D("2026-03-02");
    triage_deadline_t out[TRIAGE_DEADLINE_MAX];
    uint32_t n;
    assert_status(triage_deadlines_compute(NULL, TRIAGE_DEADLINE_MAX, &n, NULL, NULL, cal, &in), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, NULL, NULL, NULL, cal, &in), TRIAGE_EINVAL);
    assert_error_arg("count");
    assert_status(triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &n, NULL, NULL, NULL, &in), TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_status(triage_deadlines_compute(out, TRIAGE_DEADLINE_MAX, &n, NULL, NULL, cal, NULL), TRIAGE_EINVAL);
    assert_error_arg("input");
    int p;
    assert_status(triage_deadline_priority_applies(NULL, NULL, &in), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_deadline_priority_applies(&p, NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("input");
}

/* §5.1: PRIORITY when an enabled D2, D3, D4 or D6 applies. */
static void test_priority_applies(void **state)
{
    (void)state;
    static const struct {
        size_t case_index; /* into applicability[] */
        int expect;
    } rows[] = {
        {0, 0},  /* plain contact: D8 only */
        {4, 1},  /* D2 (SHL 36 § 2 (1)) */
        {5, 0},  /* aged 74 */
        {8, 1},  /* D3 (SHL 36 § 2 (2)) */
        {11, 1}, /* D4 (SHL 36 § 3) */
        {12, 1}, /* D6 (LSL 26 §) */
        {15, 0}, /* D9 does not make it PRIORITY */
        {18, 0}, /* D11 neither */
        {21, 0}, /* D13 neither */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        triage_deadline_input_t in = make_input(&applicability[rows[i].case_index]);
        in.urgency = TRIAGE_URGENCY_IMMEDIATE; /* ignored */
        int p = -1;
        assert_ok(triage_deadline_priority_applies(&p, NULL, &in));
        if (p != rows[i].expect)
            fail_msg("%s: %d", applicability[rows[i].case_index].source, p);
    }
    /* A disabled row no longer gives PRIORITY, and D8 takes its place. */
    triage_deadline_rules_t *r = NULL;
    assert_ok(triage_deadline_rules_new(&r, NULL));
    assert_ok(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_D2, 0));
    triage_deadline_input_t in = make_input(&applicability[4]);
    int p = -1;
    assert_ok(triage_deadline_priority_applies(&p, r, &in));
    assert_int_equal(p, 0);
    static const dl_case without_d2[] = {
        {"D2 disabled", CONTACT, OLDER, "2026-03-02", 1, 75, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
         "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
        {"D2 disabled, D3 still on", CONTACT, OLDER, "2026-03-02", 1, 75, NULL, 1, 0, 0, NULL, 0, 0,
         NULL, NULL, "D1 2026-03-02, D3 2026-03-11, response 2026-03-11"},
    };
    RUN(without_d2, r, NULL);
    triage_deadline_rules_free(r);
}

/* Rule sets are policy data: change limits, switch rows off, record the law version. */
static void test_rules_change_limits(void **state)
{
    (void)state;
    triage_deadline_rules_t *r = NULL;
    assert_ok(triage_deadline_rules_new(&r, NULL));
    assert_ok(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_D8, 10)); /* 10th: 16 March */
    assert_ok(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_D5, 6));  /* 6 months: 2 Sep */
    assert_ok(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_D1, 1));  /* now 1 business day */
    assert_ok(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_D11, 0)); /* the same day */
    assert_ok(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_D13, 0));
    assert_ok(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_RESPONSE, 0));
    static const dl_case changed[] = {
        {"D8 10 days", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, "2026-03-03",
         "D1 2026-03-03, D8 2026-03-16"},
        {"D5 6 months", CONTACT, FAMILY, "2026-03-02", 0, 0, NULL, 0, 1, 0, NULL, 0, 0, NULL, NULL,
         "D1 2026-03-03, D4 2026-03-11, D5 2026-09-02"},
        {"D11 same day", APP, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 1, NULL, NULL,
         "D1 2026-03-03, D8 2026-03-16, D11 2026-03-02"},
    };
    RUN(changed, r, NULL);

    /* Back to 0 makes D1 the same day again; a re-enabled row comes back. */
    assert_ok(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_D1, 0));
    assert_ok(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_RESPONSE, 1));
    static const dl_case restored[] = {
        {"D1 same day again", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
         "D1 2026-03-02, D8 2026-03-16, response 2026-03-23"},
    };
    RUN(restored, r, NULL);

    /* A copy carries the changes and is independent. */
    triage_deadline_rules_t *c = NULL;
    assert_ok(triage_deadline_rules_copy(&c, r));
    assert_ok(triage_deadline_rules_set_limit(c, TRIAGE_DEADLINE_D8, 15));
    RUN(restored, r, NULL);
    static const dl_case in_copy[] = {
        {"copy", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
         "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    };
    RUN(in_copy, c, NULL);
    triage_deadline_rules_free(c);
    triage_deadline_rules_free(r);
    triage_deadline_rules_free(NULL);
}

static void test_rules_setters_reject(void **state)
{
    (void)state;
    triage_deadline_rules_t *r = NULL;
    assert_ok(triage_deadline_rules_new(&r, NULL));
    assert_status(triage_deadline_rules_set_limit(r, (triage_deadline_row_t)0, 3), TRIAGE_EINVAL);
    assert_error_arg("row");
    assert_status(triage_deadline_rules_set_limit(r, (triage_deadline_row_t)16, 3), TRIAGE_EINVAL);
    assert_error_arg("row");
    assert_status(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_RESPONSE, 3), TRIAGE_EINVAL);
    assert_error_arg("row");
    assert_status(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_D8, -1), TRIAGE_EINVAL);
    assert_error_arg("amount");
    assert_status(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_D8, 366), TRIAGE_EINVAL);
    assert_error_arg("amount");
    assert_status(triage_deadline_rules_set_limit(NULL, TRIAGE_DEADLINE_D8, 3), TRIAGE_EINVAL);
    assert_error_arg("rules");
    assert_status(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_D8, 2), TRIAGE_EINVAL);
    assert_error_arg("enabled");
    assert_status(triage_deadline_rules_set_enabled(r, (triage_deadline_row_t)99, 0),
                  TRIAGE_EINVAL);
    assert_error_arg("row");

    const char *v = NULL;
    for (int row = TRIAGE_DEADLINE_D1; row <= TRIAGE_DEADLINE_D13; row++) {
        assert_ok(triage_deadline_rules_law_version(&v, r, (triage_deadline_row_t)row));
        assert_string_equal(v, "2025");
    }
    assert_ok(triage_deadline_rules_set_law_version(r, TRIAGE_DEADLINE_D11, "2026-01 (1234/2025)"));
    assert_ok(triage_deadline_rules_law_version(&v, r, TRIAGE_DEADLINE_D11));
    assert_string_equal(v, "2026-01 (1234/2025)");
    assert_ok(triage_deadline_rules_law_version(&v, r, TRIAGE_DEADLINE_D10));
    assert_string_equal(v, "2025");
    static const char *const bad[] = {"", "line\nbreak", "\xc3\xa4", "12345678901234567890123456789012"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_status(triage_deadline_rules_set_law_version(r, TRIAGE_DEADLINE_D11, bad[i]),
                      TRIAGE_EINVAL);
        assert_error_arg("law_version");
    }
    assert_status(triage_deadline_rules_set_law_version(r, TRIAGE_DEADLINE_D11, NULL),
                  TRIAGE_EINVAL);
    assert_error_arg("law_version");
    assert_status(triage_deadline_rules_set_law_version(r, (triage_deadline_row_t)0, "x"),
                  TRIAGE_EINVAL);
    assert_error_arg("row");
    assert_ok(triage_deadline_rules_law_version(&v, r, TRIAGE_DEADLINE_D11));
    assert_string_equal(v, "2026-01 (1234/2025)");
    assert_status(triage_deadline_rules_law_version(NULL, r, TRIAGE_DEADLINE_D11), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_status(triage_deadline_rules_law_version(&v, NULL, TRIAGE_DEADLINE_D11), TRIAGE_EINVAL);
    assert_error_arg("rules");
    assert_status(triage_deadline_rules_law_version(&v, r, (triage_deadline_row_t)16),
                  TRIAGE_EINVAL);
    assert_error_arg("row");

    /* The failed calls changed nothing. */
    static const dl_case unchanged[] = {
        {"unchanged", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
         "D1 2026-03-02, D8 2026-03-23, response 2026-03-23"},
    };
    RUN(unchanged, r, NULL);
    triage_deadline_rules_free(r);

    assert_status(triage_deadline_rules_new(NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("out");
    triage_deadline_rules_t *c = NULL;
    assert_status(triage_deadline_rules_copy(&c, NULL), TRIAGE_EINVAL);
    assert_error_arg("rules");
    assert_status(triage_deadline_rules_copy(NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("out");
    triage_allocator_t half = {NULL, fa_realloc, NULL, NULL};
    assert_status(triage_deadline_rules_new(&c, &half), TRIAGE_EINVAL);
    assert_error_arg("alloc");
    assert_null(c);
}

/* §5.1 tier response from a remapped urgency policy. */
static void test_response_from_urgency_policy(void **state)
{
    (void)state;
    triage_urgency_policy_t *p = NULL;
    assert_ok(triage_urgency_policy_new(&p, NULL));
    assert_ok(triage_urgency_policy_set_response_days(p, TRIAGE_URGENCY_NORMAL, 10));
    assert_ok(triage_urgency_policy_set_response_days(p, TRIAGE_URGENCY_PRIORITY, 5));
    assert_ok(triage_urgency_policy_set_response_days(p, TRIAGE_URGENCY_IMMEDIATE, 1));
    static const dl_case cases[] = {
        {"NORMAL 10", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0, NULL, NULL,
         "D1 2026-03-02, D8 2026-03-23, response 2026-03-16"},
        /* D2 lifts NORMAL to PRIORITY: 5th business day */
        {"PRIORITY 5 by D2", CONTACT, OLDER, "2026-03-02", 1, 75, NULL, 0, 0, 0, NULL, 0, 0, NULL,
         NULL, "D1 2026-03-02, D2 2026-03-11, response 2026-03-09"},
        {"IMMEDIATE 1", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, TRIAGE_URGENCY_IMMEDIATE, NULL,
         0, 0, NULL, NULL, "D1 2026-03-02, D8 2026-03-23, response 2026-03-03"},
    };
    RUN(cases, NULL, p);
    triage_urgency_policy_free(p);
}

/* Allocation failure: every Nth allocation fails with ENOMEM and leaks nothing. */
static void test_rules_allocation_failures(void **state)
{
    (void)state;
    int succeeded = 0;
    for (long n = 1; n <= 8 && !succeeded; n++) {
        failing_alloc fa = {0, n, 0, 0};
        triage_allocator_t a = fa_allocator(&fa);
        triage_deadline_rules_t *r = NULL;
        triage_status_t rc = triage_deadline_rules_new(&r, &a);
        if (rc == TRIAGE_OK) {
            succeeded = 1;
            triage_deadline_rules_free(r);
        } else {
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_int_equal(triage_error_last()->code, TRIAGE_ENOMEM);
            assert_null(r);
            assert_int_equal(fa.failures, 1);
        }
        assert_int_equal(fa.live, 0);
    }
    assert_true(succeeded);

    succeeded = 0;
    for (long n = 2; n <= 9 && !succeeded; n++) {
        failing_alloc fa = {0, n, 0, 0};
        triage_allocator_t a = fa_allocator(&fa);
        triage_deadline_rules_t *r = NULL, *c = NULL;
        assert_ok(triage_deadline_rules_new(&r, &a));
        assert_ok(triage_deadline_rules_set_limit(r, TRIAGE_DEADLINE_D8, 10));
        triage_status_t rc = triage_deadline_rules_copy(&c, r);
        if (rc == TRIAGE_OK) {
            succeeded = 1;
            assert_int_equal(fa.live, 2);
            static const dl_case kept[] = {
                {"copy keeps D8 10", CONTACT, 0, "2026-03-02", 0, 0, NULL, 0, 0, 0, NULL, 0, 0,
                 NULL, NULL, "D1 2026-03-02, D8 2026-03-16, response 2026-03-23"},
            };
            RUN(kept, c, NULL);
            triage_deadline_rules_free(c);
        } else {
            assert_int_equal(rc, TRIAGE_ENOMEM);
            assert_null(c);
            assert_int_equal(fa.live, 1);
        }
        triage_deadline_rules_free(r);
        assert_int_equal(fa.live, 0);
    }
    assert_true(succeeded);
}

/* ---- status on a date (§5.3: met, open, due soon, missed) ----------------- */

static void test_status_transitions(void **state)
{
    (void)state;
    /* D2 due Wednesday 11 March 2026; due-soon window K business days */
    static const struct {
        const char *source;
        const char *due, *met, *today;
        int32_t k;
        triage_deadline_state_t state;
        int32_t overdue;
    } rows[] = {
        {"7 business days left", "2026-03-11", NULL, "2026-03-02", 2, TRIAGE_DEADLINE_OPEN, 0},
        {"3 left (Fri)", "2026-03-11", NULL, "2026-03-06", 2, TRIAGE_DEADLINE_OPEN, 0},
        {"3 left over the weekend (Sat)", "2026-03-11", NULL, "2026-03-07", 2,
         TRIAGE_DEADLINE_OPEN, 0},
        {"2 left (Mon)", "2026-03-11", NULL, "2026-03-09", 2, TRIAGE_DEADLINE_DUE_SOON, 0},
        {"due today", "2026-03-11", NULL, "2026-03-11", 2, TRIAGE_DEADLINE_DUE_SOON, 0},
        {"due today, K 0", "2026-03-11", NULL, "2026-03-11", 0, TRIAGE_DEADLINE_DUE_SOON, 0},
        {"1 left, K 0", "2026-03-11", NULL, "2026-03-10", 0, TRIAGE_DEADLINE_OPEN, 0},
        {"1 day late", "2026-03-11", NULL, "2026-03-12", 2, TRIAGE_DEADLINE_MISSED, 1},
        {"late on Saturday", "2026-03-11", NULL, "2026-03-14", 2, TRIAGE_DEADLINE_MISSED, 2},
        {"3 business days late", "2026-03-11", NULL, "2026-03-16", 2, TRIAGE_DEADLINE_MISSED, 3},
        {"met early", "2026-03-11", "2026-03-05", "2026-03-20", 2, TRIAGE_DEADLINE_MET, 0},
        {"met on the day", "2026-03-11", "2026-03-11", "2026-03-11", 2, TRIAGE_DEADLINE_MET, 0},
        {"met 2 days late", "2026-03-11", "2026-03-13", "2026-03-20", 2,
         TRIAGE_DEADLINE_MET_LATE, 2},
        /* Christmas: Wed 23 Dec, due Mon 28 Dec is 1 business day away */
        {"due soon over Christmas", "2026-12-28", NULL, "2026-12-23", 1,
         TRIAGE_DEADLINE_DUE_SOON, 0},
        {"open over Christmas, K 0", "2026-12-28", NULL, "2026-12-23", 0, TRIAGE_DEADLINE_OPEN,
         0},
        /* Due Wed 23 Dec, still missing on Mon 4 Jan: 28-31 Dec and 4 Jan = 5 business days */
        {"missed over the holidays", "2026-12-23", NULL, "2027-01-04", 2,
         TRIAGE_DEADLINE_MISSED, 5},
        {"met late after Epiphany", "2026-12-23", "2027-01-07", "2027-01-08", 2,
         TRIAGE_DEADLINE_MET_LATE, 7}, /* 28-31 Dec, 4, 5, 7 Jan (6 Jan Epiphany) */
        /* D1 due on a Saturday intake: missed on Monday by one business day */
        {"same-day deadline on a Saturday", "2026-03-07", NULL, "2026-03-09", 0,
         TRIAGE_DEADLINE_MISSED, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        triage_deadline_t dl = {TRIAGE_DEADLINE_D2, TRIAGE_BASIS_SHL_36,
                                TRIAGE_MILESTONE_ASSESSMENT_STARTED, D(rows[i].due)};
        triage_deadline_state_t s = (triage_deadline_state_t)0;
        int32_t overdue = -9;
        assert_ok(triage_deadline_status(&s, &overdue, cal, &dl, D(rows[i].met), D(rows[i].today),
                                         rows[i].k));
        if (s != rows[i].state || overdue != rows[i].overdue)
            fail_msg("%s: state %d overdue %d, want %d %d", rows[i].source, (int)s, (int)overdue,
                     (int)rows[i].state, (int)rows[i].overdue);
        /* overdue may be NULL */
        triage_deadline_state_t s2 = (triage_deadline_state_t)0;
        assert_ok(triage_deadline_status(&s2, NULL, cal, &dl, D(rows[i].met), D(rows[i].today),
                                         rows[i].k));
        assert_int_equal(s2, s);
    }
}

static void test_status_rejects(void **state)
{
    (void)state;
    triage_deadline_t dl = {TRIAGE_DEADLINE_D2, TRIAGE_BASIS_SHL_36,
                            TRIAGE_MILESTONE_ASSESSMENT_STARTED, D("2026-03-11")};
    triage_deadline_state_t s = TRIAGE_DEADLINE_OPEN;
    int32_t od = 42;
    triage_date_t today = D("2026-03-12");
    assert_status(triage_deadline_status(NULL, &od, cal, &dl, TRIAGE_DATE_NONE, today, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("state");
    assert_status(triage_deadline_status(&s, &od, NULL, &dl, TRIAGE_DATE_NONE, today, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("cal");
    assert_status(triage_deadline_status(&s, &od, cal, NULL, TRIAGE_DATE_NONE, today, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("deadline");
    assert_status(triage_deadline_status(&s, &od, cal, &dl, TRIAGE_DATE_NONE, today, -1),
                  TRIAGE_EINVAL);
    assert_error_arg("due_soon_days");
    assert_status(triage_deadline_status(&s, &od, cal, &dl, TRIAGE_DATE_NONE, TRIAGE_DATE_NONE, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("today");
    assert_status(triage_deadline_status(&s, &od, cal, &dl, today + 1, today, 2), TRIAGE_EINVAL);
    assert_error_arg("met_on");
    assert_status(triage_deadline_status(&s, &od, cal, &dl, TRIAGE_DATE_MAX + 1, today, 2),
                  TRIAGE_ERANGE);
    assert_error_arg("met_on");
    triage_deadline_t bad = dl;
    bad.row = (triage_deadline_row_t)42;
    assert_status(triage_deadline_status(&s, &od, cal, &bad, TRIAGE_DATE_NONE, today, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("deadline");
    bad = dl;
    bad.basis = (triage_legal_basis_t)0;
    assert_status(triage_deadline_status(&s, &od, cal, &bad, TRIAGE_DATE_NONE, today, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("deadline");
    bad = dl;
    bad.milestone = (triage_milestone_t)10;
    assert_status(triage_deadline_status(&s, &od, cal, &bad, TRIAGE_DATE_NONE, today, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("deadline");
    bad = dl;
    bad.due = TRIAGE_DATE_NONE;
    assert_status(triage_deadline_status(&s, &od, cal, &bad, TRIAGE_DATE_NONE, today, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("deadline");
    /* before the calendar's first year: the calendar refuses */
    bad = dl;
    bad.due = D("1990-01-02");
    assert_status(triage_deadline_status(&s, &od, cal, &bad, TRIAGE_DATE_NONE, today, 2),
                  TRIAGE_ERANGE);
    assert_int_equal(s, TRIAGE_DEADLINE_OPEN);
    assert_int_equal(od, 42);
}

/* ---- names ---------------------------------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    static const struct {
        triage_intake_kind_t kind;
        const char *name;
    } kinds[] = {
        {TRIAGE_INTAKE_CONTACT, "contact"},
        {TRIAGE_INTAKE_NOTIFICATION, "notification"},
        {TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION, "child_welfare_notification"},
        {TRIAGE_INTAKE_APPLICATION, "application"},
        {TRIAGE_INTAKE_KELA_REFERRAL, "kela_referral"},
        {TRIAGE_INTAKE_OTHER_AUTHORITY, "other_authority"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        assert_string_equal(triage_intake_kind_name(kinds[i].kind), kinds[i].name);
        triage_intake_kind_t k = (triage_intake_kind_t)0;
        assert_ok(triage_intake_kind_from_name(&k, kinds[i].name));
        assert_int_equal(k, kinds[i].kind);
    }
    assert_null(triage_intake_kind_name((triage_intake_kind_t)0));
    assert_null(triage_intake_kind_name((triage_intake_kind_t)7));
    triage_intake_kind_t k = TRIAGE_INTAKE_CONTACT;
    assert_status(triage_intake_kind_from_name(&k, "Contact"), TRIAGE_EINVAL);
    assert_error_arg("name");
    assert_status(triage_intake_kind_from_name(&k, ""), TRIAGE_EINVAL);
    assert_status(triage_intake_kind_from_name(&k, NULL), TRIAGE_EINVAL);
    assert_error_arg("name");
    assert_status(triage_intake_kind_from_name(NULL, "contact"), TRIAGE_EINVAL);
    assert_error_arg("out");
    assert_int_equal(k, TRIAGE_INTAKE_CONTACT);

    static const char *const rows[] = {NULL, "D1", "D2", "D3", "D4", "D5", "D6", "D7",
                                       "D8", "D9", "D10", "D11", "D12", "D12b", "D13",
                                       "plan_review"};
    for (int r = 1; r <= 15; r++)
        assert_string_equal(triage_deadline_row_name((triage_deadline_row_t)r), rows[r]);
    assert_string_equal(triage_deadline_row_name(TRIAGE_DEADLINE_RESPONSE), "response");
    assert_null(triage_deadline_row_name((triage_deadline_row_t)0));
    assert_null(triage_deadline_row_name((triage_deadline_row_t)16));

    static const char *const bases[] = {NULL, "SHL 36 §", "SHL 45 §", "LSL 26 §",
                                        "TTL 14 b §", "TTL 14 c §", "TTL 14 e §", "policy",
                                        "SHL 39 §"};
    for (int b = 1; b <= 8; b++)
        assert_string_equal(triage_legal_basis_name((triage_legal_basis_t)b), bases[b]);
    assert_null(triage_legal_basis_name((triage_legal_basis_t)0));
    assert_null(triage_legal_basis_name((triage_legal_basis_t)9));

    static const char *const ms[] = {NULL, "urgency_assessed", "assessment_started",
                                     "assessment_completed", "decision", "decision_carried_out",
                                     "meeting_held", "completion_requested", "response",
                                     "plan_reviewed"};
    for (int m = 1; m <= 9; m++)
        assert_string_equal(triage_milestone_name((triage_milestone_t)m), ms[m]);
    assert_null(triage_milestone_name((triage_milestone_t)0));
    assert_null(triage_milestone_name((triage_milestone_t)10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_apply_exactly_when_they_should),
        cmocka_unit_test(test_due_dates_across_holidays),
        cmocka_unit_test(test_month_deadlines),
        cmocka_unit_test(test_age_75_on_the_birthday),
        cmocka_unit_test(test_basis_and_milestone_of_each_row),
        cmocka_unit_test(test_invalid_input_names_the_field),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_priority_applies),
        cmocka_unit_test(test_rules_change_limits),
        cmocka_unit_test(test_rules_setters_reject),
        cmocka_unit_test(test_response_from_urgency_policy),
        cmocka_unit_test(test_rules_allocation_failures),
        cmocka_unit_test(test_status_transitions),
        cmocka_unit_test(test_status_rejects),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("deadline", tests, setup, teardown);
}
