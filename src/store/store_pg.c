/*
 * The PostgreSQL store (triage_store_postgresql): an interface-2 store on a
 * PostgreSQL database that any number of engines share, each with its own
 * connection (docs/storage.md, "The PostgreSQL store").
 *
 * - Tables: the relational tables of schema 2 (sql_schema.c, dialect
 *   PostgreSQL) in a schema of the caller's choice, found through the
 *   session's search_path. The store creates them on first use and brings
 *   an older version up to date, each in one transaction under a setup
 *   lock; a schema holding other tables, or tables of a newer libtriage, is
 *   refused before anything is written.
 * - Writes: `begin` starts a READ COMMITTED transaction and takes the
 *   database's write lock (a transaction-scoped advisory lock named after
 *   the schema), then reads the last event sequence number. Commits are
 *   serialised by the gap-free event order anyway; taking the lock first
 *   means a commit never waits on another's row locks (no deadlocks, no
 *   wait for PostgreSQL's deadlock detector) and every statement after it
 *   sees every commit before it. A record is written with
 *   `UPDATE ... WHERE id = $1 AND revision = <the revision the writer read>`
 *   (no row: TRIAGE_ECONFLICT) or an INSERT (a unique violation:
 *   TRIAGE_ECONFLICT); an event whose number is not one above the last is
 *   TRIAGE_ECONFLICT without a round trip. A lock wait beyond the lock
 *   timeout is a lost race too (TRIAGE_ECONFLICT: the engine retries).
 *   synchronous_commit is on for the session: COMMIT returns when the
 *   commit is on disk.
 * - Reads: `read_begin` opens a REPEATABLE READ READ ONLY transaction, one
 *   snapshot for the reads until `read_end`; other reads run as single
 *   statements. Lists stream row by row (libpq's single-row mode), so a
 *   long list never sits in memory as a whole.
 * - Statements are prepared once per connection (the list queries on first
 *   use) and take and return binary values.
 * - Errors never carry the connection string, a password or a value from a
 *   row: messages are built from the SQLSTATE, the step and PostgreSQL's
 *   primary message (except for data exceptions, whose messages may quote
 *   values); a libpq message that contains the password is replaced.
 * - A lost connection fails the call that meets it (TRIAGE_ESTORE); the
 *   next call outside a transaction connects again (PQreset) and sets the
 *   session up as at open.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "store/sql_schema.h"

/* The first schema version of the PostgreSQL tables (schema 1 existed
 * only in SQLite). */
#define PG_FIRST_VERSION 2
#define PG_VERSION TRIAGE__SQL_SCHEMA_VERSION

/* Migrations of the PostgreSQL tables: entry i brings them from version
 * PG_FIRST_VERSION + i to the next; one transaction with the update of the
 * meta row. None yet. */
static const char *const migrations[] = {NULL};
#define NMIGRATIONS 0

/* Advisory lock keys (class "TRIA" for writes, "TRIS" for schema set-up;
 * the second key is a hash of the schema name). */
#define LOCK_WRITE 0x54524941
#define LOCK_SETUP 0x54524953

/* Type OIDs (pg_type.h; stable across versions). */
#define OID_INT8 20
#define OID_UUID 2950
#define OID_DATE 1082

/* Days from 1970-01-01 to 2000-01-01, PostgreSQL's date epoch. */
#define PG_EPOCH_DAYS 10957

#define MAX_PARAMS 64
#define NKINDS TRIAGE__SQL_TABLES
/* List queries: bit 1 owner, 2 changed after, 4 open only. */
#define NMASKS 8

typedef struct {
    triage_allocator_t alloc;
    PGconn *conn;
    char schema[64];
    int32_t lock_timeout_ms, statement_timeout_ms;
    uint32_t schema_hash;
    int in_txn;        /* a write transaction is open */
    int in_read;       /* a read snapshot is open */
    int busy;          /* a list is streaming: visitors may not call the store */
    int64_t txn_last;  /* the last event sequence number in the open transaction */
    uint64_t prepared; /* list queries prepared on this connection: bit kind*8+mask */
    char begin_sql[160];
} triage__pg_store;

/* ---- values ------------------------------------------------------------------------ */

static void put_be(unsigned char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t triage__pg_get_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t triage__pg_fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* PostgreSQL's packing of a SQLSTATE into an int (6 bits a character, the
 * first in the lowest bits): positive, and 0 for none. */
static int triage__pg_pack_sqlstate(const char *st)
{
    if (!st || strlen(st) != 5)
        return 0;
    int v = 0;
    for (int i = 0; i < 5; i++)
        v += ((st[i] - '0') & 0x3f) << (6 * i);
    return v;
}

/* A statement's parameters. Fixed-size values live in `scratch`; texts and
 * lists in `var` (pointers fixed when the parameters are complete). */
typedef struct {
    int n;
    const char *val[MAX_PARAMS];
    int len[MAX_PARAMS];
    int fmt[MAX_PARAMS];
    unsigned char scratch[MAX_PARAMS][16];
    size_t var_off[MAX_PARAMS]; /* offset + 1 into var, 0: not variable */
    triage__text var;
    int overflow;
} triage__pg_params;

static void triage__pg_params_init(triage__pg_params *p, const triage_allocator_t *a)
{
    p->n = 0;
    p->overflow = 0;
    triage__text_init(&p->var, a);
}

static int slot(triage__pg_params *p)
{
    if (p->n >= MAX_PARAMS) {
        p->overflow = 1;
        return -1;
    }
    int i = p->n++;
    p->fmt[i] = 1;
    p->var_off[i] = 0;
    return i;
}

static void triage__pg_p_null(triage__pg_params *p)
{
    int i = slot(p);
    if (i >= 0) {
        p->val[i] = NULL;
        p->len[i] = 0;
    }
}

static void p_int(triage__pg_params *p, int64_t v, int bytes)
{
    int i = slot(p);
    if (i < 0)
        return;
    put_be(p->scratch[i], (uint64_t)v, bytes);
    p->val[i] = (const char *)p->scratch[i];
    p->len[i] = bytes;
}

static void triage__pg_p_i64(triage__pg_params *p, int64_t v)
{
    p_int(p, v, 8);
}

static void triage__pg_p_real(triage__pg_params *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    p_int(p, (int64_t)bits, 8);
}

static void triage__pg_p_id(triage__pg_params *p, const triage_id_t *id)
{
    int i = slot(p);
    if (i < 0)
        return;
    memcpy(p->scratch[i], id->bytes, 16);
    p->val[i] = (const char *)p->scratch[i];
    p->len[i] = 16;
}

