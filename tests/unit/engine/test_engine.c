/*
 * The client-process engine (docs/domain.md §2-§4, §6): records, intake, the whole
 * transition matrix, the rules behind each transition, classification on a
 * case, the audit trail, and allocation failure at every call site.
 */
#include <stdio.h>

#include "testutil.h"

#define DAY_MS INT64_C(86400000)
#define HOUR_MS INT64_C(3600000)

/* 2026-11-23 (Monday) 10:00 Finnish time = 08:00 UTC. */
static const int64_t T0 = INT64_C(20780) * DAY_MS + 8 * HOUR_MS;

typedef struct {
    triage_engine_t *e;
    triage_id_t sw, sw2, sc, sc2, sg;
    failing_alloc fa;
} fixture;

static triage_id_t add_worker(triage_engine_t *e, triage_role_t role)
{
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = role;
    w.office = 297;
    triage_id_t id;
    assert_ok(triage_worker_create(&id, e, &w));
    return id;
}

static triage_id_t add_client(triage_engine_t *e)
{
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_date_from_ymd(&c.date_of_birth, 1980, 5, 17);
    c.municipality = 297;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    return id;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.allocator = fa_allocator(&f->fa);
    if (triage_engine_new(&f->e, &o))
        return -1;
    f->sw = add_worker(f->e, TRIAGE_ROLE_SOCIAL_WORKER);
    f->sw2 = add_worker(f->e, TRIAGE_ROLE_SOCIAL_WORKER);
    f->sc = add_worker(f->e, TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    f->sc2 = add_worker(f->e, TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    f->sg = add_worker(f->e, TRIAGE_ROLE_SERVICE_GUIDE);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    triage_engine_free(f->e);
    assert_int_equal(f->fa.live, 0); /* everything released */
    free(f);
    return 0;
}

static triage_id_t intake(fixture *f, const triage_id_t *client, triage_intake_kind_t kind,
                          uint32_t triggers, int64_t at, triage_intake_result_t *res)
{
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = *client;
    in.kind = kind;
    in.triggers = triggers;
    in.received_ms = at;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, f->e, &in));
    if (res)
        *res = r;
    return r.case_id;
}

static triage_status_t move(fixture *f, const triage_id_t *c, triage_stage_t to,
                            triage_closing_reason_t reason, int64_t at)
{
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = to;
    m.reason = reason;
    m.at_ms = at;
    m.actor = f->sc;
    return triage_case_move(f->e, c, &m);
}

static triage_case_t get_case(fixture *f, const triage_id_t *id)
{
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&c, f->e, id));
    return c;
}

static size_t event_count(fixture *f)
{
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, f->e, NULL, INT64_MIN, INT64_MAX));
    triage_free(evs);
    return n;
}

static triage_event_t last_event(fixture *f, const triage_id_t *c)
{
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, f->e, c, INT64_MIN, INT64_MAX));
    assert_true(n > 0);
    triage_event_t ev = evs[n - 1];
    triage_free(evs);
    return ev;
}

static triage_scores_t scores_q(int quadrant)
{
    triage_scores_t s;
    memset(&s, 0, sizeof s);
    if (quadrant == 2 || quadrant == 4)
        s.need[TRIAGE_NEED_HOUSING] = 3;
    if (quadrant == 3 || quadrant == 4)
        s.capacity[TRIAGE_CAPACITY_PSYCHIATRIC] = 2;
    return s;
}

/* ---- records ------------------------------------------------------------- */

static void test_options_validation(void **state)
{
    (void)state;
    triage_engine_t *e = NULL;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.version = 0;
    assert_status(triage_engine_new(&e, &o), TRIAGE_EVERSION);
    o.version = TRIAGE_ENGINE_OPTIONS_VERSION + 1;
    assert_status(triage_engine_new(&e, &o), TRIAGE_EVERSION);
    triage_engine_options_t bad = TRIAGE_ENGINE_OPTIONS_INIT;
    bad.unreachable_attempts = 0;
    assert_status(triage_engine_new(&e, &bad), TRIAGE_EINVAL);
    assert_error_arg("options.unreachable_attempts");
    bad = (triage_engine_options_t)TRIAGE_ENGINE_OPTIONS_INIT;
    bad.office_close_min = bad.office_open_min;
    assert_status(triage_engine_new(&e, &bad), TRIAGE_EINVAL);
    assert_error_arg("options.office_close_min");
    bad = (triage_engine_options_t)TRIAGE_ENGINE_OPTIONS_INIT;
    failing_alloc fa = {0};
    bad.allocator = fa_allocator(&fa);
    bad.allocator.free = NULL;
    assert_status(triage_engine_new(&e, &bad), TRIAGE_EINVAL);
    assert_null(e);
    assert_status(triage_engine_new(NULL, NULL), TRIAGE_EINVAL);
    assert_ok(triage_engine_options_init(&o, TRIAGE_ENGINE_OPTIONS_VERSION));
    assert_int_equal(o.unreachable_attempts, 3);
    assert_status(triage_engine_options_init(&o, 99), TRIAGE_EVERSION);
    /* Defaults work, and two engines are independent. */
    triage_engine_t *a, *b;
    assert_ok(triage_engine_new(&a, NULL));
    assert_ok(triage_engine_new(&b, NULL));
    triage_id_t id = add_client(a);
    triage_client_t c;
    c.version = TRIAGE_CLIENT_VERSION;
    assert_status(triage_client_get(&c, b, &id), TRIAGE_ENOTFOUND);
    triage_engine_free(a);
    triage_engine_free(b);
    triage_engine_free(NULL);
}

/* No test depends on today's date (statutory round two, item 10): an engine
 * given no clock reads the real-time clock, which every test executable sees
 * fixed at 2026-01-05 08:00 UTC (fixed_clock.c). */
static void test_default_clock_is_fixed_in_tests(void **state)
{
    (void)state;
    triage_engine_t *e;
    assert_ok(triage_engine_new(&e, NULL));
    triage_id_t id = add_client(e);
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    assert_int_equal(n, 1);
    assert_true(evs && !memcmp(&evs[0].subject, &id, sizeof id));
    assert_true(evs && evs[0].at_ms == INT64_C(1767600000000));
    triage_free(evs);
    triage_engine_free(e);
}

static void test_engine_new_allocation_failures(void **state)
{
    (void)state;
    for (long n = 1;; n++) {
        failing_alloc fa = {.fail_at = n};
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.allocator = fa_allocator(&fa);
        triage_engine_t *e = NULL;
        triage_status_t rc = triage_engine_new(&e, &o);
        if (rc == TRIAGE_OK) {
            triage_engine_free(e);
            assert_int_equal(fa.live, 0);
            break;
        }
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_null(e);
        assert_int_equal(fa.live, 0);
    }
}

static void test_client_crud(void **state)
{
    fixture *f = *state;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    c.language = TRIAGE_LANG_SV;
    c.municipality = 420;
    triage_id_t id;
    assert_ok(triage_client_create(&id, f->e, &c));
    assert_false(triage_id_is_nil(&id));
    triage_client_t got;
    got.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&got, f->e, &id));
    assert_int_equal(got.language, TRIAGE_LANG_SV);
    assert_int_equal(got.municipality, 420);
    assert_true(triage_id_is_nil(&got.responsible_worker));
    got.municipality = 297;
    got.notifications = 99; /* read-only: ignored */
    assert_ok(triage_client_update(f->e, &got));
    assert_ok(triage_client_get(&got, f->e, &id));
    assert_int_equal(got.municipality, 297);
    assert_int_equal(got.notifications, 0);

    /* Bad values name the field and change nothing. */
    triage_client_t bad = got;
    bad.language = 7;
    assert_status(triage_client_update(f->e, &bad), TRIAGE_EINVAL);
    assert_error_arg("language");
    bad = got;
    bad.municipality = -4;
    assert_status(triage_client_create(&id, f->e, &bad), TRIAGE_EINVAL);
    assert_error_arg("municipality");
    bad = got;
    bad.version = 2;
    assert_status(triage_client_create(&id, f->e, &bad), TRIAGE_EVERSION);
    bad = got;
    bad.id.bytes[0] ^= 0xff;
    assert_status(triage_client_update(f->e, &bad), TRIAGE_ENOTFOUND);
    assert_status(triage_client_get(&got, f->e, NULL), TRIAGE_EINVAL);
    assert_status(triage_client_create(NULL, f->e, &c), TRIAGE_EINVAL);

    triage_id_t *ids;
    size_t n;
    assert_ok(triage_client_list(&ids, &n, f->e));
    assert_int_equal(n, 1);
    assert_int_equal(triage_id_compare(&ids[0], &got.id), 0);
    triage_free(ids);
}

static void test_worker_validation(void **state)
{
    fixture *f = *state;
    static const struct {
        double fte;
        uint32_t langs;
        int role;
        int32_t team;
        const char *field;
    } rows[] = {
        /* docs/domain.md §2: 0 < fte <= 1 */
        {0.0, 1, 2, 0, "fte"},
        {-0.5, 1, 2, 0, "fte"},
        {1.01, 1, 2, 0, "fte"},
        {0.0 / 0.0, 1, 2, 0, "fte"},
        {1.0, 0, 2, 0, "languages"},
        {1.0, 0x10, 2, 0, "languages"},
        {1.0, 1, 0, 0, "role"},
        {1.0, 1, 4, 0, "role"},
        {1.0, 1, 2, -1, "team"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        triage_worker_t w = TRIAGE_WORKER_INIT;
        w.fte = rows[i].fte;
        w.languages = rows[i].langs;
        w.role = rows[i].role;
        w.team = rows[i].team;
        triage_id_t id;
        assert_status(triage_worker_create(&id, f->e, &w), TRIAGE_EINVAL);
        assert_error_arg(rows[i].field);
    }
    triage_worker_t w = TRIAGE_WORKER_INIT;
    int32_t served[40];
    w.fte = 0.5;
    w.served = served;
    w.served_count = 2;
    served[0] = 297;
    served[1] = 297; /* twice */
    triage_id_t id;
    assert_status(triage_worker_create(&id, f->e, &w), TRIAGE_EINVAL);
    assert_error_arg("served");
    served[1] = -3;
    assert_status(triage_worker_create(&id, f->e, &w), TRIAGE_EINVAL);
    served[1] = 10000;
    assert_status(triage_worker_create(&id, f->e, &w), TRIAGE_EINVAL);
    w.served_count = 10001;
    assert_status(triage_worker_create(&id, f->e, &w), TRIAGE_EINVAL);
    assert_error_arg("served_count");
    w.served = NULL;
    w.served_count = 1;
    assert_status(triage_worker_create(&id, f->e, &w), TRIAGE_EINVAL);
    assert_error_arg("served");
    /* Any number of municipalities: a wellbeing services county may have
     * more than 30 (round two of the statutory corrections). */
    w.served = served;
    w.served_count = 40;
    for (int32_t i = 0; i < 40; i++)
        served[i] = 100 + i * 7;
    assert_ok(triage_worker_create(&id, f->e, &w));
    triage_worker_t got;
    got.version = TRIAGE_WORKER_VERSION;
    assert_ok(triage_worker_get(&got, f->e, &id));
    assert_true(got.fte == 0.5);
    assert_int_equal(got.served_count, 40);
    assert_int_equal(got.served[39], 100 + 39 * 7);
    served[39] = 1; /* the engine keeps its own copy */
    assert_ok(triage_worker_get(&got, f->e, &id));
    assert_int_equal(got.served[39], 100 + 39 * 7);
    got.fte = 2.0;
    assert_status(triage_worker_update(f->e, &got), TRIAGE_EINVAL);
    assert_ok(triage_worker_get(&got, f->e, &id));
    assert_true(got.fte == 0.5);
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_worker_list(&ids, &n, f->e));
    assert_int_equal(n, 6);
    triage_free(ids);
}

/* ---- intake -------------------------------------------------------------- */

static void test_intake_opens_received_case(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    triage_id_t id = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION,
                            TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_EVICTION_OR_CUTOFF), T0, &r);
    assert_int_equal(r.attached, 0);
    assert_int_equal(r.urgency.tier, TRIAGE_URGENCY_URGENT);
    triage_case_t c = get_case(f, &id);
    assert_int_equal(c.stage, TRIAGE_STAGE_RECEIVED);
    assert_int_equal(c.urgency, TRIAGE_URGENCY_URGENT);
    assert_int_equal(c.received, 20780);
    assert_true(c.deadline_count >= 3); /* D1, D8, response */
    triage_case_deadline_t dl[64];
    uint32_t nd;
    assert_ok(test_case_deadlines(dl, &nd, NULL, f->e, &id, 20780, 0));
    assert_int_equal(nd, c.deadline_count);
    int have_d1 = 0, have_d8 = 0;
    for (uint32_t i = 0; i < nd; i++) {
        have_d1 |= dl[i].deadline.row == TRIAGE_DEADLINE_D1 && dl[i].deadline.due == 20780;
        /* D8: 15th business day after Mon 2026-11-23 (6 Dec is a Sunday) = 2026-12-14 */
        have_d8 |= dl[i].deadline.row == TRIAGE_DEADLINE_D8 && dl[i].deadline.due == 20801;
    }
    assert_true(have_d1);
    assert_true(have_d8);
    triage_event_t ev = last_event(f, &id);
    assert_int_equal(ev.kind, TRIAGE_EVENT_URGENCY_ASSESSED);
    assert_int_equal(ev.to, TRIAGE_URGENCY_URGENT);
    assert_string_equal(ev.policy_id, "fi-default");
    assert_int_equal(ev.policy_version, 1);
    triage_client_t client;
    client.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&client, f->e, &cl));
    assert_int_equal(client.notifications, 1);
}

