/*
 * Direct SQL for the torture test's checks: the same SELECTs on SQLite and
 * PostgreSQL, every value as text (NULL as NULL).
 */
#include <stdlib.h>
#include <string.h>

#include "torture.h"

#ifdef TT_HAVE_SQLITE
#include <sqlite3.h>
#endif
#ifdef TT_HAVE_PQ
#include <libpq-fe.h>
#endif

struct tt_sql {
    int pg;
#ifdef TT_HAVE_SQLITE
    sqlite3 *lite;
#endif
#ifdef TT_HAVE_PQ
    PGconn *conn;
#endif
};

static char *dup_text(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int tt_sql_open(tt_sql **out, const tt_config *cfg)
{
    tt_sql *db = calloc(1, sizeof *db);
    if (!db)
        return -1;
    db->pg = strcmp(cfg->store, "postgresql") == 0;
    if (db->pg) {
#ifdef TT_HAVE_PQ
        db->conn = PQconnectdb(cfg->db);
        if (PQstatus(db->conn) != CONNECTION_OK) {
            fprintf(stderr, "torture: cannot connect for the checks: %s",
                    PQerrorMessage(db->conn));
            PQfinish(db->conn);
            free(db);
            return -1;
        }
        PGresult *r = PQexec(db->conn, "SET search_path TO triage");
        PQclear(r);
#else
        free(db);
        return -1;
#endif
    } else {
#ifdef TT_HAVE_SQLITE
        if (sqlite3_open_v2(cfg->db, &db->lite, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
            fprintf(stderr, "torture: cannot open %s for the checks\n", cfg->db);
            sqlite3_close(db->lite);
            free(db);
            return -1;
        }
#else
        free(db);
        return -1;
#endif
    }
    *out = db;
    return 0;
}

int tt_sql_query(tt_rows *out, tt_sql *db, const char *sql)
{
    memset(out, 0, sizeof *out);
    if (db->pg) {
#ifdef TT_HAVE_PQ
        PGresult *r = PQexec(db->conn, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            fprintf(stderr, "torture: %s: %s", sql, PQresultErrorMessage(r));
            PQclear(r);
            return -1;
        }
        out->nrows = (size_t)PQntuples(r);
        out->ncols = (size_t)PQnfields(r);
        out->cells = calloc(out->nrows * out->ncols + 1, sizeof *out->cells);
        for (size_t i = 0; i < out->nrows; i++)
            for (size_t k = 0; k < out->ncols; k++)
                out->cells[i * out->ncols + k] =
                    PQgetisnull(r, (int)i, (int)k) ? NULL
                                                   : dup_text(PQgetvalue(r, (int)i, (int)k));
        PQclear(r);
        return 0;
#else
        return -1;
#endif
    }
#ifdef TT_HAVE_SQLITE
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->lite, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "torture: %s: %s\n", sql, sqlite3_errmsg(db->lite));
        return -1;
    }
    out->ncols = (size_t)sqlite3_column_count(st);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->nrows == cap) {
            cap = cap ? cap * 2 : 256;
            out->cells = realloc(out->cells, cap * out->ncols * sizeof *out->cells + 1);
        }
        for (size_t k = 0; k < out->ncols; k++)
            out->cells[out->nrows * out->ncols + k] =
                dup_text((const char *)sqlite3_column_text(st, (int)k));
        out->nrows++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "torture: %s: %s\n", sql, sqlite3_errmsg(db->lite));
        return -1;
    }
    return 0;
#else
    return -1;
#endif
}

void tt_rows_free(tt_rows *r)
{
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof *r);
}

void tt_sql_close(tt_sql *db)
{
    if (!db)
        return;
#ifdef TT_HAVE_PQ
    if (db->conn)
        PQfinish(db->conn);
#endif
#ifdef TT_HAVE_SQLITE
    if (db->lite)
        sqlite3_close(db->lite);
#endif
    free(db);
}
