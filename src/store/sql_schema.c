/*
 * The SQL tables of schema 2, generated from the engine's field tables
 * (see sql_schema.h for the shape and docs/storage.md for how a vendor
 * reads them).
 *
 * How a field becomes a column:
 *
 *   field                 SQLite                      PostgreSQL
 *   integer (any width)   INTEGER                     bigint
 *   real                  REAL                        double precision
 *   date                  TEXT 'YYYY-MM-DD'           date
 *   id                    TEXT, canonical lower case  uuid
 *   text                  TEXT                        text
 *   list of integers      TEXT, a JSON array          jsonb
 *   (the encoding)        BLOB                        bytea
 *
 * A date of "none" and a nil id are NULL; every other column is NOT NULL.
 * A field's numeric range becomes a CHECK; in SQLite, ids, dates and lists
 * are checked for their shape too (PostgreSQL's types do that). In
 * PostgreSQL the rule of a single column is the CHECK of a domain, and the
 * column's type is that domain ("PostgreSQL: rules as domains" below).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql_schema.h"

static const triage__sql_table tables[TRIAGE__SQL_TABLES] = {
    {TRIAGE_RECORD_CLIENT, "clients", &triage__client_schema, NULL, NULL},
    {TRIAGE_RECORD_CASE, "cases", &triage__case_schema, "client", "clients"},
    {TRIAGE_RECORD_WORKER, "workers", &triage__worker_schema, NULL, NULL},
    {TRIAGE_RECORD_ABSENCE, "absences", &triage__absence_schema, "worker", "workers"},
    {TRIAGE_RECORD_INTAKE, "intakes", &triage__intake_schema, "case_id", "cases"},
    {TRIAGE_RECORD_DEADLINE, "deadlines", &triage__deadline_schema, "case_id", "cases"},
    {TRIAGE_RECORD_POLICY, "policies", &triage__policy_schema, NULL, NULL},
};

const triage__sql_table *triage__sql_table_of(triage_record_kind_t kind)
{
    if ((int)kind < 1 || (int)kind > TRIAGE__SQL_TABLES)
        return NULL;
    return &tables[(int)kind - 1];
}

/* ---- columns ---------------------------------------------------------------------- */

int triage__sql_is_column(const triage__field *f)
{
    return !(f->flags & TRIAGE__F_NOCOL);
}

size_t triage__sql_ncolumns(const triage__sql_table *t)
{
    size_t n = 0;
    for (size_t i = TRIAGE__SQL_FIRST_FIELD; i < t->schema->nfields; i++)
        n += triage__sql_is_column(&t->schema->fields[i]);
    return n;
}

static int is_date(const triage__field *f)
{
    return (f->flags & TRIAGE__F_DATE) != 0;
}

static const char *column_type(const triage__field *f, triage__sql_dialect d)
{
    int pg = d == TRIAGE__SQL_POSTGRES;
    switch (f->mem) {
    case TRIAGE__M_F64: return pg ? "double precision" : "REAL";
    case TRIAGE__M_ID: return pg ? "uuid" : "TEXT";
    case TRIAGE__M_TEXT: return pg ? "text" : "TEXT";
    case TRIAGE__M_INTS: return pg ? "jsonb" : "TEXT";
    case TRIAGE__M_BYTES: return pg ? "bytea" : "BLOB";
    default:
        if (is_date(f))
            return pg ? "date" : "TEXT";
        return pg ? "bigint" : "INTEGER";
    }
}

/* A date of "none" and a nil id are NULL; nothing else is. */
static int nullable(const triage__field *f)
{
    if (f->mem == TRIAGE__M_ID)
        return !(f->flags & TRIAGE__F_NOT_NIL);
    if (is_date(f))
        return !(f->flags & TRIAGE__F_REQUIRED);
    return 0;
}

/* A real as the shortest of %.15g and %.17g that reads back as itself. */
static void real_text(char b[40], double v)
{
    snprintf(b, 40, "%.15g", v);
    if (strtod(b, NULL) != v)
        snprintf(b, 40, "%.17g", v);
}

static int is_unsigned(const triage__field *f)
{
    return f->mem == TRIAGE__M_U32 || f->mem == TRIAGE__M_U16 || f->mem == TRIAGE__M_U8;
}