static void test_intake_bad_input(void **state)
{
    fixture *f = *state;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_date_from_ymd(&c.date_of_birth, 2027, 1, 1); /* after the intake */
    triage_id_t cl;
    assert_ok(triage_client_create(&cl, f->e, &c));
    size_t before = event_count(f);
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = cl;
    in.received_ms = T0;
    triage_intake_result_t r;
    memset(&r, 0x5a, sizeof r);
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_status(triage_intake(&r, f->e, &in), TRIAGE_EINVAL);
    assert_error_arg("date_of_birth");
    static const struct { int field; int value; const char *name; } bad[] = {
        {0, 0, "kind"}, {0, 7, "kind"}, {1, 0, "channel"}, {1, 9, "channel"},
        {2, 0, "service"}, {3, 1 << 12, "triggers"}, {4, 2, "own_contact"},
        {5, -1, "child_special_support"},
    };
    triage_id_t ok_client = add_client(f->e);
    before = event_count(f);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        triage_intake_t x = TRIAGE_INTAKE_INIT;
        x.client = ok_client;
        x.received_ms = T0;
        switch (bad[i].field) {
        case 0: x.kind = bad[i].value; break;
        case 1: x.channel = bad[i].value; break;
        case 2: x.service = bad[i].value; break;
        case 3: x.triggers = (uint32_t)bad[i].value; break;
        case 4: x.own_contact = bad[i].value; break;
        default: x.child_special_support = bad[i].value; break;
        }
        assert_status(triage_intake(&r, f->e, &x), TRIAGE_EINVAL);
        assert_error_arg(bad[i].name);
    }
    /* A child-welfare notification at an adult-only service. */
    triage_intake_t x = TRIAGE_INTAKE_INIT;
    x.client = ok_client;
    x.received_ms = T0;
    x.kind = TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
    assert_status(triage_intake(&r, f->e, &x), TRIAGE_EINVAL);
    assert_error_arg("kind");
    x.kind = TRIAGE_INTAKE_CONTACT;
    x.client.bytes[3] ^= 1;
    assert_status(triage_intake(&r, f->e, &x), TRIAGE_ENOTFOUND);
    x.client = ok_client;
    x.version = 0;
    assert_status(triage_intake(&r, f->e, &x), TRIAGE_EVERSION);
    x.version = TRIAGE_INTAKE_VERSION;
    x.received_ms = INT64_MAX;
    assert_status(triage_intake(&r, f->e, &x), TRIAGE_ERANGE);
    assert_status(triage_intake(NULL, f->e, &x), TRIAGE_EINVAL);
    assert_int_equal(event_count(f), before);
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_case_list(&ids, &n, f->e, NULL));
    assert_int_equal(n, 0);
}

static void test_emergency_services_out_of_hours(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    uint32_t imm = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_SHELTER_TONIGHT);
    static const struct { int64_t at; int flagged; } rows[] = {
        {T0, 0},                         /* Monday 10:00 */
        {T0 + 12 * HOUR_MS, 1},          /* Monday 22:00 */
        {T0 - 3 * HOUR_MS, 1},           /* Monday 07:00 */
        {T0 + 5 * DAY_MS, 1},            /* Saturday 10:00 */
        {T0 + 6 * HOUR_MS - 60000, 0},   /* Monday 15:59 */
        {T0 + 6 * HOUR_MS, 1},           /* Monday 16:00 */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        triage_id_t other = add_client(f->e);
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        triage_id_t id = intake(f, &other, TRIAGE_INTAKE_CONTACT, imm, rows[i].at, &r);
        assert_int_equal(r.emergency_services, rows[i].flagged);
        triage_case_t c = get_case(f, &id);
        assert_int_equal((c.flags & TRIAGE_CASE_EMERGENCY_SERVICES) != 0, rows[i].flagged);
    }
    (void)cl;
}

static void test_local_time(void **state)
{
    (void)state;
    triage_date_t d;
    int32_t min;
    /* Winter: UTC+2. */
    assert_ok(triage_local_time(&d, &min, T0));
    assert_int_equal(d, 20780);
    assert_int_equal(min, 600);
    /* 2026-03-29 00:59 UTC is 02:59 EET; 01:00 UTC is 04:00 EEST. */
    int64_t dst = INT64_C(20541) * DAY_MS + HOUR_MS;
    assert_ok(triage_local_time(&d, &min, dst - 60000));
    assert_int_equal(min, 179);
    assert_ok(triage_local_time(&d, &min, dst));
    assert_int_equal(min, 240);
    /* 22:30 UTC in summer is the next local day. */
    assert_ok(triage_local_time(&d, &min, INT64_C(20600) * DAY_MS + 22 * HOUR_MS + 30 * 60000));
    assert_int_equal(d, 20601);
    assert_int_equal(min, 90);
    assert_status(triage_local_time(&d, &min, INT64_MIN), TRIAGE_ERANGE);
    assert_ok(triage_local_time(NULL, NULL, T0));
}

static void test_repeat_notification_flag(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    /* docs/domain.md §3: >= 3 notifications within 365 days, never reached. Each
     * earlier case is closed so the client has no active case. */
    for (int i = 0; i < 3; i++) {
        triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION, 0, T0 + i * 30 * DAY_MS, &r);
        assert_int_equal(r.repeat_flagged, i == 2);
        assert_ok(move(f, &c, TRIAGE_STAGE_GUIDANCE, 0, T0 + i * 30 * DAY_MS + HOUR_MS));
        assert_ok(triage_case_contact_attempt(f->e, &c, &f->sg, T0 + i * 30 * DAY_MS + 2 * HOUR_MS, 0));
        assert_ok(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, T0 + i * 30 * DAY_MS + 3 * HOUR_MS));
    }
    triage_client_t client;
    client.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&client, f->e, &cl));
    assert_true(client.flags & TRIAGE_CLIENT_REPEAT_NOTIFIED);
    assert_int_equal(client.failed_contacts, 3);
    /* The flag raises the repeat_notifications barrier when classifying:
     * need high (housing 3) + barrier sum 2 (flag) + 2 (missed) -> weak. */
    triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION,
                           TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_SHELTER_TONIGHT), T0 + 100 * DAY_MS, &r);
    assert_int_equal(r.repeat_flagged, 0); /* already flagged */
    assert_ok(move(f, &c, TRIAGE_STAGE_DISTRIBUTION, 0, T0 + 100 * DAY_MS));
    triage_scores_t s = scores_q(2);
    s.capacity[TRIAGE_CAPACITY_MISSED_APPOINTMENTS] = 2;
    triage_classification_t k;
    assert_ok(triage_case_classify(&k, NULL, f->e, &c, &f->sw, T0 + 100 * DAY_MS, &s));
    assert_int_equal(k.quadrant, TRIAGE_Q4_SPECIAL_SUPPORT);
    /* Four notifications that far apart (> 365 days) do not flag. */
    triage_id_t cl2 = add_client(f->e);
    for (int i = 0; i < 4; i++) {
        triage_id_t x = intake(f, &cl2, TRIAGE_INTAKE_NOTIFICATION, 0, T0 + i * 200 * DAY_MS, &r);
        assert_int_equal(r.repeat_flagged, 0);
        assert_ok(move(f, &x, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, T0 + i * 200 * DAY_MS));
    }
}

/* A case with a responsible worker, so the client's next intake attaches. */
static triage_id_t active_case(fixture *f, const triage_id_t *cl, int64_t at)
{
    triage_id_t c = intake(f, cl, TRIAGE_INTAKE_CONTACT, 0, at, NULL);
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, at + HOUR_MS, TRIAGE_SLOT_RESPONSIBLE,
                                     &f->sc));
    return c;
}

/* The row `row` of one intake; an all-zero row (row 0) when there is none. */
static const triage_case_deadline_t *row_of(const triage_case_deadline_t *dl, uint32_t n,
                                            const triage_id_t *intake_id,
                                            triage_deadline_row_t row)
{
    static const triage_case_deadline_t none;
    for (uint32_t i = 0; i < n; i++)
        if (dl[i].deadline.row == row && !memcmp(&dl[i].intake, intake_id, sizeof *intake_id))
            return &dl[i];
    return &none;
}

static int has_row(const triage_case_deadline_t *dl, uint32_t n, const triage_id_t *intake_id,
                   triage_deadline_row_t row)
{
    return row_of(dl, n, intake_id, row)->deadline.row == row;
}

/* docs/domain.md §3, SHL 29 §: an IMMEDIATE intake out of office hours goes
 * to emergency social services also when it is attached to an active case
 * (statutory round two, item 1). */
static void test_shl29_emergency_flag_on_attached_intake(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_id_t c = active_case(f, &cl, T0);
    triage_intake_result_t r;
    /* Saturday 2026-11-28 at 23:00 local (21:00 UTC). */
    triage_id_t got = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION,
                             TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT),
                             T0 + 5 * DAY_MS + 13 * HOUR_MS, &r);
    assert_memory_equal(&got, &c, sizeof c);
    assert_int_equal(r.attached, 1);
    assert_int_equal(r.urgency.tier, TRIAGE_URGENCY_IMMEDIATE);
    assert_int_equal(r.emergency_services, 1);
    triage_case_t cs = get_case(f, &c);
    assert_true(cs.flags & TRIAGE_CASE_EMERGENCY_SERVICES);
    assert_int_equal(cs.urgency, TRIAGE_URGENCY_IMMEDIATE);
    assert_int_equal(cs.intake_count, 2);
    triage_intake_info_t in;
    in.version = TRIAGE_INTAKE_INFO_VERSION;
    assert_ok(triage_intake_get(&in, f->e, &r.intake_id));
    assert_int_equal(in.ordinal, 1);
    assert_true(in.flags & TRIAGE_INTAKE_ATTACHED);
    assert_true(in.flags & TRIAGE_INTAKE_EMERGENCY_SERVICES);
    /* the same intake in office hours: attached, not an emergency */
    triage_id_t cl2 = add_client(f->e);
    active_case(f, &cl2, T0);
    intake(f, &cl2, TRIAGE_INTAKE_NOTIFICATION,
           TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT), T0 + 2 * HOUR_MS, &r);
    assert_int_equal(r.attached, 1);
    assert_int_equal(r.emergency_services, 0);
}

/* docs/domain.md §3, §5.3: an attached intake keeps its own urgency and its
 * own deadline rows, counted from its own receipt; a milestone recorded
 * before it arrived never meets them (round two, item 2: an urgent
 * application attached months after a decision showed D10 as met on the
 * old decision's date). */
static void test_attached_intake_keeps_its_own_deadlines(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_id_t c = active_case(f, &cl, T0);
    /* an old decision on the case */
    assert_ok(triage_case_milestone(f->e, &c, &f->sc, T0 + DAY_MS, TRIAGE_MILESTONE_DECISION));
    /* months later an urgent social-assistance application attaches */
    int64_t later = T0 + 60 * DAY_MS;
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = cl;
    in.kind = TRIAGE_INTAKE_APPLICATION;
    in.assistance_urgent = 1;
    in.received_ms = later;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, f->e, &in));
    assert_int_equal(r.attached, 1);
    assert_int_equal(r.urgency.tier, TRIAGE_URGENCY_URGENT);
    triage_date_t day = 20780 + 60;
    triage_case_deadline_t dl[64];
    uint32_t n;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, day, 0));
    assert_true(has_row(dl, n, &r.intake_id, TRIAGE_DEADLINE_D10));
    const triage_case_deadline_t *d10 = row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D10);
    assert_int_equal(d10->met, TRIAGE_DATE_NONE); /* the old decision does not count */
    assert_int_equal(d10->start, day);
    assert_true(d10->deadline.due >= day);
    /* every row of the first intake is still there, unchanged in number */
    triage_id_t *ids;
    size_t ni;
    assert_ok(triage_case_intakes(&ids, &ni, f->e, &c));
    assert_int_equal(ni, 2);
    assert_memory_equal(&ids[1], &r.intake_id, sizeof r.intake_id);
    uint32_t first_rows = 0;
    for (uint32_t i = 0; i < n; i++)
        first_rows += !memcmp(&dl[i].intake, &ids[0], sizeof ids[0]);
    assert_true(first_rows >= 3);
    triage_free(ids);
    /* a decision after the application meets its D10 */
    assert_ok(triage_case_milestone(f->e, &c, &f->sc, later + HOUR_MS, TRIAGE_MILESTONE_DECISION));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, day, 0));
    d10 = row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D10);
    assert_int_equal(d10->met, day);
    assert_int_equal(d10->state, TRIAGE_DEADLINE_MET);
}

/* docs/domain.md §5.3, TTL 14 b §: an urgent application is one fact whether
 * given as the flag or as the trigger: URGENT with D10, never D11/D12
 * (round two, item 4). */
static void test_ttl14b_urgent_application_is_one_fact(void **state)
{
    fixture *f = *state;
    for (int how = 0; how < 2; how++) {
        triage_id_t cl = add_client(f->e);
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = cl;
        in.kind = TRIAGE_INTAKE_APPLICATION;
        in.received_ms = T0;
        if (how == 0)
            in.assistance_urgent = 1;
        else
            in.triggers = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION);
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&r, f->e, &in));
        assert_int_equal(r.urgency.tier, TRIAGE_URGENCY_URGENT);
        triage_case_deadline_t dl[64];
        uint32_t n;
        assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &r.case_id, 20780, 0));
        assert_true(has_row(dl, n, &r.intake_id, TRIAGE_DEADLINE_D10));
        assert_false(has_row(dl, n, &r.intake_id, TRIAGE_DEADLINE_D11));
        assert_false(has_row(dl, n, &r.intake_id, TRIAGE_DEADLINE_D12));
    }
}

/* docs/domain.md §3: the repeat-notification window is inclusive, Kela
 * referrals and other authorities' notices count, and the threshold is a
 * policy number with no upper limit of 8 (round two, item 6). */
