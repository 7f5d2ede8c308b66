/*
 * The storage interface (DOMAIN.md §8; CONVENTIONS.md rules 9-13): vtable
 * negotiation, loading, the all-or-nothing guarantee under store failures
 * at every callback of a full scenario, the in-memory and SQLite stores,
 * and refusal of foreign, corrupt, newer and locked databases.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storeutil.h"
#include "engine/engine_internal.h"

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

static void path_of(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
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
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_store_t s = mem;
    s.destroy = count_destroy; /* the test keeps the memory store */
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
    s = mem;
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

    triage_store_t init;
    assert_ok(triage_store_init(&init, TRIAGE_STORE_VERSION));
    assert_int_equal(init.version, TRIAGE_STORE_VERSION);
    assert_null(init.begin);
    assert_status(triage_store_init(&init, 2), TRIAGE_EVERSION);
    assert_status(triage_engine_open(&e, NULL, NULL), TRIAGE_EINVAL);
    mem.destroy(mem.userdata);
}

/* ---- persistence through the memory store ----------------------------------- */

static void test_reopen_memory(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
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
    assert_ok(triage_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    int64_t last = evs[n - 1].seq;
    triage_free(evs);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    assert_ok(triage_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    assert_int_equal(evs[n - 1].seq, last + 1);
    triage_free(evs);
    triage_engine_free(e);
    mem.destroy(mem.userdata);
}

/* ---- every callback of the scenario fails once ----------------------------- */

static void test_fault_injection_every_callback(void **state)
{
    (void)state;
    failing_alloc fa = {0};
    triage_allocator_t alloc = fa_allocator(&fa);
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, &alloc));
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

/* A rollback that fails: the engine keeps its memory as it was and refuses
 * every later write (the store's state is unknown) until it is reopened. */
static void test_failed_rollback(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    faulty f = {.inner = mem, .code = 55};
    triage_store_t s = faulty_store(&f);
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id, id2;
    assert_ok(triage_client_create(&id, e, &c));
    sbuf before = dump_engine(e);
    f.rollback_fails = 1;
    f.fail_at = f.calls + 2; /* the put after begin */
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

static void test_load_failures(void **state)
{
    (void)state;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
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
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
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
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
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

/* ---- SQLite ------------------------------------------------------------------ */

/* A fixed clock keeps events without a time of their own comparable. */
static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return SC_T0;
}

static triage_engine_t *open_sqlite(const char *path)
{
    triage_store_t s;
    triage_engine_t *e = NULL;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_clock;
    if (triage_store_sqlite(&s, path, NULL) != TRIAGE_OK)
        return NULL;
    if (triage_engine_open(&e, &o, &s) != TRIAGE_OK)
        return NULL;
    return e;
}

static void test_sqlite_round_trip(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "round.db");
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    scenario sc;
    run_scenario(e, &sc);
    sbuf before = dump_engine(e);
    triage_engine_free(e);
    e = open_sqlite(path);
    assert_non_null(e);
    assert_same(before, dump_engine(e));
    triage_engine_free(e);
    /* The file is sound and carries the domain's constraints. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    char *err = NULL;
    /* Events are append-only; a closed case needs a reason; FKs hold. */
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM event", NULL, NULL, &err), SQLITE_OK);
    sqlite3_free(err);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE event SET kind = 3", NULL, NULL, &err), SQLITE_OK);
    sqlite3_free(err);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE cases SET closing_reason = 0", NULL, NULL, &err), SQLITE_OK);
    sqlite3_free(err);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE worker SET role = 9", NULL, NULL, &err), SQLITE_OK);
    sqlite3_free(err);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    assert_int_not_equal(sqlite3_exec(db, "UPDATE cases SET client = zeroblob(16)", NULL, NULL, &err), SQLITE_OK);
    sqlite3_free(err);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Same scenario, same observable results on both stores (ids aside). */
static sbuf shape(triage_engine_t *e)
{
    sbuf b = {0};
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_case_list(&ids, &n, e, NULL));
    for (size_t i = 0; i < n; i++) {
        triage_case_t c;
        assert_ok(triage_case_get(&c, e, &ids[i]));
        int32_t v[] = {(int32_t)c.stage, (int32_t)c.urgency, (int32_t)c.flags,
                       (int32_t)c.closing_reason, c.received, c.assessment_started,
                       c.assessment_completed, c.first_contact, c.special_support,
                       (int32_t)c.deadline_count};
        sb_add(&b, v, sizeof v);
        sb_add(&b, &c.classification, sizeof c.classification);
        sb_add(&b, c.deadlines, c.deadline_count * sizeof c.deadlines[0]);
    }
    triage_free(ids);
    triage_event_t *evs;
    assert_ok(triage_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    for (size_t i = 0; i < n; i++) {
        int64_t v[] = {evs[i].seq, evs[i].kind, evs[i].from, evs[i].to, evs[i].reason,
                       evs[i].policy_version};
        sb_add(&b, v, sizeof v);
        sb_add(&b, evs[i].policy_id, sizeof evs[i].policy_id);
        sb_add(&b, &evs[i].at_ms, sizeof evs[i].at_ms);
    }
    triage_free(evs);
    return b;
}

static void test_same_results_memory_and_sqlite(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "same.db");
    triage_engine_t *sq = open_sqlite(path);
    assert_non_null(sq);
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *me;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_clock;
    assert_ok(triage_engine_open(&me, &o, &mem));
    scenario a, b;
    run_scenario(sq, &a);
    run_scenario(me, &b);
    assert_same(shape(sq), shape(me));
    triage_engine_free(sq);
    triage_engine_free(me);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

static sbuf read_file(const char *path)
{
    sbuf b = {0};
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        sb_add(&b, chunk, n);
    fclose(fp);
    return b;
}

static void expect_refused(const char *path, triage_status_t code)
{
    sbuf before = read_file(path);
    triage_store_t s;
    memset(&s, 0x7f, sizeof s);
    triage_store_t copy = s;
    assert_status(triage_store_sqlite(&s, path, NULL), code);
    assert_memory_equal(&s, &copy, sizeof s);
    assert_same(before, read_file(path));
}

static void test_sqlite_refuses_foreign_files(void **state)
{
    (void)state;
    char path[128];
    /* A text file. */
    path_of(path, sizeof path, "notes.txt");
    const char text[] = "This is not a database, it is a shopping list.\n";
    write_file(path, text, sizeof text);
    expect_refused(path, TRIAGE_ECONFLICT);
    assert_error_arg("path");
    /* Another application's SQLite database. */
    path_of(path, sizeof path, "other.db");
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    expect_refused(path, TRIAGE_ECONFLICT);
    /* A libtriage database from the future. */
    path_of(path, sizeof path, "future.db");
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    triage_engine_free(e);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    expect_refused(path, TRIAGE_EVERSION);
    /* A corrupt one: a valid header, garbage pages. */
    path_of(path, sizeof path, "corrupt.db");
    e = open_sqlite(path);
    assert_non_null(e);
    scenario sc;
    run_scenario(e, &sc);
    triage_engine_free(e);
    sbuf good = read_file(path);
    assert_true(good.len > 4096);
    for (size_t i = 4096; i < good.len; i++)
        good.buf[i] = (char)(i * 7919 % 251);
    write_file(path, good.buf, good.len);
    free(good.buf);
    sbuf before = read_file(path);
    triage_store_t s;
    triage_status_t rc = triage_store_sqlite(&s, path, NULL);
    if (rc == TRIAGE_OK) { /* header fine: loading must fail */
        triage_engine_t *x = NULL;
        rc = triage_engine_open(&x, NULL, &s);
        assert_null(x);
    }
    assert_int_equal(rc, TRIAGE_ECORRUPT); /* damage, never a conflict to retry */
    assert_same(before, read_file(path));
    /* Missing file without create. */
    triage_sqlite_options_t o = TRIAGE_SQLITE_OPTIONS_INIT;
    o.create = 0;
    path_of(path, sizeof path, "absent.db");
    assert_status(triage_store_sqlite(&s, path, &o), TRIAGE_ENOTFOUND);
    assert_int_equal(access(path, F_OK), -1);
    /* Bad arguments. */
    assert_status(triage_store_sqlite(&s, "", NULL), TRIAGE_EINVAL);
    assert_status(triage_store_sqlite(&s, NULL, NULL), TRIAGE_EINVAL);
    assert_status(triage_store_sqlite(NULL, path, NULL), TRIAGE_EINVAL);
    o.create = 3;
    assert_status(triage_store_sqlite(&s, path, &o), TRIAGE_EINVAL);
    o = (triage_sqlite_options_t)TRIAGE_SQLITE_OPTIONS_INIT;
    o.version = 9;
    assert_status(triage_store_sqlite(&s, path, &o), TRIAGE_EVERSION);
    assert_status(triage_store_sqlite(&s, tmpdir, NULL), TRIAGE_EINVAL);
    assert_int_equal(triage_store_sqlite_available(), 1);
}

/* ---- damaged records: edited rows of an SQLite file --------------------------- */

/* One edit of a stored blob: `width` bytes of `value` (little-endian) at
 * `off` inside the data column of row `rowid` of `table` (records: after
 * the 12-byte header); wider edits repeat the low byte. */
typedef struct {
    const char *table;
    int64_t rowid; /* 0: the first row */
    size_t off;
    size_t width;
    uint32_t value;
    const char *field; /* what the error must name */
} blob_edit;

static void edit_blob(const char *path, const blob_edit *ed)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int64_t rowid = ed->rowid;
    if (!rowid) {
        char sql[96];
        sqlite3_stmt *st;
        snprintf(sql, sizeof sql, "SELECT rowid FROM %s ORDER BY rowid LIMIT 1", ed->table);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        rowid = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    /* Incremental blob I/O: rewrites the bytes in place (no trigger runs,
     * the row keeps its columns), as a disk error or a hand edit would. */
    sqlite3_blob *b;
    assert_int_equal(sqlite3_blob_open(db, "main", ed->table, "data", rowid, 1, &b), SQLITE_OK);
    unsigned char bytes[32];
    for (size_t i = 0; i < ed->width; i++)
        bytes[i] = (unsigned char)(ed->width > 4 ? ed->value : ed->value >> (8 * i));
    assert_int_equal(sqlite3_blob_write(b, bytes, (int)ed->width, (int)ed->off), SQLITE_OK);
    assert_int_equal(sqlite3_blob_close(b), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void expect_corrupt(const char *field)
{
    const triage_error_t *le = triage_error_last();
    assert_int_equal(le->code, TRIAGE_ECORRUPT);
    assert_string_equal(le->argument, field);
    if (!strstr(le->message, field))
        fail_msg("message \"%s\" does not name %s", le->message, field);
}

#define REC(field) (TRIAGE__RECORD_HEADER + offsetof(triage_case_t, field))

static void test_sqlite_edited_rows_are_corrupt(void **state)
{
    (void)state;
    const size_t ms = REC(deadlines) + offsetof(triage_deadline_t, milestone);
    const blob_edit edits[] = {
        {"cases", 0, ms, 4, 200, "case.deadlines.milestone"},
        {"cases", 0, REC(deadline_count), 4, 99, "case.deadline_count"},
        {"cases", 0, REC(stage), 4, 99, "case.stage"},
        {"cases", 0, REC(urgency), 4, 77, "case.urgency"},
        {"cases", 0, REC(channel), 4, 1000, "case.channel"},
        {"cases", 0, REC(milestone_met), 4, 0x7fffffff, "case.milestone_met"},
        {"event", 1, offsetof(triage_event_t, policy_id), 32, 'x', "event.policy_id"},
        {"event", 1, offsetof(triage_event_t, kind), 4, 0, "event.kind"},
        {"worker", 0, TRIAGE__RECORD_HEADER + offsetof(triage_worker_t, served_count), 4, 17,
         "worker.served_count"},
        {"client", 0, TRIAGE__RECORD_HEADER + offsetof(triage_client_t, language), 4, 9,
         "client.language"},
        {"absence", 0, TRIAGE__RECORD_HEADER + offsetof(triage__absence_rec, reserved), 4, 1,
         "absence.reserved"},
        {"cases", 0, 0, 4, 0x4b4e554a /* "JUNK" */, "case.header"},
    };
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(edits); i++) {
        char path[128], name[32];
        snprintf(name, sizeof name, "edited-%zu.db", i);
        path_of(path, sizeof path, name);
        triage_engine_t *e = open_sqlite(path);
        assert_non_null(e);
        scenario sc;
        run_scenario(e, &sc);
        triage_engine_free(e);
        edit_blob(path, &edits[i]);
        triage_store_t s;
        assert_ok(triage_store_sqlite(&s, path, NULL));
        e = (triage_engine_t *)&s;
        assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ECORRUPT);
        assert_ptr_equal(e, (triage_engine_t *)&s);
        expect_corrupt(edits[i].field);
    }
    /* A row removed behind the store's back: the case's client is gone. */
    char path[128];
    path_of(path, sizeof path, "dangling.db");
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    scenario sc;
    run_scenario(e, &sc);
    triage_engine_free(e);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "DELETE FROM client", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_null(open_sqlite(path));
    expect_corrupt("case.client");
}

/* The scenario's records in a fresh in-memory store (the engine that wrote
 * them is gone; the caller destroys the store). */
static void scenario_in_memory(triage_store_t *mem, scenario *sc)
{
    assert_ok(triage_store_memory(mem, NULL));
    triage_store_t s = *mem;
    s.destroy = NULL;
    triage_engine_t *e;
    assert_ok(triage_engine_open(&e, NULL, &s));
    run_scenario(e, sc);
    triage_engine_free(e);
}

/* The same damage through triage_record_decode(). */
static void test_record_decode_refuses_damage(void **state)
{
    (void)state;
    triage_store_t mem;
    scenario sc;
    scenario_in_memory(&mem, &sc);
    unsigned char good[4096], buf[4096];
    size_t len = 0;
    assert_int_equal(mem.get(mem.userdata, TRIAGE_RECORD_CASE, &sc.c1, good, sizeof good, &len), 0);
    triage_case_t c;
    assert_ok(triage_record_decode(&c, TRIAGE_RECORD_CASE, good, len));
    const struct {
        size_t off;
        uint32_t value;
        const char *field;
    } edits[] = {
        {REC(deadlines) + offsetof(triage_deadline_t, milestone), 200, "case.deadlines.milestone"},
        {REC(deadline_count), 99, "case.deadline_count"},
        {REC(stage), 99, "case.stage"},
        {REC(urgency), 77, "case.urgency"},
        {REC(channel), 1000, "case.channel"},
        {REC(closing_reason), 99, "case.closing_reason"},
        {REC(flags), 0x200, "case.flags"},
        {REC(version), 2, "case.version"},
    };
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(edits); i++) {
        memcpy(buf, good, len);
        memcpy(buf + edits[i].off, &edits[i].value, 4);
        memset(&c, 0x5a, sizeof c);
        triage_case_t copy = c;
        assert_status(triage_record_decode(&c, TRIAGE_RECORD_CASE, buf, len), TRIAGE_ECORRUPT);
        expect_corrupt(edits[i].field);
        assert_memory_equal(&c, &copy, sizeof c); /* out untouched */
    }
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
    memset(&ev, 0, sizeof ev);
    ev.seq = 1;
    ev.kind = TRIAGE_EVENT_CLIENT_CREATED;
    ev.subject.bytes[0] = 1;
    crafted_event = &ev;
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
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

/* ---- refusals leave the file as it was; modes; quick_check --------------------- */

static void copy_file(const char *from, const char *to)
{
    sbuf b = read_file(from);
    write_file(to, b.buf, b.len);
    free(b.buf);
}

/* A database with the scenario in it, closed (self-contained file). */
static void make_db(const char *path)
{
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    scenario sc;
    run_scenario(e, &sc);
    triage_engine_free(e);
}

static void sql(const char *path, const char *text)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", text, err);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* Opening must fail with `code` (at the store or at the engine) and leave
 * every byte of the file as it was, with no journal or WAL left beside it. */
static void expect_untouched(const char *path, const triage_sqlite_options_t *o,
                             triage_status_t code)
{
    sbuf before = read_file(path);
    triage_store_t s;
    triage_status_t rc = triage_store_sqlite(&s, path, o);
    if (rc == TRIAGE_OK) {
        triage_engine_t *e = NULL;
        rc = triage_engine_open(&e, NULL, &s);
        if (rc == TRIAGE_OK)
            triage_engine_free(e);
    }
    assert_status(rc, code);
    assert_same(before, read_file(path));
    char side[160];
    snprintf(side, sizeof side, "%s-wal", path);
    assert_false(exists(side));
    snprintf(side, sizeof side, "%s-journal", path);
    assert_false(exists(side));
}

static void test_sqlite_empty_file_without_create(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "empty.db");
    write_file(path, "", 0);
    triage_sqlite_options_t o = TRIAGE_SQLITE_OPTIONS_INIT;
    o.create = 0; /* the CLI's report */
    expect_untouched(path, &o, TRIAGE_ECORRUPT);
    assert_error_arg("path");
    assert_non_null(strstr(triage_error_last()->message, "empty"));
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 0);
    /* With create = 1 an empty file becomes a new database. */
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    triage_engine_free(e);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 0);
}

