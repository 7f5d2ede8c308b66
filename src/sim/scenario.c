/*
 * Scenarios (docs/domain.md §10): the parameters of a simulation, their
 * defaults, the values as text, the setters and validation. The strict
 * line-based file format and its writer are in scenario_text.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

/* ---- the parameter table ---------------------------------------------------- */

#define O(f) offsetof(sim_params, f)
const sim_param_def triage__scenario_params[] = {
    {"scenario", "name", P_TEXT, O(name), 0, 0},
    {"scenario", "start", P_DATE, O(start), 0, 0},
    {"scenario", "days", P_INT, O(days), 1, SIM_MAX_DAYS},
    {"scenario", "warmup", P_INT, O(warmup), 0, SIM_MAX_DAYS},
    {"intake", "contact", P_DOUBLE, O(intake[1]), 0, BIG},
    {"intake", "notification", P_DOUBLE, O(intake[2]), 0, BIG},
    {"intake", "child_welfare_notification", P_DOUBLE, O(intake[3]), 0, BIG},
    {"intake", "application", P_DOUBLE, O(intake[4]), 0, BIG},
    {"intake", "kela_referral", P_DOUBLE, O(intake[5]), 0, BIG},
    {"intake", "other_authority", P_DOUBLE, O(intake[6]), 0, BIG},
    {"intake", "channel.phone", P_DOUBLE, O(channel[1]), 0, BIG},
    {"intake", "channel.e_service", P_DOUBLE, O(channel[2]), 0, BIG},
    {"intake", "channel.walk_in", P_DOUBLE, O(channel[3]), 0, BIG},
    {"intake", "channel.outreach", P_DOUBLE, O(channel[4]), 0, BIG},
    {"intake", "channel.kela", P_DOUBLE, O(channel[5]), 0, BIG},
    {"intake", "channel.letter", P_DOUBLE, O(channel[6]), 0, BIG},
    {"intake", "channel.other_authority", P_DOUBLE, O(channel[7]), 0, BIG},
    {"intake", "repeat_client", P_DOUBLE, O(repeat_client), 0, 1},
    {"intake", "repeat_window", P_INT, O(repeat_window), 1, SIM_MAX_DAYS},
    {"intake", "language.sv", P_DOUBLE, O(lang_sv), 0, 1},
    {"intake", "language.other", P_DOUBLE, O(lang_other), 0, 1},
    {"intake", "service", P_SERVICE, O(service), 0, 0},
    {"urgency", "immediate", P_DOUBLE, O(urgency[1]), 0, BIG},
    {"urgency", "urgent", P_DOUBLE, O(urgency[2]), 0, BIG},
    {"urgency", "priority", P_DOUBLE, O(urgency[3]), 0, BIG},
    {"urgency", "normal", P_DOUBLE, O(urgency[4]), 0, BIG},
    {"guidance", "resolved", P_DOUBLE, O(resolved), 0, 1},
    {"guidance", "advice", P_DOUBLE, O(advice), 0, BIG},
    {"guidance", "referred", P_DOUBLE, O(referred), 0, BIG},
    {"guidance", "declined", P_DOUBLE, O(declined), 0, BIG},
    {"guidance", "reach", P_DOUBLE, O(reach), 0, 1},
    {"guidance", "retry_days", P_INT, O(retry_days), 1, 30},
    {"guidance", "capacity", P_DOUBLE, O(capacity), 0, 1000},
    {"guidance", "roles", P_ROLES, O(guidance_roles), 0, 0},
    {"guidance", "teams", P_TEAMS, O(guidance_teams), 0, 0},
    {"guidance", "staff_share", P_DOUBLE, O(staff_share), 0, 1},
    {"guidance", "unwilling", P_DOUBLE, O(unwilling), 0, 1},
    {"guidance", "unclear", P_DOUBLE, O(unclear), 0, 1},
    {"quadrants", "q1", P_DOUBLE, O(quadrant[1]), 0, BIG},
    {"quadrants", "q2", P_DOUBLE, O(quadrant[2]), 0, BIG},
    {"quadrants", "q3", P_DOUBLE, O(quadrant[3]), 0, BIG},
    {"quadrants", "q4", P_DOUBLE, O(quadrant[4]), 0, BIG},
    {"needs", "livelihood", P_DOUBLE, O(needs[TRIAGE_NEED_LIVELIHOOD]), 0, BIG},
    {"needs", "housing", P_DOUBLE, O(needs[TRIAGE_NEED_HOUSING]), 0, BIG},
    {"needs", "health", P_DOUBLE, O(needs[TRIAGE_NEED_HEALTH]), 0, BIG},
    {"needs", "mental_health", P_DOUBLE, O(needs[TRIAGE_NEED_MENTAL_HEALTH]), 0, BIG},
    {"needs", "substance_use", P_DOUBLE, O(needs[TRIAGE_NEED_SUBSTANCE_USE]), 0, BIG},
    {"needs", "violence", P_DOUBLE, O(needs[TRIAGE_NEED_VIOLENCE]), 0, BIG},
    {"needs", "relationships", P_DOUBLE, O(needs[TRIAGE_NEED_RELATIONSHIPS]), 0, BIG},
    {"needs", "activity", P_DOUBLE, O(needs[TRIAGE_NEED_ACTIVITY]), 0, BIG},
    {"needs", "life_skills", P_DOUBLE, O(needs[TRIAGE_NEED_LIFE_SKILLS]), 0, BIG},
    {"needs", "dependants", P_DOUBLE, O(needs[TRIAGE_NEED_DEPENDANTS]), 0, BIG},
    {"durations", "initial_assessment", P_RANGE, O(ia_days), 0, 250},
    {"durations", "first_appointment", P_RANGE, O(first_appointment), 0, 250},
    {"durations", "assessment", P_RANGE, O(assessment), 0, 250},
    {"durations", "planning", P_RANGE, O(planning), 0, 250},
    {"durations", "casework.q1", P_RANGE, O(casework[1]), 0, 2500},
    {"durations", "casework.q2", P_RANGE, O(casework[2]), 0, 2500},
    {"durations", "casework.q3", P_RANGE, O(casework[3]), 0, 2500},
    {"durations", "casework.q4", P_RANGE, O(casework[4]), 0, 2500},
    {"durations", "assessment_slots", P_DOUBLE, O(assessment_slots), 0.1, 1000},
    {"noshow", "with_check", P_DOUBLE, O(noshow_checked), 0, 1},
    {"noshow", "without_check", P_DOUBLE, O(noshow_unchecked), 0, 1},
    {"noshow", "rebook_days", P_INT, O(rebook_days), 1, 60},
    {"noshow", "max", P_INT, O(noshow_max), 1, 10},
    {"phone_line", "calls_min", P_INT, O(calls_min), 0, 10000},
    {"phone_line", "calls_max", P_INT, O(calls_max), 0, 10000},
    {"phone_line", "resolved", P_DOUBLE, O(line_resolved), 0, 1},
    {"phone_line", "staff_days", P_DOUBLE, O(line_staff_days), 0, 100},
    {"phone_line", "roles", P_ROLES, O(line_roles), 0, 0},
    {"phone_line", "hours", P_HOURS, O(line_hours), 0, 0},
    {"phone_line", "cap", P_INT, O(line_cap), 0, 10000},
    {"phone_line", "weekdays", P_WEEKDAYS, O(line_weekdays), 0, 0},
    {"phone_line", "from", P_DATEOPT, O(line_from), 0, 0},
    {"phone_line", "until", P_DATEOPT, O(line_until), 0, 0},
    {"sick_leave", "rate", P_DOUBLE, O(sick_rate), 0, 1},
    {"sick_leave", "days", P_RANGE, O(sick_days), 1, 250},
    {"policy", "guidance_first", P_BOOL, O(guidance_first), 0, 0},
    {"policy", "initial_assessment", P_BOOL, O(initial_assessment), 0, 0},
    {"policy", "motivation_check", P_BOOL, O(motivation_check), 0, 0},
    {"policy", "special_support_responsible", P_SSR, O(special_support_responsible), 0, 0},
    {"policy", "unreachable_attempts", P_INT, O(unreachable_attempts), 1, 20},
    {"policy", "unreachable_min_days", P_INT, O(unreachable_min_days), 0, 60},
    {"initial_assessment", "advice.q1", P_DOUBLE, O(ia_advice[1]), 0, 1},
    {"initial_assessment", "referred.q1", P_DOUBLE, O(ia_referred[1]), 0, 1},
    {"initial_assessment", "advice.q2", P_DOUBLE, O(ia_advice[2]), 0, 1},
    {"initial_assessment", "referred.q2", P_DOUBLE, O(ia_referred[2]), 0, 1},
    {"initial_assessment", "advice.q3", P_DOUBLE, O(ia_advice[3]), 0, 1},
    {"initial_assessment", "referred.q3", P_DOUBLE, O(ia_referred[3]), 0, 1},
    {"initial_assessment", "advice.q4", P_DOUBLE, O(ia_advice[4]), 0, 1},
    {"initial_assessment", "referred.q4", P_DOUBLE, O(ia_referred[4]), 0, 1},
    {"duty", "child_welfare", P_BOOL, O(duty_child_welfare), 0, 0},
    {"duty", "after_hours", P_DOUBLE, O(after_hours), 0, 1},
    {"interpreting", "contact_minutes", P_DOUBLE, O(interp_contact_min), 0, 1440},
    {"interpreting", "meeting_minutes", P_DOUBLE, O(interp_meeting_min), 0, 1440},
    {"interpreting", "cost", P_DOUBLE, O(interp_cost), 1, 100},
    {"pathway", "return_visit", P_DOUBLE, O(return_visit), 0, 1},
    {"pathway", "return_days", P_RANGE, O(return_days), 1, 250},
    {"pathway", "back_to_guidance", P_DOUBLE, O(back_to_guidance), 0, 1},
    {"pathway", "back_days", P_RANGE, O(back_days), 1, 250},
    {"social_reporting", "rate", P_DOUBLE, O(social_rate), 0, 1},
    {"social_reporting", "period", P_PERIOD, O(social_months), 0, 0},
};
#define NPARAMS (sizeof triage__scenario_params / sizeof triage__scenario_params[0])
_Static_assert(NPARAMS <= 15 * 64, "seen bitset (seen[15] holds the sections)");
const size_t triage__scenario_nparams = NPARAMS;

