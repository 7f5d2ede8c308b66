/*
 * The simulation's arrivals (docs/simulation.md, "The model" and "Common
 * random numbers"): each day's intakes and phone-line calls, the facts
 * drawn about each person, the client and the intake recorded in the engine.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

/* ---- scores that land in a quadrant -----------------------------------------------
 * High need: one area at 3, or three areas at 2; low need: at most two areas at
 * 2 and none at 3. Weak capacity: a cause at 2-3, or barriers summing to 4-6
 * with the causes at most 1; good capacity: causes at most 1, sum at most 3.
 * (docs/domain.md §6 defaults.) */
static void draw_scores(triage_scores_t *s, sim_rng *r, int quadrant, const double *needs)
{
    memset(s, 0, sizeof *s);
    int high = quadrant == TRIAGE_Q2_SOCIAL_GUIDANCE_WORK || quadrant == TRIAGE_Q4_SPECIAL_SUPPORT;
    int weak = quadrant == TRIAGE_Q3_SUPPORTED_GUIDANCE || quadrant == TRIAGE_Q4_SPECIAL_SUPPORT;
    for (int i = 0; i < TRIAGE_NEED_COUNT; i++)
        s->need[i] = triage__rng_uniform(r) < 0.3 ? 1 : 0;
    /* the area of the main need: [needs] weights; equal weights keep the
     * draw of a plain uniform index */
    int equal = 1;
    for (int i = 1; i < TRIAGE_NEED_COUNT; i++)
        equal &= needs[i] == needs[0];
    int a = equal ? triage__rng_int(r, 0, TRIAGE_NEED_COUNT - 1)
                  : triage__rng_pick(r, needs, 0, TRIAGE_NEED_COUNT);
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
    uint8_t kind, channel, source; /* SRC_* */
    uint8_t after_hours;           /* 1: out of office hours */
    int32_t muni;                  /* > 0: the client's municipality (a Kela point's, a pop-up's) */
    int32_t client;                /* >= 0: this client (return visits, referrals back) */
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
    if (sim->nfree) {
        /* the slot of a released closed case (sim_flow.c, "case slots") */
        *out = sim->freeslots[--sim->nfree];
    } else {
        triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->cases, &sim->capcases,
                                          sim->ncases + 1, sizeof *sim->cases);
        if (rc)
            return rc;
        *out = (uint32_t)sim->ncases++;
    }
    memset(&sim->cases[*out], 0, sizeof sim->cases[*out]);
    sim->cases[*out].order = sim->ncreated++;
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

static int in_period(triage_date_t d, triage_date_t from, triage_date_t until)
{
    return (from == TRIAGE_DATE_NONE || d >= from) && (until == TRIAGE_DATE_NONE || d <= until);
}

/* The quadrant weights for a client of `muni` arriving on `date`: the first
 * [segment] that matches (Lapland's segmentation), else [quadrants]. */
static const double *quadrant_weights(const triage_sim_t *sim, int32_t muni, triage_date_t date)
{
    const triage_scenario_t *sc = sim->sc;
    for (size_t i = 0; i < sc->nsegments; i++) {
        const sim_segment_spec *g = &sc->segments[i];
        if ((!g->muni || g->muni == muni) && in_period(date, g->from, g->until))
            return g->quadrant;
    }
    return sim->p.quadrant;
}

/* The language of a new client of `muni` from the uniform u: the
 * municipality's shares when it has them (East Uusimaa's bilingual
 * municipalities), else [intake]'s. */
static triage_language_t language_of(const triage_sim_t *sim, int32_t muni, double u)
{
    double sv = sim->p.lang_sv, other = sim->p.lang_other;
    for (size_t i = 0; i < sim->sc->nmunis; i++)
        if (sim->sc->munis[i].code == muni && sim->sc->munis[i].lang_sv >= 0) {
            sv = sim->sc->munis[i].lang_sv;
            other = sim->sc->munis[i].lang_other;
        }
    return u < sv ? TRIAGE_LANG_SV : u < sv + other ? TRIAGE_LANG_OTHER : TRIAGE_LANG_FI;
}