static void triage__pg_p_date(triage__pg_params *p, triage_date_t d)
{
    p_int(p, (int64_t)d - PG_EPOCH_DAYS, 4);
}

static void triage__pg_p_bytes(triage__pg_params *p, const void *data, size_t len)
{
    int i = slot(p);
    if (i < 0)
        return;
    if (len > INT32_MAX) {
        p->overflow = 1;
        len = 0;
    }
    p->val[i] = data ? (const char *)data : "";
    p->len[i] = (int)len;
}

/* A text or a list, copied into `var`: `jsonb` puts jsonb's binary
 * version byte first. */
static void triage__pg_p_var_begin(triage__pg_params *p, int *i, int jsonb)
{
    *i = slot(p);
    if (*i < 0)
        return;
    p->var_off[*i] = p->var.n + 1;
    if (jsonb)
        triage__text_add(&p->var, "%c", 1);
}

static void triage__pg_p_var_end(triage__pg_params *p, int i)
{
    if (i >= 0)
        p->len[i] = (int)(p->var.n + 1 - p->var_off[i]);
}

/* Points the variable parameters into `var`; -2 when it failed to grow. */
static int triage__pg_params_done(triage__pg_params *p)
{
    if (p->var.failed)
        return -2;
    for (int i = 0; i < p->n; i++)
        if (p->var_off[i])
            p->val[i] = p->var.p + p->var_off[i] - 1;
    return p->overflow ? -1 : 0;
}

static void triage__pg_params_free(triage__pg_params *p)
{
    triage__text_free(&p->var);
}

/* ---- errors ---------------------------------------------------------------------- */

/* Copies the first line of a message into `out`, or "" when it would show
 * `secret` (a password; an empty or absent one hides nothing). */
static void triage__pg_safe_line(char *out, size_t cap, const char *msg, const char *secret)
{
    out[0] = '\0';
    if (!msg)
        return;
    if (secret && *secret && strstr(msg, secret))
        return;
    size_t k = 0;
    for (const char *c = msg; *c && *c != '\n' && k + 1 < cap; c++)
        out[k++] = (*c == '\t' || *c == '\r') ? ' ' : *c;
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

/* The status a failed statement maps to: a lost race, damage, or a failure
 * of the store (the packed SQLSTATE). `msg` gets a message without values. */
static int triage__pg_classify(triage__pg_store *s, const PGresult *res, const char *what,
                               char *msg, size_t cap)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    char line[200];
    if (!st || PQstatus(s->conn) == CONNECTION_BAD) {
        triage__pg_safe_line(line, sizeof line, PQerrorMessage(s->conn), PQpass(s->conn));
        if (PQstatus(s->conn) == CONNECTION_BAD) {
            snprintf(msg, cap, "PostgreSQL: %s: the connection to the server is lost%s%s", what,
                     line[0] ? ": " : "", line);
            return triage__pg_pack_sqlstate("08006");
        }
        snprintf(msg, cap, "PostgreSQL: %s failed%s%s", what, line[0] ? ": " : "", line);
        return triage__pg_pack_sqlstate("58000");
    }
    /* data exceptions (class 22) may quote a value: their text is left out */
    if (strncmp(st, "22", 2) == 0)
        line[0] = '\0';
    else
        triage__pg_safe_line(line, sizeof line, PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY),
                             PQpass(s->conn));
    snprintf(msg, cap, "PostgreSQL: %s: %s%s(SQLSTATE %s)", what, line, line[0] ? " " : "", st);
    if (!strcmp(st, "40001") || !strcmp(st, "40P01") || !strcmp(st, "55P03") ||
        !strcmp(st, "23505"))
        return TRIAGE_ECONFLICT;
    if (!strcmp(st, "XX001") || !strcmp(st, "XX002"))
        return TRIAGE_ECORRUPT;
    return triage__pg_pack_sqlstate(st);
}

/* From a callback: sets the store's message and returns its code. */
static int triage__pg_fail(triage__pg_store *s, const PGresult *res, const char *what)
{
    char msg[240];
    int rc = triage__pg_classify(s, res, what, msg, sizeof msg);
    triage_store_error_set(msg);
    return rc;
}

static int triage__pg_misuse(const char *message)
{
    triage_store_error_set(message);
    return TRIAGE_EINVAL;
}

static int triage__pg_damaged(const char *message)
{
    triage_store_error_set(message);
    return TRIAGE_ECORRUPT;
}

/* ---- running statements ------------------------------------------------------------ */

/* Runs a prepared statement; the result (or NULL when it failed, the
 * status in *rc) is the caller's to PQclear. */
static PGresult *triage__pg_run(triage__pg_store *s, const char *name, const triage__pg_params *p,
                                int *rc, const char *what)
{
    PGresult *res = PQexecPrepared(s->conn, name, p ? p->n : 0, p ? p->val : NULL,
                                   p ? p->len : NULL, p ? p->fmt : NULL, 1);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        *rc = 0;
        return res;
    }
    *rc = triage__pg_fail(s, res, what);
    PQclear(res);
    return NULL;
}

/* Runs SQL text (no parameters, any number of statements); 0 or the status. */
static int triage__pg_exec_sql(triage__pg_store *s, const char *sql, const char *what)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = triage__pg_fail(s, res, what);
    PQclear(res);
    return rc;
}

/* One row at a time: `row` gets each (row 0 of its result). */
typedef int (*triage__pg_row_fn)(void *ctx, const PGresult *res);

