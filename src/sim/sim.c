/*
 * Scenario simulation (docs/domain.md §10). A day-stepped discrete-event model
 * that drives the real engine: every intake, contact attempt, motivation
 * check, classification, assignment and stage move is an engine call, so the
 * engine's rules, the deadline rows and the audit trail are exercised as in
 * production, and the §9 report is computed from the engine's events.
 *
 * The model, its assumptions and the generator are described in
 * docs/simulation.md; keep the two in step. The generator is in rng.c, the
 * output of a run in sim_output.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

/* ---- run state ----------------------------------------------------------------- */

enum {
    EV_APPOINTMENT = 1,
    EV_ASSESSED,
    EV_PLANNED,
    EV_CASEWORK_DONE,
    EV_IA_DONE,
    EV_CARRIED_OUT, /* a service decision carried out (SHL 45 §) */
    EV_REASSESS     /* the own worker reassesses after an attached intake */
};


#define CALL(expr)                                                                          \
    do {                                                                                    \
        sim->st.engine_calls++;                                                             \
        triage_status_t rc_ = (expr);                                                       \
        if (rc_)                                                                            \
            return rc_;                                                                     \
    } while (0)

/* Record ids for the engine: version-4 UUIDs from a splitmix64 stream of
 * their own, seeded by the run's seed, so ids (and the assignment rules'
 * tie-break by id) repeat exactly from run to run. */
static void sim_id(void *ud, triage_id_t *out)
{
    triage_sim_t *sim = ud;
    uint64_t hi = triage__splitmix64(&sim->id_state), lo = triage__splitmix64(&sim->id_state);
    for (int i = 0; i < 8; i++) {
        out->bytes[i] = (uint8_t)(hi >> (56 - 8 * i));
        out->bytes[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
    }
    out->bytes[6] = (uint8_t)((out->bytes[6] & 0x0f) | 0x40);
    out->bytes[8] = (uint8_t)((out->bytes[8] & 0x3f) | 0x80);
}

static int64_t sim_clock(void *ud)
{
    return ((const triage_sim_t *)ud)->now_ms;
}

static int64_t at(triage_sim_t *sim, int32_t day, int32_t minute)
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
    return TRIAGE_OK;
}

static sim_event heap_pop(triage_sim_t *sim)
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

static int present(const triage_sim_t *sim, size_t w, int32_t day)
{
    return !sim->w[w].absent[day];
}

static int32_t bdays_from(const triage_sim_t *sim, int32_t day, int32_t n)
{
    int32_t b = sim->bday_of_day[day];
    return b < 0 ? n : b + n;
}

static triage_status_t move(triage_sim_t *sim, sim_case *c, triage_stage_t to,
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
    if (rc == TRIAGE_OK)
        c->stage = (uint8_t)to;
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

static triage_status_t close_case(triage_sim_t *sim, sim_case *c, triage_closing_reason_t r,
                                  int64_t t)
{
    triage_status_t rc = move(sim, c, TRIAGE_STAGE_CLOSED, r, t, 0, 0);
    if (!rc)
        release_worker(sim, c);
    return rc;
}

static int32_t worker_by_id(const triage_sim_t *sim, const triage_id_t *id);
static triage_status_t cidx_put(triage_sim_t *sim, const triage_id_t *id, int32_t index);

/* The social worker who confirms special-support recommendations: this
 * week's duty social worker (the assignment module's roster, docs/domain.md §7.6). */
static int32_t duty_social_worker(triage_sim_t *sim, int32_t day)
{
    triage_id_t sw, sc;
    sim->st.engine_calls++;
    if (triage_duty_pair(&sw, &sc, sim->engine, sim->start + day) || triage_id_is_nil(&sw))
        return -1;
    return worker_by_id(sim, &sw);
}

/* ---- the assignment step ----------------------------------------------------------
 * The assignment module ranks the candidates (docs/domain.md §7.2-§7.3: role,
 * presence, language, caps, continuity, locality, distance, load); the
 * simulation adds its capacity model: the best-ranked candidate with a free
 * assessment slot takes the case. IMMEDIATE cases go to the duty pair's
 * choice whatever its slots. */

static int id_cmp_idx(const void *a, const void *b)
{
    return triage_id_compare(&((const sim_widx *)a)->id, &((const sim_widx *)b)->id);
}

static int32_t worker_by_id(const triage_sim_t *sim, const triage_id_t *id)
{
    sim_widx key;
    key.id = *id;
    const sim_widx *f = bsearch(&key, sim->widx, sim->nw, sizeof *sim->widx, id_cmp_idx);
    return f ? f->index : -1;
}

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
            chosen = worker_by_id(sim, &a.worker);
        } else {
            for (int32_t rank = 1; chosen < 0; rank++) {
                size_t k = 0;
                while (k < a.ncandidates && a.candidates[k].rank != rank)
                    k++;
                if (k == a.ncandidates)
                    break;
                int32_t w = worker_by_id(sim, &a.candidates[k].worker);
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
    }
    triage_assignment_clear(&a);
    if (rc)
        return rc;
    *out = chosen;
    return TRIAGE_OK;
}

/* ---- scores that land in a quadrant -----------------------------------------------
 * High need: one area at 3, or three areas at 2; low need: at most two areas at
 * 2 and none at 3. Weak capacity: a cause at 2-3, or barriers summing to 4-6
 * with the causes at most 1; good capacity: causes at most 1, sum at most 3.
 * (docs/domain.md §6 defaults.) */
