/*
 * Engine internals shared by engine.c and the modules built on it (assign,
 * store, report). Not installed.
 */
#ifndef TRIAGE_ENGINE_INTERNAL_H
#define TRIAGE_ENGINE_INTERNAL_H

#include "base/internal.h"
#include "engine/records.h"
#include "triage/engine.h"
#include "triage/sys/store.h"

/*
 * An id -> record table: records are stored densely, found through an
 * open-addressing index. A record never moves while it is in the table
 * except when the array grows or a record is removed (the last record takes
 * its place), so never hold pointers across a commit or a refresh. Every
 * record starts with triage__head (id, revision, creation number).
 */
typedef struct {
    const triage__schema *schema; /* the stored fields (records.c) */
    size_t elem;                  /* record size */
    triage_record_kind_t kind;    /* how a store knows it */
    /* deep copy and release of records that own memory (NULL: flat records) */
    triage_status_t (*clone)(const triage_allocator_t *a, void *dst, const void *src);
    void (*release)(const triage_allocator_t *a, void *rec);
    char *recs;
    size_t n, cap;
    uint32_t *slots; /* 0 empty, else record index + 1 */
    size_t nslots;   /* power of two, at most half full */
} triage__table;

enum {
    TRIAGE__T_CLIENT = 0,
    TRIAGE__T_CASE = 1,   /* case aggregates: the case with its intakes and deadline rows */
    TRIAGE__T_WORKER = 2,
    TRIAGE__T_ABSENCE = 3,
    TRIAGE__T_COUNT = 4
};

/* Deep copies and releases of the records that own memory (records.c). */
triage_status_t triage__client_clone(const triage_allocator_t *a, void *dst, const void *src);
void triage__client_release(const triage_allocator_t *a, void *rec);
triage_status_t triage__worker_clone(const triage_allocator_t *a, void *dst, const void *src);
void triage__worker_release(const triage_allocator_t *a, void *rec);
triage_status_t triage__case_clone(const triage_allocator_t *a, void *dst, const void *src);
void triage__case_release(const triage_allocator_t *a, void *rec);

/* Rows of a case aggregate, added inside a transaction (the case is the
 * transaction's writable copy). NULL with ENOMEM set. The row is zeroed
 * apart from its case id; the caller fills the rest. */
triage__intake *triage__case_add_intake(const triage_allocator_t *a, triage__case *c);
triage__deadline *triage__case_add_deadline(const triage_allocator_t *a, triage__case *c);
/* The intake of a case with this id, or NULL. */
triage__intake *triage__case_intake(const triage__case *c, const triage_id_t *id);

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

/* One pending record write of a transaction: a deep copy of the record,
 * owned by the transaction until commit hands it to the table. */
typedef struct {
    int table;
    void *rec;
    int is_new;
    triage_id_t id; /* set at commit, when rec goes to the table */
} triage__put;

/* A transaction: everything one public call changes. Built on the side,
 * applied by triage__txn_commit() all at once. */
