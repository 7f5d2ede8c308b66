/*
 * triage simulate --tables DIR: the run's cases, events, deadlines and
 * assignments as four CSV files, the same columns, rows and values as the
 * Python tables (SimReport.cases() and the others, docs/python.md "Tables";
 * bindings/python/triage/_tables.py names the columns and the enums).
 *
 * Each value is written as Python's csv module writes the table's rows: ids
 * as UUID text, dates as YYYY-MM-DD, times as str() of an aware UTC
 * datetime ("2025-01-02 07:30:00+00:00"), enums by their lower-case names,
 * flags as True/False, and an absent value (None) as an empty field; a
 * field holding a comma, a double quote or a line break is quoted
 * (RFC 4180). Lines end in LF, like the command's other CSV output.
 *
 * Only the public API: the run's engine (triage_sim_engine()), its case
 * list, events and deadline rows, read the way bindings/python/tables.i
 * reads them. Messages name files, never a value of the tables.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* One CSV file being written: the first write error sticks. */
typedef struct {
    FILE *f;
    int ok;    /* no write failed */
    int first; /* the next field starts a line */
} csv_t;

static void csv_raw(csv_t *w, const char *s)
{
    if (w->ok && fputs(s, w->f) == EOF)
        w->ok = 0;
}

static void csv_sep(csv_t *w)
{
    if (!w->first)
        csv_raw(w, ",");
    w->first = 0;
}

/* A text field, quoted when it holds a comma, a quote or a line break. */
static void csv_text(csv_t *w, const char *s)
{
    csv_sep(w);
    if (!strpbrk(s, ",\"\r\n")) {
        csv_raw(w, s);
        return;
    }
    csv_raw(w, "\"");
    for (const char *q; w->ok && (q = strchr(s, '"')); s = q + 1) {
        if (fwrite(s, 1, (size_t)(q - s), w->f) != (size_t)(q - s))
            w->ok = 0;
        csv_raw(w, "\"\"");
    }
    csv_raw(w, s);
    csv_raw(w, "\"");
}

static void csv_end(csv_t *w)
{
    csv_raw(w, "\n");
    w->first = 1;
}

static void csv_none(csv_t *w)
{
    csv_sep(w);
}

static void csv_int(csv_t *w, long long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", v);
    csv_text(w, buf);
}

static void csv_bool(csv_t *w, int v)
{
    csv_text(w, v ? "True" : "False");
}

static void csv_id(csv_t *w, const triage_id_t *id)
{
    char buf[TRIAGE_ID_STRLEN];
    if (triage_id_is_nil(id) || triage_id_format(buf, sizeof buf, id) != TRIAGE_OK) {
        csv_none(w);
        return;
    }
    csv_text(w, buf);
}

static void csv_date(csv_t *w, triage_date_t d)
{
    char buf[16];
    if (d == TRIAGE_DATE_NONE || triage_date_format(buf, sizeof buf, d) != TRIAGE_OK) {
        csv_none(w);
        return;
    }
    csv_text(w, buf);
}

/* A UTC time as Python's str() of an aware datetime: microseconds only when
 * not zero. */
static void csv_time(csv_t *w, int64_t ms)
{
    int64_t day = ms / 86400000, rest = ms % 86400000;
    if (rest < 0) {
        rest += 86400000;
        day--;
    }
    char date[16], buf[48];
    if (day < INT32_MIN || day > INT32_MAX ||
        triage_date_format(date, sizeof date, (triage_date_t)day) != TRIAGE_OK) {
        csv_int(w, (long long)ms); /* outside the calendar: the number */
        return;
    }
    int h = (int)(rest / 3600000), m = (int)(rest / 60000 % 60), s = (int)(rest / 1000 % 60);
    int frac = (int)(rest % 1000);
    if (frac)
        snprintf(buf, sizeof buf, "%s %02d:%02d:%02d.%03d000+00:00", date, h, m, s, frac);
    else
        snprintf(buf, sizeof buf, "%s %02d:%02d:%02d+00:00", date, h, m, s);
    csv_text(w, buf);
}