static void test_repeat_notification_window_kinds_and_threshold(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_intake_result_t r;
    /* exactly 365 days apart: the first still counts */
    static const triage_intake_kind_t kinds[] = {TRIAGE_INTAKE_KELA_REFERRAL,
                                                 TRIAGE_INTAKE_OTHER_AUTHORITY,
                                                 TRIAGE_INTAKE_NOTIFICATION};
    static const int64_t days[] = {0, 200, 365};
    for (int i = 0; i < 3; i++) {
        triage_id_t c = intake(f, &cl, kinds[i], 0, T0 + days[i] * DAY_MS, &r);
        assert_int_equal(r.repeat_flagged, i == 2);
        assert_ok(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, T0 + days[i] * DAY_MS));
    }
    /* a contact is no notification */
    triage_id_t cl2 = add_client(f->e);
    for (int i = 0; i < 3; i++) {
        triage_id_t c = intake(f, &cl2, i == 1 ? TRIAGE_INTAKE_CONTACT : TRIAGE_INTAKE_NOTIFICATION,
                               0, T0 + i * DAY_MS, &r);
        assert_int_equal(r.repeat_flagged, 0);
        assert_ok(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, T0 + i * DAY_MS));
    }
    /* a threshold of 12 (above the old limit of 8) */
    triage_engine_t *e;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.repeat_notifications = 12;
    assert_ok(triage_engine_new(&e, &o));
    triage_id_t k = add_client(e);
    for (int i = 0; i < 12; i++) {
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = k;
        in.kind = TRIAGE_INTAKE_NOTIFICATION;
        in.received_ms = T0 + i * DAY_MS;
        triage_intake_result_t x;
        x.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&x, e, &in));
        assert_int_equal(x.repeat_flagged, i == 11);
        triage_move_t m = TRIAGE_MOVE_INIT;
        m.to = TRIAGE_STAGE_CLOSED;
        m.reason = TRIAGE_CLOSE_DUPLICATE;
        m.at_ms = in.received_ms;
        assert_ok(triage_case_move(e, &x.case_id, &m));
    }
    triage_engine_free(e);
}

/* docs/domain.md §5.3: D1 is met when urgency is assessed. Assessed on
 * arrival, it is met at once and marked so (reports count it apart); an
 * intake whose urgency is still to be assessed keeps D1 open until
 * triage_case_assess_urgency() (round two, item 8). */
static void test_d1_met_on_arrival_or_when_assessed(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_intake_result_t r;
    triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0, &r);
    triage_case_deadline_t dl[64];
    uint32_t n;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, 20780, 0));
    assert_true(has_row(dl, n, &r.intake_id, TRIAGE_DEADLINE_D1));
    const triage_case_deadline_t *d1 = row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D1);
    assert_int_equal(d1->met, 20780);
    assert_true(d1->flags & TRIAGE_DEADLINE_MET_ON_ARRIVAL);
    /* not yet assessed: D1 open, then met by the assessment, not "on arrival" */
    triage_id_t cl2 = add_client(f->e);
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = cl2;
    in.kind = TRIAGE_INTAKE_NOTIFICATION;
    in.received_ms = T0;
    in.urgency_assessed = 0;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, f->e, &in));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &r.case_id, 20780, 0));
    assert_true(has_row(dl, n, &r.intake_id, TRIAGE_DEADLINE_D1));
    d1 = row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D1);
    assert_int_equal(d1->met, TRIAGE_DATE_NONE);
    size_t before = event_count(f);
    assert_ok(triage_case_assess_urgency(f->e, &r.intake_id, &f->sg, T0 + 2 * HOUR_MS,
                                         TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE)));
    assert_int_equal(event_count(f), before + 1);
    triage_event_t ev = last_event(f, &r.case_id);
    assert_int_equal(ev.kind, TRIAGE_EVENT_URGENCY_ASSESSED);
    assert_memory_equal(&ev.intake, &r.intake_id, sizeof r.intake_id);
    assert_int_equal(ev.to, TRIAGE_URGENCY_URGENT);
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &r.case_id, 20780, 0));
    d1 = row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D1);
    assert_int_equal(d1->met, 20780);
    assert_false(d1->flags & TRIAGE_DEADLINE_MET_ON_ARRIVAL);
    assert_int_equal(get_case(f, &r.case_id).urgency, TRIAGE_URGENCY_URGENT);
    /* bad input changes nothing */
    triage_id_t bogus = {{7}};
    assert_status(triage_case_assess_urgency(f->e, &bogus, NULL, T0, 0), TRIAGE_ENOTFOUND);
    assert_error_arg("intake");
    assert_status(triage_case_assess_urgency(f->e, &r.intake_id, NULL, T0, 1u << 20),
                  TRIAGE_EINVAL);
    assert_status(triage_case_assess_urgency(f->e, &r.intake_id, NULL, T0 - DAY_MS, 0),
                  TRIAGE_EINVAL);
    assert_error_arg("at_ms");
    assert_int_equal(event_count(f), before + 1);
}

/* docs/domain.md §3, SHL 35 § 2: "no urgent risk" means the case's tier is
 * neither IMMEDIATE nor URGENT: an URGENT case is never closed as DECLINED,
 * and its motivation check never offers it, even when the check is told
 * there is no urgent risk (round two, item 7). */
static void test_shl35_2_declined_needs_no_urgent_tier(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION,
                           TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE), T0, NULL);
    assert_int_equal(get_case(f, &c).urgency, TRIAGE_URGENCY_URGENT);
    assert_ok(move(f, &c, TRIAGE_STAGE_GUIDANCE, 0, T0));
    int offer = -1;
    assert_ok(triage_case_motivation(&offer, f->e, &c, &f->sg, T0, TRIAGE_MOTIVATION_UNWILLING, 0));
    assert_int_equal(offer, 0);
    triage_event_t ev = last_event(f, &c);
    assert_int_equal(ev.kind, TRIAGE_EVENT_MOTIVATION_CHECKED);
    assert_int_equal(ev.reason, 1); /* the urgent tier is an urgent risk */
    size_t before = event_count(f);
    assert_status(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, T0), TRIAGE_ESTATE);
    assert_error_arg("shl35_2_declined");
    assert_int_equal(event_count(f), before);
    assert_int_equal(get_case(f, &c).stage, TRIAGE_STAGE_GUIDANCE);
    /* the same from assessment and from casework */
    triage_id_t cl2 = add_client(f->e);
    triage_id_t d = intake(f, &cl2, TRIAGE_INTAKE_CONTACT,
                           TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_EVICTION_OR_CUTOFF), T0, NULL);
    assert_ok(move(f, &d, TRIAGE_STAGE_GUIDANCE, 0, T0));
    assert_ok(move(f, &d, TRIAGE_STAGE_DISTRIBUTION, 0, T0));
    triage_scores_t s = scores_q(1);
    assert_ok(triage_case_classify(NULL, NULL, f->e, &d, &f->sw, T0, &s));
    assert_ok(triage_case_set_worker(f->e, &d, &f->sw, T0, TRIAGE_SLOT_ASSESSMENT, &f->sw));
    assert_ok(move(f, &d, TRIAGE_STAGE_ASSESSMENT, 0, T0));
    assert_status(move(f, &d, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, T0), TRIAGE_ESTATE);
    assert_error_arg("shl35_2_declined");
    /* a PRIORITY or NORMAL case, unwilling without urgent risk, may decline */
    triage_id_t cl3 = add_client(f->e);
    triage_id_t n = intake(f, &cl3, TRIAGE_INTAKE_NOTIFICATION, 0, T0, NULL);
    assert_ok(move(f, &n, TRIAGE_STAGE_GUIDANCE, 0, T0));
    assert_ok(triage_case_motivation(&offer, f->e, &n, &f->sg, T0, TRIAGE_MOTIVATION_UNWILLING, 0));
    assert_int_equal(offer, 1);
    assert_ok(move(f, &n, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, T0));
}

static void test_continuity_attaches_intake(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_id_t a = intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0, NULL);
    assert_ok(triage_case_set_worker(f->e, &a, &f->sw, T0 + HOUR_MS, TRIAGE_SLOT_RESPONSIBLE, &f->sc));
    triage_client_t client;
    client.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&client, f->e, &cl));
    assert_int_equal(triage_id_compare(&client.responsible_worker, &f->sc), 0);
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    triage_id_t b = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION,
                           TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT), T0 + DAY_MS, &r);
    assert_int_equal(r.attached, 1);
    assert_int_equal(triage_id_compare(&a, &b), 0);
    triage_case_t c = get_case(f, &a);
    assert_int_equal(c.urgency, TRIAGE_URGENCY_IMMEDIATE); /* raised, audited */
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, f->e, &a, INT64_MIN, INT64_MAX));
    assert_int_equal(evs[n - 2].kind, TRIAGE_EVENT_ATTACHED);
    assert_int_equal(evs[n - 1].kind, TRIAGE_EVENT_URGENCY_ASSESSED);
    assert_int_equal(evs[n - 1].from, TRIAGE_URGENCY_NORMAL);
    triage_free(evs);
    triage_id_t *ids;
    assert_ok(triage_case_list(&ids, &n, f->e, NULL));
    assert_int_equal(n, 1);
    triage_free(ids);
    /* Closing the case releases the client's responsible worker. */
    assert_ok(move(f, &a, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_MOVED_AWAY, T0 + 2 * DAY_MS));
    assert_ok(triage_client_get(&client, f->e, &cl));
    assert_true(triage_id_is_nil(&client.responsible_worker));
    intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0 + 3 * DAY_MS, &r);
    assert_int_equal(r.attached, 0);
}

/* ---- the transition matrix (docs/domain.md §3) ------------------------------------ */

#define NSTAGES 8

/* Builds a case in `stage` that satisfies every requirement of the allowed
 * transitions out of it. */
static triage_id_t case_in(fixture *f, triage_stage_t stage, int64_t *t)
{
    triage_id_t cl = add_client(f->e);
    *t = T0;
    /* An earlier case whose responsible worker gives continuity to the next
     * intake once it is set after that intake. */
    triage_id_t prev = intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, *t, NULL);
    triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION,
                           TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_ACUTE_CRISIS), *t, NULL);
    assert_ok(triage_case_set_worker(f->e, &prev, &f->sw, *t, TRIAGE_SLOT_RESPONSIBLE, &f->sc2));
    if (stage == TRIAGE_STAGE_RECEIVED)
        return c;
    *t += HOUR_MS;
    if (stage == TRIAGE_STAGE_GUIDANCE || stage == TRIAGE_STAGE_INITIAL_ASSESSMENT) {
        assert_ok(move(f, &c, TRIAGE_STAGE_GUIDANCE, 0, *t));
        if (stage == TRIAGE_STAGE_INITIAL_ASSESSMENT)
            assert_ok(move(f, &c, TRIAGE_STAGE_INITIAL_ASSESSMENT, 0, *t));
        return c;
    }
    assert_ok(move(f, &c, TRIAGE_STAGE_DISTRIBUTION, 0, *t));
    triage_scores_t s = scores_q(2);
    assert_ok(triage_case_classify(NULL, NULL, f->e, &c, &f->sw, *t, &s));
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, *t, TRIAGE_SLOT_ASSESSMENT, &f->sc));
    if (stage == TRIAGE_STAGE_DISTRIBUTION)
        return c;
    assert_ok(move(f, &c, TRIAGE_STAGE_ASSESSMENT, 0, *t));
    triage_assessment_record_t rec = {TRIAGE_ASSESSMENT_RECORD_VERSION, 1, 1, 1, 1,
                                      TRIAGE_NEED_NATURE_RECURRING};
    assert_ok(triage_case_record_assessment(f->e, &c, &f->sc, *t, &rec));
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, *t, TRIAGE_SLOT_RESPONSIBLE, &f->sc));
    if (stage == TRIAGE_STAGE_ASSESSMENT)
        return c;
    assert_ok(move(f, &c, TRIAGE_STAGE_PLANNING, 0, *t));
    if (stage == TRIAGE_STAGE_PLANNING)
        return c;
    assert_ok(move(f, &c, TRIAGE_STAGE_CASEWORK, 0, *t));
    if (stage == TRIAGE_STAGE_CASEWORK)
        return c;
    assert_ok(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_GOALS_MET, *t));
    return c;
}

/* The rows of `row` on a case (any intake): how many, and the last one. */
static const triage_case_deadline_t *last_row(const triage_case_deadline_t *dl, uint32_t n,
                                              triage_deadline_row_t row, uint32_t *count)
{
    static const triage_case_deadline_t none;
    const triage_case_deadline_t *got = &none;
    *count = 0;
    for (uint32_t i = 0; i < n; i++)
        if (dl[i].deadline.row == row) {
            got = &dl[i];
            ++*count;
        }
    return got;
}

static triage_date_t months_after(fixture *f, triage_date_t from, int32_t months)
{
    triage_date_t d;
    assert_ok(triage_calendar_add_months(&d, triage_engine_calendar(f->e), from, months));
    return d;
}

static triage_date_t bdays_after(fixture *f, triage_date_t from, int32_t n)
{
    triage_date_t d;
    assert_ok(triage_calendar_add_business_days(&d, triage_engine_calendar(f->e), from, n));
    return d;
}

/* A DEADLINE_ADDED event names the row, its id and its intake. */
static void assert_row_event(fixture *f, const triage_id_t *c, const triage_case_deadline_t *d)
{
    triage_event_t ev = last_event(f, c);
    assert_int_equal(ev.kind, TRIAGE_EVENT_DEADLINE_ADDED);
    assert_int_equal(ev.to, d->deadline.row);
    assert_int_equal(ev.from, d->deadline.due);
    assert_memory_equal(&ev.from_id, &d->id, sizeof d->id);
    assert_memory_equal(&ev.intake, &d->intake, sizeof d->intake);
}

/* docs/domain.md §5.3, SHL 45 § 2: recording a non-urgent service decision
 * adds D9, carried out within 3 months of the matter's intake (the opening
 * intake unless an attached one is named); an urgent one adds no row; a
 * milestone recorded before the decision does not meet it (round two, item 3). */
