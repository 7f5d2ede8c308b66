/*
 * Migration of a schema-1 SQLite database, as libtriage 0.1 wrote it, to
 * the tables of schema 2 (see sqlite_migrate.h; docs/storage.md).
 *
 * Schema 1 kept one blob per record (0.1's C structs behind a "TRGR"
 * header; a case carried its deadline rows) in the tables client, cases,
 * worker and absence, ordered by an `ord` column, and events as bare C
 * structs in the table event. The engine's own decoders read them
 * (triage__record_decode and triage__event_decode_v1), so a migrated record
 * is exactly what an engine would have made of it, and every check the
 * engine runs on a schema-1 record runs here before anything is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_migrate.h"
#include "store/sqlite_rows.h"

#define MAX_COLUMNS 64

typedef struct {
    triage_id_t case_id, intake;
} case_intake;

typedef struct {
    sqlite3 *db;
    const triage_allocator_t *a;
    sqlite3_stmt *insert[TRIAGE__SQL_TABLES];
    sqlite3_stmt *insert_event;
    triage__wbuf wbuf;
    triage__text scratch;
    int64_t revision;
    int64_t created; /* the last creation number given */
    case_intake *intakes; /* each migrated case's intake, sorted by case id at the end */
    size_t nintakes, intakecap;
} migration;

static const char *const v1_name[] = {"client", "case", "worker", "absence"};

/* SQLite failed: damage and broken rules are ECORRUPT, the rest ESTORE.
 * SQLite's messages name tables and constraints, never values. */
static triage_status_t sql_failed(migration *m, int rc, const char *what)
{
    int code = rc & 0xff;
    if (code == SQLITE_NOMEM)
        return triage__error(TRIAGE_ENOMEM, NULL, "out of memory in SQLite");
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return triage__error_cause(TRIAGE_ECORRUPT, rc, "path",
                                   "the database is damaged: %s", sqlite3_errmsg(m->db));
    if (code == SQLITE_CONSTRAINT)
        return triage__error_cause(TRIAGE_ECORRUPT, rc, "path",
                                   "the database is damaged: a schema-1 record breaks a rule of "
                                   "schema 2 (%s)",
                                   sqlite3_errmsg(m->db));
    return triage__error_cause(TRIAGE_ESTORE, rc, "path", "%s: %s", what, sqlite3_errmsg(m->db));
}

/* Steps a write to completion and resets it. */
static triage_status_t step_write(migration *m, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    triage_status_t out = rc == SQLITE_DONE ? TRIAGE_OK : sql_failed(m, rc, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return out;
}

static triage_status_t exec(migration *m, const char *sql, const char *what)
{
    int rc = sqlite3_exec(m->db, sql, NULL, NULL, NULL);
    return rc ? sql_failed(m, rc, what) : TRIAGE_OK;
}

/* ---- records -------------------------------------------------------------------- */

/* Writes one record of schema 2 with the migration's revision and the
 * next creation number. */
static triage_status_t put(migration *m, triage_record_kind_t kind, void *rec)
{
    const triage__sql_table *t = triage__sql_table_of(kind);
    triage__head *h = rec;
    h->rev = m->revision;
    h->created = ++m->created;
    triage_status_t rc = triage__encode(&m->wbuf, t->schema, rec);
    if (rc)
        return rc;
    triage_field_t cols[MAX_COLUMNS];
    size_t n = triage__codec_columns(cols, MAX_COLUMNS, t->schema, rec, 3);
    if (n > MAX_COLUMNS)
        return triage__error(TRIAGE_ERANGE, NULL, "internal: a record with too many columns");
    triage_store_record_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_STORE_RECORD_VERSION;
    r.kind = kind;
    r.id = h->id;
    r.revision = h->rev;
    r.created = h->created;
    r.data = m->wbuf.p;
    r.len = m->wbuf.n;
    r.fields = cols;
    r.nfields = n;
    sqlite3_stmt *st = m->insert[(int)kind - 1];
    int src = triage__sqlite_bind_record(st, t, &r, &m->scratch);
    if (src) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return sql_failed(m, src, "cannot migrate a record");
    }
    return step_write(m, st, "cannot migrate a record");
}