/* An enum by its name (NULL: its number, as Python gives an unknown one). */
static void csv_enum(csv_t *w, const char *name, long long v)
{
    if (name)
        csv_text(w, name);
    else
        csv_int(w, v);
}

/* The name of enum value v in a table of names indexed from 1 (NULL: none). */
#define NAME_OF(names, v)                                                                      \
    ((v) >= 1 && (size_t)(v) <= sizeof(names) / sizeof *(names) ? (names)[(v) - 1] : NULL)

static const char *const language_names[] = {"fi", "sv", "other"};
static const char *const service_names[] = {"working_age", "family", "older"};
static const char *const slot_names[] = {"assessment", "responsible", "pair"};
static const char *const state_names[] = {"open", "due_soon", "missed", "met", "met_late",
                                          "cancelled"};
static const char *const urgency_names[] = {"immediate", "urgent", "priority", "normal"};

/* Business days from `from` to `to` (absent when either is). */
static void csv_wait(csv_t *w, triage_engine_t *e, triage_date_t from, triage_date_t to)
{
    int32_t days;
    if (from == TRIAGE_DATE_NONE || to == TRIAGE_DATE_NONE ||
        triage_calendar_business_days_between(&days, triage_engine_calendar(e), from, to))
        csv_none(w);
    else
        csv_int(w, days);
}

static void csv_header(csv_t *w, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        csv_text(w, names[i]);
    csv_end(w);
}

#define HEADER(w, names) csv_header(w, names, sizeof(names) / sizeof *(names))

static const char *const case_cols[] = {
    "case", "client", "municipality", "language", "kind", "channel", "service", "received",
    "stage", "urgency", "quadrant", "special_support", "closing_reason", "closed",
    "first_contact", "responded", "assessment_started", "assessment_completed", "plan_made",
    "wait_first_contact", "wait_assessment_start", "assessment_worker", "responsible", "pair",
    "intakes", "deadlines", "contact_attempts", "no_shows", "children", "emergency_services",
    "attached_to",
};

/* Every case of the engine (the Python table's default: no filter). */
static triage_status_t write_cases(csv_t *w, triage_engine_t *e)
{
    HEADER(w, case_cols);
    triage_id_t *ids = NULL;
    size_t n = 0;
    triage_status_t rc = triage_case_list(&ids, &n, e, NULL);
    for (size_t i = 0; !rc && w->ok && i < n; i++) {
        triage_case_t c;
        memset(&c, 0, sizeof c);
        c.version = TRIAGE_CASE_VERSION;
        if ((rc = triage_case_get(&c, e, &ids[i])))
            break;
        if (c.received == TRIAGE_DATE_NONE) /* as the Python table's reader */
            continue;
        triage_client_t cl;
        memset(&cl, 0, sizeof cl);
        cl.version = TRIAGE_CLIENT_VERSION;
        if ((rc = triage_client_get(&cl, e, &c.client)))
            break;
        csv_id(w, &c.id);
        csv_id(w, &c.client);
        csv_int(w, cl.municipality);
        csv_enum(w, NAME_OF(language_names, cl.language), cl.language);
        csv_enum(w, triage_intake_kind_name(c.kind), c.kind);
        csv_enum(w, triage_channel_name(c.channel), c.channel);
        csv_enum(w, NAME_OF(service_names, c.service), c.service);
        csv_date(w, c.received);
        csv_enum(w, triage_stage_name(c.stage), c.stage);
        csv_enum(w, NAME_OF(urgency_names, c.urgency), c.urgency);
        if (c.flags & TRIAGE_CASE_CLASSIFIED)
            csv_enum(w, triage_quadrant_name(c.classification.quadrant),
                     c.classification.quadrant);
        else
            csv_none(w);
        csv_bool(w, c.special_support);
        if (c.closing_reason == TRIAGE_CLOSE_NONE)
            csv_none(w);
        else
            csv_enum(w, triage_closing_reason_name(c.closing_reason), c.closing_reason);
        csv_date(w, c.closed);
        csv_date(w, c.first_contact);
        csv_date(w, c.responded);
        csv_date(w, c.assessment_started);
        csv_date(w, c.assessment_completed);
        csv_date(w, c.plan_made);
        csv_wait(w, e, c.received, c.first_contact);
        csv_wait(w, e, c.received, c.assessment_started);
        csv_id(w, &c.assessment_worker);
        csv_id(w, &c.responsible);
        csv_id(w, &c.pair);
        csv_int(w, c.intake_count);
        csv_int(w, c.deadline_count);
        csv_int(w, c.contact_attempts);
        csv_int(w, c.no_shows);
        csv_int(w, c.children);
        csv_bool(w, (c.flags & TRIAGE_CASE_EMERGENCY_SERVICES) != 0);
        csv_id(w, &c.attached_to);
        csv_end(w);
    }
    triage_free(ids);
    return rc;
}