/* ---- clients -------------------------------------------------------------------------
 * A returning intake (repeat_client) is drawn uniformly from the pool: the
 * clients whose last arrival of the demand (not a return visit or referral
 * back) was in the last repeat_window days, in the order they joined it. While nobody has left it (runs of at most
 * repeat_window days) that is every client seen so far in the order first
 * seen, the slots being the order itself. A client out of the pool that no
 * open case or scheduled return names never comes back; it is released at
 * the end of the day (sim_flow.c, "client slots"). */

/* Takes out of the pool the clients whose last arrival is repeat_window
 * days old or more (stable: the others keep their order). */
static triage_status_t leave_pool(triage_sim_t *sim, int32_t day)
{
    int32_t w = sim->p.repeat_window;
    if (day < w)
        return TRIAGE_OK; /* nobody can have left yet */
    size_t keep = 0;
    triage_status_t rc = TRIAGE_OK;
    for (size_t i = 0; i < sim->ncpool; i++) {
        uint32_t k = sim->cpool[i];
        sim_client *cl = &sim->clients[k];
        if (rc || day - cl->last_day < w) {
            sim->cpool[keep++] = k;
            continue;
        }
        if ((rc = triage__sim_client_left(sim, k)))
            sim->cpool[keep++] = k; /* stays: nothing is lost on ENOMEM */
    }
    sim->ncpool = keep;
    return rc;
}

/* A client arrives today (an arrival of the demand): back in the pool if
 * it had left it. */
static triage_status_t client_arrives(triage_sim_t *sim, uint32_t client, int32_t day)
{
    sim_client *cl = &sim->clients[client];
    cl->last_day = day;
    if (cl->pooled)
        return TRIAGE_OK;
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->cpool, &sim->capcpool,
                                      sim->ncpool + 1, sizeof *sim->cpool);
    if (rc)
        return rc;
    sim->cpool[sim->ncpool++] = client;
    cl->pooled = 1;
    return TRIAGE_OK;
}