/* SQLite: the CHECK of one column, if it has one. */
static void column_check(triage__text *o, const triage__field *f)
{
    const char *n = f->name;
    switch (f->mem) {
    case TRIAGE__M_ID:
        triage__text_add(o, " CHECK (length(\"%s\") = 36)", n);
        return;
    case TRIAGE__M_TEXT:
        triage__text_add(o, " CHECK (length(\"%s\") < %zu)", n, f->off2);
        return;
    case TRIAGE__M_INTS:
        triage__text_add(o, " CHECK (\"%s\" LIKE '[%%]')", n);
        return;
    case TRIAGE__M_BYTES:
        return;
    case TRIAGE__M_F64:
        if (f->min <= f->max) {
            char lo[40], hi[40];
            real_text(lo, f->min);
            real_text(hi, f->max);
            triage__text_add(o, " CHECK (\"%s\" BETWEEN %s AND %s)", n, lo, hi);
        }
        return;
    default:
        break;
    }
    if (is_date(f)) {
        /* date() with a modifier gives back exactly the text of a valid
         * ISO date (without one it lets 02-30 through) */
        triage__text_add(o, " CHECK (\"%s\" IS date(\"%s\", '+0 days'))", n, n);
        return;
    }
    if (f->min <= f->max)
        triage__text_add(o, " CHECK (\"%s\" BETWEEN %lld AND %lld)", n, (long long)f->min,
                         (long long)f->max);
    else if (is_unsigned(f))
        triage__text_add(o, " CHECK (\"%s\" >= 0)", n);
}

/* ---- PostgreSQL: rules as domains -------------------------------------------------- */

/*
 * PostgreSQL keeps a column's CHECK as a stored expression tree that the
 * executor reads back, plans and compiles again for every INSERT or
 * UPDATE it runs (ExecConstraints): with about 90 of them, a quarter of the
 * server's time in a write went there. A domain's CHECK is read once per
 * server process into its type cache. So in PostgreSQL the rule of a single
 * column is the CHECK of a domain, and the column's type is that domain: the
 * same rule, the same refusal (SQLSTATE 23514, check_violation), and
 * information_schema.columns still reports the base type. Rules between
 * columns (table_checks) stay table CHECKs.
 *
 * One domain per distinct rule, named after what it allows, so the columns
 * with the same rule share it: int_1_8 (BETWEEN 1 AND 8; "m" for a minus,
 * int_m1_1), int_nonneg (>= 0), double_0p0001_1 ("p" for the point),
 * text_max_31 (shorter than 32 characters), jsonb_array, and two of one
 * meaning, revision_no (> 0) and record_data (the encoding: longer than its
 * header and trailer). They are made in the store's schema (the search_path
 * of the session that creates the tables). The longest name possible,
 * int_m<19 digits>_<19 digits> or double_ with two 24-character reals, is
 * well under PostgreSQL's 63 bytes.
 */
typedef struct {
    char name[64];    /* an identifier: [a-z0-9_], no quoting needed */
    const char *base; /* "bigint" */
    char check[128];  /* "VALUE BETWEEN 1 AND 8" */
} pg_domain;

static const pg_domain revision_no = {"revision_no", "bigint", "VALUE > 0"};

static void data_domain(pg_domain *dm)
{
    snprintf(dm->name, sizeof dm->name, "record_data");
    dm->base = "bytea";
    snprintf(dm->check, sizeof dm->check, "length(VALUE) > %d",
             TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER - 1);
}

/* A real in a name: "p" for the point, "m" for a minus, no plus. */
static void real_name(char *out, size_t cap, const char *real)
{
    size_t k = 0;
    for (const char *c = real; *c && k + 1 < cap; c++) {
        if (*c == '+')
            continue;
        out[k++] = *c == '.' ? 'p' : *c == '-' ? 'm' : *c;
    }
    out[k] = '\0';
}

/* The domain of a column, or 0 when its type alone is its rule (ids,
 * dates, and integers without a range). */