static void draw_scores(triage_scores_t *s, sim_rng *r, int quadrant)
{
    memset(s, 0, sizeof *s);
    int high = quadrant == TRIAGE_Q2_SOCIAL_GUIDANCE_WORK || quadrant == TRIAGE_Q4_SPECIAL_SUPPORT;
    int weak = quadrant == TRIAGE_Q3_SUPPORTED_GUIDANCE || quadrant == TRIAGE_Q4_SPECIAL_SUPPORT;
    for (int i = 0; i < TRIAGE_NEED_COUNT; i++)
        s->need[i] = triage__rng_uniform(r) < 0.3 ? 1 : 0;
    int a = triage__rng_int(r, 0, TRIAGE_NEED_COUNT - 1);
    if (high) {
        if (triage__rng_uniform(r) < 0.5) {
            s->need[a] = 3;
        } else {
            for (int k = 0; k < 3; k++)
                s->need[(a + 3 * k) % TRIAGE_NEED_COUNT] = 2;
        }
    } else if (triage__rng_uniform(r) < 0.5) {
        s->need[a] = 2;
    }
    if (weak) {
        if (triage__rng_uniform(r) < 0.6) {
            s->capacity[triage__rng_int(r, 0, TRIAGE_CAPACITY_CAUSES - 1)] =
                (uint8_t)triage__rng_int(r, 2, 3);
        } else {
            int total = triage__rng_int(r, 4, 6);
            while (total > 0) {
                int b = triage__rng_int(r, TRIAGE_CAPACITY_CAUSES, TRIAGE_CAPACITY_COUNT - 1);
                if (b == TRIAGE_CAPACITY_REPEAT_NOTIFICATIONS)
                    continue;
                if (s->capacity[b] < 3) {
                    s->capacity[b]++;
                    total--;
                }
            }
        }
    } else {
        int total = triage__rng_int(r, 0, 3);
        while (total > 0) {
            int b = triage__rng_int(r, 0, TRIAGE_CAPACITY_COUNT - 1);
            if (b == TRIAGE_CAPACITY_REPEAT_NOTIFICATIONS)
                continue;
            if (b < TRIAGE_CAPACITY_CAUSES && s->capacity[b] >= 1)
                continue;
            if (s->capacity[b] < 3) {
                s->capacity[b]++;
                total--;
            }
        }
    }
}

static const double QUADRANT_WEIGHT[SIM_QUADRANTS] = {1.0, 0.5, 1.0, 1.5, 2.0};

/* ---- case flow ------------------------------------------------------------------------ */

static int32_t cidx_get(const triage_sim_t *sim, const triage_id_t *id);

/* Deadlines that arise after intake (docs/domain.md §5.3; docs/simulation.md,
 * "Decisions and plan reviews"). A plan leads to a non-urgent service
 * decision (D9, 3 months from the intake), carried out SIM_CARRY_OUT_DAYS
 * business days later; a matter attached to a case past its assessment is
 * reassessed by the own worker the next business day, with a review of the
 * plan when there is one (it meets the intake's assessment start and the
 * plan's review deadline, and starts the next review period). */
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

static triage_status_t to_distribution(triage_sim_t *sim, uint32_t ci, int64_t t)
{
    triage_status_t rc = move(sim, &sim->cases[ci], TRIAGE_STAGE_DISTRIBUTION, 0, t, 0, 0);
    if (rc)
        return rc;
    rc = triage__grow(&sim->alloc, (void **)&sim->pool, &sim->cappool, sim->npool + 1,
                      sizeof *sim->pool);
    if (rc)
        return rc;
    sim->pool[sim->npool++] = ci;
    return TRIAGE_OK;
}

static triage_status_t queue_guidance(triage_sim_t *sim, uint32_t ci, int32_t bday)
{
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->gq, &sim->capgq,
                                      sim->ngq + 1, sizeof *sim->gq);
    if (rc)
        return rc;
    sim->gq[sim->ngq++] = (gq_item){ci, bday};
    return TRIAGE_OK;
}

/* After a successful contact: the motivation check, the guidance outcome. */
static triage_status_t reached(triage_sim_t *sim, uint32_t ci, int32_t day, int32_t minute)
{
    sim_case *c = &sim->cases[ci];
    const sim_params *p = &sim->p;
    int64_t t = at(sim, day, minute);
    int urgent = c->urgency <= TRIAGE_URGENCY_URGENT;
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
            return close_case(sim, c, TRIAGE_CLOSE_DECLINED, t);
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
        return close_case(sim, c, r, t);
    }
    if (p->initial_assessment && c->urgency != TRIAGE_URGENCY_IMMEDIATE) {
        triage_status_t rc = move(sim, c, TRIAGE_STAGE_INITIAL_ASSESSMENT, 0, t, 0, 0);
        if (rc)
            return rc;
        return schedule(sim, ci, EV_IA_DONE,
                        bdays_from(sim, day,
                                   triage__rng_int(&c->rng, p->ia_days.lo, p->ia_days.hi)),
                        780);
    }
    return to_distribution(sim, ci, t);
}

static triage_status_t guidance_attempt(triage_sim_t *sim, uint32_t ci, int32_t day,
                                        int32_t minute)
{
    sim_case *c = &sim->cases[ci];
    const sim_params *p = &sim->p;
    if (c->arrival_day == day && minute <= c->arrival_min)
        minute = c->arrival_min + 10;
    int64_t t = at(sim, day, minute);
    int ok = triage__rng_uniform(&c->rng) < p->reach;
    CALL(triage_case_contact_attempt(sim->engine, &c->id, NULL, t, ok));
    if (ok)
        return reached(sim, ci, day, minute + 1);
    int32_t b = sim->bday_of_day[day];
    if (c->first_fail < 0)
        c->first_fail = b;
    c->attempts++;
    if (c->attempts >= p->unreachable_attempts && b - c->first_fail >= p->unreachable_min_days) {
        triage_status_t rc = close_case(sim, c, TRIAGE_CLOSE_UNREACHABLE, t + 60000);
        if (rc != TRIAGE_ESTATE)
            return rc;
        /* the engine counts the span differently: one more attempt later */
    }
    int32_t wait = p->retry_days;
    if (c->attempts + 1 >= p->unreachable_attempts &&
        b + wait - c->first_fail < p->unreachable_min_days)
        wait = p->unreachable_min_days - (b - c->first_fail);
    return queue_guidance(sim, ci, b + wait);
}

