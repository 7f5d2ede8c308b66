/*
 * The duty roster: one social worker and one counsellor on duty each ISO
 * week, by a smooth weighted round robin (FTE as the weight) over the
 * year's weeks in which absent workers sit out; kept per role in the
 * module's state.
 */
#include <math.h>
#include <string.h>

#include "assign/assign_internal.h"

static const triage_id_t nil_id;

/* ---- duty roster -------------------------------------------------------------- */

/* Monday of the ISO week of d, and the ISO year's week-1 Monday. */
static triage_date_t week_monday(triage_date_t d)
{
    return d - (triage__weekday(d) - 1);
}

static triage_date_t iso_year_start(triage_date_t d, int *iso_year)
{
    triage_date_t mon = week_monday(d);
    int y, m, dd;
    triage__civil_from_days(mon + 3, &y, &m, &dd); /* the Thursday decides the ISO year */
    (void)m;
    (void)dd;
    *iso_year = y;
    return week_monday(triage__days_from_civil(y, 1, 4));
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* One role's smooth weighted round robin for the week of `date`. */
static triage_status_t rotate_weeks(triage_id_t *out, triage_engine_t *e, triage_role_t role,
                                    triage_date_t date);

/* rotate_weeks() replays the year's weeks up to `date`: the answer is kept
 * per role until the week, the workers or the absences change (the
 * simulator asks for it once per case distributed). */
static triage_status_t rotate(triage_id_t *out, triage_engine_t *e, triage_role_t role,
                              triage_date_t date)
{
    triage__assign_state *s = triage__assign_peek(e);
    int k = role == TRIAGE_ROLE_SOCIAL_WORKER ? 0 : 1;
    triage_date_t week = week_monday(date);
    if (s && s->duty[k].ok && s->duty[k].week == week && s->duty[k].abs_gen == e->absence_gen &&
        s->duty[k].worker_gen == e->worker_gen) {
        *out = s->duty[k].id;
        return TRIAGE_OK;
    }
    triage_status_t rc = rotate_weeks(out, e, role, date);
    s = triage__assign_peek(e);
    if (!rc && s) {
        s->duty[k].ok = 1;
        s->duty[k].week = week;
        s->duty[k].abs_gen = e->absence_gen;
        s->duty[k].worker_gen = e->worker_gen;
        s->duty[k].id = *out;
    }
    return rc;
}

static triage_status_t rotate_weeks(triage_id_t *out, triage_engine_t *e, triage_role_t role,
                                    triage_date_t date)
{
    *out = nil_id;
    const triage__table *wt = &e->tables[TRIAGE__T_WORKER];
    size_t m = 0;
    for (size_t i = 0; i < wt->n; i++) {
        const triage__worker *w = (const triage__worker *)(const void *)(wt->recs + i * wt->elem);
        m += w->active && w->role == (int32_t)role;
    }
    if (!m)
        return TRIAGE_OK;
    const triage__worker **ws = triage__malloc(&e->alloc, m * sizeof *ws);
    double *cur = triage__calloc(&e->alloc, m, sizeof *cur);
    uint64_t *tie = triage__malloc(&e->alloc, m * sizeof *tie);
    if (!ws || !cur || !tie) {
        triage__free(&e->alloc, (void *)ws);
        triage__free(&e->alloc, cur);
        triage__free(&e->alloc, tie);
        return TRIAGE_ENOMEM;
    }
    int year;
    triage_date_t w0 = iso_year_start(date, &year);
    size_t k = 0;
    for (size_t i = 0; i < wt->n; i++) {
        const triage__worker *w = (const triage__worker *)(const void *)(wt->recs + i * wt->elem);
        if (w->active && w->role == (int32_t)role) {
            ws[k] = w;
            uint64_t h;
            memcpy(&h, w->id.bytes, sizeof h);
            tie[k++] = mix(h ^ (uint64_t)year * 0x9e3779b97f4a7c15ULL);
        }
    }
    triage_date_t target = week_monday(date);
    for (triage_date_t wk = w0; wk <= target; wk += 7) {
        double total = 0;
        ptrdiff_t best = -1;
        for (size_t i = 0; i < m; i++) {
            if (triage__absent(e, &ws[i]->id, wk, wk + 4))
                continue;
            cur[i] += ws[i]->fte;
            total += ws[i]->fte;
            if (best < 0 || cur[i] > cur[best] + 1e-12 ||
                (fabs(cur[i] - cur[best]) <= 1e-12 && tie[i] < tie[best]))
                best = (ptrdiff_t)i;
        }
        if (best >= 0) {
            cur[best] -= total;
            if (wk == target)
                *out = ws[best]->id;
        }
    }
    triage__free(&e->alloc, (void *)ws);
    triage__free(&e->alloc, cur);
    triage__free(&e->alloc, tie);
    return TRIAGE_OK;
}

triage_status_t triage__duty_pair_ids(triage_id_t out[2], triage_engine_t *e, triage_date_t date)
{
    triage_status_t rc = rotate(&out[0], e, TRIAGE_ROLE_SOCIAL_WORKER, date);
    if (!rc)
        rc = rotate(&out[1], e, TRIAGE_ROLE_SOCIAL_COUNSELLOR, date);
    return rc;
}

TRIAGE_API triage_status_t triage_duty_pair(triage_id_t *social_worker, triage_id_t *counsellor,
                                            triage_engine_t *e, triage_date_t date)
{
    if (!social_worker)
        return triage__error_null("social_worker");
    if (!counsellor)
        return triage__error_null("counsellor");
    if (!e)
        return triage__error_null("engine");
    if (!triage__date_valid(date) || date < TRIAGE_DATE_MIN + 7 || date > TRIAGE_DATE_MAX - 7)
        return triage__error(TRIAGE_ERANGE, "date", "date outside the supported range");
    TRIAGE__READ_BEGIN(e); /* the staff and absences other engines recorded */
    triage_id_t ids[2];
    triage_status_t rc = triage__duty_pair_ids(ids, e, date);
    if (rc)
        return rc;
    *social_worker = ids[0];
    *counsellor = ids[1];
    return TRIAGE_OK;
}
