/*
 * The client process (docs/domain.md §3-§6): stage transitions with their
 * required data, contact attempts, the motivation check, classification,
 * the special-support decision, workers on a case, the SHL 37 § assessment
 * record and milestones. Intake is in intake.c; the deadlines that arise
 * after intake and the deadline status in case_deadlines.c.
 *
 * Every function validates first, then builds its change in a transaction
 * (txn.c) and commits it: a failure changes nothing.
 */
#include <string.h>

#include "engine/engine_internal.h"
#include "rules/deadline_priv.h"

#define NONE TRIAGE_DATE_NONE

static const triage_id_t nil_id;

static int is_nil(const triage_id_t *id)
{
    return triage_id_is_nil(id);
}

static int id_eq(const triage_id_t *a, const triage_id_t *b)
{
    return triage_id_compare(a, b) == 0;
}

/* The local date of a caller-supplied time. */
static triage_status_t local_date(triage_date_t *d, int32_t *minute, int64_t at_ms)
{
    if (triage_local_time(d, minute, at_ms))
        return triage__error(TRIAGE_ERANGE, "at_ms", "time outside the supported range");
    return TRIAGE_OK;
}

triage_status_t triage__bool_arg(int v, const char *name)
{
    if (v != 0 && v != 1)
        return triage__error(TRIAGE_EINVAL, name, "%s must be 0 or 1", name);
    return TRIAGE_OK;
}

/* An actor: nil (the system) or an existing worker. */
triage_status_t triage__check_actor(triage_engine_t *e, const triage_id_t *actor)
{
    if (!actor || is_nil(actor) || triage__table_get(&e->tables[TRIAGE__T_WORKER], actor))
        return TRIAGE_OK;
    /* a worker another engine added since this engine's last refresh is
     * read from the store (a call that checks before its refresh) */
    if (triage__fetch(e, TRIAGE__T_WORKER, actor, "actor"))
        return TRIAGE_OK;
    return triage_error_last()->code;
}

triage_status_t triage__policy_tag(triage_event_t *ev, triage_engine_t *e, int which)
{
    const char *id = "";
    uint32_t ver = 0;
    if (which == 0)
        triage_urgency_policy_id(&id, &ver, e->urgency);
    else
        triage_classify_policy_id(&id, &ver, e->classify);
    size_t n = strlen(id);
    if (n >= sizeof ev->policy_id)
        n = sizeof ev->policy_id - 1;
    memcpy(ev->policy_id, id, n);
    ev->policy_id[n] = '\0';
    ev->policy_version = ver;
    return TRIAGE_OK;
}

/* Common start of a case operation: argument checks, then the case and its
 * date. On success the transaction holds a writable copy of the case. */
triage_status_t triage__case_begin(triage__txn *tx, triage__case **rec, triage_date_t *date,
                                     triage_engine_t *e, const triage_id_t *case_id,
                                     const triage_id_t *actor, int64_t at_ms)
{
    if (!e)
        return triage__error_null("engine");
    if (!case_id)
        return triage__error_null("case_id");
    triage_status_t rc = triage__check_actor(e, actor);
    if (rc)
        return rc;
    const triage__case *cur = triage__fetch(e, TRIAGE__T_CASE, case_id, "case_id");
    if (!cur)
        return triage_error_last()->code;
    if (at_ms < cur->received_ms)
        return triage__error(TRIAGE_EINVAL, "at_ms", "the time is before the intake");
    rc = local_date(date, NULL, at_ms);
    if (rc)
        return rc;
    triage__txn_init(tx, e);
    *rec = triage__txn_get(tx, TRIAGE__T_CASE, case_id);
    if (!*rec) {
        triage__txn_discard(tx);
        return triage_error_last()->code;
    }
    return TRIAGE_OK;
}

void triage__case_meet(triage__case *c, triage_milestone_t milestone, int64_t at_ms,
                       triage_date_t day)
{
    for (uint32_t i = 0; i < c->ndeadlines; i++) {
        triage__deadline *d = &c->deadlines[i];
        if (d->milestone == (int32_t)milestone && d->met == NONE && d->start_ms <= at_ms &&
            !(d->flags & TRIAGE__DL_SUPERSEDED))
            d->met = day;
    }
}

int triage__row_arises_later(int32_t row)
{
    return row == TRIAGE_DEADLINE_D9 || row == TRIAGE_DEADLINE_D12_DECISION ||
           row == TRIAGE_DEADLINE_D13 || row == TRIAGE_DEADLINE_PLAN_REVIEW;
}

triage_status_t triage__case_add_later_row(triage__txn *tx, triage__case *c,
                                           triage_deadline_row_t row, const triage__intake *in,
                                           triage_date_t from, int64_t at_ms,
                                           const triage_id_t *actor)
{
    triage_engine_t *e = tx->e;
    triage_deadline_t dl;
    int enabled = 0;
    triage_status_t rc =
        triage__deadline_later(&dl, &enabled, e->rules, e->cal, row, from,
                               in->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION);
    if (rc || !enabled)
        return rc;
    triage_id_t intake_id = in->id; /* `in` lives in c->intakes, which does not move here */
    triage__deadline *d = triage__case_add_deadline(&e->alloc, c);
    if (!d)
        return triage_error_last()->code;
    rc = triage__new_row_id(e, &d->id);
    if (rc)
        return rc;
    d->intake_id = intake_id;
    d->row = (int32_t)dl.row;
    d->basis = (int32_t)dl.basis;
    d->milestone = (int32_t)dl.milestone;
    d->start_ms = at_ms;
    d->start = from;
    d->due = dl.due;
    d->met = NONE;
    triage_event_t *ev = triage__case_event(tx, c, TRIAGE_EVENT_DEADLINE_ADDED, at_ms, actor);
    if (!ev)
        return TRIAGE_ENOMEM;
    ev->to = d->row;
    ev->from = d->due;
    ev->from_id = d->id;
    ev->intake = intake_id;
    return TRIAGE_OK;
}