static triage_status_t remember_intake(migration *m, const triage__case *c)
{
    if (!c->nintakes)
        return TRIAGE_OK;
    void *v = m->intakes;
    triage_status_t rc = triage__grow(m->a, &v, &m->intakecap, m->nintakes + 1, sizeof *m->intakes);
    m->intakes = v;
    if (rc)
        return rc;
    m->intakes[m->nintakes].case_id = c->id;
    m->intakes[m->nintakes].intake = c->intakes[0].id;
    m->nintakes++;
    return TRIAGE_OK;
}

/* A case aggregate becomes its case, intakes and deadline rows, in this
 * order (so the rows keep their order among themselves). */
static triage_status_t put_case(migration *m, triage__case *c)
{
    triage_status_t rc = put(m, TRIAGE_RECORD_CASE, c);
    for (uint32_t i = 0; i < c->nintakes && !rc; i++)
        rc = put(m, TRIAGE_RECORD_INTAKE, &c->intakes[i]);
    for (uint32_t i = 0; i < c->ndeadlines && !rc; i++)
        rc = put(m, TRIAGE_RECORD_DEADLINE, &c->deadlines[i]);
    if (!rc)
        rc = remember_intake(m, c);
    return rc;
}

static void release(migration *m, int table, void *rec)
{
    if (table == TRIAGE__T_CLIENT)
        triage__client_release(m->a, rec);
    else if (table == TRIAGE__T_CASE)
        triage__case_release(m->a, rec);
    else if (table == TRIAGE__T_WORKER)
        triage__worker_release(m->a, rec);
}

/* Every record of one schema-1 table, in 0.1's order. */
static triage_status_t migrate_table(migration *m, int table, const char *sql)
{
    static const triage_record_kind_t kinds[] = {TRIAGE_RECORD_CLIENT, TRIAGE_RECORD_CASE,
                                                 TRIAGE_RECORD_WORKER, TRIAGE_RECORD_ABSENCE};
    sqlite3_stmt *st;
    int src = sqlite3_prepare_v2(m->db, sql, -1, &st, NULL);
    if (src)
        return sql_failed(m, src, "cannot read the schema-1 records");
    triage_status_t rc = TRIAGE_OK;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        union {
            triage__client client;
            triage__case c;
            triage__worker worker;
            triage__absence absence;
        } rec;
        const void *data = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        rc = triage__record_decode(&rec, table, data ? data : "", len, m->a);
        if (rc)
            break;
        const triage__head *h = (const triage__head *)(const void *)&rec;
        if (sqlite3_column_bytes(st, 0) != 16 ||
            memcmp(sqlite3_column_blob(st, 0), h->id.bytes, 16) != 0) {
            char field[24];
            snprintf(field, sizeof field, "%s.id", v1_name[table]);
            rc = triage__error(TRIAGE_ECORRUPT, field,
                               "stored %s is damaged: the record's id does not match its key",
                               field);
        } else if (table == TRIAGE__T_CASE) {
            rc = put_case(m, &rec.c);
        } else {
            rc = put(m, kinds[table], &rec);
        }
        release(m, table, &rec);
    }
    if (!rc && src != SQLITE_DONE)
        rc = sql_failed(m, src, "cannot read the schema-1 records");
    sqlite3_finalize(st);
    return rc;
}

/* ---- events ----------------------------------------------------------------------- */

static int cmp_case_intake(const void *a, const void *b)
{
    return triage_id_compare(&((const case_intake *)a)->case_id, &((const case_intake *)b)->case_id);
}

/* The events of a case's arrival name its intake (0.1's events had no
 * intake field; a converted case has exactly one intake). */
static void name_intake(migration *m, triage_event_t *ev)
{
    if (ev->kind != TRIAGE_EVENT_INTAKE && ev->kind != TRIAGE_EVENT_ATTACHED &&
        ev->kind != TRIAGE_EVENT_URGENCY_ASSESSED)
        return;
    if (!triage_id_is_nil(&ev->intake) || triage_id_is_nil(&ev->case_id) || !m->nintakes)
        return;
    case_intake key;
    key.case_id = ev->case_id;
    const case_intake *hit =
        bsearch(&key, m->intakes, m->nintakes, sizeof *m->intakes, cmp_case_intake);
    if (hit)
        ev->intake = hit->intake;
}

