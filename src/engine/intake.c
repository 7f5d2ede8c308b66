/*
 * Intake: a new matter's urgency and deadlines, the repeat-notification
 * flag, and continuity (docs/domain.md §3-§5): the matter of a client whose
 * active case has a responsible worker attaches to that case, any other
 * opens a new case. Either way the intake is a record of its own with its
 * own urgency and its own deadline rows, counted from its own receipt.
 *
 * Like the case operations (case.c), it validates first, then builds its
 * change in a transaction (txn.c) and commits it: a failure changes nothing.
 */
#include <string.h>

#include "engine/engine_internal.h"

#define NONE TRIAGE_DATE_NONE

static const size_t result_sizes[] = {sizeof(triage_intake_result_t)};
static const size_t info_sizes[] = {sizeof(triage_intake_info_t)};

/* Intakes that count toward the repeat-notification flag (§3): reports
 * about the person from professionals and authorities. */
static int is_notification(triage_intake_kind_t k)
{
    return k == TRIAGE_INTAKE_NOTIFICATION || k == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION ||
           k == TRIAGE_INTAKE_KELA_REFERRAL || k == TRIAGE_INTAKE_OTHER_AUTHORITY;
}

static triage_status_t check_intake(triage_engine_t *e, const triage_intake_t *in)
{
    if (in->version == 0 || in->version > TRIAGE_INTAKE_VERSION)
        return triage__error(TRIAGE_EVERSION, "intake.version", "unsupported intake version");
    if (in->kind < TRIAGE_INTAKE_CONTACT || in->kind > TRIAGE_INTAKE_OTHER_AUTHORITY)
        return triage__error(TRIAGE_EINVAL, "kind", "unknown intake kind");
    if (in->channel < TRIAGE_CHANNEL_PHONE || in->channel > TRIAGE_CHANNEL_OTHER_AUTHORITY)
        return triage__error(TRIAGE_EINVAL, "channel", "unknown channel");
    if (in->service < TRIAGE_SERVICE_WORKING_AGE || in->service > TRIAGE_SERVICE_OLDER)
        return triage__error(TRIAGE_EINVAL, "service", "unknown service area");
    if (in->triggers & ~TRIAGE_TRIGGER_ALL)
        return triage__error(TRIAGE_EINVAL, "triggers", "unknown trigger bits");
    if (in->children < 0 || in->children > 100)
        return triage__error(TRIAGE_EINVAL, "children", "children must be 0-100");
    triage_status_t rc = triage__bool_arg(in->own_contact, "own_contact");
    if (!rc)
        rc = triage__bool_arg(in->highest_care_allowance, "highest_care_allowance");
    if (!rc)
        rc = triage__bool_arg(in->child_special_support, "child_special_support");
    if (!rc)
        rc = triage__bool_arg(in->assistance_urgent, "assistance_urgent");
    if (!rc)
        rc = triage__bool_arg(in->assistance_complete, "assistance_complete");
    if (!rc)
        rc = triage__bool_arg(in->urgency_assessed, "urgency_assessed");
    if (!rc)
        rc = triage__check_actor(e, &in->actor);
    return rc;
}

/* 1 when an IMMEDIATE matter arrives outside office hours: emergency social
 * services (SHL 29 §) take it rather than the duty pair. */
static int out_of_hours(triage_engine_t *e, triage_date_t day, int32_t minute)
{
    int business = 0;
    triage_calendar_is_business_day(&business, e->cal, day);
    return !business || minute < e->office_open_min || minute >= e->office_close_min;
}

/*
 * The repeat-notification flag (docs/domain.md §3): at least the policy's
 * number of notifications within the window (inclusive: one exactly
 * repeat_window_days earlier counts) and no successful contact since.
 * Keeps the client's notification dates inside the window, ascending.
 */
