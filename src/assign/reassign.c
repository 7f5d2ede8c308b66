/*
 * Reassignment proposals for an absence (docs/domain.md §7.5): the cases
 * whose open deadlines fall in it and, for a long absence, the absentee's
 * open special-support cases as responsible worker; most urgent first, each
 * decided as online assignment decides with the absent worker excluded and
 * the replacement present from the proposal to the case's deadline; later
 * proposals see the earlier ones' load.
 */
#include <string.h>

#include "assign/assign_internal.h"

/* ---- absence proposals ------------------------------------------------------ */

typedef struct {
    const triage__case *c;
    triage_case_slot_t slot;
    triage_date_t due;   /* the deadline the replacement must be present to */
} affected;

static int cmp_affected(const void *pa, const void *pb)
{
    const affected *a = pa, *b = pb;
    if (a->c->urgency != b->c->urgency)
        return (int)a->c->urgency - (int)b->c->urgency;
    if (a->due != b->due)
        return a->due < b->due ? -1 : 1;
    int c = triage_id_compare(&a->c->id, &b->c->id);
    return c ? c : (int)a->slot - (int)b->slot;
}

TRIAGE_API triage_status_t triage_absence_proposals(triage_assignment_t **out, size_t *count,
                                                    uint32_t version, triage_engine_t *e,
                                                    const triage_id_t *worker,
                                                    triage_date_t start, triage_date_t end,
                                                    int64_t at_ms)
{
    if (!out)
        return triage__error_null("out");
    if (!count)
        return triage__error_null("count");
    if (!e)
        return triage__error_null("engine");
    if (!worker)
        return triage__error_null("worker");
    if (!triage__version_size(version, triage__assignment_sizes, TRIAGE__NASSIGNMENT_SIZES,
                              "version"))
        return triage_error_last()->code;
    TRIAGE__READ_BEGIN(e);
    if (!triage__table_get(&e->tables[TRIAGE__T_WORKER], worker))
        return triage__error(TRIAGE_ENOTFOUND, "worker", "no worker with that id");
    if (!triage__date_valid(start))
        return triage__error(TRIAGE_ERANGE, "start", "date outside the supported range");
    if (!triage__date_valid(end))
        return triage__error(TRIAGE_ERANGE, "end", "date outside the supported range");
    if (end < start)
        return triage__error(TRIAGE_EINVAL, "end", "the absence ends before it starts");
    if (triage_local_time(NULL, NULL, at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "time outside the supported range");
    /* a long absence also lists the open special-support cases the worker
     * is responsible for (a social worker for each such client, SHL 42 § 2) */
    triage__assign_state *s;
    triage_status_t rc = triage__assign_get(&s, e);
    if (rc)
        return rc;
    int32_t bdays = 0;
    rc = triage_calendar_business_days_between(&bdays, e->cal, start - 1, end);
    if (rc)
        return rc;
    int long_absence = bdays > (int32_t)s->policy->p[TRIAGE_ASSIGN_LONG_ABSENCE];
    const triage__table *ct = &e->tables[TRIAGE__T_CASE];
    affected *list = ct->n ? triage__malloc(&e->alloc, ct->n * sizeof *list) : NULL;
    if (ct->n && !list)
        return TRIAGE_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < ct->n; i++) {
        const triage__case *c = (const triage__case *)triage__table_at(ct, i);
        if (c->stage == TRIAGE_STAGE_CLOSED)
            continue;
        /* The assessment worker matters until the assessment is done; after
         * it only the responsible worker and the pair do (a case whose
         * finished assessment was the absentee's, under another responsible
         * worker, needs nobody new). */
        triage_case_slot_t slot = 0;
        if (!triage_id_compare(&c->assessment_worker, worker) &&
            c->stage <= TRIAGE_STAGE_ASSESSMENT)
            slot = TRIAGE_SLOT_ASSESSMENT;
        else if (!triage_id_compare(&c->responsible, worker))
            slot = TRIAGE_SLOT_RESPONSIBLE;
        else if (!triage_id_compare(&c->pair, worker))
            slot = TRIAGE_SLOT_PAIR;
        if (!slot)
            continue;
        triage_date_t due = TRIAGE_DATE_NONE;
        for (uint32_t k = 0; k < c->ndeadlines; k++) {
            const triage__deadline *d = &c->deadlines[k];
            if (d->met == TRIAGE_DATE_NONE && !(d->flags & TRIAGE__DL_SUPERSEDED) &&
                d->due >= start && d->due <= end && (due == TRIAGE_DATE_NONE || d->due < due))
                due = d->due;
        }
        if (due != TRIAGE_DATE_NONE) {
            list[n++] = (affected){c, slot, due};
        } else if (long_absence && c->special_support &&
                   !triage_id_compare(&c->responsible, worker)) {
            /* no deadline in the absence: covered for the whole absence */
            list[n++] = (affected){c, slot, end};
        }
    }
    triage__sort(list, n, sizeof *list, cmp_affected);
    triage__team t;
    rc = triage__team_build(&t, e);
    triage_assignment_t *res = NULL;
    if (!rc && n) {
        res = triage__owned_alloc(&e->alloc, n * sizeof *res);
        if (!res)
            rc = TRIAGE_ENOMEM;
        else
            memset(res, 0, n * sizeof *res);
    }
    size_t done = 0;
    for (; !rc && done < n; done++) {
        triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
        req.at_ms = at_ms;
        req.slot = list[done].slot;
        req.exclude = *worker;
        res[done].version = TRIAGE_ASSIGNMENT_VERSION;
        triage__decide_ctx x;
        rc = triage__decide_init(&x, e, &list[done].c->id, &req);
        /* the replacement is present from the proposal to the deadline */
        if (!rc && list[done].due > x.until)
            x.until = list[done].due;
        ptrdiff_t ci = -1, pi = -1;
        if (!rc)
            rc = triage__decide(&res[done], &x, &t, 1, &ci, &pi);
        if (rc)
            break;
        /* later proposals see this one's load */
        double w = res[done].weight;
        double share = res[done].slot == TRIAGE_SLOT_PAIR ? t.pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] : 1;
        if (ci >= 0) {
            t.w[ci].weighted += share * w;
            if (res[done].slot != TRIAGE_SLOT_PAIR) {
                t.w[ci].clients += 1;
                t.w[ci].child_welfare += triage__cw_children(x.c);
            }
        }
        if (pi >= 0)
            t.w[pi].weighted += t.pol->p[TRIAGE_ASSIGN_PAIR_FACTOR] * w;
    }
    triage__team_free(&t);
    triage__free(&e->alloc, list);
    if (rc) {
        triage_assignments_free(res, done);
        return rc;
    }
    triage__assignments_pack(res, n, version);
    *out = res;
    *count = n;
    return TRIAGE_OK;
}
