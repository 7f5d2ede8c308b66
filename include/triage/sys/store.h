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

/** Record kinds a store keeps. Stable. Interface 1 stores see only the
 *  first four (a case carries its intakes and deadline rows nested). */
typedef enum triage_record_kind {
    TRIAGE_RECORD_CLIENT = 1,
    TRIAGE_RECORD_CASE = 2,
    TRIAGE_RECORD_WORKER = 3,
    TRIAGE_RECORD_ABSENCE = 4,
    TRIAGE_RECORD_INTAKE = 5,   /**< since interface 2: an intake (owner: its case) */
    TRIAGE_RECORD_DEADLINE = 6, /**< since interface 2: a deadline row (owner: its case) */
    TRIAGE_RECORD_POLICY = 7    /**< since interface 2: a shared policy or the distance matrix */
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

/* ---- interface version 2: revisions, typed columns, queries ------------- */

/** The type of a typed column. Stable. */
typedef enum triage_field_type {
    TRIAGE_FIELD_INT = 1,  /**< `i`: an integer (enum values, counts, flags, milliseconds) */
    TRIAGE_FIELD_REAL = 2, /**< `r` */
    TRIAGE_FIELD_ID = 3,   /**< `id`; `is_null` when nil */
    TRIAGE_FIELD_TEXT = 4, /**< `text`, NUL-terminated printable ASCII */
    TRIAGE_FIELD_DATE = 5, /**< `i`: days since 1970-01-01; `is_null` when none */
    TRIAGE_FIELD_INTS = 6  /**< `ints` / `nints`: a list of integers */
} triage_field_type_t;

/** One typed column of a record (docs/data-model.md lists them per kind). */
typedef struct triage_field {
    const char *name;       /**< the column name ("stage", "received", ...): static */
    triage_field_type_t type;
    int32_t is_null;        /**< 1: no value (a date of none, a nil id) */
    int64_t i;
    double r;
    triage_id_t id;
    const char *text;
    const int32_t *ints;
    uint32_t nints;
} triage_field_t;

/** A record as an interface-2 store receives and returns it. */
typedef struct triage_store_record {
    uint32_t version;           /**< ::TRIAGE_STORE_RECORD_VERSION */
    triage_record_kind_t kind;
    triage_id_t id;
    triage_id_t owner;          /**< case: its client; intake, deadline: its case; absence: its worker; else nil */
    int64_t revision;           /**< the sequence number of the commit that wrote this state */
    int64_t expected_revision;  /**< put: the revision the writer read (0: a new record) */
    int64_t created;            /**< the creation number: lists are in this order */
    const void *data;           /**< the portable encoding (schema 2): what the engine reads back */
    size_t len;
    const triage_field_t *fields; /**< put: the content as typed columns (to query; the engine reads `data`) */
    size_t nfields;
} triage_store_record_t;
#define TRIAGE_STORE_RECORD_VERSION 1

/** Visitor for records read back: return 0 to continue, nonzero to stop with that value. */
typedef int (*triage_store_record_fn)(void *ctx, const triage_store_record_t *record);

/** Which records to list. The store must apply `kind`, `owner` and
 *  `changed_after` exactly; the other filters are hints it may ignore (the
 *  engine checks every record it gets). */
typedef struct triage_store_query {
    uint32_t version;        /**< ::TRIAGE_STORE_QUERY_VERSION */
    triage_record_kind_t kind;
    triage_id_t owner;       /**< nil: any owner */
    int64_t changed_after;   /**< only records whose revision is greater (0: any) */
    int32_t open_only;       /**< hint: cases not closed, their intakes and deadline rows;
                                  clients with an active case or active since `active_since` */
    triage_date_t active_since; /**< hint for clients with open_only */
} triage_store_query_t;
#define TRIAGE_STORE_QUERY_VERSION 1

/** An event as an interface-2 store receives and returns it. */
typedef struct triage_store_event {
    uint32_t version;              /**< ::TRIAGE_STORE_EVENT_VERSION */
    const triage_event_t *event;   /**< append: the event's fields (to query); reads: may be NULL */
    int64_t seq;                   /**< its sequence number */
    const void *data;              /**< the portable encoding: what the engine reads back */
    size_t len;
} triage_store_event_t;
#define TRIAGE_STORE_EVENT_VERSION 1

typedef int (*triage_store_event_fn)(void *ctx, const triage_store_event_t *event);

/** Which events to list (all filters exact), in sequence order. */
typedef struct triage_store_event_query {
    uint32_t version;     /**< ::TRIAGE_STORE_EVENT_QUERY_VERSION */
    int64_t after_seq;    /**< seq > after_seq */
    int64_t upto_seq;     /**< seq <= upto_seq (INT64_MAX: no bound) */
    triage_id_t case_id;  /**< nil: every event */
    int64_t from_ms;      /**< at_ms >= from_ms */
    int64_t to_ms;        /**< at_ms <= to_ms */
    int64_t limit;        /**< at most this many (0: no limit) */
} triage_store_event_query_t;
#define TRIAGE_STORE_EVENT_QUERY_VERSION 1

/** The bit of record kind @p kind in the `unchanged` mask of `begin_rebased`. */
#define TRIAGE_STORE_KIND_BIT(kind) (1u << (unsigned)(kind))

/** The current store interface version. */
#define TRIAGE_STORE_VERSION 3

/**
 * A store. Fill it with TRIAGE_STORE_INIT or triage_store_init() and set
 * the methods. Methods marked "required" must be non-NULL for the version
 * the store speaks (docs/storage.md, "The contract"): interface 1 needs
 * put, list, append_event and list_events; interface 2 needs the members
 * marked "since v2" instead. A store filled from TRIAGE_STORE_INIT that
 * sets none of the interface-2 methods is treated as interface 1, so an
 * interface-1 store recompiled against these headers keeps working.
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

    /*
     * Since v2: several engines on one database (docs/data-model.md,
     * docs/storage.md). A version-2 store sets every member below; `put`,
     * `get`, `del`, `list`, `append_event` and `list_events` of version 1
     * are then not called and may be NULL. Writes happen between `begin`
     * and `commit` as before; a write that lost a race returns
     * ::TRIAGE_ECONFLICT (as int) and the engine rolls back, brings itself up
     * to date and tries again.
     */
    /** Since v2. The last event sequence number in the store (0 when none). */
    int (*last_seq)(void *userdata, int64_t *out);
    /** Since v2. Starts a consistent read snapshot for the reads that follow (may be NULL). */
    int (*read_begin)(void *userdata);
    /** Since v2. Ends the snapshot (NULL when read_begin is). */
    int (*read_end)(void *userdata);
    /** Since v2. Inserts or replaces a record; returns ::TRIAGE_ECONFLICT when
     *  the stored revision is not `expected_revision` (0: it must not exist). */
    int (*put_record)(void *userdata, const triage_store_record_t *record);
    /** Since v2. Reads one record: calls @p visit once, or returns
     *  ::TRIAGE_ENOTFOUND (as int) when there is none. */
    int (*get_record)(void *userdata, triage_record_kind_t kind, const triage_id_t *id,
                      triage_store_record_fn visit, void *ctx);
    /** Since v2. Lists records (see ::triage_store_query_t), by creation number then id. */
    int (*query_records)(void *userdata, const triage_store_query_t *query,
                         triage_store_record_fn visit, void *ctx);
    /** Since v2. Appends an event; returns ::TRIAGE_ECONFLICT when its `seq`
     *  is not one above the last stored one (the event order is gap-free). */
    int (*append_event2)(void *userdata, const triage_store_event_t *event);
    /** Since v2. Lists events (see ::triage_store_event_query_t) in sequence order. */
    int (*query_events)(void *userdata, const triage_store_event_query_t *query,
                        triage_store_event_fn visit, void *ctx);

    /*
     * Since v3: commits numbered by the store (docs/storage.md, "Numbered
     * by the store"). Optional, as a pair: a version-3 store that leaves
     * both NULL is written to as a version-2 store.
     */
    /**
     * Since v3. Starts a write transaction whose numbers count from
     * @p base, a number the store has given (at least every number of the
     * records the transaction writes, as the engine read them). The store
     * takes its write lock and finds its own last sequence number L; every
     * event `seq`, record `revision`, and record `created` greater than
     * @p base that this transaction then writes is stored plus
     * shift = L - base (`expected_revision` is compared as given, and the
     * `data` bytes are stored as they are: the engine reads the numbers
     * back from the store's columns). Returns ::TRIAGE_ECONFLICT (as int),
     * here or at the latest from `commit_rebased`, when a record of a kind
     * whose ::TRIAGE_STORE_KIND_BIT is set in @p unchanged was written
     * after @p seen (the last number the engine has brought itself up to,
     * at most @p base), or when @p base is above L. The engine ends the
     * transaction with `commit_rebased` or `rollback`.
     */
    int (*begin_rebased)(void *userdata, int64_t base, int64_t seen, uint32_t unchanged);
    /** Since v3. Commits a transaction that `begin_rebased` started and sets
     *  *@p shift to the number it added (0: nobody committed after base). */
    int (*commit_rebased)(void *userdata, int64_t *shift);
    /* Members of later versions are appended here, each marked "since vN". */
} triage_store_t;

