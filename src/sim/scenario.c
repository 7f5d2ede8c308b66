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
    {"intake", "language.sv", P_DOUBLE, O(lang_sv), 0, 1},
    {"intake", "language.other", P_DOUBLE, O(lang_other), 0, 1},
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
    {"guidance", "staff_share", P_DOUBLE, O(staff_share), 0, 1},
    {"guidance", "unwilling", P_DOUBLE, O(unwilling), 0, 1},
    {"guidance", "unclear", P_DOUBLE, O(unclear), 0, 1},
    {"quadrants", "q1", P_DOUBLE, O(quadrant[1]), 0, BIG},
    {"quadrants", "q2", P_DOUBLE, O(quadrant[2]), 0, BIG},
    {"quadrants", "q3", P_DOUBLE, O(quadrant[3]), 0, BIG},
    {"quadrants", "q4", P_DOUBLE, O(quadrant[4]), 0, BIG},
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
    {"sick_leave", "rate", P_DOUBLE, O(sick_rate), 0, 1},
    {"sick_leave", "days", P_RANGE, O(sick_days), 1, 250},
    {"policy", "guidance_first", P_BOOL, O(guidance_first), 0, 0},
    {"policy", "initial_assessment", P_BOOL, O(initial_assessment), 0, 0},
    {"policy", "initial_assessment_filter", P_DOUBLE, O(ia_filter), 0, 1},
    {"policy", "motivation_check", P_BOOL, O(motivation_check), 0, 0},
    {"policy", "special_support_responsible", P_SSR, O(special_support_responsible), 0, 0},
    {"policy", "unreachable_attempts", P_INT, O(unreachable_attempts), 1, 20},
    {"policy", "unreachable_min_days", P_INT, O(unreachable_min_days), 0, 60},
};
#define NPARAMS (sizeof triage__scenario_params / sizeof triage__scenario_params[0])
_Static_assert(NPARAMS <= 128, "seen bitset");
const size_t triage__scenario_nparams = NPARAMS;

const char *const triage__scenario_sections[] = {"scenario",  "intake",     "urgency",
                                                 "guidance",  "quadrants",  "durations",
                                                 "noshow",    "phone_line", "sick_leave",
                                                 "policy",    "municipality", "distances",
                                                 "worker",    "absence"};

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
    p->lang_sv = 0.01;
    p->lang_other = 0.04;
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
    p->sick_rate = 0.01;
    p->sick_days = (sim_range){1, 5};
    p->guidance_first = 1;
    p->initial_assessment = 0;
    p->ia_filter = 0.108;
    p->motivation_check = 1;
    p->special_support_responsible = TRIAGE_SS_SOCIAL_WORKER_ONLY;
    p->unreachable_attempts = 3;
    p->unreachable_min_days = 5;
}

/* ---- value parsing (each returns NULL or a problem text) -------------------- */

const char *triage__scenario_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

const char *triage__scenario_parse_double(double *out, const char *v, double lo, double hi)
{
    if (!*v)
        return "a number is missing";
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(d))
        return "not a number";
    if (d < lo || d > hi)
        return hi == 1 && lo == 0 ? "must be a probability between 0 and 1" : "out of range";
    *out = d;
    return NULL;
}

const char *triage__scenario_parse_int(int32_t *out, const char *v, double lo, double hi)
{
    if (!*v)
        return "an integer is missing";
    char *end;
    errno = 0;
    long l = strtol(v, &end, 10);
    if (end == v || *end || errno)
        return "not an integer";
    if ((double)l < lo || (double)l > hi)
        return "out of range";
    *out = (int32_t)l;
    return NULL;
}

static const char *parse_range(sim_range *out, const char *v, double lo, double hi)
{
    char buf[64];
    if (strlen(v) >= sizeof buf)
        return "not a range MIN MAX";
    snprintf(buf, sizeof buf, "%s", v);
    char *sp = strpbrk(buf, " \t");
    if (!sp)
        return "not a range MIN MAX";
    *sp = '\0';
    sim_range r;
    const char *e;
    if ((e = triage__scenario_parse_int(&r.lo, triage__scenario_trim(buf), lo, hi)) ||
        (e = triage__scenario_parse_int(&r.hi, triage__scenario_trim(sp + 1), lo, hi)))
        return e;
    if (r.lo > r.hi)
        return "MIN is above MAX";
    *out = r;
    return NULL;
}

static const char *parse_bool(int32_t *out, const char *v)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
        *out = 0;
    else
        return "must be yes or no";
    return NULL;
}