static triage_status_t distribute_one(int *done, triage_sim_t *sim, uint32_t ci, int32_t day,
                                      int32_t minute)
{
    sim_case *c = &sim->cases[ci];
    const sim_params *p = &sim->p;
    *done = 0;
    if (c->arrival_day == day && minute <= c->arrival_min)
        minute = c->arrival_min + 15;
    int64_t t = at(sim, day, minute);
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
    if ((rc = move(sim, c, TRIAGE_STAGE_ASSESSMENT, 0, t + 60000, 0, 0)))
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
    return a < b ? -1 : a > b;
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

static triage_status_t distribution(triage_sim_t *sim, int32_t day, int32_t minute)
{
    sort_pool(sim);
    size_t keep = 0;
    for (size_t i = 0; i < sim->npool; i++) {
        int done = 0;
        uint32_t ci = sim->pool[i];
        triage_status_t rc = distribute_one(&done, sim, ci, day, minute + (int32_t)(i % 60));
        if (rc)
            return rc;
        sim->st.sim_events++;
        if (!done)
            sim->pool[keep++] = ci;
    }
    sim->npool = keep;
    return TRIAGE_OK;
}

static triage_status_t on_event(triage_sim_t *sim, const sim_event *e)
{
    sim_case *c = &sim->cases[e->c];
    const sim_params *p = &sim->p;
    int32_t day = e->day;
    int64_t t = at(sim, day, e->minute);
    if (c->stage == TRIAGE_STAGE_CLOSED)
        return TRIAGE_OK;
    switch (e->kind) {
    case EV_IA_DONE:
        if (c->u_ia < p->ia_filter)
            return close_case(sim, c, TRIAGE_CLOSE_NO_NEED, t);
        return to_distribution(sim, e->c, t);
    case EV_APPOINTMENT: {
        if (c->worker >= 0 && !present(sim, (size_t)c->worker, day))
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
                return close_case(sim, c, TRIAGE_CLOSE_NO_NEED, t);
            }
            return schedule(sim, e->c, EV_APPOINTMENT, bdays_from(sim, day, p->rebook_days), 600);
        }
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
        if (q1) {
            if (p->casework[1].hi == 0)
                return close_case(sim, c, TRIAGE_CLOSE_NO_NEED, t + 60000);
            triage_status_t rc = move(sim, c, TRIAGE_STAGE_CASEWORK, 0, t + 60000, 1, 1);
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
        triage_status_t rc = move(sim, c, TRIAGE_STAGE_PLANNING, 0, t + 60000, 0, 0);
        if (rc)
            return rc;
        return schedule(sim, e->c, EV_PLANNED,
                        bdays_from(sim, day,
                                   triage__rng_int(&c->rng, p->planning.lo, p->planning.hi)),
                        900);
    }
    case EV_PLANNED: {
        triage_status_t rc = move(sim, c, TRIAGE_STAGE_CASEWORK, 0, t, 0, 0);
        if (rc)
            return rc;
        sim_range r = p->casework[c->quadrant];
        rc = schedule(sim, e->c, EV_CASEWORK_DONE,
                      bdays_from(sim, day, triage__rng_int(&c->rng, r.lo, r.hi)), 900);
        return rc ? rc : service_decided(sim, e->c, day, t + 60000);
    }
    case EV_CASEWORK_DONE:
        return close_case(sim, c, TRIAGE_CLOSE_GOALS_MET, t);
    case EV_CARRIED_OUT:
        CALL(triage_case_milestone(sim->engine, &c->id, own_worker(sim, c), t,
                                   TRIAGE_MILESTONE_DECISION_CARRIED_OUT));
        return TRIAGE_OK;
    case EV_REASSESS:
        return reassess_attached(sim, e->c, t);
    }
    return TRIAGE_OK;
}

/* ---- arrivals ----------------------------------------------------------------------------- */

typedef struct {
    int32_t minute;
    uint32_t order;
    uint8_t kind, channel, phone_line;
    uint64_t case_seed;
} arrival;

static int arrival_cmp(const void *a, const void *b)
{
    const arrival *x = a, *y = b;
    if (x->minute != y->minute)
        return x->minute < y->minute ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static triage_status_t new_case_record(uint32_t *out, triage_sim_t *sim)
{
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->cases, &sim->capcases,
                                      sim->ncases + 1, sizeof *sim->cases);
    if (rc)
        return rc;
    *out = (uint32_t)sim->ncases++;
    memset(&sim->cases[*out], 0, sizeof sim->cases[*out]);
    return TRIAGE_OK;
}