static int triage__pg_stream(triage__pg_store *s, const char *name, const triage__pg_params *p,
                             triage__pg_row_fn row, void *ctx, const char *what)
{
    if (!PQsendQueryPrepared(s->conn, name, p->n, p->val, p->len, p->fmt, 1))
        return triage__pg_fail(s, NULL, what);
    PQsetSingleRowMode(s->conn);
    int ret = 0, stopped = 0;
    PGresult *res;
    s->busy = 1;
    while ((res = PQgetResult(s->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE) {
            if (!stopped) {
                ret = row(ctx, res);
                stopped = ret != 0; /* the rest is read and dropped */
            }
        } else if (st != PGRES_TUPLES_OK && !stopped) {
            ret = triage__pg_fail(s, res, what);
            stopped = 1;
        }
        PQclear(res);
    }
    s->busy = 0;
    return ret;
}

/* ---- the connection ------------------------------------------------------------------ */

static int triage__pg_prepare(triage__pg_store *s, const char *name, const char *sql, int ntypes,
                              const Oid *types)
{
    PGresult *res = PQprepare(s->conn, name, sql, ntypes, types);
    int rc =
        res && PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : triage__pg_fail(s, res, "prepare");
    PQclear(res);
    return rc;
}

static const char *const event_query =
    "SELECT seq, data FROM events WHERE seq > $1 AND seq <= $2 AND at_ms >= $3 AND at_ms <= $4";

/* Prepares the statements every connection has. */
static int triage__pg_prepare_all(triage__pg_store *s)
{
    triage__text t;
    int rc = triage__pg_prepare(s, "last_seq", "SELECT coalesce(max(seq), 0)::bigint FROM events",
                                0, NULL);
    for (int k = 1; k <= NKINDS && !rc; k++) {
        const triage__sql_table *tb = triage__sql_table_of((triage_record_kind_t)k);
        char name[16];
        triage__text_init(&t, &s->alloc);
        triage__sql_insert(&t, TRIAGE__SQL_POSTGRES, tb);
        if (triage__text_end(&t))
            return TRIAGE_ENOMEM;
        snprintf(name, sizeof name, "ins%d", k);
        rc = triage__pg_prepare(s, name, t.p, 0, NULL);
        triage__text_free(&t);
        if (rc)
            break;
        triage__text_init(&t, &s->alloc);
        triage__sql_update(&t, TRIAGE__SQL_POSTGRES, tb);
        if (triage__text_end(&t))
            return TRIAGE_ENOMEM;
        snprintf(name, sizeof name, "upd%d", k);
        rc = triage__pg_prepare(s, name, t.p, 0, NULL);
        triage__text_free(&t);
        if (rc)
            break;
        triage__text_init(&t, &s->alloc);
        triage__sql_select(&t, tb);
        triage__text_add(&t, " WHERE id = $1");
        if (triage__text_end(&t))
            return TRIAGE_ENOMEM;
        snprintf(name, sizeof name, "get%d", k);
        Oid uuid = OID_UUID;
        rc = triage__pg_prepare(s, name, t.p, 1, &uuid);
        triage__text_free(&t);
    }
    if (!rc) {
        triage__text_init(&t, &s->alloc);
        triage__sql_event_insert(&t, TRIAGE__SQL_POSTGRES);
        if (triage__text_end(&t))
            return TRIAGE_ENOMEM;
        rc = triage__pg_prepare(s, "ev_ins", t.p, 0, NULL);
        triage__text_free(&t);
    }
    static const Oid ev_types[] = {OID_INT8, OID_INT8, OID_INT8, OID_INT8, OID_INT8, OID_UUID};
    char sql[256];
    if (!rc) {
        snprintf(sql, sizeof sql, "%s ORDER BY seq LIMIT $5", event_query);
        rc = triage__pg_prepare(s, "ev_q", sql, 5, ev_types);
    }
    if (!rc) {
        snprintf(sql, sizeof sql, "%s AND case_id = $6 ORDER BY seq LIMIT $5", event_query);
        rc = triage__pg_prepare(s, "ev_qc", sql, 6, ev_types);
    }
    s->prepared = 0;
    return rc;
}

/* The session's settings: the schema, durability, timeouts (a statement
 * timeout of 0 leaves the server's or the role's setting). */
static int triage__pg_session_setup(triage__pg_store *s)
{
    char sql[400], stmt[64] = "";
    if (s->statement_timeout_ms > 0)
        snprintf(stmt, sizeof stmt, "; SET statement_timeout TO %ld",
                 (long)s->statement_timeout_ms);
    snprintf(sql, sizeof sql,
             "SET search_path TO \"%s\"; SET synchronous_commit TO on; "
             "SET lock_timeout TO %ld; SET client_encoding TO 'UTF8'%s",
             s->schema, (long)s->lock_timeout_ms, stmt);
    return triage__pg_exec_sql(s, sql, "set up the session");
}

/* Reads the schema's version mark; 0 when it is libtriage's at the
 * current version, else a status with the store's message set. */
static int check_meta(triage__pg_store *s)
{
    PGresult *res = PQexec(s->conn, "SELECT value FROM meta WHERE key = 'schema'");
    int rc = 0;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = triage__pg_fail(s, res, "read the schema version");
    else if (PQntuples(res) != 1 || atoi(PQgetvalue(res, 0, 0)) != PG_VERSION)
        rc = triage__pg_misuse(
            "PostgreSQL: the schema's version changed while the connection was lost");
    PQclear(res);
    return rc;
}

/* Connects again after the connection was lost, when no transaction is
 * open (its work is gone with the connection anyway). */
static int triage__pg_alive(triage__pg_store *s)
{
    if (s->busy)
        return triage__pg_misuse(
            "the PostgreSQL store was called from inside one of its own visitors");
    if (PQstatus(s->conn) == CONNECTION_OK)
        return 0;
    if (s->in_txn || s->in_read)
        return triage__pg_fail(s, NULL, "the transaction");
    PQreset(s->conn);
    if (PQstatus(s->conn) != CONNECTION_OK)
        return triage__pg_fail(s, NULL, "reconnect");
    int rc = triage__pg_session_setup(s);
    if (!rc)
        rc = check_meta(s);
    if (!rc)
        rc = triage__pg_prepare_all(s);
    return rc;
}

/* ---- transactions --------------------------------------------------------------------- */

static int pg_begin(void *ud)
{
    triage__pg_store *s = ud;
    if (s->in_txn || s->in_read)
        return triage__pg_misuse("a PostgreSQL store transaction inside another");
    int rc = triage__pg_alive(s);
    if (rc)
        return rc;
    /* one round trip: the transaction, the write lock, then (a statement
     * of its own, so a snapshot taken after the lock) the last number */
    PGresult *res = PQexec(s->conn, s->begin_sql);
    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        s->txn_last = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        s->in_txn = 1;
        PQclear(res);
        return 0;
    }
    rc = triage__pg_fail(s, res, "begin");
    PQclear(res);
    /* the engine rolls back only what began: end what did here */
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE &&
        PQstatus(s->conn) == CONNECTION_OK)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    return rc;
}

static int pg_commit(void *ud)
{
    triage__pg_store *s = ud;
    if (!s->in_txn)
        return triage__pg_misuse("commit without a PostgreSQL store transaction");
    PGresult *res = PQexec(s->conn, "COMMIT");
    int rc = 0;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        if (PQstatus(s->conn) == CONNECTION_BAD) {
            triage_store_error_set("PostgreSQL: the connection was lost during COMMIT: whether "
                                   "it committed is unknown (the next call reads what it did)");
            rc = triage__pg_pack_sqlstate("08006");
        } else {
            rc = triage__pg_fail(s, res, "commit");
        }
    } else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        rc = triage__pg_misuse("PostgreSQL: the transaction had failed and was rolled back");
    }
    PQclear(res);
    if (rc == 0 || PQtransactionStatus(s->conn) == PQTRANS_IDLE)
        s->in_txn = 0;
    return rc;
}

