/*
 * Setting a run up (the calendar, the distances, the workers and their
 * planned absences), sick leave and the hand-over of cases when an absence
 * starts, and the run's lookups of workers and cases by engine id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

/* ---- presence and lookups by engine id ------------------------------------------- */

int triage__sim_present(const triage_sim_t *sim, size_t w, int32_t day)
{
    return !sim->w[w].absent[day];
}

int triage__sim_staffs_guidance(const triage_sim_t *sim, size_t w)
{
    const sim_params *p = &sim->p;
    return (p->guidance_roles >> sim->w[w].role & 1u) &&
           (!p->guidance_teams.n || triage__sim_team_listed(&p->guidance_teams, sim->w[w].team));
}

static int id_cmp_idx(const void *a, const void *b)
{
    return triage_id_compare(&((const sim_widx *)a)->id, &((const sim_widx *)b)->id);
}

int32_t triage__sim_worker_by_id(const triage_sim_t *sim, const triage_id_t *id)
{
    sim_widx key;
    key.id = *id;
    const sim_widx *f = bsearch(&key, sim->widx, sim->nw, sizeof *sim->widx, id_cmp_idx);
    return f ? f->index : -1;
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

triage_status_t triage__sim_sick_leave(triage_sim_t *sim, int32_t day)
{
    const sim_params *p = &sim->p;
    for (size_t i = 0; i < sim->nw; i++) {
        double u = triage__rng_uniform(&sim->staff);
        int32_t len = triage__rng_int(&sim->staff, p->sick_days.lo, p->sick_days.hi);
        if (!triage__sim_present(sim, i, day) || !(u < p->sick_rate))
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

triage_status_t triage__sim_cidx_put(triage_sim_t *sim, const triage_id_t *id, int32_t index)
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

void triage__sim_cidx_del(triage_sim_t *sim, const triage_id_t *id)
{
    if (!sim->capcidx)
        return;
    size_t mask = sim->capcidx - 1, h = (size_t)id_hash(id) & mask;
    while (sim->cidx[h].index >= 0 && triage_id_compare(&sim->cidx[h].id, id))
        h = (h + 1) & mask;
    if (sim->cidx[h].index < 0)
        return;
    /* backward-shift deletion: later members of the probe run move up so
     * that no lookup stops early at the hole */
    size_t hole = h;
    for (size_t j = (hole + 1) & mask; sim->cidx[j].index >= 0; j = (j + 1) & mask) {
        size_t home = (size_t)id_hash(&sim->cidx[j].id) & mask;
        /* j's entry may fill the hole when its home is not in (hole, j] */
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            sim->cidx[hole] = sim->cidx[j];
            hole = j;
        }
    }
    sim->cidx[hole].index = -1;
}

int32_t triage__sim_cidx_get(const triage_sim_t *sim, const triage_id_t *id)
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
triage_status_t triage__sim_absence_handover(triage_sim_t *sim, int32_t day)
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
        triage_status_t rc =
            triage_absence_proposals(&props, &n, TRIAGE_ASSIGNMENT_VERSION, sim->engine,
                                     &sim->w[i].id, sim->start + day, sim->start + last, t);
        if (rc)
            return rc;
        /* Each proposal that changes the worker is applied on its own; one
         * the engine refuses (a proposal of record schema 2's assignment
         * module can, e.g. "the pair is the responsible worker") leaves that
         * case where it is and is counted (handover_refused). */
        for (size_t k = 0; k < n && !rc; k++) {
            int32_t ci = triage__sim_cidx_get(sim, &props[k].case_id);
            int32_t to = triage__sim_worker_by_id(sim, &props[k].worker);
            if (ci < 0 || to < 0 || triage_id_is_nil(&props[k].worker) ||
                !triage_id_compare(&props[k].worker, &props[k].previous))
                continue;
            sim->st.engine_calls++;
            rc = triage_assign_apply(sim->engine, &props[k], 1, NULL, t);
            if (rc == TRIAGE_ESTATE || rc == TRIAGE_EINVAL) {
                sim->st.handover_refused++;
                rc = TRIAGE_OK;
                continue;
            }
            if (rc)
                break;
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

/* ---- setup ----------------------------------------------------------------------- */

triage_status_t triage__sim_setup_calendar(triage_sim_t *sim)
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

triage_status_t triage__sim_setup_distances(triage_sim_t *sim)
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

triage_status_t triage__sim_setup_workers(triage_sim_t *sim)
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
            w->team = s->team;
            double share = triage__sim_staffs_guidance(sim, k) ? 1 - sim->p.staff_share : 1;
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
            rec.served = s->serves; /* borrowed for the call; no limit */
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