/* A new client's slot: a released one first. */
static triage_status_t new_client_slot(uint32_t *out, triage_sim_t *sim)
{
    if (sim->ncfree) {
        *out = sim->cfree[--sim->ncfree];
    } else {
        if (sim->nclients >= UINT32_MAX)
            return triage__error(TRIAGE_ENOMEM, NULL, "too many clients");
        triage_status_t rc = triage__grow(&sim->alloc, (void **)&sim->clients, &sim->capclients,
                                          sim->nclients + 1, sizeof *sim->clients);
        if (rc)
            return rc;
        *out = (uint32_t)sim->nclients++;
    }
    memset(&sim->clients[*out], 0, sizeof sim->clients[*out]);
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
    int returning = sim->ncpool && triage__rng_uniform(&cr) < p->repeat_client;
    uint32_t client_pick =
        sim->ncpool ? sim->cpool[triage__rng_int(&cr, 0, (int32_t)sim->ncpool - 1)] : 0;
    if (a->client >= 0) { /* a known client comes back */
        returning = 1;
        client_pick = (uint32_t)a->client;
    }
    triage_urgency_t tier = (triage_urgency_t)triage__rng_pick(&cr, p->urgency, 1, SIM_TIERS);
    double ul = triage__rng_uniform(&cr);
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
    if (a->muni > 0)
        muni = a->muni;
    if (returning)
        muni = sim->clients[client_pick].muni;
    triage_language_t lang =
        returning ? (triage_language_t)sim->clients[client_pick].lang : language_of(sim, muni, ul);
    int32_t age = tier == TRIAGE_URGENCY_PRIORITY ? triage__rng_int(&cr, 75, 90)
                                                  : triage__rng_int(&cr, 18, 74);
    int quadrant =
        triage__rng_pick(&cr, quadrant_weights(sim, muni, sim->start + day), 1, SIM_QUADRANTS);
    triage_scores_t scores;
    draw_scores(&scores, &cr, quadrant, p->needs);
    double u_resolve = triage__rng_uniform(&cr), u_outcome = triage__rng_uniform(&cr);
    double u_motive = triage__rng_uniform(&cr), u_ia = triage__rng_uniform(&cr),
           u_line = triage__rng_uniform(&cr);

    int64_t t = triage__sim_at(sim, day, a->minute);
    uint32_t client_no = returning ? sim->clients[client_pick].serial : sim->nserial;
    if (a->source != SRC_RETURN && a->source != SRC_BACK)
        hash_arrival(sim, day, a, client_no);
    triage_status_t rc;
    if (!returning) {
        triage_client_t cl = TRIAGE_CLIENT_INIT;
        cl.language = lang;
        cl.municipality = muni;
        cl.date_of_birth = sim->start + day - (triage_date_t)(age * 365 + 180);
        triage_id_t id;
        CALL(triage_client_create(&id, sim->engine, &cl));
        if ((rc = new_client_slot(&client_pick, sim)))
            return rc;
        sim_client *k = &sim->clients[client_pick];
        k->id = id;
        k->serial = sim->nserial++;
        k->muni = muni;
        k->lang = (uint8_t)lang;
    }
    /* the pool follows the demand only: a return visit or a referral back,
     * which the policy causes, keeps no client in it, so two policies run
     * from the same seed draw their returning clients from the same pool */
    if (a->source != SRC_RETURN && a->source != SRC_BACK &&
        (rc = client_arrives(sim, client_pick, day)))
        return rc;
    if (a->client >= 0 && (rc = triage__sim_client_unref(sim, client_pick)))
        return rc; /* the scheduled return has arrived */
    triage_id_t client = sim->clients[client_pick].id;
    triage_intake_t in = TRIAGE_INTAKE_INIT;
    in.client = client;
    in.kind = (triage_intake_kind_t)a->kind;
    in.channel = (triage_channel_t)a->channel;
    in.received_ms = t;
    in.service = a->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION
                     ? TRIAGE_SERVICE_FAMILY
                     : (triage_service_area_t)p->service;
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
    if (res.emergency_services)
        sim->st.emergency_services++;
    if (res.attached) {
        sim->st.attached++;
        return triage__sim_attached(sim, &res.case_id, day);
    }
    uint32_t ci;
    if ((rc = new_case_record(&ci, sim)))
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
    c->need = (uint8_t)quadrant;
    c->channel = a->channel;
    c->client = client_pick;
    triage__sim_client_ref(sim, client_pick);
    c->after_hours = a->after_hours;
    c->duty = a->kind == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION && p->duty_child_welfare;
    int32_t b = sim->bday_of_day[day];
    if (c->urgency == TRIAGE_URGENCY_IMMEDIATE) {
        /* urgent duty: straight to the duty pair, distributed at once; out of
         * office hours the emergency social services have it (the engine's
         * flag) and the duty pair takes it first thing the next business day */
        if ((rc = triage__sim_to_distribution(sim, ci, t + 5 * 60000)))
            return rc;
        if (a->after_hours)
            return TRIAGE_OK;
        int done;
        sim->npool--; /* handled now, not in the daily batch, unless nobody has room */
        if ((rc = triage__sim_distribute_one(&done, sim, ci, day, a->minute + 10)))
            return rc;
        if (!done)
            sim->pool[sim->npool++] = ci;
        else
            rc = triage__sim_unref(sim, ci);
        return rc;
    }
    if ((rc = triage__sim_move(sim, c, TRIAGE_STAGE_GUIDANCE, 0, t + 60000, 0, 0)))
        return rc;
    if (a->source == SRC_LINE) {
        if (!p->line_cap || sim->line_answered < p->line_cap) {
            /* answered live on the advice line */
            sim->line_answered++;
            sim->st.phone_calls++;
            CALL(triage_case_contact_attempt(sim->engine, &c->id, NULL, t + 120000, 1));
            if (c->u_line < p->line_resolved) {
                sim->st.phone_resolved++;
                return triage__sim_close_case(sim, c, TRIAGE_CLOSE_ADVICE_GIVEN, t + 180000);
            }
            return triage__sim_reached(sim, ci, day, a->minute + 3);
        }
        sim->st.phone_overflow++; /* over the day's cap: an ordinary phone contact */
    }
    int same_day = !a->after_hours && (c->urgency <= TRIAGE_URGENCY_URGENT || c->duty);
    return triage__sim_queue_guidance(sim, ci, same_day ? b : b + 1);
}

