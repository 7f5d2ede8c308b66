/*
 * The storage interface (docs/domain.md §8; docs/conventions.md rules 9-13): vtable
 * negotiation, loading, the all-or-nothing guarantee under store failures
 * at every callback of a full scenario, the memory store, and decoding
 * that refuses damaged records (the SQLite store: test_sqlite.c).
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storeutil.h"
#include "engine/engine_internal.h"
#include "store/store_memory.h"

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/triage-store-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void run_scenario(triage_engine_t *e, scenario *s)
{
    memset(s, 0, sizeof *s);
    s->t = SC_T0;
    triage_status_t rc;
    for (int i = 0; (rc = scenario_step(e, s, i)) != TRIAGE_ITEROVER; i++)
        if (rc)
            fail_msg("scenario step %d: %s [%s]", i, triage_error_last()->message,
                     triage_error_last()->argument);
}

/* A fresh store of interface `version`: the test store of interface 1, or
 * the library's memory store (interface 2). The caller destroys it. */
static triage_store_t make_store(int version, const triage_allocator_t *alloc)
{
    if (version == 1)
        return v1_store();
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, alloc));
    return mem;
}

/* ---- negotiation --------------------------------------------------------- */

static int destroy_count;
static void count_destroy(void *ud)
{
    (void)ud;
    destroy_count++;
}

static void test_vtable_negotiation(void **state)
{
    (void)state;
    triage_store_t v1 = v1_store(), mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_store_t s = v1;
    s.destroy = count_destroy; /* the test keeps the stores */
    triage_engine_t *e = NULL;

    destroy_count = 0;
    s.version = 0;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EVERSION);
    s.version = TRIAGE_STORE_VERSION + 1;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EVERSION);
    assert_error_arg("store.version");
    assert_int_equal(destroy_count, 0); /* still the caller's */
    assert_null(e);

    /* A required method missing: named, and destroy runs once. */
    s.version = 1;
    s.append_event = NULL;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EINVAL);
    assert_error_arg("store.append_event");
    assert_int_equal(destroy_count, 1);

    /* Version 1 accepted; optional methods NULL are fine. */
    s = v1;
    s.destroy = count_destroy;
    s.get = NULL;
    s.del = NULL;
    s.schema_version = NULL;
    destroy_count = 0;
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    triage_engine_free(e);
    assert_int_equal(destroy_count, 1);

    /* No destroy at all is allowed too. */
    s.destroy = NULL;
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_engine_free(e);

    /* Version 2 needs its own methods, not those of version 1. */
    static const size_t v2_required[] = {
        offsetof(triage_store_t, last_seq),      offsetof(triage_store_t, put_record),
        offsetof(triage_store_t, get_record),    offsetof(triage_store_t, query_records),
        offsetof(triage_store_t, append_event2), offsetof(triage_store_t, query_events)};
    static const char *const v2_names[] = {"store.last_seq",      "store.put_record",
                                           "store.get_record",    "store.query_records",
                                           "store.append_event2", "store.query_events"};
    for (size_t i = 0; i < sizeof v2_required / sizeof v2_required[0]; i++) {
        s = mem;
        s.destroy = count_destroy;
        memset((char *)&s + v2_required[i], 0, sizeof(void (*)(void)));
        destroy_count = 0;
        assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EINVAL);
        assert_error_arg(v2_names[i]);
        assert_int_equal(destroy_count, 1);
    }
    s = mem;
    s.destroy = NULL;
    s.read_end = NULL; /* a snapshot that never ends */
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EINVAL);
    assert_error_arg("store.read_end");
    s = mem;
    s.destroy = NULL;
    s.put = NULL; /* the version-1 methods are not needed */
    s.list = NULL;
    s.read_begin = NULL; /* nor a read snapshot */
    s.read_end = NULL;
    assert_ok(triage_engine_open(&e, NULL, &s));
    assert_ok(triage_client_create(&id, e, &c));
    triage_engine_free(e);

    /* Version 3: begin_rebased and commit_rebased come together or not at
     * all; a version-2 store's bytes end before them, so they are not read */
    s = mem;
    s.destroy = count_destroy;
    s.commit_rebased = NULL;
    destroy_count = 0;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EINVAL);
    assert_error_arg("store.commit_rebased");
    assert_int_equal(destroy_count, 1);
    s = mem;
    s.destroy = NULL;
    s.begin_rebased = NULL;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EINVAL);
    assert_error_arg("store.begin_rebased");
    s = mem;
    s.destroy = NULL;
    s.version = 2;
    s.commit_rebased = NULL;
    assert_ok(triage_engine_open(&e, NULL, &s));
    assert_ok(triage_client_create(&id, e, &c));
    triage_engine_free(e);

    triage_store_t init;
    assert_ok(triage_store_init(&init, TRIAGE_STORE_VERSION));
    assert_int_equal(init.version, TRIAGE_STORE_VERSION);
    assert_null(init.begin);
    assert_null(init.query_events);
    assert_null(init.begin_rebased);
    assert_null(init.commit_rebased);
    assert_ok(triage_store_init(&init, 2));
    assert_int_equal(init.version, 2);
    assert_ok(triage_store_init(&init, 1));
    assert_int_equal(init.version, 1);
    assert_status(triage_store_init(&init, TRIAGE_STORE_VERSION + 1), TRIAGE_EVERSION);
    assert_status(triage_engine_open(&e, NULL, NULL), TRIAGE_EINVAL);
    v1.destroy(v1.userdata);
    mem.destroy(mem.userdata);
}

