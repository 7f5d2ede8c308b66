/*
 * Scenario values as text: parsing each type of value of the file format
 * (docs/simulation.md), writing it back, and the [worker] keys.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim_internal.h"

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

/* "HH:MM" into minutes after midnight (24:00 allowed as the end of a day). */
static const char *parse_clock(int32_t *out, const char *v)
{
    int h, m;
    char tail;
    if (strlen(v) != 5 || v[2] != ':' || sscanf(v, "%2d:%2d%c", &h, &m, &tail) != 2 || h < 0 ||
        m < 0 || m > 59 || h > 24 || (h == 24 && m))
        return "not a time HH:MM-HH:MM";
    *out = h * 60 + m;
    return NULL;
}

static const char *parse_hours(sim_range *out, const char *v)
{
    char buf[32];
    const char *dash = strchr(v, '-');
    if (!dash || (size_t)(dash - v) >= sizeof buf || strlen(dash + 1) >= sizeof buf)
        return "not a time HH:MM-HH:MM";
    memcpy(buf, v, (size_t)(dash - v));
    buf[dash - v] = '\0';
    sim_range r;
    char end[32];
    snprintf(end, sizeof end, "%s", dash + 1);
    if (parse_clock(&r.lo, triage__scenario_trim(buf)) ||
        parse_clock(&r.hi, triage__scenario_trim(end)))
        return "not a time HH:MM-HH:MM";
    if (r.lo >= r.hi)
        return "the hours end before they start";
    *out = r;
    return NULL;
}