static const char *const event_cols[] = {
    "seq", "at", "date", "case", "subject", "actor", "kind", "from_value", "to_value",
    "reason", "from_worker", "to_worker", "intake", "policy_id", "policy_version",
};

static triage_date_t local_day(int64_t at_ms)
{
    triage_date_t day;
    int32_t minute;
    return triage_local_time(&day, &minute, at_ms) == TRIAGE_OK ? day : TRIAGE_DATE_NONE;
}

/* Every event, in the order of the engine's event query. */
static triage_status_t write_events(csv_t *w, triage_engine_t *e)
{
    HEADER(w, event_cols);
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    triage_event_iter_t *it = NULL;
    triage_status_t rc = triage_event_iter_new(&it, e, &q);
    while (!rc && w->ok) {
        triage_event_t ev;
        memset(&ev, 0, sizeof ev);
        ev.version = TRIAGE_EVENT_VERSION;
        if ((rc = triage_event_iter_next(it, &ev)))
            break;
        csv_int(w, (long long)ev.seq);
        csv_time(w, ev.at_ms);
        csv_date(w, local_day(ev.at_ms));
        csv_id(w, &ev.case_id);
        csv_id(w, &ev.subject);
        csv_id(w, &ev.actor);
        csv_enum(w, triage_event_kind_name(ev.kind), ev.kind);
        csv_int(w, ev.from);
        csv_int(w, ev.to);
        csv_int(w, ev.reason);
        csv_id(w, &ev.from_id);
        csv_id(w, &ev.to_id);
        csv_id(w, &ev.intake);
        if (ev.policy_id[0]) {
            char policy[sizeof ev.policy_id + 1];
            size_t len = strnlen(ev.policy_id, sizeof ev.policy_id);
            memcpy(policy, ev.policy_id, len);
            policy[len] = '\0';
            csv_text(w, policy);
        } else {
            csv_none(w);
        }
        csv_int(w, ev.policy_version);
        csv_end(w);
    }
    triage_event_iter_free(it);
    return rc == TRIAGE_ITEROVER ? TRIAGE_OK : rc;
}

static const char *const deadline_cols[] = {
    "case", "intake", "received", "row", "basis", "milestone", "start", "due", "met", "state",
    "overdue", "met_on_arrival", "superseded", "wait", "id",
};

