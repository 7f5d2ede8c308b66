/*
 * Engine internals shared by engine.c and the modules built on it (assign,
 * store, report). Not installed.
 */
#ifndef TRIAGE_ENGINE_INTERNAL_H
#define TRIAGE_ENGINE_INTERNAL_H

#include "base/internal.h"
#include "triage/engine.h"
#include "triage/sys/store.h"

/* An id -> record table: records are stored densely in insertion order,
 * found through an open-addressing index. Records never move once applied
 * except when the array grows (so never hold pointers across a commit). */
typedef struct {
    size_t elem;    /* record size */
    size_t id_off;  /* offset of the triage_id_t inside the record */
    triage_record_kind_t kind; /* how the store knows it */
    /* fills the indexable fields a store receives with the record */
    void (*keys)(const void *rec, triage_record_keys_t *keys);
    char *recs;
    size_t n, cap;
    uint32_t *slots; /* 0 empty, else record index + 1 */
    size_t nslots;   /* power of two, at most half full */
} triage__table;

typedef struct {
    triage_client_t pub;
    triage_date_t notified[8]; /* the latest notification dates (ring) */
    uint32_t nnotified;        /* total ever, the ring holds min(n, 8) */
    triage_id_t active_case;   /* the open case that holds the responsible worker, or nil */
} triage__client_rec;

typedef struct {
    triage_case_t pub;
    triage_id_t attached_to; /* RECEIVED -> CASEWORK continuity: the active case */
} triage__case_rec;

enum {
    TRIAGE__T_CLIENT = 0,
    TRIAGE__T_CASE = 1,
    TRIAGE__T_WORKER = 2,
    TRIAGE__T_ABSENCE = 3, /* worker absences (assign module, absence.c) */
    TRIAGE__T_COUNT = 4
};

/* A worker's absence: an inclusive date range. Removal keeps the record
 * (removed = 1) so the history stays and the table never shrinks. */
typedef struct {
    triage_id_t id;
    triage_id_t worker;
    triage_date_t start, end;
    int32_t removed;
    int32_t reserved;
} triage__absence_rec;

/*
 * Extensions: a layer above the engine that keeps state derived from the
 * engine's records (the assignment module's loads, say) attaches it here.
 * The engine tells every extension of each record a commit writes, and
 * releases the extensions with the engine; it knows nothing else of them,
 * so no engine code calls upwards.
 */
typedef struct triage__extension_ops {
    /* At commit, after the store accepted the change and before the table
     * changes: record `id` of `table` goes from old_rec to new_rec (old_rec
     * NULL: created; new_rec NULL: deleted). Must not fail. */
    void (*on_commit)(triage_engine_t *e, void *state, int table, const void *old_rec,
                      const void *new_rec);
    /* Frees the state (triage_engine_free). */
    void (*release)(triage_engine_t *e, void *state);
} triage__extension_ops;

#define TRIAGE__MAX_EXTENSIONS 4

/* Attaches `state` under `ops` (one state per ops); ERANGE when full. */
triage_status_t triage__extension_attach(triage_engine_t *e, const triage__extension_ops *ops,
                                         void *state);
/* The state attached under `ops`, or NULL. */
void *triage__extension_state(const triage_engine_t *e, const triage__extension_ops *ops);

/* One absence in the per-worker index. */
typedef struct {
    triage_id_t worker;
    triage_date_t start, end;
} triage__abs_span;

/* Absences in force, ordered by worker then start: rebuilt when absence_gen
 * moves, so presence checks are a binary search (absence.c). */
typedef struct {
    triage__abs_span *spans;
    size_t n;
    uint64_t gen;
    int built;
} triage__absence_index;

/* 1 when the worker is absent on any day of [from, to]. */
int triage__absent(triage_engine_t *e, const triage_id_t *worker, triage_date_t from,
                   triage_date_t to);

/* One pending record write of a transaction (a full copy of the record),
 * or a deletion (is_new == -1; rec holds a copy of the deleted record). */
typedef struct {
    int table;
    void *rec;
    int is_new;
} triage__put;

/* A transaction: everything one public call changes. Built on the side,
 * applied by triage__txn_commit() all at once. */
typedef struct {
    triage_engine_t *e;
    triage__put *puts;
    size_t nputs, putcap;
    triage_event_t *events;
    size_t nev, evcap;
} triage__txn;

struct triage_engine {
    triage_allocator_t alloc;
    triage_calendar_t *cal;
    triage_urgency_policy_t *urgency;
    triage_deadline_rules_t *rules;
    triage_classify_policy_t *classify;
    triage_audit_fn audit;
    void *audit_ud;
    int32_t unreachable_attempts, unreachable_min_days;
    int32_t repeat_notifications, repeat_window_days;
    int32_t office_open_min, office_close_min;
    int64_t (*clock)(void *);
    void *clock_ud;
    void (*generate_id)(void *, triage_id_t *);
    void *id_ud;
    triage__table tables[TRIAGE__T_COUNT];
    triage_store_t store; /* the caller's vtable, copied; version 0 = no store */
    int store_broken;      /* a rollback failed: refuse further writes */
    uint64_t absence_gen;  /* bumped by every committed absence change (assign caches) */
    uint64_t worker_gen;   /* bumped by every committed worker change (assign caches) */
    triage_event_t *events;
    size_t nevents, evcap;
    int64_t next_seq;
    triage__absence_index absidx;
    struct {
        const triage__extension_ops *ops;
        void *state;
    } ext[TRIAGE__MAX_EXTENSIONS];
};