static void test_shl45_2_service_decision_adds_d9(void **state)
{
    fixture *f = *state;
    int64_t t;
    triage_id_t c = case_in(f, TRIAGE_STAGE_CASEWORK, &t);
    triage_case_t cs = get_case(f, &c);
    triage_id_t *ids;
    size_t ni;
    assert_ok(triage_case_intakes(&ids, &ni, f->e, &c));
    triage_id_t opening = ids[0];
    triage_free(ids);
    /* carried out before any decision: meets nothing that arises later */
    assert_ok(triage_case_milestone(f->e, &c, &f->sc, t + HOUR_MS,
                                    TRIAGE_MILESTONE_DECISION_CARRIED_OUT));
    int64_t at = t + 10 * DAY_MS;
    assert_ok(triage_case_service_decision(f->e, &c, &f->sc, at, NULL, 0));
    triage_case_deadline_t dl[64];
    uint32_t n, k;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, cs.received + 10, 0));
    const triage_case_deadline_t *d9 = last_row(dl, n, TRIAGE_DEADLINE_D9, &k);
    assert_int_equal(k, 1);
    assert_int_equal(d9->deadline.basis, TRIAGE_BASIS_SHL_45);
    assert_int_equal(d9->deadline.milestone, TRIAGE_MILESTONE_DECISION_CARRIED_OUT);
    assert_int_equal(d9->start, cs.received);
    assert_int_equal(d9->deadline.due, months_after(f, cs.received, 3));
    assert_memory_equal(&d9->intake, &opening, sizeof opening);
    assert_int_equal(d9->met, TRIAGE_DATE_NONE);
    assert_int_equal(d9->state, TRIAGE_DEADLINE_OPEN);
    assert_row_event(f, &c, d9);
    /* carried out after the decision: met */
    assert_ok(triage_case_milestone(f->e, &c, &f->sc, at + DAY_MS,
                                    TRIAGE_MILESTONE_DECISION_CARRIED_OUT));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, cs.received + 11, 0));
    d9 = last_row(dl, n, TRIAGE_DEADLINE_D9, &k);
    assert_int_equal(d9->met, cs.received + 11);
    assert_int_equal(d9->state, TRIAGE_DEADLINE_MET);
    /* an urgent decision: recorded, no row */
    size_t before = event_count(f);
    assert_ok(triage_case_service_decision(f->e, &c, &f->sc, at + 2 * DAY_MS, NULL, 1));
    assert_int_equal(event_count(f), before + 1);
    triage_event_t ev = last_event(f, &c);
    assert_int_equal(ev.kind, TRIAGE_EVENT_SERVICE_DECIDED);
    assert_int_equal(ev.to, 1);
    assert_memory_equal(&ev.intake, &opening, sizeof opening);
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, cs.received + 12, 0));
    last_row(dl, n, TRIAGE_DEADLINE_D9, &k);
    assert_int_equal(k, 1);
    /* a decision on an attached application counts from that intake */
    triage_intake_result_t r;
    int64_t later = t + 40 * DAY_MS;
    intake(f, &cs.client, TRIAGE_INTAKE_CONTACT, 0, later, &r);
    assert_int_equal(r.attached, 1);
    assert_ok(triage_case_service_decision(f->e, &c, &f->sc, later + DAY_MS, &r.intake_id, 0));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, cs.received + 41, 0));
    d9 = last_row(dl, n, TRIAGE_DEADLINE_D9, &k);
    assert_int_equal(k, 2);
    assert_int_equal(d9->start, cs.received + 40);
    assert_int_equal(d9->deadline.due, months_after(f, cs.received + 40, 3));
    assert_memory_equal(&d9->intake, &r.intake_id, sizeof r.intake_id);
    /* bad input changes nothing */
    before = event_count(f);
    assert_status(triage_case_service_decision(f->e, &c, &f->sc, later + DAY_MS, NULL, 2),
                  TRIAGE_EINVAL);
    assert_error_arg("urgent");
    triage_id_t bogus = {{9}};
    assert_status(triage_case_service_decision(f->e, &c, &f->sc, later + DAY_MS, &bogus, 0),
                  TRIAGE_ENOTFOUND);
    assert_error_arg("intake");
    assert_status(triage_case_service_decision(f->e, &c, &f->sc, later - DAY_MS, &r.intake_id, 0),
                  TRIAGE_EINVAL);
    assert_error_arg("intake");
    assert_status(triage_case_service_decision(f->e, &bogus, &f->sc, later, NULL, 0),
                  TRIAGE_ENOTFOUND);
    assert_error_arg("case_id");
    assert_status(triage_case_service_decision(NULL, &c, &f->sc, later, NULL, 0), TRIAGE_EINVAL);
    assert_ok(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_GOALS_MET, later + 2 * DAY_MS));
    before = event_count(f);
    assert_status(triage_case_service_decision(f->e, &c, &f->sc, later + 3 * DAY_MS, NULL, 0),
                  TRIAGE_ESTATE);
    assert_error_arg("closed_is_final");
    assert_int_equal(event_count(f), before);
    /* the limit is the rule set's: D9 at 6 months, or switched off */
    for (int off = 0; off < 2; off++) {
        triage_deadline_rules_t *rules;
        assert_ok(triage_deadline_rules_new(&rules, NULL));
        if (off)
            assert_ok(triage_deadline_rules_set_enabled(rules, TRIAGE_DEADLINE_D9, 0));
        else
            assert_ok(triage_deadline_rules_set_limit(rules, TRIAGE_DEADLINE_D9, 6));
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.deadlines = rules;
        triage_engine_t *e;
        assert_ok(triage_engine_new(&e, &o));
        triage_deadline_rules_free(rules);
        triage_id_t cl = add_client(e);
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = cl;
        in.received_ms = T0;
        triage_intake_result_t x;
        x.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&x, e, &in));
        assert_ok(triage_case_service_decision(e, &x.case_id, NULL, T0 + DAY_MS, NULL, 0));
        assert_ok(test_case_deadlines(dl, &n, NULL, e, &x.case_id, 20781, 0));
        d9 = last_row(dl, n, TRIAGE_DEADLINE_D9, &k);
        assert_int_equal(k, !off);
        if (!off)
            assert_int_equal(d9->deadline.due, months_after(f, 20780, 6));
        triage_engine_free(e);
    }
}

/* An incomplete application of a new client at T0. */
static triage_intake_result_t incomplete_application(fixture *f)
{
    triage_id_t cl = add_client(f->e);
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = cl;
    in.kind = TRIAGE_INTAKE_APPLICATION;
    in.received_ms = T0;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, f->e, &in));
    return r;
}

/* docs/domain.md §5.3, TTL 14 c §: a completion request meets D12 and, naming
 * the completion period's end, adds D12b (decision by the 7th business day
 * after it); completion before the end re-anchors it on the completion date
 * (the old row superseded: cancelled in reports); a completion without any
 * period adds D12b from the completion (round two, item 3). */
static void test_ttl14c_completion_period_and_completion(void **state)
{
    fixture *f = *state;
    triage_intake_result_t r = incomplete_application(f);
    triage_case_deadline_t dl[64];
    uint32_t n, k;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &r.case_id, 20780, 0));
    assert_true(has_row(dl, n, &r.intake_id, TRIAGE_DEADLINE_D12));
    assert_false(has_row(dl, n, &r.intake_id, TRIAGE_DEADLINE_D12_DECISION));
    triage_date_t end = 20780 + 16; /* Wednesday 2026-12-09 */
    assert_ok(triage_case_request_completion(f->e, &r.intake_id, &f->sc, T0 + DAY_MS, end));
    triage_event_t ev;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &r.case_id, 20781, 0));
    assert_int_equal(row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D12)->met, 20781);
    const triage_case_deadline_t *b = last_row(dl, n, TRIAGE_DEADLINE_D12_DECISION, &k);
    assert_int_equal(k, 1);
    assert_int_equal(b->start, end);
    assert_int_equal(b->deadline.due, bdays_after(f, end, 7));
    assert_int_equal(b->deadline.basis, TRIAGE_BASIS_TTL_14C);
    assert_int_equal(b->deadline.milestone, TRIAGE_MILESTONE_DECISION);
    assert_row_event(f, &r.case_id, b);
    triage_id_t first = b->id;
    /* completed on day 5: a new row from the completion, the old one superseded */
    assert_ok(triage_case_application_completed(f->e, &r.intake_id, &f->sc, T0 + 5 * DAY_MS));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &r.case_id, 20785, 0));
    b = last_row(dl, n, TRIAGE_DEADLINE_D12_DECISION, &k);
    assert_int_equal(k, 2);
    assert_int_equal(b->start, 20785);
    assert_int_equal(b->deadline.due, bdays_after(f, 20785, 7));
    assert_false(b->flags & TRIAGE_DEADLINE_SUPERSEDED);
    assert_row_event(f, &r.case_id, b);
    for (uint32_t i = 0; i < n; i++)
        if (!memcmp(&dl[i].id, &first, sizeof first)) {
            assert_true(dl[i].flags & TRIAGE_DEADLINE_SUPERSEDED);
            assert_int_equal(dl[i].state, TRIAGE_DEADLINE_CANCELLED);
        }
    /* the decision meets the new row */
    assert_ok(triage_case_milestone(f->e, &r.case_id, &f->sc, T0 + 6 * DAY_MS,
                                    TRIAGE_MILESTONE_DECISION));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &r.case_id, 20786, 0));
    b = last_row(dl, n, TRIAGE_DEADLINE_D12_DECISION, &k);
    assert_int_equal(b->met, 20786);
    /* completed twice, or a request after the decision: refused */
    size_t before = event_count(f);
    assert_status(triage_case_application_completed(f->e, &r.intake_id, NULL, T0 + 7 * DAY_MS),
                  TRIAGE_ESTATE);
    assert_error_arg("ttl14c_completed");
    assert_int_equal(event_count(f), before);

    /* completed with no request: D12 is no longer owed, D12b from completion */
    triage_intake_result_t s = incomplete_application(f);
    assert_ok(triage_case_application_completed(f->e, &s.intake_id, NULL, T0 + 2 * DAY_MS));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &s.case_id, 20782, 0));
    assert_int_equal(row_of(dl, n, &s.intake_id, TRIAGE_DEADLINE_D12)->state,
                     TRIAGE_DEADLINE_CANCELLED);
    b = last_row(dl, n, TRIAGE_DEADLINE_D12_DECISION, &k);
    assert_int_equal(k, 1);
    assert_int_equal(b->deadline.due, bdays_after(f, 20782, 7));
    ev = last_event(f, &s.case_id);
    assert_int_equal(ev.kind, TRIAGE_EVENT_DEADLINE_ADDED);

    /* a request without a period adds nothing but meets D12; the period
     * ending with no completion leaves the decision due after it */
    triage_intake_result_t u = incomplete_application(f);
    assert_ok(triage_case_request_completion(f->e, &u.intake_id, NULL, T0, TRIAGE_DATE_NONE));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &u.case_id, 20780, 0));
    assert_int_equal(row_of(dl, n, &u.intake_id, TRIAGE_DEADLINE_D12)->met, 20780);
    last_row(dl, n, TRIAGE_DEADLINE_D12_DECISION, &k);
    assert_int_equal(k, 0);
    ev = last_event(f, &u.case_id);
    assert_int_equal(ev.kind, TRIAGE_EVENT_MILESTONE);
    assert_int_equal(ev.to, TRIAGE_MILESTONE_COMPLETION_REQUESTED);
    assert_memory_equal(&ev.intake, &u.intake_id, sizeof u.intake_id);
    assert_ok(triage_case_request_completion(f->e, &u.intake_id, NULL, T0 + DAY_MS, end));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &u.case_id, end + 12, 0));
    b = last_row(dl, n, TRIAGE_DEADLINE_D12_DECISION, &k);
    assert_int_equal(k, 1);
    assert_int_equal(b->state, TRIAGE_DEADLINE_MISSED);

    /* bad input changes nothing */
    before = event_count(f);
    assert_status(triage_case_request_completion(f->e, &u.intake_id, NULL, T0 + DAY_MS, 20779),
                  TRIAGE_EINVAL);
    assert_error_arg("period_end");
    assert_status(triage_case_request_completion(f->e, &u.intake_id, NULL, T0 - DAY_MS, end),
                  TRIAGE_EINVAL);
    assert_error_arg("at_ms");
    triage_id_t bogus = {{5}};
    assert_status(triage_case_request_completion(f->e, &bogus, NULL, T0, end), TRIAGE_ENOTFOUND);
    assert_error_arg("intake");
    assert_status(triage_case_request_completion(f->e, NULL, NULL, T0, end), TRIAGE_EINVAL);
    assert_status(triage_case_application_completed(NULL, &u.intake_id, NULL, T0), TRIAGE_EINVAL);
    triage_id_t cl = add_client(f->e);
    triage_intake_result_t v;
    intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0, &v);
    assert_status(triage_case_request_completion(f->e, &v.intake_id, NULL, T0, end), TRIAGE_ESTATE);
    assert_error_arg("ttl14c_incomplete_application");
    assert_status(triage_case_application_completed(f->e, &v.intake_id, NULL, T0), TRIAGE_ESTATE);
    assert_error_arg("ttl14c_incomplete_application");
    before = event_count(f);
    assert_ok(move(f, &u.case_id, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, T0 + DAY_MS));
    assert_status(triage_case_application_completed(f->e, &u.intake_id, NULL, T0 + DAY_MS),
                  TRIAGE_ESTATE);
    assert_error_arg("closed_is_final");
    assert_int_equal(event_count(f), before + 1);
}

/* docs/domain.md §5.3, TTL 14 e §: a meeting request can be recorded at any
 * time on an open case and adds D13, met by a meeting held after it. */
