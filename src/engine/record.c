/*
 * Records as stores receive them: the schema-2 encoding (codec.c, field
 * tables in records.c), a case aggregate's rows nested for stores of
 * interface version 1, the rules that tie a record's fields together, the
 * indexable keys of interface 1, and triage_record_decode() for tools.
 * Schema-1 blobs (0.1's C structs) are converted by record_v1.c.
 */
#include <string.h>

#include "engine/engine_internal.h"

/* Tags of a case aggregate's nested rows (above every case field tag). */
#define TAG_INTAKES 200
#define TAG_DEADLINES 201

static const triage__schema *const schema_of[] = {
    &triage__client_schema, &triage__case_schema, &triage__worker_schema,
    &triage__absence_schema};

/* ---- encoding ------------------------------------------------------------------ */

/* A nested list: every row's complete encoding, one after the other. */
static void encode_rows(triage__wbuf *b, uint16_t tag, const triage__schema *s, const void *rows,
                        size_t elem, uint32_t n)
{
    triage__wbuf inner = {b->alloc, NULL, 0, 0, 0};
    triage__wbuf all = {b->alloc, NULL, 0, 0, 0};
    for (uint32_t i = 0; i < n && !all.failed; i++) {
        if (triage__encode(&inner, s, (const char *)rows + i * elem)) {
            all.failed = 1;
            break;
        }
        triage__encode_raw(&all, inner.p, inner.n);
    }
    if (all.failed)
        b->failed = 1;
    else
        triage__encode_bytes(b, tag, all.p, all.n);
    triage__free(b->alloc, inner.p);
    triage__free(b->alloc, all.p);
}

triage_status_t triage__record_encode(triage__wbuf *b, int table, const void *rec, int nested)
{
    const triage__schema *s = schema_of[table];
    triage__encode_begin(b, s->kind);
    triage__encode_fields(b, s, rec);
    if (table == TRIAGE__T_CASE && nested) {
        const triage__case *c = rec;
        encode_rows(b, TAG_INTAKES, &triage__intake_schema, c->intakes, sizeof *c->intakes,
                    c->nintakes);
        encode_rows(b, TAG_DEADLINES, &triage__deadline_schema, c->deadlines,
                    sizeof *c->deadlines, c->ndeadlines);
    }
    return triage__encode_end(b, s->name);
}

triage_status_t triage__event_encode(triage__wbuf *b, const triage_event_t *ev)
{
    return triage__encode(b, &triage__event_schema, ev);
}

/* ---- decoding ------------------------------------------------------------------- */

typedef struct {
    triage__case *c;
    const triage_allocator_t *a;
} nested_ctx;

/* One nested list of complete encodings: each is split off by its own
 * header's length and decoded (checksum and all). */
static triage_status_t decode_rows(void *vctx, uint16_t tag, const unsigned char *p, size_t len)
{
    nested_ctx *x = vctx;
    if (tag != TAG_INTAKES && tag != TAG_DEADLINES)
        return TRIAGE_OK; /* a newer writer's list: skipped */
    const triage__schema *s = tag == TAG_INTAKES ? &triage__intake_schema : &triage__deadline_schema;
    size_t pos = 0;
    while (pos < len) {
        size_t left = len - pos;
        if (left < TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER)
            return triage__error(TRIAGE_ECORRUPT, "case", "stored case is damaged: a nested row is truncated");
        const unsigned char *r = p + pos;
        size_t payload = (size_t)r[8] | (size_t)r[9] << 8 | (size_t)r[10] << 16 | (size_t)r[11] << 24;
        if (payload > left - TRIAGE__CODEC_HEADER - TRIAGE__CODEC_TRAILER)
            return triage__error(TRIAGE_ECORRUPT, "case", "stored case is damaged: a nested row is truncated");
        size_t one = TRIAGE__CODEC_HEADER + payload + TRIAGE__CODEC_TRAILER;
        triage_status_t rc;
        if (tag == TAG_INTAKES) {
            triage__intake *row = triage__case_add_intake(x->a, x->c);
            if (!row)
                return triage_error_last()->code;
            rc = triage__decode(row, s, r, one, x->a);
        } else {
            triage__deadline *row = triage__case_add_deadline(x->a, x->c);
            if (!row)
                return triage_error_last()->code;
            rc = triage__decode(row, s, r, one, x->a);
        }
        if (rc)
            return rc;
        pos += one;
    }
    return TRIAGE_OK;
}

