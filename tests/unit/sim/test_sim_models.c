/* The seed regions' models in the simulator (docs/simulation.md, "The seed
 * regions"): KuusOTSO's Kela service point, phone line hours and cap, and
 * pop-up outreach days; East Uusimaa's initial assessment, office-hours
 * duty for child-welfare notifications and Swedish-language service;
 * Pirkanmaa's interpreting and guidance pathway; Lapland's segmentation and
 * social reports. Each is checked against the engine's own records. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"
#include "simutil.h"

/* A small team; `extra` adds sections. */
static triage_scenario_t *scenario(const char *intake_extra, const char *extra)
{
    char text[8192];
    snprintf(text, sizeof text,
             "[scenario]\nstart = 2025-03-03\ndays = 60\n"
             "[intake]\ncontact = 3\nnotification = 1.5\nchannel.kela = 0\n%s"
             "[sick_leave]\nrate = 0\n"
             "[municipality]\ncode = 297\nweight = 3\n"
             "[municipality]\ncode = 749\n"
             "[worker]\nname = sw\nrole = social_worker\noffice = 297\nserves = 297, 749\n"
             "[worker]\nname = sc\nrole = social_counsellor\ncount = 2\n"
             "[worker]\nname = sg\nrole = service_guide\n%s",
             intake_extra, extra);
    triage_scenario_t *s = NULL;
    triage_status_t rc = triage_scenario_parse(&s, text, "t.scn", NULL);
    if (rc)
        fail_msg("parse: %s", triage_error_last()->message);
    return s;
}

static triage_sim_t *run(const triage_scenario_t *s, uint64_t seed, triage_sim_stats_t *st)
{
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.seed = seed;
    o.keep_history = 1; /* the tests read the run's events and cases */
    triage_sim_t *sim = NULL;
    triage_status_t rc = triage_sim_run(&sim, s, &o);
    if (rc)
        fail_msg("run: %s", triage_error_last()->message);
    assert_ok(triage_sim_stats(st, sim));
    return sim;
}

/* Every event of the run, in order (an owned array: free()). */
static triage_event_t *all_events(triage_sim_t *sim, size_t *n)
{
    triage_event_iter_t *it = NULL;
    assert_ok(triage_event_iter_new(&it, triage_sim_engine(sim), NULL));
    size_t cap = 1024;
    triage_event_t *ev = malloc(cap * sizeof *ev);
    assert_non_null(ev);
    *n = 0;
    for (;;) {
        if (*n == cap) {
            cap *= 2;
            ev = realloc(ev, cap * sizeof *ev);
            assert_non_null(ev);
        }
        ev[*n].version = TRIAGE_EVENT_VERSION;
        triage_status_t rc = triage_event_iter_next(it, &ev[*n]);
        if (rc == TRIAGE_ITEROVER)
            break;
        assert_ok(rc);
        (*n)++;
    }
    triage_event_iter_free(it);
    return ev;
}

/* Every case of the run, read through the public API. */
typedef struct {
    triage_case_t *v;
    size_t n;
} cases_t;

static cases_t all_cases(triage_sim_t *sim)
{
    triage_engine_t *e = triage_sim_engine(sim);
    triage_id_t *ids = NULL;
    size_t n = 0;
    assert_ok(triage_case_list(&ids, &n, e, NULL));
    cases_t c = {calloc(n ? n : 1, sizeof(triage_case_t)), n};
    assert_non_null(c.v);
    for (size_t i = 0; i < n; i++) {
        c.v[i].version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&c.v[i], e, &ids[i]));
    }
    triage_free(ids);
    return c;
}

static int32_t local_minute(int64_t ms)
{
    int32_t m;
    assert_ok(triage_local_time(NULL, &m, ms));
    return m;
}

static triage_weekday_t weekday(triage_date_t d)
{
    triage_weekday_t w;
    assert_ok(triage_date_weekday(&w, d));
    return w;
}

static triage_date_t ymd(int y, int m, int d)
{
    triage_date_t t;
    assert_ok(triage_date_from_ymd(&t, y, m, d));
    return t;
}

static int32_t client_muni(triage_sim_t *sim, const triage_id_t *client)
{
    triage_client_t c;
    c.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&c, triage_sim_engine(sim), client));
    return c.municipality;
}

/* KuusOTSO: intakes through the Kela channel come only on the point's staffed
 * weekdays within its period; the report's Kela-channel intakes are the
 * point's. */
static void test_kela_point(void **state)
{
    (void)state;
    triage_scenario_t *s = scenario("", "[kela_point]\nweekdays = wed\nfrom = 2025-03-10\n"
                                        "until = 2025-04-20\nintakes = 3\nmunicipality = 297\n");
    triage_sim_stats_t st;
    triage_sim_t *sim = run(s, 4, &st);
    assert_int_equal(st.kela_point_days, 6); /* Wednesdays 12.3.-16.4. */
    assert_true(st.kela_intakes > 6);
    uint32_t kela;
    assert_ok(triage_report_intakes(&kela, triage_sim_report(sim), 0, TRIAGE_CHANNEL_KELA));
    assert_int_equal(kela, st.kela_intakes);
    cases_t c = all_cases(sim);
    size_t seen = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (c.v[i].channel != TRIAGE_CHANNEL_KELA)
            continue;
        seen++;
        assert_int_equal(weekday(c.v[i].received), TRIAGE_WEDNESDAY);
        assert_true(c.v[i].received >= ymd(2025, 3, 10) && c.v[i].received <= ymd(2025, 4, 20));
        assert_int_equal(c.v[i].kind, TRIAGE_INTAKE_KELA_REFERRAL);
        int32_t m = local_minute(c.v[i].received_ms);
        assert_true(m >= 540 && m < 900); /* the point's default hours 09-15 */
    }
    assert_true(seen > 0 && seen <= st.kela_intakes);
    free(c.v);
    triage_sim_free(sim);
    triage_scenario_free(s);
}

