/*
 * The PostgreSQL store's wire: values as binary parameters, errors without
 * values or passwords, running statements, and the statements and session
 * settings every connection has (store_pg.c describes the store).
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_internal.h"

/* ---- values ------------------------------------------------------------------------ */

static void put_be(unsigned char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

uint64_t triage__pg_get_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

uint32_t triage__pg_fnv1a(const char *s)
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
int triage__pg_pack_sqlstate(const char *st)
{
    if (!st || strlen(st) != 5)
        return 0;
    int v = 0;
    for (int i = 0; i < 5; i++)
        v += ((st[i] - '0') & 0x3f) << (6 * i);
    return v;
}

void triage__pg_params_init(triage__pg_params *p, const triage_allocator_t *a)
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

void triage__pg_p_null(triage__pg_params *p)
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

void triage__pg_p_i64(triage__pg_params *p, int64_t v)
{
    p_int(p, v, 8);
}

void triage__pg_p_real(triage__pg_params *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    p_int(p, (int64_t)bits, 8);
}

void triage__pg_p_id(triage__pg_params *p, const triage_id_t *id)
{
    int i = slot(p);
    if (i < 0)
        return;
    memcpy(p->scratch[i], id->bytes, 16);
    p->val[i] = (const char *)p->scratch[i];
    p->len[i] = 16;
}

void triage__pg_p_date(triage__pg_params *p, triage_date_t d)
{
    p_int(p, (int64_t)d - PG_EPOCH_DAYS, 4);
}

void triage__pg_p_bytes(triage__pg_params *p, const void *data, size_t len)
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
void triage__pg_p_var_begin(triage__pg_params *p, int *i, int jsonb)
{
    *i = slot(p);
    if (*i < 0)
        return;
    p->var_off[*i] = p->var.n + 1;
    if (jsonb)
        triage__text_add(&p->var, "%c", 1);
}

void triage__pg_p_var_end(triage__pg_params *p, int i)
{
    if (i >= 0)
        p->len[i] = (int)(p->var.n + 1 - p->var_off[i]);
}

/* Points the variable parameters into `var`; -2 when it failed to grow. */
int triage__pg_params_done(triage__pg_params *p)
{
    if (p->var.failed)
        return -2;
    for (int i = 0; i < p->n; i++)
        if (p->var_off[i])
            p->val[i] = p->var.p + p->var_off[i] - 1;
    return p->overflow ? -1 : 0;
}

void triage__pg_params_free(triage__pg_params *p)
{
    triage__text_free(&p->var);
}

/* ---- errors ---------------------------------------------------------------------- */

/* Copies the first line of a message into `out`, or "" when it would show
 * `secret` (a password; an empty or absent one hides nothing). */
void triage__pg_safe_line(char *out, size_t cap, const char *msg, const char *secret)
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
int triage__pg_classify(triage__pg_store *s, const PGresult *res, const char *what, char *msg,
                        size_t cap)
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
int triage__pg_fail(triage__pg_store *s, const PGresult *res, const char *what)
{
    char msg[240];
    int rc = triage__pg_classify(s, res, what, msg, sizeof msg);
    triage_store_error_set(msg);
    return rc;
}

int triage__pg_misuse(const char *message)
{
    triage_store_error_set(message);
    return TRIAGE_EINVAL;
}

int triage__pg_damaged(const char *message)
{
    triage_store_error_set(message);
    return TRIAGE_ECORRUPT;
}

/* ---- running statements ------------------------------------------------------------ */

/* Runs a prepared statement; the result (or NULL when it failed, the
 * status in *rc) is the caller's to PQclear. */
PGresult *triage__pg_run(triage__pg_store *s, const char *name, const triage__pg_params *p, int *rc,
                         const char *what)
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
int triage__pg_exec_sql(triage__pg_store *s, const char *sql, const char *what)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = triage__pg_fail(s, res, what);
    PQclear(res);
    return rc;
}

