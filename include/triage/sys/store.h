/**
 * @file triage/sys/store.h
 * @brief The storage interface: how an embedding application keeps
 *        libtriage's data in its own database (docs/domain.md §8).
 *
 * A store is a versioned table of callbacks plus a user-data pointer,
 * modelled on libgit2's backends and SQLite's VFS. libtriage calls it
 * synchronously on the calling thread, never re-entrantly for one engine,
 * and never after the engine is freed (the engine calls `destroy` exactly
 * once, from triage_engine_free() or from a failed triage_engine_open()).
 *
 * Every public mutating engine call is one transaction: `begin`, then `put`
 * and `append_event` calls, then `commit`; if any callback fails the engine
 * calls `rollback`, returns ::TRIAGE_ESTORE with the callback's own return
 * value in triage_error_last()->cause, and its memory is exactly as before
 * the call. Memory is changed only after `commit` succeeded.
 *
 * Records travel as opaque byte strings (a versioned encoding owned by
 * libtriage: store them as they are). The record's id and a few indexable
 * fields are passed alongside so a store can keep real columns. Event
 * records are passed as the public ::triage_event_t.
 *
 * Callbacks return 0 for success and any nonzero value for failure; that
 * value is kept in the last error's `cause`. A callback may also call
 * triage_store_error_set() to give a message (no client data). A `list` or
 * `list_events` callback that finds its own data damaged returns
 * ::TRIAGE_ECORRUPT (as int): triage_engine_open() then reports
 * ::TRIAGE_ECORRUPT (not ::TRIAGE_ESTORE), so callers do not retry.
 */
#ifndef TRIAGE_SYS_STORE_H
#define TRIAGE_SYS_STORE_H

#include <triage/common.h>
#include <triage/engine.h>
#include <triage/id.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Record kinds a store keeps. Stable. */
typedef enum triage_record_kind {
    TRIAGE_RECORD_CLIENT = 1,
    TRIAGE_RECORD_CASE = 2,
    TRIAGE_RECORD_WORKER = 3,
    TRIAGE_RECORD_ABSENCE = 4
} triage_record_kind_t;

/** Indexable fields passed with a record (0 / nil when not applicable). */
typedef struct triage_record_keys {
    triage_id_t owner;   /**< case: the client; absence: the worker; else nil */
    int32_t stage;       /**< case: triage_stage_t */
    int32_t reason;      /**< case: closing reason */
    int32_t role;        /**< worker: triage_role_t */
    int32_t date_from;   /**< absence: first day; case: received date */
    int32_t date_to;     /**< absence: last day */
} triage_record_keys_t;

/** Visitor for list callbacks: return 0 to continue, nonzero to stop with that value. */
typedef int (*triage_record_visit_fn)(void *ctx, const triage_id_t *id, const void *data,
                                      size_t len);
typedef int (*triage_event_visit_fn)(void *ctx, const triage_event_t *event);

/** The current store interface version. */
#define TRIAGE_STORE_VERSION 1

/**
 * A store. Fill it with TRIAGE_STORE_INIT or triage_store_init() and set
 * the methods. Methods marked "required" must be non-NULL.
 */
typedef struct triage_store {
    uint32_t version; /**< ::TRIAGE_STORE_VERSION this store was written for */
    void *userdata;   /**< passed first to every method */

    /** Required. Starts a transaction. */
    int (*begin)(void *userdata);
    /** Required. Makes the transaction durable. */
    int (*commit)(void *userdata);
    /** Required. Undoes everything since begin. Its failure is not reported further. */
    int (*rollback)(void *userdata);

    /** Required. Inserts or replaces a record. @p data is valid only during the call. */
    int (*put)(void *userdata, triage_record_kind_t kind, const triage_id_t *id,
               const triage_record_keys_t *keys, const void *data, size_t len);
    /**
     * Optional. Reads one record: copies at most @p cap bytes into @p buf
     * and sets *len to the full length; returns TRIAGE_ENOTFOUND (as int)
     * when absent. The engine loads everything through `list` and does not
     * need it; tools use it.
     */
    int (*get)(void *userdata, triage_record_kind_t kind, const triage_id_t *id, void *buf,
               size_t cap, size_t *len);
    /** Optional. Deletes a record (absences only). Without it, removing an absence is refused. */
    int (*del)(void *userdata, triage_record_kind_t kind, const triage_id_t *id);
    /** Required. Calls @p visit for every record of @p kind, in insertion order. */
    int (*list)(void *userdata, triage_record_kind_t kind, triage_record_visit_fn visit,
                void *ctx);

    /** Required. Appends an event (events are never changed or deleted). */
    int (*append_event)(void *userdata, const triage_event_t *event);
    /** Required. Calls @p visit for every event in sequence order. */
    int (*list_events)(void *userdata, triage_event_visit_fn visit, void *ctx);

    /**
     * Optional. The schema version of the data already in the store, 0 when
     * empty/new. Without it the engine reads the version from the records.
     */
    int (*schema_version)(void *userdata, uint32_t *out);

    /** Optional. Releases the store; called exactly once. */
    void (*destroy)(void *userdata);
    /* Members of later versions are appended here, each marked "since vN". */
} triage_store_t;

#define TRIAGE_STORE_INIT {TRIAGE_STORE_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** The schema version of the record encoding this library writes. */
#define TRIAGE_STORE_SCHEMA_VERSION 1

/** Zeroes @p store and sets its version (for callers that cannot use the macro). */
TRIAGE_API triage_status_t triage_store_init(triage_store_t *store, uint32_t version);