static triage_status_t note_notification(triage_engine_t *e, triage__client *cl,
                                         triage_date_t day, int *flagged)
{
    triage_date_t newest = cl->nnotified ? cl->notified[cl->nnotified - 1] : day;
    triage_date_t horizon = (newest > day ? newest : day) - e->repeat_window_days;
    uint32_t keep = 0;
    for (uint32_t i = 0; i < cl->nnotified; i++)
        if (cl->notified[i] >= horizon)
            cl->notified[keep++] = cl->notified[i];
    int32_t *dates = triage__realloc(&e->alloc, cl->notified, (keep + 1) * sizeof *dates);
    if (!dates)
        return TRIAGE_ENOMEM;
    uint32_t at = keep;
    while (at > 0 && dates[at - 1] > day) {
        dates[at] = dates[at - 1];
        at--;
    }
    dates[at] = day;
    cl->notified = dates;
    cl->nnotified = keep + 1;
    cl->notifications++;
    uint32_t recent = 0;
    for (uint32_t i = 0; i < cl->nnotified; i++) {
        triage_date_t d = cl->notified[i];
        recent += d >= day - e->repeat_window_days && d <= day &&
                  (cl->last_contact == NONE || d > cl->last_contact);
    }
    if (recent >= (uint32_t)e->repeat_notifications && !(cl->flags & TRIAGE_CLIENT_REPEAT_NOTIFIED)) {
        cl->flags |= TRIAGE_CLIENT_REPEAT_NOTIFIED;
        *flagged = 1;
    }
    return TRIAGE_OK;
}

/* Adds an intake's deadline rows to its case, each counted from the intake. */
static triage_status_t add_rows(triage_engine_t *e, triage__case *c, const triage__intake *in,
                                const triage_deadline_t *dl, uint32_t n, int urgency_assessed)
{
    for (uint32_t i = 0; i < n; i++) {
        triage__deadline *r = triage__case_add_deadline(&e->alloc, c);
        if (!r)
            return triage_error_last()->code;
        triage_status_t rc = triage__new_row_id(e, &r->id);
        if (rc)
            return rc;
        r->intake_id = in->id;
        r->row = (int32_t)dl[i].row;
        r->basis = (int32_t)dl[i].basis;
        r->milestone = (int32_t)dl[i].milestone;
        r->start_ms = in->received_ms;
        r->start = in->received;
        r->due = dl[i].due;
        r->met = NONE;
        if (r->milestone == TRIAGE_MILESTONE_URGENCY_ASSESSED && urgency_assessed) {
            r->met = in->received;
            r->flags |= TRIAGE__DL_MET_ON_ARRIVAL;
        }
    }
    return TRIAGE_OK;
}

/* The facts of an intake the deadline rules look at. */
static void deadline_input(triage_deadline_input_t *din, const triage__intake *in,
                           triage_date_t date_of_birth, triage_date_t meeting_requested)
{
    triage_deadline_input_t init = TRIAGE_DEADLINE_INPUT_INIT;
    *din = init;
    din->kind = (triage_intake_kind_t)in->kind;
    din->service = (triage_service_area_t)in->service;
    din->received = in->received;
    din->own_contact = in->own_contact;
    din->date_of_birth = date_of_birth;
    din->highest_care_allowance = in->highest_care_allowance;
    din->child_special_support = in->child_special_support;
    if (in->kind == TRIAGE_INTAKE_APPLICATION) {
        din->assistance_urgent = in->assistance_urgent;
        din->assistance_complete = in->assistance_complete;
    }
    din->meeting_requested = meeting_requested;
}

/* Urgency and deadlines of an intake (the rules modules), before any change. */
static triage_status_t assess(triage_urgency_result_t *urg, triage_deadline_t *dl, uint32_t *ndl,
                              triage_engine_t *e, triage_deadline_input_t *din, uint32_t triggers)
{
    int priority = 0;
    triage_status_t rc = triage_deadline_priority_applies(&priority, e->rules, din);
    if (!rc)
        rc = triage_urgency_assess(urg, e->urgency, triggers,
                                   priority ? TRIAGE_URGENCY_PRIORITY : TRIAGE_URGENCY_NORMAL);
    if (rc)
        return rc;
    din->urgency = urg->tier;
    return triage_deadlines_compute(dl, TRIAGE_DEADLINE_MAX, ndl, e->rules, e->urgency, e->cal, din);
}

