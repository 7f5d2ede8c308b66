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
#include "rules/policy_text.h"

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
    /* damage: get_record of this kind serves the record `serve` instead */
    int serve_kind;
    triage_id_t serve;
    /* damage: query_records hands out records of this kind under another key */
    int rekey_kind;
    int conflict_once; /* the next put_record sets a message and reports a lost race */
    int last_seq_fails; /* last_seq returns this, without a message */
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
    if (h->last_seq_fails)
        return h->last_seq_fails;
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
    if (h->conflict_once) {
        h->conflict_once = 0;
        triage_store_error_set("the record changed since it was read");
        return TRIAGE_ECONFLICT;
    }
    return h->inner.put_record(h->inner.userdata, r);
}
static int hk_get_record(void *ud, triage_record_kind_t k, const triage_id_t *id,
                         triage_store_record_fn v, void *c)
{
    hooked *h = ud;
    if ((int)k == h->serve_kind)
        id = &h->serve;
    return h->inner.get_record(h->inner.userdata, k, id, v, c);
}
typedef struct {
    hooked *h;
    triage_store_record_fn visit;
    void *ctx;
} rekey_ctx;
static int rekey_visit(void *vctx, const triage_store_record_t *r)
{
    rekey_ctx *x = vctx;
    if ((int)r->kind != x->h->rekey_kind)
        return x->visit(x->ctx, r);
    triage_store_record_t other = *r;
    other.id.bytes[15] ^= 0x5a;
    return x->visit(x->ctx, &other);
}
static int hk_query_records(void *ud, const triage_store_query_t *q, triage_store_record_fn v,
                            void *c)
{
    hooked *h = ud;
    rekey_ctx x = {h, v, c};
    return h->inner.query_records(h->inner.userdata, q, rekey_visit, &x);
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
    faulty *f;       /* set: fail store callbacks instead of allocations */
    long fail_after; /* the locked attempt fails its allocation (or callback) number fail_after */
    int calls;
} lock_meddle;

/* Before the first attempt's write the other engine commits: the attempt
 * loses and keeps the write transaction it has just begun, and the next
 * (locked) attempt refreshes and decides inside it. From then on this
 * engine's allocator, or its store, fails at the chosen point: the store's
 * callbacks are counted from after the race check (last_seq), so every
 * failure falls in the locked attempt. */
static void lose_then_fail(void *ctx)
{
    lock_meddle *m = ctx;
    m->calls++;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, m->other, &c));
    if (m->f)
        m->f->fail_at = m->f->calls + 1 + m->fail_after;
    else
        m->fa->fail_at = m->fa->calls + m->fail_after;
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
static void run_locked_attempt_failing(engine_call call, void *arg, int store_faults)
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
        lock_meddle m = {b, &fa, store_faults ? &f : NULL, k, 0};
        f.code = 55;
        f.hook = lose_then_fail;
        f.hook_ctx = &m;
        f.hook_times = 1;
        triage_status_t rc = call(a, arg);
        fa.fail_at = 0;
        f.fail_at = 0;
        int left_open = f.in_txn;
        if (left_open)
            f.inner.rollback(f.inner.userdata); /* so the test can go on */
        if (left_open)
            fail_msg("allocation %ld of the locked attempt failed (%d) and left the store's "
                     "write transaction open", k, (int)rc);
        assert_int_equal(m.calls, 1);
        triage_engine_stats_t es;
        es.version = TRIAGE_ENGINE_STATS_VERSION;
        fa.fail_at = 0;
        assert_ok(triage_engine_stats(&es, a));
        assert_int_equal(es.races, 1); /* the first attempt lost: the locked one ran */
        if (rc == TRIAGE_OK) {
            triage_engine_free(a);
            triage_engine_free(b);
            mem[0].destroy(mem[0].userdata);
            assert_int_equal(fa.live, 0);
            break;
        }
        assert_int_equal(rc, store_faults ? TRIAGE_ESTORE : TRIAGE_ENOMEM);
        if (store_faults)
            assert_int_equal(triage_error_last()->cause, 55);
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
    triage_urgency_policy_t *u;
    assert_ok(triage_urgency_policy_new(&u, NULL));
    assert_ok(triage_urgency_policy_set_id(u, "region", 2));
    for (int store_faults = 0; store_faults < 2; store_faults++) {
        run_locked_attempt_failing(call_set_assign_policy, ap, store_faults);
        run_locked_attempt_failing(call_set_distances, NULL, store_faults);
        run_locked_attempt_failing(call_set_urgency_policy, u, store_faults);
        run_locked_attempt_failing(call_client_create, NULL, store_faults);
    }
    triage_assign_policy_free(ap);
    triage_urgency_policy_free(u);
}


/* ---- a refreshed engine agrees with a fresh one --------------------------------------- */

/* Everything the engine `a` shows about workers' loads and cases equals
 * what an engine opened now on the same database shows. */
static void assert_agrees_with_fresh(triage_engine_t *a, const triage_store_t *mem,
                                     const triage_id_t *cases, size_t ncases)
{
    triage_engine_t *fresh = open_on(mem, 3);
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_worker_list(&ids, &n, fresh));
    for (size_t i = 0; i < n; i++) {
        triage_worker_load_t x, y;
        x.version = y.version = TRIAGE_WORKER_LOAD_VERSION;
        assert_ok(triage_worker_load(&x, a, &ids[i]));
        assert_ok(triage_worker_load(&y, fresh, &ids[i]));
        if (x.weighted != y.weighted || x.cases != y.cases || x.clients != y.clients ||
            x.child_welfare != y.child_welfare)
            fail_msg("worker %zu: load %g/%d/%d/%d after refreshes, %g/%d/%d/%d fresh", i,
                     x.weighted, x.cases, x.clients, x.child_welfare, y.weighted, y.cases,
                     y.clients, y.child_welfare);
    }
    triage_free(ids);
    triage_balance_t ba, bf;
    ba.version = bf.version = TRIAGE_BALANCE_VERSION;
    assert_ok(triage_assign_balance(&ba, a, 0, -1));
    assert_ok(triage_assign_balance(&bf, fresh, 0, -1));
    assert_true(ba.workers == bf.workers && ba.max == bf.max && ba.mean == bf.mean &&
                ba.gini == bf.gini);
    triage_date_t today;
    assert_ok(triage_local_time(&today, NULL, now_ms));
    for (size_t i = 0; i < ncases; i++) {
        if (triage_id_is_nil(&cases[i]))
            continue;
        triage_case_t x = case_of(a, &cases[i]), y = case_of(fresh, &cases[i]);
        assert_memory_equal(&x, &y, sizeof x);
        triage_case_deadline_t *dx, *dy;
        size_t nx, ny;
        int32_t nextx, nexty;
        assert_ok(triage_case_deadlines(&dx, &nx, &nextx, TRIAGE_CASE_DEADLINE_VERSION, a,
                                        &cases[i], today, 3));
        assert_ok(triage_case_deadlines(&dy, &ny, &nexty, TRIAGE_CASE_DEADLINE_VERSION, fresh,
                                        &cases[i], today, 3));
        assert_int_equal(nx, ny);
        assert_int_equal(nextx, nexty);
        if (nx)
            assert_memory_equal(dx, dy, nx * sizeof *dx);
        triage_free(dx);
        triage_free(dy);
    }
    sbuf x = dump_engine(a), y = dump_engine(fresh);
    assert_same(x, y);
    triage_engine_free(fresh);
}

