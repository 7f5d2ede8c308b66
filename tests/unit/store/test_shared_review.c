/*
 * Several engines on one database, continued (test_shared.c has the basics):
 * the corners of refreshing, reading on demand, the working set, shared
 * policies and the memory store that a review found wrong. On the memory
 * store; each test says which promise of docs/storage.md or
 * docs/data-model.md it holds the code to.
 */
#include <pthread.h>

#include "storeutil.h"
#include "engine/engine_internal.h"

#define T0 SC_T0
#define DAY SC_DAY

static int64_t now_ms = T0;

static int64_t fixed_now(void *ud)
{
    return *(const int64_t *)ud;
}

/* ---- a store that lets another engine commit at a chosen moment ---------------
 * A wrapper around a memory-store handle whose `read_begin` first runs a
 * hook while `hook_times` > 0: the other engine commits after this engine's
 * refresh and before it reads a record on demand, as another process could. */

typedef struct {
    triage_store_t inner;
    void (*hook)(void *ctx);
    void *hook_ctx;
    int hook_times;
} hooked;

static int hk_begin(void *ud)
{
    hooked *h = ud;
    return h->inner.begin(h->inner.userdata);
}
static int hk_commit(void *ud)
{
    hooked *h = ud;
    return h->inner.commit(h->inner.userdata);
}
static int hk_rollback(void *ud)
{
    hooked *h = ud;
    return h->inner.rollback(h->inner.userdata);
}
static int hk_last_seq(void *ud, int64_t *out)
{
    hooked *h = ud;
    return h->inner.last_seq(h->inner.userdata, out);
}
static int hk_read_begin(void *ud)
{
    hooked *h = ud;
    if (h->hook && h->hook_times > 0) {
        h->hook_times--;
        h->hook(h->hook_ctx);
    }
    return h->inner.read_begin(h->inner.userdata);
}
static int hk_read_end(void *ud)
{
    hooked *h = ud;
    return h->inner.read_end(h->inner.userdata);
}
static int hk_put_record(void *ud, const triage_store_record_t *r)
{
    hooked *h = ud;
    return h->inner.put_record(h->inner.userdata, r);
}
static int hk_get_record(void *ud, triage_record_kind_t k, const triage_id_t *id,
                         triage_store_record_fn v, void *c)
{
    hooked *h = ud;
    return h->inner.get_record(h->inner.userdata, k, id, v, c);
}
static int hk_query_records(void *ud, const triage_store_query_t *q, triage_store_record_fn v,
                            void *c)
{
    hooked *h = ud;
    return h->inner.query_records(h->inner.userdata, q, v, c);
}
static int hk_append2(void *ud, const triage_store_event_t *ev)
{
    hooked *h = ud;
    return h->inner.append_event2(h->inner.userdata, ev);
}
static int hk_query_events(void *ud, const triage_store_event_query_t *q,
                           triage_store_event_fn v, void *c)
{
    hooked *h = ud;
    return h->inner.query_events(h->inner.userdata, q, v, c);
}
static void hk_destroy(void *ud)
{
    hooked *h = ud;
    h->inner.destroy(h->inner.userdata);
}

static triage_store_t hooked_store(hooked *h)
{
    triage_store_t s = TRIAGE_STORE_INIT;
    s.userdata = h;
    s.begin = hk_begin;
    s.commit = hk_commit;
    s.rollback = hk_rollback;
    s.last_seq = hk_last_seq;
    s.read_begin = hk_read_begin;
    s.read_end = hk_read_end;
    s.put_record = hk_put_record;
    s.get_record = hk_get_record;
    s.query_records = hk_query_records;
    s.append_event2 = hk_append2;
    s.query_events = hk_query_events;
    s.destroy = hk_destroy;
    return s;
}

/* ---- helpers -------------------------------------------------------------------- */

static triage_engine_t *open_on(const triage_store_t *mem, int32_t retries)
{
    triage_store_t s;
    assert_ok(triage_store_memory_share(&s, mem));
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    o.retries = retries;
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, &o, &s));
    return e;
}

static triage_engine_stats_t stats_of(const triage_engine_t *e)
{
    triage_engine_stats_t s;
    s.version = TRIAGE_ENGINE_STATS_VERSION;
    assert_ok(triage_engine_stats(&s, e));
    return s;
}

static triage_case_t case_of(triage_engine_t *e, const triage_id_t *id)
{
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&c, e, id));
    return c;
}

/* ---- reading on demand inside a call ---------------------------------------------- */

typedef struct {
    triage_engine_t *other;
    scenario *s;
    triage_status_t rc1, rc2;
} meddle;

/* The other engine names the case's assessment worker and updates the
 * client: both after this engine's refresh. */
