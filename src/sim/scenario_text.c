/*
 * The scenario file: the strict line-based format, its parser and its
 * writer. The format is documented in docs/simulation.md; keep the two in
 * step.
 */
#include <stdio.h>
#include <string.h>

#include "sim/sim_internal.h"

/* ---- the parser ---------------------------------------------------------------- */

typedef struct {
    triage_scenario_t *s;
    const char *name;
    int line;
    int section;               /* -1 before the first header */
    int section_line;
    sim_worker_spec worker;    /* pending [worker] */
    char absence_label[SIM_LABEL_MAX];
    triage_date_t absence_start, absence_end;
    union {                    /* pending [municipality], [kela_point], [outreach], [segment] */
        sim_muni_spec m;
        sim_kela_spec k;
        sim_outreach_spec o;
        sim_segment_spec g;
    } spec;
    uint32_t seen;             /* keys of the pending repeated section */
} parser;

static triage_status_t perr(const parser *ps, int line, const char *field, const char *problem)
{
    char arg[64];
    snprintf(arg, sizeof arg, "line %d: %s", line, field);
    return triage__error(TRIAGE_EINVAL, arg, "%s:%d: %s: %s", ps->name, line, field, problem);
}

/* The index of `key` in `keys`, or -1. */
static int key_index(const char *const *keys, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(keys[i], key))
            return i;
    return -1;
}

/* Takes key number `k` of a repeated section ([worker], [absence],
 * [municipality]): refuses an unknown (k < 0) or repeated key. */
static triage_status_t claim_key(parser *ps, const char *key, int k, const char *unknown)
{
    if (k < 0)
        return perr(ps, ps->line, key, unknown);
    if (ps->seen >> k & 1u)
        return perr(ps, ps->line, key, "duplicate key");
    ps->seen |= 1u << k;
    return TRIAGE_OK;
}

/* Turns an error of an internal setter into a located one. */
static triage_status_t relocate(const parser *ps, triage_status_t rc, const char *field)
{
    if (rc == TRIAGE_ENOMEM)
        return rc;
    return perr(ps, ps->line, field, triage_error_last()->message);
}

static triage_status_t finish_section(parser *ps)
{
    triage_scenario_t *s = ps->s;
    triage_status_t rc = TRIAGE_OK;
    switch (ps->section) {
    case SEC_WORKER:
        if (!(ps->seen & 1u))
            return perr(ps, ps->section_line, "name", "a [worker] needs a name");
        if (triage__scenario_label_taken(s, ps->worker.label))
            return perr(ps, ps->section_line, "name", "two workers have the same label");
        ps->worker.line = ps->section_line;
        rc = triage__scenario_append_worker(s, &ps->worker);
        if (!rc)
            ps->worker.serves = NULL; /* the scenario owns it now */
        break;
    case SEC_ABSENCE:
        if ((ps->seen & 7u) != 7u)
            return perr(ps, ps->section_line, !(ps->seen & 1u) ? "worker" : !(ps->seen & 2u) ? "start" : "end",
                        "an [absence] needs worker, start and end");
        if (ps->absence_end < ps->absence_start)
            return perr(ps, ps->section_line, "end", "the absence ends before it starts");
        rc = triage__scenario_add_absence(s, ps->absence_label, ps->absence_start,
                                          ps->absence_end, ps->section_line);
        break;
    case SEC_MUNI:
    case SEC_KELA:
    case SEC_OUTREACH:
    case SEC_SEGMENT: {
        const char *field = NULL;
        const char *e = triage__scenario_spec_check(ps->section, &ps->spec, ps->seen, &field);
        if (e)
            return perr(ps, ps->section_line, field, e);
        switch (ps->section) {
        case SEC_MUNI: ps->spec.m.line = ps->section_line; break;
        case SEC_KELA: ps->spec.k.line = ps->section_line; break;
        case SEC_OUTREACH: ps->spec.o.line = ps->section_line; break;
        default: ps->spec.g.line = ps->section_line; break;
        }
        rc = triage__scenario_append_spec(s, ps->section, &ps->spec);
        if (rc && rc != TRIAGE_ENOMEM)
            return perr(ps, ps->section_line, "code", triage_error_last()->message);
        break;
    }
    default:
        break;
    }
    return rc;
}