static int field_domain(pg_domain *dm, const triage__field *f)
{
    switch (f->mem) {
    case TRIAGE__M_ID:
    case TRIAGE__M_BYTES:
        return 0;
    case TRIAGE__M_TEXT:
        snprintf(dm->name, sizeof dm->name, "text_max_%zu", f->off2 - 1);
        dm->base = "text";
        snprintf(dm->check, sizeof dm->check, "length(VALUE) < %zu", f->off2);
        return 1;
    case TRIAGE__M_INTS:
        snprintf(dm->name, sizeof dm->name, "jsonb_array");
        dm->base = "jsonb";
        snprintf(dm->check, sizeof dm->check, "jsonb_typeof(VALUE) = 'array'");
        return 1;
    case TRIAGE__M_F64: {
        if (f->min > f->max)
            return 0;
        /* %.17g writes at most 24 characters ("-1.2345678901234567e-308") */
        char lo[40], hi[40], nlo[28], nhi[28];
        real_text(lo, f->min);
        real_text(hi, f->max);
        real_name(nlo, sizeof nlo, lo);
        real_name(nhi, sizeof nhi, hi);
        snprintf(dm->name, sizeof dm->name, "double_%s_%s", nlo, nhi);
        dm->base = "double precision";
        snprintf(dm->check, sizeof dm->check, "VALUE BETWEEN %s AND %s", lo, hi);
        return 1;
    }
    default:
        break;
    }
    if (is_date(f))
        return 0;
    dm->base = "bigint";
    if (f->min <= f->max) {
        long long lo = (long long)f->min, hi = (long long)f->max;
        snprintf(dm->name, sizeof dm->name, "int_%s%llu_%s%llu", lo < 0 ? "m" : "",
                 lo < 0 ? 0ULL - (unsigned long long)lo : (unsigned long long)lo,
                 hi < 0 ? "m" : "", hi < 0 ? 0ULL - (unsigned long long)hi : (unsigned long long)hi);
        snprintf(dm->check, sizeof dm->check, "VALUE BETWEEN %lld AND %lld", lo, hi);
        return 1;
    }
    if (is_unsigned(f)) {
        snprintf(dm->name, sizeof dm->name, "int_nonneg");
        snprintf(dm->check, sizeof dm->check, "VALUE >= 0");
        return 1;
    }
    return 0;
}

/* The n-th typed column of the schema, counting the record tables' in
 * order and then the events'; NULL past the last. */
static const triage__field *nth_column(size_t n)
{
    for (int k = 0; k < TRIAGE__SQL_TABLES; k++) {
        const triage__schema *sc = tables[k].schema;
        for (size_t i = TRIAGE__SQL_FIRST_FIELD; i < sc->nfields; i++)
            if (triage__sql_is_column(&sc->fields[i]) && n-- == 0)
                return &sc->fields[i];
    }
    return n < triage__event_schema.nfields ? &triage__event_schema.fields[n] : NULL;
}

static void create_domain(triage__text *o, const pg_domain *dm)
{
    triage__text_add(o, "CREATE DOMAIN %s AS %s CHECK (%s);\n", dm->name, dm->base, dm->check);
}

/* Every domain the tables use, once each, in the order of first use. */
static void create_domains(triage__text *o)
{
    pg_domain dm, prev;
    create_domain(o, &revision_no);
    data_domain(&dm);
    create_domain(o, &dm);
    const triage__field *f;
    for (size_t n = 0; (f = nth_column(n)) != NULL; n++) {
        if (!field_domain(&dm, f))
            continue;
        size_t k = 0; /* the first column with this domain */
        while (!(field_domain(&prev, nth_column(k)) && !strcmp(prev.name, dm.name)))
            k++;
        if (k == n)
            create_domain(o, &dm);
    }
}

/* ---- tables ------------------------------------------------------------------------ */

static void column_def(triage__text *o, triage__sql_dialect d, const triage__field *f,
                       const triage__sql_table *t)
{
    pg_domain dm;
    int pg = d == TRIAGE__SQL_POSTGRES;
    triage__text_add(o, ",\n  \"%s\" %s", f->name,
                     pg && field_domain(&dm, f) ? dm.name : column_type(f, d));
    if (!nullable(f))
        triage__text_add(o, " NOT NULL");
    if (!pg)
        column_check(o, f);
    if (t && t->owner && !strcmp(f->name, t->owner))
        triage__text_add(o, " REFERENCES %s (id) DEFERRABLE INITIALLY DEFERRED", t->owner_table);
}

