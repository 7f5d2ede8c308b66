/* The engine: lifecycle, clients, workers, intake, reads and the event log. */
#include <string.h>

#include "engine/engine_internal.h"

/* ---- lifecycle ---------------------------------------------------------- */

TRIAGE_API triage_status_t triage_engine_options_init(triage_engine_options_t *opts,
                                                      uint32_t version)
{
    if (!opts)
        return triage__error_null("opts");
    if (version != TRIAGE_ENGINE_OPTIONS_VERSION)
        return triage__error(TRIAGE_EVERSION, "version", "unsupported options version");
    triage_engine_options_t init = TRIAGE_ENGINE_OPTIONS_INIT;
    *opts = init;
    return TRIAGE_OK;
}

static triage_status_t check_range(int32_t v, int32_t lo, int32_t hi, const char *name)
{
    if (v < lo || v > hi)
        return triage__error(TRIAGE_EINVAL, name, "%s must be %d-%d", name, lo, hi);
    return TRIAGE_OK;
}

TRIAGE_API void triage_engine_free(triage_engine_t *e)
{
    if (!e)
        return;
    triage_allocator_t a = e->alloc;
    if (e->store.version && e->store.destroy)
        e->store.destroy(e->store.userdata);
    triage_calendar_free(e->cal);
    triage_urgency_policy_free(e->urgency);
    triage_deadline_rules_free(e->rules);
    triage_classify_policy_free(e->classify);
    for (int i = 0; i < TRIAGE__POLICY_SLOTS; i++)
        triage__codec_release(&e->policies[i], &triage__policy_schema, &a);
    for (size_t i = 0; i < TRIAGE__MAX_EXTENSIONS; i++)
        if (e->ext[i].ops)
            e->ext[i].ops->release(e, e->ext[i].state);
    triage__free(&a, e->absidx.spans);
    for (int t = 0; t < TRIAGE__T_COUNT; t++)
        triage__table_clear(&a, &e->tables[t]);
    triage__free(&a, e->events);
    triage__free(&a, e->wbuf.p);
    triage__free(&a, e);
}

