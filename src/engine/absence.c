/*
 * Worker absences (docs/domain.md §2, §7.2, §7.5): inclusive date ranges kept as
 * engine records, changed only through transactions. Removal marks the
 * record removed, so the record and its events stay.
 */
#include <string.h>

#include "engine/engine_internal.h"

static triage_status_t absence_add_once(triage_id_t *out_id, triage_engine_t *e,
                                        const triage_id_t *worker, triage_date_t start,
                                        triage_date_t end, const triage_id_t *actor)
{
    if (!triage__table_get(&e->tables[TRIAGE__T_WORKER], worker))
        return triage__error(TRIAGE_ENOTFOUND, "worker", "no worker with that id");
    triage_status_t rc = triage__check_actor(e, actor);
    if (rc)
        return rc;
    triage__absence rec;
    memset(&rec, 0, sizeof rec);
    rc = triage__new_id(e, TRIAGE__T_ABSENCE, &rec.id);
    if (rc)
        return rc;
    rec.worker = *worker;
    rec.start = start;
    rec.end = end;
    triage__txn tx;
    triage__txn_init(&tx, e);
    triage_event_t *ev;
    if (!triage__txn_new(&tx, TRIAGE__T_ABSENCE, &rec) ||
        !(ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_ABSENCE_ADDED, triage__now(e), actor))) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    ev->subject = *worker;
    ev->to_id = rec.id;
    ev->from = start;
    ev->to = end;
    rc = triage__txn_commit(&tx);
    if (!rc)
        *out_id = rec.id;
    return rc;
}

TRIAGE_API triage_status_t triage_absence_add(triage_id_t *out_id, triage_engine_t *e,
                                              const triage_id_t *worker, triage_date_t start,
                                              triage_date_t end, const triage_id_t *actor)
{
    if (!out_id)
        return triage__error_null("out_id");
    if (!e)
        return triage__error_null("engine");
    if (!worker)
        return triage__error_null("worker");
    if (!triage__date_valid(start))
        return triage__error(TRIAGE_ERANGE, "start", "date outside the supported range");
    if (!triage__date_valid(end))
        return triage__error(TRIAGE_ERANGE, "end", "date outside the supported range");
    if (end < start)
        return triage__error(TRIAGE_EINVAL, "end", "the absence ends before it starts");
    TRIAGE__RETRY(e, absence_add_once(out_id, e, worker, start, end, actor));
}