const char *const triage__scenario_sections[] = {
    "scenario",   "intake",  "urgency",          "guidance",     "quadrants",
    "durations",  "noshow",  "phone_line",       "sick_leave",   "policy",
    "initial_assessment", "duty", "interpreting", "pathway",     "social_reporting",
    "needs",
    "municipality", "distances", "worker",       "absence",      "kela_point",
    "outreach",   "segment"};
_Static_assert(sizeof triage__scenario_sections / sizeof triage__scenario_sections[0] == NSECTIONS,
               "one name per section");

static void scenario_defaults(sim_params *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", "unnamed");
    p->start = triage__days_from_civil(2025, 1, 1);
    p->days = 365;
    /* a small team's daily demand (docs/simulation.md) */
    p->intake[TRIAGE_INTAKE_CONTACT] = 4.0;
    p->intake[TRIAGE_INTAKE_NOTIFICATION] = 2.5;
    p->intake[TRIAGE_INTAKE_APPLICATION] = 0.8;
    p->intake[TRIAGE_INTAKE_KELA_REFERRAL] = 0.4;
    p->intake[TRIAGE_INTAKE_OTHER_AUTHORITY] = 0.3;
    p->channel[TRIAGE_CHANNEL_PHONE] = 40;
    p->channel[TRIAGE_CHANNEL_E_SERVICE] = 30;
    p->channel[TRIAGE_CHANNEL_WALK_IN] = 5;
    p->channel[TRIAGE_CHANNEL_OUTREACH] = 2;
    p->channel[TRIAGE_CHANNEL_KELA] = 8;
    p->channel[TRIAGE_CHANNEL_LETTER] = 5;
    p->channel[TRIAGE_CHANNEL_OTHER_AUTHORITY] = 10;
    p->repeat_client = 0.15;
    p->repeat_window = 365;
    p->lang_sv = 0.01;
    p->lang_other = 0.04;
    p->service = TRIAGE_SERVICE_WORKING_AGE;
    p->urgency[TRIAGE_URGENCY_IMMEDIATE] = 2;
    p->urgency[TRIAGE_URGENCY_URGENT] = 8;
    p->urgency[TRIAGE_URGENCY_PRIORITY] = 3;
    p->urgency[TRIAGE_URGENCY_NORMAL] = 87;
    p->resolved = 0.6;
    p->advice = 60;
    p->referred = 30;
    p->declined = 10;
    p->reach = 0.75;
    p->retry_days = 2;
    p->capacity = 12;
    p->guidance_roles = 1u << TRIAGE_ROLE_SERVICE_GUIDE;
    p->staff_share = 1.0;
    p->unwilling = 0.08;
    p->unclear = 0.10;
    p->quadrant[TRIAGE_Q1_GUIDANCE_ONLY] = 25;
    p->quadrant[TRIAGE_Q2_SOCIAL_GUIDANCE_WORK] = 35;
    p->quadrant[TRIAGE_Q3_SUPPORTED_GUIDANCE] = 20;
    p->quadrant[TRIAGE_Q4_SPECIAL_SUPPORT] = 20;
    for (int i = 0; i < TRIAGE_NEED_COUNT; i++)
        p->needs[i] = 1;
    p->ia_days = (sim_range){2, 5};
    p->first_appointment = (sim_range){1, 5};
    p->assessment = (sim_range){10, 30};
    p->planning = (sim_range){3, 10};
    p->casework[1] = (sim_range){0, 0};
    p->casework[2] = (sim_range){40, 120};
    p->casework[3] = (sim_range){60, 160};
    p->casework[4] = (sim_range){90, 250};
    p->assessment_slots = 4;
    p->noshow_checked = 0.08;
    p->noshow_unchecked = 0.20;
    p->rebook_days = 5;
    p->noshow_max = 2;
    p->calls_min = 0;
    p->calls_max = 0;
    p->line_resolved = 0.7;
    p->line_staff_days = 0.5;
    p->line_roles = 1u << TRIAGE_ROLE_SERVICE_GUIDE;
    p->line_hours = (sim_range){540, 630}; /* 09:00-10:30, KuusOTSO's hours */
    p->line_cap = 0;
    p->line_weekdays = 0x3eu;               /* Monday to Friday */
    p->line_from = p->line_until = TRIAGE_DATE_NONE;
    p->sick_rate = 0.01;
    p->sick_days = (sim_range){1, 5};
    p->guidance_first = 1;
    p->initial_assessment = 0;
    p->motivation_check = 1;
    p->special_support_responsible = TRIAGE_SS_SOCIAL_WORKER_ONLY;
    p->unreachable_attempts = 3;
    p->unreachable_min_days = 5;
    /* What the initial assessment handles (docs/simulation.md, "East
     * Uusimaa"): a guidance-only need is mostly answered with advice or
     * referred to a service that meets it; a low need with weak capacity is
     * often referred onward; a high need goes on to the full assessment. */
    p->ia_advice[TRIAGE_Q1_GUIDANCE_ONLY] = 0.5;
    p->ia_referred[TRIAGE_Q1_GUIDANCE_ONLY] = 0.3;
    p->ia_advice[TRIAGE_Q2_SOCIAL_GUIDANCE_WORK] = 0;
    p->ia_referred[TRIAGE_Q2_SOCIAL_GUIDANCE_WORK] = 0.1;
    p->ia_advice[TRIAGE_Q3_SUPPORTED_GUIDANCE] = 0;
    p->ia_referred[TRIAGE_Q3_SUPPORTED_GUIDANCE] = 0.4;
    p->ia_advice[TRIAGE_Q4_SPECIAL_SUPPORT] = 0;
    p->ia_referred[TRIAGE_Q4_SPECIAL_SUPPORT] = 0;
    p->duty_child_welfare = 0;
    p->after_hours = 0;
    p->interp_contact_min = 30;
    p->interp_meeting_min = 90;
    p->interp_cost = 2;
    p->return_visit = 0;
    p->return_days = (sim_range){5, 20};
    p->back_to_guidance = 0;
    p->back_days = (sim_range){1, 5};
    p->social_rate = 0;
    p->social_months = 3;
}