/* ---- persistence through the memory store ----------------------------------- */

static void run_reopen_memory(int version)
{
    triage_store_t mem = make_store(version, NULL);
    faulty f = {.inner = mem};
    triage_store_t s = faulty_store(&f);
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    scenario sc;
    run_scenario(e, &sc);
    sbuf before = dump_engine(e);
    triage_engine_free(e);
    assert_int_equal(f.destroyed, 1);
    assert_ok(triage_engine_open(&e, NULL, &s));
    assert_same(before, dump_engine(e));
    /* It goes on where it stopped: new events continue the sequence. */
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    int64_t last = evs[n - 1].seq;
    triage_free(evs);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    assert_int_equal(evs[n - 1].seq, last + 1);
    triage_free(evs);
    triage_engine_free(e);
    mem.destroy(mem.userdata);
}

static void test_reopen_memory(void **state)
{
    (void)state;
    run_reopen_memory(1);
    run_reopen_memory(2);
}

/* ---- every callback of the scenario fails once ----------------------------- */

static void run_fault_injection_every_callback(int version)
{
    failing_alloc fa = {0};
    triage_allocator_t alloc = fa_allocator(&fa);
    triage_store_t mem = make_store(version, &alloc);
    faulty f = {.inner = mem, .code = 4242};
    triage_store_t s = faulty_store(&f);
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.allocator = alloc;
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, &o, &s));
    scenario sc;
    memset(&sc, 0, sizeof sc);
    sc.t = SC_T0;
    int steps = 0, injected = 0;
    for (int i = 0;; i++) {
        triage_status_t rc;
        for (long n = 1;; n++) {
            sbuf eng = dump_engine(e), st = dump_store(&mem);
            scenario saved = sc;
            f.fail_at = f.calls + n;
            rc = scenario_step(e, &sc, i);
            f.fail_at = 0;
            if (rc != TRIAGE_ESTORE) {
                free(eng.buf);
                free(st.buf);
                break;
            }
            injected++;
            if (triage_error_last()->cause != 4242)
                fail_msg("step %d call %ld: cause %d (%s)", i, n, triage_error_last()->cause,
                         triage_error_last()->message);
            assert_false(f.in_txn); /* rolled back */
            sc = saved;
            assert_same(eng, dump_engine(e));
            assert_same(st, dump_store(&mem));
        }
        if (rc == TRIAGE_ITEROVER)
            break;
        if (rc)
            fail_msg("step %d: %s", i, triage_error_last()->message);
        steps++;
    }
    assert_int_equal(steps, 24);
    assert_true(injected >= 24 * 3); /* at least begin, a put and commit per step */
    /* The store holds what the engine shows. */
    sbuf now = dump_engine(e);
    triage_engine_free(e);
    assert_ok(triage_engine_open(&e, &o, &s));
    assert_same(now, dump_engine(e));
    triage_engine_free(e);
    mem.destroy(mem.userdata);
    assert_int_equal(fa.live, 0);
}

