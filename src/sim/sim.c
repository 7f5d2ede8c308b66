/*
 * Scenario simulation (docs/domain.md §10). A day-stepped discrete-event model
 * that drives the real engine: every intake, contact attempt, motivation
 * check, classification, assignment and stage move is an engine call, so the
 * engine's rules, the deadline rows and the audit trail are exercised as in
 * production, and the §9 report is computed from the engine's events.
 *
 * The model, its assumptions and the generator are described in
 * docs/simulation.md; keep the two in step. This file holds the run and the
 * public calls; the case flow is in sim_flow.c, arrivals in sim_arrivals.c,
 * setup and absences in sim_setup.c, the generator in rng.c and the output
 * of a run in sim_output.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"
#include "store/store_memory.h"

/* ---- the engine's clock and ids, the run ------------------------------------------ */

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

/* The counters that add up over the days: the warm-up's share is taken off
 * at the end (sim_events and engine_calls stay whole-run costs; closed, open
 * and open_by_stage are counted from the cases). */
static void subtract_warmup(triage_sim_stats_t *st, const triage_sim_stats_t *w)
{
#define SUB(f) st->f -= w->f
    SUB(business_days);
    SUB(intakes);
    SUB(cases);
    SUB(attached);
    SUB(phone_calls);
    SUB(phone_resolved);
    SUB(noshows);
    SUB(motivation_checks);
    SUB(sick_spells);
    SUB(absence_days);
    SUB(reassignments);
    SUB(unassigned_days);
    SUB(phone_overflow);
    SUB(phone_line_days);
    SUB(phone_line_minutes);
    SUB(kela_point_days);
    SUB(kela_intakes);
    SUB(outreach_days);
    SUB(outreach_contacts);
    SUB(outreach_minutes);
    SUB(ia_advice);
    SUB(ia_referred);
    SUB(ia_onward);
    SUB(after_hours);
    SUB(emergency_services);
    SUB(duty_same_day);
    SUB(interpreted);
    SUB(interpreter_minutes);
    SUB(return_visits);
    SUB(back_to_guidance);
    SUB(social_filings);
    SUB(to_assessment);
    SUB(handover_refused);
#undef SUB
}

/* The accumulators of the whole reported period (index 0) and the declared
 * periods (1...). */
static triage_status_t start_tally(triage_sim_t *sim)
{
    size_t n = sim->nperiods + 1;
    triage__tally_period *p = triage__calloc(&sim->alloc, n, sizeof *p);
    if (!p)
        return TRIAGE_ENOMEM;
    p[0].from_ms = sim->midnight[sim->warmup];
    p[0].to_ms = sim->midnight[sim->days];
    p[0].first = sim->start + sim->warmup;
    p[0].last = sim->start + sim->days - 1;
    for (size_t i = 0; i < sim->nperiods; i++) {
        const triage_sim_period_t *d = &sim->periods[i];
        p[i + 1].from_ms = sim->midnight[d->from - sim->start];
        p[i + 1].to_ms = sim->midnight[d->to - sim->start];
        p[i + 1].first = d->from;
        p[i + 1].last = d->to - 1;
    }
    triage_status_t rc = triage__tally_new(&sim->tally, sim->engine, p, n);
    triage__free(&sim->alloc, p);
    return rc;
}

/* The day's events into the accumulators; the cases they closed leave the
 * store unless the history is kept; a declared period that ends today takes
 * its loads. */
static triage_status_t end_of_day(triage_sim_t *sim, int32_t day)
{
    const triage_id_t *closed = NULL;
    size_t nclosed = 0;
    triage_status_t rc = triage__tally_step(sim->tally, &closed, &nclosed);
    if (rc)
        return rc;
    if (!sim->keep_history && nclosed &&
        (rc = triage__store_memory_forget(&sim->store, closed, nclosed)))
        return rc;
    if ((rc = triage__sim_release_slots(sim)) || (rc = triage__sim_release_clients(sim)))
        return rc;
    triage_date_t today = sim->start + day;
    while (sim->next_end < sim->nperiods && sim->periods[sim->next_end].to == today + 1) {
        if ((rc = triage__tally_period_end(sim->tally, sim->next_end + 1)))
            return rc;
        sim->next_end++;
    }
    return TRIAGE_OK;
}