/* KuusOTSO: the phone line answers only on its weekdays and period, within
 * its hours and up to its daily cap; the rest of the callers are ordinary
 * phone contacts; the staff time is half a day of one person each day. */
static void test_phone_line(void **state)
{
    (void)state;
    triage_scenario_t *s =
        scenario("channel.phone = 0\nrepeat_client = 0\n",
                 "[urgency]\nimmediate = 0\n"
                 "[phone_line]\ncalls_min = 10\ncalls_max = 10\ncap = 4\nweekdays = mon, wed\n"
                 "hours = 13:00-13:30\nfrom = 2025-03-10\nuntil = 2025-04-04\n");
    triage_sim_stats_t st;
    triage_sim_t *sim = run(s, 2, &st);
    assert_int_equal(st.phone_line_days, 8); /* Mon and Wed 10.3.-2.4. */
    assert_int_equal(st.phone_calls, 32);
    assert_int_equal(st.phone_overflow, 48);
    assert_int_equal(st.phone_line_minutes, 8 * 218); /* 0.5 x 435 min, rounded */
    cases_t c = all_cases(sim);
    size_t phone = 0;
    for (size_t i = 0; i < c.n; i++) {
        if (c.v[i].channel != TRIAGE_CHANNEL_PHONE)
            continue;
        phone++;
        int32_t m = local_minute(c.v[i].received_ms);
        assert_true(m >= 780 && m < 810);
        triage_weekday_t w = weekday(c.v[i].received);
        assert_true(w == TRIAGE_MONDAY || w == TRIAGE_WEDNESDAY);
    }
    assert_int_equal(phone, 80);
    free(c.v);
    triage_sim_free(sim);
    triage_scenario_free(s);
}

/* KuusOTSO: pop-up outreach days are dated; their reach is a parameter (the
 * seed's reached nobody); a day on a weekend is not held. */
static void test_outreach_days(void **state)
{
    (void)state;
    triage_scenario_t *s = scenario(
        "channel.outreach = 0\n",
        "[outreach]\ndate = 2025-03-12\n"
        "[outreach]\ndate = 2025-03-15\nreach = 5\n"
        "[outreach]\ndate = 2025-03-19\nreach = 6\nstaff_days = 1\nroles = service_guide\n");
    triage_sim_stats_t st;
    triage_sim_t *sim = run(s, 3, &st);
    assert_int_equal(st.outreach_days, 2);
    assert_int_equal(st.outreach_minutes, 218 + 435);
    assert_true(st.outreach_contacts > 0);
    uint32_t n;
    assert_ok(triage_report_intakes(&n, triage_sim_report(sim), 0, TRIAGE_CHANNEL_OUTREACH));
    assert_int_equal(n, st.outreach_contacts);
    cases_t c = all_cases(sim);
    for (size_t i = 0; i < c.n; i++) {
        if (c.v[i].channel != TRIAGE_CHANNEL_OUTREACH)
            continue;
        assert_int_equal(c.v[i].received, ymd(2025, 3, 19));
        int32_t m = local_minute(c.v[i].received_ms);
        assert_true(m >= 840 && m < 1020);
    }
    free(c.v);
    triage_sim_free(sim);
    triage_scenario_free(s);
}

/* Counts the cases' moves from -> to (and the closing reason, 0 any). */
static size_t moves(triage_sim_t *sim, int from, int to, int reason)
{
    size_t n = 0, k = 0;
    triage_event_t *ev = all_events(sim, &n);
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == TRIAGE_EVENT_STAGE_CHANGED && ev[i].from == from && ev[i].to == to &&
            (!reason || ev[i].reason == reason))
            k++;
    free(ev);
    return k;
}

/* East Uusimaa: what the initial assessment resolves closes as ADVICE_GIVEN or
 * REFERRED, never NO_NEED; what it handles follows from its own parameters. */
static void test_initial_assessment(void **state)
{
    (void)state;
    triage_scenario_t *s = scenario("", "[policy]\ninitial_assessment = yes\n"
                                        "[durations]\nassessment_slots = 50\n");
    triage_sim_stats_t st;
    triage_sim_t *sim = run(s, 5, &st);
    assert_true(st.ia_advice > 0 && st.ia_referred > 0 && st.ia_onward > 0);
    enum { IA = TRIAGE_STAGE_INITIAL_ASSESSMENT, CL = TRIAGE_STAGE_CLOSED };
    assert_int_equal(moves(sim, IA, CL, TRIAGE_CLOSE_ADVICE_GIVEN), st.ia_advice);
    assert_int_equal(moves(sim, IA, CL, TRIAGE_CLOSE_REFERRED), st.ia_referred);
    assert_int_equal(moves(sim, IA, CL, 0), st.ia_advice + st.ia_referred);
    assert_int_equal(moves(sim, IA, TRIAGE_STAGE_DISTRIBUTION, 0), st.ia_onward);
    assert_int_equal(moves(sim, TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_DISTRIBUTION, 0) +
                         moves(sim, TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_DISTRIBUTION, 0) +
                         st.ia_onward,
                     st.to_assessment);
    uint32_t with_ia;
    assert_ok(triage_report_assessments(&with_ia, NULL, triage_sim_report(sim)));
    triage_sim_free(sim);
    /* the same demand without the step: more full assessments */
    triage_scenario_t *b = NULL;
    assert_ok(triage_scenario_copy(&b, s));
    assert_ok(triage_scenario_set(b, "policy", "initial_assessment", "no"));
    triage_sim_stats_t st2;
    sim = run(b, 5, &st2);
    uint32_t without;
    assert_ok(triage_report_assessments(&without, NULL, triage_sim_report(sim)));
    assert_true(without > with_ia);
    assert_int_equal(st2.ia_advice + st2.ia_referred + st2.ia_onward, 0);
    assert_true(st2.intake_hash == st.intake_hash);
    triage_sim_free(sim);
    /* a step that handles nothing sends everything on */
    static const char *const keys[] = {"advice.q1", "referred.q1", "referred.q2", "referred.q3"};
    for (size_t i = 0; i < 4; i++)
        assert_ok(triage_scenario_set(s, "initial_assessment", keys[i], "0"));
    sim = run(s, 5, &st);
    assert_int_equal(st.ia_advice + st.ia_referred, 0);
    assert_true(st.ia_onward > 0);
    triage_sim_free(sim);
    triage_scenario_free(b);
    triage_scenario_free(s);
}

