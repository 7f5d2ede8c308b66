/*
 * Deadlines of a case after intake (docs/domain.md §5.3, docs/deadlines.md):
 * the rows that arise later (a service decision's D9, a meeting request's
 * D13, the plan review) and every row's state on a day. Split from case.c,
 * which keeps the stage graph and the other facts of the client process.
 */
#include <string.h>

#include "engine/engine_internal.h"
#include "rules/deadline_priv.h"

#define NONE TRIAGE_DATE_NONE

static int is_nil(const triage_id_t *id)
{
    return triage_id_is_nil(id);
}

/* ---- deadlines that arise after intake (docs/domain.md §5.3) ------------------- */

/* The intake of case `c` a later fact belongs to: `want` when given (an
 * intake of the case that arrived at or before at_ms), else the opening
 * intake (latest = 0) or the latest that arrived at or before at_ms. */
static triage_status_t pick_intake(const triage__intake **out, const triage__case *c,
                                   const triage_id_t *want, int64_t at_ms, int latest)
{
    if (want && !is_nil(want)) {
        const triage__intake *in = triage__case_intake(c, want);
        if (!in)
            return triage__error(TRIAGE_ENOTFOUND, "intake", "no intake of the case has that id");
        if (in->received_ms > at_ms)
            return triage__error(TRIAGE_EINVAL, "intake", "the intake arrived after at_ms");
        *out = in;
        return TRIAGE_OK;
    }
    *out = &c->intakes[0];
    for (uint32_t i = 1; latest && i < c->nintakes; i++)
        if (c->intakes[i].received_ms <= at_ms)
            *out = &c->intakes[i];
    return TRIAGE_OK;
}

/* triage__case_begin() for a change that a closed case refuses. */
static triage_status_t begin_open(triage__txn *tx, triage__case **c, triage_date_t *day,
                                  triage_engine_t *e, const triage_id_t *case_id,
                                  const triage_id_t *actor, int64_t at_ms)
{
    triage_status_t rc = triage__case_begin(tx, c, day, e, case_id, actor, at_ms);
    if (!rc && (*c)->stage == TRIAGE_STAGE_CLOSED)
        rc = triage__case_fail(tx, triage__forbid("closed_is_final", "a closed case never changes"));
    return rc;
}