static triage_status_t decode_event(triage_event_t *ev, const void *data, size_t len)
{
    /* a schema-2 encoding (written by a development build) or 0.1's struct */
    if (len >= 4 && memcmp(data, TRIAGE__CODEC_MAGIC, 4) == 0)
        return triage__event_decode(ev, data, len);
    triage_status_t rc = triage__event_decode_v1(ev, data, len);
    return rc ? rc : triage__event_validate(ev);
}

static triage_status_t migrate_events(migration *m)
{
    triage__sort(m->intakes, m->nintakes, sizeof *m->intakes, cmp_case_intake);
    sqlite3_stmt *st;
    int src = sqlite3_prepare_v2(m->db, "SELECT seq, data FROM event ORDER BY seq", -1, &st, NULL);
    if (src)
        return sql_failed(m, src, "cannot read the schema-1 events");
    triage_status_t rc = TRIAGE_OK;
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        const void *data = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        triage_event_t ev;
        rc = decode_event(&ev, data ? data : "", len);
        if (rc)
            break;
        if (ev.seq != sqlite3_column_int64(st, 0)) {
            rc = triage__error(TRIAGE_ECORRUPT, "event.seq",
                               "stored event.seq is damaged: it does not match its key");
            break;
        }
        name_intake(m, &ev);
        rc = triage__event_encode(&m->wbuf, &ev);
        if (rc)
            break;
        triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, &ev, ev.seq, m->wbuf.p,
                                   m->wbuf.n};
        src = triage__sqlite_bind_event(m->insert_event, &se, &m->scratch);
        if (src) {
            sqlite3_reset(m->insert_event);
            sqlite3_clear_bindings(m->insert_event);
            rc = sql_failed(m, src, "cannot migrate an event");
        } else {
            rc = step_write(m, m->insert_event, "cannot migrate an event");
        }
    }
    if (!rc && src != SQLITE_DONE)
        rc = sql_failed(m, src, "cannot read the schema-1 events");
    sqlite3_finalize(st);
    return rc;
}

/* ---- the whole migration ------------------------------------------------------------ */

/* Every migrated record's owner is stored. Checked here, not left to the
 * deferred foreign keys at commit: dropping a schema-1 table whose rows
 * had no parent takes back violations that the same transaction's inserts
 * counted, so the commit alone could let a dangling record through. */
static triage_status_t check_owners(migration *m)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(m->db, "PRAGMA foreign_key_check", -1, &st, NULL);
    if (rc)
        return sql_failed(m, rc, "cannot check the migrated records");
    rc = sqlite3_step(st);
    triage_status_t out = TRIAGE_OK;
    if (rc == SQLITE_ROW)
        out = triage__error(TRIAGE_ECORRUPT, "path",
                            "the database is damaged: a record of %s refers to a record of %s "
                            "that is not stored",
                            (const char *)sqlite3_column_text(st, 0),
                            (const char *)sqlite3_column_text(st, 2));
    else if (rc != SQLITE_DONE)
        out = sql_failed(m, rc, "cannot check the migrated records");
    sqlite3_finalize(st);
    return out;
}

/* The tables of schema 1, as 0.1 created them: preparing a read of each
 * checks that they are there (and reads only the schema). */
static triage_status_t check_v1_tables(migration *m)
{
    static const char *const probes[] = {
        "SELECT ord, id, data FROM client",  "SELECT ord, id, data, client, stage FROM cases",
        "SELECT ord, id, data, role FROM worker", "SELECT ord, id, data, worker FROM absence",
        "SELECT seq, at_ms, case_id, kind, data FROM event",
    };
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(probes); i++) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(m->db, probes[i], -1, &st, NULL);
        sqlite3_finalize(st);
        if (rc) {
            int code = rc & 0xff;
            if (code == SQLITE_ERROR || code == SQLITE_CORRUPT)
                return triage__error_cause(TRIAGE_ECORRUPT, rc, "path",
                                           "the database is damaged: its tables do not match "
                                           "the libtriage schema 1");
            return sql_failed(m, rc, "cannot read the database");
        }
    }
    return TRIAGE_OK;
}