triage_status_t triage__engine_create(triage_engine_t **out, const triage_engine_options_t *opts)
{
    if (!out)
        return triage__error_null("out");
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    if (opts) {
        if (opts->version == 0 || opts->version > TRIAGE_ENGINE_OPTIONS_VERSION)
            return triage__error(TRIAGE_EVERSION, "options.version",
                                 "unsupported engine options version");
        o = *opts; /* one version so far: every byte is defined */
    }
    triage_status_t rc = triage__allocator_check(&o.allocator, "options.allocator");
    if (!rc)
        rc = check_range(o.unreachable_attempts, 1, 100, "options.unreachable_attempts");
    if (!rc)
        rc = check_range(o.unreachable_min_days, 0, 365, "options.unreachable_min_days");
    if (!rc)
        rc = check_range(o.repeat_notifications, 1, 1000000, "options.repeat_notifications");
    if (!rc)
        rc = check_range(o.repeat_window_days, 1, 3650, "options.repeat_window_days");
    if (!rc)
        rc = check_range(o.office_open_min, 0, 1439, "options.office_open_min");
    if (!rc)
        rc = check_range(o.office_close_min, o.office_open_min + 1, 1440,
                         "options.office_close_min");
    if (!rc)
        rc = check_range(o.retries, 0, 100, "options.retries");
    if (rc)
        return rc;

    const triage_allocator_t *a = &o.allocator;
    triage_engine_t *e = triage__calloc(a, 1, sizeof *e);
    if (!e)
        return TRIAGE_ENOMEM;
    e->alloc = o.allocator;
    e->audit = o.audit;
    e->audit_ud = o.audit_userdata;
    e->unreachable_attempts = o.unreachable_attempts;
    e->unreachable_min_days = o.unreachable_min_days;
    e->repeat_notifications = o.repeat_notifications;
    e->repeat_window_days = o.repeat_window_days;
    e->office_open_min = o.office_open_min;
    e->office_close_min = o.office_close_min;
    e->clock = o.clock;
    e->clock_ud = o.clock_userdata;
    e->generate_id = o.generate_id;
    e->id_ud = o.id_userdata;
    e->retries = o.retries;
    e->resident = 1;
    e->wbuf.alloc = &e->alloc;
    e->tables[TRIAGE__T_CLIENT] = (triage__table){
        &triage__client_schema, sizeof(triage__client), TRIAGE_RECORD_CLIENT,
        triage__client_clone, triage__client_release, 0, 0, 0, 0, 0};
    e->tables[TRIAGE__T_CASE] = (triage__table){
        &triage__case_schema, sizeof(triage__case), TRIAGE_RECORD_CASE,
        triage__case_clone, triage__case_release, 0, 0, 0, 0, 0};
    e->tables[TRIAGE__T_WORKER] = (triage__table){
        &triage__worker_schema, sizeof(triage__worker), TRIAGE_RECORD_WORKER,
        triage__worker_clone, triage__worker_release, 0, 0, 0, 0, 0};
    e->tables[TRIAGE__T_ABSENCE] = (triage__table){
        &triage__absence_schema, sizeof(triage__absence), TRIAGE_RECORD_ABSENCE,
        NULL, NULL, 0, 0, 0, 0, 0};

    /* Copies of the calendar and policies, made with the engine's allocator. */
    if (o.calendar) {
        rc = triage_calendar_copy(&e->cal, o.calendar);
    } else {
        triage_calendar_options_t co = TRIAGE_CALENDAR_OPTIONS_INIT;
        co.allocator = o.allocator;
        rc = triage_calendar_new_finland(&e->cal, &co);
    }
    e->policy_given[0] = o.urgency != NULL;
    e->policy_given[1] = o.deadlines != NULL;
    e->policy_given[2] = o.classify != NULL;
    if (!rc)
        rc = o.urgency ? triage_urgency_policy_copy(&e->urgency, o.urgency)
                       : triage_urgency_policy_new(&e->urgency, a);
    if (!rc)
        rc = o.deadlines ? triage_deadline_rules_copy(&e->rules, o.deadlines)
                         : triage_deadline_rules_new(&e->rules, a);
    if (!rc)
        rc = o.classify ? triage_classify_policy_copy(&e->classify, o.classify)
                        : triage_classify_policy_new(&e->classify, a);
    if (rc) {
        triage_engine_free(e);
        return rc;
    }
    *out = e;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_engine_new(triage_engine_t **out,
                                             const triage_engine_options_t *opts)
{
    return triage__engine_create(out, opts);
}

TRIAGE_API const triage_calendar_t *triage_engine_calendar(const triage_engine_t *e)
{
    return e ? e->cal : NULL;
}

triage_status_t triage__extension_attach(triage_engine_t *e, const triage__extension_ops *ops,
                                         void *state)
{
    for (size_t i = 0; i < TRIAGE__MAX_EXTENSIONS; i++)
        if (!e->ext[i].ops) {
            e->ext[i].ops = ops;
            e->ext[i].state = state;
            return TRIAGE_OK;
        }
    return triage__error(TRIAGE_ERANGE, NULL, "too many engine extensions");
}

void *triage__extension_state(const triage_engine_t *e, const triage__extension_ops *ops)
{
    for (size_t i = 0; i < TRIAGE__MAX_EXTENSIONS && e->ext[i].ops; i++)
        if (e->ext[i].ops == ops)
            return e->ext[i].state;
    return NULL;
}

triage_status_t triage__new_id(triage_engine_t *e, int table, triage_id_t *out)
{
    for (int tries = 0; tries < 16; tries++) {
        if (e->generate_id)
            e->generate_id(e->id_ud, out);
        else
            triage_id_generate(out);
        if (!triage_id_is_nil(out) && !triage__table_get(&e->tables[table], out))
            return TRIAGE_OK;
    }
    return triage__error(TRIAGE_ECONFLICT, "generate_id", "the id source keeps repeating ids in use");
}


static void audit(triage_engine_t *e, triage_audit_action_t action, triage_audit_object_t obj,
                  const triage_id_t *id)
{
    if (e->audit)
        e->audit(e->audit_ud, action, obj, id);
}

static triage_status_t check_version(uint32_t v, uint32_t current, const char *name)
{
    if (v == 0 || v > current)
        return triage__error(TRIAGE_EVERSION, name, "unsupported struct version");
    return TRIAGE_OK;
}

/* Starts a transaction holding a writable copy of record `id` of `table`;
 * NULL (transaction discarded, last error set) when there is none. */
static void *begin_update(triage__txn *tx, triage_engine_t *e, int table, const triage_id_t *id)
{
    triage__txn_init(tx, e);
    void *rec = triage__txn_get(tx, table, id);
    if (!rec)
        triage__txn_discard(tx);
    return rec;
}

/* ---- clients --------------------------------------------------------------- */

static const size_t client_sizes[] = {sizeof(triage_client_t)};
static const size_t worker_sizes[] = {sizeof(triage_worker_t)};
static const size_t case_sizes[] = {sizeof(triage_case_t)};
static const size_t event_sizes[] = {sizeof(triage_event_t)};

static triage_status_t check_client(const triage_client_t *c)
{
    triage_status_t rc = check_version(c->version, TRIAGE_CLIENT_VERSION, "client.version");
    if (rc)
        return rc;
    if (c->language < TRIAGE_LANG_FI || c->language > TRIAGE_LANG_OTHER)
        return triage__error(TRIAGE_EINVAL, "language", "unknown language code");
    if (c->municipality < 0 || c->municipality > 9999)
        return triage__error(TRIAGE_EINVAL, "municipality", "municipality code must be 0-9999");
    if (c->date_of_birth != TRIAGE_DATE_NONE && !triage__date_valid(c->date_of_birth))
        return triage__error(TRIAGE_EINVAL, "date_of_birth", "date of birth out of range");
    return TRIAGE_OK;
}

static triage_status_t client_create_once(triage_id_t *out_id, triage_engine_t *e,
                                          const triage_client_t *client)
{
    triage__client rec;
    memset(&rec, 0, sizeof rec);
    triage_status_t rc = triage__new_id(e, TRIAGE__T_CLIENT, &rec.id);
    if (rc)
        return rc;
    rec.date_of_birth = client->date_of_birth;
    rec.language = (int32_t)client->language;
    rec.municipality = client->municipality;
    rec.last_contact = TRIAGE_DATE_NONE;
    rec.last_activity = TRIAGE_DATE_NONE;
    triage__txn tx;
    triage__txn_init(&tx, e);
    triage_event_t *ev;
    if (!triage__txn_new(&tx, TRIAGE__T_CLIENT, &rec) ||
        !(ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_CLIENT_CREATED, triage__now(e), NULL))) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    ev->subject = rec.id;
    rc = triage__txn_commit(&tx);
    if (!rc)
        *out_id = rec.id;
    return rc;
}