/* Acting on the matter answers every intake that arrived before it: the
 * tier response rows (docs/deadlines.md). */
void triage__case_respond(triage__case *c, int64_t at_ms, triage_date_t day)
{
    triage__case_meet(c, TRIAGE_MILESTONE_RESPONSE, at_ms, day);
}

/* A reassessment by the worker who has the case (a classification redone,
 * a plan review) once the case is past the start of its assessment: it
 * starts the assessment of every matter attached since, and past
 * ASSESSMENT also completes it (docs/deadlines.md, "Attached intakes"). */
void triage__case_reassess(triage__case *c, int64_t at_ms, triage_date_t day)
{
    if (c->stage < TRIAGE_STAGE_ASSESSMENT || c->stage == TRIAGE_STAGE_CLOSED)
        return;
    triage__case_meet(c, TRIAGE_MILESTONE_ASSESSMENT_STARTED, at_ms, day);
    if (c->stage >= TRIAGE_STAGE_PLANNING)
        triage__case_meet(c, TRIAGE_MILESTONE_ASSESSMENT_COMPLETED, at_ms, day);
}

triage_status_t triage__case_fail(triage__txn *tx, triage_status_t rc)
{
    triage__txn_discard(tx);
    return rc;
}

triage_event_t *triage__case_event(triage__txn *tx, const triage__case *c,
                                   triage_event_kind_t kind, int64_t at_ms,
                                   const triage_id_t *actor)
{
    triage_event_t *ev = triage__txn_event(tx, &c->id, kind, at_ms, actor);
    if (ev)
        ev->subject = c->client;
    return ev;
}

/* ---- role law ------------------------------------------------------------ */

static triage_role_t worker_role(triage_engine_t *e, const triage_id_t *id)
{
    if (!id || is_nil(id))
        return 0;
    const triage__worker *w = triage__table_get(&e->tables[TRIAGE__T_WORKER], id);
    return w ? w->role : 0;
}

/* The classification with the special-support decision applied. */
static triage_classification_t effective(const triage__case *c)
{
    triage_classification_t k = c->classification;
    k.special_support = (uint8_t)(c->special_support != 0);
    return k;
}

/* Is the case's responsible arrangement lawful? Unclassified or without a
 * responsible worker: nothing to check. */
static int arrangement_ok(triage_engine_t *e, const triage__case *c)
{
    if (!(c->flags & TRIAGE_CASE_CLASSIFIED) || is_nil(&c->responsible))
        return 1;
    triage_classification_t k = effective(c);
    int ok = 0;
    if (triage_classify_arrangement_lawful(&ok, e->classify, &k, worker_role(e, &c->responsible),
                                           (int)worker_role(e, &c->pair)))
        return 0;
    return ok;
}

static void update_mismatch(triage_engine_t *e, triage__case *c)
{
    c->flags &= ~(TRIAGE_CASE_ROLE_MISMATCH | TRIAGE_CASE_ROLE_CHANGE_SUGGESTED);
    if (!arrangement_ok(e, c))
        c->flags |= TRIAGE_CASE_ROLE_MISMATCH;
    else if ((c->flags & TRIAGE_CASE_CLASSIFIED) && !is_nil(&c->responsible) &&
             worker_role(e, &c->responsible) != (triage_role_t)c->classification.preferred_role)
        c->flags |= TRIAGE_CASE_ROLE_CHANGE_SUGGESTED;
}

/* ---- transitions ----------------------------------------------------------- */

#define R(x) (1u << (x))
#define REASONS_ANY                                                                          \
    (R(TRIAGE_CLOSE_ADVICE_GIVEN) | R(TRIAGE_CLOSE_REFERRED) | R(TRIAGE_CLOSE_DECLINED) |    \
     R(TRIAGE_CLOSE_UNREACHABLE) | R(TRIAGE_CLOSE_NO_NEED) | R(TRIAGE_CLOSE_GOALS_MET) |     \
     R(TRIAGE_CLOSE_MOVED_AWAY) | R(TRIAGE_CLOSE_DUPLICATE))
#define REASONS_ALWAYS (R(TRIAGE_CLOSE_MOVED_AWAY) | R(TRIAGE_CLOSE_DUPLICATE))

enum {
    NEEDS_IMMEDIATE = 1,   /* urgent duty goes straight to the duty pair */
    NEEDS_CONTINUITY = 2,  /* the client has an active case with a responsible worker */
    NEEDS_DISTRIBUTED = 4, /* classification + a qualified assessment worker */
    NEEDS_ASSESSED = 8,    /* SHL 37 § record + responsible worker or "unnecessary" */
    NEEDS_PLAN_SKIP = 16   /* plan recorded as obviously unnecessary */
};

