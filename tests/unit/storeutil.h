/* Test helpers for stores: a fault-injecting wrapper around another store,
 * a canonical dump of engine state, and a scripted scenario. */
#ifndef TRIAGE_STOREUTIL_H
#define TRIAGE_STOREUTIL_H

#include <stdio.h>

#include "testutil.h"
#include <triage/assign.h>
#include <triage/sys/store.h>

/* ---- an interface-1 store for tests ---------------------------------------
 * The library's own stores speak interface 2; stores written for interface 1
 * must keep working for one engine. This one keeps records and events in
 * arrays and snapshots everything at begin (rollback restores the copy). */

typedef struct {
    triage_record_kind_t kind;
    triage_id_t id;
    unsigned char *data;
    size_t len;
} v1_rec;

typedef struct {
    v1_rec *recs;
    size_t n;
    triage_event_t *evs;
    size_t nev;
} v1_state;

typedef struct {
    v1_state cur, saved;
    int in_txn;
} v1mem;

static inline void v1_state_free(v1_state *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->recs[i].data);
    free(s->recs);
    free(s->evs);
    memset(s, 0, sizeof *s);
}

static inline void v1_state_copy(v1_state *dst, const v1_state *src)
{
    dst->n = src->n;
    dst->recs = malloc((src->n + 1) * sizeof *dst->recs);
    for (size_t i = 0; i < src->n; i++) {
        dst->recs[i] = src->recs[i];
        dst->recs[i].data = malloc(src->recs[i].len + 1);
        memcpy(dst->recs[i].data, src->recs[i].data, src->recs[i].len);
    }
    dst->nev = src->nev;
    dst->evs = malloc((src->nev + 1) * sizeof *dst->evs);
    if (src->nev)
        memcpy(dst->evs, src->evs, src->nev * sizeof *dst->evs);
}

static inline int v1_begin(void *ud)
{
    v1mem *m = ud;
    if (m->in_txn)
        return -1;
    v1_state_copy(&m->saved, &m->cur);
    m->in_txn = 1;
    return 0;
}
static inline int v1_commit(void *ud)
{
    v1mem *m = ud;
    if (!m->in_txn)
        return -1;
    v1_state_free(&m->saved);
    m->in_txn = 0;
    return 0;
}
static inline int v1_rollback(void *ud)
{
    v1mem *m = ud;
    if (!m->in_txn)
        return -1;
    v1_state_free(&m->cur);
    m->cur = m->saved;
    memset(&m->saved, 0, sizeof m->saved);
    m->in_txn = 0;
    return 0;
}
static inline v1_rec *v1_find(v1mem *m, triage_record_kind_t k, const triage_id_t *id)
{
    for (size_t i = 0; i < m->cur.n; i++)
        if (m->cur.recs[i].kind == k && !memcmp(&m->cur.recs[i].id, id, sizeof *id))
            return &m->cur.recs[i];
    return NULL;
}
static inline int v1_put(void *ud, triage_record_kind_t k, const triage_id_t *id,
                         const triage_record_keys_t *keys, const void *d, size_t n)
{
    (void)keys;
    v1mem *m = ud;
    if (!m->in_txn)
        return -1;
    v1_rec *r = v1_find(m, k, id);
    if (!r) {
        m->cur.recs = realloc(m->cur.recs, (m->cur.n + 1) * sizeof *m->cur.recs);
        r = &m->cur.recs[m->cur.n++];
        r->kind = k;
        r->id = *id;
        r->data = NULL;
    }
    free(r->data);
    r->data = malloc(n + 1);
    memcpy(r->data, d, n);
    r->len = n;
    return 0;
}
static inline int v1_get(void *ud, triage_record_kind_t k, const triage_id_t *id, void *buf,
                         size_t cap, size_t *len)
{
    v1_rec *r = v1_find(ud, k, id);
    if (!r)
        return TRIAGE_ENOTFOUND;
    memcpy(buf, r->data, r->len < cap ? r->len : cap);
    *len = r->len;
    return 0;
}
static inline int v1_del(void *ud, triage_record_kind_t k, const triage_id_t *id)
{
    v1mem *m = ud;
    v1_rec *r = v1_find(m, k, id);
    if (!m->in_txn || !r)
        return !m->in_txn ? -1 : TRIAGE_ENOTFOUND;
    free(r->data);
    *r = m->cur.recs[--m->cur.n];
    return 0;
}
static inline int v1_list(void *ud, triage_record_kind_t k, triage_record_visit_fn v, void *c)
{
    v1mem *m = ud;
    for (size_t i = 0; i < m->cur.n; i++)
        if (m->cur.recs[i].kind == k) {
            int rc = v(c, &m->cur.recs[i].id, m->cur.recs[i].data, m->cur.recs[i].len);
            if (rc)
                return rc;
        }
    return 0;
}
static inline int v1_append(void *ud, const triage_event_t *ev)
{
    v1mem *m = ud;
    if (!m->in_txn)
        return -1;
    m->cur.evs = realloc(m->cur.evs, (m->cur.nev + 1) * sizeof *m->cur.evs);
    m->cur.evs[m->cur.nev++] = *ev;
    return 0;
}
static inline int v1_events(void *ud, triage_event_visit_fn v, void *c)
{
    v1mem *m = ud;
    for (size_t i = 0; i < m->cur.nev; i++) {
        int rc = v(c, &m->cur.evs[i]);
        if (rc)
            return rc;
    }
    return 0;
}
static inline void v1_destroy(void *ud)
{
    v1mem *m = ud;
    v1_state_free(&m->cur);
    v1_state_free(&m->saved);
    free(m);
}