static triage_status_t other_steps(triage_engine_t *e, scenario *s, triage_id_t *extra, int i)
{
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.at_ms = s->t + 9 * DAY;
    triage_id_t client;
    triage_status_t rc;
    switch (i) {
    case 0: /* a child-welfare case for the social worker */
        c.municipality = 749;
        rc = triage_client_create(&client, e, &c);
        if (rc)
            return rc;
        in.client = client;
        in.kind = TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
        in.service = TRIAGE_SERVICE_FAMILY;
        in.children = 2;
        in.received_ms = s->t + 9 * DAY;
        rc = triage_intake(&r, e, &in);
        if (!rc)
            extra[0] = r.case_id;
        return rc;
    case 1:
        return triage_case_set_worker(e, &extra[0], NULL, s->t + 9 * DAY, TRIAGE_SLOT_RESPONSIBLE,
                                      &s->sw);
    case 2:
        return triage_case_set_worker(e, &extra[0], NULL, s->t + 9 * DAY, TRIAGE_SLOT_PAIR, &s->sc);
    case 3:
        return triage_case_request_meeting(e, &extra[0], NULL, s->t + 10 * DAY, NULL);
    case 4:
        return triage_case_set_worker(e, &extra[0], NULL, s->t + 10 * DAY,
                                      TRIAGE_SLOT_RESPONSIBLE, &s->sc);
    case 5:
        m.to = TRIAGE_STAGE_CLOSED;
        m.reason = TRIAGE_CLOSE_DUPLICATE;
        m.at_ms = s->t + 11 * DAY;
        return triage_case_move(e, &extra[0], &m);
    default: return TRIAGE_ITEROVER;
    }
}

/* Engine a keeps its memory (loads included) current by refreshes while b
 * works; after every step a agrees with an engine opened fresh. */
