/*
 * The simulation's case flow (docs/simulation.md, "The model"): the event
 * heap, the assignment step, guidance, distribution and the timed events of
 * a case after distribution.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "store/store_memory.h"

enum {
    EV_APPOINTMENT = 1,
    EV_ASSESSED,
    EV_PLANNED,
    EV_CASEWORK_DONE,
    EV_IA_DONE,
    EV_CARRIED_OUT, /* a service decision carried out (SHL 45 §) */
    EV_REASSESS     /* the own worker reassesses after an attached intake */
};

int64_t triage__sim_at(triage_sim_t *sim, int32_t day, int32_t minute)
{
    if (minute > 1439)
        minute = 1439;
    sim->now_ms = sim->midnight[day] + (int64_t)minute * 60000;
    return sim->now_ms;
}

/* ---- heap of timed events ---------------------------------------------------- */

static int ev_before(const sim_event *a, const sim_event *b)
{
    if (a->day != b->day)
        return a->day < b->day;
    if (a->minute != b->minute)
        return a->minute < b->minute;
    return a->seq < b->seq;
}

static triage_status_t schedule(triage_sim_t *sim, uint32_t c, uint8_t kind, int32_t bday,
                                int32_t minute)
{
    if (bday >= sim->nbdays)
        return TRIAGE_OK; /* beyond the horizon: the case stays where it is */
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->heap, &sim->capheap,
                                      sim->nheap + 1, sizeof *sim->heap);
    if (rc)
        return rc;
    sim_event e = {sim->day_of_bday[bday], minute, sim->evseq++, c, kind};
    size_t i = sim->nheap++;
    while (i) {
        size_t parent = (i - 1) / 2;
        if (!ev_before(&e, &sim->heap[parent]))
            break;
        sim->heap[i] = sim->heap[parent];
        i = parent;
    }
    sim->heap[i] = e;
    sim->cases[c].refs++;
    return TRIAGE_OK;
}

/* ---- case slots ----------------------------------------------------------------- */

static triage_status_t push_slot(triage_sim_t *sim, uint32_t **v, size_t *n, size_t *cap,
                                 uint32_t slot)
{
    triage_status_t rc = triage__grow(&sim->alloc, (void **)v, cap, *n + 1, sizeof **v);
    if (!rc)
        (*v)[(*n)++] = slot;
    return rc;
}

static triage_status_t pend(triage_sim_t *sim, uint32_t ci)
{
    return push_slot(sim, &sim->pending, &sim->npending, &sim->cappending, ci);
}

void triage__sim_ref(triage_sim_t *sim, uint32_t ci)
{
    sim->cases[ci].refs++;
}

triage_status_t triage__sim_unref(triage_sim_t *sim, uint32_t ci)
{
    sim_case *c = &sim->cases[ci];
    if (--c->refs == 0 && c->stage == TRIAGE_STAGE_CLOSED)
        return pend(sim, ci);
    return TRIAGE_OK;
}

triage_status_t triage__sim_release_slots(triage_sim_t *sim)
{
    for (size_t i = 0; i < sim->npending; i++) {
        uint32_t ci = sim->pending[i];
        sim_case *c = &sim->cases[ci];
        if (c->isfree || c->refs || c->stage != TRIAGE_STAGE_CLOSED)
            continue;
        triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->freeslots, &sim->capfree,
                                          sim->nfree + 1, sizeof *sim->freeslots);
        if (rc)
            return rc;
        triage__sim_cidx_del(sim, &c->id);
        c->isfree = 1;
        sim->freeslots[sim->nfree++] = ci;
        if ((rc = triage__sim_client_unref(sim, c->client)))
            return rc;
    }
    sim->npending = 0;
    return TRIAGE_OK;
}

void triage__sim_case_slots(size_t *live, size_t *slots, const triage_sim_t *sim)
{
    *live = sim->ncases - sim->nfree;
    *slots = sim->ncases;
}

/* ---- client slots (sim_arrivals.c, "clients") ------------------------------------ */

void triage__sim_client_ref(triage_sim_t *sim, uint32_t client)
{
    sim->clients[client].refs++;
}

triage_status_t triage__sim_client_unref(triage_sim_t *sim, uint32_t client)
{
    sim_client *cl = &sim->clients[client];
    if (--cl->refs == 0 && !cl->pooled)
        return push_slot(sim, &sim->cgone, &sim->ncgone, &sim->capcgone, client);
    return TRIAGE_OK;
}

triage_status_t triage__sim_client_left(triage_sim_t *sim, uint32_t client)
{
    sim_client *cl = &sim->clients[client];
    triage_status_t rc =
        cl->refs ? TRIAGE_OK : push_slot(sim, &sim->cgone, &sim->ncgone, &sim->capcgone, client);
    if (!rc)
        cl->pooled = 0;
    return rc;
}