static void test_fault_injection_every_callback(void **state)
{
    (void)state;
    run_fault_injection_every_callback(1);
    run_fault_injection_every_callback(2);
}

/* A rollback that fails: the engine keeps its memory as it was and refuses
 * every later write (the store's state is unknown) until it is reopened. */
static void run_failed_rollback(int version)
{
    triage_store_t mem = make_store(version, NULL);
    faulty f = {.inner = mem, .code = 55};
    triage_store_t s = faulty_store(&f);
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id, id2;
    assert_ok(triage_client_create(&id, e, &c));
    sbuf before = dump_engine(e);
    f.rollback_fails = 1;
    /* the first write after begin (interface 2 asks last_seq first) */
    f.fail_at = f.calls + (version == 1 ? 2 : 3);
    assert_status(triage_client_create(&id2, e, &c), TRIAGE_ESTORE);
    assert_int_equal(f.rollbacks, 1);
    assert_int_equal(triage_error_last()->cause, 55);
    f.fail_at = 0;
    f.rollback_fails = 0;
    long calls = f.calls;
    assert_status(triage_client_create(&id2, e, &c), TRIAGE_ESTORE);
    assert_non_null(strstr(triage_error_last()->message, "rollback failed"));
    assert_int_equal(f.calls, calls); /* the store is not touched again */
    assert_same(before, dump_engine(e));
    triage_engine_free(e);
    /* Reopened on the (rolled back) store: as before, and writable. */
    assert_ok(triage_engine_open(&e, NULL, &s));
    before = dump_engine(e);
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_client_list(&ids, &n, e));
    assert_int_equal(n, 1);
    triage_free(ids);
    assert_ok(triage_client_create(&id2, e, &c));
    free(before.buf);
    triage_engine_free(e);
    mem.destroy(mem.userdata);
}

static void test_failed_rollback(void **state)
{
    (void)state;
    run_failed_rollback(1);
    run_failed_rollback(2);
}

static void run_load_failures(int version)
{
    triage_store_t mem = make_store(version, NULL);
    faulty f = {.inner = mem, .code = 77};
    triage_store_t s = faulty_store(&f);
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    scenario sc;
    run_scenario(e, &sc);
    triage_engine_free(e);
    /* Each list callback failing while loading: ESTORE, destroy once. */
    long before = f.calls;
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_engine_free(e);
    long lists = f.calls - before;
    assert_true(lists >= 4); /* every record kind the engine keeps, and events */
    for (long n = 1; n <= lists; n++) {
        f.destroyed = 0;
        f.fail_at = f.calls + n;
        e = (triage_engine_t *)&f; /* must be left untouched */
        assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ESTORE);
        assert_int_equal(triage_error_last()->cause, 77);
        assert_ptr_equal(e, (triage_engine_t *)&f);
        assert_int_equal(f.destroyed, 1);
    }
    f.fail_at = 0;
    /* Allocation failure while loading. */
    for (long n = 1;; n++) {
        failing_alloc fa = {.fail_at = n};
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.allocator = fa_allocator(&fa);
        e = NULL;
        triage_status_t rc = triage_engine_open(&e, &o, &s);
        if (rc == TRIAGE_OK) {
            triage_engine_free(e);
            assert_int_equal(fa.live, 0);
            break;
        }
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_null(e);
        assert_int_equal(fa.live, 0);
    }
    mem.destroy(mem.userdata);
}

static void test_load_failures(void **state)
{
    (void)state;
    run_load_failures(1);
    run_load_failures(2);
}