TRIAGE_API triage_status_t triage_client_create(triage_id_t *out_id, triage_engine_t *e,
                                                const triage_client_t *client)
{
    if (!out_id)
        return triage__error_null("out_id");
    if (!e)
        return triage__error_null("engine");
    if (!client)
        return triage__error_null("client");
    triage_status_t rc = check_client(client);
    if (rc)
        return rc;
    TRIAGE__RETRY(e, client_create_once(out_id, e, client));
}

TRIAGE_API triage_status_t triage_client_get(triage_client_t *out, triage_engine_t *e,
                                             const triage_id_t *id)
{
    size_t size = triage__out_size(out, client_sizes, TRIAGE__ARRAY_LEN(client_sizes),
                                   "out.version");
    if (!size)
        return triage_error_last()->code;
    TRIAGE__READ_BEGIN(e);
    const triage__client *r = triage__lookup(out, e, TRIAGE__T_CLIENT, id, "id");
    if (!r)
        return triage_error_last()->code;
    triage_client_t pub;
    triage__client_public(&pub, r);
    memcpy(out, &pub, size);
    audit(e, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_CLIENT, id);
    return TRIAGE_OK;
}

static triage_status_t client_update_once(triage_engine_t *e, const triage_client_t *client)
{
    triage__txn tx;
    triage__client *r = begin_update(&tx, e, TRIAGE__T_CLIENT, &client->id);
    if (!r)
        return triage_error_last()->code;
    int32_t changed = (r->date_of_birth != client->date_of_birth) |
                      (r->language != (int32_t)client->language) << 1 |
                      (r->municipality != client->municipality) << 2;
    r->date_of_birth = client->date_of_birth;
    r->language = (int32_t)client->language;
    r->municipality = client->municipality;
    triage_event_t *ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_CLIENT_UPDATED, triage__now(e), NULL);
    if (!ev) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    ev->subject = client->id;
    ev->reason = changed;
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_client_update(triage_engine_t *e, const triage_client_t *client)
{
    if (!e)
        return triage__error_null("engine");
    if (!client)
        return triage__error_null("client");
    triage_status_t rc = check_client(client);
    if (rc)
        return rc;
    TRIAGE__RETRY(e, client_update_once(e, client));
}

