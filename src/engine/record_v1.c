/*
 * Schema 1: the records libtriage 0.1 wrote. Each was a 12-byte header
 * ("TRGR", schema version, record kind, payload length; little-endian) and
 * the record's C struct as laid out in memory on the little-endian LP64
 * ABIs 0.1 supported; events were the bare struct. The structs are frozen
 * here as 0.1 defined them, validated field by field as 0.1's loader did,
 * and converted to the records of schema 2 (a case becomes an aggregate with
 * one intake and its deadline rows).
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

#define NONE TRIAGE_DATE_NONE
#define V1_HEADER 12

/* ---- 0.1's structs ----------------------------------------------------------- */

typedef struct {
    uint32_t version;
    triage_id_t id;
    triage_date_t date_of_birth;
    int32_t language;
    int32_t municipality;
    triage_id_t responsible_worker;
    uint32_t notifications;
    uint32_t failed_contacts;
    uint32_t flags;
    triage_date_t last_contact;
} v1_client_pub;

typedef struct {
    v1_client_pub pub;
    triage_date_t notified[8]; /* the latest notification dates (ring) */
    uint32_t nnotified;        /* total ever */
    triage_id_t active_case;
} v1_client;

typedef struct {
    uint32_t version;
    triage_id_t id;
    triage_id_t client;
    int32_t kind, channel, service;
    int64_t received_ms;
    triage_date_t received;
    int32_t stage, urgency;
    uint32_t triggers, flags;
    triage_classification_t classification;
    int32_t special_support, special_support_decided;
    triage_id_t special_support_decider, assessment_worker, responsible, pair;
    int32_t closing_reason, motivation, need_nature, contact_attempts;
    triage_date_t first_contact, first_attempt, last_attempt, assessment_started,
        assessment_completed, responded, closed;
    triage_date_t milestone_met[9];
    uint32_t deadline_count;
    triage_deadline_t deadlines[16];
} v1_case_pub;

typedef struct {
    v1_case_pub pub;
    triage_id_t attached_to;
} v1_case;

typedef struct {
    uint32_t version;
    triage_id_t id;
    int32_t role;
    double fte;
    uint32_t languages;
    int32_t office, team, active;
    uint32_t served_count;
    int32_t served[16];
} v1_worker;

typedef struct {
    triage_id_t id, worker;
    triage_date_t start, end;
    int32_t removed, reserved;
} v1_absence;

typedef struct {
    int64_t seq, at_ms;
    triage_id_t case_id, subject, actor;
    int32_t kind, from, to, reason;
    triage_id_t from_id, to_id;
    uint32_t policy_version;
    char policy_id[32];
} v1_event;

_Static_assert(sizeof(v1_case) % 8 == 0, "0.1's case record was padded to 8");

/* ---- checks ------------------------------------------------------------------- */

static triage_status_t corrupt(const char *field, const char *what)
{
    return triage__error(TRIAGE_ECORRUPT, field, "stored %s is damaged: %s", field, what);
}

static int in_range(int64_t v, int64_t lo, int64_t hi)
{
    return v >= lo && v <= hi;
}

static int date_ok(triage_date_t d, int none_ok)
{
    return (none_ok && d == NONE) || triage__date_valid(d);
}

#define CHECK(cond, field, what)                                                            \
    do {                                                                                    \
        if (!(cond))                                                                        \
            return corrupt(field, what);                                                    \
    } while (0)

