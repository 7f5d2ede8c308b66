/*
 * Fuzz target: records and events as a store hands them to the engine.
 * A small data set (workers, clients, cases in several stages, an absence,
 * their events) is built once on the in-memory store; each input replaces
 * one of its records or events (or adds a record) and opens an engine on it
 * through a tiny store, then reads everything the way callers do
 * (triage_case_deadlines, triage_assign_propose, the lists). The same bytes
 * go to triage_record_decode(). Nothing may crash; damage must be refused.
 *
 * Input: byte 0 picks the target (a record, an event, or "add a record");
 * for "add", byte 1 is the kind and bytes 2-17 the id; the rest is the data.
 * With TRIAGE_FUZZ_WRITE_SEEDS=DIR the initialisation writes one seed per
 * record and event into DIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <triage/triage.h>
#include <triage/sys/store.h>

#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One calendar for every engine (engines copy it): building Finland's
 * holidays per input would dominate the run time. */
static triage_calendar_t *calendar;

typedef struct {
    triage_record_kind_t kind;
    triage_id_t id;
    unsigned char *data;
    size_t len;
} rec;

#define MAX_RECS 64
#define MAX_EVENTS 128
static rec base[MAX_RECS];
static size_t nbase;
static triage_event_t base_ev[MAX_EVENTS];
static size_t nbase_ev;

static int grab_rec(void *ctx, const triage_id_t *id, const void *data, size_t len)
{
    triage_record_kind_t kind = *(const triage_record_kind_t *)ctx;
    if (nbase == MAX_RECS)
        abort();
    rec *r = &base[nbase++];
    r->kind = kind;
    r->id = *id;
    r->data = malloc(len);
    memcpy(r->data, data, len);
    r->len = len;
    return 0;
}

static int grab_ev(void *ctx, const triage_event_t *ev)
{
    (void)ctx;
    if (nbase_ev == MAX_EVENTS)
        abort();
    base_ev[nbase_ev++] = *ev;
    return 0;
}