/* East Uusimaa: child-welfare notifications received in office hours are
 * taken by the office-hours duty the same day; those received after hours
 * wait for the next business day, the IMMEDIATE ones flagged for emergency
 * social services by the engine. */
static size_t cw_same_day(const cases_t *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        const triage_case_t *x = &c->v[i];
        if (x->kind != TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION ||
            x->urgency == TRIAGE_URGENCY_IMMEDIATE || local_minute(x->received_ms) >= 960)
            continue;
        triage_date_t first = x->first_contact != TRIAGE_DATE_NONE ? x->first_contact
                                                                   : x->first_attempt;
        if (x->first_attempt != TRIAGE_DATE_NONE && x->first_attempt < first)
            first = x->first_attempt;
        k += first == x->received;
    }
    return k;
}

static void test_child_welfare_duty(void **state)
{
    (void)state;
    triage_scenario_t *on = scenario("child_welfare_notification = 2\nrepeat_client = 0\n"
                                     "service = family\n",
                                     "[urgency]\nimmediate = 10\n"
                                     "[duty]\nchild_welfare = yes\nafter_hours = 0.3\n");
    triage_scenario_t *off = NULL;
    assert_ok(triage_scenario_copy(&off, on));
    assert_ok(triage_scenario_set(off, "duty", "child_welfare", "no"));
    triage_sim_stats_t st, st2;
    triage_sim_t *sim = run(on, 6, &st), *sim2 = run(off, 6, &st2);
    assert_true(st.after_hours > 0);
    assert_int_equal(st.after_hours, st2.after_hours); /* the same demand */
    cases_t c = all_cases(sim), c2 = all_cases(sim2);
    size_t late = 0, flagged = 0;
    for (size_t i = 0; i < c.n; i++) {
        const triage_case_t *x = &c.v[i];
        assert_int_equal(x->service, TRIAGE_SERVICE_FAMILY); /* families' services */
        int32_t m = local_minute(x->received_ms);
        if (x->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION && m >= 960)
            late++;
        else
            assert_true(m >= 480 && m < 960);
        if (x->flags & TRIAGE_CASE_EMERGENCY_SERVICES) {
            flagged++;
            assert_true(m >= 960 && x->urgency == TRIAGE_URGENCY_IMMEDIATE);
            if (x->assessment_worker.bytes[0] || x->assessment_worker.bytes[15]) {
                /* taken by the duty pair the next business day, not that night */
                assert_true(x->assessment_started > x->received);
            }
        }
    }
    assert_int_equal(late, st.after_hours);
    assert_int_equal(flagged, st.emergency_services);
    assert_true(st.emergency_services > 0);
    /* the duty contacts more of them on their day than the queue does */
    size_t same_on = cw_same_day(&c), same_off = cw_same_day(&c2);
    assert_true(st.duty_same_day > 0);
    assert_int_equal(st2.duty_same_day, 0);
    assert_true(same_on > same_off);
    free(c.v);
    free(c2.v);
    triage_sim_free(sim);
    triage_sim_free(sim2);
    triage_scenario_free(on);
    triage_scenario_free(off);
}

/* East Uusimaa and Pirkanmaa: a Swedish-speaking client is served in Swedish
 * when guidance has a Swedish speaker, otherwise through an interpreter; a
 * client of another language always needs one. Interpreter time is counted
 * and an interpreted contact takes more guidance time. */
