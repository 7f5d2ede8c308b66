/*
 * The SQL tables of schema 2 (docs/storage.md, "The tables of schema 2"),
 * generated from the engine's field tables (src/engine/records.c) so that a
 * record's columns have a single source of truth. The SQLite store creates
 * and fills them; a PostgreSQL store can create the same tables with its
 * own types by asking for the other dialect. Nothing here needs SQLite.
 *
 * The shape, for every record kind:
 *
 *     <table> (id, revision, created, <one column per field>, data)
 *
 * - id: the record's UUID, canonical lower-case text (SQLite) or uuid
 *   (PostgreSQL); the primary key.
 * - revision, created: the record's revision and creation number (event
 *   sequence numbers; docs/data-model.md).
 * - one typed column per field of the record's field table after the head
 *   (id, rev, created), skipping fields marked TRIAGE__F_NOCOL, named as
 *   the field. The column that names the record's owner (a case's client,
 *   an absence's worker, an intake's or deadline row's case) is one of them.
 * - data: the portable encoding the engine reads back. The typed columns
 *   are a copy for queries; the engine never reads them.
 *
 * Events: events (<one column per field of the event table>, data), the
 * first of them `seq`, the primary key.
 *
 * Every column name is written in double quotes: a few fields are named as
 * SQL keywords ("from", "to", "end", "row").
 */
#ifndef TRIAGE_STORE_SQL_SCHEMA_H
#define TRIAGE_STORE_SQL_SCHEMA_H

#include "engine/engine_internal.h"

/* The version of the tables (SQLite: PRAGMA user_version; both dialects:
 * the meta row "schema"). */
#define TRIAGE__SQL_SCHEMA_VERSION 2

typedef enum {
    TRIAGE__SQL_SQLITE = 1,  /* INTEGER, REAL, TEXT (ids, ISO dates, JSON lists), BLOB */
    TRIAGE__SQL_POSTGRES = 2 /* bigint, double precision, uuid, date, jsonb, text, bytea */
} triage__sql_dialect;

/* One record table. */
typedef struct triage__sql_table {
    triage_record_kind_t kind;
    const char *name;             /* "cases" */
    const triage__schema *schema; /* the engine's field table of the kind */
    const char *owner;            /* the column naming the owner ("client"), or NULL */
    const char *owner_table;      /* the table of the owner ("clients"), or NULL */
} triage__sql_table;

/* The number of record tables: one per record kind, kinds 1..N. */
#define TRIAGE__SQL_TABLES 7

/* The table of a record kind, or NULL for a kind without one. */
const triage__sql_table *triage__sql_table_of(triage_record_kind_t kind);

/* The typed columns of a record table, in order: the fields of its field
 * table from TRIAGE__SQL_FIRST_FIELD on for which triage__sql_is_column()
 * holds. Their number is triage__sql_ncolumns(). The event table's columns
 * are every field of triage__event_schema. */
#define TRIAGE__SQL_FIRST_FIELD 3
int triage__sql_is_column(const triage__field *f);
size_t triage__sql_ncolumns(const triage__sql_table *t);

/*
 * The whole schema as SQL statements separated by ";\n": the meta table,
 * in PostgreSQL the domains that carry the rules of single columns, the
 * record tables (with CHECK constraints from the fields' ranges, as column
 * CHECKs in SQLite and as the columns' domains in PostgreSQL; foreign
 * keys from a record to its owner, deferred to commit), their indexes, the
 * events table and the triggers that keep events append-only and a
 * record's owner fixed. The caller runs it in one transaction and then sets
 * its own version marks (SQLite: application_id and user_version).
 */
void triage__sql_create(triage__text *out, triage__sql_dialect d);

/*
 * Statements on one table, with numbered parameters (?N or $N). Record
 * tables: parameter 1 is id, 2 revision, 3 created, 4 .. 3+n the typed
 * columns in order, 4+n data, and (update) 5+n the
 * revision the writer read.
 */
void triage__sql_insert(triage__text *out, triage__sql_dialect d, const triage__sql_table *t);
void triage__sql_update(triage__text *out, triage__sql_dialect d, const triage__sql_table *t);
/* Events: parameters 1 .. n the event's fields in order, n+1 data. */
void triage__sql_event_insert(triage__text *out, triage__sql_dialect d);
/*
 * The same three for PostgreSQL with the numbers moved (begin_rebased):
 * the revision and the event's seq plus the transaction's setting
 * triage.shift, the creation number too when it is above triage.base.
 */
void triage__sql_insert_shifted(triage__text *out, const triage__sql_table *t);
void triage__sql_update_shifted(triage__text *out, const triage__sql_table *t);
void triage__sql_event_insert_shifted(triage__text *out);

/* The columns a reader selects, in this order: id, revision, created, data,
 * then the owner column when the table has one. No WHERE clause. */
void triage__sql_select(triage__text *out, const triage__sql_table *t);

/* ---- values as the columns hold them ----------------------------------------- */

/* A date as ISO 8601 text, "YYYY-MM-DD" (11 bytes with the NUL). */
void triage__sql_date(char out[11], triage_date_t d);
/* An id as canonical lower-case text (37 bytes with the NUL). */
void triage__sql_id(char out[37], const triage_id_t *id);
/* Reads an id written as canonical text (either case): 0, or -1 when `text`
 * is not one (sets no error). */
int triage__sql_id_parse(triage_id_t *out, const char *text, size_t len);
/* A list of integers as a JSON array ("[1,2]"). */
void triage__sql_ints(triage__text *out, const int32_t *v, uint32_t n);

#endif