static void test_sqlite_bad_schema_versions(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "version.db");
    make_db(path);
    /* In rollback-journal mode too: it must not be switched to WAL. */
    sql(path, "PRAGMA journal_mode = DELETE");
    static const struct {
        const char *pragma;
        triage_status_t code;
        const char *says;
    } cases[] = {
        {"PRAGMA user_version = -1", TRIAGE_ECORRUPT, "negative schema version"},
        {"PRAGMA user_version = -2147483648", TRIAGE_ECORRUPT, "negative schema version"},
        {"PRAGMA user_version = 2147483647", TRIAGE_EVERSION, "newer libtriage"},
        {"PRAGMA user_version = 0", TRIAGE_ECORRUPT, "without a schema version"},
    };
    char copy[128];
    path_of(copy, sizeof copy, "version-copy.db");
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(cases); i++) {
        copy_file(path, copy);
        sql(copy, cases[i].pragma);
        expect_untouched(copy, NULL, cases[i].code);
        assert_error_arg("path");
        assert_non_null(strstr(triage_error_last()->message, cases[i].says));
    }
}

/* Reproducer: a damaged database in rollback-journal mode was switched to
 * WAL (its header rewritten) before its records were refused. */
static void test_sqlite_refused_file_is_never_modified(void **state)
{
    (void)state;
    char path[128], copy[128];
    path_of(path, sizeof path, "rollback.db");
    path_of(copy, sizeof copy, "rollback-copy.db");
    make_db(path);
    sql(path, "PRAGMA journal_mode = DELETE");
    /* A record that fails validation (the engine refuses it at load). */
    copy_file(path, copy);
    const blob_edit stage = {"cases", 0, REC(stage), 4, 99, "case.stage"};
    edit_blob(copy, &stage);
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    expect_corrupt("case.stage");
    /* A dropped table (the store's own read-only check). */
    copy_file(path, copy);
    sql(copy, "DROP TABLE absence");
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    /* A header whose "version-valid-for" (bytes 92-95) does not match its
     * change counter, a file longer than the header says, and a damaged
     * record: SQLite rewrites such a header at the first commit, even of an
     * empty transaction, so taking the write lock must not commit (found by
     * fuzz_sqlite: tests/fuzz/corpus/sqlite/found-header-rewritten-on-lock.db). */
    copy_file(path, copy);
    edit_blob(copy, &stage);
    sbuf h = read_file(copy);
    memset(h.buf + 92, 0, 4);
    char page[4096] = {0};
    sb_add(&h, page, sizeof page);
    write_file(copy, h.buf, h.len);
    free(h.buf);
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    /* Another application's file, a newer schema. */
    copy_file(path, copy);
    sql(copy, "PRAGMA application_id = 7");
    expect_untouched(copy, NULL, TRIAGE_ECONFLICT);
    copy_file(path, copy);
    sql(copy, "PRAGMA user_version = 9");
    expect_untouched(copy, NULL, TRIAGE_EVERSION);
    /* Garbage pages after the schema: refused, unchanged (the load finds it;
     * with quick_check the store itself). */
    copy_file(path, copy);
    sbuf b = read_file(copy);
    for (size_t i = b.len / 2; i < b.len; i++)
        b.buf[i] = (char)(i * 7919 % 251);
    write_file(copy, b.buf, b.len);
    free(b.buf);
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    triage_sqlite_options_t o = TRIAGE_SQLITE_OPTIONS_INIT;
    o.check = TRIAGE_SQLITE_CHECK_QUICK;
    sbuf before = read_file(copy);
    triage_store_t s;
    assert_status(triage_store_sqlite(&s, copy, &o), TRIAGE_ECORRUPT);
    assert_same(before, read_file(copy));
    /* The sound file opens, and is switched to WAL only by a write. */
    copy_file(path, copy);
    triage_engine_t *e = open_sqlite(copy);
    assert_non_null(e);
    triage_engine_free(e);
    before = read_file(path);
    sbuf after = read_file(copy);
    assert_int_equal(after.buf[18], 1); /* header: file format 1 = rollback journal */
    assert_same(before, after);
    e = open_sqlite(copy);
    assert_non_null(e);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    triage_engine_free(e);
    after = read_file(copy);
    assert_int_equal(after.buf[18], 2); /* WAL now */
    free(after.buf);
}