static void test_refreshed_engine_agrees_with_fresh(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *a = open_on(&mem, 3), *b = open_on(&mem, 3);
    scenario s;
    memset(&s, 0, sizeof s);
    s.t = T0;
    triage_id_t cases[4];
    memset(cases, 0, sizeof cases);
    for (int i = 0;; i++) {
        triage_status_t rc = scenario_step(b, &s, i);
        if (rc == TRIAGE_ITEROVER)
            break;
        assert_ok(rc);
        cases[0] = s.c1;
        cases[1] = s.c2;
        assert_ok(triage_engine_refresh(a));
        assert_agrees_with_fresh(a, &mem, cases, 2);
        if (i == 17) /* casework: b's other case, then on with the scenario */
            for (int k = 0; (rc = other_steps(b, &s, &cases[2], k)) != TRIAGE_ITEROVER; k++) {
                assert_ok(rc);
                assert_ok(triage_engine_refresh(a));
                assert_agrees_with_fresh(a, &mem, cases, 3);
            }
    }
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* ---- allocation failure anywhere: memory stays at a committed state -------------------- */

/* Engine a, on a failing allocator, runs the scenario, each allocation of
 * each step failing in turn; then engine b makes changes and a's refresh
 * fails at each allocation in turn. A failure changes nothing (engine and
 * store alike), leaks nothing, and the next try goes through. */
static void test_allocation_failure_every_step_and_refresh(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    failing_alloc fa = {0, 0, 0, 0};
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    o.allocator = fa_allocator(&fa);
    triage_store_t s1;
    assert_ok(triage_store_memory_share(&s1, &mem));
    triage_engine_t *a;
    assert_ok(triage_engine_open(&a, &o, &s1));
    triage_engine_t *b = open_on(&mem, 3);
    scenario sa, sb;
    memset(&sa, 0, sizeof sa);
    sa.t = T0;
    memset(&sb, 0, sizeof sb);
    sb.t = T0 + 3 * DAY;
    long failed = 0;
    for (int i = 0;; i++) {
        triage_status_t rc;
        /* a's own step */
        for (long k = 1;; k++) {
            sbuf eng = dump_engine(a), st = dump_store(&mem);
            scenario saved = sa;
            fa.fail_at = fa.calls + k;
            rc = scenario_step(a, &sa, i);
            fa.fail_at = 0;
            if (rc != TRIAGE_ENOMEM) {
                free(eng.buf);
                free(st.buf);
                break;
            }
            failed++;
            sa = saved;
            assert_same(eng, dump_engine(a));
            assert_same(st, dump_store(&mem));
        }
        if (rc == TRIAGE_ITEROVER)
            break;
        assert_ok(rc);
        /* b's step (on a's workers), then a's refresh */
        if (i <= 2) {
            sb.sw = sa.sw;
            sb.sc = sa.sc;
            sb.sg = sa.sg;
        } else {
            assert_ok(scenario_step(b, &sb, i));
        }
        for (long k = 1;; k++) {
            int64_t seen = stats_of(a).last_seq;
            uint64_t cases = stats_of(a).cases, clients = stats_of(a).clients;
            fa.fail_at = fa.calls + k;
            rc = triage_engine_refresh(a);
            fa.fail_at = 0;
            if (rc == TRIAGE_OK)
                break;
            assert_int_equal(rc, TRIAGE_ENOMEM);
            failed++;
            assert_int_equal(stats_of(a).last_seq, seen);
            assert_int_equal(stats_of(a).cases, cases);
            assert_int_equal(stats_of(a).clients, clients);
        }
        triage_id_t cases[4] = {sa.c1, sa.c2, sb.c1, sb.c2};
        assert_agrees_with_fresh(a, &mem, cases, 4);
    }
    assert_true(failed > 24);
    triage_engine_free(a);
    assert_int_equal(fa.live, 0);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* ---- damaged stores ------------------------------------------------------------------- */

/* A record a store returns under another record's key is damage, named by
 * the record kind and field (docs/storage.md, "Loading and validation"):
 * when the engine loads its working set and when it reads one on demand. */
static void test_record_under_another_key_is_corrupt(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *b = open_on(&mem, 3);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t c1, c2;
    assert_ok(triage_client_create(&c1, b, &c));
    assert_ok(triage_client_create(&c2, b, &c));
    static const struct {
        int kind;
        const char *field;
    } kinds[] = {{TRIAGE_RECORD_WORKER, "worker.id"}};
    triage_id_t w;
    triage_worker_t wk = TRIAGE_WORKER_INIT;
    assert_ok(triage_worker_create(&w, b, &wk));
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(kinds); i++) {
        hooked h;
        memset(&h, 0, sizeof h);
        assert_ok(triage_store_memory_share(&h.inner, &mem));
        h.rekey_kind = kinds[i].kind;
        triage_store_t hs = hooked_store(&h);
        triage_engine_t *a = NULL;
        assert_status(triage_engine_open(&a, NULL, &hs), TRIAGE_ECORRUPT);
        assert_error_arg(kinds[i].field);
        assert_null(a);
    }
    /* on demand: asked for one client, the store hands out another */
    hooked h;
    memset(&h, 0, sizeof h);
    assert_ok(triage_store_memory_share(&h.inner, &mem));
    triage_store_t hs = hooked_store(&h);
    triage_engine_t *a;
    assert_ok(triage_engine_open(&a, NULL, &hs));
    assert_int_equal(stats_of(a).clients, 0); /* no activity: read on demand */
    h.serve_kind = TRIAGE_RECORD_CLIENT;
    h.serve = c2;
    c.version = TRIAGE_CLIENT_VERSION;
    assert_status(triage_client_get(&c, a, &c1), TRIAGE_ECORRUPT);
    assert_error_arg("client.id");
    assert_int_equal(stats_of(a).clients, 0); /* nothing of it stays in memory */
    h.serve_kind = 0;
    assert_ok(triage_client_get(&c, a, &c1));
    assert_int_equal(triage_id_compare(&c.id, &c1), 0);
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* ---- the event iterator on a shared store ------------------------------------------------ */

/* Paging through many events with a case filter, a time window and
 * after_seq gives exactly the events a plain filter of all events gives. */
static void test_event_iterator_pages_with_filters(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *a = open_on(&mem, 3), *b = open_on(&mem, 3);
    triage_id_t c[3];
    for (int i = 0; i < 3; i++) {
        triage_client_t cl = TRIAGE_CLIENT_INIT;
        triage_id_t client;
        assert_ok(triage_client_create(&client, i % 2 ? b : a, &cl));
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = client;
        in.received_ms = T0;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&r, i % 2 ? b : a, &in));
        c[i] = r.case_id;
        triage_move_t m = TRIAGE_MOVE_INIT;
        m.at_ms = T0;
        assert_ok(triage_case_move(a, &c[i], &m));
    }
    /* 900 contact attempts, a minute apart, spread over the cases by both engines */
    for (int i = 0; i < 900; i++)
        assert_ok(triage_case_contact_attempt(i % 2 ? b : a, &c[i % 3], NULL,
                                              T0 + (int64_t)(i + 1) * 60000, 0));
    triage_event_t *all;
    size_t nall;
    assert_ok(test_event_list(&all, &nall, a, NULL, INT64_MIN, INT64_MAX));
    static const struct {
        int case_idx; /* -1: every case */
        int64_t from, to, after;
    } q[] = {
        {-1, INT64_MIN, INT64_MAX, 0},        {1, INT64_MIN, INT64_MAX, 0},
        {1, T0 + 100 * 60000, T0 + 700 * 60000, 0}, {2, T0 + 100 * 60000, INT64_MAX, 500},
        {0, INT64_MIN, T0 + 800 * 60000, 257}, {-1, T0 + 299 * 60000, T0 + 301 * 60000, 0},
        {2, INT64_MIN, INT64_MAX, 100000},    {-1, T0 + 10 * 60000, T0 + 890 * 60000, 300},
    };
    for (size_t k = 0; k < TRIAGE__ARRAY_LEN(q); k++) {
        triage_event_query_t eq = TRIAGE_EVENT_QUERY_INIT;
        if (q[k].case_idx >= 0)
            eq.case_id = c[q[k].case_idx];
        eq.from_ms = q[k].from;
        eq.to_ms = q[k].to;
        eq.after_seq = q[k].after;
        triage_engine_t *e = k % 2 ? b : a;
        triage_event_iter_t *it;
        assert_ok(triage_event_iter_new(&it, e, &eq));
        size_t want = 0, got = 0;
        for (size_t i = 0; i < nall; i++) {
            const triage_event_t *ev = &all[i];
            if (ev->seq <= eq.after_seq || ev->at_ms < eq.from_ms || ev->at_ms > eq.to_ms ||
                (q[k].case_idx >= 0 && triage_id_compare(&ev->case_id, &eq.case_id)))
                continue;
            triage_event_t out;
            out.version = TRIAGE_EVENT_VERSION;
            assert_ok(triage_event_iter_next(it, &out));
            assert_memory_equal(&out, ev, sizeof out);
            want++;
            got++;
        }
        triage_event_t out;
        out.version = TRIAGE_EVENT_VERSION;
        assert_status(triage_event_iter_next(it, &out), TRIAGE_ITEROVER);
        assert_status(triage_event_iter_next(it, &out), TRIAGE_ITEROVER);
        triage_event_iter_free(it);
        assert_int_equal(want, got);
    }
    triage_free(all);
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* ---- damaged stored policies ------------------------------------------------------------ */

/* Writes a POLICY record of `slot` with `payload` straight into the store
 * (as a buggy tool or a hand edit might), with a POLICY_CHANGED event so
 * engines see it at their next refresh. */
static void put_raw_policy(const triage_store_t *mem, int slot, const void *payload, size_t len)
{
    void *ud = mem->userdata;
    int64_t seq = 0;
    assert_int_equal(mem->last_seq(ud, &seq), 0);
    seq++;
    triage__policy pol;
    memset(&pol, 0, sizeof pol);
    triage__policy_record_id(&pol.id, slot);
    pol.slot = slot;
    pol.policy_version = 7;
    strcpy(pol.policy_id, "hand-edited");
    pol.payload = (unsigned char *)(uintptr_t)payload;
    pol.npayload = (uint32_t)len;
    pol.rev = seq;
    pol.created = seq;
    triage__wbuf b = {NULL, NULL, 0, 0, 0};
    assert_ok(triage__encode(&b, &triage__policy_schema, &pol));
    triage_store_record_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_STORE_RECORD_VERSION;
    r.kind = TRIAGE_RECORD_POLICY;
    r.id = pol.id;
    r.revision = seq;
    r.created = seq;
    r.data = b.p;
    r.len = b.n;
    assert_int_equal(mem->begin(ud), 0);
    int rc = TRIAGE_ECONFLICT;
    for (int64_t rev = 0; rc == TRIAGE_ECONFLICT && rev < seq; rev++) {
        r.expected_revision = rev; /* whichever revision the store holds */
        rc = mem->put_record(ud, &r);
    }
    assert_int_equal(rc, 0);
    triage_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.version = TRIAGE_EVENT_VERSION;
    ev.seq = seq;
    ev.kind = TRIAGE_EVENT_POLICY_CHANGED;
    ev.at_ms = now_ms;
    ev.to = slot;
    ev.policy_version = 7;
    strcpy(ev.policy_id, "hand-edited");
    assert_ok(triage__event_encode(&b, &ev));
    triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, &ev, seq, b.p, b.n};
    assert_int_equal(mem->append_event2(ud, &se), 0);
    assert_int_equal(mem->commit(ud), 0);
    free(b.p);
}