static triage_status_t list_ids(triage_id_t **out, size_t *count, triage_engine_t *e, int table,
                                const triage_case_filter_t *f);

TRIAGE_API triage_status_t triage_client_list(triage_id_t **out, size_t *count,
                                              triage_engine_t *e)
{
    return list_ids(out, count, e, TRIAGE__T_CLIENT, NULL);
}

/* ---- workers ------------------------------------------------------------- */

#define MAX_SERVED 10000

static triage_status_t check_worker(const triage_worker_t *w)
{
    triage_status_t rc = check_version(w->version, TRIAGE_WORKER_VERSION, "worker.version");
    if (rc)
        return rc;
    if (w->role < TRIAGE_ROLE_SERVICE_GUIDE || w->role > TRIAGE_ROLE_SOCIAL_WORKER)
        return triage__error(TRIAGE_EINVAL, "role", "unknown role");
    if (!(w->fte > 0.0 && w->fte <= 1.0))
        return triage__error(TRIAGE_EINVAL, "fte", "FTE must be greater than 0 and at most 1");
    if (w->languages == 0 || (w->languages & ~TRIAGE_LANG_BITS_ALL))
        return triage__error(TRIAGE_EINVAL, "languages", "unknown or missing language code");
    if (w->office < 0 || w->office > 9999)
        return triage__error(TRIAGE_EINVAL, "office", "municipality code must be 0-9999");
    if (w->team < 0)
        return triage__error(TRIAGE_EINVAL, "team", "team must be >= 0");
    if (w->active != 0 && w->active != 1)
        return triage__error(TRIAGE_EINVAL, "active", "active must be 0 or 1");
    if (w->served_count > MAX_SERVED)
        return triage__error(TRIAGE_EINVAL, "served_count",
                             "at most %d served municipalities (the codes 1-9999)", MAX_SERVED);
    if (w->served_count && !w->served)
        return triage__error(TRIAGE_EINVAL, "served", "served_count is set but served is NULL");
    /* distinct codes 1-9999: one bit per code */
    uint64_t seen[9999 / 64 + 1];
    memset(seen, 0, sizeof seen);
    for (uint32_t i = 0; i < w->served_count; i++) {
        int32_t m = w->served[i];
        if (m <= 0 || m > 9999)
            return triage__error(TRIAGE_EINVAL, "served", "municipality codes must be 1-9999");
        if (seen[m / 64] & (UINT64_C(1) << (m % 64)))
            return triage__error(TRIAGE_EINVAL, "served", "a municipality is listed twice");
        seen[m / 64] |= UINT64_C(1) << (m % 64);
    }
    return TRIAGE_OK;
}

/* Copies the writable fields of `src` into `dst`, whose served array is
 * replaced by a copy of src's (the old one freed only on success). */
static triage_status_t copy_worker(triage_engine_t *e, triage__worker *dst,
                                   const triage_worker_t *src)
{
    int32_t *served = NULL;
    if (src->served_count) {
        served = triage__malloc(&e->alloc, src->served_count * sizeof *served);
        if (!served)
            return TRIAGE_ENOMEM;
        memcpy(served, src->served, src->served_count * sizeof *served);
    }
    triage__free(&e->alloc, dst->served);
    dst->role = (int32_t)src->role;
    dst->fte = src->fte;
    dst->languages = src->languages;
    dst->office = src->office;
    dst->team = src->team;
    dst->active = src->active;
    dst->served = served;
    dst->nserved = src->served_count;
    return TRIAGE_OK;
}

static triage_status_t worker_create_once(triage_id_t *out_id, triage_engine_t *e,
                                          const triage_worker_t *worker)
{
    triage__worker w;
    memset(&w, 0, sizeof w);
    triage_status_t rc = triage__new_id(e, TRIAGE__T_WORKER, &w.id);
    if (!rc)
        rc = copy_worker(e, &w, worker);
    if (rc)
        return rc;
    triage__txn tx;
    triage__txn_init(&tx, e);
    triage_event_t *ev = NULL;
    if (!triage__txn_new(&tx, TRIAGE__T_WORKER, &w) ||
        !(ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_WORKER_CREATED, triage__now(e), NULL)))
        rc = TRIAGE_ENOMEM;
    triage__worker_release(&e->alloc, &w); /* the transaction holds its own copy */
    if (rc) {
        triage__txn_discard(&tx);
        return rc;
    }
    ev->subject = w.id;
    ev->to = w.role;
    rc = triage__txn_commit(&tx);
    if (!rc)
        *out_id = w.id;
    return rc;
}