static mode_t mode_of(const char *path)
{
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_mode & 07777;
}

static void test_sqlite_file_modes(void **state)
{
    (void)state;
    mode_t old = umask(022);
    char path[128], wal[160], journal[160];
    path_of(path, sizeof path, "mode.db");
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(journal, sizeof journal, "%s-journal", path);
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    assert_int_equal(mode_of(path), 0600);
    assert_true(exists(wal)); /* while the engine is open */
    assert_int_equal(mode_of(wal), 0600);
    triage_engine_free(e);
    /* The rollback journal SQLite creates beside it has the same mode. */
    sql(path, "PRAGMA journal_mode = PERSIST; CREATE TABLE side(x); INSERT INTO side VALUES (1);");
    assert_true(exists(journal));
    assert_int_equal(mode_of(journal), 0600);
    /* Another mode on request, whatever the umask. */
    umask(077);
    triage_sqlite_options_t o = TRIAGE_SQLITE_OPTIONS_INIT;
    o.file_mode = 0640;
    path_of(path, sizeof path, "mode-shared.db");
    triage_store_t s;
    assert_ok(triage_store_sqlite(&s, path, &o));
    s.destroy(s.userdata);
    assert_int_equal(mode_of(path), 0640);
    /* An existing file keeps its mode. */
    assert_int_equal(chmod(path, 0604), 0);
    assert_ok(triage_store_sqlite(&s, path, NULL));
    s.destroy(s.userdata);
    assert_int_equal(mode_of(path), 0604);
    umask(old);
    /* Bad values; a version-1 struct (without the new members) still works. */
    o.file_mode = 01777;
    assert_status(triage_store_sqlite(&s, path, &o), TRIAGE_EINVAL);
    assert_error_arg("options.file_mode");
    o.file_mode = 0;
    o.check = 3;
    assert_status(triage_store_sqlite(&s, path, &o), TRIAGE_EINVAL);
    assert_error_arg("options.check");
    struct {
        uint32_t version;
        int32_t create, busy_timeout_ms;
        triage_allocator_t allocator;
    } v1 = {1, 1, 0, {0, 0, 0, 0}};
    _Static_assert(sizeof v1 == offsetof(triage_sqlite_options_t, file_mode), "v1 layout");
    path_of(path, sizeof path, "mode-v1.db");
    assert_ok(triage_store_sqlite(&s, path, (const triage_sqlite_options_t *)(const void *)&v1));
    s.destroy(s.userdata);
    assert_int_equal(mode_of(path), 0600);
    o = (triage_sqlite_options_t)TRIAGE_SQLITE_OPTIONS_INIT;
    for (int32_t check = TRIAGE_SQLITE_CHECK_QUICK; check <= TRIAGE_SQLITE_CHECK_FULL; check++) {
        o.check = check;
        assert_ok(triage_store_sqlite(&s, path, &o)); /* a sound file passes */
        s.destroy(s.userdata);
    }
}