static int pg_rollback(void *ud)
{
    triage__pg_store *s = ud;
    s->in_txn = 0;
    if (PQstatus(s->conn) != CONNECTION_OK)
        return 0; /* the server ends a lost session's transaction itself */
    if (PQtransactionStatus(s->conn) == PQTRANS_IDLE)
        return 0;
    return triage__pg_exec_sql(s, "ROLLBACK", "rollback");
}

static int pg_read_begin(void *ud)
{
    triage__pg_store *s = ud;
    if (s->in_txn || s->in_read)
        return triage__pg_misuse("a PostgreSQL read snapshot inside a transaction");
    int rc = triage__pg_alive(s);
    if (!rc)
        rc =
            triage__pg_exec_sql(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "read_begin");
    if (!rc)
        s->in_read = 1;
    return rc;
}

static int pg_read_end(void *ud)
{
    triage__pg_store *s = ud;
    if (!s->in_read)
        return triage__pg_misuse("read_end without a PostgreSQL read snapshot");
    s->in_read = 0;
    if (PQstatus(s->conn) != CONNECTION_OK)
        return 0;
    /* COMMIT ends a read-only transaction, also one that failed */
    return triage__pg_exec_sql(
        s, PQtransactionStatus(s->conn) == PQTRANS_INERROR ? "ROLLBACK" : "COMMIT", "read_end");
}

/* ---- records ---------------------------------------------------------------------------- */

static const triage_field_t *field_of(const triage_store_record_t *r, size_t guess,
                                      const char *name)
{
    if (guess < r->nfields && r->fields[guess].name && !strcmp(r->fields[guess].name, name))
        return &r->fields[guess];
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].name && !strcmp(r->fields[i].name, name))
            return &r->fields[i];
    return NULL;
}

/* One typed column as a parameter of the column's type (sql_schema.c). */
static int bind_field(triage__pg_params *p, const triage__field *col, const triage_field_t *f)
{
    if (!f)
        return -1;
    if (f->is_null) {
        triage__pg_p_null(p);
        return 0;
    }
    int i;
    switch (col->mem) {
    case TRIAGE__M_F64:
        if (f->type != TRIAGE_FIELD_REAL)
            return -1;
        triage__pg_p_real(p, f->r);
        return 0;
    case TRIAGE__M_ID:
        if (f->type != TRIAGE_FIELD_ID)
            return -1;
        triage__pg_p_id(p, &f->id);
        return 0;
    case TRIAGE__M_TEXT:
        if (f->type != TRIAGE_FIELD_TEXT || !f->text)
            return -1;
        triage__pg_p_var_begin(p, &i, 0);
        triage__text_add(&p->var, "%s", f->text);
        triage__pg_p_var_end(p, i);
        return 0;
    case TRIAGE__M_INTS:
        if (f->type != TRIAGE_FIELD_INTS || (f->nints && !f->ints))
            return -1;
        triage__pg_p_var_begin(p, &i, 1);
        triage__sql_ints(&p->var, f->ints, f->nints);
        triage__pg_p_var_end(p, i);
        return 0;
    case TRIAGE__M_BYTES:
        return -1;
    default:
        if (col->flags & TRIAGE__F_DATE) {
            if (f->type != TRIAGE_FIELD_DATE)
                return -1;
            triage__pg_p_date(p, (triage_date_t)f->i);
        } else {
            if (f->type != TRIAGE_FIELD_INT)
                return -1;
            triage__pg_p_i64(p, f->i);
        }
        return 0;
    }
}

/* Binds a table's typed columns from the fields given for them. */
static int bind_columns(triage__pg_params *p, const triage__schema *sc, size_t first,
                        const triage_store_record_t *r, const char **missing)
{
    size_t k = 0;
    for (size_t i = first; i < sc->nfields; i++) {
        const triage__field *col = &sc->fields[i];
        if (!triage__sql_is_column(col))
            continue;
        if (bind_field(p, col, field_of(r, k, col->name))) {
            *missing = col->name;
            return -1;
        }
        k++;
    }
    return 0;
}

static int valid_kind(triage_record_kind_t kind)
{
    return kind >= TRIAGE_RECORD_CLIENT && (int)kind <= NKINDS;
}

static int pg_put_record(void *ud, const triage_store_record_t *r)
{
    triage__pg_store *s = ud;
    if (s->busy)
        return triage__pg_misuse(
            "the PostgreSQL store was called from inside one of its own visitors");
    if (!s->in_txn)
        return triage__pg_misuse("put_record outside a PostgreSQL store transaction");
    if (!r || r->version < 1 || !r->data || !valid_kind(r->kind))
        return triage__pg_misuse("put_record: not a record");
    const triage__sql_table *t = triage__sql_table_of(r->kind);
    triage__pg_params p;
    triage__pg_params_init(&p, &s->alloc);
    triage__pg_p_id(&p, &r->id);
    triage__pg_p_i64(&p, r->revision);
    triage__pg_p_i64(&p, r->created);
    const char *missing = NULL;
    if (bind_columns(&p, t->schema, TRIAGE__SQL_FIRST_FIELD, r, &missing)) {
        char msg[128];
        snprintf(msg, sizeof msg, "put_record: the %s record has no usable column %s", t->name,
                 missing);
        triage__pg_params_free(&p);
        return triage__pg_misuse(msg);
    }
    triage__pg_p_bytes(&p, r->data, r->len);
    if (r->expected_revision)
        triage__pg_p_i64(&p, r->expected_revision);
    int rc = triage__pg_params_done(&p);
    if (rc) {
        triage__pg_params_free(&p);
        return rc == -2 ? TRIAGE_ENOMEM : triage__pg_misuse("put_record: too many columns");
    }
    char name[16];
    snprintf(name, sizeof name, "%s%d", r->expected_revision ? "upd" : "ins", (int)r->kind);
    PGresult *res = triage__pg_run(s, name, &p, &rc,
                                   r->expected_revision ? "update a record" : "insert a record");
    triage__pg_params_free(&p);
    if (res && r->expected_revision && strcmp(PQcmdTuples(res), "1") != 0) {
        /* no row at the revision the writer read: another engine wrote it */
        triage_store_error_set("PostgreSQL: the record changed since it was read");
        rc = TRIAGE_ECONFLICT;
    }
    PQclear(res);
    return rc;
}

