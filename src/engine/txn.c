/*
 * Record tables and transactions: the one place where engine state changes.
 *
 * A public call reads what it needs, builds modified deep copies of records
 * and the events that describe the change in a triage__txn, and hands it to
 * triage__txn_commit(). Commit first reserves every byte the change needs
 * (the only step that can fail besides the store), then writes the change
 * through the store, and only then applies it to memory: so a failure at any
 * point leaves the engine exactly as it was.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

static const char *const table_name[] = {"client", "case", "worker", "absence"};

void *triage__fetch(triage_engine_t *e, int table, const triage_id_t *id, const char *id_name)
{
    void *rec = triage__table_get(&e->tables[table], id);
    if (rec)
        return rec;
    if (triage__store_fetch(e, table, id) == TRIAGE_OK &&
        (rec = triage__table_get(&e->tables[table], id)) != NULL)
        return rec;
    if (triage_error_last()->code == TRIAGE_ENOTFOUND || triage_error_last()->code == TRIAGE_OK)
        triage__error(TRIAGE_ENOTFOUND, id_name, "no %s with that id", table_name[table]);
    return NULL;
}

const void *triage__lookup(const void *out, triage_engine_t *e, int table, const triage_id_t *id,
                           const char *id_name)
{
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
    return triage__fetch(e, table, id, id_name);
}

/* ---- transactions ---------------------------------------------------------- */

void triage__txn_init(triage__txn *tx, triage_engine_t *e)
{
    memset(tx, 0, sizeof *tx);
    tx->e = e;
}

void triage__txn_discard(triage__txn *tx)
{
    triage_engine_t *e = tx->e;
    for (size_t i = 0; i < tx->nputs; i++) {
        const triage__table *t = &e->tables[tx->puts[i].table];
        if (tx->puts[i].rec && t->release)
            t->release(&e->alloc, tx->puts[i].rec);
        triage__free(&e->alloc, tx->puts[i].rec);
    }
    triage__free(&e->alloc, tx->puts);
    triage__free(&e->alloc, tx->events);
    for (size_t i = 0; i < tx->npolicies; i++)
        triage__codec_release(&tx->policies[i], &triage__policy_schema, &e->alloc);
    triage__free(&e->alloc, tx->policies);
    triage_urgency_policy_free(tx->policy_obj[0]);
    triage_deadline_rules_free(tx->policy_obj[1]);
    triage_classify_policy_free(tx->policy_obj[2]);
    triage__txn_init(tx, e);
}