static triage_status_t prepare_inserts(migration *m)
{
    triage__text sql;
    triage__text_init(&sql, m->a);
    int rc = SQLITE_OK;
    for (int k = 0; k < TRIAGE__SQL_TABLES && !rc; k++) {
        sql.n = 0;
        triage__sql_insert(&sql, TRIAGE__SQL_SQLITE, triage__sql_table_of((triage_record_kind_t)(k + 1)));
        rc = sql.failed ? SQLITE_NOMEM : sqlite3_prepare_v2(m->db, sql.p, -1, &m->insert[k], NULL);
    }
    if (!rc) {
        sql.n = 0;
        triage__sql_event_insert(&sql, TRIAGE__SQL_SQLITE);
        rc = sql.failed ? SQLITE_NOMEM : sqlite3_prepare_v2(m->db, sql.p, -1, &m->insert_event, NULL);
    }
    triage__text_free(&sql);
    return rc ? sql_failed(m, rc, "cannot prepare the migration") : TRIAGE_OK;
}

static triage_status_t last_v1_seq(migration *m)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(m->db, "SELECT coalesce(max(seq), 0) FROM event", -1, &st, NULL);
    if (rc)
        return sql_failed(m, rc, "cannot read the schema-1 events");
    rc = sqlite3_step(st);
    int64_t last = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    triage_status_t out = rc == SQLITE_ROW ? TRIAGE_OK
                                           : sql_failed(m, rc, "cannot read the schema-1 events");
    sqlite3_finalize(st);
    /* records without any event (a hand-made file) still need a revision */
    m->revision = last > 0 ? last : 1;
    return out;
}

triage_status_t triage__sqlite_migrate_v1(sqlite3 *db, const triage_allocator_t *alloc)
{
    migration m;
    memset(&m, 0, sizeof m);
    m.db = db;
    m.a = alloc;
    m.wbuf.alloc = alloc;
    triage__text_init(&m.scratch, alloc);
    /* creation numbers from INT64_MIN + 1 up: before every later record */
    m.created = INT64_MIN;
    triage_status_t rc = check_v1_tables(&m);
    if (!rc)
        rc = last_v1_seq(&m);
    /* schema 2 has a table `cases` of its own */
    if (!rc)
        rc = exec(&m, "ALTER TABLE cases RENAME TO cases_v1", "cannot migrate the database");
    if (!rc) {
        triage__text ddl;
        triage__text_init(&ddl, alloc);
        triage__sql_create(&ddl, TRIAGE__SQL_SQLITE);
        rc = triage__text_end(&ddl);
        if (!rc) {
            rc = exec(&m, ddl.p, "cannot create the tables of schema 2");
            triage__text_free(&ddl);
        }
    }
    if (!rc)
        rc = prepare_inserts(&m);
    if (!rc)
        rc = migrate_table(&m, TRIAGE__T_CLIENT, "SELECT id, data FROM client ORDER BY ord");
    if (!rc)
        rc = migrate_table(&m, TRIAGE__T_CASE, "SELECT id, data FROM cases_v1 ORDER BY ord");
    if (!rc)
        rc = migrate_table(&m, TRIAGE__T_WORKER, "SELECT id, data FROM worker ORDER BY ord");
    if (!rc)
        rc = migrate_table(&m, TRIAGE__T_ABSENCE, "SELECT id, data FROM absence ORDER BY ord");
    if (!rc)
        rc = migrate_events(&m);
    for (int k = 0; k < TRIAGE__SQL_TABLES; k++)
        sqlite3_finalize(m.insert[k]);
    sqlite3_finalize(m.insert_event);
    /* children before the tables they refer to */
    if (!rc)
        rc = exec(&m,
                  "DROP TABLE cases_v1; DROP TABLE absence; DROP TABLE client; DROP TABLE worker;"
                  " DROP TABLE event;"
                  " INSERT INTO meta VALUES ('migrated_from', '1');",
                  "cannot drop the tables of schema 1");
    if (!rc)
        rc = check_owners(&m);
    triage__free(alloc, m.wbuf.p);
    triage__text_free(&m.scratch);
    triage__free(alloc, m.intakes);
    return rc;
}
