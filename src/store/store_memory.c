/*
 * The in-memory store (triage_store_memory): an interface-3 store whose
 * database lives in the process. The default for tests and simulation, and
 * the reference for writing a store (docs/storage.md).
 *
 * - One database, any number of handles (triage_store_memory_share): each
 *   engine opens its own handle, so several engines can share one database
 *   in one process, from one thread or from several. The database goes when
 *   the last handle is destroyed.
 * - A mutex serialises the database: a write transaction holds it from
 *   begin to commit or rollback, a read snapshot from read_begin to
 *   read_end, any other call for its own duration.
 * - Records are kept as the engine encoded them, with revision, owner and
 *   creation number. Indexes: by kind and id, by kind and owner (a chain
 *   per owner), a change log in revision order (refreshes), and events by
 *   sequence number (a gap-free array) and by case, or for the events of no
 *   case by subject (a chain per case or subject).
 * - A transaction logs the previous state of what it changes; rollback puts
 *   it back and truncates what it added, without allocating.
 * - begin_rebased (interface 3) takes the mutex like begin, finds in the
 *   change log whether a guarded kind was written after the number the
 *   engine has seen, and then adds the shift to every number the
 *   transaction writes; commit_rebased reports it.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "base/internal.h"
#include "store/rebase.h"
#include "store/store_memory.h"
#include "triage/sys/store.h"

#define NONE UINT32_MAX

typedef struct {
    triage_record_kind_t kind;
    triage_id_t id, owner;
    int64_t revision, created;
    uint32_t prev_owned; /* the previous record with this kind and owner (NONE) */
    int32_t closed;      /* a case: closed (stage 8); else 0 */
    int32_t active;      /* a client: an open case */
    triage_date_t last_activity;
    unsigned char *data;
    size_t len;
} mem_rec;

typedef struct {
    int64_t seq;
    int64_t at_ms;
    triage_id_t key;    /* the event's case, else its subject (client, worker), else nil */
    uint32_t prev_case; /* the previous event with this key (NONE) */
    uint8_t of_case;    /* 1: key is the event's case */
    unsigned char *data;
    size_t len;
} mem_event;

typedef struct {
    uint32_t index; /* which record */
    mem_rec before; /* its previous state (data owned) */
} mem_undo;

/* An open-addressing hash index: slot value 0 empty, else entry index + 1. */
typedef struct {
    uint32_t *slots;
    size_t nslots; /* a power of two, at most half full */
} mem_index;

typedef struct {
    pthread_mutex_t lock;
    size_t handles;
    triage_allocator_t alloc;
    mem_rec *recs;
    size_t n, cap;
    mem_index by_id;    /* (kind, id) -> record */
    mem_index by_owner; /* (kind, owner) -> the newest record it owns */
    uint32_t *log;      /* record indices in the order of the writes that changed them */
    int64_t *log_rev;   /* the revision each write gave */
    size_t nlog, logcap;
    mem_event *events;  /* in sequence order; events[i].seq == i + 1 until cases are forgotten */
    size_t nev, evcap;
    int64_t last_seq;   /* the last sequence number given */
    int gaps;           /* events were removed: look sequence numbers up */
    size_t dead_recs, dead_events; /* forgotten, not compacted yet */
    mem_index by_case;  /* case id (else subject id) -> its newest event */
    /* the open transaction */
    int in_txn;
    size_t txn_n, txn_nev, txn_nlog;
    int64_t txn_last_seq;
    int rebased;          /* begun by begin_rebased: numbers move by `shift` */
    int64_t base, shift;
    mem_undo *undo;
    size_t nundo, undocap;
} mem_db;

typedef struct {
    mem_db *db;
    int holding; /* this handle holds the lock (a transaction or a read snapshot) */
    int in_read;
} mem_handle;

/* ---- locking ------------------------------------------------------------------- */

static void lock(mem_handle *h)
{
    if (!h->holding)
        pthread_mutex_lock(&h->db->lock);
}

static void unlock(mem_handle *h)
{
    if (!h->holding)
        pthread_mutex_unlock(&h->db->lock);
}

/* ---- hashing -------------------------------------------------------------------- */

static size_t hash_key(int kind, const triage_id_t *id)
{
    uint64_t a, b;
    memcpy(&a, id->bytes, sizeof a);
    memcpy(&b, id->bytes + 8, sizeof b);
    uint64_t h = a * 0x9e3779b97f4a7c15u ^ b ^ (uint64_t)kind * 0xc2b2ae3d27d4eb4fu;
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 29;
    return (size_t)h;
}