static uint32_t get_le(const unsigned char *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

int triage__record_v1(const void *data, size_t len)
{
    return data && len >= V1_HEADER && memcmp(data, "TRGR", 4) == 0;
}

static const char *const kind_name[] = {"client", "case", "worker", "absence"};

/* The payload of a schema-1 record of `table`, checked against its size. */
static triage_status_t v1_payload(const unsigned char **payload, int table, const void *data,
                                  size_t len, size_t size)
{
    const unsigned char *p = data;
    char field[24];
    snprintf(field, sizeof field, "%s.header", kind_name[table]);
    uint32_t schema = get_le(p + 4, 2);
    if (schema > 1)
        return triage__error(TRIAGE_EVERSION, "data",
                             "the record was written by an unknown libtriage schema (%u)",
                             (unsigned)schema);
    if (schema == 0)
        return corrupt(field, "unknown schema version");
    static const uint32_t kinds[] = {TRIAGE_RECORD_CLIENT, TRIAGE_RECORD_CASE,
                                     TRIAGE_RECORD_WORKER, TRIAGE_RECORD_ABSENCE};
    if (get_le(p + 6, 2) != kinds[table])
        return corrupt(field, "a record of another kind");
    snprintf(field, sizeof field, "%s.length", kind_name[table]);
    if (get_le(p + 8, 4) != len - V1_HEADER || len - V1_HEADER != size)
        return corrupt(field, "the record's length does not match its kind");
    *payload = p + V1_HEADER;
    return TRIAGE_OK;
}

static triage_status_t check_client(const v1_client *r)
{
    const v1_client_pub *c = &r->pub;
    CHECK(c->version == 1, "client.version", "unknown struct version");
    CHECK(!triage_id_is_nil(&c->id), "client.id", "the id is nil");
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

static triage_status_t check_worker(const v1_worker *w)
{
    CHECK(w->version == 1, "worker.version", "unknown struct version");
    CHECK(!triage_id_is_nil(&w->id), "worker.id", "the id is nil");
    CHECK(in_range(w->role, TRIAGE_ROLE_SERVICE_GUIDE, TRIAGE_ROLE_SOCIAL_WORKER), "worker.role",
          "unknown role");
    CHECK(w->fte > 0.0 && w->fte <= 1.0, "worker.fte", "not in (0, 1]");
    CHECK(w->languages != 0 && !(w->languages & ~TRIAGE_LANG_BITS_ALL), "worker.languages",
          "unknown or missing language bits");
    CHECK(in_range(w->office, 0, 9999), "worker.office", "not a municipality code");
    CHECK(w->team >= 0, "worker.team", "negative");
    CHECK(w->active == 0 || w->active == 1, "worker.active", "not a boolean");
    CHECK(w->served_count <= 16, "worker.served_count", "larger than the array");
    for (uint32_t i = 0; i < 16; i++) {
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

static triage_status_t check_case(const v1_case *r)
{
    const v1_case_pub *c = &r->pub;
    CHECK(c->version == 1, "case.version", "unknown struct version");
    CHECK(!triage_id_is_nil(&c->id), "case.id", "the id is nil");
    CHECK(!triage_id_is_nil(&c->client), "case.client", "the client id is nil");
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
    CHECK(!(c->flags & ~0x1ffu), "case.flags", "unknown flag bits");
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
    const triage_date_t dates[] = {c->first_contact,        c->first_attempt, c->last_attempt,
                                   c->assessment_started,   c->assessment_completed,
                                   c->responded,            c->closed};
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(dates); i++)
        CHECK(date_ok(dates[i], 1), "case.dates", "not a supported date");
    for (size_t i = 0; i < 9; i++)
        CHECK(date_ok(c->milestone_met[i], 1), "case.milestone_met", "not a supported date");
    CHECK(c->deadline_count <= 16, "case.deadline_count", "larger than the array");
    for (uint32_t i = 0; i < c->deadline_count; i++) {
        const triage_deadline_t *d = &c->deadlines[i];
        CHECK(triage_deadline_row_name(d->row) != NULL, "case.deadlines.row",
              "unknown deadline row");
        CHECK(in_range(d->basis, TRIAGE_BASIS_SHL_36, TRIAGE_BASIS_POLICY), "case.deadlines.basis",
              "unknown legal basis");
        CHECK(in_range(d->milestone, TRIAGE_MILESTONE_URGENCY_ASSESSED, TRIAGE_MILESTONE_RESPONSE),
              "case.deadlines.milestone", "the milestone index is out of range");
        CHECK(date_ok(d->due, 0), "case.deadlines.due", "not a supported date");
    }
    return TRIAGE_OK;
}

static triage_status_t check_absence(const v1_absence *a)
{
    CHECK(!triage_id_is_nil(&a->id), "absence.id", "the id is nil");
    CHECK(!triage_id_is_nil(&a->worker), "absence.worker", "the worker id is nil");
    CHECK(date_ok(a->start, 0), "absence.start", "not a supported date");
    CHECK(date_ok(a->end, 0), "absence.end", "not a supported date");
    CHECK(a->start <= a->end, "absence.end", "before the start");
    CHECK(a->removed == 0 || a->removed == 1, "absence.removed", "not a boolean");
    CHECK(a->reserved == 0, "absence.reserved", "not zero");
    return TRIAGE_OK;
}

#undef CHECK

/* ---- conversion ----------------------------------------------------------------- */

/* A row id derived from its case's id, so every reader converts the same
 * schema-1 case to the same rows. */
static triage_id_t derived_id(const triage_id_t *base, unsigned char tag, uint32_t k)
{
    triage_id_t id = *base;
    id.bytes[13] ^= tag;
    id.bytes[14] ^= (unsigned char)(k >> 8);
    id.bytes[15] ^= (unsigned char)(k + 1);
    return id;
}

static int cmp_date(const void *a, const void *b)
{
    triage_date_t x = *(const triage_date_t *)a, y = *(const triage_date_t *)b;
    return (x > y) - (x < y);
}

static triage_status_t convert_client(triage__client *out, const v1_client *r,
                                      const triage_allocator_t *a)
{
    memset(out, 0, sizeof *out);
    out->id = r->pub.id;
    out->date_of_birth = r->pub.date_of_birth;
    out->language = r->pub.language;
    out->municipality = r->pub.municipality;
    out->notifications = r->pub.notifications;
    out->failed_contacts = r->pub.failed_contacts;
    out->flags = r->pub.flags;
    out->last_contact = r->pub.last_contact;
    out->responsible_worker = r->pub.responsible_worker;
    out->active_case = r->active_case;
    uint32_t have = r->nnotified < 8 ? r->nnotified : 8;
    out->last_activity = r->pub.last_contact;
    if (have) {
        out->notified = triage__malloc(a, have * sizeof *out->notified);
        if (!out->notified)
            return TRIAGE_ENOMEM;
        memcpy(out->notified, r->notified, have * sizeof *out->notified);
        triage__sort(out->notified, have, sizeof *out->notified, cmp_date);
        out->nnotified = have;
        if (out->last_activity == NONE || out->notified[have - 1] > out->last_activity)
            out->last_activity = out->notified[have - 1];
    }
    return TRIAGE_OK;
}

static triage_status_t convert_case(triage__case *out, const v1_case *r,
                                    const triage_allocator_t *a)
{
    const v1_case_pub *c = &r->pub;
    memset(out, 0, sizeof *out);
    out->id = c->id;
    out->client = c->client;
    out->kind = c->kind;
    out->channel = c->channel;
    out->service = c->service;
    out->received_ms = c->received_ms;
    out->received = c->received;
    out->stage = c->stage;
    out->urgency = c->urgency;
    out->triggers = c->triggers;
    out->flags = c->flags;
    out->classification = c->classification;
    out->special_support = c->special_support;
    out->special_support_decided = c->special_support_decided;
    out->special_support_decider = c->special_support_decider;
    out->assessment_worker = c->assessment_worker;
    out->responsible = c->responsible;
    out->pair = c->pair;
    out->attached_to = r->attached_to;
    out->closing_reason = c->closing_reason;
    out->motivation = c->motivation;
    out->need_nature = c->need_nature;
    out->contact_attempts = c->contact_attempts;
    out->first_contact = c->first_contact;
    out->first_attempt = c->first_attempt;
    out->last_attempt = c->last_attempt;
    out->assessment_started = c->assessment_started;
    out->assessment_completed = c->assessment_completed;
    out->responded = c->responded;
    out->closed = c->closed;
    out->plan_made = NONE;
    /* 0.1 merged attached intakes into the case: one intake carries them all */
    triage__intake *in = triage__case_add_intake(a, out);
    if (!in)
        return triage_error_last()->code;
    in->id = derived_id(&c->id, 'I', 0);
    in->client = c->client;
    in->kind = c->kind;
    in->channel = c->channel;
    in->service = c->service;
    in->received_ms = c->received_ms;
    in->received = c->received;
    in->urgency = c->urgency;
    in->triggers = c->triggers;
    in->assistance_completed = NONE;
    in->flags = TRIAGE__INTAKE_URGENCY_ON_ARRIVAL |
                ((c->flags & TRIAGE_CASE_EMERGENCY_SERVICES) ? TRIAGE__INTAKE_EMERGENCY : 0);
    triage_id_t intake_id = in->id;
    for (uint32_t k = 0; k < c->deadline_count; k++) {
        const triage_deadline_t *d = &c->deadlines[k];
        triage__deadline *row = triage__case_add_deadline(a, out);
        if (!row)
            return triage_error_last()->code;
        row->id = derived_id(&c->id, 'D', k);
        row->intake_id = intake_id;
        row->row = (int32_t)d->row;
        row->basis = (int32_t)d->basis;
        row->milestone = (int32_t)d->milestone;
        row->start_ms = c->received_ms;
        row->start = c->received;
        row->due = d->due;
        row->met = c->milestone_met[d->milestone];
        if (row->milestone == TRIAGE_MILESTONE_URGENCY_ASSESSED && row->met == c->received)
            row->flags |= TRIAGE__DL_MET_ON_ARRIVAL;
    }
    return TRIAGE_OK;
}

triage_status_t triage__record_decode_v1(void *rec, int table, const void *data, size_t len,
                                         const triage_allocator_t *a)
{
    static const size_t sizes[] = {sizeof(v1_client), sizeof(v1_case), sizeof(v1_worker),
                                   sizeof(v1_absence)};
    const unsigned char *p = NULL;
    triage_status_t rc = v1_payload(&p, table, data, len, sizes[table]);
    if (rc)
        return rc;
    switch (table) {
    case TRIAGE__T_CLIENT: {
        v1_client r;
        memcpy(&r, p, sizeof r);
        rc = check_client(&r);
        if (!rc)
            rc = convert_client(rec, &r, a);
        if (rc)
            triage__client_release(a, rec);
        return rc;
    }
    case TRIAGE__T_CASE: {
        v1_case *r = triage__malloc(a, sizeof *r);
        if (!r)
            return TRIAGE_ENOMEM;
        memcpy(r, p, sizeof *r);
        rc = check_case(r);
        if (!rc)
            rc = convert_case(rec, r, a);
        triage__free(a, r);
        if (rc)
            triage__case_release(a, rec);
        return rc;
    }
    case TRIAGE__T_WORKER: {
        v1_worker w;
        memcpy(&w, p, sizeof w);
        rc = check_worker(&w);
        if (rc)
            return rc;
        triage__worker *out = rec;
        memset(out, 0, sizeof *out);
        out->id = w.id;
        out->role = w.role;
        out->fte = w.fte;
        out->languages = w.languages;
        out->office = w.office;
        out->team = w.team;
        out->active = w.active;
        if (w.served_count) {
            out->served = triage__malloc(a, w.served_count * sizeof *out->served);
            if (!out->served)
                return TRIAGE_ENOMEM;
            memcpy(out->served, w.served, w.served_count * sizeof *out->served);
            out->nserved = w.served_count;
        }
        return TRIAGE_OK;
    }
    default: {
        v1_absence ab;
        memcpy(&ab, p, sizeof ab);
        rc = check_absence(&ab);
        if (rc)
            return rc;
        triage__absence *out = rec;
        memset(out, 0, sizeof *out);
        out->id = ab.id;
        out->worker = ab.worker;
        out->start = ab.start;
        out->end = ab.end;
        out->removed = ab.removed;
        return TRIAGE_OK;
    }
    }
}

triage_status_t triage__event_decode_v1(triage_event_t *ev, const void *data, size_t len)
{
    if (len != sizeof(v1_event))
        return corrupt("event", "not the event size of schema 1");
    v1_event v;
    memcpy(&v, data, sizeof v);
    memset(ev, 0, sizeof *ev);
    ev->version = TRIAGE_EVENT_VERSION;
    ev->seq = v.seq;
    ev->at_ms = v.at_ms;
    ev->case_id = v.case_id;
    ev->subject = v.subject;
    ev->actor = v.actor;
    ev->kind = (triage_event_kind_t)v.kind;
    ev->from = v.from;
    ev->to = v.to;
    ev->reason = v.reason;
    ev->from_id = v.from_id;
    ev->to_id = v.to_id;
    ev->policy_version = v.policy_version;
    if (!memchr(v.policy_id, '\0', sizeof v.policy_id))
        return corrupt("event.policy_id", "not NUL-terminated");
    memcpy(ev->policy_id, v.policy_id, sizeof ev->policy_id);
    return TRIAGE_OK; /* the caller validates the converted event */
}