/* Random single-bit flips of a sound file: every open either succeeds or is
 * refused with a status (never a crash, never ESTORE for damage), and a
 * refused file is byte-identical afterwards. */
static void test_sqlite_bit_flips(void **state)
{
    (void)state;
    char path[128], copy[128];
    path_of(path, sizeof path, "flip.db");
    path_of(copy, sizeof copy, "flip-copy.db");
    make_db(path);
    sbuf good = read_file(path);
    unsigned seed = 4242;
    int refused = 0, opened = 0;
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t at = (seed >> 4) % good.len;
        write_file(copy, good.buf, good.len);
        sbuf b = read_file(copy);
        b.buf[at] ^= (char)(1u << (seed >> 28 & 7));
        write_file(copy, b.buf, b.len);
        triage_sqlite_options_t o = TRIAGE_SQLITE_OPTIONS_INIT;
        o.check = i % 3; /* none, quick, full */
        triage_store_t s;
        triage_status_t rc = triage_store_sqlite(&s, copy, &o);
        if (rc == TRIAGE_OK) {
            triage_engine_t *e = NULL;
            triage_engine_options_t eo = TRIAGE_ENGINE_OPTIONS_INIT;
            eo.clock = fixed_clock;
            rc = triage_engine_open(&e, &eo, &s);
            if (rc == TRIAGE_OK) {
                sbuf d = dump_engine(e);
                free(d.buf);
                triage_engine_free(e);
                opened++;
            }
        }
        if (rc != TRIAGE_OK) {
            refused++;
            if (rc != TRIAGE_ECORRUPT && rc != TRIAGE_ECONFLICT && rc != TRIAGE_EVERSION)
                fail_msg("flip %d at %zu: status %d (%s)", i, at, rc, triage_error_last()->message);
            assert_same(b, read_file(copy));
        } else {
            free(b.buf);
        }
    }
    free(good.buf);
    assert_int_equal(refused + opened, 300);
    print_message("bit flips: %d refused, %d opened\n", refused, opened);
}