static triage_status_t intake_once(triage_intake_result_t *res, triage_engine_t *e,
                                   const triage_intake_t *in)
{
    const triage__client *client = triage__fetch(e, TRIAGE__T_CLIENT, &in->client, "client");
    if (!client)
        return triage_error_last()->code;
    triage_date_t day;
    int32_t minute;
    if (triage_local_time(&day, &minute, in->received_ms))
        return triage__error(TRIAGE_ERANGE, "received_ms", "time outside the supported range");
    if (client->date_of_birth != NONE && client->date_of_birth > day)
        return triage__error(TRIAGE_EINVAL, "date_of_birth", "the date of birth is after the intake");
    if (in->meeting_requested != NONE &&
        (!triage__date_valid(in->meeting_requested) || in->meeting_requested < day))
        return triage__error(TRIAGE_EINVAL, "meeting_requested",
                             "the meeting request is before the intake");

    /* The intake record (its id and case are set below). An urgent
     * assistance application is one fact whether the caller gives the flag
     * or the trigger (§5.3): either makes the other hold. */
    triage__intake row;
    memset(&row, 0, sizeof row);
    row.client = in->client;
    row.kind = (int32_t)in->kind;
    row.channel = (int32_t)in->channel;
    row.service = (int32_t)in->service;
    row.received_ms = in->received_ms;
    row.received = day;
    row.triggers = in->triggers;
    row.own_contact = in->own_contact;
    row.highest_care_allowance = in->highest_care_allowance;
    row.child_special_support = in->child_special_support;
    row.assistance_complete = in->assistance_complete;
    row.assistance_completed = NONE;
    row.children = in->children;
    uint32_t urgent_bit = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION);
    if (in->kind == TRIAGE_INTAKE_APPLICATION) {
        row.assistance_urgent = in->assistance_urgent || (in->triggers & urgent_bit) != 0;
        if (row.assistance_urgent)
            row.triggers |= urgent_bit;
    }
    if (in->urgency_assessed)
        row.flags |= TRIAGE__INTAKE_URGENCY_ON_ARRIVAL;

    triage_deadline_input_t din;
    deadline_input(&din, &row, client->date_of_birth, in->meeting_requested);
    triage_urgency_result_t urg;
    triage_deadline_t dl[TRIAGE_DEADLINE_MAX];
    uint32_t ndl = 0;
    triage_status_t rc = assess(&urg, dl, &ndl, e, &din, row.triggers);
    if (rc)
        return rc;
    row.urgency = (int32_t)urg.tier;
    row.deciding = urg.deciding;
    row.urgency_policy_version = urg.policy_version;
    memcpy(row.urgency_policy, urg.policy_id, sizeof row.urgency_policy);
    row.urgency_policy[sizeof row.urgency_policy - 1] = '\0';
    if (urg.tier == TRIAGE_URGENCY_IMMEDIATE && out_of_hours(e, day, minute))
        row.flags |= TRIAGE__INTAKE_EMERGENCY;
    rc = triage__new_row_id(e, &row.id);
    if (rc)
        return rc;

    triage__txn tx;
    triage__txn_init(&tx, e);
    /* An intake decides on its client and the client's active case, which
     * it writes (so their revisions are checked), and on the urgency and
     * deadline policies: it is local, with the policies kept unchanged. */
    tx.local = 1;
    tx.unchanged = TRIAGE_STORE_KIND_BIT(TRIAGE_RECORD_POLICY);
    triage__client *cl = triage__txn_get(&tx, TRIAGE__T_CLIENT, &in->client);
    if (!cl)
        return triage__case_fail(&tx, triage_error_last()->code);
    memset(res, 0, sizeof *res);
    res->version = TRIAGE_INTAKE_RESULT_VERSION;
    res->urgency = urg;
    res->intake_id = row.id;
    res->emergency_services = (row.flags & TRIAGE__INTAKE_EMERGENCY) != 0;
    if (is_notification(in->kind)) {
        rc = note_notification(e, cl, day, &res->repeat_flagged);
        if (rc)
            return triage__case_fail(&tx, rc);
        if (res->repeat_flagged)
            row.flags |= TRIAGE__INTAKE_REPEAT_FLAGGED;
    }
    if (cl->last_activity == NONE || cl->last_activity < day)
        cl->last_activity = day;

    /* Continuity: the client's own worker takes the new matter. */
    triage__case *active = NULL;
    if (!triage_id_is_nil(&cl->active_case)) {
        active = triage__txn_get(&tx, TRIAGE__T_CASE, &cl->active_case);
        if (!active)
            return triage__case_fail(&tx, triage_error_last()->code);
        if (active->stage == TRIAGE_STAGE_CLOSED || triage_id_is_nil(&active->responsible))
            active = NULL;
    }
    triage__case fresh;
    triage__case *c = active;
    if (!c) {
        memset(&fresh, 0, sizeof fresh);
        c = &fresh;
        rc = triage__new_id(e, TRIAGE__T_CASE, &c->id);
        if (rc)
            return triage__case_fail(&tx, rc);
        c->client = in->client;
        c->kind = row.kind;
        c->channel = row.channel;
        c->service = row.service;
        c->received_ms = in->received_ms;
        c->received = day;
        c->stage = TRIAGE_STAGE_RECEIVED;
        c->urgency = row.urgency;
        c->special_support_decided = -1;
        c->first_contact = c->first_attempt = c->last_attempt = NONE;
        c->assessment_started = c->assessment_completed = c->responded = c->closed = NONE;
        c->plan_made = NONE;
        c->children = row.children;
    } else {
        row.flags |= TRIAGE__INTAKE_ATTACHED;
        row.ordinal = (int32_t)c->nintakes;
        res->attached = 1;
        if (row.children > c->children)
            c->children = row.children;
    }
    int32_t tier_before = c->urgency;
    if (row.urgency < c->urgency)
        c->urgency = row.urgency; /* the case is as urgent as its most urgent intake */
    c->triggers |= row.triggers;
    if (row.flags & TRIAGE__INTAKE_EMERGENCY)
        c->flags |= TRIAGE_CASE_EMERGENCY_SERVICES;
    row.case_id = c->id;
    res->case_id = c->id;
    triage__intake *slot = triage__case_add_intake(&e->alloc, c);
    if (slot) {
        *slot = row;
        rc = add_rows(e, c, slot, dl, ndl, in->urgency_assessed);
    } else {
        rc = triage_error_last()->code;
    }
    if (!rc && c == &fresh && !triage__txn_new(&tx, TRIAGE__T_CASE, &fresh))
        rc = TRIAGE_ENOMEM;
    if (c == &fresh)
        triage__case_release(&e->alloc, &fresh); /* the transaction holds its own copy */
    if (rc)
        return triage__case_fail(&tx, rc);

    triage_event_t *ev;
    const triage_id_t *cid = &res->case_id;
    if (!(ev = triage__txn_event(&tx, cid, active ? TRIAGE_EVENT_ATTACHED : TRIAGE_EVENT_INTAKE,
                                 in->received_ms, &in->actor)))
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->subject = in->client;
    ev->intake = row.id;
    if (active) {
        ev->to = (int32_t)in->kind;
        ev->reason = (int32_t)in->channel;
    } else {
        ev->to = TRIAGE_STAGE_RECEIVED;
        ev->reason = (int32_t)in->kind;
    }
    if (!(ev = triage__txn_event(&tx, cid, TRIAGE_EVENT_URGENCY_ASSESSED, in->received_ms,
                                 &in->actor)))
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->subject = in->client;
    ev->intake = row.id;
    ev->from = active ? tier_before : 0;
    ev->to = row.urgency;
    ev->reason = (int32_t)urg.deciding;
    triage__policy_tag(ev, e, 0);
    if (res->repeat_flagged) {
        ev = triage__txn_event(&tx, cid, TRIAGE_EVENT_REPEAT_FLAGGED, in->received_ms, &in->actor);
        if (!ev)
            return triage__case_fail(&tx, TRIAGE_ENOMEM);
        ev->subject = in->client;
        ev->intake = row.id;
        ev->to = (int32_t)cl->notifications;
    }
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_intake(triage_intake_result_t *out, triage_engine_t *e,
                                         const triage_intake_t *in)
{
    size_t size = triage__out_size(out, result_sizes, TRIAGE__ARRAY_LEN(result_sizes),
                                   "out.version");
    if (!size)
        return triage_error_last()->code;
    if (!e)
        return triage__error_null("engine");
    if (!in)
        return triage__error_null("intake");
    triage_status_t rc = check_intake(e, in);
    if (rc)
        return rc;
    triage_intake_result_t res;
    TRIAGE__RETRY_LOCAL_INTO(e, rc, intake_once(&res, e, in));
    if (!rc)
        memcpy(out, &res, size);
    return rc;
}

