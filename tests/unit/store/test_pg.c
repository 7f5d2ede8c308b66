/*
 * The PostgreSQL store against a real server (docs/storage.md, "The
 * PostgreSQL store"). Run by tests/postgresql/with_cluster.sh, which starts
 * a throwaway cluster and sets PG* and TRIAGE_PG_CONNINFO; without them the
 * test is skipped (exit 77). Each test works in a schema of its own.
 *
 * Covered: the store contract (revisions, conflicts, the gap-free event
 * order, two connections racing for one sequence number, the lock
 * timeout); engines on two connections that see each other's work, lost
 * races retried and retries running out; shared policies; threads; the
 * typed columns as a vendor queries them, and their rules as domains that
 * refuse values out of range; refusing newer, foreign and damaged schemas
 * without changing them; credentials and messages without passwords; a
 * schema of another name; a lost connection; allocation failures. No test
 * reads the wall clock (the engine's clock option).
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "storeutil.h"
#include "engine/engine_internal.h"

#define T0 SC_T0
#define DAY SC_DAY

static const char *conninfo;
static int64_t now_ms = T0;

static int64_t fixed_now(void *ud)
{
    return *(const int64_t *)ud;
}

/* ---- helpers: a connection of the test's own -------------------------------------- */

static PGconn *admin_conn;

static PGresult *sqlv(int want_ok, const char *fmt, va_list ap)
{
    char sql[2048];
    vsnprintf(sql, sizeof sql, fmt, ap);
    PGresult *res = PQexec(admin_conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (want_ok && !ok)
        fail_msg("SQL failed: %s: %s", sql, PQerrorMessage(admin_conn));
    return res;
}

/* Runs SQL on the test's connection; the test fails when it fails. */
static void sql(const char *fmt, ...) TRIAGE__PRINTF(1, 2);
static void sql(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PQclear(sqlv(1, fmt, ap));
    va_end(ap);
}

/* The first column of the first row as a number (-1 when there is none). */
static long long sql_int(const char *fmt, ...) TRIAGE__PRINTF(1, 2);
static long long sql_int(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PGresult *res = sqlv(1, fmt, ap);
    va_end(ap);
    long long v = PQntuples(res) && !PQgetisnull(res, 0, 0) ? atoll(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    return v;
}

/* The first column of the first row as text, into `out`. */
static void sql_text(char *out, size_t cap, const char *fmt, ...) TRIAGE__PRINTF(3, 4);
static void sql_text(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PGresult *res = sqlv(1, fmt, ap);
    va_end(ap);
    snprintf(out, cap, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
}

static void fresh_schema(const char *name)
{
    sql("DROP SCHEMA IF EXISTS %s CASCADE", name);
}

/* Everything in a schema that a refused open must leave as it was: its
 * objects and the meta rows, as one text. */
static void schema_fingerprint(char *out, size_t cap, const char *name)
{
    sql_text(out, cap,
             "SELECT coalesce((SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)"
             " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '%s'), '')"
             " || '|' || coalesce((SELECT string_agg(a.attrelid::regclass || '.' || a.attname, ','"
             " ORDER BY a.attrelid::regclass::text, a.attname) FROM pg_attribute a JOIN pg_class c"
             " ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
             " WHERE n.nspname = '%s' AND a.attnum > 0 AND NOT a.attisdropped), '')",
             name, name);
    size_t n = strlen(out);
    char meta[1024] = "";
    if (sql_int("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = '%s' AND c.relname = 'meta'", name) > 0) {
        PGresult *res = PQexec(admin_conn, "SELECT 1");
        PQclear(res);
        char q[256];
        snprintf(q, sizeof q, "SELECT string_agg(t::text, ',' ORDER BY t::text) FROM %s.meta t",
                 name);
        res = PQexec(admin_conn, q);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res))
            snprintf(meta, sizeof meta, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    snprintf(out + n, cap - n, "|%s", meta);
}

static triage_postgresql_options_t pg_opts(const char *schema)
{
    triage_postgresql_options_t o = TRIAGE_POSTGRESQL_OPTIONS_INIT;
    o.schema = schema;
    return o;
}

static triage_store_t pg_store(const char *schema)
{
    triage_postgresql_options_t o = pg_opts(schema);
    triage_store_t s;
    triage_status_t rc = triage_store_postgresql(&s, conninfo, &o);
    if (rc)
        fail_msg("triage_store_postgresql: %s [%s]", triage_error_last()->message,
                 triage_error_last()->argument);
    return s;
}

static triage_engine_t *open_engine(triage_store_t *s, int32_t retries)
{
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    o.retries = retries;
    triage_engine_t *e = NULL;
    triage_status_t rc = triage_engine_open(&e, &o, s);
    if (rc)
        fail_msg("triage_engine_open: %s [%s]", triage_error_last()->message,
                 triage_error_last()->argument);
    return e;
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

static triage_id_t new_worker(triage_engine_t *e, triage_role_t role)
{
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = role;
    triage_id_t id;
    assert_ok(triage_worker_create(&id, e, &w));
    return id;
}

static triage_id_t new_case(triage_engine_t *e, int32_t municipality, triage_id_t *client_out)
{
    triage_client_t c = TRIAGE_CLIENT_INIT;
    c.municipality = municipality;
    triage_id_t client;
    assert_ok(triage_client_create(&client, e, &c));
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = client;
    in.kind = TRIAGE_INTAKE_NOTIFICATION;
    in.received_ms = now_ms;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&r, e, &in));
    if (client_out)
        *client_out = client;
    return r.case_id;
}

static void move_to(triage_engine_t *e, const triage_id_t *case_id, triage_stage_t to)
{
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = to;
    m.at_ms = now_ms;
    if (to == TRIAGE_STAGE_CLOSED)
        m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
    assert_ok(triage_case_move(e, case_id, &m));
}

static triage_stage_t stage_of(triage_engine_t *e, const triage_id_t *case_id)
{
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&c, e, case_id));
    return c.stage;
}

static int32_t attempts_of(triage_engine_t *e, const triage_id_t *case_id)
{
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&c, e, case_id));
    return c.contact_attempts;
}

static triage_engine_stats_t stats_of(const triage_engine_t *e)
{
    triage_engine_stats_t s;
    s.version = TRIAGE_ENGINE_STATS_VERSION;
    assert_ok(triage_engine_stats(&s, e));
    return s;
}

static int64_t assert_gap_free(triage_engine_t *e)
{
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    for (size_t i = 0; i < n; i++)
        assert_int_equal(evs[i].seq, (int64_t)i + 1);
    triage_free(evs);
    return (int64_t)n;
}

/* ---- records for the raw contract ------------------------------------------------- */

/* Puts a worker record (a valid one: the tables check their columns). */
static int put_worker_created(triage_store_t *s, const triage_id_t *id, int64_t revision,
                              int64_t expected, int32_t office, int64_t created)
{
    triage__worker w;
    memset(&w, 0, sizeof w);
    w.id = *id;
    w.rev = revision;
    w.created = created;
    w.role = TRIAGE_ROLE_SOCIAL_WORKER;
    w.fte = 1.0;
    w.languages = 1;
    w.office = office;
    w.active = 1;
    int32_t served[2] = {297, 749};
    w.served = served;
    w.nserved = 2;
    triage__wbuf b = {NULL, NULL, 0, 0, 0};
    assert_ok(triage__encode(&b, &triage__worker_schema, &w));
    triage_field_t cols[32];
    size_t n = triage__codec_columns(cols, 32, &triage__worker_schema, &w, 3);
    triage_store_record_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_STORE_RECORD_VERSION;
    r.kind = TRIAGE_RECORD_WORKER;
    r.id = *id;
    r.revision = revision;
    r.expected_revision = expected;
    r.created = created;
    r.data = b.p;
    r.len = b.n;
    r.fields = cols;
    r.nfields = n;
    int rc = s->put_record(s->userdata, &r);
    triage__free(NULL, b.p);
    return rc;
}

static int put_worker(triage_store_t *s, const triage_id_t *id, int64_t revision,
                      int64_t expected, int32_t office)
{
    return put_worker_created(s, id, revision, expected, office, revision);
}

/* A write that should lose: its refusal comes from put_record or commit. */
static int put_then_commit(triage_store_t *s, const triage_id_t *id, int64_t revision,
                           int64_t expected, int32_t office)
{
    int rc = put_worker(s, id, revision, expected, office);
    return rc ? rc : s->commit(s->userdata);
}

static int append_event(triage_store_t *s, int64_t seq)
{
    triage_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.version = TRIAGE_EVENT_VERSION;
    ev.seq = seq;
    ev.at_ms = T0 + seq;
    ev.kind = TRIAGE_EVENT_WORKER_CREATED;
    triage__wbuf b = {NULL, NULL, 0, 0, 0};
    assert_ok(triage__event_encode(&b, &ev));
    triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, &ev, seq, b.p, b.n};
    int rc = s->append_event2(s->userdata, &se);
    triage__free(NULL, b.p);
    return rc;
}

static int count_rec(void *ctx, const triage_store_record_t *r)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

static int count_ev(void *ctx, const triage_store_event_t *ev)
{
    (void)ev;
    (*(int *)ctx)++;
    return 0;
}

static int64_t last_seq(triage_store_t *s)
{
    int64_t v = -1;
    assert_int_equal(s->last_seq(s->userdata, &v), 0);
    return v;
}

/* ---- the store contract ------------------------------------------------------------- */