/* One arrival: a client (new or returning), the intake and the first step. */
static triage_status_t arrive(triage_sim_t *sim, const arrival *a, int32_t day)
{
    const sim_params *p = &sim->p;
    sim_rng cr;
    triage__rng_seed(&cr, a->case_seed);
    /* The case's own stream fixes its demand-side facts first, in a fixed
     * order, so every policy sees the same person with the same needs. */
    int returning = sim->nclients && triage__rng_uniform(&cr) < p->repeat_client;
    size_t client_pick =
        sim->nclients ? (size_t)triage__rng_int(&cr, 0, (int32_t)sim->nclients - 1) : 0;
    triage_urgency_t tier = (triage_urgency_t)triage__rng_pick(&cr, p->urgency, 1, SIM_TIERS);
    double ul = triage__rng_uniform(&cr);
    triage_language_t lang = ul < p->lang_sv                 ? TRIAGE_LANG_SV
                             : ul < p->lang_sv + p->lang_other ? TRIAGE_LANG_OTHER
                                                             : TRIAGE_LANG_FI;
    int32_t muni = 0;
    if (sim->sc->nmunis) {
        double t = 0;
        for (size_t i = 0; i < sim->sc->nmunis; i++)
            t += sim->sc->munis[i].weight;
        double u = triage__rng_uniform(&cr) * t;
        muni = sim->sc->munis[sim->sc->nmunis - 1].code;
        for (size_t i = 0; i < sim->sc->nmunis; i++) {
            if (u < sim->sc->munis[i].weight) {
                muni = sim->sc->munis[i].code;
                break;
            }
            u -= sim->sc->munis[i].weight;
        }
    }
    int32_t age = tier == TRIAGE_URGENCY_PRIORITY ? triage__rng_int(&cr, 75, 90)
                                                  : triage__rng_int(&cr, 18, 74);
    int quadrant = triage__rng_pick(&cr, p->quadrant, 1, SIM_QUADRANTS);
    triage_scores_t scores;
    draw_scores(&scores, &cr, quadrant);
    double u_resolve = triage__rng_uniform(&cr), u_outcome = triage__rng_uniform(&cr);
    double u_motive = triage__rng_uniform(&cr), u_ia = triage__rng_uniform(&cr),
           u_line = triage__rng_uniform(&cr);

    int64_t t = at(sim, day, a->minute);
    triage_id_t client;
    if (returning) {
        client = sim->clients[client_pick];
        muni = sim->client_muni[client_pick];
    } else {
        triage_client_t cl = TRIAGE_CLIENT_INIT;
        cl.language = lang;
        cl.municipality = muni;
        cl.date_of_birth = sim->start + day - (triage_date_t)(age * 365 + 180);
        CALL(triage_client_create(&client, sim->engine, &cl));
        triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->clients, &sim->capclients,
                                          sim->nclients + 1, sizeof *sim->clients);
        if (!rc)
            rc = triage__grow(&sim->alloc, (void **)&sim->client_muni, &sim->capclient_muni,
                              sim->nclients + 1, sizeof *sim->client_muni);
        if (rc)
            return rc;
        sim->clients[sim->nclients] = client;
        sim->client_muni[sim->nclients++] = muni;
    }
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = client;
    in.kind = (triage_intake_kind_t)a->kind;
    in.channel = (triage_channel_t)a->channel;
    in.received_ms = t;
    in.service = a->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION ? TRIAGE_SERVICE_FAMILY
                                                                     : TRIAGE_SERVICE_WORKING_AGE;
    if (tier == TRIAGE_URGENCY_IMMEDIATE)
        in.triggers = TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_LIFE_OR_HEALTH_THREAT);
    else if (tier == TRIAGE_URGENCY_URGENT)
        in.triggers = a->kind == TRIAGE_INTAKE_APPLICATION
                          ? TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_URGENT_ASSISTANCE_APPLICATION)
                          : TRIAGE_TRIGGER_BIT(TRIAGE_TRIGGER_NO_FOOD_OR_MEDICINE);
    in.own_contact = a->kind == TRIAGE_INTAKE_CONTACT || tier == TRIAGE_URGENCY_PRIORITY;
    in.assistance_urgent = a->kind == TRIAGE_INTAKE_APPLICATION && tier == TRIAGE_URGENCY_URGENT;
    in.assistance_complete = 1;
    triage_intake_result_t res;
    res.version = TRIAGE_INTAKE_RESULT_VERSION;
    CALL(triage_intake(&res, sim->engine, &in));
    sim->st.intakes++;
    if (res.attached) {
        sim->st.attached++;
        int32_t own = cidx_get(sim, &res.case_id);
        return own < 0 ? TRIAGE_OK
                       : schedule(sim, (uint32_t)own, EV_REASSESS, bdays_from(sim, day, 1), 600);
    }
    uint32_t ci;
    triage_status_t rc = new_case_record(&ci, sim);
    if (rc)
        return rc;
    sim->st.cases++;
    if ((rc = cidx_put(sim, &res.case_id, (int32_t)ci)))
        return rc;
    sim_case *c = &sim->cases[ci];
    c->id = res.case_id;
    c->rng = cr;
    c->scores = scores;
    c->urgency = (uint8_t)res.urgency.tier;
    c->stage = TRIAGE_STAGE_RECEIVED;
    c->lang = (uint8_t)lang;
    c->worker = -1;
    c->first_fail = -1;
    c->arrival_day = day;
    c->arrival_min = a->minute;
    c->muni = muni;
    c->kind = a->kind;
    c->weight = 1.0;
    c->u_resolve = u_resolve;
    c->u_outcome = u_outcome;
    c->u_motive = u_motive;
    c->u_ia = u_ia;
    c->u_line = u_line;
    (void)quadrant;
    if (c->urgency == TRIAGE_URGENCY_IMMEDIATE) {
        /* urgent duty: straight to the duty pair, distributed at once */
        if ((rc = to_distribution(sim, ci, t + 5 * 60000)))
            return rc;
        int done;
        sim->npool--; /* handled now, not in the daily batch, unless nobody has room */
        if ((rc = distribute_one(&done, sim, ci, day, a->minute + 10)))
            return rc;
        if (!done)
            sim->pool[sim->npool++] = ci;
        return TRIAGE_OK;
    }
    if ((rc = move(sim, c, TRIAGE_STAGE_GUIDANCE, 0, t + 60000, 0, 0)))
        return rc;
    if (a->phone_line) {
        /* answered live on the advice line */
        sim->st.phone_calls++;
        CALL(triage_case_contact_attempt(sim->engine, &c->id, NULL, t + 120000, 1));
        if (c->u_line < p->line_resolved) {
            sim->st.phone_resolved++;
            return close_case(sim, c, TRIAGE_CLOSE_ADVICE_GIVEN, t + 180000);
        }
        return reached(sim, ci, day, a->minute + 3);
    }
    int32_t b = sim->bday_of_day[day];
    return queue_guidance(sim, ci, c->urgency <= TRIAGE_URGENCY_URGENT ? b : b + 1);
}