const sim_param_def *triage__scenario_param_find(const char *section, const char *key,
                                                 size_t *index)
{
    for (size_t i = 0; i < NPARAMS; i++)
        if (!strcmp(triage__scenario_params[i].section, section) &&
            !strcmp(triage__scenario_params[i].key, key)) {
            if (index)
                *index = i;
            return &triage__scenario_params[i];
        }
    return NULL;
}

int triage__scenario_section_index(const char *name)
{
    for (int i = 0; i < NSECTIONS; i++)
        if (!strcmp(triage__scenario_sections[i], name))
            return i;
    return -1;
}


/* ---- object life ----------------------------------------------------------- */

TRIAGE_API triage_status_t triage_scenario_new(triage_scenario_t **out,
                                               const triage_allocator_t *alloc)
{
    if (!out)
        return triage__error_null("out");
    if (alloc) {
        triage_status_t rc = triage__allocator_check(alloc, "alloc");
        if (rc)
            return rc;
    }
    triage_allocator_t a = alloc ? *alloc : (triage_allocator_t){0, 0, 0, 0};
    triage_scenario_t *s = triage__calloc(&a, 1, sizeof *s);
    if (!s)
        return TRIAGE_ENOMEM;
    s->alloc = a;
    scenario_defaults(&s->p);
    *out = s;
    return TRIAGE_OK;
}

