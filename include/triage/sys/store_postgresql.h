/**
 * @file triage/sys/store_postgresql.h
 * @brief The PostgreSQL store: many engines, in many processes and on many
 *        machines, on one PostgreSQL database (docs/storage.md, "The
 *        PostgreSQL store").
 *
 * Included by <triage/sys/store.h>; include that one. The declarations are
 * the same in every build: in a build without libpq (meson option
 * `postgresql` off or libpq missing) triage_store_postgresql() refuses with
 * ::TRIAGE_EINVAL and triage_store_postgresql_available() returns 0.
 */
#ifndef TRIAGE_SYS_STORE_POSTGRESQL_H
#define TRIAGE_SYS_STORE_POSTGRESQL_H

#include <triage/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct triage_store;

/** PostgreSQL store options. Versioned: start from ::TRIAGE_POSTGRESQL_OPTIONS_INIT. */
typedef struct triage_postgresql_options {
    uint32_t version;   /**< ::TRIAGE_POSTGRESQL_OPTIONS_VERSION */
    /** The PostgreSQL schema that holds the tables; NULL means "triage".
     *  A lower-case SQL identifier: a letter or `_`, then letters, digits
     *  or `_`, at most 63 bytes (so it never needs quoting in SQL). */
    const char *schema;
    /** 1: create the schema and its tables when they do not exist (default);
     *  0: refuse a database without them (::TRIAGE_ENOTFOUND). */
    int32_t create;
    /** The longest a statement waits for a lock, in milliseconds: above
     *  all the write lock another engine holds while it commits. A wait that
     *  runs out is a lost race (::TRIAGE_ECONFLICT, which the engine
     *  retries). Default 10000; 0: wait as long as it takes. */
    int32_t lock_timeout_ms;
    /** The longest one statement may run, in milliseconds (::TRIAGE_ESTORE
     *  when exceeded). Default 0: the server's setting. */
    int32_t statement_timeout_ms;
    /** For the store's own memory (libpq allocates its own with malloc). */
    triage_allocator_t allocator;
} triage_postgresql_options_t;
#define TRIAGE_POSTGRESQL_OPTIONS_VERSION 1
#define TRIAGE_POSTGRESQL_OPTIONS_INIT                                                       \
    {TRIAGE_POSTGRESQL_OPTIONS_VERSION, 0, 1, 10000, 0, {0, 0, 0, 0}}

/**
 * Fills @p out with a store (interface version 3) on a PostgreSQL database.
 *
 * The store opens its own connection with @p conninfo, a libpq connection
 * string: `key=value` pairs ("host=db1 dbname=cis user=triage") or a URI
 * ("postgresql://triage@db1/cis"); the empty string uses libpq's defaults
 * and the PG* environment variables. Give credentials the libpq way (a
 * password file, `PGPASSFILE`, a service file, `PGPASSWORD`) rather than in
 * the string. Neither the string nor a password ever appears in an error
 * message.
 *
 * The tables (clients, cases, workers, absences, intakes, deadlines,
 * policies, events and a meta table) live in the schema named by the
 * options; the store creates them on first use and migrates an older
 * version of them in one transaction. A schema that holds other tables, or
 * tables of a newer libtriage, is refused without a change.
 *
 * Every engine needs its own store (its own connection); a store serves
 * one engine on one thread at a time. Several engines on one database, in
 * one process or many, see each other's work (docs/storage.md).
 *
 * A connection that is lost makes the call that finds it fail with
 * ::TRIAGE_ESTORE; the next call connects again once (with the same
 * string), so the engine stays usable. Free the engine and open a new one
 * when that keeps failing.
 *
 * @param conninfo the libpq connection string (not kept after this returns
 *                 except inside libpq's connection)
 * @param opts     NULL for the defaults
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL arguments, a bad schema name or
 *         option, or a build without PostgreSQL: see
 *         triage_store_postgresql_available()); ::TRIAGE_ENOTFOUND (no
 *         tables and create = 0); ::TRIAGE_ECONFLICT (the schema holds
 *         tables that are not libtriage's); ::TRIAGE_EVERSION (tables of a
 *         newer libtriage, or an options version this library does not
 *         know); ::TRIAGE_ECORRUPT (libtriage's tables in an impossible
 *         state: a bad schema version, missing tables or columns);
 *         ::TRIAGE_ESTORE (cannot connect, or the server refused a step;
 *         the cause is the SQLSTATE packed as PostgreSQL packs it, see
 *         docs/storage.md); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_store_postgresql(struct triage_store *out, const char *conninfo,
                                                   const triage_postgresql_options_t *opts);

/** 1 when this build has the PostgreSQL store, else 0. */
TRIAGE_API int triage_store_postgresql_available(void);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_SYS_STORE_POSTGRESQL_H */