TRIAGE_API triage_status_t triage_worker_create(triage_id_t *out_id, triage_engine_t *e,
                                                const triage_worker_t *worker)
{
    if (!out_id)
        return triage__error_null("out_id");
    if (!e)
        return triage__error_null("engine");
    if (!worker)
        return triage__error_null("worker");
    triage_status_t rc = check_worker(worker);
    if (rc)
        return rc;
    TRIAGE__RETRY(e, worker_create_once(out_id, e, worker));
}

TRIAGE_API triage_status_t triage_worker_get(triage_worker_t *out, triage_engine_t *e,
                                             const triage_id_t *id)
{
    size_t size = triage__out_size(out, worker_sizes, TRIAGE__ARRAY_LEN(worker_sizes),
                                   "out.version");
    if (!size)
        return triage_error_last()->code;
    TRIAGE__READ_BEGIN(e);
    const triage__worker *w = triage__lookup(out, e, TRIAGE__T_WORKER, id, "id");
    if (!w)
        return triage_error_last()->code;
    triage_worker_t pub;
    triage__worker_public(&pub, w);
    memcpy(out, &pub, size);
    return TRIAGE_OK;
}

static int same_served(const triage__worker *w, const triage_worker_t *x)
{
    return w->nserved == x->served_count &&
           (!w->nserved || !memcmp(w->served, x->served, w->nserved * sizeof *w->served));
}

static triage_status_t worker_update_once(triage_engine_t *e, const triage_worker_t *worker)
{
    triage__txn tx;
    triage__worker *w = begin_update(&tx, e, TRIAGE__T_WORKER, &worker->id);
    if (!w)
        return triage_error_last()->code;
    int32_t changed = (w->role != (int32_t)worker->role) | (w->fte != worker->fte) << 1 |
                      (w->languages != worker->languages) << 2 | (w->office != worker->office) << 3 |
                      (w->team != worker->team) << 4 | (w->active != worker->active) << 5 |
                      !same_served(w, worker) << 6;
    triage_status_t rc = copy_worker(e, w, worker);
    if (rc) {
        triage__txn_discard(&tx);
        return rc;
    }
    triage_event_t *ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_WORKER_UPDATED, triage__now(e), NULL);
    if (!ev) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    ev->subject = w->id;
    ev->reason = changed;
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_worker_update(triage_engine_t *e, const triage_worker_t *worker)
{
    if (!e)
        return triage__error_null("engine");
    if (!worker)
        return triage__error_null("worker");
    triage_status_t rc = check_worker(worker);
    if (rc)
        return rc;
    TRIAGE__RETRY(e, worker_update_once(e, worker));
}

TRIAGE_API triage_status_t triage_worker_list(triage_id_t **out, size_t *count,
                                              triage_engine_t *e)
{
    return list_ids(out, count, e, TRIAGE__T_WORKER, NULL);
}

/* ---- listing --------------------------------------------------------------- */

static int case_matches(const triage__case *c, const triage_case_filter_t *f)
{
    if (!f)
        return 1;
    if (!triage_id_is_nil(&f->client) && triage_id_compare(&f->client, &c->client))
        return 0;
    if (!triage_id_is_nil(&f->worker) && triage_id_compare(&f->worker, &c->responsible) &&
        triage_id_compare(&f->worker, &c->assessment_worker) &&
        triage_id_compare(&f->worker, &c->pair))
        return 0;
    if (f->stage && f->stage != (triage_stage_t)c->stage)
        return 0;
    if (f->open_only && c->stage == TRIAGE_STAGE_CLOSED)
        return 0;
    return 1;
}

/* A listed record: its creation number and id (the list order). */
typedef struct {
    int64_t created;
    triage_id_t id;
} listed;

static int cmp_listed(const void *pa, const void *pb)
{
    const listed *a = pa, *b = pb;
    if (a->created != b->created)
        return a->created < b->created ? -1 : 1;
    return triage_id_compare(&a->id, &b->id);
}