static void test_ttl14e_meeting_request_any_time(void **state)
{
    fixture *f = *state;
    int64_t t;
    triage_id_t c = case_in(f, TRIAGE_STAGE_CASEWORK, &t);
    triage_case_t cs = get_case(f, &c);
    int64_t at = t + 30 * DAY_MS;
    triage_date_t day = cs.received + 30;
    assert_ok(triage_case_request_meeting(f->e, &c, &f->sc, at, NULL));
    triage_case_deadline_t dl[64];
    uint32_t n, k;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, day, 0));
    const triage_case_deadline_t *d13 = last_row(dl, n, TRIAGE_DEADLINE_D13, &k);
    assert_int_equal(k, 1);
    assert_int_equal(d13->start, day);
    assert_int_equal(d13->deadline.due, bdays_after(f, day, 7));
    assert_int_equal(d13->deadline.basis, TRIAGE_BASIS_TTL_14E);
    assert_row_event(f, &c, d13);
    triage_event_t *evs;
    size_t ne;
    assert_ok(test_event_list(&evs, &ne, f->e, &c, INT64_MIN, INT64_MAX));
    assert_int_equal(evs[ne - 2].kind, TRIAGE_EVENT_MEETING_REQUESTED);
    triage_free(evs);
    assert_ok(triage_case_milestone(f->e, &c, &f->sc, at + 2 * DAY_MS,
                                    TRIAGE_MILESTONE_MEETING_HELD));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, day + 2, 0));
    assert_int_equal(last_row(dl, n, TRIAGE_DEADLINE_D13, &k)->state, TRIAGE_DEADLINE_MET);
    /* in guidance too; bad input changes nothing */
    triage_id_t cl = add_client(f->e);
    triage_id_t g = intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0, NULL);
    assert_ok(triage_case_request_meeting(f->e, &g, NULL, T0 + HOUR_MS, NULL));
    size_t before = event_count(f);
    triage_id_t bogus = {{3}};
    assert_status(triage_case_request_meeting(f->e, &g, NULL, T0, &bogus), TRIAGE_ENOTFOUND);
    assert_error_arg("intake");
    assert_status(triage_case_request_meeting(f->e, &g, NULL, T0 - DAY_MS, NULL), TRIAGE_EINVAL);
    assert_error_arg("at_ms");
    assert_status(triage_case_request_meeting(f->e, &g, &bogus, T0, NULL), TRIAGE_ENOTFOUND);
    assert_error_arg("actor");
    assert_int_equal(event_count(f), before);
}

/* docs/domain.md §3, §5.3, SHL 39 §: making the plan (PLANNING -> CASEWORK)
 * adds its review deadline, 12 months by default; each review meets it and
 * adds the next; no plan, no review (round two, item 3). */
static void test_shl39_plan_review_deadline(void **state)
{
    fixture *f = *state;
    int64_t t;
    triage_id_t c = case_in(f, TRIAGE_STAGE_CASEWORK, &t);
    triage_case_t cs = get_case(f, &c);
    assert_int_equal(cs.plan_made, cs.received);
    triage_case_deadline_t dl[64];
    uint32_t n, k;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, cs.received, 0));
    const triage_case_deadline_t *pr = last_row(dl, n, TRIAGE_DEADLINE_PLAN_REVIEW, &k);
    assert_int_equal(k, 1);
    assert_int_equal(pr->deadline.basis, TRIAGE_BASIS_SHL_39);
    assert_int_equal(pr->deadline.milestone, TRIAGE_MILESTONE_PLAN_REVIEWED);
    assert_int_equal(pr->start, cs.plan_made);
    assert_int_equal(pr->deadline.due, months_after(f, cs.plan_made, 12));
    /* reviewed after 6 months: met, the next one 12 months after the review */
    triage_date_t rday = cs.received + 182;
    assert_ok(triage_case_review_plan(f->e, &c, &f->sc, t + 182 * DAY_MS));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, rday, 0));
    pr = last_row(dl, n, TRIAGE_DEADLINE_PLAN_REVIEW, &k);
    assert_int_equal(k, 2);
    assert_int_equal(pr->start, rday);
    assert_int_equal(pr->deadline.due, months_after(f, rday, 12));
    assert_int_equal(pr->met, TRIAGE_DATE_NONE);
    assert_row_event(f, &c, pr);
    for (uint32_t i = 0; i < n; i++)
        if (dl[i].deadline.row == TRIAGE_DEADLINE_PLAN_REVIEW && dl[i].start == cs.plan_made)
            assert_int_equal(dl[i].met, rday);
    triage_event_t *evs;
    size_t ne;
    assert_ok(test_event_list(&evs, &ne, f->e, &c, INT64_MIN, INT64_MAX));
    assert_int_equal(evs[ne - 2].kind, TRIAGE_EVENT_MILESTONE);
    assert_int_equal(evs[ne - 2].to, TRIAGE_MILESTONE_PLAN_REVIEWED);
    triage_free(evs);
    /* not in casework, or no plan: refused, nothing changes */
    triage_id_t p = case_in(f, TRIAGE_STAGE_PLANNING, &t);
    size_t before = event_count(f);
    assert_status(triage_case_review_plan(f->e, &p, NULL, t), TRIAGE_ESTATE);
    assert_error_arg("shl39_plan_review");
    triage_id_t a = case_in(f, TRIAGE_STAGE_ASSESSMENT, &t);
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_CASEWORK;
    m.at_ms = t;
    m.plan_unnecessary = 1;
    assert_ok(triage_case_move(f->e, &a, &m));
    before = event_count(f);
    assert_status(triage_case_review_plan(f->e, &a, NULL, t), TRIAGE_ESTATE);
    assert_error_arg("shl39_plan_review");
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &a, cs.received, 0));
    last_row(dl, n, TRIAGE_DEADLINE_PLAN_REVIEW, &k);
    assert_int_equal(k, 0);
    assert_status(triage_case_review_plan(f->e, &a, NULL, T0 - DAY_MS), TRIAGE_EINVAL);
    assert_error_arg("at_ms");
    assert_status(triage_case_review_plan(NULL, &a, NULL, T0), TRIAGE_EINVAL);
    assert_int_equal(event_count(f), before);
    /* the policy's limit: reviews every 6 months */
    triage_deadline_rules_t *rules;
    assert_ok(triage_deadline_rules_new(&rules, NULL));
    assert_ok(triage_deadline_rules_set_limit(rules, TRIAGE_DEADLINE_PLAN_REVIEW, 6));
    const char *law;
    assert_ok(triage_deadline_rules_law_version(&law, rules, TRIAGE_DEADLINE_PLAN_REVIEW));
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.deadlines = rules;
    triage_engine_free(f->e);
    assert_ok(triage_engine_new(&f->e, &o));
    triage_deadline_rules_free(rules);
    f->sw = add_worker(f->e, TRIAGE_ROLE_SOCIAL_WORKER);
    f->sc = add_worker(f->e, TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    f->sc2 = add_worker(f->e, TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    c = case_in(f, TRIAGE_STAGE_CASEWORK, &t);
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, cs.received, 0));
    pr = last_row(dl, n, TRIAGE_DEADLINE_PLAN_REVIEW, &k);
    assert_int_equal(pr->deadline.due, months_after(f, cs.received, 6));
}

/* docs/deadlines.md "Attached intakes": an intake attached to a case past the
 * start of its assessment keeps its assessment-start row, met by the
 * responsible worker's reassessment (a classification redone, or a plan
 * review); leaving ASSESSMENT meets it for a matter attached while the
 * assessment ran; its tier response is met by that action too (round two,
 * item 2 and the attached intake's D8). */
static void test_attached_assessment_row_met_by_reassessment(void **state)
{
    fixture *f = *state;
    int64_t t;
    triage_id_t c = case_in(f, TRIAGE_STAGE_CASEWORK, &t);
    triage_case_t cs = get_case(f, &c);
    triage_intake_result_t r;
    intake(f, &cs.client, TRIAGE_INTAKE_NOTIFICATION, 0, t + 20 * DAY_MS, &r);
    assert_int_equal(r.attached, 1);
    triage_date_t day = cs.received + 20;
    triage_case_deadline_t dl[64];
    uint32_t n;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, day, 0));
    assert_int_equal(row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D8)->met, TRIAGE_DATE_NONE);
    assert_int_equal(row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_RESPONSE)->met, TRIAGE_DATE_NONE);
    /* a reclassification by the own worker three days later */
    triage_scores_t s = scores_q(2);
    assert_ok(triage_case_classify(NULL, NULL, f->e, &c, &f->sc, t + 23 * DAY_MS, &s));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, day + 3, 0));
    assert_int_equal(row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D8)->met, day + 3);
    assert_int_equal(row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D8)->state, TRIAGE_DEADLINE_MET);
    assert_int_equal(row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_RESPONSE)->met, day + 3);
    /* another matter, reassessed by a plan review */
    intake(f, &cs.client, TRIAGE_INTAKE_CONTACT, 0, t + 40 * DAY_MS, &r);
    assert_ok(triage_case_review_plan(f->e, &c, &f->sc, t + 41 * DAY_MS));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &c, day + 21, 0));
    assert_int_equal(row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D8)->met, day + 21);
    /* attached while the assessment runs: met when it completes */
    triage_id_t a = case_in(f, TRIAGE_STAGE_ASSESSMENT, &t);
    triage_case_t as = get_case(f, &a);
    intake(f, &as.client, TRIAGE_INTAKE_CONTACT, 0, t + DAY_MS, &r);
    assert_int_equal(r.attached, 1);
    assert_ok(move(f, &a, TRIAGE_STAGE_PLANNING, 0, t + 2 * DAY_MS));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &a, as.received + 2, 0));
    assert_int_equal(row_of(dl, n, &r.intake_id, TRIAGE_DEADLINE_D8)->met, as.received + 2);
}

/* docs/domain.md §5.3: assessing one intake's urgency meets that intake's D1
 * only, and leaves the rows that arose after intake (D13 here) as they were. */
static void test_assess_urgency_touches_only_its_intake(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = cl;
    in.kind = TRIAGE_INTAKE_CONTACT;
    in.received_ms = T0;
    in.urgency_assessed = 0;
    in.meeting_requested = 20780;
    triage_intake_result_t a, b;
    a.version = b.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&a, f->e, &in));
    assert_ok(triage_case_set_worker(f->e, &a.case_id, &f->sw, T0, TRIAGE_SLOT_RESPONSIBLE, &f->sc));
    in.received_ms = T0 + HOUR_MS;
    in.meeting_requested = TRIAGE_DATE_NONE;
    assert_ok(triage_intake(&b, f->e, &in));
    assert_int_equal(b.attached, 1);
    assert_ok(triage_case_assess_urgency(f->e, &b.intake_id, &f->sc, T0 + 2 * HOUR_MS,
                                         TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE)));
    triage_case_deadline_t dl[64];
    uint32_t n;
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &a.case_id, 20780, 0));
    assert_int_equal(row_of(dl, n, &b.intake_id, TRIAGE_DEADLINE_D1)->met, 20780);
    assert_int_equal(row_of(dl, n, &a.intake_id, TRIAGE_DEADLINE_D1)->met, TRIAGE_DATE_NONE);
    /* reassessing the first intake keeps its D13 */
    assert_ok(triage_case_assess_urgency(f->e, &a.intake_id, &f->sc, T0 + 3 * HOUR_MS, 0));
    assert_ok(test_case_deadlines(dl, &n, NULL, f->e, &a.case_id, 20780, 0));
    const triage_case_deadline_t *d13 = row_of(dl, n, &a.intake_id, TRIAGE_DEADLINE_D13);
    assert_int_equal(d13->deadline.row, TRIAGE_DEADLINE_D13);
    assert_false(d13->flags & TRIAGE_DEADLINE_SUPERSEDED);
    assert_int_equal(row_of(dl, n, &a.intake_id, TRIAGE_DEADLINE_D1)->met, 20780);
}

static int allowed(int from, int to)
{
    /* docs/domain.md §3, "Allowed transitions". */
    static const int pairs[][2] = {
        {1, 2}, {1, 4}, {1, 7}, {1, 8}, {2, 3}, {2, 4}, {2, 8}, {3, 4},
        {3, 8}, {4, 5}, {4, 8}, {5, 6}, {5, 7}, {5, 8}, {6, 7}, {6, 8}, {7, 8},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i][0] == from && pairs[i][1] == to)
            return 1;
    return 0;
}

static void test_transition_matrix(void **state)
{
    fixture *f = *state;
    int tried = 0, ok = 0;
    for (int from = 1; from <= NSTAGES; from++) {
        for (int to = 1; to <= NSTAGES; to++) {
            int64_t t;
            triage_id_t c = case_in(f, (triage_stage_t)from, &t);
            triage_case_t before = get_case(f, &c);
            assert_int_equal(before.stage, from);
            size_t nev = event_count(f);
            triage_move_t m = TRIAGE_MOVE_INIT;
            m.to = (triage_stage_t)to;
            m.at_ms = t + HOUR_MS;
            m.actor = f->sc;
            m.reason = to == TRIAGE_STAGE_CLOSED ? TRIAGE_CLOSE_MOVED_AWAY : TRIAGE_CLOSE_NONE;
            m.plan_unnecessary = from == TRIAGE_STAGE_ASSESSMENT && to == TRIAGE_STAGE_CASEWORK;
            triage_status_t rc = triage_case_move(f->e, &c, &m);
            tried++;
            if (allowed(from, to)) {
                if (rc != TRIAGE_OK)
                    fail_msg("%d -> %d refused: %s [%s]", from, to, triage_error_last()->message,
                             triage_error_last()->argument);
                ok++;
                triage_case_t after = get_case(f, &c);
                assert_int_equal(after.stage, to);
                /* making the plan adds its review deadline (SHL 39 §) */
                int plan = from == TRIAGE_STAGE_PLANNING && to == TRIAGE_STAGE_CASEWORK;
                assert_int_equal(event_count(f), nev + 1 + plan);
                triage_event_t ev = last_event(f, &c);
                if (plan) {
                    assert_int_equal(ev.kind, TRIAGE_EVENT_DEADLINE_ADDED);
                    assert_int_equal(ev.to, TRIAGE_DEADLINE_PLAN_REVIEW);
                    triage_event_t *evs;
                    size_t ne;
                    assert_ok(test_event_list(&evs, &ne, f->e, &c, INT64_MIN, INT64_MAX));
                    ev = evs[ne - 2];
                    triage_free(evs);
                }
                assert_int_equal(ev.kind, TRIAGE_EVENT_STAGE_CHANGED);
                assert_int_equal(ev.from, from);
                assert_int_equal(ev.to, to);
                assert_int_equal(triage_id_compare(&ev.actor, &f->sc), 0);
                assert_int_equal(ev.at_ms, t + HOUR_MS);
            } else {
                if (rc != TRIAGE_ESTATE)
                    fail_msg("%d -> %d gave %d, expected ESTATE", from, to, rc);
                assert_true(strlen(triage_error_last()->argument) > 0);
                triage_case_t after = get_case(f, &c);
                assert_memory_equal(&after, &before, sizeof before);
                assert_int_equal(event_count(f), nev);
            }
        }
    }
    assert_int_equal(tried, 64);
    assert_int_equal(ok, 17);
}