static triage_status_t arrivals(triage_sim_t *sim, int32_t day)
{
    const sim_params *p = &sim->p;
    uint32_t n[SIM_KINDS] = {0}, total = 0, calls = 0;
    for (int k = 1; k < SIM_KINDS; k++)
        total += n[k] = triage__rng_poisson(&sim->demand, p->intake[k]);
    if (p->calls_max > 0)
        calls = (uint32_t)triage__rng_int(&sim->phone, p->calls_min, p->calls_max);
    if (!total && !calls)
        return TRIAGE_OK;
    arrival *v = triage__malloc(&sim->alloc, (total + calls) * sizeof *v);
    if (!v)
        return TRIAGE_ENOMEM;
    uint32_t i = 0;
    for (int k = 1; k < SIM_KINDS; k++)
        for (uint32_t j = 0; j < n[k]; j++, i++) {
            v[i].kind = (uint8_t)k;
            v[i].channel = (uint8_t)triage__rng_pick(&sim->demand, p->channel, 1, SIM_CHANNELS);
            v[i].minute = triage__rng_int(&sim->demand, 480, 959);
            v[i].case_seed = triage__rng_next(&sim->demand);
            v[i].phone_line = 0;
            v[i].order = i;
        }
    for (uint32_t j = 0; j < calls; j++, i++) {
        v[i].kind = TRIAGE_INTAKE_CONTACT;
        v[i].channel = TRIAGE_CHANNEL_PHONE;
        v[i].minute = triage__rng_int(&sim->phone, 540, 629); /* 9:00-10:30 */
        v[i].case_seed = triage__rng_next(&sim->phone);
        v[i].phone_line = 1;
        v[i].order = i;
    }
    qsort(v, total + calls, sizeof *v, arrival_cmp);
    triage_status_t rc = TRIAGE_OK;
    for (i = 0; i < total + calls && !rc; i++) {
        rc = arrive(sim, &v[i], day);
        sim->st.sim_events++;
    }
    triage__free(&sim->alloc, v);
    return rc;
}

/* ---- guidance -------------------------------------------------------------------------------- */

static int gq_cmp(const triage_sim_t *sim, const gq_item *a, const gq_item *b)
{
    int ua = sim->cases[a->c].urgency, ub = sim->cases[b->c].urgency;
    if (ua != ub)
        return ua < ub ? -1 : 1;
    if (a->ready_bday != b->ready_bday)
        return a->ready_bday < b->ready_bday ? -1 : 1;
    return a->c < b->c ? -1 : a->c > b->c;
}

static triage_status_t guidance(triage_sim_t *sim, int32_t day, int line_ran)
{
    const sim_params *p = &sim->p;
    int32_t b = sim->bday_of_day[day];
    double fte = 0;
    for (size_t i = 0; i < sim->nw; i++)
        if ((p->guidance_roles >> sim->w[i].role & 1u) && present(sim, i, day))
            fte += sim->w[i].fte * p->staff_share;
    if (line_ran)
        fte -= p->line_staff_days;
    long cap = fte > 0 ? (long)floor(fte * p->capacity + 1e-9) : 0;
    /* the ready items, most urgent and oldest first */
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
    size_t take = nready < (size_t)cap ? nready : (size_t)cap;
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
    }
    triage__free(&sim->alloc, batch);
    return rc;
}

/* ---- absences --------------------------------------------------------------------------------- */

static void mark_absent(triage_sim_t *sim, size_t w, triage_date_t from, triage_date_t to)
{
    for (triage_date_t d = from; d <= to; d++) {
        int64_t i = (int64_t)d - sim->start;
        if (i >= 0 && i < sim->days)
            sim->w[w].absent[i] = 1;
    }
}

static triage_status_t sick_leave(triage_sim_t *sim, int32_t day)
{
    const sim_params *p = &sim->p;
    for (size_t i = 0; i < sim->nw; i++) {
        double u = triage__rng_uniform(&sim->staff);
        int32_t len = triage__rng_int(&sim->staff, p->sick_days.lo, p->sick_days.hi);
        if (!present(sim, i, day) || !(u < p->sick_rate))
            continue;
        sim->st.sick_spells++;
        int32_t b = sim->bday_of_day[day], last = day;
        for (int32_t k = 0; k < len && b + k < sim->nbdays; k++) {
            last = sim->day_of_bday[b + k];
            sim->w[i].absent[last] = 1;
        }
        triage_id_t aid;
        sim->now_ms = sim->midnight[day] + 7 * 3600000;
        CALL(triage_absence_add(&aid, sim->engine, &sim->w[i].id, sim->start + day,
                                sim->start + last, NULL));
    }
    return TRIAGE_OK;
}

/* Case index by engine id: open addressing on the id's first bytes. */
static uint64_t id_hash(const triage_id_t *id)
{
    uint64_t h;
    memcpy(&h, id->bytes, sizeof h);
    return h ^ (h >> 29);
}