/* Every deadline row of every case, with its state on `today`. */
static triage_status_t write_deadlines(csv_t *w, triage_engine_t *e, triage_date_t today)
{
    HEADER(w, deadline_cols);
    triage_id_t *ids = NULL;
    size_t n = 0;
    triage_status_t rc = triage_case_list(&ids, &n, e, NULL);
    for (size_t i = 0; !rc && w->ok && i < n; i++) {
        triage_case_deadline_t *rows = NULL;
        size_t nrows = 0;
        if ((rc = triage_case_deadlines(&rows, &nrows, NULL, TRIAGE_CASE_DEADLINE_VERSION, e,
                                        &ids[i], today, 0)))
            break;
        /* the receipt date of the last intake seen (rows come grouped by intake) */
        triage_id_t last = {{0}};
        triage_date_t received = TRIAGE_DATE_NONE;
        for (size_t k = 0; !rc && w->ok && k < nrows; k++) {
            const triage_case_deadline_t *r = &rows[k];
            if (triage_id_is_nil(&last) || triage_id_compare(&last, &r->intake)) {
                triage_intake_info_t info;
                memset(&info, 0, sizeof info);
                info.version = TRIAGE_INTAKE_INFO_VERSION;
                if ((rc = triage_intake_get(&info, e, &r->intake)))
                    break;
                last = r->intake;
                received = info.received;
            }
            csv_id(w, &ids[i]);
            csv_id(w, &r->intake);
            csv_date(w, received);
            csv_enum(w, triage_deadline_row_name(r->deadline.row), r->deadline.row);
            csv_enum(w, triage_legal_basis_name(r->deadline.basis), r->deadline.basis);
            csv_enum(w, triage_milestone_name(r->deadline.milestone), r->deadline.milestone);
            csv_date(w, r->start);
            csv_date(w, r->deadline.due);
            csv_date(w, r->met);
            csv_enum(w, NAME_OF(state_names, r->state), r->state);
            csv_int(w, r->overdue);
            csv_bool(w, (r->flags & TRIAGE_DEADLINE_MET_ON_ARRIVAL) != 0);
            csv_bool(w, (r->flags & TRIAGE_DEADLINE_SUPERSEDED) != 0);
            csv_wait(w, e, received, r->met);
            csv_id(w, &r->id);
            csv_end(w);
        }
        triage_free(rows);
    }
    triage_free(ids);
    return rc;
}

static const char *const assignment_cols[] = {
    "seq", "at", "date", "until", "case", "slot", "worker", "previous", "actor",
    "over_soft_cap", "over_hard_cap",
};

typedef struct {
    int64_t seq, at_ms;
    triage_date_t date, until;
    triage_id_t case_id, worker, previous, actor;
    int32_t slot;
    int soft, hard;
} assignment_t;

static const assignment_t *sort_base;

/* By case, then slot, then order of the event query. */
static int by_case_slot(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const assignment_t *x = &sort_base[i], *y = &sort_base[j];
    int c = triage_id_compare(&x->case_id, &y->case_id);
    if (c)
        return c;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* The WORKER_ASSIGNED events, each with the day of the next assignment to
 * the same case and slot (`until`). */
static triage_status_t write_assignments(csv_t *w, triage_engine_t *e)
{
    HEADER(w, assignment_cols);
    assignment_t *a = NULL;
    size_t n = 0, cap = 0;
    triage_event_query_t q = TRIAGE_EVENT_QUERY_INIT;
    triage_event_iter_t *it = NULL;
    triage_status_t rc = triage_event_iter_new(&it, e, &q);
    while (!rc) {
        triage_event_t ev;
        memset(&ev, 0, sizeof ev);
        ev.version = TRIAGE_EVENT_VERSION;
        if ((rc = triage_event_iter_next(it, &ev)))
            break;
        if (ev.kind != TRIAGE_EVENT_WORKER_ASSIGNED)
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 256;
            assignment_t *p = realloc(a, ncap * sizeof *p);
            if (!p) {
                rc = TRIAGE_ENOMEM;
                break;
            }
            a = p;
            cap = ncap;
        }
        assignment_t *r = &a[n++];
        r->seq = (int64_t)ev.seq;
        r->at_ms = ev.at_ms;
        r->date = local_day(ev.at_ms);
        r->until = TRIAGE_DATE_NONE;
        r->case_id = ev.case_id;
        r->slot = (int32_t)TRIAGE_EVENT_SLOT(ev.reason);
        r->worker = ev.to_id;
        r->previous = ev.from_id;
        r->actor = ev.actor;
        r->soft = (ev.reason & TRIAGE_EVENT_OVER_SOFT_CAP) != 0;
        r->hard = (ev.reason & TRIAGE_EVENT_OVER_HARD_CAP) != 0;
    }
    triage_event_iter_free(it);
    if (rc == TRIAGE_ITEROVER)
        rc = TRIAGE_OK;
    size_t *order = NULL;
    if (!rc && n && !(order = malloc(n * sizeof *order)))
        rc = TRIAGE_ENOMEM;
    if (!rc && n) {
        for (size_t i = 0; i < n; i++)
            order[i] = i;
        sort_base = a;
        qsort(order, n, sizeof *order, by_case_slot);
        sort_base = NULL;
        for (size_t k = 1; k < n; k++) {
            const assignment_t *p = &a[order[k - 1]], *c = &a[order[k]];
            if (p->slot == c->slot && !triage_id_compare(&p->case_id, &c->case_id))
                a[order[k - 1]].until = c->date;
        }
    }
    for (size_t i = 0; !rc && w->ok && i < n; i++) {
        const assignment_t *r = &a[i];
        csv_int(w, (long long)r->seq);
        csv_time(w, r->at_ms);
        csv_date(w, r->date);
        csv_date(w, r->until);
        csv_id(w, &r->case_id);
        csv_enum(w, NAME_OF(slot_names, r->slot), r->slot);
        csv_id(w, &r->worker);
        csv_id(w, &r->previous);
        csv_id(w, &r->actor);
        csv_bool(w, r->soft);
        csv_bool(w, r->hard);
        csv_end(w);
    }
    free(order);
    free(a);
    return rc;
}

