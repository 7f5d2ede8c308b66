/*
 * The PostgreSQL store's internals, shared by its files: pg_wire.c (values
 * as binary parameters, errors, running statements, the connection's
 * prepared statements and session), store_pg.c (the store's methods and
 * triage_store_postgresql()) and pg_open.c (the schema at open: inspection,
 * refusals, creation and migration; connecting). Read store_pg.c's opening
 * comment first.
 */
#ifndef TRIAGE_STORE_PG_INTERNAL_H
#define TRIAGE_STORE_PG_INTERNAL_H

#include <libpq-fe.h>

#include "engine/engine_internal.h"
#include "store/sql_schema.h"

/* The first schema version of the PostgreSQL tables (schema 1 existed
 * only in SQLite). */
#define PG_FIRST_VERSION 2
#define PG_VERSION TRIAGE__SQL_SCHEMA_VERSION

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

/* Pending statements that are neither a write nor COMMIT. */
#define TRIAGE__PG_REBASE (-2) /* begin_rebased's shift and guards ("rebase") */
#define TRIAGE__PG_LEAD (-3)   /* BEGIN or the write lock, queued by begin_rebased */

/* A statement sent in pipeline mode whose result is still to be read. */
typedef struct {
    int kind;         /* the record kind written, 0 an event, -1 COMMIT, or one of the above */
    int update;       /* an UPDATE at a revision: no row is a lost race */
    const char *what; /* the step, for messages */
} triage__pg_pending;

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
    /* the open transaction began with begin_rebased: its numbers count from
     * rebase_base and the server moves them by shift (read at commit) */
    int rebased;
    int64_t rebase_base, rebase_seen, shift;
    uint64_t prepared; /* list queries prepared on this connection: bit kind*8+mask */
    triage__pg_pending *pend; /* a write transaction's statements not yet read back */
    size_t npend, cappend;
    /* A refresh's changes of every kind, read by one statement at its
     * first list and served to the lists of the other kinds that follow
     * in the same snapshot (store_pg.c, "changes") */
    PGresult *changes;
    int64_t changes_after;
    /* the last sequence number this store told its engine (the engine's
     * last_seq, as far as the store can tell): `begin` reads the changes
     * after it in the same round trip as the lock */
    int64_t known_seq;
    /* the last `begin` found commits the engine had not seen: the next
     * one reads the changes with the lock (a lone engine never does) */
    int others_wrote;
    /* A refresh's read (store_pg.c, "A refresh's read"). moved: the last
     * callback was last_seq outside any transaction and found the number
     * moved past moved_from (the number the store had told its engine);
     * moved_ready: ... and the callback now running follows it directly
     * (store_entry); read_lazy: a read snapshot whose BEGIN is not sent
     * yet; it goes with the read's first statement. */
    int moved, moved_ready, read_lazy;
    int64_t moved_from;
    char lock_sql[96];
} triage__pg_store;

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

/* One row at a time: `row` gets each (row 0 of its result). */
typedef int (*triage__pg_row_fn)(void *ctx, const PGresult *res);

/* ---- pg_wire.c: values ---------------------------------------------------------------- */

/* A big-endian integer of n bytes (PostgreSQL's binary format). */
uint64_t triage__pg_get_be(const unsigned char *p, int n);
/* FNV-1a of a text: the schema name's key of the advisory locks. */
uint32_t triage__pg_fnv1a(const char *s);
/* PostgreSQL's packing of a SQLSTATE into an int (6 bits a character, the
 * first in the lowest bits): positive, and 0 for none. */
int triage__pg_pack_sqlstate(const char *st);

/* A statement's parameters, appended in order (binary format). */
void triage__pg_params_init(triage__pg_params *p, const triage_allocator_t *a);
void triage__pg_p_null(triage__pg_params *p);
void triage__pg_p_i64(triage__pg_params *p, int64_t v);
void triage__pg_p_real(triage__pg_params *p, double v);
void triage__pg_p_id(triage__pg_params *p, const triage_id_t *id);
void triage__pg_p_date(triage__pg_params *p, triage_date_t d);
/* Points to `data`, which must outlive the statement. */
void triage__pg_p_bytes(triage__pg_params *p, const void *data, size_t len);
/* A text or a list, copied into `var` between begin and end: `jsonb` puts
 * jsonb's binary version byte first. */