/* A damaged stored policy is TRIAGE_ECORRUPT, at open, at a refresh and
 * when the assignment module decodes its own; nothing crashes, and the
 * engine keeps the policy it had. */
static void test_damaged_policy_is_corrupt(void **state)
{
    (void)state;
    now_ms = T0;
    static const struct {
        int slot;
        const char *text; /* NULL: binary below */
        size_t len;
    } bad[] = {
        {TRIAGE__POLICY_URGENCY, "id x\nversion 1\ntier no_such_trigger IMMEDIATE\n", 0},
        {TRIAGE__POLICY_URGENCY, "id x\nversion 0\n", 0},
        {TRIAGE__POLICY_URGENCY, "", 0},
        {TRIAGE__POLICY_URGENCY, "id x\nversion 1\nresponse NORMAL 9999\n", 0},
        {TRIAGE__POLICY_URGENCY, "id x\nversion 1\x01\n", 0},
        {TRIAGE__POLICY_DEADLINES, "row D5 999 1 2025\n", 0},
        {TRIAGE__POLICY_DEADLINES, "row D5 3 2 2025\n", 0},
        {TRIAGE__POLICY_DEADLINES, "row D5 3 1\n", 0},
        {TRIAGE__POLICY_CLASSIFY, "id x\nversion 1\nthreshold need_areas 99\n", 0},
        {TRIAGE__POLICY_CLASSIFY, "id x\nversion 1\nspecial_support_responsible nobody\n", 0},
        {TRIAGE__POLICY_ASSIGN, "id x\nversion 1\nparam hard_cap -5\n", 0},
        {TRIAGE__POLICY_ASSIGN, "id x\nversion 1\nparam soft_cap\n", 0},
        {TRIAGE__POLICY_ASSIGN, "version 1\n", 0},
        {TRIAGE__POLICY_DISTANCES, NULL, 0},
        {TRIAGE__POLICY_DISTANCES, NULL, 1},
        {TRIAGE__POLICY_DISTANCES, NULL, 2},
        {TRIAGE__POLICY_DISTANCES, NULL, 3},
    };
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(bad); i++) {
        triage_store_t mem;
        assert_ok(triage_store_memory(&mem, NULL));
        triage_engine_t *b = open_on(&mem, 3);
        /* a distance matrix: magic, n = 2, codes, 4 distances */
        unsigned char m[8 + 8 + 32];
        memset(m, 0, sizeof m);
        memcpy(m, "TRD1", 4);
        m[4] = 2;
        m[8] = 1;
        m[12] = 2;
        const void *payload = bad[i].text;
        size_t len = bad[i].text ? strlen(bad[i].text) : sizeof m;
        if (!bad[i].text) {
            payload = m;
            if (bad[i].len == 0)
                m[3] = '2'; /* another magic */
            if (bad[i].len == 1)
                len -= 1; /* short */
            if (bad[i].len == 2)
                m[4] = 0xff, m[5] = 0xff, m[6] = 0xff, m[7] = 0xff; /* n huge */
            if (bad[i].len == 3)
                m[8 + 8 + 8 + 7] = 0x7f, m[8 + 8 + 8 + 6] = 0xf8; /* a NaN distance */
        }
        put_raw_policy(&mem, bad[i].slot, payload, len);
        const triage_urgency_policy_t *up;
        const triage_assign_policy_t *ap;
        double km;
        if (bad[i].slot <= TRIAGE__POLICY_CLASSIFY) {
            triage_store_t s2;
            assert_ok(triage_store_memory_share(&s2, &mem));
            triage_engine_t *c = NULL;
            triage_status_t rc = triage_engine_open(&c, NULL, &s2);
            if (rc != TRIAGE_ECORRUPT)
                fail_msg("case %zu: open gave %d (%s)", i, (int)rc, triage_error_last()->message);
            assert_null(c);
            assert_status(triage_engine_refresh(b), TRIAGE_ECORRUPT);
            assert_status(triage_engine_urgency_policy(&up, b), TRIAGE_ECORRUPT);
        } else if (bad[i].slot == TRIAGE__POLICY_ASSIGN) {
            triage_status_t rc = triage_engine_assign_policy(&ap, b);
            if (rc != TRIAGE_ECORRUPT)
                fail_msg("case %zu: gave %d (%s)", i, (int)rc, triage_error_last()->message);
        } else {
            triage_status_t rc = triage_engine_distance(&km, b, 1, 2);
            if (rc != TRIAGE_ECORRUPT)
                fail_msg("case %zu: gave %d (%s)", i, (int)rc, triage_error_last()->message);
        }
        /* no client data, no stored values in the message */
        assert_null(strstr(triage_error_last()->message, "9999"));
        triage_engine_free(b);
        mem.destroy(mem.userdata);
    }
}


/* ---- every field of a shared policy travels ------------------------------------------------ */

static char *urgency_text(const triage_urgency_policy_t *p)
{
    triage__text t;
    triage__text_init(&t, NULL);
    assert_ok(triage__urgency_policy_save(&t, p));
    return t.p; /* NUL-terminated, as vsnprintf leaves it */
}

static char *rules_text(const triage_deadline_rules_t *r)
{
    triage__text t;
    triage__text_init(&t, NULL);
    assert_ok(triage__deadline_rules_save(&t, r));
    return t.p;
}

static char *classify_text(const triage_classify_policy_t *k)
{
    triage__text t;
    triage__text_init(&t, NULL);
    assert_ok(triage__classify_policy_save(&t, k));
    return t.p;
}

static void assert_same_text(char *a, char *b)
{
    if (strcmp(a, b) != 0)
        fail_msg("stored policy changed on the way:\n%s\n---\n%s", a, b);
    free(a);
    free(b);
}

/* Engine a sets policies off their defaults in every field; engine b reads
 * them back equal (the canonical text is equal), and an engine opening with
 * the same policies as options opens. Law versions with spaces anywhere are
 * law versions like any other. */
