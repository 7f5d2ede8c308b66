/* The engine: lifecycle, clients, workers, intake, reads and the event log. */
#include <string.h>
#include <time.h>

#include "engine/engine_internal.h"

static const triage_id_t nil_id;

/* ---- names ------------------------------------------------------------- */

TRIAGE_API const char *triage_stage_name(triage_stage_t s)
{
    static const char *n[] = {NULL, "received", "guidance", "initial_assessment", "distribution",
                              "assessment", "planning", "casework", "closed"};
    return (s >= 1 && s <= 8) ? n[s] : NULL;
}

TRIAGE_API const char *triage_closing_reason_name(triage_closing_reason_t r)
{
    static const char *n[] = {"none", "advice_given", "referred", "declined", "unreachable",
                              "no_need", "goals_met", "moved_away", "duplicate"};
    return ((int)r >= 0 && r <= 8) ? n[r] : NULL;
}

TRIAGE_API const char *triage_channel_name(triage_channel_t c)
{
    static const char *n[] = {NULL, "phone", "e_service", "walk_in", "outreach", "kela",
                              "letter", "other_authority"};
    return (c >= 1 && c <= 7) ? n[c] : NULL;
}

TRIAGE_API const char *triage_event_kind_name(triage_event_kind_t k)
{
    static const char *n[] = {NULL, "intake", "attached", "stage_changed", "urgency_assessed",
                              "classified", "special_support_decided", "worker_assigned",
                              "contact_attempt", "motivation_checked", "assessment_recorded",
                              "milestone", "repeat_flagged", "client_created", "client_updated",
                              "worker_created", "worker_updated", "absence_added",
                              "absence_removed"};
    return (k >= 1 && k <= 18) ? n[k] : NULL;
}

/* ---- Finnish local time -------------------------------------------------- */

/* The last Sunday of a month, as a date. */
static triage_date_t last_sunday(int y, int m)
{
    triage_date_t d = triage__days_from_civil(y, m, triage__days_in_month(y, m));
    return d - (triage__weekday(d) % 7);
}

#define MS_PER_DAY INT64_C(86400000)
#define MS_PER_HOUR INT64_C(3600000)
/* Supported UTC instants: the date range, with a day of slack for the offset. */
#define UTC_MIN ((int64_t)(TRIAGE_DATE_MIN + 1) * MS_PER_DAY)
#define UTC_MAX ((int64_t)(TRIAGE_DATE_MAX - 1) * MS_PER_DAY)

