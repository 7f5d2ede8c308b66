/*
 * The schema-2 field tables of the engine's records (docs/data-model.md).
 *
 * Tags are stable: a field keeps its tag for ever, a new field takes a new
 * tag, and a removed field's tag is never reused (older readers skip tags
 * they do not know, newer readers treat a missing optional field as its
 * default). The column names are what a store sees as typed columns.
 */
#include <stddef.h>
#include <string.h>

#include "engine/engine_internal.h"

#define INT(tag, T, m, flags, lo, hi) {tag, TRIAGE__M_I32, flags, #m, offsetof(T, m), 0, lo, hi}
#define UINT(tag, T, m, flags, lo, hi) {tag, TRIAGE__M_U32, flags, #m, offsetof(T, m), 0, lo, hi}
#define I64(tag, T, m, flags, lo, hi) {tag, TRIAGE__M_I64, flags, #m, offsetof(T, m), 0, lo, hi}
#define DATE(tag, T, m, flags) {tag, TRIAGE__M_I32, TRIAGE__F_DATE | (flags), #m, offsetof(T, m), 0, 1, 0}
#define ID(tag, T, m, flags) {tag, TRIAGE__M_ID, flags, #m, offsetof(T, m), 0, 1, 0}
#define REAL(tag, T, m, flags, lo, hi) {tag, TRIAGE__M_F64, flags, #m, offsetof(T, m), 0, lo, hi}
#define TEXT(tag, T, m, flags) {tag, TRIAGE__M_TEXT, flags, #m, offsetof(T, m), sizeof(((T *)0)->m), 1, 0}
#define INTS(tag, T, m, n, flags, maxn) {tag, TRIAGE__M_INTS, flags, #m, offsetof(T, m), offsetof(T, n), 0, maxn}
#define BYTES(tag, T, m, n, flags, maxn) {tag, TRIAGE__M_BYTES, flags, #m, offsetof(T, m), offsetof(T, n), 0, maxn}
/* A field of the classification embedded in the case. */
#define CLS(tag, mem, m, col, lo, hi)                                                        \
    {tag, mem, 0, col, offsetof(triage__case, classification) +                           \
                           offsetof(triage_classification_t, m), 0, lo, hi}

#define REQ TRIAGE__F_REQUIRED
#define OPT TRIAGE__F_OPTIONAL
#define NOTNIL TRIAGE__F_NOT_NIL
#define NOCOL TRIAGE__F_NOCOL

/* created: schema-1 records converted on load sort before every new one
 * (negative creation numbers in load order) */
#define HEAD(T)                                          \
    ID(1, T, id, REQ | NOTNIL),                          \
    I64(2, T, rev, REQ, 0, 9.0e18),                      \
    I64(3, T, created, REQ, -9.3e18, 9.3e18)

#define SCHEMA(var, label, kind, table)                                                  \
    const triage__schema var = {label, kind, table, sizeof table / sizeof table[0]}

/* The repeat window is at most 3650 days, so at most that many dates. */
static const triage__field client_fields[] = {
    HEAD(triage__client),
    DATE(4, triage__client, date_of_birth, OPT),
    INT(5, triage__client, language, REQ, 1, 3),
    INT(6, triage__client, municipality, 0, 0, 9999),
    UINT(7, triage__client, notifications, 0, 1, 0),
    UINT(8, triage__client, failed_contacts, 0, 1, 0),
    UINT(9, triage__client, no_shows, 0, 1, 0),
    UINT(10, triage__client, flags, 0, 0, 1),
    DATE(11, triage__client, last_contact, OPT),
    DATE(12, triage__client, last_activity, OPT),
    ID(13, triage__client, responsible_worker, 0),
    ID(14, triage__client, active_case, 0),
    INTS(15, triage__client, notified, nnotified, NOCOL, 3651),
};
SCHEMA(triage__client_schema, "client", 1, client_fields);