/* A store that claims a newer schema, or holds a newer record. */
static int schema_two(void *ud, uint32_t *out)
{
    (void)ud;
    *out = TRIAGE_STORE_SCHEMA_VERSION + 1;
    return 0;
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    triage_store_t mem = v1_store(); /* the raw record and event methods of interface 1 */
    triage_store_t s = mem;
    s.destroy = NULL;
    s.schema_version = schema_two;
    triage_engine_t *e = NULL;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EVERSION);
    assert_null(e);
    /* A record whose header says schema 2. */
    s.schema_version = NULL;
    assert_int_equal(mem.begin(mem.userdata), 0);
    unsigned char rec[12 + sizeof(triage_client_t) + 64];
    memset(rec, 0, sizeof rec);
    memcpy(rec, "TRGR", 4);
    rec[4] = TRIAGE_STORE_SCHEMA_VERSION + 1;
    rec[6] = TRIAGE_RECORD_CLIENT;
    triage_id_t id = {{1}};
    triage_record_keys_t k = {0};
    assert_int_equal(mem.put(mem.userdata, TRIAGE_RECORD_CLIENT, &id, &k, rec, sizeof rec), 0);
    assert_int_equal(mem.commit(mem.userdata), 0);
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_EVERSION);
    /* Garbage is a conflict, not a crash. */
    memcpy(rec, "JUNK", 4);
    assert_int_equal(mem.begin(mem.userdata), 0);
    assert_int_equal(mem.put(mem.userdata, TRIAGE_RECORD_CLIENT, &id, &k, rec, 7), 0);
    assert_int_equal(mem.commit(mem.userdata), 0);
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ECORRUPT);
    assert_error_arg("client.header");
    mem.destroy(mem.userdata);
}

static void test_record_decode(void **state)
{
    (void)state;
    triage_store_t mem = v1_store(); /* the raw record and event methods of interface 1 */
    faulty f = {.inner = mem};
    triage_store_t s = faulty_store(&f);
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    scenario sc;
    run_scenario(e, &sc);
    unsigned char buf[4096];
    size_t len = 0;
    assert_int_equal(mem.get(mem.userdata, TRIAGE_RECORD_CASE, &sc.c1, buf, sizeof buf, &len), 0);
    triage_case_t c, direct;
    c.version = TRIAGE_CASE_VERSION;
    direct.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_record_decode(&c, TRIAGE_RECORD_CASE, buf, len));
    assert_ok(triage_case_get(&direct, e, &sc.c1));
    assert_memory_equal(&c, &direct, sizeof c);
    assert_status(triage_record_decode(&c, TRIAGE_RECORD_CLIENT, buf, len), TRIAGE_EINVAL);
    assert_status(triage_record_decode(&c, TRIAGE_RECORD_CASE, buf, 5), TRIAGE_ECORRUPT);
    assert_error_arg("case.header");
    assert_status(triage_record_decode(&c, TRIAGE_RECORD_CASE, buf, len - 1), TRIAGE_ECORRUPT);
    assert_error_arg("case.length");
    assert_status(triage_record_decode(&c, TRIAGE_RECORD_ABSENCE, buf, len), TRIAGE_EINVAL);
    assert_status(triage_record_decode(NULL, TRIAGE_RECORD_CASE, buf, len), TRIAGE_EINVAL);
    triage_engine_free(e);
    mem.destroy(mem.userdata);
}

/* A callback that sets its own message. */
static int failing_begin(void *ud)
{
    (void)ud;
    triage_store_error_set("disk quota exceeded");
    return 28;
}

static void test_callback_message(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_store_t s = mem;
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_engine_free(e); /* destroyed mem */
    assert_ok(triage_store_memory(&mem, NULL));
    s = mem;
    s.begin = failing_begin;
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_status(triage_client_create(&id, e, &c), TRIAGE_ESTORE);
    assert_int_equal(triage_error_last()->cause, 28);
    assert_string_equal(triage_error_last()->message, "disk quota exceeded");
    assert_string_equal(triage_error_last()->argument, "begin");
    triage_engine_free(e);
}