static triage_status_t service_decision_once(triage_engine_t *e, const triage_id_t *case_id,
                                             const triage_id_t *actor, int64_t at_ms,
                                             const triage_id_t *intake, int urgent)
{
    triage_status_t rc = triage__bool_arg(urgent, "urgent");
    if (rc)
        return rc;
    triage__txn tx;
    triage__case *c;
    triage_date_t day;
    rc = begin_open(&tx, &c, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    const triage__intake *in;
    if ((rc = pick_intake(&in, c, intake, at_ms, 0)))
        return triage__case_fail(&tx, rc);
    triage_id_t intake_id = in->id;
    triage__case_respond(c, at_ms, day);
    triage_event_t *ev = triage__case_event(&tx, c, TRIAGE_EVENT_SERVICE_DECIDED, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->to = urgent;
    ev->intake = intake_id;
    /* SHL 45 § 2: a non-urgent decision is carried out within 3 months of
     * the matter's intake (urgent ones without delay: no dated row) */
    if (!urgent && (rc = triage__case_add_later_row(&tx, c, TRIAGE_DEADLINE_D9, in, in->received,
                                                    at_ms, actor)))
        return triage__case_fail(&tx, rc);
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_service_decision(triage_engine_t *e,
                                                        const triage_id_t *case_id,
                                                        const triage_id_t *actor, int64_t at_ms,
                                                        const triage_id_t *intake, int urgent)
{
    TRIAGE__RETRY(e, service_decision_once(e, case_id, actor, at_ms, intake, urgent));
}

static triage_status_t request_meeting_once(triage_engine_t *e, const triage_id_t *case_id,
                                            const triage_id_t *actor, int64_t at_ms,
                                            const triage_id_t *intake)
{
    triage__txn tx;
    triage__case *c;
    triage_date_t day;
    triage_status_t rc = begin_open(&tx, &c, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    const triage__intake *in;
    if ((rc = pick_intake(&in, c, intake, at_ms, 1)))
        return triage__case_fail(&tx, rc);
    triage_event_t *ev = triage__case_event(&tx, c, TRIAGE_EVENT_MEETING_REQUESTED, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->intake = in->id;
    /* TTL 14 e §: the meeting by the 7th business day after asking */
    if ((rc = triage__case_add_later_row(&tx, c, TRIAGE_DEADLINE_D13, in, day, at_ms, actor)))
        return triage__case_fail(&tx, rc);
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_request_meeting(triage_engine_t *e,
                                                       const triage_id_t *case_id,
                                                       const triage_id_t *actor, int64_t at_ms,
                                                       const triage_id_t *intake)
{
    TRIAGE__RETRY(e, request_meeting_once(e, case_id, actor, at_ms, intake));
}

static triage_status_t review_plan_once(triage_engine_t *e, const triage_id_t *case_id,
                                        const triage_id_t *actor, int64_t at_ms)
{
    triage__txn tx;
    triage__case *c;
    triage_date_t day;
    triage_status_t rc = begin_open(&tx, &c, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    if (c->stage != TRIAGE_STAGE_CASEWORK || c->plan_made == NONE)
        return triage__case_fail(&tx, triage__forbid("shl39_plan_review",
                                             "a client plan is reviewed in casework, once it "
                                             "has been made"));
    triage__case_meet(c, TRIAGE_MILESTONE_PLAN_REVIEWED, at_ms, day);
    triage__case_reassess(c, at_ms, day);
    triage__case_respond(c, at_ms, day);
    triage_event_t *ev = triage__case_event(&tx, c, TRIAGE_EVENT_MILESTONE, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->to = TRIAGE_MILESTONE_PLAN_REVIEWED;
    /* the next review: the policy's limit after this one (default 12 months) */
    if ((rc = triage__case_add_later_row(&tx, c, TRIAGE_DEADLINE_PLAN_REVIEW, &c->intakes[0], day,
                                         at_ms, actor)))
        return triage__case_fail(&tx, rc);
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_review_plan(triage_engine_t *e, const triage_id_t *case_id,
                                                   const triage_id_t *actor, int64_t at_ms)
{
    TRIAGE__RETRY(e, review_plan_once(e, case_id, actor, at_ms));
}

triage_status_t triage__deadline_state(triage_deadline_state_t *state, int32_t *overdue,
                                       triage_date_t *met, triage_engine_t *e,
                                       const triage__case *c, const triage__deadline *d,
                                       triage_date_t today, int32_t due_soon_days)
{
    triage_deadline_t dl = {(triage_deadline_row_t)d->row, (triage_legal_basis_t)d->basis,
                            (triage_milestone_t)d->milestone, d->due};
    /* asked about a day before the row was met: not met yet on that day */
    *met = d->met != NONE && d->met <= today ? d->met : NONE;
    triage_status_t rc =
        triage_deadline_status(state, overdue, e->cal, &dl, *met, today, due_soon_days);
    if (rc)
        return rc;
    /* A closed case owes no milestone it had not reached: cancelled when it
     * closed in time, else missed by the closing day. A superseded row was
     * replaced by a later one and is no longer due. */
    if (*met == NONE && (d->flags & TRIAGE__DL_SUPERSEDED)) {
        *state = TRIAGE_DEADLINE_CANCELLED;
        *overdue = 0;
    } else if (*met == NONE && c->closed != NONE && c->closed <= today) {
        if (c->closed <= d->due) {
            *state = TRIAGE_DEADLINE_CANCELLED;
            *overdue = 0;
        } else {
            *state = TRIAGE_DEADLINE_MISSED;
            triage_calendar_business_days_between(overdue, e->cal, d->due, c->closed);
        }
    }
    return TRIAGE_OK;
}

static const size_t case_deadline_sizes[] = {sizeof(triage_case_deadline_t)};

TRIAGE_API triage_status_t triage_case_deadlines(triage_case_deadline_t **out, size_t *count,
                                                 int32_t *next, uint32_t version,
                                                 triage_engine_t *e, const triage_id_t *case_id,
                                                 triage_date_t today, int32_t due_soon_days)
{
    if (!out)
        return triage__error_null("out");
    if (!count)
        return triage__error_null("count");
    size_t size = triage__version_size(version, case_deadline_sizes,
                                       TRIAGE__ARRAY_LEN(case_deadline_sizes), "version");
    if (!size)
        return triage_error_last()->code;
    if (!e)
        return triage__error_null("engine");
    if (!case_id)
        return triage__error_null("case_id");
    if (due_soon_days < 0)
        return triage__error(TRIAGE_EINVAL, "due_soon_days", "due_soon_days must be >= 0");
    TRIAGE__READ_BEGIN(e);
    const triage__case *c = triage__fetch(e, TRIAGE__T_CASE, case_id, "case_id");
    if (!c)
        return triage_error_last()->code;
    unsigned char *arr = NULL;
    if (c->ndeadlines) {
        arr = triage__owned_alloc(&e->alloc, c->ndeadlines * size);
        if (!arr)
            return TRIAGE_ENOMEM;
    }
    int32_t first = -1;
    triage_date_t first_due = 0;
    for (uint32_t i = 0; i < c->ndeadlines; i++) {
        const triage__deadline *d = &c->deadlines[i];
        triage_case_deadline_t x;
        memset(&x, 0, sizeof x);
        x.version = TRIAGE_CASE_DEADLINE_VERSION;
        x.deadline.row = (triage_deadline_row_t)d->row;
        x.deadline.basis = (triage_legal_basis_t)d->basis;
        x.deadline.milestone = (triage_milestone_t)d->milestone;
        x.deadline.due = d->due;
        x.id = d->id;
        x.intake = d->intake_id;
        x.start = d->start;
        x.flags = (d->flags & TRIAGE__DL_MET_ON_ARRIVAL ? TRIAGE_DEADLINE_MET_ON_ARRIVAL : 0) |
                  (d->flags & TRIAGE__DL_SUPERSEDED ? TRIAGE_DEADLINE_SUPERSEDED : 0);
        triage_status_t rc = triage__deadline_state(&x.state, &x.overdue, &x.met, e, c, d, today,
                                                    due_soon_days);
        if (rc) {
            triage_free(arr);
            return rc;
        }
        if ((x.state == TRIAGE_DEADLINE_OPEN || x.state == TRIAGE_DEADLINE_DUE_SOON ||
             x.state == TRIAGE_DEADLINE_MISSED) &&
            (first < 0 || d->due < first_due)) {
            first = (int32_t)i;
            first_due = d->due;
        }
        memcpy(arr + i * size, &x, size);
    }
    *out = (triage_case_deadline_t *)(void *)arr;
    *count = c->ndeadlines;
    if (next)
        *next = first;
    if (e->audit)
        e->audit(e->audit_ud, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_CASE, case_id);
    return TRIAGE_OK;
}