static void assess_and_touch_client(void *ctx)
{
    meddle *m = ctx;
    m->rc1 = triage_case_set_worker(m->other, &m->s->c1, NULL, now_ms, TRIAGE_SLOT_ASSESSMENT,
                                    &m->s->sw);
    triage_client_t c;
    c.version = TRIAGE_CLIENT_VERSION;
    m->rc2 = triage_client_get(&c, m->other, &m->s->client);
    if (!m->rc2) {
        c.municipality = 749;
        m->rc2 = triage_client_update(m->other, &c);
    }
}

/* A call that reads a record on demand after another engine committed
 * (since the call's refresh) must not write its copy of a record over that
 * engine's change: the write names the revision it read. */
static void test_fetch_inside_a_call_loses_no_update(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *a = open_on(&mem, 3);
    scenario s;
    memset(&s, 0, sizeof s);
    s.t = T0;
    for (int i = 0; i <= 9; i++)
        assert_ok(scenario_step(a, &s, i));
    triage_engine_free(a);
    /* a year and more later the client has no recent activity and no
     * responsible worker: a fresh engine does not hold it */
    now_ms = T0 + 400 * DAY;
    triage_engine_t *b = open_on(&mem, 3);
    hooked h;
    memset(&h, 0, sizeof h);
    assert_ok(triage_store_memory_share(&h.inner, &mem));
    triage_store_t hs = hooked_store(&h);
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    assert_ok(triage_engine_open(&a, &o, &hs));
    assert_int_equal(stats_of(a).clients, 0);
    meddle m = {b, &s, TRIAGE_OK, TRIAGE_OK};
    h.hook = assess_and_touch_client;
    h.hook_ctx = &m;
    h.hook_times = 1;
    triage_scores_t sc;
    memset(&sc, 0, sizeof sc);
    sc.need[TRIAGE_NEED_HOUSING] = 3;
    assert_ok(triage_case_classify(NULL, NULL, a, &s.c1, &s.sw, now_ms, &sc));
    assert_int_equal(h.hook_times, 0);
    assert_ok(m.rc1);
    assert_ok(m.rc2);
    assert_int_equal(stats_of(a).races, 1); /* A's first attempt lost, and ran again */
    /* both changes stand, in every engine and in a fresh one */
    triage_engine_t *fresh = open_on(&mem, 3);
    triage_engine_t *all[] = {a, b, fresh};
    for (int i = 0; i < 3; i++) {
        triage_case_t c = case_of(all[i], &s.c1);
        assert_true(c.flags & TRIAGE_CASE_CLASSIFIED);
        assert_int_equal(triage_id_compare(&c.assessment_worker, &s.sw), 0);
    }
    triage_engine_free(fresh);
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
    now_ms = T0;
}


/* ---- shared policies ----------------------------------------------------------------- */

/* The versions of POLICY_CHANGED events of one slot, in order. */
static size_t policy_versions(uint32_t *out, size_t cap, triage_engine_t *e, int slot)
{
    triage_event_t *evs;
    size_t n, k = 0;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    for (size_t i = 0; i < n; i++)
        if (evs[i].kind == TRIAGE_EVENT_POLICY_CHANGED && evs[i].to == slot && k < cap)
            out[k++] = evs[i].policy_version;
    triage_free(evs);
    return k;
}

/* The distance matrix and the deadline rules count their changes: the
 * version follows the database's, also when another engine changed it since
 * this engine's last call. */
static void test_policy_versions_count_every_engines_changes(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *a = open_on(&mem, 3), *b = open_on(&mem, 3);
    int32_t codes[2] = {297, 749};
    double d[4] = {0, 85.5, 85.5, 0};
    assert_ok(triage_engine_set_distances(a, codes, d, 2));
    d[1] = d[2] = 90;
    assert_ok(triage_engine_set_distances(b, codes, d, 2)); /* b has not seen a's */
    d[1] = d[2] = 95;
    assert_ok(triage_engine_set_distances(a, codes, d, 2));
    triage_deadline_rules_t *r;
    assert_ok(triage_deadline_rules_new(&r, NULL));
    assert_ok(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_D5, 0));
    assert_ok(triage_engine_set_deadline_rules(a, r));
    assert_ok(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_D5, 1));
    assert_ok(triage_engine_set_deadline_rules(b, r));
    triage_deadline_rules_free(r);
    uint32_t v[8];
    assert_int_equal(policy_versions(v, 8, a, 5), 3);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(v[i], i + 1);
    assert_int_equal(policy_versions(v, 8, b, 2), 2);
    for (uint32_t i = 0; i < 2; i++)
        assert_int_equal(v[i], i + 1);
    double km;
    assert_ok(triage_engine_distance(&km, b, 749, 297));
    assert_true(km == 95);
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* ---- the locked last attempt: nothing is left open --------------------------------------- */

