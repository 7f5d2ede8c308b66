/*
 * The SQLite store (docs/storage.md): an interface-2 store on the tables of
 * schema 2. Round trips and the same results as the memory store; the
 * store's own semantics (revisions, sequence numbers, queries, snapshots);
 * the typed columns as SQL sees them; refusal of foreign, corrupt, newer
 * and damaged databases without modifying them; file modes; several
 * engines and processes on one file (interleaved work, races retried or
 * given up, the busy timeout, a forked writer); crashes; and the migration
 * of a schema-1 file written by libtriage 0.1.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storeutil.h"
#include "engine/engine_internal.h"
#include <triage/report.h>

#ifndef TRIAGE_TEST_FIXTURES
#error "the build passes TRIAGE_TEST_FIXTURES (tests/fixtures)"
#endif
#define FIXTURE_DB TRIAGE_TEST_FIXTURES "/schema1-north-savo-20d.db"
/* what the current library reports for the migrated file; how it relates to
 * what 0.1 reported (the same figures, plus the new ones) is checked in
 * tests/python/test_migration.py */
#define FIXTURE_REPORT TRIAGE_TEST_FIXTURES "/schema1-north-savo-20d.migrated.report.json"

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/triage-sqlite-XXXXXX");
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

/* ---- engines and files -------------------------------------------------------- */

/* A fixed clock: no test reads the wall clock, and events without a time of
 * their own stay comparable. */
static int64_t fixed_clock(void *ud)
{
    (void)ud;
    return SC_T0;
}

/* Ids from a counter: two engines given equal counters make equal ids (so
 * rows that sort by id sort alike). */
typedef struct {
    uint32_t n;
} id_counter;

static void counted_id(void *ud, triage_id_t *out)
{
    id_counter *c = ud;
    memset(out, 0, sizeof *out);
    out->bytes[0] = 0x5a;
    out->bytes[6] = 0x40;
    out->bytes[8] = 0x80;
    c->n++;
    out->bytes[12] = (unsigned char)(c->n >> 24);
    out->bytes[13] = (unsigned char)(c->n >> 16);
    out->bytes[14] = (unsigned char)(c->n >> 8);
    out->bytes[15] = (unsigned char)c->n;
}

static triage_engine_options_t engine_options(void)
{
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fixed_clock;
    return o;
}

/* An engine on the SQLite file `path` (NULL options: the defaults and the
 * fixed clock); NULL when the store or the engine refused to open. */
static triage_engine_t *open_with(const char *path, const triage_sqlite_options_t *so,
                                  const triage_engine_options_t *eo)
{
    triage_store_t s;
    triage_engine_t *e = NULL;
    triage_engine_options_t o = engine_options();
    if (triage_store_sqlite(&s, path, so) != TRIAGE_OK)
        return NULL;
    if (triage_engine_open(&e, eo ? eo : &o, &s) != TRIAGE_OK)
        return NULL;
    return e;
}

static triage_engine_t *open_sqlite(const char *path)
{
    return open_with(path, NULL, NULL);
}

/* Everything an engine can show, read through its public API: the first
 * failure, else TRIAGE_OK. An engine on a shared database reads closed
 * cases, older clients and events from the store only here. */
static triage_status_t read_all(triage_engine_t *e)
{
    triage_id_t *ids = NULL;
    size_t n = 0;
    triage_status_t rc = triage_client_list(&ids, &n, e);
    for (size_t i = 0; !rc && i < n; i++) {
        triage_client_t c;
        c.version = TRIAGE_CLIENT_VERSION;
        rc = triage_client_get(&c, e, &ids[i]);
    }
    triage_free(ids);
    ids = NULL;
    if (!rc)
        rc = triage_worker_list(&ids, &n, e);
    for (size_t i = 0; !rc && i < n; i++) {
        triage_worker_t w;
        w.version = TRIAGE_WORKER_VERSION;
        rc = triage_worker_get(&w, e, &ids[i]);
    }
    triage_free(ids);
    ids = NULL;
    if (!rc)
        rc = triage_case_list(&ids, &n, e, NULL);
    for (size_t i = 0; !rc && i < n; i++) {
        triage_case_t c;
        c.version = TRIAGE_CASE_VERSION;
        rc = triage_case_get(&c, e, &ids[i]);
        triage_case_deadline_t *rows = NULL;
        size_t nrows = 0;
        if (!rc)
            rc = triage_case_deadlines(&rows, &nrows, NULL, TRIAGE_CASE_DEADLINE_VERSION, e,
                                       &ids[i], c.received + 400, 0);
        triage_free(rows);
        triage_id_t *intakes = NULL;
        size_t nintakes = 0;
        if (!rc)
            rc = triage_case_intakes(&intakes, &nintakes, e, &ids[i]);
        for (size_t k = 0; !rc && k < nintakes; k++) {
            triage_intake_info_t info;
            info.version = TRIAGE_INTAKE_INFO_VERSION;
            rc = triage_intake_get(&info, e, &intakes[k]);
        }
        triage_free(intakes);
    }
    triage_free(ids);
    if (!rc) {
        triage_absence_t *abs = NULL;
        rc = triage_absence_list(&abs, &n, TRIAGE_ABSENCE_VERSION, e, NULL);
        triage_free(abs);
    }
    if (!rc) {
        triage_event_t *evs = NULL;
        rc = test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX);
        triage_free(evs);
    }
    return rc;
}

/* The last error, kept across the calls that free an engine. */
static struct {
    triage_status_t code;
    char argument[64], message[256];
} kept;

static void keep_error(triage_status_t rc)
{
    const triage_error_t *le = triage_error_last();
    kept.code = rc;
    snprintf(kept.argument, sizeof kept.argument, "%s", le->argument);
    snprintf(kept.message, sizeof kept.message, "%s", le->message);
}

/* Opens the file and reads everything: the first failure (kept), else OK. */
static triage_status_t open_and_read(const char *path, const triage_sqlite_options_t *so)
{
    triage_store_t s;
    triage_engine_t *e = NULL;
    triage_engine_options_t o = engine_options();
    triage_status_t rc = triage_store_sqlite(&s, path, so);
    if (!rc)
        rc = triage_engine_open(&e, &o, &s);
    if (!rc)
        rc = read_all(e);
    keep_error(rc);
    triage_engine_free(e);
    return rc;
}

static void expect_corrupt(const char *field)
{
    assert_int_equal(kept.code, TRIAGE_ECORRUPT);
    assert_string_equal(kept.argument, field);
    if (!strstr(kept.message, field))
        fail_msg("message \"%s\" does not name %s", kept.message, field);
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

static void copy_file(const char *from, const char *to)
{
    sbuf b = read_file(from);
    write_file(to, b.buf, b.len);
    free(b.buf);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
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

/* The first column of the first row of a query, as an integer (-1: no row). */
static int64_t sql_int(const char *path, const char *query)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", query, sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
    return v;
}

/* ... as text, into `out` ("" for NULL or no row). */
static void sql_text(char *out, size_t n, const char *path, const char *query)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", query, sqlite3_errmsg(db));
    const unsigned char *t = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
    snprintf(out, n, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A database with the scenario in it, closed (a self-contained file). */
static void make_db(const char *path)
{
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    scenario sc;
    run_scenario(e, &sc);
    triage_engine_free(e);
}

/* ---- round trips --------------------------------------------------------------- */

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
    static const char *const refused[] = {
        "DELETE FROM events",                       /* append-only */
        "UPDATE events SET \"kind\" = 3",
        "UPDATE cases SET \"closing_reason\" = 0",  /* closed needs a reason (SHL 34 §) */
        "UPDATE workers SET \"role\" = 9",          /* ranges from the field tables */
        "UPDATE cases SET \"received\" = '2026-02-30'", /* ISO dates only */
        "UPDATE clients SET \"active_case\" = 'x'", /* ids are UUIDs */
        "UPDATE intakes SET \"case_id\" = (SELECT id FROM clients LIMIT 1)", /* owners stay */
        "DELETE FROM clients",                      /* foreign keys (on below) */
    };
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(refused); i++) {
        char *err = NULL;
        if (sqlite3_exec(db, refused[i], NULL, NULL, &err) == SQLITE_OK)
            fail_msg("the schema allowed: %s", refused[i]);
        sqlite3_free(err);
    }
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Same scenario, same observable results on both stores. */
static sbuf shape(triage_engine_t *e)
{
    sbuf b = {0};
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_case_list(&ids, &n, e, NULL));
    for (size_t i = 0; i < n; i++) {
        triage_case_t c;
        c.version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&c, e, &ids[i]));
        int32_t v[] = {(int32_t)c.stage, (int32_t)c.urgency, (int32_t)c.flags,
                       (int32_t)c.closing_reason, c.received, c.assessment_started,
                       c.assessment_completed, c.first_contact, c.special_support,
                       (int32_t)c.deadline_count};
        sb_add(&b, v, sizeof v);
        sb_add(&b, &c.classification, sizeof c.classification);
        triage_case_deadline_t dl[64];
        uint32_t nd;
        assert_ok(test_case_deadlines(dl, &nd, NULL, e, &ids[i], c.received + 400, 0));
        for (uint32_t k = 0; k < nd; k++) {
            int32_t row[] = {(int32_t)dl[k].deadline.row, dl[k].deadline.due, dl[k].met,
                             (int32_t)dl[k].state, dl[k].start, (int32_t)dl[k].flags};
            sb_add(&b, row, sizeof row);
        }
    }
    triage_free(ids);
    triage_event_t *evs;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
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
    /* equal id sequences: rows of one commit sort by id alike in both */
    id_counter ca = {0}, cb = {0};
    triage_engine_options_t o = engine_options();
    o.generate_id = counted_id;
    o.id_userdata = &ca;
    triage_engine_t *sq = open_with(path, NULL, &o);
    assert_non_null(sq);
    triage_store_t mem;
    assert_ok(triage_store_memory(&mem, NULL));
    triage_engine_t *me;
    o.id_userdata = &cb;
    assert_ok(triage_engine_open(&me, &o, &mem));
    scenario a, b;
    run_scenario(sq, &a);
    run_scenario(me, &b);
    assert_same(shape(sq), shape(me));
    assert_same(dump_engine(sq), dump_engine(me));
    triage_engine_free(sq);
    triage_engine_free(me);
}