triage_status_t triage__sim_release_clients(triage_sim_t *sim)
{
    if (!sim->ncgone)
        return TRIAGE_OK;
    /* room on the free list first, so that a failure leaves the list whole */
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->cfree, &sim->capcfree,
                                      sim->ncfree + sim->ncgone, sizeof *sim->cfree);
    triage_id_t *ids = NULL;
    if (!rc && !sim->keep_history &&
        !(ids = triage__malloc(&sim->alloc, sim->ncgone * sizeof *ids)))
        rc = triage__error(TRIAGE_ENOMEM, NULL, "out of memory");
    if (rc)
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < sim->ncgone; i++) {
        uint32_t k = sim->cgone[i];
        sim_client *cl = &sim->clients[k];
        if (cl->isfree || cl->refs || cl->pooled)
            continue;
        cl->isfree = 1;
        sim->cfree[sim->ncfree++] = k;
        if (ids)
            ids[n++] = cl->id;
    }
    sim->ncgone = 0;
    if (n)
        rc = triage__store_memory_forget_clients(&sim->store, ids, n);
    triage__free(&sim->alloc, ids);
    return rc;
}

void triage__sim_client_slots(size_t *live, size_t *slots, const triage_sim_t *sim)
{
    *live = sim->nclients - sim->ncfree;
    *slots = sim->nclients;
}

sim_event triage__sim_heap_pop(triage_sim_t *sim)
{
    sim_event top = sim->heap[0];
    sim_event last = sim->heap[--sim->nheap];
    size_t i = 0, n = sim->nheap;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const sim_event *best = &last;
        if (l < n && ev_before(&sim->heap[l], best)) {
            m = l;
            best = &sim->heap[l];
        }
        if (r < n && ev_before(&sim->heap[r], best))
            m = r;
        if (m == i)
            break;
        sim->heap[i] = sim->heap[m];
        i = m;
    }
    if (n)
        sim->heap[i] = last;
    return top;
}

/* ---- helpers --------------------------------------------------------------------- */

static int32_t bdays_from(const triage_sim_t *sim, int32_t day, int32_t n)
{
    int32_t b = sim->bday_of_day[day];
    return b < 0 ? n : b + n;
}

triage_status_t triage__sim_move(triage_sim_t *sim, sim_case *c, triage_stage_t to,
                                 triage_closing_reason_t reason, int64_t t, int plan_unnec,
                                 int resp_unnec)
{
    triage_move_t m = TRIAGE_MOVE_INIT;
    m.to = to;
    m.at_ms = t;
    m.reason = reason;
    m.plan_unnecessary = plan_unnec;
    m.responsible_unnecessary = resp_unnec;
    sim->st.engine_calls++;
    triage_status_t rc = triage_case_move(sim->engine, &c->id, &m);
    if (rc == TRIAGE_OK) {
        int closes = to == TRIAGE_STAGE_CLOSED && c->stage != TRIAGE_STAGE_CLOSED;
        c->stage = (uint8_t)to;
        if (closes) {
            sim->nclosed++;
            if (!c->refs)
                rc = pend(sim, (uint32_t)(c - sim->cases));
        }
    }
    return rc;
}

static void release_worker(triage_sim_t *sim, sim_case *c)
{
    if (c->worker >= 0) {
        sim->w[c->worker].load -= c->weight;
        if (sim->w[c->worker].load < 1e-9)
            sim->w[c->worker].load = 0;
    }
}

triage_status_t triage__sim_close_case(triage_sim_t *sim, sim_case *c, triage_closing_reason_t r,
                                       int64_t t)
{
    triage_status_t rc = triage__sim_move(sim, c, TRIAGE_STAGE_CLOSED, r, t, 0, 0);
    if (!rc)
        release_worker(sim, c);
    return rc;
}

/* Whether a present guidance worker speaks the client's language (fi/sv);
 * clients of another language always need an interpreter. */
static int guidance_speaks(const triage_sim_t *sim, const sim_case *c, int32_t day)
{
    if (c->lang == TRIAGE_LANG_OTHER)
        return 0;
    uint32_t bit = c->lang == TRIAGE_LANG_SV ? TRIAGE_LANG_BIT_SV : TRIAGE_LANG_BIT_FI;
    for (size_t i = 0; i < sim->nw; i++)
        if ((sim->w[i].langs & bit) && triage__sim_staffs_guidance(sim, i) &&
            triage__sim_present(sim, i, day))
            return 1;
    return 0;
}

/* Flags a case for interpreting (counted once). */
static void flag_interpreting(triage_sim_t *sim, sim_case *c)
{
    if (!c->interp) {
        c->interp = 1;
        sim->st.interpreted++;
    }
}