static void test_policy_round_trip_every_field(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *a = open_on(&mem, 3), *b = open_on(&mem, 3);
    triage_urgency_policy_t *u;
    assert_ok(triage_urgency_policy_new(&u, NULL));
    assert_ok(triage_urgency_policy_set_id(u, " spaced id ", 42));
    for (int i = 0; i < TRIAGE_TRIGGER_COUNT; i++)
        assert_ok(triage_urgency_policy_set_tier(u, (triage_trigger_t)i,
                                                 (triage_urgency_t)(1 + (i * 3 + 1) % 4)));
    for (int k = TRIAGE_URGENCY_IMMEDIATE; k <= TRIAGE_URGENCY_NORMAL; k++)
        assert_ok(triage_urgency_policy_set_response_days(u, (triage_urgency_t)k, 20 + k));
    triage_deadline_rules_t *r;
    assert_ok(triage_deadline_rules_new(&r, NULL));
    static const char *const laws[] = {" 2026", "2026 rev 2", " ", "2027  ", "a"};
    int k = 0;
    for (int row = TRIAGE_DEADLINE_D1; row <= TRIAGE_DEADLINE_PLAN_REVIEW; row++, k++) {
        assert_ok(triage_deadline_rules_set_limit(r, (triage_deadline_row_t)row, 1 + row));
        assert_ok(triage_deadline_rules_set_enabled(r, (triage_deadline_row_t)row, row % 2));
        assert_ok(triage_deadline_rules_set_law_version(r, (triage_deadline_row_t)row,
                                                        laws[k % 5]));
    }
    assert_ok(triage_deadline_rules_set_enabled(r, TRIAGE_DEADLINE_RESPONSE, 0));
    assert_ok(triage_deadline_rules_set_law_version(r, TRIAGE_DEADLINE_RESPONSE, " x"));
    triage_classify_policy_t *kp;
    assert_ok(triage_classify_policy_new(&kp, NULL));
    assert_ok(triage_classify_policy_set_id(kp, "k", 9));
    for (int t = TRIAGE_THRESHOLD_NEED_SEVERE; t <= TRIAGE_THRESHOLD_CAPACITY_SUM; t++)
        assert_ok(triage_classify_policy_set_threshold(kp, (triage_classify_threshold_t)t, 1));
    assert_ok(triage_classify_policy_set_special_support_responsible(
        kp, TRIAGE_SS_SOCIAL_WORKER_OR_PAIR));
    assert_ok(triage_engine_set_urgency_policy(a, u));
    assert_ok(triage_engine_set_deadline_rules(a, r));
    assert_ok(triage_engine_set_classify_policy(a, kp));
    const triage_urgency_policy_t *ug;
    const triage_deadline_rules_t *rg;
    const triage_classify_policy_t *kg;
    triage_engine_t *both[] = {a, b};
    for (int i = 0; i < 2; i++) {
        assert_ok(triage_engine_urgency_policy(&ug, both[i]));
        assert_same_text(urgency_text(u), urgency_text(ug));
        assert_ok(triage_engine_deadline_rules(&rg, both[i]));
        assert_same_text(rules_text(r), rules_text(rg));
        const char *law;
        assert_ok(triage_deadline_rules_law_version(&law, rg, TRIAGE_DEADLINE_D12_DECISION));
        assert_string_equal(law, laws[(TRIAGE_DEADLINE_D12_DECISION - 1) % 5]);
        assert_ok(triage_engine_classify_policy(&kg, both[i]));
        assert_same_text(classify_text(kp), classify_text(kg));
    }
    /* the same policies as options: the engine opens */
    triage_store_t s3;
    assert_ok(triage_store_memory_share(&s3, &mem));
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.urgency = u;
    o.deadlines = r;
    o.classify = kp;
    triage_engine_t *c;
    assert_ok(triage_engine_open(&c, &o, &s3));
    triage_engine_free(c);
    triage_urgency_policy_free(u);
    triage_deadline_rules_free(r);
    triage_classify_policy_free(kp);
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* Distance matrices of 0, 1 and 1000 municipalities travel exactly. */
static void test_distance_matrix_sizes(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *a = open_on(&mem, 3), *b = open_on(&mem, 3);
    static const size_t sizes[] = {1000, 1, 0};
    int32_t *codes = malloc(1000 * sizeof *codes);
    double *d = malloc(1000 * 1000 * sizeof *d);
    assert_non_null(codes);
    assert_non_null(d);
    for (size_t k = 0; k < TRIAGE__ARRAY_LEN(sizes); k++) {
        size_t n = sizes[k];
        for (size_t i = 0; i < n; i++)
            codes[i] = (int32_t)(9999 - 7 * i);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                d[i * n + j] = i == j ? 0 : (double)(i + j) / 3.0 + 1e-9 * (double)i;
        assert_ok(triage_engine_set_distances(a, codes, d, n));
        double km;
        for (size_t i = 0; i < n; i += n > 1 ? 97 : 1)
            for (size_t j = 0; j < n; j += n > 1 ? 89 : 1) {
                assert_ok(triage_engine_distance(&km, b, codes[i], codes[j]));
                assert_true(km == d[i * n + j]);
            }
        if (n == 0)
            assert_status(triage_engine_distance(&km, b, 297, 297), TRIAGE_ENOTFOUND);
    }
    free(codes);
    free(d);
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* A damaged assignment policy or distance matrix (here: empty) is
 * TRIAGE_ECORRUPT when used, and setting a new one repairs it. */
static void test_damaged_assignment_policy_can_be_replaced(void **state)
{
    (void)state;
    now_ms = T0;
    for (int slot = TRIAGE__POLICY_ASSIGN; slot <= TRIAGE__POLICY_DISTANCES; slot++) {
        triage_store_t mem;
        assert_ok(triage_store_memory(&mem, NULL));
        triage_engine_t *a = open_on(&mem, 1);
        put_raw_policy(&mem, slot, NULL, 0);
        const triage_assign_policy_t *ap;
        double km;
        if (slot == TRIAGE__POLICY_ASSIGN) {
            assert_status(triage_engine_assign_policy(&ap, a), TRIAGE_ECORRUPT);
            triage_assign_policy_t *p;
            assert_ok(triage_assign_policy_new(&p, NULL));
            assert_ok(triage_engine_set_assign_policy(a, p));
            triage_assign_policy_free(p);
            assert_ok(triage_engine_assign_policy(&ap, a));
        } else {
            assert_status(triage_engine_distance(&km, a, 297, 297), TRIAGE_ECORRUPT);
            int32_t codes[1] = {297};
            double d[1] = {0};
            assert_ok(triage_engine_set_distances(a, codes, d, 1));
            assert_ok(triage_engine_distance(&km, a, 297, 297));
        }
        triage_engine_free(a);
        mem.destroy(mem.userdata);
    }
}


/* ---- the working set of an engine that only reads ------------------------------------------ */

/* Closed cases read on demand leave memory at the daily sweep also in an
 * engine that never writes (docs/data-model.md: memory grows with open
 * work, not with history). */
static void test_reading_engine_sweeps_daily(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *w = open_on(&mem, 3), *r = open_on(&mem, 3);
    triage_id_t cases[12];
    for (int i = 0; i < 12; i++) {
        triage_client_t c = TRIAGE_CLIENT_INIT;
        triage_id_t client;
        assert_ok(triage_client_create(&client, w, &c));
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = client;
        in.received_ms = now_ms;
        triage_intake_result_t res;
        res.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&res, w, &in));
        cases[i] = res.case_id;
        triage_move_t m = TRIAGE_MOVE_INIT;
        m.at_ms = now_ms;
        assert_ok(triage_case_move(w, &cases[i], &m));
        if (i < 10) {
            m.to = TRIAGE_STAGE_CLOSED;
            m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
            assert_ok(triage_case_move(w, &cases[i], &m));
        }
    }
    /* the reader looks at every case: the closed ones come into memory */
    for (int i = 0; i < 12; i++)
        case_of(r, &cases[i]);
    assert_int_equal(stats_of(r).cases, 12);
    /* the next day its first call sweeps them out again */
    now_ms += DAY;
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_case_list(&ids, &n, r, NULL));
    triage_free(ids);
    assert_int_equal(n, 12);
    assert_int_equal(stats_of(r).cases, 2);
    /* a year later the clients without activity go too, as in the writer */
    now_ms += 400 * DAY;
    assert_ok(triage_engine_refresh(r));
    assert_true(stats_of(r).clients <= 2);
    assert_int_equal(stats_of(r).cases, 2);
    now_ms = T0;
    triage_engine_free(w);
    triage_engine_free(r);
    mem.destroy(mem.userdata);
}