static const triage_id_t *rec_key(const mem_db *db, uint32_t i, int owner)
{
    return owner ? &db->recs[i].owner : &db->recs[i].id;
}

/* The slot of (kind, key) in a record index: its entry or the empty slot
 * where it would go. */
static size_t rec_slot(const mem_db *db, const mem_index *x, int owner, int kind,
                       const triage_id_t *key)
{
    size_t mask = x->nslots - 1, s = hash_key(kind, key) & mask;
    while (x->slots[s]) {
        uint32_t i = x->slots[s] - 1;
        if ((int)db->recs[i].kind == kind && !memcmp(rec_key(db, i, owner), key, sizeof *key))
            break;
        s = (s + 1) & mask;
    }
    return s;
}

static size_t case_slot(const mem_db *db, const triage_id_t *key)
{
    const mem_index *x = &db->by_case;
    size_t mask = x->nslots - 1, s = hash_key(0, key) & mask;
    while (x->slots[s]) {
        if (!memcmp(&db->events[x->slots[s] - 1].key, key, sizeof *key))
            break;
        s = (s + 1) & mask;
    }
    return s;
}

static mem_rec *find(mem_db *db, int kind, const triage_id_t *id)
{
    if (!db->by_id.nslots)
        return NULL;
    uint32_t v = db->by_id.slots[rec_slot(db, &db->by_id, 0, kind, id)];
    return v ? &db->recs[v - 1] : NULL;
}

/* Rebuilds the record indexes over the first db->n records in tables of
 * their current size (no allocation: used by rollback). */
static void rebuild_recs(mem_db *db)
{
    memset(db->by_id.slots, 0, db->by_id.nslots * sizeof *db->by_id.slots);
    memset(db->by_owner.slots, 0, db->by_owner.nslots * sizeof *db->by_owner.slots);
    for (uint32_t i = 0; i < db->n; i++) {
        mem_rec *r = &db->recs[i];
        db->by_id.slots[rec_slot(db, &db->by_id, 0, (int)r->kind, &r->id)] = i + 1;
        r->prev_owned = NONE;
        if (!triage_id_is_nil(&r->owner)) {
            size_t s = rec_slot(db, &db->by_owner, 1, (int)r->kind, &r->owner);
            if (db->by_owner.slots[s])
                r->prev_owned = db->by_owner.slots[s] - 1;
            db->by_owner.slots[s] = i + 1;
        }
    }
}

static void rebuild_events(mem_db *db)
{
    memset(db->by_case.slots, 0, db->by_case.nslots * sizeof *db->by_case.slots);
    for (uint32_t i = 0; i < db->nev; i++) {
        mem_event *ev = &db->events[i];
        ev->prev_case = NONE;
        if (!triage_id_is_nil(&ev->key)) {
            size_t s = case_slot(db, &ev->key);
            if (db->by_case.slots[s])
                ev->prev_case = db->by_case.slots[s] - 1;
            db->by_case.slots[s] = i + 1;
        }
    }
}

/* Makes a table room for `need` entries at most half full; 0 or -2. */
static int index_room(mem_db *db, mem_index *x, size_t need)
{
    if (need * 2 <= x->nslots)
        return 0;
    size_t ns = x->nslots ? x->nslots : 64;
    while (need * 2 > ns)
        ns *= 2;
    uint32_t *slots = triage__calloc(&db->alloc, ns, sizeof *slots);
    if (!slots)
        return -2;
    triage__free(&db->alloc, x->slots);
    x->slots = slots;
    x->nslots = ns;
    return 1; /* grown: the caller rebuilds */
}

/* ---- transactions ------------------------------------------------------------------ */

static int mem_begin(void *ud)
{
    mem_handle *h = ud;
    if (h->holding)
        return -1; /* a transaction inside a transaction or a read */
    pthread_mutex_lock(&h->db->lock);
    h->holding = 1;
    mem_db *db = h->db;
    db->in_txn = 1;
    db->txn_n = db->n;
    db->txn_nev = db->nev;
    db->txn_last_seq = db->last_seq;
    db->txn_nlog = db->nlog;
    db->nundo = 0;
    return 0;
}

