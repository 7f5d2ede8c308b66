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
    case 2:
        return offsetof(triage_store_t, query_events) +
               sizeof(((triage_store_t *)0)->query_events);
    case 3:
        return offsetof(triage_store_t, commit_rebased) +
               sizeof(((triage_store_t *)0)->commit_rebased);
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
    /* A store filled from TRIAGE_STORE_INIT (the current version) that
     * sets none of the interface-2 methods is an interface-1 store written
     * before interface 2 existed and recompiled: it keeps working as one. */
    if (st.version >= 2 && !st.last_seq && !st.read_begin && !st.read_end && !st.put_record &&
        !st.get_record && !st.query_records && !st.append_event2 && !st.query_events &&
        !st.begin_rebased && !st.commit_rebased)
        st.version = 1;
    /* Version 1 needs its record and event methods; version 2 its own
     * instead (a version-2 store may leave the version-1 ones NULL). */
    static const struct {
        size_t off;
        const char *name;
        uint32_t from, to;
    } required[] = {
        {offsetof(triage_store_t, begin), "store.begin", 1, 3},
        {offsetof(triage_store_t, commit), "store.commit", 1, 3},
        {offsetof(triage_store_t, rollback), "store.rollback", 1, 3},
        {offsetof(triage_store_t, put), "store.put", 1, 1},
        {offsetof(triage_store_t, list), "store.list", 1, 1},
        {offsetof(triage_store_t, append_event), "store.append_event", 1, 1},
        {offsetof(triage_store_t, list_events), "store.list_events", 1, 1},
        {offsetof(triage_store_t, last_seq), "store.last_seq", 2, 3},
        {offsetof(triage_store_t, put_record), "store.put_record", 2, 3},
        {offsetof(triage_store_t, get_record), "store.get_record", 2, 3},
        {offsetof(triage_store_t, query_records), "store.query_records", 2, 3},
        {offsetof(triage_store_t, append_event2), "store.append_event2", 2, 3},
        {offsetof(triage_store_t, query_events), "store.query_events", 2, 3},
    };
    triage_status_t rc = TRIAGE_OK;
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(required) && !rc; i++) {
        if (st.version < required[i].from || st.version > required[i].to)
            continue;
        void (*fn)(void);
        memcpy(&fn, (const char *)&st + required[i].off, sizeof fn);
        if (!fn)
            rc = triage__error(TRIAGE_EINVAL, required[i].name, "a required store method is NULL");
    }
    if (!rc && st.version >= 2 && (st.read_begin == NULL) != (st.read_end == NULL))
        rc = triage__error(TRIAGE_EINVAL, st.read_begin ? "store.read_end" : "store.read_begin",
                           "read_begin and read_end come together");
    if (!rc && st.version >= 3 && (st.begin_rebased == NULL) != (st.commit_rebased == NULL))
        rc = triage__error(TRIAGE_EINVAL,
                           st.begin_rebased ? "store.commit_rebased" : "store.begin_rebased",
                           "begin_rebased and commit_rebased come together");
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
    if (!rc)
        rc = triage__policies_publish(e);
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