/* Rules between columns of one record (the engine checks them too). */
static void table_checks(triage__text *o, const triage__sql_table *t)
{
    switch (t->kind) {
    case TRIAGE_RECORD_CASE:
        /* closed with a reason, and only closed (SHL 34 §) */
        triage__text_add(o, ",\n  CHECK ((\"stage\" = %d) = (\"closing_reason\" <> %d))",
                         (int)TRIAGE_STAGE_CLOSED, (int)TRIAGE_CLOSE_NONE);
        break;
    case TRIAGE_RECORD_ABSENCE:
        triage__text_add(o, ",\n  CHECK (\"end\" >= \"start\")");
        break;
    case TRIAGE_RECORD_DEADLINE:
        triage__text_add(o, ",\n  CHECK (\"due\" >= \"start\")");
        break;
    default:
        break;
    }
}

static void record_table(triage__text *o, triage__sql_dialect d, const triage__sql_table *t)
{
    int pg = d == TRIAGE__SQL_POSTGRES;
    triage__text_add(o, "CREATE TABLE %s (\n", t->name);
    if (pg)
        triage__text_add(o, "  id uuid PRIMARY KEY,\n  revision revision_no NOT NULL");
    else
        triage__text_add(o, "  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36)"
                            ",\n  revision INTEGER NOT NULL CHECK (revision > 0)");
    triage__text_add(o, ",\n  created %s NOT NULL", pg ? "bigint" : "INTEGER");
    for (size_t i = TRIAGE__SQL_FIRST_FIELD; i < t->schema->nfields; i++)
        if (triage__sql_is_column(&t->schema->fields[i]))
            column_def(o, d, &t->schema->fields[i], t);
    if (pg)
        triage__text_add(o, ",\n  data record_data NOT NULL");
    else
        triage__text_add(o, ",\n  data BLOB NOT NULL CHECK (length(data) > %d)",
                         TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER - 1);
    table_checks(o, t);
    triage__text_add(o, "\n);\n");
    /* changed_after: everything written since a revision */
    triage__text_add(o, "CREATE INDEX %s_revision ON %s (revision);\n", t->name, t->name);
    if (t->owner)
        triage__text_add(o, "CREATE INDEX %s_owner ON %s (\"%s\", created);\n", t->name, t->name,
                         t->owner);
    if (t->kind == TRIAGE_RECORD_CASE)
        triage__text_add(o, "CREATE INDEX cases_open ON cases (created) WHERE \"stage\" <> %d;\n",
                         (int)TRIAGE_STAGE_CLOSED);
    /* PostgreSQL: the clients an engine loads at open (an open case, or
     * activity since a day) without reading every client of the history */
    if (pg && t->kind == TRIAGE_RECORD_CLIENT)
        triage__text_add(o,
                         "CREATE INDEX clients_active ON clients (created)"
                         " WHERE \"active_case\" IS NOT NULL;\n"
                         "CREATE INDEX clients_last_activity ON clients (\"last_activity\");\n");
}

static void events_table(triage__text *o, triage__sql_dialect d)
{
    int pg = d == TRIAGE__SQL_POSTGRES;
    triage__text_add(o, "CREATE TABLE events (\n");
    for (size_t i = 0; i < triage__event_schema.nfields; i++) {
        const triage__field *f = &triage__event_schema.fields[i];
        if (i == 0) {
            /* seq: in SQLite exactly "INTEGER PRIMARY KEY", the rowid */
            pg_domain dm;
            if (pg && field_domain(&dm, f))
                triage__text_add(o, "  \"%s\" %s PRIMARY KEY", f->name, dm.name);
            else if (pg)
                triage__text_add(o, "  \"%s\" bigint PRIMARY KEY", f->name);
            else {
                triage__text_add(o, "  \"%s\" INTEGER PRIMARY KEY", f->name);
                column_check(o, f);
            }
            continue;
        }
        column_def(o, d, f, NULL);
    }
    if (pg)
        triage__text_add(o, ",\n  data record_data NOT NULL\n);\n");
    else
        triage__text_add(o, ",\n  data BLOB NOT NULL CHECK (length(data) > %d)\n);\n",
                         TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER - 1);
    triage__text_add(o, "CREATE INDEX events_case ON events (\"case_id\", \"seq\");\n");
    triage__text_add(o, "CREATE INDEX events_at ON events (\"at_ms\");\n");
}