triage_status_t triage__record_decode(void *rec, int table, const void *data, size_t len,
                                      const triage_allocator_t *a)
{
    memset(rec, 0, table == TRIAGE__T_CLIENT   ? sizeof(triage__client)
                   : table == TRIAGE__T_CASE   ? sizeof(triage__case)
                   : table == TRIAGE__T_WORKER ? sizeof(triage__worker)
                                               : sizeof(triage__absence));
    triage_status_t rc;
    if (triage__record_v1(data, len)) {
        rc = triage__record_decode_v1(rec, table, data, len, a);
        if (!rc && (rc = triage__record_validate(table, rec)) != TRIAGE_OK) {
            if (table == TRIAGE__T_CASE)
                triage__case_release(a, rec);
            else if (table == TRIAGE__T_CLIENT)
                triage__client_release(a, rec);
            else if (table == TRIAGE__T_WORKER)
                triage__worker_release(a, rec);
        }
        return rc;
    }
    if (table == TRIAGE__T_CASE) {
        nested_ctx x = {rec, a};
        rc = triage__decode_ex(rec, schema_of[table], data, len, a, decode_rows, &x);
        /* rows decoded before a failure belong to the record: release them */
        if (rc)
            triage__case_release(a, rec);
    } else {
        rc = triage__decode(rec, schema_of[table], data, len, a);
    }
    if (!rc)
        rc = triage__record_validate(table, rec);
    if (rc) {
        if (table == TRIAGE__T_CLIENT)
            triage__client_release(a, rec);
        else if (table == TRIAGE__T_CASE)
            triage__case_release(a, rec);
        else if (table == TRIAGE__T_WORKER)
            triage__worker_release(a, rec);
    }
    return rc;
}

triage_status_t triage__event_decode(triage_event_t *ev, const void *data, size_t len)
{
    memset(ev, 0, sizeof *ev);
    triage_status_t rc = triage__decode(ev, &triage__event_schema, data, len, NULL);
    ev->version = TRIAGE_EVENT_VERSION;
    return rc ? rc : triage__event_validate(ev);
}

/* ---- the rules that tie fields together ---------------------------------------- */

static triage_status_t bad(const char *field, const char *kind, const char *what)
{
    (void)kind;
    return triage__error(TRIAGE_ECORRUPT, field, "stored %s is damaged: %s", field, what);
}

static int known_row(int32_t row)
{
    return triage_deadline_row_name((triage_deadline_row_t)row) != NULL;
}

static triage_status_t validate_case(const triage__case *c)
{
    if ((c->stage == TRIAGE_STAGE_CLOSED) != (c->closing_reason != TRIAGE_CLOSE_NONE))
        return bad("case.closing_reason", "case", "a closed case has a reason, an open one none");
    if (c->stage == TRIAGE_STAGE_CLOSED && c->closed == TRIAGE_DATE_NONE)
        return bad("case.closed", "case", "a closed case has its closing date");
    if (!(c->flags & TRIAGE_CASE_CLASSIFIED) && c->classification.quadrant != 0)
        return bad("case.quadrant", "case", "a classification without the classified flag");
    if ((c->flags & TRIAGE_CASE_CLASSIFIED) &&
        (c->classification.quadrant < 1 || c->classification.required_role < 1 ||
         c->classification.preferred_role < 1))
        return bad("case.quadrant", "case", "a classified case has a quadrant and roles");
    if (c->nintakes == 0)
        return bad("case.intakes", "case", "a case has at least its opening intake");
    for (uint32_t i = 0; i < c->nintakes; i++) {
        const triage__intake *in = &c->intakes[i];
        if (triage_id_compare(&in->case_id, &c->id))
            return bad("intake.case_id", "intake", "the row belongs to another case");
        if (triage_id_compare(&in->client, &c->client))
            return bad("intake.client", "intake", "the row belongs to another client");
        if (in->ordinal != (int32_t)i)
            return bad("intake.ordinal", "intake", "intakes are out of order");
    }
    for (uint32_t i = 0; i < c->ndeadlines; i++) {
        const triage__deadline *d = &c->deadlines[i];
        if (triage_id_compare(&d->case_id, &c->id))
            return bad("deadline.case_id", "deadline", "the row belongs to another case");
        if (!triage__case_intake(c, &d->intake_id))
            return bad("deadline.intake_id", "deadline", "no intake of the case has that id");
        if (d->ordinal != (int32_t)i)
            return bad("deadline.ordinal", "deadline", "deadline rows are out of order");
        if (!known_row(d->row))
            return bad("deadline.row", "deadline", "unknown deadline row");
        if (!triage_legal_basis_name((triage_legal_basis_t)d->basis))
            return bad("deadline.basis", "deadline", "unknown legal basis");
        if (!triage_milestone_name((triage_milestone_t)d->milestone))
            return bad("deadline.milestone", "deadline", "unknown milestone");
        if (d->due < d->start)
            return bad("deadline.due", "deadline", "due before it starts");
    }
    return TRIAGE_OK;
}