typedef struct {
    const char *name;
    triage_stage_t from, to;
    triage_closing_reason_t reason;
    const char *rule; /* expected rule, NULL = allowed */
} rule_row;

static void test_transition_rules(void **state)
{
    fixture *f = *state;
    /* Closing reasons per stage (docs/domain.md §3; SHL 34 §, 36 §, 40 §). */
    static const rule_row rows[] = {
        {"no reason", TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_NONE, "closing_reason"},
        {"advice in guidance", TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_ADVICE_GIVEN, NULL},
        {"referred in guidance (SHL 40 §)", TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_REFERRED, NULL},
        {"goals met in guidance", TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_GOALS_MET, "closing_reason"},
        {"no need in guidance", TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_NO_NEED, "closing_reason"},
        {"declined without motivation check", TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, "shl35_2_declined"},
        {"unreachable without attempts", TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_UNREACHABLE, "unreachable_policy"},
        {"no need in initial assessment", TRIAGE_STAGE_INITIAL_ASSESSMENT, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_NO_NEED, NULL},
        {"declined in initial assessment", TRIAGE_STAGE_INITIAL_ASSESSMENT, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, "closing_reason"},
        {"advice at distribution", TRIAGE_STAGE_DISTRIBUTION, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_ADVICE_GIVEN, "closing_reason"},
        {"duplicate at distribution", TRIAGE_STAGE_DISTRIBUTION, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, NULL},
        {"no need in assessment", TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_NO_NEED, NULL},
        {"goals met in assessment", TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_GOALS_MET, "closing_reason"},
        {"goals met in casework", TRIAGE_STAGE_CASEWORK, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_GOALS_MET, NULL},
        {"referred in planning", TRIAGE_STAGE_PLANNING, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_REFERRED, NULL},
        {"moved away on arrival", TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_MOVED_AWAY, NULL},
        {"advice on arrival", TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_ADVICE_GIVEN, "closing_reason"},
        /* SHL 39 §: skipping the plan needs "obviously unnecessary". */
        {"skip plan without record", TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_CASEWORK, TRIAGE_CLOSE_NONE, "shl39_plan_unnecessary"},
        {"reason on a non-closing move", TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_DISTRIBUTION, TRIAGE_CLOSE_REFERRED, "reason"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t t;
        triage_id_t c = case_in(f, rows[i].from, &t);
        triage_case_t before = get_case(f, &c);
        triage_status_t rc = move(f, &c, rows[i].to, rows[i].reason, t + HOUR_MS);
        if (!rows[i].rule) {
            if (rc != TRIAGE_OK)
                fail_msg("%s: refused (%s)", rows[i].name, triage_error_last()->argument);
            assert_int_equal(get_case(f, &c).closing_reason, rows[i].reason);
        } else {
            if (rc == TRIAGE_OK || strcmp(triage_error_last()->argument, rows[i].rule) != 0)
                fail_msg("%s: got %d [%s], expected rule %s", rows[i].name, rc,
                         triage_error_last()->argument, rows[i].rule);
            triage_case_t after = get_case(f, &c);
            assert_memory_equal(&after, &before, sizeof before);
        }
    }
}

static void test_requirements_before_assessment(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION, 0, T0, NULL);
    /* RECEIVED -> DISTRIBUTION only when IMMEDIATE. */
    assert_status(move(f, &c, TRIAGE_STAGE_DISTRIBUTION, 0, T0), TRIAGE_ESTATE);
    assert_error_arg("immediate_to_duty_pair");
    /* RECEIVED -> CASEWORK only with an active case and responsible worker. */
    assert_status(move(f, &c, TRIAGE_STAGE_CASEWORK, 0, T0), TRIAGE_ESTATE);
    assert_error_arg("continuity_own_worker");
    assert_ok(move(f, &c, TRIAGE_STAGE_GUIDANCE, 0, T0));
    assert_ok(move(f, &c, TRIAGE_STAGE_DISTRIBUTION, 0, T0));
    triage_scores_t s = scores_q(4);
    /* Classification before ASSESSMENT. */
    assert_status(move(f, &c, TRIAGE_STAGE_ASSESSMENT, 0, T0), TRIAGE_ESTATE);
    assert_error_arg("classification_required");
    assert_ok(triage_case_classify(NULL, NULL, f->e, &c, &f->sw, T0, &s));
    assert_status(move(f, &c, TRIAGE_STAGE_ASSESSMENT, 0, T0), TRIAGE_ESTATE);
    assert_error_arg("assessment_worker_required");
    /* SHL 36 § 5: a special-support client's assessment is a social worker's. */
    assert_status(triage_case_set_worker(f->e, &c, &f->sw, T0, TRIAGE_SLOT_ASSESSMENT, &f->sc),
                  TRIAGE_ESTATE);
    assert_error_arg("shl36_5_social_worker_assesses");
    assert_status(triage_case_set_worker(f->e, &c, &f->sw, T0, TRIAGE_SLOT_ASSESSMENT, &f->sg),
                  TRIAGE_ESTATE);
    assert_error_arg("qualified_worker");
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, T0, TRIAGE_SLOT_ASSESSMENT, &f->sw));
    assert_ok(move(f, &c, TRIAGE_STAGE_ASSESSMENT, 0, T0));
    /* SHL 37 § record, SHL 42 § responsible worker. */
    assert_status(move(f, &c, TRIAGE_STAGE_PLANNING, 0, T0), TRIAGE_ESTATE);
    assert_error_arg("shl37_assessment_record");
    triage_assessment_record_t rec = TRIAGE_ASSESSMENT_RECORD_INIT;
    rec.summary = rec.conclusion = 1;
    rec.nature = TRIAGE_NEED_NATURE_LONG_TERM;
    assert_status(triage_case_record_assessment(f->e, &c, &f->sw, T0, &rec), TRIAGE_EINVAL);
    assert_error_arg("rec.client_view");
    rec.client_view = 1;
    rec.nature = 0;
    assert_status(triage_case_record_assessment(f->e, &c, &f->sw, T0, &rec), TRIAGE_EINVAL);
    assert_error_arg("rec.nature");
    rec.nature = TRIAGE_NEED_NATURE_LONG_TERM;
    assert_ok(triage_case_record_assessment(f->e, &c, &f->sw, T0, &rec));
    assert_status(move(f, &c, TRIAGE_STAGE_PLANNING, 0, T0), TRIAGE_ESTATE);
    assert_error_arg("shl42_responsible_worker");
    /* Special support: a counsellor cannot be responsible (default policy). */
    assert_status(triage_case_set_worker(f->e, &c, &f->sw, T0, TRIAGE_SLOT_RESPONSIBLE, &f->sc),
                  TRIAGE_ESTATE);
    assert_error_arg("shl42_special_support_responsible");
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, T0, TRIAGE_SLOT_RESPONSIBLE, &f->sw));
    assert_ok(move(f, &c, TRIAGE_STAGE_PLANNING, 0, T0));
    triage_case_t got = get_case(f, &c);
    assert_int_equal(got.assessment_started, 20780);
    assert_int_equal(got.assessment_completed, 20780);
    assert_true(got.flags & TRIAGE_CASE_CLIENT_RELATIONSHIP);
}

static void test_responsible_unnecessary(void **state)
{
    fixture *f = *state;
    int64_t t;
    triage_id_t c = case_in(f, TRIAGE_STAGE_ASSESSMENT, &t);
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, t, TRIAGE_SLOT_RESPONSIBLE, NULL));
    assert_status(move(f, &c, TRIAGE_STAGE_PLANNING, 0, t), TRIAGE_ESTATE);
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_CASEWORK;
    m.at_ms = t;
    m.plan_unnecessary = 1;
    m.responsible_unnecessary = 1;
    assert_ok(triage_case_move(f->e, &c, &m));
    triage_case_t got = get_case(f, &c);
    assert_true(got.flags & TRIAGE_CASE_PLAN_UNNECESSARY);
    assert_true(got.flags & TRIAGE_CASE_RESPONSIBLE_UNNECESSARY);
}

static void test_declined_and_unreachable(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION, 0, T0, NULL);
    assert_ok(move(f, &c, TRIAGE_STAGE_GUIDANCE, 0, T0));
    int offer = -1;
    /* Unwilling with an urgent risk: the case goes on (SHL 35 § 2). */
    assert_ok(triage_case_motivation(&offer, f->e, &c, &f->sg, T0, TRIAGE_MOTIVATION_UNWILLING, 1));
    assert_int_equal(offer, 0);
    assert_status(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, T0), TRIAGE_ESTATE);
    assert_error_arg("shl35_2_declined");
    assert_ok(triage_case_motivation(&offer, f->e, &c, &f->sg, T0, TRIAGE_MOTIVATION_WILLING, 0));
    assert_int_equal(offer, 0);
    assert_status(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, T0), TRIAGE_ESTATE);
    assert_error_arg("motivation_unwilling");
    assert_ok(triage_case_motivation(&offer, f->e, &c, &f->sg, T0, TRIAGE_MOTIVATION_UNWILLING, 0));
    assert_int_equal(offer, 1);
    assert_status(triage_case_motivation(&offer, f->e, &c, &f->sg, T0, 9, 0), TRIAGE_EINVAL);
    assert_ok(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, T0));

    /* Unable to self-care: never DECLINED. */
    triage_id_t d = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION,
                           TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_UNABLE_TO_SELF_CARE), T0, NULL);
    assert_ok(move(f, &d, TRIAGE_STAGE_GUIDANCE, 0, T0));
    assert_ok(triage_case_motivation(&offer, f->e, &d, &f->sg, T0, TRIAGE_MOTIVATION_UNWILLING, 0));
    assert_int_equal(offer, 0);
    assert_status(move(f, &d, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DECLINED, T0), TRIAGE_ESTATE);

    /* Unreachable: 3 failed attempts over at least 5 business days. */
    triage_id_t u = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION, 0, T0, NULL);
    assert_ok(move(f, &u, TRIAGE_STAGE_GUIDANCE, 0, T0));
    assert_ok(triage_case_contact_attempt(f->e, &u, &f->sg, T0, 0));
    assert_ok(triage_case_contact_attempt(f->e, &u, &f->sg, T0 + DAY_MS, 0));
    assert_status(move(f, &u, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_UNREACHABLE, T0 + DAY_MS), TRIAGE_ESTATE);
    assert_error_arg("unreachable_policy");
    /* Third attempt Friday: only 4 business days after Monday. */
    assert_ok(triage_case_contact_attempt(f->e, &u, &f->sg, T0 + 4 * DAY_MS, 0));
    assert_status(move(f, &u, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_UNREACHABLE, T0 + 4 * DAY_MS), TRIAGE_ESTATE);
    /* A reached contact resets the count. */
    triage_id_t u2 = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION, 0, T0, NULL);
    assert_ok(move(f, &u2, TRIAGE_STAGE_GUIDANCE, 0, T0));
    /* Next Monday: 5 business days. */
    assert_ok(triage_case_contact_attempt(f->e, &u, &f->sg, T0 + 7 * DAY_MS, 0));
    assert_ok(move(f, &u, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_UNREACHABLE, T0 + 7 * DAY_MS));
    assert_ok(triage_case_contact_attempt(f->e, &u2, &f->sg, T0, 0));
    assert_ok(triage_case_contact_attempt(f->e, &u2, &f->sg, T0 + DAY_MS, 0));
    assert_ok(triage_case_contact_attempt(f->e, &u2, &f->sg, T0 + 2 * DAY_MS, 1));
    assert_ok(triage_case_contact_attempt(f->e, &u2, &f->sg, T0 + 8 * DAY_MS, 0));
    assert_status(move(f, &u2, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_UNREACHABLE, T0 + 8 * DAY_MS), TRIAGE_ESTATE);
    triage_case_t got = get_case(f, &u2);
    assert_int_equal(got.first_contact, 20782);
    assert_int_equal(got.contact_attempts, 1);
    /* Contact attempts belong to guidance-like stages. */
    int64_t t;
    triage_id_t p = case_in(f, TRIAGE_STAGE_PLANNING, &t);
    assert_status(triage_case_contact_attempt(f->e, &p, &f->sg, t, 0), TRIAGE_ESTATE);
    assert_status(triage_case_contact_attempt(f->e, &p, &f->sg, t, 3), TRIAGE_EINVAL);
    /* A no-show (a booked meeting missed) is recorded in casework stages too
     * and counted apart from unreachable attempts. */
    assert_ok(triage_case_contact_attempt(f->e, &p, &f->sg, t, TRIAGE_CONTACT_NO_SHOW));
    triage_case_t pc = get_case(f, &p);
    assert_int_equal(pc.no_shows, 1);
    assert_int_equal(pc.contact_attempts, 0);
}

static void test_closed_is_final(void **state)
{
    fixture *f = *state;
    int64_t t;
    triage_id_t c = case_in(f, TRIAGE_STAGE_CLOSED, &t);
    triage_case_t before = get_case(f, &c);
    triage_scores_t s = scores_q(1);
    assert_status(triage_case_classify(NULL, NULL, f->e, &c, &f->sw, t, &s), TRIAGE_ESTATE);
    assert_status(triage_case_set_worker(f->e, &c, &f->sw, t, TRIAGE_SLOT_PAIR, &f->sw2), TRIAGE_ESTATE);
    assert_error_arg("closed_is_final");
    assert_status(triage_case_milestone(f->e, &c, &f->sw, t, TRIAGE_MILESTONE_DECISION), TRIAGE_ESTATE);
    assert_status(triage_case_decide_special_support(f->e, &c, &f->sw, t, 1, 3), TRIAGE_ESTATE);
    triage_case_t after = get_case(f, &c);
    assert_memory_equal(&after, &before, sizeof before);
}

