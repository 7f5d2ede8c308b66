/*
 * The simulation's arrivals (docs/simulation.md, "The model" and "Common
 * random numbers"): each day's intakes and phone-line calls, the facts
 * drawn about each person, the client and the intake recorded in the engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

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

/* The intake stream's hash (triage_sim_stats_t.intake_hash): FNV-1a over
 * the arrival's date, minute, kind, channel and client number, each as
 * little-endian bytes, so equal streams give equal hashes on any platform. */
static void hash_arrival(triage_sim_t *sim, int32_t day, const arrival *a, uint32_t client)
{
    uint8_t b[12];
    uint32_t date = (uint32_t)(sim->start + day);
    for (int i = 0; i < 4; i++) {
        b[i] = (uint8_t)(date >> (8 * i));
        b[8 + i] = (uint8_t)(client >> (8 * i));
    }
    b[4] = (uint8_t)a->minute;
    b[5] = (uint8_t)(a->minute >> 8);
    b[6] = a->kind;
    b[7] = a->channel;
    uint64_t h = sim->st.intake_hash;
    for (size_t i = 0; i < sizeof b; i++)
        h = (h ^ b[i]) * SIM_FNV_PRIME;
    sim->st.intake_hash = h;
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

    int64_t t = triage__sim_at(sim, day, a->minute);
    hash_arrival(sim, day, a, returning ? (uint32_t)client_pick : (uint32_t)sim->nclients);
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
    CALL(triage_intake(&res, sim->engine, &in));
    sim->st.intakes++;
    if (res.attached) {
        sim->st.attached++;
        return TRIAGE_OK;
    }
    uint32_t ci;
    triage_status_t rc = new_case_record(&ci, sim);
    if (rc)
        return rc;
    sim->st.cases++;
    if ((rc = triage__sim_cidx_put(sim, &res.case_id, (int32_t)ci)))
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
        if ((rc = triage__sim_to_distribution(sim, ci, t + 5 * 60000)))
            return rc;
        int done;
        sim->npool--; /* handled now, not in the daily batch, unless nobody has room */
        if ((rc = triage__sim_distribute_one(&done, sim, ci, day, a->minute + 10)))
            return rc;
        if (!done)
            sim->pool[sim->npool++] = ci;
        return TRIAGE_OK;
    }
    if ((rc = triage__sim_move(sim, c, TRIAGE_STAGE_GUIDANCE, 0, t + 60000, 0, 0)))
        return rc;
    if (a->phone_line) {
        /* answered live on the advice line */
        sim->st.phone_calls++;
        CALL(triage_case_contact_attempt(sim->engine, &c->id, NULL, t + 120000, 1));
        if (c->u_line < p->line_resolved) {
            sim->st.phone_resolved++;
            return triage__sim_close_case(sim, c, TRIAGE_CLOSE_ADVICE_GIVEN, t + 180000);
        }
        return triage__sim_reached(sim, ci, day, a->minute + 3);
    }
    int32_t b = sim->bday_of_day[day];
    return triage__sim_queue_guidance(sim, ci, c->urgency <= TRIAGE_URGENCY_URGENT ? b : b + 1);
}

triage_status_t triage__sim_arrivals(triage_sim_t *sim, int32_t day)
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