static void end_txn(mem_handle *h)
{
    mem_db *db = h->db;
    for (size_t i = 0; i < db->nundo; i++)
        triage__free(&db->alloc, db->undo[i].before.data);
    db->nundo = 0;
    db->in_txn = 0;
    db->rebased = 0;
    h->holding = 0;
    pthread_mutex_unlock(&db->lock);
}

static int mem_commit(void *ud)
{
    mem_handle *h = ud;
    if (!h->holding || !h->db->in_txn || h->db->rebased)
        return -1; /* a rebased transaction ends with commit_rebased */
    end_txn(h);
    return 0;
}

/* Interface 3: the numbers of this transaction count from `base`; a
 * record of a kind in `unchanged` written after `seen` is a lost race
 * (the change log, newest last, says which were). */
static int mem_begin_rebased(void *ud, int64_t base, int64_t seen, uint32_t unchanged)
{
    mem_handle *h = ud;
    if (seen < 0 || seen > base || (unchanged & ~TRIAGE__STORE_KIND_BITS))
        return -1;
    int rc = mem_begin(ud);
    if (rc)
        return rc;
    mem_db *db = h->db;
    int lost = base > db->last_seq;
    for (size_t i = db->nlog; i-- > 0 && !lost && db->log_rev[i] > seen;)
        lost = (unchanged & TRIAGE_STORE_KIND_BIT(db->recs[db->log[i]].kind)) != 0;
    if (lost) {
        end_txn(h); /* nothing written yet */
        return TRIAGE_ECONFLICT;
    }
    db->rebased = 1;
    db->base = base;
    db->shift = db->last_seq - base;
    return 0;
}

static int mem_commit_rebased(void *ud, int64_t *shift)
{
    mem_handle *h = ud;
    if (!shift || !h->holding || !h->db->in_txn || !h->db->rebased)
        return -1;
    *shift = h->db->shift;
    end_txn(h);
    return 0;
}

static int mem_rollback(void *ud)
{
    mem_handle *h = ud;
    mem_db *db = h->db;
    if (!h->holding || !db->in_txn)
        return -1;
    for (size_t i = db->nundo; i-- > 0;) {
        mem_undo *u = &db->undo[i];
        mem_rec *r = &db->recs[u->index];
        triage__free(&db->alloc, r->data);
        *r = u->before;
        u->before.data = NULL;
    }
    int added = db->n != db->txn_n;
    for (size_t i = db->txn_n; i < db->n; i++)
        triage__free(&db->alloc, db->recs[i].data);
    db->n = db->txn_n;
    if (added)
        rebuild_recs(db);
    int appended = db->nev != db->txn_nev;
    for (size_t i = db->txn_nev; i < db->nev; i++)
        triage__free(&db->alloc, db->events[i].data);
    db->nev = db->txn_nev;
    db->last_seq = db->txn_last_seq;
    if (appended)
        rebuild_events(db);
    db->nlog = db->txn_nlog;
    end_txn(h);
    return 0;
}

/* ---- reads ---------------------------------------------------------------------------- */

static int mem_read_begin(void *ud)
{
    mem_handle *h = ud;
    if (h->holding)
        return -1;
    pthread_mutex_lock(&h->db->lock);
    h->holding = 1;
    h->in_read = 1;
    return 0;
}

static int mem_read_end(void *ud)
{
    mem_handle *h = ud;
    if (!h->in_read)
        return -1;
    h->in_read = 0;
    h->holding = 0;
    pthread_mutex_unlock(&h->db->lock);
    return 0;
}

static int mem_last_seq(void *ud, int64_t *out)
{
    mem_handle *h = ud;
    lock(h);
    *out = h->db->last_seq;
    unlock(h);
    return 0;
}

static int visit_rec(const mem_rec *r, triage_store_record_fn visit, void *ctx)
{
    triage_store_record_t out;
    memset(&out, 0, sizeof out);
    out.version = TRIAGE_STORE_RECORD_VERSION;
    out.kind = r->kind;
    out.id = r->id;
    out.owner = r->owner;
    out.revision = r->revision;
    out.created = r->created;
    out.data = r->data;
    out.len = r->len;
    return visit(ctx, &out);
}

static int mem_get_record(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                          triage_store_record_fn visit, void *ctx)
{
    mem_handle *h = ud;
    lock(h);
    const mem_rec *r = find(h->db, (int)kind, id);
    int rc = r ? visit_rec(r, visit, ctx) : TRIAGE_ENOTFOUND;
    unlock(h);
    return rc;
}

