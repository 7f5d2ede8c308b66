/*
 * The engine and its store: loading at open, writing a transaction, and
 * (for stores of interface version 2) refreshing from what other engines
 * committed, reading records on demand and keeping only the working set
 * (docs/data-model.md).
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

static const char *const table_name[] = {"client", "case", "worker", "absence"};

#define callback_failed triage__callback_failed

/* ---- ids -------------------------------------------------------------------- */

triage_status_t triage__new_row_id(triage_engine_t *e, triage_id_t *out)
{
    for (int tries = 0; tries < 16; tries++) {
        if (e->generate_id)
            e->generate_id(e->id_ud, out);
        else
            triage_id_generate(out);
        if (!triage_id_is_nil(out))
            return TRIAGE_OK;
    }
    return triage__error(TRIAGE_ECONFLICT, "generate_id", "the id source keeps returning nil");
}

/* ---- calls ------------------------------------------------------------------- */

static int shared(const triage_engine_t *e)
{
    return e->store.version >= 2;
}

triage_status_t triage__refresh(triage_engine_t *e)
{
    /* an interface-1 store has one engine: nothing to bring in; after a
     * failed rollback the store's state is unknown: memory is served as it
     * is and every write is refused until the engine is reopened */
    return shared(e) && !e->store_broken ? triage__v2_refresh(e) : TRIAGE_OK;
}

triage_status_t triage__call_begin(triage_engine_t *e, int32_t attempt)
{
    if (!e)
        return TRIAGE_OK;
    if (!e->txn_open || e->lock_kept)
        e->attempt = attempt;
    if (e->lock_kept) {
        /* the previous attempt lost, holding the write lock it had just
         * taken (shared.c): this attempt refreshes and decides inside it,
         * where nobody can commit in between */
        e->lock_kept = 0;
        if (attempt > e->retries) {
            triage__v2_end_locked(e);
        } else {
            triage_status_t rc = triage__v2_refresh(e);
            if (rc)
                triage__v2_end_locked(e);
            return rc;
        }
    }
    if (e->txn_open)
        return TRIAGE_OK; /* a call inside a call's locked attempt */
    if (attempt > e->retries) {
        e->conflicts++;
        if (!e->race_kind || strcmp(e->race_kind, "event") == 0)
            return triage__error(TRIAGE_ECONFLICT, "store",
                                 "another engine committed at the same time, %d times in a row; "
                                 "nothing changed",
                                 (int)attempt);
        return triage__error(TRIAGE_ECONFLICT, e->race_kind,
                             "another engine changed the same %s at the same time, %d times in "
                             "a row; nothing changed",
                             e->race_kind, (int)attempt);
    }
    /* A local call on a store that numbers commits itself decides on what
     * the engine holds: its write is checked record by record and
     * numbered after every commit the engine has not seen (shared.c), so
     * a refresh first would only cost a round trip. A lost race makes the
     * next attempt refresh; without a retry (retries 0) there is none, so
     * the one attempt refreshes first, as any call does. */
    if (attempt == 0 && e->call_local && e->retries > 0 && triage__numbered_by_store(e) &&
        !e->store_broken)
        return TRIAGE_OK;
    /* The last of several attempts takes the store's write transaction
     * before it refreshes: a store that admits one writer at a time (every
     * store the library ships) then cannot let another engine commit in
     * between, so a busy database does not starve a call. */
    if (attempt > 0 && attempt == e->retries && shared(e) && !e->store_broken)
        return triage__v2_begin_locked(e);
    /* Other engines are writing now (this engine lost a race lately, or
     * its last locked refresh found their commits): an optimistic attempt
     * would read, decide and then lose again, so the call takes the write
     * transaction first, as a last attempt does. Under contention every
     * call pays one wait for the lock and one refresh inside it, instead
     * of two refreshes and a lost attempt (docs/storage.md, "Conflicts
     * and retries"). */
    if (attempt == 0 && e->contended > 0 && e->retries > 0 && shared(e) && !e->store_broken) {
        e->contended--;
        return triage__v2_begin_locked(e);
    }
    return triage__refresh(e);
}