static void test_contract(void **state)
{
    (void)state;
    fresh_schema("t_contract");
    triage_store_t s = pg_store("t_contract");
    void *ud = s.userdata;
    triage_id_t w1, w2;
    memset(&w1, 0, sizeof w1);
    memset(&w2, 0, sizeof w2);
    w1.bytes[0] = 1;
    w2.bytes[0] = 2;
    /* writes only inside a transaction */
    assert_int_not_equal(put_worker(&s, &w1, 1, 0, 1), 0);
    assert_int_equal(last_seq(&s), 0);
    assert_int_equal(s.begin(ud), 0);
    assert_int_not_equal(s.begin(ud), 0); /* no nesting */
    assert_int_equal(put_worker(&s, &w1, 1, 0, 1), 0);
    assert_int_equal(append_event(&s, 2), TRIAGE_ECONFLICT); /* 1 comes first */
    assert_int_equal(append_event(&s, 1), 0);
    assert_int_equal(append_event(&s, 1), TRIAGE_ECONFLICT); /* taken */
    assert_int_equal(s.commit(ud), 0);
    assert_int_not_equal(s.commit(ud), 0);
    assert_int_equal(last_seq(&s), 1);

    /* a new record over an existing one, and a stale revision, are
     * conflicts: the store sends its writes in pipeline mode and reads
     * their results at commit, so the refusal comes from put_record or
     * (this store) from commit */
    assert_int_equal(s.begin(ud), 0);
    assert_int_equal(put_then_commit(&s, &w1, 2, 0, 2), TRIAGE_ECONFLICT);
    assert_int_equal(s.rollback(ud), 0);
    assert_int_equal(s.begin(ud), 0);
    assert_int_equal(put_then_commit(&s, &w1, 2, 5, 2), TRIAGE_ECONFLICT);
    assert_int_equal(s.rollback(ud), 0);
    assert_int_equal(s.begin(ud), 0);
    assert_int_equal(put_then_commit(&s, &w2, 2, 3, 2), TRIAGE_ECONFLICT); /* not there */
    assert_int_equal(s.rollback(ud), 0);
    /* the COMMIT sent behind a stale write commits nothing of the
     * transaction: not the new record before it, not the event after it */
    assert_int_equal(s.begin(ud), 0);
    assert_int_equal(put_worker(&s, &w2, 2, 0, 8), 0);
    assert_int_equal(put_worker(&s, &w1, 2, 5, 7), 0);
    assert_int_equal(append_event(&s, 2), 0);
    assert_int_equal(s.commit(ud), TRIAGE_ECONFLICT);
    assert_int_equal(s.rollback(ud), 0);
    assert_int_equal(last_seq(&s), 1);
    assert_int_equal(sql_int("SELECT count(*) FROM t_contract.workers"), 1);
    assert_int_equal(sql_int("SELECT revision FROM t_contract.workers"), 1);
    /* a read inside a write transaction sees the writes sent before it */
    assert_int_equal(s.begin(ud), 0);
    assert_int_equal(put_worker(&s, &w2, 2, 0, 8), 0);
    int seen = 0;
    assert_int_equal(s.get_record(ud, TRIAGE_RECORD_WORKER, &w2, count_rec, &seen), 0);
    assert_int_equal(seen, 1);
    assert_int_equal(s.rollback(ud), 0);
    seen = 0;
    assert_int_equal(s.get_record(ud, TRIAGE_RECORD_WORKER, &w2, count_rec, &seen),
                     TRIAGE_ENOTFOUND);
    /* the right revision goes through */
    assert_int_equal(s.begin(ud), 0);
    assert_int_equal(put_worker(&s, &w1, 2, 1, 7), 0);
    assert_int_equal(put_worker(&s, &w2, 2, 0, 8), 0);
    assert_int_equal(append_event(&s, 2), 0);
    assert_int_equal(s.commit(ud), 0);
    assert_int_equal(sql_int("SELECT office FROM t_contract.workers WHERE revision = 2"
                             " AND id = '01000000-0000-0000-0000-000000000000'"), 7);
    assert_int_equal(sql_int("SELECT served->>1 FROM t_contract.workers"
                             " WHERE id = '01000000-0000-0000-0000-000000000000'"), 749);
    /* a rolled back transaction leaves nothing */
    assert_int_equal(s.begin(ud), 0);
    assert_int_equal(append_event(&s, 3), 0);
    assert_int_equal(s.rollback(ud), 0);
    assert_int_equal(last_seq(&s), 2);

    /* reads: one record, lists filtered exactly */
    int n = 0;
    assert_int_equal(s.get_record(ud, TRIAGE_RECORD_WORKER, &w1, count_rec, &n), 0);
    assert_int_equal(n, 1);
    triage_id_t none;
    memset(&none, 7, sizeof none);
    assert_int_equal(s.get_record(ud, TRIAGE_RECORD_WORKER, &none, count_rec, &n),
                     TRIAGE_ENOTFOUND);
    triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, TRIAGE_RECORD_WORKER, {{0}}, 0, 0,
                              TRIAGE_DATE_NONE};
    n = 0;
    assert_int_equal(s.query_records(ud, &q, count_rec, &n), 0);
    assert_int_equal(n, 2);
    q.changed_after = 1;
    n = 0;
    assert_int_equal(s.query_records(ud, &q, count_rec, &n), 0);
    assert_int_equal(n, 2);
    q.changed_after = 2;
    n = 0;
    assert_int_equal(s.query_records(ud, &q, count_rec, &n), 0);
    assert_int_equal(n, 0);
    q.changed_after = 0;
    q.owner = w1; /* workers have no owner */
    n = 0;
    assert_int_equal(s.query_records(ud, &q, count_rec, &n), 0);
    assert_int_equal(n, 0);
    triage_store_event_query_t eq = {TRIAGE_STORE_EVENT_QUERY_VERSION, 0, INT64_MAX, {{0}},
                                     INT64_MIN, INT64_MAX, 0};
    n = 0;
    assert_int_equal(s.query_events(ud, &eq, count_ev, &n), 0);
    assert_int_equal(n, 2);
    eq.after_seq = 1;
    n = 0;
    assert_int_equal(s.query_events(ud, &eq, count_ev, &n), 0);
    assert_int_equal(n, 1);
    eq.after_seq = 0;
    eq.limit = 1;
    n = 0;
    assert_int_equal(s.query_events(ud, &eq, count_ev, &n), 0);
    assert_int_equal(n, 1);
    eq.limit = 0;
    eq.from_ms = T0 + 2;
    n = 0;
    assert_int_equal(s.query_events(ud, &eq, count_ev, &n), 0);
    assert_int_equal(n, 1);
    /* a snapshot */
    assert_int_equal(s.read_begin(ud), 0);
    assert_int_equal(last_seq(&s), 2);
    assert_int_equal(s.read_end(ud), 0);
    assert_int_not_equal(s.read_end(ud), 0);
    /* a visitor that stops: its value comes back, and the store is usable */
    assert_int_equal(s.query_records(ud, &q, count_rec, &n), 0);
    s.destroy(ud);

    /* events are append-only in the table too */
    PGresult *res = PQexec(admin_conn, "UPDATE t_contract.events SET at_ms = 0");
    assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
    PQclear(res);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- a refresh's read in one round trip ------------------------------------------------ */

/* One committed transaction of store `s`: worker `id` at revision `seq`
 * (over `expected`) and event `seq`. */
static void commit_worker(triage_store_t *s, const triage_id_t *id, int64_t seq, int64_t expected)
{
    assert_int_equal(s->begin(s->userdata), 0);
    assert_int_equal(put_worker(s, id, seq, expected, 1), 0);
    assert_int_equal(append_event(s, seq), 0);
    assert_int_equal(s->commit(s->userdata), 0);
}

static int workers_changed_after(triage_store_t *s, int64_t after)
{
    triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, TRIAGE_RECORD_WORKER, {{0}}, after, 0,
                              TRIAGE_DATE_NONE};
    int n = 0;
    assert_int_equal(s->query_records(s->userdata, &q, count_rec, &n), 0);
    return n;
}

static int events_count(triage_store_t *s)
{
    triage_store_event_query_t eq = {TRIAGE_STORE_EVENT_QUERY_VERSION, 0, INT64_MAX, {{0}},
                                     INT64_MIN, INT64_MAX, 0};
    int n = 0;
    assert_int_equal(s->query_events(s->userdata, &eq, count_ev, &n), 0);
    return n;
}

/* The engine's refresh: last_seq finds the number moved; the read begun
 * right after it sends its BEGIN with its first statement, last_seq, in
 * one pipeline with the changes after the number the store had told its
 * engine, and serves its lists of changes from that answer. Everything
 * the read returns is of that one snapshot: its lists, served or not, its
 * events, its last number. A read that does not follow such a question
 * is read as it always was. */