/* A row of a record table (id, revision, created, data[, owner]) as a
 * record for the engine. */
typedef struct {
    triage__pg_store *s;
    triage_record_kind_t kind;
    triage_store_record_fn visit;
    void *ctx;
    int owner_col;
    int found;
} rec_ctx;

static int visit_row(void *vctx, const PGresult *res)
{
    rec_ctx *x = vctx;
    triage_store_record_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_STORE_RECORD_VERSION;
    r.kind = x->kind;
    if (PQgetisnull(res, 0, 0) || PQgetlength(res, 0, 0) != 16 || PQgetisnull(res, 0, 1) ||
        PQgetlength(res, 0, 1) != 8 || PQgetisnull(res, 0, 2) || PQgetlength(res, 0, 2) != 8 ||
        PQgetisnull(res, 0, 3))
        return triage__pg_damaged("a stored row is damaged: its id, revision, created or data");
    memcpy(r.id.bytes, PQgetvalue(res, 0, 0), 16);
    r.revision = (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, 0, 1), 8);
    r.created = (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, 0, 2), 8);
    r.data = PQgetvalue(res, 0, 3);
    r.len = (size_t)PQgetlength(res, 0, 3);
    if (x->owner_col && !PQgetisnull(res, 0, 4)) {
        if (PQgetlength(res, 0, 4) != 16)
            return triage__pg_damaged("a stored row is damaged: its owner");
        memcpy(r.owner.bytes, PQgetvalue(res, 0, 4), 16);
    }
    x->found = 1;
    return x->visit(x->ctx, &r);
}

static int pg_get_record(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                         triage_store_record_fn visit, void *ctx)
{
    triage__pg_store *s = ud;
    if (!valid_kind(kind) || !id || !visit)
        return triage__pg_misuse("get_record: bad arguments");
    int rc = triage__pg_alive(s);
    if (rc)
        return rc;
    triage__pg_params p;
    triage__pg_params_init(&p, &s->alloc);
    triage__pg_p_id(&p, id);
    char name[16];
    snprintf(name, sizeof name, "get%d", (int)kind);
    PGresult *res = triage__pg_run(s, name, &p, &rc, "read a record");
    triage__pg_params_free(&p);
    if (!res)
        return rc;
    rec_ctx x = {s, kind, visit, ctx, triage__sql_table_of(kind)->owner != NULL, 0};
    if (PQntuples(res) == 0)
        rc = TRIAGE_ENOTFOUND;
    else
        rc = visit_row(&x, res);
    PQclear(res);
    return rc;
}

/* Prepares (once per connection) the list query of a kind and filter mask. */
static int list_statement(triage__pg_store *s, const triage__sql_table *t, int mask, char name[16])
{
    snprintf(name, 16, "q%d_%d", (int)t->kind, mask);
    uint64_t bit = UINT64_C(1) << ((int)t->kind * NMASKS + mask);
    if (s->prepared & bit)
        return 0;
    triage__text q;
    triage__text_init(&q, &s->alloc);
    triage__sql_select(&q, t);
    const char *sep = " WHERE ";
    if (mask & 1) {
        triage__text_add(&q, "%s\"%s\" = $1", sep, t->owner);
        sep = " AND ";
    }
    if (mask & 2) {
        triage__text_add(&q, "%srevision > $2", sep);
        sep = " AND ";
    }
    if (mask & 4) {
        if (t->kind == TRIAGE_RECORD_CASE)
            triage__text_add(&q, "%s\"stage\" <> %d", sep, (int)TRIAGE_STAGE_CLOSED);
        else if (t->kind == TRIAGE_RECORD_CLIENT)
            triage__text_add(&q, "%s(\"active_case\" IS NOT NULL OR \"last_activity\" >= $3)",
                             sep);
        else
            triage__text_add(&q,
                             "%sEXISTS (SELECT 1 FROM cases c WHERE c.id = %s.\"case_id\""
                             " AND c.\"stage\" <> %d)",
                             sep, t->name, (int)TRIAGE_STAGE_CLOSED);
    }
    triage__text_add(&q, " ORDER BY created, id");
    if (triage__text_end(&q))
        return TRIAGE_ENOMEM;
    static const Oid types[] = {OID_UUID, OID_INT8, OID_DATE};
    int rc = triage__pg_prepare(s, name, q.p, 3, types);
    triage__text_free(&q);
    if (!rc)
        s->prepared |= bit;
    return rc;
}

static int pg_query_records(void *ud, const triage_store_query_t *q, triage_store_record_fn visit,
                            void *ctx)
{
    triage__pg_store *s = ud;
    if (!q || q->version < 1 || !valid_kind(q->kind) || !visit)
        return triage__pg_misuse("query_records: bad arguments");
    int rc = triage__pg_alive(s);
    if (rc)
        return rc;
    const triage__sql_table *t = triage__sql_table_of(q->kind);
    int mask = 0;
    if (!triage_id_is_nil(&q->owner)) {
        if (!t->owner)
            return 0; /* records of this kind have no owner */
        mask |= 1;
    }
    if (q->changed_after > 0)
        mask |= 2;
    /* the hints: open cases and their rows, busy or recent clients */
    if (q->open_only &&
        (t->kind == TRIAGE_RECORD_CASE || t->kind == TRIAGE_RECORD_INTAKE ||
         t->kind == TRIAGE_RECORD_DEADLINE ||
         (t->kind == TRIAGE_RECORD_CLIENT && q->active_since != TRIAGE_DATE_NONE)))
        mask |= 4;
    char name[16];
    rc = list_statement(s, t, mask, name);
    if (rc)
        return rc;
    triage__pg_params p;
    triage__pg_params_init(&p, &s->alloc);
    if (mask & 1)
        triage__pg_p_id(&p, &q->owner);
    else
        triage__pg_p_null(&p);
    triage__pg_p_i64(&p, q->changed_after);
    if (mask & 4 && t->kind == TRIAGE_RECORD_CLIENT)
        triage__pg_p_date(&p, q->active_since);
    else
        triage__pg_p_null(&p);
    rec_ctx x = {s, q->kind, visit, ctx, t->owner != NULL, 0};
    rc = triage__pg_stream(s, name, &p, visit_row, &x, "list records");
    triage__pg_params_free(&p);
    return rc;
}

/* ---- events ------------------------------------------------------------------------------ */