/* Field edits of a decoded case (the same as test_sqlite.c makes in a file). */
static void ed_milestone(void *r) { ((triage__case *)r)->deadlines[0].milestone = 200; }
static void ed_stage(void *r) { ((triage__case *)r)->stage = 99; }
static void ed_urgency(void *r) { ((triage__case *)r)->urgency = 77; }
static void ed_channel(void *r) { ((triage__case *)r)->channel = 1000; }
static void ed_reason(void *r) { ((triage__case *)r)->closing_reason = 99; }
static void ed_flags(void *r) { ((triage__case *)r)->flags = 0x10000; }
static void ed_row_case(void *r) { ((triage__case *)r)->deadlines[0].case_id.bytes[0] ^= 1; }
static void ed_row_intake(void *r) { ((triage__case *)r)->deadlines[0].intake_id.bytes[0] ^= 1; }

static void expect_corrupt(const char *field)
{
    const triage_error_t *le = triage_error_last();
    assert_int_equal(le->code, TRIAGE_ECORRUPT);
    assert_string_equal(le->argument, field);
    if (!strstr(le->message, field))
        fail_msg("message \"%s\" does not name %s", le->message, field);
}

/* The same damage through triage_record_decode(): refused, out untouched. */
static void test_record_decode_refuses_damage(void **state)
{
    (void)state;
    triage_store_t mem = v1_store(); /* the raw record and event methods of interface 1 */
    faulty f = {.inner = mem};
    triage_store_t s = faulty_store(&f);
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    scenario sc;
    run_scenario(e, &sc);
    unsigned char good[8192];
    size_t len = 0;
    assert_int_equal(mem.get(mem.userdata, TRIAGE_RECORD_CASE, &sc.c1, good, sizeof good, &len), 0);
    assert_true(len <= sizeof good);
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_record_decode(&c, TRIAGE_RECORD_CASE, good, len));
    void (*const edits[])(void *) = {ed_milestone, ed_stage, ed_urgency, ed_channel,
                                     ed_reason,    ed_flags, ed_row_case, ed_row_intake};
    const char *const fields[] = {"deadline.milestone", "case.stage", "case.urgency",
                                  "case.channel", "case.closing_reason", "case.flags",
                                  "deadline.case_id", "deadline.intake_id"};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(edits); i++) {
        triage__case rec;
        assert_ok(triage__record_decode(&rec, TRIAGE__T_CASE, good, len, NULL));
        edits[i](&rec);
        triage__wbuf b = {NULL, NULL, 0, 0, 0};
        assert_ok(triage__record_encode(&b, TRIAGE__T_CASE, &rec, 1));
        triage__case_release(NULL, &rec);
        memset(&c, 0x5a, sizeof c);
        c.version = TRIAGE_CASE_VERSION;
        triage_case_t copy = c;
        assert_status(triage_record_decode(&c, TRIAGE_RECORD_CASE, b.p, b.n), TRIAGE_ECORRUPT);
        expect_corrupt(fields[i]);
        assert_memory_equal(&c, &copy, sizeof c); /* out untouched */
        free(b.p);
    }
    /* every single-bit flip is caught (the checksum, or the header) */
    for (size_t k = 0; k < len; k += 7) {
        unsigned char buf[8192];
        memcpy(buf, good, len);
        buf[k] ^= 0x04;
        assert_int_not_equal(triage_record_decode(&c, TRIAGE_RECORD_CASE, buf, len), TRIAGE_OK);
    }
    triage_engine_free(e);
    mem.destroy(mem.userdata);
}

/* Events handed to the engine by a store (a C store can give anything). */
static const triage_event_t *crafted_event;
static int one_event(void *ud, triage_event_visit_fn visit, void *ctx)
{
    (void)ud;
    return visit(ctx, crafted_event);
}