/* ---- reading intakes ------------------------------------------------------ */

/* The case holding intake `id`: the engine keeps intakes inside their case,
 * so it is found through the store's owner index or a scan of memory. */
static const triage__case *case_of_intake(triage_engine_t *e, const triage_id_t *id,
                                          const triage__intake **row)
{
    triage_id_t case_id;
    triage_status_t rc = triage__store_intake_case(e, id, &case_id);
    if (rc == TRIAGE_OK) {
        const triage__case *c = triage__fetch(e, TRIAGE__T_CASE, &case_id, "id");
        if (c && (*row = triage__case_intake(c, id)) != NULL)
            return c;
        if (!c)
            return NULL;
    } else if (rc != TRIAGE_ENOTFOUND) {
        return NULL; /* the store could not be read (ENOMEM, ESTORE): not "no intake" */
    }
    const triage__table *t = &e->tables[TRIAGE__T_CASE];
    for (size_t i = 0; i < t->n; i++) {
        const triage__case *c = triage__table_at(t, i);
        if ((*row = triage__case_intake(c, id)) != NULL)
            return c;
    }
    triage__error(TRIAGE_ENOTFOUND, "id", "no intake with that id");
    return NULL;
}

TRIAGE_API triage_status_t triage_intake_get(triage_intake_info_t *out, triage_engine_t *e,
                                             const triage_id_t *id)
{
    size_t size = triage__out_size(out, info_sizes, TRIAGE__ARRAY_LEN(info_sizes), "out.version");
    if (!size)
        return triage_error_last()->code;
    if (!e)
        return triage__error_null("engine");
    if (!id)
        return triage__error_null("id");
    TRIAGE__READ_BEGIN(e);
    const triage__intake *row = NULL;
    const triage__case *c = case_of_intake(e, id, &row);
    if (!c)
        return triage_error_last()->code;
    triage_intake_info_t pub;
    triage__intake_public(&pub, row);
    memcpy(out, &pub, size);
    if (e->audit)
        e->audit(e->audit_ud, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_CASE, &c->id);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_case_intakes(triage_id_t **out, size_t *count,
                                               triage_engine_t *e, const triage_id_t *case_id)
{
    if (!out)
        return triage__error_null("out");
    if (!count)
        return triage__error_null("count");
    if (!e)
        return triage__error_null("engine");
    if (!case_id)
        return triage__error_null("case_id");
    TRIAGE__READ_BEGIN(e);
    const triage__case *c = triage__fetch(e, TRIAGE__T_CASE, case_id, "case_id");
    if (!c)
        return triage_error_last()->code;
    triage_id_t *ids = NULL;
    if (c->nintakes) {
        ids = triage__owned_alloc(&e->alloc, c->nintakes * sizeof *ids);
        if (!ids)
            return TRIAGE_ENOMEM;
        for (uint32_t i = 0; i < c->nintakes; i++)
            ids[i] = c->intakes[i].id;
    }
    *out = ids;
    *count = c->nintakes;
    if (e->audit)
        e->audit(e->audit_ud, TRIAGE_AUDIT_READ, TRIAGE_AUDIT_CASE, case_id);
    return TRIAGE_OK;
}

/* ---- urgency assessed after arrival ---------------------------------------- */

/* Meets `milestone` on the open rows of one intake only (not of the case's
 * other intakes). */
static void meet_intake(triage__case *c, const triage_id_t *intake, triage_milestone_t milestone,
                        triage_date_t day)
{
    for (uint32_t i = 0; i < c->ndeadlines; i++) {
        triage__deadline *d = &c->deadlines[i];
        if (d->milestone == (int32_t)milestone && d->met == NONE &&
            !(d->flags & TRIAGE__DL_SUPERSEDED) && !memcmp(&d->intake_id, intake, sizeof *intake))
            d->met = day;
    }
}

static triage__deadline *row_of_intake(triage__case *c, const triage_id_t *intake, int32_t row)
{
    for (uint32_t i = 0; i < c->ndeadlines; i++) {
        triage__deadline *d = &c->deadlines[i];
        if (d->row == row && !memcmp(&d->intake_id, intake, sizeof *intake) &&
            !(d->flags & TRIAGE__DL_SUPERSEDED))
            return d;
    }
    return NULL;
}

/* The common start of a change to one intake: its case, opened for the
 * change at at_ms (not before the intake arrived), as triage__case_begin(). */
static triage_status_t intake_begin(triage__txn *tx, triage__case **c, triage_date_t *day,
                                    triage_engine_t *e, const triage_id_t *intake,
                                    const triage_id_t *actor, int64_t at_ms)
{
    const triage__intake *found = NULL;
    const triage__case *holder = case_of_intake(e, intake, &found);
    if (!holder) {
        if (triage_error_last()->code == TRIAGE_ENOTFOUND)
            return triage__error(TRIAGE_ENOTFOUND, "intake", "no intake with that id");
        return triage_error_last()->code;
    }
    if (at_ms < found->received_ms)
        return triage__error(TRIAGE_EINVAL, "at_ms", "the time is before the intake");
    triage_id_t case_id = holder->id;
    return triage__case_begin(tx, c, day, e, &case_id, actor, at_ms);
}

static triage_status_t assess_urgency_once(triage_engine_t *e, const triage_id_t *intake,
                                           const triage_id_t *actor, int64_t at_ms,
                                           uint32_t triggers)
{
    triage__txn tx;
    triage__case *c;
    triage_date_t day;
    int32_t minute;
    triage_status_t rc = intake_begin(&tx, &c, &day, e, intake, actor, at_ms);
    if (rc)
        return rc;
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return triage__case_fail(&tx, triage__error(TRIAGE_ESTATE, "closed_is_final",
                                                    "a closed case never changes"));
    triage__intake *row = triage__case_intake(c, intake);
    const triage__client *cl = triage__fetch(e, TRIAGE__T_CLIENT, &c->client, "client");
    if (!row || !cl)
        return triage__case_fail(&tx, triage_error_last()->code);
    triage_local_time(NULL, &minute, at_ms);
    uint32_t urgent_bit = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION);
    if (row->kind == TRIAGE_INTAKE_APPLICATION) {
        if (triggers & urgent_bit)
            row->assistance_urgent = 1;
        if (row->assistance_urgent)
            triggers |= urgent_bit;
    }
    triage_deadline_input_t din;
    deadline_input(&din, row, cl->date_of_birth, NONE);
    triage_urgency_result_t urg;
    triage_deadline_t dl[TRIAGE_DEADLINE_MAX];
    uint32_t ndl = 0;
    rc = assess(&urg, dl, &ndl, e, &din, triggers);
    if (rc)
        return triage__case_fail(&tx, rc);
    int32_t before = row->urgency;
    row->urgency = (int32_t)urg.tier;
    row->triggers = triggers;
    row->deciding = urg.deciding;
    row->urgency_policy_version = urg.policy_version;
    memcpy(row->urgency_policy, urg.policy_id, sizeof row->urgency_policy);
    row->urgency_policy[sizeof row->urgency_policy - 1] = '\0';
    if (urg.tier == TRIAGE_URGENCY_IMMEDIATE && out_of_hours(e, day, minute)) {
        row->flags |= TRIAGE__INTAKE_EMERGENCY;
        c->flags |= TRIAGE_CASE_EMERGENCY_SERVICES;
    }
    triage_id_t row_id = row->id;
    triage__intake copy = *row; /* add_rows may move the case's arrays */
    /* The intake's rows follow the new tier: rows that still apply get the
     * new due date (unless met), new ones are added, and open rows that no
     * longer apply are superseded. */
    uint32_t nnew = 0;
    triage_deadline_t add[TRIAGE_DEADLINE_MAX];
    for (uint32_t i = 0; i < ndl; i++) {
        triage__deadline *d = row_of_intake(c, &row_id, (int32_t)dl[i].row);
        if (d) {
            if (d->met == NONE)
                d->due = dl[i].due;
        } else {
            add[nnew++] = dl[i];
        }
    }
    for (uint32_t i = 0; i < c->ndeadlines; i++) {
        triage__deadline *d = &c->deadlines[i];
        if (memcmp(&d->intake_id, &row_id, sizeof row_id) || d->met != NONE ||
            (d->flags & TRIAGE__DL_SUPERSEDED))
            continue;
        /* rows that arose after intake do not follow the tier; only D12's
         * decision row ends when the application turns urgent (D10) */
        if (triage__row_arises_later(d->row)) {
            if (d->row == TRIAGE_DEADLINE_D12_DECISION && copy.assistance_urgent)
                d->flags |= TRIAGE__DL_SUPERSEDED;
            continue;
        }
        int still = 0;
        for (uint32_t k = 0; k < ndl; k++)
            still |= (int32_t)dl[k].row == d->row;
        if (!still)
            d->flags |= TRIAGE__DL_SUPERSEDED;
    }
    rc = add_rows(e, c, &copy, add, nnew, 0);
    if (rc)
        return triage__case_fail(&tx, rc);
    /* D1 of this intake (not of the case's other intakes): assessed now */
    meet_intake(c, &row_id, TRIAGE_MILESTONE_URGENCY_ASSESSED, day);
    int32_t tier = TRIAGE_URGENCY_NORMAL;
    for (uint32_t i = 0; i < c->nintakes; i++)
        if (c->intakes[i].urgency < tier)
            tier = c->intakes[i].urgency;
    c->urgency = tier;
    c->triggers |= triggers;
    triage_event_t *ev = triage__case_event(&tx, c, TRIAGE_EVENT_URGENCY_ASSESSED, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->intake = row_id;
    ev->from = before;
    ev->to = (int32_t)urg.tier;
    ev->reason = (int32_t)urg.deciding;
    triage__policy_tag(ev, e, 0);
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_assess_urgency(triage_engine_t *e,
                                                      const triage_id_t *intake,
                                                      const triage_id_t *actor, int64_t at_ms,
                                                      uint32_t triggers)
{
    if (!e)
        return triage__error_null("engine");
    if (!intake)
        return triage__error_null("intake");
    if (triggers & ~TRIAGE_TRIGGER_ALL)
        return triage__error(TRIAGE_EINVAL, "triggers", "unknown trigger bits");
    TRIAGE__RETRY(e, assess_urgency_once(e, intake, actor, at_ms, triggers));
}

/* ---- an incomplete application (TTL 14 c §) --------------------------------- */

/* The case of application `intake`, opened for a change at at_ms: an
 * incomplete, non-urgent application not yet completed, on an open case. */
static triage_status_t application_begin(triage__txn *tx, triage__case **c, triage__intake **row,
                                         triage_date_t *day, triage_engine_t *e,
                                         const triage_id_t *intake, const triage_id_t *actor,
                                         int64_t at_ms)
{
    if (!e)
        return triage__error_null("engine");
    if (!intake)
        return triage__error_null("intake");
    triage_status_t rc = intake_begin(tx, c, day, e, intake, actor, at_ms);
    if (rc)
        return rc;
    *row = triage__case_intake(*c, intake);
    if ((*c)->stage == TRIAGE_STAGE_CLOSED)
        rc = triage__error(TRIAGE_ESTATE, "closed_is_final", "a closed case never changes");
    else if (!*row || (*row)->kind != TRIAGE_INTAKE_APPLICATION || (*row)->assistance_urgent ||
             (*row)->assistance_complete)
        rc = triage__error(TRIAGE_ESTATE, "ttl14c_incomplete_application",
                           "only an incomplete, non-urgent application is completed");
    else if ((*row)->assistance_completed != NONE)
        rc = triage__error(TRIAGE_ESTATE, "ttl14c_completed", "the application is complete");
    for (uint32_t i = 0; !rc && i < (*c)->ndeadlines; i++) {
        const triage__deadline *d = &(*c)->deadlines[i];
        if (d->row == TRIAGE_DEADLINE_D12_DECISION && d->met != NONE &&
            !memcmp(&d->intake_id, intake, sizeof *intake))
            rc = triage__error(TRIAGE_ESTATE, "ttl14c_decided", "the application was decided");
    }
    if (rc)
        triage__txn_discard(tx);
    return rc;
}

/* Supersedes the intake's open rows of `row` (a decision row re-anchored). */
static void supersede_open(triage__case *c, const triage_id_t *intake, int32_t row)
{
    for (uint32_t i = 0; i < c->ndeadlines; i++) {
        triage__deadline *d = &c->deadlines[i];
        if (d->row == row && d->met == NONE && !memcmp(&d->intake_id, intake, sizeof *intake))
            d->flags |= TRIAGE__DL_SUPERSEDED;
    }
}

static triage_status_t request_completion_once(triage_engine_t *e, const triage_id_t *intake,
                                               const triage_id_t *actor, int64_t at_ms,
                                               triage_date_t period_end)
{
    triage__txn tx;
    triage__case *c;
    triage__intake *row;
    triage_date_t day;
    triage_status_t rc = application_begin(&tx, &c, &row, &day, e, intake, actor, at_ms);
    if (rc)
        return rc;
    if (period_end != NONE && (!triage__date_valid(period_end) || period_end < day))
        return triage__case_fail(&tx, triage__error(TRIAGE_EINVAL, "period_end",
                                                    "the completion period ends before the "
                                                    "request"));
    triage_id_t id = row->id;
    /* D12 of this application: the request is sent now */
    meet_intake(c, &id, TRIAGE_MILESTONE_COMPLETION_REQUESTED, day);
    triage__case_meet(c, TRIAGE_MILESTONE_RESPONSE, at_ms, day);
    triage_event_t *ev = triage__case_event(&tx, c, TRIAGE_EVENT_MILESTONE, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->to = TRIAGE_MILESTONE_COMPLETION_REQUESTED;
    ev->from = period_end == NONE ? 0 : period_end;
    ev->intake = id;
    if (period_end != NONE) {
        /* the decision by the 7th business day after the period ends (a
         * new period replaces the old one's row) */
        supersede_open(c, &id, TRIAGE_DEADLINE_D12_DECISION);
        rc = triage__case_add_later_row(&tx, c, TRIAGE_DEADLINE_D12_DECISION, row, period_end,
                                        at_ms, actor);
        if (rc)
            return triage__case_fail(&tx, rc);
    }
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_request_completion(triage_engine_t *e,
                                                          const triage_id_t *intake,
                                                          const triage_id_t *actor, int64_t at_ms,
                                                          triage_date_t period_end)
{
    TRIAGE__RETRY(e, request_completion_once(e, intake, actor, at_ms, period_end));
}

static triage_status_t application_completed_once(triage_engine_t *e, const triage_id_t *intake,
                                                   const triage_id_t *actor, int64_t at_ms)
{
    triage__txn tx;
    triage__case *c;
    triage__intake *row;
    triage_date_t day;
    triage_status_t rc = application_begin(&tx, &c, &row, &day, e, intake, actor, at_ms);
    if (rc)
        return rc;
    triage_id_t id = row->id;
    row->assistance_completed = day;
    /* completion re-anchors the decision row on the completion date, and a
     * completion request no longer sent is no longer owed */
    supersede_open(c, &id, TRIAGE_DEADLINE_D12_DECISION);
    supersede_open(c, &id, TRIAGE_DEADLINE_D12);
    triage_event_t *ev =
        triage__case_event(&tx, c, TRIAGE_EVENT_APPLICATION_COMPLETED, at_ms, actor);
    if (!ev)
        return triage__case_fail(&tx, TRIAGE_ENOMEM);
    ev->intake = id;
    rc = triage__case_add_later_row(&tx, c, TRIAGE_DEADLINE_D12_DECISION, row, day, at_ms, actor);
    if (rc)
        return triage__case_fail(&tx, rc);
    return triage__txn_commit(&tx);
}

TRIAGE_API triage_status_t triage_case_application_completed(triage_engine_t *e,
                                                             const triage_id_t *intake,
                                                             const triage_id_t *actor,
                                                             int64_t at_ms)
{
    TRIAGE__RETRY(e, application_completed_once(e, intake, actor, at_ms));
}