static void interpreter_time(triage_sim_t *sim, double minutes)
{
    sim->st.interpreter_minutes += (uint32_t)lround(minutes);
}

/* The social worker who confirms special-support recommendations: this
 * week's duty social worker (the assignment module's roster, docs/domain.md §7.6). */
static int32_t duty_social_worker(triage_sim_t *sim, int32_t day)
{
    triage_id_t sw, sc;
    sim->st.engine_calls++;
    if (triage_duty_pair(&sw, &sc, sim->engine, sim->start + day) || triage_id_is_nil(&sw))
        return -1;
    return triage__sim_worker_by_id(sim, &sw);
}

/* ---- the assignment step ----------------------------------------------------------
 * The assignment module ranks the candidates (docs/domain.md §7.2-§7.3: role,
 * presence, language, caps, continuity, locality, distance, load); the
 * simulation adds its capacity model: the best-ranked candidate with a free
 * assessment slot takes the case. IMMEDIATE cases go to the duty pair's
 * choice whatever its slots. */

static int has_room(const triage_sim_t *sim, int32_t w)
{
    return sim->w[w].inprog < (int32_t)floor(sim->w[w].slots + 1e-9);
}

static triage_status_t assign(int32_t *out, triage_sim_t *sim, sim_case *c, int64_t t)
{
    *out = -1;
    triage_assign_request_t req = TRIAGE_ASSIGN_REQUEST_INIT;
    req.at_ms = t;
    triage_assignment_t a;
    a.version = TRIAGE_ASSIGNMENT_VERSION;
    sim->st.engine_calls++;
    triage_status_t rc = triage_assign_propose(&a, sim->engine, &c->id, &req);
    if (rc)
        return rc;
    int32_t chosen = -1;
    if (!(a.flags & TRIAGE_ASSIGN_NO_CANDIDATE)) {
        if (c->urgency == TRIAGE_URGENCY_IMMEDIATE) {
            chosen = triage__sim_worker_by_id(sim, &a.worker);
        } else {
            for (int32_t rank = 1; chosen < 0; rank++) {
                size_t k = 0;
                while (k < a.ncandidates && a.candidates[k].rank != rank)
                    k++;
                if (k == a.ncandidates)
                    break;
                int32_t w = triage__sim_worker_by_id(sim, &a.candidates[k].worker);
                if (w >= 0 && has_room(sim, w) && triage_id_compare(&a.candidates[k].worker, &a.pair)) {
                    chosen = w;
                    a.worker = a.candidates[k].worker;
                }
            }
        }
    }
    if (chosen >= 0) {
        sim->st.engine_calls++;
        rc = triage_assign_apply(sim->engine, &a, 1, NULL, t);
        /* the meeting needs an interpreter when the worker lacks the
         * client's language (another language: always) */
        uint32_t bit = c->lang == TRIAGE_LANG_SV ? TRIAGE_LANG_BIT_SV
                       : c->lang == TRIAGE_LANG_FI ? TRIAGE_LANG_BIT_FI
                                                   : 0;
        if (!rc && (!bit || !(sim->w[chosen].langs & bit)))
            flag_interpreting(sim, c);
    }
    triage_assignment_clear(&a);
    if (rc)
        return rc;
    *out = chosen;
    return TRIAGE_OK;
}

static const double QUADRANT_WEIGHT[SIM_QUADRANTS] = {1.0, 0.5, 1.0, 1.5, 2.0};

/* ---- case flow ------------------------------------------------------------------------ */

/* Deadlines that arise after intake (docs/domain.md §5.3; docs/simulation.md,
 * "Assumptions and limitations"). A plan leads to a non-urgent service
 * decision (D9, 3 months from the intake), carried out SIM_CARRY_OUT_MIN to
 * SIM_CARRY_OUT_MAX business days later; a matter attached to a case past
 * its assessment is reassessed by the own worker the next business day,
 * with a review of the plan when there is one (it meets the intake's
 * assessment start and the plan's review deadline, and starts the next
 * review period). */
#define SIM_CARRY_OUT_MIN 5
#define SIM_CARRY_OUT_MAX 40

static const triage_id_t *own_worker(const triage_sim_t *sim, const sim_case *c)
{
    return c->worker >= 0 ? &sim->w[c->worker].id : NULL;
}

static triage_status_t service_decided(triage_sim_t *sim, uint32_t ci, int32_t day, int64_t t)
{
    sim_case *c = &sim->cases[ci];
    CALL(triage_case_service_decision(sim->engine, &c->id, own_worker(sim, c), t, NULL, 0));
    int32_t n = triage__rng_int(&c->rng, SIM_CARRY_OUT_MIN, SIM_CARRY_OUT_MAX);
    return schedule(sim, ci, EV_CARRIED_OUT, bdays_from(sim, day, n), 660);
}