int triage__pg_stream(triage__pg_store *s, const char *name, const triage__pg_params *p,
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

/* ---- writes in pipeline mode ---------------------------------------------------------- */

int triage__pg_leave_pipeline(triage__pg_store *s)
{
    /* every result left (a NULL ends each statement's), the sync point's
     * last; then libpq lets the connection out of pipeline mode */
    for (int guard = 0; PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF && guard < 1024; guard++) {
        if (PQexitPipelineMode(s->conn) || PQstatus(s->conn) != CONNECTION_OK)
            break;
        PQclear(PQgetResult(s->conn));
    }
    return PQpipelineStatus(s->conn) == PQ_PIPELINE_OFF ? 0 : -1;
}

int triage__pg_queue(triage__pg_store *s, const char *name, const triage__pg_params *p, int kind,
                     int update, const char *what)
{
    void *pend = s->pend;
    if (triage__grow(&s->alloc, &pend, &s->cappend, s->npend + 1, sizeof *s->pend))
        return TRIAGE_ENOMEM;
    s->pend = pend;
    if (PQpipelineStatus(s->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(s->conn))
        return triage__pg_fail(s, NULL, what);
    int sent = name ? PQsendQueryPrepared(s->conn, name, p->n, p->val, p->len, p->fmt, 1)
                    : PQsendQueryPrepared(s->conn, "commit", 0, NULL, NULL, NULL, 0);
    if (!sent)
        return triage__pg_fail(s, NULL, what);
    triage__pg_pending *q = &s->pend[s->npend++];
    q->kind = kind;
    q->update = update;
    q->what = what;
    return 0;
}

/* The failure of one queued statement (the first of the pipeline). */
static int pipeline_failure(triage__pg_store *s, const triage__pg_pending *q, const PGresult *res)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (q->update && st && !strcmp(st, "22012")) {
        char msg[120];
        snprintf(msg, sizeof msg, "PostgreSQL: the %s record changed since it was read",
                 triage__sql_table_of((triage_record_kind_t)q->kind)->name);
        triage_store_error_set(msg);
        return TRIAGE_ECONFLICT;
    }
    if (q->kind == TRIAGE__PG_REBASE && st && !strcmp(st, "22012")) {
        triage_store_error_set("PostgreSQL: a record the engine read changed since");
        return TRIAGE_ECONFLICT;
    }
    if (q->kind == -1 && PQstatus(s->conn) == CONNECTION_BAD) {
        triage_store_error_set("PostgreSQL: the connection was lost during COMMIT: whether "
                               "it committed is unknown (the next call reads what it did)");
        return triage__pg_pack_sqlstate("08006");
    }
    return triage__pg_fail(s, res, q->what);
}

int triage__pg_pipeline_end(triage__pg_store *s, int commit)
{
    if (PQpipelineStatus(s->conn) == PQ_PIPELINE_OFF) {
        s->npend = 0;
        return 0;
    }
    int rc = commit ? triage__pg_queue(s, NULL, NULL, -1, 0, "commit") : 0;
    if (!PQpipelineSync(s->conn) && !rc)
        rc = triage__pg_fail(s, NULL, commit ? "commit" : "write");
    /* one result and a NULL per statement, in the order sent; after the
     * first failure the server skips the rest (PGRES_PIPELINE_ABORTED) */
    for (size_t i = 0; i < s->npend && PQstatus(s->conn) == CONNECTION_OK; i++) {
        const triage__pg_pending *q = &s->pend[i];
        PGresult *res = PQgetResult(s->conn);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        /* (libpq may carry single-row mode over from a list read before:
         * a row in a result of its own, PGRES_SINGLE_TUPLE, is success) */
        if (!rc && st != PGRES_PIPELINE_ABORTED && st != PGRES_COMMAND_OK &&
            st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE)
            rc = pipeline_failure(s, q, res);
        else if (!rc && q->kind == TRIAGE__PG_REBASE &&
                 (st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE)) {
            if (PQntuples(res) != 1 || PQgetlength(res, 0, 1) != 8)
                rc = triage__pg_damaged("PostgreSQL: the last sequence number is unreadable");
            else
                s->shift = (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, 0, 1), 8);
        } else if (!rc && q->kind == -1 && st == PGRES_COMMAND_OK &&
                 strcmp(PQcmdStatus(res), "COMMIT") != 0)
            rc = triage__pg_misuse("PostgreSQL: the transaction had failed and was rolled back");
        PQclear(res);
        if (!res)
            break;
        while ((res = PQgetResult(s->conn)) != NULL)
            PQclear(res);
    }
    s->npend = 0;
    if ((triage__pg_leave_pipeline(s) || PQstatus(s->conn) != CONNECTION_OK) && !rc)
        rc = commit ? pipeline_failure(s, &(triage__pg_pending){-1, 0, "commit"}, NULL)
                    : triage__pg_fail(s, NULL, "write");
    return rc;
}