static triage_status_t parse_line(parser *ps, char *raw)
{
    char *hash = strchr(raw, '#');
    if (hash)
        *hash = '\0';
    char *l = (char *)triage__scenario_trim(raw);
    if (!*l)
        return TRIAGE_OK;
    if (*l == '[') {
        size_t n = strlen(l);
        if (l[n - 1] != ']')
            return perr(ps, ps->line, "section", "a section header is [name]");
        l[n - 1] = '\0';
        const char *name = triage__scenario_trim(l + 1);
        int si = triage__scenario_section_index(name);
        if (si < 0)
            return perr(ps, ps->line, name, "unknown section");
        triage_status_t rc = finish_section(ps);
        if (rc)
            return rc;
        if (si < SEC_WORKER && si != SEC_MUNI && (ps->s->seen[15] >> si & 1u))
            return perr(ps, ps->line, name, "the section appears twice");
        if (si < SEC_WORKER && si != SEC_MUNI)
            ps->s->seen[15] |= UINT64_C(1) << si;
        ps->section = si;
        ps->section_line = ps->line;
        ps->seen = 0;
        if (si == SEC_WORKER)
            triage__scenario_worker_defaults(&ps->worker);
        if (triage__scenario_section_def(si))
            triage__scenario_section_defaults(si, &ps->spec);
        return TRIAGE_OK;
    }
    char *eq = strchr(l, '=');
    if (!eq)
        return perr(ps, ps->line, "line", "expected key = value");
    *eq = '\0';
    char *key = (char *)triage__scenario_trim(l);
    const char *v = triage__scenario_trim(eq + 1);
    if (!*key)
        return perr(ps, ps->line, "line", "a key is missing");
    if (ps->section < 0)
        return perr(ps, ps->line, key, "a key before any [section]");
    if (!*v)
        return perr(ps, ps->line, key, "a value is missing");
    const char *e = NULL;
    triage_status_t rc;
    switch (ps->section) {
    case SEC_WORKER: {
        int k = triage__scenario_worker_key(key);
        if ((rc = claim_key(ps, key, k, "unknown key in [worker]")))
            return rc;
        e = triage__scenario_worker_set(&ps->s->alloc, &ps->worker, k, v);
        if (e && !strcmp(e, "out of memory"))
            return TRIAGE_ENOMEM;
        break;
    }
    case SEC_ABSENCE: {
        static const char *const keys[] = {"worker", "start", "end"};
        int k = key_index(keys, 3, key);
        if ((rc = claim_key(ps, key, k, "unknown key in [absence]")))
            return rc;
        if (k == 0) {
            e = triage__scenario_check_label(v);
            if (!e)
                snprintf(ps->absence_label, sizeof ps->absence_label, "%s", v);
        } else {
            e = triage__scenario_parse_date(k == 1 ? &ps->absence_start : &ps->absence_end, v);
        }
        break;
    }
    case SEC_MUNI:
    case SEC_KELA:
    case SEC_OUTREACH:
    case SEC_SEGMENT:
        e = triage__scenario_spec_key(ps->section, &ps->spec, &ps->seen, key, v);
        if (e && !strcmp(e, "unknown key")) {
            char what[64];
            snprintf(what, sizeof what, "unknown key in [%s]",
                     triage__scenario_sections[ps->section]);
            return perr(ps, ps->line, key, what);
        }
        break;
    case SEC_DIST: {
        /* "CODE-CODE = KM" */
        char *dash = strchr(key, '-');
        int32_t a = 0, b = 0;
        double km = 0;
        if (!dash)
            return perr(ps, ps->line, key, "a distance key is CODE-CODE");
        *dash = '\0';
        if (triage__scenario_parse_int(&a, key, 1, 9999) ||
            triage__scenario_parse_int(&b, dash + 1, 1, 9999)) {
            *dash = '-';
            return perr(ps, ps->line, key, "a distance key is CODE-CODE");
        }
        *dash = '-';
        if ((e = triage__scenario_parse_double(&km, v, 0, 100000)))
            break;
        for (size_t i = 0; i < ps->s->ndists; i++) {
            const sim_distance_spec *d = &ps->s->dists[i];
            if ((d->a == a && d->b == b) || (d->a == b && d->b == a))
                return perr(ps, ps->line, key, "duplicate key");
        }
        if ((rc = triage__scenario_set_distance(ps->s, a, b, km, ps->line)))
            return relocate(ps, rc, key);
        break;
    }
    default: {
        size_t idx;
        const sim_param_def *d =
            triage__scenario_param_find(triage__scenario_sections[ps->section], key, &idx);
        if (!d && !strcmp(triage__scenario_sections[ps->section], "policy") &&
            !strcmp(key, "initial_assessment_filter"))
            return perr(ps, ps->line, key,
                        "no longer a key: the share closed at the initial assessment follows "
                        "from what the step handles ([initial_assessment] advice.qN, "
                        "referred.qN)");
        if (!d)
            return perr(ps, ps->line, key, "unknown key");
        if (ps->s->seen[idx / 64] >> (idx % 64) & 1u)
            return perr(ps, ps->line, key, "duplicate key");
        ps->s->seen[idx / 64] |= UINT64_C(1) << (idx % 64);
        e = triage__scenario_param_set(&ps->s->p, d, v);
        break;
    }
    }
    return e ? perr(ps, ps->line, key, e) : TRIAGE_OK;
}