/* ---- reads see other engines' work ------------------------------------------------------ */

/* Every call starts with a refresh (docs/storage.md): also the presence of
 * a worker and the duty roster, which read only workers and absences. */
static void test_presence_and_duty_roster_refresh(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *a = open_on(&mem, 3), *b = open_on(&mem, 3);
    triage_date_t today;
    assert_ok(triage_local_time(&today, NULL, now_ms));
    /* a worker b created is known to a's next call */
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = TRIAGE_ROLE_SOCIAL_WORKER;
    triage_id_t sw[2], sc, absence;
    assert_ok(triage_worker_create(&sw[0], b, &w));
    int present = -1;
    assert_ok(triage_worker_present(&present, a, &sw[0], today));
    assert_int_equal(present, 1);
    assert_ok(triage_worker_create(&sw[1], b, &w));
    w.role = TRIAGE_ROLE_SOCIAL_COUNSELLOR;
    assert_ok(triage_worker_create(&sc, b, &w));
    /* the duty pair of the week follows an absence b records */
    triage_id_t duty_sw, duty_sc;
    assert_ok(triage_duty_pair(&duty_sw, &duty_sc, a, today));
    assert_int_equal(triage_id_compare(&duty_sc, &sc), 0);
    int k = triage_id_compare(&duty_sw, &sw[0]) == 0 ? 0 : 1;
    assert_int_equal(triage_id_compare(&duty_sw, &sw[k]), 0);
    assert_ok(triage_absence_add(&absence, b, &sw[k], today - 7, today + 7, NULL));
    assert_ok(triage_worker_present(&present, a, &sw[k], today));
    assert_int_equal(present, 0);
    assert_ok(triage_duty_pair(&duty_sw, &duty_sc, a, today));
    assert_int_equal(triage_id_compare(&duty_sw, &sw[1 - k]), 0);
    /* and the absence b removes */
    assert_ok(triage_absence_remove(b, &absence, NULL));
    assert_ok(triage_duty_pair(&duty_sw, &duty_sc, a, today));
    assert_int_equal(triage_id_compare(&duty_sw, &sw[k]), 0);
    assert_ok(triage_worker_present(&present, a, &sw[k], today));
    assert_int_equal(present, 1);
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* ---- the memory store against a model ------------------------------------------------------ */

#define MODEL_MAX 400

typedef struct {
    int kind;
    triage_id_t id, owner;
    int64_t revision, created;
    unsigned char data[8];
} model_rec;

typedef struct {
    model_rec recs[MODEL_MAX];
    size_t n;
    int64_t nev;
    triage_id_t ev_case[4 * MODEL_MAX];
    int64_t ev_at[4 * MODEL_MAX];
} model;

typedef struct {
    const model_rec *seen[MODEL_MAX];
    size_t n;
    int64_t last_seq;
    size_t nev;
} visit_log;

static int log_rec(void *ctx, const triage_store_record_t *r)
{
    visit_log *v = ctx;
    static model_rec scratch[MODEL_MAX];
    assert_true(v->n < MODEL_MAX);
    model_rec *m = &scratch[v->n];
    m->kind = (int)r->kind;
    m->id = r->id;
    m->owner = r->owner;
    m->revision = r->revision;
    m->created = r->created;
    assert_int_equal(r->len, sizeof m->data);
    memcpy(m->data, r->data, sizeof m->data);
    v->seen[v->n++] = m;
    return 0;
}

static int log_ev(void *ctx, const triage_store_event_t *ev)
{
    visit_log *v = ctx;
    assert_true(ev->seq > v->last_seq);
    v->last_seq = ev->seq;
    v->nev++;
    return 0;
}

static void assert_rec_equal(const model_rec *a, const model_rec *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_memory_equal(&a->id, &b->id, sizeof a->id);
    assert_memory_equal(&a->owner, &b->owner, sizeof a->owner);
    assert_int_equal(a->revision, b->revision);
    assert_int_equal(a->created, b->created);
    assert_memory_equal(a->data, b->data, sizeof a->data);
}

/* Every query the engine makes answers as the model does. */
static void check_store(const triage_store_t *st, const model *m, unsigned *seed)
{
    void *ud = st->userdata;
    int64_t last = -1;
    assert_int_equal(st->last_seq(ud, &last), 0);
    assert_int_equal(last, m->nev);
    for (int kind = 1; kind <= 2; kind++) {
        /* all of a kind, in creation order */
        visit_log v = {{0}, 0, 0, 0};
        triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, (triage_record_kind_t)kind, {{0}},
                                  0, 0, TRIAGE_DATE_NONE};
        assert_int_equal(st->query_records(ud, &q, log_rec, &v), 0);
        size_t k = 0;
        for (size_t i = 0; i < m->n; i++)
            if (m->recs[i].kind == kind)
                assert_rec_equal(v.seen[k++], &m->recs[i]);
        assert_int_equal(v.n, k);
        /* by owner, changed after a random revision */
        int64_t after = m->nev ? (int64_t)(rand_r(seed) % (unsigned)(m->nev + 1)) : 0;
        for (int o = 0; o < 3; o++) {
            memset(&v, 0, sizeof v);
            q.owner = (triage_id_t){{0}};
            q.owner.bytes[0] = (unsigned char)(o + 1);
            q.changed_after = after;
            assert_int_equal(st->query_records(ud, &q, log_rec, &v), 0);
            k = 0;
            for (size_t i = 0; i < m->n; i++)
                if (m->recs[i].kind == kind && m->recs[i].owner.bytes[0] == o + 1 &&
                    m->recs[i].revision > after)
                    assert_rec_equal(v.seen[k++], &m->recs[i]);
            assert_int_equal(v.n, k);
        }
        /* changed after: each changed record once */
        memset(&v, 0, sizeof v);
        q.owner = (triage_id_t){{0}};
        q.changed_after = after ? after : 1;
        assert_int_equal(st->query_records(ud, &q, log_rec, &v), 0);
        k = 0;
        for (size_t i = 0; i < m->n; i++)
            if (m->recs[i].kind == kind && m->recs[i].revision > q.changed_after) {
                k++;
                int found = 0;
                for (size_t j = 0; j < v.n; j++)
                    if (!memcmp(&v.seen[j]->id, &m->recs[i].id, sizeof m->recs[i].id)) {
                        assert_rec_equal(v.seen[j], &m->recs[i]);
                        found++;
                    }
                assert_int_equal(found, 1);
            }
        assert_int_equal(v.n, k);
    }
    /* each record by id */
    for (size_t i = 0; i < m->n; i++) {
        visit_log v = {{0}, 0, 0, 0};
        assert_int_equal(st->get_record(ud, (triage_record_kind_t)m->recs[i].kind,
                                        &m->recs[i].id, log_rec, &v),
                         0);
        assert_int_equal(v.n, 1);
        assert_rec_equal(v.seen[0], &m->recs[i]);
    }
    /* events: by case, in a time window, after a sequence number, a limit */
    for (int c = 0; c < 3; c++) {
        triage_store_event_query_t eq = {TRIAGE_STORE_EVENT_QUERY_VERSION, 0, INT64_MAX, {{0}},
                                         INT64_MIN, INT64_MAX, 0};
        if (c)
            eq.case_id.bytes[0] = (unsigned char)c;
        eq.after_seq = m->nev ? (int64_t)(rand_r(seed) % (unsigned)(m->nev + 1)) : 0;
        eq.from_ms = (int64_t)(rand_r(seed) % 50);
        eq.to_ms = eq.from_ms + (int64_t)(rand_r(seed) % 60);
        eq.limit = rand_r(seed) % 3 ? 0 : 1 + rand_r(seed) % 5;
        eq.upto_seq = rand_r(seed) % 2 ? INT64_MAX : m->nev - (int64_t)(rand_r(seed) % 3);
        visit_log v = {{0}, 0, eq.after_seq, 0};
        assert_int_equal(st->query_events(ud, &eq, log_ev, &v), 0);
        size_t want = 0;
        for (int64_t sq = eq.after_seq + 1; sq <= m->nev && sq <= eq.upto_seq; sq++) {
            const triage_id_t *cid = &m->ev_case[sq - 1];
            if ((c && cid->bytes[0] != c) || m->ev_at[sq - 1] < eq.from_ms ||
                m->ev_at[sq - 1] > eq.to_ms)
                continue;
            if (eq.limit && (int64_t)want == eq.limit)
                break;
            want++;
        }
        assert_int_equal(v.nev, want);
    }
}

