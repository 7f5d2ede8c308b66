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
 *   the schema), then reads the last event sequence number, all in one
 *   round trip (a pipeline). Commits are serialised by the gap-free event
 *   order anyway; taking the lock first means a commit never waits on
 *   another's row locks (no deadlocks, no wait for PostgreSQL's deadlock
 *   detector) and every statement after it sees every commit before it.
 *   The writes are sent in pipeline mode without waiting: a record with
 *   `UPDATE ... WHERE id = $1 AND revision = <the revision the writer
 *   read>` wrapped so that no row divides by zero (SQLSTATE 22012), or an
 *   INSERT (a unique violation), and `commit` sends COMMIT behind them and
 *   reads every result in one more round trip. A stale row or a taken id
 *   fails its statement, the failure aborts the rest of the pipeline, the
 *   COMMIT with it, and commit returns TRIAGE_ECONFLICT; an event whose
 *   number is not one above the last is TRIAGE_ECONFLICT without a round
 *   trip. A lock wait beyond the lock timeout is a lost race too
 *   (TRIAGE_ECONFLICT: the engine retries). synchronous_commit is on for
 *   the session: COMMIT returns when the commit is on disk.
 * - Reads: `read_begin` opens a REPEATABLE READ READ ONLY transaction, one
 *   snapshot for the reads until `read_end`; other reads run as single
 *   statements. Lists stream row by row (libpq's single-row mode), except
 *   a refresh's lists of changed records, which one statement reads for
 *   every kind at once ("changes" below), and which `begin` reads with the
 *   lock when other engines are writing.
 * - Statements are prepared once per connection (the list queries on first
 *   use), BEGIN, the write lock and COMMIT too, and take and return binary
 *   values.
 * - Errors never carry the connection string, a password or a value from a
 *   row: messages are built from the SQLSTATE, the step and PostgreSQL's
 *   primary message (except for data exceptions, whose messages may quote
 *   values); a libpq message that contains the password is replaced.
 * - A lost connection fails the call that meets it (TRIAGE_ESTORE); the
 *   next call outside a transaction connects again (PQreset) and sets the
 *   session up as at open.
 *
 * This file holds the store's methods and triage_store_postgresql();
 * pg_wire.c the values, errors, statements and session, pg_open.c the
 * schema at open and connecting (pg_internal.h).
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_internal.h"
#include "store/rebase.h"

static void changes_drop(triage__pg_store *s);

/* Every callback first: what last_seq found is for the callback right
 * after it only. */
static void store_entry(triage__pg_store *s)
{
    s->moved_ready = s->moved;
    s->moved = 0;
}

/* ---- transactions --------------------------------------------------------------------- */

/* The parameters of "changes": after `after`, up to the largest bigint
 * (an upper bound for the planner: "changes" in pg_wire.c). */
static int after_params(triage__pg_store *s, triage__pg_params *p, int64_t after)
{
    triage__pg_params_init(p, &s->alloc);
    triage__pg_p_i64(p, after);
    triage__pg_p_i64(p, INT64_MAX);
    int rc = triage__pg_params_done(p);
    if (rc)
        triage__pg_params_free(p);
    return rc;
}

/*
 * One round trip (a pipeline): the prepared statements named `lead`
 * (BEGIN, the write lock), then the last sequence number and, when
 * `with_changes`, every record changed after `after` (kept in s->changes
 * with changes_after), each a statement of its own and so seen after the
 * lock. Reads every result and leaves pipeline mode; a failure is named by
 * `steps`, one for each statement. 0 with *last set, or the status of the first failure
 * (s->changes then dropped; a transaction begun is the caller's to end).
 */
static int pipeline_last(triage__pg_store *s, const char *const *lead, int nlead,
                         const char *const *steps, int with_changes, int64_t after,
                         int64_t *last)
{
    triage__pg_params p;
    if (after_params(s, &p, after))
        return TRIAGE_ENOMEM;
    int sent = PQenterPipelineMode(s->conn);
    for (int i = 0; i < nlead && sent; i++)
        sent = PQsendQueryPrepared(s->conn, lead[i], 0, NULL, NULL, NULL, 1);
    sent = sent && PQsendQueryPrepared(s->conn, "last_seq", 0, NULL, NULL, NULL, 1) &&
           (!with_changes ||
            PQsendQueryPrepared(s->conn, "changes", p.n, p.val, p.len, p.fmt, 1)) &&
           PQpipelineSync(s->conn);
    triage__pg_params_free(&p);
    int rc = sent ? 0 : triage__pg_fail(s, NULL, steps[0]);
    int nstmt = nlead + 1 + (with_changes != 0);
    for (int i = 0; i < nstmt && !rc; i++) {
        PGresult *res = PQgetResult(s->conn);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            rc = triage__pg_fail(s, res, steps[i]);
        } else if (i == nlead) {
            if (PQntuples(res) != 1 || PQgetlength(res, 0, 0) != 8)
                rc = triage__pg_damaged("PostgreSQL: the last sequence number is unreadable");
            else
                *last = (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, 0, 0), 8);
        } else if (i > nlead) {
            s->changes = res;
            s->changes_after = after;
            res = NULL;
        }
        PQclear(res);
        if (PQstatus(s->conn) != CONNECTION_OK)
            break;
        while ((res = PQgetResult(s->conn)) != NULL)
            PQclear(res);
    }
    if (triage__pg_leave_pipeline(s) && !rc)
        rc = triage__pg_fail(s, NULL, steps[0]);
    if (rc)
        changes_drop(s);
    return rc;
}

