/*
 * The SQLite store (docs/storage.md): round trips, the same results as the
 * memory store, refusal of foreign, corrupt, newer and damaged databases
 * without modifying them, file modes, locking and crashes.
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

/*
 * One edit of a stored record: the blob is decoded, one field is set out of
 * its range (or the bytes are damaged), and it is encoded again with a
 * valid checksum, so the engine's field checks (not the checksum) must
 * catch it; `raw` edits damage the encoded bytes themselves.
 */
typedef struct {
    const char *table; /* the SQLite table */
    int kind;          /* TRIAGE__T_* of the record, or -1 for an event */
    void (*edit)(void *rec);
    size_t raw_off;    /* raw edits: flip the byte at this offset (0: none) */
    const char *field; /* what the error must name */
} record_edit;

static void ed_milestone(void *r) { ((triage__case *)r)->deadlines[0].milestone = 200; }
static void ed_stage(void *r) { ((triage__case *)r)->stage = 99; }
static void ed_urgency(void *r) { ((triage__case *)r)->urgency = 77; }
static void ed_channel(void *r) { ((triage__case *)r)->channel = 1000; }
static void ed_reason(void *r) { ((triage__case *)r)->closing_reason = 99; }
static void ed_flags(void *r) { ((triage__case *)r)->flags = 0x10000; }
static void ed_row_case(void *r) { ((triage__case *)r)->deadlines[0].case_id.bytes[0] ^= 1; }
static void ed_row_intake(void *r) { ((triage__case *)r)->deadlines[0].intake_id.bytes[0] ^= 1; }
static void ed_language(void *r) { ((triage__client *)r)->language = 9; }
static void ed_served(void *r)
{
    triage__worker *w = r;
    static int32_t twice[2] = {297, 297};
    w->served = twice; /* re-encoded only: never freed */
    w->nserved = 2;
}
static void ed_absence(void *r) { ((triage__absence *)r)->end = ((triage__absence *)r)->start - 1; }
static void ed_event_kind(void *r) { ((triage_event_t *)r)->kind = 0; }
static void ed_event_policy(void *r) { ((triage_event_t *)r)->policy_id[0] = '\t'; }