/* The allowed transitions of docs/domain.md §3, one row each. */
static const struct transition {
    triage_stage_t from, to;
    uint32_t needs;
    uint32_t reasons; /* allowed closing reasons (to CLOSED) */
    const char *rule;
} transitions[] = {
    {TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_GUIDANCE, 0, 0, "received_to_guidance"},
    {TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_DISTRIBUTION, NEEDS_IMMEDIATE, 0, "immediate_to_duty_pair"},
    {TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_CASEWORK, NEEDS_CONTINUITY, 0, "continuity_own_worker"},
    {TRIAGE_STAGE_RECEIVED, TRIAGE_STAGE_CLOSED, 0, REASONS_ALWAYS, "closing_reason"},
    {TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_INITIAL_ASSESSMENT, 0, 0, "guidance_onwards"},
    {TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_DISTRIBUTION, 0, 0, "guidance_onwards"},
    {TRIAGE_STAGE_GUIDANCE, TRIAGE_STAGE_CLOSED, 0,
     R(TRIAGE_CLOSE_ADVICE_GIVEN) | R(TRIAGE_CLOSE_REFERRED) | R(TRIAGE_CLOSE_DECLINED) |
         R(TRIAGE_CLOSE_UNREACHABLE) | REASONS_ALWAYS,
     "closing_reason"},
    {TRIAGE_STAGE_INITIAL_ASSESSMENT, TRIAGE_STAGE_DISTRIBUTION, 0, 0, "initial_assessment_onwards"},
    {TRIAGE_STAGE_INITIAL_ASSESSMENT, TRIAGE_STAGE_CLOSED, 0,
     R(TRIAGE_CLOSE_NO_NEED) | R(TRIAGE_CLOSE_REFERRED) | R(TRIAGE_CLOSE_ADVICE_GIVEN) |
         REASONS_ALWAYS,
     "closing_reason"},
    {TRIAGE_STAGE_DISTRIBUTION, TRIAGE_STAGE_ASSESSMENT, NEEDS_DISTRIBUTED, 0, "distribution_to_assessment"},
    {TRIAGE_STAGE_DISTRIBUTION, TRIAGE_STAGE_CLOSED, 0, REASONS_ALWAYS, "closing_reason"},
    {TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_PLANNING, NEEDS_ASSESSED, 0, "assessment_to_planning"},
    {TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_CASEWORK, NEEDS_ASSESSED | NEEDS_PLAN_SKIP, 0,
     "assessment_to_casework"},
    {TRIAGE_STAGE_ASSESSMENT, TRIAGE_STAGE_CLOSED, 0,
     R(TRIAGE_CLOSE_NO_NEED) | R(TRIAGE_CLOSE_DECLINED) | R(TRIAGE_CLOSE_UNREACHABLE) |
         R(TRIAGE_CLOSE_REFERRED) | REASONS_ALWAYS,
     "closing_reason"},
    {TRIAGE_STAGE_PLANNING, TRIAGE_STAGE_CASEWORK, 0, 0, "planning_to_casework"},
    {TRIAGE_STAGE_PLANNING, TRIAGE_STAGE_CLOSED, 0, REASONS_ANY, "closing_reason"},
    {TRIAGE_STAGE_CASEWORK, TRIAGE_STAGE_CLOSED, 0, REASONS_ANY, "closing_reason"},
};

static const struct transition *find_transition(triage_stage_t from, triage_stage_t to)
{
    for (size_t i = 0; i < TRIAGE__ARRAY_LEN(transitions); i++)
        if (transitions[i].from == from && transitions[i].to == to)
            return &transitions[i];
    return NULL;
}

triage_status_t triage__forbid(const char *rule, const char *msg)
{
    return triage__error(TRIAGE_ESTATE, rule, "%s", msg);
}

/* docs/domain.md §3: "no urgent risk" means the case's tier is neither
 * IMMEDIATE nor URGENT (whatever the motivation check was told). */
static int urgent_tier(const triage__case *c)
{
    return c->urgency == TRIAGE_URGENCY_IMMEDIATE || c->urgency == TRIAGE_URGENCY_URGENT;
}

/* SHL 35 § 2: a client may decline when there is no urgent risk and they are
 * not evidently unable to look after their own care, health or safety. */
static triage_status_t may_decline(const triage__case *c)
{
    if ((c->flags & TRIAGE_CASE_URGENT_RISK) || urgent_tier(c) ||
        (c->triggers & TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_UNABLE_TO_SELF_CARE)))
        return triage__forbid("shl35_2_declined", "the client cannot be closed as declined while there "
                                          "is an urgent risk or they cannot look after themselves");
    if (c->stage == TRIAGE_STAGE_GUIDANCE && c->motivation != TRIAGE_MOTIVATION_UNWILLING)
        return triage__forbid("motivation_unwilling",
                      "closing as declined in guidance needs the motivation check to say unwilling");
    return TRIAGE_OK;
}

static triage_status_t may_close_unreachable(triage_engine_t *e, const triage__case *c)
{
    int32_t span = -1;
    if (c->contact_attempts >= e->unreachable_attempts && c->first_attempt != NONE)
        triage_calendar_business_days_between(&span, e->cal, c->first_attempt, c->last_attempt);
    if (span < e->unreachable_min_days)
        return triage__error(TRIAGE_ESTATE, "unreachable_policy",
                             "closing as unreachable needs %d failed contact attempts over at "
                             "least %d business days",
                             e->unreachable_attempts, e->unreachable_min_days);
    return TRIAGE_OK;
}

