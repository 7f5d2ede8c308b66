/*
 * The SQLite store: the embedded default, a store of interface version 3
 * (docs/storage.md, "The SQLite store").
 *
 * - Several processes, and several engines in one process, share one file.
 *   No lock is held between calls: a write transaction takes SQLite's write
 *   lock with BEGIN IMMEDIATE at `begin` and gives it back at commit or
 *   rollback, waiting up to the busy timeout for another writer to finish;
 *   reads run in WAL snapshots and never wait for a writer.
 * - The tables of schema 2 (sql_schema.c): one per record kind, with the
 *   engine's encoding in `data` beside one typed column per field, and the
 *   append-only events. `put_record` is an UPDATE naming the revision the
 *   engine read, or an INSERT for a new record; no row updated, or the id
 *   taken, is TRIAGE_ECONFLICT (another engine won the race). An event must
 *   take exactly the next sequence number, else TRIAGE_ECONFLICT.
 * - `begin_rebased` (interface 3) reads the last number right after BEGIN
 *   IMMEDIATE and adds the difference from the engine's base to every
 *   number the transaction writes, after checking that no record of a
 *   guarded kind was written since the number the engine has seen.
 * - WAL journal, synchronous=FULL: a commit returns only after the WAL is
 *   on disk, so everything reported as committed survives a crash or power
 *   loss (NORMAL would be faster in WAL mode but can lose the last commits).
 * - Opening only reads until every check has passed: a foreign, damaged or
 *   newer file is refused unchanged. A new file is created, and a schema-1
 *   file of libtriage 0.1 migrated (sqlite_migrate.c), in one write
 *   transaction; an existing file is switched to WAL at its first write.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/rebase.h"
#include "store/sql_schema.h"
#include "store/sqlite_migrate.h"
#include "store/sqlite_rows.h"

#define APPLICATION_ID 0x54524941 /* "TRIA" */
#define SCHEMA_VERSION TRIAGE__SQL_SCHEMA_VERSION
_Static_assert(SCHEMA_VERSION == TRIAGE_STORE_SCHEMA_VERSION,
               "the SQLite tables hold the records of the current schema");

/* Variants of the record query: which filters its WHERE clause has. */
enum { Q_OWNER = 1, Q_CHANGED = 2, Q_OPEN = 4, Q_VARIANTS = 8 };
/* Variants of the event query. */
enum { E_CASE = 1, E_VARIANTS = 2 };

typedef struct {
    sqlite3_stmt *insert, *update, *get;
    sqlite3_stmt *newer; /* any row written after a number (begin_rebased): at first use */
    sqlite3_stmt *query[Q_VARIANTS]; /* prepared at first use */
} sq_table;

typedef struct {
    triage_allocator_t alloc;
    sqlite3 *db;
    sq_table t[TRIAGE__SQL_TABLES];
    sqlite3_stmt *begin, *commit, *rollback, *read_begin, *last_seq, *append;
    sqlite3_stmt *events[E_VARIANTS];
    triage__text sql;     /* a statement's text while it is built */
    triage__text scratch; /* a list's JSON text while it is bound */
    int wal_pending;      /* journal_mode=WAL still to be set (at the first begin) */
    int writing;          /* between begin and commit or rollback */
    int reading;          /* read_begin depth */
    int read_txn;         /* the outermost read_begin began a transaction */
    int rebased;          /* the write began with begin_rebased: numbers move by `shift` */
    int64_t base, shift;
    int32_t busy_ms;      /* the busy timeout */
    struct timespec busy_since; /* when the current wait for the lock began */
} sq_store;

/* Waiting for another connection's write lock. SQLite's own busy timeout
 * sleeps longer and longer (up to 100 ms at a time) and so leaves the lock
 * free for most of a sleep once it is given back: with several engines
 * writing, that idle time cut their total throughput to two thirds of one
 * engine's. This handler looks again every 200 microseconds until the
 * busy timeout has passed. */