/* ---- the typed columns, as a vendor's SQL sees them ------------------------------- */

static void test_sqlite_typed_columns(void **state)
{
    (void)state;
    char path[128], q[512], text[128], want[128];
    path_of(path, sizeof path, "columns.db");
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    scenario sc;
    run_scenario(e, &sc);
    triage_case_t c;
    c.version = TRIAGE_CASE_VERSION;
    assert_ok(triage_case_get(&c, e, &sc.c1));
    triage_client_t cl;
    cl.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&cl, e, &sc.client));
    triage_engine_free(e);
    char cid[37], client[37], sg[37];
    triage_id_format(cid, sizeof cid, &sc.c1);
    triage_id_format(client, sizeof client, &sc.client);
    triage_id_format(sg, sizeof sg, &sc.sg);

    /* a case: its stage and closing reason, dates as ISO text, its client */
    snprintf(q, sizeof q, "SELECT \"stage\" FROM cases WHERE id = '%s'", cid);
    assert_int_equal(sql_int(path, q), TRIAGE_STAGE_CLOSED);
    assert_int_equal(c.stage, TRIAGE_STAGE_CLOSED);
    snprintf(q, sizeof q, "SELECT \"closing_reason\" FROM cases WHERE id = '%s'", cid);
    assert_int_equal(sql_int(path, q), TRIAGE_CLOSE_GOALS_MET);
    snprintf(q, sizeof q, "SELECT \"received\" FROM cases WHERE id = '%s'", cid);
    sql_text(text, sizeof text, path, q);
    assert_ok(triage_date_format(want, sizeof want, c.received));
    assert_string_equal(text, want);
    snprintf(q, sizeof q, "SELECT \"closed\" FROM cases WHERE id = '%s'", cid);
    sql_text(text, sizeof text, path, q);
    assert_ok(triage_date_format(want, sizeof want, c.closed));
    assert_string_equal(text, want);
    snprintf(q, sizeof q, "SELECT \"client\" FROM cases WHERE id = '%s'", cid);
    sql_text(text, sizeof text, path, q);
    assert_string_equal(text, client);
    snprintf(q, sizeof q, "SELECT \"quadrant\" FROM cases WHERE id = '%s'", cid);
    assert_int_equal(sql_int(path, q), c.classification.quadrant);
    snprintf(q, sizeof q, "SELECT \"first_contact\" IS NULL FROM cases WHERE id = '%s'", cid);
    assert_int_equal(sql_int(path, q), c.first_contact == TRIAGE_DATE_NONE);
    /* a client: language and municipality; a date of none is NULL */
    snprintf(q, sizeof q, "SELECT \"language\" FROM clients WHERE id = '%s'", client);
    assert_int_equal(sql_int(path, q), cl.language);
    assert_int_equal(cl.language, TRIAGE_LANG_FI);
    snprintf(q, sizeof q, "SELECT \"municipality\" FROM clients WHERE id = '%s'", client);
    assert_int_equal(sql_int(path, q), 297);
    snprintf(q, sizeof q, "SELECT \"date_of_birth\" IS NULL FROM clients WHERE id = '%s'", client);
    assert_int_equal(sql_int(path, q), 1);
    /* a worker: a real and a list as JSON */
    snprintf(q, sizeof q, "SELECT \"fte\" * 10 FROM workers WHERE id = '%s'", sg);
    assert_int_equal(sql_int(path, q), 8);
    snprintf(q, sizeof q, "SELECT \"served\" FROM workers WHERE id = '%s'", sg);
    sql_text(text, sizeof text, path, q);
    assert_string_equal(text, "[]");
    /* the case's rows: two intakes (one attached), its deadline rows */
    snprintf(q, sizeof q, "SELECT count(*) FROM intakes WHERE \"case_id\" = '%s'", cid);
    assert_int_equal(sql_int(path, q), c.intake_count);
    assert_int_equal(c.intake_count, 2);
    snprintf(q, sizeof q, "SELECT max(\"ordinal\") FROM intakes WHERE \"case_id\" = '%s'", cid);
    assert_int_equal(sql_int(path, q), 1);
    snprintf(q, sizeof q, "SELECT count(*) FROM deadlines WHERE \"case_id\" = '%s'", cid);
    assert_int_equal(sql_int(path, q), c.deadline_count);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM deadlines d JOIN intakes i ON i.id = d.\"intake_id\""
             " WHERE d.\"case_id\" = '%s' AND d.\"due\" >= d.\"start\"",
             cid);
    assert_int_equal(sql_int(path, q), c.deadline_count);
    /* the absence: removed, its days as dates */
    sql_text(text, sizeof text, path, "SELECT \"start\" || '..' || \"end\" FROM absences");
    char a[16], b[16];
    assert_ok(triage_date_format(a, sizeof a, 20800));
    assert_ok(triage_date_format(b, sizeof b, 20810));
    snprintf(want, sizeof want, "%s..%s", a, b);
    assert_string_equal(text, want);
    assert_int_equal(sql_int(path, "SELECT \"removed\" FROM absences"), 1);
    /* events: gap-free, with their typed columns; revisions are sequence numbers */
    int64_t nev = sql_int(path, "SELECT count(*) FROM events");
    assert_true(nev > 10);
    assert_int_equal(sql_int(path, "SELECT max(\"seq\") FROM events"), nev);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM events WHERE \"case_id\" = '%s' AND \"kind\" = %d"
             " AND \"to\" = %d AND \"reason\" = %d",
             cid, TRIAGE_EVENT_STAGE_CHANGED, TRIAGE_STAGE_CLOSED, TRIAGE_CLOSE_GOALS_MET);
    assert_int_equal(sql_int(path, q), 1);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM events e JOIN intakes i ON i.id = e.\"intake\""
             " WHERE e.\"kind\" = %d AND i.\"case_id\" = '%s'",
             TRIAGE_EVENT_INTAKE, cid);
    assert_int_equal(sql_int(path, q), 1);
    snprintf(q, sizeof q,
             "SELECT revision = (SELECT max(\"seq\") FROM events WHERE \"case_id\" = '%s')"
             " AND created <= revision FROM cases WHERE id = '%s'",
             cid, cid);
    assert_int_equal(sql_int(path, q), 1);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM meta WHERE \"key\" = 'schema'"
                                   " AND \"value\" = '2'"),
                     1);
}

/* ---- the store's own semantics ---------------------------------------------------- */

/* A client record as the engine would hand it over. */
typedef struct {
    triage__client c;
    triage__wbuf buf;
    triage_field_t cols[32];
    triage_store_record_t r;
} test_record;

static void make_client(test_record *t, uint8_t id, int64_t revision, int64_t expected)
{
    memset(&t->c, 0, sizeof t->c);
    t->c.id.bytes[0] = id;
    t->c.id.bytes[6] = 0x40;
    t->c.rev = revision;
    t->c.created = id;
    t->c.language = TRIAGE_LANG_SV;
    t->c.date_of_birth = TRIAGE_DATE_NONE;
    t->c.last_contact = TRIAGE_DATE_NONE;
    t->c.last_activity = 20000 + id;
    t->c.municipality = 297;
    t->buf.alloc = NULL;
    assert_ok(triage__encode(&t->buf, &triage__client_schema, &t->c));
    size_t n = triage__codec_columns(t->cols, 32, &triage__client_schema, &t->c, 3);
    memset(&t->r, 0, sizeof t->r);
    t->r.version = TRIAGE_STORE_RECORD_VERSION;
    t->r.kind = TRIAGE_RECORD_CLIENT;
    t->r.id = t->c.id;
    t->r.revision = revision;
    t->r.expected_revision = expected;
    t->r.created = t->c.created;
    t->r.data = t->buf.p;
    t->r.len = t->buf.n;
    t->r.fields = t->cols;
    t->r.nfields = n;
}

static int put_client(const triage_store_t *s, uint8_t id, int64_t revision, int64_t expected)
{
    test_record t;
    memset(&t, 0, sizeof t);
    make_client(&t, id, revision, expected);
    int rc = s->put_record(s->userdata, &t.r);
    free(t.buf.p);
    return rc;
}

static int append(const triage_store_t *s, int64_t seq, int64_t at_ms, uint8_t case_byte)
{
    triage_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.version = TRIAGE_EVENT_VERSION;
    ev.seq = seq;
    ev.at_ms = at_ms;
    ev.kind = case_byte ? TRIAGE_EVENT_CONTACT_ATTEMPT : TRIAGE_EVENT_CLIENT_CREATED;
    if (case_byte) {
        ev.case_id.bytes[0] = case_byte;
    } else {
        ev.subject.bytes[0] = 1;
    }
    triage__wbuf b = {NULL, NULL, 0, 0, 0};
    assert_ok(triage__event_encode(&b, &ev));
    triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, &ev, seq, b.p, b.n};
    int rc = s->append_event2(s->userdata, &se);
    free(b.p);
    return rc;
}

typedef struct {
    int64_t seen[64];
    size_t n;
} seen_list;