static void test_refresh_read(void **state)
{
    (void)state;
    fresh_schema("t_refresh");
    triage_store_t a = pg_store("t_refresh"), b = pg_store("t_refresh");
    triage_id_t w1, w2;
    memset(&w1, 0, sizeof w1);
    memset(&w2, 0, sizeof w2);
    w1.bytes[0] = 1;
    w2.bytes[0] = 2;
    commit_worker(&b, &w1, 1, 0);
    assert_int_equal(last_seq(&a), 1);
    commit_worker(&b, &w2, 2, 0);
    assert_int_equal(last_seq(&a), 2); /* moved from 1 */
    commit_worker(&b, &w1, 3, 1);      /* before the read: in its snapshot */
    assert_int_equal(a.read_begin(a.userdata), 0);
    assert_int_equal(last_seq(&a), 3);
    commit_worker(&b, &w2, 4, 2); /* after the read's snapshot: never in it */
    assert_int_equal(workers_changed_after(&a, 1), 2); /* served: w2 at 2, w1 at 3 */
    assert_int_equal(workers_changed_after(&a, 2), 1); /* served: w1 at 3 */
    assert_int_equal(workers_changed_after(&a, 3), 0);
    assert_int_equal(events_count(&a), 3);
    assert_int_equal(last_seq(&a), 3);
    assert_int_equal(a.read_end(a.userdata), 0);
    /* the engine behind the store's number: a list from before it is not
     * served, and is read in the same snapshot */
    assert_int_equal(last_seq(&a), 4); /* moved from 3 */
    commit_worker(&b, &w1, 5, 3);
    assert_int_equal(a.read_begin(a.userdata), 0);
    assert_int_equal(last_seq(&a), 5);
    commit_worker(&b, &w2, 6, 4);
    assert_int_equal(workers_changed_after(&a, 3), 2); /* served: w2 at 4, w1 at 5 */
    assert_int_equal(workers_changed_after(&a, 4), 1);
    assert_int_equal(workers_changed_after(&a, 1), 2); /* not served: w2 at 4, w1 at 5 */
    assert_int_equal(workers_changed_after(&a, 5), 0);
    assert_int_equal(events_count(&a), 5);
    assert_int_equal(last_seq(&a), 5);
    assert_int_equal(a.read_end(a.userdata), 0);
    /* a read that does not follow the question: its own snapshot */
    assert_int_equal(a.read_begin(a.userdata), 0);
    assert_int_equal(last_seq(&a), 6);
    assert_int_equal(workers_changed_after(&a, 4), 2);
    assert_int_equal(a.read_end(a.userdata), 0);
    /* the question, then another call first: the read after it is not lazy */
    commit_worker(&b, &w1, 7, 5);
    assert_int_equal(last_seq(&a), 7);
    int seen = 0;
    assert_int_equal(a.get_record(a.userdata, TRIAGE_RECORD_WORKER, &w1, count_rec, &seen), 0);
    commit_worker(&b, &w2, 8, 6);
    assert_int_equal(a.read_begin(a.userdata), 0);
    assert_int_equal(last_seq(&a), 8);
    assert_int_equal(workers_changed_after(&a, 7), 1);
    assert_int_equal(a.read_end(a.userdata), 0);
    /* a lazy read whose first statement is not last_seq sends its BEGIN
     * with that statement */
    commit_worker(&b, &w1, 9, 7);
    assert_int_equal(last_seq(&a), 9);
    assert_int_equal(a.read_begin(a.userdata), 0);
    seen = 0;
    assert_int_equal(a.get_record(a.userdata, TRIAGE_RECORD_WORKER, &w1, count_rec, &seen), 0);
    assert_int_equal(seen, 1);
    commit_worker(&b, &w2, 10, 8);
    assert_int_equal(last_seq(&a), 9);
    assert_int_equal(a.read_end(a.userdata), 0);
    /* nothing new, and a write transaction after it */
    assert_int_equal(last_seq(&a), 10);
    assert_int_equal(last_seq(&a), 10);
    commit_worker(&a, &w2, 11, 10);
    assert_int_equal(last_seq(&b), 11);
    /* the connection lost between the question and the read: the read
     * begins without a round trip, its last_seq fails, the read ends, and
     * the next question connects again */
    char ci[600];
    snprintf(ci, sizeof ci, "%s application_name=t_refresh_app", conninfo);
    triage_postgresql_options_t o = pg_opts("t_refresh");
    triage_store_t c;
    assert_ok(triage_store_postgresql(&c, ci, &o));
    assert_int_equal(last_seq(&c), 11);
    commit_worker(&b, &w1, 12, 9);
    assert_int_equal(last_seq(&c), 12);
    assert_int_equal(sql_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                             " WHERE application_name = 't_refresh_app'"),
                     1);
    sleep_ms(100);
    assert_int_equal(c.read_begin(c.userdata), 0); /* nothing sent yet */
    int64_t v = -1;
    assert_int_not_equal(c.last_seq(c.userdata, &v), 0);
    assert_int_equal(c.read_end(c.userdata), 0);
    assert_int_equal(last_seq(&c), 12);
    c.destroy(c.userdata);
    a.destroy(a.userdata);
    b.destroy(b.userdata);
}

/* A commit with nothing queued: a read inside the transaction sent its
 * writes and read their results, so COMMIT goes alone (the prepared
 * "commit"). It commits what was written, and a failed write read back
 * before it leaves a COMMIT that reports the rollback. */
static void test_commit_after_read(void **state)
{
    (void)state;
    fresh_schema("t_commit_alone");
    triage_store_t s = pg_store("t_commit_alone");
    triage_id_t w;
    memset(&w, 0, sizeof w);
    w.bytes[0] = 1;
    assert_int_equal(s.begin(s.userdata), 0);
    assert_int_equal(put_worker(&s, &w, 1, 0, 4), 0);
    assert_int_equal(append_event(&s, 1), 0);
    int seen = 0;
    assert_int_equal(s.get_record(s.userdata, TRIAGE_RECORD_WORKER, &w, count_rec, &seen), 0);
    assert_int_equal(seen, 1);
    assert_int_equal(s.commit(s.userdata), 0);
    assert_int_equal(last_seq(&s), 1);
    assert_int_equal(sql_int("SELECT office FROM t_commit_alone.workers WHERE revision = 1"), 4);
    /* a stale write, read back by the read: the transaction has failed */
    assert_int_equal(s.begin(s.userdata), 0);
    assert_int_equal(put_worker(&s, &w, 2, 7, 5), 0);
    seen = 0;
    assert_int_equal(s.get_record(s.userdata, TRIAGE_RECORD_WORKER, &w, count_rec, &seen),
                     TRIAGE_ECONFLICT);
    assert_int_not_equal(s.commit(s.userdata), 0);
    assert_int_equal(s.rollback(s.userdata), 0);
    assert_int_equal(last_seq(&s), 1);
    assert_int_equal(sql_int("SELECT revision FROM t_commit_alone.workers"), 1);
    s.destroy(s.userdata);
}

/* ---- two connections racing for one sequence number ---------------------------------- */

typedef struct {
    triage_store_t *s;
    int begin_rc, append_rc;
    int64_t seq;
} racer;

static void *race_main(void *vp)
{
    racer *r = vp;
    r->begin_rc = r->s->begin(r->s->userdata);
    if (r->begin_rc == 0) {
        r->append_rc = append_event(r->s, r->seq);
        r->s->rollback(r->s->userdata);
    }
    return NULL;
}