triage_status_t triage__record_validate(int table, const void *rec)
{
    switch (table) {
    case TRIAGE__T_CLIENT: {
        const triage__client *c = rec;
        for (uint32_t i = 0; i < c->nnotified; i++)
            if (!triage__date_valid(c->notified[i]) || (i && c->notified[i] < c->notified[i - 1]))
                return bad("client.notified", "client", "not ascending dates");
        return TRIAGE_OK;
    }
    case TRIAGE__T_CASE:
        return validate_case(rec);
    case TRIAGE__T_WORKER: {
        const triage__worker *w = rec;
        for (uint32_t i = 0; i < w->nserved; i++) {
            if (w->served[i] < 1 || w->served[i] > 9999)
                return bad("worker.served", "worker", "municipality code out of range");
            for (uint32_t k = 0; k < i; k++)
                if (w->served[k] == w->served[i])
                    return bad("worker.served", "worker", "a municipality is listed twice");
        }
        return TRIAGE_OK;
    }
    case TRIAGE__T_ABSENCE: {
        const triage__absence *a = rec;
        if (a->end < a->start)
            return bad("absence.end", "absence", "ends before it starts");
        return TRIAGE_OK;
    }
    default:
        return triage__error(TRIAGE_EINVAL, "table", "unknown record table");
    }
}

static int in_range(int64_t v, int64_t lo, int64_t hi)
{
    return v >= lo && v <= hi;
}

static int date_ok(triage_date_t d, int none_ok)
{
    return (none_ok && d == TRIAGE_DATE_NONE) || triage__date_valid(d);
}

#define CHECK(cond, field, what)                                                            \
    do {                                                                                    \
        if (!(cond))                                                                        \
            return bad(field, "event", what);                                               \
    } while (0)

/* An event's fields against its kind (the codec checked the ranges of the
 * encoding; events handed over by an interface-1 store come as structs). */
triage_status_t triage__event_validate(const triage_event_t *ev)
{
    CHECK(ev->seq > 0, "event.seq", "not positive");
    CHECK(triage_event_kind_name(ev->kind) != NULL, "event.kind", "unknown event kind");
    CHECK(memchr(ev->policy_id, '\0', sizeof ev->policy_id) != NULL, "event.policy_id",
          "not NUL-terminated");
    for (const char *p = ev->policy_id; *p; p++)
        CHECK(*p >= 0x20 && *p <= 0x7e, "event.policy_id", "not printable ASCII");
    int on_case = ev->kind <= TRIAGE_EVENT_REPEAT_FLAGGED || ev->kind >= TRIAGE_EVENT_DEADLINE_ADDED;
    CHECK(on_case ? !triage_id_is_nil(&ev->case_id) : triage_id_is_nil(&ev->case_id),
          "event.case_id", on_case ? "nil on a case event" : "set on a client or worker event");
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
        CHECK(in_range(TRIAGE_EVENT_SLOT(ev->reason), TRIAGE_SLOT_ASSESSMENT, TRIAGE_SLOT_PAIR) &&
                  !(ev->reason & ~(0xff | TRIAGE_EVENT_OVER_SOFT_CAP | TRIAGE_EVENT_OVER_HARD_CAP)),
              "event.reason", "unknown slot");
        break;
    case TRIAGE_EVENT_CONTACT_ATTEMPT:
        CHECK(in_range(ev->to, TRIAGE_CONTACT_NOT_REACHED, TRIAGE_CONTACT_NO_SHOW), "event.to",
              "unknown contact outcome");
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
        CHECK(triage_milestone_name((triage_milestone_t)ev->to) != NULL, "event.to",
              "unknown milestone");
        break;
    case TRIAGE_EVENT_DEADLINE_ADDED:
        CHECK(known_row(ev->to), "event.to", "unknown deadline row");
        CHECK(!triage_id_is_nil(&ev->from_id), "event.from_id", "the row's id is nil");
        break;
    case TRIAGE_EVENT_SERVICE_DECIDED:
        CHECK(in_range(ev->to, 0, 1), "event.to", "not 0 or 1");
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
        CHECK(!triage_id_is_nil(&ev->subject), "event.subject", "the id is nil");
        break;
    default:
        break;
    }
    return TRIAGE_OK;
}