/* Re-locates a validation error: validation names lines itself when known. */
static triage_status_t validate_parsed(const parser *ps)
{
    triage_status_t rc = triage_scenario_validate(ps->s);
    if (rc == TRIAGE_OK || rc == TRIAGE_ENOMEM)
        return rc;
    const triage_error_t *e = triage_error_last();
    char arg[64], msg[256];
    snprintf(arg, sizeof arg, "%s", e->argument);
    snprintf(msg, sizeof msg, "%s", e->message);
    if (!strncmp(arg, "line ", 5))
        return triage__error(rc, arg, "%s:%s", ps->name, msg + 5);
    return triage__error(rc, arg, "%s: %s", ps->name, msg);
}

TRIAGE_API triage_status_t triage_scenario_parse(triage_scenario_t **out, const char *text,
                                                 const char *name,
                                                 const triage_allocator_t *alloc)
{
    if (!out)
        return triage__error_null("out");
    if (!text)
        return triage__error_null("text");
    triage_scenario_t *s = NULL;
    triage_status_t rc = triage_scenario_new(&s, alloc);
    if (rc)
        return rc;
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.s = s;
    ps.name = name ? name : "scenario";
    ps.section = -1;
    const char *p = text;
    while (*p && !rc) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        ps.line++;
        char buf[SIM_LINE_MAX];
        if (n >= sizeof buf) {
            rc = perr(&ps, ps.line, "line", "the line is too long");
            break;
        }
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (memchr(buf, '\0', n) || strlen(buf) != n) {
            rc = perr(&ps, ps.line, "line", "a NUL byte in the text");
            break;
        }
        rc = parse_line(&ps, buf);
        p = nl ? nl + 1 : p + n;
    }
    if (!rc)
        rc = finish_section(&ps);
    triage__free(&s->alloc, ps.worker.serves); /* a pending [worker] not appended */
    if (!rc)
        rc = validate_parsed(&ps);
    if (rc) {
        triage_scenario_free(s);
        return rc;
    }
    memset(s->seen, 0, sizeof s->seen);
    *out = s;
    return TRIAGE_OK;
}

TRIAGE_API triage_status_t triage_scenario_load(triage_scenario_t **out, const char *path,
                                                const triage_allocator_t *alloc)
{
    if (!out)
        return triage__error_null("out");
    if (!path)
        return triage__error_null("path");
    if (alloc) {
        triage_status_t rc = triage__allocator_check(alloc, "alloc");
        if (rc)
            return rc;
    }
    FILE *f = fopen(path, "rb");
    if (!f)
        return triage__error(TRIAGE_ENOTFOUND, "path", "%s: cannot open the file", path);
    size_t cap = 0, len = 0;
    char *buf = NULL;
    triage_status_t rc = TRIAGE_OK;
    for (;;) {
        if ((rc = triage__grow(alloc, (void **)&buf, &cap, len + 4097, 1)))
            break;
        size_t got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096) {
            if (ferror(f))
                rc = triage__error(TRIAGE_ENOTFOUND, "path", "%s: cannot read the file", path);
            break;
        }
        if (len > ((size_t)16 << 20)) {
            rc = triage__error(TRIAGE_EINVAL, "path", "%s: the file is larger than 16 MiB", path);
            break;
        }
    }
    fclose(f);
    if (!rc) {
        buf[len] = '\0';
        if (strlen(buf) != len)
            rc = triage__error(TRIAGE_EINVAL, "path", "%s: a NUL byte in the file", path);
    }
    if (!rc)
        rc = triage_scenario_parse(out, buf, path, alloc);
    triage__free(alloc, buf);
    return rc;
}

/* ---- the writer ----------------------------------------------------------------- */

typedef struct {
    const triage_allocator_t *a;
    char *buf;
    size_t len, cap;
    int failed;
} wbuf;

static void wput(wbuf *w, const char *fmt, ...) TRIAGE__PRINTF(2, 3);
static void wput(wbuf *w, const char *fmt, ...)
{
    if (w->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    char tmp[SIM_LINE_MAX + 64];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp ||
        triage__grow(w->a, (void **)&w->buf, &w->cap, w->len + (size_t)n + 1, 1)) {
        w->failed = 1;
        return;
    }
    memcpy(w->buf + w->len, tmp, (size_t)n + 1);
    w->len += (size_t)n;
}