/* A fresh interface-1 store; its destroy frees it. */
static inline triage_store_t v1_store(void)
{
    v1mem *m = calloc(1, sizeof *m);
    triage_store_t s = TRIAGE_STORE_INIT;
    s.version = 1;
    s.userdata = m;
    s.begin = v1_begin;
    s.commit = v1_commit;
    s.rollback = v1_rollback;
    s.put = v1_put;
    s.get = v1_get;
    s.del = v1_del;
    s.list = v1_list;
    s.append_event = v1_append;
    s.list_events = v1_events;
    s.destroy = v1_destroy;
    return s;
}

/* ---- fault-injecting wrapper -------------------------------------------- */

typedef struct {
    triage_store_t inner;
    long calls;     /* callbacks so far */
    long fail_at;   /* fail this call (1-based); 0 = never */
    int code;       /* what the failing callback returns */
    int destroyed;  /* how often destroy ran */
    int in_txn;
    int rollback_fails; /* 1: rollback returns `code` (after undoing the inner store) */
    long rollbacks; /* rollbacks so far */
    /* runs before the inner begin while `hook_times` > 0 (each run counts
     * down): another engine commits between this engine's refresh and its
     * write, as it would from another process */
    void (*hook)(void *ctx);
    void *hook_ctx;
    int hook_times;
} faulty;

static inline int fault(faulty *f)
{
    return ++f->calls == f->fail_at ? f->code : 0;
}