/* The start of begin and read_begin: nothing open yet (else the misuse
 * `nested`), the connection alive, no changes kept from before. */
static int open_entry(triage__pg_store *s, const char *nested)
{
    store_entry(s);
    if (s->in_txn || s->in_read)
        return triage__pg_misuse(nested);
    int rc = triage__pg_alive(s);
    changes_drop(s);
    return rc;
}

static int pg_begin(void *ud)
{
    triage__pg_store *s = ud;
    int rc = open_entry(s, "a PostgreSQL store transaction inside another");
    if (rc)
        return rc;
    /* one round trip (a pipeline): the transaction, the write lock, then,
     * each a statement of its own and so seen after the lock, the last
     * number and, when other engines are writing (the last begin found
     * their commits), every record changed since the number the engine
     * knows: its refresh inside the lock then costs no round trip */
    static const char *const lead[] = {"begin_write", "write_lock"};
    static const char *const steps[] = {"begin", "begin", "begin", "begin"};
    int64_t last = -1;
    rc = pipeline_last(s, lead, 2, steps, s->others_wrote, s->known_seq, &last);
    if (!rc) {
        s->others_wrote = last != s->known_seq;
        s->txn_last = last;
        s->known_seq = last;
        if (!s->changes)
            s->changes_after = -1;
        s->in_txn = 1;
        return 0;
    }
    /* the engine rolls back only what began: end what did here */
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE && PQstatus(s->conn) == CONNECTION_OK)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    return rc;
}

/*
 * Interface 3: BEGIN, the write lock and the statement "rebase" (the shift
 * from `base` to the last number, and the guards) are queued in pipeline
 * mode and sent without waiting; the writes that follow use the shifted
 * statements, and commit_rebased reads every result, the shift among them,
 * in the commit's one round trip. The lock is held only while the server
 * runs the pipeline: no round trip to the engine happens under it.
 */