static void test_language_and_interpreting(void **state)
{
    (void)state;
    const char *langs = "language.sv = 0\nlanguage.other = 0\n";
    char extra[512];
    snprintf(extra, sizeof extra,
             "[municipality]\ncode = 140\nweight = 2\nlanguage.sv = 1\n"
             "[interpreting]\ncontact_minutes = 20\nmeeting_minutes = 60\ncost = 3\n");
    triage_scenario_t *s = scenario(langs, extra);
    triage_sim_stats_t st;
    triage_sim_t *sim = run(s, 7, &st);
    /* every client of 140 speaks Swedish; nobody in guidance does */
    cases_t c = all_cases(sim);
    size_t sv = 0;
    for (size_t i = 0; i < c.n; i++) {
        triage_client_t cl;
        cl.version = TRIAGE_CLIENT_VERSION;
        assert_ok(triage_client_get(&cl, triage_sim_engine(sim), &c.v[i].client));
        assert_int_equal(cl.language, cl.municipality == 140 ? TRIAGE_LANG_SV : TRIAGE_LANG_FI);
        sv += cl.municipality == 140;
    }
    assert_true(sv > 0);
    assert_true(st.interpreted > 0 && st.interpreter_minutes > 0);
    assert_int_equal(st.interpreter_minutes % 20, 0); /* contacts 20 min, meetings 60 min */
    free(c.v);
    triage_sim_free(sim);
    /* a Swedish-speaking guide: no interpreting at guidance, and the
     * counsellors speak Swedish too: none at all */
    size_t idx;
    assert_ok(triage_scenario_add_worker(&idx, s, "sg-sv"));
    assert_ok(triage_scenario_set_worker(s, idx, "role", "service_guide"));
    assert_ok(triage_scenario_set_worker(s, idx, "languages", "fi, sv"));
    assert_ok(triage_scenario_set_worker(s, 0, "languages", "fi, sv"));
    assert_ok(triage_scenario_set_worker(s, 1, "languages", "fi, sv"));
    sim = run(s, 7, &st);
    assert_int_equal(st.interpreted, 0);
    assert_int_equal(st.interpreter_minutes, 0);
    triage_sim_free(sim);
    /* other languages: interpreted, and the cost slows guidance down */
    assert_ok(triage_scenario_set(s, "intake", "language.other", "0.5"));
    triage_sim_stats_t cheap, dear;
    assert_ok(triage_scenario_set(s, "interpreting", "cost", "1"));
    sim = run(s, 8, &cheap);
    triage_sim_free(sim);
    assert_ok(triage_scenario_set(s, "interpreting", "cost", "6"));
    sim = run(s, 8, &dear);
    triage_sim_free(sim);
    assert_true(cheap.interpreted > 0);
    assert_true(dear.open_by_stage[TRIAGE_STAGE_GUIDANCE] >
                cheap.open_by_stage[TRIAGE_STAGE_GUIDANCE]);
    triage_scenario_free(s);
}

/* Pirkanmaa: return visits and referral back to guidance, which the policy
 * causes (so not in the intake hash). */
static void test_pathway(void **state)
{
    (void)state;
    triage_scenario_t *s = scenario("", "");
    triage_sim_stats_t st0, st1;
    triage_sim_t *sim = run(s, 9, &st0);
    triage_sim_free(sim);
    assert_ok(triage_scenario_set(s, "pathway", "return_visit", "1"));
    sim = run(s, 9, &st1);
    assert_int_equal(st0.return_visits, 0);
    assert_true(st1.return_visits > 0);
    assert_int_equal(st1.intakes, st0.intakes + st1.return_visits);
    assert_true(st1.intake_hash == st0.intake_hash);
    triage_sim_free(sim);
    /* every assessment finds a guidance-only need and refers back */
    triage_scenario_t *b = scenario("", "[quadrants]\nq1 = 1\nq2 = 0\nq3 = 0\nq4 = 0\n"
                                        "[pathway]\nback_to_guidance = 1\n"
                                        "[durations]\nassessment_slots = 50\n");
    triage_sim_stats_t st;
    sim = run(b, 10, &st);
    assert_true(st.back_to_guidance > 0);
    assert_int_equal(moves(sim, TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_REFERRED),
                     st.back_to_guidance);
    assert_int_equal(moves(sim, TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_PLANNING, 0), 0);
    triage_sim_free(sim);
    triage_scenario_free(b);
    triage_scenario_free(s);
}

/* Lapland: the quadrant mix by municipality and period ([segment]), and the
 * social reports filed in the participating municipalities. */
static void test_segments_and_filings(void **state)
{
    (void)state;
    triage_scenario_t *s = scenario(
        "repeat_client = 0\n",
        "[durations]\nassessment_slots = 50\n"
        "[social_reporting]\nrate = 1\n"
        "[segment]\nmunicipality = 749\nq4 = 1\n"
        "[segment]\nmunicipality = 297\nfrom = 2025-03-24\nq1 = 1\n");
    /* 749 takes no part in social reporting */
    static const char *const k[] = {"code", "social_reporting"}, *const v[] = {"140", "no"};
    assert_ok(triage_scenario_add_section(s, "municipality", k, v, 2));
    assert_ok(triage_scenario_set(s, "intake", "contact", "4"));
    triage_sim_stats_t st;
    triage_sim_t *sim = run(s, 11, &st);
    cases_t c = all_cases(sim);
    size_t q4 = 0, q1 = 0, filed_munis = 0;
    for (size_t i = 0; i < c.n; i++) {
        const triage_case_t *x = &c.v[i];
        if (!(x->flags & TRIAGE_CASE_CLASSIFIED))
            continue;
        int32_t m = client_muni(sim, &x->client);
        if (m == 749) {
            assert_int_equal(x->classification.quadrant, TRIAGE_Q4_SPECIAL_SUPPORT);
            q4++;
        }
        if (m == 297 && x->received >= ymd(2025, 3, 24)) {
            assert_int_equal(x->classification.quadrant, TRIAGE_Q1_GUIDANCE_ONLY);
            q1++;
        }
        filed_munis += m != 140;
    }
    assert_true(q4 > 0 && q1 > 0);
    assert_int_equal(st.social_filings, filed_munis); /* rate 1: every classified case but 140's */
    free(c.v);
    triage_sim_free(sim);
    triage_scenario_free(s);
}