static void test_seq_race(void **state)
{
    (void)state;
    fresh_schema("t_race");
    triage_store_t a = pg_store("t_race"), b = pg_store("t_race");
    /* A holds seq 1, uncommitted; B wants seq 1 too: it waits for A's
     * commit (the write lock), then finds the number taken */
    assert_int_equal(a.begin(a.userdata), 0);
    assert_int_equal(append_event(&a, 1), 0);
    racer r = {&b, -1, -1, 1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, race_main, &r), 0);
    sleep_ms(300);
    assert_int_equal(sql_int("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                             " AND NOT granted"), 1); /* B is waiting */
    assert_int_equal(a.commit(a.userdata), 0);
    pthread_join(th, NULL);
    assert_int_equal(r.begin_rc, 0);
    assert_int_equal(r.append_rc, TRIAGE_ECONFLICT);
    /* when A rolls back instead, B gets the number */
    assert_int_equal(a.begin(a.userdata), 0);
    assert_int_equal(append_event(&a, 2), 0);
    r.seq = 2;
    assert_int_equal(pthread_create(&th, NULL, race_main, &r), 0);
    sleep_ms(200);
    assert_int_equal(a.rollback(a.userdata), 0);
    pthread_join(th, NULL);
    assert_int_equal(r.append_rc, 0);
    assert_int_equal(last_seq(&a), 1); /* B rolled back too */

    /* a writer that holds the lock too long: the other one gives up after
     * its lock timeout with a lost race, and is not left waiting */
    triage_postgresql_options_t o = pg_opts("t_race");
    o.lock_timeout_ms = 200;
    triage_store_t c;
    assert_ok(triage_store_postgresql(&c, conninfo, &o));
    assert_int_equal(a.begin(a.userdata), 0);
    assert_int_equal(c.begin(c.userdata), TRIAGE_ECONFLICT);
    assert_int_equal(a.rollback(a.userdata), 0);
    assert_int_equal(c.begin(c.userdata), 0); /* c's failed begin left nothing open */
    assert_int_equal(append_event(&c, 2), 0);
    assert_int_equal(c.commit(c.userdata), 0);
    assert_int_equal(last_seq(&b), 2);
    a.destroy(a.userdata);
    b.destroy(b.userdata);
    c.destroy(c.userdata);
}

/* Interface 3 on PostgreSQL: begin_rebased sends its statements without
 * waiting, so a lost race (a stale revision, a guarded kind written since,
 * a number above the last, a lock wait past the timeout) shows at
 * commit_rebased; the numbers are moved by the server. */
static void test_rebased(void **state)
{
    (void)state;
    fresh_schema("t_rebased");
    triage_store_t a = pg_store("t_rebased"), b = pg_store("t_rebased");
    assert_int_equal(a.version, 3);
    triage_id_t w[5];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 5; i++)
        w[i].bytes[0] = (unsigned char)(i + 1);
    int64_t shift = -1;
    assert_int_equal(a.begin(a.userdata), 0);
    assert_int_equal(put_worker(&a, &w[0], 1, 0, 1), 0);
    assert_int_equal(append_event(&a, 1), 0);
    assert_int_equal(a.commit(a.userdata), 0);
    /* nobody committed since: shift 0 */
    assert_int_equal(a.begin_rebased(a.userdata, 1, 1, 0), 0);
    assert_int_equal(put_worker(&a, &w[1], 2, 0, 2), 0);
    assert_int_equal(append_event(&a, 2), 0);
    assert_int_equal(a.commit_rebased(a.userdata, &shift), 0);
    assert_int_equal(shift, 0);
    assert_int_equal(sql_int("SELECT revision FROM t_rebased.workers WHERE office = 2"), 2);
    /* B commits 3; A, at 2, writes 3 and it is stored as 4 */
    assert_int_equal(b.begin(b.userdata), 0);
    assert_int_equal(append_event(&b, 3), 0);
    assert_int_equal(b.commit(b.userdata), 0);
    assert_int_equal(
        a.begin_rebased(a.userdata, 2, 2, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_CLIENT)), 0);
    assert_int_equal(put_worker(&a, &w[2], 3, 0, 3), 0);          /* new: created 3 moves */
    assert_int_equal(put_worker_created(&a, &w[0], 3, 1, 4, 1), 0); /* read at 1: created stays */
    assert_int_equal(append_event(&a, 3), 0);
    assert_int_equal(a.commit_rebased(a.userdata, &shift), 0);
    assert_int_equal(shift, 1);
    assert_int_equal(sql_int("SELECT revision FROM t_rebased.workers WHERE office = 3"), 4);
    assert_int_equal(sql_int("SELECT created FROM t_rebased.workers WHERE office = 3"), 4);
    assert_int_equal(sql_int("SELECT revision FROM t_rebased.workers WHERE office = 4"), 4);
    assert_int_equal(sql_int("SELECT created FROM t_rebased.workers WHERE office = 4"), 1);
    assert_int_equal(sql_int("SELECT count(*) FROM t_rebased.events"), 4);
    assert_int_equal(sql_int("SELECT max(seq) FROM t_rebased.events"), 4);
    assert_int_equal(last_seq(&b), 4);
    /* a stale revision loses, at commit, and leaves nothing */
    assert_int_equal(a.begin_rebased(a.userdata, 4, 4, 0), 0);
    assert_int_equal(put_worker(&a, &w[0], 5, 1, 5), 0);
    assert_int_equal(append_event(&a, 5), 0);
    assert_int_equal(a.commit_rebased(a.userdata, &shift), TRIAGE_ECONFLICT);
    assert_int_equal(a.rollback(a.userdata), 0);
    assert_int_equal(last_seq(&b), 4);
    /* a guarded kind written after the number loses */
    assert_int_equal(b.begin(b.userdata), 0);
    assert_int_equal(put_worker(&b, &w[3], 5, 0, 6), 0);
    assert_int_equal(append_event(&b, 5), 0);
    assert_int_equal(b.commit(b.userdata), 0);
    assert_int_equal(
        a.begin_rebased(a.userdata, 4, 4, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_WORKER)), 0);
    assert_int_equal(append_event(&a, 5), 0);
    assert_int_equal(a.commit_rebased(a.userdata, &shift), TRIAGE_ECONFLICT);
    assert_non_null(strstr(triage_error_last()->message, "changed since"));
    assert_int_equal(a.rollback(a.userdata), 0);
    assert_int_equal(
        a.begin_rebased(a.userdata, 5, 5, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_WORKER)), 0);
    assert_int_equal(append_event(&a, 6), 0);
    assert_int_equal(a.commit_rebased(a.userdata, &shift), 0);
    assert_int_equal(shift, 0);
    /* the guard counts from the number seen, which may lie below the base */
    assert_int_equal(
        a.begin_rebased(a.userdata, 6, 4, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_WORKER)), 0);
    assert_int_equal(append_event(&a, 7), 0);
    assert_int_equal(a.commit_rebased(a.userdata, &shift), TRIAGE_ECONFLICT);
    assert_int_equal(a.rollback(a.userdata), 0);
    assert_int_not_equal(a.begin_rebased(a.userdata, 5, 6, 0), 0); /* seen above the base */
    assert_int_equal(last_seq(&a), 6);
    /* a number the store never gave loses */
    assert_int_equal(a.begin_rebased(a.userdata, 9, 9, 0), 0);
    assert_int_equal(append_event(&a, 10), 0);
    assert_int_equal(a.commit_rebased(a.userdata, &shift), TRIAGE_ECONFLICT);
    assert_int_equal(a.rollback(a.userdata), 0);
    assert_int_equal(last_seq(&a), 6);
    /* misuse */
    assert_int_not_equal(a.begin_rebased(a.userdata, -1, -1, 0), 0);
    assert_int_equal(a.begin(a.userdata), 0);
    assert_int_not_equal(a.begin_rebased(a.userdata, 6, 6, 0), 0); /* no nesting */
    assert_int_not_equal(a.commit_rebased(a.userdata, &shift), 0); /* begun by begin */
    assert_int_equal(a.rollback(a.userdata), 0);
    assert_int_equal(a.begin_rebased(a.userdata, 6, 6, 0), 0);
    assert_int_not_equal(a.commit_rebased(a.userdata, NULL), 0);
    assert_int_not_equal(a.commit(a.userdata), 0); /* ends only what begin began */
    assert_int_equal(a.rollback(a.userdata), 0);
    assert_int_not_equal(a.begin_rebased(a.userdata, 6, 6, 1u << 9), 0); /* unknown kind */
    assert_int_equal(last_seq(&a), 6);
    /* a lock wait past the lock timeout is a lost race, at commit */
    triage_postgresql_options_t o = pg_opts("t_rebased");
    o.lock_timeout_ms = 200;
    triage_store_t c;
    assert_ok(triage_store_postgresql(&c, conninfo, &o));
    assert_int_equal(a.begin(a.userdata), 0);
    assert_int_equal(c.begin_rebased(c.userdata, 6, 6, 0), 0);
    assert_int_equal(append_event(&c, 7), 0);
    assert_int_equal(c.commit_rebased(c.userdata, &shift), TRIAGE_ECONFLICT);
    assert_int_equal(c.rollback(c.userdata), 0);
    assert_int_equal(a.rollback(a.userdata), 0);
    assert_int_equal(c.begin_rebased(c.userdata, 6, 6, 0), 0);
    assert_int_equal(append_event(&c, 7), 0);
    assert_int_equal(c.commit_rebased(c.userdata, &shift), 0);
    assert_int_equal(last_seq(&b), 7);
    a.destroy(a.userdata);
    b.destroy(b.userdata);
    c.destroy(c.userdata);
}

/* A SQLSTATE packed as the store gives it in a cause (docs/storage.md). */
static int packed(const char *st)
{
    int v = 0;
    for (int i = 0; i < 5; i++)
        v += ((st[i] - '0') & 0x3f) << (6 * i);
    return v;
}

/* The timeouts reach the session: a table another session holds locked
 * makes a read wait; the lock timeout ends the wait as a lost race, the
 * statement timeout as a failure of the store. */
static void test_timeouts(void **state)
{
    (void)state;
    fresh_schema("t_timeout");
    triage_store_t s = pg_store("t_timeout");
    s.destroy(s.userdata);
    triage_postgresql_options_t o = pg_opts("t_timeout");
    o.lock_timeout_ms = 200;
    triage_store_t a, b;
    assert_ok(triage_store_postgresql(&a, conninfo, &o));
    o.lock_timeout_ms = 0;
    o.statement_timeout_ms = 300;
    assert_ok(triage_store_postgresql(&b, conninfo, &o));
    sql("BEGIN; LOCK TABLE t_timeout.events IN ACCESS EXCLUSIVE MODE");
    int64_t v;
    assert_int_equal(a.last_seq(a.userdata, &v), TRIAGE_ECONFLICT); /* 55P03 */
    assert_int_equal(b.last_seq(b.userdata, &v), packed("57014")); /* query_canceled */
    sql("ROLLBACK");
    assert_int_equal(a.last_seq(a.userdata, &v), 0);
    assert_int_equal(b.last_seq(b.userdata, &v), 0);
    a.destroy(a.userdata);
    b.destroy(b.userdata);
}

/* ---- engines on two connections ---------------------------------------------------- */

typedef struct {
    triage_store_t pg[2];
    faulty f[2];
    triage_engine_t *e[2];
} pair;

static void pair_open(pair *p, const char *schema, int32_t retries)
{
    memset(p, 0, sizeof *p);
    fresh_schema(schema);
    for (int i = 0; i < 2; i++) {
        p->pg[i] = pg_store(schema);
        p->f[i].inner = p->pg[i];
        triage_store_t s = faulty_store(&p->f[i]);
        p->e[i] = open_engine(&s, retries);
    }
}

static void pair_close(pair *p)
{
    for (int i = 0; i < 2; i++) {
        triage_engine_free(p->e[i]);
        p->pg[i].destroy(p->pg[i].userdata);
    }
}

static void test_two_engines(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, "t_two", 3);
    /* intakes and assignments interleaved; each sees the other's at once */
    triage_id_t w[2], c[4];
    w[0] = new_worker(p.e[0], TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    w[1] = new_worker(p.e[1], TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    for (int i = 0; i < 4; i++) {
        c[i] = new_case(p.e[i % 2], 297, NULL);
        assert_int_equal(stage_of(p.e[(i + 1) % 2], &c[i]), TRIAGE_STAGE_RECEIVED);
    }
    for (int i = 0; i < 4; i++) {
        triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
        req.at_ms = now_ms;
        triage_assignment_t a;
        a.version = TRIAGE_ASSIGNMENT_VERSION;
        assert_ok(triage_assign_case(&a, p.e[(i + 1) % 2], &c[i], &req));
        triage_assignment_clear(&a);
        triage_case_t k;
        k.version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&k, p.e[i % 2], &c[i]));
        assert_false(triage_id_is_nil(&k.assessment_worker));
    }
    /* the loads balance over both engines' assignments */
    for (int i = 0; i < 2; i++) {
        triage_worker_t wk;
        wk.version = TRIAGE_WORKER_VERSION;
        assert_ok(triage_worker_get(&wk, p.e[0], &w[i]));
    }
    assert_int_equal(stats_of(p.e[0]).races, 0);
    int64_t na = assert_gap_free(p.e[0]), nb = assert_gap_free(p.e[1]);
    assert_int_equal(na, nb);
    assert_int_equal(stats_of(p.e[0]).last_seq, stats_of(p.e[1]).last_seq);
    assert_int_equal(sql_int("SELECT max(seq) FROM t_two.events"), na);
    /* one responsible for each assignment: two each */
    assert_int_equal(sql_int("SELECT count(DISTINCT assessment_worker) FROM t_two.cases"), 2);
    pair_close(&p);
}

