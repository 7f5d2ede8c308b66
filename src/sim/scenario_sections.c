/*
 * The repeated sections whose keys are plain values — [municipality],
 * [kela_point], [outreach] and [segment] — as tables shared by the parser,
 * the writer and triage_scenario_add_section(). The format is documented in
 * docs/simulation.md; keep the two in step.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim_internal.h"

#define OM(f) offsetof(sim_muni_spec, f)
static const sim_param_def MUNI_KEYS[] = {
    {"municipality", "code", P_INT, OM(code), 1, 9999},
    {"municipality", "name", P_NAME, OM(name), 0, 0},
    {"municipality", "weight", P_DOUBLE, OM(weight), 0, BIG},
    {"municipality", "language.sv", P_DOUBLE, OM(lang_sv), 0, 1},
    {"municipality", "language.other", P_DOUBLE, OM(lang_other), 0, 1},
    {"municipality", "social_reporting", P_BOOL, OM(social), 0, 0},
};

#define OK_(f) offsetof(sim_kela_spec, f)
static const sim_param_def KELA_KEYS[] = {
    {"kela_point", "weekdays", P_WEEKDAYS, OK_(weekdays), 0, 0},
    {"kela_point", "from", P_DATEOPT, OK_(from), 0, 0},
    {"kela_point", "until", P_DATEOPT, OK_(until), 0, 0},
    {"kela_point", "hours", P_HOURS, OK_(hours), 0, 0},
    {"kela_point", "intakes", P_DOUBLE, OK_(intakes), 0, 1000},
    {"kela_point", "kind", P_KIND, OK_(kind), 0, 0},
    {"kela_point", "municipality", P_INT, OK_(muni), 0, 9999},
};

#define OO(f) offsetof(sim_outreach_spec, f)
static const sim_param_def OUTREACH_KEYS[] = {
    {"outreach", "date", P_DATE, OO(date), 0, 0},
    {"outreach", "hours", P_HOURS, OO(hours), 0, 0},
    {"outreach", "reach", P_DOUBLE, OO(reach), 0, 1000},
    {"outreach", "staff_days", P_DOUBLE, OO(staff_days), 0, 100},
    {"outreach", "roles", P_ROLES, OO(roles), 0, 0},
    {"outreach", "municipality", P_INT, OO(muni), 0, 9999},
};

#define OG(f) offsetof(sim_segment_spec, f)
static const sim_param_def SEGMENT_KEYS[] = {
    {"segment", "municipality", P_INT, OG(muni), 0, 9999},
    {"segment", "from", P_DATEOPT, OG(from), 0, 0},
    {"segment", "until", P_DATEOPT, OG(until), 0, 0},
    {"segment", "q1", P_DOUBLE, OG(quadrant[1]), 0, BIG},
    {"segment", "q2", P_DOUBLE, OG(quadrant[2]), 0, BIG},
    {"segment", "q3", P_DOUBLE, OG(quadrant[3]), 0, BIG},
    {"segment", "q4", P_DOUBLE, OG(quadrant[4]), 0, BIG},
};

#define N(a) (sizeof a / sizeof a[0])
static const sim_section_def DEFS[] = {
    {SEC_MUNI, MUNI_KEYS, N(MUNI_KEYS), 1u << 0, sizeof(sim_muni_spec)},
    {SEC_KELA, KELA_KEYS, N(KELA_KEYS), 1u << 0, sizeof(sim_kela_spec)},
    {SEC_OUTREACH, OUTREACH_KEYS, N(OUTREACH_KEYS), 1u << 0, sizeof(sim_outreach_spec)},
    {SEC_SEGMENT, SEGMENT_KEYS, N(SEGMENT_KEYS), 0, sizeof(sim_segment_spec)},
};

const sim_section_def *triage__scenario_section_def(int section)
{
    for (size_t i = 0; i < N(DEFS); i++)
        if (DEFS[i].section == section)
            return &DEFS[i];
    return NULL;
}

void triage__scenario_section_defaults(int section, void *spec)
{
    const sim_section_def *d = triage__scenario_section_def(section);
    memset(spec, 0, d ? d->size : 0);
    switch (section) {
    case SEC_MUNI: {
        sim_muni_spec *m = spec;
        m->weight = 1.0;
        m->lang_sv = m->lang_other = -1;
        m->social = 1;
        break;
    }
    case SEC_KELA: {
        sim_kela_spec *k = spec;
        k->from = k->until = TRIAGE_DATE_NONE;
        k->intakes = 1.0;
        k->kind = TRIAGE_INTAKE_KELA_REFERRAL;
        k->hours = (sim_range){540, 900}; /* 09:00-15:00 */
        break;
    }
    case SEC_OUTREACH: {
        sim_outreach_spec *o = spec;
        o->hours = (sim_range){840, 1020}; /* 14:00-17:00, KuusOTSO's pop-ups */
        o->reach = 0;                      /* the seed's pop-ups reached nobody */
        o->staff_days = 0.5;
        o->roles = 1u << TRIAGE_ROLE_SOCIAL_COUNSELLOR;
        break;
    }
    case SEC_SEGMENT: {
        sim_segment_spec *g = spec;
        g->from = g->until = TRIAGE_DATE_NONE;
        break;
    }
    default:
        break;
    }
}