static void test_sqlite_locked_by_another_writer(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "locked.db");
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Another process: must be refused, clearly. */
        triage_store_t s;
        triage_status_t rc = triage_store_sqlite(&s, path, NULL);
        _exit(rc == TRIAGE_ECONFLICT &&
                      strstr(triage_error_last()->message, "locked by another writer")
                  ? 0
                  : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* The first writer goes on. */
    assert_ok(triage_client_create(&id, e, &c));
    triage_engine_free(e);
    e = open_sqlite(path);
    assert_non_null(e);
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_client_list(&ids, &n, e));
    assert_int_equal(n, 2);
    triage_free(ids);
    triage_engine_free(e);
}

/* ---- crash test: SIGKILL at random moments ----------------------------------- */

static void crash_child(const char *path, int fd)
{
    triage_engine_t *e = open_sqlite(path);
    if (!e)
        _exit(3);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    for (uint32_t k = 0;; k++) {
        triage_id_t cl;
        if (triage_client_create(&cl, e, &c))
            _exit(4);
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = cl;
        in.kind = TRIAGE_INTAKE_NOTIFICATION;
        in.received_ms = SC_T0 + (int64_t)k * 60000;
        triage_intake_result_t r;
        if (triage_intake(&r, e, &in))
            _exit(5);
        triage_move_t m = TRIAGE_MOVE_INIT;
        m.to = TRIAGE_STAGE_GUIDANCE;
        m.at_ms = in.received_ms + 1000;
        if (triage_case_move(e, &r.case_id, &m))
            _exit(6);
        /* Report the committed case. */
        if (write(fd, &r.case_id, sizeof r.case_id) != (ssize_t)sizeof r.case_id)
            _exit(7);
    }
}

