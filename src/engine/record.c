/*
 * The record encoding stores receive: a 12-byte header (magic "TRGR",
 * schema version, record kind, payload length; little-endian) followed by
 * the record's fixed-width fields as laid out in memory. Every record type
 * holds only fixed-width integers, doubles and byte arrays, is zeroed before
 * use (no stray padding bytes) and has one layout on the little-endian
 * LP64 ABIs libtriage supports; the header lets a later version migrate it.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

_Static_assert(sizeof(triage__case_rec) % 8 == 0, "case record is padded to 8");

static void put_u16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    put_u16(p, v & 0xffff);
    put_u16(p + 2, v >> 16);
}

static uint32_t get_u16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t get_u32(const unsigned char *p)
{
    return get_u16(p) | get_u16(p + 2) << 16;
}

size_t triage__record_size(const triage__table *t)
{
    return TRIAGE__RECORD_HEADER + t->elem;
}

void triage__record_encode(void *buf, const triage__table *t, const void *rec)
{
    unsigned char *p = buf;
    memcpy(p, "TRGR", 4);
    put_u16(p + 4, TRIAGE_STORE_SCHEMA_VERSION);
    put_u16(p + 6, (uint32_t)t->kind);
    put_u32(p + 8, (uint32_t)t->elem);
    memcpy(p + TRIAGE__RECORD_HEADER, rec, t->elem);
}

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case TRIAGE_RECORD_CLIENT: return "client";
    case TRIAGE_RECORD_CASE: return "case";
    case TRIAGE_RECORD_WORKER: return "worker";
    case TRIAGE_RECORD_ABSENCE: return "absence";
    default: return "record";
    }
}

/* Checks the header of a record of `kind` and returns its payload length.
 * Damage is ECORRUPT naming "<kind>.header" or "<kind>.length"; a record of
 * another kind is EINVAL naming "kind" (the caller asked for the wrong one);
 * a newer schema is EVERSION. */
static triage_status_t check_header(const unsigned char *p, size_t len, uint32_t kind,
                                    size_t *payload)
{
    char field[24];
    snprintf(field, sizeof field, "%s.header", kind_name(kind));
    if (len < TRIAGE__RECORD_HEADER || memcmp(p, "TRGR", 4) != 0)
        return triage__error(TRIAGE_ECORRUPT, field,
                             "stored %s is damaged: not a libtriage record", field);
    uint32_t schema = get_u16(p + 4);
    if (schema > TRIAGE_STORE_SCHEMA_VERSION)
        return triage__error(TRIAGE_EVERSION, "data",
                             "the record was written by a newer libtriage schema (%u > %d)",
                             (unsigned)schema, TRIAGE_STORE_SCHEMA_VERSION);
    if (schema == 0)
        return triage__error(TRIAGE_ECORRUPT, field, "stored %s is damaged: schema version 0",
                             field);
    if (get_u16(p + 6) != kind)
        return triage__error(TRIAGE_EINVAL, "kind", "the record is not a %s record",
                             kind_name(kind));
    *payload = get_u32(p + 8);
    if (*payload != len - TRIAGE__RECORD_HEADER) {
        snprintf(field, sizeof field, "%s.length", kind_name(kind));
        return triage__error(TRIAGE_ECORRUPT, field,
                             "stored %s is damaged: the header gives another length", field);
    }
    return TRIAGE_OK;
}

triage_status_t triage__record_decode(void *rec, const triage__table *t, const void *data,
                                      size_t len)
{
    size_t payload = 0;
    triage_status_t rc = check_header(data, len, (uint32_t)t->kind, &payload);
    if (rc)
        return rc;
    if (payload != t->elem) {
        char field[24];
        snprintf(field, sizeof field, "%s.length", kind_name((uint32_t)t->kind));
        return triage__error(TRIAGE_ECORRUPT, field,
                             "stored %s is damaged: not the record size of schema %d", field,
                             TRIAGE_STORE_SCHEMA_VERSION);
    }
    memcpy(rec, (const unsigned char *)data + TRIAGE__RECORD_HEADER, t->elem);
    return triage__validate_record((int)t->kind - 1, rec);
}