static triage_status_t simulate(triage_sim_t *sim, const triage_sim_options_t *o)
{
    triage_status_t rc;
    if ((rc = triage__sim_setup_calendar(sim)) || (rc = triage__sim_setup_distances(sim)) ||
        (rc = triage__sim_setup_workers(sim)))
        return rc;
    uint64_t x = sim->seed;
    uint64_t seeds[5];
    for (int i = 0; i < 5; i++)
        seeds[i] = triage__splitmix64(&x);
    triage__rng_seed(&sim->demand, seeds[0]);
    triage__rng_seed(&sim->phone, seeds[1]);
    triage__rng_seed(&sim->staff, seeds[2]);
    triage__rng_seed(&sim->kela, seeds[3]);
    triage__rng_seed(&sim->outreach, seeds[4]);
    if ((rc = start_tally(sim)))
        return rc;
    for (int32_t day = 0; day < sim->days; day++) {
        if (day == sim->warmup) {
            /* the period begins: what the warm-up counted is set aside */
            sim->at_warmup = sim->st;
            sim->closed_at_warmup = sim->nclosed;
            sim->st.open_at_start = sim->ncreated - sim->closed_at_warmup;
        }
        if (sim->bday_of_day[day] >= 0) {
            sim->st.business_days++;
            if ((rc = triage__sim_sick_leave(sim, day)) ||
                (rc = triage__sim_absence_handover(sim, day)))
                return rc;
            for (size_t i = 0; i < sim->nw; i++)
                sim->st.absence_days += sim->w[i].absent[day];
            if ((rc = triage__sim_morning_duty(sim, day)) || (rc = triage__sim_arrivals(sim, day)))
                return rc;
            while (sim->nheap && sim->heap[0].day <= day) {
                sim_event e = triage__sim_heap_pop(sim);
                if ((rc = triage__sim_on_event(sim, &e)) || (rc = triage__sim_unref(sim, e.c)))
                    return rc;
                sim->st.sim_events++;
            }
            if ((rc = triage__sim_guidance(sim, day)) ||
                (rc = triage__sim_distribution(sim, day, 900)))
                return rc;
        }
        if ((rc = end_of_day(sim, day)))
            return rc;
        if (o->progress && o->progress(o->progress_userdata, day + 1, sim->days))
            return triage__error(TRIAGE_EUSER, "progress", "the progress callback stopped the run");
    }
    return TRIAGE_OK;
}

/* The size of the options of a version: v1 ends before warmup, v2 before
 * periods. */
static size_t options_size(uint32_t version)
{
    return version == 1   ? offsetof(triage_sim_options_t, warmup)
           : version == 2 ? offsetof(triage_sim_options_t, periods)
                          : sizeof(triage_sim_options_t);
}