static const triage__field worker_fields[] = {
    HEAD(triage__worker),
    INT(4, triage__worker, role, REQ, 1, 3),
    REAL(5, triage__worker, fte, REQ, 0.0001, 1.0),
    UINT(6, triage__worker, languages, REQ, 1, 7),
    INT(7, triage__worker, office, 0, 0, 9999),
    INT(8, triage__worker, team, 0, 0, 2147483647.0),
    INT(9, triage__worker, active, REQ, 0, 1),
    INTS(10, triage__worker, served, nserved, 0, 10000),
};
SCHEMA(triage__worker_schema, "worker", 3, worker_fields);

static const triage__field absence_fields[] = {
    HEAD(triage__absence),
    ID(4, triage__absence, worker, REQ | NOTNIL),
    DATE(5, triage__absence, start, REQ),
    DATE(6, triage__absence, end, REQ),
    INT(7, triage__absence, removed, 0, 0, 1),
};
SCHEMA(triage__absence_schema, "absence", 4, absence_fields);

static const triage__field intake_fields[] = {
    HEAD(triage__intake),
    ID(4, triage__intake, case_id, REQ | NOTNIL),
    ID(5, triage__intake, client, REQ | NOTNIL),
    INT(6, triage__intake, ordinal, REQ, 0, 2147483647.0),
    INT(7, triage__intake, kind, REQ, 1, 6),
    INT(8, triage__intake, channel, REQ, 1, 7),
    INT(9, triage__intake, service, REQ, 1, 3),
    I64(10, triage__intake, received_ms, REQ, -9.0e18, 9.0e18),
    DATE(11, triage__intake, received, REQ),
    INT(12, triage__intake, urgency, REQ, 1, 4),
    UINT(13, triage__intake, triggers, 0, 0, 1023),
    UINT(14, triage__intake, deciding, 0, 0, 1023),
    UINT(15, triage__intake, flags, 0, 0, 15),
    INT(16, triage__intake, own_contact, 0, 0, 1),
    INT(17, triage__intake, highest_care_allowance, 0, 0, 1),
    INT(18, triage__intake, child_special_support, 0, 0, 1),
    INT(19, triage__intake, assistance_urgent, 0, 0, 1),
    INT(20, triage__intake, assistance_complete, 0, 0, 1),
    DATE(21, triage__intake, assistance_completed, OPT),
    INT(22, triage__intake, children, 0, 0, 100),
    UINT(23, triage__intake, urgency_policy_version, 0, 1, 0),
    TEXT(24, triage__intake, urgency_policy, 0),
};
SCHEMA(triage__intake_schema, "intake", 5, intake_fields);

static const triage__field deadline_fields[] = {
    HEAD(triage__deadline),
    ID(4, triage__deadline, case_id, REQ | NOTNIL),
    ID(5, triage__deadline, intake_id, REQ | NOTNIL),
    INT(6, triage__deadline, row, REQ, 1, 200),
    INT(7, triage__deadline, basis, REQ, 1, 20),
    INT(8, triage__deadline, milestone, REQ, 1, 20),
    I64(9, triage__deadline, start_ms, REQ, -9.0e18, 9.0e18),
    DATE(10, triage__deadline, start, REQ),
    DATE(11, triage__deadline, due, REQ),
    DATE(12, triage__deadline, met, OPT),
    UINT(13, triage__deadline, flags, 0, 0, 3),
    INT(14, triage__deadline, ordinal, 0, 0, 2147483647.0),
};
SCHEMA(triage__deadline_schema, "deadline", 6, deadline_fields);