TRIAGE_API triage_status_t triage_record_decode(void *out, triage_record_kind_t kind,
                                                const void *data, size_t len)
{
    if (!out)
        return triage__error_null("out");
    if (!data)
        return triage__error_null("data");
    /* The whole internal record is decoded and validated; the public struct
     * is its first member. */
    union {
        triage__client_rec client;
        triage__case_rec kase;
        triage_worker_t worker;
    } rec;
    triage__table t;
    memset(&t, 0, sizeof t);
    t.kind = kind;
    size_t pub;
    switch (kind) {
    case TRIAGE_RECORD_CLIENT:
        pub = sizeof(triage_client_t);
        t.elem = sizeof rec.client;
        break;
    case TRIAGE_RECORD_CASE:
        pub = sizeof(triage_case_t);
        t.elem = sizeof rec.kase;
        break;
    case TRIAGE_RECORD_WORKER:
        pub = sizeof(triage_worker_t);
        t.elem = sizeof rec.worker;
        break;
    default: return triage__error(TRIAGE_EINVAL, "kind", "this record kind has no public struct");
    }
    triage_status_t rc = triage__record_decode(&rec, &t, data, len);
    if (rc)
        return rc;
    memcpy(out, &rec, pub);
    return TRIAGE_OK;
}

void triage__keys_client(const void *rec, triage_record_keys_t *k)
{
    (void)rec;
    memset(k, 0, sizeof *k);
}

void triage__keys_case(const void *rec, triage_record_keys_t *k)
{
    const triage_case_t *c = rec;
    memset(k, 0, sizeof *k);
    k->owner = c->client;
    k->stage = (int32_t)c->stage;
    k->reason = (int32_t)c->closing_reason;
    k->date_from = c->received;
}

void triage__keys_worker(const void *rec, triage_record_keys_t *k)
{
    const triage_worker_t *w = rec;
    memset(k, 0, sizeof *k);
    k->role = (int32_t)w->role;
}

void triage__keys_absence(const void *rec, triage_record_keys_t *k)
{
    const triage__absence_rec *a = rec;
    memset(k, 0, sizeof *k);
    k->owner = a->worker;
    k->date_from = a->start;
    k->date_to = a->end;
}

/* ---- validation of decoded records (schema 1) ------------------------------
 *
 * A store is input: every field of every record and event is checked as it
 * is decoded, so nothing later indexes an array or prints an enum name from
 * damaged data. A failure is TRIAGE_ECORRUPT naming the record kind and the
 * field ("case.stage"), never a value (values may be client data). The
 * checks are per decoded struct so a later schema's decoder can reuse them.
 */

#define NONE TRIAGE_DATE_NONE

static triage_status_t corrupt(const char *field, const char *what)
{
    return triage__error(TRIAGE_ECORRUPT, field, "stored %s is damaged: %s", field, what);
}

static int in_range(int64_t v, int64_t lo, int64_t hi)
{
    return v >= lo && v <= hi;
}

/* A valid date, or NONE when `none_ok`. */
static int date_ok(triage_date_t d, int none_ok)
{
    return (none_ok && d == NONE) || triage__date_valid(d);
}

static int nil(const triage_id_t *id)
{
    static const triage_id_t zero;
    return memcmp(id, &zero, sizeof zero) == 0;
}

#define CHECK(cond, field, what)                                                            \
    do {                                                                                    \
        if (!(cond))                                                                        \
            return corrupt(field, what);                                                    \
    } while (0)