/* Random transactions of new and changed records (with owners) and events,
 * committed or rolled back, leave the memory store answering every query
 * as a model of committed states does: rollback restores records, owner
 * chains, the change log and the events. */
static void test_memory_store_model(void **state)
{
    (void)state;
    triage_store_t st;
    assert_ok(triage_store_memory(&st, NULL));
    void *ud = st.userdata;
    static model m, work;
    memset(&m, 0, sizeof m);
    unsigned seed = 12345;
    for (int round = 0; round < 300; round++) {
        work = m;
        assert_int_equal(st.begin(ud), 0);
        int64_t seq = work.nev;
        int nev = 1 + (int)(rand_r(&seed) % 3);
        int64_t rev = seq + nev;
        int nput = (int)(rand_r(&seed) % 4);
        for (int k = 0; k < nput && work.n < MODEL_MAX - 4; k++) {
            triage_store_record_t r;
            memset(&r, 0, sizeof r);
            r.version = TRIAGE_STORE_RECORD_VERSION;
            model_rec *x;
            if (work.n && rand_r(&seed) % 2) {
                x = &work.recs[rand_r(&seed) % work.n];
                r.expected_revision = x->revision;
                if (x->revision == rev)
                    continue; /* written in this transaction already */
            } else {
                x = &work.recs[work.n++];
                memset(x, 0, sizeof *x);
                x->kind = 1 + (int)(rand_r(&seed) % 2);
                x->id.bytes[0] = 0xee;
                x->id.bytes[1] = (unsigned char)(work.n >> 8);
                x->id.bytes[2] = (unsigned char)work.n;
                x->id.bytes[3] = (unsigned char)round;
                if (rand_r(&seed) % 4)
                    x->owner.bytes[0] = (unsigned char)(1 + rand_r(&seed) % 3);
                x->created = rev;
            }
            x->revision = rev;
            for (size_t b = 0; b < sizeof x->data; b++)
                x->data[b] = (unsigned char)rand_r(&seed);
            r.kind = (triage_record_kind_t)x->kind;
            r.id = x->id;
            r.owner = x->owner;
            r.revision = x->revision;
            r.created = x->created;
            r.data = x->data;
            r.len = sizeof x->data;
            assert_int_equal(st.put_record(ud, &r), 0);
            /* a stale write is refused and changes nothing */
            r.expected_revision = rev + 1;
            assert_int_equal(st.put_record(ud, &r), TRIAGE_ECONFLICT);
        }
        for (int k = 0; k < nev; k++) {
            triage_event_t ev;
            memset(&ev, 0, sizeof ev);
            ev.case_id.bytes[0] = (unsigned char)(rand_r(&seed) % 3);
            ev.at_ms = (int64_t)(rand_r(&seed) % 100);
            unsigned char d = 1;
            triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, &ev, seq + k + 1, &d, 1};
            assert_int_equal(st.append_event2(ud, &se), 0);
            work.ev_case[seq + k] = ev.case_id;
            work.ev_at[seq + k] = ev.at_ms;
        }
        work.nev = seq + nev;
        if (rand_r(&seed) % 3 == 0) {
            assert_int_equal(st.rollback(ud), 0);
        } else {
            assert_int_equal(st.commit(ud), 0);
            m = work;
        }
        check_store(&st, &m, &seed);
    }
    /* a second handle sees the same; the database lives until both go */
    triage_store_t other;
    assert_ok(triage_store_memory_share(&other, &st));
    st.destroy(ud);
    check_store(&other, &m, &seed);
    other.destroy(other.userdata);
}


/* A record read on demand that is newer than the engine's last refresh (a
 * case another engine opened since) counts in the workers' loads at once,
 * and the refresh that follows does not count it twice or take off what
 * was never added. */
typedef struct {
    triage_engine_t *other;
    triage_id_t client, worker, case_id;
    triage_status_t rc;
} open_meddle;

static void open_and_assign(void *ctx)
{
    open_meddle *m = ctx;
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = m->client;
    in.kind = TRIAGE_INTAKE_NOTIFICATION;
    in.received_ms = now_ms;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    m->rc = triage_intake(&r, m->other, &in);
    if (!m->rc) {
        m->case_id = r.case_id;
        m->rc = triage_case_set_worker(m->other, &r.case_id, NULL, now_ms,
                                       TRIAGE_SLOT_RESPONSIBLE, &m->worker);
    }
}