static triage_status_t reassess_attached(triage_sim_t *sim, uint32_t ci, int64_t t)
{
    sim_case *c = &sim->cases[ci];
    if (c->stage != TRIAGE_STAGE_PLANNING && c->stage != TRIAGE_STAGE_CASEWORK)
        return TRIAGE_OK;
    CALL(triage_case_classify(NULL, NULL, sim->engine, &c->id, own_worker(sim, c), t,
                              &c->scores));
    triage_case_t cs;
    cs.version = TRIAGE_CASE_VERSION;
    CALL(triage_case_get(&cs, sim->engine, &c->id));
    if (c->stage == TRIAGE_STAGE_CASEWORK && cs.plan_made != TRIAGE_DATE_NONE)
        CALL(triage_case_review_plan(sim->engine, &c->id, own_worker(sim, c), t + 60000));
    return TRIAGE_OK;
}

triage_status_t triage__sim_attached(triage_sim_t *sim, const triage_id_t *case_id, int32_t day)
{
    int32_t ci = triage__sim_cidx_get(sim, case_id);
    return ci < 0 ? TRIAGE_OK
                  : schedule(sim, (uint32_t)ci, EV_REASSESS, bdays_from(sim, day, 1), 600);
}

triage_status_t triage__sim_to_distribution(triage_sim_t *sim, uint32_t ci, int64_t t)
{
    triage_status_t rc =
        triage__sim_move(sim, &sim->cases[ci], TRIAGE_STAGE_DISTRIBUTION, 0, t, 0, 0);
    if (rc)
        return rc;
    sim->st.to_assessment++;
    rc = triage__grow(&sim->alloc, (void **)&sim->pool, &sim->cappool, sim->npool + 1,
                      sizeof *sim->pool);
    if (rc)
        return rc;
    sim->pool[sim->npool++] = ci;
    triage__sim_ref(sim, ci);
    return TRIAGE_OK;
}

triage_status_t triage__sim_queue_guidance(triage_sim_t *sim, uint32_t ci, int32_t bday)
{
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->gq, &sim->capgq,
                                      sim->ngq + 1, sizeof *sim->gq);
    if (rc)
        return rc;
    sim->gq[sim->ngq++] = (gq_item){ci, bday, sim->cases[ci].duty};
    triage__sim_ref(sim, ci);
    return TRIAGE_OK;
}

triage_status_t triage__sim_schedule_return(triage_sim_t *sim, uint32_t ci, int32_t day,
                                            sim_range days, uint8_t source)
{
    sim_case *c = &sim->cases[ci];
    int32_t b = bdays_from(sim, day, triage__rng_int(&c->rng, days.lo, days.hi));
    int32_t minute = triage__rng_int(&c->rng, 480, 959);
    uint64_t seed = triage__rng_next(&c->rng);
    if (b >= sim->nbdays)
        return TRIAGE_OK; /* beyond the horizon */
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->returns, &sim->capreturns,
                                      sim->nreturns + 1, sizeof *sim->returns);
    if (rc)
        return rc;
    sim->returns[sim->nreturns++] = (sim_return){b, minute, c->client, c->channel, source, seed};
    triage__sim_client_ref(sim, c->client);
    return TRIAGE_OK;
}

/* A matter resolved at guidance (advice, referral, declined): with the
 * pathway's return_visit probability the client comes back (Pirkanmaa). */
static triage_status_t resolved_at_guidance(triage_sim_t *sim, uint32_t ci, int32_t day)
{
    const sim_params *p = &sim->p;
    if (!(p->return_visit > 0) || !(triage__rng_uniform(&sim->cases[ci].rng) < p->return_visit))
        return TRIAGE_OK;
    return triage__sim_schedule_return(sim, ci, day, p->return_days, SRC_RETURN);
}