TRIAGE_API void triage_scenario_free(triage_scenario_t *s)
{
    if (!s)
        return;
    triage_allocator_t a = s->alloc;
    for (size_t i = 0; i < s->nworkers; i++)
        triage__free(&a, s->workers[i].serves);
    triage__free(&a, s->workers);
    triage__free(&a, s->absences);
    triage__free(&a, s->munis);
    triage__free(&a, s->dists);
    triage__free(&a, s->kelas);
    triage__free(&a, s->outreach);
    triage__free(&a, s->segments);
    triage__free(&a, s);
}

static triage_status_t dup_array(const triage_allocator_t *a, void **dst, const void *src,
                                 size_t n, size_t elem)
{
    *dst = NULL;
    if (!n)
        return TRIAGE_OK;
    *dst = triage__malloc(a, n * elem);
    if (!*dst)
        return TRIAGE_ENOMEM;
    memcpy(*dst, src, n * elem);
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_copy(triage_scenario_t **out,
                                                const triage_scenario_t *src)
{
    if (!out)
        return triage__error_null("out");
    if (!src)
        return triage__error_null("scenario");
    triage_scenario_t *s = triage__calloc(&src->alloc, 1, sizeof *s);
    if (!s)
        return TRIAGE_ENOMEM;
    s->alloc = src->alloc;
    s->p = src->p;
    memcpy(s->seen, src->seen, sizeof s->seen);
    /* From here on s is always freeable: each array is set with its count
     * only once copied, and the workers' serves lists start out NULL. */
    void *v = NULL;
    if (dup_array(&s->alloc, &v, src->workers, src->nworkers, sizeof *src->workers))
        goto nomem;
    s->workers = v;
    s->nworkers = s->capworkers = src->nworkers;
    for (size_t i = 0; i < s->nworkers; i++)
        s->workers[i].serves = NULL;
    for (size_t i = 0; i < s->nworkers; i++) {
        if (dup_array(&s->alloc, &v, src->workers[i].serves, src->workers[i].nserves,
                      sizeof *src->workers[i].serves))
            goto nomem;
        s->workers[i].serves = v;
    }
#define COPY(arr, n, cap)                                                                   \
    do {                                                                                    \
        if (dup_array(&s->alloc, &v, src->arr, src->n, sizeof *src->arr))                   \
            goto nomem;                                                                     \
        s->arr = v;                                                                         \
        s->n = s->cap = src->n;                                                             \
    } while (0)
    COPY(absences, nabsences, capabsences);
    COPY(munis, nmunis, capmunis);
    COPY(dists, ndists, capdists);
    COPY(kelas, nkelas, capkelas);
    COPY(outreach, noutreach, capoutreach);
    COPY(segments, nsegments, capsegments);
#undef COPY
    *out = s;
    return TRIAGE_OK;
nomem:
    triage_scenario_free(s);
    return TRIAGE_ENOMEM;
}

/* ---- setters ---------------------------------------------------------------- */

TRIAGE_API triage_status_t triage_scenario_set(triage_scenario_t *s, const char *section,
                                               const char *key, const char *value)
{
    if (!s)
        return triage__error_null("scenario");
    if (!section)
        return triage__error_null("section");
    if (!key)
        return triage__error_null("key");
    if (!value)
        return triage__error_null("value");
    int si = triage__scenario_section_index(section);
    if (si < 0 || si >= SEC_MUNI)
        return triage__error(TRIAGE_EINVAL, "section", "unknown scenario section");
    const sim_param_def *d = triage__scenario_param_find(section, key, NULL);
    if (!d)
        return triage__error(TRIAGE_EINVAL, "key", "unknown key in section [%s]", section);
    char buf[SIM_LINE_MAX];
    if (strlen(value) >= sizeof buf)
        return triage__error(TRIAGE_EINVAL, key, "%s.%s: value too long", section, key);
    snprintf(buf, sizeof buf, "%s", value);
    sim_params p = s->p;
    const char *e = triage__scenario_param_set(&p, d, triage__scenario_trim(buf));
    if (e)
        return triage__error(TRIAGE_EINVAL, key, "%s.%s: %s", section, key, e);
    s->p = p;
    return TRIAGE_OK;
}

int triage__scenario_label_taken(const triage_scenario_t *s, const char *label)
{
    for (size_t i = 0; i < s->nworkers; i++)
        if (!strcmp(s->workers[i].label, label))
            return 1;
    return 0;
}

triage_status_t triage__scenario_append_worker(triage_scenario_t *s, const sim_worker_spec *w)
{
    triage_status_t rc = triage__grow(&s->alloc, (void **)&s->workers, &s->capworkers,
                                      s->nworkers + 1, sizeof *s->workers);
    if (rc)
        return rc;
    s->workers[s->nworkers++] = *w;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_add_worker(size_t *index, triage_scenario_t *s,
                                                      const char *label)
{
    if (!s)
        return triage__error_null("scenario");
    if (!label)
        return triage__error_null("label");
    const char *e = triage__scenario_check_label(label);
    if (e)
        return triage__error(TRIAGE_EINVAL, "label", "%s", e);
    if (triage__scenario_label_taken(s, label))
        return triage__error(TRIAGE_EEXISTS, "label", "a worker with that label exists");
    sim_worker_spec w;
    triage__scenario_worker_defaults(&w);
    snprintf(w.label, sizeof w.label, "%s", label);
    triage_status_t rc = triage__scenario_append_worker(s, &w);
    if (rc)
        return rc;
    if (index)
        *index = s->nworkers - 1;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_set_worker(triage_scenario_t *s, size_t index,
                                                      const char *key, const char *value)
{
    if (!s)
        return triage__error_null("scenario");
    if (!key)
        return triage__error_null("key");
    if (!value)
        return triage__error_null("value");
    if (index >= s->nworkers)
        return triage__error(TRIAGE_ERANGE, "index", "no worker with that index");
    int k = triage__scenario_worker_key(key);
    if (k < 0)
        return triage__error(TRIAGE_EINVAL, "key", "unknown worker key");
    char buf[SIM_LINE_MAX];
    if (strlen(value) >= sizeof buf)
        return triage__error(TRIAGE_EINVAL, key, "worker %s: value too long", key);
    snprintf(buf, sizeof buf, "%s", value);
    const char *v = triage__scenario_trim(buf);
    if (k == 0 && strcmp(v, s->workers[index].label) && triage__scenario_label_taken(s, v))
        return triage__error(TRIAGE_EEXISTS, "name", "a worker with that label exists");
    sim_worker_spec w = s->workers[index];
    const char *e = triage__scenario_worker_set(&s->alloc, &w, k, v);
    if (e && !strcmp(e, "out of memory"))
        return triage__error(TRIAGE_ENOMEM, key, "out of memory");
    if (e)
        return triage__error(TRIAGE_EINVAL, key, "worker %s: %s", key, e);
    s->workers[index] = w;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_worker_count(size_t *out, const triage_scenario_t *s)
{
    if (!out)
        return triage__error_null("out");
    if (!s)
        return triage__error_null("scenario");
    *out = s->nworkers;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_worker_label(const char **out,
                                                        const triage_scenario_t *s, size_t index)
{
    if (!out)
        return triage__error_null("out");
    if (!s)
        return triage__error_null("scenario");
    if (index >= s->nworkers)
        return triage__error(TRIAGE_ERANGE, "index", "no worker with that index");
    *out = s->workers[index].label;
    return TRIAGE_OK;
}

triage_status_t triage__scenario_add_absence(triage_scenario_t *s, const char *label,
                                             triage_date_t start, triage_date_t end,
                                             int32_t line)
{
    if (!triage__date_valid(start))
        return triage__error(TRIAGE_EINVAL, "start", "not a valid date");
    if (!triage__date_valid(end) || end < start)
        return triage__error(TRIAGE_EINVAL, "end", "the absence ends before it starts");
    triage_status_t rc = triage__grow(&s->alloc, (void **)&s->absences, &s->capabsences,
                                      s->nabsences + 1, sizeof *s->absences);
    if (rc)
        return rc;
    sim_absence_spec *a = &s->absences[s->nabsences++];
    memset(a, 0, sizeof *a);
    snprintf(a->label, sizeof a->label, "%s", label);
    a->start = start;
    a->end = end;
    a->line = line;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_add_absence(triage_scenario_t *s, const char *label,
                                                       triage_date_t start, triage_date_t end)
{
    if (!s)
        return triage__error_null("scenario");
    if (!label)
        return triage__error_null("label");
    const char *e = triage__scenario_check_label(label);
    if (e)
        return triage__error(TRIAGE_EINVAL, "label", "%s", e);
    return triage__scenario_add_absence(s, label, start, end, 0);
}

triage_status_t triage__scenario_add_muni(triage_scenario_t *s, int32_t code, const char *name,
                                          double weight, int32_t line)
{
    if (code <= 0 || code > 9999)
        return triage__error(TRIAGE_EINVAL, "code", "a municipality code is 1-9999");
    if (name && (strlen(name) >= SIM_NAME_MAX || strpbrk(name, "\n\r#")))
        return triage__error(TRIAGE_EINVAL, "name", "a name has at most 47 bytes and no '#'");
    if (!(weight >= 0) || !isfinite(weight))
        return triage__error(TRIAGE_EINVAL, "weight", "the weight must be 0 or more");
    for (size_t i = 0; i < s->nmunis; i++)
        if (s->munis[i].code == code)
            return triage__error(TRIAGE_EEXISTS, "code", "the municipality is listed twice");
    triage_status_t rc = triage__grow(&s->alloc, (void **)&s->munis, &s->capmunis,
                                      s->nmunis + 1, sizeof *s->munis);
    if (rc)
        return rc;
    sim_muni_spec *m = &s->munis[s->nmunis++];
    memset(m, 0, sizeof *m);
    m->code = code;
    snprintf(m->name, sizeof m->name, "%s", name ? name : "");
    m->weight = weight;
    m->lang_sv = m->lang_other = -1;
    m->social = 1;
    m->line = line;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_add_municipality(triage_scenario_t *s, int32_t code,
                                                            const char *name, double weight)
{
    if (!s)
        return triage__error_null("scenario");
    return triage__scenario_add_muni(s, code, name, weight, 0);
}

triage_status_t triage__scenario_set_distance(triage_scenario_t *s, int32_t a, int32_t b,
                                              double km, int32_t line)
{
    if (a <= 0)
        return triage__error(TRIAGE_EINVAL, "a", "a municipality code is 1-9999");
    if (b <= 0 || b == a)
        return triage__error(TRIAGE_EINVAL, "b", "a different municipality code is needed");
    if (!(km >= 0) || !isfinite(km) || km > 100000)
        return triage__error(TRIAGE_EINVAL, "km", "the distance must be 0-100000 km");
    for (size_t i = 0; i < s->ndists; i++) {
        sim_distance_spec *d = &s->dists[i];
        if ((d->a == a && d->b == b) || (d->a == b && d->b == a)) {
            d->km = km;
            d->line = line;
            return TRIAGE_OK;
        }
    }
    triage_status_t rc = triage__grow(&s->alloc, (void **)&s->dists, &s->capdists,
                                      s->ndists + 1, sizeof *s->dists);
    if (rc)
        return rc;
    s->dists[s->ndists++] = (sim_distance_spec){a, b, km, line};
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_set_distance(triage_scenario_t *s, int32_t a,
                                                        int32_t b, double km)
{
    if (!s)
        return triage__error_null("scenario");
    return triage__scenario_set_distance(s, a, b, km, 0);
}

/* ---- labels ------------------------------------------------------------------ */

int triage__sim_team_listed(const sim_teams *t, int32_t team)
{
    for (int32_t i = 0; i < t->n; i++)
        if (t->team[i] == team)
            return 1;
    return 0;
}

size_t triage__scenario_headcount(const triage_scenario_t *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nworkers; i++)
        n += (size_t)s->workers[i].count;
    return n;
}

int triage__scenario_label_range(const triage_scenario_t *s, const char *label, size_t *first,
                                 size_t *n)
{
    size_t base = 0;
    for (size_t i = 0; i < s->nworkers; i++) {
        const sim_worker_spec *w = &s->workers[i];
        size_t len = strlen(w->label);
        if (!strcmp(w->label, label)) {
            *first = base;
            *n = (size_t)w->count;
            return 1;
        }
        if (w->count > 1 && !strncmp(label, w->label, len) && label[len] == '-') {
            char *end;
            errno = 0;
            long k = strtol(label + len + 1, &end, 10);
            if (!errno && !*end && end != label + len + 1 && k >= 1 && k <= w->count &&
                label[len + 1] != '0') {
                *first = base + (size_t)(k - 1);
                *n = 1;
                return 1;
            }
        }
        base += (size_t)w->count;
    }
    return 0;
}

/* ---- validation ---------------------------------------------------------------- */

/* Error naming a line when known, else the field. */
static triage_status_t where(int32_t line, const char *field, const char *fmt_problem)
{
    if (line > 0) {
        char arg[64];
        snprintf(arg, sizeof arg, "line %d: %s", (int)line, field);
        return triage__error(TRIAGE_EINVAL, arg, "line %d: %s: %s", (int)line, field,
                             fmt_problem);
    }
    return triage__error(TRIAGE_EINVAL, field, "%s: %s", field, fmt_problem);
}

static int muni_known(const triage_scenario_t *s, int32_t code)
{
    if (!s->nmunis)
        return 1;
    for (size_t i = 0; i < s->nmunis; i++)
        if (s->munis[i].code == code)
            return 1;
    return 0;
}

static double sum(const double *v, int from, int to)
{
    double t = 0;
    for (int i = from; i < to; i++)
        t += v[i];
    return t;
}

TRIAGE_API triage_status_t triage_scenario_validate(const triage_scenario_t *s)
{
    if (!s)
        return triage__error_null("scenario");
    const sim_params *p = &s->p;
    if (!s->nworkers)
        return where(0, "worker", "the scenario has no workers");
    uint32_t staffed = 0;
    for (size_t i = 0; i < s->nworkers; i++) {
        const sim_worker_spec *w = &s->workers[i];
        staffed |= 1u << w->role;
        if (w->office && !muni_known(s, w->office))
            return where(w->line, "office", "not one of the listed municipalities");
        for (uint32_t k = 0; k < w->nserves; k++)
            if (!muni_known(s, w->serves[k]))
                return where(w->line, "serves", "not one of the listed municipalities");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->workers[j].label, w->label))
                return where(w->line, "name", "two workers have the same label");
    }
    for (size_t i = 0; i < s->nabsences; i++) {
        size_t first, n;
        if (!triage__scenario_label_range(s, s->absences[i].label, &first, &n))
            return where(s->absences[i].line, "worker", "no worker with that label");
    }
    for (size_t i = 0; i < s->ndists; i++)
        if (!muni_known(s, s->dists[i].a) || !muni_known(s, s->dists[i].b))
            return where(s->dists[i].line, "distances", "not one of the listed municipalities");
    if (s->ndists && !s->nmunis)
        return where(s->dists[0].line, "distances", "distances need [municipality] sections");
    if (s->ndists && s->ndists != s->nmunis * (s->nmunis - 1) / 2)
        return where(s->dists[0].line, "distances",
                     "the distance matrix must give every pair of municipalities");
    if (s->nmunis) {
        double t = 0;
        for (size_t i = 0; i < s->nmunis; i++)
            t += s->munis[i].weight;
        if (!(t > 0))
            return where(s->munis[0].line, "weight", "the municipality weights sum to 0");
    }
    if (!(sum(p->channel, 1, SIM_CHANNELS) > 0))
        return where(0, "intake.channel", "the channel weights sum to 0");
    if (!(sum(p->urgency, 1, SIM_TIERS) > 0))
        return where(0, "urgency", "the urgency weights sum to 0");
    if (!(sum(p->quadrant, 1, SIM_QUADRANTS) > 0))
        return where(0, "quadrants", "the quadrant weights sum to 0");
    if (!(sum(p->needs, 0, TRIAGE_NEED_COUNT) > 0))
        return where(0, "needs", "the need-area weights sum to 0");
    if (p->resolved > 0 && !(p->advice + p->referred + p->declined > 0))
        return where(0, "guidance.advice", "advice, referred and declined sum to 0");
    if (p->lang_sv + p->lang_other > 1)
        return where(0, "intake.language.other", "the language shares exceed 1");
    if (p->unwilling + p->unclear > 1)
        return where(0, "guidance.unclear", "unwilling and unclear exceed 1");
    if (!(p->guidance_roles & staffed))
        return where(0, "guidance.roles", "no worker has a role that staffs guidance");
    if (!(p->capacity > 0) && sum(p->intake, 1, SIM_KINDS) > 0)
        return where(0, "guidance.capacity", "guidance has no capacity");
    if (p->calls_min > p->calls_max)
        return where(0, "phone_line.calls_min", "calls_min is above calls_max");
    if (p->calls_max > 0 && !(p->line_roles & staffed))
        return where(0, "phone_line.roles", "no worker has a role that staffs the line");
    if (!(staffed & (1u << TRIAGE_ROLE_SOCIAL_WORKER)))
        return where(0, "worker", "special-support clients need a social worker");
    if (p->guidance_teams.n) {
        int any = 0;
        for (size_t i = 0; i < s->nworkers && !any; i++)
            any = (p->guidance_roles >> s->workers[i].role & 1u) &&
                  triage__sim_team_listed(&p->guidance_teams, s->workers[i].team);
        if (!any)
            return where(0, "guidance.teams",
                         "no worker of those teams has a role that staffs guidance");
    }
    if (p->calls_max > 0 && !p->line_weekdays)
        return where(0, "phone_line.weekdays", "the line runs on no weekday");
    if (p->line_from != TRIAGE_DATE_NONE && p->line_until != TRIAGE_DATE_NONE &&
        p->line_until < p->line_from)
        return where(0, "phone_line.until", "the line's period ends before it starts");
    for (int q = 1; q < SIM_QUADRANTS; q++)
        if (p->ia_advice[q] + p->ia_referred[q] > 1 + 1e-12) {
            static const char *const F[] = {"", "initial_assessment.referred.q1",
                                            "initial_assessment.referred.q2",
                                            "initial_assessment.referred.q3",
                                            "initial_assessment.referred.q4"};
            return where(0, F[q], "advice and referred exceed 1");
        }
    for (size_t i = 0; i < s->nkelas; i++) {
        if (s->kelas[i].muni && !muni_known(s, s->kelas[i].muni))
            return where(s->kelas[i].line, "municipality", "not one of the listed municipalities");
        if (p->channel[TRIAGE_CHANNEL_KELA] > 0)
            return where(s->kelas[i].line, "kela_point",
                         "with a [kela_point], intake.channel.kela must be 0: the point's staffed "
                         "days carry the Kela channel");
    }
    for (size_t i = 0; i < s->noutreach; i++) {
        const sim_outreach_spec *o = &s->outreach[i];
        if (o->muni && !muni_known(s, o->muni))
            return where(o->line, "municipality", "not one of the listed municipalities");
        if ((o->reach > 0 || o->staff_days > 0) && !(o->roles & staffed))
            return where(o->line, "roles", "no worker has a role that staffs the day");
    }
    for (size_t i = 0; i < s->nsegments; i++)
        if (s->segments[i].muni && !muni_known(s, s->segments[i].muni))
            return where(s->segments[i].line, "municipality",
                         "not one of the listed municipalities");
    return TRIAGE_OK;
}