/* Events are never changed or deleted; a record never changes owner. */
static void triggers(triage__text *o, triage__sql_dialect d)
{
    if (d == TRIAGE__SQL_POSTGRES) {
        triage__text_add(o,
                         "CREATE FUNCTION triage_append_only() RETURNS trigger LANGUAGE plpgsql"
                         " AS $$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$;\n"
                         "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events"
                         " FOR EACH ROW EXECUTE FUNCTION triage_append_only();\n"
                         "CREATE FUNCTION triage_owner_fixed() RETURNS trigger LANGUAGE plpgsql"
                         " AS $$ BEGIN RAISE EXCEPTION 'a record never changes owner'; END $$;\n");
        for (int k = 0; k < TRIAGE__SQL_TABLES; k++) {
            const triage__sql_table *t = &tables[k];
            if (t->owner)
                triage__text_add(o,
                                 "CREATE TRIGGER %s_owner_fixed BEFORE UPDATE ON %s FOR EACH ROW"
                                 " WHEN (OLD.\"%s\" IS DISTINCT FROM NEW.\"%s\")"
                                 " EXECUTE FUNCTION triage_owner_fixed();\n",
                                 t->name, t->name, t->owner, t->owner);
        }
        return;
    }
    triage__text_add(o,
                     "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
                     " BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n"
                     "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
                     " BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;\n");
    for (int k = 0; k < TRIAGE__SQL_TABLES; k++) {
        const triage__sql_table *t = &tables[k];
        if (t->owner)
            triage__text_add(o,
                             "CREATE TRIGGER %s_owner_fixed BEFORE UPDATE OF \"%s\" ON %s"
                             " WHEN OLD.\"%s\" IS NOT NEW.\"%s\""
                             " BEGIN SELECT RAISE(ABORT, 'a record never changes owner'); END;\n",
                             t->name, t->owner, t->name, t->owner, t->owner);
    }
}

void triage__sql_create(triage__text *o, triage__sql_dialect d)
{
    triage__text_add(o, "CREATE TABLE meta (\n  \"key\" TEXT PRIMARY KEY NOT NULL,\n"
                        "  \"value\" TEXT NOT NULL\n);\n");
    triage__text_add(o, "INSERT INTO meta VALUES ('application', 'libtriage');\n");
    triage__text_add(o, "INSERT INTO meta VALUES ('schema', '%d');\n", TRIAGE__SQL_SCHEMA_VERSION);
    if (d == TRIAGE__SQL_POSTGRES)
        create_domains(o);
    for (int k = 0; k < TRIAGE__SQL_TABLES; k++)
        record_table(o, d, &tables[k]);
    events_table(o, d);
    triggers(o, d);
}

/* ---- statements ------------------------------------------------------------------- */

static void param(triage__text *o, triage__sql_dialect d, size_t n)
{
    triage__text_add(o, "%c%zu", d == TRIAGE__SQL_POSTGRES ? '$' : '?', n);
}

#define SHIFT "current_setting('triage.shift')::bigint"

/* Parameter n (a revision, a creation number or a seq), moved by the
 * transaction's shift when `shifted` (PostgreSQL only). */
static void number(triage__text *o, triage__sql_dialect d, size_t n, int shifted, int created)
{
    if (!shifted)
        param(o, d, n);
    else if (!created)
        triage__text_add(o, "($%zu::bigint + " SHIFT ")", n);
    else
        triage__text_add(o,
                         "(CASE WHEN $%zu::bigint > current_setting('triage.base')::bigint "
                         "THEN $%zu::bigint + " SHIFT " ELSE $%zu::bigint END)",
                         n, n, n);
}

static void insert(triage__text *o, triage__sql_dialect d, const triage__sql_table *t, int shifted)
{
    size_t n = triage__sql_ncolumns(t);
    triage__text_add(o, "INSERT INTO %s (id, revision, created", t->name);
    for (size_t i = TRIAGE__SQL_FIRST_FIELD; i < t->schema->nfields; i++)
        if (triage__sql_is_column(&t->schema->fields[i]))
            triage__text_add(o, ", \"%s\"", t->schema->fields[i].name);
    triage__text_add(o, ", data) VALUES (");
    for (size_t i = 1; i <= n + 4; i++) {
        if (i > 1)
            triage__text_add(o, ", ");
        if (i == 2 || i == 3)
            number(o, d, i, shifted, i == 3);
        else
            param(o, d, i);
    }
    triage__text_add(o, ")");
}