static int see_record(void *ctx, const triage_store_record_t *r)
{
    seen_list *l = ctx;
    assert_true(l->n < 64);
    triage__client c;
    memset(&c, 0, sizeof c); /* the decoder frees lists it replaces */
    assert_ok(triage__decode(&c, &triage__client_schema, r->data, r->len, NULL));
    assert_memory_equal(&c.id, &r->id, sizeof r->id);
    triage__codec_release(&c, &triage__client_schema, NULL);
    l->seen[l->n++] = r->id.bytes[0] * 1000 + r->revision;
    return 0;
}

static int see_event(void *ctx, const triage_store_event_t *se)
{
    seen_list *l = ctx;
    assert_true(l->n < 64);
    triage_event_t ev;
    assert_ok(triage__event_decode(&ev, se->data, se->len));
    assert_int_equal(ev.seq, se->seq);
    l->seen[l->n++] = se->seq;
    return 0;
}

static seen_list query(const triage_store_t *s, int64_t changed_after)
{
    seen_list l = {{0}, 0};
    triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, TRIAGE_RECORD_CLIENT, {{0}},
                              changed_after, 0, TRIAGE_DATE_NONE};
    assert_int_equal(s->query_records(s->userdata, &q, see_record, &l), 0);
    return l;
}

static seen_list events(const triage_store_t *s, int64_t after, int64_t upto, uint8_t case_byte,
                        int64_t from_ms, int64_t to_ms, int64_t limit)
{
    seen_list l = {{0}, 0};
    triage_store_event_query_t q = {TRIAGE_STORE_EVENT_QUERY_VERSION, after, upto, {{0}},
                                    from_ms, to_ms, limit};
    q.case_id.bytes[0] = case_byte;
    assert_int_equal(s->query_events(s->userdata, &q, see_event, &l), 0);
    return l;
}

static int64_t last_seq(const triage_store_t *s)
{
    int64_t v = -1;
    assert_int_equal(s->last_seq(s->userdata, &v), 0);
    return v;
}

/*
 * What an interface-2 store promises (include/triage/sys/store.h), checked
 * on two handles of one database: `a` writes, `b` sees. Run on the memory
 * store (the reference) and on the SQLite store alike.
 */
static void check_store_semantics(const triage_store_t *a, const triage_store_t *b)
{
    /* records: new (expected 0), updated at the revision read, or refused */
    assert_int_equal(a->begin(a->userdata), 0);
    assert_int_equal(append(a, 1, 100, 0), 0);
    assert_int_equal(put_client(a, 1, 1, 0), 0);
    assert_int_equal(put_client(a, 2, 1, 0), 0);
    assert_int_equal(a->commit(a->userdata), 0);
    assert_int_equal(last_seq(b), 1);
    assert_int_equal(a->begin(a->userdata), 0);
    assert_int_equal(put_client(a, 1, 2, 0), TRIAGE_ECONFLICT); /* exists already */
    assert_int_equal(put_client(a, 3, 2, 7), TRIAGE_ECONFLICT); /* never stored */
    assert_int_equal(append(a, 3, 200, 0), TRIAGE_ECONFLICT);   /* a gap */
    assert_int_equal(append(a, 1, 200, 0), TRIAGE_ECONFLICT);   /* taken */
    assert_int_equal(append(a, 2, 200, 9), 0);
    assert_int_equal(put_client(a, 1, 2, 1), 0);
    assert_int_equal(a->commit(a->userdata), 0);
    assert_int_equal(b->begin(b->userdata), 0);
    assert_int_equal(put_client(b, 1, 3, 1), TRIAGE_ECONFLICT); /* read an old revision */
    assert_int_equal(append(b, 2, 300, 0), TRIAGE_ECONFLICT);   /* computed on an old state */
    assert_int_equal(b->rollback(b->userdata), 0);
    /* a rollback leaves nothing */
    assert_int_equal(a->begin(a->userdata), 0);
    assert_int_equal(append(a, 3, 300, 9), 0);
    assert_int_equal(put_client(a, 4, 3, 0), 0);
    assert_int_equal(a->rollback(a->userdata), 0);
    assert_int_equal(last_seq(b), 2);
    seen_list one = {{0}, 0};
    triage_id_t id = {{0}};
    id.bytes[0] = 4;
    id.bytes[6] = 0x40;
    assert_int_equal(b->get_record(b->userdata, TRIAGE_RECORD_CLIENT, &id, see_record, &one),
                     TRIAGE_ENOTFOUND);
    id.bytes[0] = 1;
    assert_int_equal(b->get_record(b->userdata, TRIAGE_RECORD_CLIENT, &id, see_record, &one), 0);
    assert_int_equal(one.n, 1);
    assert_int_equal(one.seen[0], 1002);
    /* queries: every record, those changed after a revision */
    seen_list l = query(b, 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.seen[0], 1002);
    assert_int_equal(l.seen[1], 2001);
    l = query(b, 1);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.seen[0], 1002);
    assert_int_equal(query(b, 2).n, 0);
    /* events: after, up to, one case, a time range, a limit */
    assert_int_equal(b->begin(b->userdata), 0);
    for (int64_t s = 3; s <= 8; s++)
        assert_int_equal(append(b, s, s * 100, s % 2 ? 7 : 9), 0);
    assert_int_equal(b->commit(b->userdata), 0);
    assert_int_equal(last_seq(a), 8);
    assert_int_equal(events(a, 0, INT64_MAX, 0, INT64_MIN, INT64_MAX, 0).n, 8);
    l = events(a, 2, 6, 0, INT64_MIN, INT64_MAX, 0);
    assert_int_equal(l.n, 4);
    assert_int_equal(l.seen[0], 3);
    l = events(a, 0, INT64_MAX, 9, INT64_MIN, INT64_MAX, 0);
    assert_int_equal(l.n, 4); /* 2, 4, 6, 8 */
    assert_int_equal(l.seen[3], 8);
    l = events(a, 2, INT64_MAX, 7, INT64_MIN, INT64_MAX, 0);
    assert_int_equal(l.n, 3); /* 3, 5, 7 */
    l = events(a, 0, INT64_MAX, 0, 250, 550, 0);
    assert_int_equal(l.n, 3); /* 3, 4, 5 */
    assert_int_equal(l.seen[0], 3);
    l = events(a, 1, INT64_MAX, 0, INT64_MIN, INT64_MAX, 2);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.seen[1], 3);
    l = events(a, 0, INT64_MAX, 9, 250, INT64_MAX, 1);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.seen[0], 4);
}

/* One record's numbers as a store returns them. */
typedef struct {
    int64_t revision, created;
    int found;
} numbers;

static int see_numbers(void *ctx, const triage_store_record_t *r)
{
    numbers *n = ctx;
    n->revision = r->revision;
    n->created = r->created;
    n->found++;
    return 0;
}

static numbers numbers_of(const triage_store_t *s, uint8_t id_byte)
{
    numbers n = {0, 0, 0};
    triage_id_t id = {{0}};
    id.bytes[0] = id_byte;
    id.bytes[6] = 0x40;
    int rc = s->get_record(s->userdata, TRIAGE_RECORD_CLIENT, &id, see_numbers, &n);
    assert_true(rc == 0 || rc == TRIAGE_ENOTFOUND);
    return n;
}

static int see_seq(void *ctx, const triage_store_event_t *se)
{
    seen_list *l = ctx;
    assert_true(l->n < 64);
    l->seen[l->n++] = se->seq;
    return 0;
}

/*
 * What an interface-3 store promises for begin_rebased and commit_rebased,
 * after check_store_semantics (last number 8; clients 1 at revision 2 and 2
 * at revision 1): numbers counted from the engine's number and moved by
 * what others committed since, the revision read checked as given, the
 * guarded kinds, misuse refused, and a rollback that leaves nothing.
 */