TRIAGE_API triage_status_t triage_local_time(triage_date_t *date, int32_t *minute, int64_t utc_ms)
{
    if (utc_ms < UTC_MIN || utc_ms > UTC_MAX)
        return triage__error(TRIAGE_ERANGE, "utc_ms", "time outside the supported range");
    /* EU rule: summer time from 01:00 UTC on the last Sunday of March to
     * 01:00 UTC on the last Sunday of October; Finland is UTC+2, +3 in summer. */
    int64_t day = utc_ms >= 0 ? utc_ms / MS_PER_DAY : -((-utc_ms + MS_PER_DAY - 1) / MS_PER_DAY);
    int y, m, d;
    triage__civil_from_days((triage_date_t)day, &y, &m, &d);
    int64_t start = (int64_t)last_sunday(y, 3) * MS_PER_DAY + MS_PER_HOUR;
    int64_t end = (int64_t)last_sunday(y, 10) * MS_PER_DAY + MS_PER_HOUR;
    int64_t local = utc_ms + ((utc_ms >= start && utc_ms < end) ? 3 : 2) * MS_PER_HOUR;
    /* Floor division: before 1970 `local` is negative (C's / truncates). */
    int64_t lday = local >= 0 ? local / MS_PER_DAY : -((-local + MS_PER_DAY - 1) / MS_PER_DAY);
    if (date)
        *date = (triage_date_t)lday;
    if (minute)
        *minute = (int32_t)((local - lday * MS_PER_DAY) / 60000);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_local_to_utc(int64_t *utc_ms, triage_date_t date, int32_t minute,
                                              triage_local_fold_t fold)
{
    if (!utc_ms)
        return triage__error_null("utc_ms");
    if (date == TRIAGE_DATE_NONE || date <= TRIAGE_DATE_MIN || date >= TRIAGE_DATE_MAX)
        return triage__error(TRIAGE_ERANGE, "date", "date outside the supported range");
    if (minute < 0 || minute >= 24 * 60)
        return triage__error(TRIAGE_EINVAL, "minute", "minute of the day must be 0-1439");
    if (fold != TRIAGE_LOCAL_EARLIER && fold != TRIAGE_LOCAL_LATER)
        return triage__error(TRIAGE_EINVAL, "fold", "fold must be TRIAGE_LOCAL_EARLIER or _LATER");
    /* The local time is UTC+3 (summer) or UTC+2 (winter): try both offsets
     * and keep those that map back to the same local date and minute. */
    int64_t local = (int64_t)date * MS_PER_DAY + (int64_t)minute * 60000;
    int64_t found[2];
    int n = 0;
    for (int off = 3; off >= 2; off--) { /* earlier instant first */
        int64_t utc = local - off * MS_PER_HOUR;
        triage_date_t d;
        int32_t m;
        if (triage_local_time(&d, &m, utc) == TRIAGE_OK && d == date && m == minute)
            found[n++] = utc;
    }
    if (n == 0)
        return triage__error(TRIAGE_EINVAL, "minute",
                             "the local time does not exist (the clocks skip 03:00-03:59 on the "
                             "last Sunday of March)");
    *utc_ms = n == 2 && fold == TRIAGE_LOCAL_LATER ? found[1] : found[0];
    return TRIAGE_OK;
}

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
    for (size_t i = 0; i < TRIAGE__MAX_EXTENSIONS; i++)
        if (e->ext[i].ops)
            e->ext[i].ops->release(e, e->ext[i].state);
    triage__free(&a, e->absidx.spans);
    for (int t = 0; t < TRIAGE__T_COUNT; t++) {
        triage__free(&a, e->tables[t].recs);
        triage__free(&a, e->tables[t].slots);
    }
    triage__free(&a, e->events);
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
        rc = check_range(o.repeat_notifications, 1, 8, "options.repeat_notifications");
    if (!rc)
        rc = check_range(o.repeat_window_days, 1, 3650, "options.repeat_window_days");
    if (!rc)
        rc = check_range(o.office_open_min, 0, 1439, "options.office_open_min");
    if (!rc)
        rc = check_range(o.office_close_min, o.office_open_min + 1, 1440,
                         "options.office_close_min");
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
    e->next_seq = 1;
    e->tables[TRIAGE__T_CLIENT] = (triage__table){
        sizeof(triage__client_rec), offsetof(triage__client_rec, pub.id), TRIAGE_RECORD_CLIENT,
        triage__keys_client, 0, 0, 0, 0, 0};
    e->tables[TRIAGE__T_CASE] = (triage__table){
        sizeof(triage__case_rec), offsetof(triage__case_rec, pub.id), TRIAGE_RECORD_CASE,
        triage__keys_case, 0, 0, 0, 0, 0};
    e->tables[TRIAGE__T_WORKER] = (triage__table){
        sizeof(triage_worker_t), offsetof(triage_worker_t, id), TRIAGE_RECORD_WORKER,
        triage__keys_worker, 0, 0, 0, 0, 0};
    e->tables[TRIAGE__T_ABSENCE] = (triage__table){
        sizeof(triage__absence_rec), offsetof(triage__absence_rec, id), TRIAGE_RECORD_ABSENCE,
        triage__keys_absence, 0, 0, 0, 0, 0};

    /* Copies of the calendar and policies, made with the engine's allocator. */
    if (o.calendar) {
        rc = triage_calendar_copy(&e->cal, o.calendar);
    } else {
        triage_calendar_options_t co = TRIAGE_CALENDAR_OPTIONS_INIT;
        co.allocator = o.allocator;
        rc = triage_calendar_new_finland(&e->cal, &co);
    }
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

int64_t triage__now(const triage_engine_t *e)
{
    if (e->clock)
        return e->clock(e->clock_ud);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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
    triage__client_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.pub = *client;
    rec.pub.version = TRIAGE_CLIENT_VERSION;
    rc = triage__new_id(e, TRIAGE__T_CLIENT, &rec.pub.id);
    if (rc)
        return rc;
    rec.pub.responsible_worker = nil_id;
    rec.pub.notifications = rec.pub.failed_contacts = rec.pub.flags = 0;
    rec.pub.last_contact = TRIAGE_DATE_NONE;
    triage__txn tx;
    triage__txn_init(&tx, e);
    triage_event_t *ev;
    if (!triage__txn_new(&tx, TRIAGE__T_CLIENT, &rec) ||
        !(ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_CLIENT_CREATED, triage__now(e), NULL))) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    ev->subject = rec.pub.id;
    rc = triage__txn_commit(&tx);
    if (!rc)
        *out_id = rec.pub.id;
    return rc;
}