triage_status_t triage__validate_client(const triage__client_rec *r)
{
    const triage_client_t *c = &r->pub;
    CHECK(c->version == TRIAGE_CLIENT_VERSION, "client.version", "unknown struct version");
    CHECK(!nil(&c->id), "client.id", "the id is nil");
    CHECK(date_ok(c->date_of_birth, 1), "client.date_of_birth", "not a supported date");
    CHECK(in_range(c->language, TRIAGE_LANG_FI, TRIAGE_LANG_OTHER), "client.language",
          "unknown language");
    CHECK(in_range(c->municipality, 0, 9999), "client.municipality", "not a municipality code");
    CHECK(!(c->flags & ~TRIAGE_CLIENT_REPEAT_NOTIFIED), "client.flags", "unknown flag bits");
    CHECK(date_ok(c->last_contact, 1), "client.last_contact", "not a supported date");
    uint32_t have = r->nnotified < 8 ? r->nnotified : 8;
    for (uint32_t i = 0; i < 8; i++)
        CHECK(i < have ? date_ok(r->notified[i], 0) : r->notified[i] == 0, "client.notified",
              "the notification ring does not match its count");
    return TRIAGE_OK;
}

triage_status_t triage__validate_worker(const triage_worker_t *w)
{
    CHECK(w->version == TRIAGE_WORKER_VERSION, "worker.version", "unknown struct version");
    CHECK(!nil(&w->id), "worker.id", "the id is nil");
    CHECK(in_range(w->role, TRIAGE_ROLE_SERVICE_GUIDE, TRIAGE_ROLE_SOCIAL_WORKER), "worker.role",
          "unknown role");
    CHECK(w->fte > 0.0 && w->fte <= 1.0, "worker.fte", "not in (0, 1]");
    CHECK(w->languages != 0 && !(w->languages & ~TRIAGE_LANG_BITS_ALL), "worker.languages",
          "unknown or missing language bits");
    CHECK(in_range(w->office, 0, 9999), "worker.office", "not a municipality code");
    CHECK(w->team >= 0, "worker.team", "negative");
    CHECK(w->active == 0 || w->active == 1, "worker.active", "not a boolean");
    CHECK(w->served_count <= TRIAGE_WORKER_MAX_SERVED, "worker.served_count",
          "larger than the array");
    for (uint32_t i = 0; i < TRIAGE_WORKER_MAX_SERVED; i++) {
        if (i >= w->served_count) {
            CHECK(w->served[i] == 0, "worker.served", "unused entries are not zero");
            continue;
        }
        CHECK(in_range(w->served[i], 1, 9999), "worker.served", "not a municipality code");
        for (uint32_t j = 0; j < i; j++)
            CHECK(w->served[j] != w->served[i], "worker.served", "a municipality is listed twice");
    }
    return TRIAGE_OK;
}

static int row_ok(int32_t row)
{
    return in_range(row, TRIAGE_DEADLINE_D1, TRIAGE_DEADLINE_D13) || row == TRIAGE_DEADLINE_RESPONSE;
}

#define CASE_FLAGS_ALL 0x1ffu

