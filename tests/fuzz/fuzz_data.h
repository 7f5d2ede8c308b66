/*
 * Shared by the record and policy fuzz targets: a small data set built once
 * through the public API, captured as a store of each interface keeps it,
 * and two tiny read-only stores that hand it to an engine with one piece
 * replaced or added.
 *
 * - Interface 2: every record kind as its own record (clients, cases,
 *   workers, absences, intakes, deadline rows and the five policy slots)
 *   with owner, revision and creation number, and the events in their
 *   portable encoding. The store applies every query filter exactly, so an
 *   engine also reads closed cases and their rows on demand.
 * - Interface 1: the four record kinds (a case with its intakes and
 *   deadline rows nested) and the events as triage_event_t.
 *
 * Internal headers are used only to find the policies' payloads and the
 * events' filter fields; the engine reads nothing but the bytes.
 */
#ifndef TRIAGE_FUZZ_DATA_H
#define TRIAGE_FUZZ_DATA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <triage/sys/store.h>
#include <triage/triage.h>

#include "engine/engine_internal.h"
#include "fuzz_common.h"

typedef struct {
    triage_record_kind_t kind;
    triage_id_t id, owner;
    int64_t revision, created;
    unsigned char *data;
    size_t len;
} fuzz_rec;

typedef struct {
    int64_t seq, at_ms;
    triage_id_t case_id;
    unsigned char *data; /* interface 2: the encoding */
    size_t len;
    triage_event_t ev;   /* interface 1: the struct */
} fuzz_ev;

typedef struct {
    fuzz_rec *recs;
    size_t nrecs, caprecs;
    fuzz_ev *evs;
    size_t nevs, capevs;
    int64_t last_seq;
} fuzz_set;

static fuzz_set fuzz_v2, fuzz_v1;