/* Splits a comma list; calls fn on each trimmed nonempty item. */
typedef const char *(*item_fn)(void *ctx, const char *item);
static const char *each_item(const char *v, item_fn fn, void *ctx)
{
    char buf[SIM_LINE_MAX];
    if (strlen(v) >= sizeof buf)
        return "list too long";
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL, *tok = buf;
    int any = 0;
    for (char *it = strtok_r(tok, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        const char *t = triage__scenario_trim(it);
        if (!*t)
            return "empty list item";
        const char *e = fn(ctx, t);
        if (e)
            return e;
        any = 1;
    }
    return any ? NULL : "empty list";
}

static const char *role_item(void *ctx, const char *item)
{
    for (int r = TRIAGE_ROLE_SERVICE_GUIDE; r <= TRIAGE_ROLE_SOCIAL_WORKER; r++)
        if (!strcmp(item, triage_role_name((triage_role_t)r))) {
            *(uint32_t *)ctx |= 1u << r;
            return NULL;
        }
    return "unknown role (service_guide, social_counsellor, social_worker)";
}

static const char *parse_roles(uint32_t *out, const char *v)
{
    uint32_t bits = 0;
    const char *e = each_item(v, role_item, &bits);
    if (!e)
        *out = bits;
    return e;
}

static const char *parse_role(triage_role_t *out, const char *v)
{
    uint32_t bits = 0;
    const char *e = role_item(&bits, v);
    if (e)
        return e;
    for (int r = 1; r < SIM_ROLES; r++)
        if (bits == 1u << r)
            *out = (triage_role_t)r;
    return NULL;
}

static const char *lang_item(void *ctx, const char *item)
{
    uint32_t *bits = ctx;
    if (!strcmp(item, "fi"))
        *bits |= TRIAGE_LANG_BIT_FI;
    else if (!strcmp(item, "sv"))
        *bits |= TRIAGE_LANG_BIT_SV;
    else if (!strcmp(item, "en"))
        *bits |= TRIAGE_LANG_BIT_EN;
    else
        return "unknown language (fi, sv, en)";
    return NULL;
}

/* A list of municipality codes of any length (a wellbeing services county
 * may have over 30 municipalities). */
typedef struct {
    const triage_allocator_t *a;
    int32_t *codes;
    size_t n, cap;
} code_list;

static const char *code_item(void *ctx, const char *item)
{
    code_list *l = ctx;
    int32_t c;
    if (triage__scenario_parse_int(&c, item, 1, 9999))
        return "not a municipality code";
    for (size_t i = 0; i < l->n; i++)
        if (l->codes[i] == c)
            return "a municipality is listed twice";
    if (triage__grow(l->a, (void **)&l->codes, &l->cap, l->n + 1, sizeof *l->codes))
        return "out of memory";
    l->codes[l->n++] = c;
    return NULL;
}

const char *triage__scenario_parse_text(char *out, size_t size, const char *v)
{
    if (!*v)
        return "empty text";
    if (strlen(v) >= size)
        return "too long";
    for (const unsigned char *c = (const unsigned char *)v; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return "control characters are not allowed";
    memcpy(out, v, strlen(v) + 1);
    return NULL;
}

const char *triage__scenario_parse_date(triage_date_t *out, const char *v)
{
    triage_date_t d;
    if (triage_date_parse(&d, v) != TRIAGE_OK)
        return "not a date YYYY-MM-DD";
    *out = d;
    return NULL;
}

const char *triage__scenario_check_label(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= SIM_LABEL_MAX)
        return "a label has 1-31 characters";
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return "a label uses only letters, digits, '_', '-' and '.'";
    }
    return NULL;
}