void triage__call_end(triage_engine_t *e)
{
    if (e && e->txn_open && !e->lock_kept)
        triage__v2_end_locked(e);
}

/* ---- loading (interface 1: everything, once) --------------------------------- */

typedef struct {
    triage_engine_t *e;
    int table;
    triage_status_t rc;
    void *rec;
    int64_t converted; /* schema-1 records converted so far */
} load_ctx;

static int load_record(void *vctx, const triage_id_t *id, const void *data, size_t len)
{
    load_ctx *ctx = vctx;
    triage__table *t = &ctx->e->tables[ctx->table];
    triage_status_t rc = data ? triage__record_decode(ctx->rec, ctx->table, data, len,
                                                      &ctx->e->alloc)
                              : triage__error(TRIAGE_ECORRUPT, table_name[ctx->table],
                                              "stored %s record is damaged: no data",
                                              table_name[ctx->table]);
    char field[24];
    snprintf(field, sizeof field, "%s.id", table_name[ctx->table]);
    if (!rc && (!id || memcmp(&((triage__head *)ctx->rec)->id, id, sizeof *id) != 0))
        rc = triage__error(TRIAGE_ECORRUPT, field,
                           "stored %s is damaged: the record's id does not match its key", field);
    if (!rc && triage__table_get(t, id))
        rc = triage__error(TRIAGE_ECORRUPT, field, "stored %s is damaged: the id is stored twice",
                           field);
    if (!rc)
        rc = triage__table_load(&ctx->e->alloc, t, ctx->rec);
    if (rc) {
        if (t->release)
            t->release(&ctx->e->alloc, ctx->rec);
        ctx->rc = rc;
        return 1;
    }
    triage__head *h = triage__table_get(t, id);
    if (!h->created) /* a converted schema-1 record: keep the store's order */
        h->created = INT64_MIN + ++ctx->converted;
    int64_t rev = h->rev;
    if (rev > ctx->e->last_seq)
        ctx->e->last_seq = rev; /* records may be newer than the events of an old store */
    return 0;
}

static int load_event(void *vctx, const triage_event_t *ev)
{
    load_ctx *ctx = vctx;
    triage_engine_t *e = ctx->e;
    triage_status_t rc = ev ? triage__event_validate(ev)
                            : triage__error(TRIAGE_ECORRUPT, "event", "a stored event is missing");
    if (!rc && e->nevents && ev->seq <= e->events[e->nevents - 1].seq)
        rc = triage__error(TRIAGE_ECORRUPT, "event.seq",
                           "stored event.seq is damaged: the events are out of order");
    if (!rc) {
        void *evs = e->events;
        rc = triage__grow(&e->alloc, &evs, &e->evcap, e->nevents + 1, sizeof *e->events);
        e->events = evs;
    }
    if (rc) {
        ctx->rc = rc;
        return 1;
    }
    e->events[e->nevents] = *ev;
    e->events[e->nevents].version = TRIAGE_EVENT_VERSION;
    e->nevents++;
    if (ev->seq > e->last_seq)
        e->last_seq = ev->seq;
    return 0;
}