static void test_bad_case_arguments(void **state)
{
    fixture *f = *state;
    int64_t t;
    triage_id_t c = case_in(f, TRIAGE_STAGE_GUIDANCE, &t);
    triage_id_t bogus = c;
    bogus.bytes[0] ^= 0x80;
    assert_status(move(f, &bogus, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, t), TRIAGE_ENOTFOUND);
    assert_status(move(f, &c, 0, 0, t), TRIAGE_EINVAL);
    assert_status(move(f, &c, 9, 0, t), TRIAGE_EINVAL);
    assert_status(move(f, &c, TRIAGE_STAGE_CLOSED, 42, t), TRIAGE_EINVAL);
    assert_status(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_DUPLICATE, T0 - 1), TRIAGE_EINVAL);
    assert_error_arg("at_ms");
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_DISTRIBUTION;
    m.at_ms = t;
    m.actor = bogus;
    assert_status(triage_case_move(f->e, &c, &m), TRIAGE_ENOTFOUND);
    assert_error_arg("actor");
    m.actor = f->sc;
    m.version = 5;
    assert_status(triage_case_move(f->e, &c, &m), TRIAGE_EVERSION);
    m.version = TRIAGE_MOVE_VERSION;
    assert_status(triage_case_move(f->e, &c, NULL), TRIAGE_EINVAL);
    assert_status(triage_case_move(NULL, &c, &m), TRIAGE_EINVAL);
    assert_status(triage_case_move(f->e, NULL, &m), TRIAGE_EINVAL);
    assert_status(triage_case_set_worker(f->e, &c, &f->sw, t, 7, &f->sw), TRIAGE_EINVAL);
    assert_status(triage_case_set_worker(f->e, &c, &f->sw, t, TRIAGE_SLOT_PAIR, &bogus), TRIAGE_ENOTFOUND);
    assert_status(triage_case_milestone(f->e, &c, &f->sw, t, TRIAGE_MILESTONE_ASSESSMENT_STARTED), TRIAGE_EINVAL);
    triage_case_deadline_t dl[64];
    uint32_t n;
    assert_status(test_case_deadlines(dl, &n, NULL, f->e, &c, 20780, -1), TRIAGE_EINVAL);
    triage_event_t *evs;
    size_t ne;
    assert_status(test_event_list(&evs, &ne, f->e, NULL, 5, 4), TRIAGE_EINVAL);
    assert_status(test_event_list(&evs, &ne, f->e, &bogus, 0, 4), TRIAGE_ENOTFOUND);
    triage_scores_t s = scores_q(1);
    s.need[0] = 4;
    assert_status(triage_case_classify(NULL, NULL, f->e, &c, &f->sw, t, &s), TRIAGE_EINVAL);
    triage_case_filter_t flt = TRIAGE_CASE_FILTER_INIT;
    flt.stage = 12;
    triage_id_t *ids;
    assert_status(triage_case_list(&ids, &ne, f->e, &flt), TRIAGE_EINVAL);
}

/* ---- classification on a case (docs/domain.md §6) --------------------------------- */

static void test_special_support_decision(void **state)
{
    fixture *f = *state;
    int64_t t;
    triage_id_t c = case_in(f, TRIAGE_STAGE_DISTRIBUTION, &t);
    triage_scores_t s = scores_q(4);
    triage_classification_t k;
    triage_role_change_t change;
    assert_ok(triage_case_classify(&k, &change, f->e, &c, &f->sw, t, &s));
    assert_int_equal(k.special_support, 1);
    triage_case_t got = get_case(f, &c);
    assert_int_equal(got.special_support, 1);
    assert_int_equal(got.special_support_decided, -1);
    /* Only a social worker decides; an override needs a reason code. */
    assert_status(triage_case_decide_special_support(f->e, &c, &f->sc, t, 1, 0), TRIAGE_EINVAL);
    assert_error_arg("social_worker");
    assert_status(triage_case_decide_special_support(f->e, &c, &f->sw, t, 0, 0), TRIAGE_EINVAL);
    assert_error_arg("reason_code");
    assert_ok(triage_case_decide_special_support(f->e, &c, &f->sw, t, 0, 17));
    got = get_case(f, &c);
    assert_int_equal(got.special_support, 0);
    assert_int_equal(got.special_support_decided, 0);
    assert_int_equal(triage_id_compare(&got.special_support_decider, &f->sw), 0);
    triage_event_t ev = last_event(f, &c);
    assert_int_equal(ev.kind, TRIAGE_EVENT_SPECIAL_SUPPORT_DECIDED);
    assert_int_equal(ev.from, 1);
    assert_int_equal(ev.to, 0);
    assert_int_equal(ev.reason, 17);
    /* Overridden to "no": a counsellor may now assess. */
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, t, TRIAGE_SLOT_ASSESSMENT, &f->sc));
    /* Confirming needs no reason. */
    assert_ok(triage_case_decide_special_support(f->e, &c, &f->sw, t, 1, 0));
    assert_status(move(f, &c, TRIAGE_STAGE_ASSESSMENT, 0, t), TRIAGE_ESTATE);
    assert_error_arg("shl36_5_social_worker_assesses");
}

static void test_pair_policy(void **state)
{
    (void)state;
    /* SOCIAL_WORKER_OR_PAIR: a counsellor with a social-worker pair may be
     * responsible for a special-support client (SHL 42 § 2). */
    triage_classify_policy_t *p;
    assert_ok(triage_classify_policy_new(&p, NULL));
    assert_ok(triage_classify_policy_set_special_support_responsible(p, TRIAGE_SS_SOCIAL_WORKER_OR_PAIR));
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.classify = p;
    fixture f = {0};
    assert_ok(triage_engine_new(&f.e, &o));
    triage_classify_policy_free(p); /* the engine keeps its own copy */
    f.sw = add_worker(f.e, TRIAGE_ROLE_SOCIAL_WORKER);
    f.sc = add_worker(f.e, TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    f.sc2 = add_worker(f.e, TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    f.sg = add_worker(f.e, TRIAGE_ROLE_SERVICE_GUIDE);
    triage_id_t cl = add_client(f.e);
    triage_id_t c = intake(&f, &cl, TRIAGE_INTAKE_NOTIFICATION,
                           TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_ACUTE_CRISIS), T0, NULL);
    assert_ok(move(&f, &c, TRIAGE_STAGE_DISTRIBUTION, 0, T0));
    triage_scores_t s = scores_q(4);
    assert_ok(triage_case_classify(NULL, NULL, f.e, &c, &f.sw, T0, &s));
    assert_status(triage_case_set_worker(f.e, &c, &f.sw, T0, TRIAGE_SLOT_RESPONSIBLE, &f.sc), TRIAGE_ESTATE);
    assert_ok(triage_case_set_worker(f.e, &c, &f.sw, T0, TRIAGE_SLOT_PAIR, &f.sw));
    assert_ok(triage_case_set_worker(f.e, &c, &f.sw, T0, TRIAGE_SLOT_RESPONSIBLE, &f.sc));
    /* Removing the social-worker pair would make it unlawful. */
    assert_status(triage_case_set_worker(f.e, &c, &f.sw, T0, TRIAGE_SLOT_PAIR, NULL), TRIAGE_ESTATE);
    assert_status(triage_case_set_worker(f.e, &c, &f.sw, T0, TRIAGE_SLOT_PAIR, &f.sc2), TRIAGE_ESTATE);
    triage_engine_free(f.e);
}

/* ---- the North Savo scenario ------------------------------------------------ */

static void test_north_savo_scenario(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    int64_t t = T0;
    /* A notification arrives (SHL 35 §). */
    triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_NOTIFICATION, 0, t, NULL);
    assert_ok(move(f, &c, TRIAGE_STAGE_GUIDANCE, 0, t += HOUR_MS));
    /* Guidance: unreachable twice, then reached and willing. */
    assert_ok(triage_case_contact_attempt(f->e, &c, &f->sg, t += HOUR_MS, 0));
    assert_ok(triage_case_contact_attempt(f->e, &c, &f->sg, t += DAY_MS, 0));
    assert_ok(triage_case_contact_attempt(f->e, &c, &f->sg, t += DAY_MS, 1));
    assert_ok(triage_case_motivation(NULL, f->e, &c, &f->sg, t, TRIAGE_MOTIVATION_WILLING, 0));
    /* Distribution by the duty pair: Q4, special support. */
    assert_ok(move(f, &c, TRIAGE_STAGE_DISTRIBUTION, 0, t += HOUR_MS));
    triage_scores_t s = scores_q(4);
    triage_classification_t k;
    triage_role_change_t change;
    assert_ok(triage_case_classify(&k, &change, f->e, &c, &f->sw, t, &s));
    assert_int_equal(k.quadrant, TRIAGE_Q4_SPECIAL_SUPPORT);
    assert_int_equal(change, TRIAGE_ROLE_CHANGE_NONE);
    assert_ok(triage_case_decide_special_support(f->e, &c, &f->sw, t, 1, 0));
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, t, TRIAGE_SLOT_ASSESSMENT, &f->sw));
    /* Assessment, plan, casework. */
    assert_ok(move(f, &c, TRIAGE_STAGE_ASSESSMENT, 0, t += DAY_MS));
    triage_assessment_record_t rec = {TRIAGE_ASSESSMENT_RECORD_VERSION, 1, 1, 1, 1,
                                      TRIAGE_NEED_NATURE_LONG_TERM};
    assert_ok(triage_case_record_assessment(f->e, &c, &f->sw, t += DAY_MS, &rec));
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, t, TRIAGE_SLOT_RESPONSIBLE, &f->sw));
    assert_ok(move(f, &c, TRIAGE_STAGE_PLANNING, 0, t += DAY_MS));
    assert_ok(move(f, &c, TRIAGE_STAGE_CASEWORK, 0, t += DAY_MS));
    /* Need falls: reclassified Q2; the role change is reported. */
    triage_scores_t s2 = scores_q(2);
    assert_ok(triage_case_classify(&k, &change, f->e, &c, &f->sw, t += 30 * DAY_MS, &s2));
    assert_int_equal(k.quadrant, TRIAGE_Q2_SOCIAL_GUIDANCE_WORK);
    assert_int_equal(k.preferred_role, TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    assert_int_equal(change, TRIAGE_ROLE_CHANGE_SUGGESTED);
    assert_true(get_case(f, &c).flags & TRIAGE_CASE_ROLE_CHANGE_SUGGESTED);
    assert_ok(triage_case_set_worker(f->e, &c, &f->sw, t += HOUR_MS, TRIAGE_SLOT_RESPONSIBLE, &f->sc));
    assert_false(get_case(f, &c).flags & (TRIAGE_CASE_ROLE_CHANGE_SUGGESTED | TRIAGE_CASE_ROLE_MISMATCH));
    assert_ok(move(f, &c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_GOALS_MET, t += 60 * DAY_MS));

    /* The events tell the whole story, in order. */
    static const struct { triage_event_kind_t kind; int from, to; } story[] = {
        {TRIAGE_EVENT_INTAKE, 0, TRIAGE_STAGE_RECEIVED},
        {TRIAGE_EVENT_URGENCY_ASSESSED, 0, TRIAGE_URGENCY_NORMAL},
        {TRIAGE_EVENT_STAGE_CHANGED, TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_GUIDANCE},
        {TRIAGE_EVENT_CONTACT_ATTEMPT, 1, 0},
        {TRIAGE_EVENT_CONTACT_ATTEMPT, 2, 0},
        {TRIAGE_EVENT_CONTACT_ATTEMPT, 0, 1},
        {TRIAGE_EVENT_MOTIVATION_CHECKED, 0, TRIAGE_MOTIVATION_WILLING},
        {TRIAGE_EVENT_STAGE_CHANGED, TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_DISTRIBUTION},
        {TRIAGE_EVENT_CLASSIFIED, 0, 4},
        {TRIAGE_EVENT_SPECIAL_SUPPORT_DECIDED, 1, 1},
        {TRIAGE_EVENT_WORKER_ASSIGNED, 0, TRIAGE_ROLE_SOCIAL_WORKER},
        {TRIAGE_EVENT_STAGE_CHANGED, TRIAGE_STAGE_DISTRIBUTION, TRIAGE_STAGE_ASSESSMENT},
        {TRIAGE_EVENT_ASSESSMENT_RECORDED, 0, TRIAGE_NEED_NATURE_LONG_TERM},
        {TRIAGE_EVENT_WORKER_ASSIGNED, 0, TRIAGE_ROLE_SOCIAL_WORKER},
        {TRIAGE_EVENT_STAGE_CHANGED, TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_PLANNING},
        {TRIAGE_EVENT_STAGE_CHANGED, TRIAGE_STAGE_PLANNING, TRIAGE_STAGE_CASEWORK},
        {TRIAGE_EVENT_DEADLINE_ADDED, -1, TRIAGE_DEADLINE_PLAN_REVIEW}, /* from: its due date */
        {TRIAGE_EVENT_CLASSIFIED, 4, 2},
        {TRIAGE_EVENT_WORKER_ASSIGNED, TRIAGE_ROLE_SOCIAL_WORKER, TRIAGE_ROLE_SOCIAL_COUNSELLOR},
        {TRIAGE_EVENT_STAGE_CHANGED, TRIAGE_STAGE_CASEWORK, TRIAGE_STAGE_CLOSED},
    };
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, f->e, &c, INT64_MIN, INT64_MAX));
    assert_int_equal(n, sizeof story / sizeof story[0]);
    for (size_t i = 0; i < n; i++) {
        if (evs[i].kind != story[i].kind ||
            (story[i].from != -1 && evs[i].from != story[i].from) || evs[i].to != story[i].to)
            fail_msg("event %zu: %s %d->%d, expected %s %d->%d", i,
                     triage_event_kind_name(evs[i].kind), evs[i].from, evs[i].to,
                     triage_event_kind_name(story[i].kind), story[i].from, story[i].to);
        assert_int_equal(triage_id_compare(&evs[i].case_id, &c), 0);
        if (i)
            assert_true(evs[i].seq > evs[i - 1].seq && evs[i].at_ms >= evs[i - 1].at_ms);
    }
    assert_int_equal(evs[n - 1].reason, TRIAGE_CLOSE_GOALS_MET);
    assert_string_equal(evs[8].policy_id, "fi-default");
    triage_free(evs);
    /* Period filter. */
    assert_ok(test_event_list(&evs, &n, f->e, &c, T0, T0 + HOUR_MS));
    assert_int_equal(n, 3);
    triage_free(evs);

    /* Deadlines: D8 was met by the assessment start (2026-11-26 <= 2026-12-14). */
    triage_case_deadline_t dl[64];
    uint32_t nd;
    int32_t next;
    assert_ok(test_case_deadlines(dl, &nd, &next, f->e, &c, 20900, 3));
    int seen = 0;
    for (uint32_t i = 0; i < nd; i++)
        if (dl[i].deadline.row == TRIAGE_DEADLINE_D8) {
            seen = 1;
            assert_int_equal(dl[i].state, TRIAGE_DEADLINE_MET);
            assert_int_equal(dl[i].met, 20783);
        }
    assert_true(seen);
}