/* What comes before either begin: the fault, then the hook. */
static inline int fy_before_begin(faulty *f)
{
    int rc = fault(f);
    if (!rc && f->hook && f->hook_times > 0) {
        f->hook_times--;
        f->hook(f->hook_ctx);
    }
    return rc;
}
static inline int fy_begin(void *ud)
{
    faulty *f = ud;
    int rc = fy_before_begin(f);
    if (rc)
        return rc;
    rc = f->inner.begin(f->inner.userdata);
    f->in_txn = rc == 0;
    return rc;
}
static inline int fy_commit(void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    if (!rc)
        rc = f->inner.commit(f->inner.userdata);
    if (!rc)
        f->in_txn = 0;
    return rc;
}
/* Interface 3: the same faults and hook as begin and commit. */
static inline int fy_begin_rebased(void *ud, int64_t base, int64_t seen, uint32_t unchanged)
{
    faulty *f = ud;
    int rc = fy_before_begin(f);
    if (rc)
        return rc;
    rc = f->inner.begin_rebased(f->inner.userdata, base, seen, unchanged);
    f->in_txn = rc == 0;
    return rc;
}
static inline int fy_commit_rebased(void *ud, int64_t *shift)
{
    faulty *f = ud;
    int rc = fault(f);
    if (!rc)
        rc = f->inner.commit_rebased(f->inner.userdata, shift);
    if (!rc)
        f->in_txn = 0;
    return rc;
}
static inline int fy_rollback(void *ud)
{
    faulty *f = ud;
    f->in_txn = 0;
    f->rollbacks++;
    /* The inner store is always rolled back, so a test can reopen and compare;
     * the engine sees the failure when rollback_fails is set. */
    int rc = f->inner.rollback(f->inner.userdata);
    return f->rollback_fails ? f->code : rc;
}
static inline int fy_put(void *ud, triage_record_kind_t k, const triage_id_t *id,
                         const triage_record_keys_t *keys, const void *d, size_t n)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.put(f->inner.userdata, k, id, keys, d, n);
}
static inline int fy_del(void *ud, triage_record_kind_t k, const triage_id_t *id)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.del(f->inner.userdata, k, id);
}
static inline int fy_list(void *ud, triage_record_kind_t k, triage_record_visit_fn v, void *c)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.list(f->inner.userdata, k, v, c);
}
static inline int fy_append(void *ud, const triage_event_t *ev)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.append_event(f->inner.userdata, ev);
}
static inline int fy_events(void *ud, triage_event_visit_fn v, void *c)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.list_events(f->inner.userdata, v, c);
}
static inline int fy_schema(void *ud, uint32_t *out)
{
    faulty *f = ud;
    return f->inner.schema_version ? f->inner.schema_version(f->inner.userdata, out) : (*out = 0, 0);
}
static inline int fy_last_seq(void *ud, int64_t *out)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.last_seq(f->inner.userdata, out);
}
static inline int fy_read_begin(void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.read_begin(f->inner.userdata);
}
static inline int fy_read_end(void *ud)
{
    faulty *f = ud;
    return f->inner.read_end(f->inner.userdata); /* never fails: it releases */
}
static inline int fy_put_record(void *ud, const triage_store_record_t *r)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.put_record(f->inner.userdata, r);
}
static inline int fy_get_record(void *ud, triage_record_kind_t k, const triage_id_t *id,
                                triage_store_record_fn v, void *c)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.get_record(f->inner.userdata, k, id, v, c);
}
static inline int fy_query_records(void *ud, const triage_store_query_t *q,
                                   triage_store_record_fn v, void *c)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.query_records(f->inner.userdata, q, v, c);
}
static inline int fy_append2(void *ud, const triage_store_event_t *ev)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.append_event2(f->inner.userdata, ev);
}
static inline int fy_query_events(void *ud, const triage_store_event_query_t *q,
                                  triage_store_event_fn v, void *c)
{
    faulty *f = ud;
    int rc = fault(f);
    return rc ? rc : f->inner.query_events(f->inner.userdata, q, v, c);
}
static inline void fy_destroy(void *ud)
{
    faulty *f = ud;
    f->destroyed++; /* the inner store belongs to the test */
}

/* Wraps a store of either interface version; the wrapper has the inner's. */
static inline triage_store_t faulty_store(faulty *f)
{
    triage_store_t s = TRIAGE_STORE_INIT;
    s.version = f->inner.version;
    s.userdata = f;
    s.begin = fy_begin;
    s.commit = fy_commit;
    s.rollback = fy_rollback;
    s.destroy = fy_destroy;
    if (f->inner.version < 2) {
        s.put = fy_put;
        s.del = fy_del;
        s.list = fy_list;
        s.append_event = fy_append;
        s.list_events = fy_events;
        s.schema_version = fy_schema;
        return s;
    }
    s.last_seq = fy_last_seq;
    if (f->inner.read_begin) {
        s.read_begin = fy_read_begin;
        s.read_end = fy_read_end;
    }
    s.put_record = fy_put_record;
    s.get_record = fy_get_record;
    s.query_records = fy_query_records;
    s.append_event2 = fy_append2;
    s.query_events = fy_query_events;
    if (f->inner.version >= 3 && f->inner.begin_rebased) {
        s.begin_rebased = fy_begin_rebased;
        s.commit_rebased = fy_commit_rebased;
    }
    return s;
}

/* ---- an interface-2 store that hands out one record's bytes replaced ----- */

/* Everything goes to `inner`, except that reading the record (kind, id)
 * gives `data` instead of the stored bytes: a damaged record as a database
 * edited behind the engine's back would hold it. */
typedef struct {
    triage_store_t inner;
    triage_record_kind_t kind;
    triage_id_t id;
    const void *data;
    size_t len;
    triage_store_record_fn visit; /* the engine's visitor of the running read */
    void *ctx;
} swapped;

static inline int sw_visit(void *c, const triage_store_record_t *r)
{
    swapped *s = c;
    if (r->kind != s->kind || memcmp(&r->id, &s->id, sizeof r->id) != 0)
        return s->visit(s->ctx, r);
    triage_store_record_t x = *r;
    x.data = s->data;
    x.len = s->len;
    return s->visit(s->ctx, &x);
}