typedef struct {
    triage_engine_t *e;
    const triage_case_filter_t *f;
    int table;
    listed *v;
    size_t n, cap;
} list_ctx;

static triage_status_t list_add(list_ctx *x, const void *rec)
{
    if (x->table == TRIAGE__T_CASE && !case_matches(rec, x->f))
        return TRIAGE_OK;
    const triage__head *h = rec;
    void *v = x->v;
    triage_status_t rc = triage__grow(&x->e->alloc, &v, &x->cap, x->n + 1, sizeof *x->v);
    x->v = v;
    if (!rc)
        x->v[x->n++] = (listed){h->created, h->id};
    return rc;
}

static triage_status_t list_ids(triage_id_t **out, size_t *count, triage_engine_t *e, int table,
                                const triage_case_filter_t *f)
{
    if (!out)
        return triage__error_null("out");
    if (!count)
        return triage__error_null("count");
    if (!e)
        return triage__error_null("engine");
    if (f) {
        triage_status_t rc = check_version(f->version, TRIAGE_CASE_FILTER_VERSION, "filter.version");
        if (rc)
            return rc;
        if (f->stage && (f->stage < TRIAGE_STAGE_RECEIVED || f->stage > TRIAGE_STAGE_CLOSED))
            return triage__error(TRIAGE_EINVAL, "filter.stage", "unknown stage");
    }
    TRIAGE__READ_BEGIN(e);
    list_ctx x = {e, f, table, NULL, 0, 0};
    triage_status_t rc = triage__scan(e, table, f ? &f->client : NULL,
                                      f && f->open_only, (triage__scan_fn)list_add, &x);
    if (rc) {
        triage__free(&e->alloc, x.v);
        return rc;
    }
    triage__sort(x.v, x.n, sizeof *x.v, cmp_listed);
    triage_id_t *ids = NULL;
    if (x.n) {
        ids = triage__owned_alloc(&e->alloc, x.n * sizeof *ids);
        if (!ids) {
            triage__free(&e->alloc, x.v);
            return TRIAGE_ENOMEM;
        }
        for (size_t i = 0; i < x.n; i++)
            ids[i] = x.v[i].id;
    }
    triage__free(&e->alloc, x.v);
    *out = ids;
    *count = x.n;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_case_list(triage_id_t **out, size_t *count, triage_engine_t *e,
                                            const triage_case_filter_t *filter)
{
    return list_ids(out, count, e, TRIAGE__T_CASE, filter);
}

TRIAGE_API triage_status_t triage_case_get(triage_case_t *out, triage_engine_t *e,
                                           const triage_id_t *id)
{
    size_t size = triage__out_size(out, case_sizes, TRIAGE__ARRAY_LEN(case_sizes), "out.version");
    if (!size)
        return triage_error_last()->code;
    TRIAGE__READ_BEGIN(e);
    const triage__case *r = triage__lookup(out, e, TRIAGE__T_CASE, id, "id");
    if (!r)
        return triage_error_last()->code;
    triage_case_t pub;
    triage__case_public(&pub, r);
    memcpy(out, &pub, size);
    audit(e, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_CASE, id);
    return TRIAGE_OK;
}

/* ---- events ------------------------------------------------------------------ */

struct triage_event_iter {
    triage_engine_t *e;
    triage_event_query_t q;
    /* a window of events read ahead from the store (or copied from memory) */
    triage_event_t *buf;
    size_t n, pos, cap;
    int64_t next_after; /* the last seq handed out or read */
    int64_t upto;       /* the engine's last sequence number when the iterator began */
    int done;
};

static int event_matches(const triage_event_t *ev, const triage_event_query_t *q)
{
    return ev->seq > q->after_seq && ev->at_ms >= q->from_ms && ev->at_ms <= q->to_ms &&
           (triage_id_is_nil(&q->case_id) || !triage_id_compare(&q->case_id, &ev->case_id));
}

TRIAGE_API triage_status_t triage_event_iter_new(triage_event_iter_t **out, triage_engine_t *e,
                                                 const triage_event_query_t *query)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    if (query) {
        triage_status_t rc =
            check_version(query->version, TRIAGE_EVENT_QUERY_VERSION, "query.version");
        if (rc)
            return rc;
        q = *query;
        q.version = TRIAGE_EVENT_QUERY_VERSION;
    }
    if (q.to_ms < q.from_ms)
        return triage__error(TRIAGE_EINVAL, "to_ms", "the period ends before it starts");
    if (q.after_seq < 0)
        return triage__error(TRIAGE_EINVAL, "after_seq", "after_seq must be >= 0");
    TRIAGE__READ_BEGIN(e);
    if (!triage_id_is_nil(&q.case_id) && !triage__fetch(e, TRIAGE__T_CASE, &q.case_id, "case_id"))
        return triage_error_last()->code;
    triage_event_iter_t *it = triage__calloc(&e->alloc, 1, sizeof *it);
    if (!it)
        return TRIAGE_ENOMEM;
    it->e = e;
    it->q = q;
    it->next_after = q.after_seq;
    it->upto = e->last_seq;
    *out = it;
    audit(e, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_EVENTS, triage_id_is_nil(&q.case_id) ? NULL : &q.case_id);
    return TRIAGE_OK;
}