static void check_rebased_semantics(const triage_store_t *a, const triage_store_t *b)
{
    int64_t shift = -1;
    assert_non_null(a->begin_rebased);
    assert_non_null(a->commit_rebased);
    /* nobody committed since: shift 0 */
    assert_int_equal(a->begin_rebased(a->userdata, 8, 8, 0), 0);
    assert_int_equal(append(a, 9, 900, 0), 0);
    assert_int_equal(put_client(a, 5, 9, 0), 0);
    assert_int_equal(a->commit_rebased(a->userdata, &shift), 0);
    assert_int_equal(shift, 0);
    assert_int_equal(last_seq(b), 9);
    assert_int_equal(numbers_of(b, 5).revision, 9);
    /* b commits 10; a, still at 9, writes 10 and it is stored as 11 */
    assert_int_equal(b->begin(b->userdata), 0);
    assert_int_equal(append(b, 10, 1000, 0), 0);
    assert_int_equal(put_client(b, 6, 10, 0), 0);
    assert_int_equal(b->commit(b->userdata), 0);
    assert_int_equal(a->begin_rebased(a->userdata, 9, 9, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_WORKER)),
                     0);
    assert_int_equal(append(a, 10, 1001, 0), 0);
    assert_int_equal(put_client(a, 10, 10, 0), 0); /* new: created 10 > 9 moves too */
    assert_int_equal(put_client(a, 1, 10, 2), 0);  /* read at 2: created 1 stays */
    shift = -1;
    assert_int_equal(a->commit_rebased(a->userdata, &shift), 0);
    assert_int_equal(shift, 1);
    assert_int_equal(last_seq(b), 11);
    numbers n = numbers_of(b, 10);
    assert_int_equal(n.found, 1);
    assert_int_equal(n.revision, 11);
    assert_int_equal(n.created, 11);
    n = numbers_of(b, 1);
    assert_int_equal(n.revision, 11);
    assert_int_equal(n.created, 1);
    seen_list l = {{0}, 0};
    triage_store_event_query_t q = {TRIAGE_STORE_EVENT_QUERY_VERSION, 9, INT64_MAX, {{0}},
                                    INT64_MIN, INT64_MAX, 0};
    assert_int_equal(b->query_events(b->userdata, &q, see_seq, &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.seen[0], 10);
    assert_int_equal(l.seen[1], 11);
    assert_int_equal(query(b, 10).n, 2); /* clients 1 and 10, found by their moved revisions */
    /* the revision read is compared as given: a stale one loses */
    int rc = a->begin_rebased(a->userdata, 11, 11, 0);
    if (rc == 0) {
        rc = put_client(a, 1, 12, 2);
        if (rc == 0)
            rc = a->commit_rebased(a->userdata, &shift);
        assert_int_equal(rc, TRIAGE_ECONFLICT);
        assert_int_equal(a->rollback(a->userdata), 0);
    }
    assert_int_equal(rc, TRIAGE_ECONFLICT);
    /* a guarded kind written after the number loses, with nothing left open */
    assert_int_equal(a->begin_rebased(a->userdata, 10, 10, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_CLIENT)),
                     TRIAGE_ECONFLICT);
    assert_int_equal(a->begin(a->userdata), 0);
    assert_int_equal(a->rollback(a->userdata), 0);
    assert_int_equal(a->begin_rebased(a->userdata, 11, 11, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_CLIENT)),
                     0);
    assert_int_equal(a->rollback(a->userdata), 0);
    /* the guard counts from the number seen, which may lie below the base
     * (an engine that holds its own commit numbered after others') */
    assert_int_equal(a->begin_rebased(a->userdata, 11, 10, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_CLIENT)),
                     TRIAGE_ECONFLICT);
    assert_int_equal(a->begin_rebased(a->userdata, 11, 10, TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_WORKER)),
                     0);
    assert_int_equal(a->rollback(a->userdata), 0);
    /* a number seen above the base is misuse, with nothing left open */
    rc = a->begin_rebased(a->userdata, 10, 11, 0);
    assert_int_not_equal(rc, 0);
    assert_int_not_equal(rc, TRIAGE_ECONFLICT);
    assert_int_equal(a->begin(a->userdata), 0);
    assert_int_equal(a->rollback(a->userdata), 0);
    /* a number the store never gave loses */
    assert_int_equal(a->begin_rebased(a->userdata, 12, 12, 0), TRIAGE_ECONFLICT);
    /* commit_rebased only ends what begin_rebased began, and commit only
     * what begin began; an unknown kind is misuse */
    assert_int_equal(a->begin(a->userdata), 0);
    assert_int_not_equal(a->commit_rebased(a->userdata, &shift), 0);
    assert_int_equal(a->rollback(a->userdata), 0);
    assert_int_not_equal(a->commit_rebased(a->userdata, &shift), 0);
    assert_int_equal(a->begin_rebased(a->userdata, 11, 11, 0), 0);
    assert_int_not_equal(a->commit(a->userdata), 0);
    assert_int_not_equal(a->commit_rebased(a->userdata, NULL), 0);
    assert_int_equal(a->rollback(a->userdata), 0);
    rc = a->begin_rebased(a->userdata, 11, 11, 1u << 9);
    assert_int_not_equal(rc, 0);
    assert_int_not_equal(rc, TRIAGE_ECONFLICT);
    /* a rolled back rebased transaction leaves nothing */
    assert_int_equal(b->begin(b->userdata), 0);
    assert_int_equal(append(b, 12, 1200, 0), 0);
    assert_int_equal(b->commit(b->userdata), 0);
    assert_int_equal(a->begin_rebased(a->userdata, 11, 11, 0), 0);
    assert_int_equal(append(a, 12, 1201, 0), 0);
    assert_int_equal(put_client(a, 11, 12, 0), 0);
    assert_int_equal(a->rollback(a->userdata), 0);
    assert_int_equal(last_seq(b), 12);
    assert_int_equal(numbers_of(b, 11).found, 0);
}

/* Interface 3 on the memory store (the reference) and on SQLite alike. */
static void test_rebased_semantics(void **state)
{
    (void)state;
    triage_store_t ma, mb;
    assert_ok(triage_store_memory(&ma, NULL));
    assert_ok(triage_store_memory_share(&mb, &ma));
    assert_int_equal(ma.version, 3);
    check_store_semantics(&ma, &mb);
    check_rebased_semantics(&ma, &mb);
    ma.destroy(ma.userdata);
    mb.destroy(mb.userdata);
    char path[128];
    path_of(path, sizeof path, "rebased.db");
    triage_store_t a, b;
    assert_ok(triage_store_sqlite(&a, path, NULL));
    assert_ok(triage_store_sqlite(&b, path, NULL));
    check_store_semantics(&a, &b);
    check_rebased_semantics(&a, &b);
    a.destroy(a.userdata);
    b.destroy(b.userdata);
}

static void test_sqlite_store_semantics(void **state)
{
    (void)state;
    /* the reference */
    triage_store_t ma, mb;
    assert_ok(triage_store_memory(&ma, NULL));
    assert_ok(triage_store_memory_share(&mb, &ma));
    check_store_semantics(&ma, &mb);
    ma.destroy(ma.userdata);
    mb.destroy(mb.userdata);
    /* two handles on one file */
    char path[128];
    path_of(path, sizeof path, "semantics.db");
    triage_store_t a, b;
    assert_ok(triage_store_sqlite(&a, path, NULL));
    assert_int_equal(a.version, 3);
    assert_ok(triage_store_sqlite(&b, path, NULL));
    check_store_semantics(&a, &b);
    /* calls outside a transaction are refused, with a message */
    assert_int_not_equal(put_client(&a, 5, 9, 0), 0);
    assert_int_not_equal(append(&a, 9, 900, 0), 0);
    /* a read snapshot does not see what another handle commits meanwhile */
    assert_int_equal(a.read_begin(a.userdata), 0);
    assert_int_equal(last_seq(&a), 8);
    assert_int_equal(b.begin(b.userdata), 0);
    assert_int_equal(append(&b, 9, 900, 0), 0);
    assert_int_equal(b.commit(b.userdata), 0);
    assert_int_equal(last_seq(&a), 8);
    assert_int_equal(events(&a, 0, INT64_MAX, 0, INT64_MIN, INT64_MAX, 0).n, 8);
    assert_int_equal(a.read_end(a.userdata), 0);
    assert_int_equal(last_seq(&a), 9);
    /* nested snapshots end with the outer one */
    assert_int_equal(a.read_begin(a.userdata), 0);
    assert_int_equal(a.read_begin(a.userdata), 0);
    assert_int_equal(a.read_end(a.userdata), 0);
    assert_int_equal(a.read_end(a.userdata), 0);
    assert_int_not_equal(a.read_end(a.userdata), 0);
    a.destroy(a.userdata);
    b.destroy(b.userdata);
}

/* ---- refusals ------------------------------------------------------------------- */

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
    make_db(path);
    sbuf good = read_file(path);
    assert_true(good.len > 4096);
    for (size_t i = 4096; i < good.len; i++)
        good.buf[i] = (char)(i * 7919 % 251);
    write_file(path, good.buf, good.len);
    free(good.buf);
    sbuf before = read_file(path);
    /* damage, never a conflict to retry: at the store, the engine's open or
     * the first read of the damaged part */
    assert_int_equal(open_and_read(path, NULL), TRIAGE_ECORRUPT);
    assert_same(before, read_file(path));
    /* Missing file without create. */
    triage_store_t s;
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
    o.busy_timeout_ms = -1;
    assert_status(triage_store_sqlite(&s, path, &o), TRIAGE_EINVAL);
    assert_error_arg("options.busy_timeout_ms");
    o = (triage_sqlite_options_t)TRIAGE_SQLITE_OPTIONS_INIT;
    o.version = 9;
    assert_status(triage_store_sqlite(&s, path, &o), TRIAGE_EVERSION);
    assert_status(triage_store_sqlite(&s, tmpdir, NULL), TRIAGE_EINVAL);
    assert_int_equal(triage_store_sqlite_available(), 1);
}

/* ---- damaged records: edited rows of an SQLite file --------------------------- */

/*
 * One edit of a stored record: its `data` is decoded, one field is set out
 * of its range, and it is encoded again with a valid checksum, so the
 * engine's field checks (not the checksum) must catch it; `raw` edits damage
 * the encoded bytes themselves. The error comes when the engine opens or,
 * for a record outside its working set (the closed case), when it is read.
 */
typedef struct {
    const char *table; /* the SQLite table */
    int kind;          /* TRIAGE_RECORD_*, or 0 for an event */
    void (*edit)(void *rec);
    size_t raw_off;    /* raw edits: flip the byte at this offset (0: none) */
    const char *field; /* what the error must name */
} record_edit;

static void ed_milestone(void *r) { ((triage__deadline *)r)->milestone = 200; }
static void ed_stage(void *r) { ((triage__case *)r)->stage = 99; }
static void ed_urgency(void *r) { ((triage__case *)r)->urgency = 77; }
static void ed_channel(void *r) { ((triage__case *)r)->channel = 1000; }
static void ed_reason(void *r) { ((triage__case *)r)->closing_reason = 99; }
static void ed_flags(void *r) { ((triage__case *)r)->flags = 0x10000; }
static void ed_row_case(void *r) { ((triage__deadline *)r)->case_id.bytes[0] ^= 1; }
static void ed_row_intake(void *r) { ((triage__deadline *)r)->intake_id.bytes[0] ^= 1; }
static void ed_ordinal(void *r) { ((triage__intake *)r)->ordinal = 5; }
static void ed_language(void *r) { ((triage__client *)r)->language = 9; }
static int32_t twice[2] = {297, 297};
static void ed_served(void *r)
{
    triage__worker *w = r;
    w->served = twice; /* re-encoded only: put back before release */
    w->nserved = 2;
}
static void ed_absence(void *r) { ((triage__absence *)r)->end = ((triage__absence *)r)->start - 1; }
static void ed_event_kind(void *r) { ((triage_event_t *)r)->kind = 0; }
static void ed_event_policy(void *r) { ((triage_event_t *)r)->policy_id[0] = '\t'; }

