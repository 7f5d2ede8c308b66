/*
 * The text of a report: the builders (a growing string, JSON strings, CSV
 * fields, numbers without the C locale) and the CSV and JSON writers. The
 * rows are defined in docs/reports.md; keep the two in step.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/report_priv.h"

/* ---- text builders ------------------------------------------------------------ */

void triage__sb_put(triage__sb *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = triage__realloc(b->alloc, b->buf, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->buf = p;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void triage__sb_puts(triage__sb *b, const char *s)
{
    triage__sb_put(b, s, strlen(s));
}

void triage__sb_free(triage__sb *b)
{
    triage__free(b->alloc, b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}

/* Decodes one UTF-8 sequence at s; returns its length (1 for an invalid
 * byte, with *cp = U+FFFD). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n;
    uint32_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        c &= 0x07;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = c;
    return n;
}

static void put_u_escape(triage__sb *b, uint32_t u)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15],
                 hex[u & 15]};
    triage__sb_put(b, e, sizeof e);
}

void triage__json_string(triage__sb *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    triage__sb_put(b, "\"", 1);
    while (*p) {
        uint32_t c;
        size_t n = utf8_decode(p, &c);
        p += n;
        switch (c) {
        case '"': triage__sb_put(b, "\\\"", 2); continue;
        case '\\': triage__sb_put(b, "\\\\", 2); continue;
        case '\b': triage__sb_put(b, "\\b", 2); continue;
        case '\f': triage__sb_put(b, "\\f", 2); continue;
        case '\n': triage__sb_put(b, "\\n", 2); continue;
        case '\r': triage__sb_put(b, "\\r", 2); continue;
        case '\t': triage__sb_put(b, "\\t", 2); continue;
        default: break;
        }
        if (c < 0x20 || (c >= 0x7F && c < 0x10000)) {
            put_u_escape(b, c);
        } else if (c >= 0x10000) {
            c -= 0x10000;
            put_u_escape(b, 0xD800 + (c >> 10));
            put_u_escape(b, 0xDC00 + (c & 0x3FF));
        } else {
            char ch = (char)c;
            triage__sb_put(b, &ch, 1);
        }
    }
    triage__sb_put(b, "\"", 1);
}

void triage__csv_field(triage__sb *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        triage__sb_puts(b, s);
        return;
    }
    triage__sb_put(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            triage__sb_put(b, "\"", 1);
        triage__sb_put(b, p, 1);
    }
    triage__sb_put(b, "\"", 1);
}

char *triage__format_decimal(char buf[32], double v)
{
    /* Scale to an integer number of 1/10000 and print digits ourselves:
     * printf's %f would follow LC_NUMERIC's decimal point. */
    int neg = v < 0;
    double a = fabs(v);
    if (!isfinite(a) || a > 9.0e14)
        a = 9.0e14; /* figures never get near this; keep the output bounded */
    long long scaled = llround(a * 10000.0);
    long long ip = scaled / 10000, fp = scaled % 10000;
    if (scaled == 0)
        neg = 0;
    int n = snprintf(buf, 32, "%s%lld", neg ? "-" : "", ip);
    if (fp) {
        char frac[5];
        for (int i = 3; i >= 0; i--) {
            frac[i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        int len = 4;
        while (frac[len - 1] == '0')
            len--;
        buf[n++] = '.';
        memcpy(buf + n, frac, (size_t)len);
        n += len;
        buf[n] = '\0';
    }
    return buf;
}

/* ---- writers ---------------------------------------------------------------------- */

static const char *uint_text(char buf[24], uint64_t v)
{
    snprintf(buf, 24, "%llu", (unsigned long long)v);
    return buf;
}

static const char *int_text(char buf[24], int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

static const char *date_text(char buf[TRIAGE_DATE_STRLEN], triage_date_t d)
{
    if (triage_date_format(buf, TRIAGE_DATE_STRLEN, d))
        buf[0] = '\0';
    return buf;
}

static triage_status_t finish(char **out, triage__sb *b)
{
    if (!b->failed && !b->buf)
        triage__sb_put(b, "", 0);
    char *s = b->failed ? NULL : triage__owned_alloc(b->alloc, b->len + 1);
    if (s)
        memcpy(s, b->buf, b->len + 1);
    triage__sb_free(b);
    if (!s)
        return triage__error(TRIAGE_ENOMEM, "out", "out of memory");
    *out = s;
    return TRIAGE_OK;
}

static const char *const WORKER_FIELDS[] = {"workers", "assessment", "responsible", "pair"};

static uint32_t worker_field(const triage_report_workers_t *w, int i)
{
    switch (i) {
    case 0: return w->workers;
    case 1: return w->assessment;
    case 2: return w->responsible;
    default: return w->pair;
    }
}

/* CSV: section,group,key,value. */
static void csv_row(triage__sb *b, const char *section, const char *group, const char *key,
                    const char *value)
{
    triage__csv_field(b, section);
    triage__sb_put(b, ",", 1);
    triage__csv_field(b, group);
    triage__sb_put(b, ",", 1);
    triage__csv_field(b, key);
    triage__sb_put(b, ",", 1);
    triage__csv_field(b, value);
    triage__sb_put(b, "\n", 1);
}

static void csv_u(triage__sb *b, const char *section, const char *group, const char *key,
                  uint32_t v)
{
    char t[24];
    csv_row(b, section, group, key, uint_text(t, v));
}

static void csv_d(triage__sb *b, const char *section, const char *group, const char *key,
                  double v)
{
    char t[32];
    csv_row(b, section, group, key, isnan(v) ? "" : triage__format_decimal(t, v));
}

static void csv_balance(triage__sb *b, const char *section, const char *group,
                        const triage_balance_t *x)
{
    csv_u(b, section, group, "workers", (uint32_t)x->workers);
    csv_d(b, section, group, "max", x->max);
    csv_d(b, section, group, "min", x->min);
    csv_d(b, section, group, "mean", x->mean);
    csv_d(b, section, group, "cv", x->cv);
    csv_d(b, section, group, "gini", x->gini);
}

static const char *kind_key(int k)
{
    return k ? triage_intake_kind_name((triage_intake_kind_t)k) : "all";
}

static const char *channel_key(int c)
{
    return c ? triage_channel_name((triage_channel_t)c) : "all";
}

static const char *wait_key(int w)
{
    return w == TRIAGE_WAIT_FIRST_CONTACT ? "first_contact" : "assessment_start";
}

TRIAGE_API triage_status_t triage_report_write_csv(char **out, const triage_report_t *r)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    triage__sb b = {&r->alloc, NULL, 0, 0, 0};
    char t[32], d[TRIAGE_DATE_STRLEN];
    csv_row(&b, "section", "group", "key", "value");
    csv_row(&b, "period", "", "from_ms", int_text(t, r->from_ms));
    csv_row(&b, "period", "", "to_ms", int_text(t, r->to_ms));
    csv_row(&b, "period", "", "first_day", date_text(d, r->first_day));
    csv_row(&b, "period", "", "last_day", date_text(d, r->last_day));
    for (int k = 0; k < KINDS; k++)
        for (int c = 0; c < CHANNELS; c++)
            csv_u(&b, "intakes", kind_key(k), channel_key(c), r->intakes[k][c]);
    csv_u(&b, "guidance", "", "left", r->guidance_left);
    csv_u(&b, "guidance", "", "resolved", r->guidance_resolved);
    csv_d(&b, "guidance", "", "share",
          triage__report_share_of(r->guidance_resolved, r->guidance_left));
    csv_u(&b, "assessments", "", "started", r->assess_started);
    csv_u(&b, "assessments", "", "completed", r->assess_completed);
    csv_u(&b, "plans", "", "made", r->plans);
    csv_u(&b, "plans", "", "reviewed", r->plan_reviews);
    for (int i = 0; i < REASONS; i++)
        csv_u(&b, "closings", "",
              i ? triage_closing_reason_name((triage_closing_reason_t)i) : "all", r->closings[i]);
    for (int i = 0; i < BASES; i++) {
        const char *g = i ? triage_legal_basis_name((triage_legal_basis_t)i) : "all";
        csv_u(&b, "deadlines", g, "met", r->deadlines[i].met);
        csv_u(&b, "deadlines", g, "missed", r->deadlines[i].missed);
        csv_u(&b, "deadlines", g, "open", r->deadlines[i].open);
        csv_u(&b, "deadlines", g, "cancelled", r->deadlines[i].cancelled);
        csv_u(&b, "deadlines", g, "met_on_arrival", r->deadlines[i].met_on_arrival);
    }
    for (int w = 1; w < WAITS; w++) {
        csv_u(&b, "waiting_days", wait_key(w), "count", r->waits[w].count);
        csv_d(&b, "waiting_days", wait_key(w), "median", r->waits[w].median);
        csv_d(&b, "waiting_days", wait_key(w), "p90", r->waits[w].p90);
    }
    for (int q = 0; q < QUADRANTS; q++)
        csv_u(&b, "quadrants", "", q ? triage_quadrant_name((triage_quadrant_t)q) : "all",
              r->quadrants[q]);
    csv_u(&b, "failed_contacts", "", "no_shows", r->no_shows);
    csv_u(&b, "failed_contacts", "", "unreachable_attempts", r->unreachable);
    csv_u(&b, "over_cap", "", "soft", r->over_soft_cap);
    csv_u(&b, "over_cap", "", "hard", r->over_hard_cap);
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const triage_report_workers_t *w = &r->workers[i];
        char id[TRIAGE_ID_STRLEN];
        triage_id_format(id, sizeof id, &w->id);
        const char *role = triage_role_name((triage_role_t)w->role);
        csv_row(&b, "worker", id, "role", role ? role : "");
        csv_row(&b, "worker", id, "team", int_text(t, w->team));
        for (int f = 1; f < 4; f++)
            csv_u(&b, "worker", id, WORKER_FIELDS[f], worker_field(w, f));
        csv_d(&b, "worker", id, "load", w->load);
    }
    for (int role = 1; role < ROLES; role++)
        for (int f = 0; f < 4; f++)
            csv_u(&b, "role", triage_role_name((triage_role_t)role), WORKER_FIELDS[f],
                  worker_field(&r->roles[role], f));
    for (uint32_t i = 0; i < r->nteams; i++) {
        char team[24];
        int_text(team, r->teams[i].team);
        for (int f = 0; f < 4; f++)
            csv_u(&b, "team", team, WORKER_FIELDS[f], worker_field(&r->teams[i], f));
    }
    size_t cols = (size_t)r->nteams + 1;
    for (int role = 0; role < ROLES; role++)
        csv_balance(&b, "balance_role", role ? triage_role_name((triage_role_t)role) : "all",
                    &r->balance[(size_t)role * cols]);
    for (uint32_t i = 0; i < r->nteams; i++) {
        char team[24];
        csv_balance(&b, "balance_team", int_text(team, r->teams[i].team), &r->balance[i + 1]);
    }
    return finish(out, &b);
}

/* JSON: a small pretty-printing writer (two-space indent, one member per
 * line) that places commas itself. */
typedef struct {
    triage__sb *b;
    int depth;
    int empty[8]; /* per level: no member written yet */
} jw;

static void jw_indent(jw *w)
{
    triage__sb_put(w->b, "\n", 1);
    for (int i = 0; i < w->depth; i++)
        triage__sb_put(w->b, "  ", 2);
}

/* Starts a value: the comma and the line break before an object member
 * (key given) or an array element (key NULL). */
static void jw_item(jw *w, const char *key)
{
    if (w->depth > 0) {
        if (!w->empty[w->depth])
            triage__sb_put(w->b, ",", 1);
        w->empty[w->depth] = 0;
        jw_indent(w);
    }
    if (key) {
        triage__json_string(w->b, key);
        triage__sb_put(w->b, ": ", 2);
    }
}

static void jw_open(jw *w, const char *key, char bracket)
{
    jw_item(w, key);
    triage__sb_put(w->b, &bracket, 1);
    w->depth++;
    w->empty[w->depth] = 1;
}

static void jw_close(jw *w, char bracket)
{
    int was_empty = w->empty[w->depth];
    w->depth--;
    if (!was_empty)
        jw_indent(w);
    triage__sb_put(w->b, &bracket, 1);
}

static void jw_raw(jw *w, const char *key, const char *text)
{
    jw_item(w, key);
    triage__sb_puts(w->b, text);
}

static void jw_u(jw *w, const char *key, uint32_t v)
{
    char t[24];
    jw_raw(w, key, uint_text(t, v));
}

static void jw_i(jw *w, const char *key, int64_t v)
{
    char t[24];
    jw_raw(w, key, int_text(t, v));
}

static void jw_d(jw *w, const char *key, double v)
{
    char t[32];
    jw_raw(w, key, isnan(v) ? "null" : triage__format_decimal(t, v));
}

static void jw_s(jw *w, const char *key, const char *s)
{
    jw_item(w, key);
    triage__json_string(w->b, s);
}

static void jw_group(jw *w, const char *key, const triage_report_workers_t *g)
{
    for (int f = 0; f < 4; f++)
        jw_u(w, WORKER_FIELDS[f], worker_field(g, f));
    (void)key;
}

static void jw_balance(jw *w, const triage_balance_t *x)
{
    jw_i(w, "workers", x->workers);
    jw_d(w, "max", x->max);
    jw_d(w, "min", x->min);
    jw_d(w, "mean", x->mean);
    jw_d(w, "cv", x->cv);
    jw_d(w, "gini", x->gini);
}

TRIAGE_API triage_status_t triage_report_write_json(char **out, const triage_report_t *r)
{
    if (!out)
        return triage__error_null("out");
    if (!r)
        return triage__error_null("report");
    triage__sb b = {&r->alloc, NULL, 0, 0, 0};
    jw w;
    memset(&w, 0, sizeof w);
    w.b = &b;
    char d[TRIAGE_DATE_STRLEN];
    jw_open(&w, NULL, '{');
    jw_s(&w, "format", "libtriage-report");
    jw_u(&w, "format_version", 2);
    jw_open(&w, "period", '{');
    jw_i(&w, "from_ms", r->from_ms);
    jw_i(&w, "to_ms", r->to_ms);
    jw_s(&w, "first_day", date_text(d, r->first_day));
    jw_s(&w, "last_day", date_text(d, r->last_day));
    jw_close(&w, '}');

    jw_open(&w, "intakes", '{');
    jw_u(&w, "total", r->intakes[0][0]);
    jw_open(&w, "by_kind", '{');
    for (int k = 1; k < KINDS; k++)
        jw_u(&w, kind_key(k), r->intakes[k][0]);
    jw_close(&w, '}');
    jw_open(&w, "by_channel", '{');
    for (int c = 1; c < CHANNELS; c++)
        jw_u(&w, channel_key(c), r->intakes[0][c]);
    jw_close(&w, '}');
    jw_open(&w, "by_kind_and_channel", '{');
    for (int k = 1; k < KINDS; k++) {
        jw_open(&w, kind_key(k), '{');
        for (int c = 1; c < CHANNELS; c++)
            jw_u(&w, channel_key(c), r->intakes[k][c]);
        jw_close(&w, '}');
    }
    jw_close(&w, '}');
    jw_close(&w, '}');

    jw_open(&w, "guidance", '{');
    jw_u(&w, "left", r->guidance_left);
    jw_u(&w, "resolved", r->guidance_resolved);
    jw_d(&w, "share", triage__report_share_of(r->guidance_resolved, r->guidance_left));
    jw_close(&w, '}');
    jw_open(&w, "assessments", '{');
    jw_u(&w, "started", r->assess_started);
    jw_u(&w, "completed", r->assess_completed);
    jw_close(&w, '}');
    jw_u(&w, "plans", r->plans);
    jw_u(&w, "plan_reviews", r->plan_reviews);

    jw_open(&w, "closings", '{');
    jw_u(&w, "total", r->closings[0]);
    jw_open(&w, "by_reason", '{');
    for (int i = 1; i < REASONS; i++)
        jw_u(&w, triage_closing_reason_name((triage_closing_reason_t)i), r->closings[i]);
    jw_close(&w, '}');
    jw_close(&w, '}');

    jw_open(&w, "deadlines", '[');
    for (int i = 1; i < BASES; i++) {
        jw_open(&w, NULL, '{');
        jw_s(&w, "basis", triage_legal_basis_name((triage_legal_basis_t)i));
        jw_u(&w, "met", r->deadlines[i].met);
        jw_u(&w, "missed", r->deadlines[i].missed);
        jw_u(&w, "open", r->deadlines[i].open);
        jw_u(&w, "cancelled", r->deadlines[i].cancelled);
        jw_u(&w, "met_on_arrival", r->deadlines[i].met_on_arrival);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');

    jw_open(&w, "waiting_days", '{');
    for (int i = 1; i < WAITS; i++) {
        jw_open(&w, wait_key(i), '{');
        jw_u(&w, "count", r->waits[i].count);
        jw_d(&w, "median", r->waits[i].median);
        jw_d(&w, "p90", r->waits[i].p90);
        jw_close(&w, '}');
    }
    jw_close(&w, '}');

    jw_open(&w, "quadrants", '{');
    for (int q = 1; q < QUADRANTS; q++)
        jw_u(&w, triage_quadrant_name((triage_quadrant_t)q), r->quadrants[q]);
    jw_close(&w, '}');
    jw_open(&w, "failed_contacts", '{');
    jw_u(&w, "no_shows", r->no_shows);
    jw_u(&w, "unreachable_attempts", r->unreachable);
    jw_close(&w, '}');
    jw_open(&w, "over_cap", '{');
    jw_u(&w, "soft", r->over_soft_cap);
    jw_u(&w, "hard", r->over_hard_cap);
    jw_close(&w, '}');

    jw_open(&w, "workers", '[');
    for (uint32_t i = 0; i < r->nworkers; i++) {
        const triage_report_workers_t *x = &r->workers[i];
        char id[TRIAGE_ID_STRLEN];
        triage_id_format(id, sizeof id, &x->id);
        const char *role = triage_role_name((triage_role_t)x->role);
        jw_open(&w, NULL, '{');
        jw_s(&w, "id", id);
        jw_s(&w, "role", role ? role : "");
        jw_i(&w, "team", x->team);
        for (int f = 1; f < 4; f++)
            jw_u(&w, WORKER_FIELDS[f], worker_field(x, f));
        jw_d(&w, "load", x->load);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "roles", '[');
    for (int role = 1; role < ROLES; role++) {
        jw_open(&w, NULL, '{');
        jw_s(&w, "role", triage_role_name((triage_role_t)role));
        jw_group(&w, NULL, &r->roles[role]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "teams", '[');
    for (uint32_t i = 0; i < r->nteams; i++) {
        jw_open(&w, NULL, '{');
        jw_i(&w, "team", r->teams[i].team);
        jw_group(&w, NULL, &r->teams[i]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    size_t cols = (size_t)r->nteams + 1;
    jw_open(&w, "balance", '{');
    jw_open(&w, "all", '{');
    jw_balance(&w, &r->balance[0]);
    jw_close(&w, '}');
    jw_open(&w, "by_role", '[');
    for (int role = 1; role < ROLES; role++) {
        jw_open(&w, NULL, '{');
        jw_s(&w, "role", triage_role_name((triage_role_t)role));
        jw_balance(&w, &r->balance[(size_t)role * cols]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_open(&w, "by_team", '[');
    for (uint32_t i = 0; i < r->nteams; i++) {
        jw_open(&w, NULL, '{');
        jw_i(&w, "team", r->teams[i].team);
        jw_balance(&w, &r->balance[i + 1]);
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    jw_close(&w, '}');
    jw_close(&w, '}');
    triage__sb_put(&b, "\n", 1);
    return finish(out, &b);
}