static triage__put *pending(triage__txn *tx, int table, const triage_id_t *id)
{
    for (size_t i = 0; i < tx->nputs; i++) {
        triage__put *p = &tx->puts[i];
        if (p->table == table && !memcmp(&((const triage__head *)p->rec)->id, id, sizeof *id))
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
    if (t->clone && t->clone(&e->alloc, copy, rec)) {
        triage__free(&e->alloc, copy);
        return NULL;
    }
    memset(&tx->puts[tx->nputs], 0, sizeof tx->puts[tx->nputs]);
    tx->puts[tx->nputs].table = table;
    tx->puts[tx->nputs].rec = copy;
    tx->puts[tx->nputs].is_new = is_new;
    tx->nputs++;
    return copy;
}

void *triage__txn_get(triage__txn *tx, int table, const triage_id_t *id)
{
    triage__put *p = pending(tx, table, id);
    if (p)
        return p->rec;
    const void *rec = triage__fetch(tx->e, table, id, table_name[table]);
    if (!rec)
        return NULL;
    return add_put(tx, table, rec, 0);
}

void *triage__txn_new(triage__txn *tx, int table, const void *rec)
{
    return add_put(tx, table, rec, 1);
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
    ev->version = TRIAGE_EVENT_VERSION;
    if (case_id)
        ev->case_id = *case_id;
    if (actor)
        ev->actor = *actor;
    ev->kind = kind;
    ev->at_ms = at_ms;
    return ev;
}

static const triage__intake *find_intake(const triage__case *c, const triage_id_t *id)
{
    for (uint32_t i = 0; c && i < c->nintakes; i++)
        if (!memcmp(&c->intakes[i].id, id, sizeof *id))
            return &c->intakes[i];
    return NULL;
}

static const triage__deadline *find_deadline(const triage__case *c, const triage_id_t *id)
{
    for (uint32_t i = 0; c && i < c->ndeadlines; i++)
        if (!memcmp(&c->deadlines[i].id, id, sizeof *id))
            return &c->deadlines[i];
    return NULL;
}

/* The rows of a case aggregate that this commit creates or changes get its
 * revision (and, new ones, its creation number); the others keep theirs, so
 * a store writes only what changed. */
static void stamp_rows(triage_engine_t *e, triage__case *c, int64_t seq)
{
    const triage__case *old = triage__table_get(&e->tables[TRIAGE__T_CASE], &c->id);
    for (uint32_t i = 0; i < c->nintakes; i++) {
        triage__intake *r = &c->intakes[i];
        const triage__intake *o = find_intake(old, &r->id);
        if (!o)
            r->rev = r->created = seq;
        else if (!triage__codec_equal(o, r, &triage__intake_schema))
            r->rev = seq;
    }
    for (uint32_t i = 0; i < c->ndeadlines; i++) {
        triage__deadline *r = &c->deadlines[i];
        const triage__deadline *o = find_deadline(old, &r->id);
        if (!o)
            r->rev = r->created = seq;
        else if (!triage__codec_equal(o, r, &triage__deadline_schema))
            r->rev = seq;
    }
}

/* Moves a committed transaction's numbers by tx->shift: its events, its
 * records' revisions, the creation numbers it gave, and the case rows it
 * stamped with `last` (stamp_rows). Only local transactions are shifted,
 * they change no policy, and every number of theirs at `last` is their own
 * (they are counted from a number at least every number they read:
 * triage__v2_base). */
/* A case row's numbers that this commit gave (stamp_rows: `last`). */
static void shift_row(triage__head *r, int64_t last, int64_t by)
{
    r->rev += r->rev == last ? by : 0;
    r->created += r->created == last ? by : 0;
}

static void shift_numbers(triage__txn *tx, int64_t last)
{
    int64_t by = tx->shift;
    for (size_t i = 0; i < tx->nev; i++)
        tx->events[i].seq += by;
    for (size_t i = 0; i < tx->nputs; i++) {
        triage__head *h = tx->puts[i].rec;
        h->rev += by;
        if (tx->puts[i].is_new > 0)
            h->created += by;
        if (tx->puts[i].table != TRIAGE__T_CASE)
            continue;
        triage__case *c = tx->puts[i].rec;
        for (uint32_t k = 0; k < c->nintakes; k++)
            shift_row((triage__head *)(void *)&c->intakes[k], last, by);
        for (uint32_t k = 0; k < c->ndeadlines; k++)
            shift_row((triage__head *)(void *)&c->deadlines[k], last, by);
    }
}

static void audit_change(triage_engine_t *e, const triage__put *p)
{
    if (p->table > TRIAGE__T_WORKER)
        return; /* absences are no client data */
    static const triage_audit_object_t obj[] = {TRIAGE_AUDIT_CLIENT, TRIAGE_AUDIT_CASE,
                                                TRIAGE_AUDIT_WORKER};
    e->audit(e->audit_ud, p->is_new > 0 ? TRIAGE_AUDIT_CREATE : TRIAGE_AUDIT_UPDATE, obj[p->table],
             &p->id);
}

triage_status_t triage__txn_commit(triage__txn *tx)
{
    triage_engine_t *e = tx->e;
    if (e->store.version && e->store_broken) {
        triage__txn_discard(tx);
        return triage__error(TRIAGE_ESTORE, "store",
                             "a store rollback failed earlier; reopen the engine");
    }
    /* Every change is audited by at least one event: its sequence numbers
     * give the records their revision. A call that turned out to change
     * nothing (an assignment to the worker a case already has) commits
     * nothing. */
    if (!tx->nev) {
        int changed = tx->npolicies > 0;
        for (size_t i = 0; i < tx->nputs && !changed; i++) {
            const triage__put *p = &tx->puts[i];
            const triage__table *t = &e->tables[p->table];
            const void *cur = p->is_new > 0 ? NULL
                                             : triage__table_get(t, &((triage__head *)p->rec)->id);
            changed = !cur || !triage__codec_equal(cur, p->rec, t->schema);
        }
        triage__txn_discard(tx);
        if (changed)
            return triage__error(TRIAGE_EINVAL, NULL, "internal: a change without an event");
        return TRIAGE_OK;
    }
    /* 1. Reserve: the only step that may fail besides the store. */
    size_t fresh[TRIAGE__T_COUNT] = {0};
    for (size_t i = 0; i < tx->nputs; i++)
        if (tx->puts[i].is_new > 0)
            fresh[tx->puts[i].table]++;
    triage_status_t rc = TRIAGE_OK;
    for (int t = 0; t < TRIAGE__T_COUNT && !rc; t++)
        if (fresh[t])
            rc = triage__table_reserve(&e->alloc, &e->tables[t], e->tables[t].n + fresh[t]);
    if (!rc && e->resident && tx->nev) {
        void *evs = e->events;
        rc = triage__grow(&e->alloc, &evs, &e->evcap, e->nevents + tx->nev, sizeof *e->events);
        e->events = evs;
    }
    if (rc) {
        triage__txn_discard(tx);
        return rc;
    }
    int64_t base = tx->base = triage__store_base(tx);
    int64_t first = base + 1;
    int64_t last = base + (int64_t)tx->nev;
    for (size_t i = 0; i < tx->nev; i++)
        tx->events[i].seq = first + (int64_t)i;
    for (size_t i = 0; i < tx->nputs; i++) {
        triage__head *h = tx->puts[i].rec;
        h->rev = last;
        if (tx->puts[i].is_new > 0)
            h->created = last;
    }
    for (size_t i = 0; i < tx->nputs; i++)
        if (tx->puts[i].table == TRIAGE__T_CASE)
            stamp_rows(e, tx->puts[i].rec, last);
    triage__policies_stamp(tx, last);
    /* 2. The store, when there is one: all or nothing. */
    if (e->store.version)
        rc = triage__store_write(tx);
    if (rc) {
        triage__txn_discard(tx);
        return rc;
    }
    /* The store numbered the commit after others the engine has not seen:
     * its numbers move by the same amount (never the engine's last
     * number: the commits in between come with the next refresh). */
    if (tx->shift) {
        shift_numbers(tx, last);
        e->rebased++;
    }
    /* 3. Apply to memory: nothing below can fail. */
    for (size_t i = 0; i < tx->nputs; i++) {
        triage__put *p = &tx->puts[i];
        triage__table *t = &e->tables[p->table];
        const triage_id_t *id = &((const triage__head *)p->rec)->id;
        if (p->table == TRIAGE__T_ABSENCE)
            e->absence_gen++;
        else if (p->table == TRIAGE__T_WORKER)
            e->worker_gen++;
        /* extensions (the assignment module's loads) follow every change;
         * the old record is still in the table */
        const void *old_rec = triage__table_get(t, id);
        for (size_t k = 0; k < TRIAGE__MAX_EXTENSIONS && e->ext[k].ops; k++)
            e->ext[k].ops->on_commit(e, e->ext[k].state, p->table, old_rec, p->rec);
        p->id = *id;
        triage__table_put(&e->alloc, t, p->rec);
        triage__free(&e->alloc, p->rec); /* the shell: the table owns its contents now */
        p->rec = NULL;
    }
    if (e->resident)
        for (size_t i = 0; i < tx->nev; i++)
            e->events[e->nevents++] = tx->events[i];
    /* a commit the store numbered is the engine's last number only when
     * the engine had brought itself up to the number it counted from and
     * nobody committed after that */
    if (!tx->rebased || (!tx->shift && base == e->last_seq))
        e->last_seq = last;
    triage__policies_commit(tx, last);
    if (e->audit)
        for (size_t i = 0; i < tx->nputs; i++)
            audit_change(e, &tx->puts[i]);
    triage__evict(e, tx);
    triage__txn_discard(tx);
    return TRIAGE_OK;
}