/* Lapland's phenomena: the area of the main need follows [needs]. */
static void test_need_areas(void **state)
{
    (void)state;
    triage_scenario_t *s = scenario("", "[needs]\nlivelihood = 0\nhealth = 0\nmental_health = 0\n"
                                        "substance_use = 0\nviolence = 0\nrelationships = 0\n"
                                        "activity = 0\nlife_skills = 0\ndependants = 0\n"
                                        "[durations]\nassessment_slots = 50\n");
    triage_sim_stats_t st;
    triage_sim_t *sim = run(s, 13, &st);
    cases_t c = all_cases(sim);
    size_t high = 0;
    for (size_t i = 0; i < c.n; i++) {
        const triage_case_t *x = &c.v[i];
        if (!(x->flags & TRIAGE_CASE_CLASSIFIED) || !x->classification.high_need)
            continue;
        high++;
        assert_true(x->classification.need_rationale >> TRIAGE_NEED_HOUSING & 1u);
    }
    assert_true(high > 10);
    free(c.v);
    triage_sim_free(sim);
    triage_scenario_free(s);
}

/* The new sections and keys write back and parse to the same text; the
 * section API refuses what a file line would, naming the key. */
static void test_sections_round_trip(void **state)
{
    (void)state;
    triage_scenario_t *s = scenario(
        "",
        "[phone_line]\ncalls_max = 3\ncap = 2\nweekdays = mon, fri\nhours = 08:30-09:15\n"
        "from = 2025-01-01\nuntil = none\n"
        "[guidance]\nteams = 0, 3\n"
        "[kela_point]\nweekdays = tue, thu\nkind = contact\nhours = 10:00-12:00\n"
        "[outreach]\ndate = 2025-04-01\nreach = 0.5\nmunicipality = 749\n"
        "[segment]\nfrom = 2025-01-01\nuntil = 2025-06-30\nq2 = 3\nq3 = 1\n"
        "[initial_assessment]\nadvice.q2 = 0.25\n"
        "[duty]\nchild_welfare = yes\nafter_hours = 0.2\n"
        "[interpreting]\ncost = 2.5\n[pathway]\nreturn_days = 3 9\n"
        "[social_reporting]\nperiod = month\n");
    char *a = NULL, *b = NULL;
    assert_ok(triage_scenario_write(&a, s));
    assert_non_null(strstr(a, "[kela_point]\nweekdays = tue, thu\nfrom = none\n"));
    assert_non_null(strstr(a, "hours = 08:30-09:15\n"));
    assert_non_null(strstr(a, "teams = 0, 3\n"));
    assert_non_null(strstr(a, "period = month\n"));
    triage_scenario_t *t = NULL;
    assert_ok(triage_scenario_parse(&t, a, "written", NULL));
    assert_ok(triage_scenario_write(&b, t));
    assert_string_equal(a, b);
    /* add_section: errors name the key, and change nothing */
    static const char *const k1[] = {"weekdays", "intakes"}, *const v1[] = {"wed", "-1"};
    assert_status(triage_scenario_add_section(s, "kela_point", k1, v1, 2), TRIAGE_EINVAL);
    assert_error_arg("intakes");
    static const char *const k2[] = {"intakes"}, *const v2[] = {"2"};
    assert_status(triage_scenario_add_section(s, "kela_point", k2, v2, 1), TRIAGE_EINVAL);
    assert_error_arg("weekdays");
    static const char *const k3[] = {"date", "date"}, *const v3[] = {"2025-01-02", "2025-01-03"};
    assert_status(triage_scenario_add_section(s, "outreach", k3, v3, 2), TRIAGE_EINVAL);
    assert_error_arg("date");
    static const char *const k4[] = {"bogus"}, *const v4[] = {"1"};
    assert_status(triage_scenario_add_section(s, "segment", k4, v4, 1), TRIAGE_EINVAL);
    assert_error_arg("bogus");
    assert_status(triage_scenario_add_section(s, "worker", k4, v4, 1), TRIAGE_EINVAL);
    assert_error_arg("section");
    static const char *const k5[] = {"code"}, *const v5[] = {"297"};
    assert_status(triage_scenario_add_section(s, "municipality", k5, v5, 1), TRIAGE_EEXISTS);
    char *c = NULL;
    assert_ok(triage_scenario_write(&c, s));
    assert_string_equal(a, c);
    triage_free(a);
    triage_free(b);
    triage_free(c);
    triage_scenario_free(s);
    triage_scenario_free(t);
}