static const triage__schema *schema_of(int kind)
{
    switch (kind) {
    case TRIAGE_RECORD_CLIENT: return &triage__client_schema;
    case TRIAGE_RECORD_CASE: return &triage__case_schema;
    case TRIAGE_RECORD_WORKER: return &triage__worker_schema;
    case TRIAGE_RECORD_ABSENCE: return &triage__absence_schema;
    case TRIAGE_RECORD_INTAKE: return &triage__intake_schema;
    case TRIAGE_RECORD_DEADLINE: return &triage__deadline_schema;
    case TRIAGE_RECORD_POLICY: return &triage__policy_schema;
    default: return &triage__event_schema;
    }
}

/* The `data` of the first row of the edit's table, re-encoded through it. */
static void edit_record(const char *path, const record_edit *ed)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char q[160];
    sqlite3_stmt *st;
    snprintf(q, sizeof q, "SELECT rowid, data FROM %s ORDER BY rowid LIMIT 1", ed->table);
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t rowid = sqlite3_column_int64(st, 0);
    size_t len = (size_t)sqlite3_column_bytes(st, 1);
    unsigned char *data = malloc(len);
    memcpy(data, sqlite3_column_blob(st, 1), len);
    sqlite3_finalize(st);
    triage__wbuf b = {NULL, NULL, 0, 0, 0};
    if (ed->raw_off) {
        data[ed->raw_off] ^= 0x20;
        b.p = data;
        b.n = len;
        data = NULL;
    } else {
        const triage__schema *s = schema_of(ed->kind);
        union {
            triage__client client;
            triage__case c;
            triage__worker worker;
            triage__absence absence;
            triage__intake intake;
            triage__deadline deadline;
            triage_event_t event;
        } rec;
        memset(&rec, 0, sizeof rec);
        assert_ok(triage__decode(&rec, s, data, len, NULL));
        void *keep = ed->kind == TRIAGE_RECORD_WORKER ? rec.worker.served : NULL;
        uint32_t nkeep = ed->kind == TRIAGE_RECORD_WORKER ? rec.worker.nserved : 0;
        ed->edit(&rec);
        assert_ok(triage__encode(&b, s, &rec));
        if (ed->kind == TRIAGE_RECORD_WORKER) {
            rec.worker.served = keep;
            rec.worker.nserved = nkeep;
        }
        triage__codec_release(&rec, s, NULL);
    }
    free(data);
    snprintf(q, sizeof q, "UPDATE %s SET data = ?1 WHERE rowid = ?2", ed->table);
    if (!strcmp(ed->table, "events")) {
        /* events are append-only: the trigger goes for the edit, as a hand
         * edit by someone who means it would do */
        sql(path, "DROP TRIGGER events_no_update");
    }
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, b.p, (int)b.n, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, rowid);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(b.p);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static const record_edit record_edits[] = {
    {"deadlines", TRIAGE_RECORD_DEADLINE, ed_milestone, 0, "deadline.milestone"},
    {"cases", TRIAGE_RECORD_CASE, ed_stage, 0, "case.stage"},
    {"cases", TRIAGE_RECORD_CASE, ed_urgency, 0, "case.urgency"},
    {"cases", TRIAGE_RECORD_CASE, ed_channel, 0, "case.channel"},
    {"cases", TRIAGE_RECORD_CASE, ed_reason, 0, "case.closing_reason"},
    {"cases", TRIAGE_RECORD_CASE, ed_flags, 0, "case.flags"},
    {"deadlines", TRIAGE_RECORD_DEADLINE, ed_row_case, 0, "deadline.case_id"},
    {"deadlines", TRIAGE_RECORD_DEADLINE, ed_row_intake, 0, "deadline.intake_id"},
    {"intakes", TRIAGE_RECORD_INTAKE, ed_ordinal, 0, "intake.ordinal"},
    {"cases", TRIAGE_RECORD_CASE, NULL, 20, "case"}, /* a damaged byte: the checksum */
    {"cases", TRIAGE_RECORD_CASE, NULL, 1, "case.header"}, /* not a record at all */
    {"events", 0, ed_event_kind, 0, "event.kind"},
    {"events", 0, ed_event_policy, 0, "event.policy_id"},
    {"events", 0, NULL, 30, "event"},
    {"workers", TRIAGE_RECORD_WORKER, ed_served, 0, "worker.served"},
    {"clients", TRIAGE_RECORD_CLIENT, ed_language, 0, "client.language"},
    {"absences", TRIAGE_RECORD_ABSENCE, ed_absence, 0, "absence.end"},
};

static void test_sqlite_edited_rows_are_corrupt(void **state)
{
    (void)state;
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(record_edits); i++) {
        char path[128], name[32];
        snprintf(name, sizeof name, "edited-%zu.db", i);
        path_of(path, sizeof path, name);
        make_db(path);
        edit_record(path, &record_edits[i]);
        sbuf before = read_file(path);
        if (open_and_read(path, NULL) != TRIAGE_ECORRUPT)
            fail_msg("edit %zu (%s): status %d, %s", i, record_edits[i].field, kept.code,
                     kept.message);
        expect_corrupt(record_edits[i].field);
        assert_same(before, read_file(path)); /* reading never writes */
    }
    /* A row removed behind the store's back: the case's client is gone.
     * The tables' foreign keys refuse that when they are on; the page
     * check at open finds it when they were not. */
    char path[128];
    path_of(path, sizeof path, "dangling.db");
    make_db(path);
    sql(path, "PRAGMA foreign_keys = OFF; DELETE FROM clients");
    sbuf before = read_file(path);
    triage_sqlite_options_t o = TRIAGE_SQLITE_OPTIONS_INIT;
    o.check = TRIAGE_SQLITE_CHECK_QUICK;
    triage_store_t s;
    assert_status(triage_store_sqlite(&s, path, &o), TRIAGE_ECORRUPT);
    assert_error_arg("path");
    const char *msg = triage_error_last()->message;
    if (!strstr(msg, "cases") || !strstr(msg, "clients"))
        fail_msg("the message does not name the tables: %s", msg);
    assert_same(before, read_file(path));
}

/* ---- refusals leave the file as it was; modes; quick_check --------------------- */

/* Opening, and reading everything, must fail with `code` and leave every
 * byte of the file as it was, with no journal or WAL left beside it. */
static void expect_untouched(const char *path, const triage_sqlite_options_t *o,
                             triage_status_t code)
{
    sbuf before = read_file(path);
    assert_status(open_and_read(path, o), code);
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
    assert_string_equal(kept.argument, "path");
    assert_non_null(strstr(kept.message, "empty"));
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
        {"PRAGMA user_version = 3", TRIAGE_EVERSION, "newer libtriage"},
        {"PRAGMA user_version = 0", TRIAGE_ECORRUPT, "without a schema version"},
        /* schema 2's tables marked as schema 1: the migration finds no
         * schema-1 tables, and changes nothing */
        {"PRAGMA user_version = 1", TRIAGE_ECORRUPT, "schema 1"},
    };
    char copy[128];
    path_of(copy, sizeof copy, "version-copy.db");
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(cases); i++) {
        copy_file(path, copy);
        sql(copy, cases[i].pragma);
        expect_untouched(copy, NULL, cases[i].code);
        assert_string_equal(kept.argument, "path");
        if (!strstr(kept.message, cases[i].says))
            fail_msg("%s: \"%s\" does not say \"%s\"", cases[i].pragma, kept.message,
                     cases[i].says);
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
    /* A record that fails validation: a worker (the engine loads every
     * worker at open) and the closed case (read on demand). */
    copy_file(path, copy);
    edit_record(copy, &record_edits[14]);
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    expect_corrupt("worker.served");
    copy_file(path, copy);
    edit_record(copy, &record_edits[1]);
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    expect_corrupt("case.stage");
    /* A header whose "version-valid-for" (bytes 92-95) does not match its
     * change counter, a file longer than the header says, and a damaged
     * record: SQLite rewrites such a header at the first commit, even of an
     * empty transaction. The earlier store, which held its write lock for
     * its whole life, committed one to take it at open (found by
     * fuzz_sqlite); this store must still commit nothing before the engine
     * refuses the record. */
    copy_file(path, copy);
    edit_record(copy, &record_edits[14]);
    sbuf h = read_file(copy);
    memset(h.buf + 92, 0, 4);
    char page[4096] = {0};
    sb_add(&h, page, sizeof page);
    write_file(copy, h.buf, h.len);
    free(h.buf);
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    /* A dropped table (the store's own read-only check). */
    copy_file(path, copy);
    sql(copy, "DROP TABLE absences");
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    copy_file(path, copy);
    sql(copy, "DROP TABLE meta");
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    copy_file(path, copy);
    sql(copy, "ALTER TABLE cases DROP COLUMN \"children\"");
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    /* Another application's file, a newer schema. */
    copy_file(path, copy);
    sql(copy, "PRAGMA application_id = 7");
    expect_untouched(copy, NULL, TRIAGE_ECONFLICT);
    copy_file(path, copy);
    sql(copy, "PRAGMA user_version = 9");
    expect_untouched(copy, NULL, TRIAGE_EVERSION);
    /* Garbage pages after the schema: refused, unchanged (the engine finds
     * it; with quick_check the store itself). */
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
    assert_ok(open_and_read(copy, NULL));
    before = read_file(path);
    sbuf after = read_file(copy);
    assert_int_equal(after.buf[18], 1); /* header: file format 1 = rollback journal */
    assert_same(before, after);
    triage_engine_t *e = open_sqlite(copy);
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
    char path[128], wal[160], shm[160], journal[160];
    path_of(path, sizeof path, "mode.db");
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    snprintf(journal, sizeof journal, "%s-journal", path);
    triage_engine_t *e = open_sqlite(path);
    assert_non_null(e);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    assert_int_equal(mode_of(path), 0600);
    assert_true(exists(wal)); /* while the engine is open */
    assert_int_equal(mode_of(wal), 0600);
    assert_int_equal(mode_of(shm), 0600);
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

/* Random single-bit flips of a sound file: every open and every read either
 * succeeds or is refused with a status of damage (never a crash, never
 * ESTORE for damage), and the file is byte-identical afterwards (reading
 * never writes). */
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
        triage_status_t rc = open_and_read(copy, &o);
        if (rc == TRIAGE_OK) {
            opened++;
        } else {
            refused++;
            if (rc != TRIAGE_ECORRUPT && rc != TRIAGE_ECONFLICT && rc != TRIAGE_EVERSION)
                fail_msg("flip %d at %zu: status %d (%s) [%s]", i, at, rc, kept.message, kept.argument);
        }
        assert_same(b, read_file(copy));
    }
    free(good.buf);
    assert_int_equal(refused + opened, 300);
    print_message("bit flips: %d refused, %d opened\n", refused, opened);
}