/* ---- the connection ------------------------------------------------------------------ */

int triage__pg_prepare(triage__pg_store *s, const char *name, const char *sql, int ntypes,
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

/* Prepares the statement built in `t`, which is freed whatever happens. */
static int prepare_built(triage__pg_store *s, triage__text *t, const char *name, int ntypes,
                         const Oid *types)
{
    int rc = triage__text_end(t) ? TRIAGE_ENOMEM : triage__pg_prepare(s, name, t->p, ntypes, types);
    triage__text_free(t);
    return rc;
}

/* The statements that write a record of one table: the INSERT, and the
 * UPDATE at the revision the writer read, which divides by zero (SQLSTATE
 * 22012) when it finds no row: the error aborts the pipeline, so the
 * COMMIT queued behind it can never commit the rest of a transaction that
 * lost a race (triage__pg_pipeline_end). `prefix` "r": the same with the
 * numbers moved (begin_rebased). */
static int prepare_writes(triage__pg_store *s, int k, const char *prefix, int shifted)
{
    const triage__sql_table *tb = triage__sql_table_of((triage_record_kind_t)k);
    char name[16];
    triage__text t;
    triage__text_init(&t, &s->alloc);
    if (shifted)
        triage__sql_insert_shifted(&t, tb);
    else
        triage__sql_insert(&t, TRIAGE__SQL_POSTGRES, tb);
    snprintf(name, sizeof name, "%sins%d", prefix, k);
    int rc = prepare_built(s, &t, name, 0, NULL);
    if (rc)
        return rc;
    triage__text_init(&t, &s->alloc);
    triage__text_add(&t, "WITH u AS (");
    if (shifted)
        triage__sql_update_shifted(&t, tb);
    else
        triage__sql_update(&t, TRIAGE__SQL_POSTGRES, tb);
    triage__text_add(&t, " RETURNING 1) SELECT 1 / (SELECT count(*) FROM u)::int");
    snprintf(name, sizeof name, "%supd%d", prefix, k);
    return prepare_built(s, &t, name, 0, NULL);
}

/* Prepares the statements every connection has. */
int triage__pg_prepare_all(triage__pg_store *s)
{
    triage__text t;
    int rc = triage__pg_prepare(s, "last_seq", "SELECT coalesce(max(seq), 0)::bigint FROM events",
                                0, NULL);
    for (int k = 1; k <= NKINDS && !rc; k++) {
        rc = prepare_writes(s, k, "", 0);
        if (!rc)
            rc = prepare_writes(s, k, "r", 1);
        if (rc)
            break;
        char name[16];
        triage__text_init(&t, &s->alloc);
        triage__sql_select(&t, triage__sql_table_of((triage_record_kind_t)k));
        triage__text_add(&t, " WHERE id = $1");
        snprintf(name, sizeof name, "get%d", k);
        Oid uuid = OID_UUID;
        rc = prepare_built(s, &t, name, 1, &uuid);
    }
    if (!rc) {
        /* every record changed after a number, all kinds in one statement
         * (a refresh): kind, id, revision, created, data, owner */
        triage__text_init(&t, &s->alloc);
        for (int k = 1; k <= NKINDS; k++) {
            const triage__sql_table *tb = triage__sql_table_of((triage_record_kind_t)k);
            triage__text_add(&t, "%sSELECT %d AS kind, id, revision, created, data, ",
                             k > 1 ? " UNION ALL " : "", k);
            if (tb->owner)
                triage__text_add(&t, "\"%s\"", tb->owner);
            else
                triage__text_add(&t, "NULL::uuid");
            /* the upper bound ($2, always the largest bigint) is there for
             * the planner: its generic plan of an open range of two
             * parameters assumes few rows and scans the revision index,
             * where `revision > $1` alone is taken for a third of the
             * table and read from end to end */
            triage__text_add(&t, " FROM %s WHERE revision > $1 AND revision <= $2", tb->name);
        }
        triage__text_add(&t, " ORDER BY 1, 4, 2");
        static const Oid i8[] = {OID_INT8, OID_INT8};
        rc = prepare_built(s, &t, "changes", 2, i8);
    }
    if (!rc) {
        triage__text_init(&t, &s->alloc);
        triage__sql_event_insert(&t, TRIAGE__SQL_POSTGRES);
        rc = prepare_built(s, &t, "ev_ins", 0, NULL);
    }
    if (!rc) {
        triage__text_init(&t, &s->alloc);
        triage__sql_event_insert_shifted(&t);
        rc = prepare_built(s, &t, "rev_ins", 0, NULL);
    }
    if (!rc) {
        /* begin_rebased's statement, after the write lock: the last number
         * and the shift from the base $1 (as settings of the transaction,
         * which the statements above read), or, when $1 is above the last
         * number or a table of a kind in the mask $2 has a row written
         * after the number seen $3, a division by zero (SQLSTATE 22012: a
         * lost race, and the rest of the pipeline is skipped) */
        triage__text_init(&t, &s->alloc);
        triage__text_add(&t, "SELECT set_config('triage.base', $1::text, true), "
                             "set_config('triage.shift', (l.last - $1)::text, true)::bigint "
                             "FROM (SELECT coalesce(max(seq), 0)::bigint AS last FROM events) l "
                             "WHERE 1 / (CASE WHEN $1 > l.last");
        for (int k = 1; k <= NKINDS; k++)
            triage__text_add(&t,
                             " OR (($2 & %u) <> 0 AND EXISTS (SELECT 1 FROM %s WHERE revision > $3))",
                             TRIAGE_STORE_KIND_BIT(k),
                             triage__sql_table_of((triage_record_kind_t)k)->name);
        triage__text_add(&t, " THEN 0 ELSE 1 END) = 1");
        static const Oid i8[] = {OID_INT8, OID_INT8, OID_INT8};
        rc = prepare_built(s, &t, "rebase", 3, i8);
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
    /* the transactions' own statements, parsed once too (each is sent for
     * every call; a named statement skips the parse and the plan) */
    if (!rc)
        rc = triage__pg_prepare(s, "begin_write", "BEGIN ISOLATION LEVEL READ COMMITTED", 0, NULL);
    if (!rc)
        rc = triage__pg_prepare(s, "write_lock", s->lock_sql, 0, NULL);
    if (!rc)
        rc = triage__pg_prepare(s, "begin_read", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                                0, NULL);
    if (!rc)
        rc = triage__pg_prepare(s, "commit", "COMMIT", 0, NULL);
    s->prepared = 0;
    return rc;
}

/* The session's settings: the schema, durability, timeouts (a statement
 * timeout of 0 leaves the server's or the role's setting). */
int triage__pg_session_setup(triage__pg_store *s)
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
int triage__pg_alive(triage__pg_store *s)
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