static triage_status_t cidx_put(triage_sim_t *sim, const triage_id_t *id, int32_t index)
{
    if ((sim->ncases + 1) * 2 > sim->capcidx) {
        size_t cap = sim->capcidx ? sim->capcidx * 2 : 1024;
        sim_widx *t = triage__calloc(&sim->alloc, cap, sizeof *t);
        if (!t)
            return TRIAGE_ENOMEM;
        for (size_t i = 0; i < cap; i++)
            t[i].index = -1;
        for (size_t i = 0; i < sim->capcidx; i++) {
            if (sim->cidx[i].index < 0)
                continue;
            size_t h = (size_t)id_hash(&sim->cidx[i].id) & (cap - 1);
            while (t[h].index >= 0)
                h = (h + 1) & (cap - 1);
            t[h] = sim->cidx[i];
        }
        triage__free(&sim->alloc, sim->cidx);
        sim->cidx = t;
        sim->capcidx = cap;
    }
    size_t h = (size_t)id_hash(id) & (sim->capcidx - 1);
    while (sim->cidx[h].index >= 0)
        h = (h + 1) & (sim->capcidx - 1);
    sim->cidx[h] = (sim_widx){*id, index};
    return TRIAGE_OK;
}

static int32_t cidx_get(const triage_sim_t *sim, const triage_id_t *id)
{
    if (!sim->capcidx)
        return -1;
    size_t h = (size_t)id_hash(id) & (sim->capcidx - 1);
    while (sim->cidx[h].index >= 0) {
        if (!triage_id_compare(&sim->cidx[h].id, id))
            return sim->cidx[h].index;
        h = (h + 1) & (sim->capcidx - 1);
    }
    return -1;
}

/* Workers whose absence starts today hand over the cases with deadlines in
 * it (docs/domain.md §7.5: the assignment module's proposals, applied). */
static triage_status_t absence_handover(triage_sim_t *sim, int32_t day)
{
    for (size_t i = 0; i < sim->nw; i++) {
        if (!sim->w[i].absent[day] || (day > 0 && sim->w[i].absent[day - 1]))
            continue;
        int32_t last = day;
        while (last + 1 < sim->days &&
               (sim->w[i].absent[last + 1] || sim->bday_of_day[last + 1] < 0))
            last++;
        triage_assignment_t *props = NULL;
        size_t n = 0;
        int64_t t = sim->midnight[day] + 8 * 3600000;
        sim->now_ms = t;
        sim->st.engine_calls++;
        triage_status_t rc = triage_absence_proposals(&props, &n, TRIAGE_ASSIGNMENT_VERSION, sim->engine, &sim->w[i].id,
                                                      sim->start + day, sim->start + last, t);
        if (rc)
            return rc;
        size_t moved = 0;
        for (size_t k = 0; k < n; k++)
            moved += !triage_id_is_nil(&props[k].worker);
        if (moved) {
            sim->st.engine_calls++;
            rc = triage_assign_apply(sim->engine, props, n, NULL, t);
        }
        for (size_t k = 0; k < n && !rc; k++) {
            int32_t ci = cidx_get(sim, &props[k].case_id);
            int32_t to = worker_by_id(sim, &props[k].worker);
            if (ci < 0 || to < 0 || triage_id_is_nil(&props[k].worker))
                continue;
            sim_case *c = &sim->cases[ci];
            if (c->worker == (int32_t)i) {
                sim->w[i].load -= c->weight;
                sim->w[to].load += c->weight;
                if (c->stage == TRIAGE_STAGE_ASSESSMENT) {
                    sim->w[i].inprog--;
                    sim->w[to].inprog++;
                }
                c->worker = to;
            }
            sim->st.reassignments++;
        }
        triage_assignments_free(props, n);
        if (rc)
            return rc;
    }
    return TRIAGE_OK;
}

/* ---- setup and the run ----------------------------------------------------------------------- */

static triage_status_t setup_calendar(triage_sim_t *sim)
{
    const triage_calendar_t *cal = triage_engine_calendar(sim->engine);
    sim->midnight = triage__calloc(&sim->alloc, (size_t)sim->days + 1, sizeof *sim->midnight);
    sim->bday_of_day = triage__calloc(&sim->alloc, (size_t)sim->days + 1, sizeof *sim->bday_of_day);
    sim->day_of_bday = triage__calloc(&sim->alloc, (size_t)sim->days + 1, sizeof *sim->day_of_bday);
    if (!sim->midnight || !sim->bday_of_day || !sim->day_of_bday)
        return TRIAGE_ENOMEM;
    for (int32_t d = 0; d <= sim->days; d++) {
        triage_date_t date = sim->start + d;
        int found = 0;
        for (int h = 2; h <= 3 && !found; h++) {
            int64_t t = (int64_t)date * 86400000 - (int64_t)h * 3600000;
            triage_date_t ld;
            int32_t minute;
            if (triage_local_time(&ld, &minute, t) == TRIAGE_OK && ld == date && minute == 0) {
                sim->midnight[d] = t;
                found = 1;
            }
        }
        if (!found)
            return triage__error(TRIAGE_EINVAL, "days", "the period is outside the supported years");
        int bd = 0;
        if (d < sim->days) {
            triage_status_t rc = triage_calendar_is_business_day(&bd, cal, date);
            if (rc)
                return triage__error(TRIAGE_EINVAL, "days",
                                     "the period is outside the calendar's years");
        }
        sim->bday_of_day[d] = bd ? sim->nbdays : -1;
        if (bd)
            sim->day_of_bday[sim->nbdays++] = d;
    }
    return TRIAGE_OK;
}