typedef struct {
    triage_engine_t *other;
    triage_id_t case_id, worker;
    int what; /* 0: a contact attempt; 1: the worker's absence; 2: a new client */
    triage_status_t rc;
} meddle;

static void meddle_now(void *ctx)
{
    meddle *m = ctx;
    triage_id_t id;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_date_t today;
    assert_ok(triage_local_time(&today, NULL, now_ms));
    switch (m->what) {
    case 0: m->rc = triage_case_contact_attempt(m->other, &m->case_id, NULL, now_ms, 0); break;
    case 1: m->rc = triage_absence_add(&id, m->other, &m->worker, today, today + 30, NULL); break;
    default: m->rc = triage_client_create(&id, m->other, &c); break;
    }
}

static void test_race_retried(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, "t_retry", 3);
    triage_id_t c1 = new_case(p.e[0], 297, NULL);
    move_to(p.e[0], &c1, TRIAGE_STAGE_GUIDANCE);
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_GUIDANCE);
    /* B commits a contact attempt between A's refresh and A's write */
    meddle md = {p.e[1], c1, {{0}}, 0, TRIAGE_OK};
    p.f[0].hook = meddle_now;
    p.f[0].hook_ctx = &md;
    p.f[0].hook_times = 1;
    assert_ok(triage_case_contact_attempt(p.e[0], &c1, NULL, now_ms, 0));
    assert_ok(md.rc);
    assert_int_equal(stats_of(p.e[0]).races, 1);
    assert_int_equal(attempts_of(p.e[1], &c1), 2);
    assert_int_equal(attempts_of(p.e[0], &c1), 2);
    assert_int_equal(sql_int("SELECT contact_attempts FROM t_retry.cases"), 2);
    assert_gap_free(p.e[1]);

    /* after that race A takes the write transaction first for its next
     * calls: B's commit just before A's begin is read inside the lock, and
     * A loses nothing */
    assert_true(p.e[0]->contended > 0);
    p.f[0].hook_times = 1;
    assert_ok(triage_case_contact_attempt(p.e[0], &c1, NULL, now_ms, 0));
    assert_ok(md.rc);
    assert_int_equal(p.f[0].hook_times, 0);
    assert_int_equal(stats_of(p.e[0]).races, 1);
    assert_int_equal(attempts_of(p.e[1], &c1), 4);
    assert_gap_free(p.e[1]);

    /* an optimistic engine (a quiet database): B commits before every
     * begin of A's: the first attempt loses once it holds the write
     * transaction (the schema's advisory lock), keeps it, and the second
     * refreshes and decides inside it and goes through */
    p.e[0]->contended = 0;
    p.f[0].hook_times = 4;
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_CLOSED;
    m.reason = TRIAGE_CLOSE_ADVICE_GIVEN;
    m.at_ms = now_ms;
    assert_ok(triage_case_move(p.e[0], &c1, &m));
    assert_int_equal(stats_of(p.e[0]).races, 1 + 1);
    assert_int_equal(stats_of(p.e[0]).conflicts, 0);
    assert_int_equal(p.f[0].hook_times, 3); /* one begin */
    p.f[0].hook_times = 0;
    assert_int_equal(sql_int("SELECT stage FROM t_retry.cases"), TRIAGE_STAGE_CLOSED);
    assert_int_equal(attempts_of(p.e[1], &c1), 5);
    assert_gap_free(p.e[0]);
    pair_close(&p);

    /* with no retries, the race is lost: ECONFLICT naming the record kind */
    pair_open(&p, "t_retry0", 0);
    c1 = new_case(p.e[0], 297, NULL);
    move_to(p.e[0], &c1, TRIAGE_STAGE_GUIDANCE);
    md.other = p.e[1];
    md.case_id = c1;
    p.f[0].hook = meddle_now;
    p.f[0].hook_ctx = &md;
    p.f[0].hook_times = 1;
    assert_status(triage_case_move(p.e[0], &c1, &m), TRIAGE_ECONFLICT);
    assert_error_arg("case");
    assert_int_equal(stats_of(p.e[0]).conflicts, 1);
    assert_int_equal(sql_int("SELECT stage FROM t_retry0.cases"), TRIAGE_STAGE_GUIDANCE);
    assert_ok(triage_case_move(p.e[0], &c1, &m));
    assert_int_equal(stage_of(p.e[1], &c1), TRIAGE_STAGE_CLOSED);
    pair_close(&p);
}

/* An assignment that raced with the worker's absence goes to someone present. */
static void test_assignment_races_absence(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, "t_absence", 3);
    triage_id_t wa = new_worker(p.e[0], TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    triage_id_t wb = new_worker(p.e[0], TRIAGE_ROLE_SOCIAL_COUNSELLOR);
    triage_id_t c1 = new_case(p.e[0], 297, NULL);
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = now_ms;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    assert_ok(triage_assign_propose(&a, p.e[0], &c1, &req));
    triage_id_t w1 = a.worker, w2 = triage_id_compare(&a.worker, &wa) == 0 ? wb : wa;
    triage_assignment_clear(&a);
    meddle md = {p.e[1], c1, w1, 1, TRIAGE_OK};
    p.f[0].hook = meddle_now;
    p.f[0].hook_ctx = &md;
    p.f[0].hook_times = 1;
    assert_ok(triage_assign_case(&a, p.e[0], &c1, &req));
    assert_ok(md.rc);
    assert_int_equal(triage_id_compare(&a.worker, &w2), 0);
    triage_assignment_clear(&a);
    assert_int_equal(stats_of(p.e[0]).races, 1);
    assert_int_equal(sql_int("SELECT count(*) FROM t_absence.absences"), 1);
    pair_close(&p);
}

static void test_policies_shared(void **state)
{
    (void)state;
    pair p;
    pair_open(&p, "t_policy", 3);
    triage_urgency_policy_t *u;
    assert_ok(triage_urgency_policy_new(&u, NULL));
    assert_ok(triage_urgency_policy_set_id(u, "region-2027", 4));
    assert_ok(triage_urgency_policy_set_response_days(u, TRIAGE_URGENCY_NORMAL, 10));
    assert_ok(triage_engine_set_urgency_policy(p.e[0], u));
    const triage_urgency_policy_t *got;
    const char *id;
    uint32_t version;
    int32_t days;
    assert_ok(triage_engine_urgency_policy(&got, p.e[1]));
    assert_ok(triage_urgency_policy_id(&id, &version, got));
    assert_string_equal(id, "region-2027");
    assert_int_equal(version, 4);
    assert_ok(triage_urgency_policy_response_days(&days, got, TRIAGE_URGENCY_NORMAL));
    assert_int_equal(days, 10);
    int32_t codes[2] = {297, 749};
    double d[4] = {0, 85.5, 86, 0};
    assert_ok(triage_engine_set_distances(p.e[1], codes, d, 2));
    double km;
    assert_ok(triage_engine_distance(&km, p.e[0], 297, 749));
    assert_true(km == 85.5);
    char text[64];
    sql_text(text, sizeof text,
             "SELECT policy_id || '/' || policy_version FROM t_policy.policies"
             " WHERE policy_id = 'region-2027'");
    assert_string_equal(text, "region-2027/4");
    /* a third engine opened later finds the policies in the database */
    triage_store_t s3 = pg_store("t_policy");
    triage_engine_t *e3 = open_engine(&s3, 3);
    assert_ok(triage_engine_urgency_policy(&got, e3));
    assert_ok(triage_urgency_policy_id(&id, &version, got));
    assert_string_equal(id, "region-2027");
    triage_engine_free(e3);
    triage_urgency_policy_free(u);
    assert_gap_free(p.e[0]);
    pair_close(&p);
}

/* ---- threads, each with its engine and connection -------------------------------------- */

typedef struct {
    int made;
    uint64_t races, gave_up;
} thread_arg;

static void *thread_main(void *vp)
{
    thread_arg *w = vp;
    triage_postgresql_options_t po = pg_opts("t_threads");
    triage_store_t s;
    if (triage_store_postgresql(&s, conninfo, &po))
        return NULL;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_now;
    o.clock_userdata = &now_ms;
    o.retries = 100;
    triage_engine_t *e;
    if (triage_engine_open(&e, &o, &s))
        return NULL;
    /* Four engines that do nothing but commit: a call that lost a race is
     * computed again after a refresh and loses again whenever another
     * engine committed meanwhile, which under load (and the sanitizers'
     * slowness) can happen more often in a row than the engine retries.
     * Then the call returns ECONFLICT with nothing changed, and the
     * application tries again, as here. */
    for (int i = 0; i < 25; i++) {
        triage_client_t c = TRIAGE_CLIENT_INIT;
        triage_id_t id;
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        triage_status_t rc;
        while ((rc = triage_client_create(&id, e, &c)) == TRIAGE_ECONFLICT)
            w->gave_up++;
        if (rc) {
            fprintf(stderr, "client: %s [%s]\n", triage_error_last()->message,
                    triage_error_last()->argument);
            continue;
        }
        in.client = id;
        in.kind = TRIAGE_INTAKE_CONTACT;
        in.received_ms = now_ms;
        while ((rc = triage_intake(&r, e, &in)) == TRIAGE_ECONFLICT)
            w->gave_up++;
        if (rc == TRIAGE_OK)
            w->made++;
        else
            fprintf(stderr, "intake: %s [%s]\n", triage_error_last()->message,
                    triage_error_last()->argument);
    }
    triage_engine_stats_t st;
    st.version = TRIAGE_ENGINE_STATS_VERSION;
    triage_engine_stats(&st, e);
    w->races = st.races;
    triage_engine_free(e);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    fresh_schema("t_threads");
    triage_store_t s0 = pg_store("t_threads"); /* creates the tables first */
    s0.destroy(s0.userdata);
    thread_arg args[4];
    pthread_t th[4];
    memset(args, 0, sizeof args);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    int made = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        made += args[i].made;
    }
    assert_int_equal(made, 100);
    uint64_t races = 0, gave_up = 0;
    for (int i = 0; i < 4; i++) {
        races += args[i].races;
        gave_up += args[i].gave_up;
    }
    print_message("4 engines, 200 commits: %llu lost races retried, %llu calls gave up "
                  "(ECONFLICT) and were called again\n",
                  (unsigned long long)races, (unsigned long long)gave_up);
    assert_int_equal(sql_int("SELECT count(*) FROM t_threads.cases"), 100);
    assert_int_equal(sql_int("SELECT count(*) FROM t_threads.intakes"), 100);
    assert_int_equal(sql_int("SELECT count(*) FROM t_threads.events"),
                     sql_int("SELECT max(seq) FROM t_threads.events"));
    assert_int_equal(sql_int("SELECT count(*) FROM t_threads.events WHERE kind = %d",
                             (int)TRIAGE_EVENT_INTAKE), 100);
}