/* Every new key refuses bad input naming its line and key. */
static void test_bad_input(void **state)
{
    (void)state;
    static const struct {
        const char *text, *arg;
    } rows[] = {
        {"[phone_line]\nhours = 9-10\n", "line 2: hours"},
        {"[phone_line]\nhours = 10:30-09:00\n", "line 2: hours"},
        {"[phone_line]\nhours = 09:60-10:00\n", "line 2: hours"},
        {"[phone_line]\ncap = -1\n", "line 2: cap"},
        {"[phone_line]\nweekdays = monday\n", "line 2: weekdays"},
        {"[phone_line]\nweekdays = mon, mon\n", "line 2: weekdays"},
        {"[phone_line]\nfrom = 2025-02-30\n", "line 2: from"},
        {"[phone_line]\nuntil = soon\n", "line 2: until"},
        {"[guidance]\nteams = a\n", "line 2: teams"},
        {"[guidance]\nteams = 1, 1\n", "line 2: teams"},
        {"[scenario]\nwarmup = x\n", "line 2: warmup"},
        {"[policy]\ninitial_assessment_filter = 0.108\n", "line 2: initial_assessment_filter"},
        {"[initial_assessment]\nadvice.q1 = 1.2\n", "line 2: advice.q1"},
        {"[initial_assessment]\nreferred.q4 = -0.1\n", "line 2: referred.q4"},
        {"[initial_assessment]\nadvice.q5 = 0\n", "line 2: advice.q5"},
        {"[duty]\nchild_welfare = often\n", "line 2: child_welfare"},
        {"[duty]\nafter_hours = 2\n", "line 2: after_hours"},
        {"[interpreting]\ncontact_minutes = -5\n", "line 2: contact_minutes"},
        {"[interpreting]\nmeeting_minutes = x\n", "line 2: meeting_minutes"},
        {"[interpreting]\ncost = 0.5\n", "line 2: cost"},
        {"[pathway]\nreturn_visit = 1.5\n", "line 2: return_visit"},
        {"[pathway]\nreturn_days = 9 3\n", "line 2: return_days"},
        {"[pathway]\nback_to_guidance = x\n", "line 2: back_to_guidance"},
        {"[pathway]\nback_days = 0 3\n", "line 2: back_days"},
        {"[social_reporting]\nrate = 2\n", "line 2: rate"},
        {"[social_reporting]\nperiod = week\n", "line 2: period"},
        {"[municipality]\ncode = 1\nlanguage.sv = 1.5\n", "line 3: language.sv"},
        {"[municipality]\ncode = 1\nlanguage.sv = 0.7\nlanguage.other = 0.5\n",
         "line 1: language.other"},
        {"[municipality]\ncode = 1\nsocial_reporting = maybe\n", "line 3: social_reporting"},
        {"[municipality]\nname = x\n", "line 1: code"},
        {"[kela_point]\nintakes = 2\n", "line 1: weekdays"},
        {"[kela_point]\nweekdays = wed\nintakes = -1\n", "line 3: intakes"},
        {"[kela_point]\nweekdays = wed\nkind = visit\n", "line 3: kind"},
        {"[kela_point]\nweekdays = wed\nfrom = 2025-05-01\nuntil = 2025-04-01\n", "line 1: until"},
        {"[kela_point]\nweekdays = wed\nweekdays = thu\n", "line 3: weekdays"},
        {"[kela_point]\nweekdays = wed\nwhere = here\n", "line 3: where"},
        {"[outreach]\nreach = 1\n", "line 1: date"},
        {"[outreach]\ndate = 2025-13-01\n", "line 2: date"},
        {"[outreach]\ndate = 2025-03-01\nstaff_days = -1\n", "line 3: staff_days"},
        {"[outreach]\ndate = 2025-03-01\nroles = kela_advisor\n", "line 3: roles"},
        {"[segment]\nq1 = 0\n", "line 1: q1"},
        {"[needs]\nhousing = -1\n", "line 2: housing"},
        {"[needs]\nmoney = 1\n", "line 2: money"},
        {"[intake]\nservice = children\n", "line 2: service"},
        {"[segment]\nq2 = x\n", "line 2: q2"},
        {"[segment]\nq2 = 1\nmunicipality = 99999\n", "line 3: municipality"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        sim_expect_parse_error(rows[i].text, rows[i].arg, i);
    /* every key of the new single sections refuses a value out of range */
    static const char *const singles[][3] = {
        {"needs", "livelihood", "-1"},       {"needs", "housing", "x"},
        {"needs", "health", "-2"},           {"needs", "mental_health", "-1"},
        {"needs", "substance_use", "nan"},   {"needs", "violence", "-1"},
        {"needs", "relationships", "-1"},    {"needs", "activity", "-1"},
        {"needs", "life_skills", "-1"},      {"needs", "dependants", "-1"},
        {"initial_assessment", "advice.q2", "2"}, {"initial_assessment", "advice.q3", "-1"},
        {"initial_assessment", "advice.q4", "x"}, {"initial_assessment", "referred.q1", "1.5"},
        {"initial_assessment", "referred.q2", "-1"}, {"initial_assessment", "referred.q3", "x"},
    };
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++) {
        char text[256], want[64];
        snprintf(text, sizeof text, "[%s]\n%s = %s\n", singles[i][0], singles[i][1], singles[i][2]);
        snprintf(want, sizeof want, "line 2: %s", singles[i][1]);
        triage_scenario_t *s = NULL;
        assert_status(triage_scenario_parse(&s, text, "t.scn", NULL), TRIAGE_EINVAL);
        assert_string_equal(triage_error_last()->argument, want);
        triage_scenario_t *ok = NULL;
        assert_ok(triage_scenario_new(&ok, NULL));
        assert_status(triage_scenario_set(ok, singles[i][0], singles[i][1], singles[i][2]),
                      TRIAGE_EINVAL); /* the setter refuses it too */
        triage_scenario_free(ok);
    }
    /* every key of the new repeated sections, after its required keys */
    static const char *const repeated[][4] = {
        {"kela_point", "weekdays = wed\n", "hours", "15:00-09:00"},
        {"kela_point", "weekdays = wed\n", "from", "2025-02-29"},
        {"kela_point", "weekdays = wed\n", "until", "yesterday"},
        {"kela_point", "weekdays = wed\n", "municipality", "-4"},
        {"outreach", "date = 2025-03-05\n", "hours", "14:00"},
        {"outreach", "date = 2025-03-05\n", "reach", "-1"},
        {"outreach", "date = 2025-03-05\n", "municipality", "x"},
        {"segment", "q1 = 1\n", "from", "2025-1-1"},
        {"segment", "q1 = 1\n", "until", "x"},
        {"segment", "q1 = 1\n", "q3", "-1"},
        {"segment", "q1 = 1\n", "q4", "x"},
        {"municipality", "code = 5\n", "language.other", "2"},
        {"municipality", "code = 5\n", "weight", "-1"},
    };
    for (size_t i = 0; i < sizeof repeated / sizeof repeated[0]; i++) {
        char text[256], want[64];
        snprintf(text, sizeof text, "[%s]\n%s%s = %s\n", repeated[i][0], repeated[i][1],
                 repeated[i][2], repeated[i][3]);
        snprintf(want, sizeof want, "line 3: %s", repeated[i][2]);
        triage_scenario_t *s = NULL;
        assert_status(triage_scenario_parse(&s, text, "t.scn", NULL), TRIAGE_EINVAL);
        if (strcmp(triage_error_last()->argument, want))
            fail_msg("repeated %zu: argument '%s', expected '%s'", i,
                     triage_error_last()->argument, want);
    }
    /* whole-scenario checks name the section's line or the key */
    static const struct {
        const char *intake, *extra, *arg;
    } whole[] = {
        {"", "[kela_point]\nweekdays = wed\nmunicipality = 5\n", "line 19: municipality"},
        {"channel.kela = 3\n", "[kela_point]\nweekdays = wed\n", "line 19: kela_point"},
        {"", "[outreach]\ndate = 2025-03-05\nmunicipality = 5\n", "line 19: municipality"},
        {"", "[segment]\nmunicipality = 5\nq1 = 1\n", "line 19: municipality"},
        {"", "[guidance]\nteams = 7\n", "guidance.teams"},
        {"", "[needs]\nlivelihood = 0\nhousing = 0\nhealth = 0\nmental_health = 0\n"
             "substance_use = 0\nviolence = 0\nrelationships = 0\nactivity = 0\n"
             "life_skills = 0\ndependants = 0\n", "needs"},
        {"", "[phone_line]\ncalls_max = 2\nweekdays = sat\nfrom = 2025-05-01\nuntil = 2025-04-01\n",
         "phone_line.until"},
        {"", "[initial_assessment]\nadvice.q3 = 0.8\nreferred.q3 = 0.5\n",
         "initial_assessment.referred.q3"},
    };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        char text[4096];
        /* the extra starts on line 19, or 20 when the intake has an extra line */
        snprintf(text, sizeof text,
                 "[scenario]\nstart = 2025-03-03\ndays = 60\n"
                 "[intake]\ncontact = 3\nnotification = 1.5\n%s"
                 "[sick_leave]\nrate = 0\n"
                 "[municipality]\ncode = 297\n[municipality]\ncode = 749\n"
                 "[worker]\nname = sw\nrole = social_worker\n"
                 "[worker]\nname = sg\nrole = service_guide\n%s",
                 whole[i].intake, whole[i].extra);
        triage_scenario_t *s = NULL;
        triage_status_t rc = triage_scenario_parse(&s, text, "t.scn", NULL);
        if (rc != TRIAGE_EINVAL)
            fail_msg("whole %zu: status %d", i, (int)rc);
        const char *want = whole[i].arg;
        char shifted[64];
        if (whole[i].intake[0] && !strncmp(want, "line ", 5)) {
            snprintf(shifted, sizeof shifted, "line %d%s", atoi(want + 5) + 1,
                     strchr(want + 5, ':'));
            want = shifted;
        }
        if (strcmp(triage_error_last()->argument, want))
            fail_msg("whole %zu: argument '%s', expected '%s' (%s)", i,
                     triage_error_last()->argument, want, triage_error_last()->message);
    }
}

