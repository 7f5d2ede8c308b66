/*
 * The engine's record tables: records stored densely, found by id through
 * an open-addressing index (linear probing). Only the transaction layer
 * (txn.c) and loading (persist.c) change them.
 */
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
    return &((const triage__head *)triage__table_at(t, i))->id;
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
    return v ? triage__table_at(t, (size_t)(v - 1)) : NULL;
}

/* Makes room for `need` records. Fails without changing the logical contents. */
triage_status_t triage__table_reserve(const triage_allocator_t *a, triage__table *t, size_t need)
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

/* Removes a record (its owned memory released): the last record takes its
 * place, and the index is repaired by re-inserting the probe chain after
 * the freed slot (linear probing deletion). Infallible. */
void triage__table_remove(const triage_allocator_t *a, triage__table *t, const triage_id_t *id)
{
    if (!t->nslots)
        return;
    size_t s = find_slot(t, id);
    if (!t->slots[s])
        return;
    size_t idx = t->slots[s] - 1;
    if (t->release)
        t->release(a, triage__table_at(t, idx));
    /* free the slot, then re-seat the rest of its cluster */
    size_t mask = t->nslots - 1;
    t->slots[s] = 0;
    for (size_t k = (s + 1) & mask; t->slots[k]; k = (k + 1) & mask) {
        uint32_t v = t->slots[k];
        t->slots[k] = 0;
        t->slots[find_slot(t, rec_id(t, v - 1))] = v;
    }
    size_t last = t->n - 1;
    if (idx != last) {
        memcpy(triage__table_at(t, idx), triage__table_at(t, last), t->elem);
        t->slots[find_slot(t, rec_id(t, idx))] = (uint32_t)(idx + 1);
    }
    t->n--;
}

/* Puts a record the table takes over (its owned memory included): replaces
 * the stored one (released) or appends. Infallible once table_reserve()
 * made room for a new record. */
void triage__table_put(const triage_allocator_t *a, triage__table *t, const void *rec)
{
    const triage_id_t *id = &((const triage__head *)rec)->id;
    size_t s = find_slot(t, id);
    if (t->slots[s]) {
        void *dst = triage__table_at(t, (size_t)(t->slots[s] - 1));
        if (t->release)
            t->release(a, dst);
        memcpy(dst, rec, t->elem);
        return;
    }
    triage__copy(triage__table_at(t, t->n), rec, t->elem);
    t->slots[s] = (uint32_t)(++t->n);
}

triage_status_t triage__table_load(const triage_allocator_t *a, triage__table *t, void *rec)
{
    triage_status_t rc = triage__table_reserve(a, t, t->n + 1);
    if (!rc)
        triage__table_put(a, t, rec);
    return rc;
}

void triage__table_clear(const triage_allocator_t *a, triage__table *t)
{
    if (t->release)
        for (size_t i = 0; i < t->n; i++)
            t->release(a, triage__table_at(t, i));
    triage__free(a, t->recs);
    triage__free(a, t->slots);
    t->recs = NULL;
    t->slots = NULL;
    t->n = t->cap = t->nslots = 0;
}