static void test_crash_sigkill(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "crash.db");
    unsigned seed = 12345;
    int runs = 0, killed = 0;
    size_t total_reported = 0;
    triage_id_t *reported = NULL;
    size_t per_run[60];
    for (runs = 0; runs < 60; runs++) {
        size_t reported_before = total_reported;
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child(path, fds[1]);
        }
        close(fds[1]);
        seed = seed * 1103515245u + 12345u;
        useconds_t delay = 2000 + (seed >> 8) % 60000; /* 2-62 ms */
        usleep(delay);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        triage_id_t id;
        while (read(fds[0], &id, sizeof id) == (ssize_t)sizeof id) {
            reported = realloc(reported, (total_reported + 1) * sizeof *reported);
            reported[total_reported++] = id;
        }
        close(fds[0]);
        if (WIFEXITED(status))
            fail_msg("run %d: the child exited (%d) instead of being killed", runs,
                     WEXITSTATUS(status));
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
            killed++;
        per_run[runs] = total_reported - reported_before;
        /* Reopen: succeeds, consistent, nothing reported is lost. */
        triage_engine_t *e = open_sqlite(path);
        if (!e)
            fail_msg("reopen after kill %d: %s", runs, triage_error_last()->message);
        for (size_t i = 0; i < total_reported; i++) {
            triage_case_t c;
            assert_ok(triage_case_get(&c, e, &reported[i]));
            assert_int_equal(c.stage, TRIAGE_STAGE_GUIDANCE);
        }
        /* Nothing beyond what a kill can leave: per run at most one case
         * whose move (or whose report) the kill cut off. */
        triage_id_t *ids;
        size_t ncases;
        assert_ok(triage_case_list(&ids, &ncases, e, NULL));
        triage_free(ids);
        assert_true(ncases >= total_reported);
        assert_true(ncases <= total_reported + (size_t)runs + 1);
        triage_engine_free(e);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
    /* Every run was a real kill, at a different point of the work: the
     * numbers of cases committed between kills vary, and the file grew. */
    assert_int_equal(killed, 60);
    size_t distinct = 0;
    for (int i = 0; i < 60; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= per_run[j] == per_run[i];
        distinct += !seen;
    }
    if (distinct < 5)
        fail_msg("kills fell at only %zu different points", distinct);
    assert_true(total_reported >= 10);
    free(reported);
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
        cmocka_unit_test(test_sqlite_round_trip),
        cmocka_unit_test(test_same_results_memory_and_sqlite),
        cmocka_unit_test(test_sqlite_refuses_foreign_files),
        cmocka_unit_test(test_sqlite_locked_by_another_writer),
        cmocka_unit_test(test_crash_sigkill),
        cmocka_unit_test(test_sqlite_edited_rows_are_corrupt),
        cmocka_unit_test(test_record_decode_refuses_damage),
        cmocka_unit_test(test_crafted_events_are_corrupt),
        cmocka_unit_test(test_sqlite_empty_file_without_create),
        cmocka_unit_test(test_sqlite_bad_schema_versions),
        cmocka_unit_test(test_sqlite_refused_file_is_never_modified),
        cmocka_unit_test(test_sqlite_file_modes),
        cmocka_unit_test(test_sqlite_bit_flips),
    };
    return cmocka_run_group_tests_name("store", tests, make_tmpdir, remove_tmpdir);
}
