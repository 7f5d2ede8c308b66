/*
 * Opening an engine on a store (docs/conventions.md rules 9-13) and the store
 * helpers. The in-memory store is in store_memory.c.
 */
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
    triage_status_t rc = triage__record_decode(ctx->rec, ctx->t, data, len);
    if (rc == TRIAGE_EINVAL)
        rc = triage__error(TRIAGE_ECONFLICT, "store", "a stored record cannot be decoded");
    if (!rc && (!id || memcmp((char *)ctx->rec + ctx->t->id_off, id, sizeof *id) != 0))
        rc = triage__error(TRIAGE_ECONFLICT, "store", "a stored record's id does not match its key");
    if (!rc && triage__table_get(ctx->t, id))
        rc = triage__error(TRIAGE_ECONFLICT, "store", "a record id is stored twice");
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
    if (!ev || ev->seq < e->next_seq) {
        ctx->rc = triage__error(TRIAGE_ECONFLICT, "store", "stored events are out of order");
        return 1;
    }
    void *evs = e->events;
    triage_status_t rc = triage__grow(&e->alloc, &evs, &e->evcap, e->nevents + 1, sizeof *e->events);
    e->events = evs;
    if (rc) {
        ctx->rc = rc;
        return 1;
    }
    e->events[e->nevents++] = *ev;
    e->next_seq = ev->seq + 1;
    return 0;
}

static triage_status_t callback_failed(const char *what, int rc)
{
    const triage_error_t *le = triage_error_last();
    if (le->code == TRIAGE_ESTORE && le->cause == INT32_MIN)
        return triage__error_cause(TRIAGE_ESTORE, rc, what, "%s", le->message);
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
        triage_engine_free(e); /* calls destroy */
        return rc;
    }
    *out = e;
    return TRIAGE_OK;
}