static const char *const WEEKDAY_NAMES[] = {"", "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static const char *weekday_item(void *ctx, const char *item)
{
    for (int d = 1; d <= 7; d++)
        if (!strcmp(item, WEEKDAY_NAMES[d])) {
            uint32_t *bits = ctx;
            if (*bits >> d & 1u)
                return "a weekday is listed twice";
            *bits |= 1u << d;
            return NULL;
        }
    return "unknown weekday (mon, tue, wed, thu, fri, sat, sun)";
}

static const char *parse_weekdays(uint32_t *out, const char *v)
{
    uint32_t bits = 0;
    const char *e = each_item(v, weekday_item, &bits);
    if (!e)
        *out = bits;
    return e;
}

static const char *team_item(void *ctx, const char *item)
{
    sim_teams *t = ctx;
    int32_t n;
    if (triage__scenario_parse_int(&n, item, 0, 1000000))
        return "not a team number";
    for (int32_t i = 0; i < t->n; i++)
        if (t->team[i] == n)
            return "a team is listed twice";
    if (t->n == SIM_MAX_TEAMS)
        return "more than 32 teams";
    t->team[t->n++] = n;
    return NULL;
}

static const char *parse_teams(sim_teams *out, const char *v)
{
    sim_teams t;
    memset(&t, 0, sizeof t);
    if (!strcmp(v, "any")) {
        *out = t;
        return NULL;
    }
    const char *e = each_item(v, team_item, &t);
    if (!e)
        *out = t;
    return e;
}

static const char *parse_period(int32_t *out, const char *v)
{
    static const struct {
        const char *name;
        int32_t months;
    } P[] = {{"month", 1}, {"quarter", 3}, {"half", 6}, {"year", 12}};
    for (size_t i = 0; i < sizeof P / sizeof P[0]; i++)
        if (!strcmp(v, P[i].name)) {
            *out = P[i].months;
            return NULL;
        }
    return "must be month, quarter, half or year";
}

static const char *const SERVICE_NAMES[] = {"working_age", "family", "older"};

/* Sets the value of row d (at base + d->off) from text. */
const char *triage__scenario_param_set(void *base_, const sim_param_def *d, const char *v)
{
    char *base = (char *)base_ + d->off;
    switch (d->type) {
    case P_DOUBLE: return triage__scenario_parse_double((double *)(void *)base, v, d->lo, d->hi);
    case P_INT: return triage__scenario_parse_int((int32_t *)(void *)base, v, d->lo, d->hi);
    case P_RANGE: return parse_range((sim_range *)(void *)base, v, d->lo, d->hi);
    case P_BOOL: return parse_bool((int32_t *)(void *)base, v);
    case P_ROLES: return parse_roles((uint32_t *)(void *)base, v);
    case P_DATE: return triage__scenario_parse_date((triage_date_t *)(void *)base, v);
    case P_TEXT: return triage__scenario_parse_text(base, 64, v);
    case P_NAME:
        if (strchr(v, '#'))
            return "a name has no '#'";
        return triage__scenario_parse_text(base, SIM_NAME_MAX, v);
    case P_SSR:
        if (!strcmp(v, "social_worker_only"))
            *(int32_t *)(void *)base = TRIAGE_SS_SOCIAL_WORKER_ONLY;
        else if (!strcmp(v, "social_worker_or_pair"))
            *(int32_t *)(void *)base = TRIAGE_SS_SOCIAL_WORKER_OR_PAIR;
        else
            return "must be social_worker_only or social_worker_or_pair";
        return NULL;
    case P_HOURS: return parse_hours((sim_range *)(void *)base, v);
    case P_WEEKDAYS: return parse_weekdays((uint32_t *)(void *)base, v);
    case P_DATEOPT:
        if (!strcmp(v, "none")) {
            *(triage_date_t *)(void *)base = TRIAGE_DATE_NONE;
            return NULL;
        }
        return triage__scenario_parse_date((triage_date_t *)(void *)base, v);
    case P_TEAMS: return parse_teams((sim_teams *)(void *)base, v);
    case P_KIND: {
        triage_intake_kind_t k;
        if (triage_intake_kind_from_name(&k, v) != TRIAGE_OK)
            return "unknown intake kind (contact, notification, child_welfare_notification, "
                   "application, kela_referral, other_authority)";
        *(int32_t *)(void *)base = (int32_t)k;
        return NULL;
    }
    case P_PERIOD: return parse_period((int32_t *)(void *)base, v);
    case P_SERVICE:
        for (int i = 0; i < 3; i++)
            if (!strcmp(v, SERVICE_NAMES[i])) {
                *(int32_t *)(void *)base = i + 1;
                return NULL;
            }
        return "must be working_age, family or older";
    }
    return "unknown type";
}

/* ---- values as text (the writer) ------------------------------------------------ */

static void roles_text(char *out, size_t size, uint32_t bits)
{
    out[0] = '\0';
    for (int r = 1; r < SIM_ROLES; r++)
        if (bits >> r & 1u) {
            size_t n = strlen(out);
            snprintf(out + n, size - n, "%s%s", n ? ", " : "", triage_role_name((triage_role_t)r));
        }
}

void triage__scenario_value_text(char *out, size_t size, const void *base_,
                                 const sim_param_def *d)
{
    const char *base = (const char *)base_ + d->off;
    switch (d->type) {
    case P_DOUBLE: snprintf(out, size, "%.17g", *(const double *)(const void *)base); return;
    case P_INT: snprintf(out, size, "%d", (int)*(const int32_t *)(const void *)base); return;
    case P_BOOL:
        snprintf(out, size, "%s", *(const int32_t *)(const void *)base ? "yes" : "no");
        return;
    case P_RANGE: {
        const sim_range *r = (const sim_range *)(const void *)base;
        snprintf(out, size, "%d %d", (int)r->lo, (int)r->hi);
        return;
    }
    case P_ROLES: roles_text(out, size, *(const uint32_t *)(const void *)base); return;
    case P_DATE: triage_date_format(out, size, *(const triage_date_t *)(const void *)base); return;
    case P_DATEOPT: {
        triage_date_t dt = *(const triage_date_t *)(const void *)base;
        if (dt == TRIAGE_DATE_NONE)
            snprintf(out, size, "none");
        else
            triage_date_format(out, size, dt);
        return;
    }
    case P_TEXT:
    case P_NAME: snprintf(out, size, "%s", base); return;
    case P_SSR:
        snprintf(out, size, "%s",
                 *(const int32_t *)(const void *)base == TRIAGE_SS_SOCIAL_WORKER_OR_PAIR
                     ? "social_worker_or_pair"
                     : "social_worker_only");
        return;
    case P_HOURS: {
        const sim_range *r = (const sim_range *)(const void *)base;
        snprintf(out, size, "%02d:%02d-%02d:%02d", (int)(r->lo / 60), (int)(r->lo % 60),
                 (int)(r->hi / 60), (int)(r->hi % 60));
        return;
    }
    case P_WEEKDAYS: {
        uint32_t bits = *(const uint32_t *)(const void *)base;
        out[0] = '\0';
        for (int dd = 1; dd <= 7; dd++)
            if (bits >> dd & 1u) {
                size_t n = strlen(out);
                snprintf(out + n, size - n, "%s%s", n ? ", " : "", WEEKDAY_NAMES[dd]);
            }
        return;
    }
    case P_TEAMS: {
        const sim_teams *t = (const sim_teams *)(const void *)base;
        if (!t->n) {
            snprintf(out, size, "any");
            return;
        }
        out[0] = '\0';
        for (int32_t i = 0; i < t->n; i++) {
            size_t n = strlen(out);
            snprintf(out + n, size - n, "%s%d", i ? ", " : "", (int)t->team[i]);
        }
        return;
    }
    case P_KIND: {
        int32_t kind = *(const int32_t *)(const void *)base;
        snprintf(out, size, "%s", triage_intake_kind_name((triage_intake_kind_t)kind));
        return;
    }
    case P_SERVICE: {
        int32_t sv = *(const int32_t *)(const void *)base;
        snprintf(out, size, "%s", SERVICE_NAMES[sv >= 1 && sv <= 3 ? sv - 1 : 0]);
        return;
    }
    case P_PERIOD: {
        int32_t m = *(const int32_t *)(const void *)base;
        snprintf(out, size, "%s", m == 1 ? "month" : m == 3 ? "quarter" : m == 6 ? "half" : "year");
        return;
    }
    }
    out[0] = '\0';
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