#undef CHECK

/* ---- interface 1: the indexable keys ------------------------------------------- */

void triage__record_keys(int table, const void *rec, triage_record_keys_t *k)
{
    memset(k, 0, sizeof *k);
    switch (table) {
    case TRIAGE__T_CASE: {
        const triage__case *c = rec;
        k->owner = c->client;
        k->stage = c->stage;
        k->reason = c->closing_reason;
        k->date_from = c->received;
        break;
    }
    case TRIAGE__T_WORKER:
        k->role = ((const triage__worker *)rec)->role;
        break;
    case TRIAGE__T_ABSENCE: {
        const triage__absence *a = rec;
        k->owner = a->worker;
        k->date_from = a->start;
        k->date_to = a->end;
        break;
    }
    default:
        break;
    }
}

/* ---- for tools: a stored record as its public struct ------------------------------ */

static const size_t client_sizes[] = {sizeof(triage_client_t)};
static const size_t case_sizes[] = {sizeof(triage_case_t)};
static const size_t worker_sizes[] = {sizeof(triage_worker_t)};

TRIAGE_API triage_status_t triage_record_decode(void *out, triage_record_kind_t kind,
                                                const void *data, size_t len)
{
    if (!out)
        return triage__error_null("out");
    if (!data)
        return triage__error_null("data");
    int table;
    size_t size;
    switch (kind) {
    case TRIAGE_RECORD_CLIENT:
        table = TRIAGE__T_CLIENT;
        size = triage__out_size(out, client_sizes, 1, "out.version");
        break;
    case TRIAGE_RECORD_CASE:
        table = TRIAGE__T_CASE;
        size = triage__out_size(out, case_sizes, 1, "out.version");
        break;
    case TRIAGE_RECORD_WORKER:
        table = TRIAGE__T_WORKER;
        size = triage__out_size(out, worker_sizes, 1, "out.version");
        break;
    default:
        return triage__error(TRIAGE_EINVAL, "kind", "this record kind has no public struct");
    }
    if (!size)
        return triage_error_last()->code;
    /* A record of another kind is the caller's mistake, not damage. */
    int stored = triage__codec_kind(data, len);
    if (triage__record_v1(data, len))
        stored = len >= 8 ? ((const unsigned char *)data)[6] | ((const unsigned char *)data)[7] << 8
                          : -1;
    if (stored >= 0 && stored != (int)kind)
        return triage__error(TRIAGE_EINVAL, "kind", "the data is a record of another kind");
    union {
        triage__client client;
        triage__case c;
        triage__worker worker;
    } rec;
    triage_status_t rc = triage__record_decode(&rec, table, data, len, NULL);
    if (rc)
        return rc;
    if (table == TRIAGE__T_CLIENT) {
        triage_client_t pub;
        triage__client_public(&pub, &rec.client);
        memcpy(out, &pub, size);
        triage__client_release(NULL, &rec.client);
    } else if (table == TRIAGE__T_CASE) {
        triage_case_t pub;
        triage__case_public(&pub, &rec.c);
        memcpy(out, &pub, size);
        triage__case_release(NULL, &rec.c);
    } else {
        /* the served list would point into freed memory: not given here */
        triage_worker_t pub;
        triage__worker_public(&pub, &rec.worker);
        pub.served = NULL;
        memcpy(out, &pub, size);
        triage__worker_release(NULL, &rec.worker);
    }
    return TRIAGE_OK;
}