/* Sets a scalar parameter from text. */
const char *triage__scenario_param_set(sim_params *p, const sim_param_def *d, const char *v)
{
    char *base = (char *)p + d->off;
    switch (d->type) {
    case P_DOUBLE: return triage__scenario_parse_double((double *)(void *)base, v, d->lo, d->hi);
    case P_INT: return triage__scenario_parse_int((int32_t *)(void *)base, v, d->lo, d->hi);
    case P_RANGE: return parse_range((sim_range *)(void *)base, v, d->lo, d->hi);
    case P_BOOL: return parse_bool((int32_t *)(void *)base, v);
    case P_ROLES: return parse_roles((uint32_t *)(void *)base, v);
    case P_DATE: return triage__scenario_parse_date((triage_date_t *)(void *)base, v);
    case P_TEXT: return triage__scenario_parse_text(base, sizeof p->name, v);
    case P_SSR:
        if (!strcmp(v, "social_worker_only"))
            *(int32_t *)(void *)base = TRIAGE_SS_SOCIAL_WORKER_ONLY;
        else if (!strcmp(v, "social_worker_or_pair"))
            *(int32_t *)(void *)base = TRIAGE_SS_SOCIAL_WORKER_OR_PAIR;
        else
            return "must be social_worker_only or social_worker_or_pair";
        return NULL;
    }
    return "unknown type";
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

/* Worker fields. Bits of sim_worker_spec.seen. */
static const char *const WORKER_KEYS[] = {"name", "role", "fte", "office", "serves",
                                          "languages", "team", "count"};
#define NWORKER_KEYS (sizeof WORKER_KEYS / sizeof WORKER_KEYS[0])

int triage__scenario_worker_key(const char *key)
{
    for (size_t i = 0; i < NWORKER_KEYS; i++)
        if (!strcmp(WORKER_KEYS[i], key))
            return (int)i;
    return -1;
}

const char *triage__scenario_worker_set(const triage_allocator_t *a, sim_worker_spec *w, int k,
                                        const char *v)
{
    switch (k) {
    case 0: {
        const char *e = triage__scenario_check_label(v);
        if (!e)
            snprintf(w->label, sizeof w->label, "%s", v);
        return e;
    }
    case 1: return parse_role(&w->role, v);
    case 2: {
        double f;
        const char *e = triage__scenario_parse_double(&f, v, -BIG, BIG);
        if (e)
            return e;
        if (!(f > 0) || f > 1)
            return "FTE must be above 0 and at most 1";
        w->fte = f;
        return NULL;
    }
    case 3: return triage__scenario_parse_int(&w->office, v, 1, 9999);
    case 4: {
        code_list l = {a, NULL, 0, 0};
        const char *e = each_item(v, code_item, &l);
        if (e) {
            triage__free(a, l.codes);
            return e;
        }
        triage__free(a, w->serves);
        w->serves = l.codes;
        w->nserves = (uint32_t)l.n;
        return NULL;
    }
    case 5: {
        uint32_t bits = 0;
        const char *e = each_item(v, lang_item, &bits);
        if (!e)
            w->languages = bits;
        return e;
    }
    case 6: return triage__scenario_parse_int(&w->team, v, 0, 1000000);
    case 7: return triage__scenario_parse_int(&w->count, v, 1, SIM_MAX_COUNT);
    }
    return "unknown key";
}

void triage__scenario_worker_defaults(sim_worker_spec *w)
{
    memset(w, 0, sizeof *w);
    w->role = TRIAGE_ROLE_SOCIAL_COUNSELLOR;
    w->fte = 1.0;
    w->languages = TRIAGE_LANG_BIT_FI;
    w->count = 1;
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
    void *w = NULL, *ab = NULL, *m = NULL, *d = NULL;
    if (dup_array(&s->alloc, &w, src->workers, src->nworkers, sizeof *src->workers) ||
        dup_array(&s->alloc, &ab, src->absences, src->nabsences, sizeof *src->absences) ||
        dup_array(&s->alloc, &m, src->munis, src->nmunis, sizeof *src->munis) ||
        dup_array(&s->alloc, &d, src->dists, src->ndists, sizeof *src->dists)) {
        triage__free(&s->alloc, w);
        triage__free(&s->alloc, ab);
        triage__free(&s->alloc, m);
        triage__free(&s->alloc, d);
        triage__free(&s->alloc, s);
        return TRIAGE_ENOMEM;
    }
    s->workers = w;
    s->nworkers = s->capworkers = src->nworkers;
    s->absences = ab;
    s->nabsences = s->capabsences = src->nabsences;
    s->munis = m;
    s->nmunis = s->capmunis = src->nmunis;
    s->dists = d;
    s->ndists = s->capdists = src->ndists;
    /* the serves lists are the workers' own: copied one by one */
    for (size_t i = 0; i < s->nworkers; i++)
        s->workers[i].serves = NULL;
    for (size_t i = 0; i < s->nworkers; i++) {
        void *codes = NULL;
        if (dup_array(&s->alloc, &codes, src->workers[i].serves, src->workers[i].nserves,
                      sizeof *src->workers[i].serves)) {
            triage_scenario_free(s);
            return TRIAGE_ENOMEM;
        }
        s->workers[i].serves = codes;
    }
    *out = s;
    return TRIAGE_OK;
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
    return TRIAGE_OK;
}