/* Lapland: the social report's figures agree with the engine's records; the
 * change against the previous period is count - previous; CSV and JSON carry
 * every figure; bad input names the argument. */
static void test_social_report(void **state)
{
    (void)state;
    triage_scenario_t *s = scenario("", "[social_reporting]\nrate = 0.3\nperiod = month\n"
                                        "[durations]\nassessment_slots = 50\n");
    triage_sim_stats_t st;
    triage_sim_t *sim = run(s, 12, &st);
    triage_social_t *r = NULL;
    assert_ok(triage_sim_social(&r, sim, 0));
    uint32_t np, nm;
    assert_ok(triage_social_period_count(&np, r));
    assert_int_equal(np, 3); /* 3.3.-31.3., April, 1.5. */
    assert_ok(triage_social_municipality_count(&nm, r));
    assert_int_equal(nm, 2);
    int32_t code;
    assert_ok(triage_social_municipality(&code, r, 1));
    assert_int_equal(code, 749);
    /* recount from the engine: classified cases per period and municipality */
    size_t nev = 0;
    triage_event_t *ev = all_events(sim, &nev);
    uint32_t total_reports = 0;
    for (uint32_t p = 0; p < np; p++) {
        int64_t from, to;
        assert_ok(triage_social_period(&from, &to, NULL, NULL, r, p));
        uint32_t want[3] = {0, 0, 0}, need_housing = 0;
        triage_id_t last = {{0}};
        for (size_t i = 0; i < nev; i++) {
            if (ev[i].kind != TRIAGE_EVENT_CLASSIFIED || ev[i].at_ms < from || ev[i].at_ms >= to)
                continue;
            if (!triage_id_compare(&last, &ev[i].case_id))
                continue; /* the simulator classifies each case once */
            last = ev[i].case_id;
            triage_case_t c;
            c.version = TRIAGE_CASE_VERSION;
            assert_ok(triage_case_get(&c, triage_sim_engine(sim), &ev[i].case_id));
            int32_t m = client_muni(sim, &c.client);
            want[0]++;
            want[m == 297 ? 1 : 2]++;
            need_housing += (c.classification.need_rationale >> TRIAGE_NEED_HOUSING) & 1u;
        }
        triage_social_value_t v, prev;
        assert_ok(triage_social_value(&v, r, p, TRIAGE_SOCIAL_ALL, TRIAGE_SOCIAL_CASES, 0));
        assert_int_equal(v.count, want[0]);
        assert_ok(triage_social_value(&v, r, p, 297, TRIAGE_SOCIAL_CASES, 0));
        assert_int_equal(v.count, want[1]);
        assert_ok(triage_social_value(&v, r, p, 749, TRIAGE_SOCIAL_CASES, 0));
        assert_int_equal(v.count, want[2]);
        assert_ok(triage_social_value(&v, r, p, TRIAGE_SOCIAL_ALL, TRIAGE_SOCIAL_NEED,
                                      TRIAGE_NEED_HOUSING));
        assert_int_equal(v.count, need_housing);
        uint32_t quads = 0;
        for (int q = 1; q <= 4; q++) {
            assert_ok(triage_social_value(&v, r, p, TRIAGE_SOCIAL_ALL, TRIAGE_SOCIAL_QUADRANT, q));
            quads += v.count;
        }
        assert_int_equal(quads, want[0]);
        assert_ok(triage_social_value(&v, r, p, TRIAGE_SOCIAL_ALL, TRIAGE_SOCIAL_REPORTS, 0));
        total_reports += v.count;
        if (p) {
            assert_ok(triage_social_value(&prev, r, p - 1, TRIAGE_SOCIAL_ALL,
                                          TRIAGE_SOCIAL_REPORTS, 0));
            assert_true(v.has_previous);
            assert_int_equal(v.previous, prev.count);
            assert_int_equal(v.change, (int32_t)v.count - (int32_t)prev.count);
        } else {
            assert_false(v.has_previous);
            assert_true(isnan(v.change_pct));
        }
    }
    free(ev);
    assert_int_equal(total_reports, st.social_filings);
    assert_true(st.social_filings > 0);
    /* the outputs */
    char *csv = NULL, *json = NULL;
    assert_ok(triage_social_write_csv(&csv, r));
    assert_ok(triage_social_write_json(&json, r));
    size_t lines = 0;
    for (const char *c = csv; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 1 + np * (nm + 1) * 43);
    static const char head[] = "period_start,period_end,municipality,indicator,area,count,"
                               "previous,change,change_pct\n2025-03-03,2025-03-31,all,cases,,";
    assert_true(strncmp(csv, head, sizeof head - 1) == 0);
    assert_non_null(strstr(csv, "\n2025-04-01,2025-04-30,749,need,housing,"));
    assert_non_null(strstr(json, "\"municipality\": 297, \"name\": null"));
    assert_non_null(strstr(json, "\"reported_barriers\": {\"cognitive\": {\"count\": "));
    assert_ok(triage_social_set_name(r, 297, "Kuopio \xc3\xa4"));
    triage_free(json);
    assert_ok(triage_social_write_json(&json, r));
    assert_non_null(strstr(json, "\"name\": \"Kuopio \\u00e4\""));
    triage_free(csv);
    triage_free(json);
    /* bad input */
    triage_social_value_t v;
    assert_status(triage_social_value(&v, r, 0, 5, TRIAGE_SOCIAL_CASES, 0), TRIAGE_ENOTFOUND);
    assert_status(triage_social_value(&v, r, 9, TRIAGE_SOCIAL_ALL, TRIAGE_SOCIAL_CASES, 0),
                  TRIAGE_ERANGE);
    assert_status(triage_social_value(&v, r, 0, TRIAGE_SOCIAL_ALL, TRIAGE_SOCIAL_NEED, 10),
                  TRIAGE_EINVAL);
    assert_error_arg("index");
    assert_status(triage_social_value(&v, r, 0, TRIAGE_SOCIAL_ALL, (triage_social_indicator_t)9, 0),
                  TRIAGE_EINVAL);
    assert_error_arg("indicator");
    assert_status(triage_social_set_name(r, 297, "a\nb"), TRIAGE_EINVAL);
    triage_social_free(r);
    assert_status(triage_sim_social(&r, sim, 2), TRIAGE_EINVAL);
    assert_error_arg("months");
    int64_t b[2] = {100, 100};
    assert_status(triage_social_new(&r, triage_sim_engine(sim), b, 2, NULL, 0), TRIAGE_EINVAL);
    assert_error_arg("bounds");
    assert_status(triage_social_new(&r, triage_sim_engine(sim), b, 1, NULL, 0), TRIAGE_EINVAL);
    b[1] = 200;
    triage_social_filing_t bad = {150, 297, 1u << 12, 0};
    assert_status(triage_social_new(&r, triage_sim_engine(sim), b, 2, &bad, 1), TRIAGE_EINVAL);
    assert_error_arg("filings");
    triage_sim_free(sim);
    triage_scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kela_point),
        cmocka_unit_test(test_phone_line),
        cmocka_unit_test(test_outreach_days),
        cmocka_unit_test(test_initial_assessment),
        cmocka_unit_test(test_child_welfare_duty),
        cmocka_unit_test(test_language_and_interpreting),
        cmocka_unit_test(test_pathway),
        cmocka_unit_test(test_segments_and_filings),
        cmocka_unit_test(test_need_areas),
        cmocka_unit_test(test_sections_round_trip),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_social_report),
    };
    return cmocka_run_group_tests_name("sim_models", tests, NULL, NULL);
}