static void test_crafted_events_are_corrupt(void **state)
{
    (void)state;
    triage_event_t ev;
    ev.version = TRIAGE_EVENT_VERSION;
    memset(&ev, 0, sizeof ev);
    ev.seq = 1;
    ev.kind = TRIAGE_EVENT_CLIENT_CREATED;
    ev.subject.bytes[0] = 1;
    crafted_event = &ev;
    triage_store_t mem = v1_store(); /* the raw record and event methods of interface 1 */
    triage_store_t s = mem;
    s.destroy = NULL;
    s.list_events = one_event;
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_engine_free(e);
    triage_event_t bad = ev;
    memset(bad.policy_id, 'p', sizeof bad.policy_id);
    crafted_event = &bad;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ECORRUPT);
    expect_corrupt("event.policy_id");
    bad = ev;
    bad.seq = 0;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ECORRUPT);
    expect_corrupt("event.seq");
    bad = ev;
    bad.kind = (triage_event_kind_t)99;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ECORRUPT);
    expect_corrupt("event.kind");
    bad = ev;
    bad.kind = TRIAGE_EVENT_STAGE_CHANGED;
    bad.case_id.bytes[3] = 7;
    bad.from = 2;
    bad.to = 99;
    assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ECORRUPT);
    expect_corrupt("event.to");
    mem.destroy(mem.userdata);
}

/* ---- the memory store forgets clients (the simulation's hook) -------------- */

static int count_event(void *ctx, const triage_store_event_t *ev)
{
    (void)ev;
    ++*(size_t *)ctx;
    return 0;
}

static size_t events_of(const triage_store_t *st, const triage_id_t *case_id)
{
    triage_store_event_query_t q = {TRIAGE_STORE_EVENT_QUERY_VERSION, 0, INT64_MAX, *case_id,
                                    INT64_MIN, INT64_MAX, 0};
    size_t n = 0;
    assert_int_equal(st->query_events(st->userdata, &q, count_event, &n), 0);
    return n;
}

/* A forgotten client's record and creation event leave the store; the
 * events of no case are chained by their subject, yet a query by case id
 * never returns them. */
static void test_memory_forget_clients(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, &o, &mem));
    triage_client_t cl = TRIAGE_CLIENT_INIT;
    triage_id_t a, b, nil;
    memset(&nil, 0, sizeof nil);
    assert_ok(triage_client_create(&a, e, &cl));
    assert_ok(triage_client_create(&b, e, &cl));
    size_t recs, evs;
    triage__store_memory_count(&mem, TRIAGE_RECORD_CLIENT, &recs, &evs);
    assert_int_equal(recs, 2);
    size_t all = events_of(&mem, &nil);
    assert_int_equal(all, evs);
    assert_int_equal(events_of(&mem, &a), 0); /* a client is not a case */
    assert_ok(triage__store_memory_forget_clients(&mem, &b, 1));
    triage__store_memory_count(&mem, TRIAGE_RECORD_CLIENT, &recs, &evs);
    assert_int_equal(recs, 1);
    assert_int_equal(events_of(&mem, &nil), all - 1);
    assert_int_equal(evs, all - 1);
    assert_ok(triage__store_memory_forget_clients(&mem, &b, 1)); /* again: nothing */
    triage__store_memory_count(&mem, TRIAGE_RECORD_CLIENT, &recs, &evs);
    assert_int_equal(recs, 1);
    triage_id_t c;
    assert_ok(triage_client_create(&c, e, &cl)); /* the engine goes on */
    triage_store_t other = TRIAGE_STORE_INIT;
    assert_status(triage__store_memory_forget_clients(&other, &a, 1), TRIAGE_EINVAL);
    triage_engine_free(e); /* and the store it owns */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vtable_negotiation),
        cmocka_unit_test(test_reopen_memory),
        cmocka_unit_test(test_fault_injection_every_callback),
        cmocka_unit_test(test_failed_rollback),
        cmocka_unit_test(test_load_failures),
        cmocka_unit_test(test_newer_schema_refused),
        cmocka_unit_test(test_record_decode),
        cmocka_unit_test(test_callback_message),
        cmocka_unit_test(test_record_decode_refuses_damage),
        cmocka_unit_test(test_crafted_events_are_corrupt),
        cmocka_unit_test(test_memory_forget_clients),
    };
    return cmocka_run_group_tests_name("store", tests, make_tmpdir, remove_tmpdir);
}