/* ---- the tables as a vendor reads them --------------------------------------------------- */

static void test_vendor_sql(void **state)
{
    (void)state;
    fresh_schema("triage");
    triage_store_t s = pg_store(NULL); /* the default schema, "triage" */
    triage_engine_t *e = open_engine(&s, 3);
    scenario sc;
    run_scenario(e, &sc);
    triage_id_t c[5];
    for (int i = 0; i < 5; i++)
        c[i] = new_case(e, i < 3 ? 297 : 749, NULL);
    move_to(e, &c[0], TRIAGE_STAGE_GUIDANCE);
    move_to(e, &c[1], TRIAGE_STAGE_GUIDANCE);
    move_to(e, &c[3], TRIAGE_STAGE_GUIDANCE);
    move_to(e, &c[3], TRIAGE_STAGE_CLOSED);
    triage_engine_free(e);

    /* open cases by stage */
    assert_int_equal(sql_int("SELECT count(*) FROM triage.cases WHERE stage = %d",
                             (int)TRIAGE_STAGE_GUIDANCE), 2);
    assert_int_equal(sql_int("SELECT count(*) FROM triage.cases WHERE stage = %d",
                             (int)TRIAGE_STAGE_RECEIVED), 2);
    assert_int_equal(sql_int("SELECT count(*) FROM triage.cases WHERE stage = %d"
                             " AND closing_reason = %d", (int)TRIAGE_STAGE_CLOSED,
                             (int)TRIAGE_CLOSE_ADVICE_GIVEN), 1);
    /* clients by municipality, and cases joined to their clients */
    assert_int_equal(sql_int("SELECT count(*) FROM triage.clients WHERE municipality = 297"), 4);
    assert_int_equal(sql_int("SELECT count(*) FROM triage.clients WHERE municipality = 749"), 2);
    assert_int_equal(sql_int("SELECT count(*) FROM triage.cases k JOIN triage.clients c"
                             " ON c.id = k.client WHERE c.municipality = 749 AND k.stage <> 8"),
                     1);
    /* dates are dates, rows hang off their cases, events by case and time */
    assert_int_equal(sql_int("SELECT count(*) FROM triage.cases WHERE received = date '2026-11-23'"),
                     6);
    assert_true(sql_int("SELECT count(*) FROM triage.deadlines d JOIN triage.cases k"
                        " ON k.id = d.case_id WHERE d.due >= d.start") > 0);
    assert_int_equal(sql_int("SELECT count(*) FROM triage.intakes"), 7);
    assert_true(sql_int("SELECT count(*) FROM triage.events WHERE case_id IS NOT NULL") > 10);
    char text[64];
    sql_text(text, sizeof text, "SELECT value FROM triage.meta WHERE key = 'schema'");
    assert_string_equal(text, "2");
    /* the queries of docs/storage.md, "The tables, as a vendor reads them" */
    assert_int_equal(sql_int("SELECT stage, count(*) AS cases FROM triage.cases WHERE stage <> 8"
                             " GROUP BY stage ORDER BY stage"), TRIAGE_STAGE_RECEIVED);
    assert_int_equal(sql_int("SELECT c.municipality, count(DISTINCT c.id) AS clients"
                             " FROM triage.clients c JOIN triage.cases k ON k.client = c.id"
                             " WHERE k.stage <> 8 GROUP BY c.municipality ORDER BY clients DESC"),
                     297);
    assert_true(sql_int("SELECT count(*) FROM (SELECT k.id AS case_id, d.basis, d.due"
                        " FROM triage.deadlines d JOIN triage.cases k ON k.id = d.case_id"
                        " WHERE k.stage <> 8 AND d.met IS NULL AND d.flags & 2 = 0"
                        " AND d.due <= date '2026-11-23' + 30 ORDER BY d.due) x") > 0);
    assert_int_equal(sql_int("SELECT count(*) FROM (SELECT w.id, w.role, count(k.id) AS open_cases"
                             " FROM triage.workers w LEFT JOIN triage.cases k ON k.stage <> 8"
                             " AND w.id IN (k.responsible, k.assessment_worker)"
                             " GROUP BY w.id, w.role ORDER BY open_cases DESC) x"), 3);
    assert_true(sql_int("SELECT count(*) FROM (SELECT seq, to_timestamp(at_ms / 1000.0) AS at,"
                        " kind, \"from\", \"to\" FROM triage.events WHERE case_id ="
                        " (SELECT id FROM triage.cases ORDER BY created LIMIT 1) ORDER BY seq) x")
                > 3);
    assert_int_equal(sql_int("SELECT count(*) FROM triage.workers WHERE served @> '[297]'"), 0);
    /* the constraints hold against hand edits */
    PGresult *res = PQexec(admin_conn, "UPDATE triage.cases SET stage = 9");
    assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
    assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23514");
    PQclear(res);
    res = PQexec(admin_conn, "UPDATE triage.cases SET stage = 8 WHERE closing_reason = 0");
    assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR); /* closed needs a reason */
    PQclear(res);
    res = PQexec(admin_conn, "UPDATE triage.cases SET client = gen_random_uuid()");
    assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR); /* the owner is fixed */
    PQclear(res);
    res = PQexec(admin_conn,
                 "BEGIN; INSERT INTO triage.cases SELECT * FROM triage.cases LIMIT 0; "
                 "DELETE FROM triage.clients; COMMIT");
    assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR); /* cases refer to clients */
    PQclear(res);
    PQclear(PQexec(admin_conn, "ROLLBACK"));
    /* and the engine reads back what it wrote */
    s = pg_store(NULL);
    e = open_engine(&s, 3);
    assert_int_equal(stage_of(e, &c[3]), TRIAGE_STAGE_CLOSED);
    assert_int_equal(stage_of(e, &c[0]), TRIAGE_STAGE_GUIDANCE);
    triage_engine_free(e);
}

/* A hand edit refused by the domain `domain` of the schema t_domains. */
static void expect_domain_refuses(const char *edit, const char *domain)
{
    PGresult *res = PQexec(admin_conn, edit);
    if (PQresultStatus(res) != PGRES_FATAL_ERROR)
        fail_msg("not refused: %s", edit);
    const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *type = PQresultErrorField(res, PG_DIAG_DATATYPE_NAME);
    const char *schema = PQresultErrorField(res, PG_DIAG_SCHEMA_NAME);
    if (!st || strcmp(st, "23514") || !type || strcmp(type, domain) || !schema ||
        strcmp(schema, "t_domains"))
        fail_msg("%s: SQLSTATE %s, domain %s.%s (wanted 23514, t_domains.%s)", edit,
                 st ? st : "-", schema ? schema : "-", type ? type : "-", domain);
    PQclear(res);
}

/* The rules of single columns are domains in the store's schema: a value
 * out of range is refused on every table, from a vendor's SQL and from the
 * store's own binary parameters alike, with check_violation; the base types
 * still show in information_schema and in binary results. */