TRIAGE_API triage_status_t triage_client_get(triage_client_t *out, triage_engine_t *e,
                                             const triage_id_t *id)
{
    const triage__client_rec *r = triage__lookup(out, e, TRIAGE__T_CLIENT, id, "id");
    if (!r)
        return triage_error_last()->code;
    *out = r->pub;
    audit(e, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_CLIENT, id);
    return TRIAGE_OK;
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
    triage__txn tx;
    triage__client_rec *r = begin_update(&tx, e, TRIAGE__T_CLIENT, &client->id);
    if (!r)
        return triage_error_last()->code;
    int32_t changed = (r->pub.date_of_birth != client->date_of_birth) |
                      (r->pub.language != client->language) << 1 |
                      (r->pub.municipality != client->municipality) << 2;
    r->pub.date_of_birth = client->date_of_birth;
    r->pub.language = client->language;
    r->pub.municipality = client->municipality;
    triage_event_t *ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_CLIENT_UPDATED, triage__now(e), NULL);
    if (!ev) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    ev->subject = client->id;
    ev->reason = changed;
    return triage__txn_commit(&tx);
}

static triage_status_t list_ids(triage_id_t **out, size_t *count, triage_engine_t *e, int table,
                                const triage_case_filter_t *f);

TRIAGE_API triage_status_t triage_client_list(triage_id_t **out, size_t *count,
                                              triage_engine_t *e)
{
    return list_ids(out, count, e, TRIAGE__T_CLIENT, NULL);
}

/* ---- workers ------------------------------------------------------------- */

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
    if (w->served_count > TRIAGE_WORKER_MAX_SERVED)
        return triage__error(TRIAGE_EINVAL, "served_count", "at most %d served municipalities",
                             TRIAGE_WORKER_MAX_SERVED);
    for (uint32_t i = 0; i < w->served_count; i++) {
        if (w->served[i] <= 0 || w->served[i] > 9999)
            return triage__error(TRIAGE_EINVAL, "served", "municipality codes must be 1-9999");
        for (uint32_t j = 0; j < i; j++)
            if (w->served[j] == w->served[i])
                return triage__error(TRIAGE_EINVAL, "served", "a municipality is listed twice");
    }
    return TRIAGE_OK;
}

/* Copies the writable fields into a zeroed record (no stray padding bytes,
 * unused served[] entries zero), so records compare and encode bytewise. */
static void copy_worker(triage_worker_t *dst, const triage_worker_t *src)
{
    triage_worker_t w;
    memset(&w, 0, sizeof w);
    w.version = TRIAGE_WORKER_VERSION;
    w.id = src->id;
    w.role = src->role;
    w.fte = src->fte;
    w.languages = src->languages;
    w.office = src->office;
    w.team = src->team;
    w.active = src->active;
    w.served_count = src->served_count;
    memcpy(w.served, src->served, src->served_count * sizeof w.served[0]);
    memcpy(dst, &w, sizeof w);
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
    triage_worker_t w;
    copy_worker(&w, worker);
    rc = triage__new_id(e, TRIAGE__T_WORKER, &w.id);
    if (rc)
        return rc;
    triage__txn tx;
    triage__txn_init(&tx, e);
    triage_event_t *ev;
    if (!triage__txn_new(&tx, TRIAGE__T_WORKER, &w) ||
        !(ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_WORKER_CREATED, triage__now(e), NULL))) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    ev->subject = w.id;
    ev->to = (int32_t)w.role;
    rc = triage__txn_commit(&tx);
    if (!rc)
        *out_id = w.id;
    return rc;
}