/* Refills the iterator's window: the next matching events after next_after. */
static triage_status_t iter_fill(triage_event_iter_t *it)
{
    triage_engine_t *e = it->e;
    it->n = it->pos = 0;
    if (e->resident) {
        /* events are in memory in sequence order: binary search the start */
        size_t lo = 0, hi = e->nevents;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (e->events[mid].seq <= it->next_after)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < e->nevents && it->n < 256; i++) {
            const triage_event_t *ev = &e->events[i];
            if (ev->seq > it->upto)
                break;
            it->next_after = ev->seq;
            if (!event_matches(ev, &it->q))
                continue;
            if (!it->buf) {
                it->buf = triage__malloc(&e->alloc, 256 * sizeof *it->buf);
                if (!it->buf)
                    return TRIAGE_ENOMEM;
                it->cap = 256;
            }
            it->buf[it->n++] = *ev;
        }
        if (!it->n)
            it->done = 1;
        return TRIAGE_OK;
    }
    return triage__store_events(e, &it->q, &it->next_after, it->upto, &it->buf, &it->n,
                                &it->cap, &it->done);
}

TRIAGE_API triage_status_t triage_event_iter_next(triage_event_iter_t *it, triage_event_t *out)
{
    if (!it)
        return triage__error_null("iter");
    size_t size = triage__out_size(out, event_sizes, TRIAGE__ARRAY_LEN(event_sizes),
                                   "out.version");
    if (!size)
        return triage_error_last()->code;
    if (it->pos == it->n) {
        if (it->done)
            return TRIAGE_ITEROVER;
        triage_status_t rc = iter_fill(it);
        if (rc)
            return rc;
        if (it->pos == it->n)
            return TRIAGE_ITEROVER;
    }
    triage_event_t ev = it->buf[it->pos++];
    ev.version = TRIAGE_EVENT_VERSION;
    memcpy(out, &ev, size);
    return TRIAGE_OK;
}

TRIAGE_API void triage_event_iter_free(triage_event_iter_t *it)
{
    if (!it)
        return;
    triage_allocator_t a = it->e->alloc;
    triage__free(&a, it->buf);
    triage__free(&a, it);
}

TRIAGE_API triage_status_t triage_engine_refresh(triage_engine_t *e)
{
    if (!e)
        return triage__error_null("engine");
    return triage__refresh(e);
}

TRIAGE_API triage_status_t triage_engine_stats(triage_engine_stats_t *out,
                                               const triage_engine_t *e)
{
    static const size_t sizes[] = {offsetof(triage_engine_stats_t, rebased),
                                   sizeof(triage_engine_stats_t)};
    size_t n = triage__out_size(out, sizes, 2, "out.version");
    if (!n)
        return triage_error_last()->code;
    if (!e)
        return triage__error_null("engine");
    triage_engine_stats_t s;
    memset(&s, 0, sizeof s);
    s.version = out->version;
    s.races = e->races;
    s.conflicts = e->conflicts;
    s.refreshes = e->refreshes;
    s.last_seq = e->last_seq;
    s.cases = e->tables[TRIAGE__T_CASE].n;
    s.clients = e->tables[TRIAGE__T_CLIENT].n;
    s.resident = e->resident;
    s.rebased = e->rebased;
    memcpy(out, &s, n);
    return TRIAGE_OK;
}