static void test_domains(void **state)
{
    (void)state;
    fresh_schema("t_domains");
    triage_store_t s = pg_store("t_domains");
    triage_engine_t *e = open_engine(&s, 3);
    new_worker(e, TRIAGE_ROLE_SOCIAL_WORKER);
    new_case(e, 297, NULL);
    triage_engine_free(e);

    /* hand edits, one per kind of rule */
    expect_domain_refuses("UPDATE t_domains.deadlines SET \"row\" = 201", "int_1_200");
    expect_domain_refuses("UPDATE t_domains.cases SET special_support_decided = -2", "int_m1_1");
    expect_domain_refuses("UPDATE t_domains.clients SET notifications = -1", "int_nonneg");
    expect_domain_refuses("UPDATE t_domains.workers SET fte = 0", "double_0p0001_1");
    expect_domain_refuses("UPDATE t_domains.workers SET served = '{}'", "jsonb_array");
    expect_domain_refuses("UPDATE t_domains.intakes SET urgency_policy = repeat('x', 32)",
                          "text_max_31");
    expect_domain_refuses("UPDATE t_domains.clients SET revision = 0", "revision_no");
    expect_domain_refuses("UPDATE t_domains.deadlines SET data = '\\x00'", "record_data");
    expect_domain_refuses("INSERT INTO t_domains.events"
                          " (seq, at_ms, kind, \"from\", \"to\", reason, policy_version,"
                          " policy_id, data)"
                          " SELECT max(seq) + 1, 0, 101, 0, 0, 0, 0, '',"
                          " (SELECT data FROM t_domains.events WHERE seq = 1)"
                          " FROM t_domains.events",
                          "int_1_100");
    /* the bounds themselves are allowed */
    sql("BEGIN; UPDATE t_domains.deadlines SET \"row\" = 200;"
        " UPDATE t_domains.cases SET special_support_decided = -1; ROLLBACK");

    /* the store's binary parameters meet the same rule (an office is
     * 0..9999), and its message quotes no value */
    s = pg_store("t_domains");
    triage_id_t w;
    memset(&w, 0, sizeof w);
    w.bytes[0] = 9;
    assert_int_equal(s.begin(s.userdata), 0);
    assert_int_equal(put_then_commit(&s, &w, 1, 0, 10000), packed("23514"));
    assert_non_null(strstr(triage_error_last()->message, "23514"));
    assert_null(strstr(triage_error_last()->message, "10000"));
    assert_int_equal(s.rollback(s.userdata), 0);
    assert_int_equal(s.begin(s.userdata), 0);
    assert_int_equal(put_then_commit(&s, &w, 1, 0, 9999), 0);
    int n = 0;
    assert_int_equal(s.get_record(s.userdata, TRIAGE_RECORD_WORKER, &w, count_rec, &n), 0);
    assert_int_equal(n, 1);
    s.destroy(s.userdata);

    /* vendors' tools see the base types, with the domain beside them */
    char text[128];
    sql_text(text, sizeof text,
             "SELECT string_agg(data_type || ' ' || coalesce(domain_name, '-'), ', '"
             " ORDER BY column_name) FROM information_schema.columns"
             " WHERE table_schema = 't_domains' AND table_name = 'workers'"
             " AND column_name IN ('revision', 'fte', 'office', 'served', 'data')");
    assert_string_equal(text, "bytea record_data, double precision double_0p0001_1,"
                              " bigint int_0_9999, bigint revision_no, jsonb jsonb_array");
    assert_int_equal(sql_int("SELECT count(*) FROM information_schema.columns"
                             " WHERE table_schema = 't_domains' AND data_type NOT IN"
                             " ('bigint', 'double precision', 'uuid', 'date', 'jsonb', 'text',"
                             " 'bytea')"), 0);
    /* no CHECK left on a single column: the tables keep only the three
     * rules between columns */
    assert_int_equal(sql_int("SELECT count(*) FROM pg_constraint k JOIN pg_namespace n"
                             " ON n.oid = k.connamespace WHERE n.nspname = 't_domains'"
                             " AND k.contype = 'c' AND k.conrelid <> 0"), 3);
    /* binary results carry the base type */
    PGresult *res = PQexecParams(admin_conn,
                                 "SELECT stage, revision FROM t_domains.cases", 0, NULL, NULL,
                                 NULL, NULL, 1);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    assert_int_equal(PQntuples(res), 1);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(PQftype(res, i), 20); /* int8 */
        assert_int_equal(PQgetlength(res, 0, i), 8);
    }
    const unsigned char *v = (const unsigned char *)PQgetvalue(res, 0, 0);
    int64_t stage = 0;
    for (int i = 0; i < 8; i++)
        stage = stage * 256 + v[i];
    assert_int_equal(stage, TRIAGE_STAGE_RECEIVED);
    PQclear(res);
}

/* The engine's state survives closing and opening again. */
static void test_reopen_same(void **state)
{
    (void)state;
    fresh_schema("t_reopen");
    triage_store_t s = pg_store("t_reopen");
    triage_engine_t *e = open_engine(&s, 3);
    scenario sc;
    run_scenario(e, &sc);
    sbuf before = dump_engine(e);
    triage_engine_free(e);
    s = pg_store("t_reopen");
    e = open_engine(&s, 3);
    assert_same(before, dump_engine(e));
    triage_engine_free(e);
}

/* ---- refusals that change nothing ----------------------------------------------------------- */

static void expect_refused(const char *schema, int create, triage_status_t code)
{
    char before[4096], after[4096];
    schema_fingerprint(before, sizeof before, schema);
    triage_postgresql_options_t o = pg_opts(schema);
    o.create = create;
    triage_store_t s;
    memset(&s, 0, sizeof s);
    assert_status(triage_store_postgresql(&s, conninfo, &o), code);
    assert_null(s.userdata);
    schema_fingerprint(after, sizeof after, schema);
    assert_string_equal(before, after);
}

static void test_refusals(void **state)
{
    (void)state;
    /* no tables and create = 0: not found, nothing made */
    fresh_schema("t_none");
    expect_refused("t_none", 0, TRIAGE_ENOTFOUND);
    assert_int_equal(sql_int("SELECT count(*) FROM pg_namespace WHERE nspname = 't_none'"), 0);
    sql("CREATE SCHEMA t_none");
    expect_refused("t_none", 0, TRIAGE_ENOTFOUND);

    /* a newer libtriage's tables */
    fresh_schema("t_newer");
    triage_store_t s = pg_store("t_newer");
    s.destroy(s.userdata);
    sql("UPDATE t_newer.meta SET value = '99' WHERE key = 'schema'");
    expect_refused("t_newer", 1, TRIAGE_EVERSION);
    assert_error_arg("schema");
    assert_non_null(strstr(triage_error_last()->message, "newer"));

    /* damaged: an impossible version mark, or none */
    sql("UPDATE t_newer.meta SET value = 'x' WHERE key = 'schema'");
    expect_refused("t_newer", 1, TRIAGE_ECORRUPT);
    sql("UPDATE t_newer.meta SET value = '1' WHERE key = 'schema'");
    expect_refused("t_newer", 1, TRIAGE_ECORRUPT);
    sql("DELETE FROM t_newer.meta WHERE key = 'schema'");
    expect_refused("t_newer", 1, TRIAGE_ECORRUPT);
    /* damaged: a table or a column missing */
    sql("INSERT INTO t_newer.meta VALUES ('schema', '2')");
    sql("ALTER TABLE t_newer.workers DROP COLUMN office");
    expect_refused("t_newer", 1, TRIAGE_ECORRUPT);
    assert_non_null(strstr(triage_error_last()->message, "do not match"));
    sql("DROP TABLE t_newer.deadlines");
    expect_refused("t_newer", 1, TRIAGE_ECORRUPT);

    /* another application's schema, with or without a meta table */
    fresh_schema("t_foreign");
    sql("CREATE SCHEMA t_foreign; CREATE TABLE t_foreign.stuff (x int)");
    expect_refused("t_foreign", 1, TRIAGE_ECONFLICT);
    assert_non_null(strstr(triage_error_last()->message, "not libtriage's"));
    sql("CREATE TABLE t_foreign.meta (key text, value text);"
        "INSERT INTO t_foreign.meta VALUES ('application', 'other'), ('schema', '2')");
    expect_refused("t_foreign", 1, TRIAGE_ECONFLICT);
    sql("DROP TABLE t_foreign.meta; CREATE TABLE t_foreign.meta (n int)");
    expect_refused("t_foreign", 1, TRIAGE_ECONFLICT);
    sql("DROP TABLE t_foreign.meta, t_foreign.stuff; CREATE FUNCTION t_foreign.f() RETURNS int"
        " LANGUAGE sql AS 'SELECT 1'");
    expect_refused("t_foreign", 1, TRIAGE_ECONFLICT);
    /* a domain of another application, even one named like libtriage's */
    sql("DROP FUNCTION t_foreign.f(); CREATE DOMAIN t_foreign.int_0_1 AS bigint");
    expect_refused("t_foreign", 1, TRIAGE_ECONFLICT);
    /* an enum, a composite type or a range type of another application */
    sql("DROP DOMAIN t_foreign.int_0_1; CREATE TYPE t_foreign.int_0_1 AS ENUM ('a')");
    expect_refused("t_foreign", 1, TRIAGE_ECONFLICT);
    sql("DROP TYPE t_foreign.int_0_1; CREATE TYPE t_foreign.int_0_1 AS (a int)");
    expect_refused("t_foreign", 1, TRIAGE_ECONFLICT);
    sql("DROP TYPE t_foreign.int_0_1; CREATE TYPE t_foreign.r AS RANGE (subtype = int8)");
    expect_refused("t_foreign", 1, TRIAGE_ECONFLICT);
    sql("DROP SCHEMA t_foreign CASCADE");
}

/* ---- arguments, options, the schema's name -------------------------------------------------- */

static void test_arguments(void **state)
{
    (void)state;
    triage_store_t s;
    triage_postgresql_options_t o = TRIAGE_POSTGRESQL_OPTIONS_INIT;
    assert_int_equal(triage_store_postgresql_available(), 1);
    assert_status(triage_store_postgresql(NULL, conninfo, NULL), TRIAGE_EINVAL);
    assert_status(triage_store_postgresql(&s, NULL, NULL), TRIAGE_EINVAL);
    assert_error_arg("conninfo");
    const char *bad[] = {"", "Triage", "a-b", "pg_x", "1abc", "a b", "\"x\"",
                         "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(bad); i++) {
        o.schema = bad[i];
        assert_status(triage_store_postgresql(&s, conninfo, &o), TRIAGE_EINVAL);
        assert_error_arg("options.schema");
    }
    o = pg_opts("t_args");
    o.create = 2;
    assert_status(triage_store_postgresql(&s, conninfo, &o), TRIAGE_EINVAL);
    o.create = 1;
    o.lock_timeout_ms = -1;
    assert_status(triage_store_postgresql(&s, conninfo, &o), TRIAGE_EINVAL);
    o.lock_timeout_ms = 0;
    o.statement_timeout_ms = -1;
    assert_status(triage_store_postgresql(&s, conninfo, &o), TRIAGE_EINVAL);
    o.statement_timeout_ms = 0;
    o.version = 0;
    assert_status(triage_store_postgresql(&s, conninfo, &o), TRIAGE_EVERSION);
    o.version = TRIAGE_POSTGRESQL_OPTIONS_VERSION + 1;
    assert_status(triage_store_postgresql(&s, conninfo, &o), TRIAGE_EVERSION);
    o.version = TRIAGE_POSTGRESQL_OPTIONS_VERSION;
    o.allocator.malloc = fa_malloc; /* half an allocator */
    assert_status(triage_store_postgresql(&s, conninfo, &o), TRIAGE_EINVAL);

    /* a schema of another name: the tables are there and nowhere else */
    fresh_schema("t_other_name_2");
    o = pg_opts("t_other_name_2");
    assert_ok(triage_store_postgresql(&s, conninfo, &o));
    triage_engine_t *e = open_engine(&s, 3);
    new_case(e, 297, NULL);
    triage_engine_free(e);
    assert_int_equal(sql_int("SELECT count(*) FROM t_other_name_2.cases"), 1);
    assert_int_equal(sql_int("SELECT count(*) FROM pg_tables WHERE schemaname = 't_other_name_2'"),
                     9);
    sql("DROP SCHEMA t_other_name_2 CASCADE");
}

