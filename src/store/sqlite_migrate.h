/*
 * Migration of a schema-1 SQLite database (libtriage 0.1) to the tables of
 * schema 2 (docs/storage.md, "Migrating from schema 1").
 */
#ifndef TRIAGE_STORE_SQLITE_MIGRATE_H
#define TRIAGE_STORE_SQLITE_MIGRATE_H

#include <sqlite3.h>

#include "store/sql_schema.h"

/*
 * Rewrites the schema-1 tables of `db` as the tables of schema 2. Runs
 * inside the caller's write transaction and leaves the version marks
 * (PRAGMA user_version) and the commit to it; on failure the caller rolls
 * back, which leaves the file as it was.
 *
 * Every record is decoded and validated as the engine decodes schema-1
 * records (src/engine/record_v1.c); a case aggregate becomes a case, its
 * intake and its deadline rows; events are decoded, validated and
 * re-encoded in schema 2. Revision of every record: the last event sequence
 * number (at least 1). Creation numbers: negative, in 0.1's order of
 * insertion (clients, then each case followed by its intake and its
 * deadline rows, then workers, then absences), so they sort before every
 * record created afterwards. The events of a case's arrival (INTAKE,
 * ATTACHED, URGENCY_ASSESSED) name the case's intake.
 *
 * TRIAGE_OK; TRIAGE_ECORRUPT (a record or event is damaged: the last error
 * names the kind and field; or a table of schema 1 is missing); ESTORE
 * (SQLite failed; `cause` is its code); ENOMEM.
 */
triage_status_t triage__sqlite_migrate_v1(sqlite3 *db, const triage_allocator_t *alloc);

#endif