static void test_loads_follow_records_read_on_demand(void **state)
{
    (void)state;
    now_ms = T0;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *b = open_on(&mem, 3);
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = TRIAGE_ROLE_SOCIAL_WORKER;
    triage_id_t worker, client;
    assert_ok(triage_worker_create(&worker, b, &w));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    assert_ok(triage_client_create(&client, b, &c));
    hooked h;
    memset(&h, 0, sizeof h);
    assert_ok(triage_store_memory_share(&h.inner, &mem));
    triage_store_t hs = hooked_store(&h);
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    triage_engine_t *a;
    assert_ok(triage_engine_open(&a, &o, &hs));
    assert_int_equal(stats_of(a).clients, 0); /* no activity yet: read on demand */
    triage_worker_load_t l;
    l.version = TRIAGE_WORKER_LOAD_VERSION;
    assert_ok(triage_worker_load(&l, a, &worker)); /* a's loads are built */
    assert_int_equal(l.cases, 0);
    /* a takes in a matter for the client; just before a reads the client,
     * b opens a case for it and makes the worker responsible */
    open_meddle m = {b, client, worker, {{0}}, TRIAGE_OK};
    h.hook = open_and_assign;
    h.hook_ctx = &m;
    h.hook_times = 1;
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = client;
    in.kind = TRIAGE_INTAKE_CONTACT;
    in.received_ms = now_ms;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, a, &in));
    assert_ok(m.rc);
    assert_int_equal(h.hook_times, 0);
    triage_id_t cases[2] = {m.case_id, r.case_id};
    assert_agrees_with_fresh(a, &mem, cases, 2);
    assert_ok(triage_worker_load(&l, a, &worker));
    assert_true(l.cases >= 1);
    triage_engine_free(a);
    triage_engine_free(b);
    mem.destroy(mem.userdata);
}


/* ---- messages ---------------------------------------------------------------------------- */

/* A message a store gave with a lost race (which the engine retried and
 * won) is not the message of a later, unrelated failure. */
static void test_race_message_does_not_stick(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    hooked h;
    memset(&h, 0, sizeof h);
    assert_ok(triage_store_memory_share(&h.inner, &mem));
    triage_store_t hs = hooked_store(&h);
    triage_engine_t *a;
    assert_ok(triage_engine_open(&a, NULL, &hs));
    h.conflict_once = 1;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, a, &c));
    assert_int_equal(stats_of(a).races, 1);
    h.last_seq_fails = 77;
    assert_status(triage_engine_refresh(a), TRIAGE_ESTORE);
    assert_int_equal(triage_error_last()->cause, 77);
    assert_error_arg("last_seq");
    assert_null(strstr(triage_error_last()->message, "changed since it was read"));
    h.last_seq_fails = 0;
    triage_engine_free(a);
    mem.destroy(mem.userdata);
}


/* ---- options against the stored policy, at the same time ---------------------------------- */

typedef struct {
    const triage_store_t *mem;
    const triage_urgency_policy_t *urgency;
    triage_status_t rc;
} open_other;

static void open_other_now(void *ctx)
{
    open_other *x = ctx;
    triage_store_t s;
    assert_ok(triage_store_memory_share(&s, x->mem));
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.urgency = x->urgency;
    triage_engine_t *e = NULL;
    x->rc = triage_engine_open(&e, &o, &s);
    triage_engine_free(e);
}

/* Two engines open on a new database at the same moment, each with its own
 * urgency policy as an option: one policy is stored and the other engine is
 * refused, naming the option, however their writes interleave. */
static void test_concurrent_open_with_other_policy_refused(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_urgency_policy_t *ua, *ub;
    assert_ok(triage_urgency_policy_new(&ua, NULL));
    assert_ok(triage_urgency_policy_set_id(ua, "policy-a", 1));
    assert_ok(triage_urgency_policy_new(&ub, NULL));
    assert_ok(triage_urgency_policy_set_id(ub, "policy-b", 1));
    /* b opens (and stores its policy) just before a writes its own */
    open_other x = {&mem, ub, TRIAGE_OK};
    faulty f;
    memset(&f, 0, sizeof f);
    assert_ok(triage_store_memory_share(&f.inner, &mem));
    f.hook = open_other_now;
    f.hook_ctx = &x;
    f.hook_times = 1;
    triage_store_t fs = faulty_store(&f);
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.urgency = ua;
    triage_engine_t *a = NULL;
    triage_status_t rc = triage_engine_open(&a, &o, &fs);
    assert_int_equal(f.hook_times, 0);
    assert_ok(x.rc);
    if (rc != TRIAGE_ECONFLICT) {
        triage_engine_free(a);
        fail_msg("the engine opened (%d) with policy-a on a database that holds policy-b", (int)rc);
    }
    assert_error_arg("opts.urgency");
    assert_null(a);
    f.inner.destroy(f.inner.userdata);
    /* what is stored is b's, once */
    triage_engine_t *c = open_on(&mem, 3);
    const triage_urgency_policy_t *got;
    const char *id;
    uint32_t v;
    assert_ok(triage_engine_urgency_policy(&got, c));
    assert_ok(triage_urgency_policy_id(&id, &v, got));
    assert_string_equal(id, "policy-b");
    uint32_t vs[4];
    assert_int_equal(policy_versions(vs, 4, c, TRIAGE__POLICY_URGENCY), 1);
    triage_engine_free(c);
    triage_urgency_policy_free(ua);
    triage_urgency_policy_free(ub);
    mem.destroy(mem.userdata);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_inside_a_call_loses_no_update),
        cmocka_unit_test(test_policy_versions_count_every_engines_changes),
        cmocka_unit_test(test_locked_attempt_failing_leaves_nothing_open),
        cmocka_unit_test(test_refreshed_engine_agrees_with_fresh),
        cmocka_unit_test(test_allocation_failure_every_step_and_refresh),
        cmocka_unit_test(test_record_under_another_key_is_corrupt),
        cmocka_unit_test(test_event_iterator_pages_with_filters),
        cmocka_unit_test(test_damaged_policy_is_corrupt),
        cmocka_unit_test(test_policy_round_trip_every_field),
        cmocka_unit_test(test_distance_matrix_sizes),
        cmocka_unit_test(test_damaged_assignment_policy_can_be_replaced),
        cmocka_unit_test(test_reading_engine_sweeps_daily),
        cmocka_unit_test(test_presence_and_duty_roster_refresh),
        cmocka_unit_test(test_memory_store_model),
        cmocka_unit_test(test_loads_follow_records_read_on_demand),
        cmocka_unit_test(test_race_message_does_not_stick),
        cmocka_unit_test(test_concurrent_open_with_other_policy_refused),
    };
    return cmocka_run_group_tests_name("shared_review", tests, NULL, NULL);
}