#define CHECK(x)                                                                            \
    do {                                                                                    \
        if ((x) != TRIAGE_OK) {                                                             \
            fprintf(stderr, "fuzz_record init: %s: %s\n", #x, triage_error_last()->message);  \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

static void build_base(void)
{
    triage_store_t mem;
    CHECK(triage_store_memory(&mem, NULL));
    triage_store_t keep = mem;
    mem.destroy = NULL; /* keep it after the engine */
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fuzz_clock;
    triage_engine_t *e;
    CHECK(triage_engine_open(&e, &o, &mem));
    int64_t t = fuzz_clock(NULL);
    triage_worker_t w = TRIAGE_WORKER_INIT;
    triage_id_t sw, sc, sg, c1, c2;
    w.role = TRIAGE_ROLE_SOCIAL_WORKER;
    w.office = 297;
    w.served_count = 2;
    w.served[0] = 297;
    w.served[1] = 92;
    CHECK(triage_worker_create(&sw, e, &w));
    w.role = TRIAGE_ROLE_SOCIAL_COUNSELLOR;
    w.served_count = 0;
    CHECK(triage_worker_create(&sc, e, &w));
    w.role = TRIAGE_ROLE_SERVICE_GUIDE;
    w.fte = 0.5;
    CHECK(triage_worker_create(&sg, e, &w));
    triage_client_t c = TRIAGE_CLIENT_INIT;
    c.municipality = 297;
    CHECK(triage_client_create(&c1, e, &c));
    c.language = TRIAGE_LANG_SV;
    CHECK(triage_client_create(&c2, e, &c));
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    triage_intake_result_t r1, r2;
    in.client = c1;
    in.kind = TRIAGE_INTAKE_NOTIFICATION;
    in.received_ms = t;
    in.triggers = 1u << TRIAGE_TRIGGER_ACUTE_CRISIS;
    CHECK(triage_intake(&r1, e, &in));
    in.client = c2;
    in.kind = TRIAGE_INTAKE_APPLICATION;
    in.triggers = 0;
    in.assistance_urgent = 1;
    CHECK(triage_intake(&r2, e, &in));
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = TRIAGE_STAGE_GUIDANCE;
    m.at_ms = t + 3600000;
    CHECK(triage_case_move(e, &r1.case_id, &m));
    CHECK(triage_case_contact_attempt(e, &r1.case_id, &sg, t + 7200000, 1));
    m.to = TRIAGE_STAGE_DISTRIBUTION;
    CHECK(triage_case_move(e, &r1.case_id, &m));
    triage_scores_t s;
    memset(&s, 0, sizeof s);
    s.need[TRIAGE_NEED_HOUSING] = 3;
    s.capacity[TRIAGE_CAPACITY_SUBSTANCE] = 2;
    CHECK(triage_case_classify(NULL, NULL, e, &r1.case_id, &sw, t + 7200000, &s));
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = t + 7200000;
    triage_assignment_t a;
    CHECK(triage_assign_case(&a, e, &r1.case_id, &req));
    triage_assignment_clear(&a);
    triage_id_t abs;
    CHECK(triage_absence_add(&abs, e, &sc, 20800, 20810, NULL));
    m.to = TRIAGE_STAGE_GUIDANCE;
    m.reason = TRIAGE_CLOSE_NONE;
    CHECK(triage_case_move(e, &r2.case_id, &m));
    m.to = TRIAGE_STAGE_CLOSED;
    m.reason = TRIAGE_CLOSE_REFERRED;
    CHECK(triage_case_move(e, &r2.case_id, &m));
    triage_engine_free(e);
    for (triage_record_kind_t k = TRIAGE_RECORD_CLIENT; k <= TRIAGE_RECORD_ABSENCE; k++)
        if (keep.list(keep.userdata, k, grab_rec, &k))
            abort();
    if (keep.list_events(keep.userdata, grab_ev, NULL))
        abort();
    keep.destroy(keep.userdata);
}

static void write_seeds(const char *dir)
{
    char path[512];
    unsigned char buf[4096];
    for (size_t i = 0; i < nbase; i++) {
        buf[0] = (unsigned char)i;
        memcpy(buf + 1, base[i].data, base[i].len);
        snprintf(path, sizeof path, "%s/record-%02zu-kind%d", dir, i, (int)base[i].kind);
        FILE *fp = fopen(path, "wb");
        if (!fp || fwrite(buf, 1, base[i].len + 1, fp) != base[i].len + 1)
            abort();
        fclose(fp);
    }
    for (size_t i = 0; i < nbase_ev; i++) {
        buf[0] = (unsigned char)(nbase + i);
        memcpy(buf + 1, &base_ev[i], sizeof base_ev[i]);
        snprintf(path, sizeof path, "%s/event-%02zu", dir, i);
        FILE *fp = fopen(path, "wb");
        if (!fp || fwrite(buf, 1, sizeof base_ev[i] + 1, fp) != sizeof base_ev[i] + 1)
            abort();
        fclose(fp);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (triage_calendar_new_finland(&calendar, NULL) != TRIAGE_OK)
        abort();
    build_base();
    if (nbase + nbase_ev >= 255)
        abort();
    const char *dir = getenv("TRIAGE_FUZZ_WRITE_SEEDS");
    if (dir)
        write_seeds(dir);
    return 0;
}

/* ---- the tiny store: the base set with one piece replaced ------------------------ */

typedef struct {
    size_t replace;         /* index into base[], or SIZE_MAX */
    size_t replace_ev;      /* index into base_ev[], or SIZE_MAX */
    const rec *extra;       /* an added record, or NULL */
    const unsigned char *data;
    size_t len;
    triage_event_t ev;
} tiny;

static int t_fail(void *ud)
{
    (void)ud;
    return -1; /* read-only: every write is refused */
}

static int t_put(void *ud, triage_record_kind_t k, const triage_id_t *id,
                 const triage_record_keys_t *keys, const void *d, size_t n)
{
    (void)ud, (void)k, (void)id, (void)keys, (void)d, (void)n;
    return -1;
}

static int t_append(void *ud, const triage_event_t *ev)
{
    (void)ud, (void)ev;
    return -1;
}

static int t_list(void *ud, triage_record_kind_t kind, triage_record_visit_fn visit, void *ctx)
{
    const tiny *t = ud;
    for (size_t i = 0; i < nbase; i++) {
        if (base[i].kind != kind)
            continue;
        int rc = i == t->replace ? visit(ctx, &base[i].id, t->data, t->len)
                                 : visit(ctx, &base[i].id, base[i].data, base[i].len);
        if (rc)
            return rc;
    }
    if (t->extra && t->extra->kind == kind)
        return visit(ctx, &t->extra->id, t->extra->data, t->extra->len);
    return 0;
}

static int t_events(void *ud, triage_event_visit_fn visit, void *ctx)
{
    const tiny *t = ud;
    for (size_t i = 0; i < nbase_ev; i++) {
        int rc = visit(ctx, i == t->replace_ev ? &t->ev : &base_ev[i]);
        if (rc)
            return rc;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    tiny t = {SIZE_MAX, SIZE_MAX, NULL, data + 1, size - 1, {0}};
    size_t sel = data[0] % (nbase + nbase_ev + 1);
    rec extra;
    if (sel < nbase) {
        t.replace = sel;
    } else if (sel < nbase + nbase_ev) {
        t.replace_ev = sel - nbase;
        memcpy(&t.ev, t.data, t.len < sizeof t.ev ? t.len : sizeof t.ev);
    } else {
        if (size < 18)
            return 0;
        extra.kind = (triage_record_kind_t)(data[1] % 4 + 1);
        memcpy(extra.id.bytes, data + 2, 16);
        extra.data = (unsigned char *)(uintptr_t)(data + 18);
        extra.len = size - 18;
        t.extra = &extra;
    }
    triage_store_t st = TRIAGE_STORE_INIT;
    st.userdata = &t;
    st.begin = t_fail;
    st.commit = t_fail;
    st.rollback = t_fail;
    st.put = t_put;
    st.list = t_list;
    st.append_event = t_append;
    st.list_events = t_events;
    triage_engine_options_t o = TRIAGE_ENGINE_OPTIONS_INIT;
    o.clock = fuzz_clock;
    o.calendar = calendar;
    triage_engine_t *e = NULL;
    triage_status_t rc = triage_engine_open(&e, &o, &st);
    if (rc == TRIAGE_OK) {
        fuzz_exercise(e);
        triage_engine_free(e);
    } else if (e) {
        abort();
    } else if (rc != TRIAGE_ECORRUPT && rc != TRIAGE_EVERSION && rc != TRIAGE_ENOMEM) {
        abort(); /* anything a store can hand over is valid or damage */
    }
    /* The same bytes through the public decoder, as each kind. */
    union {
        triage_client_t client;
        triage_case_t kase;
        triage_worker_t worker;
    } out;
    for (int k = TRIAGE_RECORD_CLIENT; k <= TRIAGE_RECORD_WORKER; k++) {
        memset(&out, 0x3c, sizeof out);
        rc = triage_record_decode(&out, (triage_record_kind_t)k, t.data, t.len);
        if (rc == TRIAGE_OK && k == TRIAGE_RECORD_CASE && out.kase.deadline_count > TRIAGE_DEADLINE_MAX)
            abort();
        if (rc == TRIAGE_OK && k == TRIAGE_RECORD_WORKER &&
            out.worker.served_count > TRIAGE_WORKER_MAX_SERVED)
            abort();
    }
    return 0;
}