static triage_status_t validate_classification(const triage_case_t *c)
{
    const triage_classification_t *k = &c->classification;
    if (!(c->flags & TRIAGE_CASE_CLASSIFIED)) {
        static const triage_classification_t zero;
        CHECK(!memcmp(k, &zero, sizeof zero), "case.classification",
              "set although the case is not classified");
        return TRIAGE_OK;
    }
    CHECK(in_range(k->quadrant, TRIAGE_Q1_GUIDANCE_ONLY, TRIAGE_Q4_SPECIAL_SUPPORT),
          "case.classification.quadrant", "unknown quadrant");
    CHECK(k->special_support <= 1, "case.classification.special_support", "not a boolean");
    CHECK(in_range(k->required_role, TRIAGE_ROLE_SERVICE_GUIDE, TRIAGE_ROLE_SOCIAL_WORKER),
          "case.classification.required_role", "unknown role");
    CHECK(in_range(k->preferred_role, TRIAGE_ROLE_SERVICE_GUIDE, TRIAGE_ROLE_SOCIAL_WORKER),
          "case.classification.preferred_role", "unknown role");
    CHECK(k->high_need <= 1, "case.classification.high_need", "not a boolean");
    CHECK(k->weak_capacity <= 1, "case.classification.weak_capacity", "not a boolean");
    CHECK(k->need_score <= 3 * TRIAGE_NEED_COUNT, "case.classification.need_score",
          "out of range");
    CHECK(k->capacity_score <= 3 * TRIAGE_CAPACITY_COUNT, "case.classification.capacity_score",
          "out of range");
    CHECK(!(k->need_rationale >> TRIAGE_NEED_COUNT), "case.classification.need_rationale",
          "unknown need areas");
    CHECK(!(k->capacity_rationale >> TRIAGE_CAPACITY_COUNT),
          "case.classification.capacity_rationale", "unknown barriers");
    return TRIAGE_OK;
}

triage_status_t triage__validate_case(const triage__case_rec *r)
{
    const triage_case_t *c = &r->pub;
    CHECK(c->version == TRIAGE_CASE_VERSION, "case.version", "unknown struct version");
    CHECK(!nil(&c->id), "case.id", "the id is nil");
    CHECK(!nil(&c->client), "case.client", "the client id is nil");
    CHECK(in_range(c->kind, TRIAGE_INTAKE_CONTACT, TRIAGE_INTAKE_OTHER_AUTHORITY), "case.kind",
          "unknown intake kind");
    CHECK(in_range(c->channel, TRIAGE_CHANNEL_PHONE, TRIAGE_CHANNEL_OTHER_AUTHORITY),
          "case.channel", "unknown channel");
    CHECK(in_range(c->service, TRIAGE_SERVICE_WORKING_AGE, TRIAGE_SERVICE_OLDER), "case.service",
          "unknown service area");
    CHECK(date_ok(c->received, 0), "case.received", "not a supported date");
    CHECK(in_range(c->stage, TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_CLOSED), "case.stage",
          "unknown stage");
    CHECK(in_range(c->urgency, TRIAGE_URGENCY_IMMEDIATE, TRIAGE_URGENCY_NORMAL), "case.urgency",
          "unknown urgency tier");
    CHECK(!(c->triggers & ~TRIAGE_TRIGGER_ALL), "case.triggers", "unknown trigger bits");
    CHECK(!(c->flags & ~CASE_FLAGS_ALL), "case.flags", "unknown flag bits");
    triage_status_t rc = validate_classification(c);
    if (rc)
        return rc;
    CHECK(c->special_support == 0 || c->special_support == 1, "case.special_support",
          "not a boolean");
    CHECK(in_range(c->special_support_decided, -1, 1), "case.special_support_decided",
          "not -1, 0 or 1");
    CHECK(in_range(c->closing_reason, TRIAGE_CLOSE_NONE, TRIAGE_CLOSE_DUPLICATE),
          "case.closing_reason", "unknown closing reason");
    CHECK((c->stage == TRIAGE_STAGE_CLOSED) == (c->closing_reason != TRIAGE_CLOSE_NONE),
          "case.closing_reason", "does not match the stage");
    CHECK(in_range(c->motivation, TRIAGE_MOTIVATION_UNKNOWN, TRIAGE_MOTIVATION_UNCLEAR),
          "case.motivation", "unknown motivation");
    CHECK(in_range(c->need_nature, TRIAGE_NEED_NATURE_UNKNOWN, TRIAGE_NEED_NATURE_LONG_TERM),
          "case.need_nature", "unknown need nature");
    CHECK(c->contact_attempts >= 0, "case.contact_attempts", "negative");
    static const struct {
        size_t off;
        const char *name;
    } dates[] = {
        {offsetof(triage_case_t, first_contact), "case.first_contact"},
        {offsetof(triage_case_t, first_attempt), "case.first_attempt"},
        {offsetof(triage_case_t, last_attempt), "case.last_attempt"},
        {offsetof(triage_case_t, assessment_started), "case.assessment_started"},
        {offsetof(triage_case_t, assessment_completed), "case.assessment_completed"},
        {offsetof(triage_case_t, responded), "case.responded"},
        {offsetof(triage_case_t, closed), "case.closed"},
    };
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(dates); i++) {
        triage_date_t d;
        memcpy(&d, (const char *)c + dates[i].off, sizeof d);
        CHECK(date_ok(d, 1), dates[i].name, "not a supported date");
    }
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(c->milestone_met); i++)
        CHECK(date_ok(c->milestone_met[i], 1), "case.milestone_met", "not a supported date");
    CHECK(c->deadline_count <= TRIAGE_DEADLINE_MAX, "case.deadline_count",
          "larger than the array");
    for (uint32_t i = 0; i < c->deadline_count; i++) {
        const triage_deadline_t *d = &c->deadlines[i];
        CHECK(row_ok(d->row), "case.deadlines.row", "unknown deadline row");
        CHECK(in_range(d->basis, TRIAGE_BASIS_SHL_36, TRIAGE_BASIS_POLICY), "case.deadlines.basis",
              "unknown legal basis");
        CHECK(in_range(d->milestone, TRIAGE_MILESTONE_URGENCY_ASSESSED, TRIAGE_MILESTONE_RESPONSE),
              "case.deadlines.milestone", "the milestone index is out of range");
        CHECK(date_ok(d->due, 0), "case.deadlines.due", "not a supported date");
    }
    return TRIAGE_OK;
}