/**
 * Opens an engine on a store and loads the data it already holds (eagerly:
 * every record and event is read once, here). On success the engine owns
 * the store. When the store's version is accepted the engine takes
 * ownership even if opening fails later (then `destroy` has been called
 * when this returns); on ::TRIAGE_EVERSION for the store struct itself
 * the caller still owns it.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (a required method is NULL: named);
 *         ::TRIAGE_EVERSION (store struct version, or data written by a newer
 *         schema); ::TRIAGE_ESTORE (a callback failed while loading);
 *         ::TRIAGE_ECORRUPT (a stored record or event is damaged or invalid:
 *         every field is checked as it is decoded, and every id a record
 *         refers to must be stored; the last error names the record kind and
 *         field, e.g. "case.stage"); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_engine_open(triage_engine_t **out,
                                              const triage_engine_options_t *opts,
                                              const triage_store_t *store);

/**
 * From inside a callback: sets the message that accompanies the
 * ::TRIAGE_ESTORE the engine will report. Never put client data in it.
 */
TRIAGE_API void triage_store_error_set(const char *message);

/**
 * Decodes a record passed to a store back into its public struct (for
 * stores and tools that want real columns). @p out must point to a
 * triage_client_t, triage_case_t or triage_worker_t matching @p kind. The
 * record is validated as the engine validates it when loading; @p out is
 * written only when it is valid.
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL argument, a kind without a
 *         public struct, or data of another kind); ::TRIAGE_ECORRUPT (not a
 *         record, a wrong length, or a field out of range: the last error
 *         names it, e.g. "case.deadline_count"); ::TRIAGE_EVERSION (a newer
 *         encoding).
 */
TRIAGE_API triage_status_t triage_record_decode(void *out, triage_record_kind_t kind,
                                                const void *data, size_t len);

/* ---- stores shipped with the library ------------------------------------ */

/**
 * Fills @p out with an in-memory store (the default for tests and
 * simulation). Nothing outlives the engine that owns it.
 * @param alloc NULL for the C library
 */
TRIAGE_API triage_status_t triage_store_memory(triage_store_t *out,
                                               const triage_allocator_t *alloc);

/** SQLite store options. Versioned: start from ::TRIAGE_SQLITE_OPTIONS_INIT. */
typedef struct triage_sqlite_options {
    uint32_t version;      /**< ::TRIAGE_SQLITE_OPTIONS_VERSION */
    int32_t create;        /**< 1: create the file when it does not exist (default) */
    int32_t busy_timeout_ms; /**< wait this long for another writer's lock (default 0: fail at once) */
    triage_allocator_t allocator;
    /** Since v2. Permission bits of a database file this call creates (and so
     *  of its -wal, -shm and -journal files, which SQLite creates with the
     *  database's mode), applied whatever the umask; 0 means 0600 (owner
     *  only: the file holds personal data). Only bits 0777 are allowed. An
     *  existing file keeps its mode. */
    uint32_t file_mode;
    /** Since v2. A page check at open: ::TRIAGE_SQLITE_CHECK_NONE (default),
     *  ::TRIAGE_SQLITE_CHECK_QUICK (`PRAGMA quick_check`) or
     *  ::TRIAGE_SQLITE_CHECK_FULL (`PRAGMA integrity_check`, which also
     *  compares indexes with their tables). Both read the whole file; a file
     *  that fails is refused with ::TRIAGE_ECORRUPT. */
    int32_t check;
} triage_sqlite_options_t;
#define TRIAGE_SQLITE_CHECK_NONE 0
#define TRIAGE_SQLITE_CHECK_QUICK 1
#define TRIAGE_SQLITE_CHECK_FULL 2
#define TRIAGE_SQLITE_OPTIONS_VERSION 2
#define TRIAGE_SQLITE_OPTIONS_INIT {TRIAGE_SQLITE_OPTIONS_VERSION, 1, 0, {0, 0, 0, 0}, 0, 0}

/**
 * Fills @p out with a SQLite store on the file @p path (one file; WAL;
 * synchronous=FULL so every commit is durable; the store holds the write
 * lock for its lifetime). A file that is not a libtriage database, is
 * corrupt, was written by a newer schema or is locked by another writer is
 * refused with a clear error and never modified: every check only reads,
 * and an existing database is switched to WAL only at the first write
 * transaction (so not when triage_engine_open() then refuses its records).
 * An empty file is a new database only when create = 1. New files are
 * created with mode 0600 (see triage_sqlite_options_t.file_mode).
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (bad arguments, or a build without
 *         SQLite: see triage_store_sqlite_available()); ::TRIAGE_ENOTFOUND
 *         (no file and create = 0); ::TRIAGE_ECONFLICT (not a libtriage
 *         database, or locked by another writer); ::TRIAGE_EVERSION (newer
 *         schema, or an options version this library does not know);
 *         ::TRIAGE_ECORRUPT (damaged: an empty file with create = 0, a
 *         schema version that cannot exist, missing tables, SQLite's
 *         corruption errors, a failed page check); ::TRIAGE_ESTORE
 *         (unreadable, or the file cannot be created); ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_store_sqlite(triage_store_t *out, const char *path,
                                               const triage_sqlite_options_t *opts);

/** 1 when this build has the SQLite store, else 0. */
TRIAGE_API int triage_store_sqlite_available(void);

#ifdef __cplusplus
}
#endif

#endif /* TRIAGE_SYS_STORE_H */