TRIAGE_API triage_status_t triage_worker_get(triage_worker_t *out, triage_engine_t *e,
                                             const triage_id_t *id)
{
    const triage_worker_t *w = triage__lookup(out, e, TRIAGE__T_WORKER, id, "id");
    if (!w)
        return triage_error_last()->code;
    *out = *w;
    return TRIAGE_OK;
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
    triage__txn tx;
    triage_worker_t *w = begin_update(&tx, e, TRIAGE__T_WORKER, &worker->id);
    if (!w)
        return triage_error_last()->code;
    int32_t changed = (w->role != worker->role) | (w->fte != worker->fte) << 1 |
                      (w->languages != worker->languages) << 2 | (w->office != worker->office) << 3 |
                      (w->team != worker->team) << 4 | (w->active != worker->active) << 5 |
                      (w->served_count != worker->served_count ||
                       memcmp(w->served, worker->served, worker->served_count * sizeof(int32_t)))
                          << 6;
    triage_id_t id = w->id;
    copy_worker(w, worker);
    w->id = id;
    triage_event_t *ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_WORKER_UPDATED, triage__now(e), NULL);
    if (!ev) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    ev->subject = id;
    ev->reason = changed;
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_worker_list(triage_id_t **out, size_t *count,
                                              triage_engine_t *e)
{
    return list_ids(out, count, e, TRIAGE__T_WORKER, NULL);
}

/* ---- listing --------------------------------------------------------------- */

static int case_matches(const triage_case_t *c, const triage_case_filter_t *f)
{
    if (!f)
        return 1;
    if (!triage_id_is_nil(&f->client) && triage_id_compare(&f->client, &c->client))
        return 0;
    if (!triage_id_is_nil(&f->worker) && triage_id_compare(&f->worker, &c->responsible) &&
        triage_id_compare(&f->worker, &c->assessment_worker) &&
        triage_id_compare(&f->worker, &c->pair))
        return 0;
    if (f->stage && f->stage != c->stage)
        return 0;
    if (f->open_only && c->stage == TRIAGE_STAGE_CLOSED)
        return 0;
    return 1;
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
    const triage__table *t = &e->tables[table];
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        if (table != TRIAGE__T_CASE ||
            case_matches(&((const triage__case_rec *)(const void *)(t->recs + i * t->elem))->pub, f))
            n++;
    triage_id_t *ids = NULL;
    if (n) {
        ids = triage__owned_alloc(&e->alloc, n * sizeof *ids);
        if (!ids)
            return TRIAGE_ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++) {
            const char *r = t->recs + i * t->elem;
            if (table != TRIAGE__T_CASE ||
                case_matches(&((const triage__case_rec *)(const void *)r)->pub, f))
                triage__copy(&ids[k++], r + t->id_off, sizeof *ids);
        }
    }
    *out = ids;
    *count = n;
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
    const triage__case_rec *r = triage__lookup(out, e, TRIAGE__T_CASE, id, "id");
    if (!r)
        return triage_error_last()->code;
    *out = r->pub;
    audit(e, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_CASE, id);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_event_list(triage_event_t **out, size_t *count,
                                             triage_engine_t *e, const triage_id_t *case_id,
                                             int64_t from_ms, int64_t to_ms)
{
    if (!out)
        return triage__error_null("out");
    if (!count)
        return triage__error_null("count");
    if (!e)
        return triage__error_null("engine");
    if (to_ms < from_ms)
        return triage__error(TRIAGE_EINVAL, "to_ms", "the period ends before it starts");
    if (case_id && !triage__table_get(&e->tables[TRIAGE__T_CASE], case_id))
        return triage__error(TRIAGE_ENOTFOUND, "case_id", "no case with that id");
    size_t n = 0;
    for (size_t i = 0; i < e->nevents; i++) {
        const triage_event_t *ev = &e->events[i];
        n += ev->at_ms >= from_ms && ev->at_ms <= to_ms &&
             (!case_id || !triage_id_compare(case_id, &ev->case_id));
    }
    triage_event_t *evs = NULL;
    if (n) {
        evs = triage__owned_alloc(&e->alloc, n * sizeof *evs);
        if (!evs)
            return TRIAGE_ENOMEM;
        size_t k = 0;
        for (size_t i = 0; i < e->nevents; i++) {
            const triage_event_t *ev = &e->events[i];
            if (ev->at_ms >= from_ms && ev->at_ms <= to_ms &&
                (!case_id || !triage_id_compare(case_id, &ev->case_id)))
                evs[k++] = *ev;
        }
    }
    *out = evs;
    *count = n;
    audit(e, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_EVENTS, case_id);
    return TRIAGE_OK;
}