/* Declared periods: sorted, disjoint, inside the reported days [first, end). */
static triage_status_t check_periods(const triage_sim_options_t *o, triage_date_t first,
                                     triage_date_t end)
{
    if (o->nperiods && !o->periods)
        return triage__error(TRIAGE_EINVAL, "periods", "nperiods without periods");
    if (o->nperiods > (size_t)SIM_MAX_DAYS)
        return triage__error(TRIAGE_EINVAL, "nperiods", "at most one period a day");
    for (size_t i = 0; i < o->nperiods; i++) {
        const triage_sim_period_t *p = &o->periods[i];
        if (p->to <= p->from)
            return triage__error(TRIAGE_EINVAL, "periods", "period %zu is empty (to <= from)", i);
        if (p->from < first || p->to > end)
            return triage__error(TRIAGE_EINVAL, "periods",
                                 "period %zu lies outside the reported days", i);
        if (i && p->from < o->periods[i - 1].to)
            return triage__error(TRIAGE_EINVAL, "periods",
                                 "period %zu overlaps or precedes the one before", i);
    }
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_sim_periods(triage_sim_period_t **out, size_t *n,
                                              triage_date_t from, triage_date_t to,
                                              int32_t months)
{
    if (!out)
        return triage__error_null("out");
    if (!n)
        return triage__error_null("n");
    if (months != 1 && months != 3 && months != 6 && months != 12)
        return triage__error(TRIAGE_EINVAL, "months", "a period is 1, 3, 6 or 12 months");
    int y, m, d;
    if (triage_date_to_ymd(&y, &m, &d, from))
        return triage__error(TRIAGE_EINVAL, "from", "not a supported date");
    if (to <= from)
        return triage__error(TRIAGE_EINVAL, "to", "the days must end after they start");
    if (to - from > SIM_MAX_DAYS * 4)
        return triage__error(TRIAGE_EINVAL, "to", "too many days");
    size_t cap = (size_t)((to - from) / 28 / months + 2), k = 0;
    triage_sim_period_t *p = triage__owned_alloc(NULL, cap * sizeof *p);
    if (!p)
        return triage__error(TRIAGE_ENOMEM, "out", "out of memory");
    m = m - (m - 1) % months; /* the period holding `from` */
    triage_date_t start = from;
    while (start < to && k < cap) {
        m += months;
        if (m > 12) {
            m -= 12;
            y++;
        }
        triage_date_t next;
        if (triage_date_from_ymd(&next, y, m, 1))
            next = to;
        p[k].from = start;
        p[k].to = next < to ? next : to;
        start = p[k++].to;
    }
    *out = p;
    *n = k;
    return TRIAGE_OK;
}

/* The reports of the whole period and of the declared ones, from the
 * accumulators. */
static triage_status_t finish_reports(triage_sim_t *sim)
{
    size_t n = sim->nperiods + 1;
    triage_report_t **r = triage__calloc(&sim->alloc, n, sizeof *r);
    if (!r)
        return TRIAGE_ENOMEM;
    triage_status_t rc = triage__tally_finish(sim->tally, r);
    if (!rc) {
        sim->report = r[0];
        for (size_t i = 0; i < sim->nperiods; i++)
            sim->preports[i] = r[i + 1];
    }
    triage__free(&sim->alloc, r);
    triage__tally_free(sim->tally);
    sim->tally = NULL;
    return rc;
}

TRIAGE_API triage_status_t triage_sim_options_init(triage_sim_options_t *opts, uint32_t version)
{
    if (!opts)
        return triage__error_null("opts");
    if (version == 0 || version > TRIAGE_SIM_OPTIONS_VERSION)
        return triage__error(TRIAGE_EVERSION, "version", "unknown options version");
    triage_sim_options_t d = TRIAGE_SIM_OPTIONS_INIT;
    d.version = version;
    memcpy(opts, &d, options_size(version));
    return TRIAGE_OK;
}

TRIAGE_API void triage_sim_free(triage_sim_t *sim)
{
    if (!sim)
        return;
    triage_allocator_t a = sim->alloc;
    triage_report_free(sim->report);
    for (size_t i = 0; sim->preports && i < sim->nperiods; i++)
        triage_report_free(sim->preports[i]);
    triage__free(&a, sim->preports);
    triage__free(&a, sim->periods);
    triage__tally_free(sim->tally);
    triage_engine_free(sim->engine);
    triage_scenario_free(sim->sc);
    if (sim->w)
        for (size_t i = 0; i < sim->nw; i++)
            triage__free(&a, sim->w[i].absent);
    triage__free(&a, sim->w);
    triage__free(&a, sim->widx);
    triage__free(&a, sim->cidx);
    triage__free(&a, sim->freeslots);
    triage__free(&a, sim->pending);
    triage__free(&a, sim->midnight);
    triage__free(&a, sim->bday_of_day);
    triage__free(&a, sim->day_of_bday);
    triage__free(&a, sim->clients);
    triage__free(&a, sim->cpool);
    triage__free(&a, sim->cfree);
    triage__free(&a, sim->cgone);
    triage__free(&a, sim->returns);
    triage__free(&a, sim->filings);
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
        /* only the members the caller's version has (docs/conventions.md rule 10) */
        memcpy(&o, opts, options_size(opts->version));
        if (opts->version < 3)
            o.keep_history = 1; /* before v3 every run kept its history */
    } else {
        o.keep_history = 1; /* as before v3: NULL options keep the history */
    }
    if (o.days < 0 || o.days > SIM_MAX_DAYS)
        return triage__error(TRIAGE_EINVAL, "days", "days must be 1-3660");
    if (o.warmup < -1 || o.warmup > SIM_MAX_DAYS)
        return triage__error(TRIAGE_EINVAL, "warmup", "warmup must be 0-3660 (-1: the scenario's)");
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
    sim->warmup = o.warmup >= 0 ? o.warmup : scenario->p.warmup;
    sim->days = (o.days ? o.days : scenario->p.days) + sim->warmup;
    sim->start = scenario->p.start - sim->warmup;
    sim->p = scenario->p;
    sim->st.intake_hash = SIM_FNV_OFFSET;
    if (o.keep_history == -1)
        o.keep_history = o.store != NULL; /* the default: release unless on the caller's store */
    sim->keep_history = o.keep_history;
    if (o.keep_history != 0 && o.keep_history != 1)
        rc = triage__error(TRIAGE_EINVAL, "keep_history", "keep_history is -1, 0 or 1");
    else if (!o.keep_history && o.store)
        rc = triage__error(TRIAGE_EINVAL, "keep_history",
                           "only a run on its own in-memory store releases history");
    else
        rc = check_periods(&o, scenario->p.start, scenario->p.start + (sim->days - sim->warmup));
    if (!rc && o.nperiods) {
        sim->periods = triage__calloc(&a, o.nperiods, sizeof *sim->periods);
        sim->preports = triage__calloc(&a, o.nperiods, sizeof *sim->preports);
        if (!sim->periods || !sim->preports)
            rc = TRIAGE_ENOMEM;
        else {
            memcpy(sim->periods, o.periods, o.nperiods * sizeof *sim->periods);
            sim->nperiods = o.nperiods;
        }
    }
    if (rc) {
        triage_sim_free(sim);
        return rc;
    }
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
            sim->store = mem; /* the engine's copy is the same handle */
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
        sim->st.from_ms = sim->midnight[sim->warmup];
        sim->st.to_ms = sim->midnight[sim->days];
        rc = finish_reports(sim);
    }
    if (rc) {
        triage_status_t keep = rc;
        triage_sim_free(sim);
        return keep;
    }
    subtract_warmup(&sim->st, &sim->at_warmup);
    sim->st.days = sim->days - sim->warmup;
    sim->st.warmup_days = sim->warmup;
    for (size_t i = 0; i < sim->ncases; i++) {
        uint8_t s = sim->cases[i].stage;
        if (s != TRIAGE_STAGE_CLOSED) {
            sim->st.open++;
            sim->st.open_by_stage[s]++;
        }
    }
    sim->st.closed = sim->nclosed - sim->closed_at_warmup;
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

TRIAGE_API triage_status_t triage_sim_period_count(size_t *out, const triage_sim_t *sim)
{
    if (!out)
        return triage__error_null("out");
    if (!sim)
        return triage__error_null("sim");
    *out = sim->nperiods;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_sim_period_report(const triage_report_t **out,
                                                    const triage_sim_t *sim, size_t index)
{
    if (!out)
        return triage__error_null("out");
    if (!sim)
        return triage__error_null("sim");
    if (index >= sim->nperiods)
        return triage__error(TRIAGE_ERANGE, "index", "no declared period with that index");
    *out = sim->preports[index];
    return TRIAGE_OK;
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
