/*
 * Rows of the schema-2 tables in SQLite (see sqlite_rows.h).
 */
#include <string.h>

#include "store/sqlite_rows.h"

/* The field named like column `f`: usually at `hint` (the engine passes the
 * columns in the field table's order), else searched. */
static const triage_field_t *field_for(const triage_field_t *fields, size_t n, size_t hint,
                                       const char *name)
{
    if (!fields)
        return NULL;
    if (hint < n && fields[hint].name && !strcmp(fields[hint].name, name))
        return &fields[hint];
    for (size_t i = 0; i < n; i++)
        if (fields[i].name && !strcmp(fields[i].name, name))
            return &fields[i];
    return NULL;
}

static int bind_id(sqlite3_stmt *st, int at, const triage_id_t *id)
{
    char text[37];
    triage__sql_id(text, id);
    return sqlite3_bind_text(st, at, text, 36, SQLITE_TRANSIENT);
}

/* One typed column from its field; the column's representation is in
 * sql_schema.c. */
static int bind_field(sqlite3_stmt *st, int at, const triage_field_t *v, triage__text *scratch)
{
    if (!v || v->is_null)
        return sqlite3_bind_null(st, at);
    switch (v->type) {
    case TRIAGE_FIELD_REAL:
        return sqlite3_bind_double(st, at, v->r);
    case TRIAGE_FIELD_ID:
        return bind_id(st, at, &v->id);
    case TRIAGE_FIELD_TEXT:
        return v->text ? sqlite3_bind_text(st, at, v->text, -1, SQLITE_TRANSIENT)
                       : sqlite3_bind_null(st, at);
    case TRIAGE_FIELD_DATE: {
        if (!triage__date_valid((triage_date_t)v->i))
            return sqlite3_bind_null(st, at); /* the CHECK or NOT NULL refuses it */
        char text[11];
        triage__sql_date(text, (triage_date_t)v->i);
        return sqlite3_bind_text(st, at, text, 10, SQLITE_TRANSIENT);
    }
    case TRIAGE_FIELD_INTS: {
        scratch->n = 0;
        triage__sql_ints(scratch, v->ints, v->nints);
        if (scratch->failed || !scratch->p)
            return SQLITE_NOMEM;
        return sqlite3_bind_text(st, at, scratch->p, (int)scratch->n, SQLITE_TRANSIENT);
    }
    default:
        return sqlite3_bind_int64(st, at, v->i);
    }
}

int triage__sqlite_bind_record(sqlite3_stmt *st, const triage__sql_table *t,
                               const triage_store_record_t *r, triage__text *scratch)
{
    if (r->len > (size_t)INT32_MAX)
        return SQLITE_TOOBIG;
    int rc = bind_id(st, 1, &r->id);
    if (!rc)
        rc = sqlite3_bind_int64(st, 2, r->revision);
    if (!rc)
        rc = sqlite3_bind_int64(st, 3, r->created);
    size_t n = 0; /* columns bound so far */
    for (size_t i = TRIAGE__SQL_FIRST_FIELD; i < t->schema->nfields && !rc; i++) {
        const triage__field *col = &t->schema->fields[i];
        if (!triage__sql_is_column(col))
            continue;
        rc = bind_field(st, (int)n + 4, field_for(r->fields, r->nfields, n, col->name), scratch);
        n++;
    }
    if (!rc)
        rc = sqlite3_bind_blob(st, (int)n + 4, r->data, (int)r->len, SQLITE_STATIC);
    return rc;
}

int triage__sqlite_bind_event(sqlite3_stmt *st, const triage_store_event_t *se,
                              triage__text *scratch)
{
    if (se->len > (size_t)INT32_MAX)
        return SQLITE_TOOBIG;
    size_t n = triage__event_schema.nfields;
    triage_field_t cols[32];
    if (n > TRIAGE__ARRAY_LEN(cols))
        return SQLITE_INTERNAL;
    triage__codec_columns(cols, n, &triage__event_schema, se->event, 0);
    int rc = SQLITE_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        if (i == 0)
            rc = sqlite3_bind_int64(st, 1, se->seq); /* the sequence number it is stored under */
        else
            rc = bind_field(st, (int)i + 1, &cols[i], scratch);
    }
    if (!rc)
        rc = sqlite3_bind_blob(st, (int)n + 1, se->data, (int)se->len, SQLITE_STATIC);
    return rc;
}

static int read_id(sqlite3_stmt *st, int col, triage_id_t *out, int nil_ok)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        memset(out, 0, sizeof *out);
        return nil_ok ? 0 : -1;
    }
    const unsigned char *text = sqlite3_column_text(st, col);
    size_t len = (size_t)sqlite3_column_bytes(st, col);
    return triage__sql_id_parse(out, (const char *)text, len);
}

int triage__sqlite_read_record(sqlite3_stmt *st, const triage__sql_table *t,
                               triage_store_record_t *out)
{
    memset(out, 0, sizeof *out);
    out->version = TRIAGE_STORE_RECORD_VERSION;
    out->kind = t->kind;
    if (read_id(st, 0, &out->id, 0) != 0) {
        triage_store_error_set("a stored record's id is not a UUID");
        return TRIAGE_ECORRUPT;
    }
    out->revision = sqlite3_column_int64(st, 1);
    out->created = sqlite3_column_int64(st, 2);
    out->data = sqlite3_column_blob(st, 3);
    out->len = (size_t)sqlite3_column_bytes(st, 3);
    if (t->owner && read_id(st, 4, &out->owner, 1) != 0) {
        triage_store_error_set("a stored record's owner is not a UUID");
        return TRIAGE_ECORRUPT;
    }
    return 0;
}