static inline int sw_begin(void *ud)
{
    swapped *s = ud;
    return s->inner.begin(s->inner.userdata);
}
static inline int sw_commit(void *ud)
{
    swapped *s = ud;
    return s->inner.commit(s->inner.userdata);
}
static inline int sw_rollback(void *ud)
{
    swapped *s = ud;
    return s->inner.rollback(s->inner.userdata);
}
static inline int sw_last_seq(void *ud, int64_t *out)
{
    swapped *s = ud;
    return s->inner.last_seq(s->inner.userdata, out);
}
static inline int sw_read_begin(void *ud)
{
    swapped *s = ud;
    return s->inner.read_begin ? s->inner.read_begin(s->inner.userdata) : 0;
}
static inline int sw_read_end(void *ud)
{
    swapped *s = ud;
    return s->inner.read_end ? s->inner.read_end(s->inner.userdata) : 0;
}
static inline int sw_put_record(void *ud, const triage_store_record_t *r)
{
    swapped *s = ud;
    return s->inner.put_record(s->inner.userdata, r);
}
static inline int sw_get_record(void *ud, triage_record_kind_t k, const triage_id_t *id,
                                triage_store_record_fn v, void *c)
{
    swapped *s = ud;
    s->visit = v;
    s->ctx = c;
    return s->inner.get_record(s->inner.userdata, k, id, sw_visit, s);
}
static inline int sw_query_records(void *ud, const triage_store_query_t *q,
                                   triage_store_record_fn v, void *c)
{
    swapped *s = ud;
    s->visit = v;
    s->ctx = c;
    return s->inner.query_records(s->inner.userdata, q, sw_visit, s);
}
static inline int sw_append2(void *ud, const triage_store_event_t *ev)
{
    swapped *s = ud;
    return s->inner.append_event2(s->inner.userdata, ev);
}
static inline int sw_query_events(void *ud, const triage_store_event_query_t *q,
                                  triage_store_event_fn v, void *c)
{
    swapped *s = ud;
    return s->inner.query_events(s->inner.userdata, q, v, c);
}
static inline void sw_destroy(void *ud)
{
    swapped *s = ud;
    if (s->inner.destroy)
        s->inner.destroy(s->inner.userdata);
}

/* A store over `s` (which must outlive it); the engine that opens it owns `s->inner`. */
static inline triage_store_t swapped_store(swapped *s)
{
    triage_store_t st = TRIAGE_STORE_INIT;
    st.userdata = s;
    st.begin = sw_begin;
    st.commit = sw_commit;
    st.rollback = sw_rollback;
    st.last_seq = sw_last_seq;
    st.read_begin = sw_read_begin;
    st.read_end = sw_read_end;
    st.put_record = sw_put_record;
    st.get_record = sw_get_record;
    st.query_records = sw_query_records;
    st.append_event2 = sw_append2;
    st.query_events = sw_query_events;
    st.destroy = sw_destroy;
    return st;
}

/* ---- canonical dumps ---------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf;

static inline void sb_add(sbuf *b, const void *p, size_t n)
{
    if (!n)
        return;
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->buf = realloc(b->buf, b->cap);
    }
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static inline int dump_rec(void *ctx, const triage_id_t *id, const void *d, size_t n)
{
    sb_add(ctx, id, sizeof *id);
    sb_add(ctx, d, n);
    return 0;
}

static inline int dump_ev(void *ctx, const triage_event_t *ev)
{
    sb_add(ctx, ev, sizeof *ev);
    return 0;
}

static inline int dump_rec2(void *ctx, const triage_store_record_t *r)
{
    sb_add(ctx, &r->id, sizeof r->id);
    sb_add(ctx, &r->owner, sizeof r->owner);
    sb_add(ctx, &r->revision, sizeof r->revision);
    sb_add(ctx, &r->created, sizeof r->created);
    sb_add(ctx, r->data, r->len);
    return 0;
}

static inline int dump_ev2(void *ctx, const triage_store_event_t *ev)
{
    sb_add(ctx, &ev->seq, sizeof ev->seq);
    sb_add(ctx, ev->data, ev->len);
    return 0;
}

/* Everything a store holds, as bytes (either interface version). */
static inline sbuf dump_store(const triage_store_t *s)
{
    sbuf b = {0};
    if (s->version < 2) {
        for (int k = TRIAGE_RECORD_CLIENT; k <= TRIAGE_RECORD_ABSENCE; k++)
            assert_int_equal(s->list(s->userdata, (triage_record_kind_t)k, dump_rec, &b), 0);
        assert_int_equal(s->list_events(s->userdata, dump_ev, &b), 0);
        return b;
    }
    for (int k = TRIAGE_RECORD_CLIENT; k <= TRIAGE_RECORD_POLICY; k++) {
        triage_store_query_t q = {TRIAGE_STORE_QUERY_VERSION, (triage_record_kind_t)k, {{0}}, 0, 0,
                                  TRIAGE_DATE_NONE};
        assert_int_equal(s->query_records(s->userdata, &q, dump_rec2, &b), 0);
    }
    triage_store_event_query_t eq = {TRIAGE_STORE_EVENT_QUERY_VERSION, 0, INT64_MAX, {{0}},
                                     INT64_MIN, INT64_MAX, 0};
    assert_int_equal(s->query_events(s->userdata, &eq, dump_ev2, &b), 0);
    return b;
}

