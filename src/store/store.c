/*
 * Opening an engine on a store (docs/conventions.md rules 9-13) and the store
 * helpers. The in-memory store is in store_memory.c.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

/* The bytes of triage_store_t that each interface version defines. */
static size_t store_size(uint32_t version)
{
    switch (version) {
    case 1: return offsetof(triage_store_t, destroy) + sizeof(((triage_store_t *)0)->destroy);
    default: return 0;
    }
}

TRIAGE_API triage_status_t triage_store_init(triage_store_t *store, uint32_t version)
{
    if (!store)
        return triage__error_null("store");
    if (!store_size(version))
        return triage__error(TRIAGE_EVERSION, "version", "unsupported store version");
    memset(store, 0, sizeof *store);
    store->version = version;
    return TRIAGE_OK;
}

TRIAGE_API void triage_store_error_set(const char *message)
{
    /* INT32_MIN marks "message set by the callback"; the engine replaces the
     * cause with the callback's return value when it reports the failure. */
    triage__error_cause(TRIAGE_ESTORE, INT32_MIN, "store", "%s",
                        message ? message : "the store failed");
}

/* ---- loading ---------------------------------------------------------------- */

typedef struct {
    triage_engine_t *e;
    triage__table *t;
    triage_status_t rc;
    void *rec;
} load_ctx;

static int load_record(void *vctx, const triage_id_t *id, const void *data, size_t len)
{
    load_ctx *ctx = vctx;
    const char *kind = ctx->t->kind == TRIAGE_RECORD_CLIENT ? "client"
                       : ctx->t->kind == TRIAGE_RECORD_CASE ? "case"
                       : ctx->t->kind == TRIAGE_RECORD_WORKER ? "worker"
                                                               : "absence";
    char field[24];
    snprintf(field, sizeof field, "%s.id", kind);
    /* Damage is ECORRUPT (never ECONFLICT: a caller must not retry it). */
    triage_status_t rc = !data ? triage__error(TRIAGE_ECORRUPT, field, "stored %s is damaged: no data", field)
                               : triage__record_decode(ctx->rec, ctx->t, data, len);
    if (rc == TRIAGE_EINVAL)
        rc = triage__error(TRIAGE_ECORRUPT, field,
                           "stored %s is damaged: a record of another kind is listed as %s", field,
                           kind);
    if (!rc && (!id || memcmp((char *)ctx->rec + ctx->t->id_off, id, sizeof *id) != 0))
        rc = triage__error(TRIAGE_ECORRUPT, field,
                           "stored %s is damaged: the record's id does not match its key", field);
    if (!rc && triage__table_get(ctx->t, id))
        rc = triage__error(TRIAGE_ECORRUPT, field, "stored %s is damaged: the id is stored twice",
                           field);
    if (!rc)
        rc = triage__table_load(&ctx->e->alloc, ctx->t, ctx->rec);
    if (rc) {
        ctx->rc = rc;
        return 1;
    }
    return 0;
}

static int load_event(void *vctx, const triage_event_t *ev)
{
    load_ctx *ctx = vctx;
    triage_engine_t *e = ctx->e;
    triage_status_t rc = !ev ? triage__error(TRIAGE_ECORRUPT, "event", "stored event is damaged: no data")
                             : triage__validate_event(ev);
    if (!rc && ev->seq < e->next_seq)
        rc = triage__error(TRIAGE_ECORRUPT, "event.seq",
                           "stored event.seq is damaged: the events are out of order");
    if (rc) {
        ctx->rc = rc;
        return 1;
    }
    void *evs = e->events;
    rc = triage__grow(&e->alloc, &evs, &e->evcap, e->nevents + 1, sizeof *e->events);
    e->events = evs;
    if (rc) {
        ctx->rc = rc;
        return 1;
    }
    e->events[e->nevents++] = *ev;
    e->next_seq = ev->seq + 1;
    return 0;
}

/* ---- links between loaded records ---------------------------------------------- */

#define CHECK(cond, field, what)                                                            \
    do {                                                                                    \
        if (!(cond))                                                                        \
            return triage__error(TRIAGE_ECORRUPT, field, "stored %s is damaged: %s", field, \
                                 what);                                                     \
    } while (0)

/* `id` is nil (when allowed) or names a record of `table`. */
static int link_ok(const triage_engine_t *e, int table, const triage_id_t *id, int nil_ok)
{
    static const triage_id_t zero;
    if (!memcmp(id, &zero, sizeof zero))
        return nil_ok;
    return triage__table_get(&e->tables[table], id) != NULL;
}

/* After loading: every id a record refers to names a loaded record, so no
 * later lookup meets a dangling one. */
