/*
 * Opening the PostgreSQL store: the schema as it is (inspected without
 * changing anything), the refusals, creating or migrating the tables under
 * the set-up lock, and connecting (store_pg.c describes the store).
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_internal.h"

/* Migrations of the PostgreSQL tables: entry i brings them from version
 * PG_FIRST_VERSION + i to the next; one transaction with the update of the
 * meta row. None yet. */
static const char *const migrations[] = {NULL};
#define NMIGRATIONS 0

/* ---- opening: the schema as it is ------------------------------------------------------ */

typedef enum {
    SCHEMA_MISSING,  /* no such schema */
    SCHEMA_EMPTY,    /* the schema has no tables, functions or domains */
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
        "     + (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid)"
        "     + (SELECT count(*) FROM pg_type t WHERE t.typnamespace = n.oid"
        "        AND (t.typtype <> 'b' OR t.typelem = 0) AND (t.typrelid = 0 OR EXISTS"
        "        (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))),"
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
                             "the schema %s holds tables, functions or types that are not "
                             "libtriage's",
                             s->schema);
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

triage_status_t triage__pg_open_schema(triage__pg_store *s, int create)
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

int triage__pg_schema_name_valid(const char *n)
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
PQconninfoOption *triage__pg_parse_conninfo(const char *conninfo, const char **password)
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

/* The server's notices and warnings (libpq prints them on stderr by
 * default): a library prints nothing of its own, and a notice may quote
 * a value. */
static void no_notices(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

triage_status_t triage__pg_connect(triage__pg_store *s, const char *conninfo, const char *password)
{
    static const char *const keys[] = {"dbname", "fallback_application_name", NULL};
    const char *vals[] = {conninfo, "libtriage", NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    if (!s->conn)
        return triage__error(TRIAGE_ENOMEM, NULL, "out of memory in libpq");
    PQsetNoticeProcessor(s->conn, no_notices, NULL);
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