static int pg_begin_rebased(void *ud, int64_t base, int64_t seen, uint32_t unchanged)
{
    triage__pg_store *s = ud;
    int rc = open_entry(s, "a PostgreSQL store transaction inside another");
    if (rc)
        return rc;
    if (seen < 0 || seen > base)
        return triage__pg_misuse("begin_rebased: a number seen above its base");
    if (unchanged & ~TRIAGE__STORE_KIND_BITS)
        return triage__pg_misuse("begin_rebased: an unknown record kind");
    triage__pg_params none, p;
    triage__pg_params_init(&none, &s->alloc);
    triage__pg_params_init(&p, &s->alloc);
    triage__pg_p_i64(&p, base);
    triage__pg_p_i64(&p, (int64_t)unchanged);
    triage__pg_p_i64(&p, seen);
    rc = triage__pg_params_done(&none) || triage__pg_params_done(&p) ? TRIAGE_ENOMEM : 0;
    if (!rc)
        rc = triage__pg_queue(s, "begin_write", &none, TRIAGE__PG_LEAD, 0, "begin");
    if (!rc)
        rc = triage__pg_queue(s, "write_lock", &none, TRIAGE__PG_LEAD, 0, "begin");
    if (!rc)
        rc = triage__pg_queue(s, "rebase", &p, TRIAGE__PG_REBASE, 0, "begin");
    triage__pg_params_free(&none);
    triage__pg_params_free(&p);
    if (rc) {
        /* end what was sent: the engine rolls back only what began */
        triage__error_saved saved;
        triage__error_save(&saved);
        triage__pg_pipeline_end(s, 0);
        if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
            PQclear(PQexec(s->conn, "ROLLBACK"));
        triage__error_restore(&saved);
        return rc;
    }
    s->in_txn = 1;
    s->rebased = 1;
    s->rebase_base = base;
    s->rebase_seen = seen;
    s->shift = -1;
    s->txn_last = base;
    return 0;
}

static int pg_commit_txn(triage__pg_store *s);

static int pg_commit_rebased(void *ud, int64_t *shift)
{
    triage__pg_store *s = ud;
    store_entry(s);
    if (!shift)
        return triage__pg_misuse("commit_rebased: bad arguments");
    if (!s->in_txn || !s->rebased)
        return triage__pg_misuse("commit_rebased without begin_rebased");
    int rc = pg_commit_txn(s);
    if (!rc)
        *shift = s->shift;
    return rc;
}

static int pg_commit(void *ud)
{
    triage__pg_store *s = ud;
    store_entry(s);
    if (!s->in_txn)
        return triage__pg_misuse("commit without a PostgreSQL store transaction");
    if (s->rebased)
        return triage__pg_misuse("commit of a transaction that begin_rebased began");
    return pg_commit_txn(s);
}

/* COMMIT with whatever is queued before it, read back in one round trip. */
static int pg_commit_txn(triage__pg_store *s)
{
    int rc;
    changes_drop(s);
    if (PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF) {
        /* the writes and COMMIT in one round trip */
        rc = triage__pg_pipeline_end(s, 1);
    } else {
        PGresult *res = PQexecPrepared(s->conn, "commit", 0, NULL, NULL, NULL, 0);
        rc = 0;
        if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
            if (PQstatus(s->conn) == CONNECTION_BAD) {
                triage_store_error_set("PostgreSQL: the connection was lost during COMMIT: "
                                       "whether it committed is unknown (the next call reads "
                                       "what it did)");
                rc = triage__pg_pack_sqlstate("08006");
            } else {
                rc = triage__pg_fail(s, res, "commit");
            }
        } else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
            rc = triage__pg_misuse("PostgreSQL: the transaction had failed and was rolled back");
        }
        PQclear(res);
    }
    if (rc == 0 && s->rebased && s->shift < 0)
        rc = triage__pg_damaged("PostgreSQL: the shift of a rebased commit is unreadable");
    /* the engine now knows its own events; after a shift, only the number
     * it counted from (the commits in between come with its next refresh) */
    if (rc == 0)
        s->known_seq = !s->rebased || (!s->shift && s->rebase_base == s->rebase_seen)
                           ? s->txn_last
                           : s->rebase_seen;
    if (rc == 0 || PQtransactionStatus(s->conn) == PQTRANS_IDLE)
        s->in_txn = s->rebased = 0;
    return rc;
}

static int pg_rollback(void *ud)
{
    triage__pg_store *s = ud;
    store_entry(s);
    s->in_txn = s->rebased = 0;
    changes_drop(s);
    if (PQstatus(s->conn) != CONNECTION_OK)
        return 0; /* the server ends a lost session's transaction itself */
    /* writes still queued: read their results (whatever they are) first */
    triage__error_saved saved;
    triage__error_save(&saved);
    triage__pg_pipeline_end(s, 0);
    triage__error_restore(&saved);
    if (PQstatus(s->conn) != CONNECTION_OK)
        return 0;
    if (PQtransactionStatus(s->conn) == PQTRANS_IDLE)
        return 0;
    return triage__pg_exec_sql(s, "ROLLBACK", "rollback");
}