triage_status_t triage__validate_absence(const triage__absence_rec *a)
{
    CHECK(!nil(&a->id), "absence.id", "the id is nil");
    CHECK(!nil(&a->worker), "absence.worker", "the worker id is nil");
    CHECK(date_ok(a->start, 0), "absence.start", "not a supported date");
    CHECK(date_ok(a->end, 0), "absence.end", "not a supported date");
    CHECK(a->start <= a->end, "absence.end", "before the start");
    CHECK(a->removed == 0 || a->removed == 1, "absence.removed", "not a boolean");
    CHECK(a->reserved == 0, "absence.reserved", "not zero");
    return TRIAGE_OK;
}

triage_status_t triage__validate_event(const triage_event_t *ev)
{
    CHECK(ev->seq > 0, "event.seq", "not positive");
    CHECK(in_range(ev->kind, TRIAGE_EVENT_INTAKE, TRIAGE_EVENT_ABSENCE_REMOVED), "event.kind",
          "unknown event kind");
    CHECK(memchr(ev->policy_id, '\0', sizeof ev->policy_id) != NULL, "event.policy_id",
          "not NUL-terminated");
    int on_case = ev->kind <= TRIAGE_EVENT_REPEAT_FLAGGED;
    CHECK(on_case ? !nil(&ev->case_id) : nil(&ev->case_id), "event.case_id",
          on_case ? "nil on a case event" : "set on a client or worker event");
    switch (ev->kind) {
    case TRIAGE_EVENT_INTAKE:
        CHECK(ev->to == TRIAGE_STAGE_RECEIVED, "event.to", "not the intake stage");
        CHECK(in_range(ev->reason, TRIAGE_INTAKE_CONTACT, TRIAGE_INTAKE_OTHER_AUTHORITY),
              "event.reason", "unknown intake kind");
        break;
    case TRIAGE_EVENT_ATTACHED:
        CHECK(in_range(ev->to, TRIAGE_INTAKE_CONTACT, TRIAGE_INTAKE_OTHER_AUTHORITY), "event.to",
              "unknown intake kind");
        CHECK(in_range(ev->reason, TRIAGE_CHANNEL_PHONE, TRIAGE_CHANNEL_OTHER_AUTHORITY),
              "event.reason", "unknown channel");
        break;
    case TRIAGE_EVENT_STAGE_CHANGED:
        CHECK(in_range(ev->from, TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_CLOSED), "event.from",
              "unknown stage");
        CHECK(in_range(ev->to, TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_CLOSED), "event.to",
              "unknown stage");
        CHECK(in_range(ev->reason, TRIAGE_CLOSE_NONE, TRIAGE_CLOSE_DUPLICATE), "event.reason",
              "unknown closing reason");
        break;
    case TRIAGE_EVENT_URGENCY_ASSESSED:
        CHECK(in_range(ev->to, TRIAGE_URGENCY_IMMEDIATE, TRIAGE_URGENCY_NORMAL), "event.to",
              "unknown urgency tier");
        break;
    case TRIAGE_EVENT_CLASSIFIED:
        CHECK(in_range(ev->from, 0, TRIAGE_Q4_SPECIAL_SUPPORT), "event.from", "unknown quadrant");
        CHECK(in_range(ev->to, TRIAGE_Q1_GUIDANCE_ONLY, TRIAGE_Q4_SPECIAL_SUPPORT), "event.to",
              "unknown quadrant");
        break;
    case TRIAGE_EVENT_WORKER_ASSIGNED:
        CHECK(in_range(ev->reason, TRIAGE_SLOT_ASSESSMENT, TRIAGE_SLOT_PAIR), "event.reason",
              "unknown slot");
        break;
    case TRIAGE_EVENT_CONTACT_ATTEMPT:
        CHECK(ev->to == 0 || ev->to == 1, "event.to", "not a boolean");
        break;
    case TRIAGE_EVENT_MOTIVATION_CHECKED:
        CHECK(in_range(ev->to, TRIAGE_MOTIVATION_UNKNOWN, TRIAGE_MOTIVATION_UNCLEAR), "event.to",
              "unknown motivation");
        break;
    case TRIAGE_EVENT_ASSESSMENT_RECORDED:
        CHECK(in_range(ev->to, TRIAGE_NEED_NATURE_UNKNOWN, TRIAGE_NEED_NATURE_LONG_TERM),
              "event.to", "unknown need nature");
        break;
    case TRIAGE_EVENT_MILESTONE:
        CHECK(in_range(ev->to, TRIAGE_MILESTONE_URGENCY_ASSESSED, TRIAGE_MILESTONE_RESPONSE),
              "event.to", "unknown milestone");
        break;
    case TRIAGE_EVENT_ABSENCE_ADDED:
    case TRIAGE_EVENT_ABSENCE_REMOVED:
        CHECK(date_ok(ev->from, 0) && date_ok(ev->to, 0) && ev->from <= ev->to, "event.to",
              "not a date range");
        break;
    default:
        break;
    }
    switch (ev->kind) {
    case TRIAGE_EVENT_CLIENT_CREATED:
    case TRIAGE_EVENT_CLIENT_UPDATED:
    case TRIAGE_EVENT_WORKER_CREATED:
    case TRIAGE_EVENT_WORKER_UPDATED:
    case TRIAGE_EVENT_ABSENCE_ADDED:
    case TRIAGE_EVENT_ABSENCE_REMOVED:
        CHECK(!nil(&ev->subject), "event.subject", "the id is nil");
        break;
    default:
        break;
    }
    return TRIAGE_OK;
}

triage_status_t triage__validate_record(int table, const void *rec)
{
    switch (table) {
    case TRIAGE__T_CLIENT: return triage__validate_client(rec);
    case TRIAGE__T_CASE: return triage__validate_case(rec);
    case TRIAGE__T_WORKER: return triage__validate_worker(rec);
    case TRIAGE__T_ABSENCE: return triage__validate_absence(rec);
    default: return triage__error(TRIAGE_EINVAL, "table", "unknown record table");
    }
}