static int pg_last_seq(void *ud, int64_t *out)
{
    triage__pg_store *s = ud;
    if (!out)
        return triage__pg_misuse("last_seq: bad arguments");
    if (s->in_txn) {
        /* a write transaction holds the write lock: nobody else commits,
         * and `begin` read the number (the engine asks at once, to see
         * whether it lost a race, and again in the refresh that follows:
         * two round trips saved while the lock is held) */
        *out = s->txn_last;
        return 0;
    }
    int rc = triage__pg_alive(s);
    if (rc)
        return rc;
    PGresult *res = triage__pg_run(s, "last_seq", NULL, &rc, "read the last sequence number");
    if (!res)
        return rc;
    if (PQntuples(res) != 1 || PQgetlength(res, 0, 0) != 8)
        rc = triage__pg_damaged("PostgreSQL: the last sequence number is unreadable");
    else
        *out = (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, 0, 0), 8);
    PQclear(res);
    return rc;
}

static int pg_append_event2(void *ud, const triage_store_event_t *se)
{
    triage__pg_store *s = ud;
    if (s->busy)
        return triage__pg_misuse(
            "the PostgreSQL store was called from inside one of its own visitors");
    if (!s->in_txn)
        return triage__pg_misuse("append_event2 outside a PostgreSQL store transaction");
    if (!se || se->version < 1 || !se->event || !se->data)
        return triage__pg_misuse("append_event2: not an event");
    if (se->seq != s->txn_last + 1) {
        triage_store_error_set("PostgreSQL: another engine took that event sequence number");
        return TRIAGE_ECONFLICT;
    }
    triage_field_t cols[32];
    size_t n = triage__codec_columns(cols, 32, &triage__event_schema, se->event, 0);
    triage_store_record_t view;
    memset(&view, 0, sizeof view);
    view.fields = cols;
    view.nfields = n < 32 ? n : 32;
    triage__pg_params p;
    triage__pg_params_init(&p, &s->alloc);
    const char *missing = NULL;
    if (bind_columns(&p, &triage__event_schema, 0, &view, &missing)) {
        triage__pg_params_free(&p);
        return triage__pg_misuse("append_event2: an event column cannot be written");
    }
    triage__pg_p_bytes(&p, se->data, se->len);
    int rc = triage__pg_params_done(&p);
    if (rc) {
        triage__pg_params_free(&p);
        return rc == -2 ? TRIAGE_ENOMEM : triage__pg_misuse("append_event2: too many columns");
    }
    PGresult *res = triage__pg_run(s, "ev_ins", &p, &rc, "append an event");
    triage__pg_params_free(&p);
    PQclear(res);
    if (!rc)
        s->txn_last = se->seq;
    return rc;
}

typedef struct {
    triage_store_event_fn visit;
    void *ctx;
} ev_ctx;

static int visit_event(void *vctx, const PGresult *res)
{
    ev_ctx *x = vctx;
    if (PQgetisnull(res, 0, 0) || PQgetlength(res, 0, 0) != 8 || PQgetisnull(res, 0, 1))
        return triage__pg_damaged("a stored event row is damaged: its seq or data");
    triage_store_event_t se = {
        TRIAGE_STORE_EVENT_VERSION, NULL,
        (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, 0, 0), 8),
        PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1)};
    return x->visit(x->ctx, &se);
}

static int pg_query_events(void *ud, const triage_store_event_query_t *q,
                           triage_store_event_fn visit, void *ctx)
{
    triage__pg_store *s = ud;
    if (!q || q->version < 1 || !visit)
        return triage__pg_misuse("query_events: bad arguments");
    int rc = triage__pg_alive(s);
    if (rc)
        return rc;
    triage__pg_params p;
    triage__pg_params_init(&p, &s->alloc);
    triage__pg_p_i64(&p, q->after_seq);
    triage__pg_p_i64(&p, q->upto_seq);
    triage__pg_p_i64(&p, q->from_ms);
    triage__pg_p_i64(&p, q->to_ms);
    if (q->limit > 0)
        triage__pg_p_i64(&p, q->limit);
    else
        triage__pg_p_null(&p);
    int by_case = !triage_id_is_nil(&q->case_id);
    if (by_case)
        triage__pg_p_id(&p, &q->case_id);
    ev_ctx x = {visit, ctx};
    rc = triage__pg_stream(s, by_case ? "ev_qc" : "ev_q", &p, visit_event, &x, "list events");
    triage__pg_params_free(&p);
    return rc;
}

/* ---- closing --------------------------------------------------------------------------- */

static void pg_free(triage__pg_store *s)
{
    PQfinish(s->conn);
    triage_allocator_t a = s->alloc;
    triage__free(&a, s);
}

static void pg_destroy(void *ud)
{
    triage__pg_store *s = ud;
    s->busy = 0;
    if (s->in_txn)
        pg_rollback(s);
    else if (s->in_read)
        pg_read_end(s);
    pg_free(s);
}

/* ---- opening: the schema as it is ------------------------------------------------------ */

typedef enum {
    SCHEMA_MISSING,  /* no such schema */
    SCHEMA_EMPTY,    /* the schema has no tables or functions */
    SCHEMA_FOREIGN,  /* other tables, or a meta table not libtriage's */
    SCHEMA_CURRENT,
    SCHEMA_OLDER,
    SCHEMA_NEWER,
    SCHEMA_DAMAGED
} schema_state;

/* Looks at the schema without changing anything. The status is set (from
 * outside a callback) only when reading fails. */
