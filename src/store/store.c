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
    rc = triage__store_load(e);
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