typedef struct {
    triage_engine_t *other;
    failing_alloc *fa;
    long fail_after; /* the locked attempt fails its allocation number fail_after */
    int calls;
} lock_meddle;

/* Before the first attempt's write the other engine commits (the attempt
 * loses); before the locked attempt begins, this engine's allocator is set
 * to fail. */
static void lose_then_fail(void *ctx)
{
    lock_meddle *m = ctx;
    if (++m->calls == 1) {
        triage_client_t c = TRIAGE_CLIENT_INIT;
        triage_id_t id;
        assert_ok(triage_client_create(&id, m->other, &c));
    } else {
        m->fa->fail_at = m->fa->calls + m->fail_after;
    }
}

typedef triage_status_t (*engine_call)(triage_engine_t *e, void *arg);

static triage_status_t call_set_assign_policy(triage_engine_t *e, void *arg)
{
    return triage_engine_set_assign_policy(e, arg);
}

static triage_status_t call_set_distances(triage_engine_t *e, void *arg)
{
    (void)arg;
    int32_t codes[2] = {297, 749};
    double d[4] = {0, 12, 12, 0};
    return triage_engine_set_distances(e, codes, d, 2);
}

static triage_status_t call_set_urgency_policy(triage_engine_t *e, void *arg)
{
    return triage_engine_set_urgency_policy(e, arg);
}

static triage_status_t call_client_create(triage_engine_t *e, void *arg)
{
    (void)arg;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    return triage_client_create(&id, e, &c);
}

/* Runs `call` on an engine whose last (locked) attempt meets an allocation
 * failure at each point in turn: whatever fails, the store's write
 * transaction is not left open (another engine could never commit again),
 * and nothing leaks. */
static void run_locked_attempt_failing(engine_call call, void *arg)
{
    for (long k = 1;; k++) {
        assert_true(k < 400);
        triage_store_t mem[2];
        assert_ok(triage_store_memory(&mem[0], NULL));
        assert_ok(triage_store_memory_share(&mem[1], &mem[0]));
        faulty f;
        memset(&f, 0, sizeof f);
        f.inner = mem[0];
        triage_store_t fs = faulty_store(&f);
        failing_alloc fa = {0, 0, 0, 0};
        triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
        o.clock = fixed_now;
        o.clock_userdata = &now_ms;
        o.retries = 1;
        o.allocator = fa_allocator(&fa);
        triage_engine_t *a, *b;
        assert_ok(triage_engine_open(&a, &o, &fs));
        o.allocator = (triage_allocator_t){0, 0, 0, 0};
        assert_ok(triage_engine_open(&b, &o, &mem[1]));
        lock_meddle m = {b, &fa, k, 0};
        f.hook = lose_then_fail;
        f.hook_ctx = &m;
        f.hook_times = 2;
        triage_status_t rc = call(a, arg);
        fa.fail_at = 0;
        int left_open = f.in_txn;
        if (left_open)
            f.inner.rollback(f.inner.userdata); /* so the test can go on */
        if (left_open)
            fail_msg("allocation %ld of the locked attempt failed (%d) and left the store's "
                     "write transaction open", k, (int)rc);
        assert_int_equal(m.calls, 2); /* the locked attempt ran */
        if (rc == TRIAGE_OK) {
            triage_engine_free(a);
            triage_engine_free(b);
            mem[0].destroy(mem[0].userdata);
            assert_int_equal(fa.live, 0);
            break;
        }
        assert_int_equal(rc, TRIAGE_ENOMEM);
        /* the other engine can still write */
        assert_ok(call_client_create(b, NULL));
        triage_engine_free(a);
        triage_engine_free(b);
        mem[0].destroy(mem[0].userdata);
        assert_int_equal(fa.live, 0);
    }
}

static void test_locked_attempt_failing_leaves_nothing_open(void **state)
{
    (void)state;
    triage_assign_policy_t *ap;
    assert_ok(triage_assign_policy_new(&ap, NULL));
    assert_ok(triage_assign_policy_set(ap, TRIAGE_ASSIGN_HARD_CAP, 60));
    run_locked_attempt_failing(call_set_assign_policy, ap);
    triage_assign_policy_free(ap);
    run_locked_attempt_failing(call_set_distances, NULL);
    triage_urgency_policy_t *u;
    assert_ok(triage_urgency_policy_new(&u, NULL));
    assert_ok(triage_urgency_policy_set_id(u, "region", 2));
    run_locked_attempt_failing(call_set_urgency_policy, u);
    triage_urgency_policy_free(u);
    run_locked_attempt_failing(call_client_create, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_inside_a_call_loses_no_update),
        cmocka_unit_test(test_policy_versions_count_every_engines_changes),
        cmocka_unit_test(test_locked_attempt_failing_leaves_nothing_open),
    };
    return cmocka_run_group_tests_name("shared_review", tests, NULL, NULL);
}