/* After a successful contact: the motivation check, the guidance outcome. */
triage_status_t triage__sim_reached(triage_sim_t *sim, uint32_t ci, int32_t day, int32_t minute)
{
    sim_case *c = &sim->cases[ci];
    const sim_params *p = &sim->p;
    int64_t t = triage__sim_at(sim, day, minute);
    int urgent = c->urgency <= TRIAGE_URGENCY_URGENT;
    if (c->interp)
        interpreter_time(sim, p->interp_contact_min);
    if (c->kind == TRIAGE_INTAKE_APPLICATION && !c->decided) {
        /* the social-assistance decision is made once the client is reached */
        CALL(triage_case_milestone(sim->engine, &c->id, NULL, t, TRIAGE_MILESTONE_DECISION));
        c->decided = 1;
    }
    if (p->motivation_check) {
        triage_motivation_t m = c->u_motive < p->unwilling                ? TRIAGE_MOTIVATION_UNWILLING
                                : c->u_motive < p->unwilling + p->unclear ? TRIAGE_MOTIVATION_UNCLEAR
                                                                          : TRIAGE_MOTIVATION_WILLING;
        int offer = 0;
        CALL(triage_case_motivation(&offer, sim->engine, &c->id, NULL, t, m, urgent));
        c->checked = 1;
        sim->st.motivation_checks++;
        if (offer)
            return triage__sim_close_case(sim, c, TRIAGE_CLOSE_DECLINED, t);
    }
    if (p->guidance_first && c->u_resolve < p->resolved) {
        double w[4] = {0, p->advice, p->referred, p->declined};
        double u = c->u_outcome * (w[1] + w[2] + w[3]);
        triage_closing_reason_t r = u < w[1]          ? TRIAGE_CLOSE_ADVICE_GIVEN
                                    : u < w[1] + w[2] ? TRIAGE_CLOSE_REFERRED
                                                      : TRIAGE_CLOSE_DECLINED;
        if (r == TRIAGE_CLOSE_DECLINED && urgent)
            r = TRIAGE_CLOSE_REFERRED; /* no declining with an urgent risk (SHL 35 § 2) */
        if (r == TRIAGE_CLOSE_DECLINED) /* the engine wants the refusal on record */
            CALL(triage_case_motivation(NULL, sim->engine, &c->id, NULL, t,
                                        TRIAGE_MOTIVATION_UNWILLING, 0));
        triage_status_t rc = triage__sim_close_case(sim, c, r, t);
        return rc ? rc : resolved_at_guidance(sim, ci, day);
    }
    if (p->initial_assessment && c->urgency != TRIAGE_URGENCY_IMMEDIATE) {
        triage_status_t rc = triage__sim_move(sim, c, TRIAGE_STAGE_INITIAL_ASSESSMENT, 0, t, 0, 0);
        if (rc)
            return rc;
        return schedule(sim, ci, EV_IA_DONE,
                        bdays_from(sim, day,
                                   triage__rng_int(&c->rng, p->ia_days.lo, p->ia_days.hi)),
                        780);
    }
    return triage__sim_to_distribution(sim, ci, t);
}

static triage_status_t guidance_attempt(triage_sim_t *sim, uint32_t ci, int32_t day,
                                        int32_t minute)
{
    sim_case *c = &sim->cases[ci];
    const sim_params *p = &sim->p;
    if (c->arrival_day == day && minute <= c->arrival_min)
        minute = c->arrival_min + 10;
    int64_t t = triage__sim_at(sim, day, minute);
    if (!guidance_speaks(sim, c, day))
        flag_interpreting(sim, c);
    if (c->duty && !c->after_hours && !c->attempts && c->arrival_day == day)
        sim->st.duty_same_day++;
    int ok = triage__rng_uniform(&c->rng) < p->reach;
    CALL(triage_case_contact_attempt(sim->engine, &c->id, NULL, t, ok));
    if (ok)
        return triage__sim_reached(sim, ci, day, minute + 1);
    int32_t b = sim->bday_of_day[day];
    if (c->first_fail < 0)
        c->first_fail = b;
    c->attempts++;
    if (c->attempts >= p->unreachable_attempts && b - c->first_fail >= p->unreachable_min_days) {
        triage_status_t rc = triage__sim_close_case(sim, c, TRIAGE_CLOSE_UNREACHABLE, t + 60000);
        if (rc != TRIAGE_ESTATE)
            return rc;
        /* the engine counts the span differently: one more attempt later */
    }
    int32_t wait = p->retry_days;
    if (c->attempts + 1 >= p->unreachable_attempts &&
        b + wait - c->first_fail < p->unreachable_min_days)
        wait = p->unreachable_min_days - (b - c->first_fail);
    return triage__sim_queue_guidance(sim, ci, b + wait);
}

/* Lapland's social reporting: the worker who classifies a case of a
 * participating municipality files, with the [social_reporting] rate, a
 * social report naming the phenomena seen: the need areas and capacity
 * barriers scored 2 or more. */
static triage_status_t social_filing(triage_sim_t *sim, sim_case *c, int64_t t)
{
    const sim_params *p = &sim->p;
    if (!(p->social_rate > 0))
        return TRIAGE_OK;
    int part = 1;
    for (size_t i = 0; i < sim->sc->nmunis; i++)
        if (sim->sc->munis[i].code == c->muni)
            part = sim->sc->munis[i].social;
    if (!part || !(triage__rng_uniform(&c->rng) < p->social_rate))
        return TRIAGE_OK;
    sim_filing f = {t, c->muni, 0, 0};
    for (int i = 0; i < TRIAGE_NEED_COUNT; i++)
        if (c->scores.need[i] >= 2)
            f.needs |= (uint16_t)(1u << i);
    for (int i = 0; i < TRIAGE_CAPACITY_COUNT; i++)
        if (c->scores.capacity[i] >= 2)
            f.barriers |= (uint16_t)(1u << i);
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->filings, &sim->capfilings,
                                      sim->nfilings + 1, sizeof *sim->filings);
    if (rc)
        return rc;
    sim->filings[sim->nfilings++] = f;
    sim->st.social_filings++;
    return TRIAGE_OK;
}