/* Does a record pass the query's hints? (The engine checks everything
 * anyway; these only save it work.) */
static int hinted_out(mem_db *db, const mem_rec *r, const triage_store_query_t *q)
{
    if (!q->open_only)
        return 0;
    switch (r->kind) {
    case TRIAGE_RECORD_CASE: return r->closed;
    case TRIAGE_RECORD_INTAKE:
    case TRIAGE_RECORD_DEADLINE: {
        const mem_rec *c = find(db, TRIAGE_RECORD_CASE, &r->owner);
        return c && c->closed;
    }
    case TRIAGE_RECORD_CLIENT:
        return !r->active && q->active_since != TRIAGE_DATE_NONE &&
               (r->last_activity == TRIAGE_DATE_NONE || r->last_activity < q->active_since);
    default: return 0;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int mem_query_records(void *ud, const triage_store_query_t *q,
                             triage_store_record_fn visit, void *ctx)
{
    mem_handle *h = ud;
    mem_db *db = h->db;
    if (!q || q->version < 1)
        return -1;
    lock(h);
    int rc = 0;
    if (!triage_id_is_nil(&q->owner)) {
        /* the owner's chain, newest first: collect, then visit oldest first */
        size_t n = 0, cap = 0;
        uint32_t *idx = NULL;
        if (db->by_owner.nslots) {
            uint32_t v = db->by_owner.slots[rec_slot(db, &db->by_owner, 1, (int)q->kind,
                                                     &q->owner)];
            for (uint32_t i = v ? v - 1 : NONE; i != NONE && !rc; i = db->recs[i].prev_owned) {
                void *arr = idx;
                if (triage__grow(&db->alloc, &arr, &cap, n + 1, sizeof *idx))
                    rc = -2;
                else {
                    idx = arr;
                    idx[n++] = i;
                }
            }
        }
        triage__sort(idx, n, sizeof *idx, cmp_u32);
        for (size_t k = 0; k < n && !rc; k++) {
            const mem_rec *r = &db->recs[idx[k]];
            if (r->revision > q->changed_after && !hinted_out(db, r, q))
                rc = visit_rec(r, visit, ctx);
        }
        triage__free(&db->alloc, idx);
    } else if (q->changed_after > 0) {
        /* the change log from the first write after `changed_after`; a
         * record written again later is visited at its last write only */
        size_t lo = 0, hi = db->nlog;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (db->log_rev[mid] <= q->changed_after)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < db->nlog && !rc; k++) {
            const mem_rec *r = &db->recs[db->log[k]];
            if (r->kind == q->kind && r->revision == db->log_rev[k] && !hinted_out(db, r, q))
                rc = visit_rec(r, visit, ctx);
        }
    } else {
        for (size_t i = 0; i < db->n && !rc; i++) {
            const mem_rec *r = &db->recs[i];
            if (r->kind == q->kind && !hinted_out(db, r, q))
                rc = visit_rec(r, visit, ctx);
        }
    }
    unlock(h);
    return rc;
}

static int mem_query_events(void *ud, const triage_store_event_query_t *q,
                            triage_store_event_fn visit, void *ctx)
{
    mem_handle *h = ud;
    mem_db *db = h->db;
    if (!q || q->version < 1)
        return -1;
    lock(h);
    int rc = 0;
    int64_t sent = 0;
    int64_t upto = q->upto_seq < db->last_seq ? q->upto_seq : db->last_seq;
    triage_store_event_t out = {TRIAGE_STORE_EVENT_VERSION, NULL, 0, NULL, 0};
    if (!triage_id_is_nil(&q->case_id)) {
        /* the case's chain runs newest first: find where the range starts */
        uint32_t first = NONE;
        if (db->by_case.nslots) {
            uint32_t v = db->by_case.slots[case_slot(db, &q->case_id)];
            for (uint32_t i = v ? v - 1 : NONE; i != NONE && db->events[i].seq > q->after_seq;
                 i = db->events[i].prev_case)
                first = i;
        }
        /* then walk forward through all events of the case in seq order */
        for (uint32_t i = first; i != NONE && i < db->nev && !rc; i++) {
            const mem_event *ev = &db->events[i];
            if (ev->seq > upto || (q->limit && sent >= q->limit))
                break;
            if (!ev->data || !ev->of_case || memcmp(&ev->key, &q->case_id, sizeof q->case_id) != 0 ||
                ev->at_ms < q->from_ms || ev->at_ms > q->to_ms)
                continue;
            out.seq = ev->seq;
            out.data = ev->data;
            out.len = ev->len;
            rc = visit(ctx, &out);
            sent++;
        }
    } else {
        size_t from = q->after_seq < 0 ? 0 : (size_t)q->after_seq;
        if (db->gaps) { /* the first event after after_seq */
            size_t lo = 0, hi = db->nev;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (db->events[mid].seq <= q->after_seq)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            from = lo;
        }
        for (size_t s = from; s < db->nev && db->events[s].seq <= upto && !rc; s++) {
            const mem_event *ev = &db->events[s];
            if (q->limit && sent >= q->limit)
                break;
            if (!ev->data || ev->at_ms < q->from_ms || ev->at_ms > q->to_ms)
                continue;
            out.seq = ev->seq;
            out.data = ev->data;
            out.len = ev->len;
            rc = visit(ctx, &out);
            sent++;
        }
    }
    unlock(h);
    return rc;
}

/* ---- writes ----------------------------------------------------------------------------- */

static const triage_field_t *field(const triage_store_record_t *r, const char *name)
{
    for (size_t i = 0; i < r->nfields; i++)
        if (r->fields[i].name && strcmp(r->fields[i].name, name) == 0)
            return &r->fields[i];
    return NULL;
}

/* Records a write in the change log. */
static int log_write(mem_db *db, uint32_t index, int64_t revision)
{
    if (db->nlog == db->logcap) {
        size_t cap = db->logcap ? db->logcap * 2 : 256;
        uint32_t *log = triage__realloc(&db->alloc, db->log, cap * sizeof *log);
        if (!log)
            return -2;
        db->log = log;
        int64_t *rev = triage__realloc(&db->alloc, db->log_rev, cap * sizeof *rev);
        if (!rev)
            return -2;
        db->log_rev = rev;
        db->logcap = cap;
    }
    db->log[db->nlog] = index;
    db->log_rev[db->nlog] = revision;
    db->nlog++;
    return 0;
}

static int remember(mem_db *db, uint32_t index)
{
    if (index >= db->txn_n)
        return 0; /* added in this transaction: rollback truncates it */
    for (size_t i = 0; i < db->nundo; i++)
        if (db->undo[i].index == index)
            return 0;
    void *undo = db->undo;
    if (triage__grow(&db->alloc, &undo, &db->undocap, db->nundo + 1, sizeof *db->undo))
        return -2;
    db->undo = undo;
    db->undo[db->nundo].index = index;
    db->undo[db->nundo].before = db->recs[index];
    db->nundo++;
    /* the undo entry owns the old data now: the record gets its new data */
    db->recs[index].data = NULL;
    return 0;
}

static int mem_put_record(void *ud, const triage_store_record_t *r)
{
    mem_handle *h = ud;
    mem_db *db = h->db;
    if (!h->holding || !db->in_txn || !r || r->version < 1 || !r->data)
        return -1;
    triage_store_record_t moved;
    if (db->rebased)
        r = triage__store_moved_record(&moved, r, db->base, db->shift);
    mem_rec *cur = find(db, (int)r->kind, &r->id);
    int64_t have = cur ? cur->revision : 0;
    if (have != r->expected_revision)
        return TRIAGE_ECONFLICT;
    if (cur && memcmp(&cur->owner, &r->owner, sizeof r->owner) != 0)
        return -1; /* a record never changes owner */
    unsigned char *copy = triage__malloc(&db->alloc, r->len ? r->len : 1);
    if (!copy)
        return -2;
    memcpy(copy, r->data, r->len);
    if (log_write(db, cur ? (uint32_t)(cur - db->recs) : (uint32_t)db->n, r->revision)) {
        triage__free(&db->alloc, copy);
        return -2;
    }
    mem_rec nr;
    memset(&nr, 0, sizeof nr);
    nr.kind = r->kind;
    nr.id = r->id;
    nr.owner = r->owner;
    nr.revision = r->revision;
    nr.created = r->created;
    nr.prev_owned = NONE;
    nr.last_activity = TRIAGE_DATE_NONE;
    nr.data = copy;
    nr.len = r->len;
    const triage_field_t *f;
    if (r->kind == TRIAGE_RECORD_CASE && (f = field(r, "stage")) != NULL)
        nr.closed = f->i == TRIAGE_STAGE_CLOSED;
    if (r->kind == TRIAGE_RECORD_CLIENT) {
        if ((f = field(r, "active_case")) != NULL)
            nr.active = !f->is_null;
        if ((f = field(r, "last_activity")) != NULL && !f->is_null)
            nr.last_activity = (triage_date_t)f->i;
    }
    if (cur) {
        uint32_t index = (uint32_t)(cur - db->recs);
        if (remember(db, index)) {
            db->nlog--;
            triage__free(&db->alloc, copy);
            return -2;
        }
        triage__free(&db->alloc, db->recs[index].data);
        nr.prev_owned = db->recs[index].prev_owned;
        db->recs[index] = nr;
        return 0;
    }
    void *recs = db->recs;
    int grew_id = 0, grew_owner = 0;
    if (db->n + 1 >= NONE / 2 ||
        triage__grow(&db->alloc, &recs, &db->cap, db->n + 1, sizeof *db->recs) ||
        (grew_id = index_room(db, &db->by_id, db->n + 1)) < 0 ||
        (grew_owner = index_room(db, &db->by_owner, db->n + 1)) < 0) {
        db->recs = recs;
        db->nlog--;
        triage__free(&db->alloc, copy);
        if (grew_id > 0)
            rebuild_recs(db);
        return -2;
    }
    db->recs = recs;
    if (grew_id || grew_owner)
        rebuild_recs(db);
    uint32_t i = (uint32_t)db->n++;
    db->recs[i] = nr;
    db->by_id.slots[rec_slot(db, &db->by_id, 0, (int)nr.kind, &nr.id)] = i + 1;
    if (!triage_id_is_nil(&nr.owner)) {
        size_t s = rec_slot(db, &db->by_owner, 1, (int)nr.kind, &nr.owner);
        if (db->by_owner.slots[s])
            db->recs[i].prev_owned = db->by_owner.slots[s] - 1;
        db->by_owner.slots[s] = i + 1;
    }
    return 0;
}

static int mem_append_event2(void *ud, const triage_store_event_t *se)
{
    mem_handle *h = ud;
    mem_db *db = h->db;
    if (!h->holding || !db->in_txn || !se || se->version < 1 || !se->event || !se->data)
        return -1;
    triage_store_event_t moved;
    triage_event_t moved_ev;
    if (db->rebased)
        se = triage__store_moved_event(&moved, &moved_ev, se, db->shift);
    if (se->seq != db->last_seq + 1)
        return TRIAGE_ECONFLICT; /* another engine took that number */
    unsigned char *copy = triage__malloc(&db->alloc, se->len ? se->len : 1);
    if (!copy)
        return -2;
    memcpy(copy, se->data, se->len);
    void *evs = db->events;
    int grew = 0;
    if (db->nev + 1 >= NONE / 2 ||
        triage__grow(&db->alloc, &evs, &db->evcap, db->nev + 1, sizeof *db->events) ||
        (grew = index_room(db, &db->by_case, db->nev + 1)) < 0) {
        db->events = evs;
        triage__free(&db->alloc, copy);
        return -2;
    }
    db->events = evs;
    if (grew)
        rebuild_events(db);
    uint32_t i = (uint32_t)db->nev++;
    db->last_seq = se->seq;
    mem_event *ev = &db->events[i];
    ev->seq = se->seq;
    ev->at_ms = se->event->at_ms;
    ev->of_case = !triage_id_is_nil(&se->event->case_id);
    ev->key = ev->of_case ? se->event->case_id : se->event->subject;
    ev->prev_case = NONE;
    ev->data = copy;
    ev->len = se->len;
    if (!triage_id_is_nil(&ev->key)) {
        size_t s = case_slot(db, &ev->key);
        if (db->by_case.slots[s])
            ev->prev_case = db->by_case.slots[s] - 1;
        db->by_case.slots[s] = i + 1;
    }
    return 0;
}

static int is_memory(const triage_store_t *s);

/* ---- forgetting closed cases (the simulation) ------------------------------------------ */

static void forget_rec(mem_db *db, mem_rec *r)
{
    if (!r || r->kind == 0)
        return;
    triage__free(&db->alloc, r->data);
    r->data = NULL;
    r->len = 0;
    r->kind = 0; /* no lookup matches kind 0 */
    db->dead_recs++;
}

/* Drops the forgotten records and events from the arrays, their log
 * entries and the log entries of overwritten revisions; rebuilds the
 * indexes. ENOMEM leaves everything as it was. */
static int compact(mem_db *db)
{
    uint32_t *map = db->n ? triage__malloc(&db->alloc, db->n * sizeof *map) : NULL;
    if (db->n && !map)
        return -2;
    size_t n = 0;
    for (size_t i = 0; i < db->n; i++) {
        if (db->recs[i].kind == 0) {
            map[i] = NONE;
            continue;
        }
        map[i] = (uint32_t)n;
        db->recs[n++] = db->recs[i];
    }
    size_t nl = 0;
    for (size_t k = 0; k < db->nlog; k++) {
        uint32_t to = map[db->log[k]];
        if (to == NONE || db->recs[to].revision != db->log_rev[k])
            continue;
        db->log[nl] = to;
        db->log_rev[nl++] = db->log_rev[k];
    }
    triage__free(&db->alloc, map);
    db->n = n;
    db->nlog = nl;
    db->dead_recs = 0;
    rebuild_recs(db);
    size_t ne = 0;
    for (size_t i = 0; i < db->nev; i++)
        if (db->events[i].data)
            db->events[ne++] = db->events[i];
    if (ne != db->nev)
        db->gaps = 1;
    db->nev = ne;
    db->dead_events = 0;
    rebuild_events(db);
    return 0;
}

/* Forgets the events chained under `key` (a case's, or a subject's). */
static void forget_events(mem_db *db, const triage_id_t *key)
{
    if (!db->by_case.nslots)
        return;
    uint32_t v = db->by_case.slots[case_slot(db, key)];
    for (uint32_t i = v ? v - 1 : NONE; i != NONE; i = db->events[i].prev_case)
        if (db->events[i].data) {
            triage__free(&db->alloc, db->events[i].data);
            db->events[i].data = NULL;
            db->events[i].len = 0;
            db->dead_events++;
        }
}

/* The handle's database for a forget call, locked; NULL (error set) when
 * it cannot forget. */
static mem_db *forget_begin(const triage_store_t *store)
{
    if (!store || !is_memory(store) || !store->userdata) {
        triage__error(TRIAGE_EINVAL, "store", "not a store from triage_store_memory()");
        return NULL;
    }
    mem_handle *h = store->userdata;
    if (h->holding) {
        triage__error(TRIAGE_EINVAL, "store", "inside a transaction");
        return NULL;
    }
    lock(h);
    return h->db;
}

/* Compacts once the forgotten entries (records, events and change-log
 * entries of records no longer current) outnumber the kept ones; unlocks. */
static triage_status_t forget_end(const triage_store_t *store)
{
    mem_handle *h = store->userdata;
    mem_db *db = h->db;
    size_t live = (db->n - db->dead_recs) + (db->nev - db->dead_events);
    size_t dead = db->dead_recs + db->dead_events;
    int rc = dead > 4096 && dead > live ? compact(db) : 0;
    unlock(h);
    return rc ? triage__error(TRIAGE_ENOMEM, NULL, "out of memory") : TRIAGE_OK;
}

triage_status_t triage__store_memory_forget(const triage_store_t *store, const triage_id_t *cases,
                                            size_t n)
{
    mem_db *db = forget_begin(store);
    if (!db)
        return triage_error_last()->code;
    for (size_t k = 0; k < n; k++) {
        const triage_id_t *id = &cases[k];
        forget_rec(db, find(db, TRIAGE_RECORD_CASE, id));
        static const int owned[] = {TRIAGE_RECORD_INTAKE, TRIAGE_RECORD_DEADLINE};
        for (int o = 0; o < 2 && db->by_owner.nslots; o++) {
            uint32_t v = db->by_owner.slots[rec_slot(db, &db->by_owner, 1, owned[o], id)];
            for (uint32_t i = v ? v - 1 : NONE; i != NONE;) {
                uint32_t prev = db->recs[i].prev_owned;
                forget_rec(db, &db->recs[i]);
                i = prev;
            }
        }
        forget_events(db, id);
    }
    return forget_end(store);
}

triage_status_t triage__store_memory_forget_clients(const triage_store_t *store,
                                                    const triage_id_t *clients, size_t n)
{
    mem_db *db = forget_begin(store);
    if (!db)
        return triage_error_last()->code;
    for (size_t k = 0; k < n; k++) {
        forget_rec(db, find(db, TRIAGE_RECORD_CLIENT, &clients[k]));
        forget_events(db, &clients[k]);
    }
    return forget_end(store);
}

void triage__store_memory_count(const triage_store_t *store, triage_record_kind_t kind,
                                size_t *records, size_t *events)
{
    *records = *events = 0;
    if (!store || !is_memory(store) || !store->userdata)
        return;
    mem_handle *h = store->userdata;
    lock(h);
    const mem_db *db = h->db;
    for (size_t i = 0; i < db->n; i++)
        *records += db->recs[i].kind == kind;
    *events = db->nev - db->dead_events;
    unlock(h);
}

/* ---- handles ----------------------------------------------------------------------------- */

static void db_free(mem_db *db)
{
    triage_allocator_t a = db->alloc;
    for (size_t i = 0; i < db->n; i++)
        triage__free(&a, db->recs[i].data);
    for (size_t i = 0; i < db->nev; i++)
        triage__free(&a, db->events[i].data);
    triage__free(&a, db->recs);
    triage__free(&a, db->by_id.slots);
    triage__free(&a, db->by_owner.slots);
    triage__free(&a, db->by_case.slots);
    triage__free(&a, db->log);
    triage__free(&a, db->log_rev);
    triage__free(&a, db->events);
    triage__free(&a, db->undo);
    pthread_mutex_destroy(&db->lock);
    triage__free(&a, db);
}

static void mem_destroy(void *ud)
{
    mem_handle *h = ud;
    mem_db *db = h->db;
    if (h->holding && db->in_txn)
        mem_rollback(h);
    else if (h->in_read)
        mem_read_end(h);
    pthread_mutex_lock(&db->lock);
    size_t left = --db->handles;
    pthread_mutex_unlock(&db->lock);
    triage_allocator_t a = db->alloc;
    triage__free(&a, h);
    if (!left)
        db_free(db);
}

static triage_status_t new_handle(triage_store_t *out, mem_db *db)
{
    mem_handle *h = triage__calloc(&db->alloc, 1, sizeof *h);
    if (!h)
        return TRIAGE_ENOMEM;
    h->db = db;
    triage_store_t st = TRIAGE_STORE_INIT;
    st.userdata = h;
    st.begin = mem_begin;
    st.commit = mem_commit;
    st.rollback = mem_rollback;
    st.destroy = mem_destroy;
    st.last_seq = mem_last_seq;
    st.read_begin = mem_read_begin;
    st.read_end = mem_read_end;
    st.put_record = mem_put_record;
    st.get_record = mem_get_record;
    st.query_records = mem_query_records;
    st.append_event2 = mem_append_event2;
    st.query_events = mem_query_events;
    st.begin_rebased = mem_begin_rebased;
    st.commit_rebased = mem_commit_rebased;
    *out = st;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_store_memory(triage_store_t *out, const triage_allocator_t *alloc)
{
    if (!out)
        return triage__error_null("out");
    triage_status_t rc = triage__allocator_check(alloc, "alloc");
    if (rc)
        return rc;
    mem_db *db = triage__calloc(alloc, 1, sizeof *db);
    if (!db)
        return TRIAGE_ENOMEM;
    if (alloc)
        db->alloc = *alloc;
    if (pthread_mutex_init(&db->lock, NULL) != 0) {
        triage__free(alloc, db);
        return triage__error(TRIAGE_ENOMEM, NULL, "cannot create a mutex");
    }
    db->handles = 1;
    rc = new_handle(out, db);
    if (rc) {
        pthread_mutex_destroy(&db->lock);
        triage__free(alloc, db);
    }
    return rc;
}

static int is_memory(const triage_store_t *s)
{
    return s->version >= 2 && s->begin == mem_begin && s->destroy == mem_destroy;
}

TRIAGE_API triage_status_t triage_store_memory_share(triage_store_t *out,
                                                     const triage_store_t *store)
{
    if (!out)
        return triage__error_null("out");
    if (!store)
        return triage__error_null("store");
    if (!is_memory(store) || !store->userdata)
        return triage__error(TRIAGE_EINVAL, "store", "not a store from triage_store_memory()");
    mem_db *db = ((mem_handle *)store->userdata)->db;
    pthread_mutex_lock(&db->lock);
    db->handles++;
    pthread_mutex_unlock(&db->lock);
    triage_status_t rc = new_handle(out, db);
    if (rc) {
        pthread_mutex_lock(&db->lock);
        db->handles--;
        pthread_mutex_unlock(&db->lock);
    }
    return rc;
}
