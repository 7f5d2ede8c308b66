/*
 * Record tables and transactions: the one place where engine state changes.
 *
 * A public call reads what it needs, builds modified copies of records and
 * the events that describe the change in a triage__txn, and hands it to
 * triage__txn_commit(). Commit first reserves every byte the change needs
 * (the only step that can fail), then applies it: so a failure at any point
 * leaves the engine exactly as it was. The storage layer will hook its
 * begin/put/commit callbacks between the two steps.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

static uint64_t id_hash(const triage_id_t *id)
{
    uint64_t h;
    memcpy(&h, id->bytes, sizeof h);
    uint64_t l;
    memcpy(&l, id->bytes + 8, sizeof l);
    h ^= l * 0x9e3779b97f4a7c15u;
    h ^= h >> 31;
    return h * 0xbf58476d1ce4e5b9u;
}

static const triage_id_t *rec_id(const triage__table *t, size_t i)
{
    return (const triage_id_t *)(const void *)(t->recs + i * t->elem + t->id_off);
}

static size_t find_slot(const triage__table *t, const triage_id_t *id)
{
    size_t mask = t->nslots - 1;
    size_t s = (size_t)id_hash(id) & mask;
    while (t->slots[s] && memcmp(rec_id(t, t->slots[s] - 1), id, sizeof *id) != 0)
        s = (s + 1) & mask;
    return s;
}

void *triage__table_get(const triage__table *t, const triage_id_t *id)
{
    if (!t->nslots)
        return NULL;
    uint32_t v = t->slots[find_slot(t, id)];
    return v ? t->recs + (size_t)(v - 1) * t->elem : NULL;
}

const void *triage__lookup(const void *out, triage_engine_t *e, int table, const triage_id_t *id,
                           const char *id_name)
{
    static const char *what[] = {"client", "case", "worker", "absence"};
    if (!out) {
        triage__error_null("out");
        return NULL;
    }
    if (!e) {
        triage__error_null("engine");
        return NULL;
    }
    if (!id) {
        triage__error_null(id_name);
        return NULL;
    }
    const void *rec = triage__table_get(&e->tables[table], id);
    if (!rec)
        triage__error(TRIAGE_ENOTFOUND, id_name, "no %s with that id",
                      (size_t)table < TRIAGE__ARRAY_LEN(what) ? what[table] : "record");
    return rec;
}

/* Makes room for `need` records. Fails without changing the logical contents. */
static triage_status_t table_reserve(const triage_allocator_t *a, triage__table *t, size_t need)
{
    if (need > UINT32_MAX - 1)
        return triage__error(TRIAGE_ERANGE, NULL, "too many records");
    void *recs = t->recs;
    triage_status_t rc = triage__grow(a, &recs, &t->cap, need, t->elem);
    t->recs = recs;
    if (rc)
        return rc;
    if (need * 2 <= t->nslots)
        return TRIAGE_OK;
    size_t ns = t->nslots ? t->nslots : 16;
    while (ns < need * 2)
        ns *= 2;
    uint32_t *slots = triage__calloc(a, ns, sizeof *slots);
    if (!slots)
        return TRIAGE_ENOMEM;
    uint32_t *old = t->slots;
    t->slots = slots;
    t->nslots = ns;
    for (size_t i = 0; i < t->n; i++)
        t->slots[find_slot(t, rec_id(t, i))] = (uint32_t)(i + 1);
    triage__free(a, old);
    return TRIAGE_OK;
}

/* Removes a record, keeping insertion order of the rest. Infallible. */
static void table_delete(triage__table *t, const triage_id_t *id)
{
    size_t s = find_slot(t, id);
    if (!t->slots[s])
        return;
    size_t idx = t->slots[s] - 1;
    memmove(t->recs + idx * t->elem, t->recs + (idx + 1) * t->elem, (t->n - idx - 1) * t->elem);
    t->n--;
    /* Rebuild the index (deletions are rare: absences only). */
    memset(t->slots, 0, t->nslots * sizeof *t->slots);
    for (size_t i = 0; i < t->n; i++)
        t->slots[find_slot(t, rec_id(t, i))] = (uint32_t)(i + 1);
}

/* Infallible once table_reserve() succeeded for the new record. */
static void table_put(triage__table *t, const void *rec)
{
    const triage_id_t *id = (const triage_id_t *)(const void *)((const char *)rec + t->id_off);
    size_t s = find_slot(t, id);
    if (t->slots[s]) {
        memcpy(t->recs + (size_t)(t->slots[s] - 1) * t->elem, rec, t->elem);
        return;
    }
    triage__copy(t->recs + t->n * t->elem, rec, t->elem);
    t->slots[s] = (uint32_t)(++t->n);
}