static triage_status_t inspect(triage__pg_store *s, schema_state *state, long *version)
{
    const char *vals[1] = {s->schema};
    PGresult *res = PQexecParams(
        s->conn,
        "SELECT (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid"
        "        AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S'))"
        "     + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid),"
        "       (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid"
        "        AND c.relname = 'meta')"
        "  FROM pg_namespace n WHERE n.nspname = $1",
        1, NULL, vals, NULL, NULL, 0);
    char msg[240];
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        int code = triage__pg_classify(s, res, "read the schema", msg, sizeof msg);
        PQclear(res);
        return triage__error_cause(TRIAGE_ESTORE, code, "conninfo", "%s", msg);
    }
    *version = 0;
    if (PQntuples(res) == 0) {
        *state = SCHEMA_MISSING;
        PQclear(res);
        return TRIAGE_OK;
    }
    long objects = atol(PQgetvalue(res, 0, 0)), meta = atol(PQgetvalue(res, 0, 1));
    PQclear(res);
    if (!meta) {
        *state = objects ? SCHEMA_FOREIGN : SCHEMA_EMPTY;
        return TRIAGE_OK;
    }
    res = PQexec(s->conn, "SELECT key, value FROM meta WHERE key IN ('application', 'schema')");
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
        const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (st && !strncmp(st, "42", 2)) { /* a meta table of another shape */
            *state = SCHEMA_FOREIGN;
            PQclear(res);
            return TRIAGE_OK;
        }
        int code = triage__pg_classify(s, res, "read the schema version", msg, sizeof msg);
        PQclear(res);
        return triage__error_cause(TRIAGE_ESTORE, code, "conninfo", "%s", msg);
    }
    int ours = 0, has_version = 0;
    const char *text = NULL;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *k = PQgetvalue(res, i, 0), *v = PQgetvalue(res, i, 1);
        if (!strcmp(k, "application"))
            ours = !strcmp(v, "libtriage");
        else if (!strcmp(k, "schema")) {
            has_version = 1;
            text = v;
        }
    }
    if (!ours) {
        *state = SCHEMA_FOREIGN;
    } else if (!has_version) {
        *state = SCHEMA_DAMAGED;
    } else {
        char *end;
        long v = strtol(text, &end, 10);
        if (end == text || *end || v < PG_FIRST_VERSION)
            *state = SCHEMA_DAMAGED;
        else if (v > PG_VERSION)
            *state = SCHEMA_NEWER;
        else
            *state = v == PG_VERSION ? SCHEMA_CURRENT : SCHEMA_OLDER;
        *version = v;
    }
    PQclear(res);
    return TRIAGE_OK;
}

/* The refusals, made before anything is written. */
static triage_status_t refuse(const triage__pg_store *s, schema_state state, long version,
                              int create)
{
    switch (state) {
    case SCHEMA_FOREIGN:
        return triage__error(TRIAGE_ECONFLICT, "schema",
                             "the schema %s holds tables that are not libtriage's", s->schema);
    case SCHEMA_NEWER:
        return triage__error(TRIAGE_EVERSION, "schema",
                             "the schema %s was written by a newer libtriage (version %ld > %d)",
                             s->schema, version, PG_VERSION);
    case SCHEMA_DAMAGED:
        return triage__error(TRIAGE_ECORRUPT, "schema",
                             "the schema %s is damaged: its version mark is missing or impossible",
                             s->schema);
    case SCHEMA_MISSING:
    case SCHEMA_EMPTY:
        if (!create)
            return triage__error(TRIAGE_ENOTFOUND, "schema",
                                 "the database has no libtriage tables in the schema %s",
                                 s->schema);
        return TRIAGE_OK;
    default:
        return TRIAGE_OK;
    }
}

/* A failed statement at open, as a status with a message. */
static triage_status_t open_failed(triage__pg_store *s, PGresult *res, const char *what)
{
    char msg[240];
    int code = triage__pg_classify(s, res, what, msg, sizeof msg);
    triage_status_t st = code == TRIAGE_ECONFLICT ? TRIAGE_ECONFLICT
                         : code == TRIAGE_ECORRUPT ? TRIAGE_ECORRUPT
                                                   : TRIAGE_ESTORE;
    return triage__error_cause(st, code, "conninfo", "%s", msg);
}

static triage_status_t exec_open(triage__pg_store *s, const char *sql, const char *what)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    triage_status_t rc = TRIAGE_OK;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = open_failed(s, res, what);
    PQclear(res);
    return rc;
}

/* Creates or migrates the tables in one transaction under the set-up lock
 * (two stores opening a new database at once: the second finds the first's
 * tables). */
static triage_status_t create_or_migrate(triage__pg_store *s, int create)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(%d, %d)",
             LOCK_SETUP, (int)s->schema_hash);
    triage_status_t rc = exec_open(s, sql, "lock the schema");
    schema_state state;
    long version = 0;
    if (!rc)
        rc = inspect(s, &state, &version);
    if (!rc)
        rc = refuse(s, state, version, create);
    if (!rc && state == SCHEMA_MISSING) {
        snprintf(sql, sizeof sql, "CREATE SCHEMA \"%s\"", s->schema);
        rc = exec_open(s, sql, "create the schema");
    }
    if (!rc && (state == SCHEMA_MISSING || state == SCHEMA_EMPTY)) {
        triage__text ddl;
        triage__text_init(&ddl, &s->alloc);
        triage__sql_create(&ddl, TRIAGE__SQL_POSTGRES);
        rc = triage__text_end(&ddl);
        if (!rc)
            rc = exec_open(s, ddl.p, "create the tables");
        triage__text_free(&ddl);
    }
    if (!rc && state == SCHEMA_OLDER) {
        for (long v = version; v < PG_VERSION && !rc; v++) {
            long i = v - PG_FIRST_VERSION;
            if (i < 0 || i >= NMIGRATIONS || !migrations[i])
                return triage__error(TRIAGE_ECORRUPT, "schema",
                                     "no migration from schema version %ld", v);
            rc = exec_open(s, migrations[i], "migrate the tables");
        }
        snprintf(sql, sizeof sql, "UPDATE meta SET value = '%d' WHERE key = 'schema'", PG_VERSION);
        if (!rc)
            rc = exec_open(s, sql, "migrate the tables");
    }
    if (!rc)
        rc = exec_open(s, "COMMIT", "commit the schema");
    if (rc) {
        triage__error_saved saved;
        triage__error_save(&saved);
        if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
            PQclear(PQexec(s->conn, "ROLLBACK"));
        triage__error_restore(&saved);
    }
    return rc;
}

static triage_status_t triage__pg_open_schema(triage__pg_store *s, int create)
{
    /* first a look in one snapshot, read only */
    triage_status_t rc = exec_open(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                   "read the schema");
    schema_state state = SCHEMA_MISSING;
    long version = 0;
    if (!rc)
        rc = inspect(s, &state, &version);
    PQclear(PQexec(s->conn, "ROLLBACK"));
    if (!rc)
        rc = refuse(s, state, version, create);
    if (!rc && state != SCHEMA_CURRENT)
        rc = create_or_migrate(s, create);
    if (rc)
        return rc;
    /* every statement prepared: a missing table or column is found here,
     * before anything else */
    triage__error_saved before;
    triage__error_save(&before);
    int prc = triage__pg_prepare_all(s);
    if (prc) {
        const triage_error_t *le = triage_error_last();
        char msg[TRIAGE__ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", le->message);
        if (prc == TRIAGE_ENOMEM)
            return triage__error(TRIAGE_ENOMEM, NULL, "out of memory");
        /* 42P01 undefined table, 42703 undefined column, 42804 wrong type,
         * 42883 undefined function, 42P18 indeterminate type */
        if (prc == triage__pg_pack_sqlstate("42P01") || prc == triage__pg_pack_sqlstate("42703") ||
            prc == triage__pg_pack_sqlstate("42804") || prc == triage__pg_pack_sqlstate("42883") ||
            prc == triage__pg_pack_sqlstate("42P18"))
            return triage__error_cause(TRIAGE_ECORRUPT, prc, "schema",
                                       "the tables of the schema %s do not match libtriage's: %s",
                                       s->schema, msg);
        return triage__error_cause(TRIAGE_ESTORE, prc, "conninfo", "%s", msg);
    }
    triage__error_restore(&before);
    return TRIAGE_OK;
}

/* ---- opening: the connection -------------------------------------------------------------- */

static int triage__pg_schema_name_valid(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > 63)
        return 0;
    if (!((n[0] >= 'a' && n[0] <= 'z') || n[0] == '_'))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
            return 0;
    /* PostgreSQL keeps pg_* schema names for itself */
    return strncmp(n, "pg_", 3) != 0;
}