/* Everything an engine shows through its public API, as bytes. */
static inline sbuf dump_engine(triage_engine_t *e)
{
    sbuf b = {0};
    triage_id_t *ids;
    size_t n;
    assert_int_equal(triage_client_list(&ids, &n, e), 0);
    for (size_t i = 0; i < n; i++) {
        triage_client_t c;
        c.version = TRIAGE_CLIENT_VERSION;
        assert_int_equal(triage_client_get(&c, e, &ids[i]), 0);
        sb_add(&b, &c, sizeof c);
    }
    triage_free(ids);
    assert_int_equal(triage_worker_list(&ids, &n, e), 0);
    for (size_t i = 0; i < n; i++) {
        triage_worker_t w;
        w.version = TRIAGE_WORKER_VERSION;
        assert_int_equal(triage_worker_get(&w, e, &ids[i]), 0);
        sb_add(&b, &w, sizeof w);
    }
    triage_free(ids);
    assert_int_equal(triage_case_list(&ids, &n, e, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        triage_case_t c;
        c.version = TRIAGE_CASE_VERSION;
        assert_int_equal(triage_case_get(&c, e, &ids[i]), 0);
        sb_add(&b, &c, sizeof c);
    }
    triage_free(ids);
    triage_event_t *evs;
    assert_int_equal(test_event_list(&evs, &n, e, NULL, INT64_MIN, INT64_MAX), 0);
    sb_add(&b, evs, n * sizeof *evs);
    triage_free(evs);
    return b;
}

static inline void assert_same(sbuf a, sbuf b)
{
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.buf, b.buf, a.len);
    free(a.buf);
    free(b.buf);
}

/* ---- the scenario -------------------------------------------------------- */

#define SC_DAY INT64_C(86400000)
#define SC_HOUR INT64_C(3600000)
/* 2026-11-23 (Monday) 10:00 Finnish time. */
#define SC_T0 (INT64_C(20780) * SC_DAY + 8 * SC_HOUR)

/* A client of municipality 297, made through engine `e`. */
static inline triage_id_t sc_new_client(triage_engine_t *e)
{
    triage_client_t c = TRIAGE_CLIENT_INIT;
    c.municipality = 297;
    triage_id_t id;
    assert_ok(triage_client_create(&id, e, &c));
    return id;
}

typedef struct {
    triage_id_t sw, sc, sg, client, c1, c2, absence;
    int64_t t;
} scenario;

/* Runs step `i` of a full scenario (intake -> ... -> closing); returns its
 * status, or TRIAGE_ITEROVER when there are no more steps. Steps that fail
 * leave nothing behind, so a step can simply be retried. */