/* Every instance of a repeated section of plain keys, every key written. */
static void write_specs(wbuf *w, int section, const void *specs, size_t n, size_t size)
{
    const sim_section_def *d = triage__scenario_section_def(section);
    for (size_t i = 0; i < n; i++) {
        const void *spec = (const char *)specs + i * size;
        wput(w, "\n[%s]\n", triage__scenario_sections[section]);
        for (size_t k = 0; k < d->nkeys; k++) {
            char t[SIM_LINE_MAX];
            triage__scenario_value_text(t, sizeof t, spec, &d->keys[k]);
            wput(w, "%s = %s\n", d->keys[k].key, t);
        }
    }
}

TRIAGE_API triage_status_t triage_scenario_write(char **out, const triage_scenario_t *s)
{
    if (!out)
        return triage__error_null("out");
    if (!s)
        return triage__error_null("scenario");
    wbuf w = {&s->alloc, NULL, 0, 0, 0};
    const char *section = "";
    for (size_t i = 0; i < triage__scenario_nparams; i++) {
        const sim_param_def *d = &triage__scenario_params[i];
        if (strcmp(section, d->section)) {
            section = d->section;
            wput(&w, "%s[%s]\n", i ? "\n" : "", section);
        }
        char t[SIM_LINE_MAX];
        triage__scenario_value_text(t, sizeof t, &s->p, d);
        wput(&w, "%s = %s\n", d->key, t);
    }
    for (size_t i = 0; i < s->nmunis; i++) {
        const sim_muni_spec *m = &s->munis[i];
        wput(&w, "\n[municipality]\ncode = %d\n", (int)m->code);
        if (m->name[0])
            wput(&w, "name = %s\n", m->name);
        wput(&w, "weight = %.17g\n", m->weight);
        if (m->lang_sv >= 0)
            wput(&w, "language.sv = %.17g\nlanguage.other = %.17g\n", m->lang_sv, m->lang_other);
        if (!m->social)
            wput(&w, "social_reporting = no\n");
    }
    if (s->ndists) {
        wput(&w, "\n[distances]\n");
        for (size_t i = 0; i < s->ndists; i++)
            wput(&w, "%d-%d = %.17g\n", (int)s->dists[i].a, (int)s->dists[i].b, s->dists[i].km);
    }
    for (size_t i = 0; i < s->nworkers; i++) {
        const sim_worker_spec *x = &s->workers[i];
        char t[128];
        wput(&w, "\n[worker]\nname = %s\nrole = %s\nfte = %.17g\n", x->label,
             triage_role_name(x->role), x->fte);
        if (x->office)
            wput(&w, "office = %d\n", (int)x->office);
        if (x->nserves) {
            wput(&w, "serves = ");
            for (uint32_t k = 0; k < x->nserves; k++)
                wput(&w, "%s%d", k ? ", " : "", (int)x->serves[k]);
            wput(&w, "\n");
        }
        t[0] = '\0';
        static const char *const L[] = {"fi", "sv", "en"};
        for (int k = 0; k < 3; k++)
            if (x->languages >> k & 1u) {
                size_t n = strlen(t);
                snprintf(t + n, sizeof t - n, "%s%s", n ? ", " : "", L[k]);
            }
        wput(&w, "languages = %s\nteam = %d\ncount = %d\n", t, (int)x->team, (int)x->count);
    }
    for (size_t i = 0; i < s->nabsences; i++) {
        char a[TRIAGE_DATE_STRLEN], b[TRIAGE_DATE_STRLEN];
        triage_date_format(a, sizeof a, s->absences[i].start);
        triage_date_format(b, sizeof b, s->absences[i].end);
        wput(&w, "\n[absence]\nworker = %s\nstart = %s\nend = %s\n", s->absences[i].label, a, b);
    }
    write_specs(&w, SEC_KELA, s->kelas, s->nkelas, sizeof *s->kelas);
    write_specs(&w, SEC_OUTREACH, s->outreach, s->noutreach, sizeof *s->outreach);
    write_specs(&w, SEC_SEGMENT, s->segments, s->nsegments, sizeof *s->segments);
    if (!w.failed && !w.buf)
        wput(&w, "%s", "");
    char *r = w.failed ? NULL : triage__owned_alloc(&s->alloc, w.len + 1);
    if (r)
        memcpy(r, w.buf, w.len + 1);
    triage__free(&s->alloc, w.buf);
    if (!r)
        return triage__error(TRIAGE_ENOMEM, "out", "out of memory");
    *out = r;
    return TRIAGE_OK;
}