static triage_status_t check_needs(triage_engine_t *e, const triage__case *r,
                                   const struct transition *t, const triage_move_t *m)
{
    const triage__case *c = r;
    if ((t->needs & NEEDS_IMMEDIATE) && c->urgency != TRIAGE_URGENCY_IMMEDIATE)
        return triage__forbid(t->rule, "only an IMMEDIATE case goes straight to distribution");
    if (t->needs & NEEDS_CONTINUITY) {
        const triage__client *cl = triage__fetch(e, TRIAGE__T_CLIENT, &c->client, "client");
        const triage__case *act =
            cl && !is_nil(&cl->active_case)
                ? triage__fetch(e, TRIAGE__T_CASE, &cl->active_case, "active_case")
                : NULL;
        if (!act || id_eq(&act->id, &c->id) || act->stage == TRIAGE_STAGE_CLOSED ||
            is_nil(&act->responsible))
            return triage__forbid(t->rule, "the client has no active case with a responsible worker");
    }
    if (t->needs & NEEDS_DISTRIBUTED) {
        if (!(c->flags & TRIAGE_CASE_CLASSIFIED))
            return triage__forbid("classification_required", "the case must be classified first");
        triage_role_t role = worker_role(e, &c->assessment_worker);
        if (!role)
            return triage__forbid("assessment_worker_required",
                          "an assessment-responsible worker must be named first");
        if (c->special_support && role != TRIAGE_ROLE_SOCIAL_WORKER)
            return triage__forbid("shl36_5_social_worker_assesses",
                          "a special-support client's assessment is run by a social worker");
    }
    if (t->needs & NEEDS_ASSESSED) {
        if (!(c->flags & TRIAGE_CASE_ASSESSMENT_RECORDED))
            return triage__forbid("shl37_assessment_record", "the SHL 37 § assessment record is missing");
        if (is_nil(&c->responsible) && !m->responsible_unnecessary &&
            !(c->flags & TRIAGE_CASE_RESPONSIBLE_UNNECESSARY))
            return triage__forbid("shl42_responsible_worker",
                          "a responsible worker must be named or recorded as unnecessary");
        if (!arrangement_ok(e, c))
            return triage__forbid("shl42_special_support_responsible",
                          "the responsible worker's role does not fit the client's need");
    }
    if ((t->needs & NEEDS_PLAN_SKIP) && !m->plan_unnecessary)
        return triage__forbid("shl39_plan_unnecessary",
                      "skipping the client plan needs it recorded as obviously unnecessary");
    if (t->to == TRIAGE_STAGE_CLOSED) {
        if (m->reason == TRIAGE_CLOSE_NONE)
            return triage__forbid("closing_reason", "closing needs a reason");
        if (!(t->reasons & R(m->reason)))
            return triage__forbid("closing_reason", "that closing reason is not allowed at this stage");
        if (m->reason == TRIAGE_CLOSE_DECLINED)
            return may_decline(c);
        if (m->reason == TRIAGE_CLOSE_UNREACHABLE)
            return may_close_unreachable(e, c);
    } else if (m->reason != TRIAGE_CLOSE_NONE) {
        return triage__error(TRIAGE_EINVAL, "reason", "a closing reason is only for closing");
    }
    return TRIAGE_OK;
}

/* After a responsible worker leaves a case, the client's pointer follows. */
static triage_status_t release_client(triage__txn *tx, const triage__case *c)
{
    triage__client *cl = triage__txn_get(tx, TRIAGE__T_CLIENT, &c->client);
    if (!cl)
        return triage_error_last()->code;
    if (id_eq(&cl->active_case, &c->id)) {
        cl->active_case = nil_id;
        cl->responsible_worker = nil_id;
    }
    return TRIAGE_OK;
}