/*
 * A refresh's read. The engine refreshes by asking for the last number
 * (last_seq) and, when it moved, reading what changed in a read snapshot:
 * read_begin, last_seq, a list of changes per kind, read_end — five round
 * trips. When last_seq (outside any transaction) finds the number moved,
 * the read begun right after it does not send its BEGIN at once: the BEGIN
 * goes with the read's first statement. When that is last_seq, one
 * pipeline sends BEGIN REPEATABLE READ, the last number and every record
 * changed after the number the store had told its engine (the "changes"
 * statement), and the read's lists are served from that answer; read_end
 * commits as any read does. Three round trips in all, in one snapshot.
 */

/* BEGIN REPEATABLE READ READ ONLY (the prepared "begin_read"). */
static int begin_read_now(triage__pg_store *s)
{
    int rc;
    PQclear(triage__pg_run(s, "begin_read", NULL, &rc, "read_begin"));
    return rc;
}

/* The BEGIN of a read that has not sent it yet. */
static int read_snapshot(triage__pg_store *s)
{
    if (!s->read_lazy)
        return 0;
    s->read_lazy = 0;
    return begin_read_now(s);
}

/* A read's first statement is last_seq: the BEGIN, the number and the
 * changes after moved_from in one pipeline. */
static int read_prime(triage__pg_store *s, int64_t *out)
{
    static const char *const lead[] = {"begin_read"};
    static const char *const steps[] = {"read_begin", "read the last sequence number",
                                        "list changed records"};
    s->read_lazy = 0;
    int64_t last = -1;
    /* on failure read_end ends the transaction, whatever its state */
    int rc = pipeline_last(s, lead, 1, steps, 1, s->moved_from, &last);
    if (!rc)
        *out = s->known_seq = last;
    return rc;
}

static int pg_read_begin(void *ud)
{
    triage__pg_store *s = ud;
    int rc = open_entry(s, "a PostgreSQL read snapshot inside a transaction");
    if (!rc && s->moved_ready) {
        s->in_read = 1;
        s->read_lazy = 1; /* the BEGIN goes with the first statement */
        return 0;
    }
    if (!rc)
        rc = begin_read_now(s);
    if (!rc)
        s->in_read = 1;
    return rc;
}

static int pg_read_end(void *ud)
{
    triage__pg_store *s = ud;
    store_entry(s);
    if (!s->in_read)
        return triage__pg_misuse("read_end without a PostgreSQL read snapshot");
    s->in_read = 0;
    changes_drop(s);
    if (s->read_lazy) {
        s->read_lazy = 0; /* nothing was sent */
        return 0;
    }
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
    store_entry(s);
    if (s->busy)
        return triage__pg_misuse(
            "the PostgreSQL store was called from inside one of its own visitors");
    if (!s->in_txn)
        return triage__pg_misuse("put_record outside a PostgreSQL store transaction");
    if (!r || r->version < 1 || !r->data || !valid_kind(r->kind))
        return triage__pg_misuse("put_record: not a record");
    const triage__sql_table *t = triage__sql_table_of(r->kind);
    changes_drop(s);
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
    snprintf(name, sizeof name, "%s%s%d", s->rebased ? "r" : "",
             r->expected_revision ? "upd" : "ins", (int)r->kind);
    /* sent now, its result read at commit (pipeline mode): a lost race
     * (an UPDATE that finds no row at that revision, an INSERT of an id
     * that exists) fails the commit with TRIAGE_ECONFLICT */
    rc = triage__pg_queue(s, name, &p, (int)r->kind, r->expected_revision != 0,
                          r->expected_revision ? "update a record" : "insert a record");
    triage__pg_params_free(&p);
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

/* Row `row` of a result whose record columns start at column `c`. */
static int visit_at(rec_ctx *x, const PGresult *res, int row, int c)
{
    triage_store_record_t r;
    memset(&r, 0, sizeof r);
    r.version = TRIAGE_STORE_RECORD_VERSION;
    r.kind = x->kind;
    if (PQgetisnull(res, row, c) || PQgetlength(res, row, c) != 16 ||
        PQgetisnull(res, row, c + 1) || PQgetlength(res, row, c + 1) != 8 ||
        PQgetisnull(res, row, c + 2) || PQgetlength(res, row, c + 2) != 8 ||
        PQgetisnull(res, row, c + 3))
        return triage__pg_damaged("a stored row is damaged: its id, revision, created or data");
    memcpy(r.id.bytes, PQgetvalue(res, row, c), 16);
    r.revision = (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, row, c + 1), 8);
    r.created = (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, row, c + 2), 8);
    r.data = PQgetvalue(res, row, c + 3);
    r.len = (size_t)PQgetlength(res, row, c + 3);
    if (x->owner_col && !PQgetisnull(res, row, c + 4)) {
        if (PQgetlength(res, row, c + 4) != 16)
            return triage__pg_damaged("a stored row is damaged: its owner");
        memcpy(r.owner.bytes, PQgetvalue(res, row, c + 4), 16);
    }
    x->found = 1;
    return x->visit(x->ctx, &r);
}