static int busy_wait(void *ud, int count)
{
    sq_store *s = ud;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if (count == 0)
        s->busy_since = t;
    int64_t waited = (int64_t)(t.tv_sec - s->busy_since.tv_sec) * 1000 +
                     (t.tv_nsec - s->busy_since.tv_nsec) / 1000000;
    if (waited >= s->busy_ms)
        return 0; /* SQLITE_BUSY: the caller reports the busy timeout */
    struct timespec pause = {0, 200000};
    nanosleep(&pause, NULL);
    return 1;
}

/* ---- errors ------------------------------------------------------------------------ */

/* A callback failed on SQLite's error `rc`: its message (table and
 * constraint names, never values) goes with it. */
static int fail_db(sq_store *s, int rc)
{
    int code = rc & 0xff;
    if (code == SQLITE_BUSY)
        triage_store_error_set("the database is busy: another connection held its write lock "
                               "longer than the busy timeout");
    else
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

static int misuse(const char *what)
{
    triage_store_error_set(what);
    return SQLITE_MISUSE;
}

/* Runs a prepared statement to completion, always leaving it reset. */
static int step_done(sq_store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        rc = fail_db(s, rc);
    else
        rc = 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* ---- statements --------------------------------------------------------------------- */

static int prepare(sq_store *s, sqlite3_stmt **st, const char *sql)
{
    return sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}

/* Prepares s->sql into the cache, or, when the cached statement is still
 * stepping (a visitor that reads the store again), into a statement of its
 * own that the caller finalizes (*temp). */
static int cached(sq_store *s, sqlite3_stmt **cache, sqlite3_stmt **out, int *temp)
{
    *temp = 0;
    if (s->sql.failed)
        return SQLITE_NOMEM;
    if (!*cache) {
        int rc = prepare(s, cache, s->sql.p);
        *out = *cache;
        return rc;
    }
    *temp = 1;
    return sqlite3_prepare_v2(s->db, s->sql.p, -1, out, NULL);
}

static void release(sqlite3_stmt *st, int temp)
{
    if (temp) {
        sqlite3_finalize(st);
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

/* Every statement of a write and of the fixed reads. Preparing reads only
 * the schema: a missing table or column fails here, before anything is
 * written. */
static int prepare_all(sq_store *s)
{
    int rc = SQLITE_OK;
    for (int k = 0; k < TRIAGE__SQL_TABLES && !rc; k++) {
        const triage__sql_table *t = triage__sql_table_of((triage_record_kind_t)(k + 1));
        s->sql.n = 0;
        triage__sql_insert(&s->sql, TRIAGE__SQL_SQLITE, t);
        rc = s->sql.failed ? SQLITE_NOMEM : prepare(s, &s->t[k].insert, s->sql.p);
        s->sql.n = 0;
        triage__sql_update(&s->sql, TRIAGE__SQL_SQLITE, t);
        if (!rc)
            rc = s->sql.failed ? SQLITE_NOMEM : prepare(s, &s->t[k].update, s->sql.p);
        s->sql.n = 0;
        triage__sql_select(&s->sql, t);
        triage__text_add(&s->sql, " WHERE id = ?1");
        if (!rc)
            rc = s->sql.failed ? SQLITE_NOMEM : prepare(s, &s->t[k].get, s->sql.p);
    }
    s->sql.n = 0;
    triage__sql_event_insert(&s->sql, TRIAGE__SQL_SQLITE);
    if (!rc)
        rc = s->sql.failed ? SQLITE_NOMEM : prepare(s, &s->append, s->sql.p);
    if (!rc)
        rc = prepare(s, &s->last_seq, "SELECT coalesce(max(\"seq\"), 0) FROM events");
    if (!rc)
        rc = prepare(s, &s->begin, "BEGIN IMMEDIATE");
    if (!rc)
        rc = prepare(s, &s->commit, "COMMIT");
    if (!rc)
        rc = prepare(s, &s->rollback, "ROLLBACK");
    if (!rc)
        rc = prepare(s, &s->read_begin, "BEGIN DEFERRED");
    if (!rc) {
        sqlite3_stmt *meta;
        rc = sqlite3_prepare_v2(s->db, "SELECT \"value\" FROM meta WHERE \"key\" = 'schema'", -1,
                                &meta, NULL);
        sqlite3_finalize(meta);
    }
    return rc;
}

/* ---- transactions ----------------------------------------------------------------------- */

static int set_wal(sq_store *s);

static int sq_begin(void *ud)
{
    sq_store *s = ud;
    if (s->writing || s->reading)
        return misuse("internal: a write transaction inside another transaction");
    if (s->wal_pending) {
        int rc = set_wal(s);
        if (rc)
            return rc;
    }
    int rc = step_done(s, s->begin);
    if (!rc)
        s->writing = 1;
    return rc;
}

static int commit_txn(sq_store *s)
{
    int rc = step_done(s, s->commit);
    if (!rc || sqlite3_get_autocommit(s->db))
        s->writing = s->rebased = 0; /* committed, or SQLite rolled it back itself */
    return rc;
}

static int sq_commit(void *ud)
{
    sq_store *s = ud;
    if (!s->writing)
        return misuse("internal: commit without a transaction");
    if (s->rebased)
        return misuse("internal: commit of a transaction that begin_rebased began");
    return commit_txn(s);
}

static int sq_rollback(void *ud)
{
    sq_store *s = ud;
    s->writing = s->rebased = 0;
    if (sqlite3_get_autocommit(s->db))
        return 0; /* nothing open (BEGIN failed, or SQLite rolled back already) */
    return step_done(s, s->rollback);
}

static int sq_last_seq(void *ud, int64_t *out);

/* 1 when a record of `kind` was written after `base`, 0 when none was,
 * else a failure (negative: the status negated). */
static int written_after(sq_store *s, int kind, int64_t base)
{
    sq_table *c = &s->t[kind - 1];
    if (!c->newer) {
        s->sql.n = 0;
        triage__text_add(&s->sql, "SELECT 1 FROM %s WHERE revision > ?1 LIMIT 1",
                         triage__sql_table_of((triage_record_kind_t)kind)->name);
        int rc = s->sql.failed ? SQLITE_NOMEM : prepare(s, &c->newer, s->sql.p);
        if (rc)
            return -fail_db(s, rc);
    }
    int rc = sqlite3_bind_int64(c->newer, 1, base);
    if (!rc)
        rc = sqlite3_step(c->newer);
    sqlite3_reset(c->newer);
    sqlite3_clear_bindings(c->newer);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : -fail_read(s, rc);
}

/* Interface 3: BEGIN IMMEDIATE holds the write lock, so the last number
 * read right after it stays the last until this transaction commits; the
 * numbers the engine counted from `base` move by the difference. */
static int sq_begin_rebased(void *ud, int64_t base, int64_t seen, uint32_t unchanged)
{
    sq_store *s = ud;
    if (seen < 0 || seen > base)
        return misuse("internal: begin_rebased with a number seen above its base");
    if (unchanged & ~TRIAGE__STORE_KIND_BITS)
        return misuse("internal: begin_rebased with an unknown record kind");
    int rc = sq_begin(ud);
    if (rc)
        return rc;
    int64_t last = 0;
    rc = sq_last_seq(s, &last);
    int lost = !rc && base > last;
    for (int k = 1; k <= TRIAGE__SQL_TABLES && !rc && !lost; k++) {
        if (!(unchanged & TRIAGE_STORE_KIND_BIT(k)))
            continue;
        int w = written_after(s, k, seen);
        if (w < 0)
            rc = -w;
        else
            lost = w;
    }
    if (rc || lost) {
        triage__error_saved saved;
        triage__error_save(&saved);
        sq_rollback(s); /* nothing written: the engine rolls back only what began */
        triage__error_restore(&saved);
        if (lost)
            triage_store_error_set("SQLite: a record the engine read changed since");
        return rc ? rc : TRIAGE_ECONFLICT;
    }
    s->rebased = 1;
    s->base = base;
    s->shift = last - base;
    return 0;
}

static int sq_commit_rebased(void *ud, int64_t *shift)
{
    sq_store *s = ud;
    if (!shift)
        return misuse("internal: commit_rebased without a result");
    if (!s->writing || !s->rebased)
        return misuse("internal: commit_rebased without begin_rebased");
    int64_t by = s->shift;
    int rc = commit_txn(s);
    if (!rc)
        *shift = by;
    return rc;
}

/* A read snapshot: a deferred transaction, whose first read fixes the
 * snapshot under WAL (it reads nothing itself, so damage is reported by the
 * read that finds it). Nested or inside a write it only counts. */
static int sq_read_begin(void *ud)
{
    sq_store *s = ud;
    if (s->reading || s->writing) {
        s->reading++;
        return 0;
    }
    int rc = step_done(s, s->read_begin);
    if (rc)
        return rc;
    s->reading = 1;
    s->read_txn = 1;
    return 0;
}

static int sq_read_end(void *ud)
{
    sq_store *s = ud;
    if (!s->reading)
        return misuse("internal: read_end without read_begin");
    if (--s->reading || !s->read_txn)
        return 0;
    s->read_txn = 0;
    if (sqlite3_get_autocommit(s->db))
        return 0;
    /* Ending a read cannot lose data; it sets no message either, so the
     * error of a read that failed in the snapshot stays the last error. */
    int rc = sqlite3_step(s->commit);
    sqlite3_reset(s->commit);
    if (rc == SQLITE_DONE)
        return 0;
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* ---- reads -------------------------------------------------------------------------------- */

static int sq_last_seq(void *ud, int64_t *out)
{
    sq_store *s = ud;
    if (!out)
        return misuse("internal: last_seq without a result");
    int rc = sqlite3_step(s->last_seq);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s->last_seq, 0);
        rc = 0;
    } else {
        rc = fail_read(s, rc);
    }
    sqlite3_reset(s->last_seq);
    return rc;
}

/* Steps a record query, visiting each row; the statement is released. */
static int visit_rows(sq_store *s, sqlite3_stmt *st, int temp, const triage__sql_table *t,
                      triage_store_record_fn visit, void *ctx, int *found)
{
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        triage_store_record_t r;
        ret = triage__sqlite_read_record(st, t, &r);
        if (!ret) {
            if (!r.data)
                r.data = ""; /* an empty blob: the engine finds it damaged */
            if (found)
                (*found)++;
            ret = visit(ctx, &r);
        }
        if (ret)
            break;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = fail_read(s, rc);
    release(st, temp);
    return ret;
}

static int sq_get_record(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                         triage_store_record_fn visit, void *ctx)
{
    sq_store *s = ud;
    const triage__sql_table *t = triage__sql_table_of(kind);
    if (!t || !id || !visit)
        return misuse("internal: get_record of an unknown kind");
    sq_table *c = &s->t[(int)kind - 1];
    sqlite3_stmt *st = c->get;
    int temp = 0;
    if (sqlite3_stmt_busy(st)) {
        s->sql.n = 0;
        triage__sql_select(&s->sql, t);
        triage__text_add(&s->sql, " WHERE id = ?1");
        int rc = cached(s, &c->get, &st, &temp);
        if (rc)
            return fail_read(s, rc);
    }
    char text[37];
    triage__sql_id(text, id);
    sqlite3_bind_text(st, 1, text, 36, SQLITE_TRANSIENT);
    int found = 0;
    int rc = visit_rows(s, st, temp, t, visit, ctx, &found);
    return rc ? rc : found ? 0 : TRIAGE_ENOTFOUND;
}

/* The record query of a variant: SELECT ... WHERE <filters> ORDER BY
 * created, id. The hints of open_only are those of the memory store. */
static void query_sql(triage__text *o, const triage__sql_table *t, int flags)
{
    triage__sql_select(o, t);
    const char *w = " WHERE ";
    if (flags & Q_OWNER) {
        triage__text_add(o, "%s\"%s\" = ?1", w, t->owner);
        w = " AND ";
    }
    if (flags & Q_CHANGED) {
        triage__text_add(o, "%srevision > ?2", w);
        w = " AND ";
    }
    if (flags & Q_OPEN) {
        switch (t->kind) {
        case TRIAGE_RECORD_CASE:
            triage__text_add(o, "%s\"stage\" <> %d", w, (int)TRIAGE_STAGE_CLOSED);
            break;
        case TRIAGE_RECORD_INTAKE:
        case TRIAGE_RECORD_DEADLINE:
            triage__text_add(o, "%s\"case_id\" IN (SELECT id FROM cases WHERE \"stage\" <> %d)", w,
                             (int)TRIAGE_STAGE_CLOSED);
            break;
        default: /* clients: an open case, or activity since ?3 */
            triage__text_add(o, "%s(\"active_case\" IS NOT NULL OR \"last_activity\" >= ?3)", w);
            break;
        }
    }
    triage__text_add(o, " ORDER BY created, id");
}

static int sq_query_records(void *ud, const triage_store_query_t *q, triage_store_record_fn visit,
                            void *ctx)
{
    sq_store *s = ud;
    if (!q || q->version < 1 || !visit)
        return misuse("internal: query_records without a query");
    const triage__sql_table *t = triage__sql_table_of(q->kind);
    if (!t)
        return misuse("internal: query_records of an unknown kind");
    int flags = 0;
    if (!triage_id_is_nil(&q->owner)) {
        if (!t->owner)
            return 0; /* records of this kind have no owner: none has this one */
        flags |= Q_OWNER;
    }
    if (q->changed_after > 0)
        flags |= Q_CHANGED;
    if (q->open_only) {
        switch (t->kind) {
        case TRIAGE_RECORD_CASE:
        case TRIAGE_RECORD_INTAKE:
        case TRIAGE_RECORD_DEADLINE: flags |= Q_OPEN; break;
        case TRIAGE_RECORD_CLIENT:
            if (q->active_since != TRIAGE_DATE_NONE && triage__date_valid(q->active_since))
                flags |= Q_OPEN;
            break;
        default: break;
        }
    }
    sq_table *c = &s->t[(int)t->kind - 1];
    sqlite3_stmt *st = c->query[flags];
    int temp = 0;
    if (!st || sqlite3_stmt_busy(st)) {
        s->sql.n = 0;
        query_sql(&s->sql, t, flags);
        int rc = cached(s, &c->query[flags], &st, &temp);
        if (rc)
            return fail_read(s, rc);
    }
    char owner[37], since[11];
    if (flags & Q_OWNER) {
        triage__sql_id(owner, &q->owner);
        sqlite3_bind_text(st, 1, owner, 36, SQLITE_TRANSIENT);
    }
    if (flags & Q_CHANGED)
        sqlite3_bind_int64(st, 2, q->changed_after);
    if ((flags & Q_OPEN) && t->kind == TRIAGE_RECORD_CLIENT) {
        triage__sql_date(since, q->active_since);
        sqlite3_bind_text(st, 3, since, 10, SQLITE_TRANSIENT);
    }
    return visit_rows(s, st, temp, t, visit, ctx, NULL);
}

/* Events in sequence order; the time filters are not indexed here (the
 * unary + keeps SQLite on the primary key, in the order asked for). */
static void events_sql(triage__text *o, int flags)
{
    triage__text_add(o, "SELECT \"seq\", data FROM events WHERE \"seq\" > ?1 AND \"seq\" <= ?2"
                        " AND +\"at_ms\" >= ?3 AND +\"at_ms\" <= ?4");
    if (flags & E_CASE)
        triage__text_add(o, " AND \"case_id\" = ?5");
    triage__text_add(o, " ORDER BY \"seq\" LIMIT ?6");
}

static int sq_query_events(void *ud, const triage_store_event_query_t *q,
                           triage_store_event_fn visit, void *ctx)
{
    sq_store *s = ud;
    if (!q || q->version < 1 || !visit)
        return misuse("internal: query_events without a query");
    int flags = triage_id_is_nil(&q->case_id) ? 0 : E_CASE;
    sqlite3_stmt *st = s->events[flags];
    int temp = 0;
    if (!st || sqlite3_stmt_busy(st)) {
        s->sql.n = 0;
        events_sql(&s->sql, flags);
        int rc = cached(s, &s->events[flags], &st, &temp);
        if (rc)
            return fail_read(s, rc);
    }
    sqlite3_bind_int64(st, 1, q->after_seq);
    sqlite3_bind_int64(st, 2, q->upto_seq);
    sqlite3_bind_int64(st, 3, q->from_ms);
    sqlite3_bind_int64(st, 4, q->to_ms);
    char case_id[37];
    if (flags & E_CASE) {
        triage__sql_id(case_id, &q->case_id);
        sqlite3_bind_text(st, 5, case_id, 36, SQLITE_TRANSIENT);
    }
    sqlite3_bind_int64(st, 6, q->limit > 0 ? q->limit : -1);
    int rc, ret = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        triage_store_event_t ev = {TRIAGE_STORE_EVENT_VERSION, NULL, sqlite3_column_int64(st, 0),
                                   NULL, 0};
        ev.data = sqlite3_column_blob(st, 1);
        ev.len = (size_t)sqlite3_column_bytes(st, 1);
        if (!ev.data)
            ev.data = "";
        ret = visit(ctx, &ev);
        if (ret)
            break;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = fail_read(s, rc);
    release(st, temp);
    return ret;
}

/* ---- writes ---------------------------------------------------------------------------------- */

static int is_key_clash(int rc)
{
    return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE;
}

static int sq_put_record(void *ud, const triage_store_record_t *r)
{
    sq_store *s = ud;
    if (!s->writing)
        return misuse("internal: put_record outside a transaction");
    if (!r || r->version < 1 || !r->data || r->expected_revision < 0)
        return misuse("internal: put_record without a record");
    const triage__sql_table *t = triage__sql_table_of(r->kind);
    if (!t)
        return misuse("internal: put_record of an unknown kind");
    triage_store_record_t moved;
    if (s->rebased)
        r = triage__store_moved_record(&moved, r, s->base, s->shift);
    sq_table *c = &s->t[(int)r->kind - 1];
    sqlite3_stmt *st = r->expected_revision ? c->update : c->insert;
    int rc = triage__sqlite_bind_record(st, t, r, &s->scratch);
    if (!rc && r->expected_revision)
        rc = sqlite3_bind_int64(st, (int)triage__sql_ncolumns(t) + 5, r->expected_revision);
    if (rc) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return fail_db(s, rc);
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE) {
        /* an update that found no row at the revision read: another engine
         * changed (or never had) the record */
        if (r->expected_revision && sqlite3_changes(s->db) == 0)
            return TRIAGE_ECONFLICT;
        return 0;
    }
    if (!r->expected_revision && is_key_clash(rc))
        return TRIAGE_ECONFLICT; /* another engine created it first */
    return fail_db(s, rc);
}

static int sq_append_event2(void *ud, const triage_store_event_t *se)
{
    sq_store *s = ud;
    if (!s->writing)
        return misuse("internal: append_event2 outside a transaction");
    if (!se || se->version < 1 || !se->event || !se->data)
        return misuse("internal: append_event2 without an event");
    triage_store_event_t moved;
    triage_event_t moved_ev;
    if (s->rebased)
        se = triage__store_moved_event(&moved, &moved_ev, se, s->shift);
    int64_t last = 0;
    int rc = sq_last_seq(s, &last);
    if (rc)
        return rc;
    if (se->seq != last + 1)
        return TRIAGE_ECONFLICT; /* another engine took that number */
    rc = triage__sqlite_bind_event(s->append, se, &s->scratch);
    if (rc) {
        sqlite3_reset(s->append);
        sqlite3_clear_bindings(s->append);
        return fail_db(s, rc);
    }
    rc = sqlite3_step(s->append);
    sqlite3_reset(s->append);
    sqlite3_clear_bindings(s->append);
    if (rc == SQLITE_DONE)
        return 0;
    return is_key_clash(rc) ? TRIAGE_ECONFLICT : fail_db(s, rc);
}

/* ---- closing ------------------------------------------------------------------------------ */

static void sq_close(sq_store *s)
{
    for (int k = 0; k < TRIAGE__SQL_TABLES; k++) {
        sqlite3_finalize(s->t[k].insert);
        sqlite3_finalize(s->t[k].update);
        sqlite3_finalize(s->t[k].get);
        sqlite3_finalize(s->t[k].newer);
        for (int v = 0; v < Q_VARIANTS; v++)
            sqlite3_finalize(s->t[k].query[v]);
    }
    sqlite3_stmt *fixed[] = {s->begin,  s->commit, s->rollback,  s->read_begin,
                             s->last_seq, s->append, s->events[0], s->events[1]};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(fixed); i++)
        sqlite3_finalize(fixed[i]);
    sqlite3_close_v2(s->db);
    triage__text_free(&s->sql);
    triage__text_free(&s->scratch);
    triage_allocator_t a = s->alloc;
    triage__free(&a, s);
}

static void sq_destroy(void *ud)
{
    sq_store *s = ud;
    if (s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sq_close(s);
}

/* ---- opening ---------------------------------------------------------------------------- */

static triage_status_t db_error(sq_store *s, int rc, const char *what)
{
    int code = rc & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return triage__error_cause(TRIAGE_ESTORE, rc, "path",
                                   "the database is busy: another connection held its write "
                                   "lock longer than the busy timeout");
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

/* What the file says it is: application id, schema version, and whether
 * it holds any table at all. Only reads. */
typedef struct {
    int app, version, objects;
} marks;

static int read_marks(sq_store *s, marks *m)
{
    memset(m, 0, sizeof *m);
    int rc = pragma_int(s, "PRAGMA application_id", &m->app);
    if (!rc)
        rc = pragma_int(s, "PRAGMA user_version", &m->version);
    if (!rc)
        rc = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &m->objects);
    return rc;
}

static int is_fresh(const marks *m)
{
    return m->app == 0 && m->version == 0 && m->objects == 0;
}

static triage_status_t corrupt_db(const char *what)
{
    return triage__error(TRIAGE_ECORRUPT, "path", "the database is damaged: %s", what);
}

/* The marks refuse the file: not ours, damaged, or newer. */
static triage_status_t check_marks(const marks *m)
{
    if (!is_fresh(m) && m->app != APPLICATION_ID)
        return triage__error(TRIAGE_ECONFLICT, "path", "the file is not a libtriage database");
    if (m->version < 0)
        return corrupt_db("a negative schema version");
    if (m->version > SCHEMA_VERSION)
        return triage__error(TRIAGE_EVERSION, "path",
                             "the database was written by a newer libtriage (schema %d > %d)",
                             m->version, SCHEMA_VERSION);
    if (m->version == 0 && !is_fresh(m))
        return corrupt_db("a libtriage database without a schema version");
    return TRIAGE_OK;
}

/* The persistent part of the set-up: WAL journaling. It writes the file
 * header, so it runs only once every check has passed (for an existing
 * database: at the first write transaction, after the engine has loaded and
 * validated its records). */
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

/* With a page check: every record's owner is stored (the foreign keys of
 * the tables; a row deleted behind the store's back breaks them). */
static triage_status_t check_owners(sq_store *s)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc)
        return db_error(s, rc, "cannot check the database");
    rc = sqlite3_step(st);
    char what[128] = "";
    if (rc == SQLITE_ROW)
        snprintf(what, sizeof what, "a row of %s refers to a row of %s that is not stored",
                 (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_error(s, rc, "cannot check the database");
    return what[0] ? corrupt_db(what) : TRIAGE_OK;
}

/* A new database gets the tables of schema 2; a schema-1 database is
 * migrated. One write transaction: another process opening the same file
 * meanwhile waits for it, and then finds the work done. */
static triage_status_t create_or_migrate(sq_store *s)
{
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc)
        return db_error(s, rc, "cannot write the database");
    /* again, now that no one else can write */
    marks m;
    triage_status_t st = TRIAGE_OK;
    rc = read_marks(s, &m);
    if (rc)
        st = db_error(s, rc, "cannot read the database");
    if (!st)
        st = check_marks(&m);
    if (!st && is_fresh(&m)) {
        triage__text ddl;
        triage__text_init(&ddl, &s->alloc);
        triage__sql_create(&ddl, TRIAGE__SQL_SQLITE);
        st = triage__text_end(&ddl);
        if (!st) {
            rc = sqlite3_exec(s->db, ddl.p, NULL, NULL, NULL);
            triage__text_free(&ddl);
            if (rc)
                st = db_error(s, rc, "cannot create the tables");
        }
    } else if (!st && m.version == 1) {
        st = triage__sqlite_migrate_v1(s->db, &s->alloc);
    }
    if (!st && m.version != SCHEMA_VERSION) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d",
                 APPLICATION_ID, SCHEMA_VERSION);
        rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        if (rc)
            st = db_error(s, rc, "cannot write the database");
    }
    if (!st) {
        rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
        if ((rc & 0xff) == SQLITE_CONSTRAINT) /* deferred foreign keys: a dangling owner */
            st = triage__error_cause(TRIAGE_ECORRUPT, rc, "path",
                                     "the database is damaged: a record refers to a record "
                                     "that is not stored");
        else if (rc)
            st = db_error(s, rc, "cannot write the database");
    }
    if (st) {
        triage__error_saved saved;
        triage__error_save(&saved);
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        triage__error_restore(&saved);
    }
    return st;
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
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc)
        return db_error(s, rc, "cannot open the database");
    sqlite3_extended_result_codes(s->db, 1);
    s->busy_ms = o->busy_timeout_ms;
    sqlite3_busy_handler(s->db, busy_wait, s);

    /* 1. Read-only checks: is this ours, which schema, is it whole? Nothing
     *    below writes until every check has passed. */
    marks m;
    rc = read_marks(s, &m);
    if (rc)
        return db_error(s, rc, "cannot read the database");
    triage_status_t st = check_marks(&m);
    if (st)
        return st;
    if (o->check) {
        st = check_pages(s, o->check == TRIAGE_SQLITE_CHECK_FULL ? "PRAGMA integrity_check"
                                                                 : "PRAGMA quick_check");
        if (!st && m.version == SCHEMA_VERSION)
            st = check_owners(s);
        if (st)
            return st;
    }
    if (m.version == SCHEMA_VERSION) {
        /* preparing reads only the schema: a missing table or column is
         * damage, found before anything is written */
        rc = prepare_all(s);
        if (rc) {
            int code = rc & 0xff;
            if (code == SQLITE_ERROR || code == SQLITE_CORRUPT)
                return corrupt_db("its tables do not match the libtriage schema");
            return db_error(s, rc, "cannot prepare statements");
        }
    }

    /* 2. Durability and the domain's foreign keys (per connection, not
     *    stored in the file). */
    rc = sqlite3_exec(s->db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", NULL, NULL,
                      NULL);
    if (rc)
        return db_error(s, rc, "cannot configure the database");

    /* 3. Create or migrate. A new file is put in WAL mode first; a schema-1
     *    file is migrated in its own journal mode, so a failed migration
     *    leaves every byte, and switched to WAL at its first write like any
     *    existing file (sq_begin). */
    s->wal_pending = 1;
    if (m.version != SCHEMA_VERSION) {
        if (is_fresh(&m)) {
            rc = set_wal(s);
            if (rc)
                return db_error(s, rc, "cannot configure the database");
        }
        st = create_or_migrate(s);
        if (st)
            return st;
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
    triage__text_init(&s->sql, &s->alloc);
    triage__text_init(&s->scratch, &s->alloc);
    rc = open_db(s, path, &o);
    if (rc) {
        triage__error_saved saved;
        triage__error_save(&saved);
        sq_close(s);
        triage__error_restore(&saved);
        return rc;
    }
    triage_store_t st = TRIAGE_STORE_INIT;
    st.version = TRIAGE_STORE_VERSION;
    st.userdata = s;
    st.begin = sq_begin;
    st.commit = sq_commit;
    st.rollback = sq_rollback;
    st.destroy = sq_destroy;
    st.last_seq = sq_last_seq;
    st.read_begin = sq_read_begin;
    st.read_end = sq_read_end;
    st.put_record = sq_put_record;
    st.get_record = sq_get_record;
    st.query_records = sq_query_records;
    st.append_event2 = sq_append_event2;
    st.query_events = sq_query_events;
    st.begin_rebased = sq_begin_rebased;
    st.commit_rebased = sq_commit_rebased;
    *out = st;
    return TRIAGE_OK;
}

TRIAGE_API int triage_store_sqlite_available(void)
{
    return 1;
}