/* The password in the connection string, if any (to keep it out of
 * messages); NULL when the string does not parse. */
static PQconninfoOption *triage__pg_parse_conninfo(const char *conninfo, const char **password)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (err)
        PQfreemem(err); /* it may quote the string: never shown */
    *password = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (!strcmp(o->keyword, "password") && o->val && *o->val)
            *password = o->val;
    return opts;
}

static triage_status_t triage__pg_connect(triage__pg_store *s, const char *conninfo,
                                          const char *password)
{
    static const char *const keys[] = {"dbname", "fallback_application_name", NULL};
    const char *vals[] = {conninfo, "libtriage", NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    if (!s->conn)
        return triage__error(TRIAGE_ENOMEM, NULL, "out of memory in libpq");
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char line[200];
        const char *msg = PQerrorMessage(s->conn);
        /* the message names hosts, users and databases, never a password;
         * all the same it is left out if it contains the one given */
        if (password && strstr(msg, password))
            msg = "";
        triage__pg_safe_line(line, sizeof line, msg, PQpass(s->conn));
        int needs = PQconnectionNeedsPassword(s->conn);
        return triage__error_cause(
            TRIAGE_ESTORE, triage__pg_pack_sqlstate("08001"), "conninfo",
            "cannot connect to PostgreSQL%s%s%s", line[0] ? ": " : "", line,
            needs ? " (the server asks for a password: give it in a password file, PGPASSFILE, "
                    "a service file or PGPASSWORD)"
                  : "");
    }
    if (PQserverVersion(s->conn) < 110000)
        return triage__error(TRIAGE_ESTORE, "conninfo",
                             "the PostgreSQL store needs PostgreSQL 11 or later");
    if (triage__pg_session_setup(s)) {
        /* from outside a callback: the message set by triage__pg_fail() is the store's */
        const triage_error_t *le = triage_error_last();
        char msg[TRIAGE__ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", le->message);
        return triage__error(TRIAGE_ESTORE, "conninfo", "%s", msg);
    }
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_store_postgresql(triage_store_t *out, const char *conninfo,
                                                   const triage_postgresql_options_t *opts)
{
    if (!out)
        return triage__error_null("out");
    if (!conninfo)
        return triage__error_null("conninfo");
    triage_postgresql_options_t o = TRIAGE_POSTGRESQL_OPTIONS_INIT;
    if (opts) {
        if (opts->version == 0 || opts->version > TRIAGE_POSTGRESQL_OPTIONS_VERSION)
            return triage__error(TRIAGE_EVERSION, "options.version", "unsupported options version");
        o = *opts;
    }
    const char *schema = o.schema ? o.schema : "triage";
    if (!triage__pg_schema_name_valid(schema))
        return triage__error(TRIAGE_EINVAL, "options.schema",
                             "the schema name must be a lower-case SQL identifier of at most 63 "
                             "bytes ([a-z_][a-z0-9_]*), not starting with pg_");
    if (o.create != 0 && o.create != 1)
        return triage__error(TRIAGE_EINVAL, "options.create", "create must be 0 or 1");
    if (o.lock_timeout_ms < 0)
        return triage__error(TRIAGE_EINVAL, "options.lock_timeout_ms", "the timeout must be >= 0");
    if (o.statement_timeout_ms < 0)
        return triage__error(TRIAGE_EINVAL, "options.statement_timeout_ms",
                             "the timeout must be >= 0");
    triage_status_t rc = triage__allocator_check(&o.allocator, "options.allocator");
    if (rc)
        return rc;
    const char *password = NULL;
    PQconninfoOption *parsed = triage__pg_parse_conninfo(conninfo, &password);
    if (!parsed)
        return triage__error(TRIAGE_EINVAL, "conninfo",
                             "the PostgreSQL connection string cannot be parsed");
    triage__pg_store *s = triage__calloc(&o.allocator, 1, sizeof *s);
    if (!s) {
        PQconninfoFree(parsed);
        return TRIAGE_ENOMEM;
    }
    s->alloc = o.allocator;
    memcpy(s->schema, schema, strlen(schema) + 1);
    s->schema_hash = triage__pg_fnv1a(schema);
    s->lock_timeout_ms = o.lock_timeout_ms;
    s->statement_timeout_ms = o.statement_timeout_ms;
    snprintf(s->begin_sql, sizeof s->begin_sql,
             "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(%d, %d); "
             "SELECT coalesce(max(seq), 0)::bigint FROM events",
             LOCK_WRITE, (int)s->schema_hash);
    rc = triage__pg_connect(s, conninfo, password);
    PQconninfoFree(parsed);
    if (!rc)
        rc = triage__pg_open_schema(s, o.create);
    if (rc) {
        triage__error_saved saved;
        triage__error_save(&saved);
        pg_free(s);
        return triage__error_restore(&saved);
    }
    triage_store_t st = TRIAGE_STORE_INIT;
    st.userdata = s;
    st.begin = pg_begin;
    st.commit = pg_commit;
    st.rollback = pg_rollback;
    st.destroy = pg_destroy;
    st.last_seq = pg_last_seq;
    st.read_begin = pg_read_begin;
    st.read_end = pg_read_end;
    st.put_record = pg_put_record;
    st.get_record = pg_get_record;
    st.query_records = pg_query_records;
    st.append_event2 = pg_append_event2;
    st.query_events = pg_query_events;
    *out = st;
    return TRIAGE_OK;
}

TRIAGE_API int triage_store_postgresql_available(void)
{
    return 1;
}