/* The blob of `rowid` in `table` (0: the first row), re-encoded through `ed`. */
static void edit_record(const char *path, const record_edit *ed)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char sql[128];
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "SELECT rowid, data FROM %s ORDER BY rowid LIMIT 1", ed->table);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
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
    } else if (ed->kind < 0 && len == sizeof(triage_event_t)) {
        /* a store that keeps events as the struct it was handed */
        triage_event_t ev;
        memcpy(&ev, data, sizeof ev);
        ed->edit(&ev);
        b.p = malloc(sizeof ev);
        memcpy(b.p, &ev, sizeof ev);
        b.n = sizeof ev;
    } else if (ed->kind < 0) {
        triage_event_t ev;
        assert_ok(triage__event_decode(&ev, data, len));
        ed->edit(&ev);
        assert_ok(triage__event_encode(&b, &ev));
    } else {
        union {
            triage__client client;
            triage__case c;
            triage__worker worker;
            triage__absence absence;
        } rec;
        assert_ok(triage__record_decode(&rec, ed->kind, data, len, NULL));
        if (ed->kind == TRIAGE__T_CASE)
            assert_true(rec.c.ndeadlines > 0);
        void *keep = ed->kind == TRIAGE__T_WORKER ? rec.worker.served : NULL;
        ed->edit(&rec);
        assert_ok(triage__record_encode(&b, ed->kind, &rec, 1));
        if (ed->kind == TRIAGE__T_WORKER)
            rec.worker.served = keep;
        if (ed->kind == TRIAGE__T_CASE)
            triage__case_release(NULL, &rec.c);
        else if (ed->kind == TRIAGE__T_CLIENT)
            triage__client_release(NULL, &rec.client);
        else if (ed->kind == TRIAGE__T_WORKER)
            triage__worker_release(NULL, &rec.worker);
    }
    free(data);
    if (b.n == len) {
        /* incremental blob I/O: rewrites the bytes in place, as a disk
         * error or a hand edit would (no trigger runs) */
        sqlite3_blob *blob;
        assert_int_equal(sqlite3_blob_open(db, "main", ed->table, "data", rowid, 1, &blob),
                         SQLITE_OK);
        assert_int_equal(sqlite3_blob_write(blob, b.p, (int)b.n, 0), SQLITE_OK);
        assert_int_equal(sqlite3_blob_close(blob), SQLITE_OK);
    } else {
        snprintf(sql, sizeof sql, "UPDATE %s SET data = ? WHERE rowid = ?", ed->table);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        sqlite3_bind_blob(st, 1, b.p, (int)b.n, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, rowid);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    free(b.p);
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

static const record_edit record_edits[] = {
    {"cases", TRIAGE__T_CASE, ed_milestone, 0, "deadline.milestone"},
    {"cases", TRIAGE__T_CASE, ed_stage, 0, "case.stage"},
    {"cases", TRIAGE__T_CASE, ed_urgency, 0, "case.urgency"},
    {"cases", TRIAGE__T_CASE, ed_channel, 0, "case.channel"},
    {"cases", TRIAGE__T_CASE, ed_reason, 0, "case.closing_reason"},
    {"cases", TRIAGE__T_CASE, ed_flags, 0, "case.flags"},
    {"cases", TRIAGE__T_CASE, ed_row_case, 0, "deadline.case_id"},
    {"cases", TRIAGE__T_CASE, ed_row_intake, 0, "deadline.intake_id"},
    {"cases", TRIAGE__T_CASE, NULL, 20, "case"}, /* a damaged byte: the checksum */
    {"cases", TRIAGE__T_CASE, NULL, 1, "case.header"}, /* not a record at all */
    {"event", -1, ed_event_kind, 0, "event.kind"},
    {"event", -1, ed_event_policy, 0, "event.policy_id"},
    {"worker", TRIAGE__T_WORKER, ed_served, 0, "worker.served"},
    {"client", TRIAGE__T_CLIENT, ed_language, 0, "client.language"},
    {"absence", TRIAGE__T_ABSENCE, ed_absence, 0, "absence.end"},
};

static void test_sqlite_edited_rows_are_corrupt(void **state)
{
    (void)state;
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(record_edits); i++) {
        char path[128], name[32];
        snprintf(name, sizeof name, "edited-%zu.db", i);
        path_of(path, sizeof path, name);
        triage_engine_t *e = open_sqlite(path);
        assert_non_null(e);
        scenario sc;
        run_scenario(e, &sc);
        triage_engine_free(e);
        edit_record(path, &record_edits[i]);
        triage_store_t s;
        assert_ok(triage_store_sqlite(&s, path, NULL));
        e = (triage_engine_t *)&s;
        assert_status(triage_engine_open(&e, NULL, &s), TRIAGE_ECORRUPT);
        assert_ptr_equal(e, (triage_engine_t *)&s);
        expect_corrupt(record_edits[i].field);
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
    edit_record(copy, &record_edits[1]);
    expect_untouched(copy, NULL, TRIAGE_ECORRUPT);
    expect_corrupt("case.stage");
    /* A dropped table (the store's own read-only check). */
    copy_file(path, copy);
    sql(copy, "DROP TABLE absence");
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
        cmocka_unit_test(test_sqlite_round_trip),
        cmocka_unit_test(test_same_results_memory_and_sqlite),
        cmocka_unit_test(test_sqlite_refuses_foreign_files),
        cmocka_unit_test(test_sqlite_edited_rows_are_corrupt),
        cmocka_unit_test(test_sqlite_empty_file_without_create),
        cmocka_unit_test(test_sqlite_bad_schema_versions),
        cmocka_unit_test(test_sqlite_refused_file_is_never_modified),
        cmocka_unit_test(test_sqlite_file_modes),
        cmocka_unit_test(test_sqlite_bit_flips),
        cmocka_unit_test(test_sqlite_locked_by_another_writer),
        cmocka_unit_test(test_crash_sigkill),
    };
    return cmocka_run_group_tests_name("sqlite", tests, make_tmpdir, remove_tmpdir);
}