/* ---- several engines and processes on one file ------------------------------------- */

static size_t count_of(triage_engine_t *e, int what)
{
    triage_id_t *ids;
    size_t n;
    if (what == 0)
        assert_ok(triage_client_list(&ids, &n, e));
    else
        assert_ok(triage_case_list(&ids, &n, e, NULL));
    triage_free(ids);
    return n;
}

static triage_engine_stats_t stats_of(triage_engine_t *e)
{
    triage_engine_stats_t st;
    st.version = TRIAGE_ENGINE_STATS_VERSION;
    assert_ok(triage_engine_stats(&st, e));
    return st;
}

/* The event sequence is gap-free: 1 .. n. */
static void expect_gap_free(triage_engine_t *e)
{
    triage_event_t *evs;
    size_t n;
    assert_ok(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX));
    for (size_t i = 0; i < n; i++)
        assert_int_equal(evs[i].seq, (int64_t)i + 1);
    triage_free(evs);
}

/* Two engines, two store handles, one file: each sees the other's work on
 * its next call; a second process opens and writes while they are open. */
static void test_sqlite_two_engines_on_one_file(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "two.db");
    triage_engine_t *a = open_sqlite(path);
    assert_non_null(a);
    sc_new_client(a);
    triage_engine_t *b = open_sqlite(path); /* no lock is held between calls */
    assert_non_null(b);
    assert_int_equal(count_of(b, 0), 1);
    sc_new_client(b);
    assert_int_equal(count_of(a, 0), 2);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        triage_engine_t *c = open_sqlite(path);
        triage_client_t cl = TRIAGE_CLIENT_INIT;
        triage_id_t id;
        _exit(c && triage_client_create(&id, c, &cl) == TRIAGE_OK ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(count_of(a, 0), 3);
    assert_int_equal(count_of(b, 0), 3);
    sc_new_client(a);
    assert_int_equal(count_of(b, 0), 4);
    expect_gap_free(b);
    triage_engine_free(a);
    triage_engine_free(b);
}

/* Intakes and assignments interleaved between two engines: each call
 * works on the other's latest state. */
static void test_sqlite_interleaved_intakes_and_assignments(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "interleave.db");
    triage_engine_t *e[2] = {open_sqlite(path), open_sqlite(path)};
    assert_non_null(e[0]);
    assert_non_null(e[1]);
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = TRIAGE_ROLE_SOCIAL_WORKER;
    triage_id_t sw[2];
    assert_ok(triage_worker_create(&sw[0], e[0], &w));
    assert_ok(triage_worker_create(&sw[1], e[1], &w));
    triage_id_t cases[8];
    for (int i = 0; i < 8; i++) {
        triage_engine_t *x = e[i % 2], *y = e[(i + 1) % 2];
        triage_id_t client = sc_new_client(x);
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = client;
        in.kind = TRIAGE_INTAKE_NOTIFICATION;
        in.received_ms = SC_T0 + i * SC_HOUR;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        assert_ok(triage_intake(&r, x, &in));
        cases[i] = r.case_id;
        /* the other engine assigns the case the first one just opened, with
         * the worker the first one created */
        assert_ok(triage_case_set_worker(y, &r.case_id, NULL, in.received_ms + 1000,
                                         TRIAGE_SLOT_RESPONSIBLE, &sw[i % 2]));
        /* and the first one sees it: the client's active case, the worker */
        triage_case_t c;
        c.version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&c, x, &r.case_id));
        assert_memory_equal(&c.responsible, &sw[i % 2], sizeof c.responsible);
        triage_client_t cl;
        cl.version = TRIAGE_CLIENT_VERSION;
        assert_ok(triage_client_get(&cl, x, &client));
        assert_memory_equal(&cl.responsible_worker, &sw[i % 2], sizeof cl.responsible_worker);
        /* a second intake through the other engine joins the active case */
        in.kind = TRIAGE_INTAKE_CONTACT;
        in.received_ms += 2000;
        assert_ok(triage_intake(&r, y, &in));
        assert_memory_equal(&r.case_id, &cases[i], sizeof r.case_id);
    }
    for (int k = 0; k < 2; k++) {
        assert_int_equal(count_of(e[k], 1), 8);
        assert_int_equal(count_of(e[k], 0), 8);
        for (int i = 0; i < 8; i++) {
            triage_case_t c;
            c.version = TRIAGE_CASE_VERSION;
            assert_ok(triage_case_get(&c, e[k], &cases[i]));
            assert_int_equal(c.intake_count, 2);
        }
        expect_gap_free(e[k]);
        triage_engine_stats_t st = stats_of(e[k]);
        assert_true(st.refreshes >= 8);
        assert_int_equal(st.races, 0); /* one thread: nobody raced */
        assert_int_equal(st.resident, 0);
    }
    triage_engine_free(e[0]);
    triage_engine_free(e[1]);
}

/*
 * A race made to happen: engine B's call builds its change (its id source
 * runs then, after the call's refresh) while engine A commits. B's commit
 * then finds A's sequence number taken, and the call runs again on fresh
 * data.
 */
typedef struct {
    triage_engine_t *other; /* commits inside the hook */
    triage_id_t case_id, worker;
    int fire;               /* times left to interfere */
    int fired;
    int64_t at_ms;
} race_hook;

static void racing_id(void *ud, triage_id_t *out)
{
    race_hook *h = ud;
    if (h->fire > 0) {
        h->fire--;
        h->fired++;
        /* A: the client's existing case gets its responsible worker (so the
         * client has an active case from now on) */
        h->at_ms += 1000;
        triage_id_t none = {{0}};
        triage_status_t rc = triage_case_set_worker(h->other, &h->case_id, NULL, h->at_ms,
                                                    TRIAGE_SLOT_RESPONSIBLE,
                                                    h->fired % 2 ? &h->worker : &none);
        if (rc)
            fail_msg("the racing commit failed: %s", triage_error_last()->message);
    }
    triage_id_generate(out);
}

typedef struct {
    triage_engine_t *a, *b;
    race_hook hook;
    triage_id_t client;
} race_setup;

static void setup_race(race_setup *r, const char *name, int32_t retries, int fire)
{
    char path[128];
    path_of(path, sizeof path, name);
    memset(r, 0, sizeof *r);
    r->a = open_sqlite(path);
    assert_non_null(r->a);
    triage_worker_t w = TRIAGE_WORKER_INIT;
    w.role = TRIAGE_ROLE_SOCIAL_WORKER;
    assert_ok(triage_worker_create(&r->hook.worker, r->a, &w));
    r->client = sc_new_client(r->a);
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = r->client;
    in.received_ms = SC_T0;
    triage_intake_result_t res;
    res.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&res, r->a, &in));
    r->hook.case_id = res.case_id;
    r->hook.other = r->a;
    r->hook.at_ms = SC_T0 + SC_HOUR;
    triage_engine_options_t o = engine_options();
    o.generate_id = racing_id;
    o.id_userdata = &r->hook;
    o.retries = retries;
    r->b = open_with(path, NULL, &o);
    assert_non_null(r->b);
    r->hook.fire = fire;
}

static void test_sqlite_race_is_retried(void **state)
{
    (void)state;
    race_setup r;
    setup_race(&r, "race.db", 3, 1);
    /* B: a second intake for the client. Built first on the state without
     * an active case (a new case); A meanwhile gives the existing case its
     * responsible worker; B's commit loses, and the call, run again on
     * fresh data, attaches the intake to the now active case. */
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = r.client;
    in.kind = TRIAGE_INTAKE_CONTACT;
    in.received_ms = SC_T0 + 2 * SC_HOUR;
    triage_intake_result_t res;
    res.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_ok(triage_intake(&res, r.b, &in));
    assert_int_equal(r.hook.fired, 1);
    assert_memory_equal(&res.case_id, &r.hook.case_id, sizeof res.case_id);
    triage_engine_stats_t st = stats_of(r.b);
    assert_int_equal(st.races, 1);
    assert_int_equal(st.conflicts, 0);
    assert_true(st.refreshes >= 1);
    /* both engines agree: one case with two intakes, every event once */
    for (int k = 0; k < 2; k++) {
        triage_engine_t *x = k ? r.b : r.a;
        assert_int_equal(count_of(x, 1), 1);
        triage_case_t c;
        c.version = TRIAGE_CASE_VERSION;
        assert_ok(triage_case_get(&c, x, &r.hook.case_id));
        assert_int_equal(c.intake_count, 2);
        assert_memory_equal(&c.responsible, &r.hook.worker, sizeof c.responsible);
        expect_gap_free(x);
    }
    triage_engine_free(r.a);
    triage_engine_free(r.b);
}