triage_status_t triage__sim_distribute_one(int *done, triage_sim_t *sim, uint32_t ci, int32_t day,
                                           int32_t minute)
{
    sim_case *c = &sim->cases[ci];
    const sim_params *p = &sim->p;
    *done = 0;
    if (c->arrival_day == day && minute <= c->arrival_min)
        minute = c->arrival_min + 15;
    int64_t t = triage__sim_at(sim, day, minute);
    int32_t duty = duty_social_worker(sim, day);
    if (!c->quadrant) {
        triage_classification_t k;
        CALL(triage_case_classify(&k, NULL, sim->engine, &c->id,
                                  duty >= 0 ? &sim->w[duty].id : NULL, t, &c->scores));
        c->quadrant = k.quadrant;
        c->special = k.special_support;
        c->weight = QUADRANT_WEIGHT[k.quadrant];
        if (k.special_support && duty >= 0)
            CALL(triage_case_decide_special_support(sim->engine, &c->id, &sim->w[duty].id, t, 1, 0));
        triage_status_t rc = social_filing(sim, c, t);
        if (rc)
            return rc;
    }
    int32_t w;
    triage_status_t rc = assign(&w, sim, c, t);
    if (rc)
        return rc;
    if (w < 0) {
        sim->st.unassigned_days++;
        return TRIAGE_OK;
    }
    c->worker = w;
    sim->w[w].inprog++;
    sim->w[w].load += c->weight;
    if ((rc = triage__sim_move(sim, c, TRIAGE_STAGE_ASSESSMENT, 0, t + 60000, 0, 0)))
        return rc;
    *done = 1;
    return schedule(sim, ci, EV_APPOINTMENT,
                    bdays_from(sim, day, triage__rng_int(&c->rng, p->first_appointment.lo,
                                                         p->first_appointment.hi)),
                    600);
}