/* DIR exists as a directory afterwards (made 0700 when missing): 0, else
 * one line on stderr and EXIT_RUNTIME. */
int tables_dir_ready(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0700) == 0 || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return 0;
    int err = errno == EEXIST ? ENOTDIR : errno;
    fprintf(stderr, "%s: --tables %s: cannot create the directory: %s\n", prog, dir,
            strerror(err));
    return EXIT_RUNTIME;
}

int write_tables(triage_sim_t *sim, const char *dir)
{
    static const char *const names[] = {"cases", "events", "deadlines", "assignments"};
    triage_engine_t *e = triage_sim_engine(sim);
    triage_date_t last = TRIAGE_DATE_NONE;
    if (!e || triage_report_period(NULL, NULL, NULL, &last, triage_sim_report(sim)) != TRIAGE_OK)
        return fail_runtime("--tables: the run has no engine to read");
    int rc = tables_dir_ready(dir);
    for (size_t t = 0; !rc && t < sizeof names / sizeof *names; t++) {
        size_t len = strlen(dir) + strlen(names[t]) + 6;
        char *path = malloc(len);
        if (!path) {
            fprintf(stderr, "%s: --tables: out of memory\n", prog);
            return EXIT_RUNTIME;
        }
        snprintf(path, len, "%s/%s.csv", dir, names[t]);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        csv_t w = {fd < 0 ? NULL : fdopen(fd, "w"), 1, 1};
        if (!w.f) {
            fprintf(stderr, "%s: %s: cannot write the file: %s\n", prog, path, strerror(errno));
            if (fd >= 0)
                close(fd);
            free(path);
            return EXIT_RUNTIME;
        }
        triage_status_t st = t == 0   ? write_cases(&w, e)
                             : t == 1 ? write_events(&w, e)
                             : t == 2 ? write_deadlines(&w, e, last)
                                      : write_assignments(&w, e);
        int werr = !w.ok || ferror(w.f) ? errno : 0;
        if (fclose(w.f) != 0 && !werr)
            werr = errno ? errno : EIO;
        if (st != TRIAGE_OK) {
            fprintf(stderr, "%s: --tables: cannot read the %s: %s\n", prog, names[t],
                    triage_error_last()->message);
            rc = EXIT_RUNTIME;
        } else if (werr || !w.ok) {
            fprintf(stderr, "%s: %s: cannot write the file: %s\n", prog, path,
                    strerror(werr ? werr : EIO));
            rc = EXIT_RUNTIME;
        }
        free(path);
    }
    return rc;
}