/* ---- credentials and messages ---------------------------------------------------------------- */

#define SECRET "Wr0ng-S3cret-4711"

static void assert_no_secret(const char *what)
{
    const triage_error_t *le = triage_error_last();
    if (strstr(le->message, SECRET) || strstr(le->argument, SECRET))
        fail_msg("%s: the password is in the message: %s", what, le->message);
    if (strstr(le->message, "host=") || strstr(le->message, "postgresql://"))
        fail_msg("%s: the connection string is in the message: %s", what, le->message);
}

static void test_credentials(void **state)
{
    (void)state;
    const char *pwuser = getenv("TRIAGE_PG_PWUSER");
    const char *host = getenv("PGHOST");
    const char *port = getenv("PGPORT");
    assert_non_null(pwuser);
    assert_non_null(host);
    sql("DROP SCHEMA IF EXISTS t_pw CASCADE");
    sql("DROP ROLE IF EXISTS %s", pwuser);
    sql("CREATE ROLE %s LOGIN PASSWORD 'Right-Pass-0042'", pwuser);
    sql("CREATE SCHEMA t_pw AUTHORIZATION %s", pwuser); /* made by a DBA beforehand */
    triage_postgresql_options_t o = pg_opts("t_pw");
    triage_store_t s;
    char ci[512];

    /* a wrong password, as key=value and as a URI */
    snprintf(ci, sizeof ci, "host=%s port=%s dbname=triage_test user=%s password=%s", host, port,
             pwuser, SECRET);
    assert_status(triage_store_postgresql(&s, ci, &o), TRIAGE_ESTORE);
    assert_error_arg("conninfo");
    assert_non_null(strstr(triage_error_last()->message, "cannot connect"));
    assert_no_secret("key=value");
    snprintf(ci, sizeof ci, "postgresql://%s:%s@/triage_test?host=%s&port=%s", pwuser, SECRET,
             host, port);
    assert_status(triage_store_postgresql(&s, ci, &o), TRIAGE_ESTORE);
    assert_no_secret("URI");
    /* strings that do not parse are not quoted either */
    snprintf(ci, sizeof ci, "host=%s password %s", host, SECRET);
    assert_status(triage_store_postgresql(&s, ci, &o), TRIAGE_EINVAL);
    assert_no_secret("unparsable");
    snprintf(ci, sizeof ci, "postgresql://%s:%s@[::1/x", pwuser, SECRET); /* libpq quotes it */
    assert_status(triage_store_postgresql(&s, ci, &o), TRIAGE_EINVAL);
    assert_no_secret("bad URI");
    snprintf(ci, sizeof ci, "host=%s port=%s dbname=triage_test user=%s passwrd=%s", host, port,
             pwuser, SECRET);
    assert_status(triage_store_postgresql(&s, ci, &o), TRIAGE_EINVAL);
    assert_no_secret("unknown keyword");
    /* no password at all: the message says where one can come from */
    snprintf(ci, sizeof ci, "host=%s port=%s dbname=triage_test user=%s", host, port, pwuser);
    setenv("PGPASSFILE", "/nonexistent/pgpass", 1);
    assert_status(triage_store_postgresql(&s, ci, &o), TRIAGE_ESTORE);
    assert_non_null(strstr(triage_error_last()->message, "PGPASSFILE"));

    /* the libpq way: a password file */
    char passfile[] = "/tmp/triage-pgpass-XXXXXX";
    int fd = mkstemp(passfile);
    assert_true(fd >= 0);
    char line[512];
    int len = snprintf(line, sizeof line, "*:*:*:%s:Right-Pass-0042\n", pwuser);
    assert_int_equal(write(fd, line, (size_t)len), len);
    close(fd);
    chmod(passfile, 0600);
    setenv("PGPASSFILE", passfile, 1);
    assert_ok(triage_store_postgresql(&s, ci, &o));
    triage_engine_t *e = open_engine(&s, 3);
    new_case(e, 297, NULL);
    triage_engine_free(e);
    assert_int_equal(sql_int("SELECT count(*) FROM t_pw.cases"), 1);
    /* the DBA's role owns nothing else: the tables went into its schema */
    assert_int_equal(sql_int("SELECT count(*) FROM pg_tables WHERE tableowner = '%s'", pwuser),
                     9);
    unsetenv("PGPASSFILE");
    unlink(passfile);
    sql("DROP SCHEMA t_pw CASCADE");
    sql("DROP ROLE %s", pwuser);
}

/* ---- a lost connection ------------------------------------------------------------------------ */

static void test_connection_lost(void **state)
{
    (void)state;
    fresh_schema("t_lost");
    char ci[600];
    snprintf(ci, sizeof ci, "%s application_name=t_lost_app", conninfo);
    triage_postgresql_options_t o = pg_opts("t_lost");
    triage_store_t s;
    assert_ok(triage_store_postgresql(&s, ci, &o));
    triage_engine_t *e = open_engine(&s, 3);
    triage_id_t c1 = new_case(e, 297, NULL);
    assert_int_equal(sql_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                             " WHERE application_name = 't_lost_app'"), 1);
    sleep_ms(100);
    /* the call that meets the loss fails; the engine is as it was */
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_GUIDANCE;
    m.at_ms = now_ms;
    assert_status(triage_case_move(e, &c1, &m), TRIAGE_ESTORE);
    assert_non_null(strstr(triage_error_last()->message, "connection"));
    /* the next one connects again and works */
    assert_ok(triage_case_move(e, &c1, &m));
    assert_int_equal(sql_int("SELECT stage FROM t_lost.cases"), TRIAGE_STAGE_GUIDANCE);
    /* again, this time while the engine only reads */
    assert_int_equal(sql_int("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                             " WHERE application_name = 't_lost_app'"), 1);
    sleep_ms(100);
    assert_status(triage_engine_refresh(e), TRIAGE_ESTORE);
    assert_ok(triage_engine_refresh(e));
    assert_int_equal(stage_of(e, &c1), TRIAGE_STAGE_GUIDANCE);
    assert_gap_free(e);
    triage_engine_free(e);
}

/* ---- allocation failures ----------------------------------------------------------------------- */

static void test_alloc_failures(void **state)
{
    (void)state;
    fresh_schema("t_alloc");
    triage_store_t s = pg_store("t_alloc"); /* the tables exist: opening only reads */
    s.destroy(s.userdata);
    for (long n = 1;; n++) {
        failing_alloc fa = {0, n, 0, 0};
        triage_postgresql_options_t o = pg_opts("t_alloc");
        o.allocator = fa_allocator(&fa);
        triage_status_t rc = triage_store_postgresql(&s, conninfo, &o);
        if (rc == TRIAGE_OK) {
            assert_int_equal(fa.failures, 0);
            fa.fail_at = 0;
            triage_engine_t *e = open_engine(&s, 3);
            triage_id_t client;
            triage_client_t c = TRIAGE_CLIENT_INIT;
            assert_ok(triage_client_create(&client, e, &c));
            triage_engine_free(e);
            assert_int_equal(fa.live, 0);
            assert_true(n > 1);
            break;
        }
        assert_int_equal(rc, TRIAGE_ENOMEM);
        assert_int_equal(fa.live, 0);
        assert_true(n < 200);
    }
    /* the store's own allocations during a write (an urgency policy's text
     * column goes through its parameter buffer) */
    for (long n = 1;; n++) {
        failing_alloc fa = {0, 0, 0, 0};
        triage_postgresql_options_t o = pg_opts("t_alloc");
        o.allocator = fa_allocator(&fa);
        assert_ok(triage_store_postgresql(&s, conninfo, &o));
        triage_engine_t *e = open_engine(&s, 3);
        fa.fail_at = fa.calls + n;
        triage_urgency_policy_t *u;
        assert_ok(triage_urgency_policy_new(&u, NULL));
        assert_ok(triage_urgency_policy_set_id(u, "alloc-test", (uint32_t)(10 + n)));
        triage_status_t rc = triage_engine_set_urgency_policy(e, u);
        triage_urgency_policy_free(u);
        triage_engine_free(e);
        assert_int_equal(fa.live, 0);
        if (fa.failures == 0) {
            assert_ok(rc);
            break;
        }
        assert_int_not_equal(rc, TRIAGE_OK);
        assert_true(n < 50);
    }
}

/* ---- main ------------------------------------------------------------------------------------- */

int main(void)
{
    conninfo = getenv("TRIAGE_PG_CONNINFO");
    if (!conninfo) {
        printf("SKIP: no PostgreSQL cluster (run through tests/postgresql/with_cluster.sh)\n");
        return 77;
    }
    admin_conn = PQconnectdb(conninfo);
    if (PQstatus(admin_conn) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect to the test cluster: %s", PQerrorMessage(admin_conn));
        return 1;
    }
    PQclear(PQexec(admin_conn, "SET client_min_messages TO warning"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contract),
        cmocka_unit_test(test_refresh_read),
        cmocka_unit_test(test_commit_after_read),
        cmocka_unit_test(test_seq_race),
        cmocka_unit_test(test_rebased),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_two_engines),
        cmocka_unit_test(test_race_retried),
        cmocka_unit_test(test_assignment_races_absence),
        cmocka_unit_test(test_policies_shared),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_vendor_sql),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_reopen_same),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_connection_lost),
        cmocka_unit_test(test_alloc_failures),
    };
    int rc = cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    PQfinish(admin_conn);
    return rc;
}