triage_status_t triage__table_load(const triage_allocator_t *a, triage__table *t, const void *rec)
{
    triage_status_t rc = table_reserve(a, t, t->n + 1);
    if (!rc)
        table_put(t, rec);
    return rc;
}

void triage__txn_init(triage__txn *tx, triage_engine_t *e)
{
    memset(tx, 0, sizeof *tx);
    tx->e = e;
}

void triage__txn_discard(triage__txn *tx)
{
    for (size_t i = 0; i < tx->nputs; i++)
        triage__free(&tx->e->alloc, tx->puts[i].rec);
    triage__free(&tx->e->alloc, tx->puts);
    triage__free(&tx->e->alloc, tx->events);
    triage__txn_init(tx, tx->e);
}

static triage__put *pending(triage__txn *tx, int table, const triage_id_t *id)
{
    const triage__table *t = &tx->e->tables[table];
    for (size_t i = 0; i < tx->nputs; i++) {
        triage__put *p = &tx->puts[i];
        if (p->table == table && !memcmp((char *)p->rec + t->id_off, id, sizeof *id))
            return p;
    }
    return NULL;
}

static void *add_put(triage__txn *tx, int table, const void *rec, int is_new)
{
    triage_engine_t *e = tx->e;
    const triage__table *t = &e->tables[table];
    void *puts = tx->puts;
    if (triage__grow(&e->alloc, &puts, &tx->putcap, tx->nputs + 1, sizeof *tx->puts))
        return NULL;
    tx->puts = puts;
    void *copy = triage__malloc(&e->alloc, t->elem);
    if (!copy)
        return NULL;
    memcpy(copy, rec, t->elem);
    tx->puts[tx->nputs++] = (triage__put){table, copy, is_new};
    return copy;
}

void *triage__txn_get(triage__txn *tx, int table, const triage_id_t *id)
{
    triage__put *p = pending(tx, table, id);
    if (p)
        return p->rec;
    const void *rec = triage__table_get(&tx->e->tables[table], id);
    if (!rec) {
        static const char *what[] = {"client", "case", "worker", "absence"};
        triage__error(TRIAGE_ENOTFOUND, what[table], "no %s with that id", what[table]);
        return NULL;
    }
    return add_put(tx, table, rec, 0);
}

void *triage__txn_new(triage__txn *tx, int table, const void *rec)
{
    return add_put(tx, table, rec, 1);
}

triage_status_t triage__txn_delete(triage__txn *tx, int table, const triage_id_t *id)
{
    triage__put *p = pending(tx, table, id);
    if (p) {
        p->is_new = -1;
        return TRIAGE_OK;
    }
    const void *rec = triage__table_get(&tx->e->tables[table], id);
    if (!rec)
        return triage__error(TRIAGE_ENOTFOUND, "id", "no record with that id");
    return add_put(tx, table, rec, -1) ? TRIAGE_OK : TRIAGE_ENOMEM;
}

triage_event_t *triage__txn_event(triage__txn *tx, const triage_id_t *case_id,
                                  triage_event_kind_t kind, int64_t at_ms,
                                  const triage_id_t *actor)
{
    void *evs = tx->events;
    if (triage__grow(&tx->e->alloc, &evs, &tx->evcap, tx->nev + 1, sizeof *tx->events))
        return NULL;
    tx->events = evs;
    triage_event_t *ev = &tx->events[tx->nev++];
    memset(ev, 0, sizeof *ev);
    if (case_id)
        ev->case_id = *case_id;
    if (actor)
        ev->actor = *actor;
    ev->kind = kind;
    ev->at_ms = at_ms;
    return ev;
}

static void audit_change(triage_engine_t *e, const triage__put *p)
{
    if (p->table > TRIAGE__T_WORKER)
        return; /* absences are no client data */
    static const triage_audit_object_t obj[] = {TRIAGE_AUDIT_CLIENT, TRIAGE_AUDIT_CASE,
                                                TRIAGE_AUDIT_WORKER};
    const triage__table *t = &e->tables[p->table];
    const triage_id_t *id = (const triage_id_t *)(const void *)((char *)p->rec + t->id_off);
    e->audit(e->audit_ud, p->is_new > 0 ? TRIAGE_AUDIT_CREATE : TRIAGE_AUDIT_UPDATE, obj[p->table],
             id);
}

/* Sends the transaction to the store: begin, puts, events, commit; on any
 * failure rollback and TRIAGE_ESTORE with the callback's code. */