static void test_sqlite_race_retries_exhausted(void **state)
{
    (void)state;
    race_setup r;
    setup_race(&r, "race-exhausted.db", 0, 100);
    triage_event_t *evs;
    size_t before;
    assert_ok(test_event_list(&evs, &before, r.a, NULL, INT64_MIN, INT64_MAX));
    triage_free(evs);
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = r.client;
    in.received_ms = SC_T0 + 2 * SC_HOUR;
    triage_intake_result_t res;
    res.version = TRIAGE_INTAKE_RESULT_VERSION;
    assert_status(triage_intake(&res, r.b, &in), TRIAGE_ECONFLICT);
    /* the error names the record kind the race was lost for: A's assignment
     * changed the client B's intake writes too (records are written before
     * the events, so a changed record is found first) */
    assert_error_arg("client");
    const char *msg = triage_error_last()->message;
    if (!strstr(msg, "another engine changed the same client"))
        fail_msg("message: %s", msg);
    triage_engine_stats_t st = stats_of(r.b);
    assert_int_equal(st.races, 1);
    assert_int_equal(st.conflicts, 1);
    /* nothing of B's is stored: only A's racing commit */
    size_t after;
    assert_ok(test_event_list(&evs, &after, r.a, NULL, INT64_MIN, INT64_MAX));
    assert_true(r.hook.fired >= 1);
    assert_int_equal(after, before + (size_t)r.hook.fired);
    for (size_t i = before; i < after; i++)
        assert_int_equal(evs[i].kind, TRIAGE_EVENT_WORKER_ASSIGNED);
    triage_free(evs);
    assert_int_equal(count_of(r.a, 1), 1);
    expect_gap_free(r.b);
    triage_engine_free(r.a);
    triage_engine_free(r.b);
}

/* A writer that waits past the busy timeout gets ESTORE with SQLite's
 * SQLITE_BUSY as the cause; reads go on meanwhile, and the write works once
 * the lock is free. The default timeout waits for a short lock. */
static void test_sqlite_busy_timeout(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "busy.db");
    triage_sqlite_options_t so = TRIAGE_SQLITE_OPTIONS_INIT;
    assert_int_equal(so.busy_timeout_ms, 5000);
    so.busy_timeout_ms = 50;
    triage_engine_t *e = open_with(path, &so, NULL);
    assert_non_null(e);
    sc_new_client(e);
    sqlite3 *other;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t id;
    assert_status(triage_client_create(&id, e, &c), TRIAGE_ESTORE);
    const triage_error_t *le = triage_error_last();
    assert_int_equal(le->cause & 0xff, SQLITE_BUSY);
    assert_string_equal(le->argument, "begin");
    assert_non_null(strstr(le->message, "busy timeout"));
    assert_int_equal(count_of(e, 0), 1); /* reads are not blocked */
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(other), SQLITE_OK);
    assert_ok(triage_client_create(&id, e, &c));
    assert_int_equal(count_of(e, 0), 2);
    triage_engine_free(e);
    /* the default: another process holds the lock for a moment, then lets go */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        sqlite3 *db;
        if (sqlite3_open(path, &db) || sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
            _exit(1);
        char ready = 1;
        if (write(fds[1], &ready, 1) != 1)
            _exit(2);
        usleep(200 * 1000);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(db);
        _exit(0);
    }
    close(fds[1]);
    char ready;
    assert_int_equal(read(fds[0], &ready, 1), 1);
    close(fds[0]);
    e = open_sqlite(path);
    assert_non_null(e);
    assert_ok(triage_client_create(&id, e, &c)); /* waited, then wrote */
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(count_of(e, 0), 3);
    triage_engine_free(e);
}

/*
 * A forked child writes while the parent reads the same file. In lock step
 * first (after each commit of the child the parent must see exactly that
 * much), then freely (the parent keeps reading while the child writes as
 * fast as it can): every read the parent makes succeeds and sees a prefix.
 */
static void fork_writer(const char *path, int to_parent, int from_parent, int lockstep, int free_run)
{
    triage_engine_t *e = open_sqlite(path);
    if (!e)
        _exit(3);
    for (int k = 1; k <= lockstep + free_run; k++) {
        triage_client_t c = TRIAGE_CLIENT_INIT;
        triage_id_t cl;
        if (triage_client_create(&cl, e, &c))
            _exit(4);
        triage_intake_t in = TRIAGE_INTAKE_INIT;
        in.client = cl;
        in.received_ms = SC_T0 + (int64_t)k * 60000;
        triage_intake_result_t r;
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
        if (triage_intake(&r, e, &in))
            _exit(5);
        if (k <= lockstep) {
            char ack;
            if (write(to_parent, &k, sizeof k) != (ssize_t)sizeof k ||
                read(from_parent, &ack, 1) != 1)
                _exit(6);
        }
    }
    triage_engine_free(e);
    _exit(0);
}

static void test_sqlite_forked_writer_parent_reads(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "forked.db");
    triage_engine_t *e = open_sqlite(path); /* the reader, open before the child */
    assert_non_null(e);
    assert_int_equal(count_of(e, 1), 0);
    int up[2], down[2];
    assert_int_equal(pipe(up), 0);
    assert_int_equal(pipe(down), 0);
    enum { LOCKSTEP = 10, FREE_RUN = 30 };
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(up[0]);
        close(down[1]);
        fork_writer(path, up[1], down[0], LOCKSTEP, FREE_RUN);
    }
    close(up[1]);
    close(down[0]);
    for (int k = 1; k <= LOCKSTEP; k++) {
        int got;
        assert_int_equal(read(up[0], &got, sizeof got), (ssize_t)sizeof got);
        assert_int_equal(got, k);
        assert_int_equal(count_of(e, 1), (size_t)k);
        assert_int_equal(count_of(e, 0), (size_t)k);
        char ack = 1;
        assert_int_equal(write(down[1], &ack, 1), 1);
    }
    /* free running: reads while the child writes */
    size_t last = LOCKSTEP;
    int status = 0, reads = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        size_t n = count_of(e, 1);
        assert_true(n >= last && n <= LOCKSTEP + FREE_RUN);
        last = n;
        reads++;
        if (done == pid)
            break;
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    close(up[0]);
    close(down[1]);
    assert_int_equal(count_of(e, 1), LOCKSTEP + FREE_RUN);
    assert_ok(read_all(e));
    expect_gap_free(e);
    triage_engine_stats_t st = stats_of(e);
    assert_true(st.refreshes >= LOCKSTEP);
    print_message("forked writer: %d reads while it wrote\n", reads);
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
        r.version = TRIAGE_INTAKE_RESULT_VERSION;
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

/* Reads the child's reports of committed cases into `reported` until
 * `want` more have come or the pipe closed; 0, or -1 after 120 s without
 * a report (a child that hangs). */
static int read_reports(int fd, triage_id_t **reported, size_t *total, size_t want)
{
    size_t got = 0;
    while (got < want) {
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, 120000);
        if (r == 0)
            return -1;
        if (r < 0)
            continue; /* EINTR */
        triage_id_t id;
        ssize_t n = read(fd, &id, sizeof id);
        if (n != (ssize_t)sizeof id)
            return 0; /* closed: the child ended */
        *reported = realloc(*reported, (*total + 1) * sizeof **reported);
        assert_non_null(*reported);
        (*reported)[(*total)++] = id;
        got++;
    }
    return 0;
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
        /* The kill falls after a random number of commits (0-7: 0 kills
         * the opening or the first commit) plus a random 0-20 ms, so it
         * lands at a different point of the work however slow the machine
         * (a delay alone fell before the first commit on a loaded one). */
        seed = seed * 1103515245u + 12345u;
        size_t commits = (seed >> 16) % 8;
        seed = seed * 1103515245u + 12345u;
        useconds_t delay = (seed >> 8) % 20000;
        if (read_reports(fds[0], &reported, &total_reported, commits))
            fail_msg("run %d: no commit reported for 120 s", runs);
        usleep(delay);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        read_reports(fds[0], &reported, &total_reported, SIZE_MAX);
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
            c.version = TRIAGE_CASE_VERSION;
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
        expect_gap_free(e);
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
     * numbers of cases committed between kills vary (at least the 0-7
     * waited for), and the file grew. */
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

/* ---- migration of a schema-1 file (libtriage 0.1) ----------------------------------- */