static int visit_row(void *vctx, const PGresult *res)
{
    return visit_at(vctx, res, 0, 0);
}

static int pg_get_record(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                         triage_store_record_fn visit, void *ctx)
{
    triage__pg_store *s = ud;
    store_entry(s);
    if (!valid_kind(kind) || !id || !visit)
        return triage__pg_misuse("get_record: bad arguments");
    int rc = triage__pg_alive(s);
    if (rc)
        return rc;
    if (s->npend && (rc = triage__pg_pipeline_end(s, 0)) != 0)
        return rc; /* a read inside a write transaction sees its writes */
    if ((rc = read_snapshot(s)) != 0)
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
        triage__text_add(&q, "%srevision > $2 AND revision <= $4", sep); /* "changes" */
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
    static const Oid types[] = {OID_UUID, OID_INT8, OID_DATE, OID_INT8};
    int rc = triage__pg_prepare(s, name, q.p, 4, types);
    triage__text_free(&q);
    if (!rc)
        s->prepared |= bit;
    return rc;
}

/* ---- changes: a refresh in one statement ------------------------------------------ */

/* The engine's refresh lists every kind of record changed after its last
 * number, one kind after another, in one snapshot (a read snapshot or the
 * write transaction). The first of those lists reads the changes of every
 * kind with one statement (prepared "changes": a UNION ALL over the tables,
 * each by its revision index) and keeps the result; the lists of the other
 * kinds with the same number are served from it: one round trip instead
 * of seven, which matters most inside the write lock. The result is
 * dropped when the snapshot or the transaction ends and at every write. */
static void changes_drop(triage__pg_store *s)
{
    PQclear(s->changes);
    s->changes = NULL;
}

static int serve_changes(triage__pg_store *s, const triage_store_query_t *q,
                         const triage__sql_table *t, triage_store_record_fn visit, void *ctx)
{
    int rc = 0;
    /* a result read after a number serves any later number too (its rows
     * after that number): it is of the same snapshot, or of the write
     * transaction, where nobody else commits and every write drops it */
    if (!s->changes || q->changed_after < s->changes_after) {
        if ((rc = read_snapshot(s)) != 0)
            return rc;
        changes_drop(s);
        triage__pg_params p;
        if (after_params(s, &p, q->changed_after))
            return TRIAGE_ENOMEM;
        PGresult *res = triage__pg_run(s, "changes", &p, &rc, "list changed records");
        triage__pg_params_free(&p);
        if (!res)
            return rc;
        s->changes = res;
        s->changes_after = q->changed_after;
    }
    rec_ctx x = {s, q->kind, visit, ctx, t->owner != NULL, 0};
    const PGresult *res = s->changes;
    int n = PQntuples(res);
    s->busy = 1;
    for (int i = 0; i < n && !rc; i++) {
        if (PQgetisnull(res, i, 0) || PQgetlength(res, i, 0) != 4) {
            rc = triage__pg_damaged("a changed row's kind is unreadable");
            break;
        }
        int k = (int)(int32_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, i, 0), 4);
        if (k != (int)q->kind)
            continue;
        if (PQgetisnull(res, i, 2) || PQgetlength(res, i, 2) != 8) {
            rc = triage__pg_damaged("a changed row's revision is unreadable");
            break;
        }
        if ((int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, i, 2), 8) >
            q->changed_after)
            rc = visit_at(&x, res, i, 1);
    }
    s->busy = 0;
    return rc;
}