static triage_status_t store_write(triage__txn *tx, unsigned char *buf)
{
    triage_engine_t *e = tx->e;
    triage_store_t *st = &e->store;
    const char *step = "begin";
    int rc = st->begin(st->userdata);
    int begun = rc == 0;
    for (size_t i = 0; i < tx->nputs && rc == 0; i++) {
        const triage__put *p = &tx->puts[i];
        const triage__table *t = &e->tables[p->table];
        const triage_id_t *id = (const triage_id_t *)(const void *)((char *)p->rec + t->id_off);
        if (p->is_new < 0) {
            step = "del";
            rc = st->del(st->userdata, t->kind, id);
            continue;
        }
        triage_record_keys_t keys;
        t->keys(p->rec, &keys);
        triage__record_encode(buf, t, p->rec);
        step = "put";
        rc = st->put(st->userdata, t->kind, id, &keys, buf, triage__record_size(t));
    }
    for (size_t i = 0; i < tx->nev && rc == 0; i++) {
        step = "append_event";
        rc = st->append_event(st->userdata, &tx->events[i]);
    }
    if (rc == 0) {
        step = "commit";
        rc = st->commit(st->userdata);
    }
    if (rc == 0)
        return TRIAGE_OK;
    /* Keep a message the callback set; otherwise say which step failed. */
    const triage_error_t *le = triage_error_last();
    int own = le->code == TRIAGE_ESTORE && le->cause == INT32_MIN;
    char msg[200];
    snprintf(msg, sizeof msg, "%s", own ? le->message : "");
    if (begun && st->rollback(st->userdata) != 0)
        e->store_broken = 1;
    if (own)
        return triage__error_cause(TRIAGE_ESTORE, rc, step, "%s", msg);
    return triage__error_cause(TRIAGE_ESTORE, rc, step, "the store's %s callback failed (%d)",
                               step, rc);
}

triage_status_t triage__txn_commit(triage__txn *tx)
{
    triage_engine_t *e = tx->e;
    if (e->store.version && e->store_broken) {
        triage__txn_discard(tx);
        return triage__error(TRIAGE_ESTORE, "store",
                             "a store rollback failed earlier; reopen the engine");
    }
    /* 1. Reserve: the only step that may fail. */
    size_t fresh[TRIAGE__T_COUNT] = {0};
    size_t biggest = 0;
    for (size_t i = 0; i < tx->nputs; i++) {
        if (tx->puts[i].is_new > 0)
            fresh[tx->puts[i].table]++;
        size_t sz = triage__record_size(&e->tables[tx->puts[i].table]);
        biggest = sz > biggest ? sz : biggest;
    }
    triage_status_t rc = TRIAGE_OK;
    for (int t = 0; t < TRIAGE__T_COUNT && !rc; t++)
        if (fresh[t])
            rc = table_reserve(&e->alloc, &e->tables[t], e->tables[t].n + fresh[t]);
    if (!rc && tx->nev) {
        void *evs = e->events;
        rc = triage__grow(&e->alloc, &evs, &e->evcap, e->nevents + tx->nev, sizeof *e->events);
        e->events = evs;
    }
    unsigned char *buf = NULL;
    if (!rc && e->store.version && biggest) {
        buf = triage__malloc(&e->alloc, biggest);
        if (!buf)
            rc = TRIAGE_ENOMEM;
    }
    for (size_t i = 0; i < tx->nev; i++)
        tx->events[i].seq = e->next_seq + (int64_t)i;
    /* 2. The store, when there is one: all or nothing. */
    if (!rc && e->store.version)
        rc = store_write(tx, buf);
    triage__free(&e->alloc, buf);
    if (rc) {
        triage__txn_discard(tx);
        return rc;
    }
    /* 3. Apply to memory: nothing below can fail. */
    for (size_t i = 0; i < tx->nputs; i++) {
        const triage__put *p = &tx->puts[i];
        triage__table *t = &e->tables[p->table];
        const triage_id_t *id = (const triage_id_t *)(const void *)((char *)p->rec + t->id_off);
        if (p->table == TRIAGE__T_ABSENCE)
            e->absence_gen++;
        else if (p->table == TRIAGE__T_WORKER)
            e->worker_gen++;
        /* extensions (the assignment module's loads) follow every change;
         * the old record is still in the table */
        const void *old_rec = triage__table_get(t, id);
        for (size_t k = 0; k < TRIAGE__MAX_EXTENSIONS && e->ext[k].ops; k++)
            e->ext[k].ops->on_commit(e, e->ext[k].state, p->table, old_rec,
                                     p->is_new < 0 ? NULL : p->rec);
        if (p->is_new < 0)
            table_delete(t, id);
        else
            table_put(t, p->rec);
    }
    for (size_t i = 0; i < tx->nev; i++)
        e->events[e->nevents++] = tx->events[i];
    e->next_seq += (int64_t)tx->nev;
    if (e->audit)
        for (size_t i = 0; i < tx->nputs; i++)
            audit_change(e, &tx->puts[i]);
    triage__txn_discard(tx);
    return TRIAGE_OK;
}