#define FUZZ_CHECK(x)                                                                       \
    do {                                                                                    \
        if ((x) != TRIAGE_OK) {                                                             \
            fprintf(stderr, "fuzz data: %s: %s\n", #x, triage_error_last()->message);       \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

static inline void *fuzz_dup(const void *p, size_t n)
{
    unsigned char *q = malloc(n ? n : 1);
    if (!q)
        abort();
    if (n)
        memcpy(q, p, n);
    return q;
}

/* Room for one more element of *p (cap doubles). */
static inline void *fuzz_grow(void *p, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return p;
    *cap = *cap ? 2 * *cap : 64;
    p = realloc(p, *cap * elem);
    if (!p)
        abort();
    return p;
}

static inline fuzz_rec *fuzz_set_rec(fuzz_set *s)
{
    s->recs = fuzz_grow(s->recs, s->nrecs, &s->caprecs, sizeof *s->recs);
    fuzz_rec *r = &s->recs[s->nrecs++];
    memset(r, 0, sizeof *r);
    return r;
}

static inline fuzz_ev *fuzz_set_ev(fuzz_set *s)
{
    s->evs = fuzz_grow(s->evs, s->nevs, &s->capevs, sizeof *s->evs);
    fuzz_ev *e = &s->evs[s->nevs++];
    memset(e, 0, sizeof *e);
    return e;
}

/* Writes a seed file DIR/NAME: `head` (the target's selector bytes), then
 * `data`. */
static inline void fuzz_write_seed(const char *dir, const char *name, const void *head,
                                   size_t nhead, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp || (nhead && fwrite(head, 1, nhead, fp) != nhead) ||
        (len && fwrite(data, 1, len, fp) != len))
        abort();
    fclose(fp);
}

/* ---- checksums ---------------------------------------------------------------------- */

static inline uint32_t fuzz_le(const unsigned char *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static inline void fuzz_put_le(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/*
 * Makes a mutated schema-2 encoding pass its own length and CRC-32C checks
 * (and those of the rows nested in an interface-1 case), so that the
 * fields behind them are fuzzed too; anything else is left as it is.
 * Header: "TRG2", u16 version, u16 kind, u32 payload length; fields: u16
 * tag, u8 wire type, value; trailer: the CRC of everything before it.
 */
static inline void fuzz_fix_crc(unsigned char *p, size_t len, int depth)
{
    if (len < TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER ||
        memcmp(p, TRIAGE__CODEC_MAGIC, 4) != 0 || depth > 1)
        return;
    fuzz_put_le(p + 8, (uint32_t)(len - TRIAGE__CODEC_HEADER - TRIAGE__CODEC_TRAILER));
    unsigned char *q = p + TRIAGE__CODEC_HEADER, *end = p + len - TRIAGE__CODEC_TRAILER;
    while (end - q >= 3) {
        unsigned tag = fuzz_le(q, 2), wire = q[2];
        q += 3;
        size_t n = wire == TRIAGE__W_INT || wire == TRIAGE__W_REAL ? 8
                   : wire == TRIAGE__W_ID                          ? 16
                   : wire == TRIAGE__W_TEXT && end - q >= 2        ? 2 + fuzz_le(q, 2)
                   : (wire == TRIAGE__W_INTS || wire == TRIAGE__W_BYTES) && end - q >= 4
                       ? 4 + (size_t)fuzz_le(q, 4) * (wire == TRIAGE__W_INTS ? 4 : 1)
                       : SIZE_MAX;
        if (n == SIZE_MAX || n > (size_t)(end - q))
            break;
        if (wire == TRIAGE__W_BYTES && tag >= 200) {
            /* nested rows: complete encodings one after the other */
            unsigned char *r = q + 4, *rend = q + n;
            while (rend - r >= TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER) {
                size_t one = TRIAGE__CODEC_HEADER + TRIAGE__CODEC_TRAILER + fuzz_le(r + 8, 4);
                if (one > (size_t)(rend - r))
                    one = (size_t)(rend - r);
                fuzz_fix_crc(r, one, depth + 1);
                r += one;
            }
        }
        q += n;
    }
    fuzz_put_le(p + len - 4, triage__crc32c(p, len - 4));
}

/* ---- the data set ------------------------------------------------------------------ */

/* Workers of three roles, clients, cases in several stages (one closed,
 * one with an attached intake, rows that arose after intake), absences
 * (one removed) and, on interface 2, every policy slot. */
static inline void fuzz_build(triage_engine_t *e, int policies)
{
    int64_t t = FUZZ_NOW_MS - INT64_C(20) * 86400000;
    const int64_t hour = 3600000;
    triage_worker_t w = TRIAGE_WORKER_INIT;
    triage_id_t sw, sc, sg;
    int32_t served[2] = {297, 92};
    w.role = TRIAGE_ROLE_SOCIAL_WORKER;
    w.office = 297;
    w.served_count = 2;
    w.served = served;
    FUZZ_CHECK(triage_worker_create(&sw, e, &w));
    w.role = TRIAGE_ROLE_SOCIAL_COUNSELLOR;
    w.served_count = 0;
    w.served = NULL;
    FUZZ_CHECK(triage_worker_create(&sc, e, &w));
    w.role = TRIAGE_ROLE_SERVICE_GUIDE;
    w.fte = 0.5;
    w.team = 2;
    FUZZ_CHECK(triage_worker_create(&sg, e, &w));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_id_t c1, c2, c3;
    c.municipality = 297;
    FUZZ_CHECK(triage_client_create(&c1, e, &c));
    c.language = TRIAGE_LANG_SV;
    FUZZ_CHECK(triage_client_create(&c2, e, &c));
    c.municipality = 92;
    c.date_of_birth = 7000;
    FUZZ_CHECK(triage_client_create(&c3, e, &c));

    /* 1: a notification in acute crisis, guided, distributed, classified, assigned */
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    triage_intake_result_t r1, r2, r3, r4;
    r1.version = r2.version = r3.version = r4.version = TRIAGE_INTAKE_RESULT_VERSION;
    in.client = c1;
    in.kind = TRIAGE_INTAKE_NOTIFICATION;
    in.received_ms = t;
    in.triggers = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_ACUTE_CRISIS);
    FUZZ_CHECK(triage_intake(&r1, e, &in));
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_GUIDANCE;
    m.at_ms = t + hour;
    FUZZ_CHECK(triage_case_move(e, &r1.case_id, &m));
    FUZZ_CHECK(triage_case_contact_attempt(e, &r1.case_id, &sg, t + 2 * hour, 1));
    m.to = TRIAGE_STAGE_DISTRIBUTION;
    m.at_ms = t + 3 * hour;
    FUZZ_CHECK(triage_case_move(e, &r1.case_id, &m));
    triage_scores_t s;
    memset(&s, 0, sizeof s);
    s.need[TRIAGE_NEED_HOUSING] = 3;
    s.capacity[TRIAGE_CAPACITY_SUBSTANCE] = 2;
    FUZZ_CHECK(triage_case_classify(NULL, NULL, e, &r1.case_id, &sw, t + 4 * hour, &s));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = t + 5 * hour;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    FUZZ_CHECK(triage_assign_case(&a, e, &r1.case_id, &req));
    triage_assignment_clear(&a);
    FUZZ_CHECK(triage_case_service_decision(e, &r1.case_id, &sw, t + 30 * hour, NULL, 0));
    FUZZ_CHECK(triage_case_request_meeting(e, &r1.case_id, NULL, t + 31 * hour, NULL));

    /* 2: an urgent application, referred elsewhere and closed */
    in.client = c2;
    in.kind = TRIAGE_INTAKE_APPLICATION;
    in.triggers = 0;
    in.assistance_urgent = 1;
    in.received_ms = t + 6 * hour;
    FUZZ_CHECK(triage_intake(&r2, e, &in));
    m.to = TRIAGE_STAGE_GUIDANCE;
    m.at_ms = t + 7 * hour;
    FUZZ_CHECK(triage_case_move(e, &r2.case_id, &m));
    m.to = TRIAGE_STAGE_CLOSED;
    m.reason = TRIAGE_CLOSE_REFERRED;
    m.at_ms = t + 8 * hour;
    FUZZ_CHECK(triage_case_move(e, &r2.case_id, &m));
    m.reason = TRIAGE_CLOSE_NONE;

    /* 3: an incomplete application with a completion request */
    in.client = c3;
    in.assistance_urgent = 0;
    in.assistance_complete = 0;
    in.received_ms = t + 26 * hour;
    FUZZ_CHECK(triage_intake(&r3, e, &in));
    FUZZ_CHECK(triage_case_request_completion(e, &r3.intake_id, NULL, t + 50 * hour,
                                              FUZZ_TODAY - 5));

    /* 4: a later matter of client 1, attached to the active case */
    in.client = c1;
    in.kind = TRIAGE_INTAKE_CONTACT;
    in.received_ms = t + 80 * hour;
    in.urgency_assessed = 0;
    in.children = 2;
    in.service = TRIAGE_SERVICE_FAMILY;
    FUZZ_CHECK(triage_intake(&r4, e, &in));

    triage_id_t abs1, abs2;
    FUZZ_CHECK(triage_absence_add(&abs1, e, &sc, FUZZ_TODAY + 20, FUZZ_TODAY + 30, NULL));
    FUZZ_CHECK(triage_absence_add(&abs2, e, &sw, FUZZ_TODAY - 3, FUZZ_TODAY - 1, &sg));
    FUZZ_CHECK(triage_absence_remove(e, &abs2, NULL));

    if (policies) {
        triage_assign_policy_t *p;
        FUZZ_CHECK(triage_assign_policy_new(&p, NULL));
        FUZZ_CHECK(triage_assign_policy_set_id(p, "fuzz-assign", 3));
        FUZZ_CHECK(triage_assign_policy_set(p, TRIAGE_ASSIGN_LATER_FACTOR, 0.75));
        FUZZ_CHECK(triage_engine_set_assign_policy(e, p));
        triage_assign_policy_free(p);
        int32_t codes[3] = {297, 92, 49};
        double dist[9] = {0, 380.5, 390, 380.5, 0, 12.25, 390, 12.25, 0};
        FUZZ_CHECK(triage_engine_set_distances(e, codes, dist, 3));
    }
}

/* ---- capturing it ------------------------------------------------------------------ */

static int fuzz_take_v2(void *ctx, const triage_store_record_t *r)
{
    fuzz_rec *x = fuzz_set_rec(ctx);
    x->kind = r->kind;
    x->id = r->id;
    x->owner = r->owner;
    x->revision = r->revision;
    x->created = r->created;
    x->data = fuzz_dup(r->data, r->len);
    x->len = r->len;
    return 0;
}

/* The filter fields of an encoded event (nil and 0 when it does not decode). */
static inline void fuzz_event_keys(fuzz_ev *x)
{
    triage_event_t ev;
    if (triage__event_decode(&ev, x->data, x->len) == TRIAGE_OK) {
        x->case_id = ev.case_id;
        x->at_ms = ev.at_ms;
    } else {
        memset(&x->case_id, 0, sizeof x->case_id);
        x->at_ms = 0;
    }
}

static int fuzz_take_ev2(void *ctx, const triage_store_event_t *se)
{
    fuzz_ev *x = fuzz_set_ev(ctx);
    x->seq = se->seq;
    x->data = fuzz_dup(se->data, se->len);
    x->len = se->len;
    fuzz_event_keys(x);
    return 0;
}

/* A recording store of interface 1 (no rollback: every call succeeds). */
static int fuzz_rec_ok(void *ud)
{
    (void)ud;
    return 0;
}

static int fuzz_rec_put(void *ud, triage_record_kind_t k, const triage_id_t *id,
                        const triage_record_keys_t *keys, const void *d, size_t n)
{
    (void)keys;
    fuzz_set *s = ud;
    for (size_t i = 0; i < s->nrecs; i++)
        if (s->recs[i].kind == k && !memcmp(&s->recs[i].id, id, sizeof *id)) {
            free(s->recs[i].data);
            s->recs[i].data = fuzz_dup(d, n);
            s->recs[i].len = n;
            return 0;
        }
    fuzz_rec *r = fuzz_set_rec(s);
    r->kind = k;
    r->id = *id;
    r->data = fuzz_dup(d, n);
    r->len = n;
    return 0;
}

static int fuzz_rec_del(void *ud, triage_record_kind_t k, const triage_id_t *id)
{
    fuzz_set *s = ud;
    for (size_t i = 0; i < s->nrecs; i++)
        if (s->recs[i].kind == k && !memcmp(&s->recs[i].id, id, sizeof *id)) {
            free(s->recs[i].data);
            memmove(&s->recs[i], &s->recs[i + 1], (s->nrecs - i - 1) * sizeof *s->recs);
            s->nrecs--;
            return 0;
        }
    return TRIAGE_ENOTFOUND;
}

static int fuzz_rec_list(void *ud, triage_record_kind_t k, triage_record_visit_fn v, void *c)
{
    fuzz_set *s = ud;
    for (size_t i = 0; i < s->nrecs; i++)
        if (s->recs[i].kind == k) {
            int rc = v(c, &s->recs[i].id, s->recs[i].data, s->recs[i].len);
            if (rc)
                return rc;
        }
    return 0;
}

static int fuzz_rec_append(void *ud, const triage_event_t *ev)
{
    fuzz_ev *x = fuzz_set_ev(ud);
    x->ev = *ev;
    x->seq = ev->seq;
    return 0;
}

static int fuzz_rec_events(void *ud, triage_event_visit_fn v, void *c)
{
    fuzz_set *s = ud;
    for (size_t i = 0; i < s->nevs; i++) {
        int rc = v(c, &s->evs[i].ev);
        if (rc)
            return rc;
    }
    return 0;
}

/* Builds both captures (once per process). */
static inline void fuzz_data_init(void)
{
    /* interface 2: the memory store, read back through a second handle */
    triage_store_t mem, reader;
    FUZZ_CHECK(triage_store_memory(&mem, NULL));
    FUZZ_CHECK(triage_store_memory_share(&reader, &mem));
    triage_engine_options_t o = fuzz_options();
    triage_urgency_policy_t *up;
    triage_deadline_rules_t *dr;
    triage_classify_policy_t *cp;
    FUZZ_CHECK(triage_urgency_policy_new(&up, NULL));
    FUZZ_CHECK(triage_deadline_rules_new(&dr, NULL));
    FUZZ_CHECK(triage_classify_policy_new(&cp, NULL));
    o.urgency = up;
    o.deadlines = dr;
    o.classify = cp;
    triage_engine_t *e;
    FUZZ_CHECK(triage_engine_open(&e, &o, &mem));
    triage_urgency_policy_free(up);
    triage_deadline_rules_free(dr);
    triage_classify_policy_free(cp);
    fuzz_build(e, 1);
    triage_engine_free(e);
    for (int k = TRIAGE_RECORD_CLIENT; k <= TRIAGE_RECORD_POLICY; k++) {
        triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, (triage_record_kind_t)k, {{0}}, 0,
                                  0, 0};
        if (reader.query_records(reader.userdata, &q, fuzz_take_v2, &fuzz_v2))
            abort();
    }
    triage_store_event_query_t eq = {TRIAGE_STORE_EVENT_QUERY_VERSION, 0, INT64_MAX, {{0}},
                                     INT64_MIN, INT64_MAX, 0};
    if (reader.query_events(reader.userdata, &eq, fuzz_take_ev2, &fuzz_v2) ||
        reader.last_seq(reader.userdata, &fuzz_v2.last_seq))
        abort();
    reader.destroy(reader.userdata);

    /* interface 1: the recording store */
    triage_store_t v1 = TRIAGE_STORE_INIT;
    v1.version = 1;
    v1.userdata = &fuzz_v1;
    v1.begin = v1.commit = v1.rollback = fuzz_rec_ok;
    v1.put = fuzz_rec_put;
    v1.del = fuzz_rec_del;
    v1.list = fuzz_rec_list;
    v1.append_event = fuzz_rec_append;
    v1.list_events = fuzz_rec_events;
    o = fuzz_options();
    FUZZ_CHECK(triage_engine_open(&e, &o, &v1));
    fuzz_build(e, 0);
    triage_engine_free(e);
    if (fuzz_v1.nevs)
        fuzz_v1.last_seq = fuzz_v1.evs[fuzz_v1.nevs - 1].seq;
}

/* ---- the tiny stores -------------------------------------------------------------- */

/* The base set as served: one record replaced (index), one added (extra),
 * or one event replaced; with `refresh`, the change is a later commit: it
 * is served only once `changed` is set, with the next sequence number. */
typedef struct {
    const fuzz_set *set;
    size_t replace;        /* record index, or SIZE_MAX */
    size_t replace_ev;     /* event index, or SIZE_MAX */
    const fuzz_rec *extra; /* an added record, or NULL */
    const unsigned char *data;
    size_t len;
    fuzz_ev ev;            /* the replacing (or, on refresh, appended) event */
    int refresh, changed;
} fuzz_tiny;

static inline int64_t fuzz_tiny_last(const fuzz_tiny *t)
{
    return t->set->last_seq + (t->refresh && t->changed);
}

/* Record i as served (i == nrecs: the extra one); 0 when not served. */
static inline int fuzz_tiny_rec(const fuzz_tiny *t, size_t i, triage_store_record_t *out)
{
    const fuzz_rec *r = i < t->set->nrecs ? &t->set->recs[i] : t->extra;
    if (!r)
        return 0;
    int mine = i == t->replace || (i == t->set->nrecs);
    if (mine && t->refresh && !t->changed) {
        if (i == t->set->nrecs)
            return 0; /* not added yet */
        mine = 0;      /* not replaced yet */
    }
    memset(out, 0, sizeof *out);
    out->version = TRIAGE_STORE_RECORD_VERSION;
    out->kind = r->kind;
    out->id = r->id;
    out->owner = r->owner;
    out->revision = mine && t->refresh ? t->set->last_seq + 1 : r->revision;
    out->created = r->created;
    out->data = mine ? t->data : r->data;
    out->len = mine ? t->len : r->len;
    return 1;
}

static int fuzz_t_fail(void *ud)
{
    (void)ud;
    return -1; /* read-only: every write is refused */
}

static int fuzz_t_ok(void *ud)
{
    (void)ud;
    return 0;
}

static int fuzz_t_last_seq(void *ud, int64_t *out)
{
    *out = fuzz_tiny_last(ud);
    return 0;
}

static int fuzz_t_put_record(void *ud, const triage_store_record_t *r)
{
    (void)ud, (void)r;
    return -1;
}

static int fuzz_t_append2(void *ud, const triage_store_event_t *ev)
{
    (void)ud, (void)ev;
    return -1;
}

static int fuzz_t_get_record(void *ud, triage_record_kind_t kind, const triage_id_t *id,
                             triage_store_record_fn visit, void *ctx)
{
    const fuzz_tiny *t = ud;
    for (size_t i = 0; i <= t->set->nrecs; i++) {
        triage_store_record_t r;
        if (fuzz_tiny_rec(t, i, &r) && r.kind == kind && !memcmp(&r.id, id, sizeof *id))
            return visit(ctx, &r);
    }
    return TRIAGE_ENOTFOUND;
}

static int fuzz_t_query_records(void *ud, const triage_store_query_t *q,
                                triage_store_record_fn visit, void *ctx)
{
    const fuzz_tiny *t = ud;
    for (size_t i = 0; i <= t->set->nrecs; i++) {
        triage_store_record_t r;
        if (!fuzz_tiny_rec(t, i, &r) || r.kind != q->kind || r.revision <= q->changed_after)
            continue;
        if (!triage_id_is_nil(&q->owner) && memcmp(&q->owner, &r.owner, sizeof r.owner))
            continue;
        int rc = visit(ctx, &r);
        if (rc)
            return rc;
    }
    return 0;
}

static int fuzz_t_query_events(void *ud, const triage_store_event_query_t *q,
                               triage_store_event_fn visit, void *ctx)
{
    const fuzz_tiny *t = ud;
    int64_t sent = 0;
    size_t n = t->set->nevs + (t->refresh && t->changed && t->replace_ev != SIZE_MAX);
    for (size_t i = 0; i < n; i++) {
        const fuzz_ev *x = i < t->set->nevs ? &t->set->evs[i] : &t->ev;
        int mine = !t->refresh && i == t->replace_ev;
        const fuzz_ev *use = mine ? &t->ev : x;
        int64_t seq = i < t->set->nevs ? x->seq : t->set->last_seq + 1;
        if (seq <= q->after_seq || seq > q->upto_seq || use->at_ms < q->from_ms ||
            use->at_ms > q->to_ms)
            continue;
        if (!triage_id_is_nil(&q->case_id) && memcmp(&q->case_id, &use->case_id, sizeof use->case_id))
            continue;
        if (q->limit && sent == q->limit)
            break;
        triage_store_event_t se = {TRIAGE_STORE_EVENT_VERSION, NULL, seq, use->data, use->len};
        int rc = visit(ctx, &se);
        if (rc)
            return rc;
        sent++;
    }
    return 0;
}

static inline triage_store_t fuzz_tiny_v2(fuzz_tiny *t)
{
    triage_store_t st = TRIAGE_STORE_INIT;
    st.userdata = t;
    st.begin = fuzz_t_fail;
    st.commit = fuzz_t_fail;
    st.rollback = fuzz_t_ok;
    st.last_seq = fuzz_t_last_seq;
    st.put_record = fuzz_t_put_record;
    st.get_record = fuzz_t_get_record;
    st.query_records = fuzz_t_query_records;
    st.append_event2 = fuzz_t_append2;
    st.query_events = fuzz_t_query_events;
    return st;
}

static int fuzz_t1_put(void *ud, triage_record_kind_t k, const triage_id_t *id,
                       const triage_record_keys_t *keys, const void *d, size_t n)
{
    (void)ud, (void)k, (void)id, (void)keys, (void)d, (void)n;
    return -1;
}

static int fuzz_t1_append(void *ud, const triage_event_t *ev)
{
    (void)ud, (void)ev;
    return -1;
}

static int fuzz_t1_list(void *ud, triage_record_kind_t kind, triage_record_visit_fn visit,
                        void *ctx)
{
    const fuzz_tiny *t = ud;
    for (size_t i = 0; i < t->set->nrecs; i++) {
        const fuzz_rec *r = &t->set->recs[i];
        if (r->kind != kind)
            continue;
        int rc = i == t->replace ? visit(ctx, &r->id, t->data, t->len)
                                 : visit(ctx, &r->id, r->data, r->len);
        if (rc)
            return rc;
    }
    if (t->extra && t->extra->kind == kind)
        return visit(ctx, &t->extra->id, t->extra->data, t->extra->len);
    return 0;
}

static int fuzz_t1_events(void *ud, triage_event_visit_fn visit, void *ctx)
{
    const fuzz_tiny *t = ud;
    for (size_t i = 0; i < t->set->nevs; i++) {
        int rc = visit(ctx, i == t->replace_ev ? &t->ev.ev : &t->set->evs[i].ev);
        if (rc)
            return rc;
    }
    return 0;
}

static inline triage_store_t fuzz_tiny_v1(fuzz_tiny *t)
{
    triage_store_t st = TRIAGE_STORE_INIT;
    st.version = 1;
    st.userdata = t;
    st.begin = fuzz_t_fail;
    st.commit = fuzz_t_fail;
    st.rollback = fuzz_t_ok;
    st.put = fuzz_t1_put;
    st.list = fuzz_t1_list;
    st.append_event = fuzz_t1_append;
    st.list_events = fuzz_t1_events;
    return st;
}

/* Opens an engine on the tiny store, refreshes it when the change is a
 * later commit, and reads it with `read`. Anything a store can hand over is
 * valid or damage: any other status is a bug. */
static inline void fuzz_open_and_read(fuzz_tiny *t, int v2, void (*read)(triage_engine_t *))
{
    triage_store_t st = v2 ? fuzz_tiny_v2(t) : fuzz_tiny_v1(t);
    triage_engine_options_t o = fuzz_options();
    triage_engine_t *e = NULL;
    triage_status_t rc = triage_engine_open(&e, &o, &st);
    if (rc == TRIAGE_OK) {
        if (t->refresh) {
            t->changed = 1;
            rc = triage_engine_refresh(e);
            if (rc != TRIAGE_OK && rc != TRIAGE_ECORRUPT && rc != TRIAGE_EVERSION &&
                rc != TRIAGE_ENOMEM) {
                fprintf(stderr, "fuzz: refresh: unexpected status %d: %s\n", rc,
                        triage_error_last()->message);
                abort();
            }
        }
        read(e);
        triage_engine_free(e);
    } else if (e) {
        abort(); /* out untouched on failure */
    } else if (rc != TRIAGE_ECORRUPT && rc != TRIAGE_EVERSION && rc != TRIAGE_ENOMEM) {
        fprintf(stderr, "fuzz: open: unexpected status %d: %s\n", rc,
                triage_error_last()->message);
        abort();
    }
}

#endif
