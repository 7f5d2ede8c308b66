/*
 * The SQLite store: the embedded default (DOMAIN.md §8).
 *
 * One file, WAL journal, synchronous=FULL: a commit returns only after the
 * WAL is on disk, so every transaction the engine reports as committed
 * survives a crash or power loss (NORMAL would be faster in WAL mode but can
 * lose the last commits on power loss). The store holds the write lock for
 * its whole life (locking_mode=EXCLUSIVE), so a second writer is refused at
 * open instead of failing later. Records are kept as libtriage's encoded
 * blobs beside real columns that carry the domain's constraints (foreign
 * keys, CHECKs); events are append-only (triggers refuse UPDATE/DELETE).
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_internal.h"

#define APPLICATION_ID 0x54524941 /* "TRIA" */

/* Migrations: entry i brings the schema from version i to i + 1. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE client ("
    "  ord INTEGER PRIMARY KEY,"
    "  id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),"
    "  data BLOB NOT NULL CHECK (length(data) > 12));"
    "CREATE TABLE worker ("
    "  ord INTEGER PRIMARY KEY,"
    "  id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),"
    "  role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 3),"
    "  data BLOB NOT NULL CHECK (length(data) > 12));"
    "CREATE TABLE cases ("
    "  ord INTEGER PRIMARY KEY,"
    "  id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),"
    "  client BLOB NOT NULL REFERENCES client(id) DEFERRABLE INITIALLY DEFERRED,"
    "  stage INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 8),"
    "  closing_reason INTEGER NOT NULL CHECK (closing_reason BETWEEN 0 AND 8),"
    "  received INTEGER NOT NULL,"
    "  data BLOB NOT NULL CHECK (length(data) > 12),"
    "  CHECK ((stage = 8) = (closing_reason <> 0)));" /* closed only with a reason (SHL 34 §) */
    "CREATE INDEX cases_client ON cases(client);"
    "CREATE TABLE absence ("
    "  ord INTEGER PRIMARY KEY,"
    "  id BLOB NOT NULL UNIQUE CHECK (length(id) = 16),"
    "  worker BLOB NOT NULL REFERENCES worker(id) DEFERRABLE INITIALLY DEFERRED,"
    "  first_day INTEGER NOT NULL,"
    "  last_day INTEGER NOT NULL CHECK (last_day >= first_day),"
    "  data BLOB NOT NULL CHECK (length(data) > 12));"
    "CREATE TABLE event ("
    "  seq INTEGER PRIMARY KEY CHECK (seq > 0),"
    "  at_ms INTEGER NOT NULL,"
    "  case_id BLOB CHECK (case_id IS NULL OR length(case_id) = 16),"
    "  kind INTEGER NOT NULL CHECK (kind > 0),"
    "  data BLOB NOT NULL);"
    "CREATE INDEX event_case ON event(case_id, seq);"
    "CREATE TRIGGER event_no_update BEFORE UPDATE ON event"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TRIGGER event_no_delete BEFORE DELETE ON event"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(SCHEMA_VERSION == TRIAGE_STORE_SCHEMA_VERSION, "schema versions agree");

static const char *const table_of[] = {NULL, "client", "cases", "worker", "absence"};

enum { ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_APPEND, ST_EVENTS, ST_COUNT };
enum { K_PUT, K_GET, K_DEL, K_LIST, K_COUNT };

typedef struct {
    triage_allocator_t alloc;
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    sqlite3_stmt *kst[5][K_COUNT];
    uint32_t schema_at_open;
    int wal_pending; /* journal_mode=WAL still to be set (at the first begin) */
} sq_store;

static int fail_db(sq_store *s, int rc)
{
    triage_store_error_set(sqlite3_errmsg(s->db));
    return rc ? rc : SQLITE_ERROR;
}

/* A read failed: SQLite's corruption codes become TRIAGE_ECORRUPT (the
 * engine then reports damage, not a store failure to retry). */
static int fail_read(sq_store *s, int rc)
{
    int code = rc & 0xff;
    rc = fail_db(s, rc);
    return code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? TRIAGE_ECORRUPT : rc;
}

/* Runs a prepared statement to completion, always leaving it reset. */
static int step_done(sq_store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : fail_db(s, rc);
}

static int set_wal(sq_store *s);

static int sq_begin(void *ud)
{
    sq_store *s = ud;
    if (s->wal_pending) {
        int rc = set_wal(s);
        if (rc)
            return rc;
    }
    return step_done(s, s->st[ST_BEGIN]);
}