triage_status_t triage__store_load(triage_engine_t *e)
{
    triage_store_t *st = &e->store;
    if (shared(e))
        return triage__v2_load(e);
    if (st->schema_version) {
        uint32_t v = 0;
        int rc = st->schema_version(st->userdata, &v);
        if (rc)
            return callback_failed("schema_version", rc);
        if (v > TRIAGE_STORE_SCHEMA_VERSION)
            return triage__error(TRIAGE_EVERSION, "store",
                                 "the store was written by a newer libtriage (schema %u > %d)",
                                 (unsigned)v, TRIAGE_STORE_SCHEMA_VERSION);
    }
    e->resident = 1;
    load_ctx ctx = {e, 0, TRIAGE_OK, NULL, 0};
    size_t biggest = 0;
    for (int t = 0; t < TRIAGE__T_COUNT; t++)
        biggest = e->tables[t].elem > biggest ? e->tables[t].elem : biggest;
    ctx.rec = triage__malloc(&e->alloc, biggest);
    if (!ctx.rec)
        return TRIAGE_ENOMEM;
    for (int t = 0; t < TRIAGE__T_COUNT && !ctx.rc; t++) {
        ctx.table = t;
        int rc = st->list(st->userdata, e->tables[t].kind, load_record, &ctx);
        if (rc && !ctx.rc)
            ctx.rc = callback_failed("list", rc);
    }
    triage__free(&e->alloc, ctx.rec);
    if (!ctx.rc) {
        int rc = st->list_events(st->userdata, load_event, &ctx);
        if (rc && !ctx.rc)
            ctx.rc = callback_failed("list_events", rc);
    }
    if (!ctx.rc)
        ctx.rc = triage__check_references(e);
    return ctx.rc;
}

#define CHECK(cond, field)                                                                  \
    do {                                                                                    \
        if (!(cond))                                                                        \
            return triage__error(TRIAGE_ECORRUPT, field,                                    \
                                 "stored %s is damaged: it refers to a record that is not " \
                                 "stored",                                                  \
                                 field);                                                    \
    } while (0)

/* `id` is nil (when allowed) or names a record of `table` in memory. */
static int link_ok(const triage_engine_t *e, int table, const triage_id_t *id, int nil_ok)
{
    if (triage_id_is_nil(id))
        return nil_ok;
    return triage__table_get(&e->tables[table], id) != NULL;
}

/* Every id a loaded record refers to names a loaded record, so no later
 * lookup meets a dangling one. Only a resident engine holds everything. */
triage_status_t triage__check_references(triage_engine_t *e)
{
    if (!e->resident)
        return TRIAGE_OK;
    const triage__table *t = &e->tables[TRIAGE__T_CLIENT];
    for (size_t i = 0; i < t->n; i++) {
        const triage__client *r = triage__table_at(t, i);
        CHECK(link_ok(e, TRIAGE__T_WORKER, &r->responsible_worker, 1), "client.responsible_worker");
        CHECK(link_ok(e, TRIAGE__T_CASE, &r->active_case, 1), "client.active_case");
    }
    t = &e->tables[TRIAGE__T_CASE];
    for (size_t i = 0; i < t->n; i++) {
        const triage__case *c = triage__table_at(t, i);
        CHECK(link_ok(e, TRIAGE__T_CLIENT, &c->client, 0), "case.client");
        CHECK(link_ok(e, TRIAGE__T_WORKER, &c->assessment_worker, 1), "case.assessment_worker");
        CHECK(link_ok(e, TRIAGE__T_WORKER, &c->responsible, 1), "case.responsible");
        CHECK(link_ok(e, TRIAGE__T_WORKER, &c->pair, 1), "case.pair");
        CHECK(link_ok(e, TRIAGE__T_WORKER, &c->special_support_decider, 1),
              "case.special_support_decider");
        CHECK(link_ok(e, TRIAGE__T_CASE, &c->attached_to, 1), "case.attached_to");
    }
    t = &e->tables[TRIAGE__T_ABSENCE];
    for (size_t i = 0; i < t->n; i++) {
        const triage__absence *a = triage__table_at(t, i);
        CHECK(link_ok(e, TRIAGE__T_WORKER, &a->worker, 0), "absence.worker");
    }
    return TRIAGE_OK;
}

#undef CHECK

/* ---- writing ------------------------------------------------------------------- */

/* Interface 1: begin, one put per table record (a case with its rows
 * nested), one append_event per event, commit. */