/* The engine's notion of now (UTC ms). */
int64_t triage__now(const triage_engine_t *e);
/* A fresh id for a new record of `table`, from the engine's id source;
 * ECONFLICT when the source keeps returning ids already in use. */
triage_status_t triage__new_id(triage_engine_t *e, int table, triage_id_t *out);

/* Table access. get returns NULL when absent. */
void *triage__table_get(const triage__table *t, const triage_id_t *id);
/*
 * The common start of a read: checks the out-parameter, the engine and the
 * id (named `id_name` in errors) and finds the record of `table`. NULL with
 * the last error set (EINVAL, or ENOTFOUND naming `id_name`).
 */
const void *triage__lookup(const void *out, triage_engine_t *e, int table, const triage_id_t *id,
                           const char *id_name);

/* Adds a record while loading from a store (outside any transaction). */
triage_status_t triage__table_load(const triage_allocator_t *a, triage__table *t, const void *rec);

/* Transactions. `get` returns the pending copy when the transaction already
 * writes the record, else a fresh copy (owned by the transaction) of the
 * stored one; NULL with ENOTFOUND/ENOMEM set. */
void triage__txn_init(triage__txn *tx, triage_engine_t *e);
void triage__txn_discard(triage__txn *tx);
void *triage__txn_get(triage__txn *tx, int table, const triage_id_t *id);
void *triage__txn_new(triage__txn *tx, int table, const void *rec);
triage_event_t *triage__txn_event(triage__txn *tx, const triage_id_t *case_id,
                                  triage_event_kind_t kind, int64_t at_ms,
                                  const triage_id_t *actor);
triage_status_t triage__txn_commit(triage__txn *tx);
/* Deletes a record in the transaction (NOTFOUND when absent). */
triage_status_t triage__txn_delete(triage__txn *tx, int table, const triage_id_t *id);

/* Record encoding for stores (record.c). */
#define TRIAGE__RECORD_HEADER 12
size_t triage__record_size(const triage__table *t);
void triage__record_encode(void *buf, const triage__table *t, const void *rec);
triage_status_t triage__record_decode(void *rec, const triage__table *t, const void *data,
                                      size_t len);
/* Validation of decoded records and events (record.c): TRIAGE_OK, or
 * TRIAGE_ECORRUPT naming the record kind and field ("case.stage"), never a
 * value. triage__record_decode() calls them; a later schema's decoder
 * reuses them on the records it builds. */
triage_status_t triage__validate_client(const triage__client_rec *r);
triage_status_t triage__validate_case(const triage__case_rec *r);
triage_status_t triage__validate_worker(const triage_worker_t *w);
triage_status_t triage__validate_absence(const triage__absence_rec *a);
triage_status_t triage__validate_event(const triage_event_t *ev);
/* By table index (TRIAGE__T_*). */
triage_status_t triage__validate_record(int table, const void *rec);
/* Engine construction shared by triage_engine_new() and triage_engine_open(). */
triage_status_t triage__engine_create(triage_engine_t **out, const triage_engine_options_t *opts);
void triage__keys_client(const void *rec, triage_record_keys_t *k);
void triage__keys_case(const void *rec, triage_record_keys_t *k);
void triage__keys_worker(const void *rec, triage_record_keys_t *k);
void triage__keys_absence(const void *rec, triage_record_keys_t *k);

/* case.c: puts a worker on a case inside an open transaction, with the
 * law checks of triage_case_set_worker() (which is built on it). On failure
 * the error is set and the caller discards the transaction. */
triage_status_t triage__case_set_worker_tx(triage__txn *tx, triage__case_rec *r,
                                           const triage_id_t *actor, int64_t at_ms,
                                           triage_case_slot_t slot, const triage_id_t *worker);

/* case.c: helpers the case operations share with intake (intake.c). */
/* EINVAL, naming `name`, unless v is 0 or 1. */
triage_status_t triage__bool_arg(int v, const char *name);
/* An actor: nil (the system) or an existing worker; else ENOTFOUND. */
triage_status_t triage__check_actor(triage_engine_t *e, const triage_id_t *actor);
/* Tags ev with the id and version of the urgency (which 0) or classifier (1) policy. */
triage_status_t triage__policy_tag(triage_event_t *ev, triage_engine_t *e, int which);
/* Discards the transaction and returns rc. */
triage_status_t triage__case_fail(triage__txn *tx, triage_status_t rc);
/* Adds an event of case c, with the client as subject, to the transaction (NULL: ENOMEM). */
triage_event_t *triage__case_event(triage__txn *tx, const triage__case_rec *c,
                                   triage_event_kind_t kind, int64_t at_ms,
                                   const triage_id_t *actor);

#endif