static int pool_cmp_urgency(const triage_sim_t *sim, uint32_t a, uint32_t b)
{
    const sim_case *x = &sim->cases[a], *y = &sim->cases[b];
    if (x->urgency != y->urgency)
        return x->urgency < y->urgency ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Insertion sort: the pool is small and mostly sorted already. */
static void sort_pool(triage_sim_t *sim)
{
    for (size_t i = 1; i < sim->npool; i++) {
        uint32_t v = sim->pool[i];
        size_t j = i;
        while (j && pool_cmp_urgency(sim, sim->pool[j - 1], v) > 0) {
            sim->pool[j] = sim->pool[j - 1];
            j--;
        }
        sim->pool[j] = v;
    }
}

/* Distributes the pool's cases that `take` selects, from `minute` on (one
 * minute apart, wrapping every `spread`); the rest stay in the pool. */
static triage_status_t distribute_pool(triage_sim_t *sim, int32_t day, int32_t minute,
                                       int32_t spread, int (*take)(const sim_case *, int32_t))
{
    size_t keep = 0;
    triage_status_t rc_;
    for (size_t i = 0; i < sim->npool; i++) {
        int done = 0;
        uint32_t ci = sim->pool[i];
        if (take(&sim->cases[ci], day)) {
            triage_status_t rc = triage__sim_distribute_one(&done, sim, ci, day,
                                                            minute + (int32_t)(i % (size_t)spread));
            if (rc)
                return rc;
            sim->st.sim_events++;
        }
        if (!done)
            sim->pool[keep++] = ci;
        else if ((rc_ = triage__sim_unref(sim, ci)))
            return rc_;
    }
    sim->npool = keep;
    return TRIAGE_OK;
}

/* The day's distribution takes all but tonight's after-hours arrivals (the
 * duty pair takes those tomorrow morning). */
static int daytime(const sim_case *c, int32_t day)
{
    return !(c->after_hours && c->arrival_day == day);
}

triage_status_t triage__sim_distribution(triage_sim_t *sim, int32_t day, int32_t minute)
{
    sort_pool(sim);
    return distribute_pool(sim, day, minute, 60, daytime);
}

triage_status_t triage__sim_on_event(triage_sim_t *sim, const sim_event *e)
{
    sim_case *c = &sim->cases[e->c];
    const sim_params *p = &sim->p;
    int32_t day = e->day;
    int64_t t = triage__sim_at(sim, day, e->minute);
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return TRIAGE_OK;
    switch (e->kind) {
    case EV_IA_DONE: {
        /* What the initial assessment handles, by the need it finds
         * (docs/simulation.md, "East Uusimaa"): advice, a referral onward,
         * or the full assessment. */
        double adv = p->ia_advice[c->need], ref = p->ia_referred[c->need];
        if (c->u_ia < adv) {
            sim->st.ia_advice++;
            return triage__sim_close_case(sim, c, TRIAGE_CLOSE_ADVICE_GIVEN, t);
        }
        if (c->u_ia < adv + ref) {
            sim->st.ia_referred++;
            return triage__sim_close_case(sim, c, TRIAGE_CLOSE_REFERRED, t);
        }
        sim->st.ia_onward++;
        return triage__sim_to_distribution(sim, e->c, t);
    }
    case EV_APPOINTMENT: {
        if (c->worker >= 0 && !triage__sim_present(sim, (size_t)c->worker, day))
            return schedule(sim, e->c, EV_APPOINTMENT, bdays_from(sim, day, 1), 600);
        double pn = c->checked ? p->noshow_checked : p->noshow_unchecked;
        if (triage__rng_uniform(&c->rng) < pn) {
            c->noshows++;
            sim->st.noshows++;
            CALL(triage_case_contact_attempt(sim->engine, &c->id, NULL, t,
                                             TRIAGE_CONTACT_NO_SHOW));
            if (c->noshows >= p->noshow_max) {
                if (c->worker >= 0)
                    sim->w[c->worker].inprog--;
                /* The engine closes as UNREACHABLE only after contact attempts,
                 * which exist in guidance only; the assessment ends with no
                 * established need (docs/simulation.md, limitations). */
                return triage__sim_close_case(sim, c, TRIAGE_CLOSE_NO_NEED, t);
            }
            return schedule(sim, e->c, EV_APPOINTMENT, bdays_from(sim, day, p->rebook_days), 600);
        }
        if (c->interp)
            interpreter_time(sim, p->interp_meeting_min);
        return schedule(sim, e->c, EV_ASSESSED,
                        bdays_from(sim, day,
                                   triage__rng_int(&c->rng, p->assessment.lo, p->assessment.hi)),
                        840);
    }
    case EV_ASSESSED: {
        if (c->worker >= 0)
            sim->w[c->worker].inprog--;
        int q1 = c->quadrant == TRIAGE_Q1_GUIDANCE_ONLY;
        triage_assessment_record_t rec = TRIAGE_ASSESSMENT_RECORD_INIT;
        rec.summary = rec.conclusion = rec.client_view = 1;
        rec.responsible_needed = !q1;
        rec.nature = q1 ? TRIAGE_NEED_NATURE_TEMPORARY
                     : c->quadrant == TRIAGE_Q4_SPECIAL_SUPPORT ? TRIAGE_NEED_NATURE_LONG_TERM
                                                                : TRIAGE_NEED_NATURE_RECURRING;
        CALL(triage_case_record_assessment(sim->engine, &c->id, NULL, t, &rec));
        if (q1 && p->back_to_guidance > 0 &&
            triage__rng_uniform(&c->rng) < p->back_to_guidance) {
            /* the need is guidance only: the client is referred back to
             * guidance (Pirkanmaa's pathway), a new contact there */
            triage_status_t rc = triage__sim_close_case(sim, c, TRIAGE_CLOSE_REFERRED, t + 60000);
            if (rc)
                return rc;
            sim->st.back_to_guidance++;
            return triage__sim_schedule_return(sim, e->c, day, p->back_days, SRC_BACK);
        }
        if (q1) {
            if (p->casework[1].hi == 0)
                return triage__sim_close_case(sim, c, TRIAGE_CLOSE_NO_NEED, t + 60000);
            triage_status_t rc =
                triage__sim_move(sim, c, TRIAGE_STAGE_CASEWORK, 0, t + 60000, 1, 1);
            if (rc)
                return rc;
            return schedule(sim, e->c, EV_CASEWORK_DONE,
                            bdays_from(sim, day,
                                       triage__rng_int(&c->rng, p->casework[1].lo,
                                                       p->casework[1].hi)),
                            900);
        }
        if (c->worker >= 0)
            CALL(triage_case_set_worker(sim->engine, &c->id, NULL, t, TRIAGE_SLOT_RESPONSIBLE,
                                        &sim->w[c->worker].id));
        triage_status_t rc = triage__sim_move(sim, c, TRIAGE_STAGE_PLANNING, 0, t + 60000, 0, 0);
        if (rc)
            return rc;
        return schedule(sim, e->c, EV_PLANNED,
                        bdays_from(sim, day,
                                   triage__rng_int(&c->rng, p->planning.lo, p->planning.hi)),
                        900);
    }
    case EV_PLANNED: {
        triage_status_t rc = triage__sim_move(sim, c, TRIAGE_STAGE_CASEWORK, 0, t, 0, 0);
        if (rc)
            return rc;
        sim_range r = p->casework[c->quadrant];
        rc = schedule(sim, e->c, EV_CASEWORK_DONE,
                      bdays_from(sim, day, triage__rng_int(&c->rng, r.lo, r.hi)), 900);
        return rc ? rc : service_decided(sim, e->c, day, t + 60000);
    }
    case EV_CASEWORK_DONE:
        return triage__sim_close_case(sim, c, TRIAGE_CLOSE_GOALS_MET, t);
    case EV_CARRIED_OUT:
        CALL(triage_case_milestone(sim->engine, &c->id, own_worker(sim, c), t,
                                   TRIAGE_MILESTONE_DECISION_CARRIED_OUT));
        return TRIAGE_OK;
    case EV_REASSESS:
        return reassess_attached(sim, e->c, t);
    }
    return TRIAGE_OK;
}

/* ---- guidance -------------------------------------------------------------------------------- */

static int gq_cmp(const triage_sim_t *sim, const gq_item *a, const gq_item *b)
{
    if (a->duty != b->duty)
        return a->duty ? -1 : 1;
    int ua = sim->cases[a->c].urgency, ub = sim->cases[b->c].urgency;
    if (ua != ub)
        return ua < ub ? -1 : 1;
    if (a->ready_bday != b->ready_bday)
        return a->ready_bday < b->ready_bday ? -1 : 1;
    uint32_t oa = sim->cases[a->c].order, ob = sim->cases[b->c].order;
    return oa < ob ? -1 : oa > ob;
}

triage_status_t triage__sim_guidance(triage_sim_t *sim, int32_t day)
{
    const sim_params *p = &sim->p;
    int32_t b = sim->bday_of_day[day];
    double fte = 0;
    for (size_t i = 0; i < sim->nw; i++)
        if (triage__sim_staffs_guidance(sim, i) && triage__sim_present(sim, i, day))
            fte += sim->w[i].fte * p->staff_share;
    fte -= sim->guidance_off; /* the phone line, outreach days */
    double budget = fte > 0 ? fte * p->capacity + 1e-9 : 0;
    /* the ready items: the office-hours duty's first, then most urgent and oldest */
    size_t nready = 0;
    for (size_t i = 0; i < sim->ngq; i++)
        if (sim->gq[i].ready_bday <= b) {
            gq_item t = sim->gq[i];
            sim->gq[i] = sim->gq[nready];
            sim->gq[nready++] = t;
        }
    for (size_t i = 1; i < nready; i++) {
        gq_item v = sim->gq[i];
        size_t j = i;
        while (j && gq_cmp(sim, &sim->gq[j - 1], &v) > 0) {
            sim->gq[j] = sim->gq[j - 1];
            j--;
        }
        sim->gq[j] = v;
    }
    /* an attempt that needs an interpreter takes `cost` attempts' time */
    size_t take = 0;
    while (take < nready) {
        const sim_case *c = &sim->cases[sim->gq[take].c];
        double cost = (c->interp || !guidance_speaks(sim, c, day)) ? p->interp_cost : 1;
        if (budget < cost)
            break;
        budget -= cost;
        take++;
    }
    /* take them off the queue first: an attempt may queue the case again */
    gq_item *batch = NULL;
    if (take) {
        batch = triage__malloc(&sim->alloc, take * sizeof *batch);
        if (!batch)
            return TRIAGE_ENOMEM;
        memcpy(batch, sim->gq, take * sizeof *batch);
        memmove(sim->gq, sim->gq + take, (sim->ngq - take) * sizeof *sim->gq);
        sim->ngq -= take;
    }
    triage_status_t rc = TRIAGE_OK;
    for (size_t i = 0; i < take && !rc; i++) {
        int32_t minute = 540 + (int32_t)((i * 360) / take);
        rc = guidance_attempt(sim, batch[i].c, day, minute);
        sim->st.sim_events++;
        if (!rc)
            rc = triage__sim_unref(sim, batch[i].c);
    }
    triage__free(&sim->alloc, batch);
    return rc;
}

/* The morning duty takes the IMMEDIATE cases of earlier days. */
static int earlier_immediate(const sim_case *c, int32_t day)
{
    return c->urgency == TRIAGE_URGENCY_IMMEDIATE && c->arrival_day < day;
}

triage_status_t triage__sim_morning_duty(triage_sim_t *sim, int32_t day)
{
    return distribute_pool(sim, day, 480, 30, earlier_immediate);
}