static triage_status_t write_v1(triage__txn *tx)
{
    triage_engine_t *e = tx->e;
    triage_store_t *st = &e->store;
    const char *step = "begin";
    int rc = st->begin(st->userdata);
    int begun = rc == 0;
    triage_status_t enc = TRIAGE_OK;
    for (size_t i = 0; i < tx->nputs && rc == 0; i++) {
        const triage__put *p = &tx->puts[i];
        const triage__table *t = &e->tables[p->table];
        enc = triage__record_encode(&e->wbuf, p->table, p->rec, 1);
        if (enc)
            break;
        triage_record_keys_t keys;
        triage__record_keys(p->table, p->rec, &keys);
        step = "put";
        rc = st->put(st->userdata, t->kind, &((const triage__head *)p->rec)->id, &keys, e->wbuf.p,
                     e->wbuf.n);
    }
    for (size_t i = 0; i < tx->nev && rc == 0 && !enc; i++) {
        step = "append_event";
        rc = st->append_event(st->userdata, &tx->events[i]);
    }
    if (rc == 0 && !enc) {
        step = "commit";
        rc = st->commit(st->userdata);
    }
    if (rc == 0 && !enc)
        return TRIAGE_OK;
    triage_status_t out = enc ? enc : callback_failed(step, rc);
    if (begun) {
        /* keep the error of the failure, not of the rollback */
        const triage_error_t *le = triage_error_last();
        triage_status_t code = le->code;
        int32_t cause = le->cause;
        char msg[512], arg[128];
        snprintf(msg, sizeof msg, "%s", le->message);
        snprintf(arg, sizeof arg, "%s", le->argument);
        if (st->rollback(st->userdata) != 0)
            e->store_broken = 1;
        triage__error_cause(code, cause, arg[0] ? arg : NULL, "%s", msg);
    }
    return out;
}

triage_status_t triage__store_write(triage__txn *tx)
{
    return shared(tx->e) ? triage__v2_write(tx) : write_v1(tx);
}

int64_t triage__store_base(triage__txn *tx)
{
    tx->rebased = 0;
    return shared(tx->e) ? triage__v2_base(tx) : tx->e->last_seq;
}

/* ---- reading on demand, the working set ------------------------------------------ */

triage_status_t triage__store_fetch(triage_engine_t *e, int table, const triage_id_t *id)
{
    if (shared(e))
        return triage__v2_fetch(e, table, id);
    return triage__error(TRIAGE_ENOTFOUND, NULL, "not stored");
}

void triage__evict(triage_engine_t *e, const triage__txn *tx)
{
    if (shared(e))
        triage__v2_evict(e, tx);
}

triage_status_t triage__scan(triage_engine_t *e, int table, const triage_id_t *owner,
                             int open_only, triage__scan_fn fn, void *ctx)
{
    if (shared(e))
        return triage__v2_scan(e, table, owner, open_only, fn, ctx);
    const triage__table *t = &e->tables[table];
    for (size_t i = 0; i < t->n; i++) {
        const void *rec = triage__table_at(t, i);
        if (owner && !triage_id_is_nil(owner) && table == TRIAGE__T_CASE &&
            triage_id_compare(owner, &((const triage__case *)rec)->client))
            continue;
        triage_status_t rc = fn(ctx, rec);
        if (rc)
            return rc;
    }
    return TRIAGE_OK;
}

triage_status_t triage__store_events(triage_engine_t *e, const triage_event_query_t *q,
                                     int64_t *after, int64_t upto, triage_event_t **buf,
                                     size_t *n, size_t *cap, int *done)
{
    return triage__v2_events(e, q, after, upto, buf, n, cap, done);
}

triage_status_t triage__store_intake_case(triage_engine_t *e, const triage_id_t *intake,
                                          triage_id_t *case_id)
{
    if (shared(e))
        return triage__v2_intake_case(e, intake, case_id);
    return triage__error(TRIAGE_ENOTFOUND, NULL, "not stored");
}