static void test_deadline_status_on_case(void **state)
{
    fixture *f = *state;
    triage_id_t cl = add_client(f->e);
    triage_id_t c = intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0, NULL);
    triage_case_deadline_t dl[64];
    uint32_t nd;
    int32_t next;
    /* 2027-01-04, long after the D8 due date 2026-12-14: missed. */
    assert_ok(test_case_deadlines(dl, &nd, &next, f->e, &c, 20822, 2));
    assert_true(next >= 0);
    for (uint32_t i = 0; i < nd; i++) {
        if (dl[i].deadline.row == TRIAGE_DEADLINE_D8) {
            assert_int_equal(dl[i].state, TRIAGE_DEADLINE_MISSED);
            assert_true(dl[i].overdue > 0);
        }
        if (dl[i].deadline.row == TRIAGE_DEADLINE_D1)
            assert_int_equal(dl[i].state, TRIAGE_DEADLINE_MET);
    }
    /* Closed at guidance in time (advice given, SHL 36 §): the assessment is
     * no longer owed, so D8 is cancelled rather than missed. */
    triage_id_t adv = intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0, NULL);
    assert_ok(move(f, &adv, TRIAGE_STAGE_GUIDANCE, 0, T0 + HOUR_MS));
    assert_ok(move(f, &adv, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_ADVICE_GIVEN, T0 + DAY_MS));
    assert_ok(test_case_deadlines(dl, &nd, &next, f->e, &adv, 20822, 2));
    int seen = 0;
    for (uint32_t i = 0; i < nd; i++)
        if (dl[i].deadline.row == TRIAGE_DEADLINE_D8) {
            seen = 1;
            assert_int_equal(dl[i].state, TRIAGE_DEADLINE_CANCELLED);
            assert_int_equal(dl[i].overdue, 0);
        }
    assert_true(seen);
    assert_int_equal(next, -1);
    /* Closed after the due date without the milestone: missed, counted up
     * to the closing day (due 2026-12-14, closed 2026-12-16: 2 days). */
    triage_id_t late = intake(f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0, NULL);
    assert_ok(move(f, &late, TRIAGE_STAGE_GUIDANCE, 0, T0 + HOUR_MS));
    assert_ok(move(f, &late, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_ADVICE_GIVEN, T0 + 23 * DAY_MS));
    assert_ok(test_case_deadlines(dl, &nd, &next, f->e, &late, 20900, 2));
    for (uint32_t i = 0; i < nd; i++)
        if (dl[i].deadline.row == TRIAGE_DEADLINE_D8) {
            assert_int_equal(dl[i].state, TRIAGE_DEADLINE_MISSED);
            assert_int_equal(dl[i].overdue, 2);
        }
}

/* ---- audit callback (docs/domain.md §11) --------------------------------------- */

typedef struct {
    int reads, creates, updates;
    triage_audit_object_t last_obj;
    triage_id_t last_id;
} audit_log;

static void on_audit(void *ud, triage_audit_action_t a, triage_audit_object_t o, const triage_id_t *id)
{
    audit_log *l = ud;
    l->reads += a == TRIAGE_AUDIT_READ;
    l->creates += a == TRIAGE_AUDIT_CREATE;
    l->updates += a == TRIAGE_AUDIT_UPDATE;
    l->last_obj = o;
    if (id)
        l->last_id = *id;
}

static void test_audit_callback(void **state)
{
    (void)state;
    audit_log log = {0};
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.audit = on_audit;
    o.audit_userdata = &log;
    fixture f = {0};
    assert_ok(triage_engine_new(&f.e, &o));
    triage_id_t cl = add_client(f.e);
    assert_int_equal(log.creates, 1);
    assert_int_equal(log.last_obj, TRIAGE_AUDIT_CLIENT);
    triage_id_t c = intake(&f, &cl, TRIAGE_INTAKE_CONTACT, 0, T0, NULL);
    assert_int_equal(log.creates, 2); /* the case */
    assert_int_equal(log.updates, 1); /* the client's counters */
    triage_case_t got;
    got.version = TRIAGE_CASE_VERSION;
    int reads = log.reads;
    assert_ok(triage_case_get(&got, f.e, &c));
    assert_int_equal(log.reads, reads + 1);
    assert_int_equal(log.last_obj, TRIAGE_AUDIT_CASE);
    assert_int_equal(triage_id_compare(&log.last_id, &c), 0);
    /* A failed call reports nothing. */
    int total = log.reads + log.creates + log.updates;
    assert_status(move(&f, &c, TRIAGE_STAGE_PLANNING, 0, T0), TRIAGE_ESTATE);
    assert_int_equal(log.reads + log.creates + log.updates, total);
    triage_engine_free(f.e);
}

/* ---- allocation failure at every call site --------------------------------- */

typedef triage_status_t (*op_fn)(fixture *f, const triage_id_t *c, int64_t t);

static triage_status_t op_move_guidance(fixture *f, const triage_id_t *c, int64_t t)
{
    return move(f, c, TRIAGE_STAGE_GUIDANCE, 0, t);
}

static triage_status_t op_close(fixture *f, const triage_id_t *c, int64_t t)
{
    return move(f, c, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_MOVED_AWAY, t);
}

static triage_status_t op_classify(fixture *f, const triage_id_t *c, int64_t t)
{
    triage_scores_t s = scores_q(3);
    return triage_case_classify(NULL, NULL, f->e, c, &f->sw, t, &s);
}

static triage_status_t op_set_responsible(fixture *f, const triage_id_t *c, int64_t t)
{
    return triage_case_set_worker(f->e, c, &f->sw, t, TRIAGE_SLOT_RESPONSIBLE, &f->sw2);
}

static triage_status_t op_contact(fixture *f, const triage_id_t *c, int64_t t)
{
    return triage_case_contact_attempt(f->e, c, &f->sg, t, 1);
}

static void snapshot(fixture *f, const triage_id_t *c, triage_case_t *cs, triage_client_t *cl,
                     size_t *nev)
{
    f->fa.fail_at = 0;
    assert_ok(triage_case_get(cs, f->e, c));
    assert_ok(triage_client_get(cl, f->e, &cs->client));
    *nev = event_count(f);
}

static void test_allocation_failures(void **state)
{
    fixture *f = *state;
    static const struct { op_fn op; triage_stage_t stage; } ops[] = {
        {op_move_guidance, TRIAGE_STAGE_RECEIVED},
        {op_close, TRIAGE_STAGE_CASEWORK},
        {op_classify, TRIAGE_STAGE_DISTRIBUTION},
        {op_set_responsible, TRIAGE_STAGE_ASSESSMENT},
        {op_contact, TRIAGE_STAGE_GUIDANCE},
    };
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        int64_t t;
        triage_id_t c = case_in(f, ops[k].stage, &t);
        int failures = 0;
        for (long n = 1;; n++) {
            triage_case_t before, after;
            before.version = TRIAGE_CASE_VERSION;
            after.version = TRIAGE_CASE_VERSION;
            triage_client_t clb, cla;
            clb.version = TRIAGE_CLIENT_VERSION;
            cla.version = TRIAGE_CLIENT_VERSION;
            size_t nb, na;
            snapshot(f, &c, &before, &clb, &nb);
            f->fa.fail_at = f->fa.calls + n;
            triage_status_t rc = ops[k].op(f, &c, t + HOUR_MS);
            f->fa.fail_at = 0;
            if (rc == TRIAGE_OK)
                break;
            failures++;
            assert_int_equal(rc, TRIAGE_ENOMEM);
            snapshot(f, &c, &after, &cla, &na);
            assert_memory_equal(&after, &before, sizeof before);
            assert_memory_equal(&cla, &clb, sizeof clb);
            assert_int_equal(na, nb);
        }
        assert_true(failures >= 2); /* the op allocates at least twice */
    }
    /* Intake: every allocation site, including table growth. */
    for (int round = 0; round < 40; round++) {
        triage_id_t cl = add_client(f->e);
        for (long n = 1;; n++) {
            triage_id_t *ids;
            size_t ncases, nev = event_count(f);
            assert_ok(triage_case_list(&ids, &ncases, f->e, NULL));
            triage_free(ids);
            triage_intake_t in = TRIAGE_INTAKE_INIT;
            in.client = cl;
            in.kind = TRIAGE_INTAKE_NOTIFICATION;
            in.received_ms = T0;
            triage_intake_result_t r;
            r.version = TRIAGE_INTAKE_RESULT_VERSION;
            f->fa.fail_at = f->fa.calls + n;
            triage_status_t rc = triage_intake(&r, f->e, &in);
            f->fa.fail_at = 0;
            if (rc == TRIAGE_OK)
                break;
            assert_int_equal(rc, TRIAGE_ENOMEM);
            size_t after_cases;
            assert_ok(triage_case_list(&ids, &after_cases, f->e, NULL));
            triage_free(ids);
            assert_int_equal(after_cases, ncases);
            assert_int_equal(event_count(f), nev);
            triage_client_t c;
            c.version = TRIAGE_CLIENT_VERSION;
            assert_ok(triage_client_get(&c, f->e, &cl));
            assert_int_equal(c.notifications, 0);
        }
    }
}

/* The engine's id source (options.generate_id): sequential ids are used
 * as given; a source that repeats an id in use is refused cleanly. */
static void counter_id(void *ud, triage_id_t *out)
{
    uint32_t *n = ud;
    memset(out, 0, sizeof *out);
    out->bytes[15] = (uint8_t)++*n;
}

static void stuck_id(void *ud, triage_id_t *out)
{
    (void)ud;
    memset(out, 0, sizeof *out);
    out->bytes[0] = 7;
}

static void test_id_source(void **state)
{
    (void)state;
    uint32_t n = 0;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.generate_id = counter_id;
    o.id_userdata = &n;
    triage_engine_t *e;
    assert_ok(triage_engine_new(&e, &o));
    triage_id_t a = add_client(e), b = add_client(e);
    assert_int_equal(a.bytes[15], 1);
    assert_int_equal(b.bytes[15], 2);
    triage_engine_free(e);

    o.generate_id = stuck_id;
    assert_ok(triage_engine_new(&e, &o));
    add_client(e);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_status(triage_client_create(&id, e, &c), TRIAGE_ECONFLICT);
    assert_error_arg("generate_id");
    triage_id_t *ids;
    size_t count;
    assert_ok(triage_client_list(&ids, &count, e));
    assert_int_equal(count, 1);
    triage_free(ids);
    triage_engine_free(e);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(triage_stage_name(TRIAGE_STAGE_INITIAL_ASSESSMENT), "initial_assessment");
    assert_null(triage_stage_name(0));
    assert_null(triage_stage_name(9));
    assert_string_equal(triage_closing_reason_name(TRIAGE_CLOSE_GOALS_MET), "goals_met");
    assert_null(triage_closing_reason_name(9));
    assert_string_equal(triage_channel_name(TRIAGE_CHANNEL_KELA), "kela");
    assert_null(triage_channel_name(0));
    assert_string_equal(triage_event_kind_name(TRIAGE_EVENT_CLASSIFIED), "classified");
    assert_null(triage_event_kind_name(99));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_validation),
        cmocka_unit_test(test_default_clock_is_fixed_in_tests),
        cmocka_unit_test(test_engine_new_allocation_failures),
        T(test_client_crud),
        T(test_worker_validation),
        T(test_intake_opens_received_case),
        T(test_intake_bad_input),
        T(test_emergency_services_out_of_hours),
        cmocka_unit_test(test_local_time),
        T(test_repeat_notification_flag),
        T(test_continuity_attaches_intake),
        T(test_shl29_emergency_flag_on_attached_intake),
        T(test_attached_intake_keeps_its_own_deadlines),
        T(test_ttl14b_urgent_application_is_one_fact),
        T(test_repeat_notification_window_kinds_and_threshold),
        T(test_d1_met_on_arrival_or_when_assessed),
        T(test_transition_matrix),
        T(test_transition_rules),
        T(test_requirements_before_assessment),
        T(test_responsible_unnecessary),
        T(test_declined_and_unreachable),
        T(test_shl35_2_declined_needs_no_urgent_tier),
        T(test_shl45_2_service_decision_adds_d9),
        T(test_ttl14c_completion_period_and_completion),
        T(test_ttl14e_meeting_request_any_time),
        T(test_shl39_plan_review_deadline),
        T(test_attached_assessment_row_met_by_reassessment),
        T(test_assess_urgency_touches_only_its_intake),
        T(test_closed_is_final),
        T(test_bad_case_arguments),
        T(test_special_support_decision),
        cmocka_unit_test(test_pair_policy),
        T(test_north_savo_scenario),
        T(test_deadline_status_on_case),
        cmocka_unit_test(test_audit_callback),
        T(test_allocation_failures),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_id_source),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