static int pg_query_records(void *ud, const triage_store_query_t *q, triage_store_record_fn visit,
                            void *ctx)
{
    triage__pg_store *s = ud;
    store_entry(s);
    if (!q || q->version < 1 || !valid_kind(q->kind) || !visit)
        return triage__pg_misuse("query_records: bad arguments");
    int rc = triage__pg_alive(s);
    if (rc)
        return rc;
    if (s->npend && (rc = triage__pg_pipeline_end(s, 0)) != 0)
        return rc; /* a read inside a write transaction sees its writes */
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
    if (mask == 2 && (s->in_txn || s->in_read))
        return serve_changes(s, q, t, visit, ctx);
    char name[16];
    if ((rc = read_snapshot(s)) != 0)
        return rc;
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
    triage__pg_p_i64(&p, INT64_MAX);
    rec_ctx x = {s, q->kind, visit, ctx, t->owner != NULL, 0};
    rc = triage__pg_stream(s, name, &p, visit_row, &x, "list records");
    triage__pg_params_free(&p);
    return rc;
}

/* ---- events ------------------------------------------------------------------------------ */

static int pg_last_seq(void *ud, int64_t *out)
{
    triage__pg_store *s = ud;
    store_entry(s);
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
    if (s->read_lazy) /* a refresh's read: its BEGIN, the number and the changes at once */
        return read_prime(s, out);
    PGresult *res = triage__pg_run(s, "last_seq", NULL, &rc, "read the last sequence number");
    if (!res)
        return rc;
    if (PQntuples(res) != 1 || PQgetlength(res, 0, 0) != 8) {
        rc = triage__pg_damaged("PostgreSQL: the last sequence number is unreadable");
    } else {
        int64_t last = (int64_t)triage__pg_get_be((const unsigned char *)PQgetvalue(res, 0, 0), 8);
        if (!s->in_read && last != s->known_seq) {
            /* the engine will read what changed after the number it had */
            s->moved = 1;
            s->moved_from = s->known_seq;
        }
        *out = s->known_seq = last;
    }
    PQclear(res);
    return rc;
}

static int pg_append_event2(void *ud, const triage_store_event_t *se)
{
    triage__pg_store *s = ud;
    store_entry(s);
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
    changes_drop(s);
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
    rc = triage__pg_queue(s, s->rebased ? "rev_ins" : "ev_ins", &p, 0, 0, "append an event");
    triage__pg_params_free(&p);
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
    store_entry(s);
    if (!q || q->version < 1 || !visit)
        return triage__pg_misuse("query_events: bad arguments");
    int rc = triage__pg_alive(s);
    if (rc)
        return rc;
    if (s->npend && (rc = triage__pg_pipeline_end(s, 0)) != 0)
        return rc; /* a read inside a write transaction sees its writes */
    if ((rc = read_snapshot(s)) != 0)
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
    PQclear(s->changes);
    triage__free(&a, s->pend);
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
    snprintf(s->lock_sql, sizeof s->lock_sql, "SELECT pg_advisory_xact_lock(%d, %d)", LOCK_WRITE,
             (int)s->schema_hash);
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
    st.begin_rebased = pg_begin_rebased;
    st.commit_rebased = pg_commit_rebased;
    *out = st;
    return TRIAGE_OK;
}

TRIAGE_API int triage_store_postgresql_available(void)
{
    return 1;
}