static triage_status_t case_move_once(triage_engine_t *e, const triage_id_t *case_id,
                                            const triage_move_t *m)
{
    if (!m)
        return triage__error_null("move");
    if (m->version == 0 || m->version > TRIAGE_MOVE_VERSION)
        return triage__error(TRIAGE_EVERSION, "move.version", "unsupported move version");
    if (m->to < TRIAGE_STAGE_RECEIVED || m->to > TRIAGE_STAGE_CLOSED)
        return triage__error(TRIAGE_EINVAL, "to", "unknown stage");
    if ((int)m->reason < TRIAGE_CLOSE_NONE || m->reason > TRIAGE_CLOSE_DUPLICATE)
        return triage__error(TRIAGE_EINVAL, "reason", "unknown closing reason");
    triage_status_t rc = triage__bool_arg(m->plan_unnecessary, "plan_unnecessary");
    if (!rc)
        rc = triage__bool_arg(m->responsible_unnecessary, "responsible_unnecessary");
    if (rc)
        return rc;
    triage__txn tx;
    triage__case *r;
    triage_date_t day;
    rc = triage__case_begin(&tx, &r, &day, e, case_id, &m->actor, m->at_ms);
    if (rc)
        return rc;
    triage__case *c = r;
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return triage__case_fail(&tx, triage__forbid("closed_is_final", "a closed case never changes"));
    const struct transition *t = find_transition(c->stage, m->to);
    if (!t)
        return triage__case_fail(&tx, triage__error(TRIAGE_ESTATE, "stage_graph",
                                                    "%s -> %s is not an allowed transition",
                                                    triage_stage_name(c->stage),
                                                    triage_stage_name(m->to)));
    rc = check_needs(e, r, t, m);
    if (rc)
        return triage__case_fail(&tx, rc);

    triage_stage_t from = c->stage;
    if (from == TRIAGE_STAGE_RECEIVED) {
        if (m->to != TRIAGE_STAGE_CLOSED)
            c->flags |= TRIAGE_CASE_CLIENT_RELATIONSHIP;
        if (c->responded == NONE)
            c->responded = day;
    }
    /* Acting on the matter is the response to every intake that arrived
     * before it (an attached intake is answered by the next action). */
    if (m->to != TRIAGE_STAGE_CLOSED)
        triage__case_meet(c, TRIAGE_MILESTONE_RESPONSE, m->at_ms, day);
    if (t->needs & NEEDS_CONTINUITY) {
        const triage__client *cl = triage__fetch(e, TRIAGE__T_CLIENT, &c->client, "client");
        const triage__case *act =
            cl ? triage__fetch(e, TRIAGE__T_CASE, &cl->active_case, "active_case") : NULL;
        if (!act)
            return triage__case_fail(&tx, triage_error_last()->code);
        c->responsible = act->responsible;
        r->attached_to = act->id;
    }
    if (m->to == TRIAGE_STAGE_ASSESSMENT) {
        if (c->assessment_started == NONE)
            c->assessment_started = day;
        triage__case_meet(c, TRIAGE_MILESTONE_ASSESSMENT_STARTED, m->at_ms, day);
    }
    int plan_made = from == TRIAGE_STAGE_PLANNING && m->to == TRIAGE_STAGE_CASEWORK &&
                    c->plan_made == NONE;
    if (plan_made)
        c->plan_made = day;
    if (from == TRIAGE_STAGE_ASSESSMENT && m->to != TRIAGE_STAGE_CLOSED) {
        c->assessment_completed = day;
        /* a completed assessment has started, also for a matter attached
         * while it ran */
        triage__case_meet(c, TRIAGE_MILESTONE_ASSESSMENT_STARTED, m->at_ms, day);
        triage__case_meet(c, TRIAGE_MILESTONE_ASSESSMENT_COMPLETED, m->at_ms, day);
        if (m->plan_unnecessary)
            c->flags |= TRIAGE_CASE_PLAN_UNNECESSARY;
        if (m->responsible_unnecessary)
            c->flags |= TRIAGE_CASE_RESPONSIBLE_UNNECESSARY;
    }
    if (m->to == TRIAGE_STAGE_CLOSED) {
        c->closing_reason = m->reason;
        c->closed = day;
        rc = release_client(&tx, c);
        if (rc)
            return triage__case_fail(&tx, rc);
    }
    c->stage = m->to;
    triage_event_t *ev =
        triage__case_event(&tx, r, TRIAGE_EVENT_STAGE_CHANGED, m->at_ms, &m->actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->from = (int32_t)from;
    ev->to = (int32_t)m->to;
    ev->reason = (int32_t)m->reason;
    /* the plan is made: its review deadline (SHL 39 §) arises */
    if (plan_made && (rc = triage__case_add_later_row(&tx, c, TRIAGE_DEADLINE_PLAN_REVIEW,
                                                      &c->intakes[0], day, m->at_ms, &m->actor)))
        return triage__case_fail(&tx, rc);
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_move(triage_engine_t *e, const triage_id_t *case_id,
                                            const triage_move_t *m)
{
    TRIAGE__RETRY(e, case_move_once(e, case_id, m));
}

/* ---- guidance -------------------------------------------------------------- */

static triage_status_t contact_attempt_once(triage_engine_t *e, const triage_id_t *case_id,
                                            const triage_id_t *actor, int64_t at_ms, int reached)
{
    if (reached < TRIAGE_CONTACT_NOT_REACHED || reached > TRIAGE_CONTACT_NO_SHOW)
        return triage__error(TRIAGE_EINVAL, "reached",
                             "reached must be 0 (not reached), 1 (reached) or 2 (no-show)");
    triage__txn tx;
    triage__case *r;
    triage_date_t day;
    triage_status_t rc = triage__case_begin(&tx, &r, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    triage__case *c = r;
    if (reached == TRIAGE_CONTACT_NO_SHOW) {
        if (c->stage < TRIAGE_STAGE_GUIDANCE || c->stage > TRIAGE_STAGE_CASEWORK)
            return triage__case_fail(&tx, triage__forbid("no_show_stage",
                                                 "a no-show is recorded on an open case past "
                                                 "intake"));
    } else if (c->stage != TRIAGE_STAGE_GUIDANCE && c->stage != TRIAGE_STAGE_INITIAL_ASSESSMENT &&
               c->stage != TRIAGE_STAGE_ASSESSMENT) {
        return triage__case_fail(&tx, triage__forbid("contact_attempt_stage",
                                             "contact attempts are recorded in guidance, "
                                             "initial assessment or assessment"));
    }
    triage__client *cl = triage__txn_get(&tx, TRIAGE__T_CLIENT, &c->client);
    if (!cl)
        return triage__case_fail(&tx, triage_error_last()->code);
    if (cl->last_activity == NONE || cl->last_activity < day)
        cl->last_activity = day;
    if (reached == TRIAGE_CONTACT_NO_SHOW) {
        c->no_shows++;
        cl->no_shows++;
    } else if (reached == TRIAGE_CONTACT_REACHED) {
        if (c->first_contact == NONE)
            c->first_contact = day;
        if (c->responded == NONE)
            c->responded = day;
        triage__case_meet(c, TRIAGE_MILESTONE_RESPONSE, at_ms, day);
        c->contact_attempts = 0;
        c->first_attempt = c->last_attempt = NONE;
        cl->last_contact = day;
        cl->flags &= ~TRIAGE_CLIENT_REPEAT_NOTIFIED;
    } else {
        c->contact_attempts++;
        if (c->first_attempt == NONE)
            c->first_attempt = day;
        c->last_attempt = day;
        cl->failed_contacts++;
    }
    triage_event_t *ev = triage__case_event(&tx, r, TRIAGE_EVENT_CONTACT_ATTEMPT, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->to = reached;
    ev->from = c->contact_attempts;
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_contact_attempt(triage_engine_t *e,
                                                       const triage_id_t *case_id,
                                                       const triage_id_t *actor, int64_t at_ms,
                                                       int reached)
{
    TRIAGE__RETRY(e, contact_attempt_once(e, case_id, actor, at_ms, reached));
}

static triage_status_t case_motivation_once(int *offer_decline, triage_engine_t *e,
                                                  const triage_id_t *case_id,
                                                  const triage_id_t *actor, int64_t at_ms,
                                                  triage_motivation_t motivation, int urgent_risk)
{
    if (motivation < TRIAGE_MOTIVATION_WILLING || motivation > TRIAGE_MOTIVATION_UNCLEAR)
        return triage__error(TRIAGE_EINVAL, "motivation", "unknown motivation value");
    triage_status_t rc = triage__bool_arg(urgent_risk, "urgent_risk");
    if (rc)
        return rc;
    triage__txn tx;
    triage__case *r;
    triage_date_t day;
    rc = triage__case_begin(&tx, &r, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    triage__case *c = r;
    if (c->stage != TRIAGE_STAGE_GUIDANCE && c->stage != TRIAGE_STAGE_INITIAL_ASSESSMENT)
        return triage__case_fail(&tx, triage__forbid("motivation_stage",
                                             "the motivation check belongs to guidance or "
                                             "initial assessment"));
    c->motivation = motivation;
    if (urgent_tier(c))
        urgent_risk = 1; /* an IMMEDIATE or URGENT case always has an urgent risk (§3) */
    if (urgent_risk)
        c->flags |= TRIAGE_CASE_URGENT_RISK;
    else
        c->flags &= ~TRIAGE_CASE_URGENT_RISK;
    triage_event_t *ev = triage__case_event(&tx, r, TRIAGE_EVENT_MOTIVATION_CHECKED, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->to = (int32_t)motivation;
    ev->reason = urgent_risk;
    int offer = motivation == TRIAGE_MOTIVATION_UNWILLING && may_decline(c) == TRIAGE_OK;
    rc = triage__txn_commit(&tx);
    if (!rc && offer_decline)
        *offer_decline = offer;
    return rc;
}

TRIAGE_API triage_status_t triage_case_motivation(int *offer_decline, triage_engine_t *e,
                                                  const triage_id_t *case_id,
                                                  const triage_id_t *actor, int64_t at_ms,
                                                  triage_motivation_t motivation, int urgent_risk)
{
    TRIAGE__RETRY(e, case_motivation_once(offer_decline, e, case_id, actor, at_ms, motivation, urgent_risk));
}

/* ---- classification ---------------------------------------------------------- */

static triage_status_t case_classify_once(triage_classification_t *out,
                                                triage_role_change_t *role_change,
                                                triage_engine_t *e, const triage_id_t *case_id,
                                                const triage_id_t *actor, int64_t at_ms,
                                                const triage_scores_t *scores)
{
    if (!scores)
        return triage__error_null("scores");
    triage_classification_t k;
    if (e) {
        triage_status_t rc0 = triage_classify(&k, e->classify, scores);
        if (rc0)
            return rc0;
    }
    triage__txn tx;
    triage__case *r;
    triage_date_t day;
    triage_status_t rc = triage__case_begin(&tx, &r, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    triage__case *c = r;
    if (c->stage < TRIAGE_STAGE_DISTRIBUTION || c->stage > TRIAGE_STAGE_CASEWORK)
        return triage__case_fail(&tx, triage__forbid("classification_stage",
                                             "classification is done in distribution, "
                                             "assessment, planning or casework"));
    /* The repeat-notification flag counts as a capacity barrier (§3, §6). */
    const triage__client *cl = triage__fetch(e, TRIAGE__T_CLIENT, &c->client, "client");
    if (!cl)
        return triage__case_fail(&tx, triage_error_last()->code);
    if ((cl->flags & TRIAGE_CLIENT_REPEAT_NOTIFIED) &&
        scores->capacity[TRIAGE_CAPACITY_REPEAT_NOTIFICATIONS] < 2) {
        triage_scores_t s = *scores;
        s.capacity[TRIAGE_CAPACITY_REPEAT_NOTIFICATIONS] = 2;
        rc = triage_classify(&k, e->classify, &s);
        if (rc)
            return triage__case_fail(&tx, rc);
    }
    triage__case_reassess(c, at_ms, day);
    triage__case_respond(c, at_ms, day);
    int from = (c->flags & TRIAGE_CASE_CLASSIFIED) ? c->classification.quadrant : 0;
    int old_rec = (c->flags & TRIAGE_CASE_CLASSIFIED) ? c->classification.special_support : -1;
    c->classification = k;
    c->flags |= TRIAGE_CASE_CLASSIFIED;
    if (old_rec != k.special_support)
        c->special_support_decided = -1; /* a new recommendation needs a new decision */
    c->special_support = c->special_support_decided >= 0 ? c->special_support_decided
                                                         : k.special_support;
    update_mismatch(e, c);
    triage_event_t *ev = triage__case_event(&tx, r, TRIAGE_EVENT_CLASSIFIED, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->from = from;
    ev->to = k.quadrant;
    ev->reason = k.special_support;
    triage__policy_tag(ev, e, 1);
    triage_role_change_t change = (c->flags & TRIAGE_CASE_ROLE_MISMATCH) ? TRIAGE_ROLE_CHANGE_REQUIRED
                                  : (c->flags & TRIAGE_CASE_ROLE_CHANGE_SUGGESTED)
                                      ? TRIAGE_ROLE_CHANGE_SUGGESTED
                                      : TRIAGE_ROLE_CHANGE_NONE;
    ev->from_id = c->responsible;
    rc = triage__txn_commit(&tx);
    if (!rc) {
        if (out)
            *out = k;
        if (role_change)
            *role_change = change;
    }
    return rc;
}

TRIAGE_API triage_status_t triage_case_classify(triage_classification_t *out,
                                                triage_role_change_t *role_change,
                                                triage_engine_t *e, const triage_id_t *case_id,
                                                const triage_id_t *actor, int64_t at_ms,
                                                const triage_scores_t *scores)
{
    TRIAGE__RETRY(e, case_classify_once(out, role_change, e, case_id, actor, at_ms, scores));
}

static triage_status_t case_decide_special_support_once(triage_engine_t *e,
                                                              const triage_id_t *case_id,
                                                              const triage_id_t *social_worker,
                                                              int64_t at_ms, int special_support,
                                                              int32_t reason_code)
{
    if (!social_worker)
        return triage__error_null("social_worker");
    triage_status_t rc = triage__bool_arg(special_support, "special_support");
    if (rc)
        return rc;
    if (reason_code < 0)
        return triage__error(TRIAGE_EINVAL, "reason_code", "reason codes are >= 0");
    if (e) {
        const triage__worker *w = triage__table_get(&e->tables[TRIAGE__T_WORKER], social_worker);
        if (!w)
            return triage__error(TRIAGE_ENOTFOUND, "social_worker", "no worker with that id");
        if (w->role != TRIAGE_ROLE_SOCIAL_WORKER || !w->active)
            return triage__error(TRIAGE_EINVAL, "social_worker",
                                 "only an active social worker decides on special support");
    }
    triage__txn tx;
    triage__case *r;
    triage_date_t day;
    rc = triage__case_begin(&tx, &r, &day, e, case_id, social_worker, at_ms);
    if (rc)
        return rc;
    triage__case *c = r;
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return triage__case_fail(&tx, triage__forbid("closed_is_final", "a closed case never changes"));
    if (!(c->flags & TRIAGE_CASE_CLASSIFIED))
        return triage__case_fail(&tx, triage__forbid("classification_required",
                                             "the case must be classified first"));
    int recommended = c->classification.special_support;
    if (special_support != recommended && reason_code == 0)
        return triage__case_fail(&tx, triage__error(TRIAGE_EINVAL, "reason_code",
                                                    "overriding the recommendation needs a "
                                                    "reason code"));
    c->special_support_decided = special_support;
    c->special_support = special_support;
    c->special_support_decider = *social_worker;
    update_mismatch(e, c);
    triage_event_t *ev =
        triage__case_event(&tx, r, TRIAGE_EVENT_SPECIAL_SUPPORT_DECIDED, at_ms, social_worker);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->from = recommended;
    ev->to = special_support;
    ev->reason = reason_code;
    triage__policy_tag(ev, e, 1);
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_decide_special_support(triage_engine_t *e,
                                                              const triage_id_t *case_id,
                                                              const triage_id_t *social_worker,
                                                              int64_t at_ms, int special_support,
                                                              int32_t reason_code)
{
    TRIAGE__RETRY(e, case_decide_special_support_once(e, case_id, social_worker, at_ms, special_support, reason_code));
}

/* ---- workers on a case ------------------------------------------------------- */

triage_status_t triage__case_set_worker_tx(triage__txn *tx, triage__case *r,
                                           const triage_id_t *actor, int64_t at_ms,
                                           triage_case_slot_t slot, const triage_id_t *worker)
{
    triage_engine_t *e = tx->e;
    triage_id_t wid = worker ? *worker : nil_id;
    triage__case *c = r;
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return triage__forbid("closed_is_final", "a closed case never changes");
    triage_role_t role = worker_role(e, &wid);
    if (role && role < TRIAGE_ROLE_SOCIAL_COUNSELLOR && slot != TRIAGE_SLOT_PAIR)
        return triage__forbid("qualified_worker",
                      "assessment and responsibility need a social counsellor or social worker");
    triage_id_t *target = slot == TRIAGE_SLOT_ASSESSMENT ? &c->assessment_worker
                          : slot == TRIAGE_SLOT_RESPONSIBLE ? &c->responsible
                                                           : &c->pair;
    if (slot == TRIAGE_SLOT_PAIR && role && id_eq(&wid, &c->responsible))
        return triage__error(TRIAGE_EINVAL, "worker",
                             "the pair must be another worker than the responsible");
    if (slot == TRIAGE_SLOT_ASSESSMENT && role && c->special_support &&
        role != TRIAGE_ROLE_SOCIAL_WORKER)
        return triage__forbid("shl36_5_social_worker_assesses",
                      "a special-support client's assessment is run by a social worker");
    triage_id_t before = *target;
    *target = wid;
    if (slot != TRIAGE_SLOT_ASSESSMENT && !is_nil(&c->responsible) && !arrangement_ok(e, c))
        return triage__forbid("shl42_special_support_responsible",
                      "a special-support client's responsible worker is a social worker (or, "
                      "where the policy allows, a counsellor with a social-worker pair)");
    update_mismatch(e, c);
    if (slot == TRIAGE_SLOT_RESPONSIBLE) {
        triage__client *cl = triage__txn_get(tx, TRIAGE__T_CLIENT, &c->client);
        if (!cl)
            return triage_error_last()->code;
        if (!is_nil(&wid)) {
            cl->active_case = c->id;
            cl->responsible_worker = wid;
        } else if (id_eq(&cl->active_case, &c->id)) {
            cl->active_case = nil_id;
            cl->responsible_worker = nil_id;
        }
    }
    triage_event_t *ev = triage__case_event(tx, r, TRIAGE_EVENT_WORKER_ASSIGNED, at_ms, actor);
    if (!ev)
        return TRIAGE_ENOMEM;
    ev->reason = (int32_t)slot;
    ev->from_id = before;
    ev->to_id = wid;
    ev->from = (int32_t)worker_role(e, &before);
    ev->to = (int32_t)role;
    return TRIAGE_OK;
}

static triage_status_t case_set_worker_once(triage_engine_t *e, const triage_id_t *case_id,
                                                  const triage_id_t *actor, int64_t at_ms,
                                                  triage_case_slot_t slot,
                                                  const triage_id_t *worker)
{
    if (slot < TRIAGE_SLOT_ASSESSMENT || slot > TRIAGE_SLOT_PAIR)
        return triage__error(TRIAGE_EINVAL, "slot", "unknown case slot");
    triage_id_t wid = worker ? *worker : nil_id;
    if (e && !is_nil(&wid)) {
        const triage__worker *w = triage__table_get(&e->tables[TRIAGE__T_WORKER], &wid);
        if (!w)
            return triage__error(TRIAGE_ENOTFOUND, "worker", "no worker with that id");
        if (!w->active)
            return triage__error(TRIAGE_EINVAL, "worker", "the worker is not active");
    }
    triage__txn tx;
    triage__case *r;
    triage_date_t day;
    triage_status_t rc = triage__case_begin(&tx, &r, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    rc = triage__case_set_worker_tx(&tx, r, actor, at_ms, slot, &wid);
    if (rc)
        return triage__case_fail(&tx, rc);
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_set_worker(triage_engine_t *e, const triage_id_t *case_id,
                                                  const triage_id_t *actor, int64_t at_ms,
                                                  triage_case_slot_t slot,
                                                  const triage_id_t *worker)
{
    TRIAGE__RETRY(e, case_set_worker_once(e, case_id, actor, at_ms, slot, worker));
}

/* ---- assessment record and milestones ------------------------------------- */

static triage_status_t case_record_assessment_once(triage_engine_t *e,
                                                         const triage_id_t *case_id,
                                                         const triage_id_t *actor, int64_t at_ms,
                                                         const triage_assessment_record_t *rec)
{
    if (!rec)
        return triage__error_null("rec");
    if (rec->version == 0 || rec->version > TRIAGE_ASSESSMENT_RECORD_VERSION)
        return triage__error(TRIAGE_EVERSION, "rec.version", "unsupported record version");
    if (rec->summary != 1)
        return triage__error(TRIAGE_EINVAL, "rec.summary", "the SHL 37 § summary is missing");
    if (rec->conclusion != 1)
        return triage__error(TRIAGE_EINVAL, "rec.conclusion", "the professional's conclusion is missing");
    if (rec->client_view != 1)
        return triage__error(TRIAGE_EINVAL, "rec.client_view", "the client's own view is missing");
    triage_status_t rc = triage__bool_arg(rec->responsible_needed, "rec.responsible_needed");
    if (rc)
        return rc;
    if (rec->nature < TRIAGE_NEED_NATURE_TEMPORARY || rec->nature > TRIAGE_NEED_NATURE_LONG_TERM)
        return triage__error(TRIAGE_EINVAL, "rec.nature", "the need's nature is missing");
    triage__txn tx;
    triage__case *r;
    triage_date_t day;
    rc = triage__case_begin(&tx, &r, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    triage__case *c = r;
    if (c->stage != TRIAGE_STAGE_ASSESSMENT)
        return triage__case_fail(&tx, triage__forbid("assessment_stage",
                                             "the assessment is recorded in ASSESSMENT"));
    c->flags |= TRIAGE_CASE_ASSESSMENT_RECORDED;
    if (rec->responsible_needed)
        c->flags &= ~TRIAGE_CASE_RESPONSIBLE_UNNECESSARY;
    else
        c->flags |= TRIAGE_CASE_RESPONSIBLE_UNNECESSARY;
    c->need_nature = rec->nature;
    triage__case_respond(c, at_ms, day);
    triage_event_t *ev = triage__case_event(&tx, r, TRIAGE_EVENT_ASSESSMENT_RECORDED, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->to = (int32_t)rec->nature;
    ev->reason = rec->responsible_needed;
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_record_assessment(triage_engine_t *e,
                                                         const triage_id_t *case_id,
                                                         const triage_id_t *actor, int64_t at_ms,
                                                         const triage_assessment_record_t *rec)
{
    TRIAGE__RETRY(e, case_record_assessment_once(e, case_id, actor, at_ms, rec));
}

static triage_status_t case_milestone_once(triage_engine_t *e, const triage_id_t *case_id,
                                                 const triage_id_t *actor, int64_t at_ms,
                                                 triage_milestone_t milestone)
{
    if (milestone != TRIAGE_MILESTONE_DECISION &&
        milestone != TRIAGE_MILESTONE_DECISION_CARRIED_OUT &&
        milestone != TRIAGE_MILESTONE_MEETING_HELD &&
        milestone != TRIAGE_MILESTONE_COMPLETION_REQUESTED)
        return triage__error(TRIAGE_EINVAL, "milestone",
                             "only decisions, meetings and completion requests are recorded "
                             "here; the engine records the others itself");
    triage__txn tx;
    triage__case *r;
    triage_date_t day;
    triage_status_t rc = triage__case_begin(&tx, &r, &day, e, case_id, actor, at_ms);
    if (rc)
        return rc;
    triage__case *c = r;
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return triage__case_fail(&tx, triage__forbid("closed_is_final", "a closed case never changes"));
    triage__case_meet(c, milestone, at_ms, day);
    triage__case_respond(c, at_ms, day);
    triage_event_t *ev = triage__case_event(&tx, r, TRIAGE_EVENT_MILESTONE, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->to = (int32_t)milestone;
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_milestone(triage_engine_t *e, const triage_id_t *case_id,
                                                 const triage_id_t *actor, int64_t at_ms,
                                                 triage_milestone_t milestone)
{
    TRIAGE__RETRY(e, case_milestone_once(e, case_id, actor, at_ms, milestone));
}