#define TRIAGE_STORE_INIT                                                                   \
    {TRIAGE_STORE_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/** The schema version of the record encoding this library writes. */
#define TRIAGE_STORE_SCHEMA_VERSION 2

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
/**
 * Another handle on the database of a memory store, for a second engine
 * (docs/storage.md): engines on the handles of one memory store share its
 * records and events as engines on one SQL database do, from one thread or
 * several. The database lives until the last handle is destroyed.
 * @param store a store filled by triage_store_memory() (or by this
 *              function) whose handle is still alive: its engine not yet freed
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (NULL, or not a memory store);
 *         ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_store_memory_share(triage_store_t *out,
                                                     const triage_store_t *store);

/** SQLite store options. Versioned: start from ::TRIAGE_SQLITE_OPTIONS_INIT. */
typedef struct triage_sqlite_options {
    uint32_t version;      /**< ::TRIAGE_SQLITE_OPTIONS_VERSION */
    int32_t create;        /**< 1: create the file when it does not exist (default) */
    /** How long a write waits for another connection's write lock (another
     *  engine or process on the same file) before it fails with
     *  ::TRIAGE_ESTORE (cause SQLITE_BUSY); 0: fail at once. Default
     *  ::TRIAGE_SQLITE_BUSY_TIMEOUT_DEFAULT. */
    int32_t busy_timeout_ms;
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
     *  compares indexes with their tables). Both read the whole file, and
     *  both also check that every record's owner is stored (the tables'
     *  foreign keys: `PRAGMA foreign_key_check`); a file that fails is
     *  refused with ::TRIAGE_ECORRUPT. */
    int32_t check;
} triage_sqlite_options_t;
#define TRIAGE_SQLITE_CHECK_NONE 0
#define TRIAGE_SQLITE_CHECK_QUICK 1
#define TRIAGE_SQLITE_CHECK_FULL 2
#define TRIAGE_SQLITE_OPTIONS_VERSION 2
/** The default busy timeout in milliseconds (since 0.2; 0.1 defaulted to 0). */
#define TRIAGE_SQLITE_BUSY_TIMEOUT_DEFAULT 5000
#define TRIAGE_SQLITE_OPTIONS_INIT                                                          \
    {TRIAGE_SQLITE_OPTIONS_VERSION, 1, TRIAGE_SQLITE_BUSY_TIMEOUT_DEFAULT, {0, 0, 0, 0}, 0, 0}