/* A copy of the fixture (tests/fixtures/README.md), nothing beside it. */
static void fixture_copy(const char *path)
{
    copy_file(FIXTURE_DB, path);
    char side[160];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static int has_table(const char *path, const char *name)
{
    char q[160];
    snprintf(q, sizeof q, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
             name);
    return sql_int(path, q) == 1;
}

/* The report 0.1 printed for the fixture, without trailing white space. */
static sbuf expected_report(void)
{
    sbuf b = read_file(FIXTURE_REPORT);
    while (b.len && (b.buf[b.len - 1] == '\n' || b.buf[b.len - 1] == ' '))
        b.len--;
    return b;
}

static sbuf report_of(triage_engine_t *e)
{
    /* the fixture's period: January 2025, Finnish time */
    triage_report_t *r;
    assert_ok(triage_report_new(&r, e, INT64_C(1735682400000), INT64_C(1738360800000)));
    char *json;
    assert_ok(triage_report_write_json(&json, r));
    triage_report_free(r);
    sbuf b = {0};
    size_t n = strlen(json);
    while (n && (json[n - 1] == '\n' || json[n - 1] == ' '))
        n--;
    sb_add(&b, json, n);
    triage_free(json);
    return b;
}

static void test_sqlite_migrates_schema1_fixture(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "fixture.db");
    fixture_copy(path);
    assert_int_equal(sql_int(path, "PRAGMA user_version"), 1);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM cases"), 115);
    /* 0.1's order of insertion, to compare with the creation numbers */
    char first_v1[40], last_v1[40];
    sql_text(first_v1, sizeof first_v1, path, "SELECT lower(hex(id)) FROM client ORDER BY ord");
    sql_text(last_v1, sizeof last_v1, path,
             "SELECT lower(hex(id)) FROM cases ORDER BY ord DESC LIMIT 1");

    triage_engine_t *e = open_sqlite(path);
    if (!e)
        fail_msg("the fixture did not open: %s", triage_error_last()->message);
    /* the engine's public data: the report of the migrated file */
    assert_same(expected_report(), report_of(e));
    assert_int_equal(count_of(e, 1), 115);
    assert_int_equal(count_of(e, 0), 97);
    assert_ok(read_all(e));
    expect_gap_free(e);
    triage_engine_free(e);

    /* schema 2 and nothing of schema 1 */
    assert_int_equal(sql_int(path, "PRAGMA user_version"), 2);
    assert_int_equal(sql_int(path, "PRAGMA application_id"), 0x54524941);
    static const char *const tables[] = {"meta",    "clients",   "cases",    "workers", "absences",
                                         "intakes", "deadlines", "policies", "events"};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(tables); i++)
        if (!has_table(path, tables[i]))
            fail_msg("no table %s", tables[i]);
    static const char *const gone[] = {"client", "worker", "absence", "event", "cases_v1"};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(gone); i++)
        if (has_table(path, gone[i]))
            fail_msg("table %s is still there", gone[i]);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM meta WHERE \"key\" = 'migrated_from'"
                                   " AND \"value\" = '1'"),
                     1);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM cases"), 115);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM intakes"), 115);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM clients"), 97);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM workers"), 11);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM absences"), 6);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM events"), 922);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM deadlines WHERE \"case_id\" NOT IN"
                                   " (SELECT id FROM cases)"),
                     0);
    /* revisions: the last sequence number; creation numbers keep 0.1's order */
    assert_int_equal(sql_int(path, "SELECT min(revision) = 922 AND max(revision) = 922 FROM"
                                   " (SELECT revision FROM clients UNION ALL SELECT revision"
                                   " FROM cases UNION ALL SELECT revision FROM deadlines)"),
                     1);
    char first[40], last[40];
    sql_text(first, sizeof first, path,
             "SELECT replace(id, '-', '') FROM clients ORDER BY created LIMIT 1");
    sql_text(last, sizeof last, path,
             "SELECT replace(id, '-', '') FROM cases ORDER BY created DESC LIMIT 1");
    assert_string_equal(first, first_v1);
    assert_string_equal(last, last_v1);
    assert_int_equal(sql_int(path, "SELECT max(created) < 0 FROM clients"), 1);
    /* a case's arrival events name its intake */
    assert_int_equal(sql_int(path, "SELECT count(*) FROM events e JOIN intakes i ON"
                                   " i.id = e.\"intake\" AND i.\"case_id\" = e.\"case_id\""
                                   " WHERE e.\"kind\" = 1"),
                     115);
    assert_int_equal(sql_int(path, "PRAGMA foreign_key_check"), -1); /* no row */

    /* opened again, it is not migrated again: a reader changes no byte */
    sbuf before = read_file(path);
    e = open_sqlite(path);
    assert_non_null(e);
    assert_same(expected_report(), report_of(e));
    triage_engine_free(e);
    assert_same(before, read_file(path));
    /* and it goes on: the next event follows the migrated ones, and a
     * migrated record is updated at the revision it was migrated with */
    e = open_sqlite(path);
    assert_non_null(e);
    sc_new_client(e);
    expect_gap_free(e);
    assert_int_equal(stats_of(e).last_seq, 923);
    triage_id_t *ids;
    size_t n;
    assert_ok(triage_client_list(&ids, &n, e));
    triage_client_t cl;
    cl.version = TRIAGE_CLIENT_VERSION;
    assert_ok(triage_client_get(&cl, e, &ids[0])); /* the first, a migrated one */
    triage_free(ids);
    cl.municipality = 749;
    assert_ok(triage_client_update(e, &cl));
    triage_engine_free(e);
    char id[37], q[160];
    triage_id_format(id, sizeof id, &cl.id);
    snprintf(q, sizeof q, "SELECT revision FROM clients WHERE id = '%s' AND \"municipality\" = 749",
             id);
    assert_int_equal(sql_int(path, q), 924);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM meta WHERE \"key\" = 'migrated_from'"),
                     1);
}

/* A migration that fails (a damaged schema-1 record, a dangling one) is
 * rolled back: the file keeps every byte, in either journal mode. */
static void test_sqlite_failed_migration_leaves_file(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "fixture-damaged.db");
    static const struct {
        const char *damage;
        const char *field;
    } cases[] = {
        /* the stage of 0.1's first case struct set to 99 (no checksum in
         * schema 1: the field check finds it) */
        {"UPDATE cases SET data = CAST(substr(data, 1, 72) || x'63000000' || substr(data, 77)"
         " AS BLOB) WHERE ord = (SELECT min(ord) FROM cases)",
         "case.stage"},
        /* an event's kind set to 0 */
        {"UPDATE event SET data = CAST(substr(data, 1, 64) || x'00000000' || substr(data, 69)"
         " AS BLOB) WHERE seq = 5",
         "event.kind"},
        /* a client deleted: its cases' owner is gone */
        {"DELETE FROM client WHERE id = (SELECT client FROM cases LIMIT 1)", "path"},
        /* a table of schema 1 missing */
        {"DROP TABLE absence", "path"},
    };
    for (int mode = 0; mode < 2; mode++) {
        for (size_t i = 0; i < TRIAGE__ARRAY_LEN(cases); i++) {
            fixture_copy(path);
            sql(path, "DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;");
            if (mode)
                sql(path, "PRAGMA journal_mode = DELETE");
            sql(path, cases[i].damage);
            sbuf before = read_file(path);
            triage_status_t rc = open_and_read(path, NULL);
            if (rc != TRIAGE_ECORRUPT)
                fail_msg("damage %zu: status %d (%s)", i, rc, kept.message);
            assert_string_equal(kept.argument, cases[i].field);
            assert_same(before, read_file(path));
            char side[160];
            snprintf(side, sizeof side, "%s-journal", path);
            assert_false(exists(side));
            snprintf(side, sizeof side, "%s-wal", path);
            assert_false(exists(side));
            assert_int_equal(sql_int(path, "PRAGMA user_version"), 1);
        }
    }
}

/* Two processes open the same schema-1 file at once: one migrates, the
 * other waits for it and finds the work done. */
static void test_sqlite_concurrent_migration(void **state)
{
    (void)state;
    char path[128];
    path_of(path, sizeof path, "fixture-twice.db");
    fixture_copy(path);
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(go[1]);
        char c;
        if (read(go[0], &c, 1) != 1)
            _exit(2);
        triage_engine_t *e = open_sqlite(path);
        if (!e)
            _exit(3);
        triage_id_t *ids;
        size_t n;
        int ok = triage_case_list(&ids, &n, e, NULL) == TRIAGE_OK && n == 115;
        triage_free(ids);
        triage_engine_free(e);
        _exit(ok ? 0 : 4);
    }
    close(go[0]);
    char c = 1;
    assert_int_equal(write(go[1], &c, 1), 1);
    close(go[1]);
    triage_engine_t *e = open_sqlite(path);
    if (!e)
        fail_msg("open: %s", triage_error_last()->message);
    assert_int_equal(count_of(e, 1), 115);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(count_of(e, 1), 115);
    triage_engine_free(e);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM cases"), 115);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM events"), 922);
    assert_int_equal(sql_int(path, "SELECT count(*) FROM meta WHERE \"key\" = 'migrated_from'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_round_trip),
        cmocka_unit_test(test_same_results_memory_and_sqlite),
        cmocka_unit_test(test_sqlite_typed_columns),
        cmocka_unit_test(test_sqlite_store_semantics),
        cmocka_unit_test(test_rebased_semantics),
        cmocka_unit_test(test_sqlite_refuses_foreign_files),
        cmocka_unit_test(test_sqlite_edited_rows_are_corrupt),
        cmocka_unit_test(test_sqlite_empty_file_without_create),
        cmocka_unit_test(test_sqlite_bad_schema_versions),
        cmocka_unit_test(test_sqlite_refused_file_is_never_modified),
        cmocka_unit_test(test_sqlite_file_modes),
        cmocka_unit_test(test_sqlite_bit_flips),
        cmocka_unit_test(test_sqlite_two_engines_on_one_file),
        cmocka_unit_test(test_sqlite_interleaved_intakes_and_assignments),
        cmocka_unit_test(test_sqlite_race_is_retried),
        cmocka_unit_test(test_sqlite_race_retries_exhausted),
        cmocka_unit_test(test_sqlite_busy_timeout),
        cmocka_unit_test(test_sqlite_forked_writer_parent_reads),
        cmocka_unit_test(test_crash_sigkill),
        cmocka_unit_test(test_sqlite_migrates_schema1_fixture),
        cmocka_unit_test(test_sqlite_failed_migration_leaves_file),
        cmocka_unit_test(test_sqlite_concurrent_migration),
    };
    return cmocka_run_group_tests_name("sqlite", tests, make_tmpdir, remove_tmpdir);
}