static const triage__field case_fields[] = {
    HEAD(triage__case),
    ID(4, triage__case, client, REQ | NOTNIL),
    INT(5, triage__case, kind, REQ, 1, 6),
    INT(6, triage__case, channel, REQ, 1, 7),
    INT(7, triage__case, service, REQ, 1, 3),
    I64(8, triage__case, received_ms, REQ, -9.0e18, 9.0e18),
    DATE(9, triage__case, received, REQ),
    INT(10, triage__case, stage, REQ, 1, 8),
    INT(11, triage__case, urgency, REQ, 1, 4),
    UINT(12, triage__case, triggers, 0, 0, 1023),
    UINT(13, triage__case, flags, 0, 0, 0xFFFF),
    CLS(14, TRIAGE__M_U8, quadrant, "quadrant", 0, 4),
    CLS(15, TRIAGE__M_U8, special_support, "recommended_special_support", 0, 1),
    CLS(16, TRIAGE__M_U8, required_role, "required_role", 0, 3),
    CLS(17, TRIAGE__M_U8, preferred_role, "preferred_role", 0, 3),
    CLS(18, TRIAGE__M_U8, high_need, "high_need", 0, 1),
    CLS(19, TRIAGE__M_U8, weak_capacity, "weak_capacity", 0, 1),
    CLS(20, TRIAGE__M_U8, need_score, "need_score", 0, 30),
    CLS(21, TRIAGE__M_U8, capacity_score, "capacity_score", 0, 24),
    CLS(22, TRIAGE__M_U16, need_rationale, "need_rationale", 0, 1023),
    CLS(23, TRIAGE__M_U16, capacity_rationale, "capacity_rationale", 0, 255),
    CLS(24, TRIAGE__M_U32, policy_version, "classify_policy_version", 1, 0),
    INT(25, triage__case, special_support, 0, 0, 1),
    INT(26, triage__case, special_support_decided, 0, -1, 1),
    ID(27, triage__case, special_support_decider, 0),
    ID(28, triage__case, assessment_worker, 0),
    ID(29, triage__case, responsible, 0),
    ID(30, triage__case, pair, 0),
    ID(31, triage__case, attached_to, 0),
    INT(32, triage__case, closing_reason, 0, 0, 8),
    INT(33, triage__case, motivation, 0, 0, 3),
    INT(34, triage__case, need_nature, 0, 0, 3),
    INT(35, triage__case, contact_attempts, 0, 0, 2147483647.0),
    INT(36, triage__case, no_shows, 0, 0, 2147483647.0),
    DATE(37, triage__case, first_contact, OPT),
    DATE(38, triage__case, first_attempt, OPT),
    DATE(39, triage__case, last_attempt, OPT),
    DATE(40, triage__case, assessment_started, OPT),
    DATE(41, triage__case, assessment_completed, OPT),
    DATE(42, triage__case, responded, OPT),
    DATE(43, triage__case, closed, OPT),
    DATE(44, triage__case, plan_made, OPT),
    INT(45, triage__case, children, 0, 0, 100),
};
SCHEMA(triage__case_schema, "case", 2, case_fields);

static const triage__field policy_fields[] = {
    HEAD(triage__policy),
    INT(4, triage__policy, slot, REQ, 1, TRIAGE__POLICY_SLOTS),
    UINT(5, triage__policy, policy_version, 0, 1, 0),
    TEXT(6, triage__policy, policy_id, 0),
    BYTES(7, triage__policy, payload, npayload, REQ | NOCOL, 200000000.0),
};
SCHEMA(triage__policy_schema, "policy", 7, policy_fields);

static const triage__field event_fields[] = {
    I64(1, triage_event_t, seq, REQ, 1, 9.0e18),
    I64(2, triage_event_t, at_ms, REQ, -9.0e18, 9.0e18),
    ID(3, triage_event_t, case_id, 0),
    ID(4, triage_event_t, subject, 0),
    ID(5, triage_event_t, actor, 0),
    INT(6, triage_event_t, kind, REQ, 1, 100),
    INT(7, triage_event_t, from, 0, 1, 0),
    INT(8, triage_event_t, to, 0, 1, 0),
    INT(9, triage_event_t, reason, 0, 1, 0),
    ID(10, triage_event_t, from_id, 0),
    ID(11, triage_event_t, to_id, 0),
    UINT(12, triage_event_t, policy_version, 0, 1, 0),
    TEXT(13, triage_event_t, policy_id, 0),
    ID(14, triage_event_t, intake, 0),
};
SCHEMA(triage__event_schema, "event", TRIAGE__CODEC_KIND_EVENT, event_fields);