/* An arrival of the day, appended to v (grown as needed). */
typedef struct {
    arrival *v;
    size_t n, cap;
} arrivals_t;

static triage_status_t add(triage_sim_t *sim, arrivals_t *l, arrival a)
{
    triage_status_t rc = triage__grow(&sim->alloc, (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    if (rc)
        return rc;
    a.order = (uint32_t)l->n;
    l->v[l->n++] = a;
    return TRIAGE_OK;
}

static arrival make(uint8_t kind, uint8_t channel, uint8_t source, int32_t minute, uint64_t seed)
{
    arrival a;
    memset(&a, 0, sizeof a);
    a.kind = kind;
    a.channel = channel;
    a.source = source;
    a.minute = minute;
    a.case_seed = seed;
    a.client = -1;
    return a;
}

/* 1 when a present worker has one of the roles. */
static int someone_present(const triage_sim_t *sim, uint32_t roles, int32_t day)
{
    for (size_t i = 0; i < sim->nw; i++)
        if ((roles >> sim->w[i].role & 1u) && triage__sim_present(sim, i, day))
            return 1;
    return 0;
}

/* The phone advice line, its hours and cap (KuusOTSO). The day's calls are
 * drawn on every business day, so that two scenarios whose lines run on
 * different days still share the callers of the days both run. */
static triage_status_t phone_line(triage_sim_t *sim, arrivals_t *l, int32_t day, int weekday)
{
    const sim_params *p = &sim->p;
    if (p->calls_max <= 0)
        return TRIAGE_OK;
    uint32_t calls = (uint32_t)triage__rng_int(&sim->phone, p->calls_min, p->calls_max);
    triage_date_t date = sim->start + day;
    int runs = (p->line_weekdays >> weekday & 1u) && in_period(date, p->line_from, p->line_until) &&
               someone_present(sim, p->line_roles, day);
    if (runs) {
        sim->line_day = 1;
        sim->st.phone_line_days++;
        sim->st.phone_line_minutes += (uint32_t)lround(p->line_staff_days * SIM_DAY_MINUTES);
        if (p->line_roles & p->guidance_roles)
            sim->guidance_off += p->line_staff_days;
    }
    for (uint32_t j = 0; j < calls; j++) {
        int32_t minute = triage__rng_int(&sim->phone, p->line_hours.lo, p->line_hours.hi - 1);
        uint64_t seed = triage__rng_next(&sim->phone);
        if (!runs)
            continue;
        triage_status_t rc =
            add(sim, l, make(TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_PHONE, SRC_LINE, minute, seed));
        if (rc)
            return rc;
    }
    return TRIAGE_OK;
}

/* Kela service points on their staffed weekdays: the Kela channel's intakes. */
static triage_status_t kela_points(triage_sim_t *sim, arrivals_t *l, int32_t day, int weekday)
{
    const triage_scenario_t *sc = sim->sc;
    triage_date_t date = sim->start + day;
    for (size_t i = 0; i < sc->nkelas; i++) {
        const sim_kela_spec *k = &sc->kelas[i];
        if (!(k->weekdays >> weekday & 1u) || !in_period(date, k->from, k->until))
            continue;
        sim->st.kela_point_days++;
        uint32_t n = triage__rng_poisson(&sim->kela, k->intakes);
        for (uint32_t j = 0; j < n; j++) {
            arrival a = make((uint8_t)k->kind, TRIAGE_CHANNEL_KELA, SRC_KELA,
                             triage__rng_int(&sim->kela, k->hours.lo, k->hours.hi - 1),
                             triage__rng_next(&sim->kela));
            a.muni = k->muni;
            triage_status_t rc = add(sim, l, a);
            if (rc)
                return rc;
        }
    }
    return TRIAGE_OK;
}

/* Pop-up outreach days: their staff time and the clients they reach. */
static triage_status_t outreach_days(triage_sim_t *sim, arrivals_t *l, int32_t day)
{
    const triage_scenario_t *sc = sim->sc;
    triage_date_t date = sim->start + day;
    for (size_t i = 0; i < sc->noutreach; i++) {
        const sim_outreach_spec *o = &sc->outreach[i];
        if (o->date != date)
            continue;
        sim->st.outreach_days++;
        sim->st.outreach_minutes += (uint32_t)lround(o->staff_days * SIM_DAY_MINUTES);
        if (o->roles & sim->p.guidance_roles)
            sim->guidance_off += o->staff_days;
        uint32_t n = triage__rng_poisson(&sim->outreach, o->reach);
        for (uint32_t j = 0; j < n; j++) {
            arrival a = make(TRIAGE_INTAKE_CONTACT, TRIAGE_CHANNEL_OUTREACH, SRC_OUTREACH,
                             triage__rng_int(&sim->outreach, o->hours.lo, o->hours.hi - 1),
                             triage__rng_next(&sim->outreach));
            a.muni = o->muni;
            triage_status_t rc = add(sim, l, a);
            if (rc)
                return rc;
            sim->st.outreach_contacts++;
        }
    }
    return TRIAGE_OK;
}

/* Clients coming back to guidance today (return visits, referrals back). */
static triage_status_t returns_due(triage_sim_t *sim, arrivals_t *l, int32_t day)
{
    int32_t b = sim->bday_of_day[day];
    size_t keep = 0;
    for (size_t i = 0; i < sim->nreturns; i++) {
        sim_return r = sim->returns[i];
        if (r.bday != b) {
            sim->returns[keep++] = r;
            continue;
        }
        arrival a = make(TRIAGE_INTAKE_CONTACT, r.channel, r.source, r.minute, r.case_seed);
        a.client = (int32_t)r.client;
        triage_status_t rc = add(sim, l, a);
        if (rc)
            return rc;
    }
    sim->nreturns = keep;
    return TRIAGE_OK;
}

triage_status_t triage__sim_arrivals(triage_sim_t *sim, int32_t day)
{
    const sim_params *p = &sim->p;
    arrivals_t l = {NULL, 0, 0};
    sim->line_answered = 0;
    sim->line_day = 0;
    sim->guidance_off = 0;
    triage_weekday_t wd = TRIAGE_MONDAY;
    triage_date_weekday(&wd, sim->start + day);
    triage_status_t rc = leave_pool(sim, day);
    for (int k = 1; k < SIM_KINDS && !rc; k++) {
        uint32_t n = triage__rng_poisson(&sim->demand, p->intake[k]);
        for (uint32_t j = 0; j < n && !rc; j++) {
            uint8_t channel = (uint8_t)triage__rng_pick(&sim->demand, p->channel, 1, SIM_CHANNELS);
            int32_t minute = triage__rng_int(&sim->demand, 480, 959);
            uint64_t seed = triage__rng_next(&sim->demand);
            arrival a = make((uint8_t)k, channel, SRC_DEMAND, minute, seed);
            if (k == TRIAGE_INTAKE_CHILD_WELFARE_NOTIFICATION &&
                triage__rng_uniform(&sim->demand) < p->after_hours) {
                /* police and other authorities notify at any hour */
                a.minute = triage__rng_int(&sim->demand, 960, 1439);
                a.after_hours = 1;
                sim->st.after_hours++;
            }
            rc = add(sim, &l, a);
        }
    }
    if (!rc)
        rc = phone_line(sim, &l, day, (int)wd);
    if (!rc)
        rc = kela_points(sim, &l, day, (int)wd);
    if (!rc)
        rc = outreach_days(sim, &l, day);
    if (!rc)
        rc = returns_due(sim, &l, day);
    if (!rc && l.n) {
        qsort(l.v, l.n, sizeof *l.v, arrival_cmp);
        for (size_t i = 0; i < l.n && !rc; i++) {
            if (l.v[i].source == SRC_KELA)
                sim->st.kela_intakes++;
            if (l.v[i].source == SRC_RETURN)
                sim->st.return_visits++;
            rc = arrive(sim, &l.v[i], day);
            sim->st.sim_events++;
        }
    }
    triage__free(&sim->alloc, l.v);
    return rc;
}
