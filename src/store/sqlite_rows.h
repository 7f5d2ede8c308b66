/*
 * Rows of the schema-2 tables in SQLite: binding a record or an event to
 * the statements of sql_schema.c, and reading a record back. Shared by the
 * SQLite store (store_sqlite.c) and its migration of schema-1 files
 * (sqlite_migrate.c).
 */
#ifndef TRIAGE_STORE_SQLITE_ROWS_H
#define TRIAGE_STORE_SQLITE_ROWS_H

#include <sqlite3.h>

#include "store/sql_schema.h"

/*
 * Binds parameters 1 .. n+4 of an insert or update of table `t`
 * (triage__sql_insert/update): id, revision, created, the typed columns
 * from r->fields (matched by name; a column without a field is NULL) and
 * the encoding. `scratch` holds the JSON text of lists until the statement
 * is stepped. SQLITE_OK or SQLite's error.
 */
int triage__sqlite_bind_record(sqlite3_stmt *st, const triage__sql_table *t,
                               const triage_store_record_t *r, triage__text *scratch);

/* Binds an event to triage__sql_event_insert: its typed columns and its
 * encoding. */
int triage__sqlite_bind_event(sqlite3_stmt *st, const triage_store_event_t *se,
                              triage__text *scratch);

/*
 * Reads the current row of a statement that selected triage__sql_select's
 * columns into `out` (the data points into the statement's row: valid until
 * it steps again). 0, or TRIAGE_ECORRUPT with the store's error message set
 * when the id or owner column is not a UUID.
 */
int triage__sqlite_read_record(sqlite3_stmt *st, const triage__sql_table *t,
                               triage_store_record_t *out);

#endif