const char *triage__scenario_spec_key(int section, void *spec, uint32_t *seen, const char *key,
                                      const char *value)
{
    const sim_section_def *d = triage__scenario_section_def(section);
    if (!d)
        return "unknown section";
    for (size_t i = 0; i < d->nkeys; i++) {
        if (strcmp(d->keys[i].key, key))
            continue;
        if (*seen >> i & 1u)
            return "duplicate key";
        const char *e = triage__scenario_param_set(spec, &d->keys[i], value);
        if (!e)
            *seen |= 1u << i;
        return e;
    }
    return "unknown key";
}

const char *triage__scenario_spec_check(int section, void *spec, uint32_t seen,
                                        const char **field)
{
    const sim_section_def *d = triage__scenario_section_def(section);
    for (size_t i = 0; d && i < d->nkeys; i++)
        if ((d->required >> i & 1u) && !(seen >> i & 1u)) {
            *field = d->keys[i].key;
            return "a required key is missing";
        }
    switch (section) {
    case SEC_MUNI: {
        sim_muni_spec *m = spec;
        if (m->lang_sv >= 0 || m->lang_other >= 0) {
            if (m->lang_sv < 0)
                m->lang_sv = 0;
            if (m->lang_other < 0)
                m->lang_other = 0;
            if (m->lang_sv + m->lang_other > 1) {
                *field = "language.other";
                return "the language shares exceed 1";
            }
        }
        break;
    }
    case SEC_KELA: {
        const sim_kela_spec *k = spec;
        if (!k->weekdays) {
            *field = "weekdays";
            return "no weekday";
        }
        if (k->from != TRIAGE_DATE_NONE && k->until != TRIAGE_DATE_NONE && k->until < k->from) {
            *field = "until";
            return "the period ends before it starts";
        }
        break;
    }
    case SEC_SEGMENT: {
        const sim_segment_spec *g = spec;
        double t = 0;
        for (int q = 1; q < SIM_QUADRANTS; q++)
            t += g->quadrant[q];
        if (!(t > 0)) {
            *field = "q1";
            return "the quadrant weights sum to 0";
        }
        if (g->from != TRIAGE_DATE_NONE && g->until != TRIAGE_DATE_NONE && g->until < g->from) {
            *field = "until";
            return "the period ends before it starts";
        }
        break;
    }
    default:
        break;
    }
    return NULL;
}

triage_status_t triage__scenario_append_spec(triage_scenario_t *s, int section, const void *spec)
{
    triage_status_t rc;
    switch (section) {
    case SEC_MUNI: {
        const sim_muni_spec *m = spec;
        rc = triage__scenario_add_muni(s, m->code, m->name, m->weight, m->line);
        if (!rc) {
            s->munis[s->nmunis - 1].lang_sv = m->lang_sv;
            s->munis[s->nmunis - 1].lang_other = m->lang_other;
            s->munis[s->nmunis - 1].social = m->social;
        }
        return rc;
    }
    case SEC_KELA:
        if ((rc = triage__grow(&s->alloc, (void **)&s->kelas, &s->capkelas, s->nkelas + 1,
                               sizeof *s->kelas)))
            return rc;
        s->kelas[s->nkelas++] = *(const sim_kela_spec *)spec;
        return TRIAGE_OK;
    case SEC_OUTREACH:
        if ((rc = triage__grow(&s->alloc, (void **)&s->outreach, &s->capoutreach,
                               s->noutreach + 1, sizeof *s->outreach)))
            return rc;
        s->outreach[s->noutreach++] = *(const sim_outreach_spec *)spec;
        return TRIAGE_OK;
    case SEC_SEGMENT:
        if ((rc = triage__grow(&s->alloc, (void **)&s->segments, &s->capsegments,
                               s->nsegments + 1, sizeof *s->segments)))
            return rc;
        s->segments[s->nsegments++] = *(const sim_segment_spec *)spec;
        return TRIAGE_OK;
    default:
        return triage__error(TRIAGE_EINVAL, "section", "not a repeated section of plain keys");
    }
}

/* A spec of any of the sections above. */
typedef union {
    sim_muni_spec m;
    sim_kela_spec k;
    sim_outreach_spec o;
    sim_segment_spec g;
} any_spec;

TRIAGE_API triage_status_t triage_scenario_add_section(triage_scenario_t *s, const char *section,
                                                       const char *const *keys,
                                                       const char *const *values, size_t n)
{
    if (!s)
        return triage__error_null("scenario");
    if (!section)
        return triage__error_null("section");
    if (n && (!keys || !values))
        return triage__error_null(!keys ? "keys" : "values");
    int si = triage__scenario_section_index(section);
    if (!triage__scenario_section_def(si))
        return triage__error(TRIAGE_EINVAL, "section",
                             "not a section added this way (municipality, kela_point, "
                             "outreach, segment)");
    any_spec spec;
    triage__scenario_section_defaults(si, &spec);
    uint32_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keys[i] || !values[i])
            return triage__error_null(!keys[i] ? "keys" : "values");
        char buf[SIM_LINE_MAX];
        if (strlen(values[i]) >= sizeof buf)
            return triage__error(TRIAGE_EINVAL, keys[i], "[%s] %s: value too long", section,
                                 keys[i]);
        snprintf(buf, sizeof buf, "%s", values[i]);
        const char *e =
            triage__scenario_spec_key(si, &spec, &seen, keys[i], triage__scenario_trim(buf));
        if (e)
            return triage__error(TRIAGE_EINVAL, keys[i], "[%s] %s: %s", section, keys[i], e);
    }
    const char *field = NULL;
    const char *e = triage__scenario_spec_check(si, &spec, seen, &field);
    if (e)
        return triage__error(TRIAGE_EINVAL, field, "[%s] %s: %s", section, field, e);
    return triage__scenario_append_spec(s, si, &spec);
}