static int sq_commit(void *ud)
{
    sq_store *s = ud;
    return step_done(s, s->st[ST_COMMIT]);
}

static int sq_rollback(void *ud)
{
    sq_store *s = ud;
    if (sqlite3_get_autocommit(s->db))
        return 0; /* nothing open (e.g. BEGIN itself failed) */
    return step_done(s, s->st[ST_ROLLBACK]);
}

static int valid_kind(triage_record_kind_t kind)
{
    return kind >= TRIAGE_RECORD_CLIENT && kind <= TRIAGE_RECORD_ABSENCE;
}

static int sq_put(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                  const triage_record_keys_t *k, const void *data, size_t len)
{
    sq_store *s = ud;
    if (!valid_kind(kind) || len > INT32_MAX)
        return SQLITE_MISUSE;
    sqlite3_stmt *st = s->kst[kind][K_PUT];
    sqlite3_bind_blob(st, 1, id->bytes, 16, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, data, (int)len, SQLITE_STATIC);
    switch (kind) {
    case TRIAGE_RECORD_WORKER:
        sqlite3_bind_int(st, 3, k->role);
        break;
    case TRIAGE_RECORD_CASE:
        sqlite3_bind_blob(st, 3, k->owner.bytes, 16, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, k->stage);
        sqlite3_bind_int(st, 5, k->reason);
        sqlite3_bind_int(st, 6, k->date_from);
        break;
    case TRIAGE_RECORD_ABSENCE:
        sqlite3_bind_blob(st, 3, k->owner.bytes, 16, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, k->date_from);
        sqlite3_bind_int(st, 5, k->date_to);
        break;
    default:
        break;
    }
    return step_done(s, st);
}