void triage__pg_p_var_begin(triage__pg_params *p, int *i, int jsonb);
void triage__pg_p_var_end(triage__pg_params *p, int i);
/* Points the variable parameters into `var`; -2 when it failed to grow, -1
 * when there were more than MAX_PARAMS. */
int triage__pg_params_done(triage__pg_params *p);
void triage__pg_params_free(triage__pg_params *p);

/* ---- pg_wire.c: errors ---------------------------------------------------------------- */

/* Copies the first line of a message into `out`, or "" when it would show
 * `secret` (a password; an empty or absent one hides nothing). */
void triage__pg_safe_line(char *out, size_t cap, const char *msg, const char *secret);
/* The status a failed statement maps to: a lost race, damage, or a failure
 * of the store (the packed SQLSTATE). `msg` gets a message without values. */
int triage__pg_classify(triage__pg_store *s, const PGresult *res, const char *what, char *msg,
                        size_t cap);
/* From a callback: sets the store's message and returns its code. */
int triage__pg_fail(triage__pg_store *s, const PGresult *res, const char *what);
/* From a callback: the store's message and TRIAGE_EINVAL or TRIAGE_ECORRUPT. */
int triage__pg_misuse(const char *message);
int triage__pg_damaged(const char *message);

/* ---- pg_wire.c: statements and the connection ----------------------------------------- */

/* Runs a prepared statement; the result (or NULL when it failed, the
 * status in *rc) is the caller's to PQclear. */
PGresult *triage__pg_run(triage__pg_store *s, const char *name, const triage__pg_params *p, int *rc,
                         const char *what);
/* Runs SQL text (no parameters, any number of statements); 0 or the status. */
int triage__pg_exec_sql(triage__pg_store *s, const char *sql, const char *what);
/* Runs a prepared statement in single-row mode, `row` called on each row
 * until it returns non-zero (the rest is read and dropped). */
int triage__pg_stream(triage__pg_store *s, const char *name, const triage__pg_params *p,
                      triage__pg_row_fn row, void *ctx, const char *what);
int triage__pg_prepare(triage__pg_store *s, const char *name, const char *sql, int ntypes,
                       const Oid *types);
/* Prepares the statements every connection has. */
int triage__pg_prepare_all(triage__pg_store *s);

/* Writes in pipeline mode: sends a prepared statement without waiting for
 * its result (entering pipeline mode first when needed). */
int triage__pg_queue(triage__pg_store *s, const char *name, const triage__pg_params *p, int kind,
                     int update, const char *what);
/* Reads back every queued statement (with `commit`, COMMIT is queued
 * last, so the whole write costs one round trip) and leaves pipeline mode;
 * 0 or the first failure. A no-op outside pipeline mode. */
int triage__pg_pipeline_end(triage__pg_store *s, int commit);
/* Reads whatever a pipeline still has, up to its sync point, and leaves
 * pipeline mode; 0 when the connection is out of it. */
int triage__pg_leave_pipeline(triage__pg_store *s);
/* The session's settings: the schema, durability, timeouts. */
int triage__pg_session_setup(triage__pg_store *s);
/* Connects again after the connection was lost, when no transaction is
 * open; refuses a call from inside a visitor. */
int triage__pg_alive(triage__pg_store *s);

/* ---- pg_open.c ------------------------------------------------------------------------- */

/* Checks the schema, creates or migrates its tables when allowed, and
 * prepares every statement (from outside a callback: the error is set). */
triage_status_t triage__pg_open_schema(triage__pg_store *s, int create);
/* A lower-case SQL identifier of at most 63 bytes, not pg_*. */
int triage__pg_schema_name_valid(const char *n);
/* The password in the connection string, if any (to keep it out of
 * messages); NULL when the string does not parse. */
PQconninfoOption *triage__pg_parse_conninfo(const char *conninfo, const char **password);
/* Connects and sets the session up. */
triage_status_t triage__pg_connect(triage__pg_store *s, const char *conninfo, const char *password);

#endif