void triage__sql_insert(triage__text *o, triage__sql_dialect d, const triage__sql_table *t)
{
    insert(o, d, t, 0);
}

void triage__sql_insert_shifted(triage__text *o, const triage__sql_table *t)
{
    insert(o, TRIAGE__SQL_POSTGRES, t, 1);
}

static void update(triage__text *o, triage__sql_dialect d, const triage__sql_table *t, int shifted)
{
    size_t n = triage__sql_ncolumns(t);
    triage__text_add(o, "UPDATE %s SET revision = ", t->name);
    number(o, d, 2, shifted, 0);
    triage__text_add(o, ", created = ");
    number(o, d, 3, shifted, 1);
    size_t k = 4;
    for (size_t i = TRIAGE__SQL_FIRST_FIELD; i < t->schema->nfields; i++) {
        if (!triage__sql_is_column(&t->schema->fields[i]))
            continue;
        triage__text_add(o, ", \"%s\" = ", t->schema->fields[i].name);
        param(o, d, k++);
    }
    triage__text_add(o, ", data = ");
    param(o, d, n + 4);
    triage__text_add(o, " WHERE id = ");
    param(o, d, 1);
    triage__text_add(o, " AND revision = ");
    param(o, d, n + 5);
}

void triage__sql_update(triage__text *o, triage__sql_dialect d, const triage__sql_table *t)
{
    update(o, d, t, 0);
}

void triage__sql_update_shifted(triage__text *o, const triage__sql_table *t)
{
    update(o, TRIAGE__SQL_POSTGRES, t, 1);
}

/* The event's first field is its seq (records.c): the one number moved. */
static void event_insert(triage__text *o, triage__sql_dialect d, int shifted)
{
    size_t n = triage__event_schema.nfields;
    triage__text_add(o, "INSERT INTO events (");
    for (size_t i = 0; i < n; i++)
        triage__text_add(o, "%s\"%s\"", i ? ", " : "", triage__event_schema.fields[i].name);
    triage__text_add(o, ", data) VALUES (");
    for (size_t i = 1; i <= n + 1; i++) {
        if (i > 1)
            triage__text_add(o, ", ");
        if (i == 1)
            number(o, d, i, shifted, 0);
        else
            param(o, d, i);
    }
    triage__text_add(o, ")");
}

void triage__sql_event_insert(triage__text *o, triage__sql_dialect d)
{
    event_insert(o, d, 0);
}

void triage__sql_event_insert_shifted(triage__text *o)
{
    event_insert(o, TRIAGE__SQL_POSTGRES, 1);
}

void triage__sql_select(triage__text *o, const triage__sql_table *t)
{
    triage__text_add(o, "SELECT id, revision, created, data");
    if (t->owner)
        triage__text_add(o, ", \"%s\"", t->owner);
    triage__text_add(o, " FROM %s", t->name);
}

/* ---- values --------------------------------------------------------------------- */

void triage__sql_date(char out[11], triage_date_t d)
{
    int y, m, day;
    triage__civil_from_days(d, &y, &m, &day);
    char b[40];
    snprintf(b, sizeof b, "%04d-%02d-%02d", y, m, day);
    memcpy(out, b, 10);
    out[10] = '\0';
}

void triage__sql_id(char out[37], const triage_id_t *id)
{
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = hex[id->bytes[i] >> 4];
        out[k++] = hex[id->bytes[i] & 15];
    }
    out[k] = '\0';
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int triage__sql_id_parse(triage_id_t *out, const char *text, size_t len)
{
    if (!text || len != 36)
        return -1;
    triage_id_t id;
    size_t k = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            if (text[k++] != '-')
                return -1;
        }
        int hi = hex_digit(text[k]), lo = hex_digit(text[k + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        id.bytes[i] = (uint8_t)(hi << 4 | lo);
        k += 2;
    }
    *out = id;
    return 0;
}

void triage__sql_ints(triage__text *o, const int32_t *v, uint32_t n)
{
    triage__text_add(o, "[");
    for (uint32_t i = 0; i < n; i++)
        triage__text_add(o, "%s%d", i ? "," : "", (int)v[i]);
    triage__text_add(o, "]");
}