static int sq_get(void *ud, triage_record_kind_t kind, const triage_id_t *id, void *buf,
                  size_t cap, size_t *len)
{
    sq_store *s = ud;
    if (!valid_kind(kind))
        return SQLITE_MISUSE;
    sqlite3_stmt *st = s->kst[kind][K_GET];
    sqlite3_bind_blob(st, 1, id->bytes, 16, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        memcpy(buf, sqlite3_column_blob(st, 0), n < cap ? n : cap);
        *len = n;
    } else {
        ret = rc == SQLITE_DONE ? TRIAGE_ENOTFOUND : fail_db(s, rc);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return ret;
}

static int sq_del(void *ud, triage_record_kind_t kind, const triage_id_t *id)
{
    sq_store *s = ud;
    if (!valid_kind(kind))
        return SQLITE_MISUSE;
    sqlite3_stmt *st = s->kst[kind][K_DEL];
    sqlite3_bind_blob(st, 1, id->bytes, 16, SQLITE_STATIC);
    int rc = step_done(s, st);
    if (!rc && sqlite3_changes(s->db) == 0)
        return TRIAGE_ENOTFOUND;
    return rc;
}

static int sq_list(void *ud, triage_record_kind_t kind, triage_record_visit_fn visit, void *ctx)
{
    sq_store *s = ud;
    if (!valid_kind(kind))
        return SQLITE_MISUSE;
    sqlite3_stmt *st = s->kst[kind][K_LIST];
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        triage_id_t id;
        if (sqlite3_column_bytes(st, 0) != 16) {
            triage_store_error_set("a stored record's id is not 16 bytes");
            ret = TRIAGE_ECORRUPT;
            break;
        }
        memcpy(id.bytes, sqlite3_column_blob(st, 0), 16);
        ret = visit(ctx, &id, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
        if (ret)
            break;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = fail_read(s, rc);
    sqlite3_reset(st);
    return ret;
}

static int sq_append_event(void *ud, const triage_event_t *ev)
{
    sq_store *s = ud;
    sqlite3_stmt *st = s->st[ST_APPEND];
    sqlite3_bind_int64(st, 1, ev->seq);
    sqlite3_bind_int64(st, 2, ev->at_ms);
    if (triage_id_is_nil(&ev->case_id))
        sqlite3_bind_null(st, 3);
    else
        sqlite3_bind_blob(st, 3, ev->case_id.bytes, 16, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, (int)ev->kind);
    sqlite3_bind_blob(st, 5, ev, (int)sizeof *ev, SQLITE_STATIC);
    return step_done(s, st);
}

static int sq_list_events(void *ud, triage_event_visit_fn visit, void *ctx)
{
    sq_store *s = ud;
    sqlite3_stmt *st = s->st[ST_EVENTS];
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        triage_event_t ev;
        if (sqlite3_column_bytes(st, 0) != (int)sizeof ev) {
            triage_store_error_set("stored event is damaged: not the event size of schema 1");
            ret = TRIAGE_ECORRUPT;
            break;
        }
        memcpy(&ev, sqlite3_column_blob(st, 0), sizeof ev);
        ret = visit(ctx, &ev);
        if (ret)
            break;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = fail_read(s, rc);
    sqlite3_reset(st);
    return ret;
}

static int sq_schema_version(void *ud, uint32_t *out)
{
    sq_store *s = ud;
    *out = s->schema_at_open;
    return 0;
}

static void sq_close(sq_store *s)
{
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    for (int k = 0; k < 5; k++)
        for (int i = 0; i < K_COUNT; i++)
            sqlite3_finalize(s->kst[k][i]);
    sqlite3_close_v2(s->db);
    triage_allocator_t a = s->alloc;
    triage__free(&a, s);
}

static void sq_destroy(void *ud)
{
    sq_store *s = ud;
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sq_close(s);
}

/* ---- opening ---------------------------------------------------------------- */

static triage_status_t db_error(sq_store *s, int rc, const char *what)
{
    int code = rc & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return triage__error_cause(TRIAGE_ECONFLICT, rc, "path",
                                   "the database is locked by another writer");
    if (code == SQLITE_NOTADB)
        return triage__error_cause(TRIAGE_ECONFLICT, rc, "path",
                                   "the file is not a libtriage database");
    if (code == SQLITE_CORRUPT)
        return triage__error_cause(TRIAGE_ECORRUPT, rc, "path", "the database is damaged: %s",
                                   s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    if (code == SQLITE_NOMEM)
        return triage__error(TRIAGE_ENOMEM, NULL, "out of memory in SQLite");
    return triage__error_cause(TRIAGE_ESTORE, rc, "path", "%s: %s", what,
                               s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
}

static int pragma_int(sq_store *s, const char *sql, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int prepare(sq_store *s, sqlite3_stmt **st, const char *sql)
{
    return sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

static int prepare_all(sq_store *s)
{
    static const char *put_sql[] = {
        NULL,
        "INSERT INTO client(id, data) VALUES (?1, ?2)"
        " ON CONFLICT(id) DO UPDATE SET data = excluded.data",
        "INSERT INTO cases(id, data, client, stage, closing_reason, received)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET data = excluded.data,"
        " client = excluded.client, stage = excluded.stage,"
        " closing_reason = excluded.closing_reason, received = excluded.received",
        "INSERT INTO worker(id, data, role) VALUES (?1, ?2, ?3)"
        " ON CONFLICT(id) DO UPDATE SET data = excluded.data, role = excluded.role",
        "INSERT INTO absence(id, data, worker, first_day, last_day) VALUES (?1, ?2, ?3, ?4, ?5)"
        " ON CONFLICT(id) DO UPDATE SET data = excluded.data, worker = excluded.worker,"
        " first_day = excluded.first_day, last_day = excluded.last_day",
    };
    int rc = SQLITE_OK;
    char sql[256];
    for (int k = 1; k <= 4 && !rc; k++) {
        rc = prepare(s, &s->kst[k][K_PUT], put_sql[k]);
        snprintf(sql, sizeof sql, "SELECT data FROM %s WHERE id = ?1", table_of[k]);
        if (!rc)
            rc = prepare(s, &s->kst[k][K_GET], sql);
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ?1", table_of[k]);
        if (!rc)
            rc = prepare(s, &s->kst[k][K_DEL], sql);
        snprintf(sql, sizeof sql, "SELECT id, data FROM %s ORDER BY ord", table_of[k]);
        if (!rc)
            rc = prepare(s, &s->kst[k][K_LIST], sql);
    }
    if (!rc)
        rc = prepare(s, &s->st[ST_BEGIN], "BEGIN IMMEDIATE");
    if (!rc)
        rc = prepare(s, &s->st[ST_COMMIT], "COMMIT");
    if (!rc)
        rc = prepare(s, &s->st[ST_ROLLBACK], "ROLLBACK");
    if (!rc)
        rc = prepare(s, &s->st[ST_APPEND],
                     "INSERT INTO event(seq, at_ms, case_id, kind, data) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!rc)
        rc = prepare(s, &s->st[ST_EVENTS], "SELECT data FROM event ORDER BY seq");
    return rc;
}

/* The persistent part of the set-up: WAL journaling. It writes the file
 * header, so it runs only once every check has passed (for an existing
 * database: at the first write transaction, after the engine has loaded and
 * validated every record). */
static int set_wal(sq_store *s)
{
    int rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (rc)
        return fail_db(s, rc);
    int wal = 0;
    sqlite3_stmt *jm;
    if (!sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &jm, NULL)) {
        if (sqlite3_step(jm) == SQLITE_ROW)
            wal = !strcmp((const char *)sqlite3_column_text(jm, 0), "wal");
        sqlite3_finalize(jm);
    }
    if (!wal) {
        triage_store_error_set("the database cannot use WAL journaling");
        return SQLITE_ERROR;
    }
    s->wal_pending = 0;
    return 0;
}

/* Creates the database file with exactly `mode` (not masked by the umask);
 * SQLite then creates the -wal, -shm and -journal files with the mode of the
 * database file. 1 when created, 0 when it existed already, -1 on error. */
static int create_file(const char *path, mode_t mode)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return errno == EEXIST ? 0 : -1;
    int ok = fchmod(fd, mode) == 0;
    close(fd);
    if (!ok) {
        unlink(path);
        return -1;
    }
    return 1;
}

static triage_status_t corrupt_db(const char *what)
{
    return triage__error(TRIAGE_ECORRUPT, "path", "the database is damaged: %s", what);
}

/* Runs PRAGMA quick_check (or integrity_check): ECORRUPT unless "ok". */
static triage_status_t check_pages(sq_store *s, const char *pragma)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, pragma, -1, &st, NULL);
    if (rc)
        return db_error(s, rc, "cannot check the database");
    rc = sqlite3_step(st);
    int ok = rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(s, rc, "cannot check the database");
    return ok ? TRIAGE_OK : corrupt_db("SQLite's page check failed");
}

static triage_status_t open_db(sq_store *s, const char *path, const triage_sqlite_options_t *o)
{
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (!exists && !o->create)
        return triage__error(TRIAGE_ENOTFOUND, "path", "the database file does not exist");
    if (exists && !S_ISREG(sb.st_mode))
        return triage__error(TRIAGE_EINVAL, "path", "the path is not a regular file");
    /* An empty file is no database: only create = 1 may make it one. */
    if (exists && sb.st_size == 0 && !o->create)
        return corrupt_db("the file is empty");
    if (!exists) {
        int made = create_file(path, o->file_mode ? (mode_t)o->file_mode : 0600);
        if (made < 0)
            return triage__error_cause(TRIAGE_ESTORE, errno, "path", "cannot create the file: %s",
                                       strerror(errno));
        /* made == 0: another process created it first; it is checked as any
         * existing file is. */
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc)
        return db_error(s, rc, "cannot open the database");
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, o->busy_timeout_ms);

    /* 1. Hold the lock for the store's life: a shared lock is taken by the
     *    first read and, with EXCLUSIVE locking mode, kept. Nothing below
     *    writes until every check has passed. */
    rc = sqlite3_exec(s->db, "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL, NULL);
    if (rc)
        return db_error(s, rc, "cannot lock the database");

    /* 2. Read-only checks: is this ours, which schema, is it whole? */
    int app = 0, version = 0, objects = 0;
    rc = pragma_int(s, "PRAGMA application_id", &app);
    if (!rc)
        rc = pragma_int(s, "PRAGMA user_version", &version);
    if (!rc)
        rc = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &objects);
    if (rc)
        return db_error(s, rc, "cannot read the database");
    int fresh = app == 0 && version == 0 && objects == 0;
    if (!fresh && app != APPLICATION_ID)
        return triage__error(TRIAGE_ECONFLICT, "path", "the file is not a libtriage database");
    if (version < 0)
        return corrupt_db("a negative schema version");
    if (version > SCHEMA_VERSION)
        return triage__error(TRIAGE_EVERSION, "path",
                             "the database was written by a newer libtriage (schema %d > %d)",
                             version, SCHEMA_VERSION);
    if (version == 0 && !fresh)
        return corrupt_db("a libtriage database without a schema version");
    if (o->check) {
        triage_status_t st = check_pages(s, o->check == TRIAGE_SQLITE_CHECK_FULL
                                                ? "PRAGMA integrity_check"
                                                : "PRAGMA quick_check");
        if (st)
            return st;
    }
    if (version == SCHEMA_VERSION) {
        /* Preparing reads only the schema: a missing table or column is
         * damage, found before anything is written. */
        rc = prepare_all(s);
        if (rc) {
            int code = rc & 0xff;
            if (code == SQLITE_ERROR || code == SQLITE_CORRUPT)
                return corrupt_db("its tables do not match the libtriage schema");
            return db_error(s, rc, "cannot prepare statements");
        }
    }
    /* Take the write lock now (a second writer is refused here, before any
     * write); with EXCLUSIVE locking mode it is kept. ROLLBACK, not COMMIT:
     * committing even an empty transaction rewrites the header of a file
     * whose header is damaged (the fuzzer found one), and a refused file
     * must keep every byte. */
    rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE; ROLLBACK", NULL, NULL, NULL);
    if (rc)
        return db_error(s, rc, "cannot lock the database");

    /* 3. Durability (per connection, not stored). */
    rc = sqlite3_exec(s->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", NULL, NULL,
                      NULL);
    if (rc)
        return db_error(s, rc, "cannot configure the database");

    /* 4. Create or migrate, in one transaction, in WAL mode. An existing
     *    database at the current schema is switched to WAL at its first
     *    write transaction instead (sq_begin), so a file whose records the
     *    engine then refuses is left as it was. */
    s->schema_at_open = (uint32_t)version;
    s->wal_pending = 1;
    if (version < SCHEMA_VERSION) {
        rc = set_wal(s);
        if (rc)
            return db_error(s, rc, "cannot configure the database");
        rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (int v = version; v < SCHEMA_VERSION && !rc; v++)
            rc = sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL);
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
                 APPLICATION_ID, SCHEMA_VERSION);
        if (!rc)
            rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (!rc)
            rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
        if (rc) {
            triage_status_t st = db_error(s, rc, "cannot create the schema");
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return st;
        }
        rc = prepare_all(s);
        if (rc)
            return db_error(s, rc, "cannot prepare statements");
    }
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_store_sqlite(triage_store_t *out, const char *path,
                                               const triage_sqlite_options_t *opts)
{
    if (!out)
        return triage__error_null("out");
    if (!path)
        return triage__error_null("path");
    if (!*path)
        return triage__error(TRIAGE_EINVAL, "path", "the path is empty");
    triage_sqlite_options_t o = TRIAGE_SQLITE_OPTIONS_INIT;
    if (opts) {
        if (opts->version == 0 || opts->version > TRIAGE_SQLITE_OPTIONS_VERSION)
            return triage__error(TRIAGE_EVERSION, "options.version", "unsupported options version");
        /* Only the bytes the caller's version defines (an older caller's
         * struct is shorter); later members keep their defaults. */
        size_t size = opts->version == 1 ? offsetof(triage_sqlite_options_t, file_mode)
                                         : sizeof o;
        memcpy(&o, opts, size);
    }
    if (o.create != 0 && o.create != 1)
        return triage__error(TRIAGE_EINVAL, "options.create", "create must be 0 or 1");
    if (o.busy_timeout_ms < 0)
        return triage__error(TRIAGE_EINVAL, "options.busy_timeout_ms", "the timeout must be >= 0");
    if (o.file_mode & ~0777u)
        return triage__error(TRIAGE_EINVAL, "options.file_mode", "only permission bits 0777 are allowed");
    if (o.check < TRIAGE_SQLITE_CHECK_NONE || o.check > TRIAGE_SQLITE_CHECK_FULL)
        return triage__error(TRIAGE_EINVAL, "options.check", "check must be NONE, QUICK or FULL");
    triage_status_t rc = triage__allocator_check(&o.allocator, "options.allocator");
    if (rc)
        return rc;
    sq_store *s = triage__calloc(&o.allocator, 1, sizeof *s);
    if (!s)
        return TRIAGE_ENOMEM;
    s->alloc = o.allocator;
    rc = open_db(s, path, &o);
    if (rc) {
        sq_close(s);
        return rc;
    }
    triage_store_t st = TRIAGE_STORE_INIT;
    st.userdata = s;
    st.begin = sq_begin;
    st.commit = sq_commit;
    st.rollback = sq_rollback;
    st.put = sq_put;
    st.get = sq_get;
    st.del = sq_del;
    st.list = sq_list;
    st.append_event = sq_append_event;
    st.list_events = sq_list_events;
    st.schema_version = sq_schema_version;
    st.destroy = sq_destroy;
    *out = st;
    return TRIAGE_OK;
}

TRIAGE_API int triage_store_sqlite_available(void)
{
    return 1;
}