static inline triage_status_t scenario_step(triage_engine_t *e, scenario *s, int i)
{
    triage_worker_t w = TRIAGE_WORKER_INIT;
    triage_client_t c = TRIAGE_CLIENT_INIT;
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    triage_intake_result_t r;
    r.version = TRIAGE_INTAKE_RESULT_VERSION;
    triage_move_t m = TRIAGE_MOVE_INIT;
    triage_scores_t sc;
    triage_assessment_record_t rec = {TRIAGE_ASSESSMENT_RECORD_VERSION, 1, 1, 1, 1,
                                      TRIAGE_NEED_NATURE_RECURRING};
    triage_status_t rc;
    memset(&sc, 0, sizeof sc);
    m.actor = s->sc;
    m.at_ms = s->t;
    switch (i) {
    case 0:
        w.role = TRIAGE_ROLE_SOCIAL_WORKER;
        return triage_worker_create(&s->sw, e, &w);
    case 1:
        return triage_worker_create(&s->sc, e, &w);
    case 2:
        w.role = TRIAGE_ROLE_SERVICE_GUIDE;
        w.fte = 0.6;
        return triage_worker_create(&s->sg, e, &w);
    case 3:
        c.municipality = 297;
        return triage_client_create(&s->client, e, &c);
    case 4:
        in.client = s->client;
        in.kind = TRIAGE_INTAKE_NOTIFICATION;
        in.received_ms = s->t;
        rc = triage_intake(&r, e, &in);
        if (!rc)
            s->c1 = r.case_id;
        return rc;
    case 5:
        m.to = TRIAGE_STAGE_GUIDANCE;
        return triage_case_move(e, &s->c1, &m);
    case 6:
        return triage_case_contact_attempt(e, &s->c1, &s->sg, s->t + SC_HOUR, 0);
    case 7:
        return triage_case_contact_attempt(e, &s->c1, &s->sg, s->t + SC_DAY, 1);
    case 8:
        return triage_case_motivation(NULL, e, &s->c1, &s->sg, s->t + SC_DAY,
                                      TRIAGE_MOTIVATION_WILLING, 0);
    case 9:
        m.to = TRIAGE_STAGE_DISTRIBUTION;
        m.at_ms = s->t + 2 * SC_DAY;
        return triage_case_move(e, &s->c1, &m);
    case 10:
        sc.need[TRIAGE_NEED_HOUSING] = 3;
        sc.capacity[TRIAGE_CAPACITY_SUBSTANCE] = 2;
        return triage_case_classify(NULL, NULL, e, &s->c1, &s->sw, s->t + 2 * SC_DAY, &sc);
    case 11:
        return triage_case_decide_special_support(e, &s->c1, &s->sw, s->t + 2 * SC_DAY, 1, 0);
    case 12: { /* the assignment module picks the social worker (special support) */
        triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
        triage_assignment_t a;
        a.version = TRIAGE_ASSIGNMENT_VERSION;
        req.at_ms = s->t + 2 * SC_DAY;
        req.actor = s->sc;
        rc = triage_assign_case(&a, e, &s->c1, &req);
        if (!rc) {
            if (triage_id_compare(&a.worker, &s->sw) != 0)
                rc = TRIAGE_ECONFLICT;
            triage_assignment_clear(&a);
        }
        return rc;
    }
    case 13:
        m.to = TRIAGE_STAGE_ASSESSMENT;
        m.at_ms = s->t + 3 * SC_DAY;
        return triage_case_move(e, &s->c1, &m);
    case 14:
        return triage_case_record_assessment(e, &s->c1, &s->sw, s->t + 4 * SC_DAY, &rec);
    case 15:
        return triage_case_set_worker(e, &s->c1, &s->sw, s->t + 4 * SC_DAY,
                                      TRIAGE_SLOT_RESPONSIBLE, &s->sw);
    case 16:
        m.to = TRIAGE_STAGE_PLANNING;
        m.at_ms = s->t + 5 * SC_DAY;
        return triage_case_move(e, &s->c1, &m);
    case 17:
        m.to = TRIAGE_STAGE_CASEWORK;
        m.at_ms = s->t + 6 * SC_DAY;
        return triage_case_move(e, &s->c1, &m);
    case 18: /* a second matter: attached to the active case */
        in.client = s->client;
        in.kind = TRIAGE_INTAKE_APPLICATION;
        in.assistance_urgent = 1;
        in.received_ms = s->t + 7 * SC_DAY;
        rc = triage_intake(&r, e, &in);
        if (!rc)
            s->c2 = r.case_id;
        return rc;
    case 19:
        return triage_case_milestone(e, &s->c1, &s->sw, s->t + 8 * SC_DAY, TRIAGE_MILESTONE_DECISION);
    case 20:
        w.fte = 0.8;
        w.id = s->sg;
        w.role = TRIAGE_ROLE_SERVICE_GUIDE;
        return triage_worker_update(e, &w);
    case 21: /* a holiday for the counsellor, then cancelled */
        return triage_absence_add(&s->absence, e, &s->sc, 20800, 20810, &s->sw);
    case 22:
        return triage_absence_remove(e, &s->absence, &s->sw);
    case 23:
        m.to = TRIAGE_STAGE_CLOSED;
        m.reason = TRIAGE_CLOSE_GOALS_MET;
        m.at_ms = s->t + 60 * SC_DAY;
        return triage_case_move(e, &s->c1, &m);
    default:
        return TRIAGE_ITEROVER;
    }
}

#endif