static triage_status_t setup_distances(triage_sim_t *sim)
{
    const triage_scenario_t *sc = sim->sc;
    size_t n = sc->nmunis;
    if (!sc->ndists)
        return TRIAGE_OK;
    int32_t *codes = triage__calloc(&sim->alloc, n, sizeof *codes);
    double *m = triage__calloc(&sim->alloc, n * n, sizeof *m);
    triage_status_t rc = TRIAGE_ENOMEM;
    if (codes && m) {
        for (size_t i = 0; i < n; i++)
            codes[i] = sc->munis[i].code;
        for (size_t k = 0; k < sc->ndists; k++) {
            size_t a = 0, b = 0;
            for (size_t i = 0; i < n; i++) {
                if (codes[i] == sc->dists[k].a)
                    a = i;
                if (codes[i] == sc->dists[k].b)
                    b = i;
            }
            m[a * n + b] = m[b * n + a] = sc->dists[k].km;
        }
        rc = triage_engine_set_distances(sim->engine, codes, m, n);
    }
    triage__free(&sim->alloc, codes);
    triage__free(&sim->alloc, m);
    return rc;
}

static triage_status_t setup_workers(triage_sim_t *sim)
{
    const triage_scenario_t *sc = sim->sc;
    sim->nw = triage__scenario_headcount(sc);
    sim->w = triage__calloc(&sim->alloc, sim->nw, sizeof *sim->w);
    if (!sim->w)
        return TRIAGE_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < sc->nworkers; i++) {
        const sim_worker_spec *s = &sc->workers[i];
        for (int32_t j = 0; j < s->count; j++, k++) {
            sim_worker_rt *w = &sim->w[k];
            if (s->count > 1)
                snprintf(w->label, sizeof w->label, "%s-%d", s->label, (int)(j + 1));
            else
                snprintf(w->label, sizeof w->label, "%s", s->label);
            w->role = s->role;
            w->fte = s->fte;
            w->office = s->office;
            w->langs = s->languages;
            w->nserves = s->nserves;
            memcpy(w->serves, s->serves, sizeof w->serves);
            double share = (sim->p.guidance_roles >> s->role & 1u) ? 1 - sim->p.staff_share : 1;
            w->slots = sim->p.assessment_slots * s->fte * share;
            w->absent = triage__calloc(&sim->alloc, (size_t)sim->days + 1, 1);
            if (!w->absent)
                return TRIAGE_ENOMEM;
            triage_worker_t rec = TRIAGE_WORKER_INIT;
            rec.role = s->role;
            rec.fte = s->fte;
            rec.languages = s->languages;
            rec.office = s->office;
            rec.team = s->team;
            rec.served_count = s->nserves;
            rec.served = s->serves;
            sim->now_ms = sim->midnight[0];
            CALL(triage_worker_create(&w->id, sim->engine, &rec));
        }
    }
    sim->widx = triage__calloc(&sim->alloc, sim->nw ? sim->nw : 1, sizeof *sim->widx);
    if (!sim->widx)
        return TRIAGE_ENOMEM;
    for (size_t i = 0; i < sim->nw; i++)
        sim->widx[i] = (sim_widx){sim->w[i].id, (int32_t)i};
    qsort(sim->widx, sim->nw, sizeof *sim->widx, id_cmp_idx);
    for (size_t i = 0; i < sc->nabsences; i++) {
        size_t first, n;
        if (!triage__scenario_label_range(sc, sc->absences[i].label, &first, &n))
            return triage__error(TRIAGE_EINVAL, "worker", "no worker with that label");
        for (size_t j = first; j < first + n; j++) {
            triage_id_t aid;
            mark_absent(sim, j, sc->absences[i].start, sc->absences[i].end);
            CALL(triage_absence_add(&aid, sim->engine, &sim->w[j].id, sc->absences[i].start,
                                    sc->absences[i].end, NULL));
        }
    }
    return TRIAGE_OK;
}