void triage__policy_record_id(triage_id_t *out, int32_t slot)
{
    /* A version-4-shaped UUID that names the slot: 7472-6961-6765 spells "triage". */
    static const unsigned char base[16] = {0x74, 0x72, 0x69, 0x61, 0x67, 0x65, 0x40, 0x00,
                                           0x80, 0x00, 0x70, 0x6f, 0x6c, 0x69, 0x63, 0x00};
    memcpy(out->bytes, base, 16);
    out->bytes[15] = (unsigned char)slot;
}

/* ---- records that own memory: deep copies and release -------------------- */

triage_status_t triage__client_clone(const triage_allocator_t *a, void *dst, const void *src)
{
    return triage__codec_clone(dst, src, &triage__client_schema, a);
}

void triage__client_release(const triage_allocator_t *a, void *rec)
{
    triage__codec_release(rec, &triage__client_schema, a);
}

triage_status_t triage__worker_clone(const triage_allocator_t *a, void *dst, const void *src)
{
    return triage__codec_clone(dst, src, &triage__worker_schema, a);
}

void triage__worker_release(const triage_allocator_t *a, void *rec)
{
    triage__codec_release(rec, &triage__worker_schema, a);
}

/* The case's fields are flat; its rows are two arrays of flat records. */
triage_status_t triage__case_clone(const triage_allocator_t *a, void *dst, const void *src)
{
    triage__case *d = dst;
    const triage__case *s = src;
    d->intakes = NULL;
    d->deadlines = NULL;
    if (s->nintakes) {
        d->intakes = triage__malloc(a, s->nintakes * sizeof *d->intakes);
        if (!d->intakes)
            return TRIAGE_ENOMEM;
        memcpy(d->intakes, s->intakes, s->nintakes * sizeof *d->intakes);
    }
    if (s->ndeadlines) {
        d->deadlines = triage__malloc(a, s->ndeadlines * sizeof *d->deadlines);
        if (!d->deadlines) {
            triage__free(a, d->intakes);
            d->intakes = NULL;
            return TRIAGE_ENOMEM;
        }
        memcpy(d->deadlines, s->deadlines, s->ndeadlines * sizeof *d->deadlines);
    }
    return TRIAGE_OK;
}

void triage__case_release(const triage_allocator_t *a, void *rec)
{
    triage__case *c = rec;
    triage__free(a, c->intakes);
    triage__free(a, c->deadlines);
    c->intakes = NULL;
    c->deadlines = NULL;
    c->nintakes = c->ndeadlines = 0;
}

triage__intake *triage__case_add_intake(const triage_allocator_t *a, triage__case *c)
{
    if (c->nintakes >= UINT32_MAX / 2) {
        triage__error(TRIAGE_ERANGE, "intakes", "too many intakes on one case");
        return NULL;
    }
    triage__intake *rows = triage__realloc(a, c->intakes, (c->nintakes + 1) * sizeof *rows);
    if (!rows)
        return NULL;
    c->intakes = rows;
    triage__intake *r = &rows[c->nintakes++];
    memset(r, 0, sizeof *r);
    r->case_id = c->id;
    return r;
}

triage__deadline *triage__case_add_deadline(const triage_allocator_t *a, triage__case *c)
{
    if (c->ndeadlines >= UINT32_MAX / 2) {
        triage__error(TRIAGE_ERANGE, "deadlines", "too many deadline rows on one case");
        return NULL;
    }
    triage__deadline *rows = triage__realloc(a, c->deadlines, (c->ndeadlines + 1) * sizeof *rows);
    if (!rows)
        return NULL;
    c->deadlines = rows;
    triage__deadline *r = &rows[c->ndeadlines];
    memset(r, 0, sizeof *r);
    r->case_id = c->id;
    r->ordinal = (int32_t)c->ndeadlines++;
    return r;
}

