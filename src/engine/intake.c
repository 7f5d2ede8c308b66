/*
 * Intake: a new matter's urgency and deadlines, the repeat-notification
 * flag, and continuity: the matter of a client whose active case has a
 * responsible worker attaches to that case, any other opens a new case.
 *
 * Like the case operations (case.c), it validates first, then builds its
 * change in a transaction (txn.c) and commits it: a failure changes nothing.
 */
#include <string.h>

#include "engine/engine_internal.h"

#define NONE TRIAGE_DATE_NONE

static int is_notification(triage_intake_kind_t k)
{
    return k == TRIAGE_INTAKE_NOTIFICATION || k == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION;
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
        rc = triage__check_actor(e, &in->actor);
    return rc;
}

/* Appends the deadlines of an attached matter to its active case: rows that
 * are not already open there. Met deadlines make room when needed. */
static triage_status_t merge_deadlines(triage_case_t *c, const triage_deadline_t *add, uint32_t n)
{
    triage_deadline_t keep[2 * TRIAGE_DEADLINE_MAX];
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->deadline_count; i++)
        keep[k++] = c->deadlines[i];
    for (uint32_t j = 0; j < n; j++) {
        int dup = 0;
        for (uint32_t i = 0; i < c->deadline_count; i++)
            dup |= c->deadlines[i].row == add[j].row && c->milestone_met[add[j].milestone] == NONE;
        if (!dup)
            keep[k++] = add[j];
    }
    if (k > TRIAGE_DEADLINE_MAX) { /* drop met ones, oldest first */
        uint32_t w = 0;
        for (uint32_t i = 0; i < k; i++)
            if (c->milestone_met[keep[i].milestone] == NONE || k - i <= TRIAGE_DEADLINE_MAX - w)
                keep[w++] = keep[i];
        k = w;
    }
    if (k > TRIAGE_DEADLINE_MAX)
        return triage__error(TRIAGE_ERANGE, "deadlines", "the active case has too many open deadlines");
    triage__copy(c->deadlines, keep, k * sizeof *keep);
    c->deadline_count = k;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_intake(triage_intake_result_t *out, triage_engine_t *e,
                                         const triage_intake_t *in)
{
    if (!out)
        return triage__error_null("out");
    if (!e)
        return triage__error_null("engine");
    if (!in)
        return triage__error_null("intake");
    triage_status_t rc = check_intake(e, in);
    if (rc)
        return rc;
    const triage__client_rec *client = triage__table_get(&e->tables[TRIAGE__T_CLIENT], &in->client);
    if (!client)
        return triage__error(TRIAGE_ENOTFOUND, "client", "no client with that id");
    triage_date_t day;
    int32_t minute;
    if (triage_local_time(&day, &minute, in->received_ms))
        return triage__error(TRIAGE_ERANGE, "received_ms", "time outside the supported range");
    if (client->pub.date_of_birth != NONE && client->pub.date_of_birth > day)
        return triage__error(TRIAGE_EINVAL, "date_of_birth", "the date of birth is after the intake");
    if (in->meeting_requested != NONE &&
        (!triage__date_valid(in->meeting_requested) || in->meeting_requested < day))
        return triage__error(TRIAGE_EINVAL, "meeting_requested",
                             "the meeting request is before the intake");

    /* Urgency and deadlines (calendar/urgency/deadline modules). */
    triage_deadline_input_t din = TRIAGE_DEADLINE_INPUT_INIT;
    din.kind = in->kind;
    din.service = in->service;
    din.received = day;
    din.own_contact = in->own_contact;
    din.date_of_birth = client->pub.date_of_birth;
    din.highest_care_allowance = in->highest_care_allowance;
    din.child_special_support = in->child_special_support;
    if (in->kind == TRIAGE_INTAKE_APPLICATION) {
        din.assistance_urgent = in->assistance_urgent;
        din.assistance_complete = in->assistance_complete;
    }
    din.meeting_requested = in->meeting_requested;
    int priority = 0;
    rc = triage_deadline_priority_applies(&priority, e->rules, &din);
    if (rc)
        return rc;
    triage_urgency_result_t urg;
    rc = triage_urgency_assess(&urg, e->urgency, in->triggers,
                               priority ? TRIAGE_URGENCY_PRIORITY : TRIAGE_URGENCY_NORMAL);
    if (rc)
        return rc;
    din.urgency = urg.tier;
    triage_deadline_t dl[TRIAGE_DEADLINE_MAX];
    uint32_t ndl = 0;
    rc = triage_deadlines_compute(dl, &ndl, e->rules, e->urgency, e->cal, &din);
    if (rc)
        return rc;

    triage__txn tx;
    triage__txn_init(&tx, e);
    triage__client_rec *cl = triage__txn_get(&tx, TRIAGE__T_CLIENT, &in->client);
    if (!cl)
        return triage__case_fail(&tx, triage_error_last()->code);
    triage_intake_result_t res;
    memset(&res, 0, sizeof res);
    res.urgency = urg;

    /* The repeat-notification flag (docs/domain.md §3): enough notifications in
     * the window and no successful contact since the first of them. */
    if (is_notification(in->kind)) {
        cl->notified[cl->nnotified % 8] = day;
        cl->nnotified++;
        cl->pub.notifications++;
        uint32_t recent = 0, have = cl->nnotified < 8 ? cl->nnotified : 8;
        for (uint32_t i = 0; i < have; i++) {
            triage_date_t d = cl->notified[i];
            recent += d > day - e->repeat_window_days &&
                      (cl->pub.last_contact == NONE || d > cl->pub.last_contact);
        }
        if (recent >= (uint32_t)e->repeat_notifications &&
            !(cl->pub.flags & TRIAGE_CLIENT_REPEAT_NOTIFIED)) {
            cl->pub.flags |= TRIAGE_CLIENT_REPEAT_NOTIFIED;
            res.repeat_flagged = 1;
        }
    }

    /* Continuity: the client's own worker takes the new matter. */
    triage__case_rec *active = NULL;
    if (!triage_id_is_nil(&cl->active_case)) {
        active = triage__txn_get(&tx, TRIAGE__T_CASE, &cl->active_case);
        if (!active)
            return triage__case_fail(&tx, triage_error_last()->code);
        if (active->pub.stage == TRIAGE_STAGE_CLOSED || triage_id_is_nil(&active->pub.responsible))
            active = NULL;
    }
    triage_event_t *ev;
    if (active) {
        triage_case_t *c = &active->pub;
        rc = merge_deadlines(c, dl, ndl);
        if (rc)
            return triage__case_fail(&tx, rc);
        c->triggers |= in->triggers;
        res.attached = 1;
        res.case_id = c->id;
        if (!(ev = triage__case_event(&tx, active, TRIAGE_EVENT_ATTACHED, in->received_ms,
                                      &in->actor)))
            return triage__case_fail(&tx, TRIAGE_ENOMEM);
        ev->to = (int32_t)in->kind;
        ev->reason = (int32_t)in->channel;
        if (urg.tier < c->urgency) {
            if (!(ev = triage__case_event(&tx, active, TRIAGE_EVENT_URGENCY_ASSESSED,
                                          in->received_ms, &in->actor)))
                return triage__case_fail(&tx, TRIAGE_ENOMEM);
            ev->from = (int32_t)c->urgency;
            ev->to = (int32_t)urg.tier;
            triage__policy_tag(ev, e, 0);
            c->urgency = urg.tier;
        }
    } else {
        triage__case_rec rec;
        memset(&rec, 0, sizeof rec);
        triage_case_t *c = &rec.pub;
        c->version = TRIAGE_CASE_VERSION;
        rc = triage__new_id(e, TRIAGE__T_CASE, &c->id);
        if (rc)
            return triage__case_fail(&tx, rc);
        c->client = in->client;
        c->kind = in->kind;
        c->channel = in->channel;
        c->service = in->service;
        c->received_ms = in->received_ms;
        c->received = day;
        c->stage = TRIAGE_STAGE_RECEIVED;
        c->urgency = urg.tier;
        c->triggers = in->triggers;
        c->special_support_decided = -1;
        c->first_contact = c->first_attempt = c->last_attempt = NONE;
        c->assessment_started = c->assessment_completed = c->responded = c->closed = NONE;
        for (size_t i = 0; i < TRIAGE__ARRAY_LEN(c->milestone_met); i++)
            c->milestone_met[i] = NONE;
        c->milestone_met[TRIAGE_MILESTONE_URGENCY_ASSESSED] = day;
        c->deadline_count = ndl;
        triage__copy(c->deadlines, dl, ndl * sizeof *dl);
        int business = 0;
        triage_calendar_is_business_day(&business, e->cal, day);
        if (urg.tier == TRIAGE_URGENCY_IMMEDIATE &&
            (!business || minute < e->office_open_min || minute >= e->office_close_min)) {
            c->flags |= TRIAGE_CASE_EMERGENCY_SERVICES;
            res.emergency_services = 1;
        }
        res.case_id = c->id;
        if (!triage__txn_new(&tx, TRIAGE__T_CASE, &rec))
            return triage__case_fail(&tx, TRIAGE_ENOMEM);
        if (!(ev = triage__case_event(&tx, &rec, TRIAGE_EVENT_INTAKE, in->received_ms, &in->actor)))
            return triage__case_fail(&tx, TRIAGE_ENOMEM);
        ev->to = TRIAGE_STAGE_RECEIVED;
        ev->reason = (int32_t)in->kind;
        if (!(ev = triage__case_event(&tx, &rec, TRIAGE_EVENT_URGENCY_ASSESSED, in->received_ms,
                                      &in->actor)))
            return triage__case_fail(&tx, TRIAGE_ENOMEM);
        ev->to = (int32_t)urg.tier;
        ev->reason = (int32_t)urg.deciding;
        triage__policy_tag(ev, e, 0);
    }
    if (res.repeat_flagged) {
        ev = triage__txn_event(&tx, &res.case_id, TRIAGE_EVENT_REPEAT_FLAGGED, in->received_ms,
                               &in->actor);
        if (!ev)
            return triage__case_fail(&tx, TRIAGE_ENOMEM);
        ev->subject = in->client;
        ev->to = (int32_t)cl->pub.notifications;
    }
    rc = triage__txn_commit(&tx);
    if (!rc)
        *out = res;
    return rc;
}