static triage_status_t validate_links(const triage_engine_t *e)
{
    static const char *const missing = "refers to a record that is not stored";
    const triage__table *t = &e->tables[TRIAGE__T_CLIENT];
    for (size_t i = 0; i < t->n; i++) {
        const triage__client_rec *r = (const void *)(t->recs + i * t->elem);
        CHECK(link_ok(e, TRIAGE__T_WORKER, &r->pub.responsible_worker, 1),
              "client.responsible_worker", missing);
        CHECK(link_ok(e, TRIAGE__T_CASE, &r->active_case, 1), "client.active_case", missing);
    }
    t = &e->tables[TRIAGE__T_CASE];
    for (size_t i = 0; i < t->n; i++) {
        const triage__case_rec *r = (const void *)(t->recs + i * t->elem);
        const triage_case_t *c = &r->pub;
        CHECK(link_ok(e, TRIAGE__T_CLIENT, &c->client, 0), "case.client", missing);
        CHECK(link_ok(e, TRIAGE__T_WORKER, &c->assessment_worker, 1), "case.assessment_worker",
              missing);
        CHECK(link_ok(e, TRIAGE__T_WORKER, &c->responsible, 1), "case.responsible", missing);
        CHECK(link_ok(e, TRIAGE__T_WORKER, &c->pair, 1), "case.pair", missing);
        CHECK(link_ok(e, TRIAGE__T_WORKER, &c->special_support_decider, 1),
              "case.special_support_decider", missing);
        CHECK(link_ok(e, TRIAGE__T_CASE, &r->attached_to, 1), "case.attached_to", missing);
    }
    t = &e->tables[TRIAGE__T_ABSENCE];
    for (size_t i = 0; i < t->n; i++) {
        const triage__absence_rec *a = (const void *)(t->recs + i * t->elem);
        CHECK(link_ok(e, TRIAGE__T_WORKER, &a->worker, 0), "absence.worker", missing);
    }
    return TRIAGE_OK;
}

#undef CHECK

static triage_status_t callback_failed(const char *what, int rc)
{
    /* The callback's own message (triage_store_error_set) is kept: copied
     * out of the last error before the last error is rewritten. */
    triage__error_saved own;
    triage__error_save(&own);
    int has_own = own.code == TRIAGE_ESTORE && own.cause == INT32_MIN;
    if (rc == TRIAGE_ECORRUPT) /* the store found its own data damaged: never retry */
        return triage__error_cause(TRIAGE_ECORRUPT, rc, what, "%s",
                                   has_own ? own.message : "the store's data is damaged");
    if (has_own)
        return triage__error_cause(TRIAGE_ESTORE, rc, what, "%s", own.message);
    return triage__error_cause(TRIAGE_ESTORE, rc, what, "the store's %s callback failed (%d)",
                               what, rc);
}

static triage_status_t load(triage_engine_t *e)
{
    triage_store_t *st = &e->store;
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
    load_ctx ctx = {e, NULL, TRIAGE_OK, NULL};
    size_t biggest = 0;
    for (int t = 0; t < TRIAGE__T_COUNT; t++)
        biggest = e->tables[t].elem > biggest ? e->tables[t].elem : biggest;
    ctx.rec = triage__malloc(&e->alloc, biggest);
    if (!ctx.rec)
        return TRIAGE_ENOMEM;
    for (int t = 0; t < TRIAGE__T_COUNT && !ctx.rc; t++) {
        ctx.t = &e->tables[t];
        int rc = st->list(st->userdata, ctx.t->kind, load_record, &ctx);
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
        ctx.rc = validate_links(e);
    return ctx.rc;
}

TRIAGE_API triage_status_t triage_engine_open(triage_engine_t **out,
                                              const triage_engine_options_t *opts,
                                              const triage_store_t *store)
{
    if (!out)
        return triage__error_null("out");
    if (!store)
        return triage__error_null("store");
    size_t size = store_size(store->version);
    if (!size)
        return triage__error(TRIAGE_EVERSION, "store.version",
                             "unsupported store interface version %u", (unsigned)store->version);
    /* From here on the engine owns the store: destroy runs exactly once. */
    triage_store_t st;
    memset(&st, 0, sizeof st);
    memcpy(&st, store, size);
    static const struct { size_t off; const char *name; } required[] = {
        {offsetof(triage_store_t, begin), "store.begin"},
        {offsetof(triage_store_t, commit), "store.commit"},
        {offsetof(triage_store_t, rollback), "store.rollback"},
        {offsetof(triage_store_t, put), "store.put"},
        {offsetof(triage_store_t, list), "store.list"},
        {offsetof(triage_store_t, append_event), "store.append_event"},
        {offsetof(triage_store_t, list_events), "store.list_events"},
    };
    triage_status_t rc = TRIAGE_OK;
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(required) && !rc; i++) {
        void (*fn)(void);
        memcpy(&fn, (const char *)&st + required[i].off, sizeof fn);
        if (!fn)
            rc = triage__error(TRIAGE_EINVAL, required[i].name, "a required store method is NULL");
    }
    triage_engine_t *e = NULL;
    if (!rc)
        rc = triage__engine_create(&e, opts);
    if (rc) {
        if (st.destroy)
            st.destroy(st.userdata);
        return rc;
    }
    e->store = st;
    rc = load(e);
    if (rc) {
        /* destroy may set an error of its own (or clear one): keep the
         * load's, message included. */
        triage__error_saved saved;
        triage__error_save(&saved);
        triage_engine_free(e); /* calls destroy */
        return triage__error_restore(&saved);
    }
    *out = e;
    return TRIAGE_OK;
}