triage__intake *triage__case_intake(const triage__case *c, const triage_id_t *id)
{
    for (uint32_t i = 0; i < c->nintakes; i++)
        if (!memcmp(&c->intakes[i].id, id, sizeof *id))
            return &c->intakes[i];
    return NULL;
}

/* ---- the public structs of records ------------------------------------------- */

void triage__client_public(triage_client_t *out, const triage__client *r)
{
    memset(out, 0, sizeof *out);
    out->version = TRIAGE_CLIENT_VERSION;
    out->id = r->id;
    out->date_of_birth = r->date_of_birth;
    out->language = (triage_language_t)r->language;
    out->municipality = r->municipality;
    out->responsible_worker = r->responsible_worker;
    out->notifications = r->notifications;
    out->failed_contacts = r->failed_contacts;
    out->flags = r->flags;
    out->last_contact = r->last_contact;
    out->no_shows = r->no_shows;
}

void triage__worker_public(triage_worker_t *out, const triage__worker *w)
{
    memset(out, 0, sizeof *out);
    out->version = TRIAGE_WORKER_VERSION;
    out->id = w->id;
    out->role = (triage_role_t)w->role;
    out->fte = w->fte;
    out->languages = w->languages;
    out->office = w->office;
    out->team = w->team;
    out->active = w->active;
    out->served_count = w->nserved;
    out->served = w->served;
}

void triage__case_public(triage_case_t *out, const triage__case *c)
{
    memset(out, 0, sizeof *out);
    out->version = TRIAGE_CASE_VERSION;
    out->id = c->id;
    out->client = c->client;
    out->kind = (triage_intake_kind_t)c->kind;
    out->channel = (triage_channel_t)c->channel;
    out->service = (triage_service_area_t)c->service;
    out->received_ms = c->received_ms;
    out->received = c->received;
    out->stage = (triage_stage_t)c->stage;
    out->urgency = (triage_urgency_t)c->urgency;
    out->triggers = c->triggers;
    out->flags = c->flags;
    out->classification = c->classification;
    out->special_support = c->special_support;
    out->special_support_decided = c->special_support_decided;
    out->special_support_decider = c->special_support_decider;
    out->assessment_worker = c->assessment_worker;
    out->responsible = c->responsible;
    out->pair = c->pair;
    out->closing_reason = (triage_closing_reason_t)c->closing_reason;
    out->motivation = (triage_motivation_t)c->motivation;
    out->need_nature = (triage_need_nature_t)c->need_nature;
    out->contact_attempts = c->contact_attempts;
    out->first_contact = c->first_contact;
    out->first_attempt = c->first_attempt;
    out->last_attempt = c->last_attempt;
    out->assessment_started = c->assessment_started;
    out->assessment_completed = c->assessment_completed;
    out->responded = c->responded;
    out->closed = c->closed;
    out->plan_made = c->plan_made;
    out->intake_count = c->nintakes;
    out->deadline_count = c->ndeadlines;
    out->no_shows = c->no_shows;
    out->children = c->children;
    out->attached_to = c->attached_to;
}

void triage__intake_public(triage_intake_info_t *out, const triage__intake *r)
{
    memset(out, 0, sizeof *out);
    out->version = TRIAGE_INTAKE_INFO_VERSION;
    out->id = r->id;
    out->case_id = r->case_id;
    out->client = r->client;
    out->ordinal = r->ordinal;
    out->kind = (triage_intake_kind_t)r->kind;
    out->channel = (triage_channel_t)r->channel;
    out->service = (triage_service_area_t)r->service;
    out->received_ms = r->received_ms;
    out->received = r->received;
    out->urgency = (triage_urgency_t)r->urgency;
    out->triggers = r->triggers;
    out->flags = r->flags;
    out->children = r->children;
}