typedef struct {
    triage_engine_t *e;
    triage__put *puts;
    size_t nputs, putcap;
    triage_event_t *events;
    size_t nev, evcap;
    triage__policy *policies; /* shared configuration this call changes (policy.c) */
    size_t npolicies, polcap;
    void *policy_obj[3];      /* decoded new rules-layer policies for slots 1-3 */
    /* A call that decides only on the records it writes and on stored
     * records of the kinds in `unchanged` (a mask of
     * TRIAGE_STORE_KIND_BIT) sets `local`: on a store that numbers
     * commits itself (interface 3) it is written without the check that
     * nobody committed since the engine's refresh, and the store adds
     * `shift` to its numbers (shared.c, "Numbered by the store") */
    int local;
    uint32_t unchanged;
    /* set at commit: written through begin_rebased; the number the
     * transaction is counted from; what the store added to its numbers */
    int rebased;
    int64_t base, shift;
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
    int32_t retries;
    triage__table tables[TRIAGE__T_COUNT];
    triage_store_t store; /* the caller's vtable, copied; version 0 = no store */
    int store_broken;      /* a rollback failed: refuse further writes */
    /* 1: everything lives in memory (no store, or an interface-1 store),
     * events included; 0: only the working set (docs/data-model.md) */
    int resident;
    uint64_t absence_gen;  /* bumped by every committed absence change (assign caches) */
    uint64_t worker_gen;   /* bumped by every committed worker change (assign caches) */
    triage_event_t *events; /* resident engines only */
    size_t nevents, evcap;
    int64_t last_seq;       /* the last event sequence number this engine knows */
    const char *race_kind;  /* the record kind the last lost race was about */
    uint64_t races, conflicts, refreshes; /* lost races, calls that gave up, refreshes
                                              that brought changes (counters) */
    uint64_t rebased;       /* commits the store numbered after unseen ones (counter) */
    uint8_t policy_given[3]; /* the options named slots 1-3 (policy.c) */
    /* the last attempt of a call runs in a write transaction begun before
     * its refresh (shared.c), so no other engine can commit in between */
    int txn_open;
    /* the write transaction an optimistic attempt began and found already
     * lost (another engine committed since its refresh): kept open for the
     * next attempt, which refreshes and decides inside it (shared.c) */
    int lock_kept;
    int32_t attempt;        /* the attempt of the call under way (0, 1, ...) */
    /* the call under way is local (triage__txn.local): on a store that
     * numbers commits itself its first attempt does not refresh first */
    int call_local;
    /* calls left that begin with the write transaction (locked first, as a
     * last attempt does) instead of an optimistic attempt: set after a
     * lost race, and again whenever a locked refresh finds other engines'
     * commits; without races it runs out and calls are optimistic again */
    int32_t contended;
    triage_date_t swept;    /* the day the working set was last swept */
    /* the shared configuration as stored, by slot - 1 (npayload 0: none) */
    triage__policy policies[TRIAGE__POLICY_SLOTS];
    uint64_t policy_gen;    /* moves whenever a policy changes */
    triage__wbuf wbuf;      /* encoding buffer for store writes */
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
/* The record at position i (0 <= i < t->n). */
static inline void *triage__table_at(const triage__table *t, size_t i)
{
    return t->recs + i * t->elem;
}
/*
 * The common start of a read: checks the out-parameter, the engine and the
 * id (named `id_name` in errors) and finds the record of `table`. NULL with
 * the last error set (EINVAL, or ENOTFOUND naming `id_name`).
 */
const void *triage__lookup(const void *out, triage_engine_t *e, int table, const triage_id_t *id,
                           const char *id_name);

/* Makes room for `need` records (the only table step that can fail). */
triage_status_t triage__table_reserve(const triage_allocator_t *a, triage__table *t, size_t need);
/* Puts a record the table takes over (its owned memory included): replaces
 * the stored one (released) or appends. Infallible once room is reserved. */
void triage__table_put(const triage_allocator_t *a, triage__table *t, const void *rec);
/* Adds a record while loading from a store (outside any transaction); the
 * table takes over the record's owned memory on success. */
triage_status_t triage__table_load(const triage_allocator_t *a, triage__table *t, void *rec);
/* Removes a record, releasing its owned memory; the last record takes its place. */
void triage__table_remove(const triage_allocator_t *a, triage__table *t, const triage_id_t *id);
/* Empties a table and frees its memory. */
void triage__table_clear(const triage_allocator_t *a, triage__table *t);

/*
 * The record `id` of `table` from memory; an engine that keeps only its
 * working set reads a record it does not hold from the store (it then stays
 * in memory until the next eviction). NULL with the last error set:
 * ENOTFOUND naming `id_name`, or ESTORE, ECORRUPT, ENOMEM.
 */
void *triage__fetch(triage_engine_t *e, int table, const triage_id_t *id, const char *id_name);

/* ---- calls, races and the working set (persist.c) --------------------------- */

/* The status a commit returns when the store refused it because another
 * engine changed the database first (never seen outside the library). */
#define TRIAGE__ERACE ((triage_status_t)-1000)

/*
 * The start of attempt `attempt` (0, 1, ...) of a call: brings the engine up
 * to date with what other engines committed. ECONFLICT, naming the record
 * kind, once the engine's retries are used up. A NULL engine passes (the
 * call itself reports it).
 */
/* Calls that begin locked after a sign of contention (engine.contended). */
#define TRIAGE__CONTENDED_CALLS 16
triage_status_t triage__call_begin(triage_engine_t *e, int32_t attempt);
/* Ends an attempt: a write transaction its last attempt began and did not
 * commit (the call failed or changed nothing) is rolled back. */
void triage__call_end(triage_engine_t *e);
/* Refreshes a reading call (never a conflict). */
triage_status_t triage__refresh(triage_engine_t *e);

/* A mutating public call: runs `call` (which builds and commits one
 * transaction) again on fresh data while it loses races, then returns. */
#define TRIAGE__RETRY_INTO(e, rc, call)                                                       \
    do {                                                                                      \
        for (int32_t attempt_ = 0;; attempt_++) {                                             \
            (rc) = triage__call_begin((e), attempt_);                                         \
            if ((rc) != TRIAGE_OK)                                                            \
                break;                                                                        \
            (rc) = (call);                                                                    \
            triage__call_end((e));                                                            \
            if ((rc) != TRIAGE__ERACE)                                                        \
                break;                                                                        \
        }                                                                                     \
    } while (0)
/* The same for a local call (triage__txn.local): its first attempt
 * decides on what the engine holds, without refreshing first, when the
 * store numbers commits itself; a conflict makes the next attempt refresh. */
#define TRIAGE__RETRY_LOCAL_INTO(e, rc, call)                                                 \
    do {                                                                                      \
        int local_was_ = (e)->call_local;                                                     \
        (e)->call_local = 1;                                                                  \
        TRIAGE__RETRY_INTO(e, rc, call);                                                      \
        (e)->call_local = local_was_;                                                         \
    } while (0)
#define TRIAGE__RETRY(e, call)                                                                \
    do {                                                                                      \
        triage_status_t retry_rc_;                                                            \
        TRIAGE__RETRY_INTO(e, retry_rc_, call);                                               \
        return retry_rc_;                                                                     \
    } while (0)
/* A reading public call: brings the engine up to date first. */
#define TRIAGE__READ_BEGIN(e)                                                                 \
    do {                                                                                      \
        if ((e) != NULL) {                                                                    \
            triage_status_t read_rc_ = triage__refresh(e);                                    \
            if (read_rc_ != TRIAGE_OK)                                                        \
                return read_rc_;                                                              \
        }                                                                                     \
    } while (0)

/* A fresh id for a row of a case aggregate (intake, deadline). */
triage_status_t triage__new_row_id(triage_engine_t *e, triage_id_t *out);

/* Visits every record of `table` the engine can see: all of memory for a
 * resident engine, else what the store holds (owner: a case's client, a
 * hint `open_only`); the callback gets the decoded record. */
typedef triage_status_t (*triage__scan_fn)(void *ctx, const void *rec);
triage_status_t triage__scan(triage_engine_t *e, int table, const triage_id_t *owner,
                             int open_only, triage__scan_fn fn, void *ctx);
/* Reads the next events of a query from the store into buf (an engine that
 * keeps only its working set). */
triage_status_t triage__store_events(triage_engine_t *e, const triage_event_query_t *q,
                                     int64_t *after, int64_t upto, triage_event_t **buf,
                                     size_t *n, size_t *cap, int *done);
/* The case of an intake, from the store's owner column (ENOTFOUND when the
 * store cannot tell: the caller looks in memory). */
triage_status_t triage__store_intake_case(triage_engine_t *e, const triage_id_t *intake,
                                          triage_id_t *case_id);

/* ---- the engine's store (persist.c) ---------------------------------------- */

/* Reads record `id` of `table` from the store into memory (ENOTFOUND when
 * the store has none, or the engine keeps everything in memory). */
triage_status_t triage__store_fetch(triage_engine_t *e, int table, const triage_id_t *id);
/* Writes a transaction through the store: begin, records, events, commit;
 * rollback and ESTORE on failure. */
triage_status_t triage__store_write(triage__txn *tx);
/* The store numbers commits itself (interface 3, begin_rebased). */
static inline int triage__numbered_by_store(const triage_engine_t *e)
{
    return e->store.version >= 3 && e->store.begin_rebased != NULL;
}
/* The number a transaction is counted from (the engine's last number, or,
 * for one the store numbers, at least every number it read); sets
 * tx->rebased. */
int64_t triage__store_base(triage__txn *tx);
/* The error of a failed store callback (`step` names it): the callback's
 * own message kept, ECORRUPT kept as damage, anything else ESTORE. */
triage_status_t triage__callback_failed(const char *step, int rc);
/* Loads what the store holds into a new engine (triage_engine_open). */
triage_status_t triage__store_load(triage_engine_t *e);
/* Every id a resident engine's records refer to is loaded (ECORRUPT naming
 * the field otherwise). */
triage_status_t triage__check_references(triage_engine_t *e);
/* Drops from memory what left the working set (closed cases, clients
 * without recent activity); nothing for resident engines. */
void triage__evict(triage_engine_t *e, const triage__txn *tx);

/* ---- interface-2 stores (shared.c) ------------------------------------------------- */

triage_status_t triage__v2_load(triage_engine_t *e);
triage_status_t triage__v2_refresh(triage_engine_t *e);
/* Begins the write transaction of a call's last attempt and refreshes
 * inside it (the store's writer lock keeps others out until it commits). */
triage_status_t triage__v2_begin_locked(triage_engine_t *e);
void triage__v2_end_locked(triage_engine_t *e);
triage_status_t triage__v2_write(triage__txn *tx);
int64_t triage__v2_base(triage__txn *tx);
triage_status_t triage__v2_fetch(triage_engine_t *e, int table, const triage_id_t *id);
void triage__v2_evict(triage_engine_t *e, const triage__txn *tx);
triage_status_t triage__v2_scan(triage_engine_t *e, int table, const triage_id_t *owner,
                                int open_only, triage__scan_fn fn, void *ctx);
triage_status_t triage__v2_events(triage_engine_t *e, const triage_event_query_t *q,
                                  int64_t *after, int64_t upto, triage_event_t **buf, size_t *n,
                                  size_t *cap, int *done);
triage_status_t triage__v2_intake_case(triage_engine_t *e, const triage_id_t *intake,
                                       triage_id_t *case_id);

/* ---- the shared configuration (policy.c) --------------------------------------------- */

/* Takes stored policy records (read at open or by a refresh) into the
 * engine; moves their payloads out of `stored`. At open an option that
 * differs from the stored policy is TRIAGE_ECONFLICT. Nothing changes on
 * failure. */
triage_status_t triage__policies_take(triage_engine_t *e, triage__policy *stored, size_t n,
                                      int at_open);
/* At open: writes the policies the options gave that the database lacks. */
triage_status_t triage__policies_publish(triage_engine_t *e);
/* Changes slot 1-3 to a copy of the rules-layer object `obj` (a transaction). */
triage_status_t triage__policy_set(triage_engine_t *e, int slot, const void *obj);
/* Changes slot 4-5 (the assignment module's) to an opaque payload; version
 * 0: the slot's version + 1 (a policy that counts its changes). */
triage_status_t triage__policy_set_opaque(triage_engine_t *e, int slot, const char *id,
                                          uint32_t version, const void *payload, size_t len);
/* policy_slots.c: names, the engine's own text, decoding, freeing, comparing */
extern const char *const triage__policy_option[];
extern const char *const triage__policy_what[];
triage_status_t triage__policy_own_text(triage_engine_t *e, int slot, triage__text *t);
triage_status_t triage__policy_decode(triage_engine_t *e, int slot, const triage__policy *p,
                                      void **out);
void triage__policy_free_obj(int slot, void *obj);
int triage__policy_same(const triage__policy *p, const triage__text *t);
/* Commit hooks of triage__txn_commit. */
void triage__policies_stamp(triage__txn *tx, int64_t seq);
void triage__policies_commit(triage__txn *tx, int64_t seq);

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

/*
 * Record encoding for stores (record.c). A store written for interface
 * version 1 keeps one blob per table record, so a case aggregate is encoded
 * with its intakes and deadline rows nested in it; decoding also reads the
 * C-struct blobs of schema 1 (0.1) and converts them.
 */
triage_status_t triage__record_encode(triage__wbuf *b, int table, const void *rec, int nested);
triage_status_t triage__record_decode(void *rec, int table, const void *data, size_t len,
                                      const triage_allocator_t *a);
/* Schema 1 (0.1's C-struct blobs "TRGR"): recognised and converted. */
int triage__record_v1(const void *data, size_t len);
triage_status_t triage__event_decode_v1(triage_event_t *ev, const void *data, size_t len);
triage_status_t triage__record_decode_v1(void *rec, int table, const void *data, size_t len,
                                         const triage_allocator_t *a);
/* The public structs of records (engine.c, intake.c). */
void triage__client_public(triage_client_t *out, const triage__client *r);
void triage__worker_public(triage_worker_t *out, const triage__worker *w);
void triage__case_public(triage_case_t *out, const triage__case *c);
void triage__intake_public(triage_intake_info_t *out, const triage__intake *r);
/* Events: the schema-2 encoding, and decoding of both schemas. */
triage_status_t triage__event_encode(triage__wbuf *b, const triage_event_t *ev);
triage_status_t triage__event_decode(triage_event_t *ev, const void *data, size_t len);
/* Checks a decoded record's cross-field rules (the codec checked each
 * field's range). ECORRUPT naming the record kind and field. */
triage_status_t triage__record_validate(int table, const void *rec);
triage_status_t triage__event_validate(const triage_event_t *ev);
/* Engine construction shared by triage_engine_new() and triage_engine_open(). */
triage_status_t triage__engine_create(triage_engine_t **out, const triage_engine_options_t *opts);
/* The indexable fields an interface-1 store receives with a record. */
void triage__record_keys(int table, const void *rec, triage_record_keys_t *k);

/* case.c: puts a worker on a case inside an open transaction, with the
 * law checks of triage_case_set_worker() (which is built on it). On failure
 * the error is set and the caller discards the transaction. */
triage_status_t triage__case_set_worker_tx(triage__txn *tx, triage__case *r,
                                           const triage_id_t *actor, int64_t at_ms,
                                           triage_case_slot_t slot, const triage_id_t *worker);

/* case.c: helpers the case operations share with intake (intake.c). */
/* EINVAL, naming `name`, unless v is 0 or 1. */
triage_status_t triage__bool_arg(int v, const char *name);
/* An actor: nil (the system) or an existing worker; else ENOTFOUND. */
triage_status_t triage__check_actor(triage_engine_t *e, const triage_id_t *actor);
/* Tags ev with the id and version of the urgency (which 0) or classifier (1) policy. */
triage_status_t triage__policy_tag(triage_event_t *ev, triage_engine_t *e, int which);
/* Meets `milestone` at `at_ms` (local date `day`) for every open row of the
 * case that arose at or before that moment (docs/domain.md §3: a milestone
 * recorded before an intake arrived never meets that intake's rows). */
void triage__case_meet(triage__case *c, triage_milestone_t milestone, int64_t at_ms,
                       triage_date_t day);
/* 1 for the rows that arise after intake (D9, D12b, D13, the plan review):
 * an urgency reassessment of their intake leaves them as they are. */
int triage__row_arises_later(int32_t row);
/* Adds a row that arose after intake to case c (the transaction's copy):
 * `row` of the engine's rule set counted from `from`, belonging to intake
 * `in` (of c), arising at at_ms, with its DEADLINE_ADDED event. Nothing when
 * the rule set has the row switched off. Pointers into c->deadlines do not
 * survive it. */
triage_status_t triage__case_add_later_row(triage__txn *tx, triage__case *c,
                                           triage_deadline_row_t row, const triage__intake *in,
                                           triage_date_t from, int64_t at_ms,
                                           const triage_id_t *actor);
/* A deadline row's state on `today` (cancelled when the case closed in time
 * or the row was superseded, missed when it closed late). */
triage_status_t triage__deadline_state(triage_deadline_state_t *state, int32_t *overdue,
                                       triage_date_t *met, triage_engine_t *e,
                                       const triage__case *c, const triage__deadline *d,
                                       triage_date_t today, int32_t due_soon_days);
/* The common start of a case operation: argument checks, then the case
 * and the local date of at_ms. On success the transaction holds a writable
 * copy of the case. */
triage_status_t triage__case_begin(triage__txn *tx, triage__case **rec, triage_date_t *date,
                                   triage_engine_t *e, const triage_id_t *case_id,
                                   const triage_id_t *actor, int64_t at_ms);
/* Discards the transaction and returns rc. */
triage_status_t triage__case_fail(triage__txn *tx, triage_status_t rc);
/* A rule of the client process refuses the change: TRIAGE_ESTATE naming it. */
triage_status_t triage__forbid(const char *rule, const char *msg);
/* Acting on the matter answers the tier response rows of every intake that
 * arrived before it. */
void triage__case_respond(triage__case *c, int64_t at_ms, triage_date_t day);
/* A reassessment by the case's own worker once past the start of its
 * assessment (meets the attached intakes' assessment rows). */
void triage__case_reassess(triage__case *c, int64_t at_ms, triage_date_t day);
/* Adds an event of case c, with the client as subject, to the transaction (NULL: ENOMEM). */
triage_event_t *triage__case_event(triage__txn *tx, const triage__case *c,
                                   triage_event_kind_t kind, int64_t at_ms,
                                   const triage_id_t *actor);

#endif
