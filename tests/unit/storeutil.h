/* Test helpers for stores: a fault-injecting wrapper around another store,
 * a canonical dump of engine state, and a scripted scenario. */
#ifndef TRIAGE_STOREUTIL_H
#define TRIAGE_STOREUTIL_H

#include <stdio.h>

#include "testutil.h"
#include <triage/assign.h>
#include <triage/sys/store.h>

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
} faulty;

static inline int fault(faulty *f)
{
    return ++f->calls == f->fail_at ? f->code : 0;
}

static inline int fy_begin(void *ud)
{
    faulty *f = ud;
    int rc = fault(f);
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
static inline void fy_destroy(void *ud)
{
    faulty *f = ud;
    f->destroyed++; /* the inner store belongs to the test */
}

static inline triage_store_t faulty_store(faulty *f)
{
    triage_store_t s = TRIAGE_STORE_INIT;
    s.userdata = f;
    s.begin = fy_begin;
    s.commit = fy_commit;
    s.rollback = fy_rollback;
    s.put = fy_put;
    s.del = fy_del;
    s.list = fy_list;
    s.append_event = fy_append;
    s.list_events = fy_events;
    s.schema_version = fy_schema;
    s.destroy = fy_destroy;
    return s;
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

/* Everything a store holds, as bytes. */
static inline sbuf dump_store(const triage_store_t *s)
{
    sbuf b = {0};
    for (int k = TRIAGE_RECORD_CLIENT; k <= TRIAGE_RECORD_ABSENCE; k++)
        assert_int_equal(s->list(s->userdata, (triage_record_kind_t)k, dump_rec, &b), 0);
    assert_int_equal(s->list_events(s->userdata, dump_ev, &b), 0);
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
