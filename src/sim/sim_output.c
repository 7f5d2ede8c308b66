/*
 * The output of a run: the report as CSV and JSON with the workers under
 * their scenario labels and the simulation's own rows added, and
 * triage_sim_compare (two runs side by side).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/report_priv.h"
#include "sim/sim_internal.h"

/* ---- output --------------------------------------------------------------------------------- */

typedef struct {
    const triage_allocator_t *a;
    char *buf;
    size_t len, cap;
    int failed;
} obuf;

static void oput(obuf *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (triage__grow(o->a, (void **)&o->buf, &o->cap, o->len + n + 1, 1)) {
        o->failed = 1;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void oprintf(obuf *o, const char *fmt, ...) TRIAGE__PRINTF(2, 3);
static void oprintf(obuf *o, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        o->failed = 1;
        return;
    }
    oput(o, tmp, (size_t)n);
}

static triage_status_t ofinish(char **out, obuf *o)
{
    if (!o->failed && !o->buf)
        oput(o, "", 0);
    char *s = o->failed ? NULL : triage__owned_alloc(o->a, o->len + 1);
    if (s)
        memcpy(s, o->buf, o->len + 1);
    triage__free(o->a, o->buf);
    if (!s)
        return triage__error(TRIAGE_ENOMEM, "out", "out of memory");
    *out = s;
    return TRIAGE_OK;
}

/* The simulation's own rows: parameters and counters. */
typedef struct {
    const char *key;
    uint64_t value;
} kv;

static size_t sim_rows(const triage_sim_t *sim, kv *rows)
{
    const triage_sim_stats_t *s = &sim->st;
    size_t n = 0;
    rows[n++] = (kv){"seed", sim->seed};
    rows[n++] = (kv){"days", (uint64_t)s->days};
    rows[n++] = (kv){"warmup", (uint64_t)s->warmup_days};
    rows[n++] = (kv){"business_days", (uint64_t)s->business_days};
    rows[n++] = (kv){"workers", sim->nw};
    rows[n++] = (kv){"intakes", s->intakes};
    rows[n++] = (kv){"cases", s->cases};
    rows[n++] = (kv){"attached", s->attached};
    rows[n++] = (kv){"open_at_start", s->open_at_start};
    rows[n++] = (kv){"closed", s->closed};
    rows[n++] = (kv){"open", s->open};
    for (int st = TRIAGE_STAGE_RECEIVED; st < TRIAGE_STAGE_CLOSED; st++)
        rows[n++] = (kv){triage_stage_name((triage_stage_t)st), s->open_by_stage[st]};
    rows[n++] = (kv){"phone_calls", s->phone_calls};
    rows[n++] = (kv){"phone_resolved", s->phone_resolved};
    rows[n++] = (kv){"phone_overflow", s->phone_overflow};
    rows[n++] = (kv){"phone_line_days", s->phone_line_days};
    rows[n++] = (kv){"phone_line_minutes", s->phone_line_minutes};
    rows[n++] = (kv){"kela_point_days", s->kela_point_days};
    rows[n++] = (kv){"kela_intakes", s->kela_intakes};
    rows[n++] = (kv){"outreach_days", s->outreach_days};
    rows[n++] = (kv){"outreach_contacts", s->outreach_contacts};
    rows[n++] = (kv){"outreach_minutes", s->outreach_minutes};
    rows[n++] = (kv){"ia_advice", s->ia_advice};
    rows[n++] = (kv){"ia_referred", s->ia_referred};
    rows[n++] = (kv){"ia_onward", s->ia_onward};
    rows[n++] = (kv){"after_hours", s->after_hours};
    rows[n++] = (kv){"emergency_services", s->emergency_services};
    rows[n++] = (kv){"duty_same_day", s->duty_same_day};
    rows[n++] = (kv){"interpreted", s->interpreted};
    rows[n++] = (kv){"interpreter_minutes", s->interpreter_minutes};
    rows[n++] = (kv){"return_visits", s->return_visits};
    rows[n++] = (kv){"back_to_guidance", s->back_to_guidance};
    rows[n++] = (kv){"social_filings", s->social_filings};
    rows[n++] = (kv){"to_assessment", s->to_assessment};
    rows[n++] = (kv){"noshows", s->noshows};
    rows[n++] = (kv){"motivation_checks", s->motivation_checks};
    rows[n++] = (kv){"sick_spells", s->sick_spells};
    rows[n++] = (kv){"absence_days", s->absence_days};
    rows[n++] = (kv){"reassignments", s->reassignments};
    rows[n++] = (kv){"handover_refused", s->handover_refused};
    rows[n++] = (kv){"unassigned_days", s->unassigned_days};
    rows[n++] = (kv){"sim_events", s->sim_events};
    rows[n++] = (kv){"engine_calls", s->engine_calls};
    rows[n++] = (kv){"intake_hash", s->intake_hash};
    return n;
}
#define SIM_ROWS_MAX 80


/* The rows of report `r` with the worker rows in scenario order under the
 * workers' labels, each led by `prefix` (may be ""); the header row only
 * when `header`. */
static triage_status_t report_rows(obuf *o, const triage_sim_t *sim, const triage_report_t *r,
                                   const char *prefix, int header)
{
    char *csv = NULL;
    triage_status_t rc = triage_report_write_csv(&csv, r);
    if (rc)
        return rc;
    int workers_done = 0, first = 1;
    size_t pl = strlen(prefix);
    for (const char *line = csv; *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
        if (first) {
            first = 0;
            if (header)
                oput(o, line, n);
        } else if (!strncmp(line, "worker,", 7)) {
            if (!workers_done) {
                workers_done = 1;
                uint32_t count = 0;
                triage_report_worker_count(&count, r);
                for (size_t i = 0; i < sim->nw; i++) {
                    for (uint32_t k = 0; k < count; k++) {
                        triage_report_workers_t w;
                        triage_report_worker(&w, r, k);
                        if (triage_id_compare(&w.id, &sim->w[i].id))
                            continue;
                        const char *lb = sim->w[i].label;
                        char d[32];
                        oprintf(o, "%sworker,%s,role,%s\n", prefix, lb,
                                triage_role_name(sim->w[i].role));
                        oprintf(o, "%sworker,%s,team,%d\n", prefix, lb, (int)w.team);
                        oprintf(o, "%sworker,%s,assessment,%u\n", prefix, lb,
                                (unsigned)w.assessment);
                        oprintf(o, "%sworker,%s,responsible,%u\n", prefix, lb,
                                (unsigned)w.responsible);
                        oprintf(o, "%sworker,%s,pair,%u\n", prefix, lb, (unsigned)w.pair);
                        oprintf(o, "%sworker,%s,load,%s\n", prefix, lb,
                                triage__format_decimal(d, w.load));
                    }
                }
            }
        } else {
            oput(o, prefix, pl);
            oput(o, line, n);
        }
        line += n;
    }
    triage_free(csv);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_sim_write_csv(char **out, const triage_sim_t *sim)
{
    if (!out)
        return triage__error_null("out");
    if (!sim)
        return triage__error_null("sim");
    obuf o = {&sim->alloc, NULL, 0, 0, 0};
    triage_status_t rc = report_rows(&o, sim, sim->report, "", 1);
    if (rc) {
        triage__free(&sim->alloc, o.buf);
        return rc;
    }
    kv rows[SIM_ROWS_MAX];
    size_t nr = sim_rows(sim, rows);
    for (size_t i = 0; i < nr; i++)
        oprintf(&o, "simulation,,%s,%llu\n", rows[i].key, (unsigned long long)rows[i].value);
    return ofinish(out, &o);
}

TRIAGE_API triage_status_t triage_sim_write_periods_csv(char **out, const triage_sim_t *sim)
{
    if (!out)
        return triage__error_null("out");
    if (!sim)
        return triage__error_null("sim");
    obuf o = {&sim->alloc, NULL, 0, 0, 0};
    oprintf(&o, "from,to,section,group,key,value\n");
    for (size_t i = 0; i < sim->nperiods; i++) {
        char from[TRIAGE_DATE_STRLEN], to[TRIAGE_DATE_STRLEN], prefix[2 * TRIAGE_DATE_STRLEN + 2];
        triage_date_format(from, sizeof from, sim->periods[i].from);
        triage_date_format(to, sizeof to, sim->periods[i].to);
        snprintf(prefix, sizeof prefix, "%s,%s,", from, to);
        triage_status_t rc = report_rows(&o, sim, sim->preports[i], prefix, 0);
        if (rc) {
            triage__free(&sim->alloc, o.buf);
            return rc;
        }
    }
    return ofinish(out, &o);
}

TRIAGE_API triage_status_t triage_sim_write_json(char **out, const triage_sim_t *sim)
{
    if (!out)
        return triage__error_null("out");
    if (!sim)
        return triage__error_null("sim");
    char *json = NULL;
    triage_status_t rc = triage_report_write_json(&json, sim->report);
    if (rc)
        return rc;
    obuf o = {&sim->alloc, NULL, 0, 0, 0};
    oput(&o, "{\n\"report\": ", 12);
    const char *ws = strstr(json, "\"workers\": [");
    const char *we = ws ? strchr(ws, ']') : NULL;
    size_t jl = strlen(json);
    while (jl && (json[jl - 1] == '\n'))
        jl--;
    if (!ws || !we) {
        oput(&o, json, jl);
    } else {
        oput(&o, json, (size_t)(ws - json));
        oput(&o, "\"workers\": [", 12);
        uint32_t count = 0;
        triage_report_worker_count(&count, sim->report);
        int first = 1;
        for (size_t i = 0; i < sim->nw; i++) {
            for (uint32_t r = 0; r < count; r++) {
                triage_report_workers_t w;
                char d[32];
                triage_report_worker(&w, sim->report, r);
                if (triage_id_compare(&w.id, &sim->w[i].id))
                    continue;
                oprintf(&o,
                        "%s\n    {\"label\": \"%s\", \"role\": \"%s\", \"team\": %d, "
                        "\"assessment\": %u, \"responsible\": %u, \"pair\": %u, \"load\": %s}",
                        first ? "" : ",", sim->w[i].label, triage_role_name(sim->w[i].role),
                        (int)w.team, (unsigned)w.assessment, (unsigned)w.responsible,
                        (unsigned)w.pair, triage__format_decimal(d, w.load));
                first = 0;
            }
        }
        oput(&o, "\n  ]", 4);
        oput(&o, we + 1, jl - (size_t)(we + 1 - json));
    }
    oput(&o, ",\n\"simulation\": {", 17);
    kv rows[SIM_ROWS_MAX];
    size_t nr = sim_rows(sim, rows);
    for (size_t i = 0; i < nr; i++)
        oprintf(&o, "%s\n  \"%s\": %llu", i ? "," : "", rows[i].key,
                (unsigned long long)rows[i].value);
    oput(&o, "\n}\n}\n", 5);
    triage_free(json);
    return ofinish(out, &o);
}

/* ---- policy comparison ---------------------------------------------------------------------- */

typedef struct {
    const char *name;
    double v;
} metric;

static size_t metrics(const triage_sim_t *sim, metric *m)
{
    const triage_report_t *r = sim->report;
    size_t n = 0;
    uint32_t u, u2;
    double d, d2;
    triage_report_intakes(&u, r, 0, 0);
    m[n++] = (metric){"intakes", u};
    triage_report_guidance(&u, &u2, &d, r);
    m[n++] = (metric){"resolved_at_guidance", u};
    m[n++] = (metric){"resolved_share", d};
    triage_report_assessments(&u, &u2, r);
    m[n++] = (metric){"assessments_started", u};
    m[n++] = (metric){"assessments_completed", u2};
    triage_report_plans(&u, r);
    m[n++] = (metric){"plans", u};
    triage_report_closings(&u, r, 0);
    m[n++] = (metric){"closings", u};
    triage_report_deadlines_t dl;
    dl.version = TRIAGE_REPORT_DEADLINES_VERSION;
    triage_report_deadlines(&dl, r, 0);
    m[n++] = (metric){"deadlines_met", dl.met};
    m[n++] = (metric){"deadlines_missed", dl.missed};
    triage_report_waiting(&u, &d, &d2, r, TRIAGE_WAIT_FIRST_CONTACT);
    m[n++] = (metric){"wait_first_contact_median", d};
    m[n++] = (metric){"wait_first_contact_p90", d2};
    triage_report_waiting(&u, &d, &d2, r, TRIAGE_WAIT_ASSESSMENT_START);
    m[n++] = (metric){"wait_assessment_start_median", d};
    m[n++] = (metric){"wait_assessment_start_p90", d2};
    for (int q = 1; q < SIM_QUADRANTS; q++) {
        triage_report_quadrants(&u, r, (triage_quadrant_t)q);
        m[n++] = (metric){triage_quadrant_name((triage_quadrant_t)q), u};
    }
    triage_report_over_cap(&u, &u2, r);
    m[n++] = (metric){"assigned_over_soft_cap", u};
    m[n++] = (metric){"assigned_over_hard_cap", u2};
    m[n++] = (metric){"noshows", sim->st.noshows};
    m[n++] = (metric){"open_at_end", sim->st.open};
    m[n++] = (metric){"waiting_for_assessment_at_end",
                      sim->st.open_by_stage[TRIAGE_STAGE_DISTRIBUTION]};
    return n;
}

static void num(char *buf, size_t size, double v)
{
    if (isnan(v))
        buf[0] = '\0';
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.4f", v);
}

TRIAGE_API triage_status_t triage_sim_compare(triage_sim_t **a, triage_sim_t **b, char **table,
                                              const triage_scenario_t *scenario_a,
                                              const triage_scenario_t *scenario_b, int32_t days,
                                              uint64_t seed)
{
    if (!a)
        return triage__error_null("a");
    if (!b)
        return triage__error_null("b");
    if (!scenario_a)
        return triage__error_null("scenario_a");
    if (!scenario_b)
        return triage__error_null("scenario_b");
    triage_sim_options_t o = TRIAGE_SIM_OPTIONS_INIT;
    o.days = days;
    o.seed = seed;
    triage_sim_t *x = NULL, *y = NULL;
    triage_status_t rc = triage_sim_run(&x, scenario_a, &o);
    if (!rc)
        rc = triage_sim_run(&y, scenario_b, &o);
    char *t = NULL;
    if (!rc && table) {
        obuf ob = {&x->alloc, NULL, 0, 0, 0};
        metric ma[32], mb[32];
        size_t n = metrics(x, ma);
        metrics(y, mb);
        oprintf(&ob, "metric,a,b,difference\n");
        for (size_t i = 0; i < n; i++) {
            char s1[48], s2[48], s3[48];
            num(s1, sizeof s1, ma[i].v);
            num(s2, sizeof s2, mb[i].v);
            num(s3, sizeof s3, mb[i].v - ma[i].v);
            oprintf(&ob, "%s,%s,%s,%s\n", ma[i].name, s1, s2, s3);
        }
        rc = ofinish(&t, &ob);
    }
    if (rc) {
        triage_sim_free(x);
        triage_sim_free(y);
        return rc;
    }
    *a = x;
    *b = y;
    if (table)
        *table = t;
    return TRIAGE_OK;
}

/* ---- the social report of a run -------------------------------------------------------------- */

TRIAGE_API triage_status_t triage_sim_social(triage_social_t **out, triage_sim_t *sim,
                                             int32_t months)
{
    if (!out)
        return triage__error_null("out");
    if (!sim)
        return triage__error_null("sim");
    if (!months)
        months = sim->p.social_months;
    if (months != 1 && months != 3 && months != 6 && months != 12)
        return triage__error(TRIAGE_EINVAL, "months", "a period is 1, 3, 6 or 12 months");
    /* the phenomena are counted over every case of the period, and a run
     * that released its history no longer has the closed ones */
    if (!sim->keep_history)
        return triage__error(TRIAGE_EINVAL, "keep_history",
                             "the social report needs the run's history (keep_history 1)");
    /* the bounds: the period's start, each aligned month start, its end */
    size_t n = 0, cap = (size_t)(sim->days - sim->warmup) / 28 + 3;
    int64_t *bounds = triage__calloc(&sim->alloc, cap, sizeof *bounds);
    triage_social_filing_t *f =
        triage__calloc(&sim->alloc, sim->nfilings ? sim->nfilings : 1, sizeof *f);
    triage_status_t rc = TRIAGE_ENOMEM;
    if (bounds && f) {
        bounds[n++] = sim->midnight[sim->warmup];
        for (int32_t d = sim->warmup + 1; d < sim->days; d++) {
            int y, m, dd;
            triage__civil_from_days(sim->start + d, &y, &m, &dd);
            if (dd == 1 && (m - 1) % months == 0 && n + 1 < cap)
                bounds[n++] = sim->midnight[d];
        }
        bounds[n++] = sim->midnight[sim->days];
        for (size_t i = 0; i < sim->nfilings; i++)
            f[i] = (triage_social_filing_t){sim->filings[i].at_ms, sim->filings[i].muni,
                                            sim->filings[i].needs, sim->filings[i].barriers};
        rc = triage_social_new(out, sim->engine, bounds, (uint32_t)n, f, (uint32_t)sim->nfilings);
    }
    triage__free(&sim->alloc, bounds);
    triage__free(&sim->alloc, f);
    if (rc)
        return rc;
    for (size_t i = 0; i < sim->sc->nmunis && !rc; i++)
        if (sim->sc->munis[i].name[0])
            rc = triage_social_set_name(*out, sim->sc->munis[i].code, sim->sc->munis[i].name);
    if (rc) {
        triage_social_free(*out);
        *out = NULL;
    }
    return rc;
}