/**
 * Fills @p out with a SQLite store on the file @p path: a store of interface
 * version 2 on the tables of schema 2 (docs/storage.md). Any number of
 * stores, in this process or others, may be open on one file, each with its
 * engine: no lock is held between calls; a write transaction takes SQLite's
 * write lock (BEGIN IMMEDIATE) for its duration, waiting up to
 * `busy_timeout_ms` for another writer; reads run in WAL snapshots.
 * synchronous=FULL makes every commit durable. A file that is not a
 * libtriage database, is corrupt or was written by a newer schema is refused
 * with a clear error and never modified: every check only reads, and an
 * existing database is switched to WAL only at its first write transaction
 * (so not when triage_engine_open() then refuses its records). A database of
 * schema 1 (libtriage 0.1) is migrated to schema 2 in one transaction at
 * open; a migration that fails leaves the file as it was. An empty file is a
 * new database only when create = 1. New files are created with mode 0600
 * (see triage_sqlite_options_t.file_mode).
 * @return ::TRIAGE_OK; ::TRIAGE_EINVAL (bad arguments, or a build without
 *         SQLite: see triage_store_sqlite_available()); ::TRIAGE_ENOTFOUND
 *         (no file and create = 0); ::TRIAGE_ECONFLICT (not a libtriage
 *         database); ::TRIAGE_EVERSION (newer schema, or an options version
 *         this library does not know); ::TRIAGE_ECORRUPT (damaged: an empty
 *         file with create = 0, a schema version that cannot exist, missing
 *         tables, SQLite's corruption errors, a failed page check, a
 *         schema-1 record that fails its checks during the migration);
 *         ::TRIAGE_ESTORE (unreadable, the file cannot be created, or
 *         another connection held the write lock past the busy timeout while
 *         a new file was created or an old one migrated: cause SQLITE_BUSY);
 *         ::TRIAGE_ENOMEM.
 */
TRIAGE_API triage_status_t triage_store_sqlite(triage_store_t *out, const char *path,
                                               const triage_sqlite_options_t *opts);

/** 1 when this build has the SQLite store, else 0. */
TRIAGE_API int triage_store_sqlite_available(void);

#ifdef __cplusplus
}
#endif

/* The PostgreSQL store: triage_store_postgresql() and its options. */
#include <triage/sys/store_postgresql.h>

#endif /* TRIAGE_SYS_STORE_H */