static triage_status_t simulate(triage_sim_t *sim, const triage_sim_options_t *o)
{
    triage_status_t rc;
    if ((rc = setup_calendar(sim)) || (rc = setup_distances(sim)) || (rc = setup_workers(sim)))
        return rc;
    uint64_t x = sim->seed;
    uint64_t seeds[3];
    for (int i = 0; i < 3; i++)
        seeds[i] = triage__splitmix64(&x);
    triage__rng_seed(&sim->demand, seeds[0]);
    triage__rng_seed(&sim->phone, seeds[1]);
    triage__rng_seed(&sim->staff, seeds[2]);
    for (int32_t day = 0; day < sim->days; day++) {
        if (sim->bday_of_day[day] >= 0) {
            sim->st.business_days++;
            if ((rc = sick_leave(sim, day)) || (rc = absence_handover(sim, day)))
                return rc;
            for (size_t i = 0; i < sim->nw; i++)
                sim->st.absence_days += sim->w[i].absent[day];
            int line_ran = sim->p.calls_max > 0;
            if ((rc = arrivals(sim, day)))
                return rc;
            while (sim->nheap && sim->heap[0].day <= day) {
                sim_event e = heap_pop(sim);
                if ((rc = on_event(sim, &e)))
                    return rc;
                sim->st.sim_events++;
            }
            if ((rc = guidance(sim, day, line_ran)) || (rc = distribution(sim, day, 900)))
                return rc;
        }
        if (o->progress && o->progress(o->progress_userdata, day + 1, sim->days))
            return triage__error(TRIAGE_EUSER, "progress", "the progress callback stopped the run");
    }
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_sim_options_init(triage_sim_options_t *opts, uint32_t version)
{
    if (!opts)
        return triage__error_null("opts");
    if (version == 0 || version > TRIAGE_SIM_OPTIONS_VERSION)
        return triage__error(TRIAGE_EVERSION, "version", "unknown options version");
    triage_sim_options_t d = TRIAGE_SIM_OPTIONS_INIT;
    *opts = d;
    return TRIAGE_OK;
}

TRIAGE_API void triage_sim_free(triage_sim_t *sim)
{
    if (!sim)
        return;
    triage_allocator_t a = sim->alloc;
    triage_report_free(sim->report);
    triage_engine_free(sim->engine);
    triage_scenario_free(sim->sc);
    if (sim->w)
        for (size_t i = 0; i < sim->nw; i++)
            triage__free(&a, sim->w[i].absent);
    triage__free(&a, sim->w);
    triage__free(&a, sim->widx);
    triage__free(&a, sim->cidx);
    triage__free(&a, sim->midnight);
    triage__free(&a, sim->bday_of_day);
    triage__free(&a, sim->day_of_bday);
    triage__free(&a, sim->clients);
    triage__free(&a, sim->client_muni);
    triage__free(&a, sim->cases);
    triage__free(&a, sim->heap);
    triage__free(&a, sim->gq);
    triage__free(&a, sim->pool);
    triage__free(&a, sim);
}

TRIAGE_API triage_status_t triage_sim_run(triage_sim_t **out, const triage_scenario_t *scenario,
                                          const triage_sim_options_t *opts)
{
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    if (!out)
        return triage__error_null("out");
    if (!scenario)
        return triage__error_null("scenario");
    if (opts) {
        if (opts->version == 0 || opts->version > TRIAGE_SIM_OPTIONS_VERSION)
            return triage__error(TRIAGE_EVERSION, "opts", "unknown options version");
        o = *opts;
    }
    if (o.days < 0 || o.days > SIM_MAX_DAYS)
        return triage__error(TRIAGE_EINVAL, "days", "days must be 1-3660");
    triage_status_t rc = triage__allocator_check(&o.allocator, "allocator");
    if (rc)
        return rc;
    if ((rc = triage_scenario_validate(scenario)))
        return rc;
    triage_allocator_t a = o.allocator.malloc ? o.allocator : scenario->alloc;
    triage_sim_t *sim = triage__calloc(&a, 1, sizeof *sim);
    if (!sim)
        return TRIAGE_ENOMEM;
    sim->alloc = a;
    sim->seed = o.seed;
    sim->id_state = o.seed ^ UINT64_C(0x6a09e667f3bcc909); /* its own stream */
    sim->days = o.days ? o.days : scenario->p.days;
    sim->start = scenario->p.start;
    sim->p = scenario->p;
    sim->st.days = sim->days;
    if ((rc = triage_scenario_copy(&sim->sc, scenario))) {
        triage_sim_free(sim);
        return rc;
    }
    triage_classify_policy_t *cp = NULL;
    if ((rc = triage_classify_policy_new(&cp, &a)) ||
        (rc = triage_classify_policy_set_special_support_responsible(
             cp, (triage_special_support_responsible_t)sim->p.special_support_responsible))) {
        triage_classify_policy_free(cp);
        triage_sim_free(sim);
        return rc;
    }
    triage_engine_options_t eo = TRIAGE_ENGINE_OPTIONS_INIT;
    eo.allocator = a;
    eo.classify = cp;
    eo.unreachable_attempts = sim->p.unreachable_attempts;
    eo.unreachable_min_days = sim->p.unreachable_min_days;
    eo.clock = sim_clock;
    eo.clock_userdata = sim;
    eo.generate_id = sim_id;
    eo.id_userdata = sim;
    if (o.store)
        rc = triage_engine_open(&sim->engine, &eo, o.store);
    else {
        triage_store_t mem;
        rc = triage_store_memory(&mem, &a);
        if (!rc)
            rc = triage_engine_open(&sim->engine, &eo, &mem);
    }
    triage_classify_policy_free(cp);
    if (rc) {
        triage_sim_free(sim);
        return rc;
    }
    triage_id_t *ids = NULL;
    size_t n = 0;
    if ((rc = triage_worker_list(&ids, &n, sim->engine))) {
        triage_sim_free(sim);
        return rc;
    }
    triage_free(ids);
    if (n) {
        triage_sim_free(sim);
        return triage__error(TRIAGE_ECONFLICT, "store", "the store already holds data");
    }
    rc = simulate(sim, &o);
    if (!rc) {
        sim->st.from_ms = sim->midnight[0];
        sim->st.to_ms = sim->midnight[sim->days];
        rc = triage_report_new(&sim->report, sim->engine, sim->st.from_ms, sim->st.to_ms);
    }
    if (rc) {
        triage_status_t keep = rc;
        triage_sim_free(sim);
        return keep;
    }
    for (size_t i = 0; i < sim->ncases; i++) {
        uint8_t s = sim->cases[i].stage;
        if (s == TRIAGE_STAGE_CLOSED)
            sim->st.closed++;
        else {
            sim->st.open++;
            sim->st.open_by_stage[s]++;
        }
    }
    *out = sim;
    return TRIAGE_OK;
}

TRIAGE_API triage_engine_t *triage_sim_engine(triage_sim_t *sim)
{
    return sim ? sim->engine : NULL;
}

TRIAGE_API const triage_report_t *triage_sim_report(const triage_sim_t *sim)
{
    return sim ? sim->report : NULL;
}

TRIAGE_API triage_status_t triage_sim_stats(triage_sim_stats_t *out, const triage_sim_t *sim)
{
    if (!out)
        return triage__error_null("out");
    if (!sim)
        return triage__error_null("sim");
    *out = sim->st;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_sim_worker(triage_id_t *id, const char **label,
                                             const triage_sim_t *sim, size_t index)
{
    if (!sim)
        return triage__error_null("sim");
    if (index >= sim->nw)
        return triage__error(TRIAGE_ERANGE, "index", "no worker with that index");
    if (id)
        *id = sim->w[index].id;
    if (label)
        *label = sim->w[index].label;
    return TRIAGE_OK;
}