static triage_status_t absence_remove_once(triage_engine_t *e, const triage_id_t *absence,
                                           const triage_id_t *actor)
{
    triage_status_t rc = triage__check_actor(e, actor);
    if (rc)
        return rc;
    const triage__absence *cur = triage__table_get(&e->tables[TRIAGE__T_ABSENCE], absence);
    if (!cur || cur->removed)
        return triage__error(TRIAGE_ENOTFOUND, "absence", "no absence with that id");
    triage__txn tx;
    triage__txn_init(&tx, e);
    triage__absence *r = triage__txn_get(&tx, TRIAGE__T_ABSENCE, absence);
    triage_event_t *ev = NULL;
    if (r)
        ev = triage__txn_event(&tx, NULL, TRIAGE_EVENT_ABSENCE_REMOVED, triage__now(e), actor);
    if (!r || !ev) {
        triage__txn_discard(&tx);
        return TRIAGE_ENOMEM;
    }
    r->removed = 1;
    ev->subject = r->worker;
    ev->to_id = r->id;
    ev->from = r->start;
    ev->to = r->end;
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_absence_remove(triage_engine_t *e, const triage_id_t *absence,
                                                 const triage_id_t *actor)
{
    if (!e)
        return triage__error_null("engine");
    if (!absence)
        return triage__error_null("absence");
    TRIAGE__RETRY(e, absence_remove_once(e, absence, actor));
}

static const size_t absence_sizes[] = {sizeof(triage_absence_t)};

static int cmp_created(const void *pa, const void *pb)
{
    const triage__absence *a = *(const triage__absence *const *)pa;
    const triage__absence *b = *(const triage__absence *const *)pb;
    if (a->created != b->created)
        return a->created < b->created ? -1 : 1;
    return triage_id_compare(&a->id, &b->id);
}

TRIAGE_API triage_status_t triage_absence_list(triage_absence_t **out, size_t *count,
                                               uint32_t version, triage_engine_t *e,
                                               const triage_id_t *worker)
{
    if (!out)
        return triage__error_null("out");
    if (!count)
        return triage__error_null("count");
    size_t size = triage__version_size(version, absence_sizes, TRIAGE__ARRAY_LEN(absence_sizes),
                                       "version");
    if (!size)
        return triage_error_last()->code;
    if (!e)
        return triage__error_null("engine");
    TRIAGE__READ_BEGIN(e);
    int all = !worker || triage_id_is_nil(worker);
    if (!all && !triage__table_get(&e->tables[TRIAGE__T_WORKER], worker))
        return triage__error(TRIAGE_ENOTFOUND, "worker", "no worker with that id");
    const triage__table *t = &e->tables[TRIAGE__T_ABSENCE];
    const triage__absence **pick = NULL;
    size_t n = 0;
    if (t->n) {
        pick = triage__malloc(&e->alloc, t->n * sizeof *pick);
        if (!pick)
            return TRIAGE_ENOMEM;
    }
    for (size_t i = 0; i < t->n; i++) {
        const triage__absence *a = triage__table_at(t, i);
        if (!a->removed && (all || !triage_id_compare(&a->worker, worker)))
            pick[n++] = a;
    }
    triage__sort(pick, n, sizeof *pick, cmp_created);
    unsigned char *res = NULL;
    if (n) {
        res = triage__owned_alloc(&e->alloc, n * size);
        if (!res) {
            triage__free(&e->alloc, pick);
            return TRIAGE_ENOMEM;
        }
    }
    for (size_t k = 0; k < n; k++) {
        triage_absence_t x = {TRIAGE_ABSENCE_VERSION, pick[k]->id, pick[k]->worker,
                              pick[k]->start, pick[k]->end};
        memcpy(res + k * size, &x, size);
    }
    triage__free(&e->alloc, pick);
    *out = (triage_absence_t *)(void *)res;
    *count = n;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_worker_present(int *present, triage_engine_t *e,
                                                 const triage_id_t *worker, triage_date_t date)
{
    if (!present)
        return triage__error_null("present");
    if (!e)
        return triage__error_null("engine");
    if (!worker)
        return triage__error_null("worker");
    if (!triage__date_valid(date))
        return triage__error(TRIAGE_ERANGE, "date", "date outside the supported range");
    TRIAGE__READ_BEGIN(e); /* first: a worker another engine created is known then */
    if (!triage__table_get(&e->tables[TRIAGE__T_WORKER], worker))
        return triage__error(TRIAGE_ENOTFOUND, "worker", "no worker with that id");
    *present = !triage__absent(e, worker, date, date);
    return TRIAGE_OK;
}

/* ---- the per-worker index of absences in force ---------------------------- */

static int cmp_span(const void *pa, const void *pb)
{
    const triage__abs_span *a = pa, *b = pb;
    int c = triage_id_compare(&a->worker, &b->worker);
    return c ? c : (a->start > b->start) - (a->start < b->start);
}

/* Brings the per-worker absence index up to date; 0 when it cannot (out of
 * memory: the caller falls back to scanning the table). */
static int absence_index(triage_engine_t *e, triage__absence_index *s)
{
    if (s->built && s->gen == e->absence_gen)
        return 1;
    const triage__table *t = &e->tables[TRIAGE__T_ABSENCE];
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += !((const triage__absence *)(const void *)(t->recs + i * t->elem))->removed;
    triage__abs_span *spans = NULL;
    if (n) {
        spans = triage__malloc(&e->alloc, n * sizeof *spans);
        if (!spans)
            return 0;
    }
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        const triage__absence *a = (const triage__absence *)(const void *)(t->recs + i * t->elem);
        if (!a->removed)
            spans[k++] = (triage__abs_span){a->worker, a->start, a->end};
    }
    triage__sort(spans, n, sizeof *spans, cmp_span);
    triage__free(&e->alloc, s->spans);
    s->spans = spans;
    s->n = n;
    s->gen = e->absence_gen;
    s->built = 1;
    return 1;
}

int triage__absent(triage_engine_t *e, const triage_id_t *worker, triage_date_t from,
                   triage_date_t to)
{
    triage__absence_index *s = &e->absidx;
    if (absence_index(e, s)) {
        size_t lo = 0, hi = s->n; /* first span of this worker */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (triage_id_compare(&s->spans[mid].worker, worker) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < s->n && !triage_id_compare(&s->spans[i].worker, worker); i++)
            if (s->spans[i].start <= to && s->spans[i].end >= from)
                return 1;
        return 0;
    }
    const triage__table *t = &e->tables[TRIAGE__T_ABSENCE];
    for (size_t i = 0; i < t->n; i++) {
        const triage__absence *a = (const triage__absence *)(const void *)(t->recs + i * t->elem);
        if (!a->removed && a->start <= to && a->end >= from &&
            !triage_id_compare(&a->worker, worker))
            return 1;
    }
    return 0;
}
